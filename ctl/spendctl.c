/*
 * spendctl: talk JSON-RPC to spendd over its Unix socket.
 *
 * One table below maps command words to a method, a positional spec and an
 * option spec (see spendctl.h); main finds the entry, turns the command line
 * into params, calls the method and hands the result to the entry's printer.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "spendctl.h"
#include "rpc.h"
#include "spendd.h"
#include "table.h"
#include "util.h"

#ifndef SPENDCTL_SOCKET
#define SPENDCTL_SOCKET "/var/lib/spend/spendd.sock"
#endif
#define LINE_MAX_BYTES (1024 * 1024 * 1024)	/* one reply, sanity bound */

/* The command table. Keep groups together; help lists it in this order. */
const struct ctl_cmd ctl_cmds[] = {
	{ "status", "daemon.status", "", "", NULL, print_status, NULL },
	{ "backup", "daemon.backup", "path?:FILE", "",
	  run_backup, print_backup,
	  "Copy the database while spendd runs (no FILE: into [backup] dir)" },
	{ "help", NULL, "command...", "", run_help, NULL,
	  "Show the commands, or how to use one" },
	{ "call", NULL, "method json?", "", run_call, NULL,
	  "Call any method with a JSON object of params; print the result" },
	{ "user add", "user.add", "name", "password-stdin@:password",
	  NULL, print_user, NULL },
	{ "user list", "user.list", "", "", NULL, print_user_list, NULL },
	{ "user show", "user.get", "name", "", NULL, print_user, NULL },
	{ "user rm", "user.delete", "name", "", NULL, print_user_deleted, NULL },
	{ "category list", "category.list", "", "", NULL,
	  print_category_list, NULL },
	{ "category show", "category.get", "name", "", NULL, print_category,
	  NULL },
	{ "category add", "category.add", "name", "", NULL, print_category,
	  NULL },
	{ "category rename", "category.rename", "name:OLD new_name:NEW", "",
	  NULL, print_category, NULL },
	{ "category archive", "category.archive", "name", "", NULL,
	  print_category, NULL },
	{ "category unarchive", "category.unarchive", "name", "", NULL,
	  print_category, NULL },
	{ "category delete", "category.delete", "name", "", NULL,
	  print_category_deleted, NULL },
	{ "expense add", "expense.add", "amount category", "", NULL,
	  print_expense, NULL },
	{ "expense list", "expense.list", "",
	  "asc!:order=asc desc!:order=desc all!:-",
	  run_expense_list, print_expense_list, NULL },
	{ "expense show", "expense.get", "id#", "", NULL, print_expense, NULL },
	{ "expense edit", "expense.edit", "id#", "no-tags!:tags=[]", NULL,
	  print_expense, NULL },
	{ "expense rm", "expense.delete", "id#", "", NULL,
	  print_expense_deleted, NULL },
	{ "import", "import.run", "path:FILE", "", run_import, print_import,
	  "Import FILE (spendd reads it: all or nothing, duplicates skipped)" },
	{ "export", "export.run", "o?:-o file?:FILE",
	  "output=FILE:file asc!:order=asc desc!:order=desc",
	  run_export, print_export,
	  "Export expenses to FILE (spendd writes it; --force replaces it)" },
	{ "plugin list", "plugin.list", "", "", NULL, print_plugin_list, NULL },
	{ "rate set", "rate.set", "currency:CODE rate:RATE", "", NULL,
	  print_rate, NULL },
	{ "rate list", "rate.list", "", "", NULL, print_rate_list, NULL },
	{ "rate import", "rate.import", "path:FILE", "", run_rate_import,
	  print_rate_import, "Import the ECB's reference rates "
	  "(eurofxref.csv or eurofxref-hist.csv): all or nothing" },
	{ "report", "report.run", "name", "param*KEY=VALUE", run_report,
	  print_report, "Run the report plugin NAME with its params "
	  "(--param month=2024-03)" },
	{ "notify show", "notify.settings", "", "", NULL,
	  print_notify_settings, NULL },
	{ "notify set", "notify.set", "channel", "", NULL,
	  print_notify_channel, NULL },
	{ "notify off", "notify.remove", "channel", "", NULL,
	  print_notify_removed, NULL },
	{ "notify test", "notify.test", "channel?", "", NULL,
	  print_notify_test, NULL },
	{ "notify list", "notify.deliveries", "", "", NULL,
	  print_notify_deliveries, NULL },
	{ "rate fetch", "rate.fetch", "", "", NULL, print_rate_fetch, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL }
};

static void
usage_main(FILE *f)
{
	fprintf(f, "usage: spendctl [--socket PATH] [--user NAME] [--json] "
	    "COMMAND [ARGS]\n"
	    "       spendctl help [COMMAND]\n");
}

int
ctl_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("spendctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_ERR;
}

/* ---- the connection ---- */

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		/* no SIGPIPE from the socket; a closed stdout still stops us
		 * quietly, as `spendctl expense list | head` expects */
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One reply line (NUL-terminated, without '\n') into *line, valid until
 * the next read; -1 on EOF or error. */
static int
read_line(struct ctl *c, char **line, size_t *len)
{
	size_t scanned = 0;

	for (;;) {
		/* buf is NULL before the first read: memchr(NULL, 0) is UB */
		char *nl = c->buflen > scanned ?
		    memchr(c->buf + scanned, '\n', c->buflen - scanned) : NULL;
		ssize_t n;

		if (nl) {
			*nl = '\0';
			*line = c->buf;
			*len = (size_t)(nl - c->buf);
			return 0;
		}
		scanned = c->buflen;
		if (c->bufsize - c->buflen < 4096) {
			size_t ns = c->bufsize ? c->bufsize * 2 : 65536;
			char *nb;

			if (ns > LINE_MAX_BYTES || (nb = realloc(c->buf, ns)) ==
			    NULL) {
				errno = ENOMEM;
				return -1;
			}
			c->buf = nb;
			c->bufsize = ns;
		}
		n = read(c->fd, c->buf + c->buflen, c->bufsize - c->buflen - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = 0;
			return -1;
		}
		c->buflen += (size_t)n;
	}
}

/* Drop the line read_line returned. */
static void
consume_line(struct ctl *c, size_t len)
{
	c->buflen -= len + 1;
	memmove(c->buf, c->buf + len + 1, c->buflen);
}

/* Send msg (borrowed), read one reply into *reply (new reference). */
static int
roundtrip(struct ctl *c, json_t *msg, json_t **reply)
{
	char *text, *line;
	size_t len;
	json_error_t jerr;
	int r;

	if ((text = json_dumps(msg, JSON_COMPACT)) == NULL)
		return ctl_err("cannot encode the request"), -1;
	/* A refused peer gets its reason written before the close: read it
	 * even when the write fails. */
	r = write_all(c->fd, text, strlen(text));
	if (r == 0)
		r = write_all(c->fd, "\n", 1);
	free(text);
	if (read_line(c, &line, &len) < 0) {
		if (errno)
			ctl_err("reading from %s: %s", c->socket,
			    strerror(errno));
		else
			ctl_err("spendd closed the connection on %s%s", c->socket,
			    r < 0 ? " before reading the request" : "");
		return -1;
	}
	*reply = json_loadb(line, len, 0, &jerr);
	consume_line(c, len);
	if (*reply == NULL)
		return ctl_err("spendd sent a reply that is not JSON: %s",
		    jerr.text), -1;
	return 0;
}

/* The error of a reply envelope, printed; -1. */
static int
reply_error(json_t *env)
{
	json_t *e = json_object_get(env, "error");
	const char *msg = json_string_value(json_object_get(e, "message"));

	if (msg == NULL || *msg == '\0')
		msg = json_string_value(json_object_get(json_object_get(e,
		    "data"), "type"));
	ctl_err("%s", msg ? msg : "spendd sent an error without a message");
	return -1;
}

static json_t *
request(struct ctl *c, const char *method, json_t *params)
{
	json_t *r = json_object();

	json_object_set_new(r, "jsonrpc", json_string("2.0"));
	json_object_set_new(r, "id", json_integer(++c->next_id));
	json_object_set_new(r, "method", json_string(method));
	json_object_set_new(r, "params", params ? json_incref(params) :
	    json_object());
	return r;
}

int
ctl_connect(struct ctl *c, bool quiet)
{
	struct sockaddr_un sun;
	json_t *batch, *reply = NULL, *v, *d;
	json_int_t proto;

	if (c->fd >= 0)
		return 0;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, c->socket, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		if (!quiet)
			ctl_err("socket path too long: %s", c->socket);
		return -1;
	}
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		if (!quiet)
			ctl_err("socket: %s", strerror(errno));
		return -1;
	}
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int e = errno;

		close(c->fd);
		c->fd = -1;
		if (quiet)
			return -1;
		if (e == EACCES || e == EPERM)
			ctl_err("cannot connect to %s: %s (spendctl needs to "
			    "run as root, spendd's user or its group)",
			    c->socket, strerror(e));
		else
			ctl_err("cannot connect to %s: %s (is spendd running? "
			    "see --socket or SPEND_SOCKET)", c->socket,
			    strerror(e));
		return -1;
	}
	/* version and method list in one round trip */
	batch = json_array();
	json_array_append_new(batch, request(c, "daemon.version", NULL));
	json_array_append_new(batch, request(c, "rpc.describe", NULL));
	if (roundtrip(c, batch, &reply) < 0)
		goto fail;
	if (!json_is_array(reply)) {
		if (json_object_get(reply, "error"))
			reply_error(reply);
		else
			ctl_err("spendd sent an unexpected reply to "
			    "daemon.version");
		goto fail;
	}
	v = d = NULL;
	for (size_t i = 0; i < json_array_size(reply); i++) {
		json_t *env = json_array_get(reply, i);
		json_int_t id = json_integer_value(json_object_get(env, "id"));

		if (id == c->next_id - 1)
			v = env;
		else if (id == c->next_id)
			d = env;
	}
	/* the version first: another protocol explains any other error */
	if (json_object_get(v, "error")) {
		reply_error(v);
		goto fail;
	}
	v = json_object_get(v, "result");
	if (!json_is_object(v) || !json_is_integer(json_object_get(v,
	    "protocol"))) {
		ctl_err("spendd did not say its protocol version");
		goto fail;
	}
	proto = json_integer_value(json_object_get(v, "protocol"));
	if (proto != SPEND_PROTOCOL) {
		ctl_err("spendd %s speaks protocol %lld but this spendctl %s "
		    "speaks protocol %d: use a spendctl from the same release",
		    json_string_value(json_object_get(v, "version")) ?
		    json_string_value(json_object_get(v, "version")) : "?",
		    (long long)proto, SPEND_VERSION, SPEND_PROTOCOL);
		goto fail;
	}
	if (json_object_get(d, "error")) {
		reply_error(d);
		goto fail;
	}
	c->version = json_incref(v);
	c->methods = json_incref(json_object_get(json_object_get(d, "result"),
	    "methods"));
	json_decref(batch);
	json_decref(reply);
	return 0;
fail:
	json_decref(batch);
	json_decref(reply);
	close(c->fd);
	c->fd = -1;
	return -1;
}

json_t *
ctl_method(struct ctl *c, const char *method)
{
	size_t i;
	json_t *m;

	json_array_foreach(c->methods, i, m) {
		const char *n = json_string_value(json_object_get(m, "name"));

		if (n && strcmp(n, method) == 0)
			return m;
	}
	return NULL;
}

int
ctl_call(struct ctl *c, const char *method, json_t *params, json_t **result)
{
	json_t *p, *req, *reply = NULL, *m;
	int r = -1;

	*result = NULL;
	if (ctl_connect(c, false) < 0)
		return -1;
	p = params ? json_copy(params) : json_object();
	m = ctl_method(c, method);
	if (c->user && m && json_is_true(json_object_get(m, "acts_for_user")))
		json_object_set_new(p, "user", json_string(c->user));
	req = request(c, method, p);
	json_decref(p);
	if (roundtrip(c, req, &reply) < 0)
		goto out;
	if (json_object_get(reply, "error"))
		reply_error(reply);
	else if (json_integer_value(json_object_get(reply, "id")) != c->next_id ||
	    json_object_get(reply, "result") == NULL)
		ctl_err("spendd sent a reply that does not answer %s", method);
	else {
		*result = json_incref(json_object_get(reply, "result"));
		r = 0;
	}
out:
	json_decref(req);
	json_decref(reply);
	return r;
}

int
ctl_output(struct ctl *c, json_t *result, ctl_print_fn print)
{
	int r = 0;

	if (c->json || print == NULL) {
		if (json_dumpf(result, stdout, JSON_INDENT(2) |
		    JSON_ENCODE_ANY) == 0)
			fputc('\n', stdout);
	} else
		r = print(c, result);
	json_decref(result);
	if (fflush(stdout) == EOF || ferror(stdout))
		return ctl_err("writing the output: %s", strerror(errno));
	return r;
}

int
ctl_run_default(struct ctl *c, const struct ctl_cmd *cmd, json_t *params)
{
	json_t *res;

	if (ctl_call(c, cmd->method, params, &res) < 0)
		return EXIT_ERR;
	return ctl_output(c, res, cmd->print);
}

bool
ctl_local_flag(struct ctl *c, const char *opt)
{
	return json_is_true(json_object_get(c->local, opt));
}

/* ---- the specs of spendctl.h ---- */

struct optspec {
	char opt[32];
	char kind;		/* = # * ! @ */
	char meta[32];		/* placeholder in usage */
	char param[32];		/* "-" = local */
	char cval[32];		/* "" = none */
};

struct argspec {
	char name[32];
	char meta[32];
	bool integer, optional, rest;
};

static void
to_upper(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s -= 32;
		else if (*s == '_')
			*s = '-';
}

/* Copy the next token of a space-separated spec into tok; 0 at the end. */
static int
next_token(const char **sp, char *tok, size_t size)
{
	const char *s = *sp, *e;

	while (*s == ' ')
		s++;
	if (*s == '\0')
		return 0;
	e = strchr(s, ' ');
	if (e == NULL)
		e = s + strlen(s);
	if ((size_t)(e - s) >= size) {
		fprintf(stderr, "spendctl: spec token too long: %.*s\n",
		    (int)(e - s), s);
		abort();
	}
	memcpy(tok, s, (size_t)(e - s));
	tok[e - s] = '\0';
	*sp = e;
	return 1;
}

static int
next_opt(const char **sp, struct optspec *o)
{
	char tok[128], *p, *colon;
	size_t n;

	if (!next_token(sp, tok, sizeof(tok)))
		return 0;
	memset(o, 0, sizeof(*o));
	n = strcspn(tok, "=#*!@");
	if (tok[n] == '\0' || n == 0 || n >= sizeof(o->opt)) {
		fprintf(stderr, "spendctl: bad option spec \"%s\"\n", tok);
		abort();
	}
	memcpy(o->opt, tok, n);
	o->kind = tok[n];
	p = tok + n + 1;
	if ((colon = strchr(p, ':')) != NULL) {
		char *eq;

		*colon = '\0';
		if ((eq = strchr(colon + 1, '=')) != NULL) {
			*eq = '\0';
			strlcpy(o->cval, eq + 1, sizeof(o->cval));
		}
		strlcpy(o->param, colon + 1, sizeof(o->param));
	} else {
		strlcpy(o->param, o->opt, sizeof(o->param));
		for (char *q = o->param; *q; q++)
			if (*q == '-')
				*q = '_';
	}
	strlcpy(o->meta, *p ? p : o->kind == '#' ? "N" : o->opt,
	    sizeof(o->meta));
	if (*p == '\0')
		to_upper(o->meta);
	return 1;
}

static int
next_arg(const char **sp, struct argspec *a)
{
	char tok[96], *colon;
	size_t n;

	if (!next_token(sp, tok, sizeof(tok)))
		return 0;
	memset(a, 0, sizeof(*a));
	if ((colon = strchr(tok, ':')) != NULL) {
		*colon = '\0';
		strlcpy(a->meta, colon + 1, sizeof(a->meta));
	}
	n = strlen(tok);
	if (n > 3 && strcmp(tok + n - 3, "...") == 0) {
		a->rest = a->optional = true;
		tok[n -= 3] = '\0';
	}
	if (n > 1 && tok[n - 1] == '?') {
		a->optional = true;
		tok[--n] = '\0';
	}
	if (n > 1 && tok[n - 1] == '#') {
		a->integer = true;
		tok[--n] = '\0';
	}
	strlcpy(a->name, tok, sizeof(a->name));
	if (colon == NULL) {
		strlcpy(a->meta, tok, sizeof(a->meta));
		to_upper(a->meta);
	}
	return 1;
}

/* "expense add AMOUNT CATEGORY" into buf. */
static void
cmd_synopsis(const struct ctl_cmd *cmd, char *buf, size_t size)
{
	const char *s = cmd->args;
	struct argspec a;

	strlcpy(buf, cmd->words, size);
	while (next_arg(&s, &a)) {
		strlcat(buf, a.optional ? " [" : " ", size);
		strlcat(buf, a.meta, size);
		if (a.rest)
			strlcat(buf, "...", size);
		if (a.optional)
			strlcat(buf, "]", size);
	}
}

/* The option spec of cmd: its method's declared params (rpc.c's table:
 * every one that is not positional or secret becomes --NAME, typed), then
 * the command's own extras, which win. Made once per command. */
static const char *
cmd_opts(const struct ctl_cmd *cmd)
{
	static char *made[64];
	size_t i = (size_t)(cmd - ctl_cmds);
	const struct rpc_method *m;
	char buf[2048], tok[160], opt[40];
	const char *es;
	struct optspec eo;

	if (i >= sizeof(made) / sizeof(made[0]))
		abort();
	if (made[i])
		return made[i];
	buf[0] = '\0';
	if (cmd->method && (m = rpc_method_find(cmd->method)) != NULL)
		for (const struct rpc_param *p = m->params; p && p->name; p++) {
			const char *meta = p->meta;
			char kind = '=';
			bool taken = false;

			if (p->flags & (PF_POSITIONAL | PF_SECRET))
				continue;
			strlcpy(opt, p->opt ? p->opt : p->name, sizeof(opt));
			for (char *q = opt; *q; q++)
				if (*q == '_')
					*q = '-';
			for (es = cmd->opts; !taken && next_opt(&es, &eo);)
				taken = strcmp(eo.opt, opt) == 0;
			if (taken)
				continue;
			switch (p->type) {
			case PT_INT: kind = '#'; break;
			case PT_BOOL: kind = '!'; break;
			case PT_LIST:
			case PT_OBJECT: kind = '*'; break;
			default: break;
			}
			if (meta == NULL)
				meta = p->type == PT_DATE ? "DATE" :
				    p->type == PT_MONTH ? "YYYY-MM" :
				    p->type == PT_AMOUNT ? "AMOUNT" :
				    p->type == PT_INT ? "N" : "TEXT";
			if (kind == '!')
				snprintf(tok, sizeof(tok), "%s!", opt);
			else
				snprintf(tok, sizeof(tok), "%s%c%s", opt, kind,
				    meta);
			/* the option's param: an object's options go by the
			 * option's name (run_import makes the object) */
			if (p->type != PT_OBJECT && strcmp(opt, p->name) != 0) {
				char q[40];

				strlcpy(q, p->name, sizeof(q));
				for (char *c = q; *c; c++)
					if (*c == '_')
						*c = '-';
				if (strcmp(q, opt) != 0) {
					strlcat(tok, ":", sizeof(tok));
					strlcat(tok, p->name, sizeof(tok));
				}
			}
			if (buf[0])
				strlcat(buf, " ", sizeof(buf));
			strlcat(buf, tok, sizeof(buf));
		}
	if (cmd->opts[0]) {
		if (buf[0])
			strlcat(buf, " ", sizeof(buf));
		strlcat(buf, cmd->opts, sizeof(buf));
	}
	if ((made[i] = strdup(buf)) == NULL)
		abort();
	return made[i];
}

/* The declared param of cmd's method an option sends, or NULL. */
static const struct rpc_param *
opt_param(const struct ctl_cmd *cmd, const struct optspec *o)
{
	const struct rpc_method *m = cmd->method ?
	    rpc_method_find(cmd->method) : NULL;
	const struct rpc_param *p;

	if (m == NULL)
		return NULL;
	if ((p = rpc_param_find(m, o->param)) != NULL)
		return p;
	for (p = m->params; p && p->name; p++)
		if (p->opt && strcmp(p->opt, o->param) == 0)
			return p;
	return NULL;
}

void
ctl_usage(FILE *f, const struct ctl_cmd *cmd)
{
	char line[256], item[128];
	const char *s = cmd_opts(cmd);
	struct optspec o;
	size_t col;

	cmd_synopsis(cmd, line, sizeof(line));
	col = (size_t)fprintf(f, "usage: spendctl %s", line);
	while (next_opt(&s, &o)) {
		if (o.kind == '!' || o.kind == '@')
			snprintf(item, sizeof(item), "[--%s]", o.opt);
		else
			snprintf(item, sizeof(item), "[--%s %s]%s", o.opt,
			    o.meta, o.kind == '*' ? "..." : "");
		if (col + 1 + strlen(item) > 78) {
			fprintf(f, "\n%16s", "");
			col = 16;
		}
		col += (size_t)fprintf(f, " %s", item);
	}
	fputc('\n', f);
	/* what each declared option means, from the method table */
	for (s = cmd_opts(cmd); next_opt(&s, &o);) {
		const struct rpc_param *p = opt_param(cmd, &o);

		if (p == NULL || o.cval[0])
			continue;
		if (o.kind == '!' || o.kind == '@')
			snprintf(item, sizeof(item), "--%s", o.opt);
		else
			snprintf(item, sizeof(item), "--%s %s", o.opt, o.meta);
		fprintf(f, "  %-24s %s%s\n", item, p->help, o.kind == '*' ?
		    " (repeatable)" : "");
	}
}

/* The value of a '#' option or argument: an integer when it is one, else
 * the text, so that the daemon explains what is wrong with it. */
static json_t *
int_or_string(const char *s)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (*s && *end == '\0' && errno == 0)
		return json_integer(n);
	return json_string(s);
}

/* A flag's constant: JSON when it parses as JSON ("[]", "true"), else the
 * text ("asc"). */
static json_t *
const_value(const char *s)
{
	json_t *v;

	if (*s == '\0')
		return json_true();
	if ((v = json_loads(s, JSON_DECODE_ANY, NULL)) != NULL)
		return v;
	return json_string(s);
}

static int
usage_err(const struct ctl_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
usage_err(const struct ctl_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("spendctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cmd)
		ctl_usage(stderr, cmd);
	return EXIT_USAGE;
}

/* One line of standard input without its end of line; from a terminal,
 * with a prompt and without echo (it is a password). */
static int
read_stdin_line(const char *opt, const char *prompt, json_t **out)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	char buf[4096], *got;
	size_t n;

	if (tty) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		fprintf(stderr, "%s: ", prompt);
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	got = fgets(buf, sizeof(buf), stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (got == NULL)
		return usage_err(NULL, "--%s: nothing on standard input", opt);
	n = strlen(buf);
	if (n == sizeof(buf) - 1 && buf[n - 1] != '\n')
		return usage_err(NULL, "--%s: line longer than %zu bytes", opt,
		    sizeof(buf) - 2);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if (n == 0)
		return usage_err(NULL, "--%s: empty line on standard input", opt);
	*out = json_string(buf);
	explicit_bzero(buf, sizeof(buf));
	return *out ? 0 : usage_err(NULL, "--%s: not valid UTF-8", opt);
}

/* A global option at argv[*i] (before or after the command)? Returns 1 if
 * taken, 0 if not global, or an exit status + 2 on error (never 0/1). */
static int
global_opt(struct ctl *c, int argc, char **argv, int *i)
{
	const char *a = argv[*i], *v = NULL;
	const char **dst = NULL;
	size_t n;

	if (strcmp(a, "--json") == 0) {
		c->json = true;
		return 1;
	}
	if (strncmp(a, "--socket", n = 8) == 0 && (a[n] == '\0' || a[n] == '='))
		dst = &c->socket;
	else if (strncmp(a, "--user", n = 6) == 0 && (a[n] == '\0' ||
	    a[n] == '='))
		dst = &c->user;
	else
		return 0;
	if (a[n] == '=')
		v = a + n + 1;
	else if (*i + 1 < argc)
		v = argv[++*i];
	else
		return 2 + usage_err(NULL, "%.*s needs a value", (int)n, a);
	*dst = *v ? v : NULL;
	if (dst == &c->socket && *v == '\0')
		return 2 + usage_err(NULL, "--socket needs a path");
	return 1;
}

/* argv (after the command words) into params and c->local. */
static int
parse_args(struct ctl *c, const struct ctl_cmd *cmd, int argc, char **argv,
    json_t *params)
{
	const char *as = cmd->args;
	struct argspec a;
	bool dashdash = false, have_arg;
	int i, r;

	have_arg = next_arg(&as, &a);
	for (i = 0; i < argc; i++) {
		const char *arg = argv[i];

		if (!dashdash && strcmp(arg, "--") == 0) {
			dashdash = true;
			continue;
		}
		if (!dashdash && (strcmp(arg, "-h") == 0 ||
		    strcmp(arg, "--help") == 0)) {
			ctl_usage(stdout, cmd);
			return -1;
		}
		if (!dashdash && strncmp(arg, "--", 2) == 0) {
			const char *os = cmd_opts(cmd), *eq = strchr(arg, '=');
			size_t n = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
			struct optspec o;
			json_t *v = NULL, *dst;
			bool found = false;

			if ((r = global_opt(c, argc, argv, &i)) == 1)
				continue;
			if (r > 1)
				return r - 2;
			while (!found && next_opt(&os, &o))
				found = strlen(o.opt) == n &&
				    strncmp(o.opt, arg + 2, n) == 0;
			if (!found)
				return usage_err(cmd, "unknown option %.*s for "
				    "\"%s\"", (int)n + 2, arg, cmd->words);
			if (o.kind == '!' || o.kind == '@') {
				if (eq)
					return usage_err(cmd, "--%s takes no "
					    "value", o.opt);
				if (o.kind == '@' &&
				    (r = read_stdin_line(o.opt, o.param, &v)) != 0)
					return r;
				if (v == NULL)
					v = const_value(o.cval);
			} else {
				const char *s = eq ? eq + 1 : NULL;

				if (s == NULL && i + 1 < argc)
					s = argv[++i];
				if (s == NULL)
					return usage_err(cmd, "--%s needs a "
					    "value (%s)", o.opt, o.meta);
				v = o.kind == '#' ? int_or_string(s) :
				    json_string(s);
				if (v == NULL)
					return usage_err(cmd, "--%s: not valid "
					    "UTF-8", o.opt);
			}
			if (strcmp(o.param, "-") == 0) {
				json_object_set_new(c->local, o.opt, v);
				continue;
			}
			dst = json_object_get(params, o.param);
			if (o.kind == '*') {
				if (dst == NULL) {
					dst = json_array();
					json_object_set_new(params, o.param, dst);
				}
				if (json_is_array(dst)) {
					json_array_append_new(dst, v);
					continue;
				}
			}
			if (dst != NULL) {
				json_decref(v);
				return usage_err(cmd, "--%s: %s given twice or "
				    "with a conflicting option", o.opt, o.param);
			}
			json_object_set_new(params, o.param, v);
			continue;
		}
		if (!have_arg)
			return usage_err(cmd, "too many arguments for \"%s\": "
			    "\"%s\"", cmd->words, arg);
		if (a.rest) {
			json_t *cur = json_object_get(params, a.name);

			if (cur) {
				char *j = NULL;

				if (asprintf(&j, "%s %s", json_string_value(cur),
				    arg) < 0)
					abort();
				json_object_set_new(params, a.name,
				    json_string(j));
				free(j);
			} else
				json_object_set_new(params, a.name,
				    json_string(arg));
			continue;
		}
		json_object_set_new(params, a.name, a.integer ?
		    int_or_string(arg) : json_string(arg));
		if (json_object_get(params, a.name) == NULL)
			return usage_err(cmd, "%s: not valid UTF-8", a.meta);
		have_arg = next_arg(&as, &a);
	}
	if (have_arg && !a.optional &&
	    json_object_get(params, a.name) == NULL)
		return usage_err(cmd, "\"%s\" needs %s", cmd->words, a.meta);
	return 0;
}

/* The entry whose words start argv (the longest), or NULL. *nwords is how
 * many words matched. */
static const struct ctl_cmd *
find_cmd(int argc, char **argv, int *nwords)
{
	const struct ctl_cmd *best = NULL;
	int bestn = 0;

	for (const struct ctl_cmd *cmd = ctl_cmds; cmd->words; cmd++) {
		const char *w = cmd->words;
		int n = 0;

		while (*w && n < argc) {
			size_t len = strcspn(w, " ");

			if (strlen(argv[n]) != len || strncmp(argv[n], w, len))
				break;
			n++;
			w += len;
			w += strspn(w, " ");
		}
		if (*w == '\0' && n > bestn) {
			best = cmd;
			bestn = n;
		}
	}
	*nwords = bestn;
	return best;
}

/* "user" alone: the list of its subcommands. */
static int
group_usage(const char *group)
{
	size_t n = strlen(group);
	bool any = false;

	for (const struct ctl_cmd *cmd = ctl_cmds; cmd->words; cmd++) {
		char syn[256];

		if (strncmp(cmd->words, group, n) || cmd->words[n] != ' ')
			continue;
		cmd_synopsis(cmd, syn, sizeof(syn));
		fprintf(stderr, "%s spendctl %s\n", any ? "      " : "usage:",
		    syn);
		any = true;
	}
	return any;
}

void
ctl_synopsis(const struct ctl_cmd *cmd, char *buf, size_t size)
{
	cmd_synopsis(cmd, buf, size);
}

int
main(int argc, char **argv)
{
	struct ctl c;
	const struct ctl_cmd *cmd;
	json_t *params;
	int i, r, nwords;

	setlocale(LC_CTYPE, "");
	memset(&c, 0, sizeof(c));
	c.fd = -1;
	c.socket = getenv("SPEND_SOCKET");
	if (c.socket == NULL || *c.socket == '\0')
		c.socket = SPENDCTL_SOCKET;
	c.user = getenv("SPEND_USER");
	if (c.user && *c.user == '\0')
		c.user = NULL;

	for (i = 1; i < argc && strncmp(argv[i], "-", 1) == 0; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			argv[i] = "help";	/* same as the command */
		if (strcmp(argv[i], "help") == 0)
			break;
		if (strcmp(argv[i], "-V") == 0 ||
		    strcmp(argv[i], "--version") == 0) {
			printf("spendctl %s (protocol %d)\n", SPEND_VERSION,
			    SPEND_PROTOCOL);
			return 0;
		}
		if ((r = global_opt(&c, argc, argv, &i)) == 1)
			continue;
		if (r > 1)
			return r - 2;
		usage_err(NULL, "unknown option %s", argv[i]);
		usage_main(stderr);
		return EXIT_USAGE;
	}
	if (i == argc) {
		usage_main(stderr);
		return EXIT_USAGE;
	}
	if ((cmd = find_cmd(argc - i, argv + i, &nwords)) == NULL) {
		if (group_usage(argv[i]))
			return EXIT_USAGE;
		usage_err(NULL, "unknown command \"%s\" (see spendctl help)",
		    argv[i]);
		return EXIT_USAGE;
	}
	params = json_object();
	c.local = json_object();
	r = parse_args(&c, cmd, argc - i - nwords, argv + i + nwords, params);
	if (r == 0)
		r = cmd->run ? cmd->run(&c, cmd, params) :
		    ctl_run_default(&c, cmd, params);
	else if (r < 0)
		r = 0;		/* --help */
	json_decref(params);
	json_decref(c.local);
	json_decref(c.version);
	json_decref(c.methods);
	free(c.buf);
	if (c.fd >= 0)
		close(c.fd);
	return r;
}
