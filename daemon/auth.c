/* The auth module's life cycle: its state, the signing key, the rate
 * limits, the password cost (auth_internal.h has the map of its files). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "auth_internal.h"
#include "password.h"
#include "ratelimit.h"
#include "scheduler.h"
#include "spendd.h"

int
auth_init(struct spendd *sd, struct spend_err *err)
{
	struct auth *a;
	char path[PATH_MAX + 16];
	int r;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	snprintf(path, sizeof(path), "%s/jwt.key", sd->cfg.data_dir);
	if ((r = jwt_keys_load(path, &a->keys, err)) < 0) {
		free(a);
		return r;
	}
	a->pair = ratelimit_new(PAIR_BURST, PAIR_REFILL_MS);
	a->acct = ratelimit_new(ACCT_BURST, ACCT_REFILL_MS);
	a->addr = ratelimit_new(ADDR_BURST, ADDR_REFILL_MS);
	a->reg = ratelimit_new(REG_BURST, REG_REFILL_MS);
	a->tokens = jwt_cache_new();
	if (a->pair == NULL || a->acct == NULL || a->addr == NULL ||
	    a->reg == NULL || a->tokens == NULL) {
		sd->auth = a;
		auth_free(sd);
		return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	}
	password_cost_set(&sd->password,
	    (unsigned long long)sd->cfg.argon2_opslimit,
	    (size_t)sd->cfg.argon2_memlimit);
	sd->auth = a;
	if (sd->base && scheduler_every(sd, "refresh-token-expiry", 60, EXPIRE_EVERY,
	    auth_session_expire) < 0) {
		auth_free(sd);
		return spend_errf(err, SPEND_ENOMEM, "", "cannot schedule the "
		    "refresh token expiry");
	}
	return 0;
}

void
auth_free(struct spendd *sd)
{
	struct auth *a = sd->auth;

	if (a == NULL)
		return;
	ratelimit_free(a->pair);
	ratelimit_free(a->acct);
	ratelimit_free(a->addr);
	ratelimit_free(a->reg);
	jwt_cache_free(a->tokens);
	jwt_keys_free(&a->keys);
	free(a);
	sd->auth = NULL;
}
