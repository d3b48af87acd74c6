/* expense add|list|show|edit|rm: what they print, and list --all. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spendctl.h"
#include "table.h"

#define NOTE_COLUMN 40		/* characters of a note shown in a list */
#define PAGE_ALL 500		/* page size of list --all (the maximum) */

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* s cut to max characters (not bytes) with "..." when longer. */
static const char *
clip(const char *s, size_t max, char *buf, size_t size)
{
	size_t chars = 0, i;

	for (i = 0; s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && ++chars > max)
			break;
	if (s[i] == '\0' || i + 4 > size)
		return s;
	memcpy(buf, s, i);
	memcpy(buf + i, "...", 4);
	return buf;
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

/* "split: food 12.00, household 8.00" (parts' notes in parentheses),
 * or "" when not split. */
static void
split_text(json_t *e, bool notes, char *buf, size_t size)
{
	json_t *parts = json_object_get(e, "parts"), *p;
	size_t i, n;

	buf[0] = '\0';
	json_array_foreach(parts, i, p) {
		n = strlen(buf);
		snprintf(buf + n, size - n, "%s%s %s", i ? ", " : "split: ",
		    str(p, "category"), str(p, "amount"));
		if (notes && str(p, "note")[0]) {
			n = strlen(buf);
			snprintf(buf + n, size - n, " (%s)", str(p, "note"));
		}
	}
}

/* --split CAT:AMOUNT[:NOTE] (params' "parts", strings) into the parts
 * objects; the amount is the first field after a ':' that reads as a
 * number, so a category may hold ':' ("Food:Bread:12.50"). */
static int
parts_from_args(json_t *params)
{
	json_t *list = json_object_get(params, "parts"), *out, *v;
	size_t i;

	if (!json_is_array(list) || json_array_size(list) == 0)
		return 0;	/* absent, or --no-split's [] */
	out = json_array();
	json_array_foreach(list, i, v) {
		const char *s = json_string_value(v), *c, *amt = NULL, *end;
		json_t *o;

		if (s == NULL) {
			json_decref(out);
			return ctl_err("--split: CAT:AMOUNT[:NOTE] expected");
		}
		for (c = strchr(s, ':'); c && !amt; c = strchr(c + 1, ':')) {
			const char *q = c + 1;

			if (*q == '-' || *q == '+')
				q++;
			if (*q >= '0' && *q <= '9') {
				while ((*q >= '0' && *q <= '9') || *q == '.' ||
				    *q == ',')
					q++;
				if (*q == '\0' || *q == ':')
					amt = c + 1;
			}
		}
		if (amt == NULL || amt - 1 == s) {
			json_decref(out);
			return ctl_err("--split \"%s\": CAT:AMOUNT[:NOTE] "
			    "expected (like food:12.50)", s);
		}
		end = strchr(amt, ':');
		o = json_pack("{s:s%, s:s%}", "category", s,
		    (size_t)(amt - 1 - s), "amount", amt, end ?
		    (size_t)(end - amt) : strlen(amt));
		if (o == NULL)
			abort();
		if (end)
			json_object_set_new(o, "note", json_string(end + 1));
		json_array_append_new(out, o);
	}
	json_object_set_new(params, "parts", out);
	return 0;
}

int
run_expense_split(struct ctl *c, const struct ctl_cmd *cmd, json_t *params)
{
	int r;

	if ((r = parts_from_args(params)) != 0)
		return r;
	return ctl_run_default(c, cmd, params);
}

int
print_expense(struct ctl *c, json_t *e)
{
	struct table *t = table_new("ll", NULL);
	char id[32], ver[32], amount[64], tags[1024], split[4096];
	const char *rows[][2] = {
		{ "id", jstr(e, "id", id, sizeof(id)) },
		{ "date", str(e, "date") },
		{ "amount", amount },
		{ "category", str(e, "category") },
		{ "split", split },
		{ "payee", str(e, "payee") },
		{ "note", str(e, "note") },
		{ "tags", tags },
		{ "version", jstr(e, "version", ver, sizeof(ver)) },
		{ "created", str(e, "created_at") },
		{ "updated", str(e, "updated_at") },
	};

	(void)c;
	snprintf(amount, sizeof(amount), "%s %s", str(e, "amount"),
	    str(e, "currency"));
	tags_text(json_object_get(e, "tags"), tags, sizeof(tags));
	split_text(e, true, split, sizeof(split));
	if (split[0])	/* without its "split: " */
		memmove(split, split + 7, strlen(split + 7) + 1);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (strcmp(rows[i][0], "split") || split[0])
			table_add(t, rows[i]);
	table_print(t, stdout);
	table_free(t);
	print_suggested_rule(json_object_get(e, "suggested_rule"));
	return 0;
}

/* "12.50 EUR, 1000 JPY" */
static void
sums_text(json_t *sum, char *buf, size_t size)
{
	const char *cur;
	json_t *v;

	buf[0] = '\0';
	json_object_foreach(sum, cur, v) {
		size_t n = strlen(buf);

		snprintf(buf + n, size - n, "%s%s %s", n ? ", " : "",
		    json_string_value(v) ? json_string_value(v) : "?", cur);
	}
}

int
print_expense_list(struct ctl *c, json_t *res)
{
	static const char *const heads[] = { "ID", "DATE", "AMOUNT", "CUR",
	    "CATEGORY", "PAYEE", "NOTE", "TAGS" };
	json_t *items = json_object_get(res, "items"), *e;
	json_int_t count = json_integer_value(json_object_get(res, "count"));
	const char *next = json_string_value(json_object_get(res,
	    "next_cursor"));
	size_t i, n = json_array_size(items);
	char sums[512];
	struct table *t;

	(void)c;
	if (n > 0) {
		t = table_new("rlrlllll", heads);
		json_array_foreach(items, i, e) {
			char id[32], note[NOTE_COLUMN * 4 + 4], tags[1024];
			char split[2048];
			const char *row[8] = { jstr(e, "id", id, sizeof(id)),
			    str(e, "date"), str(e, "amount"), str(e, "currency"),
			    str(e, "category"), str(e, "payee"),
			    clip(str(e, "note"), NOTE_COLUMN, note,
			    sizeof(note)), tags };

			tags_text(json_object_get(e, "tags"), tags,
			    sizeof(tags));
			/* a split: its parts in the note's column, once */
			split_text(e, false, split, sizeof(split));
			if (split[0]) {
				row[4] = "(split)";
				row[6] = split;
			}
			table_add(t, row);
		}
		table_print(t, stdout);
		table_free(t);
	}
	sums_text(json_object_get(res, "sum"), sums, sizeof(sums));
	if (count == 0)
		printf("no expenses\n");
	else if ((json_int_t)n == count)
		printf("%lld expense%s, sum %s\n", (long long)count,
		    count == 1 ? "" : "s", sums);
	else
		printf("%zu of %lld expenses, sum of all %lld: %s\n", n,
		    (long long)count, (long long)count, sums);
	if (next)
		printf("next page: --cursor %s\n", next);
	return 0;
}

int
print_expense_deleted(struct ctl *c, json_t *res)
{
	(void)c;
	printf("deleted expense %lld\n",
	    (long long)json_integer_value(json_object_get(res, "id")));
	return 0;
}

/* --all: follow next_cursor and print the pages as one list (count and sum
 * already cover the whole filtered set in every page). */
int
run_expense_list(struct ctl *c, const struct ctl_cmd *cmd, json_t *params)
{
	json_t *all = NULL, *page;
	char *prev = NULL;

	if (!opts_local_flag(c, "all"))
		return ctl_run_default(c, cmd, params);
	if (json_object_get(params, "limit") == NULL)
		json_object_set_new(params, "limit", json_integer(PAGE_ALL));
	for (;;) {
		const char *next;

		if (conn_call(c, cmd->method, params, &page) < 0) {
			json_decref(all);
			free(prev);
			return EXIT_ERR;
		}
		if (all == NULL)
			all = json_incref(page);
		else
			json_array_extend(json_object_get(all, "items"),
			    json_object_get(page, "items"));
		next = json_string_value(json_object_get(page, "next_cursor"));
		if (next == NULL || (prev && strcmp(prev, next) == 0)) {
			json_decref(page);
			break;
		}
		free(prev);
		if ((prev = strdup(next)) == NULL)
			abort();
		json_object_set_new(params, "cursor", json_string(next));
		json_decref(page);
	}
	free(prev);
	json_object_set_new(all, "next_cursor", json_null());
	return ctl_output(c, all, cmd->print);
}
