/*
 * bench_socket: drive spendd's Unix socket as fast as one client can, so
 * the numbers measure spendd and not a scripting language.
 *
 *   bench_socket insert SOCK USER N MODE [CSV]
 *	MODE: single (one request per line, wait for each reply),
 *	pipe (one request per line, 500 in flight), batch (JSON-RPC batches
 *	of 500), items (one expense.add of 500 items per request). Writes the same rows as CSV to CSV when given.
 *	Prints: rows N seconds S errors E
 *   bench_socket fanout SOCK USER N K
 *	N single adds from K connections, one request in flight on each.
 *	Prints: rows N seconds S errors E
 *   bench_socket lat SOCK USER SECONDS [STOPFILE]
 *	One expense.add at a time, 10 ms apart, until SECONDS pass or
 *	STOPFILE exists: the latency a user sees while something else runs.
 *	Prints: n N p50_ms X p99_ms Y max_ms Z errors E
 *   bench_socket list SOCK USER KIND COUNT
 *	KIND: month, search, page (follow next_cursor), first.
 *	Prints: n N p50_ms X p99_ms Y errors E
 *   bench_socket search SOCK USER FILE
 *	expense.list (limit 50) searching each line of FILE once.
 *	Prints: n N p50_ms X p99_ms Y max_ms Z errors E found F
 *	(F: the sum of the lists' counts)
 *   bench_socket terms N EVERY
 *	The rare words of rows 0..N-1 when BENCH_RARE_EVERY=EVERY, one a
 *	line.
 *
 * Rows are a pure function of their index, so every run and every mode
 * stores the same data. With BENCH_RARE_EVERY=K in the environment, one
 * row in K (i % K == K / 2) also carries a rare word in its note
 * ("... ref qzkfbwpl"): 8 letters made from i, found in no other row of
 * the same user.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WINDOW 500

static const char *const cats[] = { "bills", "entertainment", "food",
    "health", "other", "shopping", "transport" };
static const char *const notes[] = { "coffee with Ana", "lunch", "groceries",
    "train ticket", "cinema", "rent", "pharmacy", "Café crème", "", "taxi" };
static const char *const payees[] = { "Lidl", "Aldi", "SNCF", "Café du Coin",
    "amazon", "Metro", "", "Boulangerie", "Fnac", "Total" };
static const char *const words[] = { "coffee", "lunch", "Lidl", "ticket",
    "crème" };

struct conn {
	int fd;
	char *buf;
	size_t len, size;
};

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench_socket: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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
conn_open(struct conn *c, const char *path)
{
	struct sockaddr_un sun;

	memset(c, 0, sizeof(*c));
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		die("socket path too long");
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		die("connect %s: %s", path, strerror(errno));
	c->size = 1 << 20;
	if ((c->buf = malloc(c->size)) == NULL)
		die("out of memory");
}

static void
conn_write(struct conn *c, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(c->fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("write: %s", strerror(errno));
		p += w;
		n -= (size_t)w;
	}
}

/* The next reply line (NUL-terminated in place); valid until the next
 * call. */
static char *
conn_line(struct conn *c, size_t *consumed)
{
	size_t scanned = 0;

	if (*consumed) {
		c->len -= *consumed;
		memmove(c->buf, c->buf + *consumed, c->len);
		*consumed = 0;
	}
	for (;;) {
		char *nl = memchr(c->buf + scanned, '\n', c->len - scanned);
		ssize_t n;

		if (nl) {
			*nl = '\0';
			*consumed = (size_t)(nl - c->buf) + 1;
			return c->buf;
		}
		scanned = c->len;
		if (c->size - c->len < 65536) {
			c->size *= 2;
			if ((c->buf = realloc(c->buf, c->size)) == NULL)
				die("out of memory");
		}
		n = read(c->fd, c->buf + c->len, c->size - c->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("spendd closed the connection");
		c->len += (size_t)n;
	}
}

/* Errors in a reply: occurrences of "error" as a key. */
static int
count_errors(const char *line)
{
	int n = 0;

	for (const char *p = line; (p = strstr(p, "\"error\":")) != NULL; p++)
		n++;
	return n;
}

static uint64_t
mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

struct row {
	char amount[16], date[16];
	const char *cat, *note, *payee;
	char notebuf[64];
};

static long rare_every;		/* BENCH_RARE_EVERY */

/* The rare word of row i: 8 letters. */
static void
rare_word(long i, char out[9])
{
	uint64_t h = mix((uint64_t)i ^ 0x5ca1ab1e5eedULL);

	for (int k = 0; k < 8; k++) {
		out[k] = (char)('a' + h % 26);
		h /= 26;
	}
	out[8] = '\0';
}

/* Row i: 24 months of 2024-2025, 0.01 .. 500.00 EUR. */
static void
row_make(long i, struct row *r)
{
	uint64_t h = mix((uint64_t)i);
	unsigned cents = (unsigned)(h % 50000) + 1;

	snprintf(r->amount, sizeof(r->amount), "%u.%02u", cents / 100,
	    cents % 100);
	snprintf(r->date, sizeof(r->date), "%d-%02d-%02d",
	    2024 + (int)(i / 12 % 2), (int)(i % 12) + 1,
	    (int)((h >> 20) % 28) + 1);
	r->cat = cats[(h >> 32) % 7];
	r->note = notes[(h >> 40) % 10];
	r->payee = payees[(h >> 48) % 10];
	if (rare_every > 0 && i % rare_every == rare_every / 2) {
		char w[9];

		rare_word(i, w);
		snprintf(r->notebuf, sizeof(r->notebuf), "%s%sref %s", r->note,
		    r->note[0] ? " " : "", w);
		r->note = r->notebuf;
	}
}

static int
row_json(char *buf, size_t size, long id, const char *user, const struct row *r)
{
	return snprintf(buf, size, "{\"jsonrpc\":\"2.0\",\"id\":%ld,"
	    "\"method\":\"expense.add\",\"params\":{\"user\":\"%s\","
	    "\"amount\":\"%s\",\"category\":\"%s\",\"date\":\"%s\","
	    "\"note\":\"%s\",\"payee\":\"%s\"}}", id, user, r->amount, r->cat,
	    r->date, r->note, r->payee);
}

/* The row as one of expense.add's items. */
static int
row_item(char *buf, size_t size, const struct row *r)
{
	return snprintf(buf, size, "{\"amount\":\"%s\",\"category\":\"%s\","
	    "\"date\":\"%s\",\"note\":\"%s\",\"payee\":\"%s\"}",
	    r->amount, r->cat, r->date, r->note, r->payee);
}

static int
cmd_insert(const char *sock, const char *user, long n, const char *mode,
    const char *csv)
{
	struct conn c;
	FILE *out = NULL;
	size_t cap = (size_t)WINDOW * 512, len = 0, used = 0;
	char *req = malloc(cap);
	long errors = 0, i = 0;
	double t0, t1;
	bool items = strcmp(mode, "items") == 0;

	if (req == NULL)
		die("out of memory");
	if (csv && (out = fopen(csv, "w")) == NULL)
		die("%s: %s", csv, strerror(errno));
	conn_open(&c, sock);
	t0 = now();
	while (i < n) {
		long k, chunk = strcmp(mode, "single") == 0 ? 1 : WINDOW;

		if (chunk > n - i)
			chunk = n - i;
		len = 0;
		if (strcmp(mode, "batch") == 0)
			req[len++] = '[';
		else if (items)
			len += (size_t)snprintf(req, cap, "{\"jsonrpc\":\"2.0\","
			    "\"id\":%ld,\"method\":\"expense.add\",\"params\":"
			    "{\"user\":\"%s\",\"items\":[", i, user);
		for (k = 0; k < chunk; k++) {
			struct row r;

			row_make(i + k, &r);
			if (out)
				fprintf(out, "\"%s\",\"EUR\",\"%s\",\"%s\",\"%s\","
				    "\"%s\"\n", r.amount, r.cat, r.date, r.note,
				    r.payee);
			if (k > 0)
				req[len++] = strcmp(mode, "batch") == 0 ||
				    items ? ',' : '\n';
			if (items)
				len += (size_t)row_item(req + len, cap - len - 4,
				    &r);
			else
				len += (size_t)row_json(req + len, cap - len - 2,
				    i + k, user, &r);
		}
		if (strcmp(mode, "batch") == 0)
			req[len++] = ']';
		else if (items) {
			memcpy(req + len, "]}}", 3);
			len += 3;
		}
		req[len++] = '\n';
		conn_write(&c, req, len);
		/* a batch has one reply line; pipelined requests one each */
		for (k = strcmp(mode, "batch") == 0 || items ? chunk - 1 : 0;
		    k < chunk;
		    k++)
			errors += count_errors(conn_line(&c, &used));
		i += chunk;
	}
	t1 = now();
	if (out && fclose(out) != 0)
		die("%s: %s", csv, strerror(errno));
	printf("rows %ld seconds %.3f errors %ld\n", n, t1 - t0, errors);
	free(req);
	free(c.buf);
	close(c.fd);
	return errors != 0;
}

/* N adds from K clients (connections), each with one request in flight:
 * single adds from many users at once, as a server sees them. */
static int
cmd_fanout(const char *sock, const char *user, long n, int k)
{
	struct conn *c = calloc((size_t)k, sizeof(*c));
	struct pollfd *pf = calloc((size_t)k, sizeof(*pf));
	long sent = 0, done = 0, errors = 0;
	char req[1024];
	double t0, t1;

	if (c == NULL || pf == NULL || k < 1)
		die("out of memory");
	for (int j = 0; j < k; j++) {
		conn_open(&c[j], sock);
		pf[j].fd = c[j].fd;
		pf[j].events = POLLIN;
	}
	t0 = now();
	for (int j = 0; j < k && sent < n; j++, sent++) {
		struct row r;
		int len;

		row_make(sent, &r);
		len = row_json(req, sizeof(req) - 1, sent, user, &r);
		req[len++] = '\n';
		conn_write(&c[j], req, (size_t)len);
	}
	while (done < n) {
		if (poll(pf, (nfds_t)k, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		for (int j = 0; j < k; j++) {
			char *nl;
			ssize_t got;

			if (!(pf[j].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			got = read(c[j].fd, c[j].buf + c[j].len,
			    c[j].size - c[j].len);
			if (got <= 0)
				die("spendd closed a connection");
			c[j].len += (size_t)got;
			/* one request in flight: at most one line */
			if ((nl = memchr(c[j].buf, '\n', c[j].len)) == NULL) {
				if (c[j].len == c[j].size)
					die("a reply longer than %zu bytes",
					    c[j].size);
				continue;
			}
			*nl = '\0';
			errors += count_errors(c[j].buf);
			c[j].len = 0;
			done++;
			if (sent < n) {
				struct row r;
				int len;

				row_make(sent, &r);
				len = row_json(req, sizeof(req) - 1, sent, user,
				    &r);
				req[len++] = '\n';
				conn_write(&c[j], req, (size_t)len);
				sent++;
			}
		}
	}
	t1 = now();
	printf("rows %ld seconds %.3f errors %ld\n", n, t1 - t0, errors);
	for (int j = 0; j < k; j++) {
		free(c[j].buf);
		close(c[j].fd);
	}
	free(c);
	free(pf);
	return errors != 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
cmd_list(const char *sock, const char *user, const char *kind, long count)
{
	struct conn c;
	double *lat = calloc((size_t)count, sizeof(double));
	char req[1024], cursor[512] = "";
	long errors = 0;
	size_t used = 0;

	if (lat == NULL)
		die("out of memory");
	conn_open(&c, sock);
	for (long i = 0; i < count; i++) {
		char filter[600] = "";
		const char *line, *p;
		double t0;
		int n;

		if (strcmp(kind, "month") == 0)
			snprintf(filter, sizeof(filter), ",\"month\":\"%d-%02d\"",
			    2024 + (int)(i / 12 % 2), (int)(i % 12) + 1);
		else if (strcmp(kind, "search") == 0)
			snprintf(filter, sizeof(filter), ",\"search\":\"%s\"",
			    words[i % 5]);
		else if (strcmp(kind, "page") == 0 && cursor[0])
			snprintf(filter, sizeof(filter), ",\"cursor\":\"%s\"",
			    cursor);
		else if (strcmp(kind, "page") && strcmp(kind, "first"))
			die("unknown list kind %s", kind);
		n = snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":%ld,"
		    "\"method\":\"expense.list\",\"params\":{\"user\":\"%s\","
		    "\"limit\":50%s}}\n", i, user, filter);
		t0 = now();
		conn_write(&c, req, (size_t)n);
		line = conn_line(&c, &used);
		lat[i] = (now() - t0) * 1000;
		errors += count_errors(line);
		cursor[0] = '\0';
		if ((p = strstr(line, "\"next_cursor\":\"")) != NULL) {
			size_t k = strcspn(p + 15, "\"");

			if (k < sizeof(cursor)) {
				memcpy(cursor, p + 15, k);
				cursor[k] = '\0';
			}
		}
	}
	qsort(lat, (size_t)count, sizeof(double), cmp_double);
	printf("n %ld p50_ms %.3f p99_ms %.3f errors %ld\n", count,
	    lat[(count - 1) / 2], lat[(count * 99 + 99) / 100 - 1], errors);
	free(lat);
	free(c.buf);
	close(c.fd);
	return errors != 0;
}

/* The number after "count": in a reply, or -1. */
static long
reply_count(const char *line)
{
	const char *p = strstr(line, "\"count\":");

	if (p == NULL)
		return -1;
	p += 8;
	while (*p == ' ')
		p++;
	return strtol(p, NULL, 10);
}

static int
cmd_search(const char *sock, const char *user, const char *file)
{
	struct conn c;
	FILE *in = fopen(file, "r");
	double *lat = NULL;
	char term[256], req[1024];
	long errors = 0, found = 0, n = 0, cap = 0;
	size_t used = 0;

	if (in == NULL)
		die("%s: %s", file, strerror(errno));
	conn_open(&c, sock);
	while (fgets(term, sizeof(term), in)) {
		const char *line;
		double t0;
		long k;
		int len;

		term[strcspn(term, "\n")] = '\0';
		if (term[0] == '\0' || strpbrk(term, "\"\\"))
			continue;	/* no JSON escaping here */
		len = snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":%ld,"
		    "\"method\":\"expense.list\",\"params\":{\"user\":\"%s\","
		    "\"limit\":50,\"search\":\"%s\"}}\n", n, user, term);
		if (n == cap && (lat = realloc(lat, (size_t)(cap = cap ? cap * 2 :
		    256) * sizeof(double))) == NULL)
			die("out of memory");
		t0 = now();
		conn_write(&c, req, (size_t)len);
		line = conn_line(&c, &used);
		lat[n++] = (now() - t0) * 1000;
		errors += count_errors(line);
		if ((k = reply_count(line)) > 0)
			found += k;
	}
	fclose(in);
	if (n == 0)
		die("%s: no terms", file);
	qsort(lat, (size_t)n, sizeof(double), cmp_double);
	printf("n %ld p50_ms %.3f p99_ms %.3f max_ms %.3f errors %ld found %ld\n",
	    n, lat[(n - 1) / 2], lat[(n * 99 + 99) / 100 - 1], lat[n - 1],
	    errors, found);
	free(lat);
	free(c.buf);
	close(c.fd);
	return errors != 0;
}

static int
cmd_lat(const char *sock, const char *user, double seconds,
    const char *stopfile)
{
	struct conn c;
	size_t cap = 1 << 16, n = 0, used = 0;
	double *lat = malloc(cap * sizeof(double)), t0, start = now();
	long errors = 0;
	char req[1024];

	if (lat == NULL)
		die("out of memory");
	conn_open(&c, sock);
	while (now() - start < seconds &&
	    (stopfile == NULL || access(stopfile, F_OK) != 0)) {
		struct row r;
		struct timespec gap = { 0, 10 * 1000 * 1000 };
		int len;

		row_make((long)n, &r);
		len = row_json(req, sizeof(req) - 1, (long)n, user, &r);
		req[len++] = '\n';
		t0 = now();
		conn_write(&c, req, (size_t)len);
		errors += count_errors(conn_line(&c, &used));
		if (n == cap && (lat = realloc(lat, (cap *= 2) *
		    sizeof(double))) == NULL)
			die("out of memory");
		lat[n++] = (now() - t0) * 1000;
		nanosleep(&gap, NULL);
	}
	if (n == 0)
		die("no request made");
	qsort(lat, n, sizeof(double), cmp_double);
	printf("n %zu p50_ms %.3f p99_ms %.3f max_ms %.3f errors %ld\n", n,
	    lat[(n - 1) / 2], lat[(n * 99 + 99) / 100 - 1], lat[n - 1], errors);
	free(lat);
	free(c.buf);
	close(c.fd);
	return 0;
}

int
main(int argc, char **argv)
{
	if (getenv("BENCH_RARE_EVERY"))
		rare_every = atol(getenv("BENCH_RARE_EVERY"));
	if (argc == 4 && strcmp(argv[1], "terms") == 0 && atol(argv[3]) > 0) {
		long every = atol(argv[3]);
		char w[9];

		for (long i = every / 2; i < atol(argv[2]); i += every) {
			rare_word(i, w);
			printf("%s\n", w);
		}
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "search") == 0)
		return cmd_search(argv[2], argv[3], argv[4]);
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "lat") == 0)
		return cmd_lat(argv[2], argv[3], atof(argv[4]),
		    argc == 6 ? argv[5] : NULL);
	if (argc == 6 && strcmp(argv[1], "fanout") == 0 && atoi(argv[5]) > 0)
		return cmd_fanout(argv[2], argv[3], atol(argv[4]),
		    atoi(argv[5]));
	if (argc >= 6 && strcmp(argv[1], "insert") == 0)
		return cmd_insert(argv[2], argv[3], atol(argv[4]), argv[5],
		    argc > 6 ? argv[6] : NULL);
	if (argc == 6 && strcmp(argv[1], "list") == 0 && atol(argv[5]) > 0)
		return cmd_list(argv[2], argv[3], argv[4], atol(argv[5]));
	fprintf(stderr, "usage: bench_socket insert SOCK USER N "
	    "single|pipe|batch|items [CSV]\n"
	    "       bench_socket fanout SOCK USER N K\n"
	    "       bench_socket list SOCK USER month|search|page|first COUNT\n"
	    "       bench_socket search SOCK USER FILE\n"
	    "       bench_socket terms N EVERY\n");
	return 2;
}
