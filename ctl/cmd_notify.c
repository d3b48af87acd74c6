/* spendctl notify show|set|off|test|list, rate fetch, and the status
 * lines of deliveries and the rates fetch. */
#include <stdio.h>
#include <string.h>

#include "spendctl.h"
#include "table.h"

static const char *
s_of(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static long long
n_of(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* ["alert", "reminder"] as "alert, reminder"; "*" as "all"; [] as
 * "tests only" */
static void
kinds_text(json_t *kinds, char *buf, size_t size)
{
	size_t i;
	json_t *k;

	buf[0] = '\0';
	json_array_foreach(kinds, i, k) {
		const char *s = json_string_value(k);

		if (buf[0])
			strncat(buf, ", ", size - strlen(buf) - 1);
		strncat(buf, s && strcmp(s, "*") == 0 ? "all" : s ? s : "",
		    size - strlen(buf) - 1);
	}
	if (buf[0] == '\0')
		snprintf(buf, size, "(tests only)");
}

int
print_notify_settings(struct ctl *c, json_t *res)
{
	static const char *const heads[] = { "CHANNEL", "TARGET", "KINDS",
	    "SIGNED", NULL };
	json_t *chans = json_object_get(res, "channels"), *ch;
	json_t *avail = json_object_get(res, "available");
	struct table *t;
	size_t i;

	(void)c;
	if (json_array_size(chans) == 0)
		printf("no channels: you get no notifications\n");
	else {
		t = table_new("llll", heads);
		json_array_foreach(chans, i, ch) {
			char kinds[256], target[2100];
			const char *row[4];

			kinds_text(json_object_get(ch, "kinds"), kinds,
			    sizeof(kinds));
			snprintf(target, sizeof(target), "%s%s",
			    s_of(ch, "target"), json_is_false(json_object_get(ch,
			    "available")) ? " (not available now)" : "");
			row[0] = s_of(ch, "channel");
			row[1] = target;
			row[2] = kinds;
			row[3] = json_is_true(json_object_get(ch,
			    "secret_set")) ? "yes" : "";
			table_add(t, row);
		}
		table_print(t, stdout);
		table_free(t);
	}
	printf("available:");
	json_array_foreach(avail, i, ch)
		printf("%s %s (%s)", i ? "," : "", s_of(ch, "name"),
		    strcmp(s_of(ch, "target"), "none") == 0 ? "no target" :
		    s_of(ch, "target"));
	printf("%s\n", json_array_size(avail) ? "" : " none");
	return 0;
}

int
print_notify_channel(struct ctl *c, json_t *res)
{
	char kinds[256];

	(void)c;
	kinds_text(json_object_get(res, "kinds"), kinds, sizeof(kinds));
	printf("%s%s%s: %s\n", s_of(res, "channel"),
	    *s_of(res, "target") ? " to " : "", s_of(res, "target"), kinds);
	if (json_object_get(res, "secret")) {
		printf("signing secret: %s\n", s_of(res, "secret"));
		printf("(%s)\n", s_of(res, "secret_note"));
	}
	return 0;
}

int
print_notify_removed(struct ctl *c, json_t *res)
{
	(void)c;
	printf("%s: off\n", s_of(res, "channel"));
	return 0;
}

int
print_notify_test(struct ctl *c, json_t *res)
{
	json_t *ch = json_object_get(res, "channels"), *v;
	size_t i;

	(void)c;
	printf("test event %lld queued for", n_of(res, "event"));
	json_array_foreach(ch, i, v)
		printf("%s %s", i ? "," : "", json_string_value(v));
	printf(" (spendctl notify list shows its deliveries)\n");
	return 0;
}

int
print_notify_deliveries(struct ctl *c, json_t *res)
{
	static const char *const heads[] = { "ID", "EVENT", "KIND", "CHANNEL",
	    "STATE", "ATTEMPTS", "WHEN", "LAST ERROR", NULL };
	json_t *items = json_object_get(res, "items"), *d;
	struct table *t;
	size_t i;

	(void)c;
	if (json_array_size(items) == 0) {
		printf("no deliveries\n");
		return 0;
	}
	t = table_new("rrlllrll", heads);
	json_array_foreach(items, i, d) {
		char id[24], ev[24], att[16], when[64];
		const char *state = s_of(d, "state");
		const char *row[8];

		snprintf(id, sizeof(id), "%lld", n_of(d, "id"));
		snprintf(ev, sizeof(ev), "%lld", n_of(d, "event"));
		snprintf(att, sizeof(att), "%lld", n_of(d, "attempts"));
		if (strcmp(state, "pending") == 0)
			snprintf(when, sizeof(when), "%s %s",
			    json_is_true(json_object_get(d, "running")) ?
			    "running since" : "next", json_is_true(
			    json_object_get(d, "running")) ? s_of(d,
			    "updated_at") : s_of(d, "next_at"));
		else
			snprintf(when, sizeof(when), "%s", s_of(d, "updated_at"));
		row[0] = id;
		row[1] = ev;
		row[2] = s_of(d, "kind");
		row[3] = s_of(d, "channel");
		row[4] = state;
		row[5] = att;
		row[6] = when;
		row[7] = s_of(d, "last_error");
		table_add(t, row);
	}
	table_print(t, stdout);
	table_free(t);
	return 0;
}

int
print_rate_fetch(struct ctl *c, json_t *res)
{
	(void)c;
	printf("%s: %s\n", s_of(res, "url"), s_of(res, "result"));
	return 0;
}

/* status: "deliveries" and "rates_fetch" as lines print_kv shows. */
void
status_notify(json_t *status)
{
	json_t *d = json_object_get(status, "deliveries");
	json_t *r = json_object_get(status, "rates_fetch");
	char line[1400];

	if (json_is_object(d)) {
		snprintf(line, sizeof(line), "%lld pending (%lld running), %lld "
		    "failed, %lld sent; %lld retried since start",
		    n_of(d, "pending"), n_of(d, "running"), n_of(d, "failed"),
		    n_of(d, "sent"), n_of(d, "retried"));
		json_object_set_new(status, "deliveries", json_string(line));
	}
	if (json_is_object(r)) {
		json_incref(r);
		json_object_del(status, "rates_fetch");
		if (*s_of(r, "url") == '\0')
			json_object_set_new(status, "rates fetch",
			    json_string("off (no [rates] url)"));
		else {
			snprintf(line, sizeof(line), "%s, next %s%s",
			    s_of(r, "url"), s_of(r, "next"), json_is_true(
			    json_object_get(r, "running")) ? "; running" : "");
			json_object_set_new(status, "rates fetch",
			    json_string(line));
			if (*s_of(r, "last_attempt")) {
				snprintf(line, sizeof(line), "%s %s: %s",
				    s_of(r, "last_attempt"), json_is_true(
				    json_object_get(r, "ok")) ? "ok" : "FAILED",
				    s_of(r, "result"));
				json_object_set_new(status, "last rates fetch",
				    json_string(line));
			}
		}
		json_decref(r);
	}
}
