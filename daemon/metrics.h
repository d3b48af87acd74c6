/*
 * The daemon's counters and GET /metrics (Prometheus text exposition
 * format 0.0.4).
 *
 * Two kinds of figures:
 * - the tables of HTTP requests (route template, method, status and a
 *   latency histogram) and of RPC calls (method, transport, outcome):
 *   written and read on the event loop thread only, so plain integers;
 *   their labels come from fixed tables (the method table's routes and
 *   names, err.c's codes), never from a request's path or params, so
 *   the number of series is bounded whatever clients send;
 * - the event counters (logins, imports, exports): atomics, so any
 *   thread may count without a lock.
 * The gauges (workers, deliveries, database and WAL sizes, the last
 * checkpoint and backup) are read when a scrape asks (metrics_render's
 * struct metrics_gauges), off the loop for whatever needs the store.
 */
#ifndef SPEND_METRICS_H
#define SPEND_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "jobs.h"

struct rpc_method;
struct spendd;

/* Routes that are not the method table's (metrics_route_* codes). */
enum metrics_route {
	MR_RPC = -1,		/* POST /rpc */
	MR_EVENTS = -2,		/* GET /api/v1/events */
	MR_METRICS = -3,	/* GET /metrics */
	MR_STATIC = -4,		/* the web UI's files */
	MR_UNMATCHED = -5,	/* /api/... without a route (404, 405) */
	MR_REFUSED = -6,	/* refused by the server before any route */
	MR_NSPECIAL = 6
};

/* The latency histogram's upper bounds, microseconds (then +Inf). */
#define METRICS_NBUCKETS 12

enum metrics_login { ML_OK, ML_FAILED, ML_LIMITED, ML_N };
enum metrics_job { MJ_STARTED, MJ_OK, MJ_FAILED, MJ_N };

struct metrics;

/* New, empty counters for the method table methods (n of them, sorted
 * by name: rpc_methods(); borrowed for m's life). Fatal on no memory. */
struct metrics *metrics_new(const struct rpc_method *methods, size_t n);
void metrics_free(struct metrics *m);

/* Event loop thread. route is an index into rpc_methods() (>= 0) or an
 * enum metrics_route; verb "GET"...; status the HTTP status; us the
 * request's time from its head to its reply. m may be NULL (ignored). */
void metrics_http(struct metrics *m, int route, const char *verb,
    int status, int64_t us);
/* The route index of a method-table method, for metrics_http. */
int metrics_route_of(const struct metrics *m, const struct rpc_method *rm);
/* A route code's template, "/api/v1/expenses/{id}", "static" (static). */
const char *metrics_route_name(const struct metrics *m, int route);

/* Event loop thread. A finished RPC call: method (NULL: unknown),
 * transport ("unix", "http", "test"), code 0 or a SPEND_E*. Counts
 * logins, imports and exports too, by their methods. */
void metrics_rpc(struct metrics *m, const struct rpc_method *rm,
    const char *transport, int code);
/* An RPC call began (imports and exports started). Any thread. */
void metrics_rpc_start(struct metrics *m, const struct rpc_method *rm);

/* What a scrape reads besides the counters. */
struct metrics_gauges {
	int64_t started;		/* unix seconds */
	int64_t now;
	int workers;			/* threads */
	struct {
		int busy, queued, limit;
		int64_t done;
	} jobs[JOB_NKINDS];
	int64_t deliveries_sent, deliveries_failed, deliveries_retried;
	int64_t deliveries_pending;	/* -1: unknown */
	int64_t db_bytes, wal_bytes;	/* -1: unknown */
	int64_t last_checkpoint;	/* unix seconds, 0 = none yet */
	int64_t last_backup;		/* unix seconds, 0 = none yet */
	int http_connections;
	int pending_calls;
	int64_t write_groups, write_grouped;	/* rpc.c's grouped adds */
};

/* The figures of sd that need no store (sd's counters, the workers,
 * deliveries since start, the last checkpoint and backup, the database
 * and WAL files' sizes by stat); deliveries_pending -1, connections 0:
 * the caller's. Event loop thread (metrics_gauges.c). */
void metrics_gauges(struct spendd *sd, struct metrics_gauges *g);

/* The whole exposition, a NUL-terminated string (xmalloc: free it). */
char *metrics_render(const struct metrics *m, const struct metrics_gauges *g);

/* The totals spendctl status shows: requests, by class, calls... */
struct metrics_totals {
	int64_t http_requests, http_4xx, http_5xx;
	int64_t rpc_calls, rpc_errors;
	int64_t logins[ML_N];
	int64_t imports[MJ_N], exports[MJ_N];
};
void metrics_totals(const struct metrics *m, struct metrics_totals *t);

/* A label value escaped for the exposition format (\\, \", \n) into
 * out (size bytes, always terminated; cut if it does not fit). */
void metrics_escape_label(const char *v, char *out, size_t size);

#endif
