/* Users: the rules, in C types (domain.h). */
#include <string.h>

#include "domain.h"
#include "money.h"
#include "util.h"

int
user_name_check(const char *name, struct spend_err *err)
{
	size_t n = strlen(name);

	if (n == 0 || n > NAME_MAX_LEN)
		return spend_errf(err, SPEND_EINVAL, "name",
		    "user name must be 1 to %d characters", NAME_MAX_LEN);
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9');

		if (!alnum && (i == 0 || (ch != '.' && ch != '_' && ch != '-')))
			return spend_errf(err, SPEND_EINVAL, "name",
			    "user name \"%.64s\": use letters, digits, '.', '_' "
			    "and '-', starting with a letter or digit", name);
	}
	return 0;
}

int
user_fields_set(struct user *u, const char *role, const char *currency,
    const char *timezone, struct spend_err *err)
{
	if (role) {
		if (strcmp(role, "admin") && strcmp(role, "user"))
			return spend_errf(err, SPEND_EINVAL, "role",
			    "role \"%.40s\": must be admin or user", role);
		strlcpy(u->role, role, sizeof(u->role));
	}
	if (currency) {
		if (strlen(currency) != 3 || money_currency(currency) == NULL)
			return spend_errf(err, SPEND_EINVAL, "currency",
			    "currency \"%.40s\": not an ISO 4217 code", currency);
		strlcpy(u->currency, currency, sizeof(u->currency));
	}
	if (timezone) {
		if (strlen(timezone) > TZ_MAX_LEN || !timezone_valid(timezone))
			return spend_errf(err, SPEND_EINVAL, "timezone",
			    "time zone \"%.64s\": not a known zone like "
			    "Europe/Paris", timezone);
		strlcpy(u->timezone, timezone, sizeof(u->timezone));
	}
	return 0;
}

int
user_create(struct write_tx *w, struct user *u, const char *pwhash,
    struct spend_err *err)
{
	int r;

	if ((r = user_name_check(u->name, err)) < 0 ||
	    (r = store_user_add(w->st, u, pwhash, err)) < 0)
		return r;
	w->uid = u->id;		/* its changes are its own from here */
	if ((r = write_change(w, CH_USER, u->id, CH_CREATE, u->version,
	    err)) < 0)
		return r;
	return category_create_defaults(w, err);
}

int
user_update(struct write_tx *w, struct user *u, int64_t version,
    struct spend_err *err)
{
	int r;

	if ((r = store_user_update(w->st, u, version, err)) < 0)
		return r;
	w->uid = u->id;
	return write_change(w, CH_USER, u->id, CH_UPDATE, u->version, err);
}

int
user_delete(struct store *st, int64_t id, struct spend_err *err)
{
	/* the user's change log goes with them (no one is left to sync) */
	return store_user_delete(st, id, err);
}
