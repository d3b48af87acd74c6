/* The replies of the HTTP application: JSON bodies and errors, the
 * security headers every reply carries. */
#include <event2/buffer.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "http_reply.h"
#include "httpd.h"
#include "spendd.h"

static const char csp[] = "default-src 'self'; script-src 'self'; "
    "style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

void
http_reply_headers(struct spendd *sd, struct httpd_req *req)
{
	struct evkeyvalq *o = httpd_output_headers(req);

	evhttp_add_header(o, "Content-Security-Policy", csp);
	evhttp_add_header(o, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(o, "X-Frame-Options", "DENY");
	evhttp_add_header(o, "Referrer-Policy", "no-referrer");
	evhttp_add_header(o, "Cross-Origin-Opener-Policy", "same-origin");
	evhttp_add_header(o, "Cross-Origin-Resource-Policy", "same-origin");
	if (sd->cfg.http_secure_cookies)
		evhttp_add_header(o, "Strict-Transport-Security",
		    "max-age=31536000");
	if (sd->stopping)
		evhttp_add_header(o, "Connection", "close");
}

void
http_reply_send(struct httpd_req *req, int status, struct evbuffer *body)
{
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
apply_meta(struct spendd *sd, struct httpd_req *req, json_t *meta)
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
			    sd->cfg.http_secure_cookies ? "; Secure" : "");
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

void
http_reply_json(struct spendd *sd, struct httpd_req *req, int status,
    json_t *body, json_t *meta)
{
	char *text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);

	http_reply_text(sd, req, status, text, text ? strlen(text) : 0, meta);
}

void
http_reply_text(struct spendd *sd, struct httpd_req *req, int status,
    char *text, size_t len, json_t *meta)
{
	struct evkeyvalq *o = httpd_output_headers(req);
	struct evbuffer *b = evbuffer_new();

	http_reply_headers(sd, req);
	apply_meta(sd, req, meta);
	evhttp_add_header(o, "Content-Type", "application/json");
	evhttp_add_header(o, "Cache-Control", "no-store");
	if (text) {
		text[len] = '\n';		/* the NUL becomes a newline */
		evbuffer_add_reference(b, text, len + 1, free_text, NULL);
	} else {
		free(text);
		status = 500;
		evbuffer_add_printf(b, "{\"error\":{\"code\":\"out_of_memory\","
		    "\"message\":\"cannot encode the reply\"}}\n");
	}
	http_reply_send(req, status, b);
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

void
http_reply_status(struct spendd *sd, struct httpd_req *req, int status,
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
	http_reply_json(sd, req, status, body, meta);
	json_decref(body);
}

void
http_reply_error(struct spendd *sd, struct httpd_req *req,
    const struct spend_err *err, json_t *meta)
{
	http_reply_status(sd, req, spend_err_http_status(err->code), err, meta);
}

void
http_reply_body(struct spendd *sd, struct httpd_req *req, int status,
    const char *content_type, struct evbuffer *body)
{
	http_reply_headers(sd, req);
	evhttp_add_header(httpd_output_headers(req),
	    "Content-Type", content_type && *content_type ? content_type :
	    "application/octet-stream");
	http_reply_send(req, status, body);
}
