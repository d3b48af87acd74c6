/*
 * The small parsers of util.c on arbitrary input, by the first byte:
 * dates (date_valid, month_range, date_add_days), base64url, UTF-8
 * (utf8_valid against a reference, utf8_scrub, text_clean), str_trim.
 */
/* fuzz-sources: daemon/util.c daemon/err.c */
/* fuzz-libs: -lpthread */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

static bool
ref_date(const char *s)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, dim;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1900 || y > 2999 || m < 1 || m > 12)
		return false;
	dim = dm[m - 1] + (m == 2 && y % 4 == 0 && (y % 100 != 0 ||
	    y % 400 == 0));
	return d >= 1 && d <= dim;
}

/* Unicode table 3-7. */
static bool
ref_utf8(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned c = s[i], lo = 0x80, hi = 0xbf;
		size_t n;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0;
			if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90;
			if (c == 0xf4)
				hi = 0x8f;
		} else
			return false;
		if (len - i <= n || s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (size_t k = 2; k <= n; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return false;
		i += n + 1;
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[512], out[1024], from[DATE_LEN + 1], to[DATE_LEN + 1];
	unsigned char bin[512];
	size_t n;
	int r;

	if (size < 1 || size > sizeof(s))
		return 0;
	n = size - 1;
	memcpy(s, data + 1, n);
	s[n] = '\0';

	switch (data[0] % 4) {
	case 0:		/* dates */
		CHECK(date_valid(s) == ref_date(s));
		if (month_range(s, from, to) == 0) {
			CHECK(date_valid(from) && date_valid(to));
			CHECK(strncmp(from, s, 7) == 0 && strncmp(to, s, 7) == 0);
		}
		if (date_valid(s)) {
			int k = n > 11 ? (int8_t)data[12] * 300 : 1;
			char a[DATE_LEN + 1], b[DATE_LEN + 1], ym[8];

			memcpy(ym, s, 7);
			ym[7] = '\0';
			CHECK(month_range(ym, a, b) == 0);
			CHECK(strcmp(a, s) <= 0 && strcmp(s, b) <= 0);
			date_add_days(s, k, a);
			date_add_days(a, -k, b);
			CHECK(strcmp(b, s) == 0);
			CHECK(k >= 0 ? strcmp(a, s) >= 0 : strcmp(a, s) < 0);
		}
		break;
	case 1:		/* base64url */
		r = b64url_decode(s, bin, sizeof(bin));
		if (r >= 0) {
			/* canonical: decoding then encoding gives it back */
			CHECK(b64url_encode(bin, (size_t)r, out, sizeof(out)) ==
			    (int)strlen(s));
			CHECK(strcmp(out, s) == 0);
		}
		r = b64url_encode(data + 1, n, out, sizeof(out));
		CHECK(r >= 0 && (size_t)r == strlen(out));
		CHECK(b64url_decode(out, bin, sizeof(bin)) == (int)n);
		CHECK(memcmp(bin, data + 1, n) == 0);
		break;
	case 2:		/* UTF-8 */
		CHECK(utf8_valid((const char *)data + 1, n) ==
		    ref_utf8(data + 1, n));
		if (text_clean(s, "\t\n"))
			CHECK(utf8_valid(s, strlen(s)));
		memcpy(out, s, n + 1);
		utf8_scrub(out);
		CHECK(strlen(out) == strlen(s));
		CHECK(utf8_valid(out, strlen(out)));
		if (utf8_valid(s, strlen(s)))
			CHECK(strcmp(out, s) == 0);
		break;
	case 3:		/* trimming and case */
		memcpy(out, s, n + 1);
		str_trim(out);
		n = strlen(out);
		CHECK(n == 0 || (out[0] != ' ' && out[n - 1] != ' ' &&
		    out[0] != '\t' && out[n - 1] != '\n'));
		memcpy(s, out, n + 1);
		CHECK(strcmp(str_trim(s), out) == 0);
		str_tolower(s);
		CHECK(strcasecmp_ascii(s, out) == 0);
		break;
	}
	return 0;
}
