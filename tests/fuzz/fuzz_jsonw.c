/*
 * The streaming JSON writer (daemon/jsonw.c) on arbitrary bytes. The
 * first byte picks what the rest is:
 *  even: one string (and the same bytes as a key). Refused exactly when
 *    a reference decoder says it is not UTF-8 or holds NUL (and then
 *    jansson refuses it too, NUL aside); else the text is jansson's own
 *    for that string, and jansson reads back the same bytes.
 *  odd: a program of writer calls (open, end, key, string, int, bool,
 *    null, decimal) mirrored into a jansson tree. Whatever the writer
 *    accepts and completes, jansson parses, equal to the mirror.
 */
/* fuzz-sources: daemon/jsonw.c */
/* fuzz-libs: $(JANSSON_LIBS) */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

/* Is s[0..n) UTF-8 of scalar values in shortest form, without NUL?
 * Decoded from the definition. */
static bool
reference_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], len, cp, min;

		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0)
			len = 2, cp = c & 0x1F, min = 0x80;
		else if ((c & 0xF0) == 0xE0)
			len = 3, cp = c & 0x0F, min = 0x800;
		else if ((c & 0xF8) == 0xF0)
			len = 4, cp = c & 0x07, min = 0x10000;
		else
			return false;
		if (n - i < len)
			return false;
		for (unsigned k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += len;
	}
	return true;
}

static void
one_string(const uint8_t *d, size_t n)
{
	bool ok = reference_ok(d, n);
	struct jw w;
	json_t *j, *want;
	char *text, *wtext;
	size_t len;

	jw_init(&w);
	CHECK((jw_strn(&w, (const char *)d, n) == 0) == ok);
	CHECK(jw_utf8_ok((const char *)d, n) == ok);
	want = json_stringn((const char *)d, n);
	if (memchr(d, 0, n) == NULL)
		CHECK((want != NULL) == ok);
	if (!ok) {
		CHECK(jw_error(&w) != 0 && w.msg[0] != '\0');
		CHECK(jw_take(&w, NULL) == NULL);
		jw_free(&w);
		json_decref(want);
		return;
	}
	text = jw_take(&w, &len);
	CHECK(text != NULL && strlen(text) == len);
	j = json_loadb(text, len, JSON_DECODE_ANY, NULL);
	CHECK(json_is_string(j));
	CHECK(json_string_length(j) == n &&
	    memcmp(json_string_value(j), d, n) == 0);
	wtext = json_dumps(want, JSON_ENCODE_ANY);
	CHECK(wtext != NULL && strcmp(wtext, text) == 0);
	free(wtext);
	free(text);
	json_decref(j);
	json_decref(want);

	/* as a key */
	jw_obj(&w);
	CHECK(jw_keyn(&w, (const char *)d, n) == 0);
	jw_int(&w, 1);
	jw_end(&w);
	text = jw_take(&w, &len);
	CHECK(text != NULL);
	j = json_loadb(text, len, 0, NULL);
	CHECK(json_is_object(j) && json_object_size(j) == 1);
	{
		const char *k;
		json_t *v;
		size_t klen;
		void *iter = json_object_iter(j);

		k = json_object_iter_key(iter);
		klen = json_object_iter_key_len(iter);
		v = json_object_iter_value(iter);
		CHECK(klen == n && memcmp(k, d, n) == 0);
		CHECK(json_integer_value(v) == 1);
	}
	json_decref(j);
	free(text);
	jw_free(&w);
}

/* The program: the writer, and the same values put into a tree. */
struct prog {
	const uint8_t *p, *e;
	struct jw w;
	json_t *stack[JW_DEPTH + 1];	/* open containers; [0] a holder */
	int depth;
	char key[64];
	size_t klen;
	bool have_key;
	json_t *top;
};

/* up to max bytes of the program as a string */
static size_t
take(struct prog *g, size_t max, const char **s)
{
	size_t n = g->p < g->e ? *g->p++ % (max + 1) : 0;

	if ((size_t)(g->e - g->p) < n)
		n = g->e - g->p;
	*s = (const char *)g->p;
	g->p += n;
	return n;
}

/* v (a new reference) where the writer just put a value */
static void
mirror(struct prog *g, json_t *v)
{
	if (g->depth == 0) {
		CHECK(g->top == NULL);
		g->top = json_incref(v);
	} else if (json_is_object(g->stack[g->depth - 1])) {
		CHECK(g->have_key);
		json_object_setn(g->stack[g->depth - 1], g->key, g->klen, v);
		g->have_key = false;
	} else
		json_array_append(g->stack[g->depth - 1], v);
	json_decref(v);
}

static void
program(const uint8_t *d, size_t n)
{
	struct prog g;
	const char *s;
	size_t len;
	char *text;
	int r = 0;

	memset(&g, 0, sizeof(g));
	g.p = d;
	g.e = d + n;
	jw_init(&g.w);
	while (g.p < g.e && r == 0) {
		uint8_t op = *g.p++;
		json_t *v;

		switch (op % 9) {
		case 0:
		case 1:
			r = op % 9 == 0 ? jw_obj(&g.w) : jw_arr(&g.w);
			if (r == 0) {
				v = op % 9 == 0 ? json_object() : json_array();
				mirror(&g, json_incref(v));
				g.stack[g.depth++] = v;
			}
			break;
		case 2:
			if ((r = jw_end(&g.w)) == 0)
				json_decref(g.stack[--g.depth]);
			break;
		case 3:
			len = take(&g, 40, &s);
			if ((r = jw_keyn(&g.w, s, len)) == 0) {
				memcpy(g.key, s, len);
				g.klen = len;
				g.have_key = true;
			}
			break;
		case 4:
			len = take(&g, 40, &s);
			if ((r = jw_strn(&g.w, s, len)) == 0)
				mirror(&g, json_stringn(s, len));
			break;
		case 5: {
			int64_t x = 0;

			for (int k = 0; k < 8 && g.p < g.e; k++)
				x = (int64_t)((uint64_t)x << 8 | *g.p++);
			if ((r = jw_int(&g.w, x)) == 0)
				mirror(&g, json_integer(x));
			break;
		}
		case 6:
			if ((r = jw_bool(&g.w, op & 16)) == 0)
				mirror(&g, json_boolean(op & 16));
			break;
		case 7:
			if ((r = jw_null(&g.w)) == 0)
				mirror(&g, json_null());
			break;
		case 8: {
			char dec[24];

			len = take(&g, sizeof(dec) - 1, &s);
			memcpy(dec, s, len);
			dec[len] = '\0';
			if ((r = jw_decimal(&g.w, dec)) == 0)
				mirror(&g, json_string(dec));
			break;
		}
		}
		if (r)
			CHECK(jw_error(&g.w) == r && g.w.msg[0]);
	}
	/* close what is open, as a caller would */
	while (r == 0 && g.depth > 0 && !(g.have_key &&
	    json_is_object(g.stack[g.depth - 1])))
		if ((r = jw_end(&g.w)) == 0)
			json_decref(g.stack[--g.depth]);
	text = jw_take(&g.w, &len);
	if (text) {
		json_t *j = json_loadb(text, len, JSON_DECODE_ANY, NULL);

		CHECK(r == 0 && g.depth == 0 && g.top != NULL);
		CHECK(j != NULL && strlen(text) == len);
		CHECK(json_equal(j, g.top));
		json_decref(j);
		free(text);
	} else
		CHECK(r != 0 || g.depth > 0 || g.top == NULL);
	while (g.depth > 0)
		json_decref(g.stack[--g.depth]);
	json_decref(g.top);
	jw_free(&g.w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] % 2 == 0)
		one_string(data + 1, size - 1);
	else
		program(data + 1, size - 1);
	return 0;
}
