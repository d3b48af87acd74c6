/* spendd.conf: INI via libinih, one table of known keys. */
#ifndef SPEND_CONFIG_H
#define SPEND_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "netaddr.h"

#define CONFIG_MAX_ADMINS 16
#define CONFIG_MAX_PROXIES 32

/* A [plugin NAME] section: handed only to that plugin. */
struct config_section {
	char *name;
	char **keys, **values;	/* parallel, n entries */
	size_t n;
};

/* [log] format */
enum config_log_format {
	CONFIG_LOG_TEXT,	/* "TIME LEVEL: message" */
	CONFIG_LOG_JSON,	/* one JSON object a line */
};

/* [storage] durability: when a commit is on disk (docs/spendd.conf.5). */
enum config_durability {
	/* WAL, synchronous=NORMAL: survives a crash of spendd; a power loss
	 * may take the last commits (never corrupts) */
	CONFIG_DURABILITY_NORMAL,
	/* WAL, synchronous=FULL: every commit is fsynced before its reply */
	CONFIG_DURABILITY_FULL,
};

struct config {
	/* [daemon] */
	char data_dir[PATH_MAX];
	char socket[PATH_MAX];		/* "" = DATA_DIR/spendd.sock */
	char pidfile[PATH_MAX];		/* "" = DATA_DIR/spendd.pid */
	char log[16];			/* "stderr" or "syslog" */
	int log_format;			/* [log] format: enum config_log_format */
	bool log_access;		/* [log] access: a line per request */
	bool debug;
	char admin_uids[256];		/* "1000 1001": uids admin on the socket */
	uid_t admins[CONFIG_MAX_ADMINS];
	size_t n_admins;
	char default_currency[4];
	char default_timezone[64];
	int workers;			/* worker threads */
	long long max_request;		/* bytes of one control socket request */
	long long max_batch_reply;	/* bytes of a batch's replies */
	/* [storage] */
	char db_path[PATH_MAX];		/* "" = DATA_DIR/spend.db */
	int durability;			/* enum config_durability; restart */
	/* [http] */
	char http_listen[128];		/* "127.0.0.1:8080"; "" = off */
	char http_metrics_listen[128];	/* GET /metrics without auth; "" = off */
	char webui_dir[PATH_MAX];
	long long http_max_body;	/* bytes */
	long long http_max_import;	/* bytes, import routes */
	long long http_max_headers;	/* bytes */
	int http_timeout;		/* seconds of silence mid-request, idle */
	int http_header_timeout;	/* seconds to send a whole head */
	int http_max_connections;	/* 0 = as the fd limit allows */
	int http_max_connections_per_address;	/* 0 = no cap */
	long long http_max_output;	/* bytes queued to a slow stream */
	bool http_secure_cookies;	/* behind TLS: Secure cookies */
	char http_origin[256];		/* allowed Origin; "" = same host */
	/* peers whose X-Forwarded-For is believed; "" = none */
	char http_trusted_proxies[1024];
	struct netaddr_prefix trusted_proxies[CONFIG_MAX_PROXIES];
	size_t n_trusted_proxies;
	/* [auth] */
	char registration[8];		/* "open" or "closed" */
	int access_ttl;			/* seconds */
	int refresh_ttl_days;
	int argon2_opslimit;		/* Argon2id passes for new hashes */
	long long argon2_memlimit;	/* Argon2id memory, bytes */
	/* [plugins] */
	char plugin_dir[PATH_MAX];
	char plugin_load[512];		/* names to load; "" = every .so */
	/* [backup] */
	char backup_dir[PATH_MAX];	/* scheduled backups; "" = off */
	int backup_every;		/* seconds between them */
	int backup_keep;		/* newest kept in backup_dir; 0 = all */
	/* [plugin NAME] sections */
	struct config_section *sections;
	size_t n_sections;
	/* [notify] (notify.h); [notify NAME] is the notifier NAME's own
	 * section, the same as [plugin NAME] */
	char notify_channels[256];	/* notifiers users may choose; "" = all */
	char notify_retry[256];		/* waits between attempts */
	char notify_webhook_allow[2048];	/* URL patterns; "" = none */
	int notify_timeout;		/* seconds per attempt */
	int notify_max_inflight;	/* attempts at once */
	int notify_keep_days;		/* sent and failed deliveries kept */
	/* [rates] */
	char rates_url[1024];		/* "" = no scheduled fetch */
	char rates_fetch_at[8];		/* "HH:MM" UTC, daily */
	/* [sync] */
	int sync_tombstone_days;	/* deletes kept in the change log */
	int sync_compact_every;		/* seconds between compactions */
};

/* Compiled-in defaults (the "embedded default" make run uses). */
void config_defaults(struct config *c);
/* Read path (NULL = none) over the defaults, then apply overrides of the
 * form "section.key=value" (spendd -o). Fills err with "FILE:LINE: ..." on
 * a bad line, unknown section or key, or bad value. */
int config_load(struct config *c, const char *path, char *const *overrides,
    size_t n_overrides, struct spend_err *err);
/* Set one value, as from the file. */
int config_set(struct config *c, const char *section, const char *key,
    const char *value, struct spend_err *err);
/* Fill the paths that default from data_dir. */
void config_finalize(struct config *c);
/* The [plugin NAME] section or NULL. Owned by c. */
const struct config_section *config_plugin_section(const struct config *c,
    const char *name);
const char *config_section_get(const struct config_section *s,
    const char *key);
void config_free(struct config *c);
bool config_is_admin_uid(const struct config *c, uid_t uid);

#endif
