#!/bin/sh
# make check-deb: the Debian packages' tests (tests/pkg/NNN-*.sh), minutes
# each (a package build), so not part of make check. Each prints "ok - ..."
# / "not ok - ..." lines as the regress tests do; the run ends with one
# line "N passed, N failed".
# Usage: tests/pkg/run.sh [NAME...]   (NAME: 010-deb, or a substring)
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
export B
log=$B/tests/pkg
mkdir -p "$log"
pass=0
fail=0
failed=""

for t in tests/pkg/[0-9]*.sh; do
	[ -f "$t" ] || continue
	n=$(basename "$t" .sh)
	if [ $# -gt 0 ]; then
		want=0
		for w in "$@"; do case $n in *"$w"*) want=1 ;; esac; done
		[ $want = 1 ] || continue
	fi
	echo "==== pkg/$n (log: $log/$n.out)"
	start=$(date +%s)
	{ sh "$t"; echo $? >"$log/$n.rc"; } 2>&1 | tee "$log/$n.out" |
	    grep --line-buffered -E '^(not ok|#)'
	rc=$(cat "$log/$n.rc")
	p=$(grep -c '^ok' "$log/$n.out")
	f=$(grep -c '^not ok' "$log/$n.out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $n exited with status $rc" >>"$log/$n.out"
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	[ "$f" -eq 0 ] || failed="$failed $n"
	printf '%-40s %4d passed, %d failed (%ds)\n' "pkg/$n" "$p" "$f" \
	    $(($(date +%s) - start))
done

if [ -n "$failed" ]; then
	echo
	for n in $failed; do
		echo "==== pkg/$n (full log: $log/$n.out)"
		grep -E -A8 '^not ok' "$log/$n.out" | head -60
	done
fi
echo
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
