/*
 * Pie and donut charts with their legend, line and bar charts: drawn into
 * a layout. See chart.h.
 */
#include <hpdf.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"

const unsigned chart_palette[CHART_COLORS] = {
	0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f,
	0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac,
};

int
chart_light(unsigned rgb)
{
	return 299 * (rgb >> 16) + 587 * ((rgb >> 8) & 0xff) +
	    114 * (rgb & 0xff) > 150000;
}

int64_t
chart_permille(int64_t part, int64_t whole)
{
	if (whole <= 0)
		return 0;
	return (int64_t)(((__int128)part * 1000 + whole / 2) / whole);
}

/* The text of v: label's, or the plain integer. */
static int
chart_text(chart_label_fn label, void *arg, int64_t v, char *buf,
    size_t size)
{
	if (label != NULL)
		return label(arg, v, buf, size) < 0 ? -1 : 0;
	snprintf(buf, size, "%" PRId64, v);
	return 0;
}

/* ---- pie and donut ---- */

static int
slice_cmp(const void *a, const void *b)
{
	const struct chart_slice *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? 1 : -1;
	return strcmp(x->label ? x->label : "", y->label ? y->label : "");
}

int
chart_slices_top(struct chart_slice *s, size_t *n, size_t max,
    const char *other)
{
	int64_t sum;
	size_t i;

	if (s == NULL || n == NULL || max == 0)
		return -1;
	qsort(s, *n, sizeof(*s), slice_cmp);
	if (*n <= max)
		return 0;
	sum = s[max - 1].value;
	for (i = max; i < *n; i++)
		if (__builtin_add_overflow(sum, s[i].value, &sum))
			return -1;
	s[max - 1].value = sum;
	s[max - 1].label = other;
	*n = max;
	return 0;
}

/* The total of slices that a pie can show: 0, or -1 (none, a negative
 * one, an overflow, a total of 0, a failed document). */
static int
pie_total(struct layout *l, const struct chart_slice *s, size_t n,
    int64_t *total)
{
	size_t i;

	*total = 0;
	if (l == NULL || l->failed || s == NULL || n == 0)
		return -1;
	for (i = 0; i < n; i++)
		if (s[i].value < 0 ||
		    __builtin_add_overflow(*total, s[i].value, total))
			return -1;
	return *total > 0 ? 0 : -1;
}

/* The rounded share on slice i, at radius lr between angles a0 and a1,
 * when there is room for it. */
static void
pie_share(struct layout *l, const struct chart_pie *p, size_t i, double lr,
    double a0, double a1, int64_t pm)
{
	double cx = p->cx, cy = p->cy, mid;
	char pct[24];
	float lx, w;

	if (pm < 50)
		return;
	mid = (a0 + a1) / 2.0 * M_PI / 180.0;
	snprintf(pct, sizeof(pct), "%" PRId64 "%%", (pm + 5) / 10);
	w = layout_text_width(l, pct, 1, 8.0f);
	lx = (float)(cx + lr * sin(mid)) - w / 2;
	if (chart_light(chart_palette[i % CHART_COLORS]))
		HPDF_Page_SetGrayFill(l->page, 0.1f);
	else
		HPDF_Page_SetGrayFill(l->page, 1.0f);
	layout_text_draw(l, lx, (float)(cy + lr * cos(mid)) - 3.0f, pct, 1,
	    8.0f);
}

int
chart_pie(struct layout *l, const struct chart_pie *p,
    const struct chart_slice *s, size_t n)
{
	double a0 = 0.0, cx, cy, r, lr;
	int64_t total;
	size_t i;

	if (pie_total(l, s, n, &total) < 0 || p == NULL || !isfinite(p->cx) ||
	    !isfinite(p->cy) || !(p->r > 0.0) || !isfinite(p->r) ||
	    !(p->hole >= 0.0) || !(p->hole < p->r))
		return -1;
	cx = p->cx;
	cy = p->cy;
	r = p->r;
	/* the shares halfway across a donut's ring */
	lr = p->hole > 0.0 ? (r + p->hole) / 2.0 : r * 0.64;
	if (p->hole > 0.0) {
		/* paint only the ring: the hole stays as it was */
		HPDF_Page_GSave(l->page);
		HPDF_Page_Circle(l->page, (float)cx, (float)cy, (float)r);
		HPDF_Page_Circle(l->page, (float)cx, (float)cy,
		    (float)p->hole);
		HPDF_Page_Eoclip(l->page);
		HPDF_Page_EndPath(l->page);
	}
	HPDF_Page_SetRGBStroke(l->page, 1.0f, 1.0f, 1.0f);
	HPDF_Page_SetLineWidth(l->page, 1.0f);
	for (i = 0; i < n; i++) {
		/* geometry only: 0 degrees at 12 o'clock, clockwise */
		double a1 = i + 1 == n ? 360.0 :
		    a0 + 360.0 * (double)s[i].value / (double)total;

		int64_t pm = chart_permille(s[i].value, total);

		layout_rgb_fill(l, chart_palette[i % CHART_COLORS]);
		if (n == 1) {
			HPDF_Page_Circle(l->page, (float)cx, (float)cy,
			    (float)r);
			HPDF_Page_Fill(l->page);
		} else if (a1 - a0 >= 0.05) {	/* thinner is invisible */
			HPDF_Page_MoveTo(l->page, (float)cx, (float)cy);
			HPDF_Page_LineTo(l->page,
			    (float)(cx + r * sin(a0 * M_PI / 180.0)),
			    (float)(cy + r * cos(a0 * M_PI / 180.0)));
			HPDF_Page_Arc(l->page, (float)cx, (float)cy, (float)r,
			    (float)a0, (float)a1);
			HPDF_Page_ClosePathFillStroke(l->page);
		}
		/* on a pie, each share as its slice is drawn */
		if (p->shares && p->hole == 0.0)
			pie_share(l, p, i, lr, a0, a1, pm);
		a0 = a1;
	}
	if (p->hole > 0.0) {
		HPDF_Page_GRestore(l->page);
		for (i = 0, a0 = 0.0; p->shares && i < n; i++) {
			double a1 = i + 1 == n ? 360.0 :
			    a0 + 360.0 * (double)s[i].value / (double)total;

			pie_share(l, p, i, lr, a0, a1,
			    chart_permille(s[i].value, total));
			a0 = a1;
		}
	}
	return layout_bad(l) ? -1 : 0;
}

int
chart_legend(struct layout *l, const struct chart_legend *g,
    const struct chart_slice *s, size_t n)
{
	char amt[64], pct[24];
	int64_t total;
	size_t i;

	if (pie_total(l, s, n, &total) < 0 || g == NULL || !isfinite(g->x) ||
	    !isfinite(g->y) || !isfinite(g->right))
		return -1;
	/* swatch, label, share, value */
	for (i = 0; i < n && !l->failed; i++) {
		float lx = (float)g->x, ly = (float)(g->y - 16.0 * (double)i);
		int64_t pm = chart_permille(s[i].value, total);

		layout_rgb_fill(l, chart_palette[i % CHART_COLORS]);
		HPDF_Page_Rectangle(l->page, lx, ly - 1.0f, 9.0f, 9.0f);
		HPDF_Page_Fill(l->page);
		HPDF_Page_SetGrayFill(l->page, 0.0f);
		layout_cell(l, lx + 15.0f, ly, 150.0f, s[i].label, 0, 9.0f, 0);
		snprintf(pct, sizeof(pct), "%" PRId64 ".%" PRId64 "%%",
		    pm / 10, pm % 10);
		layout_cell(l, lx + 165.0f, ly, 45.0f, pct, 0, 9.0f, 1);
		if (chart_text(g->label, g->arg, s[i].value, amt,
		    sizeof(amt)) < 0)
			return -1;
		layout_cell(l, lx + 215.0f, ly, g->right - lx - 215.0f, amt, 0,
		    9.0f, 1);
	}
	return layout_bad(l) ? -1 : 0;
}

/* ---- line and bar charts ---- */

int
chart_axis(int64_t min, int64_t max, struct chart_axis *a)
{
	static const int mant[3] = { 1, 2, 5 };
	__int128 lo = min < 0 ? min : 0, hi = max > 0 ? max : 0, base, step;
	__int128 top, bottom;

	if (min > max)
		return -1;
	if (lo == 0 && hi == 0)
		hi = 1;
	/* 1, 2, 5, 10, 20, 50, ... while a step fits in int64 */
	for (base = 1; base <= INT64_MAX; base *= 10)
		for (int m = 0; m < 3; m++) {
			step = base * mant[m];
			if (step > INT64_MAX)
				return -1;
			top = hi / step + (hi % step != 0);
			bottom = lo / step - (lo % step != 0);
			if (top - bottom > CHART_STEPS)
				continue;
			top *= step;
			bottom *= step;
			if (top > INT64_MAX || bottom < INT64_MIN)
				continue;	/* a larger step may fit */
			a->lo = (int64_t)bottom;
			a->hi = (int64_t)top;
			a->step = (int64_t)step;
			return 0;
		}
	return -1;
}

#define PLOT_TEXT 7.5f		/* axis labels, points */
#define PLOT_LABEL_MAX 64

struct plot {
	struct chart_axis axis;
	size_t nsteps;
	char ylabel[CHART_STEPS + 1][PLOT_LABEL_MAX];
};

/* Check everything and make the y axis's labels before drawing
 * anything: 0, or -1 (nothing drawn). */
static int
plot_prepare(struct layout *l, const struct chart_plot *p,
    const struct chart_point *pts, size_t n, struct plot *pl)
{
	int64_t min, max;
	size_t i;

	if (l == NULL || l->failed || p == NULL || pts == NULL || n == 0 ||
	    !(p->w > 0.0f) || !(p->h > 0.0f) || !isfinite(p->x) ||
	    !isfinite(p->y) || !isfinite(p->w) || !isfinite(p->h))
		return -1;
	min = max = pts[0].value;
	for (i = 1; i < n; i++) {
		if (pts[i].value < min)
			min = pts[i].value;
		if (pts[i].value > max)
			max = pts[i].value;
	}
	if (chart_axis(min, max, &pl->axis) < 0)
		return -1;
	pl->nsteps = (size_t)(((__int128)pl->axis.hi - pl->axis.lo) /
	    pl->axis.step);
	for (i = 0; i <= pl->nsteps; i++)
		if (chart_text(p->label, p->arg, (int64_t)(pl->axis.lo +
		    (__int128)pl->axis.step * (__int128)i), pl->ylabel[i],
		    sizeof(pl->ylabel[i])) < 0)
			return -1;
	return 0;
}

/* The y of value v; the x of the middle of slot i of n. */
static double
plot_y(const struct chart_plot *p, const struct plot *pl, int64_t v)
{
	return p->y + p->h * (double)((__int128)v - pl->axis.lo) /
	    (double)((__int128)pl->axis.hi - pl->axis.lo);
}

static double
plot_x(const struct chart_plot *p, size_t i, size_t n)
{
	return p->x + p->w * (double)(2 * i + 1) / (double)(2 * n);
}

/* Gridlines and their values, the zero line, the points' labels. */
static void
plot_axes(struct layout *l, const struct chart_plot *p, const struct plot *pl,
    const struct chart_point *pts, size_t n)
{
	char buf[256];
	double slot = p->w / (double)n, y;
	size_t i;

	HPDF_Page_SetGrayStroke(l->page, 0.85f);
	HPDF_Page_SetLineWidth(l->page, 0.5f);
	for (i = 0; i <= pl->nsteps; i++) {
		y = p->y + p->h * (double)i / (double)pl->nsteps;
		HPDF_Page_MoveTo(l->page, p->x, (float)y);
		HPDF_Page_LineTo(l->page, p->x + p->w, (float)y);
		HPDF_Page_Stroke(l->page);
	}
	y = plot_y(p, pl, 0);
	HPDF_Page_SetGrayStroke(l->page, 0.4f);
	HPDF_Page_SetLineWidth(l->page, 0.8f);
	HPDF_Page_MoveTo(l->page, p->x, (float)y);
	HPDF_Page_LineTo(l->page, p->x + p->w, (float)y);
	HPDF_Page_Stroke(l->page);
	HPDF_Page_SetGrayFill(l->page, 0.3f);
	for (i = 0; i <= pl->nsteps; i++) {
		y = p->y + p->h * (double)i / (double)pl->nsteps;
		layout_cell(l, p->x - 64.0f, (float)y - 2.5f, 58.0f,
		    pl->ylabel[i], 0, PLOT_TEXT, 1);
	}
	for (i = 0; i < n; i++) {
		float w;

		layout_clean(pts[i].label, buf, sizeof(buf));
		layout_text_fit(l, buf, 0, PLOT_TEXT, (float)slot - 2.0f);
		w = layout_text_width(l, buf, 0, PLOT_TEXT);
		layout_text_draw(l, (float)plot_x(p, i, n) - w / 2,
		    p->y - 11.0f, buf, 0, PLOT_TEXT);
	}
}

static void
plot_rgb_stroke(struct layout *l, unsigned rgb)
{
	HPDF_Page_SetRGBStroke(l->page, (float)(rgb >> 16) / 255.0f,
	    (float)((rgb >> 8) & 0xff) / 255.0f, (float)(rgb & 0xff) / 255.0f);
}

int
chart_line(struct layout *l, const struct chart_plot *p,
    const struct chart_point *pts, size_t n)
{
	struct plot pl;
	size_t i;

	if (plot_prepare(l, p, pts, n, &pl) < 0)
		return -1;
	plot_axes(l, p, &pl, pts, n);
	if (n > 1) {
		plot_rgb_stroke(l, p->rgb);
		HPDF_Page_SetLineWidth(l->page, 1.5f);
		HPDF_Page_SetLineJoin(l->page, HPDF_ROUND_JOIN);
		for (i = 0; i < n; i++) {
			float x = (float)plot_x(p, i, n);
			float y = (float)plot_y(p, &pl, pts[i].value);

			if (i == 0)
				HPDF_Page_MoveTo(l->page, x, y);
			else
				HPDF_Page_LineTo(l->page, x, y);
		}
		HPDF_Page_Stroke(l->page);
		HPDF_Page_SetLineJoin(l->page, HPDF_MITER_JOIN);
	}
	layout_rgb_fill(l, p->rgb);
	for (i = 0; i < n; i++) {
		HPDF_Page_Circle(l->page, (float)plot_x(p, i, n),
		    (float)plot_y(p, &pl, pts[i].value), 2.5f);
		HPDF_Page_Fill(l->page);
	}
	return layout_bad(l) ? -1 : 0;
}

int
chart_bars(struct layout *l, const struct chart_plot *p,
    const struct chart_point *pts, size_t n)
{
	struct plot pl;
	double bw, y0;
	size_t i;

	if (plot_prepare(l, p, pts, n, &pl) < 0)
		return -1;
	plot_axes(l, p, &pl, pts, n);
	bw = p->w / (double)n * 0.6;
	y0 = plot_y(p, &pl, 0);
	layout_rgb_fill(l, p->rgb);
	for (i = 0; i < n; i++) {
		double y = plot_y(p, &pl, pts[i].value);

		if (pts[i].value == 0)
			continue;
		HPDF_Page_Rectangle(l->page, (float)(plot_x(p, i, n) - bw / 2),
		    (float)(y < y0 ? y : y0), (float)bw, (float)fabs(y - y0));
		HPDF_Page_Fill(l->page);
	}
	return layout_bad(l) ? -1 : 0;
}
