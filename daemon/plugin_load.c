/*
 * Loading plugins: the directory and each file checked before dlopen,
 * the ABI symbol, refusals with their reason, spend_plugin_init with the
 * registry open, built-in plugins, and unloading. See plugin.h.
 */
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
#include "log.h"
#include "plugin.h"
#include "plugin_internal.h"
#include "spendd.h"
#include "util.h"

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
		    plugin_kind_names[pl->vts[i].kind], pl->vts[i].name);
		strlcat(what, one, sizeof(what));
	}
	log_info("plugin %s %s loaded: %s", p->name,
	    p->version[0] ? p->version : "(no version)",
	    what[0] ? what : "registers nothing");
}

/*
 * Forget a plugin whose init ran. Its code stays mapped: the libraries it
 * pulled in may have left pointers into themselves in process-wide
 * state (libofx putenv()s strings of its own, others register exit
 * handlers or thread-local destructors), and unmapping them turned the
 * next getenv() at exit into a crash. Only a plugin refused before its
 * init is dlclose()d.
 */
static void
dl_unload(struct plugin *p)
{
	if (p->pub.free_func)
		p->pub.free_func(&p->pub);
	p->pub.free_func = NULL;
	p->pub.data = NULL;
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
	r = init(plugins_host_api(), &p->pub);
	pl->loading = NULL;
	if (p->pub.version)
		strlcpy(p->version, p->pub.version, sizeof(p->version));
	if (p->pub.description)
		strlcpy(p->description, p->pub.description,
		    sizeof(p->description));
	if (r != 0) {
		plugin_unregister(pl, p);
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
	if (!plugin_name_ok(name)) {
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

	if (!plugin_name_ok(name)) {
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
