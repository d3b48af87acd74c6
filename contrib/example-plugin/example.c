/*
 * An example Spend plugin, built out of tree (see Makefile):
 *
 *   importer "simple": one expense per line, "DATE AMOUNT CATEGORY [NOTE]",
 *   fields separated by blanks, '#' starts a comment line:
 *
 *	# groceries
 *	2024-03-01 12.50 food Market
 *	2024-03-02 -3 food refund
 *
 *   notifier "log-imports": logs every finished import.
 *
 * Configuration, in spendd.conf:
 *
 *	[plugin example]
 *	tag = imported		; a tag for every imported row (optional)
 */
#define _POSIX_C_SOURCE 200809L	/* strtok_r */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spend/plugin.h>

#define LINE_MAX_LEN 1024

SPEND_PLUGIN_DECLARE;

static const struct spend_host_api *host;

struct example {
	char tag[33];		/* "" = none */
};

/* One line, NUL-terminated and writable: split it and hand it over. */
static int
emit(struct spend_plugin *self, struct spend_import *job, char *line,
    size_t lineno)
{
	struct example *ex = self->data;
	const char *tags[1] = { ex->tag };
	struct spend_record r;
	char *save = NULL, *note;

	line[strcspn(line, "\r")] = '\0';
	line += strspn(line, " \t");
	if (*line == '\0' || *line == '#')
		return 0;
	memset(&r, 0, sizeof(r));
	r.line = lineno;
	r.date = strtok_r(line, " \t", &save);
	r.amount = strtok_r(NULL, " \t", &save);
	r.category = strtok_r(NULL, " \t", &save);
	if (r.amount == NULL || r.category == NULL) {
		host->import_error(job, lineno, r.amount ? "category" : "amount",
		    "expected DATE AMOUNT CATEGORY [NOTE]");
		return -1;
	}
	if ((note = strtok_r(NULL, "", &save)) != NULL)
		r.note = note + strspn(note, " \t");
	if (ex->tag[0]) {
		r.tags = tags;
		r.ntags = 1;
	}
	/* the host validates date, amount and category, and de-duplicates */
	return host->import_emit(job, &r);
}

static int
simple_run(struct spend_plugin *self, struct spend_import *job)
{
	char buf[4096], line[LINE_MAX_LEN + 1];
	size_t len = 0, lineno = 1;
	long n;

	/* stream: memory stays bounded whatever the file's size */
	while ((n = host->import_read(job, buf, sizeof(buf))) > 0) {
		for (long i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (len == LINE_MAX_LEN) {
					host->import_error(job, lineno, NULL,
					    "line longer than %d bytes",
					    LINE_MAX_LEN);
					return -1;
				}
				line[len++] = buf[i];
				continue;
			}
			line[len] = '\0';
			if (emit(self, job, line, lineno) < 0)
				return -1;
			len = 0;
			lineno++;
		}
	}
	if (n < 0)
		return -1;
	line[len] = '\0';
	return emit(self, job, line, lineno) < 0 ? -1 : 0;
}

static void
log_imports(struct spend_plugin *self, const struct spend_event *ev)
{
	/* the event loop's thread: only quick work here */
	if (ev->type == SPEND_EVENT_IMPORT_DONE)
		host->log(self, SPEND_LOG_INFO, "import done for %s: %s",
		    ev->user, ev->json);
}

static const struct spend_importer simple = {
	.version = SPEND_IMPORTER_V1,
	.name = "simple",
	.description = "DATE AMOUNT CATEGORY [NOTE] lines",
	.extensions = "simple",
	.run = simple_run,
};

static const struct spend_notifier logger = {
	.version = SPEND_NOTIFIER_V1,
	.name = "log-imports",
	.description = "logs every finished import",
	.notify = log_imports,
};

static void
example_free(struct spend_plugin *self)
{
	free(self->data);
	self->data = NULL;
}

SPEND_PLUGIN_EXPORT int
spend_plugin_init(const struct spend_host_api *h, struct spend_plugin *self)
{
	struct example *ex;
	const char *tag;

	if (h->abi != SPEND_PLUGIN_ABI ||
	    !SPEND_HOST_HAS(h, import_error))
		return -1;
	host = h;
	self->version = "1.0";
	self->description = "example importer and notifier";
	if ((ex = calloc(1, sizeof(*ex))) == NULL)
		return -1;
	self->data = ex;
	self->free_func = example_free;
	if ((tag = h->config_get(self, "tag")) != NULL) {
		if (strlen(tag) >= sizeof(ex->tag)) {
			h->log(self, SPEND_LOG_WARN, "tag \"%s\" is too long",
			    tag);
			return -1;
		}
		snprintf(ex->tag, sizeof(ex->tag), "%s", tag);
	}
	if (h->register_importer(self, &simple) < 0 ||
	    h->register_notifier(self, &logger) < 0)
		return -1;
	return 0;
}
