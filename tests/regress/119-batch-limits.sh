#!/bin/sh
# Replies are bounded: a JSON-RPC batch stops running requests once its
# replies reach [daemon] max_batch_reply, a long line on the control
# socket is refused, and a socket client that does not read stops being
# read instead of making spendd queue its replies.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

# an ASan build's RSS counts its quarantine and shadow memory too
nm "$SPENDD" 2>/dev/null | grep -q __asan_init && export RSS_SCALE=4
start_spendd -o daemon.max_batch_reply=1M -o daemon.max_request=1M ||
    { not_ok "spendd starts"; done_testing; }
req POST /api/v1/auth/register '{"username":"alice","password":"alice-pass"}'
expect "alice registers" 201
login alice alice-pass
python3 - "$SOCK" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
b = [{"jsonrpc": "2.0", "id": i, "method": "expense.add", "params": {"user": "alice",
      "amount": "%d.25" % i, "category": "food", "date": "2026-01-01",
      "note": "row %d of the batch test, a note long enough to weigh" % i}} for i in range(600)]
s.sendall(json.dumps(b).encode() + b"\n")
buf = b""
while not buf.endswith(b"\n"):
    buf += s.recv(1 << 20)
r = json.loads(buf)
print("ok - 600 expenses added" if all("result" in x for x in r) else "not ok - 600 expenses added")
PY
python3 "$TOP/tests/regress/rawhttp.py" batches "$HTTP_PORT" "$TOKEN" "$SPENDD_PID" ||
    not_ok "rawhttp.py batches: every case passed"
python3 "$TOP/tests/regress/rawhttp.py" control "$HTTP_PORT" "$SOCK" "$SPENDD_PID" ||
    not_ok "rawhttp.py control: every case passed"
is "the same list after all that" "$(ctl --user alice expense list --limit 1 --json | jget count)" 600
check "daemon alive" alive
done_testing
