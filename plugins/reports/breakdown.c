/*
 * breakdown: each category's share of a range, in the base currency, as
 * pie-chart data: label, amount, percent (the positive categories share
 * 100.00 % by largest remainder), a colour derived from the category id.
 *
 * Params: from/to (open ends allowed), or week, month, year, period.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rp.h"

struct bd {
	struct spend_report_job *job;
	struct rp_cats cats;
	struct rp_conv conv;
	int64_t total, count;
};

static int
cell(void *arg, const struct spend_cell *c)
{
	struct bd *d = arg;
	struct rp_cat *cat;
	int conv = rp_conv_note(&d->conv, c);

	if (conv < 0 || (conv && (cat = rp_cat_of(&d->cats, c->category_id,
	    c->category)) == NULL)) {
		rp_nomem(d->job, "breakdown");
		return 1;
	}
	if (!conv)
		return 0;
	if (__builtin_add_overflow(d->total, c->base_minor, &d->total) ||
	    __builtin_add_overflow(cat->amount, c->base_minor, &cat->amount)) {
		rp_host->report_error(d->job, "breakdown: the total overflows");
		return 1;
	}
	cat->count += c->count;
	d->count += c->count;
	return 0;
}

static const char *const known[] = { "from", "to", "week", "month", "year",
	"period", NULL };

static char *
breakdown_run(struct spend_plugin *self, struct spend_report_job *job)
{
	const char *base = rp_host->report_base_currency(job);
	struct jbuf b = { 0 };
	struct rp_period p;
	struct bd d;
	int64_t *amounts = NULL, *bp = NULL;
	char *text = NULL;

	(void)self;
	memset(&d, 0, sizeof(d));
	d.job = job;
	if (rp_host->report_params_only(job, known) < 0 ||
	    rp_period_params(job, &p, 1) < 0)
		return NULL;
	if (rp_host->report_cells(job, p.from, p.to, SPEND_CELLS_DAY, cell,
	    &d) < 0)
		goto out;
	if (d.cats.n) {
		amounts = calloc(d.cats.n, sizeof(*amounts));
		bp = calloc(d.cats.n, sizeof(*bp));
		if (amounts == NULL || bp == NULL) {
			rp_nomem(job, "breakdown");
			goto out;
		}
		for (size_t i = 0; i < d.cats.n; i++)
			amounts[i] = d.cats.v[i].amount;
		rp_shares(amounts, d.cats.n, bp);
		for (size_t i = 0; i < d.cats.n; i++)
			d.cats.v[i].bp = bp[i];
		rp_cats_by_amount(&d.cats);
	}
	jb_puts(&b, "{");
	jb_key(&b, "report");
	jb_str(&b, "breakdown");
	jb_key(&b, "from");
	jb_str(&b, p.from);
	jb_key(&b, "to");
	jb_str(&b, p.to);
	jb_key(&b, "currency");
	jb_str(&b, base);
	jb_key(&b, "total");
	jb_amount(&b, d.total, base);
	jb_key(&b, "count");
	jb_int(&b, d.count);
	jb_key(&b, "items");
	jb_puts(&b, "[");
	for (size_t i = 0; i < d.cats.n; i++) {
		struct rp_cat *c = &d.cats.v[i];

		jb_elem(&b);
		jb_puts(&b, "{");
		jb_key(&b, "label");
		jb_str(&b, c->name);
		jb_key(&b, "category_id");
		jb_int(&b, c->id);
		jb_key(&b, "amount");
		jb_amount(&b, c->amount, base);
		jb_key(&b, "count");
		jb_int(&b, c->count);
		jb_key(&b, "percent");
		jb_bp(&b, c->bp);
		jb_key(&b, "bp");
		if (c->bp == RP_NONE)
			jb_puts(&b, "null");
		else
			jb_int(&b, c->bp);
		jb_key(&b, "color");
		jb_str(&b, c->color);
		jb_puts(&b, "}");
	}
	jb_puts(&b, "]");
	rp_conv_json(&b, &d.conv);
	jb_puts(&b, "}");
	if ((text = jb_done(&b)) == NULL)
		rp_nomem(job, "breakdown");
	b.s = NULL;
out:
	free(b.s);
	free(amounts);
	free(bp);
	rp_cats_free(&d.cats);
	rp_conv_free(&d.conv);
	return text;
}

const struct spend_report rp_breakdown = {
	.version = SPEND_REPORT_V1,
	.name = "breakdown",
	.description = "category shares of a range in the base currency, as "
	    "pie-chart data with a colour per category",
	.run = breakdown_run,
};
