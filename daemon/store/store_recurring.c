/* recurring_rules and recurring_settings; the link from an expense to the
 * rule and occurrence that created it (migration 5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

static const char *const freq_names[] = { "day", "week", "month", "year" };

#define RULE_COLS "r.id, r.user_id, r.category_id, c.name, r.amount, " \
	"r.currency, r.note, r.payee, r.tags, r.freq, r.every_n, r.weekdays, " \
	"r.month_day, r.start_date, r.end_date, r.max_count, r.after_date, " \
	"r.done_count, r.next_date, r.paused, r.error, r.remind_after, " \
	"r.remind_next, r.version, r.created_at, r.updated_at"

static int
freq_of(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, freq_names[i]) == 0)
			return i;
	return REC_MONTH;
}

static void
row_rule(sqlite3_stmt *s, struct recurring_rule *r)
{
	char freq[8];

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(s, 0);
	r->user_id = sqlite3_column_int64(s, 1);
	r->category_id = sqlite3_column_int64(s, 2);
	st_col_text(s, 3, r->category, sizeof(r->category));
	r->amount = sqlite3_column_int64(s, 4);
	st_col_text(s, 5, r->currency, sizeof(r->currency));
	st_col_text(s, 6, r->note, sizeof(r->note));
	st_col_text(s, 7, r->payee, sizeof(r->payee));
	st_col_text(s, 8, r->tags, sizeof(r->tags));
	st_col_text(s, 9, freq, sizeof(freq));
	r->rec.freq = freq_of(freq);
	r->rec.interval = sqlite3_column_int(s, 10);
	r->rec.weekdays = (unsigned)sqlite3_column_int(s, 11);
	r->rec.month_day = sqlite3_column_int(s, 12);
	st_col_text(s, 13, r->rec.start, sizeof(r->rec.start));
	st_col_text(s, 14, r->rec.end, sizeof(r->rec.end));
	r->rec.count = sqlite3_column_int64(s, 15);
	st_col_text(s, 16, r->after, sizeof(r->after));
	r->done = sqlite3_column_int64(s, 17);
	st_col_text(s, 18, r->next, sizeof(r->next));
	r->paused = sqlite3_column_int(s, 19) != 0;
	st_col_text(s, 20, r->error, sizeof(r->error));
	st_col_text(s, 21, r->remind_after, sizeof(r->remind_after));
	st_col_text(s, 22, r->remind_next, sizeof(r->remind_next));
	r->version = sqlite3_column_int64(s, 23);
	st_col_text(s, 24, r->created_at, sizeof(r->created_at));
	st_col_text(s, 25, r->updated_at, sizeof(r->updated_at));
}

static const char *
freq_name(int f)
{
	return f >= 0 && f < 4 ? freq_names[f] : "month";
}

int
store_recurring_add(struct store *st, struct recurring_rule *r,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "INSERT INTO recurring_rules(user_id, "
	    "category_id, amount, currency, note, payee, tags, freq, every_n, "
	    "weekdays, month_day, start_date, end_date, max_count, after_date, "
	    "done_count, next_date, paused, error, remind_after, remind_next, "
	    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	timestamp_now(r->created_at);
	strlcpy(r->updated_at, r->created_at, sizeof(r->updated_at));
	sqlite3_bind_int64(s, 1, r->user_id);
	sqlite3_bind_int64(s, 2, r->category_id);
	sqlite3_bind_int64(s, 3, r->amount);
	sqlite3_bind_text(s, 4, r->currency, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, r->note, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, r->payee, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, r->tags, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, freq_name(r->rec.freq), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 9, r->rec.interval);
	sqlite3_bind_int(s, 10, (int)r->rec.weekdays);
	sqlite3_bind_int(s, 11, r->rec.month_day);
	sqlite3_bind_text(s, 12, r->rec.start, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 13, r->rec.end, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 14, r->rec.count);
	sqlite3_bind_text(s, 15, r->after, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 16, r->done);
	sqlite3_bind_text(s, 17, r->next, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 18, r->paused);
	sqlite3_bind_text(s, 19, r->error, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 20, r->remind_after, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 21, r->remind_next, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 22, r->created_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 23, r->updated_at, -1, SQLITE_STATIC);
	if ((rc = st_exec_stmt(st, s, err)) < 0)
		return rc;
	r->id = sqlite3_last_insert_rowid(st->db);
	r->version = 1;
	return 0;
}

int
store_recurring_get(struct store *st, int64_t uid, int64_t id,
    struct recurring_rule *r, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT " RULE_COLS " FROM "
	    "recurring_rules r JOIN categories c ON c.id = r.category_id "
	    "WHERE r.user_id = ? AND r.id = ? AND r.deleted = 0", err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_int64(s, 2, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		row_rule(s, r);
		sqlite3_reset(s);
		return 0;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return st_error(st, err, "get recurring rule");
	return spend_errf(err, SPEND_ENOTFOUND, "id", "no such recurring rule "
	    "%lld", (long long)id);
}

/* An UPDATE touched no row: gone, or another version. */
static int
why_unchanged(struct store *st, int64_t uid, int64_t id, int64_t version,
    struct spend_err *err)
{
	struct recurring_rule cur;
	int r = store_recurring_get(st, uid, id, &cur, err);

	if (r < 0)
		return r;
	return spend_errf(err, SPEND_ESTALE, "version", "recurring rule %lld "
	    "was changed meanwhile (now version %lld, you sent %lld)",
	    (long long)id, (long long)cur.version, (long long)version);
}

int
store_recurring_update(struct store *st, struct recurring_rule *r,
    int64_t version, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "UPDATE recurring_rules SET "
	    "category_id = ?, amount = ?, currency = ?, note = ?, payee = ?, "
	    "tags = ?, freq = ?, every_n = ?, weekdays = ?, month_day = ?, "
	    "start_date = ?, end_date = ?, max_count = ?, after_date = ?, "
	    "done_count = ?, next_date = ?, paused = ?, error = ?, "
	    "remind_after = ?, remind_next = ?, version = version + 1, "
	    "updated_at = ? WHERE user_id = ? AND id = ? AND deleted = 0 AND "
	    "(? = 0 OR version = ?)", err);
	char now[TIMESTAMP_LEN + 1];
	int rc;

	if (s == NULL)
		return st_failed(st);
	timestamp_now(now);
	sqlite3_bind_int64(s, 1, r->category_id);
	sqlite3_bind_int64(s, 2, r->amount);
	sqlite3_bind_text(s, 3, r->currency, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, r->note, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, r->payee, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, r->tags, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, freq_name(r->rec.freq), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 8, r->rec.interval);
	sqlite3_bind_int(s, 9, (int)r->rec.weekdays);
	sqlite3_bind_int(s, 10, r->rec.month_day);
	sqlite3_bind_text(s, 11, r->rec.start, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 12, r->rec.end, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 13, r->rec.count);
	sqlite3_bind_text(s, 14, r->after, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 15, r->done);
	sqlite3_bind_text(s, 16, r->next, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 17, r->paused);
	sqlite3_bind_text(s, 18, r->error, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 19, r->remind_after, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 20, r->remind_next, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 21, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 22, r->user_id);
	sqlite3_bind_int64(s, 23, r->id);
	sqlite3_bind_int64(s, 24, version);
	sqlite3_bind_int64(s, 25, version);
	if ((rc = st_exec_stmt(st, s, err)) < 0)
		return rc;
	if (sqlite3_changes(st->db) == 0)
		return why_unchanged(st, r->user_id, r->id, version, err);
	return store_recurring_get(st, r->user_id, r->id, r, err);
}

int
store_recurring_progress(struct store *st, const struct recurring_rule *r,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "UPDATE recurring_rules SET "
	    "after_date = ?, done_count = ?, next_date = ?, error = ?, "
	    "remind_after = ?, remind_next = ? WHERE user_id = ? AND id = ? "
	    "AND deleted = 0", err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_text(s, 1, r->after, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, r->done);
	sqlite3_bind_text(s, 3, r->next, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, r->error, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, r->remind_after, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, r->remind_next, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, r->user_id);
	sqlite3_bind_int64(s, 8, r->id);
	if ((rc = st_exec_stmt(st, s, err)) < 0)
		return rc;
	if (sqlite3_changes(st->db) == 0)
		return spend_errf(err, SPEND_ENOTFOUND, "id", "no such recurring "
		    "rule %lld", (long long)r->id);
	return 0;
}

int
store_recurring_delete(struct store *st, int64_t uid, int64_t id,
    int64_t version, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "UPDATE recurring_rules SET "
	    "deleted = 1, version = version + 1, updated_at = ? WHERE "
	    "user_id = ? AND id = ? AND deleted = 0 AND (? = 0 OR version = ?)",
	    err);
	char now[TIMESTAMP_LEN + 1];
	int rc;

	if (s == NULL)
		return st_failed(st);
	timestamp_now(now);
	sqlite3_bind_text(s, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, uid);
	sqlite3_bind_int64(s, 3, id);
	sqlite3_bind_int64(s, 4, version);
	sqlite3_bind_int64(s, 5, version);
	if ((rc = st_exec_stmt(st, s, err)) < 0)
		return rc;
	if (sqlite3_changes(st->db) == 0)
		return why_unchanged(st, uid, id, version, err);
	return 0;
}

int
store_recurring_list(struct store *st, int64_t uid,
    int (*cb)(void *arg, const struct recurring_rule *r), void *arg,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT " RULE_COLS " FROM "
	    "recurring_rules r JOIN categories c ON c.id = r.category_id "
	    "WHERE r.user_id = ? AND r.deleted = 0 ORDER BY r.id", err);
	struct recurring_rule r;
	int rc, stop = 0;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_rule(s, &r);
		if ((stop = cb(arg, &r)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (stop)
		return stop;
	if (rc != SQLITE_DONE)
		return st_error(st, err, "list recurring rules");
	return 0;
}

/* ---- the scheduler's reads ---- */

#define ACTIVE "r.deleted = 0 AND r.paused = 0 AND r.error = '' AND " \
	"r.next_date != ''"

static int
due_rows(struct store *st, sqlite3_stmt *s, const char *what,
    int (*cb)(void *arg, const struct recurring_due *d), void *arg,
    struct spend_err *err)
{
	struct recurring_due d;
	int rc, stop = 0;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&d, 0, sizeof(d));
		d.id = sqlite3_column_int64(s, 0);
		d.user_id = sqlite3_column_int64(s, 1);
		st_col_text(s, 2, d.timezone, sizeof(d.timezone));
		d.remind_days = sqlite3_column_int(s, 3);
		st_col_text(s, 4, d.next, sizeof(d.next));
		st_col_text(s, 5, d.remind_next, sizeof(d.remind_next));
		if ((stop = cb(arg, &d)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (stop)
		return stop;
	if (rc != SQLITE_DONE)
		return st_error(st, err, what);
	return 0;
}

int
store_recurring_due(struct store *st, const char *through,
    int (*cb)(void *arg, const struct recurring_due *d), void *arg,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT r.id, r.user_id, u.timezone, "
	    "coalesce(x.remind_days, 0), r.next_date, r.remind_next FROM "
	    "recurring_rules r JOIN users u ON u.id = r.user_id LEFT JOIN "
	    "recurring_settings x ON x.user_id = r.user_id WHERE " ACTIVE
	    " AND r.next_date <= ? ORDER BY r.next_date, r.id", err);

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_text(s, 1, through, -1, SQLITE_STATIC);
	return due_rows(st, s, "list due recurring rules", cb, arg, err);
}

int
store_recurring_remind_due(struct store *st, const char *through,
    int (*cb)(void *arg, const struct recurring_due *d), void *arg,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT r.id, r.user_id, u.timezone, "
	    "x.remind_days, r.next_date, r.remind_next FROM recurring_settings x "
	    "JOIN recurring_rules r ON r.user_id = x.user_id JOIN users u ON "
	    "u.id = r.user_id WHERE x.remind_days > 0 AND " ACTIVE " AND "
	    "r.remind_next != '' AND r.remind_next <= date(?, '+' || "
	    "x.remind_days || ' days') ORDER BY r.remind_next, r.id", err);

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_text(s, 1, through, -1, SQLITE_STATIC);
	return due_rows(st, s, "list recurring reminders", cb, arg, err);
}

int
store_recurring_wake(struct store *st,
    int (*cb)(void *arg, const struct recurring_due *d), void *arg,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT 0, 0, u.timezone, "
	    "coalesce(x.remind_days, 0) AS days, min(r.next_date), "
	    "coalesce(min(nullif(r.remind_next, '')), '') FROM recurring_rules r "
	    "JOIN users u ON u.id = r.user_id LEFT JOIN recurring_settings x ON "
	    "x.user_id = r.user_id WHERE " ACTIVE " GROUP BY u.timezone, days",
	    err);

	if (s == NULL)
		return st_failed(st);
	return due_rows(st, s, "find the next recurring date", cb, arg, err);
}

/* ---- the link from expenses ---- */

int
store_recurring_link(struct store *st, int64_t expense_id, int64_t rule,
    const char *date, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "UPDATE expenses SET recurring_id = ?, "
	    "occurrence = ? WHERE id = ?", err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, rule);
	sqlite3_bind_text(s, 2, date, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, expense_id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		if ((sqlite3_extended_errcode(st->db) & 0xff) ==
		    SQLITE_CONSTRAINT)
			return spend_errf(err, SPEND_ECONFLICT, "occurrence",
			    "recurring rule %lld already created its occurrence "
			    "of %s", (long long)rule, date);
		return st_error(st, err, "link expense to its rule");
	}
	return 0;
}

int
store_recurring_has(struct store *st, int64_t rule, const char *date,
    bool *found, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT 1 FROM expenses WHERE "
	    "recurring_id = ? AND occurrence = ?", err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, rule);
	sqlite3_bind_text(s, 2, date, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return st_error(st, err, "find an occurrence");
	*found = rc == SQLITE_ROW;
	return 0;
}

int
store_recurring_expenses(struct store *st, int64_t uid, int64_t rule,
    int (*cb)(void *arg, int64_t id), void *arg, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT id FROM expenses WHERE "
	    "recurring_id = ? AND user_id = ? AND deleted = 0 ORDER BY id", err);
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int rc, r = 0;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, rule);
	sqlite3_bind_int64(s, 2, uid);
	/* collected first: cb may write the rows the statement reads */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			int64_t *p = realloc(ids, (cap = cap ? cap * 2 : 64) *
			    sizeof(*ids));

			if (p == NULL) {
				sqlite3_reset(s);
				free(ids);
				return spend_errf(err, SPEND_ENOMEM, "",
				    "out of memory");
			}
			ids = p;
		}
		ids[n++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(ids);
		return st_error(st, err, "list a rule's expenses");
	}
	for (size_t i = 0; i < n && r == 0; i++)
		r = cb(arg, ids[i]);
	free(ids);
	return r;
}

int
store_recurring_of(struct store *st, int64_t uid, int64_t id, int64_t *rule,
    char occurrence[DATE_LEN + 1], struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT coalesce(recurring_id, 0), "
	    "coalesce(occurrence, '') FROM expenses WHERE user_id = ? AND "
	    "id = ?", err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_int64(s, 2, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*rule = sqlite3_column_int64(s, 0);
		st_col_text(s, 1, occurrence, DATE_LEN + 1);
		sqlite3_reset(s);
		return 0;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return st_error(st, err, "get an expense's rule");
	return spend_errf(err, SPEND_ENOTFOUND, "id", "no such expense %lld",
	    (long long)id);
}

/* ---- settings ---- */

int
store_recurring_settings_get(struct store *st, int64_t uid, int *days,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT remind_days FROM "
	    "recurring_settings WHERE user_id = ?", err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_int64(s, 1, uid);
	rc = sqlite3_step(s);
	*days = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return st_error(st, err, "read the reminder setting");
	return 0;
}

int
store_recurring_settings_set(struct store *st, int64_t uid, int days,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "INSERT INTO recurring_settings("
	    "user_id, remind_days, updated_at) VALUES (?, ?, ?) ON CONFLICT "
	    "(user_id) DO UPDATE SET remind_days = excluded.remind_days, "
	    "updated_at = excluded.updated_at", err);
	char now[TIMESTAMP_LEN + 1];

	if (s == NULL)
		return st_failed(st);
	timestamp_now(now);
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_int(s, 2, days);
	sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
	return st_exec_stmt(st, s, err);
}
