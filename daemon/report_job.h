/*
 * One report job (a report plugin's run): what export.c's report_run_sync
 * and report_host.c's host functions share. Lives on the worker thread
 * running the report, for the length of the run.
 */
#ifndef SPEND_REPORT_JOB_H
#define SPEND_REPORT_JOB_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "spend/plugin.h"
#include "err.h"
#include "store.h"
#include "util.h"

struct spendd;

struct report_name {
	int64_t id;
	char name[NAME_MAX_LEN + 1];
};

struct spend_report_job {
	struct spendd *sd;
	struct user user;
	struct store *st;		/* the worker's, in a read transaction */
	json_t *params;			/* object of strings */
	bool failed;
	char msg[SPEND_ERR_MSG_MAX];
	char field[64];			/* the parameter at fault, or "" */
	/* report_host.c, filled on first use: */
	char today[DATE_LEN + 1];
	struct report_name *names;	/* the user's categories, by id */
	size_t nnames;
	bool names_loaded;
};

/* Free what the host functions allocated (names). */
void report_job_release(struct spend_report_job *job);

/* ---- host API functions of report jobs (report_host.c; plugin.c puts
 * them in the table): the job's own thread only ---- */
const char *report_api_base_currency(struct spend_report_job *job);
const char *report_api_today(struct spend_report_job *job);
int report_api_params_only(struct spend_report_job *job,
    const char *const *known);
void report_api_error_field(struct spend_report_job *job, const char *field,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int report_api_cells(struct spend_report_job *job, const char *from,
    const char *to, enum spend_cells by,
    int (*cb)(void *arg, const struct spend_cell *c), void *arg);

#endif
