/*
 * payees: who was paid most over a range, in the base currency. Payees
 * are told apart ASCII case-insensitively ("ACME" is "Acme"); expenses
 * without a payee are counted apart (no_payee), and the payees past the
 * limit together (others).
 *
 * A payee is shown as its smallest spelling in byte order ("ACME" for
 * "Acme" and "ACME").
 *
 * Params: from/to (open ends allowed) or week, month, year, period;
 * limit=N (1..1000, 10).
 *
 * Conversion: a payee's cell is its expenses of one day in one currency,
 * converted once; so a payee's total can differ from the same expenses
 * summed by category (summary, breakdown) by rounding, at most half a
 * minor unit per cell.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rp.h"

struct payee {
	char *name;
	int64_t amount, count;
	char first[11], last[11];
};

struct py {
	struct spend_report_job *job;
	struct payee *v;
	size_t n, cap;
	struct payee none;	/* no payee */
	struct rp_conv conv;
	int64_t total, count;
};

static int
cell(void *arg, const struct spend_cell *c)
{
	struct py *p = arg;
	struct payee *e;
	int conv = rp_conv_note(&p->conv, c);

	if (conv < 0)
		goto nomem;
	if (!conv)
		return 0;
	if (*c->payee == '\0')
		e = &p->none;
	else if (p->n > 0 && strcasecmp(p->v[p->n - 1].name, c->payee) == 0) {
		e = &p->v[p->n - 1];	/* cells come by payee */
		/* spelt as its smallest spelling (byte order): "ACME" for
		 * "Acme" and "ACME", whatever the days */
		if (strcmp(c->payee, e->name) < 0) {
			char *n = strdup(c->payee);

			if (n == NULL)
				goto nomem;
			free(e->name);
			e->name = n;
		}
	} else {
		if (p->n == p->cap) {
			size_t n = p->cap ? p->cap * 2 : 64;
			void *v = realloc(p->v, n * sizeof(*p->v));

			if (v == NULL)
				goto nomem;
			p->v = v;
			p->cap = n;
		}
		e = &p->v[p->n];
		memset(e, 0, sizeof(*e));
		if ((e->name = strdup(c->payee)) == NULL)
			goto nomem;
		p->n++;
	}
	if (__builtin_add_overflow(e->amount, c->base_minor, &e->amount) ||
	    __builtin_add_overflow(p->total, c->base_minor, &p->total)) {
		rp_host->report_error(p->job, "payees: a total overflows");
		return 1;
	}
	e->count += c->count;
	p->count += c->count;
	if (e->first[0] == '\0' || strcmp(c->day, e->first) < 0)
		snprintf(e->first, sizeof(e->first), "%s", c->day);
	if (strcmp(c->day, e->last) > 0)
		snprintf(e->last, sizeof(e->last), "%s", c->day);
	return 0;
nomem:
	rp_nomem(p->job, "payees");
	return 1;
}

static int
payee_cmp(const void *a, const void *b)
{
	const struct payee *x = a, *y = b;
	int r;

	if (x->amount != y->amount)
		return x->amount > y->amount ? -1 : 1;
	if ((r = strcasecmp(x->name, y->name)) != 0)
		return r;
	return strcmp(x->name, y->name);
}

static void
put_payee(struct jbuf *b, const struct payee *e, int64_t bp,
    const char *base)
{
	jb_key(b, "amount");
	jb_amount(b, e->amount, base);
	jb_key(b, "count");
	jb_int(b, e->count);
	jb_key(b, "percent");
	jb_bp(b, bp);
	jb_key(b, "first");
	jb_str(b, e->first);
	jb_key(b, "last");
	jb_str(b, e->last);
}

static const char *const known[] = { "from", "to", "week", "month", "year",
	"period", "limit", NULL };

static char *
payees_run(struct spend_plugin *self, struct spend_report_job *job)
{
	const char *base = rp_host->report_base_currency(job);
	const char *lim = rp_host->report_param(job, "limit");
	struct jbuf b = { 0 };
	struct payee others;
	struct rp_period p;
	struct py py;
	size_t limit = 10, shown;
	char *text = NULL;

	(void)self;
	memset(&py, 0, sizeof(py));
	memset(&others, 0, sizeof(others));
	py.job = job;
	if (rp_host->report_params_only(job, known) < 0 ||
	    rp_period_params(job, &p, 1) < 0)
		return NULL;
	if (lim && *lim) {
		char *end;
		long long n = strtoll(lim, &end, 10);

		if (*end != '\0' || n < 1 || n > 1000) {
			rp_host->report_error_field(job, "limit", "limit must "
			    "be 1..1000");
			return NULL;
		}
		limit = (size_t)n;
	}
	if (rp_host->report_cells(job, p.from, p.to, SPEND_CELLS_PAYEE, cell,
	    &py) < 0)
		goto out;
	if (py.n > 1)
		qsort(py.v, py.n, sizeof(*py.v), payee_cmp);
	shown = py.n < limit ? py.n : limit;
	for (size_t i = shown; i < py.n; i++) {
		others.amount += py.v[i].amount;	/* within total: fits */
		others.count += py.v[i].count;
		if (others.first[0] == '\0' ||
		    strcmp(py.v[i].first, others.first) < 0)
			memcpy(others.first, py.v[i].first, 11);
		if (strcmp(py.v[i].last, others.last) > 0)
			memcpy(others.last, py.v[i].last, 11);
	}
	jb_puts(&b, "{");
	jb_key(&b, "report");
	jb_str(&b, "payees");
	jb_key(&b, "from");
	jb_str(&b, p.from);
	jb_key(&b, "to");
	jb_str(&b, p.to);
	jb_key(&b, "currency");
	jb_str(&b, base);
	jb_key(&b, "limit");
	jb_int(&b, (int64_t)limit);
	jb_key(&b, "total");
	jb_amount(&b, py.total, base);
	jb_key(&b, "count");
	jb_int(&b, py.count);
	jb_key(&b, "payees");
	jb_int(&b, (int64_t)py.n);
	jb_key(&b, "items");
	jb_puts(&b, "[");
	for (size_t i = 0; i < shown; i++) {
		jb_elem(&b);
		jb_puts(&b, "{");
		jb_key(&b, "payee");
		jb_str(&b, py.v[i].name);
		put_payee(&b, &py.v[i], py.total > 0 ? rp_div((__int128)
		    py.v[i].amount * 10000, py.total) : RP_NONE, base);
		jb_puts(&b, "}");
	}
	jb_puts(&b, "]");
	jb_key(&b, "others");
	jb_puts(&b, "{");
	jb_key(&b, "payees");
	jb_int(&b, (int64_t)(py.n - shown));
	put_payee(&b, &others, py.total > 0 ? rp_div((__int128)others.amount *
	    10000, py.total) : RP_NONE, base);
	jb_puts(&b, "}");
	jb_key(&b, "no_payee");
	jb_puts(&b, "{");
	put_payee(&b, &py.none, py.total > 0 ? rp_div((__int128)py.none.amount *
	    10000, py.total) : RP_NONE, base);
	jb_puts(&b, "}");
	rp_conv_json(&b, &py.conv);
	jb_puts(&b, "}");
	if ((text = jb_done(&b)) == NULL)
		rp_nomem(job, "payees");
	b.s = NULL;
out:
	free(b.s);
	for (size_t i = 0; i < py.n; i++)
		free(py.v[i].name);
	free(py.v);
	rp_conv_free(&py.conv);
	return text;
}

const struct spend_report rp_payees = {
	.version = SPEND_REPORT_V1,
	.name = "payees",
	.description = "the top payees of a range in the base currency",
	.run = payees_run,
};
