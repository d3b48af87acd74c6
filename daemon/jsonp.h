/* Reading handler params with clear errors that name the field. Which
 * params a method takes, their types and which are required the
 * dispatcher checks first, from the method table (rpc_params_check). */
#ifndef SPEND_JSONP_H
#define SPEND_JSONP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* String param into buf (max = sizeof buf - 1 bytes). Missing: if
 * required, EINVAL "x is required", else buf is left alone and 0 is
 * returned with *present false (present may be NULL). Must be valid
 * UTF-8 without control characters (except allow). */
int jp_str(json_t *params, const char *key, bool required, char *buf,
    size_t size, const char *allow, bool *present, struct spend_err *err);
/* Integer param (JSON number, or a string of digits for CLI friendliness). */
int jp_int(json_t *params, const char *key, bool required, int64_t min,
    int64_t max, int64_t *out, bool *present, struct spend_err *err);
int jp_bool(json_t *params, const char *key, bool *out, bool *present,
    struct spend_err *err);
/* Decimal amount as a string (a JSON number is refused: it may already be
 * a float). The text is copied to buf for money_parse. */
int jp_amount(json_t *params, const char *key, bool required, char *buf,
    size_t size, bool *present, struct spend_err *err);

/* json_pack that never returns NULL silently: aborts on OOM. */
/* A string param as a pointer into params (NULL if absent or null):
 * "must be a string", "must not contain NUL bytes"; nothing else is
 * checked (the domain layer checks lengths and characters). */
int jp_cstr(json_t *params, const char *key, bool required, const char **out,
    struct spend_err *err);
json_t *jp_pack(const char *fmt, ...);
/* Append v (a new reference, stolen) to the array arr: 0, or SPEND_ENOMEM
 * (v freed) if arr cannot grow. A list as long as the data must fail so,
 * not come back short: a store list callback returns it (the dispatcher
 * says "out of memory"). */
int jp_append(json_t *arr, json_t *v);

#endif
