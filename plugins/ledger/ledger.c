/*
 * ledger exporter: a plain-text journal that both ledger(1) and hledger(1)
 * read. One transaction per expense:
 *
 *	2024-03-05 * Café de Flore
 *	    ; lunch with the team
 *	    ; :work:
 *	    expenses:Food                    12.50 EUR
 *	    assets:spend                    -12.50 EUR
 *
 * A split expense posts each part to its own expenses:CATEGORY (its note,
 * if any, a comment after it), and the whole to the balancing account.
 *
 * Amounts are written exactly, with the currency's own decimals, and the
 * ISO code as the commodity after the number. Both postings carry their
 * amount so that nothing is inferred. Text from users is cleaned of what
 * the two parsers treat specially (see clean()): a journal must never fail
 * to parse or, worse, parse into other numbers.
 *
 * Config: [plugin ledger] account = NAME (the balancing account,
 * default assets:spend).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spend/plugin.h"
#include "../common/host.h"
#include "../common/out.h"
#include "../common/utf8.h"

SPEND_PLUGIN_DECLARE;

#define TEXTMAX 4096		/* longest cleaned field, bytes */
#define AMOUNT_COL 44		/* amounts end here when accounts are short */

static const struct spend_host_api *host;
static char balancing[256] = "assets:spend";	/* [plugin ledger] account */

static void
out_spaces(struct out *o, size_t n)
{
	while (n-- > 0)
		out_mem(o, " ", 1);
}

/* Code points in a valid UTF-8 string: the width of a column. */
static size_t
text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

enum clean_kind {
	CLEAN_PAYEE,	/* transaction description */
	CLEAN_ACCOUNT,	/* one account name component */
	CLEAN_TAG,	/* a :tag: */
	CLEAN_COMMENT,	/* one comment line */
};

/*
 * Copy s (n bytes) into out as one line safe for kind: invalid UTF-8
 * becomes U+FFFD; control characters, tabs and newlines become a space;
 * runs of spaces collapse to one (two spaces end an account name and start
 * an amount); both ends are trimmed. Then, per kind:
 *  - payee: ';' starts a comment for hledger: it becomes ','. A leading
 *    '(' would be read as a transaction code: an empty code "() " goes
 *    first. ('*' and '!' are safe: the status is always written.)
 *  - account: ':' would make a sub-account: it becomes '-'.
 *  - tag: ':', ',' and spaces end a tag: they become '_'.
 * Returns the length; out always ends with NUL.
 */
static size_t
clean(const char *s, size_t n, enum clean_kind kind, char *out, size_t size)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0, k;
	int space = 1;		/* at the start: drop leading spaces */
	uint32_t cp;

	if (size < 8)
		return out[0] = '\0', 0;
	while (i < n && o + 5 < size) {
		k = utf8_seq(u + i, n - i, &cp);
		if (k == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);	/* U+FFFD */
			o += 3;
			i++;
			space = 0;
			continue;
		}
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
		    cp == ' ') {
			if (kind == CLEAN_TAG) {
				out[o++] = '_';
				space = 0;
			} else if (!space) {
				out[o++] = ' ';
				space = 1;
			}
			i += k;
			continue;
		}
		space = 0;
		if (kind == CLEAN_PAYEE && cp == ';')
			out[o++] = ',';
		else if (kind == CLEAN_ACCOUNT && cp == ':')
			out[o++] = '-';
		else if (kind == CLEAN_TAG && (cp == ':' || cp == ','))
			out[o++] = '_';
		else {
			memcpy(out + o, u + i, k);
			o += k;
		}
		i += k;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	if (kind == CLEAN_PAYEE && o > 0 && out[0] == '(') {
		if (o + 4 > size) {
			o = size - 4;
			while (o > 0 && ((unsigned char)out[o] & 0xc0) == 0x80)
				o--;	/* never cut a character in two */
		}
		memmove(out + 3, out, o);
		memcpy(out, "() ", 3);
		o += 3;
	}
	out[o] = '\0';
	return o;
}

/* "12.50 EUR": the commodity bare if it is letters only, else quoted. */
static int
format_amount(int64_t minor, const char *cur, char *buf, size_t size)
{
	char num[40], sym[16];
	size_t i, j = 0;
	int bare = 1;

	if (host->money_format(minor, cur, num, sizeof(num)) < 0)
		return -1;
	for (i = 0; cur[i] && j + 1 < sizeof(sym); i++) {
		unsigned char c = (unsigned char)cur[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
			bare = 0;
		if (c > 0x20 && c < 0x7f && c != '"')
			sym[j++] = (char)c;
	}
	sym[j] = '\0';
	if (j == 0)
		return -1;
	snprintf(buf, size, bare ? "%s %s" : "%s \"%s\"", num, sym);
	return 0;
}

static void
out_posting(struct out *o, const char *acct, const char *amount)
{
	size_t w = text_width(acct) + strlen(amount);

	out_str(o, "    ");
	out_str(o, acct);
	out_spaces(o, w + 2 < AMOUNT_COL - 4 ? AMOUNT_COL - 4 - w : 2);
	out_str(o, amount);
	out_mem(o, "\n", 1);
}

/* Each non-blank line of a note as a "    ; " comment, from line skip on. */
static void
out_note(struct out *o, const char *note, int skip, char *tmp)
{
	const char *p = note, *nl;
	int line = 0;

	for (; *p; p = *nl ? nl + 1 : nl, line++) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (line < skip ||
		    clean(p, (size_t)(nl - p), CLEAN_COMMENT, tmp, TEXTMAX) == 0)
			continue;
		out_str(o, "    ; ");
		out_str(o, tmp);
		out_mem(o, "\n", 1);
	}
}

struct bufs {
	char payee[TEXTMAX], cat[TEXTMAX], tmp[TEXTMAX];
	char acct[TEXTMAX + 16];
	char amt[64], neg[64];
};

static int
write_record(struct out *o, const struct spend_record *r, struct bufs *b)
{
	const char *payee = r->payee ? r->payee : "";
	const char *note = r->note ? r->note : "";
	const char *cur = r->currency ? r->currency : "";
	const struct spend_part *parts = NULL;
	int from_note = 0;
	size_t i, np;

	if (r->amount_minor == INT64_MIN ||
	    format_amount(r->amount_minor, cur, b->amt, sizeof(b->amt)) < 0 ||
	    format_amount(-r->amount_minor, cur, b->neg, sizeof(b->neg)) < 0) {
		host->export_error(o->job, "ledger: expense %" PRId64
		    ": cannot write amount in currency \"%s\"", r->id, cur);
		return -1;
	}
	if (clean(r->category ? r->category : "", strlen(r->category ?
	    r->category : ""), CLEAN_ACCOUNT, b->cat, sizeof(b->cat)) == 0)
		snprintf(b->cat, sizeof(b->cat), "uncategorized");
	/* the description: the payee, else the note's first line */
	if (clean(payee, strlen(payee), CLEAN_PAYEE, b->payee,
	    sizeof(b->payee)) == 0) {
		from_note = 1;
		if (clean(note, strcspn(note, "\n"), CLEAN_PAYEE, b->payee,
		    sizeof(b->payee)) == 0)
			clean(b->cat, strlen(b->cat), CLEAN_PAYEE, b->payee,
			    sizeof(b->payee));
	}
	out_str(o, r->date);
	out_str(o, " * ");
	out_str(o, b->payee);
	out_mem(o, "\n", 1);
	out_note(o, note, from_note, b->tmp);
	for (i = 0; r->tags != NULL && i < r->ntags; i++) {
		if (r->tags[i] == NULL || clean(r->tags[i], strlen(r->tags[i]),
		    CLEAN_TAG, b->tmp, sizeof(b->tmp)) == 0)
			continue;
		/* one per line: ledger reads ":a:b:", hledger only "a:" */
		out_str(o, "    ; :");
		out_str(o, b->tmp);
		out_str(o, ":\n");
	}
	np = SPEND_HOST_HAS(host, export_parts) ?
	    host->export_parts(o->job, &parts) : 0;
	for (i = 0; i < np; i++) {
		char pamt[64];

		if (format_amount(parts[i].amount_minor, cur, pamt,
		    sizeof(pamt)) < 0) {
			host->export_error(o->job, "ledger: expense %" PRId64
			    ": cannot write a part's amount", r->id);
			return -1;
		}
		if (clean(parts[i].category ? parts[i].category : "",
		    strlen(parts[i].category ? parts[i].category : ""),
		    CLEAN_ACCOUNT, b->cat, sizeof(b->cat)) == 0)
			snprintf(b->cat, sizeof(b->cat), "uncategorized");
		snprintf(b->acct, sizeof(b->acct), "expenses:%s", b->cat);
		out_posting(o, b->acct, pamt);
		if (parts[i].note && parts[i].note[0])
			out_note(o, parts[i].note, 0, b->tmp);
	}
	if (np == 0) {
		snprintf(b->acct, sizeof(b->acct), "expenses:%s", b->cat);
		out_posting(o, b->acct, b->amt);
	}
	out_posting(o, balancing, b->neg);
	out_mem(o, "\n", 1);
	return 0;
}

/* A "; key: value" header line, the value cleaned. */
static void
out_header(struct out *o, const char *key, const char *val, char *tmp)
{
	if (val == NULL || clean(val, strlen(val), CLEAN_COMMENT, tmp,
	    TEXTMAX) == 0)
		return;
	out_str(o, "; ");
	out_str(o, key);
	out_str(o, ": ");
	out_str(o, tmp);
	out_mem(o, "\n", 1);
}

static int
ledger_run(struct spend_plugin *self, struct spend_export *job)
{
	const struct spend_export_info *info = host->export_info(job);
	struct spend_record r;
	struct bufs *b;
	struct out *o;
	char period[64];
	int rc = 0;

	(void)self;
	if ((b = malloc(sizeof(*b))) == NULL) {
		host->export_error(job, "ledger: out of memory");
		return -1;
	}
	if ((o = out_new(host, job, "ledger")) == NULL) {
		free(b);
		return -1;
	}
	out_str(o, "; Spend expenses, a journal for ledger and hledger\n");
	if (info != NULL) {
		const char *from = info->from ? info->from : "";
		const char *to = info->to ? info->to : "";

		out_header(o, "owner", info->user, b->tmp);
		if (*from || *to) {
			snprintf(period, sizeof(period), "%s to %s",
			    *from ? from : "the beginning", *to ? to : "today");
			out_header(o, "period", period, b->tmp);
		}
		out_header(o, "filters", info->filter_text, b->tmp);
		out_header(o, "generated", info->generated_at, b->tmp);
	}
	out_mem(o, "\n", 1);
	while (!o->failed && (rc = host->export_next(job, &r)) > 0)
		if (write_record(o, &r, b) < 0)
			o->failed = 1;
	if (!o->failed && rc < 0) {
		host->export_error(job, "ledger: reading the expenses failed");
		o->failed = 1;
	}
	free(b);
	return out_end(o);
}

static const struct spend_exporter ledger_exporter = {
	.version = SPEND_EXPORTER_V1,
	.name = "ledger",
	.description = "ledger/hledger journal, one transaction per expense",
	.mime_type = "text/plain; charset=utf-8",
	.extension = "journal",
	.run = ledger_run,
};

/* The balancing account from [plugin ledger] account: components cleaned
 * like categories; it must not look like a virtual posting. */
static int
config_account(struct spend_plugin *self)
{
	const char *v = host->config_get(self, "account");
	char part[256];
	const char *p, *c;
	size_t o = 0, n;

	if (v == NULL)
		return 0;
	if (*v == '(' || *v == '[') {
		host->log(self, SPEND_LOG_WARN, "account \"%s\": must not start "
		    "with '(' or '[' (virtual postings)", v);
		return -1;
	}
	for (p = v;; p = c + 1) {
		c = strchr(p, ':');
		if (c == NULL)
			c = p + strlen(p);
		n = clean(p, (size_t)(c - p), CLEAN_ACCOUNT, part, sizeof(part));
		if (n == 0 || o + n + 2 > sizeof(balancing)) {
			host->log(self, SPEND_LOG_WARN, "account \"%s\": %s", v,
			    n == 0 ? "empty account name or component" :
			    "too long");
			return -1;
		}
		if (o > 0)
			balancing[o++] = ':';
		memcpy(balancing + o, part, n + 1);
		o += n;
		if (*c == '\0')
			break;
	}
	return 0;
}

SPEND_PLUGIN_EXPORT int
spend_plugin_init(const struct spend_host_api *h, struct spend_plugin *self)
{
	if (plugin_host_check(h, self, PLUGIN_HOST_NEEDS(export_error),
	    "host API too old: no exporters") < 0)
		return -1;
	host = h;
	snprintf(balancing, sizeof(balancing), "assets:spend");
	if (config_account(self) < 0)
		return -1;
	self->version = "1.0";
	self->description = "ledger/hledger journal exporter";
	return host->register_exporter(self, &ledger_exporter);
}
