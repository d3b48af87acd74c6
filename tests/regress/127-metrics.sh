#!/bin/sh
# GET /metrics: Prometheus text for admins on the HTTP listener (401
# without a token, 403 for a user), and without a token on [http]
# metrics_listen; the figures move with requests, logins, an import and
# an export; routes are templates, never paths with ids; spendctl status
# shows the same.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

MPORT=$(free_port) || exit 1
start_spendd -o auth.registration=open -o "http.metrics_listen=127.0.0.1:$MPORT" \
    || { not_ok "spendd starts"; done_testing; }

# scrape [TOKEN]: the main listener's /metrics into $T/m (STATUS set)
scrape() {
	if [ -n "${1:-}" ]; then as "$1" GET /metrics; else req GET /metrics; fi
	printf '%s\n' "$BODY" >"$T/m"
}
# mscrape: the metrics listener's, without a token
mscrape() {
	MSTATUS=$(curl -s -o "$T/m" -D "$T/mheaders" -w '%{http_code}' \
	    "http://127.0.0.1:$MPORT/metrics")
}
# val SERIES: the value of the sample "SERIES VALUE" in $T/m ("" if none)
val() {
	awk -v s="$1" 'substr($0, 1, length(s) + 1) == s " " {
	    print substr($0, length(s) + 2); exit }' "$T/m"
}

req POST /api/v1/auth/register '{"username":"root","password":"root-pass"}'
expect "the first account (admin)" 201
req POST /api/v1/auth/register '{"username":"bob","password":"bob-pass-1"}'
expect "a second account (user)" 201

# ---- who may scrape ----
scrape
expect "no token: 401" 401
like "... a JSON error" "$BODY" '"code":"unauthorized"'
like "... with WWW-Authenticate" "$(header WWW-Authenticate)" "Bearer"
scrape "not-a-token"
expect "a bad token: 401" 401
login bob bob-pass-1 || not_ok "bob logs in"
BOB=$TOKEN
scrape "$BOB"
expect "a user's token: 403" 403
like "... says admins only" "$BODY" "admins"
login root root-pass || not_ok "root logs in"
ROOT=$TOKEN
req POST /metrics '' -H "Authorization: Bearer $ROOT"
expect "POST /metrics: 405" 405
scrape "$ROOT"
expect "an admin's token: 200" 200
like "text exposition format 0.0.4" "$(header Content-Type)" \
    "text/plain; version=0.0.4"
like "HELP and TYPE lines" "$(cat "$T/m")" \
    "# TYPE spend_http_request_duration_seconds histogram"
is "logins ok: 2 so far" "$(val 'spend_logins_total{result="ok"}')" 2
is "the 401s of /metrics were counted" \
    "$(val 'spend_http_requests_total{route="/metrics",method="GET",status="401"}')" 2
is "... and the 403" \
    "$(val 'spend_http_requests_total{route="/metrics",method="GET",status="403"}')" 1
is "registrations by their route template" \
    "$(val 'spend_http_requests_total{route="/api/v1/auth/register",method="POST",status="201"}')" 2
is "the RPC calls behind them, by method and transport" \
    "$(val 'spend_rpc_calls_total{method="auth.register",transport="http",outcome="ok"}')" 2
like "workers by kind" "$(val 'spend_jobs_busy{kind="password"}')" "0"
is "... queued too" "$(val 'spend_jobs_queued{kind="import"}')" 0
DB=$(val spend_database_bytes)
is "the database's size is its file's" "$DB" "$(stat -c %s "$T/data/spend.db")"
isnt "the WAL's size is there" "$(val spend_wal_bytes)" ""
is "no checkpoint yet" "$(val spend_last_checkpoint_time_seconds)" 0
is "no backup yet" "$(val spend_last_backup_time_seconds)" 0
is "no deliveries pending" "$(val spend_deliveries_pending)" 0

# ---- the figures move ----
req POST /api/v1/auth/login '{"username":"bob","password":"wrong-password"}'
expect "a wrong password" 401
req POST /api/v1/auth/login '{"username":"bob","password":"wrong-password"}'
as "$BOB" POST /api/v1/expenses '{"amount":"12.50","category":"food","date":"2024-05-02"}'
expect "bob adds an expense" 201
ID=$(jb id)
as "$BOB" GET "/api/v1/expenses/$ID"
expect "gets it" 200
as "$BOB" GET /api/v1/expenses/999999
expect "a missing one: 404" 404
req GET /api/v1/no/such/route
req POST /rpc '{"jsonrpc":"2.0","id":1,"method":"auth.me","params":{}}' \
    -H "Authorization: Bearer $BOB"
expect "a call on /rpc" 200
req POST /rpc '{"jsonrpc":"2.0","id":1,"method":"no.such","params":{}}' \
    -H "Authorization: Bearer $BOB"
req GET /
expect "the web UI's page" 200
python3 -c '
print("Date,Payee,Amount")
for i in range(30):
    print("2024-03-%02d,Shop %d,-%d.25" % (i % 28 + 1, i, i + 1))
' >"$T/in.csv"
check "an import" ctl --user bob import "$T/in.csv" --category food
check_fails "a failed import (no such file)" ctl --user bob import "$T/none.csv"
check "an export" ctl --user bob export --format csv -o "$T/out.csv"
scrape "$ROOT"
expect "scraped again" 200
is "logins failed: 2" "$(val 'spend_logins_total{result="failed"}')" 2
is "logins ok: still 2" "$(val 'spend_logins_total{result="ok"}')" 2
is "imports started: 2" "$(val 'spend_imports_total{result="started"}')" 2
is "imports ok: 1" "$(val 'spend_imports_total{result="ok"}')" 1
is "imports failed: 1" "$(val 'spend_imports_total{result="failed"}')" 1
is "exports started: 1" "$(val 'spend_exports_total{result="started"}')" 1
is "exports ok: 1" "$(val 'spend_exports_total{result="ok"}')" 1
is "the socket's calls by transport" \
    "$(val 'spend_rpc_calls_total{method="import.run",transport="unix",outcome="ok"}')" 1
is "an expense's route is a template: 200" \
    "$(val 'spend_http_requests_total{route="/api/v1/expenses/{id}",method="GET",status="200"}')" 1
is "... and the 404 beside it" \
    "$(val 'spend_http_requests_total{route="/api/v1/expenses/{id}",method="GET",status="404"}')" 1
is "no raw id in any label" "$(grep -c "expenses/$ID\|999999" "$T/m")" 0
is "a path without a route is \"unmatched\"" \
    "$(val 'spend_http_requests_total{route="unmatched",method="GET",status="404"}')" 1
is "/rpc by its route" \
    "$(val 'spend_http_requests_total{route="/rpc",method="POST",status="200"}')" 2
is "... its calls by method and outcome" \
    "$(val 'spend_rpc_calls_total{method="auth.me",transport="http",outcome="ok"}')" 1
is "... an unknown method as \"unknown\"" \
    "$(val 'spend_rpc_calls_total{method="unknown",transport="http",outcome="no_such_method"}')" 1
is "the web UI's files as \"static\"" \
    "$(val 'spend_http_requests_total{route="static",method="GET",status="200"}')" 1
is "the latency histogram counts the expense GETs" \
    "$(val 'spend_http_request_duration_seconds_count{route="/api/v1/expenses/{id}",method="GET"}')" 2
is "... its +Inf bucket is the count" \
    "$(val 'spend_http_request_duration_seconds_bucket{route="/api/v1/expenses/{id}",method="GET",le="+Inf"}')" 2
# buckets are cumulative: never fewer at a larger bound
awk '/^spend_http_request_duration_seconds_bucket/ {
	k = $1; sub(/,le=.*/, "", k)
	if (k == prev && $2 + 0 < last + 0) { print "decreasing: " $0; bad = 1 }
	prev = k; last = $2 }
    END { exit bad }' "$T/m" >"$T/cum"
is "every histogram's buckets are cumulative" "$(cat "$T/cum")" ""
is "the read jobs done moved" "$( [ "$(val 'spend_jobs_done_total{kind="import"}')" -ge 2 ] && echo yes)" yes

# ---- the separate listener ----
mscrape
is "metrics_listen: 200 without a token" "$MSTATUS" 200
like "... the same exposition" "$(cat "$T/m")" 'spend_logins_total{result="failed"} 2'
is "... scrapes of the admin route counted there" \
    "$(val 'spend_http_requests_total{route="/metrics",method="GET",status="200"}')" 2
MS=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MPORT/api/v1/me")
is "metrics_listen serves nothing else: 404" "$MS" 404
MS=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$MPORT/metrics")
is "... and /metrics by GET only" "$MS" 405
like "the listener is in the log, with its warning" "$(cat "$T/spendd.log")" \
    "metrics on 127.0.0.1:$MPORT (port $MPORT), without authentication"

# ---- spendctl status ----
check "spendctl status" ctl status
cp "$T/out" "$T/status"
like "requests and errors" "$(cat "$T/status")" "http requests"
like "logins" "$(grep '^logins' "$T/status")" "ok 2, failed 2, limited 0"
like "imports" "$(grep '^imports' "$T/status")" "started 2, ok 1, failed 1"
like "exports" "$(grep '^exports' "$T/status")" "started 1, ok 1, failed 0"
like "database and WAL sizes" "$(grep '^database size' "$T/status")" " bytes, WAL "
like "last checkpoint" "$(grep '^last checkpoint' "$T/status")" "none since spendd started"
like "last backup" "$(grep '^last backup' "$T/status")" "none since spendd started"
like "workers" "$(grep '^jobs import' "$T/status")" "busy"
like "deliveries" "$(grep '^deliveries' "$T/status")" "retried since start"
like "the metrics listener" "$(grep '^metrics' "$T/status")" "127.0.0.1:$MPORT"
S=$(rpc daemon.status)
is "daemon.status: logins failed" "$(printf '%s' "$S" | jget result.logins.failed)" 2
# 401 x2 and 403 and 405 of /metrics, 401 x2 of the wrong passwords,
# 404 x2 of the expense and the unknown route, and the metrics
# listener's 404 and 405
is "daemon.status: the 4xx counted, both listeners" \
    "$(printf '%s' "$S" | jget result.http_requests.client_errors)" 10
is "... no 5xx" "$(printf '%s' "$S" | jget result.http_requests.server_errors)" 0
is "daemon.status: database bytes" \
    "$(printf '%s' "$S" | jget result.database_bytes)" "$(stat -c %s "$T/data/spend.db")"

# ---- a WAL past 1000 pages is checkpointed on a worker: its time ----
python3 -c '
print("Date,Payee,Amount")
for i in range(20000):
    print("2023-%02d-%02d,Payee number %d with a longer name,-%d.%02d" % (
        i % 12 + 1, i % 28 + 1, i, i % 90 + 1, i % 100))
' >"$T/big.csv"
before=$(date +%s)
check "a large import" ctl --user bob import "$T/big.csv" --category food
checkpointed() { mscrape; [ "$(val spend_last_checkpoint_time_seconds)" != 0 ]; }
wait_for -t 60 "a checkpoint" checkpointed
C=$(val spend_last_checkpoint_time_seconds)
is "the last checkpoint time is now" "$( [ "$C" -ge "$before" ] && [ "$C" -le "$(($(date +%s) + 1))" ] && echo yes)" yes
like "spendctl status shows it" "$(ctl status | grep '^last checkpoint')" \
    "$(date -u -d "@$C" +%Y-%m-%dT%H:%M:%SZ)"

# ---- a backup moves the last backup time ----
before=$(date +%s)
check "a backup" ctl backup "$T/copy.db"
mscrape
B=$(val spend_last_backup_time_seconds)
is "the last backup time is now" "$( [ "$B" -ge "$before" ] && [ "$B" -le "$(($(date +%s) + 1))" ] && echo yes)" yes
done_testing
