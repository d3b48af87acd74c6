/*
 * The HTTP/1.1 server under http.c: connections, a strict request parser,
 * limits, keep-alive, replies and chunked streams, on libevent
 * bufferevents.
 *
 * Why not evhttp: libevent 2.1's evhttp cannot cap connections, spins on
 * EMFILE, answers its own limits with HTML, reads a whole body before the
 * application sees the route (so every route had the import limit), has
 * only an idle timeout (a client sending a header line every few seconds
 * stayed for ever), and takes "Content-Length: +41", two Host headers,
 * HTTP/1.1 without Host and a NUL in a header value. This server refuses
 * all of those with 400 before dispatch, and lets the application choose a
 * body limit per route from the head alone.
 *
 * Everything runs on the event loop thread.
 *
 * A request (struct httpd_req) belongs to its connection. It is valid from
 * the on_request callback until the application replies (httpd_reply) or,
 * for a stream, until httpd_stream_end, a failed httpd_stream_send or the
 * close callback.
 */
#ifndef SPEND_HTTPD_H
#define SPEND_HTTPD_H

#include <event2/http.h>	/* enum evhttp_cmd_type, struct evkeyvalq */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"

struct event_base;
struct evbuffer;
struct httpd;
struct httpd_req;

struct httpd_limits {
	int max_conns;		/* open connections in all */
	int max_conns_per_addr;	/* from one client address (0 = no cap) */
	const struct netaddr_prefix *exempt;	/* addresses without that cap */
	size_t n_exempt;		/* (trusted proxies); borrowed */
	size_t max_head;	/* request line and headers, bytes */
	int head_timeout;	/* seconds to send the whole head */
	int idle_timeout;	/* seconds of silence while reading or writing,
				 * and of an idle keep-alive connection */
	size_t max_output;	/* bytes queued to a slow stream reader */
};

struct httpd_callbacks {
	/* The head is read. Return the largest body this request may
	 * send (0 = none), or reply (httpd_reply) and return -1. May call
	 * httpd_spool() to have the body written to a file. */
	long long (*on_head)(struct httpd_req *r, void *arg);
	/* The whole request is read: reply now or later. */
	void (*on_request)(struct httpd_req *r, void *arg);
	/* A request the server refuses itself (400, 408, 413, 414, 417,
	 * 431, 501, 505): reply with httpd_reply; the connection closes. */
	void (*on_error)(struct httpd_req *r, int status, const char *msg,
	    void *arg);
	/* A reply (or a stream) is about to go out with status: the
	 * output headers may still change. May be NULL. */
	void (*on_reply)(struct httpd_req *r, int status, void *arg);
};

/* The application's notes on a request, zeroed when a request begins:
 * what its log line and counters need at on_reply. */
struct httpd_note {
	bool set;		/* route is set */
	int route;		/* the application's route code */
	int64_t uid;		/* who asked, 0 = nobody known */
	char id[24];		/* the request id, "" until set */
	char peer[64];		/* the client, "" = the TCP peer */
};

/* A server on base. cbs is copied; arg is passed to each callback. */
struct httpd *httpd_new(struct event_base *base,
    const struct httpd_callbacks *cbs, void *arg,
    const struct httpd_limits *lim);
/* Listen on host:port (port 0: any). The port bound, or -1 (logged). */
int httpd_listen(struct httpd *h, const char *host, int port);
/* New limits, in effect at once for every connection's next step.
 * exempt is borrowed until the next call. */
void httpd_set_limits(struct httpd *h, const struct httpd_limits *lim);
/* Stop accepting; idle connections close, the rest after their reply. */
void httpd_stop(struct httpd *h);
/* Close every connection (no callback runs) and free. */
void httpd_free(struct httpd *h);
/* Requests read and not yet answered and written (streams excluded). */
int httpd_busy(const struct httpd *h);
/* Open connections. */
int httpd_connections(const struct httpd *h);
/* The largest open-connection count allowed by the fd limit: the
 * process's RLIMIT_NOFILE less a reserve for the database, workers and
 * files. */
int httpd_fd_budget(void);

/* ---- a request ---- */
enum evhttp_cmd_type httpd_method(const struct httpd_req *r);
/* The request-target as sent ("/api/v1/expenses?limit=5"). */
const char *httpd_target(const struct httpd_req *r);
/* Its parts (still percent-encoded). */
const struct evhttp_uri *httpd_uri(const struct httpd_req *r);
struct evkeyvalq *httpd_input_headers(struct httpd_req *r);
struct evkeyvalq *httpd_output_headers(struct httpd_req *r);
/* The first input header of that name (case-insensitive), or NULL. */
const char *httpd_header(struct httpd_req *r, const char *name);
/* The body in memory (empty when spooled). */
struct evbuffer *httpd_body(struct httpd_req *r);
/* Bytes of body received. */
size_t httpd_body_length(const struct httpd_req *r);
/* The TCP peer's address as text ("127.0.0.1", "::1"). */
const char *httpd_peer(const struct httpd_req *r);
/* The request's notes (valid as long as r). */
struct httpd_note *httpd_note(struct httpd_req *r);
/* Microseconds since the request's first byte. */
int64_t httpd_elapsed_us(const struct httpd_req *r);

/* From on_head: write the body into a new file dir/upload.XXXXXX (mode
 * 0600) instead of memory. 0, or -1 (logged). */
int httpd_spool(struct httpd_req *r, const char *dir);
/* The spooled body's path ("" if none). The file is removed when the
 * request ends, unless taken: httpd_spool_take copies the path to out and
 * makes removing it the caller's job. */
const char *httpd_spool_path(const struct httpd_req *r);
void httpd_spool_take(struct httpd_req *r, char *out, size_t size);

/* Reply: status, the output headers, body (drained; NULL = empty).
 * Content-Length, Date and Connection are added here. A HEAD request gets
 * the headers only. */
void httpd_reply(struct httpd_req *r, int status, struct evbuffer *body);
/* The reason phrase of a status. */
const char *httpd_reason(int status);

/* A reply of unknown length, sent in pieces (server-sent events). */
void httpd_stream_start(struct httpd_req *r, int status);
/* Queue a piece. -1 if the reader is too slow (more than max_output
 * queued) or gone: the connection is closed and r is invalid. */
int httpd_stream_send(struct httpd_req *r, const void *data, size_t len);
/* The last piece; r is invalid after. */
void httpd_stream_end(struct httpd_req *r);
/* cb(r, arg) when a stream's client goes away; r is invalid after. */
void httpd_set_close_cb(struct httpd_req *r,
    void (*cb)(struct httpd_req *, void *), void *arg);

#endif
