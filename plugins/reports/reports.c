/*
 * reports.so: the in-tree report plugins, in the user's base currency:
 * summary (a week, month, year or range against the period before and
 * a year before), breakdown (category shares as pie-chart data), trend
 * (a series by day, week or month with a moving average) and payees
 * (the top payees); with a host that has report_budget_status, forecast
 * (a month's projection with what recurring rules will add) and budget
 * (budgets against actuals, month by month). They read the host's
 * converted cells
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
	self->version = "2.1";
	self->description = "reports in the base currency: summary, "
	    "breakdown, trend, payees, forecast, budget";
	if (h->register_report(self, &rp_summary) < 0 ||
	    h->register_report(self, &rp_breakdown) < 0 ||
	    h->register_report(self, &rp_trend) < 0 ||
	    h->register_report(self, &rp_payees) < 0)
		return -1;
	/* an older spendd: the four above, without budgets and forecasts */
	if (!SPEND_HOST_HAS(h, report_budget_status)) {
		h->log(self, SPEND_LOG_INFO, "spendd %s has no budgets for "
		    "reports: no forecast or budget report", h->host_version);
		return 0;
	}
	if (h->register_report(self, &rp_forecast) < 0 ||
	    h->register_report(self, &rp_budget) < 0)
		return -1;
	return 0;
}
