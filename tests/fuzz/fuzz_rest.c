/*
 * The REST facade's request side, without a server: rest_match over the
 * method table's routes with an arbitrary verb and path, and rest_params
 * with an arbitrary body, query and headers. The input is fields split
 * at NUL bytes: flags, verb, path, query, Content-Type, Idempotency-Key,
 * If-Match, and the body (the rest, NULs and all).
 *   rest_match: 0 with a method that has a route and the path params of
 *   that route, ENOMETHOD, or EINVAL with the verbs that would do; and
 *   every route of the table, its params filled in with a segment of the
 *   input, finds its own method (or one with more literal segments).
 *   rest_params: 0 with Idempotency-Key and If-Match where they belong
 *   and no secret from the query, or a negative SPEND_E* with a message.
 */
/* fuzz-sources: daemon/*.c daemon/store/*.c !daemon/main.c */
/* fuzz-libs: $(LIBS) */
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rest.h"
#include "rpc.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)
#define NFIELDS 7

static struct rest *rest;	/* the routes, for the whole run */
static const struct rpc_method *methods;
static size_t nmethods;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	log_init(0, 0);
	CHECK((rest = rest_new()) != NULL);
	methods = rpc_methods(&nmethods);
	return 0;
}

/* Is "{name}" a segment of route (a "VERBS /path" string)? */
static int
route_has_param(const char *route, const char *name)
{
	char want[80];

	snprintf(want, sizeof(want), "{%s}", name);
	for (const char *p = strchr(route, ' '); p && *p; p++) {
		size_t n = strlen(want);

		if (p[0] == '/' && strncmp(p + 1, want, n) == 0 &&
		    (p[n + 1] == '/' || p[n + 1] == '\0'))
			return 1;
	}
	return 0;
}

static int
literals(const char *route)
{
	int n = 0;

	for (const char *p = strchr(route, ' '); p && *p; p++)
		if (p[0] == '/' && p[1] != '{' && p[1] != '\0')
			n++;
	return n;
}

static void
match(const char *verb, const char *path)
{
	const struct rpc_method *m = NULL;
	char allow[64] = "x";
	json_t *params = json_object(), *v;
	const char *k;
	int r;

	r = rest_match(rest, verb, path, &m, params, allow, sizeof(allow));
	CHECK(r == 0 || r == SPEND_ENOMETHOD || r == SPEND_EINVAL);
	if (r == 0) {
		CHECK(m != NULL && m->route != NULL);
		json_object_foreach(params, k, v) {
			CHECK(route_has_param(m->route, k));
			CHECK(json_is_string(v) || json_is_integer(v));
		}
	} else {
		CHECK(json_object_size(params) == 0);
		if (r == SPEND_EINVAL)
			CHECK(allow[0] != '\0' && strcmp(allow, "x") != 0);
	}
	json_decref(params);
}

/* Every route, {params} replaced by seg, must find a method at least as
 * literal as its own, and its own one gives seg back as the param. */
static void
own_routes(const char *seg)
{
	for (size_t i = 0; i < nmethods; i++) {
		const char *route = methods[i].route, *sp, *p;
		char verb[16], path[1024];
		size_t o = 0;

		if (route == NULL || (sp = strchr(route, ' ')) == NULL ||
		    (size_t)(sp - route) >= sizeof(verb))
			continue;
		memcpy(verb, route, (size_t)(sp - route));
		verb[sp - route] = '\0';
		if (strchr(verb, ','))
			*strchr(verb, ',') = '\0';	/* the first verb */
		for (p = sp + 1; *p && o + strlen(seg) + 2 < sizeof(path);) {
			if (*p == '{') {
				o += (size_t)snprintf(path + o, sizeof(path) - o,
				    "%s", seg);
				p = strchr(p, '}');
				p = p ? p + 1 : p + strlen(p);
			} else
				path[o++] = *p++;
		}
		if (*p)
			continue;	/* seg too long for this route */
		path[o] = '\0';

		const struct rpc_method *m = NULL;
		json_t *params = json_object();
		int r = rest_match(rest, verb, path, &m, params, NULL, 0);

		CHECK(r == 0 && m != NULL);
		CHECK(literals(m->route) >= literals(route));
		if (m == &methods[i]) {
			const char *k;
			json_t *v;

			json_object_foreach(params, k, v) {
				if (json_is_string(v))
					CHECK(strcmp(json_string_value(v), seg) == 0);
				else
					CHECK(json_is_integer(v) &&
					    json_integer_value(v) ==
					    strtoll(seg, NULL, 10));
			}
		}
		json_decref(params);
	}
}

static void
params(const char *f[NFIELDS], const char *body, size_t blen)
{
	struct rest_request rq = {
		/* a route's method: its secrets are refused in the query, its
		 * objects take "NAME.KEY" */
		.m = rpc_method_find(f[0][0] & 64 ? "auth.password" :
		    f[0][0] & 128 ? "import.run" : "expense.list"),
		.body = blen ? body : NULL,
		.body_len = blen,
		.max_body = f[0][0] & 1 ? 64 : 1 << 20,
		.query = f[3][0] || f[0][0] & 2 ? f[3] : NULL,
		.content_type = f[4][0] || f[0][0] & 4 ? f[4] : NULL,
		.idempotency_key = f[5][0] || f[0][0] & 8 ? f[5] : NULL,
		.if_match = f[6][0] || f[0][0] & 16 ? f[6] : NULL,
	};
	struct spend_err err;
	json_t *p = json_object(), *v;
	int r;

	if (f[0][0] & 32)	/* a path param already there */
		json_object_set_new(p, "id", json_integer(7));
	memset(&err, 0, sizeof(err));
	r = rest_params(&rq, p, &err);
	if (r < 0) {
		CHECK(err.code == r && err.msg[0] != '\0');
	} else {
		CHECK(r == 0 && json_is_object(p));
		if (rq.idempotency_key) {
			v = json_object_get(p, "idempotency_key");
			CHECK(json_is_string(v) && strcmp(json_string_value(v),
			    rq.idempotency_key) == 0);
		}
		if (rq.if_match && strcmp(rq.if_match, "*") != 0)
			CHECK(json_integer_value(json_object_get(p, "version")) > 0);
		if (blen == 0)
			for (const struct rpc_param *q = rq.m->params; q->name;
			    q++)
				if (q->flags & PF_SECRET)
					CHECK(json_object_get(p, q->name) == NULL);
	}
	json_decref(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, seg[64];
	const char *f[NFIELDS];
	size_t i, at = 0;

	if ((buf = malloc(size + NFIELDS + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	memset(buf + size, 0, NFIELDS + 1);
	for (i = 0; i < NFIELDS; i++) {
		f[i] = buf + at;
		at += strlen(buf + at) + 1;
		if (at > size)
			at = size;
	}
	match(f[1], f[2]);
	params(f, buf + at, size - at);
	/* a segment for the routes: the path's first, never empty or "/" */
	snprintf(seg, sizeof(seg), "%s", f[2] + strspn(f[2], "/"));
	seg[strcspn(seg, "/")] = '\0';
	own_routes(seg[0] ? seg : "1");
	free(buf);
	return 0;
}
