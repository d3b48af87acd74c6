/* Import and export jobs through the host, with in-test plugins (no .so):
 * validation, all or nothing, de-duplication, dry runs, categories,
 * export files, totals, reports. One test reads the name of the import's
 * scratch file, so this includes store_internal.h (tests of the store
 * may). */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "testutil.h"
#include "domain.h"
#include "shapes.h"
#include "export.h"
#include "report.h"
#include "import.h"
#include "plugin.h"
#include "store_internal.h"

static const struct spend_host_api *H;

/* ---- an importer: one record per line, fields split by '|':
 * date|amount|currency|category|note|payee|tags(;)|source_id
 * "ERROR field message" makes it report a parse error. Reads 5 bytes at
 * a time so that lines span reads. */

#define LINE_MAX_T 512

static int
emit_line(struct spend_import *job, char *line, size_t lineno)
{
	char *f[8] = { 0 }, *p = line, *tags[8];
	struct spend_record r;
	size_t n = 0, nt = 0;

	if (!strncmp(line, "ERROR ", 6)) {
		char *field = line + 6, *msg = strchr(field, ' ');

		*msg++ = '\0';
		H->import_error(job, lineno, field, "%s", msg);
		return -1;
	}
	while (n < 8) {
		f[n++] = p;
		if ((p = strchr(p, '|')) == NULL)
			break;
		*p++ = '\0';
	}
	memset(&r, 0, sizeof(r));
	r.date = f[0];
	r.amount = f[1];
	r.currency = f[2];
	r.category = f[3];
	r.note = f[4];
	r.payee = f[5];
	if (f[6] && *f[6])
		for (char *t = strtok(f[6], ";"); t && nt < 8;
		    t = strtok(NULL, ";"))
			tags[nt++] = t;
	r.tags = (const char *const *)tags;
	r.ntags = nt;
	r.source_id = f[7];
	r.line = lineno;
	return H->import_emit(job, &r);
}

static int
pipe_run(struct spend_plugin *self, struct spend_import *job)
{
	char buf[5], line[LINE_MAX_T];
	size_t len = 0, lineno = 1;
	const char *want = H->import_option(job, "want_map");
	long n;

	(void)self;
	if (want && (H->import_option(job, "map.amount") == NULL ||
	    strcmp(H->import_option(job, "map.amount"), want))) {
		H->import_error(job, 0, "map", "map.amount is not %s", want);
		return -1;
	}
	while ((n = H->import_read(job, buf, sizeof(buf))) > 0)
		for (long i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (len + 1 < sizeof(line))
					line[len++] = buf[i];
				continue;
			}
			line[len] = '\0';
			if (len > 0 && emit_line(job, line, lineno) < 0)
				return -1;
			len = 0;
			lineno++;
		}
	if (n < 0)
		return -1;
	if (len > 0) {
		line[len] = '\0';
		return emit_line(job, line, lineno) < 0 ? -1 : 0;
	}
	return 0;
}

/* ---- an exporter: "date|amount|currency|category|tags" lines, then a
 * second pass counting rows, then totals by category ---- */

static int
w(struct spend_export *job, const char *s)
{
	return H->export_write(job, s, strlen(s));
}

static int
total_cb(void *arg, const struct spend_total *t)
{
	char line[160], amount[32];

	H->money_format(t->sum_minor, t->currency, amount, sizeof(amount));
	snprintf(line, sizeof(line), "total %s %s %s %lld\n", t->key,
	    t->currency, amount, (long long)t->count);
	return w(arg, line);
}

static int
lines_run(struct spend_plugin *self, struct spend_export *job)
{
	const struct spend_export_info *info = H->export_info(job);
	struct spend_record r;
	char line[1200];
	int n = 0, k;

	(void)self;
	snprintf(line, sizeof(line), "# %s %s %s..%s [%s]\n", info->user,
	    info->base_currency, info->from, info->to, info->filter_text);
	w(job, line);
	while ((k = H->export_next(job, &r)) == 1) {
		char tags[200] = "";

		for (size_t i = 0; i < r.ntags; i++) {
			strlcat(tags, i ? "," : "", sizeof(tags));
			strlcat(tags, r.tags[i], sizeof(tags));
		}
		snprintf(line, sizeof(line), "%s|%s|%s|%s|%s|%lld\n", r.date,
		    r.amount, r.currency, r.category, tags,
		    (long long)r.amount_minor);
		if (w(job, line) < 0)
			return -1;
	}
	if (k < 0 || H->export_rewind(job) < 0)
		return -1;
	while (H->export_next(job, &r) == 1)
		n++;
	snprintf(line, sizeof(line), "count %d\n", n);
	w(job, line);
	return H->export_totals(job, SPEND_GROUP_CATEGORY, total_cb, job);
}

static int
fail_run(struct spend_plugin *self, struct spend_export *job)
{
	(void)self;
	w(job, "partial");
	H->export_error(job, "disk on fire");
	return -1;
}

static int
month_cb(void *arg, const struct spend_total *t)
{
	json_array_append_new(arg, json_pack("{s:s, s:s, s:I}", "month",
	    t->key, "currency", t->currency, "sum", (json_int_t)t->sum_minor));
	return 0;
}

static char *
months_run(struct spend_plugin *self, struct spend_report_job *job)
{
	json_t *arr = json_array();
	char *text;

	(void)self;
	if (H->report_totals(job, H->report_param(job, "from"), "",
	    SPEND_GROUP_MONTH, month_cb, arr) < 0) {
		json_decref(arr);
		return NULL;
	}
	text = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return text;
}

static int
init_test(const struct spend_host_api *host, struct spend_plugin *self)
{
	static const struct spend_importer imp = { SPEND_IMPORTER_V1, "pipe",
		"pipe-separated test rows", "pipe,psv", pipe_run };
	static const struct spend_exporter ex = { SPEND_EXPORTER_V1, "lines",
		"test lines", "text/plain", "txt", lines_run };
	static const struct spend_exporter bad = { SPEND_EXPORTER_V1, "fail",
		"always fails", "text/plain", "txt", fail_run };
	static const struct spend_report rep = { SPEND_REPORT_V1, "months",
		"sums per month", months_run };

	H = host;
	(void)self;
	return host->register_importer(self, &imp) | host->register_exporter(
	    self, &ex) | host->register_exporter(self, &bad) |
	    host->register_report(self, &rep);
}

/* ---- fixture: a store in a temp dir (jobs open their own connection
 * to it), user alice (EUR) with the default categories ---- */

struct fx {
	char dir[64];
	struct spendd *sd;
	struct user alice;
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct spend_err err;

	strlcpy(fx->dir, "/tmp/spend-test-import.XXXXXX", sizeof(fx->dir));
	assert_non_null(mkdtemp(fx->dir));
	fx->sd = calloc(1, sizeof(*fx->sd));
	config_defaults(&fx->sd->cfg);
	snprintf(fx->sd->cfg.db_path, sizeof(fx->sd->cfg.db_path),
	    "%s/spend.db", fx->dir);
	if (store_open(fx->sd->cfg.db_path, STORE_CREATE, &fx->sd->store,
	    &err) < 0)
		fail_msg("store_open: %s", err.msg);
	strlcpy(fx->alice.name, "alice", sizeof(fx->alice.name));
	strlcpy(fx->alice.role, "user", sizeof(fx->alice.role));
	strlcpy(fx->alice.currency, "EUR", sizeof(fx->alice.currency));
	strlcpy(fx->alice.timezone, "UTC", sizeof(fx->alice.timezone));
	{
		struct write_tx w;

		if (write_begin(&w, fx->sd->store, 0, &err) < 0 ||
		    user_create(&w, &fx->alice, NULL, &err) < 0 ||
		    write_commit(&w, &err) < 0)
			fail_msg("user: %s", err.msg);
	}
	if (import_init(fx->sd, &err) < 0)
		fail_msg("import_init: %s", err.msg);
	assert_int_equal(plugins_add_static(fx->sd, "test", init_test), 0);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;
	char cmd[128];

	plugins_unload(fx->sd);
	import_free(fx->sd);
	store_close(fx->sd->store);
	config_free(&fx->sd->cfg);
	free(fx->sd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

static const char *
write_file(struct fx *fx, const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	return path;
}

/* import.run as the socket admin acting for alice; params is a format
 * with %s for the path. */
static struct tu_reply
call(struct fx *fx, const char *method, const char *params)
{
	struct rpc_identity id = { .role = ROLE_ADMIN, .socket_admin = true,
	    .transport = "test" };
	struct tu_reply r = { 0 };
	json_error_t jerr;
	json_t *p = json_loads(params, 0, &jerr);

	if (p == NULL)
		fail_msg("bad params %s: %s", params, jerr.text);
	json_object_set_new(p, "user", json_string("alice"));
	rpc_invoke(fx->sd, &id, method, p, tu_done, &r);
	json_decref(p);
	assert_true(r.done);
	return r;
}

static struct tu_reply
import(struct fx *fx, const char *path, const char *extra)
{
	char params[1024];

	snprintf(params, sizeof(params), "{\"path\": \"%s\"%s%s}", path,
	    extra ? ", " : "", extra ? extra : "");
	return call(fx, "import.run", params);
}

static json_int_t
num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("no integer %s", key);
	return json_integer_value(v);
}

static int
count_cb(void *arg, const struct expense *e)
{
	(void)e;
	(*(int *)arg)++;
	return 0;
}

static int
count(struct fx *fx)
{
	struct expense_filter f;
	struct spend_err err;
	int n = 0;

	memset(&f, 0, sizeof(f));
	assert_int_equal(store_expense_list(fx->sd->store, fx->alice.id, &f,
	    count_cb, &n, &err), 0);
	return n;
}

static void
test_import_and_reimport(void **state)
{
	struct fx *fx = *state;
	const char *path = write_file(fx, "a.pipe",
	    "2024-03-01|12.50||food|Lunch|Café|work;Team|\n"
	    "2024-03-02|3||transport|Bus||\n"
	    "2024-03-02|1000|JPY|food|Sushi||\n");
	struct tu_reply r = import(fx, path, NULL);
	struct expense e;
	struct spend_err err;

	if (r.result == NULL)
		fail_msg("import: %s", r.err.msg);
	assert_string_equal(json_string_value(json_object_get(r.result,
	    "format")), "pipe");
	assert_int_equal(num(r.result, "rows"), 3);
	assert_int_equal(num(r.result, "added"), 3);
	assert_int_equal(num(r.result, "skipped"), 0);
	assert_int_equal(count(fx), 3);
	json_decref(r.result);
	assert_int_equal(store_expense_get(fx->sd->store, fx->alice.id, 1, &e,
	    &err), 0);
	assert_int_equal(e.amount, 1250);
	assert_string_equal(e.currency, "EUR");
	assert_string_equal(e.tags, ",work,team,");
	assert_string_equal(e.payee, "Café");
	/* a row without a source id: its date, then 128 bits of its hash */
	assert_int_equal(strlen(e.import_key), 41);
	assert_memory_equal(e.import_key, "r20240301", 9);
	assert_int_equal(strspn(e.import_key + 9, "0123456789abcdef"), 32);

	/* the same file again adds nothing */
	r = import(fx, path, NULL);
	assert_non_null(r.result);
	assert_int_equal(num(r.result, "added"), 0);
	assert_int_equal(num(r.result, "skipped"), 3);
	assert_int_equal(count(fx), 3);
	json_decref(r.result);
}

/* Two identical rows in one file both import; again, nothing; a file
 * with a third identical row adds exactly one. */
static void
test_identical_rows(void **state)
{
	struct fx *fx = *state;
	const char *row = "2024-03-05|4.20||food|Coffee||\n";
	char text[256];
	struct tu_reply r;

	snprintf(text, sizeof(text), "%s%s", row, row);
	r = import(fx, write_file(fx, "two.pipe", text), NULL);
	assert_non_null(r.result);
	assert_int_equal(num(r.result, "added"), 2);
	json_decref(r.result);
	r = import(fx, write_file(fx, "two.pipe", text), NULL);
	assert_int_equal(num(r.result, "added"), 0);
	assert_int_equal(num(r.result, "skipped"), 2);
	json_decref(r.result);
	snprintf(text, sizeof(text), "%s%s%s", row, row, row);
	r = import(fx, write_file(fx, "three.pipe", text), NULL);
	assert_int_equal(num(r.result, "added"), 1);
	assert_int_equal(num(r.result, "skipped"), 2);
	json_decref(r.result);
	assert_int_equal(count(fx), 3);
}

/*
 * Identical rows against a model. Each file holds each of a few kinds of
 * row 0 to 3 times and some rows of its own, in a random order; an import
 * adds, of each kind, the copies the file has beyond those stored (and a
 * dry run says so first), and the same file again adds nothing. Run with
 * the usual filter of identical rows (import.c's row_ordinal), and with
 * one so small that it answers "maybe" for nearly every row.
 */
static void
identical_rows_model(struct fx *fx)
{
	enum { KINDS = 12, ROUNDS = 12 };
	int stored[KINDS] = { 0 }, in[KINDS], total = 0;
	char rows[64][80], text[64 * 80], *tmp;
	uint32_t seed = 7;
	struct tu_reply r;

#define RAND(n) ((seed = seed * 1103515245u + 12345u) >> 16) % (n)
	for (int round = 0; round < ROUNDS; round++) {
		int n = 0, add = 0, dup = 0, own = (int)RAND(12);
		const char *path;
		char name[32];

		for (int k = 0; k < KINDS; k++) {
			in[k] = (int)RAND(4);
			for (int c = 0; c < in[k]; c++)
				snprintf(rows[n++], sizeof(rows[0]),
				    "2024-03-%02d|%d.50||food|kind %d||\n",
				    1 + k % 3, 2 + k % 2, k);
			add += in[k] > stored[k] ? in[k] - stored[k] : 0;
			dup += in[k] < stored[k] ? in[k] : stored[k];
		}
		for (int i = 0; i < own; i++)
			snprintf(rows[n++], sizeof(rows[0]), "2024-03-01|2.50||"
			    "food|round %d row %d||\n", round, i);
		add += own;
		for (int i = n - 1; i > 0; i--) {	/* shuffle */
			int j = (int)RAND((uint32_t)i + 1);

			tmp = strdup(rows[i]);
			strlcpy(rows[i], rows[j], sizeof(rows[0]));
			strlcpy(rows[j], tmp, sizeof(rows[0]));
			free(tmp);
		}
		text[0] = '\0';
		for (int i = 0; i < n; i++)
			strlcat(text, rows[i], sizeof(text));
		snprintf(name, sizeof(name), "round%d.pipe", round);
		path = write_file(fx, name, text);
		r = import(fx, path, "\"dry_run\": true");
		assert_non_null(r.result);
		if (num(r.result, "added") != add || num(r.result, "skipped") !=
		    dup)
			fail_msg("round %d, dry run: added %lld skipped %lld, "
			    "want %d and %d", round, (long long)num(r.result,
			    "added"), (long long)num(r.result, "skipped"), add,
			    dup);
		json_decref(r.result);
		r = import(fx, path, NULL);
		assert_non_null(r.result);
		if (num(r.result, "added") != add || num(r.result, "skipped") !=
		    dup)
			fail_msg("round %d: added %lld skipped %lld, want %d and "
			    "%d", round, (long long)num(r.result, "added"),
			    (long long)num(r.result, "skipped"), add, dup);
		json_decref(r.result);
		total += add;
		for (int k = 0; k < KINDS; k++)
			stored[k] = in[k] > stored[k] ? in[k] : stored[k];
		assert_int_equal(count(fx), total);
		if (round % 4 == 3) {
			r = import(fx, path, NULL);
			assert_int_equal(num(r.result, "added"), 0);
			assert_int_equal(num(r.result, "skipped"), n);
			json_decref(r.result);
		}
	}
#undef RAND
}

static void
test_identical_rows_model(void **state)
{
	identical_rows_model(*state);
}

static void
test_identical_rows_model_tiny_filter(void **state)
{
	identical_rows_model(*state);
}

/* the filter is sized at import_init, in setup */
static int
setup_tiny_filter(void **state)
{
	int r;

	setenv("SPEND_TEST_IMPORT_FILTER_BITS", "64", 1);
	r = setup(state);
	unsetenv("SPEND_TEST_IMPORT_FILTER_BITS");
	return r;
}

/*
 * Rows imported by spendd 0.1 carry its keys, H(H(row), n) in 64 hex
 * digits: a file imported then, imported again, adds nothing, and the
 * third copy of a row it held twice adds one (and a key of the new kind).
 */
static void
test_legacy_row_keys(void **state)
{
	struct fx *fx = *state;
	const char *fields[] = { "row", "2024-03-05", "EUR", "420", "",
	    "Coffee" };
	const char *row = "2024-03-05|4.20||food|Coffee||\n";
	unsigned char h[32], h2[32], nb[8] = { 0 };
	crypto_generichash_state s;
	struct spend_err err;
	struct expense e;
	struct tu_reply r;
	char text[256];
	int64_t cat;

	/* two copies, as 0.1 imported them */
	crypto_generichash_init(&s, NULL, 0, sizeof(h));
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		crypto_generichash_update(&s, (const unsigned char *)fields[i],
		    strlen(fields[i]) + 1);
	crypto_generichash_final(&s, h, sizeof(h));
	r = import(fx, write_file(fx, "cat.pipe", "2024-01-01|1||food|x||\n"),
	    NULL);
	json_decref(r.result);
	assert_int_equal(store_expense_get(fx->sd->store, fx->alice.id, 1, &e,
	    &err), 0);
	cat = e.category_id;
	for (int n = 0; n < 2; n++) {
		nb[0] = (unsigned char)n;
		crypto_generichash_init(&s, NULL, 0, sizeof(h2));
		crypto_generichash_update(&s, h, sizeof(h));
		crypto_generichash_update(&s, nb, sizeof(nb));
		crypto_generichash_final(&s, h2, sizeof(h2));
		memset(&e, 0, sizeof(e));
		e.user_id = fx->alice.id;
		e.category_id = cat;
		e.amount = 420;
		strlcpy(e.currency, "EUR", sizeof(e.currency));
		strlcpy(e.date, "2024-03-05", sizeof(e.date));
		strlcpy(e.note, "Coffee", sizeof(e.note));
		for (int i = 0; i < 32; i++)
			snprintf(e.import_key + 2 * i, 3, "%02x", h2[i]);
		assert_int_equal(store_expense_add(fx->sd->store, &e, &err), 0);
	}
	assert_int_equal(count(fx), 3);

	snprintf(text, sizeof(text), "%s%s", row, row);
	r = import(fx, write_file(fx, "two.pipe", text), NULL);
	assert_non_null(r.result);
	assert_int_equal(num(r.result, "added"), 0);
	assert_int_equal(num(r.result, "skipped"), 2);
	json_decref(r.result);
	snprintf(text, sizeof(text), "%s%s%s", row, row, row);
	r = import(fx, write_file(fx, "three.pipe", text), "\"dry_run\": true");
	assert_int_equal(num(r.result, "added"), 1);
	json_decref(r.result);
	r = import(fx, write_file(fx, "three.pipe", text), NULL);
	assert_int_equal(num(r.result, "added"), 1);
	assert_int_equal(num(r.result, "skipped"), 2);
	json_decref(r.result);
	assert_int_equal(count(fx), 4);
	/* the third copy: a key of the new kind */
	assert_int_equal(store_expense_get(fx->sd->store, fx->alice.id, 4, &e,
	    &err), 0);
	assert_int_equal(strlen(e.import_key), 41);
	assert_memory_equal(e.import_key, "r20240305", 9);
	r = import(fx, write_file(fx, "three.pipe", text), NULL);
	assert_int_equal(num(r.result, "added"), 0);
	json_decref(r.result);
}

/* day_totals and month_totals against a recount of the rows (none is
 * split here), staged ones too: an import adds its batches' rows to them
 * itself (store_import_totals), the delete triggers take them out. */
static void
totals_match(struct fx *fx, const char *when)
{
	static const char *const q[] = {
		"SELECT count(*) FROM (SELECT user_id, date, category_id, "
		"currency, stage, count(*), sum(amount) FROM expenses WHERE "
		"deleted = 0 AND parts = 0 GROUP BY 1, 2, 3, 4, 5 EXCEPT SELECT "
		"user_id, day, category_id, currency, stage, count, sum FROM "
		"day_totals)",
		"SELECT (SELECT count(*) FROM day_totals) - (SELECT count(*) "
		"FROM (SELECT DISTINCT user_id, date, category_id, currency, "
		"stage FROM expenses WHERE deleted = 0 AND parts = 0))",
		"SELECT count(*) FROM (SELECT user_id, substr(date, 1, 7), "
		"category_id, currency, stage, count(*), sum(amount) FROM "
		"expenses WHERE deleted = 0 AND parts = 0 GROUP BY 1, 2, 3, 4, 5 "
		"EXCEPT SELECT user_id, month, category_id, currency, stage, "
		"count, sum FROM month_totals)",
		"SELECT (SELECT count(*) FROM month_totals) - (SELECT count(*) "
		"FROM (SELECT DISTINCT user_id, substr(date, 1, 7), category_id, "
		"currency, stage FROM expenses WHERE deleted = 0 AND parts = 0))",
	};

	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		sqlite3_stmt *s;

		assert_int_equal(sqlite3_prepare_v2(fx->sd->store->db, q[i], -1,
		    &s, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		if (sqlite3_column_int64(s, 0) != 0)
			fail_msg("%s: totals differ from the rows (%lld, query "
			    "%zu)", when, (long long)sqlite3_column_int64(s, 0),
			    i);
		sqlite3_finalize(s);
	}
}

/* A file of more rows than a batch holds (5,000), so that a later
 * batch adds to the totals of an earlier one's days. */
static const char *
many_rows(struct fx *fx, const char *name, int n, const char *last)
{
	static const char *const cats[] = { "food", "transport", "bills" };
	size_t size = (size_t)n * 64 + 256, len = 0;
	char *text = malloc(size);
	const char *path;

	assert_non_null(text);
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, size - len,
		    "2024-%02d-%02d|%d.%02d|%s|%s|row %d %s||\n", 1 + i % 3,
		    1 + i % 28, 1 + i % 50, i % 100, i % 7 ? "EUR" : "USD",
		    cats[i % 3], i, name);
	snprintf(text + len, size - len, "%s", last);
	path = write_file(fx, name, text);
	free(text);
	return path;
}

static void
test_import_totals(void **state)
{
	struct fx *fx = *state;
	struct tu_reply r;
	char params[64];

	r = import(fx, many_rows(fx, "a.pipe", 12000, ""), NULL);
	if (r.result == NULL)
		fail_msg("import: %s", r.err.msg);
	assert_int_equal(num(r.result, "added"), 12000);
	json_decref(r.result);
	totals_match(fx, "after an import");
	/* a bad row after a committed batch: the batch is undone */
	r = import(fx, many_rows(fx, "b.pipe", 7000, "2024-01-01|x||food|"
	    "bad||\n"), NULL);
	assert_null(r.result);
	assert_int_equal(count(fx), 12000);
	totals_match(fx, "after an import undone");
	snprintf(params, sizeof(params), "{\"id\": 7, \"version\": 1}");
	r = call(fx, "expense.delete", params);
	json_decref(r.result);
	assert_int_equal(count(fx), 11999);
	totals_match(fx, "after a delete");
}

/* The scratch file of identical-row counts is unlinked once, when it is
 * attached: closing it must not unlink its name again, which by then may
 * be another file's. */
static void
test_seen_unlinked_once(void **state)
{
	struct fx *fx = *state;
	struct store *st = fx->sd->store;
	struct spend_err err;
	char path[sizeof(st->seen_path)];
	struct stat sb;
	int fd;

	const char *was = getenv("TMPDIR");
	char *saved = was ? strdup(was) : NULL;

	setenv("TMPDIR", fx->dir, 1);
	assert_int_equal(store_import_seen_open(st, &err), 0);
	if (saved)
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
	free(saved);
	strlcpy(path, st->seen_path, sizeof(path));
	assert_true(path[0] != '\0');
	assert_int_equal(stat(path, &sb), -1);	/* gone once attached */
	/* another file takes the name meanwhile */
	assert_true((fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600)) >= 0);
	close(fd);
	store_import_seen_close(st);
	assert_int_equal(stat(path, &sb), 0);	/* left alone */
	unlink(path);
}

/* A source id de-duplicates even when the content differs. */
static void
test_source_id(void **state)
{
	struct fx *fx = *state;
	struct tu_reply r = import(fx, write_file(fx, "s.pipe",
	    "2024-03-05|4.20||food|||x|FIT1\n"
	    "2024-03-05|9.99||food|other|||FIT1\n"
	    "2024-03-05|4.20||food|||x|FIT2\n"), NULL);

	assert_non_null(r.result);
	assert_int_equal(num(r.result, "added"), 2);
	assert_int_equal(num(r.result, "skipped"), 1);
	json_decref(r.result);
}

/* Row 57 is bad: nothing is written, the error names line 57 and the
 * field; other bad rows are counted too. */
static void
test_all_or_nothing(void **state)
{
	struct fx *fx = *state;
	char *text = calloc(1, 100 * 64);
	struct tu_reply r;

	for (int i = 1; i <= 60; i++) {
		char line[64];

		snprintf(line, sizeof(line), "2024-04-%02d|%s||food|row %d||\n",
		    i % 28 + 1, i == 57 ? "12,5x" : "1.00", i);
		strcat(text, line);
	}
	r = import(fx, write_file(fx, "bad.pipe", text), NULL);
	assert_null(r.result);
	assert_int_equal(r.err.code, SPEND_EINVAL);
	assert_string_equal(r.err.field, "amount");
	assert_non_null(strstr(r.err.msg, "line 57"));
	assert_non_null(strstr(r.err.msg, "nothing imported"));
	assert_int_equal(count(fx), 0);

	/* a dry run lists it, with the counts of the rest */
	r = import(fx, write_file(fx, "bad.pipe", text), "\"dry_run\": true");
	assert_non_null(r.result);
	assert_false(json_is_true(json_object_get(r.result, "ok")));
	assert_int_equal(num(r.result, "added"), 59);
	assert_int_equal(num(r.result, "rejected"), 1);
	assert_int_equal(num(json_array_get(json_object_get(r.result,
	    "errors"), 0), "line"), 57);
	assert_int_equal(json_array_size(json_object_get(r.result, "preview")),
	    IMPORT_PREVIEW);
	json_decref(r.result);
	assert_int_equal(count(fx), 0);
	free(text);
}

/* Many bad rows: the first is reported, reading stops at the limit. */
static void
test_too_many_rejects(void **state)
{
	struct fx *fx = *state;
	char *text = calloc(1, 200 * 40);
	struct tu_reply r;
	const char *path;

	for (int i = 1; i <= 150; i++) {
		char line[40];

		snprintf(line, sizeof(line), "2024-04-01|x%d||food|||\n", i);
		strcat(text, line);
	}
	path = write_file(fx, "many-bad.pipe", text);
	r = import(fx, path, NULL);
	assert_null(r.result);
	assert_string_equal(r.err.field, "amount");
	assert_non_null(strstr(r.err.msg, "line 1:"));
	assert_non_null(strstr(r.err.msg, "99 more rejected rows, reading "
	    "stopped there"));
	r = import(fx, path, "\"dry_run\": true");
	assert_non_null(r.result);
	assert_false(json_is_true(json_object_get(r.result, "ok")));
	assert_int_equal(num(r.result, "rejected"), IMPORT_MAX_REJECTS);
	assert_int_equal(num(r.result, "rows"), IMPORT_MAX_REJECTS);
	assert_int_equal(json_array_size(json_object_get(r.result, "errors")),
	    IMPORT_MAX_ERRORS);
	json_decref(r.result);
	assert_int_equal(count(fx), 0);
	free(text);
}

static void
test_dry_run(void **state)
{
	struct fx *fx = *state;
	const char *path = write_file(fx, "d.pipe",
	    "2024-03-01|12.50||food|Lunch||\n"
	    "2024-03-01|12.50||newcat|Lunch||\n");
	struct tu_reply r;
	json_t *pv;

	r = import(fx, path, "\"dry_run\": true, \"create_categories\": true");
	assert_non_null(r.result);
	assert_true(json_is_true(json_object_get(r.result, "ok")));
	assert_int_equal(num(r.result, "added"), 2);
	assert_int_equal(json_array_size(json_object_get(r.result,
	    "categories_created")), 1);
	pv = json_object_get(r.result, "preview");
	assert_int_equal(json_array_size(pv), 2);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(pv, 0), "amount")), "12.50");
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(pv, 1), "status")), "new");
	json_decref(r.result);
	/* nothing written, not even the category */
	assert_int_equal(count(fx), 0);
	{
		struct category c;
		struct spend_err err;

		assert_int_equal(store_category_by_name(fx->sd->store,
		    fx->alice.id, "newcat", &c, &err), SPEND_ENOTFOUND);
	}
}

static void
test_categories(void **state)
{
	struct fx *fx = *state;
	const char *path = write_file(fx, "c.pipe",
	    "2024-03-01|1||Groceries|||\n"
	    "2024-03-02|2|||||\n");
	struct tu_reply r;

	/* unknown category, no option: line and field */
	r = import(fx, path, NULL);
	assert_null(r.result);
	assert_string_equal(r.err.field, "category");
	assert_non_null(strstr(r.err.msg, "line 1"));
	assert_non_null(strstr(r.err.msg, "Groceries"));
	/* a default category takes unknown and missing ones */
	r = import(fx, path, "\"category\": \"other\"");
	if (r.result == NULL)
		fail_msg("%s", r.err.msg);
	assert_int_equal(num(r.result, "defaulted"), 2);
	json_decref(r.result);
	/* a default that does not exist is refused before reading */
	r = import(fx, path, "\"category\": \"nope\"");
	assert_null(r.result);
	assert_string_equal(r.err.field, "category");
}

static void
test_create_categories(void **state)
{
	struct fx *fx = *state;
	struct tu_reply r = import(fx, write_file(fx, "c.pipe",
	    "2024-03-01|1||Groceries|||\n"
	    "2024-03-02|2||groceries|||\n"
	    "2024-03-03|3||Pets|||\n"), "\"create_categories\": true");
	json_t *cc;

	if (r.result == NULL)
		fail_msg("%s", r.err.msg);
	cc = json_object_get(r.result, "categories_created");
	assert_int_equal(json_array_size(cc), 2);
	assert_string_equal(json_string_value(json_array_get(cc, 0)),
	    "Groceries");
	assert_int_equal(num(r.result, "added"), 3);
	json_decref(r.result);
}

static void
test_validation_like_expense_add(void **state)
{
	struct fx *fx = *state;
	static const struct {
		const char *row, *field;
	} cases[] = {
		{ "2024-02-30|1||food|||", "date" },
		{ "|1||food|||", "date" },
		{ "2024-02-03|||food|||", "amount" },
		{ "2024-02-03|0||food|||", "amount" },
		{ "2024-02-03|1.234||food|||", "amount" },
		{ "2024-02-03|1|XYZ|food|||", "currency" },
		{ "2024-02-03|1||food|||bad tag", "tags" },
		{ "2024-02-03|1||food|a\x01b||", "note" },
		{ "2024-02-03|1||food||\xff\xfe|", "payee" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[128];
		struct tu_reply r;

		snprintf(text, sizeof(text), "2024-01-01|1||food|||\n%s\n",
		    cases[i].row);
		r = import(fx, write_file(fx, "v.pipe", text), NULL);
		if (r.result)
			fail_msg("row %s was accepted", cases[i].row);
		assert_string_equal(r.err.field, cases[i].field);
		assert_non_null(strstr(r.err.msg, "line 2"));
	}
	assert_int_equal(count(fx), 0);
}

static void
test_importer_error_and_options(void **state)
{
	struct fx *fx = *state;
	const char *path = write_file(fx, "e.pipe",
	    "2024-03-01|1||food|||\nERROR amount could not parse\n");
	struct tu_reply r = import(fx, path, NULL);

	assert_null(r.result);
	assert_string_equal(r.err.field, "amount");
	assert_non_null(strstr(r.err.msg, "line 2: could not parse"));
	assert_int_equal(count(fx), 0);

	/* options and map reach the importer as strings */
	path = write_file(fx, "o.pipe", "2024-03-01|1||food|||\n");
	r = import(fx, path, "\"options\": {\"want_map\": \"Betrag\"}, "
	    "\"map\": {\"amount\": \"Betrag\"}");
	if (r.result == NULL)
		fail_msg("%s", r.err.msg);
	json_decref(r.result);
	r = import(fx, path, "\"options\": {\"want_map\": \"Other\"}, "
	    "\"map\": {\"amount\": \"Betrag\"}");
	assert_null(r.result);
	assert_string_equal(r.err.field, "map");
}

static void
test_format_and_path(void **state)
{
	struct fx *fx = *state;
	struct tu_reply r;
	const char *path;

	path = write_file(fx, "x.unknown", "2024-03-01|1||food|||\n");
	r = import(fx, path, NULL);
	assert_null(r.result);
	assert_string_equal(r.err.field, "format");
	assert_non_null(strstr(r.err.msg, "pipe"));	/* lists what we have */
	r = import(fx, path, "\"format\": \"pipe\"");
	assert_non_null(r.result);
	json_decref(r.result);
	r = import(fx, path, "\"format\": \"nope\"");
	assert_null(r.result);
	assert_string_equal(r.err.field, "format");
	r = import(fx, "relative.pipe", NULL);
	assert_null(r.result);
	assert_string_equal(r.err.field, "path");
	r = import(fx, "/nonexistent/x.pipe", NULL);
	assert_null(r.result);
	assert_string_equal(r.err.field, "path");
	r = import(fx, fx->dir, "\"format\": \"pipe\"");
	assert_null(r.result);
	assert_non_null(strstr(r.err.msg, "not a regular file"));
	r = import(fx, path, "\"bogus\": 1");
	assert_null(r.result);
	assert_string_equal(r.err.field, "bogus");
}

/* Over HTTP (no socket admin) a path is refused. */
static void
test_path_needs_socket_admin(void **state)
{
	struct fx *fx = *state;
	struct rpc_identity id = { .role = ROLE_USER, .uid = fx->alice.id,
	    .transport = "test" };
	struct tu_reply r = { 0 };
	json_t *p = json_pack("{s:s}", "path", "/etc/passwd");

	rpc_invoke(fx->sd, &id, "import.run", p, tu_done, &r);
	assert_null(r.result);
	assert_int_equal(r.err.code, SPEND_EPERM);
	memset(&r, 0, sizeof(r));
	json_object_set_new(p, "format", json_string("lines"));
	rpc_invoke(fx->sd, &id, "export.run", p, tu_done, &r);
	assert_null(r.result);
	assert_int_equal(r.err.code, SPEND_EPERM);
	json_decref(p);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 65536);

	assert_non_null(f);
	fread(buf, 1, 65535, f);
	fclose(f);
	return buf;
}

static void
test_export(void **state)
{
	struct fx *fx = *state;
	char out[256], params[512], *text;
	struct tu_reply r;

	r = import(fx, write_file(fx, "a.pipe",
	    "2024-03-02|3||transport|Bus||\n"
	    "2024-03-01|12.50||food|Lunch||b;a|\n"
	    "2024-04-01|1000|JPY|food|Sushi||\n"), NULL);
	assert_non_null(r.result);
	json_decref(r.result);

	snprintf(out, sizeof(out), "%s/out.txt", fx->dir);
	snprintf(params, sizeof(params), "{\"format\": \"lines\", "
	    "\"path\": \"%s\"}", out);
	r = call(fx, "export.run", params);
	if (r.result == NULL)
		fail_msg("export: %s", r.err.msg);
	assert_int_equal(num(r.result, "rows"), 3);
	json_decref(r.result);
	text = slurp(out);
	assert_string_equal(text,
	    "# alice EUR .. []\n"
	    "2024-03-01|12.50|EUR|food|b,a|1250\n"
	    "2024-03-02|3.00|EUR|transport||300\n"
	    "2024-04-01|1000|JPY|food||1000\n"
	    "count 3\n"
	    "total food EUR 12.50 1\n"
	    "total food JPY 1000 1\n"
	    "total transport EUR 3.00 1\n");
	free(text);

	/* it exists now: refused unless overwrite */
	r = call(fx, "export.run", params);
	assert_null(r.result);
	assert_int_equal(r.err.code, SPEND_ECONFLICT);

	/* filters and an explicit order, as expense.list takes them */
	snprintf(params, sizeof(params), "{\"format\": \"lines\", \"path\": "
	    "\"%s\", \"overwrite\": true, \"month\": \"2024-03\", "
	    "\"category\": \"food\", \"order\": \"desc\"}", out);
	r = call(fx, "export.run", params);
	if (r.result == NULL)
		fail_msg("export: %s", r.err.msg);
	json_decref(r.result);
	text = slurp(out);
	assert_string_equal(text,
	    "# alice EUR 2024-03-01..2024-03-31 [category food]\n"
	    "2024-03-01|12.50|EUR|food|b,a|1250\n"
	    "count 1\n"
	    "total food EUR 12.50 1\n");
	free(text);

	/* a failing exporter leaves no file and no temporary */
	snprintf(out, sizeof(out), "%s/fail.txt", fx->dir);
	snprintf(params, sizeof(params), "{\"format\": \"fail\", "
	    "\"path\": \"%s\"}", out);
	r = call(fx, "export.run", params);
	assert_null(r.result);
	assert_non_null(strstr(r.err.msg, "disk on fire"));
	assert_int_equal(access(out, F_OK), -1);
	snprintf(params, sizeof(params), "ls %s | grep -c fail >/dev/null",
	    fx->dir);
	assert_int_not_equal(system(params), 0);

	r = call(fx, "export.run", "{\"format\": \"nope\", \"path\": \"/x\"}");
	assert_null(r.result);
	assert_string_equal(r.err.field, "format");
	r = call(fx, "export.run", "{\"format\": \"lines\", \"path\": \"/x\", "
	    "\"month\": \"2024-13\"}");
	assert_null(r.result);
	assert_string_equal(r.err.field, "month");
}

/* More rows than one keyset page, with equal dates: each exactly once. */
static void
test_export_pages(void **state)
{
	struct fx *fx = *state;
	size_t n = 700, len = 0;
	char *text = malloc(n * 48), out[256], params[512], *got, *p;
	struct tu_reply r;
	int lines = 0;

	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "2024-05-%02zu|%zu.01||food|"
		    "||\n", i % 3 + 1, i + 1);
	r = import(fx, write_file(fx, "many.pipe", text), NULL);
	assert_non_null(r.result);
	assert_int_equal(num(r.result, "added"), (json_int_t)n);
	json_decref(r.result);
	snprintf(out, sizeof(out), "%s/many.txt", fx->dir);
	snprintf(params, sizeof(params), "{\"format\": \"lines\", "
	    "\"path\": \"%s\"}", out);
	r = call(fx, "export.run", params);
	assert_non_null(r.result);
	json_decref(r.result);
	got = slurp(out);
	for (p = got; (p = strstr(p, "|food|")); p++)
		lines++;
	assert_int_equal(lines, (int)n);
	assert_non_null(strstr(got, "count 700\n"));
	free(got);
	free(text);
}

static void
test_report(void **state)
{
	struct fx *fx = *state;
	struct tu_reply r = import(fx, write_file(fx, "a.pipe",
	    "2024-03-02|3||transport|||\n"
	    "2024-03-01|12.50||food|||\n"
	    "2024-04-01|1||food|||\n"), NULL);
	struct spend_err err;
	json_t *res = NULL, *params = json_pack("{s:s}", "from", "2024-03-02");
	char *text;

	json_decref(r.result);
	assert_int_equal(report_run_sync(fx->sd, fx->sd->store, &fx->alice, "months", params,
	    &res, &err), 0);
	text = json_dumps(res, JSON_COMPACT);
	assert_string_equal(text, "[{\"month\":\"2024-03\",\"currency\":\"EUR\","
	    "\"sum\":300},{\"month\":\"2024-04\",\"currency\":\"EUR\","
	    "\"sum\":100}]");
	free(text);
	json_decref(res);
	assert_int_equal(report_run_sync(fx->sd, fx->sd->store, &fx->alice, "nope", params,
	    &res, &err), SPEND_EINVAL);
	json_decref(params);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_import_and_reimport),
		T(test_identical_rows),
		T(test_identical_rows_model),
		T(test_legacy_row_keys),
		T(test_import_totals),
		cmocka_unit_test_setup_teardown(
		    test_identical_rows_model_tiny_filter, setup_tiny_filter,
		    teardown),
		T(test_seen_unlinked_once),
		T(test_source_id),
		T(test_all_or_nothing),
		T(test_too_many_rejects),
		T(test_dry_run),
		T(test_categories),
		T(test_create_categories),
		T(test_validation_like_expense_add),
		T(test_importer_error_and_options),
		T(test_format_and_path),
		T(test_path_needs_socket_admin),
		T(test_export),
		T(test_export_pages),
		T(test_report),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
#undef T
}
