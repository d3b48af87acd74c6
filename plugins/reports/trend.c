/*
 * trend: spending in the base currency as a series by day, ISO week or
 * month over a range, overall and per category, as line-chart data; a
 * trailing moving average; cumulative within each month if asked (by
 * day).
 *
 * Params: from/to (a closed range) or week, month, year, period;
 * by=day|week|month (month); window=N, the moving average's points
 * (1..366; by day 7, by week 4, by month 3); cumulative=yes|no (no).
 *
 * The moving average of point i is the mean of points i-N+1..i, in
 * minor units rounded half to even, null for the first N-1 points; it
 * averages each point's own amount, also when the values are
 * cumulative. A range's first and last weeks (months) may be partial:
 * they hold the days of the range only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rp.h"

#define MAX_POINTS 10000

enum by { BY_DAY, BY_WEEK, BY_MONTH };

struct series {
	int64_t id;
	char name[72];
	char color[8];
	int64_t total;
	int64_t *v;		/* npoints */
};

struct tr {
	struct spend_report_job *job;
	enum by by;
	int64_t dfrom, dto, first;	/* first: the first bucket's start */
	int y0, m0;			/* by month: the first month */
	size_t n;
	int64_t *total, *count;		/* npoints */
	struct series *s;		/* by id */
	size_t ns, caps;
	struct rp_conv conv;
	char lastday[11];
	int64_t lastidx;
};

static int64_t
index_of(struct tr *t, int64_t d)
{
	int y, m, dd;

	switch (t->by) {
	case BY_DAY:
		return d - t->dfrom;
	case BY_WEEK:
		return (d - t->first) / 7;
	default:
		rp_civil(d, &y, &m, &dd);
		return (int64_t)(y * 12 + m) - (t->y0 * 12 + t->m0);
	}
}

static struct series *
series_of(struct tr *t, const struct spend_cell *c)
{
	size_t lo = 0, hi = t->ns;
	struct series *s;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (t->s[mid].id == c->category_id)
			return &t->s[mid];
		if (t->s[mid].id < c->category_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (t->ns == t->caps) {
		size_t n = t->caps ? t->caps * 2 : 16;
		void *v = realloc(t->s, n * sizeof(*t->s));

		if (v == NULL)
			return NULL;
		t->s = v;
		t->caps = n;
	}
	memmove(&t->s[lo + 1], &t->s[lo], (t->ns - lo) * sizeof(*t->s));
	s = &t->s[lo];
	memset(s, 0, sizeof(*s));
	s->id = c->category_id;
	snprintf(s->name, sizeof(s->name), "%s", c->category);
	rp_color(s->id, s->color);
	if ((s->v = calloc(t->n, sizeof(*s->v))) == NULL) {
		memmove(&t->s[lo], &t->s[lo + 1], (t->ns - lo) * sizeof(*t->s));
		return NULL;
	}
	t->ns++;
	return s;
}

static int
cell(void *arg, const struct spend_cell *c)
{
	struct tr *t = arg;
	struct series *s;
	int64_t d;
	int conv = rp_conv_note(&t->conv, c);

	if (conv < 0)
		goto nomem;
	if (!conv)
		return 0;
	if (strcmp(c->day, t->lastday) != 0) {	/* cells come by day */
		if (rp_parse_date(c->day, &d) < 0) {
			rp_host->report_error(t->job, "trend: bad day %s",
			    c->day);
			return 1;
		}
		snprintf(t->lastday, sizeof(t->lastday), "%s", c->day);
		t->lastidx = index_of(t, d);
	}
	if (t->lastidx < 0 || (size_t)t->lastidx >= t->n)
		return 0;	/* cannot happen: cells are in the range */
	if ((s = series_of(t, c)) == NULL)
		goto nomem;
	if (__builtin_add_overflow(t->total[t->lastidx], c->base_minor,
	    &t->total[t->lastidx]) ||
	    __builtin_add_overflow(s->v[t->lastidx], c->base_minor,
	    &s->v[t->lastidx]) ||
	    __builtin_add_overflow(s->total, c->base_minor, &s->total)) {
		rp_host->report_error(t->job, "trend: a total overflows");
		return 1;
	}
	t->count[t->lastidx] += c->count;
	return 0;
nomem:
	rp_nomem(t->job, "trend");
	return 1;
}

static int
put_values(struct tr *t, struct jbuf *b, const int64_t *v, int cumulative,
    const char *base)
{
	int64_t run = 0;

	jb_key(b, "values");
	jb_puts(b, "[");
	for (size_t i = 0; i < t->n; i++) {
		jb_elem(b);
		if (cumulative) {
			int y, m, d;

			rp_civil(t->dfrom + (int64_t)i, &y, &m, &d);
			if (d == 1)
				run = 0;
			if (__builtin_add_overflow(run, v[i], &run)) {
				rp_host->report_error(t->job, "trend: a total "
				    "overflows");
				return -1;
			}
			jb_amount(b, run, base);
		} else
			jb_amount(b, v[i], base);
	}
	jb_puts(b, "]");
	return 0;
}

static void
put_average(struct tr *t, struct jbuf *b, const int64_t *v, int64_t k,
    const char *base)
{
	__int128 sum = 0;

	jb_key(b, "moving_average");
	jb_puts(b, "[");
	for (size_t i = 0; i < t->n; i++) {
		sum += v[i];
		if ((int64_t)i >= k)
			sum -= v[i - (size_t)k];
		jb_elem(b);
		if ((int64_t)i + 1 < k)
			jb_puts(b, "null");
		else
			jb_amount(b, rp_div(sum, k), base);
	}
	jb_puts(b, "]");
}

static int
series_cmp(const void *a, const void *b)
{
	const struct series *x = a, *y = b;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static const char *const known[] = { "from", "to", "week", "month", "year",
	"period", "by", "window", "cumulative", NULL };

static char *
trend_run(struct spend_plugin *self, struct spend_report_job *job)
{
	const char *base = rp_host->report_base_currency(job);
	const char *by = rp_host->report_param(job, "by");
	const char *win = rp_host->report_param(job, "window");
	const char *cum = rp_host->report_param(job, "cumulative");
	struct jbuf b = { 0 };
	struct rp_period p;
	struct tr t;
	int64_t k, lastidx;
	int cumulative = 0, y, m, d;
	char *text = NULL;

	(void)self;
	memset(&t, 0, sizeof(t));
	t.job = job;
	if (rp_host->report_params_only(job, known) < 0 ||
	    rp_period_params(job, &p, 0) < 0)
		return NULL;
	if (by == NULL || *by == '\0' || !strcmp(by, "month"))
		t.by = BY_MONTH;
	else if (!strcmp(by, "week"))
		t.by = BY_WEEK;
	else if (!strcmp(by, "day"))
		t.by = BY_DAY;
	else {
		rp_host->report_error_field(job, "by", "by must be day, week "
		    "or month");
		return NULL;
	}
	if (cum && (!strcmp(cum, "yes") || !strcmp(cum, "true") ||
	    !strcmp(cum, "1")))
		cumulative = 1;
	else if (cum && *cum && strcmp(cum, "no") && strcmp(cum, "false") &&
	    strcmp(cum, "0")) {
		rp_host->report_error_field(job, "cumulative", "cumulative "
		    "must be yes or no");
		return NULL;
	}
	if (cumulative && t.by != BY_DAY) {
		rp_host->report_error_field(job, "cumulative", "cumulative "
		    "(within each month) needs by=day");
		return NULL;
	}
	k = t.by == BY_DAY ? 7 : t.by == BY_WEEK ? 4 : 3;
	if (win && *win) {
		char *end;
		long long n = strtoll(win, &end, 10);

		if (*end != '\0' || n < 1 || n > 366) {
			rp_host->report_error_field(job, "window", "window must "
			    "be a number of points, 1..366");
			return NULL;
		}
		k = n;
	}
	t.dfrom = p.dfrom;
	t.dto = p.dto;
	t.first = t.by == BY_WEEK ? p.dfrom - rp_weekday(p.dfrom) : p.dfrom;
	rp_civil(p.dfrom, &t.y0, &t.m0, &d);
	lastidx = index_of(&t, p.dto);
	if (lastidx + 1 > MAX_POINTS) {
		rp_host->report_error_field(job, "by", "%lld points: at most "
		    "%d (a longer step, or a shorter range)",
		    (long long)lastidx + 1, MAX_POINTS);
		return NULL;
	}
	t.n = (size_t)lastidx + 1;
	t.total = calloc(t.n, sizeof(*t.total));
	t.count = calloc(t.n, sizeof(*t.count));
	if (t.total == NULL || t.count == NULL) {
		rp_nomem(job, "trend");
		goto out;
	}
	if (rp_host->report_cells(job, p.from, p.to, SPEND_CELLS_DAY, cell,
	    &t) < 0)
		goto out;
	if (t.ns > 1)
		qsort(t.s, t.ns, sizeof(*t.s), series_cmp);

	jb_puts(&b, "{");
	jb_key(&b, "report");
	jb_str(&b, "trend");
	jb_key(&b, "from");
	jb_str(&b, p.from);
	jb_key(&b, "to");
	jb_str(&b, p.to);
	jb_key(&b, "by");
	jb_str(&b, t.by == BY_DAY ? "day" : t.by == BY_WEEK ? "week" :
	    "month");
	jb_key(&b, "currency");
	jb_str(&b, base);
	jb_key(&b, "cumulative");
	jb_puts(&b, cumulative ? "true" : "false");
	jb_key(&b, "window");
	jb_int(&b, k);
	jb_key(&b, "labels");
	jb_puts(&b, "[");
	for (size_t i = 0; i < t.n; i++) {
		char key[16];
		int w;

		switch (t.by) {
		case BY_DAY:
			rp_date(t.dfrom + (int64_t)i, key);
			break;
		case BY_WEEK:
			rp_iso_week(t.first + 7 * (int64_t)i, &y, &w);
			snprintf(key, sizeof(key), "%04d-W%02d", y, w);
			break;
		default:
			y = t.y0 + (t.m0 - 1 + (int)i) / 12;
			m = (t.m0 - 1 + (int)i) % 12 + 1;
			snprintf(key, sizeof(key), "%04d-%02d", y, m);
			break;
		}
		jb_elem(&b);
		jb_str(&b, key);
	}
	jb_puts(&b, "]");
	jb_key(&b, "total");
	jb_puts(&b, "{");
	{
		int64_t all = 0, n = 0;

		for (size_t i = 0; i < t.n; i++) {
			if (__builtin_add_overflow(all, t.total[i], &all)) {
				rp_host->report_error(job, "trend: the total "
				    "overflows");
				goto out;
			}
			n += t.count[i];
		}
		jb_key(&b, "amount");
		jb_amount(&b, all, base);
		jb_key(&b, "count");
		jb_int(&b, n);
	}
	if (put_values(&t, &b, t.total, cumulative, base) < 0)
		goto out;
	jb_key(&b, "counts");
	jb_puts(&b, "[");
	for (size_t i = 0; i < t.n; i++) {
		jb_elem(&b);
		jb_int(&b, t.count[i]);
	}
	jb_puts(&b, "]");
	put_average(&t, &b, t.total, k, base);
	jb_puts(&b, "}");
	jb_key(&b, "series");
	jb_puts(&b, "[");
	for (size_t j = 0; j < t.ns; j++) {
		struct series *s = &t.s[j];

		jb_elem(&b);
		jb_puts(&b, "{");
		jb_key(&b, "label");
		jb_str(&b, s->name);
		jb_key(&b, "category_id");
		jb_int(&b, s->id);
		jb_key(&b, "color");
		jb_str(&b, s->color);
		jb_key(&b, "amount");
		jb_amount(&b, s->total, base);
		if (put_values(&t, &b, s->v, cumulative, base) < 0)
			goto out;
		put_average(&t, &b, s->v, k, base);
		jb_puts(&b, "}");
	}
	jb_puts(&b, "]");
	rp_conv_json(&b, &t.conv);
	jb_puts(&b, "}");
	if ((text = jb_done(&b)) == NULL)
		rp_nomem(job, "trend");
	b.s = NULL;
out:
	free(b.s);
	free(t.total);
	free(t.count);
	for (size_t j = 0; j < t.ns; j++)
		free(t.s[j].v);
	free(t.s);
	rp_conv_free(&t.conv);
	return text;
}

const struct spend_report rp_trend = {
	.version = SPEND_REPORT_V1,
	.name = "trend",
	.description = "a series by day, week or month in the base currency, "
	    "overall and per category, with a moving average",
	.run = trend_run,
};
