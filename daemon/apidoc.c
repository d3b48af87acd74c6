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
	    SPEND_ERESYNC,
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
		{
			char syn[512];

			rpc_synopsis(&m[i], syn, sizeof(syn));
			cell(f, syn[0] ? syn : "-");
		}
		fputs(" | ", f);
		cell(f, m[i].summary);
		fputs(" |\n", f);
	}
	fprintf(f, "\n### Parameters\n\nWhat the dispatcher checks before a "
	    "method runs (an unknown or mistyped parameter is an `invalid` "
	    "error naming it); `*` marks a required one. Over REST, path "
	    "parameters and the query string become parameters too; a "
	    "parameter marked secret is refused in a query string.\n");
	for (size_t i = 0; i < n; i++) {
		const struct rpc_param *p = m[i].params;

		if (p == NULL || p->name == NULL)
			continue;
		fprintf(f, "\n`%s`%s\n\n| param | type | what |\n"
		    "|---|---|---|\n", m[i].name, (m[i].flags & RPC_MORE) ?
		    " (and the report's own params)" : "");
		for (; p->name; p++) {
			char type[64];

			rpc_param_type(p, type, sizeof(type));
			fprintf(f, "| `%s`%s | %s%s | ", p->name,
			    (p->flags & PF_REQUIRED) ? " *" : "", type,
			    (p->flags & PF_SECRET) ? ", secret" : "");
			cell(f, p->help);
			fputs(" |\n", f);
		}
	}
	fprintf(f, "\n### Routes\n\nThe REST facade: each method's route, "
	    "its role, the status of its success and what its body is.\n\n"
	    "| route | method | role | success | body |\n"
	    "|---|---|---|---|---|\n");
	for (size_t i = 0; i < n; i++) {
		if (m[i].route == NULL)
			continue;
		fputc('`', f);
		cell(f, m[i].route);
		fprintf(f, "` | `%s` | %s | %d%s | %s |\n", m[i].name,
		    roles[m[i].role], m[i].status ? m[i].status : 200,
		    (m[i].flags & RPC_DOWNLOAD) ? " (a file)" : "",
		    (m[i].flags & RPC_UPLOAD) ? "the file (`[http] max_import`)" :
		    "JSON params (`[http] max_body`)");
	}
	fprintf(f, "\n| error type | JSON-RPC code | HTTP status |\n"
	    "|---|---|---|\n");
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		fprintf(f, "| `%s` | %d | %d |\n", spend_err_name(codes[i]),
		    spend_err_rpc_code(codes[i]), spend_err_http_status(codes[i]));
}
