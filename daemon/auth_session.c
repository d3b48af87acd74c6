/* Sessions: refresh tokens (issue, rotation, reuse detection,
 * revocation, expiry) and the auth.refresh, auth.logout,
 * auth.logout_all, auth.rotate_key and session.* handlers; the helpers
 * every auth handler uses. */
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "auth_internal.h"
#include "handlers.h"
#include "jsonp.h"
#include "jwt.h"
#include "log.h"
#include "shapes.h"
#include "spendd.h"
#include "util.h"

/* ---- small helpers ---- */

static void
token_hash(const char *token, char out[65])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), (const unsigned char *)token,
	    strlen(token), NULL, 0);
	hex_encode(h, sizeof(h), out);
}

/* ---- sessions ---- */

struct auth *
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

void
auth_set_cookie(struct rpc_call *c, const char *value, int64_t max_age)
{
	if (!c->id.cookies)
		return;
	meta_set(c, "set_cookie", jp_pack("{s:s, s:s, s:I}", "name",
	    AUTH_COOKIE, "value", value, "max_age", (json_int_t)max_age));
}

int
auth_session_issue(struct rpc_call *c, const struct user *u,
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
	if (prev == NULL) {	/* a new session: its device may have a name */
		const char *dev = json_string_value(json_object_get(c->params,
		    "device"));

		if (dev && dev[0] && (r = store_device_name(c->st, u->id,
		    t.family, dev, err)) < 0)
			return r;
	}

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
		auth_set_cookie(c, refresh, t.expires_at - now);
	sodium_memzero(refresh, sizeof(refresh));
	return 0;
}

int
auth_session_end_all(struct store *st, struct user *u, struct spend_err *err)
{
	int64_t when = time_now() + 1;
	int r;

	if ((r = store_user_set_tokens_valid_after(st, u->id, when, err)) < 0 ||
	    (r = store_refresh_revoke_user(st, u->id, err)) < 0)
		return r;
	u->tokens_valid_after = when;
	return 0;
}

int
auth_session_error(int r, struct spend_err *err, const char *what)
{
	if (r == SPEND_EFULL)
		return spend_errf(err, SPEND_EFULL, "", "the disk is full: "
		    "cannot %s (it must be stored); try again once space is "
		    "freed", what);
	return r;
}

void
auth_session_expire(struct spendd *sd)
{
	struct spend_err err;

	if (store_refresh_expire(sd->store, time_now(), &err) < 0)
		log_warnx("auth: expiring refresh tokens: %s", err.msg);
}

/* ---- handlers ---- */

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
	struct refresh_token t;
	struct user u;
	char tok[REFRESH_LEN + 2], hash[65];
	bool cookie, won;
	int64_t now = time_now();
	int r;

	if (auth_of(c, err) == NULL)
		return SPEND_EUNAVAIL;
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
			auth_set_cookie(c, "", 0);
		return spend_errf(err, SPEND_EAUTH, "refresh_token",
		    "this session has ended: log in again");
	}
	if ((r = store_begin(c->st, err)) < 0)
		return auth_session_error(r, err, "renew the session");
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
			auth_set_cookie(c, "", 0);
		return spend_errf(err, SPEND_EAUTH, "refresh_token",
		    "refresh token already used: the session is revoked, log "
		    "in again");
	}
	if ((r = store_user_get(c->st, t.user_id, &u, err)) < 0) {
		r = spend_errf(err, SPEND_EAUTH, "", "this account no longer "
		    "exists");
		goto fail;
	}
	if ((r = auth_session_issue(c, &u, &t, !cookie, res, err)) < 0 ||
	    (r = store_commit(c->st, err)) < 0)
		goto fail;
	return 0;
fail:
	store_rollback(c->st);
	json_decref(*res);
	*res = NULL;
	/* nothing was used up: the same refresh token works later */
	return auth_session_error(r, err, "renew the session");
}

int
h_auth_logout(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct refresh_token t;
	char tok[REFRESH_LEN + 2], hash[65];
	bool cookie;
	int r;

	if (auth_of(c, err) == NULL)
		return SPEND_EUNAVAIL;
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
	auth_set_cookie(c, "", 0);
	*res = jp_pack("{s:b}", "logged_out", 1);
	return 0;
}

int
h_auth_logout_all(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	int r;

	if ((r = auth_session_end_all(c->st, &c->user, err)) < 0)
		return r;
	if (c->id.uid == c->uid)
		auth_set_cookie(c, "", 0);
	log_info("auth: every session of \"%s\" ended (by %s)", c->user.name,
	    c->id.peer);
	*res = jp_pack("{s:s, s:b}", "name", c->user.name, "logged_out", 1);
	return 0;
}

int
h_auth_rotate_key(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct auth *a;
	int r;

	if ((a = auth_of(c, err)) == NULL)
		return SPEND_EUNAVAIL;
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

json_t *
session_json(const struct refresh_token *t, const char *current)
{
	char created[32], used[32], expires[32];

	unix_rfc3339(t->family_created_at, created);
	unix_rfc3339(t->last_used_at, used);
	unix_rfc3339(t->expires_at, expires);
	return jp_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:I, s:o}",
	    "id", t->family, "created_at", created, "last_used_at", used,
	    "expires_at", expires, "user_agent", t->user_agent, "address",
	    t->address, "current", !strcmp(t->family, current), "device",
	    t->device, "sync_seq", (json_int_t)t->sync_seq, "synced_at",
	    t->synced_at[0] ? json_string(t->synced_at) : json_null());
}

static int
session_cb(void *arg, const struct refresh_token *t)
{
	struct sess_ctx *sc = arg;

	return jp_append(sc->items, session_json(t, sc->current));
}

int
h_session_list(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct sess_ctx sc;
	int r;

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

/* A session of c->uid's that is live (not used up, revoked or expired). */
static int
session_find_cb(void *arg, const struct refresh_token *t)
{
	const char **want = arg;

	if (strcmp(t->family, *want) == 0) {
		*want = NULL;	/* found */
		return 1;
	}
	return 0;
}

int
h_session_rename(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	char id[40], name[65];
	const char *want = id;
	int r;

	if (jp_str(p, "id", true, id, sizeof(id), NULL, NULL, err) < 0 ||
	    jp_str(p, "name", true, name, sizeof(name), NULL, NULL, err) < 0)
		return SPEND_EINVAL;
	if ((r = store_session_list(c->st, c->uid, time_now(), session_find_cb,
	    &want, err)) < 0)
		return r;
	if (want != NULL)
		return spend_errf(err, SPEND_ENOTFOUND, "id", "no such session");
	if ((r = store_device_name(c->st, c->uid, id, name, err)) < 0)
		return r;
	*res = jp_pack("{s:s, s:s}", "id", id, "device", name);
	return 0;
}

int
h_session_revoke(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	char id[40];
	bool found;
	int r;

	if (jp_str(p, "id", true, id, sizeof(id), NULL, NULL, err) < 0)
		return SPEND_EINVAL;
	if ((r = store_refresh_revoke_family(c->st, c->uid, id, &found,
	    err)) < 0)
		return r;
	if (!found)
		return spend_errf(err, SPEND_ENOTFOUND, "id", "no such session");
	if (c->id.uid == c->uid && !strcmp(id, c->id.session))
		auth_set_cookie(c, "", 0);
	*res = jp_pack("{s:s, s:b}", "id", id, "revoked", 1);
	return 0;
}
