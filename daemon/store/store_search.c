/*
 * Search in notes, payees and tags (expense.list --search, and the
 * exports and reports that take the same filters).
 *
 * What a search finds: the rows whose note, payee or one of whose tags
 * holds the term as a substring once both are folded (st_fold below):
 * any case, any accent, in every script ("cafe" finds "Café" and
 * "CAFE\u0301", "strasse" finds "Straße"), every character literal.
 *
 * The folded text of a row is kept in expenses.search_text (migration 9),
 * written by store_expense_add/update beside the fields it comes from:
 * fold(note) SEP fold(payee) [SEP fold(tag)]..., SEP a character no
 * folded text holds, so no term spans two fields or two tags. Three ways
 * to search it, with the same rows in the same order:
 *
 *   - the index (expenses_fts, FTS5 trigram over search_text, case
 *     sensitive: it folds nothing more) for a folded term of 3
 *     characters or more that it holds at most SEARCH_INDEX_MAX times
 *     across all users: the matching rowids drive the query, the user's
 *     other filters and the sort apply to those;
 *   - a scan of the user's rows with instr(search_text, term) for a term
 *     the index holds more often than that, so that a page stops early in
 *     the sort order instead of sorting every match, and for a term of
 *     one or two characters, which a trigram index cannot look up;
 *   - the old LIKE scan of note, payee and tags (ASCII case folding only,
 *     accents count), when spendd runs with SPEND_BENCH_SEARCH=like in
 *     its environment: for tests/bench only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "store_internal.h"
#include "log.h"

/* Past this many matches (all users) a term is looked for by a scan. */
#define SEARCH_INDEX_MAX 2000

/* ---- folding ---- */

/* A growing buffer; on failure of an append, p is freed and NULL. */
struct fbuf {
	char *p;
	size_t len, cap;
	bool failed;
};

static void
fb_add(struct fbuf *b, const void *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 128;
		char *p;

		while (b->len + n + 1 > cap)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			free(b->p);
			b->p = NULL;
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* U+FFFD: what an invalid byte, or the separator in a text, becomes */
static const char replacement[] = "\xef\xbf\xbd";

/*
 * Append the folding of s (n bytes) to b:
 *   1. Unicode full case folding, then compatibility decomposition
 *      (libunistring's u8_casefold with NFKD): "É" is "e" + U+0301,
 *      "ß" is "ss", "ﬁ" is "fi", "Ａ" is "a", "Å" (the ångström sign)
 *      is "a" + U+030A;
 *   2. the combining marks that Unicode calls diacritics (general
 *      category M with the Diacritic property) dropped: accents, cedillas,
 *      Greek tonos, Hebrew points, Arabic harakat, the kana voicing marks,
 *      Thai tone marks; the vowel signs of Indic and Thai scripts are
 *      letters there and stay;
 *   3. the rest composed again (NFC), so a Hangul syllable or a letter
 *      with a mark that is not a diacritic stays one character.
 * Letters Unicode does not decompose stay as they are ("ø", "ł", "đ",
 * "æ", "ı"). Invalid UTF-8 bytes become U+FFFD, and so does SEARCH_SEP.
 * ASCII takes a short way with the same result. 0, or -1 out of memory.
 */
static int
fold_append(struct fbuf *b, const char *s, size_t n)
{
	const uint8_t *u = (const uint8_t *)s, *p, *end;
	uint8_t *clean = NULL, *cf = NULL, *nfc = NULL, *mid = NULL;
	size_t cflen = 0, nfclen = 0, midlen = 0, i;
	int r = -1;

	if (n == 0)
		return 0;
	for (i = 0; i < n && u[i] < 0x80; i++)
		;
	if (i == n) {
		char chunk[256];
		size_t o = 0;

		for (i = 0; i < n; i++) {
			char c = s[i];

			if (c == SEARCH_SEP) {
				fb_add(b, chunk, o);
				o = 0;
				fb_add(b, replacement, 3);
				continue;
			}
			chunk[o++] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
			if (o == sizeof(chunk)) {
				fb_add(b, chunk, o);
				o = 0;
			}
		}
		fb_add(b, chunk, o);
		return b->failed ? -1 : 0;
	}
	if (u8_check(u, n) != NULL) {
		/* invalid UTF-8 (not from the API, which refuses it): each
		 * bad byte one U+FFFD, as u8_mbtouc reads it */
		struct fbuf c = { 0 };

		for (p = u, end = u + n; p < end;) {
			ucs4_t uc;
			int k = u8_mbtouc(&uc, p, (size_t)(end - p));

			if (uc == 0xfffd && !(k == 3 && memcmp(p, replacement,
			    3) == 0))
				fb_add(&c, replacement, 3);
			else
				fb_add(&c, p, (size_t)k);
			p += k;
		}
		if (c.failed)
			return -1;
		clean = (uint8_t *)c.p;
		u = clean;
		n = c.len;
	}
	if ((cf = u8_casefold(u, n, NULL, UNINORM_NFKD, NULL, &cflen)) == NULL)
		goto out;
	if ((mid = malloc(cflen + 1)) == NULL)
		goto out;
	for (p = cf, end = cf + cflen; p < end;) {
		ucs4_t uc;
		int k = u8_mbtouc_unsafe(&uc, p, (size_t)(end - p));

		if (!(uc_is_general_category(uc, UC_CATEGORY_M) &&
		    uc_is_property_diacritic(uc))) {
			memcpy(mid + midlen, p, (size_t)k);
			midlen += (size_t)k;
		}
		p += k;
	}
	if (midlen > 0 && (nfc = u8_normalize(UNINORM_NFC, mid, midlen, NULL,
	    &nfclen)) == NULL)
		goto out;
	/* the separator in the text (a control character: the steps above
	 * leave it alone) */
	for (p = nfc, end = nfc + nfclen; p < end; p++) {
		const uint8_t *q = memchr(p, SEARCH_SEP, (size_t)(end - p));

		if (q == NULL) {
			fb_add(b, p, (size_t)(end - p));
			break;
		}
		fb_add(b, p, (size_t)(q - p));
		fb_add(b, replacement, 3);
		p = q;
	}
	r = b->failed ? -1 : 0;
out:
	free(clean);
	free(cf);
	free(mid);
	free(nfc);
	return r;
}

/* Characters (code points) in the UTF-8 s of n bytes. */
static size_t
utf8_chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

int
st_fold(const char *s, char **out, size_t *len)
{
	struct fbuf b = { 0 };

	fb_add(&b, "", 0);
	if (b.failed || fold_append(&b, s, strlen(s)) < 0) {
		free(b.p);
		*out = NULL;
		return -1;
	}
	*out = b.p;
	if (len)
		*len = b.len;
	return 0;
}

/* The search text of a row into b: see the top of this file. tags is
 * the canonical ",a,b," (or ""). */
static void
search_text(struct fbuf *b, const char *note, size_t nlen,
    const char *payee, size_t plen, const char *tags, size_t tlen)
{
	const char sep = SEARCH_SEP;

	fb_add(b, "", 0);
	if (fold_append(b, note, nlen) < 0)
		return;
	fb_add(b, &sep, 1);
	if (fold_append(b, payee, plen) < 0)
		return;
	for (size_t i = 0; i < tlen;) {
		size_t k = i;

		while (k < tlen && tags[k] != ',')
			k++;
		if (k > i) {
			fb_add(b, &sep, 1);
			if (fold_append(b, tags + i, k - i) < 0)
				return;
		}
		i = k + 1;
	}
}

int
st_search_text(const char *note, const char *payee, const char *tags,
    char **out, struct spend_err *err)
{
	struct fbuf b = { 0 };

	search_text(&b, note, strlen(note), payee, strlen(payee), tags,
	    strlen(tags));
	if (b.failed || b.p == NULL) {
		free(b.p);
		*out = NULL;
		return spend_errf(err, SPEND_ENOMEM, "", "search text: out of "
		    "memory");
	}
	*out = b.p;
	return 0;
}

/* ---- SQL: spend_fold(text) and spend_fold(note, payee, tags) ---- */

/*
 * One argument: the folding of the text. Three: the search text of a
 * row with that note, payee and tags (what migration 9 fills
 * search_text with). NULL reads as "". Registered on every connection
 * (st_search_init), for the migration and for tests; the store's writes
 * compute search_text in C and need no function in the schema, so the
 * sqlite3 shell can still write rows.
 */
static void
spend_fold(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *v[3] = { "", "", "" };
	size_t n[3] = { 0, 0, 0 };
	struct fbuf b = { 0 };

	for (int i = 0; i < argc && i < 3; i++) {
		if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
			continue;
		if ((v[i] = (const char *)sqlite3_value_text(argv[i])) == NULL) {
			sqlite3_result_error_nomem(ctx);
			return;
		}
		n[i] = (size_t)sqlite3_value_bytes(argv[i]);
	}
	if (argc == 1) {
		fb_add(&b, "", 0);
		fold_append(&b, v[0], n[0]);
	} else
		search_text(&b, v[0], n[0], v[1], n[1], v[2], n[2]);
	if (b.failed || b.p == NULL) {
		free(b.p);
		sqlite3_result_error_nomem(ctx);
		return;
	}
	sqlite3_result_text64(ctx, b.p, b.len, free, SQLITE_UTF8);
}

/* ---- per connection ---- */

int
st_search_init(struct store *st, struct spend_err *err)
{
	const char *env = getenv("SPEND_BENCH_SEARCH");
	const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC |
	    SQLITE_INNOCUOUS;

	if (sqlite3_create_function_v2(st->db, "spend_fold", 1, flags, NULL,
	    spend_fold, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function_v2(st->db, "spend_fold", 3, flags, NULL,
	    spend_fold, NULL, NULL, NULL) != SQLITE_OK)
		return st_error(st, err, "register spend_fold");
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

static int
too_long(struct spend_err *err)
{
	return spend_errf(err, SPEND_EINVAL, "search", "search: the text is "
	    "too long once its ligatures and compatibility characters are "
	    "spelled out");
}

int
st_search_cond(struct store *st, const char *term, struct st_search *out,
    struct spend_err *err)
{
	enum store_search m = st->search_mode;
	size_t o = 0, flen;
	char *folded;
	int r;

	memset(out, 0, sizeof(out[0]));
	if (m == STORE_SEARCH_LIKE) {
		/* %term% with LIKE's own metacharacters escaped */
		out->text[o++] = '%';
		for (const char *p = term; *p; p++) {
			if (o + 3 >= sizeof(out->text))
				return too_long(err);
			if (*p == '%' || *p == '_' || *p == '\\')
				out->text[o++] = '\\';
			out->text[o++] = *p;
		}
		out->text[o++] = '%';
		out->text[o] = '\0';
		out->sql = " AND (e.note LIKE ? ESCAPE '\\' OR "
		    "e.payee LIKE ? ESCAPE '\\' OR e.tags LIKE ? ESCAPE '\\')";
		out->nbind = 3;
		return 0;
	}
	if (st_fold(term, &folded, &flen) < 0)
		return spend_errf(err, SPEND_ENOMEM, "", "search: out of memory");
	if (flen == 0) {
		/* nothing left once folded (only accents): every row */
		free(folded);
		out->sql = "";
		return 0;
	}
	if (m != STORE_SEARCH_SCAN && utf8_chars(folded, flen) >= 3) {
		/* one phrase, every character literal: operators, column
		 * filters, prefixes and parentheses are text inside quotes,
		 * and a quote is written twice */
		out->text[o++] = '"';
		for (const char *p = folded; *p; p++) {
			if (o + 4 >= sizeof(out->text)) {
				free(folded);
				return too_long(err);
			}
			if (*p == '"')
				out->text[o++] = '"';
			out->text[o++] = *p;
		}
		out->text[o++] = '"';
		out->text[o] = '\0';
		if ((r = st_fts_queued(st, err)) < 0) {
			free(folded);
			return r;
		}
		if (r == 1)	/* the index is behind the rows */
			m = STORE_SEARCH_SCAN;
		if (m == STORE_SEARCH_AUTO) {
			int n = 0;

			if ((r = index_count(st, out->text, SEARCH_INDEX_MAX, &n,
			    err)) < 0) {
				free(folded);
				return r;
			}
			m = n <= SEARCH_INDEX_MAX ? STORE_SEARCH_INDEX :
			    STORE_SEARCH_SCAN;
		}
		if (m == STORE_SEARCH_INDEX) {
			free(folded);
			out->sql = " AND e.id IN (SELECT rowid FROM expenses_fts "
			    "WHERE expenses_fts MATCH ?)";
			out->nbind = 1;
			out->drives = true;
			return 0;
		}
	}
	if (flen >= sizeof(out->text)) {
		free(folded);
		return too_long(err);
	}
	memcpy(out->text, folded, flen + 1);
	free(folded);
	out->sql = " AND instr(e.search_text, ?) > 0";
	out->nbind = 1;
	return 0;
}

int
store_fold(const char *s, char **out, struct spend_err *err)
{
	if (st_fold(s, out, NULL) < 0)
		return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	return 0;
}
