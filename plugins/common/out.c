/*
 * Buffered exporter output. See out.h.
 */
#include <stdlib.h>
#include <string.h>

#include "out.h"

struct out *
out_new(const struct spend_host_api *h, struct spend_export *job,
    const char *name)
{
	struct out *o;

	if ((o = malloc(sizeof(*o))) == NULL) {
		h->export_error(job, "%s: out of memory", name);
		return NULL;
	}
	o->host = h;
	o->job = job;
	o->name = name;
	o->len = 0;
	o->failed = 0;
	return o;
}

int
out_end(struct out *o)
{
	int rc;

	out_flush(o);
	rc = o->failed ? -1 : 0;
	free(o);
	return rc;
}

void
out_flush(struct out *o)
{
	if (o->failed || o->len == 0)
		return;
	if (o->host->export_write(o->job, o->buf, o->len) < 0) {
		o->host->export_error(o->job, "%s: writing the output failed",
		    o->name);
		o->failed = 1;
	}
	o->len = 0;
}

void
out_mem(struct out *o, const void *p, size_t n)
{
	const char *s = p;

	while (n > 0 && !o->failed) {
		size_t k = sizeof(o->buf) - o->len;

		if (k == 0) {
			out_flush(o);
			continue;
		}
		if (k > n)
			k = n;
		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
	}
}

void
out_str(struct out *o, const char *s)
{
	out_mem(o, s, strlen(s));
}
