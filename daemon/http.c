/* evhttp: static files, /rpc, the REST facade, server-sent events. */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "cookie.h"
#include "events.h"
#include "http.h"
#include "httpd.h"
#include "log.h"
#include "netaddr.h"
#include "rest.h"
#include "rpc.h"
#include "spendd.h"
#include "util.h"

#define SSE_PING_S 20
#define SSE_MAX_PER_USER 16	/* each stream holds a socket for good */

struct sse {
	struct sse *next, *prev;
	struct http *h;
	struct httpd_req *req;
	struct events_sub *sub;
	int64_t uid;
	char sid[33];		/* the session that opened the stream */
};

struct http {
	struct spendd *sd;
	struct httpd *srv;
	char webui[PATH_MAX];		/* realpath of the web UI, "" = none */
	struct sse *sse;
	struct event *ev_ping;
	int port;
};

static const char csp[] = "default-src 'self'; script-src 'self'; "
    "style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

static void
security_headers(struct http *h, struct httpd_req *req)
{
	struct evkeyvalq *o = httpd_output_headers(req);

	evhttp_add_header(o, "Content-Security-Policy", csp);
	evhttp_add_header(o, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(o, "X-Frame-Options", "DENY");
	evhttp_add_header(o, "Referrer-Policy", "no-referrer");
	evhttp_add_header(o, "Cross-Origin-Opener-Policy", "same-origin");
	evhttp_add_header(o, "Cross-Origin-Resource-Policy", "same-origin");
	if (h->sd->cfg.http_secure_cookies)
		evhttp_add_header(o, "Strict-Transport-Security",
		    "max-age=31536000");
	if (h->sd->stopping)
		evhttp_add_header(o, "Connection", "close");
}

/* Every reply goes out here. */
static void
send_reply(struct http *h, struct httpd_req *req, int status,
    struct evbuffer *body)
{
	(void)h;
	httpd_reply(req, status, body);
}

static void
free_text(const void *data, size_t len, void *arg)
{
	(void)len;
	(void)arg;
	free((void *)data);
}

static void
apply_meta(struct http *h, struct httpd_req *req, json_t *meta)
{
	struct evkeyvalq *o = httpd_output_headers(req);
	json_t *c, *ra;

	if ((c = json_object_get(meta, "set_cookie")) != NULL) {
		const char *name = json_string_value(json_object_get(c, "name"));
		const char *value = json_string_value(json_object_get(c, "value"));
		json_int_t age = json_integer_value(json_object_get(c, "max_age"));
		char buf[512];

		if (name && value) {
			snprintf(buf, sizeof(buf), "%s=%s; Path=%s; Max-Age=%lld; "
			    "HttpOnly; SameSite=Strict%s", name, value,
			    AUTH_COOKIE_PATH, (long long)age,
			    h->sd->cfg.http_secure_cookies ? "; Secure" : "");
			evhttp_add_header(o, "Set-Cookie", buf);
		}
	}
	if ((ra = json_object_get(meta, "retry_after")) != NULL) {
		char buf[24];

		snprintf(buf, sizeof(buf), "%lld",
		    (long long)json_integer_value(ra));
		evhttp_add_header(o, "Retry-After", buf);
	}
}

static void
reply_json(struct http *h, struct httpd_req *req, int status,
    json_t *body, json_t *meta)
{
	struct evkeyvalq *o = httpd_output_headers(req);
	struct evbuffer *b = evbuffer_new();
	char *text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);

	security_headers(h, req);
	apply_meta(h, req, meta);
	evhttp_add_header(o, "Content-Type", "application/json");
	evhttp_add_header(o, "Cache-Control", "no-store");
	if (text) {
		size_t n = strlen(text);

		text[n] = '\n';		/* jansson's NUL becomes a newline */
		evbuffer_add_reference(b, text, n + 1, free_text, NULL);
	} else {
		status = 500;
		evbuffer_add_printf(b, "{\"error\":{\"code\":\"out_of_memory\","
		    "\"message\":\"cannot encode the reply\"}}\n");
	}
	send_reply(h, req, status, b);
	evbuffer_free(b);
}

static json_t *
error_body(const struct spend_err *err)
{
	json_t *e = json_pack("{s:s, s:s}", "code", spend_err_name(err->code),
	    "message", err->msg[0] ? err->msg : spend_err_name(err->code));

	if (e && err->field[0])
		json_object_set_new(e, "field", json_string(err->field));
	return json_pack("{s:o}", "error", e);
}

static void
reply_error(struct http *h, struct httpd_req *req, int status,
    const struct spend_err *err, json_t *meta)
{
	json_t *body = error_body(err);

	if (err->code == SPEND_EAUTH)
		evhttp_add_header(httpd_output_headers(req),
		    "WWW-Authenticate", "Bearer realm=\"spend\"");
	/* a locked database frees up in moments: say when to come back */
	if (err->code == SPEND_EBUSY && json_object_get(meta, "retry_after") ==
	    NULL)
		evhttp_add_header(httpd_output_headers(req), "Retry-After", "1");
	reply_json(h, req, status, body, meta);
	json_decref(body);
}

void
http_reply_json(struct spendd *sd, struct httpd_req *req, int status,
    json_t *body, json_t *meta)
{
	reply_json(sd->http, req, status, body, meta);
}

void
http_reply_error(struct spendd *sd, struct httpd_req *req,
    const struct spend_err *err, json_t *meta)
{
	reply_error(sd->http, req, spend_err_http_status(err->code), err, meta);
}

void
http_reply_status(struct spendd *sd, struct httpd_req *req, int status,
    const struct spend_err *err)
{
	reply_error(sd->http, req, status, err, NULL);
}

void
http_reply_body(struct spendd *sd, struct httpd_req *req, int status,
    const char *content_type, struct evbuffer *body)
{
	security_headers(sd->http, req);
	evhttp_add_header(httpd_output_headers(req),
	    "Content-Type", content_type && *content_type ? content_type :
	    "application/octet-stream");
	send_reply(sd->http, req, status, body);
}

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
http_client_address(const struct netprefix *trusted, size_t n,
    const char *peer, const char *xff, char *out, size_t size)
{
	struct netaddr a;
	const char *end, *s, *e;

	strlcpy(out, peer, size);
	if (xff == NULL || n == 0 || netaddr_parse(peer, strlen(peer), &a) < 0 ||
	    !netprefix_match(trusted, n, &a))
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
		if (!netprefix_match(trusted, n, &a) || s == xff) {
			netaddr_format(&a, out, size);
			return;
		}
	}
}

/* Every X-Forwarded-For header, in order, joined with ","; NULL if none.
 * Free it. */
static char *
forwarded_for(struct evkeyvalq *in)
{
	struct evkeyval *kv;
	size_t len = 0;
	bool first = true;
	char *all;

	TAILQ_FOREACH(kv, in, next)
		if (strcasecmp_ascii(kv->key, "X-Forwarded-For") == 0)
			len += strlen(kv->value) + 1;
	if (len == 0 || (all = malloc(len)) == NULL)
		return NULL;
	all[0] = '\0';
	TAILQ_FOREACH(kv, in, next)
		if (strcasecmp_ascii(kv->key, "X-Forwarded-For") == 0) {
			if (!first)
				strlcat(all, ",", len);
			strlcat(all, kv->value, len);
			first = false;
		}
	return all;
}

static int
identify(struct http *h, struct httpd_req *req, bool cookies,
    struct rpc_identity *id, struct spend_err *err)
{
	struct evkeyvalq *in = httpd_input_headers(req);
	const char *addr = httpd_peer(req), *cookie;

	memset(id, 0, sizeof(*id));
	id->role = ROLE_PUBLIC;
	id->transport = "http";
	id->transport_data = req;
	if (h->sd->cfg.n_trusted_proxies > 0) {
		char *xff = forwarded_for(in);

		http_client_address(h->sd->cfg.trusted_proxies,
		    h->sd->cfg.n_trusted_proxies, addr, xff, id->peer,
		    sizeof(id->peer));
		free(xff);
	} else
		strlcpy(id->peer, addr, sizeof(id->peer));
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
	return auth_identify(h->sd, evhttp_find_header(in, "Authorization"), id,
	    err);
}

/* ---- POST /rpc ---- */

struct rpc_req {
	struct http *h;
	struct httpd_req *req;
};

static void
rpc_reply(json_t *resp, void *arg)
{
	struct rpc_req *r = arg;

	if (resp == NULL) {
		struct evbuffer *b = evbuffer_new();

		security_headers(r->h, r->req);
		send_reply(r->h, r->req, 204, b);
		evbuffer_free(b);
	} else {
		reply_json(r->h, r->req, 200, resp, NULL);
		json_decref(resp);
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
		reply_error(h, req, 405, &err, NULL);
		return;
	}
	if (!content_is_json(req)) {
		spend_errf(&err, SPEND_EINVAL, "Content-Type", "/rpc takes "
		    "Content-Type: application/json");
		reply_error(h, req, 415, &err, NULL);
		return;
	}
	if (identify(h, req, false, &id, &err) < 0) {
		json_t *e = rpc_error_envelope(&err);

		evhttp_add_header(httpd_output_headers(req),
		    "WWW-Authenticate", "Bearer realm=\"spend\", "
		    "error=\"invalid_token\"");
		reply_json(h, req, 401, e, NULL);
		json_decref(e);
		return;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		spend_errf(&err, SPEND_ENOMEM, "", "out of memory");
		reply_error(h, req, 500, &err, NULL);
		return;
	}
	r->h = h;
	r->req = req;
	rpc_dispatch_text(h->sd, &id, (const char *)evbuffer_pullup(in, -1), len,
	    rpc_reply, r);
}

/* ---- GET /api/v1/events ---- */

static void
sse_unlink(struct sse *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		s->h->sse = s->next;
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
	struct http *h = arg;
	struct timeval tv = { SSE_PING_S, 0 };
	struct sse *s, *next;

	(void)fd;
	(void)what;
	for (s = h->sse; s; s = next) {
		next = s->next;
		if (!sse_live(s))
			sse_end(s);	/* the session ended: so does its stream */
		else
			sse_send(s, ": ping\n\n", 8);
	}
	evtimer_add(h->ev_ping, &tv);
}

/* One committed write of the stream's user: "id", "event", "data". */
static void
sse_event(void *arg, int64_t seq, const char *type, json_t *data)
{
	struct sse *s = arg;
	char *text, *msg;
	int n;

	if (!sse_live(s)) {
		sse_end(s);	/* never a write to a session that ended */
		return;
	}
	if ((text = json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
		return;
	n = asprintf(&msg, "id: %lld\nevent: %s\ndata: %s\n\n",
	    (long long)seq, type, text);
	free(text);
	if (n < 0)
		return;
	sse_send(s, msg, (size_t)n);
	free(msg);
}

static void
serve_events(struct http *h, struct httpd_req *req)
{
	struct evkeyvalq *o = httpd_output_headers(req);
	struct rpc_identity id;
	struct spend_err err;
	struct sse *s;
	static const char hello[] = "retry: 5000\n: spendd events\n\n";

	if (httpd_method(req) != EVHTTP_REQ_GET) {
		evhttp_add_header(o, "Allow", "GET");
		spend_errf(&err, SPEND_EINVAL, "", "/api/v1/events takes GET");
		reply_error(h, req, 405, &err, NULL);
		return;
	}
	if (identify(h, req, false, &id, &err) < 0) {
		reply_error(h, req, 401, &err, NULL);
		return;
	}
	if (id.uid == 0) {
		spend_errf(&err, SPEND_EAUTH, "", "the event stream needs "
		    "Authorization: Bearer ACCESS_TOKEN");
		reply_error(h, req, 401, &err, NULL);
		return;
	}
	{
		int n = 0;

		/* bounded: one user cannot hold every socket spendd has */
		for (s = h->sse; s; s = s->next)
			n += s->uid == id.uid;
		if (n >= SSE_MAX_PER_USER) {
			spend_errf(&err, SPEND_ERATELIMIT, "", "at most %d event "
			    "streams per user are open", SSE_MAX_PER_USER);
			json_t *meta = json_pack("{s:i}", "retry_after",
			    SSE_PING_S);

			reply_error(h, req, 429, &err, meta);
			json_decref(meta);
			return;
		}
	}
	if (h->sd->stopping || (s = calloc(1, sizeof(*s))) == NULL) {
		spend_errf(&err, SPEND_EUNAVAIL, "", "spendd is shutting down");
		reply_error(h, req, 503, &err, NULL);
		return;
	}
	s->h = h;
	s->req = req;
	s->uid = id.uid;
	strlcpy(s->sid, id.session, sizeof(s->sid));
	if ((s->sub = events_subscribe(h->sd, id.uid, sse_event, s)) == NULL) {
		free(s);
		spend_errf(&err, SPEND_ENOMEM, "", "out of memory");
		reply_error(h, req, 500, &err, NULL);
		return;
	}
	s->next = h->sse;
	if (h->sse)
		h->sse->prev = s;
	h->sse = s;
	security_headers(h, req);
	evhttp_add_header(o, "Content-Type", "text/event-stream");
	evhttp_add_header(o, "Cache-Control", "no-store");
	evhttp_add_header(o, "X-Accel-Buffering", "no");
	httpd_set_close_cb(req, sse_closed, s);
	httpd_stream_start(req, 200);
	sse_send(s, hello, sizeof(hello) - 1);
}

static void
sse_end_all(struct http *h)
{
	while (h->sse)
		sse_end(h->sse);
}

/* ---- static files ---- */

static const struct {
	const char *ext, *type;
} types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "json", "application/json" },
	{ "map", "application/json" },
	{ "webmanifest", "application/manifest+json" },
	{ "svg", "image/svg+xml" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "ico", "image/vnd.microsoft.icon" },
	{ "woff2", "font/woff2" },
	{ "woff", "font/woff" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "wasm", "application/wasm" },
};

static const char *
content_type(const char *path)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');

	if (dot && (slash == NULL || dot > slash))
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcasecmp_ascii(dot + 1, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

static void
not_found(struct http *h, struct httpd_req *req, const char *path)
{
	struct spend_err err;

	spend_errf(&err, SPEND_ENOTFOUND, "", "%.200s: no such file", path);
	reply_error(h, req, 404, &err, NULL);
}

/* Does a segment of path leave or hide? "..", ".", ".git", "a\b" */
static bool
path_safe(const char *path)
{
	const char *p = path;

	if (path[0] != '/' || strchr(path, '\\'))
		return false;
	while (*p) {
		while (*p == '/')
			p++;
		if (*p == '.')
			return false;	/* "..", "." and dotfiles alike */
		p += strcspn(p, "/");
	}
	return true;
}

static void
serve_static(struct http *h, struct httpd_req *req, const char *path)
{
	struct evkeyvalq *o = httpd_output_headers(req);
	char file[PATH_MAX], real[PATH_MAX], etag[64];
	const char *inm;
	struct stat sb;
	struct evbuffer *b;
	size_t wl = strlen(h->webui);
	int fd, n;

	if (httpd_method(req) != EVHTTP_REQ_GET &&
	    httpd_method(req) != EVHTTP_REQ_HEAD) {
		struct spend_err err;

		evhttp_add_header(o, "Allow", "GET, HEAD");
		spend_errf(&err, SPEND_EINVAL, "", "static files take GET or HEAD");
		reply_error(h, req, 405, &err, NULL);
		return;
	}
	if (h->webui[0] == '\0' || !path_safe(path)) {
		not_found(h, req, path);
		return;
	}
	n = snprintf(file, sizeof(file), "%s%s%s", h->webui, path,
	    path[strlen(path) - 1] == '/' ? "index.html" : "");
	if (n < 0 || (size_t)n >= sizeof(file) || stat(file, &sb) < 0) {
		not_found(h, req, path);
		return;
	}
	/* a directory: its index.html or nothing (never a listing) */
	if (S_ISDIR(sb.st_mode) && (strlcat(file, "/index.html", sizeof(file)) >=
	    sizeof(file) || stat(file, &sb) < 0)) {
		not_found(h, req, path);
		return;
	}
	/* symlinks may not lead out of the web UI */
	if (realpath(file, real) == NULL || strncmp(real, h->webui, wl) != 0 ||
	    real[wl] != '/' ||
	    (fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		not_found(h, req, path);
		return;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		not_found(h, req, path);
		return;
	}
	snprintf(etag, sizeof(etag), "\"%llx-%llx\"",
	    (unsigned long long)sb.st_size,
	    (unsigned long long)sb.st_mtim.tv_sec * 1000000000ULL +
	    (unsigned long long)sb.st_mtim.tv_nsec);
	security_headers(h, req);
	evhttp_add_header(o, "ETag", etag);
	evhttp_add_header(o, "Cache-Control", "no-cache");
	inm = evhttp_find_header(httpd_input_headers(req),
	    "If-None-Match");
	if (inm && (strstr(inm, etag) || !strcmp(inm, "*"))) {
		close(fd);
		b = evbuffer_new();
		send_reply(h, req, 304, b);
		evbuffer_free(b);
		return;
	}
	evhttp_add_header(o, "Content-Type", content_type(real));
	b = evbuffer_new();
	if (sb.st_size > 0) {
		if (evbuffer_add_file(b, fd, 0, sb.st_size) < 0) {
			struct spend_err err;

			evbuffer_free(b);
			spend_errf(&err, SPEND_EINTERNAL, "", "cannot read %s",
			    path);
			reply_error(h, req, 500, &err, NULL);
			return;
		}
	} else
		close(fd);
	send_reply(h, req, 200, b);
	evbuffer_free(b);
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
	if (!strncmp(path, "/api/", 5) && rest_match(verb_name(httpd_method(req)),
	    path, &m, NULL, NULL, 0) < 0)
		m = NULL;
	if (!strcmp(path, "/rpc"))
		limit = cfg->http_max_body;
	else if (m && (m->flags & RPC_UPLOAD)) {
		spend_err_clear(&err);
		if (identify(h, req, false, &id, &err) < 0 || id.uid == 0) {
			if (err.code == 0)
				spend_errf(&err, SPEND_EAUTH, "", "log in first: "
				    "an upload needs Authorization: Bearer "
				    "ACCESS_TOKEN");
			reply_error(h, req, 401, &err, NULL);
			free(path);
			return -1;
		}
		if (httpd_spool(req, cfg->data_dir) < 0) {
			spend_errf(&err, SPEND_EINTERNAL, "", "cannot store the "
			    "upload");
			reply_error(h, req, 500, &err, NULL);
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
	reply_error(h, req, status, &err, NULL);
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
		security_headers(h, req);
		evhttp_add_header(httpd_output_headers(req), "Allow",
		    "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
		send_reply(h, req, 204, b);
		evbuffer_free(b);
		return;
	}
	if ((path = decoded_path(req)) == NULL) {
		spend_errf(&err, SPEND_EINVAL, "", "malformed path");
		reply_error(h, req, 400, &err, NULL);
		return;
	}
	if (!strcmp(path, "/rpc"))
		serve_rpc(h, req);
	else if (!strcmp(path, "/api/v1/events"))
		serve_events(h, req);
	else if (!strncmp(path, "/api/", 5) || !strcmp(path, "/api")) {
		struct evkeyvalq *in = httpd_input_headers(req);
		struct rpc_identity id;
		const char *why;

		if (identify(h, req, true, &id, &err) < 0)
			reply_error(h, req, 401, &err, NULL);
		else if (id.uid == 0 && !safe_method(req) && (why =
		    auth_cross_site(&h->sd->cfg, evhttp_find_header(in, "Origin"),
		    evhttp_find_header(in, "Host"), evhttp_find_header(in,
		    "Sec-Fetch-Site"))) != NULL) {
			/* a form on another site can post here without a token
			 * (an empty body, params in the query): login CSRF */
			spend_errf(&err, SPEND_EPERM, "", "refused: %s", why);
			reply_error(h, req, 403, &err, NULL);
		} else
			rest_handle(h->sd, req, path, &id);
	} else
		serve_static(h, req, path);
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

int
http_start(struct spendd *sd)
{
	static const struct httpd_callbacks cbs = { on_head, on_request,
	    on_error };
	struct httpd_limits lim;
	struct http *h;
	char host[128];
	int port;

	if (sd->cfg.http_listen[0] == '\0') {
		log_info("http: off (listen is empty)");
		return 0;
	}
	if (parse_listen(sd->cfg.http_listen, host, sizeof(host), &port) < 0) {
		log_warnx("http: listen = %s: expected HOST:PORT or [V6]:PORT",
		    sd->cfg.http_listen);
		return -1;
	}
	if (rest_init() < 0)
		return -1;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return -1;
	h->sd = sd;
	limits_of(&sd->cfg, &lim);
	if ((h->srv = httpd_new(sd->base, &cbs, h, &lim)) == NULL) {
		free(h);
		return -1;
	}
	if (realpath(sd->cfg.webui_dir, h->webui) == NULL) {
		log_warnx("http: web UI %s: %s; serving the API only",
		    sd->cfg.webui_dir, strerror(errno));
		h->webui[0] = '\0';
	}
	if ((h->port = httpd_listen(h->srv, host, port)) < 0) {
		httpd_free(h->srv);
		free(h);
		return -1;
	}
	h->ev_ping = evtimer_new(sd->base, sse_ping, h);
	sse_ping(-1, 0, h);
	sd->http = h;
	log_info("http: listening on %s (port %d)%s%s", sd->cfg.http_listen,
	    h->port, h->webui[0] ? ", web UI " : "", h->webui);
	return 0;
}

void
http_reload(struct spendd *sd)
{
	struct httpd_limits lim;

	if (sd->http == NULL)
		return;
	limits_of(&sd->cfg, &lim);
	httpd_set_limits(sd->http->srv, &lim);
}

void
http_stop(struct spendd *sd)
{
	struct http *h = sd->http;

	if (h == NULL)
		return;
	sse_end_all(h);
	httpd_stop(h->srv);
}

void
http_free(struct spendd *sd)
{
	struct http *h = sd->http;

	if (h == NULL)
		return;
	http_stop(sd);
	if (h->ev_ping)
		event_free(h->ev_ping);
	httpd_free(h->srv);
	rest_free();
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
