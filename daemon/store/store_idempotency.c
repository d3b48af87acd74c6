/* idempotency_keys table */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

int
store_idem_get(struct store *st, int64_t uid, const char *key,
    const char *request_hash, char **response, bool *hash_match,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT request_hash, response FROM "
	    "idempotency_keys WHERE user_id = ? AND key = ?", err);
	int rc;

	*response = NULL;
	*hash_match = false;
	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		/* (both NOT NULL: a NULL text is SQLite out of memory) */
		const char *h = (const char *)sqlite3_column_text(s, 0);
		const char *t = (const char *)sqlite3_column_text(s, 1);

		*hash_match = h && strcmp(h, request_hash) == 0;
		*response = h && t ? strdup(t) : NULL;
		sqlite3_reset(s);
		return *response ? 0 : spend_errf(err, SPEND_ENOMEM, "",
		    "out of memory");
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : st_error(st, err, "idempotency key");
}

int
store_idem_put(struct store *st, int64_t uid, const char *key,
    const char *request_hash, const char *response, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "INSERT INTO idempotency_keys(user_id, "
	    "key, request_hash, response, created_at) VALUES (?, ?, ?, ?, ?)",
	    err);

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, request_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, response, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, time_now());
	return st_exec_stmt(st, s, err);
}

int
store_idem_expire(struct store *st, int64_t cutoff, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "DELETE FROM idempotency_keys "
	    "WHERE created_at < ?", err);

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, cutoff);
	return st_exec_stmt(st, s, err);
}
