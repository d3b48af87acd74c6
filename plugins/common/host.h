/*
 * The check every plugin's spend_plugin_init starts with: the host speaks
 * this plugin's ABI and its API struct reaches the member the plugin
 * needs (what SPEND_HOST_HAS() tests).
 *
 *	if (plugin_host_check(host, self, PLUGIN_HOST_NEEDS(import_error),
 *	    NULL) < 0)
 *		return -1;
 *
 * Header only (static inline): nothing to link, nothing exported.
 */
#ifndef SPEND_PLUGIN_HOST_H
#define SPEND_PLUGIN_HOST_H

#include <stddef.h>

#include "spend/plugin.h"

/* The bytes of struct spend_host_api a plugin using member m needs. */
#define PLUGIN_HOST_NEEDS(m) (offsetof(struct spend_host_api, m) + \
	sizeof(((const struct spend_host_api *)0)->m))

/*
 * 0, or -1 if the host speaks another ABI (not logged: spendd says so
 * before init) or its API is shorter than need bytes: then logs too_old,
 * or if that is NULL "spendd VERSION is too old for this plugin".
 */
static inline int
plugin_host_check(const struct spend_host_api *h, struct spend_plugin *self,
    size_t need, const char *too_old)
{
	if (h->abi != SPEND_PLUGIN_ABI)
		return -1;
	if (h->size >= need)
		return 0;
	if (too_old != NULL)
		h->log(self, SPEND_LOG_WARN, "%s", too_old);
	else
		h->log(self, SPEND_LOG_WARN, "spendd %s is too old for this "
		    "plugin", h->host_version);
	return -1;
}

#endif
