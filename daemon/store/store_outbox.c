/* The notifier outbox (migration 4): events stored with the write that
 * caused them. */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

int
store_outbox_add(struct store *st, int64_t uid, const char *kind,
    const char *payload, int64_t *id, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "INSERT INTO outbox(user_id, kind, "
	    "payload, created_at) VALUES (?, ?, ?, ?)", err);
	char now[TIMESTAMP_LEN + 1];
	int r;

	if (s == NULL)
		return st_failed(st);
	timestamp_now(now);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, payload, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
	if ((r = st_exec_stmt(st, s, err)) < 0)
		return r;
	if (id)
		*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int
store_outbox_list(struct store *st, int64_t uid, int64_t after, int limit,
    int (*cb)(void *arg, const struct outbox_event *e), void *arg,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT id, user_id, kind, payload, "
	    "created_at FROM outbox WHERE (?1 = 0 OR user_id = ?1) AND id > ?2 "
	    "ORDER BY id LIMIT ?3", err);
	struct outbox_event e;
	int rc, r = 0;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_int64(s, 2, after);
	sqlite3_bind_int(s, 3, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&e, 0, sizeof(e));
		e.id = sqlite3_column_int64(s, 0);
		e.user_id = sqlite3_column_int64(s, 1);
		st_col_text(s, 2, e.kind, sizeof(e.kind));
		if ((e.payload = strdup((const char *)sqlite3_column_text(s,
		    3))) == NULL) {
			sqlite3_reset(s);
			return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
		}
		st_col_text(s, 4, e.created_at, sizeof(e.created_at));
		r = cb(arg, &e);
		free(e.payload);
		if (r != 0)
			break;
	}
	sqlite3_reset(s);
	if (r == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
		return st_error(st, err, "read the outbox");
	return r;
}
