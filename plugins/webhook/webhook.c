/*
 * webhook: a notifier channel that POSTs each event, as JSON, to the
 * user's URL (which [notify] webhook_allow must allow: the host checks,
 * and never follows a redirect), signed the way Stripe signs its
 * webhooks:
 *
 *	Spend-Signature: t=1733389200,v1=5257a869...
 *
 * v1 is the hex HMAC-SHA-256, keyed with the user's signing secret (the
 * whole "whsec_..." text, shown to the user once), of the timestamp, a
 * dot and the request body exactly as sent: "1733389200.{...}". A
 * receiver recomputes it, compares in constant time, and refuses a t
 * too far from its clock (replays). Also sent: Spend-Event-Id (the same
 * on every retry: de-duplicate by it), Spend-Event-Kind and
 * Spend-Delivery-Attempt.
 *
 * A 2xx reply is delivered; 410 Gone fails for good; anything else (and
 * no reply) is retried on [notify] retry's schedule.
 *
 *	[notify webhook]
 *	timeout = 10	seconds per request ([notify] timeout if absent)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spend/plugin.h"
#include "../common/host.h"

SPEND_PLUGIN_DECLARE;

#define SIGNATURE_MAX 96	/* "t=" 20 digits ",v1=" 64 hex */

static const struct spend_host_api *host;
static long timeout_ms;

/* "t=T,v1=HEX" for body signed with secret at time t into out. */
static int
webhook_signature(const struct spend_host_api *h, const char *secret,
    long long t, const char *body, size_t len, char *out, size_t size)
{
	unsigned char mac[32];
	char stamp[24], hex[65], *msg;
	size_t sl;
	int n;

	snprintf(stamp, sizeof(stamp), "%lld.", t);
	sl = strlen(stamp);
	if ((msg = malloc(sl + len)) == NULL)
		return -1;
	memcpy(msg, stamp, sl);
	memcpy(msg + sl, body, len);
	h->hmac_sha256(secret, strlen(secret), msg, sl + len, mac);
	free(msg);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	n = snprintf(out, size, "t=%lld,v1=%s", t, hex);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

struct req {
	struct spend_delivery *d;
};

/* Printable ASCII of the first bytes of a reply, for the error. */
static void
snippet(const char *body, size_t len, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < size && i < 80; i++)
		out[o++] = body[i] >= ' ' && body[i] < 127 ? body[i] : ' ';
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

static void
answered(void *arg, const struct spend_transfer *t)
{
	struct req *r = arg;
	char why[200], snip[96];

	if (!t->ok)
		host->delivery_done(r->d, SPEND_DELIVERY_RETRY, t->error);
	else if (t->status >= 200 && t->status < 300)
		host->delivery_done(r->d, SPEND_DELIVERED, NULL);
	else {
		snippet(t->body, t->body_len, snip, sizeof(snip));
		snprintf(why, sizeof(why), "HTTP %ld%s%s%s", t->status,
		    t->status >= 300 && t->status < 400 ?
		    " (redirects are not followed)" : "", snip[0] ? ": " : "",
		    snip);
		host->delivery_done(r->d, t->status == 410 ?
		    SPEND_DELIVERY_FAILED : SPEND_DELIVERY_RETRY, why);
	}
	free(r);
}

static void
deliver(struct spend_plugin *self, const struct spend_event *ev,
    struct spend_delivery *d)
{
	char sig[SIGNATURE_MAX], h_sig[SIGNATURE_MAX + 32], h_id[64],
	    h_kind[80], h_attempt[48], err[512];
	const char *headers[] = { "Content-Type: application/json", h_sig,
	    h_id, h_kind, h_attempt, NULL };
	struct spend_http_request rq;
	size_t len = strlen(ev->json);
	struct req *r;

	if (ev->target == NULL || *ev->target == '\0') {
		host->delivery_done(d, SPEND_DELIVERY_FAILED, "no URL");
		return;
	}
	if (ev->secret == NULL || *ev->secret == '\0' ||
	    webhook_signature(host, ev->secret, (long long)time(NULL),
	    ev->json, len, sig, sizeof(sig)) < 0) {
		host->delivery_done(d, SPEND_DELIVERY_RETRY, "no signing secret");
		return;
	}
	snprintf(h_sig, sizeof(h_sig), "Spend-Signature: %s", sig);
	snprintf(h_id, sizeof(h_id), "Spend-Event-Id: %lld", (long long)ev->id);
	snprintf(h_kind, sizeof(h_kind), "Spend-Event-Kind: %.40s", ev->kind);
	snprintf(h_attempt, sizeof(h_attempt), "Spend-Delivery-Attempt: %d",
	    ev->attempt);
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		host->delivery_done(d, SPEND_DELIVERY_RETRY, "out of memory");
		return;
	}
	r->d = d;
	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.url = ev->target;
	rq.headers = headers;
	rq.body = ev->json;
	rq.body_len = len;
	rq.timeout_ms = timeout_ms;
	if (host->http_request(self, &rq, answered, r, err, sizeof(err)) < 0) {
		free(r);
		/* a URL the admin no longer allows will not become allowed by
		 * waiting */
		host->delivery_done(d, strstr(err, "webhook_allow") ?
		    SPEND_DELIVERY_FAILED : SPEND_DELIVERY_RETRY, err);
	}
}

static const struct spend_notifier notifier = {
	.version = SPEND_NOTIFIER_V2,
	.name = "webhook",
	.description = "a signed JSON POST to your URL",
	.deliver = deliver,
	.target = SPEND_TARGET_URL,
	.flags = SPEND_NOTIFY_SECRET,
};

SPEND_PLUGIN_EXPORT int
spend_plugin_init(const struct spend_host_api *h, struct spend_plugin *self)
{
	const char *v;
	char *end;
	long s;

	if (plugin_host_check(h, self, PLUGIN_HOST_NEEDS(hmac_sha256),
	    NULL) < 0)
		return -1;
	host = h;
	self->version = "1.0";
	self->description = "notifier: signed webhooks";
	timeout_ms = 0;
	if ((v = h->config_get(self, "timeout")) != NULL) {
		s = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || s < 1 || s > 3600) {
			h->log(self, SPEND_LOG_WARN, "timeout \"%s\": seconds, "
			    "1 to 3600", v);
			return -1;
		}
		timeout_ms = s * 1000;
	}
	return h->register_notifier(self, &notifier);
}
