/* The dispatcher every transport shares (the method table: rpc_table.c). */
#include <event2/event.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "jobs.h"
#include "jsonp.h"
#include "log.h"
#include "metrics.h"
#include "rpc.h"
#include "util.h"

/* v against p: the messages the handlers' own readers (jsonp.h) give. */
static int
param_check(const struct rpc_param *p, json_t *v, struct spend_err *err)
{
	const char *k = p->name, *s;
	size_t len;

	switch (p->type) {
	case PT_STRING:
	case PT_DATE:
	case PT_MONTH:
	case PT_AMOUNT:
		if (p->type == PT_AMOUNT && (json_is_real(v) ||
		    json_is_integer(v)))
			return spend_errf(err, SPEND_EINVAL, k, "%s must be a "
			    "decimal string like \"12.50\", not a JSON number",
			    k);
		if (!json_is_string(v))
			return spend_errf(err, SPEND_EINVAL, k, "%s must be a "
			    "string", k);
		s = json_string_value(v);
		len = json_string_length(v);
		if (strlen(s) != len)
			return spend_errf(err, SPEND_EINVAL, k, "%s must not "
			    "contain NUL bytes", k);
		if (p->type == PT_STRING && p->max > 0 && (int64_t)len > p->max)
			return spend_errf(err, SPEND_EINVAL, k, "%s is too long "
			    "(%zu bytes, at most %lld)", k, len,
			    (long long)p->max);
		return 0;
	case PT_INT:
		if (json_is_integer(v)) {
			json_int_t n = json_integer_value(v);

			if (n < p->min || n > p->max)
				return spend_errf(err, SPEND_EINVAL, k, "%s must "
				    "be between %lld and %lld", k,
				    (long long)p->min, (long long)p->max);
			return 0;
		}
		if (json_is_string(v))	/* a query string's digits: the
					 * handler's reader parses them */
			return 0;
		return spend_errf(err, SPEND_EINVAL, k, "%s must be an integer",
		    k);
	case PT_BOOL:
		if (json_is_boolean(v) || (json_is_string(v) &&
		    (!strcmp(json_string_value(v), "true") ||
		    !strcmp(json_string_value(v), "false"))))
			return 0;
		return spend_errf(err, SPEND_EINVAL, k, "%s must be true or "
		    "false", k);
	case PT_REF:
		if (json_is_integer(v) || json_is_string(v))
			return 0;
		return spend_errf(err, SPEND_EINVAL, k, "%s must be a string (a "
		    "name) or an integer (an id)", k);
	case PT_LIST:
		if (!json_is_array(v))
			return spend_errf(err, SPEND_EINVAL, k, "%s must be an "
			    "array of strings", k);
		return 0;
	case PT_OBJECT:
		if (!json_is_object(v))
			return spend_errf(err, SPEND_EINVAL, k, "%s must be an "
			    "object", k);
		return 0;
	case PT_ANY:
		return 0;
	}
	return 0;
}

int
rpc_params_check(const struct rpc_method *m, json_t *params,
    struct spend_err *err)
{
	const char *key;
	json_t *v;
	int r;

	const struct rpc_param *alone = NULL;

	for (const struct rpc_param *p = m->params; p && p->name; p++)
		if ((p->flags & PF_ALONE) && (v = json_object_get(params,
		    p->name)) != NULL && !json_is_null(v))
			alone = p;
	json_object_foreach(params, key, v) {
		const struct rpc_param *p = rpc_param_find(m, key);

		if (alone && p != alone && p != NULL && !json_is_null(v))
			return spend_errf(err, SPEND_EINVAL, key,
			    "\"%s\" and \"%s\" exclude each other: put "
			    "\"%s\" in each of the %s", key, alone->name, key,
			    alone->name);

		if (p == NULL) {
			if (m->flags & RPC_MORE)
				continue;
			return spend_errf(err, SPEND_EINVAL, key,
			    "unknown parameter \"%.60s\"", key);
		}
		if (!json_is_null(v) && (r = param_check(p, v, err)) < 0)
			return r;
	}
	for (const struct rpc_param *p = m->params; p && p->name; p++)
		if (alone == NULL && (p->flags & PF_REQUIRED) && ((v = json_object_get(params,
		    p->name)) == NULL || json_is_null(v)))
			return spend_errf(err, SPEND_EINVAL, p->name,
			    "%s is required", p->name);
	return 0;
}

void
rpc_synopsis(const struct rpc_method *m, char *buf, size_t size)
{
	buf[0] = '\0';
	for (const struct rpc_param *p = m->params; p && p->name; p++) {
		if (buf[0])
			strlcat(buf, " ", size);
		if (!(p->flags & PF_REQUIRED))
			strlcat(buf, "[", size);
		strlcat(buf, p->name, size);
		if (!(p->flags & PF_REQUIRED))
			strlcat(buf, "]", size);
	}
	if (m->flags & RPC_MORE)
		strlcat(buf, buf[0] ? " [...]" : "[...]", size);
}

void
rpc_param_type(const struct rpc_param *p, char *buf, size_t size)
{
	switch (p->type) {
	case PT_STRING:
		if (p->max > 0)
			snprintf(buf, size, "string (at most %lld bytes)",
			    (long long)p->max);
		else
			strlcpy(buf, "string", size);
		break;
	case PT_INT:
		if (p->max == INT64_MAX)
			snprintf(buf, size, "integer >= %lld", (long long)p->min);
		else
			snprintf(buf, size, "integer %lld..%lld",
			    (long long)p->min, (long long)p->max);
		break;
	case PT_BOOL: strlcpy(buf, "boolean", size); break;
	case PT_AMOUNT: strlcpy(buf, "decimal string", size); break;
	case PT_DATE: strlcpy(buf, "date YYYY-MM-DD", size); break;
	case PT_MONTH: strlcpy(buf, "month YYYY-MM", size); break;
	case PT_REF: strlcpy(buf, "id or name", size); break;
	case PT_LIST: strlcpy(buf, "array of strings", size); break;
	case PT_OBJECT: strlcpy(buf, "object of strings", size); break;
	case PT_ANY: strlcpy(buf, "any", size); break;
	}
}

json_t *
rpc_error_object(const struct spend_err *err)
{
	json_t *data = json_object();
	char msg[sizeof(err->msg)], field[sizeof(err->field)];

	/* JSON strings must be UTF-8, and a message may quote bad input */
	strlcpy(msg, err->msg, sizeof(msg));
	strlcpy(field, err->field, sizeof(field));
	utf8_scrub(msg);
	utf8_scrub(field);
	json_object_set_new(data, "type", json_string(spend_err_name(err->code)));
	if (field[0])
		json_object_set_new(data, "field", json_string(field));
	return jp_pack("{s:i, s:s, s:o}", "code", spend_err_rpc_code(err->code),
	    "message", msg[0] ? msg : spend_err_name(err->code), "data", data);
}

/* ---- async writes in flight, by (uid, key): a retry gets 409 ---- */

struct rpc_inflight {
	struct rpc_inflight *next;
	int64_t uid;
	char key[129];
};

static bool
inflight_has(struct spendd *sd, int64_t uid, const char *key)
{
	for (struct rpc_inflight *f = sd->inflight; f; f = f->next)
		if (f->uid == uid && strcmp(f->key, key) == 0)
			return true;
	return false;
}

static void
inflight_add(struct spendd *sd, int64_t uid, const char *key)
{
	struct rpc_inflight *f = calloc(1, sizeof(*f));

	if (f == NULL)
		fatal("calloc");
	f->uid = uid;
	strlcpy(f->key, key, sizeof(f->key));
	f->next = sd->inflight;
	sd->inflight = f;
}

static void
inflight_del(struct spendd *sd, int64_t uid, const char *key)
{
	for (struct rpc_inflight **p = &sd->inflight; *p; p = &(*p)->next)
		if ((*p)->uid == uid && strcmp((*p)->key, key) == 0) {
			struct rpc_inflight *f = *p;
			*p = f->next;
			free(f);
			return;
		}
}

/* ---- one call ---- */

/* After the commit: the write's result to the events hub. */
struct publish {
	int64_t uid;
	const char *method;	/* static: the method table's */
	json_t *result;		/* the data, or NULL: */
	char *text;		/* the data as text, read into a tree only
				 * if a subscriber takes the event */
	size_t len;
	int64_t seq;		/* its own change-log number (one of a bulk
				 * add's), or 0: the write's last */
};

static void
publish_run(struct spendd *sd, void *arg)
{
	struct publish *p = arg;
	int64_t seq = sd ? sd->hook_seq : 0;

	if (p->result == NULL) {
		/* most writes have no one listening (no web UI open, no
		 * SSE client): their result is then never parsed */
		if (sd == NULL || !events_wanted(sd, p->uid, p->method))
			return;
		if ((p->result = json_loadb(p->text, p->len, JSON_DECODE_ANY,
		    NULL)) == NULL) {
			log_warnx("rpc: %s: its result is not JSON: no event",
			    p->method);
			return;
		}
	}
	if (sd && p->seq)
		sd->hook_seq = p->seq;
	events_publish(sd, p->uid, p->method, p->result);
	if (sd)
		sd->hook_seq = seq;
}

static void
publish_free(void *arg)
{
	struct publish *p = arg;

	json_decref(p->result);
	free(p->text);
	free(p);
}

/* The event of c's write, with result or (result NULL) text's n bytes,
 * numbered seq (0: the write's last change). */
static void
publish_add(struct rpc_call *c, json_t *result, const char *text, size_t n,
    int64_t seq)
{
	struct publish *p = calloc(1, sizeof(*p));

	if (p == NULL)
		fatal("calloc");
	p->uid = c->uid;
	p->method = c->m->name;
	p->seq = seq;
	p->len = n;
	/* text is sized by the data (HACKING, "Out of memory"): without
	 * the memory for its copy there is no event, as there was none
	 * when its parse failed */
	if (result)
		p->result = json_incref(result);
	else if ((p->text = strndup(text, n)) == NULL) {
		log_warnx("rpc: %s: no memory for its event", p->method);
		free(p);
		return;
	}
	write_hook(&c->w, publish_run, p, publish_free);
}

void
rpc_publish(struct rpc_call *c, json_t *data)
{
	c->published = true;
	if (c->uid != 0)
		publish_add(c, data, NULL, 0, c->w.last_seq);
}

void
rpc_publish_text(struct rpc_call *c, const char *text, size_t n)
{
	c->published = true;
	if (c->uid != 0)
		publish_add(c, NULL, text, n, c->w.last_seq);
}

void
rpc_request_id(struct spendd *sd, char *out, size_t size)
{
	snprintf(out, size, "%lld-%llu", (long long)sd->started,
	    (unsigned long long)++sd->request_seq);
}

/* The call's counters and access line. */
static void
call_account(struct rpc_call *c, const struct spend_err *err)
{
	struct log_request lr;

	metrics_rpc(c->sd->metrics, c->m, c->id.transport, err ? err->code :
	    0);
	if (!log_access_on())
		return;
	memset(&lr, 0, sizeof(lr));
	lr.kind = "rpc";
	lr.id = c->id.request_id;
	lr.uid = c->uid ? c->uid : c->id.uid;
	lr.peer = c->id.peer;
	lr.method = c->m ? c->m->name : "unknown";
	lr.transport = c->id.transport ? c->id.transport : "?";
	lr.status_text = err ? spend_err_name(err->code) : "ok";
	lr.us = time_mono_us() - c->t0;
	log_request(&lr);
}

/* ---- raw results ---- */

int
rpc_result_raw(struct rpc_call *c, struct jw *w, json_t *summary,
    struct spend_err *err)
{
	char *text;
	size_t len;

	if ((text = jw_take(w, &len)) == NULL) {
		json_decref(summary);
		/* not the client's fault: spendd's data or memory */
		return spend_errf(err, jw_error(w) == SPEND_ENOMEM ?
		    SPEND_ENOMEM : SPEND_EINTERNAL, "", "%s: cannot write the "
		    "result: %s", c->m ? c->m->name : "?", w->msg);
	}
	free(c->raw.text);
	json_decref(c->raw.summary);
	c->raw.text = text;
	c->raw.len = len;
	c->raw.summary = summary;
	return 0;
}

const struct rpc_raw *
rpc_call_raw(const struct rpc_call *c)
{
	return c->raw.text ? &c->raw : NULL;
}

json_t *
rpc_raw_json(const struct rpc_call *c)
{
	if (c->raw.text == NULL)
		return NULL;
	return json_loadb(c->raw.text, c->raw.len, JSON_DECODE_ANY, NULL);
}

static void
raw_clear(struct rpc_call *c)
{
	free(c->raw.text);
	json_decref(c->raw.summary);
	memset(&c->raw, 0, sizeof(c->raw));
}

/* done(c, result, err): a raw result goes as it is to a done that takes
 * them (result and err NULL), parsed to the others. */
static void
call_finish(struct rpc_call *c, json_t *result, const struct spend_err *err)
{
	json_t *parsed = NULL;
	struct spend_err e2;

	c->sd->pending--;
	c->sd->requests++;
	if (err || result)
		raw_clear(c);
	else if (c->raw.text == NULL)
		result = parsed = json_null();	/* (not reached: callers say) */
	else if (!c->id.raw_ok && (result = parsed = rpc_raw_json(c)) == NULL) {
		spend_errf(&e2, SPEND_EINTERNAL, "", "%s wrote a result that "
		    "is not JSON", c->m ? c->m->name : "?");
		err = &e2;
		raw_clear(c);
	}
	call_account(c, err);
	c->done(c, result, err, c->arg);
	json_decref(parsed);
	raw_clear(c);
	json_decref(c->params);
	json_decref(c->out_meta);
	free(c);
}

/* Answer c (call_finish), or, in a group (sd->group), park it until the
 * group's commit: group_end answers it then, with the commit's error if
 * that failed and c had succeeded. */
static void
answer(struct rpc_call *c, json_t *result, const struct spend_err *err)
{
	struct spendd *sd = c->sd;

	if (sd->group == NULL) {
		call_finish(c, result, err);
		return;
	}
	c->parked_result = json_incref(result);
	if (err) {
		if ((c->parked_err = malloc(sizeof(*err))) == NULL)
			fatal("malloc");
		*c->parked_err = *err;
	}
	*sd->parked_tail = c;
	sd->parked_tail = &c->parked_next;
}

/* The hash of the method and params that a retry must repeat. */
static int
request_hash(struct rpc_call *c, struct spend_err *err)
{
	unsigned char h[32];
	char *text = json_dumps(c->params, JSON_COMPACT | JSON_SORT_KEYS);
	crypto_generichash_state s;

	/* params are as large as the client made them */
	if (text == NULL)
		return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	crypto_generichash_init(&s, NULL, 0, sizeof(h));
	crypto_generichash_update(&s, (const unsigned char *)c->m->name,
	    strlen(c->m->name) + 1);
	crypto_generichash_update(&s, (const unsigned char *)text,
	    strlen(text));
	crypto_generichash_final(&s, h, sizeof(h));
	free(text);
	hex_encode(h, sizeof(h), c->idem_hash);
	return 0;
}

/* Take the acting user and the idempotency key out of params. */
static int
resolve(struct rpc_call *c, struct spend_err *err)
{
	json_t *ju = json_object_get(c->params, "user");
	json_t *jk = json_object_get(c->params, "idempotency_key");
	int r;

	if (c->m->role > c->id.role) {
		if (c->id.role == ROLE_PUBLIC)
			return spend_errf(err, SPEND_EAUTH, "",
			    "%s needs authentication", c->m->name);
		return spend_errf(err, SPEND_EPERM, "",
		    "%s is for administrators", c->m->name);
	}
	if (ju != NULL && !(c->m->flags & RPC_ACTS))
		return spend_errf(err, SPEND_EINVAL, "user",
		    "%s does not act for a user: drop \"user\"", c->m->name);
	if (c->m->flags & RPC_ACTS) {
		if (ju != NULL) {
			if (!c->id.socket_admin)
				return spend_errf(err, SPEND_EPERM, "user",
				    "only an administrator on the socket may act "
				    "for another user");
			if (!json_is_string(ju))
				return spend_errf(err, SPEND_EINVAL, "user",
				    "user must be a user name");
			if ((r = store_user_by_name(c->st, json_string_value(ju),
			    &c->user, err)) < 0)
				return r;
		} else if (c->id.uid != 0 && c->id.user.id == c->id.uid) {
			c->user = c->id.user;	/* read with the token */
		} else if (c->id.uid != 0) {
			if ((r = store_user_get(c->st, c->id.uid, &c->user,
			    err)) < 0)
				return r == SPEND_ENOTFOUND ? spend_errf(err,
				    SPEND_EAUTH, "", "this account no longer "
				    "exists") : r;
		} else
			return spend_errf(err, SPEND_EINVAL, "user",
			    "%s acts for a user: pass \"user\" (spendctl --user "
			    "NAME or SPEND_USER)", c->m->name);
		c->uid = c->user.id;
		json_object_del(c->params, "user");
	}
	if (jk != NULL) {
		const char *k = json_string_value(jk);

		if (!(c->m->flags & RPC_WRITE))
			return spend_errf(err, SPEND_EINVAL, "idempotency_key",
			    "%s is not a write: idempotency_key does not apply",
			    c->m->name);
		if (k == NULL || *k == '\0' || strlen(k) > 128 ||
		    !text_clean(k, NULL))
			return spend_errf(err, SPEND_EINVAL, "idempotency_key",
			    "idempotency_key must be 1..128 printable characters");
		strlcpy(c->idem_key, k, sizeof(c->idem_key));
		json_object_del(c->params, "idempotency_key");
		if ((r = request_hash(c, err)) < 0)
			return r;
	}
	return 0;
}

/* A stored reply for this key: replay it, or refuse a different body. */
static int
idem_replay(struct rpc_call *c, json_t **result, struct spend_err *err)
{
	char *text;
	bool match;
	int r;

	*result = NULL;
	if ((r = store_idem_get(c->st, c->uid ? c->uid : c->id.uid, c->idem_key,
	    c->idem_hash, &text, &match, err)) < 0)
		return r;
	if (text == NULL)
		return 0;
	if (!match) {
		free(text);
		return spend_errf(err, SPEND_EIDEMPOTENCY, "idempotency_key",
		    "idempotency key \"%s\" was used with another request",
		    c->idem_key);
	}
	*result = json_loads(text, JSON_DECODE_ANY, NULL);
	free(text);
	if (*result == NULL)
		return spend_errf(err, SPEND_EINTERNAL, "", "stored reply unreadable");
	return 1;
}

/* The reply for the key: result, or the raw result if result is NULL. */
static int
idem_store(struct rpc_call *c, json_t *result, struct spend_err *err)
{
	char *text = result ? json_dumps(result, JSON_COMPACT |
	    JSON_ENCODE_ANY) : NULL;
	int r;

	if (result && text == NULL)
		return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	r = store_idem_put(c->st, c->uid ? c->uid : c->id.uid, c->idem_key,
	    c->idem_hash, text ? text : c->raw.text, err);
	free(text);
	return r;
}

/* An event for a write's result, raw (as text: parsed only if someone
 * listens) or not. */
static void
publish_result(struct rpc_call *c, json_t *result)
{
	if (result == NULL && c->raw.text == NULL)
		return;
	publish_add(c, result, c->raw.text, c->raw.len, 0);
}

void
rpc_complete(struct rpc_call *c, json_t *result, const struct spend_err *err)
{
	struct spend_err e2;

	if (c->idem_key[0]) {
		inflight_del(c->sd, c->uid ? c->uid : c->id.uid, c->idem_key);
		if ((result || c->raw.text) && idem_store(c, result, &e2) < 0)
			log_warnx("rpc: %s: cannot store idempotent reply: %s",
			    c->m->name, e2.msg);
	}
	call_finish(c, result, result || c->raw.text ? NULL : err);
	json_decref(result);
}

void
rpc_job_done(json_t *result, const struct spend_err *err, void *arg)
{
	rpc_complete(arg, result ? json_incref(result) : NULL, err);
}

/* ---- work off the loop ---- */

struct offload {
	struct rpc_call *c;
	int kind;
	rpc_work_fn fn;
	void *arg;
	void (*free_fn)(void *);
	json_t *result;
	struct spend_err err;
	int r;
};

static void
offload_work(struct job *job, void *arg)
{
	struct offload *o = arg;
	struct rpc_call *c = o->c;
	struct store *st;

	spend_err_clear(&o->err);
	if ((st = jobs_store(job, &o->err)) == NULL) {
		o->r = o->err.code ? o->err.code : SPEND_ESTORE;
		return;
	}
	if (o->kind != JOB_WRITE) {
		o->r = o->fn(c, st, NULL, o->arg, &o->result, &o->err);
		return;
	}
	if ((o->r = write_begin(&c->w, st, c->uid, &o->err)) < 0)
		return;
	if ((o->r = o->fn(c, st, &c->w, o->arg, &o->result, &o->err)) < 0 ||
	    (o->r = write_commit(&c->w, &o->err)) < 0) {
		write_rollback(&c->w);
		json_decref(o->result);
		o->result = NULL;
		raw_clear(c);
	}
}

static void
offload_done(struct job *job, void *arg)
{
	struct offload *o = arg;
	struct rpc_call *c = o->c;

	(void)job;
	if (o->r < 0)
		raw_clear(c);
	if (o->r >= 0 && o->result == NULL && c->raw.text == NULL)
		o->result = json_null();
	if (o->r >= 0 && o->kind == JOB_WRITE) {
		if (c->uid && !c->published)
			publish_result(c, o->result);
		write_run_hooks(&c->w, c->sd);
	}
	if (o->free_fn)
		o->free_fn(o->arg);
	if (o->r == SPEND_ENOMEM && o->err.code == 0)
		spend_errf(&o->err, SPEND_ENOMEM, "", "out of memory");
	if (o->r < 0 && o->err.code == 0)
		spend_errf(&o->err, SPEND_EINTERNAL, "", "%s failed without a "
		    "reason", c->m->name);
	rpc_complete(c, o->r < 0 ? NULL : o->result, &o->err);
	free(o);
}

int
rpc_offload(struct rpc_call *c, int kind, rpc_work_fn fn, void *arg,
    void (*free_fn)(void *), struct spend_err *err)
{
	struct offload *o = calloc(1, sizeof(*o));
	int r;

	if (o == NULL)
		fatal("calloc");
	if (!(c->m->flags & RPC_ASYNC) || ((c->m->flags & RPC_WRITE) &&
	    !(c->m->flags & RPC_NOTX)))
		fatalx("rpc: %s offloads work but is not RPC_ASYNC (with "
		    "RPC_NOTX if a write)", c->m->name);
	o->c = c;
	o->kind = kind;
	o->fn = fn;
	o->arg = arg;
	o->free_fn = free_fn;
	if ((r = jobs_submit(c->sd, (enum job_kind)kind, offload_work,
	    offload_done, o, err)) < 0) {
		if (free_fn)
			free_fn(arg);
		free(o);
		return r;
	}
	return RPC_PENDING;
}

/*
 * Writes that find the lock taken. A worker may hold the write lock for a
 * while (an import's batch commits at once when the loop wants the lock,
 * but its commit takes 100 ms or more, a second under load). A call's
 * begin polls the lock for WAIT_POLL_MS on the loop; if it is still
 * taken, the call waits in line (sd->write_wait) off the loop, which
 * tries the first in line again every WAIT_RETRY_MS without polling, and
 * gives it up as busy after sd->write_wait_ms (WAIT_MAX_MS). While any
 * wait, the loop wants the lock (store_loop_wants): an import ends its
 * batch and begins no other. A write that comes while others wait takes
 * its place at the end of the line, so a client's writes keep their
 * order. Before, the loop polled for 200 ms, stalling every client, and
 * then failed the write: a user's add beside an import's slow commit
 * failed as busy (131-import-staging).
 */
#define WAIT_POLL_MS 2
#define WAIT_RETRY_MS 2
#define WAIT_MAX_MS 5000
#define WAIT_SLICE_MS 5		/* calls run per turn from the line, at most */

struct rpc_wait {
	struct event *ev;
	struct rpc_call *head, **tail;
};

static void wait_run(evutil_socket_t fd, short what, void *arg);

static bool
wait_any(struct spendd *sd)
{
	return sd->write_wait && sd->write_wait->head;
}

static void
wait_arm(struct rpc_wait *q, int ms)
{
	struct timeval tv = { 0, ms * 1000 };

	evtimer_add(q->ev, &tv);
}

/* c in line, at its head (it was first) or its end. false: it may not
 * wait (no loop, or it has waited long enough): fail it as busy. */
static bool
wait_push(struct rpc_call *c, bool front)
{
	struct spendd *sd = c->sd;
	struct rpc_wait *q = sd->write_wait;
	int64_t now = time_mono_ms();
	int max = sd->write_wait_ms > 0 ? sd->write_wait_ms : WAIT_MAX_MS;

	if (sd->base == NULL)
		return false;
	if (c->wait_since == 0)
		c->wait_since = now;
	else if (now - c->wait_since >= max)
		return false;
	if (q == NULL) {
		if ((q = sd->write_wait = calloc(1, sizeof(*q))) == NULL)
			fatal("calloc");
		if ((q->ev = evtimer_new(sd->base, wait_run, sd)) == NULL)
			fatal("evtimer_new");
		q->tail = &q->head;
	}
	if (q->head == NULL) {
		store_loop_wants(1);
		wait_arm(q, WAIT_RETRY_MS);
	}
	if (front) {
		if ((c->wait_next = q->head) == NULL)
			q->tail = &c->wait_next;
		q->head = c;
	} else {
		c->wait_next = NULL;
		*q->tail = c;
		q->tail = &c->wait_next;
	}
	return true;
}

static struct rpc_call *
wait_pop(struct rpc_wait *q)
{
	struct rpc_call *c = q->head;

	if ((q->head = c->wait_next) == NULL) {
		q->tail = &q->head;
		store_loop_wants(-1);
	}
	c->wait_next = NULL;
	return c;
}

static bool call_run(struct rpc_call *c, bool first);

/* c waited in line and gives up: say how long */
static void
busy_waited(struct rpc_call *c, struct spend_err *err)
{
	if (c->wait_since)
		spend_errf(err, SPEND_EBUSY, "", "the database is busy: another "
		    "write held it for %lld ms; try again",
		    (long long)(time_mono_ms() - c->wait_since));
}

void
rpc_wait_free(struct spendd *sd)
{
	struct rpc_wait *q = sd->write_wait;
	struct rpc_call *c;

	if (q == NULL)
		return;
	/* a hard stop left them unanswered: their clients are gone */
	while (q->head) {
		c = wait_pop(q);
		json_decref(c->params);
		json_decref(c->out_meta);
		free(c);
	}
	event_free(q->ev);
	free(q);
	sd->write_wait = NULL;
}

void
rpc_invoke(struct spendd *sd, const struct rpc_identity *id,
    const char *method, json_t *params,
    void (*done)(struct rpc_call *, json_t *, const struct spend_err *, void *),
    void *arg)
{
	struct rpc_call *c;
	struct spend_err err;
	int r = 0;

	spend_err_clear(&err);
	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal("calloc");
	c->sd = sd;
	c->st = sd->store;
	c->id = *id;
	c->done = done;
	c->arg = arg;
	c->t0 = time_mono_us();
	if (c->id.request_id[0] == '\0')
		rpc_request_id(sd, c->id.request_id, sizeof(c->id.request_id));
	sd->pending++;
	/* a shallow copy: the dispatcher deletes its own members
	 * (idempotency_key, user) from it; handlers only read params */
	c->params = params ? json_copy(params) : json_object();
	if (c->params == NULL && params != NULL) {
		spend_errf(&err, SPEND_ENOMEM, "", "out of memory");
		goto fail;
	}
	if (c->params == NULL || !json_is_object(c->params)) {
		spend_errf(&err, SPEND_EREQUEST, "params",
		    "params must be an object");
		goto fail;
	}
	if ((c->m = rpc_method_find(method)) == NULL) {
		spend_errf(&err, SPEND_ENOMETHOD, "method",
		    "no such method \"%s\" (see rpc.describe)", method);
		goto fail;
	}
	metrics_rpc_start(sd->metrics, c->m);
	if (sd->stopping && (c->m->flags & RPC_WRITE)) {
		spend_errf(&err, SPEND_EUNAVAIL, "", "spendd is shutting down");
		goto fail;
	}
	if ((r = resolve(c, &err)) < 0 ||
	    (r = rpc_params_check(c->m, c->params, &err)) < 0)
		goto fail;
	call_run(c, false);
	return;
fail:
	if (r == SPEND_ENOMEM && err.code == 0)
		spend_errf(&err, SPEND_ENOMEM, "", "out of memory");
	answer(c, NULL, &err);
}

/* Run the resolved call c: from its idempotency key to its answer. Run
 * again from the line of waiting writes (first: it is the first in
 * line), so a key another call stored meanwhile is replayed. true: c
 * waits in line again, the lock still taken. */
static bool
call_run(struct rpc_call *c, bool first)
{
	struct spendd *sd = c->sd;
	struct spend_err err;
	json_t *result = NULL;
	bool tx = false, flight = false;
	bool writes = (c->m->flags & RPC_WRITE) && !(c->m->flags & RPC_NOTX);
	bool retries = (c->m->flags & RPC_RETRY) && sd->group == NULL;
	int poll = 0;
	char key[sizeof(c->idem_key)];
	int64_t owner = 0;
	int r = 0;

	spend_err_clear(&err);
	if (c->idem_key[0]) {
		owner = c->uid ? c->uid : c->id.uid;
		if (inflight_has(sd, owner, c->idem_key)) {
			spend_errf(&err, SPEND_EINFLIGHT, "idempotency_key",
			    "a request with idempotency key \"%s\" is still "
			    "running", c->idem_key);
			goto fail;
		}
		if ((r = idem_replay(c, &result, &err)) < 0)
			goto fail;
		if (r == 1) {
			answer(c, result, NULL);
			json_decref(result);
			return false;
		}
	}
	if ((writes || retries) && sd->group == NULL && !first &&
	    wait_any(sd) && wait_push(c, false))
		return true;	/* in line behind the others */
	if (writes) {
		/* the first in line tries without polling: the loop's
		 * timer tries it again soon */
		poll = store_loop_poll(c->st, first ? 0 : WAIT_POLL_MS);
		r = write_begin(&c->w, c->st, c->uid, &err);
		store_loop_poll(c->st, poll);
		if (r < 0) {
			if (err.code == SPEND_EBUSY && sd->group == NULL &&
			    wait_push(c, first))
				return true;
			if (err.code == SPEND_EBUSY)
				busy_waited(c, &err);
			goto fail;
		}
		tx = true;
	}
	/* in flight before the handler runs: an async handler may finish
	 * (rpc_complete, which frees c and clears the key) before it returns */
	if ((c->m->flags & RPC_ASYNC) && c->idem_key[0]) {
		strlcpy(key, c->idem_key, sizeof(key));
		inflight_add(sd, owner, key);
		flight = true;
	}
	{
		const struct rpc_method *m = c->m;

		if (retries)	/* its own begin, as a call's (above) */
			poll = store_loop_poll(c->st, first ? 0 : WAIT_POLL_MS);
		r = m->handler(c, c->params, &result, &err);
		if (retries)
			store_loop_poll(c->st, poll);
		if (retries && r == SPEND_EBUSY && err.code == SPEND_EBUSY &&
		    result == NULL) {
			if (wait_push(c, first))
				return true;
			busy_waited(c, &err);
		}
		if (r == RPC_PENDING) {
			/* c belongs to rpc_complete now: do not touch it */
			if (tx)
				fatalx("rpc: %s returned pending inside a "
				    "transaction", m->name);
			return false;
		}
	}
	if (flight)
		inflight_del(sd, owner, key);
	if (r < 0)
		goto fail;
	if (result == NULL && c->raw.text == NULL)
		result = json_null();
	if (c->idem_key[0] && idem_store(c, result, &err) < 0)
		goto fail;
	if (tx) {
		if ((c->m->flags & RPC_WRITE) && c->uid && !c->published)
			publish_result(c, result);
		tx = false;
		if ((r = write_commit(&c->w, &err)) < 0)
			goto fail;
		if (sd->group)	/* a savepoint: the hooks wait for the batch's */
			write_defer(&c->w, sd->group);
		else
			write_run_hooks(&c->w, sd);
	}
	answer(c, result, NULL);
	json_decref(result);
	return false;
fail:
	if (tx)
		write_rollback(&c->w);
	json_decref(result);
	raw_clear(c);
	if (r == SPEND_ENOMEM && err.code == 0)
		spend_errf(&err, SPEND_ENOMEM, "", "out of memory");
	if (err.code == 0)
		spend_errf(&err, SPEND_EINTERNAL, "", "handler failed without "
		    "a reason");
	answer(c, NULL, &err);
	return false;
}

/* ---- envelopes and batches ---- */

/*
 * A batch runs a slice of its requests per loop turn (BATCH_SLICE, or
 * BATCH_SLICE_MS), so one client's 1,000 requests do not stall everyone
 * else, and stops running them once its replies reach
 * [daemon] max_batch_reply bytes: the rest are answered with an error
 * and not run, so a batch never builds an unbounded reply. At most
 * BATCH_WINDOW of its requests are running off the loop at once (lists
 * run on workers): their replies are counted when they come, so the
 * bound is passed by at most that many replies.
 */
#define BATCH_SLICE 64
#define BATCH_SLICE_MS 5
#define BATCH_WINDOW 4

/* The replies are written as text as they come (jsonw.h), each envelope
 * once: a raw result is copied into its envelope as it is. */
struct batch {
	struct spendd *sd;
	struct rpc_identity id;	/* raw_ok: one_done splices raw results */
	json_t *msg;		/* the requests (a batch), or NULL */
	size_t next;		/* the next request of msg to run */
	struct event *ev;	/* runs the next slice */
	bool waiting;		/* for a reply before the next slice */
	bool single;		/* one request: its envelope, not an array */
	struct jw out;		/* the replies so far */
	size_t nreplies;
	int outstanding;
	rpc_reply_fn reply;
	void *arg;
};

struct one {
	struct batch *b;
	json_t *id;		/* NULL for a notification */
};

/* A JSON-RPC response written to w: result, or raw if it is not NULL,
 * or err. The only rendering of an envelope (rpc_error_envelope reads
 * its text back). */
static void
envelope_write(struct jw *w, json_t *id, json_t *result,
    const struct rpc_raw *raw, const struct spend_err *err)
{
	jw_obj(w);
	jw_key(w, "jsonrpc");
	jw_str(w, "2.0");
	if (err) {
		json_t *e = rpc_error_object(err);

		jw_key(w, "error");
		jw_json(w, e);
		json_decref(e);
	} else {
		jw_key(w, "result");
		if (raw)
			jw_raw(w, raw->text, raw->len);
		else
			jw_json(w, result);
	}
	jw_key(w, "id");
	if (id)
		jw_json(w, id);
	else
		jw_null(w);
	jw_end(w);
}

json_t *
rpc_error_envelope(const struct spend_err *err)
{
	struct jw w;
	json_t *o;

	jw_init(&w);
	envelope_write(&w, NULL, NULL, NULL, err);
	if (jw_error(&w) || (o = json_loadb(w.buf, w.len, 0, NULL)) == NULL)
		fatalx("rpc: cannot write an error reply: %s", w.msg);
	jw_free(&w);
	return o;
}

/* One error envelope as text, for reply. */
static void
reply_error(rpc_reply_fn reply, void *arg, const struct spend_err *err)
{
	struct jw w;
	size_t len = 0;
	char *text;

	jw_init(&w);
	envelope_write(&w, NULL, NULL, NULL, err);
	if ((text = jw_take(&w, &len)) == NULL)
		log_warnx("rpc: cannot write an error reply: %s", w.msg);
	jw_free(&w);
	reply(text, len, arg);
}

static void
batch_done(struct batch *b)
{
	struct spend_err err;
	size_t len = 0;
	char *text = NULL;

	if (--b->outstanding > 0)
		return;
	if (b->ev)
		event_free(b->ev);
	if (b->msg)
		b->sd->pending--;	/* the batch as a whole is answered */
	json_decref(b->msg);
	if (b->nreplies) {
		if (!b->single)
			jw_end(&b->out);
		if ((text = jw_take(&b->out, &len)) == NULL) {
			log_warnx("rpc: cannot write a reply: %s", b->out.msg);
			spend_errf(&err, jw_error(&b->out) == SPEND_ENOMEM ?
			    SPEND_ENOMEM : SPEND_EINTERNAL, "", "cannot write "
			    "the reply: %s", b->out.msg);
			jw_free(&b->out);
			reply_error(b->reply, b->arg, &err);
			free(b);
			return;
		}
	}
	jw_free(&b->out);
	b->reply(text, len, b->arg);
	free(b);
}

/* A reply has come: room in the window again. */
static void
batch_wake(struct batch *b)
{
	if (b->waiting) {
		struct timeval now = { 0, 0 };

		b->waiting = false;
		evtimer_add(b->ev, &now);
	}
}

static void
one_done(struct rpc_call *c, json_t *result, const struct spend_err *err,
    void *arg)
{
	struct one *o = arg;
	struct batch *b = o->b;

	if (o->id) {
		envelope_write(&b->out, o->id, result, err ? NULL :
		    rpc_call_raw(c), err);
		b->nreplies++;
		json_decref(o->id);
	}
	/* a notification's end wakes the batch too: it may be what the
	 * batch waits for (its window, or its write in line) */
	batch_wake(b);
	free(o);
	batch_done(b);
}

/* A request of batch b, to run with one_done as its done (run_one). */
static struct one *
one_new(struct batch *b, json_t *req)
{
	struct one *o = calloc(1, sizeof(*o));
	json_t *jid = json_object_get(req, "id");

	if (o == NULL)
		fatal("calloc");
	b->outstanding++;
	o->b = b;
	o->id = jid ? json_incref(jid) : NULL;
	return o;
}

static void
run_one(struct spendd *sd, struct batch *b, json_t *req)
{
	if (b->msg && (long long)b->out.len >= sd->cfg.max_batch_reply) {
		struct spend_err err;
		json_t *jid = json_object_get(req, "id");

		b->outstanding++;
		spend_errf(&err, SPEND_ETOOBIG, "", "not run: this batch's "
		    "replies reached %lld bytes ([daemon] max_batch_reply); "
		    "send the rest in another batch",
		    sd->cfg.max_batch_reply);
		envelope_write(&b->out, json_is_string(jid) ||
		    json_is_integer(jid) ? jid : NULL, NULL, NULL, &err);
		b->nreplies++;
		batch_done(b);
		return;
	}
	struct spend_err err;
	json_t *jid = json_object_get(req, "id");
	json_t *method = json_object_get(req, "method");
	json_t *params = json_object_get(req, "params");
	json_t *ver = json_object_get(req, "jsonrpc");
	struct one *o;

	if (!json_is_object(req) || !json_is_string(ver) ||
	    strcmp(json_string_value(ver), "2.0") != 0 ||
	    !json_is_string(method) ||
	    (jid && !json_is_string(jid) && !json_is_integer(jid) &&
	    !json_is_null(jid)) ||
	    (params && !json_is_object(params))) {
		spend_errf(&err, SPEND_EREQUEST, "",
		    "not a JSON-RPC 2.0 request: need \"jsonrpc\":\"2.0\", a "
		    "string \"method\", an object \"params\" and a string or "
		    "integer \"id\"");
		b->outstanding++;
		envelope_write(&b->out, json_is_object(req) &&
		    (json_is_string(jid) || json_is_integer(jid)) ? jid : NULL,
		    NULL, NULL, &err);
		b->nreplies++;
		batch_done(b);
		return;
	}
	o = one_new(b, req);
	if (b->single)	/* a batch's adds group in run_group */
		rpc_invoke_grouped(sd, &b->id, json_string_value(method), params,
		    one_done, o);
	else
		rpc_invoke(sd, &b->id, json_string_value(method), params,
		    one_done, o);
}

/*
 * Adds commit in groups. Consecutive expense.add calls of a batch for the
 * same user, and the single expense.add requests that arrive in one loop
 * turn from any clients (the turn group, below), run in one write
 * transaction (GROUP_METHOD), each call in a savepoint of its own (its
 * write_begin nests): a failed call undoes only itself. Their hooks
 * (events, alerts) wait for the group's commit, each numbered by its own
 * call's change (write_defer), and so do their replies: if the commit
 * fails, every call the group had answered with a result is answered with
 * that failure instead, for none of it was written. One commit instead of
 * one per call: with [storage] durability = full, one fsync.
 */
#define GROUP_METHOD "expense.add"

/* req is a well-formed GROUP_METHOD request acting for user (NULL: the
 * caller). */
static bool
groupable(json_t *req, const char *user)
{
	json_t *jid = json_object_get(req, "id");
	json_t *method = json_object_get(req, "method");
	json_t *params = json_object_get(req, "params");
	json_t *ver = json_object_get(req, "jsonrpc");
	json_t *ju = json_object_get(params, "user");

	if (!json_is_object(req) || !json_is_string(ver) ||
	    strcmp(json_string_value(ver), "2.0") != 0 ||
	    !json_is_string(method) ||
	    strcmp(json_string_value(method), GROUP_METHOD) != 0 ||
	    (jid && !json_is_string(jid) && !json_is_integer(jid) &&
	    !json_is_null(jid)) || (params && !json_is_object(params)))
		return false;
	if (ju != NULL && !json_is_string(ju))
		return false;
	if (user == NULL || ju == NULL)
		return user == NULL && ju == NULL;
	return strcmp(user, json_string_value(ju)) == 0;
}

static const char *
user_of(json_t *req)
{
	return json_string_value(json_object_get(json_object_get(req,
	    "params"), "user"));
}

/* How many requests from the next are a group (0: fewer than two). */
static size_t
group_size(struct batch *b)
{
	size_t n = json_array_size(b->msg), k;
	json_t *first;

	if (b->next + 1 >= n || (long long)b->out.len >=
	    b->sd->cfg.max_batch_reply)
		return 0;
	first = json_array_get(b->msg, b->next);
	if (!groupable(first, NULL) && !groupable(first, user_of(first)))
		return 0;
	/* at most a slice: a group runs on the loop in one go */
	for (k = 1; b->next + k < n && k < BATCH_SLICE; k++)
		if (!groupable(json_array_get(b->msg, b->next + k),
		    user_of(first)))
			break;
	return k >= 2 ? k : 0;
}

/*
 * A group: group_begin opens the write transaction, group_add runs a
 * call in it (its answer parked: answer()), group_end commits, runs the
 * hooks of what committed and answers the parked calls in order.
 */
struct group {
	struct spendd *sd;
	struct write_tx outer;
	struct rpc_call *parked, **tail;
	size_t n;
};

/* Open group g's transaction, polling the lock for poll ms: 0, or the
 * begin's error code. */
static int
group_open(struct spendd *sd, struct group *g, int poll)
{
	struct spend_err err;
	int r;

	memset(g, 0, sizeof(*g));
	g->sd = sd;
	g->tail = &g->parked;
	poll = store_loop_poll(sd->store, poll);
	r = write_begin(&g->outer, sd->store, 0, &err);
	store_loop_poll(sd->store, poll);
	return r < 0 ? r : 0;
}

static int
group_begin(struct spendd *sd, struct group *g)
{
	/* each runs alone if the lock is taken, and waits in line with
	 * the writes already there (call_run) */
	if (wait_any(sd))
		return -1;
	return group_open(sd, g, WAIT_POLL_MS) < 0 ? -1 : 0;
}

/* Run c, a GROUP_METHOD call out of the line, in g. */
static void
group_take(struct group *g, struct rpc_call *c)
{
	struct spendd *sd = g->sd;

	sd->group = &g->outer;
	sd->parked_tail = g->tail;
	call_run(c, true);
	sd->group = NULL;
	if (*g->tail == NULL)
		fatalx("rpc: a grouped call was not parked");
	g->tail = sd->parked_tail;
	g->n++;
}

/* Run the call in g; returns about how many bytes its answer will be. */
static size_t
group_add(struct group *g, const struct rpc_identity *id, json_t *params,
    void (*done)(struct rpc_call *, json_t *, const struct spend_err *, void *),
    void *arg)
{
	struct spendd *sd = g->sd;
	struct rpc_call *c;

	sd->group = &g->outer;
	sd->parked_tail = g->tail;
	rpc_invoke(sd, id, GROUP_METHOD, params, done, arg);
	sd->group = NULL;
	if ((c = *g->tail) == NULL)
		fatalx("rpc: a grouped call was not parked");
	g->tail = sd->parked_tail;
	g->n++;
	if (c->parked_err)
		return 256;
	if (c->parked_result)
		return json_dumpb(c->parked_result, NULL, 0, JSON_COMPACT) + 64;
	return c->raw.len + 64;
}

static void
group_end(struct group *g)
{
	struct spendd *sd = g->sd;
	struct rpc_call *c, *next;
	struct spend_err err;
	int r;

	if ((r = write_commit(&g->outer, &err)) < 0)
		write_rollback(&g->outer);
	else {
		sd->write_groups++;
		write_run_hooks(&g->outer, sd);
	}
	for (c = g->parked; c; c = next) {
		json_t *result = c->parked_result;
		struct spend_err *e = c->parked_err;

		next = c->parked_next;
		c->parked_result = NULL;
		c->parked_err = NULL;
		if (r < 0 && e == NULL)	/* it was not written after all */
			call_finish(c, NULL, &err);
		else {
			if (e == NULL)
				sd->write_grouped++;
			call_finish(c, result, e);
		}
		json_decref(result);
		free(e);
	}
}

/* Run the group of n requests from the next of a batch, in one write
 * transaction while their replies fit in max_batch_reply. */
static void
run_group(struct batch *b, size_t n)
{
	struct spendd *sd = b->sd;
	long long bytes = (long long)b->out.len;
	struct group g;
	size_t k;

	if (group_begin(sd, &g) < 0) {
		for (k = 0; k < n; k++)
			run_one(sd, b, json_array_get(b->msg, b->next++));
		return;
	}
	for (k = 0; k < n && bytes < sd->cfg.max_batch_reply; k++) {
		json_t *req = json_array_get(b->msg, b->next++);

		bytes += (long long)group_add(&g, &b->id,
		    json_object_get(req, "params"), one_done, one_new(b, req));
	}
	group_end(&g);
	/* the rest, if the replies reached max_batch_reply: run_one
	 * answers them so */
}

/*
 * The turn group. An expense.add that is not in a batch (a single
 * JSON-RPC request, a REST POST) waits in sd->turn until the loop has run
 * the other callbacks of its turn: the flush event, made active by the
 * first of them, runs after every event already active (the reads of
 * other clients' requests that came in the same poll). Then the requests
 * of that turn run as one group, each answered after its commit.
 */
struct turn_wait {
	struct rpc_identity id;
	json_t *params;
	void (*done)(struct rpc_call *, json_t *, const struct spend_err *,
	    void *);
	void *arg;
};

struct rpc_turn {
	struct event *ev;
	struct turn_wait *w;
	size_t n, cap;
};

/* A turn group's most calls: more wait for the next turn, so that one
 * group holds the loop for a few ms at most. */
#define TURN_MAX 256

static void turn_push(struct rpc_turn *t, const struct turn_wait *w);

static void
turn_flush(evutil_socket_t fd, short what, void *arg)
{
	struct spendd *sd = arg;
	struct rpc_turn *t = sd->turn;
	struct turn_wait *w = t->w;
	size_t n = t->n, i;
	struct group g;

	(void)fd;
	(void)what;
	t->w = NULL;	/* what runs now may queue for the next turn */
	t->n = t->cap = 0;
	if (n > TURN_MAX) {	/* the rest first in the next turn's */
		for (i = TURN_MAX; i < n; i++)
			turn_push(t, &w[i]);
		event_active(t->ev, EV_TIMEOUT, 1);
		n = TURN_MAX;
	}
	if (n >= 2 && group_begin(sd, &g) == 0) {
		for (i = 0; i < n; i++)
			group_add(&g, &w[i].id, w[i].params, w[i].done,
			    w[i].arg);
		group_end(&g);
	} else
		for (i = 0; i < n; i++)
			rpc_invoke(sd, &w[i].id, GROUP_METHOD, w[i].params,
			    w[i].done, w[i].arg);
	for (i = 0; i < n; i++) {
		json_decref(w[i].params);
		sd->pending--;
	}
	free(w);
}

/* Try the first in line again, without polling: while it gets the lock,
 * the ones after it too, for a slice of the turn. Adds next to each other
 * in line run as a group, one commit, as they would have in their turn:
 * a checkpoint's restart holds the lock for a moment, and 64 clients'
 * adds that met it each committing alone made them 20% slower. */
static void
wait_run(evutil_socket_t fd, short what, void *arg)
{
	struct spendd *sd = arg;
	struct rpc_wait *q = sd->write_wait;
	int64_t until = time_mono_ms() + WAIT_SLICE_MS;
	bool blocked = false;
	struct rpc_call *c;
	struct group g;
	size_t n;

	(void)fd;
	(void)what;
	while (q->head && !blocked) {
		if (time_mono_ms() >= until)
			break;
		for (n = 0, c = q->head; c && n < TURN_MAX &&
		    strcmp(c->m->name, GROUP_METHOD) == 0; c = c->wait_next)
			n++;
		if (n >= 2 && group_open(sd, &g, 0) == 0) {
			while (n-- > 0)
				group_take(&g, wait_pop(q));
			group_end(&g);
		} else	/* alone; or the lock still taken, and the first
			 * goes back first, or gives up past its time */
			blocked = call_run(wait_pop(q), true);
	}
	if (q->head)
		wait_arm(q, blocked ? WAIT_RETRY_MS : 0);
}

void
rpc_invoke_grouped(struct spendd *sd, const struct rpc_identity *id,
    const char *method, json_t *params,
    void (*done)(struct rpc_call *, json_t *, const struct spend_err *, void *),
    void *arg)
{
	struct rpc_turn *t = sd->turn;
	struct turn_wait w;

	if (sd->base == NULL || sd->group || strcmp(method, GROUP_METHOD) != 0) {
		rpc_invoke(sd, id, method, params, done, arg);
		return;
	}
	if (t == NULL) {
		if ((t = sd->turn = calloc(1, sizeof(*t))) == NULL)
			fatal("calloc");
		if ((t->ev = event_new(sd->base, -1, 0, turn_flush, sd)) ==
		    NULL)
			fatal("event_new");
	}
	w.id = *id;
	w.params = json_incref(params);
	w.done = done;
	w.arg = arg;
	turn_push(t, &w);
	sd->pending++;		/* a graceful stop waits for it */
	if (t->n == 1)
		event_active(t->ev, EV_TIMEOUT, 1);
}

static void
turn_push(struct rpc_turn *t, const struct turn_wait *w)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		if ((t->w = reallocarray(t->w, t->cap, sizeof(*t->w))) == NULL)
			fatal("reallocarray");
	}
	t->w[t->n++] = *w;
}

void
rpc_turn_free(struct spendd *sd)
{
	struct rpc_turn *t = sd->turn;

	if (t == NULL)
		return;
	/* a hard stop left requests unanswered: their clients are gone */
	for (size_t i = 0; i < t->n; i++)
		json_decref(t->w[i].params);
	free(t->w);
	event_free(t->ev);
	free(t);
	sd->turn = NULL;
}

/* Run the next requests of a batch; come back on the next loop turn for
 * the rest (without a loop, in unit tests, run them all now). */
static void
batch_slice(evutil_socket_t fd, short what, void *arg)
{
	struct batch *b = arg;
	int64_t until = time_mono_ms() + BATCH_SLICE_MS;
	size_t n = json_array_size(b->msg), g;
	int k;

	(void)fd;
	(void)what;
	if (b->sd->base && b->ev == NULL && (b->ev = evtimer_new(b->sd->base,
	    batch_slice, b)) == NULL)
		fatal("evtimer_new");
	for (k = 0; b->next < n; k++) {
		/* outstanding counts the hold too */
		if (b->sd->base && b->outstanding - 1 >= BATCH_WINDOW) {
			b->waiting = true;
			return;
		}
		if (b->sd->base && (k >= BATCH_SLICE || (k % 8 == 0 &&
		    time_mono_ms() >= until))) {
			struct timeval now = { 0, 0 };

			evtimer_add(b->ev, &now);
			return;
		}
		if ((g = group_size(b)) > 0) {
			run_group(b, g);
			k += (int)g - 1;
		} else
			run_one(b->sd, b, json_array_get(b->msg, b->next++));
		/* a write of the batch that waits in line for the lock is
		 * answered before the batch goes on: a later request (a
		 * read, a write that takes no line) must see it, as when
		 * it committed at once */
		if (b->sd->base && wait_any(b->sd) && b->outstanding - 1 > 0) {
			b->waiting = true;
			return;
		}
	}
	batch_done(b);		/* the hold taken at the start */
}

void
rpc_dispatch(struct spendd *sd, const struct rpc_identity *id, json_t *msg,
    rpc_reply_fn reply, void *arg)
{
	struct batch *b;
	struct spend_err err;

	if (json_is_array(msg) && json_array_size(msg) == 0) {
		spend_errf(&err, SPEND_EREQUEST, "", "empty batch");
		reply_error(reply, arg, &err);
		return;
	}
	if (json_is_array(msg) && json_array_size(msg) > 1000) {
		spend_errf(&err, SPEND_ETOOBIG, "",
		    "a batch holds at most 1000 requests");
		reply_error(reply, arg, &err);
		return;
	}
	if ((b = calloc(1, sizeof(*b))) == NULL)
		fatal("calloc");
	b->sd = sd;
	b->id = *id;
	b->id.raw_ok = true;
	jw_init(&b->out);
	b->reply = reply;
	b->arg = arg;
	b->outstanding = 1;	/* held until every request is issued */
	if (json_is_array(msg)) {
		/* its calls run over several loop turns, and one may change
		 * the user (user.edit): each reads the record when it runs */
		b->id.user.id = 0;
		b->msg = json_incref(msg);
		sd->pending++;		/* a graceful stop waits for the rest */
		jw_arr(&b->out);
		batch_slice(-1, 0, b);
		return;
	}
	/* a single request: its envelope alone */
	b->single = true;
	run_one(sd, b, msg);
	batch_done(b);
}

void
rpc_dispatch_text(struct spendd *sd, const struct rpc_identity *id,
    const char *text, size_t len, rpc_reply_fn reply, void *arg)
{
	json_error_t jerr;
	/* "5" is JSON, just not a request: -32600, not -32700 */
	json_t *msg = json_loadb(text, len, JSON_REJECT_DUPLICATES |
	    JSON_DECODE_ANY, &jerr);
	struct spend_err err;

	if (msg == NULL) {
		spend_errf(&err, SPEND_EPARSE, "", "not JSON: %s at line %d "
		    "column %d", jerr.text, jerr.line, jerr.column);
		reply_error(reply, arg, &err);
		return;
	}
	rpc_dispatch(sd, id, msg, reply, arg);
	json_decref(msg);
}
