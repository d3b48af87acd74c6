/* webhook notifier against the mock host: the request it makes and its
 * Spend-Signature (Stripe's format: t=TIMESTAMP,v1=HEX of HMAC-SHA-256
 * over "TIMESTAMP.BODY"), checked against libsodium directly; and the
 * host's hmac_sha256 against RFC 4231. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sodium.h>

#include "mock_host.h"
#include "notify.h"
#include "../../plugins/webhook/webhook.c"

#define BODY "{\"id\":7,\"kind\":\"alert\",\"user\":\"alice\"," \
	"\"created_at\":\"2026-12-05T07:00:00.000Z\",\"data\":{}}"
#define SECRET "whsec_0123456789abcdef"

static struct {
	char url[256], method[16], body[512];
	char headers[8][160];
	int nheaders;
	spend_transfer_fn done;
	void *arg;
	int results;
	enum spend_delivery_result result;
	char error[256];
} seen;

static int
fake_request(struct spend_plugin *self, const struct spend_http_request *rq,
    spend_transfer_fn done, void *arg, char *errbuf, size_t errlen)
{
	(void)self;
	snprintf(seen.url, sizeof(seen.url), "%s", rq->url);
	snprintf(seen.method, sizeof(seen.method), "%s", rq->method);
	snprintf(seen.body, sizeof(seen.body), "%.*s", (int)rq->body_len,
	    (const char *)rq->body);
	seen.nheaders = 0;
	for (const char *const *h = rq->headers; h && *h && seen.nheaders < 8;
	    h++)
		snprintf(seen.headers[seen.nheaders++], 160, "%s", *h);
	if (strstr(rq->url, "refused")) {
		snprintf(errbuf, errlen, "not allowed ([notify] webhook_allow)");
		return -1;
	}
	seen.done = done;
	seen.arg = arg;
	return 0;
}

static void
fake_done(struct spend_delivery *d, enum spend_delivery_result r,
    const char *error)
{
	(void)d;
	seen.results++;
	seen.result = r;
	snprintf(seen.error, sizeof(seen.error), "%s", error ? error : "");
}

static const char *
header(const char *name)
{
	size_t n = strlen(name);

	for (int i = 0; i < seen.nheaders; i++)
		if (strncmp(seen.headers[i], name, n) == 0 &&
		    seen.headers[i][n] == ':')
			return seen.headers[i] + n + 2;
	return NULL;
}

static void
open_host(struct mock_host *mh)
{
	mh_init(mh);
	mh->quiet = 1;
	mh->plugin.name = "webhook";
	mh->api.hmac_sha256 = notify_api_hmac_sha256;
	mh->api.http_request = fake_request;
	mh->api.delivery_done = fake_done;
	assert_int_equal(mh_load(mh, spend_plugin_init), 0);
	assert_int_equal(mh->nnotifiers, 1);
	memset(&seen, 0, sizeof(seen));
}

static void
deliver_one(struct mock_host *mh, const char *url)
{
	struct spend_event ev = { .type = SPEND_EVENT_OUTBOX, .user = "alice",
		.json = BODY, .kind = "alert", .id = 7, .target = url,
		.secret = SECRET, .attempt = 2, .max_attempts = 5,
		.created_at = "2026-12-05T07:00:00.000Z" };

	mh->notifiers[0]->deliver(&mh->plugin, &ev,
	    (struct spend_delivery *)&seen);
}

static void
test_hmac_rfc4231(void **state)
{
	/* RFC 4231 test case 2 */
	unsigned char mac[32];
	char hex[65];

	(void)state;
	notify_api_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28,
	    mac);
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843");
}

static void
test_signature(void **state)
{
	struct mock_host mh;
	const char *sig;
	long long t;
	char v1[65], msg[600], want[65];
	unsigned char mac[32];
	time_t now = time(NULL);

	(void)state;
	assert_int_equal(sodium_init() >= 0, 1);
	open_host(&mh);
	assert_string_equal(mh.notifiers[0]->name, "webhook");
	assert_int_equal(mh.notifiers[0]->target, SPEND_TARGET_URL);
	assert_true(mh.notifiers[0]->flags & SPEND_NOTIFY_SECRET);
	deliver_one(&mh, "https://hooks.example.com/in");
	assert_string_equal(seen.method, "POST");
	assert_string_equal(seen.url, "https://hooks.example.com/in");
	assert_string_equal(seen.body, BODY);
	assert_string_equal(header("Content-Type"), "application/json");
	assert_string_equal(header("Spend-Event-Id"), "7");
	assert_string_equal(header("Spend-Event-Kind"), "alert");
	assert_string_equal(header("Spend-Delivery-Attempt"), "2");
	/* t=DIGITS,v1=64 lower-case hex digits, nothing else */
	assert_non_null(sig = header("Spend-Signature"));
	assert_int_equal(sscanf(sig, "t=%lld,v1=%64[0-9a-f]", &t, v1), 2);
	assert_int_equal(strlen(v1), 64);
	assert_int_equal(strlen(sig), strlen("t=,v1=") + 64 +
	    (size_t)snprintf(NULL, 0, "%lld", t));
	assert_true(t >= (long long)now - 5 && t <= (long long)now + 5);
	/* v1 = HMAC-SHA-256(secret, "t.body"), computed here with libsodium */
	snprintf(msg, sizeof(msg), "%lld.%s", t, BODY);
	{
		crypto_auth_hmacsha256_state s;

		crypto_auth_hmacsha256_init(&s, (const unsigned char *)SECRET,
		    strlen(SECRET));
		crypto_auth_hmacsha256_update(&s, (const unsigned char *)msg,
		    strlen(msg));
		crypto_auth_hmacsha256_final(&s, mac);
	}
	sodium_bin2hex(want, sizeof(want), mac, sizeof(mac));
	assert_string_equal(v1, want);
	/* the same helper, fixed time: another body or secret, another v1 */
	{
		char a[SIGNATURE_MAX], b[SIGNATURE_MAX], c[SIGNATURE_MAX];

		assert_int_equal(webhook_signature(&mh.api, SECRET, 1733389200,
		    BODY, strlen(BODY), a, sizeof(a)), 0);
		assert_int_equal(webhook_signature(&mh.api, SECRET "x",
		    1733389200, BODY, strlen(BODY), b, sizeof(b)), 0);
		assert_int_equal(webhook_signature(&mh.api, SECRET, 1733389200,
		    "{}", 2, c, sizeof(c)), 0);
		assert_memory_equal(a, "t=1733389200,v1=", 16);
		assert_string_not_equal(a, b);
		assert_string_not_equal(a, c);
	}
	{	/* answer the request (the plugin frees its state then) */
		struct spend_transfer ok = { .ok = 1, .status = 200,
			.error = "", .body = "", .body_len = 0 };

		seen.done(seen.arg, &ok);
		assert_int_equal(seen.result, SPEND_DELIVERED);
	}
	mh_free(&mh);
}

static void
test_outcomes(void **state)
{
	struct mock_host mh;
	struct spend_transfer t = { .ok = 1, .status = 204, .error = "",
		.body = "", .body_len = 0 };

	(void)state;
	open_host(&mh);
	deliver_one(&mh, "https://hooks.example.com/in");
	assert_int_equal(seen.results, 0);	/* answered later */
	seen.done(seen.arg, &t);
	assert_int_equal(seen.results, 1);
	assert_int_equal(seen.result, SPEND_DELIVERED);

	deliver_one(&mh, "https://hooks.example.com/in");
	t.status = 503;
	t.body = "try later\n";
	t.body_len = 10;
	seen.done(seen.arg, &t);
	assert_int_equal(seen.result, SPEND_DELIVERY_RETRY);
	assert_string_equal(seen.error, "HTTP 503: try later");

	deliver_one(&mh, "https://hooks.example.com/in");
	t.status = 302;
	t.body_len = 0;
	seen.done(seen.arg, &t);
	assert_int_equal(seen.result, SPEND_DELIVERY_RETRY);
	assert_non_null(strstr(seen.error, "redirects are not followed"));

	deliver_one(&mh, "https://hooks.example.com/in");
	t.status = 410;
	seen.done(seen.arg, &t);
	assert_int_equal(seen.result, SPEND_DELIVERY_FAILED);

	deliver_one(&mh, "https://hooks.example.com/in");
	t.ok = 0;
	t.status = 0;
	t.error = "Connection refused";
	seen.done(seen.arg, &t);
	assert_int_equal(seen.result, SPEND_DELIVERY_RETRY);
	assert_string_equal(seen.error, "Connection refused");

	/* a URL the host refuses fails at once, for good */
	seen.results = 0;
	deliver_one(&mh, "https://refused.example.com/");
	assert_int_equal(seen.results, 1);
	assert_int_equal(seen.result, SPEND_DELIVERY_FAILED);
	mh_free(&mh);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmac_rfc4231),
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_outcomes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
