/* summary report plugin against the mock host. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "mock_host.h"
#include "../../plugins/summary/summary.c"

static const struct spend_record recs[] = {
	{ .date = "2024-03-01", .amount = "12.50", .currency = "EUR",
	  .category = "food" },
	{ .date = "2024-03-09", .amount = "1", .currency = "EUR",
	  .category = "food" },
	{ .date = "2024-03-31", .amount = "300", .currency = "JPY",
	  .category = "travel \"abroad\"" },
	{ .date = "2024-04-01", .amount = "2.25", .currency = "EUR",
	  .category = "transport" },
	{ .date = "2024-02-29", .amount = "-0.50", .currency = "EUR",
	  .category = "food" },
};

/* Run with params (key, value pairs); the result parsed, or NULL with
 * the error in *msg. */
static json_t *
report(const char *const *params, char *msg, size_t size)
{
	struct mock_host mh;
	struct spend_report_job job;
	json_error_t e;
	json_t *j = NULL;
	char *text;

	assert_int_equal(mh_open(&mh, "summary", spend_plugin_init, NULL, 1),
	    0);
	assert_int_equal(mh.nreports, 1);
	mh_report_init(&job, recs, sizeof(recs) / sizeof(recs[0]), params);
	text = mh.reports[0]->run(&mh.plugin, &job);
	if (text == NULL) {
		assert_true(job.failed);
		snprintf(msg, size, "%s", job.err_msg);
	} else {
		assert_false(job.failed);
		if ((j = json_loads(text, 0, &e)) == NULL)
			fail_msg("not JSON (%s): %s", e.text, text);
		free(text);
	}
	mh_report_free(&job);
	mh_free(&mh);
	return j;
}

static char *
dump(json_t *j, const char *key)
{
	return json_dumps(json_object_get(j, key), JSON_COMPACT);
}

static void
test_by_category_of_a_month(void **state)
{
	static const char *const p[] = { "month", "2024-03", NULL };
	char msg[256], *s;
	json_t *j = report(p, msg, sizeof(msg));

	(void)state;
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "from")),
	    "2024-03-01");
	assert_string_equal(json_string_value(json_object_get(j, "to")),
	    "2024-03-31");
	assert_string_equal(json_string_value(json_object_get(j, "group")),
	    "category");
	s = dump(j, "rows");
	assert_string_equal(s, "[{\"key\":\"food\",\"currency\":\"EUR\","
	    "\"count\":2,\"sum\":\"13.50\"},{\"key\":\"travel \\\"abroad\\\"\","
	    "\"currency\":\"JPY\",\"count\":1,\"sum\":\"300\"}]");
	free(s);
	s = dump(j, "totals");
	assert_string_equal(s, "[{\"currency\":\"EUR\",\"count\":2,\"sum\":"
	    "\"13.50\"},{\"currency\":\"JPY\",\"count\":1,\"sum\":\"300\"}]");
	free(s);
	json_decref(j);
}

static void
test_by_month_open_period(void **state)
{
	static const char *const p[] = { "group", "month", "from",
	    "2024-03-01", NULL };
	char msg[256], *s;
	json_t *j = report(p, msg, sizeof(msg));

	(void)state;
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "to")), "");
	s = dump(j, "totals");
	assert_string_equal(s, "[{\"currency\":\"EUR\",\"count\":3,\"sum\":"
	    "\"15.75\"},{\"currency\":\"JPY\",\"count\":1,\"sum\":\"300\"}]");
	free(s);
	assert_int_equal(json_array_size(json_object_get(j, "rows")), 3);
	json_decref(j);
}

static void
test_everything_and_leap_month(void **state)
{
	static const char *const all[] = { NULL };
	static const char *const feb[] = { "month", "2024-02", "group", "day",
	    NULL };
	char msg[256], *s;
	json_t *j = report(all, msg, sizeof(msg));

	(void)state;
	assert_non_null(j);
	s = dump(j, "totals");
	assert_string_equal(s, "[{\"currency\":\"EUR\",\"count\":4,\"sum\":"
	    "\"15.25\"},{\"currency\":\"JPY\",\"count\":1,\"sum\":\"300\"}]");
	free(s);
	json_decref(j);
	j = report(feb, msg, sizeof(msg));
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "to")),
	    "2024-02-29");
	s = dump(j, "rows");
	assert_string_equal(s, "[{\"key\":\"2024-02-29\",\"currency\":\"EUR\","
	    "\"count\":1,\"sum\":\"-0.50\"}]");
	free(s);
	json_decref(j);
}

static void
test_bad_params(void **state)
{
	static const char *const g[] = { "group", "year", NULL };
	static const char *const m[] = { "month", "2024-13", NULL };
	static const char *const both[] = { "month", "2024-03", "from",
	    "2024-03-02", NULL };
	static const char *const d[] = { "to", "2024-02-30", NULL };
	char msg[256];

	(void)state;
	assert_null(report(g, msg, sizeof(msg)));
	assert_non_null(strstr(msg, "group"));
	assert_null(report(m, msg, sizeof(msg)));
	assert_non_null(strstr(msg, "YYYY-MM"));
	assert_null(report(both, msg, sizeof(msg)));
	assert_non_null(strstr(msg, "not both"));
	assert_null(report(d, msg, sizeof(msg)));
	assert_non_null(strstr(msg, "dates"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_by_category_of_a_month),
		cmocka_unit_test(test_by_month_open_period),
		cmocka_unit_test(test_everything_and_leap_month),
		cmocka_unit_test(test_bad_params),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
