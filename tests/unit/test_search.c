/*
 * Search (daemon/store/store_search.c): the rows a search finds against
 * an oracle written here (substring of code points after Unicode simple
 * case folding of the letters the rows use), operator characters taken
 * literally, terms of one and two characters, the index and the scan
 * giving the same rows in the same order, the index kept in step by
 * every kind of write, and a schema 3 database upgraded to 4.
 *
 * A test of the store: it includes sqlite3.h and store_internal.h to run
 * FTS5's integrity-check and to see which statement a list ran.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "store_internal.h"
#include "store_migrations.h"
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

static int64_t
add_user(struct store *st, const char *name)
{
	struct user u;
	struct spend_err err;

	memset(&u, 0, sizeof(u));
	strlcpy(u.name, name, sizeof(u.name));
	strlcpy(u.role, "user", sizeof(u.role));
	strlcpy(u.currency, "EUR", sizeof(u.currency));
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

/* ---- the oracle ---- */

/* Unicode simple case folding (CaseFolding.txt, C and S) of the scripts
 * the rows below use; everything else is itself. */
static uint32_t
ofold(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c >= 0xc0 && c <= 0xde && c != 0xd7)	/* Latin-1: É Ü */
		return c + 0x20;
	if (c >= 0x391 && c <= 0x3a9 && c != 0x3a2)	/* Greek: Ω Σ */
		return c + 0x20;
	switch (c) {
	case 0x3c2: return 0x3c3;			/* final ς: σ */
	case 0x386: return 0x3ac;
	case 0x388: case 0x389: case 0x38a: return c + 37;	/* Έ έ */
	case 0x38c: return 0x3cc;			/* Ό ό */
	case 0x38e: case 0x38f: return c + 63;
	}
	if (c >= 0x1f48 && c <= 0x1f4d)			/* Ὀ ὀ */
		return c - 8;
	if (c >= 0x400 && c <= 0x40f)			/* Cyrillic: Ѐ */
		return c + 0x50;
	if (c >= 0x410 && c <= 0x42f)			/* Д О М */
		return c + 0x20;
	if (c >= 0x531 && c <= 0x556)			/* Armenian Ա */
		return c + 0x30;
	if (c >= 0x10400 && c <= 0x10427)		/* Deseret 𐐀 */
		return c + 0x28;
	return c;
}

/* Valid UTF-8 to folded code points; their count. */
static size_t
ocps(const char *s, uint32_t *out, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p && n < max) {
		uint32_t c;
		int k;

		if (*p < 0x80) {
			c = *p;
			k = 0;
		} else if (*p < 0xe0) {
			c = *p & 0x1f;
			k = 1;
		} else if (*p < 0xf0) {
			c = *p & 0x0f;
			k = 2;
		} else {
			c = *p & 0x07;
			k = 3;
		}
		p++;
		while (k-- > 0)
			c = (c << 6) | (*p++ & 0x3f);
		out[n++] = ofold(c);
	}
	return n;
}

static bool
ohas(const char *hay, const char *needle)
{
	uint32_t h[1200], nd[300];
	size_t nh = ocps(hay, h, 1200), nn = ocps(needle, nd, 300);

	for (size_t i = 0; i + nn <= nh; i++)
		if (memcmp(h + i, nd, nn * sizeof(uint32_t)) == 0)
			return true;
	return false;
}

/* ---- rows and lists ---- */

struct row {
	int64_t id, uid;
	char date[DATE_LEN + 1];
	char note[NOTE_MAX_LEN + 1];
	char payee[PAYEE_MAX_LEN + 1];
	bool deleted;
};

#define MAXROWS 6000
static struct row rows[MAXROWS];
static int nrows;

static int64_t
add_row(struct store *st, int64_t uid, int64_t cat, const char *date,
    const char *note, const char *payee, int64_t amount)
{
	struct expense e;
	struct spend_err err;

	memset(&e, 0, sizeof(e));
	e.user_id = uid;
	e.category_id = cat;
	e.amount = amount;
	strlcpy(e.currency, "EUR", sizeof(e.currency));
	strlcpy(e.date, date, sizeof(e.date));
	strlcpy(e.note, note, sizeof(e.note));
	strlcpy(e.payee, payee, sizeof(e.payee));
	if (store_expense_add(st, &e, &err) < 0)
		fail_msg("expense add: %s", err.msg);
	assert_true(nrows < MAXROWS);
	rows[nrows].id = e.id;
	rows[nrows].uid = uid;
	strlcpy(rows[nrows].date, date, sizeof(rows[0].date));
	strlcpy(rows[nrows].note, note, sizeof(rows[0].note));
	strlcpy(rows[nrows].payee, payee, sizeof(rows[0].payee));
	rows[nrows].deleted = false;
	nrows++;
	return e.id;
}

struct ids {
	int64_t v[MAXROWS];
	int n;
};

static int
ids_cb(void *arg, const struct expense *e)
{
	struct ids *l = arg;

	assert_true(l->n < MAXROWS);
	l->v[l->n++] = e->id;
	return 0;
}

/* The SQL of the statement the connection ran last. */
static const char *
last_sql(struct store *st)
{
	int best = 0;

	for (int i = 1; i < STMT_CACHE; i++)
		if (st->cache[i].last_use > st->cache[best].last_use)
			best = i;
	return st->cache[best].sql ? st->cache[best].sql : "";
}

/* uid's rows holding term, newest first, as the store lists them with
 * mode; *how: "index" or "scan", what the list ran. */
static void
found(struct store *st, int64_t uid, const char *term, enum store_search m,
    struct ids *out, const char **how)
{
	struct expense_filter f;
	struct spend_err err;

	memset(&f, 0, sizeof(f));
	strlcpy(f.search, term, sizeof(f.search));
	f.desc = true;
	out->n = 0;
	store_search_mode(st, m);
	if (store_expense_list(st, uid, &f, ids_cb, out, &err) < 0)
		fail_msg("search \"%s\": %s", term, err.msg);
	if (how)
		*how = strstr(last_sql(st), "expenses_fts") ? "index" :
		    strstr(last_sql(st), "spend_search") ? "scan" : "other";
	store_search_mode(st, STORE_SEARCH_AUTO);
}

static int
cmp_newest(const void *a, const void *b)
{
	const struct row *x = *(const struct row *const *)a;
	const struct row *y = *(const struct row *const *)b;
	int c = strcmp(y->date, x->date);

	return c ? c : (y->id > x->id) - (y->id < x->id);
}

/* What the oracle says found() must give. */
static void
expected(int64_t uid, const char *term, struct ids *out)
{
	static const struct row *sel[MAXROWS];
	int n = 0;

	for (int i = 0; i < nrows; i++)
		if (rows[i].uid == uid && !rows[i].deleted &&
		    (ohas(rows[i].note, term) || ohas(rows[i].payee, term)))
			sel[n++] = &rows[i];
	qsort(sel, (size_t)n, sizeof(sel[0]), cmp_newest);
	out->n = n;
	for (int i = 0; i < n; i++)
		out->v[i] = sel[i]->id;
}

static void
same_ids(const struct ids *got, const struct ids *want, const char *what)
{
	if (got->n != want->n)
		fail_msg("%s: %d rows, want %d", what, got->n, want->n);
	for (int i = 0; i < got->n; i++)
		if (got->v[i] != want->v[i])
			fail_msg("%s: row %d is %" PRId64 ", want %" PRId64, what, i,
			    got->v[i], want->v[i]);
}

/* The term in every mode against the oracle. */
static void
check_term(struct store *st, int64_t uid, const char *term)
{
	static const struct {
		enum store_search m;
		const char *name;
	} modes[] = {
		{ STORE_SEARCH_AUTO, "auto" },
		{ STORE_SEARCH_INDEX, "index" },
		{ STORE_SEARCH_SCAN, "scan" },
	};
	struct ids want, got;
	char what[400];

	expected(uid, term, &want);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		snprintf(what, sizeof(what), "search \"%s\" (%s)", term,
		    modes[i].name);
		found(st, uid, term, modes[i].m, &got, NULL);
		same_ids(&got, &want, what);
	}
}

/* The query plan of sql, its lines joined by "; ". */
static const char *
plan_of(struct store *st, const char *sql)
{
	static char out[2000];
	char q[4096];
	sqlite3_stmt *s;

	snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", sql);
	out[0] = '\0';
	if (sqlite3_prepare_v2(st->db, q, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", q, sqlite3_errmsg(st->db));
	while (sqlite3_step(s) == SQLITE_ROW) {
		strlcat(out, (const char *)sqlite3_column_text(s, 3), sizeof(out));
		strlcat(out, "; ", sizeof(out));
	}
	sqlite3_finalize(s);
	return out;
}

/* FTS5's own check of the index against the rows: "" or its error. */
static const char *
fts_check(struct store *st)
{
	static char msg[300];

	msg[0] = '\0';
	if (sqlite3_exec(st->db, "INSERT INTO expenses_fts(expenses_fts, rank) "
	    "VALUES ('integrity-check', 1)", NULL, NULL, NULL) != SQLITE_OK)
		strlcpy(msg, sqlite3_errmsg(st->db), sizeof(msg));
	return msg;
}

/* ---- random rows ---- */

static uint64_t rnd_state;

static uint32_t
rnd(uint32_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (uint32_t)(rnd_state % n);
}

/* Letters in both cases across scripts, letters that look alike but
 * differ (e é), and the characters of LIKE's and FTS5's syntax. */
static const char *const alpha[] = { "a", "A", "b", "B", "e", "E", "é", "É",
	"д", "Д", "ж", "Ж", "ω", "Ω", "σ", "Σ", "ς", "ա", "Ա", "𐐀", "𐐨", " ",
	"%", "_", "\"", "*", ":", "(", "-", "ü", "Ü" };
#define NALPHA (int)(sizeof(alpha) / sizeof(alpha[0]))

/* The other case of a symbol of alpha, if it has one. */
static const char *
swapcase(const char *s)
{
	static const char *const pairs[][2] = { { "a", "A" }, { "b", "B" },
		{ "e", "E" }, { "é", "É" }, { "д", "Д" }, { "ж", "Ж" },
		{ "ω", "Ω" }, { "σ", "Σ" }, { "ա", "Ա" }, { "𐐀", "𐐨" },
		{ "ü", "Ü" } };

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		if (strcmp(s, pairs[i][0]) == 0)
			return pairs[i][1];
		if (strcmp(s, pairs[i][1]) == 0)
			return pairs[i][0];
	}
	return s;
}

static void
rnd_text(char *buf, size_t size, int maxlen)
{
	int n = (int)rnd((uint32_t)maxlen + 1);

	buf[0] = '\0';
	for (int i = 0; i < n; i++)
		strlcat(buf, alpha[rnd(NALPHA)], size);
}

/* A term cut from a row (symbols from..from+len), some letters in the
 * other case. */
static void
cut_term(const char *text, char *term, size_t size)
{
	const char *sym[64];
	int n = 0, from, len;

	/* split text back into symbols of alpha */
	for (const char *p = text; *p && n < 64;) {
		int k = 0;

		for (int i = 0; i < NALPHA; i++)
			if (strncmp(p, alpha[i], strlen(alpha[i])) == 0) {
				k = i;
				break;
			}
		sym[n++] = alpha[k];
		p += strlen(alpha[k]);
	}
	term[0] = '\0';
	if (n == 0)
		return;
	from = (int)rnd((uint32_t)n);
	len = 1 + (int)rnd(5);
	for (int i = from; i < n && i < from + len; i++)
		strlcat(term, rnd(2) ? swapcase(sym[i]) : sym[i], size);
}

struct fixture {
	struct store *st;
	int64_t alice, bob, acat, bcat;
};

static int
setup(void **state)
{
	static struct fixture fx;

	nrows = 0;
	fx.st = mem_store();
	fx.alice = add_user(fx.st, "alice");
	fx.bob = add_user(fx.st, "bob");
	fx.acat = add_cat(fx.st, fx.alice, "food");
	fx.bcat = add_cat(fx.st, fx.bob, "food");
	*state = &fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	store_close(fx->st);
	return 0;
}

/* Random notes and payees, random terms: what every way finds is what
 * the oracle finds, newest first; bob's rows and deleted rows never. */
static void
test_random_vs_oracle(void **state)
{
	struct fixture *fx = *state;
	struct spend_err err;
	char note[200], payee[200], term[64], date[16];
	int checked = 0, nonempty = 0;

	rnd_state = 0x5eed5eed12345ULL;
	print_message("    seed %#" PRIx64 "\n", rnd_state);
	for (int i = 0; i < 500; i++) {
		bool b = i % 5 == 4;

		rnd_text(note, sizeof(note), 12);
		rnd_text(payee, sizeof(payee), 6);
		snprintf(date, sizeof(date), "2025-%02d-%02d", 1 + (int)rnd(12),
		    1 + (int)rnd(28));
		add_row(fx->st, b ? fx->bob : fx->alice, b ? fx->bcat : fx->acat,
		    date, note, payee, 100 + i);
	}
	/* some of alice's rows deleted: still indexed, never found */
	for (int i = 0; i < nrows; i += 9)
		if (rows[i].uid == fx->alice) {
			assert_int_equal(store_expense_delete(fx->st, fx->alice,
			    rows[i].id, 0, &err), 0);
			rows[i].deleted = true;
		}
	assert_string_equal(fts_check(fx->st), "");
	for (int t = 0; t < 400; t++) {
		struct ids want;

		if (t % 4 == 3)
			rnd_text(term, sizeof(term), 4);
		else {
			const struct row *r = &rows[rnd((uint32_t)nrows)];

			cut_term(t % 2 ? r->note : r->payee, term, sizeof(term));
		}
		if (term[0] == '\0')
			continue;
		check_term(fx->st, fx->alice, term);
		expected(fx->alice, term, &want);
		checked++;
		nonempty += want.n > 0;
	}
	print_message("    %d terms, %d of them found in some row\n", checked,
	    nonempty);
	/* the oracle is not vacuous */
	assert_true(nonempty > checked / 2);
}

/* Operator characters of LIKE and of FTS5's query syntax are text. */
static void
test_literal_operators(void **state)
{
	struct fixture *fx = *state;
	static const char *const texts[] = { "50% off", "500 off", "a_b",
		"axb", "say \"hi\" twice", "x OR y", "x or y", "NEAR(a b)",
		"near a b", "note:abc", "payee:xyz", "star* bucks", "stars",
		"-minus", "^caret", "{note payee}", "AND NOT", "it's", "a\\b",
		"(( unbalanced", "\"\"\"", "x AND y" };
	static const char *const terms[] = { "50%", "%", "a_b", "_",
		"\"hi\"", "\"", "\"\"", "say \"", "x OR y", "OR", " OR ",
		"NEAR(", "NEAR(a b)", "note:", "note:abc", "payee:", "star*",
		"*", "-minus", "^ca", "{note", "AND NOT", "NOT", "it's", "'",
		"\\", "a\\b", "((", "\"\"\"", "x AND", "0%", "% o", "* b" };
	struct ids want;

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		add_row(fx->st, fx->alice, fx->acat, "2025-01-01", texts[i], "",
		    100);
		add_row(fx->st, fx->alice, fx->acat, "2025-01-02", "", texts[i],
		    100);
	}
	for (size_t i = 0; i < sizeof(terms) / sizeof(terms[0]); i++)
		check_term(fx->st, fx->alice, terms[i]);
	/* and the oracle finds what it should */
	expected(fx->alice, "50%", &want);
	assert_int_equal(want.n, 2);
	expected(fx->alice, "x OR y", &want);
	assert_int_equal(want.n, 4);	/* and "x or y": case folded */
	expected(fx->alice, "star*", &want);
	assert_int_equal(want.n, 2);
}

/* Terms of one and two characters (the scan), folding as the index does
 * at every length; accents count. */
static void
test_short_terms(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		const char *term;
		int n;
	} cases[] = {
		{ "é", 1 }, { "É", 1 }, { "e", 2 }, { "ω", 2 }, { "Ω", 2 },
		{ "σ", 1 }, { "Σ", 1 }, { "ς", 1 }, { "д", 1 }, { "ДО", 1 },
		{ "𐐨", 1 }, { "𐐀", 1 }, { "%", 1 }, { "_", 1 }, { "\"", 1 },
		{ "*", 1 }, { "ca", 1 }, { "Ü", 1 }, { "ü", 1 }, { "z", 0 },
		{ "CAFÉ", 1 }, { "café", 1 }, { "cafe", 0 }, { "ОДОС", 0 },
		{ "ὈΔΌΣ", 0 }, { "домa", 0 }, { "ДОМ", 1 }, { "ΩΜΈΓΑ", 1 },
		{ "ωμέγα", 1 }, { "ΌΔΌΣ", 0 }, { "όδοσ", 1 }, { "όδος", 1 },
	};
	struct ids got;
	const char *how;

	add_row(fx->st, fx->alice, fx->acat, "2025-01-01", "CAFÉ Ω", "дом", 1);
	add_row(fx->st, fx->alice, fx->acat, "2025-01-02", "Crème", "ΌΔΟΣ", 1);
	add_row(fx->st, fx->alice, fx->acat, "2025-01-03", "ωμέγα 50%", "𐐀", 1);
	add_row(fx->st, fx->alice, fx->acat, "2025-01-04", "a_b \"q\" *", "Über",
	    1);
	add_row(fx->st, fx->bob, fx->bcat, "2025-01-05", "é e ω", "%", 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		found(fx->st, fx->alice, cases[i].term, STORE_SEARCH_AUTO, &got,
		    &how);
		if (got.n != cases[i].n)
			fail_msg("search \"%s\": %d rows, want %d", cases[i].term,
			    got.n, cases[i].n);
		check_term(fx->st, fx->alice, cases[i].term);
	}
	/* "é" and "e" are one and two bytes, "𐐨" one character: by
	 * characters, never bytes */
	found(fx->st, fx->alice, "𐐨", STORE_SEARCH_AUTO, &got, &how);
	assert_string_equal(how, "scan");
	found(fx->st, fx->alice, "éé", STORE_SEARCH_AUTO, &got, &how);
	assert_string_equal(how, "scan");
	found(fx->st, fx->alice, "CAF", STORE_SEARCH_AUTO, &got, &how);
	assert_string_equal(how, "index");
	assert_int_equal(got.n, 1);
}

/* spend_search() itself: NULLs, the empty needle, and its folding. */
static void
test_function(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		const char *h, *n;
		int want;	/* -1: NULL */
	} cases[] = {
		{ "Café CRÈME", "crème", 1 }, { "Café", "cafe", 0 },
		{ "Straße", "STRASSE", 0 }, { "ΑΒΓ", "αβγ", 1 },
		{ "ΣΊΣΥΦΟΣ", "σίσυφος", 1 }, { "x", "", 1 }, { "", "", 1 },
		{ "", "a", 0 }, { "ДОБРЫЙ", "добрый", 1 },
		{ "Ⱥ", "ⱥ", 1 },		/* 2 bytes folding to 3 */
		{ "K", "k", 1 }, { "𐐀𐐁", "𐐨𐐩", 1 }, { "abc", "abcd", 0 },
	};
	sqlite3_stmt *s;

	assert_int_equal(sqlite3_prepare_v2(fx->st->db,
	    "SELECT spend_search(?, ?)", -1, &s, NULL), SQLITE_OK);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, cases[i].h, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, cases[i].n, -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		if (sqlite3_column_int(s, 0) != cases[i].want)
			fail_msg("spend_search(\"%s\", \"%s\") = %d, want %d",
			    cases[i].h, cases[i].n, sqlite3_column_int(s, 0),
			    cases[i].want);
	}
	sqlite3_reset(s);
	sqlite3_bind_null(s, 1);
	sqlite3_bind_text(s, 2, "a", -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_type(s, 0), SQLITE_NULL);
	sqlite3_finalize(s);
	/* the same folding as the index, on every character FTS5 folds: a
	 * table with one row per code point, and each is found by itself in
	 * the other case through both */
	assert_int_equal(sqlite3_exec(fx->st->db,
	    "CREATE VIRTUAL TABLE temp.f USING fts5(t, tokenize='trigram');"
	    "WITH RECURSIVE c(x) AS (SELECT 65 UNION ALL SELECT x + 1 FROM c "
	    "WHERE x < 70000) INSERT INTO temp.f(rowid, t) SELECT x, "
	    "'<' || char(x) || '>' FROM c WHERE x NOT BETWEEN 55296 AND 57343;",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(fx->st->db,
	    "SELECT count(*), sum(spend_search(t, '<' || char(lower_x) || '>'))"
	    " FROM (SELECT rowid AS x, t, (SELECT min(rowid) FROM temp.f g "
	    "WHERE g.f MATCH '\"' || replace(f.t, '\"', '\"\"') || '\"') "
	    "AS lower_x FROM temp.f f WHERE x % 7 = 0 OR x BETWEEN 880 AND 1300"
	    " OR x BETWEEN 66560 AND 66640)", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	/* every code point: the index's first match (the smallest code
	 * point of its folding class) is found by spend_search too */
	assert_true(sqlite3_column_int(s, 0) > 10000);
	assert_int_equal(sqlite3_column_int(s, 0), sqlite3_column_int(s, 1));
	sqlite3_finalize(s);
}

static int
tot_cb(void *arg, const struct expense_total *t)
{
	struct expense_total *out = arg;

	assert_string_equal(t->currency, "EUR");
	*out = *t;
	return 0;
}

static int
report_cb(void *arg, const struct store_total *t)
{
	*(struct store_total *)arg = *t;
	return 0;
}

/* The paths give the same rows in the same order under every sort,
 * page by page with keyset cursors, and the same totals; a term found
 * more than 2000 times across users is scanned, a rare one looked up. */
static void
test_paths_identical(void **state)
{
	struct fixture *fx = *state;
	static const char *const notes[] = { "coffee with Ana", "COFFEE beans",
		"lunch", "Café crème", "", "train ticket", "tea & coffee" };
	static const char *const payees[] = { "Lidl", "Café du Coin", "",
		"Coffee Shop", "SNCF" };
	static const char *const terms[] = { "coffee", "café", "caf", "co",
		"ee", "lidl", "shop", "common", "rare term 7", "é" };
	static const enum store_search modes[] = { STORE_SEARCH_INDEX,
		STORE_SEARCH_SCAN, STORE_SEARCH_AUTO };
	char date[16], note[80];
	const char *how, *plan;
	struct ids got;

	rnd_state = 0xabcdef1234ULL;
	for (int i = 0; i < 1200; i++) {
		snprintf(date, sizeof(date), "2025-%02d-%02d", 1 + (int)rnd(12),
		    1 + (int)rnd(28));
		snprintf(note, sizeof(note), "%s%s", notes[rnd(7)],
		    i % 97 == 7 ? " rare term 7" : "");
		add_row(fx->st, fx->alice, fx->acat, date, note, payees[rnd(5)],
		    (int64_t)rnd(500) * 100);
	}
	/* bob makes "common" frequent across users */
	for (int i = 0; i < 2100; i++)
		add_row(fx->st, fx->bob, fx->bcat, "2025-06-01", "common", "", 1);
	for (int i = 0; i < 20; i++)
		add_row(fx->st, fx->alice, fx->acat, "2025-06-02", "Common one",
		    "", 1);

	for (size_t t = 0; t < sizeof(terms) / sizeof(terms[0]); t++) {
		for (int sort = SORT_DATE; sort <= SORT_PAYEE; sort++) {
			for (int desc = 0; desc < 2; desc++) {
				struct ids seq[3];
				struct expense_total tot[3][2];

				for (int m = 0; m < 3; m++) {
					struct expense_filter f;
					struct spend_err err;
					struct expense last;
					int pages = 0;

					memset(&f, 0, sizeof(f));
					strlcpy(f.search, terms[t], sizeof(f.search));
					f.sort = (enum expense_sort)sort;
					f.desc = desc;
					f.limit = 37;
					seq[m].n = 0;
					store_search_mode(fx->st, modes[m]);
					for (;;) {
						int before = seq[m].n;

						if (store_expense_list(fx->st, fx->alice, &f,
						    ids_cb, &seq[m], &err) < 0)
							fail_msg("list: %s", err.msg);
						pages++;
						if (seq[m].n - before < f.limit)
							break;
						assert_int_equal(store_expense_get(fx->st,
						    fx->alice, seq[m].v[seq[m].n - 1], &last,
						    &err), 0);
						f.after = true;
						store_expense_sort_key(&last, f.sort,
						    f.after_key, sizeof(f.after_key),
						    &f.after_num);
						f.after_id = last.id;
					}
					memset(tot[m], 0, sizeof(tot[m]));
					f.after = false;
					assert_int_equal(store_expense_totals(fx->st,
					    fx->alice, &f, tot_cb, tot[m], &err), 0);
					assert_true(pages >= 1);
				}
				store_search_mode(fx->st, STORE_SEARCH_AUTO);
				for (int m = 1; m < 3; m++) {
					char what[160];

					snprintf(what, sizeof(what), "\"%s\" sort %d desc %d"
					    ", mode %d vs index", terms[t], sort, desc,
					    (int)modes[m]);
					same_ids(&seq[m], &seq[0], what);
					assert_true(tot[m][0].count == tot[0][0].count);
					assert_true(tot[m][0].sum == tot[0][0].sum);
				}
				assert_true(tot[0][0].count == seq[0].n);
			}
		}
		check_term(fx->st, fx->alice, terms[t]);
	}
	/* AUTO: a frequent term is scanned, a rare one looked up */
	found(fx->st, fx->alice, "common", STORE_SEARCH_AUTO, &got, &how);
	assert_string_equal(how, "scan");
	assert_int_equal(got.n, 20);
	found(fx->st, fx->alice, "rare term 7", STORE_SEARCH_AUTO, &got, &how);
	assert_string_equal(how, "index");
	assert_int_equal(got.n, 13);
	found(fx->st, fx->alice, "Lidl", STORE_SEARCH_AUTO, &got, &how);
	assert_string_equal(how, "index");
	/* the index's matches drive the query (a lookup by rowid each), not
	 * a walk of every row of the user's in the sort order */
	found(fx->st, fx->alice, "rare term 7", STORE_SEARCH_AUTO, &got, &how);
	plan = plan_of(fx->st, last_sql(fx->st));
	if (strstr(plan, "SEARCH e USING INTEGER PRIMARY KEY (rowid=?)") ==
	    NULL || strstr(plan, "expenses_user"))
		fail_msg("index search plan: %s", plan);
	/* the same for totals and reports (categories joined) */
	{
		struct expense_filter f;
		struct store_total t;
		struct spend_err err;

		memset(&f, 0, sizeof(f));
		strlcpy(f.search, "rare term 7", sizeof(f.search));
		assert_int_equal(store_report_totals(fx->st, fx->alice, &f,
		    STORE_GROUP_CATEGORY, report_cb, &t, &err), 0);
		assert_true(t.count == 13);
		plan = plan_of(fx->st, last_sql(fx->st));
		if (strstr(plan, "SEARCH e USING INTEGER PRIMARY KEY (rowid=?)") ==
		    NULL || strstr(plan, "expenses_user"))
			fail_msg("index report plan: %s", plan);
	}
}

/* Every kind of write keeps the index in step: FTS5's integrity-check
 * (index against rows) passes and searches find the rows as they are. */
static void
test_index_follows_writes(void **state)
{
	struct fixture *fx = *state;
	struct spend_err err;
	struct expense e;
	struct ids got;
	int64_t id, id2, imp, blocking, other;

	id = add_row(fx->st, fx->alice, fx->acat, "2025-01-01", "old words",
	    "Payee One", 1);
	id2 = add_row(fx->st, fx->alice, fx->acat, "2025-01-02", "second row",
	    "Payee Two", 1);
	assert_string_equal(fts_check(fx->st), "");

	/* an edit: the old text is gone, the new one found */
	assert_int_equal(store_expense_get(fx->st, fx->alice, id, &e, &err), 0);
	strlcpy(e.note, "new wording", sizeof(e.note));
	assert_int_equal(store_expense_update(fx->st, &e, 0, &err), 0);
	assert_string_equal(fts_check(fx->st), "");
	found(fx->st, fx->alice, "old words", STORE_SEARCH_INDEX, &got, NULL);
	assert_int_equal(got.n, 0);
	found(fx->st, fx->alice, "NEW WORD", STORE_SEARCH_INDEX, &got, NULL);
	assert_int_equal(got.n, 1);
	/* an edit of other fields leaves the text as it was */
	e.amount = 999;
	assert_int_equal(store_expense_update(fx->st, &e, 0, &err), 0);
	found(fx->st, fx->alice, "new wording", STORE_SEARCH_INDEX, &got, NULL);
	assert_int_equal(got.n, 1);

	/* a delete (tombstone): still indexed, not found */
	assert_int_equal(store_expense_delete(fx->st, fx->alice, id2, 0, &err),
	    0);
	assert_string_equal(fts_check(fx->st), "");
	found(fx->st, fx->alice, "second row", STORE_SEARCH_INDEX, &got, NULL);
	assert_int_equal(got.n, 0);

	/* moved to another category */
	other = add_cat(fx->st, fx->alice, "other");
	assert_int_equal(store_category_delete(fx->st, fx->alice, fx->acat,
	    other, NULL, NULL, &err), 0);
	found(fx->st, fx->alice, "payee one", STORE_SEARCH_INDEX, &got, NULL);
	assert_int_equal(got.n, 1);
	assert_string_equal(fts_check(fx->st), "");

	/* a staged import: out of sight until published, and its undoing */
	assert_int_equal(store_import_stage(fx->st, fx->alice, "csv", "x.csv",
	    &imp, &blocking, &err), 0);
	memset(&e, 0, sizeof(e));
	e.user_id = fx->alice;
	e.category_id = other;
	e.amount = 5;
	e.stage = imp;
	strlcpy(e.currency, "EUR", sizeof(e.currency));
	strlcpy(e.date, "2025-02-01", sizeof(e.date));
	strlcpy(e.note, "staged import row", sizeof(e.note));
	assert_int_equal(store_expense_add(fx->st, &e, &err), 0);
	for (int m = STORE_SEARCH_AUTO; m <= STORE_SEARCH_SCAN; m++) {
		found(fx->st, fx->alice, "staged import", (enum store_search)m,
		    &got, NULL);
		assert_int_equal(got.n, 0);
		found(fx->st, fx->alice, "st", (enum store_search)m, &got, NULL);
		assert_int_equal(got.n, 0);
	}
	assert_int_equal(store_import_progress(fx->st, imp, e.id, e.id, &err),
	    0);
	assert_int_equal(store_import_publish(fx->st, fx->alice, imp, 1, &err),
	    0);
	found(fx->st, fx->alice, "staged import", STORE_SEARCH_INDEX, &got,
	    NULL);
	assert_int_equal(got.n, 1);
	assert_string_equal(fts_check(fx->st), "");

	/* a user's deletion (the cascade) */
	add_row(fx->st, fx->bob, fx->bcat, "2025-01-01", "bob's words", "", 1);
	assert_int_equal(store_user_delete(fx->st, fx->alice, &err), 0);
	assert_string_equal(fts_check(fx->st), "");
	found(fx->st, fx->bob, "bob's", STORE_SEARCH_INDEX, &got, NULL);
	assert_int_equal(got.n, 1);
	found(fx->st, fx->alice, "new wording", STORE_SEARCH_INDEX, &got, NULL);
	assert_int_equal(got.n, 0);
	/* and the index holds no row of alice's any more */
	{
		sqlite3_stmt *s;

		assert_int_equal(sqlite3_prepare_v2(fx->st->db, "SELECT count(*) "
		    "FROM expenses_fts WHERE expenses_fts MATCH '\"wording\"'",
		    -1, &s, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(s, 0), 0);
		sqlite3_finalize(s);
	}
}

/* The migration that adds the index (store_migrations.c). */
#define FTS_MIGRATION 5

/* A database at the schema before the index opens as the latest and
 * its rows are found through the index. */
static void
test_upgrade_from_v3(void **state)
{
	char path[128];
	sqlite3 *db;
	struct store *st;
	struct spend_err err;
	struct ids got;
	const char *how;

	(void)state;
	strlcpy(dir, "/tmp/spend-test-search.XXXXXX", sizeof(dir));
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/v3.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode = WAL; BEGIN",
	    NULL, NULL, NULL), SQLITE_OK);
	for (int v = 0; v < FTS_MIGRATION - 1; v++)
		if (sqlite3_exec(db, store_migrations[v], NULL, NULL, NULL) !=
		    SQLITE_OK)
			fail_msg("migration %d: %s", v + 1, sqlite3_errmsg(db));
	{
		char pragma[64];

		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d",
		    FTS_MIGRATION - 1);
		assert_int_equal(sqlite3_exec(db, pragma, NULL, NULL, NULL),
		    SQLITE_OK);
	}
	if (sqlite3_exec(db, "INSERT INTO users(id, name, role, currency, timezone, created_at,"
	    "  updated_at) VALUES (1, 'alice', 'user', 'EUR', 'UTC', 'now', 'now'),"
	    "  (2, 'bob', 'user', 'EUR', 'UTC', 'now', 'now');"
	    "INSERT INTO categories(id, user_id, name, created_at, updated_at)"
	    "  VALUES (1, 1, 'food', 'now', 'now'), (2, 2, 'food', 'now', 'now');"
	    "INSERT INTO expenses(id, user_id, category_id, amount, amount_e4,"
	    "  currency, date, note, payee, deleted, created_at, updated_at)"
	    "  VALUES (1, 1, 1, 100, 10000, 'EUR', '2024-01-01', 'Old CAFÉ bill',"
	    "    'Zoë', 0, 'now', 'now'),"
	    "  (2, 1, 1, 200, 20000, 'EUR', '2024-01-02', 'gone café', '', 1,"
	    "    'now', 'now'),"
	    "  (3, 2, 2, 300, 30000, 'EUR', '2024-01-03', 'bob café', '', 0,"
	    "    'now', 'now'),"
	    "  (4, 1, 1, 400, 40000, 'EUR', '2024-01-04', '', 'Café du Coin', 0,"
	    "    'now', 'now');"
	    "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("v3 rows: %s", sqlite3_errmsg(db));
	sqlite3_close(db);

	if (store_open(path, 0, &st, &err) < 0)
		fail_msg("open v3: %s", err.msg);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	assert_string_equal(fts_check(st), "");
	found(st, 1, "café", STORE_SEARCH_AUTO, &got, &how);
	assert_string_equal(how, "index");
	assert_int_equal(got.n, 2);
	assert_true(got.v[0] == 4 && got.v[1] == 1);
	found(st, 1, "zoË", STORE_SEARCH_INDEX, &got, NULL);
	assert_int_equal(got.n, 1);
	found(st, 2, "CAFÉ", STORE_SEARCH_INDEX, &got, NULL);
	assert_int_equal(got.n, 1);
	/* and the triggers work on the upgraded file */
	add_row(st, 2, 2, "2024-02-01", "after the upgrade", "", 1);
	found(st, 2, "upgrade", STORE_SEARCH_INDEX, &got, NULL);
	assert_int_equal(got.n, 1);
	assert_string_equal(fts_check(st), "");
	store_close(st);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_random_vs_oracle, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_literal_operators, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_short_terms, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_function, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paths_identical, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_index_follows_writes, setup,
		    teardown),
		cmocka_unit_test(test_upgrade_from_v3),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
