/* Aligned text tables (see table.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "table.h"

struct table {
	size_t ncols, nrows, cap;
	char align[16];
	char **cells;		/* nrows * ncols, row-major; row 0 = heads */
	int has_heads;
};

static void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		abort();
	if ((p = realloc(p, n * size)) == NULL)
		abort();
	return p;
}

/* A copy with control characters (C0, DEL, C1) turned into spaces. */
static char *
clean_copy(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	char *out = xreallocarray(NULL, strlen((const char *)p) + 1, 1), *o = out;

	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			*o++ = ' ';
		else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			*o++ = ' ';
			p++;
		} else
			*o++ = (char)*p;
	}
	*o = '\0';
	return out;
}

/* Terminal columns of a UTF-8 string; wcwidth where the locale knows the
 * character, else one column per character. */
static size_t
text_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0;

	while (*p) {
		uint32_t cp;
		int n, cw;

		if (*p < 0x80) {
			w++;
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			cp = *p & 0x1f;
			n = 1;
		} else if ((*p & 0xf0) == 0xe0) {
			cp = *p & 0x0f;
			n = 2;
		} else if ((*p & 0xf8) == 0xf0) {
			cp = *p & 0x07;
			n = 3;
		} else {
			w++;
			p++;
			continue;
		}
		p++;
		for (; n > 0 && (*p & 0xc0) == 0x80; n--, p++)
			cp = (cp << 6) | (*p & 0x3f);
		cw = wcwidth((wchar_t)cp);
		w += cw < 0 ? 1 : (size_t)cw;
	}
	return w;
}

struct table *
table_new(const char *align, const char *const *heads)
{
	struct table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		abort();
	t->ncols = strlen(align);
	if (t->ncols == 0 || t->ncols >= sizeof(t->align))
		abort();
	memcpy(t->align, align, t->ncols + 1);
	if (heads) {
		table_add(t, heads);
		t->has_heads = 1;
	}
	return t;
}

void
table_add(struct table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cells = xreallocarray(t->cells, t->cap * t->ncols,
		    sizeof(*t->cells));
	}
	for (size_t i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = clean_copy(cells[i]);
	t->nrows++;
}

size_t
table_rows(const struct table *t)
{
	return t->nrows - (size_t)t->has_heads;
}

void
table_print(const struct table *t, FILE *f)
{
	size_t *width = xreallocarray(NULL, t->ncols, sizeof(*width));
	size_t linesize = 0;
	char *line = NULL;

	memset(width, 0, t->ncols * sizeof(*width));
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t i = 0; i < t->ncols; i++) {
			size_t w = text_width(t->cells[r * t->ncols + i]);

			if (w > width[i])
				width[i] = w;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		FILE *m = open_memstream(&line, &linesize);
		size_t n;

		if (m == NULL)
			abort();
		for (size_t i = 0; i < t->ncols; i++) {
			const char *s = t->cells[r * t->ncols + i];
			int pad = (int)(width[i] - text_width(s));

			if (t->align[i] == 'r')
				fprintf(m, "%*s%s", pad, "", s);
			else
				fprintf(m, "%s%*s", s, pad, "");
			if (i + 1 < t->ncols)
				fputs("  ", m);
		}
		if (fclose(m) != 0)
			abort();
		/* empty cells at the end of a row leave no trailing blanks */
		for (n = strlen(line); n > 0 && line[n - 1] == ' '; n--)
			;
		fprintf(f, "%.*s\n", (int)n, line);
		free(line);
		line = NULL;
	}
	free(width);
}

void
table_free(struct table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}
