/* Budgets: their rules, and the status of a month (budget.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "domain.h"
#include "money.h"
#include "rates.h"

/* ---- months ---- */

static int
month_num(const char *s)	/* "YYYY-MM" -> y * 12 + m - 1, or -1 */
{
	int y = 0, m = 0;

	if (s == NULL || strlen(s) < BUDGET_MONTH_LEN || s[4] != '-')
		return -1;
	for (int i = 0; i < 4; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		y = y * 10 + s[i] - '0';
	}
	for (int i = 5; i < 7; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		m = m * 10 + s[i] - '0';
	}
	if (y < 1900 || y > 2999 || m < 1 || m > 12)
		return -1;
	return y * 12 + m - 1;
}

static void
month_str(int n, char out[BUDGET_MONTH_LEN + 1])
{
	int y = (n / 12) % 10000, m = n % 12 + 1;

	/* not snprintf: a rollover chain formats one per month and budget */
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '\0';
}

bool
budget_month_valid(const char *s)
{
	return s && strlen(s) == BUDGET_MONTH_LEN && month_num(s) >= 0;
}

void
budget_month_add(const char *m, int n, char out[BUDGET_MONTH_LEN + 1])
{
	month_str(month_num(m) + n, out);
}

/* ---- the clock ---- */

/* Process-wide: a test's injected clock (budget_set_clock), set before
 * anything runs; NULL in spendd. */
static void (*clock_fn)(const char *, char *);

void
budget_set_clock(void (*fn)(const char *tz, char out[DATE_LEN + 1]))
{
	clock_fn = fn;
}

void
budget_today(const struct user *u, char out[DATE_LEN + 1])
{
	if (clock_fn)
		clock_fn(u->timezone, out);
	else
		date_today(u->timezone, out);
}

/* ---- writing budgets ---- */

int
budget_category(struct store *st, int64_t uid, int64_t id, const char *name,
    int64_t *category_id, char name_out[NAME_MAX_LEN + 1],
    struct spend_err *err)
{
	struct category c;
	int r;

	if (id == 0 && name && strcasecmp_ascii(name, BUDGET_OVERALL) == 0) {
		*category_id = 0;
		strlcpy(name_out, BUDGET_OVERALL, NAME_MAX_LEN + 1);
		return 0;
	}
	if (id == 0 && (name == NULL || *name == '\0'))
		return spend_errf(err, SPEND_EINVAL, "category", "category is "
		    "required (a name, an id, or \"%s\" for the overall "
		    "budget)", BUDGET_OVERALL);
	if ((r = category_find(st, uid, 0, id, name, false, &c, err)) < 0) {
		if (r == SPEND_ENOTFOUND)
			return spend_errf(err, SPEND_ENOTFOUND, "category",
			    "no category \"%s\"", id ? "(that id)" : name);
		return r;
	}
	*category_id = c.id;
	strlcpy(name_out, c.name, NAME_MAX_LEN + 1);
	return 0;
}

static int
cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int
budget_thresholds_parse(const char *text, const char *field, int *out, int *n,
    char canon[BUDGET_ALERTS_LEN], struct spend_err *err)
{
	const char *p = text;
	int k = 0;

	if (text == NULL || *text == '\0')
		return spend_errf(err, SPEND_EINVAL, field, "%s: give percents "
		    "like 80,100", field);
	while (*p) {
		int v = 0, digits = 0;

		while (*p == ' ')
			p++;
		while (*p >= '0' && *p <= '9' && digits < 6) {
			v = v * 10 + (*p++ - '0');
			digits++;
		}
		if (*p == '%')
			p++;
		while (*p == ' ')
			p++;
		if (digits == 0 || (*p != ',' && *p != '\0'))
			return spend_errf(err, SPEND_EINVAL, field, "%s \"%.40s\": "
			    "percents separated by commas, like 50,90,100",
			    field, text);
		if (v < 1 || v > BUDGET_THRESHOLD_MAX)
			return spend_errf(err, SPEND_EINVAL, field, "%s: %d%% is "
			    "not between 1 and %d", field, v,
			    BUDGET_THRESHOLD_MAX);
		bool dup = false;
		for (int i = 0; i < k; i++)
			dup |= out[i] == v;
		if (!dup) {
			if (k == BUDGET_THRESHOLDS_MAX)
				return spend_errf(err, SPEND_EINVAL, field, "%s: "
				    "at most %d thresholds", field,
				    BUDGET_THRESHOLDS_MAX);
			out[k++] = v;
		}
		if (*p == ',')
			p++;
	}
	qsort(out, (size_t)k, sizeof(*out), cmp_int);
	*n = k;
	canon[0] = '\0';
	for (int i = 0; i < k; i++) {
		char b[16];

		snprintf(b, sizeof(b), "%s%d", i ? "," : "", out[i]);
		strlcat(canon, b, BUDGET_ALERTS_LEN);
	}
	return 0;
}

static int
amount_parse(const char *text, const char *currency, int64_t *out,
    struct spend_err *err)
{
	const struct currency *cur = money_currency(currency);
	char buf[64];
	int r;

	if (cur == NULL)
		return spend_errf(err, SPEND_EINTERNAL, "", "unknown base "
		    "currency %s", currency);
	if (text == NULL)
		return spend_errf(err, SPEND_EINVAL, "amount", "amount is "
		    "required");
	if (expense_text_field("amount", text, NULL, buf, sizeof(buf), err) < 0)
		return SPEND_EINVAL;
	str_trim(buf);
	if ((r = money_parse(buf, cur->exponent, false, out, err)) < 0)
		return r;
	if (*out < 0)
		return spend_errf(err, SPEND_EINVAL, "amount", "amount \"%s\": a "
		    "budget is not negative", buf);
	return 0;
}

int
budget_set(struct write_tx *w, const struct user *u,
    const struct budget_input *in, const char *today, struct budget *out,
    struct spend_err *err)
{
	int th[BUDGET_THRESHOLDS_MAX], nth;
	char canon[BUDGET_ALERTS_LEN], prev[BUDGET_MONTH_LEN + 1];
	int64_t amount;
	bool fresh = false;
	int r;

	if (in->month && !budget_month_valid(in->month))
		return spend_errf(err, SPEND_EINVAL, "month", "month \"%.20s\": "
		    "expected YYYY-MM", in->month);
	if (in->since && !budget_month_valid(in->since))
		return spend_errf(err, SPEND_EINVAL, "since", "since \"%.20s\": "
		    "expected YYYY-MM", in->since);
	if ((r = amount_parse(in->amount, u->currency, &amount, err)) < 0)
		return r;
	if (in->alerts && (r = budget_thresholds_parse(in->alerts, "alerts", th,
	    &nth, canon, err)) < 0)
		return r;
	r = store_budget_get(w->st, u->id, in->category_id, out, err);
	if (r == SPEND_ENOTFOUND) {
		spend_err_clear(err);
		memset(out, 0, sizeof(*out));
		out->user_id = u->id;
		out->category_id = in->category_id;
		fresh = true;
	} else if (r < 0)
		return r;
	else if (out->deleted) {	/* a new budget in the old row */
		if ((r = store_budget_months_clear(w->st, out->id, err)) < 0)
			return r;
		fresh = true;
	} else if (strcmp(out->currency, u->currency) != 0)
		return spend_errf(err, SPEND_ECONFLICT, "category", "this budget "
		    "is in %s and the base currency is now %s: remove it and "
		    "set it again", out->currency, u->currency);
	if (fresh) {
		out->deleted = false;
		out->has_amount = false;
		out->rollover = false;
		strlcpy(out->currency, u->currency, sizeof(out->currency));
		memcpy(out->since, today, BUDGET_MONTH_LEN);
		out->since[BUDGET_MONTH_LEN] = '\0';
		strlcpy(out->alerts, BUDGET_DEFAULT_ALERTS, sizeof(out->alerts));
	}
	if (in->month == NULL) {
		out->has_amount = true;
		out->amount = amount;
	}
	if (in->since)
		strlcpy(out->since, in->since, sizeof(out->since));
	if (in->rollover >= 0)
		out->rollover = in->rollover != 0;
	if (in->alerts)
		strlcpy(out->alerts, canon, sizeof(out->alerts));
	if ((r = store_budget_put(w->st, out, err)) < 0)
		return r;
	if (in->month && (r = store_budget_month_set(w->st, out->id, in->month,
	    amount, err)) < 0)
		return r;
	/* the months whose status this may change: the evaluator looks from
	 * the previous month on (a rollover carries into the later ones) */
	budget_month_add(today, -1, prev);
	write_touch_month(w, in->month ? in->month : prev);
	return write_change(w, CH_BUDGET, out->id, fresh ?
	    CH_CREATE : CH_UPDATE, out->version, err);
}

int
budget_remove(struct write_tx *w, const struct user *u, int64_t category_id,
    const char *month, struct spend_err *err)
{
	struct budget b;
	bool found;
	int r;

	if (month && !budget_month_valid(month))
		return spend_errf(err, SPEND_EINVAL, "month", "month \"%.20s\": "
		    "expected YYYY-MM", month);
	r = store_budget_get(w->st, u->id, category_id, &b, err);
	if (r == SPEND_ENOTFOUND || (r == 0 && b.deleted))
		return spend_errf(err, SPEND_ENOTFOUND, "category", "no budget "
		    "for this category");
	if (r < 0)
		return r;
	if (month) {
		if ((r = store_budget_month_delete(w->st, b.id, month, &found,
		    err)) < 0)
			return r;
		if (!found)
			return spend_errf(err, SPEND_ENOTFOUND, "month", "this "
			    "budget has no amount of its own for %s", month);
		/* its default (if any) applies again: a lower one may cross
		 * a threshold */
		write_touch_month(w, month);
	} else {
		if ((r = store_budget_months_clear(w->st, b.id, err)) < 0)
			return r;
		b.deleted = true;
	}
	if ((r = store_budget_put(w->st, &b, err)) < 0)
		return r;
	return write_change(w, CH_BUDGET, b.id, month ? CH_UPDATE : CH_DELETE,
	    b.version, err);
}

/* ---- the book ---- */

static int
book_add(void *arg, const struct budget *b)
{
	struct budget_book *bk = arg;
	struct budget *p = realloc(bk->b, (bk->nb + 1) * sizeof(*p));

	if (p == NULL)
		return SPEND_ENOMEM;
	bk->b = p;
	bk->b[bk->nb++] = *b;
	return 0;
}

static int
book_month(void *arg, const struct budget_month *m)
{
	struct budget_book *bk = arg;
	struct budget_month *p = realloc(bk->m, (bk->nm + 1) * sizeof(*p));

	if (p == NULL)
		return SPEND_ENOMEM;
	bk->m = p;
	bk->m[bk->nm++] = *m;
	return 0;
}

int
budget_book_load(struct store *st, int64_t uid, struct budget_book *bk,
    struct spend_err *err)
{
	int r;

	memset(bk, 0, sizeof(*bk));
	if ((r = store_budget_list(st, uid, book_add, bk, err)) == 0)
		r = store_budget_months(st, uid, 0, book_month, bk, err);
	if (r == SPEND_ENOMEM)
		spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	if (r < 0)
		budget_book_free(bk);
	return r;
}

void
budget_book_free(struct budget_book *bk)
{
	free(bk->b);
	free(bk->m);
	memset(bk, 0, sizeof(*bk));
}

bool
budget_limit(const struct budget_book *bk, const struct budget *b,
    const char *month, int64_t *amount)
{
	for (size_t i = 0; i < bk->nm; i++)
		if (bk->m[i].budget_id == b->id &&
		    strcmp(bk->m[i].month, month) == 0) {
			*amount = bk->m[i].amount;
			return true;
		}
	if (b->has_amount && strcmp(month, b->since) >= 0) {
		*amount = b->amount;
		return true;
	}
	return false;
}

/* The first month b has an amount for (INT32_MAX: none). */
static int
first_month(const struct budget_book *bk, const struct budget *b)
{
	int first = b->has_amount ? month_num(b->since) : INT32_MAX;

	for (size_t i = 0; i < bk->nm; i++)
		if (bk->m[i].budget_id == b->id) {
			int n = month_num(bk->m[i].month);

			if (n >= 0 && n < first)
				first = n;
		}
	return first;
}

const char *
budget_state_name(enum budget_state s)
{
	switch (s) {
	case BUDGET_OK: return "ok";
	case BUDGET_NEAR: return "near";
	case BUDGET_OVER: return "over";
	}
	return "?";
}

/* ---- status ---- */

struct calc {
	struct store *st;
	const struct user *u;
	const struct budget_book *bk;
	budget_upcoming_fn upcoming;	/* NULL: nothing to come */
	struct budget_status *s;
	struct rates *rates;
	int from;		/* the first month read (month_num) */
	int nmonths;		/* from .. the month asked */
	int64_t *spent;		/* [line][month] */
	struct {		/* months before with amounts in another */
		char month[BUDGET_MONTH_LEN + 1];	/* currency */
		char currency[4];
	} *foreign;
	size_t nforeign;
	struct spend_err *err;
};

static int
unconverted(struct calc *k, int64_t category_id, const char *month,
    const char *currency, int64_t amount, const char *what)
{
	struct budget_status *s = k->s;
	struct budget_unconverted *u;

	for (size_t i = 0; i < s->nunconv; i++) {
		u = &s->unconv[i];
		if (u->category_id == category_id && !strcmp(u->month, month) &&
		    !strcmp(u->currency, currency) && !strcmp(u->what, what))
			return money_add(u->amount, amount, &u->amount) < 0 ?
			    spend_errf(k->err, SPEND_EINVAL, "", "the unconverted "
			    "sum overflows") : 0;
	}
	if ((u = realloc(s->unconv, (s->nunconv + 1) * sizeof(*u))) == NULL)
		return spend_errf(k->err, SPEND_ENOMEM, "", "out of memory");
	s->unconv = u;
	u = &s->unconv[s->nunconv++];
	memset(u, 0, sizeof(*u));
	u->category_id = category_id;
	strlcpy(u->month, month, sizeof(u->month));
	strlcpy(u->currency, currency, sizeof(u->currency));
	u->amount = amount;
	u->what = what;
	return 0;
}

/* amount of currency at date into the base: 1 and *out, 0 if no rate
 * converts it (listed as unconverted), or a negative error. */
static int
convert(struct calc *k, int64_t amount, const char *currency,
    const char *date, int64_t category_id, const char *what, int64_t *out)
{
	char used[DATE_LEN + 1], month[BUDGET_MONTH_LEN + 1];
	struct spend_err e;
	int r;

	if (strcmp(currency, k->u->currency) == 0) {
		*out = amount;
		return 1;
	}
	if (k->rates == NULL) {
		char since[DATE_LEN + 1], to[DATE_LEN + 1];

		month_str(k->from, month);
		month_range(month, since, to);
		if ((k->rates = rates_new_since(k->st, since)) == NULL)
			return spend_errf(k->err, SPEND_ENOMEM, "", "out of "
			    "memory");
	}
	spend_err_clear(&e);
	if ((r = rates_convert(k->rates, amount, currency, k->u->currency, date,
	    out, used, &e)) == 0)
		return 1;
	if (r != SPEND_ENOTFOUND && r != SPEND_EINVAL) {
		*k->err = e;
		return r;
	}
	memcpy(month, date, BUDGET_MONTH_LEN);
	month[BUDGET_MONTH_LEN] = '\0';
	if ((r = unconverted(k, category_id, month, currency, amount,
	    what)) < 0)
		return r;
	return 0;
}

static bool
line_has(const struct budget_line *l, int64_t category_id)
{
	return l->b->category_id == 0 || l->b->category_id == category_id;
}

static int
add_checked(struct calc *k, int64_t *sum, int64_t v)
{
	if (money_add(*sum, v, sum) < 0)
		return spend_errf(k->err, SPEND_EINVAL, "", "the sum of these "
		    "expenses overflows");
	return 0;
}

static int
day_cb(void *arg, const struct day_total *t)
{
	struct calc *k = arg;
	struct budget_status *s = k->s;
	int mi = month_num(t->day) - k->from;
	bool any = false, to_date;
	int64_t v;
	int r;

	if (mi < 0 || mi >= k->nmonths)
		return 0;
	for (size_t i = 0; i < s->nlines && !any; i++)
		any = line_has(&s->lines[i], t->category_id);
	if (!any)
		return 0;	/* no budget counts it: no conversion */
	/* a month's key ("YYYY-MM") is in the base: no conversion */
	if ((r = convert(k, t->sum, t->currency, t->day, t->category_id,
	    "spent", &v)) <= 0)
		return r;
	to_date = mi == k->nmonths - 1 && strcmp(t->day, s->today) <= 0;
	for (size_t i = 0; i < s->nlines; i++) {
		struct budget_line *l = &s->lines[i];

		if (!line_has(l, t->category_id))
			continue;
		if ((r = add_checked(k, &k->spent[i * (size_t)k->nmonths + mi],
		    v)) < 0 || (to_date && (r = add_checked(k,
		    &l->spent_to_date, v)) < 0))
			return r;
	}
	return 0;
}

/* A month before the one asked: amounts in the base add up as they are;
 * the others are read again per day, to convert at each day's rate. */
static int
month_cb(void *arg, const struct day_total *t)
{
	struct calc *k = arg;
	struct budget_status *s = k->s;
	int mi = month_num(t->day) - k->from;
	bool any = false;
	int r;

	if (mi < 0 || mi >= k->nmonths - 1)
		return 0;
	for (size_t i = 0; i < s->nlines && !any; i++)
		any = line_has(&s->lines[i], t->category_id);
	if (!any)
		return 0;
	if (strcmp(t->currency, k->u->currency) != 0) {
		size_t i;

		for (i = 0; i < k->nforeign; i++)
			if (!strcmp(k->foreign[i].month, t->day) &&
			    !strcmp(k->foreign[i].currency, t->currency))
				return 0;
		void *p = realloc(k->foreign, (k->nforeign + 1) *
		    sizeof(*k->foreign));
		if (p == NULL)
			return spend_errf(k->err, SPEND_ENOMEM, "", "out of "
			    "memory");
		k->foreign = p;
		strlcpy(k->foreign[i].month, t->day, BUDGET_MONTH_LEN + 1);
		strlcpy(k->foreign[i].currency, t->currency, 4);
		k->nforeign++;
		return 0;
	}
	for (size_t i = 0; i < s->nlines; i++)
		if (line_has(&s->lines[i], t->category_id) &&
		    (r = add_checked(k, &k->spent[i * (size_t)k->nmonths + mi],
		    t->sum)) < 0)
			return r;
	return 0;
}

static int
upcoming_cb(void *arg, const struct budget_upcoming *x)
{
	struct calc *k = arg;
	struct budget_status *s = k->s;
	int64_t v;
	int r;

	if (money_currency(x->currency) == NULL || !date_valid(x->date))
		return 0;
	if ((r = convert(k, x->amount, x->currency, x->date, x->category_id,
	    "to come", &v)) <= 0)
		return r;
	for (size_t i = 0; i < s->nlines; i++)
		if (line_has(&s->lines[i], x->category_id) &&
		    (r = add_checked(k, &s->lines[i].to_come, v)) < 0)
			return r;
	return 0;
}

/* A budget's amount in the base currency (0: unconverted, listed). */
static int
limit_base(struct calc *k, const struct budget *b, const char *month,
    int64_t amount, int64_t *out)
{
	char first[DATE_LEN + 1], last[DATE_LEN + 1];

	if (strcmp(b->currency, k->u->currency) == 0) {
		*out = amount;
		return 1;
	}
	month_range(month, first, last);
	return convert(k, amount, b->currency, first, b->category_id, "limit",
	    out);
}

/* spent * num / den, rounded half away from zero (a projection). */
static int64_t
scale(int64_t v, int64_t num, int64_t den)
{
	__int128 x = (__int128)v * num;
	__int128 q = (x < 0 ? x - den / 2 : x + den / 2) / den;

	if (q > MONEY_MAX_E4)
		q = MONEY_MAX_E4;
	if (q < -MONEY_MAX_E4)
		q = -MONEY_MAX_E4;
	return (int64_t)q;
}

static void
judge(struct budget_line *l)
{
	__int128 spent100 = (__int128)l->spent * 100;
	bool near;

	l->has_percent = l->available > 0;
	l->percent = 0;
	if (l->has_percent && l->spent > 0)
		l->percent = (int64_t)(spent100 / l->available);
	l->crossed = 0;
	for (int i = 0; i < l->nthresholds; i++)
		if (l->spent > 0 && (l->available <= 0 ||
		    spent100 >= (__int128)l->thresholds[i] * l->available))
			l->crossed |= 1u << i;
	near = l->crossed != 0 || l->projected > l->available;
	l->state = l->spent > l->available ? BUDGET_OVER : near ? BUDGET_NEAR :
	    BUDGET_OK;
}

static int
compute(struct calc *k, const char *month)
{
	struct budget_status *s = k->s;
	const struct budget_book *bk = k->bk;
	int target = month_num(month), from = target;
	char first[DATE_LEN + 1], last[DATE_LEN + 1], m[BUDGET_MONTH_LEN + 1];
	char tfirst[DATE_LEN + 1];
	int r;

	/* the budgets with an amount this month, and where their chains
	 * start */
	if ((s->lines = calloc(bk->nb ? bk->nb : 1, sizeof(*s->lines))) ==
	    NULL)
		return spend_errf(k->err, SPEND_ENOMEM, "", "out of memory");
	for (size_t i = 0; i < bk->nb; i++) {
		const struct budget *b = &bk->b[i];
		struct budget_line *l = &s->lines[s->nlines];
		int64_t amount;
		int f;

		if (!budget_limit(bk, b, month, &amount))
			continue;
		l->b = b;
		l->limit = amount;	/* in b->currency until converted */
		budget_thresholds_parse(b->alerts, "alerts", l->thresholds,
		    &l->nthresholds, (char[BUDGET_ALERTS_LEN]){ 0 }, k->err);
		spend_err_clear(k->err);
		if (b->rollover && (f = first_month(bk, b)) < from)
			from = f;
		s->nlines++;
	}
	if (s->nlines == 0)
		return 0;
	k->from = from;
	k->nmonths = target - from + 1;
	if ((k->spent = calloc((size_t)k->nmonths * s->nlines,
	    sizeof(*k->spent))) == NULL)
		return spend_errf(k->err, SPEND_ENOMEM, "", "out of memory");
	/* the months before (a rollover chain): a row per month and
	 * category, and the days of those with other currencies */
	if (from < target) {
		char lm[BUDGET_MONTH_LEN + 1];

		month_str(from, m);
		month_str(target - 1, lm);
		if ((r = store_month_totals(k->st, k->u->id, m, lm, month_cb, k,
		    k->err)) < 0)
			return r;
		for (size_t i = 0; i < k->nforeign; i++) {
			month_range(k->foreign[i].month, first, last);
			if ((r = store_budget_days(k->st, k->u->id, first, last,
			    k->foreign[i].currency, day_cb, k, k->err)) < 0)
				return r;
		}
	}
	/* the month asked, day by day */
	month_range(month, tfirst, last);
	if ((r = store_budget_days(k->st, k->u->id, tfirst, last, NULL, day_cb,
	    k, k->err)) < 0)
		return r;
	/* still to come */
	if (k->upcoming && s->period != PERIOD_PAST) {
		char tomorrow[DATE_LEN + 1];

		if (s->period == PERIOD_CURRENT)
			date_add_days(s->today, 1, tomorrow);
		else
			month_range(month, tomorrow, last);
		if (strcmp(tomorrow, last) <= 0 && (r = k->upcoming(k->st, k->u,
		    tomorrow, last, upcoming_cb, k, k->err)) < 0)
			return r;
	}
	for (size_t i = 0; i < s->nlines; i++) {
		struct budget_line *l = &s->lines[i];
		const struct budget *b = l->b;
		int64_t carry = 0, *spent = &k->spent[i * (size_t)k->nmonths];

		if (b->rollover) {
			for (int n = first_month(bk, b) > from ?
			    first_month(bk, b) : from; n < target; n++) {
				int64_t amount, base;

				month_str(n, m);
				if (!budget_limit(bk, b, m, &amount)) {
					carry = 0;	/* a month without: the
							 * chain starts again */
					continue;
				}
				if ((r = limit_base(k, b, m, amount, &base)) < 0)
					return r;
				if (r == 0) {
					carry = 0;
					continue;
				}
				/* what was available, less what was spent */
				if (add_checked(k, &carry, base) < 0 ||
				    add_checked(k, &carry, -spent[n - from]) < 0)
					return k->err->code;
			}
		}
		if ((r = limit_base(k, b, month, l->limit, &l->limit)) < 0)
			return r;
		if (r == 0) {		/* no rate for the budget itself */
			memmove(l, l + 1, (s->nlines - i - 1) * sizeof(*l));
			memmove(spent, spent + k->nmonths, (s->nlines - i - 1) *
			    (size_t)k->nmonths * sizeof(*spent));
			s->nlines--;
			i--;
			continue;
		}
		l->carry = carry;
		l->spent = spent[target - from];
		if (add_checked(k, &l->available, l->limit) < 0 ||
		    add_checked(k, &l->available, l->carry) < 0)
			return k->err->code;
		switch (s->period) {
		case PERIOD_PAST:
			l->projected = l->spent;
			break;
		case PERIOD_CURRENT:
			l->projected = scale(l->spent_to_date, s->days, s->day) +
			    (l->spent - l->spent_to_date);
			break;
		case PERIOD_FUTURE:
			l->projected = l->spent;
			break;
		}
		if (add_checked(k, &l->projected, l->to_come) < 0)
			return k->err->code;
		judge(l);
	}
	return 0;
}

int
budget_status(struct store *st, const struct user *u,
    const struct budget_book *bk, const char *month, const char *today,
    budget_upcoming_fn upcoming, struct budget_status *out,
    struct spend_err *err)
{
	struct calc k;
	char tm[BUDGET_MONTH_LEN + 1];
	int r, y, mo;

	memset(out, 0, sizeof(*out));
	if (!budget_month_valid(month))
		return spend_errf(err, SPEND_EINVAL, "month", "month \"%.20s\": "
		    "expected YYYY-MM", month);
	strlcpy(out->month, month, sizeof(out->month));
	strlcpy(out->today, today, sizeof(out->today));
	strlcpy(out->currency, u->currency, sizeof(out->currency));
	memcpy(tm, today, BUDGET_MONTH_LEN);
	tm[BUDGET_MONTH_LEN] = '\0';
	y = month_num(month) / 12;
	mo = month_num(month) % 12 + 1;
	out->days = days_in_month(y, mo);
	r = strcmp(month, tm);
	out->period = r < 0 ? PERIOD_PAST : r > 0 ? PERIOD_FUTURE :
	    PERIOD_CURRENT;
	out->day = r < 0 ? out->days : r > 0 ? 0 : atoi(today + 8);
	memset(&k, 0, sizeof(k));
	k.st = st;
	k.u = u;
	k.bk = bk;
	k.upcoming = upcoming;
	k.s = out;
	k.err = err;
	r = compute(&k, month);
	free(k.spent);
	free(k.foreign);
	rates_free(k.rates);
	if (r < 0)
		budget_status_free(out);
	return r < 0 ? r : 0;
}

void
budget_status_free(struct budget_status *s)
{
	free(s->lines);
	free(s->unconv);
	s->lines = NULL;
	s->unconv = NULL;
	s->nlines = s->nunconv = 0;
}
