/* spendctl sync status, device rename|rm: the change log and devices. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "spendctl.h"
#include "table.h"

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

int
print_sync_status(struct ctl *c, json_t *res)
{
	static const char *const heads[] = { "SESSION", "DEVICE", "LAST SEEN",
	    "PULLED", "LAG", NULL };
	json_t *items = json_object_get(res, "devices"), *d;
	struct table *t;
	size_t i;

	(void)c;
	printf("change log: at %" JSON_INTEGER_FORMAT ", kept after %"
	    JSON_INTEGER_FORMAT "\n",
	    json_integer_value(json_object_get(res, "head")),
	    json_integer_value(json_object_get(res, "floor")));
	if (json_array_size(items) == 0) {
		printf("no devices signed in\n");
		return 0;
	}
	t = table_new("lllrr", heads);
	json_array_foreach(items, i, d) {
		char seq[24] = "never", lag[24] = "-", name[80];
		json_t *l = json_object_get(d, "lag");

		if (json_is_integer(l)) {
			snprintf(seq, sizeof(seq), "%" JSON_INTEGER_FORMAT,
			    json_integer_value(json_object_get(d, "sync_seq")));
			snprintf(lag, sizeof(lag), "%" JSON_INTEGER_FORMAT,
			    json_integer_value(l));
		}
		snprintf(name, sizeof(name), "%s%s", str(d, "device")[0] ?
		    str(d, "device") : "(unnamed)",
		    json_is_true(json_object_get(d, "current")) ? " *" : "");
		const char *row[5] = { str(d, "id"), name, str(d, "last_used_at"),
		    seq, lag };

		table_add(t, row);
	}
	table_print(t, stdout);
	table_free(t);
	return 0;
}

int
print_device(struct ctl *c, json_t *res)
{
	(void)c;
	if (json_is_true(json_object_get(res, "revoked")))
		printf("session %s ended\n", str(res, "id"));
	else
		printf("session %s: device \"%s\"\n", str(res, "id"),
		    str(res, "device"));
	return 0;
}
