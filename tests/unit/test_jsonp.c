/* jsonp.c: reading handler params with errors that name the field. */
#include <string.h>

#include "testutil.h"
#include "jsonp.h"
#include "util.h"

static json_t *
J(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);

	if (j == NULL)
		fail_msg("bad test JSON %s: %s", text, e.text);
	return j;
}

/* err must be EINVAL naming field, with want in the message. */
#define BAD(r, err, fld, want) do {					\
	assert_int_equal((r), SPEND_EINVAL);				\
	assert_string_equal((err).field, (fld));			\
	if (strstr((err).msg, (want)) == NULL)				\
		fail_msg("\"%s\" lacks \"%s\"", (err).msg, (want));	\
} while (0)

static void
test_str(void **state)
{
	struct spend_err err;
	char buf[8];
	bool present = true;
	json_t *p = J("{\"s\":\"abc\",\"n\":5,\"null\":null,\"long\":\"12345678\","
	    "\"fit\":\"1234567\",\"ctl\":\"a\\u0001b\",\"tab\":\"a\\tb\","
	    "\"nul\":\"a\\u0000b\",\"c1\":\"\\u0085\",\"utf\":\"\\u00e9t\\u00e9\","
	    "\"arr\":[],\"bool\":true}");

	(void)state;
	assert_int_equal(jp_str(p, "s", true, buf, sizeof(buf), NULL, &present,
	    &err), 0);
	assert_true(present);
	assert_string_equal(buf, "abc");
	/* missing / null: optional leaves buf alone, required names it */
	strlcpy(buf, "keep", sizeof(buf));
	assert_int_equal(jp_str(p, "nope", false, buf, sizeof(buf), NULL,
	    &present, &err), 0);
	assert_false(present);
	assert_string_equal(buf, "keep");
	assert_int_equal(jp_str(p, "null", false, buf, sizeof(buf), NULL,
	    &present, &err), 0);
	assert_false(present);
	BAD(jp_str(p, "nope", true, buf, sizeof(buf), NULL, NULL, &err), err,
	    "nope", "nope is required");
	BAD(jp_str(p, "null", true, buf, sizeof(buf), NULL, NULL, &err), err,
	    "null", "null is required");
	BAD(jp_str(p, "n", false, buf, sizeof(buf), NULL, NULL, &err), err,
	    "n", "n must be a string");
	BAD(jp_str(p, "arr", false, buf, sizeof(buf), NULL, NULL, &err), err,
	    "arr", "must be a string");
	BAD(jp_str(p, "bool", false, buf, sizeof(buf), NULL, NULL, &err), err,
	    "bool", "must be a string");
	/* size: 7 bytes fit in 8, 8 do not */
	assert_int_equal(jp_str(p, "fit", false, buf, sizeof(buf), NULL, NULL,
	    &err), 0);
	assert_string_equal(buf, "1234567");
	strlcpy(buf, "keep", sizeof(buf));
	BAD(jp_str(p, "long", false, buf, sizeof(buf), NULL, NULL, &err), err,
	    "long", "long is too long (8 bytes, at most 7)");
	assert_string_equal(buf, "keep");
	BAD(jp_str(p, "ctl", false, buf, sizeof(buf), NULL, NULL, &err), err,
	    "ctl", "control characters");
	BAD(jp_str(p, "tab", false, buf, sizeof(buf), NULL, NULL, &err), err,
	    "tab", "control characters");
	assert_int_equal(jp_str(p, "tab", false, buf, sizeof(buf), "\t", NULL,
	    &err), 0);
	assert_string_equal(buf, "a\tb");
	BAD(jp_str(p, "nul", false, buf, sizeof(buf), "\t", NULL, &err), err,
	    "nul", "NUL");
	BAD(jp_str(p, "c1", false, buf, sizeof(buf), NULL, NULL, &err), err,
	    "c1", "control characters");
	assert_int_equal(jp_str(p, "utf", false, buf, sizeof(buf), NULL, NULL,
	    &err), 0);
	assert_string_equal(buf, "\xc3\xa9t\xc3\xa9");
	json_decref(p);
}

static void
test_int(void **state)
{
	struct spend_err err;
	int64_t v = 42;
	bool present;
	json_t *p = J("{\"i\":7,\"neg\":-3,\"s\":\"12\",\"sneg\":\"-12\","
	    "\"real\":1.0,\"str\":\"1x\",\"empty\":\"\",\"big\":\"99999999999999999999\","
	    "\"max\":9223372036854775807,\"smax\":\"9223372036854775807\","
	    "\"sover\":\"9999999999999999999\",\"b\":true,\"dash\":\"-\","
	    "\"mid\":\"1-2\",\"sp\":\" 1\",\"null\":null}");

	(void)state;
	assert_int_equal(jp_int(p, "i", true, 0, 10, &v, &present, &err), 0);
	assert_true(present);
	assert_true(v == 7);
	assert_int_equal(jp_int(p, "s", true, 0, 100, &v, NULL, &err), 0);
	assert_true(v == 12);
	assert_int_equal(jp_int(p, "sneg", true, -100, 100, &v, NULL, &err), 0);
	assert_true(v == -12);
	assert_int_equal(jp_int(p, "max", true, 0, INT64_MAX, &v, NULL, &err), 0);
	assert_true(v == INT64_MAX);
	assert_int_equal(jp_int(p, "smax", true, 0, INT64_MAX, &v, NULL, &err),
	    0);
	assert_true(v == INT64_MAX);
	v = 42;
	assert_int_equal(jp_int(p, "nope", false, 0, 1, &v, &present, &err), 0);
	assert_false(present);
	assert_true(v == 42);
	assert_int_equal(jp_int(p, "null", false, 0, 1, &v, &present, &err), 0);
	assert_false(present);
	BAD(jp_int(p, "nope", true, 0, 1, &v, NULL, &err), err, "nope",
	    "nope is required");
	BAD(jp_int(p, "i", true, 8, 10, &v, NULL, &err), err, "i",
	    "i must be between 8 and 10");
	BAD(jp_int(p, "neg", true, 0, 10, &v, NULL, &err), err, "neg",
	    "between 0 and 10");
	BAD(jp_int(p, "real", true, 0, 10, &v, NULL, &err), err, "real",
	    "real must be an integer");
	BAD(jp_int(p, "b", true, 0, 10, &v, NULL, &err), err, "b",
	    "must be an integer");
	BAD(jp_int(p, "str", true, 0, 10, &v, NULL, &err), err, "str",
	    "str: \"1x\" is not an integer");
	BAD(jp_int(p, "empty", true, 0, 10, &v, NULL, &err), err, "empty",
	    "is not an integer");
	BAD(jp_int(p, "dash", true, -10, 10, &v, NULL, &err), err, "dash",
	    "is not an integer");
	BAD(jp_int(p, "mid", true, -10, 10, &v, NULL, &err), err, "mid",
	    "is not an integer");
	BAD(jp_int(p, "sp", true, -10, 10, &v, NULL, &err), err, "sp",
	    "is not an integer");
	BAD(jp_int(p, "big", true, 0, INT64_MAX, &v, NULL, &err), err, "big",
	    "is not an integer");
	/* past int64 as a string: an error, not INT64_MAX */
	v = 42;
	assert_int_equal(jp_int(p, "sover", true, 0, INT64_MAX, &v, NULL, &err),
	    SPEND_EINVAL);
	assert_true(v == 42);
	json_decref(p);
}

static void
test_bool(void **state)
{
	struct spend_err err;
	bool v = false, present;
	json_t *p = J("{\"t\":true,\"f\":false,\"st\":\"true\",\"sf\":\"false\","
	    "\"one\":1,\"yes\":\"yes\",\"null\":null}");

	(void)state;
	assert_int_equal(jp_bool(p, "t", &v, &present, &err), 0);
	assert_true(v && present);
	assert_int_equal(jp_bool(p, "f", &v, &present, &err), 0);
	assert_false(v);
	assert_int_equal(jp_bool(p, "st", &v, NULL, &err), 0);
	assert_true(v);
	assert_int_equal(jp_bool(p, "sf", &v, NULL, &err), 0);
	assert_false(v);
	v = true;
	assert_int_equal(jp_bool(p, "nope", &v, &present, &err), 0);
	assert_true(v);
	assert_false(present);
	assert_int_equal(jp_bool(p, "null", &v, &present, &err), 0);
	assert_false(present);
	BAD(jp_bool(p, "one", &v, NULL, &err), err, "one",
	    "one must be true or false");
	BAD(jp_bool(p, "yes", &v, NULL, &err), err, "yes", "true or false");
	json_decref(p);
}

static void
test_amount(void **state)
{
	struct spend_err err;
	char buf[64];
	bool present;
	json_t *p = J("{\"a\":\"12.50\",\"n\":12.5,\"i\":12,\"big\":1e300,"
	    "\"arr\":[\"1\"]}");

	(void)state;
	assert_int_equal(jp_amount(p, "a", true, buf, sizeof(buf), &present,
	    &err), 0);
	assert_true(present);
	assert_string_equal(buf, "12.50");
	/* JSON numbers may already have been floats: refused */
	BAD(jp_amount(p, "n", true, buf, sizeof(buf), NULL, &err), err, "n",
	    "n must be a decimal string like \"12.50\", not a JSON number");
	BAD(jp_amount(p, "i", true, buf, sizeof(buf), NULL, &err), err, "i",
	    "not a JSON number");
	BAD(jp_amount(p, "big", true, buf, sizeof(buf), NULL, &err), err, "big",
	    "not a JSON number");
	BAD(jp_amount(p, "arr", true, buf, sizeof(buf), NULL, &err), err, "arr",
	    "must be a string");
	BAD(jp_amount(p, "nope", true, buf, sizeof(buf), NULL, &err), err,
	    "nope", "nope is required");
	assert_int_equal(jp_amount(p, "nope", false, buf, sizeof(buf), &present,
	    &err), 0);
	assert_false(present);
	json_decref(p);
}

static void
test_pack(void **state)
{
	json_t *j;

	(void)state;
	j = jp_pack("{s:s, s:I, s:b}", "a", "x", "n", (json_int_t)5, "t", 1);
	assert_string_equal(json_string_value(json_object_get(j, "a")), "x");
	assert_true(json_integer_value(json_object_get(j, "n")) == 5);
	assert_true(json_is_true(json_object_get(j, "t")));
	json_decref(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_str),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_amount),
		cmocka_unit_test(test_pack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
