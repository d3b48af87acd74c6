#!/bin/sh
# A graceful stop finishes the HTTP requests in flight: a login whose
# password is being hashed when SIGTERM arrives still gets its 200.
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
done_testing
