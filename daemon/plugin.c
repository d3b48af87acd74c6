/* The plugin host: loader, registry, host API, plugin.list. */
#include <sys/stat.h>

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "export.h"
#include "handlers.h"
#include "import.h"
#include "jsonp.h"
#include "log.h"
#include "money.h"
#include "notify.h"
#include "plugin.h"
#include "spendd.h"
#include "util.h"

enum kind { K_IMPORTER, K_EXPORTER, K_REPORT, K_NOTIFIER, K_N };

static const char *const kind_names[K_N] = { "importer", "exporter",
	"report", "notifier" };

enum pstate { P_LOADED, P_FAILED, P_REFUSED };

static const char *const state_names[] = { "loaded", "failed", "refused" };

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

static struct plugins *
registry(struct spendd *sd)
{
	if (sd->plugins == NULL) {
		if ((sd->plugins = calloc(1, sizeof(*sd->plugins))) == NULL)
			fatal("calloc");
		sd->plugins->sd = sd;
		atomic_init(&sd->plugins->cancel, false);
	}
	return sd->plugins;
}

static struct plugin *
plugin_of(struct spend_plugin *self)
{
	return self ? self->host_private : NULL;
}

/* ---- registration ---- */

static bool
name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > PLUGIN_NAME_MAX)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

static int
reg(struct spend_plugin *self, enum kind k, const void *vt, unsigned version,
    unsigned want, const char *name, bool have_fn)
{
	struct plugin *p = plugin_of(self);
	struct plugins *pl;

	if (p == NULL || (pl = p->owner) == NULL || pl->loading != p) {
		log_warnx("plugin %s: register_%s outside spend_plugin_init: "
		    "refused", p ? p->name : "?", kind_names[k]);
		return -1;
	}
	if (vt == NULL || !have_fn) {
		log_warnx("plugin %s: register_%s: no vtable or no function",
		    p->name, kind_names[k]);
		return -1;
	}
	if (version != want) {
		log_warnx("plugin %s: %s vtable version %u unknown (spendd "
		    "knows %u): refused", p->name, kind_names[k], version, want);
		return -1;
	}
	if (!name_ok(name)) {
		log_warnx("plugin %s: %s name \"%.64s\": use 1 to %d of "
		    "A-Z a-z 0-9 _ -", p->name, kind_names[k], name ? name : "",
		    PLUGIN_NAME_MAX);
		return -1;
	}
	for (size_t i = 0; i < pl->nvts; i++)
		if (pl->vts[i].kind == k && !strcmp(pl->vts[i].name, name)) {
			log_warnx("plugin %s: %s \"%s\" is already provided by "
			    "plugin %s: refused", p->name, kind_names[k], name,
			    pl->vts[i].p->name);
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

/* Forget what a plugin registered (its init failed). */
static void
unregister(struct plugins *pl, struct plugin *p)
{
	size_t o = 0;

	for (size_t i = 0; i < pl->nvts; i++)
		if (pl->vts[i].p != p)
			pl->vts[o++] = pl->vts[i];
	pl->nvts = o;
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
		if (strcmp(kind_names[pl->vts[i].kind], kind))
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
};

const struct spend_host_api *
plugins_host_api(void)
{
	return &host_api;
}

/* ---- loading ---- */

static struct plugin *
plugin_find(struct plugins *pl, const char *name)
{
	for (struct plugin *p = pl->head; p; p = p->next)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

static struct plugin *
plugin_new(struct plugins *pl, const char *name, const char *file)
{
	struct plugin *p = calloc(1, sizeof(*p));

	if (p == NULL)
		fatal("calloc");
	p->owner = pl;
	strlcpy(p->name, name, sizeof(p->name));
	strlcpy(p->file, file, sizeof(p->file));
	p->pub.size = sizeof(p->pub);
	p->pub.name = p->name;
	p->pub.host_private = p;
	if (pl->tail)
		pl->tail->next = p;
	else
		pl->head = p;
	pl->tail = p;
	return p;
}

static void
refuse(struct plugin *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
refuse(struct plugin *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
	p->state = P_REFUSED;
	log_warnx("plugin %s: refused: %s", p->file[0] ? p->file : p->name,
	    p->reason);
}

/* Copy the plugin's [plugin NAME] section: plugins may read it from any
 * thread, and a reload must not free it under them. */
static void
snapshot_config(struct plugin *p, const struct config *cfg)
{
	const struct config_section *s = config_plugin_section(cfg, p->name);

	if (s == NULL || s->n == 0)
		return;
	if ((p->ckeys = calloc(s->n, sizeof(char *))) == NULL ||
	    (p->cvals = calloc(s->n, sizeof(char *))) == NULL)
		fatal("calloc");
	for (size_t i = 0; i < s->n; i++) {
		if ((p->ckeys[i] = strdup(s->keys[i])) == NULL ||
		    (p->cvals[i] = strdup(s->values[i])) == NULL)
			fatal("strdup");
		p->nconf++;
	}
}

static void
describe_loaded(struct plugin *p)
{
	struct plugins *pl = p->owner;
	char what[256] = "";

	for (size_t i = 0; i < pl->nvts; i++) {
		char one[96];

		if (pl->vts[i].p != p)
			continue;
		snprintf(one, sizeof(one), "%s%s %s", what[0] ? ", " : "",
		    kind_names[pl->vts[i].kind], pl->vts[i].name);
		strlcat(what, one, sizeof(what));
	}
	log_info("plugin %s %s loaded: %s", p->name,
	    p->version[0] ? p->version : "(no version)",
	    what[0] ? what : "registers nothing");
}

static void
dl_unload(struct plugin *p)
{
	if (p->pub.free_func)
		p->pub.free_func(&p->pub);
	p->pub.free_func = NULL;
	p->pub.data = NULL;
	if (p->dl && dlclose(p->dl) != 0)
		log_warnx("plugin %s: dlclose: %s", p->name, dlerror());
	p->dl = NULL;
}

/* Call init with the registry open for p's registrations. */
static int
run_init(struct plugin *p, spend_plugin_init_fn init)
{
	struct plugins *pl = p->owner;
	int r;

	snapshot_config(p, &pl->sd->cfg);
	pl->loading = p;
	r = init(&host_api, &p->pub);
	pl->loading = NULL;
	if (p->pub.version)
		strlcpy(p->version, p->pub.version, sizeof(p->version));
	if (p->pub.description)
		strlcpy(p->description, p->pub.description,
		    sizeof(p->description));
	if (r != 0) {
		unregister(pl, p);
		p->state = P_FAILED;
		snprintf(p->reason, sizeof(p->reason), "spend_plugin_init "
		    "returned %d", r);
		log_warnx("plugin %s: init failed (returned %d): skipped",
		    p->name, r);
		return -1;
	}
	p->state = P_LOADED;
	describe_loaded(p);
	return 0;
}

/* Is the file (open as fd) one we may run? Root or our own user must own
 * it and nobody else may write it. */
static bool
file_safe(struct plugin *p, int fd, struct stat *sb)
{
	uid_t me = geteuid();

	if (fstat(fd, sb) < 0) {
		refuse(p, "fstat: %s", strerror(errno));
		return false;
	}
	if (!S_ISREG(sb->st_mode)) {
		refuse(p, "not a regular file");
		return false;
	}
	if (sb->st_mode & S_IWOTH) {
		refuse(p, "world-writable (mode %04o)",
		    (unsigned)(sb->st_mode & 07777));
		return false;
	}
	if (sb->st_uid != 0 && sb->st_uid != me) {
		refuse(p, "owned by uid %u, not by root or spendd's uid %u",
		    (unsigned)sb->st_uid, (unsigned)me);
		return false;
	}
	return true;
}

static void
load_file(struct plugins *pl, const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct plugin *p;
	struct stat sb, sb2;
	spend_plugin_init_fn init;
	const unsigned *abi;
	int fd;

	snprintf(path, sizeof(path), "%s/%s.so", dir, name);
	if (plugin_find(pl, name) != NULL) {
		log_warnx("plugin %s: listed twice in [plugins] load: loaded "
		    "once", name);
		return;
	}
	p = plugin_new(pl, name, path);
	if (!name_ok(name)) {
		refuse(p, "file name: use A-Z a-z 0-9 _ - before .so");
		return;
	}
	if (lstat(path, &sb) < 0) {
		refuse(p, "%s", errno == ENOENT ? "no such file" :
		    strerror(errno));
		return;
	}
	if (S_ISLNK(sb.st_mode)) {
		refuse(p, "a symbolic link");
		return;
	}
	/* O_NONBLOCK: a FIFO must not hang the daemon; it is refused next */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		refuse(p, "open: %s", strerror(errno));
		return;
	}
	if (!file_safe(p, fd, &sb)) {
		close(fd);
		return;
	}
	close(fd);
	if ((p->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		refuse(p, "dlopen: %s", dlerror());
		return;
	}
	/* The directory is safe (checked), so only spendd's own user or
	 * root could swap the file; still, load what was checked. */
	if (stat(path, &sb2) < 0 || sb2.st_dev != sb.st_dev ||
	    sb2.st_ino != sb.st_ino) {
		dlclose(p->dl);
		p->dl = NULL;
		refuse(p, "the file changed while it was loaded");
		return;
	}
	abi = dlsym(p->dl, SPEND_PLUGIN_ABI_SYMBOL);
	if (abi != NULL && *abi != SPEND_PLUGIN_ABI) {
		unsigned theirs = *abi;	/* gone after dlclose */

		dlclose(p->dl);
		p->dl = NULL;
		refuse(p, "built for plugin ABI %u, spendd speaks ABI %u: "
		    "rebuild it against this spendd's <spend/plugin.h>", theirs,
		    SPEND_PLUGIN_ABI);
		return;
	}
	*(void **)&init = dlsym(p->dl, SPEND_PLUGIN_ENTRY);
	if (init == NULL) {
		dlclose(p->dl);
		p->dl = NULL;
		refuse(p, "no %s symbol: not a Spend plugin (or not marked "
		    "SPEND_PLUGIN_EXPORT)", SPEND_PLUGIN_ENTRY);
		return;
	}
	if (abi == NULL)
		log_debug("plugin %s: no %s symbol (SPEND_PLUGIN_DECLARE): "
		    "trusting its init to check the ABI", name,
		    SPEND_PLUGIN_ABI_SYMBOL);
	if (run_init(p, init) < 0)
		dl_unload(p);
}

/* The directory must not let others swap files in it. */
static bool
dir_safe(const char *dir)
{
	struct stat sb;
	uid_t me = geteuid();

	if (stat(dir, &sb) < 0) {
		if (errno == ENOENT)
			log_info("plugins: no directory %s: none loaded", dir);
		else
			log_warn("plugins: %s", dir);
		return false;
	}
	if (!S_ISDIR(sb.st_mode)) {
		log_warnx("plugins: %s is not a directory: none loaded", dir);
		return false;
	}
	if (sb.st_mode & S_IWOTH) {
		log_warnx("plugins: directory %s is world-writable (mode %04o):"
		    " none loaded", dir, (unsigned)(sb.st_mode & 07777));
		return false;
	}
	if (sb.st_uid != 0 && sb.st_uid != me) {
		log_warnx("plugins: directory %s is owned by uid %u, not by "
		    "root or spendd's uid %u: none loaded", dir,
		    (unsigned)sb.st_uid, (unsigned)me);
		return false;
	}
	return true;
}

static int
so_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 3 &&
	    strcmp(d->d_name + n - 3, ".so") == 0;
}

void
plugins_load(struct spendd *sd)
{
	struct plugins *pl = registry(sd);
	const char *dir = sd->cfg.plugin_dir;
	char list[sizeof(sd->cfg.plugin_load)];
	int loaded = 0;

	if (dir[0] == '\0' || !dir_safe(dir))
		return;
	strlcpy(list, sd->cfg.plugin_load, sizeof(list));
	if (list[0]) {
		/* only the listed names, in the listed order */
		char *save = NULL;

		for (char *w = strtok_r(list, " ,\t", &save); w;
		    w = strtok_r(NULL, " ,\t", &save)) {
			load_file(pl, dir, w);
			loaded++;
		}
	} else {
		struct dirent **ents;
		int n = scandir(dir, &ents, so_filter, alphasort);

		if (n < 0) {
			log_warn("plugins: %s", dir);
			return;
		}
		for (int i = 0; i < n; i++) {
			char name[256];

			strlcpy(name, ents[i]->d_name, sizeof(name));
			name[strlen(name) - 3] = '\0';
			load_file(pl, dir, name);
			free(ents[i]);
			loaded++;
		}
		free(ents);
	}
	if (loaded == 0)
		log_info("plugins: none in %s", dir);
}

int
plugins_add_static(struct spendd *sd, const char *name,
    spend_plugin_init_fn init)
{
	struct plugins *pl = registry(sd);
	struct plugin *p;

	if (plugin_find(pl, name) != NULL) {
		log_warnx("plugin %s: a plugin of that name is loaded already",
		    name);
		return -1;
	}
	p = plugin_new(pl, name, "");

	if (!name_ok(name)) {
		refuse(p, "bad name");
		return -1;
	}
	if (run_init(p, init) < 0) {
		dl_unload(p);
		return -1;
	}
	return 0;
}

void
plugins_unload(struct spendd *sd)
{
	struct plugins *pl = sd->plugins;
	struct plugin **all, *p;
	size_t n = 0;

	if (pl == NULL)
		return;
	for (p = pl->head; p; p = p->next)
		n++;
	if ((all = calloc(n + 1, sizeof(*all))) == NULL)
		fatal("calloc");
	n = 0;
	for (p = pl->head; p; p = p->next)
		all[n++] = p;
	pl->nvts = 0;		/* nothing may be looked up any more */
	while (n-- > 0) {
		p = all[n];
		dl_unload(p);
		for (size_t i = 0; i < p->nconf; i++) {
			free(p->ckeys[i]);
			free(p->cvals[i]);
		}
		free(p->ckeys);
		free(p->cvals);
		free(p);
	}
	free(all);
	free(pl->vts);
	free(pl);
	sd->plugins = NULL;
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
		o = jp_pack("{s:s, s:s}", "kind", kind_names[v->kind], "name",
		    v->name);
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
		if (!strstr(kinds, kind_names[v->kind])) {
			if (kinds[0])
				strlcat(kinds, ",", len);
			strlcat(kinds, kind_names[v->kind], len);
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
	static const char *const known[] = { NULL };

	if (jp_only(p, known, err) < 0)
		return SPEND_EINVAL;
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
