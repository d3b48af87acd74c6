/*
 * Opening a connection (store_open): its pragmas, the search function
 * (store_search.c), the quick_check and the migrations, with the copy of
 * the database before them (store_upgrade.c). Apart from store.c so that
 * store.c, which every store file calls, calls none of them back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "log.h"
#include "store_migrations.h"
#include "util.h"

/* Apply each migration past user_version in its own transaction, with the
 * version bump inside it: a crash leaves the database at a whole step. */
static int
migrate(struct store *st, struct spend_err *err)
{
	int v = st_user_version(st);

	if (v < 0)
		return st_error(st, err, "read schema version");
	if (v > STORE_SCHEMA_VERSION)
		return spend_errf(err, SPEND_ESTORE, "",
		    "database schema version %d is newer than this spendd "
		    "(%d): upgrade spendd", v, STORE_SCHEMA_VERSION);
	if (v > 0 && v < STORE_SCHEMA_VERSION) {	/* store_upgrade.c */
		int r = st_copy_before_migrate(st, v, err);

		if (r < 0)
			return r;
	}
	for (; v < STORE_SCHEMA_VERSION; v++) {
		char bump[64];
		int r;

		if ((r = st_exec(st, "BEGIN IMMEDIATE", err)) < 0)
			return r;
		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", v + 1);
		if ((r = st_exec(st, store_migrations[v], err)) < 0 ||
		    (r = st_exec(st, bump, err)) < 0 ||
		    (r = st_exec(st, "COMMIT", err)) < 0) {
			if (!sqlite3_get_autocommit(st->db))
				st_exec(st, "ROLLBACK", NULL);
			spend_err_prefix(err, "migration %d", v + 1);
			return r;
		}
		log_info("store: migrated schema to version %d", v + 1);
	}
	return 0;
}

/* What a write outside a transaction (or a migration) queued for the
 * search index and no commit handed over (store.c, st_fts_sync), now. */
static int
sync_left(struct store *st, struct spend_err *err)
{
	int r;

	if ((r = st_fts_queued(st, err)) <= 0)
		return r;
	st->fts_synced = -1;	/* whatever this connection wrote */
	if ((r = store_begin(st, err)) < 0)
		return r;
	return store_commit(st, err);
}

static int
quick_check(struct store *st, struct spend_err *err)
{
	sqlite3_stmt *s;
	int rc;
	char res[256] = "";

	if (sqlite3_prepare_v2(st->db, "PRAGMA quick_check", -1, &s, NULL))
		return st_error(st, err, "quick_check");
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		st_col_text(s, 0, res, sizeof(res));
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)	/* could not check: I/O, memory */
		return st_error(st, err, "quick_check");
	if (strcmp(res, "ok") != 0)
		return spend_errf(err, SPEND_ESTORE, "",
		    "database failed quick_check: %s", res);
	return 0;
}

int
store_open(const char *path, int flags, struct store **out,
    struct spend_err *err)
{
	struct store *st;
	int oflags = SQLITE_OPEN_NOMUTEX, rc, r;

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	oflags |= (flags & STORE_READONLY) ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE;
	if (flags & STORE_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	if ((rc = sqlite3_open_v2(path, &st->db, oflags, NULL)) != SQLITE_OK) {
		r = rc == SQLITE_NOMEM ? SPEND_ENOMEM : rc == SQLITE_FULL ?
		    SPEND_EFULL : SPEND_ESTORE;
		spend_errf(err, r, "", "%s: %s", path, st->db ?
		    sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		sqlite3_close(st->db);
		free(st);
		return r;
	}
	sqlite3_extended_result_codes(st->db, 1);
	st->loop = (flags & STORE_LOOP) != 0;
	st->loop_poll_ms = STORE_LOOP_BUSY_MS;
	if (st->loop)
		sqlite3_busy_handler(st->db, st_loop_busy, st);
	else
		sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	sqlite3_wal_hook(st->db, st_autocheckpoint, st);
	if ((r = st_exec(st, "PRAGMA journal_mode = WAL", err)) < 0 ||
	    (r = st_exec(st, (flags & STORE_SYNC_FULL) ?
	    "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
	    err)) < 0 ||
	    (r = st_exec(st, "PRAGMA foreign_keys = ON; PRAGMA temp_store = "
	    "MEMORY; PRAGMA cache_size = -16000", err)) < 0 ||
	    (r = st_search_init(st, err)) < 0 ||
	    (!(flags & STORE_SECONDARY) && (r = quick_check(st, err)) < 0) ||
	    (!(flags & (STORE_READONLY | STORE_SECONDARY)) &&
	    ((r = migrate(st, err)) < 0 || (r = sync_left(st, err)) < 0))) {
		spend_err_prefix(err, "%s", path);
		store_close(st);
		return r;
	}
	*out = st;
	return 0;
}
