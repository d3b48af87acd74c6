/* expense.* handlers and the expense JSON shape: JSON <-> domain.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "jobs.h"
#include "jsonp.h"
#include "jsonw.h"
#include "log.h"
#include "money.h"
#include "shapes.h"
#include "util.h"
#include "xmalloc.h"

#define LIST_DEFAULT 50
#define LIST_MAX 500

json_t *
expense_tags_json(const char *canon)
{
	json_t *arr = json_array();
	const char *p = canon;

	while (p && *p == ',' && p[1]) {
		const char *end = strchr(p + 1, ',');

		if (end == NULL)
			break;
		json_array_append_new(arr, json_stringn(p + 1, end - p - 1));
		p = end;
	}
	return arr;
}

/*
 * An expense's JSON, the one rendering of it: expense.list and
 * expense.add write it so, straight into the reply (and an add's event
 * keeps the text); expense_json() reads the same text back into a tree
 * for every other reply and sync item.
 */
static void
expense_write(struct jw *w, const struct expense *e)
{
	const struct currency *cur = money_currency(e->currency);
	int exp = cur ? cur->exponent : 2;
	char amount[MONEY_STR_MAX];
	const char *p, *end;

	jw_obj(w);
	JW_KEY(w, "id");
	jw_int(w, e->id);
	money_format(e->amount, exp, amount, sizeof(amount));
	JW_KEY(w, "amount");
	jw_decimal(w, amount);
	JW_KEY(w, "currency");
	jw_str(w, e->currency);
	JW_KEY(w, "category");
	jw_str(w, e->category);
	JW_KEY(w, "date");
	jw_str(w, e->date);
	JW_KEY(w, "note");
	jw_str(w, e->note);
	JW_KEY(w, "payee");
	jw_str(w, e->payee);
	JW_KEY(w, "tags");
	jw_arr(w);
	for (p = e->tags; *p == ',' && p[1] && (end = strchr(p + 1, ',')) !=
	    NULL; p = end)	/* ",a,b," as expense_tags_json reads it */
		jw_strn(w, p + 1, end - p - 1);
	jw_end(w);
	JW_KEY(w, "version");
	jw_int(w, e->version);
	JW_KEY(w, "created_at");
	jw_str(w, e->created_at);
	JW_KEY(w, "updated_at");
	jw_str(w, e->updated_at);
	JW_KEY(w, "recurring_id");
	if (e->recurring_id)
		jw_int(w, e->recurring_id);
	else
		jw_null(w);
	JW_KEY(w, "category_auto");
	jw_bool(w, e->category_auto);
	JW_KEY(w, "parts");
	jw_arr(w);
	for (int i = 0; i < e->nparts; i++) {
		const struct expense_part *pt = &e->parts[i];

		money_format(pt->amount, exp, amount, sizeof(amount));
		jw_obj(w);
		JW_KEY(w, "amount");
		jw_decimal(w, amount);
		JW_KEY(w, "category");
		jw_str(w, pt->category);
		JW_KEY(w, "category_id");
		jw_int(w, pt->category_id);
		JW_KEY(w, "note");
		jw_str(w, pt->note);
		jw_end(w);
	}
	jw_end(w);
	jw_end(w);
}

json_t *
expense_json(const struct expense *e)
{
	struct jw w;
	json_t *o;

	jw_init(&w);
	expense_write(&w, e);
	/* as jp_pack did: only a damaged row (text not UTF-8) or no memory */
	if (jw_error(&w) || (o = json_loadb(w.buf, w.len, 0, NULL)) == NULL)
		fatalx("expense %lld: cannot write its JSON: %s",
		    (long long)e->id, w.msg);
	jw_free(&w);
	return o;
}

/* parts: [{amount, category, note}, ...] into ps (n of them). */
static int
parts_from_json(json_t *v, struct expense_part_input *ps,
    struct spend_err *err)
{
	size_t i;
	json_t *o;

	json_array_foreach(v, i, o) {
		struct expense_part_input *pi = &ps[i];
		const char *key;
		json_t *f;
		char field[48];

		if (!json_is_object(o))
			return spend_errf(err, SPEND_EINVAL, "parts", "parts[%zu]: "
			    "an object {amount, category, note}", i);
		json_object_foreach(o, key, f) {
			if (strcmp(key, "amount") && strcmp(key, "category") &&
			    strcmp(key, "note") && strcmp(key, "category_id"))
				return spend_errf(err, SPEND_EINVAL, "parts",
				    "parts[%zu]: unknown field \"%.40s\" (amount, "
				    "category, note)", i, key);
		}
		snprintf(field, sizeof(field), "parts[%zu].amount", i);
		if ((f = json_object_get(o, "amount")) != NULL) {
			if (!json_is_string(f) ||
			    strlen(json_string_value(f)) != json_string_length(f))
				return spend_errf(err, SPEND_EINVAL, field,
				    "%s must be a decimal string like \"12.50\"",
				    field);
			pi->amount = json_string_value(f);
		}
		snprintf(field, sizeof(field), "parts[%zu].category", i);
		if ((f = json_object_get(o, "category")) == NULL)
			f = json_object_get(o, "category_id");
		if (f != NULL && json_is_integer(f)) {
			pi->category_id = json_integer_value(f);
			if (pi->category_id < 1)
				return spend_errf(err, SPEND_EINVAL, field,
				    "%s %lld: not a category id", field,
				    (long long)pi->category_id);
		} else if (f != NULL) {
			if (!json_is_string(f) ||
			    strlen(json_string_value(f)) != json_string_length(f))
				return spend_errf(err, SPEND_EINVAL, field,
				    "%s must be a name or an id", field);
			pi->category = json_string_value(f);
		}
		snprintf(field, sizeof(field), "parts[%zu].note", i);
		if ((f = json_object_get(o, "note")) != NULL &&
		    !json_is_null(f)) {
			if (!json_is_string(f) ||
			    strlen(json_string_value(f)) != json_string_length(f))
				return spend_errf(err, SPEND_EINVAL, field,
				    "%s must be a string", field);
			pi->note = json_string_value(f);
		}
	}
	return 0;
}

int
expense_input_from_json(json_t *p, struct expense_input *in,
    const char ***tags, struct spend_err *err)
{
	struct expense_part_input *parts = NULL;
	json_t *v, *pv = NULL;
	size_t ntags = 0, nparts = 0;

	memset(in, 0, sizeof(*in));
	*tags = NULL;
	if ((v = json_object_get(p, "amount")) != NULL &&
	    (json_is_real(v) || json_is_integer(v)))
		return spend_errf(err, SPEND_EINVAL, "amount", "amount must be a "
		    "decimal string like \"12.50\", not a JSON number");
	if (jp_cstr(p, "amount", false, &in->amount, err) < 0 ||
	    jp_cstr(p, "currency", false, &in->currency, err) < 0 ||
	    jp_cstr(p, "date", false, &in->date, err) < 0 ||
	    jp_cstr(p, "note", false, &in->note, err) < 0 ||
	    jp_cstr(p, "payee", false, &in->payee, err) < 0)
		return SPEND_EINVAL;
	in->set |= (in->amount ? EF_AMOUNT : 0) |
	    (in->currency ? EF_CURRENCY : 0) | (in->date ? EF_DATE : 0) |
	    (in->note ? EF_NOTE : 0) | (in->payee ? EF_PAYEE : 0);
	/* category: an id, or a name (category_id: an id, for add) */
	if ((v = json_object_get(p, "category")) == NULL)
		v = json_object_get(p, "category_id");
	if (v != NULL && !json_is_null(v)) {
		if (json_is_integer(v))
			in->category_id = json_integer_value(v);
		else if (jp_cstr(p, json_object_get(p, "category") ? "category" :
		    "category_id", false, &in->category, err) < 0) {
			strlcpy(err->field, "category", sizeof(err->field));
			return SPEND_EINVAL;
		}
		in->set |= EF_CATEGORY;
	}
	if ((pv = json_object_get(p, "parts")) != NULL && !json_is_null(pv)) {
		if (!json_is_array(pv))
			return spend_errf(err, SPEND_EINVAL, "parts", "parts must "
			    "be an array of {amount, category, note}");
		if (json_array_size(pv) > EXPENSE_PARTS_MAX)
			return spend_errf(err, SPEND_EINVAL, "parts", "a split "
			    "has 2 to %d parts (%zu given)", EXPENSE_PARTS_MAX,
			    json_array_size(pv));
		nparts = json_array_size(pv);
		in->set |= EF_PARTS;
	}
	if ((v = json_object_get(p, "tags")) != NULL && !json_is_null(v)) {
		if (!json_is_array(v))
			return spend_errf(err, SPEND_EINVAL, "tags",
			    "tags must be an array of strings");
		if (json_array_size(v) > TAGS_MAX)
			return spend_errf(err, SPEND_EINVAL, "tags",
			    "at most %d tags", TAGS_MAX);
		ntags = json_array_size(v);
	}
	/* one block (*tags): the tags' pointers, then the parts */
	if (ntags || nparts) {
		size_t head = (ntags + 1) * sizeof(**tags);

		head = (head + 15) & ~(size_t)15;
		if ((*tags = calloc(1, head + nparts *
		    sizeof(struct expense_part_input))) == NULL)
			return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
		parts = (struct expense_part_input *)(void *)((char *)*tags +
		    head);
	}
	if (nparts) {
		int r;

		if ((r = parts_from_json(pv, parts, err)) < 0)
			return r;
		in->parts = parts;
		in->nparts = nparts;
	}
	if (v != NULL && !json_is_null(v)) {
		size_t i;
		json_t *t;

		json_array_foreach(v, i, t) {
			if (!json_is_string(t) ||
			    strlen(json_string_value(t)) != json_string_length(t))
				return spend_errf(err, SPEND_EINVAL, "tags",
				    "tags must be strings");
			(*tags)[i] = json_string_value(t);
		}
		in->tags = *tags;
		in->ntags = json_array_size(v);
		in->set |= EF_TAGS;
	}
	return 0;
}

/* expense.add's items: at most this many in one call */
#define BULK_MAX 1000

/* One expense of expense.add's params p, added as e. */
static int
add_expense(struct rpc_call *c, json_t *p, struct expense *e,
    struct spend_err *err)
{
	struct expense_input in;
	const char **tags;
	int r;

	if ((r = expense_input_from_json(p, &in, &tags, err)) == 0)
		r = expense_create(&c->w, &c->user, &in, e, err);
	free(tags);
	return r;
}

/* One expense.add: its result is the expense written as text (a raw
 * result, and its event text too: no tree is built, for the reply nor
 * for an event no one listens to), with id and version beside it for
 * REST's ETag. */
static int
add_one(struct rpc_call *c, json_t *p, struct spend_err *err)
{
	struct expense e;
	struct jw w;
	json_t *summary;
	int r;

	if ((r = add_expense(c, p, &e, err)) < 0)
		return r;
	if ((summary = json_pack("{s:I, s:I}", "id", (json_int_t)e.id,
	    "version", (json_int_t)e.version)) == NULL)
		return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	jw_init(&w);
	expense_write(&w, &e);
	r = rpc_result_raw(c, &w, summary, err);
	jw_free(&w);
	return r;
}

/* Failures of the store or the machine, not of an item: the whole bulk
 * add is undone and fails with it. */
static bool
bulk_fatal(int code)
{
	return code == SPEND_EBUSY || code == SPEND_ESTORE ||
	    code == SPEND_ENOMEM || code == SPEND_EFULL ||
	    code == SPEND_EINTERNAL || code == SPEND_EUNAVAIL;
}

/* err about items[i]: its field becomes items[i].field, its message says
 * which item. */
static void
item_err(struct spend_err *err, size_t i)
{
	struct spend_err e = *err;

	if (e.field[0])
		snprintf(err->field, sizeof(err->field), "items[%zu].%s", i,
		    e.field);
	else
		snprintf(err->field, sizeof(err->field), "items[%zu]", i);
	snprintf(err->msg, sizeof(err->msg), "items[%zu]: %s", i, e.msg);
}

/*
 * expense.add with items: 1 to BULK_MAX expenses in the call's one write
 * transaction, each in a savepoint of its own: a bad item is answered
 * with its error and undoes nothing else. Each added expense is an event
 * of its own, as a single add's. The reply is written as text as the
 * items go (a raw result): no tree per expense.
 */
static int
add_items(struct rpc_call *c, json_t *items, struct spend_err *err)
{
	struct write_tx *w = &c->w;
	struct jw out, one;
	json_t *item;
	size_t i;
	int added = 0, errors = 0, r;

	if (!json_is_array(items) || json_array_size(items) == 0 ||
	    json_array_size(items) > BULK_MAX)
		return spend_errf(err, SPEND_EINVAL, "items", "items must be an "
		    "array of 1 to %d objects of expense.add's params",
		    BULK_MAX);
	jw_init(&out);
	jw_init(&one);
	jw_obj(&out);
	jw_key(&out, "items");
	jw_arr(&out);
	json_array_foreach(items, i, item) {
		int64_t first = w->first_seq, last = w->last_seq;
		int n = w->nchanges;
		struct spend_err ierr;
		struct expense e;

		spend_err_clear(&ierr);
		if (!json_is_object(item))
			r = spend_errf(&ierr, SPEND_EINVAL, "", "an object of "
			    "expense.add's params");
		else if (json_object_get(item, "items") != NULL)
			r = spend_errf(&ierr, SPEND_EINVAL, "items",
			    "items do not nest");
		else
			r = rpc_params_check(c->m, item, &ierr);
		if (r == 0 && (r = store_begin(c->st, &ierr)) == 0) {
			if ((r = add_expense(c, item, &e, &ierr)) < 0 ||
			    (r = store_commit(c->st, &ierr)) < 0) {
				store_rollback(c->st);
				w->first_seq = first;	/* gone with it */
				w->last_seq = last;
				w->nchanges = n;
			}
		}
		if (r < 0 && bulk_fatal(r)) {
			jw_free(&out);
			jw_free(&one);
			item_err(&ierr, i);
			*err = ierr;
			return r;
		}
		jw_obj(&out);
		if (r < 0) {
			json_t *eo;

			if (ierr.code == 0)
				spend_errf(&ierr, r, "", "refused");
			item_err(&ierr, i);
			if ((eo = rpc_error_object(&ierr)) == NULL) {
				r = spend_errf(err, SPEND_ENOMEM, "",
				    "out of memory");
				goto fail;
			}
			jw_key(&out, "error");
			jw_json(&out, eo);
			json_decref(eo);
			errors++;
		} else {
			jw_reset(&one);
			expense_write(&one, &e);
			/* only a damaged row (text not UTF-8) or no memory */
			if (jw_error(&one)) {
				r = spend_errf(err, jw_error(&one) ==
				    SPEND_ENOMEM ? SPEND_ENOMEM : SPEND_EINTERNAL,
				    "", "expense %lld: cannot write its JSON: %s",
				    (long long)e.id, one.msg);
				goto fail;
			}
			rpc_publish_text(c, one.buf, one.len);
			jw_key(&out, "result");
			jw_raw(&out, one.buf, one.len);
			added++;
		}
		jw_end(&out);
	}
	jw_end(&out);
	jw_key(&out, "added");
	jw_int(&out, added);
	jw_key(&out, "errors");
	jw_int(&out, errors);
	jw_end(&out);
	r = rpc_result_raw(c, &out, NULL, err);
fail:
	jw_free(&one);
	jw_free(&out);
	return r;
}

int
h_expense_add(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	json_t *items = json_object_get(p, "items");

	(void)res;	/* raw results */
	if (items != NULL && !json_is_null(items))
		return add_items(c, items, err);
	return add_one(c, p, err);
}

int
h_expense_get(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct expense e;
	int64_t id;
	int r;

	if (jp_int(p, "id", true, 1, INT64_MAX, &id, NULL, err) < 0)
		return SPEND_EINVAL;
	if ((r = expense_get(c->st, c->uid, id, &e, err)) < 0)
		return r;
	*res = expense_json(&e);
	return 0;
}

/* Learning: the user moved e to another category and no rule matches
 * its payee: offer the rule "payee contains X -> category Y". */
static int
suggest_rule(struct rpc_call *c, const struct expense *e, json_t *res,
    struct spend_err *err)
{
	struct rule_subject s = { e->payee, e->note, e->amount, e->currency,
	    e->source };
	struct rule_result rr;
	struct rule_set *rs;
	int r;

	if (e->payee[0] == '\0')
		return 0;
	if ((r = rule_set_load(c->st, c->uid, &rs, err)) < 0)
		return r;
	r = rule_eval(rs, &s, &rr, err);
	rule_set_free(rs);
	if (r < 0)
		return r;
	if (rr.category_rule == 0)
		json_object_set_new(res, "suggested_rule", jp_pack("{s:s, s:s}",
		    "payee_contains", e->payee, "category", e->category));
	return 0;
}

int
h_expense_edit(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct expense_input in;
	struct expense e, old;
	int64_t id, version = 0;
	const char **tags;
	int r;

	if (jp_int(p, "id", true, 1, INT64_MAX, &id, NULL, err) < 0 ||
	    jp_int(p, "version", false, 1, INT64_MAX, &version, NULL, err) < 0)
		return SPEND_EINVAL;
	if ((r = expense_input_from_json(p, &in, &tags, err)) == 0 &&
	    (r = expense_get(c->st, c->uid, id, &old, err)) == 0 &&
	    (r = expense_update(&c->w, &c->user, id, version, &in, &e,
	    err)) == 0) {
		*res = expense_json(&e);
		if (old.category_id != e.category_id &&
		    (r = suggest_rule(c, &e, *res, err)) < 0) {
			json_decref(*res);
			*res = NULL;
		}
	}
	free(tags);
	return r;
}

int
h_expense_delete(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	int64_t id, version = 0;
	int r;

	if (jp_int(p, "id", true, 1, INT64_MAX, &id, NULL, err) < 0 ||
	    jp_int(p, "version", false, 1, INT64_MAX, &version, NULL, err) < 0)
		return SPEND_EINVAL;
	if ((r = expense_delete(&c->w, id, version, err)) < 0)
		return r;
	*res = jp_pack("{s:I, s:b}", "id", (json_int_t)id, "deleted", 1);
	return 0;
}

/* ---- list ---- */

static const char *const sort_names[] = { "date", "amount", "created", "payee" };

int
expense_filter_from_json(struct store *st, int64_t uid, json_t *p,
    struct expense_filter *f, struct spend_err *err)
{
	char month[16], buf[64], sort[16], order[8];
	bool have_month, have_from, have_to, have;
	int r;

	memset(f, 0, sizeof(*f));
	f->desc = true;
	if (jp_str(p, "month", false, month, sizeof(month), NULL, &have_month,
	    err) < 0 ||
	    jp_str(p, "from", false, f->from, sizeof(f->from), NULL, &have_from,
	    err) < 0 ||
	    jp_str(p, "to", false, f->to, sizeof(f->to), NULL, &have_to, err) < 0)
		return SPEND_EINVAL;
	if (have_month) {
		if (have_from || have_to)
			return spend_errf(err, SPEND_EINVAL, "month",
			    "give month or from/to, not both");
		if (month_range(month, f->from, f->to) < 0)
			return spend_errf(err, SPEND_EINVAL, "month",
			    "month \"%s\": expected YYYY-MM", month);
	}
	if (have_from && !date_valid(f->from))
		return spend_errf(err, SPEND_EINVAL, "from",
		    "from \"%s\": not a calendar date YYYY-MM-DD", f->from);
	if (have_to && !date_valid(f->to))
		return spend_errf(err, SPEND_EINVAL, "to",
		    "to \"%s\": not a calendar date YYYY-MM-DD", f->to);
	if (f->from[0] && f->to[0] && strcmp(f->from, f->to) > 0)
		return spend_errf(err, SPEND_EINVAL, "to",
		    "to (%s) is before from (%s)", f->to, f->from);
	if (json_object_get(p, "category")) {
		struct category cat;
		json_t *q;
		json_t *jc = json_object_get(p, "category");

		if (json_is_integer(jc) && json_integer_value(jc) < 1)
			return spend_errf(err, SPEND_EINVAL, "category",
			    "category %lld: not a category id",
			    (long long)json_integer_value(jc));
		q = json_object();
		json_object_set(q, json_is_integer(jc) ? "id" : "category", jc);
		r = category_from_json(st, uid, q, "category", false, &cat, err);
		json_decref(q);
		if (r < 0)
			return r;
		f->category_id = cat.id;
	}
	if (jp_str(p, "search", false, f->search, sizeof(f->search), NULL, NULL,
	    err) < 0)
		return SPEND_EINVAL;
	if (jp_amount(p, "min", false, buf, sizeof(buf), &have, err) < 0)
		return SPEND_EINVAL;
	if (have) {
		if ((r = money_parse_field(buf, 4, false, MONEY_MAX_E4, "min",
		    &f->min_e4, err)) < 0)
			return r;
		f->has_min = true;
	}
	if (jp_amount(p, "max", false, buf, sizeof(buf), &have, err) < 0)
		return SPEND_EINVAL;
	if (have) {
		if ((r = money_parse_field(buf, 4, false, MONEY_MAX_E4, "max",
		    &f->max_e4, err)) < 0)
			return r;
		f->has_max = true;
	}
	if (jp_str(p, "currency", false, f->currency, sizeof(f->currency), NULL,
	    &have, err) < 0)
		return SPEND_EINVAL;
	for (char *q = f->currency; *q; q++)	/* as expense.add takes it */
		if (*q >= 'a' && *q <= 'z')
			*q -= 32;
	if (have && money_currency(f->currency) == NULL)
		return spend_errf(err, SPEND_EINVAL, "currency",
		    "currency \"%s\": not an ISO 4217 code", f->currency);
	if (jp_str(p, "tag", false, f->tag, sizeof(f->tag), NULL, NULL, err) < 0)
		return SPEND_EINVAL;
	/* one tag: a comma would match across two neighbouring ones */
	if (strpbrk(f->tag, ", ") != NULL)
		return spend_errf(err, SPEND_EINVAL, "tag",
		    "tag \"%s\": one tag, no spaces or commas", f->tag);
	str_tolower(f->tag);
	if (jp_str(p, "sort", false, sort, sizeof(sort), NULL, &have, err) < 0)
		return SPEND_EINVAL;
	if (have) {
		size_t i;

		for (i = 0; i < 4; i++)
			if (!strcmp(sort, sort_names[i]))
				break;
		if (i == 4)
			return spend_errf(err, SPEND_EINVAL, "sort",
			    "sort \"%s\": use date, amount, created or payee",
			    sort);
		f->sort = (enum expense_sort)i;
		f->desc = f->sort != SORT_PAYEE;
	}
	if (jp_str(p, "order", false, order, sizeof(order), NULL, &have, err) < 0)
		return SPEND_EINVAL;
	if (have) {
		if (strcmp(order, "asc") && strcmp(order, "desc"))
			return spend_errf(err, SPEND_EINVAL, "order",
			    "order \"%s\": use asc or desc", order);
		f->desc = !strcmp(order, "desc");
	}
	return 0;
}

/* The reply as it is written: rows into w's "items", the totals' members
 * into sum until the count (which comes before them) is known. */
struct list_ctx {
	struct jw *w, sum;
	int64_t count;
};

static int
list_row(void *arg, const struct expense *e)
{
	struct list_ctx *lc = arg;

	expense_write(lc->w, e);
	return jw_error(lc->w);
}

static int
list_total(void *arg, const struct expense_total *t)
{
	struct list_ctx *lc = arg;
	const struct currency *cur = money_currency(t->currency);
	char buf[MONEY_STR_MAX];

	money_format(t->sum, cur ? cur->exponent : 2, buf, sizeof(buf));
	jw_key(&lc->sum, t->currency);
	jw_decimal(&lc->sum, buf);
	lc->count += t->count;
	return jw_error(&lc->sum);
}

/* What expense.list's worker needs, parsed on the loop. */
struct list_req {
	struct expense_filter f;
	int limit;
	bool have_cursor;
	char cursor[EXPENSE_CURSOR_MAX];
};

/* On a READ worker: the page, and the totals of the whole filtered set
 * (a scan that grows with the data). The reply
 * {"items":[...],"count":N,"sum":{CUR:"AMOUNT",...},"next_cursor":C|null}
 * is written as the rows come, a raw result (rpc_result_raw): no tree,
 * no allocation per row. */
static int
list_work(struct rpc_call *c, struct store *st, struct write_tx *w, void *arg,
    json_t **res, struct spend_err *err)
{
	struct list_req *lr = arg;
	struct list_ctx lc;
	struct jw out;
	char next[EXPENSE_CURSOR_MAX];
	json_t *summary;
	int r;

	(void)w;
	(void)res;
	jw_init(&out);
	jw_init(&lc.sum);
	lc.w = &out;
	lc.count = 0;
	jw_obj(&out);
	jw_key(&out, "items");
	jw_arr(&out);
	jw_obj(&lc.sum);
	if ((r = expense_list(st, c->uid, &lr->f, lr->limit,
	    lr->have_cursor ? lr->cursor : NULL, list_row, list_total, &lc,
	    next, err)) < 0)
		goto out;
	if (jw_end(&lc.sum) < 0)
		goto out;
	jw_end(&out);
	jw_key(&out, "count");
	jw_int(&out, lc.count);
	jw_key(&out, "sum");
	jw_raw(&out, lc.sum.buf, lc.sum.len);
	jw_key(&out, "next_cursor");
	if (next[0])
		jw_str(&out, next);
	else
		jw_null(&out);
	jw_end(&out);
	/* REST reads next_cursor (its Link header) from the summary */
	summary = json_pack("{s:o}", "next_cursor", next[0] ?
	    json_string(next) : json_null());
	if (summary == NULL)
		r = spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	else
		r = rpc_result_raw(c, &out, summary, err);
out:
	/* a row or total the writer refused (stored text that is not
	 * UTF-8: spendd's fault, not the client's) or out of memory: the
	 * list fails, it does not come back short */
	if (jw_error(&out) || jw_error(&lc.sum)) {
		const struct jw *bad = jw_error(&out) ? &out : &lc.sum;

		if (jw_error(bad))
			r = spend_errf(err, jw_error(bad) == SPEND_ENOMEM ?
			    SPEND_ENOMEM : SPEND_EINTERNAL, "", "cannot write "
			    "the list: %s", bad->msg);
	}
	jw_free(&out);
	jw_free(&lc.sum);
	return r;
}

int
h_expense_list(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct list_req *lr;
	int64_t limit = LIST_DEFAULT;
	int r;

	(void)res;
	lr = xcalloc(1, sizeof(*lr));
	if ((r = expense_filter_from_json(c->st, c->uid, p, &lr->f, err)) < 0 ||
	    (r = jp_int(p, "limit", false, 1, LIST_MAX, &limit, NULL,
	    err)) < 0 ||
	    (r = jp_str(p, "cursor", false, lr->cursor, sizeof(lr->cursor),
	    NULL, &lr->have_cursor, err)) < 0) {
		free(lr);
		return r;
	}
	lr->limit = (int)limit;
	return rpc_offload(c, JOB_READ, list_work, lr, free, err);
}
