/*
 * rpc: one JSON-RPC 2.0 call on spendd's control socket, for the regress
 * tests (tests/regress/lib.sh's rpc):
 *
 *   rpc SOCKET METHOD [PARAMS-JSON]
 *
 * Sends {"jsonrpc":"2.0","id":1,"method":METHOD,"params":PARAMS} (PARAMS
 * default {}) as one line and prints spendd's reply line as it came.
 * Exit 0 once a reply was printed (whatever it says), 2 on a usage,
 * connection or protocol problem.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int
fail(const char *what)
{
	fprintf(stderr, "rpc: %s%s%s\n", what, errno ? ": " : "",
	    errno ? strerror(errno) : "");
	return 2;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	json_error_t jerr;
	json_t *params, *req;
	char *line, *buf = NULL;
	size_t len, off, cap = 0, used = 0;
	ssize_t n;
	int fd;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: rpc SOCKET METHOD [PARAMS-JSON]\n");
		return 2;
	}
	params = json_loads(argc == 4 ? argv[3] : "{}", JSON_DECODE_ANY, &jerr);
	if (params == NULL) {
		fprintf(stderr, "rpc: params are not JSON: %s\n", jerr.text);
		return 2;
	}
	req = json_pack("{s:s, s:i, s:s, s:o}", "jsonrpc", "2.0", "id", 1,
	    "method", argv[2], "params", params);
	if (req == NULL || (line = json_dumps(req, JSON_COMPACT)) == NULL)
		return fail("out of memory");
	len = strlen(line);
	line[len] = '\n';	/* json_dumps leaves room for the NUL only */

	if (strlen(argv[1]) >= sizeof(sun.sun_path)) {
		errno = 0;
		return fail("socket path too long");
	}
	strcpy(sun.sun_path, argv[1]);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return fail("socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		return fail(argv[1]);
	for (off = 0; off < len + 1; off += (size_t)n)
		if ((n = write(fd, line + off, len + 1 - off)) < 0) {
			if (errno == EINTR) {
				n = 0;
				continue;
			}
			return fail("write");
		}
	for (;;) {
		if (cap - used < 65536) {
			cap = cap ? cap * 2 : 65536 * 2;
			if ((buf = realloc(buf, cap)) == NULL)
				return fail("out of memory");
		}
		n = read(fd, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail("read");
		if (n == 0)
			break;
		used += (size_t)n;
		if (buf[used - 1] == '\n')
			break;
	}
	close(fd);
	while (used > 0 && (buf[used - 1] == '\n' || buf[used - 1] == '\r'))
		used--;
	if (used == 0) {
		errno = 0;
		return fail("no reply");
	}
	fwrite(buf, 1, used, stdout);
	putchar('\n');
	return fflush(stdout) == 0 ? 0 : 2;
}
