#!/bin/sh
# [storage] durability: what synchronous=FULL (an fsync of the WAL per
# commit) costs against NORMAL. Inserts BENCH_DURABILITY_ROWS (20k)
# expenses through the control socket into a fresh spendd of each mode,
# one expense.add per request, with the C client of bench-socket.sh: one
# request awaited at a time (single), 500 in flight on one connection
# (pipe), and one in flight on each of 64 connections (fanout). The
# requests that arrive in one loop turn commit together (rpc.c's turn
# group), so pipe and fanout pay one commit for many. Prints rows/s side
# by side. The numbers are the data directory's disk: a tmpfs TMPDIR
# makes fsync free, so the file system is printed with them.
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
SPENDD=${SPENDD:-$(pwd)/spendd}
SPENDCTL=${SPENDCTL:-$(pwd)/spendctl}
N=${BENCH_DURABILITY_ROWS:-20000}
T=$(mktemp -d "${TMPDIR:-/tmp}/spend-bench-dur.XXXXXX")
CLIENT=$B/tests/bench_socket
PID=""

cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
trap 'exit 1' INT TERM

command -v cc >/dev/null || { echo "bench-durability: needs cc"; exit 1; }
mkdir -p "$B/tests"
if [ ! -x "$CLIENT" ] || [ tests/bench/bench_socket.c -nt "$CLIENT" ]; then
	cc -O2 -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -o "$CLIENT" \
		tests/bench/bench_socket.c || exit 1
fi

field() { sed -n "s/.*$1 \([0-9.]*\).*/\1/p"; }	# field NAME <line

# run MODE: a fresh spendd with durability MODE; prints "single pipe
# fanout" seconds for N rows each
run() {
	d=$T/$1
	mkdir -p "$d"
	"$SPENDD" -f --data-dir "$d" -o http.listen= -o "storage.durability=$1" \
		>"$T/$1.log" 2>&1 &
	PID=$!
	i=0; while [ ! -S "$d/spendd.sock" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	[ -S "$d/spendd.sock" ] || { echo "bench-durability: spendd did not start" >&2; cat "$T/$1.log" >&2; exit 1; }
	got=$("$SPENDCTL" --socket "$d/spendd.sock" --json status |
		sed -n 's/.*"durability": "\([a-z]*\)".*/\1/p')
	[ "$got" = "$1" ] || { echo "bench-durability: spendd runs with durability '$got', not $1" >&2; exit 1; }
	out=""
	for m in single pipe; do
		"$SPENDCTL" --socket "$d/spendd.sock" user add "$m" >/dev/null || exit 1
		r=$("$CLIENT" insert "$d/spendd.sock" "$m" "$N" "$m") ||
			{ echo "bench-durability: insert $m ($1) failed: $r" >&2; exit 1; }
		out="$out $(echo "$r" | field seconds)"
	done
	"$SPENDCTL" --socket "$d/spendd.sock" user add fanout >/dev/null || exit 1
	r=$("$CLIENT" fanout "$d/spendd.sock" fanout "$N" 64) ||
		{ echo "bench-durability: fanout ($1) failed: $r" >&2; exit 1; }
	out="$out $(echo "$r" | field seconds)"
	kill "$PID"; wait "$PID" 2>/dev/null; PID=""
	echo "$out"
}

fs=$(df -T "$T" 2>/dev/null | awk 'NR == 2 { print $2 }')
[ -n "$fs" ] || fs=$(stat -f -c %T "$T" 2>/dev/null || echo "?")
echo "inserting $N rows per mode, awaited and pipelined, with each durability..."
normal=$(run normal) || exit 1
full=$(run full) || exit 1

awk -v n="$N" -v fs="$fs" -v normal="$normal" -v full="$full" 'BEGIN {
	split(normal, a, " "); split(full, b, " ")
	printf "\n%d expense.add through the socket (data dir on %s)\n\n", n, fs
	printf "%-38s %12s %12s %10s\n", "rows/s", "normal", "full", "full/normal"
	printf "%-38s %12.0f %12.0f %10.2f\n", "one request per line, each awaited", n / a[1], n / b[1], a[1] / b[1]
	printf "%-38s %12.0f %12.0f %10.2f\n", "one request per line, 500 in flight", n / a[2], n / b[2], a[2] / b[2]
	printf "%-38s %12.0f %12.0f %10.2f\n", "one request each from 64 connections", n / a[3], n / b[3], a[3] / b[3]
	printf "\nfull fsyncs the WAL at every commit; normal only at checkpoints (a crash of\nspendd loses nothing acknowledged either way; a power loss may take the last\ncommits under normal).\n"
}'
