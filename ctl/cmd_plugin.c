/* import, export, plugin list. The files are opened by spendd, not by
 * spendctl: paths go over as absolute names. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spendctl.h"
#include "table.h"

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

/* spendd has its own working directory: send what the user meant. */
int
ctl_absolute(const char *path, char *out, size_t size)
{
	char cwd[PATH_MAX];

	if (path[0] == '/')
		return snprintf(out, size, "%s", path) < (int)size ? 0 : -1;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return -1;
	return snprintf(out, size, "%s/%s", strcmp(cwd, "/") ? cwd : "",
	    path) < (int)size ? 0 : -1;
}

/* ["A=B", ...] into {key(A=B): value(A=B)}; swap: FIELD is the key of
 * --map COL=FIELD. */
static int
pairs(json_t *arr, const char *opt, bool swap, json_t *out)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v), *eq;
		char key[256];

		if (s == NULL || (eq = strchr(s, '=')) == NULL || eq == s ||
		    eq[1] == '\0')
			return ctl_err("--%s %s: expected %s", opt, s ? s : "",
			    swap ? "COLUMN=FIELD" : "KEY=VALUE");
		if (swap) {
			snprintf(key, sizeof(key), "%s", eq + 1);
			json_object_set_new(out, key, json_stringn(s,
			    (size_t)(eq - s)));
		} else {
			snprintf(key, sizeof(key), "%.*s", (int)(eq - s), s);
			json_object_set_new(out, key, json_string(eq + 1));
		}
	}
	return 0;
}

int
run_import(struct ctl *c, const struct ctl_cmd *cmd, json_t *params)
{
	char path[PATH_MAX];
	json_t *map, *opt, *o, *res;

	if (ctl_absolute(json_string_value(json_object_get(params, "path")), path,
	    sizeof(path)) < 0)
		return ctl_err("%s: path too long",
		    json_string_value(json_object_get(params, "path")));
	json_object_set_new(params, "path", json_string(path));
	if ((map = json_object_get(params, "map")) != NULL) {
		o = json_object();
		if (pairs(map, "map", true, o) != 0) {
			json_decref(o);
			return EXIT_USAGE;
		}
		json_object_set_new(params, "map", o);
	}
	if ((opt = json_object_get(params, "option")) != NULL) {
		o = json_object();
		if (pairs(opt, "option", false, o) != 0) {
			json_decref(o);
			return EXIT_USAGE;
		}
		json_object_set_new(params, "options", o);
		json_object_del(params, "option");
	}
	if (conn_call(c, cmd->method, params, &res) < 0)
		return EXIT_ERR;
	return ctl_output(c, res, cmd->print);
}

int
print_import(struct ctl *c, json_t *r)
{
	bool dry = json_is_true(json_object_get(r, "dry_run"));
	json_t *v, *list;
	size_t i;

	(void)c;
	printf("%s %s (%s): %lld rows, %lld %s, %lld skipped", dry ?
	    "dry run of" : "imported", str(r, "path"), str(r, "format"),
	    num(r, "rows"), num(r, "added"), dry ? "new" : "added",
	    num(r, "skipped"));
	/* why rows were left out: "(60 duplicate, 13 zero amount)" */
	if (json_object_size(json_object_get(r, "skipped_why")) > 0) {
		const char *why, *sep = " (";

		json_object_foreach(json_object_get(r, "skipped_why"), why, v) {
			printf("%s%lld %s", sep, (long long)json_integer_value(v),
			    why);
			sep = ", ";
		}
		printf(")");
	}
	printf(", %lld rejected\n", num(r, "rejected"));
	if (num(r, "defaulted"))
		printf("%lld rows in the default category\n",
		    num(r, "defaulted"));
	if (num(r, "by_rules") || num(r, "uncategorised"))
		printf("rows without a category: %lld categorised by rules, "
		    "%lld uncategorised\n", num(r, "by_rules"),
		    num(r, "uncategorised"));
	list = json_object_get(r, "categories_created");
	if (json_array_size(list) > 0) {
		printf("categories %s:", dry ? "to create" : "created");
		json_array_foreach(list, i, v)
			printf("%s %s", i ? "," : "", json_string_value(v));
		printf("\n");
	}
	if ((list = json_object_get(r, "preview")) != NULL &&
	    json_array_size(list) > 0) {
		static const char *const heads[] = { "LINE", "STATUS", "DATE",
		    "AMOUNT", "CATEGORY", "PAYEE", "NOTE" };
		struct table *t = table_new("lllrlll", heads);

		json_array_foreach(list, i, v) {
			char line[32], amount[64];
			const char *cells[7];

			snprintf(line, sizeof(line), "%lld", num(v, "line"));
			snprintf(amount, sizeof(amount), "%s %s",
			    str(v, "amount"), str(v, "currency"));
			cells[0] = line;
			cells[1] = str(v, "status");
			cells[2] = str(v, "date");
			cells[3] = amount[0] != ' ' ? amount : "";
			cells[4] = str(v, "category");
			cells[5] = str(v, "payee");
			cells[6] = json_object_get(v, "error") ?
			    str(v, "error") : str(v, "note");
			table_add(t, cells);
		}
		printf("\n");
		table_print(t, stdout);
		table_free(t);
	}
	list = json_object_get(r, "errors");
	if (json_array_size(list) > 0) {
		printf("\n");
		json_array_foreach(list, i, v)
			printf("error: %s\n", str(v, "message"));
	}
	if (dry)
		printf("\nnothing written (dry run)%s\n",
		    json_is_true(json_object_get(r, "ok")) ? "" :
		    "; the import would fail");
	return json_is_true(json_object_get(r, "ok")) ? 0 : EXIT_ERR;
}

int
run_export(struct ctl *c, const struct ctl_cmd *cmd, json_t *params)
{
	const char *o = json_string_value(json_object_get(params, "o"));
	const char *file = json_string_value(json_object_get(params, "file"));
	char path[PATH_MAX];
	json_t *res;

	/* "-o FILE", "--output FILE" or just "FILE" */
	if (o && strcmp(o, "-o") != 0) {
		if (file)
			return ctl_err("export: one output file, after -o");
		file = o;
	}
	if (file == NULL) {
		opts_usage(stderr, cmd);
		return EXIT_USAGE;
	}
	if (ctl_absolute(file, path, sizeof(path)) < 0)
		return ctl_err("%s: path too long", file);
	json_object_set_new(params, "path", json_string(path));
	json_object_del(params, "o");
	json_object_del(params, "file");
	if (conn_call(c, cmd->method, params, &res) < 0)
		return EXIT_ERR;
	return ctl_output(c, res, cmd->print);
}

int
print_export(struct ctl *c, json_t *r)
{
	(void)c;
	printf("exported %lld rows (%s, %lld bytes) to %s\n", num(r, "rows"),
	    str(r, "format"), num(r, "bytes"), str(r, "path"));
	return 0;
}

int
print_plugin_list(struct ctl *c, json_t *r)
{
	static const char *const heads[] = { "NAME", "STATE", "VERSION",
	    "PROVIDES", "FILE" };
	struct table *t = table_new("lllll", heads);
	json_t *p, *list = json_object_get(r, "plugins");
	size_t i, k;

	(void)c;
	json_array_foreach(list, i, p) {
		char provides[512] = "", file[1024];
		const char *cells[5];
		json_t *v;

		json_array_foreach(json_object_get(p, "provides"), k, v) {
			char one[128];

			snprintf(one, sizeof(one), "%s%s %s", k ? ", " : "",
			    str(v, "kind"), str(v, "name"));
			strncat(provides, one, sizeof(provides) -
			    strlen(provides) - 1);
		}
		if (json_object_get(p, "reason"))
			snprintf(file, sizeof(file), "%s (%s)", str(p, "file"),
			    str(p, "reason"));
		else
			snprintf(file, sizeof(file), "%s", str(p, "file"));
		cells[0] = str(p, "name");
		cells[1] = str(p, "state");
		cells[2] = str(p, "version");
		cells[3] = provides;
		cells[4] = file;
		table_add(t, cells);
	}
	if (table_rows(t) == 0)
		printf("no plugins\n");
	else
		table_print(t, stdout);
	table_free(t);
	return 0;
}
