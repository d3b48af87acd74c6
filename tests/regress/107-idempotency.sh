#!/bin/sh
# Idempotency-Key over REST: a retry with the same key and body replays
# the first reply and stores nothing twice; the same key with another
# body is 422; keys are per user. (In flight, 409: tests/unit/test_auth.c.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

start_spendd -o auth.registration=open || { not_ok "spendd starts"; done_testing; }
req POST /api/v1/auth/register '{"username":"alice","password":"alice-pass"}'
req POST /api/v1/auth/register '{"username":"bob","password":"bob-pass-1"}'
login alice alice-pass; A=$TOKEN
login bob bob-pass-1; B=$TOKEN

body='{"amount":"9.99","category":"food","note":"once"}'
as "$A" POST /api/v1/expenses "$body" -H "Idempotency-Key: k-1"
expect "first write" 201
first=$BODY
as "$A" POST /api/v1/expenses "$body" -H "Idempotency-Key: k-1"
expect "the retry" 201
is "... replays the first reply" "$BODY" "$first"
as "$A" GET /api/v1/expenses
is "... and stored it once" "$(jb count)" 1
as "$A" POST /api/v1/expenses '{"amount":"1.00","category":"food"}' -H "Idempotency-Key: k-1"
expect "same key, another body: 422" 422
like "... idempotency_mismatch" "$BODY" '"code":"idempotency_mismatch"'
as "$A" POST /api/v1/expenses "$body" -H "Idempotency-Key: k-1" -H "Idempotency-Key: k-2"
expect "two keys: the first counts" 201
as "$B" POST /api/v1/expenses "$body" -H "Idempotency-Key: k-1"
expect "bob's k-1 is his own" 201
[ "$(jb id)" != "$(printf '%s' "$first" | jget id)" ] &&
    ok "... a new expense" || not_ok "... a new expense"
as "$A" GET /api/v1/expenses -H "Idempotency-Key: k-3"
expect "a key on a read: 400" 400
as "$A" POST /api/v1/expenses "$body" -H "Idempotency-Key: $(printf '%0129d' 0)"
expect "a key over 128 bytes: 400" 400
# (fuzz_rest found such a key dropped, and the write done twice)
as "$A" POST /api/v1/expenses "$body" -H "Idempotency-Key: $(printf 'k\250')"
expect "a key that is not UTF-8: 400" 400
as "$A" GET /api/v1/expenses
is "... and nothing written" "$(jb count)" 1
id=$(printf '%s' "$first" | jget id)
as "$A" PATCH "/api/v1/expenses/$id" '{"note":"twice"}' -H "Idempotency-Key: e-1" -H 'If-Match: "1"'
expect "an edit with a key and If-Match" 200
as "$A" PATCH "/api/v1/expenses/$id" '{"note":"twice"}' -H "Idempotency-Key: e-1" -H 'If-Match: "1"'
expect "its retry replays (no stale version)" 200
is "... version 2 once" "$(jb version)" 2
as "$A" DELETE "/api/v1/expenses/$id" -H "Idempotency-Key: d-1"
expect "a delete with a key" 200
as "$A" DELETE "/api/v1/expenses/$id" -H "Idempotency-Key: d-1"
expect "its retry replays instead of 404" 200
done_testing
