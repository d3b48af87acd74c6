/* Argon2id hashing and verification, off the event loop. */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "password.h"

static unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
static size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;

/* A hash of a random password at today's cost, for unknown accounts.
 * Made on the loop when the cost is set, read-only on workers after. */
static char dummy[PASSWORD_HASH_MAX];

static void
make_dummy(void)
{
	char rnd[16];

	randombytes_buf(rnd, sizeof(rnd));
	if (crypto_pwhash_str(dummy, rnd, sizeof(rnd), ops, mem) != 0)
		dummy[0] = '\0';
	sodium_memzero(rnd, sizeof(rnd));
}

void
password_set_cost(unsigned long long opslimit, size_t memlimit)
{
	ops = opslimit;
	mem = memlimit;
	make_dummy();
}

void
password_get_cost(unsigned long long *opslimit, size_t *memlimit)
{
	*opslimit = ops;
	*memlimit = mem;
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
password_hash(const char *pw, size_t len, char *out, struct spend_err *err)
{
	if (crypto_pwhash_str(out, pw, len, ops, mem) != 0)
		return spend_errf(err, SPEND_ENOMEM, "password",
		    "cannot hash the password: out of memory");
	return 0;
}

bool
password_verify(const char *hash, const char *pw, size_t len)
{
	if (hash == NULL) {
		/* same work as a real account, then no */
		if (dummy[0] && crypto_pwhash_str_verify(dummy, pw, len) == 0)
			log_warnx("password: the dummy hash matched");
		return false;
	}
	return crypto_pwhash_str_verify(hash, pw, len) == 0;
}

bool
password_needs_rehash(const char *hash)
{
	return crypto_pwhash_str_needs_rehash(hash, ops, mem) != 0;
}
