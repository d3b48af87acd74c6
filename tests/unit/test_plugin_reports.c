/*
 * The reports plugin's arithmetic (plugins/reports/rp_common.c) against
 * independent references: ISO weeks against glibc's strftime %G-W%V for
 * every day of 1900..2100, days against timegm, half-to-even division
 * against a plain floor-based rule, largest-remainder shares; and the
 * host's report_cells through the real host with a small report plugin of
 * this file: conversion, rate dates, unconverted cells, payee cells, the
 * rows of a staged import hidden until it is published, and errors that
 * name their parameter. (The bundled reports end to end: regress 410 and
 * 411.) The forecast and budget reports (forecast.c, budgets.c) through
 * the real host with an injected clock: a month under way, a past and a
 * future one, recurring rules (one in a currency a rate converts at the
 * occurrence's date, one in a currency without rates), budgets, another
 * user's data, against amounts worked out by hand in cents.
 */
#include <time.h>

#include "testutil.h"
#include "export.h"
#include "plugin.h"
#include "report.h"
#include "write.h"
#include "budget.h"
#include "recurring.h"
#include "../../plugins/reports/rp_common.c"
#include "../../plugins/reports/forecast.c"
#include "../../plugins/reports/budgets.c"

/* ---- calendar ---- */

static void
test_days_and_iso_weeks(void **state)
{
	int64_t d0 = rp_days(1900, 1, 1), d1 = rp_days(2100, 12, 31);

	(void)state;
	for (int64_t d = d0; d <= d1; d++) {
		time_t t = (time_t)d * 86400;
		struct tm tm;
		char want[32], got[16], date[11];
		int y, w, m, dd, iy;

		gmtime_r(&t, &tm);
		strftime(want, sizeof(want), "%G-W%V %Y-%m-%d", &tm);
		rp_iso_week(d, &iy, &w);
		rp_date(d, date);
		snprintf(got, sizeof(got), "%04d-W%02d", iy, w);
		assert_memory_equal(got, want, 8);
		assert_string_equal(date, want + 9);
		assert_int_equal(rp_weekday(d), (tm.tm_wday + 6) % 7);
		rp_civil(d, &y, &m, &dd);
		assert_int_equal(rp_days(y, m, dd), d);
		if (rp_weekday(d) == 0)
			assert_int_equal(rp_iso_week_start(iy, w), d);
	}
	assert_int_equal(rp_iso_weeks(2020), 53);
	assert_int_equal(rp_iso_weeks(2021), 52);
	assert_int_equal(rp_iso_weeks(2026), 53);
	assert_int_equal(rp_iso_week_start(2026, 1), rp_days(2025, 12, 29));
	assert_int_equal(rp_month_days(2024, 2), 29);
	assert_int_equal(rp_month_days(2100, 2), 28);
	assert_int_equal(rp_month_days(2000, 2), 29);
}

static void
test_periods(void **state)
{
	struct rp_period p, o;

	(void)state;
	make_week(&p, 2020, 53);
	assert_string_equal(p.from, "2020-12-28");
	assert_string_equal(p.to, "2021-01-03");
	rp_period_previous(&p, &o);
	assert_string_equal(o.label, "2020-W52");
	rp_period_year_before(&p, &o);
	assert_string_equal(o.label, "2019-W52");	/* 2019 has 52 */
	make_week(&p, 2021, 1);
	rp_period_previous(&p, &o);
	assert_string_equal(o.label, "2020-W53");
	make_month(&p, 2024, 1);
	rp_period_previous(&p, &o);
	assert_string_equal(o.label, "2023-12");
	assert_string_equal(o.to, "2023-12-31");
	make_month(&p, 2024, 3);
	rp_period_previous(&p, &o);
	assert_string_equal(o.to, "2024-02-29");
	memset(&p, 0, sizeof(p));
	p.kind = RP_RANGE;
	p.valid = 1;
	p.dfrom = p.dto = rp_days(2024, 2, 29);
	rp_period_year_before(&p, &o);
	assert_string_equal(o.from, "2023-02-28");
	rp_period_previous(&p, &o);
	assert_string_equal(o.from, "2024-02-28");
	assert_string_equal(o.to, "2024-02-28");
	make_year(&p, 1);
	rp_period_previous(&p, &o);
	assert_false(o.valid);			/* no year 0 */
}

/* ---- numbers ---- */

static int64_t
div_ref(int64_t num, int64_t den)
{
	/* floor, then the rest decides: past half up, half to even */
	int64_t q = num / den - ((num % den != 0) && (num < 0));
	int64_t r = num - q * den;

	if (2 * r > den || (2 * r == den && (q & 1)))
		q++;
	return q;
}

static void
test_half_even(void **state)
{
	static const int64_t cases[][3] = { { 5, 2, 2 }, { 7, 2, 4 },
		{ -5, 2, -2 }, { -7, 2, -4 }, { 1, 3, 0 }, { 2, 3, 1 },
		{ -2, 3, -1 }, { 15, 10, 2 }, { 25, 10, 2 }, { -25, 10, -2 },
		{ 0, 7, 0 } };
	uint64_t x = 42;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(rp_div(cases[i][0], cases[i][1]),
		    cases[i][2]);
	for (int i = 0; i < 100000; i++) {
		int64_t n, d;

		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		n = (int64_t)(x >> 20) % 2000001 - 1000000;
		d = (int64_t)(x >> 44) % 1000 + 1;
		assert_int_equal(rp_div(n, d), div_ref(n, d));
	}
	assert_int_equal(rp_change_bp(300, 800), -6250);
	assert_int_equal(rp_change_bp(96, 128), -2500);
	assert_int_equal(rp_change_bp(5, -10), 15000);	/* from a refund */
	assert_true(rp_change_bp(5, 0) == RP_NONE);
}

static void
test_shares(void **state)
{
	int64_t a[6], bp[6];
	uint64_t x = 7;

	(void)state;
	/* three thirds: 3334, 3333, 3333 (the tie to the earlier) */
	a[0] = a[1] = a[2] = 1;
	rp_shares(a, 3, bp);
	assert_int_equal(bp[0], 3334);
	assert_int_equal(bp[1], 3333);
	assert_int_equal(bp[2], 3333);
	/* refunds have no share; the rest still adds up */
	a[0] = 2; a[1] = -5; a[2] = 0; a[3] = 1;
	rp_shares(a, 4, bp);
	assert_true(bp[1] == RP_NONE && bp[2] == RP_NONE);
	assert_int_equal(bp[0] + bp[3], 10000);
	assert_int_equal(bp[0], 6667);
	for (int i = 0; i < 20000; i++) {
		int64_t sum = 0, total = 0;
		size_t n = 1 + (size_t)(i % 6);

		for (size_t j = 0; j < n; j++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			a[j] = (int64_t)(x >> 33) % 100000 + 1;
			total += a[j];
		}
		rp_shares(a, n, bp);
		for (size_t j = 0; j < n; j++) {
			/* each within one basis point of its exact share */
			__int128 exact = (__int128)a[j] * 10000;

			assert_true((__int128)bp[j] * total >= exact - total &&
			    (__int128)bp[j] * total <= exact + total);
			sum += bp[j];
		}
		assert_int_equal(sum, 10000);
	}
}

static void
test_colours(void **state)
{
	char a[8], b[8];

	(void)state;
	rp_color(3, a);
	assert_string_equal(a, "#d2be2d");
	rp_color(8, a);
	assert_string_equal(a, "#d2642d");
	for (int64_t id = 1; id < 2000; id++) {
		rp_color(id, a);
		rp_color(id, b);
		assert_string_equal(a, b);
		assert_int_equal(strlen(a), 7);
		assert_int_equal(strspn(a + 1, "0123456789abcdef"), 6);
	}
	rp_color(1, a);
	rp_color(2, b);
	assert_string_not_equal(a, b);
}

/* ---- the host's cells, through a report of this file ---- */

static const struct spend_host_api *H;

static int
cell_text(void *arg, const struct spend_cell *c)
{
	struct jbuf *b = arg;
	char line[256];

	snprintf(line, sizeof(line), "%s|%s|%s|%s|%lld|%lld|%s|%lld|%s\n",
	    c->day, c->category, c->payee, c->currency, (long long)c->count,
	    (long long)c->sum_minor, c->converted ? "conv" : "unconv",
	    (long long)c->base_minor, c->rate_date);
	jb_puts(b, line);
	return 0;
}

static char *
cells_run(struct spend_plugin *self, struct spend_report_job *job)
{
	static const char *const known[] = { "from", "to", "by", NULL };
	const char *by = H->report_param(job, "by");
	struct jbuf b = { 0 };

	(void)self;
	if (H->report_params_only(job, known) < 0)
		return NULL;
	if (by && strcmp(by, "day") && strcmp(by, "payee")) {
		H->report_error_field(job, "by", "by must be day or payee");
		return NULL;
	}
	{
		struct jbuf t = { 0 };

		jb_puts(&t, H->report_base_currency(job));
		jb_puts(&t, "\n");
		if (H->report_cells(job, H->report_param(job, "from"),
		    H->report_param(job, "to"), by && !strcmp(by, "payee") ?
		    SPEND_CELLS_PAYEE : SPEND_CELLS_DAY, cell_text, &t) < 0) {
			free(t.s);
			return NULL;
		}
		jb_str(&b, t.s ? t.s : "");
		free(t.s);
	}
	return jb_done(&b);
}

static const struct spend_report cells_report = {
	.version = SPEND_REPORT_V1, .name = "cells",
	.description = "the host's cells as text", .run = cells_run,
};

static int
init_cells(const struct spend_host_api *host, struct spend_plugin *self)
{
	H = host;
	rp_host = host;
	(void)self;
	return host->register_report(self, &cells_report);
}

static char *
cells(struct spendd *sd, const char *params, int want, char *field)
{
	struct spend_err err;
	struct user u;
	json_t *p = json_loads(params, 0, NULL), *res = NULL;
	char *text = NULL;
	int r;

	assert_non_null(p);
	assert_int_equal(store_user_by_name(sd->store, "alice", &u, &err), 0);
	r = report_run_sync(sd, sd->store, &u, "cells", p, &res, &err);
	assert_int_equal(r, want);
	if (r == 0) {
		assert_true(json_is_string(res));
		text = strdup(json_string_value(res));
	} else if (field)
		strcpy(field, err.field);
	json_decref(res);
	json_decref(p);
	return text;
}

static void
add(struct spendd *sd, const char *amount, const char *cur,
    const char *cat, const char *date, const char *payee)
{
	char p[256];

	snprintf(p, sizeof(p), "{\"amount\":\"%s\",\"currency\":\"%s\","
	    "\"category\":\"%s\",\"date\":\"%s\",\"payee\":\"%s\"}", amount,
	    cur, cat, date, payee);
	json_decref(tu_ok(sd, "alice", "expense.add", p));
}

static void
test_host_cells(void **state)
{
	struct spendd *sd = tu_spendd();
	struct spend_err err;
	struct expense e;
	int64_t import, blocking;
	char *t, field[64] = "";

	(void)state;
	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"alice\"}"));
	assert_int_equal(plugins_add_static(sd, "cells", init_cells), 0);
	json_decref(tu_ok(sd, NULL, "rate.set", "{\"currency\":\"USD\","
	    "\"rate\":\"1.25\",\"date\":\"2024-03-01\"}"));
	json_decref(tu_ok(sd, NULL, "rate.set", "{\"currency\":\"USD\","
	    "\"rate\":\"2\",\"date\":\"2024-03-04\"}"));
	add(sd, "1.00", "USD", "food", "2024-03-02", "ACME");
	add(sd, "0.01", "USD", "food", "2024-03-02", "acme");
	add(sd, "3.00", "EUR", "food", "2024-03-02", "");
	add(sd, "0.05", "USD", "travel", "2024-03-04", "Acme");
	add(sd, "9.99", "CHF", "travel", "2024-03-04", "Bern");
	add(sd, "2.00", "USD", "food", "2024-02-29", "");

	t = cells(sd, "{\"from\":\"2024-03-01\",\"to\":\"2024-03-31\"}", 0,
	    NULL);
	/* 1.01 USD / 1.25 = 0.808 -> 0.81 at the 1st's rate; 0.05 / 2 =
	 * 0.025 -> 0.02 (half to even); CHF has no rate */
	assert_string_equal(t, "EUR\n"
	    "2024-03-02|food||EUR|1|300|conv|300|\n"
	    "2024-03-02|food||USD|2|101|conv|81|2024-03-01\n"
	    "2024-03-04|travel||CHF|1|999|unconv|0|\n"
	    "2024-03-04|travel||USD|1|5|conv|2|2024-03-04\n");
	free(t);
	t = cells(sd, "{\"to\":\"2024-02-29\"}", 0, NULL);
	assert_string_equal(t, "EUR\n2024-02-29|food||USD|1|200|unconv|0|\n");
	free(t);
	t = cells(sd, "{\"from\":\"2024-03-01\",\"by\":\"payee\"}", 0, NULL);
	/* payees case-insensitively, each cell its smallest spelling */
	assert_string_equal(t, "EUR\n"
	    "2024-03-02|||EUR|1|300|conv|300|\n"
	    "2024-03-02||ACME|USD|2|101|conv|81|2024-03-01\n"
	    "2024-03-04||Acme|USD|1|5|conv|2|2024-03-04\n"
	    "2024-03-04||Bern|CHF|1|999|unconv|0|\n");
	free(t);

	/* a staged import's rows stay out until it is published */
	{
		struct user u;
		struct category c;

		assert_int_equal(store_user_by_name(sd->store, "alice", &u,
		    &err), 0);
		assert_int_equal(store_import_stage(sd->store, u.id, "csv",
		    "x.csv", &import, &blocking, &err), 0);
		assert_int_equal(store_category_by_name(sd->store, u.id,
		    "food", &c, &err), 0);
		memset(&e, 0, sizeof(e));
		e.user_id = u.id;
		e.amount = 700;
		strcpy(e.currency, "EUR");
		e.category_id = c.id;
		strcpy(e.date, "2024-03-02");
		strcpy(e.payee, "Staged");
		e.stage = import;
		assert_int_equal(store_expense_add(sd->store, &e, &err), 0);
		/* as an import's batch does */
		assert_int_equal(store_import_totals(sd->store, import, e.id,
		    e.id, &err), 0);
		t = cells(sd, "{\"from\":\"2024-03-02\",\"to\":\"2024-03-02\"}",
		    0, NULL);
		assert_null(strstr(t, "|EUR|2|"));
		assert_non_null(strstr(t, "2024-03-02|food||EUR|1|300|"));
		free(t);
		t = cells(sd, "{\"from\":\"2024-03-02\",\"to\":\"2024-03-02\","
		    "\"by\":\"payee\"}", 0, NULL);
		assert_null(strstr(t, "700"));
		free(t);
		assert_int_equal(store_import_publish(sd->store, u.id, import, 1,
		    &err), 0);
		t = cells(sd, "{\"from\":\"2024-03-02\",\"to\":\"2024-03-02\"}",
		    0, NULL);
		assert_non_null(strstr(t, "2024-03-02|food||EUR|2|1000|conv|"
		    "1000|\n"));
		free(t);
	}

	/* errors name their parameter */
	assert_null(cells(sd, "{\"colour\":\"red\"}", SPEND_EINVAL, field));
	assert_string_equal(field, "colour");
	assert_null(cells(sd, "{\"by\":\"week\"}", SPEND_EINVAL, field));
	assert_string_equal(field, "by");
	plugins_unload(sd);
	tu_spendd_free(sd);
}

/* ---- forecast and budget, through the real host ---- */

static int64_t
fake_epoch(void)
{
	return 1710072000;	/* 2024-03-10 12:00 UTC */
}

static void
fake_today(const char *tz, char out[DATE_LEN + 1])
{
	(void)tz;
	strcpy(out, "2024-03-10");
}

static int
init_fc(const struct spend_host_api *host, struct spend_plugin *self)
{
	H = host;
	rp_host = host;
	if (!SPEND_HOST_HAS(host, report_budget_status))
		return -1;
	return host->register_report(self, &rp_forecast) < 0 ? -1 :
	    host->register_report(self, &rp_budget);
}

/* report name for user with params: the result (decref), or NULL and
 * field gets the error's field when want is an error. */
static json_t *
run_rep(struct spendd *sd, const char *user, const char *name,
    const char *params, int want, char *field)
{
	struct spend_err err;
	struct user u;
	json_t *p = json_loads(params, 0, NULL), *res = NULL;
	int r;

	assert_non_null(p);
	assert_int_equal(store_user_by_name(sd->store, user, &u, &err), 0);
	r = report_run_sync(sd, sd->store, &u, name, p, &res, &err);
	if (r != want)
		fail_msg("%s %s: %d (%s), want %d", name, params, r,
		    r ? err.msg : "ok", want);
	if (r != 0 && field)
		strcpy(field, err.field);
	json_decref(p);
	return res;
}

/* A string at a path of dotted keys and array indexes ("total.pace",
 * "categories.0.category"), "" if absent, "null" for null. */
static const char *
at(json_t *j, const char *path)
{
	char buf[128], *save = NULL, *k;

	snprintf(buf, sizeof(buf), "%s", path);
	for (k = strtok_r(buf, ".", &save); k && j; k = strtok_r(NULL, ".",
	    &save))
		j = json_is_array(j) ? json_array_get(j, (size_t)atoi(k)) :
		    json_object_get(j, k);
	if (j == NULL)
		return "";
	if (json_is_null(j))
		return "null";
	if (json_is_string(j))
		return json_string_value(j);
	if (json_is_integer(j)) {
		static char n[32];

		snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(j));
		return n;
	}
	return json_is_true(j) ? "true" : json_is_false(j) ? "false" : "?";
}

#define AT(j, path, want) assert_string_equal(at((j), (path)), (want))

/* The category entry named name in arr. */
static json_t *
named(json_t *arr, const char *key, const char *name)
{
	json_t *o;
	size_t i;

	json_array_foreach(arr, i, o)
		if (strcmp(tu_str(o, key), name) == 0)
			return o;
	fail_msg("no %s %s", key, name);
	return NULL;
}

static void
spend_as(struct spendd *sd, const char *user, const char *amount,
    const char *cur, const char *cat, const char *date)
{
	char p[256];

	snprintf(p, sizeof(p), "{\"amount\":\"%s\",\"currency\":\"%s\","
	    "\"category\":\"%s\",\"date\":\"%s\"}", amount, cur, cat,
	    date);
	json_decref(tu_ok(sd, user, "expense.add", p));
}

static void
test_forecast_budget(void **state)
{
	struct spendd *sd = tu_spendd();
	int64_t (*real_clock)(void) = recurring_clock;
	json_t *r, *c, *st;
	char field[64] = "";

	(void)state;
	recurring_clock = fake_epoch;
	budget_set_clock(fake_today);
	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"alice\"}"));
	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"bob\"}"));
	assert_int_equal(plugins_add_static(sd, "fc", init_fc), 0);
	/* 1 EUR = 1.25 USD from March 1st, 2 from the 15th; no CHF, GBP */
	json_decref(tu_ok(sd, NULL, "rate.set", "{\"currency\":\"USD\","
	    "\"rate\":\"1.25\",\"date\":\"2024-03-01\"}"));
	json_decref(tu_ok(sd, NULL, "rate.set", "{\"currency\":\"USD\","
	    "\"rate\":\"2\",\"date\":\"2024-03-15\"}"));
	/* today is 2024-03-10: day 10 of 31 */
	spend_as(sd, "alice", "100.00", "EUR", "food", "2024-03-05");
	spend_as(sd, "alice", "10.00", "USD", "food", "2024-03-10");	/* 8.00 */
	spend_as(sd, "alice", "7.77", "GBP", "food", "2024-03-06");	/* none */
	spend_as(sd, "alice", "0.15", "EUR", "bills", "2024-03-02");
	spend_as(sd, "alice", "33.33", "EUR", "bills", "2024-03-25");	/* later */
	spend_as(sd, "alice", "40.00", "EUR", "food", "2024-02-10");	/* past */
	spend_as(sd, "alice", "60.00", "EUR", "food", "2024-04-03");	/* future */
	/* weekly 25.00 food from the 12th (12, 19, 26); 10.00 USD monthly
	 * on the 20th (at 2: 5.00); 3.00 CHF weekly bills from the 11th */
	json_decref(tu_ok(sd, "alice", "recurring.add", "{\"amount\":\"25\","
	    "\"category\":\"food\",\"every\":\"week\","
	    "\"start\":\"2024-03-12\",\"payee\":\"Market\"}"));
	json_decref(tu_ok(sd, "alice", "recurring.add", "{\"amount\":\"10\","
	    "\"currency\":\"USD\",\"category\":\"food\","
	    "\"every\":\"month\",\"start\":\"2024-03-20\"}"));
	json_decref(tu_ok(sd, "alice", "recurring.add", "{\"amount\":\"3\","
	    "\"currency\":\"CHF\",\"category\":\"bills\","
	    "\"every\":\"week\",\"start\":\"2024-03-11\"}"));
	json_decref(tu_ok(sd, "alice", "budget.set", "{\"category\":\"food\","
	    "\"amount\":\"380\",\"since\":\"2024-01\"}"));
	json_decref(tu_ok(sd, "alice", "budget.set", "{\"category\":\"bills\","
	    "\"amount\":\"50\",\"since\":\"2024-01\"}"));
	json_decref(tu_ok(sd, "alice", "budget.set", "{\"category\":\"total\","
	    "\"amount\":\"1000\",\"since\":\"2024-03\"}"));
	/* bob's money, rule and budget are his own */
	spend_as(sd, "bob", "999.00", "EUR", "food", "2024-03-05");
	json_decref(tu_ok(sd, "bob", "recurring.add", "{\"amount\":\"500\","
	    "\"category\":\"food\",\"every\":\"day\","
	    "\"start\":\"2024-03-11\"}"));
	json_decref(tu_ok(sd, "bob", "budget.set", "{\"category\":\"food\","
	    "\"amount\":\"1\",\"since\":\"2024-01\"}"));

	/* the month under way (the default) */
	r = run_rep(sd, "alice", "forecast", "{}", 0, NULL);
	AT(r, "month", "2024-03");
	AT(r, "period", "current");
	AT(r, "day", "10");
	AT(r, "days", "31");
	AT(r, "today", "2024-03-10");
	AT(r, "currency", "EUR");
	/* to date 108.15: 10815 x 31 / 10 = 33526.5, half away from zero
	 * (budget.c's scale) 335.27, where half to even would say 335.26 */
	AT(r, "total.spent_to_date", "108.15");
	AT(r, "total.later", "33.33");
	AT(r, "total.spent", "141.48");
	AT(r, "total.count", "4");
	AT(r, "total.pace", "335.27");
	/* 3 x 25.00 + 10 USD at 2 = 80.00; CHF not converted */
	AT(r, "total.recurring", "80.00");
	AT(r, "total.recurring_count", "4");
	AT(r, "total.projected", "448.60");	/* 335.27 + 33.33 + 80.00 */
	/* the overall budget's projection is the same number */
	AT(r, "total.budget.projected", "448.60");
	AT(r, "total.budget.available", "1000.00");
	AT(r, "total.budget.spent", "141.48");
	AT(r, "total.budget.state", "ok");
	c = named(json_object_get(r, "categories"), "category", "food");
	AT(c, "spent_to_date", "108.00");
	AT(c, "later", "0.00");
	AT(c, "pace", "334.80");
	AT(c, "recurring", "80.00");
	AT(c, "projected", "414.80");
	AT(c, "budget.limit", "380.00");
	AT(c, "budget.projected", "414.80");
	AT(c, "budget.projected_remaining", "-34.80");
	AT(c, "budget.percent", "28");
	AT(c, "budget.state", "near");	/* projected over */
	c = named(json_object_get(r, "categories"), "category", "bills");
	/* 15 x 31 / 10 = 46.5 -> 47 (half away; half even: 46) */
	AT(c, "pace", "0.47");
	AT(c, "later", "33.33");
	AT(c, "recurring", "0.00");
	AT(c, "recurring_count", "0");
	AT(c, "projected", "33.80");
	AT(c, "budget.projected", "33.80");
	AT(c, "budget.state", "ok");
	AT(r, "categories.0.category", "food");	/* by projection */
	assert_int_equal(json_array_size(json_object_get(r, "categories")), 2);
	/* every occurrence, in date order; the CHF ones unconverted */
	AT(r, "upcoming_count", "7");
	AT(r, "upcoming.0.date", "2024-03-11");
	AT(r, "upcoming.0.currency", "CHF");
	AT(r, "upcoming.0.converted", "false");
	AT(r, "upcoming.0.base_amount", "null");
	AT(r, "upcoming.1.date", "2024-03-12");
	AT(r, "upcoming.1.payee", "Market");
	AT(r, "upcoming.1.base_amount", "25.00");
	AT(r, "upcoming.4.date", "2024-03-20");
	AT(r, "upcoming.4.amount", "10.00");
	AT(r, "upcoming.4.currency", "USD");
	AT(r, "upcoming.4.base_amount", "5.00");
	AT(r, "upcoming.4.rate_date", "2024-03-15");
	AT(r, "upcoming_unconverted.0.currency", "CHF");
	AT(r, "upcoming_unconverted.0.count", "3");
	AT(r, "upcoming_unconverted.0.sum", "9.00");
	assert_int_equal(json_array_size(json_object_get(r,
	    "upcoming_unconverted")), 1);
	AT(r, "unconverted.0.currency", "GBP");
	AT(r, "unconverted.0.sum", "7.77");
	/* budgets list what they could not convert too */
	assert_true(json_array_size(json_object_get(r,
	    "budget_unconverted")) >= 2);
	/* the same as budget.status says */
	st = tu_ok(sd, "alice", "budget.status", "{\"month\":\"2024-03\"}");
	c = named(json_object_get(st, "items"), "category", "food");
	AT(c, "projected", "414.80");
	AT(c, "to_come", "80.00");
	json_decref(st);
	json_decref(r);

	/* a past month: what was spent */
	r = run_rep(sd, "alice", "forecast", "{\"month\":\"2024-02\"}", 0,
	    NULL);
	AT(r, "period", "past");
	AT(r, "day", "29");
	AT(r, "days", "29");
	AT(r, "total.spent_to_date", "40.00");
	AT(r, "total.pace", "40.00");
	AT(r, "total.recurring", "0.00");
	AT(r, "total.projected", "40.00");
	AT(r, "upcoming_count", "0");
	AT(r, "total.budget", "null");	/* the overall one starts in March */
	json_decref(r);

	/* a future month: what is recorded and what the rules will add:
	 * April 2, 9, 16, 23, 30 (25.00 each) and 10 USD on the 20th */
	r = run_rep(sd, "alice", "forecast", "{\"month\":\"2024-04\"}", 0,
	    NULL);
	AT(r, "period", "future");
	AT(r, "day", "0");
	AT(r, "total.spent_to_date", "0.00");
	AT(r, "total.later", "60.00");
	AT(r, "total.pace", "0.00");
	AT(r, "total.recurring", "130.00");
	AT(r, "total.recurring_count", "6");
	AT(r, "total.projected", "190.00");
	AT(r, "upcoming_count", "11");	/* and five CHF Mondays */
	AT(r, "upcoming_unconverted.0.sum", "15.00");
	json_decref(r);

	/* bob sees his own only */
	r = run_rep(sd, "bob", "forecast", "{}", 0, NULL);
	AT(r, "total.spent_to_date", "999.00");
	AT(r, "total.later", "0.00");
	AT(r, "total.recurring_count", "21");	/* daily, 11th..31st */
	AT(r, "total.recurring", "10500.00");
	assert_int_equal(json_array_size(json_object_get(r, "unconverted")), 0);
	assert_int_equal(json_array_size(json_object_get(r, "categories")), 1);
	AT(r, "categories.0.budget.limit", "1.00");
	assert_int_equal(json_array_size(json_object_get(r,
	    "upcoming_unconverted")), 0);
	json_decref(r);

	/* budgets over months */
	r = run_rep(sd, "alice", "budget", "{\"from\":\"2024-02\","
	    "\"to\":\"2024-04\"}", 0, NULL);
	AT(r, "from", "2024-02");
	AT(r, "to", "2024-04");
	assert_int_equal(json_array_size(json_object_get(r, "months")), 3);
	AT(r, "months.0.month", "2024-02");
	AT(r, "months.0.period", "past");
	c = named(json_object_get(json_array_get(json_object_get(r, "months"),
	    0), "items"), "category", "food");
	AT(c, "limit", "380.00");
	AT(c, "spent", "40.00");
	AT(c, "remaining", "340.00");
	AT(c, "percent", "10");
	AT(c, "state", "ok");
	/* February has no overall budget: two lines */
	assert_int_equal(json_array_size(json_object_get(json_array_get(
	    json_object_get(r, "months"), 0), "items")), 2);
	c = named(json_object_get(json_array_get(json_object_get(r, "months"),
	    1), "items"), "category", "food");
	AT(c, "spent", "108.00");
	AT(c, "projected", "414.80");
	AT(c, "state", "near");
	c = named(json_object_get(r, "budgets"), "category", "food");
	AT(c, "months", "3");
	AT(c, "limit", "1140.00");
	AT(c, "spent", "208.00");	/* 40 + 108 + 60 */
	AT(c, "remaining", "932.00");
	AT(c, "percent", "18");
	AT(c, "ok", "2");
	AT(c, "near", "1");
	AT(c, "over", "0");
	c = named(json_object_get(r, "budgets"), "category", "total");
	AT(c, "months", "2");
	AT(c, "overall", "true");
	AT(c, "category_id", "null");
	/* GBP spent in March, CHF to come in March and April: each once,
	 * under the expense's category (budget.status lists them so) */
	assert_int_equal(json_array_size(json_object_get(r, "unconverted")),
	    3);
	AT(r, "unconverted.0.month", "2024-03");
	AT(r, "unconverted.0.category", "bills");
	AT(r, "unconverted.0.currency", "CHF");
	AT(r, "unconverted.0.amount", "9.00");
	AT(r, "unconverted.0.what", "to come");
	AT(r, "unconverted.1.month", "2024-03");
	AT(r, "unconverted.1.category", "food");
	AT(r, "unconverted.1.currency", "GBP");
	AT(r, "unconverted.1.amount", "7.77");
	AT(r, "unconverted.1.what", "spent");
	AT(r, "unconverted.2.month", "2024-04");
	AT(r, "unconverted.2.amount", "15.00");
	json_decref(r);
	/* the default: the 12 months ending with this one */
	r = run_rep(sd, "alice", "budget", "{}", 0, NULL);
	AT(r, "from", "2023-04");
	AT(r, "to", "2024-03");
	assert_int_equal(json_array_size(json_object_get(r, "months")), 12);
	/* nothing before 2024-01 */
	assert_int_equal(json_array_size(json_object_get(json_array_get(
	    json_object_get(r, "months"), 0), "items")), 0);
	json_decref(r);

	/* errors name their parameter */
	assert_null(run_rep(sd, "alice", "forecast", "{\"month\":\"2024-13\"}",
	    SPEND_EINVAL, field));
	assert_string_equal(field, "month");
	assert_null(run_rep(sd, "alice", "forecast", "{\"from\":\"2024-01\"}",
	    SPEND_EINVAL, field));
	assert_string_equal(field, "from");
	assert_null(run_rep(sd, "alice", "budget", "{\"from\":\"2024-05\","
	    "\"to\":\"2024-04\"}", SPEND_EINVAL, field));
	assert_string_equal(field, "to");
	assert_null(run_rep(sd, "alice", "budget", "{\"from\":\"2014-01\","
	    "\"to\":\"2024-04\"}", SPEND_EINVAL, field));
	assert_string_equal(field, "to");
	assert_null(run_rep(sd, "alice", "budget", "{\"to\":\"24-04\"}",
	    SPEND_EINVAL, field));
	assert_string_equal(field, "to");

	plugins_unload(sd);
	recurring_clock = real_clock;
	budget_set_clock(NULL);
	tu_spendd_free(sd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days_and_iso_weeks),
		cmocka_unit_test(test_periods),
		cmocka_unit_test(test_half_even),
		cmocka_unit_test(test_shares),
		cmocka_unit_test(test_colours),
		cmocka_unit_test(test_host_cells),
		cmocka_unit_test(test_forecast_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
