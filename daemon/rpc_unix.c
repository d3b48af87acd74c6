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

struct conn {
	struct conn *next, *prev;
	struct rpc_unix *ru;
	struct bufferevent *bev;
	struct rpc_identity id;
	int pending;		/* calls not yet answered */
	bool closing;		/* peer gone or error: free when pending == 0 */
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
send_json(struct conn *c, json_t *j)
{
	char *text;

	if (c->bev == NULL)
		return;
	if ((text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL) {
		log_warnx("unix: cannot encode a reply");
		return;
	}
	evbuffer_add(bufferevent_get_output(c->bev), text, strlen(text));
	evbuffer_add(bufferevent_get_output(c->bev), "\n", 1);
	free(text);
}

static void
on_reply(json_t *resp, void *arg)
{
	struct conn *c = arg;

	c->pending--;
	if (resp) {
		if (!c->closing)
			send_json(c, resp);
		json_decref(resp);
	}
	if (c->closing && c->pending == 0)
		conn_free(c);
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t max = (size_t)c->ru->sd->cfg.http_max_import;
	char *line;
	size_t len;

	while ((line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF)) != NULL) {
		if (len > 0) {
			c->pending++;
			rpc_dispatch_text(c->ru->sd, &c->id, line, len, on_reply, c);
		}
		free(line);
		if (c->closing)
			return;
	}
	if (evbuffer_get_length(in) > max) {
		struct spend_err err;
		json_t *e;

		spend_errf(&err, SPEND_ETOOBIG, "", "request line longer than "
		    "%zu bytes", max);
		e = rpc_error_envelope(&err);
		send_json(c, e);
		json_decref(e);
		bufferevent_flush(bev, EV_WRITE, BEV_FLUSH);
		conn_close(c);
	}
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
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
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
	bufferevent_setcb(c->bev, on_read, NULL, on_event, c);
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
