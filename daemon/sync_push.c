/*
 * sync.push: a device's offline edits of expenses, in order, each in a
 * savepoint of its own inside one write job: a bad one is reported with
 * its index and undoes nothing before it.
 *
 * Each mutation carries a client-made id (mid): its outcome is stored
 * with it, so a batch sent again is applied once and answers the same.
 * A creation carries the expense's client-made id too (client_id): later
 * mutations, in this batch or another, may name the expense by it before
 * the device has learnt its server id. An edit or delete carries the
 * version it was based on. When the expense changed since, the edit
 * still applies if none of its fields changed on the server (field
 * versions, store_expense_fields_since): "merged"; otherwise it is a
 * "conflict" with both sides, and nothing is written. The device then
 * decides: keep mine (push again on the server's version), keep theirs
 * (nothing), or keep both (push a creation).
 */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "jobs.h"
#include "jsonp.h"
#include "shapes.h"
#include "xmalloc.h"

#define PUSH_MAX 1000
#define MID_MAX 64

/* The field names of an expense_input's set bits. */
static const struct {
	unsigned bits;
	const char *name;
} fields[] = {
	{ EF_AMOUNT | EF_AMOUNT_MINOR, "amount" },
	{ EF_CURRENCY, "currency" },
	{ EF_CATEGORY, "category" },
	{ EF_DATE, "date" },
	{ EF_NOTE, "note" },
	{ EF_PAYEE, "payee" },
	{ EF_TAGS, "tags" },
	{ EF_PARTS, "parts" },
};

struct overlap {
	unsigned mine;		/* the mutation's fields */
	json_t *both;		/* changed on both sides */
};

static int
since_cb(void *arg, const char *field)
{
	struct overlap *o = arg;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if ((o->mine & fields[i].bits) && strcmp(field,
		    fields[i].name) == 0)
			return jp_append(o->both, json_string(field));
	return 0;
}

/* A string member of m (NULL if absent); EINVAL if not a string or
 * longer than max. */
static int
member_str(json_t *m, const char *key, size_t max, const char **out,
    int idx, struct spend_err *err)
{
	json_t *v = json_object_get(m, key);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > max ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return spend_errf(err, SPEND_EINVAL, "mutations", "mutations[%d]."
		    "%s: a string of 1 to %zu bytes", idx, key, max);
	*out = json_string_value(v);
	return 0;
}

/* The expense a mutation names: "id", or "client_id" (one the server
 * knows). */
static int
target(struct write_tx *w, json_t *m, int idx, int64_t *id,
    struct spend_err *err)
{
	json_t *v = json_object_get(m, "id");
	const char *cid;
	int r;

	if (v) {
		if (!json_is_integer(v) || json_integer_value(v) < 1)
			return spend_errf(err, SPEND_EINVAL, "mutations",
			    "mutations[%d].id: an expense id", idx);
		*id = json_integer_value(v);
		return 0;
	}
	if ((r = member_str(m, "client_id", MID_MAX, &cid, idx, err)) < 0)
		return r;
	if (cid == NULL)
		return spend_errf(err, SPEND_EINVAL, "mutations", "mutations[%d]: "
		    "name the expense by id or client_id", idx);
	return store_sync_client_get(w->st, w->uid, cid, id, err);
}

/* One mutation, in the savepoint the caller opened: *out its outcome. */
static int
mutate(struct rpc_call *c, struct write_tx *w, json_t *m, int idx,
    json_t **out, struct spend_err *err)
{
	const char *op, *cid;
	json_t *fv = json_object_get(m, "fields"), *v;
	struct expense_input in;
	struct expense e;
	const char **tags = NULL;
	int64_t id = 0, base = 0;
	bool fresh;
	int r;

	*out = NULL;
	memset(&in, 0, sizeof(in));
	if ((r = member_str(m, "op", 16, &op, idx, err)) < 0)
		return r;
	if (op == NULL)
		return spend_errf(err, SPEND_EINVAL, "mutations", "mutations[%d]."
		    "op: create, update or delete", idx);
	if ((v = json_object_get(m, "entity")) && (!json_is_string(v) ||
	    strcmp(json_string_value(v), "expense") != 0))
		return spend_errf(err, SPEND_EINVAL, "mutations", "mutations[%d]."
		    "entity: only expenses are pushed", idx);
	if (fv && !json_is_object(fv))
		return spend_errf(err, SPEND_EINVAL, "mutations", "mutations[%d]."
		    "fields: an object", idx);
	if ((v = json_object_get(m, "version")) && (!json_is_integer(v) ||
	    (base = json_integer_value(v)) < 1))
		return spend_errf(err, SPEND_EINVAL, "mutations", "mutations[%d]."
		    "version: the version the edit is based on", idx);
	if (strcmp(op, "create") == 0) {
		if ((r = member_str(m, "client_id", MID_MAX, &cid, idx,
		    err)) < 0)
			return r;
		if (fv == NULL)
			return spend_errf(err, SPEND_EINVAL, "mutations",
			    "mutations[%d].fields: the expense", idx);
		if ((r = expense_input_from_json(fv, &in, &tags, err)) == 0 &&
		    (r = expense_create(w, &c->user, &in, &e, err)) == 0 &&
		    cid)
			r = store_sync_client_put(w->st, w->uid, cid, e.id, err);
		free(tags);
		if (r < 0)
			return r;
		*out = jp_pack("{s:s, s:o}", "status", "applied", "expense",
		    expense_json(&e));
		return 0;
	}
	if (strcmp(op, "update") != 0 && strcmp(op, "delete") != 0)
		return spend_errf(err, SPEND_EINVAL, "mutations", "mutations[%d]."
		    "op: create, update or delete, not \"%.16s\"", idx, op);
	if (base == 0)
		return spend_errf(err, SPEND_EINVAL, "mutations", "mutations[%d]."
		    "version: required to %s", idx, op);
	if ((r = target(w, m, idx, &id, err)) < 0)
		return r;
	if ((r = expense_get(w->st, w->uid, id, &e, err)) == SPEND_ENOTFOUND) {
		/* deleted on the server: a delete is done already, an edit
		 * has nothing left to edit */
		*out = strcmp(op, "delete") == 0 ? jp_pack("{s:s, s:I}",
		    "status", "applied", "id", (json_int_t)id) :
		    jp_pack("{s:s, s:I, s:n, s:[s]}", "status", "conflict", "id",
		    (json_int_t)id, "server", "fields", "deleted");
		return 0;
	}
	if (r < 0)
		return r;
	if (strcmp(op, "update") == 0) {
		if (fv == NULL)
			return spend_errf(err, SPEND_EINVAL, "mutations",
			    "mutations[%d].fields: what changes", idx);
		if ((r = expense_input_from_json(fv, &in, &tags, err)) < 0)
			return r;
	} else
		in.set = ~0u;	/* a delete conflicts with any edit */
	if (base != e.version) {
		struct overlap o = { in.set, json_array() };

		if ((r = store_expense_fields_since(w->st, id, base, since_cb, &o,
		    err)) < 0) {
			json_decref(o.both);
			free(tags);
			return r == SPEND_ENOMEM ? spend_errf(err, r, "", "out of "
			    "memory") : r;
		}
		if (json_array_size(o.both) > 0) {
			*out = jp_pack("{s:s, s:I, s:o, s:o}", "status",
			    "conflict", "id", (json_int_t)id, "server",
			    expense_json(&e), "fields", o.both);
			if (fv)
				json_object_set(*out, "mine", fv);
			free(tags);
			return 0;
		}
		json_decref(o.both);
	}
	if (strcmp(op, "delete") == 0) {
		if ((r = expense_delete(w, id, e.version, err)) < 0)
			return r;
		*out = jp_pack("{s:s, s:I}", "status", base == e.version ?
		    "applied" : "merged", "id", (json_int_t)id);
		return 0;
	}
	fresh = base == e.version;
	r = expense_update(w, &c->user, id, e.version, &in, &e, err);
	free(tags);
	if (r < 0)
		return r;
	*out = jp_pack("{s:s, s:o}", "status", fresh ? "applied" : "merged",
	    "expense", expense_json(&e));
	return 0;
}

/* Failures that say nothing about the mutation: the push stops there,
 * and the device sends the rest again. */
static bool
transient(int code)
{
	return code == SPEND_EBUSY || code == SPEND_ESTORE ||
	    code == SPEND_ENOMEM || code == SPEND_EFULL ||
	    code == SPEND_EINTERNAL || code == SPEND_EUNAVAIL;
}

static int
push_work(struct rpc_call *c, struct store *st, struct write_tx *w,
    void *arg, json_t **res, struct spend_err *err)
{
	json_t *muts = arg, *results = json_array(), *m, *out;
	int applied = 0, conflicts = 0, errors = 0, replayed = 0, r = 0;
	size_t i;

	json_array_foreach(muts, i, m) {
		int64_t first = w->first_seq, last = w->last_seq;
		int n = w->nchanges;
		struct spend_err merr;
		const char *mid = NULL;
		char *text, *stored;

		if (!json_is_object(m)) {
			r = spend_errf(&merr, SPEND_EINVAL, "mutations",
			    "mutations[%zu]: an object", i);
			goto failed;
		}
		if ((r = member_str(m, "mid", MID_MAX, &mid, (int)i, &merr)) < 0)
			goto failed;
		if (mid == NULL) {
			r = spend_errf(&merr, SPEND_EINVAL, "mutations",
			    "mutations[%zu].mid: the mutation's own id (a UUID)", i);
			goto failed;
		}
		if ((r = store_sync_mutation_get(st, c->uid, mid, &stored,
		    &merr)) == 0) {	/* sent before: the same answer */
			out = json_loads(stored, 0, NULL);
			free(stored);
			if (out == NULL) {
				r = spend_errf(err, SPEND_ENOMEM, "", "out of "
				    "memory");
				break;
			}
			json_object_set_new(out, "replayed", json_true());
			replayed++;
			goto answer;
		}
		if (r != SPEND_ENOTFOUND)
			goto failed;
		if ((r = store_begin(st, &merr)) < 0)
			goto failed;
		if ((r = mutate(c, w, m, (int)i, &out, &merr)) < 0) {
			store_rollback(st);
			w->first_seq = first;	/* its changes went with it */
			w->last_seq = last;
			w->nchanges = n;
			goto failed;
		}
		json_object_set_new(out, "mid", json_string(mid));
		if ((text = json_dumps(out, JSON_COMPACT)) == NULL ||
		    (r = store_sync_mutation_put(st, c->uid, mid, text,
		    &merr)) < 0 || (r = store_commit(st, &merr)) < 0) {
			if (text == NULL)
				r = spend_errf(&merr, SPEND_ENOMEM, "", "out of "
				    "memory");
			free(text);
			json_decref(out);
			store_rollback(st);
			w->first_seq = first;
			w->last_seq = last;
			w->nchanges = n;
			goto failed;
		}
		free(text);
		if (strcmp(json_string_value(json_object_get(out, "status")),
		    "conflict") == 0)
			conflicts++;
		else
			applied++;
		goto answer;
failed:
		if (transient(r)) {	/* stop: nothing after it is tried */
			*err = merr;
			break;
		}
		errors++;
		out = jp_pack("{s:s, s:o}", "status", "error", "error",
		    rpc_error_object(&merr));
		if (mid)
			json_object_set_new(out, "mid", json_string(mid));
answer:
		json_object_set_new(out, "index", json_integer((json_int_t)i));
		if (jp_append(results, out) < 0) {
			r = spend_errf(err, SPEND_ENOMEM, "", "out of memory");
			break;
		}
		r = 0;
	}
	if (r < 0 && json_array_size(results) == 0) {
		json_decref(results);
		return r;
	}
	/* what was done stays done: a transient failure ends the batch
	 * early, and the device sends the rest again */
	*res = jp_pack("{s:o, s:i, s:i, s:i, s:i, s:b}", "results", results,
	    "applied", applied, "conflicts", conflicts, "errors", errors,
	    "replayed", replayed, "complete", r == 0);
	if (r < 0)
		json_object_set_new(*res, "stopped", rpc_error_object(err));
	return 0;
}

static void
drop(void *arg)
{
	json_decref(arg);
}

int
h_sync_push(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	json_t *muts = json_object_get(p, "mutations");

	(void)res;
	if (!json_is_array(muts) || json_array_size(muts) == 0 ||
	    json_array_size(muts) > PUSH_MAX)
		return spend_errf(err, SPEND_EINVAL, "mutations", "an array of 1 "
		    "to %d mutations", PUSH_MAX);
	return rpc_offload(c, JOB_WRITE, push_work, json_incref(muts), drop,
	    err);
}
