/*
 * Raw rows to spend_records: dates and amounts as people write them, the
 * sign conventions, and the queue for rows waiting on a file-wide choice.
 * See ingest.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amount.h"
#include "date.h"
#include "ingest.h"
#include "text.h"

#define QUEUE_MAX (4u << 20)	/* bytes of rows waiting for a decision */
#define TAGS_MAX 64		/* more is surely not a tag list; the host
				 * enforces its own, smaller limit */

const char *const ingest_field_name[IF_N] = {
	"date", "amount", "debit", "credit", "currency", "category", "note",
	"payee", "tags", "source_id",
};

/* ---- options ---- */

static int
opt_bool(const char *v)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "1") == 0 || strcmp(v, "on") == 0)
		return 1;
	if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
	    strcmp(v, "0") == 0 || strcmp(v, "off") == 0)
		return 0;
	return -1;
}

int
ingest_init(struct ingest *in, const struct spend_host_api *host,
    struct spend_plugin *self, struct spend_import *job, int sign_bank,
    int order_fallback, int dsep_fallback)
{
	const char *v;
	int b;

	memset(in, 0, sizeof(*in));
	in->host = host;
	in->self = self;
	in->job = job;
	in->sign_bank = sign_bank;
	in->order_fallback = order_fallback;
	in->dsep_fallback = dsep_fallback;
	if ((v = host->import_option(job, "date_format")) != NULL) {
		if ((in->order = date_order_from_option(v)) < 0) {
			host->import_error(job, 0, "date_format",
			    "date_format \"%s\": expected YYYY-MM-DD, "
			    "DD/MM/YYYY, MM/DD/YYYY or DD.MM.YYYY", v);
			return -1;
		}
	}
	if ((v = host->import_option(job, "decimal_comma")) != NULL) {
		if ((b = opt_bool(v)) < 0) {
			host->import_error(job, 0, "decimal_comma",
			    "decimal_comma \"%s\": expected yes or no", v);
			return -1;
		}
		in->dsep = b ? ',' : '.';
	}
	if ((v = host->import_option(job, "sign")) != NULL) {
		if (strcmp(v, "bank") == 0 || strcmp(v, "expense-negative") == 0)
			in->sign_bank = 1;
		else if (strcmp(v, "expense-positive") == 0)
			in->sign_bank = 0;
		else {
			host->import_error(job, 0, "sign", "sign \"%s\": "
			    "expected expense-positive or bank", v);
			return -1;
		}
	}
	if ((v = host->import_option(job, "credits")) != NULL) {
		if (strcmp(v, "refund") == 0 || strcmp(v, "refunds") == 0)
			in->credits_refund = 1;
		else if (strcmp(v, "skip") != 0) {
			host->import_error(job, 0, "credits", "credits \"%s\": "
			    "expected skip or refund", v);
			return -1;
		}
	}
	if ((v = host->import_option(job, "currency")) != NULL && *v) {
		size_t i;

		for (i = 0; v[i] && i < sizeof(in->currency) - 1; i++)
			in->currency[i] = (char)(v[i] >= 'a' && v[i] <= 'z' ?
			    v[i] - 32 : v[i]);
		in->currency[i] = '\0';
		if (host->currency_exponent(in->currency) < 0) {
			host->import_error(job, 0, "currency", "currency "
			    "\"%s\": not an ISO 4217 code", v);
			return -1;
		}
	}
	return 0;
}

void
ingest_free(struct ingest *in)
{
	free(in->q);
	in->q = NULL;
	in->qlen = in->qcap = in->nq = 0;
}

/* ---- turning a row into a record ---- */

void
ingest_skip(struct ingest *in, size_t line, const char *reason)
{
	const struct spend_host_api *host = in->host;

	if (SPEND_HOST_HAS(host, import_skip) && host->import_skip)
		host->import_skip(in->job, line, reason);
}

/* Copy text to dst (room for strlen(s) + 1), cleaned: a spreadsheet
 * neutraliser (the ' our csv exporter puts before = + - @ tab CR) removed,
 * line breaks kept as \n only if keep_nl (else blanks), other control
 * characters blanked, blanks at both ends trimmed. Returns dst. */
static char *
clean_text(const char *s, char *dst, int keep_nl)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0, start;

	if (p[0] == '\'' && text_formula_like(s + 1))
		p++;
	for (; *p; p++) {
		unsigned char c = *p;

		if (c == '\r' && p[1] == '\n')
			continue;
		if (c == '\r' || c == '\n')
			c = keep_nl ? '\n' : ' ';
		else if (c < 0x20 || c == 0x7f)
			c = (c == '\t' && keep_nl) ? '\t' : ' ';
		dst[n++] = (char)c;
	}
	dst[n] = '\0';
	/* trim, after blanking, so that what comes out cleans to itself */
	start = (size_t)(text_skip_blanks((unsigned char *)dst) -
	    (unsigned char *)dst);
	while (start < n && dst[start] == '\n')
		start = (size_t)(text_skip_blanks((unsigned char *)dst +
		    start + 1) - (unsigned char *)dst);
	while (n > start && (dst[n - 1] == ' ' || dst[n - 1] == '\t' ||
	    dst[n - 1] == '\n'))
		n--;
	memmove(dst, dst + start, n - start);
	dst[n - start] = '\0';
	return dst;
}

/* Amount text -> plain decimal, deciding nothing (the caller has). */
static int
norm_field(struct ingest *in, const struct ingest_row *r, int f, char *out,
    size_t outlen, char code[4], int *neg, int *zero)
{
	const char *why, *p;
	int dsep = in->dsep ? in->dsep : in->dsep_fallback;

	if (amount_norm(r->f[f], dsep, out, outlen, code, &why) < 0) {
		in->host->import_error(in->job, r->line, ingest_field_name[f],
		    "%s \"%.60s\": %s", ingest_field_name[f], r->f[f], why);
		return -1;
	}
	*neg = out[0] == '-';
	if (*neg)
		memmove(out, out + 1, strlen(out));
	*zero = 1;
	for (p = out; *p; p++)
		if (*p >= '1' && *p <= '9')
			*zero = 0;
	return 0;
}

/* rec with r's splits as parts: each amount signed as the row's amount
 * is (sign_bank: money out is an expense), zeros dropped. */
static int
emit_split(struct ingest *in, const struct ingest_row *r,
    struct spend_record *rec)
{
	const struct spend_host_api *host = in->host;
	struct spend_part parts[INGEST_PARTS_MAX];
	char amounts[INGEST_PARTS_MAX][50], *copy, *p, *end;
	char *cats[INGEST_PARTS_MAX], *notes[INGEST_PARTS_MAX];
	size_t n = 0;
	int rc, last = 0;

	if ((copy = strdup(r->splits)) == NULL) {
		host->import_error(in->job, r->line, NULL, "out of memory");
		return -1;
	}
	for (p = copy; !last && *p; p = end + 1) {
		char *cat = p, *note, *amt, code[4] = "", out[48];
		const char *why;
		int neg, zero = 1;

		if ((end = strchr(p, '\x1e')) == NULL) {
			end = p + strlen(p);	/* a last part without its mark */
			last = 1;
		}
		*end = '\0';
		if ((note = strchr(cat, '\x1f')) == NULL ||
		    (amt = strchr(note + 1, '\x1f')) == NULL)
			continue;
		*note++ = '\0';
		*amt++ = '\0';
		if (text_blank(amt))
			continue;
		if (amount_norm(amt, in->dsep ? in->dsep : in->dsep_fallback,
		    out, sizeof(out), code, &why) < 0) {
			host->import_error(in->job, r->line, "amount",
			    "split amount \"%.40s\": %s", amt, why);
			free(copy);
			return -1;
		}
		neg = out[0] == '-';
		for (const char *q = out; *q; q++)
			if (*q >= '1' && *q <= '9')
				zero = 0;
		if (zero)
			continue;
		if (n == INGEST_PARTS_MAX) {
			n++;
			break;
		}
		/* the record's sign: money out is an expense */
		snprintf(amounts[n], sizeof(amounts[n]), "%s%s",
		    (in->sign_bank ? !neg : neg) ? "-" : "", out + neg);
		cats[n] = cat;
		notes[n] = note;
		n++;
	}
	if (n > INGEST_PARTS_MAX) {
		host->import_error(in->job, r->line, "amount", "a split of more "
		    "than %d parts", INGEST_PARTS_MAX);
		free(copy);
		return -1;
	}
	if (n == 1 && text_blank(rec->category))
		rec->category = clean_text(cats[0], cats[0], 0);
	if (n < 2) {
		rc = host->import_emit(in->job, rec);
		free(copy);
		return rc;
	}
	memset(parts, 0, sizeof(parts));
	for (size_t i = 0; i < n; i++) {
		parts[i].amount = amounts[i];
		parts[i].category = text_blank(cats[i]) ? NULL :
		    clean_text(cats[i], cats[i], 0);
		parts[i].note = text_blank(notes[i]) ? NULL :
		    clean_text(notes[i], notes[i], 1);
	}
	rc = host->import_emit_split(in->job, rec, parts, n);
	free(copy);
	return rc;
}

static int
emit_row(struct ingest *in, const struct ingest_row *r)
{
	const struct spend_host_api *host = in->host;
	struct spend_record rec;
	char date[11], amt[48], amount[50], code[4] = "", cur[8];
	const char *why, *tags[TAGS_MAX];
	char *text, *t, *save = NULL;
	size_t ntags = 0, need = 0;
	int f, out, neg, zero, rc;

	if (r->skip) {
		ingest_skip(in, r->line, r->skip);
		return 0;
	}
	for (f = 0; f < IF_N; f++)
		if (!text_blank(r->f[f]))
			break;
	if (f == IF_N) {	/* nothing of an expense in this row */
		in->nskip_empty++;
		ingest_skip(in, r->line, INGEST_SKIP_EMPTY);
		return 0;
	}
	memset(&rec, 0, sizeof(rec));
	rec.line = r->line;

	if (text_blank(r->f[IF_DATE])) {
		host->import_error(in->job, r->line, "date", "date missing");
		return -1;
	}
	if (date_parse(r->f[IF_DATE], in->order, date, &why) < 0) {
		host->import_error(in->job, r->line, "date", "date \"%.40s\": %s",
		    r->f[IF_DATE], why);
		return -1;
	}
	rec.date = date;

	/* out: 1 money out (an expense), 0 money in */
	if (!text_blank(r->f[IF_AMOUNT])) {
		if (norm_field(in, r, IF_AMOUNT, amt, sizeof(amt), code, &neg,
		    &zero) < 0)
			return -1;
		out = in->sign_bank ? neg : 1;
		if (!in->sign_bank && neg) {	/* a refund, as it says */
			snprintf(amount, sizeof(amount), "-%s", amt);
			memcpy(amt, amount, sizeof(amt));
		}
	} else if (!text_blank(r->f[IF_DEBIT]) ||
	    !text_blank(r->f[IF_CREDIT])) {
		char camt[48], c2[4] = "";
		int dz = 1, cz = 1;

		if (!text_blank(r->f[IF_DEBIT]) && norm_field(in, r, IF_DEBIT,
		    amt, sizeof(amt), code, &neg, &dz) < 0)
			return -1;
		if (!text_blank(r->f[IF_CREDIT]) && norm_field(in, r, IF_CREDIT,
		    camt, sizeof(camt), c2, &neg, &cz) < 0)
			return -1;
		if (!dz && !cz) {
			host->import_error(in->job, r->line, "credit",
			    "both debit and credit have an amount");
			return -1;
		}
		if (dz && !cz) {
			memcpy(amt, camt, sizeof(amt));
			memcpy(code, c2, sizeof(code));
		}
		zero = dz && cz;
		out = !dz;
	} else {
		host->import_error(in->job, r->line, "amount", "amount missing");
		return -1;
	}
	if (zero) {
		in->nskip_zero++;
		ingest_skip(in, r->line, INGEST_SKIP_ZERO);
		return 0;
	}
	if (!out) {
		if (!in->credits_refund) {
			in->nskip_credit++;
			ingest_skip(in, r->line, INGEST_SKIP_CREDIT);
			return 0;
		}
		snprintf(amount, sizeof(amount), "-%s", amt);
		memcpy(amt, amount, sizeof(amt));
	}
	rec.amount = amt;

	if (!text_blank(r->f[IF_CURRENCY])) {
		const unsigned char *c = text_skip_blanks(
		    (const unsigned char *)r->f[IF_CURRENCY]);
		size_t i;

		for (i = 0; i < 3 && text_alpha(c[i]); i++)
			cur[i] = (char)(c[i] >= 'a' ? c[i] - 32 : c[i]);
		cur[i] = '\0';
		if (i != 3 || *text_skip_blanks(c + 3) != '\0') {
			host->import_error(in->job, r->line, "currency",
			    "currency \"%.20s\": not an ISO 4217 code",
			    r->f[IF_CURRENCY]);
			return -1;
		}
		if (code[0] && strcmp(code, cur) != 0) {
			host->import_error(in->job, r->line, "amount",
			    "amount says %s but currency says %s", code, cur);
			return -1;
		}
		rec.currency = cur;
	} else if (code[0])
		rec.currency = code;
	else if (in->currency[0])
		rec.currency = in->currency;

	/* the text fields, cleaned into one allocation */
	for (f = IF_CATEGORY; f < IF_N; f++)
		if (r->f[f])
			need += strlen(r->f[f]) + 1;
	if ((text = malloc(need + 1)) == NULL) {
		host->import_error(in->job, r->line, NULL, "out of memory");
		return -1;
	}
	t = text;
#define TEXT(field, dst, nl)						\
	if (!text_blank(r->f[field])) {					\
		dst = clean_text(r->f[field], t, nl);			\
		t += strlen(t) + 1;					\
	}
	TEXT(IF_CATEGORY, rec.category, 0);
	TEXT(IF_PAYEE, rec.payee, 0);
	TEXT(IF_NOTE, rec.note, 1);
	TEXT(IF_SOURCE_ID, rec.source_id, 0);
#undef TEXT
	if (!text_blank(r->f[IF_TAGS])) {
		clean_text(r->f[IF_TAGS], t, 0);
		for (t = strtok_r(t, " ,;|", &save); t;
		    t = strtok_r(NULL, " ,;|", &save)) {
			if (ntags == TAGS_MAX) {
				host->import_error(in->job, r->line, "tags",
				    "more than %d tags", TAGS_MAX);
				free(text);
				return -1;
			}
			tags[ntags++] = t;
		}
		rec.tags = tags;
		rec.ntags = ntags;
	}
	if (!text_blank(r->splits) && !text_blank(r->f[IF_AMOUNT]) &&
	    SPEND_HOST_HAS(host, import_emit_split))
		rc = emit_split(in, r, &rec);
	else
		rc = host->import_emit(in->job, &rec);
	free(text);
	if (rc < 0)
		return -1;
	in->nemitted++;
	return 0;
}

/* ---- the queue of rows waiting for a decision ---- */

static int
q_push(struct ingest *in, const struct ingest_row *r)
{
	size_t need = sizeof(r->line) + IF_N + 1;
	char *p;
	int f;

	for (f = 0; f < IF_N; f++)
		if (r->f[f])
			need += strlen(r->f[f]) + 1;
	if (r->skip)
		need += strlen(r->skip) + 1;
	need += 1 + (r->splits ? strlen(r->splits) + 1 : 0);
	if (in->qlen + need > in->qcap) {
		size_t cap = in->qcap ? in->qcap : 4096;

		while (cap < in->qlen + need)
			cap *= 2;
		if ((p = realloc(in->q, cap)) == NULL) {
			in->host->import_error(in->job, r->line, NULL,
			    "out of memory");
			return -1;
		}
		in->q = p;
		in->qcap = cap;
	}
	p = in->q + in->qlen;
	memcpy(p, &r->line, sizeof(r->line));
	p += sizeof(r->line);
	for (f = 0; f < IF_N; f++) {
		*p++ = r->f[f] != NULL;
		if (r->f[f]) {
			size_t n = strlen(r->f[f]) + 1;

			memcpy(p, r->f[f], n);
			p += n;
		}
	}
	*p++ = r->skip != NULL;
	if (r->skip) {
		size_t n = strlen(r->skip) + 1;

		memcpy(p, r->skip, n);
		p += n;
	}
	*p++ = r->splits != NULL;
	if (r->splits) {
		size_t n = strlen(r->splits) + 1;

		memcpy(p, r->splits, n);
		p += n;
	}
	in->qlen = (size_t)(p - in->q);
	in->nq++;
	return 0;
}

static int
q_flush(struct ingest *in)
{
	const char *p = in->q, *end = in->q + in->qlen;
	struct ingest_row r;
	int f, rc = 0;

	while (p < end && rc == 0) {
		memcpy(&r.line, p, sizeof(r.line));
		p += sizeof(r.line);
		for (f = 0; f < IF_N; f++) {
			r.f[f] = NULL;
			if (*p++) {
				r.f[f] = p;
				p += strlen(p) + 1;
			}
		}
		r.skip = NULL;
		if (*p++) {
			r.skip = p;
			p += strlen(p) + 1;
		}
		r.splits = NULL;
		if (*p++) {
			r.splits = p;
			p += strlen(p) + 1;
		}
		rc = emit_row(in, &r);
	}
	in->qlen = in->nq = 0;
	in->q_need_order = in->q_need_dsep = 0;
	/* a big queue was a one-off: give its memory back */
	if (in->qcap > 65536) {
		free(in->q);
		in->q = NULL;
		in->qcap = 0;
	}
	return rc;
}

/* Nothing more will decide: take the fallbacks, or fail. */
static int
q_resolve(struct ingest *in)
{
	if (in->q_need_dsep && in->dsep == 0)
		in->dsep = in->dsep_fallback;
	if (in->q_need_order && in->order == ORDER_AUTO) {
		if (in->order_fallback == ORDER_AUTO) {
			in->host->import_error(in->job, in->ambig_line, "date",
			    "date \"%s\" could be DD/MM/YYYY or MM/DD/YYYY and "
			    "no row decides; set the date_format option "
			    "(--option date_format=DD/MM/YYYY)", in->ambig_date);
			return -1;
		}
		in->order = in->order_fallback;
	}
	return q_flush(in);
}

int
ingest_row(struct ingest *in, const struct ingest_row *row)
{
	static const int amount_fields[] = { IF_AMOUNT, IF_DEBIT, IF_CREDIT };
	int need_order = 0, need_dsep = 0, h;
	size_t i;

	if (in->failed)
		return -1;
	if (row->skip) {	/* reported in its turn; it decides nothing */
		if (in->nq == 0)
			return emit_row(in, row);
		if (q_push(in, row) < 0 || (in->qlen > QUEUE_MAX &&
		    q_resolve(in) < 0))
			in->failed = 1;
		return in->failed ? -1 : 0;
	}
	/* what this row tells, and what it needs */
	if (!text_blank(row->f[IF_DATE]) && in->order == ORDER_AUTO) {
		h = date_hint(row->f[IF_DATE]);
		if (h == ORDER_DMY || h == ORDER_MDY)
			in->order = h;
		else if (h == ORDER_AUTO)
			need_order = 1;
	}
	for (i = 0; i < 3 && in->dsep == 0; i++) {
		const char *a = row->f[amount_fields[i]];

		if (text_blank(a))
			continue;
		h = amount_hint(a);
		if (h > 0)
			in->dsep = h;
		else if (h == 0)
			need_dsep = 1;
	}
	if (in->order != ORDER_AUTO)
		in->q_need_order = 0;
	if (in->dsep != 0)
		in->q_need_dsep = 0;
	if (need_order && !in->q_need_order) {
		in->ambig_line = row->line;
		snprintf(in->ambig_date, sizeof(in->ambig_date), "%s",
		    row->f[IF_DATE]);
	}
	if (!need_order && !need_dsep && in->nq == 0) {
		if (emit_row(in, row) < 0)
			in->failed = 1;
		return in->failed ? -1 : 0;
	}
	if (q_push(in, row) < 0) {
		in->failed = 1;
		return -1;
	}
	in->q_need_order |= need_order;
	in->q_need_dsep |= need_dsep;
	if (!in->q_need_order && !in->q_need_dsep) {
		if (q_flush(in) < 0)
			in->failed = 1;
	} else if (in->qlen > QUEUE_MAX) {
		if (q_resolve(in) < 0)
			in->failed = 1;
	}
	return in->failed ? -1 : 0;
}

int
ingest_finish(struct ingest *in)
{
	if (in->failed)
		return -1;
	if (in->nq > 0 && q_resolve(in) < 0) {
		in->failed = 1;
		return -1;
	}
	/* the import's report counts these too (import_skip); the log
	 * keeps them for spendd versions without it */
	if (in->nskip_credit || in->nskip_zero || in->nskip_empty) {
		char what[256];
		size_t n = 0;

		if (in->nskip_credit)
			n += (size_t)snprintf(what + n, sizeof(what) - n,
			    ", %zu money-in row%s (credits=refund imports them "
			    "as refunds)", in->nskip_credit,
			    in->nskip_credit == 1 ? "" : "s");
		if (in->nskip_zero && n < sizeof(what))
			n += (size_t)snprintf(what + n, sizeof(what) - n,
			    ", %zu zero amount%s", in->nskip_zero,
			    in->nskip_zero == 1 ? "" : "s");
		if (in->nskip_empty && n < sizeof(what))
			snprintf(what + n, sizeof(what) - n, ", %zu row%s "
			    "without a date or amount", in->nskip_empty,
			    in->nskip_empty == 1 ? "" : "s");
		in->host->log(in->self, SPEND_LOG_INFO, "%zu rows taken; "
		    "skipped %s", in->nemitted, what + 2);
	}
	return 0;
}
