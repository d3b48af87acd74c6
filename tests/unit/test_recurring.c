/* Recurring expenses: the recurrence as a pure function (month ends,
 * leap years, "last", intervals, weekdays, ends, counts), dates across
 * DST changes, and the scheduler with an injected clock (catch-up, exactly
 * once, skip, pause, edits, deletes, reminders, what is still to come). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "testutil.h"
#include "outbox.h"
#include "recurring.h"
#include "util.h"

/* ---- the injected clock ---- */

static int64_t fake_now;

static int64_t
fake_clock(void)
{
	return fake_now;
}

/* "2024-03-20T12:00:00Z" (UTC) -> unix seconds */
static int64_t
utc(const char *iso)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(iso, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		fail_msg("bad test time %s", iso);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm);
}

static void
set_now(const char *iso)
{
	fake_now = utc(iso);
}

/* ---- the pure recurrence ---- */

static struct recurrence
rec_of(int freq, int interval, const char *start)
{
	struct recurrence r;

	memset(&r, 0, sizeof(r));
	r.freq = freq;
	r.interval = interval;
	strlcpy(r.start, start, sizeof(r.start));
	return r;
}

/* The first n occurrences joined by spaces (fewer if it ends). */
static const char *
series(const struct recurrence *r, int n)
{
	static char buf[2048];
	char d[DATE_LEN + 1] = "";

	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (!recurrence_next(r, d, d))
			break;
		if (buf[0])
			strlcat(buf, " ", sizeof(buf));
		strlcat(buf, d, sizeof(buf));
	}
	return buf;
}

static void
test_month_end_clamp(void **state)
{
	struct recurrence r = rec_of(REC_MONTH, 1, "2024-01-31");

	(void)state;
	/* the 31st: the last day of shorter months, back to the 31st after
	 * (it never drifts to the 28th) */
	assert_string_equal(series(&r, 6), "2024-01-31 2024-02-29 2024-03-31 "
	    "2024-04-30 2024-05-31 2024-06-30");
	r = rec_of(REC_MONTH, 1, "2023-01-31");
	assert_string_equal(series(&r, 3), "2023-01-31 2023-02-28 2023-03-31");
	/* --on 30 from a start on the 5th: the first is the 30th of the
	 * start's month; February clamps */
	r = rec_of(REC_MONTH, 1, "2023-01-05");
	r.month_day = 30;
	assert_string_equal(series(&r, 3), "2023-01-30 2023-02-28 2023-03-30");
	/* a day before the start in its month: the next month's */
	r = rec_of(REC_MONTH, 1, "2023-01-20");
	r.month_day = 5;
	assert_string_equal(series(&r, 2), "2023-02-05 2023-03-05");
	/* the next one after any date, on the series or not */
	r = rec_of(REC_MONTH, 1, "2024-01-31");
	{
		char d[DATE_LEN + 1];

		assert_int_equal(recurrence_next(&r, "2024-02-10", d), 1);
		assert_string_equal(d, "2024-02-29");
		assert_int_equal(recurrence_next(&r, "2024-02-29", d), 1);
		assert_string_equal(d, "2024-03-31");
		assert_int_equal(recurrence_next(&r, "2023-06-01", d), 1);
		assert_string_equal(d, "2024-01-31");
	}
}

static void
test_last_day(void **state)
{
	struct recurrence r = rec_of(REC_MONTH, 1, "2024-01-15");

	(void)state;
	r.month_day = REC_LAST_DAY;
	assert_string_equal(series(&r, 5), "2024-01-31 2024-02-29 2024-03-31 "
	    "2024-04-30 2024-05-31");
	r = rec_of(REC_MONTH, 1, "2100-01-01");	/* 2100 is not leap */
	r.month_day = REC_LAST_DAY;
	assert_string_equal(series(&r, 2), "2100-01-31 2100-02-28");
	/* yearly on the last day of the start's month */
	r = rec_of(REC_YEAR, 1, "2023-02-01");
	r.month_day = REC_LAST_DAY;
	assert_string_equal(series(&r, 3), "2023-02-28 2024-02-29 2025-02-28");
	{
		char on[32];

		recurrence_on_text(&r, on, sizeof(on));
		assert_string_equal(on, "last");
	}
}

static void
test_leap_years(void **state)
{
	struct recurrence r = rec_of(REC_YEAR, 1, "2024-02-29");

	(void)state;
	/* Feb 29 yearly: Feb 28 in common years, Feb 29 again in leap ones */
	assert_string_equal(series(&r, 5), "2024-02-29 2025-02-28 2026-02-28 "
	    "2027-02-28 2028-02-29");
	/* 1900 and 2100 are not leap years, 2000 is */
	r = rec_of(REC_YEAR, 100, "2000-02-29");
	assert_string_equal(series(&r, 3), "2000-02-29 2100-02-28 2200-02-28");
	r = rec_of(REC_YEAR, 2, "2023-07-04");
	assert_string_equal(series(&r, 3), "2023-07-04 2025-07-04 2027-07-04");
	/* nothing past the last year a date may have */
	r = rec_of(REC_YEAR, 1, "2998-05-05");
	assert_string_equal(series(&r, 5), "2998-05-05 2999-05-05");
}

static void
test_intervals(void **state)
{
	struct recurrence r = rec_of(REC_DAY, 3, "2024-02-27");

	(void)state;
	assert_string_equal(series(&r, 4), "2024-02-27 2024-03-01 2024-03-04 "
	    "2024-03-07");
	r = rec_of(REC_MONTH, 3, "2024-11-15");
	assert_string_equal(series(&r, 4), "2024-11-15 2025-02-15 2025-05-15 "
	    "2025-08-15");
	/* every 2 weeks on mon,wed,fri from a Wednesday: that week's Wed and
	 * Fri, then the Monday two weeks after the start's week */
	r = rec_of(REC_WEEK, 2, "2024-05-01");
	r.weekdays = 1 | 4 | 16;
	assert_string_equal(series(&r, 6), "2024-05-01 2024-05-03 2024-05-13 "
	    "2024-05-15 2024-05-17 2024-05-27");
	/* weekly without --on: the start's weekday */
	r = rec_of(REC_WEEK, 1, "2024-05-02");
	assert_string_equal(series(&r, 3), "2024-05-02 2024-05-09 2024-05-16");
	{
		char on[32];

		recurrence_on_text(&r, on, sizeof(on));
		assert_string_equal(on, "thu");
	}
	/* every 1000 days: far apart, still exact */
	r = rec_of(REC_DAY, 1000, "2000-01-01");
	assert_string_equal(series(&r, 3), "2000-01-01 2002-09-27 2005-06-23");
}

static void
test_end_and_count(void **state)
{
	struct recurrence r = rec_of(REC_DAY, 7, "2024-01-01");
	struct recurring_rule rule;

	(void)state;
	/* the end day itself is included when it falls on it */
	strlcpy(r.end, "2024-01-22", sizeof(r.end));
	assert_string_equal(series(&r, 10), "2024-01-01 2024-01-08 2024-01-15 "
	    "2024-01-22");
	strlcpy(r.end, "2024-01-21", sizeof(r.end));
	assert_string_equal(series(&r, 10), "2024-01-01 2024-01-08 2024-01-15");
	/* a count ends the rule's progress, not the pure series */
	memset(&rule, 0, sizeof(rule));
	rule.rec = rec_of(REC_MONTH, 1, "2024-01-10");
	rule.rec.count = 2;
	recurring_refresh(&rule);
	assert_string_equal(rule.next, "2024-01-10");
	strlcpy(rule.after, rule.next, sizeof(rule.after));
	rule.done = 1;
	recurring_refresh(&rule);
	assert_string_equal(rule.next, "2024-02-10");
	strlcpy(rule.after, rule.next, sizeof(rule.after));
	rule.done = 2;
	recurring_refresh(&rule);
	assert_string_equal(rule.next, "");
}

static void
test_parse_on(void **state)
{
	struct recurrence r;
	struct spend_err err;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(recurrence_parse_on(REC_WEEK, "Mon, thursday,SUN", &r,
	    &err), 0);
	assert_int_equal(r.weekdays, 1 | 8 | 64);
	assert_int_equal(recurrence_parse_on(REC_WEEK, "mon,funday", &r, &err),
	    SPEND_EINVAL);
	assert_string_equal(err.field, "on");
	assert_non_null(strstr(err.msg, "funday"));
	assert_int_equal(recurrence_parse_on(REC_MONTH, "last", &r, &err), 0);
	assert_int_equal(r.month_day, REC_LAST_DAY);
	assert_int_equal(recurrence_parse_on(REC_MONTH, "31", &r, &err), 0);
	assert_int_equal(r.month_day, 31);
	assert_int_equal(recurrence_parse_on(REC_MONTH, "32", &r, &err),
	    SPEND_EINVAL);
	assert_int_equal(recurrence_parse_on(REC_MONTH, "0", &r, &err),
	    SPEND_EINVAL);
	assert_int_equal(recurrence_parse_on(REC_YEAR, "mon", &r, &err),
	    SPEND_EINVAL);
	assert_int_equal(recurrence_parse_on(REC_DAY, "1", &r, &err),
	    SPEND_EINVAL);
	assert_string_equal(err.field, "on");
}

/* Weekly rules across DST: the dates are calendar dates in the user's
 * zone and do not move; the day starts (what the timer waits for) move
 * by the hour the clocks do. */
static void
test_dst(void **state)
{
	struct recurrence r = rec_of(REC_WEEK, 1, "2024-03-03");	/* Sun */
	char d[DATE_LEN + 1];

	(void)state;
	assert_string_equal(series(&r, 4), "2024-03-03 2024-03-10 2024-03-17 "
	    "2024-03-24");
	r = rec_of(REC_WEEK, 1, "2024-03-24");
	assert_string_equal(series(&r, 3), "2024-03-24 2024-03-31 2024-04-07");
	r = rec_of(REC_WEEK, 1, "2024-10-27");
	assert_string_equal(series(&r, 2), "2024-10-27 2024-11-03");
	/* Paris: CET (+1) until 2024-03-31 02:00, CEST (+2) after */
	assert_int_equal(date_start("Europe/Paris", "2024-03-31"),
	    utc("2024-03-30T23:00:00"));
	assert_int_equal(date_start("Europe/Paris", "2024-04-01"),
	    utc("2024-03-31T22:00:00"));
	assert_int_equal(date_start("Europe/Paris", "2024-10-27"),
	    utc("2024-10-26T22:00:00"));
	assert_int_equal(date_start("Europe/Paris", "2024-10-28"),
	    utc("2024-10-27T23:00:00"));
	/* New York: EST (-5) until 2024-03-10 02:00, EDT (-4) until
	 * 2024-11-03 02:00 */
	assert_int_equal(date_start("America/New_York", "2024-03-10"),
	    utc("2024-03-10T05:00:00"));
	assert_int_equal(date_start("America/New_York", "2024-03-11"),
	    utc("2024-03-11T04:00:00"));
	assert_int_equal(date_start("America/New_York", "2024-11-03"),
	    utc("2024-11-03T04:00:00"));
	assert_int_equal(date_start("America/New_York", "2024-11-04"),
	    utc("2024-11-04T05:00:00"));
	/* a zone whose clocks skip midnight: the day starts at 01:00 */
	assert_int_equal(date_start("America/Havana", "2024-03-10"),
	    utc("2024-03-10T05:00:00"));
	date_at("America/Havana", utc("2024-03-10T05:00:00"), d);
	assert_string_equal(d, "2024-03-10");
	date_at("America/Havana", utc("2024-03-10T04:59:59"), d);
	assert_string_equal(d, "2024-03-09");
	/* the date in a zone at a moment */
	date_at("America/New_York", utc("2024-03-10T04:59:59"), d);
	assert_string_equal(d, "2024-03-09");
	date_at("America/New_York", utc("2024-03-10T05:00:00"), d);
	assert_string_equal(d, "2024-03-10");
	date_at("Pacific/Kiritimati", utc("2024-03-09T10:00:00"), d);
	assert_string_equal(d, "2024-03-10");
}

/* ---- the scheduler, with the clock injected ---- */

static int
setup(void **state)
{
	struct spendd *sd = tu_spendd();

	recurring_clock = fake_clock;
	set_now("2024-03-20T12:00:00");
	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"alice\"}"));
	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"bob\","
	    "\"timezone\":\"America/New_York\",\"currency\":\"USD\"}"));
	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"cleo\","
	    "\"timezone\":\"Europe/Paris\"}"));
	assert_int_equal(recurring_start(sd), 0);
	*state = sd;
	return 0;
}

static int
teardown(void **state)
{
	struct spendd *sd = *state;

	recurring_stop(sd);
	tu_spendd_free(sd);
	recurring_clock = time_now;
	return 0;
}

/* A new rule's id. */
static long long
add_rule(struct spendd *sd, const char *user, const char *params)
{
	json_t *r = tu_ok(sd, user, "recurring.add", params);
	long long id = tu_int(r, "id");

	json_decref(r);
	assert_true(id > 0);
	return id;
}

/* The dates of the user's live expenses rule created, ascending. */
static const char *
created(struct spendd *sd, const char *user, long long rule)
{
	static char buf[8192];
	json_t *r = tu_ok(sd, user, "expense.list", "{\"sort\":\"date\","
	    "\"order\":\"asc\",\"limit\":500}"), *e;
	size_t i;

	buf[0] = '\0';
	json_array_foreach(json_object_get(r, "items"), i, e) {
		if (json_integer_value(json_object_get(e, "recurring_id")) !=
		    rule)
			continue;
		if (buf[0])
			strlcat(buf, " ", sizeof(buf));
		strlcat(buf, tu_str(e, "date"), sizeof(buf));
	}
	json_decref(r);
	return buf;
}

static void
kick(struct spendd *sd, const char *now)
{
	set_now(now);
	recurring_kick(sd);
}

static void
test_catch_up(void **state)
{
	struct spendd *sd = *state;
	long long id;
	json_t *r;

	/* added on 2024-03-20 from January 31st: what is due is created at
	 * once, no more */
	id = add_rule(sd, "alice", "{\"amount\":\"9.99\",\"category\":\"bills\","
	    "\"every\":\"month\",\"start\":\"2024-01-31\",\"payee\":\"Phone\","
	    "\"tags\":[\"Home\"]}");
	assert_string_equal(created(sd, "alice", id), "2024-01-31 2024-02-29");
	r = tu_ok(sd, "alice", "recurring.get", "{\"id\":1}");
	assert_string_equal(tu_str(r, "next"), "2024-03-31");
	assert_int_equal(tu_int(r, "done"), 2);
	assert_string_equal(tu_str(r, "on"), "31");
	json_decref(r);
	/* the timer waits for the start of the next date in alice's zone
	 * (UTC by default) */
	assert_int_equal(recurring_wake(sd), utc("2024-03-31T00:00:00"));
	/* the expense as created: amount, payee, tags, and its rule */
	r = tu_ok(sd, "alice", "expense.list", "{\"limit\":1}");
	{
		json_t *e = json_array_get(json_object_get(r, "items"), 0);

		assert_string_equal(tu_str(e, "amount"), "9.99");
		assert_string_equal(tu_str(e, "payee"), "Phone");
		assert_string_equal(json_string_value(json_array_get(
		    json_object_get(e, "tags"), 0)), "home");
		assert_int_equal(tu_int(e, "recurring_id"), id);
	}
	json_decref(r);
	/* a second before the day: nothing; at it: one more */
	kick(sd, "2024-03-30T23:59:59");
	assert_string_equal(created(sd, "alice", id), "2024-01-31 2024-02-29");
	kick(sd, "2024-03-31T00:00:01");
	assert_string_equal(created(sd, "alice", id),
	    "2024-01-31 2024-02-29 2024-03-31");
	/* passes again change nothing */
	recurring_kick(sd);
	recurring_kick(sd);
	assert_string_equal(created(sd, "alice", id),
	    "2024-01-31 2024-02-29 2024-03-31");
	/* three months of downtime: exactly the 3 occurrences that fell */
	kick(sd, "2024-06-30T12:00:00");
	assert_string_equal(created(sd, "alice", id), "2024-01-31 2024-02-29 "
	    "2024-03-31 2024-04-30 2024-05-31 2024-06-30");
	kick(sd, "2024-09-27T12:00:00");
	assert_string_equal(created(sd, "alice", id), "2024-01-31 2024-02-29 "
	    "2024-03-31 2024-04-30 2024-05-31 2024-06-30 2024-07-31 "
	    "2024-08-31");
	{
		int64_t n, m, p;

		recurring_stats(sd, &n, &m, &p);
		assert_int_equal(n, 8);
	}
}

/* A 90-day gap for a rule on the 1st: 3 occurrences, whatever day. */
static void
test_downtime_90_days(void **state)
{
	struct spendd *sd = *state;
	long long id;

	set_now("2024-01-01T09:00:00");
	id = add_rule(sd, "alice", "{\"amount\":\"100\",\"category\":\"bills\","
	    "\"every\":\"month\",\"start\":\"2024-01-01\"}");
	assert_string_equal(created(sd, "alice", id), "2024-01-01");
	/* spendd down from here for 90 days: 2024-03-31 */
	kick(sd, "2024-03-31T09:00:00");
	assert_string_equal(created(sd, "alice", id),
	    "2024-01-01 2024-02-01 2024-03-01");
}

static void
test_user_zone(void **state)
{
	struct spendd *sd = *state;
	long long id;

	/* bob is in New York; weekly on Sundays across the DST change */
	set_now("2024-03-01T12:00:00");
	id = add_rule(sd, "bob", "{\"amount\":\"5\",\"category\":\"food\","
	    "\"every\":\"week\",\"on\":\"sun\",\"start\":\"2024-03-01\"}");
	assert_string_equal(created(sd, "bob", id), "");
	assert_int_equal(recurring_wake(sd), utc("2024-03-03T05:00:00"));
	/* 23:59 on Saturday in New York is already Sunday in UTC */
	kick(sd, "2024-03-03T04:59:59");
	assert_string_equal(created(sd, "bob", id), "");
	kick(sd, "2024-03-03T05:00:00");
	assert_string_equal(created(sd, "bob", id), "2024-03-03");
	/* the next Sunday is the DST change: still the 10th, from 05:00Z
	 * (midnight EST); the one after starts at 04:00Z (EDT) */
	assert_int_equal(recurring_wake(sd), utc("2024-03-10T05:00:00"));
	kick(sd, "2024-03-10T05:00:01");
	assert_int_equal(recurring_wake(sd), utc("2024-03-17T04:00:00"));
	kick(sd, "2024-03-17T04:00:01");
	assert_string_equal(created(sd, "bob", id),
	    "2024-03-03 2024-03-10 2024-03-17");
	/* cleo in Paris: its timer moves with CEST too */
	set_now("2024-03-25T12:00:00");
	id = add_rule(sd, "cleo", "{\"amount\":\"5\",\"category\":\"food\","
	    "\"every\":\"week\",\"on\":\"sun,mon\",\"start\":\"2024-03-25\"}");
	assert_string_equal(created(sd, "cleo", id), "2024-03-25");
	kick(sd, "2024-03-30T23:00:01");
	assert_string_equal(created(sd, "cleo", id), "2024-03-25 2024-03-31");
	kick(sd, "2024-03-31T22:00:01");
	assert_string_equal(created(sd, "cleo", id),
	    "2024-03-25 2024-03-31 2024-04-01");
}

static void
test_count_and_end(void **state)
{
	struct spendd *sd = *state;
	long long a, b;
	json_t *r;

	a = add_rule(sd, "alice", "{\"amount\":\"1\",\"category\":\"food\","
	    "\"every\":\"day\",\"interval\":2,\"start\":\"2024-03-01\","
	    "\"count\":4}");
	b = add_rule(sd, "alice", "{\"amount\":\"1\",\"category\":\"food\","
	    "\"every\":\"week\",\"start\":\"2024-03-01\",\"end\":\"2024-03-15\"}");
	assert_string_equal(created(sd, "alice", a),
	    "2024-03-01 2024-03-03 2024-03-05 2024-03-07");
	assert_string_equal(created(sd, "alice", b),
	    "2024-03-01 2024-03-08 2024-03-15");
	r = tu_ok(sd, "alice", "recurring.get", "{\"id\":1}");
	assert_true(json_is_null(json_object_get(r, "next")));
	assert_int_equal(tu_int(r, "count"), 4);
	json_decref(r);
	kick(sd, "2025-01-01T00:00:00");
	assert_string_equal(created(sd, "alice", a),
	    "2024-03-01 2024-03-03 2024-03-05 2024-03-07");
	/* nothing left to wait for */
	assert_int_equal(recurring_wake(sd), 0);
}

static void
test_skip(void **state)
{
	struct spendd *sd = *state;
	long long id;
	json_t *r;

	id = add_rule(sd, "alice", "{\"amount\":\"3\",\"category\":\"food\","
	    "\"every\":\"week\",\"start\":\"2024-03-18\",\"count\":3}");
	assert_string_equal(created(sd, "alice", id), "2024-03-18");
	r = tu_ok(sd, "alice", "recurring.skip", "{\"id\":1}");
	assert_string_equal(tu_str(r, "skipped"), "2024-03-25");
	assert_string_equal(tu_str(r, "next"), "2024-04-01");
	json_decref(r);
	kick(sd, "2024-04-10T00:00:00");
	/* the skipped one counts toward the 3 */
	assert_string_equal(created(sd, "alice", id), "2024-03-18 2024-04-01");
	TU_FAILS(sd, "alice", "recurring.skip", "{\"id\":1}", SPEND_EINVAL, "id",
	    "no occurrence left");
}

static void
test_pause_resume(void **state)
{
	struct spendd *sd = *state;
	long long id;
	json_t *r;

	id = add_rule(sd, "alice", "{\"amount\":\"2\",\"category\":\"food\","
	    "\"every\":\"day\",\"start\":\"2024-03-19\"}");
	assert_string_equal(created(sd, "alice", id), "2024-03-19 2024-03-20");
	r = tu_ok(sd, "alice", "recurring.pause", "{\"id\":1}");
	assert_true(json_is_true(json_object_get(r, "paused")));
	json_decref(r);
	kick(sd, "2024-03-23T12:00:00");
	assert_string_equal(created(sd, "alice", id), "2024-03-19 2024-03-20");
	/* while paused, "next" is what it would create if resumed today */
	r = tu_ok(sd, "alice", "recurring.get", "{\"id\":1}");
	assert_string_equal(tu_str(r, "next"), "2024-03-23");
	json_decref(r);
	/* upcoming leaves paused rules out */
	r = tu_ok(sd, "alice", "recurring.upcoming", "{\"days\":5}");
	assert_int_equal(tu_int(r, "count"), 0);
	json_decref(r);
	/* resumed: the paused days are passed over, today is created */
	json_decref(tu_ok(sd, "alice", "recurring.resume", "{\"id\":1}"));
	assert_string_equal(created(sd, "alice", id),
	    "2024-03-19 2024-03-20 2024-03-23");
	/* pausing twice, resuming twice: no harm */
	json_decref(tu_ok(sd, "alice", "recurring.pause", "{\"id\":1}"));
	json_decref(tu_ok(sd, "alice", "recurring.pause", "{\"id\":1}"));
	json_decref(tu_ok(sd, "alice", "recurring.resume", "{\"id\":1}"));
	json_decref(tu_ok(sd, "alice", "recurring.resume", "{\"id\":1}"));
	assert_string_equal(created(sd, "alice", id),
	    "2024-03-19 2024-03-20 2024-03-23");
}

static void
test_edit_after_created(void **state)
{
	struct spendd *sd = *state;
	long long id;
	json_t *r;

	set_now("2024-03-20T12:00:00");
	id = add_rule(sd, "alice", "{\"amount\":\"10\",\"category\":\"food\","
	    "\"every\":\"month\",\"on\":\"15\",\"start\":\"2024-01-01\"}");
	assert_string_equal(created(sd, "alice", id),
	    "2024-01-15 2024-02-15 2024-03-15");
	/* a new amount and category: from the next occurrence on */
	r = tu_ok(sd, "alice", "recurring.update", "{\"id\":1,\"amount\":"
	    "\"12.50\",\"category\":\"bills\",\"version\":1}");
	assert_string_equal(tu_str(r, "amount"), "12.50");
	assert_int_equal(tu_int(r, "version"), 2);
	json_decref(r);
	TU_FAILS(sd, "alice", "recurring.update", "{\"id\":1,\"note\":\"x\","
	    "\"version\":1}", SPEND_ESTALE, "version", "changed meanwhile");
	/* a new schedule takes up after the last created (03-15), never
	 * again on or before it: the 1st of April, not of March */
	r = tu_ok(sd, "alice", "recurring.update", "{\"id\":1,\"on\":\"1\"}");
	assert_string_equal(tu_str(r, "next"), "2024-04-01");
	json_decref(r);
	kick(sd, "2024-04-02T00:00:00");
	assert_string_equal(created(sd, "alice", id),
	    "2024-01-15 2024-02-15 2024-03-15 2024-04-01");
	r = tu_ok(sd, "alice", "expense.list", "{\"sort\":\"date\","
	    "\"order\":\"asc\"}");
	assert_string_equal(tu_str(json_array_get(json_object_get(r, "items"),
	    2), "amount"), "10.00");
	assert_string_equal(tu_str(json_array_get(json_object_get(r, "items"),
	    2), "category"), "food");
	assert_string_equal(tu_str(json_array_get(json_object_get(r, "items"),
	    3), "amount"), "12.50");
	assert_string_equal(tu_str(json_array_get(json_object_get(r, "items"),
	    3), "category"), "bills");
	json_decref(r);
	/* another currency without an amount: the amount must still fit */
	TU_FAILS(sd, "alice", "recurring.update", "{\"id\":1,\"currency\":"
	    "\"JPY\"}", SPEND_EINVAL, "amount", "12.5");
	json_decref(tu_ok(sd, "alice", "recurring.update", "{\"id\":1,"
	    "\"amount\":\"12\",\"currency\":\"jpy\"}"));
	/* weekly from here on: the old day of month means nothing to it */
	r = tu_ok(sd, "alice", "recurring.update", "{\"id\":1,\"every\":"
	    "\"week\"}");
	assert_string_equal(tu_str(r, "on"), "mon");	/* 2024-01-01 */
	assert_string_equal(tu_str(r, "next"), "2024-04-08");
	assert_string_equal(tu_str(r, "currency"), "JPY");
	json_decref(r);
	/* a count on a rule with an end date: one or the other */
	json_decref(tu_ok(sd, "alice", "recurring.update", "{\"id\":1,\"end\":"
	    "\"2024-12-31\"}"));
	TU_FAILS(sd, "alice", "recurring.update", "{\"id\":1,\"count\":5}",
	    SPEND_EINVAL, "count", "not both");
	r = tu_ok(sd, "alice", "recurring.update", "{\"id\":1,\"end\":\"none\","
	    "\"count\":5}");
	assert_true(json_is_null(json_object_get(r, "end")));
	assert_int_equal(tu_int(r, "count"), 5);
	json_decref(r);
}

static void
test_delete(void **state)
{
	struct spendd *sd = *state;
	long long a, b;
	json_t *r;

	a = add_rule(sd, "alice", "{\"amount\":\"1\",\"category\":\"food\","
	    "\"every\":\"day\",\"start\":\"2024-03-18\"}");
	b = add_rule(sd, "alice", "{\"amount\":\"1\",\"category\":\"food\","
	    "\"every\":\"day\",\"start\":\"2024-03-18\"}");
	assert_string_equal(created(sd, "alice", a),
	    "2024-03-18 2024-03-19 2024-03-20");
	r = tu_ok(sd, "alice", "recurring.delete", "{\"id\":1}");
	assert_int_equal(tu_int(r, "expenses_deleted"), 0);
	json_decref(r);
	/* deleted: the expenses stay, no new ones come */
	kick(sd, "2024-03-22T12:00:00");
	assert_string_equal(created(sd, "alice", a),
	    "2024-03-18 2024-03-19 2024-03-20");
	TU_FAILS(sd, "alice", "recurring.get", "{\"id\":1}", SPEND_ENOTFOUND,
	    "id", "no such recurring rule");
	r = tu_ok(sd, "alice", "recurring.delete", "{\"id\":2,"
	    "\"delete_created\":true}");
	assert_int_equal(tu_int(r, "expenses_deleted"), 5);
	json_decref(r);
	assert_string_equal(created(sd, "alice", b), "");
	/* and what they deleted does not come back */
	kick(sd, "2024-03-25T12:00:00");
	assert_string_equal(created(sd, "alice", b), "");
}

static int
count_cb(void *arg, int64_t id)
{
	(void)id;
	(*(int *)arg)++;
	return 0;
}

/* A crash between the expense and the rule's progress cannot happen
 * (one transaction), but if a rule's progress were ever behind its
 * expenses, the (rule, date) key still creates nothing twice. And an
 * expense deleted by the user is not created again. */
static void
test_exactly_once(void **state)
{
	struct spendd *sd = *state;
	struct recurring_rule r;
	struct spend_err err;
	long long id;
	int n = 0;

	id = add_rule(sd, "alice", "{\"amount\":\"1\",\"category\":\"food\","
	    "\"every\":\"day\",\"start\":\"2024-03-11\"}");
	assert_int_equal(store_recurring_expenses(sd->store, 1, id, count_cb,
	    &n, &err), 0);
	assert_int_equal(n, 10);
	/* the user deletes one */
	json_decref(tu_ok(sd, "alice", "expense.delete", "{\"id\":5}"));
	/* progress set back by hand to before them all */
	assert_int_equal(store_recurring_get(sd->store, 1, id, &r, &err), 0);
	r.after[0] = '\0';
	r.done = 0;
	recurring_refresh(&r);
	assert_string_equal(r.next, "2024-03-11");
	assert_int_equal(store_recurring_progress(sd->store, &r, &err), 0);
	recurring_kick(sd);
	n = 0;
	assert_int_equal(store_recurring_expenses(sd->store, 1, id, count_cb,
	    &n, &err), 0);
	assert_int_equal(n, 9);
	assert_int_equal(store_recurring_get(sd->store, 1, id, &r, &err), 0);
	assert_string_equal(r.next, "2024-03-21");
	/* the key itself refuses a second expense for an occurrence */
	assert_int_equal(store_recurring_link(sd->store, 2, id, "2024-03-11",
	    &err), SPEND_ECONFLICT);
}

static int
reminder_cb(void *arg, const struct outbox_event *e)
{
	json_t *arr = arg;

	if (strcmp(e->kind, "reminder") == 0)
		json_array_append_new(arr, json_loads(e->payload, 0, NULL));
	return 0;
}

static json_t *
reminders(struct spendd *sd, int64_t uid)
{
	struct spend_err err;
	json_t *arr = json_array();

	assert_int_equal(store_outbox_list(sd->store, uid, 0, 1000, reminder_cb,
	    arr, &err), 0);
	return arr;
}

static void
test_reminders(void **state)
{
	struct spendd *sd = *state;
	json_t *r;

	/* off by default */
	r = tu_ok(sd, "alice", "recurring.settings", "{}");
	assert_int_equal(tu_int(r, "remind_days"), 0);
	json_decref(r);
	add_rule(sd, "alice", "{\"amount\":\"4.20\",\"category\":\"food\","
	    "\"every\":\"week\",\"on\":\"mon,thu\",\"start\":\"2024-03-18\","
	    "\"payee\":\"Market\"}");
	r = reminders(sd, 1);
	assert_int_equal(json_array_size(r), 0);
	json_decref(r);
	TU_FAILS(sd, "alice", "recurring.configure", "{\"remind_days\":61}",
	    SPEND_EINVAL, "remind_days", "between 0");
	/* 3 days ahead on Wednesday 2024-03-20: Thursday 21 (Monday 18
	 * was created, not reminded) */
	json_decref(tu_ok(sd, "alice", "recurring.configure",
	    "{\"remind_days\":3}"));
	r = reminders(sd, 1);
	assert_int_equal(json_array_size(r), 1);
	assert_string_equal(tu_str(json_array_get(r, 0), "occurrence"),
	    "2024-03-21");
	assert_int_equal(tu_int(json_array_get(r, 0), "days_before"), 1);
	assert_string_equal(tu_str(json_array_get(r, 0), "amount"), "4.20");
	assert_string_equal(tu_str(json_array_get(r, 0), "payee"), "Market");
	json_decref(r);
	/* the timer: Monday 25 is due for a reminder on the 22nd */
	assert_int_equal(recurring_wake(sd), utc("2024-03-21T00:00:00"));
	/* again the same day: nothing new */
	recurring_kick(sd);
	r = reminders(sd, 1);
	assert_int_equal(json_array_size(r), 1);
	json_decref(r);
	kick(sd, "2024-03-22T00:00:01");
	r = reminders(sd, 1);
	assert_int_equal(json_array_size(r), 2);
	assert_string_equal(tu_str(json_array_get(r, 1), "occurrence"),
	    "2024-03-25");
	json_decref(r);
	/* a week later: each occurrence reminded once */
	kick(sd, "2024-03-25T00:00:01");
	kick(sd, "2024-03-29T08:00:00");
	r = reminders(sd, 1);
	assert_int_equal(json_array_size(r), 4);
	assert_string_equal(tu_str(json_array_get(r, 2), "occurrence"),
	    "2024-03-28");
	assert_string_equal(tu_str(json_array_get(r, 3), "occurrence"),
	    "2024-04-01");
	json_decref(r);
	/* other users have theirs off */
	r = reminders(sd, 2);
	assert_int_equal(json_array_size(r), 0);
	json_decref(r);
}

struct upc {
	char buf[1024];
	int64_t sum;
};

static int
upc_cb(void *arg, const struct occurrence *o)
{
	struct upc *u = arg;
	char one[64];

	snprintf(one, sizeof(one), "%s%s/%lld/%lld%s", u->buf[0] ? " " : "",
	    o->date, (long long)o->rule_id, (long long)o->amount, o->currency);
	strlcat(u->buf, one, sizeof(u->buf));
	return 0;
}

static int
tot_cb(void *arg, int64_t cat, const char *cur, int64_t count, int64_t sum)
{
	struct upc *u = arg;
	char one[64];

	snprintf(one, sizeof(one), "%s%lld:%s:%lld:%lld", u->buf[0] ? " " : "",
	    (long long)cat, cur, (long long)count, (long long)sum);
	strlcat(u->buf, one, sizeof(u->buf));
	return 0;
}

static void
test_upcoming(void **state)
{
	struct spendd *sd = *state;
	struct spend_err err;
	struct upc u;
	json_t *r;

	add_rule(sd, "alice", "{\"amount\":\"10\",\"category\":\"food\","
	    "\"every\":\"week\",\"start\":\"2024-03-18\"}");
	add_rule(sd, "alice", "{\"amount\":\"1000\",\"category\":\"bills\","
	    "\"currency\":\"JPY\",\"every\":\"month\",\"on\":\"last\","
	    "\"start\":\"2024-03-01\",\"count\":2}");
	add_rule(sd, "alice", "{\"amount\":\"7\",\"category\":\"food\","
	    "\"every\":\"day\",\"start\":\"2024-03-18\"}");
	json_decref(tu_ok(sd, "alice", "recurring.pause", "{\"id\":3}"));
	memset(&u, 0, sizeof(u));
	/* from before today: what is already created is not to come */
	assert_int_equal(recurring_upcoming(sd->store, 1, "2024-03-01",
	    "2024-04-30", upc_cb, &u, &err), 0);
	assert_string_equal(u.buf, "2024-03-25/1/1000EUR 2024-03-31/2/1000JPY "
	    "2024-04-01/1/1000EUR 2024-04-08/1/1000EUR 2024-04-15/1/1000EUR "
	    "2024-04-22/1/1000EUR 2024-04-29/1/1000EUR 2024-04-30/2/1000JPY");
	memset(&u, 0, sizeof(u));
	assert_int_equal(recurring_upcoming_totals(sd->store, 1, "2024-03-21",
	    "2024-04-30", tot_cb, &u, &err), 0);
	/* per category (food is 3, bills 1: the defaults' ids) */
	assert_non_null(strstr(u.buf, ":EUR:6:6000"));
	assert_non_null(strstr(u.buf, ":JPY:2:2000"));
	assert_int_equal(recurring_upcoming(sd->store, 1, "2024-02-30",
	    "2024-04-30", upc_cb, &u, &err), SPEND_EINVAL);
	assert_string_equal(err.field, "from");
	/* over RPC: 14 days from today */
	r = tu_ok(sd, "alice", "recurring.upcoming", "{\"days\":14}");
	assert_string_equal(tu_str(r, "from"), "2024-03-20");
	assert_string_equal(tu_str(r, "to"), "2024-04-03");
	assert_int_equal(tu_int(r, "count"), 3);
	assert_string_equal(tu_str(json_object_get(r, "sum"), "EUR"), "20.00");
	assert_string_equal(tu_str(json_object_get(r, "sum"), "JPY"), "1000");
	json_decref(r);
}

static void
test_validation(void **state)
{
	struct spendd *sd = *state;

	TU_FAILS(sd, "alice", "recurring.add", "{\"amount\":\"1\",\"category\":"
	    "\"food\"}", SPEND_EINVAL, "every", "every is required");
	TU_FAILS(sd, "alice", "recurring.add", "{\"amount\":\"1\",\"category\":"
	    "\"food\",\"every\":\"fortnight\"}", SPEND_EINVAL, "every",
	    "fortnight");
	TU_FAILS(sd, "alice", "recurring.add", "{\"amount\":\"1.234\","
	    "\"category\":\"food\",\"every\":\"day\"}", SPEND_EINVAL, "amount",
	    "1.234");
	TU_FAILS(sd, "alice", "recurring.add", "{\"amount\":\"0\","
	    "\"category\":\"food\",\"every\":\"day\"}", SPEND_EINVAL, "amount",
	    "zero");
	TU_FAILS(sd, "alice", "recurring.add", "{\"amount\":\"1\",\"category\":"
	    "\"nope\",\"every\":\"day\"}", SPEND_ENOTFOUND, "category",
	    "no such category");
	TU_FAILS(sd, "alice", "recurring.add", "{\"amount\":\"1\",\"category\":"
	    "\"food\",\"every\":\"week\",\"on\":\"someday\"}", SPEND_EINVAL, "on",
	    "someday");
	TU_FAILS(sd, "alice", "recurring.add", "{\"amount\":\"1\",\"category\":"
	    "\"food\",\"every\":\"day\",\"on\":\"3\"}", SPEND_EINVAL, "on",
	    "daily");
	TU_FAILS(sd, "alice", "recurring.add", "{\"amount\":\"1\",\"category\":"
	    "\"food\",\"every\":\"day\",\"start\":\"2024-02-30\"}", SPEND_EINVAL,
	    "start", "2024-02-30");
	TU_FAILS(sd, "alice", "recurring.add", "{\"amount\":\"1\",\"category\":"
	    "\"food\",\"every\":\"day\",\"start\":\"2024-03-02\",\"end\":"
	    "\"2024-03-01\"}", SPEND_EINVAL, "end", "before start");
	TU_FAILS(sd, "alice", "recurring.add", "{\"amount\":\"1\",\"category\":"
	    "\"food\",\"every\":\"day\",\"end\":\"2024-05-01\",\"count\":3}",
	    SPEND_EINVAL, "count", "not both");
	TU_FAILS(sd, "alice", "recurring.add", "{\"amount\":\"1\",\"category\":"
	    "\"food\",\"every\":\"day\",\"interval\":0}", SPEND_EINVAL,
	    "interval", "between 1");
	TU_FAILS(sd, "alice", "recurring.add", "{\"amount\":\"1\",\"category\":"
	    "\"food\",\"every\":\"week\",\"on\":\"sat\",\"start\":\"2024-03-18\","
	    "\"end\":\"2024-03-22\"}", SPEND_EINVAL, "end", "never falls");
	TU_FAILS(sd, "alice", "recurring.add", "{\"amount\":\"1\",\"category\":"
	    "\"food\",\"every\":\"day\",\"date\":\"2024-03-01\"}", SPEND_EINVAL,
	    "date", "unknown parameter");
	/* nothing was stored */
	{
		json_t *r = tu_ok(sd, "alice", "recurring.list", "{}");

		assert_int_equal(tu_int(r, "count"), 0);
		json_decref(r);
	}
}

static void
test_isolation(void **state)
{
	struct spendd *sd = *state;
	json_t *r;

	add_rule(sd, "alice", "{\"amount\":\"1\",\"category\":\"food\","
	    "\"every\":\"month\",\"start\":\"2024-04-01\"}");
	/* bob sees none of alice's */
	r = tu_ok(sd, "bob", "recurring.list", "{}");
	assert_int_equal(tu_int(r, "count"), 0);
	json_decref(r);
	TU_FAILS(sd, "bob", "recurring.get", "{\"id\":1}", SPEND_ENOTFOUND, "id",
	    "no such");
	TU_FAILS(sd, "bob", "recurring.update", "{\"id\":1,\"amount\":\"2\"}",
	    SPEND_ENOTFOUND, "id", "no such");
	TU_FAILS(sd, "bob", "recurring.pause", "{\"id\":1}", SPEND_ENOTFOUND,
	    "id", "no such");
	TU_FAILS(sd, "bob", "recurring.skip", "{\"id\":1}", SPEND_ENOTFOUND,
	    "id", "no such");
	TU_FAILS(sd, "bob", "recurring.delete", "{\"id\":1}", SPEND_ENOTFOUND,
	    "id", "no such");
	r = tu_ok(sd, "alice", "recurring.get", "{\"id\":1}");
	assert_int_equal(tu_int(r, "version"), 1);
	assert_false(json_is_true(json_object_get(r, "paused")));
	json_decref(r);
}

/* A rule whose category went away stops with the reason instead of
 * failing every pass; an edit brings it back. */
static void
test_rule_error(void **state)
{
	struct spendd *sd = *state;
	json_t *r;

	json_decref(tu_ok(sd, "alice", "category.add", "{\"name\":\"gym\"}"));
	add_rule(sd, "alice", "{\"amount\":\"30\",\"category\":\"gym\","
	    "\"every\":\"month\",\"start\":\"2024-03-20\"}");
	json_decref(tu_ok(sd, "alice", "category.archive", "{\"name\":\"gym\"}"));
	kick(sd, "2024-04-21T00:00:00");
	r = tu_ok(sd, "alice", "recurring.get", "{\"id\":1}");
	assert_non_null(strstr(tu_str(r, "error"), "archived"));
	assert_int_equal(tu_int(r, "done"), 1);
	json_decref(r);
	/* stopped: not in the timer's reckoning */
	assert_int_equal(recurring_wake(sd), 0);
	r = tu_ok(sd, "alice", "recurring.update", "{\"id\":1,\"category\":"
	    "\"health\"}");
	assert_true(json_is_null(json_object_get(r, "error")));
	json_decref(r);
	assert_string_equal(created(sd, "alice", 1), "2024-03-20 2024-04-20");
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_month_end_clamp),
		cmocka_unit_test(test_last_day),
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_intervals),
		cmocka_unit_test(test_end_and_count),
		cmocka_unit_test(test_parse_on),
		cmocka_unit_test(test_dst),
		T(test_catch_up),
		T(test_downtime_90_days),
		T(test_user_zone),
		T(test_count_and_end),
		T(test_skip),
		T(test_pause_resume),
		T(test_edit_after_created),
		T(test_delete),
		T(test_exactly_once),
		T(test_reminders),
		T(test_upcoming),
		T(test_validation),
		T(test_isolation),
		T(test_rule_error),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
