/*
 * forecast: where a month will end, in the user's base currency, overall
 * and per category: what was spent up to today, what is already dated
 * later in the month, the pace (spent up to today × days in the month /
 * today's day, rounded half away from zero: budget.status's projection),
 * what the recurring rules will still create after today up to the
 * month's end (host->report_upcoming: each occurrence converted at its
 * date; one without a rate is listed, never guessed), and the projected
 * total: pace + dated later + recurring. With each budget's month as
 * budget.status has it (host->report_budget_status).
 *
 * A past month's forecast is what was spent; a future month's is what is
 * recorded for it plus what the rules will create in it.
 *
 * The total's pace is the pace of the total (as the overall budget's),
 * not the sum of the categories' paces: each is rounded on its own, so
 * the two may differ by a unit per category.
 *
 * Params: month=YYYY-MM (default: the user's current month).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rp.h"

#define FC_UPCOMING_MAX 500	/* occurrences listed (all are counted) */

struct fline {
	int64_t id;		/* category id; 0 for the total */
	char name[72];
	char color[8];
	int64_t to_date, later, recurring, pace, projected;
	int64_t count, recurring_count;
	int has_budget;
	struct spend_budget_line b;	/* strings not kept */
};

struct occ {
	char date[11];
	int64_t category_id;
	char category[72];
	char payee[208];
	char currency[4];
	int64_t amount, base;
	int converted;
	char rate_date[11];
};

struct fc {
	struct spend_report_job *job;
	const char *base;
	char today[11];
	struct fline total;
	struct fline *cats;
	size_t ncats, capcats;
	struct rp_conv conv;	/* the month's recorded expenses */
	struct rp_conv uconv;	/* the occurrences' (only unconverted used) */
	struct occ *occ;
	size_t nocc, capocc;
	int64_t nocc_all;
	/* the budgets' unconverted amounts */
	struct bun {
		char category[72];
		int64_t category_id;
		char month[8], currency[4], what[16];
		int64_t amount;
	} *bun;
	size_t nbun;
	int failed;
};

static int
fc_add(struct fc *f, int64_t *to, int64_t v)
{
	if (__builtin_add_overflow(*to, v, to)) {
		rp_host->report_error(f->job, "forecast: the total overflows");
		f->failed = 1;
		return -1;
	}
	return 0;
}

/* v * num / den rounded half away from zero (daemon/budget.c's fc_scale):
 * 0 and *out, or -1 if it does not fit. */
static int
fc_scale(int64_t v, int64_t num, int64_t den, int64_t *out)
{
	__int128 x = (__int128)v * num;
	__int128 q = (x < 0 ? x - den / 2 : x + den / 2) / den;

	if (q > INT64_MAX || q < -INT64_MAX)
		return -1;
	*out = (int64_t)q;
	return 0;
}

static struct fline *
fc_cat_of(struct fc *f, int64_t id, const char *name)
{
	size_t lo = 0, hi = f->ncats;
	struct fline *c;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (f->cats[mid].id == id)
			return &f->cats[mid];
		if (f->cats[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (f->ncats == f->capcats) {
		size_t n = f->capcats ? f->capcats * 2 : 16;
		void *v = realloc(f->cats, n * sizeof(*f->cats));

		if (v == NULL)
			return NULL;
		f->cats = v;
		f->capcats = n;
	}
	memmove(&f->cats[lo + 1], &f->cats[lo], (f->ncats - lo) *
	    sizeof(*f->cats));
	f->ncats++;
	c = &f->cats[lo];
	memset(c, 0, sizeof(*c));
	c->id = id;
	snprintf(c->name, sizeof(c->name), "%s", name ? name : "");
	rp_color(id, c->color);
	return c;
}

static int
fc_nomem(struct fc *f)
{
	rp_nomem(f->job, "forecast");
	f->failed = 1;
	return 1;
}

/* A cell of the month's expenses. */
static int
fc_cell(void *arg, const struct spend_cell *c)
{
	struct fc *f = arg;
	struct fline *cat;
	int conv = rp_conv_note(&f->conv, c);
	int64_t *slot;

	if (conv < 0)
		return fc_nomem(f);
	if (!conv)
		return 0;
	if ((cat = fc_cat_of(f, c->category_id, c->category)) == NULL)
		return fc_nomem(f);
	slot = strcmp(c->day, f->today) <= 0 ? &cat->to_date : &cat->later;
	if (fc_add(f, slot, c->base_minor) < 0 || fc_add(f, slot == &cat->to_date ?
	    &f->total.to_date : &f->total.later, c->base_minor) < 0)
		return 1;
	cat->count += c->count;
	f->total.count += c->count;
	return 0;
}

/* An occurrence still to come. */
static int
fc_upcoming(void *arg, const struct spend_cell *c)
{
	struct fc *f = arg;
	struct fline *cat;
	struct occ *o;

	f->nocc_all++;
	if (f->nocc < FC_UPCOMING_MAX) {
		if (f->nocc == f->capocc) {
			size_t n = f->capocc ? f->capocc * 2 : 16;
			void *v = realloc(f->occ, n * sizeof(*f->occ));

			if (v == NULL)
				return fc_nomem(f);
			f->occ = v;
			f->capocc = n;
		}
		o = &f->occ[f->nocc++];
		memset(o, 0, sizeof(*o));
		snprintf(o->date, sizeof(o->date), "%s", c->day);
		o->category_id = c->category_id;
		snprintf(o->category, sizeof(o->category), "%s", c->category);
		snprintf(o->payee, sizeof(o->payee), "%s", c->payee);
		snprintf(o->currency, sizeof(o->currency), "%s", c->currency);
		o->amount = c->sum_minor;
		o->base = c->base_minor;
		o->converted = c->converted;
		snprintf(o->rate_date, sizeof(o->rate_date), "%s", c->rate_date);
	}
	if (!c->converted) {
		if (rp_conv_note(&f->uconv, c) < 0)
			return fc_nomem(f);
		return 0;
	}
	if ((cat = fc_cat_of(f, c->category_id, c->category)) == NULL)
		return fc_nomem(f);
	if (fc_add(f, &cat->recurring, c->base_minor) < 0 ||
	    fc_add(f, &f->total.recurring, c->base_minor) < 0)
		return 1;
	cat->recurring_count++;
	f->total.recurring_count++;
	return 0;
}

/* The budgets' month. */
static int
fc_budgets(void *arg, const struct spend_budget_month *m)
{
	struct fc *f = arg;

	for (size_t i = 0; i < m->nlines; i++) {
		const struct spend_budget_line *l = m->lines[i];
		struct fline *t = l->category_id == 0 ? &f->total :
		    fc_cat_of(f, l->category_id, l->category);

		if (t == NULL)
			return fc_nomem(f);
		t->has_budget = 1;
		t->b = *l;
		t->b.category = NULL;
		t->b.state = !strcmp(l->state, "over") ? "over" :
		    !strcmp(l->state, "near") ? "near" : "ok";
	}
	for (size_t i = 0; i < m->nunconverted; i++) {
		const struct spend_budget_unconverted *u = m->unconverted[i];
		struct bun *b;
		void *v = realloc(f->bun, (f->nbun + 1) * sizeof(*f->bun));

		if (v == NULL)
			return fc_nomem(f);
		f->bun = v;
		b = &f->bun[f->nbun++];
		memset(b, 0, sizeof(*b));
		snprintf(b->category, sizeof(b->category), "%s", u->category);
		b->category_id = u->category_id;
		snprintf(b->month, sizeof(b->month), "%s", u->month);
		snprintf(b->currency, sizeof(b->currency), "%s", u->currency);
		snprintf(b->what, sizeof(b->what), "%s", u->what);
		b->amount = u->amount_minor;
	}
	return 0;
}

/* pace and projection of l: period 0 past, 1 current, 2 future. */
static int
fc_project(struct fc *f, struct fline *l, int period, int day, int days)
{
	if (period == 1) {
		if (fc_scale(l->to_date, days, day, &l->pace) < 0) {
			rp_host->report_error(f->job, "forecast: the pace "
			    "overflows");
			f->failed = 1;
			return -1;
		}
	} else
		l->pace = l->to_date;	/* past: all of it; future: 0 */
	l->projected = l->pace;
	return fc_add(f, &l->projected, l->later) < 0 ||
	    fc_add(f, &l->projected, l->recurring) < 0 ? -1 : 0;
}

static int
fc_by_projected(const void *a, const void *b)
{
	const struct fline *x = a, *y = b;
	int r;

	if (x->projected != y->projected)
		return x->projected > y->projected ? -1 : 1;
	if ((r = strcasecmp(x->name, y->name)) != 0)
		return r;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void
fc_put_line(struct fc *f, struct jbuf *b, const struct fline *l)
{
	int64_t spent = 0;

	(void)__builtin_add_overflow(l->to_date, l->later, &spent);
	jb_key(b, "spent_to_date");
	jb_amount(b, l->to_date, f->base);
	jb_key(b, "later");
	jb_amount(b, l->later, f->base);
	jb_key(b, "spent");
	jb_amount(b, spent, f->base);
	jb_key(b, "count");
	jb_int(b, l->count);
	jb_key(b, "pace");
	jb_amount(b, l->pace, f->base);
	jb_key(b, "recurring");
	jb_amount(b, l->recurring, f->base);
	jb_key(b, "recurring_count");
	jb_int(b, l->recurring_count);
	jb_key(b, "projected");
	jb_amount(b, l->projected, f->base);
	jb_key(b, "budget");
	if (!l->has_budget) {
		jb_puts(b, "null");
		return;
	}
	jb_puts(b, "{");
	jb_key(b, "limit");
	jb_amount(b, l->b.limit, f->base);
	jb_key(b, "carry");
	jb_amount(b, l->b.carry, f->base);
	jb_key(b, "available");
	jb_amount(b, l->b.available, f->base);
	jb_key(b, "spent");
	jb_amount(b, l->b.spent, f->base);
	jb_key(b, "remaining");
	jb_amount(b, l->b.available - l->b.spent, f->base);
	jb_key(b, "projected");
	jb_amount(b, l->b.projected, f->base);
	jb_key(b, "projected_remaining");
	jb_amount(b, l->b.available - l->b.projected, f->base);
	jb_key(b, "percent");
	if (l->b.has_percent)
		jb_int(b, l->b.percent);
	else
		jb_puts(b, "null");
	jb_key(b, "state");
	jb_str(b, l->b.state);
	jb_key(b, "rollover");
	jb_puts(b, l->b.rollover ? "true" : "false");
	jb_puts(b, "}");
}

static const char *const fc_known[] = { "month", NULL };

static char *
forecast_run(struct spend_plugin *self, struct spend_report_job *job)
{
	const char *mp = rp_host->report_param(job, "month");
	static const char *const pnames[] = { "past", "current", "future" };
	struct jbuf b = { 0 };
	struct fc *f;
	char month[8], from[11], to[11], next[11];
	int64_t tdays;
	int y, m, d, ty, tm, days, day, period;
	char *text = NULL;

	(void)self;
	if (rp_host->report_params_only(job, fc_known) < 0)
		return NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		rp_nomem(job, "forecast");
		return NULL;
	}
	f->job = job;
	f->base = rp_host->report_base_currency(job);
	snprintf(f->today, sizeof(f->today), "%s", rp_host->report_today(job));
	if (rp_parse_date(f->today, &tdays) < 0) {
		rp_host->report_error(job, "forecast: today is not a date");
		goto out;
	}
	rp_civil(tdays, &ty, &tm, &d);
	if (mp && *mp) {
		if (rp_parse_month(mp, &y, &m) < 0) {
			rp_host->report_error_field(job, "month", "month must "
			    "be YYYY-MM (1900..2999)");
			goto out;
		}
	} else {
		y = ty;
		m = tm;
	}
	snprintf(month, sizeof(month), "%04d-%02d", y, m);
	days = rp_month_days(y, m);
	rp_date(rp_days(y, m, 1), from);
	rp_date(rp_days(y, m, days), to);
	period = y * 12 + m < ty * 12 + tm ? 0 : y * 12 + m > ty * 12 + tm ?
	    2 : 1;
	day = period == 0 ? days : period == 2 ? 0 : d;
	f->total.id = 0;

	if (rp_host->report_cells(job, from, to, SPEND_CELLS_DAY, fc_cell,
	    f) < 0 || f->failed)
		goto out;
	/* still to come: after today (current), the whole month (future) */
	if (period != 0) {
		if (period == 1)
			rp_date(tdays + 1, next);
		else
			snprintf(next, sizeof(next), "%s", from);
		if (strcmp(next, to) <= 0 && (rp_host->report_upcoming(job,
		    next, to, fc_upcoming, f) < 0 || f->failed))
			goto out;
	}
	if (rp_host->report_budget_status(job, month, fc_budgets, f) < 0 ||
	    f->failed)
		goto out;
	if (fc_project(f, &f->total, period, day, days) < 0)
		goto out;
	for (size_t i = 0; i < f->ncats; i++)
		if (fc_project(f, &f->cats[i], period, day, days) < 0)
			goto out;
	if (f->ncats > 1)
		qsort(f->cats, f->ncats, sizeof(*f->cats), fc_by_projected);

	jb_puts(&b, "{");
	jb_key(&b, "report");
	jb_str(&b, "forecast");
	jb_key(&b, "month");
	jb_str(&b, month);
	jb_key(&b, "from");
	jb_str(&b, from);
	jb_key(&b, "to");
	jb_str(&b, to);
	jb_key(&b, "today");
	jb_str(&b, f->today);
	jb_key(&b, "period");
	jb_str(&b, pnames[period]);
	jb_key(&b, "day");
	jb_int(&b, day);
	jb_key(&b, "days");
	jb_int(&b, days);
	jb_key(&b, "currency");
	jb_str(&b, f->base);
	jb_key(&b, "total");
	jb_puts(&b, "{");
	fc_put_line(f, &b, &f->total);
	jb_puts(&b, "}");
	jb_key(&b, "categories");
	jb_puts(&b, "[");
	for (size_t i = 0; i < f->ncats; i++) {
		const struct fline *c = &f->cats[i];

		jb_elem(&b);
		jb_puts(&b, "{");
		jb_key(&b, "category");
		jb_str(&b, c->name);
		jb_key(&b, "category_id");
		jb_int(&b, c->id);
		jb_key(&b, "color");
		jb_str(&b, c->color);
		fc_put_line(f, &b, c);
		jb_puts(&b, "}");
	}
	jb_puts(&b, "]");
	jb_key(&b, "upcoming");
	jb_puts(&b, "[");
	for (size_t i = 0; i < f->nocc; i++) {
		const struct occ *o = &f->occ[i];

		jb_elem(&b);
		jb_puts(&b, "{");
		jb_key(&b, "date");
		jb_str(&b, o->date);
		jb_key(&b, "category");
		jb_str(&b, o->category);
		jb_key(&b, "category_id");
		jb_int(&b, o->category_id);
		jb_key(&b, "payee");
		jb_str(&b, o->payee);
		jb_key(&b, "amount");
		jb_amount(&b, o->amount, o->currency);
		jb_key(&b, "currency");
		jb_str(&b, o->currency);
		jb_key(&b, "converted");
		jb_puts(&b, o->converted ? "true" : "false");
		jb_key(&b, "base_amount");
		if (o->converted)
			jb_amount(&b, o->base, f->base);
		else
			jb_puts(&b, "null");
		jb_key(&b, "rate_date");
		jb_str(&b, o->rate_date);
		jb_puts(&b, "}");
	}
	jb_puts(&b, "]");
	jb_key(&b, "upcoming_count");
	jb_int(&b, f->nocc_all);
	jb_key(&b, "upcoming_unconverted");
	jb_puts(&b, "[");
	for (size_t i = 0; i < f->uconv.nun; i++) {
		jb_elem(&b);
		jb_puts(&b, "{");
		jb_key(&b, "currency");
		jb_str(&b, f->uconv.un[i].currency);
		jb_key(&b, "count");
		jb_int(&b, f->uconv.un[i].count);
		jb_key(&b, "sum");
		jb_amount(&b, f->uconv.un[i].sum, f->uconv.un[i].currency);
		jb_puts(&b, "}");
	}
	jb_puts(&b, "]");
	jb_key(&b, "budget_unconverted");
	jb_puts(&b, "[");
	for (size_t i = 0; i < f->nbun; i++) {
		const struct bun *u = &f->bun[i];

		jb_elem(&b);
		jb_puts(&b, "{");
		jb_key(&b, "category");
		jb_str(&b, u->category);
		jb_key(&b, "category_id");
		if (u->category_id)
			jb_int(&b, u->category_id);
		else
			jb_puts(&b, "null");
		jb_key(&b, "month");
		jb_str(&b, u->month);
		jb_key(&b, "currency");
		jb_str(&b, u->currency);
		jb_key(&b, "amount");
		jb_amount(&b, u->amount, u->currency);
		jb_key(&b, "what");
		jb_str(&b, u->what);
		jb_puts(&b, "}");
	}
	jb_puts(&b, "]");
	rp_conv_json(&b, &f->conv);
	jb_puts(&b, "}");
	if ((text = jb_done(&b)) == NULL)
		rp_nomem(job, "forecast");
	b.s = NULL;
out:
	free(b.s);
	free(f->cats);
	free(f->occ);
	free(f->bun);
	rp_conv_free(&f->conv);
	rp_conv_free(&f->uconv);
	free(f);
	return text;
}

const struct spend_report rp_forecast = {
	.version = SPEND_REPORT_V1,
	.name = "forecast",
	.description = "a month's projection in the base currency: spent so "
	    "far, dated later, the pace, what recurring rules will add, "
	    "against the budgets",
	.run = forecast_run,
};
