/*
 * qif: import Quicken Interchange Format bank, card and cash registers.
 *
 *	!Type:Bank
 *	D1/ 2'24		date (US order unless a row or date_format says
 *	T-12.50			otherwise; ' marks 20xx years)
 *	PBakery			payee
 *	Mcroissants		memo: the note
 *	LFood:Bread		category ([Account] = a transfer: skipped)
 *	^			end of the transaction
 *
 * Amounts are bank-signed: negative is money out, an expense; money in is
 * skipped or imported as a refund (option "credits"). Split lines (S
 * category, E memo, $ amount) import as the parts of a split expense
 * (host->import_emit_split), each in its own category (a category that
 * does not exist is handled like L's) with the memo as its note; T is
 * the whole (without T, the $ lines are summed). A split with a transfer
 * part ([Account]) or of more than 32 parts imports as one expense in
 * L's category, as before splits were kept.
 * Lists that are not transactions (!Account, !Type:Cat, !Type:Class,
 * !Type:Memorized...) are passed over; the transactions of an investment
 * register (!Type:Invst) are skipped. Every transaction left out (a
 * transfer, an investment, a zero amount, money in) is reported to the
 * host with its line (import_skip), so the import's report counts it.
 * Lines that are not UTF-8 are read as Windows-1252, as older Quicken
 * wrote them.
 *
 * Streams line by line: one read buffer and one transaction in memory.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spend/plugin.h"
#include "../common/host.h"
#include "../common/amount.h"
#include "../common/ingest.h"
#include "../common/text.h"

SPEND_PLUGIN_DECLARE;

#define QIF_CHUNK 65536
#define QIF_LINE_MAX 65536	/* longer lines are not QIF */
#define QIF_FIELD_MAX 4096	/* bytes kept of one field */
#define QIF_SPLIT_TEXT 256	/* bytes kept of a split's category, memo */

static const struct spend_host_api *qif_host;

enum qif_section {
	QS_NONE,	/* before the first !Type */
	QS_REGISTER,	/* Bank, CCard, Cash, Oth A, Oth L: import */
	QS_INVEST,	/* Invst: transactions, but not expenses */
	QS_SKIP,	/* lists: not transactions */
};

struct qtxn {
	size_t line;		/* of its first field, 0 = none yet */
	int nfields;
	char date[64], amount[64], uamount[64];
	char payee[QIF_FIELD_MAX], memo[QIF_FIELD_MAX];
	char category[QIF_FIELD_MAX];
	/* sum of the split amounts, as value * 10^-scale */
	int64_t split_sum;
	int split_scale, nsplits, split_bad;
	/* the split lines: S starts a part, E and $ fill the current one */
	struct qsplit {
		char cat[QIF_SPLIT_TEXT], memo[QIF_SPLIT_TEXT], amount[64];
		int has_memo, has_amount;
	} splits[INGEST_PARTS_MAX];
	int nparts;		/* past INGEST_PARTS_MAX: too many to keep */
	int split_transfer;	/* a part is a transfer: not kept */
	char splitbuf[INGEST_PARTS_MAX * (2 * QIF_SPLIT_TEXT + 64 + 3) + 1];
};

struct qimp {
	struct spend_plugin *self;
	struct spend_import *job;
	struct ingest in;
	enum qif_section sec;
	size_t line;
	size_t ntransfers, ninvest;
	int failed;
	struct qtxn t;
	char conv[QIF_LINE_MAX * 3 + 1];	/* a line from Windows-1252 */
};

/* Add a decimal ("-12.34", already normalised) to the split sum, exactly;
 * -1 on overflow or more than 6 decimals. */
static int
split_add(struct qtxn *t, const char *s)
{
	const char *dot = strchr(s, '.');
	int neg = *s == '-', scale = dot ? (int)strlen(dot + 1) : 0;
	int64_t v = 0;

	if (scale > 6)
		return -1;
	for (s += neg; *s; s++) {
		if (*s == '.')
			continue;
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (neg)
		v = -v;
	while (t->split_scale < scale) {
		if (t->split_sum > INT64_MAX / 10 || t->split_sum < INT64_MIN / 10)
			return -1;
		t->split_sum *= 10;
		t->split_scale++;
	}
	for (; scale < t->split_scale; scale++) {
		if (v > INT64_MAX / 10 || v < INT64_MIN / 10)
			return -1;
		v *= 10;
	}
	if ((v > 0 && t->split_sum > INT64_MAX - v) ||
	    (v < 0 && t->split_sum < INT64_MIN - v))
		return -1;
	t->split_sum += v;
	return 0;
}

/* The split sum as a decimal string. */
static void
split_text(const struct qtxn *t, char *buf, size_t len)
{
	uint64_t u = t->split_sum < 0 ? (uint64_t)0 - (uint64_t)t->split_sum :
	    (uint64_t)t->split_sum;
	uint64_t p = 1;

	for (int i = 0; i < t->split_scale; i++)
		p *= 10;
	if (t->split_scale == 0)
		snprintf(buf, len, "%s%llu", t->split_sum < 0 ? "-" : "",
		    (unsigned long long)u);
	else
		snprintf(buf, len, "%s%llu.%0*llu", t->split_sum < 0 ? "-" : "",
		    (unsigned long long)(u / p), t->split_scale,
		    (unsigned long long)(u % p));
}

static void
txn_reset(struct qtxn *t)
{
	t->line = 0;
	t->nfields = 0;
	t->date[0] = t->amount[0] = t->uamount[0] = '\0';
	t->payee[0] = t->memo[0] = t->category[0] = '\0';
	t->split_sum = 0;
	t->split_scale = t->nsplits = t->split_bad = 0;
	t->nparts = t->split_transfer = 0;
}

/* The current part for an E or $ line (a new one if it has that field
 * already, or there is none), or NULL past the most kept. */
static struct qsplit *
split_part(struct qtxn *t, int is_memo)
{
	struct qsplit *p;

	if (t->nparts > 0 && t->nparts <= INGEST_PARTS_MAX) {
		p = &t->splits[t->nparts - 1];
		if (is_memo ? !p->has_memo : !p->has_amount)
			return p;
	}
	if (t->nparts++ >= INGEST_PARTS_MAX)
		return NULL;
	p = &t->splits[t->nparts - 1];
	p->cat[0] = p->memo[0] = p->amount[0] = '\0';
	p->has_memo = p->has_amount = 0;
	return p;
}

/* The parts for ingest_row's splits, or NULL when they are not kept. */
static const char *
split_encode(struct qtxn *t)
{
	size_t n = 0;

	if (t->nparts < 2 || t->nparts > INGEST_PARTS_MAX ||
	    t->split_transfer)
		return NULL;
	t->splitbuf[0] = '\0';
	for (int i = 0; i < t->nparts; i++) {
		struct qsplit *p = &t->splits[i];
		char *slash;

		/* "Food:Bread/Holiday": the class is not a category */
		if ((slash = strchr(p->cat, '/')) != NULL)
			*slash = '\0';
		/* the separators cannot be in a line of text: blank them */
		for (char *c = p->cat; *c; c++)
			if (*c == '\x1e' || *c == '\x1f')
				*c = ' ';
		for (char *c = p->memo; *c; c++)
			if (*c == '\x1e' || *c == '\x1f')
				*c = ' ';
		n += (size_t)snprintf(t->splitbuf + n, sizeof(t->splitbuf) - n,
		    "%s\x1f%s\x1f%s\x1e", p->cat, p->memo, p->amount);
		if (n >= sizeof(t->splitbuf))
			return NULL;
	}
	return t->splitbuf;
}

static int
txn_end(struct qimp *q)
{
	struct qtxn *t = &q->t;
	struct ingest_row r;
	char sum[48];
	char *slash;
	int rc;

	if (t->nfields == 0)
		return 0;
	memset(&r, 0, sizeof(r));
	r.line = t->line;
	r.f[IF_DATE] = t->date;
	r.f[IF_AMOUNT] = t->amount[0] ? t->amount : t->uamount;
	if (r.f[IF_AMOUNT][0] == '\0' && t->nsplits > 0) {
		if (t->split_bad) {
			qif_host->import_error(q->job, t->line, "amount",
			    "no T amount and the split amounts do not add up "
			    "exactly");
			return -1;
		}
		split_text(t, sum, sizeof(sum));
		r.f[IF_AMOUNT] = sum;
	}
	r.f[IF_PAYEE] = t->payee;
	r.f[IF_NOTE] = t->memo;
	if (t->category[0] == '[') {	/* a transfer between accounts */
		struct ingest_row skip = { .line = t->line,
		    .skip = INGEST_SKIP_TRANSFER };

		q->ntransfers++;
		txn_reset(t);
		return ingest_row(&q->in, &skip);
	}
	/* "Food:Bread/Holiday": the class after '/' is not a category */
	if ((slash = strchr(t->category, '/')) != NULL)
		*slash = '\0';
	if (strcmp(t->category, "--Split--") != 0)
		r.f[IF_CATEGORY] = t->category;
	r.splits = split_encode(t);
	if (r.splits == NULL && t->nparts > INGEST_PARTS_MAX)
		qif_host->log(q->self, SPEND_LOG_INFO, "line %zu: a split of %d "
		    "parts (at most %d): imported whole", t->line, t->nparts,
		    INGEST_PARTS_MAX);
	rc = ingest_row(&q->in, &r);	/* copies what it keeps */
	txn_reset(t);
	return rc;
}

/* The end of a transaction of an investment register: left out. */
static int
invest_end(struct qimp *q)
{
	struct ingest_row skip = { .line = q->t.line,
	    .skip = INGEST_SKIP_INVEST };

	if (q->t.nfields == 0)
		return 0;
	q->ninvest++;
	txn_reset(&q->t);
	return ingest_row(&q->in, &skip);
}

/* Copy src into dst, cut (on a UTF-8 boundary) if it must be. */
static void
keep(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len) {
		n = len - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int
header_line(struct qimp *q, const char *s)
{
	static const char *const registers[] = {
		"!type:bank", "!type:ccard", "!type:cash", "!type:oth a",
		"!type:oth l", NULL,
	};
	char h[64];
	size_t i, n;

	for (n = 0; s[n] && n < sizeof(h) - 1; n++)
		h[n] = (char)(s[n] >= 'A' && s[n] <= 'Z' ? s[n] + 32 : s[n]);
	while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t'))
		n--;
	h[n] = '\0';
	if (strncmp(h, "!option:", 8) == 0 || strncmp(h, "!clear:", 7) == 0)
		return 0;
	if (q->t.nfields > 0 && q->sec == QS_REGISTER && txn_end(q) < 0)
		return -1;
	if (q->sec == QS_INVEST && invest_end(q) < 0)
		return -1;
	txn_reset(&q->t);
	for (i = 0; registers[i]; i++)
		if (strcmp(h, registers[i]) == 0) {
			q->sec = QS_REGISTER;
			return 0;
		}
	if (strncmp(h, "!type:invst", 11) == 0) {
		qif_host->log(q->self, SPEND_LOG_INFO, "line %zu: investment "
		    "transactions are not expenses: skipped", q->line);
		q->sec = QS_INVEST;
		return 0;
	}
	q->sec = QS_SKIP;
	return 0;
}

static int
field_line(struct qimp *q, const char *s)
{
	struct qtxn *t = &q->t;
	const char *v = s + 1;

	if (t->nfields++ == 0)
		t->line = q->line;
	switch (s[0]) {
	case 'D':
		keep(t->date, sizeof(t->date), v);
		break;
	case 'T':
		keep(t->amount, sizeof(t->amount), v);
		break;
	case 'U':
		keep(t->uamount, sizeof(t->uamount), v);
		break;
	case 'P':
		keep(t->payee, sizeof(t->payee), v);
		break;
	case 'M':
		keep(t->memo, sizeof(t->memo), v);
		break;
	case 'L':
		keep(t->category, sizeof(t->category), v);
		break;
	case 'S': {
		struct qsplit *p;

		t->nparts++;	/* always a new part */
		if (t->nparts <= INGEST_PARTS_MAX) {
			p = &t->splits[t->nparts - 1];
			keep(p->cat, sizeof(p->cat), v);
			p->memo[0] = p->amount[0] = '\0';
			p->has_memo = p->has_amount = 0;
		}
		if (v[0] == '[')	/* a transfer: not an expense's part */
			t->split_transfer = 1;
		break;
	}
	case 'E': {
		struct qsplit *p = split_part(t, 1);

		if (p) {
			keep(p->memo, sizeof(p->memo), v);
			p->has_memo = 1;
		}
		break;
	}
	case '$': {
		char out[48], code[4];
		const char *why;
		struct qsplit *p = split_part(t, 0);

		if (p) {
			keep(p->amount, sizeof(p->amount), v);
			p->has_amount = 1;
		}
		t->nsplits++;
		if (amount_norm(v, '.', out, sizeof(out), code, &why) < 0 &&
		    amount_norm(v, ',', out, sizeof(out), code, &why) < 0)
			t->split_bad = 1;
		else if (split_add(t, out) < 0)
			t->split_bad = 1;
		break;
	}
	default:
		/* N number, C cleared, A address, % split percent,
		 * F, K, ...: not part of an expense */
		break;
	}
	return 0;
}

static int
qif_line(struct qimp *q, char *s, size_t len)
{
	if (q->line == 1 && len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
		len -= 3;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		s[--len] = '\0';
	if (!text_utf8((unsigned char *)s, len)) {
		len = text_cp1252_to_utf8(s, len, q->conv);
		q->conv[len] = '\0';
		s = q->conv;
	}
	if (len == 0)
		return 0;
	if (s[0] == '!')
		return header_line(q, s);
	if (q->sec == QS_NONE) {
		qif_host->import_error(q->job, q->line, NULL, "not a QIF file: "
		    "it must start with a !Type: line such as !Type:Bank");
		return -1;
	}
	if (q->sec == QS_SKIP)
		return 0;
	if (q->sec == QS_INVEST) {
		if (s[0] == '^')
			return invest_end(q);
		if (q->t.nfields++ == 0)
			q->t.line = q->line;
		return 0;
	}
	if (s[0] == '^')
		return txn_end(q);
	return field_line(q, s);
}

static int
qif_run(struct spend_plugin *self, struct spend_import *job)
{
	struct qimp *q;
	char *buf;
	size_t have = 0, start, i;
	long n;
	int rc = -1, cr = 0;

	if ((q = calloc(1, sizeof(*q))) == NULL ||
	    (buf = malloc(QIF_LINE_MAX + QIF_CHUNK + 1)) == NULL) {
		free(q);
		qif_host->import_error(job, 0, NULL, "out of memory");
		return -1;
	}
	q->self = self;
	q->job = job;
	q->line = 1;
	txn_reset(&q->t);
	if (ingest_init(&q->in, qif_host, self, job, 1, ORDER_MDY, '.') < 0)
		goto out;
	while ((n = qif_host->import_read(job, buf + have, QIF_CHUNK)) > 0) {
		size_t end = have + (size_t)n;

		start = 0;
		for (i = have; i < end; i++) {
			/* LF, CRLF or a lone CR end a line */
			if (buf[i] != '\n' && buf[i] != '\r') {
				cr = 0;
				continue;
			}
			if (buf[i] == '\n' && cr) {
				cr = 0;
				start = i + 1;
				continue;
			}
			cr = buf[i] == '\r';
			buf[i] = '\0';
			if (qif_line(q, buf + start, i - start) < 0 ||
			    q->in.failed)
				goto out;
			q->line++;
			start = i + 1;
		}
		have = end - start;
		if (have > QIF_LINE_MAX) {
			qif_host->import_error(job, q->line, NULL, "line longer "
			    "than %d bytes: not a QIF file", QIF_LINE_MAX);
			goto out;
		}
		memmove(buf, buf + start, have);
	}
	if (n < 0)
		goto out;
	buf[have] = '\0';
	if (have > 0 && qif_line(q, buf, have) < 0)
		goto out;
	if (q->sec == QS_NONE) {
		qif_host->import_error(job, 1, NULL, "not a QIF file: no "
		    "!Type: line");
		goto out;
	}
	/* a last transaction without its ^ */
	if (q->sec == QS_REGISTER && txn_end(q) < 0)
		goto out;
	if (q->sec == QS_INVEST && invest_end(q) < 0)
		goto out;
	if (ingest_finish(&q->in) < 0)
		goto out;
	if (q->ntransfers || q->ninvest)
		qif_host->log(self, SPEND_LOG_INFO, "skipped %zu transfer%s "
		    "between accounts and %zu investment transaction%s",
		    q->ntransfers, q->ntransfers == 1 ? "" : "s", q->ninvest,
		    q->ninvest == 1 ? "" : "s");
	rc = 0;
out:
	ingest_free(&q->in);
	free(buf);
	free(q);
	return rc;
}

static const struct spend_importer qif_importer = {
	.version = SPEND_IMPORTER_V1,
	.name = "qif",
	.description = "Quicken QIF bank, card and cash registers",
	.extensions = "qif",
	.run = qif_run,
};

SPEND_PLUGIN_EXPORT int
spend_plugin_init(const struct spend_host_api *host, struct spend_plugin *self)
{
	if (plugin_host_check(host, self, PLUGIN_HOST_NEEDS(import_error),
	    NULL) < 0)
		return -1;
	qif_host = host;
	self->version = "1.0";
	self->description = "Quicken Interchange Format (QIF) importer";
	return host->register_importer(self, &qif_importer);
}
