/*
 * Recurring expenses: rules that create an expense on each of their
 * dates, in the user's time zone, exactly once.
 *
 * Three parts:
 *  - the recurrence (recurring_rule.c): pure functions of a rule and a
 *    date, no clock, no I/O: when does it fall next;
 *  - the domain (recurring.c): rules are created, edited, paused,
 *    resumed, skipped and deleted through write transactions (write.h),
 *    like every write of a user's data; the occurrences still to come
 *    (recurring_upcoming, for budgets' projections);
 *  - the scheduler (recurring_sched.c): one libevent timer for the
 *    earliest due moment of all rules; each pass runs on a worker and
 *    creates each due occurrence in its own write (expense_create, the
 *    change log, the hooks), linked to its rule by the unique
 *    (rule, occurrence date) key, and stores the reminders due.
 *
 * A rule's progress: after (occurrences on or before it are done:
 * created, skipped, or passed over while paused), done (how many were
 * created or skipped: what count limits) and next (the next occurrence to
 * create: the first after `after`, "" once the series is over).
 */
#ifndef SPEND_RECURRING_H
#define SPEND_RECURRING_H

#include <stdbool.h>
#include <stdint.h>

#include "domain.h"
#include "err.h"
#include "store.h"
#include "write.h"

struct spendd;

#define CH_RECURRING "recurring"	/* change-log entity */
#define REC_INTERVAL_MAX 1000
#define REC_COUNT_MAX 100000
#define REC_REMIND_MAX 60		/* days ahead a reminder may be */
#define REC_UPCOMING_MAX 366		/* days recurring.upcoming looks */

/* ---- the recurrence: pure ---- */

/* The first occurrence of rec strictly after `after` (NULL or "": the
 * first on or after the start), on or before its end: 1 with *out, or 0
 * when there is none (the count is the caller's: see recurring_next). */
int recurrence_next(const struct recurrence *rec, const char *after,
    char out[DATE_LEN + 1]);
/* "day", "week", "month", "year" -> enum rec_freq, or -1. */
int recurrence_freq(const char *s);
const char *recurrence_freq_name(int freq);
/* --on for freq: weekdays ("mon,thu"; full names too, any case) for
 * week, "1".."31" or "last" for month and year; none for day. Sets
 * rec->weekdays / rec->month_day; err names field "on". */
int recurrence_parse_on(int freq, const char *on, struct recurrence *rec,
    struct spend_err *err);
/* What --on is, resolved ("mon,thu", "15", "last"), or "" for daily. */
void recurrence_on_text(const struct recurrence *rec, char *buf, size_t size);
/* The whole recurrence is sound: dates, interval, end after start. */
int recurrence_check(const struct recurrence *rec, struct spend_err *err);

/* Recompute r->next (after r->after and within the count) and
 * r->remind_next (the first occurrence from next on that is after
 * r->remind_after). Pure. */
void recurring_refresh(struct recurring_rule *r);
/* The next occurrence r will create: r->next, or for a paused rule the
 * one it would create if resumed on today. "" if none. Pure. */
void recurring_next(const struct recurring_rule *r, const char *today,
    char out[DATE_LEN + 1]);
/* The occurrences r will still create (from recurring_next on) between
 * from and to inclusive, in order, within its end and count: cb(arg,
 * date) for each (non-zero stops, and is returned). Pure. */
int recurring_each(const struct recurring_rule *r, const char *today,
    const char *from, const char *to,
    int (*cb)(void *arg, const char *date), void *arg);

/* ---- the domain ---- */

enum recurring_field {
	RF_EVERY = 1 << 0,
	RF_INTERVAL = 1 << 1,
	RF_ON = 1 << 2,
	RF_START = 1 << 3,
	RF_END = 1 << 4,		/* "" removes the end */
	RF_COUNT = 1 << 5,		/* 0 removes the count */
};

struct recurring_input {
	/* the expense each occurrence creates: amount (text), currency,
	 * category, note, payee, tags (date is not used) */
	struct expense_input exp;
	unsigned set;			/* enum recurring_field */
	const char *every;		/* day week month year */
	int64_t interval;
	const char *on;
	const char *start;		/* default: today */
	const char *end;
	int64_t count;
};

/* Create a rule of u (w->uid) from in; today is u's. Required: amount,
 * category, every. Due occurrences are created by the scheduler
 * (recurring_kick after the commit). */
int recurring_create(struct write_tx *w, const struct user *u,
    const struct recurring_input *in, const char *today,
    struct recurring_rule *out, struct spend_err *err);
/* Change the given fields; occurrences already created stay as they are.
 * A new schedule takes up after the last occurrence created or skipped.
 * Clears a rule's error. version 0 = any. */
int recurring_update(struct write_tx *w, const struct user *u, int64_t id,
    int64_t version, const struct recurring_input *in, const char *today,
    struct recurring_rule *out, struct spend_err *err);
/* Pause: nothing is created until resumed; the occurrences that fall
 * meanwhile are passed over. */
int recurring_pause(struct write_tx *w, int64_t id, int64_t version,
    struct recurring_rule *out, struct spend_err *err);
/* Resume: from today on (today's occurrence included). */
int recurring_resume(struct write_tx *w, int64_t id, int64_t version,
    const char *today, struct recurring_rule *out, struct spend_err *err);
/* Skip the next occurrence (it counts toward count); *skipped gets its
 * date. EINVAL if the series is over. */
int recurring_skip(struct write_tx *w, int64_t id, int64_t version,
    const char *today, struct recurring_rule *out,
    char skipped[DATE_LEN + 1], struct spend_err *err);
/* Delete the rule; the expenses it created stay, unless delete_created:
 * then they are deleted too (*deleted: how many). */
int recurring_delete(struct write_tx *w, int64_t id, int64_t version,
    bool delete_created, int64_t *deleted, struct spend_err *err);
int recurring_get(struct store *st, int64_t uid, int64_t id,
    struct recurring_rule *out, struct spend_err *err);

/* Reminders: a reminder (outbox kind "reminder") for each occurrence due
 * within days (0 = off). */
int recurring_settings_set(struct write_tx *w, int days,
    struct spend_err *err);

/* One occurrence still to come. */
struct occurrence {
	int64_t rule_id;
	char date[DATE_LEN + 1];
	int64_t amount;			/* minor units of currency */
	char currency[4];
	int64_t category_id;
	char category[NAME_MAX_LEN + 1];
	const struct recurring_rule *rule;	/* note, payee... */
};
/*
 * The occurrences uid's rules will still create between from and to
 * (inclusive, YYYY-MM-DD), converted nothing: each with its amount and
 * currency, in date order then rule id. Paused rules and rules stopped by
 * an error create nothing and are left out; occurrences already created
 * are not "to come". today: uid's today (NULL: by the scheduler's
 * clock). For budgets' projections. A store read.
 */
int recurring_upcoming(struct store *st, int64_t uid, const char *from,
    const char *to, int (*cb)(void *arg, const struct occurrence *o),
    void *arg, struct spend_err *err);
/* The same, summed per category and currency: cb(arg, category_id,
 * currency, count, sum) in category id then currency order. EINVAL on
 * an overflowing sum. */
int recurring_upcoming_totals(struct store *st, int64_t uid, const char *from,
    const char *to, int (*cb)(void *arg, int64_t category_id,
    const char *currency, int64_t count, int64_t sum), void *arg,
    struct spend_err *err);

/* budget_upcoming_fn (budget.h) over recurring_upcoming: what u's rules
 * will still create from..to, for budget_status's projection. */
struct budget_upcoming;
struct user;
int recurring_budget_upcoming(struct store *st, const struct user *u,
    const char *from, const char *to,
    int (*add)(void *ctx, const struct budget_upcoming *x), void *ctx,
    struct spend_err *err);

/* ---- the scheduler (event loop thread) ---- */

/* The clock the scheduler and the domain's "today" read: unix seconds.
 * time_now unless a test injects another. */
extern int64_t (*recurring_clock)(void);
/* Today in time zone tz by recurring_clock. */
void recurring_today(const char *tz, char out[DATE_LEN + 1]);

/* Start: a first pass at once (what came due while spendd was down),
 * then one timer for the next due moment. Without an event loop (unit
 * tests) passes run inline. */
int recurring_start(struct spendd *sd);
/* A rule or a setting changed: a pass soon (coalesced), which re-arms the
 * timer. Safe before recurring_start (does nothing). */
void recurring_kick(struct spendd *sd);
/* Without an event loop (unit tests, fault sweeps): run passes now until
 * every due occurrence is created. 0, or the error that stopped the
 * creations (what was created stays; reminders and the timer's next
 * moment are retried by the next pass and not reported here). */
int recurring_run(struct spendd *sd, struct spend_err *err);
/* The next due moment the timer waits for (unix seconds), 0 if none. */
int64_t recurring_wake(struct spendd *sd);
/* Counters since start: occurrences created, reminders stored. */
void recurring_stats(struct spendd *sd, int64_t *created, int64_t *reminded,
    int64_t *passes);
/* Stop the timer and free the state (after the workers stopped). */
void recurring_stop(struct spendd *sd);

#endif
