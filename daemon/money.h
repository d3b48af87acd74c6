/* Money: int64 minor units + ISO 4217 code. Never a float. */
#ifndef SPEND_MONEY_H
#define SPEND_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Largest absolute amount accepted, in minor units. Chosen so that an
 * amount scaled to 4 decimals (money_scale_e4) still fits in int64. */
#define MONEY_MAX_MINOR 100000000000000LL	/* 10^14 */
/* The largest money_scale_e4 value: MONEY_MAX_MINOR of a 0-decimal currency. */
#define MONEY_MAX_E4 (MONEY_MAX_MINOR * 10000)
#define MONEY_STR_MAX 32	/* enough for any formatted amount + NUL */

struct currency {
	char code[4];	/* "EUR" */
	int exponent;	/* minor-unit digits: JPY 0, EUR 2, BHD 3, CLF 4 */
	const char *name;
};

/* The table entry for an ISO 4217 code (upper case, exactly 3 letters),
 * or NULL if unknown. Static storage; never freed. */
const struct currency *money_currency(const char *code);
/* Iterate the table: returns NULL past the end. */
const struct currency *money_currency_at(size_t i);

/* Parse a decimal string ("12.50", "-3", "1000", "0.5") exactly into minor
 * units of a currency with the given exponent. Rejects empty input, signs
 * in the wrong place, grouping, exponents ("1e3"), NaN/Inf, more decimals
 * than the currency has, and anything beyond MONEY_MAX_MINOR. If
 * decimal_comma, ',' is the decimal separator instead of '.'. On error
 * fills err (field "amount") with a reason quoting the input. */
int money_parse(const char *s, int exponent, bool decimal_comma,
    int64_t *out, struct spend_err *err);

/* money_parse with another ceiling (|value| <= limit, at most 10^18) and
 * the field's name in errors: filters parse "min" and "max" on the
 * 4-decimal scale of money_scale_e4. */
int money_parse_field(const char *s, int exponent, bool decimal_comma,
    int64_t limit, const char *field, int64_t *out, struct spend_err *err);

/* Format minor units as a decimal string with exactly `exponent` decimals
 * ("12.50", "-0.05", "1000"). Returns the length, or -1 if buf is too
 * small. buf of MONEY_STR_MAX always suffices. */
int money_format(int64_t minor, int exponent, char *buf, size_t len);

/* minor * 10^(4-exponent): amounts of any currency on one scale, used for
 * amount filters and sorting. Never overflows within MONEY_MAX_MINOR. */
int64_t money_scale_e4(int64_t minor, int exponent);

/* a + b with overflow check: returns SPEND_EINVAL on overflow. */
int money_add(int64_t a, int64_t b, int64_t *out);

/*
 * Exchange rates are decimal numbers held as integers scaled by 10^6
 * (RATE_SCALE): units of a currency per one unit of the reference (EUR,
 * as the ECB publishes them: USD 1.0856 is 1085600). Never a float.
 */
#define RATE_SCALE 1000000LL
#define RATE_MAX (1000000000LL * RATE_SCALE)	/* 10^9 units per EUR */
/* Parse "1.0856", "161.53", "0.85525" (at most 6 decimals, > 0) into
 * *out; field names the value in errors. */
int money_rate_parse(const char *s, const char *field, int64_t *out,
    struct spend_err *err);
/* Format a scaled rate with its significant decimals ("1.0856"). */
void money_rate_format(int64_t rate, char *buf, size_t len);
/*
 * amount minor units of currency A (exponent ea, rate ra per EUR) in
 * minor units of currency B (eb, rb): amount * rb * 10^eb / (ra * 10^ea),
 * rounded half to even to B's minor unit, exactly (128-bit integers).
 * SPEND_EINVAL if a rate is not positive or the result exceeds
 * MONEY_MAX_MINOR.
 */
int money_convert(int64_t amount, int ea, int64_t ra, int eb, int64_t rb,
    int64_t *out);

#endif
