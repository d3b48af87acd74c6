/*
 * libFuzzer target: the qif importer through the mock host. The first
 * byte picks options and the read size; the rest is the file. Besides not
 * crashing, the read size must not change the result.
 */
/* fuzz-sources: daemon/money.c daemon/util.c daemon/err.c */
/* fuzz-libs: */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/mock_host.h"
#include "../../plugins/qif/qif.c"
#include "../../plugins/common/ingest.c"
#include "../../plugins/common/date.c"
#include "../../plugins/common/amount.c"
#include "../../plugins/common/text.c"
#include "../../plugins/common/utf8.c"

static struct mock_host mh;

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const dates[4] = { NULL, "DD/MM/YYYY",
	    "MM/DD/YYYY", "YYYY-MM-DD" };
	struct spend_import a, b;
	const char *opts[8];
	size_t n = 0;
	int ra, rb;

	if (size < 1)
		return 0;
	if (mh.nimporters == 0) {
		mh_init(&mh);
		mh.plugin.name = "qif";
		mh.quiet = 1;
		if (mh_load(&mh, spend_plugin_init) != 0)
			abort();
	}
	if (data[0] & 1) {
		opts[n++] = "credits";
		opts[n++] = "refund";
	}
	if (data[0] & 2) {
		opts[n++] = "decimal_comma";
		opts[n++] = "yes";
	}
	if (dates[data[0] >> 2 & 3]) {
		opts[n++] = "date_format";
		opts[n++] = dates[data[0] >> 2 & 3];
	}
	opts[n] = NULL;
	mh_import_init(&a, data + 1, size - 1, opts);
	a.chunk = 65536;
	a.max_recs = 2000;
	mh_import_init(&b, data + 1, size - 1, opts);
	b.chunk = 1 + (data[0] >> 4);
	b.max_recs = 2000;
	ra = qif_importer.run(&mh.plugin, &a);
	rb = qif_importer.run(&mh.plugin, &b);
	if (ra != rb || a.err_line != b.err_line || a.nrecs != b.nrecs ||
	    strcmp(a.err_msg, b.err_msg) != 0) {
		fprintf(stderr, "fuzz_qif: read sizes disagree: %d/%d line "
		    "%zu/%zu %s/%s\n", ra, rb, a.err_line, b.err_line, a.err_msg,
		    b.err_msg);
		abort();
	}
	for (size_t i = 0; i < a.nrecs; i++)
		if (!same(a.recs[i].date, b.recs[i].date) ||
		    !same(a.recs[i].amount, b.recs[i].amount) ||
		    !same(a.recs[i].payee, b.recs[i].payee) ||
		    !same(a.recs[i].note, b.recs[i].note) ||
		    !same(a.recs[i].category, b.recs[i].category) ||
		    !same(a.recs[i].parts, b.recs[i].parts) ||
		    a.recs[i].line != b.recs[i].line) {
			fprintf(stderr, "fuzz_qif: record %zu differs\n", i);
			abort();
		}
	mh_import_free(&a);
	mh_import_free(&b);
	mh.loglen = 0;
	return 0;
}
