/* Import jobs: a file streamed to an importer plugin on a worker, every
 * record validated like expense.add, de-duplicated, all or nothing. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain.h"
#include "events.h"
#include "handlers.h"
#include "import.h"
#include "jobs.h"
#include "jsonp.h"
#include "log.h"
#include "money.h"
#include "plugin.h"
#include "spendd.h"
#include "util.h"

#define CAT_CACHE 16		/* recent category names -> ids */
#define MAX_CREATED_LISTED 100
#define MAX_OPTIONS 64
#define OPTION_VALUE_MAX 1024
#define SNIFF_LEN 4096

struct spend_import {
	struct spendd *sd;
	struct user user;
	struct import_params p;		/* own copy; p.options owned */
	const struct spend_importer *vt;
	struct spend_plugin *self;
	int fd;
	struct store *st;		/* the worker's own connection */

	int64_t rows, added, skipped, rejected, defaulted, created;
	int64_t default_cat;		/* 0 = none */
	struct {
		char name[NAME_MAX_LEN + 1];
		int64_t id;
	} cats[CAT_CACHE];
	unsigned ncats, nextcat;
	json_t *created_names, *errors, *preview;
	json_t *skipped_why;		/* reason -> rows skipped for it */

	bool failed;			/* fatal: the job stops */
	bool gave_up;			/* IMPORT_MAX_REJECTS reached */
	struct spend_err err;		/* that error */
	size_t err_line;
	struct spend_err first;		/* the first rejected row */
	size_t first_line;

	/* async */
	struct spend_import *next;	/* running jobs */
	import_done_fn done;
	void *arg;
	json_t *result;
	int rc;
};

/* Imports running now. One at a time: SQLite has one writer, and a second
 * import would only wait for the first one's lock and time out. Touched
 * on the event loop only. */
static struct spend_import *running;

/* ---- params ---- */

void
import_params_free(struct import_params *ip)
{
	json_decref(ip->options);
	ip->options = NULL;
}

static int
option_set(json_t *opts, const char *key, json_t *v, const char *field,
    struct spend_err *err)
{
	char buf[64];
	const char *s;

	if (strlen(key) == 0 || strlen(key) > 64 || !text_clean(key, NULL))
		return spend_errf(err, SPEND_EINVAL, field, "%s: option names "
		    "are 1 to 64 printable characters", field);
	if (json_is_string(v))
		s = json_string_value(v);
	else if (json_is_boolean(v))
		s = json_is_true(v) ? "yes" : "no";
	else if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%lld",
		    (long long)json_integer_value(v));
		s = buf;
	} else
		return spend_errf(err, SPEND_EINVAL, field, "%s.%s must be a "
		    "string, a boolean or an integer", field, key);
	if (strlen(s) > OPTION_VALUE_MAX || !text_clean(s, "\t"))
		return spend_errf(err, SPEND_EINVAL, field, "%s.%s: at most %d "
		    "printable bytes", field, key, OPTION_VALUE_MAX);
	if (json_object_size(opts) >= MAX_OPTIONS)
		return spend_errf(err, SPEND_EINVAL, field, "at most %d options",
		    MAX_OPTIONS);
	json_object_set_new(opts, key, json_string(s));
	return 0;
}

int
import_params_from_json(json_t *p, bool allow_path, struct import_params *ip,
    struct spend_err *err)
{
	static const char *const known[] = { "format", "path", "dry_run",
	    "create_categories", "category", "currency", "options", "map",
	    NULL };
	json_t *o, *v;
	const char *k;
	bool have;
	int r;

	memset(ip, 0, sizeof(*ip));
	ip->options = json_object();
	if (jp_only(p, known, err) < 0 ||
	    jp_str(p, "format", false, ip->format, sizeof(ip->format), NULL,
	    NULL, err) < 0 ||
	    jp_bool(p, "dry_run", &ip->dry_run, NULL, err) < 0 ||
	    jp_bool(p, "create_categories", &ip->create_categories, NULL,
	    err) < 0 ||
	    jp_str(p, "category", false, ip->category, sizeof(ip->category),
	    NULL, NULL, err) < 0 ||
	    jp_str(p, "currency", false, ip->currency, sizeof(ip->currency),
	    NULL, &have, err) < 0)
		return SPEND_EINVAL;
	if (!strcmp(ip->format, "auto"))
		ip->format[0] = '\0';
	if (have) {
		for (char *c = ip->currency; *c; c++)
			if (*c >= 'a' && *c <= 'z')
				*c -= 32;
		if (money_currency(ip->currency) == NULL)
			return spend_errf(err, SPEND_EINVAL, "currency",
			    "currency \"%s\": not an ISO 4217 code",
			    ip->currency);
	}
	str_trim(ip->category);
	if (json_object_get(p, "path")) {
		if (!allow_path)
			return spend_errf(err, SPEND_EPERM, "path", "path: "
			    "spendd opens files only for administrators on the "
			    "control socket; upload the file instead");
		if ((r = jp_str(p, "path", true, ip->path, sizeof(ip->path),
		    NULL, NULL, err)) < 0)
			return r;
		if (ip->path[0] != '/')
			return spend_errf(err, SPEND_EINVAL, "path", "path "
			    "\"%s\" must be absolute: spendd opens it, from its "
			    "own working directory", ip->path);
	}
	if ((o = json_object_get(p, "options")) != NULL && !json_is_null(o)) {
		if (!json_is_object(o))
			return spend_errf(err, SPEND_EINVAL, "options",
			    "options must be an object of strings");
		json_object_foreach(o, k, v)
			if ((r = option_set(ip->options, k, v, "options",
			    err)) < 0)
				return r;
	}
	/* map: {"amount": "Betrag"} is the option map.amount=Betrag */
	if ((o = json_object_get(p, "map")) != NULL && !json_is_null(o)) {
		if (!json_is_object(o))
			return spend_errf(err, SPEND_EINVAL, "map", "map must "
			    "be an object: {\"FIELD\": \"COLUMN\"}");
		json_object_foreach(o, k, v) {
			char key[80];

			if (!json_is_string(v) && !json_is_integer(v))
				return spend_errf(err, SPEND_EINVAL, "map",
				    "map.%.40s: the column is a name or a "
				    "number", k);
			snprintf(key, sizeof(key), "map.%.60s", k);
			if ((r = option_set(ip->options, key, v, "map",
			    err)) < 0)
				return r;
		}
	}
	return 0;
}

/* ---- errors ---- */

static void
where(const struct spend_import *job, size_t line, char *buf, size_t len)
{
	if (line)
		snprintf(buf, len, "line %zu", line);
	else
		snprintf(buf, len, "record %lld", (long long)job->rows);
}

/* A fatal error: the job stops, the first one is the one reported. */
static void
job_fail(struct spend_import *job, size_t line, const char *field, int code,
    const char *msg)
{
	char w[48];

	if (job->failed)
		return;
	job->failed = true;
	job->err_line = line;
	if (line || job->rows) {
		where(job, line, w, sizeof(w));
		spend_errf(&job->err, code, field ? field : "", "%s: %s", w, msg);
	} else
		spend_errf(&job->err, code, field ? field : "", "%s", msg);
}

void
import_api_error(struct spend_import *job, size_t line, const char *field,
    const char *fmt, ...)
{
	char msg[SPEND_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* plugin text: keep the reply valid UTF-8 whatever it sent */
	if (!utf8_valid(msg, strlen(msg)))
		strlcpy(msg, "(message not valid UTF-8)", sizeof(msg));
	if (field && (!utf8_valid(field, strlen(field)) || strlen(field) > 63))
		field = "";
	job_fail(job, line, field, SPEND_EINVAL, msg);
}

static json_t *
error_json(size_t line, const struct spend_err *e)
{
	json_t *o = jp_pack("{s:I, s:s, s:s}", "line", (json_int_t)line,
	    "field", e->field, "message", e->msg);

	return o;
}

/* A row that failed validation: counted and listed; the import goes on
 * so that one run shows several bad rows, and fails at the end. */
static int
reject(struct spend_import *job, size_t line, struct spend_err *e)
{
	char w[48];

	where(job, line, w, sizeof(w));
	spend_err_prefix(e, "%s", w);
	if (job->rejected++ == 0) {
		job->first = *e;
		job->first_line = line;
	}
	if (json_array_size(job->errors) < IMPORT_MAX_ERRORS)
		json_array_append_new(job->errors, error_json(line, e));
	if (job->p.dry_run && json_array_size(job->preview) < IMPORT_PREVIEW)
		json_array_append_new(job->preview, jp_pack("{s:I, s:s, s:s, "
		    "s:s}", "line", (json_int_t)line, "status", "rejected",
		    "field", e->field, "error", e->msg));
	if (job->rejected >= IMPORT_MAX_REJECTS) {
		job->gave_up = true;	/* the importer stops here */
		return -1;
	}
	return 0;
}

/* ---- reading ---- */

long
import_api_read(struct spend_import *job, void *buf, size_t len)
{
	ssize_t n;

	if (job->failed)
		return -1;
	if (plugins_cancelled(job->sd)) {
		job_fail(job, 0, "", SPEND_EUNAVAIL, "spendd is shutting down: "
		    "nothing imported");
		return -1;
	}
	if (len > (1u << 30))
		len = 1u << 30;
	do
		n = read(job->fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		char msg[PATH_MAX + 64];

		snprintf(msg, sizeof(msg), "read %s: %s", job->p.path,
		    strerror(errno));
		job_fail(job, 0, "path", SPEND_EINVAL, msg);
		return -1;
	}
	return (long)n;
}

const char *
import_api_option(struct spend_import *job, const char *key)
{
	return key ? json_string_value(json_object_get(job->p.options, key)) :
	    NULL;
}

/* ---- categories ---- */

static void
cache_put(struct spend_import *job, const char *name, int64_t id)
{
	unsigned i = job->ncats < CAT_CACHE ? job->ncats++ :
	    job->nextcat++ % CAT_CACHE;

	strlcpy(job->cats[i].name, name, sizeof(job->cats[i].name));
	job->cats[i].id = id;
}

/* The category id for a record's category name (NULL = none). */
static int
resolve_category(struct spend_import *job, const char *raw, int64_t *id,
    struct spend_err *err)
{
	char name[NAME_MAX_LEN + 2];
	struct category c;
	int r;

	if (raw && strlen(raw) > NAME_MAX_LEN + 32)
		return spend_errf(err, SPEND_EINVAL, "category", "category "
		    "\"%.40s...\": longer than %d bytes", raw, NAME_MAX_LEN);
	strlcpy(name, raw ? raw : "", sizeof(name));
	str_trim(name);
	if (name[0] == '\0') {
		if (job->default_cat == 0)
			return spend_errf(err, SPEND_EINVAL, "category", "no "
			    "category: give a default category for such rows "
			    "(spendctl import --category NAME)");
		job->defaulted++;
		*id = job->default_cat;
		return 0;
	}
	if (strlen(name) > NAME_MAX_LEN)
		return spend_errf(err, SPEND_EINVAL, "category", "category "
		    "\"%.40s...\": longer than %d bytes", name, NAME_MAX_LEN);
	if (!text_clean(name, NULL))
		return spend_errf(err, SPEND_EINVAL, "category", "category "
		    "contains control characters or invalid UTF-8");
	for (unsigned i = 0; i < job->ncats; i++)
		if (!strcasecmp_ascii(job->cats[i].name, name)) {
			*id = job->cats[i].id;
			return 0;
		}
	r = store_category_find(job->st, job->user.id, 0, name, &c, err);
	if (r == 0) {
		cache_put(job, name, c.id);
		*id = c.id;
		return 0;
	}
	if (r != SPEND_ENOTFOUND)
		return r;
	if (job->p.create_categories) {
		memset(&c, 0, sizeof(c));
		c.user_id = job->user.id;
		strlcpy(c.name, name, sizeof(c.name));
		if ((r = category_name_check(c.name, "category", err)) < 0 ||
		    (r = store_category_add(job->st, &c, err)) < 0)
			return r;
		job->created++;
		if (json_array_size(job->created_names) < MAX_CREATED_LISTED)
			json_array_append_new(job->created_names,
			    json_string(c.name));
		cache_put(job, name, c.id);
		*id = c.id;
		return 0;
	}
	if (job->default_cat) {
		job->defaulted++;
		*id = job->default_cat;
		return 0;
	}
	return spend_errf(err, SPEND_EINVAL, "category", "category \"%s\" "
	    "does not exist: create it, or import with --create-categories or "
	    "--category DEFAULT", name);
}

/* The default category must exist before any row needs it. */
static int
default_category(struct spend_import *job, struct spend_err *err)
{
	struct category c;
	int r;

	if (job->p.category[0] == '\0')
		return 0;
	r = store_category_find(job->st, job->user.id, 0, job->p.category, &c,
	    err);
	if (r == SPEND_ENOTFOUND && job->p.create_categories) {
		memset(&c, 0, sizeof(c));
		c.user_id = job->user.id;
		strlcpy(c.name, job->p.category, sizeof(c.name));
		if ((r = category_name_check(c.name, "category", err)) < 0 ||
		    (r = store_category_add(job->st, &c, err)) < 0)
			return r;
		job->created++;
		json_array_append_new(job->created_names, json_string(c.name));
	} else if (r == SPEND_ENOTFOUND)
		return spend_errf(err, SPEND_EINVAL, "category", "default "
		    "category \"%s\" does not exist (add it, or pass "
		    "create_categories)", job->p.category);
	else if (r < 0)
		return r;
	if (c.archived)
		return spend_errf(err, SPEND_EINVAL, "category", "default "
		    "category \"%s\" is archived", c.name);
	job->default_cat = c.id;
	return 0;
}

/* ---- records ---- */

/* A JSON string without jansson's UTF-8 check: jp_str checks it and
 * names the field when it is bad. */
static void
put(json_t *o, const char *key, const char *val)
{
	if (val && *val)
		json_object_set_new_nocheck(o, key, json_string_nocheck(val));
}

/* Validate rec exactly like expense.add (expense_from_json) into e. */
static int
record_expense(struct spend_import *job, const struct spend_record *rec,
    struct expense *e, struct spend_err *err)
{
	json_t *o;
	int64_t cat = 0;
	int r;

	if (rec->date == NULL || rec->date[0] == '\0')
		return spend_errf(err, SPEND_EINVAL, "date", "date is missing");
	if (rec->amount == NULL || rec->amount[0] == '\0')
		return spend_errf(err, SPEND_EINVAL, "amount",
		    "amount is missing");
	if (rec->ntags > 0 && rec->tags == NULL)
		return spend_errf(err, SPEND_EINVAL, "tags", "tags missing");
	if (rec->ntags > TAGS_MAX)
		return spend_errf(err, SPEND_EINVAL, "tags", "at most %d tags",
		    TAGS_MAX);
	if ((r = resolve_category(job, rec->category, &cat, err)) < 0)
		return r;
	o = json_object();
	put(o, "date", rec->date);
	put(o, "amount", rec->amount);
	put(o, "currency", rec->currency && rec->currency[0] ? rec->currency :
	    job->p.currency);
	put(o, "note", rec->note);
	put(o, "payee", rec->payee);
	json_object_set_new(o, "category", json_integer(cat));
	if (rec->ntags > 0) {
		json_t *tags = json_array();

		for (size_t i = 0; i < rec->ntags; i++)
			json_array_append_new(tags, json_string_nocheck(
			    rec->tags[i] ? rec->tags[i] : ""));
		json_object_set_new(o, "tags", tags);
	}
	memset(e, 0, sizeof(*e));
	r = expense_from_json(job->st, &job->user, o, e, true, err);
	json_decref(o);
	return r;
}

static void
hash_str(crypto_generichash_state *s, const char *str)
{
	crypto_generichash_update(s, (const unsigned char *)str,
	    strlen(str) + 1);
}

/* expenses.import_key of a validated record (see import.h). */
static int
import_key(struct spend_import *job, const struct spend_record *rec,
    struct expense *e, struct spend_err *err)
{
	unsigned char h[32], h2[32], nb[8];
	crypto_generichash_state s;
	char amount[32];
	int64_t n;
	int r;

	crypto_generichash_init(&s, NULL, 0, sizeof(h));
	if (rec->source_id && rec->source_id[0]) {
		hash_str(&s, "id");
		hash_str(&s, job->vt->name);
		hash_str(&s, rec->source_id);
		crypto_generichash_final(&s, h, sizeof(h));
		hex_encode(h, sizeof(h), e->import_key);
		return 0;
	}
	snprintf(amount, sizeof(amount), "%lld", (long long)e->amount);
	hash_str(&s, "row");
	hash_str(&s, e->date);
	hash_str(&s, e->currency);
	hash_str(&s, amount);
	hash_str(&s, e->payee);
	hash_str(&s, e->note);
	crypto_generichash_final(&s, h, sizeof(h));
	/* the how-many-th identical row of this file it is */
	if ((r = store_import_seen_next(job->st, h, sizeof(h), &n, err)) < 0)
		return r;
	for (int i = 0; i < 8; i++)
		nb[i] = (unsigned char)((uint64_t)n >> (8 * i));
	crypto_generichash_init(&s, NULL, 0, sizeof(h2));
	crypto_generichash_update(&s, h, sizeof(h));
	crypto_generichash_update(&s, nb, sizeof(nb));
	crypto_generichash_final(&s, h2, sizeof(h2));
	hex_encode(h2, sizeof(h2), e->import_key);
	return 0;
}

static void
preview_add(struct spend_import *job, size_t line, const struct expense *e,
    const char *status)
{
	const struct currency *c = money_currency(e->currency);
	char amount[MONEY_STR_MAX];

	money_format(e->amount, c ? c->exponent : 2, amount, sizeof(amount));
	json_array_append_new(job->preview, jp_pack("{s:I, s:s, s:s, s:s, "
	    "s:s, s:s, s:s, s:s, s:o}", "line", (json_int_t)line, "status",
	    status, "date", e->date, "amount", amount, "currency", e->currency,
	    "category", e->category, "payee", e->payee, "note", e->note,
	    "tags", tags_to_json(e->tags)));
}

static void
count_skip(struct spend_import *job, const char *reason)
{
	json_t *n = json_object_get(job->skipped_why, reason);

	json_object_set_new(job->skipped_why, reason,
	    json_integer(n ? json_integer_value(n) + 1 : 1));
}

void
import_api_skip(struct spend_import *job, size_t line, const char *reason)
{
	char why[64];

	if (job->failed || job->gave_up)
		return;
	/* reasons are a handful of short labels; keep the report bounded */
	strlcpy(why, reason && *reason ? reason : "left out", sizeof(why));
	if (!text_clean(why, NULL) || (json_object_size(job->skipped_why) >= 16 &&
	    json_object_get(job->skipped_why, why) == NULL))
		strlcpy(why, "other", sizeof(why));
	job->rows++;
	job->skipped++;
	count_skip(job, why);
	if (job->p.dry_run && json_array_size(job->preview) < IMPORT_PREVIEW)
		json_array_append_new(job->preview, jp_pack("{s:I, s:s, s:s}",
		    "line", (json_int_t)line, "status", "skipped", "reason", why));
}

int
import_api_emit(struct spend_import *job, const struct spend_record *rec)
{
	struct spend_err err;
	struct expense e;
	bool dup;
	size_t line;
	int r;

	if (job->failed || job->gave_up || rec == NULL)
		return -1;
	if (plugins_cancelled(job->sd)) {
		job_fail(job, 0, "", SPEND_EUNAVAIL, "spendd is shutting down: "
		    "nothing imported");
		return -1;
	}
	job->rows++;
	line = rec->line;
	spend_err_clear(&err);
	if ((r = record_expense(job, rec, &e, &err)) < 0 ||
	    (r = import_key(job, rec, &e, &err)) < 0) {
		if (r == SPEND_EINVAL)
			return reject(job, line, &err);
		job_fail(job, line, err.field, r, err.msg);
		return -1;
	}
	if ((r = store_expense_has_import_key(job->st, job->user.id,
	    e.import_key, &dup, &err)) < 0) {
		job_fail(job, line, err.field, r, err.msg);
		return -1;
	}
	if (!dup) {
		r = store_expense_add(job->st, &e, &err);
		if (r == SPEND_ECONFLICT)
			dup = true;
		else if (r < 0) {
			job_fail(job, line, err.field, r, err.msg);
			return -1;
		}
	}
	if (dup) {
		job->skipped++;
		count_skip(job, "duplicate");
	} else
		job->added++;
	if (job->p.dry_run && json_array_size(job->preview) < IMPORT_PREVIEW)
		preview_add(job, line, &e, dup ? "duplicate" : "new");
	return 0;
}

/* ---- the job ---- */

static int
open_source(struct spend_import *job, struct spend_err *err)
{
	struct stat sb;

	job->fd = open(job->p.path, O_RDONLY | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC);
	if (job->fd < 0)
		return spend_errf(err, errno == ENOENT ? SPEND_ENOTFOUND :
		    SPEND_EINVAL, "path", "%s: %s", job->p.path,
		    strerror(errno));
	if (fstat(job->fd, &sb) < 0 || !S_ISREG(sb.st_mode))
		return spend_errf(err, SPEND_EINVAL, "path", "%s: not a "
		    "regular file", job->p.path);
	return 0;
}

static bool
ext_in(const char *ext, const char *list)
{
	size_t n = strlen(ext);

	for (const char *p = list; p && *p; ) {
		size_t k = strcspn(p, ", ");

		if (k == n && !strncasecmp(p, ext, n))
			return true;
		p += k;
		p += strspn(p, ", ");
	}
	return false;
}

/* Signatures of formats that do not need their extension. */
static const char *
sniff(const char *head, size_t n)
{
	const char *p = head, *end = head + n;

	if (n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' ||
	    *p == '\n'))
		p++;
	if (end - p >= 9 && !strncasecmp(p, "OFXHEADER", 9))
		return "ofx";
	if (end - p >= 5 && !strncmp(p, "<?xml", 5) &&
	    (memmem(p, (size_t)(end - p), "<?OFX", 5) ||
	    memmem(p, (size_t)(end - p), "<OFX>", 5)))
		return "ofx";
	if (end - p >= 5 && !strncasecmp(p, "<OFX>", 5))
		return "ofx";
	if (end - p >= 6 && (!strncasecmp(p, "!Type:", 6) ||
	    !strncasecmp(p, "!Account", 8) || !strncasecmp(p, "!Option", 7)))
		return "qif";
	return NULL;
}

static int
pick_importer(struct spend_import *job, struct spend_err *err)
{
	const char *name = job->p.filename[0] ? job->p.filename : job->p.path;
	const char *base = strrchr(name, '/'), *ext;
	const struct spend_importer *vt;
	char head[SNIFF_LEN], have[256];
	ssize_t n;

	if (job->p.format[0]) {
		job->vt = plugins_importer(job->sd, job->p.format, &job->self);
		if (job->vt == NULL)
			return plugins_unknown(job->sd, "importer",
			    job->p.format, "format", err);
		return 0;
	}
	base = base ? base + 1 : name;
	if ((ext = strrchr(base, '.')) != NULL && ext[1])
		for (size_t i = 0; (vt = plugins_importer_at(job->sd, i,
		    &job->self)) != NULL; i++)
			if (ext_in(ext + 1, vt->extensions)) {
				job->vt = vt;
				return 0;
			}
	do
		n = pread(job->fd, head, sizeof(head), 0);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		const char *f = sniff(head, (size_t)n);

		if (f && (job->vt = plugins_importer(job->sd, f,
		    &job->self)) != NULL)
			return 0;
	}
	plugins_names(job->sd, "importer", have, sizeof(have));
	return spend_errf(err, SPEND_EINVAL, "format", "cannot tell the "
	    "format of %s: pass format (have: %s)", base, have);
}

static json_t *
report_json(struct spend_import *job)
{
	json_t *o = jp_pack("{s:s, s:s, s:b, s:b, s:I, s:I, s:I, s:I, s:I, "
	    "s:O, s:O}", "format", job->vt ? job->vt->name : "",
	    "path", job->p.filename[0] ? job->p.filename : job->p.path,
	    "dry_run", job->p.dry_run, "ok", !job->failed && !job->gave_up &&
	    job->rejected == 0,
	    "rows", (json_int_t)job->rows, "added", (json_int_t)job->added,
	    "skipped", (json_int_t)job->skipped,
	    "rejected", (json_int_t)job->rejected,
	    "defaulted", (json_int_t)job->defaulted,
	    "categories_created", job->created_names,
	    "errors", job->errors);

	json_object_set(o, "skipped_why", job->skipped_why);
	if (job->p.dry_run)
		json_object_set(o, "preview", job->preview);
	return o;
}

/* Open, pick, run the importer inside one transaction; commit only a
 * clean real run. */
static int
job_run(struct spend_import *job, json_t **result, struct spend_err *err)
{
	int r, rc;

	*result = NULL;
	if ((r = open_source(job, err)) < 0 ||
	    (r = pick_importer(job, err)) < 0 ||
	    (r = store_open(job->sd->cfg.db_path, STORE_SECONDARY |
	    spendd_store_flags(job->sd), &job->st, err)) < 0 ||
	    (r = store_import_seen_open(job->st, err)) < 0 ||
	    (r = store_begin(job->st, err)) < 0)
		return r;
	if ((r = default_category(job, err)) < 0) {
		store_rollback(job->st);
		return r;
	}
	rc = job->vt->run(job->self, job);
	if (rc != 0 && !job->failed && !job->gave_up)
		job_fail(job, 0, "", SPEND_EINVAL, "the importer failed "
		    "without saying why");
	/* the first bad row says most, even if reading failed later */
	if (job->rejected > 0 && !job->p.dry_run) {
		store_rollback(job->st);
		*err = job->first;
		if (job->rejected > 1) {
			char more[128];

			snprintf(more, sizeof(more), " (and %lld more rejected "
			    "rows%s; a dry run lists them)",
			    (long long)job->rejected - 1, job->gave_up ?
			    ", reading stopped there" : "");
			strlcat(err->msg, more, sizeof(err->msg));
		}
		spend_err_prefix(err, "nothing imported");
		return err->code;
	}
	if (job->failed && !job->p.dry_run) {
		store_rollback(job->st);
		*err = job->err;
		return err->code;
	}
	if (job->p.dry_run) {
		/* a dry run does it all, then undoes it */
		store_rollback(job->st);
		if (job->failed && json_array_size(job->errors) <
		    IMPORT_MAX_ERRORS + 1)
			json_array_append_new(job->errors,
			    error_json(job->err_line, &job->err));
	} else if ((r = store_commit(job->st, err)) < 0)
		return r;
	*result = report_json(job);
	return 0;
}

static struct spend_import *
job_new(struct spendd *sd, const struct user *u,
    const struct import_params *ip)
{
	struct spend_import *job = calloc(1, sizeof(*job));

	if (job == NULL)
		fatal("calloc");
	job->sd = sd;
	job->user = *u;
	job->p = *ip;
	job->p.options = ip->options ? json_deep_copy(ip->options) :
	    json_object();
	job->fd = -1;
	job->created_names = json_array();
	job->errors = json_array();
	job->preview = json_array();
	job->skipped_why = json_object();
	return job;
}

static void
job_free(struct spend_import *job)
{
	if (job->st) {
		store_import_seen_close(job->st);
		store_close(job->st);
	}
	if (job->fd >= 0)
		close(job->fd);
	json_decref(job->p.options);
	json_decref(job->created_names);
	json_decref(job->errors);
	json_decref(job->preview);
	json_decref(job->skipped_why);
	json_decref(job->result);
	free(job);
}

int
import_run_sync(struct spendd *sd, const struct user *u,
    const struct import_params *ip, json_t **result, struct spend_err *err)
{
	struct spend_import *job = job_new(sd, u, ip);
	int r;

	r = job_run(job, result, err);
	job_free(job);
	return r;
}

static void
job_work(struct job *work, void *arg)
{
	struct spend_import *job = arg;

	spend_err_clear(&job->err);
	job->rc = job_run(job, &job->result, &job->err);
	/* the connection goes now, not when the loop gets to it */
	if (job->st) {
		store_import_seen_close(job->st);
		store_close(job->st);
		job->st = NULL;
	}
	if (job->fd >= 0) {
		close(job->fd);
		job->fd = -1;
	}
}

static void
job_done(struct job *work, void *arg)
{
	struct spend_import *job = arg;

	for (struct spend_import **p = &running; *p; p = &(*p)->next)
		if (*p == job) {
			*p = job->next;
			break;
		}
	if (job->rc == 0) {
		log_info("import: %s %s for %s%s: %lld rows, %lld added, %lld "
		    "skipped", job->vt->name, job->p.path, job->user.name,
		    job->p.dry_run ? " (dry run)" : "", (long long)job->rows,
		    (long long)job->added, (long long)job->skipped);
		if (!job->p.dry_run) {
			/* live clients refresh: the dispatcher publishes only
			 * the writes it commits itself */
			if (job->added > 0)
				events_publish(job->sd, job->user.id,
				    "import.run", job->result);
			plugins_notify(job->sd, SPEND_EVENT_IMPORT_DONE,
			    job->user.name, job->result);
		}
		job->done(job->result, NULL, job->arg);
	} else {
		log_info("import: %s for %s failed: %s", job->p.path,
		    job->user.name, job->err.msg);
		job->done(NULL, &job->err, job->arg);
	}
	job_free(job);
}

int
import_start(struct spendd *sd, const struct user *u,
    const struct import_params *ip, import_done_fn done, void *arg,
    struct spend_err *err)
{
	struct spend_import *job;
	int r;

	if ((r = jobs_check(sd, err)) < 0)
		return r;
	if (ip->path[0] == '\0')
		return spend_errf(err, SPEND_EINVAL, "path", "path is required");
	if (ip->format[0] && plugins_importer(sd, ip->format, NULL) == NULL)
		return plugins_unknown(sd, "importer", ip->format, "format", err);
	for (job = running; job; job = job->next)
		if (job->sd == sd)
			return spend_errf(err, SPEND_EBUSY, "", "another import "
			    "(%s for %s) is running: try again when it is done",
			    job->p.filename[0] ? job->p.filename : job->p.path,
			    job->user.name);
	job = job_new(sd, u, ip);
	job->done = done;
	job->arg = arg;
	/* running first: without workers the job is done (and freed) before
	 * jobs_submit returns */
	job->next = running;
	running = job;
	if ((r = jobs_submit(sd, JOB_IMPORT, job_work, job_done, job,
	    err)) < 0) {
		running = job->next;
		job_free(job);
		return r;
	}
	return 0;
}

/* ---- import.run ---- */

int
h_import_run(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct import_params ip;
	int r;

	/* spendd opens the path with its own rights: socket admins only */
	if ((r = import_params_from_json(p, c->id.socket_admin, &ip,
	    err)) < 0)
		goto out;
	if (ip.path[0] == '\0') {
		r = spend_errf(err, SPEND_EINVAL, "path", "path is required "
		    "(an absolute file name spendd can read)");
		goto out;
	}
	if ((r = import_start(c->sd, &c->user, &ip, jobs_rpc_done, c,
	    err)) == 0)
		r = RPC_PENDING;
out:
	import_params_free(&ip);
	return r;
}
