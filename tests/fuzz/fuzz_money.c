/*
 * money_parse and money_format on arbitrary input. The first byte picks
 * the exponent (0..4) and decimal comma mode; the rest is the text.
 * Checked: whatever is accepted matches a reference reading of the same
 * grammar, is within MONEY_MAX_MINOR and survives format -> parse;
 * whatever is refused comes with a UTF-8 message on field "amount".
 */
/* fuzz-sources: daemon/money.c daemon/err.c daemon/util.c */
/* fuzz-libs: -lpthread */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "util.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

/* The accepted grammar, read independently: [+-]? digits* [sep digits*]
 * with at least one digit, a digit after a separator, at most exp
 * decimals. Returns false if s is not in it; *v (saturated) otherwise. */
static bool
reference(const char *s, int exp, char sep, unsigned __int128 *v, bool *neg)
{
	const char *p = s;
	unsigned __int128 x = 0;
	int ints = 0, fracs = 0;
	bool dot = false;

	*neg = false;
	if (*p == '+' || *p == '-')
		*neg = *p++ == '-';
	for (; *p; p++) {
		if (*p == sep && !dot) {
			dot = true;
			continue;
		}
		if (*p < '0' || *p > '9')
			return false;
		if (dot)
			fracs++;
		else
			ints++;
		if (x < ((unsigned __int128)1 << 100))
			x = x * 10 + (unsigned)(*p - '0');
	}
	if (ints + fracs == 0 || (dot && fracs == 0) || fracs > exp)
		return false;
	for (int i = fracs; i < exp; i++)
		if (x < ((unsigned __int128)1 << 100))
			x *= 10;
	*v = x;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[256], buf[MONEY_STR_MAX];
	struct spend_err err;
	int64_t v = 0x5a5a, w;
	unsigned __int128 ref;
	bool neg, comma;
	int exp, r;

	if (size < 1 || size > sizeof(s))
		return 0;
	exp = data[0] % 5;
	comma = data[0] & 0x80;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';

	spend_err_clear(&err);
	r = money_parse(s, exp, comma, &v, &err);
	if (reference(s, exp, comma ? ',' : '.', &ref, &neg) &&
	    ref <= (unsigned __int128)MONEY_MAX_MINOR) {
		/* in the grammar and in range: must be accepted, exactly */
		CHECK(r == 0);
		CHECK((unsigned __int128)(neg ? -v : v) == ref);
	} else {
		CHECK(r == SPEND_EINVAL);
		CHECK(v == 0x5a5a);
		CHECK(err.code == SPEND_EINVAL);
		CHECK(strcmp(err.field, "amount") == 0);
		CHECK(err.msg[0] != '\0');
		CHECK(utf8_valid(err.msg, strlen(err.msg)));
	}
	if (r == 0) {
		CHECK(v <= MONEY_MAX_MINOR && v >= -MONEY_MAX_MINOR);
		CHECK(money_format(v, exp, buf, sizeof(buf)) > 0);
		CHECK(money_parse(buf, exp, false, &w, NULL) == 0 && w == v);
		money_scale_e4(v, exp);		/* UBSan watches for overflow */
	}

	/* format takes any int64 */
	if (size >= 9) {
		int64_t x;

		memcpy(&x, data + 1, sizeof(x));
		r = money_format(x, exp, buf, sizeof(buf));
		CHECK(r > 0 && (size_t)r == strlen(buf));
		if (x <= MONEY_MAX_MINOR && x >= -MONEY_MAX_MINOR)
			CHECK(money_parse(buf, exp, false, &w, NULL) == 0 &&
			    w == x);
		CHECK(money_format(x, exp, buf, (size_t)r) == -1);
	}
	return 0;
}
