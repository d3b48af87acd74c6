/* Import jobs: a file streamed to an importer plugin on a worker, every
 * record validated like expense.add, de-duplicated, all or nothing. */
#include <sys/stat.h>

#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "domain.h"
#include "shapes.h"
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
#include "xmalloc.h"

#define CAT_CACHE 16		/* recent category names -> categories */
/* A batch of staged rows is committed after this many rows or this long
 * holding the write lock, whichever comes first, or at once when the
 * event loop waits for the lock (store_writer_waiting): a user's write
 * waits in line (rpc.c) for one row and a commit, not for a batch. The
 * rows bound that commit: 20,000 rows took 130 to 250 ms to commit on an
 * idle 2-core machine (their search index, totals and pages), 5,000 rows
 * about 110 ms; a 1M-row import is as fast either way (21.8 s). A
 * worker's write (another import, a sync push) waits up to BATCH_MS, well
 * inside its busy timeout (5 s). Each commit costs the search index a
 * segment: 1 s batches import 1.6x faster than 100 ms ones (200k rows:
 * 21.3 s, was 33.6 s; one transaction, 19.0 s). */
#define BATCH_ROWS 5000
#define BATCH_MS 1000
#define YIELD_MS 50		/* at most this long, the loop's write first */
#define TRIM_ROWS 10000	/* after an import this large, memory back */
#define DISCARD_ROWS 5000	/* rows removed per transaction when undoing */
#define MAX_CREATED_LISTED 100
#define MAX_OPTIONS 64
#define OPTION_VALUE_MAX 1024
#define SNIFF_LEN 4096

/*
 * The imports this spendd is staging (sd->imports, any thread): an
 * import that blocks a new one and is not among them was left by a stop
 * (or by an undo a full disk cut short), and is undone first.
 */
struct imports {
	pthread_mutex_t mtx;
	int64_t live[64];
	uint64_t filter_max;	/* bits: FILTER_MAX_BITS, or a test's */
};

struct spend_import {
	struct spendd *sd;
	struct user user;
	struct import_params p;		/* own copy; p.options owned */
	const struct spend_importer *vt;
	struct spend_plugin *self;
	int fd;
	struct store *st;		/* the worker's own connection */

	int64_t rows, added, skipped, rejected, defaulted, created;
	int64_t by_rules, uncategorised;	/* of the rows added */
	struct rule_set *rules;		/* the user's, loaded once */
	int64_t uncategorised_id;
	struct category default_cat;	/* id 0 = none */
	struct category cats[CAT_CACHE];
	unsigned ncats, nextcat;
	int64_t fake_ids;		/* a dry run's categories, never stored */

	/* staging (import.h): the open batch, and the ids written */
	int64_t import_id;		/* 0 in a dry run */
	struct write_tx w;
	int64_t batch_rows, batch_since, first_id, last_id;
	int64_t batch_first;		/* the open batch's first row, or 0 */
	/* identical rows (row_ordinal): the filter, and the row's hash */
	uint64_t *filter, filter_mask;
	off_t size;			/* of the file: sizes the filter */
	unsigned char row_h[32];
	bool row_counted;		/* a row hash (no source id), */
	char row_legacy[IMPORT_KEY_LEN + 1];	/* and its older key */
	bool row_noted;			/* and it is in the seen table */
	struct write_tx pub;		/* the publish: its hooks, for the loop */
	json_t *created_names, *errors, *preview;
	json_t *skipped_why;		/* reason -> rows skipped for it */

	bool failed;			/* fatal: the job stops */
	bool gave_up;			/* IMPORT_MAX_REJECTS reached */
	struct spend_err err;		/* that error */
	size_t err_line;
	struct spend_err first;		/* the first rejected row */
	size_t first_line;

	/* async */
	import_done_fn done;
	void *arg;
	json_t *result;
	int rc;
};


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
	json_t *o, *v;
	const char *k, *fn;
	bool have;
	int r;

	memset(ip, 0, sizeof(*ip));
	ip->options = json_object();
	if (jp_cstr(p, "filename", false, &fn, err) < 0)
		return SPEND_EINVAL;
	if (fn) {	/* an upload's original name: its extension tells */
		const char *slash = strrchr(fn, '/');

		strlcpy(ip->filename, slash ? slash + 1 : fn,
		    sizeof(ip->filename));
	}
	if (jp_str(p, "format", false, ip->format, sizeof(ip->format), NULL,
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

/* Remember c; the cached copy. */
static const struct category *
cache_put(struct spend_import *job, const struct category *c)
{
	unsigned i = job->ncats < CAT_CACHE ? job->ncats++ :
	    job->nextcat++ % CAT_CACHE;

	job->cats[i] = *c;
	return &job->cats[i];
}

static int batch_open(struct spend_import *job, struct spend_err *err);

/* A new category, staged with the rows (a dry run only pretends). */
static int
create_category(struct spend_import *job, const char *name,
    struct category *c, struct spend_err *err)
{
	int r;

	if (job->p.dry_run) {
		if ((r = category_name_check(name, "category", err)) < 0)
			return r;
		memset(c, 0, sizeof(*c));
		c->id = --job->fake_ids;
		c->user_id = job->user.id;
		strlcpy(c->name, name, sizeof(c->name));
	} else if ((r = batch_open(job, err)) < 0 ||
	    (r = category_create(&job->w, name, c, err)) < 0) {
		if (r == SPEND_EINVAL || r == SPEND_ECONFLICT)
			strlcpy(err->field, "category", sizeof(err->field));
		return r;
	}
	job->created++;
	if (json_array_size(job->created_names) < MAX_CREATED_LISTED)
		json_array_append_new(job->created_names, json_string(c->name));
	return 0;
}

/* The category of a record's category name (NULL = none). */
static int
resolve_category(struct spend_import *job, const char *raw,
    const struct category **out, struct spend_err *err)
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
		if (job->default_cat.id == 0) {	/* the rules decide */
			*out = NULL;
			return 0;
		}
		job->defaulted++;
		*out = &job->default_cat;
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
			*out = &job->cats[i];
			return 0;
		}
	r = category_find(job->st, job->user.id, job->import_id, 0, name,
	    false, &c, err);
	if (r == SPEND_ENOTFOUND && job->p.create_categories)
		r = create_category(job, name, &c, err);
	else if (r == SPEND_ENOTFOUND && job->default_cat.id) {
		job->defaulted++;
		*out = &job->default_cat;
		return 0;
	} else if (r == SPEND_ENOTFOUND)
		return spend_errf(err, SPEND_EINVAL, "category", "category "
		    "\"%s\" does not exist: create it, or import with "
		    "--create-categories or --category DEFAULT", name);
	if (r < 0)
		return r;
	*out = cache_put(job, &c);
	return 0;
}

/* The default category must exist before any row needs it. */
static int
default_category(struct spend_import *job, struct spend_err *err)
{
	struct category c;
	int r;

	if (job->p.category[0] == '\0')
		return 0;
	r = category_find(job->st, job->user.id, job->import_id, 0,
	    job->p.category, false, &c, err);
	if (r == SPEND_ENOTFOUND && job->p.create_categories)
		r = create_category(job, job->p.category, &c, err);
	else if (r == SPEND_ENOTFOUND)
		return spend_errf(err, SPEND_EINVAL, "category", "default "
		    "category \"%s\" does not exist (add it, or pass "
		    "create_categories)", job->p.category);
	if (r < 0)
		return r;
	if (c.archived)
		return spend_errf(err, SPEND_EINVAL, "category", "default "
		    "category \"%s\" is archived", c.name);
	job->default_cat = c;
	return 0;
}

/* The user's rules and uncategorised category, for the rows without a
 * category. */
static int
import_rules(struct spend_import *job, struct spend_err *err)
{
	struct category c;
	int r;

	if ((r = rule_set_load(job->st, job->user.id, &job->rules, err)) < 0 ||
	    (r = store_category_uncategorised(job->st, job->user.id,
	    job->import_id, &c, err)) < 0)
		return r;
	job->uncategorised_id = c.id;
	return 0;
}

/* ---- records ---- */

/* Validate rec (split into nparts parts, 0: not split) exactly like
 * expense.add (the domain's expense_check) into e. */
static int
record_expense(struct spend_import *job, const struct spend_record *rec,
    const struct spend_part *parts, size_t nparts, struct expense *e,
    struct spend_err *err)
{
	struct expense_part_input pin[EXPENSE_PARTS_MAX];
	struct category pcat[EXPENSE_PARTS_MAX];
	char pnote[EXPENSE_PARTS_MAX][PART_NOTE_MAX_LEN + 1];
	struct expense_input in;
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
	for (size_t i = 0; i < rec->ntags; i++)
		if (rec->tags[i] == NULL)
			return spend_errf(err, SPEND_EINVAL, "tags",
			    "tag %zu is missing", i + 1);
	memset(&in, 0, sizeof(in));
	if (nparts > EXPENSE_PARTS_MAX)
		return spend_errf(err, SPEND_EINVAL, "parts", "a split has 2 to "
		    "%d parts (%zu given)", EXPENSE_PARTS_MAX, nparts);
	if (nparts > 0) {
		memset(pin, 0, sizeof(pin));
		for (size_t i = 0; i < nparts; i++) {
			const struct category *c;

			/* a copy: the cache may reuse its slot for the next */
			if ((r = resolve_category(job, parts[i].category, &c,
			    err)) < 0) {
				snprintf(err->field, sizeof(err->field),
				    "parts[%zu].category", i);
				return r;
			}
			pcat[i] = *c;
			pin[i].cat = &pcat[i];
			pin[i].amount = parts[i].amount ? parts[i].amount : "";
			/* a long memo is cut (on a character) to fit */
			if (parts[i].note) {
				size_t n = strlen(parts[i].note);

				if (n > PART_NOTE_MAX_LEN) {
					n = PART_NOTE_MAX_LEN;
					while (n > 0 && ((unsigned char)
					    parts[i].note[n] & 0xc0) == 0x80)
						n--;
				}
				memcpy(pnote[i], parts[i].note, n);
				pnote[i][n] = '\0';
				pin[i].note = pnote[i];
			}
		}
		in.parts = pin;
		in.nparts = nparts;
		in.set = EF_AMOUNT | EF_DATE | EF_PARTS;
	} else if ((r = resolve_category(job, rec->category, &in.cat,
	    err)) < 0)
		return r;
	else
		in.set = EF_AMOUNT | EF_DATE | (in.cat ? EF_CATEGORY : 0);
	in.rules = job->rules;
	in.source = job->vt->name;
	in.amount = rec->amount;
	in.date = rec->date;
	if (rec->currency && rec->currency[0]) {
		in.currency = rec->currency;
		in.set |= EF_CURRENCY;
	} else if (job->p.currency[0]) {
		in.currency = job->p.currency;
		in.set |= EF_CURRENCY;
	}
	if (rec->note && rec->note[0]) {
		in.note = rec->note;
		in.set |= EF_NOTE;
	}
	if (rec->payee && rec->payee[0]) {
		in.payee = rec->payee;
		in.set |= EF_PAYEE;
	}
	if (rec->ntags > 0) {
		in.tags = rec->tags;
		in.ntags = rec->ntags;
		in.set |= EF_TAGS;
	}
	return expense_check(job->st, job->import_id, &job->user, &in, e, err);
}

static void
hash_str(crypto_generichash_state *s, const char *str)
{
	crypto_generichash_update(s, (const unsigned char *)str,
	    strlen(str) + 1);
}

/*
 * Identical rows of one file: the n-th copy of a row (n = how many rows of
 * this file before it had the same hash) gets a key of its own, so a file
 * with two identical rows imports both, and importing it again neither.
 * n comes from a table in a scratch file (store_import_seen_*). But most
 * rows are the first of their kind, and writing every row's hash into
 * that table (a B-tree of random keys) was a third of a large import's
 * time (300k rows: 19.3 s, 13.7 s with this filter). So a Bloom filter of the
 * hashes seen, in memory, answers first: a row it has not seen is the
 * first of its kind, n = 0, and the table is not touched. Then only rows
 * the filter may have seen, and first rows skipped as already imported,
 * are noted in the table. A row the filter may have seen and the table
 * does not hold had at most one copy before it, which took the key of
 * n = 0 and was staged by this import (had it been skipped, the table
 * would hold it): so n is 1 if that key is this import's, else 0.
 * A dry run stages nothing, and so notes every row in the table.
 */
#define FILTER_MIN_BITS 4096
#define FILTER_MAX_BITS (1 << 25)	/* 4 MB: 1M rows, 1 in 6,000 false */

/* A bit or two per byte of the file (a row is 15 bytes or more): the
 * power of 2 at or above its size, within bounds. Sized by the data: out
 * of memory fails the import, not spendd. */
static int
filter_init(struct spend_import *job, struct spend_err *err)
{
	uint64_t max = job->sd->imports->filter_max;
	uint64_t bits = max < FILTER_MIN_BITS ? max : FILTER_MIN_BITS;

	while (bits < max && bits < (uint64_t)job->size)
		bits <<= 1;
	if ((job->filter = calloc(bits / 64, sizeof(uint64_t))) == NULL)
		return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	job->filter_mask = bits - 1;
	return 0;
}

/* Add h (a BLAKE2b hash: its words are as good as four hashes); was it
 * (probably) there already? */
static bool
filter_add(struct spend_import *job, const unsigned char h[32])
{
	bool had = true;

	for (int i = 0; i < 4; i++) {
		uint64_t w = ((uint64_t)h[4 * i] | (uint64_t)h[4 * i + 1] << 8 |
		    (uint64_t)h[4 * i + 2] << 16 | (uint64_t)h[4 * i + 3] << 24) &
		    job->filter_mask;
		uint64_t bit = (uint64_t)1 << (w & 63);

		if (!(job->filter[w >> 6] & bit)) {
			had = false;
			job->filter[w >> 6] |= bit;
		}
	}
	return had;
}

/*
 * The key of the n-th row with hash h, dated date: "r", the date's
 * digits, then 128 bits of H(h, n) in hex (41 characters). The date goes
 * first so that the rows of a statement, in date order as banks write
 * them, land side by side in the index of keys (expenses_import_key): a
 * key of random bits alone wrote a leaf of it per row, and the index of
 * a million of them outgrew the page cache (300k rows in date order:
 * 10.9 s, 7.5 s with dated keys). Keys made before the date led them
 * were all of H(h, n): legacy, when not NULL, gets that one (64 hex
 * digits), which rows imported then still carry. "r" is no hex digit: the two
 * kinds keep to their own ends of a user's keys.
 */
static void
ordinal_key(const unsigned char h[32], const char *date, int64_t n,
    char *key, char *legacy)
{
	crypto_generichash_state s;
	unsigned char nb[8], h2[32];
	size_t k = 0;

	for (int i = 0; i < 8; i++)
		nb[i] = (unsigned char)((uint64_t)n >> (8 * i));
	crypto_generichash_init(&s, NULL, 0, sizeof(h2));
	crypto_generichash_update(&s, h, 32);
	crypto_generichash_update(&s, nb, sizeof(nb));
	crypto_generichash_final(&s, h2, sizeof(h2));
	key[k++] = 'r';
	for (const char *d = date; *d && k < 9; d++)
		if (*d != '-')
			key[k++] = *d;
	hex_encode(h2, 16, key + k);
	if (legacy)
		hex_encode(h2, sizeof(h2), legacy);
}

/* *n for the row of hash h (above); job->row_noted says if it is in the
 * table now. */
static int
row_ordinal(struct spend_import *job, const unsigned char h[32],
    const char *date, int64_t *n, struct spend_err *err)
{
	char key[IMPORT_KEY_LEN + 1];
	int64_t stage;
	bool found;
	int r;

	job->row_noted = false;
	if (!job->p.dry_run && !filter_add(job, h)) {
		*n = 0;
		return 0;
	}
	if ((r = store_import_seen_get(job->st, h, 32, n, &found, err)) < 0)
		return r;
	if (found)
		++*n;
	else if (!job->p.dry_run) {
		ordinal_key(h, date, 0, key, NULL);
		if ((r = store_expense_has_import_key(job->st, job->user.id,
		    key, &found, &stage, err)) < 0)
			return r;
		*n = found && stage == job->import_id ? 1 : 0;
	}
	job->row_noted = true;
	return store_import_seen_set(job->st, h, 32, *n, err);
}

/* A row skipped as imported before: noted, if the filter alone passed
 * it, for the next copy of it to count it (row_ordinal). */
static int
row_skipped(struct spend_import *job, struct spend_err *err)
{
	if (!job->row_counted || job->row_noted)
		return 0;
	job->row_noted = true;
	return store_import_seen_set(job->st, job->row_h, 32, 0, err);
}

/* expenses.import_key of a validated record (see import.h). */
static int
import_key(struct spend_import *job, const struct spend_record *rec,
    struct expense *e, struct spend_err *err)
{
	unsigned char *h = job->row_h;
	crypto_generichash_state s;
	char amount[32];
	int64_t n;
	int r;

	job->row_counted = false;
	crypto_generichash_init(&s, NULL, 0, sizeof(job->row_h));
	if (rec->source_id && rec->source_id[0]) {
		hash_str(&s, "id");
		hash_str(&s, job->vt->name);
		hash_str(&s, rec->source_id);
		crypto_generichash_final(&s, h, sizeof(job->row_h));
		hex_encode(h, sizeof(job->row_h), e->import_key);
		return 0;
	}
	snprintf(amount, sizeof(amount), "%lld", (long long)e->amount);
	hash_str(&s, "row");
	hash_str(&s, e->date);
	hash_str(&s, e->currency);
	hash_str(&s, amount);
	/* the row as the file has it, not as rules renamed it: the same
	 * file is the same rows whatever the rules are by then */
	hash_str(&s, rec->payee ? rec->payee : "");
	hash_str(&s, rec->note ? rec->note : "");
	crypto_generichash_final(&s, h, sizeof(job->row_h));
	job->row_counted = true;
	if ((r = row_ordinal(job, h, e->date, &n, err)) < 0)
		return r;
	ordinal_key(h, e->date, n, e->import_key, job->row_legacy);
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
	    "tags", expense_tags_json(e->tags)));
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

/* ---- staging (store.h, "Staged imports") ---- */

static int
batch_open(struct spend_import *job, struct spend_err *err)
{
	int r;

	if (job->w.open)
		return 0;
	/* the loop's writers first: they wait for nothing longer */
	for (int64_t t0 = time_mono_ms(); store_writer_waiting() &&
	    time_mono_ms() - t0 < YIELD_MS;) {
		struct timespec half = { 0, 500 * 1000 };

		nanosleep(&half, NULL);
	}
	if ((r = write_begin(&job->w, job->st, job->user.id, err)) < 0)
		return r;
	job->w.stage = job->import_id;
	job->batch_rows = 0;
	job->batch_first = 0;
	job->batch_since = time_mono_ms();
	return 0;
}

static int
batch_close(struct spend_import *job, struct spend_err *err)
{
	int r;

	if (!job->w.open)
		return 0;
	if ((job->batch_first > 0 && (r = store_import_totals(job->st,
	    job->import_id, job->batch_first, job->last_id, err)) < 0) ||
	    (r = store_import_progress(job->st, job->import_id,
	    job->first_id, job->last_id, err)) < 0) {
		write_rollback(&job->w);
		return r;
	}
	return write_commit(&job->w, err);
}

static int
batch_maybe_close(struct spend_import *job, struct spend_err *err)
{
	if (job->batch_rows < BATCH_ROWS &&
	    time_mono_ms() - job->batch_since < BATCH_MS &&
	    !store_writer_waiting())
		return 0;
	return batch_close(job, err);
}

/* Remove what a staging import wrote, a batch at a time, and mark it
 * failed. Failing here leaves it to the next start. */
int
import_undo(struct store *st, int64_t uid, int64_t id, struct spend_err *err)
{
	bool done = false;
	int r;

	while (!done)
		if ((r = store_import_discard(st, id, DISCARD_ROWS, &done,
		    err)) < 0)
			return r;
	return store_import_fail(st, uid, id, err);
}

static void
undo(struct spend_import *job)
{
	struct spend_err e;

	write_rollback(&job->w);
	if (job->import_id && import_undo(job->st, job->user.id,
	    job->import_id, &e) < 0)
		log_warnx("import: cannot undo import %lld of %s now (%s): "
		    "its rows stay hidden until the next start removes them",
		    (long long)job->import_id, job->user.name, e.msg);
}

/* After the commit of the publish, on the loop: live clients refresh,
 * notifiers hear of it. */
static void
published(struct spendd *sd, void *arg)
{
	struct spend_import *job = arg;

	if (job->added > 0)
		events_publish(sd, job->user.id, "import.run", job->result);
	plugins_notify(sd, SPEND_EVENT_IMPORT_DONE, job->user.name,
	    job->result);
}

/* Every batch in: the rows become visible, all at once, in one short
 * transaction, logged as one change. */
static int
publish(struct spend_import *job, struct spend_err *err)
{
	int r;

	if ((r = batch_close(job, err)) < 0)
		return r;
	if ((r = write_begin(&job->pub, job->st, job->user.id, err)) < 0)
		return r;
	if ((r = store_import_progress(job->st, job->import_id, job->first_id,
	    job->last_id, err)) < 0 ||
	    (r = store_import_publish(job->st, job->user.id, job->import_id,
	    job->added, err)) < 0 ||
	    (r = write_touch_stage(&job->pub, job->import_id, err)) < 0 ||
	    (r = write_change(&job->pub, CH_IMPORT, job->import_id, CH_CREATE,
	    1, err)) < 0) {
		write_rollback(&job->pub);
		return r;
	}
	write_hook(&job->pub, published, job, NULL);
	return write_commit(&job->pub, err);
}

static int emit(struct spend_import *job, const struct spend_record *rec,
    const struct spend_part *parts, size_t nparts);

int
import_api_emit(struct spend_import *job, const struct spend_record *rec)
{
	return emit(job, rec, NULL, 0);
}

int
import_api_emit_split(struct spend_import *job,
    const struct spend_record *rec, const struct spend_part *parts,
    size_t nparts)
{
	if (nparts > 0 && parts == NULL)
		nparts = 0;
	return emit(job, rec, parts, nparts);
}

static int
emit(struct spend_import *job, const struct spend_record *rec,
    const struct spend_part *parts, size_t nparts)
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
	if ((r = record_expense(job, rec, parts, nparts, &e, &err)) < 0 ||
	    (r = import_key(job, rec, &e, &err)) < 0) {
		if (r == SPEND_EINVAL)
			return reject(job, line, &err);
		job_fail(job, line, err.field, r, err.msg);
		return -1;
	}
	if ((r = store_expense_has_import_key(job->st, job->user.id,
	    e.import_key, &dup, NULL, &err)) < 0 || (!dup && job->row_counted &&
	    (r = store_expense_has_import_key(job->st, job->user.id,
	    job->row_legacy, &dup, NULL, &err)) < 0)) {
		job_fail(job, line, err.field, r, err.msg);
		return -1;
	}
	if (!dup && !job->p.dry_run) {
		if ((r = batch_open(job, &err)) == 0 &&
		    (r = expense_store(&job->w, &e, &err)) == SPEND_ECONFLICT)
			dup = true;
		else if (r == 0) {
			if (job->first_id == 0)
				job->first_id = e.id;
			if (job->batch_first == 0)
				job->batch_first = e.id;
			job->last_id = e.id;
			job->batch_rows++;
			r = batch_maybe_close(job, &err);
		}
		if (r < 0 && r != SPEND_ECONFLICT) {
			job_fail(job, line, err.field, r, err.msg);
			return -1;
		}
	}
	if (dup && (r = row_skipped(job, &err)) < 0) {
		job_fail(job, line, err.field, r, err.msg);
		return -1;
	}
	if (dup) {
		job->skipped++;
		count_skip(job, "duplicate");
	} else {
		job->added++;
		if (e.category_auto && e.category_id == job->uncategorised_id)
			job->uncategorised++;
		else if (e.category_auto)
			job->by_rules++;
	}
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
	job->size = sb.st_size;
	return filter_init(job, err);
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
	/* rows without a category: those the rules categorised, the rest */
	json_object_set_new(o, "by_rules", json_integer(job->by_rules));
	json_object_set_new(o, "uncategorised",
	    json_integer(job->uncategorised));
	if (job->p.dry_run)
		json_object_set(o, "preview", job->preview);
	return o;
}

int
import_init(struct spendd *sd, struct spend_err *err)
{
	struct imports *im;
	const char *env;
	int e;

	if ((im = calloc(1, sizeof(*im))) == NULL)
		return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	if ((e = pthread_mutex_init(&im->mtx, NULL)) != 0) {
		free(im);
		return spend_errf(err, SPEND_EINTERNAL, "", "import: mutex: %s",
		    strerror(e));
	}
	/* a test makes the filter of identical rows tiny, so that it
	 * answers "maybe" for most rows (a power of 2, at least 64) */
	im->filter_max = FILTER_MAX_BITS;
	if ((env = getenv("SPEND_TEST_IMPORT_FILTER_BITS")) != NULL &&
	    atoll(env) >= 64 && atoll(env) <= FILTER_MAX_BITS &&
	    (atoll(env) & (atoll(env) - 1)) == 0)
		im->filter_max = (uint64_t)atoll(env);
	sd->imports = im;
	return 0;
}

void
import_free(struct spendd *sd)
{
	if (sd->imports == NULL)
		return;
	pthread_mutex_destroy(&sd->imports->mtx);
	free(sd->imports);
	sd->imports = NULL;
}

static bool
live_set(struct imports *im, int64_t id, bool on)
{
	bool found = false;

	pthread_mutex_lock(&im->mtx);
	for (size_t i = 0; i < sizeof(im->live) / sizeof(im->live[0]); i++) {
		if (on && !found && im->live[i] == 0) {
			im->live[i] = id;
			found = true;
		} else if (!on && im->live[i] == id) {
			im->live[i] = 0;
			found = true;
		}
	}
	pthread_mutex_unlock(&im->mtx);
	return found;
}

static bool
live_has(struct imports *im, int64_t id)
{
	bool found = false;

	pthread_mutex_lock(&im->mtx);
	for (size_t i = 0; i < sizeof(im->live) / sizeof(im->live[0]); i++)
		if (im->live[i] == id)
			found = true;
	pthread_mutex_unlock(&im->mtx);
	return found;
}

static int
stage(struct spend_import *job, struct spend_err *err)
{
	const char *name = job->p.filename[0] ? job->p.filename : job->p.path;
	int64_t blocking;
	int r;

	r = store_import_stage(job->st, job->user.id, job->vt->name, name,
	    &job->import_id, &blocking, err);
	if (r == SPEND_ERUNNING && blocking > 0 && !live_has(job->sd->imports, blocking)) {
		log_info("import: undoing import %lld of %s, left unfinished, "
		    "before this one", (long long)blocking, job->user.name);
		if ((r = import_undo(job->st, job->user.id, blocking, err)) < 0)
			return r;
		r = store_import_stage(job->st, job->user.id, job->vt->name,
		    name, &job->import_id, &blocking, err);
	}
	if (r == 0)
		live_set(job->sd->imports, job->import_id, true);
	return r;
}

/*
 * Open, pick, run the importer. A real run stages its rows in short
 * batches, then publishes them all at once; a rejected row, an error or a
 * cancel undoes everything it wrote. A dry run writes nothing.
 */
static int
job_run(struct spend_import *job, json_t **result, struct spend_err *err)
{
	int r, rc;

	*result = NULL;
	if ((r = open_source(job, err)) < 0 ||
	    (r = pick_importer(job, err)) < 0 ||
	    (r = store_open(job->sd->cfg.db_path, STORE_SECONDARY |
	    spendd_store_flags(job->sd), &job->st, err)) < 0 ||
	    (r = store_import_seen_open(job->st, err)) < 0)
		return r;
	if (!job->p.dry_run && (r = stage(job, err)) < 0)
		return r;
	if ((r = default_category(job, err)) < 0 ||
	    (r = import_rules(job, err)) < 0) {
		undo(job);
		return r;
	}
	rc = job->vt->run(job->self, job);
	if (rc != 0 && !job->failed && !job->gave_up)
		job_fail(job, 0, "", SPEND_EINVAL, "the importer failed "
		    "without saying why");
	/* the first bad row says most, even if reading failed later */
	if (job->rejected > 0 && !job->p.dry_run) {
		undo(job);
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
		undo(job);
		*err = job->err;
		return err->code;
	}
	if (job->p.dry_run) {
		if (job->failed && json_array_size(job->errors) <
		    IMPORT_MAX_ERRORS + 1)
			json_array_append_new(job->errors,
			    error_json(job->err_line, &job->err));
	} else if ((r = publish(job, err)) < 0) {
		undo(job);
		return r;
	}
	*result = report_json(job);
	return 0;
}

/* A job for ip, or NULL (err filled) if its options cannot be copied. */
static struct spend_import *
job_new(struct spendd *sd, const struct user *u,
    const struct import_params *ip, struct spend_err *err)
{
	struct spend_import *job = xcalloc(1, sizeof(*job));

	if (sd->imports == NULL)
		fatalx("import: import_init was not called");
	job->sd = sd;
	job->user = *u;
	job->p = *ip;
	/* as large as the client made them */
	if ((job->p.options = ip->options ? json_deep_copy(ip->options) :
	    json_object()) == NULL) {
		free(job);
		spend_errf(err, SPEND_ENOMEM, "", "out of memory");
		return NULL;
	}
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
	rule_set_free(job->rules);
	free(job->filter);
	free(job);
}

int
import_run_sync(struct spendd *sd, const struct user *u,
    const struct import_params *ip, json_t **result, struct spend_err *err)
{
	struct spend_import *job;
	int r;

	if ((job = job_new(sd, u, ip, err)) == NULL)
		return SPEND_ENOMEM;
	r = job_run(job, result, err);
	if (job->import_id)
		live_set(job->sd->imports, job->import_id, false);
	if (r == 0) {
		job->result = json_incref(*result);
		write_run_hooks(&job->pub, sd);
	}
	job_free(job);
	return r;
}

static void
job_work(struct job *work, void *arg)
{
	struct spend_import *job = arg;

	spend_err_clear(&job->err);
	job->rc = job_run(job, &job->result, &job->err);
	if (job->import_id)
		live_set(job->sd->imports, job->import_id, false);
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
	free(job->filter);
	job->filter = NULL;
	/* what the import held (its connection's page cache, the search
	 * index's batch in memory) is free now, but glibc keeps it in this
	 * thread's arena: the next import, on another worker, grew spendd
	 * by as much again (300k rows, then 300k more: 74.6 MB). A small
	 * import held little, and a trim walks the whole heap (6% of the
	 * fault sweeps' time, which import a few rows thousands of times) */
	if (job->rows >= TRIM_ROWS)
		malloc_trim(0);
}

static void
job_done(struct job *work, void *arg)
{
	struct spend_import *job = arg;

	if (job->rc == 0) {
		log_info("import: %s %s for %s%s: %lld rows, %lld added, %lld "
		    "skipped", job->vt->name, job->p.path, job->user.name,
		    job->p.dry_run ? " (dry run)" : "", (long long)job->rows,
		    (long long)job->added, (long long)job->skipped);
		write_run_hooks(&job->pub, job->sd);	/* published() */
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
	if ((job = job_new(sd, u, ip, err)) == NULL)
		return SPEND_ENOMEM;
	job->done = done;
	job->arg = arg;
	/* (without workers the job is done, and freed, before this returns) */
	if ((r = jobs_submit(sd, JOB_IMPORT, job_work, job_done, job,
	    err)) < 0) {
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
	if (c->id.upload[0]) {	/* over HTTP the body is the file */
		struct stat sb;

		if (stat(c->id.upload, &sb) < 0 || sb.st_size == 0) {
			r = spend_errf(err, SPEND_EINVAL, "", "the body is the "
			    "file to import, and it is empty");
			goto out;
		}
		strlcpy(ip.path, c->id.upload, sizeof(ip.path));
		if (ip.filename[0] == '\0')
			strlcpy(ip.filename, "upload", sizeof(ip.filename));
	}
	if (ip.path[0] == '\0') {
		r = spend_errf(err, SPEND_EINVAL, "path", "path is required "
		    "(an absolute file name spendd can read)");
		goto out;
	}
	if ((r = import_start(c->sd, &c->user, &ip, rpc_job_done, c,
	    err)) == 0)
		r = RPC_PENDING;
out:
	import_params_free(&ip);
	return r;
}

/* ---- leftovers of a crash ---- */

struct leftovers {
	struct spendd *sd;
	struct import_rec *v;
	size_t n, cap;
	int undone;
};

static int
leftover_cb(void *arg, const struct import_rec *ir)
{
	struct leftovers *lo = arg;

	if (lo->n == lo->cap) {
		size_t cap = lo->cap ? lo->cap * 2 : 8;
		struct import_rec *v = realloc(lo->v, cap * sizeof(*v));

		if (v == NULL)
			return SPEND_ENOMEM;
		lo->v = v;
		lo->cap = cap;
	}
	lo->v[lo->n++] = *ir;
	return 0;
}

static void
leftovers_work(struct job *work, void *arg)
{
	struct leftovers *lo = arg;
	struct spend_err err;
	struct store *st;

	if ((st = jobs_store(work, &err)) == NULL) {
		log_warnx("import: cannot undo unfinished imports: %s", err.msg);
		return;
	}
	/* listed first, then undone: no statement stays open over writes */
	if (store_import_leftovers(st, leftover_cb, lo, &err) < 0)
		log_warnx("import: cannot list unfinished imports: %s", err.msg);
	for (size_t i = 0; i < lo->n; i++) {
		if (import_undo(st, lo->v[i].user_id, lo->v[i].id, &err) < 0)
			log_warnx("import: cannot undo unfinished import %lld: "
			    "%s", (long long)lo->v[i].id, err.msg);
		else
			lo->undone++;
	}
}

static void
leftovers_done(struct job *work, void *arg)
{
	struct leftovers *lo = arg;

	(void)work;
	if (lo->undone)
		log_info("import: undid %d import%s a stop cut short (nothing "
		    "of them was visible)", lo->undone, lo->undone == 1 ? "" :
		    "s");
	free(lo->v);
	free(lo);
}

void
import_cleanup_leftovers(struct spendd *sd)
{
	struct leftovers *lo = calloc(1, sizeof(*lo));
	struct spend_err err;

	if (lo == NULL)
		fatal("calloc");
	lo->sd = sd;
	/* a write that grows with the rows left: off the loop */
	if (jobs_submit(sd, JOB_WRITE, leftovers_work, leftovers_done, lo,
	    &err) < 0) {
		log_warnx("import: cannot undo unfinished imports now: %s",
		    err.msg);
		free(lo);
	}
}
