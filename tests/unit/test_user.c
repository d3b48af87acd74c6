/* user.* through the dispatcher: accounts made by an administrator. */
#include <stdio.h>
#include <string.h>

#include "testutil.h"

static int
setup(void **state)
{
	*state = tu_spendd();
	return 0;
}

static int
teardown(void **state)
{
	tu_spendd_free(*state);
	return 0;
}

static void
test_add(void **state)
{
	struct spendd *sd = *state;
	static const char *const keys[] = { "id", "name", "role", "currency",
	    "timezone", "has_password", "version", "created_at", "updated_at" };
	json_t *r;

	r = tu_ok(sd, NULL, "user.add", "{\"name\":\"alice\"}");
	assert_int_equal(json_object_size(r), sizeof(keys) / sizeof(keys[0]));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_object_get(r, keys[i]) == NULL)
			fail_msg("no \"%s\" in a user", keys[i]);
	/* the configured defaults */
	assert_string_equal(tu_str(r, "name"), "alice");
	assert_string_equal(tu_str(r, "role"), "user");
	assert_string_equal(tu_str(r, "currency"), "EUR");
	assert_string_equal(tu_str(r, "timezone"), "UTC");
	assert_true(json_is_false(json_object_get(r, "has_password")));
	assert_int_equal(tu_int(r, "version"), 1);
	assert_null(json_object_get(r, "pwhash"));
	json_decref(r);

	r = tu_ok(sd, NULL, "user.add", "{\"name\":\"Bob.Smith-2_x\","
	    "\"role\":\"admin\",\"currency\":\"JPY\","
	    "\"timezone\":\"Asia/Tokyo\"}");
	assert_string_equal(tu_str(r, "name"), "Bob.Smith-2_x");
	assert_string_equal(tu_str(r, "role"), "admin");
	assert_string_equal(tu_str(r, "currency"), "JPY");
	assert_string_equal(tu_str(r, "timezone"), "Asia/Tokyo");
	json_decref(r);

	/* other defaults from the configuration */
	strlcpy(sd->cfg.default_currency, "CHF", sizeof(sd->cfg.default_currency));
	strlcpy(sd->cfg.default_timezone, "Europe/Zurich",
	    sizeof(sd->cfg.default_timezone));
	r = tu_ok(sd, NULL, "user.add", "{\"name\":\"carl\"}");
	assert_string_equal(tu_str(r, "currency"), "CHF");
	assert_string_equal(tu_str(r, "timezone"), "Europe/Zurich");
	json_decref(r);
	r = tu_ok(sd, "carl", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\"}");
	assert_string_equal(tu_str(r, "currency"), "CHF");
	json_decref(r);
}

static void
test_names(void **state)
{
	struct spendd *sd = *state;
	static const char *const good[] = { "a", "Z", "0", "9lives", "a.b",
	    "a_b", "a-b", "a..b", "x-" };
	static const char *const bad[] = { "", "-bob", ".bob", "_bob",
	    "bo b", "bob!", "bob/x", "b\\u00f6b", "bob\\n", "b@b",
	    "b:b" };
	char p[256], n65[80];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(p, sizeof(p), "{\"name\":\"%s\"}", good[i]);
		json_decref(tu_ok(sd, NULL, "user.add", p));
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct spend_err err;

		snprintf(p, sizeof(p), "{\"name\":\"%s\"}", bad[i]);
		if (tu_call_err(sd, NULL, "user.add", p, NULL, &err) !=
		    SPEND_EINVAL)
			fail_msg("user name %s accepted", bad[i]);
		assert_string_equal(err.field, "name");
	}
	memset(n65, 'n', 65);
	n65[64] = '\0';
	snprintf(p, sizeof(p), "{\"name\":\"%s\"}", n65);
	json_decref(tu_ok(sd, NULL, "user.add", p));
	n65[64] = 'n';
	n65[65] = '\0';
	snprintf(p, sizeof(p), "{\"name\":\"%s\"}", n65);
	TU_FAILS(sd, NULL, "user.add", p, SPEND_EINVAL, "name", "too long");
	TU_FAILS(sd, NULL, "user.add", "{}", SPEND_EINVAL, "name",
	    "name is required");
	/* unique without regard to case */
	TU_FAILS(sd, NULL, "user.add", "{\"name\":\"A\"}", SPEND_ECONFLICT,
	    "name", "already exists");
	TU_FAILS(sd, NULL, "user.add", "{\"name\":\"9LIVES\"}", SPEND_ECONFLICT,
	    "name", "already exists");
}

static void
test_fields(void **state)
{
	struct spendd *sd = *state;
	json_t *r;

	TU_FAILS(sd, NULL, "user.add", "{\"name\":\"x\",\"role\":\"root\"}",
	    SPEND_EINVAL, "role", "must be admin or user");
	TU_FAILS(sd, NULL, "user.add", "{\"name\":\"x\",\"currency\":\"XYZ\"}",
	    SPEND_EINVAL, "currency", "not an ISO 4217 code");
	TU_FAILS(sd, NULL, "user.add", "{\"name\":\"x\",\"currency\":5}",
	    SPEND_EINVAL, "currency", "must be a string");
	TU_FAILS(sd, NULL, "user.add", "{\"name\":\"x\",\"timezone\":"
	    "\"Mars/Olympus\"}", SPEND_EINVAL, "timezone", "not a known zone");
	TU_FAILS(sd, NULL, "user.add", "{\"name\":\"x\",\"timezone\":"
	    "\"../../etc/passwd\"}", SPEND_EINVAL, "timezone", "zone");
	TU_FAILS(sd, NULL, "user.add", "{\"name\":\"x\",\"shell\":\"/bin/sh\"}",
	    SPEND_EINVAL, "shell", "unknown parameter");
	/* none of those made a user */
	r = tu_ok(sd, NULL, "user.list", "{}");
	assert_int_equal(tu_int(r, "count"), 0);
	assert_int_equal(json_array_size(json_object_get(r, "items")), 0);
	json_decref(r);
}

static void
test_list_get_edit(void **state)
{
	struct spendd *sd = *state;
	json_t *r, *items;

	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"carol\"}"));
	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"Alice\"}"));
	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"bob\"}"));
	r = tu_ok(sd, NULL, "user.list", "{}");
	items = json_object_get(r, "items");
	assert_int_equal(tu_int(r, "count"), 3);
	assert_string_equal(tu_str(json_array_get(items, 0), "name"), "Alice");
	assert_string_equal(tu_str(json_array_get(items, 1), "name"), "bob");
	assert_string_equal(tu_str(json_array_get(items, 2), "name"), "carol");
	json_decref(r);
	TU_FAILS(sd, NULL, "user.list", "{\"x\":1}", SPEND_EINVAL, "x",
	    "unknown parameter");

	r = tu_ok(sd, NULL, "user.get", "{\"name\":\"ALICE\"}");
	assert_string_equal(tu_str(r, "name"), "Alice");
	json_decref(r);
	TU_FAILS(sd, NULL, "user.get", "{\"name\":\"nobody\"}", SPEND_ENOTFOUND,
	    "user", "no such user \"nobody\"");
	TU_FAILS(sd, NULL, "user.get", "{}", SPEND_EINVAL, "name", "required");

	r = tu_ok(sd, NULL, "user.edit", "{\"name\":\"bob\",\"currency\":\"GBP\","
	    "\"timezone\":\"Europe/London\",\"version\":1}");
	assert_string_equal(tu_str(r, "currency"), "GBP");
	assert_string_equal(tu_str(r, "timezone"), "Europe/London");
	assert_string_equal(tu_str(r, "role"), "user");
	assert_int_equal(tu_int(r, "version"), 2);
	json_decref(r);
	r = tu_ok(sd, NULL, "user.edit", "{\"name\":\"bob\",\"role\":\"admin\"}");
	assert_string_equal(tu_str(r, "role"), "admin");
	assert_string_equal(tu_str(r, "currency"), "GBP");
	json_decref(r);
	TU_FAILS(sd, NULL, "user.edit", "{\"name\":\"bob\",\"currency\":\"USD\","
	    "\"version\":1}", SPEND_ESTALE, "version", "changed meanwhile");
	TU_FAILS(sd, NULL, "user.edit", "{\"name\":\"bob\",\"currency\":\"US\"}",
	    SPEND_EINVAL, "currency", "ISO 4217");
	TU_FAILS(sd, NULL, "user.edit", "{\"name\":\"bob\",\"role\":\"god\"}",
	    SPEND_EINVAL, "role", "admin or user");
	TU_FAILS(sd, NULL, "user.edit", "{\"name\":\"zed\",\"role\":\"user\"}",
	    SPEND_ENOTFOUND, "user", "zed");
	TU_FAILS(sd, NULL, "user.edit", "{\"name\":\"bob\",\"newname\":\"x\"}",
	    SPEND_EINVAL, "newname", "unknown parameter");
	r = tu_ok(sd, NULL, "user.get", "{\"name\":\"bob\"}");
	assert_string_equal(tu_str(r, "currency"), "GBP");
	json_decref(r);
	/* new expenses take the new base currency */
	r = tu_ok(sd, "bob", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\"}");
	assert_string_equal(tu_str(r, "currency"), "GBP");
	json_decref(r);
}

static void
test_delete(void **state)
{
	struct spendd *sd = *state;
	json_t *r;

	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"dora\"}"));
	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"eve\"}"));
	json_decref(tu_ok(sd, "dora", "expense.add", "{\"amount\":\"9\","
	    "\"category\":\"food\",\"note\":\"old life\"}"));
	json_decref(tu_ok(sd, "dora", "category.add", "{\"name\":\"mine\"}"));
	json_decref(tu_ok(sd, "dora", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\",\"idempotency_key\":\"k\"}"));
	json_decref(tu_ok(sd, "eve", "expense.add", "{\"amount\":\"2\","
	    "\"category\":\"food\"}"));

	r = tu_ok(sd, NULL, "user.delete", "{\"name\":\"DORA\"}");
	assert_string_equal(tu_str(r, "name"), "dora");
	assert_true(json_is_true(json_object_get(r, "deleted")));
	json_decref(r);
	TU_FAILS(sd, NULL, "user.get", "{\"name\":\"dora\"}", SPEND_ENOTFOUND,
	    "user", "dora");
	TU_FAILS(sd, NULL, "user.delete", "{\"name\":\"dora\"}", SPEND_ENOTFOUND,
	    "user", "dora");
	TU_FAILS(sd, "dora", "expense.list", "{}", SPEND_ENOTFOUND, "user",
	    "dora");

	/* a new dora starts empty: nothing of the old one shows through */
	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"dora\"}"));
	r = tu_ok(sd, "dora", "expense.list", "{}");
	assert_int_equal(tu_int(r, "count"), 0);
	json_decref(r);
	TU_FAILS(sd, "dora", "category.get", "{\"name\":\"mine\"}",
	    SPEND_ENOTFOUND, "category", "mine");
	r = tu_ok(sd, "dora", "category.list", "{}");
	assert_int_equal(tu_int(r, "count"), 9);	/* and uncategorised */
	json_decref(r);
	/* her idempotency keys went too: the same key makes a new expense */
	r = tu_ok(sd, "dora", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\",\"idempotency_key\":\"k\"}");
	json_decref(r);
	r = tu_ok(sd, "dora", "expense.list", "{}");
	assert_int_equal(tu_int(r, "count"), 1);
	json_decref(r);
	/* eve untouched */
	r = tu_ok(sd, "eve", "expense.list", "{}");
	assert_int_equal(tu_int(r, "count"), 1);
	json_decref(r);
}

static void
test_admin_only(void **state)
{
	struct spendd *sd = *state;
	static const char *const methods[] = { "user.add", "user.list",
	    "user.get", "user.edit", "user.delete" };
	struct rpc_identity id = { .role = ROLE_USER, .transport = "http" };
	json_t *r = tu_ok(sd, NULL, "user.add", "{\"name\":\"u\"}");

	id.uid = tu_int(r, "id");
	json_decref(r);
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		struct tu_reply rep = { 0 };
		json_t *p = json_pack("{s:s}", "name", "u");

		rpc_invoke(sd, &id, methods[i], p, tu_done, &rep);
		json_decref(p);
		assert_true(rep.done);
		assert_null(rep.result);
		assert_int_equal(rep.err.code, SPEND_EPERM);
	}
	r = tu_ok(sd, NULL, "user.get", "{\"name\":\"u\"}");
	assert_string_equal(tu_str(r, "role"), "user");
	json_decref(r);
}

/* jansson's allocations from big_fail bytes on fail (0: none). */
static size_t big_fail;

static void *
big_malloc(size_t n)
{
	return big_fail && n >= big_fail ? NULL : malloc(n);
}

/* A list that cannot grow (its array of 600 past 4 KiB) fails with "out
 * of memory"; it does not come back short (docs/HACKING.md, "Out of
 * memory"). */
static void
test_list_out_of_memory(void **state)
{
	struct spendd *sd = *state;
	json_t *r;

	for (int i = 0; i < 600; i++) {
		char p[64];

		snprintf(p, sizeof(p), "{\"name\":\"u%03d\"}", i);
		json_decref(tu_ok(sd, NULL, "user.add", p));
	}
	json_set_alloc_funcs(big_malloc, free);
	big_fail = 4096;
	TU_FAILS(sd, NULL, "user.list", "{}", SPEND_ENOMEM, "",
	    "out of memory");
	big_fail = 0;
	json_set_alloc_funcs(malloc, free);
	r = tu_ok(sd, NULL, "user.list", "{}");
	assert_int_equal(tu_int(r, "count"), 600);
	json_decref(r);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_add),
		T(test_names),
		T(test_fields),
		T(test_list_get_edit),
		T(test_delete),
		T(test_admin_only),
		T(test_list_out_of_memory),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
