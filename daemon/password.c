/* Argon2id hashing and verification, off the event loop. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "password.h"

_Static_assert(PASSWORD_HASH_MAX >= crypto_pwhash_STRBYTES,
    "PASSWORD_HASH_MAX holds a crypto_pwhash_str hash");

void
password_cost_set(struct password_cost *pc, unsigned long long opslimit,
    size_t memlimit)
{
	char rnd[16];

	pc->opslimit = opslimit;
	pc->memlimit = memlimit;
	randombytes_buf(rnd, sizeof(rnd));
	if (crypto_pwhash_str(pc->dummy, rnd, sizeof(rnd), opslimit,
	    memlimit) != 0)
		pc->dummy[0] = '\0';
	sodium_memzero(rnd, sizeof(rnd));
}

int
password_check(const char *pw, size_t len, const char *field,
    struct spend_err *err)
{
	if (len < PASSWORD_MIN || len > PASSWORD_MAX)
		return spend_errf(err, SPEND_EINVAL, field,
		    "%s must be %d to %d bytes long (got %zu)", field,
		    PASSWORD_MIN, PASSWORD_MAX, len);
	if (memchr(pw, '\0', len) != NULL)
		return spend_errf(err, SPEND_EINVAL, field,
		    "%s must not contain NUL bytes", field);
	return 0;
}

int
password_hash(const struct password_cost *pc, const char *pw, size_t len,
    char *out, struct spend_err *err)
{
	if (crypto_pwhash_str(out, pw, len, pc->opslimit, pc->memlimit) != 0)
		return spend_errf(err, SPEND_ENOMEM, "password",
		    "cannot hash the password: out of memory");
	return 0;
}

bool
password_verify(const struct password_cost *pc, const char *hash,
    const char *pw, size_t len)
{
	if (hash == NULL) {
		/* same work as a real account, then no */
		if (pc->dummy[0] && crypto_pwhash_str_verify(pc->dummy, pw,
		    len) == 0)
			log_warnx("password: the dummy hash matched");
		return false;
	}
	return crypto_pwhash_str_verify(hash, pw, len) == 0;
}

bool
password_needs_rehash(const struct password_cost *pc, const char *hash)
{
	return crypto_pwhash_str_needs_rehash(hash, pc->opslimit,
	    pc->memlimit) != 0;
}
