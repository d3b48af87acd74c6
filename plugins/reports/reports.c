/*
 * reports.so: the in-tree report plugins, in the user's base currency:
 * summary (a week, month, year or range against the period before and
 * a year before), breakdown (category shares as pie-chart data), trend
 * (a series by day, week or month with a moving average) and payees
 * (the top payees). They read the host's converted cells
 * (host->report_cells: one conversion per day, category or payee, and
 * currency) and never SQL; they run on REPORT jobs (spendctl report,
 * GET /api/v1/reports/{name}).
 */
#include "rp.h"
#include "../common/host.h"

SPEND_PLUGIN_DECLARE;

SPEND_PLUGIN_EXPORT int
spend_plugin_init(const struct spend_host_api *h, struct spend_plugin *self)
{
	if (plugin_host_check(h, self, PLUGIN_HOST_NEEDS(report_cells),
	    "host API too old: no reports in the base currency") < 0)
		return -1;
	rp_host = h;
	self->version = "2.0";
	self->description = "reports in the base currency: summary, "
	    "breakdown, trend, payees";
	if (h->register_report(self, &rp_summary) < 0 ||
	    h->register_report(self, &rp_breakdown) < 0 ||
	    h->register_report(self, &rp_trend) < 0 ||
	    h->register_report(self, &rp_payees) < 0)
		return -1;
	return 0;
}
