/* rules table: a user's categorisation rules, in order (rule.c) */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

#define RULE_COLS "r.id, r.user_id, r.position, r.payee_op, r.payee, " \
	"r.note_op, r.note, r.amount_min, r.amount_max, r.currency, " \
	"r.source, coalesce(r.category_id, 0), coalesce(c.name, ''), " \
	"coalesce(c.deleted = 0 AND c.archived = 0, 0), r.tags, " \
	"r.rename_payee, r.set_note, r.version, r.created_at, r.updated_at"
#define RULE_FROM " FROM rules r LEFT JOIN categories c ON " \
	"c.id = r.category_id "

static const char *const op_names[] = { "", "contains", "equals", "glob" };

static enum rule_op
op_of(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, op_names[i]) == 0)
			return (enum rule_op)i;
	return RULE_OP_NONE;
}

static void
row_rule(sqlite3_stmt *s, struct rule *r)
{
	char op[16];

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(s, 0);
	r->user_id = sqlite3_column_int64(s, 1);
	r->position = sqlite3_column_int64(s, 2);
	st_col_text(s, 3, op, sizeof(op));
	r->payee_op = op_of(op);
	st_col_text(s, 4, r->payee, sizeof(r->payee));
	st_col_text(s, 5, op, sizeof(op));
	r->note_op = op_of(op);
	st_col_text(s, 6, r->note, sizeof(r->note));
	if ((r->has_min = sqlite3_column_type(s, 7) != SQLITE_NULL))
		r->min_e4 = sqlite3_column_int64(s, 7);
	if ((r->has_max = sqlite3_column_type(s, 8) != SQLITE_NULL))
		r->max_e4 = sqlite3_column_int64(s, 8);
	st_col_text(s, 9, r->currency, sizeof(r->currency));
	st_col_text(s, 10, r->source, sizeof(r->source));
	r->category_id = sqlite3_column_int64(s, 11);
	st_col_text(s, 12, r->category, sizeof(r->category));
	r->category_usable = sqlite3_column_int(s, 13);
	st_col_text(s, 14, r->tags, sizeof(r->tags));
	st_col_text(s, 15, r->rename, sizeof(r->rename));
	if ((r->has_set_note = sqlite3_column_type(s, 16) != SQLITE_NULL))
		st_col_text(s, 16, r->set_note, sizeof(r->set_note));
	r->version = sqlite3_column_int64(s, 17);
	st_col_text(s, 18, r->created_at, sizeof(r->created_at));
	st_col_text(s, 19, r->updated_at, sizeof(r->updated_at));
}

int
store_rule_add(struct store *st, struct rule *r, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "INSERT INTO rules(user_id, position, "
	    "payee_op, payee, note_op, note, amount_min, amount_max, currency, "
	    "source, category_id, tags, rename_payee, set_note, created_at, "
	    "updated_at) VALUES (?1, CASE WHEN ?2 > 0 THEN ?2 ELSE "
	    "(SELECT coalesce(max(position), 0) + 1 FROM rules WHERE "
	    "user_id = ?1 AND deleted = 0) END, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
	    "?10, ?11, ?12, ?13, ?14, ?15, ?15) RETURNING position", err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	timestamp_now(r->created_at);
	strlcpy(r->updated_at, r->created_at, sizeof(r->updated_at));
	sqlite3_bind_int64(s, 1, r->user_id);
	sqlite3_bind_int64(s, 2, r->position);
	sqlite3_bind_text(s, 3, op_names[r->payee_op], -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, r->payee, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, op_names[r->note_op], -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, r->note, -1, SQLITE_STATIC);
	if (r->has_min)
		sqlite3_bind_int64(s, 7, r->min_e4);
	if (r->has_max)
		sqlite3_bind_int64(s, 8, r->max_e4);
	sqlite3_bind_text(s, 9, r->currency, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 10, r->source, -1, SQLITE_STATIC);
	if (r->category_id)
		sqlite3_bind_int64(s, 11, r->category_id);
	sqlite3_bind_text(s, 12, r->tags, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 13, r->rename, -1, SQLITE_STATIC);
	if (r->has_set_note)
		sqlite3_bind_text(s, 14, r->set_note, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 15, r->created_at, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		r->position = sqlite3_column_int64(s, 0);
		rc = sqlite3_step(s);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return st_error(st, err, "add rule");
	r->id = sqlite3_last_insert_rowid(st->db);
	r->version = 1;
	return 0;
}

int
store_rule_get(struct store *st, int64_t uid, int64_t id, struct rule *r,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT " RULE_COLS RULE_FROM
	    "WHERE r.user_id = ? AND r.id = ? AND r.deleted = 0", err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_int64(s, 2, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		row_rule(s, r);
		sqlite3_reset(s);
		return 0;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return st_error(st, err, "get rule");
	return spend_errf(err, SPEND_ENOTFOUND, "id", "no such rule %lld",
	    (long long)id);
}

int
store_rule_list(struct store *st, int64_t uid,
    int (*cb)(void *arg, const struct rule *r), void *arg,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT " RULE_COLS RULE_FROM
	    "WHERE r.user_id = ? AND r.deleted = 0 ORDER BY r.position, r.id",
	    err);
	struct rule r;
	int rc, ret = 0;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_rule(s, &r);
		if ((ret = cb(arg, &r)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (ret == 0 && rc != SQLITE_DONE)
		return st_error(st, err, "list rules");
	return ret;
}

int
store_rule_delete(struct store *st, int64_t uid, int64_t id, int64_t version,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "UPDATE rules SET deleted = 1, "
	    "version = version + 1, updated_at = ? WHERE user_id = ? AND id = ? "
	    "AND deleted = 0 AND (? = 0 OR version = ?)", err);
	char now[TIMESTAMP_LEN + 1];
	struct rule cur;
	int r;

	if (s == NULL)
		return st_failed(st);
	timestamp_now(now);
	sqlite3_bind_text(s, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, uid);
	sqlite3_bind_int64(s, 3, id);
	sqlite3_bind_int64(s, 4, version);
	sqlite3_bind_int64(s, 5, version);
	if ((r = st_exec_stmt(st, s, err)) < 0)
		return r;
	if (sqlite3_changes(st->db) > 0)
		return 0;
	if ((r = store_rule_get(st, uid, id, &cur, err)) < 0)
		return r;
	return spend_errf(err, SPEND_ESTALE, "version", "rule %lld was changed "
	    "meanwhile (now version %lld, you sent %lld)", (long long)id,
	    (long long)cur.version, (long long)version);
}
