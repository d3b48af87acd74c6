#!/bin/sh
# Failed logins are rate-limited per account and per address: 429 with
# Retry-After, answered without running Argon2 (the debug log counts
# every verification a worker makes).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

start_spendd -d || { not_ok "spendd starts"; done_testing; }
req POST /api/v1/auth/register '{"username":"alice","password":"alice-pass"}'
verified() { grep -c 'verifying a password' "$T/spendd.log"; }

for i in 1 2 3 4 5; do
	req POST /api/v1/auth/login '{"username":"alice","password":"guess-'$i'-xx"}'
	expect "wrong password $i: 401" 401
done
n=$(verified)
is "five passwords verified" "$n" 5
req POST /api/v1/auth/login '{"username":"alice","password":"guess-6-xx"}'
expect "the sixth try: 429" 429
isnt "... with Retry-After" "$(header Retry-After)" ""
[ "$(header Retry-After)" -ge 1 ] 2>/dev/null && ok "... of at least a second" ||
    not_ok "... of at least a second ($(header Retry-After))"
like "... JSON rate_limited" "$BODY" '"code":"rate_limited"'
req POST /api/v1/auth/login '{"username":"ALICE","password":"alice-pass"}'
expect "even the right password waits (names are case-insensitive)" 429
is "... and no password was hashed for those" "$(verified)" "$n"

# per address: 20 failures over many names, then this address waits
for i in $(seq 1 15); do
	req POST /api/v1/auth/login '{"username":"u'$i'","password":"wrong-password"}'
done
expect "unknown names still answer 401" 401
n=$(verified)
req POST /api/v1/auth/login '{"username":"someone","password":"wrong-password"}'
expect "the 21st failure from one address: 429" 429
is "... without hashing" "$(verified)" "$n"
check "daemon alive" alive
done_testing
