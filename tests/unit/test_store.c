/* The store: migrations, transactions, users, categories, expenses,
 * keyset pages, totals, idempotency keys. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "money.h"
#include "store.h"
#include "util.h"

static char dir[64];

static struct store *
mem_store(void)
{
	struct store *st;
	struct spend_err err;

	if (store_open(":memory:", STORE_CREATE, &st, &err) < 0)
		fail_msg("store_open: %s", err.msg);
	return st;
}

static int
setup_dir(void **state)
{
	(void)state;
	strlcpy(dir, "/tmp/spend-test-store.XXXXXX", sizeof(dir));
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
teardown_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static int64_t
add_user(struct store *st, const char *name, const char *cur)
{
	struct user u;
	struct spend_err err;

	memset(&u, 0, sizeof(u));
	strlcpy(u.name, name, sizeof(u.name));
	strlcpy(u.role, "user", sizeof(u.role));
	strlcpy(u.currency, cur, sizeof(u.currency));
	strlcpy(u.timezone, "UTC", sizeof(u.timezone));
	if (store_user_add(st, &u, NULL, &err) < 0)
		fail_msg("user add %s: %s", name, err.msg);
	return u.id;
}

static int64_t
add_cat(struct store *st, int64_t uid, const char *name)
{
	struct category c;
	struct spend_err err;

	memset(&c, 0, sizeof(c));
	c.user_id = uid;
	strlcpy(c.name, name, sizeof(c.name));
	if (store_category_add(st, &c, &err) < 0)
		fail_msg("category add %s: %s", name, err.msg);
	return c.id;
}

static void
fill_exp(struct expense *e, int64_t uid, int64_t cat, int64_t amount,
    const char *cur, const char *date)
{
	memset(e, 0, sizeof(*e));
	e->user_id = uid;
	e->category_id = cat;
	e->amount = amount;
	strlcpy(e->currency, cur, sizeof(e->currency));
	strlcpy(e->date, date, sizeof(e->date));
}

static int64_t
add_exp(struct store *st, int64_t uid, int64_t cat, int64_t amount,
    const char *cur, const char *date, const char *payee, const char *note,
    const char *tags)
{
	struct expense e;
	struct spend_err err;

	fill_exp(&e, uid, cat, amount, cur, date);
	strlcpy(e.payee, payee ? payee : "", sizeof(e.payee));
	strlcpy(e.note, note ? note : "", sizeof(e.note));
	strlcpy(e.tags, tags ? tags : "", sizeof(e.tags));
	if (store_expense_add(st, &e, &err) < 0)
		fail_msg("expense add: %s", err.msg);
	return e.id;
}

/* ---- open, migrate, reopen ---- */

static void
test_open_memory(void **state)
{
	struct store *st = mem_store();

	(void)state;
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	assert_false(store_in_tx(st));
	assert_non_null(strstr(store_engine_version(), "sqlite 3."));
	store_close(st);
	store_close(NULL);
}

static void
test_reopen_keeps_data(void **state)
{
	char path[128];
	struct store *st;
	struct spend_err err;
	struct expense e;
	struct user u;
	int64_t uid, cat, id;
	char *v;

	(void)state;
	snprintf(path, sizeof(path), "%s/spend.db", dir);
	/* no STORE_CREATE: a missing file is an error that names it */
	assert_true(store_open(path, 0, &st, &err) < 0);
	assert_null(st);
	assert_non_null(strstr(err.msg, path));

	assert_int_equal(store_open(path, STORE_CREATE, &st, &err), 0);
	uid = add_user(st, "alice", "EUR");
	cat = add_cat(st, uid, "food");
	id = add_exp(st, uid, cat, 1250, "EUR", "2024-03-01", "Bakery", "bread",
	    ",daily,");
	assert_int_equal(store_meta_set(st, "k", "v1", &err), 0);
	assert_int_equal(store_meta_set(st, "k", "v2", &err), 0);
	store_close(st);

	assert_int_equal(store_open(path, 0, &st, &err), 0);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	assert_int_equal(store_user_by_name(st, "alice", &u, &err), 0);
	assert_true(u.id == uid);
	assert_int_equal(store_expense_get(st, uid, id, &e, &err), 0);
	assert_true(e.amount == 1250);
	assert_string_equal(e.payee, "Bakery");
	assert_string_equal(e.category, "food");
	assert_string_equal(e.tags, ",daily,");
	assert_int_equal(store_meta_get(st, "k", &v, &err), 0);
	assert_string_equal(v, "v2");
	free(v);
	assert_int_equal(store_meta_get(st, "absent", &v, &err), 0);
	assert_null(v);
	store_close(st);

	/* read-only opens see the data too */
	assert_int_equal(store_open(path, STORE_READONLY, &st, &err), 0);
	assert_int_equal(store_expense_get(st, uid, id, &e, &err), 0);
	store_close(st);
}

/* Set the header's user_version field directly (offset 60, big endian):
 * what a newer spendd would have left. */
static void
set_user_version(const char *path, uint32_t v)
{
	unsigned char b[4] = { v >> 24, v >> 16, v >> 8, v };
	int fd = open(path, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, b, 4, 60), 4);
	close(fd);
}

static void
test_newer_schema_refused(void **state)
{
	char path[128];
	struct store *st;
	struct spend_err err;

	(void)state;
	snprintf(path, sizeof(path), "%s/newer.db", dir);
	assert_int_equal(store_open(path, STORE_CREATE, &st, &err), 0);
	add_user(st, "bob", "USD");
	store_close(st);
	set_user_version(path, STORE_SCHEMA_VERSION + 1);
	assert_int_equal(store_open(path, 0, &st, &err), SPEND_ESTORE);
	assert_null(st);
	assert_non_null(strstr(err.msg, "newer"));
	assert_non_null(strstr(err.msg, path));
	/* and it is left alone: the old version opens again once restored */
	set_user_version(path, STORE_SCHEMA_VERSION);
	assert_int_equal(store_open(path, 0, &st, &err), 0);
	store_close(st);
}

static void
test_not_a_database(void **state)
{
	char path[128];
	struct store *st;
	struct spend_err err;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/junk.db", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 300; i++)
		fputs("this is not a database, just text. ", f);
	fclose(f);
	assert_true(store_open(path, 0, &st, &err) < 0);
	assert_null(st);
	assert_non_null(strstr(err.msg, path));
}

/* ---- transactions ---- */

static int
count_users(struct store *st)
{
	int64_t n;
	struct spend_err err;

	assert_int_equal(store_user_count(st, &n, &err), 0);
	return (int)n;
}

/* STORE_SYNC_FULL sets synchronous=FULL on that connection, and only on
 * it (a per-connection setting: the loop's and each worker's must be
 * asked alike); without it NORMAL. Read back from SQLite. */
static void
test_durability(void **state)
{
	char path[128];
	struct store *st, *w, *ro;
	struct spend_err err;

	(void)state;
	snprintf(path, sizeof(path), "%s/sync.db", dir);
	assert_int_equal(store_open(path, STORE_CREATE | STORE_LOOP, &st, &err),
	    0);
	assert_string_equal(store_durability(st), "normal");
	assert_int_equal(store_open(path, STORE_SECONDARY | STORE_SYNC_FULL,
	    &w, &err), 0);
	assert_string_equal(store_durability(w), "full");
	assert_string_equal(store_durability(st), "normal");
	/* a write through the FULL connection is seen by the other */
	add_user(w, "carol", "EUR");
	assert_int_equal(count_users(st), 1);
	store_close(w);
	store_close(st);

	assert_int_equal(store_open(path, STORE_LOOP | STORE_SYNC_FULL, &st,
	    &err), 0);
	assert_string_equal(store_durability(st), "full");
	assert_int_equal(store_open(path, STORE_READONLY | STORE_SYNC_FULL,
	    &ro, &err), 0);
	assert_string_equal(store_durability(ro), "full");
	assert_int_equal(count_users(ro), 1);
	store_close(ro);
	store_close(st);

	st = mem_store();
	assert_string_equal(store_durability(st), "normal");
	store_close(st);
}

/* ---- the change log's counter, kept in the transaction ---- */

static int64_t
change(struct store *st, int64_t uid)
{
	struct spend_err err;
	int64_t seq;

	if (store_change_append(st, uid, "expense", 1, "create", 1, &seq,
	    &err) < 0)
		fail_msg("change: %s", err.msg);
	return seq;
}

static int64_t
change_last(struct store *st, int64_t uid)
{
	struct spend_err err;
	int64_t seq;

	assert_int_equal(store_change_last(st, uid, &seq, &err), 0);
	return seq;
}

static int
collect_seq(void *arg, const struct change *c)
{
	int64_t *next = arg;

	/* each number once, none missing */
	assert_int_equal(c->seq, *next);
	(*next)++;
	return 0;
}

/* the user's log holds 1..n, no gap, no number twice */
static void
log_is(struct store *st, int64_t uid, int64_t n)
{
	struct spend_err err;
	int64_t next = 1;

	assert_int_equal(store_change_list(st, uid, 0, 0, collect_seq, &next,
	    &err), 0);
	assert_int_equal(next - 1, n);
	assert_int_equal(change_last(st, uid), n);
}

/* n changes of uid, numbered first, first + 1, ... */
static void
changes_are(struct store *st, int64_t uid, int64_t first, int n)
{
	for (int i = 0; i < n; i++)
		assert_int_equal(change(st, uid), first + i);
}

static void
test_change_counter(void **state)
{
	struct store *st = mem_store();
	struct spend_err err;
	int64_t a = add_user(st, "a", "EUR"), b = add_user(st, "b", "EUR");
	int64_t head, floor;

	(void)state;
	/* counted in the transaction, and in the row once committed */
	assert_int_equal(store_begin(st, &err), 0);
	changes_are(st, a, 1, 3);
	assert_int_equal(change_last(st, a), 3);
	assert_int_equal(store_commit(st, &err), 0);
	log_is(st, a, 3);

	/* a savepoint rolled back gives its numbers back, as its rows (5,
	 * counted before it, not yet in the row, stays) */
	assert_int_equal(store_begin(st, &err), 0);
	changes_are(st, a, 4, 2);
	assert_int_equal(store_begin(st, &err), 0);
	changes_are(st, a, 6, 2);
	store_rollback(st);
	assert_int_equal(change(st, a), 6);
	assert_int_equal(store_commit(st, &err), 0);
	log_is(st, a, 6);

	/* two users in one transaction, in turn */
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(change(st, b), 1);
	assert_int_equal(change(st, a), 7);
	assert_int_equal(change(st, b), 2);
	changes_are(st, a, 8, 2);
	assert_int_equal(store_commit(st, &err), 0);
	log_is(st, a, 9);
	log_is(st, b, 2);

	/* a transaction rolled back leaves the row as it was */
	assert_int_equal(store_begin(st, &err), 0);
	changes_are(st, a, 10, 2);
	store_rollback(st);
	log_is(st, a, 9);

	/* the sync marks read inside a transaction see what it counted */
	assert_int_equal(store_begin(st, &err), 0);
	changes_are(st, a, 10, 2);
	assert_int_equal(store_sync_marks(st, a, &head, &floor, &err), 0);
	assert_int_equal(head, 11);
	assert_int_equal(change(st, a), 12);
	assert_int_equal(store_commit(st, &err), 0);
	log_is(st, a, 12);

	/* savepoints deeper than the counter is kept through (8): 14 of
	 * them, a change in each, the 6 innermost rolled back, then the
	 * rest released; then one of the kept ones rolled back */
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(change(st, a), 13);
	for (int i = 0; i < 14; i++) {
		assert_int_equal(store_begin(st, &err), 0);
		assert_int_equal(change(st, a), 14 + i);
	}
	for (int i = 0; i < 6; i++)
		store_rollback(st);
	assert_int_equal(change(st, a), 22);
	for (int i = 0; i < 8; i++)
		assert_int_equal(store_commit(st, &err), 0);
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(change(st, a), 23);
	store_rollback(st);
	assert_int_equal(change(st, a), 23);
	assert_int_equal(store_commit(st, &err), 0);
	log_is(st, a, 23);
	log_is(st, b, 2);
	store_close(st);
}

static void
test_transactions(void **state)
{
	struct store *st = mem_store();
	struct spend_err err;

	(void)state;
	/* commit without begin is a broken invariant, not a crash */
	assert_int_equal(store_commit(st, &err), SPEND_EINTERNAL);
	store_rollback(st);		/* harmless */

	assert_int_equal(store_begin(st, &err), 0);
	assert_true(store_in_tx(st));
	add_user(st, "a", "EUR");
	store_rollback(st);
	assert_false(store_in_tx(st));
	assert_int_equal(count_users(st), 0);

	assert_int_equal(store_begin(st, &err), 0);
	add_user(st, "a", "EUR");
	assert_int_equal(store_commit(st, &err), 0);
	assert_int_equal(count_users(st), 1);

	/* nested: an inner rollback drops only the inner work */
	assert_int_equal(store_begin(st, &err), 0);
	add_user(st, "b", "EUR");
	assert_int_equal(store_begin(st, &err), 0);
	add_user(st, "c", "EUR");
	assert_int_equal(store_begin(st, &err), 0);
	add_user(st, "d", "EUR");
	assert_int_equal(store_commit(st, &err), 0);	/* d into c's level */
	store_rollback(st);				/* drops c and d */
	assert_true(store_in_tx(st));
	assert_int_equal(count_users(st), 2);
	add_user(st, "e", "EUR");
	assert_int_equal(store_commit(st, &err), 0);
	assert_false(store_in_tx(st));
	assert_int_equal(count_users(st), 3);		/* a b e */

	/* an outer rollback drops committed inner levels too */
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(store_begin(st, &err), 0);
	add_user(st, "f", "EUR");
	assert_int_equal(store_commit(st, &err), 0);
	store_rollback(st);
	assert_int_equal(count_users(st), 3);

	/* deep nesting */
	for (int i = 0; i < 20; i++)
		assert_int_equal(store_begin(st, &err), 0);
	add_user(st, "g", "EUR");
	for (int i = 0; i < 20; i++)
		assert_int_equal(store_commit(st, &err), 0);
	assert_false(store_in_tx(st));
	assert_int_equal(count_users(st), 4);
	store_close(st);
}

/* ---- users ---- */

struct names {
	char v[16][NAME_MAX_LEN + 1];
	int n;
};

static int
user_name_cb(void *arg, const struct user *u)
{
	struct names *nm = arg;

	strlcpy(nm->v[nm->n++], u->name, sizeof(nm->v[0]));
	return 0;
}

static int
stop_cb(void *arg, const struct user *u)
{
	(void)u;
	++*(int *)arg;
	return 7;
}

static void
test_users(void **state)
{
	struct store *st = mem_store();
	struct spend_err err;
	struct user u, v;
	struct names nm = { .n = 0 };
	char *h;
	int calls = 0;
	int64_t id;

	(void)state;
	memset(&u, 0, sizeof(u));
	strlcpy(u.name, "Alice", sizeof(u.name));
	strlcpy(u.role, "admin", sizeof(u.role));
	strlcpy(u.currency, "EUR", sizeof(u.currency));
	strlcpy(u.timezone, "Europe/Paris", sizeof(u.timezone));
	assert_int_equal(store_user_add(st, &u, "$argon2id$fake", &err), 0);
	assert_true(u.id > 0);
	assert_true(u.version == 1);
	assert_true(u.has_password);
	assert_int_equal(strlen(u.created_at), TIMESTAMP_LEN);
	id = u.id;

	/* names are unique without regard to case */
	strlcpy(u.name, "alice", sizeof(u.name));
	assert_int_equal(store_user_add(st, &u, NULL, &err), SPEND_ECONFLICT);
	assert_string_equal(err.field, "name");
	assert_non_null(strstr(err.msg, "alice"));
	assert_int_equal(count_users(st), 1);

	assert_int_equal(store_user_by_name(st, "ALICE", &v, &err), 0);
	assert_true(v.id == id);
	assert_string_equal(v.name, "Alice");
	assert_string_equal(v.role, "admin");
	assert_string_equal(v.timezone, "Europe/Paris");
	assert_true(v.has_password);
	assert_int_equal(store_user_get(st, id, &v, &err), 0);
	assert_int_equal(store_user_get(st, id + 100, &v, &err), SPEND_ENOTFOUND);
	assert_int_equal(store_user_by_name(st, "nobody", &v, &err),
	    SPEND_ENOTFOUND);
	assert_non_null(strstr(err.msg, "nobody"));

	add_user(st, "carol", "JPY");
	add_user(st, "bob", "USD");
	assert_int_equal(store_user_list(st, user_name_cb, &nm, &err), 0);
	assert_int_equal(nm.n, 3);
	assert_string_equal(nm.v[0], "Alice");	/* by name, any case */
	assert_string_equal(nm.v[1], "bob");
	assert_string_equal(nm.v[2], "carol");
	/* a callback's non-zero stops the walk and is returned */
	assert_int_equal(store_user_list(st, stop_cb, &calls, &err), 7);
	assert_int_equal(calls, 1);

	/* update with and without a version */
	assert_int_equal(store_user_get(st, id, &u, &err), 0);
	strlcpy(u.currency, "CHF", sizeof(u.currency));
	assert_int_equal(store_user_update(st, &u, 1, &err), 0);
	assert_true(u.version == 2);
	assert_string_equal(u.currency, "CHF");
	strlcpy(u.currency, "GBP", sizeof(u.currency));
	assert_int_equal(store_user_update(st, &u, 1, &err), SPEND_ESTALE);
	assert_string_equal(err.field, "version");
	assert_int_equal(store_user_get(st, id, &v, &err), 0);
	assert_string_equal(v.currency, "CHF");
	assert_int_equal(store_user_update(st, &u, 0, &err), 0);
	assert_true(u.version == 3);

	/* password hash and session cut-off */
	assert_int_equal(store_user_pwhash(st, id, &h, &err), 0);
	assert_string_equal(h, "$argon2id$fake");
	free(h);
	assert_int_equal(store_user_set_pwhash(st, id, "$new", &err), 0);
	assert_int_equal(store_user_pwhash(st, id, &h, &err), 0);
	assert_string_equal(h, "$new");
	free(h);
	assert_int_equal(store_user_by_name(st, "bob", &v, &err), 0);
	assert_false(v.has_password);
	assert_int_equal(store_user_pwhash(st, v.id, &h, &err), 0);
	assert_null(h);
	assert_int_equal(store_user_pwhash(st, 9999, &h, &err), SPEND_ENOTFOUND);
	assert_int_equal(store_user_set_tokens_valid_after(st, id, 1700000000,
	    &err), 0);
	assert_int_equal(store_user_get(st, id, &v, &err), 0);
	assert_true(v.tokens_valid_after == 1700000000);
	store_close(st);
}

static void
test_user_delete_cascades(void **state)
{
	struct store *st = mem_store();
	struct spend_err err;
	struct category c;
	struct expense e;
	struct user usr;
	char *resp;
	bool match;
	int64_t a, b, ca, cb, ea, eb;

	(void)state;
	a = add_user(st, "a", "EUR");
	b = add_user(st, "b", "EUR");
	ca = add_cat(st, a, "food");
	cb = add_cat(st, b, "food");
	ea = add_exp(st, a, ca, 100, "EUR", "2024-01-01", NULL, NULL, NULL);
	eb = add_exp(st, b, cb, 200, "EUR", "2024-01-01", NULL, NULL, NULL);
	assert_int_equal(store_idem_put(st, a, "k", "h", "{}", &err), 0);
	assert_int_equal(store_user_delete(st, a, &err), 0);
	assert_int_equal(store_user_get(st, a, &usr, &err), SPEND_ENOTFOUND);
	assert_int_equal(store_category_get(st, a, ca, &c, &err), SPEND_ENOTFOUND);
	assert_int_equal(store_expense_get(st, a, ea, &e, &err), SPEND_ENOTFOUND);
	assert_int_equal(store_idem_get(st, a, "k", "h", &resp, &match, &err), 0);
	assert_null(resp);
	/* b untouched */
	assert_int_equal(store_expense_get(st, b, eb, &e, &err), 0);
	assert_int_equal(store_category_get(st, b, cb, &c, &err), 0);
	assert_int_equal(store_user_delete(st, a, &err), SPEND_ENOTFOUND);
	/* the name is free again */
	add_user(st, "a", "EUR");
	store_close(st);
}

/* ---- categories ---- */

static int
cat_names_cb(void *arg, const struct category *c)
{
	struct names *nm = arg;

	strlcpy(nm->v[nm->n++], c->name, sizeof(nm->v[0]));
	return 0;
}

static void
test_categories(void **state)
{
	struct store *st = mem_store();
	struct spend_err err;
	struct category c, d;
	struct names nm = { .n = 0 };
	int64_t u1, u2, food, fun;

	(void)state;
	u1 = add_user(st, "u1", "EUR");
	u2 = add_user(st, "u2", "EUR");
	food = add_cat(st, u1, "Food");
	fun = add_cat(st, u1, "fun");
	add_cat(st, u2, "food");		/* same name, other user: fine */

	memset(&c, 0, sizeof(c));
	c.user_id = u1;
	strlcpy(c.name, "FOOD", sizeof(c.name));
	assert_int_equal(store_category_add(st, &c, &err), SPEND_ECONFLICT);
	assert_string_equal(err.field, "name");

	assert_int_equal(store_category_by_name(st, u1, "food", &c, &err), 0);
	assert_true(c.id == food);
	assert_string_equal(c.name, "Food");
	assert_true(c.version == 1);
	assert_false(c.archived);
	assert_true(c.expenses == 0);
	assert_int_equal(store_category_by_name(st, u1, "nope", &c, &err),
	    SPEND_ENOTFOUND);
	assert_non_null(strstr(err.msg, "nope"));
	/* another user's category does not exist for you */
	assert_int_equal(store_category_get(st, u2, food, &c, &err),
	    SPEND_ENOTFOUND);

	/* rename, archive, version checks */
	assert_int_equal(store_category_get(st, u1, fun, &c, &err), 0);
	strlcpy(c.name, "Leisure", sizeof(c.name));
	assert_int_equal(store_category_update(st, &c, 1, &err), 0);
	assert_true(c.version == 2);
	assert_string_equal(c.name, "Leisure");
	c.archived = true;
	assert_int_equal(store_category_update(st, &c, 1, &err), SPEND_ESTALE);
	assert_int_equal(store_category_update(st, &c, 2, &err), 0);
	assert_true(c.archived);
	/* renaming onto another live name conflicts; a change of case of
	 * its own name does not */
	strlcpy(c.name, "food", sizeof(c.name));
	assert_int_equal(store_category_update(st, &c, 0, &err), SPEND_ECONFLICT);
	strlcpy(c.name, "LEISURE", sizeof(c.name));
	assert_int_equal(store_category_update(st, &c, 0, &err), 0);
	assert_string_equal(c.name, "LEISURE");

	/* listing: by name, archived only on request */
	assert_int_equal(store_category_list(st, u1, false, cat_names_cb, &nm,
	    &err), 0);
	assert_int_equal(nm.n, 1);
	assert_string_equal(nm.v[0], "Food");
	nm.n = 0;
	assert_int_equal(store_category_list(st, u1, true, cat_names_cb, &nm,
	    &err), 0);
	assert_int_equal(nm.n, 2);
	assert_string_equal(nm.v[0], "Food");
	assert_string_equal(nm.v[1], "LEISURE");

	/* update of a row that is not there */
	d = c;
	d.id = 424242;
	assert_int_equal(store_category_update(st, &d, 0, &err), SPEND_ENOTFOUND);
	store_close(st);
}

static void
test_category_delete(void **state)
{
	struct store *st = mem_store();
	struct spend_err err;
	struct category c;
	struct expense e;
	int64_t u, u2, food, misc, other, e1, e2, e3;

	(void)state;
	u = add_user(st, "u", "EUR");
	u2 = add_user(st, "u2", "EUR");
	food = add_cat(st, u, "food");
	misc = add_cat(st, u, "misc");
	other = add_cat(st, u2, "other");
	e1 = add_exp(st, u, food, 100, "EUR", "2024-01-01", NULL, NULL, NULL);
	e2 = add_exp(st, u, food, 200, "EUR", "2024-01-02", NULL, NULL, NULL);
	e3 = add_exp(st, u, food, 300, "EUR", "2024-01-03", NULL, NULL, NULL);
	assert_int_equal(store_expense_delete(st, u, e3, 0, &err), 0);

	assert_int_equal(store_category_get(st, u, food, &c, &err), 0);
	assert_true(c.expenses == 2);		/* live ones only */

	/* used: refused without move_to, nothing changes */
	assert_int_equal(store_category_delete(st, u, food, 0, NULL, NULL, &err),
	    SPEND_ECONFLICT);
	assert_non_null(strstr(err.msg, "2 expenses"));
	assert_int_equal(store_category_get(st, u, food, &c, &err), 0);
	/* to itself, to another user's, to a missing one: refused */
	assert_int_equal(store_category_delete(st, u, food, food, NULL, NULL, &err),
	    SPEND_EINVAL);
	assert_int_equal(store_category_delete(st, u, food, other, NULL, NULL, &err),
	    SPEND_ENOTFOUND);
	assert_int_equal(store_category_delete(st, u, food, 99999, NULL, NULL, &err),
	    SPEND_ENOTFOUND);
	assert_false(store_in_tx(st));
	assert_int_equal(store_expense_get(st, u, e1, &e, &err), 0);
	assert_true(e.category_id == food);
	assert_true(e.version == 1);

	/* with move_to: expenses move (and their version moves), then the
	 * category becomes a tombstone */
	assert_int_equal(store_category_delete(st, u, food, misc, NULL, NULL, &err), 0);
	assert_int_equal(store_category_get(st, u, food, &c, &err),
	    SPEND_ENOTFOUND);
	assert_int_equal(store_category_by_name(st, u, "food", &c, &err),
	    SPEND_ENOTFOUND);
	assert_int_equal(store_expense_get(st, u, e1, &e, &err), 0);
	assert_true(e.category_id == misc);
	assert_string_equal(e.category, "misc");
	assert_true(e.version == 2);
	assert_int_equal(store_expense_get(st, u, e2, &e, &err), 0);
	assert_true(e.category_id == misc);
	assert_int_equal(store_category_get(st, u, misc, &c, &err), 0);
	assert_true(c.expenses == 2);
	/* deleting a tombstone again: not found; its name can be reused */
	assert_int_equal(store_category_delete(st, u, food, 0, NULL, NULL, &err),
	    SPEND_ENOTFOUND);
	assert_true(add_cat(st, u, "food") != food);

	/* an unused category goes without move_to */
	int64_t empty = add_cat(st, u, "empty");
	assert_int_equal(store_category_delete(st, u, empty, 0, NULL, NULL, &err), 0);
	store_close(st);
}

/* ---- expenses ---- */

static void
test_expenses_crud(void **state)
{
	struct store *st = mem_store();
	struct spend_err err;
	struct expense e, f;
	int64_t u, u2, cat, cat2, id;

	(void)state;
	u = add_user(st, "u", "EUR");
	u2 = add_user(st, "u2", "EUR");
	cat = add_cat(st, u, "food");
	cat2 = add_cat(st, u, "travel");
	fill_exp(&e, u, cat, -1999, "EUR", "2024-02-29");
	strlcpy(e.note, "refund\twith tab", sizeof(e.note));
	strlcpy(e.payee, "Shop", sizeof(e.payee));
	assert_int_equal(store_expense_add(st, &e, &err), 0);
	id = e.id;
	assert_true(e.version == 1);
	assert_int_equal(strlen(e.created_at), TIMESTAMP_LEN);
	assert_string_equal(e.created_at, e.updated_at);

	assert_int_equal(store_expense_get(st, u, id, &f, &err), 0);
	assert_true(f.amount == -1999);
	assert_string_equal(f.currency, "EUR");
	assert_string_equal(f.date, "2024-02-29");
	assert_string_equal(f.note, "refund\twith tab");
	assert_string_equal(f.category, "food");
	assert_false(f.deleted);
	assert_string_equal(f.import_key, "");
	/* not for another user */
	assert_int_equal(store_expense_get(st, u2, id, &f, &err), SPEND_ENOTFOUND);
	assert_string_equal(err.field, "id");

	/* update: version checked, bumped, the row read back */
	assert_int_equal(store_expense_get(st, u, id, &f, &err), 0);
	f.amount = 500;
	f.category_id = cat2;
	assert_int_equal(store_expense_update(st, &f, 1, &err), 0);
	assert_true(f.version == 2);
	assert_string_equal(f.category, "travel");
	f.amount = 600;
	assert_int_equal(store_expense_update(st, &f, 1, &err), SPEND_ESTALE);
	assert_string_equal(err.field, "version");
	assert_non_null(strstr(err.msg, "now version 2"));
	assert_int_equal(store_expense_get(st, u, id, &f, &err), 0);
	assert_true(f.amount == 500);
	f.amount = 700;
	assert_int_equal(store_expense_update(st, &f, 0, &err), 0);
	assert_true(f.version == 3);
	/* another user cannot update it */
	f.user_id = u2;
	assert_int_equal(store_expense_update(st, &f, 0, &err), SPEND_ENOTFOUND);
	f.user_id = u;

	/* delete: version checked, leaves a tombstone */
	assert_int_equal(store_expense_delete(st, u, id, 2, &err), SPEND_ESTALE);
	assert_int_equal(store_expense_delete(st, u2, id, 0, &err),
	    SPEND_ENOTFOUND);
	assert_int_equal(store_expense_delete(st, u, id, 3, &err), 0);
	assert_int_equal(store_expense_get(st, u, id, &f, &err), SPEND_ENOTFOUND);
	assert_int_equal(store_expense_delete(st, u, id, 0, &err),
	    SPEND_ENOTFOUND);
	f.amount = 1;
	assert_int_equal(store_expense_update(st, &f, 0, &err), SPEND_ENOTFOUND);

	/* unknown currencies never reach the table */
	fill_exp(&e, u, cat, 1, "XYZ", "2024-01-01");
	assert_int_equal(store_expense_add(st, &e, &err), SPEND_EINVAL);
	/* nor amounts past MONEY_MAX_MINOR (their scaled value would
	 * overflow) */
	fill_exp(&e, u, cat, MONEY_MAX_MINOR + 1, "JPY", "2024-01-01");
	assert_int_equal(store_expense_add(st, &e, &err), SPEND_EINVAL);
	fill_exp(&e, u, cat, INT64_MIN, "JPY", "2024-01-01");
	assert_int_equal(store_expense_add(st, &e, &err), SPEND_EINVAL);
	fill_exp(&e, u, cat, MONEY_MAX_MINOR, "JPY", "2024-01-01");
	assert_int_equal(store_expense_add(st, &e, &err), 0);
	e.amount = -MONEY_MAX_MINOR - 1;
	assert_int_equal(store_expense_update(st, &e, 0, &err), SPEND_EINVAL);
	store_close(st);
}

static void
test_import_key(void **state)
{
	struct store *st = mem_store();
	struct spend_err err;
	struct expense e;
	bool found;
	int64_t u, u2, c, c2, stage;

	(void)state;
	u = add_user(st, "u", "EUR");
	u2 = add_user(st, "u2", "EUR");
	c = add_cat(st, u, "x");
	c2 = add_cat(st, u2, "x");
	assert_int_equal(store_expense_has_import_key(st, u, "k1", &found,
	    NULL, &err), 0);
	assert_false(found);
	fill_exp(&e, u, c, 100, "EUR", "2024-01-01");
	strlcpy(e.import_key, "k1", sizeof(e.import_key));
	e.stage = 7;	/* as if an import staged it */
	assert_int_equal(store_expense_add(st, &e, &err), 0);
	assert_int_equal(store_expense_has_import_key(st, u, "k1", &found,
	    &stage, &err), 0);
	assert_true(found);
	assert_int_equal(stage, 7);
	assert_int_equal(store_expense_has_import_key(st, u2, "k1", &found, NULL,
	    &err), 0);
	assert_false(found);
	/* the same key again for the same user: a conflict */
	fill_exp(&e, u, c, 999, "EUR", "2024-01-02");
	strlcpy(e.import_key, "k1", sizeof(e.import_key));
	assert_int_equal(store_expense_add(st, &e, &err), SPEND_ECONFLICT);
	assert_string_equal(err.field, "import_key");
	/* another user may use it */
	fill_exp(&e, u2, c2, 100, "EUR", "2024-01-01");
	strlcpy(e.import_key, "k1", sizeof(e.import_key));
	assert_int_equal(store_expense_add(st, &e, &err), 0);
	/* no key: any number of rows */
	for (int i = 0; i < 3; i++) {
		fill_exp(&e, u, c, 100, "EUR", "2024-01-01");
		assert_int_equal(store_expense_add(st, &e, &err), 0);
	}
	store_close(st);
}

/* ---- listing ---- */

struct collect {
	int64_t ids[1024];
	struct expense last;
	int n;
};

static int
collect_cb(void *arg, const struct expense *e)
{
	struct collect *c = arg;

	assert_true(c->n < 1024);
	c->ids[c->n++] = e->id;
	c->last = *e;
	return 0;
}

static void
empty_filter(struct expense_filter *f)
{
	memset(f, 0, sizeof(*f));
}

static int
list_count(struct store *st, int64_t uid, const struct expense_filter *f)
{
	struct collect c = { .n = 0 };
	struct spend_err err;

	if (store_expense_list(st, uid, f, collect_cb, &c, &err) < 0)
		fail_msg("list: %s", err.msg);
	return c.n;
}

/* Compare two rows in the filter's order (as the store should). */
static int
cmp_rows(const struct expense *a, const struct expense *b,
    enum expense_sort s)
{
	char ka[PAYEE_MAX_LEN + 1], kb[PAYEE_MAX_LEN + 1];
	int64_t na, nb;
	int c;

	store_expense_sort_key(a, s, ka, sizeof(ka), &na);
	store_expense_sort_key(b, s, kb, sizeof(kb), &nb);
	if (s == SORT_AMOUNT)
		c = na < nb ? -1 : na > nb;
	else
		c = strcmp(ka, kb);
	if (c == 0)
		c = a->id < b->id ? -1 : a->id > b->id;
	return c;
}

static struct expense all[400];
static int nall;

static int
all_cb(void *arg, const struct expense *e)
{
	(void)arg;
	all[nall++] = *e;
	return 0;
}

/* Every sort and order, paged through with keyset cursors: each row
 * exactly once, in order, whatever the ties. */
static void
test_keyset_pages(void **state)
{
	static const char *const cur[] = { "EUR", "JPY", "BHD", "USD" };
	static const char *const payees[] = { "", "Aldi", "aldi", "Zed", "Ünï",
	    "a|b", "Aldi" };
	struct store *st = mem_store();
	struct spend_err err;
	struct expense_filter f;
	int64_t u, u2, cat;
	const int N = 347;

	(void)state;
	u = add_user(st, "u", "EUR");
	u2 = add_user(st, "u2", "EUR");
	cat = add_cat(st, u, "c");
	add_exp(st, u2, add_cat(st, u2, "c"), 5, "EUR", "2024-01-01", "x", NULL,
	    NULL);
	for (int i = 0; i < N; i++) {
		char date[DATE_LEN + 1];

		/* few distinct dates, amounts and payees: many ties */
		date_add_days("2024-01-01", (i * 7) % 11, date);
		add_exp(st, u, cat, (i % 5 - 2) * 100, cur[i % 4], date,
		    payees[i % 7], NULL, NULL);
	}
	/* one tombstone that must never show */
	assert_int_equal(store_expense_delete(st, u, 10, 0, &err), 0);

	for (int s = SORT_DATE; s <= SORT_PAYEE; s++)
		for (int desc = 0; desc <= 1; desc++)
			for (int limit = 1; limit <= 64; limit *= 4) {
		struct collect page;
		bool seen[1024] = { false };
		int total = 0;

		empty_filter(&f);
		f.sort = (enum expense_sort)s;
		f.desc = desc;
		nall = 0;
		assert_int_equal(store_expense_list(st, u, &f, all_cb, NULL,
		    &err), 0);
		assert_int_equal(nall, N - 1);
		for (int i = 1; i < nall; i++) {
			int c = cmp_rows(&all[i - 1], &all[i], f.sort);
			if (desc ? c <= 0 : c >= 0)
				fail_msg("sort %d desc %d: rows %d and %d out "
				    "of order", s, desc, i - 1, i);
		}
		f.limit = limit;
		for (;;) {
			page.n = 0;
			assert_int_equal(store_expense_list(st, u, &f,
			    collect_cb, &page, &err), 0);
			assert_true(page.n <= limit);
			for (int i = 0; i < page.n; i++) {
				assert_true(page.ids[i] < 1024);
				if (seen[page.ids[i]])
					fail_msg("sort %d desc %d limit %d: id "
					    "%lld twice", s, desc, limit,
					    (long long)page.ids[i]);
				seen[page.ids[i]] = true;
				assert_true(page.ids[i] == all[total + i].id);
			}
			total += page.n;
			if (page.n < limit)
				break;
			f.after = true;
			f.after_id = page.last.id;
			store_expense_sort_key(&page.last, f.sort, f.after_key,
			    sizeof(f.after_key), &f.after_num);
		}
		assert_int_equal(total, N - 1);
			}
	store_close(st);
}

struct tot {
	struct expense_total t[8];
	int n;
};

static int
tot_cb(void *arg, const struct expense_total *t)
{
	struct tot *x = arg;

	x->t[x->n++] = *t;
	return 0;
}

static void
test_filters_and_totals(void **state)
{
	struct store *st = mem_store();
	struct spend_err err;
	struct expense_filter f;
	struct tot t = { .n = 0 };
	int64_t u, u2, food, fun;

	(void)state;
	u = add_user(st, "u", "EUR");
	u2 = add_user(st, "u2", "EUR");
	food = add_cat(st, u, "food");
	fun = add_cat(st, u, "fun");
	add_exp(st, u, food, 10, "EUR", "2024-01-31", "Bakery", "100% rye",
	    ",bread,daily,");
	add_exp(st, u, food, 20, "EUR", "2024-02-01", "Bakery_2", "rye", NULL);
	add_exp(st, u, fun, 1500, "JPY", "2024-02-15", "Cinema", "a\\b", NULL);
	add_exp(st, u, fun, 1234, "BHD", "2024-02-29", "souk", "1_000 items",
	    ",gift,");
	add_exp(st, u, food, -5, "EUR", "2024-03-01", "refund", "", ",daily,");
	add_exp(st, u2, add_cat(st, u2, "x"), 99999, "EUR", "2024-02-10",
	    "Bakery", "", NULL);

	empty_filter(&f);
	assert_int_equal(list_count(st, u, &f), 5);
	assert_int_equal(store_expense_totals(st, u, &f, tot_cb, &t, &err), 0);
	assert_int_equal(t.n, 3);		/* one per currency, by code */
	assert_string_equal(t.t[0].currency, "BHD");
	assert_true(t.t[0].sum == 1234 && t.t[0].count == 1);
	assert_string_equal(t.t[1].currency, "EUR");
	assert_true(t.t[1].sum == 25 && t.t[1].count == 3);
	assert_string_equal(t.t[2].currency, "JPY");
	assert_true(t.t[2].sum == 1500);

	/* dates: inclusive, month boundaries, leap day */
	strlcpy(f.from, "2024-02-01", sizeof(f.from));
	strlcpy(f.to, "2024-02-29", sizeof(f.to));
	assert_int_equal(list_count(st, u, &f), 3);
	strlcpy(f.from, "2024-02-29", sizeof(f.from));
	assert_int_equal(list_count(st, u, &f), 1);
	empty_filter(&f);
	strlcpy(f.to, "2024-01-31", sizeof(f.to));
	assert_int_equal(list_count(st, u, &f), 1);

	empty_filter(&f);
	f.category_id = fun;
	assert_int_equal(list_count(st, u, &f), 2);
	f.category_id = food;
	assert_int_equal(list_count(st, u, &f), 3);

	empty_filter(&f);
	strlcpy(f.currency, "EUR", sizeof(f.currency));
	assert_int_equal(list_count(st, u, &f), 3);
	strlcpy(f.currency, "USD", sizeof(f.currency));
	assert_int_equal(list_count(st, u, &f), 0);

	/* tags match whole tags only */
	empty_filter(&f);
	strlcpy(f.tag, "daily", sizeof(f.tag));
	assert_int_equal(list_count(st, u, &f), 2);
	strlcpy(f.tag, "dail", sizeof(f.tag));
	assert_int_equal(list_count(st, u, &f), 0);
	strlcpy(f.tag, "gift", sizeof(f.tag));
	assert_int_equal(list_count(st, u, &f), 1);

	/* search: note or payee, case-insensitive, LIKE's % _ \ literal */
	empty_filter(&f);
	strlcpy(f.search, "bakery", sizeof(f.search));
	assert_int_equal(list_count(st, u, &f), 2);
	strlcpy(f.search, "rye", sizeof(f.search));
	assert_int_equal(list_count(st, u, &f), 2);
	strlcpy(f.search, "%", sizeof(f.search));
	assert_int_equal(list_count(st, u, &f), 1);	/* "100% rye" */
	strlcpy(f.search, "_", sizeof(f.search));
	assert_int_equal(list_count(st, u, &f), 2);	/* Bakery_2, 1_000 */
	strlcpy(f.search, "y_2", sizeof(f.search));
	assert_int_equal(list_count(st, u, &f), 1);
	strlcpy(f.search, "y%2", sizeof(f.search));
	assert_int_equal(list_count(st, u, &f), 0);
	strlcpy(f.search, "\\", sizeof(f.search));
	assert_int_equal(list_count(st, u, &f), 1);	/* "a\b" */
	strlcpy(f.search, "a\\b", sizeof(f.search));
	assert_int_equal(list_count(st, u, &f), 1);
	strlcpy(f.search, "'; DROP TABLE expenses; --", sizeof(f.search));
	assert_int_equal(list_count(st, u, &f), 0);
	empty_filter(&f);
	assert_int_equal(list_count(st, u, &f), 5);

	/* amounts on one scale across currencies: 0.10 EUR = 1000 e4,
	 * 1500 JPY = 15000000 e4, 1.234 BHD = 12340 e4 */
	empty_filter(&f);
	f.has_min = true;
	f.min_e4 = 1000;
	assert_int_equal(list_count(st, u, &f), 4);
	f.has_max = true;
	f.max_e4 = 12340;
	assert_int_equal(list_count(st, u, &f), 3);
	f.min_e4 = 12340;
	assert_int_equal(list_count(st, u, &f), 1);
	f.has_min = false;
	f.max_e4 = 0;
	assert_int_equal(list_count(st, u, &f), 1);	/* the refund */

	/* totals follow the filter and ignore keyset and limit */
	empty_filter(&f);
	strlcpy(f.currency, "EUR", sizeof(f.currency));
	f.limit = 1;
	f.after = true;
	f.after_id = 1;
	strlcpy(f.after_key, "2000-01-01", sizeof(f.after_key));
	f.desc = true;
	t.n = 0;
	assert_int_equal(store_expense_totals(st, u, &f, tot_cb, &t, &err), 0);
	assert_int_equal(t.n, 1);
	assert_true(t.t[0].sum == 25 && t.t[0].count == 3);
	store_close(st);
}

/* A sum beyond int64 is reported, never wrapped. */
static void
test_totals_overflow(void **state)
{
	struct store *st = mem_store();
	struct spend_err err;
	struct expense_filter f;
	struct tot t = { .n = 0 };
	int64_t u, c;
	/* 92234 * 10^14 > INT64_MAX */
	const int N = (int)(INT64_MAX / MONEY_MAX_MINOR) + 1;

	(void)state;
	u = add_user(st, "u", "JPY");
	c = add_cat(st, u, "c");
	assert_int_equal(store_begin(st, &err), 0);
	for (int i = 0; i < N - 1; i++)
		add_exp(st, u, c, MONEY_MAX_MINOR, "JPY", "2024-01-01", NULL,
		    NULL, NULL);
	assert_int_equal(store_commit(st, &err), 0);
	empty_filter(&f);
	assert_int_equal(store_expense_totals(st, u, &f, tot_cb, &t, &err), 0);
	assert_true(t.t[0].sum == (int64_t)(N - 1) * MONEY_MAX_MINOR);
	add_exp(st, u, c, MONEY_MAX_MINOR, "JPY", "2024-01-01", NULL, NULL,
	    NULL);
	t.n = 0;
	assert_int_equal(store_expense_totals(st, u, &f, tot_cb, &t, &err),
	    SPEND_EINVAL);
	assert_non_null(strstr(err.msg, "overflow"));
	/* the store still works afterwards */
	strlcpy(f.to, "2023-12-31", sizeof(f.to));
	t.n = 0;
	assert_int_equal(store_expense_totals(st, u, &f, tot_cb, &t, &err), 0);
	assert_int_equal(t.n, 0);
	store_close(st);
}

/* ---- idempotency keys ---- */

static void
test_idempotency(void **state)
{
	struct store *st = mem_store();
	struct spend_err err;
	char *resp;
	bool match;

	(void)state;
	assert_int_equal(store_idem_get(st, 1, "k", "h1", &resp, &match, &err), 0);
	assert_null(resp);
	assert_false(match);
	assert_int_equal(store_idem_put(st, 1, "k", "h1", "{\"id\":5}", &err), 0);
	assert_int_equal(store_idem_get(st, 1, "k", "h1", &resp, &match, &err), 0);
	assert_string_equal(resp, "{\"id\":5}");
	assert_true(match);
	free(resp);
	assert_int_equal(store_idem_get(st, 1, "k", "h2", &resp, &match, &err), 0);
	assert_non_null(resp);
	assert_false(match);
	free(resp);
	/* per user */
	assert_int_equal(store_idem_get(st, 2, "k", "h1", &resp, &match, &err), 0);
	assert_null(resp);
	/* once only */
	assert_int_equal(store_idem_put(st, 1, "k", "h1", "{}", &err),
	    SPEND_ECONFLICT);
	/* expiry by age */
	assert_int_equal(store_idem_expire(st, time_now() - 3600, &err), 0);
	assert_int_equal(store_idem_get(st, 1, "k", "h1", &resp, &match, &err), 0);
	assert_non_null(resp);
	free(resp);
	assert_int_equal(store_idem_expire(st, time_now() + 10, &err), 0);
	assert_int_equal(store_idem_get(st, 1, "k", "h1", &resp, &match, &err), 0);
	assert_null(resp);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_memory),
		cmocka_unit_test_setup_teardown(test_durability,
		    setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_reopen_keeps_data,
		    setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused,
		    setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_not_a_database,
		    setup_dir, teardown_dir),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_change_counter),
		cmocka_unit_test(test_users),
		cmocka_unit_test(test_user_delete_cascades),
		cmocka_unit_test(test_categories),
		cmocka_unit_test(test_category_delete),
		cmocka_unit_test(test_expenses_crud),
		cmocka_unit_test(test_import_key),
		cmocka_unit_test(test_keyset_pages),
		cmocka_unit_test(test_filters_and_totals),
		cmocka_unit_test(test_totals_overflow),
		cmocka_unit_test(test_idempotency),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
