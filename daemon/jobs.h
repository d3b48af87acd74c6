/*
 * Jobs: work that must not run on the event loop (Argon2, imports,
 * exports, reports, backups, and reads and writes whose cost grows with
 * the data). One story for all of them:
 *
 *	jobs_submit(sd, JOB_EXPORT, fn, done, arg, err)
 *
 * fn(job, arg) runs once on a worker thread, then done(job, arg) once on
 * the event loop; arg is the caller's (the job system never frees it).
 * Each kind has its own queue, a limit on how many run at once and a
 * priority (workers.c has the table and the reasons): a password check
 * never waits behind an import, export, report or backup, because those
 * long kinds together never hold every thread.
 *
 * Cancelling (spendd is stopping) does not skip fn: fn always runs, then
 * done, so an owner always gets its job back. A job whose work can take
 * long polls jobs_cancelled() and stops early.
 *
 * Without a worker pool (sd->workers NULL: unit tests) jobs_submit runs
 * fn and then done on the calling thread before it returns; that decision
 * is made in jobs_submit and nowhere else. Callers must not touch arg
 * after a successful jobs_submit: done may already have freed it.
 */
#ifndef SPEND_JOBS_H
#define SPEND_JOBS_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct spendd;
struct store;
struct worker_thread;

/* In priority order within each class (workers.c). */
enum job_kind {
	JOB_PASSWORD,	/* an Argon2 hash or check: short, before all */
	JOB_READ,	/* lists with totals, search */
	JOB_WRITE,	/* a write that cascades (deletes) */
	JOB_IMPORT,	/* the long kinds: */
	JOB_EXPORT,
	JOB_REPORT,
	JOB_BACKUP,
	JOB_NKINDS
};

struct job;
typedef void (*job_fn)(struct job *job, void *arg);

/* The job system's own: callers use the functions below. */
struct job {
	struct job *next;		/* in its queue, or the finished list */
	enum job_kind kind;
	job_fn fn, done;
	void *arg;
	atomic_bool cancel;
	uint64_t seq;			/* submission order */
	struct worker_thread *thread;	/* running fn; NULL inline */
	struct store *st;		/* inline: the loop's connection */
};

/* "password", "read", ... (static). Here, not in jobs.c, so that the
 * pool (workers.c) names kinds without calling back into jobs.c. */
static inline const char *
jobs_kind_name(enum job_kind kind)
{
	static const char *const names[JOB_NKINDS] = {
		[JOB_PASSWORD] = "password",
		[JOB_READ] = "read",
		[JOB_WRITE] = "write",
		[JOB_IMPORT] = "import",
		[JOB_EXPORT] = "export",
		[JOB_REPORT] = "report",
		[JOB_BACKUP] = "backup",
	};

	return (unsigned)kind < JOB_NKINDS ? names[kind] : "?";
}

/* 0 if a job may start now, or SPEND_EUNAVAIL with err filled ("spendd
 * is shutting down"). Event loop thread. */
int jobs_check(struct spendd *sd, struct spend_err *err);

/* Submit a job (see the top). 0, or a negative SPEND_E* with err filled
 * (shutting down, a bad kind): then neither fn nor done is called and
 * arg is still the caller's. Never refuses for load: ask jobs_full()
 * first where a queue must stay short. Event loop thread. */
int jobs_submit(struct spendd *sd, enum job_kind kind, job_fn fn,
    job_fn done, void *arg, struct spend_err *err);

/* Jobs of kind submitted and not yet done reach the kind's queue cap:
 * refuse new work quickly rather than queue it for long (logins: 429
 * "password checks in progress"). Always false without a pool, and for
 * kinds without a cap. Event loop thread. */
bool jobs_full(struct spendd *sd, enum job_kind kind);

/* Jobs of kind submitted to sd since it started, inline ones too. */
int64_t jobs_submitted(struct spendd *sd, enum job_kind kind);

/* ---- inside fn (and done) ---- */

enum job_kind jobs_kind(const struct job *job);
/* spendd is stopping: fn should wrap up (any thread). */
bool jobs_cancelled(const struct job *job);
/*
 * A store connection fn may use for the length of the job: its worker
 * thread's own (STORE_SECONDARY, opened at the first use, kept for the
 * thread's next jobs, closed when the pool stops), or inline the event
 * loop's. Only from fn. A transaction fn leaves open is rolled back
 * after it (and logged). NULL with err filled if it cannot be opened.
 * For READ and WRITE jobs and reports (short reads); the other long
 * kinds hold their own connections.
 */
struct store *jobs_store(struct job *job, struct spend_err *err);


#endif
