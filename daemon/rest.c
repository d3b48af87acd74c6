/* REST routes derived from the method table; requests become RPC calls. */
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sys/stat.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "http_reply.h"
#include "httpd.h"
#include "jsonp.h"
#include "jsonw.h"
#include "log.h"
#include "rest.h"
#include "util.h"
#include "xmalloc.h"

#define MAX_SEGS 8
#define SEG_MAX 128		/* a path segment, bytes */

enum verb { V_GET = 1, V_POST = 2, V_PUT = 4, V_PATCH = 8, V_DELETE = 16 };

static const struct {
	const char *name;
	unsigned bit;
} verbs[] = {
	{ "GET", V_GET }, { "POST", V_POST }, { "PUT", V_PUT },
	{ "PATCH", V_PATCH }, { "DELETE", V_DELETE },
};

struct route {
	const struct rpc_method *m;
	unsigned verbs;
	int nsegs, literals;
	char *buf;		/* the path, split: segs point into it */
	char *segs[MAX_SEGS];	/* "expenses" or "{id}" */
};

/* The routes of the method table (rest_new). */
struct rest {
	struct route *routes;
	size_t n;
};

static unsigned
verb_bit(const char *v)
{
	if (!strcmp(v, "HEAD"))
		v = "GET";
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(verbs[i].name, v))
			return verbs[i].bit;
	return 0;
}

/* Copy path into buf (size bytes) and split it at '/' into segs,
 * pointers into buf: their number, or -1 if path does not fit or has
 * more than max segments. */
static int
split(const char *path, char *buf, size_t size, char **segs, int max)
{
	char *p, *save = NULL;
	int n = 0;

	if (strlcpy(buf, path, size) >= size)
		return -1;
	for (p = strtok_r(buf, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (n == max)
			return -1;
		segs[n++] = p;
	}
	return n;
}

static bool
is_param(const char *seg)
{
	size_t n = strlen(seg);

	return n > 2 && seg[0] == '{' && seg[n - 1] == '}';
}

static int
parse_route(const struct rpc_method *m, struct route *r)
{
	char vbuf[64], *v, *save = NULL;
	const char *sp = strchr(m->route, ' ');
	size_t len;

	memset(r, 0, sizeof(*r));
	r->m = m;
	if (sp == NULL || (size_t)(sp - m->route) >= sizeof(vbuf) ||
	    sp[1] != '/')
		return -1;
	memcpy(vbuf, m->route, (size_t)(sp - m->route));
	vbuf[sp - m->route] = '\0';
	for (v = strtok_r(vbuf, ",", &save); v; v = strtok_r(NULL, ",", &save)) {
		unsigned b = verb_bit(v);

		if (b == 0 || !strcmp(v, "HEAD"))
			return -1;
		r->verbs |= b;
	}
	len = strlen(sp + 1) + 1;
	r->buf = xmalloc(len);
	if ((r->nsegs = split(sp + 1, r->buf, len, r->segs, MAX_SEGS)) <= 0) {
		free(r->buf);
		r->buf = NULL;
		return -1;
	}
	for (int i = 0; i < r->nsegs; i++)
		if (!is_param(r->segs[i]))
			r->literals++;
	return 0;
}

static bool
same_shape(const struct route *a, const struct route *b)
{
	if (a->nsegs != b->nsegs)
		return false;
	for (int i = 0; i < a->nsegs; i++) {
		bool pa = is_param(a->segs[i]), pb = is_param(b->segs[i]);

		if (pa != pb || (!pa && strcmp(a->segs[i], b->segs[i])))
			return false;
	}
	return true;
}

struct rest *
rest_new(void)
{
	size_t n;
	const struct rpc_method *m = rpc_methods(&n);
	struct rest *rest;

	if ((rest = calloc(1, sizeof(*rest))) == NULL ||
	    (rest->routes = calloc(n, sizeof(*rest->routes))) == NULL) {
		free(rest);
		log_warnx("rest: out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		struct route *r = &rest->routes[rest->n];

		if (m[i].route == NULL)
			continue;
		if (parse_route(&m[i], r) < 0) {
			log_warnx("rest: %s: bad route \"%s\"", m[i].name,
			    m[i].route);
			rest_free(rest);
			return NULL;
		}
		rest->n++;
		for (size_t k = 0; k + 1 < rest->n; k++)
			if (same_shape(&rest->routes[k], r) &&
			    (rest->routes[k].verbs & r->verbs)) {
				log_warnx("rest: %s and %s share the route \"%s\"",
				    rest->routes[k].m->name, m[i].name,
				    m[i].route);
				rest_free(rest);
				return NULL;
			}
	}
	return rest;
}

void
rest_free(struct rest *rest)
{
	if (rest == NULL)
		return;
	for (size_t i = 0; i < rest->n; i++)
		free(rest->routes[i].buf);
	free(rest->routes);
	free(rest);
}

/* A path param's JSON value: ids are integers, the rest strings. */
static json_t *
param_value(const char *name, const char *v)
{
	size_t n = strlen(name), len = strlen(v);

	if ((!strcmp(name, "id") || (n > 3 && !strcmp(name + n - 3, "_id"))) &&
	    len > 0 && len <= 18 && strspn(v, "0123456789") == len)
		return json_integer(strtoll(v, NULL, 10));
	return json_string(v);
}

int
rest_match(const struct rest *rest, const char *verb, const char *path,
    const struct rpc_method **m, json_t *params, char *allow, size_t len)
{
	char buf[1024], *segs[MAX_SEGS + 1];
	const struct route *best = NULL;
	unsigned others = 0, vb = verb_bit(verb);
	int n, i;

	if ((n = split(path, buf, sizeof(buf), segs, MAX_SEGS + 1)) < 0)
		return SPEND_ENOMETHOD;
	for (size_t r = 0; r < rest->n; r++) {
		const struct route *rt = &rest->routes[r];

		if (rt->nsegs != n)
			continue;
		for (i = 0; i < n; i++)
			if (!is_param(rt->segs[i]) && strcmp(rt->segs[i], segs[i]))
				break;
		if (i < n)
			continue;
		if (!(rt->verbs & vb)) {
			others |= rt->verbs;
			continue;
		}
		/* literal segments beat params: /auth/login over /auth/{x} */
		if (best == NULL || rt->literals > best->literals)
			best = rt;
	}
	if (best) {
		*m = best->m;
		for (i = 0; params && i < n; i++)
			if (is_param(best->segs[i])) {
				char name[64];
				size_t l = strlen(best->segs[i]) - 2;

				if (l >= sizeof(name))
					l = sizeof(name) - 1;
				memcpy(name, best->segs[i] + 1, l);
				name[l] = '\0';
				json_object_set_new(params, name,
				    param_value(name, segs[i]));
			}
	}
	if (best)
		return 0;
	if (others == 0)
		return SPEND_ENOMETHOD;
	if (allow && len) {
		allow[0] = '\0';
		for (size_t k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++)
			if (others & verbs[k].bit) {
				if (allow[0])
					strlcat(allow, ", ", len);
				strlcat(allow, verbs[k].name, len);
				if (verbs[k].bit == V_GET)
					strlcat(allow, ", HEAD", len);
			}
	}
	return SPEND_EINVAL;
}

long long
rest_max_body(const struct rpc_method *m, const struct config *cfg)
{
	/* an upload's body is the file itself, spooled to disk */
	if (m && (m->flags & RPC_UPLOAD))
		return cfg->http_max_import;
	return cfg->http_max_body;
}

/* A query key "options.KEY" (or by its option name, "option.KEY") of a
 * PT_OBJECT param: *param gets the param's name, the return the member's
 * name; NULL if key is no such thing. */
static const char *
object_member(const struct rpc_method *m, const char *key, const char **param)
{
	const char *dot = strchr(key, '.');

	if (m == NULL || dot == NULL || dot == key || dot[1] == '\0')
		return NULL;
	for (const struct rpc_param *p = m->params; p && p->name; p++) {
		size_t n = (size_t)(dot - key);

		if (p->type != PT_OBJECT)
			continue;
		if ((strlen(p->name) == n && !strncmp(p->name, key, n)) ||
		    (p->opt && strlen(p->opt) == n && !strncmp(p->opt, key, n))) {
			*param = p->name;
			return dot + 1;
		}
	}
	return NULL;
}

/* "password" of auth.login, ...: never in a URL. */
static bool
secret(const struct rpc_method *m, const char *key)
{
	const struct rpc_param *p = m ? rpc_param_find(m, key) : NULL;

	return p && (p->flags & PF_SECRET);
}

/* ---- one request ---- */

struct rest_ctx {
	struct spendd *sd;
	struct httpd_req *req;
	const struct rpc_method *m;
	unsigned verb;
	char *path;		/* as requested, still encoded */
	char *query;		/* raw, or NULL */
	char upload[PATH_MAX];	/* an RPC_UPLOAD's spooled body, or "" */
};

/* Add key=value to params, refusing a key that is already there with
 * another value. v is stolen. */
static int
merge(json_t *params, const char *key, json_t *v, const char *where,
    struct spend_err *err)
{
	json_t *old = json_object_get(params, key);

	if (v == NULL)
		return spend_errf(err, SPEND_ENOMEM, key, "out of memory");
	if (old && !json_equal(old, v)) {
		json_decref(v);
		return spend_errf(err, SPEND_EINVAL, key, "%s given twice (%s "
		    "and elsewhere) with different values", key, where);
	}
	json_object_set_new(params, key, v);
	return 0;
}

/* "3", "\"3\"" or "W/\"3\"" -> 3 */
static int
parse_if_match(const char *s, int64_t *out)
{
	char buf[32], *end;
	size_t n;

	if (!strncmp(s, "W/", 2))
		s += 2;
	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf))
		return -1;
	n = strlen(buf);
	if (n >= 2 && buf[0] == '"' && buf[n - 1] == '"') {
		buf[n - 1] = '\0';
		memmove(buf, buf + 1, n - 1);
	}
	if (buf[0] == '\0' || strspn(buf, "0123456789") != strlen(buf))
		return -1;
	*out = strtoll(buf, &end, 10);
	return *out > 0 ? 0 : -1;
}

static bool
is_json(const char *ct)
{
	return ct && (strncasecmp(ct, "application/json", 16) == 0) &&
	    (ct[16] == '\0' || ct[16] == ';' || ct[16] == ' ');
}

int
rest_params(const struct rest_request *rq, json_t *params,
    struct spend_err *err)
{
	size_t blen = rq->body_len;
	const char *h;
	int r;

	if (blen > 0 && !rq->upload) {
		json_error_t jerr;
		json_t *j;
		const char *key;
		json_t *v;

		if ((long long)blen > rq->max_body)
			return spend_errf(err, SPEND_ETOOBIG, "", "request body "
			    "larger than %lld bytes", rq->max_body);
		if (!is_json(rq->content_type))
			return spend_errf(err, SPEND_EINVAL, "Content-Type",
			    "the body must be JSON (Content-Type: "
			    "application/json)");
		j = json_loadb(rq->body, blen, JSON_REJECT_DUPLICATES, &jerr);
		if (j == NULL)
			return spend_errf(err, SPEND_EPARSE, "", "body is not "
			    "JSON: %s at line %d column %d", jerr.text, jerr.line,
			    jerr.column);
		if (!json_is_object(j)) {
			json_decref(j);
			return spend_errf(err, SPEND_EINVAL, "", "the body must "
			    "be a JSON object");
		}
		json_object_foreach(j, key, v)
			if ((r = merge(params, key, json_incref(v), "URL", err))
			    < 0) {
				json_decref(j);
				return r;
			}
		json_decref(j);
	}
	if (rq->query && *rq->query) {
		struct evkeyvalq q;
		struct evkeyval *kv;

		TAILQ_INIT(&q);
		if (evhttp_parse_query_str(rq->query, &q) < 0) {
			evhttp_clear_headers(&q);
			return spend_errf(err, SPEND_EINVAL, "", "malformed query "
			    "string");
		}
		TAILQ_FOREACH(kv, &q, next) {
			const char *sub, *obj;

			if (!utf8_valid(kv->value, strlen(kv->value)) ||
			    !utf8_valid(kv->key, strlen(kv->key)))
				r = spend_errf(err, SPEND_EINVAL, "", "query is "
				    "not UTF-8");
			else if (secret(rq->m, kv->key))
				/* URLs end up in logs, histories and Referer
				 * headers: a secret there is a secret leaked */
				r = spend_errf(err, SPEND_EINVAL, kv->key, "%s "
				    "belongs in the JSON body, never in the URL",
				    kv->key);
			else if ((sub = object_member(rq->m, kv->key, &obj))) {
				json_t *o = json_object_get(params, obj);

				if (o == NULL || !json_is_object(o)) {
					o = json_object();
					json_object_set_new(params, obj, o);
				}
				r = merge(o, sub, json_string(kv->value), "query",
				    err);
			} else
				r = merge(params, kv->key, json_string(kv->value),
				    "query", err);
			if (r < 0) {
				evhttp_clear_headers(&q);
				return r;
			}
		}
		evhttp_clear_headers(&q);
	}
	/* (a header may carry any byte above 0x7f: a key that is no JSON
	 * string must not be dropped, letting a retry write twice) */
	if ((h = rq->idempotency_key) != NULL && !utf8_valid(h, strlen(h)))
		return spend_errf(err, SPEND_EINVAL, "idempotency_key",
		    "Idempotency-Key must be UTF-8 text");
	if (h != NULL && (r = merge(params, "idempotency_key", json_string(h),
	    "Idempotency-Key", err)) < 0)
		return r;
	if ((h = rq->if_match) != NULL && strcmp(h, "*")) {
		int64_t v;

		if (parse_if_match(h, &v) < 0)
			return spend_errf(err, SPEND_EINVAL, "version", "If-Match "
			    "must be a version like \"3\"");
		if ((r = merge(params, "version", json_integer(v), "If-Match",
		    err)) < 0)
			return r;
	}
	return 0;
}

/* Query, body and headers of the request into params. */
static int
build_params(struct rest_ctx *x, json_t *params, struct spend_err *err)
{
	struct evkeyvalq *in = httpd_input_headers(x->req);
	struct evbuffer *body = httpd_body(x->req);
	struct rest_request rq = {
		.m = x->m,
		.upload = (x->m->flags & RPC_UPLOAD) != 0,
		.body_len = evbuffer_get_length(body),
		.max_body = rest_max_body(x->m, &x->sd->cfg),
		.content_type = evhttp_find_header(in, "Content-Type"),
		.query = x->query,
		.idempotency_key = evhttp_find_header(in, "Idempotency-Key"),
		.if_match = evhttp_find_header(in, "If-Match"),
	};

	rq.body = rq.body_len ? (const char *)evbuffer_pullup(body, -1) : NULL;
	return rest_params(&rq, params, err);
}

/* The URL of the next page: this one with cursor replaced. NULL if out
 * of memory (the query is as long as the client made it). */
static json_t *
next_link(struct rest_ctx *x, const char *cursor)
{
	struct evbuffer *b;
	char *enc = NULL, *q = NULL, *save = NULL, *kv;
	json_t *out = NULL;
	bool first = true;

	if ((b = evbuffer_new()) == NULL ||
	    (enc = evhttp_encode_uri(cursor)) == NULL ||
	    (x->query && (q = strdup(x->query)) == NULL) ||
	    evbuffer_add_printf(b, "%s?", x->path) < 0)
		goto out;
	for (kv = q ? strtok_r(q, "&", &save) : NULL; kv;
	    kv = strtok_r(NULL, "&", &save)) {
		if (!strncmp(kv, "cursor=", 7) || !strcmp(kv, "cursor"))
			continue;
		if (evbuffer_add_printf(b, "%s%s", first ? "" : "&", kv) < 0)
			goto out;
		first = false;
	}
	if (evbuffer_add_printf(b, "%scursor=%s", first ? "" : "&", enc) < 0)
		goto out;
	out = json_stringn((const char *)evbuffer_pullup(b, -1),
	    evbuffer_get_length(b));
out:
	free(q);
	free(enc);
	if (b)
		evbuffer_free(b);
	return out;
}

static void
ctx_free(struct rest_ctx *x)
{
	/* the upload was the call's: whatever became of it, it goes */
	if (x->upload[0])
		unlink(x->upload);
	free(x->path);
	free(x->query);
	free(x);
}

/* An RPC_DOWNLOAD reply: the file the handler wrote (out_meta's
 * download: {fd, name}; the result's extension and mime_type) as the
 * body. */
static bool
reply_download(struct rest_ctx *x, json_t *meta, json_t *result,
    const struct spend_err *err)
{
	json_t *d = json_object_get(meta, "download");
	int fd = (int)json_integer_value(json_object_get(d, "fd"));
	const char *name = json_string_value(json_object_get(d, "name"));
	const char *type = json_string_value(json_object_get(result,
	    "mime_type"));
	const char *ext = json_string_value(json_object_get(result,
	    "extension"));
	struct evkeyvalq *out = httpd_output_headers(x->req);
	struct spend_err e2;
	struct evbuffer *b;
	struct stat sb;
	char disp[256];

	if (d == NULL)
		return false;
	if (err) {
		close(fd);
		json_object_del(meta, "download");	/* once */
		return false;	/* the error goes out as JSON */
	}
	if (fstat(fd, &sb) < 0 || (b = evbuffer_new()) == NULL) {
		close(fd);
		json_object_del(meta, "download");
		spend_errf(&e2, SPEND_EINTERNAL, "", "cannot read the file");
		http_reply_error(x->sd, x->req, &e2, NULL);
		return true;
	}
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s%s%s\"",
	    name && *name ? name : "download", ext && *ext ? "." : "",
	    ext ? ext : "");
	evhttp_add_header(out, "Content-Disposition", disp);
	evhttp_add_header(out, "Cache-Control", "no-store");
	/* sendfile: the buffer owns fd now */
	if (sb.st_size == 0 || evbuffer_add_file(b, fd, 0, sb.st_size) < 0) {
		if (sb.st_size)
			log_warnx("rest: cannot send a file of %lld bytes",
			    (long long)sb.st_size);
		close(fd);
	}
	http_reply_body(x->sd, x->req, x->m->status ? x->m->status : 200,
	    type, b);
	evbuffer_free(b);
	json_object_del(meta, "download");	/* (name and d were in it) */
	return true;
}

/* A raw object result with one more member, "key":v, at its end (text
 * malloc'd, NUL-terminated), or NULL if out of memory. */
static char *
raw_with(const struct rpc_raw *raw, const char *key, json_t *v, size_t *len)
{
	struct jw w;
	char *out;

	jw_init(&w);
	jw_obj(&w);
	jw_key(&w, key);
	jw_json(&w, v);
	jw_end(&w);
	if ((out = jw_take(&w, len)) == NULL) {
		jw_free(&w);
		return NULL;
	}
	/* {...} + {"key":v} = {...,"key":v} */
	char *t = malloc(raw->len + *len);

	if (t) {
		size_t n = raw->len - 1;	/* without its '}' */

		memcpy(t, raw->text, n);
		if (n > 1)
			t[n++] = ',';
		memcpy(t + n, out + 1, *len);	/* and the NUL */
		*len = n + *len - 1;
	}
	free(out);
	return t;
}

static void
rest_done(struct rpc_call *call, json_t *result, const struct spend_err *err,
    void *arg)
{
	struct rest_ctx *x = arg;
	struct evkeyvalq *out = httpd_output_headers(x->req);
	/* a raw result (its summary has the members read here), or result */
	const struct rpc_raw *raw = err || result ? NULL : rpc_call_raw(call);
	json_t *parsed = NULL, *top, *link = NULL, *v;
	struct spend_err e2;
	int status = 200;

	if (raw && json_object_get(call->out_meta, "download")) {
		/* a download reads its result's members */
		if ((result = parsed = rpc_raw_json(call)) == NULL) {
			spend_errf(&e2, SPEND_EINTERNAL, "", "unreadable result");
			err = &e2;
		}
		raw = NULL;
	}
	if (reply_download(x, call->out_meta, result, err)) {
		json_decref(parsed);
		ctx_free(x);
		return;
	}
	if (err) {
		http_reply_error(x->sd, x->req, err, call->out_meta);
		ctx_free(x);
		return;
	}
	if (x->m->status)
		status = x->m->status;
	top = raw ? raw->summary : result;
	if (json_is_string(v = json_object_get(top, "next_cursor"))) {
		char hdr[2048];

		if ((link = next_link(x, json_string_value(v))) == NULL) {
			spend_errf(&e2, SPEND_ENOMEM, "", "out of memory");
			http_reply_error(x->sd, x->req, &e2, call->out_meta);
			ctx_free(x);
			return;
		}
		snprintf(hdr, sizeof(hdr), "<%s>; rel=\"next\"",
		    json_string_value(link));
		evhttp_add_header(out, "Link", hdr);
	} else if (json_object_get(top, "next_cursor"))
		link = json_null();
	if (json_is_integer(v = json_object_get(top, "version")) &&
	    json_object_get(top, "id")) {
		char etag[32];

		snprintf(etag, sizeof(etag), "\"%lld\"",
		    (long long)json_integer_value(v));
		evhttp_add_header(out, "ETag", etag);
	}
	if (raw) {
		size_t len = raw->len;
		char *text = link && raw->len >= 2 && raw->text[0] == '{' ?
		    raw_with(raw, "next", link, &len) : strdup(raw->text);

		if (text == NULL) {
			json_decref(link);
			spend_errf(&e2, SPEND_ENOMEM, "", "out of memory");
			http_reply_error(x->sd, x->req, &e2, call->out_meta);
			ctx_free(x);
			return;
		}
		http_reply_text(x->sd, x->req, status, text, len,
		    call->out_meta);
	} else {
		/* a shallow copy: result belongs to the dispatcher */
		json_t *body = json_is_object(result) ? json_copy(result) :
		    json_incref(result);

		if (link)
			json_object_set(body, "next", link);
		http_reply_json(x->sd, x->req, status, body, call->out_meta);
		json_decref(body);
	}
	json_decref(link);
	ctx_free(x);
}

void
rest_handle(struct spendd *sd, const struct rest *rest, struct httpd_req *req,
    const char *path, struct rpc_identity *id)
{
	const struct evhttp_uri *uri = httpd_uri(req);
	const char *verb;
	struct rest_ctx *x;
	struct spend_err err;
	char allow[64];
	json_t *params;
	int r;

	switch (httpd_method(req)) {
	case EVHTTP_REQ_GET: verb = "GET"; break;
	case EVHTTP_REQ_HEAD: verb = "HEAD"; break;
	case EVHTTP_REQ_POST: verb = "POST"; break;
	case EVHTTP_REQ_PUT: verb = "PUT"; break;
	case EVHTTP_REQ_PATCH: verb = "PATCH"; break;
	case EVHTTP_REQ_DELETE: verb = "DELETE"; break;
	default: verb = "?"; break;
	}
	x = xcalloc(1, sizeof(*x));
	params = jp_pack("{}");
	x->sd = sd;
	x->req = req;
	x->verb = verb_bit(verb);
	r = rest_match(rest, verb, path, &x->m, params, allow, sizeof(allow));
	if (r == SPEND_EINVAL) {
		evhttp_add_header(httpd_output_headers(req), "Allow",
		    allow);
		spend_errf(&err, SPEND_EINVAL, "", "%s is not allowed on %s "
		    "(allowed: %s)", verb, path, allow);
		http_reply_status(sd, req, 405, &err, NULL);
		goto fail;
	}
	if (r < 0) {
		spend_errf(&err, SPEND_ENOTFOUND, "", "no API route %s %s (see "
		    "GET /api/v1/methods)", verb, path);
		http_reply_error(sd, req, &err, NULL);
		goto fail;
	}
	x->path = strdup(evhttp_uri_get_path(uri));
	x->query = evhttp_uri_get_query(uri) ?
	    strdup(evhttp_uri_get_query(uri)) : NULL;
	if (x->path == NULL || (r = build_params(x, params, &err)) < 0) {
		if (x->path == NULL)
			spend_errf(&err, SPEND_ENOMEM, "", "out of memory");
		http_reply_error(sd, req, &err, NULL);
		goto fail;
	}
	if (x->m->flags & RPC_UPLOAD) {
		/* the body is the file, spooled by http.c (on_head) */
		httpd_spool_take(req, x->upload, sizeof(x->upload));
		strlcpy(id->upload, x->upload, sizeof(id->upload));
	}
	id->download = (x->m->flags & RPC_DOWNLOAD) != 0;
	id->raw_ok = true;	/* rest_done takes raw results */
	rpc_invoke_grouped(sd, id, x->m->name, params, rest_done, x);
	json_decref(params);
	return;
fail:
	json_decref(params);
	ctx_free(x);
}
