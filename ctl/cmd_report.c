/* report: run a report plugin (report.run) with --param KEY=VALUE... */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spendctl.h"
#include "table.h"

#define MAX_COLS 16

int
run_report(struct ctl *c, const struct ctl_cmd *cmd, json_t *params)
{
	json_t *arr = json_object_get(params, "param"), *v, *res;
	size_t i;

	/* ["month=2024-03", ...] -> "month": "2024-03" beside "name" */
	json_incref(arr);
	json_object_del(params, "param");
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v), *eq;
		char key[128];

		if (s == NULL || (eq = strchr(s, '=')) == NULL || eq == s ||
		    (size_t)(eq - s) >= sizeof(key)) {
			fprintf(stderr, "spendctl: --param %s: expected "
			    "KEY=VALUE\n", s ? s : "");
			json_decref(arr);	/* s is arr's */
			return EXIT_USAGE;
		}
		snprintf(key, sizeof(key), "%.*s", (int)(eq - s), s);
		if (!strcmp(key, "name") || !strcmp(key, "user") ||
		    json_object_get(params, key) != NULL) {
			fprintf(stderr, "spendctl: --param %s: %s\n", s,
			    json_object_get(params, key) ? "given twice" :
			    "reserved (use the argument or --user)");
			json_decref(arr);
			return EXIT_USAGE;
		}
		json_object_set_new(params, key, json_string(eq + 1));
	}
	json_decref(arr);
	if (conn_call(c, cmd->method, params, &res) < 0)
		return EXIT_ERR;
	return ctl_output(c, res, cmd->print);
}

/* An array of flat objects as a table, columns from the first one's
 * keys; false if arr is not that. */
static bool
table_of(json_t *arr)
{
	const char *keys[MAX_COLS], *heads[MAX_COLS], *cells[MAX_COLS];
	char align[MAX_COLS + 1], up[MAX_COLS][64];
	struct table *t;
	json_t *first = json_array_get(arr, 0), *o, *v;
	const char *k;
	size_t n = 0, i;

	if (!json_is_object(first))
		return false;
	json_object_foreach(first, k, v) {
		if (n == MAX_COLS || json_is_object(v) || json_is_array(v))
			return false;
		keys[n] = k;
		snprintf(up[n], sizeof(up[n]), "%s", k);
		for (char *p = up[n]; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		heads[n] = up[n];
		/* counts and sums to the right */
		align[n] = json_is_integer(v) || !strcmp(k, "sum") ||
		    !strcmp(k, "amount") ? 'r' : 'l';
		n++;
	}
	align[n] = '\0';
	t = table_new(align, heads);
	json_array_foreach(arr, i, o) {
		char buf[MAX_COLS][256];

		for (size_t j = 0; j < n; j++)
			cells[j] = jstr(o, keys[j], buf[j], sizeof(buf[j]));
		table_add(t, cells);
	}
	table_print(t, stdout);
	table_free(t);
	return true;
}

/*
 * A report is the plugin's JSON. Reports shaped like summary's
 * ({"rows": [...], "totals": [...], scalars}) print as tables under the
 * scalar lines; anything else prints as JSON.
 */
int
print_report(struct ctl *c, json_t *r)
{
	json_t *rows = json_object_get(r, "rows");
	json_t *totals = json_object_get(r, "totals");
	json_t *head, *v;
	const char *k;

	if (!json_is_array(rows) || (totals && !json_is_array(totals))) {
		if (json_dumpf(r, stdout, JSON_INDENT(2) | JSON_ENCODE_ANY) == 0)
			fputc('\n', stdout);
		return 0;
	}
	head = json_object();
	json_object_foreach(r, k, v)
		if (!json_is_array(v) && !json_is_object(v) &&
		    !(json_is_string(v) && *json_string_value(v) == '\0'))
			json_object_set(head, k, v);
	print_kv(c, head);
	json_decref(head);
	if (json_array_size(rows) == 0) {
		printf("\nno rows\n");
		return 0;
	}
	putchar('\n');
	if (!table_of(rows))
		json_dumpf(rows, stdout, JSON_INDENT(2));
	if (json_array_size(totals) > 0) {
		printf("\ntotals:\n");
		if (!table_of(totals))
			json_dumpf(totals, stdout, JSON_INDENT(2));
	}
	return 0;
}
