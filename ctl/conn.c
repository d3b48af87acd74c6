/*
 * spendctl's connection: socket, framing, send and receive, the daemon's
 * errors. See conn.h.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "spendctl.h"
#include "rpc.h"
#include "spendd.h"
#include "util.h"

#define LINE_MAX_BYTES (1024 * 1024 * 1024)	/* one reply, sanity bound */

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		/* no SIGPIPE from the socket; a closed stdout still stops us
		 * quietly, as `spendctl expense list | head` expects */
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One reply line (NUL-terminated, without '\n') into *line, valid until
 * the next read; -1 on EOF or error. */
static int
read_line(struct ctl *c, char **line, size_t *len)
{
	size_t scanned = 0;

	for (;;) {
		/* buf is NULL before the first read: memchr(NULL, 0) is UB */
		char *nl = c->buflen > scanned ?
		    memchr(c->buf + scanned, '\n', c->buflen - scanned) : NULL;
		ssize_t n;

		if (nl) {
			*nl = '\0';
			*line = c->buf;
			*len = (size_t)(nl - c->buf);
			return 0;
		}
		scanned = c->buflen;
		if (c->bufsize - c->buflen < 4096) {
			size_t ns = c->bufsize ? c->bufsize * 2 : 65536;
			char *nb;

			if (ns > LINE_MAX_BYTES || (nb = realloc(c->buf, ns)) ==
			    NULL) {
				errno = ENOMEM;
				return -1;
			}
			c->buf = nb;
			c->bufsize = ns;
		}
		n = read(c->fd, c->buf + c->buflen, c->bufsize - c->buflen - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = 0;
			return -1;
		}
		c->buflen += (size_t)n;
	}
}

/* Drop the line read_line returned. */
static void
consume_line(struct ctl *c, size_t len)
{
	c->buflen -= len + 1;
	memmove(c->buf, c->buf + len + 1, c->buflen);
}

/* Send msg (borrowed), read one reply into *reply (new reference). */
static int
roundtrip(struct ctl *c, json_t *msg, json_t **reply)
{
	char *text, *line;
	size_t len;
	json_error_t jerr;
	int r;

	if ((text = json_dumps(msg, JSON_COMPACT)) == NULL)
		return ctl_err("cannot encode the request"), -1;
	/* A refused peer gets its reason written before the close: read it
	 * even when the write fails. */
	r = write_all(c->fd, text, strlen(text));
	if (r == 0)
		r = write_all(c->fd, "\n", 1);
	free(text);
	if (read_line(c, &line, &len) < 0) {
		if (errno)
			ctl_err("reading from %s: %s", c->socket,
			    strerror(errno));
		else
			ctl_err("spendd closed the connection on %s%s", c->socket,
			    r < 0 ? " before reading the request" : "");
		return -1;
	}
	*reply = json_loadb(line, len, 0, &jerr);
	consume_line(c, len);
	if (*reply == NULL)
		return ctl_err("spendd sent a reply that is not JSON: %s",
		    jerr.text), -1;
	return 0;
}

/* The error of a reply envelope, printed; -1. */
static int
reply_error(json_t *env)
{
	json_t *e = json_object_get(env, "error");
	const char *msg = json_string_value(json_object_get(e, "message"));

	if (msg == NULL || *msg == '\0')
		msg = json_string_value(json_object_get(json_object_get(e,
		    "data"), "type"));
	ctl_err("%s", msg ? msg : "spendd sent an error without a message");
	return -1;
}

static json_t *
request(struct ctl *c, const char *method, json_t *params)
{
	json_t *r = json_object();

	json_object_set_new(r, "jsonrpc", json_string("2.0"));
	json_object_set_new(r, "id", json_integer(++c->next_id));
	json_object_set_new(r, "method", json_string(method));
	json_object_set_new(r, "params", params ? json_incref(params) :
	    json_object());
	return r;
}

int
conn_connect(struct ctl *c, bool quiet)
{
	struct sockaddr_un sun;
	json_t *batch, *reply = NULL, *v, *d;
	json_int_t proto;

	if (c->fd >= 0)
		return 0;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, c->socket, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		if (!quiet)
			ctl_err("socket path too long: %s", c->socket);
		return -1;
	}
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		if (!quiet)
			ctl_err("socket: %s", strerror(errno));
		return -1;
	}
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int e = errno;

		close(c->fd);
		c->fd = -1;
		if (quiet)
			return -1;
		if (e == EACCES || e == EPERM)
			ctl_err("cannot connect to %s: %s (spendctl needs to "
			    "run as root, spendd's user or its group)",
			    c->socket, strerror(e));
		else
			ctl_err("cannot connect to %s: %s (is spendd running? "
			    "see --socket or SPEND_SOCKET)", c->socket,
			    strerror(e));
		return -1;
	}
	/* version and method list in one round trip */
	batch = json_array();
	json_array_append_new(batch, request(c, "daemon.version", NULL));
	json_array_append_new(batch, request(c, "rpc.describe", NULL));
	if (roundtrip(c, batch, &reply) < 0)
		goto fail;
	if (!json_is_array(reply)) {
		if (json_object_get(reply, "error"))
			reply_error(reply);
		else
			ctl_err("spendd sent an unexpected reply to "
			    "daemon.version");
		goto fail;
	}
	v = d = NULL;
	for (size_t i = 0; i < json_array_size(reply); i++) {
		json_t *env = json_array_get(reply, i);
		json_int_t id = json_integer_value(json_object_get(env, "id"));

		if (id == c->next_id - 1)
			v = env;
		else if (id == c->next_id)
			d = env;
	}
	/* the version first: another protocol explains any other error */
	if (json_object_get(v, "error")) {
		reply_error(v);
		goto fail;
	}
	v = json_object_get(v, "result");
	if (!json_is_object(v) || !json_is_integer(json_object_get(v,
	    "protocol"))) {
		ctl_err("spendd did not say its protocol version");
		goto fail;
	}
	proto = json_integer_value(json_object_get(v, "protocol"));
	if (proto != SPEND_PROTOCOL) {
		ctl_err("spendd %s speaks protocol %lld but this spendctl %s "
		    "speaks protocol %d: use a spendctl from the same release",
		    json_string_value(json_object_get(v, "version")) ?
		    json_string_value(json_object_get(v, "version")) : "?",
		    (long long)proto, SPEND_VERSION, SPEND_PROTOCOL);
		goto fail;
	}
	if (json_object_get(d, "error")) {
		reply_error(d);
		goto fail;
	}
	c->version = json_incref(v);
	c->methods = json_incref(json_object_get(json_object_get(d, "result"),
	    "methods"));
	json_decref(batch);
	json_decref(reply);
	return 0;
fail:
	json_decref(batch);
	json_decref(reply);
	close(c->fd);
	c->fd = -1;
	return -1;
}

json_t *
conn_method(struct ctl *c, const char *method)
{
	size_t i;
	json_t *m;

	json_array_foreach(c->methods, i, m) {
		const char *n = json_string_value(json_object_get(m, "name"));

		if (n && strcmp(n, method) == 0)
			return m;
	}
	return NULL;
}

int
conn_call(struct ctl *c, const char *method, json_t *params, json_t **result)
{
	json_t *p, *req, *reply = NULL, *m;
	int r = -1;

	*result = NULL;
	if (conn_connect(c, false) < 0)
		return -1;
	p = params ? json_copy(params) : json_object();
	m = conn_method(c, method);
	if (c->user && m && json_is_true(json_object_get(m, "acts_for_user")))
		json_object_set_new(p, "user", json_string(c->user));
	req = request(c, method, p);
	json_decref(p);
	if (roundtrip(c, req, &reply) < 0)
		goto out;
	if (json_object_get(reply, "error"))
		reply_error(reply);
	else if (json_integer_value(json_object_get(reply, "id")) != c->next_id ||
	    json_object_get(reply, "result") == NULL)
		ctl_err("spendd sent a reply that does not answer %s", method);
	else {
		*result = json_incref(json_object_get(reply, "result"));
		r = 0;
	}
out:
	json_decref(req);
	json_decref(reply);
	return r;
}

void
conn_close(struct ctl *c)
{
	json_decref(c->version);
	json_decref(c->methods);
	c->version = c->methods = NULL;
	free(c->buf);
	c->buf = NULL;
	c->buflen = c->bufsize = 0;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}
