/* Write transactions: the change log and after-commit hooks. */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "write.h"

struct write_hook {
	struct write_hook *next;
	void (*fn)(struct spendd *, void *);
	void (*free_fn)(void *);
	void *arg;
};

static void
drop_hooks(struct write_tx *w)
{
	struct write_hook *h, *next;

	for (h = w->hooks; h; h = next) {
		next = h->next;
		if (h->free_fn)
			h->free_fn(h->arg);
		free(h);
	}
	w->hooks = NULL;
	w->tail = &w->hooks;
}

int
write_begin(struct write_tx *w, struct store *st, int64_t uid,
    struct spend_err *err)
{
	int r;

	memset(w, 0, sizeof(*w));
	w->st = st;
	w->uid = uid;
	w->tail = &w->hooks;
	if ((r = store_begin(st, err)) < 0)
		return r;
	w->open = true;
	return 0;
}

int
write_change(struct write_tx *w, const char *entity, int64_t id,
    const char *op, int64_t version, struct spend_err *err)
{
	int64_t seq;
	int r;

	if (!w->open)
		fatalx("write: a change outside a write transaction");
	if (w->stage)
		return 0;	/* the import's publish logs them as one */
	if ((r = store_change_append(w->st, w->uid, entity, id, op, version,
	    &seq, err)) < 0)
		return r;
	if (w->first_seq == 0)
		w->first_seq = seq;
	w->last_seq = seq;
	w->nchanges++;
	return 0;
}

void
write_hook(struct write_tx *w, void (*fn)(struct spendd *, void *), void *arg,
    void (*free_fn)(void *))
{
	struct write_hook *h = calloc(1, sizeof(*h));

	if (h == NULL)
		fatal("calloc");
	h->fn = fn;
	h->free_fn = free_fn;
	h->arg = arg;
	*w->tail = h;
	w->tail = &h->next;
}

int
write_commit(struct write_tx *w, struct spend_err *err)
{
	int r;

	if (!w->open)
		fatalx("write: commit without a transaction");
	w->open = false;
	if ((r = store_commit(w->st, err)) < 0) {	/* it rolled back */
		drop_hooks(w);
		w->first_seq = w->last_seq = 0;
		w->nchanges = 0;
		return r;
	}
	return 0;
}

void
write_rollback(struct write_tx *w)
{
	if (w->open)
		store_rollback(w->st);
	w->open = false;
	drop_hooks(w);
	w->first_seq = w->last_seq = 0;
	w->nchanges = 0;
}

void
write_run_hooks(struct write_tx *w, struct spendd *sd)
{
	struct write_hook *h, *next;

	if (w->open)
		fatalx("write: hooks of a write not committed");
	for (h = w->hooks; h; h = next) {
		next = h->next;
		h->fn(sd, h->arg);
		if (h->free_fn)
			h->free_fn(h->arg);
		free(h);
	}
	w->hooks = NULL;
	w->tail = &w->hooks;
}
