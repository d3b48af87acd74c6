/* Write transactions: the change log and after-commit hooks. */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "spendd.h"
#include "store_budget.h"
#include "write.h"

struct write_hook {
	struct write_hook *next;
	void (*fn)(struct spendd *, void *);
	void (*free_fn)(void *);
	void *arg;
	int64_t seq;	/* the change number its events take (write_defer),
			 * or 0: its write's last */
};

/* Process-wide, not sd's: set once at start-up (budget_alerts_init), before
 * any worker runs, and a write_tx has no sd (writes run on workers' own
 * connections). Code, not data: write.c knows nothing of budgets. */
static write_precommit_fn precommit;

static void
drop_months(struct write_tx *w)
{
	free(w->months);
	w->months = NULL;
	w->nmonths = w->capmonths = 0;
}

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
	if (precommit && w->nmonths > 0 && w->stage == 0 &&
	    (r = precommit(w, err)) < 0) {
		write_rollback(w);
		return r;
	}
	drop_months(w);
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
	drop_months(w);
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
		if (sd)		/* unit tests run hooks without a daemon */
			/* what the events hub numbers by */
			sd->hook_seq = h->seq ? h->seq : w->last_seq;
		h->fn(sd, h->arg);
		if (h->free_fn)
			h->free_fn(h->arg);
		free(h);
	}
	if (sd)
		sd->hook_seq = 0;
	w->hooks = NULL;
	w->tail = &w->hooks;
}

void
write_defer(struct write_tx *w, struct write_tx *to)
{
	struct write_hook *h;

	if (w->open)
		fatalx("write: hooks of a write not committed");
	for (h = w->hooks; h; h = h->next)
		if (h->seq == 0)
			h->seq = w->last_seq;
	if (w->hooks) {
		*to->tail = w->hooks;
		to->tail = w->tail;
	}
	if (w->first_seq && to->first_seq == 0)
		to->first_seq = w->first_seq;
	if (w->last_seq)
		to->last_seq = w->last_seq;
	to->nchanges += w->nchanges;
	w->hooks = NULL;
	w->tail = &w->hooks;
}

void
write_touch_month(struct write_tx *w, const char *date)
{
	char m[8];

	if (date == NULL || strlen(date) < 7)
		return;
	memcpy(m, date, 7);
	m[7] = '\0';
	for (int i = 0; i < w->nmonths; i++)
		if (strcmp(w->months[i], m) == 0)
			return;
	if (w->nmonths == w->capmonths) {
		int cap = w->capmonths ? w->capmonths * 2 : 4;
		void *p = realloc(w->months, (size_t)cap * sizeof(*w->months));

		if (p == NULL)
			fatal("realloc");
		w->months = p;
		w->capmonths = cap;
	}
	memcpy(w->months[w->nmonths++], m, 8);
}

static int
touch_cb(void *arg, const char *month)
{
	write_touch_month(arg, month);
	return 0;
}

int
write_touch_stage(struct write_tx *w, int64_t stage, struct spend_err *err)
{
	return store_stage_months(w->st, w->uid, stage, touch_cb, w, err);
}

void
write_set_precommit(write_precommit_fn fn)
{
	precommit = fn;
}
