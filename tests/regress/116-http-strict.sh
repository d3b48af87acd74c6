#!/bin/sh
# The HTTP server refuses what libevent's parser let through, answers its
# own limits in JSON, limits a body by its route before reading it, holds
# a slow head to a deadline, keeps connections alive and pipelines, and
# applies [http] limits at once on SIGHUP. One python3 runs every raw
# case (tests/regress/rawhttp.py).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

cat >"$T/spendd.conf" <<EOC
[http]
header_timeout = 2
EOC
start_spendd -c "$T/spendd.conf" || { not_ok "spendd starts"; done_testing; }
req POST /api/v1/auth/register '{"username":"alice","password":"alice-pass"}'
expect "alice registers" 201
login alice alice-pass
python3 "$TOP/tests/regress/rawhttp.py" strict "$HTTP_PORT" "$TOKEN" "$SPENDD_PID" ||
    not_ok "rawhttp.py strict: every case passed"

# SIGHUP applies the HTTP limits at once (the man page says so)
cat >"$T/spendd.conf" <<EOC
[http]
header_timeout = 1
max_headers = 2k
max_connections_per_address = 3
EOC
kill -HUP "$SPENDD_PID"
wait_for -t 5 "the reload" in_file "configuration reloaded" "$T/spendd.log"
check "reload logged" grep -q "configuration reloaded" "$T/spendd.log"
python3 "$TOP/tests/regress/rawhttp.py" reloaded "$HTTP_PORT" "$TOKEN" "$SPENDD_PID" ||
    not_ok "rawhttp.py reloaded: every case passed"
check "daemon alive" alive
done_testing
