#!/bin/sh
# The daemon's layering (tests/tools/layering.sh): every header compiles
# alone; no cycle of includes between headers, nor of calls between files
# but for the method table and the plugin host API table.
. "$(dirname "$0")/lib.sh"

B=${B:-build} sh "$TOP/tests/tools/layering.sh" >"$T/layering" 2>&1
rc=$?
n=0
while IFS= read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }"; n=$((n + 1)) ;;
	"not ok - "*) not_ok "${line#not ok - }"; n=$((n + 1)) ;;
	*) printf '%s\n' "$line" ;;
	esac
done <"$T/layering"
is "the three checks ran" "$n" 3
is "... and the script agrees" "$rc" 0
# a worktree's link to node_modules was once committed in a merge
is "no symlink in the tree git tracks" \
    "$(git -C "$TOP" ls-files -s 2>/dev/null | grep -c '^120000')" 0
done_testing
