/* expense.* handlers and the expense JSON shape. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "handlers.h"
#include "jsonp.h"
#include "money.h"
#include "util.h"

#define LIST_DEFAULT 50
#define LIST_MAX 500

json_t *
tags_to_json(const char *canon)
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

int
tags_from_json(json_t *arr, char *out, size_t size, struct spend_err *err)
{
	size_t i;
	json_t *v;

	if (!json_is_array(arr))
		return spend_errf(err, SPEND_EINVAL, "tags",
		    "tags must be an array of strings");
	if (json_array_size(arr) > TAGS_MAX)
		return spend_errf(err, SPEND_EINVAL, "tags",
		    "at most %d tags", TAGS_MAX);
	out[0] = '\0';
	json_array_foreach(arr, i, v) {
		char t[TAG_MAX_LEN + 3], tag[TAG_MAX_LEN + 1];
		const char *s = json_string_value(v);
		size_t n;

		if (s == NULL)
			return spend_errf(err, SPEND_EINVAL, "tags",
			    "tags must be strings");
		n = strlen(s);
		if (n == 0 || n > TAG_MAX_LEN)
			return spend_errf(err, SPEND_EINVAL, "tags",
			    "tag \"%.40s\": must be 1 to %d bytes", s, TAG_MAX_LEN);
		if (!text_clean(s, NULL) || strpbrk(s, ", ") != NULL)
			return spend_errf(err, SPEND_EINVAL, "tags",
			    "tag \"%s\": no spaces, commas or control characters",
			    s);
		strlcpy(tag, s, sizeof(tag));
		str_tolower(tag);
		snprintf(t, sizeof(t), ",%s,", tag);
		if (strstr(out, t))
			continue;	/* duplicates collapse */
		if (out[0] == '\0')
			strlcpy(out, t, size);
		else
			strlcat(out, t + 1, size);
	}
	return 0;
}

json_t *
expense_json(const struct expense *e)
{
	const struct currency *cur = money_currency(e->currency);
	char amount[MONEY_STR_MAX];

	money_format(e->amount, cur ? cur->exponent : 2, amount, sizeof(amount));
	return jp_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:s, s:s}",
	    "id", (json_int_t)e->id, "amount", amount, "currency", e->currency,
	    "category", e->category, "date", e->date, "note", e->note,
	    "payee", e->payee, "tags", tags_to_json(e->tags),
	    "version", (json_int_t)e->version, "created_at", e->created_at,
	    "updated_at", e->updated_at);
}

int
expense_from_json(struct store *st, const struct user *u, json_t *f,
    struct expense *e, bool is_add, struct spend_err *err)
{
	char amount[64], cur[8], date[16];
	bool have_amount, have_cur, have_date, have;
	const struct currency *c;
	json_t *tags, *jcat;
	int r;

	if (jp_amount(f, "amount", is_add, amount, sizeof(amount), &have_amount,
	    err) < 0 ||
	    jp_str(f, "currency", false, cur, sizeof(cur), NULL, &have_cur,
	    err) < 0 ||
	    jp_str(f, "date", false, date, sizeof(date), NULL, &have_date, err) < 0 ||
	    jp_str(f, "note", false, e->note, sizeof(e->note), "\t\n", &have,
	    err) < 0 ||
	    jp_str(f, "payee", false, e->payee, sizeof(e->payee), NULL, &have,
	    err) < 0)
		return SPEND_EINVAL;
	if (is_add)
		e->user_id = u->id;
	if (have_cur) {
		str_trim(cur);
		for (char *p = cur; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p -= 32;
		if (money_currency(cur) == NULL)
			return spend_errf(err, SPEND_EINVAL, "currency",
			    "currency \"%s\": not an ISO 4217 code", cur);
		/* changing only the currency must still fit the amount */
		if (!have_amount && !is_add) {
			const struct currency *old = money_currency(e->currency);
			char buf[MONEY_STR_MAX];

			money_format(e->amount, old ? old->exponent : 2, buf,
			    sizeof(buf));
			/* "12.00" EUR is 12 JPY: only real decimals refuse */
			if (strchr(buf, '.') != NULL) {
				size_t n = strlen(buf);

				while (buf[n - 1] == '0')
					buf[--n] = '\0';
				if (buf[n - 1] == '.')
					buf[--n] = '\0';
			}
			strlcpy(amount, buf, sizeof(amount));
			have_amount = true;
		}
		strlcpy(e->currency, cur, sizeof(e->currency));
	} else if (is_add)
		strlcpy(e->currency, u->currency, sizeof(e->currency));
	c = money_currency(e->currency);
	if (have_amount) {
		str_trim(amount);
		if ((r = money_parse(amount, c->exponent, false, &e->amount,
		    err)) < 0)
			return r;
		if (e->amount == 0)
			return spend_errf(err, SPEND_EINVAL, "amount",
			    "amount must not be zero");
	}
	if (have_date) {
		if (!date_valid(date))
			return spend_errf(err, SPEND_EINVAL, "date",
			    "date \"%s\": not a calendar date YYYY-MM-DD", date);
		strlcpy(e->date, date, sizeof(e->date));
	} else if (is_add)
		date_today(u->timezone, e->date);
	if ((jcat = json_object_get(f, "category")) != NULL ||
	    (is_add && (jcat = json_object_get(f, "category_id")) != NULL) ||
	    is_add) {
		struct category cat;
		json_t *q;

		/* checked here, or the lookup would blame its own "id" */
		if (json_is_integer(jcat) && json_integer_value(jcat) < 1)
			return spend_errf(err, SPEND_EINVAL, "category",
			    "category %lld: not a category id",
			    (long long)json_integer_value(jcat));
		q = json_object();
		if (json_is_integer(jcat))
			json_object_set(q, "id", jcat);
		else if (jcat)
			json_object_set(q, "category", jcat);
		r = category_lookup(st, u->id, q, "category", &cat, err);
		json_decref(q);
		if (r < 0)
			return r;
		if (cat.archived && cat.id != e->category_id)
			return spend_errf(err, SPEND_EINVAL, "category",
			    "category \"%s\" is archived", cat.name);
		e->category_id = cat.id;
		strlcpy(e->category, cat.name, sizeof(e->category));
	}
	if ((tags = json_object_get(f, "tags")) != NULL && !json_is_null(tags)) {
		if ((r = tags_from_json(tags, e->tags, sizeof(e->tags), err)) < 0)
			return r;
	}
	return 0;
}

int
h_expense_add(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	static const char *const known[] = { "amount", "currency", "category",
	    "date", "note", "payee", "tags", NULL };
	struct expense e;
	int r;

	memset(&e, 0, sizeof(e));
	if (jp_only(p, known, err) < 0)
		return SPEND_EINVAL;
	if ((r = expense_from_json(c->st, &c->user, p, &e, true, err)) < 0 ||
	    (r = store_expense_add(c->st, &e, err)) < 0)
		return r;
	*res = expense_json(&e);
	return 0;
}

int
h_expense_get(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	static const char *const known[] = { "id", NULL };
	struct expense e;
	int64_t id;
	int r;

	if (jp_only(p, known, err) < 0 ||
	    jp_int(p, "id", true, 1, INT64_MAX, &id, NULL, err) < 0)
		return SPEND_EINVAL;
	if ((r = store_expense_get(c->st, c->uid, id, &e, err)) < 0)
		return r;
	*res = expense_json(&e);
	return 0;
}

int
h_expense_edit(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	static const char *const known[] = { "id", "version", "amount",
	    "currency", "category", "date", "note", "payee", "tags", NULL };
	struct expense e;
	int64_t id, version = 0;
	int r;

	if (jp_only(p, known, err) < 0 ||
	    jp_int(p, "id", true, 1, INT64_MAX, &id, NULL, err) < 0 ||
	    jp_int(p, "version", false, 1, INT64_MAX, &version, NULL, err) < 0)
		return SPEND_EINVAL;
	if ((r = store_expense_get(c->st, c->uid, id, &e, err)) < 0)
		return r;
	if (version && version != e.version)
		return spend_errf(err, SPEND_ESTALE, "version", "expense %lld "
		    "was changed meanwhile (now version %lld, you sent %lld)",
		    (long long)id, (long long)e.version, (long long)version);
	if ((r = expense_from_json(c->st, &c->user, p, &e, false, err)) < 0 ||
	    (r = store_expense_update(c->st, &e, e.version, err)) < 0)
		return r;
	*res = expense_json(&e);
	return 0;
}

int
h_expense_delete(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	static const char *const known[] = { "id", "version", NULL };
	int64_t id, version = 0;
	int r;

	if (jp_only(p, known, err) < 0 ||
	    jp_int(p, "id", true, 1, INT64_MAX, &id, NULL, err) < 0 ||
	    jp_int(p, "version", false, 1, INT64_MAX, &version, NULL, err) < 0)
		return SPEND_EINVAL;
	if ((r = store_expense_delete(c->st, c->uid, id, version, err)) < 0)
		return r;
	*res = jp_pack("{s:I, s:b}", "id", (json_int_t)id, "deleted", 1);
	return 0;
}

/* ---- list ---- */

static const char *const sort_names[] = { "date", "amount", "created", "payee" };

/* Cursor: base64url("v1|sort|order|key|num|id"); opaque to clients. */
static void
cursor_encode(const struct expense_filter *f, const struct expense *last,
    char *out, size_t len)
{
	char key[PAYEE_MAX_LEN + 1], raw[PAYEE_MAX_LEN + 96];
	int64_t num;

	store_expense_sort_key(last, f->sort, key, sizeof(key), &num);
	snprintf(raw, sizeof(raw), "v1|%s|%s|%lld|%lld|%s",
	    sort_names[f->sort], f->desc ? "desc" : "asc", (long long)last->id,
	    (long long)num, key);
	b64url_encode(raw, strlen(raw), out, len);
}

static int
cursor_decode(const char *s, struct expense_filter *f, struct spend_err *err)
{
	char raw[PAYEE_MAX_LEN + 96], sort[16], order[8];
	long long id, num;
	int n, off = 0;

	n = b64url_decode(s, raw, sizeof(raw) - 1);
	if (n < 0)
		goto bad;
	raw[n] = '\0';
	if (sscanf(raw, "v1|%15[a-z]|%7[a-z]|%lld|%lld|%n", sort, order, &id,
	    &num, &off) != 4 || off == 0)
		goto bad;
	if (strcmp(sort, sort_names[f->sort]) ||
	    strcmp(order, f->desc ? "desc" : "asc"))
		return spend_errf(err, SPEND_EINVAL, "cursor",
		    "cursor was made for another sort order: keep sort and "
		    "order the same while paging");
	f->after = true;
	f->after_id = id;
	f->after_num = num;
	strlcpy(f->after_key, raw + off, sizeof(f->after_key));
	return 0;
bad:
	return spend_errf(err, SPEND_EINVAL, "cursor", "cursor is not valid");
}

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
		r = category_lookup(st, uid, q, "category", &cat, err);
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

struct list_ctx {
	json_t *items;
	int limit, n;
	struct expense last;
	bool more;
};

static int
list_cb(void *arg, const struct expense *e)
{
	struct list_ctx *lc = arg;

	if (lc->n == lc->limit) {
		lc->more = true;
		return 1;
	}
	json_array_append_new(lc->items, expense_json(e));
	lc->last = *e;
	lc->n++;
	return 0;
}

struct totals_ctx {
	json_t *sum;
	int64_t count;
};

static int
totals_cb(void *arg, const struct expense_total *t)
{
	struct totals_ctx *tc = arg;
	const struct currency *cur = money_currency(t->currency);
	char buf[MONEY_STR_MAX];

	money_format(t->sum, cur ? cur->exponent : 2, buf, sizeof(buf));
	json_object_set_new(tc->sum, t->currency, json_string(buf));
	tc->count += t->count;
	return 0;
}

int
h_expense_list(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	static const char *const known[] = { "month", "from", "to", "category",
	    "search", "min", "max", "currency", "tag", "sort", "order", "limit",
	    "cursor", NULL };
	struct expense_filter f;
	struct list_ctx lc;
	struct totals_ctx tc;
	char cursor[512], next[512];
	int64_t limit = LIST_DEFAULT;
	bool have_cursor;
	int r;

	if (jp_only(p, known, err) < 0)
		return SPEND_EINVAL;
	if ((r = expense_filter_from_json(c->st, c->uid, p, &f, err)) < 0)
		return r;
	if (jp_int(p, "limit", false, 1, LIST_MAX, &limit, NULL, err) < 0 ||
	    jp_str(p, "cursor", false, cursor, sizeof(cursor), NULL,
	    &have_cursor, err) < 0)
		return SPEND_EINVAL;
	if (have_cursor && (r = cursor_decode(cursor, &f, err)) < 0)
		return r;
	memset(&lc, 0, sizeof(lc));
	lc.items = json_array();
	lc.limit = (int)limit;
	f.limit = (int)limit + 1;
	tc.sum = json_object();
	tc.count = 0;
	if ((r = store_expense_list(c->st, c->uid, &f, list_cb, &lc, err)) < 0 ||
	    (r = store_expense_totals(c->st, c->uid, &f, totals_cb, &tc,
	    err)) < 0) {
		json_decref(lc.items);
		json_decref(tc.sum);
		return r;
	}
	*res = jp_pack("{s:o, s:I, s:o}", "items", lc.items, "count",
	    (json_int_t)tc.count, "sum", tc.sum);
	if (lc.more) {
		cursor_encode(&f, &lc.last, next, sizeof(next));
		json_object_set_new(*res, "next_cursor", json_string(next));
	} else
		json_object_set_new(*res, "next_cursor", json_null());
	return 0;
}
