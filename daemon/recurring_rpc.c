/* recurring.* handlers and the rule's JSON shape: JSON <-> recurring.h. */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "jobs.h"
#include "jsonp.h"
#include "money.h"
#include "recurring.h"
#include "shapes.h"
#include "util.h"
#include "xmalloc.h"

#define UPCOMING_DEFAULT 30
#define NEXT_DATES 5		/* recurring.get shows the next few */

static json_t *
date_or_null(const char *d)
{
	return d && d[0] ? json_string(d) : json_null();
}

/* A rule as clients see it; today: its user's (for a paused rule's
 * next, were it resumed). */
static json_t *
rule_json(const struct recurring_rule *r, const char *today)
{
	const struct currency *cur = money_currency(r->currency);
	char amount[MONEY_STR_MAX], on[64], next[DATE_LEN + 1];
	json_t *o;

	money_format(r->amount, cur ? cur->exponent : 2, amount, sizeof(amount));
	recurrence_on_text(&r->rec, on, sizeof(on));
	recurring_next(r, today, next);
	o = jp_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:o, s:s, s:i}",
	    "id", (json_int_t)r->id, "amount", amount, "currency", r->currency,
	    "category", r->category, "category_id", (json_int_t)r->category_id,
	    "note", r->note, "payee", r->payee, "tags", expense_tags_json(r->tags),
	    "every", recurrence_freq_name(r->rec.freq),
	    "interval", r->rec.interval);
	json_object_set_new(o, "on", on[0] ? json_string(on) : json_null());
	json_object_set_new(o, "start", json_string(r->rec.start));
	json_object_set_new(o, "end", date_or_null(r->rec.end));
	json_object_set_new(o, "count", r->rec.count ?
	    json_integer(r->rec.count) : json_null());
	json_object_set_new(o, "done", json_integer(r->done));
	json_object_set_new(o, "next", date_or_null(next));
	json_object_set_new(o, "paused", json_boolean(r->paused));
	json_object_set_new(o, "error", r->error[0] ? json_string(r->error) :
	    json_null());
	json_object_set_new(o, "version", json_integer(r->version));
	json_object_set_new(o, "created_at", json_string(r->created_at));
	json_object_set_new(o, "updated_at", json_string(r->updated_at));
	return o;
}

static void
kick(struct spendd *sd, void *arg)
{
	(void)arg;
	recurring_kick(sd);
}

/* params -> in (strings borrowed from params; *tags for the caller to
 * free). The dispatcher checked the types. */
static int
input_from_json(json_t *p, struct recurring_input *in, const char ***tags,
    struct spend_err *err)
{
	bool have;

	memset(in, 0, sizeof(*in));
	if (expense_input_from_json(p, &in->exp, tags, err) < 0 ||
	    jp_cstr(p, "every", false, &in->every, err) < 0 ||
	    jp_cstr(p, "on", false, &in->on, err) < 0 ||
	    jp_cstr(p, "start", false, &in->start, err) < 0 ||
	    jp_cstr(p, "end", false, &in->end, err) < 0)
		return SPEND_EINVAL;
	in->set |= (in->every ? RF_EVERY : 0) | (in->on ? RF_ON : 0) |
	    (in->start ? RF_START : 0) | (in->end ? RF_END : 0);
	if (jp_int(p, "interval", false, 1, REC_INTERVAL_MAX, &in->interval,
	    &have, err) < 0)
		return SPEND_EINVAL;
	if (have)
		in->set |= RF_INTERVAL;
	if (jp_int(p, "count", false, 0, REC_COUNT_MAX, &in->count, &have,
	    err) < 0)
		return SPEND_EINVAL;
	if (have)
		in->set |= RF_COUNT;
	return 0;
}

int
h_recurring_add(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct recurring_input in;
	struct recurring_rule r;
	char today[DATE_LEN + 1];
	const char **tags = NULL;
	int rc;

	recurring_today(c->user.timezone, today);
	if ((rc = input_from_json(p, &in, &tags, err)) == 0 &&
	    (rc = recurring_create(&c->w, &c->user, &in, today, &r, err)) == 0) {
		write_hook(&c->w, kick, NULL, NULL);
		*res = rule_json(&r, today);
	}
	free(tags);
	return rc;
}

static int
id_version(json_t *p, int64_t *id, int64_t *version, struct spend_err *err)
{
	*version = 0;
	if (jp_int(p, "id", true, 1, INT64_MAX, id, NULL, err) < 0 ||
	    jp_int(p, "version", false, 1, INT64_MAX, version, NULL, err) < 0)
		return SPEND_EINVAL;
	return 0;
}

struct next_ctx {
	json_t *arr;
	int n;
};

static int
next_cb(void *arg, const char *date)
{
	struct next_ctx *nc = arg;

	json_array_append_new(nc->arr, json_string(date));
	return ++nc->n >= NEXT_DATES;
}

int
h_recurring_get(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct recurring_rule r;
	struct next_ctx nc;
	char today[DATE_LEN + 1];
	int64_t id;
	int rc;

	if (jp_int(p, "id", true, 1, INT64_MAX, &id, NULL, err) < 0)
		return SPEND_EINVAL;
	if ((rc = recurring_get(c->st, c->uid, id, &r, err)) < 0)
		return rc;
	recurring_today(c->user.timezone, today);
	*res = rule_json(&r, today);
	nc.arr = json_array();
	nc.n = 0;
	if (!r.error[0])
		recurring_each(&r, today, "1900-01-01", "2999-12-31", next_cb,
		    &nc);
	json_object_set_new(*res, "next_dates", nc.arr);
	return 0;
}

int
h_recurring_update(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct recurring_input in;
	struct recurring_rule r;
	char today[DATE_LEN + 1];
	const char **tags = NULL;
	int64_t id, version;
	int rc;

	if ((rc = id_version(p, &id, &version, err)) < 0)
		return rc;
	recurring_today(c->user.timezone, today);
	if ((rc = input_from_json(p, &in, &tags, err)) == 0 &&
	    (rc = recurring_update(&c->w, &c->user, id, version, &in, today, &r,
	    err)) == 0) {
		write_hook(&c->w, kick, NULL, NULL);
		*res = rule_json(&r, today);
	}
	free(tags);
	return rc;
}

int
h_recurring_pause(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct recurring_rule r;
	char today[DATE_LEN + 1];
	int64_t id, version;
	int rc;

	if ((rc = id_version(p, &id, &version, err)) < 0 ||
	    (rc = recurring_pause(&c->w, id, version, &r, err)) < 0)
		return rc;
	write_hook(&c->w, kick, NULL, NULL);
	recurring_today(c->user.timezone, today);
	*res = rule_json(&r, today);
	return 0;
}

int
h_recurring_resume(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct recurring_rule r;
	char today[DATE_LEN + 1];
	int64_t id, version;
	int rc;

	recurring_today(c->user.timezone, today);
	if ((rc = id_version(p, &id, &version, err)) < 0 ||
	    (rc = recurring_resume(&c->w, id, version, today, &r, err)) < 0)
		return rc;
	write_hook(&c->w, kick, NULL, NULL);
	*res = rule_json(&r, today);
	return 0;
}

int
h_recurring_skip(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct recurring_rule r;
	char today[DATE_LEN + 1], skipped[DATE_LEN + 1];
	int64_t id, version;
	int rc;

	recurring_today(c->user.timezone, today);
	if ((rc = id_version(p, &id, &version, err)) < 0 ||
	    (rc = recurring_skip(&c->w, id, version, today, &r, skipped,
	    err)) < 0)
		return rc;
	write_hook(&c->w, kick, NULL, NULL);
	*res = rule_json(&r, today);
	json_object_set_new(*res, "skipped", json_string(skipped));
	return 0;
}

struct delete_req {
	int64_t id, version;
	bool delete_created;
};

/* On a WRITE worker: deleting the expenses grows with them. */
static int
delete_work(struct rpc_call *c, struct store *st, struct write_tx *w,
    void *arg, json_t **res, struct spend_err *err)
{
	struct delete_req *d = arg;
	int64_t n;
	int rc;

	(void)c;
	(void)st;
	if ((rc = recurring_delete(w, d->id, d->version, d->delete_created, &n,
	    err)) < 0)
		return rc;
	write_hook(w, kick, NULL, NULL);
	*res = jp_pack("{s:I, s:b, s:I}", "id", (json_int_t)d->id, "deleted", 1,
	    "expenses_deleted", (json_int_t)n);
	return 0;
}

int
h_recurring_delete(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct delete_req *d;
	int64_t id, version;
	bool dc = false;
	int rc;

	(void)res;
	if ((rc = id_version(p, &id, &version, err)) < 0 ||
	    jp_bool(p, "delete_created", &dc, NULL, err) < 0)
		return rc < 0 ? rc : SPEND_EINVAL;
	d = xcalloc(1, sizeof(*d));
	d->id = id;
	d->version = version;
	d->delete_created = dc;
	return rpc_offload(c, JOB_WRITE, delete_work, d, free, err);
}

struct list_ctx {
	json_t *items;
	const char *today;
};

static int
list_cb(void *arg, const struct recurring_rule *r)
{
	struct list_ctx *lc = arg;

	return jp_append(lc->items, rule_json(r, lc->today));
}

/* On a READ worker: every rule of the user. */
static int
list_work(struct rpc_call *c, struct store *st, struct write_tx *w, void *arg,
    json_t **res, struct spend_err *err)
{
	struct list_ctx lc;
	char today[DATE_LEN + 1];
	int days, rc;

	(void)w;
	(void)arg;
	recurring_today(c->user.timezone, today);
	lc.items = json_array();
	lc.today = today;
	if ((rc = store_recurring_list(st, c->uid, list_cb, &lc, err)) < 0 ||
	    (rc = store_recurring_settings_get(st, c->uid, &days, err)) < 0) {
		json_decref(lc.items);
		return rc;
	}
	*res = jp_pack("{s:o, s:I, s:i}", "items", lc.items, "count",
	    (json_int_t)json_array_size(lc.items), "remind_days", days);
	return 0;
}

int
h_recurring_list(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	(void)p;
	(void)res;
	return rpc_offload(c, JOB_READ, list_work, NULL, NULL, err);
}

struct upcoming_ctx {
	json_t *items;
	json_t *sum;		/* currency -> minor units (integer) */
	bool overflow;
};

static int
upcoming_cb(void *arg, const struct occurrence *o)
{
	struct upcoming_ctx *u = arg;
	const struct currency *cur = money_currency(o->currency);
	char amount[MONEY_STR_MAX];
	json_t *s = json_object_get(u->sum, o->currency);
	int64_t total = s ? json_integer_value(s) : 0;

	money_format(o->amount, cur ? cur->exponent : 2, amount, sizeof(amount));
	if (jp_append(u->items, jp_pack("{s:s, s:I, s:s, s:s, s:s, "
	    "s:s, s:s}", "date", o->date, "rule_id", (json_int_t)o->rule_id,
	    "amount", amount, "currency", o->currency, "category", o->category,
	    "note", o->rule->note, "payee", o->rule->payee)) < 0)
		return SPEND_ENOMEM;
	if (money_add(total, o->amount, &total) < 0)
		u->overflow = true;
	json_object_set_new(u->sum, o->currency, json_integer(total));
	return 0;
}

/* On a READ worker: the occurrences of the next days. */
static int
upcoming_work(struct rpc_call *c, struct store *st, struct write_tx *w,
    void *arg, json_t **res, struct spend_err *err)
{
	struct upcoming_ctx u;
	char today[DATE_LEN + 1], to[DATE_LEN + 1];
	const char *code;
	json_t *sum, *v;
	int64_t days = *(int64_t *)arg;
	int rc;

	(void)w;
	recurring_today(c->user.timezone, today);
	date_add_days(today, (int)days, to);
	u.items = json_array();
	u.sum = json_object();
	u.overflow = false;
	if ((rc = recurring_upcoming(st, c->uid, today, to, upcoming_cb, &u,
	    err)) < 0 || (u.overflow && (rc = spend_errf(err, SPEND_EINVAL, "",
	    "the upcoming sum overflows")) < 0)) {
		json_decref(u.items);
		json_decref(u.sum);
		return rc;
	}
	sum = json_object();
	json_object_foreach(u.sum, code, v) {
		const struct currency *cur = money_currency(code);
		char amount[MONEY_STR_MAX];

		money_format(json_integer_value(v), cur ? cur->exponent : 2,
		    amount, sizeof(amount));
		json_object_set_new(sum, code, json_string(amount));
	}
	json_decref(u.sum);
	*res = jp_pack("{s:s, s:s, s:o, s:I, s:o}", "from", today, "to", to,
	    "items", u.items, "count", (json_int_t)json_array_size(u.items),
	    "sum", sum);
	return 0;
}

int
h_recurring_upcoming(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	int64_t *days;

	(void)res;
	days = xmalloc(sizeof(*days));
	*days = UPCOMING_DEFAULT;
	if (jp_int(p, "days", false, 1, REC_UPCOMING_MAX, days, NULL, err) < 0) {
		free(days);
		return SPEND_EINVAL;
	}
	return rpc_offload(c, JOB_READ, upcoming_work, days, free, err);
}

int
h_recurring_settings(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	int days, rc;

	(void)p;
	if ((rc = store_recurring_settings_get(c->st, c->uid, &days, err)) < 0)
		return rc;
	*res = jp_pack("{s:i}", "remind_days", days);
	return 0;
}

int
h_recurring_configure(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	int64_t days;
	int rc;

	if (jp_int(p, "remind_days", true, 0, REC_REMIND_MAX, &days, NULL,
	    err) < 0)
		return SPEND_EINVAL;
	if ((rc = recurring_settings_set(&c->w, (int)days, err)) < 0)
		return rc;
	write_hook(&c->w, kick, NULL, NULL);
	*res = jp_pack("{s:i}", "remind_days", (int)days);
	return 0;
}

int
recurring_state_json(struct store *st, const struct user *u, int64_t id,
    json_t **out, struct spend_err *err)
{
	struct recurring_rule r;
	char today[DATE_LEN + 1];
	int rc;

	if ((rc = recurring_get(st, u->id, id, &r, err)) < 0)
		return rc;
	recurring_today(u->timezone, today);
	*out = rule_json(&r, today);
	return 0;
}
