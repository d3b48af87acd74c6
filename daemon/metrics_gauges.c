/* The gauges a scrape and daemon.status read from the daemon's state
 * (metrics.h): nothing here touches the store. */
#include <sys/stat.h>

#include <stdio.h>
#include <string.h>

#include "backup.h"
#include "metrics.h"
#include "notify.h"
#include "spendd.h"
#include "store.h"
#include "util.h"
#include "workers.h"

static int64_t
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
}

void
metrics_gauges(struct spendd *sd, struct metrics_gauges *g)
{
	char wal[PATH_MAX + 8];

	memset(g, 0, sizeof(*g));
	g->started = sd->started;
	g->now = time_now();
	g->workers = sd->workers ? workers_threads(sd->workers) : 0;
	for (int k = 0; k < JOB_NKINDS; k++) {
		struct job_stats st = { 0 };

		if (sd->workers)
			workers_stats(sd->workers, k, &st);
		g->jobs[k].busy = st.busy;
		g->jobs[k].queued = st.queued;
		g->jobs[k].limit = st.limit;
		g->jobs[k].done = st.done;
	}
	notify_counts(sd, &g->deliveries_sent, &g->deliveries_failed,
	    &g->deliveries_retried);
	g->deliveries_pending = -1;
	/* a stat each: constant time, whatever the database holds */
	g->db_bytes = file_size(sd->cfg.db_path);
	snprintf(wal, sizeof(wal), "%s-wal", sd->cfg.db_path);
	g->wal_bytes = file_size(wal);
	g->last_checkpoint = store_last_checkpoint();
	g->last_backup = backup_last_ok(sd);
	g->pending_calls = sd->pending;
	g->write_groups = sd->write_groups;
	g->write_grouped = sd->write_grouped;
}
