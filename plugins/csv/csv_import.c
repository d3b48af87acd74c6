/*
 * csv importer: bank exports and spreadsheets, streamed through libcsv.
 *
 * The first 64 KiB decide what cannot be known row by row: a byte order
 * mark, the encoding (UTF-8, else Windows-1252 as older German and French
 * bank exports are), and the delimiter (, ; or tab). Then the input goes
 * to csv_parse() one physical line at a time, so that every row knows the
 * line it starts on. The header row (after any preamble of account
 * details) maps columns to fields by name, in English, German or French,
 * or by the map.FIELD options; rows go to ingest.c, which parses dates
 * and amounts and emits the records, or reports to the host the rows it
 * leaves out (zero amounts, money in, rows with none of the fields). A
 * line whose cells are all empty is not a row: it is not counted.
 *
 * Options (besides those of ingest.h):
 *	map.FIELD	column name or 1-based number for date, amount, debit,
 *			credit, currency, category, note, payee, tags,
 *			source_id
 *	delimiter	"," ";" "tab" or any one character
 *	header		yes, no or auto (default)
 *	skip		leading lines to ignore before the header
 *	encoding	utf-8, latin1 or cp1252 (default: detected)
 *
 * Memory stays bounded: one read buffer, one row (at most ROW_MAX bytes)
 * and the ingest queue.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>

#include "csv.h"
#include "../common/amount.h"
#include "../common/date.h"
#include "../common/ingest.h"
#include "../common/text.h"

#define CHUNK 65536		/* bytes per import_read */
#define SNIFF_LINES 20		/* lines looked at for the delimiter */
#define ROW_MAX (1u << 20)	/* bytes in one row */
#define COLS_MAX 1024
#define PREAMBLE_MAX 30		/* rows before the header we may skip */

struct cimp {
	struct spend_plugin *self;
	struct spend_import *job;
	const struct spend_host_api *host;
	struct ingest in;
	struct csv_parser p;
	int parser_ready;
	unsigned char delim;
	int cp1252;		/* convert from Windows-1252 */
	size_t line;		/* physical line of the bytes being fed */
	int cr_pending;		/* a CR ended the last piece */
	size_t last_end;	/* line the previous row ended on */
	/* the row being collected: cells back to back, NUL-terminated */
	char *cells;
	size_t clen, ccap;
	size_t *off;
	size_t ncells, ocap;
	size_t row_nl;		/* line breaks inside its cells */
	/* columns */
	int header;		/* 1 yes, 0 no, -1 auto */
	size_t skip;
	size_t nrows, npreamble;
	size_t first_data;	/* line of the first data-like row */
	int mapped;
	int col[IF_N];		/* 0-based, -1 = none */
	const char *map[IF_N];	/* the map.FIELD options */
	int failed;
};

/* ---- header names ---- */

/* Known header names per field, most specific first: the first name found
 * in the header wins. Compared after trimming, lower-casing ASCII and
 * dropping a trailing "(EUR)" or "[EUR]". */
static const char *const date_names[] = {
	"date", "transaction date", "posting date", "posted date",
	"booking date", "trans. date", "trans date", "buchungstag",
	"buchungsdatum", "datum", "belegdatum", "date de l'opération",
	"date d'opération", "date opération", "date operation",
	"date de comptabilisation", "value date", "valuta", "valutadatum",
	"wertstellung", "date de valeur", NULL,
};
static const char *const amount_names[] = {
	"amount", "transaction amount", "betrag", "umsatz", "buchungsbetrag",
	"montant", "montant de l'opération", "value", "sum", NULL,
};
static const char *const debit_names[] = {
	"debit", "debit amount", "debits", "withdrawal", "withdrawals",
	"money out", "paid out", "out", "soll", "ausgang", "ausgaben",
	"débit", "debit amount", NULL,
};
static const char *const credit_names[] = {
	"credit", "credit amount", "credits", "deposit", "deposits",
	"money in", "paid in", "in", "haben", "eingang", "einnahmen",
	"crédit", NULL,
};
static const char *const currency_names[] = {
	"currency", "ccy", "currency code", "währung", "waehrung", "devise",
	"monnaie", NULL,
};
static const char *const category_names[] = {
	"category", "kategorie", "catégorie", "categorie", "rubrique", NULL,
};
static const char *const note_names[] = {
	"note", "notes", "description", "memo", "details", "narrative",
	"verwendungszweck", "buchungstext", "beschreibung", "text",
	"libellé", "libelle", "libellé de l'opération",
	"description de l'opération", "détails", "commentaire", "motif",
	"remarque", "reference", "referenz", "référence", NULL,
};
static const char *const payee_names[] = {
	"payee", "payee name", "merchant", "merchant name", "beneficiary",
	"counterparty", "counter party", "recipient", "name",
	"empfänger", "zahlungsempfänger", "empfänger/zahlungspflichtiger",
	"auftraggeber/empfänger", "auftraggeber / empfänger",
	"begünstigter/zahlungspflichtiger", "beguenstigter/zahlungspflichtiger",
	"auftraggeber / begünstigter", "name zahlungsbeteiligter",
	"zahlungsbeteiligter", "bénéficiaire", "beneficiaire", "tiers",
	"destinataire", NULL,
};
static const char *const tags_names[] = {
	"tags", "tag", "labels", "schlagworte", "étiquettes", NULL,
};

static const char *const *const field_names[IF_N] = {
	[IF_DATE] = date_names, [IF_AMOUNT] = amount_names,
	[IF_DEBIT] = debit_names, [IF_CREDIT] = credit_names,
	[IF_CURRENCY] = currency_names, [IF_CATEGORY] = category_names,
	[IF_NOTE] = note_names, [IF_PAYEE] = payee_names,
	[IF_TAGS] = tags_names, [IF_SOURCE_ID] = NULL,
};

/* A header cell as compared: trimmed, ASCII lower case, without a
 * trailing "(...)" or "[...]" unit, and without the ' our exporter may
 * put before text. */
static void
header_key(const char *s, char *out, size_t len)
{
	size_t n = 0, i;

	if (s[0] == '\'' && s[1] && strchr("=+-@\t\r", s[1]))
		s++;
	while (*s == ' ' || *s == '\t')
		s++;
	for (; *s && n + 1 < len; s++)
		out[n++] = (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
	out[n] = '\0';
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		out[--n] = '\0';
	if (n > 2 && (out[n - 1] == ')' || out[n - 1] == ']')) {
		char open = out[n - 1] == ')' ? '(' : '[';

		for (i = n - 1; i > 0 && out[i] != open; i--)
			;
		if (i > 0) {
			out[i] = '\0';
			while (i > 0 && out[i - 1] == ' ')
				out[--i] = '\0';
		}
	}
}

static const char *
cell(const struct cimp *c, size_t i)
{
	return i < c->ncells ? c->cells + c->off[i] : NULL;
}

/* The column whose header is one of names (earliest name first), not in
 * taken; -1 if none. */
static int
find_alias(const struct cimp *c, const char *const *names,
    const unsigned char *taken)
{
	char key[128];

	for (; names && *names; names++)
		for (size_t i = 0; i < c->ncells && i < COLS_MAX; i++) {
			if (taken[i])
				continue;
			header_key(cell(c, i), key, sizeof(key));
			if (strcmp(key, *names) == 0)
				return (int)i;
		}
	return -1;
}

/* The column called name (compared like header_key), or -1. */
static int
find_column(const struct cimp *c, const char *name)
{
	char key[128], want[128];

	header_key(name, want, sizeof(want));
	for (size_t i = 0; i < c->ncells; i++) {
		header_key(cell(c, i), key, sizeof(key));
		if (strcmp(key, want) == 0)
			return (int)i;
	}
	return -1;
}

/* A 1-based column number option ("3"), or 0 if it is a name. */
static long
col_number(const char *s)
{
	long v = 0;

	if (*s == '\0')
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > COLS_MAX)
			return 0;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* "Date", "Amount", ... for error messages. */
static void
columns_text(const struct cimp *c, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < c->ncells && n + 1 < len; i++) {
		int w = snprintf(buf + n, len - n, "%s\"%.40s\"",
		    i ? ", " : "", cell(c, i));

		if (w < 0 || (size_t)w >= len - n) {
			snprintf(buf + n, len - n, "...");
			break;
		}
		n += (size_t)w;
	}
}

/* Does this row look like the header: it has every named map.FIELD
 * column, or (without names) a date and an amount-like column. */
static int
is_header(const struct cimp *c)
{
	unsigned char taken[COLS_MAX] = { 0 };
	int named = 0;

	for (int f = 0; f < IF_N; f++) {
		if (c->map[f] == NULL || col_number(c->map[f]) > 0)
			continue;
		named = 1;
		if (find_column(c, c->map[f]) < 0)
			return 0;
	}
	if (named)
		return 1;
	return find_alias(c, date_names, taken) >= 0 &&
	    (find_alias(c, amount_names, taken) >= 0 ||
	    find_alias(c, debit_names, taken) >= 0 ||
	    find_alias(c, credit_names, taken) >= 0);
}

/* A data row: a date in one cell, an amount in another. */
static int
is_data(const struct cimp *c)
{
	for (size_t i = 0; i < c->ncells; i++) {
		if (!date_like(cell(c, i)))
			continue;
		for (size_t j = 0; j < c->ncells; j++)
			if (j != i && amount_like(cell(c, j)))
				return 1;
	}
	return 0;
}

/* "Betrag (EUR)", "Amount [GBP]": the currency of every row, unless a
 * currency column or option says otherwise. */
static void
header_currency(struct cimp *c)
{
	static const int money[] = { IF_AMOUNT, IF_DEBIT, IF_CREDIT };

	for (size_t k = 0; k < 3; k++) {
		const char *h, *open;
		char code[4];
		size_t n;

		if (c->col[money[k]] < 0 ||
		    (h = cell(c, (size_t)c->col[money[k]])) == NULL)
			continue;
		n = strlen(h);
		while (n > 0 && h[n - 1] == ' ')
			n--;
		if (n < 5 || (h[n - 1] != ')' && h[n - 1] != ']'))
			continue;
		open = h + n - 5;
		if (*open != (h[n - 1] == ')' ? '(' : '['))
			continue;
		for (size_t i = 0; i < 3; i++)
			code[i] = (char)(open[i + 1] >= 'a' && open[i + 1] <= 'z' ?
			    open[i + 1] - 32 : open[i + 1]);
		code[3] = '\0';
		if (c->host->currency_exponent(code) >= 0) {
			memcpy(c->in.currency, code, sizeof(code));
			return;
		}
	}
}

static int
map_error(struct cimp *c, size_t line, int f, const char *what)
{
	char cols[512];

	columns_text(c, cols, sizeof(cols));
	c->host->import_error(c->job, line, ingest_field_name[f],
	    "%s (columns: %s)", what, cols);
	return -1;
}

/* Map the columns, from this header row (hdr) or only from numbered
 * map.FIELD options (no header). */
static int
map_columns(struct cimp *c, size_t line, int hdr)
{
	unsigned char taken[COLS_MAX] = { 0 };
	char msg[256];
	int f, i;

	for (f = 0; f < IF_N; f++) {
		long n;

		c->col[f] = -1;
		if (c->map[f] == NULL)
			continue;
		if ((n = col_number(c->map[f])) > 0)
			i = (int)n - 1;
		else if (!hdr) {
			snprintf(msg, sizeof(msg), "map.%s=%s names a column, "
			    "but the file has no header row: use its number",
			    ingest_field_name[f], c->map[f]);
			return map_error(c, line, f, msg);
		} else if ((i = find_column(c, c->map[f])) < 0) {
			snprintf(msg, sizeof(msg), "map.%s: no column \"%s\" "
			    "in the header", ingest_field_name[f], c->map[f]);
			return map_error(c, line, f, msg);
		}
		if (hdr && (size_t)i >= c->ncells) {
			snprintf(msg, sizeof(msg), "map.%s=%s: the header has "
			    "%zu columns", ingest_field_name[f], c->map[f],
			    c->ncells);
			return map_error(c, line, f, msg);
		}
		c->col[f] = i;
		if (i < COLS_MAX)
			taken[i] = 1;
	}
	if (hdr) {
		for (f = 0; f < IF_N; f++) {
			if (c->col[f] >= 0 || c->map[f] != NULL)
				continue;
			/* a signed amount column wins over debit/credit,
			 * unless debit or credit were named */
			if ((f == IF_DEBIT || f == IF_CREDIT) &&
			    c->col[IF_AMOUNT] >= 0)
				continue;
			if (f == IF_AMOUNT && (c->map[IF_DEBIT] ||
			    c->map[IF_CREDIT]))
				continue;
			if ((c->col[f] = find_alias(c, field_names[f],
			    taken)) >= 0)
				taken[c->col[f]] = 1;
		}
	}
	if (c->col[IF_DATE] < 0)
		return map_error(c, line, IF_DATE, hdr ? "no date column in "
		    "the header; name it with --map COLUMN=date" : "no header "
		    "row: give the columns by number, as in --map 1=date "
		    "--map 3=amount");
	if (c->col[IF_AMOUNT] < 0 && c->col[IF_DEBIT] < 0 &&
	    c->col[IF_CREDIT] < 0)
		return map_error(c, line, IF_AMOUNT, hdr ? "no amount column "
		    "in the header; name it with --map COLUMN=amount (or "
		    "debit and credit)" : "no header row: give the columns "
		    "by number, as in --map 1=date --map 3=amount");
	if (hdr && c->col[IF_CURRENCY] < 0 && c->in.currency[0] == '\0')
		header_currency(c);
	c->mapped = 1;
	return 0;
}

/* ---- rows ---- */

static void
data_row(struct cimp *c, size_t line)
{
	struct ingest_row r;
	size_t i;
	int f;

	/* a line of empty cells (",,,," as spreadsheets pad) is no more a
	 * row than an empty line, which libcsv drops: not counted */
	for (i = 0; i < c->ncells && text_blank(cell(c, i)); i++)
		;
	if (i == c->ncells)
		return;
	r.line = line;
	r.skip = NULL;
	r.splits = NULL;
	for (f = 0; f < IF_N; f++) {
		r.f[f] = c->col[f] >= 0 ? cell(c, (size_t)c->col[f]) : NULL;
		if (r.f[f] && !text_utf8((const unsigned char *)r.f[f],
		    strlen(r.f[f]))) {
			c->host->import_error(c->job, line, ingest_field_name[f],
			    "%s is not UTF-8 text; set the encoding option "
			    "(--option encoding=latin1)", ingest_field_name[f]);
			c->failed = 1;
			return;
		}
	}
	if (ingest_row(&c->in, &r) < 0)
		c->failed = 1;
}

/* 1 if some map.FIELD option gives a column number. */
static int
numbered_map(const struct cimp *c)
{
	for (int f = 0; f < IF_N; f++)
		if (c->map[f] && col_number(c->map[f]) > 0)
			return 1;
	return 0;
}

/* No header row came: say why, naming the most useful line. */
static void
no_header(struct cimp *c, size_t line)
{
	char names[256] = "";
	size_t n = 0;
	int f, first = -1;

	for (f = 0; f < IF_N; f++) {
		if (c->map[f] == NULL || col_number(c->map[f]) > 0)
			continue;
		if (first < 0)
			first = f;
		n += (size_t)snprintf(names + n, n < sizeof(names) ?
		    sizeof(names) - n : 0, "%s\"%s\"", n ? ", " : "",
		    c->map[f]);
	}
	if (first >= 0)
		c->host->import_error(c->job, c->first_data ? c->first_data :
		    line, ingest_field_name[first], "no header row has all the "
		    "columns named by --map (%s)", names);
	else if (c->first_data)
		c->host->import_error(c->job, c->first_data, "date", "no "
		    "header row: give the columns by number, as in --map "
		    "1=date --map 3=amount");
	else
		c->host->import_error(c->job, line, NULL, "no header row found "
		    "(one with a date and an amount column); name the columns "
		    "with --map");
	c->failed = 1;
}

static void
row_done(struct cimp *c, size_t line)
{
	c->nrows++;
	if (c->nrows <= c->skip)
		return;
	if (!c->mapped) {
		if (c->header == 1 || (c->header < 0 && is_header(c))) {
			if (map_columns(c, line, 1) < 0)
				c->failed = 1;
			return;
		}
		if (c->header < 0) {
			/* headerless data needs numbered columns; anything
			 * else before the header is account details */
			int data = is_data(c);

			if (data && c->first_data == 0)
				c->first_data = line;
			if (!data || !numbered_map(c)) {
				if (++c->npreamble >= PREAMBLE_MAX)
					no_header(c, line);
				return;
			}
		}
		if (map_columns(c, line, 0) < 0) {
			c->failed = 1;
			return;
		}
	}
	data_row(c, line);
}

/* ---- libcsv callbacks ---- */

static int
grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	if ((q = realloc(*p, n * size)) == NULL)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

static void
cb_field(void *s, size_t len, void *arg)
{
	struct cimp *c = arg;
	const unsigned char *p = s;
	size_t i, need = len * (c->cp1252 ? 3 : 1) + 1;
	char *d;

	if (c->failed)
		return;
	if (memchr(s, '\0', len) != NULL) {
		/* the cell would end at the NUL without a word: refuse it */
		const char *field = NULL;
		char col[32];

		for (int f = 0; f < IF_N && field == NULL; f++)
			if (c->mapped && c->col[f] == (int)c->ncells)
				field = ingest_field_name[f];
		if (field == NULL) {
			snprintf(col, sizeof(col), "column %zu", c->ncells + 1);
			field = col;
		}
		c->host->import_error(c->job, c->last_end + 1, field,
		    "a NUL byte inside the cell (a binary file, or UTF-16?)");
		c->failed = 1;
		return;
	}
	if (c->ncells >= COLS_MAX || c->clen + need > ROW_MAX) {
		c->host->import_error(c->job, c->last_end + 1, NULL,
		    "row longer than %u bytes or %d columns", ROW_MAX,
		    COLS_MAX);
		c->failed = 1;
		return;
	}
	if (grow((void **)&c->cells, &c->ccap, c->clen + need, 1) < 0 ||
	    grow((void **)&c->off, &c->ocap, c->ncells + 1,
	    sizeof(*c->off)) < 0) {
		c->host->import_error(c->job, c->last_end + 1, NULL,
		    "out of memory");
		c->failed = 1;
		return;
	}
	c->off[c->ncells++] = c->clen;
	d = c->cells + c->clen;
	/* line breaks inside a quoted cell: CRLF, LF or a lone CR */
	for (i = 0; i < len; i++)
		if (p[i] == '\n' || (p[i] == '\r' &&
		    (i + 1 == len || p[i + 1] != '\n')))
			c->row_nl++;
	if (c->cp1252)
		d += text_cp1252_to_utf8(s, len, d);
	else {
		memcpy(d, s, len);
		d += len;
	}
	*d++ = '\0';
	c->clen = (size_t)(d - c->cells);
}

static void
cb_row(int term, void *arg)
{
	struct cimp *c = arg;
	size_t line = c->line - c->row_nl;

	(void)term;
	if (!c->failed)
		row_done(c, line);
	c->last_end = c->line;
	c->clen = c->ncells = c->row_nl = 0;
}

/* Feed len bytes to libcsv one physical line at a time, counting lines
 * (LF, CRLF or a lone CR). */
static int
feed(struct cimp *c, const char *s, size_t len)
{
	while (len > 0 && !c->failed) {
		size_t n = 0;
		int eol = 0;

		if (c->cr_pending) {
			c->cr_pending = 0;
			if (*s != '\n')
				c->line++;
		}
		while (n < len && s[n] != '\n' && s[n] != '\r')
			n++;
		if (n < len) {
			eol = s[n];
			n++;
		}
		if (csv_parse(&c->p, s, n, cb_field, cb_row, c) != n) {
			c->host->import_error(c->job, c->line, NULL,
			    "csv: %s", csv_strerror(csv_error(&c->p)));
			c->failed = 1;
		} else if (csv_get_buffer_size(&c->p) > ROW_MAX) {
			c->host->import_error(c->job, c->last_end + 1, NULL,
			    "a field is longer than %u bytes (a quote that is "
			    "never closed?)", ROW_MAX);
			c->failed = 1;
		}
		if (eol == '\n')
			c->line++;
		else if (eol == '\r')
			c->cr_pending = 1;
		s += n;
		len -= n;
	}
	return c->failed ? -1 : 0;
}

/* ---- sniffing ---- */

/* Valid UTF-8, forgiving a sequence cut at the end of the sample. */
static int
sample_utf8(const unsigned char *s, size_t len)
{
	size_t cut = 0;

	/* back up over the start of a sequence cut at the end */
	while (cut < 3 && cut < len && (s[len - 1 - cut] & 0xc0) == 0x80)
		cut++;
	if (cut < len && s[len - 1 - cut] >= 0xc0)
		len -= cut + 1;
	return text_utf8(s, len);
}

/* The delimiter that splits the sample's lines most consistently: the
 * most lines with the same (non-zero) count outside quotes; ties go to
 * tab, then ';', then ',' (a decimal comma file has commas too). */
static unsigned char
sniff_delim(const char *s, size_t len)
{
	static const unsigned char cand[3] = { '\t', ';', ',' };
	size_t counts[SNIFF_LINES][3], nlines = 0, k, i, j;
	size_t best_freq = 0;
	unsigned char best = ',';
	int quoted = 0;

	memset(counts, 0, sizeof(counts));
	for (i = 0; i < len && nlines < SNIFF_LINES; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (!quoted && (s[i] == '\n' || s[i] == '\r')) {
			if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')
				i++;
			nlines++;
		} else if (!quoted)
			for (k = 0; k < 3; k++)
				if ((unsigned char)s[i] == cand[k])
					counts[nlines][k]++;
	}
	if (nlines < SNIFF_LINES && i == len)
		nlines++;	/* the last line, unterminated */
	for (k = 0; k < 3; k++) {
		size_t freq_best = 0;

		for (i = 0; i < nlines; i++) {
			size_t freq = 0;

			if (counts[i][k] == 0)
				continue;
			for (j = 0; j < nlines; j++)
				freq += counts[j][k] == counts[i][k];
			if (freq > freq_best)
				freq_best = freq;
		}
		if (freq_best > best_freq) {
			best_freq = freq_best;
			best = cand[k];
		}
	}
	return best;
}

static int
space_only(unsigned char ch)
{
	return ch == ' ';
}

static int
read_options(struct cimp *c)
{
	const struct spend_host_api *host = c->host;
	const char *v;
	char key[32];

	for (int f = 0; f < IF_N; f++) {
		snprintf(key, sizeof(key), "map.%s", ingest_field_name[f]);
		c->map[f] = host->import_option(c->job, key);
		if (c->map[f] && *c->map[f] == '\0')
			c->map[f] = NULL;
	}
	c->header = -1;
	if ((v = host->import_option(c->job, "header")) != NULL) {
		if (strcmp(v, "yes") == 0)
			c->header = 1;
		else if (strcmp(v, "no") == 0)
			c->header = 0;
		else if (strcmp(v, "auto") != 0) {
			host->import_error(c->job, 0, "header", "header \"%s\": "
			    "expected yes, no or auto", v);
			return -1;
		}
	}
	if ((v = host->import_option(c->job, "skip")) != NULL) {
		char *end;
		unsigned long n = strtoul(v, &end, 10);

		if (*v < '0' || *v > '9' || *end != '\0' || n > 1000000) {
			host->import_error(c->job, 0, "skip", "skip \"%s\": "
			    "expected a number of lines", v);
			return -1;
		}
		c->skip = n;
	}
	if ((v = host->import_option(c->job, "delimiter")) != NULL) {
		if (strcmp(v, "tab") == 0 || strcmp(v, "\\t") == 0)
			c->delim = '\t';
		else if (strlen(v) == 1 && v[0] != '"' && v[0] != '\n' &&
		    v[0] != '\r')
			c->delim = (unsigned char)v[0];
		else {
			host->import_error(c->job, 0, "delimiter", "delimiter "
			    "\"%s\": expected one character or \"tab\"", v);
			return -1;
		}
	}
	c->cp1252 = -1;
	if ((v = host->import_option(c->job, "encoding")) != NULL) {
		if (strcasecmp(v, "utf-8") == 0 || strcasecmp(v, "utf8") == 0)
			c->cp1252 = 0;
		else if (strcasecmp(v, "latin1") == 0 ||
		    strcasecmp(v, "iso-8859-1") == 0 ||
		    strcasecmp(v, "cp1252") == 0 ||
		    strcasecmp(v, "windows-1252") == 0)
			c->cp1252 = 1;
		else {
			host->import_error(c->job, 0, "encoding", "encoding "
			    "\"%s\": expected utf-8, latin1 or cp1252", v);
			return -1;
		}
	}
	return 0;
}

static int
csv_import_run(struct spend_plugin *self, struct spend_import *job)
{
	struct cimp c;
	char *buf;
	size_t have = 0, start = 0;
	long n = 1;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	c.self = self;
	c.job = job;
	c.host = csv_host;
	c.line = 1;
	if (read_options(&c) < 0)
		return -1;
	if ((buf = malloc(CHUNK)) == NULL) {
		c.host->import_error(job, 0, NULL, "out of memory");
		return -1;
	}
	/* the sample: a full chunk (or the whole file), so that what it
	 * decides does not depend on how the host happens to read */
	while (have < CHUNK &&
	    (n = c.host->import_read(job, buf + have, CHUNK - have)) > 0)
		have += (size_t)n;
	if (n < 0)
		goto out;
	if (have >= 2 && ((buf[0] == '\xff' && buf[1] == '\xfe') ||
	    (buf[0] == '\xfe' && buf[1] == '\xff'))) {
		c.host->import_error(job, 1, NULL, "the file is UTF-16; save "
		    "it as UTF-8");
		goto out;
	}
	if (have >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		start = 3;
	if (c.cp1252 < 0)
		c.cp1252 = !sample_utf8((unsigned char *)buf + start,
		    have - start);
	if (c.delim == 0)
		c.delim = sniff_delim(buf + start, have - start);
	if (ingest_init(&c.in, c.host, self, job, 0, ORDER_AUTO,
	    c.delim == ';' ? ',' : '.') < 0)
		goto out;
	if (csv_init(&c.p, CSV_APPEND_NULL) != 0) {
		c.host->import_error(job, 0, NULL, "out of memory");
		goto out_ingest;
	}
	c.parser_ready = 1;
	csv_set_delim(&c.p, c.delim);
	if (c.delim == '\t')
		csv_set_space_func(&c.p, space_only);
	if (feed(&c, buf + start, have - start) < 0)
		goto out_ingest;
	while ((n = c.host->import_read(job, buf, CHUNK)) > 0)
		if (feed(&c, buf, (size_t)n) < 0)
			goto out_ingest;
	if (n < 0)
		goto out_ingest;
	/* a last row without a line break ends on the current line */
	csv_fini(&c.p, cb_field, cb_row, &c);
	if (c.failed)
		goto out_ingest;
	if (!c.mapped) {
		if (c.nrows == 0)
			c.host->import_error(job, 1, NULL, "the file is empty");
		else
			no_header(&c, c.last_end);
		goto out_ingest;
	}
	rc = ingest_finish(&c.in);
out_ingest:
	ingest_free(&c.in);
out:
	if (c.parser_ready)
		csv_free(&c.p);
	free(c.cells);
	free(c.off);
	free(buf);
	return rc;
}

const struct spend_importer csv_importer = {
	.version = SPEND_IMPORTER_V1,
	.name = "csv",
	.description = "CSV from banks and spreadsheets: columns by header "
	    "name (en, de, fr) or --map, , ; or tab, decimal comma, "
	    "debit/credit columns",
	.extensions = "csv,tsv,txt",
	.run = csv_import_run,
};
