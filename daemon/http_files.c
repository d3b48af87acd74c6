/* POST /api/v1/imports (upload) and GET /api/v1/exports/{format}
 * (download): files in and out of the import and export jobs. */
#include <sys/queue.h>
#include <sys/stat.h>

#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export.h"
#include "http.h"
#include "httpd.h"
#include "http_files.h"
#include "import.h"
#include "log.h"
#include "spendd.h"
#include "util.h"

#define EXPORTS "/api/v1/exports/"

struct upload {
	struct spendd *sd;
	struct httpd_req *req;
	char tmp[PATH_MAX];
};

struct download {
	struct spendd *sd;
	struct httpd_req *req;
	int fd;
	char format[PLUGIN_NAME_MAX + 1];
};

/* The query string as a JSON object of strings; "option.K" and "map.F"
 * become the objects options and map. */
static int
query_params(struct httpd_req *req, json_t *params, bool nested,
    struct spend_err *err)
{
	const struct evhttp_uri *uri = httpd_uri(req);
	const char *q = uri ? evhttp_uri_get_query(uri) : NULL;
	struct evkeyvalq kv;
	struct evkeyval *e;
	int r = 0;

	if (q == NULL || *q == '\0')
		return 0;
	TAILQ_INIT(&kv);
	if (evhttp_parse_query_str(q, &kv) < 0) {
		evhttp_clear_headers(&kv);
		return spend_errf(err, SPEND_EINVAL, "", "malformed query "
		    "string");
	}
	TAILQ_FOREACH(e, &kv, next) {
		const char *key = e->key, *sub = NULL;
		json_t *dst = params, *v;

		if (!utf8_valid(e->key, strlen(e->key)) ||
		    !utf8_valid(e->value, strlen(e->value))) {
			r = spend_errf(err, SPEND_EINVAL, "", "query is not "
			    "UTF-8");
			break;
		}
		if (nested && !strncmp(key, "option.", 7))
			sub = "options";
		else if (nested && !strncmp(key, "map.", 4))
			sub = "map";
		if (sub) {
			if ((dst = json_object_get(params, sub)) == NULL) {
				dst = json_object();
				json_object_set_new(params, sub, dst);
			}
			key = strchr(key, '.') + 1;
		}
		if ((v = json_object_get(dst, key)) != NULL) {
			r = spend_errf(err, SPEND_EINVAL, key, "%s given twice",
			    e->key);
			break;
		}
		json_object_set_new(dst, key, json_string(e->value));
	}
	evhttp_clear_headers(&kv);
	return r;
}

/* The authenticated user (HTTP acts for no one else). */
static int
http_user(struct spendd *sd, const struct rpc_identity *id, struct user *u,
    struct spend_err *err)
{
	int r;

	if (id->role < ROLE_USER || id->uid == 0)
		return spend_errf(err, SPEND_EAUTH, "", "log in first "
		    "(Authorization: Bearer ACCESS_TOKEN)");
	if ((r = store_user_get(sd->store, id->uid, u, err)) == SPEND_ENOTFOUND)
		return spend_errf(err, SPEND_EAUTH, "", "this account no longer "
		    "exists");
	return r;
}

static bool
method_is(struct httpd_req *req, enum evhttp_cmd_type want, const char *allow,
    struct spendd *sd)
{
	enum evhttp_cmd_type c = httpd_method(req);
	struct spend_err err;

	if (c == want || (want == EVHTTP_REQ_GET && c == EVHTTP_REQ_HEAD))
		return true;
	evhttp_add_header(httpd_output_headers(req), "Allow",
	    allow);
	spend_errf(&err, SPEND_EINVAL, "", "this route takes %s", allow);
	http_reply_status(sd, req, 405, &err);
	return false;
}

/* ---- imports ---- */

static void
upload_done(json_t *result, const struct spend_err *err, void *arg)
{
	struct upload *up = arg;

	unlink(up->tmp);
	if (result)
		http_reply_json(up->sd, up->req, 200, result, NULL);
	else
		http_reply_error(up->sd, up->req, err, NULL);
	free(up);
}

static void
serve_import(struct spendd *sd, struct httpd_req *req,
    const struct rpc_identity *id)
{
	size_t len = httpd_body_length(req);
	struct import_params ip;
	struct spend_err err;
	struct upload *up = NULL;
	struct user u;
	json_t *p = json_object(), *fn;
	char filename[sizeof(ip.filename)] = "";
	int r;

	memset(&ip, 0, sizeof(ip));
	if (!method_is(req, EVHTTP_REQ_POST, "POST", sd))
		goto out;
	if ((r = http_user(sd, id, &u, &err)) < 0)
		goto fail;
	if (len == 0 || httpd_spool_path(req)[0] == '\0') {
		spend_errf(&err, SPEND_EINVAL, "", "the body is the file to "
		    "import, and it is empty");
		goto fail;
	}
	if (query_params(req, p, true, &err) < 0)
		goto fail;
	/* the original name tells the format by its extension */
	if ((fn = json_object_get(p, "filename")) != NULL) {
		const char *s = json_string_value(fn), *slash = strrchr(s, '/');

		strlcpy(filename, slash ? slash + 1 : s, sizeof(filename));
		json_object_del(p, "filename");
	}
	if (import_params_from_json(p, false, &ip, &err) < 0)
		goto fail;
	if ((up = calloc(1, sizeof(*up))) == NULL) {
		spend_errf(&err, SPEND_ENOMEM, "", "out of memory");
		goto fail;
	}
	up->sd = sd;
	up->req = req;
	/* http.c spooled the body to a file as it came (on_head) */
	httpd_spool_take(req, up->tmp, sizeof(up->tmp));
	strlcpy(ip.path, up->tmp, sizeof(ip.path));
	strlcpy(ip.filename, filename[0] ? filename : "upload",
	    sizeof(ip.filename));
	if (import_start(sd, &u, &ip, upload_done, up, &err) < 0)
		goto fail;
	up = NULL;		/* upload_done has it */
	goto out;
fail:
	if (up) {
		if (up->tmp[0])
			unlink(up->tmp);
		free(up);
	}
	http_reply_error(sd, req, &err, NULL);
out:
	import_params_free(&ip);
	json_decref(p);
}

/* ---- exports ---- */

static void
download_done(json_t *result, const struct spend_err *err, void *arg)
{
	struct download *dl = arg;
	struct evkeyvalq *o = httpd_output_headers(dl->req);
	struct evbuffer *b;
	struct spend_err e2;
	char disp[128], day[DATE_LEN + 1];
	const char *ext;
	struct stat sb;

	if (result == NULL) {
		http_reply_error(dl->sd, dl->req, err, NULL);
		goto out;
	}
	if (fstat(dl->fd, &sb) < 0 || (b = evbuffer_new()) == NULL) {
		spend_errf(&e2, SPEND_EINTERNAL, "", "cannot read the export");
		http_reply_error(dl->sd, dl->req, &e2, NULL);
		goto out;
	}
	date_today(NULL, day);
	ext = json_string_value(json_object_get(result, "extension"));
	snprintf(disp, sizeof(disp), "attachment; filename=\"spend-%s.%s\"",
	    day, ext && *ext ? ext : dl->format);
	evhttp_add_header(o, "Content-Disposition", disp);
	evhttp_add_header(o, "Cache-Control", "no-store");
	/* the file goes out with sendfile; the buffer owns fd now */
	if (sb.st_size > 0) {
		if (evbuffer_add_file(b, dl->fd, 0, sb.st_size) < 0) {
			evbuffer_free(b);
			spend_errf(&e2, SPEND_EINTERNAL, "", "cannot send the "
			    "export");
			http_reply_error(dl->sd, dl->req, &e2, NULL);
			goto out;
		}
		dl->fd = -1;
	}
	http_reply_body(dl->sd, dl->req, 200, json_string_value(
	    json_object_get(result, "mime_type")), b);
	evbuffer_free(b);
out:
	if (dl->fd >= 0)
		close(dl->fd);
	free(dl);
}

static void
serve_export(struct spendd *sd, struct httpd_req *req,
    const char *format, const struct rpc_identity *id)
{
	struct export_params ep;
	struct download *dl = NULL;
	struct spend_err err;
	struct user u;
	json_t *p = json_object();
	char tmp[PATH_MAX];
	int r;

	memset(&ep, 0, sizeof(ep));
	ep.fd = -1;
	if (!method_is(req, EVHTTP_REQ_GET, "GET, HEAD", sd))
		goto out;
	if ((r = http_user(sd, id, &u, &err)) < 0)
		goto fail;
	if (query_params(req, p, false, &err) < 0)
		goto fail;
	if (json_object_get(p, "format")) {
		spend_errf(&err, SPEND_EINVAL, "format", "the format is in the "
		    "path: /api/v1/exports/FORMAT");
		goto fail;
	}
	json_object_set_new(p, "format", json_string(format));
	if (export_params_from_json(sd->store, u.id, p, false, &ep, &err) < 0)
		goto fail;
	if ((dl = calloc(1, sizeof(*dl))) == NULL) {
		spend_errf(&err, SPEND_ENOMEM, "", "out of memory");
		goto fail;
	}
	dl->sd = sd;
	dl->req = req;
	strlcpy(dl->format, ep.format, sizeof(dl->format));
	/* unlinked at once: nothing to clean up, whatever happens */
	snprintf(tmp, sizeof(tmp), "%s/export.XXXXXX", sd->cfg.data_dir);
	if ((dl->fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		log_warn("http: export: mkstemp %s", tmp);
		spend_errf(&err, SPEND_EINTERNAL, "", "cannot make a temporary "
		    "file");
		goto fail;
	}
	unlink(tmp);
	ep.fd = dl->fd;
	if (export_start(sd, &u, &ep, download_done, dl, &err) < 0)
		goto fail;
	dl = NULL;		/* download_done has it */
	goto out;
fail:
	if (dl) {
		if (dl->fd >= 0)
			close(dl->fd);
		free(dl);
	}
	http_reply_error(sd, req, &err, NULL);
out:
	export_params_free(&ep);
	json_decref(p);
}

bool
http_files_handle(struct spendd *sd, struct httpd_req *req,
    const char *path, const struct rpc_identity *id)
{
	if (!strcmp(path, HTTP_FILES_IMPORTS)) {
		serve_import(sd, req, id);
		return true;
	}
	if (!strncmp(path, EXPORTS, strlen(EXPORTS)) &&
	    path[strlen(EXPORTS)] != '\0' &&
	    !strchr(path + strlen(EXPORTS), '/')) {
		serve_export(sd, req, path + strlen(EXPORTS), id);
		return true;
	}
	return false;
}
