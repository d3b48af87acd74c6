/*
 * spendctl: talk JSON-RPC to spendd over its Unix socket.
 *
 * One table below maps command words to a method, a positional spec and an
 * option spec (see spendctl.h); main finds the entry, turns the command line
 * into params, calls the method and hands the result to the entry's printer.
 */
#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spendctl.h"
#include "conn.h"
#include "opts.h"
#include "spendd.h"

#ifndef SPENDCTL_SOCKET
#define SPENDCTL_SOCKET "/var/lib/spend/spendd.sock"
#endif


/* The command table. Keep groups together; help lists it in this order. */
const struct ctl_cmd ctl_cmds[] = {
	{ "status", "daemon.status", "", "", NULL, print_status, NULL },
	{ "backup", "daemon.backup", "path?:FILE", "",
	  run_backup, print_backup,
	  "Copy the database while spendd runs (no FILE: into [backup] dir)" },
	{ "help", NULL, "command...", "", run_help, NULL,
	  "Show the commands, or how to use one" },
	{ "call", NULL, "method json?", "", run_call, NULL,
	  "Call any method with a JSON object of params; print the result" },
	{ "user add", "user.add", "name", "password-stdin@:password",
	  NULL, print_user, NULL },
	{ "user list", "user.list", "", "", NULL, print_user_list, NULL },
	{ "user show", "user.get", "name", "", NULL, print_user, NULL },
	{ "user rm", "user.delete", "name", "", NULL, print_user_deleted, NULL },
	{ "category list", "category.list", "", "", NULL,
	  print_category_list, NULL },
	{ "category show", "category.get", "name", "", NULL, print_category,
	  NULL },
	{ "category add", "category.add", "name", "", NULL, print_category,
	  NULL },
	{ "category rename", "category.rename", "name:OLD new_name:NEW", "",
	  NULL, print_category, NULL },
	{ "category archive", "category.archive", "name", "", NULL,
	  print_category, NULL },
	{ "category unarchive", "category.unarchive", "name", "", NULL,
	  print_category, NULL },
	{ "category delete", "category.delete", "name", "", NULL,
	  print_category_deleted, NULL },
	{ "expense add", "expense.add", "amount category?", "split*PART:parts",
	  run_expense_split, print_expense, NULL },
	{ "expense list", "expense.list", "",
	  "asc!:order=asc desc!:order=desc all!:-",
	  run_expense_list, print_expense_list, NULL },
	{ "expense show", "expense.get", "id#", "", NULL, print_expense, NULL },
	{ "expense edit", "expense.edit", "id#",
	  "no-tags!:tags=[] split*PART:parts no-split!:parts=[]",
	  run_expense_split, print_expense, NULL },
	{ "expense rm", "expense.delete", "id#", "", NULL,
	  print_expense_deleted, NULL },
	{ "import", "import.run", "path:FILE", "", run_import, print_import,
	  "Import FILE (spendd reads it: all or nothing, duplicates skipped)" },
	{ "export", "export.run", "o?:-o file?:FILE",
	  "output=FILE:file asc!:order=asc desc!:order=desc",
	  run_export, print_export,
	  "Export expenses to FILE (spendd writes it; --force replaces it)" },
	{ "plugin list", "plugin.list", "", "", NULL, print_plugin_list, NULL },
	{ "rate set", "rate.set", "currency:CODE rate:RATE", "", NULL,
	  print_rate, NULL },
	{ "rate list", "rate.list", "", "", NULL, print_rate_list, NULL },
	{ "rate import", "rate.import", "path:FILE", "", run_rate_import,
	  print_rate_import, "Import the ECB's reference rates "
	  "(eurofxref.csv or eurofxref-hist.csv): all or nothing" },
	{ "report", "report.run", "name", "param*KEY=VALUE", run_report,
	  print_report, "Run the report plugin NAME with its params "
	  "(--param month=2024-03)" },
	{ "notify show", "notify.settings", "", "", NULL,
	  print_notify_settings, NULL },
	{ "notify set", "notify.set", "channel", "", NULL,
	  print_notify_channel, NULL },
	{ "notify off", "notify.remove", "channel", "", NULL,
	  print_notify_removed, NULL },
	{ "notify test", "notify.test", "channel?", "", NULL,
	  print_notify_test, NULL },
	{ "notify list", "notify.deliveries", "", "", NULL,
	  print_notify_deliveries, NULL },
	{ "rate fetch", "rate.fetch", "", "", NULL, print_rate_fetch, NULL },
	{ "sync status", "sync.status", "", "", NULL, print_sync_status,
	  "The change log's number, and each device with how far behind it is" },
	{ "device rename", "session.rename", "id name", "", NULL, print_device,
	  NULL },
	{ "device rm", "session.revoke", "id", "", NULL, print_device,
	  "Sign a device out (end its session)" },
	{ "budget set", "budget.set", "category:CATEGORY amount",
	  "no-rollover!:rollover=false", NULL, print_budget, "Set CATEGORY's "
	  "monthly budget (\"total\": the overall one), or one month's" },
	{ "budget list", "budget.list", "", "", NULL, print_budget_list, NULL },
	{ "budget show", "budget.get", "category:CATEGORY", "", NULL,
	  print_budget, NULL },
	{ "budget rm", "budget.delete", "category:CATEGORY", "", NULL,
	  print_budget_deleted, NULL },
	{ "budget status", "budget.status", "", "", NULL, print_budget_status,
	  "Each budget's month as a bar: spent / available, percent, "
	  "projection" },
	{ "alerts", "alert.list", "", "", NULL, print_alert_list, NULL },
	{ "rule add", "rule.add", "", "", NULL, print_rule, NULL },
	{ "rule list", "rule.list", "", "", NULL, print_rule_list, NULL },
	{ "rule rm", "rule.delete", "id#", "", NULL, print_rule_deleted, NULL },
	{ "rule test", "rule.test", "payee...", "", NULL, print_rule_test,
	  NULL },
	{ "rule apply", "rule.apply", "", "", NULL, print_rule_apply, NULL },
	{ "recurring add", "recurring.add", "amount category", "", NULL,
	  print_recurring, NULL },
	{ "recurring list", "recurring.list", "", "", NULL,
	  print_recurring_list, NULL },
	{ "recurring show", "recurring.get", "id#", "", NULL, print_recurring,
	  NULL },
	{ "recurring edit", "recurring.update", "id#", "no-tags!:tags=[]",
	  NULL, print_recurring, NULL },
	{ "recurring pause", "recurring.pause", "id#", "", NULL,
	  print_recurring, NULL },
	{ "recurring resume", "recurring.resume", "id#", "", NULL,
	  print_recurring, NULL },
	{ "recurring skip", "recurring.skip", "id#", "", NULL, print_recurring,
	  NULL },
	{ "recurring rm", "recurring.delete", "id#", "", NULL,
	  print_recurring_deleted, NULL },
	{ "recurring upcoming", "recurring.upcoming", "", "", NULL,
	  print_recurring_upcoming, NULL },
	{ "recurring settings", "recurring.settings", "", "", NULL,
	  print_recurring_settings, NULL },
	{ "recurring remind", "recurring.configure", "remind_days#:DAYS", "",
	  NULL, print_recurring_settings, "Remind of each occurrence DAYS "
	  "days ahead (0: no reminders)" },
	{ "report month", "report.run", "month?:YYYY-MM", "param*KEY=VALUE",
	  run_report_month, print_summary, "A month in your base currency "
	  "against the month before and a year before (default: this one)" },
	{ "report year", "report.run", "year?:YYYY", "param*KEY=VALUE",
	  run_report_year, print_summary, "A year in your base currency "
	  "against the year before (default: this one)" },
	{ "report week", "report.run", "week?:DATE", "param*KEY=VALUE",
	  run_report_week, print_summary, "The ISO week of DATE (or "
	  "YYYY-Www) against the week before and a year before" },
	{ "report trend", "report.run", "",
	  "from=DATE to=DATE month=YYYY-MM year=YYYY by=day|week|month "
	  "cumulative! window#N param*KEY=VALUE", run_report_trend,
	  print_trend, "Spending by day, week or month, overall and per "
	  "category, with sparklines" },
	{ "report breakdown", "report.run", "",
	  "from=DATE to=DATE month=YYYY-MM year=YYYY param*KEY=VALUE",
	  run_report_breakdown, print_breakdown, "Each category's share of "
	  "a range (default: everything)" },
	{ "report payees", "report.run", "",
	  "from=DATE to=DATE month=YYYY-MM year=YYYY limit#N param*KEY=VALUE",
	  run_report_payees, print_payees, "The top payees of a range" },
	{ "report forecast", "report.run", "month?:YYYY-MM", "param*KEY=VALUE",
	  run_report_forecast, print_forecast, "Where a month will end: "
	  "spent so far, the pace, what recurring rules will add, against "
	  "the budgets (default: this month)" },
	{ "report budget", "report.run", "",
	  "from=YYYY-MM to=YYYY-MM param*KEY=VALUE", run_report_budget,
	  print_budget_report, "Budgets against what was spent, month by "
	  "month, and per budget over the range (default: the last 12 "
	  "months)" },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL }
};

static void
usage_main(FILE *f)
{
	fprintf(f, "usage: spendctl [--socket PATH] [--user NAME] [--json] "
	    "COMMAND [ARGS]\n"
	    "       spendctl help [COMMAND]\n");
}

int
ctl_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("spendctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_ERR;
}

int
ctl_output(struct ctl *c, json_t *result, ctl_print_fn print)
{
	int r = 0;

	if (c->json || print == NULL) {
		if (json_dumpf(result, stdout, JSON_INDENT(2) |
		    JSON_ENCODE_ANY) == 0)
			fputc('\n', stdout);
	} else
		r = print(c, result);
	json_decref(result);
	if (fflush(stdout) == EOF || ferror(stdout))
		return ctl_err("writing the output: %s", strerror(errno));
	return r;
}

int
ctl_run_default(struct ctl *c, const struct ctl_cmd *cmd, json_t *params)
{
	json_t *res;

	if (conn_call(c, cmd->method, params, &res) < 0)
		return EXIT_ERR;
	return ctl_output(c, res, cmd->print);
}

/* The entry whose words start argv (the longest), or NULL. *nwords is how
 * many words matched. */
static const struct ctl_cmd *
find_cmd(int argc, char **argv, int *nwords)
{
	const struct ctl_cmd *best = NULL;
	int bestn = 0;

	for (const struct ctl_cmd *cmd = ctl_cmds; cmd->words; cmd++) {
		const char *w = cmd->words;
		int n = 0;

		while (*w && n < argc) {
			size_t len = strcspn(w, " ");

			if (strlen(argv[n]) != len || strncmp(argv[n], w, len))
				break;
			n++;
			w += len;
			w += strspn(w, " ");
		}
		if (*w == '\0' && n > bestn) {
			best = cmd;
			bestn = n;
		}
	}
	*nwords = bestn;
	return best;
}

/* "user" alone: the list of its subcommands. */
static int
group_usage(const char *group)
{
	size_t n = strlen(group);
	bool any = false;

	for (const struct ctl_cmd *cmd = ctl_cmds; cmd->words; cmd++) {
		char syn[256];

		if (strncmp(cmd->words, group, n) || cmd->words[n] != ' ')
			continue;
		opts_synopsis(cmd, syn, sizeof(syn));
		fprintf(stderr, "%s spendctl %s\n", any ? "      " : "usage:",
		    syn);
		any = true;
	}
	return any;
}

int
main(int argc, char **argv)
{
	struct ctl c;
	const struct ctl_cmd *cmd;
	json_t *params;
	int i, r, nwords;

	setlocale(LC_CTYPE, "");
	memset(&c, 0, sizeof(c));
	c.fd = -1;
	c.socket = getenv("SPEND_SOCKET");
	if (c.socket == NULL || *c.socket == '\0')
		c.socket = SPENDCTL_SOCKET;
	c.user = getenv("SPEND_USER");
	if (c.user && *c.user == '\0')
		c.user = NULL;

	for (i = 1; i < argc && strncmp(argv[i], "-", 1) == 0; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			argv[i] = "help";	/* same as the command */
		if (strcmp(argv[i], "help") == 0)
			break;
		if (strcmp(argv[i], "-V") == 0 ||
		    strcmp(argv[i], "--version") == 0) {
			printf("spendctl %s (protocol %d)\n", SPEND_VERSION,
			    SPEND_PROTOCOL);
			return 0;
		}
		if ((r = opts_global(&c, argc, argv, &i)) == 1)
			continue;
		if (r > 1)
			return r - 2;
		opts_error(NULL, "unknown option %s", argv[i]);
		usage_main(stderr);
		return EXIT_USAGE;
	}
	if (i == argc) {
		usage_main(stderr);
		return EXIT_USAGE;
	}
	if ((cmd = find_cmd(argc - i, argv + i, &nwords)) == NULL) {
		if (group_usage(argv[i]))
			return EXIT_USAGE;
		opts_error(NULL, "unknown command \"%s\" (see spendctl help)",
		    argv[i]);
		return EXIT_USAGE;
	}
	params = json_object();
	c.local = json_object();
	r = opts_parse(&c, cmd, argc - i - nwords, argv + i + nwords, params);
	if (r == 0)
		r = cmd->run ? cmd->run(&c, cmd, params) :
		    ctl_run_default(&c, cmd, params);
	else if (r < 0)
		r = 0;		/* --help */
	json_decref(params);
	json_decref(c.local);
	conn_close(&c);
	return r;
}
