/* rule.* handlers and the rule's JSON shape: JSON <-> domain.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "jobs.h"
#include "jsonp.h"
#include "money.h"
#include "shapes.h"
#include "util.h"
#include "xmalloc.h"

#define APPLY_LISTED 200	/* changes listed in rule.apply's reply */

static const char *const op_names[] = { "", "contains", "equals", "glob" };

/* An e4 amount as the shortest decimal ("12.5", "-3"). */
static void
e4_text(int64_t e4, char *buf, size_t size)
{
	size_t n;

	money_format(e4, 4, buf, size);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
}

static json_t *
rule_json(const struct rule *r)
{
	char amount[MONEY_STR_MAX];
	json_t *o = jp_pack("{s:I, s:I, s:I, s:s, s:s, s:o, s:s, s:I, "
	    "s:s, s:s}", "id", (json_int_t)r->id, "position",
	    (json_int_t)r->position, "version", (json_int_t)r->version,
	    "created_at", r->created_at, "updated_at", r->updated_at,
	    "tags", expense_tags_json(r->tags), "rename", r->rename,
	    "category_id", (json_int_t)r->category_id, "currency",
	    r->currency, "source", r->source);

	json_object_set_new(o, "category", r->category_id ?
	    json_string(r->category) : json_null());
	/* its category deleted or archived since: the rule sets none */
	if (r->category_id)
		json_object_set_new(o, "category_usable",
		    json_boolean(r->category_usable));
	if (r->payee_op != RULE_OP_NONE) {
		char k[32];

		snprintf(k, sizeof(k), "payee_%s", op_names[r->payee_op]);
		json_object_set_new(o, k, json_string(r->payee));
	}
	if (r->note_op != RULE_OP_NONE) {
		char k[32];

		snprintf(k, sizeof(k), "note_%s", op_names[r->note_op]);
		json_object_set_new(o, k, json_string(r->note));
	}
	if (r->has_min) {
		e4_text(r->min_e4, amount, sizeof(amount));
		json_object_set_new(o, "amount_min", json_string(amount));
	}
	if (r->has_max) {
		e4_text(r->max_e4, amount, sizeof(amount));
		json_object_set_new(o, "amount_max", json_string(amount));
	}
	json_object_set_new(o, "set_note", r->has_set_note ?
	    json_string(r->set_note) : json_null());
	return o;
}

/* One text condition: at most one of KEY_contains, KEY_equals,
 * KEY_glob. */
static int
text_cond(json_t *p, const char *key, enum rule_op *op, const char **text,
    struct spend_err *err)
{
	const char *first = NULL;

	*op = RULE_OP_NONE;
	for (int i = RULE_OP_CONTAINS; i <= RULE_OP_GLOB; i++) {
		char k[32];
		const char *v;

		snprintf(k, sizeof(k), "%s_%s", key, op_names[i]);
		if (jp_cstr(p, k, false, &v, err) < 0)
			return SPEND_EINVAL;
		if (v == NULL)
			continue;
		if (*op != RULE_OP_NONE)
			return spend_errf(err, SPEND_EINVAL, k, "%s and %s: one "
			    "condition on the %s at most", first, k, key);
		*op = (enum rule_op)i;
		*text = v;
		first = op_names[i];
	}
	return 0;
}

int
h_rule_add(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct rule_input in;
	struct rule out;
	json_t *v;
	const char **tags = NULL;
	int r;

	memset(&in, 0, sizeof(in));
	if (text_cond(p, "payee", &in.payee_op, &in.payee, err) < 0 ||
	    text_cond(p, "note", &in.note_op, &in.note, err) < 0 ||
	    jp_cstr(p, "amount_min", false, &in.amount_min, err) < 0 ||
	    jp_cstr(p, "amount_max", false, &in.amount_max, err) < 0 ||
	    jp_cstr(p, "currency", false, &in.currency, err) < 0 ||
	    jp_cstr(p, "source", false, &in.source, err) < 0 ||
	    jp_cstr(p, "rename", false, &in.rename, err) < 0 ||
	    jp_cstr(p, "set_note", false, &in.set_note, err) < 0 ||
	    jp_int(p, "position", false, 1, INT32_MAX, &in.position, NULL,
	    err) < 0)
		return SPEND_EINVAL;
	if ((v = json_object_get(p, "category")) != NULL && !json_is_null(v)) {
		if (json_is_integer(v))
			in.category_id = json_integer_value(v);
		else if (jp_cstr(p, "category", false, &in.category, err) < 0)
			return SPEND_EINVAL;
		if (in.category == NULL && in.category_id < 1)
			return spend_errf(err, SPEND_EINVAL, "category",
			    "category %lld: not a category id",
			    (long long)in.category_id);
	}
	if ((v = json_object_get(p, "tags")) != NULL && !json_is_null(v)) {
		size_t i;
		json_t *t;

		if (!json_is_array(v) || json_array_size(v) > TAGS_MAX)
			return spend_errf(err, SPEND_EINVAL, "tags", "tags: an "
			    "array of at most %d strings", TAGS_MAX);
		if ((tags = calloc(json_array_size(v) + 1, sizeof(*tags))) ==
		    NULL)
			return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
		json_array_foreach(v, i, t) {
			if (!json_is_string(t) ||
			    strlen(json_string_value(t)) != json_string_length(t)) {
				free(tags);
				return spend_errf(err, SPEND_EINVAL, "tags",
				    "tags must be strings");
			}
			tags[i] = json_string_value(t);
		}
		in.tags = tags;
		in.ntags = json_array_size(v);
	}
	if ((r = rule_create(&c->w, &in, &out, err)) == 0)
		*res = rule_json(&out);
	free(tags);
	return r;
}

static int
list_cb(void *arg, const struct rule *r)
{
	return jp_append(arg, rule_json(r));
}

int
h_rule_list(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	json_t *items = json_array();
	int r;

	(void)p;
	if ((r = store_rule_list(c->st, c->uid, list_cb, items, err)) < 0) {
		json_decref(items);
		if (r == SPEND_ENOMEM)
			spend_errf(err, SPEND_ENOMEM, "", "out of memory");
		return r;
	}
	*res = jp_pack("{s:o, s:I}", "items", items, "count",
	    (json_int_t)json_array_size(items));
	return 0;
}

int
h_rule_delete(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	int64_t id, version = 0;
	int r;

	if (jp_int(p, "id", true, 1, INT64_MAX, &id, NULL, err) < 0 ||
	    jp_int(p, "version", false, 1, INT64_MAX, &version, NULL, err) < 0)
		return SPEND_EINVAL;
	if ((r = rule_delete(&c->w, id, version, err)) < 0)
		return r;
	*res = jp_pack("{s:I, s:b}", "id", (json_int_t)id, "deleted", 1);
	return 0;
}

/* The result of the rules on s as JSON. */
static json_t *
result_json(const struct rule_result *res, json_t *matched)
{
	json_t *o = jp_pack("{s:o, s:I, s:o}", "matched", matched,
	    "nmatched", (json_int_t)res->nmatched, "tags",
	    expense_tags_json(res->tags));

	json_object_set_new(o, "category", res->category_id ?
	    json_string(res->category) : json_null());
	json_object_set_new(o, "category_rule", res->category_rule ?
	    json_integer(res->category_rule) : json_null());
	json_object_set_new(o, "uncategorised", json_boolean(
	    res->category_id == 0));
	json_object_set_new(o, "payee", res->renamed ? json_string(res->payee) :
	    json_null());
	json_object_set_new(o, "note", res->has_note ? json_string(res->note) :
	    json_null());
	return o;
}

struct test_ctx {
	const struct rule_set *rs;
	const struct rule_subject *s;
	json_t *matched;
	size_t i;
};

static int
test_cb(void *arg, const struct rule *r)
{
	struct test_ctx *t = arg;

	if (rule_set_matches(t->rs, t->i++, t->s))
		return jp_append(t->matched, json_integer(r->id));
	return 0;
}

int
h_rule_test(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct rule_subject s;
	struct rule_result rr;
	struct rule_set *rs;
	struct test_ctx t;
	const char *amount = NULL;
	const struct currency *cur;
	int r;

	memset(&s, 0, sizeof(s));
	if (jp_cstr(p, "payee", false, &s.payee, err) < 0 ||
	    jp_cstr(p, "note", false, &s.note, err) < 0 ||
	    jp_cstr(p, "amount", false, &amount, err) < 0 ||
	    jp_cstr(p, "currency", false, &s.currency, err) < 0 ||
	    jp_cstr(p, "source", false, &s.source, err) < 0)
		return SPEND_EINVAL;
	if (s.currency == NULL)
		s.currency = c->user.currency;
	if ((cur = money_currency(s.currency)) == NULL)
		return spend_errf(err, SPEND_EINVAL, "currency", "currency "
		    "\"%.8s\": not an ISO 4217 code", s.currency);
	if (amount && money_parse(amount, cur->exponent, false, &s.amount,
	    err) < 0)
		return SPEND_EINVAL;
	if ((r = rule_set_load(c->st, c->uid, &rs, err)) < 0)
		return r;
	if ((r = rule_eval(rs, &s, &rr, err)) < 0) {
		rule_set_free(rs);
		return r;
	}
	t = (struct test_ctx){ rs, &s, json_array(), 0 };
	r = store_rule_list(c->st, c->uid, test_cb, &t, err);
	rule_set_free(rs);
	if (r < 0) {
		json_decref(t.matched);
		if (r == SPEND_ENOMEM)
			spend_errf(err, SPEND_ENOMEM, "", "out of memory");
		return r;
	}
	*res = result_json(&rr, t.matched);
	return 0;
}

/* ---- rule.apply: on a WRITE worker (it grows with the expenses) ---- */

struct apply_req {
	char from[DATE_LEN + 1], to[DATE_LEN + 1];
	bool dry_run;
	json_t *items;
	int64_t changed;
};

static void
apply_free(void *arg)
{
	struct apply_req *a = arg;

	json_decref(a->items);
	free(a);
}

static int
apply_cb(void *arg, const struct expense *before, const struct expense *after)
{
	struct apply_req *a = arg;

	a->changed++;
	if (json_array_size(a->items) >= APPLY_LISTED)
		return 0;
	return jp_append(a->items, jp_pack("{s:I, s:s, s:s, s:s, s:s, s:s, "
	    "s:o}", "id", (json_int_t)after->id, "date", after->date,
	    "payee", after->payee, "from", before->category, "to",
	    after->category, "was_payee", before->payee, "tags",
	    expense_tags_json(after->tags)));
}

static int
apply_work(struct rpc_call *c, struct store *st, struct write_tx *w,
    void *arg, json_t **res, struct spend_err *err)
{
	struct apply_req *a = arg;
	int r;

	(void)st;
	a->items = json_array();
	if ((r = rule_apply(w, &c->user, a->from, a->to, a->dry_run, apply_cb,
	    a, err)) < 0) {
		if (r == SPEND_ENOMEM)
			spend_errf(err, SPEND_ENOMEM, "", "out of memory");
		return r;
	}
	*res = jp_pack("{s:b, s:I, s:O, s:b}", "dry_run", a->dry_run,
	    "changed", (json_int_t)a->changed, "items", a->items, "more",
	    a->changed > (int64_t)json_array_size(a->items));
	return 0;
}

int
h_rule_apply(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct apply_req *a = xcalloc(1, sizeof(*a));

	(void)res;
	if (jp_str(p, "from", false, a->from, sizeof(a->from), NULL, NULL,
	    err) < 0 ||
	    jp_str(p, "to", false, a->to, sizeof(a->to), NULL, NULL, err) < 0 ||
	    jp_bool(p, "dry_run", &a->dry_run, NULL, err) < 0) {
		free(a);
		return SPEND_EINVAL;
	}
	if ((a->from[0] && !date_valid(a->from)) ||
	    (a->to[0] && !date_valid(a->to))) {
		const char *f = a->from[0] && !date_valid(a->from) ? "from" :
		    "to";

		spend_errf(err, SPEND_EINVAL, f, "%s \"%s\": not a calendar "
		    "date YYYY-MM-DD", f, f[0] == 'f' ? a->from : a->to);
		free(a);
		return SPEND_EINVAL;
	}
	return rpc_offload(c, JOB_WRITE, apply_work, a, apply_free, err);
}

int
rule_state_json(struct store *st, int64_t uid, int64_t id, json_t **out,
    struct spend_err *err)
{
	struct rule r;
	int rc;

	if ((rc = store_rule_get(st, uid, id, &r, err)) < 0)
		return rc;
	*out = rule_json(&r);
	return 0;
}
