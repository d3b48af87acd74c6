/* A small thread pool for blocking work (Argon2, imports, exports, PDF). */
#ifndef SPEND_WORKER_H
#define SPEND_WORKER_H

struct event_base;
struct workers;

/* Turn on libevent's thread support. Call it once, before the first
 * event_base is created: a base made earlier has no lock, and the
 * workers' completions (event_active from their threads) would race the
 * loop. */
int workers_threads_init(void);
/* Start n threads; completions are delivered on base's loop, which must
 * have been created after workers_threads_init(). */
int workers_start(struct event_base *base, int n, struct workers **out);
/* Let queued and running jobs finish, deliver their completions, join. */
void workers_stop(struct workers *w);
/* Run fn(arg) on a worker thread, then done(arg) on the event loop
 * thread. arg is the caller's: neither fn nor the pool frees it.
 * Returns 0, or -1 if the pool is stopping. */
int worker_submit(struct workers *w, void (*fn)(void *arg),
    void (*done)(void *arg), void *arg);
/* Jobs queued or running. */
int workers_busy(struct workers *w);

#endif
