/* money.c: exact decimal parse/format, the ISO 4217 table, scaling. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "money.h"
#include "util.h"

/* Parse must succeed with exactly `want`. */
#define PARSE_OK(s, exp, comma, want) parse_ok(__LINE__, s, exp, comma, want)
/* Parse must fail with EINVAL, field "amount", and a message holding
 * `why` that quotes the input. */
#define PARSE_BAD(s, exp, comma, why) parse_bad(__LINE__, s, exp, comma, why)

static void
parse_ok(int line, const char *s, int exp, bool comma, int64_t want)
{
	struct spend_err err;
	int64_t v = 12345;
	int r;

	spend_err_clear(&err);
	r = money_parse(s, exp, comma, &v, &err);
	if (r != 0)
		fail_msg("line %d: money_parse(\"%s\", %d) failed: %s", line, s,
		    exp, err.msg);
	if (v != want)
		fail_msg("line %d: money_parse(\"%s\", %d) = %" PRId64 ", want %"
		    PRId64, line, s, exp, v, want);
}

static void
parse_bad(int line, const char *s, int exp, bool comma, const char *why)
{
	struct spend_err err;
	int64_t v = 777;
	int r;

	spend_err_clear(&err);
	r = money_parse(s, exp, comma, &v, &err);
	if (r != SPEND_EINVAL)
		fail_msg("line %d: money_parse(\"%s\", %d) = %d (value %" PRId64
		    "), want EINVAL", line, s ? s : "(null)", exp, r, v);
	if (v != 777)
		fail_msg("line %d: failed parse of \"%s\" wrote the output",
		    line, s);
	if (err.code != SPEND_EINVAL || strcmp(err.field, "amount") != 0)
		fail_msg("line %d: \"%s\": err code %d field \"%s\"", line, s,
		    err.code, err.field);
	if (strstr(err.msg, why) == NULL)
		fail_msg("line %d: \"%s\": message \"%s\" lacks \"%s\"", line, s,
		    err.msg, why);
	if (strncmp(err.msg, "amount \"", 8) != 0)
		fail_msg("line %d: message \"%s\" does not quote the amount",
		    line, err.msg);
	if (!utf8_valid(err.msg, strlen(err.msg)))
		fail_msg("line %d: message for \"%s\" is not valid UTF-8", line,
		    s);
}

static void
test_parse_basic(void **state)
{
	(void)state;
	PARSE_OK("0", 2, false, 0);
	PARSE_OK("1", 2, false, 100);
	PARSE_OK("12.50", 2, false, 1250);
	PARSE_OK("12.5", 2, false, 1250);
	PARSE_OK("0.01", 2, false, 1);
	PARSE_OK("0.10", 2, false, 10);
	PARSE_OK("-3", 2, false, -300);
	PARSE_OK("-0.05", 2, false, -5);
	PARSE_OK("+7.25", 2, false, 725);
	PARSE_OK("1000", 0, false, 1000);
	PARSE_OK("-1000", 0, false, -1000);
}

static void
test_parse_signs_and_zeros(void **state)
{
	(void)state;
	PARSE_OK("-0", 2, false, 0);
	PARSE_OK("+0", 2, false, 0);
	PARSE_OK("-0.00", 2, false, 0);
	PARSE_OK("007", 2, false, 700);
	PARSE_OK("0000000000000000000000000000000000000001.50", 2, false, 150);
	PARSE_OK("-00.01", 2, false, -1);
	PARSE_OK(".5", 2, false, 50);
	PARSE_OK("-.5", 2, false, -50);
	PARSE_BAD("", 2, false, "empty");
	PARSE_BAD(NULL, 2, false, "empty");
	PARSE_BAD("-", 2, false, "not a decimal number");
	PARSE_BAD("+", 2, false, "not a decimal number");
	PARSE_BAD("--1", 2, false, "not a decimal number");
	PARSE_BAD("+-1", 2, false, "not a decimal number");
	PARSE_BAD("1-", 2, false, "not a decimal number");
	PARSE_BAD("1+1", 2, false, "not a decimal number");
	PARSE_BAD(".", 2, false, "not a decimal number");
	PARSE_BAD("-.", 2, false, "not a decimal number");
	PARSE_BAD("5.", 2, false, "no digits after the decimal separator");
	PARSE_BAD("-5.", 2, false, "no digits after the decimal separator");
}

static void
test_parse_garbage(void **state)
{
	(void)state;
	PARSE_BAD("1.2.3", 2, false, "more than one decimal separator");
	PARSE_BAD("1..2", 2, false, "more than one decimal separator");
	PARSE_BAD("1e3", 2, false, "exponents are not allowed");
	PARSE_BAD("1E3", 2, false, "exponents are not allowed");
	PARSE_BAD("1.5e-2", 2, false, "exponents are not allowed");
	PARSE_BAD("NaN", 2, false, "not a decimal number");
	PARSE_BAD("nan", 2, false, "not a decimal number");
	PARSE_BAD("inf", 2, false, "not a decimal number");
	PARSE_BAD("-inf", 2, false, "not a decimal number");
	PARSE_BAD("Infinity", 2, false, "not a decimal number");
	PARSE_BAD("0x10", 2, false, "not a decimal number");
	PARSE_BAD(" 1", 2, false, "not a decimal number");
	PARSE_BAD("1 ", 2, false, "not a decimal number");
	PARSE_BAD("\t1", 2, false, "not a decimal number");
	PARSE_BAD("1\n", 2, false, "not a decimal number");
	PARSE_BAD("1 000", 2, false, "not a decimal number");
	PARSE_BAD("12,5x", 2, false, "not a decimal number");
	PARSE_BAD("1,000", 2, false, "no grouping");
	PARSE_BAD("1,000.00", 2, false, "no grouping");
	PARSE_BAD("1.000,00", 2, false, "not a decimal number");
	PARSE_BAD("$5", 2, false, "not a decimal number");
	PARSE_BAD("5€", 2, false, "not a decimal number");
	PARSE_BAD("٣", 2, false, "not a decimal number");	/* Arabic-Indic 3 */
	PARSE_BAD("1'000", 2, false, "not a decimal number");
	PARSE_BAD("1_000", 2, false, "not a decimal number");
	PARSE_BAD("(5)", 2, false, "not a decimal number");
}

/* The message quotes the input exactly, cut to 40 bytes with "...". */
static void
test_parse_message(void **state)
{
	struct spend_err err;
	int64_t v;
	char longs[200];

	(void)state;
	assert_int_equal(money_parse("12,5x", 2, false, &v, &err), SPEND_EINVAL);
	assert_string_equal(err.msg, "amount \"12,5x\": not a decimal number "
	    "(use '.' for decimals, no grouping)");
	assert_string_equal(err.field, "amount");
	assert_int_equal(money_parse("1.234", 2, false, &v, &err), SPEND_EINVAL);
	assert_string_equal(err.msg,
	    "amount \"1.234\": too many decimals (this currency has 2)");
	assert_int_equal(money_parse("1.5", 0, false, &v, &err), SPEND_EINVAL);
	assert_string_equal(err.msg,
	    "amount \"1.5\": this currency has no decimals");

	memset(longs, 'x', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	assert_int_equal(money_parse(longs, 2, false, &v, &err), SPEND_EINVAL);
	assert_non_null(strstr(err.msg, "xxx...\""));
	assert_true(strlen(err.msg) < 100);
	/* a multi-byte character across the 40-byte cut must not leave half
	 * a character in the message (it ends up in JSON and logs) */
	snprintf(longs, sizeof(longs), "%s", "1234567890123456789012345678901234567"
	    "89éééééééé");
	PARSE_BAD(longs, 2, false, "not a decimal number");
	snprintf(longs, sizeof(longs), "%s", "123456789012345678901234567890123456"
	    "€€€€€€€€€");
	PARSE_BAD(longs, 2, false, "not a decimal number");
}

static void
test_parse_decimal_comma(void **state)
{
	(void)state;
	PARSE_OK("12,50", 2, true, 1250);
	PARSE_OK("-0,05", 2, true, -5);
	PARSE_OK("1000", 2, true, 100000);
	PARSE_OK(",5", 2, true, 50);
	PARSE_BAD("12.50", 2, true, "decimal comma expected");
	PARSE_BAD("1.000,50", 2, true, "decimal comma expected");
	PARSE_BAD("1,2,3", 2, true, "more than one decimal separator");
	PARSE_BAD("1,234", 2, true, "too many decimals");
	PARSE_BAD("5,", 2, true, "no digits after");
	PARSE_BAD("1,5", 0, true, "no decimals");
}

static void
test_parse_exponents(void **state)
{
	(void)state;
	/* JPY 0 */
	PARSE_OK("1000", 0, false, 1000);
	PARSE_OK("0", 0, false, 0);
	PARSE_BAD("1.0", 0, false, "this currency has no decimals");
	PARSE_BAD("1.5", 0, false, "this currency has no decimals");
	/* EUR 2 */
	PARSE_OK("1.2", 2, false, 120);
	PARSE_OK("1.23", 2, false, 123);
	PARSE_BAD("1.234", 2, false, "too many decimals (this currency has 2)");
	PARSE_BAD("1.230", 2, false, "too many decimals");
	PARSE_BAD("0.001", 2, false, "too many decimals");
	/* BHD 3 */
	PARSE_OK("1.234", 3, false, 1234);
	PARSE_OK("1.2", 3, false, 1200);
	PARSE_OK("0.001", 3, false, 1);
	PARSE_BAD("1.2345", 3, false, "too many decimals (this currency has 3)");
	/* CLF 4 */
	PARSE_OK("1.2345", 4, false, 12345);
	PARSE_OK("0.0001", 4, false, 1);
	PARSE_OK("-2", 4, false, -20000);
	PARSE_BAD("1.23456", 4, false, "too many decimals (this currency has 4)");
}

static void
test_parse_limits(void **state)
{
	(void)state;
	/* MONEY_MAX_MINOR is 10^14 minor units, whatever the exponent */
	assert_int_equal(MONEY_MAX_MINOR, 100000000000000LL);
	PARSE_OK("100000000000000", 0, false, MONEY_MAX_MINOR);
	PARSE_OK("-100000000000000", 0, false, -MONEY_MAX_MINOR);
	PARSE_BAD("100000000000001", 0, false, "too large");
	PARSE_BAD("-100000000000001", 0, false, "too large");
	PARSE_OK("1000000000000", 2, false, MONEY_MAX_MINOR);
	PARSE_OK("1000000000000.00", 2, false, MONEY_MAX_MINOR);
	PARSE_OK("999999999999.99", 2, false, MONEY_MAX_MINOR - 1);
	PARSE_BAD("1000000000000.01", 2, false, "too large");
	PARSE_BAD("1000000000001", 2, false, "too large");
	PARSE_BAD("1000000000000.1", 2, false, "too large");
	PARSE_OK("100000000000.000", 3, false, MONEY_MAX_MINOR);
	PARSE_BAD("100000000000.001", 3, false, "too large");
	PARSE_OK("10000000000", 4, false, MONEY_MAX_MINOR);
	PARSE_BAD("10000000000.0001", 4, false, "too large");
	PARSE_BAD("10000000001", 4, false, "too large");
	/* far past int64: never wraps */
	PARSE_BAD("9223372036854775807", 0, false, "too large");
	PARSE_BAD("9223372036854775808", 0, false, "too large");
	PARSE_BAD("-9223372036854775808", 0, false, "too large");
	PARSE_BAD("18446744073709551616", 0, false, "too large");
	PARSE_BAD("92233720368547758.07", 2, false, "too large");
	PARSE_BAD("99999999999999999999999999999999999999", 2, false,
	    "too large");
	PARSE_BAD("1844674407370955.1616", 4, false, "too large");
}

/* Every string of up to 16 digits around the limit: the parser agrees
 * with arithmetic done here in unsigned __int128. */
static void
test_parse_against_reference(void **state)
{
	static const char *const frac[] = { "", ".0", ".5", ".05", ".99",
	    ".001", ".1234", ".00001" };
	char s[64];

	(void)state;
	for (int exp = 0; exp <= 4; exp++)
		for (int digits = 1; digits <= 16; digits++)
			for (int f = 0; f < (int)(sizeof(frac) / sizeof(frac[0]));
			    f++)
				for (int lead = 1; lead <= 9; lead += 4) {
			/* lead followed by digits-1 nines */
			unsigned __int128 whole = (unsigned)lead, m;
			int fd = frac[f][0] ? (int)strlen(frac[f]) - 1 : 0;
			long long fv = fd ? atoll(frac[f] + 1) : 0;
			struct spend_err err;
			int64_t v;
			int r;

			for (int k = 1; k < digits; k++)
				whole = whole * 10 + 9;
			snprintf(s, sizeof(s), "%d", lead);
			for (int k = 1; k < digits; k++)
				strlcat(s, "9", sizeof(s));
			strlcat(s, frac[f], sizeof(s));
			m = whole;
			for (int k = 0; k < exp; k++)
				m *= 10;
			if (fd <= exp) {
				unsigned __int128 x = (unsigned __int128)fv;
				for (int k = fd; k < exp; k++)
					x *= 10;
				m += x;
			}
			r = money_parse(s, exp, false, &v, &err);
			if (fd > exp) {
				/* whichever it meets first */
				assert_int_equal(r, SPEND_EINVAL);
				assert_true(strstr(err.msg, "decimals") ||
				    strstr(err.msg, "too large"));
			} else if (m > (unsigned __int128)MONEY_MAX_MINOR) {
				assert_int_equal(r, SPEND_EINVAL);
				assert_non_null(strstr(err.msg, "too large"));
			} else {
				if (r != 0)
					fail_msg("%s exp %d: %s", s, exp, err.msg);
				assert_true((unsigned __int128)v == m);
			}
				}
}

#define FMT(v, exp, want) do {						\
	char b_[MONEY_STR_MAX];						\
	int n_ = money_format((v), (exp), b_, sizeof(b_));		\
	assert_string_equal(b_, want);					\
	assert_int_equal(n_, (int)strlen(want));			\
} while (0)

static void
test_format(void **state)
{
	(void)state;
	FMT(0, 2, "0.00");
	FMT(5, 2, "0.05");
	FMT(-5, 2, "-0.05");
	FMT(50, 2, "0.50");
	FMT(-100, 2, "-1.00");
	FMT(1250, 2, "12.50");
	FMT(30, 2, "0.30");
	FMT(0, 0, "0");
	FMT(1000, 0, "1000");
	FMT(-1, 0, "-1");
	FMT(1, 3, "0.001");
	FMT(12345, 3, "12.345");
	FMT(-12345, 3, "-12.345");
	FMT(1, 4, "0.0001");
	FMT(-10000, 4, "-1.0000");
	FMT(MONEY_MAX_MINOR, 2, "1000000000000.00");
	FMT(-MONEY_MAX_MINOR, 0, "-100000000000000");
	FMT(INT64_MAX, 2, "92233720368547758.07");
	FMT(INT64_MAX, 0, "9223372036854775807");
	FMT(INT64_MIN, 0, "-9223372036854775808");
	FMT(INT64_MIN, 2, "-92233720368547758.08");
	FMT(INT64_MIN, 4, "-922337203685477.5808");
	FMT(INT64_MIN + 1, 3, "-9223372036854775.807");
}

static void
test_format_buffer(void **state)
{
	char b[MONEY_STR_MAX];

	(void)state;
	memset(b, 'Z', sizeof(b));
	assert_int_equal(money_format(1250, 2, b, 5), -1);	/* needs 6 */
	assert_int_equal(money_format(1250, 2, b, 6), 5);
	assert_string_equal(b, "12.50");
	assert_int_equal(money_format(-5, 2, b, 5), -1);	/* "-0.05" */
	assert_int_equal(money_format(-5, 2, b, 6), 5);
	assert_int_equal(money_format(7, 0, b, 1), -1);
	assert_int_equal(money_format(7, 0, b, 2), 1);
	assert_string_equal(b, "7");
	assert_int_equal(money_format(0, 2, b, 0), -1);
	/* MONEY_STR_MAX suffices for every int64 and exponent */
	for (int e = 0; e <= 4; e++) {
		assert_true(money_format(INT64_MIN, e, b, sizeof(b)) > 0);
		assert_true(money_format(INT64_MAX, e, b, sizeof(b)) > 0);
	}
}

/* A small deterministic generator: tests must not depend on luck. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
round_trip(int64_t x, int exp)
{
	char b[MONEY_STR_MAX];
	struct spend_err err;
	int64_t y = 0;

	assert_true(money_format(x, exp, b, sizeof(b)) > 0);
	if (money_parse(b, exp, false, &y, &err) != 0)
		fail_msg("parse(format(%" PRId64 ", %d) = \"%s\"): %s", x, exp,
		    b, err.msg);
	if (x != y)
		fail_msg("round trip %" PRId64 " exp %d -> \"%s\" -> %" PRId64,
		    x, exp, b, y);
	/* and with a decimal comma */
	for (char *p = b; *p; p++)
		if (*p == '.')
			*p = ',';
	assert_int_equal(money_parse(b, exp, true, &y, &err), 0);
	assert_true(x == y);
}

static void
test_round_trip(void **state)
{
	static const int64_t edges[] = { 0, 1, -1, 9, 10, 11, 99, 100, 101,
	    999, 1000, 1001, 12345, MONEY_MAX_MINOR, -MONEY_MAX_MINOR,
	    MONEY_MAX_MINOR - 1, -MONEY_MAX_MINOR + 1, MONEY_MAX_MINOR / 10,
	    MONEY_MAX_MINOR / 10 + 1, 99999999999999LL };
	uint64_t s = 0x9e3779b97f4a7c15ULL;

	(void)state;
	for (int e = 0; e <= 4; e++) {
		for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
			round_trip(edges[i], e);
		for (int i = 0; i < 20000; i++) {
			/* vary magnitude: uniform over digit counts */
			uint64_t r = rnd(&s);
			int64_t mod = 1;
			int nd = (int)(r % 15) + 1;

			for (int k = 0; k < nd; k++)
				mod *= 10;
			int64_t x = (int64_t)(rnd(&s) % (uint64_t)mod);
			if (x > MONEY_MAX_MINOR)
				x = MONEY_MAX_MINOR;
			round_trip((r & 1) ? -x : x, e);
		}
	}
}

/* Formatting what was parsed gives the canonical text. */
static void
test_canonical(void **state)
{
	static const struct { const char *in; int exp; const char *out; } t[] = {
		{ "1", 2, "1.00" }, { "1.5", 2, "1.50" }, { "-0", 2, "0.00" },
		{ "007.1", 2, "7.10" }, { ".5", 3, "0.500" }, { "+3", 0, "3" },
		{ "-.0001", 4, "-0.0001" },
	};
	char b[MONEY_STR_MAX];
	int64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(money_parse(t[i].in, t[i].exp, false, &v, NULL), 0);
		money_format(v, t[i].exp, b, sizeof(b));
		assert_string_equal(b, t[i].out);
	}
	/* a NULL err is allowed */
	assert_int_equal(money_parse("x", 2, false, &v, NULL), SPEND_EINVAL);
}

/* 0.10 + 0.20 is exactly 0.30: the reason money is never a float. */
static void
test_cents_add(void **state)
{
	int64_t a, b, s;
	char buf[MONEY_STR_MAX];

	(void)state;
	assert_int_equal(money_parse("0.10", 2, false, &a, NULL), 0);
	assert_int_equal(money_parse("0.20", 2, false, &b, NULL), 0);
	assert_int_equal(money_add(a, b, &s), 0);
	money_format(s, 2, buf, sizeof(buf));
	assert_string_equal(buf, "0.30");
	s = 0;
	for (int i = 0; i < 1000; i++)
		assert_int_equal(money_add(s, 1, &s), 0);
	money_format(s, 2, buf, sizeof(buf));
	assert_string_equal(buf, "10.00");
}

static void
test_add_overflow(void **state)
{
	int64_t s;

	(void)state;
	assert_int_equal(money_add(INT64_MAX - 1, 1, &s), 0);
	assert_true(s == INT64_MAX);
	assert_int_equal(money_add(INT64_MAX, 1, &s), SPEND_EINVAL);
	assert_int_equal(money_add(INT64_MIN, -1, &s), SPEND_EINVAL);
	assert_int_equal(money_add(INT64_MIN, INT64_MAX, &s), 0);
	assert_true(s == -1);
	assert_int_equal(money_add(INT64_MAX, INT64_MAX, &s), SPEND_EINVAL);
	assert_int_equal(money_add(-5, 5, &s), 0);
	assert_true(s == 0);
}

static void
test_scale_e4(void **state)
{
	(void)state;
	assert_true(money_scale_e4(1, 0) == 10000);
	assert_true(money_scale_e4(1, 2) == 100);
	assert_true(money_scale_e4(1, 3) == 10);
	assert_true(money_scale_e4(1, 4) == 1);
	assert_true(money_scale_e4(-125, 2) == -12500);
	assert_true(money_scale_e4(MONEY_MAX_MINOR, 0) == 1000000000000000000LL);
	assert_true(money_scale_e4(-MONEY_MAX_MINOR, 0) == -1000000000000000000LL);
	/* 1 JPY > 1.00 EUR > 1 BHD fils: the order the amount filters use */
	assert_true(money_scale_e4(1, 0) == money_scale_e4(100, 2));
	assert_true(money_scale_e4(1, 0) == money_scale_e4(1000, 3));
}

static void
test_currency_table(void **state)
{
	const struct currency *c, *prev = NULL;
	size_t n = 0;

	(void)state;
	for (size_t i = 0; (c = money_currency_at(i)) != NULL; i++, n++) {
		assert_int_equal(strlen(c->code), 3);
		for (int k = 0; k < 3; k++)
			assert_true(c->code[k] >= 'A' && c->code[k] <= 'Z');
		assert_true(c->exponent >= 0 && c->exponent <= 4);
		assert_non_null(c->name);
		assert_true(c->name[0] != '\0');
		if (prev && strcmp(prev->code, c->code) >= 0)
			fail_msg("table not sorted: %s before %s", prev->code,
			    c->code);
		/* bsearch finds every entry, as itself */
		assert_ptr_equal(money_currency(c->code), c);
		prev = c;
	}
	assert_true(n >= 150);
	assert_null(money_currency_at(n));
	assert_null(money_currency_at((size_t)-1));
}

static void
test_currency_lookup(void **state)
{
	static const struct { const char *code; int exp; } want[] = {
		{ "AED", 2 }, { "AUD", 2 }, { "BHD", 3 }, { "BRL", 2 },
		{ "CAD", 2 }, { "CHF", 2 }, { "CLF", 4 }, { "CLP", 0 },
		{ "CNY", 2 }, { "CZK", 2 }, { "DKK", 2 }, { "EUR", 2 },
		{ "GBP", 2 }, { "HKD", 2 }, { "HUF", 2 }, { "IDR", 2 },
		{ "ILS", 2 }, { "INR", 2 }, { "IQD", 3 }, { "ISK", 0 },
		{ "JOD", 3 }, { "JPY", 0 }, { "KRW", 0 }, { "KWD", 3 },
		{ "LYD", 3 }, { "MXN", 2 }, { "NOK", 2 }, { "NZD", 2 },
		{ "OMR", 3 }, { "PLN", 2 }, { "PYG", 0 }, { "RON", 2 },
		{ "SEK", 2 }, { "SGD", 2 }, { "THB", 2 }, { "TND", 3 },
		{ "TRY", 2 }, { "TWD", 2 }, { "UAH", 2 }, { "UGX", 0 },
		{ "USD", 2 }, { "UYW", 4 }, { "VND", 0 }, { "XAF", 0 },
		{ "XOF", 0 }, { "XPF", 0 }, { "ZAR", 2 },
	};
	static const char *const unknown[] = { "", "E", "EU", "EURO", "eur",
	    "Eur", "XXX", "ABC", "ZZZ", "AAA", "EU1", " EU", "EUR ", "XAU",
	    "\xc3\xa9UR" };

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct currency *c = money_currency(want[i].code);

		if (c == NULL)
			fail_msg("%s missing from the currency table",
			    want[i].code);
		if (c->exponent != want[i].exp)
			fail_msg("%s has exponent %d, want %d", want[i].code,
			    c->exponent, want[i].exp);
	}
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		if (money_currency(unknown[i]) != NULL)
			fail_msg("\"%s\" should not be a currency", unknown[i]);
	assert_null(money_currency(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_basic),
		cmocka_unit_test(test_parse_signs_and_zeros),
		cmocka_unit_test(test_parse_garbage),
		cmocka_unit_test(test_parse_message),
		cmocka_unit_test(test_parse_decimal_comma),
		cmocka_unit_test(test_parse_exponents),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_parse_against_reference),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_buffer),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_cents_add),
		cmocka_unit_test(test_add_overflow),
		cmocka_unit_test(test_scale_e4),
		cmocka_unit_test(test_currency_table),
		cmocka_unit_test(test_currency_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
