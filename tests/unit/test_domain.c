/* The domain layer in C types, without JSON: the one write path, its
 * change log and after-commit hooks, validation, staged imports. */
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "domain.h"
#include "events.h"
#include "outbox.h"
#include "util.h"

struct fx {
	struct spendd *sd;
	struct user alice, bob;
};

static void
mkuser(struct store *st, struct user *u, const char *name, const char *cur)
{
	struct write_tx w;
	struct spend_err err;

	memset(u, 0, sizeof(*u));
	strlcpy(u->name, name, sizeof(u->name));
	strlcpy(u->role, "user", sizeof(u->role));
	strlcpy(u->currency, cur, sizeof(u->currency));
	strlcpy(u->timezone, "UTC", sizeof(u->timezone));
	if (write_begin(&w, st, 0, &err) < 0 ||
	    user_create(&w, u, NULL, &err) < 0 ||
	    write_commit(&w, &err) < 0)
		fail_msg("user %s: %s", name, err.msg);
	write_run_hooks(&w, NULL);
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	fx->sd = tu_spendd();
	mkuser(fx->sd->store, &fx->alice, "alice", "EUR");
	mkuser(fx->sd->store, &fx->bob, "bob", "JPY");
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	tu_spendd_free(fx->sd);
	free(fx);
	return 0;
}

static int64_t
last_seq(struct fx *fx, int64_t uid)
{
	struct spend_err err;
	int64_t seq;

	assert_int_equal(store_change_last(fx->sd->store, uid, &seq, &err), 0);
	return seq;
}

/* The change log as "seq entity id op version" lines. */
static int
log_line(void *arg, const struct change *c)
{
	char line[128];

	snprintf(line, sizeof(line), "%lld %s %lld %s %lld\n",
	    (long long)c->seq, c->entity, (long long)c->entity_id, c->op,
	    (long long)c->version);
	strlcat(arg, line, 4096);
	return 0;
}

static void
changes_since(struct fx *fx, int64_t uid, int64_t since, char out[4096])
{
	struct spend_err err;

	out[0] = '\0';
	assert_int_equal(store_change_list(fx->sd->store, uid, since, 0,
	    log_line, out, &err), 0);
}

static struct expense_input
in_add(const char *amount, const char *category)
{
	struct expense_input in;

	memset(&in, 0, sizeof(in));
	in.set = EF_AMOUNT | EF_CATEGORY | EF_DATE;
	in.amount = amount;
	in.category = category;
	in.date = "2026-03-04";
	return in;
}

static int hook_runs;

static void
hook(struct spendd *sd, void *arg)
{
	(void)sd;
	/* hooks run in the order they were queued */
	assert_int_equal(*(int *)arg, hook_runs);
	hook_runs++;
}

static int hook_frees;

static void
hook_free(void *arg)
{
	(void)arg;
	hook_frees++;
}

static void
test_write_path(void **state)
{
	struct fx *fx = *state;
	struct store *st = fx->sd->store;
	struct write_tx w;
	struct spend_err err;
	struct expense e, e2;
	struct expense_input in = in_add("12.5", "food");
	static int order[] = { 0, 1 };
	char log[4096];
	int64_t base = last_seq(fx, fx->alice.id);

	/* a user starts with a log: the user and the default categories */
	assert_true(base >= 9);
	assert_int_equal(write_begin(&w, st, fx->alice.id, &err), 0);
	assert_int_equal(expense_create(&w, &fx->alice, &in, &e, &err), 0);
	assert_int_equal(e.amount, 1250);
	assert_string_equal(e.currency, "EUR");
	assert_string_equal(e.category, "food");
	memset(&in, 0, sizeof(in));
	in.set = EF_NOTE;
	in.note = "lunch\twith Zoë";
	assert_int_equal(expense_update(&w, &fx->alice, e.id, e.version, &in,
	    &e2, &err), 0);
	assert_int_equal(e2.version, 2);
	assert_string_equal(e2.note, "lunch\twith Zoë");
	write_hook(&w, hook, &order[0], hook_free);
	write_hook(&w, hook, &order[1], hook_free);
	assert_int_equal(hook_runs, 0);
	assert_int_equal(write_commit(&w, &err), 0);
	assert_int_equal(hook_runs, 0);		/* not before run_hooks */
	write_run_hooks(&w, fx->sd);
	assert_int_equal(hook_runs, 2);
	assert_int_equal(hook_frees, 2);
	assert_int_equal(w.first_seq, base + 1);
	assert_int_equal(w.last_seq, base + 2);
	changes_since(fx, fx->alice.id, base, log);
	{
		char want[256];

		snprintf(want, sizeof(want), "%lld expense %lld create 1\n"
		    "%lld expense %lld update 2\n", (long long)base + 1,
		    (long long)e.id, (long long)base + 2, (long long)e.id);
		assert_string_equal(log, want);
	}

	/* a rollback leaves no change and runs no hook (but frees it) */
	hook_runs = 0;
	assert_int_equal(write_begin(&w, st, fx->alice.id, &err), 0);
	assert_int_equal(expense_delete(&w, e.id, 0, &err), 0);
	write_hook(&w, hook, &order[0], hook_free);
	write_rollback(&w);
	assert_int_equal(hook_runs, 0);
	assert_int_equal(hook_frees, 3);
	assert_int_equal(last_seq(fx, fx->alice.id), base + 2);
	assert_int_equal(expense_get(st, fx->alice.id, e.id, &e2, &err), 0);

	/* a failed write inside a write adds nothing either */
	assert_int_equal(write_begin(&w, st, fx->alice.id, &err), 0);
	assert_int_equal(expense_delete(&w, e.id, 1, &err), SPEND_ESTALE);
	assert_string_equal(err.field, "version");
	assert_int_equal(expense_delete(&w, e.id, 2, &err), 0);
	assert_int_equal(write_commit(&w, &err), 0);
	changes_since(fx, fx->alice.id, base + 2, log);
	{
		char want[64];

		snprintf(want, sizeof(want), "%lld expense %lld delete 3\n",
		    (long long)base + 3, (long long)e.id);
		assert_string_equal(log, want);
	}
	assert_int_equal(expense_get(st, fx->alice.id, e.id, &e2, &err),
	    SPEND_ENOTFOUND);
	/* sequences are per user: bob's user, 8 categories, uncategorised */
	assert_int_equal(last_seq(fx, fx->bob.id), 10);
}

/* Each rule, with the field it names. */
static void
test_validation(void **state)
{
	struct fx *fx = *state;
	struct store *st = fx->sd->store;
	static const char *const bad_tags[] = { "ok", "two words" };
	static const char *const tags[] = { "Work", "work", "team" };
	struct category arch;
	struct write_tx w;
	struct spend_err err;
	struct expense e;
	struct expense_input in;
	static const struct {
		const char *amount, *currency, *category, *date, *field, *msg;
	} cases[] = {
		{ "0", NULL, "food", NULL, "amount", "must not be zero" },
		{ "1.005", NULL, "food", NULL, "amount", "too many decimals" },
		{ "12,5", NULL, "food", NULL, "amount", "not a decimal number" },
		{ "1e3", NULL, "food", NULL, "amount", "exponents" },
		{ "5", "XXX", "food", NULL, "currency", "not an ISO 4217" },
		{ "5", NULL, "nope", NULL, "category", "no such category" },
		{ "5", NULL, "food", "2026-02-30", "date", "not a calendar date" },
		{ NULL, NULL, "food", NULL, "amount", "required" },
		/* (no category: the rules, or uncategorised: test_rule.c) */
	};

	assert_int_equal(write_begin(&w, st, fx->alice.id, &err), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&in, 0, sizeof(in));
		if (cases[i].amount) {
			in.set |= EF_AMOUNT;
			in.amount = cases[i].amount;
		}
		if (cases[i].currency) {
			in.set |= EF_CURRENCY;
			in.currency = cases[i].currency;
		}
		if (cases[i].category) {
			in.set |= EF_CATEGORY;
			in.category = cases[i].category;
		}
		if (cases[i].date) {
			in.set |= EF_DATE;
			in.date = cases[i].date;
		}
		spend_err_clear(&err);
		if (expense_create(&w, &fx->alice, &in, &e, &err) != SPEND_EINVAL &&
		    err.code != SPEND_ENOTFOUND)
			fail_msg("case %zu accepted", i);
		if (strcmp(err.field, cases[i].field) != 0 ||
		    strstr(err.msg, cases[i].msg) == NULL)
			fail_msg("case %zu: field %s: %s", i, err.field, err.msg);
	}
	/* a JPY amount has no decimals; a BHD one three */
	in = in_add("1000", "food");
	assert_int_equal(expense_create(&w, &fx->bob, &in, &e, &err), 0);
	assert_int_equal(e.amount, 1000);
	assert_string_equal(e.currency, "JPY");
	in = in_add("1.234", "food");
	in.set |= EF_CURRENCY;
	in.currency = "bhd";
	assert_int_equal(expense_create(&w, &fx->alice, &in, &e, &err), 0);
	assert_int_equal(e.amount, 1234);
	assert_string_equal(e.currency, "BHD");
	/* only the currency changes: the amount must still fit it */
	memset(&in, 0, sizeof(in));
	in.set = EF_CURRENCY;
	in.currency = "JPY";
	assert_int_equal(expense_update(&w, &fx->alice, e.id, 0, &in, &e,
	    &err), SPEND_EINVAL);
	assert_string_equal(err.field, "amount");
	/* minor units from C callers (recurring runs, rules) */
	memset(&in, 0, sizeof(in));
	in.set = EF_AMOUNT_MINOR | EF_CATEGORY;
	in.amount_minor = 4599;
	in.category = "food";
	assert_int_equal(expense_create(&w, &fx->alice, &in, &e, &err), 0);
	assert_int_equal(e.amount, 4599);
	in.amount_minor = 0;
	assert_int_equal(expense_create(&w, &fx->alice, &in, &e, &err),
	    SPEND_EINVAL);
	/* tags: canonical, lower case, unique; no spaces */
	in = in_add("3", "food");
	in.set |= EF_TAGS;
	in.tags = tags;
	in.ntags = 3;
	assert_int_equal(expense_create(&w, &fx->alice, &in, &e, &err), 0);
	assert_string_equal(e.tags, ",work,team,");
	in.tags = bad_tags;
	in.ntags = 2;
	assert_int_equal(expense_create(&w, &fx->alice, &in, &e, &err),
	    SPEND_EINVAL);
	assert_string_equal(err.field, "tags");
	/* control characters: a newline is fine in a note, not in a payee */
	in = in_add("3", "food");
	in.set |= EF_PAYEE;
	in.payee = "a\nb";
	assert_int_equal(expense_create(&w, &fx->alice, &in, &e, &err),
	    SPEND_EINVAL);
	assert_string_equal(err.field, "payee");
	/* an archived category takes no new expenses */
	assert_int_equal(category_create(&w, "old", &arch, &err), 0);
	assert_int_equal(category_update(&w, arch.id, 0, NULL, 1, &arch, &err),
	    0);
	in = in_add("3", "old");
	assert_int_equal(expense_create(&w, &fx->alice, &in, &e, &err),
	    SPEND_EINVAL);
	assert_non_null(strstr(err.msg, "archived"));
	assert_int_equal(category_create(&w, "123", &arch, &err), SPEND_EINVAL);
	assert_int_equal(category_create(&w, " x", &arch, &err), SPEND_EINVAL);
	write_rollback(&w);
}

/* Moving the expenses of a deleted category logs each of them. */
static void
test_category_move(void **state)
{
	struct fx *fx = *state;
	struct store *st = fx->sd->store;
	struct category from, to;
	struct write_tx w;
	struct spend_err err;
	struct expense e1, e2;
	struct expense_input in;
	char log[4096], want[512];
	int64_t base;

	assert_int_equal(write_begin(&w, st, fx->alice.id, &err), 0);
	assert_int_equal(category_create(&w, "snacks", &from, &err), 0);
	assert_int_equal(category_create(&w, "treats", &to, &err), 0);
	in = in_add("1", "snacks");
	assert_int_equal(expense_create(&w, &fx->alice, &in, &e1, &err), 0);
	assert_int_equal(expense_create(&w, &fx->alice, &in, &e2, &err), 0);
	assert_int_equal(write_commit(&w, &err), 0);
	base = last_seq(fx, fx->alice.id);
	assert_int_equal(write_begin(&w, st, fx->alice.id, &err), 0);
	assert_int_equal(category_delete(&w, from.id, 0, 0, &err),
	    SPEND_ECONFLICT);
	assert_int_equal(category_delete(&w, from.id, 0, to.id, &err), 0);
	assert_int_equal(write_commit(&w, &err), 0);
	changes_since(fx, fx->alice.id, base, log);
	snprintf(want, sizeof(want), "%lld expense %lld update 2\n"
	    "%lld expense %lld update 2\n%lld category %lld delete 2\n",
	    (long long)base + 1, (long long)e1.id, (long long)base + 2,
	    (long long)e2.id, (long long)base + 3, (long long)from.id);
	assert_string_equal(log, want);
	assert_int_equal(expense_get(st, fx->alice.id, e1.id, &e1, &err), 0);
	assert_string_equal(e1.category, "treats");
}

static int
count_row(void *arg, const struct expense *e)
{
	(void)e;
	(*(int *)arg)++;
	return 0;
}

static int
visible(struct fx *fx, int64_t uid)
{
	struct expense_filter f;
	struct spend_err err;
	char next[EXPENSE_CURSOR_MAX];
	int n = 0;

	memset(&f, 0, sizeof(f));
	f.desc = true;
	assert_int_equal(expense_list(fx->sd->store, uid, &f, 500, NULL,
	    count_row, NULL, &n, next, &err), 0);
	return n;
}

/* A page and its totals come from one snapshot: an add committed by
 * another connection while the page is read is in neither. */
struct snap {
	struct store *other;
	struct user *u;
	int rows;
	int64_t count;
};

static int
snap_row(void *arg, const struct expense *e)
{
	struct snap *sn = arg;
	struct write_tx w;
	struct spend_err err;
	struct expense_input in = in_add("9.99", "food");
	struct expense added;

	(void)e;
	if (sn->rows++ == 0 && (write_begin(&w, sn->other, sn->u->id,
	    &err) < 0 || expense_create(&w, sn->u, &in, &added, &err) < 0 ||
	    write_commit(&w, &err) < 0))
		fail_msg("add on the other connection: %s", err.msg);
	return 0;
}

static int
snap_total(void *arg, const struct expense_total *t)
{
	((struct snap *)arg)->count += t->count;
	return 0;
}

static void
test_list_snapshot(void **state)
{
	char dir[] = "/tmp/spend-test-snap.XXXXXX", path[64], cmd[96];
	struct store *st, *other;
	struct user u;
	struct write_tx w;
	struct spend_err err;
	struct expense_input in = in_add("1.50", "food");
	struct expense e;
	struct expense_filter f;
	char next[EXPENSE_CURSOR_MAX];
	struct snap sn;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/spend.db", dir);
	assert_int_equal(store_open(path, STORE_CREATE, &st, &err), 0);
	assert_int_equal(store_open(path, STORE_SECONDARY, &other, &err), 0);
	mkuser(st, &u, "carol", "EUR");
	assert_int_equal(write_begin(&w, st, u.id, &err), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(expense_create(&w, &u, &in, &e, &err), 0);
	assert_int_equal(write_commit(&w, &err), 0);
	write_run_hooks(&w, NULL);

	for (int pass = 0; pass < 2; pass++) {
		memset(&f, 0, sizeof(f));
		f.desc = true;
		memset(&sn, 0, sizeof(sn));
		sn.other = pass == 0 ? other : NULL;
		sn.u = &u;
		if (pass == 1)	/* the add is there for the next listing */
			sn.rows = 1;
		assert_int_equal(expense_list(st, u.id, &f, 50, NULL, snap_row,
		    snap_total, &sn, next, &err), 0);
		if (pass == 0) {
			assert_int_equal(sn.rows, 3);
			assert_int_equal(sn.count, 3);
		} else {
			assert_int_equal(sn.rows, 1 + 4);
			assert_int_equal(sn.count, 4);
		}
	}
	assert_false(store_in_tx(st));
	store_close(other);
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* Staged rows stay out of every read until one write publishes them;
 * an undone import leaves nothing. */
static void
test_staging(void **state)
{
	struct fx *fx = *state;
	struct store *st = fx->sd->store;
	struct write_tx w;
	struct spend_err err;
	struct category cat, c2;
	struct expense e;
	struct expense_input in;
	int64_t id, id2, blocking, seq;
	int before = visible(fx, fx->alice.id);
	bool done;

	assert_int_equal(store_import_stage(st, fx->alice.id, "csv", "a.csv",
	    &id, &blocking, &err), 0);
	assert_int_equal(store_import_stage(st, fx->alice.id, "csv", "b.csv",
	    &id2, &blocking, &err), SPEND_ERUNNING);
	assert_int_equal(blocking, id);
	/* another user imports meanwhile */
	assert_int_equal(store_import_stage(st, fx->bob.id, "csv", "b.csv",
	    &id2, &blocking, &err), 0);
	seq = last_seq(fx, fx->alice.id);
	for (int batch = 0; batch < 3; batch++) {
		assert_int_equal(write_begin(&w, st, fx->alice.id, &err), 0);
		w.stage = id;
		if (batch == 0)
			assert_int_equal(category_create(&w, "imported", &cat,
			    &err), 0);
		for (int i = 0; i < 10; i++) {
			in = in_add("2.50", NULL);
			in.cat = &cat;
			assert_int_equal(expense_create(&w, &fx->alice, &in, &e,
			    &err), 0);
		}
		assert_int_equal(write_commit(&w, &err), 0);
		/* committed, yet nobody sees them */
		assert_int_equal(visible(fx, fx->alice.id), before);
		assert_int_equal(category_find(st, fx->alice.id, 0, 0,
		    "imported", false, &c2, &err), SPEND_ENOTFOUND);
		/* ... but the import itself does */
		assert_int_equal(category_find(st, fx->alice.id, id, 0,
		    "imported", false, &c2, &err), 0);
	}
	assert_int_equal(last_seq(fx, fx->alice.id), seq);	/* not logged */
	assert_int_equal(store_import_progress(st, id, e.id - 29, e.id, &err), 0);
	assert_int_equal(write_begin(&w, st, fx->alice.id, &err), 0);
	assert_int_equal(store_import_publish(st, fx->alice.id, id, 30, &err), 0);
	assert_int_equal(write_change(&w, CH_IMPORT, id, CH_CREATE, 1, &err), 0);
	assert_int_equal(write_commit(&w, &err), 0);
	assert_int_equal(visible(fx, fx->alice.id), before + 30);
	assert_int_equal(last_seq(fx, fx->alice.id), seq + 1);
	assert_int_equal(category_find(st, fx->alice.id, 0, 0, "imported",
	    true, &c2, &err), 0);
	assert_int_equal(c2.expenses, 30);

	/* bob's is undone: 25 rows removed 10 at a time, then forgotten */
	before = visible(fx, fx->bob.id);
	assert_int_equal(write_begin(&w, st, fx->bob.id, &err), 0);
	w.stage = id2;
	for (int i = 0; i < 25; i++) {
		in = in_add("7", "food");
		assert_int_equal(expense_create(&w, &fx->bob, &in, &e, &err), 0);
	}
	assert_int_equal(store_import_progress(st, id2, e.id - 24, e.id, &err),
	    0);
	assert_int_equal(write_commit(&w, &err), 0);
	for (int step = 0;; step++) {
		assert_int_equal(store_import_discard(st, id2, 10, &done, &err),
		    0);
		if (done) {
			assert_int_equal(step, 3);
			break;
		}
	}
	assert_int_equal(store_import_fail(st, fx->bob.id, id2, &err), 0);
	assert_int_equal(visible(fx, fx->bob.id), before);
	assert_int_equal(store_import_stage(st, fx->bob.id, "csv", "c.csv",
	    &id2, &blocking, &err), 0);
}

static int
count_outbox(void *arg, const struct outbox_event *e)
{
	int *n = arg;

	(void)e;
	(*n)++;
	return 0;
}

/* An event in the outbox goes with its write: a rollback leaves none
 * and tells no one; a commit stores it and, after, tells the user's
 * live clients. */
static void
test_outbox(void **state)
{
	struct fx *fx = *state;
	struct store *st = fx->sd->store;
	struct write_tx w;
	struct spend_err err;
	struct tu_heard h = { 0 };
	struct events_sub *sub;
	json_t *ev = json_pack("{s:s, s:i}", "category", "food", "percent", 80);
	int64_t id;
	int n = 0;

	assert_non_null(sub = events_subscribe(fx->sd, fx->alice.id, tu_hear, &h));
	assert_int_equal(write_begin(&w, st, fx->alice.id, &err), 0);
	assert_int_equal(outbox_add(&w, "alert", ev, &id, &err), 0);
	write_rollback(&w);
	write_run_hooks(&w, fx->sd);
	assert_int_equal(store_outbox_list(st, 0, 0, 10, count_outbox, &n,
	    &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(h.n, 0);
	assert_int_equal(write_begin(&w, st, fx->alice.id, &err), 0);
	assert_int_equal(outbox_add(&w, "alert", ev, &id, &err), 0);
	assert_int_equal(write_commit(&w, &err), 0);
	assert_int_equal(h.n, 0);	/* not before the hooks run */
	write_run_hooks(&w, fx->sd);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.type, "notify.alert");
	assert_int_equal(tu_int(h.data, "outbox_id"), id);
	assert_int_equal(store_outbox_list(st, fx->alice.id, 0, 10,
	    count_outbox, &n, &err), 0);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(store_outbox_list(st, fx->bob.id, 0, 10, count_outbox,
	    &n, &err), 0);
	assert_int_equal(n, 0);
	events_unsubscribe(fx->sd, sub);
	events_free(fx->sd);
	json_decref(ev);
	tu_heard_free(&h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_path, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_validation, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_category_move, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_staging, setup, teardown),
		cmocka_unit_test(test_list_snapshot),
		cmocka_unit_test_setup_teardown(test_outbox, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
