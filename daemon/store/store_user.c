/* users table */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

#define USER_COLS "id, name, role, currency, timezone, tokens_valid_after, " \
	"version, pwhash IS NOT NULL, created_at, updated_at"

static void
row_user(sqlite3_stmt *s, struct user *u)
{
	u->id = sqlite3_column_int64(s, 0);
	st_col_text(s, 1, u->name, sizeof(u->name));
	st_col_text(s, 2, u->role, sizeof(u->role));
	st_col_text(s, 3, u->currency, sizeof(u->currency));
	st_col_text(s, 4, u->timezone, sizeof(u->timezone));
	u->tokens_valid_after = sqlite3_column_int64(s, 5);
	u->version = sqlite3_column_int64(s, 6);
	u->has_password = sqlite3_column_int(s, 7);
	st_col_text(s, 8, u->created_at, sizeof(u->created_at));
	st_col_text(s, 9, u->updated_at, sizeof(u->updated_at));
}

int
store_user_add(struct store *st, struct user *u, const char *pwhash,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "INSERT INTO users(name, role, "
	    "currency, timezone, pwhash, created_at, updated_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?)", err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	timestamp_now(u->created_at);
	strlcpy(u->updated_at, u->created_at, sizeof(u->updated_at));
	sqlite3_bind_text(s, 1, u->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, u->role, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, u->currency, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, u->timezone, -1, SQLITE_STATIC);
	if (pwhash)
		sqlite3_bind_text(s, 5, pwhash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, u->created_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, u->updated_at, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		if ((sqlite3_extended_errcode(st->db) & 0xff) == SQLITE_CONSTRAINT)
			return spend_errf(err, SPEND_ECONFLICT, "name",
			    "user \"%s\" already exists", u->name);
		return st_error(st, err, "add user");
	}
	u->id = sqlite3_last_insert_rowid(st->db);
	u->version = 1;
	u->tokens_valid_after = 0;
	u->has_password = pwhash != NULL;
	return 0;
}

static int
get_one(struct store *st, const char *sql, int64_t id, const char *name,
    struct user *u, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, sql, err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	if (name)
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		row_user(s, u);
		sqlite3_reset(s);
		return 0;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return st_error(st, err, "get user");
	if (name)
		return spend_errf(err, SPEND_ENOTFOUND, "user",
		    "no such user \"%s\"", name);
	return spend_errf(err, SPEND_ENOTFOUND, "user", "no such user");
}

int
store_user_get(struct store *st, int64_t id, struct user *u,
    struct spend_err *err)
{
	return get_one(st, "SELECT " USER_COLS " FROM users WHERE id = ?", id,
	    NULL, u, err);
}

int
store_user_session(struct store *st, int64_t id, const char *family,
    int64_t now, struct user *u, bool *live, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT " USER_COLS ", EXISTS ("
	    "SELECT 1 FROM refresh_tokens WHERE user_id = users.id AND "
	    "family = ?2 AND revoked = 0 AND expires_at > ?3) "
	    "FROM users WHERE id = ?1", err);
	int rc;

	*live = false;
	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, family, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		row_user(s, u);
		*live = sqlite3_column_int(s, 10) != 0;
		sqlite3_reset(s);
		return 0;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return st_error(st, err, "get user");
	return spend_errf(err, SPEND_ENOTFOUND, "user", "no such user");
}

int
store_user_by_name(struct store *st, const char *name, struct user *u,
    struct spend_err *err)
{
	return get_one(st, "SELECT " USER_COLS " FROM users WHERE name = ?", 0,
	    name, u, err);
}

int
store_user_list(struct store *st, int (*cb)(void *, const struct user *),
    void *arg, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT " USER_COLS
	    " FROM users ORDER BY name", err);
	struct user u;
	int rc, r = 0;

	if (s == NULL)
		return st_failed(st);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_user(s, &u);
		if ((r = cb(arg, &u)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (r == 0 && rc != SQLITE_DONE)
		return st_error(st, err, "list users");
	return r;
}

int
store_user_count(struct store *st, int64_t *n, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT count(*) FROM users", err);

	if (s == NULL)
		return st_failed(st);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return st_error(st, err, "count users");
	}
	*n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

int
store_user_update(struct store *st, struct user *u, int64_t version,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "UPDATE users SET currency = ?, "
	    "timezone = ?, role = ?, version = version + 1, updated_at = ? "
	    "WHERE id = ? AND (? = 0 OR version = ?)", err);
	char now[TIMESTAMP_LEN + 1];
	int r;

	if (s == NULL)
		return st_failed(st);
	timestamp_now(now);
	sqlite3_bind_text(s, 1, u->currency, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, u->timezone, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, u->role, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, u->id);
	sqlite3_bind_int64(s, 6, version);
	sqlite3_bind_int64(s, 7, version);
	if ((r = st_exec_stmt(st, s, err)) < 0)
		return r;
	if (sqlite3_changes(st->db) == 0) {
		struct user cur;

		if ((r = store_user_get(st, u->id, &cur, err)) < 0)
			return r;
		return spend_errf(err, SPEND_ESTALE, "version",
		    "user was changed meanwhile (version %lld, you sent %lld)",
		    (long long)cur.version, (long long)version);
	}
	return store_user_get(st, u->id, u, err);
}

int
store_user_delete(struct store *st, int64_t id, struct spend_err *err)
{
	static const char *const sql[] = {
		/* expenses reference categories: drop them first, then the
		 * rest cascades from users */
		"DELETE FROM expenses WHERE user_id = ?",
		"DELETE FROM idempotency_keys WHERE user_id = ?",
		"DELETE FROM users WHERE id = ?",
	};
	sqlite3_stmt *s;
	int r;

	/* all or nothing, even for a caller without a transaction */
	if ((r = store_begin(st, err)) < 0)
		return r;
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		if ((s = st_prepare(st, sql[i], err)) == NULL) {
			r = st_failed(st);
			goto fail;
		}
		sqlite3_bind_int64(s, 1, id);
		if ((r = st_exec_stmt(st, s, err)) < 0)
			goto fail;
	}
	if (sqlite3_changes(st->db) == 0) {
		r = spend_errf(err, SPEND_ENOTFOUND, "user", "no such user");
		goto fail;
	}
	return store_commit(st, err);
fail:
	store_rollback(st);
	return r;
}

int
store_user_pwhash(struct store *st, int64_t id, char **out,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT pwhash FROM users WHERE id = ?",
	    err);
	int rc;

	*out = NULL;
	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);
		if (t && (*out = strdup((const char *)t)) == NULL) {
			sqlite3_reset(s);
			return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
		}
		sqlite3_reset(s);
		return 0;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return spend_errf(err, SPEND_ENOTFOUND, "user", "no such user");
	return st_error(st, err, "password hash");
}

int
store_user_set_pwhash(struct store *st, int64_t id, const char *pwhash,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "UPDATE users SET pwhash = ?, "
	    "updated_at = ? WHERE id = ?", err);
	char now[TIMESTAMP_LEN + 1];

	if (s == NULL)
		return st_failed(st);
	timestamp_now(now);
	sqlite3_bind_text(s, 1, pwhash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, id);
	return st_exec_stmt(st, s, err);
}

int
store_user_set_tokens_valid_after(struct store *st, int64_t id, int64_t when,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "UPDATE users SET "
	    "tokens_valid_after = ? WHERE id = ?", err);

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, when);
	sqlite3_bind_int64(s, 2, id);
	return st_exec_stmt(st, s, err);
}
