/* The change log: one numbered row per change of a user's data. */
#include <string.h>

#include "store_internal.h"

int
store_change_append(struct store *st, int64_t uid, const char *entity,
    int64_t entity_id, const char *op, int64_t version, int64_t *seq,
    struct spend_err *err)
{
	/* the counter lives with the user: numbers are never reused, even
	 * when old changes are compacted away */
	sqlite3_stmt *s = st_prepare(st, "UPDATE users SET change_seq = "
	    "change_seq + 1 WHERE id = ? RETURNING change_seq", err);
	char now[TIMESTAMP_LEN + 1];
	int rc;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		sqlite3_reset(s);
		if (rc == SQLITE_DONE)
			return spend_errf(err, SPEND_ENOTFOUND, "", "no user %lld",
			    (long long)uid);
		return st_error(st, err, "number a change");
	}
	*seq = sqlite3_column_int64(s, 0);
	rc = sqlite3_step(s);	/* RETURNING writes when stepped to the end */
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return st_error(st, err, "number a change");
	if ((s = st_prepare(st, "INSERT INTO changes(user_id, seq, entity, "
	    "entity_id, op, version, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
	    err)) == NULL)
		return st_failed(st);
	timestamp_now(now);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_int64(s, 2, *seq);
	sqlite3_bind_text(s, 3, entity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, entity_id);
	sqlite3_bind_text(s, 5, op, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, version);
	sqlite3_bind_text(s, 7, now, -1, SQLITE_STATIC);
	return st_exec_stmt(st, s, err);
}

int
store_change_list(struct store *st, int64_t uid, int64_t since, int limit,
    int (*cb)(void *arg, const struct change *c), void *arg,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT seq, entity, entity_id, op, "
	    "version, changed_at FROM changes WHERE user_id = ? AND seq > ? "
	    "ORDER BY seq LIMIT ?", err);
	struct change c;
	int rc, r = 0;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_int64(s, 2, since);
	sqlite3_bind_int64(s, 3, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&c, 0, sizeof(c));
		c.seq = sqlite3_column_int64(s, 0);
		st_col_text(s, 1, c.entity, sizeof(c.entity));
		c.entity_id = sqlite3_column_int64(s, 2);
		st_col_text(s, 3, c.op, sizeof(c.op));
		c.version = sqlite3_column_int64(s, 4);
		st_col_text(s, 5, c.at, sizeof(c.at));
		if ((r = cb(arg, &c)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = st_error(st, err, "list changes");
	sqlite3_reset(s);
	return r;
}

int
store_change_last(struct store *st, int64_t uid, int64_t *seq,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT change_seq FROM users "
	    "WHERE id = ?", err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	rc = sqlite3_step(s);
	*seq = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return spend_errf(err, SPEND_ENOTFOUND, "", "no user %lld",
		    (long long)uid);
	return rc == SQLITE_ROW ? 0 : st_error(st, err, "read the change "
	    "sequence");
}
