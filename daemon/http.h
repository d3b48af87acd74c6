/*
 * The HTTP application on top of the server in httpd.c: static files from
 * [http] webui, POST /rpc (JSON-RPC 2.0), the REST facade under /api/v1
 * (rest.c) and the server-sent events stream GET /api/v1/events.
 *
 * Every response carries the security headers (CSP, nosniff,
 * frame-ancestors, referrer policy); every error, including those of the
 * server's own limits (400, 408, 413, 414, 431, 501, 505), is JSON,
 * {"error":{"code","message","field"}}. Each route's body limit is chosen
 * from the head, before the body is read (on_head).
 */
#ifndef SPEND_HTTP_H
#define SPEND_HTTP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct spendd;
struct httpd_req;

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

/* The client address of a request from peer (the TCP peer's address
 * text) with X-Forwarded-For value xff (NULL = none; several headers
 * joined with ","), given the n trusted proxies: into out. */
struct netprefix;
void http_client_address(const struct netprefix *trusted, size_t n,
    const char *peer, const char *xff, char *out, size_t size);

/* ---- for rest.c ---- */
/* Reply with body (borrowed) as JSON. meta (borrowed, may be NULL) is
 * a handler's out_meta: set_cookie, retry_after. */
void http_reply_json(struct spendd *sd, struct httpd_req *req,
    int status, json_t *body, json_t *meta);
/* The JSON error body with err's status. */
void http_reply_error(struct spendd *sd, struct httpd_req *req,
    const struct spend_err *err, json_t *meta);
/* Same with an explicit status (405, 415, 431). */
void http_reply_status(struct spendd *sd, struct httpd_req *req,
    int status, const struct spend_err *err);

/* Reply with body (borrowed; drained) of any Content-Type ("" or NULL:
 * application/octet-stream), with the security headers, counted like
 * every reply. For http_files.c (downloads). */
struct evbuffer;
void http_reply_body(struct spendd *sd, struct httpd_req *req,
    int status, const char *content_type, struct evbuffer *body);

#endif
