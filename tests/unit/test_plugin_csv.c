/* csv importer and exporter (and ingest.c) against the mock host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "mock_host.h"
#include "../../plugins/csv/csv.c"
#include "../../plugins/csv/csv_import.c"
#include "../../plugins/csv/csv_export.c"
#include "../../plugins/common/ingest.c"
#include "../../plugins/common/date.c"
#include "../../plugins/common/amount.c"
#include "../../plugins/common/text.c"
#include "../../plugins/common/out.c"
#include "../../plugins/common/utf8.c"

static int
setup(void **state)
{
	int rc;
	struct mh_fixture *f = mh_fixture_new("csv", spend_plugin_init, &rc);

	assert_int_equal(rc, 0);
	assert_non_null(f->imp);
	assert_non_null(f->exp);
	*state = f;
	return 0;
}

/* The import must succeed. */
static void
imp_ok(struct mh_fixture *f, const char *text, const char *const *opts)
{
	if (mh_import(f, text, opts) != 0)
		fail_msg("import failed: line %zu field %s: %s",
		    f->job.err_line, f->job.err_field, f->job.err_msg);
	assert_int_equal(f->job.failed, 0);
}

#define OPTS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void
assert_rec(const struct mh_record *r, const char *date, const char *amount,
    const char *currency, const char *payee, const char *note)
{
	assert_string_equal(r->date, date);
	assert_string_equal(r->amount, amount);
	if (currency)
		assert_string_equal(r->currency, currency);
	else
		assert_null(r->currency);
	if (payee)
		assert_string_equal(r->payee, payee);
	else
		assert_null(r->payee);
	if (note)
		assert_string_equal(r->note, note);
	else
		assert_null(r->note);
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
test_init_checks(void **state)
{
	struct mock_host mh;

	(void)state;
	mh_init(&mh);
	mh.quiet = 1;
	mh.api.abi = SPEND_PLUGIN_ABI + 1;
	assert_int_equal(mh_load(&mh, spend_plugin_init), -1);
	assert_int_equal(mh.nimporters, 0);
	mh.api.abi = SPEND_PLUGIN_ABI;
	mh.api.size = offsetof(struct spend_host_api, export_error);
	assert_int_equal(mh_load(&mh, spend_plugin_init), -1);
	assert_non_null(strstr(mh.log, "too old"));
	mh.api.size = sizeof(mh.api);
	assert_int_equal(mh_load(&mh, spend_plugin_init), 0);
	assert_int_equal(mh.nimporters, 1);
	assert_int_equal(mh.nexporters, 1);
	assert_string_equal(mh.importers[0]->name, "csv");
	mh_free(&mh);
}

/* ---- conversions ---- */

static void
test_amount_norm(void **state)
{
	static const struct {
		const char *in;
		int dsep;
		const char *out, *code;
	} ok[] = {
		{ "12.50", '.', "12.50", "" },
		{ "-12.50", '.', "-12.50", "" },
		{ "+3", '.', "3", "" },
		{ "1,234.56", '.', "1234.56", "" },
		{ "1.234,56", ',', "1234.56", "" },
		{ "1 234,56", ',', "1234.56", "" },
		{ "1\xc2\xa0" "234,56", ',', "1234.56", "" },
		{ "1'234.50", '.', "1234.50", "" },
		{ "12,5", ',', "12.5", "" },
		{ "$1,234.56", '.', "1234.56", "" },
		{ "-$5.00", '.', "-5.00", "" },
		{ "1.234,56 \xe2\x82\xac", ',', "1234.56", "EUR" },
		{ "\xc2\xa3" "3.20", '.', "3.20", "GBP" },
		{ "EUR 12.00", '.', "12.00", "EUR" },
		{ "12.00 usd", '.', "12.00", "USD" },
		{ "(12.00)", '.', "-12.00", "" },
		{ "12.00-", '.', "-12.00", "" },
		{ "\xe2\x88\x92" "7", '.', "-7", "" },
		{ ".50", '.', "0.50", "" },
		{ "1,234,567", '.', "1234567", "" },
		{ "  42  ", '.', "42", "" },
	};
	static const struct {
		const char *in;
		int dsep;
	} bad[] = {
		{ "", '.' }, { "abc", '.' }, { "12.5x", '.' }, { "1.2.3", '.' },
		{ "12.50", ',' },	/* '.' grouping needs 3 digits */
		{ "1,23,456", '.' }, { "--5", '.' }, { "(5", '.' },
		{ "1,234.5,6", '.' }, { "EUR 5 USD", '.' }, { "-(5)", '.' },
		{ "12 34", '.' }, { "1e5", '.' }, { "0,123.45", '.' },
	};
	char out[48], code[4];
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (amount_norm(ok[i].in, ok[i].dsep, out, sizeof(out), code,
		    &why) != 0)
			fail_msg("\"%s\": %s", ok[i].in, why);
		assert_string_equal(out, ok[i].out);
		assert_string_equal(code, ok[i].code);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (amount_norm(bad[i].in, bad[i].dsep, out, sizeof(out), code,
		    &why) == 0)
			fail_msg("\"%s\" accepted as %s", bad[i].in, out);
	assert_int_equal(amount_hint("1.234,56"), ',');
	assert_int_equal(amount_hint("1,234.56"), '.');
	assert_int_equal(amount_hint("12,50"), ',');
	assert_int_equal(amount_hint("12.5"), '.');
	assert_int_equal(amount_hint("1,234"), 0);
	assert_int_equal(amount_hint("1.234"), 0);
	assert_int_equal(amount_hint("0,123"), ',');
	assert_int_equal(amount_hint("1.234.567"), ',');
	assert_int_equal(amount_hint("42"), -1);
}

static void
test_date_parse(void **state)
{
	static const struct {
		const char *in;
		int order;
		const char *out;
	} ok[] = {
		{ "2024-01-02", ORDER_AUTO, "2024-01-02" },
		{ "2024/01/02", ORDER_AUTO, "2024-01-02" },
		{ "20240102", ORDER_AUTO, "2024-01-02" },
		{ "2024-01-02T10:11:12Z", ORDER_AUTO, "2024-01-02" },
		{ "02.01.2024", ORDER_AUTO, "2024-01-02" },
		{ "2.1.24", ORDER_AUTO, "2024-01-02" },
		{ "25/12/2023", ORDER_AUTO, "2023-12-25" },
		{ "12/25/2023", ORDER_AUTO, "2023-12-25" },
		{ "01/02/2024", ORDER_DMY, "2024-02-01" },
		{ "01/02/2024", ORDER_MDY, "2024-01-02" },
		{ "03/03/2024", ORDER_AUTO, "2024-03-03" },
		{ "1/ 2'24", ORDER_MDY, "2024-01-02" },
		{ "1/2' 4", ORDER_MDY, "2004-01-02" },
		{ "12/31/99", ORDER_MDY, "1999-12-31" },
		{ "02-Jan-2024", ORDER_AUTO, "2024-01-02" },
		{ "2 Jan 2024", ORDER_AUTO, "2024-01-02" },
		{ "29.02.2024 10:00", ORDER_AUTO, "2024-02-29" },
		{ "Jan 2, 2024", ORDER_AUTO, "2024-01-02" },
		{ "February 29 2024", ORDER_AUTO, "2024-02-29" },
		{ "Dec. 31, 99", ORDER_AUTO, "1999-12-31" },
	};
	static const char *const bad[] = {
		"", "2024-13-01", "2024-02-30", "29.02.2023", "32/01/2024",
		"13/13/2024", "2024", "01/02", "1/2/345", "2024-01-02x",
		"Date", "12.50", "Jan 2024", "Foo 2, 2024", "Jan 32, 2024",
	};
	char out[11];
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (date_parse(ok[i].in, ok[i].order, out, &why) != 0)
			fail_msg("\"%s\": %s", ok[i].in, why);
		assert_string_equal(out, ok[i].out);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (date_parse(bad[i], ORDER_DMY, out, &why) == 0)
			fail_msg("\"%s\" accepted as %s", bad[i], out);
	assert_int_equal(date_parse("01/02/2024", ORDER_AUTO, out, &why), -1);
	assert_int_equal(date_parse("01/02/2024", ORDER_YMD, out, &why), -1);
	assert_int_equal(date_hint("01/02/2024"), ORDER_AUTO);
	assert_int_equal(date_hint("13/02/2024"), ORDER_DMY);
	assert_int_equal(date_hint("02/13/2024"), ORDER_MDY);
	assert_int_equal(date_hint("2024-02-13"), ORDER_YMD);
	assert_int_equal(date_hint("01.02.2024"), ORDER_DMY);
	assert_int_equal(date_hint("Datum"), -1);
	assert_int_equal(date_order_from_option("DD/MM/YYYY"), ORDER_DMY);
	assert_int_equal(date_order_from_option("MM/DD/YYYY"), ORDER_MDY);
	assert_int_equal(date_order_from_option("YYYY-MM-DD"), ORDER_YMD);
	assert_int_equal(date_order_from_option("dd.mm.yy"), ORDER_DMY);
	assert_int_equal(date_order_from_option("iso"), ORDER_YMD);
	assert_int_equal(date_order_from_option("xyz"), -1);
}

/* ---- importing ---- */

static void
test_basic_header(void **state)
{
	struct mh_fixture *f = *state;

	imp_ok(f, "Date,Amount,Payee,Description,Category,Tags\n"
	    "2024-01-02,12.50,Bakery,\"croissants, two\",Food,\"a,b\"\n"
	    "2024-01-03,-3.00,Bakery,refund,Food,\n"
	    "2024-01-04,\"1,234.56\",\"Shop \"\"Big\"\"\",,,\n", NULL);
	assert_int_equal(f->job.nrecs, 3);
	assert_rec(&f->job.recs[0], "2024-01-02", "12.50", NULL, "Bakery",
	    "croissants, two");
	assert_string_equal(f->job.recs[0].category, "Food");
	assert_int_equal(f->job.recs[0].ntags, 2);
	assert_string_equal(f->job.recs[0].tags[1], "b");
	assert_int_equal(f->job.recs[0].line, 2);
	assert_rec(&f->job.recs[1], "2024-01-03", "-3.00", NULL, "Bakery",
	    "refund");
	assert_rec(&f->job.recs[2], "2024-01-04", "1234.56", NULL,
	    "Shop \"Big\"", NULL);
	assert_null(f->job.recs[2].category);
	assert_int_equal(f->job.recs[2].line, 4);
}

/* Every chunk size gives the same records and lines. */
static void
test_chunking(void **state)
{
	struct mh_fixture *f = *state;
	const char *text = "\xef\xbb\xbf" "Datum;Betrag;Verwendungszweck\r\n"
	    "02.01.2024;-1.234,56;\"Miete\r\nJanuar\"\r\n"
	    "\r\n"
	    "03.01.2024;-7,10;Brot\r\n"
	    "04.01.2024;-0,99;\"letzte \"\"Zeile\"\"\"";
	size_t chunks[] = { 1, 2, 3, 5, 7, 64, 65536 };

	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		if (mh_run_import(f, text, strlen(text), OPTS("sign", "bank"),
		    chunks[i]) != 0)
			fail_msg("chunk %zu: %s", chunks[i], f->job.err_msg);
		assert_int_equal(f->job.nrecs, 3);
		assert_rec(&f->job.recs[0], "2024-01-02", "1234.56", NULL, NULL,
		    "Miete\nJanuar");
		assert_int_equal(f->job.recs[0].line, 2);
		assert_rec(&f->job.recs[1], "2024-01-03", "7.10", NULL, NULL,
		    "Brot");
		assert_int_equal(f->job.recs[1].line, 5);
		assert_rec(&f->job.recs[2], "2024-01-04", "0.99", NULL, NULL,
		    "letzte \"Zeile\"");
		assert_int_equal(f->job.recs[2].line, 6);
	}
}

static void
test_german_bank(void **state)
{
	struct mh_fixture *f = *state;

	/* preamble of account details, a ';' inside quotes, value date
	 * beside booking date, Windows line ends */
	imp_ok(f, "Kontonummer:;DE12 3456 7890 1234 5678 90;\r\n"
	    "Zeitraum:;01.01.2024 - 31.01.2024;\r\n"
	    ";\r\n"
	    "Buchungstag;Wertstellung;Buchungstext;"
	    "Auftraggeber / Begünstigter;Verwendungszweck;Betrag (EUR)\r\n"
	    "02.01.2024;03.01.2024;Lastschrift;REWE Markt GmbH;"
	    "\"Einkauf; Filiale 123\";-45,67\r\n"
	    "05.01.2024;05.01.2024;Gutschrift;Arbeitgeber AG;Lohn;2.500,00\r\n"
	    "06.01.2024;06.01.2024;Kartenzahlung;Café Müller;;-3,20\r\n",
	    OPTS("sign", "bank"));
	assert_int_equal(f->job.nrecs, 2);
	assert_rec(&f->job.recs[0], "2024-01-02", "45.67", "EUR",
	    "REWE Markt GmbH", "Einkauf; Filiale 123");
	assert_int_equal(f->job.recs[0].line, 5);
	assert_rec(&f->job.recs[1], "2024-01-06", "3.20", "EUR", "Café Müller",
	    NULL);
	assert_int_equal(f->job.recs[1].line, 7);
	assert_non_null(strstr(f->mh.log, "skipped 1 money-in row"));

	/* the currency in the amount's header */
	imp_ok(f, "Datum;Betrag (CHF)\n05.01.2024;-2,00\n",
	    OPTS("sign", "bank"));
	assert_string_equal(f->job.recs[0].currency, "CHF");
	imp_ok(f, "Datum;Betrag (CHF);W\n05.01.2024;-2,00;EUR\n",
	    OPTS("sign", "bank", "map.currency", "W"));
	assert_string_equal(f->job.recs[0].currency, "EUR");

	/* the same with credits as refunds */
	imp_ok(f, "Buchungstag;Betrag\n05.01.2024;2.500,00\n",
	    OPTS("sign", "bank", "credits", "refund"));
	assert_int_equal(f->job.nrecs, 1);
	assert_string_equal(f->job.recs[0].amount, "-2500.00");
}

static void
test_french_debit_credit(void **state)
{
	struct mh_fixture *f = *state;

	imp_ok(f, "Date;Libellé;Débit;Crédit\n"
	    "03/01/2024;CB CARREFOUR;45,20;\n"
	    "05/01/2024;VIR SALAIRE;;2 500,00\n"
	    "15/01/2024;PRLV EDF;\"1 234,56\";\n", NULL);
	assert_int_equal(f->job.nrecs, 2);
	/* 03/01 waited until 15/01 said the order is DD/MM */
	assert_rec(&f->job.recs[0], "2024-01-03", "45.20", NULL, NULL,
	    "CB CARREFOUR");
	assert_rec(&f->job.recs[1], "2024-01-15", "1234.56", NULL, NULL,
	    "PRLV EDF");
	assert_int_equal(f->job.recs[1].line, 4);

	imp_ok(f, "Date;Libellé;Débit;Crédit\n"
	    "05/01/2024;VIR SALAIRE;;2 500,00\n"
	    "15/01/2024;REMB;;10,00\n", OPTS("credits", "refund"));
	assert_int_equal(f->job.nrecs, 2);
	assert_rec(&f->job.recs[0], "2024-01-05", "-2500.00", NULL, NULL,
	    "VIR SALAIRE");

	assert_int_equal(mh_import(f, "Date;Débit;Crédit\n"
	    "2024-01-05;1,00;2,00\n", NULL), -1);
	assert_int_equal(f->job.err_line, 2);
	assert_string_equal(f->job.err_field, "credit");
}

static void
test_tab_separated(void **state)
{
	struct mh_fixture *f = *state;

	imp_ok(f, "date\tamount\tcurrency\tpayee\tnote\n"
	    "2024-03-01\t9.99\tusd\tNetflix\tmonthly, as usual\n"
	    "2024-03-02\t1000\tJPY\t\t  spaced  \n", NULL);
	assert_int_equal(f->job.nrecs, 2);
	assert_rec(&f->job.recs[0], "2024-03-01", "9.99", "USD", "Netflix",
	    "monthly, as usual");
	assert_rec(&f->job.recs[1], "2024-03-02", "1000", "JPY", NULL,
	    "spaced");
}

static void
test_us_dates(void **state)
{
	struct mh_fixture *f = *state;

	imp_ok(f, "\"Date\",\"Description\",\"Amount\",\"Running Bal.\"\n"
	    "\"01/02/2024\",\"STARBUCKS #1234, SEATTLE WA\",\"-5.75\","
	    "\"1,994.25\"\n"
	    "\"01/15/2024\",\"PAYROLL\",\"2,000.00\",\"3,994.25\"\n",
	    OPTS("sign", "bank"));
	assert_int_equal(f->job.nrecs, 1);
	assert_rec(&f->job.recs[0], "2024-01-02", "5.75", NULL, NULL,
	    "STARBUCKS #1234, SEATTLE WA");
}

static void
test_ambiguous_dates(void **state)
{
	struct mh_fixture *f = *state;
	const char *text = "Date,Amount\n"
	    "2024-01-01,1.00\n"
	    "01/02/2024,2.00\n"
	    "03/04/2024,3.00\n";

	assert_int_equal(mh_import(f, text, NULL), -1);
	assert_int_equal(f->job.err_line, 3);
	assert_string_equal(f->job.err_field, "date");
	assert_non_null(strstr(f->job.err_msg, "01/02/2024"));
	assert_non_null(strstr(f->job.err_msg, "date_format"));
	/* nothing may be half-imported: the first row went out already,
	 * the host throws the job away as a whole */

	imp_ok(f, text, OPTS("date_format", "DD/MM/YYYY"));
	assert_int_equal(f->job.nrecs, 3);
	assert_string_equal(f->job.recs[1].date, "2024-02-01");
	imp_ok(f, text, OPTS("date_format", "MM/DD/YYYY"));
	assert_string_equal(f->job.recs[2].date, "2024-03-04");

	/* a contradiction after the order was decided */
	assert_int_equal(mh_import(f,
	    "Date,Amount\n13/01/2024,1\n01/13/2024,2\n", NULL), -1);
	assert_int_equal(f->job.err_line, 3);
	assert_string_equal(f->job.err_field, "date");
}

static void
test_headerless_map(void **state)
{
	struct mh_fixture *f = *state;

	imp_ok(f, "2024-05-01;Rent;800,00;home\n"
	    "2024-05-02;Bread;2,40;food\n",
	    OPTS("map.date", "1", "map.payee", "2", "map.amount", "3",
	    "map.category", "4"));
	assert_int_equal(f->job.nrecs, 2);
	assert_rec(&f->job.recs[0], "2024-05-01", "800.00", NULL, "Rent",
	    NULL);
	assert_string_equal(f->job.recs[1].category, "food");
	assert_int_equal(f->job.recs[0].line, 1);

	/* without a map it says what to do */
	assert_int_equal(mh_import(f, "2024-05-01;Rent;800,00\n", NULL), -1);
	assert_int_equal(f->job.err_line, 1);
	assert_string_equal(f->job.err_field, "date");
	assert_non_null(strstr(f->job.err_msg, "--map 1=date"));

	/* a name needs a header */
	assert_int_equal(mh_import(f, "2024-05-01;Rent;800,00\n",
	    OPTS("map.date", "Datum", "header", "no")), -1);
	assert_string_equal(f->job.err_field, "date");
}

static void
test_map_by_name(void **state)
{
	struct mh_fixture *f = *state;

	imp_ok(f, "When,How much,Who,Why\n2024-06-01,5,Kiosk,paper\n",
	    OPTS("map.date", "When", "map.amount", "how much",
	    "map.payee", "3", "map.note", "Why"));
	assert_int_equal(f->job.nrecs, 1);
	assert_rec(&f->job.recs[0], "2024-06-01", "5", NULL, "Kiosk", "paper");

	assert_int_equal(mh_import(f, "When,How much\n2024-06-01,5\n",
	    OPTS("map.date", "When", "map.amount", "Betrag")), -1);
	assert_int_equal(f->job.err_line, 2);	/* the first data row */
	assert_string_equal(f->job.err_field, "date");
	assert_non_null(strstr(f->job.err_msg, "\"Betrag\""));
	assert_int_equal(mh_import(f, "When,How much\n2024-06-01,5\n",
	    OPTS("map.date", "When", "map.amount", "Betrag",
	    "header", "yes")), -1);
	assert_int_equal(f->job.err_line, 1);
	assert_string_equal(f->job.err_field, "amount");
	assert_non_null(strstr(f->job.err_msg, "\"How much\""));
}

static void
test_bad_row(void **state)
{
	struct mh_fixture *f = *state;

	assert_int_equal(mh_import(f, "Date,Amount,Payee\n"
	    "2024-01-02,1.00,A\n"
	    "\"2024-01-03\",2.00,\"multi\nline\"\n"
	    "2024-01-04,12.5x,C\n"
	    "2024-01-05,3.00,D\n", NULL), -1);
	assert_int_equal(f->job.err_line, 5);
	assert_string_equal(f->job.err_field, "amount");
	assert_non_null(strstr(f->job.err_msg, "12.5x"));
	assert_non_null(strstr(f->job.err_msg, "not a number"));

	assert_int_equal(mh_import(f, "Date,Amount\n2024-02-30,1\n", NULL), -1);
	assert_int_equal(f->job.err_line, 2);
	assert_string_equal(f->job.err_field, "date");

	assert_int_equal(mh_import(f, "Date,Amount\n,1\n", NULL), -1);
	assert_string_equal(f->job.err_field, "date");

	assert_int_equal(mh_import(f,
	    "Date,Amount,Currency\n2024-01-01,1,EURO\n", NULL), -1);
	assert_string_equal(f->job.err_field, "currency");

	/* the host's own check (3 decimals in EUR) names line and field */
	assert_int_equal(mh_import(f, "Date,Amount\n2024-01-01,1.00\n"
	    "2024-01-01,1.005\n", NULL), -1);
	assert_int_equal(f->job.err_line, 3);
	assert_string_equal(f->job.err_field, "amount");

	assert_int_equal(mh_import(f, "Payee,Amount\nA,1\n",
	    OPTS("header", "yes")), -1);
	assert_int_equal(f->job.err_line, 1);
	assert_string_equal(f->job.err_field, "date");
	assert_non_null(strstr(f->job.err_msg, "\"Payee\""));
}

/* A NUL inside a cell would cut its text short without a word: the row
 * is refused, naming line and field. */
static void
test_nul_in_cell(void **state)
{
	struct mh_fixture *f = *state;
	static const char text[] = "Date,Amount,Payee\n2024-01-02,1.00,A\n"
	    "2024-01-03,2.00,Caf\0e\n";
	static const char quoted[] = "Date,Amount,Note\n"
	    "2024-01-03,2.00,\"x\0y\"\n";
	static const char unmapped[] = "Date,Amount,Extra\n"
	    "2024-01-03,2.00,a\0\n";

	assert_int_equal(mh_run_import(f, text, sizeof(text) - 1, NULL, 7), -1);
	assert_int_equal(f->job.err_line, 3);
	assert_string_equal(f->job.err_field, "payee");
	assert_non_null(strstr(f->job.err_msg, "NUL"));
	assert_int_equal(mh_run_import(f, quoted, sizeof(quoted) - 1, NULL,
	    4096), -1);
	assert_int_equal(f->job.err_line, 2);
	assert_string_equal(f->job.err_field, "note");
	assert_int_equal(mh_run_import(f, unmapped, sizeof(unmapped) - 1, NULL,
	    4096), -1);
	assert_string_equal(f->job.err_field, "column 3");
}

static void
test_encodings(void **state)
{
	struct mh_fixture *f = *state;

	/* Windows-1252: "Empf\xe4nger", "Caf\xe9", euro sign 0x80 */
	imp_ok(f, "Datum;Empf\xe4nger;Betrag\n"
	    "01.02.2024;Caf\xe9 \x80uro;-1,50\n", OPTS("sign", "bank"));
	assert_int_equal(f->job.nrecs, 1);
	assert_string_equal(f->job.recs[0].payee, "Café €uro");

	assert_int_equal(mh_import(f, "\xff\xfe" "D\0a\0", NULL), -1);
	assert_non_null(strstr(f->job.err_msg, "UTF-16"));

	assert_int_equal(mh_import(f, "", NULL), -1);
	assert_non_null(strstr(f->job.err_msg, "empty"));

	/* valid UTF-8 at the start, not later: named with a hint */
	{
		char big[70000];
		size_t n = 0;

		n += (size_t)snprintf(big, sizeof(big), "Date,Amount,Payee\n");
		while (n < 66000)
			n += (size_t)snprintf(big + n, sizeof(big) - n,
			    "2024-01-01,1.00,Shop\n");
		n += (size_t)snprintf(big + n, sizeof(big) - n,
		    "2024-01-02,2.00,Caf\xe9\n");
		assert_int_equal(mh_run_import(f, big, n, NULL, 4096), -1);
		assert_string_equal(f->job.err_field, "payee");
		assert_non_null(strstr(f->job.err_msg, "encoding"));
	}
}

static void
test_options_rejected(void **state)
{
	struct mh_fixture *f = *state;
	const char *text = "Date,Amount\n2024-01-01,1\n";

	assert_int_equal(mh_import(f, text, OPTS("date_format", "HH:MM")), -1);
	assert_string_equal(f->job.err_field, "date_format");
	assert_int_equal(mh_import(f, text, OPTS("sign", "up")), -1);
	assert_string_equal(f->job.err_field, "sign");
	assert_int_equal(mh_import(f, text, OPTS("credits", "keep")), -1);
	assert_string_equal(f->job.err_field, "credits");
	assert_int_equal(mh_import(f, text, OPTS("decimal_comma", "maybe")),
	    -1);
	assert_string_equal(f->job.err_field, "decimal_comma");
	assert_int_equal(mh_import(f, text, OPTS("delimiter", "ab")), -1);
	assert_string_equal(f->job.err_field, "delimiter");
	assert_int_equal(mh_import(f, text, OPTS("currency", "XYZ")), -1);
	assert_string_equal(f->job.err_field, "currency");

	imp_ok(f, "Date|Amount\n2024-01-01|1,5\n",
	    OPTS("delimiter", "|", "decimal_comma", "yes", "currency", "chf"));
	assert_string_equal(f->job.recs[0].amount, "1.5");
	assert_string_equal(f->job.recs[0].currency, "CHF");
}

/* The i-th row left out was line, for reason. */
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
test_skip_and_zero(void **state)
{
	struct mh_fixture *f = *state;

	imp_ok(f, "garbage line\nDate,Amount\n2024-01-01,0.00\n,\n"
	    "2024-01-02,2\n", OPTS("skip", "1"));
	assert_int_equal(f->job.nrecs, 1);
	assert_string_equal(f->job.recs[0].amount, "2");
	assert_int_equal(f->job.recs[0].line, 5);
	/* the zero is reported; "," (all cells empty) is not a row */
	assert_int_equal(f->job.nskips, 1);
	assert_skip(&f->job, 0, 3, INGEST_SKIP_ZERO);
}

/* Every row left out on purpose is reported with its line and why. */
static void
test_skips_reported(void **state)
{
	struct mh_fixture *f = *state;
	char *text;
	size_t n = 0, chunks[] = { 1, 7, 4096 };

	/* a zero amount, money in (bank signs), a line of empty cells (not
	 * a row), a row with nothing in the mapped columns, a quoted note
	 * over two lines before a zero */
	imp_ok(f, "Date,Amount,Payee,Balance\n"
	    "2024-01-01,-1.00,A,99\n"
	    "2024-01-02,0.00,B,99\n"
	    "2024-01-03,25.00,Salary,124\n"
	    ",,,\n"
	    ",,,124\n"
	    "2024-01-04,-2.50,\"C\nD\",121.50\n"
	    "2024-01-05,-0,E,121.50\n", OPTS("sign", "bank"));
	assert_int_equal(f->job.nrecs, 2);
	assert_int_equal(f->job.nskips, 4);
	assert_skip(&f->job, 0, 3, INGEST_SKIP_ZERO);
	assert_skip(&f->job, 1, 4, INGEST_SKIP_CREDIT);
	assert_skip(&f->job, 2, 6, INGEST_SKIP_EMPTY);
	assert_skip(&f->job, 3, 9, INGEST_SKIP_ZERO);
	assert_string_equal(INGEST_SKIP_ZERO, "zero amount");
	assert_string_equal(INGEST_SKIP_CREDIT, "money in");
	assert_string_equal(INGEST_SKIP_EMPTY, "no date or amount");
	assert_non_null(strstr(f->mh.log, "skipped 1 money-in row"));
	assert_non_null(strstr(f->mh.log, "2 zero amounts"));

	/* credits=refund: money in is imported, only the zero is left */
	imp_ok(f, "Date,Amount\n2024-01-01,-1\n2024-01-02,0\n2024-01-03,5\n",
	    OPTS("sign", "bank", "credits", "refund"));
	assert_int_equal(f->job.nrecs, 2);
	assert_int_equal(mh_skipped(&f->job, NULL), 1);
	assert_skip(&f->job, 0, 3, INGEST_SKIP_ZERO);

	/* debit and credit columns: only a credit is money in; zeros in
	 * both are a zero amount */
	imp_ok(f, "Date;Débit;Crédit\n"
	    "05/01/2024;;2 500,00\n"
	    "06/01/2024;12,00;\n"
	    "07/01/2024;0,00;0,00\n"
	    "15/01/2024;3,00;\n", NULL);
	assert_int_equal(f->job.nrecs, 2);
	assert_int_equal(f->job.nskips, 2);
	/* these rows waited for 15/01 to decide DD/MM: still in order */
	assert_skip(&f->job, 0, 2, INGEST_SKIP_CREDIT);
	assert_skip(&f->job, 1, 4, INGEST_SKIP_ZERO);

	/* once a row is bad, nothing more is reported */
	assert_int_equal(mh_import(f, "Date,Amount\n2024-01-01,0\n"
	    "2024-01-02,x\n2024-01-03,0\n", NULL), -1);
	assert_int_equal(f->job.nskips, 1);
	assert_skip(&f->job, 0, 2, INGEST_SKIP_ZERO);

	/* every row of a big file is accounted for, whatever the chunks */
	text = malloc(1 << 20);
	assert_non_null(text);
	n += (size_t)snprintf(text + n, 64, "Datum;Betrag\n");
	for (int i = 0; i < 2000; i++)
		n += (size_t)snprintf(text + n, 64, "%02d.%02d.2024;%s\n",
		    i % 28 + 1, i % 12 + 1, i % 7 == 0 ? "0,00" :
		    i % 5 == 0 ? "-3,10" : "4,20");
	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		if (mh_run_import(f, text, n, OPTS("sign", "bank"),
		    chunks[c]) != 0)
			fail_msg("line %zu: %s", f->job.err_line,
			    f->job.err_msg);
		/* 286 multiples of 7; 342 other multiples of 5 */
		assert_int_equal(f->job.nrecs, 342);
		assert_int_equal(f->job.nskips, 2000 - 342);
		assert_int_equal(mh_skipped(&f->job, INGEST_SKIP_ZERO), 286);
		assert_int_equal(mh_skipped(&f->job, INGEST_SKIP_CREDIT),
		    2000 - 342 - 286);
		assert_skip(&f->job, 0, 2, INGEST_SKIP_ZERO);
		assert_skip(&f->job, 1, 3, INGEST_SKIP_CREDIT);
	}
	free(text);
}

/* A spendd without import_skip: the same import, the rows only logged. */
static void
test_skips_old_host(void **state)
{
	struct mock_host mh;
	struct spend_import job;
	const char *text = "Date,Amount\n2024-01-01,1\n2024-01-02,0\n";

	(void)state;
	mh_init(&mh);
	mh.quiet = 1;
	mh.plugin.name = "csv";
	mh.api.size = offsetof(struct spend_host_api, import_skip);
	assert_int_equal(mh_load(&mh, spend_plugin_init), 0);
	mh_import_init(&job, text, strlen(text), NULL);
	assert_int_equal(mh.importers[0]->run(&mh.plugin, &job), 0);
	assert_int_equal(job.nrecs, 1);
	assert_int_equal(job.nskips, 0);
	assert_non_null(strstr(mh.log, "1 zero amount"));
	/* the member there but NULL: not called either */
	mh.api.size = sizeof(mh.api);
	mh.api.import_skip = NULL;
	mh_import_free(&job);
	mh_import_init(&job, text, strlen(text), NULL);
	assert_int_equal(mh.importers[0]->run(&mh.plugin, &job), 0);
	assert_int_equal(job.nrecs, 1);
	assert_int_equal(job.nskips, 0);
	mh_import_free(&job);
	mh_free(&mh);
}

/* A decimal separator that only a later row reveals. */
static void
test_late_decimal(void **state)
{
	struct mh_fixture *f = *state;

	/* "1,234" waits; "5,5" says ',' is the decimal separator */
	imp_ok(f, "Date\tAmount\tCurrency\n2024-01-01\t1,234\tBHD\n"
	    "2024-01-02\t5,5\tBHD\n", NULL);
	assert_int_equal(f->job.nrecs, 2);
	assert_string_equal(f->job.recs[0].amount, "1.234");
	assert_string_equal(f->job.recs[1].amount, "5.5");
	/* here "5.50" says '.', so "1,234" is grouping */
	imp_ok(f, "Date\tAmount\n2024-01-01\t1,234\n2024-01-02\t5.50\n",
	    NULL);
	assert_string_equal(f->job.recs[0].amount, "1234");
	/* nothing decides: a tab file falls back to '.' */
	imp_ok(f, "Date\tAmount\n2024-01-01\t1,234\n", NULL);
	assert_string_equal(f->job.recs[0].amount, "1234");
}

static void
test_data_files(void **state)
{
	static const char *const bank[] = { "sign", "bank", NULL };
	const struct {
		const char *path;
		const char *const *opts;
		size_t n;
		const char *first_amount, *last_date;
	} files[] = {
		{ "tests/data/bank-us.csv", bank, 5, "5.75",
		    "2024-01-28" },
		{ "tests/data/bank-de.csv", bank, 5, "45.67",
		    "2024-01-30" },
		{ "tests/data/bank-fr.csv", NULL, 4, "45.20", "2024-01-29" },
		{ "tests/data/bank-uk.csv", NULL, 4, "3.20", "2024-01-25" },
		{ "tests/data/bank.tsv", NULL, 4, "12.99", "2024-02-10" },
		{ "tests/data/expenses.csv", NULL, 6, "4.50", "2024-03-09" },
	};
	struct mh_fixture *f = *state;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		size_t len;
		char *text = slurp(files[i].path, &len);

		if (mh_run_import(f, text, len, files[i].opts, 4096) != 0)
			fail_msg("%s: line %zu field %s: %s", files[i].path,
			    f->job.err_line, f->job.err_field,
			    f->job.err_msg);
		if (f->job.nrecs != files[i].n)
			fail_msg("%s: %zu records", files[i].path,
			    f->job.nrecs);
		assert_string_equal(f->job.recs[0].amount,
		    files[i].first_amount);
		assert_string_equal(f->job.recs[f->job.nrecs - 1].date,
		    files[i].last_date);
		free(text);
	}
}

/* ---- exporting ---- */

static void
test_export(void **state)
{
	struct mh_fixture *f = *state;
	static const char *const tags[] = { "work", "trip" };
	static const char *const evil[] = { "=cmd" };
	struct spend_record r[] = {
		{ .date = "2024-03-05", .amount = "12.50", .currency = "EUR",
		    .category = "Food", .note = "lunch, with \"Bob\"",
		    .payee = "Café", .tags = tags, .ntags = 2 },
		{ .date = "2024-03-06", .amount = "-3.00", .currency = "EUR",
		    .category = "Food", .note = "=HYPERLINK(\"x\")",
		    .payee = "+49 30 1234", .tags = evil, .ntags = 1 },
		{ .date = "2024-03-07", .amount = "1000", .currency = "JPY",
		    .category = "Travel", .note = "two\r\nlines",
		    .payee = "@home", .ntags = 0 },
		{ .date = "2024-03-08", .amount = "1.00", .currency = "EUR",
		    .category = "-neg", .note = "\tx", .payee = " lead" },
	};

	assert_int_equal(mh_run_export(&f->mh, f->exp, &f->ex, r, 4), 0);
	assert_string_equal(f->ex.out,
	    "date,amount,currency,category,payee,note,tags\r\n"
	    "2024-03-05,12.50,EUR,Food,Café,\"lunch, with \"\"Bob\"\"\","
	    "\"work,trip\"\r\n"
	    "2024-03-06,-3.00,EUR,Food,'+49 30 1234,"
	    "\"'=HYPERLINK(\"\"x\"\")\",'=cmd\r\n"
	    "2024-03-07,1000,JPY,Travel,'@home,\"two\r\nlines\",\r\n"
	    "2024-03-08,1.00,EUR,'-neg,\" lead\",'\tx,\r\n");

	/* a failing write is reported, not ignored */
	mh_export_free(&f->ex);
	mh_export_init(&f->ex, r, 4);
	f->ex.fail_write_at = 10;
	assert_int_equal(f->exp->run(&f->mh.plugin, &f->ex), -1);
	assert_int_equal(f->ex.failed, 1);
}

/* A split is one row per part: its amount, category and note (or the
 * expense's), the expense's date, payee and tags. */
static void
test_export_split(void **state)
{
	struct mh_fixture *f = *state;
	static const char *const tags[] = { "weekly" };
	struct spend_record r[] = {
		{ .date = "2024-03-05", .amount = "20.00", .currency = "EUR",
		    .category = "food", .note = "shop", .payee = "Market",
		    .tags = tags, .ntags = 1 },
		{ .date = "2024-03-06", .amount = "1.00", .currency = "EUR",
		    .category = "food", .note = "", .payee = "" },
	};
	static const struct spend_part p0[] = {
		{ .amount = "12.00", .category = "food", .note = "bread" },
		{ .amount = "8.00", .category = "household", .note = "" },
	};
	const struct spend_part *const parts[] = { p0, NULL };
	const size_t nparts[] = { 2, 0 };

	mh_export_free(&f->ex);
	mh_export_init(&f->ex, r, 2);
	f->ex.parts = parts;
	f->ex.nparts = nparts;
	assert_int_equal(f->exp->run(&f->mh.plugin, &f->ex), 0);
	assert_string_equal(f->ex.out,
	    "date,amount,currency,category,payee,note,tags\r\n"
	    "2024-03-05,12.00,EUR,food,Market,bread,weekly\r\n"
	    "2024-03-05,8.00,EUR,household,Market,shop,weekly\r\n"
	    "2024-03-06,1.00,EUR,food,,,\r\n");
}

/* export -> import gives back the same records */
static void
test_round_trip(void **state)
{
	struct mh_fixture *f = *state;
	static const char *const tags[] = { "a", "b-c" };
	struct spend_record r[] = {
		{ .date = "2024-03-05", .amount = "12.50", .currency = "EUR",
		    .category = "Food", .note = "lunch, with \"Bob\"\nand more",
		    .payee = "Café", .tags = tags, .ntags = 2 },
		{ .date = "2024-03-06", .amount = "-3.00", .currency = "USD",
		    .category = "=Odd", .note = "-minus", .payee = "@at" },
		{ .date = "2024-12-31", .amount = "1000", .currency = "JPY",
		    .category = "Travel", .note = "", .payee = "" },
		{ .date = "2024-01-01", .amount = "0.125", .currency = "BHD",
		    .category = "X", .note = "tab\tinside", .payee = "+1" },
		{ .date = "2024-01-02", .amount = "7", .currency = "EUR",
		    .category = "'=quoted", .note = "'-x", .payee = "'plain" },
		{ .date = "2024-01-03", .amount = "8", .currency = "EUR",
		    .category = "'''@x", .note = "''", .payee = "''+" },
	};
	size_t n = sizeof(r) / sizeof(r[0]);

	assert_int_equal(mh_run_export(&f->mh, f->exp, &f->ex, r, n), 0);
	imp_ok(f, f->ex.out, NULL);
	assert_int_equal(f->job.nrecs, n);
	for (size_t i = 0; i < n; i++) {
		const struct mh_record *g = &f->job.recs[i];

		assert_string_equal(g->date, r[i].date);
		assert_string_equal(g->amount, r[i].amount);
		assert_string_equal(g->currency, r[i].currency);
		assert_string_equal(g->category, r[i].category);
		if (*r[i].note)
			assert_string_equal(g->note, r[i].note);
		else
			assert_null(g->note);
		if (*r[i].payee)
			assert_string_equal(g->payee, r[i].payee);
		else
			assert_null(g->payee);
		assert_int_equal(g->ntags, r[i].ntags);
		for (size_t t = 0; t < r[i].ntags; t++)
			assert_string_equal(g->tags[t], r[i].tags[t]);
	}
}

/* Many rows through small reads: every one arrives, lines count on. */
static void
test_many_rows(void **state)
{
	struct mh_fixture *f = *state;
	size_t n = 20000, len = 0, cap = n * 40 + 64;
	char *text = malloc(cap);

	assert_non_null(text);
	len += (size_t)snprintf(text, cap, "date;amount;note\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len,
		    "%02zu/%02zu/2023;%zu,%02zu;r%zu\n", i % 28 + 1,
		    i % 12 + 1, i + 1, i % 100, i);
	f->job.max_recs = 0;
	if (mh_run_import(f, text, len, NULL, 1000) != 0)
		fail_msg("line %zu: %s", f->job.err_line, f->job.err_msg);
	assert_int_equal(f->job.nrecs, n);
	assert_int_equal(f->job.recs[n - 1].line, n + 1);
	/* 01/01, 02/02... wait for 13/01 on row 13, then DD/MM */
	assert_string_equal(f->job.recs[1].date, "2023-02-02");
	assert_string_equal(f->job.recs[12].date, "2023-01-13");
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_checks),
		cmocka_unit_test(test_amount_norm),
		cmocka_unit_test(test_date_parse),
		cmocka_unit_test_setup_teardown(test_basic_header, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_chunking, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_german_bank, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_french_debit_credit, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_tab_separated, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_us_dates, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_ambiguous_dates, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_headerless_map, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_map_by_name, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_bad_row, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_nul_in_cell, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_encodings, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_options_rejected, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_skip_and_zero, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_skips_reported, setup,
		    mh_fixture_teardown),
		cmocka_unit_test(test_skips_old_host),
		cmocka_unit_test_setup_teardown(test_late_decimal, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_data_files, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_export_split, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_export, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_round_trip, setup,
		    mh_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_many_rows, setup,
		    mh_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
