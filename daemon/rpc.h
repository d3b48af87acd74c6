/*
 * JSON-RPC 2.0: one method table (rpc_table.c), one dispatcher (rpc.c) shared by the Unix
 * socket, HTTP /rpc, the REST facade and unit tests.
 *
 * A handler validates its params, does its work and either sets *result
 * (a new reference the dispatcher takes) and returns 0, or fills err and
 * returns a negative SPEND_E*. It never builds an envelope. A handler of an
 * RPC_ASYNC method may instead return RPC_PENDING and later call
 * rpc_complete() exactly once, on the event loop thread.
 *
 * A result may also be JSON text already written (a raw result, see
 * rpc_result_raw): the transports that write text splice it into their
 * reply as it is, the others get it parsed back into a json_t.
 */
#ifndef SPEND_RPC_H
#define SPEND_RPC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "jsonw.h"
#include "spendd.h"
#include "store.h"
#include "write.h"

#define RPC_PENDING 1

enum rpc_role {
	ROLE_PUBLIC = 0,	/* anyone, unauthenticated */
	ROLE_USER = 1,		/* an authenticated user (or socket admin acting for one) */
	ROLE_ADMIN = 2,
};

enum rpc_flag {
	RPC_WRITE = 1 << 0,	/* changes data: runs in one write transaction
				 * (call->w), takes idempotency_key */
	RPC_ASYNC = 1 << 1,	/* may return RPC_PENDING */
	RPC_ACTS = 1 << 2,	/* acts for a user: call->uid/user are set */
	RPC_NOTX = 1 << 3,	/* a write that manages its own transaction (worker) */
	RPC_UPLOAD = 1 << 4,	/* REST: the body is a file ([http] max_import),
				 * spooled to disk; the call gets its path */
	RPC_DOWNLOAD = 1 << 5,	/* REST: the reply is a file the handler wrote */
	RPC_MORE = 1 << 6,	/* params beyond the declared ones are passed on
				 * (report.run: the report's own) */
	RPC_RETRY = 1 << 7,	/* not an RPC_WRITE, but writes on the loop's
				 * connection, and does nothing a second run
				 * would repeat before its write: failed as
				 * busy, it waits for the lock in line and
				 * runs again (rpc.c) */
};

/* Who is calling: filled by the transport before dispatch. */
struct rpc_identity {
	enum rpc_role role;
	int64_t uid;		/* authenticated user, 0 on the socket */
	bool socket_admin;	/* socket peer with an admin uid: may pass "user" */
	const char *transport;	/* "unix", "http", "test" */
	char peer[64];		/* "uid 1000", "127.0.0.1" */
	char user_agent[128];
	void *transport_data;	/* e.g. the evhttp request, for cookies */
	/* HTTP only (http.c fills them; zero elsewhere). */
	bool cookies;		/* the transport sets cookies from out_meta */
	char refresh_cookie[64];	/* the refresh cookie sent, or "" */
	const char *csrf_error;	/* why the cookie must not be used, or NULL */
	char session[33];	/* the access token's session (sid), or "" */
	/* REST, from the method table: an RPC_UPLOAD's body spooled to this
	 * file (the transport removes it after the call), or ""; and an
	 * RPC_DOWNLOAD's reply is wanted as a file (the handler puts
	 * {"fd","name"} in out_meta's "download", and "extension" and
	 * "mime_type" in its result). */
	char upload[512];
	bool download;
	/* The record of uid, read when the token was checked
	 * (auth_identify), so that resolve need not read it again; id 0:
	 * none. Single requests only: a batch's calls read it each (one
	 * may change it). */
	struct user user;
	/* The request id for log lines ("" : rpc_invoke makes one). */
	char request_id[32];
	/* The done callback takes raw results: it is called with neither
	 * a result nor err, and reads rpc_call_raw(call). Without it a raw
	 * result is parsed into a json_t for done. The dispatcher's own
	 * envelopes and REST set it. */
	bool raw_ok;
};

/* A result written as JSON text (rpc_result_raw). */
struct rpc_raw {
	char *text;		/* one whole JSON value, NUL-terminated; NULL: none */
	size_t len;
	/* For a transport that acts on an object result's top-level
	 * members without parsing the text (REST: next_cursor for the Link
	 * header, id and version for the ETag): those members, also in
	 * text, or NULL. */
	json_t *summary;
};

struct rpc_call;
typedef int (*rpc_handler)(struct rpc_call *call, json_t *params,
    json_t **result, struct spend_err *err);

/* The type of a parameter, as the dispatcher checks it before the handler
 * runs (the handler checks meaning: a real date, a known currency). A
 * query string carries strings: integers and booleans may come as text. */
enum rpc_ptype {
	PT_STRING,		/* a string without NUL, at most max bytes (0: any) */
	PT_INT,			/* an integer (or its digits) in [min, max] */
	PT_BOOL,		/* true/false (or "true"/"false") */
	PT_AMOUNT,		/* a decimal string, never a JSON number */
	PT_DATE,		/* "YYYY-MM-DD" (a string) */
	PT_MONTH,		/* "YYYY-MM" (a string) */
	PT_REF,			/* an id (integer) or a name (string) */
	PT_LIST,		/* an array of strings */
	PT_OBJECT,		/* an object; over REST "KEY.SUB=V" in the query */
	PT_ANY,			/* any JSON value */
};

enum rpc_pflag {
	PF_REQUIRED = 1 << 0,
	PF_SECRET = 1 << 1,	/* a password or token: never in a URL */
	PF_POSITIONAL = 1 << 2,	/* spendctl takes it as a word, in order */
	PF_ALONE = 1 << 3,	/* given, no other param may be, and none is
				 * required (expense.add's items: each item
				 * holds the others) */
};

/* One parameter of a method: everything that checks it, documents it and
 * makes spendctl's option for it. */
struct rpc_param {
	const char *name;	/* NULL ends a list */
	enum rpc_ptype type;
	unsigned flags;		/* enum rpc_pflag */
	int64_t min, max;	/* PT_INT range; PT_STRING max bytes */
	const char *meta;	/* placeholder: "YYYY-MM", "NAME"; NULL: by type */
	const char *help;	/* one line */
	const char *opt;	/* spendctl option, if not NAME with '-' for '_' */
};

struct rpc_method {
	const char *name;	/* "noun.verb" */
	rpc_handler handler;
	enum rpc_role role;
	unsigned flags;
	const char *route;	/* REST route "GET /api/v1/expenses/{id}" or NULL */
	const struct rpc_param *params;	/* NULL-named end; NULL: none */
	const char *summary;	/* one line */
	int status;		/* REST success status: 0 = 200 */
};

struct rpc_call {
	struct spendd *sd;
	struct store *st;
	const struct rpc_method *m;
	struct rpc_identity id;
	int64_t uid;		/* the user acted for (RPC_ACTS), else 0 */
	struct user user;	/* that user's record */
	json_t *params;		/* owned by the call */
	struct write_tx w;	/* an RPC_WRITE's: the domain writes in it */
	char idem_key[129];	/* "" = none */
	char idem_hash[65];
	json_t *out_meta;	/* handler -> transport side channel (cookies), or NULL */
	void (*done)(struct rpc_call *call, json_t *result,
	    const struct spend_err *err, void *arg);
	void *arg;
	int64_t t0;		/* monotonic us when it began */
	struct rpc_raw raw;	/* a raw result (rpc_result_raw), or none */
	bool published;		/* the handler published its events itself
				 * (rpc_publish): none for the result */
	/* rpc.c's: a call of a group waits for the group's commit to be
	 * answered (parked), with its result or its error */
	struct rpc_call *parked_next;
	json_t *parked_result;
	struct spend_err *parked_err;
	/* rpc.c's: a write that found the lock taken waits in line
	 * (sd->write_wait) since wait_since (mono ms; 0: it has not) */
	struct rpc_call *wait_next;
	int64_t wait_since;
};

/*
 * Hand back w's value (complete, written with jsonw.h) as call's result,
 * instead of a json_t: a handler or an rpc_work_fn calls it, leaves
 * *result NULL and returns 0. summary (stolen, may be NULL): the
 * object's top-level members a transport may read (struct rpc_raw).
 * w is emptied. 0, or w's error (EINVAL, ENOMEM) into err.
 */
int rpc_result_raw(struct rpc_call *call, struct jw *w, json_t *summary,
    struct spend_err *err);
/* In a done callback that set raw_ok: the raw result, or NULL. */
const struct rpc_raw *rpc_call_raw(const struct rpc_call *call);
/* The raw result parsed (a new reference), or NULL if there is none or
 * it cannot be parsed. */
json_t *rpc_raw_json(const struct rpc_call *call);

/* The table, sorted by name. */
const struct rpc_method *rpc_methods(size_t *n);
const struct rpc_method *rpc_method_find(const char *name);
/* The declared parameter of m named name, or NULL. */
const struct rpc_param *rpc_param_find(const struct rpc_method *m,
    const char *name);
/* params against m's declaration: no unknown name (unless RPC_MORE),
 * every required one, each of its type. 0, or EINVAL naming the field. */
int rpc_params_check(const struct rpc_method *m, json_t *params,
    struct spend_err *err);
/* "amount category [currency] [date]...": the synopsis of m's params. */
void rpc_synopsis(const struct rpc_method *m, char *buf, size_t size);
/* "string", "integer 1..500", "YYYY-MM-DD"...: a param's type in words. */
void rpc_param_type(const struct rpc_param *p, char *buf, size_t size);

/* An event of c's method with data (one per expense of a bulk add), once
 * c's write commits, numbered by the change the write logged last so far;
 * the dispatcher then publishes no event of its own. */
void rpc_publish(struct rpc_call *c, json_t *data);
/* The same with data as JSON text (n bytes, copied): it is read into a
 * tree only if a subscriber takes the event when it is published. */
void rpc_publish_text(struct rpc_call *c, const char *text, size_t n);

/*
 * Invoke one method: role check, acting user, idempotency replay, the
 * transaction of a write, the handler. done(call, result, err, arg) runs
 * exactly once (perhaps before rpc_invoke returns) with either a result
 * (borrowed: take a reference to keep it) or err; then the call is freed.
 * params is borrowed.
 */
void rpc_invoke(struct spendd *sd, const struct rpc_identity *id,
    const char *method, json_t *params,
    void (*done)(struct rpc_call *, json_t *, const struct spend_err *, void *),
    void *arg);

/*
 * Run a whole JSON-RPC message (request object or batch).
 * reply(text, len, arg) runs exactly once with the response as compact
 * JSON text (malloc'd, NUL-terminated, len bytes without the NUL; the
 * callee frees it), or NULL when there is nothing to send (only
 * notifications). Raw results are spliced into it as they are.
 */
typedef void (*rpc_reply_fn)(char *text, size_t len, void *arg);
void rpc_dispatch(struct spendd *sd, const struct rpc_identity *id,
    json_t *msg, rpc_reply_fn reply, void *arg);
/* Same, from text; a parse error gets the -32700 response. */
void rpc_dispatch_text(struct spendd *sd, const struct rpc_identity *id,
    const char *text, size_t len, rpc_reply_fn reply, void *arg);
/* rpc_invoke, except that an expense.add waits for the end of the loop
 * turn, to commit with the others that came in it (rpc.c, "the turn
 * group"); done runs after that commit. Without a loop: rpc_invoke. */
void rpc_invoke_grouped(struct spendd *sd, const struct rpc_identity *id,
    const char *method, json_t *params,
    void (*done)(struct rpc_call *, json_t *, const struct spend_err *, void *),
    void *arg);
/* Free the turn group's state (rpc.c); requests still waiting in it (a
 * hard stop) are dropped unanswered. */
void rpc_turn_free(struct spendd *sd);
/* Free the line of writes waiting for the lock (rpc.c); its calls (a
 * hard stop) are dropped unanswered. */
void rpc_wait_free(struct spendd *sd);

/* Finish an RPC_PENDING call on the event loop. result: new reference
 * stolen, or NULL with err. */
void rpc_complete(struct rpc_call *call, json_t *result,
    const struct spend_err *err);
/* An import_done_fn / export_done_fn whose arg is the struct rpc_call
 * to complete (a new reference to result, or err). */
void rpc_job_done(json_t *result, const struct spend_err *err, void *arg);

/*
 * Run the rest of a call off the loop, for work that grows with the data
 * (lists, search, cascading deletes): fn(call, st, w, arg, result, err)
 * runs on a worker job of kind (enum job_kind) with the worker's store
 * connection st. For a JOB_WRITE, w is a write transaction begun on st
 * for call->uid: fn writes through the domain in it, the job commits it,
 * and the loop runs its hooks and publishes the result to the events hub
 * before completing the call; for reads w is NULL. fn must not touch the
 * loop's state; it may read the call. arg (may be NULL) is freed with
 * free_fn after. Returns RPC_PENDING (the handler returns it), or a
 * negative SPEND_E* with err filled (then arg is freed too).
 */
typedef int (*rpc_work_fn)(struct rpc_call *call, struct store *st,
    struct write_tx *w, void *arg, json_t **result, struct spend_err *err);
int rpc_offload(struct rpc_call *call, int kind, rpc_work_fn fn, void *arg,
    void (*free_fn)(void *), struct spend_err *err);

/* A new request id ("1733454000-42": spendd's start, a sequence) into
 * out. Event loop thread. */
void rpc_request_id(struct spendd *sd, char *out, size_t size);

/* A whole error response with a null id (for transport-level errors). */
json_t *rpc_error_envelope(const struct spend_err *err);

/* The JSON-RPC error object for err: {"code","message","data":{"field","type"}}. */
json_t *rpc_error_object(const struct spend_err *err);

#endif
