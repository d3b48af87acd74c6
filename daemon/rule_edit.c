/*
 * Rules: adding and deleting them (domain.h), every field checked, so an
 * unknown category, a bad glob or an empty text says what and where. The
 * matching is rule.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "money.h"
#include "util.h"

static const char *const op_field[][4] = {
	{ "", "payee_contains", "payee_equals", "payee_glob" },
	{ "", "note_contains", "note_equals", "note_glob" },
};

static int
text_cond(const struct rule_input *in, int which, struct rule *r,
    struct spend_err *err)
{
	enum rule_op op = which ? in->note_op : in->payee_op;
	const char *text = which ? in->note : in->payee;
	const char *field = op_field[which][op];
	char *dst = which ? r->note : r->payee;
	int rv;

	if (op == RULE_OP_NONE)
		return 0;
	if (text == NULL || text[0] == '\0')
		return spend_errf(err, SPEND_EINVAL, field, "%s must not be "
		    "empty", field);
	if ((rv = expense_text_field(field, text, NULL, dst, RULE_TEXT_MAX + 1,
	    err)) < 0)
		return rv;
	if (op == RULE_OP_GLOB)
		return rule_glob_check(text, field, err);
	return 0;
}

static int
amount_cond(const char *text, const char *field, bool *has, int64_t *e4,
    struct spend_err *err)
{
	char buf[64];

	if (text == NULL)
		return 0;
	strlcpy(buf, text, sizeof(buf));
	str_trim(buf);
	if (money_parse_field(buf, 4, false, MONEY_MAX_E4, field, e4, err) < 0)
		return SPEND_EINVAL;
	*has = true;
	return 0;
}

int
rule_create(struct write_tx *w, const struct rule_input *in,
    struct rule *out, struct spend_err *err)
{
	int r;

	memset(out, 0, sizeof(*out));
	out->user_id = w->uid;
	out->position = in->position;
	out->payee_op = in->payee_op;
	out->note_op = in->note_op;
	if ((r = text_cond(in, 0, out, err)) < 0 ||
	    (r = text_cond(in, 1, out, err)) < 0 ||
	    (r = amount_cond(in->amount_min, "amount_min", &out->has_min,
	    &out->min_e4, err)) < 0 ||
	    (r = amount_cond(in->amount_max, "amount_max", &out->has_max,
	    &out->max_e4, err)) < 0)
		return r;
	if (out->has_min && out->has_max && out->min_e4 > out->max_e4)
		return spend_errf(err, SPEND_EINVAL, "amount_max", "amount_max "
		    "\"%s\" is below amount_min \"%s\"", in->amount_max,
		    in->amount_min);
	if (in->currency) {
		char code[8];

		strlcpy(code, in->currency, sizeof(code));
		str_trim(code);
		for (char *p = code; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p -= 32;
		if (strlen(in->currency) > 7 || money_currency(code) == NULL)
			return spend_errf(err, SPEND_EINVAL, "currency",
			    "currency \"%.8s\": not an ISO 4217 code",
			    in->currency);
		strlcpy(out->currency, code, sizeof(out->currency));
	}
	if (in->source) {
		if (in->source[0] == '\0' ||
		    strlen(in->source) > SOURCE_MAX_LEN ||
		    strspn(in->source, "abcdefghijklmnopqrstuvwxyz0123456789_-")
		    != strlen(in->source))
			return spend_errf(err, SPEND_EINVAL, "source", "source "
			    "\"%.40s\": an importer's name (csv, ofx, qif...)",
			    in->source);
		strlcpy(out->source, in->source, sizeof(out->source));
	}
	if (in->category || in->category_id) {
		struct category c;

		if ((r = category_find(w->st, w->uid, 0, in->category ? 0 :
		    in->category_id, in->category, false, &c, err)) < 0) {
			if (r == SPEND_ENOTFOUND)
				return spend_errf(err, SPEND_EINVAL, "category",
				    "category: no such category \"%s\" (rules "
				    "set existing categories: add it first)",
				    in->category ? in->category : "(by id)");
			return r;
		}
		if (c.archived)
			return spend_errf(err, SPEND_EINVAL, "category",
			    "category \"%s\" is archived", c.name);
		out->category_id = c.id;
		strlcpy(out->category, c.name, sizeof(out->category));
		out->category_usable = true;
	}
	if (in->ntags && (r = expense_tags_canon(in->tags, in->ntags,
	    out->tags, sizeof(out->tags), err)) < 0)
		return r;
	if (in->rename) {
		if (in->rename[0] == '\0')
			return spend_errf(err, SPEND_EINVAL, "rename",
			    "rename must not be empty");
		if ((r = expense_text_field("rename", in->rename, NULL,
		    out->rename, sizeof(out->rename), err)) < 0)
			return r;
	}
	if (in->set_note) {
		if ((r = expense_text_field("set_note", in->set_note, "\t\n",
		    out->set_note, sizeof(out->set_note), err)) < 0)
			return r;
		out->has_set_note = true;
	}
	if (out->payee_op == RULE_OP_NONE && out->note_op == RULE_OP_NONE &&
	    !out->has_min && !out->has_max && !out->currency[0] &&
	    !out->source[0])
		return spend_errf(err, SPEND_EINVAL, "payee_contains", "a rule "
		    "needs a condition: payee_contains, payee_equals, "
		    "payee_glob, note_*, amount_min, amount_max, currency or "
		    "source");
	if (!out->category_id && !out->tags[0] && !out->rename[0] &&
	    !out->has_set_note)
		return spend_errf(err, SPEND_EINVAL, "category", "a rule needs "
		    "an action: category, tags, rename or set_note");
	if ((r = store_rule_add(w->st, out, err)) < 0)
		return r;
	return write_change(w, CH_RULE, out->id, CH_CREATE, out->version, err);
}

int
rule_delete(struct write_tx *w, int64_t id, int64_t version,
    struct spend_err *err)
{
	struct rule cur;
	int r;

	if ((r = store_rule_get(w->st, w->uid, id, &cur, err)) < 0)
		return r;
	if ((r = store_rule_delete(w->st, w->uid, id, version, err)) < 0)
		return r;
	return write_change(w, CH_RULE, id, CH_DELETE, cur.version + 1, err);
}

