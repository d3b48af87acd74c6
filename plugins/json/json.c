/*
 * json exporter: the records as one JSON array of objects shaped like the
 * API's expenses (amounts as decimal strings), streamed: "[", each object,
 * "]". Every string is escaped; bytes that are not valid UTF-8 become
 * U+FFFD so that the output is always valid JSON.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spend/plugin.h"

SPEND_PLUGIN_DECLARE;

#define OUTBUF 16384

static const struct spend_host_api *host;

/* Output buffered in front of export_write; the first failure sticks. */
struct out {
	struct spend_export *job;
	size_t len;
	int failed;
	char buf[OUTBUF];
};

static void
out_flush(struct out *o)
{
	if (o->failed || o->len == 0)
		return;
	if (host->export_write(o->job, o->buf, o->len) < 0) {
		host->export_error(o->job, "json: writing the output failed");
		o->failed = 1;
	}
	o->len = 0;
}

static void
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

static void
out_str(struct out *o, const char *s)
{
	out_mem(o, s, strlen(s));
}

/*
 * Length of the valid UTF-8 sequence at s (at most n bytes), or 0 if it is
 * not one: overlong forms, surrogates and code points past U+10FFFF are
 * invalid. *cp gets the code point.
 */
static size_t
utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* A JSON string literal. U+2028/U+2029 are escaped too, so that the
 * output can also be pasted into JavaScript. */
static void
out_jstr(struct out *o, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t n = strlen((const char *)s), i = 0, run = 0;
	char esc[8];
	uint32_t cp;

	out_mem(o, "\"", 1);
	while (i < n) {
		const char *rep = NULL;
		size_t k;

		if (s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\') {
			i++;
			run++;
			continue;
		}
		k = s[i] < 0x80 ? 1 : utf8_seq(s + i, n - i, &cp);
		if (k > 1 && cp != 0x2028 && cp != 0x2029) {
			i += k;
			run += k;
			continue;
		}
		out_mem(o, s + i - run, run);
		run = 0;
		switch (k == 0 ? -1 : k > 1 ? (int)cp : s[i]) {
		case -1:	rep = "\\ufffd"; k = 1; break;
		case '"':	rep = "\\\""; break;
		case '\\':	rep = "\\\\"; break;
		case '\b':	rep = "\\b"; break;
		case '\f':	rep = "\\f"; break;
		case '\n':	rep = "\\n"; break;
		case '\r':	rep = "\\r"; break;
		case '\t':	rep = "\\t"; break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04x",
			    k > 1 ? (unsigned)cp : (unsigned)s[i]);
			rep = esc;
		}
		out_str(o, rep);
		i += k;
	}
	out_mem(o, s + i - run, run);
	out_mem(o, "\"", 1);
}

static void
out_int(struct out *o, int64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "%" PRId64, v);
	out_str(o, b);
}

static int
write_record(struct out *o, const struct spend_record *r)
{
	char amount[40];
	size_t i;

	if (host->money_format(r->amount_minor, r->currency, amount,
	    sizeof(amount)) < 0) {
		host->export_error(o->job, "json: expense %" PRId64
		    ": cannot format amount in currency \"%s\"", r->id,
		    r->currency ? r->currency : "");
		return -1;
	}
	out_str(o, "{\"id\":");
	out_int(o, r->id);
	out_str(o, ",\"amount\":");
	out_jstr(o, amount);
	out_str(o, ",\"currency\":");
	out_jstr(o, r->currency);
	out_str(o, ",\"category\":");
	out_jstr(o, r->category);
	out_str(o, ",\"date\":");
	out_jstr(o, r->date);
	out_str(o, ",\"note\":");
	out_jstr(o, r->note);
	out_str(o, ",\"payee\":");
	out_jstr(o, r->payee);
	out_str(o, ",\"tags\":[");
	for (i = 0; r->tags != NULL && i < r->ntags; i++) {
		if (i > 0)
			out_mem(o, ",", 1);
		out_jstr(o, r->tags[i]);
	}
	out_str(o, "],\"version\":");
	out_int(o, r->version);
	out_str(o, ",\"created_at\":");
	out_jstr(o, r->created_at);
	out_str(o, ",\"updated_at\":");
	out_jstr(o, r->updated_at);
	out_mem(o, "}", 1);
	return 0;
}

static int
json_run(struct spend_plugin *self, struct spend_export *job)
{
	struct spend_record r;
	struct out *o;
	size_t n = 0;
	int rc = 0;

	(void)self;
	if ((o = malloc(sizeof(*o))) == NULL) {
		host->export_error(job, "json: out of memory");
		return -1;
	}
	o->job = job;
	o->len = 0;
	o->failed = 0;
	out_mem(o, "[", 1);
	while (!o->failed && (rc = host->export_next(job, &r)) > 0) {
		/* one object per line: diffable, greppable, still one array */
		out_str(o, n++ == 0 ? "\n" : ",\n");
		if (write_record(o, &r) < 0)
			o->failed = 1;
	}
	if (!o->failed && rc < 0) {
		host->export_error(job, "json: reading the expenses failed");
		o->failed = 1;
	}
	out_str(o, n > 0 ? "\n]\n" : "]\n");
	out_flush(o);
	rc = o->failed ? -1 : 0;
	free(o);
	return rc;
}

static const struct spend_exporter json_exporter = {
	.version = SPEND_EXPORTER_V1,
	.name = "json",
	.description = "JSON array of expenses, amounts as decimal strings",
	.mime_type = "application/json",
	.extension = "json",
	.run = json_run,
};

SPEND_PLUGIN_EXPORT int
spend_plugin_init(const struct spend_host_api *h, struct spend_plugin *self)
{
	if (h->abi != SPEND_PLUGIN_ABI)
		return -1;
	if (!SPEND_HOST_HAS(h, export_error)) {
		h->log(self, SPEND_LOG_WARN, "host API too old: no exporters");
		return -1;
	}
	host = h;
	self->version = "1.0";
	self->description = "JSON exporter";
	return host->register_exporter(self, &json_exporter);
}
