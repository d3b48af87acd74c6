/*
 * The host functions of report jobs that work in the user's base
 * currency (include/spend/plugin.h, "reports in the user's base
 * currency"): the base currency, today, the parameter check, errors that
 * name a parameter, and report_cells, the spending of a period as cells
 * converted once each.
 *
 * Conversion: a cell is the sum of one day's expenses in one currency
 * (and one category, or one payee), converted once with rates_convert
 * (daemon/rates.h: through EUR, at the rate of the day or the nearest
 * earlier one, exact, half to even to the base currency's minor unit).
 * A cell without a rate on or before its day is handed over unconverted
 * (converted = 0): never guessed. The rates are loaded for the call's
 * period only (rates_new_window).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "log.h"
#include "money.h"
#include "rates.h"
#include "recurring.h"
#include "report_job.h"
#include "util.h"

#define KNOWN_MAX 64

void
report_names_free(struct report_names *n)
{
	free(n->v);
	memset(n, 0, sizeof(*n));
}

void
report_job_release(struct spend_report_job *job)
{
	report_names_free(&job->names);
	if (job->book_loaded)
		budget_book_free(&job->book);
	job->book_loaded = false;
}

const char *
report_api_base_currency(struct spend_report_job *job)
{
	return job->user.currency;
}

const char *
report_api_today(struct spend_report_job *job)
{
	/* budget_today: the clock budget.status reads (tests inject one) */
	if (job->today[0] == '\0')
		budget_today(&job->user, job->today);
	return job->today;
}

static void
fail(struct spend_report_job *job, const char *field, const char *fmt,
    va_list ap)
{
	if (job->failed)
		return;
	job->failed = true;
	vsnprintf(job->msg, sizeof(job->msg), fmt, ap);
	if (!utf8_valid(job->msg, strlen(job->msg)))
		strlcpy(job->msg, "(message not valid UTF-8)", sizeof(job->msg));
	strlcpy(job->field, field && utf8_valid(field, strlen(field)) ? field :
	    "", sizeof(job->field));
}

void
report_api_error_field(struct spend_report_job *job, const char *field,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail(job, field, fmt, ap);
	va_end(ap);
}

static void
failf(struct spend_report_job *job, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
failf(struct spend_report_job *job, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail(job, field, fmt, ap);
	va_end(ap);
}

int
report_api_params_only(struct spend_report_job *job,
    const char *const *known)
{
	const char *k;
	json_t *v;

	if (job->failed)
		return -1;
	json_object_foreach(job->params, k, v) {
		char list[512] = "";
		size_t i;

		for (i = 0; known && known[i] && i < KNOWN_MAX; i++)
			if (strcmp(known[i], k) == 0)
				break;
		if (known && known[i] && i < KNOWN_MAX)
			continue;
		for (i = 0; known && known[i] && i < KNOWN_MAX; i++) {
			if (i)
				strlcat(list, ", ", sizeof(list));
			strlcat(list, known[i], sizeof(list));
		}
		failf(job, k, "unknown parameter %s (this report takes: %s)",
		    k, list[0] ? list : "none");
		return -1;
	}
	return 0;
}

/* ---- cells ---- */

static int
name_add(void *arg, int64_t id, const char *name)
{
	struct report_names *ns = arg;
	struct report_name *n;

	if ((ns->n & (ns->n - 1)) == 0) {	/* 0, 1, 2, 4... */
		n = reallocarray(ns->v, ns->n ? ns->n * 2 : 16, sizeof(*n));
		if (n == NULL)
			return SPEND_ENOMEM;
		ns->v = n;
	}
	n = &ns->v[ns->n++];
	n->id = id;
	strlcpy(n->name, name, sizeof(n->name));
	return 0;
}

/* The name of category id ("" if unknown: cannot happen for a total the
 * triggers keep, as expenses need their category). names are by id. */
static const char *
name_of(const struct report_names *ns, int64_t id)
{
	size_t lo = 0, hi = ns->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ns->v[mid].id == id)
			return ns->v[mid].name;
		if (ns->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return "";
}

struct cells {
	const struct report_names *names;
	enum spend_cells by;
	struct rates *rates;
	const struct currency *base;
	/* the currencies met so far, looked up once each */
	struct {
		char code[4];
		const struct currency *c;
	} seen[16];
	size_t nseen;
	int (*cb)(void *, const struct spend_cell *);
	void *arg;
	struct spend_err err;
	bool failed;
};

static int
cell(void *arg, const struct report_cell *rc)
{
	struct cells *c = arg;
	struct spend_cell sc;
	char used[DATE_LEN + 1] = "";
	int r;

	const struct currency *cur = NULL;
	size_t i;

	for (i = 0; i < c->nseen; i++)
		if (memcmp(c->seen[i].code, rc->currency, 4) == 0) {
			cur = c->seen[i].c;
			break;
		}
	if (i == c->nseen) {
		cur = money_currency(rc->currency);
		if (c->nseen < sizeof(c->seen) / sizeof(c->seen[0])) {
			memcpy(c->seen[c->nseen].code, rc->currency, 4);
			c->seen[c->nseen++].c = cur;
		}
	}
	if (cur == NULL) {
		spend_errf(&c->err, SPEND_EINVAL, "currency", "unknown "
		    "currency %s", rc->currency);
		c->failed = true;
		return SPEND_EINVAL;
	}
	memset(&sc, 0, sizeof(sc));
	sc.day = rc->day;
	sc.category_id = rc->category_id;
	sc.category = c->by == SPEND_CELLS_DAY ?
	    name_of(c->names, rc->category_id) : "";
	sc.payee = rc->payee;
	sc.currency = rc->currency;
	sc.exponent = cur->exponent;
	sc.count = rc->count;
	sc.sum_minor = rc->sum;
	sc.rate_date = "";
	if (cur == c->base) {
		sc.converted = 1;
		sc.base_minor = rc->sum;
	} else {
		r = rates_convert_cur(c->rates, rc->sum, cur, c->base, rc->day,
		    &sc.base_minor, used, &c->err);
		if (r == 0) {
			sc.converted = 1;
			sc.rate_date = used;
		} else if (r == SPEND_ENOTFOUND)
			sc.base_minor = 0;	/* unconverted: listed, not guessed */
		else {
			c->failed = true;
			return r;
		}
	}
	return c->cb(c->arg, &sc) != 0 ? 1 : 0;
}

int
report_cells_walk(struct store *st, const struct user *u,
    struct report_names *names, const char *from, const char *to,
    enum spend_cells by, int (*cb)(void *, const struct spend_cell *),
    void *arg, struct spend_err *err)
{
	struct cells c;
	int r;

	if (from == NULL)
		from = "";
	if (to == NULL)
		to = "";
	if ((*from && !date_valid(from)) || (*to && !date_valid(to)) ||
	    (by != SPEND_CELLS_DAY && by != SPEND_CELLS_PAYEE) || cb == NULL)
		return spend_errf(err, SPEND_EINVAL, "", "cells: bad period or "
		    "grouping");
	memset(&c, 0, sizeof(c));
	c.names = names;
	c.by = by;
	c.cb = cb;
	c.arg = arg;
	if ((c.base = money_currency(u->currency)) == NULL)
		return spend_errf(err, SPEND_EINVAL, "", "the base currency %s "
		    "is unknown", u->currency);
	if (by == SPEND_CELLS_DAY && !names->loaded) {
		if ((r = store_category_names(st, u->id, name_add, names,
		    err)) != 0)
			return r == SPEND_ENOMEM ? spend_errf(err, SPEND_ENOMEM,
			    "", "out of memory") : r;
		names->loaded = true;
	}
	/* an open end converts with every rate there is */
	c.rates = *from && *to ? rates_new_window(st, from, to) :
	    rates_new(st);
	if (c.rates == NULL)
		return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	spend_err_clear(&c.err);
	r = by == SPEND_CELLS_DAY ?
	    store_report_day_cells(st, u->id, from, to, cell, &c, err) :
	    store_report_payee_cells(st, u->id, from, to, cell, &c, err);
	rates_free(c.rates);
	if (c.failed) {
		*err = c.err;
		return c.err.code ? c.err.code : SPEND_EINTERNAL;
	}
	return r;
}

int
report_api_cells(struct spend_report_job *job, const char *from,
    const char *to, enum spend_cells by,
    int (*cb)(void *, const struct spend_cell *), void *arg)
{
	struct spend_err err;
	int r;

	if (job->failed || cb == NULL)
		return -1;
	spend_err_clear(&err);
	r = report_cells_walk(job->st, &job->user, &job->names, from, to, by,
	    cb, arg, &err);
	if (r < 0) {
		failf(job, err.field, "%s", err.msg);
		return -1;
	}
	return r ? -1 : 0;	/* the plugin stopped the walk */
}

/* ---- recurring rules' occurrences still to come ---- */

struct upc {
	struct rates *rates;
	const struct currency *base;
	int (*cb)(void *, const struct spend_cell *);
	void *arg;
	bool stopped;
	struct spend_err err;
	bool failed;
};

static int
upc_occ(void *arg, const struct occurrence *o)
{
	struct upc *u = arg;
	const struct currency *cur = money_currency(o->currency);
	char used[DATE_LEN + 1] = "";
	struct spend_cell sc;
	int r;

	if (cur == NULL) {
		spend_errf(&u->err, SPEND_EINVAL, "currency", "recurring rule "
		    "%lld: unknown currency %s", (long long)o->rule_id,
		    o->currency);
		u->failed = true;
		return SPEND_EINVAL;
	}
	memset(&sc, 0, sizeof(sc));
	sc.day = o->date;
	sc.category_id = o->category_id;
	sc.category = o->category;
	sc.payee = o->rule ? o->rule->payee : "";
	sc.currency = o->currency;
	sc.exponent = cur->exponent;
	sc.count = 1;
	sc.sum_minor = o->amount;
	sc.rate_date = "";
	if (cur == u->base) {
		sc.converted = 1;
		sc.base_minor = o->amount;
	} else {
		r = rates_convert_cur(u->rates, o->amount, cur, u->base, o->date,
		    &sc.base_minor, used, &u->err);
		if (r == 0) {
			sc.converted = 1;
			sc.rate_date = used;
		} else if (r == SPEND_ENOTFOUND)
			sc.base_minor = 0;	/* unconverted: listed, not guessed */
		else {
			u->failed = true;
			return r;
		}
	}
	if (u->cb(u->arg, &sc) != 0) {
		u->stopped = true;
		return 1;
	}
	return 0;
}

int
report_upcoming_walk(struct store *st, const struct user *u,
    const char *from, const char *to,
    int (*cb)(void *, const struct spend_cell *), void *arg,
    struct spend_err *err)
{
	struct upc k;
	int r;

	if (from == NULL || to == NULL || !date_valid(from) ||
	    !date_valid(to) || strcmp(from, to) > 0 || cb == NULL)
		return spend_errf(err, SPEND_EINVAL, "", "upcoming: from and to "
		    "must be dates, from before to");
	memset(&k, 0, sizeof(k));
	k.cb = cb;
	k.arg = arg;
	if ((k.base = money_currency(u->currency)) == NULL)
		return spend_errf(err, SPEND_EINVAL, "", "the base currency %s "
		    "is unknown", u->currency);
	if ((k.rates = rates_new_window(st, from, to)) == NULL)
		return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	spend_err_clear(&k.err);
	r = recurring_upcoming(st, u->id, from, to, upc_occ, &k, err);
	rates_free(k.rates);
	if (k.failed) {
		*err = k.err;
		return k.err.code ? k.err.code : SPEND_EINTERNAL;
	}
	if (k.stopped)
		return 1;
	return r < 0 ? r : 0;
}

int
report_api_upcoming(struct spend_report_job *job, const char *from,
    const char *to, int (*cb)(void *, const struct spend_cell *), void *arg)
{
	struct spend_err err;
	int r;

	if (job->failed || cb == NULL)
		return -1;
	spend_err_clear(&err);
	r = report_upcoming_walk(job->st, &job->user, from, to, cb, arg, &err);
	if (r < 0) {
		failf(job, err.field, "%s", err.msg);
		return -1;
	}
	return r ? -1 : 0;
}

/* ---- budgets ---- */

static const char *const period_names[] = { "past", "current", "future" };

int
report_api_budget_status(struct spend_report_job *job, const char *month,
    int (*cb)(void *, const struct spend_budget_month *), void *arg)
{
	const struct currency *base = money_currency(job->user.currency);
	struct spend_budget_line *lines = NULL;
	struct spend_budget_unconverted *un = NULL;
	const struct spend_budget_line **lp = NULL;
	const struct spend_budget_unconverted **up = NULL;
	struct spend_budget_month m;
	struct budget_status s;
	struct spend_err err;
	int r, rc = -1;

	if (job->failed || cb == NULL)
		return -1;
	if (month == NULL || !budget_month_valid(month)) {
		failf(job, "month", "month \"%.20s\": expected YYYY-MM",
		    month ? month : "");
		return -1;
	}
	if (base == NULL) {
		failf(job, "", "the base currency %s is unknown",
		    job->user.currency);
		return -1;
	}
	spend_err_clear(&err);
	if (!job->book_loaded) {
		if (budget_book_load(job->st, job->user.id, &job->book,
		    &err) < 0) {
			failf(job, err.field, "%s", err.msg);
			return -1;
		}
		job->book_loaded = true;
	}
	if ((r = budget_status(job->st, &job->user, &job->book, month,
	    report_api_today(job), recurring_budget_upcoming, &s, &err)) < 0) {
		failf(job, err.field, "%s", err.msg);
		return -1;
	}
	lines = calloc(s.nlines ? s.nlines : 1, sizeof(*lines));
	lp = calloc(s.nlines ? s.nlines : 1, sizeof(*lp));
	un = calloc(s.nunconv ? s.nunconv : 1, sizeof(*un));
	up = calloc(s.nunconv ? s.nunconv : 1, sizeof(*up));
	if (lines == NULL || lp == NULL || un == NULL || up == NULL) {
		failf(job, "", "out of memory");
		goto out;
	}
	for (size_t i = 0; i < s.nlines; i++) {
		const struct budget_line *l = &s.lines[i];
		struct spend_budget_line *o = &lines[i];

		o->category = l->b->category_id ? l->b->category :
		    BUDGET_OVERALL;
		o->category_id = l->b->category_id;
		o->rollover = l->b->rollover;
		o->limit = l->limit;
		o->carry = l->carry;
		o->available = l->available;
		o->spent = l->spent;
		o->spent_to_date = l->spent_to_date;
		o->to_come = l->to_come;
		o->projected = l->projected;
		o->has_percent = l->has_percent;
		o->percent = l->percent;
		o->state = budget_state_name(l->state);
		lp[i] = o;
	}
	for (size_t i = 0; i < s.nunconv; i++) {
		const struct budget_unconverted *x = &s.unconv[i];
		const struct currency *c = money_currency(x->currency);
		struct spend_budget_unconverted *o = &un[i];

		o->category = BUDGET_OVERALL;
		for (size_t k = 0; k < s.nlines && x->category_id; k++)
			if (s.lines[k].b->category_id == x->category_id)
				o->category = s.lines[k].b->category;
		o->category_id = x->category_id;
		o->month = x->month;
		o->currency = x->currency;
		o->exponent = c ? c->exponent : 2;
		o->amount_minor = x->amount;
		o->what = x->what;
		up[i] = o;
	}
	memset(&m, 0, sizeof(m));
	m.month = s.month;
	m.today = s.today;
	m.currency = s.currency;
	m.exponent = base->exponent;
	m.period = period_names[s.period];
	m.day = s.day;
	m.days = s.days;
	m.lines = lp;
	m.nlines = s.nlines;
	m.unconverted = up;
	m.nunconverted = s.nunconv;
	rc = cb(arg, &m) != 0 ? -1 : 0;
out:
	free(lines);
	free(lp);
	free(un);
	free(up);
	budget_status_free(&s);
	return rc;
}
