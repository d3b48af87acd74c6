/* The web UI's files: GET and HEAD of [http] webui, with ETags; never a
 * directory listing, a dotfile or a path out of the folder.
 *
 * Text files go out gzip-compressed to a client that takes it. They are
 * compressed once, on a worker (all of them as spendd starts), and kept
 * in memory with the size and mtime they were made from: a file edited
 * since is served as it is until its new copy is made. The whole web UI
 * is ~200 KB, its copies ~60 KB, so memory is no concern; the cache is
 * the loop thread's alone (jobs hand their results over in done). */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "http_reply.h"
#include "http_static.h"
#include "httpd.h"
#include "jobs.h"
#include "log.h"
#include "spendd.h"
#include "util.h"
#include "xmalloc.h"

/*
 * A file's bytes into b; fd is closed on every path (with b, or here).
 * Up to READ_MAX the file is read into memory: libevent's default maps
 * it, and the unmap once the reply is sent is a TLB shootdown on every
 * CPU that runs a thread of spendd — a third of the CPU of serving a
 * 14 KB file under wrk, and an interruption of the loop and workers each
 * time. Larger files are mapped, as before.
 */
#define READ_MAX (1024 * 1024)

static int
add_file(struct evbuffer *b, int fd, off_t size)
{
	unsigned flags = EVBUF_FS_CLOSE_ON_FREE | EVBUF_FS_DISABLE_LOCKING;
	struct evbuffer_file_segment *seg;

	if (size <= READ_MAX)
		flags |= EVBUF_FS_DISABLE_MMAP | EVBUF_FS_DISABLE_SENDFILE;
	if ((seg = evbuffer_file_segment_new(fd, 0, size, flags)) == NULL) {
		close(fd);	/* not closed by a segment never made */
		return -1;
	}
	/* on failure libevent has dropped the segment (and closed fd) */
	if (evbuffer_add_file_segment(b, seg, 0, size) < 0)
		return -1;
	evbuffer_file_segment_free(seg);	/* b holds its own reference */
	return 0;
}

/* a compressed copy of one file (or the decision that it is not worth it) */
struct gz_file {
	struct gz_file *next;
	char *path;		/* realpath */
	off_t size;		/* of the file it was made from */
	struct timespec mtime;
	unsigned char *data;	/* the gzip member; NULL: serve it plain */
	size_t len;
	bool pending;		/* a job is making it */
};

struct http_static {
	struct spendd *sd;
	char root[PATH_MAX];	/* realpath of the web UI, "" = none */
	struct gz_file *files;
	int jobs;		/* compress jobs out (a few at most) */
};

#define GZ_MAX_FILE	(4 << 20)	/* larger files go out as they are */
#define GZ_MIN_FILE	256		/* smaller ones gain nothing */
#define GZ_MAX_JOBS	4
#define GZ_MAX_DEPTH	8

/* ---- static files ---- */

/* zip: worth compressing (text); images and fonts are compressed already */
static const struct type {
	const char *ext, *type;
	bool zip;
} types[] = {
	{ "html", "text/html; charset=utf-8", true },
	{ "css", "text/css; charset=utf-8", true },
	{ "js", "text/javascript; charset=utf-8", true },
	{ "mjs", "text/javascript; charset=utf-8", true },
	{ "json", "application/json", true },
	{ "map", "application/json", true },
	{ "webmanifest", "application/manifest+json", true },
	{ "svg", "image/svg+xml", true },
	{ "png", "image/png", false },
	{ "jpg", "image/jpeg", false },
	{ "jpeg", "image/jpeg", false },
	{ "gif", "image/gif", false },
	{ "webp", "image/webp", false },
	{ "ico", "image/vnd.microsoft.icon", true },
	{ "woff2", "font/woff2", false },
	{ "woff", "font/woff", false },
	{ "txt", "text/plain; charset=utf-8", true },
	{ "wasm", "application/wasm", true },
};

static const struct type *
type_of(const char *path)
{
	static const struct type other = { "", "application/octet-stream",
	    false };
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');

	if (dot && (slash == NULL || dot > slash))
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcasecmp_ascii(dot + 1, types[i].ext) == 0)
				return &types[i];
	return &other;
}

/* Does Accept-Encoding take gzip? "gzip", "gzip;q=0.5", not "gzip;q=0". */
static bool
takes_gzip(const char *ae)
{
	while (ae && *ae) {
		size_t n;
		const char *q;

		ae += strspn(ae, " \t,");
		n = strcspn(ae, " \t;,");
		if (n == 4 && (ae[0] | 0x20) == 'g' && (ae[1] | 0x20) == 'z' &&
		    (ae[2] | 0x20) == 'i' && (ae[3] | 0x20) == 'p') {
			/* the rest of this member: ";q=0" refuses it */
			const char *end = ae + strcspn(ae, ",");

			for (q = ae + 4; q < end; q++)
				if ((*q == 'q' || *q == 'Q') && q[1] == '=') {
					q += 2;
					while (q < end && (*q == '0' || *q == '.'))
						q++;
					return !(q == end || *q == ' ' ||
					    *q == '\t' || *q == ';');
				}
			return true;
		}
		ae += strcspn(ae, ",");
	}
	return false;
}

/* ---- the compressed copies ---- */

static bool
same_file(const struct gz_file *g, const struct stat *sb)
{
	return g->size == sb->st_size &&
	    g->mtime.tv_sec == sb->st_mtim.tv_sec &&
	    g->mtime.tv_nsec == sb->st_mtim.tv_nsec;
}

/* path read and compressed into g (a worker); g->data stays NULL when
 * the file is too small, too large, unreadable or does not shrink */
static void
gz_make(struct gz_file *g)
{
	struct stat sb;
	unsigned char *in = NULL, *out = NULL;
	z_stream zs;
	size_t got = 0;
	ssize_t r;
	int fd;

	if ((fd = open(g->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode))
		goto done;
	g->size = sb.st_size;
	g->mtime = sb.st_mtim;
	if (sb.st_size < GZ_MIN_FILE || sb.st_size > GZ_MAX_FILE ||
	    (in = malloc(sb.st_size)) == NULL)
		goto done;
	while (got < (size_t)sb.st_size &&
	    (r = read(fd, in + got, sb.st_size - got)) > 0)
		got += r;
	if (got != (size_t)sb.st_size)
		goto done;
	memset(&zs, 0, sizeof(zs));
	/* windowBits 15 + 16: a gzip header and trailer, not zlib's */
	if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		goto done;
	zs.avail_out = deflateBound(&zs, got);
	if ((out = malloc(zs.avail_out)) != NULL) {
		zs.next_in = in;
		zs.avail_in = got;
		zs.next_out = out;
		if (deflate(&zs, Z_FINISH) == Z_STREAM_END &&
		    zs.total_out < got) {
			g->data = out;
			g->len = zs.total_out;
			out = NULL;
		}
	}
	deflateEnd(&zs);
done:
	free(out);
	free(in);
	close(fd);
}

static void
gz_free(struct gz_file *g)
{
	free(g->path);
	free(g->data);
	free(g);
}

static struct gz_file *
gz_find(struct http_static *hs, const char *path)
{
	for (struct gz_file *g = hs->files; g; g = g->next)
		if (strcmp(g->path, path) == 0)
			return g;
	return NULL;
}

/* a finished copy replaces the cache's (loop thread) */
static void
gz_keep(struct http_static *hs, struct gz_file *g)
{
	struct gz_file **pp;

	for (pp = &hs->files; *pp; pp = &(*pp)->next)
		if (strcmp((*pp)->path, g->path) == 0) {
			g->next = (*pp)->next;
			gz_free(*pp);
			*pp = g;
			return;
		}
	g->next = hs->files;
	hs->files = g;
}

struct gz_job {
	struct http_static *hs;
	struct gz_file *files;	/* made by fn, kept by done */
};

/* every compressible file under dir (dotfiles skipped, as they are
 * never served) */
static void
gz_walk(struct job *job, struct gz_job *gj, const char *dir, int depth)
{
	DIR *d;
	struct dirent *de;
	char path[PATH_MAX];
	struct stat sb;

	if (depth > GZ_MAX_DEPTH || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL && !jobs_cancelled(job)) {
		struct gz_file *g;
		int n;

		if (de->d_name[0] == '.')
			continue;
		n = snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (n < 0 || (size_t)n >= sizeof(path) ||
		    lstat(path, &sb) < 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			gz_walk(job, gj, path, depth + 1);
			continue;
		}
		if (!S_ISREG(sb.st_mode) || !type_of(path)->zip ||
		    (g = calloc(1, sizeof(*g))) == NULL)
			continue;
		if ((g->path = strdup(path)) == NULL) {
			free(g);
			continue;
		}
		gz_make(g);
		g->next = gj->files;
		gj->files = g;
	}
	closedir(d);
}

static void
gz_job_warm(struct job *job, void *arg)
{
	struct gz_job *gj = arg;

	gz_walk(job, gj, gj->hs->root, 0);
}

static void
gz_job_one(struct job *job, void *arg)
{
	struct gz_job *gj = arg;

	gz_make(gj->files);
}

static void
gz_job_done(struct job *job, void *arg)
{
	struct gz_job *gj = arg;
	struct gz_file *g;

	while ((g = gj->files) != NULL) {
		gj->files = g->next;
		g->pending = false;
		gz_keep(gj->hs, g);
	}
	gj->hs->jobs--;
	free(gj);
}

/* 0, or -1: not submitted (spendd is stopping), one freed */
static int
gz_submit(struct http_static *hs, job_fn fn, struct gz_file *one)
{
	struct gz_job *gj = xcalloc(1, sizeof(*gj));
	struct spend_err err;

	gj->hs = hs;
	gj->files = one;
	hs->jobs++;
	/* an export's kind: a file made for a download, off the loop */
	if (jobs_submit(hs->sd, JOB_EXPORT, fn, gz_job_done, gj, &err) < 0) {
		if (one)
			gz_free(one);
		hs->jobs--;
		free(gj);
		return -1;
	}
	return 0;
}

/* The copy of real to send, or NULL: send the file. A missing or stale
 * copy is made on a worker for the next request. */
static const struct gz_file *
gz_copy(struct http_static *hs, const char *real, const struct stat *sb)
{
	struct gz_file *g = gz_find(hs, real), *n;

	if (g && same_file(g, sb))
		return g->data ? g : NULL;
	if ((g && g->pending) || hs->jobs >= GZ_MAX_JOBS)
		return NULL;
	n = xcalloc(1, sizeof(*n));
	n->path = xstrdup(real);
	if (g)
		g->pending = true;
	else {
		/* a placeholder, so that one job at a time makes it */
		g = xcalloc(1, sizeof(*g));
		g->path = xstrdup(real);
		g->pending = true;
		g->size = -1;
		gz_keep(hs, g);
	}
	/* not submitted: not pending either, so a later request tries again */
	if (gz_submit(hs, gz_job_one, n) < 0)
		g->pending = false;
	return NULL;
}

struct http_static *
http_static_new(struct spendd *sd, const char *dir)
{
	struct http_static *hs = xcalloc(1, sizeof(*hs));

	hs->sd = sd;
	if (realpath(dir, hs->root) == NULL) {
		log_warnx("http: web UI %s: %s; serving the API only", dir,
		    strerror(errno));
		hs->root[0] = '\0';
		return hs;
	}
	(void)gz_submit(hs, gz_job_warm, NULL);
	return hs;
}

const char *
http_static_root(const struct http_static *hs)
{
	return hs->root;
}

void
http_static_free(struct http_static *hs)
{
	struct gz_file *g;

	if (hs == NULL)
		return;
	while ((g = hs->files) != NULL) {
		hs->files = g->next;
		gz_free(g);
	}
	free(hs);
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
http_static_serve(struct http_static *hs, struct httpd_req *req,
    const char *path)
{
	struct spendd *sd = hs->sd;
	const char *root = hs->root;
	struct evkeyvalq *o = httpd_output_headers(req);
	char file[PATH_MAX], real[PATH_MAX], etag[64];
	const char *inm;
	const struct type *type;
	const struct gz_file *gz = NULL;
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
	type = type_of(real);
	if (type->zip && takes_gzip(evhttp_find_header(httpd_input_headers(req),
	    "Accept-Encoding")))
		gz = gz_copy(hs, real, &sb);
	/* each form has its own tag: a cache must not answer a gzip
	 * request's If-None-Match with the plain body's 304, or the reverse */
	snprintf(etag, sizeof(etag), "\"%llx-%llx%s\"",
	    (unsigned long long)sb.st_size,
	    (unsigned long long)sb.st_mtim.tv_sec * 1000000000ULL +
	    (unsigned long long)sb.st_mtim.tv_nsec, gz ? "-gz" : "");
	http_reply_headers(sd, req);
	evhttp_add_header(o, "ETag", etag);
	evhttp_add_header(o, "Cache-Control", "no-cache");
	if (type->zip)
		evhttp_add_header(o, "Vary", "Accept-Encoding");
	inm = evhttp_find_header(httpd_input_headers(req),
	    "If-None-Match");
	if (inm && (strstr(inm, etag) || !strcmp(inm, "*"))) {
		close(fd);
		b = evbuffer_new();
		http_reply_send(req, 304, b);
		evbuffer_free(b);
		return;
	}
	evhttp_add_header(o, "Content-Type", type->type);
	b = evbuffer_new();
	if (gz) {
		close(fd);
		evhttp_add_header(o, "Content-Encoding", "gzip");
		evbuffer_add(b, gz->data, gz->len);
	} else if (sb.st_size > 0) {
		if (add_file(b, fd, sb.st_size) < 0) {
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
