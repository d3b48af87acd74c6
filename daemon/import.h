/*
 * Import jobs: a file, an importer plugin, one user. The job runs on a
 * worker thread with its own store connection, streams the file to the
 * importer through import_read (bounded memory), validates every record
 * exactly like expense.add, maps unknown categories, de-duplicates with
 * expenses.import_key and commits all or nothing in one transaction. A dry
 * run does the same work and rolls back.
 *
 * De-duplication: a record with a source_id gets the key
 * H("id", format, source_id); others get "r", their date, and 128 bits of
 * H(H(date, currency, amount, payee, note), n), where n counts the
 * identical rows before it in the same file (older spendds gave them all
 * 256 bits of it, no date: import.c looks for those too). Two identical rows
 * in one file both import; importing the file again adds nothing.
 *
 * The result (also what import.run returns):
 *   {"format", "path", "dry_run", "rows", "added", "skipped", "rejected",
 *    "categories_created": [names], "defaulted": rows put in the default
 *    category, "errors": [{"line", "field", "message"}] (at most 20),
 *    "preview": [first 10 rows as parsed] (dry runs only)}
 * A real run with rejected rows fails instead (nothing is written): the
 * error names the line and field of the first bad row.
 */
#ifndef SPEND_IMPORT_H
#define SPEND_IMPORT_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>

#include "err.h"
#include "plugin.h"
#include "store.h"

struct spendd;

#define IMPORT_MAX_ERRORS 20	/* rejected rows listed in a report */
#define IMPORT_MAX_REJECTS 100	/* rejected rows before the job gives up */
#define IMPORT_PREVIEW 10	/* rows shown by a dry run */

struct import_params {
	char format[PLUGIN_NAME_MAX + 1];	/* importer name; "" = auto */
	char path[PATH_MAX];		/* absolute; opened by spendd */
	char filename[256];		/* name for auto-detection ("" = path) */
	bool dry_run;
	bool create_categories;		/* create unknown categories */
	char category[NAME_MAX_LEN + 1];	/* rows without a category, or
					 * with an unknown one; "" = none */
	char currency[4];		/* rows without one; "" = user's */
	json_t *options;		/* object of strings, owned */
};

/*
 * Read the import.run params (format, path, dry_run, options, map,
 * category, create_categories, currency) into ip. With allow_path false a
 * "path" is refused (HTTP callers set ip->path themselves, to their
 * upload). Free with import_params_free, also after an error.
 */
int import_params_from_json(json_t *params, bool allow_path,
    struct import_params *ip, struct spend_err *err);
void import_params_free(struct import_params *ip);

/* done(result, err, arg) on the event loop: result (borrowed) or err. */
typedef void (*import_done_fn)(json_t *result, const struct spend_err *err,
    void *arg);

/*
 * Start importing ip->path for user u on a worker thread; ip and u are
 * copied. Returns 0 and calls done later exactly once, or returns a
 * negative SPEND_E* with err filled and never calls done (unknown format,
 * another import of this user running, no workers, shutting down).
 */
int import_start(struct spendd *sd, const struct user *u,
    const struct import_params *ip, import_done_fn done, void *arg,
    struct spend_err *err);

/* The same, on the calling thread (unit tests, spendd without workers).
 * *result: a new reference the caller frees. */
int import_run_sync(struct spendd *sd, const struct user *u,
    const struct import_params *ip, json_t **result, struct spend_err *err);

/* The import.run handler is h_import_run (handlers.h). */

/* ---- the host API's import functions (plugin_host.c puts them in the
 * table): the job's own thread only ---- */
long import_api_read(struct spend_import *job, void *buf, size_t len);
const char *import_api_option(struct spend_import *job, const char *key);
int import_api_emit(struct spend_import *job, const struct spend_record *rec);
int import_api_emit_split(struct spend_import *job,
    const struct spend_record *rec, const struct spend_part *parts,
    size_t nparts);

/* Remove what staging import id of uid wrote (in short transactions) and
 * mark it failed. */
int import_undo(struct store *st, int64_t uid, int64_t id,
    struct spend_err *err);
/* The registry of the imports sd is staging, sd->imports: made at
 * start-up before any import runs (NULL sd->imports is a bug: fatal),
 * freed at the end. */
int import_init(struct spendd *sd, struct spend_err *err);
void import_free(struct spendd *sd);
/* At start: undo the imports a crash or kill left staging, on a worker
 * (inline without workers). Their rows stay hidden meanwhile. */
void import_cleanup_leftovers(struct spendd *sd);
void import_api_error(struct spend_import *job, size_t line,
    const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void import_api_skip(struct spend_import *job, size_t line,
    const char *reason);

#endif
