/*
 * I/O faults under real store writes: a VFS wrapping the default unix one
 * fails the Nth xRead, xWrite, xSync or xTruncate (once, or from then on
 * for a full disk), swept over every operation of faults.h, the
 * checkpoint on close and a login (with a rehash) on a full disk. See
 * faults.h for what each run must end in.
 * timeout: 900 (make check sweeps every other I/O call, a different half
 * each run; make soak every call: see fx_main in faults.h)
 *
 * This test registers an sqlite3 VFS, so it includes sqlite3.h (tests of
 * the store may; nothing outside daemon/store/ else does).
 */
#include <errno.h>

#include "faults.h"
#include "auth.h"
#include "password.h"

/* ---- the VFS ---- */

enum fv_kind { FV_READ, FV_WRITE, FV_SYNC, FV_TRUNCATE, FV_NKINDS };

static const char *const fv_names[FV_NKINDS] = { "xRead", "xWrite", "xSync",
	"xTruncate" };

static struct {
	sqlite3_vfs *real;
	bool armed;
	enum fv_kind kind;	/* which calls are counted and failed */
	long count;		/* calls of that kind since arm */
	long fail_at;		/* 0 = never */
	bool sticky;		/* fail every call from fail_at on */
	int rc;			/* what the failing call returns */
	long total[FV_NKINDS];	/* calls seen by the clean runs */
} FV;

struct fv_file {
	sqlite3_file base;
	sqlite3_file *real;	/* right after this struct */
};

static int
fv_fault(enum fv_kind k)
{
	if (!FV.armed || k != FV.kind)
		return SQLITE_OK;
	FV.count++;
	if (FV.fail_at == 0) {
		FV.total[k]++;
		return SQLITE_OK;
	}
	if (FV.count == FV.fail_at || (FV.sticky && FV.count > FV.fail_at)) {
		errno = FV.rc == SQLITE_FULL ? ENOSPC : EIO;
		return FV.rc;
	}
	return SQLITE_OK;
}

#define REAL(f) (((struct fv_file *)(f))->real)

static int
fv_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int
fv_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	int rc = fv_fault(FV_READ);

	return rc ? rc : REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int
fv_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	int rc = fv_fault(FV_WRITE);

	return rc ? rc : REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}

static int
fv_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	int rc = fv_fault(FV_TRUNCATE);

	return rc ? rc : REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int
fv_sync(sqlite3_file *f, int flags)
{
	int rc = fv_fault(FV_SYNC);

	return rc ? rc : REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int
fv_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int
fv_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}

static int
fv_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}

static int
fv_check_lock(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int
fv_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int
fv_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
fv_chars(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int
fv_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **p)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, p);
}

static int
fv_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void
fv_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int
fv_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int
fv_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **p)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, p);
}

static int
fv_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods fv_methods = {
	3, fv_close, fv_read, fv_write, fv_truncate, fv_sync, fv_size,
	fv_lock, fv_unlock, fv_check_lock, fv_control, fv_sector, fv_chars,
	fv_shm_map, fv_shm_lock, fv_shm_barrier, fv_shm_unmap, fv_fetch,
	fv_unfetch,
};

static int
fv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
    int *out)
{
	struct fv_file *ff = (struct fv_file *)f;
	int rc;

	(void)vfs;
	ff->real = (sqlite3_file *)(ff + 1);
	rc = FV.real->xOpen(FV.real, name, ff->real, flags, out);
	/* sqlite calls xClose only when pMethods is set */
	ff->base.pMethods = ff->real->pMethods ? &fv_methods : NULL;
	return rc;
}

static int
fv_delete(sqlite3_vfs *v, const char *name, int sync)
{
	(void)v;
	return FV.real->xDelete(FV.real, name, sync);
}

static int
fv_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	(void)v;
	return FV.real->xAccess(FV.real, name, flags, out);
}

static int
fv_full(sqlite3_vfs *v, const char *name, int n, char *out)
{
	(void)v;
	return FV.real->xFullPathname(FV.real, name, n, out);
}

static void *
fv_dlopen(sqlite3_vfs *v, const char *name)
{
	(void)v;
	return FV.real->xDlOpen(FV.real, name);
}

static void
fv_dlerror(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	FV.real->xDlError(FV.real, n, out);
}

static void (*
fv_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
	(void)v;
	return FV.real->xDlSym(FV.real, h, sym);
}

static void
fv_dlclose(sqlite3_vfs *v, void *h)
{
	(void)v;
	FV.real->xDlClose(FV.real, h);
}

static int
fv_random(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return FV.real->xRandomness(FV.real, n, out);
}

static int
fv_sleep(sqlite3_vfs *v, int us)
{
	(void)v;
	return FV.real->xSleep(FV.real, us);
}

static int
fv_time(sqlite3_vfs *v, double *out)
{
	(void)v;
	return FV.real->xCurrentTime(FV.real, out);
}

static int
fv_last_error(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return FV.real->xGetLastError(FV.real, n, out);
}

static int
fv_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	(void)v;
	return FV.real->xCurrentTimeInt64(FV.real, out);
}

static sqlite3_vfs fv_vfs = {
	.iVersion = 2,
	.mxPathname = 512,
	.zName = "spend-faults",
	.xOpen = fv_open,
	.xDelete = fv_delete,
	.xAccess = fv_access,
	.xFullPathname = fv_full,
	.xDlOpen = fv_dlopen,
	.xDlError = fv_dlerror,
	.xDlSym = fv_dlsym,
	.xDlClose = fv_dlclose,
	.xRandomness = fv_random,
	.xSleep = fv_sleep,
	.xCurrentTime = fv_time,
	.xGetLastError = fv_last_error,
	.xCurrentTimeInt64 = fv_time64,
};

/* The fault VFS becomes the default, so every connection (the loop's and
 * the import job's) goes through it. */
static void
fv_install(void)
{
	if (FV.real)
		return;
	assert_non_null(FV.real = sqlite3_vfs_find(NULL));
	fv_vfs.szOsFile = (int)sizeof(struct fv_file) + FV.real->szOsFile;
	fv_vfs.mxPathname = FV.real->mxPathname;
	assert_int_equal(sqlite3_vfs_register(&fv_vfs, 1), SQLITE_OK);
}

/* ---- injectors ---- */

static void
fv_arm(long n)
{
	FV.count = 0;
	FV.fail_at = n;
	FV.armed = true;
}

static long
fv_disarm(void)
{
	FV.fail_at = 0;
	FV.armed = false;
	return FV.count;
}

static void
set(enum fv_kind k, int rc, bool sticky)
{
	FV.kind = k;
	FV.rc = rc;
	FV.sticky = sticky;
}

static void arm_read(long n) { set(FV_READ, SQLITE_IOERR_READ, false); fv_arm(n); }
static void arm_write(long n) { set(FV_WRITE, SQLITE_IOERR_WRITE, false); fv_arm(n); }
static void arm_full(long n) { set(FV_WRITE, SQLITE_FULL, true); fv_arm(n); }
static void arm_sync(long n) { set(FV_SYNC, SQLITE_IOERR_FSYNC, false); fv_arm(n); }
static void arm_trunc(long n) { set(FV_TRUNCATE, SQLITE_IOERR_TRUNCATE, false); fv_arm(n); }

/* Whatever the operation was doing when the call failed (a lookup, the
 * commit), the error must be the I/O error: not "no such expense". */
static const struct injector inj_read = { "xRead IOERR once", arm_read,
	fv_disarm, SPEND_ESTORE, "I/O error" };
static const struct injector inj_write = { "xWrite IOERR once", arm_write,
	fv_disarm, SPEND_ESTORE, "I/O error" };
static const struct injector inj_full = { "xWrite FULL from N on",
	arm_full, fv_disarm, SPEND_EFULL, "the disk is full" };
static const struct injector inj_sync = { "xSync IOERR once", arm_sync,
	fv_disarm, SPEND_ESTORE, "I/O error" };
static const struct injector inj_trunc = { "xTruncate IOERR once",
	arm_trunc, fv_disarm, SPEND_ESTORE, "I/O error" };

/* ---- tests ---- */

/* Each operation, then again with a checkpoint after every commit (a
 * failing checkpoint must not fail, or undo, the commit before it), and
 * the checkpoint on close. */
static void
sweep_all(const struct injector *inj)
{
	for (size_t i = 0; i < FX_NOPS; i++)
		fx_sweep(&fx_ops[i], inj);
	FX.ckpt = true;
	for (size_t i = 0; i < FX_NOPS; i++)
		fx_sweep(&fx_ops[i], inj);
	FX.ckpt = false;
	fx_sweep_close(inj);
}

static void
test_read_faults(void **state)
{
	(void)state;
	sweep_all(&inj_read);
}

static void
test_write_faults(void **state)
{
	(void)state;
	sweep_all(&inj_write);
}

static void
test_disk_full(void **state)
{
	(void)state;
	sweep_all(&inj_full);
}

static void
test_sync_truncate_faults(void **state)
{
	(void)state;
	sweep_all(&inj_sync);
	sweep_all(&inj_trunc);
}

static void
lunch(struct expense *e, int64_t cat, const char *note)
{
	memset(e, 0, sizeof(*e));
	e->user_id = FX.alice;
	e->category_id = cat;
	e->amount = 1250;
	strlcpy(e->currency, "EUR", sizeof(e->currency));
	strlcpy(e->date, "2026-05-02", sizeof(e->date));
	strlcpy(e->note, note, sizeof(e->note));
}

/* SQLite rolls a transaction back by itself after some errors (here a
 * failed read): what the caller runs next in "its" transaction must not
 * run on its own and commit, and the commit must fail. */
static void
test_lost_transaction(void **state)
{
	struct store *st;
	struct spend_err err;
	struct expense e, got;
	struct category food;
	char *d0, *d;
	int r;

	(void)state;
	fx_armed = &inj_read;
	fx_open();
	st = FX.sd->store;
	d0 = fx_digest();
	assert_int_equal(store_category_find(st, FX.alice, 0, "food", &food,
	    &err), 0);
	assert_int_equal(store_begin(st, &err), 0);
	lunch(&e, food.id, "first");
	assert_int_equal(store_expense_add(st, &e, &err), 0);
	fx_cold();
	arm_read(1);
	r = store_expense_get(st, FX.alice, FX.exp_id, &got, &err);
	fv_disarm();
	assert_int_equal(r, SPEND_ESTORE);
	assert_non_null(strstr(err.msg, "I/O error"));
	/* (the premise: SQLite did roll it back) */
	assert_true(sqlite3_get_autocommit(st->db));
	lunch(&e, food.id, "second");
	r = store_expense_add(st, &e, &err);
	assert_int_equal(r, SPEND_ESTORE);
	if (strstr(err.msg, "rolled back after an earlier error") == NULL ||
	    strstr(err.msg, "I/O error") == NULL)
		fail_msg("the write after a lost transaction: %s", err.msg);
	assert_true(store_commit(st, &err) < 0);
	assert_non_null(strstr(err.msg, "rolled back"));
	assert_false(store_in_tx(st));
	d = fx_digest();
	if (strcmp(d, d0) != 0)
		fail_msg("a write ran outside its lost transaction");
	free(d);
	free(d0);
	/* the connection goes on */
	assert_int_equal(store_begin(st, &err), 0);
	lunch(&e, food.id, "third");
	assert_int_equal(store_expense_add(st, &e, &err), 0);
	assert_int_equal(store_commit(st, &err), 0);
	fx_close();
}

/* ---- a login on a full disk ---- */

/* auth.login of carol, whose hash (made at a cheaper cost) is rehashed
 * at this login. */
static int
login_carol(struct spend_err *err)
{
	struct rpc_identity id = { .role = ROLE_PUBLIC, .transport = "test" };
	struct tu_reply r = { 0 };
	json_t *p = json_loads("{\"username\": \"carol\", \"password\": "
	    "\"carol-pass-1\"}", 0, NULL);

	strlcpy(id.peer, "192.0.2.7", sizeof(id.peer));
	rpc_invoke(FX.sd, &id, "auth.login", p, tu_done, &r);
	json_decref(p);
	assert_true(r.done);
	json_decref(r.result);
	*err = r.err;
	return r.result ? 0 : r.err.code;
}

/* carol's sessions, and whether her hash is still the old one. */
static int
carol(bool *old_hash)
{
	sqlite3 *db = fx_db();
	sqlite3_stmt *s;
	int n = -1;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM "
	    "refresh_tokens t WHERE t.user_id = u.id), pwhash FROM users u "
	    "WHERE name = 'carol'", -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW) {
		n = sqlite3_column_int(s, 0);
		*old_hash = strcmp((const char *)sqlite3_column_text(s, 1),
		    FX.oldhash) == 0;
		if (!*old_hash && !password_verify(&FX.cost, (const char *)
		    sqlite3_column_text(s, 1), "carol-pass-1", 12))
			fail_msg("carol's new hash does not verify");
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

static void
auth_on(void)
{
	struct spend_err err;

	/* a dearer cost than carol's hash: her login rehashes it */
	FX.sd->cfg.argon2_opslimit = 2;
	FX.sd->cfg.argon2_memlimit = 8192;
	if (auth_init(FX.sd, &err) < 0)
		fail_msg("auth_init: %s", err.msg);
}

static void
auth_off(void)
{
	auth_free(FX.sd);
	fx_close();
}

/*
 * The disk fills at each write of a login in turn. The login either
 * works (one session stored; the rehash stored, or not if the disk was
 * full by then: the login must not fail for it) or fails with
 * disk_full saying that no session can be started, and stores nothing.
 */
static void
test_login_full_disk(void **state)
{
	struct spend_err err;
	long events, kept = 0, failed = 0;
	bool old;
	int r;

	(void)state;
	fx_armed = &inj_full;
	fx_open();
	auth_on();
	arm_full(0);
	r = login_carol(&err);
	events = fv_disarm();
	if (r != 0)
		fail_msg("login without faults: %s", err.msg);
	assert_int_equal(carol(&old), 1);
	assert_false(old);		/* rehashed */
	auth_off();
	for (long n = 1; n <= events; n++) {
		fx_open();
		auth_on();
		arm_full(n);
		r = login_carol(&err);
		fv_disarm();
		if (r == 0) {
			if (carol(&old) != 1)
				fail_msg("login at %ld: not one session", n);
			kept += old;
		} else {
			failed++;
			if (r != SPEND_EFULL || strstr(err.msg, "the disk is full: "
			    "cannot start a session") == NULL)
				fail_msg("login at %ld: got %s \"%s\"", n,
				    spend_err_name(r), err.msg);
			if (carol(&old) != 0 || !old)
				fail_msg("login at %ld failed but stored something",
				    n);
		}
		fx_check("login", false);
		/* space is back: the next login works */
		if (login_carol(&err) != 0)
			fail_msg("login after %ld: %s", n, err.msg);
		auth_off();
	}
	print_message("    %ld write points: %ld logins refused (disk full), %ld "
	    "went on with the old hash\n", events, failed, kept);
	if (failed == 0 || kept == 0)
		fail_msg("the sweep missed a case (refused %ld, kept %ld)",
		    failed, kept);
}

/* Every kind of call was there to fail in some run (the reads of the
 * first test, and so on). */
static void
test_every_kind_hit(void **state)
{
	(void)state;
	for (int k = 0; k < FV_NKINDS; k++) {
		print_message("    %-10s %6ld calls in the clean runs\n",
		    fv_names[k], FV.total[k]);
		if (FV.total[k] == 0)
			fail_msg("no %s in any sweep: the faults never hit it",
			    fv_names[k]);
	}
}

static int
group_setup(void **state)
{
	fv_install();
	return fx_group_setup(state);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_read_faults, fx_test_setup),
		cmocka_unit_test_setup(test_write_faults, fx_test_setup),
		cmocka_unit_test_setup(test_disk_full, fx_test_setup),
		cmocka_unit_test_setup(test_sync_truncate_faults, fx_test_setup),
		cmocka_unit_test_setup(test_every_kind_hit, fx_test_setup),
		cmocka_unit_test_setup(test_lost_transaction, fx_test_setup),
		cmocka_unit_test_setup(test_login_full_disk, fx_test_setup),
	};

	return fx_main(tests, sizeof(tests) / sizeof(tests[0]), group_setup,
	    4, 1);
}
