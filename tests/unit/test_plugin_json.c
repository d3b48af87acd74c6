/* json exporter against the mock host. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "mock_host.h"
#include "../../plugins/json/json.c"
#include "../../plugins/common/out.c"
#include "../../plugins/common/utf8.c"

struct fx {
	struct mock_host mh;
	struct spend_export job;
	const struct spend_exporter *ex;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_int_equal(mh_open(&f->mh, "json", spend_plugin_init, NULL, 0),
	    0);
	f->ex = mh_exporter(&f->mh, "json");
	assert_non_null(f->ex);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	mh_export_free(&f->job);
	mh_free(&f->mh);
	free(f);
	return 0;
}

/* Run the exporter over n records; returns its result. */
static int
run(struct fx *f, const struct spend_record *recs, size_t n)
{
	return mh_run_export(&f->mh, f->ex, &f->job, recs, n);
}

static json_t *
parse(struct fx *f)
{
	json_error_t e;
	json_t *j;

	assert_non_null(f->job.out);
	j = json_loadb(f->job.out, f->job.outlen, 0, &e);
	if (j == NULL)
		fail_msg("not JSON (%s at %d): %s", e.text, e.position,
		    f->job.out);
	assert_true(json_is_array(j));
	return j;
}

static void
test_exact_shape(void **state)
{
	struct fx *f = *state;
	static const char *const tags[] = { "work", "trip" };
	struct spend_record r = { .date = "2024-03-05", .amount = "12.50",
	    .currency = "EUR", .category = "Food", .note = "lunch",
	    .payee = "Café", .tags = tags, .ntags = 2, .id = 7, .version = 3,
	    .created_at = "2024-03-05T10:00:00.000Z",
	    .updated_at = "2024-03-06T10:00:00.000Z" };

	assert_int_equal(run(f, &r, 1), 0);
	assert_string_equal(f->job.out, "[\n"
	    "{\"id\":7,\"amount\":\"12.50\",\"currency\":\"EUR\","
	    "\"category\":\"Food\",\"date\":\"2024-03-05\",\"note\":\"lunch\","
	    "\"payee\":\"Café\",\"tags\":[\"work\",\"trip\"],\"version\":3,"
	    "\"created_at\":\"2024-03-05T10:00:00.000Z\","
	    "\"updated_at\":\"2024-03-06T10:00:00.000Z\",\"parts\":[]}\n]\n");
}

/* A split carries its parts, as expense.get shows them. */
static void
test_split_parts(void **state)
{
	struct fx *f = *state;
	struct spend_record r[] = {
		{ .date = "2024-03-05", .amount = "20.00", .currency = "EUR",
		    .category = "food", .id = 1 },
		{ .date = "2024-03-06", .amount = "1.00", .currency = "EUR",
		    .category = "food", .id = 2 },
	};
	static const struct spend_part p0[] = {
		{ .amount = "12.00", .category = "food", .note = "bread",
		    .amount_minor = 1200, .category_id = 3 },
		{ .amount = "8.00", .category = "household", .note = NULL,
		    .amount_minor = 800, .category_id = 4 },
	};
	const struct spend_part *const parts[] = { p0, NULL };
	const size_t nparts[] = { 2, 0 };
	json_t *j, *ps;

	mh_export_free(&f->job);
	mh_export_init(&f->job, r, 2);
	f->job.parts = parts;
	f->job.nparts = nparts;
	assert_int_equal(f->ex->run(&f->mh.plugin, &f->job), 0);
	j = parse(f);
	ps = json_object_get(json_array_get(j, 0), "parts");
	assert_int_equal(json_array_size(ps), 2);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(ps, 0), "amount")), "12.00");
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(ps, 0), "note")), "bread");
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(ps, 1), "category")), "household");
	assert_int_equal(json_integer_value(json_object_get(
	    json_array_get(ps, 1), "category_id")), 4);
	assert_int_equal(json_array_size(json_object_get(json_array_get(j, 1),
	    "parts")), 0);
	json_decref(j);
}

static void
test_empty(void **state)
{
	struct fx *f = *state;
	json_t *j;

	assert_int_equal(run(f, NULL, 0), 0);
	assert_string_equal(f->job.out, "[]\n");
	j = parse(f);
	assert_int_equal(json_array_size(j), 0);
	json_decref(j);
}

/* Amounts come from minor units with the currency's own decimals. */
static void
test_amounts(void **state)
{
	struct fx *f = *state;
	struct spend_record r[] = {
		{ .date = "2024-01-01", .amount = "1000", .currency = "JPY" },
		{ .date = "2024-01-02", .amount = "1.5", .currency = "BHD" },
		{ .date = "2024-01-03", .amount = "-0.05", .currency = "EUR" },
		{ .date = "2024-01-04", .amount = "999999999999.99",
		    .currency = "USD" },
		{ .date = "2024-01-05", .amount = "0", .currency = "EUR" },
	};
	static const char *const want[] = { "1000", "1.500", "-0.05",
	    "999999999999.99", "0.00" };
	json_t *j;
	size_t i;

	assert_int_equal(run(f, r, 5), 0);
	j = parse(f);
	assert_int_equal(json_array_size(j), 5);
	for (i = 0; i < 5; i++) {
		json_t *o = json_array_get(j, i);

		assert_string_equal(json_string_value(json_object_get(o,
		    "amount")), want[i]);
		assert_string_equal(json_string_value(json_object_get(o,
		    "currency")), r[i].currency);
		assert_int_equal(json_integer_value(json_object_get(o, "id")),
		    i + 1);
		assert_true(json_is_array(json_object_get(o, "tags")));
	}
	json_decref(j);
}

/* Every control character, quotes, backslashes and non-ASCII text come
 * back unchanged through a strict JSON parser. */
static void
test_escaping_roundtrip(void **state)
{
	struct fx *f = *state;
	char note[64], *p = note;
	static const char *const tags[] = { "a\"b", "c\\d" };
	struct spend_record r = { .date = "2024-01-01", .amount = "1",
	    .category = "x\"y\\z", .payee = "日本 ₹ \xe2\x80\xa8 </script>",
	    .note = note, .tags = tags, .ntags = 2 };
	json_t *j, *o;

	for (int c = 1; c < 0x20; c++)
		*p++ = (char)c;
	memcpy(p, "\"\\/\x7f end", sizeof("\"\\/\x7f end"));
	assert_int_equal(run(f, &r, 1), 0);
	/* raw control characters never reach the output */
	for (size_t i = 0; i < f->job.outlen; i++)
		if (f->job.out[i] != '\n')
			assert_true((unsigned char)f->job.out[i] >= 0x20);
	assert_non_null(strstr(f->job.out, "\\u2028"));
	assert_non_null(strstr(f->job.out, "\\u0001"));
	j = parse(f);
	o = json_array_get(j, 0);
	assert_string_equal(json_string_value(json_object_get(o, "note")), note);
	assert_string_equal(json_string_value(json_object_get(o, "payee")),
	    r.payee);
	assert_string_equal(json_string_value(json_object_get(o, "category")),
	    r.category);
	assert_string_equal(json_string_value(json_array_get(json_object_get(o,
	    "tags"), 1)), "c\\d");
	json_decref(j);
}

/* Bytes that are not UTF-8 must not make the file invalid JSON. */
static void
test_invalid_utf8(void **state)
{
	struct fx *f = *state;
	struct spend_record r = { .date = "2024-01-01", .amount = "1",
	    .note = "a\xff" "b\xc3" "c\xed\xa0\x80" "d\xc0\xaf" "e\xe2\x82" };
	json_t *j;

	assert_int_equal(run(f, &r, 1), 0);
	j = parse(f);
	assert_string_equal(json_string_value(json_object_get(json_array_get(j,
	    0), "note")), "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd"
	    "\xef\xbf\xbd\xef\xbf\xbd" "d\xef\xbf\xbd\xef\xbf\xbd"
	    "e\xef\xbf\xbd\xef\xbf\xbd");
	json_decref(j);
}

/* More than one buffer of output: streamed, complete, in order. */
static void
test_many(void **state)
{
	struct fx *f = *state;
	enum { N = 3000 };
	struct spend_record *r = calloc(N, sizeof(*r));
	char (*amt)[16] = calloc(N, 16);
	json_t *j;
	size_t i;

	for (i = 0; i < N; i++) {
		snprintf(amt[i], 16, "%zu.%02zu", i, i % 100);
		r[i] = (struct spend_record){ .date = "2024-01-01",
		    .amount = amt[i], .note = "a note long enough to take some "
		    "room in the output buffer" };
	}
	assert_int_equal(run(f, r, N), 0);
	assert_true(f->job.outlen > 2 * OUTBUF);
	j = parse(f);
	assert_int_equal(json_array_size(j), N);
	for (i = 0; i < N; i += 997)
		assert_string_equal(json_string_value(json_object_get(
		    json_array_get(j, i), "amount")), amt[i]);
	json_decref(j);
	free(r);
	free(amt);
}

static void
test_write_failure(void **state)
{
	struct fx *f = *state;
	struct spend_record r[50];

	for (size_t i = 0; i < 50; i++)
		r[i] = (struct spend_record){ .date = "2024-01-01",
		    .amount = "1", .note = "x" };
	mh_export_free(&f->job);
	mh_export_init(&f->job, r, 50);
	f->job.fail_write_at = 0;
	assert_int_equal(f->ex->run(&f->mh.plugin, &f->job), -1);
	assert_true(f->job.failed);
	assert_non_null(strstr(f->job.err_msg, "writing"));
}

static void
test_abi_mismatch(void **state)
{
	struct mock_host mh;

	(void)state;
	mh_init(&mh);
	mh.api.abi = SPEND_PLUGIN_ABI + 1;
	assert_int_equal(mh_load(&mh, spend_plugin_init), -1);
	assert_int_equal(mh.nexporters, 0);
	mh_init(&mh);
	mh.quiet = 1;
	mh.api.size = offsetof(struct spend_host_api, export_next);
	assert_int_equal(mh_load(&mh, spend_plugin_init), -1);
	assert_non_null(strstr(mh.log, "too old"));
	mh_free(&mh);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exact_shape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_parts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_amounts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escaping_roundtrip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_invalid_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_failure, setup, teardown),
		cmocka_unit_test(test_abi_mismatch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
