#!/bin/sh
# The failed-login limits hold for guesses sent all at once: a JSON-RPC
# batch (or parallel requests) of wrong passwords gets at most the burst
# hashed; the rest are 429 before any hashing. Likewise for the current
# password of auth.password.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

start_spendd -d || { not_ok "spendd starts"; done_testing; }
req POST /api/v1/auth/register '{"username":"alice","password":"alice-pass"}'
expect "alice registers" 201
verified() { grep -c 'verifying a password' "$T/spendd.log"; }

# batch METHOD 'PARAMS with %d' [TOKEN]: 12 calls in one POST /rpc; prints
# the error types
batch() {
	python3 - "$HTTP_PORT" "$@" <<'PY'
import json, sys, urllib.request
port, method, params = sys.argv[1], sys.argv[2], sys.argv[3]
hdr = {"Content-Type": "application/json"}
if len(sys.argv) > 4:
    hdr["Authorization"] = "Bearer " + sys.argv[4]
b = [{"jsonrpc": "2.0", "id": i, "method": method,
      "params": json.loads(params.replace("%d", str(i)))} for i in range(12)]
r = urllib.request.Request("http://127.0.0.1:%s/rpc" % port,
    data=json.dumps(b).encode(), headers=hdr)
out = json.load(urllib.request.urlopen(r))
types = [x.get("error", {}).get("data", {}).get("type", "ok") for x in out]
print(types.count("unauthorized"), types.count("rate_limited"))
PY
}
is "12 wrong passwords at once: 5 checked, 7 refused" \
    "$(batch auth.login '{"username":"alice","password":"wrong-pass-%d"}')" "5 7"
is "... and only 5 hashed" "$(verified)" 5

ctl user add bob --password-stdin >/dev/null 2>&1 <<EOP
bob-pass-1
EOP
login bob bob-pass-1
is "12 wrong current passwords at once: 5 checked, 7 refused" \
    "$(batch auth.password '{"password":"wrong-pass-%d","new_password":"new-pass-123"}' "$TOKEN")" "5 7"
check "daemon alive" alive
done_testing
