#!/bin/sh
# contrib/example-plugin builds out of tree against an installed Spend
# (make install into a staging DESTDIR, found through pkg-config), loads,
# gets its [plugin example] section, imports and hears about the import.
. "$(dirname "$0")/lib.sh"

B=${B:-build}
BIN=${BIN:-.}
STAGE=$T/stage
PREFIX=/opt/spend	# not /usr: pkg-config drops -I/usr/include

# -o all: install what is built, do not rebuild it here
make -s -C "$TOP" -o all install B="$B" BIN="$BIN" DESTDIR="$STAGE" \
    PREFIX="$PREFIX" >"$T/install.log" 2>&1 ||
	echo "# make install failed (continuing with what it installed):" \
	    "$(tail -3 "$T/install.log")"
check "make install puts plugin.h" test -f "$STAGE$PREFIX/include/spend/plugin.h"
check "make install puts spend-plugin.pc" \
    test -f "$STAGE$PREFIX/lib/pkgconfig/spend-plugin.pc"

export PKG_CONFIG_PATH="$STAGE$PREFIX/lib/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$STAGE"
is "pkg-config knows spend-plugin" "$(pkg-config --modversion spend-plugin)" \
    "$(sed -n 's/^VERSION = //p' "$TOP/Makefile")"
is "its cflags point into the staging prefix" \
    "$(pkg-config --cflags spend-plugin | tr -d ' ')" "-I$STAGE$PREFIX/include"
is "plugindir" "$(pkg-config --variable=plugindir spend-plugin)" \
    "$STAGE$PREFIX/lib/spend/plugins"

# out of tree: a copy of the example, nothing of the source tree on the
# include path but what pkg-config says
cp -R "$TOP/contrib/example-plugin" "$T/example"
check "example plugin builds out of tree" make -C "$T/example" \
    CFLAGS="-O2 -Wall -Wextra -Werror -std=c17"
check "example.so exports only its two symbols" sh -c \
    "nm -D --defined-only '$T/example/example.so' | grep -v ' _' |
     awk '{print \$3}' | sort | tr '\n' ' ' | grep -qx 'spend_plugin_abi spend_plugin_init '"
mkdir -p "$T/plugins"
check "make install of the example" make -C "$T/example" install \
    DESTDIR="$T/inst"
cp "$T/example/example.so" "$T/plugins/"

start_spendd -o "plugins.dir=$T/plugins" -o "plugin example.tag=imported" ||
	exit 1
is "example loads" "$(rpc plugin.list '{}' | jget -j' ' 'result.plugins[name=example].0.state' 'result.plugins[name=example].0.kind')" \
    "loaded importer,notifier"
check "user" ctl user add alice --currency EUR
cat >"$T/march.simple" <<'EOF'
# march
2024-03-01 12.50 food Market on the square
2024-03-02 -3 food refund
EOF
check "import with the example importer (auto by extension)" \
    ctl --user alice import "$T/march.simple"
like "two rows added" "$(cat "$T/out")" "2 rows, 2 added"
is "its config reached it (tag)" \
    "$(rpc expense.list '{"user":"alice"}' | jget 'result.items.*.tags.*' | sort -u)" imported
is "the amounts are exact" \
    "$(rpc expense.list '{"user":"alice","sort":"date","order":"asc"}' | jget -j' ' 'result.items.*.amount')" \
    "12.50 -3.00"
like "its notifier heard of the import" "$(cat "$T/spendd.log")" \
    "plugin example: import done for alice: {"

done_testing
