/* The HTTP/1.1 server: connections, strict parsing, limits, replies. */
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "httpd.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

#define MAX_HEADERS 100		/* header fields in one request */
#define ADDR_BUCKETS 1024
#define LINGER_MS 2000		/* reading what a refused client still sends */
#define ACCEPT_PAUSE_MS 250	/* after EMFILE */
#define LOG_EVERY_S 10		/* at most one accept-error line per this */
#define FD_RESERVE 128		/* fds kept for the store, workers, files */

enum state {
	S_IDLE,		/* waiting for a request's first byte */
	S_HEAD,		/* reading the request line and headers */
	S_BODY,		/* reading the body */
	S_BUSY,		/* the application has it */
	S_WRITING,	/* the reply is being written */
	S_STREAM,	/* a reply in pieces */
	S_LINGER,	/* refused: reading the rest before closing */
};

enum chunk_state { CH_SIZE, CH_DATA, CH_DATA_END, CH_TRAILER };

struct addr_count {
	struct addr_count *next;
	struct netaddr a;
	int n;
};

struct httpd_req {
	struct conn *c;
	enum evhttp_cmd_type method;
	int minor;		/* HTTP/1.minor */
	char *target;
	struct evhttp_uri *uri;
	struct evkeyvalq in, out;
	int nheaders;
	size_t head_bytes;
	struct evbuffer *body;
	size_t body_len;
	long long limit;	/* body bytes allowed */
	long long clen;		/* Content-Length, or -1 */
	bool chunked;
	enum chunk_state ch;
	long long ch_left;	/* bytes left in this chunk */
	bool keepalive;
	bool head_only;		/* HEAD: no body in the reply */
	int spool_fd;
	char *spool;		/* the body's file, or NULL */
	void (*close_cb)(struct httpd_req *, void *);
	void *close_arg;
	int64_t t0;		/* monotonic us of its first byte */
	struct httpd_note note;	/* the application's */
};

struct conn {
	TAILQ_ENTRY(conn) link;
	struct httpd *h;
	struct bufferevent *bev;	/* NULL once closed */
	struct event *timer;		/* head deadline, linger end */
	struct netaddr addr;
	bool counted;			/* in the per-address table */
	char peer[NETADDR_STRLEN];
	enum state state;
	bool close_after;		/* close once the reply is written */
	struct httpd_req req;
};

TAILQ_HEAD(conn_list, conn);

struct httpd {
	struct event_base *base;
	struct httpd_callbacks cbs;
	void *arg;
	struct httpd_limits lim;
	struct evconnlistener *lis;
	struct event *ev_resume;	/* re-enables accepting after EMFILE */
	bool paused;			/* accepting disabled (EMFILE or cap) */
	bool stopping;
	struct conn_list conns;
	int nconns, busy;
	struct addr_count *addrs[ADDR_BUCKETS];
	int64_t log_at;			/* monotonic ms of the last error line */
	int log_skipped;
};

static void conn_process(struct conn *c);
static void conn_close(struct conn *c);
static void reply_error(struct conn *c, int status, const char *msg);

/* ---- per-address connection counts ---- */

static unsigned
addr_hash(const struct netaddr *a)
{
	unsigned h = 2166136261u;

	for (int i = 0; i < 16; i++)
		h = (h ^ a->b[i]) * 16777619u;
	return h % ADDR_BUCKETS;
}

static struct addr_count **
addr_slot(struct httpd *h, const struct netaddr *a)
{
	struct addr_count **p = &h->addrs[addr_hash(a)];

	while (*p && memcmp((*p)->a.b, a->b, 16) != 0)
		p = &(*p)->next;
	return p;
}

static int
addr_count(struct httpd *h, const struct netaddr *a)
{
	struct addr_count **p = addr_slot(h, a);

	return *p ? (*p)->n : 0;
}

static void
addr_add(struct httpd *h, const struct netaddr *a)
{
	struct addr_count **p = addr_slot(h, a);

	if (*p == NULL) {
		*p = xcalloc(1, sizeof(**p));
		(*p)->a = *a;
	}
	(*p)->n++;
}

static void
addr_del(struct httpd *h, const struct netaddr *a)
{
	struct addr_count **p = addr_slot(h, a), *e = *p;

	if (e && --e->n == 0) {
		*p = e->next;
		free(e);
	}
}

/* ---- accepting ---- */

/* One warning line per LOG_EVERY_S at most: a flood of refused clients
 * must not become a flood of log lines. */
static void
log_limited(struct httpd *h, const char *what)
{
	int64_t now = time_mono_ms();

	if (now - h->log_at < LOG_EVERY_S * 1000) {
		h->log_skipped++;
		return;
	}
	if (h->log_skipped)
		log_warnx("http: %s (and %d more such events since the last "
		    "line)", what, h->log_skipped);
	else
		log_warnx("http: %s", what);
	h->log_at = now;
	h->log_skipped = 0;
}

static void
accept_update(struct httpd *h)
{
	bool full = h->nconns >= h->lim.max_conns;

	if (h->lis == NULL || evtimer_pending(h->ev_resume, NULL))
		return;
	if (full && !h->paused) {
		evconnlistener_disable(h->lis);
		h->paused = true;
		log_limited(h, "connection limit reached: new "
		    "connections wait in the listen queue ([http] "
		    "max_connections)");
	} else if (!full && h->paused) {
		evconnlistener_enable(h->lis);
		h->paused = false;
	}
}

static void
accept_resume(evutil_socket_t fd, short what, void *arg)
{
	struct httpd *h = arg;

	(void)fd;
	(void)what;
	h->paused = true;	/* let accept_update decide */
	accept_update(h);
}

/* EMFILE, ENFILE, ENOBUFS: the listening socket stays readable, so
 * accepting again at once would spin. Pause instead. */
static void
on_accept_error(struct evconnlistener *lis, void *arg)
{
	struct httpd *h = arg;
	struct timeval tv = { 0, ACCEPT_PAUSE_MS * 1000 };
	char what[160];

	snprintf(what, sizeof(what), "accept: %s; pausing %d ms",
	    strerror(errno), ACCEPT_PAUSE_MS);
	evconnlistener_disable(lis);
	h->paused = true;
	evtimer_add(h->ev_resume, &tv);
	log_limited(h, what);
}

static void
limits_apply(struct conn *c)
{
	struct httpd *h = c->h;
	struct timeval rd = { h->lim.idle_timeout, 0 };
	struct timeval wr = { h->lim.idle_timeout, 0 };

	if (c->bev == NULL)
		return;
	switch (c->state) {
	case S_BUSY:
	case S_STREAM:		/* a stream's client need not say anything */
		bufferevent_set_timeouts(c->bev, NULL, &wr);
		break;
	default:
		bufferevent_set_timeouts(c->bev, &rd, &wr);
		break;
	}
}

static void req_reset(struct httpd_req *r);
static void on_read(struct bufferevent *bev, void *arg);
static void on_write(struct bufferevent *bev, void *arg);
static void on_event(struct bufferevent *bev, short what, void *arg);
static void on_timer(evutil_socket_t fd, short what, void *arg);

static void
on_accept(struct evconnlistener *lis, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct httpd *h = arg;
	struct conn *c;
	struct netaddr a;
	int one = 1;

	(void)lis;
	(void)salen;
	memset(&a, 0, sizeof(a));
	if (sa->sa_family == AF_INET) {
		a.b[10] = a.b[11] = 0xff;
		memcpy(a.b + 12, &((struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6)
		memcpy(a.b, &((struct sockaddr_in6 *)sa)->sin6_addr, 16);
	if (h->stopping) {
		evutil_closesocket(fd);
		return;
	}
	if (h->lim.max_conns_per_addr > 0 &&
	    !netaddr_prefix_match(h->lim.exempt, h->lim.n_exempt, &a) &&
	    addr_count(h, &a) >= h->lim.max_conns_per_addr) {
		char text[NETADDR_STRLEN], what[128];

		netaddr_format(&a, text, sizeof(text));
		snprintf(what, sizeof(what), "%s has %d connections open: "
		    "refusing more ([http] max_connections_per_address)", text,
		    h->lim.max_conns_per_addr);
		log_limited(h, what);
		evutil_closesocket(fd);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->h = h;
	c->addr = a;
	netaddr_format(&a, c->peer, sizeof(c->peer));
	c->req.c = c;
	c->req.spool_fd = -1;
	TAILQ_INIT(&c->req.in);
	TAILQ_INIT(&c->req.out);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if ((c->bev = bufferevent_socket_new(h->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL ||
	    (c->timer = evtimer_new(h->base, on_timer, c)) == NULL ||
	    (c->req.body = evbuffer_new()) == NULL) {
		if (c->bev)
			bufferevent_free(c->bev);
		else
			evutil_closesocket(fd);
		if (c->timer)
			event_free(c->timer);
		if (c->req.body)
			evbuffer_free(c->req.body);
		free(c);
		return;
	}
	addr_add(h, &a);
	c->counted = true;
	TAILQ_INSERT_TAIL(&h->conns, c, link);
	h->nconns++;
	accept_update(h);
	req_reset(&c->req);
	c->state = S_IDLE;
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	limits_apply(c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

/* ---- connections ---- */

static void
req_reset(struct httpd_req *r)
{
	evhttp_clear_headers(&r->in);
	evhttp_clear_headers(&r->out);
	free(r->target);
	r->target = NULL;
	if (r->uri)
		evhttp_uri_free(r->uri);
	r->uri = NULL;
	evbuffer_drain(r->body, evbuffer_get_length(r->body));
	if (r->spool_fd >= 0)
		close(r->spool_fd);
	r->spool_fd = -1;
	if (r->spool) {
		unlink(r->spool);
		free(r->spool);
	}
	r->spool = NULL;
	r->method = 0;
	r->minor = 1;
	r->nheaders = 0;
	r->head_bytes = 0;
	r->body_len = 0;
	r->limit = 0;
	r->clen = -1;
	r->chunked = false;
	r->ch = CH_SIZE;
	r->ch_left = 0;
	r->keepalive = true;
	r->t0 = 0;
	memset(&r->note, 0, sizeof(r->note));
	r->head_only = false;
	r->close_cb = NULL;
	r->close_arg = NULL;
}

/* Free everything but a request the application still holds: that one
 * is freed when it replies (the socket is closed now). */
static void
conn_close(struct conn *c)
{
	struct httpd *h = c->h;

	if (c->bev) {
		bufferevent_free(c->bev);
		c->bev = NULL;
		if (c->counted)
			addr_del(h, &c->addr);
		c->counted = false;
		h->nconns--;
		accept_update(h);
	}
	if (c->state == S_BUSY)
		return;		/* httpd_reply finishes the job */
	if (c->state == S_WRITING)
		h->busy--;
	evtimer_del(c->timer);
	event_free(c->timer);
	req_reset(&c->req);
	evbuffer_free(c->req.body);
	TAILQ_REMOVE(&h->conns, c, link);
	free(c);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)what;
	if (c->state == S_HEAD)
		reply_error(c, 408, "the request head took too long to "
		    "arrive");
	else if (c->state == S_LINGER)
		conn_close(c);
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	if ((what & BEV_EVENT_TIMEOUT) && (what & BEV_EVENT_READING) &&
	    (c->state == S_HEAD || c->state == S_BODY)) {
		reply_error(c, 408, "the client went silent in the middle of "
		    "a request");
		return;
	}
	if (c->state == S_STREAM && c->req.close_cb) {
		void (*cb)(struct httpd_req *, void *) = c->req.close_cb;

		c->req.close_cb = NULL;
		cb(&c->req, c->req.close_arg);
	}
	conn_close(c);
}

static void
finish_write(struct conn *c)
{
	struct httpd *h = c->h;

	h->busy--;
	if (c->close_after || h->stopping) {
		struct timeval tv = { LINGER_MS / 1000, (LINGER_MS % 1000) * 1000 };

		/* Read what the client still sends before closing, or the
		 * kernel answers it with a reset that can destroy the reply
		 * in the client's buffer. */
		c->state = S_LINGER;
		shutdown(bufferevent_getfd(c->bev), SHUT_WR);
		evtimer_add(c->timer, &tv);
		bufferevent_disable(c->bev, EV_WRITE);
		bufferevent_enable(c->bev, EV_READ);
		return;
	}
	req_reset(&c->req);
	c->state = S_IDLE;
	limits_apply(c);
	bufferevent_enable(c->bev, EV_READ);
	conn_process(c);	/* a pipelined request may be waiting */
}

static void
on_write(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	if (c->state == S_WRITING &&
	    evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		finish_write(c);
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	conn_process(arg);
}

/* ---- parsing ---- */

static const struct {
	const char *name;
	enum evhttp_cmd_type m;
} methods[] = {
	{ "GET", EVHTTP_REQ_GET }, { "HEAD", EVHTTP_REQ_HEAD },
	{ "POST", EVHTTP_REQ_POST }, { "PUT", EVHTTP_REQ_PUT },
	{ "PATCH", EVHTTP_REQ_PATCH }, { "DELETE", EVHTTP_REQ_DELETE },
	{ "OPTIONS", EVHTTP_REQ_OPTIONS },
};

static bool
is_tchar(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

static bool
is_token(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_tchar((unsigned char)s[i]))
			return false;
	return true;
}

/* field-value: SP, HTAB, visible ASCII and obs-text; no CTL, no DEL */
static bool
value_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return false;
	}
	return true;
}

/* "METHOD SP target SP HTTP/1.x": 0, or an error status. */
static int
parse_request_line(struct httpd_req *r, char *line, size_t len,
    const char **why)
{
	char *sp1 = memchr(line, ' ', len), *sp2;
	size_t i;

	if (memchr(line, '\0', len) || !value_ok(line, len)) {
		*why = "control characters in the request line";
		return 400;
	}
	if (sp1 == NULL || (sp2 = memchr(sp1 + 1, ' ', len -
	    (size_t)(sp1 + 1 - line))) == NULL || sp2 == sp1 + 1 ||
	    memchr(sp2 + 1, ' ', len - (size_t)(sp2 + 1 - line))) {
		*why = "the request line is not METHOD TARGET HTTP/1.1";
		return 400;
	}
	*sp1 = *sp2 = '\0';
	if (!is_token(line, (size_t)(sp1 - line))) {
		*why = "the method is not a token";
		return 400;
	}
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(line, methods[i].name) == 0)
			break;
	if (i == sizeof(methods) / sizeof(methods[0])) {
		*why = "method not implemented (GET, HEAD, POST, PUT, PATCH, "
		    "DELETE and OPTIONS are)";
		return 501;
	}
	r->method = methods[i].m;
	r->head_only = r->method == EVHTTP_REQ_HEAD;
	if (strncmp(sp2 + 1, "HTTP/", 5) != 0) {
		*why = "the request line is not METHOD TARGET HTTP/1.1";
		return 400;
	}
	if (strcmp(sp2 + 1, "HTTP/1.1") == 0)
		r->minor = 1;
	else if (strcmp(sp2 + 1, "HTTP/1.0") == 0) {
		r->minor = 0;
		r->keepalive = false;
	} else {
		const char *v = sp2 + 6;

		if (v[0] >= '0' && v[0] <= '9' && (v[1] == '\0' ||
		    (v[1] == '.' && v[2] >= '0' && v[2] <= '9' && !v[3]))) {
			*why = "only HTTP/1.0 and HTTP/1.1 are spoken here";
			return 505;
		}
		*why = "malformed HTTP version";
		return 400;
	}
	/* origin-form, or "*" for OPTIONS */
	if (sp1[1] != '/' && !(r->method == EVHTTP_REQ_OPTIONS &&
	    strcmp(sp1 + 1, "*") == 0)) {
		*why = "the request target must be a path (origin-form)";
		return 400;
	}
	if ((r->target = strdup(sp1 + 1)) == NULL) {
		*why = "out of memory";
		return 503;
	}
	if ((r->uri = evhttp_uri_parse_with_flags(r->target[0] == '*' ? "/" :
	    r->target, EVHTTP_URI_NONCONFORMANT)) == NULL) {
		*why = "malformed request target";
		return 400;
	}
	return 0;
}

static int
parse_header_line(struct httpd_req *r, const char *line, size_t len,
    const char **why)
{
	const char *colon, *v, *e;
	char name[128], *value;

	if (line[0] == ' ' || line[0] == '\t') {
		*why = "folded header lines (obs-fold) are not accepted";
		return 400;
	}
	if ((colon = memchr(line, ':', len)) == NULL ||
	    !is_token(line, (size_t)(colon - line))) {
		*why = "a header line is not NAME: VALUE";
		return 400;
	}
	if ((size_t)(colon - line) >= sizeof(name)) {
		*why = "a header name is too long";
		return 431;
	}
	for (v = colon + 1, e = line + len; v < e && (*v == ' ' || *v == '\t');
	    v++)
		;
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (!value_ok(v, (size_t)(e - v))) {
		*why = "a header value holds a control character";
		return 400;
	}
	if (++r->nheaders > MAX_HEADERS) {
		*why = "too many header fields";
		return 431;
	}
	memcpy(name, line, (size_t)(colon - line));
	name[colon - line] = '\0';
	if ((value = strndup(v, (size_t)(e - v))) == NULL) {
		*why = "out of memory";
		return 503;
	}
	if (evhttp_add_header(&r->in, name, value) < 0) {
		free(value);
		*why = "a header line is malformed";
		return 400;
	}
	free(value);
	return 0;
}

static int
count_headers(struct httpd_req *r, const char *name, const char **first)
{
	struct evkeyval *kv;
	int n = 0;

	*first = NULL;
	TAILQ_FOREACH(kv, &r->in, next)
		if (strcasecmp_ascii(kv->key, name) == 0) {
			if (n++ == 0)
				*first = kv->value;
		}
	return n;
}

/* Does a comma-separated header value list hold token (any case)? */
static bool
has_token(const char *list, const char *token)
{
	size_t n = strlen(token);

	while (list && *list) {
		while (*list == ' ' || *list == '\t' || *list == ',')
			list++;
		if (strncasecmp(list, token, n) == 0 && (list[n] == '\0' ||
		    list[n] == ',' || list[n] == ' ' || list[n] == '\t'))
			return true;
		list = strchr(list, ',');
	}
	return false;
}

/* What the headers say about the body and the connection. */
static int
check_head(struct httpd_req *r, const char **why)
{
	const char *host, *cl, *te, *expect;
	int nhost = count_headers(r, "Host", &host);
	int ncl = count_headers(r, "Content-Length", &cl);
	int nte = count_headers(r, "Transfer-Encoding", &te);
	struct evkeyval *kv;

	if (nhost > 1) {
		*why = "more than one Host header";
		return 400;
	}
	if (nhost == 0 && r->minor == 1) {
		*why = "HTTP/1.1 requests need a Host header";
		return 400;
	}
	if (host && (strpbrk(host, " /\\@?#") || *host == '\0')) {
		*why = "malformed Host header";
		return 400;
	}
	if (nte > 0) {
		if (nte > 1 || r->minor == 0 || ncl > 0) {
			*why = nte > 1 ? "more than one Transfer-Encoding header" :
			    ncl ? "both Content-Length and Transfer-Encoding" :
			    "Transfer-Encoding in an HTTP/1.0 request";
			return 400;
		}
		if (strcasecmp(te, "chunked") != 0) {
			*why = "only Transfer-Encoding: chunked is accepted";
			return 501;
		}
		r->chunked = true;
	}
	if (ncl > 1) {
		*why = "more than one Content-Length header";
		return 400;
	}
	if (ncl == 1) {
		size_t n = strlen(cl);

		if (n == 0 || n > 18 || strspn(cl, "0123456789") != n) {
			*why = "Content-Length must be digits only";
			return 400;
		}
		r->clen = strtoll(cl, NULL, 10);
	}
	TAILQ_FOREACH(kv, &r->in, next)
		if (strcasecmp_ascii(kv->key, "Connection") == 0) {
			if (has_token(kv->value, "close"))
				r->keepalive = false;
			else if (has_token(kv->value, "keep-alive") &&
			    r->minor == 0)
				r->keepalive = true;
		}
	if ((expect = httpd_header(r, "Expect")) != NULL &&
	    (strcasecmp(expect, "100-continue") != 0 || r->minor == 0)) {
		*why = "only Expect: 100-continue is understood";
		return 417;
	}
	return 0;
}

/* 1: the head is complete; 0: more to read; -1: refused (replied). */
static int
read_head(struct conn *c)
{
	struct httpd *h = c->h;
	struct httpd_req *r = &c->req;
	struct evbuffer *in = bufferevent_get_input(c->bev);
	const char *why = NULL;
	size_t len;
	char *line;
	int st;

	for (;;) {
		line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF);
		if (line == NULL) {
			/* a line still coming: it counts against the limit */
			if (r->head_bytes + evbuffer_get_length(in) >
			    h->lim.max_head) {
				reply_error(c, r->target ? 431 : 414, r->target ?
				    "the request head is too large" :
				    "the request line is too long");
				return -1;
			}
			return 0;
		}
		r->head_bytes += len + 2;
		if (r->head_bytes > h->lim.max_head) {
			free(line);
			reply_error(c, r->target ? 431 : 414, r->target ?
			    "the request head is too large" :
			    "the request line is too long");
			return -1;
		}
		if (r->target == NULL) {
			if (len == 0) {		/* CRLF before a request: allowed */
				free(line);
				continue;
			}
			st = parse_request_line(r, line, len, &why);
		} else if (len == 0) {
			free(line);
			if ((st = check_head(r, &why)) != 0) {
				reply_error(c, st, why);
				return -1;
			}
			return 1;
		} else if (memchr(line, '\0', len))
			st = 400, why = "a header line holds a NUL byte";
		else
			st = parse_header_line(r, line, len, &why);
		free(line);
		if (st != 0) {
			reply_error(c, st, why);
			return -1;
		}
	}
}

static int
body_add(struct conn *c, struct evbuffer *in, size_t n)
{
	struct httpd_req *r = &c->req;

	if ((long long)(r->body_len + n) > r->limit) {
		reply_error(c, 413, NULL);
		return -1;
	}
	r->body_len += n;
	if (r->spool_fd < 0)
		return evbuffer_remove_buffer(in, r->body, n) == (int)n ? 0 :
		    (reply_error(c, 503, "out of memory"), -1);
	while (n > 0) {
		int w = evbuffer_write_atmost(in, r->spool_fd, (ev_ssize_t)n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			log_warn("http: upload: write %s", r->spool);
			reply_error(c, 507, "cannot store the upload (is the "
			    "disk full?)");
			return -1;
		}
		n -= (size_t)w;
	}
	return 0;
}

/* 1: the body is complete; 0: more to read; -1: refused (replied). */
static int
read_body(struct conn *c)
{
	struct httpd_req *r = &c->req;
	struct evbuffer *in = bufferevent_get_input(c->bev);
	size_t avail, len;
	char *line;

	if (!r->chunked) {
		avail = evbuffer_get_length(in);
		if ((long long)avail > r->clen - (long long)r->body_len)
			avail = (size_t)(r->clen - (long long)r->body_len);
		if (avail > 0 && body_add(c, in, avail) < 0)
			return -1;
		return (long long)r->body_len == r->clen;
	}
	for (;;) {
		switch (r->ch) {
		case CH_SIZE: {
			char *end;
			size_t hexlen;

			if ((line = evbuffer_readln(in, &len,
			    EVBUFFER_EOL_CRLF)) == NULL) {
				if (evbuffer_get_length(in) > 1024) {
					reply_error(c, 400, "a chunk size line "
					    "is too long");
					return -1;
				}
				return 0;
			}
			hexlen = strspn(line, "0123456789abcdefABCDEF");
			if (hexlen == 0 || hexlen > 15 || (line[hexlen] != '\0'
			    && line[hexlen] != ';' && line[hexlen] != ' ' &&
			    line[hexlen] != '\t') || !value_ok(line, len)) {
				free(line);
				reply_error(c, 400, "malformed chunk size");
				return -1;
			}
			r->ch_left = strtoll(line, &end, 16);
			free(line);
			if (r->ch_left > r->limit - (long long)r->body_len) {
				reply_error(c, 413, NULL);
				return -1;
			}
			r->ch = r->ch_left == 0 ? CH_TRAILER : CH_DATA;
			break;
		}
		case CH_DATA:
			avail = evbuffer_get_length(in);
			if (avail == 0)
				return 0;
			if ((long long)avail > r->ch_left)
				avail = (size_t)r->ch_left;
			if (body_add(c, in, avail) < 0)
				return -1;
			if ((r->ch_left -= (long long)avail) == 0)
				r->ch = CH_DATA_END;
			break;
		case CH_DATA_END:
			if ((line = evbuffer_readln(in, &len,
			    EVBUFFER_EOL_CRLF)) == NULL)
				return evbuffer_get_length(in) > 2 ?
				    (reply_error(c, 400, "a chunk is longer "
				    "than its size"), -1) : 0;
			free(line);
			if (len != 0) {
				reply_error(c, 400, "a chunk is longer than its "
				    "size");
				return -1;
			}
			r->ch = CH_SIZE;
			break;
		case CH_TRAILER:
			/* trailer fields are read and dropped, within the
			 * head's limit */
			if ((line = evbuffer_readln(in, &len,
			    EVBUFFER_EOL_CRLF)) == NULL) {
				if (r->head_bytes + evbuffer_get_length(in) >
				    c->h->lim.max_head) {
					reply_error(c, 431, "the trailer is too "
					    "large");
					return -1;
				}
				return 0;
			}
			free(line);
			r->head_bytes += len + 2;
			if (r->head_bytes > c->h->lim.max_head) {
				reply_error(c, 431, "the trailer is too large");
				return -1;
			}
			if (len == 0)
				return 1;
			break;
		}
	}
}

static void
dispatch(struct conn *c)
{
	struct httpd *h = c->h;

	c->state = S_BUSY;
	h->busy++;
	bufferevent_disable(c->bev, EV_READ);
	limits_apply(c);
	h->cbs.on_request(&c->req, h->arg);
}

static void
conn_process(struct conn *c)
{
	struct httpd *h = c->h;
	struct httpd_req *r = &c->req;
	struct evbuffer *in;
	int k;

	for (;;) {
		if (c->bev == NULL)
			return;
		in = bufferevent_get_input(c->bev);
		switch (c->state) {
		case S_IDLE:
			if (evbuffer_get_length(in) == 0)
				return;
			if (h->stopping) {
				conn_close(c);
				return;
			}
			c->state = S_HEAD;
			r->t0 = time_mono_us();
			{
				struct timeval tv = { h->lim.head_timeout, 0 };

				evtimer_add(c->timer, &tv);
			}
			break;
		case S_HEAD:
			if ((k = read_head(c)) <= 0)
				return;
			evtimer_del(c->timer);
			{
				/* on_head may reply; then the connection
				 * closes, as a body may follow the head */
				bool ka = r->keepalive;

				c->state = S_BUSY;
				h->busy++;
				r->keepalive = false;
				r->limit = h->cbs.on_head(r, h->arg);
				if (r->limit < 0)
					return;		/* it replied */
				r->keepalive = ka;
				h->busy--;
			}
			if (!r->chunked && r->clen > r->limit) {
				c->state = S_BODY;
				reply_error(c, 413, NULL);
				return;
			}
			if (!r->chunked && r->clen <= 0) {
				c->state = S_BODY;	/* for dispatch's count */
				dispatch(c);
				return;
			}
			c->state = S_BODY;
			if (httpd_header(r, "Expect") != NULL)
				bufferevent_write(c->bev, "HTTP/1.1 100 Continue"
				    "\r\n\r\n", 25);
			break;
		case S_BODY:
			if ((k = read_body(c)) <= 0)
				return;
			dispatch(c);
			return;
		case S_STREAM:
		case S_LINGER:
			evbuffer_drain(in, evbuffer_get_length(in));
			return;
		default:
			return;
		}
	}
}

/* ---- replies ---- */

const char *
httpd_reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 417: return "Expectation Failed";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	case 507: return "Insufficient Storage";
	default: return status < 500 ? "Error" : "Server Error";
	}
}

/* Refuse the request being read: the application words the reply; the
 * connection closes after it. */
static void
reply_error(struct conn *c, int status, const char *msg)
{
	struct httpd *h = c->h;
	char buf[160];

	evtimer_del(c->timer);
	if (status == 413 && msg == NULL) {
		snprintf(buf, sizeof(buf), "the request body is larger than "
		    "%lld bytes, the limit of this route", c->req.limit);
		msg = buf;
	}
	c->req.keepalive = false;
	c->close_after = true;
	c->state = S_BUSY;
	h->busy++;
	bufferevent_disable(c->bev, EV_READ);
	evhttp_clear_headers(&c->req.out);
	h->cbs.on_error(&c->req, status, msg, h->arg);
}

static void
write_head(struct httpd_req *r, int status, const char *framing)
{
	struct conn *c = r->c;
	struct evbuffer *out = bufferevent_get_output(c->bev);
	struct evkeyval *kv;
	char date[64];
	time_t now = time(NULL);
	struct tm tm;

	if (c->h->stopping || !r->keepalive)
		c->close_after = true;
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\nDate: %s\r\n", status,
	    httpd_reason(status), date);
	TAILQ_FOREACH(kv, &r->out, next)
		if (strcasecmp_ascii(kv->key, "Connection") != 0 &&
		    strcasecmp_ascii(kv->key, "Content-Length") != 0)
			evbuffer_add_printf(out, "%s: %s\r\n", kv->key,
			    kv->value);
	if (framing)
		evbuffer_add_printf(out, "%s\r\n", framing);
	if (c->close_after)
		evbuffer_add_printf(out, "Connection: close\r\n");
	else if (r->minor == 0)
		evbuffer_add_printf(out, "Connection: keep-alive\r\n");
	evbuffer_add(out, "\r\n", 2);
}

struct httpd_note *
httpd_note(struct httpd_req *r)
{
	return &r->note;
}

int64_t
httpd_elapsed_us(const struct httpd_req *r)
{
	return r->t0 ? time_mono_us() - r->t0 : 0;
}

/* Tell the application a reply is going out (its counters, its log). */
static void
replying(struct httpd_req *r, int status)
{
	struct httpd *h = r->c->h;

	if (r->t0 == 0)
		r->t0 = time_mono_us();
	if (h->cbs.on_reply)
		h->cbs.on_reply(r, status, h->arg);
}

void
httpd_reply(struct httpd_req *r, int status, struct evbuffer *body)
{
	struct conn *c = r->c;
	size_t len = body ? evbuffer_get_length(body) : 0;
	char framing[64];

	if (c->state != S_BUSY)
		fatalx("httpd: a reply to a request that is not waiting for one");
	replying(r, status);
	if (c->bev == NULL) {		/* the client left meanwhile */
		if (body)
			evbuffer_drain(body, len);
		c->state = S_WRITING;
		conn_close(c);
		return;
	}
	framing[0] = '\0';
	if (status != 204 && status != 304 && status >= 200)
		snprintf(framing, sizeof(framing), "Content-Length: %zu", len);
	write_head(r, status, framing[0] ? framing : NULL);
	if (body && len > 0) {
		if (r->head_only || status == 204 || status == 304)
			evbuffer_drain(body, len);
		else
			evbuffer_add_buffer(bufferevent_get_output(c->bev), body);
	}
	c->state = S_WRITING;
	limits_apply(c);
	bufferevent_enable(c->bev, EV_WRITE);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		finish_write(c);
}

void
httpd_stream_start(struct httpd_req *r, int status)
{
	struct conn *c = r->c;

	if (c->state != S_BUSY || c->bev == NULL)
		fatalx("httpd: a stream on a request that is not waiting");
	replying(r, status);
	c->h->busy--;		/* a stream is not "in flight" */
	if (r->minor == 0)
		r->keepalive = false;	/* the end of the stream is the close */
	write_head(r, status, r->minor ? "Transfer-Encoding: chunked" : NULL);
	c->state = S_STREAM;
	limits_apply(c);
	/* read (and drop) whatever comes, to notice the client leaving */
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

int
httpd_stream_send(struct httpd_req *r, const void *data, size_t len)
{
	struct conn *c = r->c;
	struct evbuffer *out;

	if (c->state != S_STREAM || c->bev == NULL || len == 0)
		return c->state == S_STREAM && c->bev ? 0 : -1;
	out = bufferevent_get_output(c->bev);
	if (evbuffer_get_length(out) + len > c->h->lim.max_output) {
		log_info("http: %s reads too slowly: %zu bytes queued; closing "
		    "its stream ([http] max_output)", c->peer,
		    evbuffer_get_length(out));
		c->req.close_cb = NULL;
		conn_close(c);
		return -1;
	}
	if (r->minor)
		evbuffer_add_printf(out, "%zx\r\n", len);
	evbuffer_add(out, data, len);
	if (r->minor)
		evbuffer_add(out, "\r\n", 2);
	return 0;
}

void
httpd_stream_end(struct httpd_req *r)
{
	struct conn *c = r->c;

	if (c->state != S_STREAM)
		return;
	r->close_cb = NULL;
	if (c->bev == NULL) {
		conn_close(c);
		return;
	}
	if (r->minor)
		evbuffer_add(bufferevent_get_output(c->bev), "0\r\n\r\n", 5);
	c->close_after = true;
	c->state = S_WRITING;
	c->h->busy++;		/* finish_write counts it out */
	limits_apply(c);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		finish_write(c);
}

void
httpd_set_close_cb(struct httpd_req *r, void (*cb)(struct httpd_req *, void *),
    void *arg)
{
	r->close_cb = cb;
	r->close_arg = arg;
}

/* ---- request accessors ---- */

enum evhttp_cmd_type
httpd_method(const struct httpd_req *r)
{
	return r->method;
}

const char *
httpd_target(const struct httpd_req *r)
{
	return r->target ? r->target : "";
}

const struct evhttp_uri *
httpd_uri(const struct httpd_req *r)
{
	return r->uri;
}

struct evkeyvalq *
httpd_input_headers(struct httpd_req *r)
{
	return &r->in;
}

struct evkeyvalq *
httpd_output_headers(struct httpd_req *r)
{
	return &r->out;
}

const char *
httpd_header(struct httpd_req *r, const char *name)
{
	return evhttp_find_header(&r->in, name);
}

struct evbuffer *
httpd_body(struct httpd_req *r)
{
	return r->body;
}

size_t
httpd_body_length(const struct httpd_req *r)
{
	return r->body_len;
}

const char *
httpd_peer(const struct httpd_req *r)
{
	return r->c->peer;
}

int
httpd_spool(struct httpd_req *r, const char *dir)
{
	if (r->spool)
		return 0;
	xasprintf(&r->spool, "%s/upload.XXXXXX", dir);
	if ((r->spool_fd = mkostemp(r->spool, O_CLOEXEC)) < 0) {
		log_warn("http: upload: mkstemp %s", r->spool);
		free(r->spool);
		r->spool = NULL;
		return -1;
	}
	return 0;
}

const char *
httpd_spool_path(const struct httpd_req *r)
{
	return r->spool ? r->spool : "";
}

void
httpd_spool_take(struct httpd_req *r, char *out, size_t size)
{
	strlcpy(out, httpd_spool_path(r), size);
	if (r->spool_fd >= 0)
		close(r->spool_fd);
	r->spool_fd = -1;
	free(r->spool);
	r->spool = NULL;
}

/* ---- the server ---- */

int
httpd_fd_budget(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > INT_MAX)
		return 1 << 20;
	return rl.rlim_cur > 2 * FD_RESERVE ? (int)rl.rlim_cur - FD_RESERVE :
	    (int)rl.rlim_cur / 2;
}

struct httpd *
httpd_new(struct event_base *base, const struct httpd_callbacks *cbs,
    void *arg, const struct httpd_limits *lim)
{
	struct httpd *h;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->base = base;
	h->cbs = *cbs;
	h->arg = arg;
	TAILQ_INIT(&h->conns);
	if ((h->ev_resume = evtimer_new(base, accept_resume, h)) == NULL) {
		free(h);
		return NULL;
	}
	h->log_at = -LOG_EVERY_S * 1000;
	httpd_set_limits(h, lim);
	return h;
}

void
httpd_set_limits(struct httpd *h, const struct httpd_limits *lim)
{
	struct conn *c;

	h->lim = *lim;
	if (h->lim.max_conns <= 0)
		h->lim.max_conns = httpd_fd_budget();
	else if (h->lim.max_conns > httpd_fd_budget())
		log_warnx("http: max_connections %d is more than the fd limit "
		    "leaves room for (%d): past that, accepting pauses on "
		    "EMFILE; raise LimitNOFILE instead", h->lim.max_conns,
		    httpd_fd_budget());
	TAILQ_FOREACH(c, &h->conns, link)
		limits_apply(c);
	accept_update(h);
}

int
httpd_listen(struct httpd *h, const char *host, int port)
{
	struct evutil_addrinfo hints, *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char serv[16];
	int r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = EVUTIL_AI_PASSIVE | EVUTIL_AI_NUMERICSERV;
	snprintf(serv, sizeof(serv), "%d", port);
	if ((r = evutil_getaddrinfo(*host ? host : NULL, serv, &hints, &ai))
	    != 0) {
		log_warnx("http: %s: %s", host, evutil_gai_strerror(r));
		return -1;
	}
	h->lis = evconnlistener_new_bind(h->base, on_accept, h,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_REUSEABLE,
	    511, ai->ai_addr, (int)ai->ai_addrlen);
	evutil_freeaddrinfo(ai);
	if (h->lis == NULL) {
		log_warn("http: cannot listen on %s:%d", host, port);
		return -1;
	}
	evconnlistener_set_error_cb(h->lis, on_accept_error);
	if (getsockname(evconnlistener_get_fd(h->lis), (struct sockaddr *)&ss,
	    &sl) < 0)
		return port;
	return ntohs(ss.ss_family == AF_INET6 ?
	    ((struct sockaddr_in6 *)&ss)->sin6_port :
	    ((struct sockaddr_in *)&ss)->sin_port);
}

void
httpd_stop(struct httpd *h)
{
	struct conn *c, *next;

	h->stopping = true;
	if (h->lis) {
		evconnlistener_free(h->lis);
		h->lis = NULL;
	}
	evtimer_del(h->ev_resume);
	for (c = TAILQ_FIRST(&h->conns); c; c = next) {
		next = TAILQ_NEXT(c, link);
		if (c->state == S_IDLE || c->state == S_LINGER)
			conn_close(c);
	}
}

void
httpd_free(struct httpd *h)
{
	struct conn *c;

	if (h == NULL)
		return;
	httpd_stop(h);
	while ((c = TAILQ_FIRST(&h->conns)) != NULL) {
		c->req.close_cb = NULL;
		if (c->state == S_BUSY)
			c->state = S_WRITING;	/* nobody will reply now */
		conn_close(c);
	}
	for (int i = 0; i < ADDR_BUCKETS; i++)
		while (h->addrs[i]) {
			struct addr_count *e = h->addrs[i];

			h->addrs[i] = e->next;
			free(e);
		}
	event_free(h->ev_resume);
	free(h);
}

int
httpd_busy(const struct httpd *h)
{
	return h ? h->busy : 0;
}

int
httpd_connections(const struct httpd *h)
{
	return h ? h->nconns : 0;
}
