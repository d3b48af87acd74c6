/* Split expenses through the dispatcher: parts sum exactly, refusals
 * name the field, budgets and reports count each part in its category,
 * edits, joins, deletes and category moves keep the totals. After every
 * write the totals the triggers keep are checked against the expenses
 * and their parts, recounted here. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "store_internal.h"
#include "util.h"

/* (a test of the store too: it reads the tables with SQL of its own) */
static int
query_int(struct store *st, const char *q, int64_t *out, struct spend_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, q, -1, &s, NULL) != SQLITE_OK)
		return spend_errf(err, SPEND_EINTERNAL, "", "%s: %s", q,
		    sqlite3_errmsg(st->db));
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : spend_errf(err, SPEND_EINTERNAL, "",
	    "no row");
}

static int
setup(void **state)
{
	struct spendd *sd = tu_spendd();

	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"alice\"}"));
	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"bob\","
	    "\"currency\":\"JPY\"}"));
	json_decref(tu_ok(sd, "alice", "category.add", "{\"name\":\"household\"}"));
	json_decref(tu_ok(sd, "alice", "category.add", "{\"name\":\"garden\"}"));
	*state = sd;
	return 0;
}

static int
teardown(void **state)
{
	tu_spendd_free(*state);
	return 0;
}

static int64_t
cat_id(struct spendd *sd, const char *user, const char *name)
{
	char p[128];
	json_t *r;
	int64_t id;

	snprintf(p, sizeof(p), "{\"name\":\"%s\"}", name);
	r = tu_ok(sd, user, "category.get", p);
	id = tu_int(r, "id");
	json_decref(r);
	return id;
}

struct sum_ctx {
	int64_t cat;
	int64_t sum, count;
};

static int
day_cb(void *arg, const struct day_total *t)
{
	struct sum_ctx *c = arg;

	if (c->cat == 0 || t->category_id == c->cat) {
		c->sum += t->sum;
		c->count += t->count;
	}
	return 0;
}

/* What day_totals hold for a category of user (minor units). */
static int64_t
total(struct spendd *sd, const char *user, const char *cat)
{
	struct sum_ctx c = { 0, 0, 0 };
	struct spend_err err;

	c.cat = cat_id(sd, user, cat);
	assert_int_equal(store_day_totals(sd->store, tu_uid(sd, user), "", "",
	    c.cat, day_cb, &c, &err), 0);
	return c.sum;
}

/* The invariant: day_totals and month_totals are exactly the live
 * expenses, a split counted by its parts, recounted from scratch. */
static void
totals_consistent(struct spendd *sd)
{
	static const char *const q[] = {
	    /* what the totals should be */
	    "WITH lines(user_id, day, cat, cur, stage, amount) AS ("
	    " SELECT user_id, date, category_id, currency, stage, amount"
	    "  FROM expenses WHERE deleted = 0 AND parts = 0"
	    " UNION ALL SELECT e.user_id, e.date, p.category_id, e.currency,"
	    "  e.stage, p.amount FROM expense_parts p JOIN expenses e ON"
	    "  e.id = p.expense_id WHERE e.deleted = 0) "
	    "SELECT count(*) FROM (SELECT user_id, day, cat, cur, stage,"
	    " count(*) n, sum(amount) s FROM lines GROUP BY 1, 2, 3, 4, 5"
	    " EXCEPT SELECT user_id, day, category_id, currency, stage, count,"
	    " sum FROM day_totals)",
	    "SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT * FROM ("
	    " SELECT user_id, date, category_id, currency, stage FROM expenses"
	    " WHERE deleted = 0 AND parts = 0 UNION ALL SELECT e.user_id,"
	    " e.date, p.category_id, e.currency, e.stage FROM expense_parts p"
	    " JOIN expenses e ON e.id = p.expense_id WHERE e.deleted = 0)))"
	    " FROM day_totals",
	    "WITH lines(user_id, month, cat, cur, stage, amount) AS ("
	    " SELECT user_id, substr(date, 1, 7), category_id, currency, stage,"
	    "  amount FROM expenses WHERE deleted = 0 AND parts = 0"
	    " UNION ALL SELECT e.user_id, substr(e.date, 1, 7), p.category_id,"
	    "  e.currency, e.stage, p.amount FROM expense_parts p JOIN"
	    "  expenses e ON e.id = p.expense_id WHERE e.deleted = 0) "
	    "SELECT count(*) FROM (SELECT user_id, month, cat, cur, stage,"
	    " count(*) n, sum(amount) s FROM lines GROUP BY 1, 2, 3, 4, 5"
	    " EXCEPT SELECT user_id, month, category_id, currency, stage,"
	    " count, sum FROM month_totals)",
	    /* the copies a part keeps of its expense */
	    "SELECT count(*) FROM expense_parts p JOIN expenses e ON"
	    " e.id = p.expense_id WHERE p.user_id != e.user_id OR"
	    " p.day != e.date OR p.currency != e.currency OR"
	    " p.stage != e.stage OR p.deleted != e.deleted",
	    /* a split has its parts, and they add up */
	    "SELECT count(*) FROM expenses e WHERE e.parts != (SELECT count(*)"
	    " FROM expense_parts p WHERE p.expense_id = e.id) OR (e.parts > 0"
	    " AND e.amount != (SELECT sum(amount) FROM expense_parts p WHERE"
	    " p.expense_id = e.id))",
	};

	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		int64_t n = -1;
		struct spend_err err;

		if (query_int(sd->store, q[i], &n, &err) < 0)
			fail_msg("check %zu: %s", i, err.msg);
		if (n != 0)
			fail_msg("totals check %zu: %lld rows differ", i,
			    (long long)n);
	}
}

static json_t *
parts_of(json_t *e)
{
	return json_object_get(e, "parts");
}

static void
test_add_get_list(void **state)
{
	struct spendd *sd = *state;
	json_t *r, *p;
	long long id;

	r = tu_ok(sd, "alice", "expense.add", "{\"amount\":\"20.00\","
	    "\"date\":\"2024-03-05\",\"payee\":\"Supermarket\",\"parts\":["
	    "{\"amount\":\"12.50\",\"category\":\"food\",\"note\":\"bread\"},"
	    "{\"amount\":\"7.50\",\"category\":\"household\"}]}");
	id = tu_int(r, "id");
	p = parts_of(r);
	assert_int_equal(json_array_size(p), 2);
	assert_string_equal(tu_str(json_array_get(p, 0), "amount"), "12.50");
	assert_string_equal(tu_str(json_array_get(p, 0), "category"), "food");
	assert_string_equal(tu_str(json_array_get(p, 0), "note"), "bread");
	assert_string_equal(tu_str(json_array_get(p, 1), "amount"), "7.50");
	assert_string_equal(tu_str(json_array_get(p, 1), "category"),
	    "household");
	/* the whole's category is its first part's */
	assert_string_equal(tu_str(r, "category"), "food");
	assert_string_equal(tu_str(r, "amount"), "20.00");
	json_decref(r);
	totals_consistent(sd);
	assert_int_equal(total(sd, "alice", "food"), 1250);
	assert_int_equal(total(sd, "alice", "household"), 750);

	/* get returns the parts */
	{
		char q[64];

		snprintf(q, sizeof(q), "{\"id\":%lld}", id);
		r = tu_ok(sd, "alice", "expense.get", q);
		assert_int_equal(json_array_size(parts_of(r)), 2);
		assert_string_equal(tu_str(json_array_get(parts_of(r), 1),
		    "category"), "household");
		json_decref(r);
	}
	/* a plain expense has no parts */
	r = tu_ok(sd, "alice", "expense.add", "{\"amount\":\"3.00\","
	    "\"category\":\"household\",\"date\":\"2024-03-06\"}");
	assert_true(json_is_array(parts_of(r)));
	assert_int_equal(json_array_size(parts_of(r)), 0);
	json_decref(r);
	totals_consistent(sd);
	assert_int_equal(total(sd, "alice", "household"), 1050);

	/* lists show the split once, with its parts; a category filter
	 * finds it by any part */
	r = tu_ok(sd, "alice", "expense.list", "{}");
	assert_int_equal(tu_int(r, "count"), 2);
	assert_int_equal(json_array_size(json_object_get(r, "items")), 2);
	json_decref(r);
	r = tu_ok(sd, "alice", "expense.list", "{\"category\":\"household\"}");
	assert_int_equal(tu_int(r, "count"), 2);
	assert_int_equal(json_array_size(parts_of(json_array_get(
	    json_object_get(r, "items"), 1))), 2);
	json_decref(r);
	r = tu_ok(sd, "alice", "expense.list", "{\"category\":\"food\"}");
	assert_int_equal(tu_int(r, "count"), 1);
	json_decref(r);
	r = tu_ok(sd, "alice", "expense.list", "{\"category\":\"garden\"}");
	assert_int_equal(tu_int(r, "count"), 0);
	json_decref(r);
	/* categories count the split as theirs */
	r = tu_ok(sd, "alice", "category.get", "{\"name\":\"household\"}");
	assert_int_equal(tu_int(r, "expenses"), 2);
	json_decref(r);
	/* a refund splits too, all parts negative */
	r = tu_ok(sd, "alice", "expense.add", "{\"amount\":\"-5\","
	    "\"date\":\"2024-03-07\",\"parts\":["
	    "{\"amount\":\"-2\",\"category\":\"food\"},"
	    "{\"amount\":\"-3\",\"category\":\"garden\"}]}");
	json_decref(r);
	totals_consistent(sd);
	assert_int_equal(total(sd, "alice", "food"), 1050);
	assert_int_equal(total(sd, "alice", "garden"), -300);
	/* JPY: no decimals, parts exact in yen */
	r = tu_ok(sd, "bob", "expense.add", "{\"amount\":\"1001\","
	    "\"date\":\"2024-03-07\",\"parts\":["
	    "{\"amount\":\"1000\",\"category\":\"food\"},"
	    "{\"amount\":\"1\",\"category\":\"other\"}]}");
	assert_string_equal(tu_str(json_array_get(parts_of(r), 1), "amount"),
	    "1");
	json_decref(r);
	totals_consistent(sd);
}

static void
test_refusals(void **state)
{
	struct spendd *sd = *state;
	json_t *r;

	/* the parts must sum exactly: the last part named, the difference
	 * given */
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"20.00\",\"parts\":["
	    "{\"amount\":\"12.00\",\"category\":\"food\"},"
	    "{\"amount\":\"5.00\",\"category\":\"household\"},"
	    "{\"amount\":\"2.00\",\"category\":\"garden\"}]}", SPEND_EINVAL,
	    "parts[2].amount", "the parts sum to 19.00, not the amount 20.00: "
	    "1.00 short");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"20.00\",\"parts\":["
	    "{\"amount\":\"12.00\",\"category\":\"food\"},"
	    "{\"amount\":\"8.01\",\"category\":\"household\"}]}", SPEND_EINVAL,
	    "parts[1].amount", "0.01 over");
	/* no floats: one cent too many decimals */
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"20.00\",\"parts\":["
	    "{\"amount\":\"12.005\",\"category\":\"food\"},"
	    "{\"amount\":\"7.995\",\"category\":\"household\"}]}", SPEND_EINVAL,
	    "parts[0].amount", "parts[0].amount");
	/* mixed signs */
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"10.00\",\"parts\":["
	    "{\"amount\":\"15.00\",\"category\":\"food\"},"
	    "{\"amount\":\"-5.00\",\"category\":\"household\"}]}", SPEND_EINVAL,
	    "parts[1].amount", "not of the sign of the amount 10.00");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"10.00\",\"parts\":["
	    "{\"amount\":\"10.00\",\"category\":\"food\"},"
	    "{\"amount\":\"0\",\"category\":\"household\"}]}", SPEND_EINVAL,
	    "parts[1].amount", "must not be zero");
	/* one part, too many parts */
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"10.00\",\"parts\":["
	    "{\"amount\":\"10.00\",\"category\":\"food\"}]}", SPEND_EINVAL,
	    "parts", "a split has 2 to 32 parts (1 given)");
	{
		char p[8192];
		size_t n;

		n = (size_t)snprintf(p, sizeof(p),
		    "{\"amount\":\"0.33\",\"parts\":[");
		for (int i = 0; i < 33; i++)
			n += (size_t)snprintf(p + n, sizeof(p) - n,
			    "%s{\"amount\":\"0.01\",\"category\":\"food\"}",
			    i ? "," : "");
		snprintf(p + n, sizeof(p) - n, "]}");
		TU_FAILS(sd, "alice", "expense.add", p, SPEND_EINVAL, "parts",
		    "(33 given)");
		/* 32 is the most */
		n = (size_t)snprintf(p, sizeof(p),
		    "{\"amount\":\"0.32\",\"parts\":[");
		for (int i = 0; i < 32; i++)
			n += (size_t)snprintf(p + n, sizeof(p) - n,
			    "%s{\"amount\":\"0.01\",\"category\":\"food\"}",
			    i ? "," : "");
		snprintf(p + n, sizeof(p) - n, "]}");
		r = tu_ok(sd, "alice", "expense.add", p);
		assert_int_equal(json_array_size(parts_of(r)), 32);
		json_decref(r);
	}
	/* an unknown category, named by its part */
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"10.00\",\"parts\":["
	    "{\"amount\":\"4.00\",\"category\":\"food\"},"
	    "{\"amount\":\"6.00\",\"category\":\"nope\"}]}", SPEND_ENOTFOUND,
	    "parts[1].category", "nope");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"10.00\",\"parts\":["
	    "{\"amount\":\"4.00\",\"category\":\"food\"},"
	    "{\"amount\":\"6.00\"}]}", SPEND_EINVAL, "parts[1].category",
	    "required");
	/* a category for the whole as well as the parts */
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"10.00\","
	    "\"category\":\"food\",\"parts\":["
	    "{\"amount\":\"4.00\",\"category\":\"food\"},"
	    "{\"amount\":\"6.00\",\"category\":\"garden\"}]}", SPEND_EINVAL,
	    "category", "from its parts");
	/* (neither: the rules choose, or uncategorised; test_rule) */
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"10.00\",\"parts\":"
	    "[{\"amount\":\"4.00\",\"category\":\"food\",\"x\":1},"
	    "{\"amount\":\"6.00\",\"category\":\"garden\"}]}", SPEND_EINVAL,
	    "parts", "unknown field \"x\"");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"10.00\",\"parts\":"
	    "[{\"amount\":4,\"category\":\"food\"},"
	    "{\"amount\":\"6.00\",\"category\":\"garden\"}]}", SPEND_EINVAL,
	    "parts[0].amount", "decimal string");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"10.00\",\"parts\":"
	    "{}}", SPEND_EINVAL, "parts", "array");
	/* nothing of the refused ones was written */
	r = tu_ok(sd, "alice", "expense.list", "{}");
	assert_int_equal(tu_int(r, "count"), 1);
	json_decref(r);
	totals_consistent(sd);
}

static void
test_edit_join_delete(void **state)
{
	struct spendd *sd = *state;
	char q[512];
	json_t *r;
	long long id, plain;

	r = tu_ok(sd, "alice", "expense.add", "{\"amount\":\"20.00\","
	    "\"date\":\"2024-03-05\",\"parts\":["
	    "{\"amount\":\"12.00\",\"category\":\"food\"},"
	    "{\"amount\":\"8.00\",\"category\":\"household\"}]}");
	id = tu_int(r, "id");
	json_decref(r);
	/* a new split */
	snprintf(q, sizeof(q), "{\"id\":%lld,\"amount\":\"30.00\",\"parts\":["
	    "{\"amount\":\"10.00\",\"category\":\"garden\"},"
	    "{\"amount\":\"15.00\",\"category\":\"household\"},"
	    "{\"amount\":\"5.00\",\"category\":\"household\",\"note\":\"soap\"}"
	    "]}", id);
	r = tu_ok(sd, "alice", "expense.edit", q);
	assert_int_equal(json_array_size(parts_of(r)), 3);
	assert_string_equal(tu_str(r, "category"), "garden");
	assert_int_equal(tu_int(r, "version"), 2);
	json_decref(r);
	totals_consistent(sd);
	assert_int_equal(total(sd, "alice", "food"), 0);
	assert_int_equal(total(sd, "alice", "household"), 2000);
	assert_int_equal(total(sd, "alice", "garden"), 1000);
	/* the amount alone no longer fits the parts */
	snprintf(q, sizeof(q), "{\"id\":%lld,\"amount\":\"31.00\"}", id);
	TU_FAILS(sd, "alice", "expense.edit", q, SPEND_EINVAL, "parts",
	    "is split");
	snprintf(q, sizeof(q), "{\"id\":%lld,\"currency\":\"USD\"}", id);
	TU_FAILS(sd, "alice", "expense.edit", q, SPEND_EINVAL, "parts",
	    "is split");
	snprintf(q, sizeof(q), "{\"id\":%lld,\"category\":\"food\"}", id);
	TU_FAILS(sd, "alice", "expense.edit", q, SPEND_EINVAL, "category",
	    "is split");
	snprintf(q, sizeof(q), "{\"id\":%lld,\"parts\":["
	    "{\"amount\":\"10.00\",\"category\":\"garden\"},"
	    "{\"amount\":\"15.00\",\"category\":\"household\"}]}", id);
	TU_FAILS(sd, "alice", "expense.edit", q, SPEND_EINVAL,
	    "parts[1].amount", "5.00 short");
	/* the date moves every part's total */
	snprintf(q, sizeof(q), "{\"id\":%lld,\"date\":\"2024-04-01\","
	    "\"note\":\"moved\"}", id);
	r = tu_ok(sd, "alice", "expense.edit", q);
	assert_int_equal(json_array_size(parts_of(r)), 3);
	json_decref(r);
	totals_consistent(sd);
	assert_int_equal(total(sd, "alice", "household"), 2000);
	/* the currency with parts given again */
	snprintf(q, sizeof(q), "{\"id\":%lld,\"currency\":\"JPY\","
	    "\"amount\":\"3000\",\"parts\":["
	    "{\"amount\":\"1000\",\"category\":\"garden\"},"
	    "{\"amount\":\"2000\",\"category\":\"food\"}]}", id);
	r = tu_ok(sd, "alice", "expense.edit", q);
	assert_string_equal(tu_str(json_array_get(parts_of(r), 1), "amount"),
	    "2000");
	json_decref(r);
	totals_consistent(sd);
	assert_int_equal(total(sd, "alice", "household"), 0);
	assert_int_equal(total(sd, "alice", "food"), 2000);
	/* parts: [] joins them: the whole in the first part's category */
	snprintf(q, sizeof(q), "{\"id\":%lld,\"parts\":[]}", id);
	r = tu_ok(sd, "alice", "expense.edit", q);
	assert_int_equal(json_array_size(parts_of(r)), 0);
	assert_string_equal(tu_str(r, "category"), "garden");
	json_decref(r);
	totals_consistent(sd);
	assert_int_equal(total(sd, "alice", "garden"), 3000);
	assert_int_equal(total(sd, "alice", "food"), 0);
	/* or into a category given with it */
	snprintf(q, sizeof(q), "{\"id\":%lld,\"parts\":["
	    "{\"amount\":\"1000\",\"category\":\"garden\"},"
	    "{\"amount\":\"2000\",\"category\":\"food\"}]}", id);
	json_decref(tu_ok(sd, "alice", "expense.edit", q));
	snprintf(q, sizeof(q), "{\"id\":%lld,\"parts\":[],"
	    "\"category\":\"household\"}", id);
	r = tu_ok(sd, "alice", "expense.edit", q);
	assert_string_equal(tu_str(r, "category"), "household");
	json_decref(r);
	totals_consistent(sd);
	assert_int_equal(total(sd, "alice", "household"), 3000);
	/* a plain expense split by an edit */
	r = tu_ok(sd, "alice", "expense.add", "{\"amount\":\"9.00\","
	    "\"category\":\"food\",\"date\":\"2024-04-02\"}");
	plain = tu_int(r, "id");
	json_decref(r);
	snprintf(q, sizeof(q), "{\"id\":%lld,\"parts\":["
	    "{\"amount\":\"4.00\",\"category\":\"food\"},"
	    "{\"amount\":\"5.00\",\"category\":\"garden\"}]}", plain);
	json_decref(tu_ok(sd, "alice", "expense.edit", q));
	totals_consistent(sd);
	assert_int_equal(total(sd, "alice", "garden"), 500);
	/* delete: the parts' totals go with it */
	snprintf(q, sizeof(q), "{\"id\":%lld}", plain);
	json_decref(tu_ok(sd, "alice", "expense.delete", q));
	totals_consistent(sd);
	assert_int_equal(total(sd, "alice", "garden"), 0);
	assert_int_equal(total(sd, "alice", "food"), 0);
	TU_FAILS(sd, "alice", "expense.get", q, SPEND_ENOTFOUND, "id",
	    "no such expense");
	/* deleting a category used by a part only is refused, and moving
	 * moves the part */
	r = tu_ok(sd, "alice", "expense.add", "{\"amount\":\"9.00\","
	    "\"date\":\"2024-04-03\",\"parts\":["
	    "{\"amount\":\"4.00\",\"category\":\"food\"},"
	    "{\"amount\":\"5.00\",\"category\":\"garden\"}]}");
	id = tu_int(r, "id");
	json_decref(r);
	TU_FAILS(sd, "alice", "category.delete", "{\"name\":\"garden\"}",
	    SPEND_ECONFLICT, "category", "used by 1 expense");
	json_decref(tu_ok(sd, "alice", "category.delete",
	    "{\"name\":\"garden\",\"move_to\":\"household\"}"));
	totals_consistent(sd);
	snprintf(q, sizeof(q), "{\"id\":%lld}", id);
	r = tu_ok(sd, "alice", "expense.get", q);
	assert_string_equal(tu_str(json_array_get(parts_of(r), 1), "category"),
	    "household");
	assert_int_equal(tu_int(r, "version"), 2);
	json_decref(r);
	/* the change log: a change of the parts alone is an update of the
	 * expense, at its new version */
	snprintf(q, sizeof(q), "{\"id\":%lld,\"parts\":["
	    "{\"amount\":\"3.00\",\"category\":\"food\"},"
	    "{\"amount\":\"6.00\",\"category\":\"household\"}]}", id);
	r = tu_ok(sd, "alice", "expense.edit", q);
	assert_int_equal(tu_int(r, "version"), 3);
	json_decref(r);
	totals_consistent(sd);
	r = tu_ok(sd, "alice", "change.list", "{}");
	{
		json_t *items = json_object_get(r, "items");
		json_t *last = json_array_get(items, json_array_size(items) - 1);

		assert_string_equal(tu_str(last, "entity"), "expense");
		assert_int_equal(tu_int(last, "id"), id);
		assert_string_equal(tu_str(last, "op"), "update");
		assert_int_equal(tu_int(last, "version"), 3);
	}
	json_decref(r);
}

struct report_ctx {
	char want[NAME_MAX_LEN + 1];
	int64_t sum;
};

static int
report_cb(void *arg, const struct store_total *t)
{
	struct report_ctx *c = arg;

	if (strcmp(t->key, c->want) == 0)
		c->sum += t->sum;
	return 0;
}

static int64_t
report_cat(struct spendd *sd, const char *cat)
{
	struct expense_filter f;
	struct report_ctx c;
	struct spend_err err;

	memset(&f, 0, sizeof(f));
	memset(&c, 0, sizeof(c));
	strlcpy(c.want, cat, sizeof(c.want));
	assert_int_equal(store_report_totals(sd->store, tu_uid(sd, "alice"),
	    &f, STORE_GROUP_CATEGORY, report_cb, &c, &err), 0);
	return c.sum;
}

/* "spent" of category cat in budget.status of month */
static const char *
spent(json_t *status, const char *cat)
{
	size_t i;
	json_t *it;

	json_array_foreach(json_object_get(status, "items"), i, it)
		if (strcmp(tu_str(it, "category"), cat) == 0)
			return tu_str(it, "spent");
	fail_msg("no budget item %s", cat);
	return NULL;
}

static void
test_budgets_reports(void **state)
{
	struct spendd *sd = *state;
	json_t *r;

	json_decref(tu_ok(sd, "alice", "budget.set", "{\"category\":\"food\","
	    "\"amount\":\"100.00\",\"since\":\"2024-01\"}"));
	json_decref(tu_ok(sd, "alice", "budget.set", "{\"category\":"
	    "\"household\",\"amount\":\"50.00\",\"since\":\"2024-01\"}"));
	json_decref(tu_ok(sd, "alice", "expense.add", "{\"amount\":\"20.00\","
	    "\"date\":\"2024-03-05\",\"parts\":["
	    "{\"amount\":\"12.00\",\"category\":\"food\"},"
	    "{\"amount\":\"8.00\",\"category\":\"household\"}]}"));
	json_decref(tu_ok(sd, "alice", "expense.add", "{\"amount\":\"1.00\","
	    "\"date\":\"2024-03-06\",\"category\":\"food\"}"));
	r = tu_ok(sd, "alice", "budget.status", "{\"month\":\"2024-03\"}");
	assert_string_equal(spent(r, "food"), "13.00");
	assert_string_equal(spent(r, "household"), "8.00");
	json_decref(r);
	/* the report totals by category (exports, report plugins) */
	assert_int_equal(report_cat(sd, "food"), 1300);
	assert_int_equal(report_cat(sd, "household"), 800);
	totals_consistent(sd);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_add_get_list),
		T(test_refusals),
		T(test_edit_join_delete),
		T(test_budgets_reports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
