/* jobs.c and workers.c: inline mode, priorities, per-kind limits, a
 * password job while the long kinds fill their limit, queue caps, cancel
 * at shutdown, the threads' own store connections; report.run. */
#include <sys/resource.h>
#include <event2/event.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "domain.h"
#include "jobs.h"
#include "plugin.h"
#include "util.h"
#include "workers.h"

/* ---- a gate the test opens, and a log of what started ---- */

static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static bool gate_open;
static int started, nlog;
static int order[64];

struct tj {
	int id;
	bool block;		/* wait for the gate */
	bool until_cancel;	/* spin until jobs_cancelled (at most 10 s) */
	bool want_store;	/* call jobs_store() */
	bool saw_cancel;	/* jobs_cancelled() when fn started / ended */
	bool done;
	enum job_kind kind;
	struct store *st;	/* jobs_store() */
	bool tx_left;		/* the store was in a transaction at start */
	int nice;		/* the thread's nice value when fn ran */
	struct spend_err err;
};

static void
reset(void)
{
	pthread_mutex_lock(&mtx);
	gate_open = false;
	started = nlog = 0;
	pthread_mutex_unlock(&mtx);
}

static void
open_gate(void)
{
	pthread_mutex_lock(&mtx);
	gate_open = true;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&mtx);
}

/* Wait (off the loop) until n fns have started. */
static void
wait_started(int n)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	pthread_mutex_lock(&mtx);
	while (started < n)
		if (pthread_cond_timedwait(&cond, &mtx, &ts) != 0)
			break;
	pthread_mutex_unlock(&mtx);
	assert_true(started >= n);
}

static void
fn(struct job *job, void *arg)
{
	struct tj *t = arg;
	int64_t until = time_mono_ms() + 10000;

	t->kind = jobs_kind(job);
	t->nice = getpriority(PRIO_PROCESS, (id_t)gettid());
	if (t->want_store) {
		spend_err_clear(&t->err);
		t->st = jobs_store(job, &t->err);
		t->tx_left = t->st && store_in_tx(t->st);
		if (t->st && t->id == 99)	/* leave a transaction open */
			assert_int_equal(store_begin(t->st, &t->err), 0);
	}
	pthread_mutex_lock(&mtx);
	started++;
	if (nlog < (int)(sizeof(order) / sizeof(order[0])))
		order[nlog++] = t->id;
	pthread_cond_broadcast(&cond);
	while (t->block && !gate_open)
		pthread_cond_wait(&cond, &mtx);
	pthread_mutex_unlock(&mtx);
	while (t->until_cancel && !jobs_cancelled(job) &&
	    time_mono_ms() < until)
		usleep(1000);
	t->saw_cancel = jobs_cancelled(job);
}

static void
done(struct job *job, void *arg)
{
	struct tj *t = arg;

	(void)job;
	t->done = true;
}

static void
submit(struct spendd *sd, enum job_kind k, struct tj *t)
{
	struct spend_err err;

	assert_int_equal(jobs_submit(sd, k, fn, done, t, &err), 0);
}

/* Run the loop until every job of ts is done. */
static void
drain(struct spendd *sd, struct tj *ts, int n)
{
	int64_t until = time_mono_ms() + 20000;

	for (int i = 0; i < n; i++)
		while (!ts[i].done) {
			assert_true(time_mono_ms() < until);
			event_base_loop(sd->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
			usleep(500);
		}
}

static void
stats(struct spendd *sd, enum job_kind k, int busy, int queued)
{
	struct job_stats st;

	workers_stats(sd->workers, k, &st);
	if (st.busy != busy || st.queued != queued)
		fail_msg("%s: busy %d queued %d, want %d %d", jobs_kind_name(k),
		    st.busy, st.queued, busy, queued);
}

/* ---- fixture: a database file, a loop, no pool yet ---- */

struct fx {
	char dir[64];
	struct spendd *sd;
	struct user alice;
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct spend_err err;

	strlcpy(fx->dir, "/tmp/spend-test-jobs.XXXXXX", sizeof(fx->dir));
	assert_non_null(mkdtemp(fx->dir));
	fx->sd = calloc(1, sizeof(*fx->sd));
	config_defaults(&fx->sd->cfg);
	snprintf(fx->sd->cfg.db_path, sizeof(fx->sd->cfg.db_path),
	    "%s/spend.db", fx->dir);
	if (store_open(fx->sd->cfg.db_path, STORE_CREATE, &fx->sd->store,
	    &err) < 0)
		fail_msg("store_open: %s", err.msg);
	strlcpy(fx->alice.name, "alice", sizeof(fx->alice.name));
	strlcpy(fx->alice.role, "user", sizeof(fx->alice.role));
	strlcpy(fx->alice.currency, "EUR", sizeof(fx->alice.currency));
	strlcpy(fx->alice.timezone, "UTC", sizeof(fx->alice.timezone));
	if (store_user_add(fx->sd->store, &fx->alice, NULL, &err) < 0)
		fail_msg("user: %s", err.msg);
	assert_int_equal(workers_threads_init(), 0);
	assert_non_null(fx->sd->base = event_base_new());
	reset();
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;
	char cmd[128];

	open_gate();
	workers_stop(fx->sd->workers);
	plugins_unload(fx->sd);
	store_close(fx->sd->store);
	event_base_free(fx->sd->base);
	config_free(&fx->sd->cfg);
	free(fx->sd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

/* ---- inline: no pool ---- */

static void
test_inline(void **state)
{
	struct fx *fx = *state;
	struct spendd *sd = fx->sd;
	struct tj t = { .id = 1, .want_store = true };
	int64_t before = jobs_submitted(sd, JOB_READ);

	assert_null(sd->workers);
	submit(sd, JOB_READ, &t);
	/* fn and done ran before jobs_submit returned, on this thread */
	assert_true(t.done);
	assert_int_equal(started, 1);
	assert_int_equal(t.kind, JOB_READ);
	assert_false(t.saw_cancel);
	assert_ptr_equal(t.st, sd->store);	/* the loop's connection */
	assert_int_equal(jobs_submitted(sd, JOB_READ), before + 1);
	assert_false(jobs_full(sd, JOB_PASSWORD));
	/* stopping: a job started now is cancelled from the start... */
	sd->stopping = true;
	memset(&t, 0, sizeof(t));
	submit(sd, JOB_REPORT, &t);
	assert_true(t.done);
	assert_true(t.saw_cancel);
	/* ...and jobs_check refuses new work */
	{
		struct spend_err err;

		assert_int_equal(jobs_check(sd, &err), SPEND_EUNAVAIL);
		assert_non_null(strstr(err.msg, "shutting down"));
	}
	sd->stopping = false;
}

/* ---- priorities: one thread, one job holding it, then the queue ---- */

static void
test_priorities(void **state)
{
	struct fx *fx = *state;
	struct spendd *sd = fx->sd;
	struct tj hold = { .id = 0, .block = true };
	struct tj t[6] = { { .id = 1 }, { .id = 2 }, { .id = 3 }, { .id = 4 },
	    { .id = 5 }, { .id = 6 } };
	/* submitted in this order; class 0 first, then 1, then 2, and in a
	 * class the oldest first whatever its kind */
	static const enum job_kind kinds[6] = { JOB_REPORT, JOB_EXPORT,
	    JOB_READ, JOB_PASSWORD, JOB_WRITE, JOB_IMPORT };
	static const int want[7] = { 0, 4, 3, 5, 1, 2, 6 };

	assert_int_equal(workers_start(sd, 1), 0);
	submit(sd, JOB_READ, &hold);
	wait_started(1);
	for (int i = 0; i < 6; i++)
		submit(sd, kinds[i], &t[i]);
	stats(sd, JOB_READ, 1, 1);
	stats(sd, JOB_PASSWORD, 0, 1);
	assert_int_equal(workers_busy(sd->workers), 7);
	open_gate();
	drain(sd, t, 6);
	drain(sd, &hold, 1);
	assert_int_equal(nlog, 7);
	for (int i = 0; i < 7; i++)
		if (order[i] != want[i])
			fail_msg("job %d ran as number %d, want %d", order[i], i,
			    want[i]);
	assert_int_equal(workers_busy(sd->workers), 0);
}

/* ---- limits: 4 threads = 1 hashing + 3 general; long kinds hold 2,
 * exports and reports 1 each ---- */

static void
test_limits(void **state)
{
	struct fx *fx = *state;
	struct spendd *sd = fx->sd;
	struct tj ex[4], im[2], bk, rd[3];
	struct job_stats st;

	memset(ex, 0, sizeof(ex));
	memset(im, 0, sizeof(im));
	memset(&bk, 0, sizeof(bk));
	memset(rd, 0, sizeof(rd));
	assert_int_equal(workers_start(sd, 4), 0);
	assert_int_equal(workers_threads(sd->workers), 4);
	for (int i = 0; i < 4; i++) {
		ex[i].block = true;
		submit(sd, JOB_EXPORT, &ex[i]);
	}
	wait_started(1);
	for (int i = 0; i < 2; i++) {
		im[i].block = true;
		submit(sd, JOB_IMPORT, &im[i]);
	}
	wait_started(2);
	bk.block = true;
	submit(sd, JOB_BACKUP, &bk);
	/* the third general thread is not for long jobs: reads take it; the
	 * hashing thread takes none of these */
	for (int i = 0; i < 3; i++) {
		rd[i].block = true;
		submit(sd, JOB_READ, &rd[i]);
	}
	wait_started(3);
	usleep(20000);		/* nothing else may start */
	assert_int_equal(started, 3);
	stats(sd, JOB_EXPORT, 1, 3);
	stats(sd, JOB_IMPORT, 1, 1);
	stats(sd, JOB_BACKUP, 0, 1);
	stats(sd, JOB_READ, 1, 2);
	workers_stats(sd->workers, JOB_EXPORT, &st);
	assert_int_equal(st.limit, 1);
	workers_stats(sd->workers, JOB_READ, &st);
	assert_int_equal(st.limit, 2);
	workers_stats(sd->workers, JOB_PASSWORD, &st);
	assert_int_equal(st.limit, 1);
	open_gate();
	drain(sd, ex, 4);
	drain(sd, im, 2);
	drain(sd, &bk, 1);
	drain(sd, rd, 3);
	workers_stats(sd->workers, JOB_EXPORT, &st);
	assert_int_equal(st.done, 4);
	assert_int_equal(st.busy + st.queued, 0);
}

/* ---- a submit wakes one thread of the role that runs it, and a
 * finishing thread takes what its slot held back: thousands of short
 * jobs of every kind from the loop, with the pool's sizes a server has,
 * all run (a lost wakeup leaves one queued, and drain times out; the
 * timed rescue is off) ---- */

static void
test_many_jobs(void **state)
{
	struct fx *fx = *state;
	struct spendd *sd = fx->sd;
	static const enum job_kind mix[] = { JOB_READ, JOB_READ, JOB_WRITE,
	    JOB_PASSWORD, JOB_READ, JOB_EXPORT, JOB_REPORT, JOB_IMPORT,
	    JOB_BACKUP, JOB_READ };
	static const int sizes[] = { 1, 2, 4, 8 };
	enum { N = 1500 };
	struct tj *t = calloc(N, sizeof(*t));

	assert_non_null(t);
	for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		struct job_stats st;
		int64_t want[JOB_NKINDS] = { 0 };

		assert_int_equal(workers_start(sd, sizes[z]), 0);
		/* no timed look at the queues: the wakeups alone must do */
		workers_set_rescue(sd->workers, 0);
		memset(t, 0, N * sizeof(*t));
		reset();
		for (int i = 0; i < N; i++) {
			enum job_kind k = mix[i % (sizeof(mix) / sizeof(mix[0]))];

			t[i].id = i;
			submit(sd, k, &t[i]);
			want[k]++;
			if (i % 97 == 0)	/* some land on idle threads */
				usleep(200);
		}
		drain(sd, t, N);
		for (int k = 0; k < JOB_NKINDS; k++) {
			workers_stats(sd->workers, (enum job_kind)k, &st);
			if (st.done != want[k] || st.busy || st.queued)
				fail_msg("%d threads, %s: done %lld of %lld, "
				    "busy %d, queued %d", sizes[z],
				    jobs_kind_name((enum job_kind)k),
				    (long long)st.done, (long long)want[k],
				    st.busy, st.queued);
		}
		assert_int_equal(workers_busy(sd->workers), 0);
		workers_stop(sd->workers);
		sd->workers = NULL;
	}
	free(t);
}

/* A stop while jobs wait behind their limits: every thread ends (the
 * ones with nothing of theirs queued too) and every job runs. */
static void
test_stop_with_queued(void **state)
{
	struct fx *fx = *state;
	struct spendd *sd = fx->sd;
	static struct tj ex[4], rd[6];

	memset(ex, 0, sizeof(ex));
	memset(rd, 0, sizeof(rd));
	assert_int_equal(workers_start(sd, 4), 0);
	workers_set_rescue(sd->workers, 0);
	for (int i = 0; i < 4; i++) {
		ex[i].block = true;
		submit(sd, JOB_EXPORT, &ex[i]);
	}
	for (int i = 0; i < 6; i++) {
		rd[i].block = true;
		submit(sd, JOB_READ, &rd[i]);
	}
	wait_started(3);	/* one export, two reads: the rest queued */
	open_gate();
	workers_stop(sd->workers);	/* joins: hangs if a thread sleeps on */
	sd->workers = NULL;
	for (int i = 0; i < 4; i++)
		assert_true(ex[i].done);
	for (int i = 0; i < 6; i++)
		assert_true(rd[i].done);
}

/* ---- a login storm: password checks hold their own thread, and never
 * the ones reads run on ---- */

static void
test_password_own_thread(void **state)
{
	struct fx *fx = *state;
	struct spendd *sd = fx->sd;
	struct tj pw[6], rd[2];

	memset(pw, 0, sizeof(pw));
	memset(rd, 0, sizeof(rd));
	assert_int_equal(workers_start(sd, 4), 0);
	for (int i = 0; i < 6; i++) {
		pw[i].block = true;
		pw[i].id = 10 + i;
		submit(sd, JOB_PASSWORD, &pw[i]);
	}
	wait_started(1);
	usleep(20000);
	assert_int_equal(started, 1);	/* one hashing thread of four */
	stats(sd, JOB_PASSWORD, 1, 5);
	for (int i = 0; i < 2; i++) {
		rd[i].id = 20 + i;
		submit(sd, JOB_READ, &rd[i]);
	}
	/* done while every password check still waits for the gate */
	drain(sd, rd, 2);
	for (int i = 0; i < 6; i++)
		assert_false(pw[i].done);
	open_gate();
	drain(sd, pw, 6);
	/* below the loop: the workers 5 nicer, the hashing thread 10 */
	errno = 0;
	int base = getpriority(PRIO_PROCESS, 0);

	assert_int_equal(errno, 0);
	for (int i = 0; i < 6; i++)
		assert_int_equal(pw[i].nice, base + 10 > 19 ? 19 : base + 10);
	for (int i = 0; i < 2; i++)
		assert_int_equal(rd[i].nice, base + 5 > 19 ? 19 : base + 5);
}

/* ---- the point: a password job runs while the long kinds are full ---- */

static void
test_password_not_behind_long_jobs(void **state)
{
	struct fx *fx = *state;
	struct spendd *sd = fx->sd;
	struct tj lng[6], pw[3];
	static const enum job_kind kinds[6] = { JOB_EXPORT, JOB_EXPORT,
	    JOB_IMPORT, JOB_REPORT, JOB_BACKUP, JOB_EXPORT };

	memset(lng, 0, sizeof(lng));
	memset(pw, 0, sizeof(pw));
	/* two threads, as the old default: one may run a long job */
	assert_int_equal(workers_start(sd, 2), 0);
	for (int i = 0; i < 6; i++) {
		lng[i].block = true;
		lng[i].id = 10 + i;
		submit(sd, kinds[i], &lng[i]);
	}
	wait_started(1);
	usleep(20000);
	assert_int_equal(started, 1);	/* the long limit is 1 */
	stats(sd, JOB_EXPORT, 1, 2);
	for (int i = 0; i < 3; i++) {
		pw[i].id = 20 + i;
		submit(sd, JOB_PASSWORD, &pw[i]);
	}
	/* done on the loop while every long job still waits for the gate */
	drain(sd, pw, 3);
	assert_int_equal(started, 4);
	for (int i = 0; i < 6; i++)
		assert_false(lng[i].done);
	stats(sd, JOB_EXPORT, 1, 2);
	open_gate();
	drain(sd, lng, 6);
}

/* ---- queue caps: logins are refused once 4n + 4 checks wait ---- */

static void
test_password_cap(void **state)
{
	struct fx *fx = *state;
	struct spendd *sd = fx->sd;
	struct tj t[8];
	struct job_stats st;

	memset(t, 0, sizeof(t));
	assert_int_equal(workers_start(sd, 1), 0);
	workers_stats(sd->workers, JOB_PASSWORD, &st);
	assert_int_equal(st.cap, 8);
	for (int i = 0; i < 8; i++) {
		assert_false(jobs_full(sd, JOB_PASSWORD));
		t[i].block = true;
		submit(sd, JOB_PASSWORD, &t[i]);
	}
	assert_true(jobs_full(sd, JOB_PASSWORD));
	assert_false(jobs_full(sd, JOB_EXPORT));	/* no cap */
	assert_false(jobs_full(sd, JOB_READ));	/* its own cap */
	open_gate();
	drain(sd, t, 8);
	assert_false(jobs_full(sd, JOB_PASSWORD));
}

/* ---- cancel at shutdown: running jobs see it, queued ones start
 * cancelled, every done still comes ---- */

static void
test_cancel_at_shutdown(void **state)
{
	struct fx *fx = *state;
	struct spendd *sd = fx->sd;
	struct tj run = { .id = 1, .until_cancel = true };
	struct tj queued = { .id = 2 }, later = { .id = 3 };
	int64_t t0;

	assert_int_equal(workers_start(sd, 1), 0);
	submit(sd, JOB_EXPORT, &run);
	wait_started(1);
	submit(sd, JOB_REPORT, &queued);
	t0 = time_mono_ms();
	workers_cancel(sd->workers);
	submit(sd, JOB_READ, &later);	/* born cancelled */
	workers_stop(sd->workers);	/* waits for them, runs the dones */
	sd->workers = NULL;
	assert_true(time_mono_ms() - t0 < 5000);
	assert_true(run.done && run.saw_cancel);
	assert_true(queued.done && queued.saw_cancel);
	assert_true(later.done && later.saw_cancel);
	assert_int_equal(started, 3);
}

/* ---- each thread's own connection ---- */

static void
test_thread_store(void **state)
{
	struct fx *fx = *state;
	struct spendd *sd = fx->sd;
	struct tj a = { .id = 99, .want_store = true };
	struct tj b = { .id = 2, .want_store = true };
	int64_t n = 0;
	struct spend_err err;

	assert_int_equal(workers_start(sd, 1), 0);
	submit(sd, JOB_WRITE, &a);	/* leaves a transaction open */
	drain(sd, &a, 1);
	submit(sd, JOB_READ, &b);
	drain(sd, &b, 1);
	assert_non_null(a.st);
	assert_ptr_equal(a.st, b.st);	/* the thread kept it */
	assert_ptr_not_equal(a.st, sd->store);
	assert_false(b.tx_left);	/* rolled back after job a */
	/* the loop can write: nothing holds the lock */
	assert_int_equal(store_user_count(sd->store, &n, &err), 0);
	assert_int_equal(n, 1);
}

/* ---- report.run ---- */

static const struct spend_host_api *H;

static int
sum_cb(void *arg, const struct spend_total *t)
{
	*(int64_t *)arg += t->sum_minor;
	return 0;
}

/* {"sum": N, "echo": the "x" param} */
static char *
sum_run(struct spend_plugin *self, struct spend_report_job *job)
{
	const char *x = H->report_param(job, "x");
	int64_t sum = 0;
	char *out = malloc(128);

	(void)self;
	if (x && !strcmp(x, "fail")) {
		H->report_error(job, "asked to fail");
		free(out);
		return NULL;
	}
	if (H->report_totals(job, "", "", SPEND_GROUP_MONTH, sum_cb, &sum) < 0) {
		free(out);
		return NULL;
	}
	snprintf(out, 128, "{\"sum\":%lld,\"echo\":\"%s\"}", (long long)sum,
	    x ? x : "");
	return out;
}

static int
init_test(const struct spend_host_api *host, struct spend_plugin *self)
{
	static const struct spend_report rep = { SPEND_REPORT_V1, "sum",
		"the sum of everything", sum_run };

	H = host;
	return host->register_report(self, &rep);
}

static void
test_report_run(void **state)
{
	struct fx *fx = *state;
	struct spendd *sd = fx->sd;
	struct rpc_identity id = { .role = ROLE_ADMIN, .socket_admin = true,
	    .transport = "test" };
	struct tu_reply r = { 0 };
	struct spend_err err;
	json_t *res, *p;

	assert_int_equal(plugins_add_static(sd, "test", init_test), 0);
	{
		struct write_tx w;

		assert_int_equal(write_begin(&w, sd->store, fx->alice.id, &err),
		    0);
		assert_int_equal(category_create_defaults(&w, &err), 0);
		assert_int_equal(write_commit(&w, &err), 0);
	}
	json_decref(tu_ok(sd, "alice", "expense.add",
	    "{\"amount\":\"12.50\",\"category\":\"food\"}"));
	json_decref(tu_ok(sd, "alice", "expense.add",
	    "{\"amount\":\"1\",\"category\":\"food\"}"));
	/* inline */
	res = tu_ok(sd, "alice", "report.run", "{\"name\":\"sum\",\"x\":7}");
	assert_int_equal(json_integer_value(json_object_get(res, "sum")), 1350);
	assert_string_equal(json_string_value(json_object_get(res, "echo")),
	    "7");
	json_decref(res);
	TU_FAILS(sd, "alice", "report.run", "{\"name\":\"nope\"}", SPEND_EINVAL,
	    "name", "nope");
	TU_FAILS(sd, "alice", "report.run", "{}", SPEND_EINVAL, "name",
	    "required");
	TU_FAILS(sd, "alice", "report.run", "{\"name\":\"sum\",\"x\":[1]}",
	    SPEND_EINVAL, "x", "string, an integer or a boolean");
	TU_FAILS(sd, "alice", "report.run", "{\"name\":\"sum\",\"x\":\"fail\"}",
	    SPEND_EINVAL, "", "asked to fail");
	/* on a worker: pending until the loop delivers it */
	assert_int_equal(workers_start(sd, 2), 0);
	p = json_pack("{s:s, s:s, s:b}", "user", "alice", "name", "sum", "x",
	    1);
	rpc_invoke(sd, &id, "report.run", p, tu_done, &r);
	json_decref(p);
	while (!r.done)
		event_base_loop(sd->base, EVLOOP_ONCE);
	assert_non_null(r.result);
	assert_int_equal(json_integer_value(json_object_get(r.result, "sum")),
	    1350);
	assert_string_equal(json_string_value(json_object_get(r.result,
	    "echo")), "yes");
	json_decref(r.result);
	assert_true(jobs_submitted(sd, JOB_REPORT) >= 2);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_inline),
		T(test_priorities),
		T(test_limits),
		T(test_many_jobs),
		T(test_stop_with_queued),
		T(test_password_not_behind_long_jobs),
		T(test_password_own_thread),
		T(test_password_cap),
		T(test_cancel_at_shutdown),
		T(test_thread_store),
		T(test_report_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
