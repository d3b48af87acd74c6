/* rate.* handlers: exchange rates in, out and from the ECB's files. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "budget.h"
#include "handlers.h"
#include "jobs.h"
#include "jsonp.h"
#include "log.h"
#include "money.h"
#include "rates.h"
#include "store.h"

#define RATES_FILE_MAX (64 << 20)	/* the full ECB history is ~1.5 MB */

static json_t *
rate_json(const struct rate *r)
{
	char v[MONEY_STR_MAX];

	money_rate_format(r->rate, v, sizeof(v));
	return jp_pack("{s:s, s:s, s:s, s:s}", "currency", r->currency, "date",
	    r->date, "rate", v, "source", r->source);
}

int
h_rate_set(struct rpc_call *c, json_t *p, json_t **res, struct spend_err *err)
{
	const char *cur, *rate, *date;
	char today[DATE_LEN + 1];
	struct rate rt;
	int r;

	if (jp_cstr(p, "currency", true, &cur, err) < 0 ||
	    jp_cstr(p, "rate", true, &rate, err) < 0 ||
	    jp_cstr(p, "date", false, &date, err) < 0)
		return SPEND_EINVAL;
	if (date == NULL) {
		date_today(NULL, today);
		date = today;
	}
	if ((r = rates_set(c->st, cur, date, rate, "manual", err)) < 0)
		return r;
	{
		char code[4];

		for (int i = 0; i < 3; i++)
			code[i] = (char)(cur[i] >= 'a' && cur[i] <= 'z' ?
			    cur[i] - 32 : cur[i]);
		code[3] = '\0';
		if ((r = store_rate_find(c->st, code, date, &rt, err)) < 0)
			return r;
		budget_rates_changed(&c->w, code);	/* alerts */
	}
	*res = rate_json(&rt);
	return 0;
}

static int
list_cb(void *arg, const struct rate *r)
{
	return jp_append(arg, rate_json(r));
}

static int
list_work(struct rpc_call *c, struct store *st, struct write_tx *w, void *arg,
    json_t **res, struct spend_err *err)
{
	json_t *p = arg, *items = json_array();
	const char *cur = json_string_value(json_object_get(p, "currency"));
	const char *from = json_string_value(json_object_get(p, "from"));
	const char *to = json_string_value(json_object_get(p, "to"));
	char code[4] = "";
	int r;

	(void)c;
	(void)w;
	if (cur) {
		strlcpy(code, cur, sizeof(code));
		for (char *q = code; *q; q++)
			if (*q >= 'a' && *q <= 'z')
				*q -= 32;
	}
	if ((r = store_rate_list(st, code, from, to, list_cb, items, err)) < 0) {
		json_decref(items);
		return r;
	}
	*res = jp_pack("{s:o, s:I}", "items", items, "count",
	    (json_int_t)json_array_size(items));
	return 0;
}

static void
put_decref(void *arg)
{
	json_decref(arg);
}

int
h_rate_list(struct rpc_call *c, json_t *p, json_t **res, struct spend_err *err)
{
	(void)res;
	return rpc_offload(c, JOB_READ, list_work, json_incref(p), put_decref,
	    err);
}

/* The file's bytes (at most RATES_FILE_MAX), malloc'd. */
static int
slurp(const char *path, char **out, size_t *len, struct spend_err *err)
{
	struct stat sb;
	ssize_t got;
	size_t n = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return spend_errf(err, errno == ENOENT ? SPEND_ENOTFOUND :
		    SPEND_EINVAL, "path", "%s: %s", path, strerror(errno));
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > RATES_FILE_MAX) {
		close(fd);
		return spend_errf(err, SPEND_EINVAL, "path", "%s: not a regular "
		    "file of at most %d MB", path, RATES_FILE_MAX >> 20);
	}
	if ((*out = malloc((size_t)sb.st_size + 1)) == NULL) {
		close(fd);
		return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	}
	while (n < (size_t)sb.st_size && (got = read(fd, *out + n,
	    (size_t)sb.st_size - n)) > 0)
		n += (size_t)got;
	close(fd);
	*len = n;
	return 0;
}

/* On a WRITE worker: the whole file in one transaction. */
static int
import_work(struct rpc_call *c, struct store *st, struct write_tx *w,
    void *arg, json_t **res, struct spend_err *err)
{
	const char *path = arg;
	char *text = NULL;
	size_t len = 0;
	int64_t n;
	int r;

	if ((r = slurp(path, &text, &len, err)) < 0)
		return r;
	char skipped[512];
	json_t *sk;

	r = rates_import_ecb(st, text, len, &n, skipped, sizeof(skipped), err);
	free(text);
	if (r < 0)
		return r;
	budget_rates_changed(w, NULL);	/* alerts, once it commits */
	log_info("rates: %lld imported from %s by %s", (long long)n,
	    c->id.upload[0] ? "an upload" : path, c->id.peer);
	sk = json_array();
	for (char *t, *save = NULL, *q = skipped; (t = strtok_r(q, " ",
	    &save)) != NULL; q = NULL)
		json_array_append_new(sk, json_string(t));
	*res = jp_pack("{s:I, s:s, s:o}", "imported", (json_int_t)n, "source",
	    "ecb", "skipped", sk);
	return 0;
}

int
h_rate_import(struct rpc_call *c, json_t *p, json_t **res,
    struct spend_err *err)
{
	const char *path;
	char *copy;

	(void)res;
	if (jp_cstr(p, "path", false, &path, err) < 0)
		return SPEND_EINVAL;
	if (c->id.upload[0])
		path = c->id.upload;
	else if (path == NULL)
		return spend_errf(err, SPEND_EINVAL, "path", "path is required "
		    "(over HTTP, the body is the file)");
	else if (!c->id.socket_admin)
		return spend_errf(err, SPEND_EPERM, "path", "path: spendd opens "
		    "files only for administrators on the control socket; "
		    "upload the file instead");
	else if (path[0] != '/')
		return spend_errf(err, SPEND_EINVAL, "path", "path \"%s\" must be "
		    "absolute: spendd opens it, from its own working directory",
		    path);
	/* a path as long as the client made it */
	if ((copy = strdup(path)) == NULL)
		return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	return rpc_offload(c, JOB_WRITE, import_work, copy, free, err);
}
