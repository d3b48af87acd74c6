/*
 * log: a notifier channel that writes each event as one line, to
 * spendd's own log (stderr or syslog, as [daemon] log says) or straight
 * to syslog. Never fails, so it is also the channel to test routing with.
 *
 *	[notify log]
 *	output = spendd | syslog	(spendd)
 *	facility = user | daemon | local0 ... local7	(user; syslog only)
 *
 * A line: "event 42 alert for alice: {"id":42,"kind":"alert",...}".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "spend/plugin.h"
#include "../common/host.h"

SPEND_PLUGIN_DECLARE;

static const struct spend_host_api *host;

struct conf {
	int syslog;		/* 0: spendd's log */
	int facility;
};

static const struct {
	const char *name;
	int facility;
} facilities[] = {
	{ "user", LOG_USER }, { "daemon", LOG_DAEMON },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

static void
deliver(struct spend_plugin *self, const struct spend_event *ev,
    struct spend_delivery *d)
{
	struct conf *c = self->data;

	if (c->syslog)
		syslog(c->facility | LOG_NOTICE, "spend: event %lld %s for %s: %s",
		    (long long)ev->id, ev->kind, ev->user, ev->json);
	else
		host->log(self, SPEND_LOG_INFO, "event %lld %s for %s: %s",
		    (long long)ev->id, ev->kind, ev->user, ev->json);
	host->delivery_done(d, SPEND_DELIVERED, NULL);
}

static const struct spend_notifier notifier = {
	.version = SPEND_NOTIFIER_V2,
	.name = "log",
	.description = "a line in spendd's log or syslog",
	.deliver = deliver,
	.target = SPEND_TARGET_NONE,
};

static void
log_free(struct spend_plugin *self)
{
	free(self->data);
	self->data = NULL;
}

SPEND_PLUGIN_EXPORT int
spend_plugin_init(const struct spend_host_api *h, struct spend_plugin *self)
{
	const char *out, *fac;
	struct conf *c;
	size_t i;

	if (plugin_host_check(h, self, PLUGIN_HOST_NEEDS(hmac_sha256),
	    NULL) < 0)
		return -1;
	host = h;
	self->version = "1.0";
	self->description = "notifier: events to the log";
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	self->data = c;
	self->free_func = log_free;
	c->facility = LOG_USER;
	if ((out = h->config_get(self, "output")) != NULL) {
		if (strcmp(out, "syslog") == 0)
			c->syslog = 1;
		else if (strcmp(out, "spendd") != 0) {
			h->log(self, SPEND_LOG_WARN, "output \"%s\": expected "
			    "spendd or syslog", out);
			return -1;
		}
	}
	if ((fac = h->config_get(self, "facility")) != NULL) {
		for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
			if (strcmp(fac, facilities[i].name) == 0)
				break;
		if (i == sizeof(facilities) / sizeof(facilities[0])) {
			h->log(self, SPEND_LOG_WARN, "facility \"%s\": expected "
			    "user, daemon or local0 to local7", fac);
			return -1;
		}
		c->facility = facilities[i].facility;
	}
	return h->register_notifier(self, &notifier);
}
