/*
 * The store: every line of SQL in Spend lives under daemon/store/. Nothing
 * else includes sqlite3.h. One struct store is one connection: use it from
 * one thread at a time (the event loop has one; each worker opens its own).
 *
 * Conventions: functions return 0 or a negative SPEND_E* and fill err.
 * Structs passed in are owned by the caller; callbacks get const pointers
 * valid only during the call. A callback returning non-zero stops the
 * iteration and that value is returned.
 */
#ifndef SPEND_STORE_H
#define SPEND_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "util.h"

struct store;

#define STORE_LOOP_BUSY_MS 200
#define STORE_SCHEMA_VERSION 16

#define NAME_MAX_LEN 64		/* user and category names, bytes */
#define TZ_MAX_LEN 64
#define NOTE_MAX_LEN 1000
#define PAYEE_MAX_LEN 200
#define TAG_MAX_LEN 32
#define TAGS_MAX 16
#define TAGS_BUF (TAGS_MAX * (TAG_MAX_LEN + 1) + 2)	/* ",a,b," */
#define SEARCH_MAX_LEN 200
#define IMPORT_KEY_LEN 64
#define EXPENSE_PARTS_MAX 32	/* parts of a split expense (at least 2) */
#define PART_NOTE_MAX_LEN 200	/* a part's note, bytes */

enum store_flags {
	STORE_CREATE = 1,	/* create the file if missing */
	STORE_READONLY = 2,
	/* Another connection to a database already opened (and migrated and
	 * checked) by the daemon: a worker's. Waits up to 5 s for locks. */
	STORE_SECONDARY = 4,
	/* The event loop's connection: waits at most STORE_LOOP_BUSY_MS for
	 * the write lock (store_loop_poll), so a long import on a worker
	 * cannot stall the loop; a write that still finds it busy fails with
	 * SPEND_EBUSY (rpc.c then waits for it off the loop and tries
	 * again). */
	STORE_LOOP = 8,
	/* synchronous=FULL: fsync the WAL at every commit, so a commit
	 * survives a power loss. Without it, synchronous=NORMAL: a commit
	 * survives a crash of the process but the last ones may be lost to
	 * a power loss (the database stays consistent either way). Give it
	 * to every connection of a database alike ([storage] durability). */
	STORE_SYNC_FULL = 16,
};

/* Open (and migrate, and quick_check) the database at path. A database
 * written by a newer spendd is refused. */
int store_open(const char *path, int flags, struct store **out,
    struct spend_err *err);
void store_close(struct store *st);
int store_schema_version(struct store *st);
/* The connection's synchronous setting as SQLite reports it: "off",
 * "normal", "full" or "extra" (static strings; "unknown" on error). */
const char *store_durability(struct store *st);
/* "sqlite 3.40.1" */
const char *store_engine_version(void);

/* Is the event loop's connection waiting for the write lock right now?
 * A long writer on a worker (an import) ends its batch and lets it in. */
bool store_writer_waiting(void);
/* While the loop has writes waiting to try again (rpc.c), it wants the
 * lock though no begin is polling for it: +1 when the first waits, -1
 * when the last is gone. Process-wide, as store_writer_waiting. */
void store_loop_wants(int delta);
/* How long a begin on the loop's connection st polls for the write lock
 * before it fails with SPEND_EBUSY, in ms (0: it tries once); returns
 * the bound it had. STORE_LOOP_BUSY_MS from store_open. */
int store_loop_poll(struct store *st, int ms);
/* After each commit on st, fn(arg, pages in the WAL); st no longer
 * checkpoints on its own (the loop's connection: fn has a worker do it,
 * with store_checkpoint, so no commit on the loop pays for one). */
void store_on_wal(struct store *st, void (*fn)(void *arg, int pages),
    void *arg);
/* A passive checkpoint: what the WAL holds that readers no longer need
 * goes into the database file; when the WAL is still long after it, a
 * restarting one, which waits for the writer and readers of the moment
 * so that the WAL starts again from its beginning (never on the loop's
 * connection). A busy database is not an error. */
int store_checkpoint(struct store *st, struct spend_err *err);
/* When a checkpoint last ran, on any connection of this process (unix
 * seconds; 0: none yet). Any thread. */
int64_t store_last_checkpoint(void);
/* How many restarting checkpoints succeeded in this process. */
int64_t store_wal_restarts(void);

/* Transactions nest: the outermost is BEGIN IMMEDIATE, inner ones are
 * savepoints. Every begin must be matched by one commit or rollback. */
int store_begin(struct store *st, struct spend_err *err);
/* A read transaction (BEGIN DEFERRED): the queries until store_commit or
 * store_rollback see one snapshot. Only outside a transaction. */
int store_read_begin(struct store *st, struct spend_err *err);
int store_commit(struct store *st, struct spend_err *err);
void store_rollback(struct store *st);
bool store_in_tx(struct store *st);

/* ---- users ---- */
struct user {
	int64_t id;
	char name[NAME_MAX_LEN + 1];
	char role[8];			/* "admin" or "user" */
	char currency[4];		/* base currency */
	char timezone[TZ_MAX_LEN + 1];
	int64_t tokens_valid_after;	/* unix seconds */
	int64_t version;
	bool has_password;
	char created_at[TIMESTAMP_LEN + 1];
	char updated_at[TIMESTAMP_LEN + 1];
};

/* In: name, role, currency, timezone. Out: id, version, timestamps.
 * pwhash may be NULL (no password: socket-only user). ECONFLICT if the
 * name is taken (case-insensitive). */
int store_user_add(struct store *st, struct user *u, const char *pwhash,
    struct spend_err *err);
int store_user_get(struct store *st, int64_t id, struct user *u,
    struct spend_err *err);
/* store_user_get and, in the same statement, whether the user's session
 * family (non-empty) is live, as store_session_live says: what an access
 * token needs at each request, in one read. */
int store_user_session(struct store *st, int64_t id, const char *family,
    int64_t now, struct user *u, bool *live, struct spend_err *err);
int store_user_by_name(struct store *st, const char *name, struct user *u,
    struct spend_err *err);
int store_user_list(struct store *st,
    int (*cb)(void *arg, const struct user *u), void *arg,
    struct spend_err *err);
int store_user_count(struct store *st, int64_t *n, struct spend_err *err);
/* Update currency, timezone, role (by id; version 0 = don't check). */
int store_user_update(struct store *st, struct user *u, int64_t version,
    struct spend_err *err);
/* Delete a user and everything they own. */
int store_user_delete(struct store *st, int64_t id, struct spend_err *err);
/* Password hash: *out is malloc'd (caller frees), NULL if none. */
int store_user_pwhash(struct store *st, int64_t id, char **out,
    struct spend_err *err);
int store_user_set_pwhash(struct store *st, int64_t id, const char *pwhash,
    struct spend_err *err);
int store_user_set_tokens_valid_after(struct store *st, int64_t id,
    int64_t when, struct spend_err *err);

/* ---- categories ---- */
struct category {
	int64_t id, user_id;
	char name[NAME_MAX_LEN + 1];
	bool archived;
	int64_t version;
	int64_t stage;			/* the import creating it, else 0 */
	bool uncategorised;		/* the user's one category for rows
					 * without one: never deleted */
	int64_t expenses;		/* live expenses using it (list/get) */
	char created_at[TIMESTAMP_LEN + 1];
	char updated_at[TIMESTAMP_LEN + 1];
};

/* ECONFLICT if a live category of that name (case-insensitive) exists. */
int store_category_add(struct store *st, struct category *c,
    struct spend_err *err);
int store_category_get(struct store *st, int64_t uid, int64_t id,
    struct category *c, struct spend_err *err);
/* By name, case-insensitive, live only. ENOTFOUND if none. */
int store_category_by_name(struct store *st, int64_t uid, const char *name,
    struct category *c, struct spend_err *err);
/* By id (id != 0) or else by name, like the two above but without
 * counting expenses (c->expenses = -1): for the hot paths. */
int store_category_find(struct store *st, int64_t uid, int64_t id,
    const char *name, struct category *c, struct spend_err *err);
/* The same, seeing also the categories staged by import stage. */
int store_category_find_staged(struct store *st, int64_t uid, int64_t stage,
    int64_t id, const char *name, struct category *c, struct spend_err *err);
int store_category_list(struct store *st, int64_t uid, bool with_archived,
    int (*cb)(void *arg, const struct category *c), void *arg,
    struct spend_err *err);
/* Write name and archived of c (by c->id, c->user_id); version 0 = don't
 * check. Bumps c->version, sets updated_at. */
int store_category_update(struct store *st, struct category *c,
    int64_t version, struct spend_err *err);
/* Tombstone a category. With move_to != 0, its expenses move there first
 * (moved(arg, id, new version) for each, may be NULL; a negative return
 * undoes it all); without, ECONFLICT if live expenses use it. */
int store_category_delete(struct store *st, int64_t uid, int64_t id,
    int64_t move_to, int (*moved)(void *arg, int64_t id, int64_t version),
    void *arg, struct spend_err *err);

/* The user's uncategorised category (seeing those staged by stage too;
 * an import may not have created it yet for a brand new user: never, it
 * comes with the user). ENOTFOUND if missing. */
int store_category_uncategorised(struct store *st, int64_t uid,
    int64_t stage, struct category *c, struct spend_err *err);

/* ---- expenses ---- */
#define SOURCE_MAX_LEN 31		/* an importer's name */
/* One part of a split expense: its own amount (minor units of the
 * expense's currency, the same sign as the whole) and category. */
struct expense_part {
	int64_t amount;
	int64_t category_id;
	char category[NAME_MAX_LEN + 1];	/* filled on read */
	char note[PART_NOTE_MAX_LEN + 1];
};

struct expense {
	int64_t id, user_id;
	int64_t amount;			/* minor units of currency */
	char currency[4];
	int64_t category_id;
	char category[NAME_MAX_LEN + 1];	/* filled on read */
	char date[DATE_LEN + 1];
	char note[NOTE_MAX_LEN + 1];
	char payee[PAYEE_MAX_LEN + 1];
	char tags[TAGS_BUF];		/* canonical ",a,b," or "" */
	char import_key[IMPORT_KEY_LEN + 1];	/* "" = none */
	int64_t stage;			/* the import staging it, else 0 (add) */
	int64_t version;
	bool deleted;
	char created_at[TIMESTAMP_LEN + 1];
	char updated_at[TIMESTAMP_LEN + 1];
	int64_t recurring_id;		/* the rule that created it, 0 = none
					 * (read only: store_recurring_link) */
	bool category_auto;		/* a rule or the uncategorised default
					 * chose the category, not the user */
	char source[SOURCE_MAX_LEN + 1];	/* the importer, "" = added */
	/* A split: nparts (2..EXPENSE_PARTS_MAX) parts summing exactly to
	 * amount, each counted in its own category by the totals; 0 = not
	 * split (the whole counts in category_id). A split's category_id
	 * is its first part's. Written and read with the expense. */
	int nparts;
	struct expense_part parts[EXPENSE_PARTS_MAX];
};

enum expense_sort { SORT_DATE, SORT_AMOUNT, SORT_CREATED, SORT_PAYEE };

struct expense_filter {
	char from[DATE_LEN + 1], to[DATE_LEN + 1];	/* inclusive; "" open */
	int64_t category_id;	/* 0 = any; a split matches if any part does */
	/* in note, payee or a tag: a substring, in any case, accents
	 * ignored (store_search.c) */
	char search[SEARCH_MAX_LEN + 1];
	bool has_min, has_max;
	int64_t min_e4, max_e4;		/* money_scale_e4 units, inclusive */
	char currency[4];				/* "" = any */
	char tag[TAG_MAX_LEN + 1];			/* "" = any */
	enum expense_sort sort;
	bool desc;
	/* Keyset: only rows strictly after (key, id) in the sort order. */
	bool after;
	char after_key[PAYEE_MAX_LEN + 1];	/* text keys (date, payee, created) */
	int64_t after_num;			/* numeric key (amount_e4) */
	int64_t after_id;
	int limit;					/* 0 = all */
};

/* In: every field but id/version/timestamps/category, and the parts
 * (nparts, each part's amount, category_id, note). Out: those.
 * ECONFLICT if import_key is set and already used by this user. A
 * staged row (stage != 0) without parts is in day_totals and
 * month_totals only once store_import_totals has added it. */
int store_expense_add(struct store *st, struct expense *e,
    struct spend_err *err);
/* ENOTFOUND for deleted rows and other users' rows. */
int store_expense_get(struct store *st, int64_t uid, int64_t id,
    struct expense *e, struct spend_err *err);
/* Write every user field of e (by e->id, e->user_id), its parts too
 * (replaced; nparts 0 joins a split). version 0 = don't check; a
 * mismatch is ESTALE. Bumps version, refreshes e from the row. */
int store_expense_update(struct store *st, struct expense *e,
    int64_t version, struct spend_err *err);
/* Tombstone. version 0 = don't check. */
int store_expense_delete(struct store *st, int64_t uid, int64_t id,
    int64_t version, struct spend_err *err);
/* The rows matching f in its order, at most f->limit. */
int store_expense_list(struct store *st, int64_t uid,
    const struct expense_filter *f,
    int (*cb)(void *arg, const struct expense *e), void *arg,
    struct spend_err *err);
/* The sort key of e under f->sort, for building a keyset cursor. */
void store_expense_sort_key(const struct expense *e, enum expense_sort s,
    char *text, size_t len, int64_t *num);

struct expense_total {
	char currency[4];
	int64_t count;
	int64_t sum;			/* minor units */
};
/* Count and sum of the whole filtered set (keyset and limit ignored), one
 * callback per currency in code order. ETOOBIG... no: EINVAL if a sum
 * overflows int64. */
int store_expense_totals(struct store *st, int64_t uid,
    const struct expense_filter *f,
    int (*cb)(void *arg, const struct expense_total *t), void *arg,
    struct spend_err *err);
/* How the filter's search runs (store_search.c). AUTO: the trigram index
 * for a term of 3 characters or more that is rare enough, else a scan of
 * the user's rows; INDEX and SCAN force one way (tests: the same rows in
 * the same order); LIKE is the old LIKE scan (ASCII case folding only),
 * what SPEND_BENCH_SEARCH=like in the environment gives every connection,
 * for the benchmark. */
enum store_search {
	STORE_SEARCH_AUTO,
	STORE_SEARCH_INDEX,
	STORE_SEARCH_SCAN,
	STORE_SEARCH_LIKE,
};
void store_search_mode(struct store *st, enum store_search m);
/* The ids of uid's live, published expenses dated from..to (inclusive,
 * "" = open) whose category a rule or the default chose (category_auto),
 * in date order: *ids malloc'd (caller frees), *n of them. */
int store_expense_auto_ids(struct store *st, int64_t uid, const char *from,
    const char *to, int64_t **ids, size_t *n, struct spend_err *err);
/* The folding search compares (case, accents, compatibility forms),
 * for the rules to compare alike: *out malloc'd (caller frees). 0 or
 * SPEND_ENOMEM. */
int store_fold(const char *s, char **out, struct spend_err *err);

/* ---- rules (store_rule.c) ---- */
#define RULE_TEXT_MAX 200
enum rule_op { RULE_OP_NONE, RULE_OP_CONTAINS, RULE_OP_EQUALS, RULE_OP_GLOB };
struct rule {
	int64_t id, user_id;
	int64_t position;		/* rules run in (position, id) order */
	enum rule_op payee_op, note_op;
	char payee[RULE_TEXT_MAX + 1];	/* as the user wrote it */
	char note[RULE_TEXT_MAX + 1];
	bool has_min, has_max;
	int64_t min_e4, max_e4;		/* money_scale_e4 units, inclusive */
	char currency[4];		/* "" = any */
	char source[SOURCE_MAX_LEN + 1];	/* "" = any */
	int64_t category_id;		/* 0 = none */
	char category[NAME_MAX_LEN + 1];	/* filled on read */
	bool category_usable;		/* on read: live and not archived */
	char tags[TAGS_BUF];		/* canonical ",a,b," or "" */
	char rename[PAYEE_MAX_LEN + 1];	/* "" = none */
	bool has_set_note;
	char set_note[NOTE_MAX_LEN + 1];
	int64_t version;
	char created_at[TIMESTAMP_LEN + 1];
	char updated_at[TIMESTAMP_LEN + 1];
};
/* In: every field but id/version/timestamps/category; position 0 = after
 * the last. Out: those. */
int store_rule_add(struct store *st, struct rule *r, struct spend_err *err);
/* ENOTFOUND for deleted rules and other users'. */
int store_rule_get(struct store *st, int64_t uid, int64_t id, struct rule *r,
    struct spend_err *err);
/* uid's live rules in order. */
int store_rule_list(struct store *st, int64_t uid,
    int (*cb)(void *arg, const struct rule *r), void *arg,
    struct spend_err *err);
/* Tombstone; version 0 = don't check (ESTALE on a mismatch). */
int store_rule_delete(struct store *st, int64_t uid, int64_t id,
    int64_t version, struct spend_err *err);

/* Is import_key already used by this user? If so, *stage (unless NULL)
 * is the staging import its row came in with (0: none). */
int store_expense_has_import_key(struct store *st, int64_t uid,
    const char *key, bool *found, int64_t *stage, struct spend_err *err);

/* ---- idempotency keys ---- */
/* Look up (uid, key). *response is malloc'd JSON text (caller frees) or
 * NULL if the key is new; *hash_match tells whether the stored request
 * hash equals request_hash. */
int store_idem_get(struct store *st, int64_t uid, const char *key,
    const char *request_hash, char **response, bool *hash_match,
    struct spend_err *err);
int store_idem_put(struct store *st, int64_t uid, const char *key,
    const char *request_hash, const char *response, struct spend_err *err);
/* Drop keys older than cutoff (unix seconds). */
int store_idem_expire(struct store *st, int64_t cutoff, struct spend_err *err);

/* ---- small key/value for the daemon itself ---- */
/* *value malloc'd, NULL if absent. */
int store_meta_get(struct store *st, const char *key, char **value,
    struct spend_err *err);
int store_meta_set(struct store *st, const char *key, const char *value,
    struct spend_err *err);

/* ---- refresh tokens and sessions (store_auth.c) ---- */
/* One row per refresh token; a family is one login (one session), each
 * refresh adds the next token of the family and marks the last used. */
struct refresh_token {
	int64_t id, user_id;
	char family[33];		/* hex, also the session id */
	bool used, revoked;
	int64_t created_at, family_created_at;	/* unix seconds */
	int64_t expires_at;		/* the family's absolute end */
	int64_t last_used_at;
	char user_agent[128];
	char address[64];
	/* store_session_list only: the session's device (sync) */
	char device[65];		/* its name, "" if none */
	int64_t sync_seq;		/* the last change number it pulled from */
	char synced_at[TIMESTAMP_LEN + 1];	/* when, "" if never */
};

/* In: all but id/used/revoked. token_hash: hex hash of the token (the
 * token itself is never stored). */
int store_refresh_add(struct store *st, struct refresh_token *t,
    const char *token_hash, struct spend_err *err);
/* ENOTFOUND if no token has that hash. */
int store_refresh_get(struct store *st, const char *token_hash,
    struct refresh_token *t, struct spend_err *err);
/* Mark a token used if it is neither used nor revoked; *won tells
 * whether this call did it (exactly one of racing refreshes wins). */
int store_refresh_use(struct store *st, int64_t id, int64_t now, bool *won,
    struct spend_err *err);
/* Revoke every token of a family (*found: any was live; may be NULL). */
int store_refresh_revoke_family(struct store *st, int64_t uid,
    const char *family, bool *found, struct spend_err *err);
int store_refresh_revoke_user(struct store *st, int64_t uid,
    struct spend_err *err);
/* The live token of each live family (= the sessions), oldest first. */
int store_session_list(struct store *st, int64_t uid, int64_t now,
    int (*cb)(void *arg, const struct refresh_token *t), void *arg,
    struct spend_err *err);
/* Is the family live (not revoked, not past its end)? */
int store_session_live(struct store *st, int64_t uid, const char *family,
    int64_t now, bool *live, struct spend_err *err);
/* Delete tokens whose family ended before now. */
int store_refresh_expire(struct store *st, int64_t now, struct spend_err *err);

/* ---- imports (store_import.c): the plugin host's import jobs ---- */
/* Start counting identical rows of one import file: a table in a scratch
 * file on disk (in TMPDIR, unlinked once open), so a 1M-row file does not
 * grow memory. Call outside a transaction, on the job's own connection;
 * close it there before store_close. */
int store_import_seen_open(struct store *st, struct spend_err *err);
/* The number noted for hash in this import (*found false: none), and
 * noting it (import.c's row_ordinal says what the number is). */
int store_import_seen_get(struct store *st, const void *hash, size_t len,
    int64_t *n, bool *found, struct spend_err *err);
int store_import_seen_set(struct store *st, const void *hash, size_t len,
    int64_t n, struct spend_err *err);
void store_import_seen_close(struct store *st);

/*
 * Staged imports: an import writes its rows in many short transactions
 * with stage = its id, and they stay out of every read (expenses,
 * categories, counts, totals) while the user's staging names it; one
 * short write publishes them all. A failed import's rows are removed in
 * batches, and so are those of an import a crash cut short (imports in
 * state staging at start). One staging import per user at a time.
 */
struct import_rec {
	int64_t id, user_id;
	char state[12];			/* staging, published, failed */
	int64_t first_id, last_id;	/* expense ids it wrote (0: none yet) */
	int64_t added;
};
/* Start staging: *id of a new import. ERUNNING if the user has one
 * (*blocking: its id). */
int store_import_stage(struct store *st, int64_t uid, const char *format,
    const char *filename, int64_t *id, int64_t *blocking,
    struct spend_err *err);
/* Record the expense ids written so far (each batch, in its
 * transaction), so the rows can be found without a scan. */
int store_import_progress(struct store *st, int64_t id, int64_t first_id,
    int64_t last_id, struct spend_err *err);
/* Add the staged rows of ids first..last (the batch's, in its
 * transaction) to day_totals and month_totals: staged rows do not add
 * themselves (migration 15). */
int store_import_totals(struct store *st, int64_t id, int64_t first_id,
    int64_t last_id, struct spend_err *err);
/* Make the rows visible: the import published with added rows. */
int store_import_publish(struct store *st, int64_t uid, int64_t id,
    int64_t added, struct spend_err *err);
/* Remove up to max staged rows of the import (then its staged
 * categories); *done once none is left. Its own short transaction. */
int store_import_discard(struct store *st, int64_t id, int64_t max,
    bool *done, struct spend_err *err);
/* After discarding everything: the import is forgotten (its row goes),
 * the user may stage again. */
int store_import_fail(struct store *st, int64_t uid, int64_t id,
    struct spend_err *err);
/* Imports left in state staging (a crash cut them short). */
int store_import_leftovers(struct store *st,
    int (*cb)(void *arg, const struct import_rec *r), void *arg,
    struct spend_err *err);

/* ---- the change log (store_change.c) ---- */
/* One row per change of a user's data, numbered 1, 2, 3... per user in
 * commit order (the writer holds the write lock): what sync and live
 * updates replay. entity: "expense", "category", "user", "import";
 * op: "create", "update", "delete". */
struct change {
	int64_t seq;
	char entity[16];
	int64_t entity_id;
	char op[8];
	int64_t version;
	char at[TIMESTAMP_LEN + 1];
};
/* Append (inside the caller's transaction); *seq gets its number. */
int store_change_append(struct store *st, int64_t uid, const char *entity,
    int64_t entity_id, const char *op, int64_t version, int64_t *seq,
    struct spend_err *err);
/* The changes after since, in order, at most limit (0 = all). */
int store_change_list(struct store *st, int64_t uid, int64_t since,
    int limit, int (*cb)(void *arg, const struct change *c), void *arg,
    struct spend_err *err);
/* The user's last sequence number (0: no change yet). */
int store_change_last(struct store *st, int64_t uid, int64_t *seq,
    struct spend_err *err);

/* ---- sync: pulls and compaction (store_change.c) ---- */
/* The latest change of each entity after since, in order, at most limit:
 * a change with a later one of the same entity is skipped (the later
 * one comes instead; a pull returns current states, not history). */
int store_sync_changes(struct store *st, int64_t uid, int64_t since,
    int limit, int (*cb)(void *arg, const struct change *c), void *arg,
    struct spend_err *err);
/* uid's head (its last number) and floor (changes at or below it may
 * have been compacted away: a client behind it must start again). */
int store_sync_marks(struct store *st, int64_t uid, int64_t *head,
    int64_t *floor, struct spend_err *err);
/* One step of compacting every user's change log, from the key after
 * (*uid, *seq) (0, 0 to begin), at most batch rows looked at, in one
 * write: superseded changes go, and deletes changed before `before` (a
 * timestamp) go too, raising their user's floor. *uid, *seq: where to
 * go on (both 0: done). *removed: rows removed by the step. */
int store_sync_compact(struct store *st, const char *before, int batch,
    int64_t *uid, int64_t *seq, int64_t *removed, struct spend_err *err);
/* ---- devices (store_sync.c) ---- */
/* Name the device of session family of uid. */
int store_device_name(struct store *st, int64_t uid, const char *family,
    const char *name, struct spend_err *err);
/* The device pulled from seq (it has every change up to seq). */
int store_device_synced(struct store *st, int64_t uid, const char *family,
    int64_t seq, struct spend_err *err);
/* Devices whose sessions ended go. */
int store_devices_forget(struct store *st, struct spend_err *err);

/* ---- pushes (store_sync.c) ---- */
/* The stored outcome (JSON text, *result malloc'd) of uid's mutation mid;
 * ENOTFOUND if it was never applied. */
int store_sync_mutation_get(struct store *st, int64_t uid, const char *mid,
    char **result, struct spend_err *err);
int store_sync_mutation_put(struct store *st, int64_t uid, const char *mid,
    const char *result, struct spend_err *err);
/* Outcomes recorded before `before` (a timestamp) go. */
int store_sync_mutations_forget(struct store *st, const char *before,
    struct spend_err *err);
/* The expense a device created as client_id (ENOTFOUND: none). */
int store_sync_client_get(struct store *st, int64_t uid,
    const char *client_id, int64_t *expense_id, struct spend_err *err);
/* ECONFLICT if client_id names another expense already. */
int store_sync_client_put(struct store *st, int64_t uid,
    const char *client_id, int64_t expense_id, struct spend_err *err);
/* Field field of expense id changed at version. */
int store_expense_field_touch(struct store *st, int64_t id, const char *field,
    int64_t version, struct spend_err *err);
/* cb(arg, field) for each field of expense id changed after version
 * (a field never changed since its creation has no row). */
int store_expense_fields_since(struct store *st, int64_t id, int64_t version,
    int (*cb)(void *arg, const char *field), void *arg,
    struct spend_err *err);
/* The live expenses import_id of uid published, ids after after_id, in
 * id order, at most limit (what its one change stands for). */
int store_import_expenses(struct store *st, int64_t uid, int64_t import_id,
    int64_t after_id, int limit,
    int (*cb)(void *arg, const struct expense *e), void *arg,
    struct spend_err *err);

/* ---- daily totals and exchange rates (store_totals.c) ---- */
/* Kept by triggers with every write of an expense (migration 3): what a
 * budget or a report reads instead of the expenses themselves. */
struct day_total {
	char day[DATE_LEN + 1];		/* "YYYY-MM-DD" */
	int64_t category_id;
	char currency[4];
	int64_t count;
	int64_t sum;			/* minor units */
};
/* uid's visible totals from day from to day to (inclusive; "" = open),
 * of one category (0 = all), by day, category id and currency. EINVAL
 * if a sum overflows. */
int store_day_totals(struct store *st, int64_t uid, const char *from,
    const char *to, int64_t category_id,
    int (*cb)(void *arg, const struct day_total *t), void *arg,
    struct spend_err *err);

/* A rate: units of currency per one EUR, scaled by RATE_SCALE (money.h),
 * published for date. */
struct rate {
	char currency[4];
	char date[DATE_LEN + 1];
	int64_t rate;
	char source[32];		/* "ecb", "manual", "fetch" */
};
/* Set (or replace) currency's rate on date. */
int store_rate_set(struct store *st, const char *currency, const char *date,
    int64_t rate, const char *source, struct spend_err *err);
/* The rate of currency on date, or the nearest earlier one (out->date
 * says which). ENOTFOUND if none. */
int store_rate_find(struct store *st, const char *currency, const char *date,
    struct rate *out, struct spend_err *err);
/* Rates of one currency (NULL or "" = all) between two dates ("" =
 * open), by currency and date. */
int store_rate_list(struct store *st, const char *currency, const char *from,
    const char *to, int (*cb)(void *arg, const struct rate *r), void *arg,
    struct spend_err *err);

/* ---- the notifier outbox (store_outbox.c) ---- */
/* Store an event of uid's (kind "alert", "reminder", ...; payload a JSON
 * object's text) in the caller's transaction: *id gets its id. */
int store_outbox_add(struct store *st, int64_t uid, const char *kind,
    const char *payload, int64_t *id, struct spend_err *err);
struct outbox_event {
	int64_t id, user_id;
	char kind[32];
	char *payload;			/* malloc'd by the reader, freed by it */
	char created_at[TIMESTAMP_LEN + 1];
};
/* uid's events after id after (0 = all; uid 0 = every user's), oldest
 * first, at most limit. */
int store_outbox_list(struct store *st, int64_t uid, int64_t after, int limit,
    int (*cb)(void *arg, const struct outbox_event *e), void *arg,
    struct spend_err *err);

/* ---- aggregates (store_report.c): exports and report plugins ---- */
enum store_group {
	STORE_GROUP_CATEGORY = 0,	/* key: category name */
	STORE_GROUP_MONTH = 1,		/* key: "YYYY-MM" */
	STORE_GROUP_DAY = 2,		/* key: "YYYY-MM-DD" */
};

struct store_total {
	char key[NAME_MAX_LEN + 1];
	char currency[4];
	int64_t count;
	int64_t sum;			/* minor units */
};

/* Count and sum of the rows matching f (keyset and limit ignored) per
 * (key, currency), keys then currencies ascending. EINVAL if a sum
 * overflows int64. */
int store_report_totals(struct store *st, int64_t uid,
    const struct expense_filter *f, enum store_group g,
    int (*cb)(void *arg, const struct store_total *t), void *arg,
    struct spend_err *err);

/* ---- backups (store_backup.c) ---- */
/* Copy the whole database of st, as it was when the copy began (one read
 * snapshot; writers on other connections go on), into dest: an empty or
 * missing file the caller owns and fsyncs (it is written without a
 * journal and without syncs). chunk_pages pages per step (<= 0: all at
 * once); between steps stop(arg) (may be NULL) is asked, and true
 * abandons the copy with SPEND_EUNAVAIL. *pages: the database's pages.
 * Only outside a transaction, on a connection of the caller's own. */
int store_backup_to(struct store *st, const char *dest, int chunk_pages,
    bool (*stop)(void *arg), void *arg, int64_t *pages,
    struct spend_err *err);

/* ---- notifier channels and deliveries (store_notify.c) ---- */
#define NOTIFY_CHANNEL_MAX 63		/* a notifier's name */
#define NOTIFY_KINDS_MAX 256		/* ",alert,reminder," */
#define NOTIFY_TARGET_MAX 2048		/* an email address or a URL */
#define NOTIFY_SECRET_MAX 80
#define NOTIFY_ERROR_MAX 300

/* One of a user's channels: which kinds of event go where. */
struct notify_channel {
	char channel[NOTIFY_CHANNEL_MAX + 1];
	char target[NOTIFY_TARGET_MAX + 1];	/* "" for log and exec */
	char kinds[NOTIFY_KINDS_MAX + 1];	/* ",alert,reminder," or ",*," */
	char secret[NOTIFY_SECRET_MAX + 1];	/* signing secret, or "" */
	char updated_at[TIMESTAMP_LEN + 1];
};
/* Insert or replace uid's channel c->channel (updated_at set). */
int store_notify_channel_set(struct store *st, int64_t uid,
    struct notify_channel *c, struct spend_err *err);
/* ENOTFOUND if uid has no such channel. */
int store_notify_channel_get(struct store *st, int64_t uid,
    const char *channel, struct notify_channel *c, struct spend_err *err);
/* *found: there was one (may be NULL). */
int store_notify_channel_delete(struct store *st, int64_t uid,
    const char *channel, bool *found, struct spend_err *err);
/* uid's channels by name. */
int store_notify_channel_list(struct store *st, int64_t uid,
    int (*cb)(void *arg, const struct notify_channel *c), void *arg,
    struct spend_err *err);

/* Outbox events not yet routed, oldest first, at most limit. */
int store_outbox_unrouted(struct store *st, int limit,
    int (*cb)(void *arg, const struct outbox_event *e), void *arg,
    struct spend_err *err);
/* The event is routed (its deliveries, if any, are in). */
int store_outbox_routed(struct store *st, int64_t id, struct spend_err *err);

struct delivery {
	int64_t id, outbox_id, user_id;
	char channel[NOTIFY_CHANNEL_MAX + 1];
	char state[8];			/* pending, sent, failed */
	int attempts;
	int64_t next_at;		/* unix seconds */
	int64_t started_at;		/* an attempt runs since; 0 none */
	char last_error[NOTIFY_ERROR_MAX + 1];
	char updated_at[TIMESTAMP_LEN + 1];
	/* the event (store_delivery_due and _list) */
	char kind[32];
	char created_at[TIMESTAMP_LEN + 1];
	/* store_delivery_due only: */
	char *payload;			/* malloc'd by the reader, freed by it */
	char user[NAME_MAX_LEN + 1];
	bool has_channel;		/* the user still has the channel: */
	struct notify_channel ch;
};
/* A pending delivery of event outbox_id of uid on channel, due at
 * next_at. ECONFLICT if that event has one on that channel already. */
int store_delivery_add(struct store *st, int64_t outbox_id, int64_t uid,
    const char *channel, int64_t next_at, struct spend_err *err);
/* Pending deliveries due by now and not running, soonest first, at most
 * limit, with their event, user and the user's channel settings. */
int store_delivery_due(struct store *st, int64_t now, int limit,
    int (*cb)(void *arg, const struct delivery *d), void *arg,
    struct spend_err *err);
/* An attempt of delivery id starts (started_at = now). */
int store_delivery_start(struct store *st, int64_t id, int64_t now,
    struct spend_err *err);
/* An attempt ended: state ("pending" again, "sent", "failed"), attempts
 * so far, the next attempt's time (pending), the error ("" if none). */
int store_delivery_finish(struct store *st, int64_t id, const char *state,
    int attempts, int64_t next_at, const char *error, struct spend_err *err);
/* The soonest next_at of the pending deliveries not running (*found
 * false if none). */
int store_delivery_next(struct store *st, int64_t *next_at, bool *found,
    struct spend_err *err);
/* Attempts a stop or a crash cut short: pending again, due now. *n gets
 * how many. */
int store_delivery_restart(struct store *st, int64_t now, int64_t *n,
    struct spend_err *err);
/* How many deliveries are pending, sent and failed (any may be NULL). */
int store_delivery_counts(struct store *st, int64_t *pending, int64_t *sent,
    int64_t *failed, struct spend_err *err);
/* uid's deliveries, newest first, at most limit. */
int store_delivery_list(struct store *st, int64_t uid, int limit,
    int (*cb)(void *arg, const struct delivery *d), void *arg,
    struct spend_err *err);
/* Forget events created before cutoff (RFC 3339) whose deliveries are
 * all over (sent or failed), at most max of them: *n gets how many. */
int store_notify_prune(struct store *st, const char *cutoff, int max,
    int64_t *n, struct spend_err *err);
/* ---- recurring rules (store_recurring.c) ---- */
enum rec_freq { REC_DAY = 0, REC_WEEK = 1, REC_MONTH = 2, REC_YEAR = 3 };
#define REC_LAST_DAY (-1)	/* month_day: the month's last day */

/* When a rule falls (recurring.h computes it). */
struct recurrence {
	int freq;			/* enum rec_freq */
	int interval;			/* every interval days/weeks/..., >= 1 */
	unsigned weekdays;		/* weekly: bit 0 Monday .. bit 6 Sunday;
					 * 0 = the start's weekday */
	int month_day;			/* monthly, yearly (in the start's
					 * month): 1..31, clamped to the
					 * month's last day; REC_LAST_DAY; 0 =
					 * the start's day */
	char start[DATE_LEN + 1];
	char end[DATE_LEN + 1];		/* last possible day, "" = none */
	int64_t count;			/* occurrences in all (created or
					 * skipped), 0 = no limit */
};

struct recurring_rule {
	int64_t id, user_id;
	int64_t category_id;
	char category[NAME_MAX_LEN + 1];	/* filled on read */
	int64_t amount;			/* minor units of currency */
	char currency[4];
	char note[NOTE_MAX_LEN + 1];
	char payee[PAYEE_MAX_LEN + 1];
	char tags[TAGS_BUF];		/* canonical ",a,b," or "" */
	struct recurrence rec;
	/* progress */
	char after[DATE_LEN + 1];	/* occurrences on or before it are
					 * done; "" = none yet */
	int64_t done;			/* occurrences created or skipped */
	char next[DATE_LEN + 1];	/* the next to create, "" = over */
	bool paused;
	char error[200];		/* why it stopped creating, "" = fine */
	char remind_after[DATE_LEN + 1];	/* reminded up to this date */
	char remind_next[DATE_LEN + 1];	/* the next occurrence to remind */
	int64_t version;
	char created_at[TIMESTAMP_LEN + 1];
	char updated_at[TIMESTAMP_LEN + 1];
};

/* In: the definition and progress. Out: id, version, timestamps. */
int store_recurring_add(struct store *st, struct recurring_rule *r,
    struct spend_err *err);
/* A live rule of uid (ENOTFOUND for deleted rules and other users'). */
int store_recurring_get(struct store *st, int64_t uid, int64_t id,
    struct recurring_rule *r, struct spend_err *err);
/* Write definition and progress of r (by r->id, r->user_id); version 0 =
 * don't check, a mismatch is ESTALE. Bumps version, refreshes r. */
int store_recurring_update(struct store *st, struct recurring_rule *r,
    int64_t version, struct spend_err *err);
/* Write only the progress of r (the scheduler's): no new version. */
int store_recurring_progress(struct store *st, const struct recurring_rule *r,
    struct spend_err *err);
/* Tombstone; version 0 = don't check. */
int store_recurring_delete(struct store *st, int64_t uid, int64_t id,
    int64_t version, struct spend_err *err);
/* uid's live rules by id. */
int store_recurring_list(struct store *st, int64_t uid,
    int (*cb)(void *arg, const struct recurring_rule *r), void *arg,
    struct spend_err *err);

/* What the scheduler reads: an active rule (not paused, not failed, not
 * over) with its user's zone and reminder setting. */
struct recurring_due {
	int64_t id, user_id;
	char timezone[TZ_MAX_LEN + 1];
	int remind_days;
	char next[DATE_LEN + 1];
	char remind_next[DATE_LEN + 1];
};
/* Active rules whose next occurrence is on or before through, by date. */
int store_recurring_due(struct store *st, const char *through,
    int (*cb)(void *arg, const struct recurring_due *d), void *arg,
    struct spend_err *err);
/* Active rules of users with reminders on whose next reminder is due by
 * through plus the user's days. */
int store_recurring_remind_due(struct store *st, const char *through,
    int (*cb)(void *arg, const struct recurring_due *d), void *arg,
    struct spend_err *err);
/* Per (time zone, reminder days): the earliest next occurrence and next
 * reminder ("" if none) of the active rules: d->next, d->remind_next. */
int store_recurring_wake(struct store *st,
    int (*cb)(void *arg, const struct recurring_due *d), void *arg,
    struct spend_err *err);
/* Mark expense id as rule's occurrence on date (the unique key:
 * ECONFLICT if that occurrence exists). */
int store_recurring_link(struct store *st, int64_t expense_id, int64_t rule,
    const char *date, struct spend_err *err);
/* Does an expense (live or deleted) hold rule's occurrence on date? */
int store_recurring_has(struct store *st, int64_t rule, const char *date,
    bool *found, struct spend_err *err);
/* The live expenses rule created (ids, ascending). */
int store_recurring_expenses(struct store *st, int64_t uid, int64_t rule,
    int (*cb)(void *arg, int64_t id), void *arg, struct spend_err *err);
/* The rule that created expense id (0: none), and its occurrence. */
int store_recurring_of(struct store *st, int64_t uid, int64_t id,
    int64_t *rule, char occurrence[DATE_LEN + 1], struct spend_err *err);
/* uid's reminder setting: days ahead, 0 = off. */
int store_recurring_settings_get(struct store *st, int64_t uid, int *days,
    struct spend_err *err);
int store_recurring_settings_set(struct store *st, int64_t uid, int days,
    struct spend_err *err);

/* ---- report cells (store_reports.c): what report plugins read ---- */
struct report_cell {
	char day[DATE_LEN + 1];
	int64_t category_id;		/* day cells; 0 in payee cells */
	char payee[PAYEE_MAX_LEN + 1];	/* payee cells; "" in day cells */
	char currency[4];
	int64_t count;
	int64_t sum;			/* minor units of currency */
};
/* uid's visible spending from..to (inclusive; "" = open) as one cell per
 * (day, category id, currency), in that order, from day_totals. Call
 * inside a read transaction. EINVAL if a sum overflows. */
int store_report_day_cells(struct store *st, int64_t uid, const char *from,
    const char *to, int (*cb)(void *arg, const struct report_cell *c),
    void *arg, struct spend_err *err);
/* The same from the expenses, one cell per (payee, day, currency), payees
 * compared ASCII case-insensitively and ordered so (a cell reports its
 * smallest spelling); expenses without a payee have payee "". */
int store_report_payee_cells(struct store *st, int64_t uid, const char *from,
    const char *to, int (*cb)(void *arg, const struct report_cell *c),
    void *arg, struct spend_err *err);
/* id and name of every category of uid (archived and deleted too), by
 * id, without counting their expenses. */
int store_category_names(struct store *st, int64_t uid,
    int (*cb)(void *arg, int64_t id, const char *name), void *arg,
    struct spend_err *err);

#endif
