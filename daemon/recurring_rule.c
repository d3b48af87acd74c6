/* The recurrence of a rule: pure functions of the rule and a date
 * (recurring.h). Dates are calendar dates: they never shift with a time
 * zone or a DST change; the scheduler decides when a date has come. */
#include <stdio.h>
#include <string.h>

#include "recurring.h"
#include "util.h"

static const char *const freq_names[] = { "day", "week", "month", "year" };
static const char *const wd_short[] = { "mon", "tue", "wed", "thu", "fri",
    "sat", "sun" };
static const char *const wd_long[] = { "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday" };

#define LAST_DATE "2999-12-31"	/* date_valid's last year */

/* Days since 1970-01-01 (proleptic Gregorian; Howard Hinnant's). */
static int64_t
days_of(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static void
civil_of(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

static void
ymd(const char *s, int *y, int *m, int *d)
{
	*y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	*m = (s[5] - '0') * 10 + (s[6] - '0');
	*d = (s[8] - '0') * 10 + (s[9] - '0');
}

static int64_t
day_num(const char *s)
{
	int y, m, d;

	ymd(s, &y, &m, &d);
	return days_of(y, m, d);
}

static void
day_str(int64_t z, char out[DATE_LEN + 1])
{
	int y, m, d;

	civil_of(z, &y, &m, &d);
	snprintf(out, DATE_LEN + 1, "%04d-%02d-%02d", y, m, d);
}

/* Monday 0 .. Sunday 6 (1970-01-01 was a Thursday). */
static int
weekday(int64_t z)
{
	int64_t w = (z + 3) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

static int64_t
ceil_div(int64_t a, int64_t b)
{
	return a <= 0 ? 0 : (a + b - 1) / b;
}

/* The day of month a monthly or yearly rule falls on in (y, m). */
static int
month_day(const struct recurrence *rec, int sday, int y, int m)
{
	int dim = days_in_month(y, m);
	int d = rec->month_day == REC_LAST_DAY ? dim :
	    rec->month_day > 0 ? rec->month_day : sday;

	return d > dim ? dim : d;
}

int
recurrence_next(const struct recurrence *rec, const char *after,
    char out[DATE_LEN + 1])
{
	int64_t start, base, limit, z = 0, n = rec->interval > 0 ?
	    rec->interval : 1;
	int sy, sm, sd;

	if (!date_valid(rec->start))
		return 0;
	start = day_num(rec->start);
	ymd(rec->start, &sy, &sm, &sd);
	base = start;
	if (after && *after && date_valid(after) && day_num(after) + 1 > base)
		base = day_num(after) + 1;
	limit = day_num(rec->end[0] && date_valid(rec->end) ? rec->end :
	    LAST_DATE);
	if (base > limit)
		return 0;
	switch (rec->freq) {
	case REC_DAY:
		z = start + ceil_div(base - start, n) * n;
		break;
	case REC_WEEK: {
		unsigned mask = rec->weekdays & 0x7f ? rec->weekdays & 0x7f :
		    1u << weekday(start);
		int64_t w0 = start - weekday(start);	/* its week's Monday */
		int64_t w = (base - w0) / 7;

		if (w % n)
			w += n - w % n;
		for (;;) {
			for (int d = 0; d < 7; d++) {
				z = w0 + 7 * w + d;
				if (z >= base && (mask & (1u << d)))
					goto found;
			}
			w += n;
			if (w0 + 7 * w > limit)
				return 0;
		}
	}
	case REC_MONTH: {
		int by, bm, bd;
		int64_t m0 = (int64_t)sy * 12 + sm - 1, k;

		civil_of(base, &by, &bm, &bd);
		k = ceil_div((int64_t)by * 12 + bm - 1 - m0, n) * n;
		for (;;) {
			int y = (int)((m0 + k) / 12), m = (int)((m0 + k) % 12) + 1;

			if (y > 2999)
				return 0;
			z = days_of(y, m, month_day(rec, sd, y, m));
			if (z >= base)
				break;
			k += n;
		}
		break;
	}
	case REC_YEAR: {
		int by, bm, bd;
		int64_t k;

		civil_of(base, &by, &bm, &bd);
		k = ceil_div(by - sy, n) * n;
		for (;;) {
			int y = (int)(sy + k);

			if (y > 2999)
				return 0;
			z = days_of(y, sm, month_day(rec, sd, y, sm));
			if (z >= base)
				break;
			k += n;
		}
		break;
	}
	default:
		return 0;
	}
found:
	if (z > limit)
		return 0;
	day_str(z, out);
	return 1;
}

int
recurrence_freq(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (s && strcmp(s, freq_names[i]) == 0)
			return i;
	return -1;
}

const char *
recurrence_freq_name(int freq)
{
	return freq >= 0 && freq < 4 ? freq_names[freq] : "?";
}

static int
parse_weekdays(const char *on, unsigned *mask, struct spend_err *err)
{
	char buf[128], *p, *save = NULL;

	if (strlcpy(buf, on, sizeof(buf)) >= sizeof(buf))
		return spend_errf(err, SPEND_EINVAL, "on", "on: too long");
	*mask = 0;
	for (p = strtok_r(buf, ", ", &save); p; p = strtok_r(NULL, ", ",
	    &save)) {
		int i;

		str_tolower(p);
		for (i = 0; i < 7; i++)
			if (!strcmp(p, wd_short[i]) || !strcmp(p, wd_long[i]))
				break;
		if (i == 7)
			return spend_errf(err, SPEND_EINVAL, "on", "on \"%.40s\": "
			    "not a weekday (mon, tue, wed, thu, fri, sat, sun)",
			    p);
		*mask |= 1u << i;
	}
	if (*mask == 0)
		return spend_errf(err, SPEND_EINVAL, "on", "on: name at least "
		    "one weekday (mon,thu)");
	return 0;
}

int
recurrence_parse_on(int freq, const char *on, struct recurrence *rec,
    struct spend_err *err)
{
	char buf[16];

	rec->weekdays = 0;
	rec->month_day = 0;
	if (on == NULL)
		return 0;
	switch (freq) {
	case REC_DAY:
		return spend_errf(err, SPEND_EINVAL, "on", "on does not apply "
		    "to a daily rule (use interval)");
	case REC_WEEK:
		return parse_weekdays(on, &rec->weekdays, err);
	default:
		strlcpy(buf, on, sizeof(buf));
		str_tolower(str_trim(buf));
		if (!strcmp(buf, "last")) {
			rec->month_day = REC_LAST_DAY;
			return 0;
		}
		if (strlen(buf) >= 1 && strlen(buf) <= 2 &&
		    strspn(buf, "0123456789") == strlen(buf)) {
			int d = buf[0] - '0';

			if (buf[1])
				d = d * 10 + buf[1] - '0';
			if (d >= 1 && d <= 31) {
				rec->month_day = d;
				return 0;
			}
		}
		return spend_errf(err, SPEND_EINVAL, "on", "on \"%.40s\": a day "
		    "of the month 1..31 (later days of short months are their "
		    "last) or \"last\"", on);
	}
}

void
recurrence_on_text(const struct recurrence *rec, char *buf, size_t size)
{
	buf[0] = '\0';
	if (!date_valid(rec->start))
		return;
	switch (rec->freq) {
	case REC_WEEK: {
		unsigned mask = rec->weekdays & 0x7f ? rec->weekdays & 0x7f :
		    1u << weekday(day_num(rec->start));

		for (int i = 0; i < 7; i++)
			if (mask & (1u << i)) {
				if (buf[0])
					strlcat(buf, ",", size);
				strlcat(buf, wd_short[i], size);
			}
		break;
	}
	case REC_MONTH:
	case REC_YEAR:
		if (rec->month_day == REC_LAST_DAY)
			strlcpy(buf, "last", size);
		else
			snprintf(buf, size, "%d", rec->month_day > 0 ?
			    rec->month_day : (rec->start[8] - '0') * 10 +
			    rec->start[9] - '0');
		break;
	default:
		break;
	}
}

int
recurrence_check(const struct recurrence *rec, struct spend_err *err)
{
	if (rec->freq < REC_DAY || rec->freq > REC_YEAR)
		return spend_errf(err, SPEND_EINVAL, "every", "every: day, week, "
		    "month or year");
	if (rec->interval < 1 || rec->interval > REC_INTERVAL_MAX)
		return spend_errf(err, SPEND_EINVAL, "interval", "interval must "
		    "be between 1 and %d", REC_INTERVAL_MAX);
	if (!date_valid(rec->start))
		return spend_errf(err, SPEND_EINVAL, "start", "start \"%.40s\": "
		    "not a calendar date YYYY-MM-DD", rec->start);
	if (rec->end[0] && !date_valid(rec->end))
		return spend_errf(err, SPEND_EINVAL, "end", "end \"%.40s\": not "
		    "a calendar date YYYY-MM-DD", rec->end);
	if (rec->end[0] && strcmp(rec->end, rec->start) < 0)
		return spend_errf(err, SPEND_EINVAL, "end", "end (%s) is before "
		    "start (%s)", rec->end, rec->start);
	if (rec->end[0] && rec->count)
		return spend_errf(err, SPEND_EINVAL, "count", "give end or "
		    "count, not both");
	if (rec->count < 0 || rec->count > REC_COUNT_MAX)
		return spend_errf(err, SPEND_EINVAL, "count", "count must be "
		    "between 1 and %d", REC_COUNT_MAX);
	if (rec->freq == REC_DAY && (rec->weekdays || rec->month_day))
		return spend_errf(err, SPEND_EINVAL, "on", "on does not apply "
		    "to a daily rule");
	return 0;
}

/* ---- a rule's progress ---- */

void
recurring_refresh(struct recurring_rule *r)
{
	char o[DATE_LEN + 1];
	int64_t i;

	r->next[0] = r->remind_next[0] = '\0';
	if ((r->rec.count && r->done >= r->rec.count) ||
	    !recurrence_next(&r->rec, r->after, r->next))
		return;
	/* the first occurrence from next on not yet reminded */
	strlcpy(o, r->next, sizeof(o));
	for (i = r->done; !r->rec.count || i < r->rec.count; i++) {
		if (strcmp(o, r->remind_after) > 0) {
			strlcpy(r->remind_next, o, sizeof(r->remind_next));
			return;
		}
		if (!recurrence_next(&r->rec, o, o))
			return;
	}
}

/* For a paused rule: the progress it would have if resumed today. */
static void
as_resumed(struct recurring_rule *r, const char *today)
{
	char yesterday[DATE_LEN + 1];

	date_add_days(today, -1, yesterday);
	if (strcmp(yesterday, r->after) > 0)
		strlcpy(r->after, yesterday, sizeof(r->after));
	recurring_refresh(r);
}

void
recurring_next(const struct recurring_rule *r, const char *today,
    char out[DATE_LEN + 1])
{
	struct recurring_rule t;

	if (!r->paused || today == NULL) {
		strlcpy(out, r->next, DATE_LEN + 1);
		return;
	}
	t = *r;
	as_resumed(&t, today);
	strlcpy(out, t.next, DATE_LEN + 1);
}

int
recurring_each(const struct recurring_rule *r, const char *today,
    const char *from, const char *to,
    int (*cb)(void *arg, const char *date), void *arg)
{
	char o[DATE_LEN + 1];
	int64_t i = r->done;
	int rc;

	recurring_next(r, today, o);
	if (o[0] == '\0')
		return 0;
	/* from the first on or after from (counting those before it) */
	while (strcmp(o, to) <= 0) {
		if (r->rec.count && i >= r->rec.count)
			break;
		if (strcmp(o, from) >= 0 && (rc = cb(arg, o)) != 0)
			return rc;
		i++;
		if (!recurrence_next(&r->rec, o, o))
			break;
	}
	return 0;
}
