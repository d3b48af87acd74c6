/* Error codes and the error record handlers fill in. */
#ifndef SPEND_ERR_H
#define SPEND_ERR_H

#include <stddef.h>

/* Functions return 0 or one of these (negative). Each maps to one JSON-RPC
 * code and one HTTP status, in err.c. */
enum spend_errno {
	SPEND_OK = 0,
	SPEND_EINVAL = -1,	/* bad input: 400, -32602 */
	SPEND_ENOTFOUND = -2,	/* no such thing (for this user): 404 */
	SPEND_ECONFLICT = -3,	/* exists already / still in use: 409 */
	SPEND_ESTALE = -4,	/* version mismatch: 412 */
	SPEND_EAUTH = -5,	/* not authenticated: 401 */
	SPEND_EPERM = -6,	/* authenticated but not allowed: 403 */
	SPEND_ETOOBIG = -7,	/* request too large: 413 */
	SPEND_EIDEMPOTENCY = -8, /* idempotency key reused with another body: 422 */
	SPEND_ERATELIMIT = -9,	/* too many attempts: 429 */
	SPEND_EBUSY = -10,	/* the database is locked: 503, Retry-After */
	SPEND_ESTORE = -11,	/* database failure: 500 */
	SPEND_ENOMEM = -12,	/* 500 */
	SPEND_EINTERNAL = -13,	/* broken invariant: 500 */
	SPEND_ENOMETHOD = -14,	/* unknown method: -32601, 404 */
	SPEND_EPARSE = -15,	/* not JSON: -32700, 400 */
	SPEND_EREQUEST = -16,	/* not a JSON-RPC request: -32600, 400 */
	SPEND_EUNAVAIL = -17,	/* shutting down / feature off: 503 */
	SPEND_EFULL = -18,	/* the disk (or quota) is full: 507 */
	SPEND_EINFLIGHT = -19,	/* a request with this idempotency key is
				 * still running: 409 */
	SPEND_ERUNNING = -20,	/* one at a time: an import of this user, a
				 * backup, is already running: 409 */
	SPEND_ERESYNC = -21,	/* a sync client behind the compacted change
				 * log: pull again from 0: 410 */
};

#define SPEND_ERR_MSG_MAX 512

struct spend_err {
	int code;
	char field[64];			/* the parameter at fault, or "" */
	char msg[SPEND_ERR_MSG_MAX];
};

/* Fill err (may be NULL) and return code, so callers can write
 * `return spend_errf(err, SPEND_EINVAL, "amount", "not a number");` */
int spend_errf(struct spend_err *err, int code, const char *field,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void spend_err_clear(struct spend_err *err);
/* Prefix the message with "PREFIX: " (for nested context like "line 4: "). */
void spend_err_prefix(struct spend_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* For a failed file write: SPEND_EFULL if errnum says the disk (or the
 * quota) is full, else otherwise. */
int spend_err_errno(int errnum, int otherwise);

const char *spend_err_name(int code);	/* "invalid", "not_found", ... */
int spend_err_rpc_code(int code);	/* JSON-RPC error code */
int spend_err_http_status(int code);	/* HTTP status */
/* The spend code for a JSON-RPC error code (used by clients). */
int spend_err_from_rpc_code(int rpc_code);

#endif
