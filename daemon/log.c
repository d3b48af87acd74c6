#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

/* Process-wide: where log lines go is the process's (stderr or one
 * openlog), and fatal() must log with no context at hand. */
static int log_syslog;
static int log_verbose;
static int log_json;		/* [log] format = json */
static int log_access;		/* [log] access = yes */
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

void
log_setformat(int json, int access)
{
	log_json = json;
	log_access = access;
}

int
log_access_on(void)
{
	return log_access;
}

/* s as the inside of a JSON string into out (size bytes, terminated):
 * quotes, backslashes and control characters escaped; bytes of text
 * that is not UTF-8 become '?'. */
static void
json_escape(const char *s, char *out, size_t size)
{
	size_t o = 0, n = strlen(s);
	int ascii = !utf8_valid(s, n), cut = 0;

	if (size == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		char tmp[8];
		const char *rep = tmp;

		if (ch == '"')
			rep = "\\\"";
		else if (ch == '\\')
			rep = "\\\\";
		else if (ch == '\n')
			rep = "\\n";
		else if (ch == '\t')
			rep = "\\t";
		else if (ch < 0x20 || ch == 0x7f)
			snprintf(tmp, sizeof(tmp), "\\u%04x", ch);
		else if (ch >= 0x80 && ascii)
			rep = "?";
		else {
			tmp[0] = (char)ch;
			tmp[1] = '\0';
		}
		if (o + strlen(rep) >= size) {
			cut = 1;
			break;
		}
		memcpy(out + o, rep, strlen(rep));
		o += strlen(rep);
	}
	/* cut short: never end inside a character of UTF-8 (the last
	 * one goes, whole or not) */
	while (cut && o > 0 && ((unsigned char)out[o - 1] & 0xc0) == 0x80)
		o--;
	if (cut && o > 0 && ((unsigned char)out[o - 1] & 0xc0) == 0xc0)
		o--;
	out[o] = '\0';
	if (!utf8_valid(out, o))
		out[0] = '\0';
}

static void
timestamp(char *ts, size_t size)
{
	struct timespec now;
	struct tm tm;
	char base[32];

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts, size, "%s.%03ldZ", base, now.tv_nsec / 1000000);
}

static const char *const level_names[] = { "emerg", "alert", "crit",
    "error", "warning", "notice", "info", "debug" };

/* A whole line out (the text after the time and level on stderr). */
static void
out_line(int prio, const char *line)
{
	char ts[40];

	if (log_syslog) {
		/* syslog stamps the time */
		if (log_json)
			syslog(prio, "{\"level\":\"%s\",%s}",
			    level_names[prio & 7], line);
		else
			syslog(prio, "%s", line);
		return;
	}
	timestamp(ts, sizeof(ts));
	pthread_mutex_lock(&log_mtx);
	if (log_json)
		fprintf(stderr, "{\"time\":\"%s\",\"level\":\"%s\",%s}\n",
		    ts, level_names[prio & 7], line);
	else
		fprintf(stderr, "%s %s: %s\n", ts, level_names[prio & 7], line);
	fflush(stderr);
	pthread_mutex_unlock(&log_mtx);
}

void
log_request(const struct log_request *r)
{
	char line[1024], esc[4][160];
	char dur[32];

	if (!log_access)
		return;
	snprintf(dur, sizeof(dur), "%lld.%03lld",
	    (long long)(r->us / 1000), (long long)(r->us % 1000));
	if (!log_json) {
		/* (syslog prefixes its own time) */
		snprintf(line, sizeof(line), "access: %s %s %s %s %s%s%s "
		    "user=%lld from %s %s ms", r->kind, r->id, r->method,
		    r->route ? r->route : "-", r->status_text,
		    r->transport ? " via " : "", r->transport ? r->transport :
		    "", (long long)r->uid, r->peer ? r->peer : "-", dur);
		out_line(LOG_INFO, line);
		return;
	}
	json_escape(r->method, esc[0], sizeof(esc[0]));
	json_escape(r->route ? r->route : "", esc[1], sizeof(esc[1]));
	json_escape(r->peer ? r->peer : "", esc[2], sizeof(esc[2]));
	json_escape(r->status_text, esc[3], sizeof(esc[3]));
	snprintf(line, sizeof(line), "\"msg\":\"access\",\"event\":\"%s\","
	    "\"request_id\":\"%s\",\"user\":%lld,\"peer\":\"%s\","
	    "\"method\":\"%s\",%s%s%s\"status\":%s%s%s,\"duration_ms\":%s%s%s%s",
	    r->kind, r->id, (long long)r->uid, esc[2], esc[0],
	    r->route ? "\"route\":\"" : "", r->route ? esc[1] : "",
	    r->route ? "\"," : "",
	    r->status_is_number ? "" : "\"", esc[3],
	    r->status_is_number ? "" : "\"", dur,
	    r->transport ? ",\"transport\":\"" : "",
	    r->transport ? r->transport : "", r->transport ? "\"" : "");
	out_line(LOG_INFO, line);
}

/* One line out; err != 0 appends strerror(err). */
static void
emit(int prio, int err, const char *fmt, va_list ap)
{
	char msg[2048];
	int n;

	if (prio == LOG_DEBUG && !log_verbose)
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err && n >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(err));
	if (log_json) {
		char esc[sizeof(msg) * 2], line[sizeof(esc) + 16];

		json_escape(msg, esc, sizeof(esc));
		snprintf(line, sizeof(line), "\"msg\":\"%s\"", esc);
		out_line(prio, line);
	} else
		out_line(prio, msg);
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
