# Shared by the regress tests: start a real spendd in a temp dir, drive it,
# report TAP-like "ok - ..." / "not ok - ..." lines. Source it:
#   . "$(dirname "$0")/lib.sh"
# The test exits non-zero if anything failed (done_testing).

set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
SPENDD=${SPENDD:-$TOP/spendd}
SPENDCTL=${SPENDCTL:-$TOP/spendctl}
PLUGIN_DIR=${PLUGIN_DIR:-$TOP/build/plugins}
# the helpers of tests/tools/ (make tools), built here if missing
case ${B:-build} in /*) TOOLS=${TOOLS:-$B/tests/tools} ;;
*) TOOLS=${TOOLS:-$TOP/${B:-build}/tests/tools} ;; esac
if [ ! -x "$TOOLS/jget" ] || [ ! -x "$TOOLS/rpc" ] || [ ! -x "$TOOLS/port" ]; then
	make -s -C "$TOP" B="${B:-build}" tools >&2 ||
	    { echo "not ok - the test tools build (make tools)"; exit 1; }
fi
# ports handed out to the tests running now (tests/tools/port.c)
PORTS=${SPEND_TEST_PORTS:-/tmp/spend-test-ports}
T=$(mktemp -d "${TMPDIR:-/tmp}/spend-regress.XXXXXX")
SOCK=$T/data/spendd.sock
HTTP_PORT=""
SPENDD_PID=""
_fails=0
_n=0

# Sanitizer reports of spendd and spendctl (in an --enable-asan build) go
# to files and fail the test in done_testing, even from a daemon's exit.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$T/sanitizer"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$T/sanitizer:print_stacktrace=1"
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$TOP/tests/lsan.supp"

ok() { _n=$((_n + 1)); echo "ok - $*"; }
not_ok() { _n=$((_n + 1)); _fails=$((_fails + 1)); echo "not ok - $*"; }

# check "description" command...: ok if the command exits 0
check() {
	d=$1; shift
	if "$@" >"$T/out" 2>"$T/err"; then ok "$d"; else
		not_ok "$d"; sed 's/^/#   /' "$T/out" "$T/err" | head -20; fi
}
# check_fails "description" command...: ok if the command exits non-zero
check_fails() {
	d=$1; shift
	if "$@" >"$T/out" 2>"$T/err"; then
		not_ok "$d (unexpected success)"; sed 's/^/#   /' "$T/out" | head -5
	else ok "$d"; fi
}
# is "description" got expected
is() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1"; echo "#   got:      '$2'"; echo "#   expected: '$3'"; fi
}
# like "description" haystack needle (substring)
like() {
	case $2 in *"$3"*) ok "$1" ;; *) not_ok "$1"
		echo "#   '$2'" | head -c 600; echo; echo "#   does not contain '$3'" ;; esac
}

# isnt "description" got unwanted: ok if got is something (not empty)
# and not unwanted
isnt() {
	if [ -n "$2" ] && [ "$2" != "$3" ]; then ok "$1"; else
		not_ok "$1"; echo "#   got '$2', which it should not be"; fi
}

# wait_for [-t SECONDS] "what" command...: runs the command until it
# succeeds, every 50 ms, for at most SECONDS (default 20, or
# $WAIT_SECONDS); then says what it gave up on and returns 1. Not a test
# of its own: check the outcome after it.
wait_for() {
	_wt=${WAIT_SECONDS:-20}
	if [ "$1" = -t ]; then _wt=$2; shift 2; fi
	_wd=$1; shift
	_wi=$((_wt * 20))
	while ! "$@" >/dev/null 2>&1; do
		if [ "$_wi" -le 0 ]; then
			echo "# gave up waiting ${_wt}s for $_wd"
			return 1
		fi
		sleep 0.05
		_wi=$((_wi - 1))
	done
}
# conditions for wait_for
gone() { ! kill -0 "$1" 2>/dev/null; }	# gone PID
in_file() { grep -q -- "$1" "$2" 2>/dev/null; }	# in_file PATTERN FILE
# lines_in_file PATTERN FILE N: at least N lines match
lines_in_file() { [ "$(grep -c -- "$1" "$2" 2>/dev/null)" -ge "$3" ]; }
nonempty() { [ -s "$1" ]; }

# A TCP port on loopback that no other test running now has, nor will be
# given while this one lives (released when it exits).
free_port() { "$TOOLS/port" claim "$PORTS" $$; }

# Passwords are hashed with the cheapest Argon2id parameters (and so is
# spendd's start-up dummy hash): start_spendd passes these first, so a
# test of hashing gives its own -o auth.argon2_* (the last -o wins) or
# sets CHEAP="".
CHEAP="-o auth.argon2_opslimit=1 -o auth.argon2_memlimit=8k"
# Access lines ([log] access) in every test's spendd log, so the search of
# the whole run's logs for secrets (999-log-secrets) reads them too;
# SPEND_TEST_ACCESS_LOG=no leaves them out. (Before the test's own -o.)
case ${SPEND_TEST_ACCESS_LOG:-yes} in
no) ACCESS="" ;;
*) ACCESS="-o log.access=yes" ;;
esac

# start_spendd [extra spendd args...]: data dir $T/data, HTTP on a free
# port unless -o http.listen=... is given. Waits for the socket.
start_spendd() {
	mkdir -p "$T/data"
	[ -n "$HTTP_PORT" ] || HTTP_PORT=$(free_port) || return 1
	# shellcheck disable=SC2086
	"$SPENDD" -f --data-dir "$T/data" -o "http.listen=127.0.0.1:$HTTP_PORT" \
		-o "http.webui=$TOP/webui" -o "plugins.dir=$PLUGIN_DIR" $CHEAP \
		$ACCESS "$@" >>"$T/spendd.log" 2>&1 &
	SPENDD_PID=$!
	wait_for "spendd's socket" _started
	if [ ! -S "$SOCK" ]; then
		echo "# spendd did not start:"; sed 's/^/#   /' "$T/spendd.log"
		return 1
	fi
}
# the socket is there, or spendd is gone (no use waiting)
_started() { [ -S "$SOCK" ] || ! kill -0 "$SPENDD_PID" 2>/dev/null; }

# stop_spendd: SIGTERM, and wait for it to exit (a minute at most: then
# that is a failure, and SIGKILL)
stop_spendd() {
	[ -n "$SPENDD_PID" ] || return 0
	kill -TERM "$SPENDD_PID" 2>/dev/null
	if ! wait_for -t 60 "spendd to exit on SIGTERM" gone "$SPENDD_PID"; then
		not_ok "spendd $SPENDD_PID exits within 60 s of SIGTERM"
		kill -KILL "$SPENDD_PID" 2>/dev/null
	fi
	wait "$SPENDD_PID" 2>/dev/null
	SPENDD_PID=""
}

alive() { [ -n "$SPENDD_PID" ] && kill -0 "$SPENDD_PID" 2>/dev/null; }

# ctl ARGS...: spendctl on the test socket
ctl() { "$SPENDCTL" --socket "$SOCK" "$@"; }

# rpc METHOD [JSON-PARAMS]: raw JSON-RPC over the socket, prints the reply
# line (tests/tools/rpc.c)
rpc() { "$TOOLS/rpc" "$SOCK" "$1" "${2:-{\}}"; }

# repeat N C: the character C, N times
repeat() { printf "%${1}s" "" | tr ' ' "$2"; }

# jget [-j SEP] [-d DEFAULT] [-s] PATH... <JSON: fields by path, e.g.
# count, items.0.id, items.*.amount, plugins[name=csv].0.state, tags.#
# (tests/tools/jget.c says it all). Strings print bare, true/false/null
# as such, arrays and objects as JSON.
jget() { "$TOOLS/jget" "$@"; }

# Keep every spendd log of this test (a *.log of $T, or of a directory in
# it, that spendd wrote) in $SPEND_LOG_DIR as TEST.FILE, for
# 999-log-secrets, which reads them all after the regress run.
_keep_logs() {
	[ -n "${SPEND_LOG_DIR:-}" ] && [ -d "$T" ] || return 0
	mkdir -p "$SPEND_LOG_DIR" || return 0
	_name=$(basename "$0" .sh)
	find "$T" -maxdepth 2 -type f -name '*.log' 2>/dev/null |
	while IFS= read -r _f; do
		grep -qE '^[0-9T:.-]+Z [a-z]+: |^\{"time":' "$_f" 2>/dev/null ||
		    continue
		_rel=${_f#"$T"/}
		cp "$_f" "$SPEND_LOG_DIR/$_name.$(printf '%s' "$_rel" |
		    tr '/' '_')"
	done
}

done_testing() {
	stop_spendd
	_keep_logs
	# (a file with only LSan's "Suppressions used" table is no report)
	if cat "$T"/sanitizer.* 2>/dev/null | grep -q 'ERROR: \|runtime error'; then
		not_ok "sanitizer reports"
		cat "$T"/sanitizer.* | head -60 | sed 's/^/#   /'
	fi
	if [ "$_fails" -ne 0 ]; then
		echo "# spendd log:"; tail -30 "$T/spendd.log" 2>/dev/null | sed 's/^/#   /'
	fi
	echo "# $_n tests, $_fails failed"
	[ "${KEEP:-0}" = 1 ] || rm -rf "$T"
	[ "$_fails" -eq 0 ]
	exit $?
}

# However the test ends (a signal, a timeout of tests/run.sh), its spendd
# is stopped and its ports are given back; cut short, it shows the end of
# spendd's log and removes its temp dir (unless KEEP=1).
_cleanup() {
	if [ -n "$SPENDD_PID" ]; then
		kill -TERM "$SPENDD_PID" 2>/dev/null
		wait_for -t 10 "spendd to exit" gone "$SPENDD_PID" ||
		    kill -KILL "$SPENDD_PID" 2>/dev/null
		SPENDD_PID=""
	fi
	"$TOOLS/port" release "$PORTS" $$
	_keep_logs
	if [ -d "$T" ] && [ "${KEEP:-0}" != 1 ]; then
		echo "# cut short; spendd log:"
		tail -30 "$T/spendd.log" 2>/dev/null | sed 's/^/#   /'
		rm -rf "$T"
	fi
}
trap '_cleanup' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
