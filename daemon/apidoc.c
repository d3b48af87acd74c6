/* docs/API.md's method and error tables, printed from the method table
 * and the error table so the docs cannot drift from the code. */
#include <stdio.h>

#include "apidoc.h"
#include "err.h"
#include "rpc.h"

/* Markdown table cells: escape the column separator. */
static void
cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s, f);
	}
}

void
apidoc_print(FILE *f)
{
	static const char *roles[] = { "public", "user", "admin" };
	static const int codes[] = { SPEND_EPARSE, SPEND_EREQUEST,
	    SPEND_ENOMETHOD, SPEND_EINVAL, SPEND_EAUTH, SPEND_EPERM,
	    SPEND_ENOTFOUND, SPEND_ECONFLICT, SPEND_EINFLIGHT, SPEND_ERUNNING,
	    SPEND_ESTALE, SPEND_ETOOBIG, SPEND_EIDEMPOTENCY, SPEND_ERATELIMIT,
	    SPEND_EBUSY, SPEND_EUNAVAIL, SPEND_EFULL, SPEND_ESTORE,
	    SPEND_EINTERNAL };
	size_t n;
	const struct rpc_method *m = rpc_methods(&n);

	fprintf(f, "| method | role | REST route | params | what it does |\n"
	    "|---|---|---|---|---|\n");
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "| `%s` | %s%s | ", m[i].name, roles[m[i].role],
		    (m[i].flags & RPC_WRITE) ? ", write" : "");
		if (m[i].route) {
			fputc('`', f);
			cell(f, m[i].route);
			fputc('`', f);
		} else
			fputc('-', f);
		fputs(" | ", f);
		cell(f, m[i].params && *m[i].params ? m[i].params : "-");
		fputs(" | ", f);
		cell(f, m[i].summary);
		fputs(" |\n", f);
	}
	fprintf(f, "\n| error type | JSON-RPC code | HTTP status |\n"
	    "|---|---|---|\n");
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		fprintf(f, "| `%s` | %d | %d |\n", spend_err_name(codes[i]),
		    spend_err_rpc_code(codes[i]), spend_err_http_status(codes[i]));
}
