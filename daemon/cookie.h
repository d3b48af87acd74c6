/*
 * Cookie request headers (RFC 6265 section 5.4): "a=1; b=2". Nothing here
 * allocates.
 */
#ifndef SPEND_COOKIE_H
#define SPEND_COOKIE_H

#include <stddef.h>

/* The value of the first cookie called name in header (a Cookie header's
 * value) into out, NUL-terminated; "" if there is none, or if its value
 * does not fit in size bytes. */
void cookie_get(const char *header, const char *name, char *out,
    size_t size);

#endif
