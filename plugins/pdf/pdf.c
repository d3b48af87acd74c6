/*
 * pdf exporter (libharu): a report of a period, for taxes.
 *
 * Page 1: title, owner, period, filters; the totals per category and
 * currency (host->export_totals) as a table, and a pie chart of one
 * currency with a legend. Then every expense in a table that breaks across
 * pages, its header row repeated on each page. Every page ends with
 * "Page N of M": the page objects are kept and the footers drawn once the
 * last page is known, so the records are read only once.
 *
 * The drawing is layout.c's (pages, text cells, tables: UTF-8 in an
 * embedded TrueType font, with a fallback font for CJK picked by font.c)
 * and chart.c's (the pie and its legend); this file is the export: what
 * goes on the pages, and the plugin.
 *
 * Money: amounts are formatted from minor units by host->money_format and
 * summed as int64 with overflow checks; shares are integer permille
 * (chart_permille), the same in the table and the pie's legend. Floating
 * point is used only for geometry (positions, widths, pie angles).
 *
 * Config, [plugin pdf]: font = PATH (a .ttf, default SPEND_FONT),
 * font_bold = PATH (default: FONT's "-Bold" sibling if it exists),
 * fallback_font = PATH ("" turns it off), title = TEXT,
 * paper = a4 | letter.
 */
#include <hpdf.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spend/plugin.h"
#include "../common/host.h"
#include "chart.h"
#include "font.h"
#include "layout.h"

SPEND_PLUGIN_DECLARE;

#define PIE_R 78.0f
#define PIE_SLICES 9		/* the rest becomes "Other" */

/* ---- set in init, read-only after ---- */

static const struct spend_host_api *host;
static struct font_set pdf_fonts;
static char title[256] = "Expense report";
static float page_w = 595.276f, page_h = 841.89f;	/* A4 */

/* ---- one job ---- */

struct ctotal {			/* per currency */
	char cur[8];
	int64_t sum, count;
	int64_t spent;		/* sum of the categories above zero: the
				 * base of shares, in the table and the pie */
};

struct cat {			/* a row of export_totals */
	char *key;
	char cur[8];
	int64_t count, sum;
};

struct doc {
	struct layout l;
	struct spend_export *job;
	const struct spend_export_info *info;

	struct cat *cats;
	size_t ncats, capcats;
	struct ctotal *curs;		/* list totals per currency */
	size_t ncurs, capcurs;

	char buf[LAYOUT_TEXT_MAX + 8];
	char splitcats[LAYOUT_TEXT_MAX + 8];	/* a split's categories */
};

/* ---- money ---- */

/* "12.50 EUR" into buf; -1 after failing the job. */
static int
amount_text(struct doc *d, int64_t minor, const char *cur, char *buf,
    size_t size)
{
	char num[48];

	if (host->money_format(minor, cur, num, sizeof(num)) < 0) {
		layout_fail(&d->l, "cannot format an amount in currency \"%s\"",
		    cur);
		return -1;
	}
	snprintf(buf, size, "%s %s", num, cur);
	return 0;
}

static struct ctotal *
cur_total(struct doc *d, struct ctotal **arr, size_t *n, size_t *cap,
    const char *cur)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*arr)[i].cur, cur) == 0)
			return &(*arr)[i];
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		struct ctotal *na = realloc(*arr, nc * sizeof(*na));

		if (na == NULL) {
			layout_fail(&d->l, "out of memory");
			return NULL;
		}
		*arr = na;
		*cap = nc;
	}
	memset(&(*arr)[*n], 0, sizeof(**arr));
	snprintf((*arr)[*n].cur, sizeof((*arr)[0].cur), "%s", cur);
	return &(*arr)[(*n)++];
}

static int
add_checked(struct doc *d, int64_t *acc, int64_t v, const char *cur)
{
	if (__builtin_add_overflow(*acc, v, acc)) {
		layout_fail(&d->l, "the total in %s overflows", cur);
		return -1;
	}
	return 0;
}

/* ---- the summary: header, totals, pie ---- */

static void
format_period(const struct spend_export_info *in, char *out, size_t size)
{
	const char *from = in->from ? in->from : "", *to = in->to ? in->to : "";

	if (*from && *to)
		snprintf(out, size, "%s \xe2\x80\x93 %s", from, to);
	else if (*from)
		snprintf(out, size, "from %s", from);
	else if (*to)
		snprintf(out, size, "until %s", to);
	else
		snprintf(out, size, "all dates");
}

static void
summary_header(struct doc *d)
{
	const struct spend_export_info *in = d->info;
	char line[600], period[64];
	const char *gen = in->generated_at ? in->generated_at : "";

	HPDF_Page_SetGrayFill(d->l.page, 0.0f);
	d->l.y -= 14.0f;
	layout_cell(&d->l, LAYOUT_MARGIN, d->l.y,
	    d->l.page_w - 2 * LAYOUT_MARGIN, title, 1, 20.0f, 0);
	d->l.y -= 22.0f;
	format_period(in, period, sizeof(period));
	snprintf(line, sizeof(line), "Owner: %s", in->user ? in->user : "");
	layout_cell(&d->l, LAYOUT_MARGIN, d->l.y,
	    d->l.page_w - 2 * LAYOUT_MARGIN, line, 0, 10.0f, 0);
	d->l.y -= 14.0f;
	snprintf(line, sizeof(line), "Period: %s", period);
	layout_cell(&d->l, LAYOUT_MARGIN, d->l.y,
	    d->l.page_w - 2 * LAYOUT_MARGIN, line, 0, 10.0f, 0);
	if (in->filter_text && *in->filter_text) {
		d->l.y -= 14.0f;
		snprintf(line, sizeof(line), "Filters: %s", in->filter_text);
		layout_cell(&d->l, LAYOUT_MARGIN, d->l.y,
		    d->l.page_w - 2 * LAYOUT_MARGIN, line, 0, 10.0f, 0);
	}
	if (strlen(gen) >= 16) {	/* "2024-06-01T12:00..." */
		d->l.y -= 14.0f;
		snprintf(line, sizeof(line), "Generated: %.10s %.5s UTC", gen,
		    gen + 11);
		layout_cell(&d->l, LAYOUT_MARGIN, d->l.y,
		    d->l.page_w - 2 * LAYOUT_MARGIN, line, 0, 10.0f, 0);
	}
	d->l.y -= 10.0f;
	layout_rule(&d->l, d->l.y, 0.5f, 0.8f);
}

static int
collect_cat(void *arg, const struct spend_total *t)
{
	struct doc *d = arg;
	struct cat *c;

	if (d->ncats == d->capcats) {
		size_t nc = d->capcats ? d->capcats * 2 : 32;
		struct cat *na = realloc(d->cats, nc * sizeof(*na));

		if (na == NULL)
			return -1;
		d->cats = na;
		d->capcats = nc;
	}
	c = &d->cats[d->ncats];
	if ((c->key = strdup(t->key ? t->key : "")) == NULL)
		return -1;
	snprintf(c->cur, sizeof(c->cur), "%s", t->currency ? t->currency : "");
	c->count = t->count;
	c->sum = t->sum_minor;
	d->ncats++;
	return 0;
}

/* Currencies of the totals: the base currency first, then by code. */
static int
cur_order(const struct doc *d, const char *a, const char *b)
{
	const char *base = d->info->base_currency ? d->info->base_currency : "";
	int ab = strcmp(a, base) == 0, bb = strcmp(b, base) == 0;

	return ab != bb ? bb - ab : strcmp(a, b);
}

static void
totals_table(struct doc *d, struct ctotal *ct, size_t nct)
{
	static const struct layout_col cols[] = {
		{ "Category", 251.0f, 0 },
		{ "Expenses", 60.0f, 1 },
		{ "Total", 130.0f, 1 },
		{ "Share", 70.0f, 1 },
	};
	char amt[64], cnt[24], pct[24], label[64];
	size_t i, j;
	int z = 0;

	layout_heading(&d->l, "Totals by category");
	if (d->ncats == 0) {
		d->l.y -= 14.0f;
		layout_cell(&d->l, LAYOUT_MARGIN, d->l.y,
		    d->l.page_w - 2 * LAYOUT_MARGIN,
		    "No expenses match this report.", 0, 10.0f, 0);
		return;
	}
	layout_table_begin(&d->l, cols, 4);
	for (j = 0; j < nct && !d->l.failed; j++) {
		int64_t pm;

		for (i = 0; i < d->ncats && !d->l.failed; i++) {
			const struct cat *c = &d->cats[i];
			const char *cells[4] = { c->key, cnt, amt, pct };

			if (strcmp(c->cur, ct[j].cur) != 0)
				continue;
			if (amount_text(d, c->sum, c->cur, amt, sizeof(amt)) < 0)
				return;
			snprintf(cnt, sizeof(cnt), "%" PRId64, c->count);
			pm = chart_permille(c->sum, ct[j].spent);
			if (c->sum > 0)
				snprintf(pct, sizeof(pct), "%" PRId64 ".%" PRId64
				    "%%", pm / 10, pm % 10);
			else
				snprintf(pct, sizeof(pct), "\xe2\x80\x93");
			layout_row(&d->l, cells, 0, z++ % 2 ? 0.95f : 0.0f);
		}
		if (amount_text(d, ct[j].sum, ct[j].cur, amt, sizeof(amt)) < 0)
			return;
		snprintf(cnt, sizeof(cnt), "%" PRId64, ct[j].count);
		snprintf(label, sizeof(label), "Total %s", ct[j].cur);
		layout_rule(&d->l, d->l.y, 0.3f, 0.6f);
		layout_row(&d->l, (const char *[]){ label, cnt, amt, "" }, 1,
		    0.0f);
		z = 0;
	}
	layout_table_end(&d->l);
}
/* An amount of the pie's currency, for its legend. */
struct pie_money {
	struct doc *d;
	const char *cur;
};

static int
pie_amount(void *arg, int64_t minor, char *buf, size_t size)
{
	struct pie_money *m = arg;

	return amount_text(m->d, minor, m->cur, buf, size);
}

/* The pie of one currency: categories with a positive total, the
 * largest PIE_SLICES - 1 and "Other". */
static void
pie(struct doc *d, const char *cur, int several)
{
	struct chart_slice *s;
	struct pie_money money = { d, cur };
	size_t n = 0, i;
	int64_t total = 0;
	double cx, cy;
	char caption[128];

	if ((s = calloc(d->ncats + 1, sizeof(*s))) == NULL) {
		layout_fail(&d->l, "out of memory");
		return;
	}
	for (i = 0; i < d->ncats; i++)
		if (strcmp(d->cats[i].cur, cur) == 0 && d->cats[i].sum > 0) {
			s[n].label = d->cats[i].key;
			s[n++].value = d->cats[i].sum;
			if (add_checked(d, &total, d->cats[i].sum, cur) < 0)
				goto out;
		}
	if (n == 0 || total <= 0)
		goto out;
	/* sums of parts of total: cannot overflow */
	chart_slices_top(s, &n, PIE_SLICES, "Other");
	/* heading, caption and pie together */
	layout_need(&d->l, 2 * PIE_R + 90.0f);
	layout_heading(&d->l, "Share by category");
	if (d->l.failed)
		goto out;
	snprintf(caption, sizeof(caption), several ? "Spending in %s; other "
	    "currencies are not converted, see the table above." :
	    "Spending in %s.", cur);
	d->l.y -= 12.0f;
	HPDF_Page_SetGrayFill(d->l.page, 0.3f);
	layout_cell(&d->l, LAYOUT_MARGIN, d->l.y,
	    d->l.page_w - 2 * LAYOUT_MARGIN, caption, 0, 9.0f, 0);
	cx = LAYOUT_MARGIN + PIE_R + 10.0;
	cy = d->l.y - 14.0 - PIE_R;
	chart_pie(&d->l, &(struct chart_pie){ .cx = cx, .cy = cy, .r = PIE_R,
	    .shares = 1 }, s, n);
	if (chart_legend(&d->l, &(struct chart_legend){
	    .x = cx + PIE_R + 34.0, .y = cy + PIE_R - 10.0,
	    .right = d->l.page_w - LAYOUT_MARGIN, .label = pie_amount,
	    .arg = &money }, s, n) < 0)
		goto out;
	d->l.y = (float)(cy - PIE_R - 10.0);
out:
	free(s);
}

static void
summary(struct doc *d)
{
	struct ctotal *ct = NULL, *t, tmp;
	size_t nct = 0, capct = 0, i, j;

	summary_header(d);
	if (host->export_totals(d->job, SPEND_GROUP_CATEGORY, collect_cat,
	    d) < 0) {
		layout_fail(&d->l, "reading the totals failed");
		return;
	}
	for (i = 0; i < d->ncats && !d->l.failed; i++) {
		if ((t = cur_total(d, &ct, &nct, &capct, d->cats[i].cur)) == NULL ||
		    add_checked(d, &t->sum, d->cats[i].sum, t->cur) < 0 ||
		    (d->cats[i].sum > 0 && add_checked(d, &t->spent,
		    d->cats[i].sum, t->cur) < 0))
			break;
		t->count += d->cats[i].count;
	}
	for (i = 1; i < nct; i++)	/* a few currencies: insertion sort */
		for (j = i; j > 0 && cur_order(d, ct[j].cur, ct[j - 1].cur) < 0;
		    j--) {
			tmp = ct[j];
			ct[j] = ct[j - 1];
			ct[j - 1] = tmp;
		}
	if (!d->l.failed)
		totals_table(d, ct, nct);
	if (!d->l.failed && nct > 0)
		pie(d, ct[0].cur, nct > 1);
	free(ct);
}

/* ---- the expense list ---- */

static void
expenses(struct doc *d)
{
	static const struct layout_col cols[] = {
		{ "Date", 58.0f, 0 },
		{ "Category", 86.0f, 0 },
		{ "Payee", 110.0f, 0 },
		{ "Note", 152.0f, 0 },
		{ "Amount", 105.0f, 1 },
	};
	struct spend_record r;
	struct ctotal *t;
	char amt[64], label[64];
	size_t n = 0, i;
	int rc = 0;

	layout_new_page(&d->l);
	layout_heading(&d->l, "Expenses");
	d->l.y -= 4.0f;
	layout_table_begin(&d->l, cols, 5);
	while (!layout_bad(&d->l) && (rc = host->export_next(d->job, &r)) > 0) {
		const char *cells[5];
		const char *cur = r.currency ? r.currency : "";
		size_t o;

		if (amount_text(d, r.amount_minor, cur, amt, sizeof(amt)) < 0)
			break;
		if ((t = cur_total(d, &d->curs, &d->ncurs, &d->capcurs, cur)) ==
		    NULL || add_checked(d, &t->sum, r.amount_minor, cur) < 0)
			break;
		t->count++;
		/* the note, then the tags as #tag */
		o = (size_t)snprintf(d->buf, sizeof(d->buf), "%s",
		    r.note ? r.note : "");
		for (i = 0; r.tags && i < r.ntags && o < sizeof(d->buf); i++)
			o += (size_t)snprintf(d->buf + o, sizeof(d->buf) - o,
			    "%s#%s", o ? " " : "", r.tags[i] ? r.tags[i] : "");
		cells[0] = r.date;
		cells[1] = r.category;
		/* a split: its parts' categories, "food + household" */
		if (SPEND_HOST_HAS(host, export_parts)) {
			const struct spend_part *p;
			size_t np = host->export_parts(d->job, &p), k = 0;

			d->splitcats[0] = '\0';
			for (i = 0; i < np && k < sizeof(d->splitcats); i++)
				k += (size_t)snprintf(d->splitcats + k,
				    sizeof(d->splitcats) - k, "%s%s",
				    i ? " + " : "", p[i].category ?
				    p[i].category : "");
			if (np > 0)
				cells[1] = d->splitcats;
		}
		cells[2] = r.payee;
		cells[3] = d->buf;
		cells[4] = amt;
		layout_row(&d->l, cells, 0, n++ % 2 ? 0.95f : 0.0f);
	}
	if (!d->l.failed && rc < 0)
		layout_fail(&d->l, "reading the expenses failed");
	if (d->l.failed)
		return;
	layout_rule(&d->l, d->l.y, 0.3f, 0.6f);
	for (i = 0; i < d->ncurs; i++) {
		if (amount_text(d, d->curs[i].sum, d->curs[i].cur, amt,
		    sizeof(amt)) < 0)
			return;
		snprintf(label, sizeof(label), "%" PRId64 " expense%s in %s",
		    d->curs[i].count, d->curs[i].count == 1 ? "" : "s",
		    d->curs[i].cur);
		layout_row(&d->l, (const char *[]){ "Total", NULL, label, NULL,
		    amt }, 1, 0.0f);
	}
	if (n == 0)
		layout_row(&d->l, (const char *[]){ NULL, NULL,
		    "No expenses.", NULL, NULL }, 0, 0.0f);
	layout_table_end(&d->l);
}

/* "Page N of M" and a left note on every page, now that M is known. */
static void
footers(struct doc *d)
{
	char left[600], right[64], period[64];
	size_t i;

	format_period(d->info, period, sizeof(period));
	snprintf(left, sizeof(left), "%s \xc2\xb7 %s \xc2\xb7 %s", title,
	    d->info->user ? d->info->user : "", period);
	for (i = 0; i < d->l.npages && !d->l.failed; i++) {
		layout_select_page(&d->l, i);
		HPDF_Page_SetGrayStroke(d->l.page, 0.7f);
		layout_rule(&d->l, LAYOUT_FOOTER_Y + 12.0f, 0.7f, 0.5f);
		HPDF_Page_SetGrayFill(d->l.page, 0.35f);
		snprintf(right, sizeof(right), "Page %zu of %zu", i + 1,
		    d->l.npages);
		layout_cell(&d->l, LAYOUT_MARGIN, LAYOUT_FOOTER_Y, 330.0f, left,
		    0, 8.0f, 0);
		layout_cell(&d->l, d->l.page_w - LAYOUT_MARGIN - 120.0f,
		    LAYOUT_FOOTER_Y, 120.0f, right, 0, 8.0f, 1);
	}
}

/* The document's failures are the export's: "pdf: why". */
static void
doc_failed(void *arg, const char *msg)
{
	struct doc *d = arg;

	host->export_error(d->job, "pdf: %s", msg);
}

static int
doc_write(void *arg, const void *buf, size_t len)
{
	struct doc *d = arg;

	return host->export_write(d->job, buf, len) < 0 ? -1 : 0;
}

static int
pdf_run(struct spend_plugin *self, struct spend_export *job)
{
	static const struct spend_export_info none = { "", "", "", "", "", "" };
	struct doc *d;
	int rc;
	size_t i;

	(void)self;
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		host->export_error(job, "pdf: out of memory");
		return -1;
	}
	d->job = job;
	if ((d->info = host->export_info(job)) == NULL)
		d->info = &none;
	if (layout_init(&d->l, &pdf_fonts, page_w, page_h, title, d->info->user,
	    doc_failed, d) < 0 && d->l.pdf == NULL) {
		free(d);
		return -1;
	}
	if (!layout_bad(&d->l))
		summary(d);
	if (!layout_bad(&d->l))
		expenses(d);
	if (!layout_bad(&d->l))
		footers(d);
	layout_save(&d->l, doc_write, d);
	rc = d->l.failed ? -1 : 0;
	layout_free(&d->l);
	for (i = 0; i < d->ncats; i++)
		free(d->cats[i].key);
	free(d->cats);
	free(d->curs);
	free(d);
	return rc;
}

static const struct spend_exporter pdf_exporter = {
	.version = SPEND_EXPORTER_V1,
	.name = "pdf",
	.description = "PDF report for a period: totals, pie chart, every "
	    "expense",
	.mime_type = "application/pdf",
	.extension = "pdf",
	.run = pdf_run,
};

static void
pdf_free(struct spend_plugin *self)
{
	(void)self;
	font_set_free(&pdf_fonts);
}

static void
font_logged(void *arg, enum spend_log_level level, const char *msg)
{
	host->log(arg, level, "%s", msg);
}

static int
load_fonts(struct spend_plugin *self)
{
	return font_set_load(&pdf_fonts, host->config_get(self, "font"),
	    host->config_get(self, "font_bold"),
	    host->config_get(self, "fallback_font"), font_logged, self);
}

SPEND_PLUGIN_EXPORT int
spend_plugin_init(const struct spend_host_api *h, struct spend_plugin *self)
{
	const char *v;

	if (plugin_host_check(h, self, PLUGIN_HOST_NEEDS(export_error),
	    "host API too old: no exporters") < 0)
		return -1;
	host = h;
	pdf_free(self);
	if ((v = host->config_get(self, "title")) != NULL && *v != '\0')
		snprintf(title, sizeof(title), "%s", v);
	else
		snprintf(title, sizeof(title), "Expense report");
	v = host->config_get(self, "paper");
	if (v == NULL || strcmp(v, "a4") == 0) {
		page_w = 595.276f;
		page_h = 841.89f;
	} else if (strcmp(v, "letter") == 0) {
		page_w = 612.0f;
		page_h = 792.0f;
	} else {
		host->log(self, SPEND_LOG_WARN, "paper \"%s\": a4 or letter", v);
		return -1;
	}
	if (load_fonts(self) < 0) {
		pdf_free(self);
		return -1;
	}
	self->version = "1.0";
	self->description = "PDF report exporter";
	self->free_func = pdf_free;
	return host->register_exporter(self, &pdf_exporter);
}