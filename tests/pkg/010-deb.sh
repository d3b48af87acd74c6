#!/bin/sh
# The Debian packages: built (make deb: dpkg-buildpackage -us -uc -b in a
# copy of the tree), clean under lintian, installed with their
# maintainer scripts into a temporary root (dpkg --root
# --force-script-chrootless: no chroot, the scripts honour DPKG_ROOT),
# where they make the spend user, /var/lib/spend (0750 spend) and the
# conffile; the installed spendd runs there as that user and the
# installed spendctl drives it. Then an upgrade keeps an edited conffile,
# remove keeps it, purge removes it (and keeps the data).
# DEBS=DIR: test the packages already in DIR instead of building them.
. "$(dirname "$0")/../regress/lib.sh"

case ${B:-build} in /*) out=$B/deb ;; *) out=$TOP/${B:-build}/deb ;; esac
version=$(sed -n 's/^VERSION = //p' "$TOP/Makefile")
for tool in dpkg-buildpackage lintian systemd-sysusers systemd-tmpfiles setpriv; do
	command -v $tool >/dev/null 2>&1 ||
	    { not_ok "$tool is missing (contrib/deps.sh --deb)"; done_testing; }
done

# ---- build ----
if [ -n "${DEBS:-}" ]; then
	out=$DEBS
	echo "# testing the packages in $out"
else
	t0=$(date +%s)
	sh "$TOP/contrib/mkdeb.sh" "$out" >"$T/mkdeb" 2>&1
	is "make deb builds the packages" "$?" 0
	sed 's/^/#   /' "$T/mkdeb"
	echo "# built in $(($(date +%s) - t0)) s (log: $out/build.log)"
fi
deb=$out/spend_${version}_amd64.deb
dev=$out/spend-dev_${version}_all.deb
check "spend_${version}_amd64.deb is there" test -f "$deb"
check "spend-dev_${version}_all.deb is there" test -f "$dev"
[ -f "$deb" ] && [ -f "$dev" ] || done_testing

# ---- lintian: no error, no warning (the overrides say why) ----
lintian --pedantic -I "$deb" "$dev" >"$T/lintian" 2>&1
grep -v 'running with root privileges' "$T/lintian" | sed 's/^/# lintian: /'
is "lintian: no errors" "$(grep -c '^E:' "$T/lintian")" 0
is "lintian: no warnings" "$(grep -c '^W:' "$T/lintian")" 0

# ---- what the packages hold ----
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$T/files"
for f in /usr/sbin/spendd /usr/bin/spendctl /usr/lib/spend/plugins/csv.so \
    /usr/lib/spend/plugins/pdf.so /usr/share/spend/webui/index.html \
    /usr/share/man/man8/spendd.8.gz /usr/share/man/man1/spendctl.1.gz \
    /usr/share/man/man5/spendd.conf.5.gz /lib/systemd/system/spendd.service \
    /usr/lib/sysusers.d/spend.conf /usr/lib/tmpfiles.d/spend.conf \
    /etc/spend/spendd.conf /usr/share/doc/spend/ADMIN.md.gz \
    /usr/share/bash-completion/completions/spendctl; do
	check "spend has $f" grep -qx "$f" "$T/files"
done
dpkg-deb -c "$dev" | awk '{ print $6 }' | sed 's|^\./|/|' >"$T/devfiles"
for f in /usr/include/spend/plugin.h /usr/share/pkgconfig/spend-plugin.pc; do
	check "spend-dev has $f" grep -qx "$f" "$T/devfiles"
done
is "spend-dev has no binaries" "$(grep -c '/s\?bin/' "$T/devfiles")" 0

# ---- install into a root of its own ----
# dpkg, systemd-tmpfiles (chown to spend) and setpriv need root
if [ "$(id -u)" != 0 ]; then
	ok "# SKIP installing into a temporary root: needs root (dpkg --root" \
	    "gives files to the spend user; setpriv runs spendd as it)"
	done_testing
fi
chmod 755 "$T"		# the spend user runs the daemon below it
R=$T/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" \
    "$R/var/lib/dpkg/triggers"
: >"$R/var/lib/dpkg/status"
: >"$R/var/lib/dpkg/available"
# the root has no libc and no libraries: their host copies are used
DPKG="dpkg --root=$R --force-script-chrootless --force-depends --log=$T/dpkg.log"
$DPKG -i "$deb" "$dev" >"$T/dpkg.out" 2>&1 </dev/null
is "dpkg --root -i spend spend-dev" "$?" 0
grep -v -e '^ ' -e '^$' -e 'is not installed' -e 'however:$' -e 'dependency problems' \
    "$T/dpkg.out" | sed 's/^/#   /'
status() { dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | tr -d ' '; }
is "spend is installed and configured" "$(status spend)" ii
is "spend-dev is installed and configured" "$(status spend-dev)" ii

# the postinst's work
line=$(grep '^spend:' "$R/etc/passwd")
uid=$(echo "$line" | cut -d: -f3)
gid=$(echo "$line" | cut -d: -f4)
like "postinst made the user spend" "$line" ":/var/lib/spend:/usr/sbin/nologin"
check "spend is a system user (uid < 1000)" test "${uid:-1000}" -lt 1000
is "... with a group spend" "$(grep '^spend:' "$R/etc/group" | cut -d: -f3)" "$gid"
is "/var/lib/spend: 0750, owned by spend" \
    "$(stat -c '%a %u %g' "$R/var/lib/spend")" "750 $uid $gid"
is "/var/lib/spend/spendd.sock leads to the unit's socket" \
    "$(readlink "$R/var/lib/spend/spendd.sock")" /run/spend/spendd.sock
is "/etc/spend/spendd.conf is a conffile" \
    "$(dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${Conffiles}' spend | awk '{print $1}')" \
    /etc/spend/spendd.conf
conf=$R/etc/spend/spendd.conf
check "spendd -n accepts /etc/spend/spendd.conf" "$R/usr/sbin/spendd" -n -c "$conf"
is "every key in it is commented out but the socket" \
    "$(grep -E '^[a-z_0-9]+ *=' "$conf")" "socket = /run/spend/spendd.sock"
like "the web UI's default is /usr's" "$(cat "$conf")" \
    "# webui = /usr/share/spend/webui"
is "the unit is not enabled by the package" \
    "$(find "$R/etc/systemd" -name 'spendd.service' 2>/dev/null)" ""
unit=$R/lib/systemd/system/spendd.service
is "the packaged unit runs /usr/sbin/spendd" \
    "$(sed -n 's/^ExecStart=//p' "$unit")" "/usr/sbin/spendd -f -c /etc/spend/spendd.conf"
if command -v systemd-analyze >/dev/null 2>&1; then
	score=$(systemd-analyze security --offline=yes "$unit" 2>&1 |
	    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	check "systemd-analyze security: the packaged unit's exposure is 2.0 or lower (got $score)" \
	    awk -v a="$score" 'BEGIN { exit !(a != "" && a + 0 <= 2.0) }'
fi
is "spendd --version" "$("$R/usr/sbin/spendd" --version | cut -d' ' -f1,2)" \
    "spendd $version"

# ---- the installed spendd, as spend, driven by the installed spendctl ----
# the RuntimeDirectory systemd would make
install -d -m 0750 -o "$uid" -g "$gid" "$R/run/spend"
SOCK=$R/run/spend/spendd.sock
HTTP_PORT=$(free_port)
setpriv --reuid="$uid" --regid="$gid" --clear-groups --no-new-privs \
    "$R/usr/sbin/spendd" -f -c "$conf" --data-dir "$R/var/lib/spend" \
    -o "daemon.socket=$SOCK" -o "http.listen=127.0.0.1:$HTTP_PORT" \
    -o "http.webui=$R/usr/share/spend/webui" \
    -o "plugins.dir=$R/usr/lib/spend/plugins" $CHEAP >>"$T/spendd.log" 2>&1 &
SPENDD_PID=$!
wait_for "the installed spendd's socket" _started
check "the installed spendd starts as spend" test -S "$SOCK"
[ -S "$SOCK" ] || { sed 's/^/#   /' "$T/spendd.log"; done_testing; }
is "the socket is 0660, group spend" "$(stat -c '%a %g' "$SOCK")" "660 $gid"
is "the database belongs to spend" "$(stat -c '%u' "$R/var/lib/spend/spend.db")" "$uid"
echo "# files in /var/lib/spend: $(stat -c '%n %a' "$R"/var/lib/spend/* | sed "s|$R||" | tr '\n' ' ')"

SPENDCTL=$R/usr/bin/spendctl
check "spendctl status (root is an administrator)" ctl status
like "... the version" "$(cat "$T/out")" "$version"
check "spendctl user add alice" ctl user add alice --currency EUR
check "spendctl expense add 12.50 food" ctl --user alice expense add 12.50 food \
    --date 2026-03-14 --note "from the package"
j=$(ctl --json --user alice expense list)
is "spendctl expense list: one expense" "$(echo "$j" | jget count)" 1
is "... 12.50" "$(echo "$j" | jget items.0.amount)" 12.50
is "... its note" "$(echo "$j" | jget items.0.note)" "from the package"
is "the packaged plugins load" \
    "$(rpc plugin.list | jget -j' ' 'result.plugins[name=csv].0.state' 'result.plugins[name=pdf].0.state')" \
    "loaded loaded"
check "the web UI is served from /usr/share/spend/webui" \
    curl -sf -o "$T/index.html" "http://127.0.0.1:$HTTP_PORT/"
like "... it is the web UI" "$(cat "$T/index.html")" "js/app.js"
# another user of group spend reaches the socket, and is refused: only
# root, spend and [daemon] admin_uids are administrators
setpriv --reuid=54321 --regid="$gid" --clear-groups "$SPENDCTL" \
    --socket "$SOCK" status >"$T/out" 2>&1
like "a member of group spend is refused unless in admin_uids" \
    "$(cat "$T/out")" "admin_uids"
setpriv --reuid=54321 --regid=54321 --clear-groups "$SPENDCTL" \
    --socket "$SOCK" status >"$T/out" 2>&1
like "someone outside group spend cannot reach the socket" \
    "$(cat "$T/out")" "ermission denied"
stop_spendd

# ---- upgrade (the same package again): the edited conffile stays ----
echo "# edited by the administrator" >>"$conf"
$DPKG -i "$deb" >"$T/dpkg.out" 2>&1 </dev/null
is "dpkg -i again (an upgrade), without a question" "$?" 0
is "the edit of /etc/spend/spendd.conf is kept" "$(tail -1 "$conf")" \
    "# edited by the administrator"
is "... spend is configured" "$(status spend)" ii

# ---- remove, purge ----
$DPKG -r spend-dev spend >"$T/dpkg.out" 2>&1 </dev/null
is "dpkg -r spend" "$?" 0
check_fails "the binaries are gone" test -e "$R/usr/sbin/spendd"
check "the conffile stays on remove" test -f "$conf"
$DPKG -P spend >"$T/dpkg.out" 2>&1 </dev/null
is "dpkg -P spend" "$?" 0
check_fails "purge removes /etc/spend/spendd.conf" test -e "$conf"
check "purge keeps the data (/var/lib/spend/spend.db)" \
    test -f "$R/var/lib/spend/spend.db"
done_testing
