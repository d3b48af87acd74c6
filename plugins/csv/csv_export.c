/*
 * csv exporter: RFC 4180 (CRLF, quotes doubled), UTF-8, one header row:
 *
 *	date,amount,currency,category,payee,note,tags
 *
 * the names the csv importer maps by itself, so that an export imports
 * back unchanged. A split expense is one row per part: the part's amount,
 * category and note (the expense's note when the part has none), the
 * expense's date, payee and tags; so a spreadsheet's sums by category
 * are right, and it imports back as one expense per part. Cells a spreadsheet would run as a formula (starting
 * with = + - @ tab or CR, after any ') get a leading ' that the
 * importer takes off again (text_formula_like() in text.c); the amount
 * column stays a plain number, negative or not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "../common/out.h"
#include "../common/text.h"

/* One text cell: neutralised, quoted if it must be. */
static void
out_cell(struct out *o, const char *s)
{
	size_t n = strlen(s);
	int quote = n > 0 && (s[0] == ' ' || s[n - 1] == ' ' ||
	    s[n - 1] == '\t');
	const char *p;

	if (strpbrk(s, ",\"\r\n") != NULL)
		quote = 1;
	if (quote)
		out_mem(o, "\"", 1);
	if (text_formula_like(s))
		out_mem(o, "'", 1);
	while ((p = strchr(s, '"')) != NULL) {
		out_mem(o, s, (size_t)(p - s) + 1);
		out_mem(o, "\"", 1);
		s = p + 1;
	}
	out_str(o, s);
	if (quote)
		out_mem(o, "\"", 1);
}

/* A plain decimal number ("-12.50"), safe to leave unquoted. */
static int
is_number(const char *s)
{
	int digits = 0;

	if (*s == '-')
		s++;
	for (; *s >= '0' && *s <= '9'; s++)
		digits++;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
	return digits > 0 && *s == '\0';
}

/* The tags as one cell, "a,b": through out_cell like any text. */
static int
out_tags(struct out *o, const struct spend_record *r)
{
	char small[1024], *buf = small;
	size_t need = 1, n = 0;

	for (size_t i = 0; i < r->ntags; i++)
		need += strlen(r->tags[i]) + 1;
	if (need > sizeof(small) && (buf = malloc(need)) == NULL) {
		csv_host->export_error(o->job, "csv: out of memory");
		o->failed = 1;
		return -1;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < r->ntags; i++) {
		size_t k = strlen(r->tags[i]);

		if (i)
			buf[n++] = ',';
		memcpy(buf + n, r->tags[i], k + 1);
		n += k;
	}
	out_cell(o, buf);
	if (buf != small)
		free(buf);
	return 0;
}

static int
csv_export_run(struct spend_plugin *self, struct spend_export *job)
{
	struct spend_record r;
	struct out *o;
	int more = 0;

	(void)self;
	if ((o = out_new(csv_host, job, "csv")) == NULL)
		return -1;
	out_str(o, "date,amount,currency,category,payee,note,tags\r\n");
	while (!o->failed && (more = csv_host->export_next(job, &r)) == 1) {
		const struct spend_part *parts = NULL;
		size_t np = SPEND_HOST_HAS(csv_host, export_parts) ?
		    csv_host->export_parts(job, &parts) : 0;

		for (size_t i = 0; i < (np ? np : 1) && !o->failed; i++) {
			const char *amount = np ? parts[i].amount : r.amount;
			const char *note = np && parts[i].note &&
			    parts[i].note[0] ? parts[i].note : r.note;

			out_cell(o, r.date);
			out_mem(o, ",", 1);
			if (is_number(amount))
				out_str(o, amount);
			else
				out_cell(o, amount);
			out_mem(o, ",", 1);
			out_cell(o, r.currency);
			out_mem(o, ",", 1);
			out_cell(o, np ? parts[i].category : r.category);
			out_mem(o, ",", 1);
			out_cell(o, r.payee);
			out_mem(o, ",", 1);
			out_cell(o, note);
			out_mem(o, ",", 1);
			if (out_tags(o, &r) < 0)
				break;
			out_mem(o, "\r\n", 2);
		}
	}
	if (!o->failed && more < 0) {
		csv_host->export_error(job, "csv: reading the records failed");
		o->failed = 1;
	}
	return out_end(o);
}

const struct spend_exporter csv_exporter = {
	.version = SPEND_EXPORTER_V1,
	.name = "csv",
	.description = "CSV (RFC 4180, UTF-8) with a header row; imports back",
	.mime_type = "text/csv; charset=utf-8",
	.extension = "csv",
	.run = csv_export_run,
};
