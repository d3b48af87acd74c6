/* The plumbing import and export jobs share (jobs.h). */
#include "jobs.h"
#include "rpc.h"
#include "spendd.h"
#include "worker.h"

int
jobs_check(struct spendd *sd, struct spend_err *err)
{
	if (sd->stopping)
		return spend_errf(err, SPEND_EUNAVAIL, "", "spendd is shutting "
		    "down");
	if (sd->workers == NULL)
		return spend_errf(err, SPEND_EUNAVAIL, "", "no worker threads");
	return 0;
}

int
jobs_submit(struct spendd *sd, void (*fn)(void *), void (*done)(void *),
    void *arg, struct spend_err *err)
{
	if (worker_submit(sd->workers, fn, done, arg) < 0)
		return spend_errf(err, SPEND_EUNAVAIL, "", "spendd is shutting "
		    "down");
	return 0;
}

void
jobs_rpc_done(json_t *result, const struct spend_err *err, void *arg)
{
	rpc_complete(arg, result ? json_incref(result) : NULL, err);
}
