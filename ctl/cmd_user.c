/* user add|list|show|rm: what they print. */
#include <stdio.h>

#include "spendctl.h"
#include "table.h"

int
print_user(struct ctl *c, json_t *u)
{
	return print_kv(c, u);
}

int
print_user_list(struct ctl *c, json_t *res)
{
	static const char *const heads[] = { "ID", "NAME", "ROLE", "CURRENCY",
	    "TIMEZONE", "PASSWORD", "CREATED" };
	json_t *items = json_object_get(res, "items"), *u;
	struct table *t;
	size_t i;

	(void)c;
	if (json_array_size(items) == 0) {
		printf("no users (add one with: spendctl user add NAME)\n");
		return 0;
	}
	t = table_new("rllllll", heads);
	json_array_foreach(items, i, u) {
		char id[32], pw[8], b[3][64];
		const char *row[7] = { jstr(u, "id", id, sizeof(id)),
		    jstr(u, "name", b[0], sizeof(b[0])),
		    jstr(u, "role", b[1], sizeof(b[1])),
		    jstr(u, "currency", b[2], sizeof(b[2])),
		    json_string_value(json_object_get(u, "timezone")),
		    jstr(u, "has_password", pw, sizeof(pw)),
		    json_string_value(json_object_get(u, "created_at")) };

		table_add(t, row);
	}
	table_print(t, stdout);
	table_free(t);
	printf("%zu user%s\n", json_array_size(items),
	    json_array_size(items) == 1 ? "" : "s");
	return 0;
}

int
print_user_deleted(struct ctl *c, json_t *res)
{
	(void)c;
	printf("deleted user %s and all their data\n",
	    json_string_value(json_object_get(res, "name")));
	return 0;
}
