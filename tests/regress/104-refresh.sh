#!/bin/sh
# Refresh tokens rotate; a used one coming back revokes the whole family
# (stolen-token detection); of parallel refreshes with one token exactly
# one wins.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

start_spendd || { not_ok "spendd starts"; done_testing; }
req POST /api/v1/auth/register '{"username":"alice","password":"alice-pass"}'

login alice alice-pass; R1=$REFRESH
req POST /api/v1/auth/refresh "{\"refresh_token\":\"$R1\"}"
expect "first refresh" 200
R2=$(jb refresh_token); A2=$(jb access_token)
req POST /api/v1/auth/refresh "{\"refresh_token\":\"$R1\"}"
expect "the used token again: 401" 401
like "... says the session is revoked" "$BODY" "revoked"
req POST /api/v1/auth/refresh "{\"refresh_token\":\"$R2\"}"
expect "the family is revoked: its newest token is dead too" 401
as "$A2" GET /api/v1/me
expect "... and its access token" 401
like "the reuse is logged" "$(cat "$T/spendd.log")" "refresh token reused"

login alice alice-pass; A3=$TOKEN; R3=$REFRESH
as "$A3" GET /api/v1/me
expect "another session is not affected by that" 200
req POST /api/v1/auth/refresh '{"refresh_token":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}'
expect "a made-up refresh token: 401" 401
req POST /api/v1/auth/refresh '{}'
expect "no refresh token at all: 401" 401

# parallel: eight refreshes of the same token at once
python3 - "$HTTP_PORT" "$R3" >"$T/par" <<'PY'
import http.client, json, sys, threading
port, tok = int(sys.argv[1]), sys.argv[2]
codes = []
go = threading.Barrier(8)
def one():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.connect()
    go.wait()
    c.request("POST", "/api/v1/auth/refresh", json.dumps({"refresh_token": tok}),
              {"Content-Type": "application/json"})
    codes.append(c.getresponse().status)
ts = [threading.Thread(target=one) for _ in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
print(sorted(codes))
PY
is "parallel refreshes: exactly one wins" "$(cat "$T/par")" "[200, 401, 401, 401, 401, 401, 401, 401]"
check "daemon alive" alive
done_testing
