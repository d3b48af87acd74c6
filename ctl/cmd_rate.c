/* spendctl rate set|list|import: exchange rates per EUR. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "spendctl.h"
#include "table.h"

int
print_rate(struct ctl *c, json_t *r)
{
	(void)c;
	printf("%s %s per EUR on %s\n", json_string_value(json_object_get(r,
	    "rate")), json_string_value(json_object_get(r, "currency")),
	    json_string_value(json_object_get(r, "date")));
	return 0;
}

int
print_rate_list(struct ctl *c, json_t *res)
{
	static const char *const heads[] = { "CURRENCY", "DATE", "PER EUR",
	    "SOURCE", NULL };
	json_t *items = json_object_get(res, "items"), *r;
	struct table *t;
	size_t i;

	(void)c;
	if (json_array_size(items) == 0) {
		printf("no rates\n");
		return 0;
	}
	t = table_new("llrl", heads);
	json_array_foreach(items, i, r) {
		const char *row[4] = {
		    json_string_value(json_object_get(r, "currency")),
		    json_string_value(json_object_get(r, "date")),
		    json_string_value(json_object_get(r, "rate")),
		    json_string_value(json_object_get(r, "source")) };

		table_add(t, row);
	}
	table_print(t, stdout);
	table_free(t);
	printf("%zu rate%s\n", json_array_size(items),
	    json_array_size(items) == 1 ? "" : "s");
	return 0;
}

int
run_rate_import(struct ctl *c, const struct ctl_cmd *cmd, json_t *params)
{
	const char *p = json_string_value(json_object_get(params, "path"));
	char path[PATH_MAX];
	json_t *res;

	if (ctl_absolute(p, path, sizeof(path)) < 0)
		return ctl_err("%s: path too long", p);
	json_object_set_new(params, "path", json_string(path));
	if (conn_call(c, cmd->method, params, &res) < 0)
		return EXIT_ERR;
	return ctl_output(c, res, cmd->print);
}

int
print_rate_import(struct ctl *c, json_t *r)
{
	json_t *sk = json_object_get(r, "skipped"), *v;
	size_t i;

	(void)c;
	printf("%lld rates imported (%s)\n", (long long)json_integer_value(
	    json_object_get(r, "imported")), json_string_value(
	    json_object_get(r, "source")));
	if (json_array_size(sk)) {
		printf("skipped, not current currencies:");
		json_array_foreach(sk, i, v)
			printf(" %s", json_string_value(v));
		printf("\n");
	}
	return 0;
}
