#!/bin/sh
# [log] format = json and access = yes: every line of spendd's log is a
# JSON object with time, level and msg; every request (HTTP) and call
# (RPC) has its access line with the request id, user, method, status and
# duration; and after logins, refreshes (in the body and by cookie), a
# password change, a webhook secret and a logout, no line holds a
# password, an access token, a refresh token, the webhook secret, an
# Authorization header or a cookie.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

start_spendd -o auth.registration=open -o log.format=json -o log.access=yes \
    -o daemon.debug=yes -o "notify.webhook_allow=http://127.0.0.1:9/*" ||
    { not_ok "spendd starts"; done_testing; }

req POST /api/v1/auth/register '{"username":"carol","password":"carol-secret-pw-1"}'
expect "carol registers" 201
login carol carol-secret-pw-1 || not_ok "carol logs in"
A1=$TOKEN; R1=$REFRESH
isnt "an access token" "$A1" ""
as "$A1" GET /api/v1/me
expect "the token works" 200
ME_ID=$(header X-Request-Id)
isnt "replies carry X-Request-Id" "$ME_ID" ""
req POST /api/v1/auth/refresh "{\"refresh_token\":\"$R1\"}"
expect "a refresh in the body" 200
A2=$(jb access_token); R2=$(jb refresh_token)
# a browser's login: the refresh token in a cookie
req POST /api/v1/auth/login '{"username":"carol","password":"carol-secret-pw-1"}' \
    -H "Origin: http://127.0.0.1:$HTTP_PORT"
expect "a cookie login" 200
C1=$(tr -d '\r' <"$T/headers" | sed -n 's/^Set-Cookie: spend_refresh=\([^;]*\).*/\1/Ip' | head -1)
isnt "... sets the refresh cookie" "$C1" ""
req POST /api/v1/auth/refresh '' -H "Cookie: spend_refresh=$C1" \
    -H "X-Spend-CSRF: 1" -H "Origin: http://127.0.0.1:$HTTP_PORT"
expect "a refresh by cookie" 200
C2=$(tr -d '\r' <"$T/headers" | sed -n 's/^Set-Cookie: spend_refresh=\([^;]*\).*/\1/Ip' | head -1)
A3=$(jb access_token)
as "$A2" POST /api/v1/auth/password \
    '{"password":"carol-secret-pw-1","new_password":"carol-secret-pw-2"}'
expect "a password change" 200
req POST /api/v1/auth/login '{"username":"carol","password":"carol-wrong-pw-9"}'
expect "a wrong password" 401
login carol carol-secret-pw-2 || not_ok "the new password logs in"
A4=$TOKEN; R4=$REFRESH
as "$A4" PUT /api/v1/notify/settings/webhook '{"target":"http://127.0.0.1:9/hook"}'
SECRET=$(jb secret)
like "a webhook secret, shown once" "$SECRET" "whsec_"
as "$A4" GET /api/v1/expenses/424242
expect "a missing expense" 404
as "$A4" POST /api/v1/auth/logout "{\"refresh_token\":\"$R4\"}"
rpc auth.login '{"username":"carol","password":"carol-secret-pw-2"}' >/dev/null
stop_spendd

# every line, with the secrets of this run
printf '%s\n' carol-secret-pw-1 carol-secret-pw-2 carol-wrong-pw-9 "$A1" \
    "$A2" "$A3" "$A4" "$R1" "$R2" "$R4" "$C1" "$C2" "$SECRET" |
    grep -v '^$' >"$T/secrets"
is "13 secrets to look for" "$(wc -l <"$T/secrets")" 13
cat >"$T/check.py" <<'PY'
import json, re, sys
log, secrets, me_id = sys.argv[1], sys.argv[2], sys.argv[3]
secrets = [s for s in open(secrets).read().split("\n") if s]
lines = open(log, encoding="utf-8").read().split("\n")
if lines and lines[-1] == "":
    lines.pop()
bad_json, no_fields, leaks, access = [], [], [], []
jwt = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.")
for n, line in enumerate(lines, 1):
    try:
        o = json.loads(line)
    except ValueError:
        bad_json.append(n)
        continue
    if not (isinstance(o, dict) and isinstance(o.get("time"), str) and
            re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", o["time"])
            and o.get("level") in ("debug", "info", "warning", "error",
                                   "crit") and isinstance(o.get("msg"), str)):
        no_fields.append(n)
    for s in secrets:
        if s in line:
            leaks.append("line %d: %s..." % (n, s[:12]))
    if jwt.search(line) or re.search(r"(?i)authorization|cookie:|whsec_", line):
        leaks.append("line %d: %s" % (n, line[:120]))
    if o.get("msg") == "access":
        access.append(o)
print("lines", len(lines))
print("bad_json", bad_json[:5])
print("no_fields", no_fields[:5])
print("leaks", leaks[:5])
http = [a for a in access if a.get("event") == "http"]
rpc = [a for a in access if a.get("event") == "rpc"]
print("http", len(http))
print("rpc", len(rpc))
def complete(a, status_type):
    return (isinstance(a.get("request_id"), str) and a["request_id"] and
            isinstance(a.get("user"), int) and isinstance(a.get("method"), str)
            and isinstance(a.get("status"), status_type)
            and isinstance(a.get("duration_ms"), (int, float)))
print("http_complete", all(complete(a, int) for a in http))
print("rpc_complete", all(complete(a, str) for a in rpc))
me = [a for a in http if a.get("request_id") == me_id]
print("me", json.dumps(me and {k: me[0][k] for k in ("method", "route", "status")}))
me_rpc = [a for a in rpc if a.get("request_id") == me_id]
print("me_rpc", me_rpc and me_rpc[0]["method"], me_rpc and me_rpc[0]["user"] > 0)
print("routes", sorted(set(a.get("route", "") for a in http)))
print("rpc_unix", [a["method"] + ":" + a["status"] for a in rpc if a.get("transport") == "unix"])
print("notfound_routes", sorted(set(a.get("route") for a in http if a.get("status") == 404)))
print("raw_ids", len([l for l in lines if "424242" in l]))
print("wrong_pw", [a["status"] for a in rpc if a["method"] == "auth.login" and a["status"] != "ok"])
PY
python3 "$T/check.py" "$T/spendd.log" "$T/secrets" "$ME_ID" >"$T/check"
cat "$T/check" | sed 's/^/# /'
field() { sed -n "s/^$1 //p" "$T/check"; }
isnt "the log has lines" "$(field lines)" 0
is "every line is JSON" "$(field bad_json)" "[]"
is "every line has time, level and msg" "$(field no_fields)" "[]"
is "no secret in any line" "$(field leaks)" "[]"
isnt "HTTP access lines" "$(field http)" 0
isnt "RPC access lines" "$(field rpc)" 0
is "every HTTP access line has request id, user, method, status, duration" \
    "$(field http_complete)" True
is "... every RPC one too" "$(field rpc_complete)" True
is "the access line of a request has its route template and status" \
    "$(field me)" '{"method": "GET", "route": "/api/v1/me", "status": 200}'
is "its RPC call shares the request id, with the user" "$(field me_rpc)" \
    "auth.me True"
is "a missing expense's line has its route template" \
    "$(field notfound_routes)" "['/api/v1/expenses/{id}']"
is "... and its id appears nowhere in the log" "$(field raw_ids)" 0
is "the Unix socket's call is logged too" "$(field rpc_unix)" \
    "['auth.login:ok']"
is "the wrong password's call: unauthorized" "$(field wrong_pw)" \
    "['unauthorized']"
# the check can fail: the same script over the log with a password in a
# line and a line that is not JSON
cp "$T/spendd.log" "$T/probe.txt"
echo '{"time":"2026-01-01T00:00:00.000Z","level":"info","msg":"x carol-secret-pw-2"}' >>"$T/probe.txt"
echo 'not json' >>"$T/probe.txt"
python3 "$T/check.py" "$T/probe.txt" "$T/secrets" "$ME_ID" >"$T/check"
isnt "the JSON check finds a line that is not JSON" "$(field bad_json)" "[]"
isnt "the secret check finds a password" "$(field leaks)" "[]"
done_testing
