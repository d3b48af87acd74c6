#!/bin/sh
# Notifier deliveries: BENCH_NOTIFY_EVENTS (2000) test events, stored in
# one JSON-RPC batch, delivered to a local webhook receiver (python3, the
# regress tests' hooksrv.py) and the log channel. Prints deliveries per
# second, and the round trip of a daemon.version call on the control
# socket while the deliveries run against the same call idle (p50, p99
# and their ratio): the deliveries run on the loop, as I/O, and must not
# stall it. Nothing passes or fails on time.
set -u
cd "$(dirname "$0")/../.." || exit 1
SPENDD=${SPENDD:-$(pwd)/spendd}
SPENDCTL=${SPENDCTL:-$(pwd)/spendctl}
PLUGIN_DIR=${PLUGIN_DIR:-$(pwd)/build/plugins}
N=${BENCH_NOTIFY_EVENTS:-2000}
T=$(mktemp -d "${TMPDIR:-/tmp}/spend-bench-notify.XXXXXX")
PID=""
HOOK=""

cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	[ -n "$HOOK" ] && kill "$HOOK" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
HP=$(port)
mkdir -p "$T/hooks" "$T/data"
python3 tests/regress/hooksrv.py "$HP" "$T/hooks" >"$T/hooks.log" 2>&1 &
HOOK=$!
i=0; while [ ! -e "$T/hooks/ready" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
"$SPENDD" -f --data-dir "$T/data" -o http.listen= -o "plugins.dir=$PLUGIN_DIR" \
    -o "notify.webhook_allow=http://127.0.0.1:$HP/*" -o notify.retry= \
    >"$T/spendd.log" 2>&1 &
PID=$!
i=0; while [ ! -S "$T/data/spendd.sock" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
[ -S "$T/data/spendd.sock" ] || { echo "bench-notify: spendd did not start"; cat "$T/spendd.log"; exit 1; }
C="$SPENDCTL --socket $T/data/spendd.sock"
$C user add bench >/dev/null || exit 1
$C --user bench notify set webhook --target "http://127.0.0.1:$HP/ok/bench" >/dev/null || exit 1
$C --user bench notify set log >/dev/null || exit 1

python3 - "$T/data/spendd.sock" "$N" <<'PY'
import json, socket, sys, time

sock_path, n = sys.argv[1], int(sys.argv[2])


class Conn:
    def __init__(self):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(sock_path)
        self.buf = b""
        self.id = 0

    def call(self, method, params=None):
        self.id += 1
        req = {"jsonrpc": "2.0", "id": self.id, "method": method,
               "params": params or {}}
        self.s.sendall(json.dumps(req).encode() + b"\n")
        return self.reply()

    def reply(self):
        while b"\n" not in self.buf:
            d = self.s.recv(1 << 20)
            if not d:
                raise SystemExit("bench-notify: spendd closed the socket")
            self.buf += d
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)


def latencies(c, seconds=None, until=None):
    out = []
    t_end = time.monotonic() + (seconds or 3600)
    while time.monotonic() < t_end:
        t = time.monotonic()
        c.call("daemon.version")
        out.append((time.monotonic() - t) * 1000)
        if until and len(out) % 20 == 0 and until():
            break
    return out


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p / 100))]


probe = Conn()
idle = latencies(probe, seconds=2)
feeder = Conn()
batch = [{"jsonrpc": "2.0", "id": i, "method": "notify.test",
          "params": {"user": "bench", "message": "bench %d" % i}}
         for i in range(n)]
# in batches of 500 (a batch runs 64 requests a loop turn)
t0 = time.monotonic()
for k in range(0, n, 500):
    part = batch[k:k + 500]
    feeder.s.sendall(json.dumps(part).encode() + b"\n")
    r = feeder.reply()
    bad = [x for x in r if "error" in x]
    if bad:
        raise SystemExit("bench-notify: %s" % bad[0])
stored = time.monotonic() - t0


def done():
    st = probe.call("daemon.status")["result"]["deliveries"]
    return st["pending"] == 0


busy = latencies(probe, until=done)
while not done():
    time.sleep(0.05)
total = time.monotonic() - t0
st = probe.call("daemon.status")["result"]["deliveries"]
print("%d events (webhook + log: %d deliveries), stored in %.2f s" %
      (n, 2 * n, stored))
print("all delivered in %.2f s: %.0f deliveries/s (%d sent, %d failed)" %
      (total, 2 * n / total, st["sent"], st["failed"]))
print("daemon.version round trip   p50 ms   p99 ms   calls")
print("  idle                   %8.2f %8.2f %7d" % (pct(idle, 50),
      pct(idle, 99), len(idle)))
print("  while delivering       %8.2f %8.2f %7d" % (pct(busy, 50),
      pct(busy, 99), len(busy)))
print("  ratio (busy / idle)    %8.1f %8.1f" % (pct(busy, 50) / pct(idle, 50),
      pct(busy, 99) / pct(idle, 99)))
PY
