/* Small helpers: bounded strings, dates, timestamps, encodings. */
#ifndef SPEND_UTIL_H
#define SPEND_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define DATE_LEN 10		/* "YYYY-MM-DD" */
#define TIMESTAMP_LEN 24	/* "YYYY-MM-DDTHH:MM:SS.mmmZ" */

/* strlcpy/strlcat: copy at most size-1 bytes, always terminate, return
 * strlen(src) so truncation is detectable (>= size). */
size_t strlcpy(char *dst, const char *src, size_t size);
size_t strlcat(char *dst, const char *src, size_t size);

/* A real calendar date "YYYY-MM-DD", years 1900..2999. */
bool date_valid(const char *s);
/* Parse "YYYY-MM" into the first and last day of that month. */
int month_range(const char *ym, char from[DATE_LEN + 1], char to[DATE_LEN + 1]);
int days_in_month(int year, int month);
/* Today's date in time zone tz ("Europe/Paris"; NULL or "" = UTC). */
void date_today(const char *tz, char out[DATE_LEN + 1]);
/* The date in time zone tz (as date_today) at unix time when. */
void date_at(const char *tz, int64_t when, char out[DATE_LEN + 1]);
/* The first moment of a valid date in time zone tz (its midnight, or
 * the first hour the clocks do not skip), in unix seconds. */
int64_t date_start(const char *tz, const char *date);
/* Add n days to a valid date (n may be negative). */
void date_add_days(const char *date, int n, char out[DATE_LEN + 1]);

/* Current UTC time as RFC 3339 with milliseconds. */
void timestamp_now(char out[TIMESTAMP_LEN + 1]);
/* Unix seconds as "YYYY-MM-DDTHH:MM:SSZ" (UTC). */
void unix_rfc3339(int64_t t, char out[32]);
/* Seconds since the epoch (wall clock) and a monotonic clock in ms. */
int64_t time_now(void);
int64_t time_mono_ms(void);
int64_t time_mono_us(void);

/* An IANA zone name that exists in the system's zoneinfo. */
bool timezone_valid(const char *tz);

/* The length of the UTF-8 sequence at p (< e) if it is one of a scalar
 * value in shortest form, else 0 (also for NUL). */
static inline size_t
utf8_scalar_len(const unsigned char *p, const unsigned char *e)
{
	unsigned c = *p;

	if (c >= 0x01 && c < 0x80)
		return 1;
	if (c < 0xC2 || c > 0xF4)	/* NUL, continuation, overlong lead, > U+10FFFF */
		return 0;
	if (c < 0xE0)
		return e - p >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c < 0xF0) {
		unsigned lo = c == 0xE0 ? 0xA0 : 0x80;	/* overlong */
		unsigned hi = c == 0xED ? 0x9F : 0xBF;	/* surrogates */

		return e - p >= 3 && p[1] >= lo && p[1] <= hi &&
		    (p[2] & 0xC0) == 0x80 ? 3 : 0;
	} else {
		unsigned lo = c == 0xF0 ? 0x90 : 0x80;	/* overlong */
		unsigned hi = c == 0xF4 ? 0x8F : 0xBF;	/* > U+10FFFF */

		return e - p >= 4 && p[1] >= lo && p[1] <= hi &&
		    (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80 ? 4 : 0;
	}
}

/* UTF-8 validity (NUL allowed: utf8_scalar_len refuses it, JSON text must), and
 * "printable": no C0/C1 control characters except those in allow (e.g.
 * "\t"). */
bool utf8_valid(const char *s, size_t len);
/* Replace each byte that is not part of valid UTF-8 with '?', in place
 * (for text cut by "%.40s" or quoted from bad input). */
void utf8_scrub(char *s);
bool text_clean(const char *s, const char *allow);

/* base64url without padding. Output is NUL-terminated; returns its length
 * or -1 if out is too small / input invalid. */
int b64url_encode(const void *in, size_t len, char *out, size_t outlen);
int b64url_decode(const char *in, void *out, size_t outlen);

/* Hex of bytes; out must hold 2*len+1. */
void hex_encode(const void *in, size_t len, char *out);

/* ASCII case-insensitive compare; lower-case in place. */
int strcasecmp_ascii(const char *a, const char *b);
void str_tolower(char *s);
/* Trim leading and trailing ASCII whitespace in place; returns s. */
char *str_trim(char *s);

#endif
