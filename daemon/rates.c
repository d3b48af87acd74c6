/* Exchange rates: conversion through EUR, and the ECB's files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "rates.h"
#include "store.h"

#define MAX_CURRENCIES 64	/* loaded histories per converter */

struct history {
	char currency[4];
	size_t n, cap;
	char (*dates)[DATE_LEN + 1];
	int64_t *rates;
	size_t hint;		/* the last answer's index + 1 (0: none) */
};

struct rates {
	struct store *st;
	struct history h[MAX_CURRENCIES];
	size_t nh;
	/* rates_new_window: dates converted lie in [from, to] ("" = all) */
	char from[DATE_LEN + 1], to[DATE_LEN + 1];
};

struct rates *
rates_new(struct store *st)
{
	struct rates *r = calloc(1, sizeof(*r));

	if (r)
		r->st = st;
	return r;
}

struct rates *
rates_new_window(struct store *st, const char *from, const char *to)
{
	struct rates *r = rates_new(st);

	if (r && from && to && date_valid(from) && date_valid(to) &&
	    strcmp(from, to) <= 0) {
		strlcpy(r->from, from, sizeof(r->from));
		strlcpy(r->to, to, sizeof(r->to));
	}
	return r;
}

struct rates *
rates_new_since(struct store *st, const char *since)
{
	struct rates *r = rates_new(st);

	/* a window open at its end */
	if (r && since && date_valid(since))
		strlcpy(r->from, since, sizeof(r->from));
	return r;
}

void
rates_free(struct rates *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nh; i++) {
		free(r->h[i].dates);
		free(r->h[i].rates);
	}
	free(r);
}

static int
history_add(void *arg, const struct rate *rt)
{
	struct history *h = arg;

	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 256;
		void *d = realloc(h->dates, cap * sizeof(*h->dates));

		if (d == NULL)
			return SPEND_ENOMEM;
		h->dates = d;
		if ((d = realloc(h->rates, cap * sizeof(*h->rates))) == NULL)
			return SPEND_ENOMEM;
		h->rates = d;
		h->cap = cap;
	}
	memcpy(h->dates[h->n], rt->date, DATE_LEN + 1);
	h->rates[h->n++] = rt->rate;
	return 0;
}

static struct history *
history(struct rates *r, const char *currency, struct spend_err *err)
{
	struct history *h;
	int rc;

	for (size_t i = 0; i < r->nh; i++)
		if (strcmp(r->h[i].currency, currency) == 0)
			return &r->h[i];
	if (r->nh == MAX_CURRENCIES) {	/* forget the first: rare */
		free(r->h[0].dates);
		free(r->h[0].rates);
		memmove(&r->h[0], &r->h[1], (MAX_CURRENCIES - 1) *
		    sizeof(r->h[0]));
		r->nh--;
	}
	h = &r->h[r->nh];
	memset(h, 0, sizeof(*h));
	strlcpy(h->currency, currency, sizeof(h->currency));
	if (r->from[0]) {
		/* the window: from the rate in force on its first day */
		struct rate first;
		const char *lo = r->from;

		rc = store_rate_find(r->st, currency, r->from, &first, err);
		if (rc == 0)
			lo = first.date;
		else if (rc != SPEND_ENOTFOUND)
			return NULL;
		spend_err_clear(err);
		rc = store_rate_list(r->st, currency, lo, r->to, history_add,
		    h, err);
	} else
		rc = store_rate_list(r->st, currency, NULL, NULL, history_add,
		    h, err);
	if (rc != 0) {
		free(h->dates);
		free(h->rates);
		if (rc == SPEND_ENOMEM)
			spend_errf(err, SPEND_ENOMEM, "", "out of memory");
		return NULL;
	}
	r->nh++;
	return h;
}

/* The rate of currency on date or the nearest earlier one. */
static int
rate_at(struct rates *r, const char *currency, const char *date,
    int64_t *rate, const char **when, struct spend_err *err)
{
	struct history *h;
	size_t lo = 0, hi;

	if (strcmp(currency, "EUR") == 0) {
		*rate = RATE_SCALE;
		*when = date;
		return 0;
	}
	if (r->from[0] && (strcmp(date, r->from) < 0 ||
	    (r->to[0] && strcmp(date, r->to) > 0)))
		return spend_errf(err, SPEND_EINVAL, "date", "%s is outside "
		    "the converter's window %s..%s", date, r->from, r->to);
	if ((h = history(r, currency, err)) == NULL)
		return err->code ? err->code : SPEND_ESTORE;
	/* the last answer again, or the next rate's (a report asks day
	 * after day): no search */
	if (h->hint > 0 && h->hint <= h->n &&
	    strcmp(h->dates[h->hint - 1], date) <= 0) {
		if (h->hint == h->n || strcmp(h->dates[h->hint], date) > 0) {
			lo = h->hint;
			goto found;
		}
		if (h->hint + 1 == h->n || strcmp(h->dates[h->hint + 1],
		    date) > 0) {
			lo = ++h->hint;
			goto found;
		}
	}
	/* the last date <= date */
	for (hi = h->n; lo < hi;) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(h->dates[mid], date) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return spend_errf(err, SPEND_ENOTFOUND, "currency", "no rate of "
		    "%s on or before %s", currency, date);
	h->hint = lo;
found:
	*rate = h->rates[lo - 1];
	*when = h->dates[lo - 1];
	return 0;
}

int
rates_convert(struct rates *r, int64_t amount, const char *from,
    const char *to, const char *date, int64_t *out, char used[DATE_LEN + 1],
    struct spend_err *err)
{
	const struct currency *cf = money_currency(from), *ct = money_currency(to);

	used[0] = '\0';
	if (cf == NULL || ct == NULL)
		return spend_errf(err, SPEND_EINVAL, "currency", "unknown "
		    "currency %s", cf ? to : from);
	return rates_convert_cur(r, amount, cf, ct, date, out, used, err);
}

int
rates_convert_cur(struct rates *r, int64_t amount, const struct currency *cf,
    const struct currency *ct, const char *date, int64_t *out,
    char used[DATE_LEN + 1], struct spend_err *err)
{
	const char *wf, *wt;
	int64_t rf, rt;
	int rc;

	used[0] = '\0';
	if (cf == ct) {
		*out = amount;
		return 0;
	}
	if ((rc = rate_at(r, cf->code, date, &rf, &wf, err)) < 0 ||
	    (rc = rate_at(r, ct->code, date, &rt, &wt, err)) < 0)
		return rc;
	strlcpy(used, strcmp(wf, wt) < 0 ? wf : wt, DATE_LEN + 1);
	if (money_convert(amount, cf->exponent, rf, ct->exponent, rt, out) < 0)
		return spend_errf(err, SPEND_EINVAL, "amount", "%s in %s is out "
		    "of range", cf->code, ct->code);
	return 0;
}

int
rates_set(struct store *st, const char *currency, const char *date,
    const char *rate, const char *source, struct spend_err *err)
{
	char code[4];
	int64_t v;
	int r;

	if (strlen(currency) != 3)
		return spend_errf(err, SPEND_EINVAL, "currency", "currency "
		    "\"%.20s\": not an ISO 4217 code", currency);
	for (int i = 0; i < 3; i++)
		code[i] = (char)(currency[i] >= 'a' && currency[i] <= 'z' ?
		    currency[i] - 32 : currency[i]);
	code[3] = '\0';
	if (money_currency(code) == NULL)
		return spend_errf(err, SPEND_EINVAL, "currency", "currency "
		    "\"%s\": not an ISO 4217 code", code);
	if (strcmp(code, "EUR") == 0)
		return spend_errf(err, SPEND_EINVAL, "currency", "rates are per "
		    "EUR: EUR is 1 by definition");
	if (!date_valid(date))
		return spend_errf(err, SPEND_EINVAL, "date", "date \"%.20s\": not "
		    "a calendar date YYYY-MM-DD", date);
	if ((r = money_rate_parse(rate, "rate", &v, err)) < 0)
		return r;
	return store_rate_set(st, code, date, v, source, err);
}

/* ---- the ECB's files ---- */

/* "4 March 2024" or "04 March 2024" into "2024-03-04". */
static int
long_date(const char *s, char out[DATE_LEN + 1])
{
	static const char *const months[] = { "January", "February", "March",
	    "April", "May", "June", "July", "August", "September", "October",
	    "November", "December" };
	char name[16];
	int d, y;

	if (sscanf(s, "%d %15s %d", &d, name, &y) != 3)
		return -1;
	for (int m = 0; m < 12; m++)
		if (strcmp(name, months[m]) == 0) {
			snprintf(out, DATE_LEN + 1, "%04d-%02d-%02d", y, m + 1, d);
			return date_valid(out) ? 0 : -1;
		}
	return -1;
}

/* Split line (modified) at commas, trimming spaces: up to max fields. */
static size_t
fields(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (n < max) {
		char *e = strchr(p, ',');

		if (e)
			*e = '\0';
		f[n++] = str_trim(p);
		if (e == NULL)
			break;
		p = e + 1;
	}
	return n;
}

int
rates_import_ecb(struct store *st, const char *text, size_t len, int64_t *n,
    char *skipped, size_t skippedlen, struct spend_err *err)
{
	char *buf = malloc(len + 1), *line, *save = NULL, *hdr[128], *f[128];
	char codes[128][4];
	size_t nh = 0, lineno = 0;
	int r = 0;

	*n = 0;
	if (skipped && skippedlen)
		skipped[0] = '\0';
	if (buf == NULL)
		return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (memchr(text, '\0', len))
		r = spend_errf(err, SPEND_EINVAL, "", "not a text file");
	else if ((r = store_begin(st, err)) < 0)
		;
	else {
		for (line = strtok_r(buf, "\r\n", &save); line && r == 0;
		    line = strtok_r(NULL, "\r\n", &save)) {
			size_t nf;
			char date[DATE_LEN + 1];

			lineno++;
			if (*str_trim(line) == '\0')
				continue;
			if (nh == 0) {
				nf = fields(line, hdr, 128);
				if (nf < 2 || strcmp(hdr[0], "Date") != 0) {
					r = spend_errf(err, SPEND_EINVAL, "", "line "
					    "%zu: not an ECB rates file (it starts "
					    "\"Date,USD,...\")", lineno);
					break;
				}
				/* columns of currencies that no longer
				 * exist (CYP, SIT, ...) are skipped: no
				 * expense can be in them */
				for (size_t i = 1; i < nf; i++) {
					strlcpy(codes[i], hdr[i], 4);
					if (codes[i][0] && (strlen(hdr[i]) != 3 ||
					    money_currency(codes[i]) == NULL)) {
						if (skipped && *skipped)
							strlcat(skipped, " ",
							    skippedlen);
						if (skipped)
							strlcat(skipped, hdr[i],
							    skippedlen);
						codes[i][0] = '\0';
					}
				}
				nh = nf;
				continue;
			}
			nf = fields(line, f, 128);
			if ((strlen(f[0]) == 10 && date_valid(f[0]) &&
			    strlcpy(date, f[0], sizeof(date))) ||
			    long_date(f[0], date) == 0)
				;
			else {
				r = spend_errf(err, SPEND_EINVAL, "date", "line "
				    "%zu: date \"%.30s\" is neither 2024-03-04 "
				    "nor 4 March 2024", lineno, f[0]);
				break;
			}
			for (size_t i = 1; i < nf && i < nh && r == 0; i++) {
				if (codes[i][0] == '\0' || *f[i] == '\0' ||
				    strcmp(f[i], "N/A") == 0)
					continue;
				if ((r = rates_set(st, codes[i], date, f[i], "ecb",
				    err)) < 0)
					spend_err_prefix(err, "line %zu, %s",
					    lineno, codes[i]);
				else
					(*n)++;
			}
		}
		if (r == 0 && nh == 0)
			r = spend_errf(err, SPEND_EINVAL, "", "an empty file: no "
			    "rates");
		if (r < 0)
			store_rollback(st);
		else
			r = store_commit(st, err);
	}
	free(buf);
	return r;
}
