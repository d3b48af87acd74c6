/*
 * Search in notes and payees (expense.list --search, and the exports and
 * reports that take the same filters).
 *
 * What a search finds: the rows whose note or payee holds the term as a
 * substring, with letters compared after the case folding of FTS5's
 * trigram tokenizer (every script it folds: "É" finds "é", "Д" finds
 * "д"), accents kept ("cafe" does not find "café"), every character
 * literal. Three ways to get there, with the same rows in the same order:
 *
 *   - the index (migration 5: expenses_fts, FTS5 trigram over note and
 *     payee) for a term of 3 characters or more that it holds at most
 *     SEARCH_INDEX_MAX times across all users: the matching rowids drive
 *     the query, the user's other filters and the sort apply to those;
 *   - a scan of the user's rows with spend_search() (below) for a term
 *     the index holds more often than that, so that a page stops early in
 *     the sort order instead of sorting every match, and for a term of
 *     one or two characters, which a trigram index cannot look up;
 *   - the old LIKE scan (ASCII case folding only), when spendd runs with
 *     SPEND_BENCH_SEARCH=like in its environment: for tests/bench only.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "log.h"

/* Past this many matches (all users) a term is looked for by a scan. */
#define SEARCH_INDEX_MAX 2000

/* ---- case folding, as FTS5's trigram tokenizer does it ---- */

/*
 * The tokenizer folds each code point on its own (sqlite3Fts5UnicodeFold
 * in SQLite's source, not an API). Rather than copy that table, and drift
 * from the SQLite we run on, it is read from the tokenizer once per
 * process: tokenize every code point followed by two letters, and the
 * first character of each trigram is the folded code point.
 */
struct fold {
	uint32_t from, to;
};

/* Process-wide, learnt once under fold_lock and only read after: FTS5's
 * case folding is SQLite's, the same for every connection. */
static pthread_mutex_t fold_lock = PTHREAD_MUTEX_INITIALIZER;
static bool fold_ready;
static unsigned char fold_ascii[128];
static struct fold *folds;	/* code points >= 128 that change, sorted */
static size_t nfolds;

/* A UTF-8 decoder that reads bytes exactly as FTS5 does (its READ_UTF8):
 * lenient, and what is not a character comes out as U+FFFD. */
static const unsigned char utf8_trans1[] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x00, 0x01, 0x02, 0x03, 0x00, 0x01, 0x00, 0x00,
};

static uint32_t
utf8_next(const unsigned char **pp, const unsigned char *end)
{
	const unsigned char *p = *pp;
	uint32_t c = *p++;

	if (c >= 0xc0) {
		c = utf8_trans1[c - 0xc0];
		while (p != end && (*p & 0xc0) == 0x80)
			c = (c << 6) + (0x3f & *p++);
		if (c < 0x80 || (c & 0xfffff800) == 0xd800 ||
		    (c & 0xfffffffe) == 0xfffe)
			c = 0xfffd;
	}
	*pp = p;
	return c;
}

/* Encode c (as SQLite's WRITE_UTF8 does) at o; returns the bytes. */
static size_t
utf8_put(unsigned char *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (unsigned char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (unsigned char)(0xc0 + (c >> 6));
		o[1] = (unsigned char)(0x80 + (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (unsigned char)(0xe0 + (c >> 12));
		o[1] = (unsigned char)(0x80 + ((c >> 6) & 0x3f));
		o[2] = (unsigned char)(0x80 + (c & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 + ((c >> 18) & 0x07));
	o[1] = (unsigned char)(0x80 + ((c >> 12) & 0x3f));
	o[2] = (unsigned char)(0x80 + ((c >> 6) & 0x3f));
	o[3] = (unsigned char)(0x80 + (c & 0x3f));
	return 4;
}

static uint32_t
fold(uint32_t c)
{
	size_t lo = 0, hi = nfolds;

	if (c < 128)
		return fold_ascii[c];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (folds[mid].from == c)
			return folds[mid].to;
		if (folds[mid].from < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return c;
}

#define FOLD_CHUNK 4096		/* code points per call of the tokenizer */

struct fold_read {
	uint32_t cp[FOLD_CHUNK];	/* the chunk's code points */
	int off[FOLD_CHUNK];		/* and their byte offsets */
	int n, next;			/* how many; the next token's */
	bool bad;			/* the tokenizer did not do as expected */
	struct fold *out;
	size_t nout, cap;
};

static int
fold_token(void *arg, int flags, const char *tok, int len, int start,
    int end)
{
	struct fold_read *r = arg;
	const unsigned char *p = (const unsigned char *)tok;
	uint32_t to;

	(void)flags;
	(void)end;
	if (r->next >= r->n)	/* the trigrams of the padding */
		return SQLITE_OK;
	if (len <= 0 || start != r->off[r->next]) {
		r->bad = true;
		return SQLITE_ERROR;
	}
	to = utf8_next(&p, p + len);
	if (to != r->cp[r->next]) {
		if (r->cp[r->next] < 128) {
			if (to >= 128) {
				r->bad = true;
				return SQLITE_ERROR;
			}
			fold_ascii[r->cp[r->next]] = (unsigned char)to;
		} else {
			if (r->nout == r->cap) {
				size_t cap = r->cap ? r->cap * 2 : 1024;
				struct fold *f = realloc(r->out, cap * sizeof(*f));

				if (f == NULL)
					return SQLITE_NOMEM;
				r->out = f;
				r->cap = cap;
			}
			r->out[r->nout].from = r->cp[r->next];
			r->out[r->nout++].to = to;
		}
	}
	r->next++;
	return SQLITE_OK;
}

/* The fts5_api of db, or NULL. */
static fts5_api *
fts5_of(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(s);
	sqlite3_finalize(s);
	return api;
}

static int
fold_load(sqlite3 *db, struct spend_err *err)
{
	struct fold_read *r;
	unsigned char *text;
	fts5_api *api = fts5_of(db);
	fts5_tokenizer tk;
	Fts5Tokenizer *t = NULL;
	void *ud = NULL;
	uint32_t c = 1;
	int rc = SQLITE_OK;

	if (api == NULL || api->xFindTokenizer(api, "trigram", &ud, &tk) !=
	    SQLITE_OK)
		return spend_errf(err, SPEND_ESTORE, "", "this SQLite has no "
		    "FTS5 trigram tokenizer (SQLite 3.34 or later, built with "
		    "FTS5): search needs it");
	r = calloc(1, sizeof(*r));
	text = malloc(FOLD_CHUNK * 4 + 2);
	if (r == NULL || text == NULL || tk.xCreate(ud, NULL, 0, &t) !=
	    SQLITE_OK) {
		free(r);
		free(text);
		return spend_errf(err, SPEND_ENOMEM, "", "search: out of memory");
	}
	for (int i = 0; i < 128; i++)
		fold_ascii[i] = (unsigned char)i;
	while (c <= 0x10ffff && rc == SQLITE_OK) {
		int len = 0;

		r->n = r->next = 0;
		for (; c <= 0x10ffff && r->n < FOLD_CHUNK; c++) {
			/* these the tokenizer reads as U+FFFD (or the end) */
			if ((c & 0xfffff800) == 0xd800 ||
			    (c & 0xfffffffe) == 0xfffe)
				continue;
			r->cp[r->n] = c;
			r->off[r->n++] = len;
			len += (int)utf8_put(text + len, c);
		}
		text[len++] = 'x';
		text[len++] = 'x';
		rc = tk.xTokenize(t, r, FTS5_TOKENIZE_DOCUMENT, (char *)text, len,
		    fold_token);
		if (rc == SQLITE_OK && r->next != r->n)
			r->bad = true;
		if (r->bad)
			rc = SQLITE_ERROR;
	}
	tk.xDelete(t);
	free(text);
	if (rc != SQLITE_OK) {
		free(r->out);
		free(r);
		if (rc == SQLITE_NOMEM)
			return spend_errf(err, SPEND_ENOMEM, "",
			    "search: out of memory");
		return spend_errf(err, SPEND_ESTORE, "", "search: FTS5's trigram "
		    "tokenizer does not tokenize as expected (one trigram per "
		    "character): cannot learn its case folding");
	}
	/* in code point order already: the chunks were */
	folds = r->out;
	nfolds = r->nout;
	free(r);
	return 0;
}

/* The folded UTF-8 of s (n bytes) into out (3 * n bytes: one byte may
 * read as U+FFFD), its length. */
static size_t
fold_utf8(const unsigned char *s, size_t n, unsigned char *out)
{
	const unsigned char *end = s + n;
	size_t o = 0;

	while (s < end)
		o += utf8_put(out + o, fold(utf8_next(&s, end)));
	return o;
}

/* Characters in s, as FTS5 counts them. */
static size_t
utf8_chars(const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	size_t n = 0;

	while (p < end) {
		utf8_next(&p, end);
		n++;
	}
	return n;
}

/* ---- spend_search(haystack, needle) ---- */

struct needle {
	size_t len;
	unsigned char s[];
};

/*
 * 1 if needle occurs in haystack once both are folded (above), else 0;
 * NULL if either is NULL. An empty needle is in every haystack. The
 * folded needle is kept with the statement (auxdata): a scan folds it
 * once.
 */
static void
spend_search(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *h, *n;
	struct needle *nd;
	unsigned char stack[3 * 1024 + 4], *buf = stack;
	size_t hlen, flen;
	bool fresh = false;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL ||
	    sqlite3_value_type(argv[1]) == SQLITE_NULL)
		return;
	if ((nd = sqlite3_get_auxdata(ctx, 1)) == NULL) {
		size_t len;

		if ((n = sqlite3_value_text(argv[1])) == NULL)
			goto nomem;
		len = (size_t)sqlite3_value_bytes(argv[1]);
		if ((nd = sqlite3_malloc64(sizeof(*nd) + 3 * len + 1)) == NULL)
			goto nomem;
		nd->len = fold_utf8(n, len, nd->s);
		fresh = true;
	}
	if ((h = sqlite3_value_text(argv[0])) == NULL)
		goto nomem;
	hlen = (size_t)sqlite3_value_bytes(argv[0]);
	if (3 * hlen + 4 > sizeof(stack) &&
	    (buf = sqlite3_malloc64(3 * hlen + 4)) == NULL)
		goto nomem;
	flen = fold_utf8(h, hlen, buf);
	/* both in the same encoding of the same code points: a byte match
	 * starts on a character and is a character match */
	sqlite3_result_int(ctx, nd->len == 0 ||
	    memmem(buf, flen, nd->s, nd->len) != NULL);
	if (buf != stack)
		sqlite3_free(buf);
	/* last: SQLite may free it at once (it may keep none) */
	if (fresh)
		sqlite3_set_auxdata(ctx, 1, nd, sqlite3_free);
	return;
nomem:
	if (fresh)
		sqlite3_free(nd);
	sqlite3_result_error_nomem(ctx);
}

/* ---- per connection ---- */

int
st_search_init(struct store *st, struct spend_err *err)
{
	const char *env = getenv("SPEND_BENCH_SEARCH");
	int r = 0;

	pthread_mutex_lock(&fold_lock);
	if (!fold_ready && (r = fold_load(st->db, err)) == 0)
		fold_ready = true;
	pthread_mutex_unlock(&fold_lock);
	if (r < 0)
		return r;
	if (sqlite3_create_function_v2(st->db, "spend_search", 2,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
	    spend_search, NULL, NULL, NULL) != SQLITE_OK)
		return st_error(st, err, "register spend_search");
	st->search_mode = STORE_SEARCH_AUTO;
	if (env && strcmp(env, "like") == 0) {
		static bool said;

		st->search_mode = STORE_SEARCH_LIKE;
		if (!said)	/* once, not for every worker's connection */
			log_warnx("store: SPEND_BENCH_SEARCH=like: searching "
			    "with the old LIKE scan (benchmarks only)");
		said = true;
	}
	return 0;
}

void
store_search_mode(struct store *st, enum store_search m)
{
	st->search_mode = m;
}

/* How many rows (all users) the index holds term in, up to max + 1. */
static int
index_count(struct store *st, const char *match, int max, int *n,
    struct spend_err *err)
{
	sqlite3_stmt *s = st_prepare(st, "SELECT count(*) FROM (SELECT 1 FROM "
	    "expenses_fts WHERE expenses_fts MATCH ? LIMIT ?)", err);
	int rc;

	if (s == NULL)
		return st_failed(st);
	sqlite3_bind_text(s, 1, match, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, max + 1);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return st_error(st, err, "search");
	return 0;
}

int
st_search_cond(struct store *st, const char *term, struct st_search *out,
    struct spend_err *err)
{
	enum store_search m = st->search_mode;
	size_t o = 0;
	int r;

	memset(out, 0, sizeof(*out));
	if (m == STORE_SEARCH_LIKE) {
		/* %term% with LIKE's own metacharacters escaped */
		out->text[o++] = '%';
		for (const char *p = term; *p; p++) {
			if (*p == '%' || *p == '_' || *p == '\\')
				out->text[o++] = '\\';
			out->text[o++] = *p;
		}
		out->text[o++] = '%';
		out->text[o] = '\0';
		out->sql = " AND (e.note LIKE ? ESCAPE '\\' OR "
		    "e.payee LIKE ? ESCAPE '\\')";
		out->nbind = 2;
		return 0;
	}
	if (m != STORE_SEARCH_SCAN && utf8_chars(term) >= 3) {
		/* one phrase, every character literal: operators, column
		 * filters, prefixes and parentheses are text inside quotes,
		 * and a quote is written twice */
		out->text[o++] = '"';
		for (const char *p = term; *p; p++) {
			if (*p == '"')
				out->text[o++] = '"';
			out->text[o++] = *p;
		}
		out->text[o++] = '"';
		out->text[o] = '\0';
		if (m == STORE_SEARCH_AUTO) {
			int n = 0;

			if ((r = index_count(st, out->text, SEARCH_INDEX_MAX, &n,
			    err)) < 0)
				return r;
			m = n <= SEARCH_INDEX_MAX ? STORE_SEARCH_INDEX :
			    STORE_SEARCH_SCAN;
		}
		if (m == STORE_SEARCH_INDEX) {
			out->sql = " AND e.id IN (SELECT rowid FROM expenses_fts "
			    "WHERE expenses_fts MATCH ?)";
			out->nbind = 1;
			out->drives = true;
			return 0;
		}
	}
	strlcpy(out->text, term, sizeof(out->text));
	out->sql = " AND (spend_search(e.note, ?) OR spend_search(e.payee, ?))";
	out->nbind = 2;
	return 0;
}
