/*
 * Backups: an online, consistent copy of the database while writes go on
 * (daemon.backup, spendctl backup), and scheduled backups into
 * [backup] dir, of which the newest `keep` are kept.
 *
 * The copy runs on a worker with its own STORE_SECONDARY connection
 * (store_backup_to: one read snapshot, copied in chunks), into a
 * temporary file beside the target that is renamed into place only when
 * complete, mode 0600. One backup at a time. The state (running, the last
 * result, the next scheduled run) lives on the event loop.
 */
#ifndef SPEND_BACKUP_H
#define SPEND_BACKUP_H

#include <jansson.h>
#include <stdbool.h>

#include "err.h"

struct spendd;

/* Scheduled backups go by this name in [backup] dir, and only files so
 * named are ever removed there: spend-YYYYMMDDTHHMMSSZ.db (UTC). */
#define BACKUP_NAME_LEN 25

/* Register the [backup] timer when dir is set (main.c calls it).
 * The first run comes `every` after the newest backup already in dir, or
 * within a minute when there is none or it is older. */
int backup_schedule(struct spendd *sd);
/* Make a running backup give up at its next chunk (shutdown). */
void backup_cancel(struct spendd *sd);
/* daemon.status's "backup" object: a new reference. */
json_t *backup_status(struct spendd *sd);
/* When a backup last ended well since start (unix seconds), 0 if none. */
int64_t backup_last_ok(struct spendd *sd);
/* Free the state (at exit, once no backup runs). */
void backup_free(struct spendd *sd);

/* Is name a scheduled backup's name? */
bool backup_name_ok(const char *name);
/* Remove from dir the scheduled backups (by name) beyond the newest keep
 * (keep 0: none), and temporary files of such backups left by a crash
 * (older than an hour). *removed: how many backups went. */
int backup_prune(const char *dir, int keep, int *removed,
    struct spend_err *err);

#endif
