#!/bin/sh
# contrib/spendd.service (which make install and the Debian package
# install, with their own prefix): systemd reads every line of it, its
# sandbox is rated 2.0 or lower by systemd-analyze security, and it has
# the pieces the packaging relies on (docs/ADMIN.md).
. "$(dirname "$0")/lib.sh"

unit=$TOP/contrib/spendd.service
if ! command -v systemd-analyze >/dev/null 2>&1; then
	ok "# SKIP systemd-analyze is missing (Debian package systemd; contrib/deps.sh)"
	done_testing
fi

# exposure FILE: the overall exposure systemd-analyze gives the unit
exposure() {
	systemd-analyze security --offline=yes "$1" 2>&1 |
	    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p'
}
# at_most A B: decimal A <= B
at_most() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 <= b + 0) }'; }

# as make install writes it for /usr (the package's), ExecStart pointing
# at the spendd under test so that verify finds it
mkdir -p "$T/u"
sed -e "s|/usr/local/|/usr/|g" "$unit" >"$T/u/spendd.service"
is "make install's unit runs /usr/sbin/spendd for PREFIX=/usr" \
    "$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$T/u/spendd.service")" /usr/sbin/spendd
sed -i "s|^ExecStart=/usr/sbin/spendd|ExecStart=$SPENDD|" "$T/u/spendd.service"
systemd-analyze verify --man=no "$T/u/spendd.service" >"$T/verify" 2>&1
is "systemd-analyze verify: no unknown or bad lines" "$(cat "$T/verify")" ""

score=$(exposure "$T/u/spendd.service")
echo "# exposure: $score"
check "systemd-analyze security rates the unit 2.0 or lower (got $score)" \
    at_most "$score" 2.0
# the same check fails on the unit without its sandbox
sed '/^# Sandbox/,/^\[Install\]/{/^\[Install\]/!d}' "$T/u/spendd.service" \
    >"$T/u2.service"
mkdir -p "$T/u2" && mv "$T/u2.service" "$T/u2/spendd.service"
bare=$(exposure "$T/u2/spendd.service")
echo "# exposure without the sandbox: $bare"
check_fails "... and above 2.0 without its sandbox (got $bare)" at_most "$bare" 2.0

for line in LimitNOFILE= User=spend Group=spend StateDirectory=spend \
    StateDirectoryMode=0750 RuntimeDirectory=spend RuntimeDirectoryMode=0750 \
    UMask=0027 NoNewPrivileges=yes CapabilityBoundingSet= \
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' \
    SystemCallFilter=@system-service MemoryDenyWriteExecute=yes \
    ProtectKernelTunables=yes ProtectKernelModules=yes ProtectKernelLogs=yes \
    PrivateDevices=yes LockPersonality=yes RestrictNamespaces=yes \
    ProtectSystem=strict 'ExecStart=/usr/local/sbin/spendd -f -c /etc/spend/spendd.conf'; do
	check "the unit has $line" grep -q "^$line" "$unit"
done
# the socket spendd.conf names is in the unit's RuntimeDirectory
rd=$(sed -n 's/^RuntimeDirectory=//p' "$unit")
sh "$TOP/contrib/mkconf.sh" --prefix /usr --socket "/run/$rd/spendd.sock" >"$T/conf"
is "the installed config's socket is in /run/$rd" \
    "$(sed -n 's/^socket = //p' "$T/conf")" "/run/$rd/spendd.sock"
like "make install writes that config" "$(cat "$TOP/Makefile")" \
    "--socket /run/$rd/spendd.sock"
done_testing
