/*
 * The scheduled rates fetch: [rates] url (a mirror of the ECB's
 * eurofxref.csv or eurofxref-hist.csv: the CSV itself, not the ECB's
 * zip) is fetched once a day at [rates] fetch_at (UTC) on the loop's
 * libcurl multi handle (httpc.h), and at start when the last good fetch
 * is more than a day old; the file is imported on a WRITE worker with
 * rates_import_ecb (all or nothing). Failures are logged; the last
 * attempt and the last success are kept in the store (meta
 * "rates_fetch") and shown by daemon.status. rate.fetch fetches now.
 * Event loop thread.
 */
#ifndef SPEND_RATES_FETCH_H
#define SPEND_RATES_FETCH_H

#include <jansson.h>

struct spendd;

/* Schedule the fetches ([rates] url set). 0 or -1. */
int rates_fetch_start(struct spendd *sd);
/* A stop signal: callers waiting on rate.fetch get "shutting down". */
void rates_fetch_stop(struct spendd *sd);
/* After httpc_free and the workers. */
void rates_fetch_free(struct spendd *sd);
/* daemon.status's "rates_fetch" (new reference): url, next, last
 * attempt, its result, last success; {"url": ""} when off. */
json_t *rates_fetch_status(struct spendd *sd);

#endif
