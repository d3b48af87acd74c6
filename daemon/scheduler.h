/* The scheduler: periodic jobs on libevent timers, on the event loop. */
#ifndef SPEND_SCHEDULER_H
#define SPEND_SCHEDULER_H

struct spendd;

/* Run fn(sd) every `seconds`, first after `first` seconds: a task in
 * sd->tasks. Tasks must be quick (they run on the loop); heavy work goes
 * to jobs_submit(). -1 if out of memory. */
int scheduler_every(struct spendd *sd, const char *name, int first, int seconds,
    void (*fn)(struct spendd *sd));
/* Register spendd's own housekeeping tasks (the modules with timers of
 * their own, auth and backup, register theirs). */
int scheduler_start(struct spendd *sd);
/* Cancel and free every task. */
void scheduler_stop(struct spendd *sd);

#endif
