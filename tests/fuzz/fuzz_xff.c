/*
 * http_client_address (daemon/http.c): the client of a request behind
 * trusted reverse proxies, from the peer address and X-Forwarded-For. The
 * input is "FLAGS PEER\0XFF": each bit of FLAGS trusts one prefix of
 * the list below; PEER and XFF are text (without the NUL, no header).
 * The answer must be the reference reading's: an untrusted (or
 * unreadable) peer, no header or no trusted proxies give the peer; else
 * the entries from the right, spaces and tabs trimmed: the first that is
 * not a trusted proxy (or the left-most), formatted, and the peer as soon
 * as one is not an address. It always fits and is NUL-terminated.
 */
/* fuzz-sources: daemon/*.c daemon/store/*.c !daemon/main.c */
/* fuzz-libs: $(LIBS) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "log.h"
#include "netaddr.h"
#include "util.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

static const char *const prefixes[] = { "127.0.0.1", "10.0.0.0/8", "::1",
    "2001:db8::/32", "192.0.2.0/24", "0.0.0.0/0", "::/0", "fe80::/10" };
#define NPREFIX (sizeof(prefixes) / sizeof(prefixes[0]))
static struct netaddr_prefix all[NPREFIX];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init(0, 0);
	for (size_t i = 0; i < NPREFIX; i++)
		CHECK(netaddr_prefix_parse(prefixes[i], &all[i]) == 0);
	return 0;
}

static void
ref(const struct netaddr_prefix *tp, size_t n, const char *peer, const char *xff,
    char *out, size_t size)
{
	struct netaddr a;
	size_t count = 1, i;
	const char *p;

	strlcpy(out, peer, size);
	if (xff == NULL || n == 0 || netaddr_parse(peer, strlen(peer), &a) < 0 ||
	    !netaddr_prefix_match(tp, n, &a))
		return;
	for (p = xff; *p; p++)
		count += *p == ',';
	for (i = count; i-- > 0;) {
		const char *s = xff, *e;
		size_t k;

		for (k = 0; k < i; k++)	/* the start of entry i */
			s = strchr(s, ',') + 1;
		e = strchr(s, ',') ? strchr(s, ',') : s + strlen(s);
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (netaddr_parse(s, (size_t)(e - s), &a) < 0) {
			strlcpy(out, peer, size);
			return;
		}
		if (!netaddr_prefix_match(tp, n, &a) || i == 0) {
			netaddr_format(&a, out, size);
			return;
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netaddr_prefix tp[NPREFIX];
	char *buf, got[NETADDR_STRLEN + 8], want[NETADDR_STRLEN + 8];
	const char *peer, *xff;
	size_t n = 0, psize;

	if (size < 1 || size > 4096)
		return 0;
	for (size_t i = 0; i < NPREFIX; i++)
		if (data[0] & (1u << i))
			tp[n++] = all[i];
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	peer = buf;
	xff = strlen(buf) < size - 1 ? buf + strlen(buf) + 1 : NULL;
	/* a small out buffer now and then: it must still be a string */
	psize = n == 3 ? 8 : sizeof(got);
	memset(got, 'x', sizeof(got));
	http_client_address(tp, n, peer, xff, got, psize);
	ref(tp, n, peer, xff, want, psize);
	CHECK(memchr(got, '\0', psize) != NULL);
	CHECK(strcmp(got, want) == 0);
	free(buf);
	return 0;
}
