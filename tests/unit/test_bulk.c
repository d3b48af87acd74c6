/* expense.add with items: one transaction, a savepoint per item, errors
 * by index, the change log and an event per expense as for single adds. */
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "domain.h"
#include "events.h"
#include "store.h"
#include "err.h"

struct seen {
	struct spendd *sd;
	int64_t uid;
	int n;
	int64_t seqs[1100];
	int64_t heads[1100];	/* the log's last number then */
	char types[64];
};

static void
on_event(void *arg, int64_t seq, const char *type, json_t *data)
{
	struct seen *s = arg;

	assert_non_null(json_object_get(data, "id"));
	if (s->n < 1100) {
		struct spend_err err;

		s->seqs[s->n] = seq;
		if (s->sd)
			assert_int_equal(store_change_last(s->sd->store, s->uid,
			    &s->heads[s->n], &err), 0);
	}
	s->n++;
	strlcpy(s->types, type, sizeof(s->types));
}

static int
setup(void **state)
{
	struct spendd *sd = tu_spendd();

	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"alice\"}"));
	*state = sd;
	return 0;
}

static int
teardown(void **state)
{
	events_free(*state);	/* the hub a test subscribed to */
	tu_spendd_free(*state);
	return 0;
}

static int64_t
last_seq(struct spendd *sd, int64_t uid)
{
	struct spend_err err;
	int64_t seq;

	assert_int_equal(store_change_last(sd->store, uid, &seq, &err), 0);
	return seq;
}

static long long
count(struct spendd *sd)
{
	json_t *r = tu_ok(sd, "alice", "expense.list", "{\"limit\":500}");
	long long n = (long long)json_array_size(json_object_get(r, "items"));

	json_decref(r);
	return n;
}

/* The error of items[i] of a bulk reply r: its data.field. */
static const char *
item_field(json_t *r, size_t i)
{
	json_t *e = json_object_get(json_array_get(json_object_get(r, "items"),
	    i), "error");

	return json_string_value(json_object_get(json_object_get(e, "data"),
	    "field"));
}

static void
test_bad_in_middle(void **state)
{
	struct spendd *sd = *state;
	int64_t uid = tu_uid(sd, "alice"), seq0 = last_seq(sd, uid);
	struct seen seen = { 0 };
	struct events_sub *sub = events_subscribe(sd, uid, on_event, &seen);
	json_t *r, *items, *e;

	r = tu_ok(sd, "alice", "expense.add", "{\"items\":["
	    "{\"amount\":\"1.00\",\"date\":\"2024-01-01\",\"payee\":\"a\"},"
	    "{\"amount\":\"1.001\",\"date\":\"2024-01-02\"},"
	    "{\"amount\":\"3.00\",\"date\":\"2024-01-03\",\"payee\":\"c\"}]}");
	events_unsubscribe(sd, sub);
	assert_int_equal(tu_int(r, "added"), 2);
	assert_int_equal(tu_int(r, "errors"), 1);
	items = json_object_get(r, "items");
	assert_int_equal(json_array_size(items), 3);
	assert_string_equal(tu_str(json_object_get(json_array_get(items, 0),
	    "result"), "payee"), "a");
	assert_string_equal(item_field(r, 1), "items[1].amount");
	e = json_object_get(json_array_get(items, 1), "error");
	assert_non_null(strstr(tu_str(e, "message"), "items[1]: "));
	assert_null(json_object_get(json_array_get(items, 1), "result"));
	assert_string_equal(tu_str(json_object_get(json_array_get(items, 2),
	    "result"), "amount"), "3.00");
	assert_int_equal(count(sd), 2);
	/* one change per expense, numbered on with no gap for the bad one */
	assert_int_equal(last_seq(sd, uid), seq0 + 2);
	/* an event per expense, each with its own change's number */
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.types, "expense.add");
	assert_int_equal(seen.seqs[0], seq0 + 1);
	assert_int_equal(seen.seqs[1], seq0 + 2);
	json_decref(r);
}

static void
test_all_bad(void **state)
{
	struct spendd *sd = *state;
	int64_t uid = tu_uid(sd, "alice"), seq0 = last_seq(sd, uid);
	json_t *r;

	r = tu_ok(sd, "alice", "expense.add", "{\"items\":["
	    "{\"date\":\"2024-01-01\"},{\"amount\":\"x\"},5,"
	    "{\"amount\":\"1\",\"bogus\":1},{\"amount\":\"1\",\"items\":[]}]}");
	assert_int_equal(tu_int(r, "added"), 0);
	assert_int_equal(tu_int(r, "errors"), 5);
	assert_string_equal(item_field(r, 0), "items[0].amount");
	assert_string_equal(item_field(r, 1), "items[1].amount");
	assert_string_equal(item_field(r, 2), "items[2]");
	assert_string_equal(item_field(r, 3), "items[3].bogus");
	assert_string_equal(item_field(r, 4), "items[4].items");
	assert_int_equal(count(sd), 0);
	assert_int_equal(last_seq(sd, uid), seq0);
	json_decref(r);
}

static char *
items_json(int n)
{
	size_t size = 64 + (size_t)n * 64, len;
	char *s = malloc(size);

	assert_non_null(s);
	len = (size_t)snprintf(s, size, "{\"items\":[");
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, size - len, "%s{\"amount\":"
		    "\"%d.%02d\",\"date\":\"2024-02-01\"}", i ? "," : "",
		    (i + 1) / 100, (i + 1) % 100);
	snprintf(s + len, size - len, "]}");
	return s;
}

static void
test_limits(void **state)
{
	struct spendd *sd = *state;
	int64_t uid = tu_uid(sd, "alice"), seq0 = last_seq(sd, uid);
	char *p = items_json(1000);
	json_t *r = tu_ok(sd, "alice", "expense.add", p);

	free(p);
	assert_int_equal(tu_int(r, "added"), 1000);
	assert_int_equal(tu_int(r, "errors"), 0);
	assert_int_equal(last_seq(sd, uid), seq0 + 1000);
	json_decref(r);
	p = items_json(1001);
	TU_FAILS(sd, "alice", "expense.add", p, SPEND_EINVAL, "items",
	    "1 to 1000");
	free(p);
	TU_FAILS(sd, "alice", "expense.add", "{\"items\":[]}", SPEND_EINVAL,
	    "items", "1 to 1000");
	TU_FAILS(sd, "alice", "expense.add", "{\"items\":{}}", SPEND_EINVAL,
	    "items", "1 to 1000");
	/* items and the single add's params exclude each other */
	TU_FAILS(sd, "alice", "expense.add", "{\"amount\":\"1\",\"items\":"
	    "[{\"amount\":\"1\"}]}", SPEND_EINVAL, "amount", "exclude");
	assert_int_equal(last_seq(sd, uid), seq0 + 1000);
}

static void
test_idempotent(void **state)
{
	struct spendd *sd = *state;
	const char *p = "{\"idempotency_key\":\"bulk-1\",\"items\":["
	    "{\"amount\":\"1\"},{\"amount\":\"2\"}]}";
	json_t *a = tu_ok(sd, "alice", "expense.add", p);
	json_t *b = tu_ok(sd, "alice", "expense.add", p);

	assert_true(json_equal(a, b));
	assert_int_equal(count(sd), 2);
	json_decref(a);
	json_decref(b);
}

static void
cap_reply(char *text, size_t len, void *arg)
{
	json_t **out = arg;

	assert_non_null(text);
	*out = json_loadb(text, len, 0, NULL);
	assert_non_null(*out);
	free(text);
}

/* A batch of adds by the same user: one transaction, each call answered
 * on its own, a failed one undoing only itself; an event and a change per
 * expense; an idempotency key per call. */
static void
test_batch_of_adds(void **state)
{
	struct spendd *sd = *state;
	struct rpc_identity id = { .role = ROLE_ADMIN, .socket_admin = true,
	    .transport = "test" };
	int64_t uid = tu_uid(sd, "alice"), seq0 = last_seq(sd, uid);
	struct seen seen = { .sd = sd, .uid = uid };
	struct events_sub *sub = events_subscribe(sd, uid, on_event, &seen);
	const char *text = "["
	    "{\"jsonrpc\":\"2.0\",\"method\":\"expense.add\",\"id\":1,"
	    "\"params\":{\"user\":\"alice\",\"amount\":\"1.00\"}},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"expense.add\",\"id\":2,"
	    "\"params\":{\"user\":\"alice\",\"amount\":\"1.001\"}},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"expense.add\",\"id\":3,"
	    "\"params\":{\"user\":\"alice\",\"amount\":\"3.00\","
	    "\"idempotency_key\":\"k3\"}},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"expense.add\",\"id\":4,"
	    "\"params\":{\"user\":\"alice\",\"amount\":\"3.00\","
	    "\"idempotency_key\":\"k3\"}},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"expense.add\",\"id\":5,"
	    "\"params\":{\"user\":\"alice\",\"amount\":\"5.00\"}},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"expense.list\",\"id\":6,"
	    "\"params\":{\"user\":\"alice\"}}]";
	json_t *r = NULL, *e;

	rpc_dispatch_text(sd, &id, text, strlen(text), cap_reply, &r);
	events_unsubscribe(sd, sub);
	assert_int_equal(sd->pending, 0);
	assert_int_equal(json_array_size(r), 6);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(json_integer_value(json_object_get(
		    json_array_get(r, i), "id")), (json_int_t)i + 1);
	e = json_object_get(json_array_get(r, 1), "error");
	assert_non_null(e);
	assert_string_equal(json_string_value(json_object_get(
	    json_object_get(e, "data"), "field")), "amount");
	/* the same key: the same expense, replayed */
	assert_int_equal(tu_int(json_object_get(json_array_get(r, 2),
	    "result"), "id"), tu_int(json_object_get(json_array_get(r, 3),
	    "result"), "id"));
	/* the list after the group sees the group committed */
	assert_int_equal(tu_int(json_object_get(json_array_get(r, 5),
	    "result"), "count"), 3);
	assert_int_equal(last_seq(sd, uid), seq0 + 3);
	assert_int_equal(seen.n, 3);
	assert_int_equal(seen.seqs[0], seq0 + 1);
	assert_int_equal(seen.seqs[1], seq0 + 2);
	assert_int_equal(seen.seqs[2], seq0 + 3);
	/* one transaction: its events come after all of it committed */
	for (int i = 0; i < 3; i++)
		assert_int_equal(seen.heads[i], seq0 + 3);
	json_decref(r);
}

/* In a group as alone: "id": null is answered, no id is a notification. */
static void
test_batch_ids(void **state)
{
	struct spendd *sd = *state;
	struct rpc_identity id = { .role = ROLE_ADMIN, .socket_admin = true,
	    .transport = "test" };
	const char *text = "["
	    "{\"jsonrpc\":\"2.0\",\"method\":\"expense.add\",\"id\":null,"
	    "\"params\":{\"user\":\"alice\",\"amount\":\"1.00\"}},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"expense.add\","
	    "\"params\":{\"user\":\"alice\",\"amount\":\"2.00\"}},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"expense.add\",\"id\":\"c\","
	    "\"params\":{\"user\":\"alice\",\"amount\":\"3.00\"}}]";
	json_t *r = NULL;

	rpc_dispatch_text(sd, &id, text, strlen(text), cap_reply, &r);
	assert_int_equal(json_array_size(r), 2);
	assert_true(json_is_null(json_object_get(json_array_get(r, 0), "id")));
	assert_string_equal(tu_str(json_array_get(r, 1), "id"), "c");
	assert_int_equal(count(sd), 3);
	json_decref(r);
}

/* Single adds from several clients in one loop turn: one commit (the
 * turn group), each answered after it on its own connection, a failed
 * one undoing only itself, an idempotency key replayed inside the group;
 * a single add alone in its turn is no group. */
struct client {
	json_t *reply;
	int n;
};

static void
client_reply(char *text, size_t len, void *arg)
{
	struct client *c = arg;

	c->n++;
	if (text == NULL)
		return;		/* a notification */
	json_decref(c->reply);
	c->reply = json_loadb(text, len, 0, NULL);
	assert_non_null(c->reply);
	free(text);
}

static void
test_turn_group(void **state)
{
	struct spendd *sd = *state;
	struct rpc_identity id = { .role = ROLE_ADMIN, .socket_admin = true,
	    .transport = "test" };
	static const char *const reqs[] = {
	    "{\"jsonrpc\":\"2.0\",\"method\":\"expense.add\",\"id\":1,"
	    "\"params\":{\"user\":\"alice\",\"amount\":\"1.00\"}}",
	    "{\"jsonrpc\":\"2.0\",\"method\":\"expense.add\",\"id\":2,"
	    "\"params\":{\"user\":\"bob\",\"amount\":\"2.00\"}}",
	    "{\"jsonrpc\":\"2.0\",\"method\":\"expense.add\",\"id\":3,"
	    "\"params\":{\"user\":\"alice\",\"amount\":\"1.001\"}}",
	    "{\"jsonrpc\":\"2.0\",\"method\":\"expense.add\",\"id\":4,"
	    "\"params\":{\"user\":\"bob\",\"amount\":\"4.00\","
	    "\"idempotency_key\":\"k4\"}}",
	    "{\"jsonrpc\":\"2.0\",\"method\":\"expense.add\",\"id\":5,"
	    "\"params\":{\"user\":\"bob\",\"amount\":\"4.00\","
	    "\"idempotency_key\":\"k4\"}}",
	    "{\"jsonrpc\":\"2.0\",\"method\":\"expense.add\","
	    "\"params\":{\"user\":\"alice\",\"amount\":\"6.00\"}}",
	};
	enum { N = sizeof(reqs) / sizeof(reqs[0]) };
	struct client c[N] = { 0 };
	int64_t uid = tu_uid(sd, "alice"), seq0 = last_seq(sd, uid);
	struct seen seen = { .sd = sd, .uid = uid };
	struct events_sub *sub;
	int64_t groups0 = sd->write_groups;
	json_t *r;

	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"bob\"}"));
	sub = events_subscribe(sd, uid, on_event, &seen);
	assert_non_null(sd->base = event_base_new());
	for (int i = 0; i < N; i++)
		rpc_dispatch_text(sd, &id, reqs[i], strlen(reqs[i]),
		    client_reply, &c[i]);
	/* nothing runs before the turn ends */
	for (int i = 0; i < N; i++)
		assert_int_equal(c[i].n, 0);
	assert_int_equal(sd->pending, N);
	assert_int_equal(count(sd), 0);
	assert_true(event_base_loop(sd->base, EVLOOP_NONBLOCK) >= 0);
	assert_int_equal(sd->pending, 0);
	for (int i = 0; i < N; i++)
		assert_int_equal(c[i].n, 1);
	assert_int_equal(sd->write_groups, groups0 + 1);
	assert_int_equal(sd->write_grouped, 5);	/* all but the bad one */
	assert_string_equal(tu_str(json_object_get(c[0].reply, "result"),
	    "amount"), "1.00");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    json_object_get(c[2].reply, "error"), "data"), "field")),
	    "amount");
	assert_int_equal(tu_int(json_object_get(c[3].reply, "result"), "id"),
	    tu_int(json_object_get(c[4].reply, "result"), "id"));
	assert_null(c[5].reply);	/* a notification: not answered */
	assert_int_equal(count(sd), 2);	/* alice's 1.00 and 6.00 */
	r = tu_ok(sd, "bob", "expense.list", "{}");
	assert_int_equal(json_array_size(json_object_get(r, "items")), 2);
	json_decref(r);
	/* alice's events came after the whole group committed */
	assert_int_equal(last_seq(sd, uid), seq0 + 2);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.heads[0], seq0 + 2);
	assert_int_equal(seen.heads[1], seq0 + 2);
	assert_int_equal(seen.seqs[0], seq0 + 1);
	assert_int_equal(seen.seqs[1], seq0 + 2);

	/* alone in its turn: no group */
	json_decref(c[0].reply);
	c[0].reply = NULL;
	c[0].n = 0;
	rpc_dispatch_text(sd, &id, reqs[0], strlen(reqs[0]), client_reply,
	    &c[0]);
	assert_true(event_base_loop(sd->base, EVLOOP_NONBLOCK) >= 0);
	assert_int_equal(c[0].n, 1);
	assert_non_null(json_object_get(c[0].reply, "result"));
	assert_int_equal(sd->write_groups, groups0 + 1);
	assert_int_equal(count(sd), 3);

	events_unsubscribe(sd, sub);
	for (int i = 0; i < N; i++)
		json_decref(c[i].reply);
	rpc_turn_free(sd);
	event_base_free(sd->base);
	sd->base = NULL;
}

/* A batch's group and a turn group are each cut to a bounded size, so
 * that one holds the loop for a few ms: 100 adds in a batch are two
 * groups (64 + 36), 300 single adds of one turn two (256 + 44); all
 * answered, all stored. */
static void
test_group_bounds(void **state)
{
	struct spendd *sd = *state;
	struct rpc_identity id = { .role = ROLE_ADMIN, .socket_admin = true,
	    .transport = "test" };
	const char *one = "{\"jsonrpc\":\"2.0\",\"method\":\"expense.add\","
	    "\"id\":7,\"params\":{\"user\":\"alice\",\"amount\":\"1.00\"}}";
	struct client *c;
	char *text;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	json_t *r = NULL;
	int64_t groups0 = sd->write_groups, grouped0 = sd->write_grouped;

	assert_non_null(f);
	fputc('[', f);
	for (int i = 0; i < 100; i++)
		fprintf(f, "%s%s", i ? "," : "", one);
	fputc(']', f);
	fclose(f);
	rpc_dispatch_text(sd, &id, text, len, cap_reply, &r);
	free(text);
	assert_int_equal(json_array_size(r), 100);
	json_decref(r);
	assert_int_equal(sd->write_groups, groups0 + 2);
	assert_int_equal(sd->write_grouped, grouped0 + 100);
	assert_int_equal(count(sd), 100);

	assert_non_null(c = calloc(300, sizeof(*c)));
	assert_non_null(sd->base = event_base_new());
	for (int i = 0; i < 300; i++)
		rpc_dispatch_text(sd, &id, one, strlen(one), client_reply, &c[i]);
	assert_true(event_base_loop(sd->base, EVLOOP_NONBLOCK) >= 0);
	for (int i = 0; i < 300; i++) {
		assert_int_equal(c[i].n, 1);
		assert_non_null(json_object_get(c[i].reply, "result"));
		json_decref(c[i].reply);
	}
	free(c);
	assert_int_equal(sd->pending, 0);
	assert_int_equal(sd->write_groups, groups0 + 4);
	assert_int_equal(sd->write_grouped, grouped0 + 400);
	r = tu_ok(sd, "alice", "expense.list", "{\"limit\":1}");
	assert_int_equal(tu_int(r, "count"), 400);
	json_decref(r);
	rpc_turn_free(sd);
	event_base_free(sd->base);
	sd->base = NULL;
}


/*
 * Writes that find the write lock taken by another connection (a worker's
 * import, here a second connection that holds it) wait in line off the
 * loop and go through once it is free, in the order they came: before,
 * the loop polled for 200 ms and failed them as busy. One that waits
 * longer than sd->write_wait_ms fails as busy, saying how long it waited.
 */
struct hold {
	struct spendd *sd;
	struct store *holder;
	struct client *c;
	int nc;
	json_t **batch;
	bool waiting_seen;	/* the loop wanted the lock meanwhile */
	int answered;		/* replies before the lock was given back */
};

static void
release(evutil_socket_t fd, short what, void *arg)
{
	struct hold *h = arg;
	struct spend_err err;

	(void)fd;
	(void)what;
	h->waiting_seen = store_writer_waiting();
	for (int i = 0; i < h->nc; i++)
		h->answered += h->c[i].n;
	h->answered += *h->batch != NULL;
	assert_int_equal(store_commit(h->holder, &err), 0);
}

static struct store *
busy_store(struct spendd *sd, char *dir, size_t size)
{
	char path[256];
	struct spend_err err;
	struct store *holder;

	strlcpy(dir, "/tmp/spend-test-busy.XXXXXX", size);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/spend.db", dir);
	store_close(sd->store);
	assert_int_equal(store_open(path, STORE_CREATE | STORE_LOOP,
	    &sd->store, &err), 0);
	json_decref(tu_ok(sd, NULL, "user.add", "{\"name\":\"alice\"}"));
	assert_int_equal(store_open(path, STORE_SECONDARY, &holder, &err), 0);
	assert_non_null(sd->base = event_base_new());
	return holder;
}

static void
busy_done(struct spendd *sd, struct store *holder, const char *dir)
{
	char cmd[300];

	store_close(holder);
	rpc_turn_free(sd);
	rpc_wait_free(sd);
	event_base_free(sd->base);
	sd->base = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void
test_busy_waits(void **state)
{
	struct spendd *sd = *state;
	struct rpc_identity id = { .role = ROLE_ADMIN, .socket_admin = true,
	    .transport = "test" };
	static const char *const reqs[] = {
	    "{\"jsonrpc\":\"2.0\",\"method\":\"expense.add\",\"id\":1,"
	    "\"params\":{\"user\":\"alice\",\"amount\":\"1.00\","
	    "\"idempotency_key\":\"w1\"}}",
	    "{\"jsonrpc\":\"2.0\",\"method\":\"category.add\",\"id\":2,"
	    "\"params\":{\"user\":\"alice\",\"name\":\"Rent\"}}",
	    /* the first's key again, behind it in line: replayed */
	    "{\"jsonrpc\":\"2.0\",\"method\":\"expense.add\",\"id\":3,"
	    "\"params\":{\"user\":\"alice\",\"amount\":\"1.00\","
	    "\"idempotency_key\":\"w1\"}}",
	    "{\"jsonrpc\":\"2.0\",\"method\":\"expense.add\",\"id\":4,"
	    "\"params\":{\"user\":\"alice\",\"amount\":\"4.00\"}}",
	};
	/* two adds: they wait in line as the batch's group would have run */
	const char *batch = "["
	    "{\"jsonrpc\":\"2.0\",\"method\":\"expense.add\",\"id\":1,"
	    "\"params\":{\"user\":\"alice\",\"amount\":\"2.00\"}},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"expense.add\",\"id\":2,"
	    "\"params\":{\"user\":\"alice\",\"amount\":\"3.00\"}}]";
	/* an add the batch waits for, a notification (its end, unanswered,
	 * lets the batch go on), then a list that sees every add that
	 * waited */
	const char *batch2 = "["
	    "{\"jsonrpc\":\"2.0\",\"method\":\"expense.add\","
	    "\"params\":{\"user\":\"alice\",\"amount\":\"5.00\"}},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"expense.list\",\"id\":3,"
	    "\"params\":{\"user\":\"alice\"}}]";
	enum { N = sizeof(reqs) / sizeof(reqs[0]) };
	struct client c[N] = { 0 };
	json_t *b = NULL, *b2 = NULL, *r;
	char dir[64];
	struct store *holder = busy_store(sd, dir, sizeof(dir));
	struct hold h = { sd, holder, c, N, &b, false, 0 };
	struct timeval later = { 0, 400 * 1000 };	/* > the old 200 ms */
	struct spend_err err;
	long long ids[2];

	int64_t groups0 = sd->write_groups, grouped0 = sd->write_grouped;

	assert_int_equal(store_begin(holder, &err), 0);
	for (int i = 0; i < N; i++)
		rpc_dispatch_text(sd, &id, reqs[i], strlen(reqs[i]),
		    client_reply, &c[i]);
	rpc_dispatch_text(sd, &id, batch, strlen(batch), cap_reply, &b);
	rpc_dispatch_text(sd, &id, batch2, strlen(batch2), cap_reply, &b2);
	assert_int_equal(event_base_once(sd->base, -1, EV_TIMEOUT, release,
	    &h, &later), 0);
	assert_true(event_base_dispatch(sd->base) >= 0);

	assert_true(h.waiting_seen);
	assert_int_equal(h.answered, 0);
	assert_false(store_writer_waiting());
	assert_int_equal(sd->pending, 0);
	for (int i = 0; i < N; i++) {
		assert_int_equal(c[i].n, 1);
		assert_non_null(json_object_get(c[i].reply, "result"));
	}
	assert_int_equal(json_array_size(b), 2);
	for (size_t i = 0; i < 2; i++)
		assert_non_null(json_object_get(json_array_get(b, i),
		    "result"));
	assert_int_equal(json_array_size(b2), 1);	/* not the notification */
	assert_int_equal(tu_int(json_object_get(json_array_get(b2, 0),
	    "result"), "count"), 5);
	/* the replay: the same expense */
	ids[0] = tu_int(json_object_get(c[0].reply, "result"), "id");
	assert_int_equal(tu_int(json_object_get(c[2].reply, "result"), "id"),
	    ids[0]);
	/* the single adds in the order they came */
	ids[1] = tu_int(json_object_get(c[3].reply, "result"), "id");
	assert_true(ids[0] < ids[1]);
	assert_int_equal(count(sd), 5);
	/* adds next to each other in line commit together: the category,
	 * which ran at once, waited first, then the batches' three adds
	 * and the three single ones of the turn, one group */
	assert_int_equal(sd->write_groups, groups0 + 1);
	assert_int_equal(sd->write_grouped, grouped0 + 6);
	r = tu_ok(sd, "alice", "category.get", "{\"name\":\"Rent\"}");
	json_decref(r);
	for (int i = 0; i < N; i++)
		json_decref(c[i].reply);
	json_decref(b);
	json_decref(b2);
	busy_done(sd, holder, dir);
}

static void
test_busy_gives_up(void **state)
{
	struct spendd *sd = *state;
	struct rpc_identity id = { .role = ROLE_ADMIN, .socket_admin = true,
	    .transport = "test" };
	const char *req = "{\"jsonrpc\":\"2.0\",\"method\":\"expense.add\","
	    "\"id\":1,\"params\":{\"user\":\"alice\",\"amount\":\"1.00\"}}";
	struct client c[2] = { 0 }, c2 = { 0 };
	json_t *b = NULL, *e;
	char dir[64];
	struct store *holder = busy_store(sd, dir, sizeof(dir));
	struct hold h = { sd, holder, c, 2, &b, false, 0 };
	struct timeval later = { 0, 600 * 1000 };
	struct spend_err err;

	sd->write_wait_ms = 200;
	assert_int_equal(store_begin(holder, &err), 0);
	/* two clients' adds: they wait in line as a group, which gives up
	 * too */
	for (int i = 0; i < 2; i++)
		rpc_dispatch_text(sd, &id, req, strlen(req), client_reply, &c[i]);
	assert_int_equal(event_base_once(sd->base, -1, EV_TIMEOUT, release,
	    &h, &later), 0);
	assert_true(event_base_dispatch(sd->base) >= 0);
	/* answered before the lock came back: busy, and how long it waited */
	assert_int_equal(h.answered, 2);
	assert_false(h.waiting_seen);	/* it no longer wanted it */
	for (int i = 0; i < 2; i++) {
		e = json_object_get(c[i].reply, "error");
		assert_non_null(e);
		assert_int_equal(tu_int(e, "code"),
		    spend_err_rpc_code(SPEND_EBUSY));
		assert_non_null(strstr(tu_str(e, "message"), "held it for"));
	}
	assert_int_equal(count(sd), 0);
	/* the lock free again: the next goes through at once */
	rpc_dispatch_text(sd, &id, req, strlen(req), client_reply, &c2);
	assert_true(event_base_dispatch(sd->base) >= 0);
	assert_non_null(json_object_get(c2.reply, "result"));
	assert_int_equal(count(sd), 1);
	sd->write_wait_ms = 0;
	json_decref(c[0].reply);
	json_decref(c[1].reply);
	json_decref(c2.reply);
	busy_done(sd, holder, dir);
}

/*
 * An add's result is written as text, and its event's data is read back
 * from that text only when someone takes the event: a listener of other
 * types ("notify.", as the notifier's) is never handed it, and a
 * listener of the user's events gets data equal to the reply's result.
 */
static void
test_events_for_listeners(void **state)
{
	struct spendd *sd = *state;
	int64_t uid = tu_uid(sd, "alice");
	struct tu_heard notif = { 0 }, mine = { 0 };
	struct events_sub *ns, *ms;
	json_t *r, *items;

	ns = events_subscribe_types(sd, 0, "notify.", tu_hear, &notif);
	assert_false(events_wanted(sd, uid, "expense.add"));
	assert_true(events_wanted(sd, uid, "notify.budget"));
	assert_true(events_wanted(sd, uid + 1, "notify.budget"));
	r = tu_ok(sd, "alice", "expense.add", "{\"amount\":\"2.50\","
	    "\"date\":\"2024-02-01\",\"payee\":\"solo\"}");
	json_decref(r);
	r = tu_ok(sd, "alice", "expense.add", "{\"items\":["
	    "{\"amount\":\"1.00\",\"date\":\"2024-02-02\"}]}");
	json_decref(r);
	assert_int_equal(notif.n, 0);

	ms = events_subscribe(sd, uid, tu_hear, &mine);
	assert_true(events_wanted(sd, uid, "expense.add"));
	assert_false(events_wanted(sd, uid + 1, "expense.add"));
	r = tu_ok(sd, "alice", "expense.add", "{\"amount\":\"2.75\","
	    "\"date\":\"2024-02-03\",\"payee\":\"caf\u00e9 \\\"x\\\"\","
	    "\"tags\":[\"t1\"]}");
	assert_int_equal(mine.n, 1);
	assert_string_equal(mine.type, "expense.add");
	assert_true(json_equal(mine.data, r));
	assert_string_equal(tu_str(mine.data, "payee"), "caf\u00e9 \"x\"");
	json_decref(r);
	r = tu_ok(sd, "alice", "expense.add", "{\"items\":["
	    "{\"amount\":\"4.00\",\"date\":\"2024-02-04\"},"
	    "{\"amount\":\"x\"},"
	    "{\"amount\":\"5.00\",\"date\":\"2024-02-05\","
	    "\"note\":\"last\"}]}");
	items = json_object_get(r, "items");
	assert_int_equal(mine.n, 3);	/* one per added expense */
	assert_true(json_equal(mine.data, json_object_get(
	    json_array_get(items, 2), "result")));
	assert_int_equal(notif.n, 0);
	json_decref(r);

	events_unsubscribe(sd, ms);
	events_unsubscribe(sd, ns);
	tu_heard_free(&notif);
	tu_heard_free(&mine);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_bad_in_middle),
		T(test_all_bad),
		T(test_limits),
		T(test_idempotent),
		T(test_batch_of_adds),
		T(test_batch_ids),
		T(test_turn_group),
		T(test_group_bounds),
		T(test_busy_waits),
		T(test_busy_gives_up),
		T(test_events_for_listeners),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
