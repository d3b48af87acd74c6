/*
 * Token buckets by key ("u:alice", "a:192.0.2.7"), in a fixed table:
 * memory is bounded whatever an attacker sends; when the table is full
 * the stalest bucket in a key's neighbourhood is forgotten. Loop thread
 * only.
 */
#ifndef SPEND_RATELIMIT_H
#define SPEND_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ratelimit;

/* burst: hits allowed at once; refill_ms: one more hit allowed every
 * refill_ms. NULL on allocation failure. Free with ratelimit_free. */
struct ratelimit *ratelimit_new(int burst, int64_t refill_ms);
void ratelimit_free(struct ratelimit *rl);

/* Would one more hit exceed the bucket? *retry_s (may be NULL) gets the
 * seconds until one is allowed. Does not count a hit. */
bool ratelimit_blocked(struct ratelimit *rl, const char *key, int64_t now_ms,
    int *retry_s);
/* Hits counted and not yet refilled (0: none, a fresh key). */
int ratelimit_used(struct ratelimit *rl, const char *key, int64_t now_ms);
/* Count one hit (a failed login, a registration). */
void ratelimit_hit(struct ratelimit *rl, const char *key, int64_t now_ms);
/* Give back one hit counted ahead (a login charged before its hash, that
 * turned out right). */
void ratelimit_refund(struct ratelimit *rl, const char *key, int64_t now_ms);
/* Forget key (a successful login clears its account's failures). */
void ratelimit_reset(struct ratelimit *rl, const char *key);

/* The key of a client address, "PREFIX:ADDR", lower case: an IPv6
 * address stands for its /64 ("a:2001:db8:1:2::/64": one subscriber
 * usually has a whole /64, every address of which would otherwise get
 * buckets of its own), an IPv4-mapped one for the IPv4 address, and
 * anything else (a socket's "uid 1000") for itself. */
void ratelimit_addr_key(char *out, size_t size, const char *prefix,
    const char *addr);

#endif
