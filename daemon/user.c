/* user.* handlers: accounts are created by an administrator. */
#include <string.h>

#include "auth.h"
#include "domain.h"
#include "handlers.h"
#include "jsonp.h"
#include "money.h"
#include "password.h"
#include "util.h"

json_t *
user_json(const struct user *u)
{
	return jp_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:I, s:s, s:s}",
	    "id", (json_int_t)u->id, "name", u->name, "role", u->role,
	    "currency", u->currency, "timezone", u->timezone,
	    "has_password", u->has_password, "version", (json_int_t)u->version,
	    "created_at", u->created_at, "updated_at", u->updated_at);
}

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

/* role, currency and timezone from params into u (present ones only). */
static int
user_fields(json_t *p, struct user *u, struct spend_err *err)
{
	char buf[TZ_MAX_LEN + 1];
	bool have;

	if (jp_str(p, "role", false, buf, sizeof(buf), NULL, &have, err) < 0)
		return SPEND_EINVAL;
	if (have) {
		if (strcmp(buf, "admin") && strcmp(buf, "user"))
			return spend_errf(err, SPEND_EINVAL, "role",
			    "role \"%s\": must be admin or user", buf);
		strlcpy(u->role, buf, sizeof(u->role));
	}
	if (jp_str(p, "currency", false, buf, sizeof(buf), NULL, &have, err) < 0)
		return SPEND_EINVAL;
	if (have) {
		if (money_currency(buf) == NULL)
			return spend_errf(err, SPEND_EINVAL, "currency",
			    "currency \"%s\": not an ISO 4217 code", buf);
		strlcpy(u->currency, buf, sizeof(u->currency));
	}
	if (jp_str(p, "timezone", false, buf, sizeof(buf), NULL, &have, err) < 0)
		return SPEND_EINVAL;
	if (have) {
		if (!timezone_valid(buf))
			return spend_errf(err, SPEND_EINVAL, "timezone",
			    "time zone \"%s\": not a known zone like "
			    "Europe/Paris", buf);
		strlcpy(u->timezone, buf, sizeof(u->timezone));
	}
	return 0;
}

int
h_user_add(struct rpc_call *c, json_t *p, json_t **res, struct spend_err *err)
{
	static const char *const known[] = { "name", "role", "currency",
	    "timezone", "password", NULL };
	struct user u;
	json_t *jpw;
	int r;

	memset(&u, 0, sizeof(u));
	if (jp_only(p, known, err) < 0 ||
	    jp_str(p, "name", true, u.name, sizeof(u.name), NULL, NULL, err) < 0 ||
	    user_name_check(u.name, err) < 0)
		return SPEND_EINVAL;
	strlcpy(u.role, "user", sizeof(u.role));
	strlcpy(u.currency, c->sd->cfg.default_currency, sizeof(u.currency));
	strlcpy(u.timezone, c->sd->cfg.default_timezone, sizeof(u.timezone));
	if ((r = user_fields(p, &u, err)) < 0)
		return r;
	/* with a password the hash runs on a worker (RPC_ASYNC | RPC_NOTX):
	 * auth_user_create holds its own transaction */
	if ((jpw = json_object_get(p, "password")) != NULL) {
		if (!json_is_string(jpw))
			return spend_errf(err, SPEND_EINVAL, "password",
			    "password must be a string");
		if (password_check(json_string_value(jpw),
		    json_string_length(jpw), "password", err) < 0)
			return SPEND_EINVAL;
		return auth_user_create(c, &u, json_string_value(jpw),
		    json_string_length(jpw), res, err);
	}
	return auth_user_create(c, &u, NULL, 0, res, err);
}

static int
list_cb(void *arg, const struct user *u)
{
	json_array_append_new(arg, user_json(u));
	return 0;
}

int
h_user_list(struct rpc_call *c, json_t *p, json_t **res, struct spend_err *err)
{
	static const char *const known[] = { NULL };
	json_t *arr;
	int r;

	if (jp_only(p, known, err) < 0)
		return SPEND_EINVAL;
	arr = json_array();
	if ((r = store_user_list(c->st, list_cb, arr, err)) < 0) {
		json_decref(arr);
		return r;
	}
	*res = jp_pack("{s:o, s:I}", "items", arr, "count",
	    (json_int_t)json_array_size(arr));
	return 0;
}

static int
named_user(struct rpc_call *c, json_t *p, struct user *u,
    struct spend_err *err)
{
	char name[NAME_MAX_LEN + 1];

	if (jp_str(p, "name", true, name, sizeof(name), NULL, NULL, err) < 0)
		return SPEND_EINVAL;
	return store_user_by_name(c->st, name, u, err);
}

int
h_user_get(struct rpc_call *c, json_t *p, json_t **res, struct spend_err *err)
{
	static const char *const known[] = { "name", NULL };
	struct user u;
	int r;

	if (jp_only(p, known, err) < 0)
		return SPEND_EINVAL;
	if ((r = named_user(c, p, &u, err)) < 0)
		return r;
	*res = user_json(&u);
	return 0;
}

int
h_user_edit(struct rpc_call *c, json_t *p, json_t **res, struct spend_err *err)
{
	static const char *const known[] = { "name", "role", "currency",
	    "timezone", "version", NULL };
	struct user u;
	int64_t version = 0;
	int r;

	if (jp_only(p, known, err) < 0 ||
	    jp_int(p, "version", false, 1, INT64_MAX, &version, NULL, err) < 0)
		return SPEND_EINVAL;
	if ((r = named_user(c, p, &u, err)) < 0 ||
	    (r = user_fields(p, &u, err)) < 0 ||
	    (r = store_user_update(c->st, &u, version, err)) < 0)
		return r;
	*res = user_json(&u);
	return 0;
}

int
h_user_delete(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	static const char *const known[] = { "name", NULL };
	struct user u;
	int r;

	if (jp_only(p, known, err) < 0)
		return SPEND_EINVAL;
	if ((r = named_user(c, p, &u, err)) < 0 ||
	    (r = store_user_delete(c->st, u.id, err)) < 0)
		return r;
	*res = jp_pack("{s:s, s:b}", "name", u.name, "deleted", 1);
	return 0;
}
