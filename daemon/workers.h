/*
 * The worker pool behind jobs.h: threads taking jobs from one queue per
 * kind, within each kind's limit, by priority. Submit through
 * jobs_submit(); this header is for start-up, shutdown, status and the
 * job system itself.
 */
#ifndef SPEND_WORKERS_H
#define SPEND_WORKERS_H

#include <stdbool.h>
#include <stdint.h>

#include "jobs.h"

struct spendd;
struct workers;

/* Turn on libevent's thread support. Call it once, before the first
 * event_base is created: a base made earlier has no lock, and the
 * workers' completions (event_active from their threads) would race the
 * loop. */
int workers_threads_init(void);
/* Start n threads and set sd->workers. Completions are delivered on
 * sd->base's loop (created after workers_threads_init()); threads open
 * their store connections (jobs_store) on sd->cfg.db_path. */
int workers_start(struct spendd *sd, int n);
/* Set every job's cancel flag, queued and running, and of jobs
 * submitted from now on (jobs_cancelled()). */
void workers_cancel(struct workers *w);
/* Let queued and running jobs finish, deliver their completions, join,
 * close the threads' store connections. */
void workers_stop(struct workers *w);
/* Jobs submitted and not yet done, of every kind. */
int workers_busy(struct workers *w);
int workers_threads(struct workers *w);

struct job_stats {
	int limit;	/* running at once, at most */
	int cap;	/* jobs_full() from this many on; 0 = no cap */
	int busy;	/* running fn now */
	int queued;	/* waiting for a thread */
	int64_t done;	/* fn finished, since start */
};
void workers_stats(struct workers *w, enum job_kind kind,
    struct job_stats *out);
/* How long an idle thread sleeps before it looks at the queues anyway
 * (ms; 0: until woken). For the tests of the wakeups themselves. */
void workers_set_rescue(struct workers *w, int ms);

/* ---- the job system's (jobs.c) ---- */
/* Queue job (allocated by the caller, freed by the pool after done).
 * -1 if the pool is stopping. */
int workers_submit(struct workers *w, struct job *job);
bool workers_full(struct workers *w, enum job_kind kind);
/* The store connection of the thread running job. */
struct store *workers_store(struct worker_thread *t, struct spend_err *err);

#endif
