/* category.* handlers and the category JSON shape: JSON <-> domain.h. */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "jobs.h"
#include "jsonp.h"
#include "shapes.h"
#include "util.h"
#include "xmalloc.h"

json_t *
category_json(const struct category *c)
{
	return jp_pack("{s:I, s:s, s:b, s:b, s:I, s:I, s:s, s:s}",
	    "id", (json_int_t)c->id, "name", c->name, "archived", c->archived,
	    "uncategorised", c->uncategorised,
	    "expenses", (json_int_t)c->expenses, "version",
	    (json_int_t)c->version, "created_at", c->created_at,
	    "updated_at", c->updated_at);
}

int
category_from_json(struct store *st, int64_t uid, json_t *p,
    const char *name_key, bool count, struct category *c,
    struct spend_err *err)
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
	if (!have_id && !have_name)
		return spend_errf(err, SPEND_EINVAL, name_key,
		    "%s is required (or id)", name_key);
	return category_find(st, uid, 0, have_id ? id : 0,
	    have_id ? NULL : name, count, c, err);
}

static int
list_cb(void *arg, const struct category *c)
{
	return jp_append(arg, category_json(c));
}

/* Categories with their expense counts: a count is a scan of the
 * category's expenses, so lists and gets run on a READ worker. */
static int
list_work(struct rpc_call *c, struct store *st, struct write_tx *w, void *arg,
    json_t **res, struct spend_err *err)
{
	json_t *arr = json_array();
	int r;

	(void)w;
	if ((r = store_category_list(st, c->uid, *(bool *)arg, list_cb, arr,
	    err)) < 0) {
		json_decref(arr);
		return r;
	}
	*res = jp_pack("{s:o, s:I}", "items", arr, "count",
	    (json_int_t)json_array_size(arr));
	return 0;
}

int
h_category_list(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	bool *archived;

	(void)res;
	archived = xcalloc(1, sizeof(*archived));
	if (jp_bool(p, "archived", archived, NULL, err) < 0) {
		free(archived);
		return SPEND_EINVAL;
	}
	return rpc_offload(c, JOB_READ, list_work, archived, free, err);
}

static int
get_work(struct rpc_call *c, struct store *st, struct write_tx *w, void *arg,
    json_t **res, struct spend_err *err)
{
	struct category cat;
	int r;

	(void)w;
	if ((r = category_find(st, c->uid, 0, *(int64_t *)arg, NULL, true,
	    &cat, err)) < 0)
		return r;
	*res = category_json(&cat);
	return 0;
}

int
h_category_get(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct category cat;
	int64_t *id;
	int r;

	(void)res;
	if ((r = category_from_json(c->st, c->uid, p, "name", false, &cat,
	    err)) < 0)
		return r;
	id = xmalloc(sizeof(*id));
	*id = cat.id;
	return rpc_offload(c, JOB_READ, get_work, id, free, err);
}

int
h_category_add(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct category cat;
	char name[NAME_MAX_LEN + 1];
	int r;

	if (jp_str(p, "name", true, name, sizeof(name), NULL, NULL, err) < 0)
		return SPEND_EINVAL;
	if ((r = category_create(&c->w, name, &cat, err)) < 0)
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
	if ((r = category_from_json(c->st, c->uid, p, "name", false, &cat,
	    err)) < 0 ||
	    (r = category_update(&c->w, cat.id, version, new_name, archived,
	    &cat, err)) < 0)
		return r;
	*res = category_json(&cat);
	return 0;
}

int
h_category_edit(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	char nn[NAME_MAX_LEN + 1];
	bool have_nn, archived = false, have_arch;

	if (jp_str(p, "new_name", false, nn, sizeof(nn), NULL, &have_nn, err) < 0 ||
	    jp_bool(p, "archived", &archived, &have_arch, err) < 0)
		return SPEND_EINVAL;
	return category_change(c, p, have_nn ? nn : NULL,
	    have_arch ? archived : -1, res, err);
}

int
h_category_rename(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	char nn[NAME_MAX_LEN + 1];

	if (jp_str(p, "new_name", true, nn, sizeof(nn), NULL, NULL, err) < 0)
		return SPEND_EINVAL;
	return category_change(c, p, nn, -1, res, err);
}

int
h_category_archive(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{

	return category_change(c, p, NULL, 1, res, err);
}

int
h_category_unarchive(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{

	return category_change(c, p, NULL, 0, res, err);
}

struct delete_req {
	struct category cat, dst;
	int64_t version;
};

static int
delete_work(struct rpc_call *c, struct store *st, struct write_tx *w,
    void *arg, json_t **res, struct spend_err *err)
{
	struct delete_req *d = arg;
	int r;

	(void)c;
	(void)st;
	if ((r = category_delete(w, d->cat.id, d->version, d->dst.id, err)) < 0)
		return r;
	*res = jp_pack("{s:I, s:s, s:b}", "id", (json_int_t)d->cat.id, "name",
	    d->cat.name, "deleted", 1);
	if (d->dst.id)
		json_object_set_new(*res, "moved_to", json_string(d->dst.name));
	return 0;
}

int
h_category_delete(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct delete_req *del;
	struct category cat, dst;
	json_t *mv = json_object_get(p, "move_to");
	int64_t version = 0;
	int r;

	if (jp_int(p, "version", false, 1, INT64_MAX, &version, NULL, err) < 0)
		return SPEND_EINVAL;
	if ((r = category_from_json(c->st, c->uid, p, "name", false, &cat,
	    err)) < 0)
		return r;
	dst.id = 0;
	if (mv && !json_is_null(mv)) {
		json_t *q = json_object();

		json_object_set(q, json_is_integer(mv) ? "id" : "name", mv);
		r = category_from_json(c->st, c->uid, q, "name", false, &dst,
		    err);
		json_decref(q);
		if (r < 0) {
			spend_err_prefix(err, "move_to");
			strlcpy(err->field, "move_to", sizeof(err->field));
			return r;
		}
	}
	del = xcalloc(1, sizeof(*del));
	del->cat = cat;
	del->dst = dst;
	del->version = version;
	(void)res;
	/* moving the expenses is a write that grows with them */
	return rpc_offload(c, JOB_WRITE, delete_work, del, free, err);
}
