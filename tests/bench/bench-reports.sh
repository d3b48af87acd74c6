#!/bin/sh
# Reports over a crowded database: one user "big" with 100k expenses over
# 2021..2025 (85 % EUR, the rest USD, GBP, JPY at the ECB's rates of every
# weekday since 1999) among BENCH_USERS other users with 1,200 each
# (25,000 users make the 30M rows of the goal; the default 2,500 makes 3M,
# kinder to a shared machine), loaded in bulk by tests/bench/
# bench_reports.c (spendd's own schema and triggers, transactions of
# 100,000 rows, not 30M RPCs). Then, over the control socket, the p50 and
# p99 of report.run for: a month summary (against the month before and a
# year before), a year summary, a 5-year monthly trend, a year's
# breakdown and a year's top payees; the same for big alone in an empty
# database; and beside them hledger bal -M and ledger bal over big's 100k
# expenses as a journal (the ledger exporter's). Targets: month <= 2 ms
# p50, year <= 5 ms, 5-year trend <= 10 ms, p99 <= 3 x p50. Nothing
# passes or fails on time here (make bench prints, never judges).
#
# Env: BENCH_USERS (2500), BENCH_USER_ROWS (1200), BENCH_BIG_ROWS
# (100000), BENCH_COUNT (200 requests per report).
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
SPENDD=${SPENDD:-$(pwd)/spendd}
SPENDCTL=${SPENDCTL:-$(pwd)/spendctl}
PLUGIN_DIR=${PLUGIN_DIR:-$(pwd)/$B/plugins}
USERS=${BENCH_USERS:-2500}
ROWS=${BENCH_USER_ROWS:-1200}
BIG=${BENCH_BIG_ROWS:-100000}
COUNT=${BENCH_COUNT:-200}
T=$(mktemp -d "${TMPDIR:-/tmp}/spend-bench.XXXXXX")
CLIENT=$B/tests/bench_reports
PID=""

cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
trap 'exit 1' INT TERM

[ -f "$PLUGIN_DIR/reports.so" ] || { echo "bench-reports: no $PLUGIN_DIR/reports.so"; exit 1; }
command -v cc >/dev/null || { echo "bench-reports: needs cc"; exit 1; }
mkdir -p "$B/tests"
if [ ! -x "$CLIENT" ] || [ tests/bench/bench_reports.c -nt "$CLIENT" ]; then
	cc -O2 -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -o "$CLIENT" \
		tests/bench/bench_reports.c -lsqlite3 || exit 1
fi

now() { date +%s.%N; }
field() { sed -n "s/.*$1 \([0-9.]*\).*/\1/p"; }	# field NAME <line

start() {	# start DATADIR
	"$SPENDD" -f --data-dir "$1" -o http.listen= -o "plugins.dir=$PLUGIN_DIR" \
		>>"$T/spendd.log" 2>&1 &
	PID=$!
	i=0; while [ ! -S "$1/spendd.sock" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
	[ -S "$1/spendd.sock" ] || { echo "bench-reports: spendd did not start"; cat "$T/spendd.log"; exit 1; }
}
stop() { kill "$PID"; wait "$PID" 2>/dev/null; PID=""; }

# create DIR USERS: spendd makes the schema, the loader fills it
create() {
	mkdir -p "$1"
	start "$1"
	stop
	r=$("$CLIENT" load "$1/spend.db" "$2" "$ROWS" "$BIG") ||
		{ echo "bench-reports: load failed"; exit 1; }
	echo "$r"
}

REPORTS='month "name":"summary","month":"2025-06"
year "name":"summary","year":"2025"
trend "name":"trend","from":"2021-01-01","to":"2025-12-31","by":"month"
breakdown "name":"breakdown","from":"2025-01-01","to":"2025-12-31"
payees "name":"payees","from":"2025-01-01","to":"2025-12-31","limit":"10"'

# spendd's CPU time so far, in clock ticks (user + system, every thread)
cpu() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }
HZ=$(getconf CLK_TCK 2>/dev/null || echo 100)

measure() {	# measure DIR: "name p50 p99 bytes cpu_ms" lines
	start "$1"
	echo "$REPORTS" | while read -r name params; do
		c0=$(cpu)
		r=$("$CLIENT" lat "$1/spendd.sock" big "$COUNT" "$params") ||
			{ echo "bench-reports: $name failed: $r" >&2; exit 1; }
		c1=$(cpu)
		# CPU per request (the 12 warm-up requests too): on a shared
		# machine the wall-clock figures also hold other processes' turns
		echo "$name $(echo "$r" | field p50_ms) $(echo "$r" | field p99_ms) $(echo "$r" | field bytes) $(awk -v a="$c0" -v b="$c1" -v n="$COUNT" -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) * 1000 / hz / (n + 12) }')"
	done
	stop
}

echo "loading big ($BIG rows) and $USERS users of $ROWS rows..."
l1=$(create "$T/crowd" "$USERS")
rows1=$(echo "$l1" | field rows); s1=$(echo "$l1" | field seconds)
size1=$(du -m "$T/crowd/spend.db" | cut -f1)
echo "loaded $rows1 rows in ${s1}s (${size1} MB); big alone..."
l2=$(create "$T/alone" 0)
echo "measuring $COUNT requests of each report, twice..."
m1=$(measure "$T/crowd") || exit 1
m2=$(measure "$T/alone") || exit 1

# hledger and ledger over the same 100k expenses
start "$T/alone"
"$SPENDCTL" --socket "$T/alone/spendd.sock" --user big export --format ledger \
	"$T/big.journal" >/dev/null || { echo "bench-reports: export failed"; exit 1; }
stop
tools=""
for t in "hledger -f $T/big.journal bal -M" "ledger -f $T/big.journal bal"; do
	set -- $t
	if ! command -v "$1" >/dev/null; then
		tools="$tools$1 - -
"
		continue
	fi
	best=""
	for i in 1 2 3; do
		t0=$(now)
		"$@" >/dev/null 2>&1 || { echo "bench-reports: $* failed"; break; }
		t1=$(now)
		s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }')
		best=$(awk -v a="$best" -v b="$s" 'BEGIN { print (a == "" || b < a) ? b : a }')
	done
	tools="$tools$1 $best $(echo "$t" | sed "s|$T/||g")
"
done

awk -v rows="$rows1" -v users="$USERS" -v big="$BIG" -v n="$COUNT" \
    -v m1="$m1" -v m2="$m2" -v tools="$tools" 'BEGIN {
	target["month"] = 2; target["year"] = 5; target["trend"] = 10
	name["month"] = "summary of a month (+2 comparisons)"
	name["year"] = "summary of a year (+1 comparison)"
	name["trend"] = "trend, 5 years by month"
	name["breakdown"] = "breakdown of a year"
	name["payees"] = "payees of a year, top 10"
	split(m1, a, "\n"); split(m2, b, "\n")
	for (i = 1; i in a; i++) { split(a[i], f, " "); p1[f[1]] = f[2]; q1[f[1]] = f[3]; by[f[1]] = f[4]; c1[f[1]] = f[5]; order[i] = f[1] }
	for (i = 1; i in b; i++) { split(b[i], f, " "); p2[f[1]] = f[2]; q2[f[1]] = f[3]; c2[f[1]] = f[5] }
	printf "\nreport.run over the socket, user big (%d expenses); %d requests each\n", big, n
	printf "crowded: %d rows, big among %d users; alone: big in an empty database\n", rows, users
	printf "cpu: spendd'"'"'s CPU time per request (all threads), whatever else the machine runs\n\n"
	printf "%-36s %7s %7s %6s %6s %7s %7s %6s %6s %6s %6s\n", "", "crowded", "", "", "", "alone", "", "", "", "", "reply"
	printf "%-36s %7s %7s %6s %6s %7s %7s %6s %6s %6s %6s\n", "report", "p50 ms", "p99 ms", "p99/50", "cpu ms", "p50 ms", "p99 ms", "p99/50", "cpu ms", "target", "bytes"
	for (i = 1; i in order; i++) {
		k = order[i]
		printf "%-36s %7.2f %7.2f %6.1f %6.2f %7.2f %7.2f %6.1f %6.2f %6s %6d\n", name[k], p1[k], q1[k], q1[k] / p1[k], c1[k], p2[k], q2[k], q2[k] / p2[k], c2[k], (k in target) ? "<=" target[k] : "-", by[k]
	}
	printf "\nthe same 100k expenses as a journal (best of 3 runs, whole process):\n"
	split(tools, t, "\n")
	for (i = 1; i in t; i++) {
		if (t[i] == "") continue
		split(t[i], f, " ")
		if (f[2] == "-") { printf "%-38s not installed\n", f[1]; continue }
		c = t[i]; sub(/^[^ ]+ [^ ]+ /, "", c)
		printf "%-38s %8.1f ms   (%.0f x the 5-year trend p50)\n", c, f[2], f[2] / p1["trend"]
	}
}'
