/*
 * The WAL starts again under steady writes (store.c, checkpoint). One
 * thread commits small transactions with short pauses, as the loop does
 * between its turns; another checkpoints whenever the WAL has grown, as
 * spendd's checkpoint job does. A passive checkpoint alone never found
 * the WAL all copied when a write began, so the WAL never started again
 * and grew with every commit (1.3 GB beside a 27 MB database after 80k
 * batched adds); the restarting one keeps it near STORE_WAL_RESTART_PAGES.
 *
 * This test reads the WAL's size and the restart count, so it includes
 * store_internal.h (tests of the store may).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "store_internal.h"
#include "util.h"

#define COMMITS 3000
#define ROWS_PER_COMMIT 8

static char dir[64], path[128];
static atomic_bool writing;

static void *
checkpointer(void *arg)
{
	struct store *st;
	struct spend_err err;
	struct timespec nap = { 0, 2 * 1000 * 1000 };

	(void)arg;
	if (store_open(path, STORE_SECONDARY, &st, &err) < 0)
		return "store_open";
	while (atomic_load(&writing)) {
		if (store_checkpoint(st, &err) < 0) {
			store_close(st);
			return "checkpoint failed";
		}
		nanosleep(&nap, NULL);
	}
	store_close(st);
	return NULL;
}

static void
test_wal_starts_again(void **state)
{
	struct store *st;
	struct spend_err err;
	struct timespec gap = { 0, 10 * 1000 };
	struct stat sb;
	pthread_t t;
	void *why;
	char sql[160];
	long long restarts0;

	(void)state;
	strlcpy(dir, "/tmp/spend-test-wal.XXXXXX", sizeof(dir));
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/spend.db", dir);
	if (store_open(path, STORE_CREATE, &st, &err) < 0)
		fail_msg("store_open: %s", err.msg);
	/* the loop's connection checkpoints nothing itself */
	store_on_wal(st, NULL, NULL);
	assert_int_equal(st_exec(st, "CREATE TABLE filler(id INTEGER PRIMARY "
	    "KEY, pad BLOB)", &err), 0);
	restarts0 = store_wal_restarts();

	atomic_store(&writing, true);
	assert_int_equal(pthread_create(&t, NULL, checkpointer, NULL), 0);
	for (int i = 0; i < COMMITS; i++) {
		assert_int_equal(store_begin(st, &err), 0);
		/* about one page a row */
		snprintf(sql, sizeof(sql), "WITH RECURSIVE n(i) AS (SELECT 1 "
		    "UNION ALL SELECT i + 1 FROM n WHERE i < %d) INSERT INTO "
		    "filler(pad) SELECT randomblob(3000) FROM n",
		    ROWS_PER_COMMIT);
		assert_int_equal(st_exec(st, sql, &err), 0);
		assert_int_equal(store_commit(st, &err), 0);
		nanosleep(&gap, NULL);
	}
	atomic_store(&writing, false);
	assert_int_equal(pthread_join(t, &why), 0);
	if (why != NULL)
		fail_msg("checkpointer: %s", (const char *)why);

	/* COMMITS * ROWS_PER_COMMIT pages went through the WAL: its file
	 * stayed a fraction of that. (A slow writer, as under ASan, can
	 * leave the passive checkpoints time enough to start the WAL again
	 * on their own: no restart is needed then, and none is counted.
	 * Without the restart, at full speed, the file grew to 140 MB.) */
	snprintf(sql, sizeof(sql), "%s-wal", path);
	assert_int_equal(stat(sql, &sb), 0);
	print_message("    WAL file %lld bytes after %d pages written, %lld "
	    "restarts\n", (long long)sb.st_size, COMMITS * ROWS_PER_COMMIT,
	    store_wal_restarts() - restarts0);
	store_close(st);
	assert_true(sb.st_size < (off_t)3 * STORE_WAL_RESTART_PAGES * 4120);
	snprintf(sql, sizeof(sql), "rm -rf '%s'", dir);
	assert_int_equal(system(sql), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wal_starts_again),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
