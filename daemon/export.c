/* Export jobs (exporter plugins): the host iterates, the plugin writes;
 * the totals exporters and report plugins (report.c) share. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain.h"
#include "shapes.h"
#include "export.h"
#include "handlers.h"
#include "jobs.h"
#include "jsonp.h"
#include "log.h"
#include "money.h"
#include "plugin.h"
#include "report_job.h"
#include "spendd.h"
#include "util.h"
#include "xmalloc.h"

#define PAGE 256		/* rows per keyset page */
#define OUTBUF 65536		/* bytes buffered before a write(2) */

struct spend_export {
	struct spendd *sd;
	struct user user;
	struct export_params p;		/* own copy; p.filters owned */
	const struct spend_exporter *vt;
	struct spend_plugin *self;
	struct store *st;		/* the worker's own connection */

	struct expense_filter f;	/* p.filter + the keyset cursor */
	struct expense *page;
	size_t n, pos;
	bool started;
	int64_t pass_rows, rows;	/* this pass, most of any pass */
	char amount[MONEY_STR_MAX];	/* the current record's */
	const struct expense *cur;	/* the current record */
	struct spend_part parts[EXPENSE_PARTS_MAX];	/* its parts */
	char part_amounts[EXPENSE_PARTS_MAX][MONEY_STR_MAX];
	char tagbuf[TAGS_BUF];
	const char *tags[TAGS_MAX + 1];

	int fd;
	char tmp[PATH_MAX];		/* being written, "" with p.fd */
	char *out;
	size_t outlen;
	int64_t bytes;

	struct spend_export_info info;
	char generated[TIMESTAMP_LEN + 1];
	char filter_text[512];

	bool failed;
	struct spend_err err;
	struct report_names names;	/* export_cells' category names */

	export_done_fn done;
	void *arg;
	json_t *result;
	int rc;
};

static void
job_fail(struct spend_export *job, int code, const char *msg)
{
	if (job->failed)
		return;
	job->failed = true;
	spend_errf(&job->err, code, "", "%s", msg);
}

/* ---- params ---- */

static const char *const filter_keys[] = { "month", "from", "to",
	"category", "search", "min", "max", "currency", "tag", "sort",
	"order", NULL };

void
export_params_free(struct export_params *ep)
{
	json_decref(ep->filters);
	ep->filters = NULL;
}

int
export_params_from_json(struct store *st, int64_t uid, json_t *p,
    bool allow_path, struct export_params *ep, struct spend_err *err)
{
	int r;

	memset(ep, 0, sizeof(*ep));
	ep->fd = -1;
	ep->owner = (uid_t)-1;
	ep->filters = json_object();
	if (jp_str(p, "format", true, ep->format, sizeof(ep->format), NULL,
	    NULL, err) < 0 ||
	    jp_bool(p, "overwrite", &ep->overwrite, NULL, err) < 0)
		return SPEND_EINVAL;
	if ((r = expense_filter_from_json(st, uid, p, &ep->filter, err)) < 0)
		return r;
	ep->sorted = json_object_get(p, "sort") || json_object_get(p, "order");
	for (const char *const *k = filter_keys; *k; k++) {
		json_t *v = json_object_get(p, *k);

		if (v && !json_is_null(v))
			json_object_set(ep->filters, *k, v);
	}
	if (json_object_get(p, "path")) {
		if (!allow_path)
			return spend_errf(err, SPEND_EPERM, "path", "path: "
			    "spendd writes files only for administrators on "
			    "the control socket; download the export instead");
		if ((r = jp_str(p, "path", true, ep->path, sizeof(ep->path),
		    NULL, NULL, err)) < 0)
			return r;
		if (ep->path[0] != '/')
			return spend_errf(err, SPEND_EINVAL, "path", "path "
			    "\"%s\" must be absolute: spendd writes it, from its "
			    "own working directory", ep->path);
	}
	return 0;
}

/* ---- records ---- */

static int
page_cb(void *arg, const struct expense *e)
{
	struct spend_export *job = arg;

	job->page[job->n++] = *e;
	return 0;
}

static int
fetch_page(struct spend_export *job)
{
	struct spend_err err;
	const struct expense *last;

	if (job->started && job->n < PAGE)
		return 0;		/* that was the last page */
	if (job->started && job->n > 0) {
		last = &job->page[job->n - 1];
		store_expense_sort_key(last, job->f.sort, job->f.after_key,
		    sizeof(job->f.after_key), &job->f.after_num);
		job->f.after_id = last->id;
		job->f.after = true;
	}
	job->started = true;
	job->n = job->pos = 0;
	job->cur = NULL;
	job->f.limit = PAGE;
	if (store_expense_list(job->st, job->user.id, &job->f, page_cb, job,
	    &err) < 0) {
		job_fail(job, err.code, err.msg);
		return -1;
	}
	return job->n > 0;
}

int
export_api_next(struct spend_export *job, struct spend_record *rec)
{
	const struct currency *c;
	const struct expense *e;
	size_t nt = 0;
	int r;

	if (job->failed)
		return -1;
	if (plugins_cancelled(job->sd)) {
		job_fail(job, SPEND_EUNAVAIL, "spendd is shutting down");
		return -1;
	}
	if (job->pos == job->n && (r = fetch_page(job)) <= 0)
		return r;
	e = &job->page[job->pos++];
	c = money_currency(e->currency);
	memset(rec, 0, sizeof(*rec));
	money_format(e->amount, c ? c->exponent : 2, job->amount,
	    sizeof(job->amount));
	/* ",a,b," -> {"a", "b"}: NUL the separators of our own copy */
	strlcpy(job->tagbuf, e->tags, sizeof(job->tagbuf));
	if (job->tagbuf[0] == ',') {
		char *p = job->tagbuf + 1, *end;

		while (*p && nt < TAGS_MAX && (end = strchr(p, ',')) != NULL) {
			*end = '\0';
			job->tags[nt++] = p;
			p = end + 1;
		}
	}
	job->tags[nt] = NULL;
	rec->date = e->date;
	rec->amount = job->amount;
	rec->currency = e->currency;
	rec->category = e->category;
	rec->note = e->note;
	rec->payee = e->payee;
	rec->tags = job->tags;
	rec->ntags = nt;
	rec->source_id = e->import_key;
	rec->id = e->id;
	rec->amount_minor = e->amount;
	rec->exponent = c ? c->exponent : 2;
	rec->version = e->version;
	rec->created_at = e->created_at;
	rec->updated_at = e->updated_at;
	job->cur = e;
	if (++job->pass_rows > job->rows)
		job->rows = job->pass_rows;
	return 1;
}

size_t
export_api_parts(struct spend_export *job, const struct spend_part **parts)
{
	const struct expense *e = job->cur;
	const struct currency *c;

	*parts = job->parts;
	if (job->failed || e == NULL || e->nparts <= 0)
		return 0;
	c = money_currency(e->currency);
	for (int i = 0; i < e->nparts && i < EXPENSE_PARTS_MAX; i++) {
		struct spend_part *p = &job->parts[i];

		money_format(e->parts[i].amount, c ? c->exponent : 2,
		    job->part_amounts[i], sizeof(job->part_amounts[i]));
		p->amount = job->part_amounts[i];
		p->category = e->parts[i].category;
		p->note = e->parts[i].note;
		p->amount_minor = e->parts[i].amount;
		p->category_id = e->parts[i].category_id;
	}
	return (size_t)e->nparts;
}

int
export_api_rewind(struct spend_export *job)
{
	if (job->failed)
		return -1;
	job->f = job->p.filter;
	if (!job->p.sorted) {
		job->f.sort = SORT_DATE;
		job->f.desc = false;
	}
	job->n = job->pos = 0;
	job->cur = NULL;
	job->started = false;
	job->pass_rows = 0;
	return 0;
}

/* ---- output ---- */

static int
flush_out(struct spend_export *job)
{
	size_t off = 0;

	while (off < job->outlen) {
		ssize_t n = write(job->fd, job->out + off, job->outlen - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			char msg[PATH_MAX + 64];
			int e = n < 0 ? errno : 0;

			snprintf(msg, sizeof(msg), "write %s: %s",
			    job->p.path[0] ? job->p.path : "output",
			    e ? strerror(e) : "no progress");
			job_fail(job, spend_err_errno(e, SPEND_ESTORE), msg);
			return -1;
		}
		off += (size_t)n;
	}
	job->outlen = 0;
	return 0;
}

int
export_api_write(struct spend_export *job, const void *buf, size_t len)
{
	if (job->failed || (len > 0 && buf == NULL))
		return -1;
	if (plugins_cancelled(job->sd)) {
		job_fail(job, SPEND_EUNAVAIL, "spendd is shutting down");
		return -1;
	}
	while (len > 0) {
		size_t k = OUTBUF - job->outlen;

		if (k > len)
			k = len;
		memcpy(job->out + job->outlen, buf, k);
		job->outlen += k;
		job->bytes += (int64_t)k;
		buf = (const char *)buf + k;
		len -= k;
		if (job->outlen == OUTBUF && flush_out(job) < 0)
			return -1;
	}
	return 0;
}

const struct spend_export_info *
export_api_info(struct spend_export *job)
{
	return &job->info;
}

void
export_api_error(struct spend_export *job, const char *fmt, ...)
{
	char msg[SPEND_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!utf8_valid(msg, strlen(msg)))
		strlcpy(msg, "(message not valid UTF-8)", sizeof(msg));
	job_fail(job, SPEND_EINVAL, msg);
}

/* ---- totals (exports and reports) ---- */

struct totals_ctx {
	int (*cb)(void *, const struct spend_total *);
	void *arg;
};

static int
totals_cb(void *arg, const struct store_total *t)
{
	struct totals_ctx *tc = arg;
	const struct currency *c = money_currency(t->currency);
	struct spend_total st = { t->key, t->currency, t->count, t->sum,
	    c ? c->exponent : 2 };

	return tc->cb(tc->arg, &st) != 0 ? 1 : 0;
}

bool
export_group_ok(enum spend_group g)
{
	return g == SPEND_GROUP_CATEGORY || g == SPEND_GROUP_MONTH ||
	    g == SPEND_GROUP_DAY;
}

static enum store_group
store_group_of(enum spend_group g)
{
	return g == SPEND_GROUP_MONTH ? STORE_GROUP_MONTH :
	    g == SPEND_GROUP_DAY ? STORE_GROUP_DAY : STORE_GROUP_CATEGORY;
}

int
export_totals(struct store *st, int64_t uid, const struct expense_filter *f,
    enum spend_group group, int (*cb)(void *, const struct spend_total *),
    void *arg, struct spend_err *err)
{
	struct totals_ctx tc = { cb, arg };

	return store_report_totals(st, uid, f, store_group_of(group), totals_cb,
	    &tc, err);
}

int
export_api_totals(struct spend_export *job, enum spend_group group,
    int (*cb)(void *, const struct spend_total *), void *arg)
{
	struct spend_err err;
	int r;

	if (job->failed || cb == NULL)
		return -1;
	if (!export_group_ok(group)) {
		job_fail(job, SPEND_EINVAL, "export_totals: unknown group");
		return -1;
	}
	r = export_totals(job->st, job->user.id, &job->p.filter, group, cb,
	    arg, &err);
	if (r < 0) {
		job_fail(job, err.code, err.msg);
		return -1;
	}
	return r ? -1 : 0;
}

int
export_api_cells(struct spend_export *job, const char *from, const char *to,
    enum spend_cells by, int (*cb)(void *, const struct spend_cell *),
    void *arg)
{
	struct spend_err err;
	int r;

	if (job->failed || cb == NULL)
		return -1;
	spend_err_clear(&err);
	r = report_cells_walk(job->st, &job->user, &job->names, from, to, by,
	    cb, arg, &err);
	if (r < 0) {
		job_fail(job, err.code, err.msg);
		return -1;
	}
	return r ? -1 : 0;
}

/* ---- the job ---- */

static void
build_info(struct spend_export *job)
{
	const char *k;
	json_t *v;

	timestamp_now(job->generated);
	job->filter_text[0] = '\0';
	for (const char *const *key = filter_keys; (k = *key); key++) {
		char one[160], num[32];
		const char *s;

		if (!strcmp(k, "sort") || !strcmp(k, "order") ||
		    !strcmp(k, "from") || !strcmp(k, "to") ||
		    !strcmp(k, "month"))
			continue;	/* the period is in from/to */
		if ((v = json_object_get(job->p.filters, k)) == NULL)
			continue;
		if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%lld",
			    (long long)json_integer_value(v));
			s = num;
		} else if ((s = json_string_value(v)) == NULL)
			continue;
		snprintf(one, sizeof(one), "%s%s %s", job->filter_text[0] ?
		    ", " : "", k, s);
		strlcat(job->filter_text, one, sizeof(job->filter_text));
	}
	job->info.user = job->user.name;
	job->info.base_currency = job->user.currency;
	job->info.from = job->p.filter.from;
	job->info.to = job->p.filter.to;
	job->info.generated_at = job->generated;
	job->info.filter_text = job->filter_text;
}

static int
open_output(struct spend_export *job, struct spend_err *err)
{
	struct stat sb;

	if (job->p.fd >= 0) {
		job->fd = job->p.fd;
		return 0;
	}
	if (lstat(job->p.path, &sb) == 0) {
		if (!S_ISREG(sb.st_mode))
			return spend_errf(err, SPEND_EINVAL, "path", "%s exists "
			    "and is not a regular file", job->p.path);
		if (!job->p.overwrite)
			return spend_errf(err, SPEND_ECONFLICT, "path", "%s "
			    "exists (overwrite to replace it)", job->p.path);
	}
	if ((size_t)snprintf(job->tmp, sizeof(job->tmp), "%s.XXXXXX",
	    job->p.path) >= sizeof(job->tmp))
		return spend_errf(err, SPEND_EINVAL, "path", "path too long");
	if ((job->fd = mkostemp(job->tmp, O_CLOEXEC)) < 0) {
		int e = errno;

		job->tmp[0] = '\0';
		return spend_errf(err, SPEND_EINVAL, "path", "cannot create a "
		    "file next to %s: %s", job->p.path, strerror(e));
	}
	/* 0600 from mkostemp; hand it to the asking user when we can */
	if (job->p.owner != (uid_t)-1 && job->p.owner != geteuid() &&
	    fchown(job->fd, job->p.owner, (gid_t)-1) < 0)
		log_debug("export: chown %s to uid %u: %s", job->tmp,
		    (unsigned)job->p.owner, strerror(errno));
	return 0;
}

/* Put the finished temporary file in place. */
static int
publish(struct spend_export *job, struct spend_err *err)
{
	if (fsync(job->fd) < 0) {
		int e = errno;

		return spend_errf(err, spend_err_errno(e, SPEND_ESTORE), "path",
		    "fsync %s: %s", job->tmp, strerror(e));
	}
	if (job->p.overwrite) {
		if (rename(job->tmp, job->p.path) < 0)
			return spend_errf(err, SPEND_EINVAL, "path", "rename "
			    "to %s: %s", job->p.path, strerror(errno));
	} else {
		/* link fails if the name appeared meanwhile: no clobbering */
		if (link(job->tmp, job->p.path) < 0)
			return spend_errf(err, errno == EEXIST ?
			    SPEND_ECONFLICT : SPEND_EINVAL, "path", "%s: %s",
			    job->p.path, errno == EEXIST ? "exists "
			    "(overwrite to replace it)" : strerror(errno));
		unlink(job->tmp);
	}
	job->tmp[0] = '\0';
	return 0;
}

static int
job_run(struct spend_export *job, json_t **result, struct spend_err *err)
{
	int r, rc;

	*result = NULL;
	if ((job->vt = plugins_exporter(job->sd, job->p.format,
	    &job->self)) == NULL)
		return plugins_unknown(job->sd, "exporter", job->p.format,
		    "format", err);
	if ((job->out = malloc(OUTBUF)) == NULL ||
	    (job->page = calloc(PAGE, sizeof(*job->page))) == NULL)
		return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	if ((r = open_output(job, err)) < 0 ||
	    (r = store_open(job->sd->cfg.db_path, STORE_SECONDARY |
	    spendd_store_flags(job->sd), &job->st, err)) < 0 ||
	    (r = store_read_begin(job->st, err)) < 0)
		return r;
	build_info(job);
	export_api_rewind(job);
	rc = job->vt->run(job->self, job);
	store_rollback(job->st);	/* only read */
	if (rc != 0 && !job->failed)
		job_fail(job, SPEND_EINVAL, "the exporter failed without "
		    "saying why");
	if (!job->failed)
		flush_out(job);
	if (job->failed) {
		*err = job->err;
		spend_err_prefix(err, "export %s", job->vt->name);
		return err->code;
	}
	if (job->tmp[0] && (r = publish(job, err)) < 0)
		return r;
	*result = jp_pack("{s:s, s:s, s:I, s:I, s:s, s:s}", "format",
	    job->vt->name, "path", job->p.path, "rows", (json_int_t)job->rows,
	    "bytes", (json_int_t)job->bytes, "mime_type", job->vt->mime_type ?
	    job->vt->mime_type : "application/octet-stream", "extension",
	    job->vt->extension ? job->vt->extension : "");
	return 0;
}

/* A job for ep, or NULL (err filled) if its filters cannot be copied. */
static struct spend_export *
job_new(struct spendd *sd, const struct user *u,
    const struct export_params *ep, struct spend_err *err)
{
	struct spend_export *job = xcalloc(1, sizeof(*job));

	job->sd = sd;
	job->user = *u;
	job->p = *ep;
	/* as large as the client made them */
	if ((job->p.filters = ep->filters ? json_deep_copy(ep->filters) :
	    json_object()) == NULL) {
		free(job);
		spend_errf(err, SPEND_ENOMEM, "", "out of memory");
		return NULL;
	}
	job->fd = -1;
	return job;
}

/* Everything but the result; safe to call twice. */
static void
job_release(struct spend_export *job)
{
	if (job->st) {
		store_close(job->st);
		job->st = NULL;
	}
	if (job->fd >= 0 && job->fd != job->p.fd)
		close(job->fd);
	job->fd = -1;
	if (job->tmp[0]) {
		unlink(job->tmp);	/* a failed export leaves nothing */
		job->tmp[0] = '\0';
	}
	free(job->out);
	job->out = NULL;
	free(job->page);
	job->page = NULL;
	report_names_free(&job->names);
}

static void
job_free(struct spend_export *job)
{
	job_release(job);
	json_decref(job->p.filters);
	json_decref(job->result);
	free(job);
}

int
export_run_sync(struct spendd *sd, const struct user *u,
    const struct export_params *ep, json_t **result, struct spend_err *err)
{
	struct spend_export *job;
	int r;

	if ((job = job_new(sd, u, ep, err)) == NULL)
		return SPEND_ENOMEM;
	r = job_run(job, result, err);
	job_free(job);
	return r;
}

static void
job_work(struct job *work, void *arg)
{
	struct spend_export *job = arg;

	spend_err_clear(&job->err);
	job->rc = job_run(job, &job->result, &job->err);
	job_release(job);
}

static void
job_done(struct job *work, void *arg)
{
	struct spend_export *job = arg;

	if (job->rc == 0) {
		log_info("export: %s of %s to %s: %lld rows, %lld bytes",
		    job->vt->name, job->user.name, job->p.path[0] ? job->p.path :
		    "a download", (long long)job->rows, (long long)job->bytes);
		job->done(job->result, NULL, job->arg);
	} else {
		log_info("export: for %s failed: %s", job->user.name,
		    job->err.msg);
		job->done(NULL, &job->err, job->arg);
	}
	job_free(job);
}

int
export_start(struct spendd *sd, const struct user *u,
    const struct export_params *ep, export_done_fn done, void *arg,
    struct spend_err *err)
{
	struct spend_export *job;
	int r;

	if ((r = jobs_check(sd, err)) < 0)
		return r;
	if (ep->path[0] == '\0' && ep->fd < 0)
		return spend_errf(err, SPEND_EINVAL, "path", "path is required");
	if (plugins_exporter(sd, ep->format, NULL) == NULL)
		return plugins_unknown(sd, "exporter", ep->format, "format", err);
	if ((job = job_new(sd, u, ep, err)) == NULL)
		return SPEND_ENOMEM;
	job->done = done;
	job->arg = arg;
	if ((r = jobs_submit(sd, JOB_EXPORT, job_work, job_done, job,
	    err)) < 0)
		job_free(job);
	return r;
}

/* ---- export.run ---- */

/* "spend-2026-10", "spend-2026-01-01_2026-03-31", "spend-all": a
 * downloaded export is named by its period. */
static void
download_name(const struct export_params *ep, char *out, size_t size)
{
	const struct expense_filter *f = &ep->filter;
	json_t *month = json_object_get(ep->filters, "month");

	if (json_is_string(month))
		snprintf(out, size, "spend-%.7s", json_string_value(month));
	else if (f->from[0] && f->to[0])
		snprintf(out, size, "spend-%s_%s", f->from, f->to);
	else if (f->from[0])
		snprintf(out, size, "spend-from-%s", f->from);
	else if (f->to[0])
		snprintf(out, size, "spend-to-%s", f->to);
	else
		strlcpy(out, "spend-all", size);
}

int
h_export_run(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct export_params ep;
	unsigned uid;
	int r;

	/* spendd writes the path with its own rights: socket admins only */
	if ((r = export_params_from_json(c->st, c->uid, p, c->id.socket_admin,
	    &ep, err)) < 0)
		goto out;
	if (c->id.download && ep.path[0] == '\0') {
		/* over HTTP the reply is the file: an unlinked temporary the
		 * transport sends once the job is done */
		char tmp[PATH_MAX], name[64];

		snprintf(tmp, sizeof(tmp), "%s/export.XXXXXX",
		    c->sd->cfg.data_dir);
		if ((ep.fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
			log_warn("export: mkstemp %s", tmp);
			r = spend_errf(err, SPEND_EINTERNAL, "", "cannot make a "
			    "temporary file");
			goto out;
		}
		unlink(tmp);
		download_name(&ep, name, sizeof(name));
		if (c->out_meta == NULL)
			c->out_meta = json_object();
		json_object_set_new(c->out_meta, "download", jp_pack("{s:i, "
		    "s:s}", "fd", ep.fd, "name", name));
	} else if (ep.path[0] == '\0') {
		r = spend_errf(err, SPEND_EINVAL, "path", "path is required "
		    "(an absolute file name spendd can create)");
		goto out;
	}
	/* the socket peer ("uid N") gets the file */
	if (c->id.transport && !strcmp(c->id.transport, "unix") &&
	    sscanf(c->id.peer, "uid %u", &uid) == 1)
		ep.owner = (uid_t)uid;
	if ((r = export_start(c->sd, &c->user, &ep, rpc_job_done, c,
	    err)) == 0)
		r = RPC_PENDING;
out:
	export_params_free(&ep);
	return r;
}
