/* Shared by the domain modules (expense, category, user) and the
 * plugin host: JSON shapes and validation in one place. */
#ifndef SPEND_DOMAIN_H
#define SPEND_DOMAIN_H

#include <jansson.h>
#include <stdbool.h>

#include "err.h"
#include "store.h"

/* The public JSON shapes (new references). */
json_t *expense_json(const struct expense *e);
json_t *category_json(const struct category *c);
json_t *user_json(const struct user *u);

/* Validate expense fields from a JSON object and write them into e.
 * is_add: amount and category are required and absent fields take
 * defaults (user's currency, today in the user's zone); otherwise only
 * present fields change. Known keys: amount currency category date note
 * payee tags. Other keys are not checked here. */
int expense_from_json(struct store *st, const struct user *u, json_t *f,
    struct expense *e, bool is_add, struct spend_err *err);

/* The list filters (month, from, to, category, search, min, max,
 * currency, tag, sort, order) shared by expense.list and exporters. */
int expense_filter_from_json(struct store *st, int64_t uid, json_t *p,
    struct expense_filter *f, struct spend_err *err);

/* A category named by "id" (integer) or "name" (or key) in params. */
int category_resolve(struct store *st, int64_t uid, json_t *params,
    const char *name_key, struct category *c, struct spend_err *err);
/* The same without counting its expenses (c->expenses = -1): for each
 * expense written or filtered, where the count would cost a scan. */
int category_lookup(struct store *st, int64_t uid, json_t *params,
    const char *name_key, struct category *c, struct spend_err *err);
/* A valid category name: 1..64 bytes, no control characters, trimmed. */
int category_name_check(const char *name, const char *field,
    struct spend_err *err);
/* Create the default categories for a new user. */
int category_create_defaults(struct store *st, int64_t uid,
    struct spend_err *err);

/* Tags: JSON array of strings -> canonical ",a,b," (lower case, unique). */
int tags_from_json(json_t *arr, char *out, size_t size, struct spend_err *err);
json_t *tags_to_json(const char *canon);

/* User names: 1..64 of [A-Za-z0-9._-], starting with a letter or digit. */
int user_name_check(const char *name, struct spend_err *err);

#endif
