#!/bin/sh
# make deb: the Debian packages, built by dpkg-buildpackage -us -uc -b in a
# copy of the tree under OUT (default build/deb), so that this tree's
# build, config.mk and binaries are left alone (a Debian build cleans its
# tree). The copy is the work tree as it is, tracked and untracked files
# but nothing git ignores (without git: everything but build products).
# Prints the packages' paths. DEB_BUILD_OPTIONS is passed on; it defaults
# to "nocheck" (make check is the test suite; debian/rules runs the unit
# tests without nocheck).
# Usage: contrib/mkdeb.sh [OUT]
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)

version=$(sed -n 's/^VERSION = //p' "$top/Makefile")
debver=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
if [ "$version" != "$debver" ]; then
	echo "mkdeb.sh: debian/changelog is at $debver but the Makefile at" \
	    "$version: add an entry for $version (dch -v $version)" >&2
	exit 1
fi

src=$out/spend-$version
rm -rf "$src"
mkdir -p "$src"
cd "$top"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# files deleted but not yet committed are listed and skipped
	git ls-files -z --cached --others --exclude-standard |
	    tar --null -T - --ignore-failed-read -cf - 2>/dev/null |
	    tar -xf - -C "$src"
else
	tar --exclude=./build --exclude='./build-*' --exclude=./var \
	    --exclude=./spendd --exclude=./spendctl --exclude=./config.mk \
	    --exclude=node_modules --exclude='*.o' --exclude='*.so' \
	    --exclude="./${out#"$top"/}" -cf - . | tar -xf - -C "$src"
fi
[ -f "$src/debian/rules" ] || { echo "mkdeb.sh: no debian/ in the copy" >&2; exit 1; }

rm -f "$out"/spend_"$version"_* "$out"/spend-dev_"$version"_* \
    "$out"/spend-dbgsym_"$version"_*
cd "$src"
DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS-nocheck} \
    dpkg-buildpackage -us -uc -b >"$out/build.log" 2>&1 || {
	echo "mkdeb.sh: dpkg-buildpackage failed; the end of $out/build.log:" >&2
	tail -30 "$out/build.log" >&2
	exit 1
}
ls "$out"/spend_"$version"_*.deb "$out"/spend-dev_"$version"_*.deb
