/*
 * The host API every plugin gets: registering vtables (only from inside
 * spend_plugin_init), the log, the plugin's config section, money and
 * dates, the event base. The import and export parts live in import.c
 * and export.c. See plugin_internal.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "import.h"
#include "log.h"
#include "notify.h"
#include "money.h"
#include "plugin.h"
#include "plugin_internal.h"
#include "report.h"
#include "report_job.h"
#include "spendd.h"
#include "util.h"

static struct plugin *
plugin_of(struct spend_plugin *self)
{
	return self ? self->host_private : NULL;
}

/* ---- registration ---- */

static int
reg(struct spend_plugin *self, enum kind k, const void *vt, unsigned version,
    unsigned want, const char *name, bool have_fn)
{
	struct plugin *p = plugin_of(self);
	struct plugins *pl;

	if (p == NULL || (pl = p->owner) == NULL || pl->loading != p) {
		log_warnx("plugin %s: register_%s outside spend_plugin_init: "
		    "refused", p ? p->name : "?", plugin_kind_names[k]);
		return -1;
	}
	if (vt == NULL || !have_fn) {
		log_warnx("plugin %s: register_%s: no vtable or no function",
		    p->name, plugin_kind_names[k]);
		return -1;
	}
	if (version != want) {
		log_warnx("plugin %s: %s vtable version %u unknown (spendd "
		    "knows %u): refused", p->name, plugin_kind_names[k],
		    version, want);
		return -1;
	}
	if (!plugin_name_ok(name)) {
		log_warnx("plugin %s: %s name \"%.64s\": use 1 to %d of "
		    "A-Z a-z 0-9 _ -", p->name, plugin_kind_names[k],
		    name ? name : "", PLUGIN_NAME_MAX);
		return -1;
	}
	for (size_t i = 0; i < pl->nvts; i++)
		if (pl->vts[i].kind == k && !strcmp(pl->vts[i].name, name)) {
			log_warnx("plugin %s: %s \"%s\" is already provided by "
			    "plugin %s: refused", p->name,
			    plugin_kind_names[k], name, pl->vts[i].p->name);
			return -1;
		}
	if (pl->nvts == pl->capvts) {
		size_t cap = pl->capvts ? pl->capvts * 2 : 16;
		struct vtent *v = reallocarray(pl->vts, cap, sizeof(*v));

		if (v == NULL)
			fatal("realloc");
		pl->vts = v;
		pl->capvts = cap;
	}
	pl->vts[pl->nvts++] = (struct vtent){ k, name, vt, p };
	return 0;
}

static int
reg_importer(struct spend_plugin *self, const struct spend_importer *vt)
{
	return reg(self, K_IMPORTER, vt, vt ? vt->version : 0,
	    SPEND_IMPORTER_V1, vt ? vt->name : NULL, vt && vt->run);
}

static int
reg_exporter(struct spend_plugin *self, const struct spend_exporter *vt)
{
	return reg(self, K_EXPORTER, vt, vt ? vt->version : 0,
	    SPEND_EXPORTER_V1, vt ? vt->name : NULL, vt && vt->run);
}

static int
reg_report(struct spend_plugin *self, const struct spend_report *vt)
{
	return reg(self, K_REPORT, vt, vt ? vt->version : 0, SPEND_REPORT_V1,
	    vt ? vt->name : NULL, vt && vt->run);
}

static int
reg_notifier(struct spend_plugin *self, const struct spend_notifier *vt)
{
	/* V1: notify(); V2 (deliveries with an outcome): deliver() */
	if (vt && vt->version == SPEND_NOTIFIER_V2)
		return reg(self, K_NOTIFIER, vt, vt->version,
		    SPEND_NOTIFIER_V2, vt->name, vt->deliver != NULL);
	return reg(self, K_NOTIFIER, vt, vt ? vt->version : 0,
	    SPEND_NOTIFIER_V1, vt ? vt->name : NULL, vt && vt->notify);
}

void
plugin_unregister(struct plugins *pl, struct plugin *p)
{
	size_t o = 0;

	for (size_t i = 0; i < pl->nvts; i++)
		if (pl->vts[i].p != p)
			pl->vts[o++] = pl->vts[i];
	pl->nvts = o;
}

/* ---- the rest of the host API ---- */

static void
api_log(struct spend_plugin *self, enum spend_log_level level,
    const char *fmt, ...)
{
	struct plugin *p = plugin_of(self);
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	switch (level) {
	case SPEND_LOG_DEBUG:
		log_debug("plugin %s: %s", p ? p->name : "?", msg);
		break;
	case SPEND_LOG_INFO:
		log_info("plugin %s: %s", p ? p->name : "?", msg);
		break;
	default:
		log_warnx("plugin %s: %s", p ? p->name : "?", msg);
		break;
	}
}

static const char *
api_config_get(struct spend_plugin *self, const char *key)
{
	struct plugin *p = plugin_of(self);

	for (size_t i = 0; p && key && i < p->nconf; i++)
		if (!strcmp(p->ckeys[i], key))
			return p->cvals[i];
	return NULL;
}

static int
api_currency_exponent(const char *code)
{
	const struct currency *c = code ? money_currency(code) : NULL;

	return c ? c->exponent : -1;
}

static int
api_money_parse(const char *text, const char *currency, int decimal_comma,
    int64_t *minor, char *errbuf, size_t errlen)
{
	struct spend_err err;
	int e = api_currency_exponent(currency);

	if (errlen)
		errbuf[0] = '\0';
	if (e < 0) {
		if (errlen)
			snprintf(errbuf, errlen, "currency \"%.8s\": not an "
			    "ISO 4217 code", currency ? currency : "");
		return -1;
	}
	if (text == NULL || money_parse(text, e, decimal_comma != 0, minor,
	    &err) < 0) {
		if (errlen)
			snprintf(errbuf, errlen, "%s", text ? err.msg :
			    "no amount");
		return -1;
	}
	return 0;
}

static int
api_money_format(int64_t minor, const char *currency, char *buf, size_t len)
{
	int e = api_currency_exponent(currency);

	return e < 0 ? -1 : money_format(minor, e, buf, len);
}

static int
api_date_valid(const char *date)
{
	return date != NULL && date_valid(date);
}

static struct event_base *
api_event_base(struct spend_plugin *self)
{
	struct plugin *p = plugin_of(self);

	return p && p->owner ? p->owner->sd->base : NULL;
}

static const struct spend_host_api host_api = {
	.size = sizeof(struct spend_host_api),
	.abi = SPEND_PLUGIN_ABI,
	.host_version = SPEND_VERSION,
	.register_importer = reg_importer,
	.register_exporter = reg_exporter,
	.register_report = reg_report,
	.register_notifier = reg_notifier,
	.log = api_log,
	.config_get = api_config_get,
	.currency_exponent = api_currency_exponent,
	.money_parse = api_money_parse,
	.money_format = api_money_format,
	.date_valid = api_date_valid,
	.event_base = api_event_base,
	.import_read = import_api_read,
	.import_option = import_api_option,
	.import_emit = import_api_emit,
	.import_error = import_api_error,
	.import_skip = import_api_skip,
	.export_next = export_api_next,
	.export_rewind = export_api_rewind,
	.export_write = export_api_write,
	.export_info = export_api_info,
	.export_totals = export_api_totals,
	.export_error = export_api_error,
	.report_param = report_api_param,
	.report_totals = report_api_totals,
	.report_error = report_api_error,
	.delivery_done = notify_api_delivery_done,
	.http_request = notify_api_http_request,
	.mail_send = notify_api_mail_send,
	.hmac_sha256 = notify_api_hmac_sha256,
	.report_base_currency = report_api_base_currency,
	.report_today = report_api_today,
	.report_params_only = report_api_params_only,
	.report_error_field = report_api_error_field,
	.report_cells = report_api_cells,
	.export_cells = export_api_cells,
	.report_upcoming = report_api_upcoming,
	.report_budget_status = report_api_budget_status,
	.import_emit_split = import_api_emit_split,
	.export_parts = export_api_parts,
};

const struct spend_host_api *
plugins_host_api(void)
{
	return &host_api;
}
