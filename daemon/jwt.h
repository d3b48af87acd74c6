/*
 * JSON Web Tokens, HS256 only (RFC 7519 / 7515), signed with libsodium's
 * crypto_auth_hmacsha256. Anything that is not exactly a three-part
 * compact JWS with {"alg":"HS256"} and a known "kid" is refused.
 *
 * Keys live in one file in the data dir (mode 0600), one key a line,
 * "KID KEY" with KEY 32 random bytes in base64url; the first line signs,
 * every line verifies, so a rotation does not log anyone out.
 */
#ifndef SPEND_JWT_H
#define SPEND_JWT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define JWT_KEY_BYTES 32
#define JWT_KID_MAX 16		/* 12 base64url characters */
#define JWT_MAX_KEYS 3		/* the signing key and two retired ones */
#define JWT_MAX_LEN 1024	/* a token we sign or accept, bytes */

struct jwt_key {
	char kid[JWT_KID_MAX + 1];
	unsigned char key[JWT_KEY_BYTES];
};

/* Owned by whoever loads it; jwt_keys_free() wipes it. */
struct jwt_keys {
	struct jwt_key k[JWT_MAX_KEYS];	/* k[0] signs */
	int n;
	char path[4096];
};

struct jwt_claims {
	char iss[64];
	char aud[64];
	int64_t sub;		/* user id (a decimal string in the token) */
	int64_t iat, nbf, exp;	/* unix seconds */
	char jti[33];		/* 16 random bytes, hex */
	char role[8];		/* "admin" or "user" */
	char typ[16];		/* "access" */
	char sid[33];		/* the session (refresh token family) */
};

/* Read path, or create it (mode 0600) with one fresh key. The file must
 * be a regular file not readable by group or others. */
int jwt_keys_load(const char *path, struct jwt_keys *keys,
    struct spend_err *err);
/* A fresh signing key in front; the oldest beyond JWT_MAX_KEYS goes.
 * Rewrites the file atomically. */
int jwt_keys_rotate(struct jwt_keys *keys, struct spend_err *err);
void jwt_keys_free(struct jwt_keys *keys);

/* Sign c with keys->k[0] into out (NUL-terminated). jti is filled in. */
int jwt_sign(const struct jwt_keys *keys, struct jwt_claims *c, char *out,
    size_t outlen, struct spend_err *err);

/* Verify token's form, algorithm, key, signature and claims: iss and aud
 * must equal the given ones, typ must be typ, nbf <= now < exp. Fills c.
 * Every failure is SPEND_EAUTH with a short reason. */
int jwt_verify(const struct jwt_keys *keys, const char *token,
    const char *iss, const char *aud, const char *typ, int64_t now,
    struct jwt_claims *c, struct spend_err *err);

/*
 * Tokens verified before: a client sends the same access token with each
 * request for its lifetime, and verifying it (the signature, the header's
 * and the payload's JSON) was a tenth of an authenticated GET's CPU. A
 * token is answered from the cache when it is the same string, verified
 * for the same iss, aud and typ, and the key that verified it is still
 * one of keys (a rotation that retires it retires its tokens); the times
 * (nbf, exp) are checked again against now. Only tokens that verified
 * are kept, JWT_CACHE_SLOTS of them, one per slot of the token's hash.
 * Not thread-safe: one thread uses one cache (the loop's).
 */
#define JWT_CACHE_SLOTS 512

struct jwt_cache;

struct jwt_cache *jwt_cache_new(void);	/* NULL: out of memory */
void jwt_cache_free(struct jwt_cache *jc);
/* jwt_verify, through jc (NULL: straight). */
int jwt_verify_cached(struct jwt_cache *jc, const struct jwt_keys *keys,
    const char *token, const char *iss, const char *aud, const char *typ,
    int64_t now, struct jwt_claims *c, struct spend_err *err);
/* Answers from the cache so far (tests, metrics). */
uint64_t jwt_cache_hits(const struct jwt_cache *jc);

#endif
