/* Compacting the change log (sync.h). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "jobs.h"
#include "log.h"
#include "scheduler.h"
#include "spendd.h"
#include "store.h"
#include "sync.h"
#include "util.h"
#include "xmalloc.h"

#define COMPACT_BATCH 2000	/* rows looked at per transaction */

struct compact {
	struct spendd *sd;
	char before[TIMESTAMP_LEN + 1];	/* tombstones older than this go */
	int64_t removed;
	struct spend_err err;
	int r;
};

static void
compact_work(struct job *job, void *arg)
{
	struct compact *c = arg;
	struct store *st;
	int64_t uid = 0, seq = 0, n;

	if ((st = jobs_store(job, &c->err)) == NULL) {
		c->r = c->err.code;
		return;
	}
	/* a device retrying a push after tombstone_days starts over anyway */
	if ((c->r = store_sync_mutations_forget(st, c->before, &c->err)) < 0 ||
	    (c->r = store_devices_forget(st, &c->err)) < 0)
		return;
	do {
		if ((c->r = store_sync_compact(st, c->before, COMPACT_BATCH,
		    &uid, &seq, &n, &c->err)) < 0)
			return;
		c->removed += n;
	} while ((uid || seq) && !jobs_cancelled(job));
}

static void
compact_done(struct job *job, void *arg)
{
	struct compact *c = arg;

	(void)job;
	c->sd->sync_compacting = false;
	if (c->r < 0)
		log_warnx("sync: compacting the change log: %s", c->err.msg);
	else if (c->removed > 0)
		log_info("sync: change log compacted: %lld rows removed",
		    (long long)c->removed);
	free(c);
}

static void
compact(struct spendd *sd)
{
	struct compact *c;
	struct tm tm;
	time_t t;

	if (sd->sync_compacting || sd->stopping)
		return;		/* the last one is still at work */
	c = xcalloc(1, sizeof(*c));
	c->sd = sd;
	t = (time_t)(time_now() - (int64_t)sd->cfg.sync_tombstone_days * 86400);
	gmtime_r(&t, &tm);
	strftime(c->before, sizeof(c->before), "%Y-%m-%dT%H:%M:%S.999Z", &tm);
	sd->sync_compacting = true;
	if (jobs_submit(sd, JOB_WRITE, compact_work, compact_done, c,
	    &c->err) < 0) {
		sd->sync_compacting = false;
		free(c);
	}
}

int
sync_start(struct spendd *sd)
{
	int every = sd->cfg.sync_compact_every;

	return scheduler_every(sd, "sync-compact", every < 300 ? every : 300,
	    every, compact);
}
