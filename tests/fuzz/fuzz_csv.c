/*
 * libFuzzer target: the csv importer and exporter through the mock host.
 * The first byte picks options (delimiter, decimal comma, sign, credits,
 * date order, headerless mapping) and the read size; the rest is the file.
 * Besides not crashing it checks two properties:
 *  - the read size does not change the result;
 *  - what imports, exports and imports back to the same records.
 */
/* fuzz-sources: daemon/money.c daemon/util.c daemon/err.c */
/* fuzz-libs: $(CSV_LIBS) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/mock_host.h"
#include "../../plugins/csv/csv.c"
#include "../../plugins/csv/csv_import.c"
#include "../../plugins/csv/csv_export.c"
#include "../../plugins/common/ingest.c"
#include "../../plugins/common/date.c"
#include "../../plugins/common/amount.c"
#include "../../plugins/common/text.c"
#include "../../plugins/common/out.c"
#include "../../plugins/common/utf8.c"

static struct mock_host mh;

static void
options(uint8_t b, const char **o)
{
	static const char *const delims[4] = { NULL, ",", ";", "tab" };
	static const char *const dates[4] = { NULL, "DD/MM/YYYY",
	    "MM/DD/YYYY", "YYYY-MM-DD" };
	size_t n = 0;

	if (delims[b & 3]) {
		o[n++] = "delimiter";
		o[n++] = delims[b & 3];
	}
	if (b & 4) {
		o[n++] = "decimal_comma";
		o[n++] = "yes";
	}
	if (b & 8) {
		o[n++] = "sign";
		o[n++] = "bank";
	}
	if (b & 16) {
		o[n++] = "credits";
		o[n++] = "refund";
	}
	if (dates[b >> 5 & 3]) {
		o[n++] = "date_format";
		o[n++] = dates[b >> 5 & 3];
	}
	if (b & 128) {
		o[n++] = "map.date";
		o[n++] = "1";
		o[n++] = "map.amount";
		o[n++] = "2";
		o[n++] = "map.note";
		o[n++] = "3";
	}
	o[n] = NULL;
}

static int
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == NULL || *a == '\0') && (b == NULL || *b == '\0');
	return strcmp(a, b) == 0;
}

static void
check(int cond, const char *what, size_t i)
{
	if (!cond) {
		fprintf(stderr, "fuzz_csv: %s differs at record %zu\n", what, i);
		if (getenv("FUZZ_CSV_DEBUG"))
			fprintf(stderr, "%s\n", getenv("FUZZ_CSV_DEBUG"));
		abort();
	}
}

static void
compare(const struct spend_import *a, const struct spend_import *b, int rt)
{
	check(a->nrecs == b->nrecs, "record count", 0);
	for (size_t i = 0; i < a->nrecs; i++) {
		const struct mh_record *x = &a->recs[i], *y = &b->recs[i];

		check(same(x->date, y->date), "date", i);
		check(same(x->amount, y->amount), "amount", i);
		/* the exporter writes the host's default for no currency */
		check(same(x->currency ? x->currency : rt ? "EUR" : NULL,
		    y->currency), "currency", i);
		check(same(x->category, y->category), "category", i);
		check(same(x->payee, y->payee), "payee", i);
		check(same(x->note, y->note), "note", i);
		check(x->ntags == y->ntags, "tags", i);
		for (size_t t = 0; t < x->ntags; t++)
			check(same(x->tags[t], y->tags[t]), "tag", i);
		if (!rt)
			check(x->line == y->line, "line", i);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spend_import a, b, c;
	struct spend_export e;
	struct spend_record *recs;
	const char *opts[32];

	if (size < 1)
		return 0;
	if (mh.nimporters == 0) {
		mh_init(&mh);
		mh.plugin.name = "csv";
		mh.quiet = 1;
		if (mh_load(&mh, spend_plugin_init) != 0)
			abort();
	}
	options(data[0], opts);
	mh_import_init(&a, data + 1, size - 1, opts);
	a.chunk = 65536;
	a.max_recs = 2000;
	mh_import_init(&b, data + 1, size - 1, opts);
	b.chunk = 1 + data[0] % 13;
	b.max_recs = 2000;
	int ra = csv_importer.run(&mh.plugin, &a);
	int rb = csv_importer.run(&mh.plugin, &b);

	if (ra != rb || a.failed != b.failed || a.err_line != b.err_line ||
	    strcmp(a.err_field, b.err_field) != 0) {
		fprintf(stderr, "fuzz_csv: chunk sizes disagree: %d/%d line "
		    "%zu/%zu %s/%s\n", ra, rb, a.err_line, b.err_line, a.err_msg,
		    b.err_msg);
		abort();
	}
	if (ra == 0)
		compare(&a, &b, 0);
	if (ra == 0 && a.nrecs > 0 && a.nrecs == a.nemitted) {
		recs = calloc(a.nrecs, sizeof(*recs));
		for (size_t i = 0; i < a.nrecs; i++) {
			recs[i].date = a.recs[i].date;
			recs[i].amount = a.recs[i].amount;
			recs[i].currency = a.recs[i].currency;
			recs[i].category = a.recs[i].category;
			recs[i].payee = a.recs[i].payee;
			recs[i].note = a.recs[i].note;
			recs[i].tags = (const char *const *)a.recs[i].tags;
			recs[i].ntags = a.recs[i].ntags;
		}
		mh_export_init(&e, recs, a.nrecs);
		if (csv_exporter.run(&mh.plugin, &e) != 0)
			abort();
		mh_import_init(&c, e.out, e.outlen, NULL);
		if (csv_importer.run(&mh.plugin, &c) != 0) {
			fprintf(stderr, "fuzz_csv: re-import failed: line %zu "
			    "%s: %s\n", c.err_line, c.err_field, c.err_msg);
			abort();
		}
		compare(&a, &c, 1);
		mh_import_free(&c);
		mh_export_free(&e);
		free(recs);
	}
	mh_import_free(&a);
	mh_import_free(&b);
	mh.loglen = 0;
	return 0;
}
