/* The auth rules of HTTP requests: the identity of a Bearer token, the
 * CSRF rule of the refresh cookie, cross-site requests. */
#include <string.h>

#include "auth_internal.h"
#include "config.h"
#include "jwt.h"
#include "spendd.h"
#include "util.h"

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
	if ((r = jwt_verify_cached(a->tokens, &a->keys, tok, AUTH_ISSUER,
	    AUTH_AUDIENCE, "access", now, &cl, err)) < 0)
		return r;
	/* the user and the session in one read */
	if ((r = store_user_session(sd->store, cl.sub, cl.sid, now, &u, &live,
	    err)) < 0)
		return r == SPEND_ENOTFOUND ? spend_errf(err, SPEND_EAUTH, "",
		    "this account no longer exists") : r;
	if (cl.iat < u.tokens_valid_after)
		return spend_errf(err, SPEND_EAUTH, "", "this session has ended "
		    "(logged out everywhere or password changed)");
	if (cl.sid[0] && !live)
		return spend_errf(err, SPEND_EAUTH, "", "this session has "
		    "ended: log in again");
	id->uid = u.id;
	id->user = u;	/* resolve reads it again no more */
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
