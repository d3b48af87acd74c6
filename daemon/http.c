/* The HTTP application: start and stop, the identity of a request,
 * POST /rpc, and the dispatch of every request by its path. */
#include <sys/queue.h>

#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "cookie.h"
#include "http.h"
#include "http_reply.h"
#include "http_sse.h"
#include "http_static.h"
#include "httpd.h"
#include "jobs.h"
#include "log.h"
#include "metrics.h"
#include "netaddr.h"
#include "rest.h"
#include "rpc.h"
#include "spendd.h"
#include "util.h"
#include "xmalloc.h"

struct http {
	struct spendd *sd;
	struct httpd *srv;
	struct http_static *webui;	/* the web UI's files */
	struct http_sse *sse;		/* the event streams */
	struct rest *rest;		/* the REST routes */
	int port;
	struct httpd *msrv;		/* [http] metrics_listen, or NULL */
	int mport;
};

/* ---- identity ---- */

static void
copy_printable(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; src && src[i] && i + 1 < size; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
	dst[i] = '\0';
}

/*
 * Behind a reverse proxy every TCP peer is the proxy: the client is in
 * X-Forwarded-For, which each proxy extends with the address it got the
 * request from. Only the right end of that list was written by proxies we
 * trust; anything to the left is what the client chose to send. So: walk
 * from the right past our own proxies, and the first other address is the
 * client (if all are ours, the left-most). A peer that is not a trusted
 * proxy could write anything there, and a malformed entry in the part we
 * read means a proxy we do not understand: both get the peer address.
 */
void
http_client_address(const struct netaddr_prefix *trusted, size_t n,
    const char *peer, const char *xff, char *out, size_t size)
{
	struct netaddr a;
	const char *end, *s, *e;

	strlcpy(out, peer, size);
	if (xff == NULL || n == 0 || netaddr_parse(peer, strlen(peer), &a) < 0 ||
	    !netaddr_prefix_match(trusted, n, &a))
		return;
	for (end = xff + strlen(xff);; end = s - 1) {
		for (s = end; s > xff && s[-1] != ','; s--)
			;
		const char *b = s;

		for (e = end; b < e && (*b == ' ' || *b == '\t'); b++)
			;
		for (; e > b && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		if (netaddr_parse(b, (size_t)(e - b), &a) < 0) {
			log_debug("http: X-Forwarded-For from %s: \"%.*s\" is "
			    "not an address; the client is the peer", peer,
			    (int)(e - b > 60 ? 60 : e - b), b);
			strlcpy(out, peer, size);
			return;
		}
		if (!netaddr_prefix_match(trusted, n, &a) || s == xff) {
			netaddr_format(&a, out, size);
			return;
		}
	}
}

/* Every X-Forwarded-For header, in order, joined with ",", into *out
 * (NULL if none; free it). -1 if out of memory. */
static int
forwarded_for(struct evkeyvalq *in, char **out)
{
	struct evkeyval *kv;
	size_t len = 0;
	bool first = true;
	char *all;

	*out = NULL;
	TAILQ_FOREACH(kv, in, next)
		if (strcasecmp_ascii(kv->key, "X-Forwarded-For") == 0)
			len += strlen(kv->value) + 1;
	if (len == 0)
		return 0;
	if ((all = malloc(len)) == NULL)
		return -1;
	all[0] = '\0';
	TAILQ_FOREACH(kv, in, next)
		if (strcasecmp_ascii(kv->key, "X-Forwarded-For") == 0) {
			if (!first)
				strlcat(all, ",", len);
			strlcat(all, kv->value, len);
			first = false;
		}
	*out = all;
	return 0;
}

static int
identify(struct http *h, struct httpd_req *req, bool cookies,
    struct rpc_identity *id, struct spend_err *err)
{
	struct evkeyvalq *in = httpd_input_headers(req);
	const char *addr = httpd_peer(req), *cookie;
	struct httpd_note *note = httpd_note(req);
	int r;

	memset(id, 0, sizeof(*id));
	id->role = ROLE_PUBLIC;
	id->transport = "http";
	id->transport_data = req;
	strlcpy(id->request_id, note->id, sizeof(id->request_id));
	if (h->sd->cfg.n_trusted_proxies > 0) {
		char *xff;

		if (forwarded_for(in, &xff) < 0)
			return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
		http_client_address(h->sd->cfg.trusted_proxies,
		    h->sd->cfg.n_trusted_proxies, addr, xff, id->peer,
		    sizeof(id->peer));
		free(xff);
	} else
		strlcpy(id->peer, addr, sizeof(id->peer));
	strlcpy(note->peer, id->peer, sizeof(note->peer));
	copy_printable(id->user_agent, sizeof(id->user_agent),
	    evhttp_find_header(in, "User-Agent"));
	if (cookies) {
		id->cookies = true;
		if ((cookie = evhttp_find_header(in, "Cookie")) != NULL)
			cookie_get(cookie, AUTH_COOKIE, id->refresh_cookie,
			    sizeof(id->refresh_cookie));
		if (id->refresh_cookie[0])
			id->csrf_error = auth_csrf_check(&h->sd->cfg,
			    evhttp_find_header(in, "Origin"),
			    evhttp_find_header(in, "Host"),
			    evhttp_find_header(in, "Sec-Fetch-Site"),
			    evhttp_find_header(in, AUTH_CSRF_HEADER));
	}
	r = auth_identify(h->sd, evhttp_find_header(in, "Authorization"), id,
	    err);
	if (r == 0)
		note->uid = id->uid;
	return r;
}

/* The status of a request identify refused: 401, but running out of
 * memory is spendd's failure, not the client's. */
static int
refused(const struct spend_err *err)
{
	return err->code == SPEND_ENOMEM ? spend_err_http_status(err->code) :
	    401;
}

/* ---- POST /rpc ---- */

struct rpc_req {
	struct http *h;
	struct httpd_req *req;
};

static void
rpc_reply(char *text, size_t len, void *arg)
{
	struct rpc_req *r = arg;

	if (text == NULL) {
		struct evbuffer *b = evbuffer_new();

		http_reply_headers(r->h->sd, r->req);
		http_reply_send(r->req, 204, b);
		evbuffer_free(b);
	} else {
		http_reply_text(r->h->sd, r->req, 200, text, len, NULL);
	}
	free(r);
}

static bool
content_is_json(struct httpd_req *req)
{
	const char *ct = evhttp_find_header(httpd_input_headers(req),
	    "Content-Type");

	return ct && strncasecmp(ct, "application/json", 16) == 0 &&
	    (ct[16] == '\0' || ct[16] == ';' || ct[16] == ' ');
}

static void
serve_rpc(struct http *h, struct httpd_req *req)
{
	struct evbuffer *in = httpd_body(req);
	size_t len = evbuffer_get_length(in);
	struct rpc_identity id;
	struct spend_err err;
	struct rpc_req *r;

	if (httpd_method(req) != EVHTTP_REQ_POST) {
		evhttp_add_header(httpd_output_headers(req), "Allow",
		    "POST");
		spend_errf(&err, SPEND_EINVAL, "", "/rpc takes POST");
		http_reply_status(h->sd, req, 405, &err, NULL);
		return;
	}
	if (!content_is_json(req)) {
		spend_errf(&err, SPEND_EINVAL, "Content-Type", "/rpc takes "
		    "Content-Type: application/json");
		http_reply_status(h->sd, req, 415, &err, NULL);
		return;
	}
	if (identify(h, req, false, &id, &err) < 0) {
		json_t *e;

		if (refused(&err) != 401) {
			http_reply_error(h->sd, req, &err, NULL);
			return;
		}
		e = rpc_error_envelope(&err);

		evhttp_add_header(httpd_output_headers(req),
		    "WWW-Authenticate", "Bearer realm=\"spend\", "
		    "error=\"invalid_token\"");
		http_reply_json(h->sd, req, 401, e, NULL);
		json_decref(e);
		return;
	}
	r = xcalloc(1, sizeof(*r));
	r->h = h;
	r->req = req;
	rpc_dispatch_text(h->sd, &id, (const char *)evbuffer_pullup(in, -1), len,
	    rpc_reply, r);
}

/* ---- GET /api/v1/events ---- */

/* 405 before 401: a wrong method is wrong whoever asks. */
static void
serve_events(struct http *h, struct httpd_req *req)
{
	struct rpc_identity id;
	struct spend_err err;

	if (httpd_method(req) != EVHTTP_REQ_GET) {
		evhttp_add_header(httpd_output_headers(req), "Allow", "GET");
		spend_errf(&err, SPEND_EINVAL, "", "/api/v1/events takes GET");
		http_reply_status(h->sd, req, 405, &err, NULL);
		return;
	}
	if (identify(h, req, false, &id, &err) < 0) {
		http_reply_status(h->sd, req, refused(&err), &err, NULL);
		return;
	}
	http_sse_open(h->sse, req, &id);
}

/* ---- dispatch ---- */

/* GET, HEAD and OPTIONS change nothing. */
static bool
safe_method(struct httpd_req *req)
{
	enum evhttp_cmd_type c = httpd_method(req);

	return c == EVHTTP_REQ_GET || c == EVHTTP_REQ_HEAD ||
	    c == EVHTTP_REQ_OPTIONS;
}

/* The request path, percent-decoded and checked (NUL, UTF-8); NULL if
 * malformed. Free it. */
static char *
decoded_path(struct httpd_req *req)
{
	const struct evhttp_uri *uri = httpd_uri(req);
	const char *raw = uri ? evhttp_uri_get_path(uri) : NULL;
	size_t len;
	char *path;

	if (raw == NULL || *raw == '\0')
		raw = "/";
	if ((path = evhttp_uridecode(raw, 0, &len)) == NULL ||
	    strlen(path) != len || !utf8_valid(path, len)) {
		free(path);
		return NULL;
	}
	return path;
}

static const char *
verb_name(enum evhttp_cmd_type c)
{
	switch (c) {
	case EVHTTP_REQ_GET: return "GET";
	case EVHTTP_REQ_HEAD: return "HEAD";
	case EVHTTP_REQ_POST: return "POST";
	case EVHTTP_REQ_PUT: return "PUT";
	case EVHTTP_REQ_PATCH: return "PATCH";
	case EVHTTP_REQ_DELETE: return "DELETE";
	default: return "?";
	}
}

/* ---- the counters and the access log of every reply ---- */

/* What the request is, for its counters: a route template, never the
 * path itself (ids, names) */
static void
note_route(struct http *h, struct httpd_req *req, const char *path,
    const struct rpc_method *m)
{
	struct httpd_note *note = httpd_note(req);

	/* now: the calls it makes log the same id */
	if (note->id[0] == '\0')
		rpc_request_id(h->sd, note->id, sizeof(note->id));
	note->set = true;
	if (!strcmp(path, "/rpc"))
		note->route = MR_RPC;
	else if (!strcmp(path, "/api/v1/events"))
		note->route = MR_EVENTS;
	else if (!strcmp(path, "/metrics"))
		note->route = MR_METRICS;
	else if (!strncmp(path, "/api/", 5) || !strcmp(path, "/api"))
		note->route = m ? metrics_route_of(h->sd->metrics, m) :
		    MR_UNMATCHED;
	else
		note->route = MR_STATIC;
}

static void
on_reply(struct httpd_req *req, int status, void *arg)
{
	struct http *h = arg;
	struct httpd_note *note = httpd_note(req);
	int64_t us = httpd_elapsed_us(req);
	int route = note->set ? note->route : MR_REFUSED;
	const char *verb = verb_name(httpd_method(req));

	if (note->id[0] == '\0')
		rpc_request_id(h->sd, note->id, sizeof(note->id));
	evhttp_add_header(httpd_output_headers(req), "X-Request-Id", note->id);
	metrics_http(h->sd->metrics, route, verb, status, us);
	if (log_access_on()) {
		struct log_request lr;
		char st[8];

		snprintf(st, sizeof(st), "%d", status);
		memset(&lr, 0, sizeof(lr));
		lr.kind = "http";
		lr.id = note->id;
		lr.uid = note->uid;
		/* the client (X-Forwarded-For of a trusted proxy), once
		 * identify read it */
		lr.peer = note->peer[0] ? note->peer : httpd_peer(req);
		lr.method = verb;
		lr.route = metrics_route_name(h->sd->metrics, route);
		lr.status_text = st;
		lr.status_is_number = 1;
		lr.us = us;
		log_request(&lr);
	}
}

/* ---- GET /metrics ---- */

struct scrape {
	struct http *h;
	struct httpd_req *req;
	int64_t pending;
};

/* On a worker: what needs the store (deliveries pending, a count that
 * grows with them). */
static void
scrape_work(struct job *job, void *arg)
{
	struct scrape *x = arg;
	struct spend_err err;
	struct store *st;

	x->pending = -1;
	if ((st = jobs_store(job, &err)) == NULL ||
	    store_delivery_counts(st, &x->pending, NULL, NULL, &err) < 0) {
		log_warnx("metrics: deliveries pending: %s", err.msg);
		x->pending = -1;
	}
}

static void
scrape_done(struct job *job, void *arg)
{
	struct scrape *x = arg;
	struct spendd *sd = x->h->sd;
	struct metrics_gauges g;
	struct evbuffer *b;
	char *text;

	(void)job;
	metrics_gauges(sd, &g);
	g.http_connections = http_connections(sd) + (x->h->msrv ?
	    httpd_connections(x->h->msrv) : 0);
	g.deliveries_pending = x->pending;
	text = metrics_render(sd->metrics, &g);
	if ((b = evbuffer_new()) == NULL || evbuffer_add(b, text,
	    strlen(text)) < 0)
		fatalx("metrics: out of memory");
	free(text);
	http_reply_body(sd, x->req, 200, "text/plain; version=0.0.4; "
	    "charset=utf-8", b);
	evbuffer_free(b);
	free(x);
}

static void
serve_metrics(struct http *h, struct httpd_req *req)
{
	struct spend_err err;
	struct scrape *x;

	if (httpd_method(req) != EVHTTP_REQ_GET &&
	    httpd_method(req) != EVHTTP_REQ_HEAD) {
		evhttp_add_header(httpd_output_headers(req), "Allow",
		    "GET, HEAD");
		spend_errf(&err, SPEND_EINVAL, "", "/metrics takes GET");
		http_reply_status(h->sd, req, 405, &err, NULL);
		return;
	}
	x = xcalloc(1, sizeof(*x));
	x->h = h;
	x->req = req;
	if (jobs_submit(h->sd, JOB_READ, scrape_work, scrape_done, x,
	    &err) < 0) {
		free(x);
		http_reply_error(h->sd, req, &err, NULL);
	}
}

/* On the application's listener: an admin's token. 405 before 401. */
static void
serve_metrics_admin(struct http *h, struct httpd_req *req)
{
	struct rpc_identity id;
	struct spend_err err;

	if (httpd_method(req) != EVHTTP_REQ_GET &&
	    httpd_method(req) != EVHTTP_REQ_HEAD) {
		serve_metrics(h, req);
		return;
	}
	spend_err_clear(&err);
	if (identify(h, req, false, &id, &err) < 0 || id.uid == 0) {
		if (err.code == 0)
			spend_errf(&err, SPEND_EAUTH, "", "log in first: "
			    "/metrics needs an admin's Authorization: Bearer "
			    "ACCESS_TOKEN");
		evhttp_add_header(httpd_output_headers(req),
		    "WWW-Authenticate", "Bearer realm=\"spend\"");
		http_reply_status(h->sd, req, refused(&err), &err, NULL);
		return;
	}
	if (id.role != ROLE_ADMIN) {
		spend_errf(&err, SPEND_EPERM, "", "/metrics is for admins");
		http_reply_status(h->sd, req, 403, &err, NULL);
		return;
	}
	serve_metrics(h, req);
}

/*
 * The head is in: how large a body may this request send? Decided from
 * the route before a byte of the body is buffered. Only an upload to
 * import with a valid token may be large, and it goes to a file.
 */
static long long
on_head(struct httpd_req *req, void *arg)
{
	struct http *h = arg;
	const struct config *cfg = &h->sd->cfg;
	const struct rpc_method *m = NULL;
	struct rpc_identity id;
	struct spend_err err;
	long long limit = 0;
	char *path;

	if ((path = decoded_path(req)) == NULL)
		return 0;	/* on_request says why */
	if (!strncmp(path, "/api/", 5) && rest_match(h->rest,
	    verb_name(httpd_method(req)), path, &m, NULL, NULL, 0) < 0)
		m = NULL;
	note_route(h, req, path, m);
	if (!strcmp(path, "/rpc"))
		limit = cfg->http_max_body;
	else if (m && (m->flags & RPC_UPLOAD)) {
		spend_err_clear(&err);
		if (identify(h, req, false, &id, &err) < 0 || id.uid == 0) {
			if (err.code == 0)
				spend_errf(&err, SPEND_EAUTH, "", "log in first: "
				    "an upload needs Authorization: Bearer "
				    "ACCESS_TOKEN");
			http_reply_status(h->sd, req, refused(&err), &err, NULL);
			free(path);
			return -1;
		}
		if (httpd_spool(req, cfg->data_dir) < 0) {
			spend_errf(&err, SPEND_EINTERNAL, "", "cannot store the "
			    "upload");
			http_reply_status(h->sd, req, 500, &err, NULL);
			free(path);
			return -1;
		}
		limit = cfg->http_max_import;
	} else if (!strncmp(path, "/api/", 5))
		/* (no route: answered with 404/405, within max_body) */
		limit = m ? rest_max_body(m, cfg) : cfg->http_max_body;
	free(path);
	return limit;
}

/* A request the server refused while reading it. */
static void
on_error(struct httpd_req *req, int status, const char *msg, void *arg)
{
	struct http *h = arg;
	struct spend_err err;

	spend_errf(&err, status == 413 || status == 414 || status == 431 ?
	    SPEND_ETOOBIG : status >= 500 && status != 501 && status != 505 ?
	    SPEND_EUNAVAIL : SPEND_EINVAL, "", "%s", msg ? msg :
	    httpd_reason(status));
	http_reply_status(h->sd, req, status, &err, NULL);
}

static void
on_request(struct httpd_req *req, void *arg)
{
	struct http *h = arg;
	struct spend_err err;
	char *path;

	if (httpd_method(req) == EVHTTP_REQ_OPTIONS) {
		struct evbuffer *b = evbuffer_new();

		/* no CORS: a preflight gets the methods, never an allow-origin */
		http_reply_headers(h->sd, req);
		evhttp_add_header(httpd_output_headers(req), "Allow",
		    "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
		http_reply_send(req, 204, b);
		evbuffer_free(b);
		return;
	}
	if ((path = decoded_path(req)) == NULL) {
		spend_errf(&err, SPEND_EINVAL, "", "malformed path");
		http_reply_status(h->sd, req, 400, &err, NULL);
		return;
	}
	if (!strcmp(path, "/rpc"))
		serve_rpc(h, req);
	else if (!strcmp(path, "/metrics"))
		serve_metrics_admin(h, req);
	else if (!strcmp(path, "/api/v1/events"))
		serve_events(h, req);
	else if (!strncmp(path, "/api/", 5) || !strcmp(path, "/api")) {
		struct evkeyvalq *in = httpd_input_headers(req);
		struct rpc_identity id;
		const char *why;

		if (identify(h, req, true, &id, &err) < 0)
			http_reply_status(h->sd, req, refused(&err), &err, NULL);
		else if (id.uid == 0 && !safe_method(req) && (why =
		    auth_cross_site(&h->sd->cfg, evhttp_find_header(in, "Origin"),
		    evhttp_find_header(in, "Host"), evhttp_find_header(in,
		    "Sec-Fetch-Site"))) != NULL) {
			/* a form on another site can post here without a token
			 * (an empty body, params in the query): login CSRF */
			spend_errf(&err, SPEND_EPERM, "", "refused: %s", why);
			http_reply_status(h->sd, req, 403, &err, NULL);
		} else
			rest_handle(h->sd, h->rest, req, path, &id);
	} else
		http_static_serve(h->webui, req, path);
	free(path);
}

/* ---- [http] metrics_listen: GET /metrics only, no authentication ---- */

static long long
m_on_head(struct httpd_req *req, void *arg)
{
	struct http *h = arg;
	char *path;

	if ((path = decoded_path(req)) != NULL) {
		note_route(h, req, path, NULL);
		if (strcmp(path, "/metrics"))
			httpd_note(req)->route = MR_UNMATCHED;
	}
	free(path);
	return 0;
}

static void
m_on_request(struct httpd_req *req, void *arg)
{
	struct http *h = arg;
	struct spend_err err;
	char *path = decoded_path(req);

	if (path && !strcmp(path, "/metrics"))
		serve_metrics(h, req);
	else {
		spend_errf(&err, SPEND_ENOTFOUND, "", "this listener serves "
		    "GET /metrics only");
		http_reply_status(h->sd, req, 404, &err, NULL);
	}
	free(path);
}

static int
parse_listen(const char *s, char *host, size_t hlen, int *port)
{
	const char *colon;
	char *end;
	long p;

	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (rb == NULL || rb[1] != ':' || (size_t)(rb - s - 1) >= hlen)
			return -1;
		memcpy(host, s + 1, (size_t)(rb - s - 1));
		host[rb - s - 1] = '\0';
		colon = rb + 1;
	} else {
		if ((colon = strrchr(s, ':')) == NULL ||
		    (size_t)(colon - s) >= hlen || colon == s)
			return -1;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
	}
	p = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || p < 0 || p > 65535)
		return -1;
	*port = (int)p;
	return 0;
}

static void
limits_of(const struct config *cfg, struct httpd_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->max_conns = cfg->http_max_connections;
	lim->max_conns_per_addr = cfg->http_max_connections_per_address;
	lim->exempt = cfg->trusted_proxies;
	lim->n_exempt = cfg->n_trusted_proxies;
	lim->max_head = (size_t)cfg->http_max_headers;
	lim->head_timeout = cfg->http_header_timeout;
	lim->idle_timeout = cfg->http_timeout;
	lim->max_output = (size_t)cfg->http_max_output;
}

/* [http] metrics_listen: a server of its own, GET /metrics without a
 * token (for a scraper on localhost or a private network). */
static int
metrics_listen(struct http *h)
{
	static const struct httpd_callbacks mcbs = { m_on_head, m_on_request,
	    on_error, on_reply };
	const char *addr = h->sd->cfg.http_metrics_listen;
	struct httpd_limits lim;
	char host[128];
	int port;

	if (addr[0] == '\0')
		return 0;
	if (parse_listen(addr, host, sizeof(host), &port) < 0) {
		log_warnx("http: metrics_listen = %s: expected HOST:PORT or "
		    "[V6]:PORT", addr);
		return -1;
	}
	limits_of(&h->sd->cfg, &lim);
	if ((h->msrv = httpd_new(h->sd->base, &mcbs, h, &lim)) == NULL)
		return -1;
	if ((h->mport = httpd_listen(h->msrv, host, port)) < 0) {
		httpd_free(h->msrv);
		h->msrv = NULL;
		return -1;
	}
	log_info("http: metrics on %s (port %d), without authentication: "
	    "keep it on localhost or a private network", addr, h->mport);
	return 0;
}

int
http_start(struct spendd *sd)
{
	static const struct httpd_callbacks cbs = { on_head, on_request,
	    on_error, on_reply };
	struct httpd_limits lim;
	struct http *h;
	char host[128];
	int port;

	if (sd->cfg.http_listen[0] == '\0') {
		log_info("http: off (listen is empty)");
		if (sd->cfg.http_metrics_listen[0])
			log_warnx("http: metrics_listen = %s is not served: it "
			    "needs [http] listen", sd->cfg.http_metrics_listen);
		return 0;
	}
	if (parse_listen(sd->cfg.http_listen, host, sizeof(host), &port) < 0) {
		log_warnx("http: listen = %s: expected HOST:PORT or [V6]:PORT",
		    sd->cfg.http_listen);
		return -1;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return -1;
	if ((h->rest = rest_new()) == NULL) {
		free(h);
		return -1;
	}
	h->sd = sd;
	limits_of(&sd->cfg, &lim);
	if ((h->srv = httpd_new(sd->base, &cbs, h, &lim)) == NULL) {
		rest_free(h->rest);
		free(h);
		return -1;
	}
	if ((h->port = httpd_listen(h->srv, host, port)) < 0 ||
	    (h->sse = http_sse_new(sd)) == NULL) {
		httpd_free(h->srv);
		rest_free(h->rest);
		free(h);
		return -1;
	}
	h->webui = http_static_new(sd, sd->cfg.webui_dir);
	sd->http = h;
	log_info("http: listening on %s (port %d)%s%s", sd->cfg.http_listen,
	    h->port, http_static_root(h->webui)[0] ? ", web UI " : "",
	    http_static_root(h->webui));
	return metrics_listen(h);
}

void
http_reload(struct spendd *sd)
{
	struct httpd_limits lim;

	if (sd->http == NULL)
		return;
	limits_of(&sd->cfg, &lim);
	httpd_set_limits(sd->http->srv, &lim);
	if (sd->http->msrv)
		httpd_set_limits(sd->http->msrv, &lim);
}

void
http_stop(struct spendd *sd)
{
	struct http *h = sd->http;

	if (h == NULL)
		return;
	http_sse_end_all(h->sse);
	httpd_stop(h->srv);
	if (h->msrv)
		httpd_stop(h->msrv);
}

void
http_free(struct spendd *sd)
{
	struct http *h = sd->http;

	if (h == NULL)
		return;
	http_stop(sd);
	http_sse_free(h->sse);
	httpd_free(h->srv);
	if (h->msrv)
		httpd_free(h->msrv);
	rest_free(h->rest);
	http_static_free(h->webui);
	free(h);
	sd->http = NULL;
}

int
http_busy(struct spendd *sd)
{
	return sd->http ? httpd_busy(sd->http->srv) : 0;
}

int
http_connections(struct spendd *sd)
{
	return sd->http ? httpd_connections(sd->http->srv) : 0;
}

int
http_port(struct spendd *sd)
{
	return sd->http ? sd->http->port : 0;
}

int
http_metrics_port(struct spendd *sd)
{
	return sd->http ? sd->http->mport : 0;
}
