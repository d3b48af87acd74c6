/*
 * One report job (a report plugin's run): what report.c's report_run_sync
 * and report_host.c's host functions share. Lives on the worker thread
 * running the report, for the length of the run.
 */
#ifndef SPEND_REPORT_JOB_H
#define SPEND_REPORT_JOB_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "spend/plugin.h"
#include "budget.h"
#include "err.h"
#include "store.h"
#include "util.h"

struct spendd;

struct report_name {
	int64_t id;
	char name[NAME_MAX_LEN + 1];
};

/* A user's category names by id, loaded on first use (report_cells_walk). */
struct report_names {
	struct report_name *v;
	size_t n;
	bool loaded;
};

struct spend_report_job {
	struct spendd *sd;
	struct user user;
	struct store *st;		/* the worker's, in a read transaction */
	json_t *params;			/* object of strings */
	bool failed;
	char msg[SPEND_ERR_MSG_MAX];
	char field[64];			/* the parameter at fault, or "" */
	/* report_host.c, filled on first use: */
	char today[DATE_LEN + 1];
	struct report_names names;	/* the user's categories */
	struct budget_book book;	/* the user's budgets */
	bool book_loaded;
};

/* Free what the host functions allocated (names). */
void report_job_release(struct spend_report_job *job);
void report_names_free(struct report_names *n);

/*
 * u's spending from..to as cells converted to u's base currency (what
 * host->report_cells and host->export_cells give): cb for each, on st
 * (inside the caller's read transaction). 0; a positive value if cb
 * stopped the walk; or a negative SPEND_E* with err filled (its field
 * names the culprit, if any).
 */
int report_cells_walk(struct store *st, const struct user *u,
    struct report_names *names, const char *from, const char *to,
    enum spend_cells by, int (*cb)(void *arg, const struct spend_cell *c),
    void *arg, struct spend_err *err);

/*
 * What u's recurring rules will still create from..to (both dates) as
 * cells of one occurrence each, converted to u's base currency at each
 * date (host->report_upcoming): cb for each, on st. 0; 1 if cb stopped
 * the walk; or a negative SPEND_E* with err filled.
 */
int report_upcoming_walk(struct store *st, const struct user *u,
    const char *from, const char *to,
    int (*cb)(void *arg, const struct spend_cell *c), void *arg,
    struct spend_err *err);

/* ---- host API functions of report jobs (report_host.c; plugin_host.c puts
 * them in the table): the job's own thread only ---- */
const char *report_api_base_currency(struct spend_report_job *job);
const char *report_api_today(struct spend_report_job *job);
int report_api_params_only(struct spend_report_job *job,
    const char *const *known);
void report_api_error_field(struct spend_report_job *job, const char *field,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int report_api_cells(struct spend_report_job *job, const char *from,
    const char *to, enum spend_cells by,
    int (*cb)(void *arg, const struct spend_cell *c), void *arg);
int report_api_upcoming(struct spend_report_job *job, const char *from,
    const char *to, int (*cb)(void *arg, const struct spend_cell *c),
    void *arg);
int report_api_budget_status(struct spend_report_job *job,
    const char *month,
    int (*cb)(void *arg, const struct spend_budget_month *m), void *arg);

#endif
