/*
 * A PDF document being drawn (libharu): pages, a cursor going down the
 * page, text in cells (UTF-8, cut into runs by font.c's pick, shortened
 * with "…" to fit), rules, headings and tables whose header row repeats on
 * every page they reach. It knows nothing of exports or reports: its
 * failures go to a callback and the finished document's bytes to a
 * writer, so that the pdf exporter and a report can both draw with it.
 *
 * Coordinates are PDF points from the page's lower-left corner, as floats:
 * geometry only, never money.
 *
 * Errors stick: the first failure (libharu's, out of memory, a callback's)
 * is reported once through on_fail and sets l->failed; every later drawing
 * call does nothing. A caller may fail the document itself with
 * layout_fail() (an amount it cannot format), which reports the same way.
 *
 * Memory: layout_init() allocates the libharu document; layout_free()
 * releases it, whatever happened. Strings passed in are copied or drawn
 * at once.
 */
#ifndef SPEND_PLUGIN_LAYOUT_H
#define SPEND_PLUGIN_LAYOUT_H

#include <hpdf.h>
#include <stddef.h>

#include "font.h"

#define LAYOUT_TEXT_MAX 4096	/* a cleaned cell or line, bytes */

/* ---- geometry (points) ---- */
#define LAYOUT_MARGIN 42.0f
#define LAYOUT_TOP_GAP 42.0f
#define LAYOUT_BOTTOM_GAP 56.0f	/* the footer lives below this */
#define LAYOUT_FOOTER_Y 28.0f
#define LAYOUT_ROW_H 13.0f
#define LAYOUT_CELL_PAD 3.5f
#define LAYOUT_BODY_SIZE 8.5f

/* A table column: its header, width, and whether it is right-aligned. */
struct layout_col {
	const char *title;
	float w;
	int right;
};

/* msg: what failed, one line, without a prefix ("out of memory"). */
typedef void (*layout_fail_fn)(void *arg, const char *msg);
/* Take len bytes of the document: 0, or -1 to stop ("writing the output
 * failed"). */
typedef int (*layout_write_fn)(void *arg, const void *buf, size_t len);

struct layout {
	const struct font_set *fonts;
	float page_w, page_h;
	HPDF_Doc pdf;
	HPDF_Font font[FONT_COUNT];	/* loaded lazily */
	int font_tried[FONT_COUNT];
	HPDF_Page *pages;
	size_t npages, cappages;
	HPDF_Page page;			/* the page being drawn */
	float y;			/* next baseline goes below this */
	const struct layout_col *table;	/* repeat its header on new pages */
	size_t ncols;
	int failed;
	HPDF_STATUS herr, hdetail;
	layout_fail_fn on_fail;
	void *arg;
	char cellbuf[LAYOUT_TEXT_MAX + 8];
};

/*
 * Start a document of w x h pages drawn with fonts fs (which must outlive
 * it): compressed, UTF-8, "Spend" as its creator, doc_title and author
 * (each set only if it is printable ASCII; NULL = none), the regular font
 * loaded and the first page begun. 0, or -1 after on_fail (then
 * l->failed; layout_free() is still due).
 */
int layout_init(struct layout *l, const struct font_set *fs, float w,
    float h, const char *doc_title, const char *author,
    layout_fail_fn on_fail, void *arg);
/* Save the document and hand it to write in chunks. 0, or -1 (failed). */
int layout_save(struct layout *l, layout_write_fn write, void *arg);
void layout_free(struct layout *l);

/* Fail the document (once): on_fail(arg, message). */
void layout_fail(struct layout *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* 1 if the document failed; reports libharu's first error if it has not
 * been yet. */
int layout_bad(struct layout *l);

/* ---- pages ---- */
/* A new page (the current table's header on top); the cursor at its top. */
void layout_new_page(struct layout *l);
/* Room for h more points on this page, else a new page. */
void layout_need(struct layout *l, float h);
/* Draw on page i (0-based) again, as footers do once all are made. */
void layout_select_page(struct layout *l, size_t i);

/* ---- text ---- */
/* One line of drawable text into out: valid UTF-8 in the BMP, control
 * characters and newlines as single spaces, trimmed. */
void layout_clean(const char *s, char *out, size_t size);
/* Width of clean text s. */
float layout_text_width(struct layout *l, const char *s, int bold,
    float size);
/* Shorten clean text s in place to fit maxw, ending it with "…". */
void layout_text_fit(struct layout *l, char *s, int bold, float size,
    float maxw);
/* Draw clean text with its baseline at (x, y), a run per font. */
void layout_text_draw(struct layout *l, float x, float y, const char *s,
    int bold, float size);
/* Clean, fit and draw s in a box [x, x + w], left or right aligned. */
void layout_cell(struct layout *l, float x, float y, float w, const char *s,
    int bold, float size, int right);
/* The font (FONT_*) loaded into the document; the regular one if it
 * cannot be. */
HPDF_Font layout_font(struct layout *l, int which);

/* ---- drawing ---- */
/* Fill colour 0xRRGGBB. */
void layout_rgb_fill(struct layout *l, unsigned rgb);
/* A horizontal rule across the page between the margins. */
void layout_rule(struct layout *l, float y, float gray, float width);
/* A heading, kept with the three rows after it. */
void layout_heading(struct layout *l, const char *s);

/* ---- tables ---- */
/* Start a table: its header now, and on every page it reaches. cols
 * must outlive the table. */
void layout_table_begin(struct layout *l, const struct layout_col *cols,
    size_t n);
/* One row of cells (NULL = empty); bold for headers and totals, shade
 * for zebra stripes (0 = none). */
void layout_row(struct layout *l, const char *const *cells, int bold,
    float shade);
void layout_table_end(struct layout *l);

#endif
