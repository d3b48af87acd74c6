/* rpc.c: the method table, JSON-RPC envelopes and batches, roles, the
 * acting user, idempotency keys, and transactions around writes. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "domain.h"
#include "shapes.h"
#include "rpc.h"
#include "util.h"

/* ---- helpers ---- */

static const struct rpc_identity admin_id = { .role = ROLE_ADMIN,
    .socket_admin = true, .transport = "unix", .peer = "uid 0" };
static const struct rpc_identity public_id = { .role = ROLE_PUBLIC,
    .transport = "http", .peer = "127.0.0.1" };

struct cap {
	int calls;
	json_t *resp;
};

/* The reply text, which must be one JSON value (as a transport sends
 * it), parsed. */
static void
cap_reply(char *text, size_t len, void *arg)
{
	struct cap *c = arg;
	json_error_t e;

	c->calls++;
	c->resp = NULL;
	if (text == NULL)
		return;
	assert_int_equal(strlen(text), len);
	if ((c->resp = json_loadb(text, len, 0, &e)) == NULL)
		fail_msg("reply is not JSON (%s): %s", e.text, text);
	free(text);
}

/* Dispatch text as id; the reply (caller decrefs) or NULL. The reply
 * callback must run exactly once, before this returns (no async here). */
static json_t *
dispatch(struct spendd *sd, const struct rpc_identity *id, const char *text)
{
	struct cap c = { 0, NULL };

	rpc_dispatch_text(sd, id, text, strlen(text), cap_reply, &c);
	assert_int_equal(c.calls, 1);
	assert_int_equal(sd->pending, 0);
	return c.resp;
}

static json_t *
J(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &e);

	if (j == NULL)
		fail_msg("bad test JSON %s: %s", text, e.text);
	return j;
}

/* resp must be a well-formed error response with this code and id. */
static void
check_error(int line, json_t *resp, int code, const char *id_json)
{
	json_t *e, *id, *want = J(id_json);

	if (resp == NULL)
		fail_msg("line %d: no reply, want error %d", line, code);
	if (!json_is_object(resp))
		fail_msg("line %d: reply is not an object", line);
	assert_string_equal(json_string_value(json_object_get(resp, "jsonrpc")),
	    "2.0");
	assert_null(json_object_get(resp, "result"));
	e = json_object_get(resp, "error");
	if (!json_is_object(e))
		fail_msg("line %d: no error object", line);
	if (json_integer_value(json_object_get(e, "code")) != code) {
		char *t = json_dumps(resp, 0);
		fail_msg("line %d: error code %lld, want %d: %s", line,
		    (long long)json_integer_value(json_object_get(e, "code")),
		    code, t);
	}
	assert_true(json_is_string(json_object_get(e, "message")));
	assert_true(json_string_length(json_object_get(e, "message")) > 0);
	assert_true(json_is_string(json_object_get(json_object_get(e, "data"),
	    "type")));
	id = json_object_get(resp, "id");
	assert_non_null(id);
	if (!json_equal(id, want))
		fail_msg("line %d: id is not %s", line, id_json);
	assert_int_equal(json_object_size(resp), 3);
	json_decref(want);
}
#define CHECK_ERROR(r, code, id) check_error(__LINE__, r, code, id)

/* Dispatch and expect one error response; returns nothing. */
#define EXPECT_ERROR(sd, ident, text, code, id) do {			\
	json_t *r_ = dispatch(sd, ident, text);				\
	check_error(__LINE__, r_, code, id);				\
	json_decref(r_);						\
} while (0)

static json_t *
result_of(int line, json_t *resp, const char *id_json)
{
	json_t *want = J(id_json);

	if (resp == NULL)
		fail_msg("line %d: no reply", line);
	if (json_object_get(resp, "error")) {
		char *t = json_dumps(resp, 0);
		fail_msg("line %d: error reply: %s", line, t);
	}
	assert_string_equal(json_string_value(json_object_get(resp, "jsonrpc")),
	    "2.0");
	if (!json_equal(json_object_get(resp, "id"), want))
		fail_msg("line %d: id is not %s", line, id_json);
	json_decref(want);
	return json_object_get(resp, "result");
}
#define RESULT(r, id) result_of(__LINE__, r, id)

static const char *
err_field(json_t *resp)
{
	return json_string_value(json_object_get(json_object_get(
	    json_object_get(resp, "error"), "data"), "field"));
}

static int64_t
count_expenses(struct spendd *sd, const char *user)
{
	json_t *r = tu_ok(sd, user, "expense.list", "{}");
	int64_t n = json_integer_value(json_object_get(r, "count"));

	json_decref(r);
	return n;
}

static int64_t
count_users(struct spendd *sd)
{
	json_t *r = tu_ok(sd, NULL, "user.list", "{}");
	int64_t n = json_integer_value(json_object_get(r, "count"));

	json_decref(r);
	return n;
}

static int
setup(void **state)
{
	struct spendd *sd = tu_spendd();

	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"alice\"}"));
	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"bob\","
	    "\"currency\":\"JPY\"}"));
	*state = sd;
	return 0;
}

static int
teardown(void **state)
{
	tu_spendd_free(*state);
	return 0;
}

static struct rpc_identity
user_id(struct spendd *sd, const char *name)
{
	struct rpc_identity id = { .role = ROLE_USER, .transport = "http",
	    .peer = "127.0.0.1" };
	struct user u;
	struct spend_err err;

	if (store_user_by_name(sd->store, name, &u, &err) < 0)
		fail_msg("%s", err.msg);
	id.uid = u.id;
	return id;
}

/* ---- the table ---- */

static bool
valid_route(const char *r)
{
	static const char *const verbs[] = { "GET", "POST", "PUT", "PATCH",
	    "DELETE" };
	const char *sp = strchr(r, ' ');
	char vs[64];

	if (sp == NULL || (size_t)(sp - r) >= sizeof(vs))
		return false;
	memcpy(vs, r, (size_t)(sp - r));
	vs[sp - r] = '\0';
	for (char *tok = strtok(vs, ","); tok; tok = strtok(NULL, ",")) {
		size_t i;

		for (i = 0; i < 5; i++)
			if (strcmp(tok, verbs[i]) == 0)
				break;
		if (i == 5)
			return false;
	}
	return strncmp(sp + 1, "/api/v1/", 8) == 0 && strchr(sp + 1, ' ') == NULL;
}

static void
test_method_table(void **state)
{
	size_t n;
	const struct rpc_method *m = rpc_methods(&n);

	(void)state;
	assert_true(n >= 20);
	for (size_t i = 0; i < n; i++) {
		const char *dot = strchr(m[i].name, '.');

		if (i > 0 && strcmp(m[i - 1].name, m[i].name) >= 0)
			fail_msg("table not sorted: %s before %s",
			    m[i - 1].name, m[i].name);
		/* noun.verb, lower case */
		if (dot == NULL || dot == m[i].name || dot[1] == '\0' ||
		    strchr(dot + 1, '.') != NULL ||
		    strspn(m[i].name, "abcdefghijklmnopqrstuvwxyz_.") !=
		    strlen(m[i].name))
			fail_msg("\"%s\" is not noun.verb", m[i].name);
		if (m[i].handler == NULL)
			fail_msg("%s has no handler", m[i].name);
		if (m[i].summary == NULL || m[i].summary[0] == '\0')
			fail_msg("%s has no summary", m[i].name);
		if (strlen(m[i].summary) > 100)
			fail_msg("%s: summary longer than a line", m[i].name);
		if (m[i].params == NULL)
			fail_msg("%s: no params list (use p_none)", m[i].name);
		for (const struct rpc_param *p = m[i].params; p && p->name; p++) {
			if (p->help == NULL || p->help[0] == '\0')
				fail_msg("%s: param %s has no help", m[i].name,
				    p->name);
			if (p->type == PT_INT && p->min > p->max)
				fail_msg("%s: param %s: min > max", m[i].name,
				    p->name);
			if (rpc_param_find(&m[i], p->name) != p)
				fail_msg("%s: param %s declared twice", m[i].name,
				    p->name);
		}
		if ((m[i].flags & (RPC_UPLOAD | RPC_DOWNLOAD)) && !m[i].route)
			fail_msg("%s: an upload or download needs a route",
			    m[i].name);
		if (m[i].status != 0 && (m[i].status < 200 ||
		    m[i].status > 299))
			fail_msg("%s: success status %d", m[i].name,
			    m[i].status);
		assert_true(m[i].role >= ROLE_PUBLIC && m[i].role <= ROLE_ADMIN);
		if ((m[i].flags & RPC_NOTX) && !(m[i].flags & RPC_WRITE))
			fail_msg("%s: RPC_NOTX without RPC_WRITE", m[i].name);
		if ((m[i].flags & RPC_ACTS) && m[i].role == ROLE_PUBLIC)
			fail_msg("%s: a public method cannot act for a user",
			    m[i].name);
		if (m[i].route && !valid_route(m[i].route))
			fail_msg("%s: bad route \"%s\"", m[i].name, m[i].route);
		assert_ptr_equal(rpc_method_find(m[i].name), &m[i]);
		/* one route, one method */
		for (size_t k = 0; k < i; k++)
			if (m[i].route && m[k].route &&
			    strcmp(m[i].route, m[k].route) == 0)
				fail_msg("%s and %s share route %s", m[k].name,
				    m[i].name, m[i].route);
	}
	assert_null(rpc_method_find(""));
	assert_null(rpc_method_find("expense"));
	assert_null(rpc_method_find("expense.ad"));
	assert_null(rpc_method_find("expense.addx"));
	assert_null(rpc_method_find("EXPENSE.ADD"));
	assert_null(rpc_method_find("zzz.zzz"));
	assert_null(rpc_method_find("aaa.aaa"));
	/* the foundation's methods are there with their roles */
	assert_int_equal(rpc_method_find("expense.add")->role, ROLE_USER);
	assert_true(rpc_method_find("expense.add")->flags & RPC_WRITE);
	assert_false(rpc_method_find("expense.list")->flags & RPC_WRITE);
	assert_int_equal(rpc_method_find("user.add")->role, ROLE_ADMIN);
	assert_int_equal(rpc_method_find("daemon.status")->role, ROLE_ADMIN);
	assert_int_equal(rpc_method_find("daemon.version")->role, ROLE_PUBLIC);
	assert_int_equal(rpc_method_find("rpc.describe")->role, ROLE_PUBLIC);
}

/*
 * The dispatcher checks params against the table (rpc_params_check)
 * before any handler runs; the handlers keep no lists of their own. The
 * methods whose handlers once did (known[] and jp_only) must declare
 * exactly the params those lists had.
 */
static void
test_params_declared(void **state)
{
	static const struct {
		const char *method, *params;
	} want[] = {
		{ "auth.delete_account", "password" },
		{ "auth.login", "username password refresh_in_body device" },
		{ "auth.logout", "refresh_token" },
		{ "auth.logout_all", "" },
		{ "auth.me", "" },
		{ "auth.password", "password new_password refresh_in_body" },
		{ "auth.refresh", "refresh_token" },
		{ "auth.register", "username password currency timezone device" },
		{ "auth.rotate_key", "" },
		{ "plugin.list", "" },
		{ "session.list", "" },
		{ "session.revoke", "id" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct rpc_method *m = rpc_method_find(want[i].method);
		char names[256] = "";

		assert_non_null(m);
		for (const struct rpc_param *p = m->params; p && p->name; p++) {
			if (names[0])
				strlcat(names, " ", sizeof(names));
			strlcat(names, p->name, sizeof(names));
		}
		if (strcmp(names, want[i].params) != 0)
			fail_msg("%s declares \"%s\", want \"%s\"",
			    want[i].method, names, want[i].params);
	}
}

/* A param the method does not declare is refused, named in the field and
 * the message; a long key is cut there, never inside a character: both
 * go into JSON replies, which must be UTF-8. */
static void
test_params_unknown(void **state)
{
	const struct rpc_method *m = rpc_method_find("auth.logout");
	const struct rpc_method *none = rpc_method_find("auth.me");
	struct spend_err err;
	json_t *p;

	(void)state;
	assert_non_null(m);
	assert_non_null(none);
	p = json_pack("{s:s}", "refresh_token", "t");
	assert_int_equal(rpc_params_check(m, p, &err), 0);
	json_decref(p);
	p = json_object();
	assert_int_equal(rpc_params_check(none, p, &err), 0);
	json_decref(p);
	p = json_pack("{s:s, s:i}", "refresh_token", "t", "c", 2);
	assert_int_equal(rpc_params_check(m, p, &err), SPEND_EINVAL);
	assert_string_equal(err.field, "c");
	assert_non_null(strstr(err.msg, "unknown parameter \"c\""));
	json_decref(p);
	p = json_pack("{s:s}", "Refresh_token", "t");
	assert_int_equal(rpc_params_check(m, p, &err), SPEND_EINVAL);
	assert_string_equal(err.field, "Refresh_token");
	json_decref(p);
	for (int n = 55; n <= 62; n++) {
		char key[160];

		memset(key, 'a', (size_t)n);
		key[n] = '\0';
		strlcat(key, "\xc3\xa9\xc3\xa9\xc3\xa9\xe2\x82\xac\xe2\x82\xac"
		    "\xf0\x9f\x98\x80\xf0\x9f\x98\x80", sizeof(key));
		p = json_object();
		json_object_set_new(p, key, json_true());
		assert_int_equal(rpc_params_check(none, p, &err), SPEND_EINVAL);
		assert_true(strlen(err.msg) < 120);
		assert_true(utf8_valid(err.msg, strlen(err.msg)));
		assert_true(utf8_valid(err.field, strlen(err.field)));
		json_decref(p);
	}
}

static void
test_describe(void **state)
{
	struct spendd *sd = *state;
	size_t n;
	const struct rpc_method *m = rpc_methods(&n);
	json_t *r = tu_ok(sd, NULL, "rpc.describe", "{}"), *arr, *o;
	size_t i;

	arr = json_object_get(r, "methods");
	assert_int_equal(json_array_size(arr), n);
	assert_int_equal(json_integer_value(json_object_get(r, "protocol")),
	    SPEND_PROTOCOL);
	json_array_foreach(arr, i, o) {
		assert_string_equal(json_string_value(json_object_get(o, "name")),
		    m[i].name);
		assert_string_equal(json_string_value(json_object_get(o,
		    "summary")), m[i].summary);
		assert_non_null(json_object_get(o, "role"));
		assert_non_null(json_object_get(o, "route"));
	}
	json_decref(r);
	/* refused params leave nothing allocated (the ASan run checks) */
	assert_int_equal(tu_call(sd, NULL, "rpc.describe", "{\"x\":1}", NULL),
	    SPEND_EINVAL);
	assert_int_equal(tu_call(sd, NULL, "currency.list", "{\"x\":1}", NULL),
	    SPEND_EINVAL);
	assert_int_equal(tu_call(sd, NULL, "daemon.status", "{\"x\":1}", NULL),
	    SPEND_EINVAL);
	assert_int_equal(tu_call(sd, NULL, "user.list", "{\"x\":1}", NULL),
	    SPEND_EINVAL);
	r = tu_ok(sd, NULL, "daemon.version", "{}");
	assert_string_equal(json_string_value(json_object_get(r, "version")),
	    SPEND_VERSION);
	assert_int_equal(json_integer_value(json_object_get(r, "protocol")),
	    SPEND_PROTOCOL);
	json_decref(r);
	/* the store's synchronous level, as the connection has it */
	r = tu_ok(sd, NULL, "daemon.status", "{}");
	assert_string_equal(json_string_value(json_object_get(r, "durability")),
	    "normal");
	json_decref(r);
}

/* ---- envelopes ---- */

static void
test_parse_errors(void **state)
{
	struct spendd *sd = *state;
	static const char *const bad[] = { "", " ", "not json", "{", "[1,",
	    "{\"jsonrpc\":\"2.0\",}", "{'a':1}", "nul", "[", "\"unterminated",
	    "{\"jsonrpc\":\"2.0\",\"method\":\"daemon.version\",\"id\":1} x",
	    /* duplicate keys are refused, not resolved by guessing */
	    "{\"jsonrpc\":\"2.0\",\"method\":\"daemon.version\","
	    "\"method\":\"user.delete\",\"id\":1}",
	    "\xff\xfe{}", "{\"a\":\"\xc3\x28\"}" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *r = dispatch(sd, &admin_id, bad[i]);

		CHECK_ERROR(r, -32700, "null");
		assert_non_null(strstr(json_string_value(json_object_get(
		    json_object_get(r, "error"), "message")), "not JSON"));
		json_decref(r);
	}
	/* a NUL byte inside the text is not JSON either */
	{
		struct cap c = { 0, NULL };
		const char t[] = "{\"jsonrpc\":\"2.0\",\"method\":\"daemon.version\""
		    ",\"id\":1}\0{}";

		rpc_dispatch_text(sd, &admin_id, t, sizeof(t) - 1, cap_reply, &c);
		assert_int_equal(c.calls, 1);
		CHECK_ERROR(c.resp, -32700, "null");
		json_decref(c.resp);
	}
}

static void
test_invalid_requests(void **state)
{
	struct spendd *sd = *state;

	/* jsonrpc member */
	EXPECT_ERROR(sd, &admin_id, "{\"method\":\"daemon.version\",\"id\":1}",
	    -32600, "1");
	EXPECT_ERROR(sd, &admin_id, "{\"jsonrpc\":\"1.0\",\"method\":"
	    "\"daemon.version\",\"id\":2}", -32600, "2");
	EXPECT_ERROR(sd, &admin_id, "{\"jsonrpc\":2.0,\"method\":"
	    "\"daemon.version\",\"id\":3}", -32600, "3");
	EXPECT_ERROR(sd, &admin_id, "{\"jsonrpc\":null,\"method\":"
	    "\"daemon.version\",\"id\":\"s\"}", -32600, "\"s\"");
	/* method */
	EXPECT_ERROR(sd, &admin_id, "{\"jsonrpc\":\"2.0\",\"id\":4}", -32600, "4");
	EXPECT_ERROR(sd, &admin_id, "{\"jsonrpc\":\"2.0\",\"method\":5,\"id\":5}",
	    -32600, "5");
	EXPECT_ERROR(sd, &admin_id, "{\"jsonrpc\":\"2.0\",\"method\":null,"
	    "\"id\":6}", -32600, "6");
	EXPECT_ERROR(sd, &admin_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "[\"daemon.version\"],\"id\":7}", -32600, "7");
	/* params must be an object (no positional params) */
	EXPECT_ERROR(sd, &admin_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"daemon.version\",\"params\":[],\"id\":8}", -32600, "8");
	EXPECT_ERROR(sd, &admin_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"daemon.version\",\"params\":\"x\",\"id\":9}", -32600, "9");
	EXPECT_ERROR(sd, &admin_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"daemon.version\",\"params\":null,\"id\":10}", -32600, "10");
	EXPECT_ERROR(sd, &admin_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"daemon.version\",\"params\":1,\"id\":11}", -32600, "11");
	/* an id that is not a string, integer or null: not echoed */
	EXPECT_ERROR(sd, &admin_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"daemon.version\",\"id\":1.5}", -32600, "null");
	EXPECT_ERROR(sd, &admin_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"daemon.version\",\"id\":{}}", -32600, "null");
	EXPECT_ERROR(sd, &admin_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"daemon.version\",\"id\":[1]}", -32600, "null");
	EXPECT_ERROR(sd, &admin_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"daemon.version\",\"id\":true}", -32600, "null");
	/* not an object at all */
	EXPECT_ERROR(sd, &admin_id, "5", -32600, "null");
	EXPECT_ERROR(sd, &admin_id, "\"daemon.version\"", -32600, "null");
	EXPECT_ERROR(sd, &admin_id, "null", -32600, "null");
	EXPECT_ERROR(sd, &admin_id, "true", -32600, "null");
	/* an invalid request without an id still gets its error (the id
	 * could not be told): only valid notifications are silent */
	EXPECT_ERROR(sd, &admin_id, "{\"jsonrpc\":\"2.0\",\"method\":5}",
	    -32600, "null");
	EXPECT_ERROR(sd, &admin_id, "{}", -32600, "null");
}

static void
test_unknown_method(void **state)
{
	struct spendd *sd = *state;
	json_t *r;

	r = dispatch(sd, &admin_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"expense.explode\",\"id\":42}");
	CHECK_ERROR(r, -32601, "42");
	assert_non_null(strstr(json_string_value(json_object_get(
	    json_object_get(r, "error"), "message")), "expense.explode"));
	json_decref(r);
	EXPECT_ERROR(sd, &admin_id, "{\"jsonrpc\":\"2.0\",\"method\":\"\","
	    "\"id\":\"x\"}", -32601, "\"x\"");
	EXPECT_ERROR(sd, &public_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"Daemon.Version\",\"id\":1}", -32601, "1");
}

static void
test_success_envelope(void **state)
{
	struct spendd *sd = *state;
	static const char *const ids[] = { "1", "0", "-7", "\"abc\"",
	    "\"\\u00e9\\u20ac\"", "\"\"", "9007199254740993", "null" };

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		char text[256];
		json_t *r, *res;

		snprintf(text, sizeof(text), "{\"jsonrpc\":\"2.0\",\"method\":"
		    "\"daemon.version\",\"params\":{},\"id\":%s}", ids[i]);
		r = dispatch(sd, &public_id, text);
		res = RESULT(r, ids[i]);
		assert_string_equal(json_string_value(json_object_get(res,
		    "version")), SPEND_VERSION);
		assert_int_equal(json_object_size(r), 3);
		json_decref(r);
	}
	/* params may be left out */
	json_decref(dispatch(sd, &public_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"daemon.version\",\"id\":1}"));
}

static void
test_notifications(void **state)
{
	struct spendd *sd = *state;
	int64_t n = count_expenses(sd, "alice");

	assert_null(dispatch(sd, &public_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"daemon.version\"}"));
	/* failures of notifications are silent too */
	assert_null(dispatch(sd, &public_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"no.such\"}"));
	assert_null(dispatch(sd, &public_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"daemon.version\",\"params\":{\"x\":1}}"));
	assert_null(dispatch(sd, &public_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"user.list\"}"));
	/* but a notification that writes does its work */
	assert_null(dispatch(sd, &admin_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"expense.add\",\"params\":{\"user\":\"alice\",\"amount\":\"1\","
	    "\"category\":\"food\"}}"));
	assert_true(count_expenses(sd, "alice") == n + 1);
}

static void
test_batches(void **state)
{
	struct spendd *sd = *state;
	json_t *r, *e;
	char *big;
	size_t len;

	/* an empty batch is one invalid request, not an empty array */
	EXPECT_ERROR(sd, &admin_id, "[]", -32600, "null");
	EXPECT_ERROR(sd, &admin_id, " [ ] ", -32600, "null");

	r = dispatch(sd, &admin_id, "[1,2,3]");
	assert_true(json_is_array(r));
	assert_int_equal(json_array_size(r), 3);
	for (size_t i = 0; i < 3; i++)
		CHECK_ERROR(json_array_get(r, i), -32600, "null");
	json_decref(r);

	/* nested batches are not requests */
	r = dispatch(sd, &admin_id, "[[{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"daemon.version\",\"id\":1}]]");
	assert_int_equal(json_array_size(r), 1);
	CHECK_ERROR(json_array_get(r, 0), -32600, "null");
	json_decref(r);

	/* mixed: answers in request order, notifications leave no trace */
	r = dispatch(sd, &admin_id, "["
	    "{\"jsonrpc\":\"2.0\",\"method\":\"daemon.version\",\"id\":1},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"daemon.version\"},"
	    "{\"foo\":\"bar\"},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"no.such\",\"id\":\"x\"},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"expense.add\",\"params\":"
	    "{\"user\":\"bob\",\"amount\":\"5\",\"category\":\"food\"}},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"expense.add\",\"params\":"
	    "{\"user\":\"bob\",\"amount\":\"x\",\"category\":\"food\"},\"id\":9},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"expense.list\",\"params\":"
	    "{\"user\":\"bob\"},\"id\":10}"
	    "]");
	assert_true(json_is_array(r));
	assert_int_equal(json_array_size(r), 5);
	RESULT(json_array_get(r, 0), "1");
	CHECK_ERROR(json_array_get(r, 1), -32600, "null");
	CHECK_ERROR(json_array_get(r, 2), -32601, "\"x\"");
	e = json_array_get(r, 3);
	CHECK_ERROR(e, -32602, "9");
	assert_string_equal(err_field(e), "amount");
	/* the notification's write happened before the list ran */
	assert_int_equal(json_integer_value(json_object_get(RESULT(
	    json_array_get(r, 4), "10"), "count")), 1);
	json_decref(r);

	/* only notifications: nothing to send */
	assert_null(dispatch(sd, &admin_id, "["
	    "{\"jsonrpc\":\"2.0\",\"method\":\"daemon.version\"},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"no.such\"}]"));

	/* a batch of one is still a batch */
	r = dispatch(sd, &public_id, "[{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"daemon.version\",\"id\":1}]");
	assert_true(json_is_array(r));
	assert_int_equal(json_array_size(r), 1);
	json_decref(r);

	/* 1000 requests are served, 1001 refused as a whole */
	len = 1002 * 64;
	big = malloc(len);
	assert_non_null(big);
	strlcpy(big, "[", len);
	for (int i = 0; i < 1000; i++) {
		char one[80];
		snprintf(one, sizeof(one), "%s{\"jsonrpc\":\"2.0\",\"method\":"
		    "\"daemon.version\",\"id\":%d}", i ? "," : "", i);
		strlcat(big, one, len);
	}
	strlcat(big, "]", len);
	r = dispatch(sd, &public_id, big);
	assert_int_equal(json_array_size(r), 1000);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(r,
	    999), "id")), 999);
	json_decref(r);
	big[strlen(big) - 1] = '\0';
	strlcat(big, ",{\"jsonrpc\":\"2.0\",\"method\":\"daemon.version\","
	    "\"id\":1000}]", len);
	r = dispatch(sd, &public_id, big);
	assert_true(json_is_object(r));
	CHECK_ERROR(r, spend_err_rpc_code(SPEND_ETOOBIG), "null");
	json_decref(r);
	free(big);
}

/* ---- who may call what ---- */

static void
test_roles(void **state)
{
	struct spendd *sd = *state;
	struct rpc_identity alice = user_id(sd, "alice");
	json_t *r;
	int64_t users = count_users(sd);

	/* public: only public methods */
	json_decref(dispatch(sd, &public_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"rpc.describe\",\"id\":1}"));
	r = dispatch(sd, &public_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"currency.list\",\"id\":1}");
	assert_true(json_array_size(json_object_get(RESULT(r, "1"), "items")) >
	    100);
	json_decref(r);
	EXPECT_ERROR(sd, &public_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"expense.list\",\"id\":1}", -32001, "1");
	EXPECT_ERROR(sd, &public_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"expense.add\",\"params\":{\"amount\":\"1\",\"category\":\"food\"},"
	    "\"id\":1}", -32001, "1");
	EXPECT_ERROR(sd, &public_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"user.list\",\"id\":1}", -32001, "1");
	EXPECT_ERROR(sd, &public_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"daemon.status\",\"id\":1}", -32001, "1");
	/* naming a user does not help the public */
	EXPECT_ERROR(sd, &public_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"expense.list\",\"params\":{\"user\":\"alice\"},\"id\":1}",
	    -32001, "1");

	/* a user: own data yes, admin methods no */
	r = dispatch(sd, &alice, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"expense.list\",\"id\":1}");
	RESULT(r, "1");
	json_decref(r);
	EXPECT_ERROR(sd, &alice, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"user.list\",\"id\":1}", -32003, "1");
	EXPECT_ERROR(sd, &alice, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"daemon.status\",\"id\":1}", -32003, "1");
	EXPECT_ERROR(sd, &alice, "{\"jsonrpc\":\"2.0\",\"method\":\"user.add\","
	    "\"params\":{\"name\":\"mallory\"},\"id\":1}", -32003, "1");
	EXPECT_ERROR(sd, &alice, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"user.delete\",\"params\":{\"name\":\"bob\"},\"id\":1}", -32003,
	    "1");
	assert_true(count_users(sd) == users);
}

static void
test_acting_user(void **state)
{
	struct spendd *sd = *state;
	struct rpc_identity alice = user_id(sd, "alice");
	struct rpc_identity web_admin = { .role = ROLE_ADMIN, .transport = "http",
	    .uid = alice.uid };
	int64_t nb = count_expenses(sd, "bob");
	json_t *r;

	/* only a socket admin may name a user */
	r = dispatch(sd, &alice, "{\"jsonrpc\":\"2.0\",\"method\":\"expense.add\","
	    "\"params\":{\"user\":\"bob\",\"amount\":\"1\",\"category\":\"food\"},"
	    "\"id\":1}");
	CHECK_ERROR(r, -32003, "1");
	assert_string_equal(err_field(r), "user");
	json_decref(r);
	r = dispatch(sd, &web_admin, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"expense.list\",\"params\":{\"user\":\"bob\"},\"id\":1}");
	CHECK_ERROR(r, -32003, "1");
	json_decref(r);
	assert_true(count_expenses(sd, "bob") == nb);

	/* a socket admin must name one for user methods */
	r = dispatch(sd, &admin_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"expense.list\",\"id\":1}");
	CHECK_ERROR(r, -32602, "1");
	assert_string_equal(err_field(r), "user");
	assert_non_null(strstr(json_string_value(json_object_get(
	    json_object_get(r, "error"), "message")), "--user"));
	json_decref(r);
	EXPECT_ERROR(sd, &admin_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"expense.list\",\"params\":{\"user\":5},\"id\":1}", -32602, "1");
	EXPECT_ERROR(sd, &admin_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"expense.list\",\"params\":{\"user\":null},\"id\":1}", -32602, "1");
	EXPECT_ERROR(sd, &admin_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"expense.list\",\"params\":{\"user\":\"ghost\"},\"id\":1}",
	    -32004, "1");
	/* and user names are case-insensitive */
	r = dispatch(sd, &admin_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"expense.list\",\"params\":{\"user\":\"BOB\"},\"id\":1}");
	assert_true(json_integer_value(json_object_get(RESULT(r, "1"), "count"))
	    == nb);
	json_decref(r);
	/* methods that act for nobody refuse "user" */
	r = dispatch(sd, &admin_id, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"daemon.version\",\"params\":{\"user\":\"bob\"},\"id\":1}");
	CHECK_ERROR(r, -32602, "1");
	assert_string_equal(err_field(r), "user");
	json_decref(r);

	/* a token for a user who no longer exists */
	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"gone\"}"));
	struct rpc_identity gone = user_id(sd, "gone");
	json_decref(tu_ok(sd, NULL, "user.delete", "{\"name\":\"gone\"}"));
	EXPECT_ERROR(sd, &gone, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"expense.list\",\"id\":1}", -32001, "1");
}

/* ---- idempotency ---- */

static void
test_idempotency(void **state)
{
	struct spendd *sd = *state;
	json_t *a, *b;
	int64_t n = count_expenses(sd, "alice");
	char key[200];

	a = tu_ok(sd, "alice", "expense.add", "{\"amount\":\"12.50\","
	    "\"category\":\"food\",\"note\":\"lunch\",\"idempotency_key\":\"k1\"}");
	/* a retry, even with the keys in another order: the same reply */
	b = tu_ok(sd, "alice", "expense.add", "{\"idempotency_key\":\"k1\","
	    "\"note\":\"lunch\",\"category\":\"food\",\"amount\":\"12.50\"}");
	assert_true(json_equal(a, b));
	json_decref(b);
	assert_true(count_expenses(sd, "alice") == n + 1);

	/* the same key with another body: refused, nothing stored */
	assert_int_equal(tu_call(sd, "alice", "expense.add", "{\"amount\":"
	    "\"99\",\"category\":\"food\",\"note\":\"lunch\","
	    "\"idempotency_key\":\"k1\"}", NULL), SPEND_EIDEMPOTENCY);
	assert_int_equal(tu_call(sd, "alice", "expense.edit", "{\"id\":1,"
	    "\"idempotency_key\":\"k1\"}", NULL), SPEND_EIDEMPOTENCY);
	assert_true(count_expenses(sd, "alice") == n + 1);

	/* keys belong to a user: bob's k1 is his own */
	b = tu_ok(sd, "bob", "expense.add", "{\"amount\":\"1250\","
	    "\"category\":\"food\",\"idempotency_key\":\"k1\"}");
	assert_false(json_equal(json_object_get(a, "id"),
	    json_object_get(b, "id")));
	json_decref(b);
	json_decref(a);

	/* a failed write does not use up its key */
	assert_int_equal(tu_call(sd, "alice", "expense.add", "{\"amount\":"
	    "\"oops\",\"category\":\"food\",\"idempotency_key\":\"k2\"}", NULL),
	    SPEND_EINVAL);
	a = tu_ok(sd, "alice", "expense.add", "{\"amount\":\"3\","
	    "\"category\":\"food\",\"idempotency_key\":\"k2\"}");
	json_decref(a);
	assert_true(count_expenses(sd, "alice") == n + 2);

	/* deletes replay too (the second one would be not_found) */
	a = tu_ok(sd, "alice", "expense.add", "{\"amount\":\"4\","
	    "\"category\":\"food\"}");
	snprintf(key, sizeof(key), "{\"id\":%lld,\"idempotency_key\":\"del\"}",
	    (long long)json_integer_value(json_object_get(a, "id")));
	json_decref(a);
	json_decref(tu_ok(sd, "alice", "expense.delete", key));
	json_decref(tu_ok(sd, "alice", "expense.delete", key));

	/* reads take no key; bad keys are refused */
	assert_int_equal(tu_call(sd, "alice", "expense.list",
	    "{\"idempotency_key\":\"k3\"}", NULL), SPEND_EINVAL);
	assert_int_equal(tu_call(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\",\"idempotency_key\":\"\"}", NULL),
	    SPEND_EINVAL);
	assert_int_equal(tu_call(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\",\"idempotency_key\":5}", NULL), SPEND_EINVAL);
	assert_int_equal(tu_call(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\",\"idempotency_key\":\"a\\u0001\"}", NULL),
	    SPEND_EINVAL);
	memset(key, 0, sizeof(key));
	strlcpy(key, "{\"amount\":\"1\",\"category\":\"food\",\"idempotency_key\":"
	    "\"", sizeof(key));
	for (int i = 0; i < 129; i++)
		strlcat(key, "k", sizeof(key));
	strlcat(key, "\"}", sizeof(key));
	assert_int_equal(tu_call(sd, "alice", "expense.add", key, NULL),
	    SPEND_EINVAL);
	/* 128 is the limit, and fine */
	memmove(strstr(key, "kk"), strstr(key, "kk") + 1, strlen(strstr(key,
	    "kk")));
	json_decref(tu_ok(sd, "alice", "expense.add", key));
	assert_true(count_expenses(sd, "alice") == n + 3);
}

/* An async write (user.add with a password hashes on a worker) that
 * finishes before its handler returns, as it does without workers: the
 * call is over, its key is not left "in flight", a retry replays. */
static void
test_async_write_finishing_at_once(void **state)
{
	struct spendd *sd = *state;
	json_t *a, *b;

	sd->cfg.argon2_opslimit = 1;		/* fast hashes for a test */
	sd->cfg.argon2_memlimit = 8192;
	assert_null(sd->workers);
	a = tu_ok(sd, NULL, "user.add", "{\"name\":\"pw\",\"password\":"
	    "\"correct horse battery\",\"idempotency_key\":\"u1\"}");
	assert_true(json_is_true(json_object_get(a, "has_password")));
	b = tu_ok(sd, NULL, "user.add", "{\"name\":\"pw\",\"password\":"
	    "\"correct horse battery\",\"idempotency_key\":\"u1\"}");
	assert_true(json_equal(a, b));
	json_decref(a);
	json_decref(b);
	assert_null(sd->inflight);
	assert_int_equal(sd->pending, 0);
	/* a failure at once leaves nothing in flight either */
	assert_int_equal(tu_call(sd, NULL, "user.add", "{\"name\":\"pw\","
	    "\"password\":\"correct horse battery\",\"idempotency_key\":"
	    "\"u2\"}", NULL), SPEND_ECONFLICT);
	assert_null(sd->inflight);
}

/* ---- writes are all or nothing ---- */

static void
test_failed_write_changes_nothing(void **state)
{
	struct spendd *sd = *state;
	json_t *before, *after;

	json_decref(tu_ok(sd, "alice", "expense.add", "{\"amount\":\"2\","
	    "\"category\":\"food\"}"));
	before = tu_ok(sd, "alice", "expense.list", "{}");
	assert_int_equal(tu_call(sd, "alice", "expense.add", "{\"amount\":\"2\","
	    "\"category\":\"food\",\"tags\":[\"ok\",\"not ok\"]}", NULL),
	    SPEND_EINVAL);
	assert_int_equal(tu_call(sd, "alice", "category.delete",
	    "{\"name\":\"food\"}", NULL), SPEND_ECONFLICT);
	assert_int_equal(tu_call(sd, "alice", "category.delete",
	    "{\"name\":\"food\",\"move_to\":\"nowhere\"}", NULL), SPEND_ENOTFOUND);
	assert_int_equal(tu_call(sd, "alice", "expense.edit",
	    "{\"id\":1,\"amount\":\"0\"}", NULL), SPEND_EINVAL);
	after = tu_ok(sd, "alice", "expense.list", "{}");
	assert_true(json_equal(before, after));
	json_decref(before);
	json_decref(after);
	assert_false(store_in_tx(sd->store));
}

static bool
have_sqlite3_cli(void)
{
	return system("sqlite3 -version >/dev/null 2>&1") == 0;
}

/* A daemon on a file database into which faults are planted with
 * triggers (through the sqlite3 shell: no SQL in here). */
static struct spendd *
file_spendd(char *dir, size_t len, const char *sql)
{
	struct spendd *sd = calloc(1, sizeof(*sd));
	struct spend_err err;
	char path[128], cmd[1024];

	strlcpy(dir, "/tmp/spend-test-rpc.XXXXXX", len);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/spend.db", dir);
	config_defaults(&sd->cfg);
	if (store_open(path, STORE_CREATE, &sd->store, &err) < 0)
		fail_msg("%s", err.msg);
	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"alice\"}"));
	store_close(sd->store);
	snprintf(cmd, sizeof(cmd), "sqlite3 '%s' \"%s\"", path, sql);
	assert_int_equal(system(cmd), 0);
	if (store_open(path, 0, &sd->store, &err) < 0)
		fail_msg("%s", err.msg);
	return sd;
}

static void
rm_dir(const char *dir)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void
test_write_rolls_back(void **state)
{
	struct spendd *sd;
	char dir[64];
	json_t *r;

	(void)state;
	if (!have_sqlite3_cli())
		skip();
	/* the idempotent reply is stored in the write's transaction: if
	 * that fails, the expense goes too */
	sd = file_spendd(dir, sizeof(dir),
	    "CREATE TRIGGER f1 BEFORE INSERT ON idempotency_keys "
	    "WHEN NEW.key = 'boom' BEGIN SELECT RAISE(ABORT, 'injected'); END;"
	    "CREATE TRIGGER f2 BEFORE UPDATE ON expenses "
	    "WHEN NEW.amount = 66600 BEGIN SELECT RAISE(ABORT, 'injected'); END;"
	    "CREATE TRIGGER f3 BEFORE INSERT ON categories "
	    "WHEN NEW.name = 'travel' AND NEW.user_id > 1 "
	    "BEGIN SELECT RAISE(ABORT, 'injected'); END;");
	assert_true(count_expenses(sd, "alice") == 0);
	assert_true(tu_call(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\",\"idempotency_key\":\"boom\"}", NULL) < 0);
	assert_true(count_expenses(sd, "alice") == 0);
	assert_false(store_in_tx(sd->store));

	/* a failing edit leaves the row as it was */
	r = tu_ok(sd, "alice", "expense.add", "{\"amount\":\"5\","
	    "\"category\":\"food\",\"note\":\"before\"}");
	char p[128];
	snprintf(p, sizeof(p), "{\"id\":%lld,\"amount\":\"666\",\"note\":"
	    "\"after\"}", (long long)json_integer_value(json_object_get(r, "id")));
	assert_true(tu_call(sd, "alice", "expense.edit", p, NULL) < 0);
	json_t *g;
	snprintf(p, sizeof(p), "{\"id\":%lld}",
	    (long long)json_integer_value(json_object_get(r, "id")));
	g = tu_ok(sd, "alice", "expense.get", p);
	assert_true(json_equal(r, g));
	json_decref(g);
	json_decref(r);

	/* a user whose default categories cannot all be made is not made */
	int64_t users = count_users(sd);
	assert_true(tu_call(sd, NULL, "user.add", "{\"name\":\"zed\"}", NULL) < 0);
	assert_true(count_users(sd) == users);
	assert_int_equal(tu_call(sd, "zed", "category.list", "{}", NULL),
	    SPEND_ENOTFOUND);
	assert_false(store_in_tx(sd->store));
	/* the daemon goes on serving */
	json_decref(tu_ok(sd, "alice", "expense.add", "{\"amount\":\"7\","
	    "\"category\":\"food\"}"));
	assert_true(count_expenses(sd, "alice") == 2);
	tu_spendd_free(sd);
	rm_dir(dir);
}

static void
test_stopping(void **state)
{
	struct spendd *sd = *state;
	int64_t n = count_expenses(sd, "alice");

	sd->stopping = true;
	assert_int_equal(tu_call(sd, "alice", "expense.add", "{\"amount\":\"1\","
	    "\"category\":\"food\"}", NULL), SPEND_EUNAVAIL);
	sd->stopping = false;
	assert_true(count_expenses(sd, "alice") == n);	/* reads still work */
}

static void
test_counters(void **state)
{
	struct spendd *sd = *state;
	int64_t before = sd->requests;

	json_decref(dispatch(sd, &public_id, "[{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"daemon.version\",\"id\":1},{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"no.such\",\"id\":2}]"));
	assert_true(sd->requests == before + 2);
	assert_int_equal(sd->pending, 0);
}

/* ---- error objects ---- */

static void
test_error_codes(void **state)
{
	static const struct { int code, rpc, http; const char *name; } t[] = {
		{ SPEND_EINVAL, -32602, 400, "invalid" },
		{ SPEND_ENOTFOUND, -32004, 404, "not_found" },
		{ SPEND_ECONFLICT, -32009, 409, "conflict" },
		{ SPEND_ESTALE, -32012, 412, "stale_version" },
		{ SPEND_EAUTH, -32001, 401, "unauthorized" },
		{ SPEND_EPERM, -32003, 403, "forbidden" },
		{ SPEND_ETOOBIG, -32013, 413, "too_large" },
		{ SPEND_EIDEMPOTENCY, -32022, 422, "idempotency_mismatch" },
		{ SPEND_ERATELIMIT, -32029, 429, "rate_limited" },
		{ SPEND_EINFLIGHT, -32010, 409, "in_flight" },
		{ SPEND_ERUNNING, -32011, 409, "already_running" },
		{ SPEND_ERESYNC, -32014, 410, "resync_required" },
		{ SPEND_EBUSY, -32053, 503, "busy" },
		{ SPEND_ESTORE, -32603, 500, "store_error" },
		{ SPEND_ENOMETHOD, -32601, 404, "no_such_method" },
		{ SPEND_EPARSE, -32700, 400, "parse_error" },
		{ SPEND_EREQUEST, -32600, 400, "invalid_request" },
		{ SPEND_EUNAVAIL, -32050, 503, "unavailable" },
		{ SPEND_EFULL, -32057, 507, "disk_full" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(spend_err_rpc_code(t[i].code), t[i].rpc);
		assert_int_equal(spend_err_http_status(t[i].code), t[i].http);
		assert_string_equal(spend_err_name(t[i].code), t[i].name);
		if (t[i].rpc != -32603)	/* several share -32603 */
			assert_int_equal(spend_err_from_rpc_code(t[i].rpc),
			    t[i].code);
	}
	assert_int_equal(spend_err_rpc_code(-999), -32603);
	assert_int_equal(spend_err_http_status(-999), 500);
	assert_int_equal(spend_err_from_rpc_code(12345), SPEND_EINTERNAL);
}

static void
test_error_object(void **state)
{
	struct spend_err err;
	json_t *o, *env;

	(void)state;
	spend_errf(&err, SPEND_EINVAL, "amount", "amount \"%s\": bad", "x");
	o = rpc_error_object(&err);
	assert_int_equal(json_integer_value(json_object_get(o, "code")), -32602);
	assert_string_equal(json_string_value(json_object_get(o, "message")),
	    "amount \"x\": bad");
	assert_string_equal(json_string_value(json_object_get(json_object_get(o,
	    "data"), "field")), "amount");
	assert_string_equal(json_string_value(json_object_get(json_object_get(o,
	    "data"), "type")), "invalid");
	json_decref(o);
	/* no field: no "field"; no message: the type's name */
	spend_err_clear(&err);
	err.code = SPEND_ENOTFOUND;
	o = rpc_error_object(&err);
	assert_null(json_object_get(json_object_get(o, "data"), "field"));
	assert_string_equal(json_string_value(json_object_get(o, "message")),
	    "not_found");
	json_decref(o);
	/* a message with bytes that are not UTF-8 (copied from bad input
	 * by someone) still makes an error object, not a dead daemon */
	spend_err_clear(&err);
	err.code = SPEND_EINVAL;
	strlcpy(err.msg, "line 4: payee \"caf\xe9\" is not UTF-8", sizeof(err.msg));
	strlcpy(err.field, "pay\xff" "ee", sizeof(err.field));
	o = rpc_error_object(&err);
	assert_non_null(o);
	assert_non_null(strstr(json_string_value(json_object_get(o, "message")),
	    "line 4: payee \"caf"));
	json_decref(o);
	env = rpc_error_envelope(&err);
	assert_true(json_is_null(json_object_get(env, "id")));
	assert_non_null(json_object_get(env, "error"));
	json_decref(env);
	/* prefixes keep the message whole and valid */
	spend_errf(&err, SPEND_EINVAL, "x", "inner");
	spend_err_prefix(&err, "line %d", 7);
	assert_string_equal(err.msg, "line 7: inner");
}

/* Input that ends up cut inside error messages must not take the
 * daemon down: json_pack refuses strings that are not UTF-8. */
static void
test_utf8_in_errors(void **state)
{
	struct spendd *sd = *state;
	char text[512], key[128];

	for (int n = 55; n <= 62; n++) {
		memset(key, 'a', (size_t)n);
		key[n] = '\0';
		strlcat(key, "\xc3\xa9\xc3\xa9\xe2\x82\xac\xe2\x82\xac\xf0\x9f\x98"
		    "\x80", sizeof(key));
		snprintf(text, sizeof(text), "{\"jsonrpc\":\"2.0\",\"method\":"
		    "\"expense.add\",\"params\":{\"user\":\"alice\",\"%s\":1},"
		    "\"id\":1}", key);
		EXPECT_ERROR(sd, &admin_id, text, -32602, "1");
		snprintf(text, sizeof(text), "{\"jsonrpc\":\"2.0\",\"method\":"
		    "\"expense.add\",\"params\":{\"user\":\"alice\",\"amount\":"
		    "\"%s\",\"category\":\"food\"},\"id\":1}", key);
		EXPECT_ERROR(sd, &admin_id, text, -32602, "1");
		snprintf(text, sizeof(text), "{\"jsonrpc\":\"2.0\",\"method\":"
		    "\"expense.add\",\"params\":{\"user\":\"alice\",\"amount\":"
		    "\"1\",\"category\":\"food\",\"tags\":[\"%s\"]},\"id\":1}",
		    key + 20);
		EXPECT_ERROR(sd, &admin_id, text, -32602, "1");
		snprintf(text, sizeof(text), "{\"jsonrpc\":\"2.0\",\"method\":"
		    "\"%s.%s\",\"id\":1}", key, key);
		EXPECT_ERROR(sd, &admin_id, text, -32601, "1");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_method_table),
		cmocka_unit_test(test_params_declared),
		cmocka_unit_test(test_params_unknown),
		cmocka_unit_test_setup_teardown(test_describe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_invalid_requests, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unknown_method, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_success_envelope, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_notifications, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_acting_user, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_idempotency, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_async_write_finishing_at_once,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_write_changes_nothing,
		    setup, teardown),
		cmocka_unit_test(test_write_rolls_back),
		cmocka_unit_test_setup_teardown(test_stopping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counters, setup, teardown),
		cmocka_unit_test(test_error_codes),
		cmocka_unit_test(test_error_object),
		cmocka_unit_test_setup_teardown(test_utf8_in_errors, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
