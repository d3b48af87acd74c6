/*
 * Report plugins (include/spend/plugin.h): report.run (h_report_run) runs
 * one on a REPORT job for the acting user through report_run_sync.
 */
#ifndef SPEND_REPORT_H
#define SPEND_REPORT_H

#include <jansson.h>

#include "err.h"
#include "plugin.h"
#include "store.h"

struct spendd;

/*
 * Run report plugin name for user u with params (an object; values are
 * handed to the plugin as strings). *result: the report's JSON (new
 * reference). Runs on the calling thread, reading st (a worker's
 * connection, jobs_store(), outside a transaction) in one read
 * transaction: call it from a worker. Returns 0 or a negative SPEND_E*.
 */
int report_run_sync(struct spendd *sd, struct store *st,
    const struct user *u, const char *name, json_t *params,
    json_t **result, struct spend_err *err);

/* ---- the host API's report functions (plugin_host.c puts them in
 * the table; report_job.h has the rest): the job's own thread only ---- */
const char *report_api_param(struct spend_report_job *job, const char *key);
int report_api_totals(struct spend_report_job *job, const char *from,
    const char *to, enum spend_group group,
    int (*cb)(void *arg, const struct spend_total *t), void *arg);
void report_api_error(struct spend_report_job *job, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
