#!/bin/sh
# make soak: 10,000 idle connections and 1,000 slowloris clients (a header
# line every 2 s, cut at [http] header_timeout, reconnecting) while wrk
# measures an authenticated list of 50; its p99 must stay within 2x the
# p99 of the same load on an idle daemon.
. "$(dirname "$0")/../regress/lib.sh"
. "$(dirname "$0")/../regress/http-lib.sh"

IDLE=${SOAK_IDLE:-10000}
SLOW=${SOAK_SLOW:-1000}
need=$((IDLE + SLOW + 1000))
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
	ok "# SKIP the open-file limit ($(ulimit -n)) is below the $need this soak needs"
	done_testing
fi
command -v wrk >/dev/null || { not_ok "wrk is installed (contrib/deps.sh)"; done_testing; }
start_spendd $CHEAP -o http.timeout=600 || { not_ok "spendd starts"; done_testing; }
req POST /api/v1/auth/register '{"username":"alice","password":"alice-pass"}'
login alice alice-pass
python3 - "$SOCK" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
b = [{"jsonrpc": "2.0", "id": i, "method": "expense.add", "params": {"user": "alice",
      "amount": "%d.25" % (i + 1), "category": "food", "date": "2026-01-%02d" % (i % 28 + 1),
      "note": "soak %d" % i}} for i in range(1000)]
s.sendall(json.dumps(b).encode() + b"\n")
buf = b""
while not buf.endswith(b"\n"):
    buf += s.recv(1 << 20)
PY
URL="http://127.0.0.1:$HTTP_PORT/api/v1/expenses?limit=50"
# p99 in microseconds from wrk --latency
p99() {
	wrk -t2 -c16 -d15s --latency -H "Authorization: Bearer $TOKEN" "$URL" >"$T/wrk.$1"
	awk '$1 == "99%" { v = $2; u = 1;
		if (v ~ /us$/) u = 1; else if (v ~ /ms$/) u = 1000; else if (v ~ /s$/) u = 1000000;
		sub(/[a-z]+$/, "", v); printf "%d\n", v * u }' "$T/wrk.$1"
}
idle=$(p99 idle)
python3 "$TOP/tests/soak/slowclients.py" "$HTTP_PORT" "$IDLE" "$SLOW" 60 "$T/ready" >"$T/clients.out" 2>&1 &
cl=$!
i=0; while [ ! -s "$T/ready" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
echo "# $(cat "$T/ready")"
like "the slow clients are all connected" "$(cat "$T/ready")" "$IDLE idle, $SLOW slow, 0 failed"
loaded=$(p99 loaded)
wait $cl
echo "# $(cat "$T/clients.out")"
rss=$(awk '/VmHWM/ { print $2 }' /proc/$SPENDD_PID/status)
echo "# wrk -t2 -c16 -d15s GET /api/v1/expenses?limit=50: p99 ${idle} us idle, ${loaded} us beside $IDLE idle + $SLOW slowloris connections; spendd peak RSS $((rss / 1024)) MB"
[ -n "$idle" ] && [ -n "$loaded" ] && [ "$loaded" -le $((idle * 2)) ] &&
    ok "p99 under slow clients within 2x of idle (${loaded} vs ${idle} us)" ||
    not_ok "p99 under slow clients within 2x of idle (${loaded} vs ${idle} us)"
like "slowloris clients were cut at the header deadline" "$(cat "$T/clients.out")" "slowloris reconnects"
check "daemon alive" alive
done_testing
