/*
 * Outgoing transfers on the event loop: libcurl's multi interface driven
 * by libevent (CURLMOPT_SOCKETFUNCTION puts each of curl's sockets in an
 * event, CURLMOPT_TIMERFUNCTION one timer; both call
 * curl_multi_socket_action). One multi handle for the daemon: webhook
 * POSTs and mails of the notifiers (through the plugin host API) and the
 * scheduled rates fetch. Nothing here blocks: name resolution runs in
 * curl's resolver thread, connections and TLS are non-blocking.
 *
 * Event loop thread only. done(arg, result) runs exactly once per started
 * transfer, on the loop, never inside the call that started it; result
 * and its strings are valid during the call only. At httpc_free the
 * transfers still running end with curl_code CURLE_ABORTED_BY_CALLBACK
 * ("cancelled: spendd is stopping").
 */
#ifndef SPEND_HTTPC_H
#define SPEND_HTTPC_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct spendd;

struct httpc_result {
	int curl_code;		/* CURLE_OK (0), or why the transfer failed */
	long status;		/* HTTP status or last SMTP reply code, 0 if none */
	const char *error;	/* "" when curl_code is 0, else a reason */
	const char *body;	/* the response body (HTTP), NUL-terminated */
	size_t body_len;
	bool truncated;		/* the body passed max_response: cut there */
};

typedef void (*httpc_done_fn)(void *arg, const struct httpc_result *r);

struct httpc_req {
	const char *method;		/* "GET", "POST", "PUT" */
	const char *url;		/* http or https only */
	const char *const *headers;	/* "Name: value", NULL-ended; may be NULL */
	const void *body;		/* copied; may be NULL */
	size_t body_len;
	long timeout_ms;		/* the whole transfer; 0 = 30 s */
	size_t max_response;		/* body bytes kept; 0 = 64 KiB */
	int max_redirects;		/* 0: a redirect is an answer, not followed */
};

/* The parts of a mail (SMTP through libcurl: smtp:// with STARTTLS, or
 * smtps://). */
enum httpc_tls { HTTPC_TLS_NONE, HTTPC_TLS_TRY, HTTPC_TLS_REQUIRED };
struct httpc_mail {
	const char *url;		/* "smtp://host:587", "smtps://host" */
	enum httpc_tls tls;		/* STARTTLS on smtp:// */
	const char *ca_file;		/* NULL: the system's CAs */
	const char *username;		/* NULL: no AUTH */
	const char *password;
	const char *from;		/* envelope sender: "a@example.com" */
	const char *const *rcpt;	/* recipients, NULL-ended */
	const char *message;		/* RFC 5322 text, CRLF lines; copied */
	size_t len;
	long timeout_ms;		/* 0 = 60 s */
};

/* Start and stop the multi handle (at start-up and after the loop). */
int httpc_init(struct spendd *sd);
void httpc_free(struct spendd *sd);
/* Transfers running now. */
int httpc_busy(struct spendd *sd);

/* Start a transfer. 0: done will be called later; or a negative SPEND_E*
 * with err filled (then done is never called). */
int httpc_request(struct spendd *sd, const struct httpc_req *req,
    httpc_done_fn done, void *arg, struct spend_err *err);
int httpc_mail(struct spendd *sd, const struct httpc_mail *m,
    httpc_done_fn done, void *arg, struct spend_err *err);

#endif
