/*
 * report.run: a report plugin (include/spend/plugin.h) run on a REPORT
 * job for the acting user. The plugin reads its parameters as strings
 * (host->report_param) and the user's totals (host->report_totals,
 * host->report_cells: report_host.c) through report_run_sync, on the
 * worker's own store connection (jobs_store: kept from job to job, so a
 * report does not pay for opening the database) inside one read
 * transaction, and returns JSON, which is the method's result as it is.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "handlers.h"
#include "jobs.h"
#include "jsonp.h"
#include "log.h"
#include "plugin.h"
#include "report.h"
#include "report_job.h"
#include "spendd.h"
#include "util.h"
#include "xmalloc.h"

#define REPORT_MAX_PARAMS 32
#define REPORT_KEY_MAX 64
#define REPORT_VALUE_MAX 1024

struct report_run {
	struct rpc_call *c;
	struct spendd *sd;
	struct user user;
	char name[PLUGIN_NAME_MAX + 1];
	json_t *params;		/* every param but name */
	json_t *result;
	int rc;
	struct spend_err err;
};

/* Worker thread. */
static void
run(struct job *job, void *arg)
{
	struct report_run *r = arg;
	struct store *st;

	spend_err_clear(&r->err);
	if (jobs_cancelled(job))	/* queued when spendd began to stop */
		r->rc = spend_errf(&r->err, SPEND_EUNAVAIL, "", "spendd is "
		    "shutting down");
	else if ((st = jobs_store(job, &r->err)) == NULL)
		r->rc = r->err.code ? r->err.code : SPEND_ESTORE;
	else
		r->rc = report_run_sync(r->sd, st, &r->user, r->name,
		    r->params, &r->result, &r->err);
}

/* Event loop. */
static void
done(struct job *job, void *arg)
{
	struct report_run *r = arg;

	if (r->rc == 0)
		log_debug("report: %s for %s", r->name, r->user.name);
	else
		log_info("report: %s for %s failed: %s", r->name, r->user.name,
		    r->err.msg);
	/* rpc_complete steals the result */
	rpc_complete(r->c, r->rc == 0 ? r->result : NULL, &r->err);
	if (r->rc != 0)
		json_decref(r->result);
	json_decref(r->params);
	free(r);
}

/* The plugin's params: every key but name, each a string, an integer or
 * a boolean (the plugin gets "12", "yes"). A new object, or NULL. */
static json_t *
plugin_params(json_t *p, struct spend_err *err)
{
	json_t *out = json_object(), *v;
	const char *k;

	json_object_foreach(p, k, v) {
		if (!strcmp(k, "name"))
			continue;
		if (json_object_size(out) == REPORT_MAX_PARAMS) {
			spend_errf(err, SPEND_EINVAL, k, "a report takes at most "
			    "%d parameters", REPORT_MAX_PARAMS);
			goto bad;
		}
		if (*k == '\0' || strlen(k) > REPORT_KEY_MAX ||
		    !text_clean(k, NULL)) {
			spend_errf(err, SPEND_EINVAL, "", "report parameter names "
			    "are 1..%d printable characters", REPORT_KEY_MAX);
			goto bad;
		}
		if (json_is_string(v)) {
			if (json_string_length(v) > REPORT_VALUE_MAX ||
			    !text_clean(json_string_value(v), NULL)) {
				spend_errf(err, SPEND_EINVAL, k, "%s: at most %d "
				    "printable characters", k, REPORT_VALUE_MAX);
				goto bad;
			}
		} else if (!json_is_integer(v) && !json_is_boolean(v)) {
			spend_errf(err, SPEND_EINVAL, k, "%s must be a string, "
			    "an integer or a boolean", k);
			goto bad;
		}
		json_object_set(out, k, v);
	}
	return out;
bad:
	json_decref(out);
	return NULL;
}

int
h_report_run(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct report_run *r;
	char name[PLUGIN_NAME_MAX + 1];
	json_t *params;
	int rc;

	if (jp_str(p, "name", true, name, sizeof(name), NULL, NULL, err) < 0)
		return SPEND_EINVAL;
	if (plugins_report(c->sd, name, NULL) == NULL)
		return plugins_unknown(c->sd, "report", name, "name", err);
	if ((params = plugin_params(p, err)) == NULL)
		return SPEND_EINVAL;
	if ((rc = jobs_check(c->sd, err)) < 0)
		goto fail;
	if (jobs_full(c->sd, JOB_REPORT)) {
		if (c->out_meta == NULL)
			c->out_meta = json_object();
		json_object_set_new(c->out_meta, "retry_after", json_integer(1));
		rc = spend_errf(err, SPEND_ERATELIMIT, "", "too many reports "
		    "queued; try again shortly");
		goto fail;
	}
	r = xcalloc(1, sizeof(*r));
	r->c = c;
	r->sd = c->sd;
	r->user = c->user;
	strlcpy(r->name, name, sizeof(r->name));
	r->params = params;
	if ((rc = jobs_submit(c->sd, JOB_REPORT, run, done, r, err)) < 0) {
		free(r);
		goto fail;
	}
	return RPC_PENDING;
fail:
	json_decref(params);
	return rc;
}

/* ---- the report plugins' host API and runs (export.c has the totals) ---- */

const char *
report_api_param(struct spend_report_job *job, const char *key)
{
	return key ? json_string_value(json_object_get(job->params, key)) :
	    NULL;
}

int
report_api_totals(struct spend_report_job *job, const char *from,
    const char *to, enum spend_group group,
    int (*cb)(void *, const struct spend_total *), void *arg)
{
	struct expense_filter f;
	struct spend_err err;
	int r;

	if (job->failed || cb == NULL)
		return -1;
	memset(&f, 0, sizeof(f));
	if ((from && *from && !date_valid(from)) ||
	    (to && *to && !date_valid(to)) || !export_group_ok(group)) {
		report_api_error(job, "report_totals: bad period or group");
		return -1;
	}
	if (from)
		strlcpy(f.from, from, sizeof(f.from));
	if (to)
		strlcpy(f.to, to, sizeof(f.to));
	r = export_totals(job->st, job->user.id, &f, group, cb, arg, &err);
	if (r < 0) {
		report_api_error(job, "%s", err.msg);
		return -1;
	}
	return r ? -1 : 0;
}

void
report_api_error(struct spend_report_job *job, const char *fmt, ...)
{
	va_list ap;

	if (job->failed)
		return;
	job->failed = true;
	va_start(ap, fmt);
	vsnprintf(job->msg, sizeof(job->msg), fmt, ap);
	va_end(ap);
	if (!utf8_valid(job->msg, strlen(job->msg)))
		strlcpy(job->msg, "(message not valid UTF-8)", sizeof(job->msg));
}

int
report_run_sync(struct spendd *sd, struct store *st, const struct user *u,
    const char *name, json_t *params, json_t **result, struct spend_err *err)
{
	const struct spend_report *vt;
	struct spend_report_job job;
	struct spend_plugin *self;
	json_error_t jerr;
	const char *k;
	json_t *v;
	char *text;
	int r;

	*result = NULL;
	if ((vt = plugins_report(sd, name, &self)) == NULL)
		return plugins_unknown(sd, "report", name, "name", err);
	memset(&job, 0, sizeof(job));
	job.sd = sd;
	job.user = *u;
	job.params = json_object();
	json_object_foreach(params, k, v) {
		char num[32];

		if (json_is_string(v))
			json_object_set(job.params, k, v);
		else if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%lld",
			    (long long)json_integer_value(v));
			json_object_set_new(job.params, k, json_string(num));
		} else if (json_is_boolean(v))
			json_object_set_new(job.params, k,
			    json_string(json_is_true(v) ? "yes" : "no"));
	}
	job.st = st;
	if ((r = store_read_begin(job.st, err)) < 0)
		goto out;
	text = vt->run(self, &job);
	store_rollback(job.st);
	if (text == NULL) {
		r = spend_errf(err, SPEND_EINVAL, job.failed ? job.field : "",
		    "report %s: %s", name, job.failed ? job.msg :
		    "failed without saying why");
		goto out;
	}
	*result = json_loads(text, JSON_DECODE_ANY, &jerr);
	free(text);
	if (*result == NULL)
		r = spend_errf(err, SPEND_EINTERNAL, "", "report %s returned "
		    "invalid JSON: %s", name, jerr.text);
out:
	report_job_release(&job);
	json_decref(job.params);
	return r;
}
