# Sourced by the benches: each figure with a target is printed beside its
# limit and their ratio, and appended to $BENCH_TARGETS (set by run.sh,
# which prints them all together at the end). Nothing fails on time.
#
# target MEASURE FIGURE OP LIMIT UNIT
#	OP: <= (at most) or >= (at least); FIGURE and LIMIT are numbers in
#	UNIT. An empty FIGURE (a peer or tool missing) prints "not measured".
target() {
	awk -v m="$1" -v f="$2" -v op="$3" -v l="$4" -v u="$5" 'BEGIN {
		if (f == "") {
			printf "%-46s %12s %2s %-12s %9s %s\n", m, "-", op, l " " u, "", "not measured"
			exit
		}
		ok = (op == "<=") ? (f + 0 <= l + 0) : (f + 0 >= l + 0)
		sp = (u == "") ? "" : " "
		printf "%-46s %12s %2s %-12s %8.2fx %s\n", m, f sp u, op, l sp u,
		    (l + 0 != 0 ? f / l : 0), ok ? "met" : "missed"
	}' | tee -a "${BENCH_TARGETS:-/dev/null}"
}

# target_head: the column titles
target_head() {
	printf '%-46s %12s %2s %-12s %9s\n' "target" "figure" "" "limit" "ratio"
}

# ms VALUE: wrk's latency ("850.00us", "1.23ms", "2.01s") in ms
ms() {
	echo "$1" | awk '{ v = $1 + 0
		if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /ms$/) v += 0;
		else if ($1 ~ /m$/) v *= 60000; else if ($1 ~ /s$/) v *= 1000
		printf "%.3f\n", v }'
}
