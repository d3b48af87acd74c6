/* Periodic housekeeping on libevent timers. */
#include <event2/event.h>
#include <stdlib.h>

#include "log.h"
#include "scheduler.h"
#include "spendd.h"
#include "store.h"
#include "util.h"

#define IDEM_KEEP_SECONDS (24 * 3600)	/* retries come within a day */

struct scheduler_task {
	struct scheduler_task *next;
	const char *name;
	struct spendd *sd;
	struct event *ev;
	struct timeval every;
	void (*fn)(struct spendd *);
};

static void
fire(evutil_socket_t fd, short what, void *arg)
{
	struct scheduler_task *j = arg;

	(void)fd;
	(void)what;
	log_debug("sched: %s", j->name);
	j->fn(j->sd);
	evtimer_add(j->ev, &j->every);
}

int
scheduler_every(struct spendd *sd, const char *name, int first, int seconds,
    void (*fn)(struct spendd *))
{
	struct scheduler_task *j = calloc(1, sizeof(*j));
	struct timeval tv = { first, 0 };

	if (j == NULL || (j->ev = evtimer_new(sd->base, fire, j)) == NULL) {
		free(j);
		return -1;
	}
	j->name = name;
	j->sd = sd;
	j->fn = fn;
	j->every.tv_sec = seconds;
	evtimer_add(j->ev, &tv);
	j->next = sd->tasks;
	sd->tasks = j;
	return 0;
}

static void
expire_idempotency_keys(struct spendd *sd)
{
	struct spend_err err;

	if (store_idem_expire(sd->store, time_now() - IDEM_KEEP_SECONDS,
	    &err) < 0)
		log_warnx("sched: expiring idempotency keys: %s", err.msg);
}

int
scheduler_start(struct spendd *sd)
{
	return scheduler_every(sd, "idempotency-expiry", 60, 3600,
	    expire_idempotency_keys);
}

void
scheduler_stop(struct spendd *sd)
{
	while (sd->tasks) {
		struct scheduler_task *j = sd->tasks;

		sd->tasks = j->next;
		event_free(j->ev);
		free(j);
	}
}
