/* auth.* and session.* handlers, Bearer identity, CSRF rule. */
#include <event2/event.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "config.h"
#include "domain.h"
#include "shapes.h"
#include "handlers.h"
#include "jobs.h"
#include "jsonp.h"
#include "jwt.h"
#include "log.h"
#include "money.h"
#include "password.h"
#include "ratelimit.h"
#include "scheduler.h"
#include "util.h"

#define REFRESH_BYTES 32
#define REFRESH_LEN 43			/* base64url of 32 bytes */
#define EXPIRE_EVERY 3600		/* seconds between refresh-token sweeps */
/*
 * Failed logins (docs/HACKING.md, "Login limits", has the reasoning):
 * - per account AND address: 5, then one a minute; answered 429 before
 *   any hashing. Guessing from one place cannot lock the owner out of
 *   their account from another.
 * - per address: 20 over any accounts, then one every 15 s; 429.
 * - per account from everywhere: past THROTTLE_SOFT recent failures
 *   (one forgiven a minute), attempts of that account are spaced out by a
 *   growing delay, THROTTLE_BASE_MS doubling up to THROTTLE_MAX_MS, one
 *   after another: never refused, only slowed. An address with no recent
 *   failure for the account skips the wait, so the owner signing in from
 *   a new place gets in at once with the right password.
 * The current password of auth.password and auth.delete_account: 5 per
 * account, then one a minute. Registrations: 10 per address then one a
 * minute.
 */
#define PAIR_BURST 5
#define PAIR_REFILL_MS 60000
#define ACCT_BURST 5
#define ACCT_REFILL_MS 60000
#define ADDR_BURST 20
#define ADDR_REFILL_MS 15000
#define REG_BURST 10
#define REG_REFILL_MS 60000
#define THROTTLE_SLOTS 256
#define THROTTLE_SOFT 10
#define THROTTLE_FORGIVE_MS 60000
#define THROTTLE_BASE_MS 250
#define THROTTLE_MAX_MS 16000

/* An account's recent failures from everywhere, and when its next
 * slowed attempt may run. */
struct throttle {
	char key[NAME_MAX_LEN + 8];	/* "" = free */
	int fails;
	int64_t fail_ms;		/* when fails was last brought up to date */
	int64_t next_ms;		/* the next slowed attempt's slot */
};

struct auth {
	struct jwt_keys keys;
	struct ratelimit *pair, *acct, *addr, *reg;
	struct throttle thr[THROTTLE_SLOTS];
};

/* ---- small helpers ---- */

static void
unix_rfc3339(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
token_hash(const char *token, char out[65])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), (const unsigned char *)token,
	    strlen(token), NULL, 0);
	hex_encode(h, sizeof(h), out);
}

static struct auth *
auth_of(struct rpc_call *c, struct spend_err *err)
{
	if (c->sd->auth == NULL)
		spend_errf(err, SPEND_EUNAVAIL, "", "accounts are not enabled "
		    "in this spendd");
	return c->sd->auth;
}

static void
meta_set(struct rpc_call *c, const char *key, json_t *v)
{
	if (c->out_meta == NULL)
		c->out_meta = json_object();
	json_object_set_new(c->out_meta, key, v);
}

/* Ask the transport to set (max_age > 0) or delete the refresh cookie. */
static void
set_cookie(struct rpc_call *c, const char *value, int64_t max_age)
{
	if (!c->id.cookies)
		return;
	meta_set(c, "set_cookie", jp_pack("{s:s, s:s, s:I}", "name",
	    AUTH_COOKIE, "value", value, "max_age", (json_int_t)max_age));
}

static int
rate_limited(struct rpc_call *c, int retry, const char *what,
    struct spend_err *err)
{
	meta_set(c, "retry_after", json_integer(retry > 0 ? retry : 1));
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

/* ---- sessions ---- */

/*
 * Issue an access token and the next refresh token of a session: a new
 * family when prev is NULL, else prev's (same absolute end). The caller
 * holds the transaction. *res gets the login answer.
 */
static int
session_issue(struct rpc_call *c, const struct user *u,
    const struct refresh_token *prev, bool in_body, json_t **res,
    struct spend_err *err)
{
	struct auth *a = c->sd->auth;
	struct refresh_token t;
	struct jwt_claims cl;
	unsigned char raw[REFRESH_BYTES];
	char refresh[REFRESH_LEN + 1], hash[65], access[JWT_MAX_LEN + 1];
	int64_t now = time_now();
	int r;

	memset(&t, 0, sizeof(t));
	t.user_id = u->id;
	t.created_at = t.last_used_at = now;
	if (prev) {
		strlcpy(t.family, prev->family, sizeof(t.family));
		t.family_created_at = prev->family_created_at;
		t.expires_at = prev->expires_at;
	} else {
		unsigned char fam[16];

		randombytes_buf(fam, sizeof(fam));
		hex_encode(fam, sizeof(fam), t.family);
		t.family_created_at = now;
		t.expires_at = now + (int64_t)c->sd->cfg.refresh_ttl_days * 86400;
	}
	strlcpy(t.user_agent, c->id.user_agent, sizeof(t.user_agent));
	strlcpy(t.address, c->id.peer, sizeof(t.address));
	randombytes_buf(raw, sizeof(raw));
	b64url_encode(raw, sizeof(raw), refresh, sizeof(refresh));
	sodium_memzero(raw, sizeof(raw));
	token_hash(refresh, hash);
	if ((r = store_refresh_add(c->st, &t, hash, err)) < 0)
		return r;

	memset(&cl, 0, sizeof(cl));
	strlcpy(cl.iss, AUTH_ISSUER, sizeof(cl.iss));
	strlcpy(cl.aud, AUTH_AUDIENCE, sizeof(cl.aud));
	cl.sub = u->id;
	/* never issued before tokens_valid_after, which ends older tokens */
	cl.iat = now > u->tokens_valid_after ? now : u->tokens_valid_after;
	cl.nbf = now;
	cl.exp = cl.iat + c->sd->cfg.access_ttl;
	strlcpy(cl.role, u->role, sizeof(cl.role));
	strlcpy(cl.typ, "access", sizeof(cl.typ));
	strlcpy(cl.sid, t.family, sizeof(cl.sid));
	if ((r = jwt_sign(&a->keys, &cl, access, sizeof(access), err)) < 0)
		return r;

	*res = jp_pack("{s:s, s:s, s:I, s:s, s:o}", "access_token", access,
	    "token_type", "Bearer", "expires_in",
	    (json_int_t)(cl.exp - now), "session", t.family,
	    "user", user_json(u));
	if (in_body || !c->id.cookies) {
		json_object_set_new(*res, "refresh_token", json_string(refresh));
		json_object_set_new(*res, "refresh_expires_in",
		    json_integer(t.expires_at - now));
	} else
		set_cookie(c, refresh, t.expires_at - now);
	sodium_memzero(refresh, sizeof(refresh));
	return 0;
}

/* End every session of uid: tokens issued until now stop working. */
static int
end_all_sessions(struct store *st, struct user *u, struct spend_err *err)
{
	int64_t when = time_now() + 1;
	int r;

	if ((r = store_user_set_tokens_valid_after(st, u->id, when, err)) < 0 ||
	    (r = store_refresh_revoke_user(st, u->id, err)) < 0)
		return r;
	u->tokens_valid_after = when;
	return 0;
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

	switch (j->kind) {
	case J_LOGIN:
	case J_PASSWORD:
	case J_DELETE:
		j->ok = password_verify(j->stored, j->pw, j->pwlen);
		if (!j->ok)
			break;
		if (j->kind == J_LOGIN && password_needs_rehash(j->stored)) {
			j->rehash = password_hash(j->pw, j->pwlen, j->newhash,
			    &j->err) == 0;
		} else if (j->kind == J_PASSWORD)
			j->ok = password_hash(j->pw2, j->pw2len, j->newhash,
			    &j->err) == 0;
		break;
	case J_CREATE:
		j->ok = password_hash(j->pw, j->pwlen, j->newhash, &j->err) == 0;
		break;
	}
}

/* A session cannot be stored: say why in words a user can act on. */
static int
session_error(int r, struct spend_err *err, const char *what)
{
	if (r == SPEND_EFULL)
		return spend_errf(err, SPEND_EFULL, "", "the disk is full: "
		    "cannot %s (it must be stored); try again once space is "
		    "freed", what);
	return r;
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
		return session_error(r, err, "start a session");
	if ((r = session_issue(c, &u, NULL, j->in_body, res, err)) < 0 ||
	    (r = store_commit(c->st, err)) < 0) {
		store_rollback(c->st);
		json_decref(*res);
		*res = NULL;
		return session_error(r, err, "start a session");
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
		struct user *del = malloc(sizeof(*del));

		if (del == NULL)
			return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
		*del = u;
		set_cookie(c, "", 0);
		/* everything the user owns goes: on a WRITE worker */
		return rpc_offload(c, JOB_WRITE, delete_account_work, del, free,
		    err);
	}
	if ((r = store_begin(c->st, err)) < 0)
		return r;
	/* a new password ends every session, then this device logs in again */
	if ((r = store_user_set_pwhash(c->st, u.id, j->newhash, err)) < 0 ||
	    (r = end_all_sessions(c->st, &u, err)) < 0 ||
	    (r = session_issue(c, &u, NULL, j->in_body, res, err)) < 0 ||
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
	struct pw_job *j = calloc(1, sizeof(*j));

	if (j == NULL || (j->pw = memdup(pw, len)) == NULL) {
		free(j);
		spend_errf(err, SPEND_ENOMEM, "", "out of memory");
		return NULL;
	}
	j->kind = kind;
	j->c = c;
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
		return rate_limited(c, 1, "password checks in progress", err);
	if ((j = job_new(c, J_CREATE, password, len, err)) == NULL)
		return SPEND_ENOMEM;
	j->u = nu;
	return job_start(j, err);
}

int
h_auth_register(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	static const char *const known[] = { "username", "password",
	    "currency", "timezone", NULL };
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
	if (jp_only(p, known, err) < 0 ||
	    jp_str(p, "username", true, u.name, sizeof(u.name), NULL, NULL,
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
		return rate_limited(c, retry, "registrations from this address",
		    err);
	if (store_user_by_name(c->st, u.name, &old, NULL) == 0)
		return spend_errf(err, SPEND_ECONFLICT, "username",
		    "user \"%s\" already exists", u.name);
	if (hashing_saturated(c->sd))
		return rate_limited(c, 1, "password checks in progress", err);
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
	static const char *const known[] = { "username", "password",
	    "refresh_in_body", NULL };
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
	if (jp_only(p, known, err) < 0 ||
	    jp_str(p, "username", true, name, sizeof(name), NULL, NULL,
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
		return rate_limited(c, retry, "failed logins", err);
	}
	if (hashing_saturated(c->sd)) {
		job_free(j);
		return rate_limited(c, 1, "password checks in progress", err);
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

/* The refresh token of a request: the param, else the cookie (which must
 * pass the CSRF rule). *from_cookie says which. */
static int
refresh_param(struct rpc_call *c, json_t *p, char *tok, size_t size,
    bool *from_cookie, struct spend_err *err)
{
	bool have;

	*from_cookie = false;
	if (jp_str(p, "refresh_token", false, tok, size, NULL, &have, err) < 0)
		return SPEND_EAUTH;
	if (have)
		return 0;
	if (c->id.refresh_cookie[0] == '\0') {
		tok[0] = '\0';
		return 0;
	}
	if (c->id.csrf_error)
		return spend_errf(err, SPEND_EPERM, "", "refresh cookie refused: %s",
		    c->id.csrf_error);
	*from_cookie = true;
	strlcpy(tok, c->id.refresh_cookie, size);
	return 0;
}

int
h_auth_refresh(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	static const char *const known[] = { "refresh_token", NULL };
	struct refresh_token t;
	struct user u;
	char tok[REFRESH_LEN + 2], hash[65];
	bool cookie, won;
	int64_t now = time_now();
	int r;

	if (auth_of(c, err) == NULL)
		return SPEND_EUNAVAIL;
	if (jp_only(p, known, err) < 0)
		return SPEND_EINVAL;
	if ((r = refresh_param(c, p, tok, sizeof(tok), &cookie, err)) < 0)
		return r;
	if (tok[0] == '\0')
		return spend_errf(err, SPEND_EAUTH, "refresh_token",
		    "no refresh token: log in again");
	token_hash(tok, hash);
	sodium_memzero(tok, sizeof(tok));
	if (store_refresh_get(c->st, hash, &t, NULL) < 0 || t.revoked ||
	    t.expires_at <= now) {
		if (cookie)
			set_cookie(c, "", 0);
		return spend_errf(err, SPEND_EAUTH, "refresh_token",
		    "this session has ended: log in again");
	}
	if ((r = store_begin(c->st, err)) < 0)
		return session_error(r, err, "renew the session");
	if ((r = store_refresh_use(c->st, t.id, now, &won, err)) < 0)
		goto fail;
	if (!won) {
		/* a used token came back: stolen, or a race lost. Either way
		 * nobody holding this family can be trusted now. */
		if ((r = store_refresh_revoke_family(c->st, t.user_id, t.family,
		    NULL, err)) < 0 || (r = store_commit(c->st, err)) < 0)
			goto fail;
		log_warnx("auth: refresh token reused for user %lld, session %.8s "
		    "from %s: session revoked", (long long)t.user_id, t.family,
		    c->id.peer);
		if (cookie)
			set_cookie(c, "", 0);
		return spend_errf(err, SPEND_EAUTH, "refresh_token",
		    "refresh token already used: the session is revoked, log "
		    "in again");
	}
	if ((r = store_user_get(c->st, t.user_id, &u, err)) < 0) {
		r = spend_errf(err, SPEND_EAUTH, "", "this account no longer "
		    "exists");
		goto fail;
	}
	if ((r = session_issue(c, &u, &t, !cookie, res, err)) < 0 ||
	    (r = store_commit(c->st, err)) < 0)
		goto fail;
	return 0;
fail:
	store_rollback(c->st);
	json_decref(*res);
	*res = NULL;
	/* nothing was used up: the same refresh token works later */
	return session_error(r, err, "renew the session");
}

int
h_auth_logout(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	static const char *const known[] = { "refresh_token", NULL };
	struct refresh_token t;
	char tok[REFRESH_LEN + 2], hash[65];
	bool cookie;
	int r;

	if (auth_of(c, err) == NULL)
		return SPEND_EUNAVAIL;
	if (jp_only(p, known, err) < 0)
		return SPEND_EINVAL;
	if ((r = refresh_param(c, p, tok, sizeof(tok), &cookie, err)) < 0)
		return r;
	if (tok[0]) {
		token_hash(tok, hash);
		sodium_memzero(tok, sizeof(tok));
		if (store_refresh_get(c->st, hash, &t, NULL) == 0 &&
		    (r = store_refresh_revoke_family(c->st, t.user_id, t.family,
		    NULL, err)) < 0)
			return r;
	} else if (c->id.uid && c->id.session[0]) {
		if ((r = store_refresh_revoke_family(c->st, c->id.uid,
		    c->id.session, NULL, err)) < 0)
			return r;
	}
	set_cookie(c, "", 0);
	*res = jp_pack("{s:b}", "logged_out", 1);
	return 0;
}

int
h_auth_logout_all(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	static const char *const known[] = { NULL };
	int r;

	if (jp_only(p, known, err) < 0)
		return SPEND_EINVAL;
	if ((r = end_all_sessions(c->st, &c->user, err)) < 0)
		return r;
	if (c->id.uid == c->uid)
		set_cookie(c, "", 0);
	log_info("auth: every session of \"%s\" ended (by %s)", c->user.name,
	    c->id.peer);
	*res = jp_pack("{s:s, s:b}", "name", c->user.name, "logged_out", 1);
	return 0;
}

int
h_auth_me(struct rpc_call *c, json_t *p, json_t **res, struct spend_err *err)
{
	static const char *const known[] = { NULL };

	if (jp_only(p, known, err) < 0)
		return SPEND_EINVAL;
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
	if (kind == J_PASSWORD) {
		static const char *const known[] = { "password", "new_password",
		    "refresh_in_body", NULL };

		if (jp_only(p, known, err) < 0 ||
		    param_password(p, "new_password", &pw2, &len2, err) < 0 ||
		    jp_bool(p, "refresh_in_body", &in_body, NULL, err) < 0)
			return SPEND_EINVAL;
	} else {
		static const char *const known[] = { "password", NULL };

		if (jp_only(p, known, err) < 0)
			return SPEND_EINVAL;
	}
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
		return rate_limited(c, retry, "wrong passwords", err);
	}
	if (hashing_saturated(c->sd)) {
		job_free(j);
		return rate_limited(c, 1, "password checks in progress", err);
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

int
h_auth_rotate_key(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	static const char *const known[] = { NULL };
	struct auth *a;
	int r;

	if ((a = auth_of(c, err)) == NULL)
		return SPEND_EUNAVAIL;
	if (jp_only(p, known, err) < 0)
		return SPEND_EINVAL;
	if ((r = jwt_keys_rotate(&a->keys, err)) < 0)
		return r;
	*res = jp_pack("{s:s, s:i}", "kid", a->keys.k[0].kid, "keys",
	    a->keys.n);
	return 0;
}

struct sess_ctx {
	json_t *items;
	const char *current;
};

static int
session_cb(void *arg, const struct refresh_token *t)
{
	struct sess_ctx *sc = arg;
	char created[32], used[32], expires[32];

	unix_rfc3339(t->family_created_at, created);
	unix_rfc3339(t->last_used_at, used);
	unix_rfc3339(t->expires_at, expires);
	json_array_append_new(sc->items, jp_pack("{s:s, s:s, s:s, s:s, s:s, "
	    "s:s, s:b}", "id", t->family, "created_at", created, "last_used_at",
	    used, "expires_at", expires, "user_agent", t->user_agent, "address",
	    t->address, "current", !strcmp(t->family, sc->current)));
	return 0;
}

int
h_session_list(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	static const char *const known[] = { NULL };
	struct sess_ctx sc;
	int r;

	if (jp_only(p, known, err) < 0)
		return SPEND_EINVAL;
	sc.items = json_array();
	sc.current = c->id.uid == c->uid ? c->id.session : "";
	if ((r = store_session_list(c->st, c->uid, time_now(), session_cb, &sc,
	    err)) < 0) {
		json_decref(sc.items);
		return r;
	}
	*res = jp_pack("{s:o, s:I}", "items", sc.items, "count",
	    (json_int_t)json_array_size(sc.items));
	return 0;
}

int
h_session_revoke(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	static const char *const known[] = { "id", NULL };
	char id[40];
	bool found;
	int r;

	if (jp_only(p, known, err) < 0 ||
	    jp_str(p, "id", true, id, sizeof(id), NULL, NULL, err) < 0)
		return SPEND_EINVAL;
	if ((r = store_refresh_revoke_family(c->st, c->uid, id, &found,
	    err)) < 0)
		return r;
	if (!found)
		return spend_errf(err, SPEND_ENOTFOUND, "id", "no such session");
	if (c->id.uid == c->uid && !strcmp(id, c->id.session))
		set_cookie(c, "", 0);
	*res = jp_pack("{s:s, s:b}", "id", id, "revoked", 1);
	return 0;
}

/* ---- identity and CSRF ---- */

int
auth_identify(struct spendd *sd, const char *authorization,
    struct rpc_identity *id, struct spend_err *err)
{
	struct auth *a = sd->auth;
	struct jwt_claims cl;
	struct user u;
	const char *tok;
	int64_t now = time_now();
	bool live;
	int r;

	if (authorization == NULL)
		return 0;
	if (a == NULL)
		return spend_errf(err, SPEND_EAUTH, "", "accounts are not enabled");
	if (strncasecmp(authorization, "Bearer ", 7) != 0)
		return spend_errf(err, SPEND_EAUTH, "", "Authorization must be "
		    "\"Bearer ACCESS_TOKEN\"");
	for (tok = authorization + 7; *tok == ' '; tok++)
		;
	if ((r = jwt_verify(&a->keys, tok, AUTH_ISSUER, AUTH_AUDIENCE, "access",
	    now, &cl, err)) < 0)
		return r;
	if (store_user_get(sd->store, cl.sub, &u, NULL) < 0)
		return spend_errf(err, SPEND_EAUTH, "", "this account no longer "
		    "exists");
	if (cl.iat < u.tokens_valid_after)
		return spend_errf(err, SPEND_EAUTH, "", "this session has ended "
		    "(logged out everywhere or password changed)");
	if (cl.sid[0]) {
		if ((r = store_session_live(sd->store, u.id, cl.sid, now, &live,
		    err)) < 0)
			return r;
		if (!live)
			return spend_errf(err, SPEND_EAUTH, "", "this session has "
			    "ended: log in again");
	}
	id->uid = u.id;
	/* the lesser of the token's role and today's */
	id->role = !strcmp(cl.role, "admin") && !strcmp(u.role, "admin") ?
	    ROLE_ADMIN : ROLE_USER;
	id->socket_admin = false;
	strlcpy(id->session, cl.sid, sizeof(id->session));
	return 0;
}

static bool
origin_matches(const struct config *cfg, const char *origin, const char *host)
{
	const char *o = origin;

	if (cfg->http_origin[0])
		return strcasecmp_ascii(origin, cfg->http_origin) == 0;
	if (host == NULL)
		return false;
	if (strncasecmp(o, "http://", 7) == 0)
		o += 7;
	else if (strncasecmp(o, "https://", 8) == 0)
		o += 8;
	else
		return false;
	return strcasecmp_ascii(o, host) == 0;
}

const char *
auth_csrf_check(const struct config *cfg, const char *origin,
    const char *host, const char *sec_fetch_site, const char *custom)
{
	if (custom == NULL || *custom == '\0')
		return "the " AUTH_CSRF_HEADER " header is missing";
	if (sec_fetch_site && strcmp(sec_fetch_site, "same-origin") != 0)
		return "cross-site request (Sec-Fetch-Site)";
	if (origin) {
		if (!origin_matches(cfg, origin, host))
			return "the Origin is not this server";
	} else if (sec_fetch_site == NULL)
		return "neither Origin nor Sec-Fetch-Site says where the request "
		    "comes from";
	return NULL;
}

const char *
auth_cross_site(const struct config *cfg, const char *origin,
    const char *host, const char *sec_fetch_site)
{
	if (sec_fetch_site && strcmp(sec_fetch_site, "same-origin") != 0)
		return "cross-site request (Sec-Fetch-Site)";
	if (origin && !origin_matches(cfg, origin, host))
		return "the Origin is not this server";
	return NULL;
}

/* ---- life cycle ---- */

static void
expire_tokens(struct spendd *sd)
{
	struct spend_err err;

	if (store_refresh_expire(sd->store, time_now(), &err) < 0)
		log_warnx("auth: expiring refresh tokens: %s", err.msg);
}

int
auth_init(struct spendd *sd, struct spend_err *err)
{
	struct auth *a;
	char path[PATH_MAX + 16];
	int r;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	snprintf(path, sizeof(path), "%s/jwt.key", sd->cfg.data_dir);
	if ((r = jwt_keys_load(path, &a->keys, err)) < 0) {
		free(a);
		return r;
	}
	a->pair = ratelimit_new(PAIR_BURST, PAIR_REFILL_MS);
	a->acct = ratelimit_new(ACCT_BURST, ACCT_REFILL_MS);
	a->addr = ratelimit_new(ADDR_BURST, ADDR_REFILL_MS);
	a->reg = ratelimit_new(REG_BURST, REG_REFILL_MS);
	if (a->pair == NULL || a->acct == NULL || a->addr == NULL ||
	    a->reg == NULL) {
		sd->auth = a;
		auth_free(sd);
		return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	}
	password_set_cost((unsigned long long)sd->cfg.argon2_opslimit,
	    (size_t)sd->cfg.argon2_memlimit);
	sd->auth = a;
	if (sd->base && sched_every(sd, "refresh-token-expiry", 60, EXPIRE_EVERY,
	    expire_tokens) < 0) {
		auth_free(sd);
		return spend_errf(err, SPEND_ENOMEM, "", "cannot schedule the "
		    "refresh token expiry");
	}
	return 0;
}

void
auth_free(struct spendd *sd)
{
	struct auth *a = sd->auth;

	if (a == NULL)
		return;
	ratelimit_free(a->pair);
	ratelimit_free(a->acct);
	ratelimit_free(a->addr);
	ratelimit_free(a->reg);
	jwt_keys_free(&a->keys);
	free(a);
	sd->auth = NULL;
}
