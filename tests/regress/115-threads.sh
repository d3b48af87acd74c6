#!/bin/sh
# Worker threads and the event loop under valgrind's helgrind: logins
# (Argon2 on workers), an import, an export and reports at once (every
# job kind's queue but read and write, on the threads' own connections),
# then a shutdown that cancels the jobs still queued; meanwhile scrapes
# of /metrics (their READ jobs) and JSON access lines from the loop and
# log lines from the workers. Any data race or
# lock-order report fails the test. (The loop's event base once had no
# lock because it was created before thread support was set up: helgrind
# then reported races on every completion.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

if ! command -v valgrind >/dev/null 2>&1; then
	not_ok "valgrind is installed (contrib/deps.sh installs it)"
	done_testing
fi
# helgrind wants a plain build: sanitizers and valgrind do not mix
if nm "$SPENDD" 2>/dev/null | grep -q __asan_init; then
	ok "# SKIP an ASan build cannot run under valgrind"
	done_testing
fi
# --history-level=approx: a race is found as with full, but its report
# shows the older access's segment, not its stack; half the CPU (20 -> 11
# s alone). HELGRIND_HISTORY=full for both stacks when one is found.
cat >"$T/spendd-hg" <<EOF2
#!/bin/sh
exec valgrind --tool=helgrind --history-level=${HELGRIND_HISTORY:-approx} --log-file=$T/helgrind.log \
    --suppressions=$TOP/tests/helgrind.supp -q "$SPENDD" "\$@"
EOF2
chmod +x "$T/spendd-hg"
SPENDD=$T/spendd-hg
mkdir -p "$T/data"
HTTP_PORT=$(free_port)
MPORT=$(free_port)
"$SPENDD" -f --data-dir "$T/data" -o "http.listen=127.0.0.1:$HTTP_PORT" \
	-o "plugins.dir=$PLUGIN_DIR" -o daemon.workers=3 $CHEAP \
	-o "http.metrics_listen=127.0.0.1:$MPORT" -o log.format=json \
	-o log.access=yes >>"$T/spendd.log" 2>&1 &
SPENDD_PID=$!
wait_for -t 60 "spendd to start under helgrind" in_file "spendd .* started" "$T/spendd.log"
check "spendd starts under helgrind" grep -q "started" "$T/spendd.log"

req POST /api/v1/auth/register '{"username":"alice","password":"alice-pass"}'
expect "alice registers" 201
{
	echo "date,amount,currency,category,note"
	n=1; while [ $n -le 300 ]; do
		echo "2026-01-$(printf %02d $((n % 28 + 1))),$n.25,EUR,food,row $n"; n=$((n + 1)); done
} >"$T/rows.csv"
# login N: a login, tried again while spendd says busy: a session is a
# write, which the import's write lock may hold off for longer than the
# loop waits (200 ms, HACKING.md), more so under valgrind on a busy box
login_try() {
	curl -s -o "$T/login.$1" -w '%{http_code}\n' \
	    -H 'Content-Type: application/json' \
	    --data-binary '{"username":"alice","password":"alice-pass"}' \
	    "http://127.0.0.1:$HTTP_PORT/api/v1/auth/login" >"$T/login-status.$1"
	# under helgrind's slowness a write that meets the import's lock may
	# be told "busy, retry" (503): a client retries
	! grep -q 503 "$T/login-status.$1"
}
# logins, an import and an export, all at once
n=0; pids=""
while [ $n -lt 4 ]; do
	wait_for -t 120 "login $n" login_try $n &
	pids="$pids $!"; n=$((n + 1))
done
ctl --user alice import "$T/rows.csv" --create-categories >"$T/import.out" 2>&1 &
imp=$!
ctl --user alice export --format csv -o "$T/out.csv" >"$T/export.out" 2>&1 &
exp=$!
ctl --user alice report summary --param group=month >"$T/report1.out" 2>&1 &
rep1=$!
ctl --user alice --json report summary >"$T/report2.out" 2>&1 &
rep2=$!
curl -s -o "$T/scrape1" -w '%{http_code}' "http://127.0.0.1:$MPORT/metrics" \
    >"$T/scrape1.status" &
scr=$!
wait $imp; ri=$?
wait $exp
wait $rep1; rr1=$?
wait $rep2; rr2=$?
wait $scr
for p in $pids; do wait "$p"; done
is "4 logins succeed" "$(cat "$T"/login-status.* | sort | uniq -c | tr -s ' ')" " 4 200"
is "the import succeeds" "$ri" 0
check "the export file is written" test -s "$T/out.csv"
like "the import added 300 rows" "$(cat "$T/import.out")" "300"
is "the reports succeed" "$rr1 $rr2" "0 0"
is "a scrape while they ran" "$(cat "$T/scrape1.status")" 200
curl -s -o "$T/scrape2" "http://127.0.0.1:$MPORT/metrics"
like "... and after: the import counted" "$(cat "$T/scrape2")" \
    'spend_imports_total{result="ok"} 1'
like "access lines in JSON" "$(cat "$T/spendd.log")" '"msg":"access","event":"rpc"'
# after the import, a report sees all of it
like "a report after the import sums 300 rows" \
    "$(ctl --user alice --json report summary | tr -d ' \n')" '"count":300'
# more reports than may run at once (one, with 3 workers), then a stop
# while they are in: the queued ones start cancelled, each is answered
n=0; rpids=""
while [ $n -lt 6 ]; do
	ctl --user alice report summary --param group=day >"$T/late.$n" 2>&1 &
	rpids="$rpids $!"; n=$((n + 1))
done
# every one of them submitted (done + busy + queued reports reach 9)
reports_in() {
	[ "$(rpc daemon.status '{}' | jget -j ' ' result.jobs.report.done \
	    result.jobs.report.busy result.jobs.report.queued |
	    awk '{ print $1 + $2 + $3 }')" -ge 9 ]
}
wait_for -t 30 "the reports to be submitted" reports_in
kill -TERM "$SPENDD_PID"
wait_for -t 60 "spendd to stop under helgrind" gone "$SPENDD_PID"
SPENDD_PID=""
late=0
for p in $rpids; do wait "$p" && late=$((late + 1)); done
ok "reports in flight at the stop: $late of 6 answered with a report, the rest refused"
answered=$(grep -lE 'KEY|shutting down' "$T"/late.* | wc -l | tr -d ' ')
is "every report in flight got an answer" "$answered" 6
[ "$answered" = 6 ] || for f in "$T"/late.*; do
	grep -qE 'KEY|shutting down' "$f" || { echo "# $f:"; head -5 "$f" | sed 's/^/#   /'; }
done
errors=$(grep -c '^==[0-9]*== \(Possible data race\|Thread #[0-9]*: lock order\|Thread #[0-9]*: pthread\)' "$T/helgrind.log")
is "helgrind reports no data race or lock misuse" "$errors" 0
[ "$errors" = 0 ] || grep -A30 '^==[0-9]*== \(Possible data race\|Thread #[0-9]*: lock order\|Thread #[0-9]*: pthread\)' \
    "$T/helgrind.log" | head -90 | sed 's/^/#   /'
done_testing
