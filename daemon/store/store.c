/* Connection, pragmas, migrations, transactions, statement cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "log.h"
#include "store_migrations.h"

sqlite3_stmt *
st_prepare(struct store *st, const char *sql, struct spend_err *err)
{
	int victim = 0;

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
		st_error(st, err, "prepare");
		log_warnx("store: prepare failed: %s: %s", sqlite3_errmsg(st->db),
		    sql);
		return NULL;
	}
	if ((st->cache[victim].sql = strdup(sql)) == NULL) {
		sqlite3_finalize(s);
		spend_errf(err, SPEND_ENOMEM, "", "out of memory");
		return NULL;
	}
	st->cache[victim].stmt = s;
	st->cache[victim].last_use = ++st->tick;
	return s;
}

int
st_error(struct store *st, struct spend_err *err, const char *what)
{
	int rc = sqlite3_extended_errcode(st->db);

	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return spend_errf(err, SPEND_ECONFLICT, "", "%s: %s", what,
		    sqlite3_errmsg(st->db));
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return spend_errf(err, SPEND_EBUSY, "",
		    "%s: the database is busy (an import may be running), try "
		    "again", what);
	log_warnx("store: %s: %s (%d)", what, sqlite3_errmsg(st->db), rc);
	return spend_errf(err, SPEND_ESTORE, "", "%s: database error: %s", what,
	    sqlite3_errmsg(st->db));
}

int
st_exec_stmt(struct store *st, sqlite3_stmt *s, struct spend_err *err)
{
	int rc = sqlite3_step(s);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		int r = st_error(st, err, "write");
		sqlite3_reset(s);
		return r;
	}
	sqlite3_reset(s);
	return 0;
}

int
st_exec(struct store *st, const char *sql, struct spend_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int r = st_error(st, err, "exec");
		sqlite3_free(msg);
		return r;
	}
	return 0;
}

void
st_col_text(sqlite3_stmt *s, int i, char *buf, size_t len)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	strlcpy(buf, t ? (const char *)t : "", len);
}

static int
get_user_version(struct store *st)
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
	return get_user_version(st);
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

/* Apply each migration past user_version in its own transaction, with the
 * version bump inside it: a crash leaves the database at a whole step. */
static int
migrate(struct store *st, struct spend_err *err)
{
	int v = get_user_version(st);

	if (v < 0)
		return st_error(st, err, "read schema version");
	if (v > STORE_SCHEMA_VERSION)
		return spend_errf(err, SPEND_ESTORE, "",
		    "database schema version %d is newer than this spendd "
		    "(%d): upgrade spendd", v, STORE_SCHEMA_VERSION);
	for (; v < STORE_SCHEMA_VERSION; v++) {
		char bump[64];

		if (st_exec(st, "BEGIN IMMEDIATE", err) < 0)
			return err ? err->code : SPEND_ESTORE;
		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", v + 1);
		if (st_exec(st, store_migrations[v], err) < 0 ||
		    st_exec(st, bump, err) < 0) {
			st_exec(st, "ROLLBACK", NULL);
			spend_err_prefix(err, "migration %d", v + 1);
			return err ? err->code : SPEND_ESTORE;
		}
		if (st_exec(st, "COMMIT", err) < 0)
			return err ? err->code : SPEND_ESTORE;
		log_info("store: migrated schema to version %d", v + 1);
	}
	return 0;
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
	if (rc != SQLITE_ROW || strcmp(res, "ok") != 0)
		return spend_errf(err, SPEND_ESTORE, "",
		    "database failed quick_check: %s", res[0] ? res :
		    sqlite3_errmsg(st->db));
	return 0;
}

int
store_open(const char *path, int flags, struct store **out,
    struct spend_err *err)
{
	struct store *st;
	int oflags = SQLITE_OPEN_NOMUTEX;

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	oflags |= (flags & STORE_READONLY) ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE;
	if (flags & STORE_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
		spend_errf(err, SPEND_ESTORE, "", "%s: %s", path,
		    st->db ? sqlite3_errmsg(st->db) : "cannot open");
		sqlite3_close(st->db);
		free(st);
		return SPEND_ESTORE;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, (flags & STORE_LOOP) ? STORE_LOOP_BUSY_MS :
	    5000);
	if (st_exec(st, "PRAGMA journal_mode = WAL", err) < 0 ||
	    st_exec(st, (flags & STORE_SYNC_FULL) ? "PRAGMA synchronous = FULL" :
	    "PRAGMA synchronous = NORMAL", err) < 0 ||
	    st_exec(st, "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;"
	    "PRAGMA cache_size = -16000", err) < 0 ||
	    (!(flags & STORE_SECONDARY) && quick_check(st, err) < 0) ||
	    (!(flags & (STORE_READONLY | STORE_SECONDARY)) &&
	    migrate(st, err) < 0)) {
		spend_err_prefix(err, "%s", path);
		store_close(st);
		return err ? err->code : SPEND_ESTORE;
	}
	*out = st;
	return 0;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	st_totals_free(st);
	for (int i = 0; i < STMT_CACHE; i++) {
		sqlite3_finalize(st->cache[i].stmt);
		free(st->cache[i].sql);
	}
	if (sqlite3_close(st->db) != SQLITE_OK)
		log_warnx("store: close: %s", sqlite3_errmsg(st->db));
	free(st);
}

int
store_begin(struct store *st, struct spend_err *err)
{
	char sql[32];

	if (st->tx_depth == 0)
		strlcpy(sql, "BEGIN IMMEDIATE", sizeof(sql));
	else
		snprintf(sql, sizeof(sql), "SAVEPOINT sp%d", st->tx_depth);
	if (st_exec(st, sql, err) < 0)
		return err ? err->code : SPEND_ESTORE;
	st->tx_depth++;
	return 0;
}

int
store_commit(struct store *st, struct spend_err *err)
{
	char sql[32];

	if (st->tx_depth <= 0)
		return spend_errf(err, SPEND_EINTERNAL, "", "commit without begin");
	if (st->tx_depth == 1)
		strlcpy(sql, "COMMIT", sizeof(sql));
	else
		snprintf(sql, sizeof(sql), "RELEASE sp%d", st->tx_depth - 1);
	if (st_exec(st, sql, err) < 0) {
		store_rollback(st);
		return err ? err->code : SPEND_ESTORE;
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
	if (st->tx_depth == 1)
		st_exec(st, "ROLLBACK", NULL);
	else {
		snprintf(sql, sizeof(sql), "ROLLBACK TO sp%d; RELEASE sp%d",
		    st->tx_depth - 1, st->tx_depth - 1);
		st_exec(st, sql, NULL);
	}
	st->tx_depth--;
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
		return SPEND_ESTORE;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*value = strdup((const char *)sqlite3_column_text(s, 0));
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
		return SPEND_ESTORE;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	return st_exec_stmt(st, s, err);
}
