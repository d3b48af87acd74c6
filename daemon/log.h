/* Logging, OpenBSD style: log_warn appends strerror(errno), log_warnx not. */
#ifndef SPEND_LOG_H
#define SPEND_LOG_H

#include <stdarg.h>

/* to_syslog: 0 = stderr; verbose: 0 info, 1 debug. Safe to call again (SIGHUP). */
void log_init(int to_syslog, int verbose);
void log_setverbose(int verbose);
int log_getverbose(void);

void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
/* prio is a syslog priority (LOG_INFO...) */
void log_vlog(int prio, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#endif
