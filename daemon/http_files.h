/*
 * The two HTTP routes that carry files instead of JSON, on top of the
 * import and export jobs:
 *
 *   POST /api/v1/imports?format=&dry_run=&category=&create_categories=
 *        &currency=&filename=&option.KEY=&map.FIELD=
 *	the body is the file (any Content-Type); it is written to a
 *	temporary file under the data directory as it arrives (http.c's
 *	on_head, only with a valid token), import.run's job reads it, the reply
 *	is import.run's result (or its error, with the line and field).
 *   GET /api/v1/exports/{format}?month=&from=&to=&category=&search=&min=
 *        &max=&currency=&tag=&sort=&order=
 *	the export job writes an unlinked temporary file; the reply streams
 *	it (sendfile) with the exporter's Content-Type and an attachment
 *	Content-Disposition.
 *
 * Both act for the authenticated user only. Event loop thread.
 */
#ifndef SPEND_HTTP_FILES_H
#define SPEND_HTTP_FILES_H

#include <stdbool.h>

#include "rpc.h"

struct httpd_req;

#define HTTP_FILES_IMPORTS "/api/v1/imports"

/* Serve req if path is one of the routes above and return true (the
 * reply may come later); false: not ours, nothing was done. */
bool http_files_handle(struct spendd *sd, struct httpd_req *req,
    const char *path, const struct rpc_identity *id);

#endif
