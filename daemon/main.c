/* spendd: start-up, signals, shutdown. */
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <event2/event.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apidoc.h"
#include "auth.h"
#include "backup.h"
#include "budget.h"
#include "config.h"
#include "events.h"
#include "http.h"
#include "httpc.h"
#include "import.h"
#include "jobs.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "plugin.h"
#include "rates_fetch.h"
#include "recurring.h"
#include "rpc.h"
#include "rpc_unix.h"
#include "scheduler.h"
#include "sync.h"
#include "spendd.h"
#include "store.h"
#include "util.h"
#include "workers.h"

#define SHUTDOWN_GRACE_MS 10000

/* The root of all state: main() makes it and hands it to everything
 * (the signal handlers get it as their argument). */
static struct spendd sd;

static void
usage(void)
{
	fprintf(stderr,
	    "usage: spendd [-fdnV] [-c FILE] [--data-dir DIR] [-o SECTION.KEY=VALUE]...\n"
	    "  -f            stay in the foreground\n"
	    "  -d            debug logging\n"
	    "  -n            check the configuration and exit\n"
	    "  -c FILE       configuration file (default: embedded defaults)\n"
	    "  --data-dir D  database, socket and pid file under D\n"
	    "  -o S.K=V      override one setting, e.g. -o http.listen=\n"
	    "  -V, --version print the version\n"
	    "  --api-doc     print the method and error tables of docs/API.md\n");
	exit(2);
}

/* Lock and write the pid file; the lock is held (s->pidfd open) until
 * the process ends. */
static void
write_pidfile(struct spendd *s, const char *path)
{
	char buf[32];
	int n;

	if ((s->pidfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		fatal("pid file %s", path);
	if (flock(s->pidfd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			fatalx("another spendd holds %s", path);
		fatal("lock %s", path);
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(s->pidfd, 0) < 0 || write(s->pidfd, buf, (size_t)n) != n)
		fatal("write %s", path);
}

static void
make_dir(const char *dir)
{
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		fatal("mkdir %s", dir);
}

/*
 * Temporary files a killed spendd left behind: uploads being received or
 * imported (upload.XXXXXX; exports are unlinked at once). Nothing else
 * can be using them: the pid file's lock says this is the only spendd on
 * this data directory.
 */
static void
remove_leftovers(const char *dir)
{
	DIR *d;
	struct dirent *e;
	char path[PATH_MAX];
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "upload.", 7) != 0 ||
		    strlen(e->d_name) != 13)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path) == 0)
			n++;
		else
			log_warn("cannot remove %s", path);
	}
	closedir(d);
	if (n)
		log_info("removed %d upload%s left by an earlier spendd", n,
		    n == 1 ? "" : "s");
}

/* The loop's commits never checkpoint (a checkpoint copies megabytes):
 * once the WAL passes WAL_CHECKPOINT_PAGES a worker does it. */
#define WAL_CHECKPOINT_PAGES 1000

static void
checkpoint_work(struct job *job, void *arg)
{
	struct spend_err err;
	struct store *st;

	(void)arg;
	if ((st = jobs_store(job, &err)) == NULL ||
	    store_checkpoint(st, &err) < 0)
		log_warnx("store: checkpoint: %s", err.msg);
}

static void
checkpoint_done(struct job *job, void *arg)
{
	struct spendd *s = arg;

	(void)job;
	s->checkpointing = false;
}

static void
wal_grown(void *arg, int pages)
{
	struct spendd *s = arg;
	struct spend_err err;

	if (pages < WAL_CHECKPOINT_PAGES || s->checkpointing || s->stopping)
		return;
	s->checkpointing = true;
	if (jobs_submit(s, JOB_WRITE, checkpoint_work, checkpoint_done, s,
	    &err) < 0)
		s->checkpointing = false;
}

static void
drain_check(evutil_socket_t fd, short what, void *arg)
{
	struct spendd *s = arg;

	(void)fd;
	(void)what;
	/* replies not yet written hold the loop too (up to the deadline): a
	 * call answered just before the signal was still in its
	 * connection's buffer when the loop ended, and its client got
	 * nothing */
	if ((http_busy(s) > 0 || rpc_unix_busy(s) > 0) &&
	    time_mono_ms() <= s->stop_deadline) {
		struct timeval tv0 = { 0, 50000 };

		evtimer_add(s->ev_drain, &tv0);
		return;
	}
	if ((s->pending == 0 && (s->workers == NULL ||
	    workers_busy(s->workers) == 0) && notify_busy(s) == 0 &&
	    httpc_busy(s) == 0) || time_mono_ms() > s->stop_deadline) {
		if (s->pending)
			log_warnx("shutdown: %d requests still pending, "
			    "leaving anyway", s->pending);
		event_base_loopexit(s->base, NULL);
		return;
	}
	struct timeval tv = { 0, 50000 };
	evtimer_add(s->ev_drain, &tv);
}

static void
on_stop(evutil_socket_t sig, short what, void *arg)
{
	struct spendd *s = arg;

	(void)what;
	if (s->stopping) {
		log_info("second signal: leaving now");
		event_base_loopbreak(s->base);
		return;
	}
	log_info("signal %d: finishing in-flight requests, then stopping",
	    (int)sig);
	s->stopping = true;
	rpc_unix_stop(s);
	plugins_cancel_jobs(s);	/* imports roll back, exports stop */
	backup_cancel(s);	/* a backup stops at its next chunk */
	workers_cancel(s->workers);	/* jobs_cancelled() says so */
	http_stop(s);		/* no new connections; event streams end */
	notify_stop(s);		/* no new attempts; those running end */
	rates_fetch_stop(s);
	s->stop_deadline = time_mono_ms() + SHUTDOWN_GRACE_MS;
	if ((s->ev_drain = evtimer_new(s->base, drain_check, s)) == NULL)
		fatalx("shutdown: out of memory");
	drain_check(-1, 0, s);
}

static void
on_hup(evutil_socket_t sig, short what, void *arg)
{
	struct spendd *s = arg;
	struct config nc;
	struct spend_err err;

	(void)sig;
	(void)what;
	config_defaults(&nc);
	strlcpy(nc.data_dir, s->cfg.data_dir, sizeof(nc.data_dir));
	if (config_load(&nc, s->config_path, s->overrides, s->n_overrides,
	    &err) < 0) {
		log_warnx("reload: %s; keeping the running configuration",
		    err.msg);
		config_free(&nc);
		return;
	}
	config_finalize(&nc);
	/* What can change live: logging (its format and access lines),
	 * admins, defaults, auth policy, request and HTTP limits (every
	 * connection's next step) and trusted proxies. Paths, listeners, workers and plugins need a restart. */
	log_init(!strcmp(nc.log, "syslog"), nc.debug);
	log_setformat(nc.log_format == CONFIG_LOG_JSON, nc.log_access);
	s->cfg.log_format = nc.log_format;
	s->cfg.log_access = nc.log_access;
	memcpy(s->cfg.admin_uids, nc.admin_uids, sizeof(nc.admin_uids));
	memcpy(s->cfg.admins, nc.admins, sizeof(nc.admins));
	s->cfg.n_admins = nc.n_admins;
	s->cfg.debug = nc.debug;
	memcpy(s->cfg.default_currency, nc.default_currency,
	    sizeof(nc.default_currency));
	memcpy(s->cfg.default_timezone, nc.default_timezone,
	    sizeof(nc.default_timezone));
	memcpy(s->cfg.registration, nc.registration, sizeof(nc.registration));
	s->cfg.max_request = nc.max_request;
	s->cfg.max_batch_reply = nc.max_batch_reply;
	s->cfg.http_max_body = nc.http_max_body;
	s->cfg.http_max_import = nc.http_max_import;
	s->cfg.http_max_headers = nc.http_max_headers;
	s->cfg.http_timeout = nc.http_timeout;
	s->cfg.http_header_timeout = nc.http_header_timeout;
	s->cfg.http_max_connections = nc.http_max_connections;
	s->cfg.http_max_connections_per_address =
	    nc.http_max_connections_per_address;
	s->cfg.http_max_output = nc.http_max_output;
	memcpy(s->cfg.http_trusted_proxies, nc.http_trusted_proxies,
	    sizeof(nc.http_trusted_proxies));
	memcpy(s->cfg.trusted_proxies, nc.trusted_proxies,
	    sizeof(nc.trusted_proxies));
	s->cfg.n_trusted_proxies = nc.n_trusted_proxies;
	memcpy(s->cfg.notify_webhook_allow, nc.notify_webhook_allow,
	    sizeof(nc.notify_webhook_allow));
	memcpy(s->cfg.notify_retry, nc.notify_retry, sizeof(nc.notify_retry));
	s->cfg.notify_timeout = nc.notify_timeout;
	s->cfg.notify_max_inflight = nc.notify_max_inflight;
	notify_reload(s);
	config_free(&s->cfg);
	s->cfg.sections = nc.sections;
	s->cfg.n_sections = nc.n_sections;
	http_reload(s);
	log_info("configuration reloaded");
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "data-dir", required_argument, NULL, 'D' },
		{ "version", no_argument, NULL, 'V' },
		{ "api-doc", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct event *ev_term, *ev_int, *ev_hup;
	struct event_config *evcfg;
	struct spend_err err;
	const char *data_dir = NULL;
	char **ov = NULL;
	size_t nov = 0;
	int ch, foreground = 0, debug = 0, check_only = 0;

	while ((ch = getopt_long(argc, argv, "c:dfhno:V", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': sd.config_path = optarg; break;
		case 'd': debug = 1; break;
		case 'f': foreground = 1; break;
		case 'n': check_only = 1; break;
		case 'D': data_dir = optarg; break;
		case 'o':
			ov = realloc(ov, (nov + 1) * sizeof(*ov));
			if (ov == NULL)
				fatal("realloc");
			ov[nov++] = optarg;
			break;
		case 'A':
			apidoc_print(stdout);
			return 0;
		case 'V':
			printf("spendd %s (protocol %d)\n", SPEND_VERSION,
			    SPEND_PROTOCOL);
			return 0;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	log_init(0, debug);
	if (sodium_init() < 0)
		fatalx("libsodium failed to initialise");
	config_defaults(&sd.cfg);
	if (data_dir)
		strlcpy(sd.cfg.data_dir, data_dir, sizeof(sd.cfg.data_dir));
	sd.overrides = ov;
	sd.n_overrides = nov;
	if (config_load(&sd.cfg, sd.config_path, ov, nov, &err) < 0)
		fatalx("%s", err.msg);
	/* --data-dir wins over the file's data_dir */
	if (data_dir)
		strlcpy(sd.cfg.data_dir, data_dir, sizeof(sd.cfg.data_dir));
	config_finalize(&sd.cfg);
	if (check_only) {
		printf("configuration ok\n");
		return 0;
	}
	if (debug)
		sd.cfg.debug = true;

	/* the database, its WAL and the pid file are nobody else's business */
	umask(027);
	make_dir(sd.cfg.data_dir);
	if (!foreground) {
		if (daemon(1, 0) < 0)
			fatal("daemon");
		if (!strcmp(sd.cfg.log, "stderr"))
			strlcpy(sd.cfg.log, "syslog", sizeof(sd.cfg.log));
	}
	log_setformat(sd.cfg.log_format == CONFIG_LOG_JSON, sd.cfg.log_access);
	log_init(!strcmp(sd.cfg.log, "syslog"), sd.cfg.debug);
	write_pidfile(&sd, sd.cfg.pidfile);
	remove_leftovers(sd.cfg.data_dir);
	signal(SIGPIPE, SIG_IGN);

	if (store_open(sd.cfg.db_path, STORE_CREATE | STORE_LOOP |
	    spendd_store_flags(&sd), &sd.store, &err) < 0)
		fatalx("store: %s", err.msg);
	budget_alerts_init();	/* evaluated in the writes (budget.h) */
	/* jansson's hash seed, set once before any thread builds JSON */
	json_object_seed(0);
	/* before the base: it must be created with a lock */
	if (workers_threads_init() < 0)
		fatalx("cannot set up libevent's thread support");
	/* epoll's changelist: a connection's read and write events, turned
	 * off and on again within one loop turn (each request and its
	 * reply), cost one epoll_ctl at the turn's end, or none, rather than
	 * one each time: 8% of the CPU of an authenticated GET under wrk was
	 * epoll_ctl. Safe while no socket is dup()ed, which spendd never
	 * does (libevent's caveat for this flag). */
	if ((evcfg = event_config_new()) == NULL ||
	    event_config_set_flag(evcfg,
	    EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST) < 0 ||
	    (sd.base = event_base_new_with_config(evcfg)) == NULL)
		fatalx("event_base_new failed");
	event_config_free(evcfg);
	/* before any socket listens: a SIGTERM from then on is held for the
	 * loop and stops spendd cleanly (its socket removed), instead of
	 * killing it with the socket left behind (125-backup stopped one
	 * between the two, and the next start found the stale socket) */
	if ((ev_term = evsignal_new(sd.base, SIGTERM, on_stop, &sd)) == NULL ||
	    (ev_int = evsignal_new(sd.base, SIGINT, on_stop, &sd)) == NULL ||
	    (ev_hup = evsignal_new(sd.base, SIGHUP, on_hup, &sd)) == NULL)
		fatalx("cannot watch signals");
	evsignal_add(ev_term, NULL);
	evsignal_add(ev_int, NULL);
	evsignal_add(ev_hup, NULL);
	if (workers_start(&sd, sd.cfg.workers) < 0)
		fatalx("cannot start worker threads");
	plugins_load(&sd);
	if (import_init(&sd, &err) < 0)
		fatalx("import: %s", err.msg);
	if (auth_init(&sd, &err) < 0)
		fatalx("auth: %s", err.msg);
	{
		size_t n;
		const struct rpc_method *all = rpc_methods(&n);

		sd.metrics = metrics_new(all, n);
	}
	if (http_start(&sd) < 0)
		fatalx("cannot serve HTTP on %s", sd.cfg.http_listen);
	if (rpc_unix_start(&sd) < 0)
		fatalx("cannot serve the control socket");
	store_on_wal(sd.store, wal_grown, &sd);
	import_cleanup_leftovers(&sd);
	if (scheduler_start(&sd) < 0 || backup_schedule(&sd) < 0)
		fatalx("cannot start the scheduler");
	if (httpc_init(&sd) < 0 || notify_start(&sd) < 0 ||
	    rates_fetch_start(&sd) < 0)
		fatalx("cannot start the deliverer (notify, rates fetch)");
	if (recurring_start(&sd) < 0)
		fatalx("cannot start the recurring scheduler");
	if (sync_start(&sd) < 0)
		fatalx("cannot start the change-log compaction");

	sd.started = time_now();
	log_info("spendd %s started (pid %ld, data %s)", SPEND_VERSION,
	    (long)getpid(), sd.cfg.data_dir);
	event_base_dispatch(sd.base);

	scheduler_stop(&sd);
	events_free(&sd);
	rpc_unix_free(&sd);
	rpc_turn_free(&sd);
	rpc_wait_free(&sd);
	workers_stop(sd.workers);
	notify_free(&sd);	/* attempts cut short stay due */
	httpc_free(&sd);	/* transfers still running are cancelled */
	rates_fetch_free(&sd);
	recurring_stop(&sd);	/* after the workers' last dones */
	backup_free(&sd);
	plugins_unload(&sd);
	http_free(&sd);		/* after the workers' last replies */
	auth_free(&sd);
	import_free(&sd);
	metrics_free(sd.metrics);
	sd.metrics = NULL;
	if (sd.ev_drain)
		event_free(sd.ev_drain);
	event_free(ev_term);
	event_free(ev_int);
	event_free(ev_hup);
	store_close(sd.store);
	event_base_free(sd.base);
	unlink(sd.cfg.pidfile);
	config_free(&sd.cfg);
	free(ov);
	log_info("stopped");
	return 0;
}
