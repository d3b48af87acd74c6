/*
 * [notify] settings that need more than a number: the retry schedule and
 * the webhook_allow patterns. Pure C (no libcurl, no store): config.c
 * checks them at their own line, the deliverer and the URL check
 * (urlallow.h) use them.
 */
#ifndef SPEND_NOTIFY_CFG_H
#define SPEND_NOTIFY_CFG_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* ---- the retry schedule ---- */

#define NOTIFY_RETRY_MAX 20		/* delays, so at most 21 attempts */
#define NOTIFY_RETRY_DEFAULT "10s 1m 5m 30m"
#define NOTIFY_DELAY_MAX (7 * 86400)

/* "10s 1m 5m 30m": the waits before the 2nd, 3rd... attempt; a delivery
 * gets n + 1 attempts ("" = one attempt, no retry). */
struct notify_retry {
	int n;
	int delay[NOTIFY_RETRY_MAX];	/* seconds */
};

/* Parse text (durations "90", "30s", "15m", "2h", "1d", separated by
 * spaces or commas) into out. 0, or EINVAL naming key with the bad word. */
int notify_retry_parse(const char *text, const char *key,
    struct notify_retry *out, struct spend_err *err);
/* The attempts a delivery gets. */
int notify_retry_attempts(const struct notify_retry *r);
/* Seconds to wait after the attempts-th attempt failed (attempts >= 1),
 * or -1: that was the last one. */
int notify_retry_delay(const struct notify_retry *r, int attempts);

/* ---- webhook_allow: which URLs notifiers may reach ---- */

#define URLALLOW_MAX 32

/*
 * One pattern, scheme://host[:port][/path]:
 *   scheme   http or https (any case)
 *   host     a name or IPv4 address (any case), an IPv6 literal in
 *            brackets, or *.domain: any name below domain (not domain)
 *   port     digits, or * for any; absent: the scheme's default only
 *   path     absent: any; ending in *: a prefix; else exactly this
 */
struct url_pattern {
	char scheme[8];
	char host[256];			/* lower case; "[::1]" with brackets */
	bool subdomains;		/* host is "*.domain": host holds
					 * ".domain" */
	int port;			/* -1 any */
	char path[512];			/* "" = any */
	bool prefix;			/* path ends with '*' (dropped) */
};

/* Parse the space- or comma-separated patterns of text into out (at most
 * max; n gets how many). 0, or EINVAL naming key and the bad pattern. */
int urlallow_parse(const char *text, const char *key, struct url_pattern *out,
    size_t max, size_t *n, struct spend_err *err);
/* Does a URL's parts match one of the patterns? scheme and host are
 * compared without case; port is the URL's (its scheme's default if it
 * had none); path as sent ("/" at least). */
bool urlallow_match_parts(const struct url_pattern *p, size_t n,
    const char *scheme, const char *host, int port, const char *path);

#endif
