/*
 * The recurring scheduler (recurring.h): one libevent timer for the
 * earliest due moment of every rule and reminder, across users and their
 * time zones; each pass runs on a worker (a WRITE job) and creates every
 * occurrence due up to today in the user's zone, each in its own write
 * transaction through the domain (expense_create: the change log, the
 * day totals, the hooks), then stores the reminders due, then finds the
 * next due moment for the timer.
 *
 * Exactly once: an occurrence's expense carries (rule, date) under a
 * unique index, and the rule's progress moves past the date in the same
 * transaction. A kill between two occurrences loses nothing and repeats
 * nothing: the next start goes on from the rule's progress.
 *
 * The writes of a catch-up are grouped, as an import's rows are: a
 * rule's occurrences go through the core write path (expense_check and
 * expense_store, the change log, a hook each) in a write transaction
 * committed after BATCH_MS, or at once when the event loop waits for the
 * write lock. A kill loses at most the batch, which the next pass does
 * again: whole occurrences, never half of one, never one twice. A commit
 * per occurrence writes every page it touches (the expense, its indexes,
 * the day total, the change log, the rule) to the WAL again each time;
 * a savepoint per occurrence copies them to its journal: both several
 * times slower for a catch-up of thousands (HACKING.md has the figures).
 *
 * A pass works for at most CHUNK_MS, then gives its worker back and goes
 * on in a new job: a catch-up of years never holds a worker (or the
 * write lock) for long, and the loop runs the hooks of each chunk.
 */
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events.h"
#include "jobs.h"
#include "log.h"
#include "money.h"
#include "outbox.h"
#include "recurring.h"
#include "shapes.h"
#include "spendd.h"
#include "util.h"
#include "xmalloc.h"

#define CHUNK_MS 100		/* a pass's job, then the next */
#define BATCH_MS 20		/* occurrences per commit: this long, */
#define BATCH_MIN 32		/* and at least this many (unless the loop
				 * waits for the lock) */
#define YIELD_MS 50		/* at most this long, the loop's write first */
#define RECHECK_S 3600		/* the timer never waits longer (a clock
				 * step, a user's new time zone) */
#define RETRY_S 60		/* after a failure of the store */
#define ZONES 32		/* today per zone, cached per pass */

int64_t (*recurring_clock)(void) = time_now;

void
recurring_today(const char *tz, char out[DATE_LEN + 1])
{
	date_at(tz, recurring_clock(), out);
}

struct recurring_sched {
	struct spendd *sd;
	struct event *ev;
	bool running;		/* a pass's job is out */
	bool again;		/* something changed meanwhile: once more */
	bool more;		/* the last job stopped short: go on */
	int64_t wake;		/* the next due moment, 0: none */
	int last_rc;		/* what stopped the last pass's creations */
	struct spend_err last_err;
	int64_t created, reminded, passes;
};

/* A committed write whose hooks wait for the loop. */
struct committed {
	struct committed *next;
	struct write_tx w;
};

struct pass {
	struct recurring_sched *rs;
	int64_t now;
	struct committed *writes, **tail;	/* committed: hooks to run */
	struct committed *batch;		/* the open batch, or NULL */
	int64_t batch_since, batch_n;
	int64_t batches;			/* begun by this job */
	int64_t batch_created;
	int64_t created, reminded, failed;
	bool more, retry;
	int rc;				/* what stopped the creations */
	struct spend_err err;
	int64_t wake;
	int nzones;
	struct {
		char tz[TZ_MAX_LEN + 1];
		char today[DATE_LEN + 1];
	} zones[ZONES];
};

static void
today_of(struct pass *p, const char *tz, char out[DATE_LEN + 1])
{
	for (int i = 0; i < p->nzones; i++)
		if (strcmp(p->zones[i].tz, tz) == 0) {
			strlcpy(out, p->zones[i].today, DATE_LEN + 1);
			return;
		}
	date_at(tz, p->now, out);
	if (p->nzones < ZONES) {
		strlcpy(p->zones[p->nzones].tz, tz, sizeof(p->zones[0].tz));
		strlcpy(p->zones[p->nzones].today, out, DATE_LEN + 1);
		p->nzones++;
	}
}

/* Errors that are the store's, not the rule's: try again later. */
static bool
transient(int code)
{
	return code == SPEND_EBUSY || code == SPEND_ESTORE ||
	    code == SPEND_ENOMEM || code == SPEND_EFULL ||
	    code == SPEND_EUNAVAIL || code == SPEND_EINTERNAL;
}

/* ---- after the commit, on the loop ---- */

struct created_ev {
	int64_t uid;
	struct expense e;
};

static void
created_publish(struct spendd *sd, void *arg)
{
	struct created_ev *c = arg;
	json_t *j = expense_json(&c->e);

	events_publish(sd, c->uid, "recurring.created", j);
	json_decref(j);
}

/* ---- one occurrence ---- */

static size_t
tags_of(const char *canon, char *buf, size_t size, const char **tags)
{
	char *p, *save = NULL;
	size_t n = 0;

	strlcpy(buf, canon, size);
	for (p = strtok_r(buf, ",", &save); p && n < TAGS_MAX;
	    p = strtok_r(NULL, ",", &save))
		tags[n++] = p;
	return n;
}

/* Create r's occurrence r->next as u's expense in w (unless an expense
 * already holds it), in category cat (found in this batch). *bad: the
 * rule's fault (its category archived...: err says why), found before
 * anything was written; any other failure leaves w to roll back. */
static int
create_occurrence(struct write_tx *w, const struct user *u,
    const struct recurring_rule *r, const struct category *cat, bool *made,
    bool *bad, struct spend_err *err)
{
	struct expense_input in;
	struct created_ev *ev;
	const char *tags[TAGS_MAX];
	char tagbuf[TAGS_BUF];
	bool found;
	int rc;

	*made = *bad = false;
	if ((rc = store_recurring_has(w->st, r->id, r->next, &found, err)) < 0)
		return rc;
	if (found)
		return 0;
	memset(&in, 0, sizeof(in));
	in.set = EF_AMOUNT_MINOR | EF_CURRENCY | EF_CATEGORY | EF_DATE |
	    EF_NOTE | EF_PAYEE | EF_TAGS;
	in.amount_minor = r->amount;
	in.currency = r->currency;
	in.cat = cat;
	in.date = r->next;
	in.note = r->note;
	in.payee = r->payee;
	in.ntags = tags_of(r->tags, tagbuf, sizeof(tagbuf), tags);
	in.tags = tags;
	ev = xcalloc(1, sizeof(*ev));
	/* expense_create in its two steps: the checks write nothing */
	if ((rc = expense_check(w->st, w->stage, u, &in, &ev->e, err)) < 0) {
		free(ev);
		*bad = !transient(rc);
		return rc;
	}
	if ((rc = expense_store(w, &ev->e, err)) < 0 ||
	    (rc = store_recurring_link(w->st, ev->e.id, r->id, r->next,
	    err)) < 0) {
		free(ev);
		return rc;
	}
	ev->uid = r->user_id;
	ev->e.recurring_id = r->id;
	write_hook(w, created_publish, ev, free);
	*made = true;
	return 0;
}

/* The rule cannot create its occurrence (its category is gone or
 * archived...): it stops, with the reason, until edited or resumed. */
static int
rule_failed(struct store *st, int64_t uid, int64_t id,
    const struct spend_err *why)
{
	struct recurring_rule r;
	struct write_tx w;
	struct spend_err err;

	log_warnx("recurring: rule %lld of user %lld stops: %s", (long long)id,
	    (long long)uid, why->msg);
	if (write_begin(&w, st, uid, &err) < 0)
		return err.code;
	if (store_recurring_get(st, uid, id, &r, &err) == 0) {
		strlcpy(r.error, why->msg, sizeof(r.error));
		if (store_recurring_progress(st, &r, &err) < 0) {
			write_rollback(&w);
			return err.code;
		}
	}
	return write_commit(&w, &err);
}

/* ---- batches ---- */

static void
keep(struct pass *p, struct committed *c)
{
	c->next = NULL;
	*p->tail = c;
	p->tail = &c->next;
}

/* A rule's occurrences are written in batches: one write transaction of
 * the rule's user, committed after BATCH_MS or when the loop waits. */
static int
batch_begin(struct pass *p, struct store *st, int64_t uid,
    struct spend_err *err)
{
	int rc;

	if (p->batch)
		return 0;
	/* the loop's writers first: they wait for nothing longer */
	for (int64_t t0 = time_mono_ms(); store_writer_waiting() &&
	    time_mono_ms() - t0 < YIELD_MS;) {
		struct timespec half = { 0, 500 * 1000 };

		nanosleep(&half, NULL);
	}
	p->batch = xcalloc(1, sizeof(*p->batch));
	if ((rc = write_begin(&p->batch->w, st, uid, err)) < 0) {
		free(p->batch);
		p->batch = NULL;
		return rc;
	}
	p->batch_since = time_mono_ms();
	p->batch_n = p->batch_created = 0;
	p->batches++;
	return 0;
}

/* Commit the batch; its hooks wait for the loop (pass_done). */
static int
batch_end(struct pass *p, struct spend_err *err)
{
	struct committed *c = p->batch;
	int rc;

	if (c == NULL)
		return 0;
	p->batch = NULL;
	if ((rc = write_commit(&c->w, err)) < 0) {	/* it rolled back */
		free(c);
		return rc;
	}
	keep(p, c);
	p->created += p->batch_created;
	return 0;
}

static void
batch_abort(struct pass *p)
{
	if (p->batch == NULL)
		return;
	write_rollback(&p->batch->w);
	free(p->batch);
	p->batch = NULL;
}

static int
batch_maybe_end(struct pass *p, struct spend_err *err)
{
	if (!store_writer_waiting() && (++p->batch_n < BATCH_MIN ||
	    time_mono_ms() - p->batch_since < BATCH_MS))
		return 0;
	return batch_end(p, err);
}

/* Every occurrence of rule d due by today, in batches (the caller ends
 * the last one). */
static int
run_rule(struct pass *p, struct job *job, struct store *st,
    const struct recurring_due *d, const char *today, int64_t until,
    struct spend_err *err)
{
	struct recurring_rule r;
	struct category cat;
	struct user u;
	int rc;

	if ((rc = store_user_get(st, d->user_id, &u, err)) < 0)
		return rc == SPEND_ENOTFOUND ? 0 : rc;
	for (;;) {
		bool made, bad;

		if (p->batch == NULL) {
			/* the job's time is up: the next job goes on (a
			 * batch is never cut by it, and each job does one) */
			if (jobs_cancelled(job) || (p->batches > 0 &&
			    time_mono_ms() >= until)) {
				p->more = true;
				return 0;
			}
			if ((rc = batch_begin(p, st, d->user_id, err)) < 0)
				return rc;
			/* the rule and its category as they are now: the
			 * loop may have changed them before this batch (not
			 * during it: the batch holds the write lock) */
			if ((rc = store_recurring_get(st, d->user_id, d->id, &r,
			    err)) < 0)
				return rc == SPEND_ENOTFOUND ? 0 : rc;
			if ((rc = category_find(st, d->user_id, 0,
			    r.category_id, NULL, false, &cat, err)) < 0) {
				if (transient(rc))
					return rc;
				goto failed;
			}
		}
		if (r.paused || r.error[0] || r.next[0] == '\0' ||
		    strcmp(r.next, today) > 0)
			return 0;
		if ((rc = create_occurrence(&p->batch->w, &u, &r, &cat, &made,
		    &bad, err)) < 0) {
			if (bad)
				goto failed;
			return rc;
		}
		strlcpy(r.after, r.next, sizeof(r.after));
		r.done++;
		recurring_refresh(&r);
		if ((rc = store_recurring_progress(st, &r, err)) < 0)
			return rc;
		if (made)
			p->batch_created++;
		if ((rc = batch_maybe_end(p, err)) < 0)
			return rc;
	}
failed:
	p->failed++;
	if ((rc = batch_end(p, err)) < 0)
		return rc;
	return rule_failed(st, d->user_id, d->id, err);
}

/* The reminders of rule d due by today + its user's days, in one write:
 * one outbox event per occurrence, each exactly once (remind_after moves
 * past it in the same transaction). */
static int
remind_rule(struct pass *p, struct store *st, const struct recurring_due *d,
    const char *today, struct spend_err *err)
{
	struct recurring_rule r;
	struct committed *c;
	char limit[DATE_LEN + 1], o[DATE_LEN + 1];
	int64_t i;
	int rc;

	date_add_days(today, d->remind_days, limit);
	c = xcalloc(1, sizeof(*c));
	if ((rc = write_begin(&c->w, st, d->user_id, err)) < 0) {
		free(c);
		return rc;
	}
	if ((rc = store_recurring_get(st, d->user_id, d->id, &r, err)) < 0 ||
	    r.paused || r.error[0] || r.next[0] == '\0') {
		write_rollback(&c->w);
		free(c);
		return rc == SPEND_ENOTFOUND ? 0 : rc;
	}
	strlcpy(o, r.next, sizeof(o));
	for (i = r.done; !r.rec.count || i < r.rec.count; i++) {
		if (strcmp(o, limit) > 0)
			break;
		if (strcmp(o, r.remind_after) > 0) {
			/* one still to come: remind; one due today is
			 * being created, not reminded */
			if (strcmp(o, today) > 0) {
				json_t *ev = json_object();
				char amount[MONEY_STR_MAX];
				const struct currency *cur =
				    money_currency(r.currency);
				int64_t days = date_start(NULL, o) / 86400 -
				    date_start(NULL, today) / 86400;

				money_format(r.amount, cur ? cur->exponent : 2,
				    amount, sizeof(amount));
				json_object_set_new(ev, "rule_id",
				    json_integer(r.id));
				json_object_set_new(ev, "occurrence",
				    json_string(o));
				json_object_set_new(ev, "days_before",
				    json_integer(days));
				json_object_set_new(ev, "amount",
				    json_string(amount));
				json_object_set_new(ev, "currency",
				    json_string(r.currency));
				json_object_set_new(ev, "category",
				    json_string(r.category));
				json_object_set_new(ev, "note", json_string(r.note));
				json_object_set_new(ev, "payee",
				    json_string(r.payee));
				rc = outbox_add(&c->w, "reminder", ev, NULL, err);
				json_decref(ev);
				if (rc < 0) {
					write_rollback(&c->w);
					free(c);
					return rc;
				}
				p->reminded++;
			}
			strlcpy(r.remind_after, o, sizeof(r.remind_after));
		}
		if (!recurrence_next(&r.rec, o, o))
			break;
	}
	recurring_refresh(&r);
	if ((rc = store_recurring_progress(st, &r, err)) < 0 ||
	    (rc = write_commit(&c->w, err)) < 0) {
		write_rollback(&c->w);
		free(c);
		return rc;
	}
	keep(p, c);
	return 0;
}

/* ---- the pass, on a worker ---- */

struct dues {
	struct recurring_due *v;
	size_t n, cap;
};

static int
dues_add(void *arg, const struct recurring_due *d)
{
	struct dues *ds = arg;

	if (ds->n == ds->cap) {
		size_t cap = ds->cap ? ds->cap * 2 : 64;
		struct recurring_due *v = realloc(ds->v, cap * sizeof(*v));

		if (v == NULL)
			return SPEND_ENOMEM;
		ds->v = v;
		ds->cap = cap;
	}
	ds->v[ds->n++] = *d;
	return 0;
}

static int
wake_cb(void *arg, const struct recurring_due *d)
{
	struct pass *p = arg;
	int64_t t;

	if (d->next[0] && date_valid(d->next)) {
		t = date_start(d->timezone, d->next);
		if (p->wake == 0 || t < p->wake)
			p->wake = t;
	}
	if (d->remind_days > 0 && d->remind_next[0] &&
	    date_valid(d->remind_next)) {
		char day[DATE_LEN + 1];

		date_add_days(d->remind_next, -d->remind_days, day);
		t = date_start(d->timezone, day);
		if (p->wake == 0 || t < p->wake)
			p->wake = t;
	}
	return 0;
}

static void
pass_work(struct job *job, void *arg)
{
	struct pass *p = arg;
	struct spend_err err;
	struct dues ds = { NULL, 0, 0 };
	struct store *st;
	char through[DATE_LEN + 1], today[DATE_LEN + 1];
	int64_t until = time_mono_ms() + CHUNK_MS;
	int rc = 0;

	spend_err_clear(&err);
	if ((st = jobs_store(job, &err)) == NULL) {
		rc = err.code ? err.code : SPEND_ESTORE;
		goto stopped;
	}
	/* the latest today anywhere (UTC+14): each rule is then checked
	 * against its own user's */
	date_at(NULL, p->now + 14 * 3600, through);
	if ((rc = store_recurring_due(st, through, dues_add, &ds, &err)) < 0)
		goto stopped;
	for (size_t i = 0; i < ds.n && !p->more; i++) {
		today_of(p, ds.v[i].timezone, today);
		if (strcmp(ds.v[i].next, today) > 0)
			continue;
		rc = run_rule(p, job, st, &ds.v[i], today, until, &err);
		if (rc < 0)
			batch_abort(p);
		else
			rc = batch_end(p, &err);
		if (rc < 0)
			goto stopped;
	}
	if (p->more)
		goto out;
	/* every due occurrence is created; then the reminders and the
	 * next due moment (a failure there: the next pass does them) */
	ds.n = 0;
	if ((rc = store_recurring_remind_due(st, through, dues_add, &ds,
	    &err)) < 0)
		goto later;
	for (size_t i = 0; i < ds.n; i++) {
		char limit[DATE_LEN + 1];

		today_of(p, ds.v[i].timezone, today);
		date_add_days(today, ds.v[i].remind_days, limit);
		if (strcmp(ds.v[i].remind_next, limit) > 0)
			continue;
		if ((rc = remind_rule(p, st, &ds.v[i], today, &err)) < 0)
			goto later;
	}
	if ((rc = store_recurring_wake(st, wake_cb, p, &err)) < 0)
		goto later;
	goto out;
stopped:
	if (rc == SPEND_ENOMEM && err.msg[0] == '\0')
		spend_errf(&err, rc, "", "out of memory");
	p->rc = rc;
	p->err = err;
	p->err.code = rc;
later:
	if (rc == SPEND_ENOMEM && err.msg[0] == '\0')
		spend_errf(&err, rc, "", "out of memory");
	log_warnx("recurring: %s; trying again in %d s", err.msg[0] ? err.msg :
	    spend_err_name(rc), RETRY_S);
	p->retry = true;
out:
	free(ds.v);
}

/* ---- the loop's side ---- */

static void arm(struct recurring_sched *rs, int64_t seconds);
static void pass_submit(struct recurring_sched *rs);

static void
pass_done(struct job *job, void *arg)
{
	struct pass *p = arg;
	struct recurring_sched *rs = p->rs;
	struct committed *c, *next;

	(void)job;
	for (c = p->writes; c; c = next) {
		next = c->next;
		write_run_hooks(&c->w, rs->sd);
		free(c);
	}
	rs->running = false;
	rs->last_rc = p->rc;
	rs->last_err = p->err;
	rs->created += p->created;
	rs->reminded += p->reminded;
	if (p->created || p->reminded || p->failed)
		log_info("recurring: %lld expense%s created, %lld reminder%s%s",
		    (long long)p->created, p->created == 1 ? "" : "s",
		    (long long)p->reminded, p->reminded == 1 ? "" : "s",
		    p->more ? " (going on)" : "");
	rs->more = p->more;
	if (!p->more && !p->retry) {
		rs->wake = p->wake;
		rs->passes++;
	}
	if (rs->sd->stopping) {
		free(p);
		return;
	}
	if (p->more || rs->again)
		arm(rs, 0);
	else if (p->retry)
		arm(rs, RETRY_S);
	else {
		int64_t now = recurring_clock(), wait = RECHECK_S;

		/* a second past the moment: the day has turned there */
		if (p->wake && p->wake + 1 - now < wait)
			wait = p->wake + 1 - now;
		arm(rs, wait < 1 ? 1 : wait);
	}
	rs->again = false;
	free(p);
}

static void
pass_submit(struct recurring_sched *rs)
{
	struct spend_err err;
	struct pass *p;

	if (rs->running) {
		rs->again = true;
		return;
	}
	p = xcalloc(1, sizeof(*p));
	p->rs = rs;
	p->now = recurring_clock();
	p->tail = &p->writes;
	rs->running = true;
	rs->again = false;
	if (jobs_submit(rs->sd, JOB_WRITE, pass_work, pass_done, p, &err) < 0) {
		rs->running = false;
		rs->last_rc = err.code;
		rs->last_err = err;
		free(p);
		if (!rs->sd->stopping) {
			log_warnx("recurring: %s", err.msg);
			arm(rs, RETRY_S);
		}
	}
}

static void
fire(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	pass_submit(arg);
}

static void
arm(struct recurring_sched *rs, int64_t seconds)
{
	struct timeval tv = { (time_t)seconds, 0 };

	if (rs->ev)
		evtimer_add(rs->ev, &tv);
}

static struct recurring_sched *
sched_new(struct spendd *sd)
{
	struct recurring_sched *rs;

	if (sd->recurring)
		return sd->recurring;
	rs = xcalloc(1, sizeof(*rs));
	rs->sd = sd;
	if (sd->base && (rs->ev = evtimer_new(sd->base, fire, rs)) == NULL) {
		free(rs);
		return NULL;
	}
	sd->recurring = rs;
	return rs;
}

int
recurring_start(struct spendd *sd)
{
	if (sched_new(sd) == NULL)
		return -1;
	recurring_kick(sd);
	return 0;
}

void
recurring_kick(struct spendd *sd)
{
	struct recurring_sched *rs = sd->recurring;
	struct spend_err err;

	if (rs == NULL || sd->stopping)
		return;
	if (rs->ev) {
		/* coalesced: one pass for a burst of changes */
		if (!rs->running)
			arm(rs, 0);
		else
			rs->again = true;
		return;
	}
	/* no loop: the jobs run inline, chunk after chunk */
	recurring_run(sd, &err);
}

int
recurring_run(struct spendd *sd, struct spend_err *err)
{
	struct recurring_sched *rs;

	if (sd->base)
		return spend_errf(err, SPEND_EINTERNAL, "", "recurring_run is "
		    "for a spendd without an event loop");
	if ((rs = sched_new(sd)) == NULL)
		return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	if (rs->running)
		return 0;	/* called from a pass's hook: it goes on */
	do {
		rs->more = false;
		rs->last_rc = 0;
		pass_submit(rs);
	} while (rs->more && rs->last_rc == 0);
	if (rs->last_rc < 0) {
		*err = rs->last_err;
		return rs->last_rc;
	}
	return 0;
}

int64_t
recurring_wake(struct spendd *sd)
{
	return sd->recurring ? sd->recurring->wake : 0;
}

void
recurring_stats(struct spendd *sd, int64_t *created, int64_t *reminded,
    int64_t *passes)
{
	struct recurring_sched *rs = sd->recurring;

	*created = rs ? rs->created : 0;
	*reminded = rs ? rs->reminded : 0;
	*passes = rs ? rs->passes : 0;
}

void
recurring_stop(struct spendd *sd)
{
	struct recurring_sched *rs = sd->recurring;

	if (rs == NULL)
		return;
	if (rs->ev)
		event_free(rs->ev);
	free(rs);
	sd->recurring = NULL;
}
