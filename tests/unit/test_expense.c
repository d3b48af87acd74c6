/* expense.* through the dispatcher: the JSON contract, exact money,
 * validation that names the field, filters, sorting and keyset pages. */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "testutil.h"
#include "domain.h"
#include "money.h"
#include "shapes.h"
#include "store_internal.h"
#include "util.h"

static int
setup(void **state)
{
	struct spendd *sd = tu_spendd();

	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"alice\"}"));
	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"bob\","
	    "\"currency\":\"JPY\",\"timezone\":\"Asia/Tokyo\"}"));
	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"cara\","
	    "\"currency\":\"BHD\"}"));
	*state = sd;
	return 0;
}

static int
teardown(void **state)
{
	tu_spendd_free(*state);
	return 0;
}

/* Add an expense for user from params; returns its id. */
static long long
add(struct spendd *sd, const char *user, const char *params)
{
	json_t *r = tu_ok(sd, user, "expense.add", params);
	long long id = tu_int(r, "id");

	json_decref(r);
	assert_true(id > 0);
	return id;
}

static json_t *
list(struct spendd *sd, const char *user, const char *params)
{
	return tu_ok(sd, user, "expense.list", params);
}

static void
test_shape(void **state)
{
	struct spendd *sd = *state;
	static const char *const keys[] = { "id", "amount", "currency",
	    "category", "date", "note", "payee", "tags", "version",
	    "created_at", "updated_at", "recurring_id", "category_auto",
	    "parts" };
	json_t *r;

	r = tu_ok(sd, "alice", "expense.add", "{\"amount\":\"12.5\","
	    "\"category\":\"food\",\"date\":\"2024-02-29\",\"note\":\"lunch\","
	    "\"payee\":\"Café Zoë\",\"tags\":[\"Work\",\"team\"]}");
	assert_int_equal(json_object_size(r), sizeof(keys) / sizeof(keys[0]));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_object_get(r, keys[i]) == NULL)
			fail_msg("no \"%s\" in an expense", keys[i]);
	assert_true(json_is_integer(json_object_get(r, "id")));
	/* amounts are decimal strings with the currency's decimals */
	assert_true(json_is_string(json_object_get(r, "amount")));
	assert_string_equal(tu_str(r, "amount"), "12.50");
	assert_string_equal(tu_str(r, "currency"), "EUR");
	/* not created by a recurring rule */
	assert_true(json_is_null(json_object_get(r, "recurring_id")));
	assert_string_equal(tu_str(r, "category"), "food");
	assert_string_equal(tu_str(r, "date"), "2024-02-29");
	assert_string_equal(tu_str(r, "note"), "lunch");
	assert_string_equal(tu_str(r, "payee"), "Café Zoë");
	assert_int_equal(json_array_size(json_object_get(r, "tags")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r,
	    "tags"), 0)), "work");
	assert_int_equal(tu_int(r, "version"), 1);
	assert_int_equal(strlen(tu_str(r, "created_at")), TIMESTAMP_LEN);
	assert_string_equal(tu_str(r, "created_at"), tu_str(r, "updated_at"));
	json_decref(r);
}

static void
test_defaults(void **state)
{
	struct spendd *sd = *state;
	char today[DATE_LEN + 1];
	json_t *r;

	/* the user's base currency, and today in the user's time zone */
	r = tu_ok(sd, "bob", "expense.add", "{\"amount\":\"1000\","
	    "\"category\":\"food\"}");
	assert_string_equal(tu_str(r, "currency"), "JPY");
	assert_string_equal(tu_str(r, "amount"), "1000");
	date_today("Asia/Tokyo", today);
	assert_string_equal(tu_str(r, "date"), today);
	assert_string_equal(tu_str(r, "note"), "");
	assert_string_equal(tu_str(r, "payee"), "");
	assert_int_equal(json_array_size(json_object_get(r, "tags")), 0);
	json_decref(r);
	/* currency codes are taken in any case, trimmed */
	r = tu_ok(sd, "alice", "expense.add", "{\"amount\":\" 3 \","
	    "\"currency\":\" usd \",\"category\":\"FOOD\"}");
	assert_string_equal(tu_str(r, "currency"), "USD");
	assert_string_equal(tu_str(r, "amount"), "3.00");
	assert_string_equal(tu_str(r, "category"), "food");
	json_decref(r);
	/* a category by id */
	r = tu_ok(sd, "alice", "category.get", "{\"name\":\"travel\"}");
	char p[128];
	snprintf(p, sizeof(p), "{\"amount\":\"1\",\"category\":%lld}",
	    tu_int(r, "id"));
	json_decref(r);
	r = tu_ok(sd, "alice", "expense.add", p);
	assert_string_equal(tu_str(r, "category"), "travel");
	json_decref(r);
	/* negative amounts are refunds */
	r = tu_ok(sd, "alice", "expense.add", "{\"amount\":\"-4.99\","
	    "\"category\":\"food\"}");
	assert_string_equal(tu_str(r, "amount"), "-4.99");
	json_decref(r);
}

/* 0.10 + 0.20 is exactly 0.30. */
static void
test_cents(void **state)
{
	struct spendd *sd = *state;
	json_t *r;

	add(sd, "alice", "{\"amount\":\"0.10\",\"category\":\"food\","
	    "\"date\":\"2024-05-01\"}");
	add(sd, "alice", "{\"amount\":\"0.20\",\"category\":\"food\","
	    "\"date\":\"2024-05-02\"}");
	r = list(sd, "alice", "{\"month\":\"2024-05\"}");
	assert_int_equal(tu_int(r, "count"), 2);
	assert_string_equal(tu_str(json_object_get(r, "sum"), "EUR"), "0.30");
	json_decref(r);
	/* and a thousand cents make ten euros */
	for (int i = 0; i < 1000; i++)
		add(sd, "cara", "{\"amount\":\"0.01\",\"currency\":\"EUR\","
		    "\"category\":\"food\",\"date\":\"2024-06-01\"}");
	r = list(sd, "cara", "{\"limit\":1}");
	assert_int_equal(tu_int(r, "count"), 1000);
	assert_string_equal(tu_str(json_object_get(r, "sum"), "EUR"), "10.00");
	assert_int_equal(json_array_size(json_object_get(r, "items")), 1);
	json_decref(r);
}

static void
test_currencies(void **state)
{
	struct spendd *sd = *state;
	json_t *r;

	r = tu_ok(sd, "cara", "expense.add", "{\"amount\":\"1.234\","
	    "\"category\":\"food\",\"date\":\"2024-01-01\"}");
	assert_string_equal(tu_str(r, "currency"), "BHD");
	assert_string_equal(tu_str(r, "amount"), "1.234");
	json_decref(r);
	r = tu_ok(sd, "cara", "expense.add", "{\"amount\":\"2.1\","
	    "\"category\":\"food\",\"date\":\"2024-01-01\"}");
	assert_string_equal(tu_str(r, "amount"), "2.100");
	json_decref(r);
	r = tu_ok(sd, "cara", "expense.add", "{\"amount\":\"0.0001\","
	    "\"currency\":\"CLF\",\"category\":\"food\",\"date\":\"2024-01-01\"}");
	assert_string_equal(tu_str(r, "amount"), "0.0001");
	json_decref(r);
	r = list(sd, "cara", "{}");
	assert_string_equal(tu_str(json_object_get(r, "sum"), "BHD"), "3.334");
	assert_string_equal(tu_str(json_object_get(r, "sum"), "CLF"), "0.0001");
	json_decref(r);
	TU_FAILS(sd, "cara", "expense.add", "{\"amount\":\"1.2345\","
	    "\"category\":\"food\"}", SPEND_EINVAL, "amount",
	    "too many decimals (this currency has 3)");
	TU_FAILS(sd, "bob", "expense.add", "{\"amount\":\"1000.5\","
	    "\"category\":\"food\"}", SPEND_EINVAL, "amount",
	    "this currency has no decimals");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1.5\","
	    "\"currency\":\"JPY\",\"category\":\"food\"}", SPEND_EINVAL,
	    "amount", "no decimals");
	/* the limit holds whatever the exponent */
	json_decref(tu_ok(sd, "bob", "expense.add", "{\"amount\":"
	    "\"100000000000000\",\"category\":\"food\"}"));
	TU_FAILS(sd, "bob", "expense.add", "{\"amount\":\"100000000000001\","
	    "\"category\":\"food\"}", SPEND_EINVAL, "amount", "too large");
}

static void
test_validation(void **state)
{
	struct spendd *sd = *state;
	char p[2048], big[1100];
	json_t *before = list(sd, "alice", "{}"), *after;

	TU_FAILS(sd, "alice", "expense.add", "{\"category\":\"food\"}",
	    SPEND_EINVAL, "amount", "amount is required");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":12.5,"
	    "\"category\":\"food\"}", SPEND_EINVAL, "amount", "not a JSON number");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":12,"
	    "\"category\":\"food\"}", SPEND_EINVAL, "amount", "not a JSON number");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"12,5x\","
	    "\"category\":\"food\"}", SPEND_EINVAL, "amount",
	    "amount \"12,5x\": not a decimal number");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1e3\","
	    "\"category\":\"food\"}", SPEND_EINVAL, "amount", "exponents");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"NaN\","
	    "\"category\":\"food\"}", SPEND_EINVAL, "amount", "not a decimal");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"\","
	    "\"category\":\"food\"}", SPEND_EINVAL, "amount", "empty");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"0\","
	    "\"category\":\"food\"}", SPEND_EINVAL, "amount", "not be zero");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"-0.00\","
	    "\"category\":\"food\"}", SPEND_EINVAL, "amount", "not be zero");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":null,"
	    "\"category\":\"food\"}", SPEND_EINVAL, "amount", "required");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"currency\":\"XYZ\",\"category\":\"food\"}", SPEND_EINVAL,
	    "currency", "currency \"XYZ\": not an ISO 4217 code");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"currency\":\"EURO\",\"category\":\"food\"}", SPEND_EINVAL,
	    "currency", "currency");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"currency\":978,\"category\":\"food\"}", SPEND_EINVAL,
	    "currency", "must be a string");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\",\"date\":\"2023-02-29\"}", SPEND_EINVAL,
	    "date", "date \"2023-02-29\": not a calendar date");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\",\"date\":\"yesterday\"}", SPEND_EINVAL,
	    "date", "not a calendar date");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\",\"date\":\"2024-01-01T10:00:00Z\"}",
	    SPEND_EINVAL, "date", "date");
	/* (without a category: the rules, or uncategorised: test_rule.c) */
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"nope\"}", SPEND_ENOTFOUND, "category",
	    "no such category \"nope\"");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":999999}", SPEND_ENOTFOUND, "category", "category");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":true}", SPEND_EINVAL, "category", "string");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":0}", SPEND_EINVAL, "category", "not a category id");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":-3}", SPEND_EINVAL, "category", "not a category id");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\",\"note\":\"bell\\u0007\"}", SPEND_EINVAL,
	    "note", "control characters");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\",\"payee\":\"two\\nlines\"}", SPEND_EINVAL,
	    "payee", "control characters");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\",\"payee\":5}", SPEND_EINVAL, "payee",
	    "must be a string");
	memset(big, 'n', 1001);
	big[1001] = '\0';
	snprintf(p, sizeof(p), "{\"amount\":\"1\",\"category\":\"food\","
	    "\"note\":\"%s\"}", big);
	TU_FAILS(sd, "alice", "expense.add", p, SPEND_EINVAL, "note",
	    "note is too long (1001 bytes, at most 1000)");
	big[201] = '\0';
	snprintf(p, sizeof(p), "{\"amount\":\"1\",\"category\":\"food\","
	    "\"payee\":\"%s\"}", big);
	TU_FAILS(sd, "alice", "expense.add", p, SPEND_EINVAL, "payee",
	    "at most 200");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\",\"tags\":\"a,b\"}", SPEND_EINVAL, "tags",
	    "array");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\",\"tags\":[1]}", SPEND_EINVAL, "tags",
	    "strings");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\",\"tags\":[\"a b\"]}", SPEND_EINVAL, "tags",
	    "no spaces");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\",\"tags\":[\"a,b\"]}", SPEND_EINVAL, "tags",
	    "commas");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\",\"tags\":[\"\"]}", SPEND_EINVAL, "tags",
	    "1 to 32 bytes");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\",\"tags\":[\"abcdefghijklmnopqrstuvwxyz1234567\"]}",
	    SPEND_EINVAL, "tags", "1 to 32 bytes");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\",\"tags\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\","
	    "\"g\",\"h\",\"i\",\"j\",\"k\",\"l\",\"m\",\"n\",\"o\",\"p\",\"q\"]}",
	    SPEND_EINVAL, "tags", "at most 16 tags");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\",\"colour\":\"red\"}", SPEND_EINVAL, "colour",
	    "unknown parameter \"colour\"");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category_id\":1}", SPEND_EINVAL, "category_id", "unknown");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\",\"id\":7}", SPEND_EINVAL, "id", "unknown");
	/* nothing of the above was stored */
	after = list(sd, "alice", "{}");
	assert_true(json_equal(before, after));
	json_decref(before);
	json_decref(after);
}

static void
test_tags(void **state)
{
	struct spendd *sd = *state;
	json_t *r, *t;

	/* lower case, duplicates collapse, first order kept */
	r = tu_ok(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\",\"tags\":[\"B\",\"a\",\"b\",\"Été\","
	    "\"abcdefghijklmnopqrstuvwxyz123456\"]}");
	t = json_object_get(r, "tags");
	assert_int_equal(json_array_size(t), 4);
	assert_string_equal(json_string_value(json_array_get(t, 0)), "b");
	assert_string_equal(json_string_value(json_array_get(t, 1)), "a");
	assert_string_equal(json_string_value(json_array_get(t, 2)), "Été");
	json_decref(r);
	/* 16 distinct tags fit */
	r = tu_ok(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\",\"tags\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\","
	    "\"g\",\"h\",\"i\",\"j\",\"k\",\"l\",\"m\",\"n\",\"o\",\"p\"]}");
	assert_int_equal(json_array_size(json_object_get(r, "tags")), 16);
	json_decref(r);
	r = tu_ok(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\",\"tags\":[]}");
	assert_int_equal(json_array_size(json_object_get(r, "tags")), 0);
	json_decref(r);
}

static void
test_get_edit_delete(void **state)
{
	struct spendd *sd = *state;
	char p[256];
	json_t *r;
	long long id;

	id = add(sd, "alice", "{\"amount\":\"12.00\",\"category\":\"food\","
	    "\"date\":\"2024-03-03\",\"note\":\"n\",\"payee\":\"p\","
	    "\"tags\":[\"x\"]}");
	snprintf(p, sizeof(p), "{\"id\":%lld}", id);
	r = tu_ok(sd, "alice", "expense.get", p);
	assert_string_equal(tu_str(r, "amount"), "12.00");
	json_decref(r);
	snprintf(p, sizeof(p), "{\"id\":\"%lld\"}", id);	/* CLI style */
	json_decref(tu_ok(sd, "alice", "expense.get", p));
	TU_FAILS(sd, "alice", "expense.get", "{}", SPEND_EINVAL, "id",
	    "id is required");
	TU_FAILS(sd, "alice", "expense.get", "{\"id\":0}", SPEND_EINVAL, "id",
	    "between");
	TU_FAILS(sd, "alice", "expense.get", "{\"id\":\"abc\"}", SPEND_EINVAL,
	    "id", "not an integer");
	TU_FAILS(sd, "alice", "expense.get", "{\"id\":1.5}", SPEND_EINVAL, "id",
	    "integer");
	TU_FAILS(sd, "alice", "expense.get", "{\"id\":987654}", SPEND_ENOTFOUND,
	    "id", "no such expense 987654");

	/* edit: only what is given changes; version moves */
	snprintf(p, sizeof(p), "{\"id\":%lld,\"note\":\"new\",\"version\":1}", id);
	r = tu_ok(sd, "alice", "expense.edit", p);
	assert_string_equal(tu_str(r, "note"), "new");
	assert_string_equal(tu_str(r, "payee"), "p");
	assert_string_equal(tu_str(r, "amount"), "12.00");
	assert_string_equal(tu_str(r, "date"), "2024-03-03");
	assert_int_equal(json_array_size(json_object_get(r, "tags")), 1);
	assert_int_equal(tu_int(r, "version"), 2);
	json_decref(r);
	/* a stale version is refused and changes nothing */
	snprintf(p, sizeof(p), "{\"id\":%lld,\"note\":\"lost\",\"version\":1}",
	    id);
	TU_FAILS(sd, "alice", "expense.edit", p, SPEND_ESTALE, "version",
	    "now version 2, you sent 1");
	snprintf(p, sizeof(p), "{\"id\":%lld,\"amount\":\"7.5\","
	    "\"category\":\"travel\",\"date\":\"2024-03-04\",\"payee\":\"\","
	    "\"tags\":[]}", id);
	r = tu_ok(sd, "alice", "expense.edit", p);
	assert_string_equal(tu_str(r, "note"), "new");
	assert_string_equal(tu_str(r, "amount"), "7.50");
	assert_string_equal(tu_str(r, "category"), "travel");
	assert_string_equal(tu_str(r, "payee"), "");
	assert_int_equal(json_array_size(json_object_get(r, "tags")), 0);
	assert_int_equal(tu_int(r, "version"), 3);
	json_decref(r);
	/* validation on edit names the field too */
	snprintf(p, sizeof(p), "{\"id\":%lld,\"amount\":\"0\"}", id);
	TU_FAILS(sd, "alice", "expense.edit", p, SPEND_EINVAL, "amount", "zero");
	snprintf(p, sizeof(p), "{\"id\":%lld,\"date\":\"2024-02-30\"}", id);
	TU_FAILS(sd, "alice", "expense.edit", p, SPEND_EINVAL, "date", "date");
	snprintf(p, sizeof(p), "{\"id\":%lld,\"category\":0}", id);
	TU_FAILS(sd, "alice", "expense.edit", p, SPEND_EINVAL, "category",
	    "not a category id");
	snprintf(p, sizeof(p), "{\"id\":%lld,\"category\":\"nope\"}", id);
	TU_FAILS(sd, "alice", "expense.edit", p, SPEND_ENOTFOUND, "category",
	    "nope");
	snprintf(p, sizeof(p), "{\"id\":%lld,\"bogus\":1}", id);
	TU_FAILS(sd, "alice", "expense.edit", p, SPEND_EINVAL, "bogus",
	    "unknown");
	snprintf(p, sizeof(p), "{\"id\":%lld,\"version\":0}", id);
	TU_FAILS(sd, "alice", "expense.edit", p, SPEND_EINVAL, "version",
	    "between");

	/* delete: version checked, then gone */
	snprintf(p, sizeof(p), "{\"id\":%lld,\"version\":1}", id);
	TU_FAILS(sd, "alice", "expense.delete", p, SPEND_ESTALE, "version",
	    "changed meanwhile");
	snprintf(p, sizeof(p), "{\"id\":%lld,\"version\":3}", id);
	r = tu_ok(sd, "alice", "expense.delete", p);
	assert_int_equal(tu_int(r, "id"), id);
	assert_true(json_is_true(json_object_get(r, "deleted")));
	json_decref(r);
	snprintf(p, sizeof(p), "{\"id\":%lld}", id);
	TU_FAILS(sd, "alice", "expense.get", p, SPEND_ENOTFOUND, "id",
	    "no such expense");
	TU_FAILS(sd, "alice", "expense.delete", p, SPEND_ENOTFOUND, "id",
	    "no such expense");
	snprintf(p, sizeof(p), "{\"id\":%lld,\"note\":\"zombie\"}", id);
	TU_FAILS(sd, "alice", "expense.edit", p, SPEND_ENOTFOUND, "id",
	    "no such expense");
}

/* Changing only the currency keeps the number when the new currency can
 * hold it, and says why when it cannot. */
static void
test_edit_currency(void **state)
{
	struct spendd *sd = *state;
	char p[128];
	json_t *r;
	long long a, b;

	a = add(sd, "alice", "{\"amount\":\"12.50\",\"category\":\"food\"}");
	b = add(sd, "alice", "{\"amount\":\"12.00\",\"category\":\"food\"}");
	snprintf(p, sizeof(p), "{\"id\":%lld,\"currency\":\"USD\"}", a);
	r = tu_ok(sd, "alice", "expense.edit", p);
	assert_string_equal(tu_str(r, "amount"), "12.50");
	assert_string_equal(tu_str(r, "currency"), "USD");
	json_decref(r);
	snprintf(p, sizeof(p), "{\"id\":%lld,\"currency\":\"BHD\"}", a);
	r = tu_ok(sd, "alice", "expense.edit", p);
	assert_string_equal(tu_str(r, "amount"), "12.500");
	json_decref(r);
	snprintf(p, sizeof(p), "{\"id\":%lld,\"currency\":\"JPY\"}", a);
	TU_FAILS(sd, "alice", "expense.edit", p, SPEND_EINVAL, "amount",
	    "no decimals");
	snprintf(p, sizeof(p), "{\"id\":%lld,\"currency\":\"JPY\"}", b);
	r = tu_ok(sd, "alice", "expense.edit", p);
	assert_string_equal(tu_str(r, "amount"), "12");
	assert_string_equal(tu_str(r, "currency"), "JPY");
	json_decref(r);
	/* and with a new amount in the same call */
	snprintf(p, sizeof(p), "{\"id\":%lld,\"currency\":\"JPY\","
	    "\"amount\":\"1300\"}", a);
	r = tu_ok(sd, "alice", "expense.edit", p);
	assert_string_equal(tu_str(r, "amount"), "1300");
	json_decref(r);
}

static void
test_archived_category(void **state)
{
	struct spendd *sd = *state;
	char p[128];
	long long id;

	id = add(sd, "alice", "{\"amount\":\"1\",\"category\":\"health\"}");
	json_decref(tu_ok(sd, "alice", "category.archive",
	    "{\"name\":\"health\"}"));
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"health\"}", SPEND_EINVAL, "category",
	    "category \"health\" is archived");
	/* an expense already there can still be edited, and moved out */
	snprintf(p, sizeof(p), "{\"id\":%lld,\"note\":\"still here\"}", id);
	json_decref(tu_ok(sd, "alice", "expense.edit", p));
	snprintf(p, sizeof(p), "{\"id\":%lld,\"category\":\"food\"}", id);
	json_decref(tu_ok(sd, "alice", "expense.edit", p));
	/* but not moved back in */
	snprintf(p, sizeof(p), "{\"id\":%lld,\"category\":\"health\"}", id);
	TU_FAILS(sd, "alice", "expense.edit", p, SPEND_EINVAL, "category",
	    "archived");
}

/* ---- list ---- */

static void
seed(struct spendd *sd)
{
	static const char *const rows[] = {
		"{\"amount\":\"10.00\",\"category\":\"food\",\"date\":\"2024-01-31\","
		"\"payee\":\"Bakery\",\"note\":\"100% rye\",\"tags\":[\"bread\"]}",
		"{\"amount\":\"20.00\",\"category\":\"food\",\"date\":\"2024-02-01\","
		"\"payee\":\"Bakery_2\",\"note\":\"rye\"}",
		"{\"amount\":\"1500\",\"currency\":\"JPY\",\"category\":\"travel\","
		"\"date\":\"2024-02-15\",\"payee\":\"Train\",\"tags\":[\"Trip\"]}",
		"{\"amount\":\"1.234\",\"currency\":\"BHD\",\"category\":\"travel\","
		"\"date\":\"2024-02-29\",\"payee\":\"souk\",\"note\":\"1_000 beads\","
		"\"tags\":[\"trip\",\"gift\"]}",
		"{\"amount\":\"-5.00\",\"category\":\"food\",\"date\":\"2024-03-01\","
		"\"payee\":\"refund\"}",
		"{\"amount\":\"10.00\",\"currency\":\"USD\",\"category\":\"bills\","
		"\"date\":\"2024-02-10\",\"payee\":\"Phone\"}",
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		add(sd, "alice", rows[i]);
	/* noise from another user */
	add(sd, "bob", "{\"amount\":\"999\",\"category\":\"food\","
	    "\"date\":\"2024-02-10\",\"payee\":\"Bakery\",\"note\":\"rye\"}");
}

static long long
count_of(struct spendd *sd, const char *params)
{
	json_t *r = list(sd, "alice", params);
	long long n = tu_int(r, "count");

	/* items agree with count when everything fits */
	if (n <= 50)
		assert_int_equal(json_array_size(json_object_get(r, "items")),
		    (size_t)n);
	json_decref(r);
	return n;
}

static void
test_list_filters(void **state)
{
	struct spendd *sd = *state;
	json_t *r, *sum;

	seed(sd);
	r = list(sd, "alice", "{}");
	assert_int_equal(tu_int(r, "count"), 6);
	sum = json_object_get(r, "sum");
	assert_int_equal(json_object_size(sum), 4);
	assert_string_equal(tu_str(sum, "EUR"), "25.00");
	assert_string_equal(tu_str(sum, "JPY"), "1500");
	assert_string_equal(tu_str(sum, "BHD"), "1.234");
	assert_string_equal(tu_str(sum, "USD"), "10.00");
	assert_true(json_is_null(json_object_get(r, "next_cursor")));
	/* newest first by default */
	assert_string_equal(tu_str(json_array_get(json_object_get(r, "items"),
	    0), "date"), "2024-03-01");
	json_decref(r);

	/* month, from/to */
	assert_int_equal(count_of(sd, "{\"month\":\"2024-02\"}"), 4);
	assert_int_equal(count_of(sd, "{\"month\":\"2024-01\"}"), 1);
	assert_int_equal(count_of(sd, "{\"month\":\"2023-02\"}"), 0);
	assert_int_equal(count_of(sd, "{\"from\":\"2024-02-01\",\"to\":"
	    "\"2024-02-15\"}"), 3);
	assert_int_equal(count_of(sd, "{\"from\":\"2024-02-29\"}"), 2);
	assert_int_equal(count_of(sd, "{\"to\":\"2024-01-31\"}"), 1);
	assert_int_equal(count_of(sd, "{\"from\":\"2024-02-15\",\"to\":"
	    "\"2024-02-15\"}"), 1);
	TU_FAILS(sd, "alice", "expense.list", "{\"month\":\"2024-13\"}",
	    SPEND_EINVAL, "month", "month \"2024-13\": expected YYYY-MM");
	TU_FAILS(sd, "alice", "expense.list", "{\"month\":\"2024-02\","
	    "\"from\":\"2024-02-01\"}", SPEND_EINVAL, "month", "not both");
	TU_FAILS(sd, "alice", "expense.list", "{\"from\":\"2024-02-30\"}",
	    SPEND_EINVAL, "from", "not a calendar date");
	TU_FAILS(sd, "alice", "expense.list", "{\"to\":\"02/03/2024\"}",
	    SPEND_EINVAL, "to", "not a calendar date");
	TU_FAILS(sd, "alice", "expense.list", "{\"from\":\"2024-03-01\","
	    "\"to\":\"2024-02-01\"}", SPEND_EINVAL, "to", "before from");

	/* category by name or id */
	assert_int_equal(count_of(sd, "{\"category\":\"food\"}"), 3);
	assert_int_equal(count_of(sd, "{\"category\":\"TRAVEL\"}"), 2);
	r = tu_ok(sd, "alice", "category.get", "{\"name\":\"bills\"}");
	char p[128];
	snprintf(p, sizeof(p), "{\"category\":%lld}", tu_int(r, "id"));
	json_decref(r);
	assert_int_equal(count_of(sd, p), 1);
	TU_FAILS(sd, "alice", "expense.list", "{\"category\":\"nope\"}",
	    SPEND_ENOTFOUND, "category", "nope");
	TU_FAILS(sd, "alice", "expense.list", "{\"category\":0}",
	    SPEND_EINVAL, "category", "not a category id");
	TU_FAILS(sd, "alice", "expense.list", "{\"category\":987654}",
	    SPEND_ENOTFOUND, "category", "no such category");

	/* search: note or payee, any case, LIKE metacharacters literal */
	assert_int_equal(count_of(sd, "{\"search\":\"bakery\"}"), 2);
	assert_int_equal(count_of(sd, "{\"search\":\"RYE\"}"), 2);
	assert_int_equal(count_of(sd, "{\"search\":\"%\"}"), 1);
	assert_int_equal(count_of(sd, "{\"search\":\"_\"}"), 2);
	assert_int_equal(count_of(sd, "{\"search\":\"y_2\"}"), 1);
	assert_int_equal(count_of(sd, "{\"search\":\"y%2\"}"), 0);
	assert_int_equal(count_of(sd, "{\"search\":\"0%\"}"), 1);
	assert_int_equal(count_of(sd, "{\"search\":\"zzz\"}"), 0);

	/* amounts across currencies, on their face value */
	assert_int_equal(count_of(sd, "{\"min\":\"10\"}"), 4);
	assert_int_equal(count_of(sd, "{\"min\":\"10\",\"max\":\"20\"}"), 3);
	assert_int_equal(count_of(sd, "{\"max\":\"1.234\"}"), 2);
	assert_int_equal(count_of(sd, "{\"max\":\"1.2339\"}"), 1);
	assert_int_equal(count_of(sd, "{\"max\":\"-0.01\"}"), 1);
	assert_int_equal(count_of(sd, "{\"min\":\"1500\"}"), 1);
	assert_int_equal(count_of(sd, "{\"min\":\"10\",\"currency\":\"EUR\"}"),
	    2);
	TU_FAILS(sd, "alice", "expense.list", "{\"min\":10}", SPEND_EINVAL,
	    "min", "not a JSON number");
	TU_FAILS(sd, "alice", "expense.list", "{\"min\":\"ten\"}", SPEND_EINVAL,
	    "min", "not a decimal number");
	TU_FAILS(sd, "alice", "expense.list", "{\"max\":\"1,5\"}", SPEND_EINVAL,
	    "max", "not a decimal number");

	/* currency, tag */
	assert_int_equal(count_of(sd, "{\"currency\":\"EUR\"}"), 3);
	assert_int_equal(count_of(sd, "{\"currency\":\"eur\"}"), 3);
	assert_int_equal(count_of(sd, "{\"currency\":\"GBP\"}"), 0);
	TU_FAILS(sd, "alice", "expense.list", "{\"currency\":\"XYZ\"}",
	    SPEND_EINVAL, "currency", "XYZ");
	assert_int_equal(count_of(sd, "{\"tag\":\"trip\"}"), 2);
	assert_int_equal(count_of(sd, "{\"tag\":\"TRIP\"}"), 2);
	assert_int_equal(count_of(sd, "{\"tag\":\"tri\"}"), 0);
	assert_int_equal(count_of(sd, "{\"tag\":\"gift\"}"), 1);
	assert_int_equal(count_of(sd, "{\"tag\":\"trip\",\"currency\":\"BHD\"}"),
	    1);
	/* a filter tag is one tag: a comma cannot match two of them */
	TU_FAILS(sd, "alice", "expense.list", "{\"tag\":\"trip,gift\"}",
	    SPEND_EINVAL, "tag", "one tag");

	/* sums follow the filter */
	r = list(sd, "alice", "{\"category\":\"food\"}");
	assert_string_equal(tu_str(json_object_get(r, "sum"), "EUR"), "25.00");
	assert_int_equal(json_object_size(json_object_get(r, "sum")), 1);
	json_decref(r);
	r = list(sd, "alice", "{\"search\":\"nothing matches\"}");
	assert_int_equal(json_object_size(json_object_get(r, "sum")), 0);
	assert_int_equal(tu_int(r, "count"), 0);
	json_decref(r);

	TU_FAILS(sd, "alice", "expense.list", "{\"page\":2}", SPEND_EINVAL,
	    "page", "unknown parameter");
}

static void
test_list_sort(void **state)
{
	struct spendd *sd = *state;
	json_t *r, *items;

	seed(sd);
	r = list(sd, "alice", "{\"sort\":\"amount\"}");	/* desc */
	items = json_object_get(r, "items");
	assert_string_equal(tu_str(json_array_get(items, 0), "amount"), "1500");
	assert_string_equal(tu_str(json_array_get(items, 5), "amount"), "-5.00");
	json_decref(r);
	r = list(sd, "alice", "{\"sort\":\"amount\",\"order\":\"asc\"}");
	items = json_object_get(r, "items");
	assert_string_equal(tu_str(json_array_get(items, 0), "amount"), "-5.00");
	assert_string_equal(tu_str(json_array_get(items, 1), "amount"), "1.234");
	json_decref(r);
	r = list(sd, "alice", "{\"sort\":\"payee\"}");	/* asc by default */
	items = json_object_get(r, "items");
	assert_string_equal(tu_str(json_array_get(items, 0), "payee"), "Bakery");
	json_decref(r);
	r = list(sd, "alice", "{\"sort\":\"date\",\"order\":\"asc\"}");
	items = json_object_get(r, "items");
	assert_string_equal(tu_str(json_array_get(items, 0), "date"),
	    "2024-01-31");
	json_decref(r);
	json_decref(list(sd, "alice", "{\"sort\":\"created\"}"));
	TU_FAILS(sd, "alice", "expense.list", "{\"sort\":\"size\"}",
	    SPEND_EINVAL, "sort", "use date, amount, created or payee");
	TU_FAILS(sd, "alice", "expense.list", "{\"order\":\"up\"}",
	    SPEND_EINVAL, "order", "use asc or desc");
	TU_FAILS(sd, "alice", "expense.list", "{\"limit\":0}", SPEND_EINVAL,
	    "limit", "between 1 and 500");
	TU_FAILS(sd, "alice", "expense.list", "{\"limit\":501}", SPEND_EINVAL,
	    "limit", "between 1 and 500");
	TU_FAILS(sd, "alice", "expense.list", "{\"limit\":\"ten\"}",
	    SPEND_EINVAL, "limit", "not an integer");
	json_decref(list(sd, "alice", "{\"limit\":500}"));
	json_decref(list(sd, "alice", "{\"limit\":\"5\"}"));
}

/* Page through many rows with next_cursor in every sort and order:
 * every row once, count and sum of the whole set on every page. */
static void
test_list_pages(void **state)
{
	static const char *const sorts[] = { "date", "amount", "created",
	    "payee" };
	static const char *const payees[] = { "A", "b", "B", "", "Zz", "a|b" };
	struct spendd *sd = *state;
	const int N = 203;
	char p[1024];

	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"pager\"}"));
	assert_int_equal(store_begin(sd->store, &(struct spend_err){ 0 }), 0);
	for (int i = 0; i < N; i++) {
		char date[DATE_LEN + 1];

		date_add_days("2024-01-01", i % 13, date);
		snprintf(p, sizeof(p), "{\"amount\":\"%d.%02d\",\"category\":"
		    "\"food\",\"date\":\"%s\",\"payee\":\"%s\"}", i % 7 + 1, i % 3,
		    date, payees[i % 6]);
		add(sd, "pager", p);
	}
	assert_int_equal(store_commit(sd->store, &(struct spend_err){ 0 }), 0);

	for (size_t s = 0; s < 4; s++)
		for (int o = 0; o < 2; o++) {
			bool seen[1024] = { false };
			char cursor[600] = "";
			int total = 0, pages = 0;

			for (;;) {
				json_t *r, *items, *nc;
				size_t i;
				json_t *it;

				snprintf(p, sizeof(p), "{\"sort\":\"%s\",\"order\":"
				    "\"%s\",\"limit\":17%s%s%s}", sorts[s],
				    o ? "asc" : "desc", cursor[0] ?
				    ",\"cursor\":\"" : "", cursor,
				    cursor[0] ? "\"" : "");
				r = list(sd, "pager", p);
				assert_int_equal(tu_int(r, "count"), N);
				items = json_object_get(r, "items");
				json_array_foreach(items, i, it) {
					long long id = tu_int(it, "id");
					assert_true(id > 0 && id < 1024);
					if (seen[id])
						fail_msg("%s %s: id %lld twice",
						    sorts[s], o ? "asc" : "desc",
						    id);
					seen[id] = true;
					total++;
				}
				pages++;
				nc = json_object_get(r, "next_cursor");
				if (json_is_null(nc)) {
					json_decref(r);
					break;
				}
				assert_int_equal(json_array_size(items), 17);
				strlcpy(cursor, json_string_value(nc),
				    sizeof(cursor));
				json_decref(r);
			}
			assert_int_equal(total, N);
			assert_int_equal(pages, (N + 16) / 17);
		}
}

static void
test_cursor_errors(void **state)
{
	struct spendd *sd = *state;
	char p[1024], cursor[600];
	json_t *r;

	for (int i = 0; i < 5; i++)
		add(sd, "alice", "{\"amount\":\"1\",\"category\":\"food\"}");
	r = list(sd, "alice", "{\"limit\":2,\"sort\":\"amount\"}");
	strlcpy(cursor, tu_str(r, "next_cursor"), sizeof(cursor));
	json_decref(r);
	assert_true(cursor[0] != '\0');
	/* the same sort and order: fine, whatever else changes */
	snprintf(p, sizeof(p), "{\"sort\":\"amount\",\"cursor\":\"%s\"}", cursor);
	json_decref(list(sd, "alice", p));
	/* another sort or order: refused */
	snprintf(p, sizeof(p), "{\"sort\":\"date\",\"cursor\":\"%s\"}", cursor);
	TU_FAILS(sd, "alice", "expense.list", p, SPEND_EINVAL, "cursor",
	    "another sort order");
	snprintf(p, sizeof(p), "{\"sort\":\"amount\",\"order\":\"asc\","
	    "\"cursor\":\"%s\"}", cursor);
	TU_FAILS(sd, "alice", "expense.list", p, SPEND_EINVAL, "cursor",
	    "another sort order");
	TU_FAILS(sd, "alice", "expense.list", "{\"cursor\":\"garbage!\"}",
	    SPEND_EINVAL, "cursor", "cursor is not valid");
	TU_FAILS(sd, "alice", "expense.list", "{\"cursor\":\"\"}",
	    SPEND_EINVAL, "cursor", "not valid");
	TU_FAILS(sd, "alice", "expense.list", "{\"cursor\":\"djF8ZGF0ZQ\"}",
	    SPEND_EINVAL, "cursor", "not valid");	/* "v1|date" */
	TU_FAILS(sd, "alice", "expense.list", "{\"cursor\":5}", SPEND_EINVAL,
	    "cursor", "string");
}

/* A second user sees nothing of the first's, by any door. */
static void
test_isolation(void **state)
{
	struct spendd *sd = *state;
	char p[256];
	json_t *r;
	long long id, cat;

	id = add(sd, "alice", "{\"amount\":\"42\",\"category\":\"food\","
	    "\"note\":\"secret\"}");
	r = tu_ok(sd, "alice", "category.add", "{\"name\":\"private\"}");
	cat = tu_int(r, "id");
	json_decref(r);
	r = list(sd, "bob", "{}");
	assert_int_equal(tu_int(r, "count"), 0);
	assert_int_equal(json_object_size(json_object_get(r, "sum")), 0);
	json_decref(r);
	assert_int_equal(count_of(sd, "{\"search\":\"secret\"}"), 1);
	r = list(sd, "bob", "{\"search\":\"secret\"}");
	assert_int_equal(tu_int(r, "count"), 0);
	json_decref(r);
	snprintf(p, sizeof(p), "{\"id\":%lld}", id);
	TU_FAILS(sd, "bob", "expense.get", p, SPEND_ENOTFOUND, "id", "no such");
	TU_FAILS(sd, "bob", "expense.delete", p, SPEND_ENOTFOUND, "id",
	    "no such");
	snprintf(p, sizeof(p), "{\"id\":%lld,\"amount\":\"1\"}", id);
	TU_FAILS(sd, "bob", "expense.edit", p, SPEND_ENOTFOUND, "id", "no such");
	snprintf(p, sizeof(p), "{\"amount\":\"1\",\"category\":%lld}", cat);
	TU_FAILS(sd, "bob", "expense.add", p, SPEND_ENOTFOUND, "category",
	    "no such category");
	TU_FAILS(sd, "bob", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"private\"}", SPEND_ENOTFOUND, "category",
	    "no such category");
	snprintf(p, sizeof(p), "{\"category\":%lld}", cat);
	TU_FAILS(sd, "bob", "expense.list", p, SPEND_ENOTFOUND, "category",
	    "no such category");
	/* alice's expense is untouched */
	snprintf(p, sizeof(p), "{\"id\":%lld}", id);
	r = tu_ok(sd, "alice", "expense.get", p);
	assert_string_equal(tu_str(r, "amount"), "42.00");
	assert_int_equal(tu_int(r, "version"), 1);
	json_decref(r);
}

/* min/max compare on a 4-decimal scale up to the largest storable amount,
 * and their errors name the filter, not "amount". */
static void
test_list_amount_range_limits(void **state)
{
	struct spendd *sd = *state;
	json_t *r;

	add(sd, "alice", "{\"amount\":\"50000000000\",\"currency\":\"JPY\","
	    "\"category\":\"travel\"}");
	add(sd, "alice", "{\"amount\":\"12.00\",\"category\":\"food\"}");
	r = list(sd, "alice", "{\"min\":\"20000000000\"}");
	assert_int_equal(tu_int(r, "count"), 1);
	json_decref(r);
	r = list(sd, "alice", "{\"max\":\"100000000000000\"}");
	assert_int_equal(tu_int(r, "count"), 2);
	json_decref(r);
	TU_FAILS(sd, "alice", "expense.list", "{\"min\":\"abc\"}",
	    SPEND_EINVAL, "min", "min \"abc\"");
	TU_FAILS(sd, "alice", "expense.list", "{\"max\":\"100000000000001\"}",
	    SPEND_EINVAL, "max", "too large");
}

/* ---- expense.list's reply: written as text, the same as the tree ---- */

/* The reply as expense.list built it before it wrote text (a json_t
 * tree from expense_json, dumped): the reference. */
struct tree_ctx {
	json_t *items, *sum;
	int64_t count;
};

static int
tree_row(void *arg, const struct expense *e)
{
	return json_array_append_new(((struct tree_ctx *)arg)->items,
	    expense_json(e)) ? SPEND_ENOMEM : 0;
}

static int
tree_total(void *arg, const struct expense_total *t)
{
	struct tree_ctx *tc = arg;
	const struct currency *cur = money_currency(t->currency);
	char buf[MONEY_STR_MAX];

	money_format(t->sum, cur ? cur->exponent : 2, buf, sizeof(buf));
	json_object_set_new(tc->sum, t->currency, json_string(buf));
	tc->count += t->count;
	return 0;
}

static json_t *
tree_list(struct spendd *sd, int64_t uid, const char *params)
{
	struct tree_ctx tc = { json_array(), json_object(), 0 };
	struct expense_filter f;
	struct spend_err err;
	char next[EXPENSE_CURSOR_MAX];
	json_t *p = json_loads(params, 0, NULL), *res;
	const char *cursor = json_string_value(json_object_get(p, "cursor"));
	json_int_t limit = json_integer_value(json_object_get(p, "limit"));

	assert_non_null(p);
	if (expense_filter_from_json(sd->store, uid, p, &f, &err) < 0 ||
	    expense_list(sd->store, uid, &f, limit ? (int)limit : 50, cursor,
	    tree_row, tree_total, &tc, next, &err) < 0)
		fail_msg("reference list %s: %s", params, err.msg);
	res = json_pack("{s:o, s:I, s:o}", "items", tc.items, "count",
	    (json_int_t)tc.count, "sum", tc.sum);
	json_object_set_new(res, "next_cursor", next[0] ? json_string(next) :
	    json_null());
	json_decref(p);
	return res;
}

struct text_reply {
	int calls;
	char *text;
};

static void
text_reply(char *text, size_t len, void *arg)
{
	struct text_reply *r = arg;

	assert_int_equal(strlen(text), len);
	r->calls++;
	r->text = text;
}

/* expense.list with params over the dispatcher as the socket and /rpc
 * run it (text replies) and through rpc_invoke as a unit test does (a
 * json_t): both the same as the reference, the text byte for byte.
 * Returns the reference's next_cursor (malloc'd) or NULL. */
static char *
same_list(struct spendd *sd, int64_t uid, const char *user, const char *params)
{
	static const struct rpc_identity sock = { .role = ROLE_ADMIN,
	    .socket_admin = true, .transport = "unix", .peer = "uid 0" };
	json_t *want = tree_list(sd, uid, params), *env, *got;
	json_t *p = json_loads(params, 0, NULL), *req;
	struct text_reply r = { 0, NULL };
	char *want_text, *req_text, *next;

	json_object_set_new(p, "user", json_string(user));
	req = json_pack("{s:s, s:s, s:O, s:i}", "jsonrpc", "2.0", "method",
	    "expense.list", "params", p, "id", 7);
	req_text = json_dumps(req, JSON_COMPACT);
	rpc_dispatch_text(sd, &sock, req_text, strlen(req_text), text_reply, &r);
	assert_int_equal(r.calls, 1);
	env = json_pack("{s:s, s:O, s:i}", "jsonrpc", "2.0", "result", want,
	    "id", 7);
	want_text = json_dumps(env, JSON_COMPACT);
	if (strcmp(r.text, want_text) != 0)
		fail_msg("%s:\n got %s\nwant %s", params, r.text, want_text);
	/* and in a batch, next to another reply */
	free(r.text);
	free(req_text);
	req_text = NULL;
	{
		json_t *batch = json_pack("[O, {s:s, s:s, s:i}]", req,
		    "jsonrpc", "2.0", "method", "daemon.version", "id", 8);
		json_t *arr;

		req_text = json_dumps(batch, JSON_COMPACT);
		r.calls = 0;
		rpc_dispatch_text(sd, &sock, req_text, strlen(req_text),
		    text_reply, &r);
		assert_int_equal(r.calls, 1);
		assert_memory_equal(r.text, "[", 1);
		if (strncmp(r.text + 1, want_text, strlen(want_text)) != 0)
			fail_msg("%s in a batch:\n got %s\nwant %s", params,
			    r.text, want_text);
		arr = json_loads(r.text, 0, NULL);
		assert_int_equal(json_array_size(arr), 2);
		json_decref(arr);
		json_decref(batch);
		free(r.text);
	}
	got = list(sd, user, params);
	assert_true(json_equal(got, want));
	next = json_is_string(json_object_get(want, "next_cursor")) ?
	    strdup(json_string_value(json_object_get(want, "next_cursor"))) :
	    NULL;
	json_decref(got);
	free(want_text);
	free(req_text);
	json_decref(env);
	json_decref(req);
	json_decref(p);
	json_decref(want);
	return next;
}

static void
test_list_reply_text(void **state)
{
	struct spendd *sd = *state;
	json_t *u = tu_ok(sd, NULL, "user.get", "{\"name\":\"alice\"}");
	int64_t uid = tu_int(u, "id");
	struct spend_err err;
	long long id, rule;
	char params[256], *cursor;
	int pages = 0;

	json_decref(u);
	/* rows of every kind: tags, a split with notes, unicode and
	 * escapes, empty fields, other currencies, refunds, a category a
	 * rule chose, one a recurring rule made */
	add(sd, "alice", "{\"amount\":\"12.50\",\"category\":\"food\","
	    "\"date\":\"2025-01-02\",\"note\":\"caf\\u00e9 \\\"cr\\u00e8me\\\"\\t"
	    "tab\\nline \\\\ /slash\",\"payee\":\"Z\\u00f6e \\u6771\\u4eac "
	    "\\ud83d\\ude00\",\"tags\":[\"work\",\"\\u00e9picerie\",\"\\u6771"
	    "\\u4eac\"]}");
	add(sd, "alice", "{\"amount\":\"-3.00\",\"category\":\"food\","
	    "\"date\":\"2025-01-03\"}");
	add(sd, "alice", "{\"amount\":\"1000\",\"currency\":\"JPY\","
	    "\"category\":\"transport\",\"date\":\"2025-01-03\",\"note\":\"\","
	    "\"payee\":\"\"}");
	add(sd, "alice", "{\"amount\":\"1.234\",\"currency\":\"BHD\","
	    "\"date\":\"2025-01-04\",\"payee\":\"no category given\"}");
	add(sd, "alice", "{\"amount\":\"30.00\",\"date\":\"2025-01-05\","
	    "\"note\":\"split\",\"parts\":[{\"amount\":\"10.00\",\"category\":"
	    "\"food\",\"note\":\"\\u00e9 part\"},{\"amount\":\"20.00\","
	    "\"category\":\"transport\"}],\"tags\":[\"kids\"]}");
	id = add(sd, "alice", "{\"amount\":\"9.99\",\"category\":\"bills\","
	    "\"date\":\"2025-01-06\",\"note\":\"monthly\"}");
	u = tu_ok(sd, "alice", "recurring.add", "{\"amount\":\"9.99\","
	    "\"category\":\"bills\",\"every\":\"month\",\"start\":"
	    "\"2025-02-06\"}");
	rule = tu_int(u, "id");
	json_decref(u);
	if (store_recurring_link(sd->store, id, rule, "2025-01-06", &err) < 0)
		fail_msg("store_recurring_link: %s", err.msg);
	for (int i = 0; i < 20; i++) {
		snprintf(params, sizeof(params), "{\"amount\":\"%d.%02d\","
		    "\"category\":\"food\",\"date\":\"2025-02-%02d\","
		    "\"note\":\"n%d\\n\"}", i + 1, i, i % 28 + 1, i);
		add(sd, "alice", params);
	}

	/* the rows above are all there, of the kinds meant */
	u = list(sd, "alice", "{\"limit\":500}");
	assert_int_equal(tu_int(u, "count"), 26);
	{
		size_t i;
		json_t *e;
		int split = 0, rec = 0, autocat = 0;

		json_array_foreach(json_object_get(u, "items"), i, e) {
			split += json_array_size(json_object_get(e, "parts")) == 2;
			rec += json_is_integer(json_object_get(e, "recurring_id"));
			autocat += json_is_true(json_object_get(e, "category_auto"));
		}
		assert_int_equal(split, 1);
		assert_int_equal(rec, 1);
		assert_true(autocat >= 1);
	}
	json_decref(u);

	free(same_list(sd, uid, "alice", "{}"));
	free(same_list(sd, uid, "alice", "{\"limit\":500}"));
	free(same_list(sd, uid, "alice", "{\"search\":\"caf\\u00e9\"}"));
	free(same_list(sd, uid, "alice", "{\"currency\":\"JPY\"}"));
	free(same_list(sd, uid, "alice", "{\"tag\":\"work\"}"));
	free(same_list(sd, uid, "alice", "{\"month\":\"1999-01\"}"));	/* none */
	free(same_list(sd, uid, "alice", "{\"sort\":\"payee\",\"order\":\"asc\"}"));
	u = tu_ok(sd, NULL, "user.get", "{\"name\":\"bob\"}");
	free(same_list(sd, tu_int(u, "id"), "bob", "{}"));	/* none */
	json_decref(u);
	/* page by 4: every page the same, cursors included */
	cursor = same_list(sd, uid, "alice", "{\"limit\":4}");
	while (cursor) {
		snprintf(params, sizeof(params), "{\"limit\":4,\"cursor\":\"%s\"}",
		    cursor);
		free(cursor);
		cursor = same_list(sd, uid, "alice", params);
		pages++;
	}
	assert_int_equal(pages, 6);
}

/* A stored row the writer cannot write (a note that is not UTF-8, as
 * only a damaged database could hold): the list fails, naming why, as
 * spendd's error; it does not come back short. */
static void
test_list_bad_row(void **state)
{
	struct spendd *sd = *state;
	struct spend_err err;
	long long id;
	char q[128];

	add(sd, "alice", "{\"amount\":\"1.00\",\"category\":\"food\","
	    "\"date\":\"2025-01-01\",\"note\":\"fine\"}");
	id = add(sd, "alice", "{\"amount\":\"2.00\",\"category\":\"food\","
	    "\"date\":\"2025-01-02\",\"note\":\"fine\"}");
	json_decref(list(sd, "alice", "{}"));
	snprintf(q, sizeof(q), "UPDATE expenses SET note = "
	    "CAST(X'6F6BC3' AS TEXT) WHERE id = %lld", id);
	assert_int_equal(sqlite3_exec(sd->store->db, q, NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(tu_call_err(sd, "alice", "expense.list", "{}", NULL,
	    &err), SPEND_EINTERNAL);
	if (strstr(err.msg, "not UTF-8") == NULL)
		fail_msg("%s", err.msg);
	/* a page without it is fine */
	json_decref(list(sd, "alice", "{\"to\":\"2025-01-01\"}"));
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_shape),
		T(test_defaults),
		T(test_cents),
		T(test_currencies),
		T(test_validation),
		T(test_tags),
		T(test_get_edit_delete),
		T(test_edit_currency),
		T(test_archived_category),
		T(test_list_filters),
		T(test_list_amount_range_limits),
		T(test_list_sort),
		T(test_list_pages),
		T(test_cursor_errors),
		T(test_isolation),
		T(test_list_reply_text),
		T(test_list_bad_row),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
