/*
 * jwt_verify, by the first byte:
 *   0  the rest is a token, as a client could send it;
 *   1  the rest is "HEADER\0PAYLOAD", JSON text of any shape, made into a
 *      token signed with the verifier's own key: only the claim checks
 *      stand between it and a session;
 *   2  claims made of the rest, signed by jwt_sign: they verify and come
 *      back the same, and any one character changed anywhere in the
 *      token makes it fail.
 * Whatever passes has claims a caller may trust: our issuer, audience and
 * type, a known role, a positive subject, nbf <= now < exp. A failure is
 * SPEND_EAUTH with a reason. Each token is also verified twice through a
 * cache of verified tokens kept across inputs (jwt_verify_cached): the
 * same answer, the same claims, the same reason.
 */
/* fuzz-sources: daemon/jwt.c daemon/util.c daemon/err.c daemon/log.c */
/* fuzz-libs: $(JANSSON_LIBS) $(SODIUM_LIBS) -lpthread */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jwt.h"
#include "log.h"
#include "util.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)
#define ISS "spendd"
#define AUD "spend"
#define NOW 1767225600		/* 2026-01-01 */

static struct jwt_keys keys;
static struct jwt_cache *cache;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	log_init(0, 0);
	if ((cache = jwt_cache_new()) == NULL)
		abort();
	/* two keys: the signing one and a retired one that still verifies */
	keys.n = 2;
	strlcpy(keys.k[0].kid, "k0AAAAAAAAAA", sizeof(keys.k[0].kid));
	strlcpy(keys.k[1].kid, "k1AAAAAAAAAA", sizeof(keys.k[1].kid));
	for (int i = 0; i < JWT_KEY_BYTES; i++) {
		keys.k[0].key[i] = (unsigned char)i;
		keys.k[1].key[i] = (unsigned char)(0xff - i);
	}
	return 0;
}

static int
verify(const char *token, struct jwt_claims *c)
{
	struct spend_err err;
	int r;

	memset(&err, 0, sizeof(err));
	r = jwt_verify(&keys, token, ISS, AUD, "access", NOW, c, &err);
	CHECK(r == 0 || r == SPEND_EAUTH);
	for (int i = 0; i < 2; i++) {
		struct jwt_claims cc;
		struct spend_err ce;

		memset(&ce, 0, sizeof(ce));
		CHECK(jwt_verify_cached(cache, &keys, token, ISS, AUD, "access",
		    NOW, &cc, &ce) == r);
		CHECK(memcmp(&cc, c, sizeof(cc)) == 0);
		CHECK(r == 0 || strcmp(ce.msg, err.msg) == 0);
	}
	if (r < 0) {
		CHECK(err.code == SPEND_EAUTH && err.msg[0] != '\0');
		return r;
	}
	CHECK(strcmp(c->iss, ISS) == 0 && strcmp(c->aud, AUD) == 0);
	CHECK(strcmp(c->typ, "access") == 0);
	CHECK(strcmp(c->role, "admin") == 0 || strcmp(c->role, "user") == 0);
	CHECK(c->sub > 0);
	CHECK(c->nbf <= NOW && NOW < c->exp);
	CHECK(strlen(c->jti) < sizeof(c->jti) && strlen(c->sid) < sizeof(c->sid));
	return 0;
}

/* HEADER\0PAYLOAD, signed with key k */
static void
signed_parts(const uint8_t *d, size_t n, int k)
{
	char token[JWT_MAX_LEN * 2], hp[JWT_MAX_LEN * 2];
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	const uint8_t *z = memchr(d, 0, n);
	size_t hl = z ? (size_t)(z - d) : n;
	struct jwt_claims c;
	int a, b, s;

	if ((a = b64url_encode(d, hl, hp, sizeof(hp))) < 0)
		return;
	hp[a] = '.';
	if ((b = b64url_encode(z ? z + 1 : d + n, z ? n - hl - 1 : 0,
	    hp + a + 1, sizeof(hp) - (size_t)a - 1)) < 0)
		return;
	crypto_auth_hmacsha256(mac, (const unsigned char *)hp,
	    (size_t)a + 1 + (size_t)b, keys.k[k].key);
	memcpy(token, hp, (size_t)a + 1 + (size_t)b);
	token[a + 1 + b] = '.';
	s = b64url_encode(mac, sizeof(mac), token + a + b + 2,
	    sizeof(token) - (size_t)(a + b) - 2);
	if (s < 0)
		return;
	verify(token, &c);
}

/* claims of the input through jwt_sign and back */
static void
round_trip(const uint8_t *d, size_t n)
{
	char token[JWT_MAX_LEN + 1], bad[JWT_MAX_LEN + 1];
	struct jwt_claims c, back;
	struct spend_err err;
	uint8_t b[24] = { 0 };
	size_t len;

	memcpy(b, d, n < sizeof(b) ? n : sizeof(b));
	memset(&c, 0, sizeof(c));
	strlcpy(c.iss, ISS, sizeof(c.iss));
	strlcpy(c.aud, AUD, sizeof(c.aud));
	strlcpy(c.typ, "access", sizeof(c.typ));
	strlcpy(c.role, b[0] & 1 ? "admin" : "user", sizeof(c.role));
	c.sub = 1 + ((int64_t)b[1] << 24 | (int64_t)b[2] << 16 |
	    (int64_t)b[3] << 8 | b[4]) + ((int64_t)(b[0] & 0x70) << 28);
	c.iat = NOW - b[5] * 7;
	c.nbf = c.iat;
	c.exp = NOW + 1 + b[6] * 11;
	if (b[0] & 2)
		hex_encode(b + 7, 16, c.sid);
	CHECK(jwt_sign(&keys, &c, token, sizeof(token), &err) == 0);
	CHECK(verify(token, &back) == 0);
	CHECK(back.sub == c.sub && back.iat == c.iat && back.nbf == c.nbf &&
	    back.exp == c.exp);
	CHECK(strcmp(back.role, c.role) == 0 && strcmp(back.sid, c.sid) == 0 &&
	    strcmp(back.jti, c.jti) == 0);
	/* one character changed, anywhere: refused */
	len = strlen(token);
	memcpy(bad, token, len + 1);
	for (size_t i = 23; i + 1 < n && i < 40; i += 2) {
		size_t at = d[i] % len;
		char to = (char)d[i + 1];

		if (to == '\0' || to == token[at])
			continue;
		bad[at] = to;
		CHECK(verify(bad, &back) != 0);
		bad[at] = token[at];
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jwt_claims c;
	char *t;

	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		if ((t = malloc(size)) == NULL)
			return 0;
		memcpy(t, data + 1, size - 1);
		t[size - 1] = '\0';
		verify(t, &c);
		free(t);
		break;
	case 1:
		signed_parts(data + 1, size - 1, data[0] & 0x80 ? 1 : 0);
		break;
	case 2:
		round_trip(data + 1, size - 1);
		break;
	}
	return 0;
}
