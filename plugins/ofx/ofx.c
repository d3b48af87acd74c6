/*
 * ofx: import OFX bank and credit card statements, 1.x SGML and 2.x XML,
 * with libofx.
 *
 * libofx reads only files, so the stream is first copied to a private
 * temporary file (mode 0600, removed at the end). (An import option
 * naming a path to read instead would let whoever sets import options
 * make spendd read any file it can: not offered.)
 *
 * libofx parses the structure and decodes the text (entities, the
 * CHARSET header); its amounts are doubles and its dates instants, so the
 * exact TRNAMT text and the calendar day of DTPOSTED are taken from the
 * file itself by a small scanner that walks the STMTTRN blocks in step
 * with libofx's callbacks (the FITIDs must agree) and also knows each
 * block's line for error messages.
 *
 *	FITID	source_id ("ACCTID:FITID"), so a statement imported twice
 *		adds nothing
 *	NAME, or PAYEE's NAME	payee
 *	MEMO	note
 *	TRNAMT	negative = money out = an expense; money in per "credits"
 *	CURRENCY/CURSYM, else the statement's CURDEF	currency
 *
 * Investment transactions (BUYSTOCK, INCOME, INVBANKTRAN...) are not
 * expenses: each is reported to the host as skipped ("investment"), with
 * the line of its aggregate found by a second scanner, as are money in
 * (credits=skip) and zero amounts (ingest.c).
 *
 * libofx keeps global state: one import at a time in this process.
 *
 * libofx also putenv()s SP_CHARSET_FIXED and SP_ENCODING with strings in
 * its own data (so spendd never unmaps a plugin it initialised:
 * dl_unload). Both are set once at init, on the main thread, so the
 * putenv on a worker replaces an entry instead of growing environ under
 * another thread's getenv().
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libofx/libofx.h>

#include "spend/plugin.h"
#include "../common/host.h"
#include "../common/ingest.h"
#include "../common/text.h"

SPEND_PLUGIN_DECLARE;

#define OFX_CHUNK 65536
#define TAG_MAX 32
#define VAL_MAX 512

static const struct spend_host_api *ofx_host;
static pthread_mutex_t ofx_lock = PTHREAD_MUTEX_INITIALIZER;

/* The scanner over the temporary file. */
struct raw {
	FILE *fp;
	size_t line;
	int seen_ofx, seen_end;	/* <OFX>, </OFX> */
	int in_invbank;		/* inside INVBANKTRAN: its STMTTRN is an
				 * investment transaction's */
	char curdef[8], acctid[VAL_MAX];
};

/* What the scanner takes from one STMTTRN block. */
struct rawtx {
	size_t line;
	char dtposted[VAL_MAX], trnamt[VAL_MAX], fitid[VAL_MAX];
	char name[VAL_MAX], cursym[8];
};

struct oimp {
	struct spend_plugin *self;
	struct spend_import *job;
	struct ingest in;
	struct raw raw;
	struct raw inv;		/* a second scanner, for investment ones */
	size_t ntx, ninvest;
	size_t last_line;
	int failed;
};

/* ---- the scanner ---- */

static void
trim(char *s)
{
	size_t n = strlen(s), i = 0;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	memmove(s, s + i, n - i + 1);
}

static int
raw_getc(struct raw *r)
{
	int c = getc_unlocked(r->fp);

	if (c == '\n')
		r->line++;
	return c;
}

/*
 * The next tag ("STMTTRN", "/STMTTRN", "TRNAMT") into name, upper case,
 * and the text after it up to the next '<' or line end into val. *line
 * gets the tag's line. 0, or -1 at the end of the file.
 */
static int
raw_tag(struct raw *r, char *name, char *val, size_t *line)
{
	size_t n = 0;
	int c;

	while ((c = raw_getc(r)) != EOF && c != '<')
		;
	if (c == EOF)
		return -1;
	*line = r->line;
	while ((c = raw_getc(r)) != EOF && c != '>') {
		if (n < TAG_MAX - 1)
			name[n++] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
	}
	name[n] = '\0';
	/* "<?xml ...?>", "<!-- -->": not tags of ours */
	if (name[0] == '?' || name[0] == '!')
		name[0] = '\0';
	n = 0;
	while ((c = getc_unlocked(r->fp)) != EOF && c != '<' && c != '\n' &&
	    c != '\r')
		if (n < VAL_MAX - 1)
			val[n++] = (char)c;
	if (c == '<')
		ungetc(c, r->fp);
	else if (c == '\n')
		r->line++;
	val[n] = '\0';
	trim(val);
	return 0;
}

static void
copy_val(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src);
}

/*
 * The next STMTTRN block, noting CURDEF and ACCTID on the way. 1, or 0
 * when there is none left.
 */
static int
raw_next(struct raw *r, struct rawtx *t)
{
	char name[TAG_MAX], val[VAL_MAX];
	size_t line;
	int in_payee = 0, in_currency = 0;

	memset(t, 0, sizeof(*t));
	for (;;) {
		if (raw_tag(r, name, val, &line) < 0)
			return 0;
		if (strcmp(name, "OFX") == 0)
			r->seen_ofx = 1;
		else if (strcmp(name, "/OFX") == 0)
			r->seen_end = 1;
		else if (strcmp(name, "CURDEF") == 0)
			copy_val(r->curdef, sizeof(r->curdef), val);
		else if (strcmp(name, "ACCTID") == 0)
			copy_val(r->acctid, sizeof(r->acctid), val);
		else if (strcmp(name, "INVBANKTRAN") == 0)
			r->in_invbank = 1;
		else if (strcmp(name, "/INVBANKTRAN") == 0)
			r->in_invbank = 0;
		else if (strcmp(name, "STMTTRN") == 0 && !r->in_invbank)
			break;
	}
	t->line = line;
	while (raw_tag(r, name, val, &line) == 0) {
		if (strcmp(name, "/STMTTRN") == 0 ||
		    strcmp(name, "/BANKTRANLIST") == 0)
			break;
		if (strcmp(name, "DTPOSTED") == 0)
			copy_val(t->dtposted, sizeof(t->dtposted), val);
		else if (strcmp(name, "TRNAMT") == 0)
			copy_val(t->trnamt, sizeof(t->trnamt), val);
		else if (strcmp(name, "FITID") == 0)
			copy_val(t->fitid, sizeof(t->fitid), val);
		else if (strcmp(name, "PAYEE") == 0)
			in_payee = 1;
		else if (strcmp(name, "/PAYEE") == 0)
			in_payee = 0;
		else if (strcmp(name, "CURRENCY") == 0)
			in_currency = 1;
		else if (strcmp(name, "/CURRENCY") == 0)
			in_currency = 0;
		else if (strcmp(name, "CURSYM") == 0 && in_currency)
			copy_val(t->cursym, sizeof(t->cursym), val);
		else if (strcmp(name, "NAME") == 0 && (t->name[0] == '\0' ||
		    in_payee))
			copy_val(t->name, sizeof(t->name), val);
	}
	return 1;
}

/* The aggregates libofx reports as investment transactions (enum
 * InvTransactionType). */
static const char *const invest_tags[] = {
	"BUYDEBT", "BUYMF", "BUYOPT", "BUYOTHER", "BUYSTOCK", "CLOSUREOPT",
	"INCOME", "INVEXPENSE", "JRNLFUND", "JRNLSEC", "MARGININTEREST",
	"REINVEST", "RETOFCAP", "SELLDEBT", "SELLMF", "SELLOPT", "SELLOTHER",
	"SELLSTOCK", "SPLIT", "TRANSFER", "INVBANKTRAN", NULL,
};

/* The line of the next investment transaction, or 0 if there is none. */
static size_t
raw_next_invest(struct raw *r)
{
	char name[TAG_MAX], val[VAL_MAX];
	size_t line;

	if (r->fp == NULL)
		return 0;
	while (raw_tag(r, name, val, &line) == 0)
		for (size_t i = 0; invest_tags[i]; i++)
			if (strcmp(name, invest_tags[i]) == 0)
				return line;
	return 0;
}

/* The text of an element as the raw scanner saw it, entities decoded,
 * for PAYEE's NAME which libofx does not report. */
static void
decode_entities(char *s)
{
	static const struct {
		const char *ent;
		char c;
	} ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&apos;", '\'' }, { "&nbsp;", ' ' },
	};
	const size_t nents = sizeof(ents) / sizeof(ents[0]);
	char *d = s;

	while (*s) {
		size_t i = nents, n = 0;

		if (*s == '&')
			for (i = 0; i < nents; i++) {
				n = strlen(ents[i].ent);
				if (strncmp(s, ents[i].ent, n) == 0)
					break;
			}
		if (i < nents) {
			*d++ = ents[i].c;
			s += n;
		} else
			*d++ = *s++;
	}
	*d = '\0';
}

/* ---- libofx callbacks ---- */

static int
tx_cb(const struct OfxTransactionData d, void *arg)
{
	struct oimp *o = arg;
	struct rawtx t;
	struct ingest_row r;
	char date[11], src[2 * VAL_MAX + 2], name[3 * VAL_MAX + 1];
	const char *cur = NULL;

	if (o->failed)
		return 0;
	if (d.invtransactiontype_valid) {	/* buys, sells: not expenses */
		memset(&r, 0, sizeof(r));
		r.line = raw_next_invest(&o->inv);
		r.skip = INGEST_SKIP_INVEST;
		o->ninvest++;
		if (ingest_row(&o->in, &r) < 0)
			o->failed = 1;
		return 0;
	}
	if (raw_next(&o->raw, &t) == 0) {
		ofx_host->import_error(o->job, o->last_line, NULL, "transaction "
		    "%zu: libofx reports more transactions than the file has "
		    "STMTTRN blocks", o->ntx + 1);
		o->failed = 1;
		return 0;
	}
	o->ntx++;
	o->last_line = t.line;
	if (d.fi_id_valid && strcmp(d.fi_id, t.fitid) != 0) {
		ofx_host->import_error(o->job, t.line, "source_id", "FITID "
		    "\"%.40s\": libofx read \"%.40s\" here; the file is not "
		    "well-formed", t.fitid, d.fi_id);
		o->failed = 1;
		return 0;
	}
	memset(&r, 0, sizeof(r));
	r.line = t.line;
	/* DTPOSTED: YYYYMMDD[HHMMSS[.XXX]][[+-h:TZ]]; the day is the bank's */
	if (strlen(t.dtposted) >= 8 &&
	    strspn(t.dtposted, "0123456789") >= 8) {
		snprintf(date, sizeof(date), "%.4s-%.2s-%.2s", t.dtposted,
		    t.dtposted + 4, t.dtposted + 6);
		r.f[IF_DATE] = date;
	} else
		r.f[IF_DATE] = t.dtposted;
	r.f[IF_AMOUNT] = t.trnamt;
	if (t.cursym[0])
		cur = t.cursym;
	else if (d.account_ptr && d.account_ptr->currency_valid)
		cur = d.account_ptr->currency;
	else if (o->raw.curdef[0])
		cur = o->raw.curdef;
	r.f[IF_CURRENCY] = cur;
	if (d.name_valid && d.name[0])
		r.f[IF_PAYEE] = d.name;
	else if (t.name[0]) {
		if (!text_utf8((const unsigned char *)t.name, strlen(t.name)))
			name[text_cp1252_to_utf8(t.name, strlen(t.name),
			    name)] = '\0';
		else
			copy_val(name, sizeof(name), t.name);
		decode_entities(name);
		r.f[IF_PAYEE] = name;
	}
	if (d.memo_valid)
		r.f[IF_NOTE] = d.memo;
	if (t.fitid[0]) {
		snprintf(src, sizeof(src), "%s%s%s", o->raw.acctid,
		    o->raw.acctid[0] ? ":" : "", t.fitid);
		r.f[IF_SOURCE_ID] = src;
	}
	if (ingest_row(&o->in, &r) < 0)
		o->failed = 1;
	return 0;
}

/* ---- the job ---- */

/* Copy the import stream to a new temporary file; its name goes to path.
 * Returns the descriptor, or -1 after import_error. */
static int
spool(struct oimp *o, char *path, size_t len)
{
	const char *dir = getenv("TMPDIR");
	char *buf;
	long n;
	int fd;

	if (dir == NULL || *dir != '/')
		dir = "/tmp";
	snprintf(path, len, "%s/spend-ofx.XXXXXX", dir);
	if ((fd = mkostemp(path, O_CLOEXEC)) < 0) {
		ofx_host->import_error(o->job, 0, NULL, "ofx: cannot create a "
		    "temporary file in %s: %s", dir, strerror(errno));
		return -1;
	}
	if ((buf = malloc(OFX_CHUNK)) == NULL) {
		ofx_host->import_error(o->job, 0, NULL, "out of memory");
		goto fail;
	}
	while ((n = ofx_host->import_read(o->job, buf, OFX_CHUNK)) > 0) {
		const char *p = buf;

		while (n > 0) {
			ssize_t w = write(fd, p, (size_t)n);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				ofx_host->import_error(o->job, 0, NULL, "ofx: "
				    "writing %s: %s", path, w < 0 ?
				    strerror(errno) : "short write");
				free(buf);
				goto fail;
			}
			p += w;
			n -= w;
		}
	}
	free(buf);
	if (n < 0)
		goto fail;
	return fd;
fail:
	unlink(path);
	close(fd);
	return -1;
}

static int
ofx_run(struct spend_plugin *self, struct spend_import *job)
{
	struct oimp o;
	struct rawtx t;
	LibofxContextPtr ctx;
	char path[4096];
	int fd, rc = -1;

	memset(&o, 0, sizeof(o));
	o.self = self;
	o.job = job;
	o.raw.line = 1;
	if (ingest_init(&o.in, ofx_host, self, job, 1, ORDER_YMD, '.') < 0)
		return -1;
	if ((fd = spool(&o, path, sizeof(path))) < 0)
		goto out;
	if ((o.raw.fp = fdopen(fd, "rb")) == NULL) {
		ofx_host->import_error(job, 0, NULL, "out of memory");
		close(fd);
		unlink(path);
		goto out;
	}
	rewind(o.raw.fp);
	o.inv.line = 1;
	if ((o.inv.fp = fopen(path, "rbe")) == NULL) {
		ofx_host->import_error(job, 0, NULL, "ofx: %s: %s", path,
		    strerror(errno));
		unlink(path);
		goto out_file;
	}

	pthread_mutex_lock(&ofx_lock);
	if ((ctx = libofx_get_new_context()) != NULL) {
		ofx_set_transaction_cb(ctx, tx_cb, &o);
		libofx_proc_file(ctx, path, AUTODETECT);
		libofx_free_context(ctx);
	}
	pthread_mutex_unlock(&ofx_lock);
	unlink(path);
	if (ctx == NULL) {
		ofx_host->import_error(job, 0, NULL, "out of memory");
		goto out_file;
	}
	if (o.failed)
		goto out_file;
	/* every STMTTRN must have come through libofx */
	if (raw_next(&o.raw, &t) == 1) {
		ofx_host->import_error(job, t.line, NULL, "libofx could not "
		    "read this transaction (is the file complete and "
		    "well-formed?)");
		goto out_file;
	}
	if (!o.raw.seen_ofx) {
		ofx_host->import_error(job, 1, NULL, "not an OFX file: no <OFX> "
		    "element");
		goto out_file;
	}
	/* libofx takes what it can of a file cut short: all or nothing */
	if (!o.raw.seen_end) {
		ofx_host->import_error(job, o.raw.line, NULL, "the file ends "
		    "before </OFX>: is it complete?");
		goto out_file;
	}
	if (ingest_finish(&o.in) < 0)
		goto out_file;
	if (o.ninvest)
		ofx_host->log(self, SPEND_LOG_INFO, "skipped %zu investment "
		    "transaction%s", o.ninvest, o.ninvest == 1 ? "" : "s");
	rc = 0;
out_file:
	if (o.inv.fp)
		fclose(o.inv.fp);
	fclose(o.raw.fp);
out:
	ingest_free(&o.in);
	return rc;
}

static const struct spend_importer ofx_importer = {
	.version = SPEND_IMPORTER_V1,
	.name = "ofx",
	.description = "OFX bank and credit card statements (1.x SGML, 2.x "
	    "XML; QFX) with libofx",
	.extensions = "ofx,qfx",
	.run = ofx_run,
};

SPEND_PLUGIN_EXPORT int
spend_plugin_init(const struct spend_host_api *host, struct spend_plugin *self)
{
	if (plugin_host_check(host, self, PLUGIN_HOST_NEEDS(import_error),
	    NULL) < 0)
		return -1;
	ofx_host = host;
	if (setenv("SP_CHARSET_FIXED", "1", 1) < 0 ||
	    setenv("SP_ENCODING", "ms-dos", 1) < 0)
		return -1;
	/* libofx prints to stdout and stderr unless told not to */
	ofx_PARSER_msg = ofx_DEBUG_msg = ofx_DEBUG1_msg = ofx_DEBUG2_msg = 0;
	ofx_DEBUG3_msg = ofx_DEBUG4_msg = ofx_DEBUG5_msg = 0;
	ofx_STATUS_msg = ofx_INFO_msg = ofx_WARNING_msg = ofx_ERROR_msg = 0;
	self->version = "1.0";
	self->description = "OFX statements importer (libofx)";
	return host->register_importer(self, &ofx_importer);
}
