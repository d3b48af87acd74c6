/*
 * Fault sweeps over real store writes, shared by test_faults_io.c (a VFS
 * that fails the Nth read, write, sync or truncate) and test_faults_oom.c
 * (an allocator that fails the Nth allocation).
 *
 * For each operation the sweep first runs it once without faults, counting
 * the injector's events (reads, allocations...), then once per N in 1..that
 * count on a fresh copy of the same database, with the Nth event failing
 * (and, for a full disk, every one after it).
 * Every run must end in one of two ways:
 *   - the call succeeded and the database holds the whole write, or
 *   - the call returned a negative SPEND_E* equal to err.code, with the
 *     message the injector expects, and the database holds none of it;
 * and then, with the faults off: PRAGMA integrity_check is "ok" (on a
 * connection of its own, as after a restart) and the same connection runs
 * the operation again (no restart) to the same end state. A look at
 * files byte for byte like ones looked at before is not run again
 * (fx_seen).
 *
 * This test reads the database with sqlite3 directly, for the digest and
 * integrity_check (only daemon/store/ and tests of the store include
 * sqlite3.h); it also reaches into struct store (store_internal.h) to drop
 * the page cache so that reads hit the file, and to checkpoint after every
 * commit (FX.ckpt).
 */
#ifndef SPEND_TEST_FAULTS_H
#define SPEND_TEST_FAULTS_H

#include <sys/wait.h>

#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "budget.h"
#include "domain.h"
#include "import.h"
#include "password.h"
#include "plugin.h"
#include "recurring.h"
#include "store_internal.h"
#include "util.h"

/* What the including test provides: arm(n) makes the nth event from now
 * fail (n = 0: only count); disarm() stops and returns the events seen. */
struct injector {
	const char *name;
	void (*arm)(long n);
	long (*disarm)(void);
	int code;		/* the SPEND_E* a failure must come back as, */
	const char *msg;	/* with this in the message */
};

/*
 * The wall clock stands still in a sweep (from fx_main on): the daemon's
 * timestamps (timestamp_now: created_at, updated_at, in milliseconds)
 * are then the same in every run of an operation, so runs that end alike
 * leave the same bytes, and a look at them is looked up, not run again
 * (fx_seen). The digest leaves timestamps out anyway. CLOCK_REALTIME
 * only: time(2) and sqlite's own clock (gettimeofday) still move, and a
 * run across a second boundary only misses the lookup. This definition
 * comes before libc's (or a sanitizer's) for every caller in the test.
 */
static struct timespec fx_frozen;
static int (*fx_real_clock)(clockid_t, struct timespec *);

int
clock_gettime(clockid_t id, struct timespec *ts)
{
	if (fx_real_clock == NULL)	/* before fx_main: no threads yet */
		*(void **)&fx_real_clock = dlsym(RTLD_NEXT, "clock_gettime");
	if (id == CLOCK_REALTIME && fx_frozen.tv_sec != 0) {
		*ts = fx_frozen;
		return 0;
	}
	return fx_real_clock(id, ts);
}

/* ---- a tiny importer: "date|amount|category|note" per line ---- */

static const struct spend_host_api *FH;

static int
fx_pipe_run(struct spend_plugin *self, struct spend_import *job)
{
	char buf[4096], *line, *save = NULL;
	long n, len = 0;
	size_t lineno = 0;

	(void)self;
	while ((n = FH->import_read(job, buf + len, sizeof(buf) - 1 -
	    (size_t)len)) > 0)
		len += n;
	if (n < 0)
		return -1;
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		char *f[4] = { 0 }, *p = line;
		struct spend_record r;

		for (int i = 0; i < 4 && p; i++) {
			f[i] = p;
			if ((p = strchr(p, '|')) != NULL)
				*p++ = '\0';
		}
		memset(&r, 0, sizeof(r));
		r.date = f[0];
		r.amount = f[1];
		r.category = f[2];
		r.note = f[3];
		r.line = ++lineno;
		if (FH->import_emit(job, &r) < 0)
			return -1;
	}
	return 0;
}

static int
fx_plugin_init(const struct spend_host_api *host, struct spend_plugin *self)
{
	static const struct spend_importer imp = { SPEND_IMPORTER_V1, "fpipe",
		"pipe-separated rows for the fault sweeps", "fpipe", fx_pipe_run };

	FH = host;
	return host->register_importer(self, &imp);
}

/* ---- the fixture: a template database, copied for every run ---- */

struct fx {
	char dir[64];
	char tmpl[128];		/* the template database */
	char path[128];		/* this run's copy */
	char import[128];	/* an import file */
	char import2[128];	/* one without categories: the rules' */
	int64_t rule_id;	/* one of alice's rules */
	struct spendd *sd;
	int64_t alice, bob;
	int64_t exp_id;		/* one of alice's expenses */
	int64_t split_id;	/* alice's split expense (food, transport) */
	bool ckpt;		/* checkpoint after every commit */
	char oldhash[PASSWORD_HASH_MAX];	/* carol's, at the old cost */
	struct password_cost cost;		/* that old cost */
	int64_t event;		/* an outbox event of alice's, unrouted */
};

static struct fx FX;
static void fx_seen_free(void);
static long fx_seen_hits, fx_seen_looks;	/* fx_look_seen */
/* the digest's queries: "[table]\nSELECT ...\0" ... "\0" (fx_digest) */
static char *fx_queries;

static void
fx_expense(struct store *st, int64_t uid, const char *cat, int i)
{
	struct category c;
	struct expense e;
	struct spend_err err;

	if (store_category_by_name(st, uid, cat, &c, &err) < 0)
		fail_msg("category %s: %s", cat, err.msg);
	memset(&e, 0, sizeof(e));
	e.user_id = uid;
	e.category_id = c.id;
	e.amount = 100 + i;
	strlcpy(e.currency, "EUR", sizeof(e.currency));
	snprintf(e.date, sizeof(e.date), "2026-%02d-%02d", 1 + i % 12,
	    1 + i % 28);
	snprintf(e.note, sizeof(e.note), "expense number %d, with a note "
	    "long enough to fill pages a little faster", i);
	strlcpy(e.payee, i % 2 ? "Café du Coin" : "Bakery", sizeof(e.payee));
	strlcpy(e.tags, i % 3 ? ",work," : "", sizeof(e.tags));
	if (store_expense_add(st, &e, &err) < 0)
		fail_msg("expense: %s", err.msg);
	if (FX.exp_id == 0 && uid == FX.alice)
		FX.exp_id = e.id;
}

static int64_t
fx_user(struct store *st, const char *name, const char *pwhash)
{
	struct user u;
	struct write_tx w;
	struct spend_err err;

	memset(&u, 0, sizeof(u));
	strlcpy(u.name, name, sizeof(u.name));
	strlcpy(u.role, "user", sizeof(u.role));
	strlcpy(u.currency, "EUR", sizeof(u.currency));
	strlcpy(u.timezone, "UTC", sizeof(u.timezone));
	if (write_begin(&w, st, 0, &err) < 0 ||
	    user_create(&w, &u, pwhash, &err) < 0 ||
	    write_commit(&w, &err) < 0)
		fail_msg("user %s: %s", name, err.msg);
	return u.id;
}

/* Users alice (80 expenses, sessions, idempotency keys), bob (20
 * expenses) and carol (a password hashed at a cheaper cost than today's);
 * an import file of 12 rows, one in a new category. */
static int
fx_group_setup(void **state)
{
	struct store *st;
	struct spend_err err;
	FILE *f;

	(void)state;
	assert_int_equal(sodium_init() >= 0, 1);
	/* tmpfs when there is one: thousands of runs, each with its fsyncs */
	strlcpy(FX.dir, access("/dev/shm", W_OK) == 0 ?
	    "/dev/shm/spend-test-faults.XXXXXX" :
	    "/tmp/spend-test-faults.XXXXXX", sizeof(FX.dir));
	assert_non_null(mkdtemp(FX.dir));
	snprintf(FX.tmpl, sizeof(FX.tmpl), "%s/template.db", FX.dir);
	snprintf(FX.path, sizeof(FX.path), "%s/spend.db", FX.dir);
	snprintf(FX.import, sizeof(FX.import), "%s/rows.fpipe", FX.dir);
	snprintf(FX.import2, sizeof(FX.import2), "%s/rows2.fpipe", FX.dir);
	if (store_open(FX.tmpl, STORE_CREATE, &st, &err) < 0)
		fail_msg("store_open: %s", err.msg);
	assert_int_equal(store_begin(st, &err), 0);
	FX.alice = fx_user(st, "alice", NULL);
	FX.bob = fx_user(st, "bob", NULL);
	password_cost_set(&FX.cost, 1, 8192);
	assert_int_equal(password_hash(&FX.cost, "carol-pass-1", 12, FX.oldhash,
	    &err), 0);
	fx_user(st, "carol", FX.oldhash);
	for (int i = 0; i < 80; i++)
		fx_expense(st, FX.alice, i % 3 ? "food" : "transport", i);
	for (int i = 0; i < 20; i++)
		fx_expense(st, FX.bob, "food", i);
	{	/* what compaction removes: a superseded change, a tombstone */
		int64_t seq;

		assert_int_equal(store_change_append(st, FX.alice, "expense",
		    FX.exp_id, "create", 1, &seq, &err), 0);
		assert_int_equal(store_change_append(st, FX.alice, "expense",
		    FX.exp_id, "update", 2, &seq, &err), 0);
		assert_int_equal(store_change_append(st, FX.bob, "expense",
		    999, "delete", 2, &seq, &err), 0);
	}
	{	/* alice's split: 30.00 of food and transport */
		struct expense e;
		struct category c;

		memset(&e, 0, sizeof(e));
		e.user_id = FX.alice;
		e.amount = 3000;
		strlcpy(e.currency, "EUR", sizeof(e.currency));
		strlcpy(e.date, "2026-04-10", sizeof(e.date));
		e.nparts = 2;
		assert_int_equal(store_category_by_name(st, FX.alice, "food",
		    &c, &err), 0);
		e.category_id = e.parts[0].category_id = c.id;
		e.parts[0].amount = 1800;
		assert_int_equal(store_category_by_name(st, FX.alice,
		    "transport", &c, &err), 0);
		e.parts[1].category_id = c.id;
		e.parts[1].amount = 1200;
		strlcpy(e.parts[1].note, "bus", sizeof(e.parts[1].note));
		if (store_expense_add(st, &e, &err) < 0)
			fail_msg("split: %s", err.msg);
		FX.split_id = e.id;
	}
	{	/* bob's budget of bills: 10.00 a month, from this one */
		struct budget b;
		struct category c;
		char today[DATE_LEN + 1];

		memset(&b, 0, sizeof(b));
		assert_int_equal(store_category_by_name(st, FX.bob, "bills", &c,
		    &err), 0);
		b.user_id = FX.bob;
		b.category_id = c.id;
		b.has_amount = true;
		b.amount = 1000;
		strlcpy(b.currency, "EUR", sizeof(b.currency));
		date_today(NULL, today);
		memcpy(b.since, today, 7);
		strlcpy(b.alerts, "50,80,100", sizeof(b.alerts));
		assert_int_equal(store_budget_put(st, &b, &err), 0);
	}
	{
		/* bob's daily rule, 5 times from 2020: due, not yet created */
		struct recurring_rule r;
		struct category c;

		memset(&r, 0, sizeof(r));
		r.user_id = FX.bob;
		assert_int_equal(store_category_by_name(st, FX.bob, "bills", &c,
		    &err), 0);
		r.category_id = c.id;
		r.amount = 1999;
		strlcpy(r.currency, "EUR", sizeof(r.currency));
		strlcpy(r.payee, "Phone", sizeof(r.payee));
		strlcpy(r.tags, ",home,", sizeof(r.tags));
		r.rec.freq = REC_DAY;
		r.rec.interval = 1;
		r.rec.count = 5;
		strlcpy(r.rec.start, "2020-01-01", sizeof(r.rec.start));
		recurring_refresh(&r);
		assert_int_equal(store_recurring_add(st, &r, &err), 0);
	}
	for (int i = 0; i < 5; i++) {
		struct refresh_token t;
		char key[32], hash[65];

		snprintf(key, sizeof(key), "key-%d", i);
		assert_int_equal(store_idem_put(st, FX.alice, key, "h",
		    "{\"id\": 1}", &err), 0);
		memset(&t, 0, sizeof(t));
		t.user_id = FX.alice;
		snprintf(t.family, sizeof(t.family), "%032d", i);
		t.created_at = t.family_created_at = t.last_used_at = 1000;
		t.expires_at = 4000000000LL;
		snprintf(hash, sizeof(hash), "%064d", i);
		assert_int_equal(store_refresh_add(st, &t, hash, &err), 0);
	}
	{	/* a notification channel and an event waiting for it */
		struct notify_channel ch;

		memset(&ch, 0, sizeof(ch));
		strlcpy(ch.channel, "log", sizeof(ch.channel));
		strlcpy(ch.kinds, ",*,", sizeof(ch.kinds));
		assert_int_equal(store_notify_channel_set(st, FX.alice, &ch,
		    &err), 0);
		assert_int_equal(store_outbox_add(st, FX.alice, "alert",
		    "{\"message\": \"over budget\"}", &FX.event, &err), 0);
	}
	{	/* alice's rules, and 10 rows a rule or the default chose */
		struct rule r;
		struct category c;
		struct expense e;

		memset(&r, 0, sizeof(r));
		r.user_id = FX.alice;
		r.payee_op = RULE_OP_CONTAINS;
		strlcpy(r.payee, "cafe", sizeof(r.payee));
		assert_int_equal(store_category_by_name(st, FX.alice, "food",
		    &c, &err), 0);
		r.category_id = c.id;
		strlcpy(r.tags, ",coffee,", sizeof(r.tags));
		assert_int_equal(store_rule_add(st, &r, &err), 0);
		FX.rule_id = r.id;
		memset(&r, 0, sizeof(r));
		r.user_id = FX.alice;
		r.note_op = RULE_OP_GLOB;
		strlcpy(r.note, "imported*", sizeof(r.note));
		assert_int_equal(store_category_by_name(st, FX.alice, "health",
		    &c, &err), 0);
		r.category_id = c.id;
		strlcpy(r.rename, "Pharmacy", sizeof(r.rename));
		assert_int_equal(store_rule_add(st, &r, &err), 0);
		assert_int_equal(store_category_uncategorised(st, FX.alice, 0,
		    &c, &err), 0);
		for (int i = 0; i < 10; i++) {
			memset(&e, 0, sizeof(e));
			e.user_id = FX.alice;
			e.category_id = c.id;
			e.category_auto = true;
			e.amount = 300 + i;
			strlcpy(e.currency, "EUR", sizeof(e.currency));
			snprintf(e.date, sizeof(e.date), "2026-04-%02d", 1 + i);
			strlcpy(e.payee, i % 2 ? "CAFÉ ZOË" : "Kiosk",
			    sizeof(e.payee));
			assert_int_equal(store_expense_add(st, &e, &err), 0);
		}
	}
	assert_int_equal(store_commit(st, &err), 0);
	store_close(st);

	assert_non_null(f = fopen(FX.import2, "w"));
	for (int i = 0; i < 12; i++)
		fprintf(f, "2026-03-%02d|%d.%02d||%s row %d\n", 1 + i % 28,
		    i + 1, i, i % 3 ? "imported" : "other", i);
	fclose(f);
	assert_non_null(f = fopen(FX.import, "w"));
	for (int i = 0; i < 12; i++)
		fprintf(f, "2026-03-%02d|%d.%02d|%s|imported row %d\n", 1 + i % 28,
		    i + 1, i, i == 7 ? "garden" : "food", i);
	fclose(f);
	return 0;
}

static int
fx_group_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", FX.dir);
	assert_int_equal(system(cmd), 0);
	free(fx_queries);
	fx_queries = NULL;
	fx_seen_free();
	print_message("    looks: %ld, %ld of them at a state looked at "
	    "before\n", fx_seen_looks, fx_seen_hits);
	return 0;
}

static void
fx_copy(const char *from, const char *to)
{
	char buf[65536], side[160];
	FILE *in, *out;
	size_t n;

	assert_non_null(in = fopen(from, "rb"));
	assert_non_null(out = fopen(to, "wb"));
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
	snprintf(side, sizeof(side), "%s-wal", to);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", to);
	unlink(side);
}

/* A daemon context on a fresh copy of the template, as spendd opens it. */
static void
fx_open(void)
{
	struct spend_err err;

	fx_copy(FX.tmpl, FX.path);
	FX.sd = calloc(1, sizeof(*FX.sd));
	assert_non_null(FX.sd);
	config_defaults(&FX.sd->cfg);
	strlcpy(FX.sd->cfg.db_path, FX.path, sizeof(FX.sd->cfg.db_path));
	strlcpy(FX.sd->cfg.data_dir, FX.dir, sizeof(FX.sd->cfg.data_dir));
	if (store_open(FX.path, STORE_CREATE | STORE_LOOP, &FX.sd->store,
	    &err) < 0)
		fail_msg("store_open: %s", err.msg);
	/* so that the checkpoint (write the database, sync, truncate) runs
	 * inside every operation, after its commit */
	if (FX.ckpt)
		assert_int_equal(sqlite3_exec(FX.sd->store->db,
		    "PRAGMA wal_autocheckpoint = 1", NULL, NULL, NULL), SQLITE_OK);
	if (import_init(FX.sd, &err) < 0)
		fail_msg("import_init: %s", err.msg);
	assert_int_equal(plugins_add_static(FX.sd, "faults", fx_plugin_init), 0);
}

static void
fx_close(void)
{
	recurring_stop(FX.sd);
	plugins_unload(FX.sd);
	import_free(FX.sd);
	store_close(FX.sd->store);
	config_free(&FX.sd->cfg);
	free(FX.sd);
	FX.sd = NULL;
}

/* ---- looking at the file with a connection of our own ---- */

static sqlite3 *
fx_db(void)
{
	sqlite3 *db;

	if (sqlite3_open_v2(FX.path, &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK)
		fail_msg("open %s: %s", FX.path, sqlite3_errmsg(db));
	return db;
}

/* integrity_check (unless fts_only) and FTS5's check of the search
 * index, on db */
static void
fx_check_db(sqlite3 *db, const char *when, bool fts_only)
{
	sqlite3_stmt *s;
	char res[512] = "";

	if (!fts_only) {
		assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check",
		    -1, &s, NULL), SQLITE_OK);
		if (sqlite3_step(s) == SQLITE_ROW)
			strlcpy(res, (const char *)sqlite3_column_text(s, 0),
			    sizeof(res));
		sqlite3_finalize(s);
		if (strcmp(res, "ok") != 0) {
			sqlite3_close(db);
			fail_msg("%s: integrity_check: %s", when, res);
		}
	}
	/* the search index against the rows it indexes (FTS5's own check;
	 * rank 1: also against the content table, expenses) */
	if (sqlite3_exec(db, "INSERT INTO expenses_fts(expenses_fts, rank) "
	    "VALUES ('integrity-check', 1)", NULL, NULL, NULL) != SQLITE_OK) {
		strlcpy(res, sqlite3_errmsg(db), sizeof(res));
		sqlite3_close(db);
		fail_msg("%s: FTS5 integrity-check of expenses_fts: %s", when, res);
	}
}

/* The checks on a connection of their own (as after a restart). */
static inline void
fx_check(const char *when, bool fts_only)
{
	sqlite3 *db = fx_db();

	fx_check_db(db, when, fts_only);
	sqlite3_close(db);
}

/* Every row of every table but the meta table, without the columns that
 * hold the time of the write (*_at, and the idempotent replies, which
 * carry timestamps) or random values (pwhash, token_hash, family), in a
 * fixed order: equal digests = the same data. The queries are made once
 * (the schema does not change). malloc'd. */

static void
fx_make_queries(sqlite3 *db)
{
	sqlite3_stmt *t, *c;
	size_t len = 0;
	FILE *out = open_memstream(&fx_queries, &len);

	assert_non_null(out);
	/* imports is bookkeeping: a staged import's rows are what counts,
	 * and they are judged by what readers see (the stage filter below).
	 * The search index (expenses_fts and its shadow tables) is not data:
	 * its pages differ with the order of merges; fx_check_db checks it
	 * against the rows instead. */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema "
	    "WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name != 'meta' "
	    "AND name != 'imports' AND name NOT LIKE 'expenses\\_fts%' "
	    "ESCAPE '\\' ORDER BY name", -1, &t, NULL), SQLITE_OK);
	while (sqlite3_step(t) == SQLITE_ROW) {
		char sql[1024], cols[800] = "";
		const char *name = (const char *)sqlite3_column_text(t, 0);

		snprintf(sql, sizeof(sql), "SELECT name FROM pragma_table_info('%s')"
		    " WHERE name NOT LIKE '%%\\_at' ESCAPE '\\' AND name NOT IN "
		    "('pwhash', 'token_hash', 'family', 'response', 'staging')",
		    name);
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &c, NULL),
		    SQLITE_OK);
		while (sqlite3_step(c) == SQLITE_ROW) {
			if (cols[0])
				strlcat(cols, ", ", sizeof(cols));
			strlcat(cols, (const char *)sqlite3_column_text(c, 0),
			    sizeof(cols));
		}
		sqlite3_finalize(c);
		/* rows of an import still staging are not there for readers
		 * (store.h, "Staged imports") */
		fprintf(out, "[%s]\nSELECT %s FROM \"%s\"%s ORDER BY %s", name,
		    cols, name, !strcmp(name, "expenses") ||
		    !strcmp(name, "expense_parts") ||
		    !strcmp(name, "categories") ||
		    !strcmp(name, "day_totals") ||
		    !strcmp(name, "month_totals") ? " WHERE stage != (SELECT "
		    "staging FROM users WHERE users.id = user_id)" : "", cols);
		fputc('\0', out);
	}
	fputc('\0', out);
	sqlite3_finalize(t);
	fclose(out);
}

static char *
fx_digest_db(sqlite3 *db)
{
	sqlite3_stmt *s;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	if (fx_queries == NULL)
		fx_make_queries(db);
	for (const char *q = fx_queries; *q; q += strlen(q) + 1) {
		const char *sql = strchr(q, '\n') + 1;

		fwrite(q, 1, (size_t)(sql - q), out);
		if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
			fail_msg("%s: %s", sql, sqlite3_errmsg(db));
		while (sqlite3_step(s) == SQLITE_ROW) {
			for (int i = 0; i < sqlite3_column_count(s); i++) {
				const unsigned char *v = sqlite3_column_text(s, i);

				fprintf(out, "%s%s", i ? "|" : "", v ? (const char *)v :
				    "NULL");
			}
			fputc('\n', out);
		}
		sqlite3_finalize(s);
	}
	fclose(out);
	return buf;
}

static char *
fx_digest(void)
{
	sqlite3 *db = fx_db();
	char *d = fx_digest_db(db);

	sqlite3_close(db);
	return d;
}

/* The digest, then the checks (fx_check), on connection db of their own:
 * opening one reads the whole schema, which was most of a sweep's time
 * when each look opened its own. */
static char *
fx_look_db(sqlite3 *db, const char *when, bool fts_only)
{
	char *d = fx_digest_db(db);

	fx_check_db(db, when, fts_only);
	return d;
}

static char *
fx_look(const char *when, bool fts_only)
{
	sqlite3 *db = fx_db();
	char *d = fx_look_db(db, when, fts_only);

	sqlite3_close(db);
	return d;
}

/*
 * ---- states already looked at ----
 *
 * Most runs of a sweep fail cleanly and leave the files as they found
 * them, so most looks read a state an earlier look has read and judged
 * already; those looks were two thirds of a sweep's time. A look is a
 * function of what a connection opened now reads: the database file and
 * the WAL's frames up to the last commit the wal-index (the -shm file)
 * holds. fx_state hashes exactly that (BLAKE2b, 256 bits); a state whose
 * hash an earlier look recorded has that look's digest and passed its
 * checks, so they are not run again. Anything unexpected in the files
 * gives no hash, and the look runs.
 */
struct fx_seen {
	unsigned char state[32];
	char *digest;
	bool full;		/* integrity_check ran too, not FTS5's only */
};

static struct fx_seen fx_seen[16];
static unsigned fx_seen_next;

static uint32_t
fx_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* The whole of file path into a malloc'd buffer (*len 0 and NULL when
 * there is no such file); false on an error. */
static bool
fx_slurp(const char *path, unsigned char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;

	*buf = NULL;
	*len = 0;
	if (f == NULL)
		return errno == ENOENT;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 ||
	    (n > 0 && ((*buf = malloc((size_t)n)) == NULL ||
	    fread(*buf, 1, (size_t)n, f) != (size_t)n))) {
		fclose(f);
		free(*buf);
		*buf = NULL;
		return false;
	}
	fclose(f);
	*len = (size_t)n;
	return true;
}

/* The hash of what a reader of FX.path sees now (see above): true and
 * the hash in out, or false when the files are not as expected. */
static bool
fx_state(unsigned char out[32])
{
	crypto_generichash_state h;
	unsigned char *db, *wal = NULL, *shm = NULL;
	size_t dblen, wallen = 0, shmlen = 0;
	char path[160];
	uint32_t mx = 0, pgsz = 0, npage = 0;
	bool ok = false;

	if (!fx_slurp(FX.path, &db, &dblen))
		return false;
	snprintf(path, sizeof(path), "%s-shm", FX.path);
	if (!fx_slurp(path, &shm, &shmlen))
		goto out;
	snprintf(path, sizeof(path), "%s-wal", FX.path);
	if (!fx_slurp(path, &wal, &wallen))
		goto out;
	/* the wal-index header: two copies of 48 bytes, in native byte
	 * order: isInit at 12, mxFrame (the last frame of the last commit)
	 * at 16, nPage (the database's pages) at 20, a checksum of the
	 * first 40 at 40. A reader that finds it otherwise recovers the
	 * index from the WAL instead, which is not what is hashed here: no
	 * hash then. (The store's connection keeps the -shm in use: a new
	 * connection trusts this header; fx_look_seen checks it is open.) */
	if (shmlen < 96 || shm[12] != 1 || memcmp(shm, shm + 48, 48) != 0)
		goto out;
	{
		uint32_t w[12], s1 = 0, s2 = 0;

		memcpy(w, shm, sizeof(w));
		for (int i = 0; i < 10; i += 2) {
			s1 += w[i] + s2;
			s2 += w[i + 1] + s1;
		}
		if (s1 != w[10] || s2 != w[11])
			goto out;
		mx = w[4];
		npage = w[5];
	}
	if (mx > 0) {	/* frames: 24-byte header, then the page */
		if (wallen < 32)
			goto out;
		pgsz = fx_be32(wal + 8);
		if (pgsz < 512 || pgsz > 65536 ||
		    wallen < 32 + (size_t)mx * (24 + pgsz))
			goto out;
	}
	{	/* the sizes first: no two splits of one stream, and the
		 * database's size as a reader takes it (nPage, or with none
		 * the file's) */
		uint64_t lens[4] = { dblen, mx, pgsz, npage };

		crypto_generichash_init(&h, NULL, 0, 32);
		crypto_generichash_update(&h, (const unsigned char *)lens,
		    sizeof(lens));
	}
	crypto_generichash_update(&h, db, dblen);
	for (uint32_t i = 0; i < mx; i++) {
		const unsigned char *fr = wal + 32 + (size_t)i * (24 + pgsz);

		/* page number and commit size, then the page: not the salts
		 * and checksums, which differ between WALs of the same data */
		crypto_generichash_update(&h, fr, 8);
		crypto_generichash_update(&h, fr + 24, pgsz);
	}
	crypto_generichash_final(&h, out, 32);
	ok = true;
out:
	free(db);
	free(wal);
	free(shm);
	return ok;
}

static struct fx_seen *
fx_seen_find(const unsigned char state[32], bool full)
{
	for (size_t i = 0; i < sizeof(fx_seen) / sizeof(fx_seen[0]); i++)
		if (fx_seen[i].digest && (fx_seen[i].full || !full) &&
		    memcmp(fx_seen[i].state, state, 32) == 0)
			return &fx_seen[i];
	return NULL;
}

static void
fx_seen_add(const unsigned char state[32], const char *digest, bool full)
{
	struct fx_seen *s = fx_seen_find(state, false);

	if (s == NULL) {
		s = &fx_seen[fx_seen_next++ % (sizeof(fx_seen) /
		    sizeof(fx_seen[0]))];
		free(s->digest);
		memcpy(s->state, state, 32);
		s->full = false;
		assert_non_null(s->digest = strdup(digest));
	}
	s->full = s->full || full;
}

static void
fx_seen_free(void)
{
	for (size_t i = 0; i < sizeof(fx_seen) / sizeof(fx_seen[0]); i++) {
		free(fx_seen[i].digest);
		fx_seen[i].digest = NULL;
	}
}

/*
 * No connection holds a write transaction (the run left none open): the
 * files do not show one, and FTS5's check, a write, would have failed on
 * it. A connection of its own, which reads no schema for this.
 */
static void
fx_unlocked(const char *when)
{
	sqlite3 *db = fx_db();
	char msg[256];

	if (sqlite3_exec(db, "BEGIN IMMEDIATE; ROLLBACK", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		strlcpy(msg, sqlite3_errmsg(db), sizeof(msg));
		sqlite3_close(db);
		fail_msg("%s: a transaction was left open: %s", when, msg);
	}
	sqlite3_close(db);
}

/*
 * fx_look_db on *look (opened here when NULL), unless the state is one
 * looked at already (fx_seen). The store must be open: its wal-index
 * says what is committed. malloc'd.
 */
static char *
fx_look_seen(sqlite3 **look, const char *when, bool fts_only)
{
	unsigned char state[32];
	bool have = fx_state(state);
	struct fx_seen *s;
	char *d;

	assert_non_null(FX.sd);
	fx_unlocked(when);
	fx_seen_looks++;
	if (have && (s = fx_seen_find(state, !fts_only)) != NULL) {
		fx_seen_hits++;
		assert_non_null(d = strdup(s->digest));
		return d;
	}
	if (*look == NULL)
		*look = fx_db();
	d = fx_look_db(*look, when, fts_only);
	if (have)
		fx_seen_add(state, d, !fts_only);
	return d;
}

/* The first line where a and b differ, for the failure message. */
static const char *
fx_diff(const char *a, const char *b, char *out, size_t size)
{
	size_t i = 0, ls = 0;

	while (a[i] && a[i] == b[i]) {
		if (a[i] == '\n')
			ls = i + 1;
		i++;
	}
	snprintf(out, size, "got \"%.120s\", want \"%.120s\"", a + ls, b + ls);
	for (char *p = out; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return out;
}

/* ---- the operations ---- */

/* Run method as a socket admin acting for alice (user NULL: none). */
static int
fx_call(const char *user, const char *method, const char *params,
    struct spend_err *err)
{
	struct rpc_identity id = { .role = ROLE_ADMIN, .socket_admin = true,
	    .transport = "test" };
	struct tu_reply r = { 0 };
	json_t *p = json_loads(params, 0, NULL);

	assert_non_null(p);
	if (user)
		json_object_set_new(p, "user", json_string(user));
	rpc_invoke(FX.sd, &id, method, p, tu_done, &r);
	json_decref(p);
	assert_true(r.done);
	json_decref(r.result);
	*err = r.err;
	if (r.result == NULL && r.err.code == 0)
		fail_msg("%s failed without a code: %s", method, r.err.msg);
	return r.result ? 0 : r.err.code;
}

static int
op_expense_add(struct spend_err *err)
{
	return fx_call("alice", "expense.add", "{\"amount\": \"12.50\", "
	    "\"category\": \"food\", \"date\": \"2026-05-01\", \"note\": "
	    "\"lunch\", \"tags\": [\"work\"], \"idempotency_key\": \"add-1\"}",
	    err);
}

/* A bulk add: two expenses in one transaction, a bad item between them
 * (answered by index, adding nothing). */
static int
op_expense_add_items(struct spend_err *err)
{
	return fx_call("alice", "expense.add", "{\"items\": ["
	    "{\"amount\": \"7.00\", \"category\": \"food\", "
	    "\"date\": \"2026-05-04\", \"tags\": [\"bulk\"]}, "
	    "{\"amount\": \"7.001\"}, "
	    "{\"amount\": \"8.00\", \"category\": \"transport\", "
	    "\"date\": \"2026-05-05\", \"note\": \"bus\"}], "
	    "\"idempotency_key\": \"bulk-1\"}", err);
}

static int
op_expense_edit(struct spend_err *err)
{
	char p[200];

	snprintf(p, sizeof(p), "{\"id\": %lld, \"amount\": \"99.99\", "
	    "\"category\": \"health\", \"note\": \"edited\"}",
	    (long long)FX.exp_id);
	return fx_call("alice", "expense.edit", p, err);
}

/* A split: the expense and its three parts, each part's totals. */
static int
op_split_add(struct spend_err *err)
{
	return fx_call("alice", "expense.add", "{\"amount\": \"20.00\", "
	    "\"date\": \"2026-05-02\", \"parts\": ["
	    "{\"amount\": \"12.00\", \"category\": \"food\"}, "
	    "{\"amount\": \"5.00\", \"category\": \"transport\", "
	    "\"note\": \"taxi\"}, "
	    "{\"amount\": \"3.00\", \"category\": \"health\"}], "
	    "\"idempotency_key\": \"split-1\"}", err);
}

/* A split split again: another day and amount, the old parts' totals
 * moved and taken back, the new ones added. */
static int
op_split_edit(struct spend_err *err)
{
	char p[400];

	snprintf(p, sizeof(p), "{\"id\": %lld, \"amount\": \"40.00\", "
	    "\"date\": \"2026-06-03\", \"parts\": ["
	    "{\"amount\": \"10.00\", \"category\": \"health\"}, "
	    "{\"amount\": \"30.00\", \"category\": \"food\"}]}",
	    (long long)FX.split_id);
	return fx_call("alice", "expense.edit", p, err);
}

/* A split joined into one category; and a plain expense split. */
static int
op_split_join(struct spend_err *err)
{
	char p[200];

	snprintf(p, sizeof(p), "{\"id\": %lld, \"parts\": [], "
	    "\"category\": \"health\"}", (long long)FX.split_id);
	return fx_call("alice", "expense.edit", p, err);
}

static int
op_split_plain(struct spend_err *err)
{
	char p[300];

	snprintf(p, sizeof(p), "{\"id\": %lld, \"parts\": ["
	    "{\"amount\": \"0.50\", \"category\": \"health\"}, "
	    "{\"amount\": \"0.50\", \"category\": \"food\"}]}",
	    (long long)FX.exp_id);
	return fx_call("alice", "expense.edit", p, err);
}

static int
op_split_delete(struct spend_err *err)
{
	char p[100];

	snprintf(p, sizeof(p), "{\"id\": %lld}", (long long)FX.split_id);
	return fx_call("alice", "expense.delete", p, err);
}

static int
op_expense_delete(struct spend_err *err)
{
	char p[100];

	snprintf(p, sizeof(p), "{\"id\": %lld, \"idempotency_key\": \"del-1\"}",
	    (long long)FX.exp_id);
	return fx_call("alice", "expense.delete", p, err);
}

static int
op_category_move(struct spend_err *err)
{
	return fx_call("alice", "category.delete", "{\"name\": \"food\", "
	    "\"move_to\": \"other\"}", err);
}

static int
op_user_delete(struct spend_err *err)
{
	return fx_call(NULL, "user.delete", "{\"name\": \"alice\"}", err);
}

static int
op_import(struct spend_err *err)
{
	char p[300];

	snprintf(p, sizeof(p), "{\"path\": \"%s\", \"format\": \"fpipe\", "
	    "\"create_categories\": true}", FX.import);
	return fx_call("alice", "import.run", p, err);
}

/* bob's expense that takes his bills budget past its three thresholds:
 * the expense, three alerts and their outbox rows, all or nothing (the
 * evaluator runs inside the write, before its commit). */
static int
op_budget_alert(struct spend_err *err)
{
	int r;

	write_set_precommit(budget_evaluate);
	r = fx_call("bob", "expense.add", "{\"amount\": \"12.50\", "
	    "\"category\": \"bills\"}", err);
	write_set_precommit(NULL);
	return r;
}

/* The store alone: an expense and its idempotency key in one
 * transaction, as the dispatcher does. */
static int
op_store_idem(struct spend_err *err)
{
	struct store *st = FX.sd->store;
	struct expense e;
	struct category c;
	int r;

	if ((r = store_begin(st, err)) < 0)
		return r;
	memset(&e, 0, sizeof(e));
	e.user_id = FX.bob;
	e.amount = 4200;
	strlcpy(e.currency, "EUR", sizeof(e.currency));
	strlcpy(e.date, "2026-06-01", sizeof(e.date));
	strlcpy(e.note, "store level", sizeof(e.note));
	if ((r = store_category_find(st, FX.bob, 0, "bills", &c, err)) < 0)
		goto fail;
	e.category_id = c.id;
	if ((r = store_expense_add(st, &e, err)) < 0 ||
	    (r = store_idem_put(st, FX.bob, "store-1", "hash",
	    "{\"id\": 171}", err)) < 0 ||
	    (r = store_commit(st, err)) < 0)
		goto fail;
	return 0;
fail:
	store_rollback(st);
	return r;
}

/* The store alone, outside any transaction: it must still be all or
 * nothing (expenses, idempotency keys, then the user and its cascade). */
static int
op_store_user_delete(struct spend_err *err)
{
	return store_user_delete(FX.sd->store, FX.alice, err);
}

/* A test event through the outbox, in the dispatcher's write. */
static int
op_notify_test(struct spend_err *err)
{
	return fx_call("alice", "notify.test", "{\"message\": \"hello\"}",
	    err);
}

/* What the deliverer writes for an event: its delivery and its mark in
 * one transaction (routing), then the outcome of an attempt. */
static int
op_store_route(struct spend_err *err)
{
	struct store *st = FX.sd->store;
	int r;

	if ((r = store_begin(st, err)) < 0)
		return r;
	if ((r = store_delivery_add(st, FX.event, FX.alice, "log", 1000,
	    err)) < 0 || (r = store_outbox_routed(st, FX.event, err)) < 0 ||
	    (r = store_commit(st, err)) < 0) {
		store_rollback(st);
		return r;
	}
	return 0;
}

/* A recurring catch-up: bob's rule creates its 5 due occurrences (one
 * batch: all or none). */
static int
op_recurring_run(struct spend_err *err)
{
	return recurring_run(FX.sd, err);
}

/* One step of compacting the change log (every tombstone old enough):
 * the rows removed and the floors raised, all or nothing. */
static int
op_sync_compact(struct spend_err *err)
{
	int64_t uid = 0, seq = 0, removed;

	return store_sync_compact(FX.sd->store, "9999", 0, &uid, &seq,
	    &removed, err);
}

/* A device's offline creation with its client id and its outcome, in
 * one push: all or nothing. */
static int
op_sync_push(struct spend_err *err)
{
	return fx_call("alice", "sync.push", "{\"mutations\": [{\"mid\": "
	    "\"m-1\", \"op\": \"create\", \"client_id\": \"c-1\", "
	    "\"fields\": {\"amount\": \"3.20\", \"category\": \"food\", "
	    "\"note\": \"offline\"}}]}", err);
}

struct fx_op {
	const char *name;
	int (*run)(struct spend_err *);
};

/* Rules: add, delete, an add and an import they categorise, apply. */
static int
op_rule_add(struct spend_err *err)
{
	return fx_call("alice", "rule.add", "{\"payee_glob\": \"kiosk*\", "
	    "\"category\": \"other\", \"tags\": [\"snack\"], "
	    "\"position\": 1}", err);
}

static int
op_rule_delete(struct spend_err *err)
{
	char p[100];

	snprintf(p, sizeof(p), "{\"id\": %lld}", (long long)FX.rule_id);
	return fx_call("alice", "rule.delete", p, err);
}

static int
op_expense_add_rules(struct spend_err *err)
{
	return fx_call("alice", "expense.add", "{\"amount\": \"4.20\", "
	    "\"payee\": \"Café Zoë\", \"date\": \"2026-05-02\"}", err);
}

static int
op_rule_apply(struct spend_err *err)
{
	return fx_call("alice", "rule.apply", "{\"from\": \"2026-04-01\"}",
	    err);
}

static int
op_import_rules(struct spend_err *err)
{
	char p[300];

	snprintf(p, sizeof(p), "{\"path\": \"%s\", \"format\": \"fpipe\"}",
	    FX.import2);
	return fx_call("alice", "import.run", p, err);
}

static const struct fx_op fx_ops[] = {
	{ "expense.add", op_expense_add },
	{ "expense.add items", op_expense_add_items },
	{ "expense.edit", op_expense_edit },
	{ "expense.delete", op_expense_delete },
	{ "expense.add split", op_split_add },
	{ "expense.edit split again", op_split_edit },
	{ "expense.edit join", op_split_join },
	{ "expense.edit split a plain one", op_split_plain },
	{ "expense.delete split", op_split_delete },
	{ "category.delete move_to", op_category_move },
	{ "user.delete", op_user_delete },
	{ "import.run", op_import },
	{ "expense.add + budget alerts", op_budget_alert },
	{ "store expense + idempotency key", op_store_idem },
	{ "store_user_delete alone", op_store_user_delete },
	{ "notify.test", op_notify_test },
	{ "store: route an outbox event", op_store_route },
	{ "recurring catch-up", op_recurring_run },
	{ "sync: compact the change log", op_sync_compact },
	{ "sync.push", op_sync_push },
	{ "rule.add", op_rule_add },
	{ "rule.delete", op_rule_delete },
	{ "expense.add by the rules", op_expense_add_rules },
	{ "rule.apply", op_rule_apply },
	{ "import.run through the rules", op_import_rules },
};

#define FX_NOPS (sizeof(fx_ops) / sizeof(fx_ops[0]))

/* Drop the connection's page cache, so the operation reads the file. */
static void
fx_cold(void)
{
	sqlite3_db_release_memory(FX.sd->store->db);
}

/* The injector of the sweep running: a failed test leaves it armed. */
static const struct injector *fx_armed;

/*
 * Which fault points this process takes. make check takes every
 * fx_stride-th point, starting at fx_offset (set from SPEND_FAULT_STRIDE
 * and SPEND_FAULT_OFFSET; the offset otherwise changes from run to run,
 * so successive runs cover every point); make soak sets the stride to 1,
 * every point. Those points may also be split between processes, each
 * taking every fx_nshards-th of them from fx_shard (fx_main).
 */
static long fx_stride = 1, fx_offset, fx_shard, fx_nshards = 1;

#define FX_EACH_POINT(n, events)					\
	for (long n = 1 + fx_offset + fx_shard * fx_stride; n <= (events);	\
	    n += fx_stride * fx_nshards)

/* Read SPEND_FAULT_STRIDE (else stride) and SPEND_FAULT_OFFSET (else one
 * that changes every run) and say which points run, and how to repeat. */
static void
fx_points_setup(long stride)
{
	const char *e;

	if ((e = getenv("SPEND_FAULT_STRIDE")) != NULL && atol(e) >= 1)
		stride = atol(e);
	fx_stride = stride;
	e = getenv("SPEND_FAULT_OFFSET");
	fx_offset = labs(e ? atol(e) : (long)time(NULL)) % stride;
	printf("fault points: every %ld from %ld (again: SPEND_FAULT_STRIDE=%ld "
	    "SPEND_FAULT_OFFSET=%ld; every point: make soak)\n", fx_stride,
	    fx_offset + 1, fx_stride, fx_offset);
}

/*
 * Run the group in nshards processes (SPEND_FAULT_SHARDS overrides, 1 to
 * 8), each on its share of the points; the exit status fails when any
 * of them failed.
 */
static int
fx_main(const struct CMUnitTest *tests, size_t ntests,
    CMFixtureFunction setup, long stride, int nshards)
{
	const char *e = getenv("SPEND_FAULT_SHARDS");
	pid_t kids[8];
	int rc, st;

	if (e != NULL && atoi(e) >= 1)
		nshards = atoi(e) < 8 ? atoi(e) : 8;
	/* A sweep opens and closes thousands of connections: with glibc's
	 * defaults their large blocks went back to the kernel each time
	 * (munmap, heap trim), and the page faults and TLB flushes of that
	 * were a quarter of the sweep's time on a VM (test_faults_oom 68 s ->
	 * 52 s, system time halved). Keep them: the allocator only. */
	*(void **)&fx_real_clock = dlsym(RTLD_NEXT, "clock_gettime");
	assert_non_null(fx_real_clock);
	fx_real_clock(CLOCK_REALTIME, &fx_frozen);
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	/* line by line, so the shards' lines do not cut into each other */
	setvbuf(stdout, NULL, _IOLBF, 0);
	fx_points_setup(stride);
	fflush(NULL);
	fx_nshards = nshards;
	for (int k = 1; k < nshards; k++) {
		if ((kids[k] = fork()) < 0) {
			perror("fork");
			return 1;
		}
		if (kids[k] == 0) {
			fx_shard = k;
			return _cmocka_run_group_tests("faults", tests, ntests,
			    setup, fx_group_teardown);
		}
	}
	rc = _cmocka_run_group_tests("faults", tests, ntests, setup,
	    fx_group_teardown);
	for (int k = 1; k < nshards; k++) {
		if (waitpid(kids[k], &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0) {
			printf("[  FAILED  ] shard %d of %d ended with status "
			    "%d\n", k, nshards, st);
			rc = 1;
		}
	}
	return rc;
}

/* Per test: undo what a failed test left (faults armed, a store open). */
static int
fx_test_setup(void **state)
{
	(void)state;
	if (fx_armed)
		fx_armed->disarm();
	if (FX.sd)
		fx_close();
	FX.ckpt = false;
	return 0;
}

struct fx_stats {
	long points, failed, succeeded;
};

/*
 * One operation under one injector: see the top of this file. Returns
 * how many fault points there were (the events of the clean run) and how
 * many of them failed the call or went through.
 */
static struct fx_stats
fx_sweep(const struct fx_op *op, const struct injector *inj)
{
	struct fx_stats stats = { 0, 0, 0 };
	struct spend_err err;
	char *d0, *d1, *d, why[400], retry[400];
	char example[SPEND_ERR_MSG_MAX] = "";
	sqlite3 *look;
	long events;
	int r;

	fx_armed = inj;
	fx_open();
	look = NULL;
	d0 = fx_look_seen(&look, "before", false);
	if (look)
		sqlite3_close(look);
	fx_cold();
	inj->arm(0);
	r = op->run(&err);
	events = inj->disarm();
	if (r != 0)
		fail_msg("%s without faults: %s", op->name, err.msg);
	look = NULL;
	d1 = fx_look_seen(&look, op->name, false);
	if (look)
		sqlite3_close(look);
	fx_close();
	if (strcmp(d0, d1) == 0)
		fail_msg("%s changed nothing", op->name);

	FX_EACH_POINT(n, events) {
		fx_open();
		fx_cold();
		spend_err_clear(&err);
		inj->arm(n);
		r = op->run(&err);
		inj->disarm();
		snprintf(why, sizeof(why), "%s, %s at %ld", op->name, inj->name, n);
		/* one connection looks before and after the retry: idle
		 * between its statements, it holds no snapshot the retry's
		 * commit or checkpoint waits on (opened by the first look
		 * that runs: fx_look_seen) */
		look = NULL;
		d = fx_look_seen(&look, why, false);
		if (r < 0) {
			stats.failed++;
			if (example[0] == '\0')
				strlcpy(example, err.msg, sizeof(example));
			if (r != err.code)
				fail_msg("%s, %s at %ld: returned %d but err.code "
				    "is %d (%s)", op->name, inj->name, n, r,
				    err.code, err.msg);
			if (err.msg[0] == '\0')
				fail_msg("%s, %s at %ld: error %d without a message",
				    op->name, inj->name, n, r);
			if (r != inj->code || strstr(err.msg, inj->msg) == NULL)
				fail_msg("%s, %s at %ld: got %s \"%s\", want %s "
				    "with \"%s\"", op->name, inj->name, n,
				    spend_err_name(r), err.msg,
				    spend_err_name(inj->code), inj->msg);
			if (strcmp(d, d0) != 0)
				fail_msg("%s, %s at %ld failed (%s) but wrote "
				    "something: %s", op->name, inj->name, n,
				    err.msg, fx_diff(d, d0, why, sizeof(why)));
		} else if (r == 0) {
			stats.succeeded++;
			if (strcmp(d, d1) != 0)
				fail_msg("%s, %s at %ld succeeded but the data "
				    "differs: %s", op->name, inj->name, n,
				    fx_diff(d, d1, why, sizeof(why)));
		} else
			fail_msg("%s: returned %d", op->name, r);
		free(d);
		/* the faults are gone: the same connection does it again */
		if (r < 0) {
			spend_err_clear(&err);
			if ((r = op->run(&err)) != 0)
				fail_msg("%s, %s at %ld: the retry without faults "
				    "failed: %s", op->name, inj->name, n, err.msg);
			/* the connection that met the fault wrote again: the
			 * search index must still match the rows (FTS5 in
			 * SQLite 3.40 could keep stale figures after an
			 * out-of-memory: see st_error) */
			snprintf(retry, sizeof(retry), "%s, %s at %ld, then the "
			    "retry", op->name, inj->name, n);
			d = fx_look_seen(&look, retry, true);
			if (strcmp(d, d1) != 0)
				fail_msg("%s: it left other data: %s", retry,
				    fx_diff(d, d1, why, sizeof(why)));
			free(d);
		}
		if (look)
			sqlite3_close(look);
		fx_close();
		stats.points++;
	}
	free(d0);
	free(d1);
	print_message("    %-32s %-22s%s %4ld points: %ld failed cleanly, %ld "
	    "went through\n", op->name, inj->name, FX.ckpt ? " +ckpt" : "",
	    stats.points, stats.failed, stats.succeeded);
	if (example[0])
		print_message("        e.g. %s\n", example);
	return stats;
}

/* Checkpoint on close: the last connection copies the WAL into the
 * database, under faults. Whatever fails, what was committed stays. */
static struct fx_stats
fx_sweep_close(const struct injector *inj)
{
	struct fx_stats stats = { 0, 0, 0 };
	struct spend_err err;
	char *d1, *d, why[400];
	long events;

	fx_armed = inj;
	fx_open();
	if (op_expense_add(&err) < 0 || op_category_move(&err) < 0)
		fail_msg("close sweep: %s", err.msg);
	d1 = fx_digest();
	inj->arm(0);
	fx_close();
	events = inj->disarm();
	free(d1);
	FX_EACH_POINT(n, events) {
		struct store *st;

		fx_open();
		if (op_expense_add(&err) < 0 || op_category_move(&err) < 0)
			fail_msg("close sweep: %s", err.msg);
		d1 = fx_digest();
		inj->arm(n);
		fx_close();
		inj->disarm();
		if (store_open(FX.path, STORE_LOOP, &st, &err) < 0)
			fail_msg("close, %s at %ld: reopen: %s", inj->name, n,
			    err.msg);
		d = fx_look("close", false);
		if (strcmp(d, d1) != 0)
			fail_msg("close, %s at %ld: committed data lost: %s",
			    inj->name, n, fx_diff(d, d1, why, sizeof(why)));
		free(d);
		free(d1);
		store_close(st);
		stats.points++;
	}
	print_message("    %-32s %-22s %4ld points\n", "close (checkpoint)",
	    inj->name, stats.points);
	return stats;
}

#endif
