/* The daemon's counters and their Prometheus text exposition (metrics.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "metrics.h"
#include "rpc.h"
#include "xmalloc.h"

/* Upper bounds of the latency buckets, microseconds: 1 ms to 10 s. */
static const int64_t bucket_us[METRICS_NBUCKETS] = {
	1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 10000000,
};

static const char *const verbs[] = { "GET", "HEAD", "POST", "PUT", "PATCH",
    "DELETE", "OPTIONS", "other" };
#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))

static const char *const transports[] = { "unix", "http", "test", "other" };
#define NTRANSPORTS (sizeof(transports) / sizeof(transports[0]))

/* outcome 0 is "ok", k > 0 is SPEND_E* -k; the last catches the rest */
#define NOUTCOMES 32

/* the statuses kept apart per route and verb; more go in status "other" */
#define MAX_STATUSES 12

struct verb_stats {
	int64_t buckets[METRICS_NBUCKETS + 1];	/* per bucket, not cumulative */
	int64_t sum_us, count;
	int nstatus;
	struct {
		int status;		/* 0: any other */
		int64_t n;
	} st[MAX_STATUSES + 1];
};

struct route_stats {
	struct verb_stats *v[NVERBS];	/* NULL until used */
};

struct metrics {
	const struct rpc_method *methods;
	size_t nmethods;
	struct route_stats *routes;	/* nmethods + MR_NSPECIAL */
	int64_t *rpc;			/* [nmethods + 1][NTRANSPORTS][NOUTCOMES] */
	atomic_llong logins[ML_N];
	atomic_llong imports[MJ_N];
	atomic_llong exports[MJ_N];
};

struct metrics *
metrics_new(const struct rpc_method *methods, size_t n)
{
	struct metrics *m = xcalloc(1, sizeof(*m));

	m->methods = methods;
	m->nmethods = n;
	m->routes = xcalloc(m->nmethods + MR_NSPECIAL, sizeof(*m->routes));
	m->rpc = xcalloc((m->nmethods + 1) * NTRANSPORTS * NOUTCOMES,
	    sizeof(*m->rpc));
	return m;
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	for (size_t r = 0; r < m->nmethods + MR_NSPECIAL; r++)
		for (size_t v = 0; v < NVERBS; v++)
			free(m->routes[r].v[v]);
	free(m->routes);
	free(m->rpc);
	free(m);
}

/* rm's index in the table, or -1 */
static long
method_index(const struct metrics *m, const struct rpc_method *rm)
{
	for (size_t lo = 0, hi = m->nmethods; rm && lo < hi;) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(rm->name, m->methods[mid].name);

		if (c == 0)
			return &m->methods[mid] == rm ? (long)mid : -1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

int
metrics_route_of(const struct metrics *m, const struct rpc_method *rm)
{
	long i;

	if (m == NULL || (i = method_index(m, rm)) < 0)
		return MR_UNMATCHED;
	return (int)i;
}

static size_t
route_index(const struct metrics *m, int route)
{
	if (route >= 0 && (size_t)route < m->nmethods)
		return (size_t)route;
	if (route < 0 && route >= -MR_NSPECIAL)
		return m->nmethods + (size_t)(-route - 1);
	return m->nmethods + (size_t)(-MR_UNMATCHED - 1);
}

/* The route template of a table index: "/api/v1/expenses/{id}". */
static const char *
route_name(const struct metrics *m, size_t i)
{
	static const char *const special[MR_NSPECIAL] = { "/rpc",
	    "/api/v1/events", "/metrics", "static", "unmatched", "refused" };
	const char *r, *sp;

	if (i >= m->nmethods)
		return special[i - m->nmethods];
	r = m->methods[i].route;
	if (r == NULL)
		return "unmatched";
	sp = strchr(r, ' ');
	return sp ? sp + 1 : r;
}

const char *
metrics_route_name(const struct metrics *m, int route)
{
	if (m == NULL)
		return "-";
	return route_name(m, route_index(m, route));
}

static size_t
verb_index(const char *verb)
{
	for (size_t i = 0; i + 1 < NVERBS; i++)
		if (verb && !strcmp(verbs[i], verb))
			return i;
	return NVERBS - 1;
}

void
metrics_http(struct metrics *m, int route, const char *verb, int status,
    int64_t us)
{
	struct verb_stats *vs;
	struct route_stats *rs;
	size_t v = verb_index(verb);
	int b, i;

	if (m == NULL)
		return;
	rs = &m->routes[route_index(m, route)];
	if ((vs = rs->v[v]) == NULL)
		vs = rs->v[v] = xcalloc(1, sizeof(*vs));
	if (us < 0)
		us = 0;
	for (b = 0; b < METRICS_NBUCKETS && us > bucket_us[b]; b++)
		;
	vs->buckets[b]++;
	vs->sum_us += us;
	vs->count++;
	for (i = 0; i < vs->nstatus && vs->st[i].status != status; i++)
		;
	if (i == vs->nstatus) {
		if (vs->nstatus == MAX_STATUSES) {
			/* the last slot is "other" */
			i = MAX_STATUSES;
			vs->st[i].status = 0;
		} else
			vs->st[vs->nstatus++].status = status;
	}
	vs->st[i].n++;
}

static size_t
transport_index(const char *t)
{
	for (size_t i = 0; i + 1 < NTRANSPORTS; i++)
		if (t && !strcmp(transports[i], t))
			return i;
	return NTRANSPORTS - 1;
}

static atomic_llong *
job_counters(struct metrics *m, const struct rpc_method *rm)
{
	if (rm == NULL)
		return NULL;
	if (!strcmp(rm->name, "import.run"))
		return m->imports;
	if (!strcmp(rm->name, "export.run"))
		return m->exports;
	return NULL;
}

void
metrics_rpc_start(struct metrics *m, const struct rpc_method *rm)
{
	atomic_llong *c;

	if (m && (c = job_counters(m, rm)) != NULL)
		atomic_fetch_add_explicit(&c[MJ_STARTED], 1, memory_order_relaxed);
}

void
metrics_rpc(struct metrics *m, const struct rpc_method *rm,
    const char *transport, int code)
{
	size_t meth, out;
	atomic_llong *c;

	if (m == NULL)
		return;
	{
		long i = method_index(m, rm);

		meth = i < 0 ? m->nmethods : (size_t)i;
	}
	out = code >= 0 ? 0 : (size_t)-code;
	if (out >= NOUTCOMES)
		out = NOUTCOMES - 1;
	m->rpc[(meth * NTRANSPORTS + transport_index(transport)) * NOUTCOMES +
	    out]++;
	if (rm && !strcmp(rm->name, "auth.login"))
		atomic_fetch_add_explicit(&m->logins[code == 0 ? ML_OK :
		    code == SPEND_ERATELIMIT ? ML_LIMITED : ML_FAILED], 1,
		    memory_order_relaxed);
	else if ((c = job_counters(m, rm)) != NULL)
		atomic_fetch_add_explicit(&c[code == 0 ? MJ_OK : MJ_FAILED], 1,
		    memory_order_relaxed);
}

void
metrics_totals(const struct metrics *m, struct metrics_totals *t)
{
	memset(t, 0, sizeof(*t));
	if (m == NULL)
		return;
	for (size_t r = 0; r < m->nmethods + MR_NSPECIAL; r++)
		for (size_t v = 0; v < NVERBS; v++) {
			const struct verb_stats *vs = m->routes[r].v[v];

			if (vs == NULL)
				continue;
			t->http_requests += vs->count;
			for (int i = 0; i <= MAX_STATUSES; i++) {
				if (vs->st[i].status >= 400 &&
				    vs->st[i].status < 500)
					t->http_4xx += vs->st[i].n;
				else if (vs->st[i].status >= 500)
					t->http_5xx += vs->st[i].n;
			}
		}
	for (size_t i = 0; i < (m->nmethods + 1) * NTRANSPORTS * NOUTCOMES; i++) {
		t->rpc_calls += m->rpc[i];
		if (i % NOUTCOMES)
			t->rpc_errors += m->rpc[i];
	}
	for (int i = 0; i < ML_N; i++)
		t->logins[i] = atomic_load_explicit(&m->logins[i],
		    memory_order_relaxed);
	for (int i = 0; i < MJ_N; i++) {
		t->imports[i] = atomic_load_explicit(&m->imports[i],
		    memory_order_relaxed);
		t->exports[i] = atomic_load_explicit(&m->exports[i],
		    memory_order_relaxed);
	}
}

void
metrics_escape_label(const char *v, char *out, size_t size)
{
	size_t o = 0;

	if (size == 0)
		return;
	for (; v && *v; v++) {
		const char *rep = NULL;
		char one[2] = { *v, '\0' };

		if (*v == '\\')
			rep = "\\\\";
		else if (*v == '"')
			rep = "\\\"";
		else if (*v == '\n')
			rep = "\\n";
		else
			rep = one;
		if (o + strlen(rep) >= size)
			break;
		memcpy(out + o, rep, strlen(rep));
		o += strlen(rep);
	}
	out[o] = '\0';
}

/* ---- the exposition ---- */

struct sbuf {
	char *s;
	size_t len, cap;
};

static void
sb_printf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			fatalx("metrics: vsnprintf failed");
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		b->cap = (b->cap + (size_t)n + 1) * 2;
		if ((b->s = realloc(b->s, b->cap)) == NULL)
			fatal("realloc");
	}
}

static void
family(struct sbuf *b, const char *name, const char *type, const char *help)
{
	sb_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A family of one unlabelled series: its HELP, TYPE and value. */
static void
scalar(struct sbuf *b, const char *name, const char *type, const char *help,
    long long v)
{
	family(b, name, type, help);
	sb_printf(b, "%s %lld\n", name, v);
}

/* microseconds as seconds, exactly: "0.0125" */
static void
sb_seconds(struct sbuf *b, int64_t us)
{
	sb_printf(b, "%lld.%06lld", (long long)(us / 1000000),
	    (long long)(us % 1000000));
}

/* a bucket's bound as the shortest decimal: "0.0025", "1", "10" */
static void
sb_bound(struct sbuf *b, int64_t us)
{
	char frac[8];
	int n;

	if (us % 1000000 == 0) {
		sb_printf(b, "%lld", (long long)(us / 1000000));
		return;
	}
	snprintf(frac, sizeof(frac), "%06lld", (long long)(us % 1000000));
	for (n = 6; n > 0 && frac[n - 1] == '0'; n--)
		frac[n - 1] = '\0';
	sb_printf(b, "%lld.%s", (long long)(us / 1000000), frac);
}

static void
render_http(struct sbuf *b, const struct metrics *m)
{
	char route[256];

	family(b, "spend_http_requests_total", "counter",
	    "HTTP requests answered, by route template, method and status.");
	for (size_t r = 0; r < m->nmethods + MR_NSPECIAL; r++)
		for (size_t v = 0; v < NVERBS; v++) {
			const struct verb_stats *vs = m->routes[r].v[v];

			if (vs == NULL)
				continue;
			metrics_escape_label(route_name(m, r), route,
			    sizeof(route));
			for (int i = 0; i <= MAX_STATUSES; i++) {
				if (vs->st[i].n == 0)
					continue;
				if (vs->st[i].status)
					sb_printf(b, "spend_http_requests_total"
					    "{route=\"%s\",method=\"%s\","
					    "status=\"%d\"} %lld\n", route,
					    verbs[v], vs->st[i].status,
					    (long long)vs->st[i].n);
				else
					sb_printf(b, "spend_http_requests_total"
					    "{route=\"%s\",method=\"%s\","
					    "status=\"other\"} %lld\n", route,
					    verbs[v], (long long)vs->st[i].n);
			}
		}
	family(b, "spend_http_request_duration_seconds", "histogram",
	    "Time from a request's first byte to its reply, by route template "
	    "and method.");
	for (size_t r = 0; r < m->nmethods + MR_NSPECIAL; r++)
		for (size_t v = 0; v < NVERBS; v++) {
			const struct verb_stats *vs = m->routes[r].v[v];
			int64_t cum = 0;

			if (vs == NULL)
				continue;
			metrics_escape_label(route_name(m, r), route,
			    sizeof(route));
			for (int k = 0; k <= METRICS_NBUCKETS; k++) {
				cum += vs->buckets[k];
				sb_printf(b, "spend_http_request_duration_seconds_"
				    "bucket{route=\"%s\",method=\"%s\",le=\"",
				    route, verbs[v]);
				if (k < METRICS_NBUCKETS)
					sb_bound(b, bucket_us[k]);
				else
					sb_printf(b, "+Inf");
				sb_printf(b, "\"} %lld\n", (long long)cum);
			}
			sb_printf(b, "spend_http_request_duration_seconds_sum"
			    "{route=\"%s\",method=\"%s\"} ", route, verbs[v]);
			sb_seconds(b, vs->sum_us);
			sb_printf(b, "\nspend_http_request_duration_seconds_count"
			    "{route=\"%s\",method=\"%s\"} %lld\n", route,
			    verbs[v], (long long)vs->count);
		}
}

static void
render_rpc(struct sbuf *b, const struct metrics *m)
{
	family(b, "spend_rpc_calls_total", "counter",
	    "RPC calls finished, by method, transport (unix, http) and "
	    "outcome (ok or the error's name).");
	for (size_t meth = 0; meth <= m->nmethods; meth++)
		for (size_t t = 0; t < NTRANSPORTS; t++)
			for (size_t o = 0; o < NOUTCOMES; o++) {
				int64_t n = m->rpc[(meth * NTRANSPORTS + t) *
				    NOUTCOMES + o];

				if (n == 0)
					continue;
				sb_printf(b, "spend_rpc_calls_total{method=\"%s\","
				    "transport=\"%s\",outcome=\"%s\"} %lld\n",
				    meth < m->nmethods ? m->methods[meth].name :
				    "unknown", transports[t], o == 0 ? "ok" :
				    o == NOUTCOMES - 1 ? "other" :
				    spend_err_name(-(int)o), (long long)n);
			}
}

char *
metrics_render(const struct metrics *m, const struct metrics_gauges *g)
{
	static const char *const login_names[ML_N] = { "ok", "failed",
	    "limited" };
	static const char *const job_names[MJ_N] = { "started", "ok",
	    "failed" };
	struct metrics_totals t;
	struct sbuf b = { NULL, 0, 0 };

	b.cap = 16384;
	b.s = xmalloc(b.cap);
	b.s[0] = '\0';
	metrics_totals(m, &t);
	family(&b, "spend_start_time_seconds", "gauge",
	    "When spendd started, unix time.");
	sb_printf(&b, "spend_start_time_seconds %lld\n", (long long)g->started);
	family(&b, "spend_uptime_seconds", "gauge", "Seconds since spendd "
	    "started.");
	sb_printf(&b, "spend_uptime_seconds %lld\n", (long long)(g->now -
	    g->started));
	if (m) {
		render_http(&b, m);
		render_rpc(&b, m);
	}
	family(&b, "spend_http_connections", "gauge", "Open HTTP connections.");
	sb_printf(&b, "spend_http_connections %d\n", g->http_connections);
	family(&b, "spend_rpc_pending", "gauge", "RPC calls not yet answered.");
	sb_printf(&b, "spend_rpc_pending %d\n", g->pending_calls);
	scalar(&b, "spend_write_groups_total", "counter", "Commits of several "
	    "expense.add calls at once: a batch's, or single calls that came "
	    "in one loop turn.", g->write_groups);
	scalar(&b, "spend_write_grouped_total", "counter", "expense.add calls "
	    "those commits wrote.", g->write_grouped);
	family(&b, "spend_worker_threads", "gauge", "Worker threads.");
	sb_printf(&b, "spend_worker_threads %d\n", g->workers);
	family(&b, "spend_jobs_busy", "gauge", "Jobs running on workers, by "
	    "kind.");
	for (int k = 0; k < JOB_NKINDS; k++)
		sb_printf(&b, "spend_jobs_busy{kind=\"%s\"} %d\n",
		    jobs_kind_name(k), g->jobs[k].busy);
	family(&b, "spend_jobs_queued", "gauge", "Jobs waiting for a worker, "
	    "by kind.");
	for (int k = 0; k < JOB_NKINDS; k++)
		sb_printf(&b, "spend_jobs_queued{kind=\"%s\"} %d\n",
		    jobs_kind_name(k), g->jobs[k].queued);
	family(&b, "spend_jobs_limit", "gauge", "Jobs of a kind that may run "
	    "at once.");
	for (int k = 0; k < JOB_NKINDS; k++)
		sb_printf(&b, "spend_jobs_limit{kind=\"%s\"} %d\n",
		    jobs_kind_name(k), g->jobs[k].limit);
	family(&b, "spend_jobs_done_total", "counter", "Jobs finished, by "
	    "kind.");
	for (int k = 0; k < JOB_NKINDS; k++)
		sb_printf(&b, "spend_jobs_done_total{kind=\"%s\"} %lld\n",
		    jobs_kind_name(k), (long long)g->jobs[k].done);
	family(&b, "spend_logins_total", "counter", "Logins (auth.login), by "
	    "result: ok, failed (wrong name or password, refused), limited "
	    "(429).");
	for (int i = 0; i < ML_N; i++)
		sb_printf(&b, "spend_logins_total{result=\"%s\"} %lld\n",
		    login_names[i], (long long)t.logins[i]);
	family(&b, "spend_imports_total", "counter", "Imports (import.run), "
	    "by stage: started, ok, failed.");
	for (int i = 0; i < MJ_N; i++)
		sb_printf(&b, "spend_imports_total{result=\"%s\"} %lld\n",
		    job_names[i], (long long)t.imports[i]);
	family(&b, "spend_exports_total", "counter", "Exports (export.run), "
	    "by stage: started, ok, failed.");
	for (int i = 0; i < MJ_N; i++)
		sb_printf(&b, "spend_exports_total{result=\"%s\"} %lld\n",
		    job_names[i], (long long)t.exports[i]);
	family(&b, "spend_deliveries_total", "counter", "Notifier delivery "
	    "attempts since start, by result: ok, failed (for good), retried.");
	sb_printf(&b, "spend_deliveries_total{result=\"ok\"} %lld\n"
	    "spend_deliveries_total{result=\"failed\"} %lld\n"
	    "spend_deliveries_total{result=\"retried\"} %lld\n",
	    (long long)g->deliveries_sent, (long long)g->deliveries_failed,
	    (long long)g->deliveries_retried);
	if (g->deliveries_pending >= 0) {
		family(&b, "spend_deliveries_pending", "gauge", "Deliveries "
		    "waiting to be sent or retried.");
		sb_printf(&b, "spend_deliveries_pending %lld\n",
		    (long long)g->deliveries_pending);
	}
	if (g->db_bytes >= 0) {
		family(&b, "spend_database_bytes", "gauge", "Size of the "
		    "database file.");
		sb_printf(&b, "spend_database_bytes %lld\n",
		    (long long)g->db_bytes);
	}
	if (g->wal_bytes >= 0) {
		family(&b, "spend_wal_bytes", "gauge", "Size of the database's "
		    "write-ahead log.");
		sb_printf(&b, "spend_wal_bytes %lld\n", (long long)g->wal_bytes);
	}
	scalar(&b, "spend_last_checkpoint_time_seconds", "gauge", "When the "
	    "WAL was last checkpointed, unix time (0: not since start).",
	    g->last_checkpoint);
	scalar(&b, "spend_last_backup_time_seconds", "gauge", "When the last "
	    "backup finished well, unix time (0: none since start).",
	    g->last_backup);
	return b.s;
}
