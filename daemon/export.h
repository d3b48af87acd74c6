/*
 * Export jobs: the expenses of one user matching the expense.list filters,
 * handed to an exporter plugin on a worker thread with its own store
 * connection, in keyset pages (never the whole set in memory), inside one
 * read transaction so that two-pass formats and totals see one snapshot.
 * Bytes go to a file (written next to it and renamed into place when the
 * exporter succeeded: a failed export leaves nothing) or to a descriptor
 * the caller owns (HTTP downloads).
 *
 * The totals (export_totals) serve report plugins too (report.c).
 *
 * The result (also what export.run returns):
 *   {"format", "path", "rows", "bytes", "mime_type", "extension"}
 */
#ifndef SPEND_EXPORT_H
#define SPEND_EXPORT_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "err.h"
#include "plugin.h"
#include "store.h"

struct spendd;

struct export_params {
	char format[PLUGIN_NAME_MAX + 1];	/* exporter name */
	char path[PATH_MAX];		/* absolute file, or "" with fd */
	int fd;				/* >= 0: write here (not closed) */
	bool overwrite;			/* replace an existing path */
	uid_t owner;			/* (uid_t)-1, or give the file to this
					 * uid (spendd as root exporting for a
					 * socket user) */
	struct expense_filter filter;	/* already resolved */
	bool sorted;			/* sort/order given; else date asc */
	json_t *filters;		/* the filter params, for export_info;
					 * owned */
};

/*
 * Read export.run params (format, path, overwrite and the expense.list
 * filters: month from to category search min max currency tag sort order)
 * into ep, resolving the category with st for user uid. With allow_path
 * false a "path" is refused (set ep->fd instead). Free with
 * export_params_free, also after an error.
 */
int export_params_from_json(struct store *st, int64_t uid, json_t *params,
    bool allow_path, struct export_params *ep, struct spend_err *err);
void export_params_free(struct export_params *ep);

typedef void (*export_done_fn)(json_t *result, const struct spend_err *err,
    void *arg);

/* Start the export on a worker; ep and u are copied. 0 and done(result
 * borrowed, or err) later on the event loop exactly once, or a negative
 * SPEND_E* with err filled and no call of done. */
int export_start(struct spendd *sd, const struct user *u,
    const struct export_params *ep, export_done_fn done, void *arg,
    struct spend_err *err);
/* The same on the calling thread; *result is a new reference. */
int export_run_sync(struct spendd *sd, const struct user *u,
    const struct export_params *ep, json_t **result, struct spend_err *err);

/* The plugin API's groups the totals know. */
bool export_group_ok(enum spend_group g);
/* The totals of uid's expenses in f by group (export_group_ok), to cb as
 * the plugin API's spend_total (exporters' and reports' totals): 0, 1 if
 * cb stopped them, or a negative SPEND_E*. */
int export_totals(struct store *st, int64_t uid, const struct expense_filter *f,
    enum spend_group group, int (*cb)(void *arg, const struct spend_total *t),
    void *arg, struct spend_err *err);

/* ---- the host API's export functions (plugin_host.c puts them in
 * the table): the job's own thread only ---- */
int export_api_next(struct spend_export *job, struct spend_record *rec);
size_t export_api_parts(struct spend_export *job,
    const struct spend_part **parts);
int export_api_rewind(struct spend_export *job);
int export_api_write(struct spend_export *job, const void *buf, size_t len);
const struct spend_export_info *export_api_info(struct spend_export *job);
int export_api_totals(struct spend_export *job, enum spend_group group,
    int (*cb)(void *arg, const struct spend_total *t), void *arg);
void export_api_error(struct spend_export *job, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int export_api_cells(struct spend_export *job, const char *from,
    const char *to, enum spend_cells by,
    int (*cb)(void *arg, const struct spend_cell *c), void *arg);

#endif
