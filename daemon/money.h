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

#endif
