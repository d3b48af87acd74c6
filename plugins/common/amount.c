/*
 * Amounts as people write them, to plain decimals: signs, parentheses,
 * currency symbols and codes, digit grouping, the decimal separator and
 * what an amount says about it. See amount.h.
 */
#include <string.h>

#include "amount.h"
#include "text.h"

/* A currency symbol or code at p: its length, *code set ("" if the
 * symbol says no one currency, like $). 0 if none. */
static size_t
currency_at(const unsigned char *p, char code[4])
{
	size_t n;

	if (p[0] == 0xe2 && p[1] == 0x82 && p[2] == 0xac) {
		memcpy(code, "EUR", 4);
		return 3;
	}
	if (p[0] == 0xc2 && p[1] == 0xa3) {
		memcpy(code, "GBP", 4);
		return 2;
	}
	if (p[0] == 0xe2 && p[1] == 0x82 && p[2] == 0xb9) {
		memcpy(code, "INR", 4);
		return 3;
	}
	if (p[0] == 0xc2 && p[1] == 0xa5) {	/* yen or yuan */
		code[0] = '\0';
		return 2;
	}
	if (p[0] == '$') {
		code[0] = '\0';
		return 1;
	}
	for (n = 0; text_alpha(p[n]); n++)
		;
	if (n == 3) {
		for (size_t i = 0; i < 3; i++)
			code[i] = (char)(p[i] >= 'a' ? p[i] - 32 : p[i]);
		code[3] = '\0';
		if (p[3] == '$')	/* "USD$" */
			return 4;
		return 3;
	}
	return 0;
}

/* A minus sign at p (ASCII or U+2212): its length, else 0. */
static size_t
minus_at(const unsigned char *p)
{
	if (*p == '-')
		return 1;
	if (p[0] == 0xe2 && p[1] == 0x88 && p[2] == 0x92)
		return 3;
	return 0;
}

/* A grouping separator at p other than dsep: its length, else 0. */
static size_t
group_at(const unsigned char *p, int dsep)
{
	if ((*p == '.' || *p == ',') && *p != dsep)
		return 1;
	if (*p == '\'')
		return 1;
	if (p[0] == 0xe2 && p[1] == 0x80 && p[2] == 0x99)	/* ’ */
		return 3;
	return text_blank_len(p);
}

static int
bad(const char **why, const char *msg)
{
	*why = msg;
	return -1;
}

/* Note the currency a symbol or code gave; two different ones fail. */
static int
set_code(char code[4], const char *c, const char **why)
{
	if (c[0] == '\0')
		return 0;
	if (code[0] != '\0' && strcmp(code, c) != 0)
		return bad(why, "two different currencies");
	memcpy(code, c, 4);
	return 0;
}

int
amount_norm(const char *s, int dsep, char *out, size_t outlen, char code[4],
    const char **why)
{
	const unsigned char *p = (const unsigned char *)s;
	char num[40], c4[4];
	size_t n, nlen = 0, run = 0, nruns = 0;
	int neg = 0, sign = 0, paren = 0, seen_dsep = 0, groups = 0;
	int bad_group;
	size_t gchar_len = 0;
	unsigned char gchar[3] = { 0 };

	code[0] = '\0';
	/* prefix: blanks, a sign, "(", a currency */
	for (;;) {
		if ((n = text_blank_len(p)) > 0)
			p += n;
		else if ((n = minus_at(p)) > 0 || *p == '+') {
			if (sign++)
				return bad(why, "more than one sign");
			neg = n > 0;
			p += n ? n : 1;
		} else if (*p == '(' && !paren) {
			paren = 1;
			p++;
		} else if (!text_digit(*p) && *p != dsep &&
		    (n = currency_at(p, c4)) > 0) {
			if (set_code(code, c4, why) < 0)
				return -1;
			p += n;
		} else
			break;
	}
	if (!text_digit(*p) && !(*p == dsep && text_digit(p[1])))
		return bad(why, *p ? "not a number" : "no digits");
	/* digits, grouping in threes, one decimal separator */
	num[nlen++] = '-';
	for (;;) {
		if (text_digit(*p)) {
			if (nlen >= sizeof(num) - 2)
				return bad(why, "too many digits");
			num[nlen++] = (char)*p++;
			run++;
			continue;
		}
		if (*p == dsep && !seen_dsep) {
			if (groups && run != 3)
				return bad(why, "digit grouping must come in "
				    "threes");
			if (nruns == 0 && run == 0)
				num[nlen++] = '0';
			seen_dsep = 1;
			num[nlen++] = '.';
			p++;
			run = 0;
			nruns++;
			continue;
		}
		if (*p == dsep)
			return bad(why, "more than one decimal separator");
		if (!seen_dsep && (n = group_at(p, dsep)) > 0 &&
		    text_digit(p[n])) {
			/* "1 234": a blank only groups if 3 digits follow */
			if (gchar_len == 0) {
				if (nruns != 0 || run == 0 || run > 3 ||
				    num[1] == '0')
					return bad(why, (*p == '.' ||
					    *p == ',') ? "digit grouping must "
					    "come in threes (is the decimal "
					    "separator right? see the "
					    "decimal_comma option)" :
					    "not a number");
				memcpy(gchar, p, n);
				gchar_len = n;
			} else if (n != gchar_len || memcmp(gchar, p, n) != 0)
				return bad(why, "mixed digit grouping");
			else if (run != 3)
				return bad(why, "digit grouping must come in "
				    "threes");
			groups = 1;
			p += n;
			run = 0;
			nruns++;
			continue;
		}
		break;
	}
	/* judged after the suffix: "12,5x" is not a number at all */
	bad_group = groups && !seen_dsep && run != 3;
	/* suffix: blanks, a currency, ")", a trailing minus */
	for (;;) {
		if ((n = text_blank_len(p)) > 0)
			p += n;
		else if (*p == ')' && paren == 1) {
			paren = 2;
			p++;
		} else if ((n = minus_at(p)) > 0 && !sign) {
			sign = 1;
			neg = 1;
			p += n;
		} else if ((n = currency_at(p, c4)) > 0) {
			if (set_code(code, c4, why) < 0)
				return -1;
			p += n;
		} else
			break;
	}
	if (*p != '\0') {
		if (*p == '.' || *p == ',')
			return bad(why, "more than one decimal separator or "
			    "bad grouping (see the decimal_comma option)");
		return bad(why, "not a number");
	}
	if (bad_group)
		return bad(why, "digit grouping must come in threes (is the "
		    "decimal separator right? see the decimal_comma option)");
	if (paren == 1)
		return bad(why, "unbalanced parenthesis");
	if (paren == 2) {
		if (sign)
			return bad(why, "sign and parentheses");
		neg = 1;
	}
	num[nlen] = '\0';
	if (nlen + 1 > outlen)
		return bad(why, "too many digits");
	memcpy(out, neg ? num : num + 1, neg ? nlen + 1 : nlen);
	return 0;
}

int
amount_hint(const char *s)
{
	const char *p, *last = NULL;
	int ndot = 0, ncomma = 0, before = 0, after = 0, lead0 = 0;

	for (p = s; *p; p++) {
		if (*p == '.')
			ndot++;
		else if (*p == ',')
			ncomma++;
		else
			continue;
		last = p;
	}
	if (last == NULL)
		return -1;
	if (ndot && ncomma)
		return *last;
	if (ndot > 1)
		return ',';
	if (ncomma > 1)
		return '.';
	for (p = last + 1; text_digit(*p); p++)
		after++;
	for (p = last; p > s && text_digit(p[-1]); p--)
		before++;
	lead0 = before > 0 && *p == '0';
	/* "1,234" could be either; "1,23", "0,123" and "1234,567" cannot
	 * be grouping */
	if (after == 3 && before >= 1 && before <= 3 && !lead0)
		return 0;
	return *last;
}

int
amount_like(const char *s)
{
	char out[48], code[4];
	const char *why;

	if (text_blank(s))
		return 0;
	return amount_norm(s, '.', out, sizeof(out), code, &why) == 0 ||
	    amount_norm(s, ',', out, sizeof(out), code, &why) == 0;
}
