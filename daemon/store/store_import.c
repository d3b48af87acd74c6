/* Import jobs: counting identical rows of one file, on disk. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_internal.h"

/*
 * The table of identical-row counts lives in a scratch database of its own,
 * a file ATTACHed as "seen": on disk, so a 1M-row file does not grow
 * memory (its page cache is SQLite's default 2 MB), and not in TEMP, for
 * that would take temp_store = FILE, and with it the connection's
 * statement journals go to files too: the savepoint of every row then
 * wrote its pages to disk, 28 writes a row (200k rows: 8.7 GB written for
 * a 98 MB database). The file is unlinked as soon as it is attached (the
 * connection keeps it open), so nothing is left behind, even by a crash.
 */
int
store_import_seen_open(struct store *st, struct spend_err *err)
{
	const char *dir = getenv("TMPDIR");
	char *path = st->seen_path, *sql;
	size_t size = sizeof(st->seen_path);
	int fd, r;

	store_import_seen_close(st);	/* one left by a failed import */
	if ((size_t)snprintf(path, size, "%s/spend-seen-XXXXXX", dir && *dir ?
	    dir : "/var/tmp") >= size) {
		path[0] = '\0';
		return spend_errf(err, SPEND_ESTORE, "", "TMPDIR is too long a "
		    "path for the import's scratch file");
	}
	if ((fd = mkstemp(path)) < 0) {
		r = spend_errf(err, errno == ENOSPC ? SPEND_EFULL : SPEND_ESTORE,
		    "", "cannot make the import's scratch file %s: %s", path,
		    strerror(errno));
		path[0] = '\0';
		return r;
	}
	close(fd);
	st->seen_linked = true;
	/* its journal in memory, no syncs: nothing in it outlives the job */
	if ((sql = sqlite3_mprintf("ATTACH %Q AS seen;"
	    "PRAGMA seen.journal_mode = MEMORY;"
	    "PRAGMA seen.synchronous = OFF;"
	    "CREATE TABLE seen.import_seen("
	    "  h BLOB PRIMARY KEY,"
	    "  n INTEGER NOT NULL) WITHOUT ROWID", path)) == NULL)
		r = spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	else
		r = st_exec(st, sql, err);
	sqlite3_free(sql);
	if (r < 0)
		store_import_seen_close(st);
	else {	/* open now: gone from the directory, even after a crash;
		 * and if it is gone already, the name is not ours any more */
		unlink(path);
		st->seen_linked = false;
	}
	return r;
}

int
store_import_seen_get(struct store *st, const void *hash, size_t len,
    int64_t *n, bool *found, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT n FROM seen.import_seen "
	    "WHERE h = ?", err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_blob(s, 1, hash, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(s);
	*found = rc == SQLITE_ROW;
	*n = *found ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return st_error(st, err, "import row count");
	return 0;
}

int
store_import_seen_set(struct store *st, const void *hash, size_t len,
    int64_t n, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "INSERT INTO seen.import_seen(h, n) "
	    "VALUES (?, ?) ON CONFLICT(h) DO UPDATE SET n = excluded.n", err);

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_blob(s, 1, hash, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, n);
	return st_exec_stmt(st, s, err);
}

void
store_import_seen_close(struct store *st)
{
	if (st->seen_path[0] == '\0')
		return;
	/* (fails only inside a transaction: then the connection's close
	 * lets go of it) */
	st_exec(st, "DETACH seen", NULL);
	/* only after a failed open: once unlinked, the name may be another
	 * file's by now */
	if (st->seen_linked)
		unlink(st->seen_path);
	st->seen_linked = false;
	st->seen_path[0] = '\0';
}

/* ---- staged imports ---- */

int
store_import_stage(struct store *st, int64_t uid, const char *format,
    const char *filename, int64_t *id, int64_t *blocking,
    struct spend_err *err)
{
	sqlite3_stmt *s;
	char now[TIMESTAMP_LEN + 1];
	int r;

	*blocking = 0;
	if ((r = store_begin(st, err)) < 0)
		return r;
	timestamp_now(now);
	if ((s = st_prepare(st, "INSERT INTO imports(user_id, state, format, "
	    "filename, created_at) VALUES (?, 'staging', ?, ?, ?)", err)) == NULL) {
		r = st_failed(st);
		goto fail;
	}
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_text(s, 2, format, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, filename, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
	if ((r = st_exec_stmt(st, s, err)) < 0)
		goto fail;
	*id = sqlite3_last_insert_rowid(st->db);
	/* the one staging import of the user: the lock and the veil */
	if ((s = st_prepare(st, "UPDATE users SET staging = ? WHERE id = ? "
	    "AND staging = -1", err)) == NULL) {
		r = st_failed(st);
		goto fail;
	}
	sqlite3_bind_int64(s, 1, *id);
	sqlite3_bind_int64(s, 2, uid);
	if ((r = st_exec_stmt(st, s, err)) < 0)
		goto fail;
	if (sqlite3_changes(st->db) == 0) {
		if ((s = st_prepare(st, "SELECT staging FROM users WHERE id = ?",
		    err)) != NULL) {
			sqlite3_bind_int64(s, 1, uid);
			if (sqlite3_step(s) == SQLITE_ROW)
				*blocking = sqlite3_column_int64(s, 0);
			sqlite3_reset(s);
		}
		r = spend_errf(err, SPEND_ERUNNING, "", "another import of this "
		    "user is running (or being undone): try again when it is "
		    "done");
		goto fail;
	}
	return store_commit(st, err);
fail:
	store_rollback(st);
	return r;
}

int
store_import_progress(struct store *st, int64_t id, int64_t first_id,
    int64_t last_id, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "UPDATE imports SET first_id = ?, "
	    "last_id = ? WHERE id = ?", err);

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, first_id);
	sqlite3_bind_int64(s, 2, last_id);
	sqlite3_bind_int64(s, 3, id);
	return st_exec_stmt(st, s, err);
}

int
store_import_totals(struct store *st, int64_t id, int64_t first_id,
    int64_t last_id, struct spend_err *err)
{
	/* what the insert triggers add for a row at stage 0, a group at a
	 * time ("WHERE" before "ON CONFLICT": SQLite's upsert after a
	 * SELECT needs it) */
	static const char *const sql[] = {
		"INSERT INTO day_totals SELECT user_id, date, category_id, "
		"currency, stage, count(*), sum(amount) FROM expenses WHERE id "
		"BETWEEN ?1 AND ?2 AND stage = ?3 AND deleted = 0 AND parts = 0 "
		"GROUP BY user_id, date, category_id, currency ON CONFLICT DO "
		"UPDATE SET count = count + excluded.count, sum = sum + "
		"excluded.sum",
		"INSERT INTO month_totals SELECT user_id, substr(date, 1, 7), "
		"category_id, currency, stage, count(*), sum(amount) FROM "
		"expenses WHERE id BETWEEN ?1 AND ?2 AND stage = ?3 AND deleted "
		"= 0 AND parts = 0 GROUP BY user_id, substr(date, 1, 7), "
		"category_id, currency ON CONFLICT DO UPDATE SET count = count + "
		"excluded.count, sum = sum + excluded.sum",
	};
	int r;

	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		sqlite3_stmt *s = st_prepare(st, sql[i], err);

		if (s == NULL)
			return st_failed(st);
		sqlite3_bind_int64(s, 1, first_id);
		sqlite3_bind_int64(s, 2, last_id);
		sqlite3_bind_int64(s, 3, id);
		if ((r = st_exec_stmt(st, s, err)) < 0)
			return r;
	}
	return 0;
}

static int
import_finish(struct store *st, int64_t uid, int64_t id, const char *state,
    int64_t added, struct spend_err *err)
{
	sqlite3_stmt *s;
	char now[TIMESTAMP_LEN + 1];
	int r;

	timestamp_now(now);
	if ((s = st_prepare(st, "UPDATE imports SET state = ?, added = ?, "
	    "finished_at = ? WHERE id = ? AND state = 'staging'", err)) == NULL)
		return st_failed(st);
	sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, added);
	sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, id);
	if ((r = st_exec_stmt(st, s, err)) < 0)
		return r;
	if (sqlite3_changes(st->db) == 0)
		return spend_errf(err, SPEND_EINTERNAL, "", "import %lld is not "
		    "staging", (long long)id);
	if ((s = st_prepare(st, "UPDATE users SET staging = -1 WHERE id = ? "
	    "AND staging = ?", err)) == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_int64(s, 2, id);
	return st_exec_stmt(st, s, err);
}

int
store_import_publish(struct store *st, int64_t uid, int64_t id,
    int64_t added, struct spend_err *err)
{
	return import_finish(st, uid, id, "published", added, err);
}

int
store_import_fail(struct store *st, int64_t uid, int64_t id,
    struct spend_err *err)
{
	sqlite3_stmt *s;
	int r;

	if ((r = store_begin(st, err)) < 0)
		return r;
	/* nothing of it is left to remember: the caller heard why */
	if ((r = import_finish(st, uid, id, "failed", 0, err)) < 0)
		goto fail;
	if ((s = st_prepare(st, "DELETE FROM imports WHERE id = ?", err)) ==
	    NULL) {
		r = st_failed(st);
		goto fail;
	}
	sqlite3_bind_int64(s, 1, id);
	if ((r = st_exec_stmt(st, s, err)) < 0)
		goto fail;
	return store_commit(st, err);
fail:
	store_rollback(st);
	return r;
}

int
store_import_discard(struct store *st, int64_t id, int64_t max, bool *done,
    struct spend_err *err)
{
	sqlite3_stmt *s;
	int64_t first = 0, last = 0, uid = 0;
	int rc, r;

	*done = false;
	if ((r = store_begin(st, err)) < 0)
		return r;
	if ((s = st_prepare(st, "SELECT user_id, first_id, last_id FROM imports "
	    "WHERE id = ?", err)) == NULL) {
		r = st_failed(st);
		goto fail;
	}
	sqlite3_bind_int64(s, 1, id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		uid = sqlite3_column_int64(s, 0);
		first = sqlite3_column_int64(s, 1);
		last = sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW) {
		r = rc == SQLITE_DONE ? spend_errf(err, SPEND_ENOTFOUND, "",
		    "no import %lld", (long long)id) : st_error(st, err,
		    "read an import");
		goto fail;
	}
	if (first > 0 && first <= last) {
		/* by id range: the rows are found through the primary key,
		 * a batch at a time, never by a scan of the table */
		int64_t to = first + max - 1 < last ? first + max - 1 : last;

		if ((s = st_prepare(st, "DELETE FROM expenses WHERE id BETWEEN "
		    "? AND ? AND stage = ?", err)) == NULL) {
			r = st_failed(st);
			goto fail;
		}
		sqlite3_bind_int64(s, 1, first);
		sqlite3_bind_int64(s, 2, to);
		sqlite3_bind_int64(s, 3, id);
		if ((r = st_exec_stmt(st, s, err)) < 0 ||
		    (r = store_import_progress(st, id, to + 1, last, err)) < 0)
			goto fail;
		return store_commit(st, err);
	}
	if ((s = st_prepare(st, "DELETE FROM categories WHERE user_id = ? AND "
	    "stage = ?", err)) == NULL) {
		r = st_failed(st);
		goto fail;
	}
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_int64(s, 2, id);
	if ((r = st_exec_stmt(st, s, err)) < 0)
		goto fail;
	*done = true;
	return store_commit(st, err);
fail:
	store_rollback(st);
	return r;
}

int
store_import_leftovers(struct store *st,
    int (*cb)(void *arg, const struct import_rec *r), void *arg,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT id, user_id, state, first_id, "
	    "last_id, added FROM imports WHERE state = 'staging' ORDER BY id",
	    err);
	struct import_rec ir;
	int rc, r = 0;

	if (s == NULL)
		return st_failed(st);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&ir, 0, sizeof(ir));
		ir.id = sqlite3_column_int64(s, 0);
		ir.user_id = sqlite3_column_int64(s, 1);
		st_col_text(s, 2, ir.state, sizeof(ir.state));
		ir.first_id = sqlite3_column_int64(s, 3);
		ir.last_id = sqlite3_column_int64(s, 4);
		ir.added = sqlite3_column_int64(s, 5);
		if ((r = cb(arg, &ir)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = st_error(st, err, "list imports");
	sqlite3_reset(s);
	return r;
}
