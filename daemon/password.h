/*
 * Passwords: Argon2id via libsodium's crypto_pwhash_str. Hashing and
 * verifying are slow on purpose, so they run on JOB_PASSWORD jobs
 * (jobs.h); the rest is cheap and runs anywhere.
 */
#ifndef SPEND_PASSWORD_H
#define SPEND_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define PASSWORD_MIN 8
#define PASSWORD_MAX 1024
#define PASSWORD_HASH_MAX 128	/* crypto_pwhash_STRBYTES, with the NUL */

/*
 * The cost of new hashes, and a hash at that cost of a random password:
 * password_verify(NULL, ...) checks against it, so an unknown account
 * costs the same time as a known one. spendd's is sd->password, set on
 * the loop (auth_init) before any worker hashes, read-only after.
 */
struct password_cost {
	unsigned long long opslimit;
	size_t memlimit;
	char dummy[PASSWORD_HASH_MAX];	/* "" if it could not be made */
};

/* Set the cost (libsodium's "interactive" limits are spendd's defaults;
 * a stored hash with other parameters is rehashed at the next login) and
 * make the dummy hash, itself one hash. */
void password_cost_set(struct password_cost *pc, unsigned long long opslimit,
    size_t memlimit);

/* 8..1024 bytes, "password" (or field) named in the error. */
int password_check(const char *pw, size_t len, const char *field,
    struct spend_err *err);

/* Blocking (a worker's job). out holds PASSWORD_HASH_MAX bytes. */
int password_hash(const struct password_cost *pc, const char *pw, size_t len,
    char *out, struct spend_err *err);
/* true if pw matches hash. hash NULL: verify against pc's dummy hash,
 * always false. */
bool password_verify(const struct password_cost *pc, const char *hash,
    const char *pw, size_t len);
/* The stored hash was made with other parameters than pc's. */
bool password_needs_rehash(const struct password_cost *pc, const char *hash);

#endif
