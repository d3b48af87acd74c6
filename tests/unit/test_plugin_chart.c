/*
 * plugins/pdf/chart.c on a layout of its own (no exporter, no host): the
 * pixels of pies and donuts (pdftoppm), the labels and heights of line and
 * bar charts (pdftotext -bbox, pdftoppm), the y axis's steps, and bad
 * arguments, which must draw nothing. KEEP_PDF=DIR keeps the PDFs made.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../plugins/pdf/layout.c"
#include "../../plugins/pdf/font.c"
#include "../../plugins/pdf/chart.c"
#include "../../plugins/common/utf8.c"

#define PAGE 400.0f		/* points, square pages */
#define DPI 144			/* 2 pixels a point */
#define PX(pt) ((int)((pt) * DPI / 72.0 + 0.5))

static struct font_set fs;

struct fx {
	struct layout l;
	char failed[256];	/* what on_fail said */
	char pdf[64];		/* the saved document */
	char ppm[64];		/* its first page, rendered */
	unsigned char *px;	/* RGB, w x h */
	int w, h;
};

static void
on_fail(void *arg, const char *msg)
{
	struct fx *f = arg;

	snprintf(f->failed, sizeof(f->failed), "%s", msg);
}

static int
to_file(void *arg, const void *buf, size_t len)
{
	return fwrite(buf, 1, len, arg) == len ? 0 : -1;
}

static int
setup_fonts(void **state)
{
	(void)state;
	/* no fallback font: nothing here needs CJK */
	return font_set_load(&fs, NULL, NULL, "", NULL, NULL);
}

static int
teardown_fonts(void **state)
{
	(void)state;
	font_set_free(&fs);
	return 0;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	int fd;

	assert_non_null(f);
	snprintf(f->pdf, sizeof(f->pdf), "/tmp/spend-chart-XXXXXX");
	assert_true((fd = mkstemp(f->pdf)) >= 0);
	close(fd);
	snprintf(f->ppm, sizeof(f->ppm), "%s.ppm", f->pdf);
	assert_int_equal(layout_init(&f->l, &fs, PAGE, PAGE, "Chart test",
	    NULL, on_fail, f), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	layout_free(&f->l);
	unlink(f->pdf);
	unlink(f->ppm);
	free(f->px);
	free(f);
	return 0;
}

/* Save the document to f->pdf; keep a copy as KEEP_PDF/name.pdf. */
static void
save(struct fx *f, const char *name)
{
	const char *keep = getenv("KEEP_PDF");
	FILE *fp = fopen(f->pdf, "wb");
	char cmd[512];

	assert_non_null(fp);
	assert_int_equal(layout_save(&f->l, to_file, fp), 0);
	assert_int_equal(fclose(fp), 0);
	if (keep != NULL) {
		snprintf(cmd, sizeof(cmd), "cp %s %s/%s.pdf", f->pdf, keep,
		    name);
		assert_int_equal(system(cmd), 0);
	}
}

/* Render page 1 into f->px (pdftoppm, PPM). */
static void
render(struct fx *f)
{
	char cmd[512], magic[3];
	int maxval;
	FILE *fp;

	snprintf(cmd, sizeof(cmd), "pdftoppm -r %d -f 1 -l 1 -singlefile %s "
	    "%.*s 2>/dev/null", DPI, f->pdf, (int)strlen(f->ppm) - 4, f->ppm);
	assert_int_equal(system(cmd), 0);
	fp = fopen(f->ppm, "rb");
	assert_non_null(fp);
	assert_int_equal(fscanf(fp, "%2s %d %d %d", magic, &f->w, &f->h,
	    &maxval), 4);
	assert_string_equal(magic, "P6");
	assert_int_equal(maxval, 255);
	fgetc(fp);
	f->px = malloc((size_t)f->w * (size_t)f->h * 3);
	assert_non_null(f->px);
	assert_int_equal(fread(f->px, 3, (size_t)f->w * (size_t)f->h, fp),
	    (size_t)f->w * (size_t)f->h);
	fclose(fp);
	assert_int_equal(f->w, PX(PAGE));
}

/* The colour at (x, y) in points from the lower-left corner. */
static unsigned
pixel(const struct fx *f, double x, double y)
{
	int px = PX(x), py = PX(PAGE - y);
	const unsigned char *p;

	assert_true(px >= 0 && px < f->w && py >= 0 && py < f->h);
	p = f->px + 3 * ((size_t)py * (size_t)f->w + (size_t)px);
	return (unsigned)p[0] << 16 | (unsigned)p[1] << 8 | p[2];
}

static int
near(unsigned a, unsigned b, int tol)
{
	for (int s = 0; s < 24; s += 8) {
		int d = (int)((a >> s) & 0xff) - (int)((b >> s) & 0xff);

		if (d < -tol || d > tol)
			return 0;
	}
	return 1;
}

static void
assert_color(const struct fx *f, double x, double y, unsigned want)
{
	unsigned got = pixel(f, x, y);

	if (!near(got, want, 6))
		fail_msg("at (%.1f, %.1f): #%06x, not #%06x", x, y, got, want);
}

/* The point at angle deg (clockwise from 12 o'clock) and radius r. */
static void
polar(double cx, double cy, double r, double deg, double *x, double *y)
{
	*x = cx + r * sin(deg * M_PI / 180.0);
	*y = cy + r * cos(deg * M_PI / 180.0);
}

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

/* The box of the word w in pdftotext -bbox output (points, y down from
 * the top); 0, or -1 if it is not there. */
static int
word_box(const char *html, const char *w, double *x0, double *y0, double *x1,
    double *y1)
{
	char pat[128];
	const char *p;

	snprintf(pat, sizeof(pat), "\">%s</word>", w);
	if ((p = strstr(html, pat)) == NULL)
		return -1;
	while (p > html && strncmp(p, "<word ", 6) != 0)
		p--;
	return sscanf(p, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" "
	    "yMax=\"%lf\"", x0, y0, x1, y1) == 4 ? 0 : -1;
}

/* minor units as "12.34" */
static int
money2(void *arg, int64_t v, char *buf, size_t size)
{
	(void)arg;
	snprintf(buf, size, "%s%" PRId64 ".%02" PRId64, v < 0 ? "-" : "",
	    (v < 0 ? -v : v) / 100, (v < 0 ? -v : v) % 100);
	return 0;
}

static int
refuse(void *arg, int64_t v, char *buf, size_t size)
{
	(void)arg;
	(void)v;
	(void)buf;
	(void)size;
	return -1;
}

/* ---- integers ---- */

static void
test_axis(void **state)
{
	struct chart_axis a;
	static const struct {
		int64_t min, max, lo, hi, step;
	} ok[] = {
		{ 0, 1234, 0, 1500, 500 },
		{ 100, 1234, 0, 1500, 500 },	/* covers 0 */
		{ -120, 480, -200, 600, 200 },
		{ 0, 100, 0, 100, 20 },
		{ 0, 101, 0, 120, 20 },
		{ 0, 0, 0, 1, 1 },
		{ 5, 5, 0, 5, 1 },
		{ -5, -1, -5, 0, 1 },
		{ -7, 3, -8, 4, 2 },
		{ 3, 3000000, 0, 3000000, 500000 },
		{ 0, 4000000000000000000, 0, 4000000000000000000,
		  1000000000000000000 },
		{ -4000000000000000000, 0, -4000000000000000000, 0,
		  1000000000000000000 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int64_t n;

		assert_int_equal(chart_axis(ok[i].min, ok[i].max, &a), 0);
		if (a.lo != ok[i].lo || a.hi != ok[i].hi ||
		    a.step != ok[i].step)
			fail_msg("%" PRId64 "..%" PRId64 ": %" PRId64 "..%"
			    PRId64 " by %" PRId64, ok[i].min, ok[i].max, a.lo,
			    a.hi, a.step);
		/* a round step: 1, 2 or 5 x 10^k */
		for (n = a.step; n % 10 == 0; n /= 10)
			;
		assert_true(n == 1 || n == 2 || n == 5);
		assert_true((a.hi - a.lo) / a.step <= CHART_STEPS);
		assert_int_equal(a.lo % a.step, 0);
		assert_int_equal(a.hi % a.step, 0);
	}
	/* no round axis fits in int64 */
	assert_int_equal(chart_axis(0, INT64_MAX, &a), -1);
	assert_int_equal(chart_axis(INT64_MIN, 0, &a), -1);
	assert_int_equal(chart_axis(INT64_MIN, INT64_MAX, &a), -1);
	assert_int_equal(chart_axis(0, 9000000000000000000, &a), -1);
	assert_int_equal(chart_axis(1, 0, &a), -1);
}

static void
test_permille(void **state)
{
	struct chart_slice s[] = { { "b", 5 }, { "a", 5 }, { "c", 90 },
	    { "d", 1 }, { "e", 2 } };
	struct chart_slice big[] = { { "x", 5 }, { "y", INT64_MAX },
	    { "z", INT64_MAX } };
	size_t n = 5;

	(void)state;
	assert_int_equal(chart_permille(1, 3), 333);
	assert_int_equal(chart_permille(2, 3), 667);
	assert_int_equal(chart_permille(1, 2000), 1);	/* 0.5 rounds up */
	assert_int_equal(chart_permille(5, 0), 0);
	assert_int_equal(chart_permille(INT64_MAX, INT64_MAX), 1000);
	assert_int_equal(chart_permille(INT64_MAX / 3, INT64_MAX), 333);
	/* largest first, ties by label, the rest folded into "Other" */
	assert_int_equal(chart_slices_top(s, &n, 3, "Other"), 0);
	assert_int_equal(n, 3);
	assert_string_equal(s[0].label, "c");
	assert_string_equal(s[1].label, "a");
	assert_string_equal(s[2].label, "Other");
	assert_int_equal(s[2].value, 5 + 2 + 1);
	n = 3;
	assert_int_equal(chart_slices_top(big, &n, 2, "Other"), -1);
	assert_int_equal(n, 3);
	assert_int_equal(chart_slices_top(big, &n, 0, "Other"), -1);
}

/* ---- pies ---- */

static const struct chart_slice abc[] = { { "Alpha", 5000 },
    { "Beta", 2500 }, { "Gamma", 2500 } };

static void
test_pie_colors(void **state)
{
	struct fx *f = *state;
	const double cx = 200, cy = 200, r = 100;
	double x, y;

	assert_int_equal(chart_pie(&f->l, &(struct chart_pie){ .cx = cx,
	    .cy = cy, .r = r }, abc, 3), 0);
	save(f, "pie");
	render(f);
	/* 0 degrees at 12 o'clock, clockwise: Alpha is the right half,
	 * Beta the lower left quarter, Gamma the upper left one */
	static const struct {
		double deg;
		int slice;
	} at[] = { { 10, 0 }, { 90, 0 }, { 170, 0 }, { 190, 1 }, { 225, 1 },
	    { 260, 1 }, { 280, 2 }, { 315, 2 }, { 350, 2 } };
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		polar(cx, cy, r * 0.8, at[i].deg, &x, &y);
		assert_color(f, x, y, chart_palette[at[i].slice]);
		polar(cx, cy, r * 0.3, at[i].deg, &x, &y);
		assert_color(f, x, y, chart_palette[at[i].slice]);
	}
	/* painted to the centre, nothing outside */
	assert_color(f, cx + 3, cy - 3, chart_palette[0]);
	polar(cx, cy, r + 5, 45, &x, &y);
	assert_color(f, x, y, 0xffffff);
	assert_string_equal(f->failed, "");
}

/* A donut on a grey ground: the hole shows the ground, unpainted. */
static void
test_donut_hole(void **state)
{
	struct fx *f = *state;
	const double cx = 200, cy = 200, r = 100, hole = 55;
	double x, y;
	char *text;

	HPDF_Page_SetGrayFill(f->l.page, 0.5f);
	HPDF_Page_Rectangle(f->l.page, 50, 50, 300, 300);
	HPDF_Page_Fill(f->l.page);
	assert_int_equal(chart_pie(&f->l, &(struct chart_pie){ .cx = cx,
	    .cy = cy, .r = r, .hole = hole, .shares = 1 }, abc, 3), 0);
	save(f, "donut");
	render(f);
	assert_color(f, cx, cy, 0x7f7f7f);
	for (double deg = 0; deg < 360; deg += 30) {
		polar(cx, cy, hole - 6, deg, &x, &y);
		assert_color(f, x, y, 0x7f7f7f);
		polar(cx, cy, r + 6, deg, &x, &y);
		assert_color(f, x, y, 0x7f7f7f);
	}
	/* the ring keeps the pie's colours (away from the share labels) */
	polar(cx, cy, r - 6, 90, &x, &y);
	assert_color(f, x, y, chart_palette[0]);
	polar(cx, cy, hole + 6, 225, &x, &y);
	assert_color(f, x, y, chart_palette[1]);
	polar(cx, cy, r - 6, 315, &x, &y);
	assert_color(f, x, y, chart_palette[2]);
	/* shares on the ring */
	text = cmd_out("pdftotext %s - 2>/dev/null", f->pdf);
	assert_non_null(strstr(text, "50%"));
	assert_non_null(strstr(text, "25%"));
	free(text);
}

/* One slice: a whole disc, or a whole ring. */
static void
test_pie_one(void **state)
{
	struct fx *f = *state;
	const struct chart_slice one = { "All", 42 };
	double x, y;

	assert_int_equal(chart_pie(&f->l, &(struct chart_pie){ .cx = 100,
	    .cy = 100, .r = 60 }, &one, 1), 0);
	assert_int_equal(chart_pie(&f->l, &(struct chart_pie){ .cx = 300,
	    .cy = 300, .r = 60, .hole = 30 }, &one, 1), 0);
	save(f, "one");
	render(f);
	for (double deg = 0; deg < 360; deg += 45) {
		polar(100, 100, 40, deg, &x, &y);
		assert_color(f, x, y, chart_palette[0]);
		polar(300, 300, 45, deg, &x, &y);
		assert_color(f, x, y, chart_palette[0]);
	}
	assert_color(f, 100, 100, chart_palette[0]);
	assert_color(f, 300, 300, 0xffffff);
}

static void
test_legend(void **state)
{
	struct fx *f = *state;
	char *text;

	assert_int_equal(chart_legend(&f->l, &(struct chart_legend){
	    .x = 60, .y = 300, .right = 340, .label = money2 }, abc, 3), 0);
	save(f, "legend");
	text = cmd_out("pdftotext -layout %s - 2>/dev/null", f->pdf);
	assert_non_null(strstr(text, "Alpha"));
	assert_non_null(strstr(text, "50.0%"));
	assert_non_null(strstr(text, "50.00"));
	assert_non_null(strstr(text, "Gamma"));
	assert_non_null(strstr(text, "25.0%"));
	assert_non_null(strstr(text, "25.00"));
	free(text);
	render(f);
	/* the swatches, 16 points apart */
	for (int i = 0; i < 3; i++)
		assert_color(f, 64.5, 300 - 16 * i + 3.5, chart_palette[i]);
}

/* ---- line and bar charts ---- */

static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
    "Jun" };
static const int64_t heights[] = { 10000, 25000, 0, 40000, 5000, 30000 };

static void
test_line(void **state)
{
	struct fx *f = *state;
	struct chart_point pts[6];
	const struct chart_plot plot = { .x = 60, .y = 60, .w = 300, .h = 200,
	    .rgb = chart_palette[2], .label = money2 };
	double x0, y0, x1, y1, prev = 0, gap = 0, zero_px;
	char *html, want[16];
	int i;

	for (i = 0; i < 6; i++)
		pts[i] = (struct chart_point){ months[i], heights[i] };
	assert_int_equal(chart_line(&f->l, &plot, pts, 6), 0);
	save(f, "line");
	/* the labels: under each point, evenly spaced */
	html = cmd_out("pdftotext -bbox %s - 2>/dev/null", f->pdf);
	for (i = 0; i < 6; i++) {
		double mid, want_x = 60 + 300 * (2 * i + 1) / 12.0;

		if (word_box(html, months[i], &x0, &y0, &x1, &y1) < 0)
			fail_msg("no label %s", months[i]);
		mid = (x0 + x1) / 2;
		if (mid < want_x - 1.0 || mid > want_x + 1.0)
			fail_msg("%s centred at %.2f, not %.2f", months[i], mid,
			    want_x);
		assert_true(y0 > PAGE - 60);	/* below the plot */
		if (i >= 2 && (mid - prev < gap - 1.0 ||
		    mid - prev > gap + 1.0))
			fail_msg("%s: gap %.2f, not %.2f", months[i],
			    mid - prev, gap);
		if (i >= 1)
			gap = mid - prev;
		prev = mid;
	}
	/* the y axis: 0 to 400.00 by 100.00, evenly spaced */
	prev = -1;
	for (i = 0; i <= 4; i++) {
		snprintf(want, sizeof(want), "%d.00", 100 * i);
		if (word_box(html, want, &x0, &y0, &x1, &y1) < 0)
			fail_msg("no axis label %s", want);
		assert_true(x1 < 60);		/* left of the plot */
		y1 = PAGE - (y0 + y1) / 2;	/* its middle, from the foot */
		if (y1 < 60 + 50 * i - 3 || y1 > 60 + 50 * i + 3)
			fail_msg("%s at %.2f, not %d", want, y1, 60 + 50 * i);
	}
	assert_null(strstr(html, "500.00"));
	free(html);
	/* the points: a dot on each, its height proportional to its value */
	render(f);
	zero_px = PX(PAGE - 60.0);
	for (i = 0; i < 6; i++) {
		int px = PX(60 + 300 * (2 * i + 1) / 12.0), top = -1, bot = -1;
		double mid, want_h;

		for (int py = 0; py < f->h; py++) {
			const unsigned char *p = f->px + 3 * ((size_t)py *
			    (size_t)f->w + (size_t)px);
			unsigned c = (unsigned)p[0] << 16 |
			    (unsigned)p[1] << 8 | p[2];

			if (near(c, chart_palette[2], 40)) {
				if (top < 0)
					top = py;
				bot = py;
			}
		}
		if (top < 0)
			fail_msg("no point in %s's column", months[i]);
		assert_true(bot - top < PX(8));	/* one dot, not a bar */
		mid = (top + bot) / 2.0;
		want_h = 200.0 * (double)heights[i] / 40000.0 * DPI / 72.0;
		if (zero_px - mid < want_h - 2 || zero_px - mid > want_h + 2)
			fail_msg("%s: %.1f px above zero, not %.1f", months[i],
			    zero_px - mid, want_h);
	}
	assert_string_equal(f->failed, "");
}

static void
test_bars(void **state)
{
	struct fx *f = *state;
	const struct chart_point pts[] = { { "in", 300 }, { "out", -100 },
	    { "net", 200 } };
	const struct chart_plot plot = { .x = 60, .y = 60, .w = 300, .h = 200,
	    .rgb = chart_palette[0] };
	char *text;

	/* -100..300 by 100: zero a quarter up */
	assert_int_equal(chart_bars(&f->l, &plot, pts, 3), 0);
	save(f, "bars");
	text = cmd_out("pdftotext %s - 2>/dev/null", f->pdf);
	assert_non_null(strstr(text, "-100"));
	assert_non_null(strstr(text, "300"));
	assert_non_null(strstr(text, "net"));
	free(text);
	render(f);
	/* in: 110..260 */
	assert_color(f, 110, 112, chart_palette[0]);
	assert_color(f, 110, 255, chart_palette[0]);
	assert_color(f, 110, 265, 0xffffff);
	/* out: 60..110, below zero */
	assert_color(f, 210, 65, chart_palette[0]);
	assert_color(f, 210, 105, chart_palette[0]);
	assert_color(f, 210, 115, 0xffffff);
	/* net: 110..210 */
	assert_color(f, 310, 205, chart_palette[0]);
	assert_color(f, 310, 215, 0xffffff);
}

/* ---- bad arguments draw nothing ---- */

/* The same document with and without the bad calls: the same bytes. */
static void
draw_text(struct layout *l)
{
	layout_heading(l, "Charts");
	layout_cell(l, 60, 200, 200, "between the calls", 0, 10.0f, 0);
}

static void
bad_calls(struct layout *l)
{
	const struct chart_plot plot = { .x = 60, .y = 60, .w = 300, .h = 200,
	    .rgb = 0x000000 };
	const struct chart_plot flat = { .x = 60, .y = 60, .w = 300, .h = 0,
	    .rgb = 0x000000 };
	const struct chart_pie pie = { .cx = 200, .cy = 200, .r = 50 };
	const struct chart_point big[] = { { "a", INT64_MAX }, { "b", 0 } };
	const struct chart_point wide[] = { { "a", INT64_MIN },
	    { "b", INT64_MAX } };
	const struct chart_point ok[] = { { "a", 1 }, { "b", 2 } };
	const struct chart_slice over[] = { { "a", INT64_MAX }, { "b", 1 } };
	const struct chart_slice neg[] = { { "a", 5 }, { "b", -1 } };
	const struct chart_slice zero[] = { { "a", 0 }, { "b", 0 } };

	assert_int_equal(chart_line(l, &plot, ok, 0), -1);
	assert_int_equal(chart_bars(l, &plot, ok, 0), -1);
	assert_int_equal(chart_line(l, &plot, NULL, 2), -1);
	assert_int_equal(chart_line(l, &plot, big, 2), -1);
	assert_int_equal(chart_bars(l, &plot, big, 2), -1);
	assert_int_equal(chart_line(l, &plot, wide, 2), -1);
	assert_int_equal(chart_line(l, &flat, ok, 2), -1);
	assert_int_equal(chart_line(l, &(struct chart_plot){ .x = 60,
	    .y = 60, .w = 300, .h = 200, .label = refuse }, ok, 2), -1);
	assert_int_equal(chart_pie(l, &pie, abc, 0), -1);
	assert_int_equal(chart_pie(l, &pie, over, 2), -1);
	assert_int_equal(chart_pie(l, &pie, neg, 2), -1);
	assert_int_equal(chart_pie(l, &pie, zero, 2), -1);
	assert_int_equal(chart_pie(l, &(struct chart_pie){ .cx = 200,
	    .cy = 200, .r = 50, .hole = 50 }, abc, 3), -1);
	assert_int_equal(chart_pie(l, &(struct chart_pie){ .cx = 200,
	    .cy = 200, .r = 0 }, abc, 3), -1);
	assert_int_equal(chart_pie(l, &(struct chart_pie){ .cx = NAN,
	    .cy = 200, .r = 50 }, abc, 3), -1);
	assert_int_equal(chart_pie(l, &(struct chart_pie){ .cx = 200,
	    .cy = 200, .r = INFINITY }, abc, 3), -1);
	assert_int_equal(chart_line(l, &(struct chart_plot){ .x = 60,
	    .y = 60, .w = NAN, .h = 200 }, ok, 2), -1);
	assert_int_equal(chart_legend(l, &(struct chart_legend){ .x = 60,
	    .y = 300, .right = 340 }, abc, 0), -1);
	assert_int_equal(chart_legend(l, &(struct chart_legend){ .x = 60,
	    .y = 300, .right = 340 }, over, 2), -1);
}

/* The whole of file path (malloc'd), its size in *len. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	assert_true((n = ftell(fp)) > 0);
	rewind(fp);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static void
test_bad_args(void **state)
{
	struct fx *f = *state;
	char *a, *b, *text;
	size_t alen, blen;

	draw_text(&f->l);
	bad_calls(&f->l);
	draw_text(&f->l);
	assert_int_equal(f->l.failed, 0);
	assert_string_equal(f->failed, "");
	save(f, "bad-args");
	a = slurp(f->pdf, &alen);
	/* the same without the bad calls: the same bytes */
	layout_free(&f->l);
	assert_int_equal(layout_init(&f->l, &fs, PAGE, PAGE, "Chart test",
	    NULL, on_fail, f), 0);
	draw_text(&f->l);
	draw_text(&f->l);
	save(f, "no-calls");
	b = slurp(f->pdf, &blen);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	free(a);
	free(b);
	text = cmd_out("pdftotext %s - 2>/dev/null", f->pdf);
	assert_non_null(strstr(text, "between the calls"));
	free(text);
}

/* A failed document draws nothing more. */
static void
test_failed_doc(void **state)
{
	struct fx *f = *state;
	const struct chart_point ok[] = { { "a", 1 }, { "b", 2 } };

	layout_fail(&f->l, "stop %d", 1);
	assert_string_equal(f->failed, "stop 1");
	layout_fail(&f->l, "again");
	assert_string_equal(f->failed, "stop 1");	/* once */
	assert_int_equal(chart_pie(&f->l, &(struct chart_pie){ .cx = 200,
	    .cy = 200, .r = 50 }, abc, 3), -1);
	assert_int_equal(chart_line(&f->l, &(struct chart_plot){ .x = 60,
	    .y = 60, .w = 300, .h = 200 }, ok, 2), -1);
	assert_int_equal(layout_save(&f->l, to_file, stdout), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_axis),
		cmocka_unit_test(test_permille),
		cmocka_unit_test_setup_teardown(test_pie_colors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_donut_hole, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pie_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_legend, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bars, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_args, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_failed_doc, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, setup_fonts, teardown_fonts);
}
