/*
 * Raw rows to spend_records: dates and amounts as people write them, the
 * sign conventions, and the queue for rows waiting on a file-wide choice.
 * See ingest.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "utf8.h"

#define QUEUE_MAX (4u << 20)	/* bytes of rows waiting for a decision */
#define TAGS_MAX 64		/* more is surely not a tag list; the host
				 * enforces its own, smaller limit */

const char *const ingest_field_name[IF_N] = {
	"date", "amount", "debit", "credit", "currency", "category", "note",
	"payee", "tags", "source_id",
};

static const char *const month_abbr[12] = {
	"jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec",
};

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Length of a blank at s: ASCII space or tab, NBSP, thin or narrow
 * no-break space (as French and Swiss amounts use); 0 if none. */
static size_t
blank_len(const unsigned char *s)
{
	if (*s == ' ' || *s == '\t')
		return 1;
	if (s[0] == 0xc2 && s[1] == 0xa0)
		return 2;
	if (s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0xaf || s[2] == 0x89))
		return 3;
	return 0;
}

static const unsigned char *
skip_blanks(const unsigned char *s)
{
	size_t n;

	while ((n = blank_len(s)) > 0)
		s += n;
	return s;
}

static int
empty(const char *s)
{
	return s == NULL || *skip_blanks((const unsigned char *)s) == '\0';
}

/* ---- dates ---- */

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

	while (is_digit(*p) && n <= max) {
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

	while (is_alpha(*p))
		p++;
	if (p - w < 3)
		return 0;
	for (i = 0; i < 12; i++)
		if (lower(w[0]) == month_abbr[i][0] &&
		    lower(w[1]) == month_abbr[i][1] &&
		    lower(w[2]) == month_abbr[i][2])
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
	const unsigned char *p = skip_blanks((const unsigned char *)s);
	int blen;
	char sep2;

	memset(d, 0, sizeof(*d));
	if (is_alpha(*p)) {	/* "Jan 2, 2024", "January 02 2024" */
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
	if (is_alpha(*p)) {
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
		low[i] = (char)lower((unsigned char)s[i]);
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

/* ---- amounts ---- */

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
	for (n = 0; is_alpha(p[n]); n++)
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
	return blank_len(p);
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
		if ((n = blank_len(p)) > 0)
			p += n;
		else if ((n = minus_at(p)) > 0 || *p == '+') {
			if (sign++)
				return bad(why, "more than one sign");
			neg = n > 0;
			p += n ? n : 1;
		} else if (*p == '(' && !paren) {
			paren = 1;
			p++;
		} else if (!is_digit(*p) && *p != dsep &&
		    (n = currency_at(p, c4)) > 0) {
			if (set_code(code, c4, why) < 0)
				return -1;
			p += n;
		} else
			break;
	}
	if (!is_digit(*p) && !(*p == dsep && is_digit(p[1])))
		return bad(why, *p ? "not a number" : "no digits");
	/* digits, grouping in threes, one decimal separator */
	num[nlen++] = '-';
	for (;;) {
		if (is_digit(*p)) {
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
		    is_digit(p[n])) {
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
		if ((n = blank_len(p)) > 0)
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
	for (p = last + 1; is_digit(*p); p++)
		after++;
	for (p = last; p > s && is_digit(p[-1]); p--)
		before++;
	lead0 = before > 0 && *p == '0';
	/* "1,234" could be either; "1,23", "0,123" and "1234,567" cannot
	 * be grouping */
	if (after == 3 && before >= 1 && before <= 3 && !lead0)
		return 0;
	return *last;
}

int
text_blank(const char *s)
{
	return empty(s);
}

int
looks_date(const char *s)
{
	return !empty(s) && date_hint(s) != -1;
}

int
looks_amount(const char *s)
{
	char out[48], code[4];
	const char *why;

	if (empty(s))
		return 0;
	return amount_norm(s, '.', out, sizeof(out), code, &why) == 0 ||
	    amount_norm(s, ',', out, sizeof(out), code, &why) == 0;
}

/* ---- text ---- */

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
cp1252_to_utf8(const void *in, size_t len, char *out)
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

/* ---- options ---- */

static int
opt_bool(const char *v)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "1") == 0 || strcmp(v, "on") == 0)
		return 1;
	if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
	    strcmp(v, "0") == 0 || strcmp(v, "off") == 0)
		return 0;
	return -1;
}

int
ingest_init(struct ingest *in, const struct spend_host_api *host,
    struct spend_plugin *self, struct spend_import *job, int sign_bank,
    int order_fallback, int dsep_fallback)
{
	const char *v;
	int b;

	memset(in, 0, sizeof(*in));
	in->host = host;
	in->self = self;
	in->job = job;
	in->sign_bank = sign_bank;
	in->order_fallback = order_fallback;
	in->dsep_fallback = dsep_fallback;
	if ((v = host->import_option(job, "date_format")) != NULL) {
		if ((in->order = date_order_from_option(v)) < 0) {
			host->import_error(job, 0, "date_format",
			    "date_format \"%s\": expected YYYY-MM-DD, "
			    "DD/MM/YYYY, MM/DD/YYYY or DD.MM.YYYY", v);
			return -1;
		}
	}
	if ((v = host->import_option(job, "decimal_comma")) != NULL) {
		if ((b = opt_bool(v)) < 0) {
			host->import_error(job, 0, "decimal_comma",
			    "decimal_comma \"%s\": expected yes or no", v);
			return -1;
		}
		in->dsep = b ? ',' : '.';
	}
	if ((v = host->import_option(job, "sign")) != NULL) {
		if (strcmp(v, "bank") == 0 || strcmp(v, "expense-negative") == 0)
			in->sign_bank = 1;
		else if (strcmp(v, "expense-positive") == 0)
			in->sign_bank = 0;
		else {
			host->import_error(job, 0, "sign", "sign \"%s\": "
			    "expected expense-positive or bank", v);
			return -1;
		}
	}
	if ((v = host->import_option(job, "credits")) != NULL) {
		if (strcmp(v, "refund") == 0 || strcmp(v, "refunds") == 0)
			in->credits_refund = 1;
		else if (strcmp(v, "skip") != 0) {
			host->import_error(job, 0, "credits", "credits \"%s\": "
			    "expected skip or refund", v);
			return -1;
		}
	}
	if ((v = host->import_option(job, "currency")) != NULL && *v) {
		size_t i;

		for (i = 0; v[i] && i < sizeof(in->currency) - 1; i++)
			in->currency[i] = (char)(v[i] >= 'a' && v[i] <= 'z' ?
			    v[i] - 32 : v[i]);
		in->currency[i] = '\0';
		if (host->currency_exponent(in->currency) < 0) {
			host->import_error(job, 0, "currency", "currency "
			    "\"%s\": not an ISO 4217 code", v);
			return -1;
		}
	}
	return 0;
}

void
ingest_free(struct ingest *in)
{
	free(in->q);
	in->q = NULL;
	in->qlen = in->qcap = in->nq = 0;
}

/* ---- turning a row into a record ---- */

void
ingest_skip(struct ingest *in, size_t line, const char *reason)
{
	const struct spend_host_api *host = in->host;

	if (SPEND_HOST_HAS(host, import_skip) && host->import_skip)
		host->import_skip(in->job, line, reason);
}

int
formula_like(const char *s)
{
	while (*s == '\'')
		s++;
	return *s != '\0' && strchr("=+-@\t\r", *s) != NULL;
}

/* Copy text to dst (room for strlen(s) + 1), cleaned: a spreadsheet
 * neutraliser (the ' our csv exporter puts before = + - @ tab CR) removed,
 * line breaks kept as \n only if keep_nl (else blanks), other control
 * characters blanked, blanks at both ends trimmed. Returns dst. */
static char *
clean_text(const char *s, char *dst, int keep_nl)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0, start;

	if (p[0] == '\'' && formula_like(s + 1))
		p++;
	for (; *p; p++) {
		unsigned char c = *p;

		if (c == '\r' && p[1] == '\n')
			continue;
		if (c == '\r' || c == '\n')
			c = keep_nl ? '\n' : ' ';
		else if (c < 0x20 || c == 0x7f)
			c = (c == '\t' && keep_nl) ? '\t' : ' ';
		dst[n++] = (char)c;
	}
	dst[n] = '\0';
	/* trim, after blanking, so that what comes out cleans to itself */
	start = (size_t)(skip_blanks((unsigned char *)dst) -
	    (unsigned char *)dst);
	while (start < n && dst[start] == '\n')
		start = (size_t)(skip_blanks((unsigned char *)dst + start + 1) -
		    (unsigned char *)dst);
	while (n > start && (dst[n - 1] == ' ' || dst[n - 1] == '\t' ||
	    dst[n - 1] == '\n'))
		n--;
	memmove(dst, dst + start, n - start);
	dst[n - start] = '\0';
	return dst;
}

/* Amount text -> plain decimal, deciding nothing (the caller has). */
static int
norm_field(struct ingest *in, const struct ingest_row *r, int f, char *out,
    size_t outlen, char code[4], int *neg, int *zero)
{
	const char *why, *p;
	int dsep = in->dsep ? in->dsep : in->dsep_fallback;

	if (amount_norm(r->f[f], dsep, out, outlen, code, &why) < 0) {
		in->host->import_error(in->job, r->line, ingest_field_name[f],
		    "%s \"%.60s\": %s", ingest_field_name[f], r->f[f], why);
		return -1;
	}
	*neg = out[0] == '-';
	if (*neg)
		memmove(out, out + 1, strlen(out));
	*zero = 1;
	for (p = out; *p; p++)
		if (*p >= '1' && *p <= '9')
			*zero = 0;
	return 0;
}

static int
emit_row(struct ingest *in, const struct ingest_row *r)
{
	const struct spend_host_api *host = in->host;
	struct spend_record rec;
	char date[11], amt[48], amount[50], code[4] = "", cur[8];
	const char *why, *tags[TAGS_MAX];
	char *text, *t, *save = NULL;
	size_t ntags = 0, need = 0;
	int f, out, neg, zero, rc;

	if (r->skip) {
		ingest_skip(in, r->line, r->skip);
		return 0;
	}
	for (f = 0; f < IF_N; f++)
		if (!empty(r->f[f]))
			break;
	if (f == IF_N) {	/* nothing of an expense in this row */
		in->nskip_empty++;
		ingest_skip(in, r->line, INGEST_SKIP_EMPTY);
		return 0;
	}
	memset(&rec, 0, sizeof(rec));
	rec.line = r->line;

	if (empty(r->f[IF_DATE])) {
		host->import_error(in->job, r->line, "date", "date missing");
		return -1;
	}
	if (date_parse(r->f[IF_DATE], in->order, date, &why) < 0) {
		host->import_error(in->job, r->line, "date", "date \"%.40s\": %s",
		    r->f[IF_DATE], why);
		return -1;
	}
	rec.date = date;

	/* out: 1 money out (an expense), 0 money in */
	if (!empty(r->f[IF_AMOUNT])) {
		if (norm_field(in, r, IF_AMOUNT, amt, sizeof(amt), code, &neg,
		    &zero) < 0)
			return -1;
		out = in->sign_bank ? neg : 1;
		if (!in->sign_bank && neg) {	/* a refund, as it says */
			snprintf(amount, sizeof(amount), "-%s", amt);
			memcpy(amt, amount, sizeof(amt));
		}
	} else if (!empty(r->f[IF_DEBIT]) || !empty(r->f[IF_CREDIT])) {
		char camt[48], c2[4] = "";
		int dz = 1, cz = 1;

		if (!empty(r->f[IF_DEBIT]) && norm_field(in, r, IF_DEBIT, amt,
		    sizeof(amt), code, &neg, &dz) < 0)
			return -1;
		if (!empty(r->f[IF_CREDIT]) && norm_field(in, r, IF_CREDIT,
		    camt, sizeof(camt), c2, &neg, &cz) < 0)
			return -1;
		if (!dz && !cz) {
			host->import_error(in->job, r->line, "credit",
			    "both debit and credit have an amount");
			return -1;
		}
		if (dz && !cz) {
			memcpy(amt, camt, sizeof(amt));
			memcpy(code, c2, sizeof(code));
		}
		zero = dz && cz;
		out = !dz;
	} else {
		host->import_error(in->job, r->line, "amount", "amount missing");
		return -1;
	}
	if (zero) {
		in->nskip_zero++;
		ingest_skip(in, r->line, INGEST_SKIP_ZERO);
		return 0;
	}
	if (!out) {
		if (!in->credits_refund) {
			in->nskip_credit++;
			ingest_skip(in, r->line, INGEST_SKIP_CREDIT);
			return 0;
		}
		snprintf(amount, sizeof(amount), "-%s", amt);
		memcpy(amt, amount, sizeof(amt));
	}
	rec.amount = amt;

	if (!empty(r->f[IF_CURRENCY])) {
		const unsigned char *c = skip_blanks(
		    (const unsigned char *)r->f[IF_CURRENCY]);
		size_t i;

		for (i = 0; i < 3 && is_alpha(c[i]); i++)
			cur[i] = (char)(c[i] >= 'a' ? c[i] - 32 : c[i]);
		cur[i] = '\0';
		if (i != 3 || *skip_blanks(c + 3) != '\0') {
			host->import_error(in->job, r->line, "currency",
			    "currency \"%.20s\": not an ISO 4217 code",
			    r->f[IF_CURRENCY]);
			return -1;
		}
		if (code[0] && strcmp(code, cur) != 0) {
			host->import_error(in->job, r->line, "amount",
			    "amount says %s but currency says %s", code, cur);
			return -1;
		}
		rec.currency = cur;
	} else if (code[0])
		rec.currency = code;
	else if (in->currency[0])
		rec.currency = in->currency;

	/* the text fields, cleaned into one allocation */
	for (f = IF_CATEGORY; f < IF_N; f++)
		if (r->f[f])
			need += strlen(r->f[f]) + 1;
	if ((text = malloc(need + 1)) == NULL) {
		host->import_error(in->job, r->line, NULL, "out of memory");
		return -1;
	}
	t = text;
#define TEXT(field, dst, nl)						\
	if (!empty(r->f[field])) {					\
		dst = clean_text(r->f[field], t, nl);			\
		t += strlen(t) + 1;					\
	}
	TEXT(IF_CATEGORY, rec.category, 0);
	TEXT(IF_PAYEE, rec.payee, 0);
	TEXT(IF_NOTE, rec.note, 1);
	TEXT(IF_SOURCE_ID, rec.source_id, 0);
#undef TEXT
	if (!empty(r->f[IF_TAGS])) {
		clean_text(r->f[IF_TAGS], t, 0);
		for (t = strtok_r(t, " ,;|", &save); t;
		    t = strtok_r(NULL, " ,;|", &save)) {
			if (ntags == TAGS_MAX) {
				host->import_error(in->job, r->line, "tags",
				    "more than %d tags", TAGS_MAX);
				free(text);
				return -1;
			}
			tags[ntags++] = t;
		}
		rec.tags = tags;
		rec.ntags = ntags;
	}
	rc = host->import_emit(in->job, &rec);
	free(text);
	if (rc < 0)
		return -1;
	in->nemitted++;
	return 0;
}

/* ---- the queue of rows waiting for a decision ---- */

static int
q_push(struct ingest *in, const struct ingest_row *r)
{
	size_t need = sizeof(r->line) + IF_N + 1;
	char *p;
	int f;

	for (f = 0; f < IF_N; f++)
		if (r->f[f])
			need += strlen(r->f[f]) + 1;
	if (r->skip)
		need += strlen(r->skip) + 1;
	if (in->qlen + need > in->qcap) {
		size_t cap = in->qcap ? in->qcap : 4096;

		while (cap < in->qlen + need)
			cap *= 2;
		if ((p = realloc(in->q, cap)) == NULL) {
			in->host->import_error(in->job, r->line, NULL,
			    "out of memory");
			return -1;
		}
		in->q = p;
		in->qcap = cap;
	}
	p = in->q + in->qlen;
	memcpy(p, &r->line, sizeof(r->line));
	p += sizeof(r->line);
	for (f = 0; f < IF_N; f++) {
		*p++ = r->f[f] != NULL;
		if (r->f[f]) {
			size_t n = strlen(r->f[f]) + 1;

			memcpy(p, r->f[f], n);
			p += n;
		}
	}
	*p++ = r->skip != NULL;
	if (r->skip) {
		size_t n = strlen(r->skip) + 1;

		memcpy(p, r->skip, n);
		p += n;
	}
	in->qlen = (size_t)(p - in->q);
	in->nq++;
	return 0;
}

static int
q_flush(struct ingest *in)
{
	const char *p = in->q, *end = in->q + in->qlen;
	struct ingest_row r;
	int f, rc = 0;

	while (p < end && rc == 0) {
		memcpy(&r.line, p, sizeof(r.line));
		p += sizeof(r.line);
		for (f = 0; f < IF_N; f++) {
			r.f[f] = NULL;
			if (*p++) {
				r.f[f] = p;
				p += strlen(p) + 1;
			}
		}
		r.skip = NULL;
		if (*p++) {
			r.skip = p;
			p += strlen(p) + 1;
		}
		rc = emit_row(in, &r);
	}
	in->qlen = in->nq = 0;
	in->q_need_order = in->q_need_dsep = 0;
	/* a big queue was a one-off: give its memory back */
	if (in->qcap > 65536) {
		free(in->q);
		in->q = NULL;
		in->qcap = 0;
	}
	return rc;
}

/* Nothing more will decide: take the fallbacks, or fail. */
static int
q_resolve(struct ingest *in)
{
	if (in->q_need_dsep && in->dsep == 0)
		in->dsep = in->dsep_fallback;
	if (in->q_need_order && in->order == ORDER_AUTO) {
		if (in->order_fallback == ORDER_AUTO) {
			in->host->import_error(in->job, in->ambig_line, "date",
			    "date \"%s\" could be DD/MM/YYYY or MM/DD/YYYY and "
			    "no row decides; set the date_format option "
			    "(--option date_format=DD/MM/YYYY)", in->ambig_date);
			return -1;
		}
		in->order = in->order_fallback;
	}
	return q_flush(in);
}

int
ingest_row(struct ingest *in, const struct ingest_row *row)
{
	static const int amount_fields[] = { IF_AMOUNT, IF_DEBIT, IF_CREDIT };
	int need_order = 0, need_dsep = 0, h;
	size_t i;

	if (in->failed)
		return -1;
	if (row->skip) {	/* reported in its turn; it decides nothing */
		if (in->nq == 0)
			return emit_row(in, row);
		if (q_push(in, row) < 0 || (in->qlen > QUEUE_MAX &&
		    q_resolve(in) < 0))
			in->failed = 1;
		return in->failed ? -1 : 0;
	}
	/* what this row tells, and what it needs */
	if (!empty(row->f[IF_DATE]) && in->order == ORDER_AUTO) {
		h = date_hint(row->f[IF_DATE]);
		if (h == ORDER_DMY || h == ORDER_MDY)
			in->order = h;
		else if (h == ORDER_AUTO)
			need_order = 1;
	}
	for (i = 0; i < 3 && in->dsep == 0; i++) {
		const char *a = row->f[amount_fields[i]];

		if (empty(a))
			continue;
		h = amount_hint(a);
		if (h > 0)
			in->dsep = h;
		else if (h == 0)
			need_dsep = 1;
	}
	if (in->order != ORDER_AUTO)
		in->q_need_order = 0;
	if (in->dsep != 0)
		in->q_need_dsep = 0;
	if (need_order && !in->q_need_order) {
		in->ambig_line = row->line;
		snprintf(in->ambig_date, sizeof(in->ambig_date), "%s",
		    row->f[IF_DATE]);
	}
	if (!need_order && !need_dsep && in->nq == 0) {
		if (emit_row(in, row) < 0)
			in->failed = 1;
		return in->failed ? -1 : 0;
	}
	if (q_push(in, row) < 0) {
		in->failed = 1;
		return -1;
	}
	in->q_need_order |= need_order;
	in->q_need_dsep |= need_dsep;
	if (!in->q_need_order && !in->q_need_dsep) {
		if (q_flush(in) < 0)
			in->failed = 1;
	} else if (in->qlen > QUEUE_MAX) {
		if (q_resolve(in) < 0)
			in->failed = 1;
	}
	return in->failed ? -1 : 0;
}

int
ingest_finish(struct ingest *in)
{
	if (in->failed)
		return -1;
	if (in->nq > 0 && q_resolve(in) < 0) {
		in->failed = 1;
		return -1;
	}
	/* the import's report counts these too (import_skip); the log
	 * keeps them for spendd versions without it */
	if (in->nskip_credit || in->nskip_zero || in->nskip_empty) {
		char what[256];
		size_t n = 0;

		if (in->nskip_credit)
			n += (size_t)snprintf(what + n, sizeof(what) - n,
			    ", %zu money-in row%s (credits=refund imports them "
			    "as refunds)", in->nskip_credit,
			    in->nskip_credit == 1 ? "" : "s");
		if (in->nskip_zero && n < sizeof(what))
			n += (size_t)snprintf(what + n, sizeof(what) - n,
			    ", %zu zero amount%s", in->nskip_zero,
			    in->nskip_zero == 1 ? "" : "s");
		if (in->nskip_empty && n < sizeof(what))
			snprintf(what + n, sizeof(what) - n, ", %zu row%s "
			    "without a date or amount", in->nskip_empty,
			    in->nskip_empty == 1 ? "" : "s");
		in->host->log(in->self, SPEND_LOG_INFO, "%zu rows taken; "
		    "skipped %s", in->nemitted, what + 2);
	}
	return 0;
}
