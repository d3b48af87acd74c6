/*
 * GET /api/v1/events: server-sent events. A stream carries the committed
 * writes of its user ("id", "event", "data" from the events hub) and a
 * ping every 20 s; it ends when its session does (logout, revocation,
 * password change, account deleted) or spendd stops.
 */
#ifndef SPEND_HTTP_SSE_H
#define SPEND_HTTP_SSE_H

struct spendd;
struct httpd_req;
struct rpc_identity;
struct http_sse;

/* The streams and their ping timer on sd->base (NULL if the timer
 * cannot be made). Free with http_sse_free (which ends the streams still open). */
struct http_sse *http_sse_new(struct spendd *sd);
void http_sse_free(struct http_sse *h);

/* Open a stream on req for id, whose request http.c has checked (a GET,
 * no token or a valid one): 401 without a user, 429 past the streams a
 * user may hold, 503 while stopping. */
void http_sse_open(struct http_sse *h, struct httpd_req *req,
    const struct rpc_identity *id);
/* End every stream (spendd is stopping). */
void http_sse_end_all(struct http_sse *h);

#endif
