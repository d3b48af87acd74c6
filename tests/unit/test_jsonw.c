/* jsonw.c: the streaming JSON writer, its output read back by jansson. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "jsonw.h"

/* w's complete value, parsed by jansson (fails the test if it is not
 * JSON); w is emptied. */
static json_t *
parse(struct jw *w)
{
	json_error_t e;
	size_t len;
	char *text = jw_take(w, &len);
	json_t *j;

	if (text == NULL)
		fail_msg("jw_take: %s", w->msg);
	assert_int_equal(strlen(text), len);
	if ((j = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL,
	    &e)) == NULL)
		fail_msg("not JSON (%s): %s", e.text, text);
	free(text);
	return j;
}

/* s[0..n) written as a string: jansson reads back the same bytes, and
 * the text is what jansson itself writes for them. */
static void
roundtrip(int line, const char *s, size_t n)
{
	struct jw w;
	json_t *want = json_stringn(s, n), *got;
	char *wtext, *gtext;

	if (want == NULL)
		fail_msg("line %d: jansson refuses the test string", line);
	jw_init(&w);
	if (jw_strn(&w, s, n) < 0)
		fail_msg("line %d: refused: %s", line, w.msg);
	gtext = strndup(w.buf, w.len);
	got = parse(&w);
	assert_true(json_is_string(got));
	assert_int_equal(json_string_length(got), n);
	if (memcmp(json_string_value(got), s, n) != 0)
		fail_msg("line %d: read back differs", line);
	wtext = json_dumps(want, JSON_ENCODE_ANY);
	if (strcmp(wtext, gtext) != 0)
		fail_msg("line %d: %s, jansson writes %s", line, gtext, wtext);
	free(wtext);
	free(gtext);
	json_decref(want);
	json_decref(got);
	jw_free(&w);
}
#define RT(s) roundtrip(__LINE__, (s), sizeof(s) - 1)

/* s[0..n) is refused as a string and as a key, with EINVAL and want in
 * the message; and the error sticks. */
static void
refused(int line, const char *s, size_t n, const char *want)
{
	struct jw w;

	jw_init(&w);
	if (jw_strn(&w, s, n) != SPEND_EINVAL)
		fail_msg("line %d: accepted", line);
	if (strstr(w.msg, want) == NULL)
		fail_msg("line %d: \"%s\" lacks \"%s\"", line, w.msg, want);
	assert_int_equal(w.len, 0);	/* nothing written */
	/* sticky: nothing more is written, take refuses */
	assert_int_equal(jw_int(&w, 1), SPEND_EINVAL);
	assert_int_equal(w.len, 0);
	assert_null(jw_take(&w, NULL));
	jw_free(&w);
	jw_init(&w);
	jw_obj(&w);
	if (jw_keyn(&w, s, n) != SPEND_EINVAL)
		fail_msg("line %d: accepted as a key", line);
	jw_free(&w);
	/* jansson agrees that it is not UTF-8 (it takes NUL) */
	if (memchr(s, '\0', n) == NULL && json_stringn(s, n) != NULL)
		fail_msg("line %d: jansson takes it", line);
}
#define BAD(s, want) refused(__LINE__, (s), sizeof(s) - 1, (want))

static void
test_control_characters(void **state)
{
	char s[4];

	(void)state;
	/* each control character alone and between letters: the short
	 * escapes and \u00XX as jansson writes them */
	for (int c = 1; c < 0x20; c++) {
		s[0] = 'a';
		s[1] = (char)c;
		s[2] = 'b';
		roundtrip(__LINE__, s + 1, 1);
		roundtrip(__LINE__, s, 3);
	}
	RT("\x01\x02\x03\x04\x05\x06\x07\b\t\n\x0b\f\r\x0e\x0f\x10\x11\x12"
	    "\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f");
	RT("say \"hi\" \\ back\\slash");
	RT("a/b </script>");	/* '/' as it is */
	RT("\x7f");		/* DEL is not a control character in JSON */
	RT("");
	/* NUL: refused wherever it is */
	BAD("\0", "NUL byte at byte 0");
	BAD("ab\0", "NUL byte at byte 2");
	BAD("\0\xc3\xa9", "NUL");
}

static void
test_utf8(void **state)
{
	(void)state;
	/* 2-, 3- and 4-byte sequences, at the edges of each length */
	RT("caf\xc3\xa9");				/* é */
	RT("\xc2\x80");					/* U+0080 */
	RT("\xdf\xbf");					/* U+07FF */
	RT("\xe0\xa0\x80");				/* U+0800 */
	RT("\xe6\x9d\xb1\xe4\xba\xac");			/* 東京 */
	RT("\xed\x9f\xbf");				/* U+D7FF */
	RT("\xee\x80\x80");				/* U+E000 */
	RT("\xef\xbf\xbf");				/* U+FFFF */
	RT("\xe2\x80\xa8\xe2\x80\xa9");			/* U+2028/9 as they are */
	RT("\xf0\x90\x80\x80");				/* U+10000 */
	RT("\xf0\x9f\x98\x80 smile");			/* U+1F600 */
	RT("\xf4\x8f\xbf\xbf");				/* U+10FFFF */
	RT("a\xc3\xa9\n\xf0\x9f\x98\x80\"\x01z");
	/* overlong forms */
	BAD("\xc0\x80", "not UTF-8");
	BAD("\xc1\xbf", "not UTF-8");
	BAD("\xe0\x80\x80", "not UTF-8");
	BAD("\xe0\x9f\xbf", "not UTF-8");
	BAD("\xf0\x80\x80\x80", "not UTF-8");
	BAD("\xf0\x8f\xbf\xbf", "not UTF-8");
	/* surrogates */
	BAD("\xed\xa0\x80", "not UTF-8");
	BAD("\xed\xbf\xbf", "not UTF-8");
	BAD("\xed\xa0\xbd\xed\xb8\x80", "not UTF-8");	/* a CESU-8 pair */
	/* truncated, or a continuation out of place */
	BAD("\xc3", "not UTF-8");
	BAD("ab\xc3", "not UTF-8");
	BAD("\xe2\x82", "not UTF-8");
	BAD("\xf0\x9f\x98", "not UTF-8");
	BAD("\xf0\x9f\x98z", "not UTF-8");
	BAD("\xc3z", "not UTF-8");
	BAD("\x80", "not UTF-8");
	BAD("a\xbf", "not UTF-8");
	/* past U+10FFFF, and bytes that never appear */
	BAD("\xf4\x90\x80\x80", "not UTF-8");
	BAD("\xf5\x80\x80\x80", "not UTF-8");
	BAD("\xf7\xbf\xbf\xbf", "not UTF-8");
	BAD("\xf8\x88\x80\x80\x80", "not UTF-8");
	BAD("\xfe", "not UTF-8");
	BAD("\xff", "not UTF-8");
}

/* The reference: is s[0..n) one UTF-8 sequence of a scalar value in its
 * shortest form? Decoded the long way, from the definition. */
static bool
one_scalar(const unsigned char *s, size_t n)
{
	unsigned len, cp, min;

	if (n == 0)
		return false;
	if (s[0] < 0x80)
		return n == 1 && s[0] != 0;
	if ((s[0] & 0xE0) == 0xC0)
		len = 2, cp = s[0] & 0x1F, min = 0x80;
	else if ((s[0] & 0xF0) == 0xE0)
		len = 3, cp = s[0] & 0x0F, min = 0x800;
	else if ((s[0] & 0xF8) == 0xF0)
		len = 4, cp = s[0] & 0x07, min = 0x10000;
	else
		return false;
	if (n != len)
		return false;
	for (unsigned i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return false;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	return cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
}

/* jw_utf8_ok against the reference over every 1- and 2-byte string,
 * every 3-byte one, and every 4-byte one with a few third and fourth
 * bytes. */
static void
test_utf8_exhaustive(void **state)
{
	static const unsigned char tail[] = { 0x00, 0x41, 0x7f, 0x80, 0x9f,
	    0xa0, 0xbf, 0xc0, 0xff };
	unsigned char s[4];
	unsigned long n = 0;

	(void)state;
	for (unsigned a = 0; a < 256; a++) {
		s[0] = (unsigned char)a;
		assert_int_equal(jw_utf8_ok((char *)s, 1), one_scalar(s, 1));
		for (unsigned b = 0; b < 256; b++) {
			bool ok2;

			s[1] = (unsigned char)b;
			ok2 = one_scalar(s, 2) || (one_scalar(s, 1) &&
			    one_scalar(s + 1, 1));
			if (jw_utf8_ok((char *)s, 2) != ok2)
				fail_msg("%02x %02x", a, b);
			if (a < 0xE0)
				continue;
			for (unsigned c = 0; c < 256; c++) {
				s[2] = (unsigned char)c;
				if (a < 0xF0 && jw_utf8_ok((char *)s, 3) !=
				    one_scalar(s, 3))
					fail_msg("%02x %02x %02x", a, b, c);
				n++;
			}
			if (a < 0xF0)
				continue;
			for (size_t i = 0; i < sizeof(tail); i++)
				for (size_t j = 0; j < sizeof(tail); j++) {
					s[2] = tail[i];
					s[3] = tail[j];
					if (jw_utf8_ok((char *)s, 4) !=
					    one_scalar(s, 4))
						fail_msg("%02x %02x %02x %02x",
						    a, b, s[2], s[3]);
				}
		}
	}
	assert_true(n > 1000000);
}

static void
test_numbers_and_literals(void **state)
{
	struct jw w;
	json_t *j;
	static const int64_t v[] = { INT64_MIN, INT64_MIN + 1, -1000000007,
	    -10, -1, 0, 1, 9, 10, 99, 100, 4294967296LL, INT64_MAX - 1,
	    INT64_MAX };
	char *text;

	(void)state;
	jw_init(&w);
	jw_arr(&w);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		jw_int(&w, v[i]);
	jw_bool(&w, true);
	jw_bool(&w, false);
	jw_null(&w);
	jw_str(&w, NULL);		/* NULL: null */
	jw_end(&w);
	j = parse(&w);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		json_t *e = json_array_get(j, i);

		assert_true(json_is_integer(e));
		assert_true(json_integer_value(e) == v[i]);
	}
	assert_true(json_is_true(json_array_get(j, 14)));
	assert_true(json_is_false(json_array_get(j, 15)));
	assert_true(json_is_null(json_array_get(j, 16)));
	assert_true(json_is_null(json_array_get(j, 17)));
	assert_int_equal(json_array_size(j), 18);
	json_decref(j);

	/* the text itself, digit for digit */
	jw_arr(&w);
	jw_int(&w, INT64_MIN);
	jw_int(&w, INT64_MAX);
	jw_int(&w, 0);
	jw_end(&w);
	text = jw_take(&w, NULL);
	assert_string_equal(text, "[-9223372036854775808,9223372036854775807,0]");
	free(text);
	jw_free(&w);
}

static void
test_decimal(void **state)
{
	static const char *good[] = { "0", "-0", "12.34", "-12.50", "1000",
	    "0.001", "-9223372036854775808", "123456789012345678901234567890" };
	static const char *bad[] = { "", "-", ".5", "5.", "1e3", "+1", "1,5",
	    "1.2.3", " 1", "1 ", "0x10", "NaN", "--1", "1.-2" };
	struct jw w;
	json_t *j;

	(void)state;
	jw_init(&w);
	jw_arr(&w);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (jw_decimal(&w, good[i]) < 0)
			fail_msg("%s: %s", good[i], w.msg);
	jw_end(&w);
	j = parse(&w);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_string_equal(json_string_value(json_array_get(j, i)),
		    good[i]);	/* a string, never a number */
	json_decref(j);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		jw_reset(&w);
		if (jw_decimal(&w, bad[i]) != SPEND_EINVAL)
			fail_msg("decimal \"%s\" accepted", bad[i]);
		if (strstr(w.msg, "decimal") == NULL)
			fail_msg("\"%s\": %s", bad[i], w.msg);
	}
	jw_free(&w);
}

/* Objects and arrays inside each other to JW_DEPTH, keys escaped, the
 * same text as jansson's for the same tree. */
static void
test_nesting(void **state)
{
	struct jw w;
	json_t *j, *want, *cur;
	char *text, *wtext;
	int i;

	(void)state;
	/* arrays and objects in turn, JW_DEPTH deep: jansson reads them
	 * all; one more level is refused */
	for (int extra = 0; extra < 2; extra++) {
		jw_init(&w);
		for (i = 0; i < JW_DEPTH; i++) {
			if (i % 2 == 0)
				jw_arr(&w);
			else {
				jw_obj(&w);
				jw_key(&w, "k\"\n");
			}
		}
		assert_int_equal(w.depth, JW_DEPTH);
		if (extra) {
			assert_int_equal(jw_arr(&w), SPEND_EINVAL);
			assert_non_null(strstr(w.msg, "nested more than"));
			assert_null(jw_take(&w, NULL));
			jw_free(&w);
			continue;
		}
		jw_int(&w, 7);
		for (i = 0; i < JW_DEPTH; i++)
			assert_int_equal(jw_end(&w), 0);
		j = parse(&w);
		for (i = 0, cur = j; i < JW_DEPTH; i++)
			cur = i % 2 == 0 ? json_array_get(cur, 0) :
			    json_object_get(cur, "k\"\n");
		assert_true(json_integer_value(cur) == 7);
		json_decref(j);
		jw_free(&w);
	}

	/* a smaller one, closed: jansson's text exactly */
	jw_init(&w);
	jw_obj(&w);
	jw_key(&w, "a");
	jw_arr(&w);
	jw_arr(&w);
	jw_end(&w);
	jw_obj(&w);
	jw_end(&w);
	jw_obj(&w);
	jw_key(&w, "x\ty");
	jw_arr(&w);
	jw_int(&w, 1);
	jw_str(&w, "t\\");
	jw_null(&w);
	jw_end(&w);
	jw_end(&w);
	jw_end(&w);
	jw_key(&w, "b");
	jw_bool(&w, false);
	jw_key(&w, "c");
	jw_raw(&w, "{\"r\":[1,2]}", 11);
	jw_key(&w, "d");
	want = json_pack("{s:[i,s]}", "z", 5, "\xf0\x9f\x98\x80");
	jw_json(&w, want);
	jw_end(&w);
	text = jw_take(&w, NULL);
	j = json_loads(text, 0, NULL);
	assert_non_null(j);
	wtext = json_dumps(j, JSON_COMPACT);
	assert_string_equal(text, wtext);
	assert_string_equal(text, "{\"a\":[[],{},{\"x\\ty\":[1,\"t\\\\\",null]}],"
	    "\"b\":false,\"c\":{\"r\":[1,2]},\"d\":{\"z\":[5,\"\xf0\x9f\x98\x80\"]}}");
	free(text);
	free(wtext);
	json_decref(j);
	json_decref(want);
	jw_free(&w);
}

/* Each misuse is refused with EINVAL, and nothing is taken. */
static void
test_shape_errors(void **state)
{
	struct jw w;

	(void)state;
#define MISUSE(steps, want) do {					\
	jw_init(&w);							\
	steps;								\
	assert_null(jw_take(&w, NULL));					\
	assert_int_equal(jw_error(&w), SPEND_EINVAL);			\
	if (strstr(w.msg, (want)) == NULL)				\
		fail_msg("\"%s\" lacks \"%s\"", w.msg, (want));		\
	jw_free(&w);							\
} while (0)
	MISUSE(jw_key(&w, "a"), "a key outside an object");
	MISUSE((jw_arr(&w), jw_key(&w, "a")), "a key outside an object");
	MISUSE((jw_obj(&w), jw_int(&w, 1)), "in an object without a key");
	MISUSE((jw_obj(&w), jw_key(&w, "a"), jw_key(&w, "b")), "a key after a key");
	MISUSE((jw_obj(&w), jw_key(&w, "a"), jw_end(&w)), "ends after a key");
	MISUSE(jw_end(&w), "nothing open");
	MISUSE((jw_arr(&w), jw_end(&w), jw_end(&w)), "nothing open");
	MISUSE((jw_int(&w, 1), jw_int(&w, 2)), "after the top-level value");
	MISUSE((jw_obj(&w), jw_end(&w), jw_arr(&w)), "after the top-level value");
	MISUSE((jw_obj(&w), jw_key(&w, "a"), jw_int(&w, 1),
	    jw_json(&w, NULL)), "no value");
	MISUSE(jw_arr(&w), "not complete");	/* (jw_take's) */
	MISUSE((jw_obj(&w), jw_key(&w, "a")), "not complete");
	MISUSE((void)0, "not complete");
#undef MISUSE
	/* after an error, nothing more is written */
	jw_init(&w);
	jw_arr(&w);
	jw_int(&w, 1);
	jw_strn(&w, "\xff", 1);
	assert_int_equal(w.len, 2);		/* "[1" */
	assert_int_equal(jw_end(&w), SPEND_EINVAL);
	assert_int_equal(jw_str(&w, "x"), SPEND_EINVAL);
	assert_int_equal(w.len, 2);
	/* reset: a fresh value in the same buffer */
	jw_reset(&w);
	assert_int_equal(jw_error(&w), 0);
	jw_str(&w, "again");
	{
		char *t = jw_take(&w, NULL);

		assert_string_equal(t, "\"again\"");
		free(t);
	}
	jw_free(&w);
}

/* A long value: the buffer grows, every byte kept. */
/* Each kind of byte that needs more than a copy, at every offset of a
 * 25-byte plain string: the copy runs 8 bytes at a time until such a
 * byte, so every position in and across a word of 8 is tried. */
static void
test_every_offset(void **state)
{
	static const struct {
		const char *b;
		size_t n;
		const char *bad;	/* NULL: written; else the refusal */
	} kinds[] = {
		{ "\x01", 1, NULL }, { "\x1f", 1, NULL }, { "\n", 1, NULL },
		{ "\"", 1, NULL }, { "\\", 1, NULL }, { "\x7f", 1, NULL },
		{ " ", 1, NULL }, { "\xc3\xa9", 2, NULL },
		{ "\xe2\x82\xac", 3, NULL }, { "\xf0\x9f\x98\x80", 4, NULL },
		{ "\xff", 1, "not UTF-8" }, { "\xc3", 1, "not UTF-8" },
		{ "\0", 1, "NUL byte" },
	};
	char s[40], want[64];
	struct jw w;

	(void)state;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		for (size_t at = 0; at < 25; at++) {
			size_t n = 0;

			for (size_t i = 0; i < at; i++)
				s[n++] = (char)('a' + i % 26);
			memcpy(s + n, kinds[k].b, kinds[k].n);
			n += kinds[k].n;
			for (size_t i = at; i < 25; i++)
				s[n++] = (char)('A' + i % 26);
			if (kinds[k].bad == NULL) {
				roundtrip(__LINE__, s, n);
				continue;
			}
			jw_init(&w);
			if (jw_strn(&w, s, n) != SPEND_EINVAL)
				fail_msg("kind %zu at %zu: accepted", k, at);
			if (strcmp(kinds[k].bad, "not UTF-8") == 0)
				snprintf(want, sizeof(want), "not UTF-8 (byte %zu)",
				    at);
			else
				snprintf(want, sizeof(want), "%s at byte %zu",
				    kinds[k].bad, at);
			if (strstr(w.msg, want) == NULL)
				fail_msg("kind %zu at %zu: \"%s\" lacks \"%s\"",
				    k, at, w.msg, want);
			jw_free(&w);
		}
}

/* JW_KEY writes what jw_key writes, separators and shape checks too. */
static void
test_literal_keys(void **state)
{
	struct jw a, b;

	(void)state;
	jw_init(&a);
	jw_init(&b);
	jw_obj(&a);
	jw_obj(&b);
	for (int i = 0; i < 3; i++) {
		jw_key(&a, "id");
		JW_KEY(&b, "id");
		jw_int(&a, i);
		jw_int(&b, i);
		jw_key(&a, "created_at");
		JW_KEY(&b, "created_at");
		jw_str(&a, "x");
		jw_str(&b, "x");
	}
	assert_int_equal(JW_KEY(&b, "k"), 0);
	assert_int_equal(JW_KEY(&b, "k"), SPEND_EINVAL);	/* a key after a key */
	assert_non_null(strstr(b.msg, "a key after a key"));
	jw_end(&a);
	assert_int_equal(b.len, a.len - 1 + strlen(",\"k\":"));
	assert_memory_equal(a.buf, b.buf, a.len - 1);
	jw_free(&a);
	jw_free(&b);
	jw_init(&b);
	jw_arr(&b);
	assert_int_equal(JW_KEY(&b, "id"), SPEND_EINVAL);
	assert_non_null(strstr(b.msg, "a key outside an object"));
	jw_free(&b);
}

static void
test_long(void **state)
{
	struct jw w;
	json_t *j;
	char s[1000];

	(void)state;
	for (size_t i = 0; i < sizeof(s) - 1; i++)
		s[i] = (char)(i % 31 + 1);	/* control characters: 6x */
	s[sizeof(s) - 1] = '\0';
	jw_init(&w);
	jw_arr(&w);
	for (int i = 0; i < 500; i++)
		jw_str(&w, s);
	jw_end(&w);
	j = parse(&w);
	assert_int_equal(json_array_size(j), 500);
	for (int i = 0; i < 500; i++)
		assert_string_equal(json_string_value(json_array_get(j, i)), s);
	json_decref(j);
	jw_free(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_control_characters),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_utf8_exhaustive),
		cmocka_unit_test(test_numbers_and_literals),
		cmocka_unit_test(test_decimal),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_shape_errors),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_every_offset),
		cmocka_unit_test(test_literal_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
