/*
 * spendctl's connection to spendd: the Unix socket, newline-delimited
 * JSON-RPC 2.0 framing, one request and its reply at a time, and the
 * daemon's errors printed as "spendctl: MESSAGE".
 *
 * It uses struct ctl's socket and user (set by main) and owns its fd,
 * buf, buflen, bufsize, next_id, version and methods: conn_connect()
 * fills them, conn_close() releases them.
 */
#ifndef SPENDCTL_CONN_H
#define SPENDCTL_CONN_H

#include <jansson.h>
#include <stdbool.h>

struct ctl;

/* Connect and check the protocol (done once, on first use): spendd's
 * version and method list (rpc.describe) in one round trip. On failure
 * print why (unless quiet) and return -1. */
int conn_connect(struct ctl *c, bool quiet);
/* Call method with params (borrowed; "user" is added for methods that act
 * for a user). 0 and *result (a new reference the caller frees), or -1
 * after printing the daemon's message to stderr. */
int conn_call(struct ctl *c, const char *method, json_t *params,
    json_t **result);
/* The rpc.describe entry of a method, or NULL (borrowed). */
json_t *conn_method(struct ctl *c, const char *method);
/* Close the socket and free what the connection holds. */
void conn_close(struct ctl *c);

#endif
