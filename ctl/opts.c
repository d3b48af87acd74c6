/*
 * spendctl's option and argument specs: parsing them, the options a
 * method's declared params give, usage. See opts.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "opts.h"
#include "spendctl.h"
#include "rpc.h"
#include "util.h"

bool
opts_local_flag(struct ctl *c, const char *opt)
{
	return json_is_true(json_object_get(c->local, opt));
}

/* ---- the specs of opts.h ---- */

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
	static char **made;	/* one per entry of ctl_cmds */
	size_t i = (size_t)(cmd - ctl_cmds);
	const struct rpc_method *m;
	char buf[2048], tok[160], opt[40];
	const char *es;
	struct optspec eo;

	if (made == NULL) {
		size_t n = 0;

		while (ctl_cmds[n].words)
			n++;
		if ((made = calloc(n, sizeof(*made))) == NULL)
			abort();
	}
	if (made[i])
		return made[i];
	buf[0] = '\0';
	if (cmd->method && (m = rpc_method_find(cmd->method)) != NULL)
		for (const struct rpc_param *p = m->params; p && p->name; p++) {
			const char *meta = p->meta;
			char kind = '=';
			bool taken = false;

			/* PF_ALONE (expense.add's items) is JSON for
			 * spendctl call, not an option beside the others */
			if (p->flags & (PF_POSITIONAL | PF_SECRET | PF_ALONE))
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
opts_usage(FILE *f, const struct ctl_cmd *cmd)
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

int
opts_error(const struct ctl_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("spendctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cmd)
		opts_usage(stderr, cmd);
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
		return opts_error(NULL, "--%s: nothing on standard input", opt);
	n = strlen(buf);
	if (n == sizeof(buf) - 1 && buf[n - 1] != '\n')
		return opts_error(NULL, "--%s: line longer than %zu bytes", opt,
		    sizeof(buf) - 2);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if (n == 0)
		return opts_error(NULL, "--%s: empty line on standard input",
		    opt);
	*out = json_string(buf);
	explicit_bzero(buf, sizeof(buf));
	return *out ? 0 : opts_error(NULL, "--%s: not valid UTF-8", opt);
}

int
opts_global(struct ctl *c, int argc, char **argv, int *i)
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
		return 2 + opts_error(NULL, "%.*s needs a value", (int)n, a);
	*dst = *v ? v : NULL;
	if (dst == &c->socket && *v == '\0')
		return 2 + opts_error(NULL, "--socket needs a path");
	return 1;
}

int
opts_parse(struct ctl *c, const struct ctl_cmd *cmd, int argc, char **argv,
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
			opts_usage(stdout, cmd);
			return -1;
		}
		if (!dashdash && strncmp(arg, "--", 2) == 0) {
			const char *os = cmd_opts(cmd), *eq = strchr(arg, '=');
			size_t n = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
			struct optspec o;
			json_t *v = NULL, *dst;
			bool found = false;

			if ((r = opts_global(c, argc, argv, &i)) == 1)
				continue;
			if (r > 1)
				return r - 2;
			while (!found && next_opt(&os, &o))
				found = strlen(o.opt) == n &&
				    strncmp(o.opt, arg + 2, n) == 0;
			if (!found)
				return opts_error(cmd, "unknown option %.*s "
				    "for \"%s\"", (int)n + 2, arg, cmd->words);
			if (o.kind == '!' || o.kind == '@') {
				if (eq)
					return opts_error(cmd, "--%s takes no "
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
					return opts_error(cmd, "--%s needs a "
					    "value (%s)", o.opt, o.meta);
				v = o.kind == '#' ? int_or_string(s) :
				    json_string(s);
				if (v == NULL)
					return opts_error(cmd, "--%s: not "
					    "valid UTF-8", o.opt);
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
				return opts_error(cmd, "--%s: %s given twice "
				    "or with a conflicting option", o.opt,
				    o.param);
			}
			json_object_set_new(params, o.param, v);
			continue;
		}
		if (!have_arg)
			return opts_error(cmd, "too many arguments for \"%s\": "
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
			return opts_error(cmd, "%s: not valid UTF-8", a.meta);
		have_arg = next_arg(&as, &a);
	}
	if (have_arg && !a.optional &&
	    json_object_get(params, a.name) == NULL)
		return opts_error(cmd, "\"%s\" needs %s", cmd->words, a.meta);
	return 0;
}

void
opts_synopsis(const struct ctl_cmd *cmd, char *buf, size_t size)
{
	cmd_synopsis(cmd, buf, size);
}
