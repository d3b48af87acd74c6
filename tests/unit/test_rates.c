/* Exchange rates: exact conversion (money_convert), the nearest earlier
 * rate (rates_convert), the ECB's two file formats, all or nothing. */
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "money.h"
#include "rates.h"

/* The rule, checked without the algorithm: out is the integer nearest to
 * N/D (N = amount * rb * 10^eb, D = ra * 10^ea), a tie going to the even
 * one. */
static void
check_nearest(int64_t amount, int ea, int64_t ra, int eb, int64_t rb,
    int64_t out)
{
	__int128 n = (__int128)amount * rb, d = ra, diff;

	for (int i = 0; i < eb; i++)
		n *= 10;
	for (int i = 0; i < ea; i++)
		d *= 10;
	diff = (__int128)out * d - n;
	if (diff < 0)
		diff = -diff;
	if (diff * 2 > d || (diff * 2 == d && out % 2 != 0))
		fail_msg("%lld (e%d, rate %lld) -> e%d rate %lld: got %lld, not "
		    "the nearest (half to even)", (long long)amount, ea,
		    (long long)ra, eb, (long long)rb, (long long)out);
}

static void
test_convert_known(void **state)
{
	int64_t out;

	(void)state;
	/* 100.00 EUR in USD at 1.0856: 108.56 */
	assert_int_equal(money_convert(10000, 2, RATE_SCALE, 2, 1085600, &out), 0);
	assert_int_equal(out, 10856);
	/* 1000 JPY (e0, 161.53/EUR) in EUR: 6.190800... -> 6.19 */
	assert_int_equal(money_convert(1000, 0, 161530000, 2, RATE_SCALE, &out),
	    0);
	assert_int_equal(out, 619);
	/* 1.00 USD in BHD (e3): 0.409 / 1.0856 = 0.37675... -> 0.377 */
	assert_int_equal(money_convert(100, 2, 1085600, 3, 409000, &out), 0);
	assert_int_equal(out, 377);
	/* ties: 0.125 -> 0.12 and 0.135 -> 0.14 (half to even), negatives
	 * the same way */
	assert_int_equal(money_convert(125, 3, RATE_SCALE, 2, RATE_SCALE, &out),
	    0);
	assert_int_equal(out, 12);
	assert_int_equal(money_convert(135, 3, RATE_SCALE, 2, RATE_SCALE, &out),
	    0);
	assert_int_equal(out, 14);
	assert_int_equal(money_convert(-125, 3, RATE_SCALE, 2, RATE_SCALE,
	    &out), 0);
	assert_int_equal(out, -12);
	assert_int_equal(money_convert(-135, 3, RATE_SCALE, 2, RATE_SCALE,
	    &out), 0);
	assert_int_equal(out, -14);
	assert_int_equal(money_convert(0, 2, 1085600, 0, 161530000, &out), 0);
	assert_int_equal(out, 0);
	/* out of range or no rate: refused, never a wrong number */
	assert_int_equal(money_convert(MONEY_MAX_MINOR, 0, 1, 4, RATE_MAX,
	    &out), SPEND_EINVAL);
	assert_int_equal(money_convert(100, 2, 0, 2, RATE_SCALE, &out),
	    SPEND_EINVAL);
	assert_int_equal(money_convert(100, 2, RATE_SCALE, 2, -5, &out),
	    SPEND_EINVAL);
}

/* xorshift: the same sequence on every run, so a failure repeats */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void
test_convert_random(void **state)
{
	static const int exps[] = { 0, 2, 3, 4 };
	int checked = 0;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		int ea = exps[next() % 4], eb = exps[next() % 4];
		/* amounts of every size, rates from 0.000001 to 10^9 */
		int64_t amount = (int64_t)(next() % (uint64_t)(MONEY_MAX_MINOR /
		    ((next() % 3 == 0) ? 1 : 1000000)));
		int64_t ra = 1 + (int64_t)(next() % (uint64_t)((next() % 2) ?
		    RATE_MAX : 10 * RATE_SCALE));
		int64_t rb = 1 + (int64_t)(next() % (uint64_t)((next() % 2) ?
		    RATE_MAX : 10 * RATE_SCALE));
		int64_t out;

		if (next() % 2)
			amount = -amount;
		if (money_convert(amount, ea, ra, eb, rb, &out) < 0)
			continue;	/* past MONEY_MAX_MINOR: checked below */
		check_nearest(amount, ea, ra, eb, rb, out);
		assert_true(out <= MONEY_MAX_MINOR && out >= -MONEY_MAX_MINOR);
		checked++;
	}
	/* most draws convert; a refusal is only ever out of range */
	assert_true(checked > 10000);
	for (int i = 0; i < 2000; i++) {
		int64_t out;

		if (money_convert(MONEY_MAX_MINOR, 0, 1 + (int64_t)(next() % 10),
		    4, RATE_MAX, &out) == 0)
			fail_msg("an amount past the maximum converted");
	}
}

static void
test_rate_text(void **state)
{
	struct spend_err err;
	char buf[MONEY_STR_MAX];
	int64_t r;

	(void)state;
	assert_int_equal(money_rate_parse("1.0856", "rate", &r, &err), 0);
	assert_int_equal(r, 1085600);
	money_rate_format(r, buf, sizeof(buf));
	assert_string_equal(buf, "1.0856");
	assert_int_equal(money_rate_parse("161.53", "rate", &r, &err), 0);
	money_rate_format(r, buf, sizeof(buf));
	assert_string_equal(buf, "161.53");
	assert_int_equal(money_rate_parse("7", "rate", &r, &err), 0);
	money_rate_format(r, buf, sizeof(buf));
	assert_string_equal(buf, "7");
	assert_int_equal(money_rate_parse("0.000001", "rate", &r, &err), 0);
	assert_int_equal(r, 1);
	static const char *const bad[] = { "", "0", "-1.2", "1.0000001",
	    "1e3", "nan", "1,5", " 1.2", "1.2.3", "1000000001", NULL };
	for (int i = 0; bad[i]; i++) {
		if (money_rate_parse(bad[i], "rate", &r, &err) == 0)
			fail_msg("rate \"%s\" accepted", bad[i]);
		assert_string_equal(err.field, "rate");
	}
}

static void
test_nearest_earlier(void **state)
{
	struct spendd *sd = tu_spendd();
	struct rates *r;
	struct spend_err err;
	char used[DATE_LEN + 1];
	int64_t out;

	(void)state;
	assert_int_equal(rates_set(sd->store, "USD", "2024-03-04", "1.0856",
	    "manual", &err), 0);
	assert_int_equal(rates_set(sd->store, "usd", "2024-03-08", "1.0900",
	    "manual", &err), 0);
	assert_int_equal(rates_set(sd->store, "JPY", "2024-03-01", "160",
	    "manual", &err), 0);
	assert_non_null(r = rates_new(sd->store));
	/* a weekend takes Friday's rate; the date used is the older one */
	assert_int_equal(rates_convert(r, 10000, "EUR", "USD", "2024-03-06",
	    &out, used, &err), 0);
	assert_int_equal(out, 10856);
	assert_string_equal(used, "2024-03-04");
	assert_int_equal(rates_convert(r, 10000, "EUR", "USD", "2024-03-09",
	    &out, used, &err), 0);
	assert_int_equal(out, 10900);
	/* USD -> JPY through EUR: 10.90 USD = 10 EUR = 1600 JPY */
	assert_int_equal(rates_convert(r, 1090, "USD", "JPY", "2024-03-08",
	    &out, used, &err), 0);
	assert_int_equal(out, 1600);
	assert_string_equal(used, "2024-03-01");
	/* before the first rate: no number at all */
	assert_int_equal(rates_convert(r, 100, "USD", "EUR", "2024-03-03", &out,
	    used, &err), SPEND_ENOTFOUND);
	assert_non_null(strstr(err.msg, "USD"));
	assert_int_equal(rates_convert(r, 100, "GBP", "EUR", "2024-03-03", &out,
	    used, &err), SPEND_ENOTFOUND);
	assert_int_equal(rates_convert(r, 100, "XXY", "EUR", "2024-03-03", &out,
	    used, &err), SPEND_EINVAL);
	/* the same currency needs no rate */
	assert_int_equal(rates_convert(r, 123, "GBP", "GBP", "2000-01-01", &out,
	    used, &err), 0);
	assert_int_equal(out, 123);
	assert_string_equal(used, "");
	rates_free(r);
	/* refused: EUR itself, unknown codes, bad dates and rates */
	assert_int_equal(rates_set(sd->store, "EUR", "2024-03-04", "1",
	    "manual", &err), SPEND_EINVAL);
	assert_int_equal(rates_set(sd->store, "ZZZ", "2024-03-04", "1",
	    "manual", &err), SPEND_EINVAL);
	assert_int_equal(rates_set(sd->store, "USD", "2024-02-30", "1",
	    "manual", &err), SPEND_EINVAL);
	assert_string_equal(err.field, "date");
	assert_int_equal(rates_set(sd->store, "USD", "2024-03-04", "-1",
	    "manual", &err), SPEND_EINVAL);
	tu_spendd_free(sd);
}

static int64_t
count_rates(struct store *st)
{
	struct rate rt;
	struct spend_err err;
	int64_t n = 0;
	static const char *const cur[] = { "USD", "JPY", "GBP", NULL };

	for (int i = 0; cur[i]; i++)
		if (store_rate_find(st, cur[i], "2099-01-01", &rt, &err) == 0)
			n++;
	return n;
}

static void
test_ecb_files(void **state)
{
	static const char daily[] = "Date, USD, JPY, BGN, GBP, \n"
	    "04 March 2024, 1.0856, 162.88, 1.9558, 0.85525, \n";
	static const char hist[] = "Date,USD,JPY,CYP,GBP,\r\n"
	    "2024-03-05,1.0849,162.95,N/A,0.8546,\r\n"
	    "2024-03-04,1.0856,162.88,N/A,0.85525,\r\n";
	static const char bad_rate[] = "Date,USD,JPY,\n"
	    "2024-03-05,1.0849,162.95,\n"
	    "2024-03-04,1.0856,-3,\n";
	static const char bad_date[] = "Date,USD\n2024-13-05,1.0849\n";
	struct spendd *sd = tu_spendd();
	struct spend_err err;
	struct rate rt;
	int64_t n;

	char skipped[64];

	(void)state;
	/* the daily file: long date, spaces, a trailing comma */
	assert_int_equal(rates_import_ecb(sd->store, daily, strlen(daily), &n,
	    skipped, sizeof(skipped), &err), 0);
	assert_int_equal(n, 4);
	assert_string_equal(skipped, "");
	assert_int_equal(store_rate_find(sd->store, "GBP", "2024-03-04", &rt,
	    &err), 0);
	assert_int_equal(rt.rate, 855250);
	assert_string_equal(rt.source, "ecb");
	/* the history: CRLF, N/A, a currency that no longer exists */
	assert_int_equal(rates_import_ecb(sd->store, hist, strlen(hist), &n,
	    skipped, sizeof(skipped), &err), 0);
	assert_int_equal(n, 6);
	assert_string_equal(skipped, "CYP");
	assert_int_equal(store_rate_find(sd->store, "USD", "2024-03-06", &rt,
	    &err), 0);
	assert_string_equal(rt.date, "2024-03-05");
	assert_int_equal(rt.rate, 1084900);
	/* a bad rate on line 3: nothing of the file is stored, and the
	 * error says where */
	assert_int_equal(rates_import_ecb(sd->store, bad_rate, strlen(bad_rate),
	    &n, skipped, sizeof(skipped), &err), SPEND_EINVAL);
	assert_non_null(strstr(err.msg, "line 3"));
	assert_non_null(strstr(err.msg, "JPY"));
	assert_int_equal(store_rate_find(sd->store, "JPY", "2024-03-05", &rt,
	    &err), 0);
	assert_int_equal(rt.rate, 162950000);	/* the history's, untouched */
	assert_int_equal(rates_import_ecb(sd->store, bad_date, strlen(bad_date),
	    &n, skipped, sizeof(skipped), &err), SPEND_EINVAL);
	assert_non_null(strstr(err.msg, "line 2"));
	assert_string_equal(err.field, "date");
	assert_int_equal(rates_import_ecb(sd->store, "", 0, &n, skipped,
	    sizeof(skipped), &err), SPEND_EINVAL);
	assert_int_equal(rates_import_ecb(sd->store, "hello\n", 6, &n, skipped,
	    sizeof(skipped), &err), SPEND_EINVAL);
	assert_non_null(strstr(err.msg, "line 1"));
	assert_int_equal(count_rates(sd->store), 3);
	tu_spendd_free(sd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_convert_known),
		cmocka_unit_test(test_convert_random),
		cmocka_unit_test(test_rate_text),
		cmocka_unit_test(test_nearest_earlier),
		cmocka_unit_test(test_ecb_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
