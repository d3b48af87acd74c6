/*
 * exec: a notifier channel that runs the administrator's command for each
 * event, with the event's JSON (and a newline) on its standard input, and
 * never blocks the event loop: the command is spawned (posix_spawn, in a
 * process group of its own), its input written and its output read as
 * the pipes allow, its exit seen through a pidfd, all as libevent events.
 * Past the timeout the whole process group is killed (SIGKILL).
 *
 *	[notify exec]
 *	command = /usr/local/bin/spend-notify --to ops	(run by /bin/sh -c)
 *	timeout = 30		(seconds)
 *
 * The environment adds SPEND_EVENT_ID, SPEND_EVENT_KIND, SPEND_USER and
 * SPEND_ATTEMPT (they are data: a command that puts them in a shell
 * command line must quote them). Exit status 0 is delivered; any other,
 * a signal or the timeout is retried on [notify] retry's schedule, with
 * the start of the command's output in the error. Without a command the
 * channel is not offered.
 */
#include <sys/pidfd.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spend/plugin.h"
#include "../common/host.h"

SPEND_PLUGIN_DECLARE;

#define OUTPUT_KEEP 400
#define POLL_MS 100		/* without pidfd_open: waitpid this often */

extern char **environ;

static const struct spend_host_api *host;

struct run;

struct exec_conf {
	char *command;
	int timeout;			/* seconds */
	struct event_base *base;
	struct run *runs;
};

struct run {
	struct run *next;
	struct exec_conf *c;
	struct spend_delivery *d;
	pid_t pid;
	int pidfd, in_fd, out_fd;
	struct event *ev_exit, *ev_in, *ev_out, *ev_kill;
	char *input;
	size_t in_len, in_off;
	char output[OUTPUT_KEEP + 1];
	size_t out_len;
	bool timed_out;
	int status;
};

static void
run_close(struct run *r)
{
	if (r->ev_exit)
		event_free(r->ev_exit);
	if (r->ev_in)
		event_free(r->ev_in);
	if (r->ev_out)
		event_free(r->ev_out);
	if (r->ev_kill)
		event_free(r->ev_kill);
	if (r->pidfd >= 0)
		close(r->pidfd);
	if (r->in_fd >= 0)
		close(r->in_fd);
	if (r->out_fd >= 0)
		close(r->out_fd);
	free(r->input);
}

static void
unlink_run(struct run *r)
{
	for (struct run **p = &r->c->runs; *p; p = &(*p)->next)
		if (*p == r) {
			*p = r->next;
			return;
		}
}

static void
read_output(struct run *r)
{
	char buf[4096];
	ssize_t n;

	while (r->out_fd >= 0) {
		n = read(r->out_fd, buf, sizeof(buf));
		if (n > 0) {
			size_t take = (size_t)n;

			if (take > OUTPUT_KEEP - r->out_len)
				take = OUTPUT_KEEP - r->out_len;
			memcpy(r->output + r->out_len, buf, take);
			r->out_len += take;
			r->output[r->out_len] = '\0';
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		/* end of output (or an error): stop watching it */
		if (r->ev_out) {
			event_free(r->ev_out);
			r->ev_out = NULL;
		}
		close(r->out_fd);
		r->out_fd = -1;
	}
}

/* The command ended: its outcome to the host. */
static void
finish(struct run *r)
{
	char why[OUTPUT_KEEP + 128], out[OUTPUT_KEEP + 1];
	enum spend_delivery_result res = SPEND_DELIVERY_RETRY;
	size_t o = 0;

	read_output(r);
	for (size_t i = 0; i < r->out_len; i++)	/* one printable line */
		out[o++] = r->output[i] >= ' ' && r->output[i] < 127 ?
		    r->output[i] : ' ';
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	if (r->timed_out)
		snprintf(why, sizeof(why), "timed out after %d s (killed)%s%s",
		    r->c->timeout, o ? ": " : "", out);
	else if (WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0)
		res = SPEND_DELIVERED;
	else if (WIFEXITED(r->status))
		snprintf(why, sizeof(why), "exit status %d%s%s",
		    WEXITSTATUS(r->status), o ? ": " : "", out);
	else
		snprintf(why, sizeof(why), "killed by signal %d%s%s",
		    WIFSIGNALED(r->status) ? WTERMSIG(r->status) : 0,
		    o ? ": " : "", out);
	unlink_run(r);
	run_close(r);
	host->delivery_done(r->d, res, res == SPEND_DELIVERED ? NULL : why);
	free(r);
}

/* Reaped (and r finished and freed): true; still running: false. */
static bool
reap(struct run *r)
{
	int st;
	pid_t p = waitpid(r->pid, &st, WNOHANG);

	if (p == 0 || (p < 0 && errno == EINTR))
		return false;
	if (p == r->pid)
		r->status = st;
	else {		/* cannot happen: nobody else reaps our children */
		snprintf(r->output, sizeof(r->output), "waitpid: %s",
		    strerror(errno));
		r->out_len = strlen(r->output);
		r->status = 255 << 8;
	}
	finish(r);
	return true;
}

static void
on_exit_ev(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	reap(arg);
}

static void
on_poll(evutil_socket_t fd, short what, void *arg)
{
	struct run *r = arg;
	struct timeval tv = { 0, POLL_MS * 1000 };

	(void)fd;
	(void)what;
	if (!reap(r))
		evtimer_add(r->ev_exit, &tv);
}

static void
on_input(evutil_socket_t fd, short what, void *arg)
{
	struct run *r = arg;
	ssize_t n;

	(void)fd;
	(void)what;
	while (r->in_off < r->in_len) {
		n = write(r->in_fd, r->input + r->in_off, r->in_len - r->in_off);
		if (n > 0) {
			r->in_off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		break;	/* EPIPE: it does not read its input; fine */
	}
	event_free(r->ev_in);
	r->ev_in = NULL;
	close(r->in_fd);
	r->in_fd = -1;
}

static void
on_output(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	read_output(arg);
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct run *r = arg;

	(void)fd;
	(void)what;
	r->timed_out = true;
	kill(-r->pid, SIGKILL);		/* its process group */
	kill(r->pid, SIGKILL);
}

static int
setenv_list(char ***envp, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
setenv_list(char ***envp, size_t *n, const char *fmt, ...)
{
	char **e = realloc(*envp, (*n + 2) * sizeof(char *));
	va_list ap;
	int len;

	if (e == NULL)
		return -1;
	*envp = e;
	va_start(ap, fmt);
	len = vasprintf(&e[*n], fmt, ap);
	va_end(ap);
	if (len < 0)
		return -1;
	e[++*n] = NULL;
	return 0;
}

static void
env_free(char **envp, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(envp[i]);
	free(envp);
}

/* Spawn the command for r; 0, or -1 with why. */
static int
spawn(struct run *r, const struct spend_event *ev, char *why, size_t size)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, rc = -1;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dflt;
	char **envp = NULL;
	size_t nenv = 0;
	char *argv[] = { "/bin/sh", "-c", r->c->command, NULL };

	for (char **e = environ; e && *e; e++)
		if (strncmp(*e, "SPEND_", 6) != 0 &&
		    setenv_list(&envp, &nenv, "%s", *e) < 0)
			goto nomem;
	if (setenv_list(&envp, &nenv, "SPEND_EVENT_ID=%lld",
	    (long long)ev->id) < 0 ||
	    setenv_list(&envp, &nenv, "SPEND_EVENT_KIND=%s", ev->kind) < 0 ||
	    setenv_list(&envp, &nenv, "SPEND_USER=%s", ev->user) < 0 ||
	    setenv_list(&envp, &nenv, "SPEND_ATTEMPT=%d", ev->attempt) < 0)
		goto nomem;
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		snprintf(why, size, "pipe: %s", strerror(errno));
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, out[1], 2);
	/* and nothing else of spendd's: not every descriptor is
	 * close-on-exec (libcurl's resolver pair is not), and the loop's
	 * epoll changelist must meet no socket a child still holds */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&dflt);
	/* spendd ignores SIGPIPE; ignored signals outlive exec */
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGHUP);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGTERM);
	sigaddset(&dflt, SIGCHLD);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dflt);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&r->pid, argv[0], &fa, &at, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc != 0) {
		snprintf(why, size, "cannot run /bin/sh: %s", strerror(rc));
		rc = -1;
		goto out;
	}
	close(in[0]);
	close(out[1]);
	in[0] = out[1] = -1;
	r->in_fd = in[1];
	r->out_fd = out[0];
	in[1] = out[0] = -1;
	fcntl(r->in_fd, F_SETFL, fcntl(r->in_fd, F_GETFL) | O_NONBLOCK);
	fcntl(r->out_fd, F_SETFL, fcntl(r->out_fd, F_GETFL) | O_NONBLOCK);
	rc = 0;
	goto out;
nomem:
	snprintf(why, size, "out of memory");
out:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	env_free(envp, nenv);
	return rc;
}

static void
deliver(struct spend_plugin *self, const struct spend_event *ev,
    struct spend_delivery *d)
{
	struct exec_conf *c = self->data;
	struct timeval tv = { c->timeout, 0 }, poll = { 0, POLL_MS * 1000 };
	struct run *r;
	char why[256];

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		host->delivery_done(d, SPEND_DELIVERY_RETRY, "out of memory");
		return;
	}
	r->c = c;
	r->d = d;
	r->pidfd = r->in_fd = r->out_fd = -1;
	if (asprintf(&r->input, "%s\n", ev->json) < 0) {
		r->input = NULL;
		free(r);
		host->delivery_done(d, SPEND_DELIVERY_RETRY, "out of memory");
		return;
	}
	r->in_len = strlen(r->input);
	if (spawn(r, ev, why, sizeof(why)) < 0) {
		run_close(r);
		free(r);
		host->delivery_done(d, SPEND_DELIVERY_RETRY, why);
		return;
	}
	r->next = c->runs;
	c->runs = r;
	r->ev_in = event_new(c->base, r->in_fd, EV_WRITE | EV_PERSIST, on_input,
	    r);
	r->ev_out = event_new(c->base, r->out_fd, EV_READ | EV_PERSIST,
	    on_output, r);
	r->ev_kill = evtimer_new(c->base, on_timeout, r);
	if ((r->pidfd = pidfd_open(r->pid, 0)) >= 0)
		r->ev_exit = event_new(c->base, r->pidfd, EV_READ, on_exit_ev, r);
	else	/* an old kernel: look every POLL_MS */
		r->ev_exit = evtimer_new(c->base, on_poll, r);
	if (r->ev_in == NULL || r->ev_out == NULL || r->ev_kill == NULL ||
	    r->ev_exit == NULL) {
		/* cannot watch it: stop it now */
		kill(-r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
		unlink_run(r);
		run_close(r);
		free(r);
		host->delivery_done(d, SPEND_DELIVERY_RETRY, "out of memory");
		return;
	}
	event_add(r->ev_in, NULL);
	event_add(r->ev_out, NULL);
	event_add(r->ev_kill, &tv);
	event_add(r->ev_exit, r->pidfd >= 0 ? NULL : &poll);
}

static const struct spend_notifier notifier = {
	.version = SPEND_NOTIFIER_V2,
	.name = "exec",
	.description = "the administrator's command, the event on its input",
	.deliver = deliver,
	.target = SPEND_TARGET_NONE,
};

/* At unload: commands still running are killed; their deliveries run
 * again at the next start (the host kept them started). */
static void
exec_free(struct spend_plugin *self)
{
	struct exec_conf *c = self->data;

	if (c == NULL)
		return;
	while (c->runs) {
		struct run *r = c->runs;

		c->runs = r->next;
		kill(-r->pid, SIGKILL);
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
		run_close(r);
		free(r);
	}
	free(c->command);
	free(c);
	self->data = NULL;
}

SPEND_PLUGIN_EXPORT int
spend_plugin_init(const struct spend_host_api *h, struct spend_plugin *self)
{
	const char *cmd, *v;
	struct exec_conf *c;
	char *end;

	if (plugin_host_check(h, self, PLUGIN_HOST_NEEDS(hmac_sha256),
	    NULL) < 0)
		return -1;
	host = h;
	self->version = "1.0";
	self->description = "notifier: runs a command";
	if ((cmd = h->config_get(self, "command")) == NULL || *cmd == '\0') {
		h->log(self, SPEND_LOG_INFO, "no command in [notify exec]: the "
		    "exec channel is off");
		return 0;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->command = strdup(cmd)) == NULL) {
		free(c);
		return -1;
	}
	self->data = c;
	self->free_func = exec_free;
	c->timeout = 30;
	if ((v = h->config_get(self, "timeout")) != NULL) {
		long s = strtol(v, &end, 10);

		if (*v == '\0' || *end != '\0' || s < 1 || s > 3600) {
			h->log(self, SPEND_LOG_WARN, "timeout \"%s\": seconds, "
			    "1 to 3600", v);
			return -1;
		}
		c->timeout = (int)s;
	}
	if ((c->base = h->event_base(self)) == NULL) {
		h->log(self, SPEND_LOG_WARN, "no event loop");
		return -1;
	}
	return h->register_notifier(self, &notifier);
}
