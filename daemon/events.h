/*
 * Live events: after a write commits, the dispatcher publishes what
 * changed for whose data; transports (the SSE stream) subscribe per user.
 * Event loop thread only.
 */
#ifndef SPEND_EVENTS_H
#define SPEND_EVENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct spendd;
struct events_sub;

/* fn(arg, seq, type, data): type is the method ("expense.add"), data the
 * write's result (borrowed: incref to keep). seq is the change-log number
 * of the write (its last), what a client resumes from (sync.pull, the SSE
 * stream's Last-Event-ID); 0 for an event outside a write's hooks. */
typedef void (*events_fn)(void *arg, int64_t seq, const char *type,
    json_t *data);

/* Subscribe to uid's events (uid 0: every user's). Free with
 * events_unsubscribe(). */
struct events_sub *events_subscribe(struct spendd *sd, int64_t uid,
    events_fn fn, void *arg);
/* The same, for the events whose type starts with prefix (a static
 * string) only: a publisher asks events_wanted() before it builds what
 * only subscribers read. */
struct events_sub *events_subscribe_types(struct spendd *sd, int64_t uid,
    const char *prefix, events_fn fn, void *arg);
/* Whether an event of type for uid would reach any subscriber now. */
bool events_wanted(struct spendd *sd, int64_t uid, const char *type);
void events_unsubscribe(struct spendd *sd, struct events_sub *s);
/* Tell every subscriber of uid (numbered by sd->hook_seq). */
void events_publish(struct spendd *sd, int64_t uid, const char *type,
    json_t *data);
/* Drop every subscription (shutdown). */
void events_free(struct spendd *sd);

#endif
