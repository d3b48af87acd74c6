/*
 * Accounts and sessions: register, login, refresh, logout, password
 * change, account deletion, sessions; the identity of an HTTP request
 * from its Bearer token; the CSRF rule for the refresh cookie.
 *
 * Access tokens are HS256 JWTs (jwt.h) signed with the key file
 * DATA_DIR/jwt.key. Refresh tokens are 32 random bytes, base64url, kept
 * only as a hash (store_auth.c), rotated on every use; a family is one
 * login, and a reused token revokes its whole family.
 *
 * Handlers talk to the HTTP transport through call->out_meta:
 *   {"set_cookie": {"name", "value", "max_age"}}   (max_age 0 deletes)
 *   {"retry_after": SECONDS}                        (with a 429)
 */
#ifndef SPEND_AUTH_H
#define SPEND_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "rpc.h"

#define AUTH_ISSUER "spendd"
#define AUTH_AUDIENCE "spend"
#define AUTH_COOKIE "spend_refresh"
#define AUTH_COOKIE_PATH "/api/v1/auth"
/* Cookie-authenticated requests must carry this header (any value):
 * a cross-site page cannot add it without a CORS preflight we refuse. */
#define AUTH_CSRF_HEADER "X-Spend-CSRF"

struct config;

/* ---- auth.c ---- */

/* Load or create the signing key, set the password cost from the
 * configuration, schedule the refresh-token expiry (when sd->base is
 * set). */
int auth_init(struct spendd *sd, struct spend_err *err);
void auth_free(struct spendd *sd);

/* ---- auth_http.c ---- */

/*
 * The identity of an HTTP request. authorization: the Authorization
 * header or NULL. Without one, id stays public. With one, it must be a
 * valid access token ("Bearer JWT") of a live account and session, else
 * SPEND_EAUTH: the request is refused, not downgraded to public.
 */
int auth_identify(struct spendd *sd, const char *authorization,
    struct rpc_identity *id, struct spend_err *err);

/*
 * May a request that carries the refresh cookie use it? NULL if yes, else
 * a static reason. The request must name the custom header, and its
 * Origin (or, without one, Sec-Fetch-Site: same-origin) must be ours:
 * cfg->http_origin when set, else the scheme-less match of Host. Any
 * argument may be NULL (header absent).
 */
const char *auth_csrf_check(const struct config *cfg, const char *origin,
    const char *host, const char *sec_fetch_site, const char *custom);

/*
 * Does a browser mark this request as sent from another site (a
 * Sec-Fetch-Site other than same-origin, or an Origin not ours, as
 * above)? NULL if not, else a static reason. API clients send neither
 * header and pass.
 */
const char *auth_cross_site(const struct config *cfg, const char *origin,
    const char *host, const char *sec_fetch_site);

/* ---- auth_account.c (the handlers: handlers.h) ---- */

/*
 * Create user u (name, role, currency, timezone set) and their default
 * categories in one transaction; with a password (len bytes, already
 * checked by password_check) the hash runs on a worker first and the call
 * completes later: returns RPC_PENDING, or 0 with *res set, or an error.
 * The call's method must be RPC_ASYNC | RPC_NOTX.
 */
/* A session (a refresh-token family) as session.list shows it; current:
 * the asking session's id ("" if none). */
json_t *session_json(const struct refresh_token *t, const char *current);
int auth_user_create(struct rpc_call *c, const struct user *u,
    const char *password, size_t len, json_t **res, struct spend_err *err);

#endif
