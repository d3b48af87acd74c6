/*
 * The replies of the HTTP application (http.c, rest.c, http_sse.c,
 * http_static.c). Every reply carries the security headers (CSP,
 * nosniff, frame-ancestors, referrer policy); every error, including
 * those of the server's own limits, is JSON,
 * {"error":{"code","message","field"}}.
 */
#ifndef SPEND_HTTP_REPLY_H
#define SPEND_HTTP_REPLY_H

#include <jansson.h>

#include "err.h"

struct spendd;
struct httpd_req;
struct evbuffer;

/* Add the security headers (and Connection: close while spendd stops). */
void http_reply_headers(struct spendd *sd, struct httpd_req *req);
/* Send status and body (borrowed; drained) with the headers set so far:
 * every reply goes out here. */
void http_reply_send(struct httpd_req *req, int status, struct evbuffer *body);

/* Reply with body (borrowed) as JSON. meta (borrowed, may be NULL) is
 * a handler's out_meta: set_cookie, retry_after. */
void http_reply_json(struct spendd *sd, struct httpd_req *req,
    int status, json_t *body, json_t *meta);
/* Same with the JSON text (malloc'd, NUL-terminated, len bytes without
 * the NUL; taken: sent without a copy). */
void http_reply_text(struct spendd *sd, struct httpd_req *req, int status,
    char *text, size_t len, json_t *meta);
/* The JSON error body with err's status. */
void http_reply_error(struct spendd *sd, struct httpd_req *req,
    const struct spend_err *err, json_t *meta);
/* Same with an explicit status (401, 405, 415, 431...). */
void http_reply_status(struct spendd *sd, struct httpd_req *req,
    int status, const struct spend_err *err, json_t *meta);

/* Reply with body (borrowed; drained) of any Content-Type ("" or NULL:
 * application/octet-stream), with the security headers (downloads). */
void http_reply_body(struct spendd *sd, struct httpd_req *req,
    int status, const char *content_type, struct evbuffer *body);

#endif
