/* auth.c in process: registration policy, login, refresh rotation and
 * reuse, in-flight idempotent async writes (409), first-admin race; the
 * CSRF rule; ratelimit.c. */
#include <event2/event.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "auth.h"
#include "jobs.h"
#include "password.h"
#include "ratelimit.h"
#include "util.h"
#include "workers.h"

static char dir[64];

struct fx {
	struct spendd *sd;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct spend_err err;

	strlcpy(dir, "/tmp/spend-auth.XXXXXX", sizeof(dir));
	assert_non_null(mkdtemp(dir));
	f->sd = tu_spendd();
	strlcpy(f->sd->cfg.data_dir, dir, sizeof(f->sd->cfg.data_dir));
	/* cheap hashes for the test; the default stays interactive */
	f->sd->cfg.argon2_opslimit = 1;
	f->sd->cfg.argon2_memlimit = 8192;
	if (auth_init(f->sd, &err) < 0)
		fail_msg("auth_init: %s", err.msg);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char p[128];

	auth_free(f->sd);
	if (f->sd->workers)
		workers_stop(f->sd->workers);
	if (f->sd->base)
		event_base_free(f->sd->base);
	tu_spendd_free(f->sd);
	free(f);
	snprintf(p, sizeof(p), "%s/jwt.key", dir);
	unlink(p);
	rmdir(dir);
	return 0;
}

/* A public HTTP caller (no cookies: an API client). */
static int
pub(struct spendd *sd, const char *method, const char *params, json_t **out)
{
	struct rpc_identity id = { .role = ROLE_PUBLIC, .transport = "test" };
	struct tu_reply r = { 0 };
	json_t *p = json_loads(params, 0, NULL);

	assert_non_null(p);
	strlcpy(id.peer, "192.0.2.1", sizeof(id.peer));
	rpc_invoke(sd, &id, method, p, tu_done, &r);
	json_decref(p);
	assert_true(r.done);
	if (out)
		*out = r.result;
	else
		json_decref(r.result);
	return r.result ? 0 : r.err.code;
}

static void
test_register_login_refresh(void **state)
{
	struct fx *f = *state;
	struct spendd *sd = f->sd;
	struct rpc_identity id;
	struct spend_err err;
	json_t *res;
	char auth[1200], r1[64], r2[64], q[200];

	assert_int_equal(pub(sd, "auth.register",
	    "{\"username\":\"ann\",\"password\":\"ann-pass-1\"}", &res), 0);
	assert_string_equal(json_string_value(json_object_get(res, "role")),
	    "admin");
	json_decref(res);
	assert_int_equal(pub(sd, "auth.register",
	    "{\"username\":\"ben\",\"password\":\"ben-pass-1\"}", NULL),
	    SPEND_EPERM);
	strlcpy(sd->cfg.registration, "open", sizeof(sd->cfg.registration));
	assert_int_equal(pub(sd, "auth.register",
	    "{\"username\":\"ben\",\"password\":\"ben-pass-1\"}", &res), 0);
	assert_string_equal(json_string_value(json_object_get(res, "role")),
	    "user");
	json_decref(res);
	assert_int_equal(pub(sd, "auth.register",
	    "{\"username\":\"BEN\",\"password\":\"ben-pass-1\"}", NULL),
	    SPEND_ECONFLICT);
	assert_int_equal(pub(sd, "auth.register",
	    "{\"username\":\"cy\",\"password\":\"1234567\"}", NULL), SPEND_EINVAL);

	assert_int_equal(pub(sd, "auth.login",
	    "{\"username\":\"ben\",\"password\":\"nope-nope\"}", NULL), SPEND_EAUTH);
	assert_int_equal(pub(sd, "auth.login",
	    "{\"username\":\"ben\",\"password\":\"ben-pass-1\"}", &res), 0);
	/* no cookie transport: the refresh token comes in the body */
	strlcpy(r1, json_string_value(json_object_get(res, "refresh_token")),
	    sizeof(r1));
	snprintf(auth, sizeof(auth), "Bearer %s",
	    json_string_value(json_object_get(res, "access_token")));
	json_decref(res);
	memset(&id, 0, sizeof(id));
	assert_int_equal(auth_identify(sd, auth, &id, &err), 0);
	assert_int_equal(id.role, ROLE_USER);
	assert_int_equal(id.uid, 2);
	assert_int_equal(strlen(id.session), 32);

	snprintf(q, sizeof(q), "{\"refresh_token\":\"%s\"}", r1);
	assert_int_equal(pub(sd, "auth.refresh", q, &res), 0);
	strlcpy(r2, json_string_value(json_object_get(res, "refresh_token")),
	    sizeof(r2));
	json_decref(res);
	assert_string_not_equal(r1, r2);
	/* r1 again: reuse, the family goes, r2 with it */
	assert_int_equal(pub(sd, "auth.refresh", q, NULL), SPEND_EAUTH);
	snprintf(q, sizeof(q), "{\"refresh_token\":\"%s\"}", r2);
	assert_int_equal(pub(sd, "auth.refresh", q, NULL), SPEND_EAUTH);
	assert_int_equal(auth_identify(sd, auth, &id, &err), SPEND_EAUTH);

	/* the socket has no session: auth.password needs HTTP */
	assert_int_equal(tu_call(sd, NULL, "auth.password",
	    "{\"password\":\"ben-pass-1\",\"new_password\":\"ben-pass-2\"}",
	    NULL), SPEND_EINVAL);
}

static void
test_rate_limit_before_hashing(void **state)
{
	struct fx *f = *state;
	int before;

	assert_int_equal(pub(f->sd, "auth.register",
	    "{\"username\":\"dan\",\"password\":\"dan-pass-1\"}", NULL), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(pub(f->sd, "auth.login",
		    "{\"username\":\"dan\",\"password\":\"wrong-pass\"}", NULL),
		    SPEND_EAUTH);
	before = jobs_submitted(f->sd, JOB_PASSWORD);
	assert_int_equal(pub(f->sd, "auth.login",
	    "{\"username\":\"dan\",\"password\":\"dan-pass-1\"}", NULL),
	    SPEND_ERATELIMIT);
	assert_int_equal(jobs_submitted(f->sd, JOB_PASSWORD), before);
}

/* With a real loop and a worker: the first call is pending while the
 * retry arrives. */
static void
test_in_flight_409(void **state)
{
	struct fx *f = *state;
	struct spendd *sd = f->sd;
	struct rpc_identity id = { .role = ROLE_ADMIN, .socket_admin = true,
	    .transport = "test" };
	struct tu_reply a = { 0 }, b = { 0 }, c = { 0 };
	json_t *p = json_loads("{\"name\":\"eve\",\"password\":\"eve-pass-1\","
	    "\"idempotency_key\":\"k1\"}", 0, NULL);

	assert_int_equal(workers_threads_init(), 0);
	sd->base = event_base_new();
	assert_int_equal(workers_start(sd, 1), 0);
	rpc_invoke(sd, &id, "user.add", p, tu_done, &a);
	assert_false(a.done);		/* hashing on the worker */
	rpc_invoke(sd, &id, "user.add", p, tu_done, &b);
	assert_true(b.done);
	assert_int_equal(b.err.code, SPEND_EINFLIGHT);
	while (!a.done)
		event_base_loop(sd->base, EVLOOP_ONCE);
	assert_non_null(a.result);
	/* done: the retry replays the first reply */
	rpc_invoke(sd, &id, "user.add", p, tu_done, &c);
	assert_true(c.done);
	assert_non_null(c.result);
	assert_true(json_equal(a.result, c.result));
	json_decref(a.result);
	json_decref(c.result);
	json_decref(p);
}

/* Two first registrations in flight on an empty server: one admin. */
static void
test_first_admin_race(void **state)
{
	struct fx *f = *state;
	struct spendd *sd = f->sd;
	struct rpc_identity id = { .role = ROLE_PUBLIC, .transport = "test" };
	struct tu_reply a = { 0 }, b = { 0 };
	json_t *pa = json_loads("{\"username\":\"one\",\"password\":\"pass-one-1\"}",
	    0, NULL);
	json_t *pb = json_loads("{\"username\":\"two\",\"password\":\"pass-two-2\"}",
	    0, NULL);

	assert_int_equal(workers_threads_init(), 0);
	sd->base = event_base_new();
	assert_int_equal(workers_start(sd, 2), 0);
	rpc_invoke(sd, &id, "auth.register", pa, tu_done, &a);
	rpc_invoke(sd, &id, "auth.register", pb, tu_done, &b);
	while (!a.done || !b.done)
		event_base_loop(sd->base, EVLOOP_ONCE);
	/* closed registration: the second is refused when it commits */
	assert_true((a.result != NULL) != (b.result != NULL));
	assert_string_equal(json_string_value(json_object_get(a.result ?
	    a.result : b.result, "role")), "admin");
	assert_int_equal((a.result ? b.err : a.err).code, SPEND_EPERM);
	json_decref(a.result);
	json_decref(b.result);
	json_decref(pa);
	json_decref(pb);
}

/* A password changed while a login's check ran on the worker: that
 * check was against the old password, so no session, and the rehash it
 * asked for (the cost went up) must not write the old password back. */
static void
test_login_during_password_change(void **state)
{
	struct fx *f = *state;
	struct spendd *sd = f->sd;
	struct rpc_identity id = { .role = ROLE_PUBLIC, .transport = "test" };
	struct tu_reply a = { 0 };
	struct spend_err err;
	struct user u;
	char newhash[PASSWORD_HASH_MAX], *stored = NULL;
	json_t *p = json_loads("{\"username\":\"fay\",\"password\":"
	    "\"fay-pass-1\"}", 0, NULL);

	assert_int_equal(pub(sd, "auth.register", "{\"username\":\"fay\","
	    "\"password\":\"fay-pass-1\"}", NULL), 0);
	assert_int_equal(store_user_by_name(sd->store, "fay", &u, &err), 0);
	/* fay's hash now wants a rehash */
	password_cost_set(&sd->password, 2, 8192);
	assert_int_equal(password_hash(&sd->password, "fay-pass-2", 10, newhash,
	    &err), 0);
	sd->base = event_base_new();
	assert_int_equal(workers_start(sd, 1), 0);
	strlcpy(id.peer, "192.0.2.1", sizeof(id.peer));
	rpc_invoke(sd, &id, "auth.login", p, tu_done, &a);
	assert_false(a.done);		/* hashing on the worker */
	/* meanwhile, on the loop: the password changes */
	assert_int_equal(store_user_set_pwhash(sd->store, u.id, newhash, &err),
	    0);
	while (!a.done)
		event_base_loop(sd->base, EVLOOP_ONCE);
	assert_null(a.result);
	assert_int_equal(a.err.code, SPEND_EAUTH);
	assert_int_equal(store_user_pwhash(sd->store, u.id, &stored, &err), 0);
	assert_string_equal(stored, newhash);
	free(stored);
	json_decref(p);
}

static void
test_csrf_rule(void **state)
{
	struct config cfg;

	(void)state;
	config_defaults(&cfg);
	assert_null(auth_csrf_check(&cfg, "http://h:8080", "h:8080", NULL, "1"));
	assert_null(auth_csrf_check(&cfg, "https://H:8080", "h:8080", NULL, "1"));
	assert_null(auth_csrf_check(&cfg, NULL, "h", "same-origin", "1"));
	assert_null(auth_csrf_check(&cfg, "http://h", "h", "same-origin", "1"));
	assert_non_null(auth_csrf_check(&cfg, "http://h:8080", "h:8080", NULL,
	    NULL));
	assert_non_null(auth_csrf_check(&cfg, "http://h:8080", "h:8080", NULL,
	    ""));
	assert_non_null(auth_csrf_check(&cfg, "http://evil", "h:8080", NULL, "1"));
	assert_non_null(auth_csrf_check(&cfg, "http://h:8081", "h:8080", NULL,
	    "1"));
	assert_non_null(auth_csrf_check(&cfg, "null", "h", NULL, "1"));
	assert_non_null(auth_csrf_check(&cfg, "h", "h", NULL, "1"));
	assert_non_null(auth_csrf_check(&cfg, NULL, "h", NULL, "1"));
	assert_non_null(auth_csrf_check(&cfg, NULL, "h", "cross-site", "1"));
	assert_non_null(auth_csrf_check(&cfg, "http://h", "h", "same-site", "1"));
	assert_non_null(auth_csrf_check(&cfg, "http://h", NULL, NULL, "1"));
	strlcpy(cfg.http_origin, "https://spend.example", sizeof(cfg.http_origin));
	assert_null(auth_csrf_check(&cfg, "https://spend.example", "internal:1",
	    NULL, "1"));
	assert_non_null(auth_csrf_check(&cfg, "http://internal:1", "internal:1",
	    NULL, "1"));
}

static void
test_ratelimit(void **state)
{
	struct ratelimit *rl = ratelimit_new(3, 1000);
	int retry;
	char key[32];

	(void)state;
	assert_false(ratelimit_blocked(rl, "a", 0, NULL));
	for (int i = 0; i < 3; i++)
		ratelimit_hit(rl, "a", 0);
	assert_true(ratelimit_blocked(rl, "a", 0, &retry));
	assert_int_equal(retry, 1);
	assert_false(ratelimit_blocked(rl, "b", 0, NULL));
	/* one hit comes back per refill period */
	assert_true(ratelimit_blocked(rl, "a", 999, NULL));
	assert_false(ratelimit_blocked(rl, "a", 1000, NULL));
	ratelimit_hit(rl, "a", 1000);
	assert_true(ratelimit_blocked(rl, "a", 1000, NULL));
	ratelimit_reset(rl, "a");
	assert_false(ratelimit_blocked(rl, "a", 1000, NULL));
	/* a flood of keys fits the fixed table (no allocation to fail) and
	 * the latest of them are still counted */
	for (int i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		for (int n = 0; n < 3; n++)
			ratelimit_hit(rl, key, 5000);
	}
	assert_true(ratelimit_blocked(rl, key, 5000, NULL));
	assert_false(ratelimit_blocked(rl, "fresh", 5000, NULL));
	ratelimit_free(rl);
}

/* FNV-1a, the table's hash before it was keyed. */
static uint32_t
fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* Names whose buckets share the victim's neighbourhood must not be
 * computable offline: with them, drained buckets around the victim's
 * made it the fullest, so the next such name evicted it and the victim's
 * failed logins were forgotten. */
static void
test_ratelimit_collisions(void **state)
{
	struct ratelimit *rl = ratelimit_new(5, 60000);
	const char *victim = "u:admin";
	char keys[8][32];
	int found = 0;

	(void)state;
	for (unsigned i = 0; found < 8; i++) {
		char k[32];

		snprintf(k, sizeof(k), "u:n%u", i);
		if ((fnv1a(k) & 4095) == (fnv1a(victim) & 4095))
			strlcpy(keys[found++], k, sizeof(keys[0]));
	}
	for (int n = 0; n < 5; n++)
		ratelimit_hit(rl, victim, 0);
	assert_true(ratelimit_blocked(rl, victim, 0, NULL));
	/* seven neighbours drained later than the victim, then an eighth */
	for (int k = 0; k < 7; k++)
		for (int n = 0; n < 5; n++)
			ratelimit_hit(rl, keys[k], 1000);
	ratelimit_hit(rl, keys[7], 2000);
	assert_true(ratelimit_blocked(rl, victim, 2000, NULL));
	ratelimit_free(rl);
}

/*
 * A refresh and a logout write on the loop's connection in their own
 * transaction (RPC_RETRY): when a worker holds the write lock (an
 * import's commit; here a second connection), they wait in line off the
 * loop and go through once it is free, rather than fail as busy after
 * the loop polled for 200 ms.
 */
struct held {
	struct store *holder;
	struct tu_reply *r;
	bool wanted;		/* the loop wanted the lock meanwhile */
	int answered;		/* before the lock was given back */
};

static void
give_back(evutil_socket_t fd, short what, void *arg)
{
	struct held *h = arg;
	struct spend_err err;

	(void)fd;
	(void)what;
	h->wanted = store_writer_waiting();
	h->answered = h->r->done;
	assert_int_equal(store_commit(h->holder, &err), 0);
}

static void
held_call(struct spendd *sd, struct store *holder, const char *method,
    const char *params, json_t **out)
{
	struct rpc_identity id = { .role = ROLE_PUBLIC, .transport = "test" };
	struct tu_reply r = { 0 };
	struct held h = { holder, &r, false, 0 };
	struct timeval later = { 0, 300 * 1000 };	/* > the old 200 ms */
	struct spend_err err;
	json_t *p = json_loads(params, 0, NULL);

	assert_non_null(p);
	strlcpy(id.peer, "192.0.2.1", sizeof(id.peer));
	assert_int_equal(store_begin(holder, &err), 0);
	rpc_invoke(sd, &id, method, p, tu_done, &r);
	json_decref(p);
	assert_int_equal(event_base_once(sd->base, -1, EV_TIMEOUT, give_back,
	    &h, &later), 0);
	assert_true(event_base_dispatch(sd->base) >= 0);
	assert_true(h.wanted);
	assert_int_equal(h.answered, 0);
	assert_false(store_writer_waiting());
	assert_true(r.done);
	if (r.result == NULL)
		fail_msg("%s: %s", method, r.err.msg);
	*out = r.result;
}

static void
test_refresh_waits_for_lock(void **state)
{
	struct fx *f = *state;
	struct spendd *sd = f->sd;
	struct store *holder;
	struct spend_err err;
	json_t *res;
	char path[128], q[200];

	snprintf(path, sizeof(path), "%s/spend.db", dir);
	store_close(sd->store);
	assert_int_equal(store_open(path, STORE_CREATE | STORE_LOOP,
	    &sd->store, &err), 0);
	assert_int_equal(pub(sd, "auth.register",
	    "{\"username\":\"ann\",\"password\":\"ann-pass-1\"}", NULL), 0);
	assert_int_equal(pub(sd, "auth.login",
	    "{\"username\":\"ann\",\"password\":\"ann-pass-1\"}", &res), 0);
	snprintf(q, sizeof(q), "{\"refresh_token\":\"%s\"}",
	    json_string_value(json_object_get(res, "refresh_token")));
	json_decref(res);
	assert_int_equal(store_open(path, STORE_SECONDARY, &holder, &err), 0);
	assert_non_null(sd->base = event_base_new());

	held_call(sd, holder, "auth.refresh", q, &res);
	assert_non_null(json_object_get(res, "access_token"));
	snprintf(q, sizeof(q), "{\"refresh_token\":\"%s\"}",
	    json_string_value(json_object_get(res, "refresh_token")));
	json_decref(res);
	held_call(sd, holder, "auth.logout", q, &res);
	assert_true(json_is_true(json_object_get(res, "logged_out")));
	json_decref(res);
	/* logged out: that token is no longer good */
	assert_int_equal(pub(sd, "auth.refresh", q, NULL), SPEND_EAUTH);

	store_close(holder);
	rpc_wait_free(sd);
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/spend.db%s", dir,
		    (const char *[]){ "", "-wal", "-shm" }[i]);
		unlink(path);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_register_login_refresh,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate_limit_before_hashing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_flight_409, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_first_admin_race, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_login_during_password_change,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_refresh_waits_for_lock,
		    setup, teardown),
		cmocka_unit_test(test_csrf_rule),
		cmocka_unit_test(test_ratelimit),
		cmocka_unit_test(test_ratelimit_collisions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
