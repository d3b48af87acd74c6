/* The reports plugin's shared code: see rp.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rp.h"

const struct spend_host_api *rp_host;

/* ---- JSON text ---- */

void
jb_put(struct jbuf *b, const char *p, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *s;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((s = realloc(b->s, cap)) == NULL) {
			b->failed = 1;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
jb_puts(struct jbuf *b, const char *s)
{
	jb_put(b, s, strlen(s));
}

void
jb_str(struct jbuf *b, const char *s)
{
	const char *run = s;
	char esc[8];

	jb_put(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c != '"' && c != '\\' && c >= 0x20)
			continue;
		jb_put(b, run, (size_t)(s - run));
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			jb_put(b, esc, 2);
		} else {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			jb_put(b, esc, 6);
		}
		run = s + 1;
	}
	jb_put(b, run, (size_t)(s - run));
	jb_put(b, "\"", 1);
}

void
jb_int(struct jbuf *b, int64_t v)
{
	char n[24];

	snprintf(n, sizeof(n), "%" PRId64, v);
	jb_puts(b, n);
}

void
jb_elem(struct jbuf *b)
{
	if (b->len > 0 && b->s[b->len - 1] != '[' && b->s[b->len - 1] != '{')
		jb_put(b, ",", 1);
}

void
jb_key(struct jbuf *b, const char *name)
{
	jb_elem(b);
	jb_str(b, name);
	jb_put(b, ":", 1);
}

void
jb_amount(struct jbuf *b, int64_t minor, const char *currency)
{
	char a[64];

	if (rp_host->money_format(minor, currency, a, sizeof(a)) < 0) {
		b->failed = 1;	/* cannot happen for a known currency */
		return;
	}
	jb_str(b, a);
}

void
jb_bp(struct jbuf *b, int64_t bp)
{
	char s[32];
	uint64_t a;

	if (bp == RP_NONE) {
		jb_puts(b, "null");
		return;
	}
	a = bp < 0 ? (uint64_t)0 - (uint64_t)bp : (uint64_t)bp;
	snprintf(s, sizeof(s), "\"%s%" PRIu64 ".%02" PRIu64 "\"",
	    bp < 0 ? "-" : "", a / 100, a % 100);
	jb_puts(b, s);
}

char *
jb_done(struct jbuf *b)
{
	if (b->failed) {
		free(b->s);
		b->s = NULL;
	}
	return b->s;
}

/* ---- numbers ---- */

int64_t
rp_div(__int128 num, int64_t den)
{
	__int128 q = num / den, r = num % den;
	__int128 twice = (r < 0 ? -r : r) * 2;

	if (twice > den || (twice == den && (q & 1) != 0))
		q += num < 0 ? -1 : 1;
	return (int64_t)q;
}

int64_t
rp_change_bp(int64_t cur, int64_t prev)
{
	if (prev == 0)
		return RP_NONE;
	return rp_div(((__int128)cur - prev) * 10000, prev < 0 ? -prev : prev);
}

void
rp_shares(const int64_t *amount, size_t n, int64_t *bp)
{
	__int128 total = 0, *rem;
	int64_t given = 0;

	for (size_t i = 0; i < n; i++)
		if (amount[i] > 0)
			total += amount[i];
	if ((rem = calloc(n ? n : 1, sizeof(*rem))) == NULL) {
		/* without the remainders: each rounded on its own */
		for (size_t i = 0; i < n; i++)
			bp[i] = amount[i] > 0 ? (int64_t)(((__int128)amount[i] *
			    20000 / total + 1) / 2) : RP_NONE;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		__int128 x = (__int128)amount[i] * 10000;

		if (amount[i] <= 0) {
			bp[i] = RP_NONE;
			rem[i] = -1;
			continue;
		}
		bp[i] = (int64_t)(x / total);
		rem[i] = x % total;	/* all over the same total: comparable */
		given += bp[i];
	}
	/* hand the basis points the floors left, largest remainder first;
	 * ties go to the larger amount, then the earlier */
	while (given < 10000) {
		size_t best = n;

		for (size_t i = 0; i < n; i++) {
			if (rem[i] <= 0)
				continue;
			if (best == n || rem[i] > rem[best] ||
			    (rem[i] == rem[best] && amount[i] > amount[best]))
				best = i;
		}
		if (best == n)
			break;
		bp[best]++;
		rem[best] = -1;
		given++;
	}
	free(rem);
}

void
rp_color(int64_t id, char out[8])
{
	/* hue in thousandths of a degree */
	int64_t h = (int64_t)(((uint64_t)id * 137508u) % 360000u);
	const int64_t C = 650000, m = 175000;	/* chroma, L - C/2; 1e6 = 1 */
	int64_t f = h % 120000, X, r, g, b;

	X = C * (60000 - (f > 60000 ? f - 60000 : 60000 - f)) / 60000;
	switch (h / 60000) {
	case 0: r = C; g = X; b = 0; break;
	case 1: r = X; g = C; b = 0; break;
	case 2: r = 0; g = C; b = X; break;
	case 3: r = 0; g = X; b = C; break;
	case 4: r = X; g = 0; b = C; break;
	default: r = C; g = 0; b = X; break;
	}
	snprintf(out, 8, "#%02x%02x%02x",
	    (unsigned)(((r + m) * 255 + 500000) / 1000000),
	    (unsigned)(((g + m) * 255 + 500000) / 1000000),
	    (unsigned)(((b + m) * 255 + 500000) / 1000000));
}

/* ---- dates ---- */

int64_t
rp_days(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
rp_civil(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

void
rp_date(int64_t days, char out[11])
{
	int y, m, d;

	rp_civil(days, &y, &m, &d);
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

int
rp_month_days(int y, int m)
{
	static const int n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return n[m - 1];
}

static int
digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
rp_parse_date(const char *s, int64_t *days)
{
	int y, m, d;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    !digits(s, 4) || !digits(s + 5, 2) || !digits(s + 8, 2))
		return -1;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > rp_month_days(y, m))
		return -1;
	*days = rp_days(y, m, d);
	return 0;
}

int
rp_parse_month(const char *s, int *y, int *m)
{
	if (s == NULL || strlen(s) != 7 || s[4] != '-' || !digits(s, 4) ||
	    !digits(s + 5, 2))
		return -1;
	*y = atoi(s);
	*m = atoi(s + 5);
	return *y >= 1900 && *y <= 2999 && *m >= 1 && *m <= 12 ? 0 : -1;
}

int
rp_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday */
	return (int)(((days % 7) + 7 + 3) % 7);
}

void
rp_iso_week(int64_t days, int *year, int *week)
{
	int64_t thursday = days - rp_weekday(days) + 3;
	int m, d;

	rp_civil(thursday, year, &m, &d);
	*week = (int)((thursday - rp_days(*year, 1, 1)) / 7 + 1);
}

int
rp_iso_weeks(int year)
{
	int y, w;

	rp_iso_week(rp_days(year, 12, 28), &y, &w);
	return w;
}

int64_t
rp_iso_week_start(int year, int week)
{
	int64_t jan4 = rp_days(year, 1, 4);

	return jan4 - rp_weekday(jan4) + (int64_t)(week - 1) * 7;
}

/* ---- periods ---- */

static void
set_range(struct rp_period *p, int64_t from, int64_t to)
{
	p->dfrom = from;
	p->dto = to;
	rp_date(from, p->from);
	rp_date(to, p->to);
	p->valid = from >= rp_days(1, 1, 1) && to <= rp_days(9999, 12, 31);
}

static void
make_week(struct rp_period *p, int year, int week)
{
	int64_t start = rp_iso_week_start(year, week);

	memset(p, 0, sizeof(*p));
	p->kind = RP_WEEK;
	set_range(p, start, start + 6);
	snprintf(p->label, sizeof(p->label), "%04d-W%02d", year, week);
}

static void
make_month(struct rp_period *p, int year, int month)
{
	memset(p, 0, sizeof(*p));
	p->kind = RP_MONTH;
	set_range(p, rp_days(year, month, 1), rp_days(year, month,
	    rp_month_days(year, month)));
	snprintf(p->label, sizeof(p->label), "%04d-%02d", year, month);
}

static void
make_year(struct rp_period *p, int year)
{
	memset(p, 0, sizeof(*p));
	p->kind = RP_YEAR;
	set_range(p, rp_days(year, 1, 1), rp_days(year, 12, 31));
	snprintf(p->label, sizeof(p->label), "%04d", year);
}

static const char *
param(struct spend_report_job *job, const char *key)
{
	const char *v = rp_host->report_param(job, key);

	return v && *v ? v : NULL;
}

int
rp_period_params(struct spend_report_job *job, struct rp_period *p,
    int allow_open)
{
	const char *week = param(job, "week"), *month = param(job, "month");
	const char *year = param(job, "year"), *period = param(job, "period");
	const char *from = param(job, "from"), *to = param(job, "to");
	const char *given = week ? "week" : month ? "month" : year ? "year" :
	    NULL;
	int n = !!week + !!month + !!year, y, m, d, w;
	int64_t days;

	memset(p, 0, sizeof(*p));
	if (n > 1) {
		rp_host->report_error_field(job, month && week ? "month" :
		    "year", "give one of week, month and year");
		return -1;
	}
	if ((n || period) && (from || to)) {
		rp_host->report_error_field(job, from ? "from" : "to",
		    "from/to or %s, not both", given ? given : "period");
		return -1;
	}
	if (period) {
		if (strcmp(period, "week") && strcmp(period, "month") &&
		    strcmp(period, "year")) {
			rp_host->report_error_field(job, "period", "period "
			    "must be week, month or year");
			return -1;
		}
		if (given && strcmp(given, period)) {
			rp_host->report_error_field(job, "period", "period "
			    "%s with %s=", period, given);
			return -1;
		}
		if (!given && rp_parse_date(rp_host->report_today(job),
		    &days) == 0) {
			rp_civil(days, &y, &m, &d);
			if (!strcmp(period, "week")) {
				rp_iso_week(days, &y, &w);
				make_week(p, y, w);
			} else if (!strcmp(period, "month"))
				make_month(p, y, m);
			else
				make_year(p, y);
			return 0;
		}
	}
	if (week) {
		if (strlen(week) == 8 && week[4] == '-' && week[5] == 'W' &&
		    digits(week, 4) && digits(week + 6, 2)) {
			y = atoi(week);
			w = atoi(week + 6);
			if (y < 1 || w < 1 || w > rp_iso_weeks(y)) {
				rp_host->report_error_field(job, "week", "week "
				    "%s: %d has weeks W01..W%02d", week, y,
				    y < 1 ? 52 : rp_iso_weeks(y));
				return -1;
			}
		} else if (rp_parse_date(week, &days) == 0)
			rp_iso_week(days, &y, &w);
		else {
			rp_host->report_error_field(job, "week", "week must be "
			    "YYYY-Www (2026-W01) or a date in it (YYYY-MM-DD)");
			return -1;
		}
		make_week(p, y, w);
		return 0;
	}
	if (month) {
		if (strlen(month) != 7 || month[4] != '-' ||
		    !digits(month, 4) || !digits(month + 5, 2) ||
		    (y = atoi(month)) < 1 || (m = atoi(month + 5)) < 1 ||
		    m > 12) {
			rp_host->report_error_field(job, "month", "month must "
			    "be YYYY-MM");
			return -1;
		}
		make_month(p, y, m);
		return 0;
	}
	if (year) {
		if (strlen(year) != 4 || !digits(year, 4) ||
		    (y = atoi(year)) < 1) {
			rp_host->report_error_field(job, "year", "year must be "
			    "YYYY");
			return -1;
		}
		make_year(p, y);
		return 0;
	}
	p->kind = RP_RANGE;
	if ((from && rp_parse_date(from, &p->dfrom) < 0) ||
	    (to && rp_parse_date(to, &p->dto) < 0)) {
		rp_host->report_error_field(job, from && rp_parse_date(from,
		    &days) < 0 ? "from" : "to", "%s must be a date, "
		    "YYYY-MM-DD", from && rp_parse_date(from, &days) < 0 ?
		    "from" : "to");
		return -1;
	}
	if (!allow_open && (!from || !to)) {
		rp_host->report_error_field(job, from ? "to" : "from", "this "
		    "report needs a closed period: from and to (or week, "
		    "month, year)");
		return -1;
	}
	if (from && to && p->dfrom > p->dto) {
		rp_host->report_error_field(job, "to", "to (%s) is before "
		    "from (%s)", to, from);
		return -1;
	}
	if (from)
		snprintf(p->from, sizeof(p->from), "%s", from);
	if (to)
		snprintf(p->to, sizeof(p->to), "%s", to);
	p->valid = from && to;
	snprintf(p->label, sizeof(p->label), "%s", p->valid ? "range" : "open");
	return 0;
}

/* The same day a year before: 29 February as the 28th. */
static int64_t
year_back(int64_t days)
{
	int y, m, d;

	rp_civil(days, &y, &m, &d);
	if (m == 2 && d == 29)
		d = 28;
	return rp_days(y - 1, m, d);
}

void
rp_period_previous(const struct rp_period *p, struct rp_period *out)
{
	int y, m, d, w;

	memset(out, 0, sizeof(*out));
	if (!p->valid)
		return;
	rp_civil(p->dfrom, &y, &m, &d);
	switch (p->kind) {
	case RP_WEEK:
		rp_iso_week(p->dfrom - 7, &y, &w);
		make_week(out, y, w);
		break;
	case RP_MONTH:
		if (y == 1 && m == 1)
			return;
		make_month(out, m == 1 ? y - 1 : y, m == 1 ? 12 : m - 1);
		break;
	case RP_YEAR:
		if (y == 1)
			return;
		make_year(out, y - 1);
		break;
	default:
		out->kind = RP_RANGE;
		set_range(out, p->dfrom - (p->dto - p->dfrom + 1),
		    p->dfrom - 1);
		snprintf(out->label, sizeof(out->label), "range");
		break;
	}
}

void
rp_period_year_before(const struct rp_period *p, struct rp_period *out)
{
	int y, m, d, w;

	memset(out, 0, sizeof(*out));
	if (!p->valid)
		return;
	rp_civil(p->dfrom, &y, &m, &d);
	if (y <= 1 && p->kind != RP_WEEK)
		return;
	switch (p->kind) {
	case RP_WEEK:
		rp_iso_week(p->dfrom, &y, &w);
		if (y <= 1)
			return;
		make_week(out, y - 1, w > rp_iso_weeks(y - 1) ?
		    rp_iso_weeks(y - 1) : w);
		break;
	case RP_MONTH:
		make_month(out, y - 1, m);
		break;
	case RP_YEAR:
		make_year(out, y - 1);
		break;
	default:
		out->kind = RP_RANGE;
		set_range(out, year_back(p->dfrom), year_back(p->dto));
		snprintf(out->label, sizeof(out->label), "range");
		break;
	}
}

/* ---- conversion bookkeeping ---- */

int
rp_conv_note(struct rp_conv *cv, const struct spend_cell *c)
{
	if (!c->converted) {
		struct rp_unconv *u = NULL;

		for (size_t i = 0; i < cv->nun; i++)
			if (strcmp(cv->un[i].currency, c->currency) == 0)
				u = &cv->un[i];
		if (u == NULL) {
			void *v = realloc(cv->un, (cv->nun + 1) *
			    sizeof(*cv->un));

			if (v == NULL)
				return -1;
			cv->un = v;
			u = &cv->un[cv->nun++];
			memset(u, 0, sizeof(*u));
			snprintf(u->currency, sizeof(u->currency), "%s",
			    c->currency);
		}
		u->count += c->count;
		/* |sums| <= 10^14 each: overflow needs 92,000 of them */
		if (__builtin_add_overflow(u->sum, c->sum_minor, &u->sum))
			return -1;
		return 0;
	}
	if (c->rate_date[0] && strcmp(c->rate_date, c->day) < 0) {
		struct rp_older *o;

		/* a day's cells come together (day cells): once each */
		for (size_t i = cv->nolder; i-- > 0;) {
			if (strcmp(cv->older[i].date, c->day) != 0)
				break;
			if (strcmp(cv->older[i].currency, c->currency) == 0)
				return 1;
		}
		if (cv->nolder == cv->olderc) {
			size_t n = cv->olderc ? cv->olderc * 2 : 64;
			void *v = realloc(cv->older, n * sizeof(*cv->older));

			if (v == NULL)
				return -1;
			cv->older = v;
			cv->olderc = n;
		}
		o = &cv->older[cv->nolder++];
		snprintf(o->currency, sizeof(o->currency), "%s", c->currency);
		snprintf(o->date, sizeof(o->date), "%s", c->day);
		snprintf(o->rate_date, sizeof(o->rate_date), "%s",
		    c->rate_date);
	}
	return 1;
}

static int
older_cmp(const void *a, const void *b)
{
	const struct rp_older *x = a, *y = b;
	int r = strcmp(x->date, y->date);

	return r ? r : strcmp(x->currency, y->currency);
}

static int
unconv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rp_unconv *)a)->currency,
	    ((const struct rp_unconv *)b)->currency);
}

void
rp_conv_json(struct jbuf *b, struct rp_conv *cv)
{
	size_t n = 0;

	if (cv->nun > 1)
		qsort(cv->un, cv->nun, sizeof(*cv->un), unconv_cmp);
	jb_key(b, "unconverted");
	jb_puts(b, "[");
	for (size_t i = 0; i < cv->nun; i++) {
		jb_elem(b);
		jb_puts(b, "{");
		jb_key(b, "currency");
		jb_str(b, cv->un[i].currency);
		jb_key(b, "count");
		jb_int(b, cv->un[i].count);
		jb_key(b, "sum");
		jb_amount(b, cv->un[i].sum, cv->un[i].currency);
		jb_puts(b, "}");
	}
	jb_puts(b, "]");
	/* payee cells come by payee: the same day may be listed twice */
	if (cv->nolder > 1)
		qsort(cv->older, cv->nolder, sizeof(*cv->older), older_cmp);
	for (size_t i = 0; i < cv->nolder; i++)
		if (n == 0 || older_cmp(&cv->older[n - 1], &cv->older[i]) != 0)
			cv->older[n++] = cv->older[i];
	cv->nolder = n;
	jb_key(b, "older_rates");
	jb_puts(b, "[");
	for (size_t i = 0; i < cv->nolder && i < RP_OLDER_MAX; i++) {
		jb_elem(b);
		jb_puts(b, "{");
		jb_key(b, "currency");
		jb_str(b, cv->older[i].currency);
		jb_key(b, "date");
		jb_str(b, cv->older[i].date);
		jb_key(b, "rate_date");
		jb_str(b, cv->older[i].rate_date);
		jb_puts(b, "}");
	}
	jb_puts(b, "]");
	jb_key(b, "older_rates_count");
	jb_int(b, (int64_t)cv->nolder);
}

void
rp_conv_free(struct rp_conv *cv)
{
	free(cv->un);
	free(cv->older);
	memset(cv, 0, sizeof(*cv));
}

/* ---- categories ---- */

struct rp_cat *
rp_cat_of(struct rp_cats *cs, int64_t id, const char *name)
{
	size_t lo = 0, hi = cs->n;
	struct rp_cat *c;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cs->v[mid].id == id)
			return &cs->v[mid];
		if (cs->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (cs->n == cs->cap) {
		size_t n = cs->cap ? cs->cap * 2 : 16;
		void *v = realloc(cs->v, n * sizeof(*cs->v));

		if (v == NULL)
			return NULL;
		cs->v = v;
		cs->cap = n;
	}
	memmove(&cs->v[lo + 1], &cs->v[lo], (cs->n - lo) * sizeof(*cs->v));
	cs->n++;
	c = &cs->v[lo];
	memset(c, 0, sizeof(*c));
	c->id = id;
	snprintf(c->name, sizeof(c->name), "%s", name ? name : "");
	rp_color(id, c->color);
	return c;
}

static int
by_amount(const void *a, const void *b)
{
	const struct rp_cat *x = a, *y = b;
	int r;

	if (x->amount != y->amount)
		return x->amount > y->amount ? -1 : 1;
	if ((r = strcasecmp(x->name, y->name)) != 0)
		return r;
	return x->id < y->id ? -1 : x->id > y->id;
}

void
rp_cats_by_amount(struct rp_cats *cs)
{
	if (cs->n > 1)
		qsort(cs->v, cs->n, sizeof(*cs->v), by_amount);
}

void
rp_cats_free(struct rp_cats *cs)
{
	free(cs->v);
	memset(cs, 0, sizeof(*cs));
}

void
rp_nomem(struct spend_report_job *job, const char *report)
{
	rp_host->report_error(job, "%s: out of memory", report);
}
