/* Accounts: register, login, me, password change, account deletion and
 * auth_user_create; the Argon2 jobs they run on workers, the login rate
 * limits and the account-wide throttle (docs/HACKING.md, "Login limits
 * never lock the owner out"). */
#include <event2/event.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_internal.h"
#include "domain.h"
#include "handlers.h"
#include "jobs.h"
#include "jsonp.h"
#include "log.h"
#include "money.h"
#include "password.h"
#include "ratelimit.h"
#include "shapes.h"
#include "spendd.h"
#include "util.h"
#include "xmalloc.h"

/* ---- small helpers ---- */

/* A 429 that says when to come back (out_meta's retry_after). */
static int
auth_rate_limited(struct rpc_call *c, int retry, const char *what,
    struct spend_err *err)
{
	if (c->out_meta == NULL)
		c->out_meta = json_object();
	json_object_set_new(c->out_meta, "retry_after",
	    json_integer(retry > 0 ? retry : 1));
	return spend_errf(err, SPEND_ERATELIMIT, "", "too many %s; try again "
	    "in %d seconds", what, retry > 0 ? retry : 1);
}

/* A password param: any UTF-8 string without NUL, 8..1024 bytes. The
 * pointer is borrowed from params. */
static int
param_password(json_t *p, const char *key, const char **pw, size_t *len,
    struct spend_err *err)
{
	json_t *v = json_object_get(p, key);

	if (v == NULL || json_is_null(v))
		return spend_errf(err, SPEND_EINVAL, key, "%s is required", key);
	if (!json_is_string(v))
		return spend_errf(err, SPEND_EINVAL, key, "%s must be a string",
		    key);
	*pw = json_string_value(v);
	*len = json_string_length(v);
	return password_check(*pw, *len, key, err);
}

static char *
memdup(const char *s, size_t len)
{
	char *d = malloc(len + 1);

	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

static void
wipe_free(char *s, size_t len)
{
	if (s) {
		sodium_memzero(s, len);
		free(s);
	}
}

static void
key_for(char *out, size_t size, const char *prefix, const char *what)
{
	snprintf(out, size, "%s:%s", prefix, what);
	str_tolower(out);
}

/* Too many password checks queued: refuse rather than queue forever. */
static bool
hashing_saturated(struct spendd *sd)
{
	return jobs_full(sd, JOB_PASSWORD);
}

/* ---- the account-wide login throttle ---- */

/* The entry of key, brought up to now; a new one (taking the stalest
 * slot) if create. */
static struct throttle *
throttle_find(struct auth *a, const char *key, int64_t now, bool create)
{
	unsigned h = 5381;
	struct throttle *t, *victim = NULL;

	for (const char *p = key; *p; p++)
		h = h * 33 + (unsigned char)*p;
	for (int i = 0; i < 8; i++) {
		t = &a->thr[(h + (unsigned)i) % THROTTLE_SLOTS];
		if (t->key[0] && strcmp(t->key, key) == 0) {
			int64_t forgiven = (now - t->fail_ms) / THROTTLE_FORGIVE_MS;

			if (forgiven > 0) {
				t->fails = forgiven >= t->fails ? 0 :
				    t->fails - (int)forgiven;
				t->fail_ms += forgiven * THROTTLE_FORGIVE_MS;
			}
			return t;
		}
		if (victim == NULL || t->key[0] == '\0' ||
		    (victim->key[0] && t->fail_ms < victim->fail_ms))
			victim = t;
	}
	if (!create)
		return NULL;
	memset(victim, 0, sizeof(*victim));
	strlcpy(victim->key, key, sizeof(victim->key));
	victim->fail_ms = now;
	return victim;
}

/*
 * Count an attempt of key's account as a failure until proven right, and
 * say how long it must wait first (ms): 0 below the soft limit or for a
 * client with no recent failure on this account (fresh), else the next
 * slot of a queue whose spacing doubles with the failures.
 */
static int64_t
throttle_charge(struct auth *a, const char *key, bool fresh, int64_t now)
{
	struct throttle *t = throttle_find(a, key, now, true);
	int64_t gap, wait;
	int over;

	t->fails++;
	if ((over = t->fails - THROTTLE_SOFT) <= 0 || fresh)
		return 0;
	gap = over > 7 ? THROTTLE_MAX_MS : (int64_t)THROTTLE_BASE_MS << (over - 1);
	if (gap > THROTTLE_MAX_MS)
		gap = THROTTLE_MAX_MS;
	wait = (t->next_ms > now ? t->next_ms - now : 0) + gap;
	t->next_ms = now + wait;
	return wait;
}

static void
throttle_refund(struct auth *a, const char *key, int64_t now)
{
	struct throttle *t = throttle_find(a, key, now, false);

	if (t && t->fails > 0)
		t->fails--;
}

/* ---- password jobs: the slow part on a worker, the rest on the loop ---- */

enum pw_op { J_LOGIN, J_CREATE, J_PASSWORD, J_DELETE };

struct pw_job {
	enum pw_op kind;
	struct rpc_call *c;
	const struct password_cost *cost;	/* sd's, read-only */
	struct user u;
	char *pw, *pw2;		/* copies, wiped when done */
	size_t pwlen, pw2len;
	char *stored;		/* the stored hash, NULL = none */
	char newhash[PASSWORD_HASH_MAX];
	bool ok, rehash, in_body, registering;
	char acct_key[NAME_MAX_LEN + 8], addr_key[80], pair_key[80];
	struct spend_err err;
};

static void
job_free(struct pw_job *j)
{
	wipe_free(j->pw, j->pwlen);
	wipe_free(j->pw2, j->pw2len);
	free(j->stored);
	sodium_memzero(j->newhash, sizeof(j->newhash));
	free(j);
}

/* Worker thread: no store, no loop, only the job. */
static void
job_run(struct job *job, void *arg)
{
	struct pw_job *j = arg;
	const struct password_cost *pc = j->cost;

	switch (j->kind) {
	case J_LOGIN:
	case J_PASSWORD:
	case J_DELETE:
		j->ok = password_verify(pc, j->stored, j->pw, j->pwlen);
		if (!j->ok)
			break;
		if (j->kind == J_LOGIN && password_needs_rehash(pc, j->stored)) {
			j->rehash = password_hash(pc, j->pw, j->pwlen,
			    j->newhash, &j->err) == 0;
		} else if (j->kind == J_PASSWORD)
			j->ok = password_hash(pc, j->pw2, j->pw2len, j->newhash,
			    &j->err) == 0;
		break;
	case J_CREATE:
		j->ok = password_hash(pc, j->pw, j->pwlen, j->newhash,
		    &j->err) == 0;
		break;
	}
}

/* A better hash is worth having, never worth failing a login for: on a
 * full disk (or any error) the old one stays. */
static void
rehash(struct rpc_call *c, const struct user *u, const char *newhash)
{
	struct spend_err e;

	if (store_user_set_pwhash(c->st, u->id, newhash, &e) < 0) {
		log_warnx("auth: kept the old password hash of \"%s\" (cannot "
		    "store the rehashed one: %s)", u->name, e.msg);
		return;
	}
	log_info("auth: rehashed the password of \"%s\" with the current "
	    "parameters", u->name);
}

static int
login_done(struct pw_job *j, json_t **res, struct spend_err *err)
{
	struct rpc_call *c = j->c;
	struct auth *a = c->sd->auth;
	int64_t now = time_mono_ms();
	struct user u;
	char *cur = NULL;
	bool same;
	int r;

	if (!j->ok) {
		/* counted in h_auth_login already, before the hash */
		log_info("auth: failed login for \"%s\" from %s", j->u.name,
		    c->id.peer);
		return spend_errf(err, SPEND_EAUTH, "password",
		    "wrong user name or password");
	}
	/* the account may have gone while the worker hashed */
	if (store_user_get(c->st, j->u.id, &u, err) < 0)
		return spend_errf(err, SPEND_EAUTH, "", "this account no longer "
		    "exists");
	/* ... or its password changed: the check was against the old one,
	 * and a rehash of it would undo the change */
	if ((r = store_user_pwhash(c->st, u.id, &cur, err)) < 0)
		return r;
	same = cur && j->stored && strcmp(cur, j->stored) == 0;
	free(cur);
	if (!same) {
		log_info("auth: login for \"%s\" from %s refused: the password "
		    "changed while it was checked", u.name, c->id.peer);
		return spend_errf(err, SPEND_EAUTH, "password",
		    "wrong user name or password");
	}
	ratelimit_reset(a->pair, j->pair_key);
	ratelimit_refund(a->addr, j->addr_key, now);
	throttle_refund(a, j->acct_key, now);
	if ((r = store_begin(c->st, err)) < 0)
		return auth_session_error(r, err, "start a session");
	if ((r = auth_session_issue(c, &u, NULL, j->in_body, res, err)) < 0 ||
	    (r = store_commit(c->st, err)) < 0) {
		store_rollback(c->st);
		json_decref(*res);
		*res = NULL;
		return auth_session_error(r, err, "start a session");
	}
	if (j->rehash)
		rehash(c, &u, j->newhash);
	log_info("auth: \"%s\" logged in from %s", u.name, c->id.peer);
	return 0;
}

static int
create_done(struct pw_job *j, json_t **res, struct spend_err *err)
{
	struct rpc_call *c = j->c;
	struct user u = j->u;
	struct write_tx w;
	int64_t n = 0;
	int r;

	if (!j->ok) {
		*err = j->err;
		return err->code ? err->code : SPEND_EINTERNAL;
	}
	if ((r = write_begin(&w, c->st, 0, err)) < 0)
		return r;
	/* decided here, on the loop, so two first registrations cannot both
	 * become admin */
	if (j->registering) {
		if ((r = store_user_count(c->st, &n, err)) < 0)
			goto fail;
		if (n > 0 && strcmp(c->sd->cfg.registration, "open") != 0) {
			r = spend_errf(err, SPEND_EPERM, "", "registration is "
			    "closed: ask an administrator for an account");
			goto fail;
		}
		strlcpy(u.role, n == 0 ? "admin" : "user", sizeof(u.role));
	}
	if ((r = user_create(&w, &u, j->newhash, err)) < 0 ||
	    (r = write_commit(&w, err)) < 0)
		goto fail;
	write_run_hooks(&w, c->sd);
	log_info("auth: created %s \"%s\"%s", u.role, u.name, j->registering ?
	    " by registration" : "");
	*res = user_json(&u);
	return 0;
fail:
	write_rollback(&w);
	return r;
}

static int
delete_account_work(struct rpc_call *c, struct store *st, struct write_tx *w,
    void *arg, json_t **res, struct spend_err *err)
{
	struct user *u = arg;
	int r;

	(void)c;
	(void)w;
	if ((r = user_delete(st, u->id, err)) < 0)
		return r;
	log_info("auth: \"%s\" deleted their account", u->name);
	*res = jp_pack("{s:s, s:b}", "name", u->name, "deleted", 1);
	return 0;
}

static int
password_done(struct pw_job *j, json_t **res, struct spend_err *err)
{
	struct rpc_call *c = j->c;
	struct auth *a = c->sd->auth;
	struct user u;
	int r;

	if (!j->ok) {
		if (j->err.code) {
			*err = j->err;
			return err->code;
		}
		/* the failure was counted in own_account_job, before the hash */
		return spend_errf(err, SPEND_EAUTH, "password",
		    "the current password is wrong");
	}
	ratelimit_reset(a->acct, j->acct_key);
	if ((r = store_user_get(c->st, j->u.id, &u, err)) < 0)
		return r;
	if (j->kind == J_DELETE) {
		struct user *del = xmalloc(sizeof(*del));

		*del = u;
		auth_set_cookie(c, "", 0);
		/* everything the user owns goes: on a WRITE worker */
		return rpc_offload(c, JOB_WRITE, delete_account_work, del, free,
		    err);
	}
	if ((r = store_begin(c->st, err)) < 0)
		return r;
	/* a new password ends every session, then this device logs in again */
	if ((r = store_user_set_pwhash(c->st, u.id, j->newhash, err)) < 0 ||
	    (r = auth_session_end_all(c->st, &u, err)) < 0 ||
	    (r = auth_session_issue(c, &u, NULL, j->in_body, res, err)) < 0 ||
	    (r = store_commit(c->st, err)) < 0) {
		store_rollback(c->st);
		json_decref(*res);
		*res = NULL;
		return r;
	}
	log_info("auth: \"%s\" changed their password; every other session "
	    "ended", u.name);
	return 0;
}

static void
job_finish(struct job *job, void *arg)
{
	struct pw_job *j = arg;
	struct spend_err err;
	json_t *res = NULL;
	int r = 0;

	spend_err_clear(&err);
	switch (j->kind) {
	case J_LOGIN: r = login_done(j, &res, &err); break;
	case J_CREATE: r = create_done(j, &res, &err); break;
	case J_PASSWORD:
	case J_DELETE: r = password_done(j, &res, &err); break;
	}
	if (r < 0 && err.code == 0)
		spend_errf(&err, SPEND_EINTERNAL, "", "password check failed");
	/* RPC_PENDING: a job of its own completes the call */
	if (r != RPC_PENDING)
		rpc_complete(j->c, r < 0 ? NULL : res, &err);
	job_free(j);
}

static int
job_start(struct pw_job *j, struct spend_err *err)
{
	int r;

	if ((r = jobs_submit(j->c->sd, JOB_PASSWORD, job_run, job_finish, j,
	    err)) < 0) {
		job_free(j);
		return r;
	}
	return RPC_PENDING;
}

/* A slowed login's wait is over: to the workers now. */
static void
job_delayed(evutil_socket_t fd, short what, void *arg)
{
	struct pw_job *j = arg;
	struct rpc_call *c = j->c;
	struct spend_err err;

	(void)fd;
	(void)what;
	spend_err_clear(&err);
	if (job_start(j, &err) < 0)
		rpc_complete(c, NULL, &err);
}

static struct pw_job *
job_new(struct rpc_call *c, enum pw_op kind, const char *pw, size_t len,
    struct spend_err *err)
{
	struct pw_job *j = xcalloc(1, sizeof(*j));

	/* the password's copy is as long as the client made it */
	if ((j->pw = memdup(pw, len)) == NULL) {
		free(j);
		spend_errf(err, SPEND_ENOMEM, "", "out of memory");
		return NULL;
	}
	j->kind = kind;
	j->c = c;
	j->cost = &c->sd->password;
	j->pwlen = len;
	return j;
}

/* ---- handlers ---- */

int
auth_user_create(struct rpc_call *c, const struct user *u,
    const char *password, size_t len, json_t **res, struct spend_err *err)
{
	struct pw_job *j;
	struct user nu = *u;
	int r;

	if (password == NULL) {
		struct write_tx w;

		if ((r = write_begin(&w, c->st, 0, err)) < 0)
			return r;
		if ((r = user_create(&w, &nu, NULL, err)) < 0 ||
		    (r = write_commit(&w, err)) < 0) {
			write_rollback(&w);
			return r;
		}
		write_run_hooks(&w, c->sd);
		*res = user_json(&nu);
		return 0;
	}
	{
		struct user old;

		/* refuse a taken name before paying for a hash */
		if (store_user_by_name(c->st, nu.name, &old, NULL) == 0)
			return spend_errf(err, SPEND_ECONFLICT, "name",
			    "user \"%s\" already exists", nu.name);
	}
	if (hashing_saturated(c->sd))
		return auth_rate_limited(c, 1, "password checks in progress", err);
	if ((j = job_new(c, J_CREATE, password, len, err)) == NULL)
		return SPEND_ENOMEM;
	j->u = nu;
	return job_start(j, err);
}

int
h_auth_register(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct auth *a;
	struct user u, old;
	const char *pw;
	size_t len;
	int64_t n;
	int retry, r;
	char key[80];

	if ((a = auth_of(c, err)) == NULL)
		return SPEND_EUNAVAIL;
	memset(&u, 0, sizeof(u));
	strlcpy(u.currency, c->sd->cfg.default_currency, sizeof(u.currency));
	strlcpy(u.timezone, c->sd->cfg.default_timezone, sizeof(u.timezone));
	strlcpy(u.role, "user", sizeof(u.role));
	if (jp_str(p, "username", true, u.name, sizeof(u.name), NULL, NULL,
	    err) < 0 || user_name_check(u.name, err) < 0 ||
	    param_password(p, "password", &pw, &len, err) < 0 ||
	    jp_str(p, "currency", false, u.currency, sizeof(u.currency), NULL,
	    NULL, err) < 0 ||
	    jp_str(p, "timezone", false, u.timezone, sizeof(u.timezone), NULL,
	    NULL, err) < 0) {
		if (!strcmp(err->field, "name"))
			strlcpy(err->field, "username", sizeof(err->field));
		return SPEND_EINVAL;
	}
	if (money_currency(u.currency) == NULL)
		return spend_errf(err, SPEND_EINVAL, "currency",
		    "currency \"%s\": not an ISO 4217 code", u.currency);
	if (!timezone_valid(u.timezone))
		return spend_errf(err, SPEND_EINVAL, "timezone", "time zone "
		    "\"%s\": not a known zone like Europe/Paris", u.timezone);
	if ((r = store_user_count(c->st, &n, err)) < 0)
		return r;
	/* the first account may always register: it becomes the admin */
	if (n > 0 && strcmp(c->sd->cfg.registration, "open") != 0)
		return spend_errf(err, SPEND_EPERM, "", "registration is closed: "
		    "ask an administrator for an account");
	ratelimit_addr_key(key, sizeof(key), "r", c->id.peer);
	if (ratelimit_blocked(a->reg, key, time_mono_ms(), &retry))
		return auth_rate_limited(c, retry, "registrations from this address",
		    err);
	if (store_user_by_name(c->st, u.name, &old, NULL) == 0)
		return spend_errf(err, SPEND_ECONFLICT, "username",
		    "user \"%s\" already exists", u.name);
	if (hashing_saturated(c->sd))
		return auth_rate_limited(c, 1, "password checks in progress", err);
	ratelimit_hit(a->reg, key, time_mono_ms());
	struct pw_job *j = job_new(c, J_CREATE, pw, len, err);
	if (j == NULL)
		return SPEND_ENOMEM;
	j->u = u;
	j->registering = true;
	return job_start(j, err);
}

int
h_auth_login(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct auth *a;
	struct pw_job *j;
	char name[NAME_MAX_LEN + 1];
	const char *pw;
	size_t len;
	bool in_body = false, fresh;
	int64_t now, wait;
	int retry, r;
	json_t *v;

	if ((a = auth_of(c, err)) == NULL)
		return SPEND_EUNAVAIL;
	if (jp_str(p, "username", true, name, sizeof(name), NULL, NULL,
	    err) < 0 ||
	    jp_bool(p, "refresh_in_body", &in_body, NULL, err) < 0)
		return SPEND_EINVAL;
	v = json_object_get(p, "password");
	if (!json_is_string(v))
		return spend_errf(err, SPEND_EINVAL, "password",
		    "password is required (a string)");
	pw = json_string_value(v);
	len = json_string_length(v);
	if (len > PASSWORD_MAX)
		return spend_errf(err, SPEND_EINVAL, "password",
		    "password is longer than %d bytes", PASSWORD_MAX);
	if ((j = job_new(c, J_LOGIN, pw, len, err)) == NULL)
		return SPEND_ENOMEM;
	key_for(j->acct_key, sizeof(j->acct_key), "u", name);
	ratelimit_addr_key(j->addr_key, sizeof(j->addr_key), "a",
	    c->id.peer);
	/* the address first: a long name is what gets cut */
	snprintf(j->pair_key, sizeof(j->pair_key), "p%s|%s", j->addr_key,
	    j->acct_key);
	str_tolower(j->pair_key);
	/* refused before any hashing: that is the point */
	now = time_mono_ms();
	if (ratelimit_blocked(a->pair, j->pair_key, now, &retry) ||
	    ratelimit_blocked(a->addr, j->addr_key, now, &retry)) {
		job_free(j);
		log_info("auth: login for \"%s\" from %s refused: too many "
		    "failures", name, c->id.peer);
		return auth_rate_limited(c, retry, "failed logins", err);
	}
	if (hashing_saturated(c->sd)) {
		job_free(j);
		return auth_rate_limited(c, 1, "password checks in progress", err);
	}
	/* counted as failures now, given back if right: otherwise guesses
	 * sent at once (a batch, parallel requests) all pass the check above
	 * before the first one's hash is done */
	fresh = !ratelimit_used(a->pair, j->pair_key, now);
	ratelimit_hit(a->pair, j->pair_key, now);
	ratelimit_hit(a->addr, j->addr_key, now);
	wait = throttle_charge(a, j->acct_key, fresh, now);
	j->in_body = in_body;
	strlcpy(j->u.name, name, sizeof(j->u.name));
	/* an unknown name (or one without a password) costs the same */
	if (store_user_by_name(c->st, name, &j->u, NULL) == 0 &&
	    (r = store_user_pwhash(c->st, j->u.id, &j->stored, err)) < 0) {
		job_free(j);
		return r;
	}
	if (wait > 0 && c->sd->base) {
		struct timeval tv = { wait / 1000, (wait % 1000) * 1000 };

		log_info("auth: login for \"%s\" from %s slowed by %lld ms: "
		    "many failed logins of this account", name, c->id.peer,
		    (long long)wait);
		if (event_base_once(c->sd->base, -1, EV_TIMEOUT, job_delayed, j,
		    &tv) == 0)
			return RPC_PENDING;
	}
	log_debug("auth: verifying a password for \"%s\" on a worker", name);
	return job_start(j, err);
}

int
h_auth_me(struct rpc_call *c, json_t *p, json_t **res, struct spend_err *err)
{
	*res = user_json(&c->user);
	json_object_set_new(*res, "session", c->id.session[0] ?
	    json_string(c->id.session) : json_null());
	return 0;
}

/* password and delete_account: the caller's own account, proven by the
 * current password. */
static int
own_account_job(struct rpc_call *c, json_t *p, enum pw_op kind,
    struct spend_err *err)
{
	struct auth *a;
	struct pw_job *j;
	const char *pw, *pw2 = NULL;
	size_t len, len2 = 0;
	bool in_body = false;
	int retry, r;

	if ((a = auth_of(c, err)) == NULL)
		return SPEND_EUNAVAIL;
	if (c->id.uid == 0)
		return spend_errf(err, SPEND_EINVAL, "", "%s is for a logged-in "
		    "user (over HTTP); administrators use the user.* methods",
		    c->m->name);
	if (kind == J_PASSWORD && (param_password(p, "new_password", &pw2,
	    &len2, err) < 0 || jp_bool(p, "refresh_in_body", &in_body, NULL,
	    err) < 0))
		return SPEND_EINVAL;
	if (param_password(p, "password", &pw, &len, err) < 0)
		return SPEND_EINVAL;
	if ((j = job_new(c, kind, pw, len, err)) == NULL)
		return SPEND_ENOMEM;
	if (pw2 && (j->pw2 = memdup(pw2, len2)) == NULL) {
		job_free(j);
		return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	}
	j->pw2len = len2;
	j->in_body = in_body;
	if ((r = store_user_get(c->st, c->id.uid, &j->u, err)) < 0 ||
	    (r = store_user_pwhash(c->st, j->u.id, &j->stored, err)) < 0) {
		job_free(j);
		return r;
	}
	key_for(j->acct_key, sizeof(j->acct_key), "u", j->u.name);
	if (ratelimit_blocked(a->acct, j->acct_key, time_mono_ms(), &retry)) {
		job_free(j);
		return auth_rate_limited(c, retry, "wrong passwords", err);
	}
	if (hashing_saturated(c->sd)) {
		job_free(j);
		return auth_rate_limited(c, 1, "password checks in progress", err);
	}
	/* a failure until proven right, as in h_auth_login */
	ratelimit_hit(a->acct, j->acct_key, time_mono_ms());
	return job_start(j, err);
}

int
h_auth_password(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	return own_account_job(c, p, J_PASSWORD, err);
}

int
h_auth_delete_account(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	return own_account_job(c, p, J_DELETE, err);
}
