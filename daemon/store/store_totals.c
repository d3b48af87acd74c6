/* The daily totals triggers keep (migration 3), and exchange rates. */
#include <string.h>

#include "store_internal.h"

int
store_day_totals(struct store *st, int64_t uid, const char *from,
    const char *to, int64_t category_id,
    int (*cb)(void *arg, const struct day_total *t), void *arg,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT t.day, t.category_id, "
	    "t.currency, sum(t.count), sum(t.sum), "
	    "typeof(sum(t.sum)) = 'real' FROM day_totals t "
	    "WHERE t.user_id = ?1 AND t.day >= ?2 AND t.day <= ?3 "
	    "AND (?4 = 0 OR t.category_id = ?4) AND " ST_VISIBLE("t") " "
	    "GROUP BY t.day, t.category_id, t.currency "
	    "HAVING sum(t.count) > 0 ORDER BY 1, 2, 3", err);
	struct day_total t;
	int rc, r = 0;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_text(s, 2, from && *from ? from : "0000-00-00", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(s, 3, to && *to ? to : "9999-99-99", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, category_id);
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
		return st_error(st, err, "day totals");
	return r;
}

int
store_rate_set(struct store *st, const char *currency, const char *date,
    int64_t rate, const char *source, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "INSERT INTO rates(currency, date, "
	    "rate, source, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT "
	    "DO UPDATE SET rate = excluded.rate, source = excluded.source, "
	    "updated_at = excluded.updated_at", err);
	char now[TIMESTAMP_LEN + 1];

	if (s == NULL)
		return st_failed(st);
	timestamp_now(now);
	sqlite3_bind_text(s, 1, currency, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, date, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, rate);
	sqlite3_bind_text(s, 4, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, now, -1, SQLITE_STATIC);
	return st_exec_stmt(st, s, err);
}

int
store_rate_find(struct store *st, const char *currency, const char *date,
    struct rate *out, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT date, rate, source FROM rates "
	    "WHERE currency = ? AND date <= ? ORDER BY date DESC LIMIT 1", err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_text(s, 1, currency, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, date, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		strlcpy(out->currency, currency, sizeof(out->currency));
		st_col_text(s, 0, out->date, sizeof(out->date));
		out->rate = sqlite3_column_int64(s, 1);
		st_col_text(s, 2, out->source, sizeof(out->source));
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return st_error(st, err, "find a rate");
	return spend_errf(err, SPEND_ENOTFOUND, "currency", "no rate of %s "
	    "on or before %s", currency, date);
}

int
store_rate_list(struct store *st, const char *currency, const char *from,
    const char *to, int (*cb)(void *arg, const struct rate *r), void *arg,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT currency, date, rate, source "
	    "FROM rates WHERE (?1 = '' OR currency = ?1) AND date >= ?2 AND "
	    "date <= ?3 ORDER BY currency, date", err);
	struct rate rt;
	int rc, r = 0;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_text(s, 1, currency ? currency : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, from && *from ? from : "0000-00-00", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(s, 3, to && *to ? to : "9999-99-99", -1,
	    SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&rt, 0, sizeof(rt));
		st_col_text(s, 0, rt.currency, sizeof(rt.currency));
		st_col_text(s, 1, rt.date, sizeof(rt.date));
		rt.rate = sqlite3_column_int64(s, 2);
		st_col_text(s, 3, rt.source, sizeof(rt.source));
		if ((r = cb(arg, &rt)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (r == 0 && rc != SQLITE_DONE)
		return st_error(st, err, "list rates");
	return r;
}
