/* netaddr.c, http_client_address (X-Forwarded-For), the rate limiter's
 * address keys and [http] trusted_proxies. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "config.h"
#include "http.h"
#include "netaddr.h"
#include "ratelimit.h"

static const char *
fmt(const char *s)
{
	static char out[NETADDR_STRLEN];
	struct netaddr a;

	if (netaddr_parse(s, strlen(s), &a) < 0)
		return "bad";
	netaddr_format(&a, out, sizeof(out));
	return out;
}

static void
test_parse(void **state)
{
	struct netaddr a;

	(void)state;
	assert_string_equal(fmt("192.0.2.7"), "192.0.2.7");
	assert_string_equal(fmt("::ffff:192.0.2.7"), "192.0.2.7");
	assert_string_equal(fmt("2001:DB8:0:0::1"), "2001:db8::1");
	assert_string_equal(fmt("::1"), "::1");
	assert_true(netaddr_parse("10.0.0.1", 8, &a) == 0 && netaddr_is_v4(&a));
	assert_true(netaddr_parse("::1", 3, &a) == 0 && !netaddr_is_v4(&a));
	/* only the given length counts */
	assert_int_equal(netaddr_parse("10.0.0.1, 10.0.0.2", 8, &a), 0);
	static const char *const bad[] = { "", " 1.2.3.4", "1.2.3.4 ",
	    "1.2.3", "1.2.3.256", "01.2.3.4", "1.2.3.4:80", "[::1]",
	    "fe80::1%eth0", "unknown", "::g", "1.2.3.4/32",
	    "1111:2222:3333:4444:5555:6666:7777:8888:9999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (netaddr_parse(bad[i], strlen(bad[i]), &a) == 0)
			fail_msg("\"%s\" parsed as an address", bad[i]);
}

static bool
in(const char *prefix, const char *addr)
{
	struct netaddr_prefix p;
	struct netaddr a;

	if (netaddr_prefix_parse(prefix, &p) < 0)
		fail_msg("prefix \"%s\" refused", prefix);
	if (netaddr_parse(addr, strlen(addr), &a) < 0)
		fail_msg("address \"%s\" refused", addr);
	return netaddr_prefix_match(&p, 1, &a);
}

static void
test_cidr(void **state)
{
	struct netaddr_prefix p;

	(void)state;
	assert_true(in("127.0.0.1", "127.0.0.1"));
	assert_false(in("127.0.0.1", "127.0.0.2"));
	/* a dual-stack socket's mapped peer is the IPv4 address */
	assert_true(in("127.0.0.1", "::ffff:127.0.0.1"));
	assert_true(in("10.0.0.0/8", "10.255.1.2"));
	assert_false(in("10.0.0.0/8", "11.0.0.1"));
	assert_true(in("10.1.2.3/8", "10.9.9.9"));	/* host bits ignored */
	assert_true(in("192.168.4.0/22", "192.168.7.255"));
	assert_false(in("192.168.4.0/22", "192.168.8.0"));
	assert_true(in("192.0.2.1/31", "192.0.2.0"));
	assert_false(in("192.0.2.1/32", "192.0.2.0"));
	/* an IPv4 /0 is all IPv4, not all IPv6 */
	assert_true(in("0.0.0.0/0", "203.0.113.9"));
	assert_false(in("0.0.0.0/0", "2001:db8::1"));
	assert_true(in("::/0", "2001:db8::1"));
	assert_true(in("::/0", "203.0.113.9"));
	assert_true(in("fd00::/8", "fd12:3456::1"));
	assert_false(in("fd00::/8", "fe80::1"));
	assert_true(in("2001:db8:1:2::/64", "2001:db8:1:2:ffff::1"));
	assert_false(in("2001:db8:1:2::/64", "2001:db8:1:3::1"));
	assert_true(in("2001:db8::/33", "2001:db8:7fff::1"));
	assert_false(in("2001:db8::/33", "2001:db8:8000::1"));
	assert_true(in("::1", "::1"));
	assert_false(in("::1", "127.0.0.1"));
	static const char *const bad[] = { "", "/8", "10.0.0.0/", "10.0.0.0/33",
	    "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/08", "10.0.0.0/8x",
	    "::/129", "::/1280", "10.0.0.0/8/8", "10.0.0.0.0/8", "host/8",
	    "localhost" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (netaddr_prefix_parse(bad[i], &p) == 0)
			fail_msg("\"%s\" parsed as a prefix", bad[i]);
}

static struct netaddr_prefix tp[4];
static size_t ntp;

static void
trust(const char *list)
{
	struct spend_err err;

	if (netaddr_prefix_list_parse("trusted_proxies", list, tp, 4, &ntp, &err) < 0)
		fail_msg("%s: %s", list, err.msg);
}

static const char *
client(const char *peer, const char *xff)
{
	static char out[64];

	memset(out, 'x', sizeof(out));
	http_client_address(tp, ntp, peer, xff, out, sizeof(out));
	return out;
}

static void
test_forwarded_for(void **state)
{
	(void)state;
	/* nobody trusted: the header is nothing */
	trust("");
	assert_int_equal(ntp, 0);
	assert_string_equal(client("127.0.0.1", "203.0.113.7"), "127.0.0.1");

	trust("127.0.0.1 10.0.0.0/8 fd00::/8");
	assert_int_equal(ntp, 3);
	/* an untrusted peer's header is ignored, however it looks */
	assert_string_equal(client("192.0.2.1", "203.0.113.7"), "192.0.2.1");
	assert_string_equal(client("192.0.2.1", "10.0.0.1"), "192.0.2.1");
	assert_string_equal(client("192.0.2.1", "garbage"), "192.0.2.1");
	/* a trusted peer without the header is the client */
	assert_string_equal(client("127.0.0.1", NULL), "127.0.0.1");
	/* one hop */
	assert_string_equal(client("127.0.0.1", "203.0.113.7"), "203.0.113.7");
	assert_string_equal(client("::ffff:127.0.0.1", "203.0.113.7"),
	    "203.0.113.7");
	assert_string_equal(client("127.0.0.1", " 2001:DB8::7 "),
	    "2001:db8::7");
	assert_string_equal(client("127.0.0.1", "::ffff:203.0.113.7"),
	    "203.0.113.7");
	/* the client's own claims are left of what our proxy appended */
	assert_string_equal(client("127.0.0.1", "1.2.3.4, 203.0.113.7"),
	    "203.0.113.7");
	assert_string_equal(client("127.0.0.1", "1.2.3.4,203.0.113.7"),
	    "203.0.113.7");
	/* and need not even be addresses: that part is never read */
	assert_string_equal(client("127.0.0.1", "evil, , 203.0.113.7"),
	    "203.0.113.7");
	/* our proxies are skipped from the right */
	assert_string_equal(client("127.0.0.1",
	    "1.2.3.4, 203.0.113.7, 10.1.1.1, fd00::5"), "203.0.113.7");
	/* all ours: the left-most */
	assert_string_equal(client("10.0.0.2", "10.9.9.9, 10.0.0.1"),
	    "10.9.9.9");
	assert_string_equal(client("127.0.0.1", "127.0.0.1"), "127.0.0.1");
	/* a malformed entry where we read: the peer */
	assert_string_equal(client("127.0.0.1", "unknown"), "127.0.0.1");
	assert_string_equal(client("127.0.0.1", ""), "127.0.0.1");
	assert_string_equal(client("127.0.0.1", "203.0.113.7,"), "127.0.0.1");
	assert_string_equal(client("127.0.0.1", "203.0.113.7:4711"),
	    "127.0.0.1");
	assert_string_equal(client("127.0.0.1", "[2001:db8::7]"), "127.0.0.1");
	assert_string_equal(client("127.0.0.1", "203.0.113.7, 10.0.0.1 x"),
	    "127.0.0.1");
	/* a peer that is no address (a zone) is not trusted */
	trust("fe80::/10");
	assert_string_equal(client("fe80::1%eth0", "203.0.113.7"),
	    "fe80::1%eth0");
	assert_string_equal(client("fe80::1", "203.0.113.7"), "203.0.113.7");
}

static const char *
key(const char *addr)
{
	static char out[80];

	ratelimit_addr_key(out, sizeof(out), "a", addr);
	return out;
}

static void
test_addr_keys(void **state)
{
	(void)state;
	assert_string_equal(key("192.0.2.7"), "a:192.0.2.7");
	assert_string_equal(key("::ffff:192.0.2.7"), "a:192.0.2.7");
	assert_string_equal(key("::FFFF:192.0.2.7"), "a:192.0.2.7");
	assert_string_equal(key("2001:db8:1:2:3:4:5:6"), "a:2001:db8:1:2::/64");
	assert_string_equal(key("2001:DB8:1:2::ffff"), "a:2001:db8:1:2::/64");
	assert_string_equal(key("2001:db8:1:3::1"), "a:2001:db8:1:3::/64");
	assert_string_equal(key("::1"), "a:::/64");
	assert_string_equal(key("uid 1000"), "a:uid 1000");
	assert_string_equal(key("?"), "a:?");

	/* so one /64 shares one bucket, the next /64 has its own */
	struct ratelimit *rl = ratelimit_new(2, 60000);
	char k[80];

	assert_non_null(rl);
	ratelimit_addr_key(k, sizeof(k), "a", "2001:db8:1:2::1");
	ratelimit_hit(rl, k, 0);
	ratelimit_addr_key(k, sizeof(k), "a", "2001:db8:1:2::2");
	ratelimit_hit(rl, k, 0);
	ratelimit_addr_key(k, sizeof(k), "a", "2001:db8:1:2:aaaa::3");
	assert_true(ratelimit_blocked(rl, k, 0, NULL));
	ratelimit_addr_key(k, sizeof(k), "a", "2001:db8:1:3::1");
	assert_false(ratelimit_blocked(rl, k, 0, NULL));
	ratelimit_free(rl);
}

static char path[64];

static int
teardown(void **state)
{
	(void)state;
	if (path[0])
		unlink(path);
	path[0] = '\0';
	return 0;
}

static int
load(struct config *c, const char *text, struct spend_err *err)
{
	int fd;

	strlcpy(path, "/tmp/spend-test-proxy.XXXXXX", sizeof(path));
	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	config_defaults(c);
	return config_load(c, path, NULL, 0, err);
}

static void
test_config(void **state)
{
	struct config c;
	struct spend_err err;
	char want[128];

	(void)state;
	config_defaults(&c);
	assert_string_equal(c.http_trusted_proxies, "");
	assert_int_equal(c.n_trusted_proxies, 0);
	assert_int_equal(load(&c, "[http]\ntrusted_proxies = 127.0.0.1 "
	    " ::1\t10.0.0.0/8\n", &err), 0);
	assert_int_equal(c.n_trusted_proxies, 3);
	assert_string_equal(c.http_trusted_proxies, "127.0.0.1  ::1\t10.0.0.0/8");
	config_free(&c);
	unlink(path);

	/* a bad entry is an error at its line, naming it */
	assert_int_equal(load(&c, "[http]\nlisten = 127.0.0.1:1\n"
	    "trusted_proxies = 127.0.0.1 10.0.0.0/33 ::1\n", &err), SPEND_EINVAL);
	snprintf(want, sizeof(want), "%s:3: trusted_proxies: \"10.0.0.0/33\" "
	    "is not an IPv4 or IPv6 address or CIDR prefix", path);
	if (strstr(err.msg, want) == NULL)
		fail_msg("got \"%s\", want \"%s\"", err.msg, want);
	assert_string_equal(err.field, "trusted_proxies");
	config_free(&c);
	unlink(path);

	/* config_set (-o) leaves the old list on an error */
	config_defaults(&c);
	assert_int_equal(config_set(&c, "http", "trusted_proxies", "::1", &err),
	    0);
	assert_int_equal(config_set(&c, "http", "trusted_proxies",
	    "proxy.example.org", &err), SPEND_EINVAL);
	assert_non_null(strstr(err.msg, "\"proxy.example.org\""));
	assert_string_equal(c.http_trusted_proxies, "::1");
	assert_int_equal(c.n_trusted_proxies, 1);
	assert_int_equal(config_set(&c, "http", "trusted_proxies", "", &err), 0);
	assert_int_equal(c.n_trusted_proxies, 0);
	/* bounded */
	char many[1024] = "";
	for (int i = 0; i <= CONFIG_MAX_PROXIES; i++) {
		char one[24];

		snprintf(one, sizeof(one), "10.0.%d.0/24 ", i);
		strlcat(many, one, sizeof(many));
	}
	assert_int_equal(config_set(&c, "http", "trusted_proxies", many, &err),
	    SPEND_EINVAL);
	assert_non_null(strstr(err.msg, "more than 32 entries"));
	config_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_forwarded_for),
		cmocka_unit_test(test_addr_keys),
		cmocka_unit_test_teardown(test_config, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
