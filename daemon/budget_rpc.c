/* budget.* and alert.* handlers: JSON <-> budget.h. */
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "handlers.h"
#include "jobs.h"
#include "jsonp.h"
#include "money.h"
#include "recurring.h"
#include "shapes.h"
#include "xmalloc.h"

static json_t *
amount_json(int64_t v, const char *currency)
{
	const struct currency *c = money_currency(currency);
	char buf[MONEY_STR_MAX];

	money_format(v, c ? c->exponent : 2, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *
thresholds_json(const char *text)
{
	int th[BUDGET_THRESHOLDS_MAX], n = 0;
	char canon[BUDGET_ALERTS_LEN];
	struct spend_err e;
	json_t *a = json_array();

	if (budget_thresholds_parse(text, "alerts", th, &n, canon, &e) == 0)
		for (int i = 0; i < n; i++)
			json_array_append_new(a, json_integer(th[i]));
	return a;
}

static json_t *
budget_json(const struct budget *b, const char *name,
    const struct budget_book *bk)
{
	json_t *months = json_object();

	for (size_t i = 0; bk && i < bk->nm; i++)
		if (bk->m[i].budget_id == b->id)
			json_object_set_new(months, bk->m[i].month,
			    amount_json(bk->m[i].amount, b->currency));
	return jp_pack("{s:I, s:s, s:o, s:b, s:o, s:s, s:s, s:b, s:o, s:o, "
	    "s:I, s:s, s:s}", "id", (json_int_t)b->id, "category", name,
	    "category_id", b->category_id ? json_integer(b->category_id) :
	    json_null(), "overall", b->category_id == 0, "amount",
	    b->has_amount ? amount_json(b->amount, b->currency) : json_null(),
	    "currency", b->currency, "since", b->since, "rollover", b->rollover,
	    "alerts", thresholds_json(b->alerts), "months", months,
	    "version", (json_int_t)b->version, "created_at", b->created_at,
	    "updated_at", b->updated_at);
}

/* The category param (an id, a name, or "total") of a budget. */
static int
category_param(struct rpc_call *c, json_t *p, int64_t *category_id,
    char name[NAME_MAX_LEN + 1], struct spend_err *err)
{
	json_t *v = json_object_get(p, "category");
	const char *s = NULL;

	if (v == NULL || json_is_null(v))
		return spend_errf(err, SPEND_EINVAL, "category", "category is "
		    "required (a name, an id, or \"%s\" for the overall budget)",
		    BUDGET_OVERALL);
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 1)
			return spend_errf(err, SPEND_EINVAL, "category",
			    "category %lld: not a category id",
			    (long long)json_integer_value(v));
		return budget_category(c->st, c->uid, json_integer_value(v),
		    NULL, category_id, name, err);
	}
	if (jp_cstr(p, "category", true, &s, err) < 0)
		return SPEND_EINVAL;
	return budget_category(c->st, c->uid, 0, s, category_id, name, err);
}

/* The month param, checked ("" if absent). */
static int
month_param(json_t *p, const char *key, char out[BUDGET_MONTH_LEN + 1],
    struct spend_err *err)
{
	char buf[16];
	bool have;

	out[0] = '\0';
	if (jp_str(p, key, false, buf, sizeof(buf), NULL, &have, err) < 0)
		return SPEND_EINVAL;
	if (!have)
		return 0;
	if (!budget_month_valid(buf))
		return spend_errf(err, SPEND_EINVAL, key, "%s \"%s\": expected "
		    "YYYY-MM", key, buf);
	strlcpy(out, buf, BUDGET_MONTH_LEN + 1);
	return 0;
}

static int
months_cb(void *arg, const struct budget_month *m)
{
	struct budget_book *bk = arg;
	struct budget_month *p = realloc(bk->m, (bk->nm + 1) * sizeof(*p));

	if (p == NULL)
		return SPEND_ENOMEM;
	bk->m = p;
	bk->m[bk->nm++] = *m;
	return 0;
}

/* Budget b (live) as JSON with its months. */
static int
budget_reply(struct store *st, const struct budget *b, const char *name,
    json_t **res, struct spend_err *err)
{
	struct budget_book bk = { 0 };
	int r;

	r = store_budget_months(st, b->user_id, b->id, months_cb, &bk, err);
	if (r == SPEND_ENOMEM)
		r = spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	if (r == 0)
		*res = budget_json(b, name, &bk);
	budget_book_free(&bk);
	return r;
}

int
h_budget_set(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct budget_input in;
	struct budget b;
	char name[NAME_MAX_LEN + 1], today[DATE_LEN + 1];
	char month[BUDGET_MONTH_LEN + 1], since[BUDGET_MONTH_LEN + 1];
	bool rollover, have_rollover;
	int r;

	memset(&in, 0, sizeof(in));
	if (jp_cstr(p, "amount", true, &in.amount, err) < 0 ||
	    month_param(p, "month", month, err) < 0 ||
	    month_param(p, "since", since, err) < 0 ||
	    jp_bool(p, "rollover", &rollover, &have_rollover, err) < 0 ||
	    jp_cstr(p, "alerts", false, &in.alerts, err) < 0)
		return SPEND_EINVAL;
	if (month[0] && since[0])
		return spend_errf(err, SPEND_EINVAL, "since", "since is the "
		    "first month of the default amount: give it without month");
	if ((r = category_param(c, p, &in.category_id, name, err)) < 0)
		return r;
	in.month = month[0] ? month : NULL;
	in.since = since[0] ? since : NULL;
	in.rollover = have_rollover ? rollover : -1;
	budget_today(&c->user, today);
	if ((r = budget_set(&c->w, &c->user, &in, today, &b, err)) < 0)
		return r;
	return budget_reply(c->st, &b, name, res, err);
}

int
h_budget_get(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	char name[NAME_MAX_LEN + 1];
	int64_t category_id;
	struct budget b;
	int r;

	if ((r = category_param(c, p, &category_id, name, err)) < 0)
		return r;
	r = store_budget_get(c->st, c->uid, category_id, &b, err);
	if (r == SPEND_ENOTFOUND || (r == 0 && b.deleted))
		return spend_errf(err, SPEND_ENOTFOUND, "category", "no budget "
		    "for %s", name);
	if (r < 0)
		return r;
	return budget_reply(c->st, &b, name, res, err);
}

int
h_budget_delete(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	char name[NAME_MAX_LEN + 1], month[BUDGET_MONTH_LEN + 1];
	int64_t category_id;
	int r;

	if (month_param(p, "month", month, err) < 0)
		return SPEND_EINVAL;
	if ((r = category_param(c, p, &category_id, name, err)) < 0)
		return r;
	if ((r = budget_remove(&c->w, &c->user, category_id, month[0] ? month :
	    NULL, err)) < 0) {
		if (r == SPEND_ENOTFOUND && strcmp(err->field, "category") == 0)
			spend_errf(err, SPEND_ENOTFOUND, "category", "no budget "
			    "for %s", name);
		return r;
	}
	*res = jp_pack("{s:s, s:o, s:b}", "category", name, "month", month[0] ?
	    json_string(month) : json_null(), "deleted", 1);
	return 0;
}

int
h_budget_list(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct budget_book bk;
	json_t *items;
	int r;

	(void)p;
	if ((r = budget_book_load(c->st, c->uid, &bk, err)) < 0)
		return r;
	items = json_array();
	for (size_t i = 0; i < bk.nb; i++)
		json_array_append_new(items, budget_json(&bk.b[i],
		    bk.b[i].category_id ? bk.b[i].category : BUDGET_OVERALL,
		    &bk));
	budget_book_free(&bk);
	*res = jp_pack("{s:o, s:I}", "items", items, "count",
	    (json_int_t)json_array_size(items));
	return 0;
}

/* ---- status ---- */

static const char *const periods[] = { "past", "current", "future" };

static json_t *
status_json(const struct budget_status *s)
{
	json_t *items = json_array(), *unconv = json_array();
	const char *cur = s->currency;

	for (size_t i = 0; i < s->nlines; i++) {
		const struct budget_line *l = &s->lines[i];
		json_t *crossed = json_array(), *th = json_array();

		for (int k = 0; k < l->nthresholds; k++) {
			json_array_append_new(th, json_integer(l->thresholds[k]));
			if (l->crossed & (1u << k))
				json_array_append_new(crossed,
				    json_integer(l->thresholds[k]));
		}
		json_array_append_new(items, jp_pack("{s:s, s:o, s:o, s:o, s:o, "
		    "s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:b, s:o, s:o}",
		    "category", l->b->category_id ? l->b->category :
		    BUDGET_OVERALL, "category_id", l->b->category_id ?
		    json_integer(l->b->category_id) : json_null(),
		    "limit", amount_json(l->limit, cur),
		    "carry", amount_json(l->carry, cur),
		    "available", amount_json(l->available, cur),
		    "spent", amount_json(l->spent, cur),
		    "remaining", amount_json(l->available - l->spent, cur),
		    "percent", l->has_percent ? json_integer(l->percent) :
		    json_null(),
		    "projected", amount_json(l->projected, cur),
		    "to_come", amount_json(l->to_come, cur),
		    "overall", json_boolean(l->b->category_id == 0),
		    "state", budget_state_name(l->state),
		    "rollover", l->b->rollover,
		    "thresholds", th, "reached", crossed));
	}
	for (size_t i = 0; i < s->nunconv; i++) {
		const struct budget_unconverted *u = &s->unconv[i];
		const char *name = BUDGET_OVERALL;

		for (size_t k = 0; k < s->nlines; k++)
			if (s->lines[k].b->category_id == u->category_id &&
			    u->category_id)
				name = s->lines[k].b->category;
		json_array_append_new(unconv, jp_pack("{s:s, s:o, s:s, s:s, "
		    "s:o, s:s}", "category", name, "category_id",
		    u->category_id ? json_integer(u->category_id) : json_null(),
		    "month", u->month, "currency", u->currency, "amount",
		    amount_json(u->amount, u->currency), "what", u->what));
	}
	return jp_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:o, s:I, s:o}",
	    "month", s->month, "today", s->today, "currency", s->currency,
	    "period", periods[s->period], "day", s->day, "days", s->days,
	    "items", items, "count", (json_int_t)json_array_size(items),
	    "unconverted", unconv);
}

struct status_req {
	char month[BUDGET_MONTH_LEN + 1];
	char today[DATE_LEN + 1];
};

/* On a READ worker: a rollover chain reads every month since the
 * budget began. One snapshot for the budgets and the totals. */
static int
status_work(struct rpc_call *c, struct store *st, struct write_tx *w,
    void *arg, json_t **res, struct spend_err *err)
{
	struct status_req *sr = arg;
	struct budget_book bk;
	struct budget_status s;
	int r;

	(void)w;
	if ((r = store_read_begin(st, err)) < 0)
		return r;
	if ((r = budget_book_load(st, c->uid, &bk, err)) == 0) {
		r = budget_status(st, &c->user, &bk, sr->month, sr->today,
		    recurring_budget_upcoming, &s, err);
		if (r == 0) {
			*res = status_json(&s);
			budget_status_free(&s);
		}
		budget_book_free(&bk);
	}
	store_rollback(st);	/* a read: nothing to keep */
	return r;
}

int
h_budget_status(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct status_req *sr;

	(void)res;
	sr = xcalloc(1, sizeof(*sr));
	if (month_param(p, "month", sr->month, err) < 0) {
		free(sr);
		return SPEND_EINVAL;
	}
	budget_today(&c->user, sr->today);
	if (sr->month[0] == '\0') {
		memcpy(sr->month, sr->today, BUDGET_MONTH_LEN);
		sr->month[BUDGET_MONTH_LEN] = '\0';
	}
	return rpc_offload(c, JOB_READ, status_work, sr, free, err);
}

/* ---- alerts ---- */

static int
alert_cb(void *arg, const struct alert *a)
{
	return jp_append(arg, jp_pack("{s:I, s:s, s:o, s:s, s:i, s:o, "
	    "s:o, s:s, s:s}", "id", (json_int_t)a->id, "category", a->category,
	    "category_id", a->category_id ? json_integer(a->category_id) :
	    json_null(), "month", a->month, "threshold", a->threshold,
	    "spent", amount_json(a->spent, a->currency), "available",
	    amount_json(a->available, a->currency), "currency", a->currency,
	    "created_at", a->created_at));
}

static int
alerts_work(struct rpc_call *c, struct store *st, struct write_tx *w,
    void *arg, json_t **res, struct spend_err *err)
{
	json_t *items = json_array();
	int r;

	(void)w;
	if ((r = store_alert_list(st, c->uid, arg, alert_cb, items, err)) < 0) {
		json_decref(items);
		return r;
	}
	*res = jp_pack("{s:o, s:I}", "items", items, "count",
	    (json_int_t)json_array_size(items));
	return 0;
}

int
h_alert_list(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	char *month;

	(void)res;
	month = xcalloc(1, BUDGET_MONTH_LEN + 1);
	if (month_param(p, "month", month, err) < 0) {
		free(month);
		return SPEND_EINVAL;
	}
	return rpc_offload(c, JOB_READ, alerts_work, month, free, err);
}

int
budget_state_json(struct store *st, int64_t uid, int64_t id, json_t **out,
    struct spend_err *err)
{
	struct budget b;
	int r;

	if ((r = store_budget_get_id(st, uid, id, &b, err)) < 0)
		return r;
	if (b.deleted)
		return spend_errf(err, SPEND_ENOTFOUND, "id", "no budget %lld",
		    (long long)id);
	return budget_reply(st, &b, b.category_id ? b.category :
	    BUDGET_OVERALL, out, err);
}
