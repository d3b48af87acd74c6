/* Import jobs: counting identical rows of one file, on disk. */
#include <string.h>

#include "store_internal.h"

int
store_import_seen_open(struct store *st, struct spend_err *err)
{
	/* temp_store = FILE: the table spills to a temporary file instead
	 * of growing in memory with the size of the import. Changing it
	 * drops this connection's TEMP tables, which is what we want. */
	return st_exec(st, "PRAGMA temp_store = FILE;"
	    "CREATE TEMP TABLE IF NOT EXISTS import_seen("
	    "  h BLOB PRIMARY KEY,"
	    "  n INTEGER NOT NULL) WITHOUT ROWID;"
	    "DELETE FROM temp.import_seen", err);
}

int
store_import_seen_next(struct store *st, const void *hash, size_t len,
    int64_t *n, struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "INSERT INTO temp.import_seen(h, n) "
	    "VALUES (?, 0) ON CONFLICT(h) DO UPDATE SET n = n + 1 RETURNING n",
	    err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_blob(s, 1, hash, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return st_error(st, err, "import row count");
	}
	*n = sqlite3_column_int64(s, 0);
	/* RETURNING finishes its write only when stepped to the end */
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return st_error(st, err, "import row count");
	return 0;
}

void
store_import_seen_close(struct store *st)
{
	st_exec(st, "DROP TABLE IF EXISTS temp.import_seen", NULL);
}
