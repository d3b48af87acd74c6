/*
 * The worker pool: n threads, one queue per job kind. fn runs on a
 * thread, done back on the event loop (jobs.h).
 *
 * With two threads or more, H = n / 4 of them (at least 1) hash
 * passwords and do nothing else; the other G = n - H take every other
 * kind. Hashing threads run nicer than the rest (WORKER_NICE +
 * HASH_NICE): a storm of logins is CPU-bound Argon2, and left equal it
 * took the CPU from the reads behind every list (a list's p99 went from
 * 17 ms to 1.7 s under four looping logins on two cores). Now a storm
 * slows logins, and queued ones get a 429, not everyone else.
 *
 * A free general thread takes the oldest job of the most urgent kind
 * that is under its limit. The limits (L = G - 1, at least 1):
 *
 *	kind      class  runs at once   queue cap
 *	password  0      H              4n + 4
 *	read      1      L              16n
 *	write     1      1              -
 *	import    2      1              -        (long kinds, L in all)
 *	export    2      L - 1 (>= 1)   -
 *	report    2      L - 1 (>= 1)   4n
 *	backup    2      1              -
 *
 * Why: the long kinds (class 2) together hold at most L threads, so with
 * two general threads or more one is always free for a read or a write;
 * password checks have threads of their own — two large exports never
 * stall a login. Reads are held to L too, so a flood of reads cannot
 * keep a queued export from ever starting. One write at a time: SQLite
 * has one writer, a second would only wait for the lock. One import
 * (import.c also refuses a second) and one backup; exports and reports
 * leave a long slot for the others, so an import or backup is not stuck
 * behind a row of exports. Within a class the oldest job goes first,
 * whatever its kind. Queue caps are for jobs_full(): past 4n + 4 queued
 * password checks a login is refused at once (429) rather than queued
 * for seconds. With one thread (workers = 1) it does everything.
 */
#include <sys/resource.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "spendd.h"
#include "store.h"
#include "util.h"
#include "workers.h"

#define WORKER_NICE	5	/* the workers run this much nicer than the loop */
#define HASH_NICE	5	/* and hashing threads this much nicer again */
/*
 * An idle thread looks at the queues at least this often (ms), woken or
 * not. The wakeups are exact (one signal per job that can start), but
 * glibc before 2.41 can lose a pthread_cond_signal (sourceware BZ 25847;
 * Debian 12 has 2.36): without this a job could wait for the next
 * submit, on a quiet server for ever. Four idle threads cost four
 * wakeups a second.
 */
#define RESCUE_MS	1000

static const struct {
	int class;		/* 0 first */
	bool is_long;
} kinds[JOB_NKINDS] = {
	[JOB_PASSWORD] = { 0, false },
	[JOB_READ] = { 1, false },
	[JOB_WRITE] = { 1, false },
	[JOB_IMPORT] = { 2, true },
	[JOB_EXPORT] = { 2, true },
	[JOB_REPORT] = { 2, true },
	[JOB_BACKUP] = { 2, true },
};

struct worker_thread {
	struct workers *w;
	pthread_t tid;
	bool hashes;			/* password jobs only, and nicer */
	struct store *st;		/* its own connection, or NULL */
	struct job *job;		/* running now (locked) */
};

struct kindq {
	struct job *head, *tail;
	int limit, cap;
	int queued, busy;
	int pending;			/* submitted, done not yet run */
	int64_t done;
};

/* The two roles a thread can have; each waits on its own condition, so
 * a job wakes one thread that can run it, not every thread. */
enum { ROLE_GENERAL, ROLE_HASH, NROLES };

struct workers {
	pthread_mutex_t mtx;
	pthread_cond_t cond[NROLES];
	struct kindq q[JOB_NKINDS];
	int long_busy, long_limit;
	int hashers;			/* threads for password jobs only */
	uint64_t seq;
	struct job *finished;		/* waiting for the loop (LIFO) */
	struct worker_thread *threads;
	int n;
	bool stopping, cancelled;
	int rescue_ms;			/* RESCUE_MS; 0 in some tests */
	struct event *ev;		/* fires on the loop to run dones */
	char db_path[PATH_MAX];
	int store_flags;
};

static void
set_limits(struct workers *w, int n)
{
	int h = n > 1 ? (n / 4 > 1 ? n / 4 : 1) : 0;
	int g = n - h;
	int lng = g > 1 ? g - 1 : 1;

	w->hashers = h;
	w->long_limit = lng;
	for (int k = 0; k < JOB_NKINDS; k++) {
		w->q[k].limit = 1;
		w->q[k].cap = 0;
	}
	w->q[JOB_PASSWORD].limit = h > 0 ? h : n;
	w->q[JOB_PASSWORD].cap = 4 * n + 4;
	w->q[JOB_READ].limit = lng;
	w->q[JOB_READ].cap = 16 * n;
	w->q[JOB_EXPORT].limit = lng > 1 ? lng - 1 : 1;
	w->q[JOB_REPORT].limit = lng > 1 ? lng - 1 : 1;
	w->q[JOB_REPORT].cap = 4 * n;
}

/* Whether thread t (NULL: any thread) may start a job of kind k now */
static bool
runnable(struct workers *w, const struct worker_thread *t, int k)
{
	if (w->hashers > 0 && t != NULL && t->hashes != (k == JOB_PASSWORD))
		return false;
	return w->q[k].head != NULL && w->q[k].busy < w->q[k].limit &&
	    (!kinds[k].is_long || w->long_busy < w->long_limit);
}

/* The next job to run, or NULL: locked. */
static struct job *
take(struct workers *w, const struct worker_thread *t)
{
	int best = -1;
	struct kindq *q;
	struct job *j;

	for (int k = 0; k < JOB_NKINDS; k++) {
		if (!runnable(w, t, k))
			continue;
		if (best < 0 || kinds[k].class < kinds[best].class ||
		    (kinds[k].class == kinds[best].class &&
		    w->q[k].head->seq < w->q[best].head->seq))
			best = k;
	}
	if (best < 0)
		return NULL;
	q = &w->q[best];
	j = q->head;
	if ((q->head = j->next) == NULL)
		q->tail = NULL;
	j->next = NULL;
	q->queued--;
	q->busy++;
	if (kinds[best].is_long)
		w->long_busy++;
	return j;
}

/* The role of the threads that run kind k. */
static int
role_of(const struct workers *w, int k)
{
	return w->hashers > 0 && k == JOB_PASSWORD ? ROLE_HASH : ROLE_GENERAL;
}

static bool
any_queued(struct workers *w)
{
	for (int k = 0; k < JOB_NKINDS; k++)
		if (w->q[k].head)
			return true;
	return false;
}

static void
wake_all(struct workers *w)
{
	for (int i = 0; i < NROLES; i++)
		pthread_cond_broadcast(&w->cond[i]);
}

static void
run_dones(evutil_socket_t fd, short what, void *arg)
{
	struct workers *w = arg;
	struct job *list, *j, *rev = NULL;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&w->mtx);
	list = w->finished;
	w->finished = NULL;
	pthread_mutex_unlock(&w->mtx);
	/* finished is LIFO: reverse to deliver in completion order */
	while (list) {
		j = list->next;
		list->next = rev;
		rev = list;
		list = j;
	}
	while (rev) {
		j = rev->next;
		if (rev->done)
			rev->done(rev, rev->arg);
		pthread_mutex_lock(&w->mtx);
		w->q[rev->kind].pending--;
		pthread_mutex_unlock(&w->mtx);
		free(rev);
		rev = j;
	}
}

/* Sleep until woken, or at most w->rescue_ms: locked. */
static void
idle_wait(struct workers *w, int role)
{
	struct timespec ts;

	if (w->rescue_ms <= 0) {
		pthread_cond_wait(&w->cond[role], &w->mtx);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += w->rescue_ms / 1000;
	ts.tv_nsec += (long)(w->rescue_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&w->cond[role], &w->mtx, &ts);
}

static void *
worker_main(void *arg)
{
	struct worker_thread *t = arg;
	struct workers *w = t->w;
	struct job *j;
	int nice, role = t->hashes ? ROLE_HASH : ROLE_GENERAL;

	/* Below the event loop: a storm of Argon2 checks or a long export
	 * must not take the CPU from the thread that answers every request.
	 * (On Linux a thread has its own nice value, set through its tid.) */
	errno = 0;
	nice = getpriority(PRIO_PROCESS, 0);
	nice += WORKER_NICE + (t->hashes ? HASH_NICE : 0);
	if (errno == 0 && setpriority(PRIO_PROCESS, (id_t)gettid(),
	    nice > 19 ? 19 : nice) < 0)
		log_debug("workers: nice: %s", strerror(errno));

	for (;;) {
		pthread_mutex_lock(&w->mtx);
		while ((j = take(w, t)) == NULL && !(w->stopping &&
		    !any_queued(w)))
			idle_wait(w, role);
		t->job = j;
		/* stopping, and the last queued job taken: the threads that
		 * wait for one of theirs are done */
		if (w->stopping && !any_queued(w))
			wake_all(w);
		pthread_mutex_unlock(&w->mtx);
		if (j == NULL)
			break;

		j->thread = t;
		j->fn(j, j->arg);
		j->thread = NULL;
		if (t->st && store_in_tx(t->st)) {
			log_warnx("workers: a %s job left a transaction open; "
			    "rolled back", jobs_kind_name(j->kind));
			while (store_in_tx(t->st))
				store_rollback(t->st);
		}

		pthread_mutex_lock(&w->mtx);
		t->job = NULL;
		w->q[j->kind].busy--;
		w->q[j->kind].done++;
		if (kinds[j->kind].is_long)
			w->long_busy--;
		j->next = w->finished;
		w->finished = j;
		/* A slot opened, so a job held by its limit may run now: this
		 * thread takes it itself, next time round. No other is woken:
		 * a finish frees one job at most, and anything startable
		 * before it had a thread woken at its submit. */
		pthread_mutex_unlock(&w->mtx);
		event_active(w->ev, EV_READ, 0);
	}
	store_close(t->st);
	t->st = NULL;
	return NULL;
}

struct store *
workers_store(struct worker_thread *t, struct spend_err *err)
{
	if (t->st == NULL && store_open(t->w->db_path, STORE_SECONDARY |
	    t->w->store_flags, &t->st, err) < 0) {
		t->st = NULL;
		return NULL;
	}
	return t->st;
}

/* Process-wide: evthread_use_pthreads() sets libevent's global locking
 * once, for every event base made after it. */
static bool threads_on;

int
workers_threads_init(void)
{
	if (!threads_on && evthread_use_pthreads() < 0)
		return -1;
	threads_on = true;
	return 0;
}

int
workers_start(struct spendd *sd, int n)
{
	struct workers *w;

	if (!threads_on) {
		log_warnx("workers: thread support was not set up before the "
		    "event base was created");
		return -1;
	}
	if (n < 1 || (w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	pthread_mutex_init(&w->mtx, NULL);
	{
		pthread_condattr_t ca;

		/* timed waits on the monotonic clock: a jump of the wall
		 * clock does not stretch them */
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		for (int i = 0; i < NROLES; i++)
			pthread_cond_init(&w->cond[i], &ca);
		pthread_condattr_destroy(&ca);
	}
	w->rescue_ms = RESCUE_MS;
	set_limits(w, n);
	strlcpy(w->db_path, sd->cfg.db_path, sizeof(w->db_path));
	w->store_flags = spendd_store_flags(sd);
	if ((w->ev = event_new(sd->base, -1, 0, run_dones, w)) == NULL ||
	    evthread_make_base_notifiable(sd->base) < 0 ||
	    (w->threads = calloc((size_t)n, sizeof(*w->threads))) == NULL) {
		if (w->ev)
			event_free(w->ev);
		pthread_mutex_destroy(&w->mtx);
		for (int i = 0; i < NROLES; i++)
			pthread_cond_destroy(&w->cond[i]);
		free(w);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		w->threads[i].w = w;
		w->threads[i].hashes = i < w->hashers;
		if (pthread_create(&w->threads[i].tid, NULL, worker_main,
		    &w->threads[i]) != 0)
			fatalx("workers: cannot start thread %d", i);
		w->n++;
	}
	sd->workers = w;
	return 0;
}

int
workers_submit(struct workers *w, struct job *j)
{
	struct kindq *q = &w->q[j->kind];

	j->next = NULL;
	j->thread = NULL;
	pthread_mutex_lock(&w->mtx);
	if (w->stopping) {
		pthread_mutex_unlock(&w->mtx);
		return -1;
	}
	if (w->cancelled)
		atomic_store(&j->cancel, true);
	j->seq = ++w->seq;
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
	q->queued++;
	q->pending++;
	/* one thread of the role that runs it, if it can start now (if
	 * not, a finishing thread takes it) */
	if (runnable(w, NULL, j->kind))
		pthread_cond_signal(&w->cond[role_of(w, j->kind)]);
	pthread_mutex_unlock(&w->mtx);
	return 0;
}

bool
workers_full(struct workers *w, enum job_kind kind)
{
	bool full;

	pthread_mutex_lock(&w->mtx);
	full = w->q[kind].cap > 0 && w->q[kind].pending >= w->q[kind].cap;
	pthread_mutex_unlock(&w->mtx);
	return full;
}

void
workers_cancel(struct workers *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mtx);
	w->cancelled = true;	/* and the jobs submitted from now on */
	for (int k = 0; k < JOB_NKINDS; k++)
		for (struct job *j = w->q[k].head; j; j = j->next)
			atomic_store(&j->cancel, true);
	for (int i = 0; i < w->n; i++)
		if (w->threads[i].job)
			atomic_store(&w->threads[i].job->cancel, true);
	pthread_mutex_unlock(&w->mtx);
}

int
workers_busy(struct workers *w)
{
	int n = 0;

	pthread_mutex_lock(&w->mtx);
	for (int k = 0; k < JOB_NKINDS; k++)
		n += w->q[k].pending;
	pthread_mutex_unlock(&w->mtx);
	return n;
}

int
workers_threads(struct workers *w)
{
	return w->n;
}

void
workers_stats(struct workers *w, enum job_kind kind, struct job_stats *out)
{
	pthread_mutex_lock(&w->mtx);
	out->limit = w->q[kind].limit;
	out->cap = w->q[kind].cap;
	out->busy = w->q[kind].busy;
	out->queued = w->q[kind].queued;
	out->done = w->q[kind].done;
	pthread_mutex_unlock(&w->mtx);
}

void
workers_set_rescue(struct workers *w, int ms)
{
	pthread_mutex_lock(&w->mtx);
	w->rescue_ms = ms;
	wake_all(w);	/* the waits under way take it up now */
	pthread_mutex_unlock(&w->mtx);
}

void
workers_stop(struct workers *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mtx);
	w->stopping = true;
	wake_all(w);
	pthread_mutex_unlock(&w->mtx);
	for (int i = 0; i < w->n; i++)
		pthread_join(w->threads[i].tid, NULL);
	run_dones(-1, 0, w);	/* deliver what finished last */
	event_free(w->ev);
	pthread_mutex_destroy(&w->mtx);
	for (int i = 0; i < NROLES; i++)
		pthread_cond_destroy(&w->cond[i]);
	free(w->threads);
	free(w);
}
