#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonp.h"
#include "log.h"
#include "util.h"

int
jp_str(json_t *params, const char *key, bool required, char *buf,
    size_t size, const char *allow, bool *present, struct spend_err *err)
{
	json_t *v = json_object_get(params, key);
	const char *s;
	size_t len;

	if (present)
		*present = false;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return spend_errf(err, SPEND_EINVAL, key, "%s is required",
			    key);
		return 0;
	}
	if (!json_is_string(v))
		return spend_errf(err, SPEND_EINVAL, key, "%s must be a string",
		    key);
	s = json_string_value(v);
	len = json_string_length(v);
	if (strlen(s) != len)
		return spend_errf(err, SPEND_EINVAL, key,
		    "%s must not contain NUL bytes", key);
	if (len >= size)
		return spend_errf(err, SPEND_EINVAL, key,
		    "%s is too long (%zu bytes, at most %zu)", key, len,
		    size - 1);
	if (!text_clean(s, allow))
		return spend_errf(err, SPEND_EINVAL, key,
		    "%s contains control characters or invalid UTF-8", key);
	memcpy(buf, s, len + 1);
	if (present)
		*present = true;
	return 0;
}

int
jp_int(json_t *params, const char *key, bool required, int64_t min,
    int64_t max, int64_t *out, bool *present, struct spend_err *err)
{
	json_t *v = json_object_get(params, key);
	long long n;

	if (present)
		*present = false;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return spend_errf(err, SPEND_EINVAL, key, "%s is required",
			    key);
		return 0;
	}
	if (json_is_integer(v))
		n = json_integer_value(v);
	else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;

		if (*s == '\0' || strlen(s) > 19 || strspn(s, "-0123456789") !=
		    strlen(s))
			return spend_errf(err, SPEND_EINVAL, key,
			    "%s: \"%.30s\" is not an integer", key, s);
		errno = 0;
		n = strtoll(s, &end, 10);
		if (*end || errno)	/* ERANGE: not INT64_MAX in disguise */
			return spend_errf(err, SPEND_EINVAL, key,
			    "%s: \"%.30s\" is not an integer", key, s);
	} else
		return spend_errf(err, SPEND_EINVAL, key,
		    "%s must be an integer", key);
	if (n < min || n > max)
		return spend_errf(err, SPEND_EINVAL, key,
		    "%s must be between %lld and %lld", key, (long long)min,
		    (long long)max);
	*out = n;
	if (present)
		*present = true;
	return 0;
}

int
jp_bool(json_t *params, const char *key, bool *out, bool *present,
    struct spend_err *err)
{
	json_t *v = json_object_get(params, key);

	if (present)
		*present = false;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_boolean(v))
		*out = json_is_true(v);
	else if (json_is_string(v) && (!strcmp(json_string_value(v), "true") ||
	    !strcmp(json_string_value(v), "false")))
		*out = !strcmp(json_string_value(v), "true");
	else
		return spend_errf(err, SPEND_EINVAL, key,
		    "%s must be true or false", key);
	if (present)
		*present = true;
	return 0;
}

int
jp_amount(json_t *params, const char *key, bool required, char *buf,
    size_t size, bool *present, struct spend_err *err)
{
	json_t *v = json_object_get(params, key);

	if (v && (json_is_real(v) || json_is_integer(v)))
		return spend_errf(err, SPEND_EINVAL, key,
		    "%s must be a decimal string like \"12.50\", not a JSON "
		    "number", key);
	return jp_str(params, key, required, buf, size, NULL, present, err);
}

int
jp_cstr(json_t *params, const char *key, bool required, const char **out,
    struct spend_err *err)
{
	json_t *v = json_object_get(params, key);

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return spend_errf(err, SPEND_EINVAL, key, "%s is required",
			    key);
		return 0;
	}
	if (!json_is_string(v))
		return spend_errf(err, SPEND_EINVAL, key, "%s must be a string",
		    key);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return spend_errf(err, SPEND_EINVAL, key,
		    "%s must not contain NUL bytes", key);
	*out = json_string_value(v);
	return 0;
}

json_t *
jp_pack(const char *fmt, ...)
{
	va_list ap;
	json_t *j;

	va_start(ap, fmt);
	j = json_vpack_ex(NULL, 0, fmt, ap);
	va_end(ap);
	if (j == NULL)
		fatalx("json_pack(%s) failed", fmt);
	return j;
}

int
jp_append(json_t *arr, json_t *v)
{
	return json_array_append_new(arr, v) == 0 ? 0 : SPEND_ENOMEM;
}
