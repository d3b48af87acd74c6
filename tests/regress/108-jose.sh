#!/bin/sh
# spendd's access tokens verified by an independent implementation (the
# npm jose package): standard HS256 JWS, claims iss aud sub exp iat nbf
# jti role typ, the kid naming the key, and after a key rotation both the
# old and the new tokens.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

JS=$TOP/tests/js
if ! command -v node >/dev/null 2>&1 || [ ! -d "$JS/node_modules/jose" ]; then
	echo "ok - # SKIP jose: needs node and tests/js/node_modules (contrib/deps.sh)"
	done_testing
fi
start_spendd || { not_ok "spendd starts"; done_testing; }
req POST /api/v1/auth/register '{"username":"alice","password":"alice-pass"}'
login alice alice-pass; T1=$TOKEN; S1=$SESSION
v=$(node "$JS/verify-jwt.mjs" "$T/data/jwt.key" "$T1")
like "jose verifies the token" "$v" '"ok":true'
is "... alg HS256" "$(echo "$v" | jget header.alg)" HS256
is "... typ JWT" "$(echo "$v" | jget header.typ)" JWT
is "... kid of the key file's first line" "$(echo "$v" | jget header.kid)" \
    "$(head -1 "$T/data/jwt.key" | cut -d' ' -f1)"
is "... sub is the user id" "$(echo "$v" | jget payload.sub)" 1
is "... role" "$(echo "$v" | jget payload.role)" admin
is "... typ access" "$(echo "$v" | jget payload.typ)" access
is "... sid is the session" "$(echo "$v" | jget payload.sid)" "$S1"
is "... lives 15 minutes" \
    "$(( $(echo "$v" | jget payload.exp) - $(echo "$v" | jget payload.iat) ))" 900
is "... jti is 32 hex" "$(echo "$v" | jget payload.jti.#)" 32
sig=${T1##*.}
case $sig in A*) alt=B${sig#?} ;; *) alt=A${sig#?} ;; esac
bad=$(node "$JS/verify-jwt.mjs" "$T/data/jwt.key" "${T1%.*}.$alt")
like "jose refuses an altered signature too" "$bad" '"ok":false'
mode=$(stat -c %a "$T/data/jwt.key")
is "the key file is mode 600" "$mode" 600

as "$T1" POST /api/v1/auth/rotate-key
expect "rotate the key" 200
kid2=$(jb kid)
login alice alice-pass; T2=$TOKEN
v2=$(node "$JS/verify-jwt.mjs" "$T/data/jwt.key" "$T2" "$T1")
is "jose verifies old and new tokens with the rotated key file" \
    "$(echo "$v2" | grep -c '"ok":true')" 2
is "the new token names the new kid" "$(echo "$v2" | head -1 | jget header.kid)" "$kid2"
as "$T1" GET /api/v1/me
expect "spendd still takes the old token" 200
stop_spendd
start_spendd || { not_ok "spendd restarts"; done_testing; }
as "$T2" GET /api/v1/me
expect "tokens survive a restart (the key is on disk)" 200
done_testing
