/* user.* handlers: accounts are created by an administrator (the JSON
 * shape is user_json.c's). */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "handlers.h"
#include "jobs.h"
#include "jsonp.h"
#include "password.h"
#include "shapes.h"
#include "util.h"
#include "xmalloc.h"

/* role, currency and timezone from params into u (present ones only). */
static int
user_fields(json_t *p, struct user *u, struct spend_err *err)
{
	const char *role, *currency, *timezone;

	if (jp_cstr(p, "role", false, &role, err) < 0 ||
	    jp_cstr(p, "currency", false, &currency, err) < 0 ||
	    jp_cstr(p, "timezone", false, &timezone, err) < 0)
		return SPEND_EINVAL;
	return user_fields_set(u, role, currency, timezone, err);
}

int
h_user_add(struct rpc_call *c, json_t *p, json_t **res, struct spend_err *err)
{
	struct user u;
	json_t *jpw;
	int r;

	memset(&u, 0, sizeof(u));
	if (jp_str(p, "name", true, u.name, sizeof(u.name), NULL, NULL, err) < 0 ||
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
	return jp_append(arg, user_json(u));
}

/* Every account: it grows with them, so on a READ worker. */
static int
list_work(struct rpc_call *c, struct store *st, struct write_tx *w, void *arg,
    json_t **res, struct spend_err *err)
{
	json_t *arr = json_array();
	int r;

	(void)c;
	(void)w;
	(void)arg;
	if ((r = store_user_list(st, list_cb, arr, err)) < 0) {
		json_decref(arr);
		return r;
	}
	*res = jp_pack("{s:o, s:I}", "items", arr, "count",
	    (json_int_t)json_array_size(arr));
	return 0;
}

int
h_user_list(struct rpc_call *c, json_t *p, json_t **res, struct spend_err *err)
{

	(void)res;
	return rpc_offload(c, JOB_READ, list_work, NULL, NULL, err);
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
	struct user u;
	int r;

	if ((r = named_user(c, p, &u, err)) < 0)
		return r;
	*res = user_json(&u);
	return 0;
}

int
h_user_edit(struct rpc_call *c, json_t *p, json_t **res, struct spend_err *err)
{
	struct user u;
	int64_t version = 0;
	int r;

	if (jp_int(p, "version", false, 1, INT64_MAX, &version, NULL, err) < 0)
		return SPEND_EINVAL;
	if ((r = named_user(c, p, &u, err)) < 0 ||
	    (r = user_fields(p, &u, err)) < 0 ||
	    (r = user_update(&c->w, &u, version, err)) < 0)
		return r;
	*res = user_json(&u);
	return 0;
}

/* Everything the user owns goes: a write that grows with their data,
 * on a WRITE worker. */
static int
delete_work(struct rpc_call *c, struct store *st, struct write_tx *w,
    void *arg, json_t **res, struct spend_err *err)
{
	struct user *u = arg;
	int r;

	(void)c;
	(void)w;
	if ((r = user_delete(st, u->id, err)) < 0)
		return r;
	*res = jp_pack("{s:s, s:b}", "name", u->name, "deleted", 1);
	return 0;
}

int
h_user_delete(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct user *u;
	int r;

	(void)res;
	u = xcalloc(1, sizeof(*u));
	if ((r = named_user(c, p, u, err)) < 0) {
		free(u);
		return r;
	}
	return rpc_offload(c, JOB_WRITE, delete_work, u, free, err);
}
