/*
 * csv: import bank and spreadsheet CSV files (libcsv), export RFC 4180.
 */
#include "csv.h"
#include "../common/host.h"

SPEND_PLUGIN_DECLARE;

const struct spend_host_api *csv_host;

SPEND_PLUGIN_EXPORT int
spend_plugin_init(const struct spend_host_api *host, struct spend_plugin *self)
{
	if (plugin_host_check(host, self, PLUGIN_HOST_NEEDS(export_error),
	    NULL) < 0)
		return -1;
	csv_host = host;
	self->version = "1.0";
	self->description = "CSV files: import (bank exports, spreadsheets) "
	    "and export (RFC 4180)";
	if (host->register_importer(self, &csv_importer) < 0 ||
	    host->register_exporter(self, &csv_exporter) < 0)
		return -1;
	return 0;
}
