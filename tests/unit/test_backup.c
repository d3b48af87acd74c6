/* backup.c and store_backup.c: names, retention, daemon.backup in-process
 * (no worker threads: the copy runs on the caller), the store's copy. */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "backup.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	strlcpy(dir, "/tmp/spend-test-backup.XXXXXX", sizeof(dir));
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void
touch(const char *name, time_t mtime)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	assert_true((fd = open(p, O_CREAT | O_WRONLY | O_EXCL, 0600)) >= 0);
	close(fd);
	if (mtime) {
		struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };

		assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
	}
}

static bool
exists(const char *name)
{
	char p[256];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return lstat(p, &sb) == 0;
}

static int
count_files(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void
test_names(void **state)
{
	(void)state;
	assert_true(backup_name_ok("spend-20260101T000000Z.db"));
	assert_true(backup_name_ok("spend-29991231T235959Z.db"));
	assert_false(backup_name_ok("spend-20260101T000000Z.db-wal"));
	assert_false(backup_name_ok("spend-20260101T000000Z.db.AbC123"));
	assert_false(backup_name_ok("spend-20260101T000000.db"));
	assert_false(backup_name_ok("spend-2026010xT000000Z.db"));
	assert_false(backup_name_ok("spend-20260101 000000Z.db"));
	assert_false(backup_name_ok("Spend-20260101T000000Z.db"));
	assert_false(backup_name_ok("spend.db"));
	assert_false(backup_name_ok(""));
}

/* The newest `keep` stay; only files named like scheduled backups go. */
static void
test_prune(void **state)
{
	static const char *const backups[] = {
		"spend-20260101T000000Z.db", "spend-20260102T000000Z.db",
		"spend-20251231T235959Z.db", "spend-20260102T000001Z.db",
		"spend-20260103T120000Z.db",
	};
	struct spend_err err;
	char sub[128];
	int removed = -1;

	(void)state;
	for (size_t i = 0; i < sizeof(backups) / sizeof(backups[0]); i++)
		touch(backups[i], 0);
	touch("spend.db", 0);			/* not ours */
	touch("notes.txt", 0);
	touch("spend-20200101T000000Z.db-wal", 0);
	touch("spend-2020.db", 0);
	/* a crash's temporary file: removed when old, kept while fresh */
	touch("spend-20200101T000000Z.db.Ab3xYz", time(NULL) - 7200);
	touch("spend-20260104T000000Z.db.Qw3rTy", 0);
	/* a directory named like a backup is no backup */
	snprintf(sub, sizeof(sub), "%s/spend-19990101T000000Z.db", dir);
	assert_int_equal(mkdir(sub, 0700), 0);

	/* keep 0 keeps every backup */
	assert_int_equal(backup_prune(dir, 0, &removed, &err), 0);
	assert_int_equal(removed, 0);
	assert_int_equal(count_files(), 11);
	assert_false(exists("spend-20200101T000000Z.db.Ab3xYz"));

	assert_int_equal(backup_prune(dir, 2, &removed, &err), 0);
	assert_int_equal(removed, 3);
	assert_true(exists("spend-20260103T120000Z.db"));
	assert_true(exists("spend-20260102T000001Z.db"));
	assert_false(exists("spend-20260102T000000Z.db"));
	assert_false(exists("spend-20260101T000000Z.db"));
	assert_false(exists("spend-20251231T235959Z.db"));
	assert_true(exists("spend.db"));
	assert_true(exists("notes.txt"));
	assert_true(exists("spend-20200101T000000Z.db-wal"));
	assert_true(exists("spend-2020.db"));
	assert_true(exists("spend-20260104T000000Z.db.Qw3rTy"));
	assert_true(exists("spend-19990101T000000Z.db"));

	/* nothing more to do; a larger keep removes nothing */
	assert_int_equal(backup_prune(dir, 2, &removed, &err), 0);
	assert_int_equal(removed, 0);
	assert_int_equal(backup_prune(dir, 10, &removed, &err), 0);
	assert_int_equal(removed, 0);
	assert_int_equal(backup_prune(dir, 1, &removed, &err), 0);
	assert_int_equal(removed, 1);
	assert_true(exists("spend-20260103T120000Z.db"));
	assert_false(exists("spend-20260102T000001Z.db"));

	assert_int_equal(backup_prune("/nonexistent/dir", 1, &removed, &err),
	    SPEND_EINVAL);
	assert_non_null(strstr(err.msg, "/nonexistent/dir"));
}

/* A daemon context on a database file in dir, with one user. */
static struct spendd *
file_spendd(void)
{
	struct spendd *sd = calloc(1, sizeof(*sd));
	struct spend_err err;
	struct user u = { .role = "admin", .currency = "EUR",
	    .timezone = "UTC" };

	assert_non_null(sd);
	config_defaults(&sd->cfg);
	snprintf(sd->cfg.db_path, sizeof(sd->cfg.db_path), "%s/spend.db", dir);
	if (store_open(sd->cfg.db_path, STORE_CREATE | STORE_LOOP, &sd->store,
	    &err) < 0)
		fail_msg("store_open: %s", err.msg);
	strlcpy(u.name, "alice", sizeof(u.name));
	if (store_user_add(sd->store, &u, "hash-of-a-password", &err) < 0)
		fail_msg("store_user_add: %s", err.msg);
	return sd;
}

static void
free_spendd(struct spendd *sd)
{
	backup_free(sd);
	store_close(sd->store);
	config_free(&sd->cfg);
	free(sd);
}

/* The copy opens as a Spend database with alice in it. */
static void
check_copy(const char *path)
{
	struct store *st;
	struct spend_err err;
	struct user u;
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	if (store_open(path, 0, &st, &err) < 0)
		fail_msg("%s: %s", path, err.msg);
	assert_int_equal(store_user_by_name(st, "alice", &u, &err), 0);
	store_close(st);
}

static void
test_rpc_path(void **state)
{
	struct spendd *sd;
	char p[256], params[512];
	json_t *r;

	(void)state;
	sd = file_spendd();
	snprintf(p, sizeof(p), "%s/copy.db", dir);
	snprintf(params, sizeof(params), "{\"path\": \"%s\"}", p);
	r = tu_ok(sd, NULL, "daemon.backup", params);
	assert_string_equal(tu_str(r, "path"), p);
	assert_string_equal(tu_str(r, "trigger"), "request");
	assert_true(json_is_true(json_object_get(r, "ok")));
	assert_true(tu_int(r, "pages") > 0);
	assert_true(tu_int(r, "bytes") >= tu_int(r, "pages") * 512);
	assert_non_null(json_object_get(r, "duration_ms"));
	assert_null(json_object_get(r, "removed"));
	json_decref(r);
	check_copy(p);

	/* never over an existing file without overwrite */
	TU_FAILS(sd, NULL, "daemon.backup", params, SPEND_ECONFLICT, "path",
	    "exists (overwrite, spendctl backup --force, replaces it)");
	snprintf(params, sizeof(params), "{\"path\": \"%s\", \"overwrite\": "
	    "true}", p);
	json_decref(tu_ok(sd, NULL, "daemon.backup", params));
	check_copy(p);
	/* a failed backup leaves no temporary file */
	assert_int_equal(count_files(), 4);	/* spend.db, -wal, -shm, copy.db */
	assert_true(exists("spend.db-wal"));

	/* the live database, by any name, is no target */
	snprintf(params, sizeof(params), "{\"path\": \"%s/spend.db\", "
	    "\"overwrite\": true}", dir);
	TU_FAILS(sd, NULL, "daemon.backup", params, SPEND_EINVAL, "path",
	    "is the live database: back up to another file");
	snprintf(params, sizeof(params), "{\"path\": \"%s/../%s/spend.db-wal\", "
	    "\"overwrite\": true}", dir, strrchr(dir, '/') + 1);
	TU_FAILS(sd, NULL, "daemon.backup", params, SPEND_EINVAL, "path",
	    "is the live database's journal");
	snprintf(p, sizeof(p), "%s/hard-link.db", dir);
	snprintf(params, sizeof(params), "%s/spend.db", dir);
	assert_int_equal(link(params, p), 0);
	snprintf(params, sizeof(params), "{\"path\": \"%s\", \"overwrite\": "
	    "true}", p);
	TU_FAILS(sd, NULL, "daemon.backup", params, SPEND_EINVAL, "path",
	    "is the live database");
	unlink(p);

	/* other bad targets */
	TU_FAILS(sd, NULL, "daemon.backup", "{\"path\": \"copy.db\"}",
	    SPEND_EINVAL, "path", "must be absolute");
	snprintf(params, sizeof(params), "{\"path\": \"%s\", \"overwrite\": "
	    "true}", dir);
	TU_FAILS(sd, NULL, "daemon.backup", params, SPEND_EINVAL, "path",
	    "exists and is not a regular file");
	TU_FAILS(sd, NULL, "daemon.backup",
	    "{\"path\": \"/nonexistent/dir/x.db\"}", SPEND_EINVAL, "path",
	    "cannot create a file next to /nonexistent/dir/x.db");
	TU_FAILS(sd, NULL, "daemon.backup", "{\"path\": \"/tmp/x\", \"x\": 1}",
	    SPEND_EINVAL, "x", "unknown parameter \"x\"");
	/* no path and no [backup] dir */
	TU_FAILS(sd, NULL, "daemon.backup", "{}", SPEND_EINVAL, "path",
	    "path is required ([backup] dir is not set)");
	assert_int_equal(count_files(), 4);
	free_spendd(sd);
}

/* Without path: a new name in [backup] dir, then the retention rule. */
static void
test_rpc_dir(void **state)
{
	struct spendd *sd;
	struct spend_err err;
	struct rpc_identity http_admin = { .role = ROLE_ADMIN,
	    .transport = "http" };
	struct tu_reply rep = { 0 };
	char bdir[128];
	json_t *r, *st, *last, *p;

	(void)state;
	sd = file_spendd();
	snprintf(bdir, sizeof(bdir), "%s/backups", dir);	/* made on use */
	strlcpy(sd->cfg.backup_dir, bdir, sizeof(sd->cfg.backup_dir));
	sd->cfg.backup_keep = 1;
	/* old ones, one not ours */
	assert_int_equal(mkdir(bdir, 0700), 0);
	strlcat(dir, "/backups", sizeof(dir));
	touch("spend-20200101T000000Z.db", 0);
	touch("spend-20200102T000000Z.db", 0);
	touch("mine.db", 0);
	*strrchr(dir, '/') = '\0';

	r = tu_ok(sd, NULL, "daemon.backup", "{}");
	assert_int_equal(strncmp(tu_str(r, "path"), bdir, strlen(bdir)), 0);
	assert_true(backup_name_ok(strrchr(tu_str(r, "path"), '/') + 1));
	assert_int_equal(tu_int(r, "removed"), 2);
	check_copy(tu_str(r, "path"));
	json_decref(r);
	strlcat(dir, "/backups", sizeof(dir));
	assert_int_equal(count_files(), 2);
	assert_true(exists("mine.db"));
	assert_false(exists("spend-20200102T000000Z.db"));
	*strrchr(dir, '/') = '\0';

	/* daemon.status shows the last one */
	st = tu_ok(sd, NULL, "daemon.status", "{}");
	p = json_object_get(st, "backup");
	assert_string_equal(tu_str(p, "dir"), bdir);
	assert_int_equal(tu_int(p, "keep"), 1);
	assert_int_equal(tu_int(p, "every"), 86400);
	assert_true(json_is_false(json_object_get(p, "running")));
	last = json_object_get(p, "last");
	assert_true(json_is_true(json_object_get(last, "ok")));
	assert_string_equal(tu_str(last, "trigger"), "request");
	json_decref(st);

	/* overwrite makes no sense for new names */
	TU_FAILS(sd, NULL, "daemon.backup", "{\"overwrite\": true}",
	    SPEND_EINVAL, "overwrite", "overwrite needs a path");
	/* an HTTP admin may back up into [backup] dir, not to a path */
	p = json_pack("{s:s}", "path", "/tmp/x.db");
	rpc_invoke(sd, &http_admin, "daemon.backup", p, tu_done, &rep);
	json_decref(p);
	assert_true(rep.done);
	assert_null(rep.result);
	assert_int_equal(rep.err.code, SPEND_EPERM);
	assert_string_equal(rep.err.field, "path");
	/* a failure shows in status too */
	sd->cfg.backup_keep = 0;
	strlcpy(sd->cfg.backup_dir, "/nonexistent/backups",
	    sizeof(sd->cfg.backup_dir));
	assert_int_equal(tu_call_err(sd, NULL, "daemon.backup", "{}", NULL,
	    &err), SPEND_EINVAL);
	assert_non_null(strstr(err.msg, "backup dir /nonexistent/backups"));
	st = tu_ok(sd, NULL, "daemon.status", "{}");
	last = json_object_get(json_object_get(st, "backup"), "last");
	assert_true(json_is_false(json_object_get(last, "ok")));
	assert_non_null(strstr(tu_str(last, "error"), "/nonexistent/backups"));
	json_decref(st);
	free_spendd(sd);
}

static bool
stop_now(void *arg)
{
	(*(int *)arg)++;
	return true;
}

/* The store's copy: stop between chunks, no transaction left open. */
static void
test_store_backup(void **state)
{
	struct spendd *sd;
	struct store *st;
	struct spend_err err;
	char p[256];
	int64_t pages;
	int asked = 0, fd;

	(void)state;
	sd = file_spendd();
	assert_int_equal(store_open(sd->cfg.db_path, STORE_SECONDARY, &st,
	    &err), 0);
	snprintf(p, sizeof(p), "%s/partial.db", dir);
	assert_true((fd = open(p, O_CREAT | O_WRONLY, 0600)) >= 0);
	close(fd);
	assert_int_equal(store_backup_to(st, p, 1, stop_now, &asked, &pages,
	    &err), SPEND_EUNAVAIL);
	assert_int_equal(asked, 1);
	assert_non_null(strstr(err.msg, "abandoned"));
	assert_false(store_in_tx(st));
	/* all at once, into a fresh file */
	unlink(p);
	assert_true((fd = open(p, O_CREAT | O_WRONLY, 0600)) >= 0);
	close(fd);
	assert_int_equal(store_backup_to(st, p, -1, NULL, NULL, &pages, &err),
	    0);
	assert_true(pages > 1);
	assert_false(store_in_tx(st));
	/* inside a transaction: refused */
	assert_int_equal(store_read_begin(st, &err), 0);
	assert_int_equal(store_backup_to(st, p, -1, NULL, NULL, &pages, &err),
	    SPEND_EINTERNAL);
	store_rollback(st);
	store_close(st);
	chmod(p, 0600);
	check_copy(p);
	free_spendd(sd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rpc_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rpc_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_backup, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
