/* Fixed-size table of token buckets, open addressing with a short probe. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netaddr.h"
#include "ratelimit.h"
#include "util.h"

#define SLOTS 4096		/* power of two */
#define PROBE 8
#define KEY_MAX 80

struct bucket {
	char key[KEY_MAX];	/* "" = free */
	int64_t tokens_ms;	/* credit, in ms of refill: burst*refill = full */
	int64_t last_ms;	/* when tokens_ms was computed */
};

struct ratelimit {
	int64_t cap_ms, refill_ms;
	/* a secret hash key: names that crowd one key's neighbourhood (and
	 * evict its drained bucket) cannot be worked out offline */
	unsigned char seed[crypto_shorthash_KEYBYTES];
	struct bucket b[SLOTS];
};

struct ratelimit *
ratelimit_new(int burst, int64_t refill_ms)
{
	struct ratelimit *rl = calloc(1, sizeof(*rl));

	if (rl == NULL)
		return NULL;
	rl->refill_ms = refill_ms > 0 ? refill_ms : 1;
	rl->cap_ms = (int64_t)(burst > 0 ? burst : 1) * rl->refill_ms;
	crypto_shorthash_keygen(rl->seed);
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	free(rl);
}

static uint32_t
hash(const struct ratelimit *rl, const char *s)
{
	unsigned char h[crypto_shorthash_BYTES];

	crypto_shorthash(h, (const unsigned char *)s, strlen(s), rl->seed);
	return (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 |
	    (uint32_t)h[3] << 24;
}

/* The bucket of key brought up to now, or NULL if it has none (a full
 * bucket). create: take a slot, evicting the fullest neighbour. */
static struct bucket *
find(struct ratelimit *rl, const char *key, int64_t now, bool create)
{
	uint32_t h = hash(rl, key);
	struct bucket *victim = NULL, *b;
	int64_t best = -1;

	for (int i = 0; i < PROBE; i++) {
		int64_t credit;

		b = &rl->b[(h + (uint32_t)i) & (SLOTS - 1)];
		if (b->key[0] == '\0') {
			if (victim == NULL || best < rl->cap_ms) {
				victim = b;
				best = rl->cap_ms;
			}
			continue;
		}
		credit = b->tokens_ms + (now - b->last_ms);
		if (credit > rl->cap_ms)
			credit = rl->cap_ms;
		if (strncmp(b->key, key, KEY_MAX - 1) == 0) {
			b->tokens_ms = credit;
			b->last_ms = now;
			return b;
		}
		/* a bucket refilled to the brim is as good as none */
		if (credit > best) {
			victim = b;
			best = credit;
		}
	}
	if (!create)
		return NULL;
	strlcpy(victim->key, key, sizeof(victim->key));
	victim->tokens_ms = rl->cap_ms;
	victim->last_ms = now;
	return victim;
}

bool
ratelimit_blocked(struct ratelimit *rl, const char *key, int64_t now_ms,
    int *retry_s)
{
	struct bucket *b = find(rl, key, now_ms, false);

	if (retry_s)
		*retry_s = 0;
	if (b == NULL || b->tokens_ms >= rl->refill_ms)
		return false;
	if (retry_s)
		*retry_s = (int)((rl->refill_ms - b->tokens_ms + 999) / 1000);
	return true;
}

int
ratelimit_used(struct ratelimit *rl, const char *key, int64_t now_ms)
{
	struct bucket *b = find(rl, key, now_ms, false);

	if (b == NULL)
		return 0;
	return (int)((rl->cap_ms - b->tokens_ms + rl->refill_ms - 1) /
	    rl->refill_ms);
}

void
ratelimit_hit(struct ratelimit *rl, const char *key, int64_t now_ms)
{
	struct bucket *b = find(rl, key, now_ms, true);

	b->tokens_ms -= rl->refill_ms;
	if (b->tokens_ms < 0)
		b->tokens_ms = 0;
}

void
ratelimit_refund(struct ratelimit *rl, const char *key, int64_t now_ms)
{
	struct bucket *b = find(rl, key, now_ms, false);

	if (b && (b->tokens_ms += rl->refill_ms) > rl->cap_ms)
		b->tokens_ms = rl->cap_ms;
}

void
ratelimit_reset(struct ratelimit *rl, const char *key)
{
	struct bucket *b = find(rl, key, 0, false);

	if (b)
		b->key[0] = '\0';
}

void
ratelimit_addr_key(char *out, size_t size, const char *prefix,
    const char *addr)
{
	struct netaddr a;
	char text[NETADDR_STRLEN];

	if (netaddr_parse(addr, strlen(addr), &a) < 0)
		snprintf(out, size, "%s:%s", prefix, addr);
	else if (netaddr_is_v4(&a)) {
		netaddr_format(&a, text, sizeof(text));
		snprintf(out, size, "%s:%s", prefix, text);
	} else {
		memset(a.b + 8, 0, 8);
		netaddr_format(&a, text, sizeof(text));
		snprintf(out, size, "%s:%s/64", prefix, text);
	}
	str_tolower(out);
}
