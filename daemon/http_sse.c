/* GET /api/v1/events: server-sent events, one stream per client, fed
 * by the events hub with the committed writes of its user. Each event of
 * a write carries its change-log number as its id; a client that comes
 * back with Last-Event-ID first gets what it missed from the change log
 * (read on a job; the live events meanwhile wait behind it). */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "http_reply.h"
#include "http_sse.h"
#include "httpd.h"
#include "jobs.h"
#include "log.h"
#include "rpc.h"
#include "spendd.h"
#include "store.h"
#include "sync.h"
#include "util.h"
#include "xmalloc.h"

#define SSE_PING_S 20
#define SSE_MAX_PER_USER 16	/* each stream holds a socket for good */
#define SSE_REPLAY_MAX 1000	/* more missed: the client pulls instead */

/* A live event held while the replay is read. */
struct sse_held {
	struct sse_held *next;
	int64_t seq;
	size_t len;
	char *msg;
};

struct sse {
	struct sse *next, *prev;
	struct http_sse *h;
	struct httpd_req *req;
	struct events_sub *sub;
	int64_t uid;
	char sid[33];		/* the session that opened the stream */
	bool replaying;		/* a replay job holds this stream */
	bool closed;		/* ... which then frees it */
	struct sse_held *held, **held_tail;
};

static void
held_free(struct sse *s)
{
	while (s->held) {
		struct sse_held *e = s->held;

		s->held = e->next;
		free(e->msg);
		free(e);
	}
	s->held_tail = &s->held;
}

struct http_sse {
	struct spendd *sd;
	struct sse *list;		/* the open streams */
	struct event *ev_ping;
};

static void
sse_unlink(struct sse *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		s->h->list = s->next;
	if (s->next)
		s->next->prev = s->prev;
}

static void
sse_free(struct sse *s)
{
	sse_unlink(s);
	if (s->sub)
		events_unsubscribe(s->h->sd, s->sub);
	s->sub = NULL;
	held_free(s);
	if (s->replaying) {
		s->closed = true;	/* the replay's done frees it */
		s->req = NULL;
		return;
	}
	free(s);
}

/* The client went away. */
static void
sse_closed(struct httpd_req *req, void *arg)
{
	(void)req;
	sse_free(arg);
}

/* End a stream from our side. */
static void
sse_end(struct sse *s)
{
	httpd_stream_end(s->req);
	sse_free(s);
}

/* Is the session that opened the stream still on? A stream must not
 * outlive a logout, a revoked session, a password change or its account
 * (whose user id SQLite hands to the next account it creates). */
static bool
sse_live(struct sse *s)
{
	struct spend_err err;
	bool live = false;

	if (store_session_live(s->h->sd->store, s->uid, s->sid, time_now(),
	    &live, &err) < 0)
		return false;
	return live;
}

/* -1 if the stream was cut (a reader too slow): s is freed. */
static int
sse_send(struct sse *s, const char *text, size_t len)
{
	if (httpd_stream_send(s->req, text, len) < 0) {
		sse_free(s);
		return -1;
	}
	return 0;
}

static void
sse_ping(evutil_socket_t fd, short what, void *arg)
{
	struct http_sse *h = arg;
	struct timeval tv = { SSE_PING_S, 0 };
	struct sse *s, *next;

	(void)fd;
	(void)what;
	for (s = h->list; s; s = next) {
		next = s->next;
		if (!sse_live(s))
			sse_end(s);	/* the session ended: so does its stream */
		else
			sse_send(s, ": ping\n\n", 8);
	}
	evtimer_add(h->ev_ping, &tv);
}

/* One committed write of the stream's user: "id", "event", "data". An
 * event too large for the memory left ends the stream rather than go
 * missing from it: the client reconnects and reads the data again. */
static void
sse_event(void *arg, int64_t seq, const char *type, json_t *data)
{
	struct sse *s = arg;
	char *text, *msg = NULL;
	int n = -1;

	if (!sse_live(s)) {
		sse_end(s);	/* never a write to a session that ended */
		return;
	}
	if ((text = json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY)) != NULL) {
		/* an event outside a write (none yet) keeps the last id */
		n = seq > 0 ? asprintf(&msg, "id: %lld\nevent: %s\ndata: "
		    "%s\n\n", (long long)seq, type, text) : asprintf(&msg,
		    "event: %s\ndata: %s\n\n", type, text);
		free(text);
	}
	if (n < 0) {
		log_warnx("http: event %lld (%s): out of memory; ending the "
		    "stream of user %lld", (long long)seq, type,
		    (long long)s->uid);
		sse_end(s);
		return;
	}
	if (s->replaying) {	/* after what the replay sends */
		struct sse_held *e = xcalloc(1, sizeof(*e));

		e->seq = seq;
		e->msg = msg;
		e->len = (size_t)n;
		*s->held_tail = e;
		s->held_tail = &e->next;
		return;
	}
	sse_send(s, msg, (size_t)n);
	free(msg);
}

/* ---- the replay of what a returning client missed ---- */

struct replay {
	struct sse *s;
	int64_t uid, since;
	int64_t last;		/* the last change replayed */
	struct evbuffer *out;	/* the events to send */
	struct spend_err err;
	int r;
};

struct replay_page {
	struct change c[SSE_REPLAY_MAX + 1];
	int n;
};

static int
replay_cb(void *arg, const struct change *c)
{
	struct replay_page *pg = arg;

	pg->c[pg->n++] = *c;
	return 0;
}

static void
replay_work(struct job *job, void *arg)
{
	struct replay *rp = arg;
	struct replay_page *pg;
	struct store *st;
	struct user u;
	int64_t head, floor;
	json_t *it;
	char *text;

	if ((st = jobs_store(job, &rp->err)) == NULL) {
		rp->r = rp->err.code;
		return;
	}
	pg = xcalloc(1, sizeof(*pg));
	if ((rp->r = store_read_begin(st, &rp->err)) < 0) {
		free(pg);
		return;
	}
	if ((rp->r = store_user_get(st, rp->uid, &u, &rp->err)) < 0 ||
	    (rp->r = store_sync_marks(st, rp->uid, &head, &floor,
	    &rp->err)) < 0 ||
	    (rp->r = store_sync_changes(st, rp->uid, rp->since,
	    SSE_REPLAY_MAX + 1, replay_cb, pg, &rp->err)) < 0)
		goto out;
	rp->last = rp->since;
	if (rp->since > head || (rp->since > 0 && rp->since < floor) ||
	    pg->n > SSE_REPLAY_MAX) {
		/* too far behind, or ahead (a restored database): a pull
		 * says what changed, the stream goes on from now */
		evbuffer_add_printf(rp->out, "id: %lld\nevent: resync\ndata: "
		    "{\"since\":%lld,\"head\":%lld}\n\n", (long long)head,
		    (long long)rp->since, (long long)head);
		rp->last = head;
		goto out;
	}
	for (int i = 0; i < pg->n; i++) {
		if ((rp->r = sync_item(st, &u, &pg->c[i], &it, &rp->err)) < 0)
			goto out;
		text = json_dumps(it, JSON_COMPACT);
		json_decref(it);
		if (text == NULL) {
			rp->r = spend_errf(&rp->err, SPEND_ENOMEM, "", "out of "
			    "memory");
			goto out;
		}
		evbuffer_add_printf(rp->out, "id: %lld\nevent: change\ndata: "
		    "%s\n\n", (long long)pg->c[i].seq, text);
		free(text);
		rp->last = pg->c[i].seq;
	}
out:
	store_rollback(st);
	free(pg);
}

static void
replay_done(struct job *job, void *arg)
{
	struct replay *rp = arg;
	struct sse *s = rp->s;
	struct sse_held *e;

	(void)job;
	s->replaying = false;
	if (s->closed) {	/* the client left meanwhile */
		free(s);
		goto out;
	}
	if (rp->r < 0) {
		log_warnx("http: events of user %lld after %lld: %s",
		    (long long)rp->uid, (long long)rp->since, rp->err.msg);
		sse_end(s);	/* it reconnects and asks again */
		goto out;
	}
	{
		size_t len = evbuffer_get_length(rp->out);

		if (len > 0 && sse_send(s, (const char *)evbuffer_pullup(
		    rp->out, -1), len) < 0)
			goto out;
	}
	/* the live events that came meanwhile, but those replayed */
	while ((e = s->held) != NULL) {
		s->held = e->next;
		if ((e->seq == 0 || e->seq > rp->last) &&
		    sse_send(s, e->msg, e->len) < 0) {
			free(e->msg);
			free(e);
			goto out;	/* s is gone, and its held list */
		}
		free(e->msg);
		free(e);
	}
	s->held_tail = &s->held;
out:
	evbuffer_free(rp->out);
	free(rp);
}

/* Last-Event-ID: digits, or -1 (none or not a number: no replay). */
static int64_t
last_event_id(struct httpd_req *req)
{
	const char *v = httpd_header(req, "Last-Event-ID");
	char *end;
	long long n;

	if (v == NULL || *v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	return errno || *end ? -1 : n;
}

void
http_sse_open(struct http_sse *h, struct httpd_req *req,
    const struct rpc_identity *id)
{
	struct evkeyvalq *o = httpd_output_headers(req);
	struct spend_err err;
	struct sse *s;
	int64_t since;
	static const char hello[] = "retry: 5000\n: spendd events\n\n";

	if (id->uid == 0) {
		spend_errf(&err, SPEND_EAUTH, "", "the event stream needs "
		    "Authorization: Bearer ACCESS_TOKEN");
		http_reply_status(h->sd, req, 401, &err, NULL);
		return;
	}
	{
		int n = 0;

		/* bounded: one user cannot hold every socket spendd has */
		for (s = h->list; s; s = s->next)
			n += s->uid == id->uid;
		if (n >= SSE_MAX_PER_USER) {
			spend_errf(&err, SPEND_ERATELIMIT, "", "at most %d event "
			    "streams per user are open", SSE_MAX_PER_USER);
			json_t *meta = json_pack("{s:i}", "retry_after",
			    SSE_PING_S);

			http_reply_status(h->sd, req, 429, &err, meta);
			json_decref(meta);
			return;
		}
	}
	if (h->sd->stopping) {
		spend_errf(&err, SPEND_EUNAVAIL, "", "spendd is shutting down");
		http_reply_status(h->sd, req, 503, &err, NULL);
		return;
	}
	s = xcalloc(1, sizeof(*s));
	s->h = h;
	s->req = req;
	s->uid = id->uid;
	s->held_tail = &s->held;
	strlcpy(s->sid, id->session, sizeof(s->sid));
	s->sub = events_subscribe(h->sd, id->uid, sse_event, s);
	s->next = h->list;
	if (h->list)
		h->list->prev = s;
	h->list = s;
	http_reply_headers(h->sd, req);
	evhttp_add_header(o, "Content-Type", "text/event-stream");
	evhttp_add_header(o, "Cache-Control", "no-store");
	evhttp_add_header(o, "X-Accel-Buffering", "no");
	httpd_set_close_cb(req, sse_closed, s);
	httpd_stream_start(req, 200);
	if (sse_send(s, hello, sizeof(hello) - 1) < 0)
		return;
	if ((since = last_event_id(req)) >= 0) {
		struct replay *rp = xcalloc(1, sizeof(*rp));

		rp->s = s;
		rp->uid = s->uid;
		rp->since = since;
		if ((rp->out = evbuffer_new()) == NULL)
			fatal("evbuffer_new");
		s->replaying = true;
		if (jobs_submit(h->sd, JOB_READ, replay_work, replay_done, rp,
		    &err) < 0) {
			s->replaying = false;
			evbuffer_free(rp->out);
			free(rp);
			sse_end(s);
		}
	}
}

void
http_sse_end_all(struct http_sse *h)
{
	while (h->list)
		sse_end(h->list);
}

struct http_sse *
http_sse_new(struct spendd *sd)
{
	struct http_sse *h;

	h = xcalloc(1, sizeof(*h));
	h->sd = sd;
	if ((h->ev_ping = evtimer_new(sd->base, sse_ping, h)) == NULL) {
		free(h);
		return NULL;
	}
	sse_ping(-1, 0, h);
	return h;
}

void
http_sse_free(struct http_sse *h)
{
	if (h == NULL)
		return;
	http_sse_end_all(h);
	event_free(h->ev_ping);
	free(h);
}
