/*
 * The REST facade: its routes are the `route` fields of the method table
 * (rpc.c), "VERB[,VERB] /path/{param}/literal". A request becomes one
 * rpc_invoke: path params ({id} as an integer), query params and the JSON
 * body merge into params (a key given twice is an error), Idempotency-Key
 * becomes idempotency_key, If-Match becomes version.
 */
#ifndef SPEND_REST_H
#define SPEND_REST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "rpc.h"

struct httpd_req;
struct config;

struct rest;

/* Every route of the method table, parsed. NULL (logged) on a malformed
 * or ambiguous route (a programming error caught at start-up) or out of
 * memory. Free with rest_free (NULL: nothing). */
struct rest *rest_new(void);
void rest_free(struct rest *rest);

/*
 * The method for verb ("GET", "POST"...; HEAD matches GET) and path
 * (decoded segments joined by '/', without the query). On a match *m is
 * set and the path params are added to params (which may be NULL to only
 * test). Returns 0, SPEND_ENOMETHOD if no route has that path, or
 * SPEND_EINVAL if the path exists for other verbs: allow (may be NULL)
 * gets them, "GET, PATCH".
 */
int rest_match(const struct rest *rest, const char *verb, const char *path,
    const struct rpc_method **m, json_t *params, char *allow, size_t len);

/* A request's parts that become params, as rest_params reads them: the
 * body (body_len bytes, NULL if none) and raw query (NULL if none), and
 * the headers' values (NULL if absent). */
struct rest_request {
	const struct rpc_method *m;	/* the route's method (or NULL) */
	bool upload;		/* the body is a file, not params */
	const char *body;
	size_t body_len;
	long long max_body;	/* the route's (rest_max_body) */
	const char *content_type, *query, *idempotency_key, *if_match;
};

/* Merge rq's JSON body, query parameters, Idempotency-Key (as
 * idempotency_key) and If-Match (as version) into params (which holds
 * the path params). A key given twice with different values, a body that
 * is not a JSON object, a query that is not UTF-8 or names a secret
 * param (PF_SECRET) are errors: a negative SPEND_E* and err. A query key
 * "NAME.KEY" of a PT_OBJECT param NAME (or its option name) is member KEY
 * of that object. */
int rest_params(const struct rest_request *rq, json_t *params,
    struct spend_err *err);

/* The largest request body route m accepts: [http] max_import for an
 * RPC_UPLOAD method, else max_body. */
long long rest_max_body(const struct rpc_method *m, const struct config *cfg);

/* Serve one /api/v1 request on the routes of rest (identity already set
 * up by http.c). */
void rest_handle(struct spendd *sd, const struct rest *rest,
    struct httpd_req *req, const char *path, struct rpc_identity *id);

#endif
