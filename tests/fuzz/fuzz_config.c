/*
 * config_load on an arbitrary spendd.conf, then on the same bytes as -o
 * overrides (one per line). It must answer 0 or EINVAL with a message
 * (never crash, leak or accept an invalid result).
 */
/* fuzz-sources: daemon/config.c daemon/err.c daemon/util.c daemon/money.c daemon/netaddr.c daemon/notify_cfg.c */
/* fuzz-libs: $(INIH_LIBS) -lpthread */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "money.h"
#include "util.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

static void
check(struct config *c, int r, const struct spend_err *err)
{
	if (r == 0) {
		/* what validate() promises */
		CHECK(!strcmp(c->log, "stderr") || !strcmp(c->log, "syslog"));
		CHECK(money_currency(c->default_currency) != NULL);
		CHECK(timezone_valid(c->default_timezone));
		CHECK(c->workers >= 1 && c->workers <= 64);
		CHECK(c->n_admins <= CONFIG_MAX_ADMINS);
		CHECK(c->backup_dir[0] == '\0' || (c->backup_dir[0] == '/' &&
		    utf8_valid(c->backup_dir, strlen(c->backup_dir))));
		CHECK(c->backup_every >= 1 && c->backup_every <= 366 * 86400);
		CHECK(c->backup_keep >= 0);
		for (size_t i = 0; i < c->n_sections; i++) {
			const struct config_section *s = &c->sections[i];

			CHECK(config_plugin_section(c, s->name) == s);
			for (size_t k = 0; k < s->n; k++)
				CHECK(config_section_get(s, s->keys[k]) ==
				    s->values[k]);
		}
	} else {
		CHECK(r == SPEND_EINVAL || r == SPEND_ENOMEM);
		CHECK(err->msg[0] != '\0');
		CHECK(utf8_valid(err->msg, strlen(err->msg)));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct spend_err err;
	struct config c;
	char path[64], *text, *ov[32];
	size_t nov = 0;
	int r;

	if (size > 8192)
		return 0;
	if (fd < 0 && (fd = memfd_create("spendd.conf", 0)) < 0)
		abort();
	CHECK(ftruncate(fd, 0) == 0);
	CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	config_defaults(&c);
	r = config_load(&c, path, NULL, 0, &err);
	check(&c, r, &err);
	config_free(&c);

	/* the same bytes as -o overrides */
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (char *save = NULL, *l = strtok_r(text, "\n", &save);
	    l && nov < 32; l = strtok_r(NULL, "\n", &save))
		ov[nov++] = l;
	config_defaults(&c);
	r = config_load(&c, NULL, ov, nov, &err);
	check(&c, r, &err);
	config_free(&c);
	free(text);
	return 0;
}
