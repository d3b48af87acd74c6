/* Pushes: mutation outcomes, client-made ids, field versions (sync.h). */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

int
store_sync_mutation_get(struct store *st, int64_t uid, const char *mid,
    char **result, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT response FROM sync_mutations "
	    "WHERE user_id = ? AND mid = ?", err);
	int rc;

	*result = NULL;
	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_text(s, 2, mid, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);

		*result = strdup(t ? t : "{}");
		sqlite3_reset(s);
		return *result ? 0 : spend_errf(err, SPEND_ENOMEM, "",
		    "out of memory");
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return st_error(st, err, "read a mutation");
	return SPEND_ENOTFOUND;
}

int
store_sync_mutation_put(struct store *st, int64_t uid, const char *mid,
    const char *result, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "INSERT INTO sync_mutations(user_id, "
	    "mid, response, created_at) VALUES (?, ?, ?, ?)", err);
	char now[TIMESTAMP_LEN + 1];

	if (s == NULL)
		return st_failed(st);
	timestamp_now(now);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_text(s, 2, mid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, result, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
	return st_exec_stmt(st, s, err);
}

int
store_sync_mutations_forget(struct store *st, const char *before,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "DELETE FROM sync_mutations WHERE "
	    "created_at < ?", err);

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_text(s, 1, before, -1, SQLITE_STATIC);
	return st_exec_stmt(st, s, err);
}

int
store_sync_client_get(struct store *st, int64_t uid, const char *client_id,
    int64_t *expense_id, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT expense_id FROM "
	    "sync_client_ids WHERE user_id = ? AND client_id = ?", err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_text(s, 2, client_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	*expense_id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return st_error(st, err, "find a client id");
	return spend_errf(err, SPEND_ENOTFOUND, "client_id", "no expense was "
	    "created as %.64s", client_id);
}

int
store_sync_client_put(struct store *st, int64_t uid, const char *client_id,
    int64_t expense_id, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "INSERT INTO sync_client_ids(user_id, "
	    "client_id, expense_id) VALUES (?, ?, ?)", err);
	int r;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_text(s, 2, client_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, expense_id);
	if ((r = st_exec_stmt(st, s, err)) == SPEND_ECONFLICT)
		return spend_errf(err, SPEND_ECONFLICT, "client_id", "client id "
		    "%.64s names another expense already", client_id);
	return r;
}

int
store_expense_field_touch(struct store *st, int64_t id, const char *field,
    int64_t version, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "INSERT INTO expense_field_versions("
	    "expense_id, field, version) VALUES (?, ?, ?) ON CONFLICT DO "
	    "UPDATE SET version = excluded.version", err);

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, field, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, version);
	return st_exec_stmt(st, s, err);
}

int
store_expense_fields_since(struct store *st, int64_t id, int64_t version,
    int (*cb)(void *arg, const char *field), void *arg,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT field FROM "
	    "expense_field_versions WHERE expense_id = ? AND version > ? "
	    "ORDER BY field", err);
	char field[32];
	int rc, r = 0;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, version);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		st_col_text(s, 0, field, sizeof(field));
		if ((r = cb(arg, field)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = st_error(st, err, "read field versions");
	sqlite3_reset(s);
	return r;
}

int
store_device_name(struct store *st, int64_t uid, const char *family,
    const char *name, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "INSERT INTO devices(user_id, family, "
	    "name) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET name = "
	    "excluded.name", err);

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_text(s, 2, family, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
	return st_exec_stmt(st, s, err);
}

int
store_device_synced(struct store *st, int64_t uid, const char *family,
    int64_t seq, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "INSERT INTO devices(user_id, family, "
	    "sync_seq, synced_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE "
	    "SET sync_seq = ?3, synced_at = ?4", err);
	char now[TIMESTAMP_LEN + 1];

	if (s == NULL)
		return st_failed(st);
	timestamp_now(now);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_text(s, 2, family, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, seq);
	sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
	return st_exec_stmt(st, s, err);
}

int
store_devices_forget(struct store *st, struct spend_err *err)
{
	return st_exec(st, "DELETE FROM devices WHERE NOT EXISTS (SELECT 1 FROM "
	    "refresh_tokens t WHERE t.user_id = devices.user_id AND t.family = "
	    "devices.family AND t.revoked = 0)", err);
}
