/* ofx importer (libofx) against the mock host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "mock_host.h"
#include "../../plugins/ofx/ofx.c"
#include "../../plugins/common/ingest.c"
#include "../../plugins/common/date.c"
#include "../../plugins/common/amount.c"
#include "../../plugins/common/text.c"
#include "../../plugins/common/utf8.c"

/* Under --enable-asan: libofx and OpenSP (C++) leak; we are C. */
const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:libofx.so\nleak:libosp.so\nleak:libstdc++.so\n";
}

static int
setup(void **state)
{
	int rc;
	struct mh_fixture *f = mh_fixture_new("ofx", spend_plugin_init, &rc);

	assert_int_equal(rc, 0);
	assert_non_null(f->imp);
	f->chunk = 4096;	/* mh_import's read size */
	*state = f;
	return 0;
}

#define OPTS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static char *
slurp(const char *path, size_t *len)
{
	char *buf = mh_slurp(path, len);

	if (buf == NULL)
		fail_msg("%s: cannot read (run from the top directory)", path);
	return buf;
}

static void
assert_rec(const struct mh_record *r, size_t line, const char *date,
    const char *amount, const char *cur, const char *payee, const char *note,
    const char *src)
{
	assert_int_equal(r->line, line);
	assert_string_equal(r->date, date);
	assert_string_equal(r->amount, amount);
	assert_string_equal(r->currency, cur);
	assert_string_equal(r->payee, payee);
	if (note)
		assert_string_equal(r->note, note);
	else
		assert_null(r->note);
	assert_string_equal(r->source_id, src);
}

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

static void
test_sgml_1x(void **state)
{
	struct mh_fixture *f = *state;
	size_t len;
	char *text = slurp("tests/data/statement-1x.ofx", &len);

	/* small reads: the spooling must not care */
	if (mh_run_import(f, text, len, NULL, 5) != 0)
		fail_msg("line %zu: %s", f->job.err_line, f->job.err_msg);
	assert_int_equal(f->job.nrecs, 4);
	assert_rec(&f->job.recs[0], 39, "2024-01-02", "5.75", "USD",
	    "STARBUCKS #1234", "SEATTLE WA", "123456789:2024010201");
	assert_rec(&f->job.recs[1], 47, "2024-01-03", "42.99", "USD",
	    "AMAZON MKTPLACE", "AMZN.COM/BILL WA & more",
	    "123456789:2024010302");
	/* the payroll credit is skipped; PAYEE's NAME is the payee; the day
	 * is the bank's, whatever the time zone */
	assert_rec(&f->job.recs[2], 62, "2024-01-15", "1104.21", "USD",
	    "CON ED OF NY", "ACCOUNT 55-1234", "123456789:2024011504");
	assert_rec(&f->job.recs[3], 77, "2024-01-31", "38.40", "USD",
	    "SHELL OIL 5744", NULL, "123456789:2024013105");
	assert_non_null(strstr(f->mh.log, "skipped 1 money-in row"));
	/* and reported, with its STMTTRN's line */
	assert_int_equal(f->job.nskips, 1);
	assert_skip(&f->job, 0, 55, "money in");
	free(text);
}

static void
test_xml_2x(void **state)
{
	struct mh_fixture *f = *state;
	size_t len;
	char *text = slurp("tests/data/statement-2x.ofx", &len);

	if (mh_run_import(f, text, len, OPTS("credits", "refund"), 4096) != 0)
		fail_msg("line %zu: %s", f->job.err_line, f->job.err_msg);
	assert_int_equal(f->job.nrecs, 4);
	assert_rec(&f->job.recs[0], 21, "2024-02-03", "12.90", "EUR",
	    "Café de Flore", "Paris, 2 cafés",
	    "4111XXXXXXXX1111:CC-240203-001");
	assert_rec(&f->job.recs[1], 29, "2024-02-10", "1234.50", "EUR",
	    "Air France", "AF 1234 CDG-NRT",
	    "4111XXXXXXXX1111:CC-240210-002");
	assert_rec(&f->job.recs[2], 37, "2024-02-15", "-45.00", "EUR",
	    "Refund Zalando", NULL, "4111XXXXXXXX1111:CC-240215-003");
	assert_rec(&f->job.recs[3], 44, "2024-02-28", "8.00", "EUR", "RATP",
	    NULL, "4111XXXXXXXX1111:CC-240228-004");
	assert_int_equal(f->job.nskips, 0);	/* the credit is a refund */
	free(text);
}

static const char *const two_accounts =
    "<?xml version=\"1.0\"?>\n"
    "<?OFX OFXHEADER=\"200\" VERSION=\"211\" SECURITY=\"NONE\" "
    "OLDFILEUID=\"NONE\" NEWFILEUID=\"NONE\"?>\n"
    "<OFX><BANKMSGSRSV1>\n"
    "<STMTTRNRS><TRNUID>1</TRNUID><STMTRS><CURDEF>GBP</CURDEF>\n"
    "<BANKACCTFROM><BANKID>1</BANKID><ACCTID>A1</ACCTID>"
    "<ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM>\n"
    "<BANKTRANLIST><DTSTART>20240101</DTSTART><DTEND>20240131</DTEND>\n"
    "<STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20240105</DTPOSTED>"
    "<TRNAMT>-1.50</TRNAMT><FITID>X1</FITID><NAME>One</NAME></STMTTRN>\n"
    "</BANKTRANLIST></STMTRS></STMTTRNRS>\n"
    "<STMTTRNRS><TRNUID>2</TRNUID><STMTRS><CURDEF>EUR</CURDEF>\n"
    "<BANKACCTFROM><BANKID>1</BANKID><ACCTID>B2</ACCTID>"
    "<ACCTTYPE>SAVINGS</ACCTTYPE></BANKACCTFROM>\n"
    "<BANKTRANLIST><DTSTART>20240101</DTSTART><DTEND>20240131</DTEND>\n"
    "<STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20240106</DTPOSTED>"
    "<TRNAMT>-2.50</TRNAMT><FITID>X1</FITID><NAME>Two</NAME></STMTTRN>\n"
    "</BANKTRANLIST></STMTRS></STMTTRNRS>\n"
    "</BANKMSGSRSV1></OFX>\n";

static void
test_two_accounts(void **state)
{
	struct mh_fixture *f = *state;

	if (mh_import(f, two_accounts, NULL) != 0)
		fail_msg("line %zu: %s", f->job.err_line, f->job.err_msg);
	assert_int_equal(f->job.nrecs, 2);
	/* the same FITID in two accounts stays two transactions */
	assert_rec(&f->job.recs[0], 7, "2024-01-05", "1.50", "GBP", "One",
	    NULL, "A1:X1");
	assert_rec(&f->job.recs[1], 12, "2024-01-06", "2.50", "EUR", "Two",
	    NULL, "B2:X1");
}

static void
test_errors(void **state)
{
	struct mh_fixture *f = *state;
	size_t len;
	char *text = slurp("tests/data/statement-1x.ofx", &len), *p;

	assert_int_equal(mh_import(f, "Date,Amount\n2024-01-01,1\n", NULL), -1);
	assert_int_equal(f->job.err_line, 1);
	assert_non_null(strstr(f->job.err_msg, "not an OFX file"));

	assert_int_equal(mh_import(f, "", NULL), -1);

	/* an amount that is not one: its STMTTRN line and the field */
	p = strstr(text, "-42.99");
	assert_non_null(p);
	memcpy(p, "-4x.99", 6);
	assert_int_equal(mh_run_import(f, text, len, NULL, 4096), -1);
	assert_int_equal(f->job.err_line, 47);
	assert_string_equal(f->job.err_field, "amount");
	memcpy(p, "-42.99", 6);

	/* a date that is not one */
	p = strstr(text, "20240103");
	memcpy(p, "20241303", 8);
	assert_int_equal(mh_run_import(f, text, len, NULL, 4096), -1);
	assert_int_equal(f->job.err_line, 47);
	assert_string_equal(f->job.err_field, "date");
	memcpy(p, "20240103", 8);

	/* cut in the middle: nothing may pass silently */
	assert_int_equal(mh_run_import(f, text, (size_t)(strstr(text,
	    "<TRNAMT>-1104.21") - text), NULL, 4096), -1);
	assert_true(f->job.err_line > 0);

	/* cut between two transactions: libofx would take the first ones */
	assert_int_equal(mh_run_import(f, text, (size_t)(strstr(text,
	    "<STMTTRN>\r\n<TRNTYPE>CHECK") - text), NULL, 4096), -1);
	assert_non_null(strstr(f->job.err_msg, "</OFX>"));
	free(text);
}

/* An investment account: a buy, a fee as INVBANKTRAN (its STMTTRN is
 * libofx's investment transaction, not a bank one), income; and a bank
 * account after it with a zero amount and a credit. */
static const char *const invest =
    "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\n"
    "ENCODING:USASCII\nCHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\n"
    "NEWFILEUID:NONE\n\n"
    "<OFX>\n"							/* 11 */
    "<INVSTMTMSGSRSV1><INVSTMTTRNRS><TRNUID>1\n"
    "<STATUS><CODE>0<SEVERITY>INFO</STATUS>\n"
    "<INVSTMTRS><DTASOF>20240131<CURDEF>USD\n"
    "<INVACCTFROM><BROKERID>broker.example<ACCTID>999</INVACCTFROM>\n"
    "<INVTRANLIST><DTSTART>20240101<DTEND>20240131\n"		/* 16 */
    "<BUYSTOCK><INVBUY>\n"					/* 17 */
    "<INVTRAN><FITID>B1<DTTRADE>20240105</INVTRAN>\n"
    "<SECID><UNIQUEID>123456789<UNIQUEIDTYPE>CUSIP</SECID>\n"
    "<UNITS>10<UNITPRICE>5.00<TOTAL>-50.00\n"
    "<SUBACCTSEC>CASH<SUBACCTFUND>CASH\n"
    "</INVBUY><BUYTYPE>BUY</BUYSTOCK>\n"
    "<INVBANKTRAN>\n"						/* 23 */
    "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240110<TRNAMT>-12.00<FITID>C1"
    "<NAME>Fee</STMTTRN>\n"
    "<SUBACCTFUND>CASH\n"
    "</INVBANKTRAN>\n"
    "<INCOME><INVTRAN><FITID>I1<DTTRADE>20240120</INVTRAN>\n"	/* 27 */
    "<SECID><UNIQUEID>123456789<UNIQUEIDTYPE>CUSIP</SECID>\n"
    "<INCOMETYPE>DIV<TOTAL>3.00<SUBACCTSEC>CASH<SUBACCTFUND>CASH\n"
    "</INCOME>\n"
    "</INVTRANLIST></INVSTMTRS></INVSTMTTRNRS></INVSTMTMSGSRSV1>\n"
    "<BANKMSGSRSV1><STMTTRNRS><TRNUID>2\n"
    "<STATUS><CODE>0<SEVERITY>INFO</STATUS>\n"
    "<STMTRS><CURDEF>EUR\n"
    "<BANKACCTFROM><BANKID>1<ACCTID>B2<ACCTTYPE>CHECKING</BANKACCTFROM>\n"
    "<BANKTRANLIST><DTSTART>20240101<DTEND>20240131\n"
    "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240105<TRNAMT>-1.50<FITID>X1"
    "<NAME>One</STMTTRN>\n"					/* 37 */
    "<STMTTRN><TRNTYPE>OTHER<DTPOSTED>20240106<TRNAMT>0.00<FITID>X2"
    "<NAME>Nothing</STMTTRN>\n"					/* 38 */
    "<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20240107<TRNAMT>7.00<FITID>X3"
    "<NAME>In</STMTTRN>\n"					/* 39 */
    "</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1>\n"
    "</OFX>\n";

static void
test_skips_reported(void **state)
{
	struct mh_fixture *f = *state;

	if (mh_import(f, invest, NULL) != 0)
		fail_msg("line %zu: %s", f->job.err_line, f->job.err_msg);
	assert_int_equal(f->job.nrecs, 1);
	assert_rec(&f->job.recs[0], 37, "2024-01-05", "1.50", "EUR", "One",
	    NULL, "B2:X1");
	assert_int_equal(f->job.nskips, 5);
	assert_skip(&f->job, 0, 17, "investment");
	assert_skip(&f->job, 1, 23, "investment");
	assert_skip(&f->job, 2, 27, "investment");
	assert_skip(&f->job, 3, 38, "zero amount");
	assert_skip(&f->job, 4, 39, "money in");
	assert_non_null(strstr(f->mh.log, "skipped 3 investment "
	    "transactions"));

	if (mh_import(f, invest, OPTS("credits", "refund")) != 0)
		fail_msg("line %zu: %s", f->job.err_line, f->job.err_msg);
	assert_int_equal(f->job.nrecs, 2);
	assert_string_equal(f->job.recs[1].amount, "-7.00");
	assert_int_equal(f->job.nskips, 4);
	assert_int_equal(mh_skipped(&f->job, "investment"), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sgml_1x, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_xml_2x, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_two_accounts, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_skips_reported, setup,
		    mh_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
