/* expenses table: writes, filtered keyset lists, totals */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "money.h"

#define EXP_COLS "e.id, e.user_id, e.amount, e.currency, e.category_id, " \
	"c.name, e.date, e.note, e.payee, e.tags, e.import_key, e.version, " \
	"e.deleted, e.created_at, e.updated_at, e.recurring_id, " \
	"e.category_auto, e.source, e.parts"

static void
row_exp(sqlite3_stmt *s, struct expense *e)
{
	e->id = sqlite3_column_int64(s, 0);
	e->user_id = sqlite3_column_int64(s, 1);
	e->amount = sqlite3_column_int64(s, 2);
	st_col_text(s, 3, e->currency, sizeof(e->currency));
	e->category_id = sqlite3_column_int64(s, 4);
	st_col_text(s, 5, e->category, sizeof(e->category));
	st_col_text(s, 6, e->date, sizeof(e->date));
	st_col_text(s, 7, e->note, sizeof(e->note));
	st_col_text(s, 8, e->payee, sizeof(e->payee));
	st_col_text(s, 9, e->tags, sizeof(e->tags));
	st_col_text(s, 10, e->import_key, sizeof(e->import_key));
	e->version = sqlite3_column_int64(s, 11);
	e->deleted = sqlite3_column_int(s, 12);
	st_col_text(s, 13, e->created_at, sizeof(e->created_at));
	st_col_text(s, 14, e->updated_at, sizeof(e->updated_at));
	e->recurring_id = sqlite3_column_int64(s, 15);
	e->category_auto = sqlite3_column_int(s, 16);
	st_col_text(s, 17, e->source, sizeof(e->source));
	e->nparts = sqlite3_column_int(s, 18);
	if (e->nparts < 0 || e->nparts > EXPENSE_PARTS_MAX)
		e->nparts = EXPENSE_PARTS_MAX + 1;	/* parts_read refuses it */
}

/* The parts of a split e (e->nparts > 0), in order. */
static int
parts_read(struct store *st, struct expense *e, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT p.amount, p.category_id, "
	    "c.name, p.note FROM expense_parts p JOIN categories c ON "
	    "c.id = p.category_id WHERE p.expense_id = ? ORDER BY p.idx", err);
	int rc, n = 0;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, e->id);
	if (e->nparts > EXPENSE_PARTS_MAX)
		return spend_errf(err, SPEND_EINTERNAL, "parts", "expense %lld: "
		    "bad count of parts", (long long)e->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < EXPENSE_PARTS_MAX) {
		struct expense_part *p = &e->parts[n++];

		p->amount = sqlite3_column_int64(s, 0);
		p->category_id = sqlite3_column_int64(s, 1);
		st_col_text(s, 2, p->category, sizeof(p->category));
		st_col_text(s, 3, p->note, sizeof(p->note));
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return st_error(st, err, "read the parts of an expense");
	if (n != e->nparts)
		return spend_errf(err, SPEND_EINTERNAL, "parts", "expense %lld "
		    "has %d parts stored, %d expected", (long long)e->id, n,
		    e->nparts);
	return 0;
}

/* Replace the parts of e (its row written already) with e->parts. The
 * triggers of expense_parts move the totals. */
static int
parts_write(struct store *st, const struct expense *e, bool replace,
    struct spend_err *err)
{
	sqlite3_stmt *s;
	int r;

	if (replace) {
		if ((s = st_prepare(st, "DELETE FROM expense_parts WHERE "
		    "expense_id = ?", err)) == NULL)
			return st_failed(st);
		sqlite3_bind_int64(s, 1, e->id);
		if ((r = st_exec_stmt(st, s, err)) < 0)
			return r;
	}
	for (int i = 0; i < e->nparts; i++) {
		const struct expense_part *p = &e->parts[i];

		if ((s = st_prepare(st, "INSERT INTO expense_parts(expense_id, "
		    "idx, category_id, amount, note, user_id, day, currency, "
		    "stage, deleted) SELECT id, ?, ?, ?, ?, user_id, date, "
		    "currency, stage, deleted FROM expenses WHERE id = ?",
		    err)) == NULL)
			return st_failed(st);
		sqlite3_bind_int(s, 1, i);
		sqlite3_bind_int64(s, 2, p->category_id);
		sqlite3_bind_int64(s, 3, p->amount);
		sqlite3_bind_text(s, 4, p->note, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 5, e->id);
		if ((r = st_exec_stmt(st, s, err)) < 0)
			return r;
	}
	return 0;
}

static int
scale(struct store *st, const struct expense *e, int64_t *out,
    struct spend_err *err)
{
	const struct currency *c = money_currency(e->currency);

	(void)st;
	if (c == NULL)
		return spend_errf(err, SPEND_EINVAL, "currency",
		    "unknown currency \"%s\"", e->currency);
	/* beyond this the scaled amount (and sums) could overflow */
	if (e->amount > MONEY_MAX_MINOR || e->amount < -MONEY_MAX_MINOR)
		return spend_errf(err, SPEND_EINVAL, "amount",
		    "amount out of range");
	*out = money_scale_e4(e->amount, c->exponent);
	return 0;
}

int
store_expense_add(struct store *st, struct expense *e, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "INSERT INTO expenses(user_id, "
	    "category_id, amount, amount_e4, currency, date, note, payee, tags, "
	    "import_key, created_at, updated_at, stage, search_text, "
	    "category_auto, source, parts) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
	int64_t e4 = 0;
	char *text;
	int rc;

	if (s == NULL)
		return st_failed(st);
	if ((rc = scale(st, e, &e4, err)) < 0)
		return rc;
	if ((rc = st_search_text(e->note, e->payee, e->tags, &text, err)) < 0)
		return rc;
	timestamp_now(e->created_at);
	strlcpy(e->updated_at, e->created_at, sizeof(e->updated_at));
	sqlite3_bind_int64(s, 1, e->user_id);
	sqlite3_bind_int64(s, 2, e->category_id);
	sqlite3_bind_int64(s, 3, e->amount);
	sqlite3_bind_int64(s, 4, e4);
	sqlite3_bind_text(s, 5, e->currency, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, e->date, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, e->note, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, e->payee, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, e->tags, -1, SQLITE_STATIC);
	if (e->import_key[0])
		sqlite3_bind_text(s, 10, e->import_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 11, e->created_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 12, e->updated_at, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 13, e->stage);
	sqlite3_bind_text(s, 14, text, -1, free);
	sqlite3_bind_int(s, 15, e->category_auto);
	sqlite3_bind_text(s, 16, e->source, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 17, e->nparts);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		if ((sqlite3_extended_errcode(st->db) & 0xff) == SQLITE_CONSTRAINT)
			return spend_errf(err, SPEND_ECONFLICT, "import_key",
			    "already imported (key %s)", e->import_key);
		return st_error(st, err, "add expense");
	}
	e->id = sqlite3_last_insert_rowid(st->db);
	e->version = 1;
	e->deleted = false;
	if (e->nparts && (rc = parts_write(st, e, false, err)) < 0)
		return rc;
	st_fts_after(st);
	return 0;
}

int
store_expense_get(struct store *st, int64_t uid, int64_t id,
    struct expense *e, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT " EXP_COLS " FROM expenses e "
	    "JOIN categories c ON c.id = e.category_id "
	    "WHERE e.user_id = ? AND e.id = ? AND e.deleted = 0 AND "
	    ST_VISIBLE("e"), err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_int64(s, 2, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		row_exp(s, e);
		sqlite3_reset(s);
		return e->nparts ? parts_read(st, e, err) : 0;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return st_error(st, err, "get expense");
	return spend_errf(err, SPEND_ENOTFOUND, "id", "no such expense %lld",
	    (long long)id);
}

/* After an UPDATE touched no row: tell "gone" from "stale". */
static int
why_unchanged(struct store *st, int64_t uid, int64_t id, int64_t version,
    struct spend_err *err)
{
	struct expense cur;
	int r = store_expense_get(st, uid, id, &cur, err);

	if (r < 0)
		return r;
	return spend_errf(err, SPEND_ESTALE, "version", "expense %lld was "
	    "changed meanwhile (now version %lld, you sent %lld)",
	    (long long)id, (long long)cur.version, (long long)version);
}

int
store_expense_update(struct store *st, struct expense *e, int64_t version,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "UPDATE expenses SET category_id = ?, "
	    "amount = ?, amount_e4 = ?, currency = ?, date = ?, note = ?, "
	    "payee = ?, tags = ?, version = version + 1, updated_at = ?, "
	    "search_text = ?, category_auto = ?, parts = ? WHERE user_id = ? "
	    "AND id = ? AND deleted = 0 AND (? = 0 OR version = ?)", err);
	char now[TIMESTAMP_LEN + 1], *text;
	int64_t e4 = 0;
	int rc;

	if (s == NULL)
		return st_failed(st);
	if ((rc = scale(st, e, &e4, err)) < 0)
		return rc;
	if ((rc = st_search_text(e->note, e->payee, e->tags, &text, err)) < 0)
		return rc;
	timestamp_now(now);
	sqlite3_bind_int64(s, 1, e->category_id);
	sqlite3_bind_int64(s, 2, e->amount);
	sqlite3_bind_int64(s, 3, e4);
	sqlite3_bind_text(s, 4, e->currency, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, e->date, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, e->note, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, e->payee, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, e->tags, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 10, text, -1, free);
	sqlite3_bind_int(s, 11, e->category_auto);
	sqlite3_bind_int(s, 12, e->nparts);
	sqlite3_bind_int64(s, 13, e->user_id);
	sqlite3_bind_int64(s, 14, e->id);
	sqlite3_bind_int64(s, 15, version);
	sqlite3_bind_int64(s, 16, version);
	if ((rc = st_exec_stmt(st, s, err)) < 0)
		return rc;
	if (sqlite3_changes(st->db) == 0)
		return why_unchanged(st, e->user_id, e->id, version, err);
	st_fts_after(st);
	/* the parts as given: new ones, or none (joined) */
	if ((rc = parts_write(st, e, true, err)) < 0)
		return rc;
	return store_expense_get(st, e->user_id, e->id, e, err);
}

int
store_expense_delete(struct store *st, int64_t uid, int64_t id,
    int64_t version, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "UPDATE expenses SET deleted = 1, "
	    "version = version + 1, updated_at = ? WHERE user_id = ? AND id = ? "
	    "AND deleted = 0 AND (? = 0 OR version = ?)", err);
	char now[TIMESTAMP_LEN + 1];
	int rc;

	if (s == NULL)
		return st_failed(st);
	timestamp_now(now);
	sqlite3_bind_text(s, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, uid);
	sqlite3_bind_int64(s, 3, id);
	sqlite3_bind_int64(s, 4, version);
	sqlite3_bind_int64(s, 5, version);
	if ((rc = st_exec_stmt(st, s, err)) < 0)
		return rc;
	if (sqlite3_changes(st->db) == 0)
		return why_unchanged(st, uid, id, version, err);
	return 0;
}

/* ---- filtered queries ---- */

#define MAX_BINDS 16

struct query {
	char sql[2048];
	int n;
	struct {
		int is_text;
		int64_t num;
		char text[SEARCH_TEXT_MAX];
	} b[MAX_BINDS];
};

/* Empty: the text and the count (the bindings are written as added; a
 * memset of all 15 KB was two a list). */
static void
q_init(struct query *q)
{
	q->sql[0] = '\0';
	q->n = 0;
}

static void
q_add(struct query *q, const char *sql)
{
	strlcat(q->sql, sql, sizeof(q->sql));
}

static void
q_num(struct query *q, const char *sql, int64_t v)
{
	q_add(q, sql);
	q->b[q->n].is_text = 0;
	q->b[q->n++].num = v;
}

static void
q_text(struct query *q, const char *sql, const char *v)
{
	q_add(q, sql);
	q->b[q->n].is_text = 1;
	strlcpy(q->b[q->n++].text, v, sizeof(q->b[0].text));
}

static const char *
sort_col(enum expense_sort s)
{
	switch (s) {
	case SORT_AMOUNT: return "e.amount_e4";
	case SORT_CREATED: return "e.created_at";
	case SORT_PAYEE: return "e.payee";
	case SORT_DATE: break;
	}
	return "e.date";
}

static int
build_where(struct store *st, struct query *q, int64_t uid,
    const struct expense_filter *f, bool keyset, struct spend_err *err)
{
	struct st_search search;
	int r;

	if (f->search[0] &&
	    (r = st_search_cond(st, f->search, &search, err)) < 0)
		return r;
	/* the search index gives the rows: "+" keeps the user's indexes
	 * (and their order) from being chosen to walk every row instead */
	q_num(q, f->search[0] && search.drives ? " WHERE +e.user_id = ?" :
	    " WHERE e.user_id = ?", uid);
	/* the user bound: one lookup of the staging import a query,
	 * where ST_VISIBLE's correlated form looked it up a row */
	q_num(q, " AND e.deleted = 0 AND " ST_VISIBLE_OF("e", "?"), uid);
	if (f->from[0])
		q_text(q, " AND e.date >= ?", f->from);
	if (f->to[0])
		q_text(q, " AND e.date <= ?", f->to);
	if (f->category_id) {
		/* a split matches if any of its parts is in the category */
		q_num(q, " AND (e.category_id = ?", f->category_id);
		q_num(q, " OR (e.parts > 0 AND e.id IN (SELECT p.expense_id "
		    "FROM expense_parts p WHERE p.category_id = ?)))",
		    f->category_id);
	}
	if (f->currency[0])
		q_text(q, " AND e.currency = ?", f->currency);
	if (f->has_min)
		q_num(q, " AND e.amount_e4 >= ?", f->min_e4);
	if (f->has_max)
		q_num(q, " AND e.amount_e4 <= ?", f->max_e4);
	if (f->tag[0]) {
		char t[TAG_MAX_LEN + 3];

		snprintf(t, sizeof(t), ",%s,", f->tag);
		q_text(q, " AND instr(e.tags, ?) > 0", t);
	}
	if (f->search[0]) {
		q_add(q, search.sql);
		for (int i = 0; i < search.nbind; i++)
			q_text(q, "", search.text);
	}
	if (keyset && f->after) {
		char buf[96];

		snprintf(buf, sizeof(buf), " AND (%s, e.id) %s (", sort_col(f->sort),
		    f->desc ? "<" : ">");
		q_add(q, buf);
		if (f->sort == SORT_AMOUNT)
			q_num(q, "?", f->after_num);
		else
			q_text(q, "?", f->after_key);
		q_num(q, ", ?)", f->after_id);
	}
	return 0;
}

static sqlite3_stmt *
q_prepare(struct store *st, struct query *q, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, q->sql, err);

	if (s == NULL)
		return NULL;
	for (int i = 0; i < q->n; i++) {
		if (q->b[i].is_text)
			sqlite3_bind_text(s, i + 1, q->b[i].text, -1,
			    SQLITE_TRANSIENT);
		else
			sqlite3_bind_int64(s, i + 1, q->b[i].num);
	}
	return s;
}

void
store_expense_sort_key(const struct expense *e, enum expense_sort s,
    char *text, size_t len, int64_t *num)
{
	const struct currency *c = money_currency(e->currency);

	*num = 0;
	text[0] = '\0';
	switch (s) {
	case SORT_DATE: strlcpy(text, e->date, len); break;
	case SORT_CREATED: strlcpy(text, e->created_at, len); break;
	case SORT_PAYEE: strlcpy(text, e->payee, len); break;
	case SORT_AMOUNT:
		*num = c ? money_scale_e4(e->amount, c->exponent) : e->amount;
		break;
	}
}

int
store_expense_list(struct store *st, int64_t uid,
    const struct expense_filter *f,
    int (*cb)(void *, const struct expense *), void *arg,
    struct spend_err *err)
{
	struct query q;
	sqlite3_stmt *s;
	struct expense e;
	char buf[128];
	int rc, r = 0;

	q_init(&q);
	q_add(&q, "SELECT " EXP_COLS " FROM expenses e "
	    "JOIN categories c ON c.id = e.category_id");
	if ((r = build_where(st, &q, uid, f, true, err)) < 0)
		return r;
	snprintf(buf, sizeof(buf), " ORDER BY %s %s, e.id %s", sort_col(f->sort),
	    f->desc ? "DESC" : "ASC", f->desc ? "DESC" : "ASC");
	q_add(&q, buf);
	if (f->limit > 0) {
		snprintf(buf, sizeof(buf), " LIMIT %d", f->limit);
		q_add(&q, buf);
	}
	if ((s = q_prepare(st, &q, err)) == NULL)
		return st_failed(st);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_exp(s, &e);
		if (e.nparts && (r = parts_read(st, &e, err)) < 0)
			break;
		if ((r = cb(arg, &e)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (r == 0 && rc != SQLITE_DONE)
		return st_error(st, err, "list expenses");
	return r;
}

/*
 * Totals of a filtered set are the same for every page of a listing, and
 * at 100k rows they cost tens of milliseconds: keep recent ones, keyed by
 * the query and its bindings, valid while nothing was written since —
 * PRAGMA data_version moves when another connection commits, and the
 * connection's own change counter when this one writes.
 */
/* (struct totals_cache: store_internal.h; the connection frees it) */

/* The query text and its bound values, as one string. */
static char *
totals_key(const struct query *q)
{
	size_t len = strlen(q->sql) + 1;
	char *k, num[24];

	for (int i = 0; i < q->n; i++)
		len += (q->b[i].is_text ? strlen(q->b[i].text) : 20) + 2;
	if ((k = malloc(len)) == NULL)
		return NULL;
	strlcpy(k, q->sql, len);
	for (int i = 0; i < q->n; i++) {
		strlcat(k, "\x1f", len);
		if (q->b[i].is_text)
			strlcat(k, q->b[i].text, len);
		else {
			snprintf(num, sizeof(num), "%lld", (long long)q->b[i].num);
			strlcat(k, num, len);
		}
	}
	return k;
}

/* The database's write stamp, or -1 if it cannot be read. */
static int64_t
data_version(struct store *st)
{
	sqlite3_stmt *s = st_prepare(st, "PRAGMA data_version", NULL);
	int64_t v = -1;

	if (s && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	if (s)
		sqlite3_reset(s);
	return v;
}

int
store_expense_totals(struct store *st, int64_t uid,
    const struct expense_filter *f,
    int (*cb)(void *, const struct expense_total *), void *arg,
    struct spend_err *err)
{
	struct totals_entry *hit = NULL, *victim = NULL, fresh;
	struct query q;
	sqlite3_stmt *s;
	struct expense_total t;
	int64_t dv, ch;
	char *key;
	int rc, r = 0;

	q_init(&q);
	q_add(&q, "SELECT e.currency, count(*), sum(e.amount) FROM expenses e");
	if ((r = build_where(st, &q, uid, f, false, err)) < 0)
		return r;
	q_add(&q, " GROUP BY e.currency ORDER BY e.currency");

	if (st->totals == NULL)
		st->totals = calloc(1, sizeof(*st->totals));
	key = st->totals ? totals_key(&q) : NULL;
	dv = data_version(st);
	ch = (int64_t)sqlite3_total_changes64(st->db);
	if (key && dv >= 0) {
		for (int i = 0; i < TOTALS_CACHE; i++) {
			struct totals_entry *e = &st->totals->e[i];

			if (e->key && strcmp(e->key, key) == 0) {
				hit = e;
				break;
			}
			if (victim == NULL || e->last_use < victim->last_use)
				victim = e;
		}
		if (hit && hit->data_version == dv && hit->changes == ch) {
			free(key);
			hit->last_use = ++st->totals->tick;
			for (int i = 0; i < hit->n && r == 0; i++)
				r = cb(arg, &hit->t[i]);
			return r;
		}
	}

	memset(&fresh, 0, sizeof(fresh));
	if ((s = q_prepare(st, &q, err)) == NULL) {
		free(key);
		return st_failed(st);
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		st_col_text(s, 0, t.currency, sizeof(t.currency));
		t.count = sqlite3_column_int64(s, 1);
		t.sum = sqlite3_column_int64(s, 2);
		if (fresh.n < TOTALS_CURRENCIES)
			fresh.t[fresh.n] = t;
		fresh.n++;
		if ((r = cb(arg, &t)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (r == 0 && rc != SQLITE_DONE) {
		free(key);
		if (strstr(sqlite3_errmsg(st->db), "overflow"))
			return spend_errf(err, SPEND_EINVAL, "",
			    "the sum of these expenses overflows");
		return st_error(st, err, "expense totals");
	}
	if (r == 0 && key && dv >= 0 && fresh.n <= TOTALS_CURRENCIES) {
		struct totals_entry *e = hit ? hit : victim;

		free(e->key);
		*e = fresh;
		e->key = key;
		e->data_version = dv;
		e->changes = ch;
		e->last_use = ++st->totals->tick;
		key = NULL;
	}
	free(key);
	return r;
}

/* For store_report.c: select + from + " WHERE <f without keyset>" +
 * tail, prepared and bound. from (NULL: "FROM expenses e JOIN categories
 * c ON c.id = e.category_id") must name the expenses e (the filter names
 * e.*). */
sqlite3_stmt *
st_expense_filtered(struct store *st, const char *select, const char *from,
    int64_t uid, const struct expense_filter *f, const char *tail,
    struct spend_err *err)
{
	struct query q;

	q_init(&q);
	q_add(&q, select);
	q_add(&q, from ? from :
	    " FROM expenses e JOIN categories c ON c.id = e.category_id");
	if (build_where(st, &q, uid, f, false, err) < 0)
		return NULL;
	q_add(&q, tail);
	return q_prepare(st, &q, err);
}

int
store_expense_has_import_key(struct store *st, int64_t uid, const char *key,
    bool *found, int64_t *stage, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT stage FROM expenses "
	    "WHERE user_id = ? AND import_key = ?", err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (stage)
		*stage = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return st_error(st, err, "import key");
	*found = rc == SQLITE_ROW;
	return 0;
}

int
store_import_expenses(struct store *st, int64_t uid, int64_t import_id,
    int64_t after_id, int limit,
    int (*cb)(void *arg, const struct expense *e), void *arg,
    struct spend_err *err)
{
	/* the import's id range walks the primary key, not the table */
	sqlite3_stmt *s = st_prepare(st, "SELECT " EXP_COLS " FROM imports i "
	    "JOIN expenses e ON e.id > max(?3, i.first_id - 1) AND "
	    "e.id <= i.last_id JOIN categories c ON c.id = e.category_id "
	    "WHERE i.id = ?2 AND i.user_id = ?1 AND i.state = 'published' AND "
	    "e.user_id = ?1 AND e.stage = ?2 AND e.deleted = 0 "
	    "ORDER BY e.id LIMIT ?4", err);
	struct expense e;
	int rc, r = 0;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_int64(s, 2, import_id);
	sqlite3_bind_int64(s, 3, after_id);
	sqlite3_bind_int64(s, 4, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&e, 0, sizeof(e));
		row_exp(s, &e);
		if ((e.nparts > 0 && (r = parts_read(st, &e, err)) < 0) ||
		    (r = cb(arg, &e)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = st_error(st, err, "list an import's expenses");
	sqlite3_reset(s);
	return r;
}

int
store_expense_auto_ids(struct store *st, int64_t uid, const char *from,
    const char *to, int64_t **ids, size_t *n, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT e.id FROM expenses e "
	    "WHERE e.user_id = ? AND e.deleted = 0 AND e.date >= ? AND "
	    "e.date <= ? AND e.category_auto = 1 AND " ST_VISIBLE("e")
	    " ORDER BY e.date, e.id", err);
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_text(s, 2, from ? from : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, to && to[0] ? to : "9999-99-99", -1,
	    SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 256;
			int64_t *p = realloc(*ids, nc * sizeof(**ids));

			if (p == NULL) {
				sqlite3_reset(s);
				free(*ids);
				*ids = NULL;
				*n = 0;
				return spend_errf(err, SPEND_ENOMEM, "",
				    "out of memory");
			}
			*ids = p;
			cap = nc;
		}
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		return st_error(st, err, "list expenses for rules");
	}
	return 0;
}
