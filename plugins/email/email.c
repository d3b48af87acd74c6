/*
 * email: a notifier channel that mails each event to the user's address,
 * as plain text and HTML (multipart/alternative), over SMTP through the
 * host's libcurl (host->mail_send: STARTTLS, AUTH; this plugin links no
 * curl). Without a server the channel is not offered.
 *
 *	[notify email]
 *	server = smtp://mail.example.com:587	(or smtps://host:465)
 *	starttls = yes | try | no	(yes: refuse a server without it)
 *	username = spend		(no AUTH if absent)
 *	password = ...			(or password_file = /path)
 *	from = spend@example.com
 *	from_name = Spend		(Spend)
 *	ca_file = /path/ca.pem		(the system's CAs if absent)
 *	subject_prefix = [Spend]	([Spend])
 *	timeout = 60			(seconds; [notify] timeout if absent)
 *
 * The subject is the event's data.message (its first line, cut at 120
 * bytes) after the prefix and the kind; the body has the message and the
 * event's other fields. Message-ID is the same on every retry
 * (<spend-event-ID@DOMAIN of from>), so a mail client shows one mail.
 * A 5xx refusal of the recipient fails for good; the rest is retried.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spend/plugin.h"
#include "../common/host.h"

SPEND_PLUGIN_DECLARE;

#define SUBJECT_TEXT_MAX 120
#define SECRET_FILE_MAX 512

static const struct spend_host_api *host;

struct email_conf {
	char *server, *username, *password, *from, *from_name, *ca_file,
	    *prefix;
	int starttls;		/* 2 yes, 1 try, 0 no */
	long timeout_ms;
};

/* ---- a growing text ---- */

struct buf {
	char *s;
	size_t len, cap;
	int failed;
};

static void
put(struct buf *b, const char *p, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *s;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((s = realloc(b->s, cap)) == NULL) {
			b->failed = 1;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void
putf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
putf(struct buf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		b->failed = 1;
	else
		put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n :
		    sizeof(tmp) - 1);
}

/* HTML text: & < > " ' escaped, line breaks as <br>. */
static void
put_html(struct buf *b, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&': puts_(b, "&amp;"); break;
		case '<': puts_(b, "&lt;"); break;
		case '>': puts_(b, "&gt;"); break;
		case '"': puts_(b, "&quot;"); break;
		case '\'': puts_(b, "&#39;"); break;
		case '\n': puts_(b, "<br>\r\n"); break;
		case '\r': break;
		default: put(b, s, 1);
		}
}

/* Text with bare LF (and CR) made CRLF. */
static void
put_text(struct buf *b, const char *s)
{
	for (; *s; s++)
		if (*s == '\n')
			puts_(b, "\r\n");
		else if (*s != '\r')
			put(b, s, 1);
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* base64 of n bytes of p, lines of 76 with CRLF (wrap) or one run. */
static void
put_b64(struct buf *b, const unsigned char *p, size_t n, int wrap)
{
	size_t col = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		char q[4];

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = b64[v >> 18 & 63];
		q[1] = b64[v >> 12 & 63];
		q[2] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		q[3] = i + 2 < n ? b64[v & 63] : '=';
		put(b, q, 4);
		if (wrap && (col += 4) >= 76 && i + 3 < n) {
			puts_(b, "\r\n");
			col = 0;
		}
	}
	if (wrap)
		puts_(b, "\r\n");
}

static int
ascii_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || (unsigned char)*s >= 127)
			return 0;
	return 1;
}

/* A header's value after "Name:": " value" when it is printable ASCII,
 * else RFC 2047 encoded-words of whole UTF-8 characters, the first on
 * the name's line and each other on a folded line of its own (the folds
 * between encoded-words are not part of the text), so no line passes 78
 * bytes. */
static void
put_header_value(struct buf *b, const char *s)
{
	size_t n = strlen(s), i = 0;

	if (ascii_printable(s)) {
		puts_(b, " ");
		puts_(b, s);
		return;
	}
	while (i < n) {
		size_t take = n - i > 42 ? 42 : n - i;

		/* never split a UTF-8 sequence */
		while (i + take < n && take > 0 &&
		    ((unsigned char)s[i + take] & 0xc0) == 0x80)
			take--;
		if (take == 0)
			take = n - i < 42 ? n - i : 42;
		/* the first word on the name's line: "Subject: " + 68 */
		puts_(b, i == 0 ? " =?UTF-8?B?" : "\r\n =?UTF-8?B?");
		put_b64(b, (const unsigned char *)s + i, take, 0);
		puts_(b, "?=");
		i += take;
	}
}

/* The first line of s, at most max bytes (whole UTF-8 characters), with
 * control characters dropped. */
static void
first_line(const char *s, char *out, size_t max)
{
	size_t o = 0;

	for (; *s && *s != '\n' && *s != '\r'; s++) {
		size_t len = 1;
		unsigned char c = (unsigned char)*s;

		if (c < ' ' || c == 127)
			continue;
		if (c >= 0xf0)
			len = 4;
		else if (c >= 0xe0)
			len = 3;
		else if (c >= 0xc0)
			len = 2;
		if (o + len > max)
			break;
		for (size_t k = 0; k < len && s[k]; k++)
			out[o++] = s[k];
		s += len - 1;
	}
	out[o] = '\0';
}

/* A data member as text (strings bare, the rest as JSON). */
static char *
value_text(json_t *v)
{
	if (json_is_string(v))
		return strdup(json_string_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/*
 * The whole mail for ev to ev->target (CRLF lines): *out malloc'd. now is
 * the Date header's time. 0 or -1.
 */
static int
email_build(const struct email_conf *c, const struct spend_event *ev,
    time_t now, char **out, size_t *len)
{
	struct buf b = { 0 }, text = { 0 }, html = { 0 };
	json_t *root = json_loads(ev->json, 0, NULL), *data, *v;
	const char *msg = NULL, *key, *domain;
	char subject[SUBJECT_TEXT_MAX + 1], date[64], boundary[64];
	char line[SUBJECT_TEXT_MAX + 256];
	struct tm tm;

	data = json_object_get(root, "data");
	if (json_is_string(json_object_get(data, "message")))
		msg = json_string_value(json_object_get(data, "message"));
	first_line(msg ? msg : "a notification from Spend", subject,
	    sizeof(subject) - 1);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	domain = strrchr(c->from, '@') + 1;
	snprintf(boundary, sizeof(boundary), "spend-%lld-%d-%lld",
	    (long long)ev->id, ev->attempt, (long long)now);

	/* the text part */
	if (msg) {
		put_text(&text, msg);
		puts_(&text, "\r\n\r\n");
	}
	putf(&text, "kind: %s\r\nevent: %lld\r\n", ev->kind, (long long)ev->id);
	/* the HTML part */
	puts_(&html, "<!DOCTYPE html>\r\n<html><body>\r\n");
	if (msg) {
		puts_(&html, "<p>");
		put_html(&html, msg);
		puts_(&html, "</p>\r\n");
	}
	puts_(&html, "<table>\r\n<tr><th align=\"left\">kind</th><td>");
	put_html(&html, ev->kind);
	putf(&html, "</td></tr>\r\n<tr><th align=\"left\">event</th><td>%lld"
	    "</td></tr>\r\n", (long long)ev->id);
	json_object_foreach(data, key, v) {
		char *t;

		if (strcmp(key, "message") == 0 || (t = value_text(v)) == NULL)
			continue;
		put_text(&text, key);
		puts_(&text, ": ");
		put_text(&text, t);
		puts_(&text, "\r\n");
		puts_(&html, "<tr><th align=\"left\">");
		put_html(&html, key);
		puts_(&html, "</th><td>");
		put_html(&html, t);
		puts_(&html, "</td></tr>\r\n");
		free(t);
	}
	putf(&text, "\r\n-- \r\nSpend, %s\r\n", ev->created_at);
	puts_(&html, "</table>\r\n<p style=\"color:#777\">Spend, ");
	put_html(&html, ev->created_at);
	puts_(&html, "</p>\r\n</body></html>\r\n");

	/* the mail */
	snprintf(line, sizeof(line), "%s %s: %s", c->prefix, ev->kind,
	    subject);
	puts_(&b, "From:");
	put_header_value(&b, c->from_name);
	putf(&b, " <%s>\r\nTo: <%s>\r\nSubject:", c->from, ev->target);
	put_header_value(&b, line);
	putf(&b, "\r\nDate: %s\r\n", date);
	putf(&b, "Message-ID: <spend-event-%lld@%s>\r\n", (long long)ev->id,
	    domain);
	puts_(&b, "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n");
	putf(&b, "X-Spend-Event: %lld\r\n", (long long)ev->id);
	putf(&b, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n",
	    boundary);
	putf(&b, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n", boundary);
	put_b64(&b, (const unsigned char *)(text.s ? text.s : ""), text.len, 1);
	putf(&b, "--%s\r\nContent-Type: text/html; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n", boundary);
	put_b64(&b, (const unsigned char *)(html.s ? html.s : ""), html.len, 1);
	putf(&b, "--%s--\r\n", boundary);
	json_decref(root);
	free(text.s);
	free(html.s);
	if (b.failed || text.failed || html.failed) {
		free(b.s);
		return -1;
	}
	*out = b.s;
	*len = b.len;
	return 0;
}

/* ---- delivery ---- */

struct job {
	struct spend_delivery *d;
};

static void
sent(void *arg, const struct spend_transfer *t)
{
	struct job *j = arg;

	if (t->ok)
		host->delivery_done(j->d, SPEND_DELIVERED, NULL);
	else
		/* 55x: a mailbox that does not exist stays so */
		host->delivery_done(j->d, t->status >= 550 && t->status < 560 ?
		    SPEND_DELIVERY_FAILED : SPEND_DELIVERY_RETRY, t->error);
	free(j);
}

static void
deliver(struct spend_plugin *self, const struct spend_event *ev,
    struct spend_delivery *d)
{
	struct email_conf *c = self->data;
	struct spend_mail m;
	struct job *j;
	char *text, err[512];
	size_t len;

	if (ev->target == NULL || *ev->target == '\0') {
		host->delivery_done(d, SPEND_DELIVERY_FAILED, "no address");
		return;
	}
	if (email_build(c, ev, time(NULL), &text, &len) < 0) {
		host->delivery_done(d, SPEND_DELIVERY_RETRY, "out of memory");
		return;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		free(text);
		host->delivery_done(d, SPEND_DELIVERY_RETRY, "out of memory");
		return;
	}
	j->d = d;
	memset(&m, 0, sizeof(m));
	m.server = c->server;
	m.starttls = c->starttls;
	m.ca_file = c->ca_file;
	m.username = c->username;
	m.password = c->password;
	m.from = c->from;
	m.to = ev->target;
	m.message = text;
	m.len = len;
	m.timeout_ms = c->timeout_ms;
	if (host->mail_send(self, &m, sent, j, err, sizeof(err)) < 0) {
		free(j);
		host->delivery_done(d, SPEND_DELIVERY_RETRY, err);
	}
	free(text);
}

static const struct spend_notifier notifier = {
	.version = SPEND_NOTIFIER_V2,
	.name = "email",
	.description = "a mail (text and HTML) to your address",
	.deliver = deliver,
	.target = SPEND_TARGET_EMAIL,
};

static void
conf_free(struct email_conf *c)
{
	if (c == NULL)
		return;
	free(c->server);
	free(c->username);
	if (c->password) {
		memset(c->password, 0, strlen(c->password));
		free(c->password);
	}
	free(c->from);
	free(c->from_name);
	free(c->ca_file);
	free(c->prefix);
	free(c);
}

static void
email_free(struct spend_plugin *self)
{
	conf_free(self->data);
	self->data = NULL;
}

static char *
dup_or(const char *v, const char *dflt)
{
	return v ? strdup(v) : dflt ? strdup(dflt) : NULL;
}

/* The first line of a file (a password kept out of spendd.conf). */
static char *
read_secret(const char *path)
{
	char buf[SECRET_FILE_MAX];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return strdup(buf);
}

static int
header_safe(const char *s)
{
	return strpbrk(s, "\r\n") == NULL;
}

SPEND_PLUGIN_EXPORT int
spend_plugin_init(const struct spend_host_api *h, struct spend_plugin *self)
{
	const char *v, *pwfile;
	struct email_conf *c;
	char *end;

	if (plugin_host_check(h, self, PLUGIN_HOST_NEEDS(hmac_sha256),
	    NULL) < 0)
		return -1;
	host = h;
	self->version = "1.0";
	self->description = "notifier: mail over SMTP";
	if ((v = h->config_get(self, "server")) == NULL || *v == '\0') {
		h->log(self, SPEND_LOG_INFO, "no server in [notify email]: the "
		    "email channel is off");
		return 0;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	self->data = c;
	self->free_func = email_free;
	c->server = strdup(v);
	c->username = dup_or(h->config_get(self, "username"), NULL);
	c->from = dup_or(h->config_get(self, "from"), NULL);
	c->from_name = dup_or(h->config_get(self, "from_name"), "Spend");
	c->ca_file = dup_or(h->config_get(self, "ca_file"), NULL);
	c->prefix = dup_or(h->config_get(self, "subject_prefix"), "[Spend]");
	if ((pwfile = h->config_get(self, "password_file")) != NULL) {
		if ((c->password = read_secret(pwfile)) == NULL) {
			h->log(self, SPEND_LOG_WARN, "password_file %s: cannot "
			    "read it", pwfile);
			return -1;
		}
	} else
		c->password = dup_or(h->config_get(self, "password"), NULL);
	if (c->server == NULL || c->from_name == NULL || c->prefix == NULL)
		return -1;
	if (strncmp(c->server, "smtp://", 7) != 0 &&
	    strncmp(c->server, "smtps://", 8) != 0) {
		h->log(self, SPEND_LOG_WARN, "server \"%s\": smtp://HOST[:PORT] "
		    "or smtps://HOST[:PORT]", c->server);
		return -1;
	}
	if (c->from == NULL || strchr(c->from, '@') == NULL ||
	    strpbrk(c->from, " <>\r\n\"") != NULL) {
		h->log(self, SPEND_LOG_WARN, "from: an address like "
		    "spend@example.com is required");
		return -1;
	}
	if (!header_safe(c->from_name) || !header_safe(c->prefix)) {
		h->log(self, SPEND_LOG_WARN, "from_name and subject_prefix are "
		    "one line each");
		return -1;
	}
	c->starttls = 2;
	if ((v = h->config_get(self, "starttls")) != NULL) {
		if (strcmp(v, "yes") == 0)
			c->starttls = 2;
		else if (strcmp(v, "try") == 0)
			c->starttls = 1;
		else if (strcmp(v, "no") == 0)
			c->starttls = 0;
		else {
			h->log(self, SPEND_LOG_WARN, "starttls \"%s\": yes, try "
			    "or no", v);
			return -1;
		}
	}
	if (c->starttls == 0 && c->password && strncmp(c->server, "smtp://",
	    7) == 0)
		h->log(self, SPEND_LOG_WARN, "starttls = no: the password goes "
		    "to %s in clear text", c->server);
	if ((v = h->config_get(self, "timeout")) != NULL) {
		long s = strtol(v, &end, 10);

		if (*v == '\0' || *end != '\0' || s < 1 || s > 3600) {
			h->log(self, SPEND_LOG_WARN, "timeout \"%s\": seconds, "
			    "1 to 3600", v);
			return -1;
		}
		c->timeout_ms = s * 1000;
	}
	return h->register_notifier(self, &notifier);
}
