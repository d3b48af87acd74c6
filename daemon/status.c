/* daemon.status, daemon.version, rpc.describe, currency.list */
#include <string.h>
#include <time.h>

#include "backup.h"
#include "handlers.h"
#include "jobs.h"
#include "jsonp.h"
#include "metrics.h"
#include "money.h"
#include "notify.h"
#include "rates_fetch.h"
#include "util.h"
#include "workers.h"

int
h_daemon_version(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	*res = jp_pack("{s:s, s:i, s:i}", "version", SPEND_VERSION,
	    "protocol", SPEND_PROTOCOL, "schema", STORE_SCHEMA_VERSION);
	return 0;
}

/* {"password": {"busy", "queued", "limit", "done"}, ...}: zeros
 * without a pool */
static json_t *
jobs_status(struct spendd *sd)
{
	json_t *o = json_object();

	for (int k = 0; k < JOB_NKINDS; k++) {
		struct job_stats st = { 0 };

		if (sd->workers)
			workers_stats(sd->workers, k, &st);
		json_object_set_new(o, jobs_kind_name(k), jp_pack("{s:i, s:i, "
		    "s:i, s:I}", "busy", st.busy, "queued", st.queued, "limit",
		    st.limit, "done", (json_int_t)st.done));
	}
	return o;
}

/* The counters of GET /metrics, at a glance (metrics.h) */
static void
metrics_status(struct spendd *sd, json_t *o)
{
	struct metrics_totals t;
	struct metrics_gauges g;
	char at[32];

	metrics_totals(sd->metrics, &t);
	metrics_gauges(sd, &g);
	json_object_set_new(o, "http_requests", jp_pack("{s:I, s:I, s:I}",
	    "total", (json_int_t)t.http_requests, "client_errors",
	    (json_int_t)t.http_4xx, "server_errors", (json_int_t)t.http_5xx));
	json_object_set_new(o, "rpc_calls", jp_pack("{s:I, s:I}", "total",
	    (json_int_t)t.rpc_calls, "errors", (json_int_t)t.rpc_errors));
	json_object_set_new(o, "logins", jp_pack("{s:I, s:I, s:I}", "ok",
	    (json_int_t)t.logins[ML_OK], "failed",
	    (json_int_t)t.logins[ML_FAILED], "limited",
	    (json_int_t)t.logins[ML_LIMITED]));
	json_object_set_new(o, "imports", jp_pack("{s:I, s:I, s:I}",
	    "started", (json_int_t)t.imports[MJ_STARTED], "ok",
	    (json_int_t)t.imports[MJ_OK], "failed",
	    (json_int_t)t.imports[MJ_FAILED]));
	json_object_set_new(o, "exports", jp_pack("{s:I, s:I, s:I}",
	    "started", (json_int_t)t.exports[MJ_STARTED], "ok",
	    (json_int_t)t.exports[MJ_OK], "failed",
	    (json_int_t)t.exports[MJ_FAILED]));
	json_object_set_new(o, "database_bytes", json_integer(g.db_bytes));
	json_object_set_new(o, "wal_bytes", json_integer(g.wal_bytes));
	if (g.last_checkpoint) {
		time_t when = (time_t)g.last_checkpoint;
		struct tm tm;

		gmtime_r(&when, &tm);
		strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_object_set_new(o, "last_checkpoint", json_string(at));
	} else
		json_object_set_new(o, "last_checkpoint", json_null());
	json_object_set_new(o, "metrics_listen", json_string(
	    sd->cfg.http_metrics_listen));
}

int
h_daemon_status(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct spendd *sd = c->sd;
	int64_t users = 0;
	int r;

	if ((r = store_user_count(c->st, &users, err)) < 0)
		return r;
	/* durability: read back from the connection, not the config */
	*res = jp_pack("{s:s, s:i, s:I, s:I, s:I, s:i, s:i, s:s, s:s, s:s, s:s, s:s, s:I}",
	    "version", SPEND_VERSION,
	    "protocol", SPEND_PROTOCOL,
	    "started", (json_int_t)sd->started,
	    "uptime", (json_int_t)(time_now() - sd->started),
	    "requests", (json_int_t)sd->requests,
	    "pending", sd->pending,
	    "workers_busy", sd->workers ? workers_busy(sd->workers) : 0,
	    "database", sd->cfg.db_path,
	    "socket", sd->cfg.socket,
	    "http", sd->cfg.http_listen,
	    "sqlite", store_engine_version(),
	    "durability", store_durability(c->st),
	    "users", (json_int_t)users);
	json_object_set_new(*res, "workers", json_integer(sd->workers ?
	    workers_threads(sd->workers) : 0));
	json_object_set_new(*res, "jobs", jobs_status(sd));
	json_object_set_new(*res, "backup", backup_status(sd));
	json_object_set_new(*res, "deliveries", notify_status(sd, c->st));
	json_object_set_new(*res, "rates_fetch", rates_fetch_status(sd));
	metrics_status(sd, *res);
	return 0;
}

int
h_rpc_describe(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	static const char *roles[] = { "public", "user", "admin" };
	size_t n;
	const struct rpc_method *m = rpc_methods(&n);
	json_t *arr;

	arr = json_array();
	for (size_t i = 0; i < n; i++) {
		char syn[512];
		json_t *o;

		rpc_synopsis(&m[i], syn, sizeof(syn));
		o = jp_pack("{s:s, s:s, s:s, s:s, s:b, s:b}",
		    "name", m[i].name, "role", roles[m[i].role],
		    "params", syn,
		    "summary", m[i].summary,
		    "write", (m[i].flags & RPC_WRITE) != 0,
		    "acts_for_user", (m[i].flags & RPC_ACTS) != 0);
		json_object_set_new(o, "route", m[i].route ?
		    json_string(m[i].route) : json_null());
		{
			json_t *ps = json_array();

			for (const struct rpc_param *q = m[i].params; q &&
			    q->name; q++) {
				char type[64];

				rpc_param_type(q, type, sizeof(type));
				json_array_append_new(ps, jp_pack("{s:s, s:s, "
				    "s:b, s:b, s:s}", "name", q->name, "type",
				    type, "required", (q->flags & PF_REQUIRED) !=
				    0, "secret", (q->flags & PF_SECRET) != 0,
				    "help", q->help));
			}
			json_object_set_new(o, "parameters", ps);
		}
		json_array_append_new(arr, o);
	}
	*res = jp_pack("{s:s, s:i, s:o}", "version", SPEND_VERSION, "protocol",
	    SPEND_PROTOCOL, "methods", arr);
	return 0;
}

int
h_currency_list(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	const struct currency *cur;
	json_t *arr;

	arr = json_array();
	for (size_t i = 0; (cur = money_currency_at(i)) != NULL; i++)
		json_array_append_new(arr, jp_pack("{s:s, s:i, s:s}", "code",
		    cur->code, "decimals", cur->exponent, "name", cur->name));
	*res = jp_pack("{s:o}", "items", arr);
	return 0;
}
