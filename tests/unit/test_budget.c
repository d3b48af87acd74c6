/* Budgets with an injected clock: rollover chains, the projection,
 * conversion (and what no rate converts), thresholds, and alerts that
 * fire exactly once from every kind of write. */
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "budget.h"
#include "domain.h"
#include "events.h"
#include "money.h"
#include "rates.h"
#include "recurring.h"
#include "util.h"

static char today[DATE_LEN + 1] = "2024-03-10";

static void
fake_clock(const char *tz, char out[DATE_LEN + 1])
{
	(void)tz;
	strlcpy(out, today, DATE_LEN + 1);
}

/* what status() asks for what is still to come (NULL: nothing) */
static budget_upcoming_fn upcoming;

struct fx {
	struct spendd *sd;
	struct user alice, bob;
	int64_t food, rent, bob_food;
};

static void
mkuser(struct store *st, struct user *u, const char *name, const char *cur)
{
	struct write_tx w;
	struct spend_err err;

	memset(u, 0, sizeof(*u));
	strlcpy(u->name, name, sizeof(u->name));
	strlcpy(u->role, "user", sizeof(u->role));
	strlcpy(u->currency, cur, sizeof(u->currency));
	strlcpy(u->timezone, "UTC", sizeof(u->timezone));
	if (write_begin(&w, st, 0, &err) < 0 ||
	    user_create(&w, u, NULL, &err) < 0 ||
	    write_commit(&w, &err) < 0)
		fail_msg("user %s: %s", name, err.msg);
	write_run_hooks(&w, NULL);
}

static int64_t
cat_id(struct store *st, int64_t uid, const char *name)
{
	struct category c;
	struct spend_err err;

	if (store_category_by_name(st, uid, name, &c, &err) < 0)
		fail_msg("category %s: %s", name, err.msg);
	return c.id;
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	fx->sd = tu_spendd();
	budget_alerts_init();
	budget_set_clock(fake_clock);
	upcoming = NULL;
	strlcpy(today, "2024-03-10", sizeof(today));
	mkuser(fx->sd->store, &fx->alice, "alice", "EUR");
	mkuser(fx->sd->store, &fx->bob, "bob", "EUR");
	fx->food = cat_id(fx->sd->store, fx->alice.id, "food");
	fx->rent = cat_id(fx->sd->store, fx->alice.id, "bills");
	fx->bob_food = cat_id(fx->sd->store, fx->bob.id, "food");
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	write_set_precommit(NULL);
	budget_set_clock(NULL);
	upcoming = NULL;
	events_free(fx->sd);
	tu_spendd_free(fx->sd);
	free(fx);
	return 0;
}

/* An expense through the one write path; its id. */
static int64_t
spend(struct fx *fx, const struct user *u, const char *amount,
    const char *currency, int64_t category, const char *date)
{
	struct expense_input in = { 0 };
	struct expense e;
	struct write_tx w;
	struct spend_err err;

	in.set = EF_AMOUNT | EF_CATEGORY | EF_DATE |
	    (currency ? EF_CURRENCY : 0);
	in.amount = amount;
	in.currency = currency;
	in.category_id = category;
	in.date = date;
	if (write_begin(&w, fx->sd->store, u->id, &err) < 0 ||
	    expense_create(&w, u, &in, &e, &err) < 0 ||
	    write_commit(&w, &err) < 0)
		fail_msg("expense %s %s: %s", amount, date, err.msg);
	write_run_hooks(&w, fx->sd);
	return e.id;
}

/* Set a budget through the domain. */
static void
set(struct fx *fx, const struct user *u, int64_t category, const char *amount,
    const char *month, const char *since, int rollover, const char *alerts)
{
	struct budget_input in = { category, amount, month, since, rollover,
	    alerts };
	struct budget b;
	struct write_tx w;
	struct spend_err err;

	if (write_begin(&w, fx->sd->store, u->id, &err) < 0 ||
	    budget_set(&w, u, &in, today, &b, &err) < 0 ||
	    write_commit(&w, &err) < 0)
		fail_msg("budget %s %s: %s", amount, month ? month : "", err.msg);
	write_run_hooks(&w, fx->sd);
}

static struct budget_book book;
static struct budget_status st;

/* The status of month; the line of category (NULL if none). */
static const struct budget_line *
status(struct fx *fx, const struct user *u, const char *month,
    int64_t category)
{
	struct spend_err err;

	budget_status_free(&st);
	budget_book_free(&book);
	if (budget_book_load(fx->sd->store, u->id, &book, &err) < 0 ||
	    budget_status(fx->sd->store, u, &book, month, today, upcoming,
	    &st, &err) < 0)
		fail_msg("status %s: %s", month, err.msg);
	for (size_t i = 0; i < st.nlines; i++)
		if (st.lines[i].b->category_id == category)
			return &st.lines[i];
	return NULL;
}

static void
done(void)
{
	budget_status_free(&st);
	budget_book_free(&book);
}

#define LINE(l, limit_, carry_, available_, spent_) do {		\
	assert_non_null(l);						\
	assert_int_equal((l)->limit, (limit_));				\
	assert_int_equal((l)->carry, (carry_));				\
	assert_int_equal((l)->available, (available_));			\
	assert_int_equal((l)->spent, (spent_));				\
} while (0)

static void
test_rollover(void **state)
{
	struct fx *fx = *state;
	const struct budget_line *l;

	strlcpy(today, "2024-06-15", sizeof(today));
	/* 100.00 a month from January, rolling over; March has 200.00 */
	set(fx, &fx->alice, fx->food, "100", NULL, "2024-01", 1, NULL);
	set(fx, &fx->alice, fx->food, "200", "2024-03", NULL, -1, NULL);
	spend(fx, &fx->alice, "60", NULL, fx->food, "2024-01-05");
	spend(fx, &fx->alice, "150", NULL, fx->food, "2024-02-10");
	spend(fx, &fx->alice, "50", NULL, fx->food, "2024-03-31");
	spend(fx, &fx->alice, "20", NULL, fx->rent, "2024-03-02");
	spend(fx, &fx->alice, "999", NULL, fx->food, "2023-12-31");

	/* January starts the chain: what came before does not count */
	l = status(fx, &fx->alice, "2024-01", fx->food);
	LINE(l, 10000, 0, 10000, 6000);
	/* 40.00 left over */
	l = status(fx, &fx->alice, "2024-02", fx->food);
	LINE(l, 10000, 4000, 14000, 15000);
	assert_int_equal(l->state, BUDGET_OVER);
	/* 10.00 overspent carries too, into the month's own amount */
	l = status(fx, &fx->alice, "2024-03", fx->food);
	LINE(l, 20000, -1000, 19000, 5000);
	/* 140.00 left, then April and May spend nothing */
	l = status(fx, &fx->alice, "2024-04", fx->food);
	LINE(l, 10000, 14000, 24000, 0);
	l = status(fx, &fx->alice, "2024-06", fx->food);
	LINE(l, 10000, 34000, 44000, 0);
	/* before since, no budget */
	assert_null(status(fx, &fx->alice, "2023-12", fx->food));

	/* rollover off: each month on its own */
	set(fx, &fx->alice, fx->food, "100", NULL, NULL, 0, NULL);
	l = status(fx, &fx->alice, "2024-03", fx->food);
	LINE(l, 20000, 0, 20000, 5000);

	/* a budget with only months of its own: the chain starts again
	 * after a month without one */
	set(fx, &fx->alice, fx->rent, "30", "2024-01", NULL, 1, NULL);
	set(fx, &fx->alice, fx->rent, "30", "2024-03", NULL, -1, NULL);
	assert_null(status(fx, &fx->alice, "2024-02", fx->rent));
	l = status(fx, &fx->alice, "2024-03", fx->rent);
	LINE(l, 3000, 0, 3000, 2000);
	/* the overall budget counts every category */
	set(fx, &fx->alice, 0, "1000", NULL, "2024-03", 0, NULL);
	l = status(fx, &fx->alice, "2024-03", 0);
	LINE(l, 100000, 0, 100000, 7000);
	done();
}

static int upcoming_calls;
static char upcoming_from[DATE_LEN + 1], upcoming_to[DATE_LEN + 1];

static int64_t upcoming_cat;

static int
upcoming_food(struct store *stp, const struct user *u, const char *from,
    const char *to, int (*add)(void *, const struct budget_upcoming *),
    void *ctx, struct spend_err *err)
{
	struct budget_upcoming x = { 0 };

	(void)stp;
	(void)u;
	(void)err;
	upcoming_calls++;
	strlcpy(upcoming_from, from, sizeof(upcoming_from));
	strlcpy(upcoming_to, to, sizeof(upcoming_to));
	x.category_id = upcoming_cat;
	strlcpy(x.currency, "EUR", sizeof(x.currency));
	strlcpy(x.date, "2024-03-20", sizeof(x.date));
	x.amount = 3000;
	return add(ctx, &x);
}

static void
test_projection(void **state)
{
	struct fx *fx = *state;
	const struct budget_line *l;

	strlcpy(today, "2024-03-10", sizeof(today));
	set(fx, &fx->alice, fx->food, "400", NULL, "2024-01", 0, NULL);
	spend(fx, &fx->alice, "60", NULL, fx->food, "2024-03-01");
	spend(fx, &fx->alice, "40", NULL, fx->food, "2024-03-10");
	spend(fx, &fx->alice, "50", NULL, fx->food, "2024-03-25");
	spend(fx, &fx->alice, "300", NULL, fx->food, "2024-02-14");

	/* the current month: 100.00 in 10 days of 31 is 310.00, and what
	 * is already dated later comes on top */
	l = status(fx, &fx->alice, "2024-03", fx->food);
	assert_int_equal(st.period, PERIOD_CURRENT);
	assert_int_equal(st.day, 10);
	assert_int_equal(st.days, 31);
	assert_int_equal(l->spent, 15000);
	assert_int_equal(l->spent_to_date, 10000);
	assert_int_equal(l->projected, 36000);
	assert_int_equal(l->percent, 37);
	assert_int_equal(l->state, BUDGET_OK);
	/* a past month: what was spent */
	l = status(fx, &fx->alice, "2024-02", fx->food);
	assert_int_equal(st.period, PERIOD_PAST);
	assert_int_equal(st.day, 29);
	assert_int_equal(l->projected, 30000);
	/* a future month: nothing spent yet, nothing projected */
	l = status(fx, &fx->alice, "2024-04", fx->food);
	assert_int_equal(st.period, PERIOD_FUTURE);
	assert_int_equal(l->spent, 0);
	assert_int_equal(l->projected, 0);
	assert_int_equal(l->state, BUDGET_OK);

	/* the recurring expenses still to come, from the hook: tomorrow
	 * to the month's end */
	upcoming_cat = fx->food;
	upcoming = upcoming_food;
	upcoming_calls = 0;
	l = status(fx, &fx->alice, "2024-03", fx->food);
	assert_int_equal(upcoming_calls, 1);
	assert_string_equal(upcoming_from, "2024-03-11");
	assert_string_equal(upcoming_to, "2024-03-31");
	assert_int_equal(l->to_come, 3000);
	assert_int_equal(l->projected, 39000);
	/* not asked for a past month; a future month from its first day */
	upcoming_calls = 0;
	status(fx, &fx->alice, "2024-02", fx->food);
	assert_int_equal(upcoming_calls, 0);
	l = status(fx, &fx->alice, "2024-04", fx->food);
	assert_int_equal(upcoming_calls, 1);
	assert_string_equal(upcoming_from, "2024-04-01");
	assert_int_equal(l->projected, 3000);
	upcoming = NULL;

	/* projected over the limit: near, though only 37% is spent */
	spend(fx, &fx->alice, "50", NULL, fx->food, "2024-03-02");
	l = status(fx, &fx->alice, "2024-03", fx->food);
	assert_int_equal(l->spent_to_date, 15000);
	assert_int_equal(l->projected, 46500 + 5000);
	assert_int_equal(l->crossed, 0);
	assert_int_equal(l->state, BUDGET_NEAR);
	done();
}

/* A rule of u's through the domain: amount in cur every `every` from
 * start. */
static void
rule(struct fx *fx, const struct user *u, const char *amount,
    const char *cur, int64_t category, const char *every, const char *start)
{
	struct recurring_input in;
	struct recurring_rule r;
	struct write_tx w;
	struct spend_err err;

	memset(&in, 0, sizeof(in));
	in.exp.set = EF_AMOUNT | EF_CATEGORY | (cur ? EF_CURRENCY : 0);
	in.exp.amount = amount;
	in.exp.currency = cur;
	in.exp.category_id = category;
	in.set = RF_EVERY | RF_START;
	in.every = every;
	in.start = start;
	if (write_begin(&w, fx->sd->store, u->id, &err) < 0 ||
	    recurring_create(&w, u, &in, today, &r, &err) < 0 ||
	    write_commit(&w, &err) < 0)
		fail_msg("rule %s %s: %s", amount, every, err.msg);
	write_run_hooks(&w, NULL);
}

/* The projection counts what the user's recurring rules will still
 * create this month (recurring_budget_upcoming, as budget.status does):
 * converted at each occurrence's date, not what is already recorded,
 * not a paused rule's. */
static void
test_projection_recurring(void **state)
{
	struct fx *fx = *state;
	const struct budget_line *l;
	struct spend_err err;

	strlcpy(today, "2024-03-10", sizeof(today));
	set(fx, &fx->alice, fx->food, "380", NULL, "2024-01", 0, NULL);
	spend(fx, &fx->alice, "100", NULL, fx->food, "2024-03-05");
	/* weekly from the 12th: the 12th, 19th and 26th are to come */
	rule(fx, &fx->alice, "25", NULL, fx->food, "week", "2024-03-12");
	/* 10.00 USD monthly on the 20th, at 1 EUR = 1.25 USD: 8.00 */
	assert_int_equal(rates_set(fx->sd->store, "USD", "2024-03-01",
	    "1.25", "test", &err), 0);
	rule(fx, &fx->alice, "10", "USD", fx->food, "month", "2024-03-20");
	/* bob's rule is his */
	rule(fx, &fx->bob, "500", NULL, fx->bob_food, "day", "2024-03-11");
	upcoming = recurring_budget_upcoming;
	l = status(fx, &fx->alice, "2024-03", fx->food);
	assert_non_null(l);
	assert_int_equal(l->to_come, 7500 + 800);
	/* 100.00 in 10 days of 31 is 310.00, plus 83.00 to come */
	assert_int_equal(l->projected, 31000 + 8300);
	/* 26% spent, but 393.00 projected of 380.00: near */
	assert_int_equal(l->state, BUDGET_NEAR);
	/* next month: five Tuesdays (the 2nd to the 30th) and the 20th */
	l = status(fx, &fx->alice, "2024-04", fx->food);
	assert_int_equal(l->to_come, 5 * 2500 + 800);
	/* without the recurring feed, nothing is to come */
	upcoming = NULL;
	l = status(fx, &fx->alice, "2024-03", fx->food);
	assert_int_equal(l->to_come, 0);
	assert_int_equal(l->projected, 31000);
	assert_int_equal(l->state, BUDGET_OK);
}

static void
test_conversion(void **state)
{
	struct fx *fx = *state;
	struct spend_err err;
	const struct budget_line *l;

	strlcpy(today, "2024-03-10", sizeof(today));
	assert_int_equal(rates_set(fx->sd->store, "USD", "2024-03-04", "1.0856",
	    "manual", &err), 0);
	assert_int_equal(rates_set(fx->sd->store, "USD", "2024-03-08", "1.25",
	    "manual", &err), 0);
	set(fx, &fx->alice, fx->food, "500", NULL, "2024-01", 0, NULL);
	spend(fx, &fx->alice, "10", NULL, fx->food, "2024-03-01");
	/* at its own date's rate: 108.56 USD on the 5th is 100.00 EUR,
	 * 12.50 on the 9th is 10.00 */
	spend(fx, &fx->alice, "108.56", "USD", fx->food, "2024-03-05");
	spend(fx, &fx->alice, "12.50", "USD", fx->food, "2024-03-09");
	/* no rate of GBP, none of USD before March 4: unconverted */
	spend(fx, &fx->alice, "7.77", "GBP", fx->food, "2024-03-06");
	spend(fx, &fx->alice, "3", "USD", fx->food, "2024-03-01");
	spend(fx, &fx->alice, "1000", "JPY", fx->rent, "2024-03-06");
	l = status(fx, &fx->alice, "2024-03", fx->food);
	assert_int_equal(l->spent, 1000 + 10000 + 1000);
	assert_int_equal(st.nunconv, 2);	/* not the rent: no budget */
	for (size_t i = 0; i < st.nunconv; i++) {
		const struct budget_unconverted *u = &st.unconv[i];

		assert_int_equal(u->category_id, fx->food);
		assert_string_equal(u->month, "2024-03");
		assert_string_equal(u->what, "spent");
		if (strcmp(u->currency, "GBP") == 0)
			assert_int_equal(u->amount, 777);
		else {
			assert_string_equal(u->currency, "USD");
			assert_int_equal(u->amount, 300);
		}
	}
	/* the overall budget needs the rent's JPY: unconverted too */
	set(fx, &fx->alice, 0, "2000", NULL, "2024-01", 0, NULL);
	l = status(fx, &fx->alice, "2024-03", 0);
	assert_int_equal(l->spent, 12000);
	assert_int_equal(st.nunconv, 3);
	/* once JPY has a rate, it counts */
	assert_int_equal(rates_set(fx->sd->store, "JPY", "2024-03-01", "160",
	    "manual", &err), 0);
	l = status(fx, &fx->alice, "2024-03", 0);
	assert_int_equal(l->spent, 12000 + 625);
	assert_int_equal(st.nunconv, 2);
	done();
}

/* A rollover chain converts the months before at their days' rates
 * too, and lists what it cannot convert with its month. */
static void
test_conversion_chain(void **state)
{
	struct fx *fx = *state;
	struct spend_err err;
	const struct budget_line *l;

	strlcpy(today, "2024-03-10", sizeof(today));
	set(fx, &fx->alice, fx->food, "500", NULL, "2024-01", 1, NULL);
	spend(fx, &fx->alice, "100", NULL, fx->food, "2024-01-11");
	spend(fx, &fx->alice, "50", "USD", fx->food, "2024-02-10");
	spend(fx, &fx->alice, "100", NULL, fx->food, "2024-02-11");
	spend(fx, &fx->alice, "20", NULL, fx->food, "2024-03-01");
	l = status(fx, &fx->alice, "2024-03", fx->food);
	/* 400 left of January, 800 of February: 50 USD not counted */
	LINE(l, 50000, 80000, 130000, 2000);
	assert_int_equal(st.nunconv, 1);
	assert_string_equal(st.unconv[0].month, "2024-02");
	assert_string_equal(st.unconv[0].currency, "USD");
	assert_int_equal(st.unconv[0].amount, 5000);
	/* a rate from February 1st: 50 USD at 1.25 is 40.00 EUR */
	assert_int_equal(rates_set(fx->sd->store, "USD", "2024-02-01", "1.25",
	    "manual", &err), 0);
	l = status(fx, &fx->alice, "2024-03", fx->food);
	LINE(l, 50000, 76000, 126000, 2000);
	assert_int_equal(st.nunconv, 0);
	/* January alone is unchanged */
	l = status(fx, &fx->alice, "2024-01", fx->food);
	LINE(l, 50000, 0, 50000, 10000);
	done();
}

/* month_totals (what the chains read) against day_totals, after every
 * kind of change of an expense. */
struct sums {
	int64_t v[8][3];	/* [month][currency] */
};

static int
currency_ix(const char *c)
{
	return !strcmp(c, "EUR") ? 0 : !strcmp(c, "USD") ? 1 : 2;
}

static int
sum_days(void *arg, const struct day_total *t)
{
	struct sums *x = arg;

	x->v[atoi(t->day + 5) % 8][currency_ix(t->currency)] += t->sum *
	    (t->category_id % 7 + 1);
	return 0;
}

static void
same_totals(struct fx *fx, const char *what)
{
	struct sums a = { 0 }, b = { 0 };
	struct spend_err err;

	assert_int_equal(store_day_totals(fx->sd->store, fx->alice.id,
	    "2024-01-01", "2024-06-30", 0, sum_days, &a, &err), 0);
	assert_int_equal(store_month_totals(fx->sd->store, fx->alice.id,
	    "2024-01", "2024-06", sum_days, &b, &err), 0);
	if (memcmp(&a, &b, sizeof(a)) != 0)
		fail_msg("month_totals differ from day_totals after %s", what);
}

static void
test_month_totals(void **state)
{
	struct fx *fx = *state;
	json_t *res;
	char p[256];
	int64_t id;

	spend(fx, &fx->alice, "10", NULL, fx->food, "2024-01-31");
	id = spend(fx, &fx->alice, "20", NULL, fx->food, "2024-02-01");
	spend(fx, &fx->alice, "30", "USD", fx->rent, "2024-02-02");
	same_totals(fx, "adds");
	snprintf(p, sizeof(p), "{\"id\":%lld, \"date\":\"2024-03-15\"}",
	    (long long)id);
	json_decref(tu_ok(fx->sd, "alice", "expense.edit", p));
	same_totals(fx, "a date moved to another month");
	snprintf(p, sizeof(p), "{\"id\":%lld, \"category\":\"bills\", "
	    "\"currency\":\"USD\", \"amount\":\"25\"}", (long long)id);
	json_decref(tu_ok(fx->sd, "alice", "expense.edit", p));
	same_totals(fx, "category, currency and amount changed");
	snprintf(p, sizeof(p), "{\"id\":%lld}", (long long)id);
	json_decref(tu_ok(fx->sd, "alice", "expense.delete", p));
	same_totals(fx, "a delete");
	res = tu_ok(fx->sd, "alice", "category.delete", "{\"name\":\"food\", "
	    "\"move_to\":\"bills\"}");
	json_decref(res);
	same_totals(fx, "a category's expenses moved");
}

static void
test_thresholds(void **state)
{
	struct fx *fx = *state;
	int th[BUDGET_THRESHOLDS_MAX], n;
	char canon[BUDGET_ALERTS_LEN];
	struct spend_err err;
	const struct budget_line *l;

	assert_int_equal(budget_thresholds_parse("50,90,100", "alerts", th, &n,
	    canon, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(canon, "50,90,100");
	assert_int_equal(budget_thresholds_parse(" 100%, 50 ,50", "alerts", th,
	    &n, canon, &err), 0);
	assert_string_equal(canon, "50,100");
	assert_int_equal(budget_thresholds_parse("0", "alerts", th, &n, canon,
	    &err), SPEND_EINVAL);
	assert_string_equal(err.field, "alerts");
	assert_int_equal(budget_thresholds_parse("80,,100", "alerts", th, &n,
	    canon, &err), SPEND_EINVAL);
	assert_int_equal(budget_thresholds_parse("eighty", "alerts", th, &n,
	    canon, &err), SPEND_EINVAL);
	assert_int_equal(budget_thresholds_parse("1001", "alerts", th, &n,
	    canon, &err), SPEND_EINVAL);
	assert_int_equal(budget_thresholds_parse("1,2,3,4,5,6,7,8,9", "alerts",
	    th, &n, canon, &err), SPEND_EINVAL);

	strlcpy(today, "2024-03-31", sizeof(today));
	set(fx, &fx->alice, fx->food, "500", NULL, "2024-03", 0, "50,80,100");
	spend(fx, &fx->alice, "249.99", NULL, fx->food, "2024-03-01");
	l = status(fx, &fx->alice, "2024-03", fx->food);
	assert_int_equal(l->crossed, 0);
	spend(fx, &fx->alice, "0.01", NULL, fx->food, "2024-03-01");
	l = status(fx, &fx->alice, "2024-03", fx->food);
	assert_int_equal(l->crossed, 1);	/* exactly 50% */
	assert_int_equal(l->state, BUDGET_NEAR);
	spend(fx, &fx->alice, "250", NULL, fx->food, "2024-03-02");
	l = status(fx, &fx->alice, "2024-03", fx->food);
	assert_int_equal(l->crossed, 7);	/* 100% reached: near */
	assert_int_equal(l->percent, 100);
	assert_int_equal(l->state, BUDGET_NEAR);
	spend(fx, &fx->alice, "0.01", NULL, fx->food, "2024-03-02");
	l = status(fx, &fx->alice, "2024-03", fx->food);
	assert_int_equal(l->state, BUDGET_OVER);
	/* nothing available: any spending reaches every threshold */
	set(fx, &fx->alice, fx->rent, "0", NULL, "2024-03", 0, NULL);
	l = status(fx, &fx->alice, "2024-03", fx->rent);
	assert_int_equal(l->crossed, 0);
	assert_false(l->has_percent);
	spend(fx, &fx->alice, "1", NULL, fx->rent, "2024-03-02");
	l = status(fx, &fx->alice, "2024-03", fx->rent);
	assert_int_equal(l->crossed, 3);
	assert_int_equal(l->state, BUDGET_OVER);
	done();
}

/* ---- alerts ---- */

static int
count_alert(void *arg, const struct alert *a)
{
	(void)a;
	(*(int *)arg)++;
	return 0;
}

static int
alerts(struct fx *fx, const struct user *u, const char *month)
{
	struct spend_err err;
	int n = 0;

	if (store_alert_list(fx->sd->store, u->id, month, count_alert, &n,
	    &err) < 0)
		fail_msg("alerts: %s", err.msg);
	return n;
}

static int
count_outbox(void *arg, const struct outbox_event *e)
{
	if (strcmp(e->kind, "alert") == 0)
		(*(int *)arg)++;
	return 0;
}

static int
outbox(struct fx *fx, const struct user *u)
{
	struct spend_err err;
	int n = 0;

	if (store_outbox_list(fx->sd->store, u->id, 0, 1000, count_outbox, &n,
	    &err) < 0)
		fail_msg("outbox: %s", err.msg);
	return n;
}

struct heard {
	int n;
	char last[256];
};

static void
hear(void *arg, int64_t seq, const char *type, json_t *data)
{
	struct heard *h = arg;

	(void)seq;
	if (strcmp(type, "notify.alert") == 0) {
		h->n++;
		snprintf(h->last, sizeof(h->last), "%s %s %lld",
		    json_string_value(json_object_get(data, "category")),
		    json_string_value(json_object_get(data, "month")),
		    (long long)json_integer_value(json_object_get(data,
		    "threshold")));
	}
}

static void
test_alerts_once(void **state)
{
	struct fx *fx = *state;
	struct heard h = { 0 };
	struct events_sub *sub;
	struct expense_input in = { 0 };
	struct expense e;
	struct write_tx w;
	struct spend_err err;
	json_t *res;
	char buf[256];
	int64_t id;

	strlcpy(today, "2024-03-10", sizeof(today));
	assert_non_null(sub = events_subscribe(fx->sd, fx->alice.id, hear, &h));
	json_decref(tu_ok(fx->sd, "alice", "budget.set", "{\"category\":"
	    "\"food\", \"amount\":\"100\"}"));
	/* under 80%: nothing */
	json_decref(tu_ok(fx->sd, "alice", "expense.add", "{\"amount\":\"79\", "
	    "\"category\":\"food\", \"date\":\"2024-03-01\"}"));
	assert_int_equal(alerts(fx, &fx->alice, NULL), 0);
	/* 80% reached: one alert, stored, in the outbox, and heard live */
	json_decref(tu_ok(fx->sd, "alice", "expense.add", "{\"amount\":\"1\", "
	    "\"category\":\"food\", \"date\":\"2024-03-02\"}"));
	assert_int_equal(alerts(fx, &fx->alice, "2024-03"), 1);
	assert_int_equal(outbox(fx, &fx->alice), 1);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.last, "food 2024-03 80");
	/* more under 100%: nothing new */
	json_decref(tu_ok(fx->sd, "alice", "expense.add", "{\"amount\":\"5\", "
	    "\"category\":\"food\", \"date\":\"2024-03-02\"}"));
	assert_int_equal(alerts(fx, &fx->alice, NULL), 1);
	/* an edit takes it to 100% */
	res = tu_ok(fx->sd, "alice", "expense.add", "{\"amount\":\"1\", "
	    "\"category\":\"bills\", \"date\":\"2024-03-03\"}");
	id = json_integer_value(json_object_get(res, "id"));
	json_decref(res);
	snprintf(buf, sizeof(buf), "{\"id\":%lld, \"category\":\"food\", "
	    "\"amount\":\"20\"}", (long long)id);
	json_decref(tu_ok(fx->sd, "alice", "expense.edit", buf));
	assert_int_equal(alerts(fx, &fx->alice, NULL), 2);
	assert_string_equal(h.last, "food 2024-03 100");
	/* under again (a delete), and over again (re-added): no repeat */
	snprintf(buf, sizeof(buf), "{\"id\":%lld}", (long long)id);
	json_decref(tu_ok(fx->sd, "alice", "expense.delete", buf));
	json_decref(tu_ok(fx->sd, "alice", "expense.add", "{\"amount\":\"20\", "
	    "\"category\":\"food\", \"date\":\"2024-03-04\"}"));
	assert_int_equal(alerts(fx, &fx->alice, NULL), 2);
	assert_int_equal(outbox(fx, &fx->alice), 2);
	assert_int_equal(h.n, 2);
	/* a write that rolls back leaves no alert: a new month's 100% */
	in.set = EF_AMOUNT | EF_CATEGORY | EF_DATE;
	in.amount = "500";
	in.category_id = fx->food;
	in.date = "2024-03-11";
	json_decref(tu_ok(fx->sd, "alice", "budget.set", "{\"category\":"
	    "\"total\", \"amount\":\"300\"}"));
	assert_int_equal(write_begin(&w, fx->sd->store, fx->alice.id, &err), 0);
	assert_int_equal(expense_create(&w, &fx->alice, &in, &e, &err), 0);
	write_rollback(&w);
	write_run_hooks(&w, fx->sd);
	assert_int_equal(alerts(fx, &fx->alice, NULL), 2);
	assert_int_equal(h.n, 2);
	/* ... and the same write committed sends both of the overall
	 * budget's at once */
	assert_int_equal(write_begin(&w, fx->sd->store, fx->alice.id, &err), 0);
	assert_int_equal(expense_create(&w, &fx->alice, &in, &e, &err), 0);
	assert_int_equal(write_commit(&w, &err), 0);
	write_run_hooks(&w, fx->sd);
	assert_int_equal(alerts(fx, &fx->alice, NULL), 4);
	assert_int_equal(h.n, 4);
	/* older months are history: no alert for them */
	json_decref(tu_ok(fx->sd, "alice", "budget.set", "{\"category\":"
	    "\"food\", \"amount\":\"1\", \"month\":\"2024-01\"}"));
	json_decref(tu_ok(fx->sd, "alice", "expense.add", "{\"amount\":\"50\", "
	    "\"category\":\"food\", \"date\":\"2024-01-04\"}"));
	assert_int_equal(alerts(fx, &fx->alice, "2024-01"), 0);
	/* the previous month is not: a late receipt for February */
	json_decref(tu_ok(fx->sd, "alice", "budget.set", "{\"category\":"
	    "\"food\", \"amount\":\"100\", \"month\":\"2024-02\"}"));
	json_decref(tu_ok(fx->sd, "alice", "expense.add", "{\"amount\":\"90\", "
	    "\"category\":\"food\", \"date\":\"2024-02-28\"}"));
	assert_int_equal(alerts(fx, &fx->alice, "2024-02"), 1);
	/* bob is not alice */
	assert_int_equal(alerts(fx, &fx->bob, NULL), 0);
	assert_int_equal(outbox(fx, &fx->bob), 0);
	/* a user without budgets: none at all */
	spend(fx, &fx->bob, "1000", NULL, fx->bob_food, "2024-03-05");
	assert_int_equal(alerts(fx, &fx->bob, NULL), 0);
	events_unsubscribe(fx->sd, sub);
}

static void
test_alerts_rate(void **state)
{
	struct fx *fx = *state;
	struct spend_err err;

	strlcpy(today, "2024-03-10", sizeof(today));
	json_decref(tu_ok(fx->sd, "alice", "budget.set", "{\"category\":"
	    "\"food\", \"amount\":\"100\"}"));
	/* 120 USD without a rate: listed, not counted, no alert */
	json_decref(tu_ok(fx->sd, "alice", "expense.add", "{\"amount\":\"120\", "
	    "\"currency\":\"USD\", \"category\":\"food\", \"date\":"
	    "\"2024-03-05\"}"));
	assert_int_equal(alerts(fx, &fx->alice, NULL), 0);
	/* a rate makes it 100.00 EUR: both thresholds, once */
	json_decref(tu_ok(fx->sd, NULL, "rate.set", "{\"currency\":\"USD\", "
	    "\"rate\":\"1.2\", \"date\":\"2024-03-01\"}"));
	assert_int_equal(alerts(fx, &fx->alice, "2024-03"), 2);
	json_decref(tu_ok(fx->sd, NULL, "rate.set", "{\"currency\":\"USD\", "
	    "\"rate\":\"1.1\", \"date\":\"2024-03-02\"}"));
	assert_int_equal(alerts(fx, &fx->alice, "2024-03"), 2);
	assert_int_equal(outbox(fx, &fx->alice), 2);
	(void)err;
}

static void
test_budget_rpc(void **state)
{
	struct fx *fx = *state;
	json_t *res;

	strlcpy(today, "2024-03-10", sizeof(today));
	TU_FAILS(fx->sd, "alice", "budget.set", "{\"category\":\"food\", "
	    "\"amount\":\"-5\"}", SPEND_EINVAL, "amount", "not negative");
	TU_FAILS(fx->sd, "alice", "budget.set", "{\"category\":\"food\", "
	    "\"amount\":\"5.001\"}", SPEND_EINVAL, "amount", "5.001");
	TU_FAILS(fx->sd, "alice", "budget.set", "{\"category\":\"food\", "
	    "\"amount\":\"5\", \"month\":\"2024-13\"}", SPEND_EINVAL, "month",
	    "YYYY-MM");
	TU_FAILS(fx->sd, "alice", "budget.set", "{\"category\":\"food\", "
	    "\"amount\":\"5\", \"alerts\":\"80,x\"}", SPEND_EINVAL, "alerts",
	    "percents");
	TU_FAILS(fx->sd, "alice", "budget.set", "{\"category\":\"snacks\", "
	    "\"amount\":\"5\"}", SPEND_ENOTFOUND, "category", "snacks");
	TU_FAILS(fx->sd, "alice", "budget.get", "{\"category\":\"food\"}",
	    SPEND_ENOTFOUND, "category", "no budget");
	TU_FAILS(fx->sd, "alice", "budget.delete", "{\"category\":\"food\"}",
	    SPEND_ENOTFOUND, "category", "no budget");
	res = tu_ok(fx->sd, "alice", "budget.set", "{\"category\":\"FOOD\", "
	    "\"amount\":\"12.5\", \"alerts\":\"90,50\", \"rollover\":true}");
	assert_string_equal(json_string_value(json_object_get(res, "amount")),
	    "12.50");
	assert_string_equal(json_string_value(json_object_get(res, "since")),
	    "2024-03");
	assert_int_equal(json_array_size(json_object_get(res, "alerts")), 2);
	json_decref(res);
	/* another user's category, by id: not found */
	{
		char p[128];

		snprintf(p, sizeof(p), "{\"category\":%lld, \"amount\":\"1\"}",
		    (long long)fx->food);
		TU_FAILS(fx->sd, "bob", "budget.set", p, SPEND_ENOTFOUND,
		    "category", "no category");
		TU_FAILS(fx->sd, "bob", "budget.get", "{\"category\":\"food\"}",
		    SPEND_ENOTFOUND, "category", "no budget");
	}
	TU_FAILS(fx->sd, "alice", "budget.delete", "{\"category\":\"food\", "
	    "\"month\":\"2024-05\"}", SPEND_ENOTFOUND, "month", "2024-05");
	json_decref(tu_ok(fx->sd, "alice", "budget.delete",
	    "{\"category\":\"food\"}"));
	res = tu_ok(fx->sd, "alice", "budget.list", "{}");
	assert_int_equal(json_integer_value(json_object_get(res, "count")), 0);
	json_decref(res);
	/* set again: a new budget (the defaults again) */
	res = tu_ok(fx->sd, "alice", "budget.set", "{\"category\":\"food\", "
	    "\"amount\":\"7\"}");
	assert_false(json_is_true(json_object_get(res, "rollover")));
	assert_int_equal(json_array_size(json_object_get(res, "alerts")), 2);
	json_decref(res);
	res = tu_ok(fx->sd, "alice", "budget.status", "{\"month\":\"2024-03\"}");
	assert_int_equal(json_integer_value(json_object_get(res, "count")), 1);
	json_decref(res);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rollover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_projection, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_projection_recurring, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_conversion, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_conversion_chain, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_month_totals, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_thresholds, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_alerts_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_alerts_rate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_budget_rpc, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
