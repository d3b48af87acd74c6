/*
 * The one write path. Every write of a user's data — an RPC handler, an
 * import, and later a recurring run, a sync push, a rule — goes through
 * the domain layer (domain.h) inside a write transaction:
 *
 *	struct write_tx w;
 *	write_begin(&w, st, uid, err);
 *	expense_create(&w, ...);	validates, writes, logs the change
 *	write_hook(&w, fn, arg, NULL);	runs only once the commit succeeded
 *	write_commit(&w, err);		or write_rollback(&w)
 *	write_run_hooks(&w, sd);	on the event loop thread
 *
 * In the one store transaction: the rows, their change-log entries (a
 * sequence number per user) and whatever else the domain records. After
 * the commit the hooks run (the events hub today; later alert evaluation
 * and notifier events); a rollback drops them and leaves no change-log
 * row. A write_tx may be used on a worker's connection: then commit there
 * and hand the write_tx to the loop to run the hooks.
 */
#ifndef SPEND_WRITE_H
#define SPEND_WRITE_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct spendd;
struct store;
struct write_hook;

/* Change-log entities and operations. */
#define CH_EXPENSE "expense"
#define CH_CATEGORY "category"
#define CH_USER "user"
#define CH_IMPORT "import"
#define CH_RULE "rule"
#define CH_CREATE "create"
#define CH_UPDATE "update"
#define CH_DELETE "delete"

struct write_tx {
	struct store *st;
	int64_t uid;		/* whose data (the change log's owner) */
	int64_t stage;		/* an import's id: rows written are staged
				 * (store.h), and logged by the publish */
	int64_t first_seq;	/* change-log numbers this write took, */
	int64_t last_seq;	/* 0 if none */
	int nchanges;
	struct write_hook *hooks, **tail;
	bool open;
	/* the months ("YYYY-MM") of w->uid's expenses this write changed
	 * (write_touch_month), for the pre-commit evaluator */
	char (*months)[8];
	int nmonths, capmonths;
};

/* Begin a write of uid's data on st (a transaction, or a savepoint in
 * one already open). */
int write_begin(struct write_tx *w, struct store *st, int64_t uid,
    struct spend_err *err);
/* Log a change of the entity (inside the transaction). */
int write_change(struct write_tx *w, const char *entity, int64_t id,
    const char *op, int64_t version, struct spend_err *err);
/* Run fn(sd, arg) on the loop once the commit succeeded; then, and also
 * when the write rolls back, free_fn(arg) (may be NULL). */
void write_hook(struct write_tx *w, void (*fn)(struct spendd *sd, void *arg),
    void *arg, void (*free_fn)(void *arg));
/* Commit; the hooks wait for write_run_hooks. On failure the write is
 * rolled back (hooks dropped) and err says why. */
int write_commit(struct write_tx *w, struct spend_err *err);
void write_rollback(struct write_tx *w);
/* Run the hooks of a committed write, in order, and free them. Event loop
 * thread. */
void write_run_hooks(struct write_tx *w, struct spendd *sd);
/* A write committed inside another still open (a savepoint of it): its
 * hooks wait for the other's commit, each numbered by w's last change as
 * if run now; a rollback of the other drops them. */
void write_defer(struct write_tx *w, struct write_tx *to);

/*
 * Months touched. The domain functions note the month of each expense
 * they write (its old and new dates), an import's publish the months of
 * its rows, a rate change the months it re-evaluates; write_commit then
 * runs the pre-commit evaluator (one, registered at start-up, so write.c
 * knows nothing of budgets) inside the transaction, with the months in
 * w->months: what it writes (alerts, outbox rows) commits with the rest
 * or not at all. Not for staged writes (their rows are hidden until the
 * publish, which notes them).
 */
/* date: "YYYY-MM-DD" (or "YYYY-MM"); a month already noted is not added
 * twice. */
void write_touch_month(struct write_tx *w, const char *date);
/* The months of the rows staged by import stage (at its publish). */
int write_touch_stage(struct write_tx *w, int64_t stage,
    struct spend_err *err);
/* fn(w, err) runs in write_commit just before the commit, when w touched
 * months (NULL: none). A negative return rolls the write back. */
typedef int (*write_precommit_fn)(struct write_tx *w, struct spend_err *err);
void write_set_precommit(write_precommit_fn fn);

#endif
