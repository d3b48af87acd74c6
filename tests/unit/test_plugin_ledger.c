/*
 * ledger exporter against the mock host, checked with the real hledger
 * and ledger: their balances must equal the records' totals exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <unistd.h>

#include "mock_host.h"
#include "../../plugins/ledger/ledger.c"
#include "../../plugins/common/out.c"
#include "../../plugins/common/utf8.c"

struct fx {
	struct mock_host mh;
	struct spend_export job;
	const struct spend_exporter *ex;
	char path[64];
};

static int
setup_cfg(void **state, const char *const *config)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_int_equal(mh_open(&f->mh, "ledger", spend_plugin_init, config,
	    0), 0);
	f->ex = mh_exporter(&f->mh, "ledger");
	assert_non_null(f->ex);
	assert_int_equal(mh_tmpfile(f->path, sizeof(f->path), "ledger"), 0);
	*state = f;
	return 0;
}

static int
setup(void **state)
{
	return setup_cfg(state, NULL);
}

static int
setup_account(void **state)
{
	static const char *const cfg[] = { "account", "Assets:Bank  Main ",
	    NULL };

	return setup_cfg(state, cfg);
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	unlink(f->path);
	mh_export_free(&f->job);
	mh_free(&f->mh);
	free(f);
	return 0;
}

/* Export recs and save the journal to f->path. */
static void
export(struct fx *f, const struct spend_record *recs, size_t n)
{
	FILE *fp;

	assert_int_equal(mh_run_export(&f->mh, f->ex, &f->job, recs, n), 0);
	assert_non_null(f->job.out);
	fp = fopen(f->path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(f->job.out, 1, f->job.outlen, fp),
	    f->job.outlen);
	fclose(fp);
}

/* ---- balances: (account, currency) -> minor units ---- */

#define MAXBAL 64

struct bal {
	char account[128];
	char currency[8];
	int64_t minor;
};

struct bals {
	struct bal b[MAXBAL];
	size_t n;
	int zero_total;		/* saw the "0" grand total */
};

static void
bal_add(struct bals *s, const char *account, const char *cur, int64_t v)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->b[i].account, account) == 0 &&
		    strcmp(s->b[i].currency, cur) == 0)
			break;
	if (i == s->n) {
		assert_true(s->n < MAXBAL);
		snprintf(s->b[i].account, sizeof(s->b[i].account), "%s",
		    account);
		snprintf(s->b[i].currency, sizeof(s->b[i].currency), "%s", cur);
		s->b[i].minor = 0;
		s->n++;
	}
	s->b[i].minor += v;
}

/* What the journal must balance to: each category's sum per currency in
 * expenses:NAME, their negation in the balancing account. */
static void
expected(struct bals *s, const struct spend_record *recs, size_t n,
    const char *const *accounts, const char *bal_account)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < n; i++) {
		struct spend_record r = recs[i];
		int64_t minor;
		char eb[128];

		assert_int_equal(mh_money_parse(r.amount, r.currency, 0, &minor,
		    eb, sizeof(eb)), 0);
		bal_add(s, accounts[i], r.currency, minor);
		bal_add(s, bal_account, r.currency, -minor);
	}
}

/*
 * Parse a number as the tools print it, strictly: exactly the currency's
 * decimals (no rounding, no float), no digit grouping.
 */
static int64_t
parse_exact(const char *num, const char *cur)
{
	int64_t minor;
	char eb[128];

	if (mh_money_parse(num, cur, 0, &minor, eb, sizeof(eb)) < 0)
		fail_msg("\"%s %s\": %s", num, cur, eb);
	if (strchr(num, '.') ? (int)strlen(strchr(num, '.') + 1) !=
	    mh_currency_exponent(cur) : mh_currency_exponent(cur) != 0)
		fail_msg("\"%s %s\": not written with %d decimals", num, cur,
		    mh_currency_exponent(cur));
	return minor;
}

/*
 * Run a balance command and read its lines: "AMOUNT CUR[  ACCOUNT]", the
 * account on the last line of a multi-commodity balance; "----" and the
 * grand total "0" at the end.
 */
static void
run_bal(const char *cmd, struct bals *s)
{
	char line[512], pend_num[16][40], pend_cur[16][8];
	size_t npend = 0;
	FILE *p;
	int st;

	memset(s, 0, sizeof(*s));
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p) != NULL) {
		char num[40], cur[16], *q = line, *acct;
		int k;

		line[strcspn(line, "\n")] = '\0';
		while (*q == ' ')
			q++;
		if (*q == '\0' || strncmp(q, "----", 4) == 0)
			continue;
		if (strcmp(q, "0") == 0 || strspn(q, "0 ") == strlen(q)) {
			s->zero_total = 1;
			continue;
		}
		if (sscanf(q, "%39s %15s%n", num, cur, &k) != 2)
			fail_msg("%s: cannot read \"%s\"", cmd, line);
		if (cur[0] == '"')	/* quoted commodity */
			memmove(cur, cur + 1, strlen(cur));
		cur[strcspn(cur, "\"")] = '\0';
		assert_true(npend < 16);
		snprintf(pend_num[npend], sizeof(pend_num[0]), "%s", num);
		snprintf(pend_cur[npend], sizeof(pend_cur[0]), "%s", cur);
		npend++;
		acct = q + k;
		while (*acct == ' ')
			acct++;
		if (*acct == '\0')
			continue;
		for (size_t i = 0; i < npend; i++)
			bal_add(s, acct, pend_cur[i],
			    parse_exact(pend_num[i], pend_cur[i]));
		npend = 0;
	}
	st = pclose(p);
	if (st != 0)
		fail_msg("%s: exit status %d", cmd, st);
	assert_int_equal(npend, 0);
}

static void
assert_bals_equal(const char *tool, const struct bals *got,
    const struct bals *want)
{
	size_t i, j, nz = 0;

	for (i = 0; i < want->n; i++) {
		const struct bal *w = &want->b[i];

		if (w->minor == 0)
			continue;	/* both tools hide zero balances */
		nz++;
		for (j = 0; j < got->n; j++)
			if (strcmp(got->b[j].account, w->account) == 0 &&
			    strcmp(got->b[j].currency, w->currency) == 0)
				break;
		if (j == got->n)
			fail_msg("%s: no balance for %s in %s", tool,
			    w->currency, w->account);
		if (got->b[j].minor != w->minor)
			fail_msg("%s: %s %s: got %" PRId64 ", want %" PRId64
			    " minor units", tool, w->account, w->currency,
			    got->b[j].minor, w->minor);
	}
	assert_int_equal(got->n, nz);
	assert_true(got->zero_total);
}

/* hledger and ledger both read the journal and agree with the records. */
static void
check_both(struct fx *f, const struct spend_record *recs, size_t n,
    const char *const *accounts, const char *bal_account)
{
	struct bals want, got;
	char cmd[256];

	expected(&want, recs, n, accounts, bal_account);
	snprintf(cmd, sizeof(cmd), "hledger -f %s bal 2>&1", f->path);
	run_bal(cmd, &got);
	assert_bals_equal("hledger", &got, &want);
	snprintf(cmd, sizeof(cmd), "ledger -f %s bal --flat 2>&1", f->path);
	run_bal(cmd, &got);
	assert_bals_equal("ledger", &got, &want);
	/* and the plain tree view parses too */
	snprintf(cmd, sizeof(cmd), "ledger -f %s bal >/dev/null 2>&1", f->path);
	assert_int_equal(system(cmd), 0);
}

/* Lines of a command's output, sorted, joined by '|'. */
static void
lines_of(const char *cmd, char *out, size_t size)
{
	char line[512];
	FILE *p = popen(cmd, "r");

	assert_non_null(p);
	out[0] = '\0';
	while (fgets(line, sizeof(line), p) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (out[0])
			strncat(out, "|", size - strlen(out) - 1);
		strncat(out, line, size - strlen(out) - 1);
	}
	assert_int_equal(pclose(p), 0);
}

static void
test_currencies_to_the_cent(void **state)
{
	struct fx *f = *state;
	struct spend_record r[] = {
		{ .date = "2024-01-03", .amount = "12.50", .currency = "EUR",
		    .category = "Food", .payee = "Café de Flore" },
		{ .date = "2024-01-04", .amount = "0.01", .currency = "EUR",
		    .category = "Food", .payee = "Baker" },
		{ .date = "2024-01-05", .amount = "1000", .currency = "JPY",
		    .category = "Food", .payee = "日本の店" },
		{ .date = "2024-01-05", .amount = "1.500", .currency = "BHD",
		    .category = "Travel", .payee = "Gulf Air" },
		{ .date = "2024-01-06", .amount = "0.001", .currency = "BHD",
		    .category = "Travel", .payee = "Tip" },
		{ .date = "2024-01-07", .amount = "-3.25", .currency = "EUR",
		    .category = "Food", .payee = "Refund" },
		{ .date = "2024-01-08", .amount = "99999999.99",
		    .currency = "USD", .category = "House", .payee = "Big" },
		{ .date = "2024-01-09", .amount = "1", .currency = "JPY",
		    .category = "Travel", .payee = "Gum" },
		{ .date = "2024-01-10", .amount = "0.10", .currency = "EUR",
		    .category = "Travel", .payee = "Bus" },
		{ .date = "2024-01-10", .amount = "5", .currency = "KWD",
		    .category = "Travel", .payee = "Kuwait" },
	};
	static const char *const acc[] = { "expenses:Food", "expenses:Food",
	    "expenses:Food", "expenses:Travel", "expenses:Travel",
	    "expenses:Food", "expenses:House", "expenses:Travel",
	    "expenses:Travel", "expenses:Travel" };

	export(f, r, sizeof(r) / sizeof(r[0]));
	/* exact decimals of each currency */
	assert_non_null(strstr(f->job.out, " 1000 JPY\n"));
	assert_non_null(strstr(f->job.out, " 1.500 BHD\n"));
	assert_non_null(strstr(f->job.out, " -0.001 BHD\n"));
	assert_non_null(strstr(f->job.out, " 5.000 KWD\n"));
	assert_non_null(strstr(f->job.out, " -3.25 EUR\n"));
	check_both(f, r, sizeof(r) / sizeof(r[0]), acc, "assets:spend");
}

/* The exact text of one transaction, and the header from export_info. */
static void
test_layout(void **state)
{
	struct fx *f = *state;
	static const char *const tags[] = { "work", "trip" };
	struct spend_record r = { .date = "2024-03-05", .amount = "12.50",
	    .currency = "EUR", .category = "Food", .payee = "Café",
	    .note = "lunch\nwith the team", .tags = tags, .ntags = 2 };

	mh_export_free(&f->job);
	mh_export_init(&f->job, &r, 1);
	f->job.info.from = "2024-01-01";
	f->job.info.to = "2024-12-31";
	f->job.info.filter_text = "category Food";
	assert_int_equal(f->ex->run(&f->mh.plugin, &f->job), 0);
	assert_string_equal(f->job.out,
	    "; Spend expenses, a journal for ledger and hledger\n"
	    "; owner: alice\n"
	    "; period: 2024-01-01 to 2024-12-31\n"
	    "; filters: category Food\n"
	    "; generated: 2024-06-01T12:00:00.000Z\n"
	    "\n"
	    "2024-03-05 * Café\n"
	    "    ; lunch\n"
	    "    ; with the team\n"
	    "    ; :work:\n"
	    "    ; :trip:\n"
	    "    expenses:Food                  12.50 EUR\n"
	    "    assets:spend                  -12.50 EUR\n"
	    "\n");
}

/* A split posts each part to its own account, its note after it. */
static void
test_split(void **state)
{
	struct fx *f = *state;
	struct spend_record r = { .date = "2024-03-05", .amount = "20.00",
	    .currency = "EUR", .category = "Food", .payee = "Market" };
	static const struct spend_part p0[] = {
		{ .amount = "12.00", .category = "Food", .note = "bread",
		    .amount_minor = 1200 },
		{ .amount = "8.00", .category = "House", .note = "",
		    .amount_minor = 800 },
	};
	const struct spend_part *const parts[] = { p0 };
	const size_t nparts[] = { 2 };

	mh_export_free(&f->job);
	mh_export_init(&f->job, &r, 1);
	f->job.parts = parts;
	f->job.nparts = nparts;
	assert_int_equal(f->ex->run(&f->mh.plugin, &f->job), 0);
	assert_non_null(strstr(f->job.out,
	    "2024-03-05 * Market\n"
	    "    expenses:Food                  12.00 EUR\n"
	    "    ; bread\n"
	    "    expenses:House                  8.00 EUR\n"
	    "    assets:spend                  -20.00 EUR\n"));
}

/* Everything the two parsers treat specially, in payees, categories,
 * notes and tags: the journal still parses, to the same numbers. */
static void
test_hostile_text(void **state)
{
	struct fx *f = *state;
	static const char *const t1[] = { "a:b", "x,y", "ok" };
	struct spend_record r[] = {
		{ .date = "2024-02-01", .amount = "1.00", .currency = "EUR",
		    .category = "Food & Drink", .payee = "a;b  c\td" },
		{ .date = "2024-02-02", .amount = "2.00", .currency = "EUR",
		    .category = "a  b", .payee = "(not a code)" },
		{ .date = "2024-02-03", .amount = "3.00", .currency = "EUR",
		    .category = "x;y", .payee = "*starred" },
		{ .date = "2024-02-04", .amount = "4.00", .currency = "EUR",
		    .category = "Sub:Cat", .payee = "!bang" },
		{ .date = "2024-02-05", .amount = "5.00", .currency = "EUR",
		    .category = "(Virtual)", .payee = "  ( spaced" },
		{ .date = "2024-02-06", .amount = "6.00", .currency = "EUR",
		    .category = "[Bracket]", .payee = "",
		    .note = "note: as payee\n; second  line\n\n2024-01-01 x" },
		{ .date = "2024-02-07", .amount = "7", .currency = "JPY",
		    .category = "tab\there", .payee = "", .note = "" },
		{ .date = "2024-02-08", .amount = "8.000", .currency = "BHD",
		    .category = "bad\xff utf8", .payee = "bad\xc3 utf8",
		    .note = "x\xe2\x82", .tags = t1, .ntags = 3 },
		{ .date = "2024-02-09", .amount = "9.00", .currency = "EUR",
		    .category = " ", .payee = "\n" },
	};
	static const char *const acc[] = { "expenses:Food & Drink",
	    "expenses:a b", "expenses:x;y", "expenses:Sub-Cat",
	    "expenses:(Virtual)", "expenses:[Bracket]", "expenses:tab here",
	    "expenses:bad\xef\xbf\xbd utf8", "expenses:uncategorized" };
	static const char payees[] = "!bang|( spaced|(not a code)|*starred|"
	    "a,b c d|bad\xef\xbf\xbd utf8|note: as payee|tab here|uncategorized";
	char got[2048];
	char cmd[256];

	export(f, r, sizeof(r) / sizeof(r[0]));
	check_both(f, r, sizeof(r) / sizeof(r[0]), acc, "assets:spend");
	/* descriptions as both tools read them (sorted, unique) */
	snprintf(cmd, sizeof(cmd), "hledger -f %s descriptions", f->path);
	lines_of(cmd, got, sizeof(got));
	assert_string_equal(got, payees);
	snprintf(cmd, sizeof(cmd), "ledger -f %s payees", f->path);
	lines_of(cmd, got, sizeof(got));
	assert_string_equal(got, payees);
	/* tags, cleaned, one per line: both tools see all three */
	snprintf(cmd, sizeof(cmd), "ledger -f %s tags | grep -v note", f->path);
	lines_of(cmd, got, sizeof(got));
	assert_string_equal(got, "a_b|ok|x_y");
	snprintf(cmd, sizeof(cmd), "hledger -f %s tags | grep -v note", f->path);
	lines_of(cmd, got, sizeof(got));
	assert_string_equal(got, "a_b|ok|x_y");
	/* the rest of a note stays a comment, a date in it is inert */
	assert_non_null(strstr(f->job.out, "    ; ; second line\n"));
	assert_non_null(strstr(f->job.out, "    ; 2024-01-01 x\n"));
}

static void
test_configured_account(void **state)
{
	struct fx *f = *state;
	struct spend_record r[] = {
		{ .date = "2024-02-01", .amount = "1.00", .currency = "EUR",
		    .category = "Food" },
		{ .date = "2024-02-02", .amount = "250", .currency = "JPY",
		    .category = "Food" },
	};
	static const char *const acc[] = { "expenses:Food", "expenses:Food" };

	export(f, r, 2);
	assert_non_null(strstr(f->job.out, "    Assets:Bank Main "));
	check_both(f, r, 2, acc, "Assets:Bank Main");
}

static void
test_bad_account_config(void **state)
{
	static const char *const bad1[] = { "account", "(assets)", NULL };
	static const char *const bad2[] = { "account", "assets::x", NULL };
	static const char *const good[] = { "account", "assets:x;y", NULL };
	struct mock_host mh;

	(void)state;
	mh_init(&mh);
	mh.quiet = 1;
	mh.config = bad1;
	assert_int_equal(mh_load(&mh, spend_plugin_init), -1);
	assert_non_null(strstr(mh.log, "virtual"));
	mh_free(&mh);
	mh_init(&mh);
	mh.quiet = 1;
	mh.config = bad2;
	assert_int_equal(mh_load(&mh, spend_plugin_init), -1);
	assert_non_null(strstr(mh.log, "empty"));
	mh_free(&mh);
	mh_init(&mh);
	mh.config = good;
	assert_int_equal(mh_load(&mh, spend_plugin_init), 0);
	assert_string_equal(balancing, "assets:x;y");
	mh_free(&mh);
}

/* No expenses: a journal with only comments, which both tools accept. */
static void
test_empty(void **state)
{
	struct fx *f = *state;
	char cmd[256];

	export(f, NULL, 0);
	assert_non_null(strstr(f->job.out, "; owner: alice\n"));
	snprintf(cmd, sizeof(cmd), "hledger -f %s bal >/dev/null 2>&1 && "
	    "ledger -f %s bal >/dev/null 2>&1", f->path, f->path);
	assert_int_equal(system(cmd), 0);
}

static void
test_write_failure(void **state)
{
	struct fx *f = *state;
	struct spend_record r = { .date = "2024-02-01", .amount = "1.00" };

	mh_export_free(&f->job);
	mh_export_init(&f->job, &r, 1);
	f->job.fail_write_at = 0;
	assert_int_equal(f->ex->run(&f->mh.plugin, &f->job), -1);
	assert_non_null(strstr(f->job.err_msg, "writing"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_currencies_to_the_cent,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_text, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_configured_account,
		    setup_account, teardown),
		cmocka_unit_test(test_bad_account_config),
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_failure, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
