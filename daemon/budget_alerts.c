/*
 * Budget alerts: evaluated in the write that crosses a threshold, just
 * before its commit (write_set_precommit), and after a change of rates
 * on a worker, through the same write path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "jobs.h"
#include "jsonp.h"
#include "log.h"
#include "money.h"
#include "outbox.h"
#include "spendd.h"
#include "xmalloc.h"

/* Months after the current one a write may make us evaluate. */
#define FUTURE_MONTHS_MAX 12

void
budget_alerts_init(void)
{
	write_set_precommit(budget_evaluate);
}

static json_t *
money_json(int64_t v, const char *currency)
{
	const struct currency *c = money_currency(currency);
	char buf[MONEY_STR_MAX];

	money_format(v, c ? c->exponent : 2, buf, sizeof(buf));
	return json_string(buf);
}

/* Record the thresholds line reached in month, each once. */
static int
record(struct write_tx *w, const struct budget_status *s,
    const struct budget_line *l, struct spend_err *err)
{
	for (int i = 0; i < l->nthresholds; i++) {
		struct alert a;
		json_t *ev;
		int64_t oid;
		bool added;
		int r;

		if (!(l->crossed & (1u << i)))
			continue;
		memset(&a, 0, sizeof(a));
		a.user_id = w->uid;
		a.category_id = l->b->category_id;
		strlcpy(a.category, l->b->category_id ? l->b->category :
		    BUDGET_OVERALL, sizeof(a.category));
		strlcpy(a.month, s->month, sizeof(a.month));
		a.threshold = l->thresholds[i];
		a.spent = l->spent;
		a.available = l->available;
		strlcpy(a.currency, s->currency, sizeof(a.currency));
		if ((r = store_alert_add(w->st, &a, &added, err)) < 0)
			return r;
		if (!added)
			continue;	/* sent before: once is enough */
		ev = jp_pack("{s:s, s:I, s:s, s:o, s:s, s:i, s:o, s:o, s:s, "
		    "s:s}", "type", "budget", "alert_id", (json_int_t)a.id,
		    "category", a.category, "category_id", a.category_id ?
		    json_integer(a.category_id) : json_null(), "month", a.month,
		    "threshold", a.threshold, "spent", money_json(a.spent,
		    a.currency), "available", money_json(a.available,
		    a.currency), "currency", a.currency, "state",
		    budget_state_name(l->state));
		r = outbox_add(w, "alert", ev, &oid, err);
		json_decref(ev);
		if (r < 0 || (r = store_alert_set_outbox(w->st, a.id, oid,
		    err)) < 0)
			return r;
		log_debug("budgets: user %lld: %s reached %d%% of %s",
		    (long long)w->uid, a.category, a.threshold, a.month);
	}
	return 0;
}

static int
cmp_month(const void *a, const void *b)
{
	return strcmp(a, b);
}

int
budget_evaluate(struct write_tx *w, struct spend_err *err)
{
	char today[DATE_LEN + 1], cur[BUDGET_MONTH_LEN + 1];
	char prev[BUDGET_MONTH_LEN + 1], eval[2 + FUTURE_MONTHS_MAX][8];
	struct budget_book bk;
	struct user u;
	bool any;
	int n = 0, r;

	if (w->uid == 0 || w->nmonths == 0)
		return 0;
	if ((r = store_budget_any(w->st, w->uid, &any, err)) < 0)
		return r;
	if (!any)
		return 0;	/* the cost for a user without budgets */
	if ((r = store_user_get(w->st, w->uid, &u, err)) < 0)
		return r;
	budget_today(&u, today);
	memcpy(cur, today, BUDGET_MONTH_LEN);
	cur[BUDGET_MONTH_LEN] = '\0';
	budget_month_add(cur, -1, prev);
	/* The months to evaluate: the previous and the current one if a
	 * month touched is not after them (a rollover carries an earlier
	 * change into them), and later months touched. Older months are
	 * history: no alert for them. */
	qsort(w->months, (size_t)w->nmonths, sizeof(*w->months), cmp_month);
	if (strcmp(w->months[0], prev) <= 0)
		strlcpy(eval[n++], prev, sizeof(eval[0]));
	if (strcmp(w->months[0], cur) <= 0)
		strlcpy(eval[n++], cur, sizeof(eval[0]));
	for (int i = 0; i < w->nmonths && n < 2 + FUTURE_MONTHS_MAX; i++)
		if (strcmp(w->months[i], cur) > 0)
			strlcpy(eval[n++], w->months[i], sizeof(eval[0]));
	if (n == 0)
		return 0;
	if ((r = budget_book_load(w->st, w->uid, &bk, err)) < 0)
		return r;
	for (int i = 0; i < n && r == 0; i++) {
		struct budget_status s;

		if ((r = budget_status(w->st, &u, &bk, eval[i], today, NULL,
		    &s, err)) < 0)
			break;
		for (size_t k = 0; k < s.nlines && r == 0; k++)
			r = record(w, &s, &s.lines[k], err);
		budget_status_free(&s);
	}
	budget_book_free(&bk);
	return r;
}

/* ---- after a change of rates ---- */

struct reeval {
	struct spendd *sd;
	char currency[4];		/* "" any */
	int64_t *uids;
	size_t nuids;
	struct write_tx *tx;		/* one committed write per user */
	size_t ntx;
};

static int
uid_cb(void *arg, int64_t uid)
{
	struct reeval *re = arg;
	int64_t *p = realloc(re->uids, (re->nuids + 1) * sizeof(*p));

	if (p == NULL)
		return SPEND_ENOMEM;
	re->uids = p;
	re->uids[re->nuids++] = uid;
	return 0;
}

static void
reeval_work(struct job *job, void *arg)
{
	struct reeval *re = arg;
	char today[DATE_LEN + 1], from[DATE_LEN + 1];
	struct spend_err err;
	struct store *st;

	spend_err_clear(&err);
	if ((st = jobs_store(job, &err)) == NULL) {
		log_warnx("budgets: no store to re-evaluate alerts after a rate "
		    "change: %s", err.msg);
		return;
	}
	/* the previous month in any time zone starts after this */
	{
		struct user utc = { .timezone = "UTC" };

		budget_today(&utc, today);
	}
	date_add_days(today, -62, from);
	if (store_budget_users_foreign(st, re->currency, from, "", uid_cb, re,
	    &err) < 0) {
		log_warnx("budgets: cannot find whose alerts a rate change "
		    "affects: %s", err.code == SPEND_ENOMEM ? "out of memory" :
		    err.msg);
		return;
	}
	log_debug("budgets: a rate change: %zu users to re-evaluate from %s", re->nuids, from);
	if (re->nuids && (re->tx = calloc(re->nuids, sizeof(*re->tx))) == NULL) {
		log_warnx("budgets: out of memory re-evaluating alerts");
		return;
	}
	for (size_t i = 0; i < re->nuids && !jobs_cancelled(job); i++) {
		struct write_tx *w = &re->tx[re->ntx];
		char m[BUDGET_MONTH_LEN + 1];
		struct user u;

		if (store_user_get(st, re->uids[i], &u, &err) < 0)
			continue;	/* deleted meanwhile */
		if (write_begin(w, st, u.id, &err) < 0) {
			log_warnx("budgets: alerts of %s after a rate change: %s",
			    u.name, err.msg);
			continue;
		}
		budget_today(&u, today);
		budget_month_add(today, -1, m);
		write_touch_month(w, m);
		write_touch_month(w, today);
		if (write_commit(w, &err) < 0) {
			log_warnx("budgets: alerts of %s after a rate change: %s",
			    u.name, err.msg);
			continue;
		}
		re->ntx++;
	}
}

static void
reeval_done(struct job *job, void *arg)
{
	struct reeval *re = arg;

	(void)job;
	for (size_t i = 0; i < re->ntx; i++)
		write_run_hooks(&re->tx[i], re->sd);
	free(re->tx);
	free(re->uids);
	free(re);
}

static void
rates_hook(struct spendd *sd, void *arg)
{
	struct reeval *re = xcalloc(1, sizeof(*re));
	struct spend_err err;

	re->sd = sd;
	strlcpy(re->currency, arg, sizeof(re->currency));
	if (jobs_submit(sd, JOB_WRITE, reeval_work, reeval_done, re,
	    &err) < 0) {
		log_warnx("budgets: alerts not re-evaluated after a rate "
		    "change: %s", err.msg);
		free(re);
	}
}

void
budget_rates_changed(struct write_tx *w, const char *currency)
{
	char *c = xstrdup(currency ? currency : "");

	write_hook(w, rates_hook, c, free);
}
