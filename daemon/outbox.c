/* The notifier outbox (outbox.h). */
#include <stdio.h>
#include <stdlib.h>

#include "events.h"
#include "outbox.h"
#include "store.h"
#include "write.h"
#include "xmalloc.h"

struct published {
	int64_t uid;
	char type[48];
	json_t *event;
};

static void
publish(struct spendd *sd, void *arg)
{
	struct published *p = arg;

	events_publish(sd, p->uid, p->type, p->event);
}

static void
published_free(void *arg)
{
	struct published *p = arg;

	json_decref(p->event);
	free(p);
}

int
outbox_add(struct write_tx *w, const char *kind, json_t *event, int64_t *id,
    struct spend_err *err)
{
	struct published *p;
	char *text;
	int64_t oid;
	int r;

	if ((text = json_dumps(event, JSON_COMPACT)) == NULL)
		return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	r = store_outbox_add(w->st, w->uid, kind, text, &oid, err);
	free(text);
	if (r < 0)
		return r;
	if (id)
		*id = oid;
	p = xcalloc(1, sizeof(*p));
	if ((p->event = json_deep_copy(event)) == NULL) {
		free(p);
		return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	}
	p->uid = w->uid;
	snprintf(p->type, sizeof(p->type), "notify.%s", kind);
	json_object_set_new(p->event, "outbox_id", json_integer(oid));
	write_hook(w, publish, p, published_free);
	return 0;
}
