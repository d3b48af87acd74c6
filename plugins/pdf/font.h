/*
 * Fonts for PDF output: which characters a TrueType font has (its cmap
 * table, read once), the set of fonts a document draws with (regular,
 * bold, a fallback for CJK) and, for each character, the font to draw it
 * with. Used by layout.c; no libharu here.
 *
 * DejaVu Sans (the default) has no CJK glyphs, so characters it lacks are
 * drawn with a fallback font (Droid Sans Fallback, when installed):
 * layout.c cuts each string into runs by the font that has the glyph.
 * Only the Windows Unicode BMP (3,1) format 4 cmap is read, the one
 * libharu itself uses: characters above U+FFFF are never "had".
 *
 * Memory: a struct font_set owns its cmaps; font_set_free() releases them.
 * A loaded set is read-only: any thread may use it.
 */
#ifndef SPEND_PLUGIN_FONT_H
#define SPEND_PLUGIN_FONT_H

#include <stddef.h>
#include <stdint.h>

#include "spend/plugin.h"	/* enum spend_log_level */

#define FONT_PATH_LEN 1024

/* The fonts of a document, by role. */
enum { FONT_REG, FONT_BOLD, FONT_CJK, FONT_COUNT };

struct font_face {
	char path[FONT_PATH_LEN];	/* "" = none */
	uint8_t *cmap;		/* a format 4 subtable, to the table's end */
	size_t len;
	unsigned nseg;
};

struct font_set {
	struct font_face face[FONT_COUNT];
};

/* Where font_set_load says what it did: a missing optional font (WARN),
 * no fallback (INFO), the fonts chosen (DEBUG). msg is one line. */
typedef void (*font_log_fn)(void *arg, enum spend_log_level level,
    const char *msg);

/*
 * Read the cmap of the .ttf at path into f (f->path set). 0, or -1 with
 * a reason in err ("not a TrueType font", ...) and f->path "".
 */
int font_load(struct font_face *f, const char *path, char *err,
    size_t errlen);
/* 1 if the face maps cp to a real glyph. */
int font_has(const struct font_face *f, uint32_t cp);
/*
 * Load a document's fonts; fs must be zeroed or freed first.
 *	regular		a .ttf; NULL or "" = SPEND_FONT (DejaVu Sans)
 *	bold		a .ttf; NULL = regular's "-Bold" sibling if there is
 *			one; "" or a file that fails = bold drawn as regular
 *	fallback	a .ttf; NULL = the first Debian CJK font found;
 *			"" = none (such characters show as boxes)
 * 0, or -1 if the regular font cannot be read (logged as WARN: "font
 * PATH: why").
 */
int font_set_load(struct font_set *fs, const char *regular, const char *bold,
    const char *fallback, font_log_fn log, void *arg);
void font_set_free(struct font_set *fs);
/* The font (FONT_*) to draw cp with: the regular (or bold) face if it has
 * the glyph, else the fallback if it has it, else the regular (or bold)
 * face's "missing" box. */
int font_pick(const struct font_set *fs, uint32_t cp, int bold);

#endif
