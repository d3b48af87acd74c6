/*
 * The HTTP application on top of the server in httpd.c: the identity of
 * a request, POST /rpc (JSON-RPC 2.0) and the dispatch of the others to
 * the REST facade under /api/v1 (rest.c), the server-sent events stream
 * GET /api/v1/events (http_sse.c) and the web UI's files
 * (http_static.c). Replies: http_reply.h.
 *
 * Every error, including those of the server's own limits (400, 408,
 * 413, 414, 431, 501, 505), is JSON. Each route's body limit is chosen
 * from the head, before the body is read (on_head).
 */
#ifndef SPEND_HTTP_H
#define SPEND_HTTP_H

#include <stddef.h>

struct spendd;

/* Listen on cfg.http_listen ("host:port", "[v6]:port"; "" = off). */
int http_start(struct spendd *sd);
/* Stop accepting, end the event streams; requests in flight finish. */
void http_stop(struct spendd *sd);
void http_free(struct spendd *sd);
/* Apply the [http] limits of sd->cfg (after a reload). */
void http_reload(struct spendd *sd);
/* Requests received and not yet answered and written. */
int http_busy(struct spendd *sd);
/* Open connections. */
int http_connections(struct spendd *sd);
/* The port actually bound (for listen = host:0), or 0. */
int http_port(struct spendd *sd);
/* The port of [http] metrics_listen, 0 if off. */
int http_metrics_port(struct spendd *sd);

/* The client address of a request from peer (the TCP peer's address
 * text) with X-Forwarded-For value xff (NULL = none; several headers
 * joined with ","), given the n trusted proxies: into out. */
struct netaddr_prefix;
void http_client_address(const struct netaddr_prefix *trusted, size_t n,
    const char *peer, const char *xff, char *out, size_t size);

#endif
