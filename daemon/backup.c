/* Online and scheduled backups of the database (backup.h). */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backup.h"
#include "handlers.h"
#include "jobs.h"
#include "jsonp.h"
#include "log.h"
#include "scheduler.h"
#include "spendd.h"
#include "store.h"
#include "util.h"

#define CHUNK_PAGES 1024	/* per backup step: 4 MB at 4 kB pages */
#define FIRST_MAX 60		/* first scheduled run at most this late */
#define STALE_TMP 3600		/* a crashed run's temporary file, seconds */

struct backups {
	bool running;		/* one backup at a time */
	int64_t next;		/* the next scheduled run (unix s), 0 = none */
	json_t *last;		/* the last run's record, or NULL */
	int64_t last_ok;	/* when a run last ended well (unix s), 0 = none */
	atomic_bool cancel;	/* read by the worker between chunks */
};

struct backup_job {
	struct spendd *sd;
	struct backups *b;
	struct rpc_call *call;	/* the daemon.backup call to complete, or NULL */
	bool requested;		/* by daemon.backup, not the schedule */
	bool in_dir;		/* named in [backup] dir, pruned after */
	bool overwrite;
	int keep;
	char db_path[PATH_MAX];
	char dir[PATH_MAX];
	char path[PATH_MAX];
	char tmp[PATH_MAX + 8];
	int fd;
	int64_t at;		/* when it started, unix seconds */
	/* results, filled by the worker */
	int rc;
	struct spend_err err;
	int64_t pages, bytes, ms;
	int removed;
	bool prune_failed;
	struct spend_err prune_err;
};

static struct backups *
state(struct spendd *sd)
{
	if (sd->backups == NULL) {
		if ((sd->backups = calloc(1, sizeof(*sd->backups))) == NULL)
			fatal("calloc");
		atomic_init(&sd->backups->cancel, false);
	}
	return sd->backups;
}

static void
rfc3339(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- names and retention ---- */

static bool
digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

bool
backup_name_ok(const char *name)
{
	/* spend-YYYYMMDDTHHMMSSZ.db */
	return strlen(name) == BACKUP_NAME_LEN && !strncmp(name, "spend-", 6) &&
	    digits(name + 6, 8) && name[14] == 'T' && digits(name + 15, 6) &&
	    !strcmp(name + 21, "Z.db");
}

/* The name's time, or -1. */
static int64_t
name_time(const char *name)
{
	struct tm tm;

	if (!backup_name_ok(name))
		return -1;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(name, "spend-%4d%2d%2dT%2d%2d%2dZ.db", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
	    &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm);
}

/* "spend-...Z.db.XXXXXX": our temporary file (mkostemp's six). */
static bool
tmp_name_ok(const char *name)
{
	char base[BACKUP_NAME_LEN + 1];

	if (strlen(name) != BACKUP_NAME_LEN + 7 || name[BACKUP_NAME_LEN] != '.')
		return false;
	memcpy(base, name, BACKUP_NAME_LEN);
	base[BACKUP_NAME_LEN] = '\0';
	return backup_name_ok(base);
}

static int
cmp_desc(const void *a, const void *b)
{
	return strcmp(*(char *const *)b, *(char *const *)a);
}

int
backup_prune(const char *dir, int keep, int *removed, struct spend_err *err)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int r = 0;

	*removed = 0;
	if ((d = opendir(dir)) == NULL)
		return spend_errf(err, SPEND_EINVAL, "dir", "%s: %s", dir,
		    strerror(errno));
	while ((de = readdir(d)) != NULL) {
		struct stat sb;

		if (tmp_name_ok(de->d_name)) {
			if (fstatat(dirfd(d), de->d_name, &sb,
			    AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode) &&
			    sb.st_mtime < time(NULL) - STALE_TMP &&
			    unlinkat(dirfd(d), de->d_name, 0) == 0)
				log_info("backup: removed %s/%s, left by an "
				    "interrupted backup", dir, de->d_name);
			continue;
		}
		if (!backup_name_ok(de->d_name) || fstatat(dirfd(d), de->d_name,
		    &sb, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(sb.st_mode))
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 32) *
			    sizeof(*names));

			if (nn == NULL) {
				r = spend_errf(err, SPEND_ENOMEM, "", "out of "
				    "memory");
				goto out;
			}
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) == NULL) {
			r = spend_errf(err, SPEND_ENOMEM, "", "out of memory");
			goto out;
		}
		n++;
	}
	if (keep <= 0)
		goto out;
	/* the names sort as their times: newest first */
	qsort(names, n, sizeof(*names), cmp_desc);
	for (size_t i = (size_t)keep; i < n; i++) {
		if (unlinkat(dirfd(d), names[i], 0) < 0) {
			r = spend_errf(err, SPEND_EINVAL, "dir", "removing "
			    "%s/%s: %s", dir, names[i], strerror(errno));
			goto out;
		}
		(*removed)++;
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return r;
}

/* The newest scheduled backup's time in dir, or -1. */
static int64_t
newest(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int64_t t, best = -1;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if ((t = name_time(de->d_name)) > best)
			best = t;
	closedir(d);
	return best;
}

/* ---- one backup (worker thread) ---- */

static bool
stop_asked(void *arg)
{
	return atomic_load(&((struct backups *)arg)->cancel);
}

/* dir/base of path with dir resolved; -1 if dir does not resolve. */
static int
canonical(const char *path, char *out, size_t size)
{
	char dir[PATH_MAX], real[PATH_MAX];
	const char *slash = strrchr(path, '/'), *base;

	if (slash == NULL) {
		strlcpy(dir, ".", sizeof(dir));
		base = path;
	} else {
		size_t len = slash == path ? 1 : (size_t)(slash - path);

		if (len >= sizeof(dir))
			return -1;
		memcpy(dir, path, len);
		dir[len] = '\0';
		base = slash + 1;
	}
	if (realpath(dir, real) == NULL)
		return -1;
	return (size_t)snprintf(out, size, "%s/%s", strcmp(real, "/") ? real :
	    "", base) < size ? 0 : -1;
}

/* May the backup go to job->path? */
static int
check_target(struct backup_job *job, struct spend_err *err)
{
	static const char *const own[] = { "", "-wal", "-shm", "-journal" };
	char canon[PATH_MAX], db[PATH_MAX], name[PATH_MAX + 16];
	struct stat sb, dbsb;
	bool exists = false;

	if (lstat(job->path, &sb) == 0)
		exists = true;
	else if (errno != ENOENT)
		return spend_errf(err, SPEND_EINVAL, "path", "%s: %s",
		    job->path, strerror(errno));
	/* never over the live database or its journals, by any name */
	if (canonical(job->path, canon, sizeof(canon)) == 0 &&
	    canonical(job->db_path, db, sizeof(db)) == 0)
		for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
			snprintf(name, sizeof(name), "%s%s", db, own[i]);
			if (strcmp(canon, name) == 0)
				return spend_errf(err, SPEND_EINVAL, "path",
				    "%s is the live database%s: back up to "
				    "another file", job->path, *own[i] ?
				    "'s journal" : "");
		}
	if (exists && stat(job->db_path, &dbsb) == 0 &&
	    sb.st_dev == dbsb.st_dev && sb.st_ino == dbsb.st_ino)
		return spend_errf(err, SPEND_EINVAL, "path", "%s is the live "
		    "database: back up to another file", job->path);
	if (exists && !S_ISREG(sb.st_mode))
		return spend_errf(err, SPEND_EINVAL, "path", "%s exists and "
		    "is not a regular file", job->path);
	if (exists && job->in_dir)
		return spend_errf(err, SPEND_ECONFLICT, "path", "%s exists: "
		    "one backup a second in [backup] dir", job->path);
	if (exists && !job->overwrite)
		return spend_errf(err, SPEND_ECONFLICT, "path", "%s exists "
		    "(overwrite, spendctl backup --force, replaces it)",
		    job->path);
	return 0;
}

static void
sync_dir(const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int fd;

	strlcpy(dir, path, sizeof(dir));
	if ((slash = strrchr(dir, '/')) == NULL)
		return;
	slash[slash == dir ? 1 : 0] = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	if (fsync(fd) < 0)
		log_debug("backup: fsync %s: %s", dir, strerror(errno));
	close(fd);
}

/* Put the complete temporary file under its name. */
static int
publish(struct backup_job *job, struct spend_err *err)
{
	if (job->overwrite) {
		if (rename(job->tmp, job->path) < 0)
			return spend_errf(err, SPEND_EINVAL, "path", "rename to "
			    "%s: %s", job->path, strerror(errno));
	} else {
		/* link fails if the name appeared meanwhile: no clobbering */
		if (link(job->tmp, job->path) < 0)
			return spend_errf(err, errno == EEXIST ?
			    SPEND_ECONFLICT : SPEND_EINVAL, "path", "%s: %s",
			    job->path, errno == EEXIST ? "exists (overwrite, "
			    "spendctl backup --force, replaces it)" :
			    strerror(errno));
		unlink(job->tmp);
	}
	job->tmp[0] = '\0';
	sync_dir(job->path);
	return 0;
}

static int
job_run(struct backup_job *job, struct spend_err *err)
{
	int64_t t0 = time_mono_ms();
	struct store *st = NULL;
	struct stat sb;
	int r;

	if (job->in_dir && mkdir(job->dir, 0700) < 0 && errno != EEXIST)
		return spend_errf(err, SPEND_EINVAL, "dir", "backup dir %s: %s",
		    job->dir, strerror(errno));
	if ((r = check_target(job, err)) < 0)
		return r;
	if ((size_t)snprintf(job->tmp, sizeof(job->tmp), "%s.XXXXXX",
	    job->path) >= sizeof(job->tmp))
		return spend_errf(err, SPEND_EINVAL, "path", "path too long");
	/* mkostemp makes it 0600: the copy holds password hashes */
	if ((job->fd = mkostemp(job->tmp, O_CLOEXEC)) < 0) {
		int e = errno;

		job->tmp[0] = '\0';
		return spend_errf(err, SPEND_EINVAL, "path", "cannot create a "
		    "file next to %s: %s", job->path, strerror(e));
	}
	if ((r = store_open(job->db_path, STORE_SECONDARY, &st, err)) < 0)
		return r;
	r = store_backup_to(st, job->tmp, CHUNK_PAGES, stop_asked, job->b,
	    &job->pages, err);
	store_close(st);
	if (r < 0)
		return r;
	if (fsync(job->fd) < 0 || fstat(job->fd, &sb) < 0)
		return spend_errf(err, SPEND_ESTORE, "path", "%s: %s",
		    job->tmp, strerror(errno));
	job->bytes = (int64_t)sb.st_size;
	if ((r = publish(job, err)) < 0)
		return r;
	job->ms = time_mono_ms() - t0;
	if (job->in_dir && job->keep > 0 && backup_prune(job->dir, job->keep,
	    &job->removed, &job->prune_err) < 0)
		job->prune_failed = true;	/* the backup itself is fine */
	return 0;
}

/* Everything but the result; safe to call twice. */
static void
job_release(struct backup_job *job)
{
	if (job->fd >= 0)
		close(job->fd);
	job->fd = -1;
	if (job->tmp[0]) {
		unlink(job->tmp);	/* a failed backup leaves nothing */
		job->tmp[0] = '\0';
	}
}

static void
job_work(struct job *work, void *arg)
{
	struct backup_job *job = arg;

	spend_err_clear(&job->err);
	job->rc = job_run(job, &job->err);
	job_release(job);
}

/* ---- on the event loop ---- */

static json_t *
job_result(struct backup_job *job)
{
	char at[32];
	json_t *o;

	rfc3339(job->at, at, sizeof(at));
	o = jp_pack("{s:s, s:s, s:s, s:b}", "at", at, "trigger",
	    job->requested ? "request" : "schedule", "path", job->path, "ok",
	    job->rc == 0);
	if (job->rc == 0) {
		json_object_set_new(o, "bytes", json_integer(job->bytes));
		json_object_set_new(o, "pages", json_integer(job->pages));
		json_object_set_new(o, "duration_ms", json_integer(job->ms));
		if (job->in_dir)
			json_object_set_new(o, "removed",
			    json_integer(job->removed));
	} else
		json_object_set_new(o, "error", json_string(job->err.msg));
	return o;
}

/* Record and log the run; returns its record (a new reference). */
static json_t *
job_finish(struct backup_job *job)
{
	struct backups *b = job->b;
	const char *what = job->requested ? "backup" : "scheduled backup";
	json_t *rec = job_result(job);

	b->running = false;
	json_decref(b->last);
	b->last = json_incref(rec);
	if (job->rc == 0)
		b->last_ok = time_now();
	if (job->rc == 0 && job->removed)
		log_info("%s: %s: %lld pages, %lld bytes in %lld ms; removed "
		    "%d older beyond keep %d", what, job->path,
		    (long long)job->pages, (long long)job->bytes,
		    (long long)job->ms, job->removed, job->keep);
	else if (job->rc == 0)
		log_info("%s: %s: %lld pages, %lld bytes in %lld ms", what,
		    job->path, (long long)job->pages, (long long)job->bytes,
		    (long long)job->ms);
	else if (job->requested)	/* the caller is told why */
		log_info("%s to %s failed: %s", what, job->path, job->err.msg);
	else
		log_warnx("%s to %s failed: %s", what, job->path, job->err.msg);
	if (job->prune_failed)
		log_warnx("%s: %s", what, job->prune_err.msg);
	return rec;
}

static void
job_done(struct job *work, void *arg)
{
	struct backup_job *job = arg;
	json_t *rec = job_finish(job);

	if (job->call)	/* rpc_complete steals the result */
		rpc_complete(job->call, job->rc == 0 ? json_incref(rec) : NULL,
		    &job->err);
	json_decref(rec);
	free(job);
}

/* A job to path, or (path NULL) a new name in [backup] dir. */
static struct backup_job *
job_new(struct spendd *sd, const char *path, bool overwrite,
    struct spend_err *err)
{
	struct backup_job *job = calloc(1, sizeof(*job));
	char stamp[32];
	time_t now;
	struct tm tm;

	if (job == NULL)
		fatal("calloc");
	job->sd = sd;
	job->b = state(sd);
	job->fd = -1;
	job->at = time_now();
	job->overwrite = overwrite;
	job->keep = sd->cfg.backup_keep;
	strlcpy(job->db_path, sd->cfg.db_path, sizeof(job->db_path));
	strlcpy(job->dir, sd->cfg.backup_dir, sizeof(job->dir));
	if (path) {
		strlcpy(job->path, path, sizeof(job->path));
		return job;
	}
	job->in_dir = true;
	now = (time_t)job->at;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "spend-%Y%m%dT%H%M%SZ.db", &tm);
	if ((size_t)snprintf(job->path, sizeof(job->path), "%s/%s", job->dir,
	    stamp) >= sizeof(job->path)) {
		free(job);
		spend_errf(err, SPEND_EINVAL, "dir", "backup dir too long");
		return NULL;
	}
	return job;
}

/* Hand job to a worker; on failure job is freed and err filled. */
static int
job_start(struct backup_job *job, struct spend_err *err)
{
	struct backups *b = job->b;
	int r;

	if (b->running) {
		free(job);
		return spend_errf(err, SPEND_ERUNNING, "", "a backup is already "
		    "running; try again when it is done");
	}
	if ((r = jobs_check(job->sd, err)) < 0)
		goto fail;
	/* running first: without workers the job is done (and freed) before
	 * jobs_submit returns */
	b->running = true;
	if ((r = jobs_submit(job->sd, JOB_BACKUP, job_work, job_done, job,
	    err)) < 0) {
		b->running = false;
		goto fail;
	}
	return 0;
fail:
	free(job);
	return r;
}

static void
tick(struct spendd *sd)
{
	struct backups *b = state(sd);
	struct backup_job *job;
	struct spend_err err;

	b->next = time_now() + sd->cfg.backup_every;
	if (sd->stopping)
		return;
	if (b->running) {
		log_info("scheduled backup: skipped, the previous backup is "
		    "still running");
		return;
	}
	if ((job = job_new(sd, NULL, false, &err)) == NULL ||
	    job_start(job, &err) < 0)
		log_warnx("scheduled backup: %s", err.msg);
}

int
backup_schedule(struct spendd *sd)
{
	const struct config *c = &sd->cfg;
	int64_t now = time_now(), last;
	int first;

	if (c->backup_dir[0] == '\0')
		return 0;
	/* every after the newest one, so restarts do not postpone it */
	last = newest(c->backup_dir);
	if (last < 0 || last + c->backup_every <= now)
		first = c->backup_every < FIRST_MAX ? c->backup_every :
		    FIRST_MAX;
	else if (last > now)	/* the clock went back: do not wait longer */
		first = c->backup_every;
	else
		first = (int)(last + c->backup_every - now);
	state(sd)->next = now + first;
	log_info("backups: every %ds into %s, keeping %d%s; next in %ds",
	    c->backup_every, c->backup_dir, c->backup_keep,
	    c->backup_keep ? "" : " (all)", first);
	return scheduler_every(sd, "backup", first, c->backup_every, tick);
}

void
backup_cancel(struct spendd *sd)
{
	if (sd->backups)
		atomic_store(&sd->backups->cancel, true);
}

json_t *
backup_status(struct spendd *sd)
{
	struct backups *b = sd->backups;
	const struct config *c = &sd->cfg;
	json_t *o = jp_pack("{s:s, s:i, s:i, s:b}", "dir", c->backup_dir,
	    "every", c->backup_every, "keep", c->backup_keep,
	    "running", b && b->running);
	char next[32];

	if (b && b->next && c->backup_dir[0]) {
		rfc3339(b->next, next, sizeof(next));
		json_object_set_new(o, "next", json_string(next));
	} else
		json_object_set_new(o, "next", json_null());
	json_object_set_new(o, "last", b && b->last ? json_incref(b->last) :
	    json_null());
	return o;
}

int64_t
backup_last_ok(struct spendd *sd)
{
	return sd->backups ? sd->backups->last_ok : 0;
}

void
backup_free(struct spendd *sd)
{
	if (sd->backups == NULL)
		return;
	json_decref(sd->backups->last);
	free(sd->backups);
	sd->backups = NULL;
}

/* ---- daemon.backup ---- */

int
h_daemon_backup(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	struct backup_job *job;
	char path[PATH_MAX];
	bool has_path = false, overwrite = false;
	int r;

	if (jp_str(p, "path", false, path, sizeof(path), NULL, &has_path,
	    err) < 0 ||
	    jp_bool(p, "overwrite", &overwrite, NULL, err) < 0)
		return SPEND_EINVAL;
	if (has_path) {
		/* spendd writes the file with its own rights */
		if (!c->id.socket_admin)
			return spend_errf(err, SPEND_EPERM, "path", "path: "
			    "spendd writes a file by name only for "
			    "administrators on the control socket; leave path "
			    "out to back up into [backup] dir");
		if (path[0] != '/')
			return spend_errf(err, SPEND_EINVAL, "path", "path "
			    "\"%s\" must be absolute: spendd writes it, from "
			    "its own working directory", path);
	} else {
		if (c->sd->cfg.backup_dir[0] == '\0')
			return spend_errf(err, SPEND_EINVAL, "path", "path is "
			    "required ([backup] dir is not set)");
		if (overwrite)
			return spend_errf(err, SPEND_EINVAL, "overwrite",
			    "overwrite needs a path: backups in [backup] dir "
			    "get new names");
	}
	if ((job = job_new(c->sd, has_path ? path : NULL, overwrite,
	    err)) == NULL)
		return err->code;
	job->requested = true;
	job->call = c;
	if ((r = job_start(job, err)) < 0)
		return r;
	return RPC_PENDING;
}
