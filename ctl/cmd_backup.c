/* backup, and the backup lines of status. spendd writes the file: the
 * path goes over as an absolute name. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "spendctl.h"

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static long long
num(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

int
run_backup(struct ctl *c, const struct ctl_cmd *cmd, json_t *params)
{
	const char *file = json_string_value(json_object_get(params, "path"));
	char path[PATH_MAX];
	json_t *res;

	/* no FILE: a new file in the daemon's [backup] dir */
	if (file) {
		if (ctl_absolute(file, path, sizeof(path)) < 0)
			return ctl_err("%s: path too long", file);
		json_object_set_new(params, "path", json_string(path));
	}
	if (conn_call(c, cmd->method, params, &res) < 0)
		return EXIT_ERR;
	return ctl_output(c, res, cmd->print);
}

int
print_backup(struct ctl *c, json_t *r)
{
	(void)c;
	printf("backed up %lld pages (%lld bytes) to %s in %.3f s\n",
	    num(r, "pages"), num(r, "bytes"), str(r, "path"),
	    (double)num(r, "duration_ms") / 1000.0);
	if (num(r, "removed") > 0)
		printf("removed %lld older backups (beyond keep)\n",
		    num(r, "removed"));
	return 0;
}

/* "1d", "12h", "90s": the largest unit that divides s */
static void
every(long long s, char *buf, size_t size)
{
	if (s > 0 && s % 86400 == 0)
		snprintf(buf, size, "%lldd", s / 86400);
	else if (s > 0 && s % 3600 == 0)
		snprintf(buf, size, "%lldh", s / 3600);
	else if (s > 0 && s % 60 == 0)
		snprintf(buf, size, "%lldm", s / 60);
	else
		snprintf(buf, size, "%llds", s);
}

void
status_backup(json_t *status)
{
	json_t *b = json_object_get(status, "backup"), *last;
	char line[PATH_MAX + 600], ev[32];

	if (!json_is_object(b))
		return;
	json_incref(b);
	json_object_del(status, "backup");
	if (*str(b, "dir")) {
		every(num(b, "every"), ev, sizeof(ev));
		if (num(b, "keep") > 0)
			snprintf(line, sizeof(line), "every %s into %s, keep "
			    "%lld", ev, str(b, "dir"), num(b, "keep"));
		else
			snprintf(line, sizeof(line), "every %s into %s, keep "
			    "all", ev, str(b, "dir"));
	} else
		snprintf(line, sizeof(line), "not scheduled");
	json_object_set_new(status, "backups", json_string(line));
	last = json_object_get(b, "last");
	if (!json_is_object(last))
		snprintf(line, sizeof(line), "none since spendd started");
	else if (json_is_true(json_object_get(last, "ok")))
		snprintf(line, sizeof(line), "%s ok: %s (%lld bytes, %lld ms, "
		    "%s)", str(last, "at"), str(last, "path"),
		    num(last, "bytes"), num(last, "duration_ms"),
		    str(last, "trigger"));
	else
		snprintf(line, sizeof(line), "%s FAILED: %s (%s)",
		    str(last, "at"), str(last, "error"), str(last, "trigger"));
	if (json_is_true(json_object_get(b, "running")))
		strncat(line, "; one is running", sizeof(line) -
		    strlen(line) - 1);
	json_object_set_new(status, "last backup", json_string(line));
	if (*str(b, "next"))
		json_object_set_new(status, "next backup",
		    json_string(str(b, "next")));
	json_decref(b);
}
