/*
 * json exporter: the records as one JSON array of objects shaped like the
 * API's expenses (amounts as decimal strings), streamed: "[", each object,
 * "]". Every string is escaped; bytes that are not valid UTF-8 become
 * U+FFFD so that the output is always valid JSON.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "spend/plugin.h"
#include "../common/host.h"
#include "../common/out.h"
#include "../common/utf8.h"

SPEND_PLUGIN_DECLARE;

static const struct spend_host_api *host;

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
	/* a split's parts, as expense.get has them ([] if not split) */
	if (SPEND_HOST_HAS(host, export_parts)) {
		const struct spend_part *p;
		size_t n = host->export_parts(o->job, &p);

		out_str(o, ",\"parts\":[");
		for (i = 0; i < n; i++) {
			out_str(o, i ? ",{\"amount\":" : "{\"amount\":");
			out_jstr(o, p[i].amount);
			out_str(o, ",\"category\":");
			out_jstr(o, p[i].category);
			out_str(o, ",\"category_id\":");
			out_int(o, p[i].category_id);
			out_str(o, ",\"note\":");
			out_jstr(o, p[i].note ? p[i].note : "");
			out_mem(o, "}", 1);
		}
		out_mem(o, "]", 1);
	}
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
	if ((o = out_new(host, job, "json")) == NULL)
		return -1;
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
	return out_end(o);
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
	if (plugin_host_check(h, self, PLUGIN_HOST_NEEDS(export_error),
	    "host API too old: no exporters") < 0)
		return -1;
	host = h;
	self->version = "1.0";
	self->description = "JSON exporter";
	return host->register_exporter(self, &json_exporter);
}
