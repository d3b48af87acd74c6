/* refresh_tokens table: one row per refresh token, grouped in families
 * (one family = one login = one session). */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

#define RT_COLS "id, user_id, family, used, revoked, created_at, " \
	"family_created_at, expires_at, last_used_at, user_agent, address"

static void
row_refresh(sqlite3_stmt *s, struct refresh_token *t)
{
	t->id = sqlite3_column_int64(s, 0);
	t->user_id = sqlite3_column_int64(s, 1);
	st_col_text(s, 2, t->family, sizeof(t->family));
	t->used = sqlite3_column_int(s, 3);
	t->revoked = sqlite3_column_int(s, 4);
	t->created_at = sqlite3_column_int64(s, 5);
	t->family_created_at = sqlite3_column_int64(s, 6);
	t->expires_at = sqlite3_column_int64(s, 7);
	t->last_used_at = sqlite3_column_int64(s, 8);
	st_col_text(s, 9, t->user_agent, sizeof(t->user_agent));
	st_col_text(s, 10, t->address, sizeof(t->address));
}

int
store_refresh_add(struct store *st, struct refresh_token *t,
    const char *token_hash, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "INSERT INTO refresh_tokens(user_id, "
	    "family, token_hash, created_at, family_created_at, expires_at, "
	    "last_used_at, user_agent, address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    err);

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, t->user_id);
	sqlite3_bind_text(s, 2, t->family, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, token_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, t->created_at);
	sqlite3_bind_int64(s, 5, t->family_created_at);
	sqlite3_bind_int64(s, 6, t->expires_at);
	sqlite3_bind_int64(s, 7, t->last_used_at);
	sqlite3_bind_text(s, 8, t->user_agent, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, t->address, -1, SQLITE_STATIC);
	if (st_exec_stmt(st, s, err) < 0)
		return st_failed(st);
	t->id = sqlite3_last_insert_rowid(st->db);
	t->used = t->revoked = false;
	return 0;
}

int
store_refresh_get(struct store *st, const char *token_hash,
    struct refresh_token *t, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT " RT_COLS " FROM refresh_tokens "
	    "WHERE token_hash = ?", err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_text(s, 1, token_hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		row_refresh(s, t);
		sqlite3_reset(s);
		return 0;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return st_error(st, err, "refresh token");
	return spend_errf(err, SPEND_ENOTFOUND, "refresh_token",
	    "no such refresh token");
}

int
store_refresh_use(struct store *st, int64_t id, int64_t now, bool *won,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "UPDATE refresh_tokens SET used = 1, "
	    "last_used_at = ? WHERE id = ? AND used = 0 AND revoked = 0", err);

	*won = false;
	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, id);
	if (st_exec_stmt(st, s, err) < 0)
		return st_failed(st);
	*won = sqlite3_changes(st->db) == 1;
	return 0;
}

int
store_refresh_revoke_family(struct store *st, int64_t uid, const char *family,
    bool *found, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "UPDATE refresh_tokens SET revoked = 1 "
	    "WHERE user_id = ? AND family = ? AND revoked = 0", err);

	if (found)
		*found = false;
	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_text(s, 2, family, -1, SQLITE_STATIC);
	if (st_exec_stmt(st, s, err) < 0)
		return st_failed(st);
	if (found)
		*found = sqlite3_changes(st->db) > 0;
	return 0;
}

int
store_refresh_revoke_user(struct store *st, int64_t uid,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "UPDATE refresh_tokens SET revoked = 1 "
	    "WHERE user_id = ? AND revoked = 0", err);

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	return st_exec_stmt(st, s, err);
}

int
store_session_list(struct store *st, int64_t uid, int64_t now,
    int (*cb)(void *, const struct refresh_token *), void *arg,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT t.id, t.user_id, t.family, "
	    "t.used, t.revoked, t.created_at, t.family_created_at, "
	    "t.expires_at, t.last_used_at, t.user_agent, t.address, "
	    "coalesce(d.name, ''), coalesce(d.sync_seq, 0), "
	    "coalesce(d.synced_at, '') FROM refresh_tokens t LEFT JOIN devices d "
	    "ON d.user_id = t.user_id AND d.family = t.family "
	    "WHERE t.user_id = ? AND t.used = 0 AND t.revoked = 0 AND "
	    "t.expires_at > ? ORDER BY t.family_created_at, t.id", err);
	struct refresh_token t;
	int rc, r = 0;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_int64(s, 2, now);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&t, 0, sizeof(t));
		row_refresh(s, &t);
		st_col_text(s, 11, t.device, sizeof(t.device));
		t.sync_seq = sqlite3_column_int64(s, 12);
		st_col_text(s, 13, t.synced_at, sizeof(t.synced_at));
		if ((r = cb(arg, &t)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (r == 0 && rc != SQLITE_DONE)
		return st_error(st, err, "list sessions");
	return r;
}

int
store_refresh_expire(struct store *st, int64_t now, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "DELETE FROM refresh_tokens WHERE "
	    "expires_at <= ?", err);

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, now);
	return st_exec_stmt(st, s, err);
}

int
store_session_live(struct store *st, int64_t uid, const char *family,
    int64_t now, bool *live, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT 1 FROM refresh_tokens WHERE "
	    "user_id = ? AND family = ? AND revoked = 0 AND expires_at > ? "
	    "LIMIT 1", err);
	int rc;

	*live = false;
	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_text(s, 2, family, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return st_error(st, err, "session");
	*live = rc == SQLITE_ROW;
	return 0;
}
