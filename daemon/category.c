/* category.* handlers */
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "handlers.h"
#include "jsonp.h"
#include "util.h"

static const char *const default_categories[] = {
	"bills", "entertainment", "food", "health", "other", "shopping",
	"transport", "travel", NULL
};

json_t *
category_json(const struct category *c)
{
	return jp_pack("{s:I, s:s, s:b, s:I, s:I, s:s, s:s}",
	    "id", (json_int_t)c->id, "name", c->name, "archived", c->archived,
	    "expenses", (json_int_t)c->expenses, "version",
	    (json_int_t)c->version, "created_at", c->created_at,
	    "updated_at", c->updated_at);
}

int
category_name_check(const char *name, const char *field,
    struct spend_err *err)
{
	size_t n = strlen(name);

	if (n == 0)
		return spend_errf(err, SPEND_EINVAL, field,
		    "category name must not be empty");
	if (name[0] == ' ' || name[n - 1] == ' ')
		return spend_errf(err, SPEND_EINVAL, field,
		    "category name \"%s\" has leading or trailing spaces", name);
	if (strspn(name, "0123456789") == n)
		return spend_errf(err, SPEND_EINVAL, field,
		    "category name \"%s\" must not be only digits (it would "
		    "read as an id)", name);
	return 0;
}

int
category_create_defaults(struct store *st, int64_t uid, struct spend_err *err)
{
	for (const char *const *n = default_categories; *n; n++) {
		struct category c;
		int r;

		memset(&c, 0, sizeof(c));
		c.user_id = uid;
		strlcpy(c.name, *n, sizeof(c.name));
		if ((r = store_category_add(st, &c, err)) < 0)
			return r;
	}
	return 0;
}

static int
resolve(struct store *st, int64_t uid, json_t *p, const char *name_key,
    bool count, struct category *c, struct spend_err *err)
{
	char name[NAME_MAX_LEN + 1];
	bool have_name = false, have_id = false;
	int64_t id = 0;

	if (jp_int(p, "id", false, 1, INT64_MAX, &id, &have_id, err) < 0 ||
	    jp_str(p, name_key, false, name, sizeof(name), NULL, &have_name,
	    err) < 0)
		return SPEND_EINVAL;
	if (have_id && have_name)
		return spend_errf(err, SPEND_EINVAL, name_key,
		    "give the category by id or by %s, not both", name_key);
	if (have_id)
		return count ? store_category_get(st, uid, id, c, err) :
		    store_category_find(st, uid, id, NULL, c, err);
	if (!have_name)
		return spend_errf(err, SPEND_EINVAL, name_key,
		    "%s is required (or id)", name_key);
	/* all digits: an id typed on the command line */
	if (strspn(name, "0123456789") == strlen(name) && strlen(name) < 19) {
		id = strtoll(name, NULL, 10);
		return count ? store_category_get(st, uid, id, c, err) :
		    store_category_find(st, uid, id, NULL, c, err);
	}
	return count ? store_category_by_name(st, uid, name, c, err) :
	    store_category_find(st, uid, 0, name, c, err);
}

int
category_resolve(struct store *st, int64_t uid, json_t *p,
    const char *name_key, struct category *c, struct spend_err *err)
{
	return resolve(st, uid, p, name_key, true, c, err);
}

int
category_lookup(struct store *st, int64_t uid, json_t *p,
    const char *name_key, struct category *c, struct spend_err *err)
{
	return resolve(st, uid, p, name_key, false, c, err);
}

static int
list_cb(void *arg, const struct category *c)
{
	json_array_append_new(arg, category_json(c));
	return 0;
}

int
h_category_list(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	static const char *const known[] = { "archived", NULL };
	bool archived = false;
	json_t *arr;
	int r;

	if (jp_only(p, known, err) < 0 ||
	    jp_bool(p, "archived", &archived, NULL, err) < 0)
		return SPEND_EINVAL;
	arr = json_array();
	if ((r = store_category_list(c->st, c->uid, archived, list_cb, arr,
	    err)) < 0) {
		json_decref(arr);
		return r;
	}
	*res = jp_pack("{s:o, s:I}", "items", arr, "count",
	    (json_int_t)json_array_size(arr));
	return 0;
}

int
h_category_get(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	static const char *const known[] = { "id", "name", NULL };
	struct category cat;
	int r;

	if (jp_only(p, known, err) < 0)
		return SPEND_EINVAL;
	if ((r = category_resolve(c->st, c->uid, p, "name", &cat, err)) < 0)
		return r;
	*res = category_json(&cat);
	return 0;
}

int
h_category_add(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	static const char *const known[] = { "name", NULL };
	struct category cat;
	int r;

	memset(&cat, 0, sizeof(cat));
	if (jp_only(p, known, err) < 0 ||
	    jp_str(p, "name", true, cat.name, sizeof(cat.name), NULL, NULL,
	    err) < 0 || category_name_check(cat.name, "name", err) < 0)
		return SPEND_EINVAL;
	cat.user_id = c->uid;
	if ((r = store_category_add(c->st, &cat, err)) < 0)
		return r;
	*res = category_json(&cat);
	return 0;
}

/* The one mechanism behind edit, rename, archive and unarchive. */
static int
category_change(struct rpc_call *c, json_t *p, const char *new_name,
    int archived /* -1 = keep */, json_t **res, struct spend_err *err)
{
	struct category cat;
	int64_t version = 0;
	int r;

	if (jp_int(p, "version", false, 1, INT64_MAX, &version, NULL, err) < 0)
		return SPEND_EINVAL;
	if ((r = category_resolve(c->st, c->uid, p, "name", &cat, err)) < 0)
		return r;
	if (new_name) {
		if (category_name_check(new_name, "new_name", err) < 0)
			return SPEND_EINVAL;
		strlcpy(cat.name, new_name, sizeof(cat.name));
	}
	if (archived >= 0)
		cat.archived = archived;
	if ((r = store_category_update(c->st, &cat, version, err)) < 0) {
		if (r == SPEND_ECONFLICT && new_name)	/* the name given */
			strlcpy(err->field, "new_name", sizeof(err->field));
		return r;
	}
	*res = category_json(&cat);
	return 0;
}

int
h_category_edit(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	static const char *const known[] = { "id", "name", "new_name",
	    "archived", "version", NULL };
	char nn[NAME_MAX_LEN + 1];
	bool have_nn, archived = false, have_arch;

	if (jp_only(p, known, err) < 0 ||
	    jp_str(p, "new_name", false, nn, sizeof(nn), NULL, &have_nn, err) < 0 ||
	    jp_bool(p, "archived", &archived, &have_arch, err) < 0)
		return SPEND_EINVAL;
	return category_change(c, p, have_nn ? nn : NULL,
	    have_arch ? archived : -1, res, err);
}

int
h_category_rename(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	static const char *const known[] = { "id", "name", "new_name",
	    "version", NULL };
	char nn[NAME_MAX_LEN + 1];

	if (jp_only(p, known, err) < 0 ||
	    jp_str(p, "new_name", true, nn, sizeof(nn), NULL, NULL, err) < 0)
		return SPEND_EINVAL;
	return category_change(c, p, nn, -1, res, err);
}

int
h_category_archive(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	static const char *const known[] = { "id", "name", "version", NULL };

	if (jp_only(p, known, err) < 0)
		return SPEND_EINVAL;
	return category_change(c, p, NULL, 1, res, err);
}

int
h_category_unarchive(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	static const char *const known[] = { "id", "name", "version", NULL };

	if (jp_only(p, known, err) < 0)
		return SPEND_EINVAL;
	return category_change(c, p, NULL, 0, res, err);
}

int
h_category_delete(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	static const char *const known[] = { "id", "name", "move_to",
	    "version", NULL };
	struct category cat, dst;
	json_t *mv = json_object_get(p, "move_to");
	int64_t version = 0;
	int r;

	if (jp_only(p, known, err) < 0 ||
	    jp_int(p, "version", false, 1, INT64_MAX, &version, NULL, err) < 0)
		return SPEND_EINVAL;
	if ((r = category_resolve(c->st, c->uid, p, "name", &cat, err)) < 0)
		return r;
	if (version && version != cat.version)
		return spend_errf(err, SPEND_ESTALE, "version",
		    "category was changed meanwhile (version %lld, you sent "
		    "%lld)", (long long)cat.version, (long long)version);
	dst.id = 0;
	if (mv && !json_is_null(mv)) {
		json_t *q = json_object();

		if (json_is_integer(mv))
			json_object_set(q, "id", mv);
		else
			json_object_set(q, "name", mv);
		r = category_resolve(c->st, c->uid, q, "name", &dst, err);
		json_decref(q);
		if (r < 0) {
			spend_err_prefix(err, "move_to");
			strlcpy(err->field, "move_to", sizeof(err->field));
			return r;
		}
	}
	if ((r = store_category_delete(c->st, c->uid, cat.id, dst.id, err)) < 0)
		return r;
	*res = jp_pack("{s:I, s:s, s:b}", "id", (json_int_t)cat.id, "name",
	    cat.name, "deleted", 1);
	if (dst.id)
		json_object_set_new(*res, "moved_to", json_string(dst.name));
	return 0;
}
