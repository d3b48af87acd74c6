#include <ini.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "money.h"
#include "notify_cfg.h"
#include "util.h"

enum ctype { C_STR, C_INT, C_BOOL, C_SIZE, C_NETS, C_DUR, C_ENUM, C_CHECKED };

/* The words of a C_ENUM key, in the order of its enum. */
static const char *const durability_words[] = { "normal", "full", NULL };
static const char *const log_format_words[] = { "text", "json", NULL };

/* C_CHECKED strings: 0, or EINVAL naming key. */
static int
check_retry(const char *v, const char *key, struct spend_err *err)
{
	struct notify_retry r;

	return notify_retry_parse(v, key, &r, err);
}

static int
check_url_patterns(const char *v, const char *key, struct spend_err *err)
{
	size_t n;

	return urlallow_parse(v, key, NULL, URLALLOW_MAX, &n, err);
}

/* "HH:MM", 00:00 to 23:59 */
static int
check_time_of_day(const char *v, const char *key, struct spend_err *err)
{
	if (strlen(v) != 5 || v[2] != ':' || v[0] < '0' || v[0] > '2' ||
	    v[1] < '0' || v[1] > '9' || v[3] < '0' || v[3] > '5' ||
	    v[4] < '0' || v[4] > '9' || (v[0] == '2' && v[1] > '3'))
		return spend_errf(err, SPEND_EINVAL, key, "%s: \"%.20s\" is not "
		    "a time of day HH:MM (UTC)", key, v);
	return 0;
}

/* "HOST:PORT" or "[V6]:PORT", or "" (off) */
static int
check_listen(const char *v, const char *key, struct spend_err *err)
{
	const char *colon, *p;
	long port = 0;

	if (*v == '\0')
		return 0;
	if (v[0] == '[') {
		const char *rb = strchr(v, ']');

		colon = rb && rb[1] == ':' && rb > v + 1 ? rb + 1 : NULL;
	} else
		colon = strrchr(v, ':');
	if (colon == NULL || colon == v || colon[1] == '\0' ||
	    !text_clean(v, NULL) || strchr(v, ' '))
		goto bad;
	for (p = colon + 1; *p; p++) {
		if (*p < '0' || *p > '9' || port > 65535)
			goto bad;
		port = port * 10 + (*p - '0');
	}
	if (port <= 65535)
		return 0;
bad:
	return spend_errf(err, SPEND_EINVAL, key, "%s: \"%.60s\" is not "
	    "HOST:PORT or [V6]:PORT", key, v);
}

static int
check_http_url(const char *v, const char *key, struct spend_err *err)
{
	if (*v && strncasecmp(v, "http://", 7) != 0 &&
	    strncasecmp(v, "https://", 8) != 0)
		return spend_errf(err, SPEND_EINVAL, key, "%s: \"%.60s\" must be "
		    "an http:// or https:// URL", key, v);
	if (!text_clean(v, NULL) || strchr(v, ' '))
		return spend_errf(err, SPEND_EINVAL, key, "%s: no spaces or "
		    "control characters in a URL", key);
	return 0;
}

/* Every known key, once. Anything not here is an error. */
static const struct ckey {
	const char *section, *key;
	enum ctype type;
	size_t off, size;
	long long min, max;
	const char *const *words;	/* C_ENUM: NULL-terminated */
	/* C_CHECKED: a string this function accepts */
	int (*check)(const char *v, const char *key, struct spend_err *err);
} keys[] = {
#define S(sec, k, f) { sec, k, C_STR, offsetof(struct config, f), sizeof(((struct config *)0)->f), 0, 0, NULL, NULL }
#define I(sec, k, f, lo, hi) { sec, k, C_INT, offsetof(struct config, f), sizeof(int), lo, hi, NULL, NULL }
#define B(sec, k, f) { sec, k, C_BOOL, offsetof(struct config, f), sizeof(bool), 0, 1, NULL, NULL }
#define Z(sec, k, f, lo, hi) { sec, k, C_SIZE, offsetof(struct config, f), sizeof(long long), lo, hi, NULL, NULL }
/* a string of addresses and prefixes, parsed into trusted_proxies */
#define N(sec, k, f) { sec, k, C_NETS, offsetof(struct config, f), sizeof(((struct config *)0)->f), 0, 0, NULL, NULL }
/* a duration in seconds, written "90", "30s", "15m", "12h" or "1d" */
#define D(sec, k, f, lo, hi) { sec, k, C_DUR, offsetof(struct config, f), sizeof(int), lo, hi, NULL, NULL }
/* one word of w, stored as its index in an int */
#define E(sec, k, f, w) { sec, k, C_ENUM, offsetof(struct config, f), sizeof(int), 0, 0, w, NULL }
/* a string fn accepts */
#define F(sec, k, f, fn) { sec, k, C_CHECKED, offsetof(struct config, f), sizeof(((struct config *)0)->f), 0, 0, NULL, fn }
	S("daemon", "data_dir", data_dir),
	S("daemon", "socket", socket),
	S("daemon", "pidfile", pidfile),
	S("daemon", "log", log),
	E("log", "format", log_format, log_format_words),
	B("log", "access", log_access),
	B("daemon", "debug", debug),
	S("daemon", "admin_uids", admin_uids),
	S("daemon", "default_currency", default_currency),
	S("daemon", "default_timezone", default_timezone),
	I("daemon", "workers", workers, 1, 64),
	Z("daemon", "max_request", max_request, 1024, 1LL << 30),
	Z("daemon", "max_batch_reply", max_batch_reply, 64 << 10, 1LL << 30),
	S("storage", "path", db_path),
	E("storage", "durability", durability, durability_words),
	S("http", "listen", http_listen),
	F("http", "metrics_listen", http_metrics_listen, check_listen),
	S("http", "webui", webui_dir),
	Z("http", "max_body", http_max_body, 1024, 1LL << 30),
	Z("http", "max_import", http_max_import, 1024, 1LL << 34),
	Z("http", "max_headers", http_max_headers, 1024, 1LL << 20),
	I("http", "timeout", http_timeout, 1, 3600),
	I("http", "header_timeout", http_header_timeout, 1, 3600),
	I("http", "max_connections", http_max_connections, 0, 1 << 20),
	I("http", "max_connections_per_address",
	    http_max_connections_per_address, 0, 1 << 20),
	Z("http", "max_output", http_max_output, 64 << 10, 1LL << 30),
	B("http", "secure_cookies", http_secure_cookies),
	S("http", "origin", http_origin),
	N("http", "trusted_proxies", http_trusted_proxies),
	S("auth", "registration", registration),
	I("auth", "access_ttl", access_ttl, 30, 86400),
	I("auth", "refresh_ttl_days", refresh_ttl_days, 1, 365),
	I("auth", "argon2_opslimit", argon2_opslimit, 1, 64),
	Z("auth", "argon2_memlimit", argon2_memlimit, 8192, 4LL << 30),
	S("plugins", "dir", plugin_dir),
	S("plugins", "load", plugin_load),
	S("backup", "dir", backup_dir),
	D("backup", "every", backup_every, 1, 366 * 86400),
	I("backup", "keep", backup_keep, 0, 100000),
	S("notify", "channels", notify_channels),
	F("notify", "retry", notify_retry, check_retry),
	F("notify", "webhook_allow", notify_webhook_allow, check_url_patterns),
	D("notify", "timeout", notify_timeout, 1, 3600),
	I("notify", "max_inflight", notify_max_inflight, 1, 1000),
	I("notify", "keep_days", notify_keep_days, 1, 3650),
	F("rates", "url", rates_url, check_http_url),
	F("rates", "fetch_at", rates_fetch_at, check_time_of_day),
	I("sync", "tombstone_days", sync_tombstone_days, 0, 36500),
	D("sync", "compact_every", sync_compact_every, 1, 366 * 86400),
#undef S
#undef I
#undef B
#undef Z
#undef N
#undef D
#undef E
#undef F
};

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	strlcpy(c->data_dir, "/var/lib/spend", sizeof(c->data_dir));
	strlcpy(c->log, "stderr", sizeof(c->log));
	strlcpy(c->default_currency, "EUR", sizeof(c->default_currency));
	strlcpy(c->default_timezone, "UTC", sizeof(c->default_timezone));
	c->workers = 4;
	c->durability = CONFIG_DURABILITY_NORMAL;
	strlcpy(c->http_listen, "127.0.0.1:8080", sizeof(c->http_listen));
	strlcpy(c->webui_dir, SPEND_PREFIX "/share/spend/webui",
	    sizeof(c->webui_dir));
	c->http_max_body = 1 << 20;
	c->http_max_import = 256LL << 20;
	c->http_max_headers = 16 << 10;
	c->http_timeout = 30;
	c->http_header_timeout = 10;
	c->http_max_connections = 0;
	c->http_max_connections_per_address = 128;
	c->http_max_output = 1 << 20;
	c->max_request = 4 << 20;
	c->max_batch_reply = 8 << 20;
	strlcpy(c->registration, "closed", sizeof(c->registration));
	c->access_ttl = 900;
	c->refresh_ttl_days = 30;
	c->argon2_opslimit = 2;		/* libsodium's interactive limits */
	c->argon2_memlimit = 64LL << 20;
	strlcpy(c->plugin_dir, SPEND_PREFIX "/lib/spend/plugins",
	    sizeof(c->plugin_dir));
	c->backup_every = 86400;
	c->backup_keep = 7;
	strlcpy(c->notify_retry, NOTIFY_RETRY_DEFAULT, sizeof(c->notify_retry));
	c->notify_timeout = 30;
	c->notify_max_inflight = 16;
	c->notify_keep_days = 30;
	strlcpy(c->rates_fetch_at, "16:30", sizeof(c->rates_fetch_at));
	c->sync_tombstone_days = 90;
	c->sync_compact_every = 86400;
}

static int
parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") ||
	    !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") ||
	    !strcmp(v, "0"))
		*out = false;
	else
		return -1;
	return 0;
}

/* "16M", "512k", "1G" or plain bytes */
static int
parse_size(const char *v, long long *out)
{
	char *end;
	long long n;
	int shift = 0;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || end == v || n < 0)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (n > (LLONG_MAX >> shift))	/* would wrap back into range */
		return -1;
	n <<= shift;
	if (*end != '\0')
		return -1;
	*out = n;
	return 0;
}

/* "90" or "90s" seconds, "15m", "12h", "1d" */
static int
parse_duration(const char *v, long long *out)
{
	char *end;
	long long n, unit = 1;

	if (*v < '0' || *v > '9')	/* no sign, no space */
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || end == v)
		return -1;
	switch (*end) {
	case 's': unit = 1; end++; break;
	case 'm': unit = 60; end++; break;
	case 'h': unit = 3600; end++; break;
	case 'd': unit = 86400; end++; break;
	}
	if (*end != '\0' || n > LLONG_MAX / unit)
		return -1;
	*out = n * unit;
	return 0;
}

/* The index of v in words (NULL-terminated), exact match. */
static int
parse_word(const char *v, const char *const *words, int *out)
{
	for (int i = 0; words[i] != NULL; i++)
		if (!strcmp(v, words[i])) {
			*out = i;
			return 0;
		}
	return -1;
}

/* "a, b or c" */
static const char *
word_list(const char *const *words, char *buf, size_t size)
{
	buf[0] = '\0';
	for (int i = 0; words[i] != NULL; i++) {
		if (i > 0)
			strlcat(buf, words[i + 1] ? ", " : " or ", size);
		strlcat(buf, words[i], size);
	}
	return buf;
}

static int
parse_admins(struct config *c, struct spend_err *err)
{
	char buf[sizeof(c->admin_uids)], *tok, *save = NULL;

	c->n_admins = 0;
	strlcpy(buf, c->admin_uids, sizeof(buf));
	for (tok = strtok_r(buf, " ,", &save); tok;
	    tok = strtok_r(NULL, " ,", &save)) {
		char *end;
		long v;

		errno = 0;
		v = strtol(tok, &end, 10);
		/* (uid_t)-1 is no uid; larger would wrap, perhaps to root */
		if (*end || errno || v < 0 || v >= (long)(uid_t)-1 ||
		    c->n_admins == CONFIG_MAX_ADMINS)
			return spend_errf(err, SPEND_EINVAL, "admin_uids",
			    "admin_uids: \"%s\" is not a uid (at most %d)",
			    tok, CONFIG_MAX_ADMINS);
		c->admins[c->n_admins++] = (uid_t)v;
	}
	return 0;
}

static int
section_add(struct config *c, const char *name, const char *key,
    const char *value)
{
	struct config_section *s = NULL;

	for (size_t i = 0; i < c->n_sections; i++)
		if (!strcmp(c->sections[i].name, name))
			s = &c->sections[i];
	if (s == NULL) {
		struct config_section *n = realloc(c->sections,
		    (c->n_sections + 1) * sizeof(*n));
		if (n == NULL)
			return -1;
		c->sections = n;
		s = &n[c->n_sections++];
		memset(s, 0, sizeof(*s));
		s->name = strdup(name);
	}
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->keys[i], key)) {
			free(s->values[i]);
			s->values[i] = strdup(value);
			return 0;
		}
	s->keys = realloc(s->keys, (s->n + 1) * sizeof(char *));
	s->values = realloc(s->values, (s->n + 1) * sizeof(char *));
	if (s->keys == NULL || s->values == NULL)
		return -1;
	s->keys[s->n] = strdup(key);
	s->values[s->n] = strdup(value);
	s->n++;
	return 0;
}

int
config_set(struct config *c, const char *section, const char *key,
    const char *value, struct spend_err *err)
{
	/* [notify NAME] is the notifier plugin NAME's [plugin NAME] */
	if (strncmp(section, "plugin ", 7) == 0 ||
	    strncmp(section, "notify ", 7) == 0) {
		const char *name = section + 7;

		while (*name == ' ')
			name++;
		if (*name == '\0')
			return spend_errf(err, SPEND_EINVAL, section,
			    "[%.6s] section needs a name: [%.6s NAME]", section,
			    section);
		if (section_add(c, name, key, value) < 0)
			return spend_errf(err, SPEND_ENOMEM, key, "out of memory");
		return 0;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct ckey *k = &keys[i];
		char *p = (char *)c + k->off;
		long long n;
		char *end;

		if (strcmp(k->section, section) || strcmp(k->key, key))
			continue;
		switch (k->type) {
		case C_CHECKED:
			if (strlen(value) >= k->size)
				return spend_errf(err, SPEND_EINVAL, key,
				    "%s: value too long (max %zu)", key,
				    k->size - 1);
			if (k->check(value, key, err) < 0)
				return SPEND_EINVAL;
			strlcpy(p, value, k->size);
			break;
		case C_STR:
			if (strlcpy(p, value, k->size) >= k->size)
				return spend_errf(err, SPEND_EINVAL, key,
				    "%s: value too long (max %zu)", key,
				    k->size - 1);
			break;
		case C_BOOL:
			if (parse_bool(value, (bool *)p) < 0)
				return spend_errf(err, SPEND_EINVAL, key,
				    "%s: \"%s\" is not yes or no", key, value);
			break;
		case C_INT:
			errno = 0;
			n = strtoll(value, &end, 10);
			if (errno || end == value || *end || n < k->min ||
			    n > k->max)
				return spend_errf(err, SPEND_EINVAL, key,
				    "%s: \"%s\" is not a number in %lld..%lld",
				    key, value, k->min, k->max);
			*(int *)p = (int)n;
			break;
		case C_NETS: {
			/* checked here, not in validate(): a bad entry is an
			 * error at its own line */
			struct netaddr_prefix np[CONFIG_MAX_PROXIES];
			size_t nn;

			if (strlen(value) >= k->size)
				return spend_errf(err, SPEND_EINVAL, key,
				    "%s: value too long (max %zu)", key,
				    k->size - 1);
			if (netaddr_prefix_list_parse(key, value, np,
			    CONFIG_MAX_PROXIES, &nn, err) < 0)
				return SPEND_EINVAL;
			strlcpy(p, value, k->size);
			memcpy(c->trusted_proxies, np, nn * sizeof(np[0]));
			c->n_trusted_proxies = nn;
			break;
		}
		case C_ENUM:
			if (parse_word(value, k->words, (int *)p) < 0) {
				char list[128];

				return spend_errf(err, SPEND_EINVAL, key,
				    "%s: \"%s\" must be %s", key, value,
				    word_list(k->words, list, sizeof(list)));
			}
			break;
		case C_SIZE:
			if (parse_size(value, &n) < 0 || n < k->min ||
			    n > k->max)
				return spend_errf(err, SPEND_EINVAL, key,
				    "%s: \"%s\" is not a size in %lld..%lld "
				    "bytes (k, M, G suffixes allowed)", key,
				    value, k->min, k->max);
			*(long long *)p = n;
			break;
		case C_DUR:
			if (parse_duration(value, &n) < 0 || n < k->min ||
			    n > k->max)
				return spend_errf(err, SPEND_EINVAL, key,
				    "%s: \"%s\" is not a duration from %llds to "
				    "%lldd (a number with s, m, h or d)", key,
				    value, k->min, k->max / 86400);
			*(int *)p = (int)n;
			break;
		}
		return 0;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(keys[i].section, section))
			return spend_errf(err, SPEND_EINVAL, key,
			    "unknown key \"%s\" in [%s]", key, section);
	return spend_errf(err, SPEND_EINVAL, section,
	    "unknown section [%s]", section);
}

struct load_ctx {
	struct config *c;
	struct spend_err *err;
	int failed;
	FILE *f;
	int line;		/* lines read so far */
	int fail_line;		/* where config_set failed */
	int long_line;		/* first line longer than inih's buffer */
	int max_line;		/* bytes inih takes per line */
};

/* fgets for inih that counts lines, so an error is pinned to the line
 * that caused it, and catches lines too long for inih's buffer (it would
 * read the rest as a line of its own, silently cutting the value). */
static char *
reader(char *str, int num, void *arg)
{
	struct load_ctx *lc = arg;
	size_t n;
	int ch;

	if (fgets(str, num, lc->f) == NULL)
		return NULL;
	lc->line++;
	lc->max_line = num - 1;
	n = strlen(str);
	if (n == (size_t)num - 1 && str[n - 1] != '\n' &&
	    (ch = fgetc(lc->f)) != EOF && ch != '\n') {
		if (lc->long_line == 0)
			lc->long_line = lc->line;
		while ((ch = fgetc(lc->f)) != EOF && ch != '\n')
			;
	}
	return str;
}

static int
ini_cb(void *arg, const char *section, const char *key, const char *value)
{
	struct load_ctx *lc = arg;

	if (lc->failed)
		return 0;
	if (config_set(lc->c, section, key, value, lc->err) < 0) {
		lc->failed = 1;
		lc->fail_line = lc->line;
		return 0;
	}
	return 1;
}

static int
validate(struct config *c, struct spend_err *err)
{
	if (strcmp(c->log, "stderr") && strcmp(c->log, "syslog"))
		return spend_errf(err, SPEND_EINVAL, "log",
		    "log: \"%s\" must be stderr or syslog", c->log);
	if (strcmp(c->registration, "open") && strcmp(c->registration, "closed"))
		return spend_errf(err, SPEND_EINVAL, "registration",
		    "registration: \"%s\" must be open or closed",
		    c->registration);
	if (parse_admins(c, err) < 0)
		return err ? err->code : SPEND_EINVAL;
	/* new users get these: an unknown one would break them later */
	if (money_currency(c->default_currency) == NULL)
		return spend_errf(err, SPEND_EINVAL, "default_currency",
		    "default_currency: \"%s\" is not an ISO 4217 code like EUR",
		    c->default_currency);
	if (!timezone_valid(c->default_timezone))
		return spend_errf(err, SPEND_EINVAL, "default_timezone",
		    "default_timezone: \"%s\" is not a known zone like "
		    "Europe/Paris", c->default_timezone);
	/* spendd keeps its start-up directory, but a scheduled job should
	 * not depend on it */
	if (c->backup_dir[0] && c->backup_dir[0] != '/')
		return spend_errf(err, SPEND_EINVAL, "dir", "backup dir: \"%s\" "
		    "must be an absolute path", c->backup_dir);
	/* it shows in daemon.status and backup replies: JSON strings */
	if (!utf8_valid(c->backup_dir, strlen(c->backup_dir)))
		return spend_errf(err, SPEND_EINVAL, "dir", "backup dir: not "
		    "valid UTF-8");
	return 0;
}

int
config_load(struct config *c, const char *path, char *const *ov, size_t nov,
    struct spend_err *err)
{
	struct load_ctx lc = { .c = c, .err = err };

	if (path != NULL) {
		FILE *f = fopen(path, "r");
		int line;

		if (f == NULL)
			return spend_errf(err, SPEND_EINVAL, "config",
			    "%s: %s", path, strerror(errno));
		lc.f = f;
		line = ini_parse_stream(reader, &lc, ini_cb, &lc);
		fclose(f);
		if (line < 0)
			return spend_errf(err, SPEND_ENOMEM, "config",
			    "%s: out of memory", path);
		/* inih returns the first failing line; report that line's
		 * own reason */
		if (lc.long_line && (line == 0 || lc.long_line <= line)) {
			line = lc.long_line;
			spend_errf(err, SPEND_EINVAL, "config", "line too long "
			    "(at most %d bytes)", lc.max_line);
		} else if (line > 0 && !(lc.failed && lc.fail_line == line))
			spend_errf(err, SPEND_EINVAL, "config", "syntax error");
		if (line > 0) {
			spend_err_prefix(err, "%s:%d", path, line);
			return SPEND_EINVAL;
		}
	}
	for (size_t i = 0; i < nov; i++) {
		char buf[PATH_MAX + 128], *dot, *eq;

		strlcpy(buf, ov[i], sizeof(buf));
		eq = strchr(buf, '=');
		dot = strchr(buf, '.');
		if (eq == NULL || dot == NULL || dot > eq)
			return spend_errf(err, SPEND_EINVAL, "-o",
			    "-o %s: expected section.key=value", ov[i]);
		*dot = *eq = '\0';
		if (config_set(c, buf, dot + 1, eq + 1, err) < 0) {
			spend_err_prefix(err, "-o %s", ov[i]);
			return SPEND_EINVAL;
		}
	}
	return validate(c, err);
}

void
config_finalize(struct config *c)
{
	if (c->socket[0] == '\0')
		snprintf(c->socket, sizeof(c->socket), "%s/spendd.sock",
		    c->data_dir);
	if (c->pidfile[0] == '\0')
		snprintf(c->pidfile, sizeof(c->pidfile), "%s/spendd.pid",
		    c->data_dir);
	if (c->db_path[0] == '\0')
		snprintf(c->db_path, sizeof(c->db_path), "%s/spend.db",
		    c->data_dir);
}

const struct config_section *
config_plugin_section(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->n_sections; i++)
		if (!strcmp(c->sections[i].name, name))
			return &c->sections[i];
	return NULL;
}

const char *
config_section_get(const struct config_section *s, const char *key)
{
	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->keys[i], key))
			return s->values[i];
	return NULL;
}

void
config_free(struct config *c)
{
	for (size_t i = 0; i < c->n_sections; i++) {
		struct config_section *s = &c->sections[i];

		for (size_t k = 0; k < s->n; k++) {
			free(s->keys[k]);
			free(s->values[k]);
		}
		free(s->keys);
		free(s->values);
		free(s->name);
	}
	free(c->sections);
	c->sections = NULL;
	c->n_sections = 0;
}

bool
config_is_admin_uid(const struct config *c, uid_t uid)
{
	for (size_t i = 0; i < c->n_admins; i++)
		if (c->admins[i] == uid)
			return true;
	return false;
}
