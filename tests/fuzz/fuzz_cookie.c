/*
 * cookie_get (daemon/cookie.c) on arbitrary Cookie headers: the input is
 * "SIZE NAME\0HEADER" (SIZE the first byte, 1..64, NAME up to the first
 * NUL). What it finds must be what a reading of RFC 6265's grammar finds:
 * the header split at ';', each cookie's leading spaces dropped, the
 * first "NAME=" cookie's value (or "" if there is none, or if it does not
 * fit in SIZE bytes); and it never writes past SIZE.
 */
/* fuzz-sources: daemon/cookie.c */
/* fuzz-libs: */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cookie.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

/* The reference: split, then look. */
static void
ref(const char *header, const char *name, char *out, size_t size)
{
	size_t n = strlen(name);
	const char *p = header;

	out[0] = '\0';
	for (;;) {
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *c = p;

		while (c < p + len && *c == ' ')
			c++;
		if ((size_t)(p + len - c) > n && strncmp(c, name, n) == 0 &&
		    c[n] == '=') {
			size_t vlen = (size_t)(p + len - c) - n - 1;

			if (vlen < size) {
				memcpy(out, c + n + 1, vlen);
				out[vlen] = '\0';
			}
			return;
		}
		if (end == NULL)
			return;
		p = end + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *out, want[80];
	const char *name, *header;
	size_t n;

	if (size < 2)
		return 0;
	n = (size_t)data[0] % 64 + 1;
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	name = buf;
	header = buf + strlen(buf) + (strlen(buf) < size - 1 ? 1 : 0);
	/* a cookie name is a token: no separators, spaces or controls */
	if (name[strcspn(name, " ;=,\t\r\n\"")] != '\0') {
		free(buf);
		return 0;
	}
	/* exactly n bytes, so that ASan sees a write past them */
	if ((out = malloc(n)) == NULL) {
		free(buf);
		return 0;
	}
	cookie_get(header, name, out, n);
	ref(header, name, want, n);
	CHECK(strlen(out) < n);
	CHECK(strcmp(out, want) == 0);
	CHECK(strchr(out, ';') == NULL);
	free(out);
	free(buf);
	return 0;
}
