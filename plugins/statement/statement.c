/*
 * statement exporter (libharu; spendctl export --format statement
 * --month 2024-03 -o march.pdf): a period's statement in the user's base
 * currency.
 *
 * Page 1: title, owner, period, base currency; the total, the number of
 * expenses and the average per day against the period before (a
 * calendar month's is the month before; a range's, as many days just
 * before) and the same period a year before, with the change in percent;
 * a pie of the categories with its legend; a line of the spending by day
 * (by month past 62 days); the categories as a table (amount, share,
 * before, change); what was not converted (no rate: listed by currency,
 * never guessed) and the days converted at an earlier rate. Then every
 * expense of the export (its filters apply to this table) at its face
 * value, and "Page N of M" on every page.
 *
 * The converted figures are the host's cells (host->export_cells: each
 * day's expenses in one currency and category summed and converted once,
 * half to even; the same numbers as the summary report), for the whole
 * period whatever the other filters. Money is int64 minor units, shares
 * and changes integer basis points (rp_common.c); floating point is for
 * geometry only. The drawing is the pdf plugin's layout.c and chart.c.
 *
 * Config, [plugin statement]: font, font_bold, fallback_font and paper,
 * as the pdf exporter's.
 */
#include <hpdf.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spend/plugin.h"
#include "../common/host.h"
#include "../pdf/chart.h"
#include "../pdf/font.h"
#include "../pdf/layout.h"
#include "../reports/rp.h"

SPEND_PLUGIN_DECLARE;

#define PIE_R 70.0f
#define PIE_SLICES 9
#define DAYS_BY_DAY 62		/* longer periods are drawn by month */

static const struct spend_host_api *host;
static struct font_set st_fonts;
static float page_w = 595.276f, page_h = 841.89f;	/* A4 */

struct period {
	char from[11], to[11];
	int64_t total, count;
	struct rp_conv conv;
	int valid;
};

struct doc {
	struct layout l;
	struct spend_export *job;
	const struct spend_export_info *info;
	const char *base;
	struct period now, prev, yb;
	int which;			/* 0 now, 1 prev, 2 yb */
	struct rp_cats cats;
	int64_t dfrom, dto;
	int by_month;
	int64_t *points;		/* spending per day or month */
	size_t npoints;
	char buf[LAYOUT_TEXT_MAX + 8];
};

static int
money(struct doc *d, int64_t minor, const char *cur, char *buf, size_t size)
{
	char num[48];

	if (host->money_format(minor, cur, num, sizeof(num)) < 0) {
		layout_fail(&d->l, "cannot format an amount in %s", cur);
		return -1;
	}
	snprintf(buf, size, "%s %s", num, cur);
	return 0;
}

static void
percent(int64_t bp, char *buf, size_t size)
{
	uint64_t a;

	if (bp == RP_NONE) {
		snprintf(buf, size, "\xe2\x80\x93");
		return;
	}
	a = bp < 0 ? (uint64_t)0 - (uint64_t)bp : (uint64_t)bp;
	snprintf(buf, size, "%s%" PRIu64 ".%02" PRIu64 " %%", bp < 0 ? "-" :
	    "+", a / 100, a % 100);
}

/* ---- the figures ---- */

static int
cell(void *arg, const struct spend_cell *c)
{
	struct doc *d = arg;
	struct period *p = d->which == 0 ? &d->now : d->which == 1 ?
	    &d->prev : &d->yb;
	struct rp_cat *cat = NULL;
	int64_t *slot;
	int conv = rp_conv_note(&p->conv, c);

	if (conv < 0 || (conv && (cat = rp_cat_of(&d->cats, c->category_id,
	    c->category)) == NULL)) {
		layout_fail(&d->l, "out of memory");
		return 1;
	}
	if (!conv)
		return 0;
	slot = d->which == 0 ? &cat->amount : d->which == 1 ? &cat->prev :
	    &cat->year_before;
	if (__builtin_add_overflow(p->total, c->base_minor, &p->total) ||
	    __builtin_add_overflow(*slot, c->base_minor, slot)) {
		layout_fail(&d->l, "a total in %s overflows", d->base);
		return 1;
	}
	p->count += c->count;
	if (d->which == 0) {
		int64_t day, i;
		int y, m, dd, y0, m0;

		cat->count += c->count;
		if (rp_parse_date(c->day, &day) < 0)
			return 0;
		if (d->by_month) {
			rp_civil(day, &y, &m, &dd);
			rp_civil(d->dfrom, &y0, &m0, &dd);
			i = (y * 12 + m) - (y0 * 12 + m0);
		} else
			i = day - d->dfrom;
		if (i >= 0 && (size_t)i < d->npoints &&
		    __builtin_add_overflow(d->points[i], c->base_minor,
		    &d->points[i])) {
			layout_fail(&d->l, "a total in %s overflows", d->base);
			return 1;
		}
	}
	return 0;
}

/* The periods to compare with: a calendar month's month before, else as
 * many days before; the same dates a year before (29 February as the
 * 28th). */
static void
comparisons(struct doc *d)
{
	int y, m, dd, y2, m2, d2;
	int64_t len = d->dto - d->dfrom + 1;

	rp_civil(d->dfrom, &y, &m, &dd);
	rp_civil(d->dto, &y2, &m2, &d2);
	if (dd == 1 && y == y2 && m == m2 && d2 == rp_month_days(y, m)) {
		int py = m == 1 ? y - 1 : y, pm = m == 1 ? 12 : m - 1;

		rp_date(rp_days(py, pm, 1), d->prev.from);
		rp_date(rp_days(py, pm, rp_month_days(py, pm)), d->prev.to);
	} else {
		rp_date(d->dfrom - len, d->prev.from);
		rp_date(d->dfrom - 1, d->prev.to);
	}
	d->prev.valid = y > 1;
	rp_date(rp_days(y - 1, m, m == 2 && dd == 29 ? 28 : dd), d->yb.from);
	rp_date(rp_days(y2 - 1, m2, m2 == 2 && d2 == 29 ? 28 : d2), d->yb.to);
	d->yb.valid = y > 1;
}

static int
figures(struct doc *d)
{
	int y, m, dd, y2, m2;

	d->now.valid = 1;
	snprintf(d->now.from, sizeof(d->now.from), "%s", d->info->from);
	snprintf(d->now.to, sizeof(d->now.to), "%s", d->info->to);
	d->by_month = d->dto - d->dfrom + 1 > DAYS_BY_DAY;
	if (d->by_month) {
		rp_civil(d->dfrom, &y, &m, &dd);
		rp_civil(d->dto, &y2, &m2, &dd);
		d->npoints = (size_t)((y2 * 12 + m2) - (y * 12 + m) + 1);
	} else
		d->npoints = (size_t)(d->dto - d->dfrom + 1);
	if ((d->points = calloc(d->npoints, sizeof(*d->points))) == NULL) {
		layout_fail(&d->l, "out of memory");
		return -1;
	}
	comparisons(d);
	for (d->which = 0; d->which < 3; d->which++) {
		struct period *p = d->which == 0 ? &d->now : d->which == 1 ?
		    &d->prev : &d->yb;

		if (p->valid && host->export_cells(d->job, p->from, p->to,
		    SPEND_CELLS_DAY, cell, d) < 0) {
			layout_fail(&d->l, "reading the totals failed");
			return -1;
		}
	}
	rp_cats_by_amount(&d->cats);
	return d->l.failed ? -1 : 0;
}

/* ---- page 1 ---- */

static void
line(struct doc *d, const char *s, int bold, float size, float gap)
{
	d->l.y -= gap;
	layout_cell(&d->l, LAYOUT_MARGIN, d->l.y, d->l.page_w - 2 *
	    LAYOUT_MARGIN, s, bold, size, 0);
}

static void
header(struct doc *d)
{
	const struct spend_export_info *in = d->info;
	char s[600];

	HPDF_Page_SetGrayFill(d->l.page, 0.0f);
	line(d, "Statement", 1, 20.0f, 14.0f);
	d->l.y -= 8.0f;
	snprintf(s, sizeof(s), "Owner: %s", in->user ? in->user : "");
	line(d, s, 0, 10.0f, 14.0f);
	snprintf(s, sizeof(s), "Period: %s \xe2\x80\x93 %s (%" PRId64 " days), "
	    "in %s", in->from, in->to, d->dto - d->dfrom + 1, d->base);
	line(d, s, 0, 10.0f, 14.0f);
	if (in->generated_at && strlen(in->generated_at) >= 16) {
		snprintf(s, sizeof(s), "Generated: %.10s %.5s UTC",
		    in->generated_at, in->generated_at + 11);
		line(d, s, 0, 10.0f, 14.0f);
	}
	d->l.y -= 10.0f;
	layout_rule(&d->l, d->l.y, 0.5f, 0.8f);
}

static void
key_figures(struct doc *d)
{
	char a[64], b[64], c[32], s[400];
	int64_t days = d->dto - d->dfrom + 1;

	layout_heading(&d->l, "Summary");
	if (money(d, d->now.total, d->base, a, sizeof(a)) < 0 ||
	    money(d, rp_div(d->now.total, days), d->base, b, sizeof(b)) < 0)
		return;
	snprintf(s, sizeof(s), "Total %s \xc2\xb7 %" PRId64 " expense%s "
	    "\xc2\xb7 %s a day", a, d->now.count, d->now.count == 1 ? "" :
	    "s", b);
	line(d, s, 1, 11.0f, 16.0f);
	for (int k = 0; k < 2; k++) {
		struct period *p = k == 0 ? &d->prev : &d->yb;

		if (!p->valid)
			continue;
		if (money(d, p->total, d->base, a, sizeof(a)) < 0)
			return;
		percent(rp_change_bp(d->now.total, p->total), c, sizeof(c));
		snprintf(s, sizeof(s), "%s (%s \xe2\x80\x93 %s): %s, change %s",
		    k == 0 ? "Period before" : "A year before", p->from, p->to,
		    a, c);
		line(d, s, 0, 10.0f, 14.0f);
	}
	d->l.y -= 6.0f;
}

static int
pie_label(void *arg, int64_t minor, char *buf, size_t size)
{
	struct doc *d = arg;

	return money(d, minor, d->base, buf, size);
}

static void
pie(struct doc *d)
{
	struct chart_slice *s;
	size_t n = 0;
	double cx, cy;

	if ((s = calloc(d->cats.n + 1, sizeof(*s))) == NULL) {
		layout_fail(&d->l, "out of memory");
		return;
	}
	for (size_t i = 0; i < d->cats.n; i++)
		if (d->cats.v[i].amount > 0) {
			s[n].label = d->cats.v[i].name;
			s[n++].value = d->cats.v[i].amount;
		}
	if (n > 0 && chart_slices_top(s, &n, PIE_SLICES, "Other") == 0) {
		layout_need(&d->l, 2 * PIE_R + 50.0f);
		layout_heading(&d->l, "Share by category");
		cx = LAYOUT_MARGIN + PIE_R + 10.0;
		cy = d->l.y - 10.0 - PIE_R;
		chart_pie(&d->l, &(struct chart_pie){ .cx = cx, .cy = cy,
		    .r = PIE_R, .shares = 1 }, s, n);
		chart_legend(&d->l, &(struct chart_legend){
		    .x = cx + PIE_R + 34.0, .y = cy + PIE_R - 10.0,
		    .right = d->l.page_w - LAYOUT_MARGIN, .label = pie_label,
		    .arg = d }, s, n);
		d->l.y = (float)(cy - PIE_R - 8.0);
	}
	free(s);
}

static void
trend(struct doc *d)
{
	struct chart_point *pts;
	char (*labels)[12];
	size_t every;
	float h = 120.0f;

	if (d->npoints < 2)
		return;
	pts = calloc(d->npoints, sizeof(*pts));
	labels = calloc(d->npoints, sizeof(*labels));
	if (pts == NULL || labels == NULL) {
		layout_fail(&d->l, "out of memory");
		goto out;
	}
	/* at most about 12 labels under the axis */
	every = (d->npoints + 11) / 12;
	for (size_t i = 0; i < d->npoints; i++) {
		char date[11];
		int y, m, dd;

		pts[i].value = d->points[i];
		if (i % every != 0)
			continue;
		/* short enough for a slot: the day of the month; a month as
		 * YYYY-MM for a year at most, else its number */
		if (d->by_month) {
			rp_civil(d->dfrom, &y, &m, &dd);
			m += (int)i;
			y += (m - 1) / 12;
			m = (m - 1) % 12 + 1;
			snprintf(labels[i], sizeof(labels[i]), d->npoints <= 12 ?
			    "%04d-%02d" : "%.0d%02d", d->npoints <= 12 ? y : 0,
			    m);
		} else {
			rp_date(d->dfrom + (int64_t)i, date);
			snprintf(labels[i], sizeof(labels[i]), "%d",
			    atoi(date + 8));
		}
		pts[i].label = labels[i];
	}
	layout_need(&d->l, h + 60.0f);
	layout_heading(&d->l, d->by_month ? "Spending by month" :
	    "Spending by day");
	chart_line(&d->l, &(struct chart_plot){ .x = LAYOUT_MARGIN + 60.0f,
	    .y = d->l.y - 10.0f - h, .w = d->l.page_w - 2 * LAYOUT_MARGIN -
	    70.0f, .h = h, .rgb = 0x3465a4, .label = pie_label, .arg = d },
	    pts, d->npoints);
	d->l.y -= h + 34.0f;
out:
	free(pts);
	free(labels);
}

static void
categories(struct doc *d)
{
	static const struct layout_col cols[] = {
		{ "Category", 145.0f, 0 },
		{ "Expenses", 58.0f, 1 },
		{ "Amount", 92.0f, 1 },
		{ "Share", 52.0f, 1 },
		{ "Period before", 92.0f, 1 },
		{ "Change", 72.0f, 1 },
	};
	int64_t *amounts, *bp;
	char amt[64], cnt[24], share[32], prev[64], ch[32];

	layout_heading(&d->l, "Categories");
	if (d->cats.n == 0) {
		line(d, "No expenses in this period.", 0, 10.0f, 14.0f);
		return;
	}
	amounts = calloc(d->cats.n, sizeof(*amounts));
	bp = calloc(d->cats.n, sizeof(*bp));
	if (amounts == NULL || bp == NULL) {
		layout_fail(&d->l, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < d->cats.n; i++)
		amounts[i] = d->cats.v[i].amount;
	rp_shares(amounts, d->cats.n, bp);
	layout_table_begin(&d->l, cols, 6);
	for (size_t i = 0; i < d->cats.n && !d->l.failed; i++) {
		struct rp_cat *c = &d->cats.v[i];
		const char *cells[6] = { c->name, cnt, amt, share, prev, ch };

		if (money(d, c->amount, d->base, amt, sizeof(amt)) < 0 ||
		    money(d, c->prev, d->base, prev, sizeof(prev)) < 0)
			break;
		snprintf(cnt, sizeof(cnt), "%" PRId64, c->count);
		percent(bp[i], share, sizeof(share));
		if (bp[i] != RP_NONE)	/* a share has no sign */
			memmove(share, share + 1, strlen(share));
		percent(rp_change_bp(c->amount, c->prev), ch, sizeof(ch));
		layout_row(&d->l, cells, 0, i % 2 ? 0.95f : 0.0f);
	}
	if (!d->l.failed && money(d, d->now.total, d->base, amt,
	    sizeof(amt)) == 0 && money(d, d->prev.total, d->base, prev,
	    sizeof(prev)) == 0) {
		snprintf(cnt, sizeof(cnt), "%" PRId64, d->now.count);
		percent(rp_change_bp(d->now.total, d->prev.total), ch,
		    sizeof(ch));
		layout_rule(&d->l, d->l.y, 0.3f, 0.6f);
		layout_row(&d->l, (const char *[]){ "Total", cnt, amt, "",
		    prev, ch }, 1, 0.0f);
	}
	layout_table_end(&d->l);
out:
	free(amounts);
	free(bp);
}

static void
conversion(struct doc *d)
{
	struct rp_conv *cv = &d->now.conv;
	char a[64], s[600];
	size_t o;

	layout_need(&d->l, 60.0f);
	layout_heading(&d->l, "Conversion");
	snprintf(s, sizeof(s), "Each day's expenses in one currency and "
	    "category are converted once to %s at that day's rate", d->base);
	HPDF_Page_SetGrayFill(d->l.page, 0.3f);
	line(d, s, 0, 8.5f, 12.0f);
	line(d, "or the nearest earlier one, through EUR, rounded half to "
	    "even; what has no rate is left out and listed.", 0, 8.5f, 11.0f);
	HPDF_Page_SetGrayFill(d->l.page, 0.0f);
	if (cv->nun == 0)
		line(d, "Everything was converted.", 0, 10.0f, 14.0f);
	for (size_t i = 0; i < cv->nun && !d->l.failed; i++) {
		if (money(d, cv->un[i].sum, cv->un[i].currency, a,
		    sizeof(a)) < 0)
			return;
		snprintf(s, sizeof(s), "Not converted (no rate), not in the "
		    "totals: %s in %" PRId64 " expense%s", a, cv->un[i].count,
		    cv->un[i].count == 1 ? "" : "s");
		line(d, s, 1, 10.0f, 14.0f);
	}
	if (cv->nolder > 0) {
		/* rp_conv_json sorts and counts; here the first few */
		o = (size_t)snprintf(s, sizeof(s), "Converted at an earlier "
		    "rate: %zu day%s (", cv->nolder, cv->nolder == 1 ? "" : "s");
		for (size_t i = 0; i < cv->nolder && i < 4 && o < sizeof(s);
		    i++)
			o += (size_t)snprintf(s + o, sizeof(s) - o, "%s%s %s at "
			    "%s", i ? ", " : "", cv->older[i].currency,
			    cv->older[i].date, cv->older[i].rate_date);
		if (o < sizeof(s))
			snprintf(s + o, sizeof(s) - o, "%s)", cv->nolder > 4 ?
			    ", ..." : "");
		line(d, s, 0, 10.0f, 14.0f);
	}
}

/* ---- the expenses ---- */

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
	char amt[64];
	size_t n = 0;
	int rc = 0;

	layout_new_page(&d->l);
	layout_heading(&d->l, "Expenses (as entered, in their own currency)");
	d->l.y -= 4.0f;
	layout_table_begin(&d->l, cols, 5);
	while (!layout_bad(&d->l) && (rc = host->export_next(d->job, &r)) > 0) {
		const char *cells[5] = { r.date, r.category, r.payee, r.note,
		    amt };

		if (money(d, r.amount_minor, r.currency ? r.currency : "",
		    amt, sizeof(amt)) < 0)
			break;
		layout_row(&d->l, cells, 0, n++ % 2 ? 0.95f : 0.0f);
	}
	if (!d->l.failed && rc < 0)
		layout_fail(&d->l, "reading the expenses failed");
	if (!d->l.failed && n == 0)
		layout_row(&d->l, (const char *[]){ NULL, NULL, "No expenses.",
		    NULL, NULL }, 0, 0.0f);
	layout_table_end(&d->l);
}

static void
footers(struct doc *d)
{
	char left[300], right[64];

	snprintf(left, sizeof(left), "Statement \xc2\xb7 %s \xc2\xb7 %s "
	    "\xe2\x80\x93 %s", d->info->user ? d->info->user : "",
	    d->info->from, d->info->to);
	for (size_t i = 0; i < d->l.npages && !d->l.failed; i++) {
		layout_select_page(&d->l, i);
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

static void
doc_failed(void *arg, const char *msg)
{
	struct doc *d = arg;

	host->export_error(d->job, "statement: %s", msg);
}

static int
doc_write(void *arg, const void *buf, size_t len)
{
	struct doc *d = arg;

	return host->export_write(d->job, buf, len) < 0 ? -1 : 0;
}

static int
statement_run(struct spend_plugin *self, struct spend_export *job)
{
	const struct spend_export_info *in = host->export_info(job);
	struct doc *d;
	int rc;

	(void)self;
	if (in == NULL || in->from == NULL || in->to == NULL ||
	    rp_parse_date(in->from, &(int64_t){ 0 }) < 0 ||
	    rp_parse_date(in->to, &(int64_t){ 0 }) < 0) {
		host->export_error(job, "statement: give a period: --month, "
		    "or --from and --to");
		return -1;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		host->export_error(job, "statement: out of memory");
		return -1;
	}
	d->job = job;
	d->info = in;
	d->base = in->base_currency && *in->base_currency ?
	    in->base_currency : "EUR";
	rp_parse_date(in->from, &d->dfrom);
	rp_parse_date(in->to, &d->dto);
	if (layout_init(&d->l, &st_fonts, page_w, page_h, "Statement",
	    in->user, doc_failed, d) < 0 && d->l.pdf == NULL) {
		free(d);
		return -1;
	}
	if (!layout_bad(&d->l))
		figures(d);
	if (!layout_bad(&d->l))
		header(d);
	if (!layout_bad(&d->l))
		key_figures(d);
	if (!layout_bad(&d->l))
		pie(d);
	if (!layout_bad(&d->l))
		trend(d);
	if (!layout_bad(&d->l))
		categories(d);
	if (!layout_bad(&d->l))
		conversion(d);
	if (!layout_bad(&d->l))
		expenses(d);
	if (!layout_bad(&d->l))
		footers(d);
	layout_save(&d->l, doc_write, d);
	rc = d->l.failed ? -1 : 0;
	layout_free(&d->l);
	free(d->points);
	rp_cats_free(&d->cats);
	rp_conv_free(&d->now.conv);
	rp_conv_free(&d->prev.conv);
	rp_conv_free(&d->yb.conv);
	free(d);
	return rc;
}

static const struct spend_exporter statement_exporter = {
	.version = SPEND_EXPORTER_V1,
	.name = "statement",
	.description = "PDF statement of a period in the base currency: "
	    "against the period before and a year before, pie, trend, "
	    "categories, unconverted amounts, every expense",
	.mime_type = "application/pdf",
	.extension = "pdf",
	.run = statement_run,
};

static void
statement_free(struct spend_plugin *self)
{
	(void)self;
	font_set_free(&st_fonts);
}

static void
font_logged(void *arg, enum spend_log_level level, const char *msg)
{
	host->log(arg, level, "%s", msg);
}

SPEND_PLUGIN_EXPORT int
spend_plugin_init(const struct spend_host_api *h, struct spend_plugin *self)
{
	const char *v;

	if (plugin_host_check(h, self, PLUGIN_HOST_NEEDS(export_cells),
	    "host API too old: no converted totals for exports") < 0)
		return -1;
	host = h;
	rp_host = h;
	statement_free(self);
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
	if (font_set_load(&st_fonts, host->config_get(self, "font"),
	    host->config_get(self, "font_bold"),
	    host->config_get(self, "fallback_font"), font_logged, self) < 0) {
		statement_free(self);
		return -1;
	}
	self->version = "1.0";
	self->description = "PDF statement exporter";
	self->free_func = statement_free;
	return host->register_exporter(self, &statement_exporter);
}
