/* change.list: the user's change log (write.h), for clients and tests. */
#include "handlers.h"
#include "jsonp.h"
#include "shapes.h"

#define CHANGES_DEFAULT 100
#define CHANGES_MAX 1000

json_t *
change_json(const struct change *c)
{
	return jp_pack("{s:I, s:s, s:I, s:s, s:I, s:s}", "seq",
	    (json_int_t)c->seq, "entity", c->entity, "id",
	    (json_int_t)c->entity_id, "op", c->op, "version",
	    (json_int_t)c->version, "at", c->at);
}

static int
list_cb(void *arg, const struct change *c)
{
	return jp_append(arg, change_json(c));
}

int
h_change_list(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	int64_t since = 0, limit = CHANGES_DEFAULT, last;
	json_t *items;
	int r;

	if (jp_int(p, "since", false, 0, INT64_MAX, &since, NULL, err) < 0 ||
	    jp_int(p, "limit", false, 1, CHANGES_MAX, &limit, NULL, err) < 0)
		return SPEND_EINVAL;
	items = json_array();
	if ((r = store_change_list(c->st, c->uid, since, (int)limit, list_cb,
	    items, err)) < 0 ||
	    (r = store_change_last(c->st, c->uid, &last, err)) < 0) {
		json_decref(items);
		return r;
	}
	*res = jp_pack("{s:o, s:I}", "items", items, "last", (json_int_t)last);
	return 0;
}
