#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* Process-wide: where log lines go is the process's (stderr or one
 * openlog), and fatal() must log with no context at hand. */
static int log_syslog;
static int log_verbose;
static pthread_mutex_t log_mtx = PTHREAD_MUTEX_INITIALIZER;

void
log_init(int to_syslog, int verbose)
{
	if (to_syslog && !log_syslog)
		openlog("spendd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_syslog = to_syslog;
	log_verbose = verbose;
	tzset();
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

int
log_getverbose(void)
{
	return log_verbose;
}

/* One line out; err != 0 appends strerror(err). */
static void
emit(int prio, int err, const char *fmt, va_list ap)
{
	static const char *names[] = { "emerg", "alert", "crit", "error",
	    "warning", "notice", "info", "debug" };
	char msg[2048], ts[32];
	struct timespec now;
	struct tm tm;
	int n;

	if (prio == LOG_DEBUG && !log_verbose)
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err && n >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(err));
	if (log_syslog) {
		syslog(prio, "%s", msg);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	pthread_mutex_lock(&log_mtx);
	fprintf(stderr, "%s.%03ldZ %s: %s\n", ts, now.tv_nsec / 1000000,
	    names[prio & 7], msg);
	fflush(stderr);
	pthread_mutex_unlock(&log_mtx);
}

void
log_vlog(int prio, const char *fmt, va_list ap)
{
	emit(prio, 0, fmt, ap);
}

#define LOGFN(name, prio, witherr)				\
void								\
name(const char *fmt, ...)					\
{								\
	int saved = errno;					\
	va_list ap;						\
	va_start(ap, fmt);					\
	emit(prio, witherr ? saved : 0, fmt, ap);		\
	va_end(ap);						\
	errno = saved;						\
}

LOGFN(log_info, LOG_INFO, 0)
LOGFN(log_debug, LOG_DEBUG, 0)
LOGFN(log_warn, LOG_WARNING, 1)
LOGFN(log_warnx, LOG_WARNING, 0)

void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	emit(LOG_CRIT, saved, fmt, ap);
	va_end(ap);
	/* nothing to unwind after a fatal error: skip atexit handlers
	 * (LeakSanitizer would report what start-up had not freed yet) */
	_exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(LOG_CRIT, 0, fmt, ap);
	va_end(ap);
	_exit(1);
}
