#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "util.h"

size_t
strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size) {
		size_t c = n < size - 1 ? n : size - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

size_t
strlcat(char *dst, const char *src, size_t size)
{
	size_t d = strnlen(dst, size);

	if (d == size)
		return d + strlen(src);
	return d + strlcpy(dst + d, src, size - d);
}

int
days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

bool
date_valid(const char *s)
{
	int y, m, d;

	if (s == NULL || strlen(s) != DATE_LEN || s[4] != '-' || s[7] != '-')
		return false;
	y = digits(s, 4);
	m = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1)
		return false;
	return d <= days_in_month(y, m);
}

int
month_range(const char *ym, char from[DATE_LEN + 1], char to[DATE_LEN + 1])
{
	int y, m;

	if (ym == NULL || strlen(ym) != 7 || ym[4] != '-')
		return -1;
	y = digits(ym, 4);
	m = digits(ym + 5, 2);
	if (y < 1900 || y > 2999 || m < 1 || m > 12)
		return -1;
	snprintf(from, DATE_LEN + 1, "%04d-%02d-01", y, m);
	snprintf(to, DATE_LEN + 1, "%04d-%02d-%02d", y, m, days_in_month(y, m));
	return 0;
}

/* Days from civil (Howard Hinnant's algorithm), proleptic Gregorian. */
static int64_t
days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int *y, int *m, int *d)
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

void
date_add_days(const char *date, int n, char out[DATE_LEN + 1])
{
	int y = digits(date, 4), m = digits(date + 5, 2), d = digits(date + 8, 2);

	civil_from_days(days_from_civil(y, m, d) + n, &y, &m, &d);
	snprintf(out, DATE_LEN + 1, "%04d-%02d-%02d", y, m, d);
}

/* glibc has no per-call zone: TZ is switched under this lock. Only the
 * scheduler and date defaults call these, never a hot path. The lock is
 * process-wide because TZ (the environment) is. */
static pthread_mutex_t tz_mtx = PTHREAD_MUTEX_INITIALIZER;

/* What TZ was, kept without malloc: a TZ longer than a path is no zone. */
struct tz_saved {
	char old[PATH_MAX + 2];
	bool had;
};

static bool
tz_is_utc(const char *tz)
{
	return tz == NULL || *tz == '\0' || strcmp(tz, "UTC") == 0;
}

/* Lock and set TZ to tz; *sv gets what to restore. */
static void
tz_enter(const char *tz, struct tz_saved *sv)
{
	const char *cur;

	pthread_mutex_lock(&tz_mtx);
	cur = getenv("TZ");
	sv->had = cur && strlcpy(sv->old, cur, sizeof(sv->old)) <
	    sizeof(sv->old);
	setenv("TZ", tz, 1);
	tzset();
}

static void
tz_leave(const struct tz_saved *sv)
{
	if (sv->had)
		setenv("TZ", sv->old, 1);
	else
		unsetenv("TZ");
	tzset();
	pthread_mutex_unlock(&tz_mtx);
}

void
date_at(const char *tz, int64_t when, char out[DATE_LEN + 1])
{
	time_t now = (time_t)when;
	struct tm tm;

	if (tz_is_utc(tz)) {
		gmtime_r(&now, &tm);
	} else {
		struct tz_saved sv;

		tz_enter(tz, &sv);
		localtime_r(&now, &tm);
		tz_leave(&sv);
	}
	snprintf(out, DATE_LEN + 1, "%04d-%02d-%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday);
}

void
date_today(const char *tz, char out[DATE_LEN + 1])
{
	date_at(tz, (int64_t)time(NULL), out);
}

int64_t
date_start(const char *tz, const char *date)
{
	int y = digits(date, 4), m = digits(date + 5, 2), d = digits(date + 8, 2);
	int64_t t = days_from_civil(y, m, d) * 86400;
	struct tm tm;
	struct tz_saved sv;

	if (tz_is_utc(tz))
		return t;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_isdst = -1;
	tz_enter(tz, &sv);
	t = (int64_t)mktime(&tm);
	/* a midnight the clocks skip: mktime may land on the evening
	 * before; the day starts with its first hour that exists */
	for (int i = 0; i < 48; i++) {
		time_t tt = (time_t)t;
		struct tm lt;

		localtime_r(&tt, &lt);
		if (lt.tm_year + 1900 > y || (lt.tm_year + 1900 == y &&
		    (lt.tm_mon + 1 > m || (lt.tm_mon + 1 == m &&
		    lt.tm_mday >= d))))
			break;
		t += 900;	/* zones are whole quarter hours apart */
		t -= t % 900;
	}
	tz_leave(&sv);
	return t;
}

void
unix_rfc3339(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
timestamp_now(char out[TIMESTAMP_LEN + 1])
{
	struct timespec ts;
	struct tm tm;
	char buf[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, TIMESTAMP_LEN + 1, "%s.%03ldZ", buf, ts.tv_nsec / 1000000);
}

int64_t
time_now(void)
{
	return (int64_t)time(NULL);
}

int64_t
time_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
time_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool
timezone_valid(const char *tz)
{
	char path[512];
	struct stat st;

	if (tz == NULL || *tz == '\0' || strlen(tz) > 64)
		return false;
	if (strcmp(tz, "UTC") == 0)
		return true;
	for (const char *p = tz; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '/' || *p == '_' ||
		    *p == '-' || *p == '+'))
			return false;
	if (tz[0] == '/' || strstr(tz, "..") != NULL)
		return false;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool
utf8_valid(const char *str, size_t len)
{
	const unsigned char *p = (const unsigned char *)str, *e = p + len;
	size_t k;

	while (p < e) {
		if (*p == '\0')
			k = 1;
		else if ((k = utf8_scalar_len(p, e)) == 0)
			return false;
		p += k;
	}
	return true;
}

void
utf8_scrub(char *s)
{
	unsigned char *p = (unsigned char *)s;

	while (*p) {
		size_t n = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;

		if (strnlen((char *)p, n) == n && utf8_valid((char *)p, n))
			p += n;
		else
			*p++ = '?';
	}
}

bool
text_clean(const char *s, const char *allow)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!utf8_valid(s, strlen(s)))
		return false;
	for (; *p; p++) {
		if ((*p < 0x20 || *p == 0x7f) &&
		    (allow == NULL || strchr(allow, *p) == NULL))
			return false;
		/* C1 controls: U+0080..U+009F are encoded C2 80..C2 9F */
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return false;
	}
	return true;
}

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int
b64url_encode(const void *in, size_t len, char *out, size_t outlen)
{
	const unsigned char *s = in;
	size_t need = (len * 4 + 2) / 3, o = 0;

	if (outlen < need + 1)
		return -1;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;
		size_t rem = len - i;

		if (rem > 1)
			v |= (uint32_t)s[i + 1] << 8;
		if (rem > 2)
			v |= s[i + 2];
		out[o++] = b64chars[(v >> 18) & 63];
		out[o++] = b64chars[(v >> 12) & 63];
		if (rem > 1)
			out[o++] = b64chars[(v >> 6) & 63];
		if (rem > 2)
			out[o++] = b64chars[v & 63];
	}
	out[o] = '\0';
	return (int)o;
}

static int
b64val(int c)
{
	const char *p;

	if (c == '\0')
		return -1;
	p = strchr(b64chars, c);
	return p ? (int)(p - b64chars) : -1;
}

int
b64url_decode(const char *in, void *out, size_t outlen)
{
	unsigned char *o = out;
	size_t len = strlen(in), n = 0;
	uint32_t acc = 0;
	int bits = 0;

	if (len % 4 == 1)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int v = b64val((unsigned char)in[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n >= outlen)
				return -1;
			o[n++] = (acc >> bits) & 0xff;
		}
	}
	/* leftover bits must be zero (canonical encoding) */
	if (bits && (acc & ((1u << bits) - 1)))
		return -1;
	return (int)n;
}

void
hex_encode(const void *in, size_t len, char *out)
{
	static const char hx[] = "0123456789abcdef";
	const unsigned char *s = in;

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hx[s[i] >> 4];
		out[2 * i + 1] = hx[s[i] & 15];
	}
	out[2 * len] = '\0';
}

int
strcasecmp_ascii(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = (unsigned char)*a, cb = (unsigned char)*b;

		if (ca >= 'A' && ca <= 'Z')
			ca += 32;
		if (cb >= 'A' && cb <= 'Z')
			cb += 32;
		if (ca != cb || ca == 0)
			return ca - cb;
	}
}

void
str_tolower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s += 32;
}

char *
str_trim(char *s)
{
	size_t n;
	char *p = s;

	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (p != s)
		memmove(s, p, strlen(p) + 1);
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
	    s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}
