/*
 * What import and export jobs share around their own work: the checks
 * before a start, handing the job to the worker pool, and the done
 * callback of jobs started by an RPC call. Event loop thread only.
 */
#ifndef SPEND_JOBS_H
#define SPEND_JOBS_H

#include <jansson.h>

#include "err.h"

struct spendd;

/* 0 if a job may start now, or SPEND_EUNAVAIL with err filled
 * ("spendd is shutting down", "no worker threads"). */
int jobs_check(struct spendd *sd, struct spend_err *err);

/* worker_submit(fn, done, arg): 0, or SPEND_EUNAVAIL with err filled if
 * the pool is stopping (done is then never called; arg is still the
 * caller's to free). */
int jobs_submit(struct spendd *sd, void (*fn)(void *), void (*done)(void *),
    void *arg, struct spend_err *err);

/* An import_done_fn / export_done_fn whose arg is the struct rpc_call
 * to complete (a new reference to result, or err). */
void jobs_rpc_done(json_t *result, const struct spend_err *err, void *arg);

#endif
