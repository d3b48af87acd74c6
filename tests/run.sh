#!/bin/sh
# make check: unit tests (cmocka), regress tests (real spendd), short fuzz
# runs, several at once. Prints one line per test, in this order whatever
# order they finish in, the wall time, and last one line "N passed, N
# failed".
#
# Usage: tests/run.sh [-j N] [unit|regress|fuzz|TEST]... (default: all)
#   TEST is a test's name: test_money, 100-http, regress/100-http, fuzz.
#   -j N, JOBS=N or make -jN: tests at once (default: 2 x CPU count + 2:
#   a browser test waits on its pages a third of its time, a regress
#   test on its spendd; on 2 cores 6 at once took 214-235 s where 4 took
#   278, with the machine busy all along).
#   TEST_TIMEOUT=S: a test still running after S seconds (default 300) is
#   stopped with every process it started (its spendd too) and fails; a
#   test can ask for its own limit with a line "# timeout: S" near its top.
# Each test's output is in $B/tests/log/NAME.out; times (ms) of the last
# run in $B/tests/log/times, which also orders the next run (longest
# first); when each test started and ended (ms from the run's start) in
# $B/tests/log/timeline. The regress tests leave every spendd's log in
# $B/tests/log/spendd/ (emptied when every regress test runs); a regress
# test with a line "# last" near its top (999-log-secrets: it reads those
# logs) starts only once every other test of the run has finished.
cd "$(dirname "$0")/.." || exit 1
B=${B:-build}
BIN=${BIN:-.}
# regress tests find the binaries and plugins through these
SPENDD=$(cd "$BIN" && pwd)/spendd
SPENDCTL=$(cd "$BIN" && pwd)/spendctl
PLUGIN_DIR=$(pwd)/$B/plugins
TOOLS=$(pwd)/$B/tests/tools
export B BIN SPENDD SPENDCTL PLUGIN_DIR TOOLS
log=$B/tests/log
mkdir -p "$log"
# python3 behind a version manager's shim (pyenv's is a bash script that
# runs a dozen more) took 0.35 s of CPU a start, the interpreter itself
# 0.08 s: ask the shim once which interpreter it runs, and put its
# directory first in PATH for every test, as the shim's own exec does (the
# directory, not a link to the binary: a virtualenv's interpreter finds
# its packages from the path it was started by).
if _py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) &&
    [ -x "$_py" ] && [ "$(command -v python3)" != "$_py" ]; then
	PATH=$(dirname "$_py"):$PATH
	export PATH
fi
SPEND_LOG_DIR=$(pwd)/$log/spendd
export SPEND_LOG_DIR

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# each test's CPU seconds (user + system, its children included), when GNU
# time is there: the suite's floor on 2 cores is its CPU over 2, whatever
# the order
cputime=""
[ -x /usr/bin/time ] && cputime="/usr/bin/time -q -f %U+%S -a -o"
t0=$(now_ms)

jobs=${JOBS:-}
if [ "${1:-}" = -j ]; then
	jobs=$2
	shift 2
fi
if [ -z "$jobs" ]; then	# make -jN passes N down in MAKEFLAGS
	jobs=$(printf '%s\n' "${MAKEFLAGS:-}" |
	    sed -n 's/.*-j *\([0-9][0-9]*\).*/\1/p')
fi
if [ -z "$jobs" ] || [ "$jobs" -lt 1 ] 2>/dev/null; then
	jobs=$((2 * $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1) + 2))
fi
limit_default=${TEST_TIMEOUT:-300}

# ---- the tests: names in the order of the summary ----
all=""
for t in "$B"/tests/test_*; do
	[ -x "$t" ] && all="$all unit/$(basename "$t")"
done
for t in tests/regress/[0-9]*.sh; do
	[ -f "$t" ] && all="$all regress/$(basename "$t" .sh)"
done
[ -f tests/fuzz/run.sh ] && all="$all fuzz"

want=""
for a in ${*:-unit regress fuzz}; do
	found=0
	for n in $all; do
		case $a in
		unit|regress) case $n in "$a"/*) want="$want $n"; found=1 ;; esac ;;
		*) if [ "$a" = "$n" ] || [ "$a" = "${n#*/}" ]; then
			want="$want $n"; found=1; fi ;;
		esac
	done
	[ $found -eq 1 ] || { echo "tests/run.sh: no test \"$a\"" >&2; exit 2; }
done

base() { echo "${1#*/}"; }	# the log's name: test_money, 100-http, fuzz

# the whole regress suite runs: the spendd logs are all this run's
_every=1
for n in $all; do
	case $n in regress/*) case " $want " in *" $n "*) ;; *) _every=0 ;;
	    esac ;; esac
done
[ $_every -eq 1 ] && rm -rf "$SPEND_LOG_DIR"
mkdir -p "$SPEND_LOG_DIR"

# a test that runs after all the others ("# last" near its top)
is_last() {
	case $1 in
	regress/*) sed -n '1,15p' "tests/regress/${1#regress/}.sh" |
	    grep -q '^# last\b' ;;
	*) return 1 ;;
	esac
}

# the command of a test
cmd() {
	case $1 in
	unit/*) echo "$B/tests/${1#unit/}" ;;
	regress/*) echo "sh tests/regress/${1#regress/}.sh" ;;
	fuzz) echo "sh tests/fuzz/run.sh" ;;
	esac
}

# its time limit: "# timeout: S" in a regress test's first lines (" *
# timeout: S" in a unit test's opening comment); fuzz
# gets its targets' seconds on top
limit() {
	case $1 in
	regress/*)
		l=$(sed -n '1,15s/^# timeout: *\([0-9][0-9]*\).*/\1/p' \
		    "tests/regress/${1#regress/}.sh" | head -1)
		echo "${l:-$limit_default}" ;;
	unit/*)	# " * timeout: S" in the test's opening comment
		l=$(sed -n '1,15s/^ \* timeout: *\([0-9][0-9]*\).*/\1/p' \
		    "tests/unit/${1#unit/}.c" | head -1)
		echo "${l:-$limit_default}" ;;
	fuzz)
		n=$(ls tests/fuzz/fuzz_*.c 2>/dev/null | wc -l)
		echo $((limit_default + n * ${FUZZ_SECONDS:-5})) ;;
	*) echo "$limit_default" ;;
	esac
}

# run NAME: in the background; NAME.rc says "status milliseconds" when
# it is done. timeout(1) runs the test in a process group of its own and,
# past the limit, signals all of it: the test, its spendd, its clients.
run() {
	_b=$(base "$1")
	_l=$(limit "$1")
	_s=$(now_ms)
	rm -f "$log/$_b.cpu"
	# shellcheck disable=SC2046
	timeout -k 20 "$_l" ${cputime:+$cputime "$log/$_b.cpu"} $(cmd "$1") >"$log/$_b.out" 2>&1 </dev/null 3>&-
	_rc=$?
	if [ $_rc -eq 124 ] || [ $_rc -eq 137 ]; then
		echo "not ok - $1 timed out after ${_l}s" \
		    "(stopped with everything it started)" >>"$log/$_b.out"
	fi
	_e=$(now_ms)
	# when it ran, from the run's start: what ran last, what waited
	echo "$1 $((_s - t0)) $((_e - t0))" >>"$log/timeline"
	echo "$_rc $((_e - _s))" >"$log/$_b.rc.tmp"
	mv "$log/$_b.rc.tmp" "$log/$_b.rc"
	echo "$_b" >&3	# one line a test: the loop below wakes on it
}

# The loop sleeps in a read of this FIFO until a test ends, rather than
# polling every 0.1 s: a sleep(1) a poll was 3,000 processes a run, each
# a fork and exec that cost milliseconds of CPU on a VM. Opened for
# reading and writing, so it never reads an end of file.
_fifo=$log/.done.$$
rm -f "$_fifo"
mkfifo "$_fifo" || exit 1
exec 3<>"$_fifo"
rm -f "$_fifo"
# wait_one: until a test started by run ends; then print what finished
# (report, below)
wait_one() {
	read -r _ <&3
	running=$((running - 1))
	report
}

# ---- start them, longest first (as the last run timed them) ----
for n in $want; do rm -f "$log/$(base "$n").rc"; done
rm -f "$log/timeline"
# the last run's ms of test $1, fuzz first; a test not timed yet (a clean
# clone) by its time limit, so the long sweeps still start first
prev() {
	[ "$1" = fuzz ] && { echo 999999999; return; }
	_p=$(sed -n "s|^$1 \\([0-9]*\\)\$|\\1|p" "$log/times" 2>/dev/null)
	echo "${_p:-$(($(limit "$1") * 1000))}"
}
order=$(for n in $want; do is_last "$n" || echo "$(prev "$n") $n"; done |
    sort -rn -k1,1 | cut -d' ' -f2)
lasts=$(for n in $want; do is_last "$n" && echo "$n"; done)

pass=0
fail=0
cpu_ms=0
failed=""
times=""
pending=$want

count() { # name exit-status output-file ms
	_p=$(grep -Ec '^(ok|\[       OK \])' "$3")
	_f=$(grep -Ec '^(not ok|\[  FAILED  \] [a-z_])' "$3")
	if [ "$2" -ne 0 ] && [ "$_f" -eq 0 ]; then
		_f=1	# crashed or failed outside a test: count it
		echo "not ok - $1 exited with status $2" >>"$3"
	fi
	pass=$((pass + _p))
	fail=$((fail + _f))
	[ "$_f" -eq 0 ] || failed="$failed $1"
	# CPU: GNU time's last line, "user+system" (a line before it may say
	# how the test exited)
	_c=$(grep -E '^[0-9]+\.[0-9]+\+[0-9]+\.[0-9]+$' "$log/${1#*/}.cpu" \
	    2>/dev/null | tail -1)
	_cs=""
	if [ -n "$_c" ]; then
		_cms=$(echo "$_c" | awk -F+ '{printf "%d", ($1 + $2) * 1000}')
		cpu_ms=$((cpu_ms + _cms))
		_cs=$(printf ' %5d.%ds CPU' $((_cms / 1000)) $((_cms % 1000 / 100)))
	fi
	printf '%-40s %4d passed, %d failed %5d.%ds%s\n' "$1" "$_p" "$_f" \
	    $(($4 / 1000)) $(($4 % 1000 / 100)) "$_cs"
}

# print the finished tests at the head of the summary order (the
# functions share the shell's variables: each has its own names)
report() {
	for _n in $pending; do
		_b=${_n#*/}
		[ -f "$log/$_b.rc" ] || return 0
		read -r _rc _ms <"$log/$_b.rc"
		count "$_n" "$_rc" "$log/$_b.out" "$_ms"
		times="$times$_n $_ms
"
		pending=${pending#*"$_n"}
	done
}

running=0
for t in $order; do
	while [ $running -ge "$jobs" ]; do wait_one; done
	run "$t" &
	running=$((running + 1))
done
# the "# last" tests, once everything else has finished
if [ -n "$lasts" ]; then
	while [ $running -gt 0 ]; do wait_one; done
	for t in $lasts; do
		run "$t"
		running=$((running + 1))
	done
fi
while [ $running -gt 0 ]; do wait_one; done
report
wait
exec 3>&-
# a test whose result file never came (it could not be written: a full
# disk) is a failure, not a test left out of the count
for n in $pending; do
	echo "not ok - $n left no result ($log/$(base "$n").rc)"
	fail=$((fail + 1))
	failed="$failed $n"
done
# this run's times, and the last known of the tests not run this time
{ printf '%s' "$times"
  for n in $all; do
	case " $want " in *" $n "*) ;; *) grep "^$n " "$log/times" ;; esac
  done 2>/dev/null; } >"$log/times.new"
mv "$log/times.new" "$log/times"

if [ -n "$failed" ]; then
	echo
	for n in $failed; do
		f=$log/$(base "$n").out
		echo "==== $n (full log: $f)"
		grep -E -B2 -A8 '^(not ok|\[  FAILED  \]|\[  ERROR   \])' "$f" | head -60
	done
fi
ms=$(($(now_ms) - t0))
echo
cpu=""
[ -n "$cputime" ] && cpu=", CPU $((cpu_ms / 1000)).$((cpu_ms % 1000 / 100)) s"
echo "wall time $((ms / 1000)).$((ms % 1000 / 100)) s$cpu, $jobs at once"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
