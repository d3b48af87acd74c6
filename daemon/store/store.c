/* Connections (closing; store_open.c opens), transactions, the statement
 * cache, errors, the meta table. */
#include <ctype.h>
#include <errno.h>
#include <stdatomic.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store_internal.h"
#include "log.h"

/* SQLite rolls a transaction back by itself after some errors (I/O, a
 * full disk, no memory). A statement run after that would run on its own
 * and commit at once: what came before is gone, what comes after sticks. */
static bool
tx_lost(struct store *st)
{
	return st->tx_depth > 0 && sqlite3_get_autocommit(st->db);
}

static int
tx_lost_error(struct store *st, struct spend_err *err)
{
	st->last_code = st->lost_code < 0 ? st->lost_code : SPEND_ESTORE;
	return spend_errf(err, st->last_code, "", "the transaction was rolled "
	    "back after an earlier error (%s): nothing was written",
	    st->lost_msg[0] ? st->lost_msg : "no reason recorded");
}

sqlite3_stmt *
st_prepare(struct store *st, const char *sql, struct spend_err *err)
{
	int victim = 0;

	if (tx_lost(st)) {
		tx_lost_error(st, err);
		return NULL;
	}
	for (int i = 0; i < STMT_CACHE; i++) {
		if (st->cache[i].sql && strcmp(st->cache[i].sql, sql) == 0) {
			st->cache[i].last_use = ++st->tick;
			sqlite3_reset(st->cache[i].stmt);
			sqlite3_clear_bindings(st->cache[i].stmt);
			return st->cache[i].stmt;
		}
		if (st->cache[i].last_use < st->cache[victim].last_use)
			victim = i;
	}
	if (st->cache[victim].stmt) {
		sqlite3_finalize(st->cache[victim].stmt);
		free(st->cache[victim].sql);
		st->cache[victim].stmt = NULL;
		st->cache[victim].sql = NULL;
	}
	sqlite3_stmt *s;
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s,
	    NULL) != SQLITE_OK) {
		/* the message first: st_error may run a statement (after
		 * running out of memory), which clears it */
		char msg[200];

		strlcpy(msg, sqlite3_errmsg(st->db), sizeof(msg));
		st_error(st, err, "prepare");
		log_warnx("store: prepare failed: %s: %s", msg, sql);
		return NULL;
	}
	if ((st->cache[victim].sql = strdup(sql)) == NULL) {
		sqlite3_finalize(s);
		st->last_code = SPEND_ENOMEM;
		spend_errf(err, SPEND_ENOMEM, "", "prepare: out of memory");
		return NULL;
	}
	st->cache[victim].stmt = s;
	st->cache[victim].last_use = ++st->tick;
	return s;
}

/* The file name of the main database, for the log ("" for :memory:). */
static const char *
db_name(struct store *st)
{
	const char *f = sqlite3_db_filename(st->db, "main");

	return f ? f : "";
}

/* The messages go to clients, who may not run the server: they say what
 * happened and what to do; the log line says where. */
int
st_error(struct store *st, struct spend_err *err, const char *what)
{
	int rc = sqlite3_extended_errcode(st->db);
	int sys = sqlite3_system_errno(st->db);
	struct spend_err e;

	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
		spend_errf(&e, SPEND_ECONFLICT, "", "%s: %s", what,
		    sqlite3_errmsg(st->db));
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		spend_errf(&e, SPEND_EBUSY, "", "%s: the database is busy, try "
		    "again in a moment", what);
		break;
	case SQLITE_FULL:
		spend_errf(&e, SPEND_EFULL, "", "%s: the disk is full (no space "
		    "left for the database): try again once space is freed",
		    what);
		break;
	case SQLITE_NOMEM:
		spend_errf(&e, SPEND_ENOMEM, "", "%s: out of memory", what);
		break;
	case SQLITE_IOERR:
		/* a full disk met while growing the -shm or a temporary file
		 * comes back as an I/O error */
		if (sys == ENOSPC || sys == EDQUOT) {
			spend_errf(&e, SPEND_EFULL, "", "%s: the disk is full (%s):"
			    " try again once space is freed", what,
			    strerror(sys));
			break;
		}
		spend_errf(&e, SPEND_ESTORE, "", "%s: I/O error on the "
		    "database%s%s", what, sys ? ": " : "",
		    sys ? strerror(sys) : "");
		break;
	default:
		spend_errf(&e, SPEND_ESTORE, "", "%s: database error: %s", what,
		    sqlite3_errmsg(st->db));
		break;
	}
	if (e.code != SPEND_ECONFLICT && e.code != SPEND_EBUSY)
		log_warnx("store: %s: %s: %s (%d%s%s)", db_name(st), what,
		    sqlite3_errmsg(st->db), rc, sys ? ", " : "",
		    sys ? strerror(sys) : "");
	st->last_code = e.code;
	/*
	 * After running out of memory (or an I/O error) in a read nested in
	 * another statement, FTS5 (SQLite 3.40) can keep stale figures of its
	 * table (row and token totals) on this connection, and its next
	 * write of the index builds on them: the index no longer matches its
	 * rows. Reloading the schema drops every cached FTS5 table. Only with
	 * no transaction open (it takes no lock, and the statements prepare
	 * again by themselves).
	 */
	if (((rc & 0xff) == SQLITE_NOMEM || (rc & 0xff) == SQLITE_IOERR ||
	    (rc & 0xff) == SQLITE_FULL) && sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "PRAGMA writable_schema = RESET", NULL, NULL,
		    NULL);
	if (tx_lost(st) && st->lost_code == 0) {
		st->lost_code = e.code;
		strlcpy(st->lost_msg, e.msg, sizeof(st->lost_msg));
	}
	if (err)
		*err = e;
	return e.code;
}

/* What a statement does, for messages: its first words in lower case
 * ("insert into expenses", "update users", "commit"). */
static void
sql_what(const char *sql, char *out, size_t size)
{
	int words = strncasecmp(sql, "UPDATE", 6) == 0 ? 2 : 3;
	size_t o = 0;

	for (; *sql && o + 1 < size; sql++) {
		if (*sql == ';' || *sql == '(' || *sql == '\n')
			break;
		if (*sql == ' ' && --words == 0)
			break;
		out[o++] = (char)tolower((unsigned char)*sql);
	}
	out[o] = '\0';
}

int
st_exec_stmt(struct store *st, sqlite3_stmt *s, struct spend_err *err)
{
	int rc = sqlite3_step(s);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		char what[64];
		int r;

		sql_what(sqlite3_sql(s), what, sizeof(what));
		r = st_error(st, err, what);
		sqlite3_reset(s);
		return r;
	}
	sqlite3_reset(s);
	return 0;
}

/* One statement of the few a transaction runs (BEGIN, COMMIT, SAVEPOINT,
 * RELEASE), through st_prepare's cache: a bulk add runs a savepoint per
 * item, and sqlite3_exec would parse it each time. */
static int
st_exec_tx(struct store *st, const char *sql, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, sql, err);

	if (s == NULL)
		return -1;
	return st_exec_stmt(st, s, err);
}

int
st_exec(struct store *st, const char *sql, struct spend_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		char what[64];
		int r;

		sql_what(sql, what, sizeof(what));
		r = st_error(st, err, what);
		sqlite3_free(msg);
		return r;
	}
	return 0;
}

void
st_col_text(sqlite3_stmt *s, int i, char *buf, size_t len)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	/* SQLite knows the length: no strlen (as strlcpy would) for each
	 * column of each row */
	size_t n = t ? (size_t)sqlite3_column_bytes(s, i) : 0;

	if (len == 0)
		return;
	if (n >= len)
		n = len - 1;
	if (n)
		memcpy(buf, t, n);
	buf[n] = '\0';
}

int
st_user_version(struct store *st)
{
	sqlite3_stmt *s;
	int v = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL))
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

const char *
store_engine_version(void)
{
	return "sqlite " SQLITE_VERSION;
}

int
store_schema_version(struct store *st)
{
	return st_user_version(st);
}

const char *
store_durability(struct store *st)
{
	static const char *const names[] = { "off", "normal", "full", "extra" };
	sqlite3_stmt *s;
	int v = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA synchronous", -1, &s, NULL))
		return "unknown";
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v >= 0 && v < 4 ? names[v] : "unknown";
}

/*
 * The event loop's writes come first. While the loop waits for the write
 * lock, loop_wants says so to the workers (store_writer_waiting): an
 * import ends its batch at the next row and lets the loop in. The loop
 * polls the lock every half millisecond (SQLite's own busy timeout sleeps
 * 1, 2, 5, 10... ms and would miss the gap between two batches), for at
 * most st->loop_poll_ms (STORE_LOOP_BUSY_MS unless the caller says:
 * rpc.c's calls poll briefly, then wait off the loop and try again).
 *
 * loop_wants is process-wide: it speaks for the loop's connection to the
 * workers' connections to the same database, and one process serves one
 * database (store_open has no handle to share between connections).
 */
static atomic_int loop_wants;

bool
store_writer_waiting(void)
{
	return atomic_load(&loop_wants) > 0;
}

void
store_loop_wants(int delta)
{
	atomic_fetch_add(&loop_wants, delta);
}

int
store_loop_poll(struct store *st, int ms)
{
	int was = st->loop_poll_ms;

	st->loop_poll_ms = ms;
	return was;
}

int
st_loop_busy(void *arg, int count)
{
	struct store *st = arg;
	struct timespec half = { 0, 500 * 1000 };

	if (st->loop_poll_ms <= 0)
		return 0;
	if (count == 0)
		st->busy_since = time_mono_ms();
	else if (time_mono_ms() - st->busy_since >= st->loop_poll_ms)
		return 0;
	nanosleep(&half, NULL);
	return 1;
}

/* After each commit of the loop's connection: the WAL's size. */
static int
wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct store *st = arg;

	(void)db;
	(void)name;
	if (st->wal_fn)
		st->wal_fn(st->wal_arg, pages);
	return SQLITE_OK;
}

void
store_on_wal(struct store *st, void (*fn)(void *arg, int pages), void *arg)
{
	st->wal_fn = fn;
	st->wal_arg = arg;
	/* no checkpoint on this connection's commits: fn schedules one */
	sqlite3_wal_autocheckpoint(st->db, 0);
	sqlite3_wal_hook(st->db, wal_hook, st);
}

/* Process-wide, like loop_wants: one database per process. When a
 * checkpoint last ran on any of its connections (unix seconds, 0 =
 * none yet), for the metrics. */
static atomic_llong last_checkpoint;
/* Restarting checkpoints that succeeded (checkpoint), for the tests. */
static atomic_llong wal_restarts;

int64_t
store_last_checkpoint(void)
{
	return atomic_load(&last_checkpoint);
}

/*
 * A passive checkpoint, then, if the WAL is still long, a restarting one.
 * A passive checkpoint copies what the WAL holds up to where it starts,
 * but the WAL only starts again from its beginning when a write begins
 * with all of it copied: under steady writes (the loop commits while a
 * worker copies) that moment never came, and the WAL grew without end
 * (1.3 GB beside a 27 MB database after 80k batched adds, every frame
 * then a new block of the file). The restarting one takes the write
 * lock, copies the little the passive one left, and waits for the
 * readers of the moment, so that the next write starts the WAL again.
 * It holds the write lock while it waits, so it waits briefly
 * (STORE_RESTART_WAIT_MS: a long reader, an export, makes it give up
 * and the next checkpoint try again). Never on the loop's connection.
 */
static int
checkpoint(struct store *st, const char *name)
{
	sqlite3 *db = st->db;
	int log = 0, rc = sqlite3_wal_checkpoint_v2(db, name,
	    SQLITE_CHECKPOINT_PASSIVE, &log, NULL);

	/* (a loop connection has its own busy handler, and never waits) */
	if (rc == SQLITE_OK && log >= STORE_WAL_RESTART_PAGES && !st->loop) {
		sqlite3_busy_timeout(db, STORE_RESTART_WAIT_MS);
		if (sqlite3_wal_checkpoint_v2(db, name,
		    SQLITE_CHECKPOINT_RESTART, NULL, NULL) == SQLITE_OK)
			atomic_fetch_add(&wal_restarts, 1);
		sqlite3_busy_timeout(db, STORE_BUSY_MS);
	}
	if (rc == SQLITE_OK)
		atomic_store(&last_checkpoint, (long long)time(NULL));
	return rc;
}

int64_t
store_wal_restarts(void)
{
	return atomic_load(&wal_restarts);
}

int
st_autocheckpoint(void *arg, sqlite3 *db, const char *name, int pages)
{
	(void)db;
	/* as SQLite's own hook: a failed checkpoint is tried again at the
	 * next commit, and never fails this one */
	if (pages >= STORE_AUTOCHECKPOINT_PAGES)
		checkpoint(arg, name);
	return SQLITE_OK;
}

int
store_checkpoint(struct store *st, struct spend_err *err)
{
	int rc = checkpoint(st, NULL);

	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return st_error(st, err, "checkpoint");
	return 0;
}

static void
totals_free(struct store *st)
{
	if (st->totals == NULL)
		return;
	for (int i = 0; i < TOTALS_CACHE; i++)
		free(st->totals->e[i].key);
	free(st->totals);
	st->totals = NULL;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	totals_free(st);
	for (int i = 0; i < STMT_CACHE; i++) {
		sqlite3_finalize(st->cache[i].stmt);
		free(st->cache[i].sql);
	}
	if (sqlite3_close(st->db) != SQLITE_OK)
		log_warnx("store: close: %s", sqlite3_errmsg(st->db));
	free(st);
}

/* (store_internal.h: the change counter kept in the transaction) */
int
st_seq_flush(struct store *st, struct spend_err *err)
{
	sqlite3_stmt *s;
	int r;

	if (st->seq.uid == 0 || st->seq.unsaved == 0)
		return 0;
	/* (a user deleted in the transaction has no row: nothing to do) */
	if ((s = st_prepare(st, "UPDATE users SET change_seq = ? WHERE id = ?",
	    err)) == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, st->seq.last);
	sqlite3_bind_int64(s, 2, st->seq.uid);
	if ((r = st_exec_stmt(st, s, err)) < 0)
		return r;
	st->seq.unsaved = 0;
	return 0;
}

int
store_read_begin(struct store *st, struct spend_err *err)
{
	int r;

	if (st->tx_depth != 0)
		return spend_errf(err, SPEND_EINTERNAL, "",
		    "read transaction inside a transaction");
	/* DEFERRED takes no lock until the first read, and no write lock
	 * ever: writers go on while an export reads its snapshot. */
	if ((r = st_exec_tx(st, "BEGIN DEFERRED", err)) < 0)
		return r;
	st->tx_depth = 1;
	return 0;
}

int
store_begin(struct store *st, struct spend_err *err)
{
	char sql[32];
	int r;

	if (tx_lost(st))
		return tx_lost_error(st, err);
	/* a savepoint deeper than the change counter is kept through: the
	 * counter goes back to its row first, and is read afresh inside */
	if (st->tx_depth > ST_SEQ_DEPTH) {
		if ((r = st_seq_flush(st, err)) < 0)
			return r;
		memset(&st->seq, 0, sizeof(st->seq));
	}
	if (st->tx_depth == 0)
		strlcpy(sql, "BEGIN IMMEDIATE", sizeof(sql));
	else
		snprintf(sql, sizeof(sql), "SAVEPOINT sp%d", st->tx_depth);
	if (st->loop && st->tx_depth == 0)
		atomic_fetch_add(&loop_wants, 1);
	r = st_exec_tx(st, sql, err);
	if (st->loop && st->tx_depth == 0)
		atomic_fetch_sub(&loop_wants, 1);
	if (r < 0)
		return st_failed(st);
	/* the change counter as the savepoint finds it */
	if (st->tx_depth == 0)
		memset(&st->seq, 0, sizeof(st->seq));
	else if (st->tx_depth <= ST_SEQ_DEPTH)
		st->seq_saved[st->tx_depth - 1] = st->seq;
	st->tx_depth++;
	return 0;
}

/*
 * Hand the search index what the transaction changed (migration 13): the
 * queue in fts_pending, in order, in one statement, then empty it. FTS5
 * keeps the statement's rows in memory and writes them as one segment at
 * COMMIT. A NULL first column is an insert, 'delete' removes the row's
 * old text.
 */
int
st_fts_sync(struct store *st, struct spend_err *err)
{
	sqlite3_stmt *s;
	int r;

	if (st->fts_synced == sqlite3_total_changes64(st->db))
		return 0;	/* nothing written since the last sync */
	if ((s = st_prepare(st, "INSERT INTO expenses_fts(expenses_fts, rowid, "
	    "search_text) SELECT CASE WHEN del THEN 'delete' END, id, text "
	    "FROM fts_pending ORDER BY seq", err)) == NULL)
		return st_failed(st);
	if ((r = st_exec_stmt(st, s, err)) < 0)
		return r;
	if ((s = st_prepare(st, "DELETE FROM fts_pending", err)) == NULL)
		return st_failed(st);
	if ((r = st_exec_stmt(st, s, err)) < 0)
		return r;
	st->fts_synced = sqlite3_total_changes64(st->db);
	return 0;
}

/* 1 when something waits in fts_pending for a commit to hand it to the
 * index (inside a write transaction, or left by a write outside one), 0
 * when the index has every row. */
int
st_fts_queued(struct store *st, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT EXISTS (SELECT 1 FROM "
	    "fts_pending)", err);
	int rc, queued = 0;

	if (s == NULL)
		return st_failed(st);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		queued = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return st_error(st, err, "read the search queue");
	return queued;
}

/*
 * After a write to expenses outside a transaction (a caller may write so:
 * tests, tools): hand its queue to the index now, in a transaction of its
 * own. The write stands whatever happens here; if this fails the queue
 * waits for the next commit, and searches scan until then
 * (store_search.c), so nothing is missed.
 */
void
st_fts_after(struct store *st)
{
	struct spend_err err;

	if (st->tx_depth > 0)
		return;
	if (store_begin(st, &err) < 0 || store_commit(st, &err) < 0)
		log_warnx("store: the search index waits for the next commit: "
		    "%s", err.msg);
}

int
store_commit(struct store *st, struct spend_err *err)
{
	char sql[32];

	if (st->tx_depth <= 0)
		return spend_errf(err, SPEND_EINTERNAL, "", "commit without begin");
	if (tx_lost(st)) {
		int r = tx_lost_error(st, err);

		store_rollback(st);
		return r;
	}
	if (st->tx_depth == 1)
		strlcpy(sql, "COMMIT", sizeof(sql));
	else
		snprintf(sql, sizeof(sql), "RELEASE sp%d", st->tx_depth - 1);
	if ((st->tx_depth == 1 && (st_seq_flush(st, err) < 0 ||
	    st_fts_sync(st, err) < 0)) || st_exec_tx(st, sql, err) < 0) {
		int r = st_failed(st);

		store_rollback(st);
		return r;
	}
	st->tx_depth--;
	return 0;
}

void
store_rollback(struct store *st)
{
	char sql[64];

	if (st->tx_depth <= 0)
		return;
	/* after SQLite rolled it all back, there is nothing to roll back */
	if (!tx_lost(st)) {
		if (st->tx_depth == 1)
			st_exec_tx(st, "ROLLBACK", NULL);
		else {
			snprintf(sql, sizeof(sql), "ROLLBACK TO sp%d; RELEASE sp%d",
			    st->tx_depth - 1, st->tx_depth - 1);
			st_exec(st, sql, NULL);
		}
	}
	/* the change counter as the savepoint found it (a transaction's end:
	 * none; deeper than kept, the row holds it) */
	if (st->tx_depth == 1 || st->tx_depth > ST_SEQ_DEPTH + 1)
		memset(&st->seq, 0, sizeof(st->seq));
	else
		st->seq = st->seq_saved[st->tx_depth - 2];
	if (--st->tx_depth == 0) {
		st->lost_code = 0;
		st->lost_msg[0] = '\0';
	}
}

bool
store_in_tx(struct store *st)
{
	return st->tx_depth > 0;
}

int
store_meta_get(struct store *st, const char *key, char **value,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT value FROM meta WHERE key = ?",
	    err);
	int rc;

	*value = NULL;
	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		/* (value is NOT NULL: a NULL text is SQLite out of memory) */
		const char *t = (const char *)sqlite3_column_text(s, 0);

		*value = t ? strdup(t) : NULL;
		sqlite3_reset(s);
		return *value ? 0 : spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : st_error(st, err, "meta");
}

int
store_meta_set(struct store *st, const char *key, const char *value,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "INSERT INTO meta(key, value) "
	    "VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	    err);

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	return st_exec_stmt(st, s, err);
}
