/* Online backups: SQLite's backup API from one read snapshot. */
#include <string.h>

#include "store_internal.h"

#define BUSY_RETRIES 200	/* x 10 ms: the destination is our own file */

int
store_backup_to(struct store *st, const char *dest, int chunk_pages,
    bool (*stop)(void *arg), void *arg, int64_t *pages,
    struct spend_err *err)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	int rc, retries = 0, r = 0;

	*pages = 0;
	if (st->tx_depth != 0)
		return spend_errf(err, SPEND_EINTERNAL, "",
		    "backup inside a transaction");
	if (sqlite3_open_v2(dest, &dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		r = spend_errf(err, SPEND_ESTORE, "path", "%s: %s", dest,
		    dst ? sqlite3_errmsg(dst) : "cannot open");
		sqlite3_close(dst);
		return r;
	}
	/* A temporary file that is thrown away on any failure needs no
	 * journal; the caller fsyncs it once, at the end. */
	if (sqlite3_exec(dst, "PRAGMA journal_mode = OFF; "
	    "PRAGMA synchronous = OFF", NULL, NULL, NULL) != SQLITE_OK) {
		r = spend_errf(err, SPEND_ESTORE, "path", "%s: %s", dest,
		    sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return r;
	}
	/*
	 * Pin one snapshot for the whole copy: a read transaction that has
	 * read something. Without it each step takes a fresh snapshot, and a
	 * commit by another connection between two steps restarts the copy
	 * from page 1 (forever, under a steady stream of writes). In WAL mode
	 * the snapshot blocks no writer.
	 */
	if ((r = st_exec(st, "BEGIN DEFERRED; "
	    "SELECT count(*) FROM sqlite_schema", err)) < 0) {
		if (!sqlite3_get_autocommit(st->db))	/* BEGIN went through */
			st_exec(st, "ROLLBACK", NULL);
		sqlite3_close(dst);
		return r;
	}
	st->tx_depth = 1;
	if ((b = sqlite3_backup_init(dst, "main", st->db, "main")) == NULL) {
		r = spend_errf(err, SPEND_ESTORE, "", "backup: %s",
		    sqlite3_errmsg(dst));
		goto out;
	}
	for (;;) {
		rc = sqlite3_backup_step(b, chunk_pages > 0 ? chunk_pages : -1);
		if (rc == SQLITE_DONE)
			break;
		if (rc == SQLITE_OK) {
			retries = 0;
			if (stop && stop(arg)) {
				r = spend_errf(err, SPEND_EUNAVAIL, "",
				    "backup abandoned: spendd is shutting "
				    "down");
				break;
			}
			continue;
		}
		if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) &&
		    ++retries < BUSY_RETRIES) {
			sqlite3_sleep(10);
			continue;
		}
		break;
	}
	*pages = sqlite3_backup_pagecount(b);
	if (sqlite3_backup_finish(b) != SQLITE_OK && r == 0)
		r = spend_errf(err, SPEND_ESTORE, "", "backup: %s",
		    sqlite3_errmsg(dst));
	else if (r == 0 && rc != SQLITE_DONE)
		r = spend_errf(err, SPEND_ESTORE, "", "backup: %s",
		    sqlite3_errstr(rc));
out:
	store_rollback(st);	/* only read */
	if (sqlite3_close(dst) != SQLITE_OK && r == 0)
		r = spend_errf(err, SPEND_ESTORE, "", "backup: closing %s: %s",
		    dest, sqlite3_errmsg(dst));
	return r;
}
