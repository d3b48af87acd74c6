#!/bin/sh
# A graceful stop finishes the HTTP requests in flight: a login whose
# password is being hashed when SIGTERM arrives still gets its 200. And on
# the control socket a reply already answered but not yet read (larger than
# the socket's buffers) is written out in full before spendd exits. A
# SIGTERM while spendd still starts (a plugin's init) stops it cleanly once
# it has started, instead of killing it with its socket left behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

start_spendd -d -o auth.argon2_opslimit=3 -o auth.argon2_memlimit=32M ||
    { not_ok "spendd starts"; done_testing; }
req POST /api/v1/auth/register '{"username":"alice","password":"alice-pass"}'
expect "register" 201
curl -s -o "$T/login" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"username":"alice","password":"alice-pass"}' \
    "http://127.0.0.1:$HTTP_PORT/api/v1/auth/login" >"$T/code" &
cpid=$!
wait_for "the login's hashing" in_file 'verifying a password' "$T/spendd.log"
like "the login is in flight" "$(cat "$T/spendd.log")" "verifying a password"
kill -TERM "$SPENDD_PID"
wait "$cpid"
is "it still gets its answer" "$(cat "$T/code")" 200
like "... with a token" "$(cat "$T/login")" '"access_token"'
wait "$SPENDD_PID"
is "spendd exits cleanly" "$?" 0
SPENDD_PID=""
like "it said it was finishing" "$(cat "$T/spendd.log")" "finishing in-flight requests"

start_spendd || { not_ok "spendd starts again"; done_testing; }
ctl user add bob >/dev/null
# 500 expenses of 900 bytes of note each: a list of them is 550 kB, more than a
# Unix socket holds, so most of the reply waits in spendd's buffer until
# the client reads. The client asks, waits until spendd logs the answer,
# has spendd signalled, and only then reads.
python3 - "$SOCK" "$SPENDD_PID" "$T/spendd.log" >"$T/late" 2>&1 <<'PY'
import json, os, signal, socket, sys, time
path, pid, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def call(s, req):
    s.sendall((json.dumps(req) + "\n").encode())
s = socket.socket(socket.AF_UNIX); s.connect(path)
items = [{"amount": "1.00", "category": "food", "note": "n" * 900}
         for _ in range(500)]
call(s, {"jsonrpc": "2.0", "id": 1, "method": "expense.add",
         "params": {"user": "bob", "items": items}})
buf = b""
while b"\n" not in buf:
    buf += s.recv(65536)
call(s, {"jsonrpc": "2.0", "id": 2, "method": "expense.list",
         "params": {"user": "bob", "limit": 500}})
t0 = time.time()
while time.time() - t0 < 30 and ' expense.list ' not in open(log).read():
    time.sleep(0.02)
os.kill(pid, signal.SIGTERM)
time.sleep(0.5)
buf = buf[buf.index(b"\n") + 1:]
while True:
    b = s.recv(1 << 20)
    if not b:
        break
    buf += b
try:
    print("items", len(json.loads(buf)["result"]["items"]))
except ValueError:
    print("a cut reply of", len(buf), "bytes")
PY
is "a reply answered before the signal is read in full after it" "$(cat "$T/late")" "items 500"
wait "$SPENDD_PID"
is "spendd exits cleanly again" "$?" 0
SPENDD_PID=""

# A plugin whose init takes 2 s: SIGTERM arrives while it runs, before any
# socket listens. Without a handler yet, that signal killed spendd (and one
# arriving after the socket was made left the socket behind).
mkdir -p "$T/slow"
cat >"$T/slow.c" <<'EOF'
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <spend/plugin.h>
SPEND_PLUGIN_DECLARE;
SPEND_PLUGIN_EXPORT int
spend_plugin_init(const struct spend_host_api *h, struct spend_plugin *self)
{
	(void)h;
	close(open(getenv("SLOW_MARK"), O_CREAT | O_WRONLY, 0600));
	sleep(2);
	self->version = "0.0.1";
	return 0;
}
EOF
${CC:-cc} -shared -fPIC -fvisibility=hidden -I"$TOP/include" -o "$T/slow/slow.so" "$T/slow.c" ||
    not_ok "the slow plugin builds"
rm -f "$SOCK"
SLOW_MARK=$T/slow.mark "$SPENDD" -f --data-dir "$T/data" -o "http.listen=127.0.0.1:$HTTP_PORT" \
    -o "plugins.dir=$T/slow" $CHEAP >>"$T/spendd.log" 2>&1 &
slow=$!
wait_for "the slow plugin's init" test -e "$T/slow.mark"
stops=$(grep -c 'signal 15: finishing' "$T/spendd.log")
kill -TERM "$slow"
wait_for -t 30 "spendd to stop" gone "$slow"
wait "$slow"
is "a SIGTERM during start-up stops spendd cleanly" "$?" 0
is "... once started, as a stop" "$(grep -c 'signal 15: finishing' "$T/spendd.log")" $((stops + 1))
check_fails "... and leaves no socket behind" test -e "$SOCK"
done_testing
