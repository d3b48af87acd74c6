/*
 * spendctl: the command-line client. spendctl.c holds main and the one
 * command table, conn.c the connection to spendd (socket, framing,
 * errors), opts.c the command lines (the specs below, usage); cmd_*.c
 * hold what each command prints (one file per command group).
 *
 * Adding a command is one line in the table in spendctl.c plus, when the
 * generic "call the method, print the result" is not enough, a function:
 *
 *   { "expense show", "expense.get", "id#", "", NULL, print_expense },
 *     words           method         args   opts run  print
 *
 * args and opts: the positional and option specs of opts.h; the method's
 * declared params add their own options.
 */
#ifndef SPENDCTL_H
#define SPENDCTL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "conn.h"
#include "opts.h"

/* Exit statuses. */
#define EXIT_ERR 1	/* the daemon or the connection said no */
#define EXIT_USAGE 2	/* the command line is wrong */

struct ctl {
	const char *socket;	/* --socket, $SPEND_SOCKET, default */
	const char *user;	/* --user, $SPEND_USER, or NULL */
	bool json;		/* --json: print the raw result */
	/* the connection's (conn.h) */
	int fd;			/* -1 until connected */
	char *buf;		/* read buffer and what it holds */
	size_t buflen, bufsize;
	long long next_id;
	json_t *version;	/* daemon.version result, after connecting */
	json_t *methods;	/* rpc.describe "methods", after connecting */
	json_t *local;		/* options with PARAM "-" (borrowed by run) */
};

struct ctl_cmd;

/* run: do the whole command, return an exit status. params is the object
 * built from args and opts (borrowed; run may change it). NULL run means:
 * conn_call(cmd->method), then ctl_output(print). */
typedef int (*ctl_run_fn)(struct ctl *c, const struct ctl_cmd *cmd,
    json_t *params);
/* print: human output of a method's result (borrowed); exit status. */
typedef int (*ctl_print_fn)(struct ctl *c, json_t *result);

struct ctl_cmd {
	const char *words;	/* "expense add" */
	const char *method;	/* JSON-RPC method, or NULL if local */
	const char *args;	/* positional spec, see above */
	const char *opts;	/* option spec, see above */
	ctl_run_fn run;		/* NULL = call and print */
	ctl_print_fn print;	/* NULL = print the result as JSON */
	const char *summary;	/* NULL = the method's summary (rpc.describe) */
};

/* The command table (spendctl.c), terminated by a NULL words. */
extern const struct ctl_cmd ctl_cmds[];

/* With --json print result as JSON, else print(c, result); consumes
 * result; returns an exit status. */
int ctl_output(struct ctl *c, json_t *result, ctl_print_fn print);
/* The generic run: conn_call(cmd->method), then ctl_output(cmd->print). */
int ctl_run_default(struct ctl *c, const struct ctl_cmd *cmd, json_t *params);
/* "spendctl: MESSAGE" on stderr; returns EXIT_ERR. */
int ctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Printing helpers shared by the cmd_*.c files (cmd_status.c). */
/* "s" of an object member, "" when missing; numbers as text in buf. */
const char *jstr(json_t *o, const char *key, char *buf, size_t size);
/* Every scalar member of o as aligned "key  value" lines. */
int print_kv(struct ctl *c, json_t *o);

/* ---- cmd_status.c ---- */
int run_help(struct ctl *, const struct ctl_cmd *, json_t *);
int run_call(struct ctl *, const struct ctl_cmd *, json_t *);
int print_status(struct ctl *, json_t *);

/* ---- cmd_user.c ---- */
int print_user(struct ctl *, json_t *);
int print_user_list(struct ctl *, json_t *);
int print_user_deleted(struct ctl *, json_t *);

/* ---- cmd_category.c ---- */
int print_category(struct ctl *, json_t *);
int print_category_list(struct ctl *, json_t *);
int print_category_deleted(struct ctl *, json_t *);

/* ---- cmd_expense.c ---- */
int run_expense_list(struct ctl *, const struct ctl_cmd *, json_t *);
int run_expense_split(struct ctl *, const struct ctl_cmd *, json_t *);
int print_expense(struct ctl *, json_t *);
int print_expense_list(struct ctl *, json_t *);
int print_expense_deleted(struct ctl *, json_t *);

/* ---- cmd_rule.c ---- */
int print_rule(struct ctl *, json_t *);
int print_rule_list(struct ctl *, json_t *);
int print_rule_deleted(struct ctl *, json_t *);
int print_rule_test(struct ctl *, json_t *);
int print_rule_apply(struct ctl *, json_t *);
/* expense.edit's suggested_rule (may be NULL): the command to add it. */
void print_suggested_rule(json_t *s);

/* ---- cmd_backup.c ---- */
int run_backup(struct ctl *, const struct ctl_cmd *, json_t *);
int print_backup(struct ctl *, json_t *);
/* Replace status's "backup" object with lines print_kv shows. */
void status_backup(json_t *status);

/* ---- cmd_plugin.c ---- */
/* path as spendd must see it: absolute (spendd has its own working
 * directory). 0, or -1 if it does not fit. */
int ctl_absolute(const char *path, char *out, size_t size);
int run_import(struct ctl *, const struct ctl_cmd *, json_t *);
int print_import(struct ctl *, json_t *);
int run_export(struct ctl *, const struct ctl_cmd *, json_t *);
int print_export(struct ctl *, json_t *);
int print_plugin_list(struct ctl *, json_t *);

/* ---- cmd_rate.c ---- */
int print_rate(struct ctl *, json_t *);
int print_rate_list(struct ctl *, json_t *);
int run_rate_import(struct ctl *, const struct ctl_cmd *, json_t *);
int print_rate_import(struct ctl *, json_t *);

/* ---- cmd_report.c ---- */
int run_report(struct ctl *, const struct ctl_cmd *, json_t *);
int print_report(struct ctl *, json_t *);

/* ---- cmd_notify.c ---- */
int print_notify_settings(struct ctl *, json_t *);
int print_notify_channel(struct ctl *, json_t *);
int print_notify_removed(struct ctl *, json_t *);
int print_notify_test(struct ctl *, json_t *);
int print_notify_deliveries(struct ctl *, json_t *);
int print_rate_fetch(struct ctl *, json_t *);
int print_sync_status(struct ctl *, json_t *);
int print_device(struct ctl *, json_t *);
/* Replace status's "deliveries" and "rates_fetch" with lines. */
void status_notify(json_t *status);
/* ---- cmd_budget.c ---- */
int print_budget(struct ctl *, json_t *);
int print_budget_list(struct ctl *, json_t *);
int print_budget_deleted(struct ctl *, json_t *);
int print_budget_status(struct ctl *, json_t *);
int print_alert_list(struct ctl *, json_t *);
/* ---- cmd_recurring.c ---- */
int print_recurring(struct ctl *, json_t *);
int print_recurring_list(struct ctl *, json_t *);
int print_recurring_deleted(struct ctl *, json_t *);
int print_recurring_upcoming(struct ctl *, json_t *);
int print_recurring_settings(struct ctl *, json_t *);
/* ---- cmd_reports.c ---- */
int run_report_month(struct ctl *, const struct ctl_cmd *, json_t *);
int run_report_year(struct ctl *, const struct ctl_cmd *, json_t *);
int run_report_week(struct ctl *, const struct ctl_cmd *, json_t *);
int run_report_trend(struct ctl *, const struct ctl_cmd *, json_t *);
int run_report_breakdown(struct ctl *, const struct ctl_cmd *, json_t *);
int run_report_payees(struct ctl *, const struct ctl_cmd *, json_t *);
int run_report_forecast(struct ctl *, const struct ctl_cmd *, json_t *);
int run_report_budget(struct ctl *, const struct ctl_cmd *, json_t *);
int print_summary(struct ctl *, json_t *);
int print_breakdown(struct ctl *, json_t *);
int print_trend(struct ctl *, json_t *);
int print_payees(struct ctl *, json_t *);
int print_forecast(struct ctl *, json_t *);
int print_budget_report(struct ctl *, json_t *);

#endif
