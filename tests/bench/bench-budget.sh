#!/bin/sh
# budget.status over the control socket for a user with BENCH_ROWS (100k)
# expenses over 24 months in 7 categories, with a budget on each and an
# overall one: p50/p99 of BENCH_CALLS (300) calls, one at a time, for a
# month inside the data with rollover chains of 24 months, without
# rollover, and with 10% of the rows in USD converted at daily rates.
# Then what the alert evaluation costs a write: expense.add one at a time
# for a user with these budgets and for one without (the same 100k rows).
# Target: status p50 <= 2 ms. Env: BENCH_ROWS, BENCH_CALLS.
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
SPENDD=${SPENDD:-$(pwd)/spendd}
SPENDCTL=${SPENDCTL:-$(pwd)/spendctl}
N=${BENCH_ROWS:-100000}
L=${BENCH_CALLS:-300}
T=$(mktemp -d "${TMPDIR:-/tmp}/spend-bench.XXXXXX")
SOCK=$T/data/spendd.sock
INSERT=$B/tests/bench_socket
CLIENT=$B/tests/bench_budget
PID=""

cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
trap 'exit 1' INT TERM

mkdir -p "$B/tests" "$T/data"
for c in bench_socket bench_budget; do
	if [ ! -x "$B/tests/$c" ] || [ "tests/bench/$c.c" -nt "$B/tests/$c" ]; then
		cc -O2 -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror \
		    -o "$B/tests/$c" "tests/bench/$c.c" || exit 1
	fi
done

"$SPENDD" -f --data-dir "$T/data" -o http.listen= >"$T/spendd.log" 2>&1 &
PID=$!
i=0; while [ ! -S "$SOCK" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
[ -S "$SOCK" ] || { echo "bench-budget: spendd did not start"; cat "$T/spendd.log"; exit 1; }
ctl() { "$SPENDCTL" --socket "$SOCK" "$@"; }
for u in budgeted plain; do
	ctl user add "$u" >/dev/null || exit 1
	echo "inserting $N rows for $u..."
	"$INSERT" insert "$SOCK" "$u" "$N" batch >/dev/null || exit 1
done
for c in bills entertainment food health other shopping transport total; do
	ctl --user budgeted budget set "$c" 2000 --since 2024-01 --rollover \
	    >/dev/null || exit 1
done

field() { sed -n "s/.*$1 \([0-9.]*\).*/\1/p"; }
# time METHOD PARAMS: "p50 p99"
timed() {
	r=$("$CLIENT" call "$SOCK" "$L" "$1" "$2") ||
		{ echo "bench-budget: $1 failed: $r" >&2; exit 1; }
	echo "$(echo "$r" | field p50_ms) $(echo "$r" | field p99_ms)"
}
P='"user":"budgeted"'
today=$(date -u +%F)
add='"amount":"1.00","category":"food","date":"'$today'"'
rollover() {
	for c in bills entertainment food health other shopping transport total; do
		ctl --user budgeted budget set "$c" 2000 "$1" >/dev/null || exit 1
	done
}
echo "timing..."
s_chain=$(timed budget.status "{$P,\"month\":\"2025-12\"}")
s_first=$(timed budget.status "{$P,\"month\":\"2024-01\"}")
# a write's cost: the evaluation of this month (its rollover chains from
# 2024-01) before each commit, against a user without budgets
w_chain=$(timed expense.add "{$P,$add}")
w_plain=$(timed expense.add "{\"user\":\"plain\",$add}")
rollover --no-rollover
s_plain=$(timed budget.status "{$P,\"month\":\"2025-12\"}")
s_empty=$(timed budget.status "{$P}")
w_month=$(timed expense.add "{$P,$add}")

# 10% more rows in USD, and a rate for every day of the two years
{
	printf 'Date,USD\n'
	d=2024-01-01
	while [ "$d" != 2026-01-01 ]; do
		printf '%s,1.%04d\n' "$d" $(( ($(date -d "$d" +%-j) * 37) % 2000 + 500 ))
		d=$(date -d "$d + 1 day" +%F)
	done
} >"$T/rates.csv"
ctl rate import "$T/rates.csv" >/dev/null || exit 1
"$CLIENT" usd "$SOCK" budgeted $((N / 10)) >/dev/null || exit 1
s_usd=$(timed budget.status "{$P,\"month\":\"2025-12\"}")
unconv=$(ctl --user budgeted --json budget status --month 2025-12 |
	sed -n 's/.*"unconverted": \[\]/none/p' | head -1)
[ "$unconv" = none ] || { echo "bench-budget: USD rows left unconverted"; exit 1; }
rollover --rollover
s_usdchain=$(timed budget.status "{$P,\"month\":\"2025-12\"}")
w_usd=$(timed expense.add "{$P,$add}")
alerts=$(ctl --user budgeted --json alerts | sed -n 's/.*"count": \([0-9]*\).*/\1/p')

awk -v n="$N" -v l="$L" -v a="$s_chain" -v b="$s_first" -v c="$s_plain" \
    -v d="$s_empty" -v e="$s_usd" -v f="$s_usdchain" -v wc="$w_chain" \
    -v wm="$w_month" -v wu="$w_usd" -v wp="$w_plain" -v al="$alerts" '
function row(name, v) { split(v, x, " "); printf "%-56s %8.3f %8.3f\n", name, x[1], x[2] }
BEGIN {
	printf "\nbudget.status, %d calls one at a time, %d rows (24 months, 7 categories),\n", l, n
	printf "8 budgets (7 categories and the overall one)\n\n"
	printf "%-56s %8s %8s\n", "", "p50 ms", "p99 ms"
	row("2025-12, rollover chains from 2024-01 (24 months)", a)
	row("2024-01, rollover (one month)", b)
	row("2025-12, no rollover", c)
	row("this month (no expenses), no rollover", d)
	row("2025-12, no rollover, +10% rows in USD (daily rates)", e)
	row("2025-12, rollover, +10% rows in USD (daily rates)", f)
	worst = 0
	split(a " " b " " c " " d, x, " ")
	for (i = 1; i <= 7; i += 2) if (x[i] > worst) worst = x[i]
	split(f, y, " ")
	printf "\ntarget p50 <= 2 ms: %s in base currency (worst p50 %.3f ms, %.2fx the target);\n", \
	    worst <= 2 ? "met" : "NOT met", worst, worst / 2
	printf "with USD rows in every month of a 24-month rollover chain: %.2fx (each day converted)\n", \
	    y[1] / 2
	printf "\nexpense.add, %d one at a time, dated today %20s %8s %8s\n", l, "", "p50 ms", "p99 ms"
	row("user without budgets", wp)
	row("8 budgets, rollover chains (alerts evaluated)", wc)
	row("8 budgets, no rollover", wm)
	row("8 budgets, rollover, +10% rows in USD", wu)
	split(wp, z, " "); split(wc, y, " "); split(wm, m, " "); split(wu, u, " ")
	printf "p50 ratio to no budgets: %.1f (rollover), %.1f (none), %.1f (USD); %s alerts stored\n", \
	    y[1] / z[1], m[1] / z[1], u[1] / z[1], al
}'
