/* Per-user publish/subscribe for live sync. */
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "spendd.h"
#include "xmalloc.h"

struct events_sub {
	struct events_sub *next;
	int64_t uid;
	const char *prefix;	/* only types that start so; NULL: all */
	events_fn fn;
	void *arg;
	int dead;		/* unsubscribed during a publish */
};

struct events {
	struct events_sub *subs;
	int publishing;
};

static struct events *
hub(struct spendd *sd)
{
	if (sd->events == NULL)
		sd->events = xcalloc(1, sizeof(struct events));
	return sd->events;
}

struct events_sub *
events_subscribe_types(struct spendd *sd, int64_t uid, const char *prefix,
    events_fn fn, void *arg)
{
	struct events *ev = hub(sd);
	struct events_sub *s;

	s = xcalloc(1, sizeof(*s));
	s->uid = uid;
	s->prefix = prefix;
	s->fn = fn;
	s->arg = arg;
	s->next = ev->subs;
	ev->subs = s;
	return s;
}

struct events_sub *
events_subscribe(struct spendd *sd, int64_t uid, events_fn fn, void *arg)
{
	return events_subscribe_types(sd, uid, NULL, fn, arg);
}

/* Does s take an event of type for uid? */
static bool
takes(const struct events_sub *s, int64_t uid, const char *type)
{
	return !s->dead && (s->uid == uid || s->uid == 0) &&
	    (s->prefix == NULL || strncmp(type, s->prefix,
	    strlen(s->prefix)) == 0);
}

bool
events_wanted(struct spendd *sd, int64_t uid, const char *type)
{
	struct events *ev = sd->events;

	if (ev == NULL)
		return false;
	for (const struct events_sub *s = ev->subs; s; s = s->next)
		if (takes(s, uid, type))
			return true;
	return false;
}

static void
reap(struct events *ev)
{
	for (struct events_sub **p = &ev->subs; *p;) {
		if ((*p)->dead) {
			struct events_sub *s = *p;
			*p = s->next;
			free(s);
		} else
			p = &(*p)->next;
	}
}

void
events_unsubscribe(struct spendd *sd, struct events_sub *s)
{
	struct events *ev = sd->events;

	if (ev == NULL || s == NULL)
		return;
	s->dead = 1;
	if (!ev->publishing)
		reap(ev);
}

void
events_publish(struct spendd *sd, int64_t uid, const char *type, json_t *data)
{
	struct events *ev = sd->events;

	if (ev == NULL || ev->subs == NULL)
		return;
	/* a subscriber may unsubscribe itself or others from its callback */
	ev->publishing++;
	for (struct events_sub *s = ev->subs; s; s = s->next)
		if (takes(s, uid, type))
			s->fn(s->arg, sd->hook_seq, type, data);
	if (--ev->publishing == 0)
		reap(ev);
}

void
events_free(struct spendd *sd)
{
	struct events *ev = sd->events;

	if (ev == NULL)
		return;
	while (ev->subs) {
		struct events_sub *s = ev->subs;
		ev->subs = s->next;
		free(s);
	}
	free(ev);
	sd->events = NULL;
}
