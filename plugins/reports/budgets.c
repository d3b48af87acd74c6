/*
 * budget: the user's budgets against what was spent, month by month
 * (host->report_budget_status: budget.status for each month, rollover
 * chains, conversion at each day's rate, the projection with what the
 * recurring rules will still create), and per budget its totals over the
 * range: the sum of its months' limits and of what they spent, what is
 * left of the one by the other, and how many months ended ok, near or
 * over. A month in which a budget has no amount is not one of its
 * months.
 *
 * Params: from=YYYY-MM, to=YYYY-MM (default: the 12 months ending with
 * the user's current one; with from alone, up to the current month or
 * 11 months after from if that is later; at most 120 months).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rp.h"

#define BR_MONTHS_MAX 120

struct btot {
	int64_t category_id;
	char name[72];
	int rollover;
	int64_t months, limit, spent, ok, near, over;
};

struct bunc {
	char category[72];
	int64_t category_id;
	char month[8], currency[4], what[16];
	int64_t amount;
};

struct br {
	struct spend_report_job *job;
	const char *base;
	struct jbuf *b;
	struct btot *t;
	size_t nt;
	struct bunc *u;
	size_t nu;
	int failed;
};

static int
br_nomem(struct br *r)
{
	rp_nomem(r->job, "budget");
	r->failed = 1;
	return 1;
}

static int
br_add(struct br *r, int64_t *to, int64_t v)
{
	if (__builtin_add_overflow(*to, v, to)) {
		rp_host->report_error(r->job, "budget: a total overflows");
		r->failed = 1;
		return -1;
	}
	return 0;
}

static struct btot *
br_tot_of(struct br *r, const struct spend_budget_line *l)
{
	void *v;

	for (size_t i = 0; i < r->nt; i++)
		if (r->t[i].category_id == l->category_id)
			return &r->t[i];
	if ((v = realloc(r->t, (r->nt + 1) * sizeof(*r->t))) == NULL)
		return NULL;
	r->t = v;
	memset(&r->t[r->nt], 0, sizeof(*r->t));
	r->t[r->nt].category_id = l->category_id;
	snprintf(r->t[r->nt].name, sizeof(r->t[r->nt].name), "%s",
	    l->category);
	return &r->t[r->nt++];
}

static void
br_percent(struct jbuf *b, int has, int64_t v)
{
	if (has)
		jb_int(b, v);
	else
		jb_puts(b, "null");
}

static int
br_month(void *arg, const struct spend_budget_month *m)
{
	struct br *r = arg;
	struct jbuf *b = r->b;

	jb_elem(b);
	jb_puts(b, "{");
	jb_key(b, "month");
	jb_str(b, m->month);
	jb_key(b, "period");
	jb_str(b, m->period);
	jb_key(b, "day");
	jb_int(b, m->day);
	jb_key(b, "days");
	jb_int(b, m->days);
	jb_key(b, "items");
	jb_puts(b, "[");
	for (size_t i = 0; i < m->nlines; i++) {
		const struct spend_budget_line *l = m->lines[i];
		struct btot *t = br_tot_of(r, l);

		if (t == NULL)
			return br_nomem(r);
		t->months++;
		t->rollover = l->rollover;
		if (br_add(r, &t->limit, l->limit) < 0 ||
		    br_add(r, &t->spent, l->spent) < 0)
			return 1;
		if (!strcmp(l->state, "over"))
			t->over++;
		else if (!strcmp(l->state, "near"))
			t->near++;
		else
			t->ok++;
		jb_elem(b);
		jb_puts(b, "{");
		jb_key(b, "category");
		jb_str(b, l->category);
		jb_key(b, "category_id");
		if (l->category_id)
			jb_int(b, l->category_id);
		else
			jb_puts(b, "null");
		jb_key(b, "overall");
		jb_puts(b, l->category_id ? "false" : "true");
		jb_key(b, "rollover");
		jb_puts(b, l->rollover ? "true" : "false");
		jb_key(b, "limit");
		jb_amount(b, l->limit, r->base);
		jb_key(b, "carry");
		jb_amount(b, l->carry, r->base);
		jb_key(b, "available");
		jb_amount(b, l->available, r->base);
		jb_key(b, "spent");
		jb_amount(b, l->spent, r->base);
		jb_key(b, "remaining");
		jb_amount(b, l->available - l->spent, r->base);
		jb_key(b, "percent");
		br_percent(b, l->has_percent, l->percent);
		jb_key(b, "state");
		jb_str(b, l->state);
		jb_key(b, "to_come");
		jb_amount(b, l->to_come, r->base);
		jb_key(b, "projected");
		jb_amount(b, l->projected, r->base);
		jb_puts(b, "}");
	}
	jb_puts(b, "]");
	jb_puts(b, "}");
	/* a chain's month is listed by every later month: once here */
	for (size_t i = 0; i < m->nunconverted; i++) {
		const struct spend_budget_unconverted *x = m->unconverted[i];
		size_t k;
		struct bunc *u;
		void *v;

		for (k = 0; k < r->nu; k++)
			if (r->u[k].category_id == x->category_id &&
			    !strcmp(r->u[k].month, x->month) &&
			    !strcmp(r->u[k].currency, x->currency) &&
			    !strcmp(r->u[k].what, x->what))
				break;
		if (k < r->nu)
			continue;
		if ((v = realloc(r->u, (r->nu + 1) * sizeof(*r->u))) == NULL)
			return br_nomem(r);
		r->u = v;
		u = &r->u[r->nu++];
		memset(u, 0, sizeof(*u));
		snprintf(u->category, sizeof(u->category), "%s", x->category);
		u->category_id = x->category_id;
		snprintf(u->month, sizeof(u->month), "%s", x->month);
		snprintf(u->currency, sizeof(u->currency), "%s", x->currency);
		snprintf(u->what, sizeof(u->what), "%s", x->what);
		u->amount = x->amount_minor;
	}
	return b->failed ? br_nomem(r) : 0;
}

static int
br_unc_cmp(const void *a, const void *b)
{
	const struct bunc *x = a, *y = b;
	int c;

	if ((c = strcmp(x->month, y->month)) != 0)
		return c;
	if ((c = strcmp(x->category, y->category)) != 0)
		return c;
	if (x->category_id != y->category_id)
		return x->category_id < y->category_id ? -1 : 1;
	if ((c = strcmp(x->currency, y->currency)) != 0)
		return c;
	return strcmp(x->what, y->what);
}

static const char *const br_known[] = { "from", "to", NULL };

static char *
budget_run(struct spend_plugin *self, struct spend_report_job *job)
{
	const char *fp = rp_host->report_param(job, "from");
	const char *tp = rp_host->report_param(job, "to");
	struct jbuf b = { 0 };
	struct br r;
	int64_t tdays;
	int y, m, d, from = 0, to = 0, now;
	char month[8];
	char *text = NULL;

	(void)self;
	memset(&r, 0, sizeof(r));
	r.job = job;
	r.b = &b;
	r.base = rp_host->report_base_currency(job);
	if (rp_host->report_params_only(job, br_known) < 0)
		return NULL;
	if (rp_parse_date(rp_host->report_today(job), &tdays) < 0) {
		rp_host->report_error(job, "budget: today is not a date");
		return NULL;
	}
	rp_civil(tdays, &y, &m, &d);
	now = y * 12 + m - 1;
	if (fp && *fp) {
		if (rp_parse_month(fp, &y, &m) < 0) {
			rp_host->report_error_field(job, "from", "from must be "
			    "YYYY-MM (1900..2999)");
			return NULL;
		}
		from = y * 12 + m - 1;
	}
	if (tp && *tp) {
		if (rp_parse_month(tp, &y, &m) < 0) {
			rp_host->report_error_field(job, "to", "to must be "
			    "YYYY-MM (1900..2999)");
			return NULL;
		}
		to = y * 12 + m - 1;
	} else if (fp && *fp)
		to = from + 11 > now ? from + 11 : now;
	else
		to = now;
	if (!(fp && *fp))
		from = to - 11;
	if (from > to) {
		rp_host->report_error_field(job, "to", "to is before from");
		return NULL;
	}
	if (to - from + 1 > BR_MONTHS_MAX) {
		rp_host->report_error_field(job, "to", "at most %d months at "
		    "once", BR_MONTHS_MAX);
		return NULL;
	}

	jb_puts(&b, "{");
	jb_key(&b, "report");
	jb_str(&b, "budget");
	jb_key(&b, "from");
	snprintf(month, sizeof(month), "%04d-%02d", from / 12, from % 12 + 1);
	jb_str(&b, month);
	jb_key(&b, "to");
	snprintf(month, sizeof(month), "%04d-%02d", to / 12, to % 12 + 1);
	jb_str(&b, month);
	jb_key(&b, "today");
	jb_str(&b, rp_host->report_today(job));
	jb_key(&b, "currency");
	jb_str(&b, r.base);
	jb_key(&b, "months");
	jb_puts(&b, "[");
	for (int n = from; n <= to; n++) {
		snprintf(month, sizeof(month), "%04d-%02d", n / 12, n % 12 + 1);
		if (rp_host->report_budget_status(job, month, br_month,
		    &r) < 0 || r.failed)
			goto out;
	}
	jb_puts(&b, "]");
	jb_key(&b, "budgets");
	jb_puts(&b, "[");
	for (size_t i = 0; i < r.nt; i++) {
		const struct btot *t = &r.t[i];

		jb_elem(&b);
		jb_puts(&b, "{");
		jb_key(&b, "category");
		jb_str(&b, t->name);
		jb_key(&b, "category_id");
		if (t->category_id)
			jb_int(&b, t->category_id);
		else
			jb_puts(&b, "null");
		jb_key(&b, "overall");
		jb_puts(&b, t->category_id ? "false" : "true");
		jb_key(&b, "rollover");
		jb_puts(&b, t->rollover ? "true" : "false");
		jb_key(&b, "months");
		jb_int(&b, t->months);
		jb_key(&b, "limit");
		jb_amount(&b, t->limit, r.base);
		jb_key(&b, "spent");
		jb_amount(&b, t->spent, r.base);
		jb_key(&b, "remaining");
		jb_amount(&b, t->limit - t->spent, r.base);
		jb_key(&b, "percent");
		br_percent(&b, t->limit > 0, t->limit > 0 && t->spent > 0 ?
		    (int64_t)((__int128)t->spent * 100 / t->limit) : 0);
		jb_key(&b, "ok");
		jb_int(&b, t->ok);
		jb_key(&b, "near");
		jb_int(&b, t->near);
		jb_key(&b, "over");
		jb_int(&b, t->over);
		jb_puts(&b, "}");
	}
	jb_puts(&b, "]");
	if (r.nu > 1)
		qsort(r.u, r.nu, sizeof(*r.u), br_unc_cmp);
	jb_key(&b, "unconverted");
	jb_puts(&b, "[");
	for (size_t i = 0; i < r.nu; i++) {
		const struct bunc *u = &r.u[i];

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
	jb_puts(&b, "}");
	if ((text = jb_done(&b)) == NULL)
		rp_nomem(job, "budget");
	b.s = NULL;
out:
	free(b.s);
	free(r.t);
	free(r.u);
	return text;
}

const struct spend_report rp_budget = {
	.version = SPEND_REPORT_V1,
	.name = "budget",
	.description = "budgets against what was spent, month by month "
	    "(limit, carry, available, spent, remaining, state) and per "
	    "budget over the range",
	.run = budget_run,
};
