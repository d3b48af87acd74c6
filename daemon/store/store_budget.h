/*
 * The store's budgets, their month amounts and the alerts they sent
 * (store_budget.c, migration 6). Part of the store's interface (store.h
 * conventions), in a header of its own.
 */
#ifndef SPEND_STORE_BUDGET_H
#define SPEND_STORE_BUDGET_H

#include "store.h"

#define BUDGET_ALERTS_LEN 64		/* "50,80,90,100": the thresholds */
/* A budget of one category (category_id 0: the overall one, over every
 * category) in minor units of currency (the user's base when it was
 * set): amount is the default of every month from since on (has_amount
 * false: only the months of budget_months), rollover carries what is
 * left (or overspent) into the next month. */
struct budget {
	int64_t id, user_id;
	int64_t category_id;		/* 0: overall */
	char category[NAME_MAX_LEN + 1];	/* its name, on read ("" overall) */
	bool has_amount;
	int64_t amount;
	char currency[4];
	char since[8];			/* "YYYY-MM" */
	bool rollover;
	char alerts[BUDGET_ALERTS_LEN];	/* percents, ascending: "80,100" */
	bool deleted;			/* a tombstone */
	int64_t version;
	char created_at[TIMESTAMP_LEN + 1];
	char updated_at[TIMESTAMP_LEN + 1];
};
/* One month's own amount of a budget (an override of its default). */
struct budget_month {
	int64_t budget_id;
	char month[8];			/* "YYYY-MM" */
	int64_t amount;
};
/* Has uid a live budget? (the cheap test before any evaluation) */
int store_budget_any(struct store *st, int64_t uid, bool *any,
    struct spend_err *err);
/* uid's budget of category_id (0: overall), tombstones too (b->deleted).
 * ENOTFOUND if there never was one. */
int store_budget_get(struct store *st, int64_t uid, int64_t category_id,
    struct budget *b, struct spend_err *err);
/* The same by the budget's own id (the change log's). */
int store_budget_get_id(struct store *st, int64_t uid, int64_t id,
    struct budget *b, struct spend_err *err);
/* Write b: a new row (b->id 0) or every field of row b->id (version
 * bumped). Out: id, version, timestamps. */
int store_budget_put(struct store *st, struct budget *b,
    struct spend_err *err);
/* uid's live budgets whose category is live: the overall one first, then
 * by category name. */
int store_budget_list(struct store *st, int64_t uid,
    int (*cb)(void *arg, const struct budget *b), void *arg,
    struct spend_err *err);
/* The month amounts of uid's live budgets (or of budget_id only, if not
 * 0), by budget and month. */
int store_budget_months(struct store *st, int64_t uid, int64_t budget_id,
    int (*cb)(void *arg, const struct budget_month *m), void *arg,
    struct spend_err *err);
int store_budget_month_set(struct store *st, int64_t budget_id,
    const char *month, int64_t amount, struct spend_err *err);
/* *found: there was one to remove. */
int store_budget_month_delete(struct store *st, int64_t budget_id,
    const char *month, bool *found, struct spend_err *err);
int store_budget_months_clear(struct store *st, int64_t budget_id,
    struct spend_err *err);

/* A threshold crossed: once per (user, category, month, threshold). */
struct alert {
	int64_t id, user_id;
	int64_t category_id;		/* 0: overall */
	char category[NAME_MAX_LEN + 1];	/* its name then ("" overall) */
	char month[8];
	int threshold;			/* percent */
	int64_t spent, available;	/* minor units of currency, then */
	char currency[4];
	int64_t outbox_id;		/* its notifier event */
	char created_at[TIMESTAMP_LEN + 1];
};
/* Record a (its id, created_at out) unless that threshold of that
 * category and month already is: *added says which. */
int store_alert_add(struct store *st, struct alert *a, bool *added,
    struct spend_err *err);
int store_alert_set_outbox(struct store *st, int64_t id, int64_t outbox_id,
    struct spend_err *err);
/* uid's alerts of month ("" or NULL: all), oldest first. */
int store_alert_list(struct store *st, int64_t uid, const char *month,
    int (*cb)(void *arg, const struct alert *a), void *arg,
    struct spend_err *err);
/* Users with a live budget and expenses from day from to day to
 * (inclusive; "" open) in a currency other than their base (currency: that one
 * only; NULL or "": any), by id. What a new rate may change. */
int store_budget_users_foreign(struct store *st, const char *currency,
    const char *from, const char *to,
    int (*cb)(void *arg, int64_t uid), void *arg, struct spend_err *err);
/* What a budget reads. uid's visible totals per month ("YYYY-MM" in
 * t->day) from month from to month to, by month, category and currency
 * (month_totals, kept beside day_totals by triggers); and per day from
 * day from to day to of one currency (NULL or "": all). A row per day,
 * category and currency (staged ones apart: sum them). EINVAL if a sum
 * overflows. */
int store_month_totals(struct store *st, int64_t uid, const char *from,
    const char *to, int (*cb)(void *arg, const struct day_total *t),
    void *arg, struct spend_err *err);
int store_budget_days(struct store *st, int64_t uid, const char *from,
    const char *to, const char *currency,
    int (*cb)(void *arg, const struct day_total *t), void *arg,
    struct spend_err *err);
/* The months ("YYYY-MM") with expenses staged by import stage of uid,
 * ascending (from the daily totals: a few rows per day, not a scan of
 * the rows). */
int store_stage_months(struct store *st, int64_t uid, int64_t stage,
    int (*cb)(void *arg, const char *month), void *arg,
    struct spend_err *err);

#endif
