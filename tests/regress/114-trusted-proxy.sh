#!/bin/sh
# [http] trusted_proxies: behind a reverse proxy the client is the
# right-most X-Forwarded-For entry that is not a trusted proxy, and the
# per-address login limits count that client, not the proxy. Without
# trusted proxies the header is ignored; IPv6 clients count by their /64.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

restart() {
	stop_spendd
	rm -f "$SOCK"
	: >"$T/spendd.log"
	HTTP_PORT=""
	start_spendd -d -o auth.registration=open "$@" ||
	    { not_ok "spendd starts $*"; done_testing; }
}
# fail FROM USER: a failed login with X-Forwarded-For FROM ("" = none)
fail() {
	if [ -n "$1" ]; then
		req POST /api/v1/auth/login '{"username":"'$2'","password":"wrong-password"}' -H "X-Forwarded-For: $1"
	else
		req POST /api/v1/auth/login '{"username":"'$2'","password":"wrong-password"}'
	fi
}
# fails N FROM-PREFIX [FROM-SUFFIX]: N failures for N names, from
# FROM-PREFIX (with i and FROM-SUFFIX appended when a suffix is given)
fails() {
	_bad=0
	for i in $(seq 1 "$1"); do
		if [ $# -gt 2 ]; then fail "$2$i$3" "n$i$2"; else fail "$2" "n$i$2"; fi
		[ "$STATUS" = 401 ] || _bad=$((_bad + 1))
	done
	is "$1 failures from $2${3+…$3} are 401" "$_bad" 0
}

# ---- no trusted proxies: X-Forwarded-For is nobody's business ----
start_spendd -d -o auth.registration=open || { not_ok "spendd starts"; done_testing; }
req POST /api/v1/auth/register '{"username":"alice","password":"alice-pass"}'
expect "alice registers" 201
req POST /api/v1/auth/register '{"username":"bob","password":"bob-password"}'
expect "bob registers" 201
fails 20 203.0.113. ""
fail 198.51.100.9 someone
expect "untrusted: 20 failures under 20 X-Forwarded-For values all count against 127.0.0.1" 429
like "... logged as from 127.0.0.1" "$(grep 'refused: too many' "$T/spendd.log")" \
    'login for "someone" from 127.0.0.1 refused'
req POST /api/v1/auth/login '{"username":"bob","password":"bob-password"}' -H "X-Forwarded-For: 198.51.100.9"
expect "... bob from the same socket waits too" 429

# ---- trusted 127.0.0.1 ----
restart -o http.trusted_proxies=127.0.0.1
fails 20 203.0.113.7
fail 203.0.113.7 someone
expect "trusted: the 21st failure from X-Forwarded-For 203.0.113.7 is 429" 429
like "... logged as from 203.0.113.7" "$(grep 'refused: too many' "$T/spendd.log")" \
    'login for "someone" from 203.0.113.7 refused'
req POST /api/v1/auth/login '{"username":"bob","password":"bob-password"}' -H "X-Forwarded-For: 198.51.100.9"
expect "bob from X-Forwarded-For 198.51.100.9 is not slowed" 200
like "... and logged in from 198.51.100.9" "$(grep 'logged in' "$T/spendd.log")" \
    '"bob" logged in from 198.51.100.9'
fail 198.51.100.9 carol
expect "a wrong password from 198.51.100.9 is 401, not 429" 401
fail "1.2.3.4, 203.0.113.7" dave
expect "a spoofed chain \"1.2.3.4, 203.0.113.7\" is keyed by 203.0.113.7: 429" 429
fail "203.0.113.7, 1.2.3.4" erin
expect "\"203.0.113.7, 1.2.3.4\" is 1.2.3.4 (the left is the client's say): 401" 401
req POST /api/v1/auth/login '{"username":"frank","password":"wrong-password"}' \
    -H "X-Forwarded-For: 1.2.3.4" -H "X-Forwarded-For: 203.0.113.7"
expect "two X-Forwarded-For headers read as one list: 203.0.113.7, 429" 429
fail "" grace
expect "the proxy itself (no X-Forwarded-For) has its own count: 401" 401
fail "unknown" heidi
expect "a malformed entry: the peer address, 401" 401
like "... logged at debug" "$(cat "$T/spendd.log")" \
    '"unknown" is not an address; the client is the peer'

# ---- IPv6 clients count by /64 ----
fails 20 2001:db8:1:2:: ""
# (20 addresses of one /64, one name each)
fail 2001:db8:1:2:ffff:ffff:ffff:ffff ivan
expect "the 21st failure from the same /64 (another address) is 429" 429
fail 2001:db8:1:3::1 judy
expect "the next /64 is not slowed: 401" 401
fails 20 ::ffff:192.0.2.99
fail 192.0.2.99 mallory
expect "IPv4-mapped clients count as their IPv4 address: 429" 429

# ---- a bad entry, and SIGHUP ----
stop_spendd
printf '[http]\ntrusted_proxies = 127.0.0.1 10.0.0.0/33\n' >"$T/spendd.conf"
"$SPENDD" -f --data-dir "$T/data" -c "$T/spendd.conf" >"$T/bad.log" 2>&1
like "a bad entry stops spendd with FILE:LINE naming it" "$(cat "$T/bad.log")" \
    "$T/spendd.conf:2: trusted_proxies: \"10.0.0.0/33\" is not"
printf '[http]\ntrusted_proxies = 192.0.2.1 10.0.0.0/8\n' >"$T/spendd.conf"
restart -c "$T/spendd.conf"
fails 20 192.0.2.50
fail 198.51.100.9 oscar
expect "trusted proxies that do not include the peer: its header is ignored, 429" 429
printf '[http]\ntrusted_proxies = ::1 127.0.0.0/8\n' >"$T/spendd.conf"
kill -HUP "$SPENDD_PID"
wait_for "the reload" in_file "configuration reloaded" "$T/spendd.log"
fail 198.51.100.9 peggy
expect "after SIGHUP with trusted_proxies, 198.51.100.9 is itself: 401" 401
check "daemon alive" alive
done_testing
