/*
 * sync.pull: what changed for a device since its last pull, as current
 * states. The change log (write.h) numbers every write of a user's data;
 * a pull walks it after a number, keeps the latest change of each entity
 * (store_sync_changes), and answers each with the entity as its get
 * method shows it, or a tombstone. An import's one change stands for its
 * expenses: they are listed in id order, and a page may stop inside
 * them (the cursor says where). Runs on a read job, in one snapshot.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "budget.h"
#include "handlers.h"
#include "jobs.h"
#include "jsonp.h"
#include "log.h"
#include "recurring.h"
#include "shapes.h"
#include "spendd.h"
#include "sync.h"
#include "util.h"
#include "xmalloc.h"

#define PULL_DEFAULT 100
#define PULL_MAX 1000

struct pull {
	int64_t since;		/* changes up to here are the client's */
	int64_t after;		/* inside the first change (an import): the
				 * last expense id the client has */
	int64_t full;		/* a pull that began at 0: the floor then,
				 * else -1 */
	int limit;
};

struct page {
	struct change *c;
	int n, cap;
};

static int
page_cb(void *arg, const struct change *c)
{
	struct page *p = arg;

	if (p->n == p->cap)
		return 1;
	p->c[p->n++] = *c;
	return 0;
}

static json_t *
item(const struct change *c, const char *entity, int64_t id,
    const char *op, int64_t version, json_t *data)
{
	bool gone = data == NULL && strcmp(entity, CH_IMPORT) != 0;
	json_t *o = jp_pack("{s:I, s:s, s:I, s:s, s:I, s:s, s:b}", "seq",
	    (json_int_t)c->seq, "entity", entity, "id", (json_int_t)id, "op",
	    op, "version", (json_int_t)version, "at", c->at, "deleted", gone);

	json_object_set_new(o, "data", data ? data : json_null());
	return o;
}

/* The state of c's entity now: *data, or NULL if it is gone (or an
 * import: its expenses are listed apart). */
static int
state(struct store *st, const struct user *u, const struct change *c,
    json_t **data, struct spend_err *err)
{
	int r = 0;

	*data = NULL;
	if (strcmp(c->op, CH_DELETE) == 0 || strcmp(c->entity, CH_IMPORT) == 0)
		return 0;
	if (strcmp(c->entity, CH_EXPENSE) == 0) {
		struct expense e;

		if ((r = expense_get(st, u->id, c->entity_id, &e,
		    err)) == 0)
			*data = expense_json(&e);
	} else if (strcmp(c->entity, CH_CATEGORY) == 0) {
		struct category cat;

		if ((r = category_find(st, u->id, 0, c->entity_id, NULL,
		    false, &cat, err)) == 0)
			*data = category_json(&cat);
	} else if (strcmp(c->entity, CH_BUDGET) == 0) {
		r = budget_state_json(st, u->id, c->entity_id, data, err);
	} else if (strcmp(c->entity, CH_RECURRING) == 0) {
		r = recurring_state_json(st, u, c->entity_id, data,
		    err);
	} else if (strcmp(c->entity, CH_RULE) == 0) {
		r = rule_state_json(st, u->id, c->entity_id, data, err);
	} else if (strcmp(c->entity, CH_USER) == 0) {
		struct user now;

		if (c->entity_id == u->id &&
		    (r = store_user_get(st, c->entity_id, &now, err)) == 0)
			*data = user_json(&now);
	} else {
		/* an entity this version does not show: its number still
		 * moves the client on */
		*data = json_object();
	}
	return r == SPEND_ENOTFOUND ? 0 : r;
}

struct expand {
	const struct change *c;
	json_t *items;
	int room;		/* items still allowed */
	int64_t last_id;	/* the last expense listed */
	bool cut;		/* one more than room was there */
};

static int
expand_cb(void *arg, const struct expense *e)
{
	struct expand *x = arg;
	json_t *it;

	if (x->room == 0) {
		x->cut = true;
		return 1;
	}
	it = item(x->c, CH_EXPENSE, e->id, CH_CREATE, e->version,
	    expense_json(e));
	json_object_set_new(it, "import", json_integer(x->c->entity_id));
	if (jp_append(x->items, it) < 0)
		return SPEND_ENOMEM;
	x->room--;
	x->last_id = e->id;
	return 0;
}

static int
pull_work(struct rpc_call *call, struct store *st, struct write_tx *w,
    void *arg, json_t **res, struct spend_err *err)
{
	struct pull *p = arg;
	struct page pg = { 0 };
	json_t *items = NULL;
	int64_t head, floor, since = p->since, after = p->after;
	char next[72];
	int r, used = 0, room = p->limit;
	bool cut = false;

	(void)w;
	if ((r = store_read_begin(st, err)) < 0)
		return r;
	if ((r = store_sync_marks(st, call->uid, &head, &floor, err)) < 0)
		goto out;
	if (since > head) {
		r = spend_errf(err, SPEND_ERESYNC, "since", "change %" PRId64
		    " is ahead of this server's last, %" PRId64 " (was the "
		    "database restored?): pull again from 0", since, head);
		goto out;
	}
	/* a device behind the floor may have missed a delete; a pull that
	 * began at 0 has nothing to delete, while the floor stays */
	if (since == 0 && p->after == 0)
		p->full = floor;
	if (since > 0 && since < floor && p->full != floor) {
		r = spend_errf(err, SPEND_ERESYNC, "since", "the changes after "
		    "%" PRId64 " were compacted (kept: after %" PRId64 "): "
		    "pull again from 0", since, floor);
		goto out;
	}
	pg.cap = room;
	pg.c = xcalloc((size_t)pg.cap, sizeof(*pg.c));
	items = json_array();
	if ((r = store_sync_changes(st, call->uid, since, pg.cap, page_cb, &pg,
	    err)) < 0)
		goto out;
	snprintf(next, sizeof(next), "%" PRId64, since);
	for (used = 0; used < pg.n && room > 0; used++) {
		int i = used;

		const struct change *c = &pg.c[i];
		json_t *data;

		if (strcmp(c->entity, CH_IMPORT) == 0) {
			struct expand x = { c, items, room, after, false };

			if ((r = store_import_expenses(st, call->uid,
			    c->entity_id, after, room + 1, expand_cb, &x,
			    err)) < 0) {
				if (r == SPEND_ENOMEM)
					spend_errf(err, r, "", "out of memory");
				goto out;
			}
			room = x.room;
			if (x.cut) {	/* stop inside the import */
				snprintf(next, sizeof(next), "%" PRId64 ":%"
				    PRId64, c->seq - 1, x.last_id);
				since = c->seq - 1;
				cut = true;
				break;
			}
		} else {
			if ((r = state(st, &call->user, c, &data, err)) < 0)
				goto out;
			if (jp_append(items, item(c, c->entity, c->entity_id,
			    c->op, c->version, data)) < 0) {
				r = spend_errf(err, SPEND_ENOMEM, "", "out of "
				    "memory");
				goto out;
			}
			room--;
		}
		after = 0;
		since = c->seq;
		snprintf(next, sizeof(next), "%" PRId64, since);
	}
	if (!cut && used == pg.n && pg.n < pg.cap) {
		/* every change of the snapshot was seen: the client is at the
		 * head (the last change may have been compacted away) */
		since = head;
		snprintf(next, sizeof(next), "%" PRId64, since);
	}
	if (p->full >= 0 && since < head) {	/* the full pull goes on */
		size_t l = strlen(next);

		snprintf(next + l, sizeof(next) - l, "@%" PRId64, p->full);
	}
	*res = jp_pack("{s:o, s:I, s:s, s:I, s:b}", "changes", items, "last",
	    (json_int_t)since, "next_cursor", next, "head", (json_int_t)head,
	    "more", since < head);
	items = NULL;
out:
	store_rollback(st);	/* the read snapshot */
	json_decref(items);
	free(pg.c);
	return r;
}

int
sync_item(struct store *st, const struct user *u, const struct change *c,
    json_t **out, struct spend_err *err)
{
	json_t *data;
	int r;

	*out = NULL;
	if ((r = state(st, u, c, &data, err)) < 0)
		return r;
	*out = item(c, c->entity, c->entity_id, c->op, c->version, data);
	return 0;
}

struct status_ctx {
	json_t *items;
	const char *current;
	int64_t head;
};

/* session.list's item, and how far behind the device is */
static int
status_cb(void *arg, const struct refresh_token *t)
{
	struct status_ctx *sc = arg;
	json_t *o = session_json(t, sc->current);

	json_object_set_new(o, "lag", t->synced_at[0] ?
	    json_integer(sc->head - t->sync_seq) : json_null());
	return jp_append(sc->items, o);
}

int
h_sync_status(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct status_ctx sc;
	int64_t floor;
	int r;

	(void)p;
	sc.current = c->id.uid == c->uid ? c->id.session : "";
	if ((r = store_sync_marks(c->st, c->uid, &sc.head, &floor, err)) < 0)
		return r;
	sc.items = json_array();
	if ((r = store_session_list(c->st, c->uid, time_now(), status_cb, &sc,
	    err)) < 0) {
		json_decref(sc.items);
		return r == SPEND_ENOMEM ? spend_errf(err, r, "", "out of "
		    "memory") : r;
	}
	*res = jp_pack("{s:I, s:I, s:o}", "head", (json_int_t)sc.head, "floor",
	    (json_int_t)floor, "devices", sc.items);
	return 0;
}

/* "SEQ", "SEQ:ID" (an import's expenses are the client's up to ID), each
 * with "@FLOOR" if the pull began at 0 (and the floor was FLOOR). */
static int
cursor_parse(const char *s, struct pull *p, struct spend_err *err)
{
	char *end;
	long long a, b = 0;

	errno = 0;
	a = strtoll(s, &end, 10);
	if (*end == ':')
		b = strtoll(end + 1, &end, 10);
	p->full = -1;
	if (*end == '@')
		p->full = strtoll(end + 1, &end, 10);
	if (errno || end == s || *end != '\0' || a < 0 || b < 0 ||
	    (p->full < 0 && strchr(s, '@')) ||
	    !(s[0] >= '0' && s[0] <= '9'))
		return spend_errf(err, SPEND_EINVAL, "cursor", "not a cursor "
		    "of sync.pull: \"%.40s\"", s);
	p->since = a;
	p->after = b;
	return 0;
}

int
h_sync_pull(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct pull *pl;
	char cursor[72];
	int64_t limit = PULL_DEFAULT;
	bool has_cursor;

	(void)res;
	pl = xcalloc(1, sizeof(*pl));
	pl->full = -1;
	if (jp_int(p, "since", false, 0, INT64_MAX, &pl->since, NULL, err) < 0 ||
	    jp_int(p, "limit", false, 1, PULL_MAX, &limit, NULL, err) < 0 ||
	    jp_str(p, "cursor", false, cursor, sizeof(cursor), NULL,
	    &has_cursor, err) < 0)
		goto bad;
	if (has_cursor) {
		if (json_object_get(p, "since")) {
			spend_errf(err, SPEND_EINVAL, "cursor", "give since or "
			    "cursor, not both");
			goto bad;
		}
		if (cursor_parse(cursor, pl, err) < 0)
			goto bad;
	}
	pl->limit = (int)limit;
	/* the device (a session over HTTP) has every change up to since:
	 * its high-water mark, for sync.status */
	if (c->id.session[0] && c->id.uid == c->uid && pl->after == 0) {
		int64_t head, floor;

		/* (a mark the log does not cover is the pull's error) */
		if (store_sync_marks(c->st, c->uid, &head, &floor, err) < 0 ||
		    (pl->since <= head && (pl->since >= floor || pl->since == 0) &&
		    store_device_synced(c->st, c->uid, c->id.session,
		    pl->since, err) < 0))
			log_warnx("sync: cannot record the mark of a device of "
			    "user %lld: %s", (long long)c->uid, err->msg);
	}
	return rpc_offload(c, JOB_READ, pull_work, pl, free, err);
bad:
	free(pl);
	return SPEND_EINVAL;
}
