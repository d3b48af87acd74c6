/*
 * What report plugins read (host->report_cells): a user's spending as
 * cells of one day and one currency, by category (the day_totals the
 * triggers keep) or by payee (the expenses themselves).
 */
#include <string.h>
#include "money.h"

#include "store_internal.h"

/* The user's staging import (-1: none), read once in the caller's read
 * transaction so every row after it is judged by the same snapshot. */
static int
staging_of(struct store *st, int64_t uid, int64_t *staging,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT staging FROM users WHERE "
	    "id = ?", err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	rc = sqlite3_step(s);
	*staging = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return spend_errf(err, SPEND_ENOTFOUND, "user", "no such user");
	return st_error(st, err, "report cells");
}

static void
bind_period(sqlite3_stmt *s, int64_t uid, const char *from, const char *to,
    int64_t staging)
{
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_text(s, 2, from && *from ? from : "0000-00-00", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(s, 3, to && *to ? to : "9999-99-99", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, staging);
}

static int
overflows(struct store *st, struct spend_err *err)
{
	(void)st;
	return spend_errf(err, SPEND_EINVAL, "",
	    "the sum of these expenses overflows");
}

int
store_report_day_cells(struct store *st, int64_t uid, const char *from,
    const char *to, int (*cb)(void *arg, const struct report_cell *c),
    void *arg, struct spend_err *err)
{
	/* No GROUP BY: the rows of one cell (one per stage) are adjacent in
	 * the primary key's order, so C merges them as they stream by;
	 * grouping in SQL costs several times the scan. */
	sqlite3_stmt *s;
	struct report_cell cur;
	bool have = false;
	int64_t staging;
	int rc, r = 0;

	if ((r = staging_of(st, uid, &staging, err)) < 0)
		return r;
	if ((s = st_prepare(st, "SELECT day, category_id, currency, count, "
	    "sum FROM day_totals WHERE user_id = ?1 AND day >= ?2 AND "
	    "day <= ?3 AND stage != ?4 ORDER BY day, category_id, currency",
	    err)) == NULL)
		return st_failed(st);
	bind_period(s, uid, from, to, staging);
	memset(&cur, 0, sizeof(cur));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *day = sqlite3_column_text(s, 0);
		const unsigned char *code = sqlite3_column_text(s, 2);
		size_t dl = (size_t)sqlite3_column_bytes(s, 0);
		size_t cl = (size_t)sqlite3_column_bytes(s, 2);
		int64_t cat = sqlite3_column_int64(s, 1);

		/* a sum past int64 was stored as REAL (migration 3) */
		if (sqlite3_column_type(s, 4) != SQLITE_INTEGER ||
		    day == NULL || code == NULL) {
			sqlite3_reset(s);
			return day && code ? overflows(st, err) :
			    spend_errf(err, SPEND_ENOMEM, "", "out of memory");
		}
		if (dl > DATE_LEN)
			dl = DATE_LEN;
		if (cl > 3)
			cl = 3;
		/* the next stage's row of the same cell: add it up */
		if (have && cur.category_id == cat &&
		    memcmp(cur.day, day, dl) == 0 && cur.day[dl] == '\0' &&
		    memcmp(cur.currency, code, cl) == 0 &&
		    cur.currency[cl] == '\0') {
			if (money_add(cur.sum, sqlite3_column_int64(s, 4),
			    &cur.sum) < 0) {
				sqlite3_reset(s);
				return overflows(st, err);
			}
			cur.count += sqlite3_column_int64(s, 3);
			continue;
		}
		if (have && cur.count > 0 && (r = cb(arg, &cur)) != 0)
			break;
		memcpy(cur.day, day, dl);
		cur.day[dl] = '\0';
		memcpy(cur.currency, code, cl);
		cur.currency[cl] = '\0';
		cur.category_id = cat;
		cur.count = sqlite3_column_int64(s, 3);
		cur.sum = sqlite3_column_int64(s, 4);
		have = true;
	}
	sqlite3_reset(s);
	if (r != 0)
		return r;
	if (rc != SQLITE_DONE)
		return st_error(st, err, "report cells");
	if (have && cur.count > 0)
		r = cb(arg, &cur);
	return r;
}

int
store_report_payee_cells(struct store *st, int64_t uid, const char *from,
    const char *to, int (*cb)(void *arg, const struct report_cell *c),
    void *arg, struct spend_err *err)
{
	sqlite3_stmt *s;
	struct report_cell c;
	int64_t staging;
	int rc, r = 0;

	if ((r = staging_of(st, uid, &staging, err)) < 0)
		return r;
	/* payee is a BINARY column: NOCASE groups "ACME" with "Acme" (ASCII
	 * only, like strcasecmp in the C locale); a cell reports its
	 * smallest spelling, so the same every time */
	if ((s = st_prepare(st, "SELECT min(payee), date, currency, count(*), "
	    "sum(amount) FROM expenses WHERE user_id = ?1 AND deleted = 0 AND "
	    "date >= ?2 AND date <= ?3 AND stage != ?4 "
	    "GROUP BY payee COLLATE NOCASE, date, currency "
	    "ORDER BY payee COLLATE NOCASE, date, currency", err)) == NULL)
		return st_failed(st);
	bind_period(s, uid, from, to, staging);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&c, 0, sizeof(c));
		st_col_text(s, 0, c.payee, sizeof(c.payee));
		st_col_text(s, 1, c.day, sizeof(c.day));
		st_col_text(s, 2, c.currency, sizeof(c.currency));
		c.count = sqlite3_column_int64(s, 3);
		c.sum = sqlite3_column_int64(s, 4);
		if ((r = cb(arg, &c)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (r == 0 && rc != SQLITE_DONE) {
		if (strstr(sqlite3_errmsg(st->db), "overflow"))
			return overflows(st, err);
		return st_error(st, err, "payee totals");
	}
	return r;
}

int
store_category_names(struct store *st, int64_t uid,
    int (*cb)(void *arg, int64_t id, const char *name), void *arg,
    struct spend_err *err)
{
	/* every category, archived and deleted too: a label for each id a
	 * total may carry; no counting of expenses (store_category_list) */
	sqlite3_stmt *s = st_prepare(st, "SELECT id, name FROM categories "
	    "WHERE user_id = ? ORDER BY id", err);
	char name[NAME_MAX_LEN + 1];
	int rc, r = 0;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		st_col_text(s, 1, name, sizeof(name));
		if ((r = cb(arg, sqlite3_column_int64(s, 0), name)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (r == 0 && rc != SQLITE_DONE)
		return st_error(st, err, "category names");
	return r;
}
