#!/bin/sh
# Install the Debian packages Spend needs to build and test, when missing.
# Does nothing when everything is present.
# Usage: contrib/deps.sh [--build-only | --deb]
#   (none)        build and make check
#   --build-only  build
#   --deb         build and make deb / make check-deb (debhelper, lintian)
set -eu

BUILD="build-essential pkg-config libevent-dev libsqlite3-dev sqlite3 libsodium-dev
libjansson-dev libhpdf-dev libcsv-dev libofx-dev libinih-dev libcmocka-dev zlib1g-dev fonts-dejavu-core"
# deliveries (webhook, email) and the rates fetch: libcurl's multi interface
BUILD="$BUILD libcurl4-openssl-dev"
# search: Unicode case folding and normalisation (u8_casefold, u8_normalize)
BUILD="$BUILD libunistring-dev"
# CJK glyphs for the pdf exporter (DejaVu has none)
BUILD="$BUILD fonts-droid-fallback"
TEST="curl python3 python3-aiosmtpd openssl procps time tzdata poppler-utils hledger ledger wrk valgrind clang libclang-rt-14-dev chromium nodejs npm faketime"
# the man page lint and the unit's exposure score (systemd-analyze)
TEST="$TEST mandoc systemd"
DEB="debhelper lintian"

pkgs=$BUILD
case ${1:-} in
--build-only) ;;
--deb) pkgs="$pkgs $DEB" ;;
*) pkgs="$pkgs $TEST" ;;
esac

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
# node may come from outside Debian (nvm, nodesource): accept any working node+npm.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
	missing=$(printf '%s\n' $missing | grep -vx -e nodejs -e npm | tr '\n' ' ')
fi
missing=$(echo $missing)
# The regress tests' node packages (tests/js: jose, playwright-core, axe-core), in
# full mode, when missing; run again at the end if npm came with apt.
js_deps() {
	case ${1:-} in --build-only|--deb) return 0 ;; esac
	js=$(dirname "$0")/../tests/js
	[ -d "$js/node_modules/jose" ] &&
		[ -d "$js/node_modules/playwright-core" ] &&
		[ -d "$js/node_modules/axe-core" ] && return 0
	command -v npm >/dev/null 2>&1 || return 0
	echo "deps.sh: npm install --prefix tests/js" >&2
	npm install --prefix "$js" --no-audit --no-fund >&2 ||
		echo "deps.sh: npm install failed" >&2
}
js_deps "$@"
[ -z "$missing" ] && exit 0

echo "deps.sh: installing:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
js_deps "$@"
