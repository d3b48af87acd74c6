/* The front door of the job system (jobs.h); the pool is workers.c. */
#include <stdlib.h>

#include "jobs.h"
#include "spendd.h"
#include "workers.h"
#include "xmalloc.h"

int
jobs_check(struct spendd *sd, struct spend_err *err)
{
	if (sd->stopping)
		return spend_errf(err, SPEND_EUNAVAIL, "", "spendd is shutting "
		    "down");
	return 0;
}

int
jobs_submit(struct spendd *sd, enum job_kind kind, job_fn fn, job_fn done,
    void *arg, struct spend_err *err)
{
	struct job *j;

	if ((unsigned)kind >= JOB_NKINDS || fn == NULL)
		return spend_errf(err, SPEND_EINTERNAL, "", "bad job");
	atomic_fetch_add(&sd->jobs_submitted[kind], 1);
	if (sd->workers == NULL) {
		/* no pool (unit tests): here and now, on this thread */
		struct job inl = { .kind = kind, .fn = fn, .done = done,
		    .arg = arg, .st = sd->store };

		atomic_init(&inl.cancel, sd->stopping);
		fn(&inl, arg);
		if (done)
			done(&inl, arg);
		return 0;
	}
	j = xcalloc(1, sizeof(*j));
	j->kind = kind;
	j->fn = fn;
	j->done = done;
	j->arg = arg;
	atomic_init(&j->cancel, false);
	if (workers_submit(sd->workers, j) < 0) {
		free(j);
		return spend_errf(err, SPEND_EUNAVAIL, "", "spendd is shutting "
		    "down");
	}
	return 0;
}

bool
jobs_full(struct spendd *sd, enum job_kind kind)
{
	return sd->workers != NULL && (unsigned)kind < JOB_NKINDS &&
	    workers_full(sd->workers, kind);
}

int64_t
jobs_submitted(struct spendd *sd, enum job_kind kind)
{
	return (unsigned)kind < JOB_NKINDS ?
	    atomic_load(&sd->jobs_submitted[kind]) : 0;
}

enum job_kind
jobs_kind(const struct job *job)
{
	return job->kind;
}

bool
jobs_cancelled(const struct job *job)
{
	return atomic_load(&job->cancel);
}

struct store *
jobs_store(struct job *job, struct spend_err *err)
{
	if (job->thread == NULL) {
		if (job->st == NULL)
			spend_errf(err, SPEND_EINTERNAL, "", "jobs_store: not "
			    "inside a job");
		return job->st;
	}
	return workers_store(job->thread, err);
}
