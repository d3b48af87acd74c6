/* The web UI's files: GET and HEAD of [http] webui, with ETags; never a
 * directory listing, a dotfile or a path out of the folder. */
#include <sys/stat.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http_reply.h"
#include "http_static.h"
#include "httpd.h"
#include "spendd.h"
#include "util.h"

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
not_found(struct spendd *sd, struct httpd_req *req, const char *path)
{
	struct spend_err err;

	spend_errf(&err, SPEND_ENOTFOUND, "", "%.200s: no such file", path);
	http_reply_status(sd, req, 404, &err, NULL);
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

void
http_static_serve(struct spendd *sd, struct httpd_req *req, const char *root,
    const char *path)
{
	struct evkeyvalq *o = httpd_output_headers(req);
	char file[PATH_MAX], real[PATH_MAX], etag[64];
	const char *inm;
	struct stat sb;
	struct evbuffer *b;
	size_t wl = strlen(root);
	int fd, n;

	if (httpd_method(req) != EVHTTP_REQ_GET &&
	    httpd_method(req) != EVHTTP_REQ_HEAD) {
		struct spend_err err;

		evhttp_add_header(o, "Allow", "GET, HEAD");
		spend_errf(&err, SPEND_EINVAL, "", "static files take GET or HEAD");
		http_reply_status(sd, req, 405, &err, NULL);
		return;
	}
	if (root[0] == '\0' || !path_safe(path)) {
		not_found(sd, req, path);
		return;
	}
	n = snprintf(file, sizeof(file), "%s%s%s", root, path,
	    path[strlen(path) - 1] == '/' ? "index.html" : "");
	if (n < 0 || (size_t)n >= sizeof(file) || stat(file, &sb) < 0) {
		not_found(sd, req, path);
		return;
	}
	/* a directory: its index.html or nothing (never a listing) */
	if (S_ISDIR(sb.st_mode) && (strlcat(file, "/index.html", sizeof(file)) >=
	    sizeof(file) || stat(file, &sb) < 0)) {
		not_found(sd, req, path);
		return;
	}
	/* symlinks may not lead out of the web UI */
	if (realpath(file, real) == NULL || strncmp(real, root, wl) != 0 ||
	    real[wl] != '/' ||
	    (fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		not_found(sd, req, path);
		return;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		not_found(sd, req, path);
		return;
	}
	snprintf(etag, sizeof(etag), "\"%llx-%llx\"",
	    (unsigned long long)sb.st_size,
	    (unsigned long long)sb.st_mtim.tv_sec * 1000000000ULL +
	    (unsigned long long)sb.st_mtim.tv_nsec);
	http_reply_headers(sd, req);
	evhttp_add_header(o, "ETag", etag);
	evhttp_add_header(o, "Cache-Control", "no-cache");
	inm = evhttp_find_header(httpd_input_headers(req),
	    "If-None-Match");
	if (inm && (strstr(inm, etag) || !strcmp(inm, "*"))) {
		close(fd);
		b = evbuffer_new();
		http_reply_send(req, 304, b);
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
			http_reply_status(sd, req, 500, &err, NULL);
			return;
		}
	} else
		close(fd);
	http_reply_send(req, 200, b);
	evbuffer_free(b);
}
