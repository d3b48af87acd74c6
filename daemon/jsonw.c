/* The streaming JSON writer (jsonw.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "jsonw.h"
#include "util.h"

static int
fail(struct jw *w, int code, const char *fmt, ...)
{
	va_list ap;

	if (w->code)
		return w->code;
	w->code = code;
	va_start(ap, fmt);
	vsnprintf(w->msg, sizeof(w->msg), fmt, ap);
	va_end(ap);
	return code;
}

void
jw_init(struct jw *w)
{
	memset(w, 0, sizeof(*w));
}

void
jw_free(struct jw *w)
{
	free(w->buf);
	jw_init(w);
}

void
jw_reset(struct jw *w)
{
	char *buf = w->buf;
	size_t cap = w->cap;

	jw_init(w);
	w->buf = buf;
	w->cap = cap;
}

int
jw_error(const struct jw *w)
{
	return w->code;
}

/* Room for n more bytes (and a NUL for jw_take). */
static int
grow(struct jw *w, size_t n)
{
	size_t cap;
	char *nb;

	if (w->cap - w->len > n)
		return 0;
	if (n > SIZE_MAX / 4 - w->len)
		return fail(w, SPEND_ENOMEM, "reply too large");
	cap = w->cap ? w->cap : 256;
	while (cap - w->len <= n)
		cap *= 2;
	if ((nb = realloc(w->buf, cap)) == NULL)
		return fail(w, SPEND_ENOMEM, "out of memory");
	w->buf = nb;
	w->cap = cap;
	return 0;
}

static inline int
put(struct jw *w, const void *p, size_t n)
{
	if (w->cap - w->len <= n && grow(w, n) < 0)
		return w->code;
	memcpy(w->buf + w->len, p, n);
	w->len += n;
	return 0;
}

static inline int
putc1(struct jw *w, char c)
{
	if (w->cap - w->len <= 1 && grow(w, 1) < 0)
		return w->code;
	w->buf[w->len++] = c;
	return 0;
}

/* Before a value: is one allowed here? Writes the separator. */
static int
value_begin(struct jw *w, const char *what)
{
	if (w->code)
		return w->code;
	if (w->depth == 0) {
		if (w->done)
			return fail(w, SPEND_EINVAL, "%s after the top-level "
			    "value", what);
		return 0;
	}
	if (w->st[w->depth - 1].obj) {
		if (!w->st[w->depth - 1].key)
			return fail(w, SPEND_EINVAL, "%s in an object without "
			    "a key", what);
		w->st[w->depth - 1].key = false;
		return 0;
	}
	if (w->st[w->depth - 1].any)
		return putc1(w, ',');
	w->st[w->depth - 1].any = true;
	return 0;
}

/* After a whole value at the top: the writer is done. */
static inline void
value_end(struct jw *w)
{
	if (w->depth == 0)
		w->done = true;
}

bool
jw_utf8_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;
	size_t k;

	while (p < e) {
		if ((k = utf8_scalar_len(p, e)) == 0)
			return false;
		p += k;
	}
	return true;
}

/* Which bytes need more than a copy: control characters (NUL refused),
 * '"', '\\' and the bytes of multibyte sequences (checked). */
static const unsigned char special[256] = {
	[0x00 ... 0x1F] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xFF] = 1,
};

/* How far from q the bytes need nothing but a copy (special[] is 0):
 * 8 at a time while none of the 8 is special, then one at a time. The
 * tests are the "has a byte less than" bit tricks (exact for "any",
 * which is all that is asked); the order of the bytes does not matter. */
#define ONES 0x0101010101010101ULL
#define HIGH 0x8080808080808080ULL
#define HAS_ZERO(x) (((x) - ONES) & ~(x) & HIGH)

static inline const unsigned char *
plain_run(const unsigned char *q, const unsigned char *e)
{
	while (e - q >= 8) {
		uint64_t v;

		memcpy(&v, q, 8);
		if ((v & HIGH) | ((v - ONES * 0x20) & ~v & HIGH) |
		    HAS_ZERO(v ^ (ONES * '"')) | HAS_ZERO(v ^ (ONES * '\\')))
			break;
		q += 8;
	}
	while (q < e && !special[*q])
		q++;
	return q;
}

/*
 * s[0..n) as a quoted JSON string, checked as it is copied (one pass):
 * or EINVAL naming what (for keys and values), and then w->len is as
 * it was before.
 */
static int
quoted(struct jw *w, const char *s, size_t n, const char *what)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;
	static const char hex[] = "0123456789ABCDEF";
	char *o;
	size_t k;

	/* worst case: every byte \u00XX; room made up front so the loop
	 * writes without checks */
	if (w->cap - w->len <= n * 6 + 2 && grow(w, n * 6 + 2) < 0)
		return w->code;
	o = w->buf + w->len;
	*o++ = '"';
	while (p < e) {
		const unsigned char *q = plain_run(p, e);

		memcpy(o, p, q - p);
		o += q - p;
		p = q;
		if (p == e)
			break;
		if (*p >= 0x80) {
			if ((k = utf8_scalar_len(p, e)) == 0)
				return fail(w, SPEND_EINVAL, "%s: not UTF-8 "
				    "(byte %zu)", what, (size_t)(p -
				    (const unsigned char *)s));
			memcpy(o, p, k);
			o += k;
			p += k;
			continue;
		}
		if (*p == 0)
			return fail(w, SPEND_EINVAL, "%s: a NUL byte at byte "
			    "%zu", what, (size_t)(p - (const unsigned char *)s));
		*o++ = '\\';
		switch (*p) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		default:
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
			break;
		}
		p++;
	}
	*o++ = '"';
	w->len = o - w->buf;
	return 0;
}

int
jw_obj(struct jw *w)
{
	if (value_begin(w, "an object") < 0)
		return w->code;
	if (w->depth == JW_DEPTH)
		return fail(w, SPEND_EINVAL, "nested more than %d deep",
		    JW_DEPTH);
	w->st[w->depth].obj = true;
	w->st[w->depth].any = false;
	w->st[w->depth].key = false;
	w->depth++;
	return putc1(w, '{');
}

int
jw_arr(struct jw *w)
{
	if (value_begin(w, "an array") < 0)
		return w->code;
	if (w->depth == JW_DEPTH)
		return fail(w, SPEND_EINVAL, "nested more than %d deep",
		    JW_DEPTH);
	w->st[w->depth].obj = false;
	w->st[w->depth].any = false;
	w->st[w->depth].key = false;
	w->depth++;
	return putc1(w, '[');
}

int
jw_end(struct jw *w)
{
	bool obj;

	if (w->code)
		return w->code;
	if (w->depth == 0)
		return fail(w, SPEND_EINVAL, "an end with nothing open");
	obj = w->st[w->depth - 1].obj;
	if (obj && w->st[w->depth - 1].key)
		return fail(w, SPEND_EINVAL, "an object ends after a key");
	w->depth--;
	if (putc1(w, obj ? '}' : ']') < 0)
		return w->code;
	value_end(w);
	return 0;
}

/* Before a key: is one allowed here? Writes the separator. */
static int
key_begin(struct jw *w)
{
	if (w->code)
		return w->code;
	if (w->depth == 0 || !w->st[w->depth - 1].obj)
		return fail(w, SPEND_EINVAL, "a key outside an object");
	if (w->st[w->depth - 1].key)
		return fail(w, SPEND_EINVAL, "a key after a key");
	if (w->st[w->depth - 1].any && putc1(w, ',') < 0)
		return w->code;
	return 0;
}

/* After a key: its value comes next. */
static inline int
key_end(struct jw *w)
{
	w->st[w->depth - 1].any = true;
	w->st[w->depth - 1].key = true;
	return 0;
}

int
jw_keyn(struct jw *w, const char *key, size_t n)
{
	size_t len0 = w->len;

	if (key_begin(w) < 0)
		return w->code;
	if (quoted(w, key, n, "key") < 0) {
		w->len = len0;	/* nor its separator */
		return w->code;
	}
	if (putc1(w, ':') < 0)
		return w->code;
	return key_end(w);
}

int
jw_key_raw(struct jw *w, const char *quoted_colon, size_t n)
{
	if (key_begin(w) < 0 || put(w, quoted_colon, n) < 0)
		return w->code;
	return key_end(w);
}

int
jw_key(struct jw *w, const char *key)
{
	return jw_keyn(w, key, strlen(key));
}

int
jw_strn(struct jw *w, const char *s, size_t n)
{
	size_t len0 = w->len;

	if (value_begin(w, "a string") < 0)
		return w->code;
	if (quoted(w, s, n, "string") < 0) {
		w->len = len0;	/* nor its separator */
		return w->code;
	}
	value_end(w);
	return 0;
}

int
jw_str(struct jw *w, const char *s)
{
	return s ? jw_strn(w, s, strlen(s)) : jw_null(w);
}

int
jw_int(struct jw *w, int64_t v)
{
	char buf[24], *p = buf + sizeof(buf);
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	if (value_begin(w, "a number") < 0)
		return w->code;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	if (put(w, p, buf + sizeof(buf) - p) < 0)
		return w->code;
	value_end(w);
	return 0;
}

static int
literal(struct jw *w, const char *s, size_t n)
{
	if (value_begin(w, s) < 0 || put(w, s, n) < 0)
		return w->code;
	value_end(w);
	return 0;
}

int
jw_bool(struct jw *w, bool v)
{
	return v ? literal(w, "true", 4) : literal(w, "false", 5);
}

int
jw_null(struct jw *w)
{
	return literal(w, "null", 4);
}

int
jw_decimal(struct jw *w, const char *s)
{
	const char *p = s;

	if (w->code)
		return w->code;
	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return fail(w, SPEND_EINVAL, "decimal \"%.24s\": no digits", s);
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return fail(w, SPEND_EINVAL, "decimal \"%.24s\": no "
			    "digits after the point", s);
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p)
		return fail(w, SPEND_EINVAL, "decimal \"%.24s\": not a "
		    "decimal", s);
	return jw_strn(w, s, p - s);
}

int
jw_raw(struct jw *w, const char *json, size_t n)
{
	if (value_begin(w, "a value") < 0 || put(w, json, n) < 0)
		return w->code;
	value_end(w);
	return 0;
}

static int
dump_cb(const char *buf, size_t size, void *data)
{
	return put(data, buf, size) < 0 ? -1 : 0;
}

int
jw_json(struct jw *w, const json_t *v)
{
	if (v == NULL)
		return fail(w, SPEND_EINVAL, "no value");
	if (value_begin(w, "a value") < 0)
		return w->code;
	if (json_dump_callback(v, dump_cb, w, JSON_COMPACT |
	    JSON_ENCODE_ANY) < 0)
		return fail(w, SPEND_ENOMEM, "cannot encode a value");
	value_end(w);
	return 0;
}

char *
jw_take(struct jw *w, size_t *len)
{
	char *t;

	if (w->code == 0 && (!w->done || w->depth))
		fail(w, SPEND_EINVAL, "the value is not complete");
	if (w->code || grow(w, 1) < 0)
		return NULL;
	w->buf[w->len] = '\0';
	t = w->buf;
	if (len)
		*len = w->len;
	jw_init(w);
	return t;
}
