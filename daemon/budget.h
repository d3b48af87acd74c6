/*
 * Budgets and their alerts: the rules, in C types (as domain.h).
 *
 * A budget is per category (or overall: category_id 0, named "total")
 * per month, in minor units of the user's base currency: a default
 * amount for every month from `since` on, amounts of its own for some
 * months, and optionally rollover: what is left of a month (or what was
 * overspent) carries into the next, month after month.
 *
 * What a month spent comes from the daily totals the store keeps with
 * every write (store_day_totals), an amount in another currency counted
 * at its converted value at its own date (rates.h); one that has no rate
 * is listed as unconverted, never guessed and never dropped silently.
 *
 * Alerts: thresholds per budget (percent of what the month has,
 * default 80 and 100). The write path notes the months each write
 * touches (write_touch_month); just before the commit budget_evaluate
 * computes those months' status for the user and records each threshold
 * newly crossed in alerts_sent (unique per user, category, month,
 * threshold) and in the outbox (outbox.h), in the same transaction: an
 * alert fires once, and a restart neither loses nor repeats one.
 */
#ifndef SPEND_BUDGET_H
#define SPEND_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "store.h"
#include "store_budget.h"
#include "util.h"
#include "write.h"

#define CH_BUDGET "budget"		/* the change log's entity */
#define BUDGET_OVERALL "total"		/* the overall budget's name */
#define BUDGET_THRESHOLDS_MAX 8
#define BUDGET_THRESHOLD_MAX 1000	/* percent */
#define BUDGET_DEFAULT_ALERTS "80,100"
#define BUDGET_MONTH_LEN 7			/* "YYYY-MM" */

/* ---- months ---- */

/* "YYYY-MM", years 1900..2999. */
bool budget_month_valid(const char *s);
/* The month n months after m (n may be negative) into out. */
void budget_month_add(const char *m, int n, char out[BUDGET_MONTH_LEN + 1]);

/* ---- the clock ---- */

/* Today in u's time zone (or what a test's clock says). */
void budget_today(const struct user *u, char out[DATE_LEN + 1]);
/* Tests: fn(tz, out) instead of date_today (NULL: the real clock). */
void budget_set_clock(void (*fn)(const char *tz, char out[DATE_LEN + 1]));

/* ---- writing budgets (in a write transaction) ---- */

/* The category a budget is for, by name (any case), id (digits or
 * id > 0), or "total" (any case: the overall budget, *category_id 0; a
 * category really named so is reached by its id). name gets the name
 * shown ("total" for the overall one). */
int budget_category(struct store *st, int64_t uid, int64_t id,
    const char *name, int64_t *category_id, char name_out[NAME_MAX_LEN + 1],
    struct spend_err *err);

/* Thresholds "50,90,100" (percents 1..BUDGET_THRESHOLD_MAX, at most
 * BUDGET_THRESHOLDS_MAX) into ascending unique values and their canonical
 * text. field names the input in errors. */
int budget_thresholds_parse(const char *text, const char *field, int *out,
    int *n, char canon[BUDGET_ALERTS_LEN], struct spend_err *err);

struct budget_input {
	int64_t category_id;	/* 0: the overall budget */
	const char *amount;	/* decimal text in u's base currency, >= 0 */
	const char *month;	/* NULL: the default amount; "YYYY-MM": that
				 * month's own */
	const char *since;	/* the default's first month; NULL: kept (a
				 * new budget: today's month) */
	int rollover;		/* -1: kept (new: off), 0 off, 1 on */
	const char *alerts;	/* "50,90,100"; NULL: kept (new: 80,100) */
};
/* Create or change u's budget of in->category_id; today: u's today. out
 * gets it (its name in out->category is the caller's to fill). */
int budget_set(struct write_tx *w, const struct user *u,
    const struct budget_input *in, const char *today, struct budget *out,
    struct spend_err *err);
/* Remove u's budget of category_id (month NULL), or only its amount of
 * month. ENOTFOUND if there is none. */
int budget_remove(struct write_tx *w, const struct user *u,
    int64_t category_id, const char *month, struct spend_err *err);

/* ---- status ---- */

/* A user's budgets and their months' amounts, read once. */
struct budget_book {
	struct budget *b;
	size_t nb;
	struct budget_month *m;
	size_t nm;
};
int budget_book_load(struct store *st, int64_t uid, struct budget_book *bk,
    struct spend_err *err);
void budget_book_free(struct budget_book *bk);
/* b's own amount for month (override, else the default from since on):
 * false if b has none that month. In b->currency. */
bool budget_limit(const struct budget_book *bk, const struct budget *b,
    const char *month, int64_t *amount);

enum budget_state { BUDGET_OK, BUDGET_NEAR, BUDGET_OVER };
const char *budget_state_name(enum budget_state s);

/* One budget's month. Amounts in minor units of the user's base. */
struct budget_line {
	const struct budget *b;	/* in the book */
	int64_t limit;		/* the month's own amount (or the default) */
	int64_t carry;		/* rolled over from the months before */
	int64_t available;	/* limit + carry */
	int64_t spent;		/* the month's expenses, converted */
	int64_t spent_to_date;	/* those dated today or before */
	int64_t to_come;	/* still to come (budget_status's upcoming) */
	int64_t projected;	/* spent by the month's end, at this pace */
	bool has_percent;	/* available > 0 */
	int64_t percent;	/* spent / available, rounded down, >= 0 */
	enum budget_state state;
	int thresholds[BUDGET_THRESHOLDS_MAX];
	int nthresholds;
	unsigned crossed;	/* bit i: thresholds[i] reached */
};

/* An amount left out because no rate converts it. */
struct budget_unconverted {
	int64_t category_id;	/* 0: the overall budget's limit */
	char month[BUDGET_MONTH_LEN + 1];
	char currency[4];
	int64_t amount;		/* minor units of currency */
	const char *what;	/* "spent", "to come", "limit" (static) */
};

enum budget_period { PERIOD_PAST, PERIOD_CURRENT, PERIOD_FUTURE };

struct budget_status {
	char month[BUDGET_MONTH_LEN + 1];
	char today[DATE_LEN + 1];
	char currency[4];		/* the user's base */
	enum budget_period period;
	int day, days;			/* today's day of the month (past: days,
					 * future: 0) and its number of days */
	struct budget_line *lines;	/* budgets with an amount that month */
	size_t nlines;
	struct budget_unconverted *unconv;
	size_t nunconv;
};

/*
 * Still to come in a month: the recurring expenses not yet recorded.
 * fn(st, u, from, to, add, ctx, err) calls add(ctx, &x) once per
 * expected expense dated from..to (inclusive); amounts in any currency
 * (converted at their date, or listed as unconverted).
 * recurring_budget_upcoming (recurring.h) is the recurring rules' own.
 */
struct budget_upcoming {
	int64_t category_id;
	char currency[4];
	char date[DATE_LEN + 1];
	int64_t amount;		/* minor units of currency */
};
typedef int (*budget_upcoming_fn)(struct store *st, const struct user *u,
    const char *from, const char *to,
    int (*add)(void *ctx, const struct budget_upcoming *x), void *ctx,
    struct spend_err *err);

/*
 * The status of month for u (base currency, and the book's budgets) as
 * of today: per budget spent, limit, carry, remaining, percent; the
 * projection to the month's end (past months: what was spent; the
 * current one: the pace so far, spent up to today times days / day,
 * plus what is dated later; future ones: what is recorded) plus what
 * upcoming (if not NULL) says is still to come after today; the state:
 * over (spent more than available), near (a threshold reached, or
 * projected over), ok. Free with budget_status_free.
 */
int budget_status(struct store *st, const struct user *u,
    const struct budget_book *bk, const char *month, const char *today,
    budget_upcoming_fn upcoming, struct budget_status *out,
    struct spend_err *err);
void budget_status_free(struct budget_status *s);


/* ---- alerts (budget_alerts.c) ---- */

/* Register budget_evaluate as the write path's pre-commit evaluator
 * (write_set_precommit). Once, at start-up. */
void budget_alerts_init(void);
/* The evaluator: in w, before its commit, the months w touched (those
 * from the user's previous month on) are evaluated and each threshold
 * newly reached is stored and queued for the notifier. Nothing for a
 * user without budgets. */
int budget_evaluate(struct write_tx *w, struct spend_err *err);
/* After a write of rates (of currency; NULL: any) commits: re-evaluate,
 * on a WRITE worker, each user with budgets and expenses in another
 * currency than their base this month or the last, each in a write of
 * their own. Call inside w (it adds a hook). */
void budget_rates_changed(struct write_tx *w, const char *currency);

#endif
