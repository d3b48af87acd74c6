/*
 * Blanks, UTF-8 checks, Windows-1252 and spreadsheet formulas for the
 * importers' parsers. See text.h.
 */
#include <stdint.h>
#include <string.h>

#include "text.h"
#include "utf8.h"

size_t
text_blank_len(const unsigned char *s)
{
	if (*s == ' ' || *s == '\t')
		return 1;
	if (s[0] == 0xc2 && s[1] == 0xa0)
		return 2;
	if (s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0xaf || s[2] == 0x89))
		return 3;
	return 0;
}

const unsigned char *
text_skip_blanks(const unsigned char *s)
{
	size_t n;

	while ((n = text_blank_len(s)) > 0)
		s += n;
	return s;
}

int
text_blank(const char *s)
{
	return s == NULL ||
	    *text_skip_blanks((const unsigned char *)s) == '\0';
}

int
text_utf8(const unsigned char *s, size_t len)
{
	const unsigned char *end = s + len;
	uint32_t cp;
	size_t n;

	for (; s < end; s += n)
		if ((n = utf8_seq(s, (size_t)(end - s), &cp)) == 0)
			return 0;
	return 1;
}

/* Windows-1252 0x80..0x9f to Unicode; 0 for the five holes. */
static const uint16_t cp1252_hi[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

size_t
text_cp1252_to_utf8(const void *in, size_t len, char *out)
{
	const unsigned char *p = in;
	char *d = out;

	for (size_t i = 0; i < len; i++) {
		uint32_t u = p[i];

		if (u >= 0x80 && u < 0xa0 && (u = cp1252_hi[u - 0x80]) == 0)
			u = 0xfffd;
		d += utf8_put(u, d);
	}
	return (size_t)(d - out);
}

int
text_formula_like(const char *s)
{
	while (*s == '\'')
		s++;
	return *s != '\0' && strchr("=+-@\t\r", *s) != NULL;
}
