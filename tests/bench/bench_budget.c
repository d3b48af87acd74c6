/*
 * bench_budget: time one JSON-RPC method over spendd's Unix socket, one
 * request at a time, so the figures are spendd's and not a script's.
 *
 *   bench_budget call SOCK COUNT METHOD PARAMS
 *	COUNT calls of METHOD with PARAMS (a JSON object); any reply with
 *	an "error" fails the run.
 *	Prints: n N p50_ms X p99_ms Y max_ms Z
 *   bench_budget usd SOCK USER N
 *	N expenses in USD (2024-2025, categories as bench_socket's) in
 *	JSON-RPC batches of 500.
 *	Prints: rows N errors E
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const cats[] = { "bills", "entertainment", "food",
    "health", "other", "shopping", "transport" };

static int fd = -1;
static char *buf;
static size_t len, size;

static void
die(const char *what)
{
	fprintf(stderr, "bench_budget: %s\n", what);
	exit(1);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
conn(const char *path)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		die("socket path too long");
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		die(strerror(errno));
	size = 1 << 20;
	if ((buf = malloc(size)) == NULL)
		die("out of memory");
}

static void
put(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("write failed");
		p += w;
		n -= (size_t)w;
	}
}

/* One reply line, NUL-terminated in buf (the next call drops it). */
static char *
line(void)
{
	static size_t used;
	size_t scanned = 0;

	if (used) {
		len -= used;
		memmove(buf, buf + used, len);
		used = 0;
	}
	for (;;) {
		char *nl = memchr(buf + scanned, '\n', len - scanned);
		ssize_t n;

		if (nl) {
			*nl = '\0';
			used = (size_t)(nl - buf) + 1;
			return buf;
		}
		scanned = len;
		if (size - len < 65536 && (buf = realloc(buf, size *= 2)) ==
		    NULL)
			die("out of memory");
		if ((n = read(fd, buf + len, size - len)) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("spendd closed the connection");
		len += (size_t)n;
	}
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
call(const char *sock, long count, const char *method, const char *params)
{
	double *lat = calloc((size_t)count, sizeof(double));
	char *req;
	int n;

	if (lat == NULL || (req = malloc(strlen(params) + 256)) == NULL)
		die("out of memory");
	conn(sock);
	for (long i = 0; i < count; i++) {
		double t0;
		const char *r;

		n = sprintf(req, "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":"
		    "\"%s\",\"params\":%s}\n", i, method, params);
		t0 = now();
		put(req, (size_t)n);
		r = line();
		lat[i] = (now() - t0) * 1000;
		if (strstr(r, "\"error\":") != NULL) {
			fprintf(stderr, "bench_budget: %.300s\n", r);
			return 1;
		}
	}
	qsort(lat, (size_t)count, sizeof(double), cmp);
	printf("n %ld p50_ms %.3f p99_ms %.3f max_ms %.3f\n", count,
	    lat[(count - 1) / 2], lat[(count * 99 + 99) / 100 - 1],
	    lat[count - 1]);
	return 0;
}

static int
usd(const char *sock, const char *user, long n)
{
	size_t cap = 500 * 256;
	char *req = malloc(cap);
	long errors = 0;

	if (req == NULL)
		die("out of memory");
	conn(sock);
	for (long i = 0; i < n; i += 500) {
		size_t l = 0;

		req[l++] = '[';
		for (long k = i; k < i + 500 && k < n; k++) {
			uint64_t h = (uint64_t)k * 0x9e3779b97f4a7c15ULL;

			l += (size_t)snprintf(req + l, cap - l, "%s{\"jsonrpc\":"
			    "\"2.0\",\"id\":%ld,\"method\":\"expense.add\","
			    "\"params\":{\"user\":\"%s\",\"amount\":\"%u.%02u\","
			    "\"currency\":\"USD\",\"category\":\"%s\",\"date\":"
			    "\"%d-%02d-%02d\"}}", k > i ? "," : "", k, user,
			    (unsigned)(h >> 40) % 200 + 1,
			    (unsigned)(h >> 20) % 100, cats[(h >> 8) % 7],
			    2024 + (int)(k / 12 % 2), (int)(k % 12) + 1,
			    (int)((h >> 32) % 28) + 1);
		}
		req[l++] = ']';
		req[l++] = '\n';
		put(req, l);
		for (const char *p = line(); (p = strstr(p, "\"error\":")) !=
		    NULL; p++)
			errors++;
	}
	printf("rows %ld errors %ld\n", n, errors);
	return errors != 0;
}

int
main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "call") == 0 && atol(argv[3]) > 0)
		return call(argv[2], atol(argv[3]), argv[4], argv[5]);
	if (argc == 5 && strcmp(argv[1], "usd") == 0 && atol(argv[4]) > 0)
		return usd(argv[2], argv[3], atol(argv[4]));
	fprintf(stderr, "usage: bench_budget call SOCK COUNT METHOD PARAMS\n"
	    "       bench_budget usd SOCK USER N\n");
	return 2;
}
