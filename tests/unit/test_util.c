/* util.c: bounded strings, calendar dates, time zones, UTF-8, base64url. */
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "util.h"

static void
test_strlcpy(void **state)
{
	char b[8];

	(void)state;
	assert_int_equal(strlcpy(b, "abc", sizeof(b)), 3);
	assert_string_equal(b, "abc");
	assert_int_equal(strlcpy(b, "abcdefgh", sizeof(b)), 8);	/* truncated */
	assert_string_equal(b, "abcdefg");
	assert_int_equal(strlcpy(b, "", sizeof(b)), 0);
	assert_string_equal(b, "");
	memset(b, 'x', sizeof(b));
	assert_int_equal(strlcpy(b, "abc", 0), 3);	/* size 0 writes nothing */
	assert_int_equal(b[0], 'x');
	assert_int_equal(strlcpy(b, "abc", 1), 3);
	assert_string_equal(b, "");
}

static void
test_strlcat(void **state)
{
	char b[8] = "ab";

	(void)state;
	assert_int_equal(strlcat(b, "cd", sizeof(b)), 4);
	assert_string_equal(b, "abcd");
	assert_int_equal(strlcat(b, "efghij", sizeof(b)), 10);
	assert_string_equal(b, "abcdefg");
	assert_int_equal(strlcat(b, "x", sizeof(b)), 8);
	assert_string_equal(b, "abcdefg");
	/* dst not terminated within size: no write, size + strlen(src) */
	memset(b, 'y', sizeof(b));
	assert_int_equal(strlcat(b, "abc", 4), 7);
	assert_int_equal(b[3], 'y');
}

static void
test_days_in_month(void **state)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	(void)state;
	for (int m = 1; m <= 12; m++)
		if (m != 2)
			assert_int_equal(days_in_month(2023, m), dm[m - 1]);
	assert_int_equal(days_in_month(2023, 2), 28);
	assert_int_equal(days_in_month(2024, 2), 29);
	assert_int_equal(days_in_month(1900, 2), 28);	/* century */
	assert_int_equal(days_in_month(2000, 2), 29);	/* 400 */
	assert_int_equal(days_in_month(2100, 2), 28);
	assert_int_equal(days_in_month(2400, 2), 29);
	assert_int_equal(days_in_month(1996, 2), 29);
}

static void
test_date_valid(void **state)
{
	static const char *const good[] = { "2024-02-29", "2000-02-29",
	    "1900-01-01", "2999-12-31", "2023-12-31", "2024-01-01",
	    "2023-04-30", "1999-09-09" };
	static const char *const bad[] = { "2023-02-29", "1900-02-29",
	    "2100-02-29", "1899-12-31", "3000-01-01", "0000-01-01",
	    "2024-13-01", "2024-00-10", "2024-01-00", "2024-01-32",
	    "2024-04-31", "2024-06-31", "2024-1-01", "2024-01-1",
	    "2024/01/01", "20240101", "2024-01-01 ", " 2024-01-01",
	    "2024-01-01T00:00:00Z", "", "abcd-ef-gh", "+024-01-01",
	    "-024-01-01", "2024-01-0a", "2024-0x-01", "2024--1-01",
	    "2024-01-+1", "２０２４-01-01", "2024-01", "2024-01-01\n",
	    "9999-99-99" };

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!date_valid(good[i]))
			fail_msg("\"%s\" should be valid", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (date_valid(bad[i]))
			fail_msg("\"%s\" should be invalid", bad[i]);
	assert_false(date_valid(NULL));
}

static void
test_month_range(void **state)
{
	static const char *const bad[] = { "2024-13", "2024-00", "2024-1",
	    "24-01", "2024/01", "", "1899-12", "3000-01", "2024-01-01",
	    "2024-1a", "abcd-ef", " 2024-01", "2024-01 ", "2024--1" };
	char from[DATE_LEN + 1], to[DATE_LEN + 1];

	(void)state;
	assert_int_equal(month_range("2024-02", from, to), 0);
	assert_string_equal(from, "2024-02-01");
	assert_string_equal(to, "2024-02-29");
	assert_int_equal(month_range("2023-02", from, to), 0);
	assert_string_equal(to, "2023-02-28");
	assert_int_equal(month_range("2024-12", from, to), 0);
	assert_string_equal(from, "2024-12-01");
	assert_string_equal(to, "2024-12-31");
	assert_int_equal(month_range("1900-01", from, to), 0);
	assert_int_equal(month_range("2999-12", from, to), 0);
	assert_string_equal(to, "2999-12-31");
	for (int m = 1; m <= 12; m++) {
		char ym[16];

		snprintf(ym, sizeof(ym), "2021-%02d", m);
		assert_int_equal(month_range(ym, from, to), 0);
		assert_true(date_valid(from) && date_valid(to));
		assert_int_equal(atoi(to + 8), days_in_month(2021, m));
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (month_range(bad[i], from, to) == 0)
			fail_msg("month \"%s\" should be refused", bad[i]);
	assert_int_equal(month_range(NULL, from, to), -1);
}

#define ADD(d, n, want) do {						\
	char o_[DATE_LEN + 1];						\
	date_add_days((d), (n), o_);					\
	assert_string_equal(o_, want);					\
} while (0)

static void
test_date_add_days(void **state)
{
	(void)state;
	ADD("2024-12-31", 1, "2025-01-01");
	ADD("2025-01-01", -1, "2024-12-31");
	ADD("2024-02-28", 1, "2024-02-29");
	ADD("2024-02-29", 1, "2024-03-01");
	ADD("2023-02-28", 1, "2023-03-01");
	ADD("2000-03-01", -1, "2000-02-29");
	ADD("1900-03-01", -1, "1900-02-28");
	ADD("2100-03-01", -1, "2100-02-28");
	ADD("2024-01-01", 366, "2025-01-01");
	ADD("2023-01-01", 365, "2024-01-01");
	ADD("2024-05-15", 0, "2024-05-15");
	ADD("2024-01-31", 30, "2024-03-01");
	ADD("1970-01-01", 19723, "2024-01-01");
	ADD("2024-01-01", -19723, "1970-01-01");
	ADD("1900-01-01", 400 * 365 + 97, "2300-01-01");	/* 400 years */
}

/* Walk every day of 1900..2999 one step at a time and compare with a
 * plain calendar increment; n forward then n back is the identity. */
static void
test_date_walk(void **state)
{
	int y = 1900, m = 1, d = 1;
	char cur[DATE_LEN + 1] = "1900-01-01", next[DATE_LEN + 1], want[DATE_LEN + 1];
	long days = 0;

	(void)state;
	while (y < 3000) {
		assert_true(date_valid(cur));
		if (++d > days_in_month(y, m)) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
		snprintf(want, sizeof(want), "%04d-%02d-%02d", y, m, d);
		date_add_days(cur, 1, next);
		if (strcmp(next, want) != 0)
			fail_msg("%s + 1 = %s, want %s", cur, next, want);
		if (days % 97 == 0) {
			char back[DATE_LEN + 1], fwd[DATE_LEN + 1];
			int n = (int)(days % 5000);

			date_add_days(cur, n, fwd);
			date_add_days(fwd, -n, back);
			assert_string_equal(back, cur);
		}
		memcpy(cur, next, sizeof(cur));
		days++;
	}
	assert_string_equal(cur, "3000-01-01");
	assert_int_equal(days, 1100 * 365 + 267);	/* leap days 1900..2999 */
}

static bool
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static void
test_date_today(void **state)
{
	const char *zones[] = { NULL, "", "UTC", "Europe/Paris",
	    "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/New_York" };
	char d[DATE_LEN + 1], utc[DATE_LEN + 1], prev[DATE_LEN + 1];

	(void)state;
	date_today("UTC", utc);
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		date_today(zones[i], d);
		if (!date_valid(d))
			fail_msg("today in %s: \"%s\"", zones[i] ? zones[i] :
			    "NULL", d);
		/* every zone is within a day of UTC */
		date_add_days(utc, -1, prev);
		assert_true(strcmp(d, prev) >= 0);
		date_add_days(utc, 2, prev);
		assert_true(strcmp(d, prev) < 0);
	}
	/* the process's own TZ is left as it was */
	setenv("TZ", "Asia/Tokyo", 1);
	date_today("Europe/Paris", d);
	assert_string_equal(getenv("TZ"), "Asia/Tokyo");
	unsetenv("TZ");
	date_today("Europe/Paris", d);
	assert_null(getenv("TZ"));
}

static void
test_timestamp(void **state)
{
	char t[TIMESTAMP_LEN + 1], t2[TIMESTAMP_LEN + 1];

	(void)state;
	timestamp_now(t);
	assert_int_equal(strlen(t), TIMESTAMP_LEN);
	assert_true(all_digits(t, 4) && t[4] == '-' && all_digits(t + 5, 2) &&
	    t[7] == '-' && all_digits(t + 8, 2) && t[10] == 'T' &&
	    all_digits(t + 11, 2) && t[13] == ':' && all_digits(t + 14, 2) &&
	    t[16] == ':' && all_digits(t + 17, 2) && t[19] == '.' &&
	    all_digits(t + 20, 3) && t[23] == 'Z');
	t[10] = '\0';
	assert_true(date_valid(t));
	timestamp_now(t2);
	assert_int_equal(strlen(t2), TIMESTAMP_LEN);
	assert_true(time_now() > 1700000000);
	int64_t a = time_mono_ms(), b = time_mono_ms();
	assert_true(a <= b);
}

static void
test_timezone_valid(void **state)
{
	static const char *const good[] = { "UTC", "Europe/Paris",
	    "America/New_York", "America/Argentina/Buenos_Aires", "Etc/GMT+5",
	    "Asia/Kolkata" };
	static const char *const bad[] = { "", "Europe", "Mars/Olympus",
	    "../etc/passwd", "/etc/passwd", "Europe/../../etc/passwd",
	    "Europe/Paris/", "Europe/Paris ", " UTC", "Europe\\Paris",
	    "Europe/Paris\n", "utc;rm", "Europe/Pa$is", "..", "." };
	char longz[128];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!timezone_valid(good[i]))
			fail_msg("\"%s\" should be a time zone", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (timezone_valid(bad[i]))
			fail_msg("\"%s\" should not be a time zone", bad[i]);
	assert_false(timezone_valid(NULL));
	memset(longz, 'A', sizeof(longz) - 1);
	longz[sizeof(longz) - 1] = '\0';
	assert_false(timezone_valid(longz));
}

/* Well-formed UTF-8 by the Unicode standard's table 3-7, written the
 * other way round from util.c so the two can be compared. */
static bool
ref_utf8(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i];
		size_t n;
		unsigned lo = 0x80, hi = 0xbf;

		if (c <= 0x7f) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c == 0xe0) {
			n = 2;
			lo = 0xa0;
		} else if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef)
			n = 2;
		else if (c == 0xed) {
			n = 2;
			hi = 0x9f;
		} else if (c == 0xf0) {
			n = 3;
			lo = 0x90;
		} else if (c >= 0xf1 && c <= 0xf3)
			n = 3;
		else if (c == 0xf4) {
			n = 3;
			hi = 0x8f;
		} else
			return false;
		if (len - i <= n)
			return false;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (size_t k = 2; k <= n; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return false;
		i += n + 1;
	}
	return true;
}

#define U8(lit, want) assert_int_equal(utf8_valid(lit, sizeof(lit) - 1), want)

static void
test_utf8_cases(void **state)
{
	(void)state;
	U8("", true);
	U8("plain ascii", true);
	U8("caf\xc3\xa9", true);		/* é */
	U8("\xe2\x82\xac", true);		/* € */
	U8("\xf0\x9f\x98\x80", true);		/* 😀 */
	U8("\xf4\x8f\xbf\xbf", true);		/* U+10FFFF */
	U8("\xef\xbf\xbf", true);		/* U+FFFF */
	U8("\xed\x9f\xbf", true);		/* U+D7FF */
	U8("\xee\x80\x80", true);		/* U+E000 */
	U8("\xc2\x80", true);			/* U+0080 */
	U8("\xe0\xa0\x80", true);		/* U+0800 */
	U8("\xf0\x90\x80\x80", true);		/* U+10000 */
	/* overlongs */
	U8("\xc0\x80", false);
	U8("\xc0\xaf", false);
	U8("\xc1\xbf", false);
	U8("\xe0\x80\x80", false);
	U8("\xe0\x9f\xbf", false);
	U8("\xf0\x80\x80\x80", false);
	U8("\xf0\x8f\xbf\xbf", false);
	U8("\xe0\x80\xaf", false);		/* overlong '/' */
	/* surrogates */
	U8("\xed\xa0\x80", false);
	U8("\xed\xbf\xbf", false);
	U8("\xed\xa0\xbd\xed\xb8\x80", false);	/* CESU-8 pair */
	/* past U+10FFFF and bytes never used */
	U8("\xf4\x90\x80\x80", false);
	U8("\xf5\x80\x80\x80", false);
	U8("\xf7\xbf\xbf\xbf", false);
	U8("\xf8\x88\x80\x80\x80", false);
	U8("\xfc\x84\x80\x80\x80\x80", false);
	U8("\xfe", false);
	U8("\xff", false);
	/* lone continuation bytes */
	U8("\x80", false);
	U8("\xbf", false);
	U8("a\x80" "b", false);
	/* truncated */
	U8("\xc3", false);
	U8("\xe2\x82", false);
	U8("\xf0\x9f\x98", false);
	U8("\xc3" "A", false);
	U8("\xe2\x82" "A", false);
	U8("\xf0\x9f\x98" "A", false);
	U8("abc\xc3", false);
	/* the length is honoured: a valid character cut by len */
	assert_false(utf8_valid("\xc3\xa9", 1));
	assert_false(utf8_valid("\xe2\x82\xac", 2));
	assert_true(utf8_valid("\xc3\xa9xyz", 2));
	/* NUL inside the length is a valid (ASCII) byte */
	assert_true(utf8_valid("a\0b", 3));
}

/* Every 1-, 2- and 3-byte string, and 4-byte strings over every lead and
 * second byte: util.c agrees with the reference. */
static void
test_utf8_exhaustive(void **state)
{
	unsigned char b[4];

	(void)state;
	for (unsigned a = 0; a < 256; a++) {
		b[0] = (unsigned char)a;
		if (utf8_valid((char *)b, 1) != ref_utf8(b, 1))
			fail_msg("1 byte %02x", a);
		for (unsigned c = 0; c < 256; c++) {
			b[1] = (unsigned char)c;
			if (utf8_valid((char *)b, 2) != ref_utf8(b, 2))
				fail_msg("2 bytes %02x %02x", a, c);
			for (unsigned d = 0; d < 256; d++) {
				b[2] = (unsigned char)d;
				if (utf8_valid((char *)b, 3) != ref_utf8(b, 3))
					fail_msg("3 bytes %02x %02x %02x", a, c,
					    d);
			}
			if (a < 0xf0)
				continue;
			static const unsigned last[] = { 0x00, 0x7f, 0x80,
			    0x9f, 0xa0, 0xbf, 0xc0, 0xff };
			for (size_t x = 0; x < 8; x++)
				for (size_t y = 0; y < 8; y++) {
					b[2] = (unsigned char)last[x];
					b[3] = (unsigned char)last[y];
					if (utf8_valid((char *)b, 4) !=
					    ref_utf8(b, 4))
						fail_msg("4 bytes %02x %02x "
						    "%02x %02x", a, c, b[2],
						    b[3]);
				}
		}
	}
}

static void
test_text_clean(void **state)
{
	(void)state;
	assert_true(text_clean("", NULL));
	assert_true(text_clean("Café €5", NULL));
	assert_true(text_clean("non\xc2\xa0" "breaking", NULL));	/* U+00A0 */
	assert_false(text_clean("tab\there", NULL));
	assert_true(text_clean("tab\there", "\t"));
	assert_false(text_clean("line\nbreak", "\t"));
	assert_true(text_clean("line\nbreak", "\t\n"));
	assert_false(text_clean("cr\r", NULL));
	assert_false(text_clean("esc\x1b[31m", NULL));
	assert_false(text_clean("del\x7f", NULL));
	assert_false(text_clean("bell\a", "\t\n"));
	assert_false(text_clean("c1 \xc2\x85 nel", NULL));	/* U+0085 */
	assert_false(text_clean("\xc2\x80", NULL));
	assert_false(text_clean("\xc2\x9f", NULL));
	assert_false(text_clean("bad \xff utf8", NULL));
	assert_false(text_clean("\xed\xa0\x80", NULL));
}

static void
test_b64url_vectors(void **state)
{
	/* RFC 4648 section 10, without padding */
	static const char *const v[][2] = { { "", "" }, { "f", "Zg" },
	    { "fo", "Zm8" }, { "foo", "Zm9v" }, { "foob", "Zm9vYg" },
	    { "fooba", "Zm9vYmE" }, { "foobar", "Zm9vYmFy" } };
	char out[64], back[64];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t n = strlen(v[i][0]);

		assert_int_equal(b64url_encode(v[i][0], n, out, sizeof(out)),
		    (int)strlen(v[i][1]));
		assert_string_equal(out, v[i][1]);
		assert_int_equal(b64url_decode(v[i][1], back, sizeof(back)),
		    (int)n);
		assert_memory_equal(back, v[i][0], n);
	}
	/* the URL-safe alphabet: 0xfb 0xff -> "-_8" not "+/8" */
	assert_int_equal(b64url_encode("\xfb\xff", 2, out, sizeof(out)), 3);
	assert_string_equal(out, "-_8");
	assert_int_equal(b64url_decode("-_8", back, sizeof(back)), 2);
	assert_memory_equal(back, "\xfb\xff", 2);
}

static void
test_b64url_round_trip(void **state)
{
	unsigned char in[300], back[300];
	char enc[512];
	uint32_t x = 12345;

	(void)state;
	for (size_t len = 0; len <= sizeof(in); len++) {
		for (size_t i = 0; i < len; i++) {
			x = x * 1103515245u + 12345u;
			in[i] = (unsigned char)(x >> 16);
		}
		int n = b64url_encode(in, len, enc, sizeof(enc));
		assert_int_equal(n, (int)((len * 4 + 2) / 3));
		assert_int_equal(strlen(enc), (size_t)n);
		assert_int_equal(strspn(enc, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789-_"), (size_t)n);
		assert_int_equal(b64url_decode(enc, back, sizeof(back)), (int)len);
		assert_memory_equal(in, back, len);
		/* exact-size buffers work, one byte less does not */
		if (len > 0) {
			assert_int_equal(b64url_decode(enc, back, len), (int)len);
			assert_int_equal(b64url_decode(enc, back, len - 1), -1);
		}
		assert_int_equal(b64url_encode(in, len, enc, (size_t)n + 1), n);
		assert_int_equal(b64url_encode(in, len, enc, (size_t)n), -1);
	}
}

static void
test_b64url_rejects(void **state)
{
	static const char *const bad[] = {
		"Zg==",		/* padding */
		"Zm9v=",
		"+/8",		/* standard alphabet */
		"ab/c",
		"Z",		/* length 1 mod 4 */
		"Zm9vY",
		"Zh",		/* non-zero leftover bits: not canonical */
		"Zm9",		/* "Zm8" is canonical */
		"Zm 9v",
		" Zm9v",
		"Zm9v\n",
		"Zm9v.",
		"\xc3\xa9",
	};
	unsigned char out[64];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (b64url_decode(bad[i], out, sizeof(out)) >= 0)
			fail_msg("\"%s\" should not decode", bad[i]);
	assert_int_equal(b64url_decode("", out, 0), 0);
}

static void
test_hex_and_strings(void **state)
{
	char hex[16], s[32];

	(void)state;
	hex_encode("\x00\x01\xab\xff", 4, hex);
	assert_string_equal(hex, "0001abff");
	hex_encode("", 0, hex);
	assert_string_equal(hex, "");

	assert_int_equal(strcasecmp_ascii("Food", "fOOD"), 0);
	assert_true(strcasecmp_ascii("a", "b") < 0);
	assert_true(strcasecmp_ascii("b", "A") > 0);
	assert_true(strcasecmp_ascii("ab", "abc") < 0);
	assert_true(strcasecmp_ascii("", "") == 0);
	/* only ASCII folds: É and é differ */
	assert_true(strcasecmp_ascii("\xc3\x89", "\xc3\xa9") != 0);

	strlcpy(s, "MiXeD 123 ÉÀ", sizeof(s));
	str_tolower(s);
	assert_string_equal(s, "mixed 123 ÉÀ");

	strlcpy(s, " \t\r\n trim me \n\t ", sizeof(s));
	assert_ptr_equal(str_trim(s), s);
	assert_string_equal(s, "trim me");
	strlcpy(s, "   ", sizeof(s));
	assert_string_equal(str_trim(s), "");
	strlcpy(s, "", sizeof(s));
	assert_string_equal(str_trim(s), "");
	strlcpy(s, "x", sizeof(s));
	assert_string_equal(str_trim(s), "x");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strlcpy),
		cmocka_unit_test(test_strlcat),
		cmocka_unit_test(test_days_in_month),
		cmocka_unit_test(test_date_valid),
		cmocka_unit_test(test_month_range),
		cmocka_unit_test(test_date_add_days),
		cmocka_unit_test(test_date_walk),
		cmocka_unit_test(test_date_today),
		cmocka_unit_test(test_timestamp),
		cmocka_unit_test(test_timezone_valid),
		cmocka_unit_test(test_utf8_cases),
		cmocka_unit_test(test_utf8_exhaustive),
		cmocka_unit_test(test_text_clean),
		cmocka_unit_test(test_b64url_vectors),
		cmocka_unit_test(test_b64url_round_trip),
		cmocka_unit_test(test_b64url_rejects),
		cmocka_unit_test(test_hex_and_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
