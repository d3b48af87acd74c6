/* email notifier against the mock host: the mail it builds (headers,
 * RFC 2047 subjects, multipart/alternative with base64 text and HTML,
 * CRLF lines of at most 78 bytes, HTML escaped) and what it asks the
 * host to send. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "mock_host.h"
#include "../../plugins/email/email.c"

static const char *const conf[] = { "server", "smtp://mail.example.com:587",
	"username", "spend", "password", "secret", "from", "spend@example.com",
	"from_name", "Spend", NULL };

static struct {
	char server[128], from[128], to[128], user[64], pass[64];
	int starttls;
	char *message;
	spend_transfer_fn done;
	void *arg;
	int results;
	enum spend_delivery_result result;
} seen;

static int
fake_send(struct spend_plugin *self, const struct spend_mail *m,
    spend_transfer_fn done, void *arg, char *errbuf, size_t errlen)
{
	(void)self;
	(void)errbuf;
	(void)errlen;
	snprintf(seen.server, sizeof(seen.server), "%s", m->server);
	snprintf(seen.from, sizeof(seen.from), "%s", m->from);
	snprintf(seen.to, sizeof(seen.to), "%s", m->to);
	snprintf(seen.user, sizeof(seen.user), "%s", m->username);
	snprintf(seen.pass, sizeof(seen.pass), "%s", m->password);
	seen.starttls = m->starttls;
	free(seen.message);
	seen.message = strndup(m->message, m->len);
	seen.done = done;
	seen.arg = arg;
	return 0;
}

static void
fake_done(struct spend_delivery *d, enum spend_delivery_result r,
    const char *error)
{
	(void)d;
	(void)error;
	seen.results++;
	seen.result = r;
}

/* base64 (RFC 4648, CRLFs skipped) into a NUL-terminated malloc'd text */
static char *
unb64(const char *s, const char *end)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc((size_t)(end - s)), *o = out;
	unsigned v = 0;
	int bits = 0;

	for (; s < end; s++) {
		const char *p = strchr(a, *s);

		if (*s == '=' || *s == '\r' || *s == '\n' || p == NULL)
			continue;
		v = v << 6 | (unsigned)(p - a);
		if ((bits += 6) >= 8) {
			bits -= 8;
			*o++ = (char)(v >> bits & 0xff);
		}
	}
	*o = '\0';
	return out;
}

/* The decoded body of the part with content type ct. */
static char *
part(const char *msg, const char *ct)
{
	const char *p = strstr(msg, ct), *body, *end;

	assert_non_null(p);
	assert_non_null(body = strstr(p, "\r\n\r\n"));
	body += 4;
	assert_non_null(end = strstr(body, "\r\n--spend-"));
	return unb64(body, end);
}

static void
open_host(struct mock_host *mh)
{
	mh_init(mh);
	mh->quiet = 1;
	mh->plugin.name = "email";
	mh->config = conf;
	mh->api.mail_send = fake_send;
	mh->api.delivery_done = fake_done;
	assert_int_equal(mh_load(mh, spend_plugin_init), 0);
	assert_int_equal(mh->nnotifiers, 1);
	free(seen.message);
	memset(&seen, 0, sizeof(seen));
}

static void
test_mail(void **state)
{
	struct mock_host mh;
	struct spend_event ev = { .type = SPEND_EVENT_OUTBOX, .user = "alice",
		.kind = "alert", .id = 42, .target = "alice@example.com",
		.attempt = 1, .created_at = "2026-12-05T07:00:00.000Z",
		.json = "{\"id\":42,\"kind\":\"alert\",\"user\":\"alice\","
		    "\"data\":{\"message\":\"Café <b>&</b> co is at 80% of "
		    "its budget\\nsecond line\",\"category\":\"café\","
		    "\"percent\":80}}" };
	char *text, *html, *s;
	const char *line;

	(void)state;
	open_host(&mh);
	assert_int_equal(mh.notifiers[0]->target, SPEND_TARGET_EMAIL);
	mh.notifiers[0]->deliver(&mh.plugin, &ev, (struct spend_delivery *)&seen);
	assert_string_equal(seen.server, "smtp://mail.example.com:587");
	assert_string_equal(seen.from, "spend@example.com");
	assert_string_equal(seen.to, "alice@example.com");
	assert_string_equal(seen.user, "spend");
	assert_string_equal(seen.pass, "secret");
	assert_int_equal(seen.starttls, 2);	/* required by default */
	s = seen.message;
	assert_non_null(strstr(s, "From: Spend <spend@example.com>\r\n"));
	assert_non_null(strstr(s, "To: <alice@example.com>\r\n"));
	/* the same Message-ID on every attempt */
	assert_non_null(strstr(s, "Message-ID: <spend-event-42@example.com>\r\n"));
	assert_non_null(strstr(s, "MIME-Version: 1.0\r\n"));
	assert_non_null(strstr(s, "Auto-Submitted: auto-generated\r\n"));
	assert_non_null(strstr(s, "Content-Type: multipart/alternative; "
	    "boundary=\"spend-42-1-"));
	/* a non-ASCII subject: encoded words (first line only), folded */
	assert_non_null(strstr(s, "Subject: =?UTF-8?B?"));
	assert_null(strstr(s, "second line\r\nDate"));
	/* CRLF only, no line over 78 bytes */
	for (line = s; *line; ) {
		const char *e = strstr(line, "\r\n");

		assert_non_null(e);
		assert_true(e - line <= 78);
		assert_null(memchr(line, '\n', (size_t)(e - line)));
		line = e + 2;
	}
	text = part(s, "text/plain; charset=utf-8");
	html = part(s, "text/html; charset=utf-8");
	assert_non_null(strstr(text, "Café <b>&</b> co is at 80% of its "
	    "budget\r\nsecond line\r\n"));
	assert_non_null(strstr(text, "category: café\r\n"));
	assert_non_null(strstr(text, "percent: 80\r\n"));
	/* HTML: the event's text escaped, never markup */
	assert_non_null(strstr(html, "Café &lt;b&gt;&amp;&lt;/b&gt; co"));
	assert_null(strstr(html, "<b>"));
	assert_non_null(strstr(html, "<th align=\"left\">category</th>"
	    "<td>café</td>"));
	free(text);
	free(html);

	/* the outcome: accepted, a refused mailbox, a server away */
	struct spend_transfer t = { .ok = 1, .status = 250, .error = "" };

	seen.done(seen.arg, &t);
	assert_int_equal(seen.result, SPEND_DELIVERED);
	mh.notifiers[0]->deliver(&mh.plugin, &ev, (struct spend_delivery *)&seen);
	t.ok = 0;
	t.status = 550;
	t.error = "Recipient rejected";
	seen.done(seen.arg, &t);
	assert_int_equal(seen.result, SPEND_DELIVERY_FAILED);
	mh.notifiers[0]->deliver(&mh.plugin, &ev, (struct spend_delivery *)&seen);
	t.status = 0;
	t.error = "Couldn't connect to server";
	seen.done(seen.arg, &t);
	assert_int_equal(seen.result, SPEND_DELIVERY_RETRY);
	free(seen.message);
	seen.message = NULL;
	mh_free(&mh);
}

static void
test_config(void **state)
{
	static const char *const no_server[] = { "from", "a@b.c", NULL };
	static const char *const bad_from[] = { "server", "smtp://x",
	    "from", "Spend <a@b.c>", NULL };
	static const char *const bad_tls[] = { "server", "smtp://x",
	    "from", "a@b.c", "starttls", "maybe", NULL };
	static const char *const bad_scheme[] = { "server", "http://x",
	    "from", "a@b.c", NULL };
	struct mock_host mh;

	(void)state;
	/* no server: loaded, but no channel */
	mh_init(&mh);
	mh.quiet = 1;
	mh.config = no_server;
	assert_int_equal(mh_load(&mh, spend_plugin_init), 0);
	assert_int_equal(mh.nnotifiers, 0);
	mh_free(&mh);
	mh_init(&mh);
	mh.quiet = 1;
	mh.config = bad_from;
	assert_int_equal(mh_load(&mh, spend_plugin_init), -1);
	mh_free(&mh);
	mh_init(&mh);
	mh.quiet = 1;
	mh.config = bad_tls;
	assert_int_equal(mh_load(&mh, spend_plugin_init), -1);
	mh_free(&mh);
	mh_init(&mh);
	mh.quiet = 1;
	mh.config = bad_scheme;
	assert_int_equal(mh_load(&mh, spend_plugin_init), -1);
	mh_free(&mh);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mail),
		cmocka_unit_test(test_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
