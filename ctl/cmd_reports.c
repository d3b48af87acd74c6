/*
 * report month|year|week|trend|breakdown|payees: the reports plugin's
 * reports (report.run with name set) printed as tables with bars and
 * sparklines; colour only on a terminal (and not with NO_COLOR or
 * TERM=dumb). --json prints the report's JSON as it is.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "spendctl.h"

#define BAR_WIDTH 24		/* terminal columns of the longest bar */
#define SPARK_MAX 72		/* sparkline characters at most */

static const char *const eighths[] = { "", "▏", "▎", "▍", "▌", "▋", "▊",
	"▉" };
static const char *const spark[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇",
	"█" };

static int
colour(void)
{
	static int on = -1;
	const char *term = getenv("TERM");

	if (on < 0)
		on = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL &&
		    term != NULL && strcmp(term, "dumb") != 0;
	return on;
}

static void
paint(const char *hex)
{
	unsigned r, g, b;

	if (colour() && hex && sscanf(hex, "#%02x%02x%02x", &r, &g, &b) == 3)
		printf("\033[38;2;%u;%u;%um", r, g, b);
}

static void
unpaint(void)
{
	if (colour())
		fputs("\033[0m", stdout);
}

static void
bold(const char *s)
{
	printf(colour() ? "\033[1m%s\033[0m" : "%s", s);
}

/* Terminal columns of a UTF-8 string. */
static int
width(const char *s)
{
	mbstate_t st;
	int w = 0;

	memset(&st, 0, sizeof(st));
	while (*s) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, strlen(s), &st);
		int cw;

		if (n == 0 || n == (size_t)-1 || n == (size_t)-2) {
			memset(&st, 0, sizeof(st));
			n = 1;
			cw = 1;
		} else if ((cw = wcwidth(wc)) < 0)
			cw = 1;
		w += cw;
		s += n;
	}
	return w;
}

/* s padded to w columns (left or right aligned), control characters as
 * spaces. */
static void
cell(const char *s, int w, bool right)
{
	int pad = w - width(s);

	if (right)
		printf("%*s", pad > 0 ? pad : 0, "");
	for (const char *p = s; *p; p++)
		putchar((unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p);
	if (!right)
		printf("%*s", pad > 0 ? pad : 0, "");
}

/* A decimal amount string ("-12.50") as minor units (its digits). */
static int64_t
minor(json_t *v)
{
	const char *s = json_string_value(v);
	int64_t n = 0;
	bool neg = false;

	if (s == NULL)
		return 0;
	if (*s == '-') {
		neg = true;
		s++;
	}
	for (; *s; s++)
		if (*s >= '0' && *s <= '9' && n < INT64_MAX / 10 - 10)
			n = n * 10 + (*s - '0');
	return neg ? -n : n;
}

/* A bar of v against max, in eighths of a column. */
static void
bar(int64_t v, int64_t max, const char *hex)
{
	int64_t e;

	if (v <= 0 || max <= 0)
		return;
	e = (int64_t)((__int128)v * BAR_WIDTH * 8 / max);
	if (e == 0)
		e = 1;		/* something, however small */
	paint(hex);
	for (int64_t i = 0; i < e / 8; i++)
		fputs("█", stdout);
	fputs(eighths[e % 8], stdout);
	unpaint();
}

/* A sparkline of an array of amount strings: one character per point
 * (points summed in groups when there are more than SPARK_MAX). */
static void
sparkline(json_t *values, const char *hex)
{
	size_t n = json_array_size(values), group = (n + SPARK_MAX - 1) /
	    SPARK_MAX, m;
	int64_t *v, lo = 0, hi = 0;

	if (n == 0 || (v = calloc(n, sizeof(*v))) == NULL)
		return;
	if (group == 0)
		group = 1;
	for (size_t i = 0; i < n; i++)
		v[i / group] += minor(json_array_get(values, i));
	m = (n + group - 1) / group;
	for (size_t i = 0; i < m; i++) {
		if (i == 0 || v[i] < lo)
			lo = v[i];
		if (i == 0 || v[i] > hi)
			hi = v[i];
	}
	paint(hex);
	for (size_t i = 0; i < m; i++)
		fputs(spark[hi > lo ? (int)((__int128)(v[i] - lo) * 7 /
		    (hi - lo)) : 0], stdout);
	unpaint();
	free(v);
}

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* "+12.34 %" of a change (a string or null). */
static void
change(json_t *v, char *buf, size_t size)
{
	const char *s = json_string_value(v);

	if (s == NULL)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%s%s %%", *s == '-' ? "" : "+", s);
}

/* What could not be converted, and which days took an earlier rate. */
static void
conversion_notes(json_t *r)
{
	json_t *un = json_object_get(r, "unconverted"), *o;
	json_t *older = json_object_get(r, "older_rates");
	json_int_t n = json_integer_value(json_object_get(r,
	    "older_rates_count"));
	size_t i;

	json_array_foreach(un, i, o)
		printf("%s%s %s in %lld expense%s: no rate, not in the totals\n",
		    i ? "" : "\nunconverted: ", str(o, "currency"), str(o, "sum"),
		    (long long)json_integer_value(json_object_get(o, "count")),
		    json_integer_value(json_object_get(o, "count")) == 1 ? "" :
		    "s");
	if (n > 0) {
		printf("%sconverted at an earlier rate: %lld day%s (",
		    json_array_size(un) ? "" : "\n", (long long)n,
		    n == 1 ? "" : "s");
		json_array_foreach(older, i, o) {
			if (i == 3) {
				fputs(", ...", stdout);
				break;
			}
			printf("%s%s %s at %s", i ? ", " : "", str(o, "currency"),
			    str(o, "date"), str(o, "rate_date"));
		}
		puts(")");
	}
}

/* ---- running them ---- */

static int
run_named(struct ctl *c, const struct ctl_cmd *cmd, json_t *params,
    const char *name, const char *period_key)
{
	json_object_set_new(params, "name", json_string(name));
	if (period_key && json_object_get(params, period_key) == NULL)
		json_object_set_new(params, "period",
		    json_string(period_key));
	return run_report(c, cmd, params);
}

int
run_report_month(struct ctl *c, const struct ctl_cmd *cmd, json_t *p)
{
	return run_named(c, cmd, p, "summary", "month");
}

int
run_report_year(struct ctl *c, const struct ctl_cmd *cmd, json_t *p)
{
	return run_named(c, cmd, p, "summary", "year");
}

int
run_report_week(struct ctl *c, const struct ctl_cmd *cmd, json_t *p)
{
	return run_named(c, cmd, p, "summary", "week");
}

int
run_report_trend(struct ctl *c, const struct ctl_cmd *cmd, json_t *p)
{
	return run_named(c, cmd, p, "trend", NULL);
}

int
run_report_breakdown(struct ctl *c, const struct ctl_cmd *cmd, json_t *p)
{
	return run_named(c, cmd, p, "breakdown", NULL);
}

int
run_report_payees(struct ctl *c, const struct ctl_cmd *cmd, json_t *p)
{
	return run_named(c, cmd, p, "payees", NULL);
}

/* ---- printing them ---- */

/* Widest string of key over the objects of arr, at least min. */
static int
widest(json_t *arr, const char *key, int min)
{
	json_t *o;
	size_t i;
	int w = min;

	json_array_foreach(arr, i, o)
		if (width(str(o, key)) > w)
			w = width(str(o, key));
	return w;
}

int
print_summary(struct ctl *c, json_t *r)
{
	json_t *cats = json_object_get(r, "categories"), *o;
	const char *cmp[] = { "previous", "year_before" };
	char line[256], ch[32];
	int64_t max = 0;
	int wn, wa;
	size_t i;

	(void)c;
	snprintf(line, sizeof(line), "%s %s", str(r, "period"),
	    str(r, "label"));
	bold(line);
	printf("  %s..%s, in %s\n", str(r, "from"), str(r, "to"),
	    str(r, "currency"));
	printf("total  %s  (%lld expenses", str(r, "total"),
	    (long long)json_integer_value(json_object_get(r, "count")));
	if (json_is_integer(json_object_get(r, "days")))
		printf(", %s a day over %lld days", str(r, "per_day"),
		    (long long)json_integer_value(json_object_get(r, "days")));
	puts(")");
	for (size_t k = 0; k < 2; k++) {
		o = json_object_get(r, cmp[k]);
		if (!json_is_object(o))
			continue;
		change(json_object_get(o, "change"), ch, sizeof(ch));
		printf("%-6s %-10s %12s  %s\n", k == 0 ? "before" :
		    "a year", str(o, "label"), str(o, "total"), ch);
	}
	if (json_array_size(cats) == 0) {
		puts("\nno expenses");
		conversion_notes(r);
		return 0;
	}
	wn = widest(cats, "category", 8);
	wa = widest(cats, "amount", 6);
	json_array_foreach(cats, i, o)
		if (minor(json_object_get(o, "amount")) > max)
			max = minor(json_object_get(o, "amount"));
	putchar('\n');
	cell("CATEGORY", wn, false);
	fputs("  ", stdout);
	cell("AMOUNT", wa, true);
	printf("    SHARE     CHANGE\n");
	json_array_foreach(cats, i, o) {
		const char *pct = json_string_value(json_object_get(o,
		    "percent"));

		cell(str(o, "category"), wn, false);
		fputs("  ", stdout);
		cell(str(o, "amount"), wa, true);
		snprintf(line, sizeof(line), "%s %%", pct ? pct : "-");
		printf("  %7s", pct ? line : "-");
		change(json_object_get(o, "change"), ch, sizeof(ch));
		printf("  %9s  ", ch);
		bar(minor(json_object_get(o, "amount")), max,
		    str(o, "color"));
		putchar('\n');
	}
	conversion_notes(r);
	return 0;
}

int
print_breakdown(struct ctl *c, json_t *r)
{
	json_t *items = json_object_get(r, "items"), *o;
	int64_t max = 0;
	int wn, wa;
	size_t i;

	(void)c;
	bold("breakdown");
	printf("  %s..%s, in %s: %s in %lld expenses\n",
	    *str(r, "from") ? str(r, "from") : "(start)",
	    *str(r, "to") ? str(r, "to") : "(now)", str(r, "currency"),
	    str(r, "total"),
	    (long long)json_integer_value(json_object_get(r, "count")));
	if (json_array_size(items) == 0) {
		puts("\nno expenses");
		conversion_notes(r);
		return 0;
	}
	wn = widest(items, "label", 8);
	wa = widest(items, "amount", 6);
	json_array_foreach(items, i, o)
		if (minor(json_object_get(o, "amount")) > max)
			max = minor(json_object_get(o, "amount"));
	putchar('\n');
	json_array_foreach(items, i, o) {
		const char *pct = json_string_value(json_object_get(o,
		    "percent"));
		char p[32];

		paint(str(o, "color"));
		fputs("●", stdout);
		unpaint();
		putchar(' ');
		cell(str(o, "label"), wn, false);
		fputs("  ", stdout);
		cell(str(o, "amount"), wa, true);
		snprintf(p, sizeof(p), "%s %%", pct ? pct : "-");
		printf("  %8s  ", pct ? p : "-");
		bar(minor(json_object_get(o, "amount")), max,
		    str(o, "color"));
		putchar('\n');
	}
	conversion_notes(r);
	return 0;
}

int
print_trend(struct ctl *c, json_t *r)
{
	json_t *labels = json_object_get(r, "labels");
	json_t *total = json_object_get(r, "total");
	json_t *values = json_object_get(total, "values");
	json_t *avg = json_object_get(total, "moving_average");
	json_t *series = json_object_get(r, "series"), *o;
	int64_t max = 0;
	int wl = 6, wa = 6, wm = 7, wn;
	size_t i, n = json_array_size(labels);
	char head[128];

	(void)c;
	snprintf(head, sizeof(head), "trend by %s", str(r, "by"));
	bold(head);
	printf("  %s..%s, in %s%s; average of %lld\n", str(r, "from"),
	    str(r, "to"), str(r, "currency"),
	    json_is_true(json_object_get(r, "cumulative")) ?
	    ", cumulative within each month" : "",
	    (long long)json_integer_value(json_object_get(r, "window")));
	for (i = 0; i < n; i++) {
		const char *a = json_string_value(json_array_get(values, i));
		const char *m = json_string_value(json_array_get(avg, i));

		if (width(json_string_value(json_array_get(labels, i))) > wl)
			wl = width(json_string_value(json_array_get(labels, i)));
		if (a && width(a) > wa)
			wa = width(a);
		if (m && width(m) > wm)
			wm = width(m);
		if (minor(json_array_get(values, i)) > max)
			max = minor(json_array_get(values, i));
	}
	putchar('\n');
	cell("PERIOD", wl, false);
	fputs("  ", stdout);
	cell("AMOUNT", wa, true);
	fputs("  ", stdout);
	cell("AVERAGE", wm, true);
	putchar('\n');
	for (i = 0; i < n; i++) {
		const char *m = json_string_value(json_array_get(avg, i));

		cell(json_string_value(json_array_get(labels, i)), wl, false);
		fputs("  ", stdout);
		cell(json_string_value(json_array_get(values, i)), wa, true);
		fputs("  ", stdout);
		cell(m ? m : "-", wm, true);
		fputs("  ", stdout);
		bar(minor(json_array_get(values, i)), max, NULL);
		putchar('\n');
	}
	wn = widest(series, "label", 5);
	wa = widest(series, "amount", width(str(total, "amount")));
	putchar('\n');
	cell("total", wn, false);
	fputs("  ", stdout);
	cell(str(total, "amount"), wa, true);
	fputs("  ", stdout);
	sparkline(values, NULL);
	putchar('\n');
	json_array_foreach(series, i, o) {
		cell(str(o, "label"), wn, false);
		fputs("  ", stdout);
		cell(str(o, "amount"), wa, true);
		fputs("  ", stdout);
		sparkline(json_object_get(o, "values"), str(o, "color"));
		putchar('\n');
	}
	conversion_notes(r);
	return 0;
}

int
print_payees(struct ctl *c, json_t *r)
{
	json_t *items = json_object_get(r, "items"), *o;
	json_t *others = json_object_get(r, "others");
	json_t *none = json_object_get(r, "no_payee");
	int64_t max = 0;
	int wn, wa;
	size_t i;

	(void)c;
	bold("payees");
	printf("  %s..%s, in %s: %s in %lld expenses, %lld payees\n",
	    *str(r, "from") ? str(r, "from") : "(start)",
	    *str(r, "to") ? str(r, "to") : "(now)", str(r, "currency"),
	    str(r, "total"),
	    (long long)json_integer_value(json_object_get(r, "count")),
	    (long long)json_integer_value(json_object_get(r, "payees")));
	if (json_array_size(items) == 0) {
		puts("\nno payees");
		conversion_notes(r);
		return 0;
	}
	wn = widest(items, "payee", 9);
	wa = widest(items, "amount", 6);
	json_array_foreach(items, i, o)
		if (minor(json_object_get(o, "amount")) > max)
			max = minor(json_object_get(o, "amount"));
	putchar('\n');
	printf("%4s  ", "#");
	cell("PAYEE", wn, false);
	fputs("  ", stdout);
	cell("AMOUNT", wa, true);
	printf("  %5s  %8s  %-10s\n", "COUNT", "SHARE", "LAST");
	json_array_foreach(items, i, o) {
		char p[32];
		const char *pct = json_string_value(json_object_get(o,
		    "percent"));

		printf("%4zu  ", i + 1);
		cell(str(o, "payee"), wn, false);
		fputs("  ", stdout);
		cell(str(o, "amount"), wa, true);
		snprintf(p, sizeof(p), "%s %%", pct ? pct : "-");
		printf("  %5lld  %8s  %-10s  ",
		    (long long)json_integer_value(json_object_get(o, "count")),
		    pct ? p : "-", str(o, "last"));
		bar(minor(json_object_get(o, "amount")), max, NULL);
		putchar('\n');
	}
	if (json_integer_value(json_object_get(others, "payees")) > 0)
		printf("      %lld other payees: %s in %lld expenses\n",
		    (long long)json_integer_value(json_object_get(others,
		    "payees")), str(others, "amount"),
		    (long long)json_integer_value(json_object_get(others,
		    "count")));
	if (json_integer_value(json_object_get(none, "count")) > 0)
		printf("      without a payee: %s in %lld expenses\n",
		    str(none, "amount"),
		    (long long)json_integer_value(json_object_get(none,
		    "count")));
	conversion_notes(r);
	return 0;
}

/* ---- forecast and budget ---- */

int
run_report_forecast(struct ctl *c, const struct ctl_cmd *cmd, json_t *p)
{
	return run_named(c, cmd, p, "forecast", NULL);
}

int
run_report_budget(struct ctl *c, const struct ctl_cmd *cmd, json_t *p)
{
	return run_named(c, cmd, p, "budget", NULL);
}

/* "82 %" of a percent (an integer or null). */
static void
percent(json_t *v, char *buf, size_t size)
{
	if (json_is_integer(v))
		snprintf(buf, size, "%lld %%", (long long)json_integer_value(v));
	else
		snprintf(buf, size, "-");
}

int
print_forecast(struct ctl *c, json_t *r)
{
	json_t *t = json_object_get(r, "total");
	json_t *tb = json_object_get(t, "budget");
	json_t *cats = json_object_get(r, "categories"), *o;
	json_t *up = json_object_get(r, "upcoming");
	const char *period = str(r, "period");
	const char *cur = str(r, "currency");
	char line[256], pc[32];
	int64_t max = 0;
	int wn, wa = 9;
	size_t i;

	(void)c;
	snprintf(line, sizeof(line), "forecast %s", str(r, "month"));
	bold(line);
	if (!strcmp(period, "current"))
		printf("  day %lld of %lld, in %s\n",
		    (long long)json_integer_value(json_object_get(r, "day")),
		    (long long)json_integer_value(json_object_get(r, "days")),
		    cur);
	else
		printf("  %s month, in %s\n", period, cur);
	printf("spent so far  %12s  (%lld expenses)\n", str(t,
	    "spent_to_date"), (long long)json_integer_value(json_object_get(t,
	    "count")));
	printf("dated later   %12s\n", str(t, "later"));
	if (!strcmp(period, "current"))
		printf("at this pace  %12s\n", str(t, "pace"));
	printf("recurring     %12s  (%lld to come)\n", str(t, "recurring"),
	    (long long)json_integer_value(json_object_get(t,
	    "recurring_count")));
	printf("projected     %12s", str(t, "projected"));
	if (json_is_object(tb)) {
		percent(json_object_get(tb, "percent"), pc, sizeof(pc));
		printf("  of %s available (%s spent), %s",
		    str(tb, "available"), pc, str(tb, "state"));
	}
	putchar('\n');
	if (json_array_size(cats) == 0)
		puts("\nnothing spent or to come");
	else {
		wn = widest(cats, "category", 8);
		json_array_foreach(cats, i, o) {
			if (minor(json_object_get(o, "projected")) > max)
				max = minor(json_object_get(o, "projected"));
			if (width(str(o, "projected")) > wa)
				wa = width(str(o, "projected"));
		}
		putchar('\n');
		cell("CATEGORY", wn, false);
		printf("  %*s  %*s  %*s  %*s  %*s  %-5s  \n", wa, "SO FAR", wa,
		    "LATER", wa, "RECURRING", wa, "PROJECTED", wa, "BUDGET",
		    "STATE");
		json_array_foreach(cats, i, o) {
			json_t *b = json_object_get(o, "budget");

			cell(str(o, "category"), wn, false);
			printf("  %*s  %*s  %*s  %*s  %*s  %-5s  ", wa,
			    str(o, "spent_to_date"), wa, str(o, "later"), wa,
			    str(o, "recurring"), wa, str(o, "projected"), wa,
			    json_is_object(b) ? str(b, "available") : "-",
			    json_is_object(b) ? str(b, "state") : "");
			bar(minor(json_object_get(o, "projected")), max,
			    str(o, "color"));
			putchar('\n');
		}
	}
	if (json_array_size(up) > 0) {
		puts("\nto come:");
		json_array_foreach(up, i, o) {
			printf("  %s  ", str(o, "date"));
			cell(str(o, "category"), 12, false);
			printf("  %s %s", str(o, "amount"), str(o, "currency"));
			if (!json_is_true(json_object_get(o, "converted")))
				printf("  (no rate, not counted)");
			else if (strcmp(str(o, "currency"), cur) != 0)
				printf(" = %s %s", str(o, "base_amount"), cur);
			if (*str(o, "payee"))
				printf("  %s", str(o, "payee"));
			putchar('\n');
		}
		if (json_integer_value(json_object_get(r, "upcoming_count")) >
		    (json_int_t)json_array_size(up))
			printf("  ... %lld in all\n", (long long)
			    json_integer_value(json_object_get(r,
			    "upcoming_count")));
	}
	conversion_notes(r);
	return 0;
}

int
print_budget_report(struct ctl *c, json_t *r)
{
	json_t *months = json_object_get(r, "months"), *m, *o;
	json_t *budgets = json_object_get(r, "budgets");
	json_t *un = json_object_get(r, "unconverted");
	char line[256], pc[32];
	int64_t sp, av;
	int wn = 6, wa = 9;
	size_t i, k;

	(void)c;
	snprintf(line, sizeof(line), "budgets %s..%s", str(r, "from"),
	    str(r, "to"));
	bold(line);
	printf("  in %s\n", str(r, "currency"));
	json_array_foreach(months, i, m)
		json_array_foreach(json_object_get(m, "items"), k, o) {
			const char *f[] = { "limit", "carry", "available",
				"spent", "remaining" };

			if (width(str(o, "category")) > wn)
				wn = width(str(o, "category"));
			for (size_t j = 0; j < 5; j++)
				if (width(str(o, f[j])) > wa)
					wa = width(str(o, f[j]));
		}
	if (json_array_size(budgets) == 0) {
		puts("\nno budgets in these months");
		return 0;
	}
	putchar('\n');
	printf("%-7s  ", "MONTH");
	cell("BUDGET", wn, false);
	printf("  %*s  %*s  %*s  %*s  %*s  %5s  %-5s\n", wa, "LIMIT", wa,
	    "CARRY", wa, "AVAILABLE", wa, "SPENT", wa, "REMAINING", "%",
	    "STATE");
	json_array_foreach(months, i, m)
		json_array_foreach(json_object_get(m, "items"), k, o) {
			percent(json_object_get(o, "percent"), pc, sizeof(pc));
			printf("%-7s  ", k == 0 ? str(m, "month") : "");
			cell(str(o, "category"), wn, false);
			printf("  %*s  %*s  %*s  %*s  %*s  %5s  %-5s  ", wa,
			    str(o, "limit"), wa, str(o, "carry"), wa,
			    str(o, "available"), wa, str(o, "spent"), wa,
			    str(o, "remaining"), pc, str(o, "state"));
			/* spent of what the month has */
			sp = minor(json_object_get(o, "spent"));
			av = minor(json_object_get(o, "available"));
			if (av <= 0)
				av = sp;
			bar(sp > av ? av : sp, av, NULL);
			putchar('\n');
		}
	putchar('\n');
	cell("BUDGET", wn, false);
	printf("  %6s  %*s  %*s  %*s  %5s  %4s  %4s  %4s\n", "MONTHS", wa,
	    "LIMIT", wa, "SPENT", wa, "REMAINING", "%", "OK", "NEAR", "OVER");
	json_array_foreach(budgets, i, o) {
		percent(json_object_get(o, "percent"), pc, sizeof(pc));
		cell(str(o, "category"), wn, false);
		printf("  %6lld  %*s  %*s  %*s  %5s  %4lld  %4lld  %4lld\n",
		    (long long)json_integer_value(json_object_get(o, "months")),
		    wa, str(o, "limit"), wa, str(o, "spent"), wa,
		    str(o, "remaining"), pc,
		    (long long)json_integer_value(json_object_get(o, "ok")),
		    (long long)json_integer_value(json_object_get(o, "near")),
		    (long long)json_integer_value(json_object_get(o, "over")));
	}
	json_array_foreach(un, i, o)
		printf("%s  %s  %s %s %s in %s\n", i ? "" :
		    "\nnot converted (no rate), not counted:\n", str(o,
		    "category"), str(o, "amount"), str(o, "currency"),
		    str(o, "what"), str(o, "month"));
	return 0;
}
