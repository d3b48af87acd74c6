/*
 * Exchange rates (the rates table: units of a currency per one EUR,
 * scaled by RATE_SCALE; EUR itself is 1) and exact conversion between
 * any two currencies through EUR, at the rate of a date or the nearest
 * earlier one. No float anywhere: money_convert rounds half to even.
 */
#ifndef SPEND_RATES_H
#define SPEND_RATES_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "util.h"

struct store;
struct rates;

/* A converter reading st's rates (each currency's history is loaded on
 * first use). Free with rates_free. NULL on allocation failure. */
struct rates *rates_new(struct store *st);
void rates_free(struct rates *r);
/* The same, loading each history only from the rate in force on day
 * since: for conversions of dates on or after since (a month's budget),
 * without reading decades of rates. */
struct rates *rates_new_since(struct store *st, const char *since);
/* The same for dates from..to only (both valid, from <= to; else as
 * rates_new): a currency's history is loaded from the rate in force on
 * from up to to, not whole (the ECB's history is 25 years). Converting a
 * date outside the window is EINVAL. */
struct rates *rates_new_window(struct store *st, const char *from,
    const char *to);

/*
 * amount (minor units of from) in minor units of to, at date: *out, and
 * in used the date of the oldest rate it took (== date when both were
 * published that day; "" for the same currency or EUR to EUR). ENOTFOUND
 * (field "currency") when a currency has no rate on or before date: the
 * amount is then unconverted, never guessed.
 */
int rates_convert(struct rates *r, int64_t amount, const char *from,
    const char *to, const char *date, int64_t *out, char used[DATE_LEN + 1],
    struct spend_err *err);

/* The same with the currencies' table entries (money_currency()): for
 * loops that convert many amounts. */
struct currency;
int rates_convert_cur(struct rates *r, int64_t amount,
    const struct currency *from, const struct currency *to, const char *date,
    int64_t *out, char used[DATE_LEN + 1], struct spend_err *err);

/* Set currency's rate (text, "1.0856") on date; checked. In the caller's
 * transaction. */
int rates_set(struct store *st, const char *currency, const char *date,
    const char *rate, const char *source, struct spend_err *err);

/*
 * The European Central Bank's reference rates, in either file: the daily
 * eurofxref.csv ("Date, USD, JPY, ..." then "4 March 2024, 1.0856, ...")
 * or eurofxref-hist.csv ("Date,USD,JPY,..." then a row per day,
 * "2024-03-04,1.0856,...", "N/A" where none). Every rate is stored with
 * source "ecb" in one transaction (all or nothing); *n gets how many.
 * Columns of codes not in the currency table (the history's CYP, SIT,
 * ...) are skipped and listed in skipped ("CYP SIT", may be NULL).
 * Errors name the line and the currency.
 */
int rates_import_ecb(struct store *st, const char *text, size_t len,
    int64_t *n, char *skipped, size_t skippedlen, struct spend_err *err);

#endif
