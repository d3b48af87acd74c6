/*
 * The domain layer: the rules of expenses, categories and users, in C
 * types. Every write of a user's data comes here inside a write
 * transaction (write.h), which it validates, writes and logs; JSON lives
 * at the edges only (the RPC handlers, shapes.h, and the plugin host).
 *
 * Strings in inputs are borrowed for the call. Errors say what and where
 * (the field at fault in err->field).
 */
#ifndef SPEND_DOMAIN_H
#define SPEND_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "store.h"
#include "write.h"

/* ---- expenses ---- */

/* Which fields of an expense_input are given. */
enum expense_field {
	EF_AMOUNT = 1 << 0,		/* amount: decimal text */
	EF_AMOUNT_MINOR = 1 << 1,	/* amount_minor: minor units */
	EF_CURRENCY = 1 << 2,
	EF_CATEGORY = 1 << 3,		/* cat, or category_id, or category */
	EF_DATE = 1 << 4,
	EF_NOTE = 1 << 5,
	EF_PAYEE = 1 << 6,
	EF_TAGS = 1 << 7,
	EF_IMPORT_KEY = 1 << 8,
	EF_PARTS = 1 << 9,		/* parts, nparts: a split (0: join) */
};

/* One part of a split, as given. */
struct expense_part_input {
	const char *amount;		/* "12.50" in the expense's currency:
					 * the whole's sign, never zero */
	const struct category *cat;	/* as in expense_input: resolved, */
	int64_t category_id;		/* or by id, */
	const char *category;		/* or by name (digits: an id) */
	const char *note;		/* "" or NULL: none */
};

struct expense_input {
	unsigned set;			/* enum expense_field */
	const char *amount;		/* "12.50": at most the currency's
					 * decimals; never zero */
	int64_t amount_minor;
	const char *currency;		/* ISO 4217, any case */
	const struct category *cat;	/* resolved by the caller in this
					 * write (the importer's cache), */
	int64_t category_id;		/* or by id, */
	const char *category;		/* or by name (digits: an id) */
	const char *date;		/* YYYY-MM-DD */
	const char *note;		/* tabs and newlines allowed */
	const char *payee;
	const char *const *tags;	/* ntags strings */
	size_t ntags;
	const char *import_key;
	/* Without EF_CATEGORY (add only): the rules choose the category, or
	 * it is the user's uncategorised one (rule_categorise). rules: the
	 * user's, loaded once by the caller (an import), or NULL: loaded
	 * here. source: the importer's name, NULL for an add. */
	const struct rule_set *rules;
	const char *source;
	/* A split: 2..EXPENSE_PARTS_MAX parts summing exactly to the
	 * amount, each with its own category (then category is not given:
	 * the whole's is the first part's); none on an edit joins them. An
	 * edit of a split's amount or currency gives its parts again. */
	const struct expense_part_input *parts;
	size_t nparts;
};

/* What expense_create would store, without writing: every check, the
 * defaults, the category (also one staged by import stage). */
int expense_check(struct store *st, int64_t stage, const struct user *u,
    const struct expense_input *in, struct expense *out,
    struct spend_err *err);
/* Record an expense for u. Required: amount (either form); without a
 * category the rules choose one (or uncategorised).
 * Defaults: u's currency, today in u's time zone. out: the stored row. */
int expense_create(struct write_tx *w, const struct user *u,
    const struct expense_input *in, struct expense *out,
    struct spend_err *err);
/* Store an expense expense_check produced (staged if w->stage).
 * ECONFLICT: its import_key is taken. */
int expense_store(struct write_tx *w, struct expense *e,
    struct spend_err *err);
/* Change the given fields of expense id of u; version 0 = any, else a
 * mismatch is ESTALE. A category given is the user's: category_auto
 * ends, so rules never change it again. */
int expense_update(struct write_tx *w, const struct user *u, int64_t id,
    int64_t version, const struct expense_input *in, struct expense *out,
    struct spend_err *err);
/* Tombstone expense id of w->uid; version as above. */
int expense_delete(struct write_tx *w, int64_t id, int64_t version,
    struct spend_err *err);
int expense_get(struct store *st, int64_t uid, int64_t id,
    struct expense *out, struct spend_err *err);

/* A page of the rows matching f: limit rows after cursor (NULL = from
 * the start) through row(), then the count and sum per currency of
 * the whole filtered set through total(), from one snapshot (its own
 * read transaction, or the caller's). next gets the cursor of the next
 * page ("" on the last). f is changed (the keyset). */
#define EXPENSE_CURSOR_MAX 512
int expense_list(struct store *st, int64_t uid, struct expense_filter *f,
    int limit, const char *cursor,
    int (*row)(void *arg, const struct expense *e),
    int (*total)(void *arg, const struct expense_total *t), void *arg,
    char next[EXPENSE_CURSOR_MAX], struct spend_err *err);

/* Tags: strings -> canonical ",a,b," (lower case, unique, at most
 * TAGS_MAX of 1..TAG_MAX_LEN bytes without spaces or commas). */
int expense_tags_canon(const char *const *tags, size_t n, char *out, size_t size,
    struct spend_err *err);
/* A text field: at most size - 1 bytes of UTF-8 without control
 * characters but those in allow; copied to out. */
int expense_text_field(const char *field, const char *v, const char *allow, char *out,
    size_t size, struct spend_err *err);

/* ---- categories ---- */

/* A valid name: not empty, no leading or trailing spaces, not only
 * digits (it would read as an id); checked against field. */
int category_name_check(const char *name, const char *field,
    struct spend_err *err);
/* Find a live category of uid by id (id > 0) or name (digits: an id);
 * with count, c->expenses is its number of expenses (a scan), else -1.
 * Categories staged by import stage are found too (0: none). */
int category_find(struct store *st, int64_t uid, int64_t stage, int64_t id,
    const char *name, bool count, struct category *c,
    struct spend_err *err);
/* Create a category of w->uid (staged if w->stage). */
int category_create(struct write_tx *w, const char *name,
    struct category *out, struct spend_err *err);
/* Rename (new_name != NULL) and/or (un)archive (archived >= 0) category
 * id; version 0 = any. */
int category_update(struct write_tx *w, int64_t id, int64_t version,
    const char *new_name, int archived, struct category *out,
    struct spend_err *err);
/* Delete category id (version 0 = any). Refused while expenses use it,
 * unless move_to names another category: they move there first. */
int category_delete(struct write_tx *w, int64_t id, int64_t version,
    int64_t move_to, struct spend_err *err);
/* The categories a new user starts with. */
int category_create_defaults(struct write_tx *w, struct spend_err *err);

/* ---- rules (rule.c) ---- */

/* A rule as a client gives it: the conditions (at least one), the
 * actions (at least one). Strings borrowed, NULL = not given. */
struct rule_input {
	enum rule_op payee_op, note_op;
	const char *payee, *note;	/* the text for the op */
	const char *amount_min, *amount_max;	/* decimal text */
	const char *currency;
	const char *source;		/* an importer's name: csv, ofx... */
	const char *category;		/* name (digits: an id) */
	int64_t category_id;
	const char *const *tags;
	size_t ntags;
	const char *rename;		/* the payee's new name */
	const char *set_note;
	int64_t position;		/* 0: after the last */
};

/* A user's rules, compiled for matching (texts folded). */
struct rule_set;

/* What an expense looks like to the rules. */
struct rule_subject {
	const char *payee, *note;
	int64_t amount;			/* minor units of currency */
	const char *currency;
	const char *source;		/* "" or NULL: added by hand */
};

/* What the matching rules do: the first match with a usable category
 * sets it, the first with a rename or a note sets those, tags
 * accumulate over every match. */
struct rule_result {
	int nmatched;
	int64_t first_id;		/* the first rule that matched, 0 none */
	int64_t category_rule;		/* the rule that set the category */
	int64_t category_id;		/* 0: none */
	char category[NAME_MAX_LEN + 1];
	char tags[TAGS_BUF];		/* the rules' tags, canonical */
	bool renamed;
	char payee[PAYEE_MAX_LEN + 1];
	bool has_note;
	char note[NOTE_MAX_LEN + 1];
};

/* Create a rule of w->uid (checks every field; an unknown category, a
 * bad glob, an empty text say what and where). */
int rule_create(struct write_tx *w, const struct rule_input *in,
    struct rule *out, struct spend_err *err);
/* Tombstone rule id of w->uid (version 0 = any). */
int rule_delete(struct write_tx *w, int64_t id, int64_t version,
    struct spend_err *err);
/* Is p a glob fnmatch(3) can read? field names it in the error. */
int rule_glob_check(const char *p, const char *field,
    struct spend_err *err);
/* Load uid's rules (*out: rule_set_free). */
int rule_set_load(struct store *st, int64_t uid, struct rule_set **out,
    struct spend_err *err);
/* A set of n rules given (tests, rule.test of a rule not stored). */
int rule_set_of(const struct rule *rules, size_t n, struct rule_set **out,
    struct spend_err *err);
void rule_set_free(struct rule_set *rs);
size_t rule_set_count(const struct rule_set *rs);
/* Does rule i of rs match s? */
bool rule_set_matches(const struct rule_set *rs, size_t i,
    const struct rule_subject *s);
/* Run the rules over s into res (0, or ENOMEM). */
int rule_eval(const struct rule_set *rs, const struct rule_subject *s,
    struct rule_result *res, struct spend_err *err);
/* Categorise e (a new expense without a category) with rs: the result's
 * category, or u's uncategorised one (staged by stage too), its tags
 * added, renamed, the note set where it had none; category_auto set.
 * *by_rule: a rule chose the category. */
int rule_categorise(struct store *st, int64_t stage, const struct user *u,
    const struct rule_set *rs, struct expense *e, bool *by_rule,
    struct spend_err *err);
/* Run the rules again over u's expenses from..to ("" = open) whose
 * category a rule or the default chose; those the user set stay.
 * change(arg, before, after) for each expense that changes (or would,
 * with dry_run). */
int rule_apply(struct write_tx *w, const struct user *u, const char *from,
    const char *to, bool dry_run,
    int (*change)(void *arg, const struct expense *before,
    const struct expense *after), void *arg, struct spend_err *err);

/* ---- users ---- */

/* 1..64 of [A-Za-z0-9._-], starting with a letter or digit. */
int user_name_check(const char *name, struct spend_err *err);
/* role "admin"/"user", an ISO 4217 currency, a known time zone: the
 * non-NULL ones are checked and written into u. */
int user_fields_set(struct user *u, const char *role, const char *currency,
    const char *timezone, struct spend_err *err);
/* Create u (name, role, currency, timezone set) with pwhash (may be
 * NULL) and its default categories, in the caller's transaction w (w->uid
 * is 0: the user has no id yet; it is set here). */
int user_create(struct write_tx *w, struct user *u, const char *pwhash,
    struct spend_err *err);
/* Write u's role, currency and time zone (version 0 = any). */
int user_update(struct write_tx *w, struct user *u, int64_t version,
    struct spend_err *err);
/* Delete user id and everything they own. */
int user_delete(struct store *st, int64_t id, struct spend_err *err);

#endif
