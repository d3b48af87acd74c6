/*
 * bench_reports: the reports benchmark's loader and client (make bench:
 * tests/bench/bench-reports.sh).
 *
 *   bench_reports load DB USERS ROWS BIG_ROWS
 *	Into DB, a database spendd created (and is not running on): one
 *	user "big" with BIG_ROWS expenses over 2021..2025 (85 % EUR, the
 *	rest USD, GBP and JPY), then USERS users "uN" with ROWS each, in
 *	transactions of 100,000 rows; day_totals are kept by spendd's own
 *	triggers, as for every write. Also the ECB's rates of USD, GBP and
 *	JPY for every weekday of 1999..2025 (what importing the ECB's
 *	history gives). Prints: rows N seconds S
 *   bench_reports lat SOCK USER COUNT PARAMS
 *	report.run for USER with PARAMS, the members of its params object
 *	('"name":"summary","month":"2025-06"'), COUNT times one
 *	after another (after 12 unmeasured). Prints: n N p50_ms X p99_ms Y
 *	max_ms Z errors E bytes B
 *
 * Rows are a pure function of (user, index): every run loads the same.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 100000

static const char *const cats[] = { "bills", "entertainment", "food",
    "health", "other", "shopping", "transport", "travel" };
static const char *const payees[] = { "Lidl", "Aldi", "SNCF", "Café du Coin",
    "amazon", "Metro", "", "Boulangerie", "Fnac", "Total", "Carrefour",
    "Monoprix", "Uber", "Deliveroo", "Pharmacie", "EDF", "Orange", "Free",
    "Decathlon", "IKEA", "Leroy Merlin", "Picard", "Franprix", "BHV",
    "Darty", "Apple", "Netflix", "Spotify", "RATP", "Air France" };

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench_reports: ", stderr);
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

static uint64_t
mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* days since 1970-01-01 of y-m-d, and back */
static long
days_of(int y, int m, int d)
{
	long era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static void
date_of(long z, char out[16])
{
	long era, doe, yoe, doy, mp, y;
	int m, d;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = (int)(doy - (153 * mp + 2) / 5 + 1);
	m = (int)(mp < 10 ? mp + 3 : mp - 9);
	y = yoe + era * 400 + (m <= 2);
	snprintf(out, 16, "%04d-%02d-%02d", (int)(y % 10000), m, d);
}

static void
exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		die("%s: %s", sql, msg ? msg : "?");
}

static sqlite3_stmt *
prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		die("%s: %s", sql, sqlite3_errmsg(db));
	return s;
}

static void
step(sqlite3 *db, sqlite3_stmt *s)
{
	if (sqlite3_step(s) != SQLITE_DONE)
		die("step: %s", sqlite3_errmsg(db));
	sqlite3_reset(s);
}

struct loader {
	sqlite3 *db;
	sqlite3_stmt *user, *cat, *exp;
	long pending, rows;
	const char *now;
};

static void
commit_maybe(struct loader *l, int force)
{
	if (l->pending >= CHUNK || (force && l->pending > 0)) {
		exec(l->db, "COMMIT; BEGIN");
		l->pending = 0;
	}
}

static void
user_load(struct loader *l, const char *name, long n, uint64_t seed, int big)
{
	static const long first = 18628;	/* 2021-01-01 */
	const long span = 1826;			/* to 2025-12-31 */
	int64_t uid, cid[8];

	sqlite3_bind_text(l->user, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(l->user, 2, l->now, -1, SQLITE_STATIC);
	step(l->db, l->user);
	uid = sqlite3_last_insert_rowid(l->db);
	for (int i = 0; i < 8; i++) {
		sqlite3_bind_int64(l->cat, 1, uid);
		sqlite3_bind_text(l->cat, 2, cats[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(l->cat, 3, l->now, -1, SQLITE_STATIC);
		step(l->db, l->cat);
		cid[i] = sqlite3_last_insert_rowid(l->db);
	}
	for (long i = 0; i < n; i++) {
		uint64_t h = mix(seed * 1000003u + (uint64_t)i);
		/* in date order, as a user enters them (the index appends) */
		long day = first + i * span / n;
		unsigned pick = (unsigned)(h >> 56) % 100;
		const char *cur = !big || pick < 85 ? "EUR" : pick < 93 ?
		    "USD" : pick < 97 ? "GBP" : "JPY";
		int64_t amount = (int64_t)(h % 20000) + 1, e4;
		char date[16];

		if (strcmp(cur, "JPY") == 0) {
			amount *= 2;
			e4 = amount * 10000;
		} else
			e4 = amount * 100;
		date_of(day, date);
		sqlite3_bind_int64(l->exp, 1, uid);
		sqlite3_bind_int64(l->exp, 2, cid[(h >> 20) % 8]);
		sqlite3_bind_int64(l->exp, 3, amount);
		sqlite3_bind_int64(l->exp, 4, e4);
		sqlite3_bind_text(l->exp, 5, cur, -1, SQLITE_STATIC);
		sqlite3_bind_text(l->exp, 6, date, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(l->exp, 7, payees[(h >> 32) % 30], -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(l->exp, 8, l->now, -1, SQLITE_STATIC);
		step(l->db, l->exp);
		l->rows++;
		l->pending++;
		commit_maybe(l, 0);
	}
}

static int
cmd_load(const char *path, long users, long rows, long big)
{
	struct loader l;
	sqlite3_stmt *rate;
	double t0 = now();
	char name[32];

	memset(&l, 0, sizeof(l));
	l.now = "2026-01-01T00:00:00.000Z";
	if (sqlite3_open(path, &l.db) != SQLITE_OK)
		die("open %s: %s", path, sqlite3_errmsg(l.db));
	exec(l.db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; "
	    "PRAGMA cache_size=-262144; PRAGMA foreign_keys=OFF");
	exec(l.db, "BEGIN");
	l.user = prep(l.db, "INSERT INTO users(name, role, currency, "
	    "timezone, created_at, updated_at) VALUES (?1, 'user', 'EUR', "
	    "'UTC', ?2, ?2)");
	l.cat = prep(l.db, "INSERT INTO categories(user_id, name, created_at, "
	    "updated_at) VALUES (?1, ?2, ?3, ?3)");
	l.exp = prep(l.db, "INSERT INTO expenses(user_id, category_id, amount, "
	    "amount_e4, currency, date, payee, created_at, updated_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)");
	/* the ECB's history: weekdays, rates drifting */
	rate = prep(l.db, "INSERT OR REPLACE INTO rates(currency, date, rate, "
	    "source, updated_at) VALUES (?1, ?2, ?3, 'ecb', ?4)");
	{
		static const char *const codes[] = { "USD", "GBP", "JPY" };
		int64_t level[] = { 1100000, 850000, 140000000 };

		for (long d = days_of(1999, 1, 4); d <= days_of(2025, 12, 31);
		    d++) {
			char date[16];

			if ((d + 3) % 7 >= 5)	/* Saturday, Sunday */
				continue;
			date_of(d, date);
			for (int c = 0; c < 3; c++) {
				uint64_t h = mix((uint64_t)d * 3 + (uint64_t)c);

				level[c] += (int64_t)(h % 2001) - 1000 -
				    (level[c] - (c == 2 ? 140000000 : c == 1 ?
				    850000 : 1100000)) / 200;
				if (level[c] < 1000)
					level[c] = 1000;
				sqlite3_bind_text(rate, 1, codes[c], -1,
				    SQLITE_STATIC);
				sqlite3_bind_text(rate, 2, date, -1,
				    SQLITE_TRANSIENT);
				sqlite3_bind_int64(rate, 3, level[c]);
				sqlite3_bind_text(rate, 4, l.now, -1,
				    SQLITE_STATIC);
				step(l.db, rate);
			}
		}
	}
	sqlite3_finalize(rate);
	if (big > 0)
		user_load(&l, "big", big, 1, 1);
	for (long u = 0; u < users; u++) {
		snprintf(name, sizeof(name), "u%ld", u);
		user_load(&l, name, rows, (uint64_t)u + 2, 0);
	}
	exec(l.db, "COMMIT");
	sqlite3_finalize(l.user);
	sqlite3_finalize(l.cat);
	sqlite3_finalize(l.exp);
	exec(l.db, "PRAGMA wal_checkpoint(TRUNCATE)");
	exec(l.db, "ANALYZE");
	if (sqlite3_close(l.db) != SQLITE_OK)
		die("close: %s", sqlite3_errmsg(l.db));
	printf("rows %ld seconds %.2f\n", l.rows, now() - t0);
	return 0;
}

/* ---- the client ---- */

struct conn {
	int fd;
	char *buf;
	size_t len, size;
};

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

/* Send one line, read one reply line; its length. */
static size_t
roundtrip(struct conn *c, const char *req, int *error)
{
	size_t n = strlen(req), off = 0;

	while (off < n) {
		ssize_t w = write(c->fd, req + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("write: %s", strerror(errno));
		off += (size_t)w;
	}
	c->len = 0;
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		ssize_t r;

		if (nl) {
			*nl = '\0';
			*error = strstr(c->buf, "\"error\":") != NULL;
			if (*error)
				fprintf(stderr, "bench_reports: %.300s\n", c->buf);
			return (size_t)(nl - c->buf);
		}
		if (c->size - c->len < 65536) {
			c->size *= 2;
			if ((c->buf = realloc(c->buf, c->size)) == NULL)
				die("out of memory");
		}
		r = read(c->fd, c->buf + c->len, c->size - c->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("spendd closed the connection");
		c->len += (size_t)r;
	}
}

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
cmd_lat(const char *sock, const char *user, long count, const char *params)
{
	struct conn c;
	double *lat = calloc((size_t)count, sizeof(double));
	size_t len = strlen(params) + strlen(user) + 128, bytes = 0;
	char *req = malloc(len);
	long errors = 0;
	int err;

	if (lat == NULL || req == NULL)
		die("out of memory");
	/* PARAMS are the members after "user": "\"name\":\"trend\",..." */
	snprintf(req, len, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
	    "\"report.run\",\"params\":{\"user\":\"%s\",%s}}\n", user,
	    params);
	conn_open(&c, sock);
	/* warm every worker's connection and page cache first */
	for (int i = 0; i < 12; i++)
		roundtrip(&c, req, &err);
	for (long i = 0; i < count; i++) {
		double t0 = now();

		bytes = roundtrip(&c, req, &err);
		lat[i] = (now() - t0) * 1000;
		errors += err;
	}
	qsort(lat, (size_t)count, sizeof(double), dcmp);
	printf("n %ld p50_ms %.3f p99_ms %.3f max_ms %.3f errors %ld bytes "
	    "%zu\n", count, lat[count / 2], lat[(count * 99) / 100 <
	    count ? (count * 99) / 100 : count - 1], lat[count - 1], errors,
	    bytes);
	free(lat);
	free(req);
	return errors ? 1 : 0;
}

int
main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "load") == 0)
		return cmd_load(argv[2], atol(argv[3]), atol(argv[4]),
		    atol(argv[5]));
	if (argc == 6 && strcmp(argv[1], "lat") == 0 && atol(argv[4]) > 0)
		return cmd_lat(argv[2], argv[3], atol(argv[4]), argv[5]);
	fprintf(stderr, "usage: bench_reports load DB USERS ROWS BIG_ROWS\n"
	    "       bench_reports lat SOCK USER COUNT PARAMS\n");
	return 2;
}
