/*
 * Aligned text tables for spendctl's human output: columns padded to the
 * widest cell (in terminal columns, UTF-8 aware), right-aligned where asked,
 * two spaces apart. The table copies every cell; table_free frees it all.
 */
#ifndef SPENDCTL_TABLE_H
#define SPENDCTL_TABLE_H

#include <stdio.h>

struct table;

/* align: one letter per column, 'l' or 'r'; its length is the number of
 * columns. heads: that many column titles, or NULL for no header line. */
struct table *table_new(const char *align, const char *const *heads);
/* One row of as many cells as columns; NULL cells print empty. Control
 * characters in cells print as spaces so a note cannot break the layout. */
void table_add(struct table *t, const char *const *cells);
size_t table_rows(const struct table *t);
void table_print(const struct table *t, FILE *f);
void table_free(struct table *t);

#endif
