/*
 * TrueType cmaps, a document's font set and the font for each character.
 * See font.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "font.h"

#ifndef SPEND_FONT
#define SPEND_FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#endif

#define CMAP_MAX (8u << 20)	/* refuse absurd cmap tables */

/* CJK-capable TrueType fonts Debian ships as .ttf (libharu cannot read
 * the CFF-based Noto CJK). */
static const char *const fallback_fonts[] = {
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
	"/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf",
	NULL,
};

static unsigned
be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/*
 * Read the Windows Unicode BMP (3,1) format 4 cmap of a .ttf, the one
 * libharu itself uses. 0, or -1 with a reason in err.
 */
int
font_load(struct font_face *f, const char *path, char *err, size_t errlen)
{
	uint8_t hdr[12], *dir = NULL, *cm = NULL;
	uint32_t off = 0, len = 0, sub = 0;
	unsigned ntab, i, nsub;
	FILE *fp;
	int rc = -1;

	snprintf(f->path, sizeof(f->path), "%s", path);
	if ((fp = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	if (fread(hdr, 1, 12, fp) != 12 || (be32(hdr) != 0x00010000 &&
	    memcmp(hdr, "true", 4) != 0)) {
		snprintf(err, errlen, "not a TrueType font");
		goto out;
	}
	ntab = be16(hdr + 4);
	if ((dir = malloc(ntab * 16u + 1)) == NULL ||
	    fread(dir, 16, ntab, fp) != ntab) {
		snprintf(err, errlen, "truncated table directory");
		goto out;
	}
	for (i = 0; i < ntab; i++)
		if (memcmp(dir + 16 * i, "cmap", 4) == 0) {
			off = be32(dir + 16 * i + 8);
			len = be32(dir + 16 * i + 12);
		}
	if (len < 4 || len > CMAP_MAX || (cm = malloc(len)) == NULL ||
	    fseek(fp, (long)off, SEEK_SET) != 0 || fread(cm, 1, len, fp) != len) {
		snprintf(err, errlen, "no readable cmap table");
		goto out;
	}
	nsub = be16(cm + 2);
	for (i = 0; i < nsub && 4 + 8 * i + 8 <= len; i++) {
		const uint8_t *r = cm + 4 + 8 * i;
		uint32_t o = be32(r + 4);

		if (be16(r) == 3 && be16(r + 2) == 1 && o + 14 <= len &&
		    be16(cm + o) == 4) {
			sub = o;
			break;
		}
	}
	if (sub == 0) {
		snprintf(err, errlen, "no Unicode BMP (3,1) format 4 cmap");
		goto out;
	}
	f->nseg = be16(cm + sub + 6) / 2;
	f->len = len - sub;
	if (f->nseg == 0 || 16 + 8 * (size_t)f->nseg > f->len) {
		snprintf(err, errlen, "corrupt cmap");
		goto out;
	}
	if ((f->cmap = malloc(f->len)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	memcpy(f->cmap, cm + sub, f->len);
	rc = 0;
out:
	free(dir);
	free(cm);
	fclose(fp);
	if (rc < 0)
		f->path[0] = '\0';
	return rc;
}

/* 1 if the face maps cp to a real glyph. */
int
font_has(const struct font_face *f, uint32_t cp)
{
	const uint8_t *t = f->cmap;
	size_t n = f->nseg, lo = 0, hi = n, i, ro;
	unsigned start, delta, g;

	if (t == NULL || cp > 0xffff)
		return 0;
	while (lo < hi) {	/* the first segment whose end >= cp */
		size_t mid = (lo + hi) / 2;

		if (be16(t + 14 + 2 * mid) < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	if ((i = lo) >= n)
		return 0;
	start = be16(t + 16 + 2 * n + 2 * i);
	delta = be16(t + 16 + 4 * n + 2 * i);
	ro = 16 + 6 * n + 2 * i;
	if (cp < start)
		return 0;
	if (be16(t + ro) == 0)
		return ((cp + delta) & 0xffff) != 0;
	ro += be16(t + ro) + 2 * (cp - start);
	if (ro + 2 > f->len)
		return 0;
	g = be16(t + ro);
	return g != 0 && ((g + delta) & 0xffff) != 0;
}
int
font_pick(const struct font_set *fs, uint32_t cp, int bold)
{
	int face = bold && fs->face[FONT_BOLD].cmap ? FONT_BOLD : FONT_REG;

	if (cp < 0x80 || font_has(&fs->face[face], cp) ||
	    !font_has(&fs->face[FONT_CJK], cp))
		return face;
	return FONT_CJK;
}

static void
font_log(font_log_fn log, void *arg, enum spend_log_level level,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
font_log(font_log_fn log, void *arg, enum spend_log_level level,
    const char *fmt, ...)
{
	char msg[3 * FONT_PATH_LEN];
	va_list ap;

	if (log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log(arg, level, msg);
}

int
font_set_load(struct font_set *fs, const char *regular, const char *bold,
    const char *fallback, font_log_fn log, void *arg)
{
	struct font_face *faces = fs->face;
	const char *v = regular;
	char path[FONT_PATH_LEN], err[128];
	const char *dot;
	size_t i;

	if (v == NULL || *v == '\0')
		v = SPEND_FONT;
	if (font_load(&faces[FONT_REG], v, err, sizeof(err)) < 0) {
		font_log(log, arg, SPEND_LOG_WARN, "font %s: %s", v, err);
		return -1;
	}
	/* bold: configured, or the regular file's "-Bold" sibling */
	v = bold;
	if (v == NULL && (dot = strrchr(faces[FONT_REG].path, '.')) != NULL) {
		snprintf(path, sizeof(path), "%.*s-Bold%s",
		    (int)(dot - faces[FONT_REG].path), faces[FONT_REG].path,
		    dot);
		if (font_load(&faces[FONT_BOLD], path, err, sizeof(err)) < 0)
			faces[FONT_BOLD].path[0] = '\0';  /* bold = regular */
	} else if (v != NULL && *v != '\0' &&
	    font_load(&faces[FONT_BOLD], v, err, sizeof(err)) < 0)
		font_log(log, arg, SPEND_LOG_WARN, "font_bold %s: %s", v, err);
	/* the fallback for characters the main font lacks */
	v = fallback;
	if (v != NULL) {
		if (*v != '\0' && font_load(&faces[FONT_CJK], v, err,
		    sizeof(err)) < 0)
			font_log(log, arg, SPEND_LOG_WARN,
			    "fallback_font %s: %s", v, err);
	} else {
		for (i = 0; fallback_fonts[i] != NULL; i++)
			if (font_load(&faces[FONT_CJK], fallback_fonts[i], err,
			    sizeof(err)) == 0)
				break;
		if (faces[FONT_CJK].cmap == NULL)
			font_log(log, arg, SPEND_LOG_INFO, "no CJK fallback "
			    "font found (install fonts-droid-fallback): such "
			    "text will show as boxes");
	}
	font_log(log, arg, SPEND_LOG_DEBUG, "fonts: %s, bold %s, fallback %s",
	    faces[FONT_REG].path, faces[FONT_BOLD].path[0] ?
	    faces[FONT_BOLD].path : "(regular)", faces[FONT_CJK].path[0] ?
	    faces[FONT_CJK].path : "(none)");
	return 0;
}

void
font_set_free(struct font_set *fs)
{
	for (int i = 0; i < FONT_COUNT; i++) {
		free(fs->face[i].cmap);
		memset(&fs->face[i], 0, sizeof(fs->face[i]));
	}
}
