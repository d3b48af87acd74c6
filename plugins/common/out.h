/*
 * Buffered output of an exporter, in front of host->export_write(): shared
 * by the csv, json and ledger exporters (each .so compiles its own copy of
 * out.c; nothing here is exported from the .so).
 *
 * Writes go to a 16 KiB buffer that is handed to the host when full and
 * by out_flush(). The first failed write sticks: it is reported once with
 * host->export_error() ("NAME: writing the output failed"), o->failed is
 * set and every later write does nothing. An exporter may set o->failed
 * itself after reporting its own error, to stop the output the same way.
 *
 * Memory: out_new() allocates (on the heap: worker stacks may be small);
 * out_end() flushes and frees.
 */
#ifndef SPEND_PLUGIN_OUT_H
#define SPEND_PLUGIN_OUT_H

#include <stddef.h>

#include "spend/plugin.h"

#define OUTBUF 16384

struct out {
	const struct spend_host_api *host;
	struct spend_export *job;
	const char *name;	/* the plugin's, first word of its errors */
	size_t len;		/* bytes waiting in buf */
	int failed;		/* sticks: later writes do nothing */
	char buf[OUTBUF];
};

/* A writer for job, or NULL after host->export_error() said
 * "NAME: out of memory". name must outlive the writer. */
struct out *out_new(const struct spend_host_api *h, struct spend_export *job,
    const char *name);
/* Flush, free: 0, or -1 if anything failed (o->failed). */
int out_end(struct out *o);

/* Hand what is buffered to the host. */
void out_flush(struct out *o);
void out_mem(struct out *o, const void *p, size_t n);
void out_str(struct out *o, const char *s);

#endif
