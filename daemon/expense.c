/* Expenses: the rules, in C types (domain.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "money.h"
#include "util.h"

int
expense_text_field(const char *field, const char *v, const char *allow, char *out,
    size_t size, struct spend_err *err)
{
	size_t len = strlen(v);

	if (len >= size)
		return spend_errf(err, SPEND_EINVAL, field,
		    "%s is too long (%zu bytes, at most %zu)", field, len,
		    size - 1);
	if (!text_clean(v, allow))
		return spend_errf(err, SPEND_EINVAL, field,
		    "%s contains control characters or invalid UTF-8", field);
	memcpy(out, v, len + 1);
	return 0;
}

int
expense_tags_canon(const char *const *tags, size_t n, char *out, size_t size,
    struct spend_err *err)
{
	if (n > TAGS_MAX)
		return spend_errf(err, SPEND_EINVAL, "tags",
		    "at most %d tags", TAGS_MAX);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char t[TAG_MAX_LEN + 3], tag[TAG_MAX_LEN + 1];
		const char *s = tags[i];
		size_t len = strlen(s);

		if (len == 0 || len > TAG_MAX_LEN)
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

/* The amount of e, formatted as its currency writes it, without
 * trailing zero decimals: what still fits when only the currency
 * changes ("12.00" EUR is 12 JPY; "12.50" EUR is no JPY). */
static void
amount_plain(const struct expense *e, char *buf, size_t size)
{
	const struct currency *old = money_currency(e->currency);

	money_format(e->amount, old ? old->exponent : 2, buf, size);
	if (strchr(buf, '.') != NULL) {
		size_t n = strlen(buf);

		while (buf[n - 1] == '0')
			buf[--n] = '\0';
		if (buf[n - 1] == '.')
			buf[--n] = '\0';
	}
}

/* A category for a part (or the whole) of e: found by in's cat, id or
 * name; an archived one only if e uses it already. */
static int
category_of(struct store *st, int64_t stage, const struct user *u,
    const struct expense *e, const struct category *given, int64_t id,
    const char *name, const char *field, struct category *out,
    struct spend_err *err)
{
	bool used = false;
	int r;

	if (given != NULL)
		*out = *given;
	else {
		if (name == NULL && id < 1)
			return spend_errf(err, SPEND_EINVAL, field,
			    "%s %lld: not a category id", field, (long long)id);
		if ((r = category_find(st, u->id, stage, name ? 0 : id, name,
		    false, out, err)) < 0) {
			if (strcmp(field, "category") != 0)
				spend_err_prefix(err, "%s", field);
			strlcpy(err->field, field, sizeof(err->field));
			return r;
		}
	}
	used = out->id == e->category_id;
	for (int i = 0; i < e->nparts && !used; i++)
		used = out->id == e->parts[i].category_id;
	if (out->archived && !used)
		return spend_errf(err, SPEND_EINVAL, field,
		    "%s \"%s\" is archived", field, out->name);
	return 0;
}

/* The split of in into e (its amount and currency set): 2 to
 * EXPENSE_PARTS_MAX parts, each of e's sign, summing exactly to it. */
static int
parts_apply(struct store *st, int64_t stage, const struct user *u,
    const struct expense_input *in, struct expense *e, struct spend_err *err)
{
	const struct currency *cur = money_currency(e->currency);
	struct expense_part parts[EXPENSE_PARTS_MAX];
	char field[48], amount[64], a[MONEY_STR_MAX], b[MONEY_STR_MAX];
	int64_t sum = 0;
	size_t n = in->nparts;
	int r;

	if (n < 2 || n > EXPENSE_PARTS_MAX)
		return spend_errf(err, SPEND_EINVAL, "parts", "a split has 2 to "
		    "%d parts (%zu given)", EXPENSE_PARTS_MAX, n);
	memset(parts, 0, sizeof(parts));
	for (size_t i = 0; i < n; i++) {
		const struct expense_part_input *pi = &in->parts[i];
		struct expense_part *p = &parts[i];
		struct category cat;

		snprintf(field, sizeof(field), "parts[%zu].amount", i);
		if (pi->amount == NULL)
			return spend_errf(err, SPEND_EINVAL, field,
			    "%s is required", field);
		if (expense_text_field(field, pi->amount, NULL, amount,
		    sizeof(amount), err) < 0)
			return SPEND_EINVAL;
		str_trim(amount);
		if ((r = money_parse(amount, cur->exponent, false, &p->amount,
		    err)) < 0) {
			strlcpy(err->field, field, sizeof(err->field));
			spend_err_prefix(err, "%s", field);
			return r;
		}
		if (p->amount == 0)
			return spend_errf(err, SPEND_EINVAL, field,
			    "%s must not be zero", field);
		if ((p->amount < 0) != (e->amount < 0)) {
			money_format(e->amount, cur->exponent, a, sizeof(a));
			return spend_errf(err, SPEND_EINVAL, field,
			    "%s %s: not of the sign of the amount %s (the parts "
			    "of a split all spend, or all refund)", field,
			    amount, a);
		}
		sum += p->amount;	/* 32 of 10^14 at most: no overflow */
		snprintf(field, sizeof(field), "parts[%zu].category", i);
		if (pi->cat == NULL && pi->category == NULL &&
		    pi->category_id == 0)
			return spend_errf(err, SPEND_EINVAL, field,
			    "%s is required", field);
		if ((r = category_of(st, stage, u, e, pi->cat,
		    pi->category_id, pi->category, field, &cat, err)) < 0)
			return r;
		p->category_id = cat.id;
		strlcpy(p->category, cat.name, sizeof(p->category));
		snprintf(field, sizeof(field), "parts[%zu].note", i);
		if (pi->note && expense_text_field(field, pi->note, "\t\n",
		    p->note, sizeof(p->note), err) < 0)
			return SPEND_EINVAL;
	}
	if (sum != e->amount) {
		char d[MONEY_STR_MAX];
		int64_t diff = sum - e->amount;

		money_format(sum, cur->exponent, a, sizeof(a));
		money_format(e->amount, cur->exponent, b, sizeof(b));
		money_format(diff < 0 ? -diff : diff, cur->exponent, d,
		    sizeof(d));
		snprintf(field, sizeof(field), "parts[%zu].amount", n - 1);
		return spend_errf(err, SPEND_EINVAL, field, "%s: the parts sum "
		    "to %s, not the amount %s: %s %s", field, a, b, d,
		    (diff < 0) != (e->amount < 0) ? "short" : "over");
	}
	e->nparts = (int)n;
	memcpy(e->parts, parts, n * sizeof(parts[0]));
	/* the whole's category: its first part's */
	e->category_id = parts[0].category_id;
	strlcpy(e->category, parts[0].category, sizeof(e->category));
	return 0;
}

/* The fields of in into e: all of them for a new expense (is_add), else
 * only those given. */
static int
apply(struct store *st, int64_t stage, const struct user *u,
    const struct expense_input *in, struct expense *e, bool is_add,
    struct spend_err *err)
{
	const struct currency *cur;
	char amount[64];
	bool have_amount = (in->set & EF_AMOUNT) != 0;
	bool split = (in->set & EF_PARTS) && in->nparts > 0;
	int r;

	if (is_add && !(in->set & (EF_AMOUNT | EF_AMOUNT_MINOR)))
		return spend_errf(err, SPEND_EINVAL, "amount", "amount is "
		    "required");
	/* an add without a category: the rules choose (expense_check) */
	if (split && (in->set & EF_CATEGORY))
		return spend_errf(err, SPEND_EINVAL, "category", "a split takes "
		    "its categories from its parts: give a category in each "
		    "part, none for the whole");
	if (!is_add && e->nparts > 0 && !(in->set & EF_PARTS)) {
		if (in->set & (EF_AMOUNT | EF_AMOUNT_MINOR | EF_CURRENCY))
			return spend_errf(err, SPEND_EINVAL, "parts", "expense "
			    "%lld is split: give its parts again with a new "
			    "amount or currency (or join them: parts [])",
			    (long long)e->id);
		if (in->set & EF_CATEGORY)
			return spend_errf(err, SPEND_EINVAL, "category", "expense "
			    "%lld is split: its parts have the categories (join "
			    "them into this one: parts [] with the category)",
			    (long long)e->id);
	}
	if (have_amount && expense_text_field("amount", in->amount, NULL, amount,
	    sizeof(amount), err) < 0)
		return SPEND_EINVAL;
	if ((in->set & EF_NOTE) && expense_text_field("note", in->note, "\t\n", e->note,
	    sizeof(e->note), err) < 0)
		return SPEND_EINVAL;
	if ((in->set & EF_PAYEE) && expense_text_field("payee", in->payee, NULL,
	    e->payee, sizeof(e->payee), err) < 0)
		return SPEND_EINVAL;
	if (in->set & EF_CURRENCY) {
		char code[8];

		if (expense_text_field("currency", in->currency, NULL, code, sizeof(code),
		    err) < 0)
			return SPEND_EINVAL;
		str_trim(code);
		for (char *p = code; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p -= 32;
		if (money_currency(code) == NULL)
			return spend_errf(err, SPEND_EINVAL, "currency",
			    "currency \"%s\": not an ISO 4217 code", code);
		/* changing only the currency must still fit the amount */
		if (!have_amount && !(in->set & EF_AMOUNT_MINOR) && !is_add) {
			amount_plain(e, amount, sizeof(amount));
			have_amount = true;
		}
		strlcpy(e->currency, code, sizeof(e->currency));
	} else if (is_add)
		strlcpy(e->currency, u->currency, sizeof(e->currency));
	cur = money_currency(e->currency);
	if (have_amount) {
		str_trim(amount);
		if ((r = money_parse(amount, cur->exponent, false, &e->amount,
		    err)) < 0)
			return r;
	} else if (in->set & EF_AMOUNT_MINOR) {
		if (in->amount_minor > MONEY_MAX_MINOR ||
		    in->amount_minor < -MONEY_MAX_MINOR)
			return spend_errf(err, SPEND_EINVAL, "amount",
			    "amount out of range");
		e->amount = in->amount_minor;
	}
	if ((have_amount || (in->set & EF_AMOUNT_MINOR)) && e->amount == 0)
		return spend_errf(err, SPEND_EINVAL, "amount",
		    "amount must not be zero");
	if (in->set & EF_DATE) {
		if (!date_valid(in->date))
			return spend_errf(err, SPEND_EINVAL, "date",
			    "date \"%.40s\": not a calendar date YYYY-MM-DD",
			    in->date);
		strlcpy(e->date, in->date, sizeof(e->date));
	} else if (is_add)
		date_today(u->timezone, e->date);
	if (in->set & EF_CATEGORY) {
		struct category found;
		const struct category *cat = in->cat;

		if (cat == NULL) {
			if (in->category == NULL && in->category_id < 1)
				return spend_errf(err, SPEND_EINVAL, "category",
				    "category %lld: not a category id",
				    (long long)in->category_id);
			if ((r = category_find(st, u->id, stage,
			    in->category ? 0 : in->category_id, in->category,
			    false, &found, err)) < 0)
				return r;
			cat = &found;
		}
		if (cat->archived && cat->id != e->category_id)
			return spend_errf(err, SPEND_EINVAL, "category",
			    "category \"%s\" is archived", cat->name);
		e->category_id = cat->id;
		strlcpy(e->category, cat->name, sizeof(e->category));
	}
	if ((in->set & EF_TAGS) && (r = expense_tags_canon(in->tags, in->ntags, e->tags,
	    sizeof(e->tags), err)) < 0)
		return r;
	if (split)
		return parts_apply(st, stage, u, in, e, err);
	if (in->set & EF_PARTS)
		e->nparts = 0;	/* joined: the whole in its category */
	return 0;
}

int
expense_check(struct store *st, int64_t stage, const struct user *u,
    const struct expense_input *in, struct expense *out,
    struct spend_err *err)
{
	int r;

	memset(out, 0, sizeof(*out));
	out->user_id = u->id;
	out->stage = stage;
	if (in->source && strlcpy(out->source, in->source,
	    sizeof(out->source)) >= sizeof(out->source))
		return spend_errf(err, SPEND_EINTERNAL, "source",
		    "source too long");
	if ((r = apply(st, stage, u, in, out, true, err)) < 0)
		return r;
	/* the rules, or uncategorised (a split's parts have categories) */
	if (!(in->set & EF_CATEGORY) && !((in->set & EF_PARTS) &&
	    in->nparts > 0)) {
		bool by_rule;

		if ((r = rule_categorise(st, stage, u, in->rules, out, &by_rule,
		    err)) < 0)
			return r;
	}
	if ((in->set & EF_IMPORT_KEY) && in->import_key &&
	    strlcpy(out->import_key, in->import_key, sizeof(out->import_key)) >=
	    sizeof(out->import_key))
		return spend_errf(err, SPEND_EINTERNAL, "import_key",
		    "import key too long");
	return 0;
}

int
expense_create(struct write_tx *w, const struct user *u,
    const struct expense_input *in, struct expense *out,
    struct spend_err *err)
{
	int r;

	if ((r = expense_check(w->st, w->stage, u, in, out, err)) < 0)
		return r;
	return expense_store(w, out, err);
}

int
expense_store(struct write_tx *w, struct expense *e, struct spend_err *err)
{
	int r;

	e->stage = w->stage;
	if ((r = store_expense_add(w->st, e, err)) < 0)
		return r;
	write_touch_month(w, e->date);
	return write_change(w, CH_EXPENSE, e->id, CH_CREATE, e->version, err);
}

static int
stale(int64_t id, int64_t have, int64_t sent, struct spend_err *err)
{
	return spend_errf(err, SPEND_ESTALE, "version", "expense %lld was "
	    "changed meanwhile (now version %lld, you sent %lld)",
	    (long long)id, (long long)have, (long long)sent);
}

static bool
parts_differ(const struct expense *a, const struct expense *b)
{
	if (a->nparts != b->nparts)
		return true;
	for (int i = 0; i < a->nparts && i < EXPENSE_PARTS_MAX; i++)
		if (a->parts[i].amount != b->parts[i].amount ||
		    a->parts[i].category_id != b->parts[i].category_id ||
		    strcmp(a->parts[i].note, b->parts[i].note) != 0)
			return true;
	return false;
}

/* The version at which each field last changed (a stale push merges when
 * its fields and the server's differ): the fields b differs from a in. */
static int
touch_fields(struct store *st, const struct expense *a,
    const struct expense *b, struct spend_err *err)
{
	const struct { const char *name; bool changed; } f[] = {
		{ "amount", a->amount != b->amount },
		{ "currency", strcmp(a->currency, b->currency) != 0 },
		{ "category", a->category_id != b->category_id },
		{ "date", strcmp(a->date, b->date) != 0 },
		{ "note", strcmp(a->note, b->note) != 0 },
		{ "payee", strcmp(a->payee, b->payee) != 0 },
		{ "tags", strcmp(a->tags, b->tags) != 0 },
		{ "parts", parts_differ(a, b) },
	};
	int r;

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (f[i].changed && (r = store_expense_field_touch(st, b->id,
		    f[i].name, b->version, err)) < 0)
			return r;
	return 0;
}

int
expense_update(struct write_tx *w, const struct user *u, int64_t id,
    int64_t version, const struct expense_input *in, struct expense *out,
    struct spend_err *err)
{
	struct expense before;
	int r;

	if ((r = store_expense_get(w->st, u->id, id, out, err)) < 0)
		return r;
	if (version && version != out->version)
		return stale(id, out->version, version, err);
	write_touch_month(w, out->date);	/* the old month, and the new */
	before = *out;
	if (in->set & (EF_CATEGORY | EF_PARTS))
		out->category_auto = false;	/* the user's from now on */
	if ((r = apply(w->st, w->stage, u, in, out, false, err)) < 0 ||
	    (r = store_expense_update(w->st, out, out->version, err)) < 0 ||
	    (r = touch_fields(w->st, &before, out, err)) < 0)
		return r;
	write_touch_month(w, out->date);
	return write_change(w, CH_EXPENSE, id, CH_UPDATE, out->version, err);
}

int
expense_delete(struct write_tx *w, int64_t id, int64_t version,
    struct spend_err *err)
{
	struct expense e;
	int r;

	if ((r = store_expense_get(w->st, w->uid, id, &e, err)) < 0)
		return r;
	if (version && version != e.version)
		return stale(id, e.version, version, err);
	if ((r = store_expense_delete(w->st, w->uid, id, e.version, err)) < 0)
		return r;
	write_touch_month(w, e.date);
	return write_change(w, CH_EXPENSE, id, CH_DELETE, e.version + 1, err);
}

int
expense_get(struct store *st, int64_t uid, int64_t id, struct expense *out,
    struct spend_err *err)
{
	return store_expense_get(st, uid, id, out, err);
}

/* ---- lists ---- */

static const char *const sort_names[] = { "date", "amount", "created", "payee" };

/* Cursor: base64url("v1|sort|order|id|num|key"); opaque to clients. The
 * position is the last row's id and sort key (store_expense_sort_key). */
static void
cursor_encode(const struct expense_filter *f, int64_t id, int64_t num,
    const char *key, char *out, size_t len)
{
	char raw[PAYEE_MAX_LEN + 96];

	snprintf(raw, sizeof(raw), "v1|%s|%s|%lld|%lld|%s",
	    sort_names[f->sort], f->desc ? "desc" : "asc", (long long)id,
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

/* The last row's position only (a struct expense is ~8 KB with its
 * parts): the cursor of the next page, taken from the limit-th row. */
struct page {
	int (*row)(void *, const struct expense *);
	void *arg;
	enum expense_sort sort;
	int limit, n;
	int64_t last_id, last_num;
	char last_key[PAYEE_MAX_LEN + 1];
	bool more;
};

static int
page_row(void *arg, const struct expense *e)
{
	struct page *pg = arg;
	int r;

	if (pg->n == pg->limit) {
		pg->more = true;
		return 1;
	}
	if ((r = pg->row(pg->arg, e)) != 0)
		return r;
	/* only the page's last row can be a cursor's position */
	if (++pg->n == pg->limit) {
		pg->last_id = e->id;
		store_expense_sort_key(e, pg->sort, pg->last_key,
		    sizeof(pg->last_key), &pg->last_num);
	}
	return 0;
}

int
expense_list(struct store *st, int64_t uid, struct expense_filter *f,
    int limit, const char *cursor,
    int (*row)(void *, const struct expense *),
    int (*total)(void *, const struct expense_total *), void *arg,
    char next[EXPENSE_CURSOR_MAX], struct spend_err *err)
{
	struct page pg;
	bool own;
	int r;

	next[0] = '\0';
	if (cursor && (r = cursor_decode(cursor, f, err)) < 0)
		return r;
	memset(&pg, 0, sizeof(pg));
	pg.row = row;
	pg.arg = arg;
	pg.sort = f->sort;
	pg.limit = limit;
	f->limit = limit + 1;	/* one more tells whether a next page exists */
	/* one snapshot (unless the caller's transaction is one already):
	 * the count and sum are of the set the page was taken from */
	own = !store_in_tx(st);
	if (own && (r = store_read_begin(st, err)) < 0)
		return r;
	/* > 0: page_row stopped it, a page is full */
	r = store_expense_list(st, uid, f, page_row, &pg, err);
	if (r >= 0 && total)
		r = store_expense_totals(st, uid, f, total, arg, err);
	if (own)
		store_rollback(st);	/* a read: nothing to keep */
	if (r < 0)
		return r;
	if (pg.more)
		cursor_encode(f, pg.last_id, pg.last_num, pg.last_key, next,
		    EXPENSE_CURSOR_MAX);
	return 0;
}
