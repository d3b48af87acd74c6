/* A small thread pool for blocking work (Argon2, imports, exports, PDF). */
#ifndef SPEND_WORKER_H
#define SPEND_WORKER_H

struct event_base;
struct workers;

/* Start n threads; completions are delivered on base's loop. */
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
