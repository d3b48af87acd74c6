# Shared by the regress tests: start a real spendd in a temp dir, drive it,
# report TAP-like "ok - ..." / "not ok - ..." lines. Source it:
#   . "$(dirname "$0")/lib.sh"
# The test exits non-zero if anything failed (done_testing).

set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
SPENDD=${SPENDD:-$TOP/spendd}
SPENDCTL=${SPENDCTL:-$TOP/spendctl}
PLUGIN_DIR=${PLUGIN_DIR:-$TOP/build/plugins}
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

# A free TCP port on loopback.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_spendd [extra spendd args...]: data dir $T/data, HTTP on a free
# port unless -o http.listen=... is given. Waits for the socket.
start_spendd() {
	mkdir -p "$T/data"
	[ -n "$HTTP_PORT" ] || HTTP_PORT=$(free_port)
	"$SPENDD" -f --data-dir "$T/data" -o "http.listen=127.0.0.1:$HTTP_PORT" \
		-o "http.webui=$TOP/webui" -o "plugins.dir=$PLUGIN_DIR" \
		"$@" >>"$T/spendd.log" 2>&1 &
	SPENDD_PID=$!
	i=0
	while [ ! -S "$SOCK" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	if [ ! -S "$SOCK" ]; then
		echo "# spendd did not start:"; sed 's/^/#   /' "$T/spendd.log"
		return 1
	fi
}

stop_spendd() {
	[ -n "$SPENDD_PID" ] || return 0
	kill -TERM "$SPENDD_PID" 2>/dev/null
	wait "$SPENDD_PID" 2>/dev/null
	SPENDD_PID=""
}

alive() { [ -n "$SPENDD_PID" ] && kill -0 "$SPENDD_PID" 2>/dev/null; }

# ctl ARGS...: spendctl on the test socket
ctl() { "$SPENDCTL" --socket "$SOCK" "$@"; }

# rpc METHOD JSON-PARAMS: raw JSON-RPC over the socket, prints the reply line
rpc() {
	python3 - "$SOCK" "$1" "${2:-{\}}" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall((json.dumps({"jsonrpc": "2.0", "id": 1, "method": sys.argv[2],
    "params": json.loads(sys.argv[3])}) + "\n").encode())
buf = b""
while not buf.endswith(b"\n"):
    d = s.recv(65536)
    if not d: break
    buf += d
print(buf.decode().strip())
PY
}

# jq-free JSON field access: jget 'expr' <<< json  (expr is Python on `j`)
jget() { python3 -c "import json,sys; j=json.load(sys.stdin); v=$1; print(v if not isinstance(v,(dict,list)) else json.dumps(v))"; }

done_testing() {
	stop_spendd
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

trap 'stop_spendd' INT TERM
