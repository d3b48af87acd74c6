#!/bin/sh
# A recurring catch-up of BENCH_RECURRING (10,000) due occurrences: a
# daily rule whose start is that many days back, added to a running
# spendd, until its last expense is committed (target: under 1 s). Beside
# it, the same number of expenses added by a client over the socket in
# JSON-RPC batches of 100 (what a script would do instead), and the
# catch-up of 10 rules of 1,000 each. Nothing here passes or fails on
# time; the figures are printed.
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
SPENDD=${SPENDD:-$(pwd)/spendd}
SPENDCTL=${SPENDCTL:-$(pwd)/spendctl}
PLUGIN_DIR=${PLUGIN_DIR:-$(pwd)/$B/plugins}
N=${BENCH_RECURRING:-10000}
T=$(mktemp -d "${TMPDIR:-/tmp}/spend-bench-recurring.XXXXXX")
SOCK=$T/data/spendd.sock
PID=""

cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
trap 'exit 1' INT TERM

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
ctl() { "$SPENDCTL" --socket "$SOCK" "$@"; }
count() { sqlite3 -readonly "$T/data/spend.db" \
	"SELECT count(*) FROM expenses WHERE user_id = (SELECT id FROM users WHERE name = '$1')" 2>/dev/null; }
# Until the catch-up's last line in spendd's log (a pass that does not
# go on), then the time it gives, as seconds: no client polls the
# database meanwhile (on a small machine that would take its CPU).
wait_done() {
	while ! grep -q 'recurring: .* created, [0-9]* reminders$' "$T/spendd.log" ||
	    [ "$(count alice)" != "$N" ]; do
		sleep 0.05
	done
	date -d "$(grep 'recurring: .* created, [0-9]* reminders$' "$T/spendd.log" |
	    tail -1 | cut -d' ' -f1)" +%s.%N
}

# spendd's CPU time so far (user + system), seconds: on a shared machine
# a steadier figure than the wall clock
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$PID/stat"; }

for tool in sqlite3 awk python3; do
	command -v $tool >/dev/null || { echo "bench-recurring: needs $tool"; exit 1; }
done
start() {
	rm -rf "$T/data" "$T/spendd.log"
	mkdir -p "$T/data"
	"$SPENDD" -f --data-dir "$T/data" -o http.listen= -o "plugins.dir=$PLUGIN_DIR" \
		>>"$T/spendd.log" 2>&1 &
	PID=$!
	i=0; while [ ! -S "$SOCK" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
	[ -S "$SOCK" ] || { echo "spendd did not start"; cat "$T/spendd.log"; exit 1; }
	ctl user add alice >/dev/null
}
stop() { kill "$PID"; wait "$PID" 2>/dev/null; PID=""; }

START=$(date -u -d "$((N - 1)) days ago" +%F)
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) on $(getconf _NPROCESSORS_ONLN) CPUs"
echo "catch-up of $N daily occurrences (from $START), one spendd each run:"
best=""
for run in 1 2 3; do
	start
	c0=$(cpu)
	t0=$(now)
	ctl --user alice recurring add 1.50 food --every day --start "$START" >/dev/null
	t1=$(wait_done)
	c1=$(cpu)
	[ "$(count alice)" = "$N" ] || { echo "  run $run: $(count alice) expenses, not $N"; exit 1; }
	s=$(secs "$t0" "$t1")
	echo "  run $run: $s s ($(awk -v n="$N" -v s="$s" 'BEGIN { printf "%d", n / s }') occurrences/s), spendd's CPU $(secs "$c0" "$c1") s"
	best=$(awk -v a="${best:-999}" -v b="$s" 'BEGIN { print (b < a ? b : a) }')
	stop
done
echo "  best: $best s (target: under 1 s)"

# the same number of expenses from a client: batches of 100 expense.add
start
c0=$(cpu)
python3 - "$SOCK" "$N" "$START" >"$T/client.out" <<'PY'
import json, socket, sys, time, datetime
sock, n, start = sys.argv[1], int(sys.argv[2]), sys.argv[3]
d0 = datetime.date.fromisoformat(start)
s = socket.socket(socket.AF_UNIX)
s.connect(sock)
f = s.makefile("rwb")
t0 = time.time()
k = 0
while k < n:
    batch = []
    for i in range(k, min(n, k + 100)):
        batch.append({"jsonrpc": "2.0", "id": i, "method": "expense.add",
                      "params": {"user": "alice", "amount": "1.50", "category": "food",
                                 "date": (d0 + datetime.timedelta(days=i)).isoformat()}})
    f.write((json.dumps(batch) + "\n").encode())
    f.flush()
    r = json.loads(f.readline())
    bad = [x for x in r if "error" in x]
    if bad:
        print("error", bad[0]); sys.exit(1)
    k += len(batch)
print("%.3f" % (time.time() - t0))
PY
client=$(cat "$T/client.out")
c1=$(cpu)
stop
echo "the same $N expenses as expense.add over the socket (batches of 100): $client s, spendd's CPU $(secs "$c0" "$c1") s"
awk -v a="$best" -v b="$client" 'BEGIN { printf "  ratio catch-up / client: %.2f\n", a / b }'

# ten rules at once
M=$((N / 10))
START10=$(date -u -d "$((M - 1)) days ago" +%F)
start
t0=$(now)
for k in 1 2 3 4 5 6 7 8 9 10; do
	ctl --user alice recurring add "$k" food --every day --start "$START10" >/dev/null
done
t1=$(wait_done)
[ "$(count alice)" = "$N" ] || { echo "10 rules: $(count alice) expenses, not $N"; exit 1; }
stop
echo "10 rules of $M daily occurrences, added one after another: $(secs "$t0" "$t1") s"
