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
 * Text is UTF-8 in an embedded TrueType font (DejaVu Sans by default).
 * DejaVu has no CJK glyphs, so characters it lacks are drawn with a
 * fallback font (Droid Sans Fallback, when installed): each string is cut
 * into runs by the font that has the glyph, found in the fonts' own cmap
 * tables, read once at init. libharu's UTF-8 support stops at U+FFFF;
 * characters above it are shown as U+FFFD.
 *
 * Money: amounts are formatted from minor units by host->money_format and
 * summed as int64 with overflow checks. Floating point is used only for
 * geometry (positions, widths, pie angles).
 *
 * Config, [plugin pdf]: font = PATH (a .ttf, default SPEND_FONT),
 * font_bold = PATH (default: FONT's "-Bold" sibling if it exists),
 * fallback_font = PATH ("" turns it off), title = TEXT,
 * paper = a4 | letter.
 */
#include <errno.h>
#include <hpdf.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spend/plugin.h"
#include "../common/host.h"
#include "../common/utf8.h"

SPEND_PLUGIN_DECLARE;

#ifndef SPEND_FONT
#define SPEND_FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#endif

/* CJK-capable TrueType fonts Debian ships as .ttf (libharu cannot read
 * the CFF-based Noto CJK). */
static const char *const fallback_fonts[] = {
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
	"/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf",
	NULL,
};

#define CMAP_MAX (8u << 20)	/* refuse absurd cmap tables */
#define TEXT_MAX 4096		/* a cleaned cell or line, bytes */
#define PATH_LEN 1024

/* ---- layout (points) ---- */
#define MARGIN 42.0f
#define TOP_GAP 42.0f
#define BOTTOM_GAP 56.0f	/* the footer lives below this */
#define FOOTER_Y 28.0f
#define ROW_H 13.0f
#define CELL_PAD 3.5f
#define BODY_SIZE 8.5f
#define PIE_R 78.0f
#define PIE_SLICES 9		/* the rest becomes "Other" */

/* ---- fonts and their cmaps: set in init, read-only after ---- */

struct face {
	char path[PATH_LEN];	/* "" = none */
	uint8_t *cmap;		/* a format 4 subtable, to the table's end */
	size_t len;
	unsigned nseg;
};

enum { F_REG, F_BOLD, F_CJK, F_COUNT };

static const struct spend_host_api *host;
static struct face faces[F_COUNT];
static char title[256] = "Expense report";
static float page_w = 595.276f, page_h = 841.89f;	/* A4 */

/* ---- one job ---- */

struct col {
	const char *title;
	float w;
	int right;		/* right-aligned */
};

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
	struct spend_export *job;
	const struct spend_export_info *info;
	HPDF_Doc pdf;
	HPDF_Font font[F_COUNT];	/* loaded lazily */
	int font_tried[F_COUNT];
	HPDF_Page *pages;
	size_t npages, cappages;
	HPDF_Page page;
	float y;			/* next baseline goes below this */
	const struct col *table;	/* repeat its header on new pages */
	size_t ncols;
	int failed;
	HPDF_STATUS herr, hdetail;

	struct cat *cats;
	size_t ncats, capcats;
	struct ctotal *curs;		/* list totals per currency */
	size_t ncurs, capcurs;

	char buf[TEXT_MAX + 8], buf2[TEXT_MAX + 8];
};

static void
doc_fail(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
doc_fail(struct doc *d, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (d->failed)
		return;
	d->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	host->export_error(d->job, "pdf: %s", msg);
}

/* libharu reports every error here; the first one is kept. */
static void
on_hpdf_error(HPDF_STATUS err, HPDF_STATUS detail, void *arg)
{
	struct doc *d = arg;

	if (d->herr == 0) {
		d->herr = err;
		d->hdetail = detail;
	}
}

static int
bad(struct doc *d)
{
	if (d->herr != 0 && !d->failed)
		doc_fail(d, "libharu error 0x%04x (detail %u)", (unsigned)d->herr,
		    (unsigned)d->hdetail);
	return d->failed;
}

/* ---- TrueType cmap: which characters a font has ---- */

static unsigned
be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/*
 * Read the Windows Unicode BMP (3,1) format 4 cmap of a .ttf, the one
 * libharu itself uses. 0, or -1 with a reason in err.
 */
static int
face_load(struct face *f, const char *path, char *err, size_t errlen)
{
	uint8_t hdr[12], *dir = NULL, *cm = NULL;
	uint32_t off = 0, len = 0, sub = 0;
	unsigned ntab, i, nsub;
	FILE *fp;
	int rc = -1;

	snprintf(f->path, sizeof(f->path), "%s", path);
	if ((fp = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	if (fread(hdr, 1, 12, fp) != 12 || (be32(hdr) != 0x00010000 &&
	    memcmp(hdr, "true", 4) != 0)) {
		snprintf(err, errlen, "not a TrueType font");
		goto out;
	}
	ntab = be16(hdr + 4);
	if ((dir = malloc(ntab * 16u + 1)) == NULL ||
	    fread(dir, 16, ntab, fp) != ntab) {
		snprintf(err, errlen, "truncated table directory");
		goto out;
	}
	for (i = 0; i < ntab; i++)
		if (memcmp(dir + 16 * i, "cmap", 4) == 0) {
			off = be32(dir + 16 * i + 8);
			len = be32(dir + 16 * i + 12);
		}
	if (len < 4 || len > CMAP_MAX || (cm = malloc(len)) == NULL ||
	    fseek(fp, (long)off, SEEK_SET) != 0 || fread(cm, 1, len, fp) != len) {
		snprintf(err, errlen, "no readable cmap table");
		goto out;
	}
	nsub = be16(cm + 2);
	for (i = 0; i < nsub && 4 + 8 * i + 8 <= len; i++) {
		const uint8_t *r = cm + 4 + 8 * i;
		uint32_t o = be32(r + 4);

		if (be16(r) == 3 && be16(r + 2) == 1 && o + 14 <= len &&
		    be16(cm + o) == 4) {
			sub = o;
			break;
		}
	}
	if (sub == 0) {
		snprintf(err, errlen, "no Unicode BMP (3,1) format 4 cmap");
		goto out;
	}
	f->nseg = be16(cm + sub + 6) / 2;
	f->len = len - sub;
	if (f->nseg == 0 || 16 + 8 * (size_t)f->nseg > f->len) {
		snprintf(err, errlen, "corrupt cmap");
		goto out;
	}
	if ((f->cmap = malloc(f->len)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	memcpy(f->cmap, cm + sub, f->len);
	rc = 0;
out:
	free(dir);
	free(cm);
	fclose(fp);
	if (rc < 0)
		f->path[0] = '\0';
	return rc;
}

/* 1 if the face maps cp to a real glyph. */
static int
face_has(const struct face *f, uint32_t cp)
{
	const uint8_t *t = f->cmap;
	size_t n = f->nseg, lo = 0, hi = n, i, ro;
	unsigned start, delta, g;

	if (t == NULL || cp > 0xffff)
		return 0;
	while (lo < hi) {	/* the first segment whose end >= cp */
		size_t mid = (lo + hi) / 2;

		if (be16(t + 14 + 2 * mid) < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	if ((i = lo) >= n)
		return 0;
	start = be16(t + 16 + 2 * n + 2 * i);
	delta = be16(t + 16 + 4 * n + 2 * i);
	ro = 16 + 6 * n + 2 * i;
	if (cp < start)
		return 0;
	if (be16(t + ro) == 0)
		return ((cp + delta) & 0xffff) != 0;
	ro += be16(t + ro) + 2 * (cp - start);
	if (ro + 2 > f->len)
		return 0;
	g = be16(t + ro);
	return g != 0 && ((g + delta) & 0xffff) != 0;
}

/* ---- text ---- */

/* One line of drawable text: valid UTF-8 in the BMP, control characters
 * and newlines as single spaces, trimmed. */
static void
clean(const char *s, char *out, size_t size)
{
	const unsigned char *u = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)u), i = 0, o = 0, k;
	uint32_t cp;

	while (i < n && o + 4 < size) {
		k = utf8_seq(u + i, n - i, &cp);
		i += k ? k : 1;
		if (k == 0 || cp > 0xffff)
			cp = 0xfffd;
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			cp = ' ';
		if (cp == ' ' && (o == 0 || out[o - 1] == ' '))
			continue;
		o += utf8_put(cp, out + o);
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

static HPDF_Font
doc_font(struct doc *d, int which)
{
	const char *name;

	if (d->font_tried[which])
		return d->font[which] ? d->font[which] : d->font[F_REG];
	d->font_tried[which] = 1;
	if (faces[which].path[0] == '\0')
		return d->font[F_REG];
	name = HPDF_LoadTTFontFromFile(d->pdf, faces[which].path, HPDF_TRUE);
	if (name != NULL)
		d->font[which] = HPDF_GetFont(d->pdf, name, "UTF-8");
	if (d->font[which] == NULL && which == F_REG)
		doc_fail(d, "cannot load font %s", faces[which].path);
	return d->font[which] ? d->font[which] : d->font[F_REG];
}

/* The font to draw cp with: the main (or bold) face if it has the glyph,
 * else the fallback if it has it, else the main face's "missing" box. */
static int
pick(uint32_t cp, int bold)
{
	int face = bold && faces[F_BOLD].cmap ? F_BOLD : F_REG;

	if (cp < 0x80 || face_has(&faces[face], cp) ||
	    !face_has(&faces[F_CJK], cp))
		return face;
	return F_CJK;
}

static float
char_width(struct doc *d, uint32_t cp, int which, float size)
{
	HPDF_Font f = doc_font(d, which);

	return f ? (float)HPDF_Font_GetUnicodeWidth(f, cp) * size / 1000.0f :
	    0.0f;
}

/* Width of clean text s. */
static float
text_width(struct doc *d, const char *s, int bold, float size)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;
	float w = 0.0f;
	uint32_t cp;

	while (i < n && (k = utf8_seq(u + i, n - i, &cp)) > 0) {
		w += char_width(d, cp, pick(cp, bold), size);
		i += k;
	}
	return w;
}

/* Shorten clean text s in place to fit maxw, ending it with "…". */
static void
text_fit(struct doc *d, char *s, int bold, float size, float maxw)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k, cut = 0;
	float w = 0.0f, ell;
	uint32_t cp;

	if (text_width(d, s, bold, size) <= maxw)
		return;
	ell = char_width(d, 0x2026, pick(0x2026, bold), size);
	while (i < n && (k = utf8_seq(u + i, n - i, &cp)) > 0) {
		w += char_width(d, cp, pick(cp, bold), size);
		if (w + ell > maxw)
			break;
		i += k;
		cut = i;
	}
	while (cut > 0 && s[cut - 1] == ' ')
		cut--;
	memcpy(s + cut, "\xe2\x80\xa6", 4);	/* …, NUL */
}

/* Draw clean text with its baseline at (x, y), a run per font. */
static void
text_draw(struct doc *d, float x, float y, const char *s, int bold,
    float size)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;
	char run[TEXT_MAX + 8];
	uint32_t cp;

	if (n == 0 || d->failed)
		return;
	HPDF_Page_BeginText(d->page);
	while (i < n) {
		int which = -1;
		size_t r = 0;
		float w = 0.0f;

		while (i < n && (k = utf8_seq(u + i, n - i, &cp)) > 0) {
			int f = pick(cp, bold);

			if (which >= 0 && f != which)
				break;
			which = f;
			w += char_width(d, cp, f, size);
			memcpy(run + r, s + i, k);
			r += k;
			i += k;
		}
		if (r == 0)
			break;		/* not clean text: a bug, stop */
		run[r] = '\0';
		HPDF_Page_SetFontAndSize(d->page, doc_font(d, which), size);
		HPDF_Page_TextOut(d->page, x, y, run);
		x += w;
	}
	HPDF_Page_EndText(d->page);
}

/* Clean, fit and draw s in a box [x, x + w], left or right aligned. */
static void
cell(struct doc *d, float x, float y, float w, const char *s, int bold,
    float size, int right)
{
	clean(s, d->buf2, sizeof(d->buf2));
	text_fit(d, d->buf2, bold, size, w);
	if (right)
		x += w - text_width(d, d->buf2, bold, size);
	text_draw(d, x, y, d->buf2, bold, size);
}

static void
rgb_fill(struct doc *d, unsigned rgb)
{
	HPDF_Page_SetRGBFill(d->page, (float)(rgb >> 16) / 255.0f,
	    (float)((rgb >> 8) & 0xff) / 255.0f, (float)(rgb & 0xff) / 255.0f);
}

/* ---- pages and tables ---- */

static void table_header(struct doc *);

static void
new_page(struct doc *d)
{
	HPDF_Page p;

	if (d->failed)
		return;
	if (d->npages == d->cappages) {
		size_t cap = d->cappages ? d->cappages * 2 : 16;
		HPDF_Page *np = realloc(d->pages, cap * sizeof(*np));

		if (np == NULL) {
			doc_fail(d, "out of memory");
			return;
		}
		d->pages = np;
		d->cappages = cap;
	}
	if ((p = HPDF_AddPage(d->pdf)) == NULL) {
		bad(d);
		return;
	}
	HPDF_Page_SetWidth(p, page_w);
	HPDF_Page_SetHeight(p, page_h);
	d->pages[d->npages++] = p;
	d->page = p;
	d->y = page_h - TOP_GAP;
	if (d->table)
		table_header(d);
}

/* Room for h more points on this page, else a new page. */
static void
need(struct doc *d, float h)
{
	if (d->y - h < BOTTOM_GAP)
		new_page(d);
}

static void
rule(struct doc *d, float y, float gray, float width)
{
	HPDF_Page_SetGrayStroke(d->page, gray);
	HPDF_Page_SetLineWidth(d->page, width);
	HPDF_Page_MoveTo(d->page, MARGIN, y);
	HPDF_Page_LineTo(d->page, page_w - MARGIN, y);
	HPDF_Page_Stroke(d->page);
}

/* One table row of cells; bold rows for headers and totals, shade for
 * zebra stripes (0 = none). */
static void
row(struct doc *d, const char *const *cells, int bold, float shade)
{
	float x = MARGIN;
	size_t i;

	need(d, ROW_H);
	if (d->failed)
		return;
	if (shade > 0.0f) {
		HPDF_Page_SetGrayFill(d->page, shade);
		HPDF_Page_Rectangle(d->page, MARGIN, d->y - ROW_H,
		    page_w - 2 * MARGIN, ROW_H);
		HPDF_Page_Fill(d->page);
	}
	HPDF_Page_SetGrayFill(d->page, 0.0f);
	for (i = 0; i < d->ncols; i++) {
		const struct col *c = &d->table[i];

		if (cells[i] != NULL)
			cell(d, x + CELL_PAD, d->y - ROW_H + 3.8f,
			    c->w - 2 * CELL_PAD, cells[i], bold, BODY_SIZE,
			    c->right);
		x += c->w;
	}
	d->y -= ROW_H;
}

static void
table_header(struct doc *d)
{
	const char *cells[8];
	size_t i;

	for (i = 0; i < d->ncols && i < 8; i++)
		cells[i] = d->table[i].title;
	row(d, cells, 1, 0.86f);
	rule(d, d->y, 0.3f, 0.6f);
}

/* Start a table: its header now, and on every page it reaches. */
static void
table_begin(struct doc *d, const struct col *cols, size_t n)
{
	need(d, 3 * ROW_H);
	d->table = cols;
	d->ncols = n;
	table_header(d);
}

static void
table_end(struct doc *d)
{
	d->table = NULL;
	d->ncols = 0;
	d->y -= 6.0f;
}

static void
heading(struct doc *d, const char *s)
{
	need(d, 40.0f + 3 * ROW_H);	/* never alone at a page's foot */
	d->y -= 20.0f;
	HPDF_Page_SetGrayFill(d->page, 0.0f);
	cell(d, MARGIN, d->y, page_w - 2 * MARGIN, s, 1, 13.0f, 0);
	d->y -= 8.0f;
}

/* ---- money ---- */

/* "12.50 EUR" into buf; -1 after failing the job. */
static int
amount_text(struct doc *d, int64_t minor, const char *cur, char *buf,
    size_t size)
{
	char num[48];

	if (host->money_format(minor, cur, num, sizeof(num)) < 0) {
		doc_fail(d, "cannot format an amount in currency \"%s\"", cur);
		return -1;
	}
	snprintf(buf, size, "%s %s", num, cur);
	return 0;
}

/* A share in tenths of a percent, rounded: integers only. */
static int64_t
permille(int64_t part, int64_t whole)
{
	if (whole <= 0)
		return 0;
	return (int64_t)(((__int128)part * 1000 + whole / 2) / whole);
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
			doc_fail(d, "out of memory");
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
		doc_fail(d, "the total in %s overflows", cur);
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

	HPDF_Page_SetGrayFill(d->page, 0.0f);
	d->y -= 14.0f;
	cell(d, MARGIN, d->y, page_w - 2 * MARGIN, title, 1, 20.0f, 0);
	d->y -= 22.0f;
	format_period(in, period, sizeof(period));
	snprintf(line, sizeof(line), "Owner: %s", in->user ? in->user : "");
	cell(d, MARGIN, d->y, page_w - 2 * MARGIN, line, 0, 10.0f, 0);
	d->y -= 14.0f;
	snprintf(line, sizeof(line), "Period: %s", period);
	cell(d, MARGIN, d->y, page_w - 2 * MARGIN, line, 0, 10.0f, 0);
	if (in->filter_text && *in->filter_text) {
		d->y -= 14.0f;
		snprintf(line, sizeof(line), "Filters: %s", in->filter_text);
		cell(d, MARGIN, d->y, page_w - 2 * MARGIN, line, 0, 10.0f, 0);
	}
	if (strlen(gen) >= 16) {	/* "2024-06-01T12:00..." */
		d->y -= 14.0f;
		snprintf(line, sizeof(line), "Generated: %.10s %.5s UTC", gen,
		    gen + 11);
		cell(d, MARGIN, d->y, page_w - 2 * MARGIN, line, 0, 10.0f, 0);
	}
	d->y -= 10.0f;
	rule(d, d->y, 0.5f, 0.8f);
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
	static const struct col cols[] = {
		{ "Category", 251.0f, 0 },
		{ "Expenses", 60.0f, 1 },
		{ "Total", 130.0f, 1 },
		{ "Share", 70.0f, 1 },
	};
	char amt[64], cnt[24], pct[24], label[64];
	size_t i, j;
	int z = 0;

	heading(d, "Totals by category");
	if (d->ncats == 0) {
		d->y -= 14.0f;
		cell(d, MARGIN, d->y, page_w - 2 * MARGIN,
		    "No expenses match this report.", 0, 10.0f, 0);
		return;
	}
	table_begin(d, cols, 4);
	for (j = 0; j < nct && !d->failed; j++) {
		int64_t pm;

		for (i = 0; i < d->ncats && !d->failed; i++) {
			const struct cat *c = &d->cats[i];
			const char *cells[4] = { c->key, cnt, amt, pct };

			if (strcmp(c->cur, ct[j].cur) != 0)
				continue;
			if (amount_text(d, c->sum, c->cur, amt, sizeof(amt)) < 0)
				return;
			snprintf(cnt, sizeof(cnt), "%" PRId64, c->count);
			pm = permille(c->sum, ct[j].spent);
			if (c->sum > 0)
				snprintf(pct, sizeof(pct), "%" PRId64 ".%" PRId64
				    "%%", pm / 10, pm % 10);
			else
				snprintf(pct, sizeof(pct), "\xe2\x80\x93");
			row(d, cells, 0, z++ % 2 ? 0.95f : 0.0f);
		}
		if (amount_text(d, ct[j].sum, ct[j].cur, amt, sizeof(amt)) < 0)
			return;
		snprintf(cnt, sizeof(cnt), "%" PRId64, ct[j].count);
		snprintf(label, sizeof(label), "Total %s", ct[j].cur);
		rule(d, d->y, 0.3f, 0.6f);
		row(d, (const char *[]){ label, cnt, amt, "" }, 1, 0.0f);
		z = 0;
	}
	table_end(d);
}

/* Light, distinct fills; black text stays readable on each. */
static const unsigned palette[PIE_SLICES + 1] = {
	0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f,
	0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac,
};

/* Whether dark text reads better than white on rgb. */
static int
light(unsigned rgb)
{
	return 299 * (rgb >> 16) + 587 * ((rgb >> 8) & 0xff) +
	    114 * (rgb & 0xff) > 150000;
}

struct slice {
	const char *name;
	int64_t sum;
};

static int
slice_cmp(const void *a, const void *b)
{
	const struct slice *x = a, *y = b;

	if (x->sum != y->sum)
		return x->sum < y->sum ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* The pie of one currency: categories with a positive total, the
 * largest PIE_SLICES - 1 and "Other". */
static void
pie(struct doc *d, const char *cur, int several)
{
	struct slice *s;
	size_t n = 0, i;
	int64_t total = 0;
	double a0 = 0.0, cx, cy;
	char amt[64], pct[24], caption[128];

	if ((s = calloc(d->ncats + 1, sizeof(*s))) == NULL) {
		doc_fail(d, "out of memory");
		return;
	}
	for (i = 0; i < d->ncats; i++)
		if (strcmp(d->cats[i].cur, cur) == 0 && d->cats[i].sum > 0) {
			s[n].name = d->cats[i].key;
			s[n++].sum = d->cats[i].sum;
			if (add_checked(d, &total, d->cats[i].sum, cur) < 0)
				goto out;
		}
	if (n == 0 || total <= 0)
		goto out;
	qsort(s, n, sizeof(*s), slice_cmp);
	if (n > PIE_SLICES) {
		for (i = PIE_SLICES; i < n; i++)
			s[PIE_SLICES - 1].sum += s[i].sum;	/* <= total */
		s[PIE_SLICES - 1].name = "Other";
		n = PIE_SLICES;
	}
	need(d, 2 * PIE_R + 90.0f);	/* heading, caption and pie together */
	heading(d, "Share by category");
	if (d->failed)
		goto out;
	snprintf(caption, sizeof(caption), several ? "Spending in %s; other "
	    "currencies are not converted, see the table above." :
	    "Spending in %s.", cur);
	d->y -= 12.0f;
	HPDF_Page_SetGrayFill(d->page, 0.3f);
	cell(d, MARGIN, d->y, page_w - 2 * MARGIN, caption, 0, 9.0f, 0);
	cx = MARGIN + PIE_R + 10.0;
	cy = d->y - 14.0 - PIE_R;
	HPDF_Page_SetRGBStroke(d->page, 1.0f, 1.0f, 1.0f);
	HPDF_Page_SetLineWidth(d->page, 1.0f);
	for (i = 0; i < n; i++) {
		/* geometry only: 0 degrees at 12 o'clock, clockwise */
		double a1 = i + 1 == n ? 360.0 :
		    a0 + 360.0 * (double)s[i].sum / (double)total;

		int64_t pm = permille(s[i].sum, total);

		rgb_fill(d, palette[i]);
		if (n == 1) {
			HPDF_Page_Circle(d->page, (float)cx, (float)cy, PIE_R);
			HPDF_Page_Fill(d->page);
		} else if (a1 - a0 >= 0.05) {	/* thinner is invisible */
			HPDF_Page_MoveTo(d->page, (float)cx, (float)cy);
			HPDF_Page_LineTo(d->page,
			    (float)(cx + PIE_R * sin(a0 * M_PI / 180.0)),
			    (float)(cy + PIE_R * cos(a0 * M_PI / 180.0)));
			HPDF_Page_Arc(d->page, (float)cx, (float)cy, PIE_R,
			    (float)a0, (float)a1);
			HPDF_Page_ClosePathFillStroke(d->page);
		}
		/* the share on the slice when there is room for it */
		if (pm >= 50) {
			double mid = (a0 + a1) / 2.0 * M_PI / 180.0;
			float lx, w;

			snprintf(pct, sizeof(pct), "%" PRId64 "%%",
			    (pm + 5) / 10);
			w = text_width(d, pct, 1, 8.0f);
			lx = (float)(cx + PIE_R * 0.64 * sin(mid)) - w / 2;
			if (light(palette[i]))
				HPDF_Page_SetGrayFill(d->page, 0.1f);
			else
				HPDF_Page_SetGrayFill(d->page, 1.0f);
			text_draw(d, lx, (float)(cy + PIE_R * 0.64 * cos(mid)) -
			    3.0f, pct, 1, 8.0f);
		}
		a0 = a1;
	}
	/* the legend: swatch, name, share, amount */
	for (i = 0; i < n && !d->failed; i++) {
		float lx = (float)(cx + PIE_R + 34.0), ly = (float)(cy + PIE_R -
		    10.0 - 16.0 * (double)i);
		int64_t pm = permille(s[i].sum, total);

		rgb_fill(d, palette[i]);
		HPDF_Page_Rectangle(d->page, lx, ly - 1.0f, 9.0f, 9.0f);
		HPDF_Page_Fill(d->page);
		HPDF_Page_SetGrayFill(d->page, 0.0f);
		cell(d, lx + 15.0f, ly, 150.0f, s[i].name, 0, 9.0f, 0);
		snprintf(pct, sizeof(pct), "%" PRId64 ".%" PRId64 "%%",
		    pm / 10, pm % 10);
		cell(d, lx + 165.0f, ly, 45.0f, pct, 0, 9.0f, 1);
		if (amount_text(d, s[i].sum, cur, amt, sizeof(amt)) < 0)
			goto out;
		cell(d, lx + 215.0f, ly, page_w - MARGIN - lx - 215.0f, amt, 0,
		    9.0f, 1);
	}
	d->y = (float)(cy - PIE_R - 10.0);
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
		doc_fail(d, "reading the totals failed");
		return;
	}
	for (i = 0; i < d->ncats && !d->failed; i++) {
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
	if (!d->failed)
		totals_table(d, ct, nct);
	if (!d->failed && nct > 0)
		pie(d, ct[0].cur, nct > 1);
	free(ct);
}

/* ---- the expense list ---- */

static void
expenses(struct doc *d)
{
	static const struct col cols[] = {
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

	new_page(d);
	heading(d, "Expenses");
	d->y -= 4.0f;
	table_begin(d, cols, 5);
	while (!bad(d) && (rc = host->export_next(d->job, &r)) > 0) {
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
		cells[2] = r.payee;
		cells[3] = d->buf;
		cells[4] = amt;
		row(d, cells, 0, n++ % 2 ? 0.95f : 0.0f);
	}
	if (!d->failed && rc < 0)
		doc_fail(d, "reading the expenses failed");
	if (d->failed)
		return;
	rule(d, d->y, 0.3f, 0.6f);
	for (i = 0; i < d->ncurs; i++) {
		if (amount_text(d, d->curs[i].sum, d->curs[i].cur, amt,
		    sizeof(amt)) < 0)
			return;
		snprintf(label, sizeof(label), "%" PRId64 " expense%s in %s",
		    d->curs[i].count, d->curs[i].count == 1 ? "" : "s",
		    d->curs[i].cur);
		row(d, (const char *[]){ "Total", NULL, label, NULL, amt }, 1,
		    0.0f);
	}
	if (n == 0)
		row(d, (const char *[]){ NULL, NULL, "No expenses.", NULL, NULL },
		    0, 0.0f);
	table_end(d);
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
	for (i = 0; i < d->npages && !d->failed; i++) {
		d->page = d->pages[i];
		HPDF_Page_SetGrayStroke(d->page, 0.7f);
		rule(d, FOOTER_Y + 12.0f, 0.7f, 0.5f);
		HPDF_Page_SetGrayFill(d->page, 0.35f);
		snprintf(right, sizeof(right), "Page %zu of %zu", i + 1,
		    d->npages);
		cell(d, MARGIN, FOOTER_Y, 330.0f, left, 0, 8.0f, 0);
		cell(d, page_w - MARGIN - 120.0f, FOOTER_Y, 120.0f, right, 0,
		    8.0f, 1);
	}
}

/* Hand the finished document to the host in chunks. */
static void
emit(struct doc *d)
{
	HPDF_BYTE buf[16384];
	HPDF_STATUS st;

	if (bad(d) || HPDF_SaveToStream(d->pdf) != HPDF_OK || bad(d)) {
		doc_fail(d, "cannot build the document");
		return;
	}
	HPDF_ResetStream(d->pdf);
	for (;;) {
		HPDF_UINT32 len = sizeof(buf);

		st = HPDF_ReadFromStream(d->pdf, buf, &len);
		if (len > 0 && host->export_write(d->job, buf, len) < 0) {
			doc_fail(d, "writing the output failed");
			return;
		}
		if (st == HPDF_STREAM_EOF)
			break;
		if (st != HPDF_OK) {
			doc_fail(d, "reading the document failed (0x%04x)",
			    (unsigned)st);
			return;
		}
	}
}

static int
is_ascii(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return s != NULL;
}

static int
pdf_run(struct spend_plugin *self, struct spend_export *job)
{
	struct doc *d;
	int rc;
	size_t i;

	(void)self;
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		host->export_error(job, "pdf: out of memory");
		return -1;
	}
	static const struct spend_export_info none = { "", "", "", "", "", "" };

	d->job = job;
	if ((d->info = host->export_info(job)) == NULL)
		d->info = &none;
	if ((d->pdf = HPDF_New(on_hpdf_error, d)) == NULL) {
		free(d);
		host->export_error(job, "pdf: cannot start a document");
		return -1;
	}
	/* compression first: it applies to streams made afterwards, fonts
	 * included */
	HPDF_SetCompressionMode(d->pdf, HPDF_COMP_ALL);
	HPDF_UseUTFEncodings(d->pdf);
	HPDF_SetCurrentEncoder(d->pdf, "UTF-8");
	HPDF_SetInfoAttr(d->pdf, HPDF_INFO_CREATOR, "Spend");
	if (is_ascii(title))
		HPDF_SetInfoAttr(d->pdf, HPDF_INFO_TITLE, title);
	if (is_ascii(d->info->user))
		HPDF_SetInfoAttr(d->pdf, HPDF_INFO_AUTHOR, d->info->user);
	doc_font(d, F_REG);
	new_page(d);
	if (!bad(d))
		summary(d);
	if (!bad(d))
		expenses(d);
	if (!bad(d))
		footers(d);
	emit(d);
	rc = d->failed ? -1 : 0;
	HPDF_Free(d->pdf);
	for (i = 0; i < d->ncats; i++)
		free(d->cats[i].key);
	free(d->cats);
	free(d->curs);
	free(d->pages);
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
	for (int i = 0; i < F_COUNT; i++) {
		free(faces[i].cmap);
		memset(&faces[i], 0, sizeof(faces[i]));
	}
}

static int
load_fonts(struct spend_plugin *self)
{
	const char *v = host->config_get(self, "font");
	char path[PATH_LEN], err[128];
	const char *dot;
	size_t i;

	if (v == NULL || *v == '\0')
		v = SPEND_FONT;
	if (face_load(&faces[F_REG], v, err, sizeof(err)) < 0) {
		host->log(self, SPEND_LOG_WARN, "font %s: %s", v, err);
		return -1;
	}
	/* bold: configured, or the regular file's "-Bold" sibling */
	v = host->config_get(self, "font_bold");
	if (v == NULL && (dot = strrchr(faces[F_REG].path, '.')) != NULL) {
		snprintf(path, sizeof(path), "%.*s-Bold%s",
		    (int)(dot - faces[F_REG].path), faces[F_REG].path, dot);
		if (face_load(&faces[F_BOLD], path, err, sizeof(err)) < 0)
			faces[F_BOLD].path[0] = '\0';	/* bold = regular */
	} else if (v != NULL && *v != '\0' &&
	    face_load(&faces[F_BOLD], v, err, sizeof(err)) < 0)
		host->log(self, SPEND_LOG_WARN, "font_bold %s: %s", v, err);
	/* the fallback for characters the main font lacks */
	v = host->config_get(self, "fallback_font");
	if (v != NULL) {
		if (*v != '\0' && face_load(&faces[F_CJK], v, err,
		    sizeof(err)) < 0)
			host->log(self, SPEND_LOG_WARN, "fallback_font %s: %s",
			    v, err);
	} else {
		for (i = 0; fallback_fonts[i] != NULL; i++)
			if (face_load(&faces[F_CJK], fallback_fonts[i], err,
			    sizeof(err)) == 0)
				break;
		if (faces[F_CJK].cmap == NULL)
			host->log(self, SPEND_LOG_INFO, "no CJK fallback font "
			    "found (install fonts-droid-fallback): such text "
			    "will show as boxes");
	}
	host->log(self, SPEND_LOG_DEBUG, "fonts: %s, bold %s, fallback %s",
	    faces[F_REG].path, faces[F_BOLD].path[0] ? faces[F_BOLD].path :
	    "(regular)", faces[F_CJK].path[0] ? faces[F_CJK].path : "(none)");
	return 0;
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
