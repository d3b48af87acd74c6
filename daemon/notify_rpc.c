/* notify.* handlers: a user's channels, a test event, their deliveries. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handlers.h"
#include "jsonp.h"
#include "log.h"
#include "notify.h"
#include "outbox.h"
#include "plugin.h"
#include "urlallow.h"
#include "util.h"

#define SECRET_PREFIX "whsec_"
#define TEST_MESSAGE "This is a test notification from Spend."
#define MESSAGE_MAX 500

static const char *
target_name(unsigned t)
{
	return t == SPEND_TARGET_EMAIL ? "email address" :
	    t == SPEND_TARGET_URL ? "URL" : "none";
}

/* ",alert,reminder," as ["alert", "reminder"] */
static json_t *
kinds_json(const char *kinds)
{
	json_t *a = json_array();
	char buf[NOTIFY_KINDS_MAX + 1], *save = NULL;

	strlcpy(buf, kinds, sizeof(buf));
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",",
	    &save))
		json_array_append_new(a, json_string(w));
	return a;
}

static json_t *
channel_json(struct spendd *sd, const struct notify_channel *c)
{
	json_t *o = jp_pack("{s:s, s:s, s:o, s:b, s:s, s:b}", "channel",
	    c->channel, "target", c->target, "kinds", kinds_json(c->kinds),
	    "secret_set", c->secret[0] != '\0', "updated_at", c->updated_at,
	    "available", notify_channel(sd, c->channel, NULL) != NULL);

	return o;
}

struct list_ctx {
	struct spendd *sd;
	json_t *arr;
};

static int
settings_cb(void *arg, const struct notify_channel *c)
{
	struct list_ctx *lc = arg;

	return jp_append(lc->arr, channel_json(lc->sd, c));
}

static json_t *
available_json(struct spendd *sd)
{
	const struct spend_notifier *vt;
	json_t *a = json_array();

	for (size_t i = 0; (vt = plugins_notifier_at(sd, i, NULL)) != NULL;
	    i++) {
		if (notify_channel(sd, vt->name, NULL) == NULL)
			continue;
		json_array_append_new(a, jp_pack("{s:s, s:s, s:s, s:b}", "name",
		    vt->name, "target", target_name(notify_channel_target(vt)),
		    "description", vt->description && utf8_valid(
		    vt->description, strlen(vt->description)) ?
		    vt->description : "", "signed",
		    (notify_channel_flags(vt) & SPEND_NOTIFY_SECRET) != 0));
	}
	return a;
}

static json_t *
kinds_known(void)
{
	json_t *a = json_array();

	for (int i = 0; notify_kinds[i]; i++)
		json_array_append_new(a, json_string(notify_kinds[i]));
	return a;
}

int
h_notify_settings(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct list_ctx lc = { c->sd, json_array() };
	int r;

	(void)p;
	if ((r = store_notify_channel_list(c->st, c->uid, settings_cb, &lc,
	    err)) < 0) {
		json_decref(lc.arr);
		return r;
	}
	*res = jp_pack("{s:o, s:o, s:o}", "channels", lc.arr, "available",
	    available_json(c->sd), "kinds", kinds_known());
	return 0;
}

/* The channel param: a channel users may choose. */
static const struct spend_notifier *
channel_param(struct rpc_call *c, json_t *p, const char **name,
    struct spend_err *err)
{
	const struct spend_notifier *vt;
	char have[256];

	if (jp_cstr(p, "channel", true, name, err) < 0)
		return NULL;
	if ((vt = notify_channel(c->sd, *name, NULL)) == NULL) {
		notify_channel_names(c->sd, have, sizeof(have));
		spend_errf(err, SPEND_EINVAL, "channel", "no channel \"%.64s\" "
		    "(have: %s)", *name, have);
		return NULL;
	}
	return vt;
}

/* kinds (an array) into ",a,b," in the order of notify_kinds, or ",*,". */
static int
kinds_param(json_t *v, char *out, size_t size, struct spend_err *err)
{
	bool want[16] = { false }, all = false;
	size_t i;
	json_t *k;

	json_array_foreach(v, i, k) {
		const char *s = json_string_value(k);
		int j;

		if (s == NULL)
			return spend_errf(err, SPEND_EINVAL, "kinds", "kinds must "
			    "be strings");
		if (strcmp(s, "*") == 0 || strcmp(s, "all") == 0) {
			all = true;
			continue;
		}
		for (j = 0; notify_kinds[j] && strcmp(notify_kinds[j], s); j++)
			;
		if (notify_kinds[j] == NULL) {
			char known[128] = "";

			for (j = 0; notify_kinds[j]; j++) {
				strlcat(known, notify_kinds[j], sizeof(known));
				strlcat(known, ", ", sizeof(known));
			}
			return spend_errf(err, SPEND_EINVAL, "kinds", "kinds: "
			    "\"%.40s\" is not a kind of event (%s* or all)", s,
			    known);
		}
		want[j] = true;
	}
	if (all) {
		strlcpy(out, ",*,", size);
		return 0;
	}
	strlcpy(out, ",", size);
	for (int j = 0; notify_kinds[j]; j++)
		if (want[j]) {
			strlcat(out, notify_kinds[j], size);
			strlcat(out, ",", size);
		}
	if (strcmp(out, ",") == 0)
		out[0] = '\0';
	return 0;
}

static void
new_secret(char out[NOTIFY_SECRET_MAX + 1])
{
	unsigned char b[32];
	char hex[65];

	randombytes_buf(b, sizeof(b));
	hex_encode(b, sizeof(b), hex);
	snprintf(out, NOTIFY_SECRET_MAX + 1, SECRET_PREFIX "%s", hex);
	sodium_memzero(b, sizeof(b));
}

/*
 * Not an RPC_WRITE: its reply may carry a new signing secret, shown this
 * once, so it is neither published to the user's live clients nor kept
 * for idempotent replays; it writes in its own write transaction.
 */
int
h_notify_set(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	const struct spend_notifier *vt;
	struct notify_channel ch;
	const char *name, *target;
	struct write_tx w;
	bool rotate = false, fresh = false, have = false;
	unsigned t;
	json_t *jk;
	int r;

	if ((vt = channel_param(c, p, &name, err)) == NULL)
		return SPEND_EINVAL;
	if (jp_cstr(p, "target", false, &target, err) < 0 ||
	    jp_bool(p, "rotate_secret", &rotate, NULL, err) < 0)
		return SPEND_EINVAL;
	memset(&ch, 0, sizeof(ch));
	r = store_notify_channel_get(c->st, c->uid, name, &ch, err);
	if (r < 0 && r != SPEND_ENOTFOUND)
		return r;
	have = r == 0;
	if (!have) {
		memset(&ch, 0, sizeof(ch));
		strlcpy(ch.channel, name, sizeof(ch.channel));
		strlcpy(ch.kinds, ",*,", sizeof(ch.kinds));
	}
	t = notify_channel_target(vt);
	if (target && *target && t == SPEND_TARGET_NONE)
		return spend_errf(err, SPEND_EINVAL, "target", "target: the %s "
		    "channel takes none", name);
	if (t != SPEND_TARGET_NONE) {
		if (target == NULL && !have)
			return spend_errf(err, SPEND_EINVAL, "target", "target is "
			    "required: your %s for the %s channel",
			    target_name(t), name);
		if (target) {
			if (strlen(target) > NOTIFY_TARGET_MAX)
				return spend_errf(err, SPEND_EINVAL, "target",
				    "target: at most %d bytes",
				    NOTIFY_TARGET_MAX);
			if (t == SPEND_TARGET_EMAIL &&
			    !notify_email_valid(target))
				return spend_errf(err, SPEND_EINVAL, "target",
				    "target \"%.100s\": not an email address "
				    "like name@example.com", target);
			if (t == SPEND_TARGET_URL && (r = urlallow_check(
			    c->sd->cfg.notify_webhook_allow, target, "target",
			    err)) < 0)
				return r;
			strlcpy(ch.target, target, sizeof(ch.target));
		}
	}
	if ((jk = json_object_get(p, "kinds")) != NULL && !json_is_null(jk) &&
	    kinds_param(jk, ch.kinds, sizeof(ch.kinds), err) < 0)
		return SPEND_EINVAL;
	if (rotate && !(notify_channel_flags(vt) & SPEND_NOTIFY_SECRET))
		return spend_errf(err, SPEND_EINVAL, "rotate_secret",
		    "rotate_secret: the %s channel signs nothing", name);
	if ((notify_channel_flags(vt) & SPEND_NOTIFY_SECRET) &&
	    (ch.secret[0] == '\0' || rotate)) {
		new_secret(ch.secret);
		fresh = true;
	}
	if ((r = write_begin(&w, c->st, c->uid, err)) < 0)
		return r;
	if ((r = store_notify_channel_set(c->st, c->uid, &ch, err)) < 0 ||
	    (r = write_commit(&w, err)) < 0) {
		write_rollback(&w);
		sodium_memzero(ch.secret, sizeof(ch.secret));
		return r;
	}
	write_run_hooks(&w, c->sd);
	*res = channel_json(c->sd, &ch);
	if (fresh) {
		json_object_set_new(*res, "secret", json_string(ch.secret));
		json_object_set_new(*res, "secret_note", json_string("shown "
		    "this once: keep it to check the Spend-Signature header of "
		    "each request (rotate_secret makes a new one)"));
		log_info("notify: %s %s the %s channel's signing secret",
		    c->user.name, have && rotate ? "rotated" : "created", name);
	}
	sodium_memzero(ch.secret, sizeof(ch.secret));
	return 0;
}

int
h_notify_remove(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	const char *name;
	bool found;
	int r;

	if (jp_cstr(p, "channel", true, &name, err) < 0)
		return SPEND_EINVAL;
	if ((r = store_notify_channel_delete(c->st, c->uid, name, &found,
	    err)) < 0)
		return r;
	if (!found)
		return spend_errf(err, SPEND_ENOTFOUND, "channel", "no channel "
		    "\"%.64s\" in your settings", name);
	*res = jp_pack("{s:s, s:b}", "channel", name, "removed", true);
	return 0;
}

struct names {
	json_t *arr;
	const char *only;
};

static int
names_cb(void *arg, const struct notify_channel *ch)
{
	struct names *nm = arg;

	if (nm->only == NULL || strcmp(nm->only, ch->channel) == 0)
		json_array_append_new(nm->arr, json_string(ch->channel));
	return 0;
}

/*
 * Not an RPC_WRITE either, though it writes (in its own write
 * transaction): the outbox publishes the event to the user's live clients
 * as "notify.test", which is also this method's name; the method's reply
 * must not go there as a second, different "notify.test".
 */
int
h_notify_test(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct names nm = { json_array(), NULL };
	const char *msg = NULL;
	struct write_tx w;
	json_t *ev;
	int64_t id;
	int r;

	if (jp_cstr(p, "channel", false, &nm.only, err) < 0 ||
	    jp_cstr(p, "message", false, &msg, err) < 0)
		goto fail;
	if (msg && (strlen(msg) > MESSAGE_MAX || !text_clean(msg, "\t\n"))) {
		spend_errf(err, SPEND_EINVAL, "message", "message: at most %d "
		    "bytes of text", MESSAGE_MAX);
		goto fail;
	}
	if ((r = store_notify_channel_list(c->st, c->uid, names_cb, &nm,
	    err)) < 0) {
		json_decref(nm.arr);
		return r;
	}
	if (json_array_size(nm.arr) == 0) {
		if (nm.only)
			spend_errf(err, SPEND_EINVAL, "channel", "no channel "
			    "\"%.64s\" in your settings", nm.only);
		else
			spend_errf(err, SPEND_EINVAL, "channel", "you have no "
			    "channel to test: set one first (notify.set)");
		goto fail;
	}
	ev = jp_pack("{s:s}", "message", msg ? msg : TEST_MESSAGE);
	if (nm.only)
		json_object_set_new(ev, "channel", json_string(nm.only));
	if ((r = write_begin(&w, c->st, c->uid, err)) == 0 &&
	    ((r = outbox_add(&w, "test", ev, &id, err)) < 0 ||
	    (r = write_commit(&w, err)) < 0))
		write_rollback(&w);
	json_decref(ev);
	if (r < 0) {
		json_decref(nm.arr);
		return r;
	}
	write_run_hooks(&w, c->sd);	/* publishes it: the deliverer wakes */
	*res = jp_pack("{s:I, s:s, s:o}", "event", (json_int_t)id, "kind",
	    "test", "channels", nm.arr);
	return 0;
fail:
	json_decref(nm.arr);
	return SPEND_EINVAL;
}

static void
unix_time(int64_t t, char out[TIMESTAMP_LEN + 1])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, TIMESTAMP_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int
delivery_cb(void *arg, const struct delivery *d)
{
	char next[TIMESTAMP_LEN + 1];
	json_t *o;

	o = jp_pack("{s:I, s:I, s:s, s:s, s:s, s:i, s:s, s:s, s:s}", "id",
	    (json_int_t)d->id, "event", (json_int_t)d->outbox_id, "kind",
	    d->kind, "channel", d->channel, "state", d->state, "attempts",
	    d->attempts, "last_error", d->last_error, "created_at",
	    d->created_at, "updated_at", d->updated_at);
	if (strcmp(d->state, "pending") == 0) {
		unix_time(d->next_at, next);
		json_object_set_new(o, "next_at", json_string(next));
		json_object_set_new(o, "running", json_boolean(d->started_at !=
		    0));
	}
	return jp_append(arg, o);
}

int
h_notify_deliveries(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	json_t *arr = json_array();
	int64_t limit = 50;
	int r;

	if (jp_int(p, "limit", false, 1, 500, &limit, NULL, err) < 0) {
		json_decref(arr);
		return SPEND_EINVAL;
	}
	if ((r = store_delivery_list(c->st, c->uid, (int)limit, delivery_cb,
	    arr, err)) < 0) {
		json_decref(arr);
		return r;
	}
	*res = jp_pack("{s:o, s:I}", "items", arr, "count",
	    (json_int_t)json_array_size(arr));
	return 0;
}
