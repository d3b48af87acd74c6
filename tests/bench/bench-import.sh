#!/bin/sh
# Import a BENCH_IMPORT_ROWS (1M) row bank-style CSV through spendctl import
# (csv plugin, worker thread, staged in short batches and published at
# once): rows/s and spendd's peak RSS, beside sqlite3's own .import of the
# same file into a plain table. Meanwhile another user adds expenses one
# at a time: their latency beside the same on an idle daemon. Then the
# same rows in date order, as a bank writes them, for another user. Then
# the totals of the imported set: Spend's expense.list
# against hledger and ledger balancing the same data exported as a journal
# (BENCH_LEDGER_ROWS of it, 100k: the peers are much slower).
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
SPENDD=${SPENDD:-$(pwd)/spendd}
SPENDCTL=${SPENDCTL:-$(pwd)/spendctl}
PLUGIN_DIR=${PLUGIN_DIR:-$(pwd)/$B/plugins}
N=${BENCH_IMPORT_ROWS:-1000000}
NL=${BENCH_LEDGER_ROWS:-100000}
T=$(mktemp -d "${TMPDIR:-/tmp}/spend-bench-import.XXXXXX")
SOCK=$T/data/spendd.sock
PID=""

cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
trap 'exit 1' INT TERM

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
ctl() { "$SPENDCTL" --socket "$SOCK" "$@"; }

# Rows like a bank export: quoted notes with commas, a few payees, categories.
gen() { # rows file
	awk -v n="$1" 'BEGIN {
		srand(42)
		split("food transport bills shopping health travel entertainment other", cat, " ")
		split("Carrefour|SNCF|EDF|Amazon|Pharmacie|Air France|Cinema|La Poste", pay, "|")
		print "Date,Amount,Currency,Category,Payee,Note"
		for (i = 0; i < n; i++) {
			d = 1 + i % 28; m = 1 + int(i / 28) % 12; y = 2000 + int(i / 336) % 26
			c = 1 + int(rand() * 8)
			# never 0.00: the importer skips zero amounts
			printf "%04d-%02d-%02d,%d.%02d,EUR,%s,%s,\"row %d, %s\"\n", y, m, d,
			    int(rand() * 200), 1 + int(rand() * 99), cat[c], pay[c], i, cat[c]
		}
	}' >"$2"
}

for tool in sqlite3 awk cc; do
	command -v $tool >/dev/null || { echo "bench-import: needs $tool"; exit 1; }
done
mkdir -p "$T/data" "$B/tests"
CLIENT=$B/tests/bench_socket
if [ ! -x "$CLIENT" ] || [ tests/bench/bench_socket.c -nt "$CLIENT" ]; then
	cc -O2 -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -o "$CLIENT" \
		tests/bench/bench_socket.c || exit 1
fi
echo "generating $N rows..."
gen "$N" "$T/rows.csv"
"$SPENDD" -f --data-dir "$T/data" -o http.listen= -o "plugins.dir=$PLUGIN_DIR" \
	>"$T/spendd.log" 2>&1 &
PID=$!
i=0; while [ ! -S "$SOCK" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
[ -S "$SOCK" ] || { echo "bench-import: spendd did not start"; cat "$T/spendd.log"; exit 1; }
ctl user add bench >/dev/null || exit 1
ctl user add other >/dev/null || exit 1
# another user's single inserts on the idle daemon
lat_idle=$("$CLIENT" lat "$SOCK" other 5)
# start-up hashes a dummy Argon2 password (64 MB, then freed): reset the
# high-water mark so the peak below is the import's own
echo 5 >/proc/$PID/clear_refs 2>/dev/null
rss_start=$(awk '/VmRSS/ { print $2 }' /proc/$PID/status)

"$CLIENT" lat "$SOCK" other 3600 "$T/import.done" >"$T/lat.busy" &
lat_pid=$!
t0=$(now)
ctl --user bench import "$T/rows.csv" --format csv >"$T/import.out" 2>&1 ||
	{ echo "bench-import: import failed:"; cat "$T/import.out"; exit 1; }
t1=$(now)
touch "$T/import.done"
wait $lat_pid
lat_busy=$(cat "$T/lat.busy")
t_spend=$(secs "$t0" "$t1")
rss_peak=$(awk '/VmHWM/ { print $2 }' /proc/$PID/status)
got=$(ctl --user bench --json expense list --limit 1 | sed -n 's/.*"count": \([0-9]*\).*/\1/p')
[ "$got" = "$N" ] || { echo "bench-import: spendd holds $got rows, not $N"; cat "$T/import.out"; exit 1; }

# The same rows in date order, as a bank writes a statement (the file
# above runs through its 26 years of dates over and over), for another
# user: rows side by side in the date-led indexes and import keys.
{ head -n 1 "$T/rows.csv"; tail -n +2 "$T/rows.csv" | sort -s -t, -k1,1; } >"$T/ordered.csv"
ctl user add ordered >/dev/null || exit 1
echo 5 >/proc/$PID/clear_refs 2>/dev/null	# this import's own peak
t0=$(now)
ctl --user ordered import "$T/ordered.csv" --format csv >"$T/import2.out" 2>&1 ||
	{ echo "bench-import: import in date order failed:"; cat "$T/import2.out"; exit 1; }
t1=$(now)
t_ordered=$(secs "$t0" "$t1")
rss_peak2=$(awk '/VmHWM/ { print $2 }' /proc/$PID/status)
got=$(ctl --user ordered --json expense list --limit 1 | sed -n 's/.*"count": \([0-9]*\).*/\1/p')
[ "$got" = "$N" ] || { echo "bench-import: spendd holds $got rows in date order, not $N"; exit 1; }
rm -f "$T/ordered.csv"

t0=$(now)
sqlite3 "$T/plain.db" "PRAGMA journal_mode=WAL;" \
	"CREATE TABLE expenses(date TEXT, amount TEXT, currency TEXT, category TEXT, payee TEXT, note TEXT);" \
	".import --csv --skip 1 $T/rows.csv expenses" >/dev/null || exit 1
t1=$(now)
t_sqlite=$(secs "$t0" "$t1")
file_mb=$(du -m "$T/rows.csv" | cut -f1)

# Totals: the first (uncached) expense.list over a year of the data,
# against hledger and ledger balancing the same rows from a journal.
ctl --user bench export --format ledger --from 2000-01-01 --to 2000-12-31 \
	-o "$T/year.journal" >/dev/null 2>&1
ctl user add peer >/dev/null
head -n $((NL + 1)) "$T/rows.csv" >"$T/part.csv"
ctl --user peer import "$T/part.csv" --format csv >/dev/null || exit 1
ctl --user peer export --format ledger -o "$T/part.journal" >/dev/null || exit 1
t0=$(now); ctl --user peer --json expense list --limit 1 >"$T/spend.sum"; t1=$(now)
t_sum=$(secs "$t0" "$t1")
t_hl=""; t_led=""
if command -v hledger >/dev/null; then
	t0=$(now); hledger -f "$T/part.journal" bal >/dev/null 2>&1 && t1=$(now) && t_hl=$(secs "$t0" "$t1")
fi
if command -v ledger >/dev/null; then
	t0=$(now); ledger -f "$T/part.journal" bal >/dev/null 2>&1 && t1=$(now) && t_led=$(secs "$t0" "$t1")
fi

awk -v n="$N" -v ts="$t_spend" -v to="$t_ordered" -v tq="$t_sqlite" -v r0="$rss_start" -v r1="$rss_peak" -v r2="$rss_peak2" \
    -v mb="$file_mb" -v nl="$NL" -v tsum="$t_sum" -v thl="$t_hl" -v tled="$t_led" 'BEGIN {
	printf "\nimport of a %d-row CSV (%d MB)\n\n", n, mb
	printf "%-44s %9s %10s %10s\n", "", "seconds", "rows/s", "x sqlite3"
	printf "%-44s %9.2f %10.0f %10.1f\n", "spendctl import (validated, de-duplicated)", ts, n / ts, ts / tq
	printf "%-44s %9.2f %10.0f %10.1f\n", "the same rows in date order, another user", to, n / to, to / tq
	printf "%-44s %9.2f %10.0f %10.1f\n", "sqlite3 .import into a plain table", tq, n / tq, 1
	printf "\nspendd RSS: %.1f MB before the import, peak %.1f MB during it (file: %d MB)\n", r0 / 1024, r1 / 1024, mb
	printf "peak %.1f MB during the second, after a count of the first one'"'"'s rows (the worker that counted\n", r2 / 1024
	printf "keeps its connection and page cache, up to 16 MB)\n"
	printf "\ntotals of %d rows (count and sum per currency)\n\n", nl
	printf "%-44s %9s %10s\n", "", "seconds", "x spendd"
	printf "%-44s %9.3f %10.1f\n", "spendctl expense list (first, uncached)", tsum, 1
	if (thl != "") printf "%-44s %9.3f %10.1f\n", "hledger -f journal bal", thl, thl / tsum
	if (tled != "") printf "%-44s %9.3f %10.1f\n", "ledger -f journal bal", tled, tled / tsum
}'
# "n N p50_ms X p99_ms Y max_ms Z errors E"
field() { echo "$1" | awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'; }
printf "\nanother user's expense.add, one at a time, 10 ms apart (target: p99 < 50 ms during the import)\n\n"
printf "%-44s %8s %9s %9s %9s %7s\n" "" "n" "p50 ms" "p99 ms" "max ms" "errors"
for w in idle busy; do
	eval "v=\$lat_$w"
	printf "%-44s %8s %9s %9s %9s %7s\n" "$([ $w = idle ] && echo "idle daemon" || echo "during the $N-row import")" \
	    "$(field "$v" n)" "$(field "$v" p50_ms)" "$(field "$v" p99_ms)" "$(field "$v" max_ms)" "$(field "$v" errors)"
done

. tests/bench/targets.sh
echo
target_head
target "$N-row CSV import: time / sqlite3 .import's" \
    "$(awk -v a="$t_spend" -v b="$t_sqlite" 'BEGIN { printf "%.1f", a / b }')" "<=" 4 ""
target "$N rows in date order: time / sqlite3's" \
    "$(awk -v a="$t_ordered" -v b="$t_sqlite" 'BEGIN { printf "%.1f", a / b }')" "<=" 4 ""
target "$N-row CSV import: spendd's peak RSS" \
    "$(awk -v r="$rss_peak" 'BEGIN { printf "%.1f", r / 1024 }')" "<=" 64 MB
