/* Recurring rules: the domain (recurring.h). Every change goes through a
 * write transaction with its change-log entry; the scheduler creates the
 * occurrences (recurring_sched.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "money.h"
#include "recurring.h"
#include "util.h"

/* The canonical ",a,b," as strings pointing into buf. */
static size_t
tags_split(const char *canon, char *buf, size_t size, const char **tags)
{
	char *p, *save = NULL;
	size_t n = 0;

	strlcpy(buf, canon, size);
	for (p = strtok_r(buf, ",", &save); p && n < TAGS_MAX;
	    p = strtok_r(NULL, ",", &save))
		tags[n++] = p;
	return n;
}

/* An amount as its currency writes it without trailing zero decimals
 * ("12.50" EUR -> "12.5", "12.00" -> "12"): what must still fit when
 * only the currency changes. */
static void
amount_plain(int64_t amount, const char *currency, char *buf, size_t size)
{
	const struct currency *c = money_currency(currency);

	money_format(amount, c ? c->exponent : 2, buf, size);
	if (strchr(buf, '.') != NULL) {
		size_t n = strlen(buf);

		while (buf[n - 1] == '0')
			buf[--n] = '\0';
		if (buf[n - 1] == '.')
			buf[--n] = '\0';
	}
}

/*
 * The expense part of a rule (amount, currency, category, note, payee,
 * tags), checked exactly as expense.add checks an expense: the given
 * fields of in over cur's (NULL: a new rule), into r.
 */
static int
expense_part(struct store *st, const struct user *u,
    const struct recurring_rule *cur, const struct expense_input *given,
    struct recurring_rule *r, struct spend_err *err)
{
	struct expense_input in = *given;
	const char *tags[TAGS_MAX];
	char tagbuf[TAGS_BUF], amount[MONEY_STR_MAX];
	struct expense e;
	int rc;

	in.set &= ~(unsigned)(EF_DATE | EF_IMPORT_KEY);
	in.date = NULL;
	in.import_key = NULL;
	if (cur) {
		if (!(in.set & EF_CATEGORY)) {
			in.cat = NULL;
			in.category = NULL;
			in.category_id = cur->category_id;
			in.set |= EF_CATEGORY;
		}
		if (!(in.set & (EF_AMOUNT | EF_AMOUNT_MINOR))) {
			if ((in.set & EF_CURRENCY) && in.currency &&
			    strcasecmp_ascii(in.currency, cur->currency) != 0) {
				amount_plain(cur->amount, cur->currency, amount,
				    sizeof(amount));
				in.amount = amount;
				in.set |= EF_AMOUNT;
			} else {
				in.amount_minor = cur->amount;
				in.set |= EF_AMOUNT_MINOR;
			}
		}
		if (!(in.set & EF_CURRENCY)) {
			in.currency = cur->currency;
			in.set |= EF_CURRENCY;
		}
		if (!(in.set & EF_NOTE)) {
			in.note = cur->note;
			in.set |= EF_NOTE;
		}
		if (!(in.set & EF_PAYEE)) {
			in.payee = cur->payee;
			in.set |= EF_PAYEE;
		}
		if (!(in.set & EF_TAGS)) {
			in.ntags = tags_split(cur->tags, tagbuf, sizeof(tagbuf),
			    tags);
			in.tags = tags;
			in.set |= EF_TAGS;
		}
	}
	if ((rc = expense_check(st, 0, u, &in, &e, err)) < 0)
		return rc;
	r->amount = e.amount;
	strlcpy(r->currency, e.currency, sizeof(r->currency));
	r->category_id = e.category_id;
	strlcpy(r->category, e.category, sizeof(r->category));
	strlcpy(r->note, e.note, sizeof(r->note));
	strlcpy(r->payee, e.payee, sizeof(r->payee));
	strlcpy(r->tags, e.tags, sizeof(r->tags));
	return 0;
}

static int
date_field(const char *field, const char *v, char out[DATE_LEN + 1],
    struct spend_err *err)
{
	if (!date_valid(v))
		return spend_errf(err, SPEND_EINVAL, field, "%s \"%.40s\": not a "
		    "calendar date YYYY-MM-DD", field, v);
	strlcpy(out, v, DATE_LEN + 1);
	return 0;
}

/* The schedule fields of in over r's. */
static int
schedule_part(const struct recurring_input *in, const char *today,
    struct recurring_rule *r, bool is_add, struct spend_err *err)
{
	struct recurrence *rec = &r->rec;
	int rc, freq = rec->freq;

	if (is_add && !(in->set & RF_EVERY))
		return spend_errf(err, SPEND_EINVAL, "every", "every is required: "
		    "day, week, month or year");
	if (in->set & RF_EVERY) {
		if ((freq = recurrence_freq(in->every)) < 0)
			return spend_errf(err, SPEND_EINVAL, "every", "every "
			    "\"%.40s\": day, week, month or year", in->every);
		/* another frequency: the old --on means nothing to it */
		if (freq != rec->freq || is_add)
			rec->weekdays = 0, rec->month_day = 0;
		rec->freq = freq;
	}
	if (in->set & RF_INTERVAL) {
		if (in->interval < 1 || in->interval > REC_INTERVAL_MAX)
			return spend_errf(err, SPEND_EINVAL, "interval",
			    "interval must be between 1 and %d",
			    REC_INTERVAL_MAX);
		rec->interval = (int)in->interval;
	} else if (is_add)
		rec->interval = 1;
	if ((in->set & RF_ON) && (rc = recurrence_parse_on(rec->freq, in->on,
	    rec, err)) < 0)
		return rc;
	if (in->set & RF_START) {
		if ((rc = date_field("start", in->start, rec->start, err)) < 0)
			return rc;
	} else if (is_add)
		strlcpy(rec->start, today, sizeof(rec->start));
	if (in->set & RF_END) {
		if (in->end == NULL || in->end[0] == '\0' ||
		    strcmp(in->end, "none") == 0)
			rec->end[0] = '\0';
		else if ((rc = date_field("end", in->end, rec->end, err)) < 0)
			return rc;
	}
	if (in->set & RF_COUNT) {
		if (in->count < 0 || in->count > REC_COUNT_MAX ||
		    (is_add && in->count == 0))
			return spend_errf(err, SPEND_EINVAL, "count", "count must "
			    "be between 1 and %d%s", REC_COUNT_MAX, is_add ? "" :
			    " (0 removes it)");
		rec->count = in->count;
	}
	return recurrence_check(rec, err);
}

int
recurring_create(struct write_tx *w, const struct user *u,
    const struct recurring_input *in, const char *today,
    struct recurring_rule *out, struct spend_err *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	out->user_id = w->uid;
	if ((rc = expense_part(w->st, u, NULL, &in->exp, out, err)) < 0 ||
	    (rc = schedule_part(in, today, out, true, err)) < 0)
		return rc;
	recurring_refresh(out);
	if (out->next[0] == '\0')
		return spend_errf(err, SPEND_EINVAL, out->rec.end[0] ? "end" :
		    "start", "this rule never falls: no %s of it between %s "
		    "and %s", recurrence_freq_name(out->rec.freq),
		    out->rec.start, out->rec.end[0] ? out->rec.end : "2999");
	if ((rc = store_recurring_add(w->st, out, err)) < 0)
		return rc;
	return write_change(w, CH_RECURRING, out->id, CH_CREATE, out->version,
	    err);
}

static int
load(struct write_tx *w, int64_t id, int64_t version,
    struct recurring_rule *r, struct spend_err *err)
{
	int rc;

	if ((rc = store_recurring_get(w->st, w->uid, id, r, err)) < 0)
		return rc;
	if (version && version != r->version)
		return spend_errf(err, SPEND_ESTALE, "version", "recurring rule "
		    "%lld was changed meanwhile (now version %lld, you sent "
		    "%lld)", (long long)id, (long long)r->version,
		    (long long)version);
	return 0;
}

static int
save(struct write_tx *w, struct recurring_rule *r, struct spend_err *err)
{
	int rc;

	if ((rc = store_recurring_update(w->st, r, r->version, err)) < 0)
		return rc;
	return write_change(w, CH_RECURRING, r->id, CH_UPDATE, r->version, err);
}

int
recurring_update(struct write_tx *w, const struct user *u, int64_t id,
    int64_t version, const struct recurring_input *in, const char *today,
    struct recurring_rule *out, struct spend_err *err)
{
	struct recurring_rule cur;
	int rc;

	if ((rc = load(w, id, version, &cur, err)) < 0)
		return rc;
	*out = cur;
	if ((rc = expense_part(w->st, u, &cur, &in->exp, out, err)) < 0 ||
	    (rc = schedule_part(in, today, out, false, err)) < 0)
		return rc;
	/* the new schedule takes up after what was created or skipped */
	out->error[0] = '\0';
	recurring_refresh(out);
	return save(w, out, err);
}

int
recurring_pause(struct write_tx *w, int64_t id, int64_t version,
    struct recurring_rule *out, struct spend_err *err)
{
	int rc;

	if ((rc = load(w, id, version, out, err)) < 0 || out->paused)
		return rc;
	out->paused = true;
	return save(w, out, err);
}

/* Occurrences before today are passed over (paused, or a resumed rule). */
static void
from_today(struct recurring_rule *r, const char *today)
{
	char yesterday[DATE_LEN + 1];

	date_add_days(today, -1, yesterday);
	if (strcmp(yesterday, r->after) > 0)
		strlcpy(r->after, yesterday, sizeof(r->after));
	recurring_refresh(r);
}

int
recurring_resume(struct write_tx *w, int64_t id, int64_t version,
    const char *today, struct recurring_rule *out, struct spend_err *err)
{
	int rc;

	if ((rc = load(w, id, version, out, err)) < 0)
		return rc;
	if (!out->paused && out->error[0] == '\0')
		return 0;
	if (out->paused)
		from_today(out, today);
	out->paused = false;
	out->error[0] = '\0';
	return save(w, out, err);
}

int
recurring_skip(struct write_tx *w, int64_t id, int64_t version,
    const char *today, struct recurring_rule *out,
    char skipped[DATE_LEN + 1], struct spend_err *err)
{
	int rc;

	if ((rc = load(w, id, version, out, err)) < 0)
		return rc;
	if (out->paused)
		from_today(out, today);
	if (out->next[0] == '\0')
		return spend_errf(err, SPEND_EINVAL, "id", "recurring rule %lld "
		    "has no occurrence left to skip", (long long)id);
	strlcpy(skipped, out->next, DATE_LEN + 1);
	strlcpy(out->after, out->next, sizeof(out->after));
	out->done++;
	recurring_refresh(out);
	return save(w, out, err);
}

struct del_ctx {
	struct write_tx *w;
	struct spend_err *err;
	int64_t n;
};

static int
del_one(void *arg, int64_t id)
{
	struct del_ctx *d = arg;
	int rc;

	if ((rc = expense_delete(d->w, id, 0, d->err)) < 0)
		return rc;
	d->n++;
	return 0;
}

int
recurring_delete(struct write_tx *w, int64_t id, int64_t version,
    bool delete_created, int64_t *deleted, struct spend_err *err)
{
	struct recurring_rule r;
	struct del_ctx d = { w, err, 0 };
	int rc;

	*deleted = 0;
	if ((rc = load(w, id, version, &r, err)) < 0)
		return rc;
	if (delete_created && (rc = store_recurring_expenses(w->st, w->uid, id,
	    del_one, &d, err)) < 0)
		return rc;
	*deleted = d.n;
	if ((rc = store_recurring_delete(w->st, w->uid, id, r.version, err)) < 0)
		return rc;
	return write_change(w, CH_RECURRING, id, CH_DELETE, r.version + 1, err);
}

int
recurring_get(struct store *st, int64_t uid, int64_t id,
    struct recurring_rule *out, struct spend_err *err)
{
	return store_recurring_get(st, uid, id, out, err);
}

int
recurring_settings_set(struct write_tx *w, int days, struct spend_err *err)
{
	if (days < 0 || days > REC_REMIND_MAX)
		return spend_errf(err, SPEND_EINVAL, "remind_days", "remind_days "
		    "must be between 0 (off) and %d", REC_REMIND_MAX);
	return store_recurring_settings_set(w->st, w->uid, days, err);
}

/* ---- what is still to come ---- */

struct rules {
	struct recurring_rule *v;
	size_t n, cap;
};

static int
rules_add(void *arg, const struct recurring_rule *r)
{
	struct rules *rs = arg;

	if (r->paused || r->error[0] || r->next[0] == '\0')
		return 0;
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 16;
		struct recurring_rule *p = realloc(rs->v, cap * sizeof(*p));

		if (p == NULL)
			return SPEND_ENOMEM;
		rs->v = p;
		rs->cap = cap;
	}
	rs->v[rs->n++] = *r;
	return 0;
}

struct occs {
	struct occurrence *v;
	size_t n, cap;
	const struct recurring_rule *rule;
};

static int
occ_add(void *arg, const char *date)
{
	struct occs *os = arg;
	struct occurrence *o;

	if (os->n == os->cap) {
		size_t cap = os->cap ? os->cap * 2 : 64;
		struct occurrence *p = realloc(os->v, cap * sizeof(*p));

		if (p == NULL)
			return SPEND_ENOMEM;
		os->v = p;
		os->cap = cap;
	}
	o = &os->v[os->n++];
	memset(o, 0, sizeof(*o));
	o->rule_id = os->rule->id;
	strlcpy(o->date, date, sizeof(o->date));
	o->amount = os->rule->amount;
	strlcpy(o->currency, os->rule->currency, sizeof(o->currency));
	o->category_id = os->rule->category_id;
	strlcpy(o->category, os->rule->category, sizeof(o->category));
	o->rule = os->rule;
	return 0;
}

static int
occ_cmp(const void *a, const void *b)
{
	const struct occurrence *x = a, *y = b;
	int c = strcmp(x->date, y->date);

	if (c)
		return c;
	return x->rule_id < y->rule_id ? -1 : x->rule_id > y->rule_id;
}

int
recurring_upcoming(struct store *st, int64_t uid, const char *from,
    const char *to, int (*cb)(void *arg, const struct occurrence *o),
    void *arg, struct spend_err *err)
{
	struct rules rs = { NULL, 0, 0 };
	struct occs os = { NULL, 0, 0, NULL };
	int rc = 0;

	if (!date_valid(from))
		return spend_errf(err, SPEND_EINVAL, "from", "from \"%.40s\": not "
		    "a calendar date YYYY-MM-DD", from ? from : "");
	if (!date_valid(to))
		return spend_errf(err, SPEND_EINVAL, "to", "to \"%.40s\": not a "
		    "calendar date YYYY-MM-DD", to ? to : "");
	if ((rc = store_recurring_list(st, uid, rules_add, &rs, err)) < 0) {
		if (rc == SPEND_ENOMEM)
			spend_errf(err, rc, "", "out of memory");
		goto out;
	}
	for (size_t i = 0; i < rs.n; i++) {
		os.rule = &rs.v[i];
		/* active rules only: their next is what they create next */
		if ((rc = recurring_each(&rs.v[i], NULL, from, to, occ_add,
		    &os)) < 0) {
			spend_errf(err, rc, "", "out of memory");
			goto out;
		}
	}
	if (os.n)
		qsort(os.v, os.n, sizeof(*os.v), occ_cmp);
	for (size_t i = 0; i < os.n && rc == 0; i++)
		rc = cb(arg, &os.v[i]);
out:
	free(os.v);
	free(rs.v);
	return rc;
}

struct budget_feed {
	int (*add)(void *ctx, const struct budget_upcoming *x);
	void *ctx;
};

static int
budget_feed(void *arg, const struct occurrence *o)
{
	struct budget_feed *f = arg;
	struct budget_upcoming x;

	memset(&x, 0, sizeof(x));
	x.category_id = o->category_id;
	strlcpy(x.currency, o->currency, sizeof(x.currency));
	strlcpy(x.date, o->date, sizeof(x.date));
	x.amount = o->amount;
	return f->add(f->ctx, &x);
}

int
recurring_budget_upcoming(struct store *st, const struct user *u,
    const char *from, const char *to,
    int (*add)(void *ctx, const struct budget_upcoming *x), void *ctx,
    struct spend_err *err)
{
	struct budget_feed f = { add, ctx };

	return recurring_upcoming(st, u->id, from, to, budget_feed, &f, err);
}

struct tot {
	int64_t category_id;
	char currency[4];
	int64_t count, sum;
};

struct tots {
	struct tot *v;
	size_t n, cap;
	bool overflow;
};

static int
tot_add(void *arg, const struct occurrence *o)
{
	struct tots *ts = arg;
	size_t i;

	for (i = 0; i < ts->n; i++)
		if (ts->v[i].category_id == o->category_id &&
		    strcmp(ts->v[i].currency, o->currency) == 0)
			break;
	if (i == ts->n) {
		if (ts->n == ts->cap) {
			size_t cap = ts->cap ? ts->cap * 2 : 16;
			struct tot *p = realloc(ts->v, cap * sizeof(*p));

			if (p == NULL)
				return SPEND_ENOMEM;
			ts->v = p;
			ts->cap = cap;
		}
		memset(&ts->v[i], 0, sizeof(ts->v[i]));
		ts->v[i].category_id = o->category_id;
		strlcpy(ts->v[i].currency, o->currency, sizeof(ts->v[i].currency));
		ts->n++;
	}
	ts->v[i].count++;
	if (money_add(ts->v[i].sum, o->amount, &ts->v[i].sum) < 0)
		ts->overflow = true;
	return 0;
}

static int
tot_cmp(const void *a, const void *b)
{
	const struct tot *x = a, *y = b;

	if (x->category_id != y->category_id)
		return x->category_id < y->category_id ? -1 : 1;
	return strcmp(x->currency, y->currency);
}

int
recurring_upcoming_totals(struct store *st, int64_t uid, const char *from,
    const char *to, int (*cb)(void *arg, int64_t category_id,
    const char *currency, int64_t count, int64_t sum), void *arg,
    struct spend_err *err)
{
	struct tots ts = { NULL, 0, 0, false };
	int rc;

	if ((rc = recurring_upcoming(st, uid, from, to, tot_add, &ts, err)) < 0) {
		if (rc == SPEND_ENOMEM)
			spend_errf(err, rc, "", "out of memory");
		goto out;
	}
	if (ts.overflow) {
		rc = spend_errf(err, SPEND_EINVAL, "", "the sum of upcoming "
		    "occurrences overflows");
		goto out;
	}
	if (ts.n)
		qsort(ts.v, ts.n, sizeof(*ts.v), tot_cmp);
	for (size_t i = 0; i < ts.n && rc == 0; i++)
		rc = cb(arg, ts.v[i].category_id, ts.v[i].currency,
		    ts.v[i].count, ts.v[i].sum);
out:
	free(ts.v);
	return rc;
}
