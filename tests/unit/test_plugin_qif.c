/* qif importer against the mock host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "mock_host.h"
#include "../../plugins/qif/qif.c"
#include "../../plugins/common/ingest.c"
#include "../../plugins/common/date.c"
#include "../../plugins/common/amount.c"
#include "../../plugins/common/text.c"
#include "../../plugins/common/utf8.c"

static int
setup(void **state)
{
	int rc;
	struct mh_fixture *f = mh_fixture_new("qif", spend_plugin_init, &rc);

	assert_int_equal(rc, 0);
	assert_non_null(f->imp);
	*state = f;
	return 0;
}

static void
imp_ok(struct mh_fixture *f, const char *text, const char *const *opts)
{
	if (mh_import(f, text, opts) != 0)
		fail_msg("import failed: line %zu field %s: %s",
		    f->job.err_line, f->job.err_field, f->job.err_msg);
}

#define OPTS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* The i-th transaction left out was line, for reason. */
static void
assert_skip(const struct spend_import *job, size_t i, size_t line,
    const char *reason)
{
	if (i >= job->nskips)
		fail_msg("skip %zu of %zu", i, job->nskips);
	assert_int_equal(job->skips[i].line, line);
	assert_string_equal(job->skips[i].reason, reason);
}

static char *
slurp(const char *path, size_t *len)
{
	char *buf = mh_slurp(path, len);

	if (buf == NULL)
		fail_msg("%s: cannot read (run from the top directory)", path);
	return buf;
}

static void
test_sample_file(void **state)
{
	struct mh_fixture *f = *state;
	size_t len, chunks[] = { 1, 2, 7, 100, 65536 };
	char *text = slurp("tests/data/sample.qif", &len);

	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		const struct mh_record *r;

		if (mh_run_import(f, text, len, NULL, chunks[c]) != 0)
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
		/* the split lines are its parts: S category, E memo, $
		 * amount, signed like T (money out is spent) */
		assert_non_null(r[2].parts);
		assert_string_equal(r[2].parts, "Home 60.00 Screws|"
		    "Garden 29.99 -");
		assert_string_equal(r[3].date, "2024-01-25");
		assert_string_equal(r[3].amount, "42.50");	/* splits */
		assert_string_equal(r[3].category, "Groceries");
		assert_string_equal(r[3].parts, "Groceries 30.10 -|"
		    "Household 12.40 -");
		/* every other transaction is accounted for, in order (the
		 * early rows waited for 1/20'24 to decide MM/DD); the lists
		 * (!Account, !Type:Cat) are not transactions */
		assert_int_equal(f->job.nskips, 2);
		assert_skip(&f->job, 0, 35, "money in");
		assert_skip(&f->job, 1, 40, "transfer");
	}
	assert_non_null(strstr(f->mh.log, "skipped 1 transfer"));
	assert_non_null(strstr(f->mh.log, "skipped 1 money-in row"));
	free(text);
}

static void
test_refunds_and_uk_dates(void **state)
{
	struct mh_fixture *f = *state;

	imp_ok(f, "!Type:CCard\nD01/02/2024\nT-5.00\nPA\n^\n"
	    "D25/02/2024\nT7.25\nPB\n^\n", OPTS("credits", "refund"));
	assert_int_equal(f->job.nrecs, 2);
	assert_string_equal(f->job.recs[0].date, "2024-02-01");
	assert_string_equal(f->job.recs[0].amount, "5.00");
	assert_string_equal(f->job.recs[1].amount, "-7.25");
	assert_int_equal(f->job.nskips, 0);

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
	struct mh_fixture *f = *state;

	assert_int_equal(mh_import(f, "!Type:Bank\nD1/2/24\nT-1.00\n^\n"
	    "D1/3/24\nT-abc\nPX\n^\n", NULL), -1);
	assert_int_equal(f->job.err_line, 5);
	assert_string_equal(f->job.err_field, "amount");
	assert_non_null(strstr(f->job.err_msg, "abc"));

	assert_int_equal(mh_import(f, "!Type:Bank\nD1/2/24\nT-1.00\n^\n"
	    "D2/30/24\nT-1\n^\n", NULL), -1);
	assert_int_equal(f->job.err_line, 5);
	assert_string_equal(f->job.err_field, "date");

	assert_int_equal(mh_import(f, "!Type:Bank\nT-1.00\nPX\n^\n", NULL), -1);
	assert_int_equal(f->job.err_line, 2);
	assert_string_equal(f->job.err_field, "date");

	assert_int_equal(mh_import(f, "Date,Amount\n2024-01-01,1\n", NULL), -1);
	assert_int_equal(f->job.err_line, 1);
	assert_non_null(strstr(f->job.err_msg, "!Type"));

	assert_int_equal(mh_import(f, "", NULL), -1);
	assert_non_null(strstr(f->job.err_msg, "not a QIF"));
}

static void
test_odd_but_fine(void **state)
{
	struct mh_fixture *f = *state;

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
	assert_int_equal(f->job.nskips, 1);
	assert_skip(&f->job, 0, 7, "investment");

	/* split sums are exact */
	imp_ok(f, "!Type:Bank\nD1/2/24\n$-0.10\n$-0.10\n$-0.1\n^\n", NULL);
	assert_string_equal(f->job.recs[0].amount, "0.30");
	assert_string_equal(f->job.recs[0].parts, "- 0.10 -|- 0.10 -|- 0.1 -");
}

/* Splits: parts with their classes cut, a transfer part or one part
 * only flattens, zero parts dropped, refunds keep their sign. */
static void
test_splits(void **state)
{
	struct mh_fixture *f = *state;
	struct mh_record *r;

	imp_ok(f, "!Type:Bank\n"
	    "D1/2/24\nT-10\nL--Split--\nSFood/Trip\nElunch\n$-7\n"
	    "SHome\n$-3\nSGarden\n$0\n^\n"		/* 2: two parts */
	    "D1/3/24\nT-10\nSFood\n$-4\nS[Savings]\n$-6\n^\n" /* 13 */
	    "D1/4/24\nT-5\nLFood\nSHome\n$-5\nSGarden\n$0\n^\n"
	    "D1/5/24\nT-5\nSHome\n$-5\nSGarden\n$0\n^\n",
	    OPTS("credits", "refund"));
	assert_int_equal(f->job.nrecs, 4);
	r = f->job.recs;
	assert_string_equal(r[0].parts, "Food 7 lunch|Home 3 -");
	assert_string_equal(r[0].amount, "10");
	/* a transfer in a split: one expense, as before */
	assert_null(r[1].parts);
	assert_string_equal(r[1].amount, "10");
	/* one part left: no split, L's category kept */
	assert_null(r[2].parts);
	assert_string_equal(r[2].category, "Food");
	/* ... or the part's when there is no L */
	assert_null(r[3].parts);
	assert_string_equal(r[3].category, "Home");

	/* money in, imported as a refund: every part negative */
	mh_import_free(&f->job);
	imp_ok(f, "!Type:Bank\nD1/2/24\nT10\nSFood\n$7\nSHome\n$3\n^\n",
	    OPTS("credits", "refund"));
	assert_string_equal(f->job.recs[0].amount, "-10");
	assert_string_equal(f->job.recs[0].parts, "Food -7 -|Home -3 -");
}

/* Transactions left out on purpose are reported with their first line. */
static void
test_skips_reported(void **state)
{
	struct mh_fixture *f = *state;

	imp_ok(f, "!Type:Bank\n"
	    "D1/2/24\nT-1.00\nPA\n^\n"		/* 2: taken */
	    "D1/3/24\nT0.00\nPB\n^\n"		/* 6: zero amount */
	    "D1/4/24\nT20\nPC\n^\n"		/* 10: money in */
	    "D1/5/24\nT-5\nL[Savings]\n^\n"	/* 14: transfer */
	    "N1001\nC*\n^\n"			/* 18: no date or amount */
	    "^\n"				/* nothing: not a row */
	    "!Type:Invst\n"
	    "D1/6/24\nNBuy\nYACME\nT-100\n^\n"	/* 23: investment */
	    "D1/7/24\nNDiv\nT5\n"		/* 28: investment, no ^ */
	    "!Type:Cat\nNFood\n^\n"		/* a list */
	    "!Type:CCard\n"
	    "D1/8/24\nT-2\nPD\n^\n"		/* 35: taken */
	    "D1/9/24\nT-3\nL[Visa]\n", NULL);	/* 39: transfer, no ^ */
	assert_int_equal(f->job.nrecs, 2);
	assert_int_equal(f->job.recs[0].line, 2);
	assert_int_equal(f->job.recs[1].line, 35);
	assert_int_equal(f->job.nskips, 7);
	assert_skip(&f->job, 0, 6, "zero amount");
	assert_skip(&f->job, 1, 10, "money in");
	assert_skip(&f->job, 2, 14, "transfer");
	assert_skip(&f->job, 3, 18, "no date or amount");
	assert_skip(&f->job, 4, 23, "investment");
	assert_skip(&f->job, 5, 28, "investment");
	assert_skip(&f->job, 6, 39, "transfer");
	assert_int_equal(mh_skipped(&f->job, "transfer"), 2);
	assert_non_null(strstr(f->mh.log, "skipped 2 transfers between "
	    "accounts and 2 investment transactions"));

	/* credits=refund takes the money in; the rest is still left out */
	imp_ok(f, "!Type:Bank\nD1/3/24\nT0.00\n^\nD1/4/24\nT20\n^\n"
	    "D1/5/24\nT-5\nL[Savings]\n^\n", OPTS("credits", "refund"));
	assert_int_equal(f->job.nrecs, 1);
	assert_string_equal(f->job.recs[0].amount, "-20");
	assert_int_equal(f->job.nskips, 2);
	assert_skip(&f->job, 0, 2, "zero amount");
	assert_skip(&f->job, 1, 8, "transfer");

	/* after a bad transaction nothing more is reported */
	assert_int_equal(mh_import(f, "!Type:Bank\nD1/3/24\nT0\n^\n"
	    "D1/4/24\nTx\n^\nD1/5/24\nT-5\nL[Savings]\n^\n", NULL), -1);
	assert_int_equal(f->job.err_line, 5);
	assert_int_equal(f->job.nskips, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sample_file, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_refunds_and_uk_dates,
		    setup, mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_odd_but_fine, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_splits, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_skips_reported, setup,
		    mh_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
