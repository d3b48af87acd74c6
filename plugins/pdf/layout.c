/*
 * A PDF document being drawn: pages, the cursor, text cells, rules,
 * headings and tables. See layout.h.
 */
#include <hpdf.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "../common/utf8.h"

void
layout_fail(struct layout *l, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (l->failed)
		return;
	l->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (l->on_fail != NULL)
		l->on_fail(l->arg, msg);
}

/* libharu reports every error here; the first one is kept. */
static void
on_hpdf_error(HPDF_STATUS err, HPDF_STATUS detail, void *arg)
{
	struct layout *l = arg;

	if (l->herr == 0) {
		l->herr = err;
		l->hdetail = detail;
	}
}

int
layout_bad(struct layout *l)
{
	if (l->herr != 0 && !l->failed)
		layout_fail(l, "libharu error 0x%04x (detail %u)",
		    (unsigned)l->herr, (unsigned)l->hdetail);
	return l->failed;
}

/* ---- text ---- */

void
layout_clean(const char *s, char *out, size_t size)
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

HPDF_Font
layout_font(struct layout *l, int which)
{
	const char *name;

	if (l->font_tried[which])
		return l->font[which] ? l->font[which] : l->font[FONT_REG];
	l->font_tried[which] = 1;
	if (l->fonts->face[which].path[0] == '\0')
		return l->font[FONT_REG];
	name = HPDF_LoadTTFontFromFile(l->pdf, l->fonts->face[which].path,
	    HPDF_TRUE);
	if (name != NULL)
		l->font[which] = HPDF_GetFont(l->pdf, name, "UTF-8");
	if (l->font[which] == NULL && which == FONT_REG)
		layout_fail(l, "cannot load font %s",
		    l->fonts->face[which].path);
	return l->font[which] ? l->font[which] : l->font[FONT_REG];
}

static float
char_width(struct layout *l, uint32_t cp, int which, float size)
{
	HPDF_Font f = layout_font(l, which);

	return f ? (float)HPDF_Font_GetUnicodeWidth(f, cp) * size / 1000.0f :
	    0.0f;
}

float
layout_text_width(struct layout *l, const char *s, int bold, float size)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;
	float w = 0.0f;
	uint32_t cp;

	while (i < n && (k = utf8_seq(u + i, n - i, &cp)) > 0) {
		w += char_width(l, cp, font_pick(l->fonts, cp, bold), size);
		i += k;
	}
	return w;
}

void
layout_text_fit(struct layout *l, char *s, int bold, float size,
    float maxw)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k, cut = 0;
	float w = 0.0f, ell;
	uint32_t cp;

	if (layout_text_width(l, s, bold, size) <= maxw)
		return;
	ell = char_width(l, 0x2026, font_pick(l->fonts, 0x2026, bold), size);
	while (i < n && (k = utf8_seq(u + i, n - i, &cp)) > 0) {
		w += char_width(l, cp, font_pick(l->fonts, cp, bold), size);
		if (w + ell > maxw)
			break;
		i += k;
		cut = i;
	}
	while (cut > 0 && s[cut - 1] == ' ')
		cut--;
	memcpy(s + cut, "\xe2\x80\xa6", 4);	/* …, NUL */
}

void
layout_text_draw(struct layout *l, float x, float y, const char *s,
    int bold, float size)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;
	char run[LAYOUT_TEXT_MAX + 8];
	uint32_t cp;

	if (n == 0 || l->failed)
		return;
	HPDF_Page_BeginText(l->page);
	while (i < n) {
		int which = -1;
		size_t r = 0;
		float w = 0.0f;

		while (i < n && (k = utf8_seq(u + i, n - i, &cp)) > 0) {
			int f = font_pick(l->fonts, cp, bold);

			if (which >= 0 && f != which)
				break;
			which = f;
			w += char_width(l, cp, f, size);
			memcpy(run + r, s + i, k);
			r += k;
			i += k;
		}
		if (r == 0)
			break;		/* not clean text: a bug, stop */
		run[r] = '\0';
		HPDF_Page_SetFontAndSize(l->page, layout_font(l, which), size);
		HPDF_Page_TextOut(l->page, x, y, run);
		x += w;
	}
	HPDF_Page_EndText(l->page);
}

void
layout_cell(struct layout *l, float x, float y, float w, const char *s,
    int bold, float size, int right)
{
	layout_clean(s, l->cellbuf, sizeof(l->cellbuf));
	layout_text_fit(l, l->cellbuf, bold, size, w);
	if (right)
		x += w - layout_text_width(l, l->cellbuf, bold, size);
	layout_text_draw(l, x, y, l->cellbuf, bold, size);
}

void
layout_rgb_fill(struct layout *l, unsigned rgb)
{
	HPDF_Page_SetRGBFill(l->page, (float)(rgb >> 16) / 255.0f,
	    (float)((rgb >> 8) & 0xff) / 255.0f, (float)(rgb & 0xff) / 255.0f);
}

/* ---- pages and tables ---- */

static void table_header(struct layout *);

void
layout_new_page(struct layout *l)
{
	HPDF_Page p;

	if (l->failed)
		return;
	if (l->npages == l->cappages) {
		size_t cap = l->cappages ? l->cappages * 2 : 16;
		HPDF_Page *np = realloc(l->pages, cap * sizeof(*np));

		if (np == NULL) {
			layout_fail(l, "out of memory");
			return;
		}
		l->pages = np;
		l->cappages = cap;
	}
	if ((p = HPDF_AddPage(l->pdf)) == NULL) {
		layout_bad(l);
		return;
	}
	HPDF_Page_SetWidth(p, l->page_w);
	HPDF_Page_SetHeight(p, l->page_h);
	l->pages[l->npages++] = p;
	l->page = p;
	l->y = l->page_h - LAYOUT_TOP_GAP;
	if (l->table)
		table_header(l);
}

void
layout_need(struct layout *l, float h)
{
	if (l->y - h < LAYOUT_BOTTOM_GAP)
		layout_new_page(l);
}

void
layout_rule(struct layout *l, float y, float gray, float width)
{
	HPDF_Page_SetGrayStroke(l->page, gray);
	HPDF_Page_SetLineWidth(l->page, width);
	HPDF_Page_MoveTo(l->page, LAYOUT_MARGIN, y);
	HPDF_Page_LineTo(l->page, l->page_w - LAYOUT_MARGIN, y);
	HPDF_Page_Stroke(l->page);
}

void
layout_row(struct layout *l, const char *const *cells, int bold,
    float shade)
{
	float x = LAYOUT_MARGIN;
	size_t i;

	layout_need(l, LAYOUT_ROW_H);
	if (l->failed)
		return;
	if (shade > 0.0f) {
		HPDF_Page_SetGrayFill(l->page, shade);
		HPDF_Page_Rectangle(l->page, LAYOUT_MARGIN, l->y - LAYOUT_ROW_H,
		    l->page_w - 2 * LAYOUT_MARGIN, LAYOUT_ROW_H);
		HPDF_Page_Fill(l->page);
	}
	HPDF_Page_SetGrayFill(l->page, 0.0f);
	for (i = 0; i < l->ncols; i++) {
		const struct layout_col *c = &l->table[i];

		if (cells[i] != NULL)
			layout_cell(l, x + LAYOUT_CELL_PAD,
			    l->y - LAYOUT_ROW_H + 3.8f,
			    c->w - 2 * LAYOUT_CELL_PAD, cells[i], bold,
			    LAYOUT_BODY_SIZE, c->right);
		x += c->w;
	}
	l->y -= LAYOUT_ROW_H;
}

static void
table_header(struct layout *l)
{
	const char *cells[8];
	size_t i;

	for (i = 0; i < l->ncols && i < 8; i++)
		cells[i] = l->table[i].title;
	layout_row(l, cells, 1, 0.86f);
	layout_rule(l, l->y, 0.3f, 0.6f);
}

void
layout_table_begin(struct layout *l, const struct layout_col *cols,
    size_t n)
{
	layout_need(l, 3 * LAYOUT_ROW_H);
	l->table = cols;
	l->ncols = n;
	table_header(l);
}

void
layout_table_end(struct layout *l)
{
	l->table = NULL;
	l->ncols = 0;
	l->y -= 6.0f;
}

void
layout_heading(struct layout *l, const char *s)
{
	/* never alone at a page's foot */
	layout_need(l, 40.0f + 3 * LAYOUT_ROW_H);
	l->y -= 20.0f;
	HPDF_Page_SetGrayFill(l->page, 0.0f);
	layout_cell(l, LAYOUT_MARGIN, l->y, l->page_w - 2 * LAYOUT_MARGIN, s, 1,
	    13.0f, 0);
	l->y -= 8.0f;
}

/* ---- the document ---- */

int
layout_save(struct layout *l, layout_write_fn write, void *arg)
{
	HPDF_BYTE buf[16384];
	HPDF_STATUS st;

	if (layout_bad(l) || HPDF_SaveToStream(l->pdf) != HPDF_OK ||
	    layout_bad(l)) {
		layout_fail(l, "cannot build the document");
		return -1;
	}
	HPDF_ResetStream(l->pdf);
	for (;;) {
		HPDF_UINT32 len = sizeof(buf);

		st = HPDF_ReadFromStream(l->pdf, buf, &len);
		if (len > 0 && write(arg, buf, len) < 0) {
			layout_fail(l, "writing the output failed");
			return -1;
		}
		if (st == HPDF_STREAM_EOF)
			break;
		if (st != HPDF_OK) {
			layout_fail(l, "reading the document failed (0x%04x)",
			    (unsigned)st);
			return -1;
		}
	}
	return l->failed ? -1 : 0;
}

static int
layout_ascii(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return s != NULL;
}

int
layout_init(struct layout *l, const struct font_set *fs, float w, float h,
    const char *doc_title, const char *author, layout_fail_fn on_fail,
    void *arg)
{
	memset(l, 0, sizeof(*l));
	l->fonts = fs;
	l->page_w = w;
	l->page_h = h;
	l->on_fail = on_fail;
	l->arg = arg;
	if ((l->pdf = HPDF_New(on_hpdf_error, l)) == NULL) {
		layout_fail(l, "cannot start a document");
		return -1;
	}
	/* compression first: it applies to streams made afterwards, fonts
	 * included */
	HPDF_SetCompressionMode(l->pdf, HPDF_COMP_ALL);
	HPDF_UseUTFEncodings(l->pdf);
	HPDF_SetCurrentEncoder(l->pdf, "UTF-8");
	HPDF_SetInfoAttr(l->pdf, HPDF_INFO_CREATOR, "Spend");
	if (layout_ascii(doc_title))
		HPDF_SetInfoAttr(l->pdf, HPDF_INFO_TITLE, doc_title);
	if (layout_ascii(author))
		HPDF_SetInfoAttr(l->pdf, HPDF_INFO_AUTHOR, author);
	layout_font(l, FONT_REG);
	layout_new_page(l);
	return layout_bad(l) ? -1 : 0;
}

void
layout_free(struct layout *l)
{
	if (l->pdf != NULL)
		HPDF_Free(l->pdf);
	l->pdf = NULL;
	free(l->pages);
	l->pages = NULL;
	l->npages = l->cappages = 0;
	l->page = NULL;
}

void
layout_select_page(struct layout *l, size_t i)
{
	if (i < l->npages)
		l->page = l->pages[i];
}
