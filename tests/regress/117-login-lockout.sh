#!/bin/sh
# Nobody can lock another user out: wrong guesses limit the (account,
# address) pair and the address, never the account as a whole. Past ten
# recent failures of an account from everywhere, its logins are slowed,
# one after another, with a growing delay; a client with no failure of
# its own for that account is not slowed, so the owner signing in from a
# new address gets in at once. Secrets are refused in the URL.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

# the test's clients are told apart by X-Forwarded-For from a trusted
# proxy (loopback)
start_spendd -d -o http.trusted_proxies=127.0.0.1 -o auth.registration=open ||
    { not_ok "spendd starts"; done_testing; }
req POST /api/v1/auth/register '{"username":"alice","password":"alice-pass"}'
expect "alice registers" 201

# login USER FROM PASSWORD
login_from() {
	req POST /api/v1/auth/login '{"username":"'$1'","password":"'$3'"}' \
	    -H "X-Forwarded-For: $2"
}
slowed() { grep -c 'slowed by' "$T/spendd.log"; }
req POST /api/v1/auth/register '{"username":"bob","password":"bob-password"}'
for i in 1 2 3 4 5 6; do login_from bob 192.0.2.1 "guess-$i-xx"; done
expect "the 6th wrong guess for bob from one address: 429" 429
login_from bob 192.0.2.1 bob-password
expect "... even the right password, from that address" 429
login_from bob 192.0.2.99 bob-password
expect "bob from elsewhere is not locked out" 200

bad=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	login_from alice 192.0.2.$i "guess-$i"
	[ "$STATUS" = 401 ] || bad=$((bad + 1))
done
is "10 wrong guesses for alice from 10 addresses: each 401" "$bad" 0
is "none slowed (each client was fresh)" "$(slowed)" 0
login_from alice 198.51.100.7 alice-pass
expect "the owner from a new address gets in" 200
is "... without being slowed" "$(slowed)" 0
login_from alice 203.0.113.9 "guess-new-1"
expect "an attacker's first guess from a new address: 401" 401
is "... not slowed either (nothing tells it from the owner)" "$(slowed)" 0
login_from alice 203.0.113.9 "guess-new-2"
expect "its second guess is answered, 401, not refused" 401
is "... but slowed" "$(slowed)" 1
login_from alice 192.0.2.2 alice-pass
expect "a client with a failure, right password: in, after its wait" 200
is "... slowed too" "$(slowed)" 2
d=$(grep 'slowed by' "$T/spendd.log" | sed 's/.*slowed by \([0-9]*\) ms.*/\1/' | tr '\n' ' ')
is "... by a delay that doubles" "$d" "500 1000 "

# secrets never in a URL (logs, history, Referer)
req POST '/api/v1/auth/login?password=alice-pass' '{"username":"alice"}'
expect "password in the query: 400" 400
like "... says where it belongs" "$BODY" "belongs in the JSON body"
req POST '/api/v1/auth/refresh?refresh_token=abc' '{}'
expect "refresh_token in the query: 400" 400
check "daemon alive" alive
done_testing
