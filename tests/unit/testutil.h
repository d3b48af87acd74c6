/* Unit-test helpers: an in-memory store and in-process RPC calls. */
#ifndef SPEND_TESTUTIL_H
#define SPEND_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "rpc.h"
#include "spendd.h"
#include "store.h"

/* A daemon context on a fresh in-memory database, no event loop. */
static inline struct spendd *
tu_spendd(void)
{
	struct spendd *sd = calloc(1, sizeof(*sd));
	struct spend_err err;

	assert_non_null(sd);
	assert_int_equal(sodium_init() >= 0, 1);
	config_defaults(&sd->cfg);
	/* cheap hashes (auth_init sets the configuration's) */
	password_cost_set(&sd->password, 1, 8192);
	if (store_open(":memory:", STORE_CREATE, &sd->store, &err) < 0)
		fail_msg("store_open: %s", err.msg);
	return sd;
}

static inline void
tu_spendd_free(struct spendd *sd)
{
	store_close(sd->store);
	config_free(&sd->cfg);
	free(sd);
}

struct tu_reply {
	int done;
	json_t *result;		/* owned */
	struct spend_err err;
};

static inline void
tu_done(struct rpc_call *c, json_t *result, const struct spend_err *err,
    void *arg)
{
	struct tu_reply *r = arg;

	(void)c;
	r->done = 1;
	if (result)
		r->result = json_incref(result);
	if (err)
		r->err = *err;
}

/* Call method as a socket admin (acting for `user` if not NULL) with
 * params given as JSON text. Returns 0 or the SPEND_E* code; *out (may be
 * NULL) gets the result (caller decrefs). */
static inline int
tu_call(struct spendd *sd, const char *user, const char *method,
    const char *params_json, json_t **out)
{
	struct rpc_identity id = { .role = ROLE_ADMIN, .socket_admin = true,
	    .transport = "test" };
	struct tu_reply r = { 0 };
	json_error_t jerr;
	json_t *p = json_loads(params_json ? params_json : "{}", 0, &jerr);

	if (p == NULL)
		fail_msg("bad test params %s: %s", params_json, jerr.text);
	if (user)
		json_object_set_new(p, "user", json_string(user));
	rpc_invoke(sd, &id, method, p, tu_done, &r);
	json_decref(p);
	assert_true(r.done);
	if (out)
		*out = r.result;
	else
		json_decref(r.result);
	return r.result ? 0 : r.err.code;
}

/* Same, and fail the test unless it succeeds. */
static inline json_t *
tu_ok(struct spendd *sd, const char *user, const char *method,
    const char *params_json)
{
	struct rpc_identity id = { .role = ROLE_ADMIN, .socket_admin = true,
	    .transport = "test" };
	struct tu_reply r = { 0 };
	json_t *p = json_loads(params_json ? params_json : "{}", 0, NULL);

	assert_non_null(p);
	if (user)
		json_object_set_new(p, "user", json_string(user));
	rpc_invoke(sd, &id, method, p, tu_done, &r);
	json_decref(p);
	if (r.result == NULL)
		fail_msg("%s %s failed: %s", method, params_json, r.err.msg);
	return r.result;
}

/* Like tu_call, and err (may be NULL) gets the error record, so a test
 * can check the field and the message. */
static inline int
tu_call_err(struct spendd *sd, const char *user, const char *method,
    const char *params_json, json_t **out, struct spend_err *err)
{
	struct rpc_identity id = { .role = ROLE_ADMIN, .socket_admin = true,
	    .transport = "test" };
	struct tu_reply r = { 0 };
	json_error_t jerr;
	json_t *p = json_loads(params_json ? params_json : "{}", 0, &jerr);

	if (p == NULL)
		fail_msg("bad test params %s: %s", params_json, jerr.text);
	if (user)
		json_object_set_new(p, "user", json_string(user));
	rpc_invoke(sd, &id, method, p, tu_done, &r);
	json_decref(p);
	assert_true(r.done);
	if (err)
		*err = r.err;
	if (out)
		*out = r.result;
	else
		json_decref(r.result);
	return r.result ? 0 : r.err.code;
}

/* The call must fail with code_, naming the field fld_ ("" for none),
 * with want_ somewhere in the message. */
#define TU_FAILS(sd_, user_, meth_, params_, code_, fld_, want_) do {	\
	struct spend_err e_;						\
	int r_ = tu_call_err((sd_), (user_), (meth_), (params_), NULL, &e_); \
	if (r_ != (code_))						\
		fail_msg("%s %s: got %d (%s), want %d", (meth_),	\
		    (params_), r_, r_ ? e_.msg : "ok", (code_));	\
	if (strcmp(e_.field, (fld_)) != 0)				\
		fail_msg("%s %s: field \"%s\", want \"%s\" (%s)",	\
		    (meth_), (params_), e_.field, (fld_), e_.msg);	\
	if (strstr(e_.msg, (want_)) == NULL)				\
		fail_msg("%s %s: \"%s\" lacks \"%s\"", (meth_),	\
		    (params_), e_.msg, (want_));				\
} while (0)

/* A string member of a JSON object ("" if absent). */
static inline const char *
tu_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static inline long long
tu_int(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* An events listener (events_subscribe(sd, uid, tu_hear, &heard)) that
 * counts the events and keeps the last one's type and a copy of its
 * data; tu_heard_free() drops the copy. */
struct tu_heard {
	int n;
	char type[64];
	json_t *data;
};

static inline void
tu_hear(void *arg, int64_t seq, const char *type, json_t *data)
{
	struct tu_heard *h = arg;

	(void)seq;
	h->n++;
	snprintf(h->type, sizeof(h->type), "%s", type);
	json_decref(h->data);
	h->data = json_deep_copy(data);
}

static inline void
tu_heard_free(struct tu_heard *h)
{
	json_decref(h->data);
	h->data = NULL;
}

/* The id of user name (who must exist). */
static inline int64_t
tu_uid(struct spendd *sd, const char *name)
{
	struct user u;
	struct spend_err err;

	assert_int_equal(store_user_by_name(sd->store, name, &u, &err), 0);
	return u.id;
}

#endif
