/* spendctl budget set|list|show|rm|status, and alerts. */
#include <langinfo.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spendctl.h"
#include "table.h"
#include "util.h"

#define BAR_CELLS 15

static const char *
js(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* "80%, 100%" */
static void
thresholds_text(json_t *a, char *buf, size_t size)
{
	json_t *v;
	size_t i;

	buf[0] = '\0';
	json_array_foreach(a, i, v) {
		char one[24];

		snprintf(one, sizeof(one), "%s%lld%%", i ? ", " : "",
		    (long long)json_integer_value(v));
		strlcat(buf, one, size);
	}
}

int
print_budget(struct ctl *c, json_t *b)
{
	json_t *months = json_object_get(b, "months"), *v;
	const char *month, *cur = js(b, "currency");
	char th[128];

	(void)c;
	thresholds_text(json_object_get(b, "alerts"), th, sizeof(th));
	printf("category  %s%s\n", js(b, "category"),
	    json_is_true(json_object_get(b, "overall")) ? " (every category)" :
	    "");
	if (json_is_string(json_object_get(b, "amount")))
		printf("amount    %s %s a month from %s\n", js(b, "amount"), cur,
		    js(b, "since"));
	else
		printf("amount    none by default\n");
	printf("rollover  %s\n", json_is_true(json_object_get(b, "rollover")) ?
	    "yes" : "no");
	printf("alerts    %s\n", th);
	json_object_foreach(months, month, v)
		printf("%-8s  %s %s\n", month, json_string_value(v), cur);
	return 0;
}

int
print_budget_list(struct ctl *c, json_t *res)
{
	static const char *const heads[] = { "CATEGORY", "AMOUNT", "", "SINCE",
	    "ROLLOVER", "ALERTS", "MONTHS", NULL };
	json_t *items = json_object_get(res, "items"), *b;
	struct table *t;
	size_t i;

	(void)c;
	if (json_array_size(items) == 0) {
		printf("no budgets\n");
		return 0;
	}
	t = table_new("lrllrll", heads);
	json_array_foreach(items, i, b) {
		json_t *months = json_object_get(b, "months"), *v;
		const char *month;
		char th[128], ms[512] = "";

		thresholds_text(json_object_get(b, "alerts"), th, sizeof(th));
		json_object_foreach(months, month, v) {
			if (ms[0])
				strlcat(ms, ", ", sizeof(ms));
			strlcat(ms, month, sizeof(ms));
			strlcat(ms, ": ", sizeof(ms));
			strlcat(ms, json_string_value(v), sizeof(ms));
		}
		const char *row[7] = { js(b, "category"),
		    json_is_string(json_object_get(b, "amount")) ?
		    js(b, "amount") : "-", js(b, "currency"), js(b, "since"),
		    json_is_true(json_object_get(b, "rollover")) ? "yes" : "no",
		    th, ms };

		table_add(t, row);
	}
	table_print(t, stdout);
	table_free(t);
	printf("%zu budget%s\n", json_array_size(items),
	    json_array_size(items) == 1 ? "" : "s");
	return 0;
}

int
print_budget_deleted(struct ctl *c, json_t *res)
{
	(void)c;
	if (json_is_string(json_object_get(res, "month")))
		printf("removed the %s amount of the %s budget\n",
		    js(res, "month"), js(res, "category"));
	else
		printf("removed the %s budget\n", js(res, "category"));
	return 0;
}

/* ---- status ---- */

/* Columns of text, UTF-8 aware (the names may be). */
static size_t
width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void
pad(const char *s, size_t w, bool right)
{
	size_t n = width(s);

	if (right)
		for (; n < w; n++)
			putchar(' ');
	fputs(s, stdout);
	if (!right)
		for (; n < w; n++)
			putchar(' ');
}

/* Minor units from an amount as the daemon formats it ("-320.50" ->
 * -32050): the amounts of one status share their currency's decimals,
 * so their ratio is exact. No float near money. */
static int64_t
minor(const char *s)
{
	int64_t v = 0;
	bool neg = *s == '-';

	for (s += neg; *s; s++)
		if (*s >= '0' && *s <= '9' && v < INT64_MAX / 10 - 10)
			v = v * 10 + (*s - '0');
	return neg ? -v : v;
}

static bool
colour_wanted(void)
{
	const char *nc = getenv("NO_COLOR");

	return isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');
}

static bool
utf8_locale(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

static void
bar(const char *spent, const char *available, const char *state, bool colour,
    bool utf8)
{
	int64_t s = minor(spent), a = minor(available);
	int cells;

	if (a <= 0)
		cells = s > 0 ? BAR_CELLS : 0;
	else if (s <= 0)
		cells = 0;
	else {		/* the nearest cell, in integers */
		__int128 f = ((__int128)s * BAR_CELLS * 2 + a) / (2 * a);

		cells = f > BAR_CELLS ? BAR_CELLS : (int)f;
	}
	if (colour)
		fputs(!strcmp(state, "over") ? "\033[31m" : !strcmp(state,
		    "near") ? "\033[33m" : "\033[32m", stdout);
	for (int i = 0; i < BAR_CELLS; i++) {
		if (i == cells && colour)
			fputs("\033[2m", stdout);
		fputs(i < cells ? (utf8 ? "\u2588" : "#") :
		    (utf8 ? "\u2591" : "."), stdout);
	}
	if (colour)
		fputs("\033[0m", stdout);
}

int
print_budget_status(struct ctl *c, json_t *res)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	json_t *items = json_object_get(res, "items");
	json_t *unconv = json_object_get(res, "unconverted"), *l;
	const char *month = js(res, "month"), *cur = js(res, "currency");
	const char *period = js(res, "period");
	size_t wn = 0, ws = 0, wa = 0, wp = 0, wj = 0, i;
	bool colour = colour_wanted(), utf8 = utf8_locale();
	int days = (int)json_integer_value(json_object_get(res, "days"));
	int m = atoi(month + 5);
	char pct[16];

	(void)c;
	if (!strcmp(period, "current"))
		printf("%s, day %lld of %d, in %s\n", month, (long long)
		    json_integer_value(json_object_get(res, "day")), days, cur);
	else
		printf("%s (%s month), in %s\n", month, period, cur);
	if (json_array_size(items) == 0)
		printf("no budget for %s\n", month);
	json_array_foreach(items, i, l) {
		json_t *p = json_object_get(l, "percent");

		snprintf(pct, sizeof(pct), json_is_integer(p) ? "%lld%%" : "--",
		    (long long)json_integer_value(p));
		if (width(js(l, "category")) > wn)
			wn = width(js(l, "category"));
		if (strlen(js(l, "spent")) > ws)
			ws = strlen(js(l, "spent"));
		if (strlen(js(l, "available")) > wa)
			wa = strlen(js(l, "available"));
		if (strlen(pct) > wp)
			wp = strlen(pct);
		if (strlen(js(l, "projected")) > wj)
			wj = strlen(js(l, "projected"));
	}
	json_array_foreach(items, i, l) {
		json_t *p = json_object_get(l, "percent");
		const char *state = js(l, "state"), *carry = js(l, "carry");

		snprintf(pct, sizeof(pct), json_is_integer(p) ? "%lld%%" : "--",
		    (long long)json_integer_value(p));
		pad(js(l, "category"), wn, false);
		fputs("  ", stdout);
		bar(js(l, "spent"), js(l, "available"), state, colour, utf8);
		fputs("  ", stdout);
		pad(js(l, "spent"), ws, true);
		fputs(" / ", stdout);
		pad(js(l, "available"), wa, true);
		printf(" %s  ", cur);
		pad(pct, wp, true);
		printf("  %s ", utf8 ? "\u2192" : "->");
		pad(js(l, "projected"), wj, true);
		printf(" by %d %s", days, m >= 1 && m <= 12 ? mon[m - 1] : "?");
		if (minor(carry) != 0)
			printf("  (%s%s carried over)", carry[0] == '-' ? "" : "+",
			    carry);
		if (strcmp(state, "ok") != 0)
			printf("  %s%s%s", colour ? "\033[1m" : "", state,
			    colour ? "\033[0m" : "");
		putchar('\n');
	}
	if (json_array_size(unconv) > 0) {
		printf("not converted to %s (no rate), not counted:\n", cur);
		json_array_foreach(unconv, i, l)
			printf("  %s  %s %s %s in %s\n", js(l, "category"),
			    js(l, "amount"), js(l, "currency"), js(l, "what"),
			    js(l, "month"));
	}
	return 0;
}

/* ---- alerts ---- */

int
print_alert_list(struct ctl *c, json_t *res)
{
	static const char *const heads[] = { "MONTH", "CATEGORY", "REACHED",
	    "SPENT", "OF", "", "SENT", NULL };
	json_t *items = json_object_get(res, "items"), *a;
	struct table *t;
	size_t i;

	(void)c;
	if (json_array_size(items) == 0) {
		printf("no alerts\n");
		return 0;
	}
	t = table_new("llrrrll", heads);
	json_array_foreach(items, i, a) {
		char th[24];

		snprintf(th, sizeof(th), "%lld%%", (long long)json_integer_value(
		    json_object_get(a, "threshold")));
		const char *row[7] = { js(a, "month"), js(a, "category"), th,
		    js(a, "spent"), js(a, "available"), js(a, "currency"),
		    js(a, "created_at") };

		table_add(t, row);
	}
	table_print(t, stdout);
	table_free(t);
	printf("%zu alert%s\n", json_array_size(items),
	    json_array_size(items) == 1 ? "" : "s");
	return 0;
}
