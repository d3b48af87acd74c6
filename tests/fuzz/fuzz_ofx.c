/*
 * libFuzzer target: the ofx importer (the STMTTRN scanner, and libofx
 * through it) with the mock host. The first byte picks the credits
 * option and the read size; the rest is the file. libofx leaks on some
 * inputs: its leaks are suppressed below, ours are not.
 */
/* fuzz-sources: daemon/money.c daemon/util.c daemon/err.c */
/* fuzz-libs: $(OFX_LIBS) -lpthread */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/mock_host.h"
#include "../../plugins/ofx/ofx.c"
#include "../../plugins/common/ingest.c"
#include "../../plugins/common/date.c"
#include "../../plugins/common/amount.c"
#include "../../plugins/common/text.c"
#include "../../plugins/common/utf8.c"

static struct mock_host mh;

const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
	/* C++ allocations can only be libofx and OpenSP: we are C */
	return "leak:libofx.so\nleak:libosp.so\nleak:libstdc++.so\n";
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spend_import job;
	const char *opts[3] = { NULL };

	if (size < 1)
		return 0;
	if (mh.nimporters == 0) {
		mh_init(&mh);
		mh.plugin.name = "ofx";
		mh.quiet = 1;
		if (mh_load(&mh, spend_plugin_init) != 0)
			abort();
	}
	if (data[0] & 1) {
		opts[0] = "credits";
		opts[1] = "refund";
	}
	mh_import_init(&job, data + 1, size - 1, opts);
	job.chunk = 1 + data[0];
	job.max_recs = 2000;
	if (ofx_importer.run(&mh.plugin, &job) != 0 && !job.failed) {
		fprintf(stderr, "fuzz_ofx: failed without saying why\n");
		abort();
	}
	mh_import_free(&job);
	mh.loglen = 0;
	return 0;
}
