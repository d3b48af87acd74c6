/* config.c: defaults, INI files, -o overrides, [plugin NAME] sections. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "config.h"

static char path[64];

/* Write text to a fresh temporary file; path names it. */
static const char *
conf_file(const char *text)
{
	int fd;
	size_t n = strlen(text);

	if (path[0])
		unlink(path);
	strlcpy(path, "/tmp/spend-test-conf.XXXXXX", sizeof(path));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	close(fd);
	return path;
}

static int
teardown(void **state)
{
	(void)state;
	if (path[0])
		unlink(path);
	path[0] = '\0';
	return 0;
}

/* Load text as a file; returns config_load's result, c and err filled. */
static int
load(struct config *c, const char *text, struct spend_err *err)
{
	config_defaults(c);
	spend_err_clear(err);
	return config_load(c, conf_file(text), NULL, 0, err);
}

/* The file must be refused with "PATH:LINE: msg". */
#define LOAD_BAD(text, line, msg) load_bad(__LINE__, text, line, msg)

static void
load_bad(int at, const char *text, int line, const char *msg)
{
	struct config c;
	struct spend_err err;
	char want[1024];
	int r = load(&c, text, &err);

	if (r != SPEND_EINVAL)
		fail_msg("line %d: config accepted (%d): %s", at, r, text);
	if (line > 0)
		snprintf(want, sizeof(want), "%s:%d: %s", path, line, msg);
	else
		snprintf(want, sizeof(want), "%s", msg);
	if (strstr(err.msg, want) == NULL)
		fail_msg("line %d: got \"%s\", want \"%s\"", at, err.msg, want);
	config_free(&c);
}

static void
test_defaults(void **state)
{
	struct config c;
	struct spend_err err;

	(void)state;
	config_defaults(&c);
	assert_string_equal(c.data_dir, "/var/lib/spend");
	assert_string_equal(c.log, "stderr");
	assert_string_equal(c.default_currency, "EUR");
	assert_string_equal(c.default_timezone, "UTC");
	assert_string_equal(c.registration, "closed");
	assert_string_equal(c.socket, "");
	assert_false(c.debug);
	assert_int_equal(c.workers, 4);
	assert_int_equal(c.durability, CONFIG_DURABILITY_NORMAL);
	assert_int_equal(c.http_timeout, 30);
	assert_true(c.http_max_body == 1 << 20);
	assert_int_equal(c.access_ttl, 900);
	assert_int_equal(c.refresh_ttl_days, 30);
	assert_int_equal(c.n_admins, 0);
	assert_int_equal(c.n_sections, 0);
	/* no file and no overrides: the defaults are valid */
	assert_int_equal(config_load(&c, NULL, NULL, 0, &err), 0);
	config_finalize(&c);
	assert_string_equal(c.socket, "/var/lib/spend/spendd.sock");
	assert_string_equal(c.pidfile, "/var/lib/spend/spendd.pid");
	assert_string_equal(c.db_path, "/var/lib/spend/spend.db");
	config_free(&c);
	config_free(&c);	/* twice is harmless */
}

static void
test_finalize_keeps_explicit(void **state)
{
	struct config c;
	struct spend_err err;

	(void)state;
	assert_int_equal(load(&c, "[daemon]\ndata_dir = /srv/spend\n"
	    "socket = /run/spend.sock\n[storage]\npath = /db/x.db\n", &err), 0);
	config_finalize(&c);
	assert_string_equal(c.socket, "/run/spend.sock");
	assert_string_equal(c.pidfile, "/srv/spend/spendd.pid");
	assert_string_equal(c.db_path, "/db/x.db");
	config_free(&c);
}

static void
test_full_file(void **state)
{
	struct config c;
	struct spend_err err;

	(void)state;
	assert_int_equal(load(&c,
	    "; a comment\n"
	    "# another\n"
	    "\n"
	    "[daemon]\n"
	    "data_dir = /tmp/spend data\n"
	    "log = syslog\n"
	    "debug = yes\n"
	    "admin_uids = 1000 1001,1002\n"
	    "default_currency = JPY\n"
	    "default_timezone = Europe/Paris\n"
	    "workers = 8\n"
	    "[storage]\n"
	    "path = /var/db/spend.db\n"
	    "[http]\n"
	    "listen = 0.0.0.0:9000\n"
	    "webui = /usr/share/spend/webui\n"
	    "max_body = 2M\n"
	    "max_import = 512k\n"
	    "max_headers = 4096\n"
	    "timeout = 60\n"
	    "secure_cookies = on\n"
	    "origin = https://spend.example.org\n"
	    "[auth]\n"
	    "registration = open\n"
	    "access_ttl = 300\n"
	    "refresh_ttl_days = 7\n"
	    "[plugins]\n"
	    "dir = /usr/lib/spend/plugins\n"
	    "load = csv ofx\n", &err), 0);
	assert_string_equal(c.data_dir, "/tmp/spend data");
	assert_string_equal(c.log, "syslog");
	assert_true(c.debug);
	assert_int_equal(c.n_admins, 3);
	assert_true(config_is_admin_uid(&c, 1000));
	assert_true(config_is_admin_uid(&c, 1001));
	assert_true(config_is_admin_uid(&c, 1002));
	assert_false(config_is_admin_uid(&c, 0));
	assert_false(config_is_admin_uid(&c, 1003));
	assert_string_equal(c.default_currency, "JPY");
	assert_string_equal(c.default_timezone, "Europe/Paris");
	assert_int_equal(c.workers, 8);
	assert_string_equal(c.db_path, "/var/db/spend.db");
	assert_string_equal(c.http_listen, "0.0.0.0:9000");
	assert_true(c.http_max_body == 2 << 20);
	assert_true(c.http_max_import == 512 << 10);
	assert_true(c.http_max_headers == 4096);
	assert_int_equal(c.http_timeout, 60);
	assert_true(c.http_secure_cookies);
	assert_string_equal(c.http_origin, "https://spend.example.org");
	assert_string_equal(c.registration, "open");
	assert_int_equal(c.access_ttl, 300);
	assert_int_equal(c.refresh_ttl_days, 7);
	assert_string_equal(c.plugin_dir, "/usr/lib/spend/plugins");
	assert_string_equal(c.plugin_load, "csv ofx");
	config_free(&c);
}

static void
test_bools(void **state)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	struct config c;
	struct spend_err err;
	char text[128];

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		snprintf(text, sizeof(text), "[daemon]\ndebug = %s\n", yes[i]);
		assert_int_equal(load(&c, text, &err), 0);
		assert_true(c.debug);
		snprintf(text, sizeof(text), "[daemon]\ndebug = yes\n"
		    "debug = %s\n", no[i]);
		assert_int_equal(load(&c, text, &err), 0);
		assert_false(c.debug);
	}
	LOAD_BAD("[daemon]\ndebug = maybe\n", 2,
	    "debug: \"maybe\" is not yes or no");
	LOAD_BAD("[daemon]\ndebug =\n", 2, "debug: \"\" is not yes or no");
	LOAD_BAD("[http]\nsecure_cookies = 2\n", 2, "secure_cookies");
}

static void
test_unknown(void **state)
{
	(void)state;
	LOAD_BAD("[bogus]\nx = 1\n", 2, "unknown section [bogus]");
	LOAD_BAD("x = 1\n", 1, "unknown section []");
	LOAD_BAD("[daemon]\nworkers = 2\n\n; c\nfoo = 1\n", 5,
	    "unknown key \"foo\" in [daemon]");
	LOAD_BAD("[http]\nlisten = :1\n[storage]\nlisten = x\n", 4,
	    "unknown key \"listen\" in [storage]");
	LOAD_BAD("[Daemon]\nworkers = 2\n", 2, "unknown section [Daemon]");
	LOAD_BAD("[daemon]\nWorkers = 2\n", 2, "unknown key \"Workers\"");
	LOAD_BAD("[plugin]\nx = 1\n", 2, "unknown section [plugin]");
	LOAD_BAD("[plugin ]\nx = 1\n", 2, "[plugin] section needs a name");
	LOAD_BAD("[plugins]\nfoo = 1\n", 2, "unknown key \"foo\" in [plugins]");
}

static void
test_syntax(void **state)
{
	(void)state;
	LOAD_BAD("[daemon\nworkers = 2\n", 1, "syntax error");
	LOAD_BAD("[daemon]\nworkers = 2\njust words\n", 3, "syntax error");
	/* the first bad line is the one reported */
	LOAD_BAD("[daemon]\nworkers = 0\nfoo = 1\n", 2, "workers");
	LOAD_BAD("[daemon]\nfoo = 1\nworkers = 0\n", 2, "unknown key \"foo\"");
}

static void
test_bad_values(void **state)
{
	char text[512], big[400];

	(void)state;
	LOAD_BAD("[daemon]\nworkers = 0\n", 2,
	    "workers: \"0\" is not a number in 1..64");
	LOAD_BAD("[daemon]\nworkers = 65\n", 2, "workers: \"65\"");
	LOAD_BAD("[daemon]\nworkers = -1\n", 2, "workers: \"-1\"");
	LOAD_BAD("[daemon]\nworkers = abc\n", 2, "workers: \"abc\"");
	LOAD_BAD("[daemon]\nworkers = 4x\n", 2, "workers: \"4x\"");
	LOAD_BAD("[daemon]\nworkers =\n", 2, "workers: \"\"");
	LOAD_BAD("[daemon]\nworkers = 99999999999999999999\n", 2, "workers");
	LOAD_BAD("[http]\ntimeout = 0\n", 2, "timeout");
	LOAD_BAD("[auth]\naccess_ttl = 10\n", 2, "access_ttl");
	LOAD_BAD("[auth]\nrefresh_ttl_days = 366\n", 2, "refresh_ttl_days");
	LOAD_BAD("[http]\nmax_body = 1x\n", 2, "max_body: \"1x\" is not a size");
	LOAD_BAD("[http]\nmax_body = 10\n", 2, "max_body: \"10\"");
	LOAD_BAD("[http]\nmax_body = 2G\n", 2, "max_body: \"2G\"");
	LOAD_BAD("[http]\nmax_body = -1M\n", 2, "max_body");
	LOAD_BAD("[http]\nmax_body = M\n", 2, "max_body");
	LOAD_BAD("[http]\nmax_body = 1MB\n", 2, "max_body");
	/* shifting a huge count must not wrap into range */
	LOAD_BAD("[http]\nmax_body = 9223372036854775807G\n", 2, "max_body");
	LOAD_BAD("[http]\nmax_body = 8589934592G\n", 2, "max_body");
	LOAD_BAD("[http]\nmax_import = 17179869184M\n", 2, "max_import");
	LOAD_BAD("[http]\nmax_body = 99999999999999999999\n", 2, "max_body");
	LOAD_BAD("[daemon]\nlog = file\n", 0,
	    "log: \"file\" must be stderr or syslog");
	LOAD_BAD("[auth]\nregistration = maybe\n", 0,
	    "registration: \"maybe\" must be open or closed");
	LOAD_BAD("[daemon]\ndefault_currency = EURO\n", 2,
	    "default_currency: value too long (max 3)");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[260] = '\0';
	snprintf(text, sizeof(text), "http.origin=%s", big);
	{
		char *const ov[] = { text };
		struct config c;
		struct spend_err err;

		config_defaults(&c);
		assert_int_equal(config_load(&c, NULL, ov, 1, &err),
		    SPEND_EINVAL);
		assert_non_null(strstr(err.msg,
		    "origin: value too long (max 255)"));
	}
}

/* inih reads lines into a fixed buffer: a longer line is an error, not a
 * value cut short with its tail read as a line of its own. */
static void
test_long_lines(void **state)
{
	struct config c;
	struct spend_err err;
	char text[1024], val[512];
	size_t pre = strlen("origin = ");

	(void)state;
	/* 199 bytes of line fit */
	memset(val, 'a', sizeof(val));
	val[199 - pre] = '\0';
	snprintf(text, sizeof(text), "[http]\norigin = %s\n", val);
	assert_int_equal(load(&c, text, &err), 0);
	assert_int_equal(strlen(c.http_origin), 199 - pre);
	/* 200 do not */
	val[199 - pre] = 'a';
	val[200 - pre] = '\0';
	snprintf(text, sizeof(text), "[http]\norigin = %s\n", val);
	LOAD_BAD(text, 2, "line too long (at most 199 bytes)");
	/* the same at the end of the file without a newline */
	snprintf(text, sizeof(text), "[http]\norigin = %s", val);
	LOAD_BAD(text, 2, "line too long");
	val[199 - pre] = '\0';
	snprintf(text, sizeof(text), "[http]\norigin = %s", val);
	assert_int_equal(load(&c, text, &err), 0);
	/* a tail that looks like a key is not applied */
	memset(val, 'b', 195);
	val[195] = '\0';
	snprintf(text, sizeof(text), "[daemon]\ndata_dir = /%sworkers = 64\n"
	    "[http]\nlisten = x\n", val);
	LOAD_BAD(text, 2, "line too long");
	/* an earlier error wins over a later long line, and vice versa */
	snprintf(text, sizeof(text), "[daemon]\nworkers = 0\ndata_dir = /%s"
	    "%s\n", val, val);
	LOAD_BAD(text, 2, "workers");
	snprintf(text, sizeof(text), "[daemon]\ndata_dir = /%s%s\n"
	    "workers = 0\n", val, val);
	LOAD_BAD(text, 2, "line too long");
}

/* What spendd would fall over on later is refused at load time. */
static void
test_bad_defaults(void **state)
{
	(void)state;
	/* a user created with this currency could not record an expense */
	LOAD_BAD("[daemon]\ndefault_currency = XYZ\n", 0, "default_currency");
	LOAD_BAD("[daemon]\ndefault_currency = eur\n", 0, "default_currency");
	LOAD_BAD("[daemon]\ndefault_currency =\n", 0, "default_currency");
	LOAD_BAD("[daemon]\ndefault_timezone = Mars/Olympus\n", 0,
	    "default_timezone");
	LOAD_BAD("[daemon]\ndefault_timezone = ../../etc/passwd\n", 0,
	    "default_timezone");
}

static void
test_sizes(void **state)
{
	struct config c;
	struct spend_err err;

	(void)state;
	assert_int_equal(load(&c, "[http]\nmax_body = 1024\n", &err), 0);
	assert_true(c.http_max_body == 1024);
	assert_int_equal(load(&c, "[http]\nmax_body = 1k\n", &err), 0);
	assert_true(c.http_max_body == 1024);
	assert_int_equal(load(&c, "[http]\nmax_body = 1G\n", &err), 0);
	assert_true(c.http_max_body == 1LL << 30);
	assert_int_equal(load(&c, "[http]\nmax_import = 16G\n", &err), 0);
	assert_true(c.http_max_import == 16LL << 30);
	assert_int_equal(load(&c, "[http]\nmax_headers = 1M\n", &err), 0);
	assert_true(c.http_max_headers == 1LL << 20);
}

static void
test_admin_uids(void **state)
{
	struct config c;
	struct spend_err err;
	char text[512];

	(void)state;
	assert_int_equal(load(&c, "[daemon]\nadmin_uids =\n", &err), 0);
	assert_int_equal(c.n_admins, 0);
	assert_int_equal(load(&c, "[daemon]\nadmin_uids = 0\n", &err), 0);
	assert_int_equal(c.n_admins, 1);
	assert_true(config_is_admin_uid(&c, 0));
	assert_int_equal(load(&c, "[daemon]\nadmin_uids = ,, 5 ,6,,\n", &err), 0);
	assert_int_equal(c.n_admins, 2);
	assert_true(config_is_admin_uid(&c, 5) && config_is_admin_uid(&c, 6));
	assert_int_equal(load(&c, "[daemon]\nadmin_uids = 4294967294\n", &err), 0);
	assert_true(config_is_admin_uid(&c, 4294967294u));
	/* exactly CONFIG_MAX_ADMINS */
	strlcpy(text, "[daemon]\nadmin_uids =", sizeof(text));
	for (int i = 0; i < CONFIG_MAX_ADMINS; i++) {
		char n[16];
		snprintf(n, sizeof(n), " %d", 1000 + i);
		strlcat(text, n, sizeof(text));
	}
	strlcat(text, "\n", sizeof(text));
	assert_int_equal(load(&c, text, &err), 0);
	assert_int_equal(c.n_admins, CONFIG_MAX_ADMINS);
	/* one more is refused */
	text[strlen(text) - 1] = '\0';
	strlcat(text, " 2000\n", sizeof(text));
	LOAD_BAD(text, 0, "admin_uids: \"2000\" is not a uid");
	LOAD_BAD("[daemon]\nadmin_uids = abc\n", 0, "admin_uids: \"abc\"");
	LOAD_BAD("[daemon]\nadmin_uids = -1\n", 0, "admin_uids: \"-1\"");
	LOAD_BAD("[daemon]\nadmin_uids = 1000;1001\n", 0, "admin_uids");
	LOAD_BAD("[daemon]\nadmin_uids = 10x\n", 0, "admin_uids: \"10x\"");
	/* a uid that does not fit uid_t must not wrap to root (or anyone) */
	LOAD_BAD("[daemon]\nadmin_uids = 4294967296\n", 0,
	    "admin_uids: \"4294967296\"");
	LOAD_BAD("[daemon]\nadmin_uids = 4294968296\n", 0, "admin_uids");
	LOAD_BAD("[daemon]\nadmin_uids = 4294967295\n", 0, "admin_uids");
	LOAD_BAD("[daemon]\nadmin_uids = 99999999999999999999999\n", 0,
	    "admin_uids");
}

static void
test_overrides(void **state)
{
	char *const ov[] = { "daemon.workers=4", "http.listen=",
	    "daemon.data_dir=/x=y", "plugin csv.delimiter=;",
	    "daemon.workers=5" };
	struct config c;
	struct spend_err err;

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_load(&c, conf_file("[daemon]\nworkers = 3\n"
	    "data_dir = /file\n"), ov, sizeof(ov) / sizeof(ov[0]), &err), 0);
	assert_int_equal(c.workers, 5);		/* last one wins, over the file */
	assert_string_equal(c.http_listen, "");
	assert_string_equal(c.data_dir, "/x=y");
	assert_string_equal(config_section_get(config_plugin_section(&c, "csv"),
	    "delimiter"), ";");
	config_free(&c);
}

#define OV_BAD(o, want) do {						\
	char *const ov_[] = { (o) };					\
	struct config c_;						\
	struct spend_err e_;						\
	config_defaults(&c_);						\
	assert_int_equal(config_load(&c_, NULL, ov_, 1, &e_), SPEND_EINVAL); \
	if (strstr(e_.msg, (want)) == NULL)				\
		fail_msg("-o %s: \"%s\" lacks \"%s\"", (o), e_.msg, (want)); \
	config_free(&c_);						\
} while (0)

static void
test_override_errors(void **state)
{
	(void)state;
	OV_BAD("workers=4", "-o workers=4: expected section.key=value");
	OV_BAD("daemon.workers", "-o daemon.workers: expected section.key=value");
	OV_BAD("daemon=x.y", "expected section.key=value");
	OV_BAD("", "expected section.key=value");
	OV_BAD("daemon.workers=0",
	    "-o daemon.workers=0: workers: \"0\" is not a number in 1..64");
	OV_BAD("daemon.nope=1", "-o daemon.nope=1: unknown key \"nope\" in [daemon]");
	OV_BAD("nope.x=1", "unknown section [nope]");
	OV_BAD("daemon.log=file", "log: \"file\" must be stderr or syslog");
}

static void
test_plugin_sections(void **state)
{
	struct config c;
	struct spend_err err;
	const struct config_section *s;

	(void)state;
	assert_int_equal(load(&c,
	    "[plugin csv]\n"
	    "delimiter=;\n"	/* " ;" would start an inline comment */
	    "encoding = utf-8\n"
	    "[daemon]\n"
	    "workers = 3\n"
	    "[plugin webhook]\n"
	    "url = https://example.org/hook?a=b\n"
	    "[plugin  csv]\n"
	    "encoding = latin1\n"
	    "quote = \"\n", &err), 0);
	assert_int_equal(c.workers, 3);
	assert_int_equal(c.n_sections, 2);
	s = config_plugin_section(&c, "csv");
	assert_non_null(s);
	assert_string_equal(s->name, "csv");
	assert_int_equal(s->n, 3);
	assert_string_equal(config_section_get(s, "delimiter"), ";");
	assert_string_equal(config_section_get(s, "encoding"), "latin1");
	assert_string_equal(config_section_get(s, "quote"), "\"");
	assert_null(config_section_get(s, "url"));
	s = config_plugin_section(&c, "webhook");
	assert_non_null(s);
	assert_string_equal(config_section_get(s, "url"),
	    "https://example.org/hook?a=b");
	assert_null(config_plugin_section(&c, "ofx"));
	assert_null(config_plugin_section(&c, "CSV"));
	assert_null(config_section_get(NULL, "x"));
	config_free(&c);
	assert_int_equal(c.n_sections, 0);
	assert_null(c.sections);
}

/* config_set is the one path for file lines and -o alike. */
static void
test_config_set(void **state)
{
	struct config c;
	struct spend_err err;

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_set(&c, "daemon", "workers", "7", &err), 0);
	assert_int_equal(c.workers, 7);
	assert_int_equal(config_set(&c, "daemon", "workers", "70", &err),
	    SPEND_EINVAL);
	assert_string_equal(err.field, "workers");
	assert_int_equal(c.workers, 7);		/* unchanged on error */
	assert_int_equal(config_set(&c, "x", "y", "z", &err), SPEND_EINVAL);
	assert_string_equal(err.field, "x");
	assert_int_equal(config_set(&c, "plugin exec", "cmd", "/bin/true",
	    &err), 0);
	assert_string_equal(config_section_get(config_plugin_section(&c,
	    "exec"), "cmd"), "/bin/true");
	config_free(&c);
}

/* [storage] durability: one word of two, as the enum; the last one given
 * wins; anything else (case, spaces inside, SQLite's other levels) is an
 * error at its line that lists the words. */
static void
test_durability(void **state)
{
	char *const ov[] = { "storage.durability=normal" };
	struct config c;
	struct spend_err err;

	(void)state;
	assert_int_equal(load(&c, "[storage]\ndurability = full\n", &err), 0);
	assert_int_equal(c.durability, CONFIG_DURABILITY_FULL);
	config_free(&c);
	assert_int_equal(load(&c, "[storage]\ndurability = normal\n", &err), 0);
	assert_int_equal(c.durability, CONFIG_DURABILITY_NORMAL);
	config_free(&c);
	/* -o over the file */
	config_defaults(&c);
	assert_int_equal(config_load(&c, conf_file("[storage]\n"
	    "durability = full\npath = /db/x.db\n"), ov, 1, &err), 0);
	assert_int_equal(c.durability, CONFIG_DURABILITY_NORMAL);
	assert_string_equal(c.db_path, "/db/x.db");
	config_free(&c);
	config_defaults(&c);
	assert_int_equal(config_set(&c, "storage", "durability", "full", &err),
	    0);
	assert_int_equal(c.durability, CONFIG_DURABILITY_FULL);
	config_free(&c);

	LOAD_BAD("[storage]\ndurability = extra\n", 2,
	    "durability: \"extra\" must be normal or full");
	LOAD_BAD("[storage]\ndurability = FULL\n", 2,
	    "durability: \"FULL\" must be normal or full");
	LOAD_BAD("[storage]\ndurability = off\n", 2, "durability: \"off\"");
	LOAD_BAD("[storage]\ndurability = 2\n", 2, "durability: \"2\"");
	LOAD_BAD("[storage]\ndurability =\n", 2, "durability: \"\"");
	LOAD_BAD("[storage]\ndurability = full full\n", 2, "durability");
	/* it belongs to [storage] only */
	LOAD_BAD("[daemon]\ndurability = full\n", 2,
	    "unknown key \"durability\" in [daemon]");
	OV_BAD("storage.durability=fsync",
	    "-o storage.durability=fsync: durability: \"fsync\" must be "
	    "normal or full");
}

/* [backup]: dir (absolute or empty), every (a duration), keep. */
static void
test_backup_keys(void **state)
{
	static const struct { const char *v; int secs; } good[] = {
		{ "1", 1 }, { "90", 90 }, { "30s", 30 }, { "15m", 900 },
		{ "12h", 43200 }, { "1d", 86400 }, { "7d", 604800 },
		{ "366d", 366 * 86400 }, { "0090s", 90 },
	};
	static const char *const bad[] = { "0", "0s", "-1", "+5", " 5",
	    "5 m", "1w", "1.5h", "h", "", "1dd", "367d", "31622401",
	    "99999999999999999999", "9223372036854775807d" };
	struct config c;
	struct spend_err err;

	(void)state;
	config_defaults(&c);
	assert_string_equal(c.backup_dir, "");		/* off */
	assert_int_equal(c.backup_every, 86400);
	assert_int_equal(c.backup_keep, 7);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (config_set(&c, "backup", "every", good[i].v, &err) < 0)
			fail_msg("every = %s: %s", good[i].v, err.msg);
		assert_int_equal(c.backup_every, good[i].secs);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (config_set(&c, "backup", "every", bad[i], &err) == 0)
			fail_msg("every = \"%s\" accepted", bad[i]);
		assert_string_equal(err.field, "every");
		assert_non_null(strstr(err.msg, "is not a duration from 1s "
		    "to 366d"));
		assert_int_equal(c.backup_every, 90);	/* unchanged */
	}
	config_free(&c);

	assert_int_equal(load(&c, "[backup]\ndir = /srv/spend-backups\n"
	    "every = 6h\nkeep = 0\n", &err), 0);
	assert_string_equal(c.backup_dir, "/srv/spend-backups");
	assert_int_equal(c.backup_every, 6 * 3600);
	assert_int_equal(c.backup_keep, 0);		/* keep all */
	config_free(&c);
	assert_int_equal(load(&c, "[backup]\ndir =\n", &err), 0);
	assert_string_equal(c.backup_dir, "");
	config_free(&c);

	LOAD_BAD("[backup]\nevery = 1w\n", 2, "every: \"1w\" is not a "
	    "duration from 1s to 366d (a number with s, m, h or d)");
	LOAD_BAD("[backup]\nkeep = -1\n", 2, "keep: \"-1\" is not a number "
	    "in 0..100000");
	LOAD_BAD("[backup]\ndir = backups\n", 0, "backup dir: \"backups\" "
	    "must be an absolute path");
	LOAD_BAD("[backup]\ndir = /srv/b\xe4" "ckups\n", 0, "backup dir: not "
	    "valid UTF-8");
	LOAD_BAD("[backup]\nhow_often = 1d\n", 2, "unknown key "
	    "\"how_often\" in [backup]");
	OV_BAD("backup.every=never", "-o backup.every=never: every: \"never\" "
	    "is not a duration");
}

static void
test_missing_file(void **state)
{
	struct config c;
	struct spend_err err;

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_load(&c, "/nonexistent/spendd.conf", NULL, 0,
	    &err), SPEND_EINVAL);
	assert_non_null(strstr(err.msg, "/nonexistent/spendd.conf"));
	assert_non_null(strstr(err.msg, "No such file"));
	config_free(&c);
}

/* [notify], [notify NAME] (the notifier's own section) and [rates]. */
static void
test_notify_keys(void **state)
{
	struct config c;
	struct spend_err err;

	(void)state;
	config_defaults(&c);
	assert_string_equal(c.notify_retry, "10s 1m 5m 30m");
	assert_string_equal(c.notify_webhook_allow, "");	/* none */
	assert_int_equal(c.notify_timeout, 30);
	assert_string_equal(c.rates_url, "");
	assert_string_equal(c.rates_fetch_at, "16:30");
	config_free(&c);
	assert_int_equal(load(&c, "[notify]\nchannels = log webhook\n"
	    "retry = 5s, 1m\nwebhook_allow = https://*.example.org/in/* "
	    "http://[::1]:8080/\ntimeout = 10s\nmax_inflight = 4\n"
	    "[notify email]\nserver = smtp://mail.example.org\n"
	    "[plugin email]\nfrom = spend@example.org\n"
	    "[rates]\nurl = https://example.org/eurofxref.csv\n"
	    "fetch_at = 06:05\n", &err), 0);
	assert_string_equal(c.notify_channels, "log webhook");
	assert_string_equal(c.notify_retry, "5s, 1m");
	assert_int_equal(c.notify_timeout, 10);
	assert_int_equal(c.notify_max_inflight, 4);
	/* one section for the notifier, whichever name it was given */
	assert_string_equal(config_section_get(config_plugin_section(&c,
	    "email"), "server"), "smtp://mail.example.org");
	assert_string_equal(config_section_get(config_plugin_section(&c,
	    "email"), "from"), "spend@example.org");
	assert_string_equal(c.rates_fetch_at, "06:05");
	config_free(&c);
	LOAD_BAD("[notify]\nretry = 10s 5q\n", 2, "retry: \"5q\" is not a "
	    "duration from 0s to 7d");
	LOAD_BAD("[notify]\nwebhook_allow = https://ok.example.org/*\n"
	    "webhook_allow = http://u@x.example.org/\n", 3, "webhook_allow: "
	    "\"http://u@x.example.org/\": no user@ in a pattern");
	LOAD_BAD("[notify]\nwebhook_allow = gopher://x/\n", 2,
	    "webhook_allow: \"gopher://x/\": the scheme must be http or "
	    "https");
	LOAD_BAD("[notify]\ntimeout = 0\n", 2, "timeout: \"0\" is not a "
	    "duration");
	LOAD_BAD("[notify]\nsound = on\n", 2, "unknown key \"sound\" in "
	    "[notify]");
	LOAD_BAD("[rates]\nfetch_at = 24:00\n", 2, "fetch_at: \"24:00\" is "
	    "not a time of day HH:MM (UTC)");
	LOAD_BAD("[rates]\nurl = file:///etc/passwd\n", 2, "url: "
	    "\"file:///etc/passwd\" must be an http:// or https:// URL");
	OV_BAD("notify.retry=1y", "-o notify.retry=1y: retry: \"1y\" is not "
	    "a duration");
}

/* [log] format (text | json), access (a bool) and [http] metrics_listen
 * (HOST:PORT, [V6]:PORT or empty): each error at its line. */
static void
test_log_and_metrics_keys(void **state)
{
	char *const ov[] = { "log.format=text", "http.metrics_listen=" };
	struct config c;
	struct spend_err err;

	(void)state;
	config_defaults(&c);
	assert_int_equal(c.log_format, CONFIG_LOG_TEXT);
	assert_false(c.log_access);
	assert_string_equal(c.http_metrics_listen, "");
	config_free(&c);
	assert_int_equal(load(&c, "[log]\nformat = json\naccess = yes\n"
	    "[http]\nmetrics_listen = 127.0.0.1:9100\n", &err), 0);
	assert_int_equal(c.log_format, CONFIG_LOG_JSON);
	assert_true(c.log_access);
	assert_string_equal(c.http_metrics_listen, "127.0.0.1:9100");
	config_free(&c);
	assert_int_equal(load(&c, "[http]\nmetrics_listen = [::1]:0\n", &err),
	    0);
	assert_string_equal(c.http_metrics_listen, "[::1]:0");
	config_free(&c);
	/* -o over the file */
	config_defaults(&c);
	assert_int_equal(config_load(&c, conf_file("[log]\nformat = json\n"
	    "[http]\nmetrics_listen = 10.0.0.1:9100\n"), ov, 2, &err), 0);
	assert_int_equal(c.log_format, CONFIG_LOG_TEXT);
	assert_string_equal(c.http_metrics_listen, "");
	config_free(&c);

	LOAD_BAD("[log]\n\nformat = xml\n", 3,
	    "format: \"xml\" must be text or json");
	LOAD_BAD("[log]\nformat = JSON\n", 2, "format: \"JSON\"");
	LOAD_BAD("[log]\nformat =\n", 2, "format: \"\"");
	LOAD_BAD("[log]\naccess = sometimes\n", 2, "access");
	LOAD_BAD("[log]\nformat = json\nlevel = debug\n", 3,
	    "unknown key \"level\" in [log]");
	LOAD_BAD("[http]\nlisten = 127.0.0.1:1\nmetrics_listen = 9100\n", 3,
	    "metrics_listen: \"9100\" is not HOST:PORT or [V6]:PORT");
	LOAD_BAD("[http]\nmetrics_listen = 127.0.0.1:\n", 2,
	    "metrics_listen: \"127.0.0.1:\" is not HOST:PORT");
	LOAD_BAD("[http]\nmetrics_listen = 127.0.0.1:70000\n", 2,
	    "metrics_listen: \"127.0.0.1:70000\"");
	LOAD_BAD("[http]\nmetrics_listen = localhost:http\n", 2,
	    "metrics_listen: \"localhost:http\"");
	LOAD_BAD("[http]\nmetrics_listen = [::1]9100\n", 2,
	    "metrics_listen: \"[::1]9100\"");
	LOAD_BAD("[http]\nmetrics_listen = :9100\n", 2,
	    "metrics_listen: \":9100\"");
	/* they belong to their sections */
	LOAD_BAD("[daemon]\nformat = json\n", 2,
	    "unknown key \"format\" in [daemon]");
	LOAD_BAD("[log]\nmetrics_listen = 127.0.0.1:1\n", 2,
	    "unknown key \"metrics_listen\" in [log]");
	OV_BAD("log.format=yaml", "-o log.format=yaml: format: \"yaml\" must "
	    "be text or json");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_defaults, teardown),
		cmocka_unit_test_teardown(test_finalize_keeps_explicit, teardown),
		cmocka_unit_test_teardown(test_full_file, teardown),
		cmocka_unit_test_teardown(test_bools, teardown),
		cmocka_unit_test_teardown(test_unknown, teardown),
		cmocka_unit_test_teardown(test_syntax, teardown),
		cmocka_unit_test_teardown(test_bad_values, teardown),
		cmocka_unit_test_teardown(test_long_lines, teardown),
		cmocka_unit_test_teardown(test_bad_defaults, teardown),
		cmocka_unit_test_teardown(test_sizes, teardown),
		cmocka_unit_test_teardown(test_admin_uids, teardown),
		cmocka_unit_test_teardown(test_overrides, teardown),
		cmocka_unit_test_teardown(test_override_errors, teardown),
		cmocka_unit_test_teardown(test_plugin_sections, teardown),
		cmocka_unit_test_teardown(test_config_set, teardown),
		cmocka_unit_test_teardown(test_durability, teardown),
		cmocka_unit_test_teardown(test_backup_keys, teardown),
		cmocka_unit_test_teardown(test_missing_file, teardown),
		cmocka_unit_test_teardown(test_notify_keys, teardown),
		cmocka_unit_test_teardown(test_log_and_metrics_keys, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
