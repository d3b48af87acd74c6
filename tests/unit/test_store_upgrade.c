/* store_open on a database of an older schema: first a copy of it,
 * "<database>.v<N>" (store_upgrade.c), then the migrations; no migration
 * without the copy. */
#include <sys/resource.h>
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "store.h"
#include "store_migrations.h"
#include "util.h"

static char dir[64];

static int
setup_dir(void **state)
{
	(void)state;
	strlcpy(dir, "/tmp/spend-test-upgrade.XXXXXX", sizeof(dir));
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
teardown_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void
exec_ok(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
}

/* spend_fold() as migration 9 calls it (store_search.c registers the
 * real one on every connection of spendd's): the rows made here have no
 * text to fold. */
static void
fold_stub(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
}

/* A database as a spendd of schema version v left it: migrations 1..v,
 * user_version v, WAL, and a table of the test's own, marker, holding
 * `bytes` bytes, to recognise it (and its copy) by. */
static void
make_old(const char *path, int v, int bytes)
{
	sqlite3 *db;
	char sql[128];

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_create_function(db, "spend_fold", 3,
	    SQLITE_UTF8, NULL, fold_stub, NULL, NULL), SQLITE_OK);
	exec_ok(db, "PRAGMA journal_mode = WAL");
	for (int i = 0; i < v; i++)
		exec_ok(db, store_migrations[i]);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v);
	exec_ok(db, sql);
	snprintf(sql, sizeof(sql), "CREATE TABLE marker(x BLOB); "
	    "INSERT INTO marker VALUES (zeroblob(%d))", bytes);
	exec_ok(db, sql);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* make_old, then the rows of seed (SQL) written in it as that version
 * had them */
static void
make_old_with(const char *path, int v, int bytes, const char *seed)
{
	sqlite3 *db;

	make_old(path, v, bytes);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	exec_ok(db, seed);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* user_version of the database at path, and whether it has marker */
static int
version_of(const char *path, bool *marker)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int v = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s,
	    NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM "
	    "sqlite_schema WHERE name = 'marker'", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	*marker = sqlite3_column_int(s, 0) == 1;
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* files in dir whose name starts with prefix */
static int
count_files(const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

static void
open_ok(const char *path, int flags)
{
	struct store *st;
	struct spend_err err;

	if (store_open(path, flags, &st, &err) < 0)
		fail_msg("store_open %s: %s", path, err.msg);
	store_close(st);
}

static void
test_copy_then_migrate(void **state)
{
	char path[128], copy[160];
	struct stat sb;
	bool marker;
	int old = STORE_SCHEMA_VERSION - 1, n;

	(void)state;
	assert_true(old >= 1);
	snprintf(path, sizeof(path), "%s/a.db", dir);
	snprintf(copy, sizeof(copy), "%s.v%d", path, old);
	make_old(path, old, 10000);
	open_ok(path, 0);
	/* the copy and nothing else: no temporary file left */
	assert_int_equal(count_files("a.db.v"), 1);
	assert_int_equal(version_of(path, &marker), STORE_SCHEMA_VERSION);
	assert_true(marker);
	/* the copy: the database as it was */
	assert_int_equal(version_of(copy, &marker), old);
	assert_true(marker);
	assert_int_equal(stat(copy, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	/* up to date: opening again copies nothing (reading the copy made
	 * its -wal and -shm: it is a WAL database like the original) */
	n = count_files("a.db.v");
	open_ok(path, 0);
	assert_int_equal(count_files("a.db.v"), n);
}

static void
test_from_first_version(void **state)
{
	char path[128], copy[160];
	bool marker;

	(void)state;
	snprintf(path, sizeof(path), "%s/b.db", dir);
	snprintf(copy, sizeof(copy), "%s.v1", path);
	make_old(path, 1, 100);
	open_ok(path, 0);
	assert_int_equal(count_files("b.db.v"), 1);
	assert_int_equal(version_of(path, &marker), STORE_SCHEMA_VERSION);
	assert_int_equal(version_of(copy, &marker), 1);
	assert_true(marker);
}

static void
test_new_database_no_copy(void **state)
{
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/c.db", dir);
	open_ok(path, STORE_CREATE);
	assert_int_equal(count_files("c.db.v"), 0);
	open_ok(path, 0);
	assert_int_equal(count_files("c.db.v"), 0);
}

static void
test_existing_copy_kept(void **state)
{
	char path[128], copy[160], buf[16] = "";
	bool marker;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/d.db", dir);
	snprintf(copy, sizeof(copy), "%s.v%d", path, STORE_SCHEMA_VERSION - 1);
	make_old(path, STORE_SCHEMA_VERSION - 1, 100);
	f = fopen(copy, "w");
	assert_non_null(f);
	fputs("earlier copy", f);
	fclose(f);
	open_ok(path, 0);
	assert_int_equal(version_of(path, &marker), STORE_SCHEMA_VERSION);
	f = fopen(copy, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "earlier copy");
	assert_int_equal(count_files("d.db.v"), 1);
}

/* The copy cannot be written (a file size limit stands in for a full
 * disk): store_open fails, says why, and migrates nothing. */
static void
test_copy_fails_nothing_migrated(void **state)
{
	char path[128];
	struct rlimit rl, small;
	struct store *st;
	struct spend_err err;
	bool marker;
	int old = STORE_SCHEMA_VERSION - 1, r;

	(void)state;
	snprintf(path, sizeof(path), "%s/e.db", dir);
	make_old(path, old, 4 << 20);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &rl), 0);
	small = rl;
	small.rlim_cur = 2 << 20;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	r = store_open(path, 0, &st, &err);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_true(r < 0);
	assert_null(st);
	assert_non_null(strstr(err.msg, "before migrating"));
	assert_non_null(strstr(err.msg, path));
	assert_int_equal(version_of(path, &marker), old);
	assert_true(marker);
	assert_int_equal(count_files("e.db.v"), 0);	/* no partial copy */
	/* with room again it goes through */
	open_ok(path, 0);
	assert_int_equal(version_of(path, &marker), STORE_SCHEMA_VERSION);
	assert_int_equal(count_files("e.db.v"), 1);
}

/* One number from the database at path. */
static int64_t
query_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int64_t v = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* One integer from a query on the database at path ("" if none). */
static long long
query_ll(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long long v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	exec_ok(db, "PRAGMA foreign_keys = ON");
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* Migration 10: every user gets one uncategorised category (a live one
 * of that name, any case, becomes it; a deleted one does not count), the
 * expenses already there keep their categories as set by hand, and the
 * rules table is there, empty. */
static void
test_migration_10_uncategorised(void **state)
{
	char path[128];
	sqlite3 *db;
	bool marker;

	(void)state;
	snprintf(path, sizeof(path), "%s/f.db", dir);
	make_old_with(path, 9, 100, "INSERT INTO users(id, name, role, currency, timezone, "
	    "created_at, updated_at, change_seq) VALUES "
	    "(1, 'ann', 'user', 'EUR', 'UTC', 'x', 'x', 5), "
	    "(2, 'ben', 'user', 'EUR', 'UTC', 'x', 'x', 5);"
	    "INSERT INTO categories(id, user_id, name, created_at, updated_at, "
	    "deleted) VALUES (10, 1, 'food', 'x', 'x', 0), "
	    "(11, 1, 'Uncategorised', 'x', 'x', 0), "
	    "(12, 2, 'uncategorised', 'x', 'x', 1), "
	    "(13, 2, 'food', 'x', 'x', 0);"
	    "INSERT INTO expenses(user_id, category_id, amount, amount_e4, "
	    "currency, date, created_at, updated_at) VALUES "
	    "(1, 10, 100, 10000, 'EUR', '2024-01-01', 'x', 'x'), "
	    "(2, 13, 200, 20000, 'EUR', '2024-01-02', 'x', 'x');");
	open_ok(path, 0);
	assert_int_equal(version_of(path, &marker), STORE_SCHEMA_VERSION);
	/* ann's own "Uncategorised" became it */
	assert_int_equal(query_int(path, "SELECT id FROM categories WHERE "
	    "user_id = 1 AND uncategorised = 1 AND deleted = 0"), 11);
	assert_int_equal(query_int(path, "SELECT count(*) FROM categories "
	    "WHERE user_id = 1"), 2);
	/* ben's was deleted: a new one */
	assert_int_equal(query_int(path, "SELECT count(*) FROM categories "
	    "WHERE user_id = 2 AND uncategorised = 1 AND deleted = 0 AND "
	    "name = 'uncategorised'"), 1);
	assert_int_equal(query_int(path, "SELECT count(*) FROM categories "
	    "WHERE user_id = 2 AND uncategorised = 1"), 1);
	/* the expenses were categorised by hand */
	assert_int_equal(query_int(path, "SELECT count(*) FROM expenses WHERE "
	    "category_auto = 0 AND source = ''"), 2);
	assert_int_equal(query_int(path, "SELECT count(*) FROM rules"), 0);
	/* each user's change log has the category, at the next number */
	assert_int_equal(query_int(path, "SELECT count(*) FROM changes c "
	    "JOIN users u ON u.id = c.user_id AND c.seq = u.change_seq "
	    "JOIN categories k ON k.id = c.entity_id AND k.uncategorised = 1 "
	    "WHERE c.entity = 'category' AND c.op = 'create' AND "
	    "u.change_seq = 6"), 2);
	assert_int_equal(query_int(path, "SELECT count(*) FROM changes"), 2);
	/* one uncategorised category per user: the index says so */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE categories SET "
	    "uncategorised = 1 WHERE id = 13", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* The splits migration (12) on a database of the schema before it with
 * expenses: their totals stay; then a split counts by its parts, and a
 * delete of its row (as an import undone does: the parts go by the
 * cascade, after the row) takes back exactly what the parts added. */
#define SPLITS_MIGRATION 12
static void
test_splits_migration(void **state)
{
	char path[128];
	struct store *st;
	struct spend_err err;
	struct expense e;
	bool marker;

	(void)state;
	snprintf(path, sizeof(path), "%s/splits.db", dir);
	make_old_with(path, SPLITS_MIGRATION - 1, 10, "INSERT INTO users(id, name, role, currency, timezone, "
	    "created_at, updated_at) VALUES (1, 'alice', 'user', 'EUR', 'UTC', "
	    "'', '');"
	    "INSERT INTO categories(id, user_id, name, created_at, updated_at) "
	    "VALUES (1, 1, 'food', '', ''), (2, 1, 'household', '', '');"
	    "INSERT INTO expenses(user_id, category_id, amount, amount_e4, "
	    "currency, date, created_at, updated_at) VALUES "
	    "(1, 1, 500, 50000, 'EUR', '2024-03-01', '', ''),"
	    "(1, 2, 700, 70000, 'EUR', '2024-03-01', '', '')");
	assert_int_equal(query_ll(path, "SELECT sum(sum) FROM day_totals"),
	    1200);

	if (store_open(path, 0, &st, &err) < 0)
		fail_msg("store_open: %s", err.msg);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	memset(&e, 0, sizeof(e));
	e.user_id = 1;
	e.amount = 2000;
	strlcpy(e.currency, "EUR", sizeof(e.currency));
	strlcpy(e.date, "2024-03-01", sizeof(e.date));
	e.nparts = 2;
	e.category_id = e.parts[0].category_id = 1;
	e.parts[0].amount = 1200;
	e.parts[1].category_id = 2;
	e.parts[1].amount = 800;
	if (store_expense_add(st, &e, &err) < 0)
		fail_msg("split: %s", err.msg);
	store_close(st);
	assert_int_equal(version_of(path, &marker), STORE_SCHEMA_VERSION);
	assert_true(marker);
	/* the old rows' totals as they were, the split's by its parts */
	assert_int_equal(query_ll(path, "SELECT sum FROM day_totals WHERE "
	    "category_id = 1"), 1700);
	assert_int_equal(query_ll(path, "SELECT sum FROM month_totals WHERE "
	    "category_id = 2"), 1500);
	assert_int_equal(query_ll(path, "SELECT count FROM day_totals WHERE "
	    "category_id = 2"), 2);
	assert_int_equal(query_ll(path, "SELECT count(*) FROM expense_parts"),
	    2);
	/* the split's row deleted: its parts by the cascade, their totals
	 * taken back (the order of the delete triggers does not matter) */
	assert_int_equal(query_ll(path, "DELETE FROM expenses WHERE amount = "
	    "2000 RETURNING id"), e.id);
	assert_int_equal(query_ll(path, "SELECT count(*) FROM expense_parts"),
	    0);
	assert_int_equal(query_ll(path, "SELECT sum FROM day_totals WHERE "
	    "category_id = 1"), 500);
	assert_int_equal(query_ll(path, "SELECT sum FROM month_totals WHERE "
	    "category_id = 2"), 700);
}

/* Migration 15 with an import staging (a spendd stopped mid-import):
 * its rows were counted by the insert triggers then, and its undo (a
 * delete) takes them back out; a row staged after it is counted once,
 * by store_import_totals, not by the trigger. */
static void
test_migration_15_staged(void **state)
{
	char path[128];
	struct store *st;
	struct spend_err err;
	struct expense e;

	(void)state;
	snprintf(path, sizeof(path), "%s/staged.db", dir);
	make_old_with(path, 14, 10, "INSERT INTO users(id, name, role, currency, timezone, "
	    "created_at, updated_at) VALUES (1, 'alice', 'user', 'EUR', 'UTC', "
	    "'', '');"
	    "INSERT INTO categories(id, user_id, name, created_at, updated_at) "
	    "VALUES (1, 1, 'food', '', '');"
	    "INSERT INTO imports(id, user_id, state, format, filename, "
	    "created_at) VALUES (5, 1, 'staging', 'csv', 'x.csv', '');"
	    "UPDATE users SET staging = 5 WHERE id = 1;"
	    "INSERT INTO expenses(user_id, category_id, amount, amount_e4, "
	    "currency, date, created_at, updated_at, stage) VALUES "
	    "(1, 1, 500, 50000, 'EUR', '2024-03-01', '', '', 0),"
	    "(1, 1, 700, 70000, 'EUR', '2024-03-01', '', '', 5)");
	assert_int_equal(query_ll(path, "SELECT sum FROM day_totals WHERE "
	    "stage = 5"), 700);

	if (store_open(path, 0, &st, &err) < 0)
		fail_msg("store_open: %s", err.msg);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	memset(&e, 0, sizeof(e));
	e.user_id = 1;
	e.category_id = 1;
	e.amount = 300;
	e.stage = 5;
	strlcpy(e.currency, "EUR", sizeof(e.currency));
	strlcpy(e.date, "2024-03-01", sizeof(e.date));
	if (store_expense_add(st, &e, &err) < 0)
		fail_msg("staged row: %s", err.msg);
	store_close(st);
	/* not by the trigger */
	assert_int_equal(query_ll(path, "SELECT sum FROM day_totals WHERE "
	    "stage = 5"), 700);
	if (store_open(path, 0, &st, &err) < 0)
		fail_msg("store_open: %s", err.msg);
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(store_import_totals(st, 5, e.id, e.id, &err), 0);
	assert_int_equal(store_commit(st, &err), 0);
	store_close(st);
	assert_int_equal(query_ll(path, "SELECT sum FROM day_totals WHERE "
	    "stage = 5"), 1000);
	assert_int_equal(query_ll(path, "SELECT count FROM month_totals WHERE "
	    "stage = 5"), 2);
	/* the undo: both staged rows go, and so do their totals */
	assert_int_equal(query_ll(path, "DELETE FROM expenses WHERE stage = 5 "
	    "RETURNING stage"), 5);
	assert_int_equal(query_ll(path, "SELECT count(*) FROM expenses"), 1);
	assert_int_equal(query_ll(path, "SELECT count(*) FROM day_totals WHERE "
	    "stage = 5"), 0);
	assert_int_equal(query_ll(path, "SELECT count(*) FROM month_totals "
	    "WHERE stage = 5"), 0);
	assert_int_equal(query_ll(path, "SELECT sum FROM day_totals"), 500);
}

/* Migration 16: the change log, rebuilt under its new CHECK, keeps every
 * row and its index, still refuses an unknown op, and its INSERT no longer
 * builds a temporary b-tree for the CHECK (no OpenEphemeral in its
 * program). */
static void
test_migration_16_changes(void **state)
{
	char path[128];
	sqlite3 *db;
	sqlite3_stmt *s;
	struct store *st;
	struct spend_err err;
	int64_t seq;
	int ephemeral = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/changes.db", dir);
	make_old_with(path, 15, 10, "INSERT INTO users(id, name, role, currency, timezone, "
	    "created_at, updated_at, change_seq) VALUES (1, 'alice', 'user', "
	    "'EUR', 'UTC', '', '', 3);"
	    "INSERT INTO changes VALUES (1, 1, 'expense', 7, 'create', 1, 'a'),"
	    "(1, 2, 'expense', 7, 'update', 2, 'b'),"
	    "(1, 3, 'category', 4, 'delete', 1, 'c')");

	if (store_open(path, 0, &st, &err) < 0)
		fail_msg("store_open: %s", err.msg);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	assert_int_equal(store_begin(st, &err), 0);
	if (store_change_append(st, 1, "expense", 8, "create", 1, &seq,
	    &err) < 0)
		fail_msg("append: %s", err.msg);
	assert_int_equal(seq, 4);
	assert_int_equal(store_commit(st, &err), 0);
	store_close(st);

	assert_int_equal(query_ll(path, "SELECT count(*) FROM changes"), 4);
	assert_int_equal(query_ll(path, "SELECT count(*) FROM changes WHERE "
	    "user_id = 1 AND seq = 2 AND entity = 'expense' AND entity_id = 7 "
	    "AND op = 'update' AND version = 2 AND changed_at = 'b'"), 1);
	assert_int_equal(query_ll(path, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name = 'changes_entity' AND tbl_name = 'changes'"), 1);
	assert_int_equal(query_ll(path, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name = 'changes_new'"), 0);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "INSERT INTO changes VALUES "
	    "(1, 9, 'expense', 1, 'rename', 1, 'x')", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_non_null(strstr(sqlite3_errmsg(db), "CHECK constraint"));
	/* the INSERT's program: no temporary table for the CHECK */
	assert_int_equal(sqlite3_prepare_v2(db, "EXPLAIN INSERT INTO changes "
	    "VALUES (?, ?, ?, ?, ?, ?, ?)", -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW)
		if (strcmp((const char *)sqlite3_column_text(s, 1),
		    "OpenEphemeral") == 0)
			ephemeral++;
	sqlite3_finalize(s);
	sqlite3_close(db);
	assert_int_equal(ephemeral, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_then_migrate),
		cmocka_unit_test(test_splits_migration),
		cmocka_unit_test(test_from_first_version),
		cmocka_unit_test(test_new_database_no_copy),
		cmocka_unit_test(test_existing_copy_kept),
		cmocka_unit_test(test_copy_fails_nothing_migrated),
		cmocka_unit_test(test_migration_10_uncategorised),
		cmocka_unit_test(test_migration_15_staged),
		cmocka_unit_test(test_migration_16_changes),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
