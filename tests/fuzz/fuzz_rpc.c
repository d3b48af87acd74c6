/*
 * The JSON-RPC dispatcher fed arbitrary text over an in-memory store, as
 * one of four callers (first byte): a socket admin, the user "fuzz", the
 * public, an admin over HTTP. After every message: exactly one reply,
 * well-formed envelopes, no transaction left open, nothing pending.
 * Methods that need worker threads (RPC_ASYNC) are left out.
 */
/* fuzz-sources: daemon/*.c daemon/store/*.c !daemon/main.c */
/* fuzz-libs: $(LIBS) */
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "rpc.h"
#include "spendd.h"
#include "store.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)
#define RESET_EVERY 20000	/* keep the database small and fast */

static struct spendd *sd;
static int64_t fuzz_uid;
static unsigned long runs;

static void
invoke_done(struct rpc_call *c, json_t *result, const struct spend_err *err,
    void *arg)
{
	(void)c;
	(void)err;
	if (result)
		*(int64_t *)arg = json_integer_value(json_object_get(result, "id"));
}

static void
fresh_store(void)
{
	static const struct rpc_identity admin = { .role = ROLE_ADMIN,
	    .socket_admin = true, .transport = "fuzz" };
	struct spend_err err;
	json_t *p;
	int64_t other = 0;

	store_close(sd->store);
	if (store_open(":memory:", STORE_CREATE, &sd->store, &err) < 0)
		abort();
	fuzz_uid = 0;
	p = json_pack("{s:s}", "name", "fuzz");
	rpc_invoke(sd, &admin, "user.add", p, invoke_done, &fuzz_uid);
	json_decref(p);
	p = json_pack("{s:s, s:s}", "name", "other", "currency", "JPY");
	rpc_invoke(sd, &admin, "user.add", p, invoke_done, &other);
	json_decref(p);
	CHECK(fuzz_uid > 0 && other > 0);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	log_init(0, 0);
	if ((sd = calloc(1, sizeof(*sd))) == NULL)
		abort();
	config_defaults(&sd->cfg);
	fresh_store();
	return 0;
}

/* Would this request need worker threads? */
static bool
needs_workers(json_t *req)
{
	const char *name = json_string_value(json_object_get(req, "method"));
	const struct rpc_method *m = name ? rpc_method_find(name) : NULL;
	json_t *params = json_object_get(req, "params");

	if (m == NULL || !(m->flags & RPC_ASYNC))
		return false;
	/* user.add without a password is done on the spot */
	return strcmp(name, "user.add") != 0 ||
	    json_object_get(params, "password") != NULL;
}

static void
check_envelope(json_t *e)
{
	json_t *res = json_object_get(e, "result"), *err;

	CHECK(json_is_object(e));
	CHECK(json_is_string(json_object_get(e, "jsonrpc")) &&
	    !strcmp(json_string_value(json_object_get(e, "jsonrpc")), "2.0"));
	CHECK(json_object_get(e, "id") != NULL);
	err = json_object_get(e, "error");
	CHECK((res != NULL) != (err != NULL));
	if (err) {
		CHECK(json_is_integer(json_object_get(err, "code")));
		CHECK(json_is_string(json_object_get(err, "message")));
	}
}

/* The reply text: one JSON value (what a transport sends), each
 * envelope well formed. */
static void
reply(char *text, size_t len, void *arg)
{
	json_t *resp;

	++*(int *)arg;
	if (text == NULL)
		return;
	CHECK(strlen(text) == len);
	resp = json_loadb(text, len, 0, NULL);
	CHECK(resp != NULL);
	free(text);
	if (json_is_array(resp)) {
		size_t i;
		json_t *e;

		CHECK(json_array_size(resp) > 0);
		json_array_foreach(resp, i, e)
			check_envelope(e);
	} else
		check_envelope(resp);
	json_decref(resp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpc_identity id = { .transport = "fuzz" };
	json_t *msg;
	int calls = 0;

	if (size < 1 || size > 65536)
		return 0;
	if (++runs % RESET_EVERY == 0)
		fresh_store();
	msg = json_loadb((const char *)data + 1, size - 1, JSON_DECODE_ANY,
	    NULL);
	if (msg) {
		size_t i;
		json_t *r;
		bool skip = needs_workers(msg);

		json_array_foreach(msg, i, r)
			skip = skip || needs_workers(r);
		json_decref(msg);
		if (skip)
			return 0;
	}
	switch (data[0] % 4) {
	case 0:
		id.role = ROLE_ADMIN;
		id.socket_admin = true;
		break;
	case 1:
		id.role = ROLE_USER;
		id.uid = fuzz_uid;
		break;
	case 2:
		id.role = ROLE_PUBLIC;
		break;
	case 3:
		id.role = ROLE_ADMIN;
		id.uid = fuzz_uid;
		break;
	}
	rpc_dispatch_text(sd, &id, (const char *)data + 1, size - 1, reply,
	    &calls);
	CHECK(calls == 1);
	CHECK(!store_in_tx(sd->store));
	CHECK(sd->pending == 0);
	return 0;
}
