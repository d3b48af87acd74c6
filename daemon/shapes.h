/*
 * The JSON edge of the domain layer: the public JSON shapes of expenses,
 * categories and users, and params -> domain inputs. Used by the RPC
 * handlers and the plugin host only; the domain itself never sees JSON.
 */
#ifndef SPEND_SHAPES_H
#define SPEND_SHAPES_H

#include <jansson.h>
#include <stdbool.h>

#include "domain.h"

/* The public shapes (new references). */
json_t *expense_json(const struct expense *e);
json_t *category_json(const struct category *c);
json_t *user_json(const struct user *u);
json_t *expense_tags_json(const char *canon);
json_t *change_json(const struct change *c);
/* The current state of an entity for a sync pull (sync_rpc.c), as its
 * get method shows it; ENOTFOUND when it is gone (a tombstone). */
int budget_state_json(struct store *st, int64_t uid, int64_t id,
    json_t **out, struct spend_err *err);
int recurring_state_json(struct store *st, const struct user *u, int64_t id,
    json_t **out, struct spend_err *err);
int rule_state_json(struct store *st, int64_t uid, int64_t id, json_t **out,
    struct spend_err *err);

/*
 * The expense fields of params (amount currency category category_id
 * date note payee tags parts) into in, borrowing params' strings: type
 * checks only (a string, no NUL; category an id or a name; tags an array
 * of strings; parts an array of {amount, category, note}: in->tags and
 * in->parts point into *tags, one block the caller frees). The domain
 * does the rest.
 */
int expense_input_from_json(json_t *p, struct expense_input *in,
    const char ***tags, struct spend_err *err);

/* The list filters (month, from, to, category, search, min, max,
 * currency, tag, sort, order) shared by expense.list and exporters. */
int expense_filter_from_json(struct store *st, int64_t uid, json_t *p,
    struct expense_filter *f, struct spend_err *err);

/* A category named by "id" (integer) or name_key (a name, or digits) in
 * params; count: with its number of expenses. */
int category_from_json(struct store *st, int64_t uid, json_t *p,
    const char *name_key, bool count, struct category *c,
    struct spend_err *err);

#endif
