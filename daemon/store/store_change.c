/* The change log: one numbered row per change of a user's data. */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

int
store_change_append(struct store *st, int64_t uid, const char *entity,
    int64_t entity_id, const char *op, int64_t version, int64_t *seq,
    struct spend_err *err)
{
	sqlite3_stmt *s;
	char now[TIMESTAMP_LEN + 1];
	int r;

	/* The counter lives with the user: numbers are never reused, even
	 * when old changes are compacted away. A transaction's first change
	 * of a user takes it from the row (an UPDATE, then a SELECT:
	 * RETURNING costs more than both), the next count on in struct
	 * store, written back once before COMMIT: a bulk add of 500 ran 499
	 * of those pairs for nothing, a fifth of its work in the store. */
	if (st->tx_depth > 0 && st->seq.uid == uid) {
		*seq = ++st->seq.last;
		st->seq.unsaved++;
	} else {
		if ((r = st_seq_flush(st, err)) < 0)
			return r;
		if ((s = st_prepare(st, "UPDATE users SET change_seq = "
		    "change_seq + 1 WHERE id = ?", err)) == NULL)
			return st_failed(st);
		sqlite3_bind_int64(s, 1, uid);
		if ((r = st_exec_stmt(st, s, err)) < 0)
			return r;
		if (sqlite3_changes(st->db) == 0)
			return spend_errf(err, SPEND_ENOTFOUND, "", "no user %lld",
			    (long long)uid);
		if ((r = store_change_last(st, uid, seq, err)) < 0)
			return r;
		if (st->tx_depth > 0) {
			st->seq.uid = uid;
			st->seq.last = *seq;
			st->seq.unsaved = 0;
		}
	}
	if ((s = st_prepare(st, "INSERT INTO changes(user_id, seq, entity, "
	    "entity_id, op, version, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
	    err)) == NULL)
		return st_failed(st);
	timestamp_now(now);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_int64(s, 2, *seq);
	sqlite3_bind_text(s, 3, entity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, entity_id);
	sqlite3_bind_text(s, 5, op, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, version);
	sqlite3_bind_text(s, 7, now, -1, SQLITE_STATIC);
	return st_exec_stmt(st, s, err);
}

int
store_change_list(struct store *st, int64_t uid, int64_t since, int limit,
    int (*cb)(void *arg, const struct change *c), void *arg,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT seq, entity, entity_id, op, "
	    "version, changed_at FROM changes WHERE user_id = ? AND seq > ? "
	    "ORDER BY seq LIMIT ?", err);
	struct change c;
	int rc, r = 0;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_int64(s, 2, since);
	sqlite3_bind_int64(s, 3, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&c, 0, sizeof(c));
		c.seq = sqlite3_column_int64(s, 0);
		st_col_text(s, 1, c.entity, sizeof(c.entity));
		c.entity_id = sqlite3_column_int64(s, 2);
		st_col_text(s, 3, c.op, sizeof(c.op));
		c.version = sqlite3_column_int64(s, 4);
		st_col_text(s, 5, c.at, sizeof(c.at));
		if ((r = cb(arg, &c)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = st_error(st, err, "list changes");
	sqlite3_reset(s);
	return r;
}

int
store_change_last(struct store *st, int64_t uid, int64_t *seq,
    struct spend_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (st->tx_depth > 0 && st->seq.uid == uid) {	/* counted here */
		*seq = st->seq.last;
		return 0;
	}
	if ((s = st_prepare(st, "SELECT change_seq FROM users WHERE id = ?",
	    err)) == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	rc = sqlite3_step(s);
	*seq = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return spend_errf(err, SPEND_ENOTFOUND, "", "no user %lld",
		    (long long)uid);
	return rc == SQLITE_ROW ? 0 : st_error(st, err, "read the change "
	    "sequence");
}

static void
row_change(sqlite3_stmt *s, struct change *c)
{
	memset(c, 0, sizeof(*c));
	c->seq = sqlite3_column_int64(s, 0);
	st_col_text(s, 1, c->entity, sizeof(c->entity));
	c->entity_id = sqlite3_column_int64(s, 2);
	st_col_text(s, 3, c->op, sizeof(c->op));
	c->version = sqlite3_column_int64(s, 4);
	st_col_text(s, 5, c->at, sizeof(c->at));
}

int
store_sync_changes(struct store *st, int64_t uid, int64_t since, int limit,
    int (*cb)(void *arg, const struct change *c), void *arg,
    struct spend_err *err)
{
	/* the page walks the primary key; each row asks changes_entity
	 * whether a later change of its entity exists */
	sqlite3_stmt *s = st_prepare(st, "SELECT c.seq, c.entity, "
	    "c.entity_id, c.op, c.version, c.changed_at FROM changes c "
	    "WHERE c.user_id = ?1 AND c.seq > ?2 AND NOT EXISTS (SELECT 1 "
	    "FROM changes d WHERE d.user_id = ?1 AND d.entity = c.entity AND "
	    "d.entity_id = c.entity_id AND d.seq > c.seq) ORDER BY c.seq "
	    "LIMIT ?3", err);
	struct change c;
	int rc, r = 0;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_int64(s, 2, since);
	sqlite3_bind_int64(s, 3, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_change(s, &c);
		if ((r = cb(arg, &c)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = st_error(st, err, "list changes");
	sqlite3_reset(s);
	return r;
}

int
store_sync_marks(struct store *st, int64_t uid, int64_t *head,
    int64_t *floor, struct spend_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = st_seq_flush(st, err)) < 0)	/* the row up to date */
		return rc;
	if ((s = st_prepare(st, "SELECT change_seq, change_floor FROM users "
	    "WHERE id = ?", err)) == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	rc = sqlite3_step(s);
	*head = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	*floor = rc == SQLITE_ROW ? sqlite3_column_int64(s, 1) : 0;
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return spend_errf(err, SPEND_ENOTFOUND, "", "no user %lld",
		    (long long)uid);
	return rc == SQLITE_ROW ? 0 : st_error(st, err, "read the change "
	    "sequence");
}

#define COMPACT_BATCH_MAX 4096

int
store_sync_compact(struct store *st, const char *before, int batch,
    int64_t *uid, int64_t *seq, int64_t *removed, struct spend_err *err)
{
	/* the rows to remove are collected first, then removed: no delete
	 * under a running select of the same table */
	static const char sel[] = "SELECT c.user_id, c.seq, "
	    "EXISTS (SELECT 1 FROM changes d WHERE d.user_id = c.user_id AND "
	    "d.entity = c.entity AND d.entity_id = c.entity_id AND "
	    "d.seq > c.seq), c.op = 'delete' AND c.changed_at < ?3 "
	    "FROM changes c WHERE (c.user_id, c.seq) > (?1, ?2) "
	    "ORDER BY c.user_id, c.seq LIMIT ?4";
	struct { int64_t uid, seq; bool tomb; } *rows;
	int64_t last_uid = 0, last_seq = 0;
	sqlite3_stmt *s;
	int n = 0, seen = 0, rc, r;

	if (batch <= 0 || batch > COMPACT_BATCH_MAX)
		batch = COMPACT_BATCH_MAX;
	*removed = 0;
	if ((rows = calloc((size_t)batch, sizeof(*rows))) == NULL)
		return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	if ((r = store_begin(st, err)) < 0)
		goto out;
	if ((s = st_prepare(st, sel, err)) == NULL) {
		r = st_failed(st);
		goto fail;
	}
	sqlite3_bind_int64(s, 1, *uid);
	sqlite3_bind_int64(s, 2, *seq);
	sqlite3_bind_text(s, 3, before, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, batch);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		last_uid = sqlite3_column_int64(s, 0);
		last_seq = sqlite3_column_int64(s, 1);
		seen++;
		if (sqlite3_column_int(s, 2) || sqlite3_column_int(s, 3)) {
			rows[n].uid = last_uid;
			rows[n].seq = last_seq;
			rows[n].tomb = !sqlite3_column_int(s, 2);
			n++;
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		r = st_error(st, err, "compact the change log");
		goto fail;
	}
	for (int i = 0; i < n; i++) {
		if ((s = st_prepare(st, "DELETE FROM changes WHERE user_id = ? "
		    "AND seq = ?", err)) == NULL) {
			r = st_failed(st);
			goto fail;
		}
		sqlite3_bind_int64(s, 1, rows[i].uid);
		sqlite3_bind_int64(s, 2, rows[i].seq);
		if ((r = st_exec_stmt(st, s, err)) < 0)
			goto fail;
		/* a client that never saw this delete would keep the row:
		 * one behind it must start again */
		if (rows[i].tomb) {
			if ((s = st_prepare(st, "UPDATE users SET change_floor = "
			    "max(change_floor, ?2) WHERE id = ?1", err)) == NULL) {
				r = st_failed(st);
				goto fail;
			}
			sqlite3_bind_int64(s, 1, rows[i].uid);
			sqlite3_bind_int64(s, 2, rows[i].seq);
			if ((r = st_exec_stmt(st, s, err)) < 0)
				goto fail;
		}
	}
	if ((r = store_commit(st, err)) < 0)
		goto out;
	*removed = n;
	if (seen < batch)
		last_uid = last_seq = 0;	/* the end */
	*uid = last_uid;
	*seq = last_seq;
	goto out;
fail:
	store_rollback(st);
out:
	free(rows);
	return r;
}
