/* Budgets, their month amounts and the alerts they sent (migration 6). */
#include <string.h>

#include "store_internal.h"
#include "store_budget.h"

#define BUDGET_COLS "b.id, b.user_id, b.category_id, " \
	"coalesce(c.name, ''), b.amount IS NOT NULL, coalesce(b.amount, 0), " \
	"b.currency, b.since, b.rollover, b.alerts, b.deleted, b.version, " \
	"b.created_at, b.updated_at"

static void
row_budget(sqlite3_stmt *s, struct budget *b)
{
	memset(b, 0, sizeof(*b));
	b->id = sqlite3_column_int64(s, 0);
	b->user_id = sqlite3_column_int64(s, 1);
	b->category_id = sqlite3_column_int64(s, 2);
	st_col_text(s, 3, b->category, sizeof(b->category));
	b->has_amount = sqlite3_column_int(s, 4) != 0;
	b->amount = sqlite3_column_int64(s, 5);
	st_col_text(s, 6, b->currency, sizeof(b->currency));
	st_col_text(s, 7, b->since, sizeof(b->since));
	b->rollover = sqlite3_column_int(s, 8) != 0;
	st_col_text(s, 9, b->alerts, sizeof(b->alerts));
	b->deleted = sqlite3_column_int(s, 10) != 0;
	b->version = sqlite3_column_int64(s, 11);
	st_col_text(s, 12, b->created_at, sizeof(b->created_at));
	st_col_text(s, 13, b->updated_at, sizeof(b->updated_at));
}

int
store_budget_any(struct store *st, int64_t uid, bool *any,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT 1 FROM budgets WHERE "
	    "user_id = ? AND deleted = 0 LIMIT 1", err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return st_error(st, err, "find budgets");
	*any = rc == SQLITE_ROW;
	return 0;
}

#define BUDGET_BY(col) "SELECT " BUDGET_COLS " FROM budgets b " \
	"LEFT JOIN categories c ON c.id = b.category_id " \
	"WHERE b.user_id = ? AND b." col " = ?"

static int
budget_by(struct store *st, int64_t uid, const char *sql, int64_t v,
    struct budget *b, struct spend_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = st_prepare(st, sql, err)) == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_int64(s, 2, v);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		row_budget(s, b);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return st_error(st, err, "get a budget");
	return spend_errf(err, SPEND_ENOTFOUND, "category", "no budget for "
	    "this category");
}

int
store_budget_get(struct store *st, int64_t uid, int64_t category_id,
    struct budget *b, struct spend_err *err)
{
	return budget_by(st, uid, BUDGET_BY("category_id"), category_id, b,
	    err);
}

int
store_budget_get_id(struct store *st, int64_t uid, int64_t id,
    struct budget *b, struct spend_err *err)
{
	return budget_by(st, uid, BUDGET_BY("id"), id, b, err);
}

int
store_budget_put(struct store *st, struct budget *b, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, b->id == 0 ?
	    "INSERT INTO budgets(amount, currency, since, rollover, alerts, "
	    "deleted, user_id, category_id, created_at, updated_at) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) RETURNING id, version, "
	    "created_at, updated_at" :
	    "UPDATE budgets SET amount = ?1, currency = ?2, since = ?3, "
	    "rollover = ?4, alerts = ?5, deleted = ?6, version = version + 1, "
	    "updated_at = ?9 WHERE user_id = ?7 AND id = ?10 "
	    "RETURNING id, version, created_at, updated_at", err);
	char now[TIMESTAMP_LEN + 1];
	int rc;

	if (s == NULL)
		return st_failed(st);
	timestamp_now(now);
	if (b->has_amount)
		sqlite3_bind_int64(s, 1, b->amount);
	else
		sqlite3_bind_null(s, 1);
	sqlite3_bind_text(s, 2, b->currency, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, b->since, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, b->rollover);
	sqlite3_bind_text(s, 5, b->alerts, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 6, b->deleted);
	sqlite3_bind_int64(s, 7, b->user_id);
	if (b->id == 0)
		sqlite3_bind_int64(s, 8, b->category_id);
	sqlite3_bind_text(s, 9, now, -1, SQLITE_STATIC);
	if (b->id != 0)
		sqlite3_bind_int64(s, 10, b->id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		b->id = sqlite3_column_int64(s, 0);
		b->version = sqlite3_column_int64(s, 1);
		st_col_text(s, 2, b->created_at, sizeof(b->created_at));
		st_col_text(s, 3, b->updated_at, sizeof(b->updated_at));
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return spend_errf(err, SPEND_ENOTFOUND, "category", "no budget "
		    "%lld", (long long)b->id);
	return st_error(st, err, "write a budget");
}

int
store_budget_list(struct store *st, int64_t uid,
    int (*cb)(void *, const struct budget *), void *arg,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT " BUDGET_COLS " FROM budgets b "
	    "LEFT JOIN categories c ON c.id = b.category_id "
	    "WHERE b.user_id = ? AND b.deleted = 0 AND (b.category_id = 0 OR "
	    "(c.deleted = 0 AND c.user_id = b.user_id)) "
	    "ORDER BY b.category_id != 0, c.name COLLATE NOCASE", err);
	struct budget b;
	int rc, r = 0;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_budget(s, &b);
		if ((r = cb(arg, &b)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (r == 0 && rc != SQLITE_DONE)
		return st_error(st, err, "list budgets");
	return r;
}

int
store_budget_months(struct store *st, int64_t uid, int64_t budget_id,
    int (*cb)(void *, const struct budget_month *), void *arg,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT m.budget_id, m.month, m.amount "
	    "FROM budget_months m JOIN budgets b ON b.id = m.budget_id "
	    "WHERE b.user_id = ?1 AND b.deleted = 0 AND "
	    "(?2 = 0 OR b.id = ?2) ORDER BY m.budget_id, m.month", err);
	struct budget_month m;
	int rc, r = 0;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_int64(s, 2, budget_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&m, 0, sizeof(m));
		m.budget_id = sqlite3_column_int64(s, 0);
		st_col_text(s, 1, m.month, sizeof(m.month));
		m.amount = sqlite3_column_int64(s, 2);
		if ((r = cb(arg, &m)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (r == 0 && rc != SQLITE_DONE)
		return st_error(st, err, "list budget months");
	return r;
}

int
store_budget_month_set(struct store *st, int64_t budget_id, const char *month,
    int64_t amount, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "INSERT INTO budget_months(budget_id, "
	    "month, amount) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET "
	    "amount = excluded.amount", err);

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, budget_id);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, amount);
	return st_exec_stmt(st, s, err);
}

int
store_budget_month_delete(struct store *st, int64_t budget_id,
    const char *month, bool *found, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "DELETE FROM budget_months WHERE "
	    "budget_id = ? AND month = ?", err);
	int r;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, budget_id);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_STATIC);
	if ((r = st_exec_stmt(st, s, err)) < 0)
		return r;
	*found = sqlite3_changes(st->db) > 0;
	return 0;
}

int
store_budget_months_clear(struct store *st, int64_t budget_id,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "DELETE FROM budget_months WHERE "
	    "budget_id = ?", err);

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, budget_id);
	return st_exec_stmt(st, s, err);
}

/* ---- alerts ---- */

int
store_alert_add(struct store *st, struct alert *a, bool *added,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "INSERT INTO alerts_sent(user_id, "
	    "category_id, category, month, threshold, spent, available, "
	    "currency, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
	    "ON CONFLICT DO NOTHING RETURNING id", err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	timestamp_now(a->created_at);
	sqlite3_bind_int64(s, 1, a->user_id);
	sqlite3_bind_int64(s, 2, a->category_id);
	sqlite3_bind_text(s, 3, a->category, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, a->month, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, a->threshold);
	sqlite3_bind_int64(s, 6, a->spent);
	sqlite3_bind_int64(s, 7, a->available);
	sqlite3_bind_text(s, 8, a->currency, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, a->created_at, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	*added = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW) {
		a->id = sqlite3_column_int64(s, 0);
		rc = sqlite3_step(s);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return st_error(st, err, "record an alert");
	return 0;
}

int
store_alert_set_outbox(struct store *st, int64_t id, int64_t outbox_id,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "UPDATE alerts_sent SET outbox_id = ? "
	    "WHERE id = ?", err);

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, outbox_id);
	sqlite3_bind_int64(s, 2, id);
	return st_exec_stmt(st, s, err);
}

int
store_alert_list(struct store *st, int64_t uid, const char *month,
    int (*cb)(void *, const struct alert *), void *arg,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT id, user_id, category_id, "
	    "category, month, threshold, spent, available, currency, outbox_id, "
	    "created_at FROM alerts_sent WHERE user_id = ?1 AND "
	    "(?2 = '' OR month = ?2) ORDER BY id", err);
	struct alert a;
	int rc, r = 0;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_text(s, 2, month ? month : "", -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&a, 0, sizeof(a));
		a.id = sqlite3_column_int64(s, 0);
		a.user_id = sqlite3_column_int64(s, 1);
		a.category_id = sqlite3_column_int64(s, 2);
		st_col_text(s, 3, a.category, sizeof(a.category));
		st_col_text(s, 4, a.month, sizeof(a.month));
		a.threshold = sqlite3_column_int(s, 5);
		a.spent = sqlite3_column_int64(s, 6);
		a.available = sqlite3_column_int64(s, 7);
		st_col_text(s, 8, a.currency, sizeof(a.currency));
		a.outbox_id = sqlite3_column_int64(s, 9);
		st_col_text(s, 10, a.created_at, sizeof(a.created_at));
		if ((r = cb(arg, &a)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (r == 0 && rc != SQLITE_DONE)
		return st_error(st, err, "list alerts");
	return r;
}

/* ---- what a rate or an import changes ---- */

int
store_budget_users_foreign(struct store *st, const char *currency,
    const char *from, const char *to, int (*cb)(void *, int64_t), void *arg,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT u.id FROM users u WHERE "
	    "EXISTS (SELECT 1 FROM budgets b WHERE b.user_id = u.id AND "
	    "b.deleted = 0) AND EXISTS (SELECT 1 FROM day_totals t WHERE "
	    "t.user_id = u.id AND t.day >= ?2 AND t.day <= ?3 AND "
	    "t.currency != u.currency AND (?1 = '' OR t.currency = ?1)) "
	    "ORDER BY u.id", err);
	int rc, r = 0;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_text(s, 1, currency ? currency : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, from && *from ? from : "0000-00-00", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(s, 3, to && *to ? to : "9999-99-99", -1,
	    SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((r = cb(arg, sqlite3_column_int64(s, 0))) != 0)
			break;
	sqlite3_reset(s);
	if (r == 0 && rc != SQLITE_DONE)
		return st_error(st, err, "find users with budgets");
	return r;
}

int
store_stage_months(struct store *st, int64_t uid, int64_t stage,
    int (*cb)(void *, const char *), void *arg, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT DISTINCT substr(day, 1, 7) "
	    "FROM day_totals WHERE user_id = ? AND stage = ? ORDER BY 1", err);
	char month[8];
	int rc, r = 0;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_int64(s, 2, stage);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		st_col_text(s, 0, month, sizeof(month));
		if ((r = cb(arg, month)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (r == 0 && rc != SQLITE_DONE)
		return st_error(st, err, "list an import's months");
	return r;
}

/* Rows of day_totals or month_totals into a day_total. */
static int
totals_rows(struct store *st, sqlite3_stmt *s,
    int (*cb)(void *, const struct day_total *), void *arg,
    struct spend_err *err)
{
	struct day_total t;
	int rc, r = 0;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (sqlite3_column_int(s, 5)) {
			sqlite3_reset(s);
			return spend_errf(err, SPEND_EINVAL, "",
			    "the sum of these expenses overflows");
		}
		memset(&t, 0, sizeof(t));
		st_col_text(s, 0, t.day, sizeof(t.day));
		t.category_id = sqlite3_column_int64(s, 1);
		st_col_text(s, 2, t.currency, sizeof(t.currency));
		t.count = sqlite3_column_int64(s, 3);
		t.sum = sqlite3_column_int64(s, 4);
		if ((r = cb(arg, &t)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (r == 0 && rc != SQLITE_DONE)
		return st_error(st, err, "budget totals");
	return r;
}

/* One user's rows: the staging import is hidden by one lookup
 * (ST_VISIBLE_OF the bound user), not one per row as ST_VISIBLE does.
 * A sum past int64 is REAL in the table. */
int
store_month_totals(struct store *st, int64_t uid, const char *from,
    const char *to, int (*cb)(void *, const struct day_total *), void *arg,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT t.month, t.category_id, "
	    "t.currency, t.count, t.sum, typeof(t.sum) = 'real' "
	    "FROM month_totals t WHERE t.user_id = ?1 AND t.month >= ?2 AND "
	    "t.month <= ?3 AND " ST_VISIBLE_OF("t", "?1") " ORDER BY 1, 2, 3",
	    err);

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_text(s, 2, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, to, -1, SQLITE_STATIC);
	return totals_rows(st, s, cb, arg, err);
}

int
store_budget_days(struct store *st, int64_t uid, const char *from,
    const char *to, const char *currency,
    int (*cb)(void *, const struct day_total *), void *arg,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT t.day, t.category_id, "
	    "t.currency, t.count, t.sum, typeof(t.sum) = 'real' "
	    "FROM day_totals t WHERE t.user_id = ?1 AND t.day >= ?2 AND "
	    "t.day <= ?3 AND (?4 = '' OR t.currency = ?4) AND "
	    ST_VISIBLE_OF("t", "?1") " ORDER BY 1, 2, 3", err);

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_text(s, 2, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, currency ? currency : "", -1, SQLITE_STATIC);
	return totals_rows(st, s, cb, arg, err);
}
