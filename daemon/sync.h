/*
 * Sync's housekeeping: the change log is compacted every [sync]
 * compact_every on a write job, a batch per transaction. A pull returns
 * the latest change of each entity, so a superseded change is never read
 * again and goes at once; a delete's tombstone is kept [sync]
 * tombstone_days, then goes and raises its user's floor: a device that
 * last pulled before it is told to pull again from 0 (resync_required).
 */
#ifndef SPEND_SYNC_H
#define SPEND_SYNC_H

#include <jansson.h>

#include "store.h"

struct spendd;

/* Register the compaction task. -1 if out of memory. */
int sync_start(struct spendd *sd);

/* One change as sync.pull shows it (sync_rpc.c): seq, entity, id, op,
 * version, at, deleted, and data, the entity's state now (null if it is
 * gone; for an import, whose expenses a pull lists, null). */
int sync_item(struct store *st, const struct user *u, const struct change *c,
    json_t **out, struct spend_err *err);

#endif
