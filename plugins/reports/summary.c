/*
 * summary: a period's spending in the user's base currency: total,
 * count, average per day, each category's total and share, against the
 * period before and the same period a year before (changes in basis
 * points). Also, as before the base currency existed, the face-value
 * rows and totals per currency grouped by category, month or day.
 *
 * Params: week=YYYY-Www|DATE, month=YYYY-MM, year=YYYY, period=week|
 * month|year (the current one), or from/to (open ends allowed: then no
 * comparison); group=category|month|day (the rows; category).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rp.h"

struct row {
	char key[72];		/* category name, "YYYY-MM" or day */
	int64_t cat;		/* category id (group=category) */
	char currency[4];
	int64_t count, sum;
};

struct cmp_period {
	struct rp_period p;
	int64_t total, count;
	struct rp_conv conv;
};

struct sum {
	struct spend_report_job *job;
	const char *base;
	int group;		/* 0 category, 1 month, 2 day */
	struct rp_period p;
	struct cmp_period prev, yb;
	struct rp_cats cats;
	struct rp_conv conv;
	int64_t total, count;
	struct row *rows;
	size_t nrows, caprows;
	int which;		/* 0 the period, 1 previous, 2 year before */
	int same;		/* previous == year before (a year) */
};

static int
add(struct sum *s, int64_t *to, int64_t v)
{
	if (__builtin_add_overflow(*to, v, to)) {
		rp_host->report_error(s->job, "summary: the total overflows");
		return -1;
	}
	return 0;
}

/* The face-value row of c: by (category id, currency) kept sorted, or by
 * (month or day, currency) at the end (cells come by day). NULL without
 * memory. */
static struct row *
row_of(struct sum *s, const struct spend_cell *c)
{
	size_t lo = 0, hi = s->nrows, at;
	int keylen = s->group == 1 ? 7 : 10;
	struct row *r;

	if (s->group == 0) {
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			int d = s->rows[mid].cat != c->category_id ?
			    (s->rows[mid].cat < c->category_id ? -1 : 1) :
			    strcmp(s->rows[mid].currency, c->currency);

			if (d == 0)
				return &s->rows[mid];
			if (d < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		at = lo;
	} else {
		for (size_t i = s->nrows; i-- > 0;) {
			r = &s->rows[i];
			if (strncmp(r->key, c->day, (size_t)keylen) != 0)
				break;
			if (strcmp(r->currency, c->currency) == 0)
				return r;
		}
		at = s->nrows;
	}
	if (s->nrows == s->caprows) {
		size_t n = s->caprows ? s->caprows * 2 : 64;
		void *v = realloc(s->rows, n * sizeof(*s->rows));

		if (v == NULL)
			return NULL;
		s->rows = v;
		s->caprows = n;
	}
	memmove(&s->rows[at + 1], &s->rows[at], (s->nrows - at) *
	    sizeof(*s->rows));
	s->nrows++;
	r = &s->rows[at];
	memset(r, 0, sizeof(*r));
	if (s->group == 0) {
		snprintf(r->key, sizeof(r->key), "%s", c->category);
		r->cat = c->category_id;
	} else
		memcpy(r->key, c->day, (size_t)keylen);
	snprintf(r->currency, sizeof(r->currency), "%s", c->currency);
	return r;
}

static int
cell(void *arg, const struct spend_cell *c)
{
	struct sum *s = arg;
	struct cmp_period *cp = s->which == 1 ? &s->prev : &s->yb;
	struct rp_cat *cat;
	struct row *r = NULL;
	int conv;

	if (s->which == 0 && (r = row_of(s, c)) == NULL)
		goto nomem;
	if (r != NULL) {
		r->count += c->count;
		if (add(s, &r->sum, c->sum_minor) < 0)
			return 1;
	}
	if ((conv = rp_conv_note(s->which == 0 ? &s->conv : &cp->conv,
	    c)) < 0)
		goto nomem;
	if (!conv)
		return 0;
	if ((cat = rp_cat_of(&s->cats, c->category_id, c->category)) == NULL)
		goto nomem;
	switch (s->which) {
	case 0:
		cat->count += c->count;
		s->count += c->count;
		return add(s, &s->total, c->base_minor) < 0 ||
		    add(s, &cat->amount, c->base_minor) < 0 ? 1 : 0;
	default:
		cp->count += c->count;
		if (add(s, &cp->total, c->base_minor) < 0 ||
		    add(s, s->which == 1 ? &cat->prev : &cat->year_before,
		    c->base_minor) < 0)
			return 1;
		if (s->same && add(s, &cat->year_before, c->base_minor) < 0)
			return 1;
		return 0;
	}
nomem:
	rp_nomem(s->job, "summary");
	return 1;
}

static int
row_cmp_cat(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int r = strcasecmp(x->key, y->key);

	if (r)
		return r;
	if (x->cat != y->cat)
		return x->cat < y->cat ? -1 : 1;
	return strcmp(x->currency, y->currency);
}

static int
row_cmp_key(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int r = strcmp(x->key, y->key);

	return r ? r : strcmp(x->currency, y->currency);
}

/* The old face-value part: "rows" and "totals" per currency. */
static int
put_rows(struct sum *s, struct jbuf *b)
{
	struct total { char currency[4]; int64_t count, sum; } *t = NULL;
	size_t nt = 0, n = 0;

	if (s->nrows > 1)
		qsort(s->rows, s->nrows, sizeof(*s->rows), s->group == 0 ?
		    row_cmp_cat : row_cmp_key);
	for (size_t i = 0; i < s->nrows; i++) {
		struct row *r = &s->rows[i];

		if (n > 0 && (s->group == 0 ? row_cmp_cat : row_cmp_key)(
		    &s->rows[n - 1], r) == 0) {
			s->rows[n - 1].count += r->count;
			if (add(s, &s->rows[n - 1].sum, r->sum) < 0)
				goto fail;
		} else
			s->rows[n++] = *r;
	}
	s->nrows = n;
	jb_key(b, "rows");
	jb_puts(b, "[");
	for (size_t i = 0; i < s->nrows; i++) {
		struct row *r = &s->rows[i];
		size_t j;

		jb_elem(b);
		jb_puts(b, "{");
		jb_key(b, "key");
		jb_str(b, r->key);
		jb_key(b, "currency");
		jb_str(b, r->currency);
		jb_key(b, "count");
		jb_int(b, r->count);
		jb_key(b, "sum");
		jb_amount(b, r->sum, r->currency);
		jb_puts(b, "}");
		for (j = 0; j < nt; j++)
			if (strcmp(t[j].currency, r->currency) == 0)
				break;
		if (j == nt) {
			void *v = realloc(t, (nt + 1) * sizeof(*t));

			if (v == NULL) {
				rp_nomem(s->job, "summary");
				goto fail;
			}
			t = v;
			memset(&t[nt], 0, sizeof(t[nt]));
			memcpy(t[nt].currency, r->currency, 4);
			nt++;
		}
		t[j].count += r->count;
		if (add(s, &t[j].sum, r->sum) < 0)
			goto fail;
	}
	jb_puts(b, "]");
	jb_key(b, "totals");
	jb_puts(b, "[");
	for (size_t j = 0; j < nt; j++) {
		jb_elem(b);
		jb_puts(b, "{");
		jb_key(b, "currency");
		jb_str(b, t[j].currency);
		jb_key(b, "count");
		jb_int(b, t[j].count);
		jb_key(b, "sum");
		jb_amount(b, t[j].sum, t[j].currency);
		jb_puts(b, "}");
	}
	jb_puts(b, "]");
	free(t);
	return 0;
fail:
	free(t);
	return -1;
}

static void
put_period(struct jbuf *b, const struct rp_period *p)
{
	jb_key(b, "label");
	jb_str(b, p->label);
	jb_key(b, "from");
	jb_str(b, p->from);
	jb_key(b, "to");
	jb_str(b, p->to);
}

static void
put_compare(struct sum *s, struct jbuf *b, const char *name,
    struct cmp_period *cp)
{
	int64_t ch;

	jb_key(b, name);
	if (!cp->p.valid) {
		jb_puts(b, "null");
		return;
	}
	jb_puts(b, "{");
	put_period(b, &cp->p);
	jb_key(b, "total");
	jb_amount(b, cp->total, s->base);
	jb_key(b, "count");
	jb_int(b, cp->count);
	ch = rp_change_bp(s->total, cp->total);
	jb_key(b, "change");
	jb_bp(b, ch);
	jb_key(b, "change_bp");
	if (ch == RP_NONE)
		jb_puts(b, "null");
	else
		jb_int(b, ch);
	rp_conv_json(b, &cp->conv);
	jb_puts(b, "}");
}

static const char *const known[] = { "week", "month", "year", "period",
	"from", "to", "group", NULL };

static char *
summary_run(struct spend_plugin *self, struct spend_report_job *job)
{
	const char *g = rp_host->report_param(job, "group");
	struct jbuf b = { 0 };
	struct sum *s;
	int64_t days = -1, today, *amounts = NULL, *bp = NULL;
	char *text = NULL;

	(void)self;
	if (rp_host->report_params_only(job, known) < 0)
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		rp_nomem(job, "summary");
		return NULL;
	}
	s->job = job;
	s->base = rp_host->report_base_currency(job);
	if (g == NULL || *g == '\0' || !strcmp(g, "category"))
		s->group = 0;
	else if (!strcmp(g, "month"))
		s->group = 1;
	else if (!strcmp(g, "day"))
		s->group = 2;
	else {
		rp_host->report_error_field(job, "group", "group must be "
		    "category, month or day");
		goto out;
	}
	if (rp_period_params(job, &s->p, 1) < 0)
		goto out;
	if (s->p.kind != RP_RANGE || s->p.valid) {
		rp_period_previous(&s->p, &s->prev.p);
		rp_period_year_before(&s->p, &s->yb.p);
	}
	s->same = s->prev.p.valid && s->yb.p.valid &&
	    !strcmp(s->prev.p.from, s->yb.p.from) &&
	    !strcmp(s->prev.p.to, s->yb.p.to);
	if (rp_host->report_cells(job, s->p.from, s->p.to, SPEND_CELLS_DAY,
	    cell, s) < 0)
		goto out;
	s->which = 1;
	if (s->prev.p.valid && rp_host->report_cells(job, s->prev.p.from,
	    s->prev.p.to, SPEND_CELLS_DAY, cell, s) < 0)
		goto out;
	s->which = 2;
	if (s->same) {
		s->yb.total = s->prev.total;
		s->yb.count = s->prev.count;
		/* the year before's unconverted: the same (its copy) */
		if (s->prev.conv.nun && (s->yb.conv.un = malloc(
		    s->prev.conv.nun * sizeof(*s->yb.conv.un))) != NULL) {
			memcpy(s->yb.conv.un, s->prev.conv.un,
			    s->prev.conv.nun * sizeof(*s->yb.conv.un));
			s->yb.conv.nun = s->prev.conv.nun;
		}
	} else if (s->yb.p.valid && rp_host->report_cells(job, s->yb.p.from,
	    s->yb.p.to, SPEND_CELLS_DAY, cell, s) < 0)
		goto out;

	/* shares, then the categories by amount */
	if (s->cats.n) {
		amounts = calloc(s->cats.n, sizeof(*amounts));
		bp = calloc(s->cats.n, sizeof(*bp));
		if (amounts == NULL || bp == NULL) {
			rp_nomem(job, "summary");
			goto out;
		}
		for (size_t i = 0; i < s->cats.n; i++)
			amounts[i] = s->cats.v[i].amount;
		rp_shares(amounts, s->cats.n, bp);
		for (size_t i = 0; i < s->cats.n; i++)
			s->cats.v[i].bp = bp[i];
		rp_cats_by_amount(&s->cats);
	}
	if (s->p.valid) {
		days = s->p.dto - s->p.dfrom + 1;
		/* a period under way: the days so far */
		if (rp_parse_date(rp_host->report_today(job), &today) == 0 &&
		    today >= s->p.dfrom && today < s->p.dto)
			days = today - s->p.dfrom + 1;
	}

	jb_puts(&b, "{");
	jb_key(&b, "report");
	jb_str(&b, "summary");
	jb_key(&b, "period");
	jb_str(&b, s->p.kind == RP_WEEK ? "week" : s->p.kind == RP_MONTH ?
	    "month" : s->p.kind == RP_YEAR ? "year" : "range");
	put_period(&b, &s->p);
	jb_key(&b, "group");
	jb_str(&b, s->group == 0 ? "category" : s->group == 1 ? "month" :
	    "day");
	jb_key(&b, "currency");
	jb_str(&b, s->base);
	jb_key(&b, "total");
	jb_amount(&b, s->total, s->base);
	jb_key(&b, "count");
	jb_int(&b, s->count);
	jb_key(&b, "days");
	if (days > 0)
		jb_int(&b, days);
	else
		jb_puts(&b, "null");
	jb_key(&b, "per_day");
	if (days > 0)
		jb_amount(&b, rp_div(s->total, days), s->base);
	else
		jb_puts(&b, "null");
	jb_key(&b, "categories");
	jb_puts(&b, "[");
	for (size_t i = 0; i < s->cats.n; i++) {
		struct rp_cat *c = &s->cats.v[i];
		int64_t ch;

		jb_elem(&b);
		jb_puts(&b, "{");
		jb_key(&b, "category");
		jb_str(&b, c->name);
		jb_key(&b, "category_id");
		jb_int(&b, c->id);
		jb_key(&b, "color");
		jb_str(&b, c->color);
		jb_key(&b, "amount");
		jb_amount(&b, c->amount, s->base);
		jb_key(&b, "count");
		jb_int(&b, c->count);
		jb_key(&b, "percent");
		jb_bp(&b, c->bp);
		jb_key(&b, "previous");
		if (s->prev.p.valid)
			jb_amount(&b, c->prev, s->base);
		else
			jb_puts(&b, "null");
		ch = s->prev.p.valid ? rp_change_bp(c->amount, c->prev) :
		    RP_NONE;
		jb_key(&b, "change");
		jb_bp(&b, ch);
		jb_key(&b, "year_before");
		if (s->yb.p.valid)
			jb_amount(&b, c->year_before, s->base);
		else
			jb_puts(&b, "null");
		ch = s->yb.p.valid ? rp_change_bp(c->amount, c->year_before) :
		    RP_NONE;
		jb_key(&b, "change_year");
		jb_bp(&b, ch);
		jb_puts(&b, "}");
	}
	jb_puts(&b, "]");
	put_compare(s, &b, "previous", &s->prev);
	put_compare(s, &b, "year_before", &s->yb);
	rp_conv_json(&b, &s->conv);
	if (put_rows(s, &b) < 0)
		goto out;
	jb_puts(&b, "}");
	if ((text = jb_done(&b)) == NULL)
		rp_nomem(job, "summary");
	b.s = NULL;
out:
	free(b.s);
	free(amounts);
	free(bp);
	free(s->rows);
	rp_cats_free(&s->cats);
	rp_conv_free(&s->conv);
	rp_conv_free(&s->prev.conv);
	rp_conv_free(&s->yb.conv);
	free(s);
	return text;
}

const struct spend_report rp_summary = {
	.version = SPEND_REPORT_V1,
	.name = "summary",
	.description = "a week, month, year or range in the base currency: "
	    "total, per day, categories and shares, against the period "
	    "before and a year before",
	.run = summary_run,
};
