/*
 * spendctl's command lines: the positional spec and option spec of each
 * command (spendctl.h's table), with the options its method declares in
 * rpc.c's method table (every param that is not positional or secret
 * becomes --NAME, typed), turned into JSON-RPC params, usage and help.
 *
 * args: positional parameters, space separated. NAME is sent as the string
 * param NAME; NAME# as an integer (sent as a string when it is not one, so
 * the daemon says why); NAME? is optional; NAME... takes the rest of the
 * words joined by spaces (optional). ":META" after a word sets the
 * placeholder shown in usage ("name:OLD").
 *
 * opts: options, space separated, each OPT KIND [META] [":" PARAM ["=" CONST]]
 *   OPT=META   --OPT VALUE, sent as the string param
 *   OPT#META   --OPT N, sent as an integer
 *   OPT*META   --OPT VALUE, repeatable, sent as an array of strings
 *   OPT!       --OPT, sent as true (or as the string CONST)
 *   OPT@       --OPT, reads one line from standard input and sends it
 * PARAM is the parameter name (default: OPT with '-' made '_'); PARAM "-"
 * keeps the option local: it lands in ctl->local for run() and is not
 * sent. Examples: "tag*TAG:tags", "asc!:order=asc", "all!:-".
 */
#ifndef SPENDCTL_OPTS_H
#define SPENDCTL_OPTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct ctl;
struct ctl_cmd;

/* argv (after the command words) into params and c->local: 0, -1 after
 * --help printed the usage, or an exit status (EXIT_USAGE) after saying
 * what is wrong. */
int opts_parse(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv, json_t *params);
/* A global option at argv[*i] (before or after the command): --json,
 * --socket, --user. Returns 1 if taken, 0 if not global, or an exit
 * status + 2 on error (never 0/1). */
int opts_global(struct ctl *c, int argc, char **argv, int *i);
/* Print the usage of one command to f. */
void opts_usage(FILE *f, const struct ctl_cmd *cmd);
/* "expense add AMOUNT CATEGORY" (words and positional args) into buf. */
void opts_synopsis(const struct ctl_cmd *cmd, char *buf, size_t size);
/* "spendctl: MESSAGE" on stderr, then cmd's usage (cmd may be NULL);
 * returns EXIT_USAGE. */
int opts_error(const struct ctl_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Local option (PARAM "-") given? */
bool opts_local_flag(struct ctl *c, const char *opt);

#endif
