/* qif importer against the mock host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "mock_host.h"
#include "../../plugins/qif/qif.c"
#include "../../plugins/csv/ingest.c"

struct fx {
	struct mock_host mh;
	struct spend_import job;
	const struct spend_importer *imp;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	mh_init(&f->mh);
	f->mh.plugin.name = "qif";
	f->mh.quiet = 1;
	assert_int_equal(mh_load(&f->mh, spend_plugin_init), 0);
	f->imp = mh_importer(&f->mh, "qif");
	assert_non_null(f->imp);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	mh_import_free(&f->job);
	mh_free(&f->mh);
	free(f);
	return 0;
}

static int
imp_chunk(struct fx *f, const char *text, size_t len,
    const char *const *opts, size_t chunk)
{
	mh_import_free(&f->job);
	mh_import_init(&f->job, text, len, opts);
	f->job.chunk = chunk;
	return f->imp->run(&f->mh.plugin, &f->job);
}

static int
imp(struct fx *f, const char *text, const char *const *opts)
{
	return imp_chunk(f, text, strlen(text), opts, 0);
}

static void
imp_ok(struct fx *f, const char *text, const char *const *opts)
{
	if (imp(f, text, opts) != 0)
		fail_msg("import failed: line %zu field %s: %s",
		    f->job.err_line, f->job.err_field, f->job.err_msg);
}

#define OPTS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	if (fp == NULL)
		fail_msg("%s: cannot open (run from the top directory)", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static void
test_sample_file(void **state)
{
	struct fx *f = *state;
	size_t len, chunks[] = { 1, 2, 7, 100, 65536 };
	char *text = slurp("tests/data/sample.qif", &len);

	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		const struct mh_record *r;

		if (imp_chunk(f, text, len, NULL, chunks[c]) != 0)
			fail_msg("chunk %zu: line %zu: %s", chunks[c],
			    f->job.err_line, f->job.err_msg);
		assert_int_equal(f->job.nrecs, 4);
		r = f->job.recs;
		assert_string_equal(r[0].date, "2024-01-02");
		assert_string_equal(r[0].amount, "12.50");
		assert_string_equal(r[0].payee, "Bakery Müller");
		assert_string_equal(r[0].note, "croissants, two");
		assert_string_equal(r[0].category, "Food:Bread");
		assert_int_equal(r[0].line, 21);
		assert_string_equal(r[1].date, "2024-01-05");
		assert_string_equal(r[1].amount, "1150.00");
		assert_string_equal(r[1].category, "Housing");	/* no class */
		assert_int_equal(r[1].line, 28);
		/* salary (money in) and the [Savings] transfer skipped */
		assert_string_equal(r[2].date, "2024-01-20");
		assert_string_equal(r[2].amount, "89.99");
		assert_null(r[2].category);	/* --Split-- */
		assert_string_equal(r[3].date, "2024-01-25");
		assert_string_equal(r[3].amount, "42.50");	/* splits */
		assert_string_equal(r[3].category, "Groceries");
	}
	assert_non_null(strstr(f->mh.log, "skipped 1 transfer"));
	assert_non_null(strstr(f->mh.log, "skipped 1 money-in row"));
	free(text);
}

static void
test_refunds_and_uk_dates(void **state)
{
	struct fx *f = *state;

	imp_ok(f, "!Type:CCard\nD01/02/2024\nT-5.00\nPA\n^\n"
	    "D25/02/2024\nT7.25\nPB\n^\n", OPTS("credits", "refund"));
	assert_int_equal(f->job.nrecs, 2);
	assert_string_equal(f->job.recs[0].date, "2024-02-01");
	assert_string_equal(f->job.recs[0].amount, "5.00");
	assert_string_equal(f->job.recs[1].amount, "-7.25");

	/* nothing decides: QIF is US month-first */
	imp_ok(f, "!Type:Cash\nD01/02/2024\nT-5\n^\n", NULL);
	assert_string_equal(f->job.recs[0].date, "2024-01-02");
	imp_ok(f, "!Type:Cash\nD01/02/2024\nT-5\n^\n",
	    OPTS("date_format", "DD/MM/YYYY"));
	assert_string_equal(f->job.recs[0].date, "2024-02-01");
	imp_ok(f, "!Type:Cash\nD01.02.2024\nT-5,50\n^\n", NULL);
	assert_string_equal(f->job.recs[0].date, "2024-02-01");
	assert_string_equal(f->job.recs[0].amount, "5.50");
}

static void
test_errors(void **state)
{
	struct fx *f = *state;

	assert_int_equal(imp(f, "!Type:Bank\nD1/2/24\nT-1.00\n^\n"
	    "D1/3/24\nT-abc\nPX\n^\n", NULL), -1);
	assert_int_equal(f->job.err_line, 5);
	assert_string_equal(f->job.err_field, "amount");
	assert_non_null(strstr(f->job.err_msg, "abc"));

	assert_int_equal(imp(f, "!Type:Bank\nD1/2/24\nT-1.00\n^\n"
	    "D2/30/24\nT-1\n^\n", NULL), -1);
	assert_int_equal(f->job.err_line, 5);
	assert_string_equal(f->job.err_field, "date");

	assert_int_equal(imp(f, "!Type:Bank\nT-1.00\nPX\n^\n", NULL), -1);
	assert_int_equal(f->job.err_line, 2);
	assert_string_equal(f->job.err_field, "date");

	assert_int_equal(imp(f, "Date,Amount\n2024-01-01,1\n", NULL), -1);
	assert_int_equal(f->job.err_line, 1);
	assert_non_null(strstr(f->job.err_msg, "!Type"));

	assert_int_equal(imp(f, "", NULL), -1);
	assert_non_null(strstr(f->job.err_msg, "not a QIF"));
}

static void
test_odd_but_fine(void **state)
{
	struct fx *f = *state;

	/* BOM, lone CRs, no final ^, a Windows-1252 payee, lower-case
	 * header with trailing blanks, investment section skipped */
	imp_ok(f, "\xef\xbb\xbf!type:bank  \rD3/4'24\rT-2.00\rPCaf\xe9\r^\r"
	    "!Type:Invst\rD3/5'24\rNBuy\rT-100\r^\r"
	    "!Type:Bank\rD3/6'24\rT-3\rMlast", NULL);
	assert_int_equal(f->job.nrecs, 2);
	assert_string_equal(f->job.recs[0].date, "2024-03-04");
	assert_string_equal(f->job.recs[0].payee, "Café");
	assert_string_equal(f->job.recs[1].note, "last");
	assert_string_equal(f->job.recs[1].amount, "3");
	assert_int_equal(f->job.recs[1].line, 12);

	/* split sums are exact */
	imp_ok(f, "!Type:Bank\nD1/2/24\n$-0.10\n$-0.10\n$-0.1\n^\n", NULL);
	assert_string_equal(f->job.recs[0].amount, "0.30");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sample_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refunds_and_uk_dates,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odd_but_fine, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
