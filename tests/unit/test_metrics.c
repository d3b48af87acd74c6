/* metrics.c: the counters and the Prometheus text exposition (0.0.4):
 * label escaping, cumulative histogram buckets, _sum and _count,
 * HELP/TYPE once per family, counters by route template and status, RPC
 * outcomes, logins, imports and exports. */
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "metrics.h"

/* A method table of our own, sorted by name like rpc.c's. */
static const struct rpc_method methods[] = {
	{ .name = "auth.login", .route = "POST /api/v1/auth/login" },
	{ .name = "expense.delete", .route = "DELETE /api/v1/expenses/{id}" },
	{ .name = "expense.get", .route = "GET /api/v1/expenses/{id}" },
	{ .name = "export.run", .route = "POST /api/v1/exports" },
	{ .name = "import.run", .route = "POST /api/v1/imports" },
	{ .name = "rpc.describe", .route = NULL },
};
#define NM (sizeof(methods) / sizeof(methods[0]))
#define M_LOGIN (&methods[0])
#define M_DEL (&methods[1])
#define M_GET (&methods[2])
#define M_EXPORT (&methods[3])
#define M_IMPORT (&methods[4])
#define M_DESCRIBE (&methods[5])

static struct metrics_gauges
gauges(void)
{
	struct metrics_gauges g;

	memset(&g, 0, sizeof(g));
	g.started = 1000;
	g.now = 1060;
	g.deliveries_pending = -1;
	g.db_bytes = -1;
	g.wal_bytes = -1;
	return g;
}

/* The value of the sample line that starts with "series " in text, or
 * fail. */
static const char *
sample(const char *text, const char *series)
{
	static char val[64];
	size_t n = strlen(series);
	const char *p;

	for (p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 :
	    NULL)
		if (strncmp(p, series, n) == 0 && p[n] == ' ') {
			size_t k = strcspn(p + n + 1, "\n");

			assert_true(k < sizeof(val));
			memcpy(val, p + n + 1, k);
			val[k] = '\0';
			return val;
		}
	fail_msg("no sample \"%s\" in:\n%s", series, text);
	return NULL;
}

static int
has_line_starting(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ?
	    strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, prefix, n) == 0)
			return 1;
	return 0;
}

static void
test_escape(void **state)
{
	char out[64];

	(void)state;
	metrics_escape_label("plain /api/v1/x", out, sizeof(out));
	assert_string_equal(out, "plain /api/v1/x");
	metrics_escape_label("a\"b\\c\nd", out, sizeof(out));
	assert_string_equal(out, "a\\\"b\\\\c\\nd");
	metrics_escape_label("", out, sizeof(out));
	assert_string_equal(out, "");
	/* cut short, never half an escape */
	metrics_escape_label("ab\"cd", out, 4);
	assert_string_equal(out, "ab");
	metrics_escape_label("ab\"cd", out, 5);
	assert_string_equal(out, "ab\\\"");
}

/* Buckets are cumulative and end with +Inf == _count; the bound of a
 * bucket is inclusive (le); _sum is exact. */
static void
test_histogram(void **state)
{
	struct metrics *m = metrics_new(methods, NM);
	struct metrics_gauges g = gauges();
	const char *base = "spend_http_request_duration_seconds";
	char series[256];
	char *text;
	/* (route, microseconds) */
	static const int64_t us[] = { 500, 1000, 1001, 3000, 3000, 20000000,
	    -5 };
	long long prev = -1;
	static const char *const les[] = { "0.001", "0.0025", "0.005", "0.01",
	    "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "10", "+Inf" };
	static const long long want[] = { 3, 4, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
	    7 };

	(void)state;
	for (size_t i = 0; i < sizeof(us) / sizeof(us[0]); i++)
		metrics_http(m, metrics_route_of(m, M_GET), "GET", 200, us[i]);
	text = metrics_render(m, &g);
	for (size_t i = 0; i < sizeof(les) / sizeof(les[0]); i++) {
		long long v;

		snprintf(series, sizeof(series), "%s_bucket{route=\"/api/v1/"
		    "expenses/{id}\",method=\"GET\",le=\"%s\"}", base, les[i]);
		v = atoll(sample(text, series));
		assert_int_equal(v, want[i]);
		assert_true(v >= prev);
		prev = v;
	}
	snprintf(series, sizeof(series), "%s_count{route=\"/api/v1/expenses/"
	    "{id}\",method=\"GET\"}", base);
	assert_string_equal(sample(text, series), "7");
	snprintf(series, sizeof(series), "%s_sum{route=\"/api/v1/expenses/"
	    "{id}\",method=\"GET\"}", base);
	/* 500 + 1000 + 1001 + 3000 + 3000 + 20000000 + 0 us */
	assert_string_equal(sample(text, series), "20.008501");
	/* a route never used has no series at all */
	assert_false(has_line_starting(text, "spend_http_request_duration_"
	    "seconds_bucket{route=\"/api/v1/auth/login\""));
	free(text);
	metrics_free(m);
}

/* Counters by route template, method and status; the special routes;
 * more statuses than kept go to "other"; totals add up. */
static void
test_http_counters(void **state)
{
	struct metrics *m = metrics_new(methods, NM);
	struct metrics_gauges g = gauges();
	struct metrics_totals t;
	char *text;

	(void)state;
	metrics_http(m, metrics_route_of(m, M_GET), "GET", 200, 10);
	metrics_http(m, metrics_route_of(m, M_GET), "GET", 200, 10);
	metrics_http(m, metrics_route_of(m, M_GET), "HEAD", 200, 10);
	metrics_http(m, metrics_route_of(m, M_GET), "GET", 404, 10);
	metrics_http(m, metrics_route_of(m, M_DEL), "DELETE", 204, 10);
	metrics_http(m, MR_RPC, "POST", 200, 10);
	metrics_http(m, MR_METRICS, "GET", 401, 10);
	metrics_http(m, MR_STATIC, "GET", 200, 10);
	metrics_http(m, MR_UNMATCHED, "PUT", 405, 10);
	metrics_http(m, MR_REFUSED, "BREW", 400, 10);
	metrics_http(m, MR_RPC, "POST", 503, 10);
	/* not a method of the table: unmatched */
	assert_int_equal(metrics_route_of(m, NULL), MR_UNMATCHED);
	text = metrics_render(m, &g);
	assert_string_equal(sample(text, "spend_http_requests_total{route="
	    "\"/api/v1/expenses/{id}\",method=\"GET\",status=\"200\"}"), "2");
	assert_string_equal(sample(text, "spend_http_requests_total{route="
	    "\"/api/v1/expenses/{id}\",method=\"HEAD\",status=\"200\"}"), "1");
	assert_string_equal(sample(text, "spend_http_requests_total{route="
	    "\"/api/v1/expenses/{id}\",method=\"GET\",status=\"404\"}"), "1");
	assert_string_equal(sample(text, "spend_http_requests_total{route="
	    "\"/api/v1/expenses/{id}\",method=\"DELETE\",status=\"204\"}"),
	    "1");
	assert_string_equal(sample(text, "spend_http_requests_total{route="
	    "\"/rpc\",method=\"POST\",status=\"200\"}"), "1");
	assert_string_equal(sample(text, "spend_http_requests_total{route="
	    "\"/metrics\",method=\"GET\",status=\"401\"}"), "1");
	assert_string_equal(sample(text, "spend_http_requests_total{route="
	    "\"static\",method=\"GET\",status=\"200\"}"), "1");
	assert_string_equal(sample(text, "spend_http_requests_total{route="
	    "\"unmatched\",method=\"PUT\",status=\"405\"}"), "1");
	assert_string_equal(sample(text, "spend_http_requests_total{route="
	    "\"refused\",method=\"other\",status=\"400\"}"), "1");
	metrics_totals(m, &t);
	assert_int_equal(t.http_requests, 11);
	assert_int_equal(t.http_4xx, 4);
	assert_int_equal(t.http_5xx, 1);
	free(text);

	/* 12 statuses are kept apart, the rest add up as "other" */
	for (int s = 0; s < 15; s++)
		metrics_http(m, metrics_route_of(m, M_LOGIN), "POST", 400 + s,
		    10);
	metrics_http(m, metrics_route_of(m, M_LOGIN), "POST", 414, 10);
	text = metrics_render(m, &g);
	assert_string_equal(sample(text, "spend_http_requests_total{route="
	    "\"/api/v1/auth/login\",method=\"POST\",status=\"411\"}"), "1");
	assert_string_equal(sample(text, "spend_http_requests_total{route="
	    "\"/api/v1/auth/login\",method=\"POST\",status=\"other\"}"), "4");
	assert_false(has_line_starting(text, "spend_http_requests_total{route="
	    "\"/api/v1/auth/login\",method=\"POST\",status=\"412\"}"));
	free(text);
	metrics_free(m);
}

/* RPC calls by method, transport and outcome; logins, imports and
 * exports counted from their methods. */
static void
test_rpc_counters(void **state)
{
	struct metrics *m = metrics_new(methods, NM);
	struct metrics_gauges g = gauges();
	struct metrics_totals t;
	char *text;

	(void)state;
	metrics_rpc(m, M_LOGIN, "http", 0);
	metrics_rpc(m, M_LOGIN, "http", SPEND_EAUTH);
	metrics_rpc(m, M_LOGIN, "http", SPEND_EAUTH);
	metrics_rpc(m, M_LOGIN, "unix", SPEND_ERATELIMIT);
	metrics_rpc_start(m, M_IMPORT);
	metrics_rpc_start(m, M_IMPORT);
	metrics_rpc(m, M_IMPORT, "unix", 0);
	metrics_rpc(m, M_IMPORT, "unix", SPEND_EINVAL);
	metrics_rpc_start(m, M_EXPORT);
	metrics_rpc(m, M_EXPORT, "http", 0);
	metrics_rpc(m, M_DESCRIBE, "unix", 0);
	metrics_rpc(m, NULL, "unix", SPEND_ENOMETHOD);
	metrics_rpc(m, M_GET, "carrier-pigeon", SPEND_ENOTFOUND);
	text = metrics_render(m, &g);
	assert_string_equal(sample(text, "spend_rpc_calls_total{method="
	    "\"auth.login\",transport=\"http\",outcome=\"ok\"}"), "1");
	assert_string_equal(sample(text, "spend_rpc_calls_total{method="
	    "\"auth.login\",transport=\"http\",outcome=\"unauthorized\"}"),
	    "2");
	assert_string_equal(sample(text, "spend_rpc_calls_total{method="
	    "\"auth.login\",transport=\"unix\",outcome=\"rate_limited\"}"),
	    "1");
	assert_string_equal(sample(text, "spend_rpc_calls_total{method="
	    "\"unknown\",transport=\"unix\",outcome=\"no_such_method\"}"),
	    "1");
	assert_string_equal(sample(text, "spend_rpc_calls_total{method="
	    "\"expense.get\",transport=\"other\",outcome=\"not_found\"}"), "1");
	assert_string_equal(sample(text, "spend_logins_total{result=\"ok\"}"),
	    "1");
	assert_string_equal(sample(text, "spend_logins_total{result="
	    "\"failed\"}"), "2");
	assert_string_equal(sample(text, "spend_logins_total{result="
	    "\"limited\"}"), "1");
	assert_string_equal(sample(text, "spend_imports_total{result="
	    "\"started\"}"), "2");
	assert_string_equal(sample(text, "spend_imports_total{result="
	    "\"ok\"}"), "1");
	assert_string_equal(sample(text, "spend_imports_total{result="
	    "\"failed\"}"), "1");
	assert_string_equal(sample(text, "spend_exports_total{result="
	    "\"started\"}"), "1");
	assert_string_equal(sample(text, "spend_exports_total{result="
	    "\"ok\"}"), "1");
	assert_string_equal(sample(text, "spend_exports_total{result="
	    "\"failed\"}"), "0");
	metrics_totals(m, &t);
	assert_int_equal(t.rpc_calls, 10);
	assert_int_equal(t.rpc_errors, 6);
	assert_int_equal(t.logins[ML_FAILED], 2);
	free(text);
	metrics_free(m);
}

/* The format as a whole: every family's HELP then TYPE once, before its
 * samples; every other line a sample "name{labels} value"; gauges read
 * from what the caller passed; unknown sizes leave their family out. */
static void
test_format(void **state)
{
	struct metrics *m = metrics_new(methods, NM);
	struct metrics_gauges g = gauges();
	regex_t sample_re, help_re, type_re;
	char *text, *copy, *line, *save = NULL;
	char fam[128] = "";
	int nhelp = 0, ntype = 0, nsample = 0;

	(void)state;
	assert_int_equal(regcomp(&sample_re, "^[a-z_]+(\\{([a-z_]+=\""
	    "([^\"\\\\]|\\\\.)*\",)*[a-z_]+=\"([^\"\\\\]|\\\\.)*\"\\})? "
	    "(-?[0-9]+(\\.[0-9]+)?|\\+Inf)$", REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(regcomp(&help_re, "^# HELP [a-z_]+ [^\n]+$",
	    REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(regcomp(&type_re, "^# TYPE [a-z_]+ (counter|gauge|"
	    "histogram)$", REG_EXTENDED | REG_NOSUB), 0);
	metrics_http(m, metrics_route_of(m, M_GET), "GET", 200, 1234);
	metrics_rpc(m, M_LOGIN, "unix", 0);
	g.jobs[JOB_PASSWORD].busy = 2;
	g.jobs[JOB_IMPORT].queued = 5;
	g.deliveries_sent = 7;
	g.deliveries_retried = 3;
	g.deliveries_pending = 4;
	g.db_bytes = 8192;
	g.last_backup = 1700000000;
	text = metrics_render(m, &g);
	copy = strdup(text);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL,
	    "\n", &save)) {
		if (!strncmp(line, "# HELP ", 7)) {
			assert_int_equal(regexec(&help_re, line, 0, NULL, 0), 0);
			nhelp++;
			snprintf(fam, sizeof(fam), "%.*s", (int)strcspn(line + 7,
			    " "), line + 7);
			/* a family once */
			{
				char again[160];

				snprintf(again, sizeof(again), "# HELP %s ",
				    fam);
				assert_ptr_equal(strstr(text, again),
				    strstr(strstr(text, again) + 1, again) ?
				    NULL : strstr(text, again));
			}
		} else if (!strncmp(line, "# TYPE ", 7)) {
			assert_int_equal(regexec(&type_re, line, 0, NULL, 0), 0);
			assert_int_equal(strncmp(line + 7, fam, strlen(fam)), 0);
			ntype++;
		} else {
			if (regexec(&sample_re, line, 0, NULL, 0) != 0)
				fail_msg("not a sample line: \"%s\"", line);
			/* of the family just declared */
			assert_int_equal(strncmp(line, fam, strlen(fam)), 0);
			nsample++;
		}
	}
	assert_int_equal(nhelp, ntype);
	assert_true(nsample > 40);
	assert_string_equal(sample(text, "spend_uptime_seconds"), "60");
	assert_string_equal(sample(text, "spend_jobs_busy{kind=\"password\"}"),
	    "2");
	assert_string_equal(sample(text, "spend_jobs_queued{kind=\"import\"}"),
	    "5");
	assert_string_equal(sample(text, "spend_deliveries_total{result="
	    "\"ok\"}"), "7");
	assert_string_equal(sample(text, "spend_deliveries_total{result="
	    "\"retried\"}"), "3");
	assert_string_equal(sample(text, "spend_deliveries_pending"), "4");
	assert_string_equal(sample(text, "spend_database_bytes"), "8192");
	assert_string_equal(sample(text, "spend_last_backup_time_seconds"),
	    "1700000000");
	assert_string_equal(sample(text, "spend_last_checkpoint_time_seconds"),
	    "0");
	/* the WAL's size was unknown: no family */
	assert_null(strstr(text, "spend_wal_bytes"));
	assert_int_equal(text[strlen(text) - 1], '\n');
	regfree(&sample_re);
	regfree(&help_re);
	regfree(&type_re);
	free(copy);
	free(text);
	metrics_free(m);
}

/* Through the real dispatcher: an in-process call counts, and
 * daemon.status reports the counters. */
static void
test_dispatch_and_status(void **state)
{
	struct spendd *sd = tu_spendd();
	size_t n;
	const struct rpc_method *all = rpc_methods(&n);
	json_t *res;

	(void)state;
	sd->metrics = metrics_new(all, n);
	/* (no auth_init: refused, so a failed login) */
	assert_int_not_equal(tu_call(sd, NULL, "auth.login", "{\"username\":"
	    "\"nobody\",\"password\":\"wrong-password\"}", NULL), 0);
	res = tu_ok(sd, NULL, "daemon.status", "{}");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    res, "logins"), "failed")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    res, "rpc_calls"), "total")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    res, "rpc_calls"), "errors")), 1);
	assert_true(json_is_null(json_object_get(res, "last_checkpoint")));
	assert_true(json_is_integer(json_object_get(res, "database_bytes")));
	json_decref(res);
	metrics_free(sd->metrics);
	sd->metrics = NULL;
	tu_spendd_free(sd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_http_counters),
		cmocka_unit_test(test_rpc_counters),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_dispatch_and_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
