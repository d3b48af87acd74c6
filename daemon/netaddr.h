/*
 * IPv4 and IPv6 addresses and CIDR prefixes, for [http] trusted_proxies
 * and the per-address rate limits. An IPv4 address is held as its
 * IPv4-mapped IPv6 form (::ffff:a.b.c.d), so one comparison covers both
 * families and a dual-stack socket's mapped peer matches an IPv4 entry.
 * Nothing here allocates.
 */
#ifndef SPEND_NETADDR_H
#define SPEND_NETADDR_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define NETADDR_STRLEN 46	/* INET6_ADDRSTRLEN */

struct netaddr {
	unsigned char b[16];	/* network order; IPv4 as ::ffff:a.b.c.d */
};

struct netaddr_prefix {
	struct netaddr a;	/* bits past the prefix are zero */
	int bits;		/* 0..128, over the mapped form (IPv4 /n = 96+n) */
};

/* s[0..len): a bare IPv4 or IPv6 address (no brackets, port or zone
 * "%eth0"). 0, or -1 if it is not one. */
int netaddr_parse(const char *s, size_t len, struct netaddr *out);
/* IPv4 or IPv4-mapped. */
bool netaddr_is_v4(const struct netaddr *a);
/* A dotted quad for IPv4 (mapped too), RFC 5952 text for IPv6. */
void netaddr_format(const struct netaddr *a, char *out, size_t size);

/* "ADDR" (a single address) or "ADDR/BITS" (IPv4 0..32, IPv6 0..128);
 * host bits past the prefix are ignored. 0 or -1. */
int netaddr_prefix_parse(const char *s, struct netaddr_prefix *out);
/* Is a inside one of the n prefixes? */
bool netaddr_prefix_match(const struct netaddr_prefix *p, size_t n,
    const struct netaddr *a);
/* A space-separated list into out[max], *n entries. On a bad entry or
 * more than max, an error naming the entry, with field key. */
int netaddr_prefix_list_parse(const char *key, const char *list,
    struct netaddr_prefix *out, size_t max, size_t *n, struct spend_err *err);

#endif
