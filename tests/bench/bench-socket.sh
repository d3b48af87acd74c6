#!/bin/sh
# Insert BENCH_ROWS (100k) expenses through spendd's control socket, one
# request per line (awaited, and 500 in flight) and in JSON-RPC batches of 500, then time expense.list
# pages; beside that, sqlite3 .import of the same rows as CSV into a plain
# table: the floor of what the disk and SQLite cost without spendd.
# The client is C (tests/bench/bench_socket.c) so that it is not the
# bottleneck. Env: BENCH_ROWS, BENCH_LISTS (requests per list kind).
#
# Notes (2026-12-07). The top of a profile of 30k adds in JSON-RPC batches
# (perf record --call-graph dwarf -p SPENDD; shares of spendd's samples,
# inclusive): the group's commit 29% (WAL frames written 20%); the
# checkpoint on a worker 15%; the expense's row, indexes and triggers
# (store_expense_add) 20%; the change log (store_change_append) 11%; the
# requests' parse (rpc_dispatch_text) 13%; jansson elsewhere under 5%.
# Before c759b81 the add's result was also parsed back into a tree (10%)
# and dumped into the reply (6%). This VM has no hardware counters and its
# timings of one binary vary by up to 50%: compare builds by instructions,
# spendd under valgrind --tool=callgrind with 3,000 adds (c759b81: -20%).
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
SPENDD=${SPENDD:-$(pwd)/spendd}
SPENDCTL=${SPENDCTL:-$(pwd)/spendctl}
N=${BENCH_ROWS:-100000}
L=${BENCH_LISTS:-200}
T=$(mktemp -d "${TMPDIR:-/tmp}/spend-bench.XXXXXX")
SOCK=$T/data/spendd.sock
CLIENT=$B/tests/bench_socket
PID=""

cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
trap 'exit 1' INT TERM

for tool in sqlite3 cc; do
	command -v $tool >/dev/null || { echo "bench-socket: needs $tool"; exit 1; }
done
mkdir -p "$B/tests" "$T/data"
if [ ! -x "$CLIENT" ] || [ tests/bench/bench_socket.c -nt "$CLIENT" ]; then
	cc -O2 -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -o "$CLIENT" \
		tests/bench/bench_socket.c || exit 1
fi

"$SPENDD" -f --data-dir "$T/data" -o http.listen= >"$T/spendd.log" 2>&1 &
PID=$!
i=0; while [ ! -S "$SOCK" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
[ -S "$SOCK" ] || { echo "bench-socket: spendd did not start"; cat "$T/spendd.log"; exit 1; }
for u in single pipe batch items fanout; do
	"$SPENDCTL" --socket "$SOCK" user add "$u" >/dev/null || exit 1
done

now() { date +%s.%N; }
field() { sed -n "s/.*$1 \([0-9.]*\).*/\1/p"; }	# field NAME <line

# rows/s of one insert mode into user U: prints "rows seconds"
insert() {
	r=$("$CLIENT" insert "$SOCK" "$1" "$N" "$2" ${3:-}) ||
		{ echo "bench-socket: insert $2 failed: $r" >&2; exit 1; }
	echo "$(echo "$r" | field seconds)"
}
echo "inserting $N rows five ways, then $L list requests of each kind..."
t_single=$(insert single single "$T/rows.csv")
t_pipe=$(insert pipe pipe)
t_batch=$(insert batch batch)
t_items=$(insert items items)
# N single adds from 64 connections, one in flight on each
r=$("$CLIENT" fanout "$SOCK" fanout "$N" 64) ||
	{ echo "bench-socket: fanout failed: $r" >&2; exit 1; }
t_fan=$(echo "$r" | field seconds)

# the same rows into a plain table, by the sqlite3 shell, in one file
t0=$(now)
sqlite3 "$T/plain.db" "PRAGMA journal_mode=WAL;" \
	"CREATE TABLE expenses(amount TEXT, currency TEXT, category TEXT, date TEXT, note TEXT, payee TEXT);" \
	".import --csv $T/rows.csv expenses" >/dev/null || exit 1
t1=$(now)
t_sqlite=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
got=$(sqlite3 "$T/plain.db" "SELECT count(*) FROM expenses;")
[ "$got" = "$N" ] || { echo "bench-socket: sqlite3 imported $got rows, not $N"; exit 1; }
stored=$("$SPENDCTL" --socket "$SOCK" --user batch --json expense list --limit 1 |
	sed -n 's/.*"count": \([0-9]*\).*/\1/p')
[ "$stored" = "$N" ] || { echo "bench-socket: spendd holds $stored rows, not $N"; exit 1; }

lists=""
for k in first month search page; do
	r=$("$CLIENT" list "$SOCK" batch "$k" "$L") ||
		{ echo "bench-socket: list $k failed: $r"; exit 1; }
	lists="$lists$k $(echo "$r" | field p50_ms) $(echo "$r" | field p99_ms)
"
done

awk -v n="$N" -v ts="$t_single" -v tp="$t_pipe" -v tb="$t_batch" -v ti="$t_items" -v tf="$t_fan" -v tq="$t_sqlite" \
    -v l="$L" -v lists="$lists" 'BEGIN {
	printf "\n%d rows through the socket (spendd, SQLite WAL; one transaction per call of 500 items, per 64 adds of a batch, per loop turn of single adds)\n\n", n
	printf "%-38s %10s %10s %14s\n", "insert", "seconds", "rows/s", "x sqlite3 time"
	printf "%-38s %10.2f %10.0f %14.1f\n", "one request per line, each awaited", ts, n / ts, ts / tq
	printf "%-38s %10.2f %10.0f %14.1f\n", "one request per line, 500 in flight", tp, n / tp, tp / tq
	printf "%-38s %10.2f %10.0f %14.1f\n", "JSON-RPC batches of 500", tb, n / tb, tb / tq
	printf "%-38s %10.2f %10.0f %14.1f\n", "expense.add of 500 items", ti, n / ti, ti / tq
	printf "%-38s %10.2f %10.0f %14.1f\n", "one request each from 64 connections", tf, n / tf, tf / tq
	printf "%-38s %10.2f %10.0f %14.1f\n", "sqlite3 .import CSV, plain table", tq, n / tq, 1
	printf "\n%-38s %10s %10s   (%d requests each, %d rows in the set)\n", \
		"expense.list limit=50", "p50 ms", "p99 ms", l, n
	split(lists, rows, "\n")
	name["first"] = "first page, no filter"
	name["month"] = "month filter (24 months)"
	name["search"] = "search filter (note or payee)"
	name["page"] = "paging on with next_cursor"
	for (i = 1; i in rows; i++) {
		if (rows[i] == "") continue
		split(rows[i], f, " ")
		printf "%-38s %10.2f %10.2f\n", name[f[1]], f[2], f[3]
	}
	printf "\nEvery list reply also carries the count and per-currency sum of the whole\nfiltered set: the first page of a filter aggregates every matching row\n(the p99), later pages reuse it until the data changes.\n"
}'

. tests/bench/targets.sh
echo
target_head
target "$N inserts in batches of 500: time" "$t_batch" "<=" 1 s
target "$N inserts in batches of 500: / sqlite3 .import" \
    "$(awk -v a="$t_batch" -v b="$t_sqlite" 'BEGIN { printf "%.1f", a / b }')" "<=" 10 ""
target "$N single inserts, 64 in flight (connections)" \
    "$(awk -v n="$N" -v t="$t_fan" 'BEGIN { printf "%.0f", n / t }')" ">=" 30000 rows/s
