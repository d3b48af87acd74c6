/*
 * Allocation failures under real store writes: sqlite's allocator is
 * replaced (sqlite3_shutdown, then SQLITE_CONFIG_MALLOC, which is why this
 * is a test binary of its own) by one that fails the Nth allocation, swept
 * over every operation of faults.h. See faults.h for what each run must
 * end in.
 * timeout: 900 (make check sweeps every 8th allocation, a different
 * eighth each run, in two processes; make soak every allocation: see
 * fx_main in faults.h)
 *
 * This test configures sqlite itself, so it includes sqlite3.h (tests of
 * the store may; nothing outside daemon/store/ else does).
 */
#include "faults.h"

static struct {
	sqlite3_mem_methods real;
	long count;		/* allocations since arm */
	long fail_at;		/* 0 = never */
} OM;

static bool
om_fail(void)
{
	OM.count++;
	return OM.fail_at != 0 && OM.count == OM.fail_at;
}

static void *
om_malloc(int n)
{
	return om_fail() ? NULL : OM.real.xMalloc(n);
}

static void *
om_realloc(void *p, int n)
{
	return om_fail() ? NULL : OM.real.xRealloc(p, n);
}

static void
om_free(void *p)
{
	OM.real.xFree(p);
}

static int
om_size(void *p)
{
	return OM.real.xSize(p);
}

static int
om_roundup(int n)
{
	return OM.real.xRoundup(n);
}

static int
om_init(void *arg)
{
	return OM.real.xInit(arg);
}

static void
om_shutdown(void *arg)
{
	OM.real.xShutdown(arg);
}

static void
om_install(void)
{
	static sqlite3_mem_methods m = { om_malloc, om_free, om_realloc,
		om_size, om_roundup, om_init, om_shutdown, NULL };

	assert_int_equal(sqlite3_shutdown(), SQLITE_OK);
	assert_int_equal(sqlite3_config(SQLITE_CONFIG_GETMALLOC, &OM.real),
	    SQLITE_OK);
	m.pAppData = OM.real.pAppData;
	assert_int_equal(sqlite3_config(SQLITE_CONFIG_MALLOC, &m), SQLITE_OK);
	assert_int_equal(sqlite3_initialize(), SQLITE_OK);
}

static void
om_arm(long n)
{
	OM.count = 0;
	OM.fail_at = n;
}

static long
om_disarm(void)
{
	OM.fail_at = 0;
	return OM.count;
}

static const struct injector inj_oom = { "Nth allocation fails", om_arm,
	om_disarm, SPEND_ENOMEM, "out of memory" };

static void
test_oom(void **state)
{
	(void)state;
	for (size_t i = 0; i < FX_NOPS; i++)
		fx_sweep(&fx_ops[i], &inj_oom);
	fx_sweep_close(&inj_oom);
}

static int
group_setup(void **state)
{
	om_install();
	return fx_group_setup(state);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_oom, fx_test_setup),
	};

	return fx_main(tests, 1, group_setup, 8, 2);
}
