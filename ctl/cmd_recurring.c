/* spendctl recurring add|list|show|edit|pause|resume|skip|rm|upcoming|
 * settings|remind: what they print. */
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

/* "month on 15", "2 weeks on mon,thu", "day" */
static void
every_text(json_t *r, char *buf, size_t size)
{
	long long n = (long long)json_integer_value(json_object_get(r,
	    "interval"));
	const char *on = str(r, "on");

	if (n > 1)
		snprintf(buf, size, "%lld %ss", n, str(r, "every"));
	else
		snprintf(buf, size, "%s", str(r, "every"));
	if (*on) {
		strncat(buf, " on ", size - strlen(buf) - 1);
		strncat(buf, on, size - strlen(buf) - 1);
	}
}

static const char *
state_text(json_t *r)
{
	if (json_is_string(json_object_get(r, "error")))
		return "stopped";
	if (json_is_true(json_object_get(r, "paused")))
		return "paused";
	if (!json_is_string(json_object_get(r, "next")))
		return "over";
	return "active";
}

/* "until 2025-01-31", "3 times", "" */
static void
limit_text(json_t *r, char *buf, size_t size)
{
	json_t *count = json_object_get(r, "count");

	buf[0] = '\0';
	if (json_is_string(json_object_get(r, "end")))
		snprintf(buf, size, "until %s", str(r, "end"));
	else if (json_is_integer(count))
		snprintf(buf, size, "%lld times",
		    (long long)json_integer_value(count));
}

static void
tags_text(json_t *tags, char *buf, size_t size)
{
	size_t i;
	json_t *t;

	buf[0] = '\0';
	json_array_foreach(tags, i, t) {
		if (i > 0)
			strncat(buf, ",", size - strlen(buf) - 1);
		strncat(buf, json_string_value(t) ? json_string_value(t) : "",
		    size - strlen(buf) - 1);
	}
}

int
print_recurring(struct ctl *c, json_t *r)
{
	struct table *t = table_new("ll", NULL);
	char id[32], ver[32], done[32], amount[64], every[128], limit[64],
	    tags[1024], nexts[256];
	json_t *nd = json_object_get(r, "next_dates"), *d;
	const char *rows[][2] = {
		{ "id", jstr(r, "id", id, sizeof(id)) },
		{ "amount", amount },
		{ "category", str(r, "category") },
		{ "every", every },
		{ "start", str(r, "start") },
		{ "ends", limit },
		{ "next", nexts },
		{ "state", state_text(r) },
		{ "done", jstr(r, "done", done, sizeof(done)) },
		{ "payee", str(r, "payee") },
		{ "note", str(r, "note") },
		{ "tags", tags },
		{ "error", str(r, "error") },
		{ "skipped", str(r, "skipped") },
		{ "version", jstr(r, "version", ver, sizeof(ver)) },
	};
	size_t i;

	(void)c;
	snprintf(amount, sizeof(amount), "%s %s", str(r, "amount"),
	    str(r, "currency"));
	every_text(r, every, sizeof(every));
	limit_text(r, limit, sizeof(limit));
	tags_text(json_object_get(r, "tags"), tags, sizeof(tags));
	snprintf(nexts, sizeof(nexts), "%s", str(r, "next"));
	if (json_array_size(nd) > 1) {
		nexts[0] = '\0';
		json_array_foreach(nd, i, d) {
			if (i)
				strncat(nexts, " ", sizeof(nexts) -
				    strlen(nexts) - 1);
			strncat(nexts, json_string_value(d), sizeof(nexts) -
			    strlen(nexts) - 1);
		}
	}
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (rows[i][1][0] || i == 0)
			table_add(t, rows[i]);
	table_print(t, stdout);
	table_free(t);
	return 0;
}

int
print_recurring_list(struct ctl *c, json_t *res)
{
	static const char *const heads[] = { "ID", "AMOUNT", "CUR", "CATEGORY",
	    "EVERY", "NEXT", "STATE", "PAYEE", NULL };
	json_t *items = json_object_get(res, "items"), *r;
	struct table *t;
	size_t i;

	(void)c;
	if (json_array_size(items) == 0) {
		printf("no recurring expenses\n");
		return 0;
	}
	t = table_new("rrllllll", heads);
	json_array_foreach(items, i, r) {
		char id[32], every[128];
		const char *row[8] = { jstr(r, "id", id, sizeof(id)),
		    str(r, "amount"), str(r, "currency"), str(r, "category"),
		    every, str(r, "next"), state_text(r), str(r, "payee") };

		every_text(r, every, sizeof(every));
		if (!row[5][0])
			row[5] = "-";
		table_add(t, row);
	}
	table_print(t, stdout);
	table_free(t);
	printf("%zu recurring expense%s\n", json_array_size(items),
	    json_array_size(items) == 1 ? "" : "s");
	return 0;
}

int
print_recurring_deleted(struct ctl *c, json_t *r)
{
	long long n = (long long)json_integer_value(json_object_get(r,
	    "expenses_deleted"));

	(void)c;
	printf("deleted recurring expense %lld", (long long)json_integer_value(
	    json_object_get(r, "id")));
	if (n)
		printf(" and the %lld expense%s it created", n,
		    n == 1 ? "" : "s");
	printf("\n");
	return 0;
}

int
print_recurring_upcoming(struct ctl *c, json_t *res)
{
	static const char *const heads[] = { "DATE", "RULE", "AMOUNT", "CUR",
	    "CATEGORY", "PAYEE", NULL };
	json_t *items = json_object_get(res, "items"), *o, *sum;
	const char *code;
	struct table *t;
	size_t i;

	(void)c;
	if (json_array_size(items) == 0) {
		printf("nothing due from %s to %s\n", str(res, "from"),
		    str(res, "to"));
		return 0;
	}
	t = table_new("lrrlll", heads);
	json_array_foreach(items, i, o) {
		char id[32];
		const char *row[6] = { str(o, "date"),
		    jstr(o, "rule_id", id, sizeof(id)), str(o, "amount"),
		    str(o, "currency"), str(o, "category"), str(o, "payee") };

		table_add(t, row);
	}
	table_print(t, stdout);
	table_free(t);
	printf("%zu due from %s to %s:", json_array_size(items),
	    str(res, "from"), str(res, "to"));
	json_object_foreach(json_object_get(res, "sum"), code, sum)
		printf(" %s %s", json_string_value(sum), code);
	printf("\n");
	return 0;
}

int
print_recurring_settings(struct ctl *c, json_t *res)
{
	long long d = (long long)json_integer_value(json_object_get(res,
	    "remind_days"));

	(void)c;
	if (d == 0)
		printf("reminders: off\n");
	else
		printf("reminders: %lld day%s ahead\n", d, d == 1 ? "" : "s");
	return 0;
}
