/*
 * csv plugin internals: one csv.so with an importer (csv_import.c) and an
 * exporter (csv_export.c), registered by csv.c.
 */
#ifndef SPEND_PLUGIN_CSV_H
#define SPEND_PLUGIN_CSV_H

#include "spend/plugin.h"

/* Set once in spend_plugin_init, read-only afterwards. */
extern const struct spend_host_api *csv_host;

extern const struct spend_importer csv_importer;
extern const struct spend_exporter csv_exporter;

#endif
