/* categories table */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

#define CAT_BASE "c.id, c.user_id, c.name, c.archived, c.version, " \
	"c.created_at, c.updated_at, c.uncategorised"
/* expenses in the category: by their own, or splits by a part */
#define CAT_COLS CAT_BASE ", (SELECT count(*) FROM expenses e " \
	"WHERE e.user_id = c.user_id AND e.category_id = c.id AND e.deleted = 0 " \
	"AND " ST_VISIBLE("e") ") + (SELECT count(DISTINCT p.expense_id) " \
	"FROM expense_parts p JOIN expenses e ON e.id = p.expense_id " \
	"WHERE p.category_id = c.id AND p.deleted = 0 AND " \
	"e.category_id != c.id AND " ST_VISIBLE("e") ")"

static void
row_cat(sqlite3_stmt *s, struct category *c)
{
	c->id = sqlite3_column_int64(s, 0);
	c->user_id = sqlite3_column_int64(s, 1);
	st_col_text(s, 2, c->name, sizeof(c->name));
	c->archived = sqlite3_column_int(s, 3);
	c->version = sqlite3_column_int64(s, 4);
	st_col_text(s, 5, c->created_at, sizeof(c->created_at));
	st_col_text(s, 6, c->updated_at, sizeof(c->updated_at));
	c->uncategorised = sqlite3_column_int(s, 7);
	c->expenses = sqlite3_column_int64(s, 8);
}

int
store_category_add(struct store *st, struct category *c,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "INSERT INTO categories(user_id, name, "
	    "archived, created_at, updated_at, stage, uncategorised) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?)",
	    err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	timestamp_now(c->created_at);
	strlcpy(c->updated_at, c->created_at, sizeof(c->updated_at));
	sqlite3_bind_int64(s, 1, c->user_id);
	sqlite3_bind_text(s, 2, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, c->archived);
	sqlite3_bind_text(s, 4, c->created_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, c->updated_at, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, c->stage);
	sqlite3_bind_int(s, 7, c->uncategorised);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		if ((sqlite3_extended_errcode(st->db) & 0xff) == SQLITE_CONSTRAINT)
			return spend_errf(err, SPEND_ECONFLICT, "name",
			    "category \"%s\" already exists", c->name);
		return st_error(st, err, "add category");
	}
	c->id = sqlite3_last_insert_rowid(st->db);
	c->version = 1;
	c->expenses = 0;
	return 0;
}

static int
get_one(struct store *st, sqlite3_stmt *s, struct category *c,
    struct spend_err *err, const char *name)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW) {
		row_cat(s, c);
		sqlite3_reset(s);
		return 0;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return st_error(st, err, "get category");
	if (name)
		return spend_errf(err, SPEND_ENOTFOUND, "category",
		    "no such category \"%s\"", name);
	return spend_errf(err, SPEND_ENOTFOUND, "category", "no such category");
}

int
store_category_get(struct store *st, int64_t uid, int64_t id,
    struct category *c, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT " CAT_COLS " FROM categories c "
	    "WHERE c.user_id = ? AND c.id = ? AND c.deleted = 0 AND "
	    ST_VISIBLE("c"), err);

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_int64(s, 2, id);
	return get_one(st, s, c, err, NULL);
}

int
store_category_by_name(struct store *st, int64_t uid, const char *name,
    struct category *c, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT " CAT_COLS " FROM categories c "
	    "WHERE c.user_id = ? AND c.name = ? AND c.deleted = 0 AND "
	    ST_VISIBLE("c"), err);

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	return get_one(st, s, c, err, name);
}

/* The count above walks every expense of the category: fine for showing
 * one, too slow for resolving the category of each expense written. */
int
store_category_find(struct store *st, int64_t uid, int64_t id,
    const char *name, struct category *c, struct spend_err *err)
{
	return store_category_find_staged(st, uid, 0, id, name, c, err);
}

int
store_category_find_staged(struct store *st, int64_t uid, int64_t stage,
    int64_t id, const char *name, struct category *c, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, id ? "SELECT " CAT_BASE ", -1 FROM "
	    "categories c WHERE c.user_id = ? AND c.id = ? AND c.deleted = 0 "
	    "AND (c.stage = ? OR " ST_VISIBLE("c") ")" :
	    "SELECT " CAT_BASE ", -1 FROM categories c WHERE c.user_id = ? AND "
	    "c.name = ? AND c.deleted = 0 AND (c.stage = ? OR "
	    ST_VISIBLE("c") ")", err);

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	if (id)
		sqlite3_bind_int64(s, 2, id);
	else
		sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, stage);
	return get_one(st, s, c, err, id ? NULL : name);
}

int
store_category_uncategorised(struct store *st, int64_t uid, int64_t stage,
    struct category *c, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st,
	    "SELECT " CAT_BASE ", -1 FROM categories c WHERE c.user_id = ? AND "
	    "c.uncategorised = 1 AND c.deleted = 0 AND (c.stage = ? OR "
	    ST_VISIBLE("c") ")", err);

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_int64(s, 2, stage);
	return get_one(st, s, c, err, "uncategorised");
}

int
store_category_list(struct store *st, int64_t uid, bool with_archived,
    int (*cb)(void *, const struct category *), void *arg,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT " CAT_COLS " FROM categories c "
	    "WHERE c.user_id = ? AND c.deleted = 0 AND (? OR c.archived = 0) "
	    "AND " ST_VISIBLE("c") " ORDER BY c.name", err);
	struct category c;
	int rc, r = 0;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_int(s, 2, with_archived);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_cat(s, &c);
		if ((r = cb(arg, &c)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (r == 0 && rc != SQLITE_DONE)
		return st_error(st, err, "list categories");
	return r;
}

int
store_category_update(struct store *st, struct category *c, int64_t version,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "UPDATE categories SET name = ?, "
	    "archived = ?, version = version + 1, updated_at = ? "
	    "WHERE user_id = ? AND id = ? AND deleted = 0 "
	    "AND (? = 0 OR version = ?)", err);
	char now[TIMESTAMP_LEN + 1];
	struct category cur;
	int rc;

	if (s == NULL)
		return st_failed(st);
	timestamp_now(now);
	sqlite3_bind_text(s, 1, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, c->archived);
	sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, c->user_id);
	sqlite3_bind_int64(s, 5, c->id);
	sqlite3_bind_int64(s, 6, version);
	sqlite3_bind_int64(s, 7, version);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		if ((sqlite3_extended_errcode(st->db) & 0xff) == SQLITE_CONSTRAINT)
			return spend_errf(err, SPEND_ECONFLICT, "name",
			    "category \"%s\" already exists", c->name);
		return st_error(st, err, "update category");
	}
	if (sqlite3_changes(st->db) == 0) {
		int r = store_category_get(st, c->user_id, c->id, &cur, err);
		if (r < 0)
			return r;
		return spend_errf(err, SPEND_ESTALE, "version",
		    "category was changed meanwhile (version %lld, you sent "
		    "%lld)", (long long)cur.version, (long long)version);
	}
	return store_category_get(st, c->user_id, c->id, c, err);
}

int
store_category_delete(struct store *st, int64_t uid, int64_t id,
    int64_t move_to, int (*moved)(void *arg, int64_t id, int64_t version),
    void *arg, struct spend_err *err)
{
	struct category c, dst;
	sqlite3_stmt *s;
	char now[TIMESTAMP_LEN + 1];
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int r, rc;

	if ((r = store_category_get(st, uid, id, &c, err)) < 0)
		return r;
	if (move_to == 0 && c.expenses > 0)
		return spend_errf(err, SPEND_ECONFLICT, "category",
		    "category \"%s\" is used by %lld expense%s: move them with "
		    "move_to", c.name, (long long)c.expenses,
		    c.expenses == 1 ? "" : "s");
	if (move_to == id)
		return spend_errf(err, SPEND_EINVAL, "move_to",
		    "cannot move expenses to the category being deleted");
	if ((r = store_begin(st, err)) < 0)
		return r;
	timestamp_now(now);
	if (move_to) {
		if ((r = store_category_get(st, uid, move_to, &dst, err)) < 0)
			goto fail;
		/* splits with a part in it change too (their parts
		 * move below) */
		if ((s = st_prepare(st, "UPDATE expenses SET category_id = "
		    "iif(category_id = ?4, ?1, category_id), "
		    "version = version + 1, updated_at = ?2 WHERE user_id = ?3 "
		    "AND deleted = 0 AND (category_id = ?4 OR (parts > 0 AND "
		    "id IN (SELECT expense_id FROM expense_parts WHERE "
		    "category_id = ?4))) RETURNING id, version",
		    err)) == NULL) {
			r = st_failed(st);
			goto fail;
		}
		sqlite3_bind_int64(s, 1, move_to);
		sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, uid);
		sqlite3_bind_int64(s, 4, id);
		/* (id, version) pairs of the moved rows, told after the
		 * statement is done */
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			if (n + 2 > cap) {
				int64_t *p;

				cap = cap ? cap * 2 : 64;
				if ((p = realloc(ids, cap * sizeof(*ids))) == NULL) {
					sqlite3_reset(s);
					r = spend_errf(err, SPEND_ENOMEM, "",
					    "out of memory");
					goto fail;
				}
				ids = p;
			}
			ids[n++] = sqlite3_column_int64(s, 0);
			ids[n++] = sqlite3_column_int64(s, 1);
		}
		sqlite3_reset(s);
		if (rc != SQLITE_DONE) {
			r = st_error(st, err, "move expenses");
			goto fail;
		}
		if ((s = st_prepare(st, "UPDATE expense_parts SET category_id "
		    "= ? WHERE category_id = ? AND user_id = ? AND deleted = 0",
		    err)) == NULL) {
			r = st_failed(st);
			goto fail;
		}
		sqlite3_bind_int64(s, 1, move_to);
		sqlite3_bind_int64(s, 2, id);
		sqlite3_bind_int64(s, 3, uid);
		if ((r = st_exec_stmt(st, s, err)) < 0)
			goto fail;
		for (size_t i = 0; moved && i < n; i += 2)
			if ((r = moved(arg, ids[i], ids[i + 1])) < 0)
				goto fail;
	}
	if ((s = st_prepare(st, "UPDATE categories SET deleted = 1, "
	    "version = version + 1, updated_at = ? WHERE user_id = ? AND id = ?",
	    err)) == NULL) {
		r = st_failed(st);
		goto fail;
	}
	sqlite3_bind_text(s, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, uid);
	sqlite3_bind_int64(s, 3, id);
	if ((r = st_exec_stmt(st, s, err)) < 0)
		goto fail;
	free(ids);
	return store_commit(st, err);
fail:
	free(ids);
	store_rollback(st);
	return r;
}
