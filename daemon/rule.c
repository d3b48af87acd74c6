/*
 * Rules: conditions on an expense's payee, note, amount, currency and
 * source, and what to do when they match (domain.h). Texts compare
 * folded, as search folds them (store_fold: case, accents, compatibility
 * forms), so "CAFÉ" contains "cafe". Rules run in order; the first match
 * with a usable category sets it, tags accumulate.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "money.h"
#include "util.h"

struct rule_c {
	struct rule r;
	char *fpayee, *fnote;		/* the condition texts, folded */
};

struct rule_set {
	struct rule_c *v;
	size_t n, cap;
};


int
rule_glob_check(const char *p, const char *field, struct spend_err *err)
{
	for (size_t i = 0; p[i]; i++) {
		if (p[i] == '\\') {
			if (p[i + 1] == '\0')
				return spend_errf(err, SPEND_EINVAL, field,
				    "%s \"%s\": a \\ at the end escapes "
				    "nothing", field, p);
			i++;
		} else if (p[i] == '[') {
			size_t k = i + 1;

			if (p[k] == '!' || p[k] == '^')
				k++;
			if (p[k] == ']')
				k++;
			while (p[k] && p[k] != ']')
				k++;
			if (p[k] == '\0')
				return spend_errf(err, SPEND_EINVAL, field,
				    "%s \"%s\": the [ at byte %zu is never "
				    "closed", field, p, i + 1);
			i = k;
		}
	}
	return 0;
}

/* ---- sets ---- */

void
rule_set_free(struct rule_set *rs)
{
	if (rs == NULL)
		return;
	for (size_t i = 0; i < rs->n; i++) {
		free(rs->v[i].fpayee);
		free(rs->v[i].fnote);
	}
	free(rs->v);
	free(rs);
}

size_t
rule_set_count(const struct rule_set *rs)
{
	return rs ? rs->n : 0;
}

static int
set_add(void *arg, const struct rule *r)
{
	struct rule_set *rs = arg;
	struct rule_c *c;

	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 8;
		void *p = realloc(rs->v, cap * sizeof(*rs->v));

		if (p == NULL)
			return SPEND_ENOMEM;
		rs->v = p;
		rs->cap = cap;
	}
	c = &rs->v[rs->n];
	memset(c, 0, sizeof(*c));
	c->r = *r;
	if (r->payee_op != RULE_OP_NONE && store_fold(r->payee, &c->fpayee,
	    NULL) < 0)
		return SPEND_ENOMEM;
	if (r->note_op != RULE_OP_NONE && store_fold(r->note, &c->fnote,
	    NULL) < 0) {
		free(c->fpayee);
		return SPEND_ENOMEM;
	}
	rs->n++;
	return 0;
}

static struct rule_set *
set_new(struct spend_err *err)
{
	struct rule_set *rs = calloc(1, sizeof(*rs));

	if (rs == NULL)
		spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	return rs;
}

int
rule_set_load(struct store *st, int64_t uid, struct rule_set **out,
    struct spend_err *err)
{
	struct rule_set *rs;
	int r;

	*out = NULL;
	if ((rs = set_new(err)) == NULL)
		return SPEND_ENOMEM;
	if ((r = store_rule_list(st, uid, set_add, rs, err)) < 0) {
		if (r == SPEND_ENOMEM)
			spend_errf(err, SPEND_ENOMEM, "", "out of memory");
		rule_set_free(rs);
		return r;
	}
	*out = rs;
	return 0;
}

int
rule_set_of(const struct rule *rules, size_t n, struct rule_set **out,
    struct spend_err *err)
{
	struct rule_set *rs;

	*out = NULL;
	if ((rs = set_new(err)) == NULL)
		return SPEND_ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (set_add(rs, &rules[i]) < 0) {
			rule_set_free(rs);
			return spend_errf(err, SPEND_ENOMEM, "",
			    "out of memory");
		}
	*out = rs;
	return 0;
}

/* ---- matching ---- */

static bool
text_matches(enum rule_op op, const char *pat, const char *text)
{
	switch (op) {
	case RULE_OP_NONE:
		return true;
	case RULE_OP_CONTAINS:
		return strstr(text, pat) != NULL;
	case RULE_OP_EQUALS:
		return strcmp(text, pat) == 0;
	case RULE_OP_GLOB:
		return fnmatch(pat, text, 0) == 0;
	}
	return false;
}

static bool
matches(const struct rule_c *c, const char *fpayee, const char *fnote,
    int64_t e4, const struct rule_subject *s)
{
	const struct rule *r = &c->r;

	if (!text_matches(r->payee_op, c->fpayee, fpayee) ||
	    !text_matches(r->note_op, c->fnote, fnote))
		return false;
	if ((r->has_min && e4 < r->min_e4) || (r->has_max && e4 > r->max_e4))
		return false;
	if (r->currency[0] && strcasecmp_ascii(r->currency, s->currency ?
	    s->currency : ""))
		return false;
	if (r->source[0] && strcasecmp_ascii(r->source, s->source ?
	    s->source : ""))
		return false;
	return true;
}

/* The folded payee and note of s, and its amount on the e4 scale. */
static int
subject_fold(const struct rule_subject *s, char **fp, char **fn, int64_t *e4,
    struct spend_err *err)
{
	const struct currency *cur = money_currency(s->currency ?
	    s->currency : "");

	*fn = NULL;
	if (store_fold(s->payee ? s->payee : "", fp, err) < 0)
		return SPEND_ENOMEM;
	if (store_fold(s->note ? s->note : "", fn, err) < 0) {
		free(*fp);
		return SPEND_ENOMEM;
	}
	*e4 = money_scale_e4(s->amount, cur ? cur->exponent : 2);
	return 0;
}

bool
rule_set_matches(const struct rule_set *rs, size_t i,
    const struct rule_subject *s)
{
	char *fp, *fn;
	int64_t e4;
	bool m;

	if (i >= rs->n || subject_fold(s, &fp, &fn, &e4, NULL) < 0)
		return false;
	m = matches(&rs->v[i], fp, fn, e4, s);
	free(fp);
	free(fn);
	return m;
}

/* Add the tags of canonical add to canonical dst (at most TAGS_MAX). */
static void
tags_merge(char *dst, size_t size, const char *add)
{
	size_t n = 0;

	for (const char *p = dst; *p; p++)
		if (*p == ',')
			n++;
	n = n ? n - 1 : 0;
	for (const char *p = add; p[0] == ',' && p[1]; ) {
		const char *end = strchr(p + 1, ',');
		char t[TAG_MAX_LEN + 3];
		size_t len;

		if (end == NULL)
			break;
		len = (size_t)(end - p) + 1;
		if (len < sizeof(t)) {
			memcpy(t, p, len);
			t[len] = '\0';
			if (strstr(dst, t) == NULL && n < TAGS_MAX) {
				if (dst[0] == '\0')
					strlcpy(dst, t, size);
				else
					strlcat(dst, t + 1, size);
				n++;
			}
		}
		p = end;
	}
}

int
rule_eval(const struct rule_set *rs, const struct rule_subject *s,
    struct rule_result *res, struct spend_err *err)
{
	char *fp, *fn;
	int64_t e4;
	int r;

	memset(res, 0, sizeof(*res));
	if (rs == NULL || rs->n == 0)
		return 0;
	if ((r = subject_fold(s, &fp, &fn, &e4, err)) < 0)
		return r;
	for (size_t i = 0; i < rs->n; i++) {
		const struct rule *ru = &rs->v[i].r;

		if (!matches(&rs->v[i], fp, fn, e4, s))
			continue;
		if (res->nmatched++ == 0)
			res->first_id = ru->id;
		if (res->category_id == 0 && ru->category_id &&
		    ru->category_usable) {
			res->category_id = ru->category_id;
			res->category_rule = ru->id;
			strlcpy(res->category, ru->category,
			    sizeof(res->category));
		}
		tags_merge(res->tags, sizeof(res->tags), ru->tags);
		if (!res->renamed && ru->rename[0]) {
			res->renamed = true;
			strlcpy(res->payee, ru->rename, sizeof(res->payee));
		}
		if (!res->has_note && ru->has_set_note) {
			res->has_note = true;
			strlcpy(res->note, ru->set_note, sizeof(res->note));
		}
	}
	free(fp);
	free(fn);
	return 0;
}

/* res's actions on e, but the category. */
static void
act(const struct rule_result *res, struct expense *e)
{
	tags_merge(e->tags, sizeof(e->tags), res->tags);
	if (res->renamed)
		strlcpy(e->payee, res->payee, sizeof(e->payee));
	if (res->has_note && e->note[0] == '\0')
		strlcpy(e->note, res->note, sizeof(e->note));
}

int
rule_categorise(struct store *st, int64_t stage, const struct user *u,
    const struct rule_set *rs, struct expense *e, bool *by_rule,
    struct spend_err *err)
{
	struct rule_set *own = NULL;
	struct rule_result res;
	struct rule_subject s = { e->payee, e->note, e->amount, e->currency,
	    e->source };
	struct category c;
	int r;

	*by_rule = false;
	if (rs == NULL && (r = rule_set_load(st, u->id, &own, err)) < 0)
		return r;
	r = rule_eval(rs ? rs : own, &s, &res, err);
	rule_set_free(own);
	if (r < 0)
		return r;
	if (res.category_id) {
		e->category_id = res.category_id;
		strlcpy(e->category, res.category, sizeof(e->category));
		*by_rule = true;
	} else {
		if ((r = store_category_uncategorised(st, u->id, stage, &c,
		    err)) < 0)
			return r;
		e->category_id = c.id;
		strlcpy(e->category, c.name, sizeof(e->category));
	}
	act(&res, e);
	e->category_auto = true;
	return 0;
}

int
rule_apply(struct write_tx *w, const struct user *u, const char *from,
    const char *to, bool dry_run,
    int (*change)(void *arg, const struct expense *before,
    const struct expense *after), void *arg, struct spend_err *err)
{
	struct rule_set *rs = NULL;
	int64_t *ids = NULL;
	size_t n = 0;
	int r;

	if ((r = rule_set_load(w->st, u->id, &rs, err)) < 0)
		return r;
	if (rs->n == 0) {
		rule_set_free(rs);
		return 0;
	}
	if ((r = store_expense_auto_ids(w->st, u->id, from, to, &ids, &n,
	    err)) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct expense before, after;
		struct rule_result res;
		struct rule_subject s;

		if ((r = store_expense_get(w->st, u->id, ids[i], &before,
		    err)) < 0)
			goto out;
		s = (struct rule_subject){ before.payee, before.note,
		    before.amount, before.currency, before.source };
		if ((r = rule_eval(rs, &s, &res, err)) < 0)
			goto out;
		if (res.nmatched == 0)
			continue;	/* what no rule matches stays */
		after = before;
		if (res.category_id) {
			after.category_id = res.category_id;
			strlcpy(after.category, res.category,
			    sizeof(after.category));
		}
		act(&res, &after);
		if (after.category_id == before.category_id &&
		    strcmp(after.tags, before.tags) == 0 &&
		    strcmp(after.payee, before.payee) == 0 &&
		    strcmp(after.note, before.note) == 0)
			continue;
		if (!dry_run) {
			if ((r = store_expense_update(w->st, &after,
			    before.version, err)) < 0)
				goto out;
			write_touch_month(w, after.date);
			if ((r = write_change(w, CH_EXPENSE, after.id,
			    CH_UPDATE, after.version, err)) < 0)
				goto out;
		}
		if (change && (r = change(arg, &before, &after)) < 0)
			goto out;
	}
	r = 0;
out:
	free(ids);
	rule_set_free(rs);
	return r;
}
