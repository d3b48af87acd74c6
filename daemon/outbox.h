/*
 * The notifier outbox: an event for a user (an alert, a reminder) is
 * stored in the same write transaction as what caused it (write.h), so
 * a crash loses none and a rolled-back write sends none. Once the write
 * commits, the event is also published on the events hub (events.h) as
 * type "notify.KIND" for the user's live clients; the deliverer
 * subscribes there to wake, and reads the table to route and retry.
 */
#ifndef SPEND_OUTBOX_H
#define SPEND_OUTBOX_H
#include <jansson.h>
#include <stdint.h>
#include "err.h"

struct write_tx;

/* Store event (a JSON object, borrowed) of kind ("alert", "reminder")
 * for w's user, inside w. *id (may be NULL) gets the outbox id. */
int outbox_add(struct write_tx *w, const char *kind, json_t *event,
    int64_t *id, struct spend_err *err);

#endif
