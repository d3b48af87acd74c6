/*
 * pdf exporter against the mock host, read back with poppler's pdftotext,
 * pdfinfo and pdffonts. KEEP_PDF=DIR keeps the PDFs made (to look at them
 * with pdftoppm).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <unistd.h>

#include "mock_host.h"
#include "../../plugins/pdf/pdf.c"
#include "../../plugins/pdf/layout.c"
#include "../../plugins/pdf/font.c"
#include "../../plugins/pdf/chart.c"
#include "../../plugins/common/utf8.c"

struct fx {
	struct mock_host mh;
	struct spend_export job;
	const struct spend_exporter *ex;
	char path[64];
	char *text;		/* pdftotext of the whole file */
};

static int
setup_cfg(void **state, const char *const *config)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_int_equal(mh_open(&f->mh, "pdf", spend_plugin_init, config, 1),
	    0);
	f->ex = mh_exporter(&f->mh, "pdf");
	assert_non_null(f->ex);
	assert_int_equal(mh_tmpfile(f->path, sizeof(f->path), "pdf"), 0);
	*state = f;
	return 0;
}

static int
setup(void **state)
{
	return setup_cfg(state, NULL);
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	unlink(f->path);
	free(f->text);
	mh_export_free(&f->job);
	mh_free(&f->mh);
	free(f);
	return 0;
}

/* The whole output of a shell command (malloc'd); fails the test if the
 * command fails. */
static char *
cmd_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
cmd_out(const char *fmt, ...)
{
	char cmd[512], *buf = NULL;
	size_t len = 0, cap = 0, n;
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	assert_non_null(p);
	do {
		if (len + 4096 + 1 > cap) {
			cap = (len + 4096 + 1) * 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		n = fread(buf + len, 1, 4096, p);
		len += n;
	} while (n > 0);
	buf[len] = '\0';
	if (pclose(p) != 0)
		fail_msg("%s: failed", cmd);
	return buf;
}

/* Export, save, and read the text back. */
static void
export_info(struct fx *f, const struct spend_record *recs, size_t n,
    const char *from, const char *to, const char *keep_as)
{
	const char *keep = getenv("KEEP_PDF");
	FILE *fp;

	mh_export_free(&f->job);
	mh_export_init(&f->job, recs, n);
	f->job.info.from = from;
	f->job.info.to = to;
	if (f->ex->run(&f->mh.plugin, &f->job) != 0)
		fail_msg("export failed: %s", f->job.err_msg);
	assert_true(f->job.outlen > 1000);
	assert_memory_equal(f->job.out, "%PDF-", 5);
	fp = fopen(f->path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(f->job.out, 1, f->job.outlen, fp),
	    f->job.outlen);
	fclose(fp);
	if (keep != NULL) {
		char cmd[512];

		snprintf(cmd, sizeof(cmd), "cp %s %s/%s.pdf", f->path, keep,
		    keep_as);
		assert_int_equal(system(cmd), 0);
	}
	free(f->text);
	f->text = cmd_out("pdftotext -enc UTF-8 %s - 2>/dev/null", f->path);
}

static int
pages(struct fx *f)
{
	char *info = cmd_out("pdfinfo %s 2>/dev/null", f->path), *p;
	int n = -1;

	p = strstr(info, "\nPages:");
	if (p != NULL)
		n = atoi(p + 7);
	free(info);
	return n;
}

static void
assert_has(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("text does not contain \"%s\"", needle);
}

/* ---- a year of real-looking expenses ---- */

#define NREC 150

struct data {
	struct spend_record r[NREC];
	char date[NREC][11], amount[NREC][24], note[NREC][128];
};

static const char *const cats[] = { "Food", "Travel", "Rent", "Health",
    "Office", "Books & Media" };
static const char *const payees[] = { "Café de Flore", "Deutsche Bahn",
    "Landlord", "Apotheke am Markt", "Stationery ₹ Shop", "日本の書店",
    "Bakery", "Hôtel du Nord" };

static void
make_data(struct data *x)
{
	static const char *const t2[] = { "tax", "work" };

	memset(x, 0, sizeof(*x));
	for (int i = 0; i < NREC; i++) {
		struct spend_record *r = &x->r[i];

		snprintf(x->date[i], 11, "2024-%02d-%02d", 1 + i % 12,
		    1 + (i * 7) % 28);
		snprintf(x->amount[i], 24, "%d.%02d", 3 + (i * 37) % 400,
		    (i * 13) % 100);
		snprintf(x->note[i], 128, "expense number %d", i);
		r->date = x->date[i];
		r->amount = x->amount[i];
		r->currency = "EUR";
		r->category = cats[i % 6];
		r->payee = payees[i % 8];
		r->note = x->note[i];
		if (i % 5 == 0) {
			r->tags = t2;
			r->ntags = 2;
		}
	}
	/* the ones the tests look for */
	x->r[0].note = "Café crème, ₹ 250 and 日本 souvenirs";
	x->r[1].amount = "1200";
	x->r[1].currency = "JPY";
	x->r[1].category = "Travel";
	x->r[2].amount = "12.345";
	x->r[2].currency = "BHD";
	x->r[3].note = "A very long note that goes on and on about the "
	    "reasons for this purchase, far beyond what the column can show, "
	    "and then some more words that must never be seen: ZZTAILWORD";
	x->r[4].amount = "-20.00";
	x->r[4].payee = "Refund\tof\nsomething";
}

static void
test_report(void **state)
{
	struct fx *f = *state;
	struct data *x = malloc(sizeof(*x));
	int64_t eur = 0, food = 0, minor;
	char want[128], eb[64], *page;
	int n, i;

	make_data(x);
	export_info(f, x->r, NREC, "2024-01-01", "2024-12-31", "report");
	n = pages(f);
	assert_true(n >= 4);	/* 150 rows do not fit on three pages */
	assert_has(f->text, "Expense report");
	assert_has(f->text, "Owner: alice");
	assert_has(f->text, "Period: 2024-01-01 – 2024-12-31");
	assert_has(f->text, "Totals by category");
	assert_has(f->text, "Books & Media");
	assert_has(f->text, "Café de Flore");
	assert_has(f->text, "Café crème");
	assert_has(f->text, "₹");
	assert_has(f->text, "日本");
	assert_has(f->text, "Hôtel du Nord");
	assert_has(f->text, "Refund of something");
	assert_has(f->text, "1200 JPY");
	assert_has(f->text, "12.345 BHD");
	assert_has(f->text, "-20.00 EUR");
	assert_has(f->text, "#tax #work");
	/* the long note is cut with an ellipsis, its tail never shown */
	assert_has(f->text, "…");
	assert_null(strstr(f->text, "ZZTAILWORD"));
	/* the totals to the cent, in the table and under the list */
	for (i = 0; i < NREC; i++) {
		if (strcmp(x->r[i].currency, "EUR") != 0)
			continue;
		assert_int_equal(mh_money_parse(x->r[i].amount, "EUR", 0,
		    &minor, eb, sizeof(eb)), 0);
		eur += minor;
		if (strcmp(x->r[i].category, "Food") == 0)
			food += minor;
	}
	snprintf(want, sizeof(want), "%" PRId64 ".%02" PRId64 " EUR",
	    eur / 100, eur % 100);
	assert_has(f->text, want);
	assert_has(strstr(f->text, "Total EUR"), want);
	snprintf(want, sizeof(want), "%" PRId64 ".%02" PRId64 " EUR",
	    food / 100, food % 100);
	assert_has(f->text, want);
	assert_has(f->text, "Share by category");
	/* every page: "Page i of n"; every list page: the header row */
	for (i = 1; i <= n; i++) {
		page = cmd_out("pdftotext -enc UTF-8 -f %d -l %d %s - "
		    "2>/dev/null", i, i, f->path);
		snprintf(want, sizeof(want), "Page %d of %d", i, n);
		assert_has(page, want);
		if (i >= 2) {
			assert_has(page, "Date");
			assert_has(page, "Payee");
			assert_has(page, "Amount");
		}
		free(page);
	}
	free(x);
}

/*
 * Amounts are right-aligned: in the list, every amount's right edge is at
 * the same x. Read with pdftotext -bbox: words with their boxes.
 */
static void
test_alignment(void **state)
{
	struct fx *f = *state;
	struct data *x = malloc(sizeof(*x));
	char *html, *p;
	double xmax0 = -1, note_right = 0;
	int seen = 0;

	make_data(x);
	export_info(f, x->r, 40, "", "", "align");
	html = cmd_out("pdftotext -bbox -f 2 -l 2 %s - 2>/dev/null", f->path);
	/* <word xMin="..." yMin="..." xMax="..." yMax="...">EUR</word> */
	for (p = html; (p = strstr(p, "<word xMin=\"")) != NULL; p++) {
		double x0, y0, x1, y1;
		char w[64];

		if (sscanf(p, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" "
		    "yMax=\"%lf\">%63[^<]", &x0, &y0, &x1, &y1, w) != 5)
			continue;
		if (strcmp(w, "EUR") == 0 && x1 > 400.0) {	/* amounts */
			if (xmax0 < 0)
				xmax0 = x1;
			if (x1 < xmax0 - 0.5 || x1 > xmax0 + 0.5)
				fail_msg("EUR ends at %.2f, not %.2f", x1, xmax0);
			seen++;
		}
		if (strcmp(w, "and") == 0 || strstr(w, "…") != NULL)
			if (x1 > note_right)
				note_right = x1;
	}
	assert_true(seen >= 30);
	/* the cut note stays inside its column, left of the amounts */
	assert_true(note_right > 0);
	assert_true(note_right < xmax0 - 100.0);
	free(html);
	free(x);
}

/* The fallback font is embedded only when a character needs it. */
static void
test_fonts(void **state)
{
	struct fx *f = *state;
	struct spend_record r = { .date = "2024-05-01", .amount = "1.00",
	    .category = "Food", .payee = "Plain" };
	char *fonts;

	export_info(f, &r, 1, "", "", "latin");
	fonts = cmd_out("pdffonts %s 2>/dev/null", f->path);
	assert_has(fonts, "DejaVuSans");
	assert_null(strstr(fonts, "Fallback"));
	free(fonts);
	if (pdf_fonts.face[FONT_CJK].cmap == NULL)
		fail_msg("no CJK fallback font: install fonts-droid-fallback");
	r.payee = "日本";
	export_info(f, &r, 1, "", "", "cjk");
	fonts = cmd_out("pdffonts %s 2>/dev/null", f->path);
	assert_has(fonts, "DroidSansFallback");
	assert_has(f->text, "日本");
	free(fonts);
}

static void
test_cmap(void **state)
{
	(void)state;
	assert_true(font_has(&pdf_fonts.face[FONT_REG], 'A'));
	assert_true(font_has(&pdf_fonts.face[FONT_REG], 0xe9));	/* é */
	assert_true(font_has(&pdf_fonts.face[FONT_REG], 0x20b9));	/* ₹ */
	assert_true(font_has(&pdf_fonts.face[FONT_REG], 0x2026));	/* … */
	assert_false(font_has(&pdf_fonts.face[FONT_REG], 0x65e5));	/* 日 */
	assert_false(font_has(&pdf_fonts.face[FONT_REG], 0x1f600));	/* not BMP */
	assert_true(font_has(&pdf_fonts.face[FONT_CJK], 0x65e5));
	assert_int_equal(font_pick(&pdf_fonts, 0x65e5, 0), FONT_CJK);
	assert_int_equal(font_pick(&pdf_fonts, 0xe9, 1), FONT_BOLD);
	assert_int_equal(font_pick(&pdf_fonts, 'x', 0), FONT_REG);
}

static void
test_clean(void **state)
{
	char out[64];

	(void)state;
	layout_clean("  a\tb\n\nc  ", out, sizeof(out));
	assert_string_equal(out, "a b c");
	layout_clean("x\xff" "y\xf0\x9f\x98\x80z", out, sizeof(out));
	assert_string_equal(out, "x\xef\xbf\xbdy\xef\xbf\xbdz");
	layout_clean(NULL, out, sizeof(out));
	assert_string_equal(out, "");
}

static void
test_empty(void **state)
{
	struct fx *f = *state;

	export_info(f, NULL, 0, "2023-01-01", "", "empty");
	assert_has(f->text, "No expenses match this report.");
	assert_has(f->text, "No expenses.");
	assert_has(f->text, "Period: from 2023-01-01");
	assert_has(f->text, "Page 1 of 2");
	assert_has(f->text, "Page 2 of 2");
	assert_int_equal(pages(f), 2);
}

/* Many categories: a pie of nine slices with "Other"; refunds larger
 * than the spending of a category stay out of the pie. */
static void
test_many_categories(void **state)
{
	struct fx *f = *state;
	struct spend_record r[30];
	char names[30][16];

	for (int i = 0; i < 30; i++) {
		snprintf(names[i], sizeof(names[i]), "Category %02d", i);
		r[i] = (struct spend_record){ .date = "2024-02-02",
		    .amount = i == 29 ? "-5" : i < 3 ? "100" : "1",
		    .currency = "USD", .category = names[i], .payee = "p" };
	}
	export_info(f, r, 30, "", "", "categories");
	assert_has(f->text, "Other");
	assert_has(f->text, "Category 29");
	assert_has(f->text, "-5.00 USD");
	assert_has(f->text, "Total USD");
	assert_has(f->text, "321.00 USD");	/* 300 + 26 - 5 */
	/* shares of what was spent (326), the same in table and legend */
	assert_has(f->text, "30.7%");
	assert_has(f->text, "6.4%");
	assert_null(strstr(f->text, "31.2%"));
}

static void
test_write_failure(void **state)
{
	struct fx *f = *state;
	struct spend_record r = { .date = "2024-05-01", .amount = "1.00" };

	mh_export_free(&f->job);
	mh_export_init(&f->job, &r, 1);
	f->job.fail_write_at = 100;
	assert_int_equal(f->ex->run(&f->mh.plugin, &f->job), -1);
	assert_has(f->job.err_msg, "writing");
}

static void
test_config(void **state)
{
	static const char *const nofont[] = { "font", "/nonexistent.ttf",
	    NULL };
	static const char *const notttf[] = { "font", "/etc/passwd", NULL };
	static const char *const paper[] = { "paper", "a3", NULL };
	static const char *const ok[] = { "paper", "letter", "title",
	    "Steuer 2024", "fallback_font", "", NULL };
	struct mock_host mh;

	(void)state;
	mh_init(&mh);
	mh.quiet = 1;
	mh.config = nofont;
	assert_int_equal(mh_load(&mh, spend_plugin_init), -1);
	assert_has(mh.log, "/nonexistent.ttf");
	mh_free(&mh);
	mh_init(&mh);
	mh.quiet = 1;
	mh.config = notttf;
	assert_int_equal(mh_load(&mh, spend_plugin_init), -1);
	assert_has(mh.log, "not a TrueType font");
	mh_free(&mh);
	mh_init(&mh);
	mh.quiet = 1;
	mh.config = paper;
	assert_int_equal(mh_load(&mh, spend_plugin_init), -1);
	assert_has(mh.log, "a4 or letter");
	mh_free(&mh);
	mh_init(&mh);
	mh.quiet = 1;
	mh.config = ok;
	assert_int_equal(mh_load(&mh, spend_plugin_init), 0);
	assert_string_equal(title, "Steuer 2024");
	assert_true(page_w > 611.0f && page_w < 613.0f);
	assert_null(pdf_fonts.face[FONT_CJK].cmap);
	mh_free(&mh);
}

/* A letter-sized report with a custom title, no fallback font: CJK is
 * drawn as boxes but nothing fails. */
static int
setup_letter(void **state)
{
	static const char *const cfg[] = { "paper", "letter", "title",
	    "Tax report 2024", "fallback_font", "", NULL };

	return setup_cfg(state, cfg);
}

static void
test_letter(void **state)
{
	struct fx *f = *state;
	struct spend_record r = { .date = "2024-05-01", .amount = "1.00",
	    .payee = "日本" };
	char *info;

	export_info(f, &r, 1, "", "", "letter");
	assert_has(f->text, "Tax report 2024");
	info = cmd_out("pdfinfo %s 2>/dev/null", f->path);
	assert_has(info, "612 x 792");
	free(info);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cmap, setup, teardown),
		cmocka_unit_test(test_clean),
		cmocka_unit_test_setup_teardown(test_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alignment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fonts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_categories, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_write_failure, setup,
		    teardown),
		cmocka_unit_test(test_config),
		cmocka_unit_test_setup_teardown(test_letter, setup_letter,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
