/* Reading a cookie out of a Cookie header. */
#include <string.h>

#include "cookie.h"

void
cookie_get(const char *header, const char *name, char *out, size_t size)
{
	size_t n = strlen(name);
	const char *p = header;

	out[0] = '\0';
	while (p && *p) {
		while (*p == ' ' || *p == ';')
			p++;
		if (strncmp(p, name, n) == 0 && p[n] == '=') {
			const char *v = p + n + 1;
			size_t len = strcspn(v, ";");

			if (len < size) {
				memcpy(out, v, len);
				out[len] = '\0';
			}
			return;
		}
		p = strchr(p, ';');
	}
}
