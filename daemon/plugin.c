/*
 * The plugin registry: vtables by kind and name, plugin.list, notifying
 * notifiers, cancelling running jobs. Loading is plugin_load.c's, the
 * host API plugin_host.c's. See plugin.h and plugin_internal.h.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "handlers.h"
#include "jsonp.h"
#include "plugin.h"
#include "plugin_internal.h"
#include "spendd.h"
#include "util.h"

const char *const plugin_kind_names[K_N] = { "importer", "exporter",
	"report", "notifier" };

static const char *const state_names[] = { "loaded", "failed", "refused" };

bool
plugin_name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > PLUGIN_NAME_MAX)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

static const void *
lookup(struct spendd *sd, enum kind k, const char *name,
    struct spend_plugin **self)
{
	struct plugins *pl = sd->plugins;

	if (pl != NULL && name != NULL)
		for (size_t i = 0; i < pl->nvts; i++)
			if (pl->vts[i].kind == k &&
			    !strcmp(pl->vts[i].name, name)) {
				if (self)
					*self = &pl->vts[i].p->pub;
				return pl->vts[i].vt;
			}
	return NULL;
}

const struct spend_importer *
plugins_importer(struct spendd *sd, const char *name,
    struct spend_plugin **self)
{
	return lookup(sd, K_IMPORTER, name, self);
}

const struct spend_exporter *
plugins_exporter(struct spendd *sd, const char *name,
    struct spend_plugin **self)
{
	return lookup(sd, K_EXPORTER, name, self);
}

const struct spend_report *
plugins_report(struct spendd *sd, const char *name,
    struct spend_plugin **self)
{
	return lookup(sd, K_REPORT, name, self);
}

const struct spend_importer *
plugins_importer_at(struct spendd *sd, size_t i, struct spend_plugin **self)
{
	struct plugins *pl = sd->plugins;

	if (pl == NULL)
		return NULL;
	for (size_t k = 0; k < pl->nvts; k++)
		if (pl->vts[k].kind == K_IMPORTER && i-- == 0) {
			if (self)
				*self = &pl->vts[k].p->pub;
			return pl->vts[k].vt;
		}
	return NULL;
}

void
plugins_names(struct spendd *sd, const char *kind, char *buf, size_t len)
{
	struct plugins *pl = sd->plugins;

	buf[0] = '\0';
	for (size_t i = 0; pl && i < pl->nvts; i++) {
		if (strcmp(plugin_kind_names[pl->vts[i].kind], kind))
			continue;
		if (buf[0])
			strlcat(buf, ", ", len);
		strlcat(buf, pl->vts[i].name, len);
	}
	if (buf[0] == '\0')
		strlcpy(buf, "none", len);
}

int
plugins_unknown(struct spendd *sd, const char *kind, const char *name,
    const char *field, struct spend_err *err)
{
	char have[256];

	plugins_names(sd, kind, have, sizeof(have));
	return spend_errf(err, SPEND_EINVAL, field, "no %s \"%s\" (have: %s)",
	    kind, name, have);
}

/* ---- jobs, events, listing ---- */

void
plugins_cancel_jobs(struct spendd *sd)
{
	if (sd->plugins)
		atomic_store(&sd->plugins->cancel, true);
}

bool
plugins_cancelled(struct spendd *sd)
{
	return sd->plugins && atomic_load(&sd->plugins->cancel);
}

void
plugins_notify(struct spendd *sd, enum spend_event_type type,
    const char *user, json_t *details)
{
	struct plugins *pl = sd->plugins;
	struct spend_event ev;
	char *text = NULL;

	if (pl == NULL)
		return;
	for (size_t i = 0; i < pl->nvts; i++) {
		const struct spend_notifier *vt = pl->vts[i].vt;

		if (pl->vts[i].kind != K_NOTIFIER || vt->notify == NULL)
			continue;
		if (text == NULL && (text = json_dumps(details ? details :
		    json_object(), JSON_COMPACT)) == NULL)
			return;
		ev.type = type;
		ev.user = user ? user : "";
		ev.json = text;
		vt->notify(&pl->vts[i].p->pub, &ev);
	}
	free(text);
}

static json_t *
provides_json(struct plugins *pl, struct plugin *p, char *kinds, size_t len)
{
	json_t *arr = json_array();

	kinds[0] = '\0';
	for (size_t i = 0; i < pl->nvts; i++) {
		const struct vtent *v = &pl->vts[i];
		json_t *o;

		if (v->p != p)
			continue;
		o = jp_pack("{s:s, s:s}", "kind", plugin_kind_names[v->kind],
		    "name", v->name);
		switch (v->kind) {
		case K_IMPORTER: {
			const struct spend_importer *im = v->vt;

			json_object_set_new(o, "description", json_string(
			    im->description ? im->description : ""));
			json_object_set_new(o, "extensions", json_string(
			    im->extensions ? im->extensions : ""));
			break;
		}
		case K_EXPORTER: {
			const struct spend_exporter *ex = v->vt;

			json_object_set_new(o, "description", json_string(
			    ex->description ? ex->description : ""));
			json_object_set_new(o, "mime_type", json_string(
			    ex->mime_type ? ex->mime_type : ""));
			json_object_set_new(o, "extension", json_string(
			    ex->extension ? ex->extension : ""));
			break;
		}
		case K_REPORT:
			json_object_set_new(o, "description", json_string(
			    ((const struct spend_report *)v->vt)->description ?
			    ((const struct spend_report *)v->vt)->description :
			    ""));
			break;
		case K_NOTIFIER:
			json_object_set_new(o, "description", json_string(
			    ((const struct spend_notifier *)v->vt)->description ?
			    ((const struct spend_notifier *)v->vt)->description :
			    ""));
			break;
		case K_N:
			break;
		}
		json_array_append_new(arr, o);
		if (!strstr(kinds, plugin_kind_names[v->kind])) {
			if (kinds[0])
				strlcat(kinds, ",", len);
			strlcat(kinds, plugin_kind_names[v->kind], len);
		}
	}
	return arr;
}

json_t *
plugins_json(struct spendd *sd, bool admin)
{
	struct plugins *pl = sd->plugins;
	json_t *arr = json_array();

	for (struct plugin *p = pl ? pl->head : NULL; p; p = p->next) {
		char kinds[64];
		json_t *prov = provides_json(pl, p, kinds, sizeof(kinds));
		json_t *o;

		/* plugin text is not ours: json_string refuses bad UTF-8 */
		o = jp_pack("{s:s, s:s, s:s, s:s, s:o}", "name", p->name,
		    "state", state_names[p->state], "kind", kinds, "version",
		    utf8_valid(p->version, strlen(p->version)) ? p->version : "",
		    "provides", prov);
		json_object_set_new(o, "description", json_string(
		    utf8_valid(p->description, strlen(p->description)) ?
		    p->description : ""));
		if (admin) {
			json_object_set_new(o, "file", json_string(p->file[0] ?
			    p->file : "(built in)"));
			if (p->state != P_LOADED)
				json_object_set_new(o, "reason",
				    json_string(p->reason));
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

int
h_plugin_list(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	/* file paths and refusal reasons are for administrators */
	*res = jp_pack("{s:o}", "plugins", plugins_json(c->sd,
	    c->id.role >= ROLE_ADMIN));
	return 0;
}

const struct spend_notifier *
plugins_notifier(struct spendd *sd, const char *name,
    struct spend_plugin **self)
{
	return lookup(sd, K_NOTIFIER, name, self);
}

const struct spend_notifier *
plugins_notifier_at(struct spendd *sd, size_t i, struct spend_plugin **self)
{
	struct plugins *pl = sd->plugins;

	for (size_t k = 0; pl && k < pl->nvts; k++)
		if (pl->vts[k].kind == K_NOTIFIER && i-- == 0) {
			if (self)
				*self = &pl->vts[k].p->pub;
			return pl->vts[k].vt;
		}
	return NULL;
}
