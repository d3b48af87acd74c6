/* Aggregates for exports and report plugins. */
#include <string.h>

#include "store_internal.h"

int
store_report_totals(struct store *st, int64_t uid,
    const struct expense_filter *f, enum store_group g,
    int (*cb)(void *, const struct store_total *), void *arg,
    struct spend_err *err)
{
	static const char *const select[] = {
		/* a split counts each part in its own category */
		[STORE_GROUP_CATEGORY] = "SELECT c.name, e.currency, count(*), "
		    "sum(coalesce(p.amount, e.amount))",
		[STORE_GROUP_MONTH] = "SELECT substr(e.date, 1, 7), e.currency, "
		    "count(*), sum(e.amount)",
		[STORE_GROUP_DAY] = "SELECT e.date, e.currency, count(*), "
		    "sum(e.amount)",
	};
	static const char *const tail[] = {
		/* by id: a name may come back after a delete; ordered by name */
		[STORE_GROUP_CATEGORY] = " GROUP BY c.id, e.currency "
		    "ORDER BY c.name, e.currency",
		[STORE_GROUP_MONTH] = " GROUP BY 1, e.currency ORDER BY 1, 2",
		[STORE_GROUP_DAY] = " GROUP BY 1, e.currency ORDER BY 1, 2",
	};
	struct store_total t;
	sqlite3_stmt *s;
	int rc, r = 0;

	if ((unsigned)g > STORE_GROUP_DAY)
		return spend_errf(err, SPEND_EINVAL, "group", "unknown grouping");
	if ((s = st_expense_filtered(st, select[g], g == STORE_GROUP_CATEGORY ?
	    " FROM expenses e LEFT JOIN expense_parts p ON e.parts > 0 AND "
	    "p.expense_id = e.id JOIN categories c ON c.id = "
	    "coalesce(p.category_id, e.category_id)" : NULL, uid, f, tail[g],
	    err)) == NULL)
		return st_failed(st);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		st_col_text(s, 0, t.key, sizeof(t.key));
		st_col_text(s, 1, t.currency, sizeof(t.currency));
		t.count = sqlite3_column_int64(s, 2);
		t.sum = sqlite3_column_int64(s, 3);
		if ((r = cb(arg, &t)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (r == 0 && rc != SQLITE_DONE) {
		if (strstr(sqlite3_errmsg(st->db), "overflow"))
			return spend_errf(err, SPEND_EINVAL, "",
			    "the sum of these expenses overflows");
		return st_error(st, err, "totals");
	}
	return r;
}

