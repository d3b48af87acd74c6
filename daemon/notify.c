/* The deliverer: outbox events to the users' channels (notify.h). */
#include <event2/event.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "events.h"
#include "httpc.h"
#include "jobs.h"
#include "jsonp.h"
#include "log.h"
#include "notify.h"
#include "notify_cfg.h"
#include "plugin.h"
#include "scheduler.h"
#include "spendd.h"
#include "store.h"
#include "urlallow.h"
#include "util.h"
#include "xmalloc.h"

#define ROUTE_BATCH 100		/* events routed per loop turn */
#define DEADLINE_GRACE 60	/* seconds past [notify] timeout */
#define STORE_RETRY_S 1		/* after a failed store access */
#define PRUNE_BATCH 1000

const char *const notify_kinds[] = { "alert", "reminder", NULL };

/* One attempt: the struct spend_delivery plugins hold. */
struct attempt {
	struct attempt *next;
	struct notify *n;
	int64_t id, outbox_id, uid;
	char channel[NOTIFY_CHANNEL_MAX + 1];
	char user[NAME_MAX_LEN + 1];
	int attempt;			/* this one's number, from 1 */
	struct event *deadline;
	bool expired;			/* the host stopped waiting */
};

/* An outcome the store did not take yet (busy): written again later. */
struct unsaved {
	struct unsaved *next;
	int64_t id;
	char state[8];
	int attempts;
	int64_t next_at;
	char error[NOTIFY_ERROR_MAX + 1];
};

struct notify {
	struct spendd *sd;
	struct events_sub *sub;
	struct event *wake;		/* route and start, next loop turn */
	struct event *timer;		/* the soonest next_at */
	struct notify_retry retry;
	struct attempt *running;	/* attempts a notifier holds */
	struct attempt *expired;	/* given up on, not yet answered */
	int nrunning;
	struct unsaved *unsaved;
	bool stopping;
	bool pruning;
	bool resume;		/* the attempts a stop cut short are
				 * still to be made due again */
	int64_t sent, retried, failed;	/* since start */
};

/* The deliverer of this process. Process-wide, not sd's: the notifiers'
 * host API calls carry no sd, only the plugin or the delivery, and
 * delivery_done's may be one the host gave up on and freed, so the
 * deliverer must be found without reading it (one spendd, one deliverer). */
static struct notify *active;

static void wake_soon(struct notify *n);

/* ---- channels ---- */

static bool
in_words(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = list; (p = strstr(p, w)) != NULL; p += n)
		if ((p == list || strchr(" ,\t", p[-1])) &&
		    (p[n] == '\0' || strchr(" ,\t", p[n])))
			return true;
	return false;
}

const struct spend_notifier *
notify_channel(struct spendd *sd, const char *name, struct spend_plugin **self)
{
	const struct spend_notifier *vt;

	if (name == NULL || (vt = plugins_notifier(sd, name, self)) == NULL)
		return NULL;
	if (sd->cfg.notify_channels[0] && !in_words(sd->cfg.notify_channels,
	    name))
		return NULL;
	return vt;
}

void
notify_channel_names(struct spendd *sd, char *buf, size_t size)
{
	const struct spend_notifier *vt;

	buf[0] = '\0';
	for (size_t i = 0; (vt = plugins_notifier_at(sd, i, NULL)) != NULL;
	    i++) {
		if (notify_channel(sd, vt->name, NULL) == NULL)
			continue;
		if (buf[0])
			strlcat(buf, ", ", size);
		strlcat(buf, vt->name, size);
	}
	if (buf[0] == '\0')
		strlcpy(buf, "none", size);
}

unsigned
notify_channel_target(const struct spend_notifier *vt)
{
	return vt->version >= SPEND_NOTIFIER_V2 ? vt->target : SPEND_TARGET_NONE;
}

unsigned
notify_channel_flags(const struct spend_notifier *vt)
{
	return vt->version >= SPEND_NOTIFIER_V2 ? vt->flags : 0;
}

bool
notify_email_valid(const char *a)
{
	const char *at = strrchr(a, '@');
	size_t n = strlen(a);

	if (n < 3 || n > 254 || at == NULL || at == a || at[1] == '\0' ||
	    strchr(at + 1, '.') == NULL || at[1] == '.' || a[n - 1] == '.')
		return false;
	for (const char *p = a; *p; p++)
		if (*p <= ' ' || *p >= 127 || strchr("<>()[]\\,;:\"", *p))
			return false;
	return strchr(a, '@') == at;
}

/* ---- routing ---- */

struct ev_row {
	int64_t id, uid;
	char kind[32];
	char only[NOTIFY_CHANNEL_MAX + 1];	/* a test for one channel */
};

struct ev_rows {
	struct ev_row rows[ROUTE_BATCH];
	int n;
};

static int
collect_event(void *arg, const struct outbox_event *e)
{
	struct ev_rows *rs = arg;
	struct ev_row *r = &rs->rows[rs->n++];
	json_t *p;

	r->id = e->id;
	r->uid = e->user_id;
	strlcpy(r->kind, e->kind, sizeof(r->kind));
	r->only[0] = '\0';
	if (strcmp(e->kind, "test") == 0 &&
	    (p = json_loads(e->payload, 0, NULL)) != NULL) {
		const char *c = json_string_value(json_object_get(p, "channel"));

		if (c)
			strlcpy(r->only, c, sizeof(r->only));
		json_decref(p);
	}
	return 0;
}

/* Does channel c of a user take an event of kind? */
static bool
takes(const struct notify_channel *c, const struct ev_row *e)
{
	char w[40];

	if (strcmp(e->kind, "test") == 0)
		return e->only[0] == '\0' || strcmp(e->only, c->channel) == 0;
	if (strstr(c->kinds, ",*,") != NULL)
		return true;
	snprintf(w, sizeof(w), ",%s,", e->kind);
	return strstr(c->kinds, w) != NULL;
}

struct route_ctx {
	struct notify *n;
	const struct ev_row *e;
	int64_t now;
	int added;
	struct spend_err *err;
};

static int
route_channel(void *arg, const struct notify_channel *c)
{
	struct route_ctx *rc = arg;
	int r;

	if (!takes(c, rc->e))
		return 0;
	if (notify_channel(rc->n->sd, c->channel, NULL) == NULL) {
		log_warnx("notify: event %lld: channel %s of user %lld is not "
		    "available ([notify] channels, or its plugin is not "
		    "loaded): skipped", (long long)rc->e->id, c->channel,
		    (long long)rc->e->uid);
		return 0;
	}
	if ((r = store_delivery_add(rc->n->sd->store, rc->e->id, rc->e->uid,
	    c->channel, rc->now, rc->err)) < 0)
		return r;
	rc->added++;
	return 0;
}

/* Route up to ROUTE_BATCH events, in one transaction (one commit: with
 * [storage] durability = full, one fsync): 1 if there may be more, 0 if
 * done, -1 if the store said no (nothing of the batch is kept). */
static int
route(struct notify *n)
{
	struct store *st = n->sd->store;
	struct ev_rows *rs = xcalloc(1, sizeof(*rs));
	struct spend_err err;
	int r, i, added = 0;

	if (store_outbox_unrouted(st, ROUTE_BATCH, collect_event, rs,
	    &err) < 0) {
		log_warnx("notify: reading the outbox: %s", err.msg);
		free(rs);
		return -1;
	}
	if (rs->n == 0) {
		free(rs);
		return 0;
	}
	if (store_begin(st, &err) < 0)
		goto fail;
	for (i = 0; i < rs->n; i++) {
		struct route_ctx rc = { n, &rs->rows[i], time_now(), 0, &err };

		if (store_notify_channel_list(st, rc.e->uid, route_channel, &rc,
		    &err) < 0 || store_outbox_routed(st, rc.e->id, &err) < 0)
			goto fail;
		if (rc.added == 0)
			log_debug("notify: event %lld (%s) of user %lld: no "
			    "channel takes it", (long long)rc.e->id, rc.e->kind,
			    (long long)rc.e->uid);
		added += rc.added;
	}
	if (store_commit(st, &err) < 0)
		goto fail;
	log_debug("notify: %d event%s routed: %d deliver%s", rs->n,
	    rs->n == 1 ? "" : "s", added, added == 1 ? "y" : "ies");
	r = rs->n == ROUTE_BATCH;
	free(rs);
	return r;
fail:
	if (store_in_tx(st))
		store_rollback(st);
	log_warnx("notify: routing %d events: %s (again in %d s)", rs->n,
	    err.msg, STORE_RETRY_S);
	free(rs);
	return -1;
}

/* ---- outcomes ---- */

static int
save(struct notify *n, const struct unsaved *u)
{
	struct spend_err err;

	if (store_delivery_finish(n->sd->store, u->id, u->state, u->attempts,
	    u->next_at, u->error, &err) < 0) {
		log_warnx("notify: recording delivery %lld: %s (again in %d s)",
		    (long long)u->id, err.msg, STORE_RETRY_S);
		return -1;
	}
	return 0;
}

/* Write what failed to be written before; 0 when none is left. */
static int
save_unsaved(struct notify *n)
{
	while (n->unsaved) {
		struct unsaved *u = n->unsaved;

		if (save(n, u) < 0)
			return -1;
		n->unsaved = u->next;
		free(u);
	}
	return 0;
}

/* The attempt's outcome into its row. */
static void
record(struct notify *n, const struct attempt *a,
    enum spend_delivery_result result, const char *error)
{
	int max = notify_retry_attempts(&n->retry);
	struct unsaved u;
	int delay;

	memset(&u, 0, sizeof(u));
	u.id = a->id;
	u.attempts = a->attempt;
	strlcpy(u.error, error ? error : "", sizeof(u.error));
	utf8_scrub(u.error);
	if (result == SPEND_DELIVERED) {
		strlcpy(u.state, "sent", sizeof(u.state));
		u.error[0] = '\0';
		n->sent++;
		log_info("notify: event %lld of %s sent by %s (attempt %d)",
		    (long long)a->outbox_id, a->user, a->channel, a->attempt);
	} else if (result == SPEND_DELIVERY_RETRY &&
	    (delay = notify_retry_delay(&n->retry, a->attempt)) >= 0) {
		strlcpy(u.state, "pending", sizeof(u.state));
		u.next_at = time_now() + delay;
		n->retried++;
		log_info("notify: event %lld of %s by %s: attempt %d of %d "
		    "failed (%s); next in %d s", (long long)a->outbox_id,
		    a->user, a->channel, a->attempt, max, u.error, delay);
	} else {
		strlcpy(u.state, "failed", sizeof(u.state));
		n->failed++;
		log_warnx("notify: event %lld of %s by %s failed %s: %s",
		    (long long)a->outbox_id, a->user, a->channel,
		    result == SPEND_DELIVERY_FAILED ? "for good" :
		    "after the last attempt", u.error);
	}
	if (n->unsaved == NULL && save(n, &u) == 0)
		return;
	/* keep it, in order, for the next try */
	struct unsaved *k = xmalloc(sizeof(*k)), **tail = &n->unsaved;

	*k = u;
	k->next = NULL;
	while (*tail)
		tail = &(*tail)->next;
	*tail = k;
}

static void
unlink_attempt(struct attempt **list, struct attempt *a)
{
	for (struct attempt **p = list; *p; p = &(*p)->next)
		if (*p == a) {
			*p = a->next;
			return;
		}
}

static bool
listed(struct attempt *list, struct spend_delivery *d)
{
	for (struct attempt *a = list; a; a = a->next)
		if ((void *)a == (void *)d)
			return true;
	return false;
}

static void
attempt_free(struct attempt *a)
{
	if (a->deadline)
		event_free(a->deadline);
	free(a);
}

void
notify_api_delivery_done(struct spend_delivery *d,
    enum spend_delivery_result result, const char *error)
{
	struct notify *n = active;
	struct attempt *a = (struct attempt *)d;

	if (n == NULL || d == NULL)
		return;
	if (listed(n->expired, d)) {	/* too late: counted as a retry */
		unlink_attempt(&n->expired, a);
		attempt_free(a);
		return;
	}
	if (!listed(n->running, d)) {
		log_warnx("notify: delivery_done for an attempt that is not "
		    "running (called twice?): ignored");
		return;
	}
	unlink_attempt(&n->running, a);
	n->nrunning--;
	if (result != SPEND_DELIVERED && result != SPEND_DELIVERY_RETRY &&
	    result != SPEND_DELIVERY_FAILED)
		result = SPEND_DELIVERY_RETRY;
	if (result != SPEND_DELIVERED && (error == NULL || *error == '\0'))
		error = "the notifier gave no reason";
	record(n, a, result, error);
	attempt_free(a);
	wake_soon(n);
}

static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct attempt *a = arg;
	struct notify *n = a->n;
	char why[128];

	(void)fd;
	(void)what;
	unlink_attempt(&n->running, a);
	n->nrunning--;
	a->expired = true;
	a->next = n->expired;
	n->expired = a;
	snprintf(why, sizeof(why), "no answer from the %s notifier within "
	    "%d s", a->channel, n->sd->cfg.notify_timeout + DEADLINE_GRACE);
	record(n, a, SPEND_DELIVERY_RETRY, why);
	wake_soon(n);
}

/* ---- attempts ---- */

struct due_rows {
	struct delivery *rows;
	int n, max;
};

static int
collect_due(void *arg, const struct delivery *d)
{
	struct due_rows *dr = arg;
	struct delivery *c = &dr->rows[dr->n];

	*c = *d;
	if ((c->payload = strdup(d->payload)) == NULL)
		return SPEND_ENOMEM;
	dr->n++;
	return 0;
}

/* {"id", "kind", "user", "created_at", "data"}: what every channel gets. */
static char *
envelope(const struct delivery *d)
{
	json_t *data = json_loads(d->payload, 0, NULL), *o;
	char *text;

	if (data == NULL)
		data = json_object();
	o = jp_pack("{s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)d->outbox_id,
	    "kind", d->kind, "user", d->user, "created_at", d->created_at,
	    "data", data);
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}

/* A finished attempt that never reached a notifier. */
static void
settle(struct notify *n, const struct delivery *d, enum spend_delivery_result r,
    const char *error)
{
	struct attempt a;

	memset(&a, 0, sizeof(a));
	a.id = d->id;
	a.outbox_id = d->outbox_id;
	a.uid = d->user_id;
	strlcpy(a.channel, d->channel, sizeof(a.channel));
	strlcpy(a.user, d->user, sizeof(a.user));
	a.attempt = d->attempts + 1;
	record(n, &a, r, error);
}

/* Start an attempt of d: 0, or -1 if the store did not take its start
 * (it stays due: tried again a second later). */
static int
start(struct notify *n, const struct delivery *d)
{
	struct spendd *sd = n->sd;
	const struct spend_notifier *vt;
	struct spend_plugin *self = NULL;
	struct spend_event ev;
	struct attempt *a;
	struct spend_err err;
	struct timeval tv;
	char *text, why[160];

	if (!d->has_channel) {
		settle(n, d, SPEND_DELIVERY_FAILED, "the user no longer has this "
		    "channel");
		return 0;
	}
	if ((vt = notify_channel(sd, d->channel, &self)) == NULL) {
		snprintf(why, sizeof(why), "no notifier \"%s\" is available "
		    "([notify] channels, [plugins])", d->channel);
		settle(n, d, SPEND_DELIVERY_RETRY, why);
		return 0;
	}
	if ((text = envelope(d)) == NULL) {
		log_warnx("notify: delivery %lld: out of memory", (long long)d->id);
		return -1;
	}
	if (store_delivery_start(sd->store, d->id, time_now(), &err) < 0) {
		log_warnx("notify: starting delivery %lld: %s (again in %d s)",
		    (long long)d->id, err.msg, STORE_RETRY_S);
		free(text);
		return -1;
	}
	a = xcalloc(1, sizeof(*a));
	a->n = n;
	a->id = d->id;
	a->outbox_id = d->outbox_id;
	a->uid = d->user_id;
	strlcpy(a->channel, d->channel, sizeof(a->channel));
	strlcpy(a->user, d->user, sizeof(a->user));
	a->attempt = d->attempts + 1;
	if (sd->base) {
		if ((a->deadline = evtimer_new(sd->base, on_deadline, a)) == NULL)
			fatal("evtimer_new");
		tv.tv_sec = sd->cfg.notify_timeout + DEADLINE_GRACE;
		tv.tv_usec = 0;
		evtimer_add(a->deadline, &tv);
	}
	a->next = n->running;
	n->running = a;
	n->nrunning++;
	memset(&ev, 0, sizeof(ev));
	ev.type = SPEND_EVENT_OUTBOX;
	ev.user = d->user;
	ev.json = text;
	ev.kind = d->kind;
	ev.id = d->outbox_id;
	ev.target = d->ch.target;
	ev.secret = d->ch.secret;
	ev.attempt = a->attempt;
	ev.max_attempts = notify_retry_attempts(&n->retry);
	ev.created_at = d->created_at;
	log_debug("notify: event %lld of %s to %s, attempt %d",
	    (long long)d->outbox_id, d->user, d->channel, a->attempt);
	if (vt->version >= SPEND_NOTIFIER_V2)
		vt->deliver(self, &ev, (struct spend_delivery *)a);
	else {
		vt->notify(self, &ev);
		notify_api_delivery_done((struct spend_delivery *)a,
		    SPEND_DELIVERED, NULL);
	}
	free(text);
	return 0;
}

/* Start what is due, as far as there is room. */
static int
run_due(struct notify *n)
{
	int room = n->sd->cfg.notify_max_inflight - n->nrunning;
	struct due_rows dr = { 0 };
	struct spend_err err;
	int r;

	if (room <= 0 || n->stopping)
		return 0;
	if ((dr.rows = calloc((size_t)room, sizeof(*dr.rows))) == NULL)
		return -1;
	dr.max = room;
	r = store_delivery_due(n->sd->store, time_now(), room, collect_due, &dr,
	    &err);
	if (r < 0)
		log_warnx("notify: reading due deliveries: %s", err.msg);
	for (int i = 0; i < dr.n; i++) {
		if (r >= 0 && start(n, &dr.rows[i]) < 0)
			r = -1;		/* the rest waits for the next try */
		free(dr.rows[i].payload);
	}
	free(dr.rows);
	return r < 0 ? -1 : 0;
}

/* The timer at the soonest next_at (or a second from now after a
 * failure). */
static void
arm(struct notify *n, bool failed)
{
	struct spend_err err;
	struct timeval tv = { STORE_RETRY_S, 0 };
	int64_t next = 0, now = time_now();
	bool found = false;

	if (n->timer == NULL || n->stopping)
		return;
	evtimer_del(n->timer);
	if (!failed && n->unsaved == NULL) {
		if (store_delivery_next(n->sd->store, &next, &found, &err) < 0)
			log_warnx("notify: %s", err.msg);
		else if (!found)
			return;
		/* due now but no room: the end of an attempt wakes us */
		else if (next <= now && n->nrunning >=
		    n->sd->cfg.notify_max_inflight)
			return;
		else
			tv.tv_sec = next > now ? (time_t)(next - now) : 0;
	}
	evtimer_add(n->timer, &tv);
}

/* Attempts a stop or a crash cut short are due again: once, at start,
 * or at the next passes while the database is busy (an import's
 * clean-up at start, say), so none stays "sending" until a restart. */
static int
resume_cut_short(struct notify *n)
{
	struct spend_err err;
	int64_t k = 0;

	if (store_delivery_restart(n->sd->store, time_now(), &k, &err) < 0) {
		log_warnx("notify: resuming deliveries: %s (trying again)",
		    err.msg);
		return -1;
	}
	n->resume = false;
	if (k > 0)
		log_info("notify: %lld attempt%s cut short by a stop or a "
		    "crash: due again", (long long)k, k == 1 ? "" : "s");
	return 0;
}

void
notify_poll(struct spendd *sd)
{
	struct notify *n = sd->notify;
	bool failed = false;
	int r;

	if (n == NULL || n->stopping)
		return;
	/* nothing starts before those cut short are due again: marking
	 * them later would mark this process's own running attempts too */
	if (n->resume && resume_cut_short(n) < 0) {
		arm(n, true);
		return;
	}
	if (save_unsaved(n) < 0)
		failed = true;
	if ((r = route(n)) < 0)
		failed = true;
	else if (r > 0)
		wake_soon(n);	/* the next batch on the next loop turn */
	if (!failed && run_due(n) < 0)
		failed = true;
	arm(n, failed);
}

static void
on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct notify *n = arg;

	(void)fd;
	(void)what;
	notify_poll(n->sd);
}

static void
wake_soon(struct notify *n)
{
	struct timeval now = { 0, 0 };

	if (n->wake && !n->stopping)
		evtimer_add(n->wake, &now);
}

/* A write committed an outbox event (outbox.c publishes notify.KIND; the
 * subscription takes those types only). */
static void
on_event(void *arg, int64_t seq, const char *type, json_t *data)
{
	(void)seq;
	(void)type;
	(void)data;
	wake_soon(arg);
}

/* ---- pruning, on a worker ---- */

struct prune {
	struct spendd *sd;
	char cutoff[TIMESTAMP_LEN + 1];
	int64_t n;
	struct spend_err err;
	int r;
};

static void
prune_work(struct job *job, void *arg)
{
	struct prune *p = arg;
	struct store *st;
	int64_t k;

	if ((st = jobs_store(job, &p->err)) == NULL) {
		p->r = -1;
		return;
	}
	do {
		if ((p->r = store_notify_prune(st, p->cutoff, PRUNE_BATCH, &k,
		    &p->err)) < 0)
			return;
		p->n += k;
	} while (k == PRUNE_BATCH && !jobs_cancelled(job));
}

static void
prune_done(struct job *job, void *arg)
{
	struct prune *p = arg;

	(void)job;
	if (p->r < 0)
		log_warnx("notify: pruning old events: %s", p->err.msg);
	else if (p->n)
		log_info("notify: %lld delivered or failed events older than "
		    "%s forgotten", (long long)p->n, p->cutoff);
	if (p->sd->notify)
		p->sd->notify->pruning = false;
	free(p);
}

static void
prune(struct spendd *sd)
{
	struct notify *n = sd->notify;
	struct prune *p;
	struct spend_err err;
	time_t t = (time_t)(time_now() - (int64_t)sd->cfg.notify_keep_days *
	    86400);
	struct tm tm;

	if (n == NULL || n->pruning || n->stopping)
		return;
	p = xcalloc(1, sizeof(*p));
	p->sd = sd;
	gmtime_r(&t, &tm);
	strftime(p->cutoff, sizeof(p->cutoff), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
	n->pruning = true;
	if (jobs_submit(sd, JOB_WRITE, prune_work, prune_done, p, &err) < 0) {
		n->pruning = false;
		free(p);
	}
}

/* ---- life ---- */

int
notify_start(struct spendd *sd)
{
	struct notify *n = xcalloc(1, sizeof(*n));
	struct spend_err err;

	n->sd = sd;
	if (notify_retry_parse(sd->cfg.notify_retry, "retry", &n->retry,
	    &err) < 0) {
		log_warnx("notify: %s", err.msg);
		free(n);
		return -1;
	}
	if (sd->base) {
		if ((n->wake = evtimer_new(sd->base, on_wake, n)) == NULL ||
		    (n->timer = evtimer_new(sd->base, on_wake, n)) == NULL ||
		    (n->sub = events_subscribe_types(sd, 0, "notify.", on_event,
		    n)) == NULL) {
			if (n->wake)
				event_free(n->wake);
			if (n->timer)
				event_free(n->timer);
			free(n);
			return -1;
		}
		if (scheduler_every(sd, "notify-prune", 600, 3600, prune) < 0)
			log_warnx("notify: cannot schedule pruning");
	}
	sd->notify = n;
	active = n;
	n->resume = true;
	(void)resume_cut_short(n);	/* a failure: again at each pass */
	{
		char names[256];

		notify_channel_names(sd, names, sizeof(names));
		log_info("notify: channels: %s; %d attempt%s per delivery",
		    names, notify_retry_attempts(&n->retry),
		    notify_retry_attempts(&n->retry) == 1 ? "" : "s");
	}
	wake_soon(n);
	return 0;
}

void
notify_stop(struct spendd *sd)
{
	struct notify *n = sd->notify;

	if (n == NULL)
		return;
	if (n->unsaved)
		save_unsaved(n);
	n->stopping = true;
	if (n->wake)
		evtimer_del(n->wake);
	if (n->timer)
		evtimer_del(n->timer);
}

void
notify_reload(struct spendd *sd)
{
	struct notify *n = sd->notify;
	struct spend_err err;

	if (n && notify_retry_parse(sd->cfg.notify_retry, "retry", &n->retry,
	    &err) < 0)
		log_warnx("notify: %s", err.msg);	/* checked at load */
}

int
notify_busy(struct spendd *sd)
{
	return sd->notify ? sd->notify->nrunning : 0;
}

void
notify_free(struct spendd *sd)
{
	struct notify *n = sd->notify;

	if (n == NULL)
		return;
	n->stopping = true;
	if (n->unsaved && save_unsaved(n) < 0)
		log_warnx("notify: some outcomes could not be recorded: those "
		    "deliveries run again at the next start");
	while (n->unsaved) {
		struct unsaved *u = n->unsaved;

		n->unsaved = u->next;
		free(u);
	}
	/* attempts still running stay started: due again at the next start */
	while (n->running) {
		struct attempt *a = n->running;

		n->running = a->next;
		attempt_free(a);
	}
	while (n->expired) {
		struct attempt *a = n->expired;

		n->expired = a->next;
		attempt_free(a);
	}
	if (n->sub && sd->events)
		events_unsubscribe(sd, n->sub);
	if (n->wake)
		event_free(n->wake);
	if (n->timer)
		event_free(n->timer);
	if (active == n)
		active = NULL;
	free(n);
	sd->notify = NULL;
}

json_t *
notify_status(struct spendd *sd, struct store *st)
{
	struct notify *n = sd->notify;
	int64_t pending = 0, sent = 0, failed = 0;
	struct spend_err err;
	json_t *o;

	if (store_delivery_counts(st, &pending, &sent, &failed, &err) < 0)
		log_warnx("notify: %s", err.msg);
	o = jp_pack("{s:I, s:I, s:I, s:i, s:I}", "pending", (json_int_t)pending,
	    "sent", (json_int_t)sent, "failed", (json_int_t)failed, "running",
	    n ? n->nrunning : 0, "retried", (json_int_t)(n ? n->retried : 0));
	return o;
}

void
notify_counts(struct spendd *sd, int64_t *sent, int64_t *failed,
    int64_t *retried)
{
	struct notify *n = sd->notify;

	*sent = n ? n->sent : 0;
	*failed = n ? n->failed : 0;
	*retried = n ? n->retried : 0;
}

/* ---- the host API's transfers ---- */

struct transfer {
	spend_transfer_fn done;
	void *arg;
};

static void
transfer_done(void *arg, const struct httpc_result *r)
{
	struct transfer *t = arg;
	struct spend_transfer out;

	memset(&out, 0, sizeof(out));
	out.ok = r->curl_code == 0;
	out.status = r->status;
	out.error = r->error;
	out.body = r->body;
	out.body_len = r->body_len;
	t->done(t->arg, &out);
	free(t);
}

int
notify_api_http_request(struct spend_plugin *self,
    const struct spend_http_request *req, spend_transfer_fn done, void *arg,
    char *errbuf, size_t errlen)
{
	struct notify *n = active;
	struct httpc_req hr;
	struct spend_err err;
	struct transfer *t;

	(void)self;
	if (errlen)
		errbuf[0] = '\0';
	if (n == NULL || req == NULL || req->url == NULL || done == NULL) {
		snprintf(errbuf, errlen, "no outgoing requests now");
		return -1;
	}
	if (urlallow_check(n->sd->cfg.notify_webhook_allow, req->url, "url",
	    &err) < 0) {
		snprintf(errbuf, errlen, "%s", err.msg);
		return -1;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(errbuf, errlen, "out of memory");
		return -1;
	}
	t->done = done;
	t->arg = arg;
	memset(&hr, 0, sizeof(hr));
	hr.method = req->method ? req->method : "POST";
	hr.url = req->url;
	hr.headers = req->headers;
	hr.body = req->body;
	hr.body_len = req->body_len;
	hr.timeout_ms = req->timeout_ms > 0 ? req->timeout_ms :
	    n->sd->cfg.notify_timeout * 1000L;
	hr.max_redirects = 0;
	if (httpc_request(n->sd, &hr, transfer_done, t, &err) < 0) {
		snprintf(errbuf, errlen, "%s", err.msg);
		free(t);
		return -1;
	}
	return 0;
}

int
notify_api_mail_send(struct spend_plugin *self, const struct spend_mail *m,
    spend_transfer_fn done, void *arg, char *errbuf, size_t errlen)
{
	struct notify *n = active;
	struct httpc_mail hm;
	struct spend_err err;
	struct transfer *t;
	const char *rcpt[2];

	(void)self;
	if (errlen)
		errbuf[0] = '\0';
	if (n == NULL || m == NULL || done == NULL || m->server == NULL) {
		snprintf(errbuf, errlen, "no outgoing mail now");
		return -1;
	}
	if (strncasecmp(m->server, "smtp://", 7) != 0 &&
	    strncasecmp(m->server, "smtps://", 8) != 0) {
		snprintf(errbuf, errlen, "server \"%.100s\": smtp:// or smtps:// "
		    "only", m->server);
		return -1;
	}
	if (m->to == NULL || !notify_email_valid(m->to) || m->from == NULL ||
	    !notify_email_valid(m->from)) {
		snprintf(errbuf, errlen, "not an email address: \"%.100s\"",
		    m->to == NULL || !notify_email_valid(m->to) ?
		    (m->to ? m->to : "") : m->from ? m->from : "");
		return -1;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(errbuf, errlen, "out of memory");
		return -1;
	}
	t->done = done;
	t->arg = arg;
	rcpt[0] = m->to;
	rcpt[1] = NULL;
	memset(&hm, 0, sizeof(hm));
	hm.url = m->server;
	hm.tls = m->starttls >= 2 ? HTTPC_TLS_REQUIRED : m->starttls == 1 ?
	    HTTPC_TLS_TRY : HTTPC_TLS_NONE;
	hm.ca_file = m->ca_file;
	hm.username = m->username;
	hm.password = m->password;
	hm.from = m->from;
	hm.rcpt = rcpt;
	hm.message = m->message;
	hm.len = m->len;
	hm.timeout_ms = m->timeout_ms > 0 ? m->timeout_ms :
	    n->sd->cfg.notify_timeout * 1000L;
	if (httpc_mail(n->sd, &hm, transfer_done, t, &err) < 0) {
		snprintf(errbuf, errlen, "%s", err.msg);
		free(t);
		return -1;
	}
	return 0;
}

void
notify_api_hmac_sha256(const void *key, size_t keylen, const void *msg,
    size_t len, unsigned char out[32])
{
	crypto_auth_hmacsha256_state s;

	crypto_auth_hmacsha256_init(&s, key, keylen);
	crypto_auth_hmacsha256_update(&s, msg, len);
	crypto_auth_hmacsha256_final(&s, out);
}
