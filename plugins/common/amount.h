/*
 * Amounts as people write them ("1.234,56 €", "-$12.00", "(12.00)",
 * "12.00-", "EUR 5", "1'234.50") to a plain decimal: shared by the csv,
 * qif and ofx importers through ingest.c (each .so compiles its own copy
 * of amount.c; nothing here is exported from the .so). Text in, text out:
 * the host turns the decimal into minor units (host->money_parse), so no
 * amount is ever a float here. No state, no allocation.
 */
#ifndef SPEND_PLUGIN_AMOUNT_H
#define SPEND_PLUGIN_AMOUNT_H

#include <stddef.h>

/*
 * amount_norm: "1.234,56 €", "-$12.00", "(12.00)", "12.00-", "EUR 5" to a
 * plain decimal "-1234.56" in out, with dsep ('.' or ',') as the decimal
 * separator. Grouping (the other of . and ,, an apostrophe or a space)
 * must come in threes. An ISO code or € £ ₹ in the text goes to code
 * ("" if none). 0, or -1 with a reason in *why (static text).
 * amount_hint: the decimal separator the text implies: '.' or ',', 0 if
 * either reading works ("1,234"), -1 if it has none.
 */
int amount_norm(const char *s, int dsep, char *out, size_t outlen,
    char code[4], const char **why);
int amount_hint(const char *s);
/* 1 if s reads as an amount with either decimal separator (for telling
 * data from headers). */
int amount_like(const char *s);

#endif
