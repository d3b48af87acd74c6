/*
 * UTF-8 one character at a time: shared by the plugins that read or clean
 * text (each .so compiles its own copy of utf8.c; nothing here is exported
 * from the .so). No state, no allocation.
 */
#ifndef SPEND_PLUGIN_UTF8_H
#define SPEND_PLUGIN_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Length of the valid UTF-8 sequence at s (at most n bytes, n > 0), or 0
 * if it is not one: overlong forms, surrogates and code points past
 * U+10FFFF are invalid. *cp gets the code point.
 */
size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp);

/* Encode cp (at most U+10FFFF, not a surrogate) into out, which has room
 * for 4 bytes; returns the length, 1 to 4. */
size_t utf8_put(uint32_t cp, char *out);

#endif
