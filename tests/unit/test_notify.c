/* The deliverer: the retry schedule, webhook_allow, routing and the
 * attempts of a delivery through a notifier plugin (in-process, no loop:
 * notify_poll does what the loop's wake-ups do). */
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "jsonp.h"
#include "notify.h"
#include "notify_cfg.h"
#include "outbox.h"
#include "plugin.h"
#include "urlallow.h"
#include "write.h"

/* ---- the retry schedule ---- */

static void
test_retry(void **state)
{
	struct notify_retry r;
	struct spend_err err;

	(void)state;
	assert_int_equal(notify_retry_parse("10s 1m 5m 30m", "retry", &r, &err),
	    0);
	assert_int_equal(notify_retry_attempts(&r), 5);
	assert_int_equal(notify_retry_delay(&r, 1), 10);
	assert_int_equal(notify_retry_delay(&r, 2), 60);
	assert_int_equal(notify_retry_delay(&r, 3), 300);
	assert_int_equal(notify_retry_delay(&r, 4), 1800);
	assert_int_equal(notify_retry_delay(&r, 5), -1);	/* the last */
	assert_int_equal(notify_retry_delay(&r, 0), -1);
	/* the default is exponential-ish, 5 attempts */
	assert_int_equal(notify_retry_parse(NOTIFY_RETRY_DEFAULT, "retry", &r,
	    &err), 0);
	assert_int_equal(notify_retry_attempts(&r), 5);
	/* commas, plain seconds, hours and days */
	assert_int_equal(notify_retry_parse("0,90,2h,1d", "retry", &r, &err), 0);
	assert_int_equal(notify_retry_attempts(&r), 5);
	assert_int_equal(notify_retry_delay(&r, 1), 0);
	assert_int_equal(notify_retry_delay(&r, 2), 90);
	assert_int_equal(notify_retry_delay(&r, 3), 7200);
	assert_int_equal(notify_retry_delay(&r, 4), 86400);
	/* none: one attempt */
	assert_int_equal(notify_retry_parse("", "retry", &r, &err), 0);
	assert_int_equal(notify_retry_attempts(&r), 1);
	assert_int_equal(notify_retry_delay(&r, 1), -1);
	/* bad words, named */
	assert_int_equal(notify_retry_parse("10s 5x", "retry", &r, &err),
	    SPEND_EINVAL);
	assert_string_equal(err.field, "retry");
	assert_non_null(strstr(err.msg, "\"5x\""));
	assert_int_equal(notify_retry_parse("-1s", "retry", &r, &err),
	    SPEND_EINVAL);
	assert_int_equal(notify_retry_parse("8d", "retry", &r, &err),
	    SPEND_EINVAL);
	assert_int_equal(notify_retry_parse("1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s "
	    "1s 1s 1s 1s 1s 1s 1s 1s 1s 1s", "retry", &r, &err), SPEND_EINVAL);
	assert_non_null(strstr(err.msg, "at most 20"));
}

/* ---- webhook_allow ---- */

static void
test_allow_patterns(void **state)
{
	static const char *const bad[] = {
		"ftp://x.example.com/*",	/* scheme */
		"hooks.example.com/*",		/* no scheme */
		"http://",			/* no host */
		"http://a*b.example.com/",	/* * inside a label */
		"http://*/",			/* * alone */
		"http://x.example.com:0/",
		"http://x.example.com:70000/",
		"http://x.example.com:8o/",
		"http://user@x.example.com/",	/* user@ */
		"http://x.example.com/a*b",	/* * inside the path */
		"http://x.example.com/a?b=1",	/* query */
		"http://[::1/",			/* unclosed */
		"http://[example]/",		/* not IPv6 */
		"http://x.example.com*",	/* neither port nor path */
		NULL };
	struct url_pattern p[URLALLOW_MAX];
	struct spend_err err;
	size_t n;

	(void)state;
	for (int i = 0; bad[i]; i++) {
		if (urlallow_parse(bad[i], "webhook_allow", p, URLALLOW_MAX, &n,
		    &err) != SPEND_EINVAL)
			fail_msg("pattern %s accepted", bad[i]);
		assert_string_equal(err.field, "webhook_allow");
	}
	assert_int_equal(urlallow_parse("HTTPS://Hooks.Example.COM/* "
	    "http://[::1]:9000/in, https://*.example.org:*/", "webhook_allow", p,
	    URLALLOW_MAX, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(p[0].scheme, "https");
	assert_string_equal(p[0].host, "hooks.example.com");
	assert_int_equal(p[0].port, 443);
	assert_string_equal(p[0].path, "");	/* "/" and "*": any path */
	assert_string_equal(p[1].host, "[::1]");
	assert_int_equal(p[1].port, 9000);
	assert_string_equal(p[1].path, "/in");
	assert_false(p[1].prefix);
	assert_true(p[2].subdomains);
	assert_string_equal(p[2].host, ".example.org");
	assert_int_equal(p[2].port, -1);
	assert_string_equal(p[2].path, "/");
	assert_false(p[2].prefix);
	assert_int_equal(urlallow_parse("", "webhook_allow", p, URLALLOW_MAX, &n,
	    &err), 0);
	assert_int_equal(n, 0);
}

#define ALLOW "https://hooks.example.com/* http://127.0.0.1:8080/in/ " \
	"http://[::1]:9000/* https://*.example.org/hooks/* " \
	"https://api.example.net:8443/v1/*"

static void
test_allow_match(void **state)
{
	static const char *const yes[] = {
		"https://hooks.example.com/x",
		"https://hooks.example.com/",
		"https://hooks.example.com",		/* the path is "/" */
		"HTTPS://HOOKS.EXAMPLE.COM/X",		/* case of scheme, host */
		"https://hooks.example.com:443/x",	/* the default port */
		"https://hooks.example.com/a/../b",	/* curl squashes ".." */
		"https://hooks.example.com/x?a=1#f",	/* query, fragment */
		"http://127.0.0.1:8080/in/",
		"http://[::1]:9000/a",
		"http://[0:0:0:0:0:0:0:1]:9000/a",	/* curl's own form */
		"https://a.example.org/hooks/1",
		"https://a.b.example.org/hooks/",
		"https://api.example.net:8443/v1/x",
		/* curl decodes a host's %XX: what is checked is where it
		 * connects */
		"https://hooks%2eexample.com/x",
		NULL };
	static const struct {
		const char *url, *why;
	} no[] = {
		{ "http://hooks.example.com/x", "not allowed" },	/* scheme */
		{ "https://hooks.example.com:8443/x", "not allowed" },	/* port */
		{ "https://hooks.example.com.evil.com/", "not allowed" },
		{ "https://evilhooks.example.com/", "not allowed" },
		{ "https://hooks.example.com@evil.com/", "no user" },
		{ "https://hooks.example.com:443@evil.com/", "no user" },
		{ "https://user:pw@hooks.example.com/", "no user" },
		{ "https://evil.com/@hooks.example.com/", "not allowed" },
		{ "https://evil.com#@hooks.example.com/", "not allowed" },
		{ "https://evil.com?@hooks.example.com/", "not allowed" },
		{ "https://hooks.example.com./x", "not allowed" },	/* dot */
		{ "http://127.0.0.1:8080/in/x", "not allowed" },	/* exact */
		{ "http://127.0.0.1:8080/in", "not allowed" },
		{ "http://127.0.0.1/in/", "not allowed" },		/* port 80 */
		{ "http://localhost:8080/in/", "not allowed" },
		{ "http://[::1]:9001/a", "not allowed" },
		{ "http://[::2]:9000/a", "not allowed" },
		{ "http://[::ffff:127.0.0.1]:8080/in/", "not allowed" },
		{ "http://[fe80::1%25eth0]:9000/", "zone" },
		{ "https://example.org/hooks/", "not allowed" },	/* apex */
		{ "https://a.example.org/other", "not allowed" },
		{ "https://api.example.net/v1/x", "not allowed" },	/* 443 */
		{ "https://api.example.net:8443/v2/", "not allowed" },
		{ "ftp://hooks.example.com/x", "only http and https" },
		{ "https://hooks.ex\xc3\xa4mple.com/x", "" },
		{ "https://hooks\xef\xbc\x8e" "example.com/x", "" },	/* U+FF0E */
		{ "https://a\xe3\x80\x82" "example.org/hooks/", "" },	/* U+3002 */
		{ "https://hooks.example.com\\@evil.com/", "" },
		{ "file:///etc/passwd", "" },
		{ "https://hooks.example.com/x y", "spaces" },
		{ "https://hooks.example.com/\n", "spaces" },
		{ "hooks.example.com/x", "" },
		{ "", "" },
		{ NULL, NULL } };
	struct spend_err err;

	(void)state;
	for (int i = 0; yes[i]; i++)
		if (urlallow_check(ALLOW, yes[i], "target", &err) != 0)
			fail_msg("%s refused: %s", yes[i], err.msg);
	for (int i = 0; no[i].url; i++) {
		if (urlallow_check(ALLOW, no[i].url, "target", &err) !=
		    SPEND_EINVAL)
			fail_msg("%s allowed", no[i].url);
		assert_string_equal(err.field, "target");
		if (strstr(err.msg, no[i].why) == NULL)
			fail_msg("%s: \"%s\" lacks \"%s\"", no[i].url, err.msg,
			    no[i].why);
	}
	/* no pattern: webhooks are off */
	assert_int_equal(urlallow_check("", "https://hooks.example.com/",
	    "target", &err), SPEND_EINVAL);
	assert_non_null(strstr(err.msg, "webhooks are off"));
}

/* ---- the deliverer, in-process ---- */

#define MAX_SEEN 32

/* What the "rec" notifier was given, and how it answers. */
static struct {
	int n;
	char kind[MAX_SEEN][32];
	char json[MAX_SEEN][512];
	char target[MAX_SEEN][128];
	int attempt[MAX_SEEN];
	int max_attempts[MAX_SEEN];
	enum spend_delivery_result answer[MAX_SEEN];	/* by call */
	int hold;		/* > 0: keep the next calls' d, answer none */
	struct spend_delivery *held;
} rec;

static const struct spend_host_api *rec_host;

static void
rec_deliver(struct spend_plugin *self, const struct spend_event *ev,
    struct spend_delivery *d)
{
	int i = rec.n++;

	(void)self;
	assert_true(i < MAX_SEEN);
	assert_int_equal(ev->type, SPEND_EVENT_OUTBOX);
	snprintf(rec.kind[i], sizeof(rec.kind[i]), "%s", ev->kind);
	snprintf(rec.json[i], sizeof(rec.json[i]), "%s", ev->json);
	snprintf(rec.target[i], sizeof(rec.target[i]), "%s", ev->target);
	rec.attempt[i] = ev->attempt;
	rec.max_attempts[i] = ev->max_attempts;
	if (rec.hold > 0) {
		rec.hold--;
		rec.held = d;
		return;
	}
	rec_host->delivery_done(d, rec.answer[i], rec.answer[i] ==
	    SPEND_DELIVERED ? NULL : "scripted failure");
}

static int
rec_init(const struct spend_host_api *host, struct spend_plugin *self)
{
	static const struct spend_notifier n = {
		.version = SPEND_NOTIFIER_V2, .name = "rec",
		.description = "records", .deliver = rec_deliver,
		.target = SPEND_TARGET_EMAIL,
	};

	rec_host = host;
	return host->register_notifier(self, &n);
}

static int v1_calls;

static void
v1_notify(struct spend_plugin *self, const struct spend_event *ev)
{
	(void)self;
	if (ev->type == SPEND_EVENT_OUTBOX)
		v1_calls++;
}

static int
v1_init(const struct spend_host_api *host, struct spend_plugin *self)
{
	static const struct spend_notifier n = { .version = SPEND_NOTIFIER_V1,
		.name = "old", .description = "a V1 notifier",
		.notify = v1_notify };

	return host->register_notifier(self, &n);
}

struct fx {
	struct spendd *sd;
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	memset(&rec, 0, sizeof(rec));
	v1_calls = 0;
	fx->sd = tu_spendd();
	/* three attempts, no wait between them: each poll is the next */
	strlcpy(fx->sd->cfg.notify_retry, "0s 0s",
	    sizeof(fx->sd->cfg.notify_retry));
	assert_int_equal(plugins_add_static(fx->sd, "rec", rec_init), 0);
	assert_int_equal(plugins_add_static(fx->sd, "old", v1_init), 0);
	json_decref(tu_ok(fx->sd, NULL, "user.add", "{\"name\": \"alice\"}"));
	assert_int_equal(notify_start(fx->sd), 0);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	notify_free(fx->sd);
	plugins_unload(fx->sd);
	tu_spendd_free(fx->sd);
	free(fx);
	return 0;
}

/* The state and attempts of the newest delivery of event ev on channel. */
static void
delivery(struct spendd *sd, long long ev, const char *channel, char *state,
    int *attempts)
{
	json_t *r = tu_ok(sd, "alice", "notify.deliveries", "{}"), *d;
	size_t i;

	state[0] = '\0';
	*attempts = -1;
	json_array_foreach(json_object_get(r, "items"), i, d)
		if (tu_int(d, "event") == ev && strcmp(tu_str(d, "channel"),
		    channel) == 0) {
			strcpy(state, tu_str(d, "state"));
			*attempts = (int)tu_int(d, "attempts");
			break;
		}
	json_decref(r);
}

/* An outbox event of alice's, as a budget alert or a reminder would be
 * stored: in a write with the write that caused it. */
static long long
add_event(struct spendd *sd, const char *kind, const char *msg)
{
	struct write_tx w;
	struct spend_err err;
	struct user u;
	json_t *ev = jp_pack("{s:s}", "message", msg);
	int64_t id;

	assert_int_equal(store_user_by_name(sd->store, "alice", &u, &err), 0);
	assert_int_equal(write_begin(&w, sd->store, u.id, &err), 0);
	assert_int_equal(outbox_add(&w, kind, ev, &id, &err), 0);
	assert_int_equal(write_commit(&w, &err), 0);
	write_run_hooks(&w, sd);
	json_decref(ev);
	return id;
}

static void
test_settings(void **state)
{
	struct fx *fx = *state;
	json_t *r;

	TU_FAILS(fx->sd, "alice", "notify.set", "{\"channel\": \"sms\"}",
	    SPEND_EINVAL, "channel", "no channel \"sms\" (have: rec, old)");
	TU_FAILS(fx->sd, "alice", "notify.set", "{\"channel\": \"rec\"}",
	    SPEND_EINVAL, "target", "target is required");
	TU_FAILS(fx->sd, "alice", "notify.set", "{\"channel\": \"rec\", "
	    "\"target\": \"a@b\"}", SPEND_EINVAL, "target",
	    "not an email address");
	TU_FAILS(fx->sd, "alice", "notify.set", "{\"channel\": \"old\", "
	    "\"target\": \"a@b.c\"}", SPEND_EINVAL, "target", "takes none");
	TU_FAILS(fx->sd, "alice", "notify.set", "{\"channel\": \"rec\", "
	    "\"target\": \"a@b.c\", \"kinds\": [\"budget\"]}", SPEND_EINVAL,
	    "kinds", "\"budget\" is not a kind");
	TU_FAILS(fx->sd, "alice", "notify.set", "{\"channel\": \"rec\", "
	    "\"target\": \"a@b.c\", \"rotate_secret\": true}", SPEND_EINVAL,
	    "rotate_secret", "signs nothing");
	TU_FAILS(fx->sd, "alice", "notify.test", "{}", SPEND_EINVAL, "channel",
	    "no channel to test");
	r = tu_ok(fx->sd, "alice", "notify.set", "{\"channel\": \"rec\", "
	    "\"target\": \"alice@example.com\", \"kinds\": [\"reminder\", "
	    "\"alert\", \"alert\"]}");
	/* in the order of notify_kinds, once each; no secret for this one */
	{
		char *k = json_dumps(json_object_get(r, "kinds"), JSON_COMPACT);

		assert_string_equal(k, "[\"alert\",\"reminder\"]");
		free(k);
	}
	assert_null(json_object_get(r, "secret"));
	json_decref(r);
	/* the target stays when only the kinds change */
	r = tu_ok(fx->sd, "alice", "notify.set", "{\"channel\": \"rec\", "
	    "\"kinds\": [\"*\"]}");
	assert_string_equal(tu_str(r, "target"), "alice@example.com");
	json_decref(r);
	r = tu_ok(fx->sd, "alice", "notify.settings", "{}");
	assert_int_equal(json_array_size(json_object_get(r, "channels")), 1);
	assert_int_equal(json_array_size(json_object_get(r, "available")), 2);
	json_decref(r);
	json_decref(tu_ok(fx->sd, "alice", "notify.remove",
	    "{\"channel\": \"rec\"}"));
	TU_FAILS(fx->sd, "alice", "notify.remove", "{\"channel\": \"rec\"}",
	    SPEND_ENOTFOUND, "channel", "no channel \"rec\"");
}

static void
test_route_and_deliver(void **state)
{
	struct fx *fx = *state;
	char st[16];
	int att;
	long long a, b, t;
	json_t *r;

	json_decref(tu_ok(fx->sd, "alice", "notify.set", "{\"channel\": "
	    "\"rec\", \"target\": \"alice@example.com\", \"kinds\": "
	    "[\"alert\"]}"));
	json_decref(tu_ok(fx->sd, "alice", "notify.set", "{\"channel\": "
	    "\"old\", \"kinds\": [\"reminder\"]}"));
	a = add_event(fx->sd, "alert", "Food is at 80% of its budget");
	b = add_event(fx->sd, "reminder", "Rent is due tomorrow");
	notify_poll(fx->sd);
	/* the alert to rec only, the reminder to the V1 notifier only */
	assert_int_equal(rec.n, 1);
	assert_string_equal(rec.kind[0], "alert");
	assert_string_equal(rec.target[0], "alice@example.com");
	assert_int_equal(rec.attempt[0], 1);
	assert_int_equal(rec.max_attempts[0], 3);
	{
		char want[128];

		snprintf(want, sizeof(want), "{\"id\":%lld,\"kind\":\"alert\","
		    "\"user\":\"alice\",\"created_at\":\"", a);
		assert_memory_equal(rec.json[0], want, strlen(want));
		assert_non_null(strstr(rec.json[0], "\"data\":{\"message\":"
		    "\"Food is at 80% of its budget\"}}"));
	}
	assert_int_equal(v1_calls, 1);
	delivery(fx->sd, a, "rec", st, &att);
	assert_string_equal(st, "sent");
	assert_int_equal(att, 1);
	delivery(fx->sd, b, "old", st, &att);
	assert_string_equal(st, "sent");
	/* nothing more on the next poll */
	notify_poll(fx->sd);
	assert_int_equal(rec.n, 1);
	assert_int_equal(v1_calls, 1);

	/* a test goes to every channel of the user, whatever the kinds */
	r = tu_ok(fx->sd, "alice", "notify.test", "{}");
	t = tu_int(r, "event");
	json_decref(r);
	notify_poll(fx->sd);
	assert_int_equal(rec.n, 2);
	assert_string_equal(rec.kind[1], "test");
	assert_int_equal(v1_calls, 2);
	/* or to the one it names */
	r = tu_ok(fx->sd, "alice", "notify.test", "{\"channel\": \"old\"}");
	json_decref(r);
	notify_poll(fx->sd);
	assert_int_equal(rec.n, 2);
	assert_int_equal(v1_calls, 3);
	delivery(fx->sd, t, "rec", st, &att);
	assert_string_equal(st, "sent");
}

static void
test_retries(void **state)
{
	struct fx *fx = *state;
	char st[16];
	int att;
	long long a, b, c;
	json_t *s;

	json_decref(tu_ok(fx->sd, "alice", "notify.set", "{\"channel\": "
	    "\"rec\", \"target\": \"alice@example.com\"}"));
	/* fails twice, then delivered on the third attempt */
	rec.answer[0] = SPEND_DELIVERY_RETRY;
	rec.answer[1] = SPEND_DELIVERY_RETRY;
	rec.answer[2] = SPEND_DELIVERED;
	a = add_event(fx->sd, "alert", "one");
	notify_poll(fx->sd);
	delivery(fx->sd, a, "rec", st, &att);
	assert_string_equal(st, "pending");
	assert_int_equal(att, 1);
	notify_poll(fx->sd);
	notify_poll(fx->sd);
	assert_int_equal(rec.n, 3);
	assert_int_equal(rec.attempt[2], 3);
	delivery(fx->sd, a, "rec", st, &att);
	assert_string_equal(st, "sent");
	assert_int_equal(att, 3);
	/* fails three times: failed after the last */
	rec.answer[3] = rec.answer[4] = rec.answer[5] = SPEND_DELIVERY_RETRY;
	b = add_event(fx->sd, "alert", "two");
	for (int i = 0; i < 5; i++)
		notify_poll(fx->sd);
	assert_int_equal(rec.n, 6);
	delivery(fx->sd, b, "rec", st, &att);
	assert_string_equal(st, "failed");
	assert_int_equal(att, 3);
	/* failed for good at once */
	rec.answer[6] = SPEND_DELIVERY_FAILED;
	c = add_event(fx->sd, "alert", "three");
	notify_poll(fx->sd);
	notify_poll(fx->sd);
	assert_int_equal(rec.n, 7);
	delivery(fx->sd, c, "rec", st, &att);
	assert_string_equal(st, "failed");
	assert_int_equal(att, 1);
	s = notify_status(fx->sd, fx->sd->store);
	assert_int_equal(tu_int(s, "failed"), 2);
	assert_int_equal(tu_int(s, "sent"), 1);
	assert_int_equal(tu_int(s, "pending"), 0);
	json_decref(s);
}

static void
test_restart(void **state)
{
	struct fx *fx = *state;
	char st[16];
	int att;
	long long a;

	json_decref(tu_ok(fx->sd, "alice", "notify.set", "{\"channel\": "
	    "\"rec\", \"target\": \"alice@example.com\"}"));
	/* an attempt that never ends: a stop (or a crash) cuts it short */
	rec.hold = 1;
	a = add_event(fx->sd, "alert", "one");
	notify_poll(fx->sd);
	assert_int_equal(rec.n, 1);
	assert_int_equal(notify_busy(fx->sd), 1);
	notify_poll(fx->sd);
	assert_int_equal(rec.n, 1);	/* not twice at once */
	notify_free(fx->sd);
	delivery(fx->sd, a, "rec", st, &att);
	assert_string_equal(st, "pending");
	assert_int_equal(att, 0);
	/* the next start runs it again, as the first attempt */
	rec.answer[1] = SPEND_DELIVERED;
	assert_int_equal(notify_start(fx->sd), 0);
	notify_poll(fx->sd);
	assert_int_equal(rec.n, 2);
	assert_int_equal(rec.attempt[1], 1);
	delivery(fx->sd, a, "rec", st, &att);
	assert_string_equal(st, "sent");
	/* the old handle is void: a late answer is ignored */
	rec_host->delivery_done(rec.held, SPEND_DELIVERY_RETRY, "late");
	delivery(fx->sd, a, "rec", st, &att);
	assert_string_equal(st, "sent");
}

static void
test_channel_gone(void **state)
{
	struct fx *fx = *state;
	char st[16];
	int att;
	long long a;

	json_decref(tu_ok(fx->sd, "alice", "notify.set", "{\"channel\": "
	    "\"rec\", \"target\": \"alice@example.com\"}"));
	rec.answer[0] = SPEND_DELIVERY_RETRY;
	a = add_event(fx->sd, "alert", "one");
	notify_poll(fx->sd);
	json_decref(tu_ok(fx->sd, "alice", "notify.remove",
	    "{\"channel\": \"rec\"}"));
	notify_poll(fx->sd);
	assert_int_equal(rec.n, 1);
	delivery(fx->sd, a, "rec", st, &att);
	assert_string_equal(st, "failed");
	assert_int_equal(att, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retry),
		cmocka_unit_test(test_allow_patterns),
		cmocka_unit_test(test_allow_match),
		cmocka_unit_test_setup_teardown(test_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_and_deliver, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_retries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_channel_gone, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
