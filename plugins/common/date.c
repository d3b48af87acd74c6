/*
 * Dates as people write them, to YYYY-MM-DD: the order of day, month and
 * year, what a date says about it, the date_format option. See date.h.
 */
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "text.h"

static const char *const month_abbr[12] = {
	"jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec",
};

struct dparts {
	int a, b, c;
	int alen, clen;
	char sep;	/* first separator */
	int named;	/* b was a month name */
	int apos;	/* ' before the year (Quicken: 2000 + yy) */
};

static int
read_num(const unsigned char **pp, int max, int *len)
{
	const unsigned char *p = *pp;
	int v = 0, n = 0;

	while (text_digit(*p) && n <= max) {
		v = v * 10 + (*p - '0');
		p++;
		n++;
	}
	*len = n;
	*pp = p;
	return v;
}

/* An English month name or its abbreviation ("Jan", "Jan.", "January")
 * at *pp: 1..12, moving *pp past it; 0 if none. */
static int
month_name(const unsigned char **pp)
{
	const unsigned char *w = *pp, *p = w;
	int i;

	while (text_alpha(*p))
		p++;
	if (p - w < 3)
		return 0;
	for (i = 0; i < 12; i++)
		if (text_lower(w[0]) == month_abbr[i][0] &&
		    text_lower(w[1]) == month_abbr[i][1] &&
		    text_lower(w[2]) == month_abbr[i][2])
			break;
	if (i == 12)
		return 0;
	if (*p == '.')
		p++;
	*pp = p;
	return i + 1;
}

/* Split a date into three numbers. 0, or -1 if it has not that shape. */
static int
date_split(const char *s, struct dparts *d)
{
	const unsigned char *p = text_skip_blanks((const unsigned char *)s);
	int blen;
	char sep2;

	memset(d, 0, sizeof(*d));
	if (text_alpha(*p)) {	/* "Jan 2, 2024", "January 02 2024" */
		if ((d->b = month_name(&p)) == 0)
			return -1;
		while (*p == ' ' || *p == '-')
			p++;
		d->a = read_num(&p, 2, &d->alen);
		if (d->alen == 0 || d->alen > 2)
			return -1;
		if (*p == ',')
			p++;
		if (*p != ' ' && *p != '-')
			return -1;
		while (*p == ' ' || *p == '-')
			p++;
		d->c = read_num(&p, 4, &d->clen);
		if (d->clen != 2 && d->clen != 4)
			return -1;
		d->named = 1;
		goto tail;
	}
	d->a = read_num(&p, 8, &d->alen);
	if (d->alen == 8) {	/* YYYYMMDD */
		d->c = d->a % 100;
		d->b = d->a / 100 % 100;
		d->a /= 10000;
		d->alen = 4;
		d->clen = 2;
		goto tail;
	}
	if (d->alen == 0 || d->alen == 3 || d->alen > 4)
		return -1;
	if (*p != '/' && *p != '-' && *p != '.' && *p != ' ')
		return -1;
	d->sep = (char)*p++;
	while (*p == ' ')
		p++;
	if (text_alpha(*p)) {
		if ((d->b = month_name(&p)) == 0)
			return -1;
		d->named = 1;
	} else {
		d->b = read_num(&p, 2, &blen);
		if (blen == 0 || blen > 2)
			return -1;
	}
	sep2 = (char)*p;
	if (sep2 == '\'')
		d->apos = 1;
	else if (sep2 != d->sep && !(d->named && (sep2 == ' ' ||
	    sep2 == '-' || sep2 == ',')))
		return -1;
	p++;
	while (*p == ' ')
		p++;
	d->c = read_num(&p, 4, &d->clen);
	if (d->clen == 0 || d->clen > 4 || (d->alen == 4 && d->clen > 2))
		return -1;
tail:
	/* a time may follow: "2024-01-02T10:00:00", "02.01.2024 10:00" */
	if (*p != '\0' && *p != ' ' && *p != 'T' && *p != '\t')
		return -1;
	return 0;
}

static int
month_days(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

static int
full_year(const struct dparts *d, int v, int len)
{
	if (len == 4)
		return v;
	if (d->apos)
		return 2000 + v;
	/* two digits: 70..99 are the 1900s, the rest this century */
	return v >= 70 ? 1900 + v : 2000 + v;
}

int
date_parse(const char *s, int order, char out[11], const char **why)
{
	struct dparts d;
	int y, m, day;

	if (date_split(s, &d) < 0) {
		*why = "not a date";
		return -1;
	}
	if (d.alen == 4) {
		y = d.a;
		m = d.b;
		day = d.c;
	} else {
		if (d.clen == 3) {
			*why = "not a date (3-digit year)";
			return -1;
		}
		y = full_year(&d, d.c, d.clen);
		if (d.named) {
			day = d.a;
			m = d.b;
		} else {
			if (order == ORDER_YMD) {
				*why = "not YYYY-MM-DD (see date_format)";
				return -1;
			}
			if (order == ORDER_AUTO) {
				if (d.sep == '.' || d.a > 12)
					order = ORDER_DMY;
				else if (d.b > 12 || d.a == d.b)
					order = ORDER_MDY;
				else {
					*why = "ambiguous: DD/MM/YYYY or "
					    "MM/DD/YYYY?";
					return -1;
				}
			}
			day = order == ORDER_DMY ? d.a : d.b;
			m = order == ORDER_DMY ? d.b : d.a;
		}
	}
	if (m < 1 || m > 12) {
		*why = order == ORDER_MDY ? "no such month (dates are read as "
		    "MM/DD/YYYY)" : order == ORDER_DMY ? "no such month (dates "
		    "are read as DD/MM/YYYY)" : "no such month";
		return -1;
	}
	if (y < 1900 || y > 2999 || day < 1 || day > month_days(y, m)) {
		*why = "no such day";
		return -1;
	}
	snprintf(out, 11, "%04d-%02d-%02d", y, m, day);
	return 0;
}

int
date_hint(const char *s)
{
	char buf[11];
	const char *why;
	struct dparts d;

	if (date_split(s, &d) < 0)
		return -1;
	if (d.alen == 4 || d.named) {
		if (date_parse(s, ORDER_YMD, buf, &why) < 0)
			return -1;
		return ORDER_YMD;
	}
	if (d.sep == '.' || d.a > 12)
		return date_parse(s, ORDER_DMY, buf, &why) < 0 ? -1 : ORDER_DMY;
	if (d.a == d.b)		/* 01/01: the same either way */
		return date_parse(s, ORDER_DMY, buf, &why) < 0 ? -1 : ORDER_YMD;
	if (d.b > 12)
		return date_parse(s, ORDER_MDY, buf, &why) < 0 ? -1 : ORDER_MDY;
	return date_parse(s, ORDER_DMY, buf, &why) < 0 ? -1 : ORDER_AUTO;
}

int
date_order_from_option(const char *s)
{
	const char *d, *m, *y;
	char low[32];
	size_t i;

	for (i = 0; s[i] && i < sizeof(low) - 1; i++)
		low[i] = (char)text_lower((unsigned char)s[i]);
	low[i] = '\0';
	if (strcmp(low, "iso") == 0)
		return ORDER_YMD;
	d = strchr(low, 'd');
	m = strchr(low, 'm');
	y = strchr(low, 'y');
	if (d == NULL || m == NULL || y == NULL || s[i] != '\0')
		return -1;
	if (y < m && m < d)
		return ORDER_YMD;
	if (d < m && m < y)
		return ORDER_DMY;
	if (m < d && d < y)
		return ORDER_MDY;
	return -1;
}

int
date_like(const char *s)
{
	return !text_blank(s) && date_hint(s) != -1;
}
