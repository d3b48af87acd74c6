#!/bin/sh
# make check: unit tests (cmocka), regress tests (real spendd), short fuzz
# runs. Ends with one line "N passed, N failed".
# Usage: tests/run.sh [unit|regress|fuzz]... (default: all)
cd "$(dirname "$0")/.." || exit 1
B=${B:-build}
BIN=${BIN:-.}
# regress tests find the binaries and plugins through these
SPENDD=$(cd "$BIN" && pwd)/spendd
SPENDCTL=$(cd "$BIN" && pwd)/spendctl
PLUGIN_DIR=$(pwd)/$B/plugins
export B BIN SPENDD SPENDCTL PLUGIN_DIR
pass=0
fail=0
failed=""
parts=${*:-unit regress fuzz}
log=$B/tests/log
mkdir -p "$log"

count() { # name exit-status output-file
	p=$(grep -Ec '^(ok|\[       OK \])' "$3")
	f=$(grep -Ec '^(not ok|\[  FAILED  \] [a-z_])' "$3")
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1	# crashed or failed outside a test: count it
		echo "not ok - $1 exited with status $2" >>"$3"
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	[ "$f" -eq 0 ] || failed="$failed $1"
	printf '%-40s %4d passed, %d failed\n' "$1" "$p" "$f"
}

for part in $parts; do
	case $part in
	unit)
		for t in $B/tests/test_*; do
			[ -x "$t" ] || continue
			n=$(basename "$t")
			"$t" >"$log/$n.out" 2>&1
			count "unit/$n" $? "$log/$n.out"
		done ;;
	regress)
		for t in tests/regress/[0-9]*.sh; do
			[ -f "$t" ] || continue
			n=$(basename "$t" .sh)
			sh "$t" >"$log/$n.out" 2>&1
			count "regress/$n" $? "$log/$n.out"
		done ;;
	fuzz)
		if [ -f tests/fuzz/run.sh ]; then
			sh tests/fuzz/run.sh >"$log/fuzz.out" 2>&1
			count "fuzz" $? "$log/fuzz.out"
		fi ;;
	esac
done

if [ -n "$failed" ]; then
	echo
	for n in $failed; do
		f=$log/$(basename "$n").out
		echo "==== $n (full log: $f)"
		grep -E -B2 -A8 '^(not ok|\[  FAILED  \]|\[  ERROR   \])' "$f" | head -60
	done
fi
echo
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
