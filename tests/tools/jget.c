/*
 * jget: read one JSON value on stdin, print the parts PATHs name. The
 * regress tests' field reader (tests/regress/lib.sh), one small process
 * instead of a python3 per field.
 *
 *   jget [-j SEP] [-d DEFAULT] [-s] PATH...
 *
 * A PATH is segments separated by dots, applied to the stream of values
 * it has so far (at first, the whole document):
 *   name      an object's member          count, sum.EUR, error.data.type
 *   N         an array's element (N < 0 counts from the end; on an
 *             object, the member named N)  items.0.id
 *   *         every element of an array (or value of an object): the
 *             stream grows                 items.*.amount, items.*.tags.*
 *   [k=v]     only the arrays' elements whose member k prints as v, as an
 *   [k] [!k]  array (the same array filtered); [k] keeps the elements
 *             whose k is truthy (not false, null, 0, "", [] or {}), [!k]
 *             the others               plugins[name=csv].0.state
 *   #         the length of an array, object or string (bytes)  tags.#
 *   @type     the type: object array string number boolean null
 *
 * Printed: a string as it is, a number in JSON, true false null, an array
 * or object as JSON with ", " and ": " between items (-s sorts object
 * keys). Every value of every PATH's stream, in order, joined by SEP
 * (default a newline), then a newline.
 *
 * A member or element that is not there is an error (exit 1, nothing
 * printed) unless -d gives a DEFAULT to print in its place, or the PATH
 * ends in ?DEFAULT (for that PATH alone: "reason?" prints "" for a
 * missing reason). Input that is not JSON, or a bad PATH: exit 2.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *sep = "\n";
static const char *deflt;
static int sort_keys;
static int first = 1;

/* the values printed so far are written here; flushed on success */
static char *out;
static size_t outlen, outcap;

static void
emit(const char *s, size_t n)
{
	if (outlen + n + 1 > outcap) {
		size_t cap = outcap ? outcap : 256;

		while (cap < outlen + n + 1)
			cap *= 2;
		if ((out = realloc(out, cap)) == NULL) {
			fprintf(stderr, "jget: out of memory\n");
			exit(2);
		}
		outcap = cap;
	}
	memcpy(out + outlen, s, n);
	outlen += n;
}

static void
emits(const char *s)
{
	emit(s, strlen(s));
}

/* "1.1" for 1.1, not "1.1000000000000001" (as Python prints it) */
static void
real_text(double d, char *buf, size_t size)
{
	int prec;

	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	if (strspn(buf, "-0123456789") == strlen(buf))
		strncat(buf, ".0", size - strlen(buf) - 1);
}

/* v as printed; the caller frees */
static char *
text(const json_t *v)
{
	char buf[64];

	switch (json_typeof(v)) {
	case JSON_STRING:
		return strdup(json_string_value(v));
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		return strdup(buf);
	case JSON_REAL:
		real_text(json_real_value(v), buf, sizeof(buf));
		return strdup(buf);
	case JSON_TRUE:
		return strdup("true");
	case JSON_FALSE:
		return strdup("false");
	case JSON_NULL:
		return strdup("null");
	default:
		return json_dumps(v, JSON_ENCODE_ANY |
		    (sort_keys ? JSON_SORT_KEYS : 0));
	}
}

static void
put(const char *s)
{
	if (!first)
		emits(sep);
	first = 0;
	emits(s);
}

static void
put_value(const json_t *v)
{
	char *s = text(v);

	if (s == NULL) {
		fprintf(stderr, "jget: out of memory\n");
		exit(2);
	}
	put(s);
	free(s);
}

static int
truthy(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_FALSE:
	case JSON_NULL:
		return 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0;
	case JSON_STRING:
		return json_string_length(v) != 0;
	case JSON_ARRAY:
		return json_array_size(v) != 0;
	case JSON_OBJECT:
		return json_object_size(v) != 0;
	default:
		return 1;
	}
}

/* Does element e pass filter f ("k=v", "k" or "!k")? */
static int
passes(const json_t *e, const char *f)
{
	const char *eq = strchr(f, '=');
	const json_t *m;
	char key[256];
	size_t klen;
	int neg = 0, r;
	char *t;

	if (!eq && f[0] == '!') {
		neg = 1;
		f++;
	}
	klen = eq ? (size_t)(eq - f) : strlen(f);
	if (klen >= sizeof(key))
		return 0;
	memcpy(key, f, klen);
	key[klen] = '\0';
	m = json_is_object(e) ? json_object_get(e, key) : NULL;
	if (!eq)
		return neg ? (m == NULL || !truthy(m)) : (m != NULL && truthy(m));
	if (m == NULL || (t = text(m)) == NULL)
		return 0;
	r = strcmp(t, eq + 1) == 0;
	free(t);
	return r;
}

static const char *whole_path;

static void
missing(const char *what, const char *seg)
{
	fprintf(stderr, "jget: %s: %s \"%s\"\n", whole_path, what, seg);
	exit(1);
}

/* Apply the path from p on to v, printing what it names (or DEFAULT
 * where something is missing). */
static void
walk(json_t *v, const char *p)
{
	char seg[512];
	size_t n;
	json_t *owned = NULL;

	while (*p == '.')
		p++;
	if (*p == '\0') {
		put_value(v);
		return;
	}
	if (*p == '[') {
		const char *end = strchr(p, ']');
		size_t i;
		json_t *e;

		if (end == NULL || (size_t)(end - p - 1) >= sizeof(seg)) {
			fprintf(stderr, "jget: %s: unclosed [\n", whole_path);
			exit(2);
		}
		memcpy(seg, p + 1, (size_t)(end - p - 1));
		seg[end - p - 1] = '\0';
		if (!json_is_array(v)) {
			if (deflt) {
				put(deflt);
				return;
			}
			missing("not an array before", seg);
		}
		if ((owned = json_array()) == NULL)
			exit(2);
		json_array_foreach(v, i, e)
			if (passes(e, seg))
				json_array_append(owned, e);
		walk(owned, end + 1);
		json_decref(owned);
		return;
	}
	n = strcspn(p, ".[");
	if (n >= sizeof(seg)) {
		fprintf(stderr, "jget: %s: segment too long\n", whole_path);
		exit(2);
	}
	memcpy(seg, p, n);
	seg[n] = '\0';
	p += n;

	if (strcmp(seg, "*") == 0) {
		size_t i;
		const char *k;
		json_t *e;

		if (json_is_array(v))
			json_array_foreach(v, i, e)
				walk(e, p);
		else if (json_is_object(v))
			json_object_foreach(v, k, e)
				walk(e, p);
		else if (deflt)
			put(deflt);
		else
			missing("not an array or object at", seg);
		return;
	}
	if (strcmp(seg, "#") == 0 || strcmp(seg, "@type") == 0) {
		char buf[32];
		const char *t = buf;

		if (seg[0] == '#') {
			if (json_is_array(v))
				n = json_array_size(v);
			else if (json_is_object(v))
				n = json_object_size(v);
			else if (json_is_string(v))
				n = json_string_length(v);
			else if (deflt) {
				put(deflt);
				return;
			} else
				missing("no length for a", t = text(v));
			snprintf(buf, sizeof(buf), "%zu", n);
		} else {
			static const char *names[] = { "object", "array",
			    "string", "number", "number", "boolean", "boolean",
			    "null" };
			t = names[json_typeof(v)];
		}
		owned = json_string(t);
		walk(owned, p);
		json_decref(owned);
		return;
	}
	if (json_is_array(v)) {
		char *end;
		long i;

		errno = 0;
		i = strtol(seg, &end, 10);
		if (seg[0] == '\0' || *end != '\0' || errno) {
			if (deflt) {
				put(deflt);
				return;
			}
			missing("an array has no member", seg);
		}
		if (i < 0)
			i += (long)json_array_size(v);
		if (i < 0 || (size_t)i >= json_array_size(v)) {
			if (deflt) {
				put(deflt);
				return;
			}
			missing("no such element", seg);
		}
		walk(json_array_get(v, (size_t)i), p);
		return;
	}
	if (json_is_object(v) && json_object_get(v, seg) != NULL) {
		walk(json_object_get(v, seg), p);
		return;
	}
	if (deflt) {
		put(deflt);
		return;
	}
	missing(json_is_object(v) ? "no member" : "not an object at", seg);
}

int
main(int argc, char **argv)
{
	json_error_t jerr;
	json_t *doc;
	int c;

	while ((c = getopt(argc, argv, "j:d:s")) != -1) {
		switch (c) {
		case 'j':
			sep = optarg;
			break;
		case 'd':
			deflt = optarg;
			break;
		case 's':
			sort_keys = 1;
			break;
		default:
			goto usage;
		}
	}
	if (optind >= argc) {
usage:
		fprintf(stderr, "usage: jget [-j SEP] [-d DEFAULT] [-s] PATH... "
		    "<JSON\n");
		return 2;
	}
	if ((doc = json_loadf(stdin, JSON_DECODE_ANY, &jerr)) == NULL) {
		fprintf(stderr, "jget: input is not JSON: %s (line %d)\n",
		    jerr.text, jerr.line);
		return 2;
	}
	for (; optind < argc; optind++) {
		char *q = argv[optind], *b;
		const char *all = deflt;

		whole_path = q;
		/* PATH?DEFAULT: the last ? outside [...] */
		for (b = q; *b; b++) {
			if (*b == '[' && strchr(b, ']'))
				b = strchr(b, ']');
			else if (*b == '?') {
				*b = '\0';
				deflt = b + 1;
			}
		}
		walk(doc, q);
		deflt = all;
	}
	emits("\n");
	fwrite(out, 1, outlen, stdout);
	json_decref(doc);
	return fflush(stdout) == 0 ? 0 : 2;
}
