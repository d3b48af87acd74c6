/* [notify] retry and webhook_allow (notify_cfg.h). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "notify_cfg.h"
#include "util.h"

/* "90", "90s", "15m", "12h", "1d" in seconds, or -1 */
static long long
duration(const char *v)
{
	char *end;
	long long n, unit = 1;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || end == v)
		return -1;
	switch (*end) {
	case 's': unit = 1; end++; break;
	case 'm': unit = 60; end++; break;
	case 'h': unit = 3600; end++; break;
	case 'd': unit = 86400; end++; break;
	}
	if (*end != '\0' || n > LLONG_MAX / unit)
		return -1;
	return n * unit;
}

int
notify_retry_parse(const char *text, const char *key, struct notify_retry *out,
    struct spend_err *err)
{
	char buf[1024], *save = NULL;

	memset(out, 0, sizeof(*out));
	if (strlcpy(buf, text, sizeof(buf)) >= sizeof(buf))
		return spend_errf(err, SPEND_EINVAL, key, "%s: too long", key);
	for (char *w = strtok_r(buf, " ,\t", &save); w;
	    w = strtok_r(NULL, " ,\t", &save)) {
		long long s = duration(w);

		if (s < 0 || s > NOTIFY_DELAY_MAX)
			return spend_errf(err, SPEND_EINVAL, key, "%s: \"%.40s\" "
			    "is not a duration from 0s to 7d (a number with s, "
			    "m, h or d)", key, w);
		if (out->n == NOTIFY_RETRY_MAX)
			return spend_errf(err, SPEND_EINVAL, key, "%s: at most "
			    "%d waits (%d attempts)", key, NOTIFY_RETRY_MAX,
			    NOTIFY_RETRY_MAX + 1);
		out->delay[out->n++] = (int)s;
	}
	return 0;
}

int
notify_retry_attempts(const struct notify_retry *r)
{
	return r->n + 1;
}

int
notify_retry_delay(const struct notify_retry *r, int attempts)
{
	if (attempts < 1 || attempts > r->n)
		return -1;
	return r->delay[attempts - 1];
}

/* ---- patterns ---- */

static bool
host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	    c == '.' || c == '_';
}

static int
bad(struct spend_err *err, const char *key, const char *pat, const char *why)
{
	return spend_errf(err, SPEND_EINVAL, key, "%s: \"%.100s\": %s (patterns "
	    "look like https://hooks.example.com/* or http://[::1]:8080/in)",
	    key, pat, why);
}

static int
parse_one(const char *pat, const char *key, struct url_pattern *p,
    struct spend_err *err)
{
	const char *s = pat, *e;
	size_t n;

	memset(p, 0, sizeof(*p));
	if ((e = strstr(s, "://")) == NULL)
		return bad(err, key, pat, "no scheme://");
	n = (size_t)(e - s);
	if (n == 4 && strncasecmp(s, "http", 4) == 0)
		strlcpy(p->scheme, "http", sizeof(p->scheme));
	else if (n == 5 && strncasecmp(s, "https", 5) == 0)
		strlcpy(p->scheme, "https", sizeof(p->scheme));
	else
		return bad(err, key, pat, "the scheme must be http or https");
	s = e + 3;
	/* host */
	if (*s == '[') {
		if ((e = strchr(s, ']')) == NULL)
			return bad(err, key, pat, "an IPv6 address without ']'");
		n = (size_t)(e - s) + 1;
		if (n < 4 || n >= sizeof(p->host) ||
		    strspn(s + 1, "0123456789abcdefABCDEF:.") != n - 2)
			return bad(err, key, pat, "not an IPv6 address in "
			    "brackets");
		memcpy(p->host, s, n);
		p->host[n] = '\0';
		s += n;
	} else {
		if (s[0] == '*' && s[1] == '.') {
			p->subdomains = true;
			s++;		/* keep the dot: ".example.com" */
		}
		n = strcspn(s, ":/");
		if (n == 0 || n >= sizeof(p->host))
			return bad(err, key, pat, "no host");
		memcpy(p->host, s, n);
		p->host[n] = '\0';
		str_tolower(p->host);
		for (size_t i = 0; i < n; i++)
			if (!host_char(p->host[i]))
				return bad(err, key, pat, p->host[i] == '@' ?
				    "no user@ in a pattern" : p->host[i] == '*' ?
				    "* is allowed only as the first label "
				    "(*.example.com)" : "a character a host name "
				    "cannot have");
		if (p->subdomains && strlen(p->host) < 2)
			return bad(err, key, pat, "*. needs a domain after it");
		s += n;
	}
	/* port */
	p->port = strcmp(p->scheme, "https") == 0 ? 443 : 80;
	if (*s == ':') {
		s++;
		if (*s == '*') {
			p->port = -1;
			s++;
		} else {
			long v = 0;

			if (*s < '0' || *s > '9')
				return bad(err, key, pat, "the port must be digits "
				    "or *");
			while (*s >= '0' && *s <= '9') {
				v = v * 10 + (*s++ - '0');
				if (v > 65535)
					break;
			}
			if (v < 1 || v > 65535)
				return bad(err, key, pat, "the port must be 1 to "
				    "65535");
			p->port = (int)v;
		}
	}
	/* path */
	if (*s == '\0')
		return 0;
	if (*s != '/')
		return bad(err, key, pat, "after the host comes :port or a path "
		    "starting with /");
	n = strlen(s);
	if (n >= sizeof(p->path))
		return bad(err, key, pat, "the path is too long");
	if (strcspn(s, "?#") != n)
		return bad(err, key, pat, "no query or fragment in a pattern");
	strlcpy(p->path, s, sizeof(p->path));
	if (p->path[n - 1] == '*') {
		p->prefix = true;
		p->path[n - 1] = '\0';
	}
	if (strchr(p->path, '*') != NULL)
		return bad(err, key, pat, "* is allowed only at the end of the "
		    "path");
	if (p->prefix && strcmp(p->path, "/") == 0)
		p->path[0] = '\0';	/* "/" then "*": any path */
	return 0;
}

int
urlallow_parse(const char *text, const char *key, struct url_pattern *out,
    size_t max, size_t *n, struct spend_err *err)
{
	char buf[4096], *save = NULL;
	int r;

	*n = 0;
	if (strlcpy(buf, text, sizeof(buf)) >= sizeof(buf))
		return spend_errf(err, SPEND_EINVAL, key, "%s: too long", key);
	for (char *w = strtok_r(buf, " ,\t", &save); w;
	    w = strtok_r(NULL, " ,\t", &save)) {
		struct url_pattern p;

		if ((r = parse_one(w, key, &p, err)) < 0)
			return r;
		if (*n == max)
			return spend_errf(err, SPEND_EINVAL, key, "%s: at most %zu "
			    "patterns", key, max);
		if (out)
			out[*n] = p;
		(*n)++;
	}
	return 0;
}

static bool
host_match(const struct url_pattern *p, const char *host)
{
	size_t hl = strlen(host), pl = strlen(p->host);

	if (!p->subdomains)
		return strcasecmp_ascii(host, p->host) == 0;
	/* ".example.com": a.example.com, a.b.example.com, not example.com
	 * nor badexample.com */
	return hl > pl && strcasecmp_ascii(host + hl - pl, p->host) == 0 &&
	    host[0] != '[';
}

bool
urlallow_match_parts(const struct url_pattern *p, size_t n,
    const char *scheme, const char *host, int port, const char *path)
{
	for (size_t i = 0; i < n; i++) {
		if (strcasecmp_ascii(scheme, p[i].scheme) != 0 ||
		    !host_match(&p[i], host) ||
		    (p[i].port != -1 && p[i].port != port))
			continue;
		if (p[i].path[0] == '\0')
			return true;
		if (p[i].prefix ? strncmp(path, p[i].path,
		    strlen(p[i].path)) == 0 : strcmp(path, p[i].path) == 0)
			return true;
	}
	return false;
}
