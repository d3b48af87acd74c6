/* log.c: [log] format = json makes every line one JSON object, whatever
 * the message holds (quotes, backslashes, control characters, text that
 * is not UTF-8, a message longer than a line); access lines carry their
 * fields, and none without access = yes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "log.h"

static char out_path[64];
static int saved_stderr = -1;

/* stderr into a fresh file until captured() */
static void
capture(void)
{
	int fd;

	strlcpy(out_path, "/tmp/spend-test-log.XXXXXX", sizeof(out_path));
	fd = mkstemp(out_path);
	assert_true(fd >= 0);
	fflush(stderr);
	saved_stderr = dup(2);
	assert_true(saved_stderr >= 0);
	assert_true(dup2(fd, 2) == 2);
	close(fd);
}

/* What was logged since capture(): raw gets the text; with parse, the
 * lines come back as a JSON array of objects (or fail naming the line
 * that is not one). */
static json_t *
captured(char *raw, size_t size, bool parse)
{
	FILE *f;
	json_t *arr = json_array();
	char line[16384];
	size_t used = 0;

	fflush(stderr);
	assert_true(dup2(saved_stderr, 2) == 2);
	close(saved_stderr);
	f = fopen(out_path, "r");
	assert_non_null(f);
	raw[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		json_error_t e;
		size_t n = strlen(line);
		json_t *o;

		if (used + n < size) {
			memcpy(raw + used, line, n + 1);
			used += n;
		}
		assert_true(n > 0 && line[n - 1] == '\n');
		line[n - 1] = '\0';
		if (!parse)
			continue;
		if ((o = json_loads(line, 0, &e)) == NULL || !json_is_object(o))
			fail_msg("not a JSON object (%s): %s", e.text, line);
		json_array_append_new(arr, o);
	}
	fclose(f);
	unlink(out_path);
	return arr;
}

static const char *
field(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : "";
}

static void
test_json_lines(void **state)
{
	char raw[65536], big[3000];
	json_t *lines, *o;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[2040] = '\xc3';	/* a cut may fall inside é */
	big[2041] = '\xa9';
	log_init(0, 1);
	log_setformat(1, 0);
	capture();
	log_info("plain");
	log_info("quote \" backslash \\ newline \n tab \t bell \a del \x7f");
	log_warnx("not UTF-8: \xff\xfe and UTF-8: caf\xc3\xa9");
	log_debug("debug %d", 42);
	log_info("%s", big);
	errno = ENOENT;
	log_warn("with errno");
	lines = captured(raw, sizeof(raw), true);
	log_setformat(0, 0);
	assert_int_equal(json_array_size(lines), 6);
	o = json_array_get(lines, 0);
	assert_string_equal(field(o, "msg"), "plain");
	assert_string_equal(field(o, "level"), "info");
	assert_int_equal(strlen(field(o, "time")), 24);
	assert_int_equal(field(o, "time")[23], 'Z');
	assert_string_equal(field(json_array_get(lines, 1), "msg"),
	    "quote \" backslash \\ newline \n tab \t bell \a del \x7f");
	assert_string_equal(field(json_array_get(lines, 2), "msg"),
	    "not UTF-8: ?? and UTF-8: caf??");
	assert_string_equal(field(json_array_get(lines, 2), "level"),
	    "warning");
	assert_string_equal(field(json_array_get(lines, 3), "msg"), "debug 42");
	assert_string_equal(field(json_array_get(lines, 3), "level"), "debug");
	/* a message cut at the line's size is still one object */
	assert_true(strlen(field(json_array_get(lines, 4), "msg")) >= 2000);
	assert_string_equal(field(json_array_get(lines, 5), "msg"),
	    "with errno: No such file or directory");
	/* one line each: no raw newline, tab or control character */
	assert_null(strchr(raw, '\t'));
	assert_null(strchr(raw, '\a'));
	json_decref(lines);
	log_init(0, 0);
}

static void
test_access_lines(void **state)
{
	char raw[8192];
	json_t *lines, *o;
	struct log_request http = {
		.kind = "http", .id = "17-3", .uid = 5, .peer = "192.0.2.1",
		.method = "GET", .route = "/api/v1/expenses/{id}",
		.status_text = "404", .status_is_number = 1, .us = 1234,
	};
	struct log_request rpc = {
		.kind = "rpc", .id = "17-3", .uid = 5, .peer = "uid 0",
		.method = "expense.get", .transport = "unix",
		.status_text = "not_found", .us = 56,
	};

	(void)state;
	/* off: nothing */
	log_setformat(1, 0);
	capture();
	log_request(&http);
	lines = captured(raw, sizeof(raw), true);
	assert_int_equal(json_array_size(lines), 0);
	json_decref(lines);
	assert_int_equal(log_access_on(), 0);

	log_setformat(1, 1);
	assert_int_equal(log_access_on(), 1);
	capture();
	log_request(&http);
	log_request(&rpc);
	lines = captured(raw, sizeof(raw), true);
	assert_int_equal(json_array_size(lines), 2);
	o = json_array_get(lines, 0);
	assert_string_equal(field(o, "msg"), "access");
	assert_string_equal(field(o, "event"), "http");
	assert_string_equal(field(o, "request_id"), "17-3");
	assert_int_equal(json_integer_value(json_object_get(o, "user")), 5);
	assert_string_equal(field(o, "peer"), "192.0.2.1");
	assert_string_equal(field(o, "method"), "GET");
	assert_string_equal(field(o, "route"), "/api/v1/expenses/{id}");
	assert_int_equal(json_integer_value(json_object_get(o, "status")), 404);
	assert_true(json_real_value(json_object_get(o, "duration_ms")) > 1.233 &&
	    json_real_value(json_object_get(o, "duration_ms")) < 1.235);
	assert_null(json_object_get(o, "transport"));
	o = json_array_get(lines, 1);
	assert_string_equal(field(o, "event"), "rpc");
	assert_string_equal(field(o, "status"), "not_found");
	assert_string_equal(field(o, "transport"), "unix");
	assert_null(json_object_get(o, "route"));
	json_decref(lines);

	/* text: one line with the same facts */
	log_setformat(0, 1);
	capture();
	log_request(&http);
	lines = captured(raw, sizeof(raw), false);
	json_decref(lines);
	assert_non_null(strstr(raw, " info: access: http 17-3 GET "
	    "/api/v1/expenses/{id} 404 user=5 from 192.0.2.1 1.234 ms\n"));
	log_setformat(0, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_lines),
		cmocka_unit_test(test_access_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
