/* Shared by the store's own files only. */
#ifndef SPEND_STORE_INTERNAL_H
#define SPEND_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store.h"

#define STMT_CACHE 64

struct store {
	sqlite3 *db;
	int tx_depth;
	struct {
		char *sql;
		sqlite3_stmt *stmt;
		uint64_t last_use;
	} cache[STMT_CACHE];
	uint64_t tick;
	struct totals_cache *totals;	/* store_expense.c */
};

/* Free the expense totals cache (store_close). */
void st_totals_free(struct store *st);

/* A prepared statement for sql, from the connection's cache (prepared on
 * first use). Reset and cleared before it is returned; do not finalize. */
sqlite3_stmt *st_prepare(struct store *st, const char *sql,
    struct spend_err *err);
/* Fill err from the connection's last error; returns SPEND_ESTORE (or
 * ECONFLICT for a constraint violation). */
int st_error(struct store *st, struct spend_err *err, const char *what);
/* Step a statement that returns no rows. */
int st_exec_stmt(struct store *st, sqlite3_stmt *s, struct spend_err *err);
/* Run SQL text with no parameters (may hold several statements). */
int st_exec(struct store *st, const char *sql, struct spend_err *err);
/* Copy column i into a fixed buffer. */
void st_col_text(sqlite3_stmt *s, int i, char *buf, size_t len);

/* The expense filter of store_expense.c, for other queries over it:
 * "<select> FROM expenses e JOIN categories c ON c.id = e.category_id
 * WHERE <f, keyset ignored><tail>", prepared (cached) and bound. */
sqlite3_stmt *st_expense_filtered(struct store *st, const char *select,
    int64_t uid, const struct expense_filter *f, const char *tail,
    struct spend_err *err);

#endif
