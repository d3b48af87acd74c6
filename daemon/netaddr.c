/* Addresses as 16 bytes, IPv4 mapped into IPv6. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netaddr.h"
#include "util.h"

static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0xff, 0xff };

int
netaddr_parse(const char *s, size_t len, struct netaddr *out)
{
	char buf[NETADDR_STRLEN];

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	/* inet_pton takes exactly dotted quads and RFC 4291 text: no
	 * "1.2.3", no octal, no zone, no brackets */
	if (inet_pton(AF_INET, buf, out->b + 12) == 1) {
		memcpy(out->b, v4mapped, sizeof(v4mapped));
		return 0;
	}
	return inet_pton(AF_INET6, buf, out->b) == 1 ? 0 : -1;
}

bool
netaddr_is_v4(const struct netaddr *a)
{
	return memcmp(a->b, v4mapped, sizeof(v4mapped)) == 0;
}

void
netaddr_format(const struct netaddr *a, char *out, size_t size)
{
	char buf[NETADDR_STRLEN];

	if (netaddr_is_v4(a))
		inet_ntop(AF_INET, a->b + 12, buf, sizeof(buf));
	else
		inet_ntop(AF_INET6, a->b, buf, sizeof(buf));
	strlcpy(out, buf, size);
}

/* Zero the bits of a past bits. */
static void
mask(struct netaddr *a, int bits)
{
	for (int i = 0; i < 16; i++) {
		int keep = bits - 8 * i;

		if (keep <= 0)
			a->b[i] = 0;
		else if (keep < 8)
			a->b[i] &= (unsigned char)(0xff << (8 - keep));
	}
}

int
netaddr_prefix_parse(const char *s, struct netaddr_prefix *out)
{
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	int bits = 0, max;

	if (netaddr_parse(s, len, &out->a) < 0)
		return -1;
	max = netaddr_is_v4(&out->a) && memchr(s, ':', len) == NULL ? 32 : 128;
	if (slash == NULL)
		bits = max;
	else {
		const char *p = slash + 1;

		/* digits only, no sign, no leading zero, at most 3 */
		if (*p == '\0' || (p[0] == '0' && p[1] != '\0') ||
		    strspn(p, "0123456789") != strlen(p) || strlen(p) > 3)
			return -1;
		bits = atoi(p);
		if (bits > max)
			return -1;
	}
	out->bits = bits + (max == 32 ? 96 : 0);
	mask(&out->a, out->bits);
	return 0;
}

bool
netaddr_prefix_match(const struct netaddr_prefix *p, size_t n, const struct netaddr *a)
{
	for (size_t i = 0; i < n; i++) {
		struct netaddr m = *a;

		mask(&m, p[i].bits);
		if (memcmp(m.b, p[i].a.b, sizeof(m.b)) == 0)
			return true;
	}
	return false;
}

int
netaddr_prefix_list_parse(const char *key, const char *list, struct netaddr_prefix *out,
    size_t max, size_t *n, struct spend_err *err)
{
	const char *p = list;

	*n = 0;
	for (;;) {
		char tok[NETADDR_STRLEN + 8];
		struct netaddr_prefix np;
		size_t len;

		p += strspn(p, " \t");
		if (*p == '\0')
			return 0;
		len = strcspn(p, " \t");
		if (len >= sizeof(tok) || (memcpy(tok, p, len), tok[len] = '\0',
		    netaddr_prefix_parse(tok, &np) < 0))
			return spend_errf(err, SPEND_EINVAL, key, "%s: \"%.*s\" is "
			    "not an IPv4 or IPv6 address or CIDR prefix (like "
			    "192.0.2.1, 10.0.0.0/8 or fd00::/8)", key,
			    (int)(len > 60 ? 60 : len), p);
		if (*n == max)
			return spend_errf(err, SPEND_EINVAL, key, "%s: more than "
			    "%zu entries (\"%s\"); use CIDR prefixes", key, max,
			    tok);
		out[(*n)++] = np;
		p += len;
	}
}
