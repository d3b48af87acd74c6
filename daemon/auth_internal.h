/*
 * What the files of the auth module share (auth.h is its interface):
 *   auth.c          init and free
 *   auth_session.c  refresh tokens and sessions: issue, rotation,
 *                   revocation, expiry; auth.refresh, auth.logout,
 *                   auth.logout_all, auth.rotate_key, session.*; the
 *                   helpers every handler uses
 *   auth_account.c  register, login, me, password change, account
 *                   deletion, auth_user_create: the Argon2 jobs, the
 *                   login limits and the account-wide throttle
 *   auth_http.c     the identity of an HTTP request, the CSRF rules
 */
#ifndef SPEND_AUTH_INTERNAL_H
#define SPEND_AUTH_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "auth.h"
#include "jwt.h"
#include "store.h"

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
	struct jwt_cache *tokens;	/* access tokens verified (the loop's) */
	struct ratelimit *pair, *acct, *addr, *reg;
	struct throttle thr[THROTTLE_SLOTS];
};

struct ratelimit;

/* ---- auth_session.c (auth_account.c and auth.c call it; it calls
 * neither) ---- */

/* sd->auth, or NULL with err filled (EUNAVAIL: accounts are off). */
struct auth *auth_of(struct rpc_call *c, struct spend_err *err);
/* Ask the transport to set (max_age > 0) or delete the refresh cookie. */
void auth_set_cookie(struct rpc_call *c, const char *value, int64_t max_age);

/*
 * Issue an access token and the next refresh token of a session: a new
 * family when prev is NULL, else prev's (same absolute end). The caller
 * holds the transaction. *res gets the login answer.
 */
int auth_session_issue(struct rpc_call *c, const struct user *u,
    const struct refresh_token *prev, bool in_body, json_t **res,
    struct spend_err *err);
/* End every session of uid: tokens issued until now stop working. */
int auth_session_end_all(struct store *st, struct user *u,
    struct spend_err *err);
/* A session cannot be stored: say why in words a user can act on. */
int auth_session_error(int r, struct spend_err *err, const char *what);
/* Remove the refresh tokens past their end (a scheduler task). */
void auth_session_expire(struct spendd *sd);

#endif
