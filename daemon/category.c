/* Categories: the rules, in C types (domain.h). */
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "util.h"

static const char *const default_categories[] = {
	"bills", "entertainment", "food", "health", "other", "shopping",
	"transport", "travel", NULL
};

int
category_name_check(const char *name, const char *field,
    struct spend_err *err)
{
	size_t n = strlen(name);

	if (n == 0)
		return spend_errf(err, SPEND_EINVAL, field,
		    "category name must not be empty");
	if (n > NAME_MAX_LEN)
		return spend_errf(err, SPEND_EINVAL, field, "%s is too long "
		    "(%zu bytes, at most %d)", field, n, NAME_MAX_LEN);
	if (!text_clean(name, NULL))
		return spend_errf(err, SPEND_EINVAL, field,
		    "%s contains control characters or invalid UTF-8", field);
	if (name[0] == ' ' || name[n - 1] == ' ')
		return spend_errf(err, SPEND_EINVAL, field,
		    "category name \"%s\" has leading or trailing spaces", name);
	if (strspn(name, "0123456789") == n)
		return spend_errf(err, SPEND_EINVAL, field,
		    "category name \"%s\" must not be only digits (it would "
		    "read as an id)", name);
	return 0;
}

int
category_find(struct store *st, int64_t uid, int64_t stage, int64_t id,
    const char *name, bool count, struct category *c, struct spend_err *err)
{
	/* all digits: an id typed on the command line */
	if (id == 0 && name && *name && strspn(name, "0123456789") ==
	    strlen(name) && strlen(name) < 19) {
		id = strtoll(name, NULL, 10);
		name = NULL;
	}
	if (id == 0 && (name == NULL || strlen(name) > NAME_MAX_LEN))
		return spend_errf(err, SPEND_ENOTFOUND, "category",
		    "no such category");
	if (count)
		return id ? store_category_get(st, uid, id, c, err) :
		    store_category_by_name(st, uid, name, c, err);
	return store_category_find_staged(st, uid, stage, id, name, c, err);
}

static int
create(struct write_tx *w, const char *name, bool uncategorised,
    struct category *out, struct spend_err *err)
{
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = category_name_check(name, "name", err)) < 0)
		return r;
	out->uncategorised = uncategorised;
	out->user_id = w->uid;
	out->stage = w->stage;
	strlcpy(out->name, name, sizeof(out->name));
	if ((r = store_category_add(w->st, out, err)) < 0)
		return r;
	return write_change(w, CH_CATEGORY, out->id, CH_CREATE, out->version,
	    err);
}

int
category_create(struct write_tx *w, const char *name, struct category *out,
    struct spend_err *err)
{
	return create(w, name, false, out, err);
}

int
category_update(struct write_tx *w, int64_t id, int64_t version,
    const char *new_name, int archived, struct category *out,
    struct spend_err *err)
{
	int r;

	if ((r = store_category_get(w->st, w->uid, id, out, err)) < 0)
		return r;
	if (new_name) {
		if ((r = category_name_check(new_name, "new_name", err)) < 0)
			return r;
		strlcpy(out->name, new_name, sizeof(out->name));
	}
	if (archived >= 0)
		out->archived = archived;
	if ((r = store_category_update(w->st, out, version, err)) < 0) {
		if (r == SPEND_ECONFLICT && new_name)	/* the name given */
			strlcpy(err->field, "new_name", sizeof(err->field));
		return r;
	}
	return write_change(w, CH_CATEGORY, id, CH_UPDATE, out->version, err);
}

struct moved {
	struct write_tx *w;
	struct spend_err *err;
};

static int
log_moved(void *arg, int64_t id, int64_t version)
{
	struct moved *m = arg;
	int r;

	if ((r = store_expense_field_touch(m->w->st, id, "category", version,
	    m->err)) < 0)
		return r;
	return write_change(m->w, CH_EXPENSE, id, CH_UPDATE, version, m->err);
}

/* The months of the expenses moving to another category. */
static int
touch_moved(void *arg, const struct day_total *t)
{
	write_touch_month(arg, t->day);
	return 0;
}

int
category_delete(struct write_tx *w, int64_t id, int64_t version,
    int64_t move_to, struct spend_err *err)
{
	struct category cat;
	struct moved m = { w, err };
	int r;

	if ((r = store_category_get(w->st, w->uid, id, &cat, err)) < 0)
		return r;
	if (version && version != cat.version)
		return spend_errf(err, SPEND_ESTALE, "version",
		    "category was changed meanwhile (version %lld, you sent "
		    "%lld)", (long long)cat.version, (long long)version);
	if (cat.uncategorised)
		return spend_errf(err, SPEND_EINVAL, "name", "category \"%s\" "
		    "cannot be deleted: rows without a category go there "
		    "(archive it to hide it from pickers)", cat.name);
	if (move_to && (r = store_day_totals(w->st, w->uid, NULL, NULL, id,
	    touch_moved, w, err)) < 0)
		return r;
	if ((r = store_category_delete(w->st, w->uid, id, move_to, log_moved,
	    &m, err)) < 0)
		return r;
	return write_change(w, CH_CATEGORY, id, CH_DELETE, cat.version + 1,
	    err);
}

int
category_create_defaults(struct write_tx *w, struct spend_err *err)
{
	struct category c;
	int r;

	for (const char *const *n = default_categories; *n; n++)
		if ((r = category_create(w, *n, &c, err)) < 0)
			return r;
	return create(w, "uncategorised", true, &c, err);
}
