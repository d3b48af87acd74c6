#ifndef SPEND_APIDOC_H
#define SPEND_APIDOC_H
#include <stdio.h>
/* Markdown tables of every method and error (spendd --api-doc). */
void apidoc_print(FILE *f);
#endif
