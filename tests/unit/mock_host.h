/*
 * A mock spendd for plugin unit tests and fuzz targets: a complete
 * struct spend_host_api without a daemon, header-only.
 *
 *	struct mock_host mh;
 *	mh_init(&mh);
 *	mh_load(&mh, spend_plugin_init);	   plugin registers its vtables
 *	struct spend_import job;
 *	mh_import_init(&job, text, len, (const char *[]){ "delimiter", ";",
 *	    NULL });
 *	rc = mh.importers[0]->run(&mh.plugin, &job);
 *	... job.recs[i].amount, job.err_line, job.err_field, job.err_msg ...
 *	mh_import_free(&job);
 *	mh_free(&mh);				   calls the plugin's free_func
 *
 * Import jobs read the input in small chunks (job.chunk bytes, default 7,
 * so that every parser meets split tokens), keep owned copies of emitted
 * records, and validate them like the host does (date, amount, currency;
 * job.validate = 0 turns that off). The first error wins: err_line,
 * err_field ("" if none) and err_msg. Rows the importer leaves out on
 * purpose (import_skip) are kept in order in job.skips (line, reason);
 * mh_skipped(&job, "zero amount") counts one reason, NULL all. Like
 * spendd, a job ignores skips once an error was reported. To play a
 * spendd without import_skip, set mh.api.size to
 * offsetof(struct spend_host_api, import_skip) before mh_load().
 *
 * Export jobs feed a copy of a caller's record array (amount_minor and
 * exponent derived from amount/currency, NULL strings made "", ids and
 * versions defaulted), collect export_write output in job.out (NUL
 * terminated, owned by the job), and answer export_totals over the fed
 * records. Report jobs do the same for report_param/report_totals.
 *
 * Money and date helpers are the daemon's own (money.c, util.c, err.c):
 * link or list them in fuzz-sources.
 *
 * Ownership: the job never copies the input text or the option/param
 * arrays: the caller keeps them alive while the job runs. Everything the
 * job allocates is freed by mh_*_free().
 */
#ifndef SPEND_MOCK_HOST_H
#define SPEND_MOCK_HOST_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spend/plugin.h"
#include "err.h"
#include "money.h"
#include "util.h"

#define MH_MAX_VT 8

struct mock_host {
	struct spend_host_api api;
	struct spend_plugin plugin;
	const struct spend_importer *importers[MH_MAX_VT];
	const struct spend_exporter *exporters[MH_MAX_VT];
	const struct spend_report *reports[MH_MAX_VT];
	const struct spend_notifier *notifiers[MH_MAX_VT];
	size_t nimporters, nexporters, nreports, nnotifiers;
	int in_init;			/* register_* only allowed inside init */
	const char *const *config;	/* NULL-terminated key, value pairs */
	char *log;			/* every log line, "\n"-separated */
	size_t loglen, logcap;
	int quiet;			/* 0: also print log lines to stderr */
};

/* An emitted record: owned copies (NULL stays NULL). */
struct mh_record {
	char *date, *amount, *currency, *category, *note, *payee;
	char *source_id;
	char **tags;
	size_t ntags;
	size_t line;
	/* a split (import_emit_split): "CAT AMOUNT NOTE|..." (a NULL
	 * category or note as "-"), NULL if not split */
	char *parts;
	size_t nparts;
};

/* A row left out on purpose (import_skip). */
struct mh_skip {
	size_t line;
	char reason[64];
};

struct spend_import {
	const char *in;			/* not owned */
	size_t inlen, pos;
	size_t chunk;			/* bytes per import_read, 0 = 7 */
	long fail_at;			/* import_read fails past this offset;
					 * -1 = never */
	const char *const *options;	/* NULL-terminated key, value pairs */
	int validate;			/* check records like the host */
	const char *base_currency;	/* for validation, default "EUR" */
	struct mh_record *recs;
	size_t nrecs, caprecs;
	size_t max_recs;		/* keep at most this many (fuzzing);
					 * 0 = all. nemitted counts all */
	size_t nemitted;
	struct mh_skip *skips;		/* every import_skip, in order */
	size_t nskips, capskips;
	int failed;			/* an error was reported */
	int nerrors;			/* import_error + failed emits */
	size_t err_line;
	char err_field[64];
	char err_msg[SPEND_ERR_MSG_MAX];
};

struct spend_export {
	struct spend_record *recs;	/* owned copy of the fed records */
	size_t nrecs, pos;
	char *out;			/* written bytes, NUL terminated */
	size_t outlen, outcap;
	long fail_write_at;		/* export_write fails once outlen would
					 * pass this; -1 = never */
	int nrewinds;
	/* parts[i], nparts[i]: what export_parts gives for record i (NULL:
	 * no record is split) */
	const struct spend_part *const *parts;
	const size_t *nparts;
	struct spend_export_info info;
	int failed;
	char err_msg[SPEND_ERR_MSG_MAX];
};

struct spend_report_job {
	struct spend_record *recs;	/* owned copy, like exports */
	size_t nrecs;
	const char *const *params;	/* NULL-terminated key, value pairs */
	int failed;
	char err_msg[SPEND_ERR_MSG_MAX];
};

/* ---- small helpers ---- */

static inline void *
mh_xalloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL) {
		fprintf(stderr, "mock_host: out of memory\n");
		abort();
	}
	return q;
}

static inline char *
mh_strdup(const char *s)
{
	size_t n;
	char *d;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	d = mh_xalloc(NULL, n);
	memcpy(d, s, n);
	return d;
}

static inline const char *
mh_kv(const char *const *kv, const char *key)
{
	for (; kv && kv[0] && kv[1]; kv += 2)
		if (strcmp(kv[0], key) == 0)
			return kv[1];
	return NULL;
}

static inline struct mock_host *
mh_of(struct spend_plugin *self)
{
	return self->host_private;
}

/* ---- registration, log, config ---- */

#define MH_REGISTER(kind, arr, n, vt, want)				\
	do {								\
		struct mock_host *mh_ = mh_of(self);			\
		if (!mh_->in_init || (vt) == NULL ||			\
		    (vt)->version != (want) || mh_->n >= MH_MAX_VT) {	\
			fprintf(stderr, "mock_host: bad register_%s\n",	\
			    kind);					\
			return -1;					\
		}							\
		for (size_t i_ = 0; i_ < mh_->n; i_++)			\
			if (strcmp(mh_->arr[i_]->name, (vt)->name) == 0) \
				return -1;				\
		mh_->arr[mh_->n++] = (vt);				\
		return 0;						\
	} while (0)

static inline int
mh_register_importer(struct spend_plugin *self, const struct spend_importer *vt)
{
	MH_REGISTER("importer", importers, nimporters, vt, SPEND_IMPORTER_V1);
}

static inline int
mh_register_exporter(struct spend_plugin *self, const struct spend_exporter *vt)
{
	MH_REGISTER("exporter", exporters, nexporters, vt, SPEND_EXPORTER_V1);
}

static inline int
mh_register_report(struct spend_plugin *self, const struct spend_report *vt)
{
	MH_REGISTER("report", reports, nreports, vt, SPEND_REPORT_V1);
}

static inline int
mh_register_notifier(struct spend_plugin *self, const struct spend_notifier *vt)
{
	/* V1, or V2 (deliver); delivery_done, http_request, mail_send and
	 * hmac_sha256 are left to the test (mh.api) */
	MH_REGISTER("notifier", notifiers, nnotifiers, vt, vt &&
	    vt->version == SPEND_NOTIFIER_V2 ? SPEND_NOTIFIER_V2 :
	    SPEND_NOTIFIER_V1);
}

static inline __attribute__((format(printf, 3, 4))) void
mh_log(struct spend_plugin *self, enum spend_log_level level,
    const char *fmt, ...)
{
	struct mock_host *mh = mh_of(self);
	static const char *lv[] = { "debug", "info", "warn" };
	char line[1024];
	va_list ap;
	int n, m;
	size_t len;

	n = snprintf(line, sizeof(line), "%s: %s: ", self->name,
	    (unsigned)level < 3 ? lv[level] : "?");
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	len = strlen(line);
	(void)m;
	if (!mh->quiet)
		fprintf(stderr, "%s\n", line);
	if (mh->loglen + len + 2 > mh->logcap) {
		mh->logcap = (mh->loglen + len + 2) * 2;
		mh->log = mh_xalloc(mh->log, mh->logcap);
	}
	memcpy(mh->log + mh->loglen, line, len);
	mh->loglen += len;
	mh->log[mh->loglen++] = '\n';
	mh->log[mh->loglen] = '\0';
}

static inline const char *
mh_config_get(struct spend_plugin *self, const char *key)
{
	return mh_kv(mh_of(self)->config, key);
}

/* ---- money and dates: the daemon's own ---- */

static inline int
mh_currency_exponent(const char *code)
{
	const struct currency *c = code ? money_currency(code) : NULL;

	return c ? c->exponent : -1;
}

static inline int
mh_money_parse(const char *text, const char *currency, int decimal_comma,
    int64_t *minor, char *errbuf, size_t errlen)
{
	struct spend_err err;
	int e = mh_currency_exponent(currency);

	if (e < 0) {
		snprintf(errbuf, errlen, "unknown currency \"%s\"",
		    currency ? currency : "");
		return -1;
	}
	if (money_parse(text, e, decimal_comma != 0, minor, &err) < 0) {
		snprintf(errbuf, errlen, "%s", err.msg);
		return -1;
	}
	return 0;
}

static inline int
mh_money_format(int64_t minor, const char *currency, char *buf, size_t len)
{
	int e = mh_currency_exponent(currency);

	return e < 0 ? -1 : money_format(minor, e, buf, len);
}

static inline int
mh_date_valid(const char *date)
{
	return date_valid(date);
}

static inline struct event_base *
mh_event_base(struct spend_plugin *self)
{
	(void)self;
	return NULL;
}

/* ---- import jobs ---- */

static inline long
mh_import_read(struct spend_import *job, void *buf, size_t len)
{
	size_t n = job->chunk ? job->chunk : 7;

	if (job->fail_at >= 0 && job->pos >= (size_t)job->fail_at) {
		if (!job->failed) {
			job->failed = 1;
			job->nerrors++;
			snprintf(job->err_msg, sizeof(job->err_msg),
			    "read error (mock)");
		}
		return -1;
	}
	if (n > len)
		n = len;
	if (n > job->inlen - job->pos)
		n = job->inlen - job->pos;
	memcpy(buf, job->in + job->pos, n);
	job->pos += n;
	return (long)n;
}

static inline const char *
mh_import_option(struct spend_import *job, const char *key)
{
	return mh_kv(job->options, key);
}

static inline __attribute__((format(printf, 4, 0))) void
mh_import_verror(struct spend_import *job, size_t line, const char *field,
    const char *fmt, va_list ap)
{
	job->nerrors++;
	if (job->failed)
		return;		/* the first error is the one users see */
	job->failed = 1;
	job->err_line = line;
	snprintf(job->err_field, sizeof(job->err_field), "%s",
	    field ? field : "");
	vsnprintf(job->err_msg, sizeof(job->err_msg), fmt, ap);
}

static inline __attribute__((format(printf, 4, 5))) void
mh_import_error(struct spend_import *job, size_t line, const char *field,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mh_import_verror(job, line, field, fmt, ap);
	va_end(ap);
}

static inline __attribute__((format(printf, 4, 5))) int
mh_emit_fail(struct spend_import *job, size_t line, const char *field,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mh_import_verror(job, line, field, fmt, ap);
	va_end(ap);
	return -1;
}

static inline int
mh_import_emit(struct spend_import *job, const struct spend_record *rec)
{
	struct mh_record *r;
	const char *cur;
	char ebuf[256];
	int64_t minor;

	if (job->validate) {
		cur = rec->currency && *rec->currency ? rec->currency :
		    job->base_currency ? job->base_currency : "EUR";
		if (rec->date == NULL || !date_valid(rec->date))
			return mh_emit_fail(job, rec->line, "date",
			    "date \"%s\": not a valid YYYY-MM-DD date",
			    rec->date ? rec->date : "");
		if (mh_currency_exponent(cur) < 0)
			return mh_emit_fail(job, rec->line, "currency",
			    "unknown currency \"%s\"", cur);
		if (rec->amount == NULL || mh_money_parse(rec->amount, cur, 0,
		    &minor, ebuf, sizeof(ebuf)) < 0)
			return mh_emit_fail(job, rec->line, "amount", "%s",
			    rec->amount ? ebuf : "amount missing");
		if (rec->ntags > 0 && rec->tags == NULL)
			return mh_emit_fail(job, rec->line, "tags",
			    "ntags without tags");
	}
	job->nemitted++;
	if (job->max_recs && job->nrecs >= job->max_recs)
		return 0;
	if (job->nrecs == job->caprecs) {
		job->caprecs = job->caprecs ? job->caprecs * 2 : 16;
		job->recs = mh_xalloc(job->recs,
		    job->caprecs * sizeof(*job->recs));
	}
	r = &job->recs[job->nrecs++];
	memset(r, 0, sizeof(*r));
	r->date = mh_strdup(rec->date);
	r->amount = mh_strdup(rec->amount);
	r->currency = mh_strdup(rec->currency);
	r->category = mh_strdup(rec->category);
	r->note = mh_strdup(rec->note);
	r->payee = mh_strdup(rec->payee);
	r->source_id = mh_strdup(rec->source_id);
	r->line = rec->line;
	if (rec->ntags > 0) {
		r->tags = mh_xalloc(NULL, rec->ntags * sizeof(*r->tags));
		for (size_t i = 0; i < rec->ntags; i++)
			r->tags[i] = mh_strdup(rec->tags[i]);
		r->ntags = rec->ntags;
	}
	return 0;
}

static inline int
mh_import_emit_split(struct spend_import *job, const struct spend_record *rec,
    const struct spend_part *parts, size_t nparts)
{
	size_t len = 1, before = job->nrecs;
	char *p;
	int r;

	if (nparts < 2 || nparts > 32)
		return mh_emit_fail(job, rec->line, "parts", "%zu parts", nparts);
	if ((r = mh_import_emit(job, rec)) < 0 || job->nrecs == before)
		return r;
	for (size_t i = 0; i < nparts; i++)
		len += strlen(parts[i].category ? parts[i].category : "-") +
		    strlen(parts[i].amount ? parts[i].amount : "-") +
		    strlen(parts[i].note ? parts[i].note : "-") + 3;
	p = mh_xalloc(NULL, len);
	p[0] = '\0';
	for (size_t i = 0; i < nparts; i++) {
		if (i)
			strcat(p, "|");
		strcat(p, parts[i].category ? parts[i].category : "-");
		strcat(p, " ");
		strcat(p, parts[i].amount ? parts[i].amount : "-");
		strcat(p, " ");
		strcat(p, parts[i].note ? parts[i].note : "-");
	}
	job->recs[job->nrecs - 1].parts = p;
	job->recs[job->nrecs - 1].nparts = nparts;
	return 0;
}

static inline size_t
mh_export_parts(struct spend_export *job, const struct spend_part **parts)
{
	*parts = NULL;
	if (job->parts == NULL || job->pos == 0 || job->pos > job->nrecs ||
	    job->parts[job->pos - 1] == NULL)
		return 0;
	*parts = job->parts[job->pos - 1];
	return job->nparts[job->pos - 1];
}

static inline void
mh_import_skip(struct spend_import *job, size_t line, const char *reason)
{
	struct mh_skip *s;

	if (job->failed)
		return;		/* as spendd: the import is over */
	if (job->nskips == job->capskips) {
		job->capskips = job->capskips ? job->capskips * 2 : 16;
		job->skips = mh_xalloc(job->skips,
		    job->capskips * sizeof(*job->skips));
	}
	s = &job->skips[job->nskips++];
	s->line = line;
	snprintf(s->reason, sizeof(s->reason), "%s", reason ? reason : "");
}

/* How many rows were skipped for reason (NULL: for any). */
static inline size_t
mh_skipped(const struct spend_import *job, const char *reason)
{
	size_t n = 0;

	for (size_t i = 0; i < job->nskips; i++)
		if (reason == NULL || strcmp(job->skips[i].reason, reason) == 0)
			n++;
	return n;
}

/* A job over len bytes of in (kept by the caller) with options as a
 * NULL-terminated key, value list (may be NULL). */
static inline void
mh_import_init(struct spend_import *job, const void *in, size_t len,
    const char *const *options)
{
	memset(job, 0, sizeof(*job));
	job->in = in;
	job->inlen = len;
	job->options = options;
	job->validate = 1;
	job->fail_at = -1;
}

static inline void
mh_import_free(struct spend_import *job)
{
	for (size_t i = 0; i < job->nrecs; i++) {
		struct mh_record *r = &job->recs[i];

		free(r->date);
		free(r->amount);
		free(r->currency);
		free(r->category);
		free(r->note);
		free(r->payee);
		free(r->source_id);
		free(r->parts);
		for (size_t t = 0; t < r->ntags; t++)
			free(r->tags[t]);
		free(r->tags);
	}
	free(job->recs);
	free(job->skips);
	memset(job, 0, sizeof(*job));
}

/* ---- export and report jobs ---- */

static inline const char *
mh_nz(const char *s)
{
	return s ? s : "";
}

/* Copy n records and fill them like the host does. */
static inline struct spend_record *
mh_records_copy(const struct spend_record *in, size_t n)
{
	struct spend_record *r = mh_xalloc(NULL, (n ? n : 1) * sizeof(*r));
	struct spend_err err;

	for (size_t i = 0; i < n; i++) {
		const char *cur;
		int e;

		r[i] = in[i];
		cur = in[i].currency && *in[i].currency ? in[i].currency : "EUR";
		r[i].currency = cur;
		r[i].date = mh_nz(in[i].date);
		r[i].amount = mh_nz(in[i].amount);
		r[i].category = mh_nz(in[i].category);
		r[i].note = mh_nz(in[i].note);
		r[i].payee = mh_nz(in[i].payee);
		r[i].source_id = mh_nz(in[i].source_id);
		r[i].created_at = in[i].created_at ? in[i].created_at :
		    "2024-01-01T00:00:00.000Z";
		r[i].updated_at = in[i].updated_at ? in[i].updated_at :
		    r[i].created_at;
		if (r[i].tags == NULL) {
			static const char *const none[1] = { NULL };
			r[i].tags = none;
			r[i].ntags = 0;
		}
		if (r[i].id == 0)
			r[i].id = (int64_t)i + 1;
		if (r[i].version == 0)
			r[i].version = 1;
		e = mh_currency_exponent(cur);
		r[i].exponent = e < 0 ? 2 : e;
		if (money_parse(r[i].amount, r[i].exponent, false,
		    &r[i].amount_minor, &err) < 0) {
			fprintf(stderr, "mock_host: bad test record %zu: %s\n",
			    i, err.msg);
			abort();
		}
	}
	return r;
}

static inline int
mh_export_next(struct spend_export *job, struct spend_record *rec)
{
	if (job->pos >= job->nrecs)
		return 0;
	*rec = job->recs[job->pos++];
	return 1;
}

static inline int
mh_export_rewind(struct spend_export *job)
{
	job->pos = 0;
	job->nrewinds++;
	return 0;
}

static inline int
mh_export_write(struct spend_export *job, const void *buf, size_t len)
{
	if (job->fail_write_at >= 0 &&
	    job->outlen + len > (size_t)job->fail_write_at)
		return -1;
	if (job->outlen + len + 1 > job->outcap) {
		job->outcap = (job->outlen + len + 1) * 2;
		job->out = mh_xalloc(job->out, job->outcap);
	}
	memcpy(job->out + job->outlen, buf, len);
	job->outlen += len;
	job->out[job->outlen] = '\0';
	return 0;
}

static inline const struct spend_export_info *
mh_export_info(struct spend_export *job)
{
	return &job->info;
}

static inline __attribute__((format(printf, 2, 3))) void
mh_export_error(struct spend_export *job, const char *fmt, ...)
{
	va_list ap;

	if (job->failed)
		return;
	job->failed = 1;
	va_start(ap, fmt);
	vsnprintf(job->err_msg, sizeof(job->err_msg), fmt, ap);
	va_end(ap);
}

struct mh_total {
	char *key;			/* owned */
	const char *currency;
	int64_t count, sum;
	int exponent;
};

static inline int
mh_total_cmp(const void *a, const void *b)
{
	const struct mh_total *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : strcmp(x->currency, y->currency);
}

/* Totals of recs between from and to (inclusive, "" or NULL = open). */
static inline int
mh_totals(const struct spend_record *recs, size_t n, const char *from,
    const char *to, enum spend_group group,
    int (*cb)(void *arg, const struct spend_total *t), void *arg)
{
	struct mh_total *t = mh_xalloc(NULL, (n ? n : 1) * sizeof(*t));
	size_t nt = 0, i, j;
	int rc = 0;

	for (i = 0; i < n; i++) {
		char key[11];
		const char *k = key;

		if (from && *from && strcmp(recs[i].date, from) < 0)
			continue;
		if (to && *to && strcmp(recs[i].date, to) > 0)
			continue;
		if (group == SPEND_GROUP_CATEGORY)
			k = recs[i].category;
		else if (group == SPEND_GROUP_MONTH)
			snprintf(key, sizeof(key), "%.7s", recs[i].date);
		else
			snprintf(key, sizeof(key), "%.10s", recs[i].date);
		for (j = 0; j < nt; j++)
			if (strcmp(t[j].key, k) == 0 &&
			    strcmp(t[j].currency, recs[i].currency) == 0)
				break;
		if (j == nt) {
			memset(&t[nt], 0, sizeof(t[nt]));
			t[nt].key = mh_strdup(k);
			t[nt].currency = recs[i].currency;
			t[nt].exponent = recs[i].exponent;
			nt++;
		}
		t[j].count++;
		t[j].sum += recs[i].amount_minor;
	}
	qsort(t, nt, sizeof(*t), mh_total_cmp);
	for (i = 0; i < nt && rc == 0; i++) {
		struct spend_total st = { t[i].key, t[i].currency, t[i].count,
		    t[i].sum, t[i].exponent };

		if (cb(arg, &st) != 0)
			rc = -1;
	}
	for (i = 0; i < nt; i++)
		free(t[i].key);
	free(t);
	return rc;
}

static inline int
mh_export_totals(struct spend_export *job, enum spend_group group,
    int (*cb)(void *arg, const struct spend_total *t), void *arg)
{
	return mh_totals(job->recs, job->nrecs, NULL, NULL, group, cb, arg);
}

/* A job feeding a copy of n records; info says user "alice", base EUR. */
static inline void
mh_export_init(struct spend_export *job, const struct spend_record *recs,
    size_t n)
{
	memset(job, 0, sizeof(*job));
	job->recs = mh_records_copy(recs, n);
	job->nrecs = n;
	job->fail_write_at = -1;
	job->info.user = "alice";
	job->info.base_currency = "EUR";
	job->info.from = "";
	job->info.to = "";
	job->info.generated_at = "2024-06-01T12:00:00.000Z";
	job->info.filter_text = "";
}

static inline void
mh_export_free(struct spend_export *job)
{
	free(job->recs);
	free(job->out);
	memset(job, 0, sizeof(*job));
}

static inline const char *
mh_report_param(struct spend_report_job *job, const char *key)
{
	return mh_kv(job->params, key);
}

static inline int
mh_report_totals(struct spend_report_job *job, const char *from,
    const char *to, enum spend_group group,
    int (*cb)(void *arg, const struct spend_total *t), void *arg)
{
	return mh_totals(job->recs, job->nrecs, from, to, group, cb, arg);
}

static inline __attribute__((format(printf, 2, 3))) void
mh_report_error(struct spend_report_job *job, const char *fmt, ...)
{
	va_list ap;

	if (job->failed)
		return;
	job->failed = 1;
	va_start(ap, fmt);
	vsnprintf(job->err_msg, sizeof(job->err_msg), fmt, ap);
	va_end(ap);
}

static inline void
mh_report_init(struct spend_report_job *job, const struct spend_record *recs,
    size_t n, const char *const *params)
{
	memset(job, 0, sizeof(*job));
	job->recs = mh_records_copy(recs, n);
	job->nrecs = n;
	job->params = params;
}

static inline void
mh_report_free(struct spend_report_job *job)
{
	free(job->recs);
	memset(job, 0, sizeof(*job));
}

/* ---- the host ---- */

static inline void
mh_init(struct mock_host *mh)
{
	memset(mh, 0, sizeof(*mh));
	mh->api = (struct spend_host_api){
		.size = sizeof(struct spend_host_api),
		.abi = SPEND_PLUGIN_ABI,
		.host_version = "0.1.0-mock",
		.register_importer = mh_register_importer,
		.register_exporter = mh_register_exporter,
		.register_report = mh_register_report,
		.register_notifier = mh_register_notifier,
		.log = mh_log,
		.config_get = mh_config_get,
		.currency_exponent = mh_currency_exponent,
		.money_parse = mh_money_parse,
		.money_format = mh_money_format,
		.date_valid = mh_date_valid,
		.event_base = mh_event_base,
		.import_read = mh_import_read,
		.import_option = mh_import_option,
		.import_emit = mh_import_emit,
		.import_error = mh_import_error,
		.export_next = mh_export_next,
		.export_rewind = mh_export_rewind,
		.export_write = mh_export_write,
		.export_info = mh_export_info,
		.export_totals = mh_export_totals,
		.export_error = mh_export_error,
		.report_param = mh_report_param,
		.report_totals = mh_report_totals,
		.report_error = mh_report_error,
		.import_skip = mh_import_skip,
		.import_emit_split = mh_import_emit_split,
		.export_parts = mh_export_parts,
	};
	mh->plugin.size = sizeof(mh->plugin);
	mh->plugin.name = "mock";
	mh->plugin.host_private = mh;
}

/* Run a plugin's init like the loader; returns its result. Set
 * mh->plugin.name (e.g. "csv") and mh->config before. */
static inline int
mh_load(struct mock_host *mh, spend_plugin_init_fn init)
{
	int rc;

	mh->in_init = 1;
	rc = init(&mh->api, &mh->plugin);
	mh->in_init = 0;
	return rc;
}

/* Unload: the plugin's free_func, then the log. */
static inline void
mh_free(struct mock_host *mh)
{
	if (mh->plugin.free_func)
		mh->plugin.free_func(&mh->plugin);
	free(mh->log);
	mh->log = NULL;
	mh->loglen = mh->logcap = 0;
}

/* The registered importer/exporter called name, or NULL. */
static inline const struct spend_importer *
mh_importer(const struct mock_host *mh, const char *name)
{
	for (size_t i = 0; i < mh->nimporters; i++)
		if (strcmp(mh->importers[i]->name, name) == 0)
			return mh->importers[i];
	return NULL;
}

static inline const struct spend_exporter *
mh_exporter(const struct mock_host *mh, const char *name)
{
	for (size_t i = 0; i < mh->nexporters; i++)
		if (strcmp(mh->exporters[i]->name, name) == 0)
			return mh->exporters[i];
	return NULL;
}

/* ---- fixtures for plugin tests ---- */

/* Create an empty file /tmp/spend-NAME-XXXXXX, its name in path (size
 * bytes); 0, or -1 if it cannot. The caller unlinks it. */
static inline int
mh_tmpfile(char *path, size_t size, const char *name)
{
	int fd;

	if ((size_t)snprintf(path, size, "/tmp/spend-%s-XXXXXX", name) >= size)
		return -1;
	if ((fd = mkstemp(path)) < 0)
		return -1;
	close(fd);
	return 0;
}

/* The whole file at path, NUL terminated (malloc'd, the caller frees), its
 * size in *len; NULL if it cannot be read. */
static inline char *
mh_slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long n;

	*len = 0;
	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 &&
	    fseek(fp, 0, SEEK_SET) == 0) {
		buf = mh_xalloc(NULL, (size_t)n + 1);
		if (fread(buf, 1, (size_t)n, fp) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(fp);
	return buf;
}

/* Load init as plugin name, as the loader would; config (NULL-terminated
 * key, value pairs, kept by the caller) may be NULL. Returns mh_load's
 * result. mh is initialised here: do not call mh_init() before. */
static inline int
mh_open(struct mock_host *mh, const char *name, spend_plugin_init_fn init,
    const char *const *config, int quiet)
{
	mh_init(mh);
	mh->plugin.name = name;
	mh->config = config;
	mh->quiet = quiet;
	return mh_load(mh, init);
}

/* Free job, start it over recs and run exp on it; returns its result. */
static inline int
mh_run_export(struct mock_host *mh, const struct spend_exporter *exp,
    struct spend_export *job, const struct spend_record *recs, size_t n)
{
	mh_export_free(job);
	mh_export_init(job, recs, n);
	return exp->run(&mh->plugin, job);
}

/*
 * A plugin loaded quietly with an import job and an export job to reuse:
 *
 *	f = mh_fixture_new("csv", spend_plugin_init, &rc);  (mh_load's rc)
 *	rc = mh_run_import(f, text, len, opts, chunk);	(importer's rc)
 *	rc = mh_import(f, text, opts);	(strlen(text), f->chunk)
 *	... f->job.recs ...
 *	mh_fixture_free(f);	(or mh_fixture_teardown as cmocka teardown)
 */
struct mh_fixture {
	struct mock_host mh;
	struct spend_import job;
	struct spend_export ex;
	const struct spend_importer *imp;	/* called name, or NULL */
	const struct spend_exporter *exp;	/* called name, or NULL */
	size_t chunk;				/* mh_import's read size,
						 * 0 = the job's default */
};

/* A fixture (free with mh_fixture_free) for the plugin init, loaded as
 * name; *rc is mh_load's result. */
static inline struct mh_fixture *
mh_fixture_new(const char *name, spend_plugin_init_fn init, int *rc)
{
	struct mh_fixture *f = mh_xalloc(NULL, sizeof(*f));

	memset(f, 0, sizeof(*f));
	*rc = mh_open(&f->mh, name, init, NULL, 1);
	f->imp = mh_importer(&f->mh, name);
	f->exp = mh_exporter(&f->mh, name);
	return f;
}

static inline void
mh_fixture_free(struct mh_fixture *f)
{
	if (f == NULL)
		return;
	mh_import_free(&f->job);
	mh_export_free(&f->ex);
	mh_free(&f->mh);
	free(f);
}

/* A cmocka teardown for a fixture in *state. */
static inline int
mh_fixture_teardown(void **state)
{
	mh_fixture_free(*state);
	return 0;
}

/* Import len bytes of text with opts (NULL-terminated key, value list),
 * reading chunk bytes at a time (0 = the job's default), into a fresh
 * f->job; returns the importer's result. */
static inline int
mh_run_import(struct mh_fixture *f, const void *text, size_t len,
    const char *const *opts, size_t chunk)
{
	mh_import_free(&f->job);
	mh_import_init(&f->job, text, len, opts);
	f->job.chunk = chunk;
	return f->imp->run(&f->mh.plugin, &f->job);
}

/* mh_run_import over the string text, f->chunk bytes at a time. */
static inline int
mh_import(struct mh_fixture *f, const char *text, const char *const *opts)
{
	return mh_run_import(f, text, strlen(text), opts, f->chunk);
}

#endif
