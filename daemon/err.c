#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "util.h"

static const struct {
	int code;
	const char *name;
	int rpc;
	int http;
} errtab[] = {
	{ SPEND_OK,		"ok",			0,	200 },
	{ SPEND_EINVAL,		"invalid",		-32602,	400 },
	{ SPEND_ENOTFOUND,	"not_found",		-32004,	404 },
	{ SPEND_ECONFLICT,	"conflict",		-32009,	409 },
	{ SPEND_ESTALE,		"stale_version",	-32012,	412 },
	{ SPEND_EAUTH,		"unauthorized",		-32001,	401 },
	{ SPEND_EPERM,		"forbidden",		-32003,	403 },
	{ SPEND_ETOOBIG,	"too_large",		-32013,	413 },
	{ SPEND_EIDEMPOTENCY,	"idempotency_mismatch",	-32022,	422 },
	{ SPEND_ERATELIMIT,	"rate_limited",		-32029,	429 },
	{ SPEND_EBUSY,		"busy",			-32053,	503 },
	{ SPEND_ESTORE,		"store_error",		-32603,	500 },
	{ SPEND_ENOMEM,		"out_of_memory",	-32603,	500 },
	{ SPEND_EINTERNAL,	"internal_error",	-32603,	500 },
	{ SPEND_ENOMETHOD,	"no_such_method",	-32601,	404 },
	{ SPEND_EPARSE,		"parse_error",		-32700,	400 },
	{ SPEND_EREQUEST,	"invalid_request",	-32600,	400 },
	{ SPEND_EUNAVAIL,	"unavailable",		-32050,	503 },
	{ SPEND_EFULL,		"disk_full",		-32057,	507 },
	{ SPEND_EINFLIGHT,	"in_flight",		-32010,	409 },
	{ SPEND_ERUNNING,	"already_running",	-32011,	409 },
	{ SPEND_ERESYNC,	"resync_required",	-32014,	410 },
};

#define NERR (sizeof(errtab) / sizeof(errtab[0]))

int
spend_errf(struct spend_err *err, int code, const char *field,
    const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* a cut ("%.40s", or the buffer's end) may split a character; the
	 * message goes into JSON, which must be UTF-8 */
	utf8_scrub(err->field);
	utf8_scrub(err->msg);
	return code;
}

void
spend_err_clear(struct spend_err *err)
{
	if (err == NULL)
		return;
	err->code = 0;
	err->field[0] = '\0';
	err->msg[0] = '\0';
}

void
spend_err_prefix(struct spend_err *err, const char *fmt, ...)
{
	char pre[256], old[SPEND_ERR_MSG_MAX];
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", pre, old);
	utf8_scrub(err->msg);
}

int
spend_err_errno(int errnum, int otherwise)
{
	return errnum == ENOSPC || errnum == EDQUOT ? SPEND_EFULL : otherwise;
}

const char *
spend_err_name(int code)
{
	for (size_t i = 0; i < NERR; i++)
		if (errtab[i].code == code)
			return errtab[i].name;
	return "internal_error";
}

int
spend_err_rpc_code(int code)
{
	for (size_t i = 0; i < NERR; i++)
		if (errtab[i].code == code)
			return errtab[i].rpc;
	return -32603;
}

int
spend_err_http_status(int code)
{
	for (size_t i = 0; i < NERR; i++)
		if (errtab[i].code == code)
			return errtab[i].http;
	return 500;
}

int
spend_err_from_rpc_code(int rpc_code)
{
	for (size_t i = 1; i < NERR; i++)
		if (errtab[i].rpc == rpc_code)
			return errtab[i].code;
	return SPEND_EINTERNAL;
}
