/*
 * Charts drawn into a layout (layout.h): a pie or donut with its legend,
 * a line chart and a bar chart of labelled points. Shared by the pdf
 * exporter (its "Share by category" pie) and reports.
 *
 * Values are int64 (money in minor units, counts): shares are integer
 * permille (chart_permille, the same numbers as a totals table shows) and
 * the y axis's steps are integers; only coordinates are floating point.
 * Text for a value (an amount, a count) comes from a chart_label_fn, so
 * that money is formatted by the host, never here.
 *
 * A chart is drawn where it is told (absolute coordinates on the current
 * page); moving the layout's cursor past it is the caller's business.
 * Bad arguments (no points, a negative slice, values whose total or range
 * overflows int64, a box of no size) draw nothing and return -1 without
 * failing the document: it is left as it was. A failed document draws
 * nothing either (-1).
 */
#ifndef SPEND_PLUGIN_CHART_H
#define SPEND_PLUGIN_CHART_H

#include <stddef.h>
#include <stdint.h>

#include "layout.h"

/* Light, distinct fills (0xRRGGBB); black text stays readable on each.
 * Slice, series or bar i takes colour i % CHART_COLORS. */
#define CHART_COLORS 10
extern const unsigned chart_palette[CHART_COLORS];

/* 1 if dark text reads better than white on rgb. */
int chart_light(unsigned rgb);
/* part / whole in tenths of a percent, rounded half up: integers only
 * (0 if whole <= 0). */
int64_t chart_permille(int64_t part, int64_t whole);

/* The text of value into buf (NUL-terminated): 0, or -1 to stop drawing
 * (the callback has failed the document if it must). NULL = the plain
 * integer. */
typedef int (*chart_label_fn)(void *arg, int64_t value, char *buf,
    size_t size);

/* ---- pie and donut ---- */

struct chart_slice {
	const char *label;	/* borrowed */
	int64_t value;		/* >= 0 */
};

/*
 * Sort slices largest first (ties by label) and, past max, fold the
 * smallest into one slice labelled other (at index max - 1, its value
 * their sum): *n becomes at most max. 0, or -1 if a sum overflows or an
 * argument is bad (nothing changed then).
 */
int chart_slices_top(struct chart_slice *s, size_t *n, size_t max,
    const char *other);

struct chart_pie {
	double cx, cy;		/* centre */
	double r;		/* radius, > 0 */
	double hole;		/* 0: a pie; 0 < hole < r: a donut whose hole
				 * (radius hole) is left unpainted */
	int shares;		/* 1: the rounded share ("31%") on each slice
				 * of 5 % or more */
};

/*
 * Slices clockwise from 12 o'clock, slice i in chart_palette[i %
 * CHART_COLORS], each angle its share of the total, separated by thin
 * white lines; slices thinner than 0.05 degrees are not drawn. 0, or -1
 * (n = 0, a negative value, a total of 0 or past INT64_MAX, a bad radius).
 */
int chart_pie(struct layout *l, const struct chart_pie *p,
    const struct chart_slice *s, size_t n);

struct chart_legend {
	double x, y;		/* the first row's swatch: left, baseline */
	float right;		/* right edge of the value column */
	chart_label_fn label;	/* the value column */
	void *arg;
};

/*
 * A row per slice, 16 points apart going down: its colour, label (150
 * points), share in tenths of a percent ("30.7%", permille of the total)
 * and value (right-aligned at right). 0, or -1 (bad arguments as for
 * chart_pie, or label said stop).
 */
int chart_legend(struct layout *l, const struct chart_legend *g,
    const struct chart_slice *s, size_t n);

/* ---- line and bar charts ---- */

struct chart_point {
	const char *label;	/* under the x axis; borrowed, may be NULL */
	int64_t value;
};

/* The y axis: lo <= min(0, values), hi >= max(0, values), both multiples
 * of step, step 1, 2 or 5 x 10^k, at most CHART_STEPS steps from lo to
 * hi (the smallest step that allows it). */
#define CHART_STEPS 6
struct chart_axis {
	int64_t lo, hi, step;
};

/* The axis for values min..max (min <= max). 0, or -1 if hi or lo would
 * pass int64's range. */
int chart_axis(int64_t min, int64_t max, struct chart_axis *a);

struct chart_plot {
	float x, y;		/* the plot area's lower-left corner */
	float w, h;		/* its size; labels go outside it */
	unsigned rgb;		/* the line's or the bars' colour */
	chart_label_fn label;	/* the y axis's values */
	void *arg;
};

/*
 * Gridlines at every step of chart_axis (the zero line darker), their
 * values left of the plot, the points' labels under it; point i in the
 * middle of the i-th of n equal slots, at a height proportional to its
 * value. chart_line joins the points and marks each with a dot;
 * chart_bars draws a bar from zero to each value. 0, or -1 (n = 0, an
 * axis past int64, a plot of no size, label said stop).
 */
int chart_line(struct layout *l, const struct chart_plot *p,
    const struct chart_point *pts, size_t n);
int chart_bars(struct layout *l, const struct chart_plot *p,
    const struct chart_point *pts, size_t n);

#endif
