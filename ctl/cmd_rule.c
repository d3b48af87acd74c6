/* rule add|list|rm|test|apply: what they print; expense edit's suggested
 * rule as a command. */
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

/* "payee contains \"cafe\", 10..50, EUR" */
static void
conditions(json_t *r, char *buf, size_t size)
{
	static const char *const keys[] = { "payee_contains", "payee_equals",
	    "payee_glob", "note_contains", "note_equals", "note_glob", NULL };
	size_t n;

	buf[0] = '\0';
	for (const char *const *k = keys; *k; k++) {
		const char *v = json_string_value(json_object_get(r, *k));
		char op[32];

		if (v == NULL)
			continue;
		strncpy(op, *k, sizeof(op) - 1);
		op[sizeof(op) - 1] = '\0';
		*strchr(op, '_') = ' ';
		n = strlen(buf);
		snprintf(buf + n, size - n, "%s%s \"%s\"", n ? ", " : "", op,
		    v);
	}
	if (json_object_get(r, "amount_min") || json_object_get(r,
	    "amount_max")) {
		n = strlen(buf);
		snprintf(buf + n, size - n, "%samount %s..%s", n ? ", " : "",
		    str(r, "amount_min"), str(r, "amount_max"));
	}
	if (str(r, "currency")[0]) {
		n = strlen(buf);
		snprintf(buf + n, size - n, "%s%s", n ? ", " : "",
		    str(r, "currency"));
	}
	if (str(r, "source")[0]) {
		n = strlen(buf);
		snprintf(buf + n, size - n, "%sfrom %s", n ? ", " : "",
		    str(r, "source"));
	}
}

/* "-> food, +coffee, payee \"Cafe\"" */
static void
actions(json_t *r, char *buf, size_t size)
{
	char tags[1024];
	size_t n;

	buf[0] = '\0';
	if (str(r, "category")[0])
		snprintf(buf, size, "-> %s%s", str(r, "category"),
		    json_is_false(json_object_get(r, "category_usable")) ?
		    " (deleted or archived: not set)" : "");
	tags_text(json_object_get(r, "tags"), tags, sizeof(tags));
	if (tags[0]) {
		n = strlen(buf);
		snprintf(buf + n, size - n, "%s+%s", n ? ", " : "", tags);
	}
	if (str(r, "rename")[0]) {
		n = strlen(buf);
		snprintf(buf + n, size - n, "%spayee \"%s\"", n ? ", " : "",
		    str(r, "rename"));
	}
	if (json_is_string(json_object_get(r, "set_note"))) {
		n = strlen(buf);
		snprintf(buf + n, size - n, "%snote \"%s\"", n ? ", " : "",
		    str(r, "set_note"));
	}
}

int
print_rule(struct ctl *c, json_t *r)
{
	char cond[1024], act[1024];

	(void)c;
	conditions(r, cond, sizeof(cond));
	actions(r, act, sizeof(act));
	printf("rule %lld (position %lld): %s %s\n",
	    (long long)json_integer_value(json_object_get(r, "id")),
	    (long long)json_integer_value(json_object_get(r, "position")),
	    cond, act);
	return 0;
}

int
print_rule_list(struct ctl *c, json_t *res)
{
	static const char *const heads[] = { "ID", "POS", "WHEN", "THEN" };
	json_t *items = json_object_get(res, "items"), *r;
	struct table *t;
	size_t i;

	(void)c;
	if (json_array_size(items) == 0) {
		printf("no rules\n");
		return 0;
	}
	t = table_new("rrll", heads);
	json_array_foreach(items, i, r) {
		char id[32], pos[32], cond[1024], act[1024];
		const char *row[4] = { jstr(r, "id", id, sizeof(id)),
		    jstr(r, "position", pos, sizeof(pos)), cond, act };

		conditions(r, cond, sizeof(cond));
		actions(r, act, sizeof(act));
		table_add(t, row);
	}
	table_print(t, stdout);
	table_free(t);
	printf("%zu rule%s\n", json_array_size(items),
	    json_array_size(items) == 1 ? "" : "s");
	return 0;
}

int
print_rule_deleted(struct ctl *c, json_t *res)
{
	(void)c;
	printf("deleted rule %lld\n",
	    (long long)json_integer_value(json_object_get(res, "id")));
	return 0;
}

int
print_rule_test(struct ctl *c, json_t *res)
{
	json_t *m = json_object_get(res, "matched"), *v;
	char tags[1024];
	size_t i;

	(void)c;
	if (json_array_size(m) == 0) {
		printf("no rule matches: uncategorised\n");
		return 0;
	}
	printf("matching rules:");
	json_array_foreach(m, i, v)
		printf("%s %lld", i ? "," : "", (long long)json_integer_value(v));
	printf("\n");
	if (json_is_string(json_object_get(res, "category")))
		printf("category  %s (rule %lld)\n", str(res, "category"),
		    (long long)json_integer_value(json_object_get(res,
		    "category_rule")));
	else
		printf("category  uncategorised\n");
	tags_text(json_object_get(res, "tags"), tags, sizeof(tags));
	if (tags[0])
		printf("tags      %s\n", tags);
	if (json_is_string(json_object_get(res, "payee")))
		printf("payee     %s\n", str(res, "payee"));
	if (json_is_string(json_object_get(res, "note")))
		printf("note      %s\n", str(res, "note"));
	return 0;
}

int
print_rule_apply(struct ctl *c, json_t *res)
{
	bool dry = json_is_true(json_object_get(res, "dry_run"));
	json_t *items = json_object_get(res, "items"), *v;
	long long n = json_integer_value(json_object_get(res, "changed"));
	size_t i;

	(void)c;
	if (json_array_size(items) > 0) {
		static const char *const heads[] = { "ID", "DATE", "PAYEE",
		    "FROM", "TO" };
		struct table *t = table_new("rllll", heads);

		json_array_foreach(items, i, v) {
			char id[32];
			const char *row[5] = { jstr(v, "id", id, sizeof(id)),
			    str(v, "date"), str(v, "payee"), str(v, "from"),
			    str(v, "to") };

			table_add(t, row);
		}
		table_print(t, stdout);
		table_free(t);
	}
	printf("%lld expense%s %s%s\n", n, n == 1 ? "" : "s", dry ?
	    "would change (dry run: nothing changed)" : "changed",
	    json_is_true(json_object_get(res, "more")) ? " (the first "
	    "ones listed)" : "");
	return 0;
}

/* s as one shell word: '...' with each ' as '\'' */
static void
shell_word(const char *s)
{
	putchar('\'');
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	putchar('\'');
}

void
print_suggested_rule(json_t *s)
{
	if (!json_is_object(s))
		return;
	printf("no rule matches this payee; to categorise it so from now "
	    "on:\n  spendctl rule add --payee-contains ");
	shell_word(str(s, "payee_contains"));
	fputs(" --category ", stdout);
	shell_word(str(s, "category"));
	putchar('\n');
}
