/* Worker threads: fn runs on a thread, done runs back on the event loop. */
#include <event2/event.h>
#include <event2/thread.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "log.h"
#include "worker.h"

struct job {
	struct job *next;
	void (*fn)(void *);
	void (*done)(void *);
	void *arg;
};

struct workers {
	pthread_mutex_t mtx;
	pthread_cond_t cond;
	struct job *head, *tail;	/* queued */
	struct job *finished;		/* waiting for the loop */
	pthread_t *threads;
	int n, busy;
	bool stopping;
	struct event *ev;		/* fires on the loop to run dones */
};

static void
run_dones(evutil_socket_t fd, short what, void *arg)
{
	struct workers *w = arg;
	struct job *list, *j, *rev = NULL;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&w->mtx);
	list = w->finished;
	w->finished = NULL;
	pthread_mutex_unlock(&w->mtx);
	/* finished is LIFO: reverse to deliver in completion order */
	while (list) {
		j = list->next;
		list->next = rev;
		rev = list;
		list = j;
	}
	while (rev) {
		j = rev->next;
		if (rev->done)
			rev->done(rev->arg);
		free(rev);
		pthread_mutex_lock(&w->mtx);
		w->busy--;
		pthread_mutex_unlock(&w->mtx);
		rev = j;
	}
}

static void *
worker_main(void *arg)
{
	struct workers *w = arg;
	struct job *j;

	for (;;) {
		pthread_mutex_lock(&w->mtx);
		while (w->head == NULL && !w->stopping)
			pthread_cond_wait(&w->cond, &w->mtx);
		if (w->head == NULL) {
			pthread_mutex_unlock(&w->mtx);
			return NULL;
		}
		j = w->head;
		w->head = j->next;
		if (w->head == NULL)
			w->tail = NULL;
		pthread_mutex_unlock(&w->mtx);

		j->fn(j->arg);

		pthread_mutex_lock(&w->mtx);
		j->next = w->finished;
		w->finished = j;
		pthread_mutex_unlock(&w->mtx);
		event_active(w->ev, EV_READ, 0);
	}
}

static bool threads_on;

int
workers_threads_init(void)
{
	if (!threads_on && evthread_use_pthreads() < 0)
		return -1;
	threads_on = true;
	return 0;
}

int
workers_start(struct event_base *base, int n, struct workers **out)
{
	struct workers *w;

	if (!threads_on) {
		log_warnx("workers: thread support was not set up before the "
		    "event base was created");
		return -1;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	pthread_mutex_init(&w->mtx, NULL);
	pthread_cond_init(&w->cond, NULL);
	if ((w->ev = event_new(base, -1, 0, run_dones, w)) == NULL ||
	    evthread_make_base_notifiable(base) < 0 ||
	    (w->threads = calloc((size_t)n, sizeof(pthread_t))) == NULL) {
		free(w);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (pthread_create(&w->threads[i], NULL, worker_main, w) != 0)
			fatalx("workers: cannot start thread %d", i);
		w->n++;
	}
	*out = w;
	return 0;
}

int
worker_submit(struct workers *w, void (*fn)(void *), void (*done)(void *),
    void *arg)
{
	struct job *j;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return -1;
	j->fn = fn;
	j->done = done;
	j->arg = arg;
	pthread_mutex_lock(&w->mtx);
	if (w->stopping) {
		pthread_mutex_unlock(&w->mtx);
		free(j);
		return -1;
	}
	if (w->tail)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	w->busy++;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->mtx);
	return 0;
}

int
workers_busy(struct workers *w)
{
	int n;

	pthread_mutex_lock(&w->mtx);
	n = w->busy;
	pthread_mutex_unlock(&w->mtx);
	return n;
}

void
workers_stop(struct workers *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mtx);
	w->stopping = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->mtx);
	for (int i = 0; i < w->n; i++)
		pthread_join(w->threads[i], NULL);
	run_dones(-1, 0, w);	/* deliver what finished last */
	event_free(w->ev);
	pthread_mutex_destroy(&w->mtx);
	pthread_cond_destroy(&w->cond);
	free(w->threads);
	free(w);
}
