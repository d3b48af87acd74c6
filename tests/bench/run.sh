#!/bin/sh
# make bench: run every tests/bench/bench-*.sh with the binaries of B/BIN.
# Benchmarks print their own tables; nothing here passes or fails on time.
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
BIN=${BIN:-.}
SPENDD=$(cd "$BIN" && pwd)/spendd
SPENDCTL=$(cd "$BIN" && pwd)/spendctl
PLUGIN_DIR=$(pwd)/$B/plugins
export B BIN SPENDD SPENDCTL PLUGIN_DIR
status=0
BENCH_TARGETS=$(mktemp "${TMPDIR:-/tmp}/spend-targets.XXXXXX")
export BENCH_TARGETS
trap 'rm -f "$BENCH_TARGETS"' EXIT
for b in tests/bench/bench-*.sh; do
	[ -f "$b" ] || continue
	echo "==== $(basename "$b" .sh)"
	sh "$b" || { echo "$b failed"; status=1; }
	echo
done
# every figure with a target, together (tests/bench/targets.sh)
echo "==== targets: each figure beside its limit (ratio = figure / limit)"
. tests/bench/targets.sh
target_head
cat "$BENCH_TARGETS"
exit $status
