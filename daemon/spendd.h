/* The daemon's one context, passed to every module. */
#ifndef SPEND_SPENDD_H
#define SPEND_SPENDD_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "jobs.h"
#include "password.h"
#include "store.h"

/* Bumped when the socket protocol changes incompatibly; spendctl checks. */
#define SPEND_PROTOCOL 1

struct event;
struct event_base;
struct store;
struct workers;
struct rpc_unix;
struct http;
struct auth;
struct plugins;
struct rpc_inflight;
struct rpc_turn;
struct rpc_wait;
struct rpc_call;
struct events;
struct backups;
struct scheduler_task;
struct imports;
struct httpc;
struct notify;
struct rates_fetch;
struct recurring_sched;
struct metrics;

struct spendd {
	struct event_base *base;	/* NULL in unit tests */
	struct config cfg;
	const char *config_path;	/* NULL = embedded defaults */
	char *const *overrides;		/* -o section.key=value */
	size_t n_overrides;
	struct store *store;		/* the event loop's connection */
	struct workers *workers;
	struct rpc_unix *unix;
	struct http *http;
	struct auth *auth;
	struct plugins *plugins;
	struct rpc_inflight *inflight;	/* async writes with idempotency keys */
	struct events *events;		/* live-sync subscribers (events.h) */
	struct backups *backups;	/* backup state (backup.h), or NULL */
	struct scheduler_task *tasks;	/* the scheduler's timers (scheduler.h) */
	struct password_cost password;	/* Argon2 cost, dummy hash (auth_init) */
	atomic_llong jobs_submitted[JOB_NKINDS];	/* per kind (jobs.h) */
	struct imports *imports;	/* the imports staging (import_init) */
	struct httpc *httpc;		/* outgoing transfers (httpc.h) */
	struct notify *notify;		/* the deliverer (notify.h) */
	struct rates_fetch *rates_fetch;	/* [rates] url (rates_fetch.h) */
	struct recurring_sched *recurring;	/* recurring.h's scheduler */
	struct metrics *metrics;	/* counters (metrics.h), or NULL */
	int64_t started;		/* unix seconds */
	int64_t requests;		/* served since start */
	uint64_t request_seq;		/* the last request id's (rpc.h) */
	int pending;			/* calls not yet answered */
	bool stopping;
	/* main.c's */
	int pidfd;			/* the pid file, locked while we run */
	struct event *ev_drain;		/* stopping: waits for calls to end */
	int64_t stop_deadline;		/* stopping: leave by then (mono ms) */
	bool checkpointing;		/* a WAL checkpoint job is queued */
	int64_t hook_seq;		/* the last change number of the write
					 * whose hooks run now, else 0 (write.c) */
	struct write_tx *group;		/* grouped adds run in it: a write
					 * commits into it (rpc.c) */
	struct rpc_call *parked, **parked_tail;	/* and wait in it */
	struct rpc_turn *turn;		/* single adds waiting for the end of
					 * the loop turn (rpc.c) */
	struct rpc_wait *write_wait;	/* writes waiting off the loop for
					 * the write lock (rpc.c) */
	int write_wait_ms;		/* how long at most (0: 5 s; tests
					 * shorten it) */
	int64_t write_groups;		/* commits of grouped adds (rpc.c) */
	int64_t write_grouped;		/* adds they committed */
	bool sync_compacting;		/* a change-log compaction job is (sync.h) */
};

/* The store_open flags every connection of the daemon to its database
 * shares, the loop's and each worker's: [storage] durability. */
static inline int
spendd_store_flags(const struct spendd *sd)
{
	return sd->cfg.durability == CONFIG_DURABILITY_FULL ? STORE_SYNC_FULL : 0;
}

#endif
