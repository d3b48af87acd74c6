/*
 * The daemon's own small, fixed allocations (docs/HACKING.md, "Out of
 * memory"): a call, a job, a connection, a timer, a list node. They never
 * return NULL: failing, they end the process with fatal(). What a client
 * or the data sizes is allocated with plain malloc and fails with
 * SPEND_ENOMEM instead. Free with free().
 */
#ifndef SPEND_XMALLOC_H
#define SPEND_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);
/* asprintf that returns the length, never -1. */
int xasprintf(char **out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
