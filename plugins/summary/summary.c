/*
 * summary report: a user's spending over a period, grouped by category,
 * month or day, with the total of each currency. Runs on a REPORT job
 * (spendctl report summary, GET /api/v1/reports/summary).
 *
 * Params (all optional):
 *	month=YYYY-MM		the period (or from/to)
 *	from=DATE to=DATE	inclusive; open when left out
 *	group=category|month|day	(category)
 *
 * Result:
 *	{"report": "summary", "from": "2024-03-01", "to": "2024-03-31",
 *	 "group": "category",
 *	 "rows": [{"key": "food", "currency": "EUR", "count": 2,
 *	           "sum": "13.50"}, ...],
 *	 "totals": [{"currency": "EUR", "count": 2, "sum": "13.50"}, ...]}
 *
 * Amounts are exact decimal strings in the currency's own decimals, never
 * floats; rows come in the host's order (keys ascending), totals in the
 * order their currencies first appear.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spend/plugin.h"
#include "../common/host.h"

SPEND_PLUGIN_DECLARE;

#define MAX_CURRENCIES 64

static const struct spend_host_api *host;

/* A growing JSON text. */
struct buf {
	char *s;
	size_t len, cap;
	int failed;
};

static void
put(struct buf *b, const char *p, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *s;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((s = realloc(b->s, cap)) == NULL) {
			b->failed = 1;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* A JSON string. The host's names are valid UTF-8 already: escape what
 * JSON requires, pass the rest. */
static void
put_jstr(struct buf *b, const char *s)
{
	char esc[8];

	put(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(b, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(b, esc, 6);
		} else
			put(b, s, 1);
	}
	put(b, "\"", 1);
}

static void
put_int(struct buf *b, int64_t v)
{
	char n[24];

	snprintf(n, sizeof(n), "%" PRId64, v);
	puts_(b, n);
}

/* "sum": "12.50" */
static int
put_amount(struct buf *b, int64_t minor, const char *currency)
{
	char a[64];

	if (host->money_format(minor, currency, a, sizeof(a)) < 0)
		return -1;
	put_jstr(b, a);
	return 0;
}

struct total {
	char currency[4];
	int64_t count, sum;
};

struct run {
	struct spend_report_job *job;
	struct buf out;
	struct total totals[MAX_CURRENCIES];
	size_t ntotals;
	size_t rows;
};

static int
row(void *arg, const struct spend_total *t)
{
	struct run *r = arg;
	struct total *tt = NULL;

	for (size_t i = 0; i < r->ntotals; i++)
		if (!strcmp(r->totals[i].currency, t->currency))
			tt = &r->totals[i];
	if (tt == NULL) {
		if (r->ntotals == MAX_CURRENCIES ||
		    strlen(t->currency) >= sizeof(tt->currency)) {
			host->report_error(r->job, "summary: too many "
			    "currencies");
			return -1;
		}
		tt = &r->totals[r->ntotals++];
		memset(tt, 0, sizeof(*tt));
		memcpy(tt->currency, t->currency, strlen(t->currency) + 1);
	}
	if ((t->sum_minor > 0 && tt->sum > INT64_MAX - t->sum_minor) ||
	    (t->sum_minor < 0 && tt->sum < INT64_MIN - t->sum_minor)) {
		host->report_error(r->job, "summary: the %s total overflows",
		    t->currency);
		return -1;
	}
	tt->sum += t->sum_minor;
	tt->count += t->count;

	puts_(&r->out, r->rows++ ? ",{\"key\":" : "{\"key\":");
	put_jstr(&r->out, t->key);
	puts_(&r->out, ",\"currency\":");
	put_jstr(&r->out, t->currency);
	puts_(&r->out, ",\"count\":");
	put_int(&r->out, t->count);
	puts_(&r->out, ",\"sum\":");
	if (put_amount(&r->out, t->sum_minor, t->currency) < 0) {
		host->report_error(r->job, "summary: cannot format an amount "
		    "in %s", t->currency);
		return -1;
	}
	puts_(&r->out, "}");
	return 0;
}

/* month "YYYY-MM" into its first and last days. */
static int
month_period(const char *month, char *from, char *to, size_t size)
{
	int y, m;

	if (strlen(month) != 7 || month[4] != '-' ||
	    strspn(month, "0123456789") != 4 ||
	    strspn(month + 5, "0123456789") != 2)
		return -1;
	y = atoi(month);
	m = atoi(month + 5);
	if (m < 1 || m > 12)
		return -1;
	snprintf(from, size, "%04d-%02d-01", y, m);
	if (!host->date_valid(from))
		return -1;
	for (int d = 31; d >= 28; d--) {
		snprintf(to, size, "%04d-%02d-%02d", y, m, d);
		if (host->date_valid(to))
			return 0;
	}
	return -1;
}

static char *
summary_run(struct spend_plugin *self, struct spend_report_job *job)
{
	const char *month = host->report_param(job, "month");
	const char *from = host->report_param(job, "from");
	const char *to = host->report_param(job, "to");
	const char *gname = host->report_param(job, "group");
	char mfrom[16], mto[16];
	enum spend_group group;
	struct run *r;
	char *text;

	(void)self;
	if (gname == NULL || !strcmp(gname, "category"))
		group = SPEND_GROUP_CATEGORY;
	else if (!strcmp(gname, "month"))
		group = SPEND_GROUP_MONTH;
	else if (!strcmp(gname, "day"))
		group = SPEND_GROUP_DAY;
	else {
		host->report_error(job, "group must be category, month or "
		    "day");
		return NULL;
	}
	if (month) {
		if ((from && *from) || (to && *to)) {
			host->report_error(job, "month or from/to, not both");
			return NULL;
		}
		if (month_period(month, mfrom, mto, sizeof(mfrom)) < 0) {
			host->report_error(job, "month must be YYYY-MM");
			return NULL;
		}
		from = mfrom;
		to = mto;
	}
	if (from == NULL)
		from = "";
	if (to == NULL)
		to = "";
	if ((*from && !host->date_valid(from)) || (*to &&
	    !host->date_valid(to))) {
		host->report_error(job, "from and to must be dates, "
		    "YYYY-MM-DD");
		return NULL;
	}
	/* on the heap: worker stacks may be small */
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		host->report_error(job, "summary: out of memory");
		return NULL;
	}
	r->job = job;
	puts_(&r->out, "{\"report\":\"summary\",\"from\":");
	put_jstr(&r->out, from);
	puts_(&r->out, ",\"to\":");
	put_jstr(&r->out, to);
	puts_(&r->out, ",\"group\":");
	put_jstr(&r->out, group == SPEND_GROUP_CATEGORY ? "category" :
	    group == SPEND_GROUP_MONTH ? "month" : "day");
	puts_(&r->out, ",\"rows\":[");
	if (host->report_totals(job, from, to, group, row, r) < 0)
		goto fail;	/* the host or row() said why */
	puts_(&r->out, "],\"totals\":[");
	for (size_t i = 0; i < r->ntotals; i++) {
		puts_(&r->out, i ? ",{\"currency\":" : "{\"currency\":");
		put_jstr(&r->out, r->totals[i].currency);
		puts_(&r->out, ",\"count\":");
		put_int(&r->out, r->totals[i].count);
		puts_(&r->out, ",\"sum\":");
		if (put_amount(&r->out, r->totals[i].sum,
		    r->totals[i].currency) < 0) {
			host->report_error(job, "summary: cannot format an "
			    "amount in %s", r->totals[i].currency);
			goto fail;
		}
		puts_(&r->out, "}");
	}
	puts_(&r->out, "]}");
	if (r->out.failed) {
		host->report_error(job, "summary: out of memory");
		goto fail;
	}
	text = r->out.s;
	free(r);
	return text;
fail:
	free(r->out.s);
	free(r);
	return NULL;
}

static const struct spend_report summary_report = {
	.version = SPEND_REPORT_V1,
	.name = "summary",
	.description = "spending over a period by category, month or day, "
	    "with totals per currency",
	.run = summary_run,
};

SPEND_PLUGIN_EXPORT int
spend_plugin_init(const struct spend_host_api *h, struct spend_plugin *self)
{
	if (plugin_host_check(h, self, PLUGIN_HOST_NEEDS(report_error),
	    "host API too old: no reports") < 0)
		return -1;
	host = h;
	self->version = "1.0";
	self->description = "summary report";
	return host->register_report(self, &summary_report);
}
