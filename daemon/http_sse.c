/* GET /api/v1/events: server-sent events, one stream per client, fed
 * by the events hub with the committed writes of its user. */
#include <event2/event.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "http_reply.h"
#include "http_sse.h"
#include "httpd.h"
#include "log.h"
#include "rpc.h"
#include "spendd.h"
#include "util.h"
#include "xmalloc.h"

#define SSE_PING_S 20
#define SSE_MAX_PER_USER 16	/* each stream holds a socket for good */

struct sse {
	struct sse *next, *prev;
	struct http_sse *h;
	struct httpd_req *req;
	struct events_sub *sub;
	int64_t uid;
	char sid[33];		/* the session that opened the stream */
};

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
		n = asprintf(&msg, "id: %lld\nevent: %s\ndata: %s\n\n",
		    (long long)seq, type, text);
		free(text);
	}
	if (n < 0) {
		log_warnx("http: event %lld (%s): out of memory; ending the "
		    "stream of user %lld", (long long)seq, type,
		    (long long)s->uid);
		sse_end(s);
		return;
	}
	sse_send(s, msg, (size_t)n);
	free(msg);
}

void
http_sse_open(struct http_sse *h, struct httpd_req *req,
    const struct rpc_identity *id)
{
	struct evkeyvalq *o = httpd_output_headers(req);
	struct spend_err err;
	struct sse *s;
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
	sse_send(s, hello, sizeof(hello) - 1);
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
