/* The plugin host: registry, host API, loader refusals, plugin.list. */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "testutil.h"
#include "plugin.h"

/* ---- in-test plugins ---- */

static int imp_run(struct spend_plugin *self, struct spend_import *job)
{
	(void)self;
	(void)job;
	return 0;
}

static int exp_run(struct spend_plugin *self, struct spend_export *job)
{
	(void)self;
	(void)job;
	return 0;
}

static const struct spend_importer good_imp = { SPEND_IMPORTER_V1, "tst",
	"test importer", "tst,t", imp_run };
static const struct spend_exporter good_exp = { SPEND_EXPORTER_V1, "tst",
	"test exporter", "text/plain", "txt", exp_run };
static const struct spend_importer v9_imp = { 9, "future", "", "", imp_run };

static const struct spend_host_api *saved_host;
static struct spend_plugin *saved_self;
static const char *seen_key;
static int notified;
static char notified_json[256];

static int
init_good(const struct spend_host_api *host, struct spend_plugin *self)
{
	if (host->abi != SPEND_PLUGIN_ABI || host->size <
	    sizeof(struct spend_host_api))
		return -1;
	self->version = "1.2.3";
	self->description = "a test plugin";
	saved_host = host;
	saved_self = self;
	seen_key = host->config_get(self, "greeting");
	if (host->register_importer(self, &good_imp) < 0 ||
	    host->register_exporter(self, &good_exp) < 0)
		return -1;
	return 0;
}

static int freed;

static void
free_fn(struct spend_plugin *self)
{
	(void)self;
	freed++;
}

/* Registers, then fails: its registration must not survive. */
static int
init_fails(const struct spend_host_api *host, struct spend_plugin *self)
{
	static const struct spend_importer imp = { SPEND_IMPORTER_V1, "ghost",
		"", "", imp_run };

	self->free_func = free_fn;
	host->register_importer(self, &imp);
	return -1;
}

/* Takes a name another plugin has. */
static int
init_dup(const struct spend_host_api *host, struct spend_plugin *self)
{
	return host->register_importer(self, &good_imp) == -1 ? 0 : -1;
}

static int
init_v9(const struct spend_host_api *host, struct spend_plugin *self)
{
	return host->register_importer(self, &v9_imp) == -1 ? 0 : -1;
}

static void
notify(struct spend_plugin *self, const struct spend_event *ev)
{
	(void)self;
	notified++;
	assert_int_equal(ev->type, SPEND_EVENT_IMPORT_DONE);
	assert_string_equal(ev->user, "alice");
	snprintf(notified_json, sizeof(notified_json), "%s", ev->json);
}

static int
init_notifier(const struct spend_host_api *host, struct spend_plugin *self)
{
	/* designated: V2 added members at the end of the vtable */
	static const struct spend_notifier n = { .version = SPEND_NOTIFIER_V1,
		.name = "note", .description = "notes events", .notify = notify };

	return host->register_notifier(self, &n);
}

/* ---- tests ---- */

static json_t *
find(json_t *plugins, const char *name)
{
	size_t i;
	json_t *p;

	json_array_foreach(plugins, i, p)
		if (!strcmp(json_string_value(json_object_get(p, "name")), name))
			return p;
	return NULL;
}

static void
test_static_registry(void **state)
{
	struct spendd *sd = tu_spendd();
	struct spend_plugin *self = NULL;
	struct spend_err err;
	json_t *res, *p;
	char names[64];

	(void)state;
	assert_int_equal(config_set(&sd->cfg, "plugin good", "greeting",
	    "hello", &err), 0);
	assert_int_equal(plugins_add_static(sd, "good", init_good), 0);
	assert_non_null(seen_key);
	assert_string_equal(seen_key, "hello");
	assert_ptr_equal(plugins_importer(sd, "tst", &self), &good_imp);
	assert_ptr_equal(self, saved_self);
	assert_ptr_equal(plugins_exporter(sd, "tst", NULL), &good_exp);
	assert_null(plugins_importer(sd, "nope", NULL));
	assert_null(plugins_report(sd, "tst", NULL));
	plugins_names(sd, "importer", names, sizeof(names));
	assert_string_equal(names, "tst");
	plugins_names(sd, "report", names, sizeof(names));
	assert_string_equal(names, "none");

	/* failing init: listed as failed, its importer gone, free_func run */
	freed = 0;
	assert_int_equal(plugins_add_static(sd, "bad", init_fails), -1);
	assert_null(plugins_importer(sd, "ghost", NULL));
	assert_int_equal(freed, 1);
	/* a taken name and an unknown vtable version are refused */
	assert_int_equal(plugins_add_static(sd, "dup", init_dup), 0);
	assert_int_equal(plugins_add_static(sd, "v9", init_v9), 0);
	assert_null(plugins_importer(sd, "future", NULL));
	/* one plugin per name */
	assert_int_equal(plugins_add_static(sd, "good", init_good), -1);
	/* registering outside init is refused */
	assert_int_equal(saved_host->register_importer(saved_self,
	    &v9_imp), -1);

	res = tu_ok(sd, NULL, "plugin.list", "{}");
	p = find(json_object_get(res, "plugins"), "good");
	assert_non_null(p);
	assert_string_equal(json_string_value(json_object_get(p, "state")),
	    "loaded");
	assert_string_equal(json_string_value(json_object_get(p, "kind")),
	    "importer,exporter");
	assert_string_equal(json_string_value(json_object_get(p, "version")),
	    "1.2.3");
	assert_int_equal(json_array_size(json_object_get(p, "provides")), 2);
	p = find(json_object_get(res, "plugins"), "bad");
	assert_non_null(p);
	assert_string_equal(json_string_value(json_object_get(p, "state")),
	    "failed");
	assert_non_null(strstr(json_string_value(json_object_get(p,
	    "reason")), "spend_plugin_init returned -1"));
	json_decref(res);
	plugins_unload(sd);
	assert_null(sd->plugins);
	tu_spendd_free(sd);
}

static void
test_host_helpers(void **state)
{
	const struct spend_host_api *h = plugins_host_api();
	char buf[64];
	int64_t m;

	(void)state;
	assert_int_equal(h->size, sizeof(struct spend_host_api));
	assert_int_equal(h->abi, SPEND_PLUGIN_ABI);
	assert_true(SPEND_HOST_HAS(h, report_error));
	assert_int_equal(h->currency_exponent("JPY"), 0);
	assert_int_equal(h->currency_exponent("BHD"), 3);
	assert_int_equal(h->currency_exponent("XXQ"), -1);
	assert_int_equal(h->money_parse("12,50", "EUR", 1, &m, buf,
	    sizeof(buf)), 0);
	assert_int_equal(m, 1250);
	assert_int_equal(h->money_parse("12.505", "EUR", 0, &m, buf,
	    sizeof(buf)), -1);
	assert_true(buf[0] != '\0');
	assert_int_equal(h->money_parse("1", "NOPE", 0, &m, buf,
	    sizeof(buf)), -1);
	assert_int_equal(h->money_format(-5, "EUR", buf, sizeof(buf)), 5);
	assert_string_equal(buf, "-0.05");
	assert_int_equal(h->money_format(1000, "JPY", buf, sizeof(buf)), 4);
	assert_true(h->date_valid("2024-02-29"));
	assert_false(h->date_valid("2023-02-29"));
	assert_false(h->date_valid(NULL));
}

static void
test_notify(void **state)
{
	struct spendd *sd = tu_spendd();
	json_t *d = json_pack("{s:i}", "added", 3);

	(void)state;
	notified = 0;
	plugins_notify(sd, SPEND_EVENT_IMPORT_DONE, "alice", d);	/* none */
	assert_int_equal(notified, 0);
	assert_int_equal(plugins_add_static(sd, "n", init_notifier), 0);
	plugins_notify(sd, SPEND_EVENT_IMPORT_DONE, "alice", d);
	assert_int_equal(notified, 1);
	assert_string_equal(notified_json, "{\"added\":3}");
	json_decref(d);
	plugins_unload(sd);
	tu_spendd_free(sd);
}

static void
put_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static const char *
reason_of(json_t *plugins, const char *name)
{
	json_t *p = find(plugins, name);

	if (p == NULL)
		fail_msg("plugin %s not listed", name);
	assert_string_equal(json_string_value(json_object_get(p, "state")),
	    "refused");
	return json_string_value(json_object_get(p, "reason"));
}

/* Refusals happen before dlopen (or at it): no real .so needed. */
static void
test_loader_refusals(void **state)
{
	char dir[] = "/tmp/spend-test-plugin.XXXXXX", path[512], sub[512];
	struct spendd *sd = tu_spendd();
	json_t *res, *pl;

	(void)state;
	assert_non_null(mkdtemp(dir));
	put_file(dir, "ww.so", "x", 0666);
	put_file(dir, "junk.so", "not an ELF file", 0644);
	put_file(dir, "ignored.txt", "x", 0644);
	put_file(dir, ".hidden.so", "x", 0644);
	snprintf(path, sizeof(path), "%s/link.so", dir);
	assert_int_equal(symlink("junk.so", path), 0);
	snprintf(sub, sizeof(sub), "%s/dir.so", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(path, sizeof(path), "%s/fifo.so", dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	if (geteuid() == 0) {
		put_file(dir, "owned.so", "x", 0644);
		snprintf(path, sizeof(path), "%s/owned.so", dir);
		assert_int_equal(chown(path, 4242, 4242), 0);
	}
	strlcpy(sd->cfg.plugin_dir, dir, sizeof(sd->cfg.plugin_dir));
	plugins_load(sd);
	res = tu_ok(sd, NULL, "plugin.list", "{}");
	pl = json_object_get(res, "plugins");
	assert_non_null(strstr(reason_of(pl, "ww"), "world-writable"));
	assert_non_null(strstr(reason_of(pl, "junk"), "dlopen"));
	assert_non_null(strstr(reason_of(pl, "link"), "symbolic link"));
	assert_non_null(strstr(reason_of(pl, "dir"), "not a regular file"));
	assert_non_null(strstr(reason_of(pl, "fifo"), "not a regular file"));
	if (geteuid() == 0)
		assert_non_null(strstr(reason_of(pl, "owned"), "uid 4242"));
	assert_null(find(pl, "ignored"));
	assert_null(find(pl, ".hidden"));
	json_decref(res);
	plugins_unload(sd);

	/* a load list loads only what it names and says what is missing */
	strlcpy(sd->cfg.plugin_load, "missing, ww", sizeof(sd->cfg.plugin_load));
	plugins_load(sd);
	res = tu_ok(sd, NULL, "plugin.list", "{}");
	pl = json_object_get(res, "plugins");
	assert_int_equal(json_array_size(pl), 2);
	assert_non_null(strstr(reason_of(pl, "missing"), "no such file"));
	json_decref(res);
	plugins_unload(sd);

	/* a world-writable directory loads nothing */
	sd->cfg.plugin_load[0] = '\0';
	assert_int_equal(chmod(dir, 0777), 0);
	plugins_load(sd);
	res = tu_ok(sd, NULL, "plugin.list", "{}");
	assert_int_equal(json_array_size(json_object_get(res, "plugins")), 0);
	json_decref(res);
	plugins_unload(sd);

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
	tu_spendd_free(sd);
}

/* Users see no file names or reasons. */
static void
test_list_for_users(void **state)
{
	struct spendd *sd = tu_spendd();
	struct rpc_identity id = { .role = ROLE_USER, .uid = 1,
	    .transport = "test" };
	struct tu_reply r = { 0 };
	json_t *p;

	(void)state;
	assert_int_equal(plugins_add_static(sd, "good", init_good), 0);
	rpc_invoke(sd, &id, "plugin.list", NULL, tu_done, &r);
	assert_non_null(r.result);
	p = find(json_object_get(r.result, "plugins"), "good");
	assert_non_null(p);
	assert_null(json_object_get(p, "file"));
	json_decref(r.result);
	plugins_unload(sd);
	tu_spendd_free(sd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static_registry),
		cmocka_unit_test(test_host_helpers),
		cmocka_unit_test(test_notify),
		cmocka_unit_test(test_loader_refusals),
		cmocka_unit_test(test_list_for_users),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
