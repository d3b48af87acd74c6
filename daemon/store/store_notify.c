/* Notifier channels and deliveries (migration 5). */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

static void
channel_row(sqlite3_stmt *s, int i, struct notify_channel *c)
{
	st_col_text(s, i, c->channel, sizeof(c->channel));
	st_col_text(s, i + 1, c->target, sizeof(c->target));
	st_col_text(s, i + 2, c->kinds, sizeof(c->kinds));
	st_col_text(s, i + 3, c->secret, sizeof(c->secret));
	st_col_text(s, i + 4, c->updated_at, sizeof(c->updated_at));
}

int
store_notify_channel_set(struct store *st, int64_t uid,
    struct notify_channel *c, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "INSERT OR REPLACE INTO "
	    "notify_channels(user_id, channel, target, kinds, secret, "
	    "updated_at) VALUES (?, ?, ?, ?, ?, ?)", err);

	if (s == NULL)
		return st_failed(st);
	timestamp_now(c->updated_at);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_text(s, 2, c->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, c->target, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, c->kinds, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, c->secret, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, c->updated_at, -1, SQLITE_STATIC);
	return st_exec_stmt(st, s, err);
}

int
store_notify_channel_get(struct store *st, int64_t uid, const char *channel,
    struct notify_channel *c, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT channel, target, kinds, "
	    "secret, updated_at FROM notify_channels WHERE user_id = ? AND "
	    "channel = ?", err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_text(s, 2, channel, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		channel_row(s, 0, c);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return spend_errf(err, SPEND_ENOTFOUND, "channel", "no channel "
		    "\"%s\" in your settings", channel);
	if (rc != SQLITE_ROW)
		return st_error(st, err, "read a notify channel");
	return 0;
}

int
store_notify_channel_delete(struct store *st, int64_t uid,
    const char *channel, bool *found, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "DELETE FROM notify_channels WHERE "
	    "user_id = ? AND channel = ?", err);
	int r;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_text(s, 2, channel, -1, SQLITE_STATIC);
	if ((r = st_exec_stmt(st, s, err)) < 0)
		return r;
	if (found)
		*found = sqlite3_changes(st->db) > 0;
	return 0;
}

int
store_notify_channel_list(struct store *st, int64_t uid,
    int (*cb)(void *arg, const struct notify_channel *c), void *arg,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT channel, target, kinds, "
	    "secret, updated_at FROM notify_channels WHERE user_id = ? "
	    "ORDER BY channel", err);
	struct notify_channel c;
	int rc, r = 0;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&c, 0, sizeof(c));
		channel_row(s, 0, &c);
		if ((r = cb(arg, &c)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (r == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
		return st_error(st, err, "list notify channels");
	return r;
}

int
store_outbox_unrouted(struct store *st, int limit,
    int (*cb)(void *arg, const struct outbox_event *e), void *arg,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT id, user_id, kind, payload, "
	    "created_at FROM outbox WHERE routed = 0 ORDER BY id LIMIT ?", err);
	struct outbox_event e;
	int rc, r = 0;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int(s, 1, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&e, 0, sizeof(e));
		e.id = sqlite3_column_int64(s, 0);
		e.user_id = sqlite3_column_int64(s, 1);
		st_col_text(s, 2, e.kind, sizeof(e.kind));
		if ((e.payload = strdup((const char *)sqlite3_column_text(s,
		    3))) == NULL) {
			sqlite3_reset(s);
			return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
		}
		st_col_text(s, 4, e.created_at, sizeof(e.created_at));
		r = cb(arg, &e);
		free(e.payload);
		if (r != 0)
			break;
	}
	sqlite3_reset(s);
	if (r == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
		return st_error(st, err, "read the outbox");
	return r;
}

int
store_outbox_routed(struct store *st, int64_t id, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "UPDATE outbox SET routed = 1 WHERE "
	    "id = ?", err);

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, id);
	return st_exec_stmt(st, s, err);
}

int
store_delivery_add(struct store *st, int64_t outbox_id, int64_t uid,
    const char *channel, int64_t next_at, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "INSERT INTO deliveries(outbox_id, "
	    "user_id, channel, next_at, updated_at) VALUES (?, ?, ?, ?, ?)",
	    err);
	char now[TIMESTAMP_LEN + 1];

	if (s == NULL)
		return st_failed(st);
	timestamp_now(now);
	sqlite3_bind_int64(s, 1, outbox_id);
	sqlite3_bind_int64(s, 2, uid);
	sqlite3_bind_text(s, 3, channel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, next_at);
	sqlite3_bind_text(s, 5, now, -1, SQLITE_STATIC);
	return st_exec_stmt(st, s, err);
}

#define DELIVERY_COLS "d.id, d.outbox_id, d.user_id, d.channel, d.state, " \
	"d.attempts, d.next_at, d.started_at, d.last_error, d.updated_at, " \
	"o.kind, o.created_at"

static void
delivery_row(sqlite3_stmt *s, struct delivery *d)
{
	memset(d, 0, sizeof(*d));
	d->id = sqlite3_column_int64(s, 0);
	d->outbox_id = sqlite3_column_int64(s, 1);
	d->user_id = sqlite3_column_int64(s, 2);
	st_col_text(s, 3, d->channel, sizeof(d->channel));
	st_col_text(s, 4, d->state, sizeof(d->state));
	d->attempts = sqlite3_column_int(s, 5);
	d->next_at = sqlite3_column_int64(s, 6);
	d->started_at = sqlite3_column_int64(s, 7);
	st_col_text(s, 8, d->last_error, sizeof(d->last_error));
	st_col_text(s, 9, d->updated_at, sizeof(d->updated_at));
	st_col_text(s, 10, d->kind, sizeof(d->kind));
	st_col_text(s, 11, d->created_at, sizeof(d->created_at));
}

int
store_delivery_due(struct store *st, int64_t now, int limit,
    int (*cb)(void *arg, const struct delivery *d), void *arg,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT " DELIVERY_COLS ", o.payload, "
	    "u.name, c.channel IS NOT NULL, c.channel, c.target, c.kinds, "
	    "c.secret, c.updated_at FROM deliveries d "
	    "JOIN outbox o ON o.id = d.outbox_id "
	    "JOIN users u ON u.id = d.user_id "
	    "LEFT JOIN notify_channels c ON c.user_id = d.user_id AND "
	    "c.channel = d.channel "
	    "WHERE d.state = 'pending' AND d.next_at <= ? AND "
	    "d.started_at = 0 ORDER BY d.next_at, d.id LIMIT ?", err);
	struct delivery d;
	int rc, r = 0;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		delivery_row(s, &d);
		if ((d.payload = strdup((const char *)sqlite3_column_text(s,
		    12))) == NULL) {
			sqlite3_reset(s);
			return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
		}
		st_col_text(s, 13, d.user, sizeof(d.user));
		d.has_channel = sqlite3_column_int(s, 14) != 0;
		if (d.has_channel)
			channel_row(s, 15, &d.ch);
		r = cb(arg, &d);
		free(d.payload);
		if (r != 0)
			break;
	}
	sqlite3_reset(s);
	if (r == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
		return st_error(st, err, "read due deliveries");
	return r;
}

int
store_delivery_start(struct store *st, int64_t id, int64_t now,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "UPDATE deliveries SET started_at = ? "
	    "WHERE id = ?", err);

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, now > 0 ? now : 1);
	sqlite3_bind_int64(s, 2, id);
	return st_exec_stmt(st, s, err);
}

int
store_delivery_finish(struct store *st, int64_t id, const char *state,
    int attempts, int64_t next_at, const char *error, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "UPDATE deliveries SET state = ?, "
	    "attempts = ?, next_at = ?, started_at = 0, last_error = ?, "
	    "updated_at = ? WHERE id = ?", err);
	char now[TIMESTAMP_LEN + 1];

	if (s == NULL)
		return st_failed(st);
	timestamp_now(now);
	sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, attempts);
	sqlite3_bind_int64(s, 3, next_at);
	sqlite3_bind_text(s, 4, error ? error : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, id);
	return st_exec_stmt(st, s, err);
}

int
store_delivery_next(struct store *st, int64_t *next_at, bool *found,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT min(next_at) FROM deliveries "
	    "WHERE state = 'pending' AND started_at = 0", err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	rc = sqlite3_step(s);
	*found = rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL;
	*next_at = *found ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return st_error(st, err, "read the next delivery");
	return 0;
}

int
store_delivery_restart(struct store *st, int64_t now, int64_t *n,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "UPDATE deliveries SET started_at = 0, "
	    "next_at = min(next_at, ?) WHERE state = 'pending' AND "
	    "started_at != 0", err);
	int r;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, now);
	if ((r = st_exec_stmt(st, s, err)) < 0)
		return r;
	*n = sqlite3_changes(st->db);
	return 0;
}

int
store_delivery_counts(struct store *st, int64_t *pending, int64_t *sent,
    int64_t *failed, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT state, count(*) FROM "
	    "deliveries GROUP BY state", err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	if (pending)
		*pending = 0;
	if (sent)
		*sent = 0;
	if (failed)
		*failed = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(s, 0);
		int64_t n = sqlite3_column_int64(s, 1);

		if (pending && strcmp(state, "pending") == 0)
			*pending = n;
		else if (sent && strcmp(state, "sent") == 0)
			*sent = n;
		else if (failed && strcmp(state, "failed") == 0)
			*failed = n;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return st_error(st, err, "count deliveries");
	return 0;
}

int
store_delivery_list(struct store *st, int64_t uid, int limit,
    int (*cb)(void *arg, const struct delivery *d), void *arg,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT " DELIVERY_COLS " FROM "
	    "deliveries d JOIN outbox o ON o.id = d.outbox_id WHERE "
	    "d.user_id = ? ORDER BY d.id DESC LIMIT ?", err);
	struct delivery d;
	int rc, r = 0;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_int(s, 2, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		delivery_row(s, &d);
		if ((r = cb(arg, &d)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (r == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
		return st_error(st, err, "list deliveries");
	return r;
}

int
store_notify_prune(struct store *st, const char *cutoff, int max, int64_t *n,
    struct spend_err *err)
{
	/* the outbox's primary key grows with created_at: walk it */
	sqlite3_stmt *s = st_prepare(st, "DELETE FROM outbox WHERE id IN "
	    "(SELECT o.id FROM outbox o WHERE o.routed = 1 AND "
	    "o.created_at < ? AND NOT EXISTS (SELECT 1 FROM deliveries d "
	    "WHERE d.outbox_id = o.id AND d.state = 'pending') ORDER BY o.id "
	    "LIMIT ?)", err);
	int r;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_text(s, 1, cutoff, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, max);
	if ((r = st_exec_stmt(st, s, err)) < 0)
		return r;
	*n = sqlite3_changes(st->db);
	return 0;
}
