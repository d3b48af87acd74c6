/*
 * Text helpers shared by the importers' parsers (ingest.c, date.c,
 * amount.c and the csv, qif and ofx readers): blanks as amounts and dates
 * use them, UTF-8 checks and Windows-1252 conversion, spreadsheet formula
 * detection. Each .so compiles its own copy of text.c; nothing here is
 * exported from the .so. No state, no allocation.
 */
#ifndef SPEND_PLUGIN_TEXT_H
#define SPEND_PLUGIN_TEXT_H

#include <stddef.h>

/* ASCII only, whatever the locale. */
static inline int
text_digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline int
text_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int
text_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Length of a blank at s: ASCII space or tab, NBSP, thin or narrow
 * no-break space (as French and Swiss amounts use); 0 if none. */
size_t text_blank_len(const unsigned char *s);
/* s past its leading blanks. */
const unsigned char *text_skip_blanks(const unsigned char *s);
/* 1 if s is NULL or only blanks (space, tab, no-break spaces). */
int text_blank(const char *s);
/* 1 if the len bytes at s are valid UTF-8 (no overlongs, surrogates). */
int text_utf8(const unsigned char *s, size_t len);
/* Windows-1252 (a superset of Latin-1) to UTF-8: out needs 3 * len
 * bytes; returns the bytes written (not NUL-terminated). */
size_t text_cp1252_to_utf8(const void *in, size_t len, char *out);
/* 1 if a spreadsheet could run s as a formula once a leading ' is
 * removed: it is '* followed by = + - @ tab or CR. The csv exporter puts
 * a ' before such cells and ingest takes one off, which round-trips any
 * text. */
int text_formula_like(const char *s);

#endif
