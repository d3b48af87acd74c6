/* status, help, call, and the key/value printer the others share. */
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "spendctl.h"
#include "table.h"

const char *
jstr(json_t *o, const char *key, char *buf, size_t size)
{
	json_t *v = key ? json_object_get(o, key) : o;

	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		snprintf(buf, size, "%lld", (long long)json_integer_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, size, "%s", json_is_true(v) ? "yes" : "no");
	else if (v == NULL || json_is_null(v))
		buf[0] = '\0';
	else {
		char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		snprintf(buf, size, "%s", t ? t : "");
		free(t);
	}
	return buf;
}

/* An array of strings as "a, b"; anything else as jstr does. */
static const char *
jlist(json_t *v, char *buf, size_t size)
{
	size_t i;
	json_t *e;

	if (!json_is_array(v))
		return jstr(v, NULL, buf, size);
	buf[0] = '\0';
	json_array_foreach(v, i, e) {
		char one[256];

		if (i > 0)
			strncat(buf, ", ", size - strlen(buf) - 1);
		strncat(buf, jstr(e, NULL, one, sizeof(one)),
		    size - strlen(buf) - 1);
	}
	return buf;
}

int
print_kv(struct ctl *c, json_t *o)
{
	struct table *t = table_new("ll", NULL);
	const char *key;
	json_t *v;

	(void)c;
	json_object_foreach(o, key, v) {
		char buf[1024];
		const char *row[2] = { key, jlist(v, buf, sizeof(buf)) };

		table_add(t, row);
	}
	table_print(t, stdout);
	table_free(t);
	return 0;
}

static void
duration(long long s, char *buf, size_t size)
{
	if (s >= 86400)
		snprintf(buf, size, "%lldd %lldh %lldm", s / 86400,
		    s % 86400 / 3600, s % 3600 / 60);
	else if (s >= 3600)
		snprintf(buf, size, "%lldh %lldm %llds", s / 3600,
		    s % 3600 / 60, s % 60);
	else if (s >= 60)
		snprintf(buf, size, "%lldm %llds", s / 60, s % 60);
	else
		snprintf(buf, size, "%llds", s);
}

/* "jobs": {"password": {"busy", "queued", "limit", "done"}, ...} as one
 * line per kind: "jobs password  1 busy, 3 queued (limit 4; 120 done)" */
static void
status_jobs(json_t *o)
{
	json_t *jobs = json_object_get(o, "jobs"), *k;
	const char *name;

	if (!json_is_object(jobs))
		return;
	json_incref(jobs);
	json_object_del(o, "jobs");
	json_object_foreach(jobs, name, k) {
		char key[64], line[160];

		snprintf(key, sizeof(key), "jobs %s", name);
		snprintf(line, sizeof(line), "%lld busy, %lld queued (limit "
		    "%lld; %lld done)",
		    (long long)json_integer_value(json_object_get(k, "busy")),
		    (long long)json_integer_value(json_object_get(k, "queued")),
		    (long long)json_integer_value(json_object_get(k, "limit")),
		    (long long)json_integer_value(json_object_get(k, "done")));
		json_object_set_new(o, key, json_string(line));
	}
	json_decref(jobs);
}

static long long
inum(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* An object of counters as one line, in the order of keys: "ok 3,
 * failed 1, limited 0" (absent: nothing) */
static void
status_counts(json_t *o, const char *key, const char *label,
    const char *const *keys)
{
	json_t *v = json_object_get(o, key);
	char line[256] = "";

	if (!json_is_object(v))
		return;
	for (int i = 0; keys[i]; i++) {
		char one[64];

		snprintf(one, sizeof(one), "%s%s %lld", i ? ", " : "", keys[i],
		    inum(v, keys[i]));
		strncat(line, one, sizeof(line) - strlen(line) - 1);
	}
	json_object_del(o, key);
	json_object_set_new(o, label, json_string(line));
}

/* What GET /metrics counts, at a glance */
static void
status_metrics(json_t *o)
{
	static const char *const logins[] = { "ok", "failed", "limited", NULL };
	static const char *const jobs[] = { "started", "ok", "failed", NULL };
	json_t *v;
	char line[256];

	if (json_is_object(v = json_object_get(o, "http_requests"))) {
		snprintf(line, sizeof(line), "%lld (%lld client errors, %lld "
		    "server errors)", inum(v, "total"), inum(v, "client_errors"),
		    inum(v, "server_errors"));
		json_object_del(o, "http_requests");
		json_object_set_new(o, "http requests", json_string(line));
	}
	if (json_is_object(v = json_object_get(o, "rpc_calls"))) {
		snprintf(line, sizeof(line), "%lld (%lld errors)",
		    inum(v, "total"), inum(v, "errors"));
		json_object_del(o, "rpc_calls");
		json_object_set_new(o, "rpc calls", json_string(line));
	}
	status_counts(o, "logins", "logins", logins);
	status_counts(o, "imports", "imports", jobs);
	status_counts(o, "exports", "exports", jobs);
	if (json_is_integer(v = json_object_get(o, "database_bytes"))) {
		snprintf(line, sizeof(line), "%lld bytes, WAL %lld bytes",
		    inum(o, "database_bytes"), inum(o, "wal_bytes"));
		json_object_del(o, "database_bytes");
		json_object_del(o, "wal_bytes");
		json_object_set_new(o, "database size", json_string(line));
	}
	if ((v = json_object_get(o, "last_checkpoint")) != NULL) {
		json_object_set_new(o, "last checkpoint", json_string(
		    json_is_string(v) ? json_string_value(v) :
		    "none since spendd started"));
		json_object_del(o, "last_checkpoint");
	}
	if (json_is_string(v = json_object_get(o, "metrics_listen"))) {
		json_object_set_new(o, "metrics", json_string(
		    *json_string_value(v) ? json_string_value(v) :
		    "GET /metrics (admins)"));
		json_object_del(o, "metrics_listen");
	}
}

int
print_status(struct ctl *c, json_t *res)
{
	json_t *o = json_deep_copy(res);
	json_t *up = json_object_get(o, "uptime");
	json_t *since = json_object_get(o, "started");
	const char *http = json_string_value(json_object_get(o, "http"));
	char buf[64];
	int r;

	if (json_is_integer(up)) {
		duration((long long)json_integer_value(up), buf, sizeof(buf));
		json_object_set_new(o, "uptime", json_string(buf));
	}
	if (json_is_integer(since)) {	/* unix seconds: a date to read */
		time_t t = (time_t)json_integer_value(since);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_object_set_new(o, "started", json_string(buf));
	}
	if (http && *http == '\0')
		json_object_set_new(o, "http", json_string("off"));
	status_jobs(o);
	status_metrics(o);
	status_backup(o);
	status_notify(o);
	r = print_kv(c, o);
	json_decref(o);
	return r;
}

/* ---- help ---- */

static const char *
summary_of(struct ctl *c, const struct ctl_cmd *cmd)
{
	json_t *m;

	if (cmd->summary)
		return cmd->summary;
	if (cmd->method && (m = conn_method(c, cmd->method)) != NULL)
		return json_string_value(json_object_get(m, "summary"));
	return "";
}

static bool
has_command(const char *method)
{
	for (const struct ctl_cmd *cmd = ctl_cmds; cmd->words; cmd++)
		if (cmd->method && strcmp(cmd->method, method) == 0)
			return true;
	return false;
}

static int
help_all(struct ctl *c, bool online)
{
	struct table *t = table_new("ll", NULL);
	size_t i, extra = 0;
	json_t *m;

	printf("usage: spendctl [--socket PATH] [--user NAME] [--json] "
	    "COMMAND [ARGS]\n\ncommands:\n");
	for (const struct ctl_cmd *cmd = ctl_cmds; cmd->words; cmd++) {
		char syn[256], ind[260];
		const char *row[2];

		opts_synopsis(cmd, syn, sizeof(syn));
		snprintf(ind, sizeof(ind), "  %s", syn);
		row[0] = ind;
		row[1] = summary_of(c, cmd);
		table_add(t, row);
	}
	table_print(t, stdout);
	table_free(t);
	if (!online) {
		printf("\n(spendd is not reachable on %s: summaries and the "
		    "method list come from it)\n", c->socket);
		return 0;
	}
	t = table_new("ll", NULL);
	json_array_foreach(c->methods, i, m) {
		const char *name = json_string_value(json_object_get(m, "name"));
		char ind[128];
		const char *row[2];

		if (name == NULL || has_command(name))
			continue;
		snprintf(ind, sizeof(ind), "  %s", name);
		row[0] = ind;
		row[1] = json_string_value(json_object_get(m, "summary"));
		table_add(t, row);
		extra++;
	}
	if (extra) {
		printf("\nmethods without a command (spendctl call METHOD "
		    "'{\"param\": ...}'):\n");
		table_print(t, stdout);
	}
	table_free(t);
	printf("\nspendctl help COMMAND shows a command's options.\n");
	return 0;
}

static void
help_method(json_t *m)
{
	const char *p = json_string_value(json_object_get(m, "params"));
	const char *route = json_string_value(json_object_get(m, "route"));

	printf("method: %s(%s), role %s%s%s\n",
	    json_string_value(json_object_get(m, "name")), p ? p : "",
	    json_string_value(json_object_get(m, "role")),
	    json_is_true(json_object_get(m, "write")) ? ", writes" : "",
	    json_is_true(json_object_get(m, "acts_for_user")) ?
	    ", acts for a user (--user)" : "");
	if (route)
		printf("route: %s\n", route);
}

int
run_help(struct ctl *c, const struct ctl_cmd *self, json_t *params)
{
	const char *want = json_string_value(json_object_get(params, "command"));
	bool online = conn_connect(c, true) == 0;
	size_t n;
	int found = 0;
	json_t *m;

	(void)self;
	if (want == NULL)
		return help_all(c, online);
	n = strlen(want);
	for (const struct ctl_cmd *cmd = ctl_cmds; cmd->words; cmd++) {
		const char *s;

		/* "expense add", or every command of the group "expense" */
		if (strcmp(cmd->words, want) != 0 &&
		    (strncmp(cmd->words, want, n) || cmd->words[n] != ' '))
			continue;
		if (found++)
			putchar('\n');
		opts_usage(stdout, cmd);
		if (*(s = summary_of(c, cmd)))
			printf("%s\n", s);
		if (cmd->method && (m = conn_method(c, cmd->method)) != NULL)
			help_method(m);
	}
	if (found)
		return 0;
	if (online && (m = conn_method(c, want)) != NULL) {
		printf("%s\n", json_string_value(json_object_get(m, "summary")));
		help_method(m);
		printf("call it with: spendctl call %s '{...}'\n", want);
		return 0;
	}
	fprintf(stderr, "spendctl: no command \"%s\" (see spendctl help)\n",
	    want);
	return EXIT_USAGE;
}

/* ---- call ---- */

int
run_call(struct ctl *c, const struct ctl_cmd *self, json_t *params)
{
	const char *method = json_string_value(json_object_get(params, "method"));
	const char *text = json_string_value(json_object_get(params, "json"));
	json_t *p = NULL, *res;
	json_error_t jerr;
	int r;

	(void)self;
	if (text) {
		p = json_loads(text, 0, &jerr);
		if (!json_is_object(p)) {
			json_decref(p);
			fprintf(stderr, "spendctl: params must be a JSON object "
			    "like '{\"id\": 3}'%s%s\n", p ? "" : ": ",
			    p ? "" : jerr.text);
			return EXIT_USAGE;
		}
	}
	r = conn_call(c, method, p, &res);
	json_decref(p);
	if (r < 0)
		return EXIT_ERR;
	return ctl_output(c, res, NULL);
}
