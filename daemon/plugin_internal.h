/*
 * What the three files of the plugin host share (daemon only, not a
 * plugin's business): the registry's structures and the few functions one
 * file calls in another.
 *
 *	plugin_load.c	files and directories checked, dlopen, the ABI,
 *			refusals, init, built-in plugins, unloading
 *	plugin_host.c	struct spend_host_api: register_*, log, config_get,
 *			money and dates (the job parts: import.c, export.c)
 *	plugin.c	the registry: lookups, plugin.list, notify,
 *			cancelling jobs
 *
 * Threads: as plugin.h says. The registry (struct plugins) is built on
 * the event loop while plugins load and only read afterwards.
 */
#ifndef SPEND_DAEMON_PLUGIN_INTERNAL_H
#define SPEND_DAEMON_PLUGIN_INTERNAL_H

#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "plugin.h"

struct spendd;

enum kind { K_IMPORTER, K_EXPORTER, K_REPORT, K_NOTIFIER, K_N };

/* "importer", "exporter", "report", "notifier": by enum kind. */
extern const char *const plugin_kind_names[K_N];

enum pstate { P_LOADED, P_FAILED, P_REFUSED };

struct plugin {
	struct spend_plugin pub;	/* pub.host_private points here */
	struct plugins *owner;
	struct plugin *next;		/* load order */
	char name[PLUGIN_NAME_MAX + 1];
	char file[PATH_MAX];		/* "" for static plugins */
	enum pstate state;
	char reason[256];
	char version[32];		/* host copies: they outlive dlclose */
	char description[128];
	void *dl;
	char **ckeys, **cvals;		/* snapshot of [plugin NAME] */
	size_t nconf;
};

struct vtent {
	enum kind kind;
	const char *name;		/* the vtable's own */
	const void *vt;
	struct plugin *p;
};

struct plugins {
	struct spendd *sd;
	struct plugin *head, *tail;
	struct vtent *vts;
	size_t nvts, capvts;
	struct plugin *loading;		/* inside its init */
	atomic_bool cancel;
};

/* 1 to PLUGIN_NAME_MAX of A-Z a-z 0-9 _ - (file stems, vtable names). */
bool plugin_name_ok(const char *s);
/* Forget what p registered (its init failed). */
void plugin_unregister(struct plugins *pl, struct plugin *p);

#endif
