/* Logging, OpenBSD style: log_warn appends strerror(errno), log_warnx not. */
#ifndef SPEND_LOG_H
#define SPEND_LOG_H

#include <stdarg.h>
#include <stdint.h>

/* to_syslog: 0 = stderr; verbose: 0 info, 1 debug. Safe to call again (SIGHUP). */
void log_init(int to_syslog, int verbose);
void log_setverbose(int verbose);
int log_getverbose(void);

/* [log] format (json: one JSON object a line, {"time","level","msg",...})
 * and access (log_request writes lines). Safe to call again (SIGHUP). */
void log_setformat(int json, int access);
int log_access_on(void);

/* One request's access line: an HTTP request or an RPC call. Never a
 * path with its query, a header or a param: the route template and
 * the method only, so no secret can reach the log. */
struct log_request {
	const char *kind;	/* "http" or "rpc" */
	const char *id;		/* request id */
	int64_t uid;		/* the user, 0 = none */
	const char *peer;	/* "127.0.0.1", "uid 1000"; may be NULL */
	const char *method;	/* "GET", "expense.add" */
	const char *route;	/* "/api/v1/expenses/{id}", or NULL */
	const char *transport;	/* rpc: "unix", "http"; NULL for http */
	const char *status_text;	/* "200", "ok", "not_found" */
	int status_is_number;	/* status_text is a number (JSON) */
	int64_t us;		/* duration */
};
void log_request(const struct log_request *r);

void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
/* prio is a syslog priority (LOG_INFO...) */
void log_vlog(int prio, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#endif
