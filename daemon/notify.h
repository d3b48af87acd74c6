/*
 * The deliverer: the outbox's consumer (outbox.h). Event loop thread.
 *
 * Routing: each outbox event not yet routed gets one delivery row per
 * channel of its user that takes its kind (notify_channels: a user's
 * email address, webhook URL, the log, the admin's command), in one short
 * transaction that also marks it routed. A "test" event goes to every
 * channel of the user (or the one it names).
 *
 * Delivery: a pending delivery whose time has come is handed to the
 * notifier plugin of its channel (deliver(), SPEND_NOTIFIER_V2), which
 * reports the outcome with host->delivery_done; a V1 notifier's notify()
 * counts as delivered. While an attempt runs its row has started_at set;
 * after it, the row is sent, failed, or pending again with next_at from
 * [notify] retry. After the last attempt it is failed: logged, counted in
 * daemon.status, listed by notify.deliveries with its last error. At
 * start, attempts a stop or a crash cut short are due again (so a
 * delivery may come twice, never zero times: receivers de-duplicate by
 * the event's id). At most [notify] max_inflight attempts at once.
 *
 * Wake-ups: events on the hub of type "notify.*" (outbox_add publishes
 * them once the write commits), the end of an attempt, and one timer set
 * to the soonest next_at. Every store access here is a point read or
 * write of a few rows on the loop's connection; pruning old events runs
 * on a worker.
 */
#ifndef SPEND_NOTIFY_H
#define SPEND_NOTIFY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "spend/plugin.h"

struct spendd;
struct store;

/* Kinds of event a user may route ("alert", "reminder"), NULL-ended. */
extern const char *const notify_kinds[];

/* Start after the plugins are loaded and httpc_init: resume the attempts
 * a stop or crash cut short and route what waits. 0 or -1. */
int notify_start(struct spendd *sd);
/* A stop signal: no new attempts (those running finish). */
void notify_stop(struct spendd *sd);
/* [notify] changed (SIGHUP): take retry again. */
void notify_reload(struct spendd *sd);
/* Attempts running now. */
int notify_busy(struct spendd *sd);
/* After the loop and the workers ended (and httpc_free). */
void notify_free(struct spendd *sd);
/* Route what is unrouted and start what is due, now (the wake-up's
 * work; also for unit tests, which have no loop). */
void notify_poll(struct spendd *sd);

/* The notifier users may choose as channel name: loaded and enabled by
 * [notify] channels. NULL if none; *self gets its plugin. */
const struct spend_notifier *notify_channel(struct spendd *sd,
    const char *name, struct spend_plugin **self);
/* "log, webhook, email": the channels users may choose, or "none". */
void notify_channel_names(struct spendd *sd, char *buf, size_t size);
/* What a channel's target is (enum spend_notify_target) and its flags,
 * whatever the notifier's vtable version. */
unsigned notify_channel_target(const struct spend_notifier *vt);
unsigned notify_channel_flags(const struct spend_notifier *vt);

/* daemon.status's "notify": deliveries pending, sent, failed, attempts
 * running. New reference. */
json_t *notify_status(struct spendd *sd, struct store *st);
/* Delivery attempts since start: sent, failed for good, to be retried
 * (zeros without a deliverer). Event loop thread. */
void notify_counts(struct spendd *sd, int64_t *sent, int64_t *failed,
    int64_t *retried);

/* The host API's part (plugin_host.c's table points here). */
void notify_api_delivery_done(struct spend_delivery *d,
    enum spend_delivery_result result, const char *error);
int notify_api_http_request(struct spend_plugin *self,
    const struct spend_http_request *req, spend_transfer_fn done, void *arg,
    char *errbuf, size_t errlen);
int notify_api_mail_send(struct spend_plugin *self, const struct spend_mail *m,
    spend_transfer_fn done, void *arg, char *errbuf, size_t errlen);
void notify_api_hmac_sha256(const void *key, size_t keylen, const void *msg,
    size_t len, unsigned char out[32]);

/* An email address a mail may go to: a@b.c, printable ASCII, no spaces,
 * quotes, angle brackets or line breaks, at most 254 bytes. */
bool notify_email_valid(const char *addr);

#endif
