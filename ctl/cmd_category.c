/* category list|show|add|rename|archive|unarchive|delete: what they print. */
#include <stdio.h>

#include "spendctl.h"
#include "table.h"

int
print_category(struct ctl *c, json_t *cat)
{
	return print_kv(c, cat);
}

int
print_category_list(struct ctl *c, json_t *res)
{
	static const char *const heads[] = { "ID", "NAME", "EXPENSES", "" };
	json_t *items = json_object_get(res, "items"), *cat;
	struct table *t;
	size_t i;

	(void)c;
	if (json_array_size(items) == 0) {
		printf("no categories\n");
		return 0;
	}
	t = table_new("rlrl", heads);
	json_array_foreach(items, i, cat) {
		char id[32], n[32];
		const char *row[4] = { jstr(cat, "id", id, sizeof(id)),
		    json_string_value(json_object_get(cat, "name")),
		    jstr(cat, "expenses", n, sizeof(n)),
		    json_is_true(json_object_get(cat, "archived")) ?
		    "archived" : "" };

		table_add(t, row);
	}
	table_print(t, stdout);
	table_free(t);
	printf("%zu categor%s\n", json_array_size(items),
	    json_array_size(items) == 1 ? "y" : "ies");
	return 0;
}

int
print_category_deleted(struct ctl *c, json_t *res)
{
	const char *to = json_string_value(json_object_get(res, "moved_to"));

	(void)c;
	printf("deleted category %s", json_string_value(json_object_get(res,
	    "name")));
	if (to)
		printf(" (its expenses moved to %s)", to);
	putchar('\n');
	return 0;
}
