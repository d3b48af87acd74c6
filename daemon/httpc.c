/* libcurl's multi interface on the libevent loop (httpc.h). */
#include <curl/curl.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpc.h"
#include "log.h"
#include "spendd.h"
#include "util.h"
#include "xmalloc.h"

#define DEFAULT_TIMEOUT_MS 30000
#define MAIL_TIMEOUT_MS 60000
#define CONNECT_TIMEOUT_MS 10000
#define DEFAULT_MAX_RESPONSE (64 << 10)

struct xfer {
	struct xfer *next, **prevp;
	struct httpc *h;
	CURL *easy;
	struct curl_slist *headers, *rcpt;
	char *out;			/* request body or mail, owned */
	size_t out_len, out_off;
	char *in;			/* response body */
	size_t in_len, in_cap, in_max;
	bool truncated;
	char errbuf[CURL_ERROR_SIZE];
	httpc_done_fn done;
	void *arg;
};

/* One of curl's sockets and its event. */
struct sock {
	struct httpc *h;
	curl_socket_t fd;
	struct event *ev;
};

struct httpc {
	struct spendd *sd;
	CURLM *multi;
	struct event *timer;
	struct xfer *xfers;
	int n;
	int running;
};

static struct httpc *
hc(struct spendd *sd)
{
	return sd->httpc;
}

static void
xfer_free(struct xfer *x)
{
	if (x->easy)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	curl_slist_free_all(x->rcpt);
	free(x->out);
	free(x->in);
	free(x);
}

/* Take the transfer out of the multi and the list, tell its owner. */
static void
finish(struct xfer *x, CURLcode code)
{
	struct httpc *h = x->h;
	struct httpc_result r;

	curl_multi_remove_handle(h->multi, x->easy);
	*x->prevp = x->next;
	if (x->next)
		x->next->prevp = x->prevp;
	h->n--;
	memset(&r, 0, sizeof(r));
	r.curl_code = (int)code;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &r.status);
	if (code == CURLE_OK)
		r.error = "";
	else if (code == CURLE_ABORTED_BY_CALLBACK)
		r.error = "cancelled: spendd is stopping";
	else if (code == CURLE_OPERATION_TIMEDOUT)
		r.error = x->errbuf[0] ? x->errbuf : "timed out";
	else
		r.error = x->errbuf[0] ? x->errbuf : curl_easy_strerror(code);
	r.body = x->in ? x->in : "";
	r.body_len = x->in_len;
	r.truncated = x->truncated;
	x->done(x->arg, &r);
	xfer_free(x);
}

static void
check_done(struct httpc *h)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
		struct xfer *x = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (x != NULL)
			finish(x, m->data.result);
	}
}

static void
on_socket(evutil_socket_t fd, short what, void *arg)
{
	struct sock *s = arg;
	struct httpc *h = s->h;
	int flags = (what & EV_READ ? CURL_CSELECT_IN : 0) |
	    (what & EV_WRITE ? CURL_CSELECT_OUT : 0);

	/* s may be freed inside (CURL_POLL_REMOVE): only h from here on */
	curl_multi_socket_action(h->multi, fd, flags, &h->running);
	check_done(h);
	if (h->running <= 0 && evtimer_pending(h->timer, NULL))
		evtimer_del(h->timer);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct httpc *h = arg;

	(void)fd;
	(void)what;
	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &h->running);
	check_done(h);
}

/* CURLMOPT_SOCKETFUNCTION: watch fd for what curl wants. */
static int
socket_cb(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct httpc *h = userp;
	struct sock *s = socketp;
	short kind;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (s) {
			event_free(s->ev);
			free(s);
			curl_multi_assign(h->multi, fd, NULL);
		}
		return 0;
	}
	kind = (short)((what & CURL_POLL_IN ? EV_READ : 0) |
	    (what & CURL_POLL_OUT ? EV_WRITE : 0) | EV_PERSIST);
	if (s == NULL) {
		s = xcalloc(1, sizeof(*s));
		s->h = h;
		s->fd = fd;
		if ((s->ev = event_new(h->sd->base, fd, kind, on_socket,
		    s)) == NULL) {
			free(s);
			return -1;
		}
		curl_multi_assign(h->multi, fd, s);
	} else {
		event_del(s->ev);
		if (event_assign(s->ev, h->sd->base, fd, kind, on_socket,
		    s) < 0)
			return -1;
	}
	event_add(s->ev, NULL);
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: one timer for all of curl's timeouts. */
static int
timer_cb(CURLM *m, long timeout_ms, void *userp)
{
	struct httpc *h = userp;
	struct timeval tv;

	(void)m;
	if (timeout_ms < 0) {
		evtimer_del(h->timer);
		return 0;
	}
	/* 0: as soon as possible, from the loop, never from inside curl */
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(h->timer, &tv);
	return 0;
}

int
httpc_init(struct spendd *sd)
{
	struct httpc *h;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_warnx("httpc: curl_global_init failed");
		return -1;
	}
	h = xcalloc(1, sizeof(*h));
	h->sd = sd;
	if ((h->multi = curl_multi_init()) == NULL ||
	    (h->timer = evtimer_new(sd->base, on_timer, h)) == NULL) {
		if (h->multi)
			curl_multi_cleanup(h->multi);
		free(h);
		return -1;
	}
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	sd->httpc = h;
	return 0;
}

void
httpc_free(struct spendd *sd)
{
	struct httpc *h = hc(sd);

	if (h == NULL)
		return;
	while (h->xfers)
		finish(h->xfers, CURLE_ABORTED_BY_CALLBACK);
	curl_multi_cleanup(h->multi);	/* closes the sockets: REMOVE */
	event_free(h->timer);
	free(h);
	sd->httpc = NULL;
	curl_global_cleanup();
}

int
httpc_busy(struct spendd *sd)
{
	return hc(sd) ? hc(sd)->n : 0;
}

static size_t
write_cb(char *p, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb, take = n;

	if (x->in_len + take > x->in_max) {
		take = x->in_max - x->in_len;
		x->truncated = true;
	}
	if (take > 0) {
		if (x->in_len + take + 1 > x->in_cap) {
			size_t cap = x->in_cap ? x->in_cap : 4096;
			char *q;

			while (cap < x->in_len + take + 1)
				cap *= 2;
			if ((q = realloc(x->in, cap)) == NULL)
				return 0;	/* CURLE_WRITE_ERROR */
			x->in = q;
			x->in_cap = cap;
		}
		memcpy(x->in + x->in_len, p, take);
		x->in_len += take;
		x->in[x->in_len] = '\0';
	}
	return n;	/* the rest is dropped, not an error */
}

static size_t
read_cb(char *p, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb;

	if (n > x->out_len - x->out_off)
		n = x->out_len - x->out_off;
	memcpy(p, x->out + x->out_off, n);
	x->out_off += n;
	return n;
}

/* Every socket close-on-exec: libcurl 7.88 opens them without, so a
 * command the exec notifier runs would hold a transfer's socket open, and
 * the loop's epoll changelist (main.c) would then miss the socket's
 * removal when libcurl closes it (410-notify checks every TCP socket). */
static curl_socket_t
open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	(void)arg;
	(void)purpose;
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static struct xfer *
xfer_new(struct httpc *h, httpc_done_fn done, void *arg,
    struct spend_err *err)
{
	struct xfer *x;

	if (h == NULL) {
		spend_errf(err, SPEND_EUNAVAIL, "", "no outgoing transfers "
		    "(httpc not started)");
		return NULL;
	}
	if (h->sd->stopping) {
		spend_errf(err, SPEND_EUNAVAIL, "", "spendd is shutting down");
		return NULL;
	}
	x = xcalloc(1, sizeof(*x));
	if ((x->easy = curl_easy_init()) == NULL) {
		free(x);
		spend_errf(err, SPEND_ENOMEM, "", "out of memory");
		return NULL;
	}
	x->h = h;
	x->done = done;
	x->arg = arg;
	x->in_max = DEFAULT_MAX_RESPONSE;
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)CONNECT_TIMEOUT_MS);
	curl_easy_setopt(x->easy, CURLOPT_USERAGENT, "spendd/" SPEND_VERSION);
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	return x;
}

static int
xfer_start(struct xfer *x, struct spend_err *err)
{
	struct httpc *h = x->h;

	if (curl_multi_add_handle(h->multi, x->easy) != CURLM_OK) {
		xfer_free(x);
		return spend_errf(err, SPEND_EINTERNAL, "", "curl_multi_add_handle "
		    "failed");
	}
	x->next = h->xfers;
	if (h->xfers)
		h->xfers->prevp = &x->next;
	h->xfers = x;
	x->prevp = &h->xfers;
	h->n++;
	return 0;
}

int
httpc_request(struct spendd *sd, const struct httpc_req *req,
    httpc_done_fn done, void *arg, struct spend_err *err)
{
	struct xfer *x = xfer_new(hc(sd), done, arg, err);
	CURL *e;

	if (x == NULL)
		return err ? err->code : SPEND_EINTERNAL;
	e = x->easy;
	if (req->max_response)
		x->in_max = req->max_response;
	for (const char *const *hd = req->headers; hd && *hd; hd++) {
		struct curl_slist *l = curl_slist_append(x->headers, *hd);

		if (l == NULL)
			goto nomem;
		x->headers = l;
	}
	/* no "Expect: 100-continue" pause on larger bodies */
	if (req->body) {
		struct curl_slist *l = curl_slist_append(x->headers, "Expect:");

		if (l == NULL)
			goto nomem;
		x->headers = l;
		if ((x->out = malloc(req->body_len + 1)) == NULL)
			goto nomem;
		memcpy(x->out, req->body, req->body_len);
		x->out_len = req->body_len;
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->out);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)x->out_len);
	}
	curl_easy_setopt(e, CURLOPT_URL, req->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	if (req->max_redirects > 0) {
		curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)req->max_redirects);
	} else
		curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	if (req->method && strcmp(req->method, "GET") != 0 &&
	    strcmp(req->method, "POST") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
	else if (req->method && strcmp(req->method, "GET") == 0)
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	if (x->headers)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ?
	    req->timeout_ms : (long)DEFAULT_TIMEOUT_MS);
	return xfer_start(x, err);
nomem:
	xfer_free(x);
	return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
}

int
httpc_mail(struct spendd *sd, const struct httpc_mail *m, httpc_done_fn done,
    void *arg, struct spend_err *err)
{
	struct xfer *x = xfer_new(hc(sd), done, arg, err);
	char from[320];
	CURL *e;

	if (x == NULL)
		return err ? err->code : SPEND_EINTERNAL;
	e = x->easy;
	for (const char *const *r = m->rcpt; r && *r; r++) {
		struct curl_slist *l = curl_slist_append(x->rcpt, *r);

		if (l == NULL)
			goto nomem;
		x->rcpt = l;
	}
	if ((x->out = malloc(m->len + 1)) == NULL)
		goto nomem;
	memcpy(x->out, m->message, m->len);
	x->out_len = m->len;
	snprintf(from, sizeof(from), "<%s>", m->from);
	curl_easy_setopt(e, CURLOPT_URL, m->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(e, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(e, CURLOPT_MAIL_RCPT, x->rcpt);
	curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(e, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(e, CURLOPT_READDATA, x);
	curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)x->out_len);
	curl_easy_setopt(e, CURLOPT_USE_SSL, m->tls == HTTPC_TLS_REQUIRED ?
	    (long)CURLUSESSL_ALL : m->tls == HTTPC_TLS_TRY ?
	    (long)CURLUSESSL_TRY : (long)CURLUSESSL_NONE);
	if (m->ca_file && *m->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, m->ca_file);
	if (m->username && *m->username) {
		curl_easy_setopt(e, CURLOPT_USERNAME, m->username);
		curl_easy_setopt(e, CURLOPT_PASSWORD, m->password ?
		    m->password : "");
	}
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, m->timeout_ms > 0 ?
	    m->timeout_ms : (long)MAIL_TIMEOUT_MS);
	return xfer_start(x, err);
nomem:
	xfer_free(x);
	return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
}
