#!/bin/sh
# The refresh cookie is only honoured on requests that prove they come
# from this origin: the X-Spend-CSRF header and a matching Origin (or
# Sec-Fetch-Site: same-origin). Everything else is 403.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

start_spendd || { not_ok "spendd starts"; done_testing; }
req POST /api/v1/auth/register '{"username":"alice","password":"alice-pass"}'
JAR=$T/jar
req POST /api/v1/auth/login '{"username":"alice","password":"alice-pass"}' -c "$JAR"
expect "login sets the cookie" 200
ME="http://127.0.0.1:$HTTP_PORT"

refresh() { req POST /api/v1/auth/refresh -b "$JAR" -c "$JAR" "$@"; }
refresh -H "Origin: $ME"
expect "no X-Spend-CSRF header: 403" 403
like "... says why" "$BODY" "X-Spend-CSRF"
refresh -H "X-Spend-CSRF: 1" -H "Origin: https://evil.example"
expect "a foreign Origin: 403" 403
refresh -H "X-Spend-CSRF: 1" -H "Origin: null"
expect "Origin null: 403" 403
refresh -H "X-Spend-CSRF: 1" -H "Sec-Fetch-Site: cross-site"
expect "Sec-Fetch-Site cross-site: 403" 403
refresh -H "X-Spend-CSRF: 1" -H "Origin: $ME" -H "Sec-Fetch-Site: same-site"
expect "Sec-Fetch-Site same-site (another subdomain): 403" 403
refresh -H "X-Spend-CSRF: 1"
expect "neither Origin nor Sec-Fetch-Site: 403" 403
refresh -H "X-Spend-CSRF: 1" -H "Origin: http://127.0.0.1:1"
expect "another port is another origin: 403" 403
req POST /api/v1/auth/logout -b "$JAR" -H "Origin: https://evil.example" -H "X-Spend-CSRF: 1"
expect "cross-site logout with the cookie: 403" 403
refresh -H "X-Spend-CSRF: 1" -H "Origin: $ME"
expect "same Origin and the header: 200" 200
refresh -H "X-Spend-CSRF: 1" -H "Sec-Fetch-Site: same-origin"
expect "Sec-Fetch-Site same-origin and the header: 200" 200
req POST /api/v1/auth/logout -b "$JAR" -c "$JAR" -H "Origin: $ME" -H "X-Spend-CSRF: 1"
expect "same-origin logout" 200
like "... deletes the cookie" "$(header Set-Cookie)" "Max-Age=0"
refresh -H "X-Spend-CSRF: 1" -H "Origin: $ME"
expect "the cookie no longer refreshes" 401

# configured origin (behind a reverse proxy)
stop_spendd
start_spendd -o http.origin=https://spend.example ||
    { not_ok "spendd restarts"; done_testing; }
req POST /api/v1/auth/login '{"username":"alice","password":"alice-pass"}' -c "$JAR"
refresh -H "X-Spend-CSRF: 1" -H "Origin: $ME"
expect "with http.origin set, the Host match no longer counts: 403" 403
refresh -H "X-Spend-CSRF: 1" -H "Origin: https://spend.example"
expect "the configured origin: 200" 200
# a form can post cross-site only as text/plain or a form encoding
req POST /api/v1/auth/login 'username=alice&password=alice-pass' -H 'Content-Type: application/x-www-form-urlencoded'
expect "a form-encoded login is refused" 400
done_testing
