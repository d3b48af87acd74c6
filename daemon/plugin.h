/*
 * The plugin host: loads the .so files of [plugins] dir (or only those
 * named in [plugins] load), refuses unsafe files and ABI mismatches, keeps
 * the registry of importers, exporters, reports and notifiers by name and
 * implements struct spend_host_api (the job parts are in import.c,
 * export.c and report.c). plugin_load.c loads, plugin_host.c is the host
 * API and plugin.c the registry (plugin_internal.h).
 *
 * Threads: loading, unloading, plugins_json and plugins_notify run on the
 * event loop. The registry does not change between plugins_load and
 * plugins_unload, so the lookups may be used from worker threads; the
 * pointers they return stay valid until plugins_unload, which must come
 * after the workers have stopped.
 */
#ifndef SPEND_DAEMON_PLUGIN_H
#define SPEND_DAEMON_PLUGIN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "spend/plugin.h"

struct spendd;
struct spend_err;

#define PLUGIN_NAME_MAX 63	/* file stem and vtable names */

/* Load the plugins sd->cfg asks for and log what happened to each. Never
 * fails the daemon: refused and failed plugins are skipped and listed by
 * plugin.list with the reason. Call once, after the store opened. */
void plugins_load(struct spendd *sd);

/* Run init as if it came from a file named name.so (built-in plugins and
 * unit tests: an in-test plugin without a .so). 0, or -1 if init failed
 * (the plugin is then listed as failed). */
int plugins_add_static(struct spendd *sd, const char *name,
    spend_plugin_init_fn init);

/* Call every plugin's free_func, newest first, and dlclose it; frees the
 * registry. No job may be running (stop the workers first). */
void plugins_unload(struct spendd *sd);

/* A registered vtable by name, or NULL; *self (may be NULL) gets the
 * plugin to pass to its functions. Any thread (see above). */
const struct spend_importer *plugins_importer(struct spendd *sd,
    const char *name, struct spend_plugin **self);
const struct spend_exporter *plugins_exporter(struct spendd *sd,
    const char *name, struct spend_plugin **self);
const struct spend_report *plugins_report(struct spendd *sd,
    const char *name, struct spend_plugin **self);
/* The i-th importer in load order (format detection), NULL past the end. */
const struct spend_importer *plugins_importer_at(struct spendd *sd,
    size_t i, struct spend_plugin **self);
/* "csv, ofx, qif": the registered names of a kind ("importer",
 * "exporter", "report", "notifier") for error messages; "none" if empty. */
void plugins_names(struct spendd *sd, const char *kind, char *buf,
    size_t len);
/* The error for a name with no vtable of that kind: SPEND_EINVAL, field
 * set, "no exporter \"pdf\" (have: csv, json)". Returns SPEND_EINVAL. */
int plugins_unknown(struct spendd *sd, const char *kind, const char *name,
    const char *field, struct spend_err *err);

/* The plugin.list result: an array (new reference) with name, state
 * ("loaded", "failed", "refused"), version, description, kind ("importer,
 * exporter") and what each vtable provides; admin adds file and reason. */
json_t *plugins_json(struct spendd *sd, bool admin);

/* Tell every notifier about an event. details: a JSON object (borrowed).
 * Event loop thread only; notifiers must not block. */
void plugins_notify(struct spendd *sd, enum spend_event_type type,
    const char *user, json_t *details);

/* From now on, running import and export jobs fail at their next read,
 * emit, next or write ("spendd is shutting down") and roll back. Called
 * when a stop signal arrives; any thread. */
void plugins_cancel_jobs(struct spendd *sd);
bool plugins_cancelled(struct spendd *sd);

/* A notifier by name, or the i-th in load order (NULL past the end);
 * its version says which members it has (SPEND_NOTIFIER_V1 or _V2). */
const struct spend_notifier *plugins_notifier(struct spendd *sd,
    const char *name, struct spend_plugin **self);
const struct spend_notifier *plugins_notifier_at(struct spendd *sd,
    size_t i, struct spend_plugin **self);

/* The table every plugin gets (static storage). */
const struct spend_host_api *plugins_host_api(void);

#endif
