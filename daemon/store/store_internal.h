/* Shared by the store's own files only. */
#ifndef SPEND_STORE_INTERNAL_H
#define SPEND_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>

#include "store.h"

#define STMT_CACHE 64

/* The expense totals of recent queries (store_expense_totals), kept with
 * the connection and freed by store_close. */
#define TOTALS_CACHE 32
#define TOTALS_CURRENCIES 8	/* larger results are not cached */

struct totals_entry {
	char *key;
	int64_t data_version, changes;
	uint64_t last_use;
	int n;
	struct expense_total t[TOTALS_CURRENCIES];
};

struct totals_cache {
	struct totals_entry e[TOTALS_CACHE];
	uint64_t tick;
};

#define ST_SEQ_DEPTH 8	/* savepoints deep the counter is kept through */

struct store {
	sqlite3 *db;
	int tx_depth;
	struct {
		char *sql;
		sqlite3_stmt *stmt;
		uint64_t last_use;
	} cache[STMT_CACHE];
	uint64_t tick;
	struct totals_cache *totals;	/* store_expense_totals's */
	int last_code;			/* SPEND_E* of the last failure */
	bool loop;			/* STORE_LOOP */
	int64_t busy_since;		/* loop_busy: waiting since (mono ms) */
	int loop_poll_ms;		/* loop_busy: for at most this long */
	void (*wal_fn)(void *, int);	/* store_on_wal */
	void *wal_arg;
	/* SQLite rolled the open transaction back by itself (after an I/O
	 * error, a full disk, no memory): why, until the caller's rollback */
	int lost_code;
	char lost_msg[200];
	enum store_search search_mode;	/* store_search.c */
	int64_t fts_synced;		/* total changes at the last st_fts_sync */
	char seen_path[512];		/* store_import.c's scratch file, or "" */
	bool seen_linked;		/* its name still in the directory */
	/* The change log's counter of one user inside the open transaction
	 * (store_change.c): its first change reads users.change_seq, the
	 * next are counted here and written back once, before COMMIT
	 * (st_seq_flush). A savepoint saves it at its start and a rollback
	 * to it puts it back, as the rows it undoes. uid 0: none. */
	struct st_seq {
		int64_t uid, last;
		int unsaved;		/* changes counted since written back */
	} seq, seq_saved[ST_SEQ_DEPTH];
};

/* SQL: the row of alias a is not part of the staging import of user
 * uid, an SQL expression (store.h, "Staged imports"). Every read of
 * expenses and categories. */
#define ST_VISIBLE_OF(a, uid) a ".stage != (SELECT staging FROM users " \
	"WHERE id = " uid ")"
/* Of the row's own user: looked up once a row. A query of one user's rows
 * binds the user instead (ST_VISIBLE_OF(a, "?")), looked up once. */
#define ST_VISIBLE(a) ST_VISIBLE_OF(a, a ".user_id")


/* Write the change counter kept in the transaction back to its user's
 * row (see struct store). Inside the transaction. */
int st_seq_flush(struct store *st, struct spend_err *err);

/* A prepared statement for sql, from the connection's cache (prepared on
 * first use). Reset and cleared before it is returned; do not finalize.
 * NULL (err filled) also when SQLite already rolled back the transaction
 * the caller is in: the statement would run, and commit, outside it. */
sqlite3_stmt *st_prepare(struct store *st, const char *sql,
    struct spend_err *err);
/* Fill err from the connection's last error and return its code:
 * ECONFLICT (constraint), EBUSY (locked), EFULL (disk or quota full),
 * ENOMEM, else ESTORE. what says what was being done ("add expense"). */
int st_error(struct store *st, struct spend_err *err, const char *what);
/* The code of the last failure st_error (or st_prepare) reported, for
 * the callers that return after a NULL from st_prepare. */
static inline int
st_failed(const struct store *st)
{
	return st->last_code < 0 ? st->last_code : SPEND_ESTORE;
}
/* Step a statement that returns no rows. */
int st_exec_stmt(struct store *st, sqlite3_stmt *s, struct spend_err *err);
/* The search index's queue (migration 13, store.c): hand it over before
 * COMMIT; is anything in it; after a write outside a transaction. */
int st_fts_sync(struct store *st, struct spend_err *err);
int st_fts_queued(struct store *st, struct spend_err *err);
void st_fts_after(struct store *st);
/* Run SQL text with no parameters (may hold several statements). */
int st_exec(struct store *st, const char *sql, struct spend_err *err);
/* Copy column i into a fixed buffer. */
void st_col_text(sqlite3_stmt *s, int i, char *buf, size_t len);
/* PRAGMA user_version, or -1. */
int st_user_version(struct store *st);
/* SQLite's automatic checkpoint (a passive one once a commit leaves the
 * WAL at STORE_AUTOCHECKPOINT_PAGES or more), as a wal hook
 * (sqlite3_wal_hook, arg the store) of every connection but the loop's
 * (store_on_wal), so store_last_checkpoint knows its time. */
#define STORE_AUTOCHECKPOINT_PAGES 1000
/* A WAL still this long after a passive checkpoint gets a restarting one
 * (store.c, checkpoint): about 16 MB. */
#define STORE_WAL_RESTART_PAGES 4000
/* How long it waits for the writer and readers of the moment. */
#define STORE_RESTART_WAIT_MS 50
/* A worker connection's busy timeout (the loop's: st_loop_busy). */
#define STORE_BUSY_MS 5000
int st_autocheckpoint(void *arg, sqlite3 *db, const char *name, int pages);
/* The loop connection's busy handler (sqlite3_busy_handler, arg the
 * store): polls the write lock for at most st->loop_poll_ms. */
int st_loop_busy(void *arg, int count);

/* Search (store_search.c). At every open: register spend_fold() on the
 * connection (migration 9 fills expenses.search_text with it). */
int st_search_init(struct store *st, struct spend_err *err);
/* Between the fields of a search text: no folded text holds it (st_fold
 * turns it into U+FFFD), so no term spans two fields. */
#define SEARCH_SEP '\x1f'
/* Room for a folded, quoted search term: folding may spell a character
 * out in several ("ß" is "ss", "ﬃ" is "ffi"). */
#define SEARCH_TEXT_MAX (SEARCH_MAX_LEN * 4 + 8)
/* The folding of s that search compares (case, accents, compatibility
 * forms): *out malloc'd (caller frees), *len its bytes (len may be
 * NULL). 0, or -1 out of memory. */
int st_fold(const char *s, char **out, size_t *len);
/* expenses.search_text for a row with these fields (tags canonical
 * ",a,b,"): malloc'd into *out (caller frees); 0 or SPEND_ENOMEM. */
int st_search_text(const char *note, const char *payee, const char *tags,
    char **out, struct spend_err *err);
/* The condition on e (alias of expenses) for "note, payee or a tag holds
 * term": sql, with nbind parameters that each take text. drives: the
 * condition gives the few rows to look at (the index) and the query must
 * start from it, not from the user's indexes. */
struct st_search {
	const char *sql;	/* " AND ..." or "", static */
	int nbind;
	bool drives;
	char text[SEARCH_TEXT_MAX];
};
int st_search_cond(struct store *st, const char *term, struct st_search *out,
    struct spend_err *err);

/* The expense filter of store_expense.c, for other queries over it:
 * "<select><from> WHERE <f, keyset ignored><tail>", prepared (cached)
 * and bound; from NULL is " FROM expenses e JOIN categories c ON c.id =
 * e.category_id", another must name the expenses e. */
sqlite3_stmt *st_expense_filtered(struct store *st, const char *select,
    const char *from, int64_t uid, const struct expense_filter *f,
    const char *tail, struct spend_err *err);


/* Copy the database to "<path>.v<version>" before migrating it
 * (store_upgrade.c). */
int st_copy_before_migrate(struct store *st, int version,
    struct spend_err *err);
#endif
