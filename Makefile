# Spend: one non-recursive Makefile. Run ./configure first (make does it for you).
.SUFFIXES:

-include config.mk

VERSION = 0.1.0
# B: objects and test binaries; BIN: spendd and spendctl. Parallel
# checkouts or sessions can build side by side with make B=x BIN=x.
B = build
BIN = .
CPPFLAGS = -Iinclude -iquote daemon -iquote daemon/store -DSPEND_VERSION=\"$(VERSION)\" \
	-DSPEND_PREFIX=\"$(PREFIX)\" -DSPEND_FONT=\"$(FONT)\"
LIBCFLAGS = $(EVENT_CFLAGS) $(SQLITE_CFLAGS) $(SODIUM_CFLAGS) $(JANSSON_CFLAGS) $(INIH_CFLAGS) $(CURL_CFLAGS) $(UNISTRING_CFLAGS)
LIBS = $(EVENT_LIBS) $(SQLITE_LIBS) $(SODIUM_LIBS) $(JANSSON_LIBS) $(INIH_LIBS) $(CURL_LIBS) $(UNISTRING_LIBS) -lpthread -ldl -lm
ALL_CFLAGS = $(CFLAGS_BASE) $(CPPFLAGS) $(LIBCFLAGS) $(CFLAGS)

DAEMON_SRC = $(filter-out daemon/main.c,$(wildcard daemon/*.c daemon/*/*.c))
DAEMON_OBJ = $(DAEMON_SRC:%.c=$(B)/%.o)
CTL_SRC = $(wildcard ctl/*.c)
CTL_OBJ = $(CTL_SRC:%.c=$(B)/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
PLUGIN_DIRS = $(patsubst %/,%,$(dir $(wildcard plugins/*/Makefrag)))
PLUGINS =

all: $(BIN)/spendd $(BIN)/spendctl plugins

config.mk:
	contrib/deps.sh --build-only
	./configure

$(B)/%.o: %.c config.mk
	@mkdir -p $(@D)
	@echo "  CC $<"
	@$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(B)/libspendd.a: $(DAEMON_OBJ)
	rm -f $@
	ar rcs $@ $(DAEMON_OBJ)

$(BIN)/spendd: $(B)/daemon/main.o $(B)/libspendd.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_BASE) -rdynamic -o $@ $(B)/daemon/main.o $(B)/libspendd.a $(LIBS) $(LDFLAGS)

$(BIN)/spendctl: $(CTL_OBJ) $(B)/libspendd.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_BASE) -o $@ $(CTL_OBJ) $(B)/libspendd.a $(LIBS) $(LDFLAGS)

$(B)/tests/test_%: tests/unit/test_%.c $(B)/libspendd.a tests/unit/testutil.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CMOCKA_CFLAGS) -Itests/unit -o $@ $< $(B)/libspendd.a \
		$(LDFLAGS_BASE) $(CMOCKA_LIBS) $(PLUGIN_LIBS) $(LIBS) $(LDFLAGS)

# the fault sweeps share their harness
$(B)/tests/test_faults_io $(B)/tests/test_faults_oom: tests/unit/faults.h

# The regress tests' helpers (tests/tools/): JSON fields, one JSON-RPC
# call, free ports. Plain flags, never the sanitizers of a check-asan
# build: they are not under test, and their reports would be the test's.
TOOLS = $(B)/tests/tools/jget $(B)/tests/tools/rpc $(B)/tests/tools/port
TOOL_CFLAGS = -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror $(JANSSON_CFLAGS)
$(B)/tests/tools/%: tests/tools/%.c config.mk
	@mkdir -p $(@D)
	$(CC) $(TOOL_CFLAGS) -o $@ $< $(JANSSON_LIBS)
tools: $(TOOLS)

# Plugins: each plugins/NAME/Makefrag appends $(B)/plugins/NAME.so to
# PLUGINS and gives its rule, built with PLUGIN_CFLAGS.
# (each plugin compiles and links in one step: PLUGIN_LDFLAGS are its link
# flags, e.g. the Debian package's -z relro -z now)
PLUGIN_CFLAGS = $(CFLAGS_BASE) -Iinclude -fPIC -shared -fvisibility=hidden $(CFLAGS) $(PLUGIN_LDFLAGS)
PLUGIN_LIBS = $(CSV_LIBS) $(OFX_LIBS) $(HPDF_LIBS)
include $(wildcard plugins/*/Makefrag)
plugins: $(PLUGINS)

tests: $(UNIT_BIN) $(TOOLS)

deps:
	@contrib/deps.sh

deps-build:
	@contrib/deps.sh --build-only

run: deps-build all
	@mkdir -p var
	$(BIN)/spendd -f --data-dir var -o http.webui=webui -o plugins.dir=$(B)/plugins

# The build in parallel (unless make -jN already says how), then the
# tests, several at once (tests/run.sh: make -jN or JOBS=N).
NPROC := $(shell getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
check: deps
	@$(MAKE) --no-print-directory $(if $(filter -j%,$(MAKEFLAGS)),,-j$(NPROC)) \
		all tests
	@B=$(B) BIN=$(BIN) sh tests/run.sh

# The whole suite again under AddressSanitizer and UBSan, built apart in
# build-asan/ (CI runs it after make check).
ASAN_FLAGS = -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
check-asan: deps
	$(MAKE) B=build-asan BIN=build-asan CFLAGS="$(ASAN_FLAGS)" \
		LDFLAGS="-fsanitize=address,undefined" check

bench: deps all
	@B=$(B) BIN=$(BIN) sh tests/bench/run.sh

fuzz: deps all
	@B=$(B) BIN=$(BIN) sh tests/fuzz/run.sh

# the long proofs (tests/soak/*.sh): minutes, not part of make check
soak: deps all tests
	@B=$(B) BIN=$(BIN) sh tests/soak/run.sh

# Where make install puts the systemd unit and spend-plugin.pc (the
# Debian package: /lib/systemd/system and /usr/share/pkgconfig).
UNITDIR = $(PREFIX)/lib/systemd/system
PKGCONFIGDIR = $(PREFIX)/lib/pkgconfig
# What make install puts in place, but the web UI (a directory of its own)
# and the directories; make uninstall removes them (tests/regress/008-install.sh).
INSTALLED = $(PREFIX)/sbin/spendd $(PREFIX)/bin/spendctl \
	$(patsubst $(B)/plugins/%,$(PREFIX)/lib/spend/plugins/%,$(PLUGINS)) \
	$(PREFIX)/include/spend/plugin.h $(PKGCONFIGDIR)/spend-plugin.pc \
	$(PREFIX)/share/man/man1/spendctl.1 $(PREFIX)/share/man/man5/spendd.conf.5 \
	$(PREFIX)/share/man/man8/spendd.8 \
	$(PREFIX)/share/bash-completion/completions/spendctl \
	$(UNITDIR)/spendd.service $(PREFIX)/share/spend/spendd.conf.example

install: all
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin \
		$(DESTDIR)$(PREFIX)/share/spend/webui $(DESTDIR)$(PREFIX)/lib/spend/plugins \
		$(DESTDIR)$(PREFIX)/include/spend $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5 \
		$(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(UNITDIR)
	install -m 755 $(BIN)/spendd $(DESTDIR)$(PREFIX)/sbin/spendd
	install -m 755 $(BIN)/spendctl $(DESTDIR)$(PREFIX)/bin/spendctl
	if [ -d webui ]; then cp -R webui/. $(DESTDIR)$(PREFIX)/share/spend/webui/; fi
	for p in $(PLUGINS); do install -m 755 $$p $(DESTDIR)$(PREFIX)/lib/spend/plugins/; done
	if [ -f include/spend/plugin.h ]; then install -m 644 include/spend/plugin.h $(DESTDIR)$(PREFIX)/include/spend/; fi
	if [ -f contrib/spend-plugin.pc.in ]; then sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' \
		contrib/spend-plugin.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/spend-plugin.pc; fi
	install -m 644 docs/spendctl.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 docs/spendd.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 644 docs/spendd.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 644 contrib/spendctl.bash-completion \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/spendctl
	sed 's|/usr/local/|$(PREFIX)/|g' contrib/spendd.service \
		>$(DESTDIR)$(UNITDIR)/spendd.service
	chmod 644 $(DESTDIR)$(UNITDIR)/spendd.service
	sh contrib/mkconf.sh --prefix $(PREFIX) --socket /run/spend/spendd.sock \
		contrib/spendd.conf.sample >$(DESTDIR)$(PREFIX)/share/spend/spendd.conf.example
	chmod 644 $(DESTDIR)$(PREFIX)/share/spend/spendd.conf.example

# Only what install put there: plugins others added to the plugin
# directory stay, and so do directories still holding something.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	rm -rf $(DESTDIR)$(PREFIX)/share/spend/webui
	for d in $(PREFIX)/share/spend $(PREFIX)/lib/spend/plugins $(PREFIX)/lib/spend \
		$(PREFIX)/include/spend; do \
		if [ -d $(DESTDIR)$$d ]; then rmdir $(DESTDIR)$$d 2>/dev/null || true; fi; done

# docs/API.md = hand-written head + tables printed from the method table
# + the hand-written REST section (docs/API.md.rest, if present).
docs: $(BIN)/spendd
	{ cat docs/API.md.head; $(BIN)/spendd --api-doc; \
	  if [ -f docs/API.md.rest ]; then echo; cat docs/API.md.rest; fi; } >docs/API.md

clean:
	rm -rf $(B) $(BIN)/spendd $(BIN)/spendctl

distclean: clean
	rm -f config.mk

.PHONY: all plugins tests tools deps deps-build run check check-asan bench fuzz soak install uninstall docs clean distclean

# The Debian packages (debian/), built by dpkg-buildpackage -us -uc -b in
# a copy of this tree under $(B)/deb (this tree's build is left alone):
# $(B)/deb/spend_$(VERSION)_amd64.deb and spend-dev_$(VERSION)_all.deb.
# contrib/deps.sh --deb installs what that needs (debhelper, lintian).
deb:
	@contrib/deps.sh --deb
	sh contrib/mkdeb.sh $(B)/deb

# The packages built, checked with lintian, installed into a temporary
# root (dpkg --root, maintainer scripts included) and run from there:
# minutes, so not part of make check (tests/pkg/run.sh)
check-deb:
	@contrib/deps.sh --deb
	@B=$(B) sh tests/pkg/run.sh

.PHONY: deb check-deb

-include $(DAEMON_OBJ:.o=.d) $(CTL_OBJ:.o=.d) $(B)/daemon/main.d
