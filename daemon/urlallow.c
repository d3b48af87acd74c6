/* URLs against [notify] webhook_allow, parsed by libcurl (urlallow.h). */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "notify_cfg.h"
#include "urlallow.h"
#include "util.h"

static int
part(CURLU *u, CURLUPart what, unsigned flags, char *buf, size_t size)
{
	char *v = NULL;

	buf[0] = '\0';
	if (curl_url_get(u, what, &v, flags) != CURLUE_OK)
		return -1;
	strlcpy(buf, v, size);
	curl_free(v);
	return 0;
}

int
urlallow_check(const char *patterns, const char *url, const char *field,
    struct spend_err *err)
{
	struct url_pattern pats[URLALLOW_MAX];
	char scheme[16], host[256], port[8], path[URL_MAX], tmp[8];
	size_t n;
	CURLU *u;
	CURLUcode rc;
	int r;

	if (strlen(url) >= URL_MAX)
		return spend_errf(err, SPEND_EINVAL, field, "%s: longer than %d "
		    "bytes", field, URL_MAX - 1);
	if (!text_clean(url, NULL) || strchr(url, ' ') != NULL)
		return spend_errf(err, SPEND_EINVAL, field, "%s: spaces and "
		    "control characters are not allowed in a URL", field);
	if ((r = urlallow_parse(patterns, "webhook_allow", pats, URLALLOW_MAX,
	    &n, err)) < 0)
		return r;
	if ((u = curl_url()) == NULL)
		return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	rc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (rc != CURLUE_OK) {
		curl_url_cleanup(u);
		return spend_errf(err, SPEND_EINVAL, field, "%s \"%.200s\": not a "
		    "URL (%s)", field, url, curl_url_strerror(rc));
	}
	if (part(u, CURLUPART_USER, 0, tmp, sizeof(tmp)) == 0 ||
	    part(u, CURLUPART_PASSWORD, 0, tmp, sizeof(tmp)) == 0) {
		curl_url_cleanup(u);
		return spend_errf(err, SPEND_EINVAL, field, "%s \"%.200s\": no "
		    "user or password (user@) in the URL", field, url);
	}
	if (part(u, CURLUPART_ZONEID, 0, tmp, sizeof(tmp)) == 0) {
		curl_url_cleanup(u);
		return spend_errf(err, SPEND_EINVAL, field, "%s \"%.200s\": no "
		    "IPv6 zone in the URL", field, url);
	}
	if (part(u, CURLUPART_SCHEME, 0, scheme, sizeof(scheme)) < 0 ||
	    part(u, CURLUPART_HOST, 0, host, sizeof(host)) < 0 ||
	    part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT, port, sizeof(port)) < 0 ||
	    part(u, CURLUPART_PATH, 0, path, sizeof(path)) < 0) {
		curl_url_cleanup(u);
		return spend_errf(err, SPEND_EINVAL, field, "%s \"%.200s\": needs "
		    "a scheme and a host", field, url);
	}
	curl_url_cleanup(u);
	str_tolower(scheme);
	str_tolower(host);
	/* IDNA maps many characters onto ASCII ones: compare only what is
	 * sent */
	for (const char *q = host; *q; q++)
		if ((unsigned char)*q >= 0x80 || *q == '%')
			return spend_errf(err, SPEND_EINVAL, field, "%s \"%.200s\": "
			    "write the host in ASCII (xn-- for an international "
			    "name)", field, url);
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
		return spend_errf(err, SPEND_EINVAL, field, "%s \"%.200s\": only "
		    "http and https URLs", field, url);
	if (n == 0)
		return spend_errf(err, SPEND_EINVAL, field, "%s: webhooks are "
		    "off: the administrator allows no URL ([notify] "
		    "webhook_allow)", field);
	if (!urlallow_match_parts(pats, n, scheme, host, atoi(port),
	    path[0] ? path : "/"))
		return spend_errf(err, SPEND_EINVAL, field, "%s \"%.200s\": not "
		    "allowed: the administrator allows only %.200s ([notify] "
		    "webhook_allow)", field, url, patterns);
	return 0;
}
