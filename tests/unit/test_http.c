/* rest.c: routes derived from the method table. */
#include <string.h>

#include "testutil.h"
#include "rest.h"

static struct rest *rest;

static int
setup(void **state)
{
	(void)state;
	rest = rest_new();
	return rest ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	rest_free(rest);
	rest = NULL;
	return 0;
}

static const char *
match(const char *verb, const char *path, json_t **params)
{
	const struct rpc_method *m = NULL;
	json_t *p = json_object();
	int r = rest_match(rest, verb, path, &m, p, NULL, 0);

	if (params)
		*params = p;
	else
		json_decref(p);
	return r == 0 ? m->name : r == SPEND_EINVAL ? "405" : "404";
}

static void
test_routes(void **state)
{
	json_t *p;
	char allow[64];
	const struct rpc_method *m;

	(void)state;
	assert_string_equal(match("GET", "/api/v1/expenses", NULL), "expense.list");
	assert_string_equal(match("HEAD", "/api/v1/expenses", NULL),
	    "expense.list");
	assert_string_equal(match("POST", "/api/v1/expenses", NULL), "expense.add");
	assert_string_equal(match("GET", "/api/v1/expenses/7", &p), "expense.get");
	assert_true(json_is_integer(json_object_get(p, "id")));
	assert_int_equal(json_integer_value(json_object_get(p, "id")), 7);
	json_decref(p);
	assert_string_equal(match("PUT", "/api/v1/expenses/7", NULL),
	    "expense.edit");
	assert_string_equal(match("PATCH", "/api/v1/expenses/7", NULL),
	    "expense.edit");
	assert_string_equal(match("DELETE", "/api/v1/expenses/7", NULL),
	    "expense.delete");
	assert_string_equal(match("PUT", "/api/v1/categories/3", NULL),
	    "category.edit");
	assert_string_equal(match("POST", "/api/v1/categories/3/archive", NULL),
	    "category.archive");
	assert_string_equal(match("POST", "/api/v1/auth/login", NULL),
	    "auth.login");
	assert_string_equal(match("POST", "/api/v1/auth/logout-all", NULL),
	    "auth.logout_all");
	assert_string_equal(match("GET", "/api/v1/me", NULL), "auth.me");
	assert_string_equal(match("DELETE", "/api/v1/me", NULL),
	    "auth.delete_account");
	/* a name stays a string, even all digits; an id that is not digits
	 * stays a string for the handler to refuse */
	assert_string_equal(match("GET", "/api/v1/users/123", &p), "user.get");
	assert_true(json_is_string(json_object_get(p, "name")));
	json_decref(p);
	assert_string_equal(match("GET", "/api/v1/expenses/x1", &p),
	    "expense.get");
	assert_true(json_is_string(json_object_get(p, "id")));
	json_decref(p);
	assert_string_equal(match("GET", "/api/v1/expenses/99999999999999999999",
	    &p), "expense.get");
	assert_true(json_is_string(json_object_get(p, "id")));
	json_decref(p);
	/* slashes collapse like the web's */
	assert_string_equal(match("GET", "//api/v1//expenses/", NULL),
	    "expense.list");
	assert_string_equal(match("GET", "/api/v1/nope", NULL), "404");
	assert_string_equal(match("GET", "/api/v1/expenses/1/2", NULL), "404");
	assert_string_equal(match("GET", "/api/v1/a/b/c/d/e/f/g/h/i/j", NULL),
	    "404");
	assert_string_equal(match("POST", "/api/v1/version", NULL), "405");
	assert_int_equal(rest_match(rest, "POST", "/api/v1/expenses/1", &m,
	    NULL, allow, sizeof(allow)), SPEND_EINVAL);
	assert_string_equal(allow, "GET, HEAD, PUT, PATCH, DELETE");
}

/* Every route in the table parses and names its method back. */
static void
test_every_route(void **state)
{
	size_t n;
	const struct rpc_method *t = rpc_methods(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		char verbs[64], path[256], *v, *save = NULL;

		if (t[i].route == NULL)
			continue;
		assert_int_equal(sscanf(t[i].route, "%63s %255s", verbs, path), 2);
		for (v = strtok_r(verbs, ",", &save); v;
		    v = strtok_r(NULL, ",", &save)) {
			/* {params} become a value */
			char concrete[256] = "";
			for (char *s = path; *s; s++) {
				if (*s == '{') {
					strlcat(concrete, "1", sizeof(concrete));
					s = strchr(s, '}');
				} else {
					char c[2] = { *s, 0 };
					strlcat(concrete, c, sizeof(concrete));
				}
			}
			assert_string_equal(match(v, concrete, NULL), t[i].name);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_every_route),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
