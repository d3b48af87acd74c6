/*
 * Passwords: Argon2id via libsodium's crypto_pwhash_str. Hashing and
 * verifying are slow on purpose, so they run on JOB_PASSWORD jobs
 * (jobs.h); the rest is cheap and runs anywhere.
 */
#ifndef SPEND_PASSWORD_H
#define SPEND_PASSWORD_H

#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define PASSWORD_MIN 8
#define PASSWORD_MAX 1024
#define PASSWORD_HASH_MAX crypto_pwhash_STRBYTES	/* with the NUL */

/* Cost of new hashes. Defaults are libsodium's "interactive" limits; a
 * stored hash with other parameters is rehashed at the next login. Call
 * on the loop before any worker hashes (it also makes the dummy hash
 * password_verify(NULL, ...) costs, itself one hash). */
void password_set_cost(unsigned long long opslimit, size_t memlimit);
void password_get_cost(unsigned long long *opslimit, size_t *memlimit);

/* 8..1024 bytes, "password" (or field) named in the error. */
int password_check(const char *pw, size_t len, const char *field,
    struct spend_err *err);

/* Blocking (a worker's job). out holds PASSWORD_HASH_MAX bytes. */
int password_hash(const char *pw, size_t len, char *out,
    struct spend_err *err);
/* true if pw matches hash. hash NULL: verify against a dummy hash, so an
 * unknown account costs the same time as a known one; always false. */
bool password_verify(const char *hash, const char *pw, size_t len);
/* The stored hash was made with other parameters than today's. */
bool password_needs_rehash(const char *hash);

#endif
