/* Rules: the matching as pure functions (accents, case, globs, order,
 * amount ranges, currency, source, tags accumulating), then through the
 * dispatcher: adds without a category, uncategorised, rule.test,
 * rule.apply that leaves hand-set categories alone, the suggested rule,
 * and the errors, which say what and where. */
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "domain.h"
#include "util.h"

/* ---- pure matching ---- */

static struct rule
mk(int64_t id, enum rule_op op, const char *payee, int64_t cat,
    const char *catname, const char *tags)
{
	struct rule r;

	memset(&r, 0, sizeof(r));
	r.id = id;
	r.position = id;
	r.payee_op = op;
	strlcpy(r.payee, payee ? payee : "", sizeof(r.payee));
	r.category_id = cat;
	strlcpy(r.category, catname ? catname : "", sizeof(r.category));
	r.category_usable = cat != 0;
	strlcpy(r.tags, tags ? tags : "", sizeof(r.tags));
	return r;
}

/* Does the one rule r match payee (amount minor units of currency)? */
static bool
one(const struct rule *r, const char *payee, int64_t amount,
    const char *currency, const char *source)
{
	struct rule_set *rs;
	struct rule_subject s = { payee, "", amount, currency, source };
	struct spend_err err;
	bool m;

	assert_int_equal(rule_set_of(r, 1, &rs, &err), 0);
	m = rule_set_matches(rs, 0, &s);
	rule_set_free(rs);
	return m;
}

static void
test_accents_and_case(void **state)
{
	struct rule r = mk(1, RULE_OP_CONTAINS, "cafe", 1, "food", NULL);
	struct rule u = mk(2, RULE_OP_CONTAINS, "CAFÉ", 1, "food", NULL);

	(void)state;
	assert_true(one(&r, "Café de Flore", 100, "EUR", NULL));
	assert_true(one(&r, "CAFE CENTRAL", 100, "EUR", NULL));
	assert_true(one(&r, "le petit café", 100, "EUR", NULL));
	assert_false(one(&r, "Kaffee", 100, "EUR", NULL));
	assert_false(one(&r, "caf", 100, "EUR", NULL));
	/* the rule's own text is folded too */
	assert_true(one(&u, "cafe", 100, "EUR", NULL));
	assert_true(one(&u, "Cafè", 100, "EUR", NULL));
}

static void
test_equals(void **state)
{
	struct rule r = mk(1, RULE_OP_EQUALS, "Stadtwerke München", 1, "bills",
	    NULL);

	(void)state;
	assert_true(one(&r, "STADTWERKE MÜNCHEN", 100, "EUR", NULL));
	assert_true(one(&r, "stadtwerke munchen", 100, "EUR", NULL));
	assert_false(one(&r, "Stadtwerke München GmbH", 100, "EUR", NULL));
	assert_false(one(&r, "Stadtwerke", 100, "EUR", NULL));
}

static void
test_globs(void **state)
{
	struct rule r = mk(1, RULE_OP_GLOB, "uber*", 1, "transport", NULL);
	struct rule q = mk(2, RULE_OP_GLOB, "amzn mktp de?[0-9]*", 1, "shop",
	    NULL);
	struct spend_err err;

	(void)state;
	assert_true(one(&r, "UBER *TRIP", 100, "EUR", NULL));
	assert_true(one(&r, "Über BV", 100, "EUR", NULL));
	assert_false(one(&r, "An Uber", 100, "EUR", NULL));
	assert_true(one(&q, "AMZN Mktp DE*2K4L", 100, "EUR", NULL));
	assert_false(one(&q, "AMZN Mktp DE*K4L", 100, "EUR", NULL));
	assert_int_equal(rule_glob_check("uber*", "payee_glob", &err), 0);
	assert_int_equal(rule_glob_check("[]x]*", "payee_glob", &err), 0);
	assert_int_equal(rule_glob_check("a[!b]c", "payee_glob", &err), 0);
	assert_int_equal(rule_glob_check("[abc", "payee_glob", &err),
	    SPEND_EINVAL);
	assert_string_equal(err.field, "payee_glob");
	assert_non_null(strstr(err.msg, "the [ at byte 1 is never closed"));
	assert_int_equal(rule_glob_check("ab\\", "note_glob", &err),
	    SPEND_EINVAL);
	assert_string_equal(err.field, "note_glob");
}

static void
test_amount_currency_source(void **state)
{
	struct rule r = mk(1, RULE_OP_NONE, NULL, 1, "food", NULL);

	(void)state;
	r.has_min = r.has_max = true;
	r.min_e4 = 100000;		/* 10 */
	r.max_e4 = 500000;		/* 50 */
	assert_false(one(&r, "x", 999, "EUR", NULL));
	assert_true(one(&r, "x", 1000, "EUR", NULL));
	assert_true(one(&r, "x", 5000, "EUR", NULL));
	assert_false(one(&r, "x", 5001, "EUR", NULL));
	/* face value in each currency's own decimals */
	assert_true(one(&r, "x", 20, "JPY", NULL));
	assert_false(one(&r, "x", 2000, "JPY", NULL));
	assert_true(one(&r, "x", 10000, "BHD", NULL));	/* 10.000 */
	assert_false(one(&r, "x", -2000, "EUR", NULL));	/* a refund */
	strlcpy(r.currency, "EUR", sizeof(r.currency));
	assert_true(one(&r, "x", 2000, "EUR", NULL));
	assert_false(one(&r, "x", 2000, "USD", NULL));
	strlcpy(r.source, "ofx", sizeof(r.source));
	assert_true(one(&r, "x", 2000, "EUR", "ofx"));
	assert_false(one(&r, "x", 2000, "EUR", "csv"));
	assert_false(one(&r, "x", 2000, "EUR", NULL));	/* added by hand */
}

static void
test_order_and_tags(void **state)
{
	struct rule rules[4] = {
		mk(1, RULE_OP_CONTAINS, "zz", 0, NULL, ",never,"),
		mk(2, RULE_OP_CONTAINS, "shop", 0, NULL, ",b,a,"),
		mk(3, RULE_OP_CONTAINS, "coffee", 7, "food", ",a,"),
		mk(4, RULE_OP_CONTAINS, "shop", 8, "shopping", ",c,"),
	};
	struct rule_subject s = { "Coffee Shop", "", 100, "EUR", NULL };
	struct rule_result res;
	struct rule_set *rs;
	struct spend_err err;

	(void)state;
	strlcpy(rules[3].rename, "The Shop", sizeof(rules[3].rename));
	assert_int_equal(rule_set_of(rules, 4, &rs, &err), 0);
	assert_int_equal(rule_eval(rs, &s, &res, &err), 0);
	assert_int_equal(res.nmatched, 3);
	assert_int_equal(res.first_id, 2);
	/* the first match with a category sets it */
	assert_int_equal(res.category_id, 7);
	assert_int_equal(res.category_rule, 3);
	assert_string_equal(res.category, "food");
	/* tags accumulate, in order, once each */
	assert_string_equal(res.tags, ",b,a,c,");
	assert_true(res.renamed);
	assert_string_equal(res.payee, "The Shop");
	rule_set_free(rs);

	/* another order, another category */
	rules[2].category_usable = false;	/* archived or deleted */
	assert_int_equal(rule_set_of(rules, 4, &rs, &err), 0);
	assert_int_equal(rule_eval(rs, &s, &res, &err), 0);
	assert_int_equal(res.category_id, 8);
	rule_set_free(rs);

	/* no rule, no match */
	s.payee = "nothing";
	assert_int_equal(rule_set_of(rules, 4, &rs, &err), 0);
	assert_int_equal(rule_eval(rs, &s, &res, &err), 0);
	assert_int_equal(res.nmatched, 0);
	assert_int_equal(res.category_id, 0);
	assert_string_equal(res.tags, "");
	rule_set_free(rs);
}

/* ---- through the dispatcher ---- */

static int
setup(void **state)
{
	struct spendd *sd = tu_spendd();

	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"alice\"}"));
	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"bob\"}"));
	*state = sd;
	return 0;
}

static int
teardown(void **state)
{
	tu_spendd_free(*state);
	return 0;
}

static json_t *
add(struct spendd *sd, const char *user, const char *params)
{
	return tu_ok(sd, user, "expense.add", params);
}

static void
test_add_without_category(void **state)
{
	struct spendd *sd = *state;
	json_t *r;

	r = add(sd, "alice", "{\"amount\":\"3\",\"payee\":\"Café Zoë\"}");
	assert_string_equal(tu_str(r, "category"), "uncategorised");
	assert_true(json_is_true(json_object_get(r, "category_auto")));
	json_decref(r);
	json_decref(tu_ok(sd, "alice", "rule.add", "{\"payee_contains\":"
	    "\"cafe\",\"category\":\"food\",\"tags\":[\"coffee\"],"
	    "\"rename\":\"Café\"}"));
	r = add(sd, "alice", "{\"amount\":\"3\",\"payee\":\"CAFE ZOE\"}");
	assert_string_equal(tu_str(r, "category"), "food");
	assert_string_equal(tu_str(r, "payee"), "Café");
	assert_int_equal(json_array_size(json_object_get(r, "tags")), 1);
	assert_true(json_is_true(json_object_get(r, "category_auto")));
	json_decref(r);
	/* a category given: the rules do not run */
	r = add(sd, "alice", "{\"amount\":\"3\",\"payee\":\"CAFE ZOE\","
	    "\"category\":\"health\"}");
	assert_string_equal(tu_str(r, "category"), "health");
	assert_string_equal(tu_str(r, "payee"), "CAFE ZOE");
	assert_int_equal(json_array_size(json_object_get(r, "tags")), 0);
	assert_true(json_is_false(json_object_get(r, "category_auto")));
	json_decref(r);
	/* bob has none of alice's rules */
	r = add(sd, "bob", "{\"amount\":\"3\",\"payee\":\"CAFE ZOE\"}");
	assert_string_equal(tu_str(r, "category"), "uncategorised");
	json_decref(r);
	/* an archived uncategorised still takes the rows */
	json_decref(tu_ok(sd, "bob", "category.archive",
	    "{\"name\":\"uncategorised\"}"));
	r = add(sd, "bob", "{\"amount\":\"4\",\"payee\":\"x\"}");
	assert_string_equal(tu_str(r, "category"), "uncategorised");
	json_decref(r);
	json_decref(tu_ok(sd, "bob", "category.unarchive",
	    "{\"name\":\"uncategorised\"}"));
	TU_FAILS(sd, "bob", "category.delete", "{\"name\":\"uncategorised\"}",
	    SPEND_EINVAL, "name", "cannot be deleted");
}

static void
test_rule_test_and_order(void **state)
{
	struct spendd *sd = *state;
	json_t *r;

	json_decref(tu_ok(sd, "bob", "rule.add", "{\"payee_contains\":"
	    "\"shop\",\"category\":\"shopping\",\"tags\":[\"s\"],"
	    "\"position\":5}"));
	/* position 1: before it (equal positions: the older first) */
	r = tu_ok(sd, "bob", "rule.add", "{\"payee_glob\":\"coffee*\","
	    "\"category\":\"food\",\"tags\":[\"c\"],\"position\":1}");
	assert_int_equal(tu_int(r, "position"), 1);
	json_decref(r);
	r = tu_ok(sd, "bob", "rule.test", "{\"payee\":\"Coffee Shop\"}");
	assert_string_equal(tu_str(r, "category"), "food");
	assert_int_equal(tu_int(r, "nmatched"), 2);
	assert_int_equal(json_array_size(json_object_get(r, "tags")), 2);
	json_decref(r);
	r = tu_ok(sd, "bob", "rule.test", "{\"payee\":\"Shopping\"}");
	assert_string_equal(tu_str(r, "category"), "shopping");
	json_decref(r);
	r = tu_ok(sd, "bob", "rule.test", "{\"payee\":\"Bakery\"}");
	assert_true(json_is_null(json_object_get(r, "category")));
	assert_true(json_is_true(json_object_get(r, "uncategorised")));
	json_decref(r);
	r = tu_ok(sd, "bob", "rule.list", "{}");
	assert_int_equal(tu_int(r, "count"), 2);
	assert_string_equal(tu_str(json_array_get(json_object_get(r, "items"),
	    0), "payee_glob"), "coffee*");
	json_decref(r);
}

static void
test_apply_keeps_hand_set(void **state)
{
	struct spendd *sd = *state;
	json_t *r;
	long long auto_id, hand_id, other_id;
	char p[256];

	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"cara\"}"));
	r = add(sd, "cara", "{\"amount\":\"5\",\"payee\":\"Zoo Berlin\","
	    "\"date\":\"2024-03-01\"}");
	auto_id = tu_int(r, "id");
	json_decref(r);
	r = add(sd, "cara", "{\"amount\":\"6\",\"payee\":\"Zoo Leipzig\","
	    "\"date\":\"2024-03-02\"}");
	hand_id = tu_int(r, "id");
	json_decref(r);
	r = add(sd, "cara", "{\"amount\":\"7\",\"payee\":\"Zoo Hamburg\","
	    "\"date\":\"2024-05-02\"}");
	other_id = tu_int(r, "id");
	json_decref(r);
	/* recategorised by hand, no rule for the payee: a suggestion */
	snprintf(p, sizeof(p), "{\"id\":%lld,\"category\":\"travel\"}",
	    hand_id);
	r = tu_ok(sd, "cara", "expense.edit", p);
	assert_false(json_is_true(json_object_get(r, "category_auto")));
	assert_string_equal(tu_str(json_object_get(r, "suggested_rule"),
	    "payee_contains"), "Zoo Leipzig");
	assert_string_equal(tu_str(json_object_get(r, "suggested_rule"),
	    "category"), "travel");
	json_decref(r);
	json_decref(tu_ok(sd, "cara", "rule.add", "{\"payee_contains\":\"zoo\","
	    "\"category\":\"entertainment\"}"));
	/* a rule matches now: no suggestion */
	snprintf(p, sizeof(p), "{\"id\":%lld,\"category\":\"bills\"}",
	    hand_id);
	r = tu_ok(sd, "cara", "expense.edit", p);
	assert_string_equal(tu_str(r, "category"), "bills");
	assert_null(json_object_get(r, "suggested_rule"));
	json_decref(r);
	/* a dry run changes nothing */
	r = tu_ok(sd, "cara", "rule.apply", "{\"dry_run\":true}");
	assert_int_equal(tu_int(r, "changed"), 2);
	json_decref(r);
	snprintf(p, sizeof(p), "{\"id\":%lld}", auto_id);
	r = tu_ok(sd, "cara", "expense.get", p);
	assert_string_equal(tu_str(r, "category"), "uncategorised");
	json_decref(r);
	/* a range */
	r = tu_ok(sd, "cara", "rule.apply", "{\"from\":\"2024-03-01\","
	    "\"to\":\"2024-03-31\"}");
	assert_int_equal(tu_int(r, "changed"), 1);
	json_decref(r);
	r = tu_ok(sd, "cara", "expense.get", p);
	assert_string_equal(tu_str(r, "category"), "entertainment");
	assert_true(json_is_true(json_object_get(r, "category_auto")));
	json_decref(r);
	snprintf(p, sizeof(p), "{\"id\":%lld}", other_id);
	r = tu_ok(sd, "cara", "expense.get", p);
	assert_string_equal(tu_str(r, "category"), "uncategorised");
	json_decref(r);
	r = tu_ok(sd, "cara", "rule.apply", "{}");
	assert_int_equal(tu_int(r, "changed"), 1);
	json_decref(r);
	/* the hand-set category survived every apply */
	snprintf(p, sizeof(p), "{\"id\":%lld}", hand_id);
	r = tu_ok(sd, "cara", "expense.get", p);
	assert_string_equal(tu_str(r, "category"), "bills");
	json_decref(r);
	r = tu_ok(sd, "cara", "rule.apply", "{}");
	assert_int_equal(tu_int(r, "changed"), 0);
	json_decref(r);
}

static void
test_errors(void **state)
{
	struct spendd *sd = *state;
	json_t *r;
	long long id;
	char p[64];

	TU_FAILS(sd, "alice", "rule.add", "{\"payee_contains\":\"x\","
	    "\"category\":\"nosuch\"}", SPEND_EINVAL, "category",
	    "no such category \"nosuch\"");
	TU_FAILS(sd, "alice", "rule.add", "{\"payee_glob\":\"[x\","
	    "\"category\":\"food\"}", SPEND_EINVAL, "payee_glob",
	    "payee_glob \"[x\": the [ at byte 1 is never closed");
	TU_FAILS(sd, "alice", "rule.add", "{\"note_glob\":\"a\\\\\","
	    "\"category\":\"food\"}", SPEND_EINVAL, "note_glob",
	    "escapes nothing");
	TU_FAILS(sd, "alice", "rule.add", "{\"payee_contains\":\"\","
	    "\"category\":\"food\"}", SPEND_EINVAL, "payee_contains",
	    "must not be empty");
	TU_FAILS(sd, "alice", "rule.add", "{\"payee_contains\":\"a\","
	    "\"payee_equals\":\"b\",\"category\":\"food\"}", SPEND_EINVAL,
	    "payee_equals", "one condition on the payee");
	TU_FAILS(sd, "alice", "rule.add", "{\"category\":\"food\"}",
	    SPEND_EINVAL, "payee_contains", "needs a condition");
	TU_FAILS(sd, "alice", "rule.add", "{\"payee_contains\":\"a\"}",
	    SPEND_EINVAL, "category", "needs an action");
	TU_FAILS(sd, "alice", "rule.add", "{\"amount_min\":\"1.5x\","
	    "\"category\":\"food\"}", SPEND_EINVAL, "amount_min", "1.5x");
	TU_FAILS(sd, "alice", "rule.add", "{\"amount_min\":\"10\","
	    "\"amount_max\":\"5\",\"category\":\"food\"}", SPEND_EINVAL,
	    "amount_max", "below amount_min");
	TU_FAILS(sd, "alice", "rule.add", "{\"currency\":\"EURO\","
	    "\"category\":\"food\"}", SPEND_EINVAL, "currency",
	    "not an ISO 4217 code");
	TU_FAILS(sd, "alice", "rule.add", "{\"source\":\"Bad Name\","
	    "\"category\":\"food\"}", SPEND_EINVAL, "source", "importer");
	TU_FAILS(sd, "alice", "rule.add", "{\"payee_contains\":\"a\","
	    "\"tags\":[\"two words\"]}", SPEND_EINVAL, "tags", "no spaces");
	TU_FAILS(sd, "alice", "rule.add", "{\"payee_contains\":\"a\","
	    "\"category\":\"food\",\"bogus\":1}", SPEND_EINVAL, "bogus", "");
	TU_FAILS(sd, "alice", "rule.apply", "{\"from\":\"2024-02-30\"}",
	    SPEND_EINVAL, "from", "");
	/* delete: once */
	r = tu_ok(sd, "alice", "rule.add", "{\"currency\":\"usd\","
	    "\"tags\":[\"abroad\"]}");
	assert_string_equal(tu_str(r, "currency"), "USD");
	id = tu_int(r, "id");
	json_decref(r);
	snprintf(p, sizeof(p), "{\"id\":%lld}", id);
	json_decref(tu_ok(sd, "alice", "rule.delete", p));
	TU_FAILS(sd, "alice", "rule.delete", p, SPEND_ENOTFOUND, "id",
	    "no such rule");
	/* another user's rule is not found */
	r = tu_ok(sd, "bob", "rule.list", "{}");
	snprintf(p, sizeof(p), "{\"id\":%lld}", tu_int(json_array_get(
	    json_object_get(r, "items"), 0), "id"));
	json_decref(r);
	TU_FAILS(sd, "alice", "rule.delete", p, SPEND_ENOTFOUND, "id",
	    "no such rule");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accents_and_case),
		cmocka_unit_test(test_equals),
		cmocka_unit_test(test_globs),
		cmocka_unit_test(test_amount_currency_source),
		cmocka_unit_test(test_order_and_tags),
		cmocka_unit_test(test_add_without_category),
		cmocka_unit_test(test_rule_test_and_order),
		cmocka_unit_test(test_apply_keeps_hand_set),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
