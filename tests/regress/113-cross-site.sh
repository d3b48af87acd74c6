#!/bin/sh
# A page on another site can submit a form to spendd: a POST with an empty
# (or text/plain) body, whose params then come from the query string. The
# public writes (login, register, logout) must refuse what the browser
# marks as cross-site, so no one is logged in to an attacker's account
# (login CSRF) or logged out. API clients send neither Origin nor
# Sec-Fetch-Site and are unaffected; so is the web UI (same origin).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

start_spendd -o auth.registration=open || { not_ok "spendd starts"; done_testing; }
req POST /api/v1/auth/register '{"username":"mallory","password":"mallory-pass"}'
expect "mallory registers" 201
ME="http://127.0.0.1:$HTTP_PORT"
Q='/api/v1/auth/login?username=mallory&password=mallory-pass'

req POST "$Q" -H "Origin: https://evil.example" -H "Content-Type: text/plain"
expect "a cross-site form login (foreign Origin): 403" 403
is "... sets no cookie" "$(header Set-Cookie)" ""
req POST "$Q" -H "Sec-Fetch-Site: cross-site" -H "Content-Type: text/plain"
expect "a cross-site form login (Sec-Fetch-Site): 403" 403
req POST "$Q" -H "Origin: null"
expect "a form from a sandboxed frame (Origin: null): 403" 403
req POST '/api/v1/auth/register?username=victim2&password=victim-pass' -H "Origin: https://evil.example"
expect "a cross-site form registration: 403" 403
req POST /api/v1/auth/logout -H "Origin: https://evil.example" -H "Sec-Fetch-Site: cross-site"
expect "a cross-site logout: 403" 403
is "... clears no cookie" "$(header Set-Cookie)" ""

req POST /api/v1/auth/login '{"username":"mallory","password":"mallory-pass"}' -H "Origin: $ME" -H "Sec-Fetch-Site: same-origin"
expect "the web UI's own login: 200" 200
req POST /api/v1/auth/login '{"username":"mallory","password":"mallory-pass"}'
expect "an API client's login: 200" 200
login mallory mallory-pass
as "$TOKEN" POST /api/v1/categories '{"name":"x"}' -H "Sec-Fetch-Site: same-origin" -H "Origin: $ME"
expect "a same-origin Bearer write: 201" 201
check "daemon alive" alive
done_testing
