/* category.* through the dispatcher: defaults, names, rename, archive,
 * delete with and without move_to, versions, isolation. */
#include <stdio.h>
#include <string.h>

#include "testutil.h"

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
get(struct spendd *sd, const char *user, const char *name)
{
	char p[256];

	snprintf(p, sizeof(p), "{\"name\":\"%s\"}", name);
	return tu_ok(sd, user, "category.get", p);
}

static long long
cat_id(struct spendd *sd, const char *user, const char *name)
{
	json_t *r = get(sd, user, name);
	long long id = tu_int(r, "id");

	json_decref(r);
	return id;
}

/* The names listed, comma-joined, into buf. */
static const char *
names(struct spendd *sd, const char *user, const char *params, char *buf,
    size_t len)
{
	json_t *r = tu_ok(sd, user, "category.list", params), *it;
	size_t i;

	buf[0] = '\0';
	assert_int_equal(tu_int(r, "count"),
	    json_array_size(json_object_get(r, "items")));
	json_array_foreach(json_object_get(r, "items"), i, it) {
		if (i)
			strlcat(buf, ",", len);
		strlcat(buf, tu_str(it, "name"), len);
	}
	json_decref(r);
	return buf;
}

static long long
add_exp(struct spendd *sd, const char *user, const char *cat)
{
	char p[256];
	json_t *r;
	long long id;

	snprintf(p, sizeof(p), "{\"amount\":\"1\",\"category\":\"%s\"}", cat);
	r = tu_ok(sd, user, "expense.add", p);
	id = tu_int(r, "id");
	json_decref(r);
	return id;
}

static void
test_defaults(void **state)
{
	struct spendd *sd = *state;
	char buf[512];
	json_t *r;

	assert_string_equal(names(sd, "alice", "{}", buf, sizeof(buf)),
	    "bills,entertainment,food,health,other,shopping,transport,travel,"
	    "uncategorised");
	/* each user has a set of their own */
	assert_true(cat_id(sd, "alice", "food") != cat_id(sd, "bob", "food"));
	r = get(sd, "alice", "food");
	assert_int_equal(json_object_size(r), 8);
	assert_string_equal(tu_str(r, "name"), "food");
	assert_true(json_is_false(json_object_get(r, "archived")));
	assert_true(json_is_false(json_object_get(r, "uncategorised")));
	json_decref(r);
	r = get(sd, "alice", "uncategorised");
	assert_true(json_is_true(json_object_get(r, "uncategorised")));
	assert_int_equal(tu_int(r, "expenses"), 0);
	assert_int_equal(tu_int(r, "version"), 1);
	assert_true(json_is_string(json_object_get(r, "created_at")));
	assert_true(json_is_string(json_object_get(r, "updated_at")));
	json_decref(r);
}

static void
test_add(void **state)
{
	struct spendd *sd = *state;
	char p[256], longname[80];
	json_t *r;

	r = tu_ok(sd, "alice", "category.add", "{\"name\":\"Pets & Vet\"}");
	assert_string_equal(tu_str(r, "name"), "Pets & Vet");
	assert_int_equal(tu_int(r, "version"), 1);
	json_decref(r);
	json_decref(tu_ok(sd, "alice", "category.add", "{\"name\":\"Café ☕\"}"));
	json_decref(tu_ok(sd, "alice", "category.add", "{\"name\":\"2024 trip\"}"));
	memset(longname, 'x', 64);
	longname[64] = '\0';
	snprintf(p, sizeof(p), "{\"name\":\"%s\"}", longname);
	json_decref(tu_ok(sd, "alice", "category.add", p));

	TU_FAILS(sd, "alice", "category.add", "{\"name\":\"FOOD\"}",
	    SPEND_ECONFLICT, "name", "already exists");
	TU_FAILS(sd, "alice", "category.add", "{\"name\":\"pets & vet\"}",
	    SPEND_ECONFLICT, "name", "already exists");
	TU_FAILS(sd, "alice", "category.add", "{}", SPEND_EINVAL, "name",
	    "name is required");
	TU_FAILS(sd, "alice", "category.add", "{\"name\":\"\"}", SPEND_EINVAL,
	    "name", "must not be empty");
	TU_FAILS(sd, "alice", "category.add", "{\"name\":\" padded\"}",
	    SPEND_EINVAL, "name", "leading or trailing spaces");
	TU_FAILS(sd, "alice", "category.add", "{\"name\":\"padded \"}",
	    SPEND_EINVAL, "name", "leading or trailing spaces");
	TU_FAILS(sd, "alice", "category.add", "{\"name\":\"123\"}", SPEND_EINVAL,
	    "name", "only digits");
	TU_FAILS(sd, "alice", "category.add", "{\"name\":\"tab\\there\"}",
	    SPEND_EINVAL, "name", "control characters");
	TU_FAILS(sd, "alice", "category.add", "{\"name\":5}", SPEND_EINVAL,
	    "name", "must be a string");
	longname[65] = '\0';
	longname[64] = 'x';
	snprintf(p, sizeof(p), "{\"name\":\"%s\"}", longname);
	TU_FAILS(sd, "alice", "category.add", p, SPEND_EINVAL, "name",
	    "too long");
	TU_FAILS(sd, "alice", "category.add", "{\"name\":\"x\",\"colour\":1}",
	    SPEND_EINVAL, "colour", "unknown parameter");
}

static void
test_get(void **state)
{
	struct spendd *sd = *state;
	char p[128];
	long long id = cat_id(sd, "alice", "travel");
	json_t *r;

	snprintf(p, sizeof(p), "{\"id\":%lld}", id);
	r = tu_ok(sd, "alice", "category.get", p);
	assert_string_equal(tu_str(r, "name"), "travel");
	json_decref(r);
	/* an id typed as a name (spendctl category show 12) */
	snprintf(p, sizeof(p), "{\"name\":\"%lld\"}", id);
	r = tu_ok(sd, "alice", "category.get", p);
	assert_string_equal(tu_str(r, "name"), "travel");
	json_decref(r);
	r = get(sd, "alice", "TrAvEl");
	assert_int_equal(tu_int(r, "id"), id);
	json_decref(r);
	snprintf(p, sizeof(p), "{\"id\":%lld,\"name\":\"travel\"}", id);
	TU_FAILS(sd, "alice", "category.get", p, SPEND_EINVAL, "name",
	    "not both");
	TU_FAILS(sd, "alice", "category.get", "{}", SPEND_EINVAL, "name",
	    "name is required (or id)");
	TU_FAILS(sd, "alice", "category.get", "{\"name\":\"nope\"}",
	    SPEND_ENOTFOUND, "category", "no such category \"nope\"");
	TU_FAILS(sd, "alice", "category.get", "{\"id\":0}", SPEND_EINVAL, "id",
	    "between");
	TU_FAILS(sd, "alice", "category.get", "{\"id\":987654}",
	    SPEND_ENOTFOUND, "category", "no such category");
}

static void
test_rename(void **state)
{
	struct spendd *sd = *state;
	char p[128];
	long long e = add_exp(sd, "alice", "food");
	json_t *r;

	r = tu_ok(sd, "alice", "category.rename", "{\"name\":\"food\","
	    "\"new_name\":\"Groceries\",\"version\":1}");
	assert_string_equal(tu_str(r, "name"), "Groceries");
	assert_int_equal(tu_int(r, "version"), 2);
	assert_int_equal(tu_int(r, "expenses"), 1);
	json_decref(r);
	/* expenses follow the rename */
	snprintf(p, sizeof(p), "{\"id\":%lld}", e);
	r = tu_ok(sd, "alice", "expense.get", p);
	assert_string_equal(tu_str(r, "category"), "Groceries");
	json_decref(r);
	TU_FAILS(sd, "alice", "category.get", "{\"name\":\"food\"}",
	    SPEND_ENOTFOUND, "category", "food");
	/* a change of case of its own name is fine */
	json_decref(tu_ok(sd, "alice", "category.rename", "{\"name\":"
	    "\"groceries\",\"new_name\":\"GROCERIES\"}"));
	TU_FAILS(sd, "alice", "category.rename", "{\"name\":\"groceries\","
	    "\"new_name\":\"Travel\"}", SPEND_ECONFLICT, "new_name",
	    "already exists");
	TU_FAILS(sd, "alice", "category.rename", "{\"name\":\"groceries\","
	    "\"new_name\":\"x\",\"version\":1}", SPEND_ESTALE, "version",
	    "changed meanwhile");
	TU_FAILS(sd, "alice", "category.rename", "{\"name\":\"groceries\"}",
	    SPEND_EINVAL, "new_name", "new_name is required");
	TU_FAILS(sd, "alice", "category.rename", "{\"name\":\"groceries\","
	    "\"new_name\":\"\"}", SPEND_EINVAL, "new_name", "empty");
	TU_FAILS(sd, "alice", "category.rename", "{\"name\":\"groceries\","
	    "\"new_name\":\"42\"}", SPEND_EINVAL, "new_name", "only digits");
	TU_FAILS(sd, "alice", "category.rename", "{\"name\":\"nope\","
	    "\"new_name\":\"x\"}", SPEND_ENOTFOUND, "category", "nope");
	/* the old name is free again */
	json_decref(tu_ok(sd, "alice", "category.add", "{\"name\":\"food\"}"));
}

static void
test_archive(void **state)
{
	struct spendd *sd = *state;
	char buf[512];
	json_t *r;

	add_exp(sd, "alice", "health");
	r = tu_ok(sd, "alice", "category.archive", "{\"name\":\"health\"}");
	assert_true(json_is_true(json_object_get(r, "archived")));
	assert_int_equal(tu_int(r, "version"), 2);
	json_decref(r);
	/* hidden from the list unless asked for */
	assert_string_equal(names(sd, "alice", "{}", buf, sizeof(buf)),
	    "bills,entertainment,food,other,shopping,transport,travel,"
	    "uncategorised");
	assert_string_equal(names(sd, "alice", "{\"archived\":true}", buf,
	    sizeof(buf)),
	    "bills,entertainment,food,health,other,shopping,transport,travel,"
	    "uncategorised");
	assert_string_equal(names(sd, "alice", "{\"archived\":\"true\"}", buf,
	    sizeof(buf)),
	    "bills,entertainment,food,health,other,shopping,transport,travel,"
	    "uncategorised");
	TU_FAILS(sd, "alice", "category.list", "{\"archived\":\"yes\"}",
	    SPEND_EINVAL, "archived", "true or false");
	/* still there by name; its name still taken; old expenses keep it */
	r = get(sd, "alice", "health");
	assert_int_equal(tu_int(r, "expenses"), 1);
	json_decref(r);
	TU_FAILS(sd, "alice", "category.add", "{\"name\":\"Health\"}",
	    SPEND_ECONFLICT, "name", "already exists");
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"health\"}", SPEND_EINVAL, "category", "archived");
	r = tu_ok(sd, "alice", "category.unarchive", "{\"name\":\"health\"}");
	assert_true(json_is_false(json_object_get(r, "archived")));
	json_decref(r);
	add_exp(sd, "alice", "health");
	/* edit does both at once */
	r = tu_ok(sd, "alice", "category.edit", "{\"name\":\"health\","
	    "\"new_name\":\"Doctor\",\"archived\":true}");
	assert_string_equal(tu_str(r, "name"), "Doctor");
	assert_true(json_is_true(json_object_get(r, "archived")));
	json_decref(r);
	r = tu_ok(sd, "alice", "category.edit", "{\"name\":\"doctor\"}");
	assert_string_equal(tu_str(r, "name"), "Doctor");	/* no change */
	json_decref(r);
	TU_FAILS(sd, "alice", "category.edit", "{\"name\":\"doctor\","
	    "\"archived\":1}", SPEND_EINVAL, "archived", "true or false");
}

static void
test_delete(void **state)
{
	struct spendd *sd = *state;
	char p[256];
	long long e1, e2, other;
	json_t *r;

	/* unused: goes */
	json_decref(tu_ok(sd, "alice", "category.add", "{\"name\":\"empty\"}"));
	r = tu_ok(sd, "alice", "category.delete", "{\"name\":\"empty\"}");
	assert_true(json_is_true(json_object_get(r, "deleted")));
	assert_string_equal(tu_str(r, "name"), "empty");
	assert_null(json_object_get(r, "moved_to"));
	json_decref(r);
	TU_FAILS(sd, "alice", "category.get", "{\"name\":\"empty\"}",
	    SPEND_ENOTFOUND, "category", "empty");
	TU_FAILS(sd, "alice", "category.delete", "{\"name\":\"empty\"}",
	    SPEND_ENOTFOUND, "category", "empty");
	/* and its name can be used again */
	json_decref(tu_ok(sd, "alice", "category.add", "{\"name\":\"empty\"}"));

	/* used: refused without move_to, nothing moves */
	e1 = add_exp(sd, "alice", "food");
	e2 = add_exp(sd, "alice", "food");
	TU_FAILS(sd, "alice", "category.delete", "{\"name\":\"food\"}",
	    SPEND_ECONFLICT, "category", "used by 2 expenses");
	TU_FAILS(sd, "alice", "category.delete", "{\"name\":\"food\","
	    "\"move_to\":\"food\"}", SPEND_EINVAL, "move_to", "being deleted");
	TU_FAILS(sd, "alice", "category.delete", "{\"name\":\"food\","
	    "\"move_to\":\"nowhere\"}", SPEND_ENOTFOUND, "move_to", "move_to");
	other = cat_id(sd, "bob", "travel");
	snprintf(p, sizeof(p), "{\"name\":\"food\",\"move_to\":%lld}", other);
	TU_FAILS(sd, "alice", "category.delete", p, SPEND_ENOTFOUND, "move_to",
	    "move_to");
	TU_FAILS(sd, "alice", "category.delete", "{\"name\":\"food\","
	    "\"move_to\":\"travel\",\"version\":7}", SPEND_ESTALE, "version",
	    "changed meanwhile");
	r = get(sd, "alice", "food");
	assert_int_equal(tu_int(r, "expenses"), 2);
	json_decref(r);

	/* with move_to (by name): the expenses move, the category goes */
	r = tu_ok(sd, "alice", "category.delete", "{\"name\":\"food\","
	    "\"move_to\":\"travel\",\"version\":1}");
	assert_string_equal(tu_str(r, "moved_to"), "travel");
	json_decref(r);
	snprintf(p, sizeof(p), "{\"id\":%lld}", e1);
	r = tu_ok(sd, "alice", "expense.get", p);
	assert_string_equal(tu_str(r, "category"), "travel");
	assert_int_equal(tu_int(r, "version"), 2);
	json_decref(r);
	r = get(sd, "alice", "travel");
	assert_int_equal(tu_int(r, "expenses"), 2);
	json_decref(r);
	/* by id */
	snprintf(p, sizeof(p), "{\"name\":\"travel\",\"move_to\":%lld}",
	    cat_id(sd, "alice", "other"));
	json_decref(tu_ok(sd, "alice", "category.delete", p));
	snprintf(p, sizeof(p), "{\"id\":%lld}", e2);
	r = tu_ok(sd, "alice", "expense.get", p);
	assert_string_equal(tu_str(r, "category"), "other");
	json_decref(r);
	r = tu_ok(sd, "alice", "expense.list", "{}");
	assert_int_equal(tu_int(r, "count"), 2);
	json_decref(r);
	/* move_to null is no move_to */
	add_exp(sd, "alice", "bills");
	TU_FAILS(sd, "alice", "category.delete", "{\"name\":\"bills\","
	    "\"move_to\":null}", SPEND_ECONFLICT, "category", "used by 1 expense");
}

static void
test_isolation(void **state)
{
	struct spendd *sd = *state;
	char p[128], buf[512];
	long long id;

	json_decref(tu_ok(sd, "alice", "category.add", "{\"name\":\"secret\"}"));
	id = cat_id(sd, "alice", "secret");
	assert_string_equal(names(sd, "bob", "{\"archived\":true}", buf,
	    sizeof(buf)),
	    "bills,entertainment,food,health,other,shopping,transport,travel,"
	    "uncategorised");
	snprintf(p, sizeof(p), "{\"id\":%lld}", id);
	TU_FAILS(sd, "bob", "category.get", p, SPEND_ENOTFOUND, "category",
	    "no such");
	TU_FAILS(sd, "bob", "category.archive", p, SPEND_ENOTFOUND, "category",
	    "no such");
	TU_FAILS(sd, "bob", "category.delete", p, SPEND_ENOTFOUND, "category",
	    "no such");
	snprintf(p, sizeof(p), "{\"id\":%lld,\"new_name\":\"mine\"}", id);
	TU_FAILS(sd, "bob", "category.rename", p, SPEND_ENOTFOUND, "category",
	    "no such");
	/* bob may have his own "secret" */
	json_decref(tu_ok(sd, "bob", "category.add", "{\"name\":\"secret\"}"));
	json_t *r = get(sd, "alice", "secret");
	assert_int_equal(tu_int(r, "id"), id);
	assert_int_equal(tu_int(r, "version"), 1);
	json_decref(r);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_defaults),
		T(test_add),
		T(test_get),
		T(test_rename),
		T(test_archive),
		T(test_delete),
		T(test_isolation),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
