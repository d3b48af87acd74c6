#!/bin/sh
# Sync's costs: a device's pull of BENCH_SYNC_CHANGES (10,000) changes in
# pages of 1,000; a push of 1,000 offline creations; and the event
# stream's fan-out: 1,000 open streams (100 users, 10 each), one write
# per user, the time from the write's request to each of its user's
# streams receiving it (target: p99 <= 100 ms). Nothing here passes or
# fails on time; the figures are printed.
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
SPENDD=${SPENDD:-$(pwd)/spendd}
PLUGIN_DIR=${PLUGIN_DIR:-$(pwd)/$B/plugins}
T=$(mktemp -d "${TMPDIR:-/tmp}/spend-bench-sync.XXXXXX")
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
trap 'exit 1' INT TERM

command -v python3 >/dev/null || { echo "bench-sync: needs python3"; exit 1; }
ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$T/data"
"$SPENDD" -f --data-dir "$T/data" -o "http.listen=127.0.0.1:$PORT" \
	-o "plugins.dir=$PLUGIN_DIR" -o auth.argon2_opslimit=1 \
	-o auth.argon2_memlimit=8k -o http.max_connections_per_address=4000 \
	-o http.max_connections=4000 >"$T/spendd.log" 2>&1 &
PID=$!
i=0; while [ ! -S "$T/data/spendd.sock" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
[ -S "$T/data/spendd.sock" ] || { echo "spendd did not start"; cat "$T/spendd.log"; exit 1; }
echo "bench-sync: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$T/data/spendd.sock" "$PORT" "${BENCH_SYNC_CHANGES:-10000}" <<'PY'
import json, selectors, socket, sys, time, urllib.request
sock_path, port, N = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

class Rpc:
    def __init__(self):
        self.s = socket.socket(socket.AF_UNIX); self.s.connect(sock_path)
        self.buf = b""; self.id = 0
    def line(self):
        while b"\n" not in self.buf:
            self.buf += self.s.recv(1 << 20)
        l, self.buf = self.buf.split(b"\n", 1)
        return json.loads(l)
    def send(self, req):
        self.s.sendall(json.dumps(req).encode() + b"\n")
        return self.line()
    def call(self, method, params):
        self.id += 1
        r = self.send({"jsonrpc": "2.0", "id": self.id, "method": method, "params": params})
        if "error" in r:
            raise RuntimeError(r["error"])
        return r["result"]
    def batch(self, calls):
        reqs = []
        for m, p in calls:
            self.id += 1
            reqs.append({"jsonrpc": "2.0", "id": self.id, "method": m, "params": p})
        return self.send(reqs)

def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p / 100))]

rpc = Rpc()
rpc.call("user.add", {"name": "alice"})
made = 0
while made < N:
    n = min(500, N - made)
    rpc.batch([("expense.add", {"user": "alice", "amount": "%d.00" % (i % 90 + 1),
                                 "category": "food", "date": "2026-03-01",
                                 "note": "row %d" % i}) for i in range(made, made + n)])
    made += n
t = time.time(); pages = 0; got = 0; p = {"user": "alice", "since": 0, "limit": 1000}
while True:
    r = rpc.call("sync.pull", p); pages += 1; got += len(r["changes"])
    if not r["more"]:
        break
    p = {"user": "alice", "cursor": r["next_cursor"], "limit": 1000}
dt = time.time() - t
print("pull of %d changes: %d pages of 1000, %.3f s (%.0f changes/s)" % (got, pages, dt, got / dt))

muts = [{"mid": "m-%d" % i, "op": "create", "client_id": "c-%d" % i,
         "fields": {"amount": "2.00", "category": "food", "note": "offline %d" % i}}
        for i in range(1000)]
t = time.time()
r = rpc.call("sync.push", {"user": "alice", "mutations": muts})
dt = time.time() - t
print("push of 1000 offline creations: %.3f s (%d applied)" % (dt, r["applied"]))
t = time.time()
r = rpc.call("sync.push", {"user": "alice", "mutations": muts})
print("the same push again (replayed): %.3f s (%d replayed)" % (time.time() - t, r["replayed"]))

# fan-out: 100 users, 10 streams each
USERS, PER = 100, 10
tokens = []
for u in range(USERS):
    rpc.call("user.add", {"name": "u%d" % u, "password": "password-%d" % u})
for u in range(USERS):
    req = urllib.request.Request("http://127.0.0.1:%d/api/v1/auth/login" % port,
        data=json.dumps({"username": "u%d" % u, "password": "password-%d" % u,
                         "refresh_in_body": True}).encode(),
        headers={"Content-Type": "application/json"})
    tokens.append(json.load(urllib.request.urlopen(req))["access_token"])
sel = selectors.DefaultSelector()
streams = []
for u in range(USERS):
    for k in range(PER):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(("GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                   "Accept: text/event-stream\r\n\r\n" % tokens[u]).encode())
        st = {"u": u, "buf": b"", "open": False, "got": None}
        streams.append((s, st))
        sel.register(s, selectors.EVENT_READ, st)
def pump(until, cond):
    while time.time() < until and not cond():
        for key, _ in sel.select(0.05):
            d = key.fileobj.recv(65536)
            st = key.data
            st["buf"] += d
            if not st["open"] and b": spendd events" in st["buf"]:
                st["open"] = True; st["buf"] = b""
            elif st["open"] and b"event: expense.add" in st["buf"] and st["got"] is None:
                st["got"] = time.time()
pump(time.time() + 60, lambda: all(st["open"] for _, st in streams))
print("%d event streams open" % sum(1 for _, st in streams if st["open"]))
lat = []
t_all = time.time()
for u in range(USERS):
    t0 = time.time()
    rpc.call("expense.add", {"user": "u%d" % u, "amount": "1.00", "category": "food"})
    mine = [st for _, st in streams if st["u"] == u]
    pump(time.time() + 10, lambda: all(st["got"] for st in mine))
    lat += [(st["got"] - t0) * 1000 for st in mine if st["got"]]
print("fan-out: %d of %d streams received their user's write: p50 %.2f ms, p99 %.2f ms, "
      "max %.2f ms (target p99 <= 100 ms); %.2f s for the 100 writes"
      % (len(lat), USERS * PER, pct(lat, 50), pct(lat, 99), max(lat), time.time() - t_all))
# a burst: every user writes at once (one JSON-RPC batch), all 1,000
# streams get their user's write
for _, st in streams:
    st["got"] = None; st["buf"] = b""
t0 = time.time()
rpc.batch([("expense.add", {"user": "u%d" % u, "amount": "2.00", "category": "food"})
           for u in range(USERS)])
pump(time.time() + 30, lambda: all(st["got"] for _, st in streams))
lat = [(st["got"] - t0) * 1000 for _, st in streams if st["got"]]
print("burst: 100 writes in one batch reach %d streams: p50 %.2f ms, p99 %.2f ms, last %.2f ms "
      "after the batch was sent" % (len(lat), pct(lat, 50), pct(lat, 99), max(lat)))
PY
