/* [rates] url fetched daily on the loop, imported on a worker
 * (rates_fetch.h). */
#include <event2/event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handlers.h"
#include "httpc.h"
#include "jobs.h"
#include "jsonp.h"
#include "log.h"
#include "rates.h"
#include "rates_fetch.h"
#include "spendd.h"
#include "store.h"
#include "util.h"
#include "xmalloc.h"

#define FETCH_MAX (64 << 20)		/* the ECB history is ~7 MB */
#define FETCH_TIMEOUT_MS 120000
#define START_DELAY 2			/* seconds after start, when stale */
#define STALE 86400
#define META_KEY "rates_fetch"

struct waiter {
	struct waiter *next;
	struct rpc_call *call;
};

struct rates_fetch {
	struct spendd *sd;
	struct event *timer;
	bool running;			/* a GET or its import */
	int64_t next_at;		/* unix seconds of the next scheduled */
	struct waiter *waiters;		/* rate.fetch calls */
	/* the last attempt (also in meta) */
	char last_attempt[TIMESTAMP_LEN + 1];
	char last_ok[TIMESTAMP_LEN + 1];
	int64_t last_ok_unix;
	bool ok;
	char result[400];
	int64_t imported;
};

/* The import on a worker. */
struct import {
	struct rates_fetch *rf;
	char *text;
	size_t len;
	int64_t n;
	char skipped[256];
	struct spend_err err;
	int r;
};

static void schedule(struct rates_fetch *rf);

static void
save_state(struct rates_fetch *rf)
{
	struct spend_err err;
	json_t *o = jp_pack("{s:s, s:b, s:s, s:s, s:I, s:I}", "last_attempt",
	    rf->last_attempt, "ok", rf->ok, "result", rf->result, "last_ok",
	    rf->last_ok, "last_ok_unix", (json_int_t)rf->last_ok_unix,
	    "imported", (json_int_t)rf->imported);
	char *text = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	if (text == NULL)
		return;
	if (store_meta_set(rf->sd->store, META_KEY, text, &err) < 0)
		log_warnx("rates: cannot record the fetch: %s", err.msg);
	free(text);
}

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static void
load_state(struct rates_fetch *rf)
{
	struct spend_err err;
	char *text = NULL;
	json_t *o;

	if (store_meta_get(rf->sd->store, META_KEY, &text, &err) < 0 ||
	    text == NULL || (o = json_loads(text, 0, NULL)) == NULL) {
		free(text);
		return;
	}
	free(text);
	strlcpy(rf->last_attempt, str(o, "last_attempt"),
	    sizeof(rf->last_attempt));
	strlcpy(rf->last_ok, str(o, "last_ok"), sizeof(rf->last_ok));
	strlcpy(rf->result, str(o, "result"), sizeof(rf->result));
	rf->ok = json_is_true(json_object_get(o, "ok"));
	rf->last_ok_unix = json_integer_value(json_object_get(o,
	    "last_ok_unix"));
	rf->imported = json_integer_value(json_object_get(o, "imported"));
	json_decref(o);
}

/* Tell the waiting rate.fetch calls and forget them. */
static void
answer(struct rates_fetch *rf, const struct spend_err *err)
{
	while (rf->waiters) {
		struct waiter *w = rf->waiters;

		rf->waiters = w->next;
		if (err)
			rpc_complete(w->call, NULL, err);
		else
			rpc_complete(w->call, rates_fetch_status(rf->sd), NULL);
		free(w);
	}
}

static void
finish(struct rates_fetch *rf, bool ok, int64_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
finish(struct rates_fetch *rf, bool ok, int64_t n, const char *fmt, ...)
{
	struct spend_err err;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rf->result, sizeof(rf->result), fmt, ap);
	va_end(ap);
	utf8_scrub(rf->result);
	rf->ok = ok;
	rf->running = false;
	if (ok) {
		strlcpy(rf->last_ok, rf->last_attempt, sizeof(rf->last_ok));
		rf->last_ok_unix = time_now();
		rf->imported = n;
		log_info("rates: fetched %s: %s", rf->sd->cfg.rates_url,
		    rf->result);
	} else
		log_warnx("rates: fetching %s failed: %s", rf->sd->cfg.rates_url,
		    rf->result);
	save_state(rf);
	if (ok)
		answer(rf, NULL);
	else {
		spend_errf(&err, SPEND_EUNAVAIL, "", "fetching %s failed: %s",
		    rf->sd->cfg.rates_url, rf->result);
		answer(rf, &err);
	}
}

static void
import_work(struct job *job, void *arg)
{
	struct import *im = arg;
	struct store *st;

	if ((st = jobs_store(job, &im->err)) == NULL) {
		im->r = -1;
		return;
	}
	im->r = rates_import_ecb(st, im->text, im->len, &im->n, im->skipped,
	    sizeof(im->skipped), &im->err);
}

static void
import_done(struct job *job, void *arg)
{
	struct import *im = arg;

	(void)job;
	if (im->r < 0)
		finish(im->rf, false, 0, "not imported: %s", im->err.msg);
	else
		finish(im->rf, true, im->n, "%lld rates imported%s%s",
		    (long long)im->n, im->skipped[0] ? "; skipped " : "",
		    im->skipped);
	free(im->text);
	free(im);
}

static void
got(void *arg, const struct httpc_result *r)
{
	struct rates_fetch *rf = arg;
	struct import *im;
	struct spend_err err;

	if (r->curl_code != 0) {
		finish(rf, false, 0, "%s", r->error);
		return;
	}
	if (r->status != 200) {
		finish(rf, false, 0, "HTTP status %ld", r->status);
		return;
	}
	if (r->truncated) {
		finish(rf, false, 0, "larger than %d MB", FETCH_MAX >> 20);
		return;
	}
	im = xcalloc(1, sizeof(*im));
	if ((im->text = malloc(r->body_len + 1)) == NULL) {
		free(im);
		finish(rf, false, 0, "out of memory");
		return;
	}
	memcpy(im->text, r->body, r->body_len);
	im->len = r->body_len;
	im->rf = rf;
	if (jobs_submit(rf->sd, JOB_WRITE, import_work, import_done, im,
	    &err) < 0) {
		free(im->text);
		free(im);
		finish(rf, false, 0, "%s", err.msg);
	}
}

/* Start a fetch unless one runs. 0, or EUNAVAIL with err. */
static int
fetch(struct rates_fetch *rf, struct spend_err *err)
{
	struct httpc_req req;

	if (rf->running)
		return 0;
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.url = rf->sd->cfg.rates_url;
	req.timeout_ms = FETCH_TIMEOUT_MS;
	req.max_response = FETCH_MAX;
	req.max_redirects = 5;
	timestamp_now(rf->last_attempt);
	if (httpc_request(rf->sd, &req, got, rf, err) < 0) {
		rf->ok = false;
		snprintf(rf->result, sizeof(rf->result), "%s", err->msg);
		log_warnx("rates: cannot fetch %s: %s", rf->sd->cfg.rates_url,
		    err->msg);
		save_state(rf);
		return err->code;
	}
	rf->running = true;
	log_debug("rates: fetching %s", rf->sd->cfg.rates_url);
	return 0;
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct rates_fetch *rf = arg;
	struct spend_err err;

	(void)fd;
	(void)what;
	if (!rf->sd->stopping)
		fetch(rf, &err);
	schedule(rf);
}

/* The next fetch_at (UTC) after now. */
static int64_t
next_time(const char *hhmm, int64_t now)
{
	int h = (hhmm[0] - '0') * 10 + (hhmm[1] - '0');
	int m = (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
	int64_t day = now - now % 86400, t = day + h * 3600 + m * 60;

	return t > now ? t : t + 86400;
}

static void
schedule(struct rates_fetch *rf)
{
	int64_t now = time_now();
	struct timeval tv = { 0, 0 };

	rf->next_at = next_time(rf->sd->cfg.rates_fetch_at, now);
	tv.tv_sec = (time_t)(rf->next_at - now);
	evtimer_add(rf->timer, &tv);
}

int
rates_fetch_start(struct spendd *sd)
{
	struct rates_fetch *rf;
	struct timeval tv = { START_DELAY, 0 };

	if (sd->cfg.rates_url[0] == '\0')
		return 0;
	rf = xcalloc(1, sizeof(*rf));
	rf->sd = sd;
	if ((rf->timer = evtimer_new(sd->base, on_timer, rf)) == NULL) {
		free(rf);
		return -1;
	}
	sd->rates_fetch = rf;
	load_state(rf);
	if (rf->last_ok_unix < time_now() - STALE) {
		/* never fetched, or a day missed: soon, then daily */
		rf->next_at = time_now() + START_DELAY;
		evtimer_add(rf->timer, &tv);
	} else
		schedule(rf);
	log_info("rates: fetching %s daily at %s UTC", sd->cfg.rates_url,
	    sd->cfg.rates_fetch_at);
	return 0;
}

void
rates_fetch_stop(struct spendd *sd)
{
	struct rates_fetch *rf = sd->rates_fetch;
	struct spend_err err;

	if (rf == NULL)
		return;
	evtimer_del(rf->timer);
	spend_errf(&err, SPEND_EUNAVAIL, "", "spendd is shutting down");
	answer(rf, &err);
}

void
rates_fetch_free(struct spendd *sd)
{
	struct rates_fetch *rf = sd->rates_fetch;

	if (rf == NULL)
		return;
	event_free(rf->timer);
	while (rf->waiters) {
		struct waiter *w = rf->waiters;

		rf->waiters = w->next;
		free(w);
	}
	free(rf);
	sd->rates_fetch = NULL;
}

static void
unix_time(int64_t t, char out[TIMESTAMP_LEN + 1])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, TIMESTAMP_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

json_t *
rates_fetch_status(struct spendd *sd)
{
	struct rates_fetch *rf = sd->rates_fetch;
	char next[TIMESTAMP_LEN + 1];
	json_t *o;

	if (rf == NULL)
		return jp_pack("{s:s}", "url", "");
	unix_time(rf->next_at, next);
	o = jp_pack("{s:s, s:s, s:b}", "url", sd->cfg.rates_url, "next", next,
	    "running", rf->running);
	if (rf->last_attempt[0]) {
		json_object_set_new(o, "last_attempt",
		    json_string(rf->last_attempt));
		json_object_set_new(o, "ok", json_boolean(rf->ok));
		json_object_set_new(o, "result", json_string(rf->result));
	}
	if (rf->last_ok[0]) {
		json_object_set_new(o, "last_ok", json_string(rf->last_ok));
		json_object_set_new(o, "imported", json_integer(rf->imported));
	}
	return o;
}

int
h_rate_fetch(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct rates_fetch *rf = c->sd->rates_fetch;
	struct waiter *w;
	int r;

	(void)p;
	(void)res;
	if (rf == NULL)
		return spend_errf(err, SPEND_EUNAVAIL, "", "no [rates] url in "
		    "spendd.conf: nothing to fetch");
	if ((r = fetch(rf, err)) < 0)
		return r;
	w = xcalloc(1, sizeof(*w));
	w->call = c;
	w->next = rf->waiters;
	rf->waiters = w;
	return RPC_PENDING;
}
