/*
 * A streaming JSON writer: values written one after another straight into
 * a growable byte buffer, with no tree in between (jansson's json_t costs
 * an allocation per value and another pass to dump it). Used where a
 * reply is as long as the data (expense.list) and by the dispatcher's
 * envelopes (rpc.c).
 *
 *	struct jw w;
 *	jw_init(&w);
 *	jw_obj(&w);
 *	jw_key(&w, "id"); jw_int(&w, 42);
 *	jw_key(&w, "note"); jw_str(&w, note);
 *	jw_end(&w);
 *	if (jw_error(&w)) ... w.msg says what; else w.buf, w.len
 *	jw_free(&w);
 *
 * The writer checks the shape as it goes: a key only in an object and
 * before each of its values, a value only where one may stand, ends that
 * match their opens, one value at the top. Strings must be UTF-8 (no
 * overlong forms, no surrogates, nothing past U+10FFFF) without NUL;
 * they are written as jansson writes them (jansson's json_dumps without
 * flags): '"' and '\\' escaped, \b \f \n \r \t, other control
 * characters as \u00XX, everything else (including '/' and 4-byte
 * sequences) as it is. Money is never a number here: jw_decimal writes
 * a decimal string.
 *
 * Errors are sticky: the first one (EINVAL for bad input or a misuse,
 * ENOMEM) is kept in code/msg, later calls do nothing and return it, and
 * the buffer is then not JSON. Every call returns 0 or that code.
 */
#ifndef SPEND_JSONW_H
#define SPEND_JSONW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JW_DEPTH 32		/* deepest nesting */

struct jw {
	char *buf;		/* the text so far (not NUL-terminated), malloc'd */
	size_t len, cap;
	int code;		/* 0, or the first error: SPEND_EINVAL, SPEND_ENOMEM */
	char msg[96];		/* what that error was */
	int depth;		/* open objects and arrays */
	bool done;		/* a whole top-level value is written */
	/* per open level: an object?, has a member/element yet?, and in an
	 * object whether a key waits for its value */
	struct {
		bool obj, any, key;
	} st[JW_DEPTH];
};

void jw_init(struct jw *w);
void jw_free(struct jw *w);
/* Empty it for another value, keeping the buffer (no allocation). */
void jw_reset(struct jw *w);
/* The text (malloc'd, NUL-terminated, *len its length without the NUL)
 * for the caller to free; w is then empty. NULL (w's error set) if the
 * value is not complete or an error happened. */
char *jw_take(struct jw *w, size_t *len);
/* The first error: 0, SPEND_EINVAL or SPEND_ENOMEM (w->msg says more). */
int jw_error(const struct jw *w);

int jw_obj(struct jw *w);		/* { */
int jw_arr(struct jw *w);		/* [ */
int jw_end(struct jw *w);		/* } or ], the innermost open one */
/* A member's key: a string, as jw_str checks it. */
int jw_key(struct jw *w, const char *key);
int jw_keyn(struct jw *w, const char *key, size_t n);
/* A key given as a string literal, quoted at compile time: for the
 * fixed keys of a row written thousands of times a reply. The literal
 * must need no escape (it is written as it is). */
#define JW_KEY(w, lit) jw_key_raw((w), "\"" lit "\":", sizeof("\"" lit "\":") - 1)
int jw_key_raw(struct jw *w, const char *quoted_colon, size_t n);

int jw_str(struct jw *w, const char *s);	/* NULL: null */
int jw_strn(struct jw *w, const char *s, size_t n);	/* NUL inside: refused */
int jw_int(struct jw *w, int64_t v);
int jw_bool(struct jw *w, bool v);
int jw_null(struct jw *w);
/* A decimal as a JSON string ("-12.50"): an optional '-', digits, and
 * optionally '.' and digits; anything else is refused. */
int jw_decimal(struct jw *w, const char *s);
/* A value already serialised, written as it is (trusted: not checked).
 * For text this writer or jansson made. */
int jw_raw(struct jw *w, const char *json, size_t n);
/* A jansson value, as json_dumps(JSON_COMPACT | JSON_ENCODE_ANY) writes it. */
int jw_json(struct jw *w, const json_t *v);

/* Is s[0..n) UTF-8 as jw_strn takes it (no NUL)? */
bool jw_utf8_ok(const char *s, size_t n);

#endif
