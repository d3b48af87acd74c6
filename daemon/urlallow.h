/*
 * Is a URL one the admin lets notifiers reach ([notify] webhook_allow)?
 * The URL is read by libcurl's own parser (curl_url), the one that will
 * connect, so what is checked is what is reached: no user@ part, http or
 * https, and scheme, host, port and path matching a pattern
 * (notify_cfg.h).
 */
#ifndef SPEND_URLALLOW_H
#define SPEND_URLALLOW_H

#include "err.h"

#define URL_MAX 2048

/* 0 if url is allowed by patterns (the text of webhook_allow), else
 * EINVAL with err naming field and saying why. */
int urlallow_check(const char *patterns, const char *url, const char *field,
    struct spend_err *err);

#endif
