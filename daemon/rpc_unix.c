/* NDJSON JSON-RPC on the control socket. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "rpc.h"
#include "rpc_unix.h"
#include "util.h"
#include "xmalloc.h"

/*
 * A client is read while it has fewer than MAX_PENDING calls unanswered
 * and less than OUT_PAUSE bytes of replies waiting for it: a client that
 * sends without reading stops being read (its requests wait in the
 * kernel), so spendd's memory for it stays bounded. Past OUT_CUT bytes
 * (replies of calls already running) it is cut off.
 */
#define MAX_PENDING 16
#define LINGER_S 2
#define OUT_PAUSE (1 << 20)
#define OUT_CUT(sd) ((size_t)(sd)->cfg.max_batch_reply * 8)

struct conn {
	struct conn *next, *prev;
	struct rpc_unix *ru;
	struct bufferevent *bev;
	struct rpc_identity id;
	size_t scanned;		/* bytes of input known to hold no newline */
	int pending;		/* calls not yet answered */
	bool paused;		/* not reading (see above) */
	bool refused;		/* told why it is cut off: reading to drop */
	bool closing;		/* peer gone or error: free when pending == 0 */
	struct event *linger;	/* ends a refused connection */
};

struct rpc_unix {
	struct spendd *sd;
	struct evconnlistener *lis;
	struct conn *conns;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static void
conn_free(struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		c->ru->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (c->bev)
		bufferevent_free(c->bev);
	if (c->linger)
		event_free(c->linger);
	free(c);
}

static void
conn_close(struct conn *c)
{
	c->closing = true;
	if (c->bev) {
		bufferevent_free(c->bev);
		c->bev = NULL;
	}
	if (c->pending == 0)
		conn_free(c);
}

static void
free_text(const void *data, size_t len, void *arg)
{
	(void)len;
	(void)arg;
	free((void *)data);
}

/* A reply line: text (malloc'd, NUL-terminated, taken) and a newline,
 * handed to the buffer without a copy. */
static void
send_text(struct conn *c, char *text, size_t len)
{
	if (c->bev == NULL) {
		free(text);
		return;
	}
	text[len] = '\n';	/* the NUL becomes the line's end */
	if (evbuffer_add_reference(bufferevent_get_output(c->bev), text,
	    len + 1, free_text, NULL) < 0) {
		log_warnx("unix: cannot queue a reply");
		free(text);
	}
}

static void
send_json(struct conn *c, json_t *j)
{
	char *text;

	if (c->bev == NULL)
		return;
	if ((text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL) {
		log_warnx("unix: cannot encode a reply");
		return;
	}
	send_text(c, text, strlen(text));
}

static void on_read(struct bufferevent *bev, void *arg);

/* Read or not, by the rule at the top. */
static void
flow(struct conn *c)
{
	size_t out;
	bool pause;

	if (c->bev == NULL)
		return;
	out = evbuffer_get_length(bufferevent_get_output(c->bev));
	if (out > OUT_CUT(c->ru->sd)) {
		log_warnx("unix: %s reads too slowly (%zu bytes of replies "
		    "waiting): closing", c->id.peer, out);
		conn_close(c);
		return;
	}
	pause = c->pending >= MAX_PENDING || out >= OUT_PAUSE;
	if (pause && !c->paused)
		bufferevent_disable(c->bev, EV_READ);
	else if (!pause && c->paused) {
		bufferevent_enable(c->bev, EV_READ);
		c->paused = false;
		on_read(c->bev, c);	/* requests already buffered */
		return;
	}
	c->paused = pause;
}

static void
on_reply(char *text, size_t len, void *arg)
{
	struct conn *c = arg;

	c->pending--;
	if (text) {
		if (!c->closing)
			send_text(c, text, len);
		else
			free(text);
	}
	if (c->closing && c->pending == 0)
		conn_free(c);
	else if (!c->closing)
		flow(c);
}

static void
linger_end(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	conn_close(arg);
}

static void
on_write(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	if (c->refused) {
		/* the error is out: no more from us; the peer gets LINGER_S
		 * to stop sending before the close (closing with its data
		 * unread would reset the connection and could lose the
		 * error in its buffer) */
		struct timeval tv = { LINGER_S, 0 };

		shutdown(bufferevent_getfd(bev), SHUT_WR);
		if (c->linger == NULL)
			c->linger = evtimer_new(c->ru->sd->base, linger_end, c);
		if (c->linger)
			evtimer_add(c->linger, &tv);
		else
			conn_close(c);
		return;
	}
	flow(c);
}

/* Refuse a request line over [daemon] max_request, then close. */
static void
too_long(struct conn *c, size_t max)
{
	struct spend_err err;
	json_t *e;

	log_warnx("unix: %s sent a request line over %zu bytes: closing",
	    c->id.peer, max);
	spend_errf(&err, SPEND_ETOOBIG, "", "request line longer than %zu "
	    "bytes ([daemon] max_request)", max);
	e = rpc_error_envelope(&err);
	send_json(c, e);
	json_decref(e);
	c->refused = true;
	evbuffer_drain(bufferevent_get_input(c->bev),
	    evbuffer_get_length(bufferevent_get_input(c->bev)));
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t max = (size_t)c->ru->sd->cfg.max_request;
	struct evbuffer_ptr at;
	char *line;
	size_t len;

	if (c->refused) {
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	c->pending++;		/* c outlives this call, whatever a reply does */
	while (!c->closing && !c->paused && !c->refused) {
		/* search only the bytes not searched before: a long line
		 * arriving in many pieces costs linear time, not quadratic */
		if (evbuffer_ptr_set(in, &at, c->scanned, EVBUFFER_PTR_SET) < 0)
			break;
		at = evbuffer_search_eol(in, &at, NULL, EVBUFFER_EOL_LF);
		if (at.pos < 0) {
			c->scanned = evbuffer_get_length(in);
			if (c->scanned > max)
				too_long(c, max);
			break;
		}
		if ((size_t)at.pos > max) {
			too_long(c, max);
			break;
		}
		c->scanned = 0;
		if ((line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF)) == NULL)
			break;
		if (len > 0) {
			c->pending++;
			rpc_dispatch_text(c->ru->sd, &c->id, line, len, on_reply, c);
		}
		free(line);
		flow(c);
	}
	if (--c->pending == 0 && c->closing)
		conn_free(c);
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		conn_close(c);
}

static void
on_accept(struct evconnlistener *lis, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct rpc_unix *ru = arg;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct conn *c;

	(void)lis;
	(void)sa;
	(void)salen;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		log_warn("unix: SO_PEERCRED");
		close(fd);
		return;
	}
	if (cred.uid != 0 && cred.uid != geteuid() &&
	    !config_is_admin_uid(&ru->sd->cfg, cred.uid)) {
		static const char msg[] = "{\"jsonrpc\":\"2.0\",\"id\":null,"
		    "\"error\":{\"code\":-32003,\"message\":\"uid not allowed "
		    "on the control socket (see admin_uids in spendd.conf)\","
		    "\"data\":{\"type\":\"forbidden\"}}}\n";

		log_info("unix: refused uid %u", (unsigned)cred.uid);
		(void)!write(fd, msg, sizeof(msg) - 1);
		close(fd);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->ru = ru;
	c->id.role = ROLE_ADMIN;
	c->id.socket_admin = true;
	c->id.transport = "unix";
	snprintf(c->id.peer, sizeof(c->id.peer), "uid %u", (unsigned)cred.uid);
	c->bev = bufferevent_socket_new(ru->sd->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		close(fd);
		free(c);
		return;
	}
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	c->next = ru->conns;
	if (ru->conns)
		ru->conns->prev = c;
	ru->conns = c;
}

/* A daemon answering on path already? */
static bool
socket_alive(const char *path)
{
	struct sockaddr_un sun;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	bool alive;

	if (fd < 0)
		return false;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
	alive = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return alive;
}

int
rpc_unix_start(struct spendd *sd)
{
	struct rpc_unix *ru;
	struct sockaddr_un sun;
	char tmp[sizeof(sun.sun_path)];
	mode_t old;

	if ((ru = calloc(1, sizeof(*ru))) == NULL)
		return -1;
	ru->sd = sd;
	if (strlcpy(ru->path, sd->cfg.socket, sizeof(ru->path)) >=
	    sizeof(ru->path)) {
		log_warnx("unix: socket path too long: %s", sd->cfg.socket);
		free(ru);
		return -1;
	}
	if (socket_alive(ru->path)) {
		log_warnx("unix: another spendd is listening on %s", ru->path);
		free(ru);
		return -1;
	}
	unlink(ru->path);
	/* Bind under a temporary name and rename once listening: whoever
	 * waits for the socket to appear then finds it accepting (between
	 * bind and listen a connect is refused). */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.new", ru->path) >=
	    sizeof(tmp))
		strlcpy(tmp, ru->path, sizeof(tmp));
	unlink(tmp);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, tmp, sizeof(sun.sun_path));
	old = umask(0117);	/* socket 0660 */
	ru->lis = evconnlistener_new_bind(sd->base, on_accept, ru,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 64,
	    (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (ru->lis == NULL) {
		log_warn("unix: cannot listen on %s", ru->path);
		free(ru);
		return -1;
	}
	if (strcmp(tmp, ru->path) != 0 && rename(tmp, ru->path) < 0) {
		log_warn("unix: cannot rename %s to %s", tmp, ru->path);
		evconnlistener_free(ru->lis);
		unlink(tmp);
		free(ru);
		return -1;
	}
	sd->unix = ru;
	log_info("listening on %s", ru->path);
	return 0;
}

void
rpc_unix_stop(struct spendd *sd)
{
	struct rpc_unix *ru = sd->unix;

	if (ru == NULL || ru->lis == NULL)
		return;
	evconnlistener_free(ru->lis);
	ru->lis = NULL;
	unlink(ru->path);
}

int
rpc_unix_busy(struct spendd *sd)
{
	struct rpc_unix *ru = sd->unix;
	int n = 0;

	if (ru == NULL)
		return 0;
	for (struct conn *c = ru->conns; c; c = c->next)
		if (c->bev && evbuffer_get_length(bufferevent_get_output(c->bev)))
			n++;
	return n;
}

void
rpc_unix_free(struct spendd *sd)
{
	struct rpc_unix *ru = sd->unix;

	if (ru == NULL)
		return;
	rpc_unix_stop(sd);
	while (ru->conns)
		conn_free(ru->conns);
	free(ru);
	sd->unix = NULL;
}
