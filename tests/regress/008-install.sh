#!/bin/sh
# make install into a staging DESTDIR puts everything in place, the
# installed spendd.conf has every key spendd knows (daemon/config.c),
# commented out, and spendd accepts it as it is and with every key
# uncommented; make uninstall then leaves only directories (and a plugin
# someone else put in the plugin directory).
. "$(dirname "$0")/lib.sh"

B=${B:-build}
BIN=${BIN:-.}
STAGE=$T/stage
PREFIX=/opt/spend

# -o all: install what is built, do not rebuild it here
make -s -C "$TOP" -o all install B="$B" BIN="$BIN" DESTDIR="$STAGE" \
    PREFIX="$PREFIX" >"$T/install.log" 2>&1
is "make install succeeds" "$?" 0
sed 's/^/#   /' "$T/install.log" | tail -5
R=$STAGE$PREFIX
for f in sbin/spendd bin/spendctl lib/spend/plugins/csv.so \
    lib/spend/plugins/reports.so share/spend/webui/index.html \
    share/spend/webui/js/app.js include/spend/plugin.h \
    lib/pkgconfig/spend-plugin.pc share/man/man1/spendctl.1 \
    share/man/man5/spendd.conf.5 share/man/man8/spendd.8 \
    share/bash-completion/completions/spendctl \
    lib/systemd/system/spendd.service share/spend/spendd.conf.example; do
	check "installs $f" test -f "$R/$f"
done
is "every plugin built is installed" \
    "$(ls "$R/lib/spend/plugins" | tr '\n' ' ')" \
    "$(ls "$PLUGIN_DIR" | grep '\.so$' | tr '\n' ' ')"
is "the unit runs the installed spendd" \
    "$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$R/lib/systemd/system/spendd.service")" \
    "$PREFIX/sbin/spendd"

# ---- the config: every key, commented out ----
conf=$R/share/spend/spendd.conf.example
# "section key" of every key spendd knows
sed -n 's/^[[:space:]]*[A-Z](\"\([a-z]*\)\", *\"\([a-z0-9_]*\)\".*/\1 \2/p' \
    "$TOP/daemon/config.c" | sort >"$T/known"
check "daemon/config.c's key table is read (30 keys or more)" \
    test "$(wc -l <"$T/known")" -ge 30
# "section key" of the config's keys, commented out or set
# (up to the example of a plugin's section, commented out)
awk '/^# Each plugin reads only its own section/ { exit }
     /^\[[a-z ]+\]/ { s = substr($0, 2, length($0) - 2); next }
     /^(# )?[a-z_0-9]+ =( |$)/ { k = $0; sub(/^# /, "", k); sub(/ =.*/, "", k)
	if (s != "") print s, k }' "$conf" | sort -u >"$T/has"
is "the config has every key spendd knows, in its section" \
    "$(comm -23 "$T/known" "$T/has" | tr '\n' ',')" ""
is "and no key spendd does not know" \
    "$(comm -13 "$T/known" "$T/has" | tr '\n' ',')" ""
is "every key is commented out but the socket" \
    "$(grep -E '^[a-z_0-9]+ *=' "$conf")" "socket = /run/spend/spendd.sock"
is "paths are under the prefix" \
    "$(grep -c /usr/local "$conf")" 0
like "the web UI's default is the installed one" "$(cat "$conf")" \
    "# webui = $PREFIX/share/spend/webui"
check "spendd -n accepts it" "$SPENDD" -n -c "$conf"
like "... and says so" "$(cat "$T/out")" "configuration ok"
# every key uncommented, up to the plugin sections' example
awk '/^# Each plugin reads only its own section/ { stop = 1 }
     !stop && /^# [a-z_0-9]+ =( |$)/ { sub(/^# /, "") } { print }' "$conf" >"$T/all.conf"
is "with every key set" "$(grep -cE '^[a-z_0-9]+ =( |$)' "$T/all.conf")" \
    "$(wc -l <"$T/known" | tr -d ' ')"
check "spendd -n accepts every default as written" "$SPENDD" -n -c "$T/all.conf"
printf '[daemon]\nworkerz = 4\n' >"$T/bad.conf"
check_fails "spendd -n refuses an unknown key (the check can fail)" \
    "$SPENDD" -n -c "$T/bad.conf"

# ---- uninstall ----
echo third-party >"$R/lib/spend/plugins/other.so"
make -s -C "$TOP" -o all uninstall B="$B" BIN="$BIN" DESTDIR="$STAGE" \
    PREFIX="$PREFIX" >"$T/uninstall.log" 2>&1
is "make uninstall succeeds" "$?" 0
is "make uninstall leaves only directories and the other plugin" \
    "$(cd "$STAGE" && find . ! -type d | sort | tr '\n' ' ')" \
    "./opt/spend/lib/spend/plugins/other.so "
rm "$R/lib/spend/plugins/other.so"
make -s -C "$TOP" -o all uninstall B="$B" BIN="$BIN" DESTDIR="$STAGE" \
    PREFIX="$PREFIX" >"$T/uninstall.log" 2>&1
is "make uninstall again (nothing left to remove) succeeds" "$?" 0
is "the empty plugin directory is gone too" \
    "$(cd "$STAGE" && find . -path '*spend*' -name plugins)" ""
done_testing
