#!/bin/sh
# Forged access tokens are all 401, never a downgrade to public: alg
# none/None, HS512, stripped or altered signature, altered role or sub,
# expired, not yet valid, wrong aud/iss/typ, unknown kid, a refresh token
# used as an access token. Tokens with bad claims are signed with the
# real key (read from the data dir), so only the claim check can stop them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

start_spendd || { not_ok "spendd starts"; done_testing; }
req POST /api/v1/auth/register '{"username":"root1","password":"admin-pass"}'
r=$(rpc user.add '{"name":"eve","password":"eve-pass-1"}')
login eve eve-pass-1; GOOD=$TOKEN; REF=$REFRESH
as "$GOOD" GET /api/v1/me
expect "the genuine token works" 200
eve_id=$(jb id)

python3 - "$T/data/jwt.key" "$GOOD" "$REF" >"$T/forged" <<'PY'
import base64, hashlib, hmac, json, sys, time
keyfile, good, refresh = sys.argv[1:4]
kid, k = open(keyfile).read().split("\n")[0].split(" ")
key = base64.urlsafe_b64decode(k + "=" * (-len(k) % 4))
def b64(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
def dec(s): return json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))
h, p, s = good.split(".")
H, P = dec(h), dec(p)
def tok(header, payload, alg="HS256", sig=None, k=key):
    si = b64(json.dumps(header).encode()) + "." + b64(json.dumps(payload).encode())
    if sig is None:
        d = hashlib.sha512 if alg == "HS512" else hashlib.sha256
        sig = b64(hmac.new(k, si.encode(), d).digest())
    return si + "." + sig
now = int(time.time())
def with_(**kw): q = dict(P); q.update(kw); return q
out = {
 "alg none": tok(dict(H, alg="none"), P, sig=""),
 "alg None": tok(dict(H, alg="None"), P, sig=""),
 "alg none with the real signature": tok(dict(H, alg="none"), P, sig=s),
 "alg HS512 (signed with the real key)": tok(dict(H, alg="HS512"), P, alg="HS512"),
 "alg RS256": tok(dict(H, alg="RS256"), P),
 "no alg": tok({k2: v for k2, v in H.items() if k2 != "alg"}, P),
 "stripped signature": h + "." + p + ".",
 "no signature part": h + "." + p,
 "altered signature": h + "." + p + "." + (("A" if s[0] != "A" else "B") + s[1:]),
 "signature of another token": tok(H, with_(jti="x" * 32), sig=s),
 "altered role (admin), old signature": h + "." + b64(json.dumps(with_(role="admin")).encode()) + "." + s,
 "altered sub, old signature": h + "." + b64(json.dumps(with_(sub="1")).encode()) + "." + s,
 "signed with another key": tok(H, P, k=b"\x00" * 32),
 "unknown kid": tok(dict(H, kid="nope"), P),
 "no kid": tok({k2: v for k2, v in H.items() if k2 != "kid"}, P),
 "expired": tok(H, with_(iat=now - 4000, nbf=now - 4000, exp=now - 3000)),
 "not yet valid": tok(H, with_(nbf=now + 3000, exp=now + 4000)),
 "wrong aud": tok(H, with_(aud="other")),
 "aud as a list without ours": tok(H, with_(aud=["other"])),
 "wrong iss": tok(H, with_(iss="evil")),
 "typ refresh": tok(H, with_(typ="refresh")),
 "no typ": tok(H, {k2: v for k2, v in P.items() if k2 != "typ"}),
 "no exp": tok(H, {k2: v for k2, v in P.items() if k2 != "exp"}),
 "exp as a string": tok(H, with_(exp=str(now + 900))),
 "sub of a user that does not exist": tok(H, with_(sub="999")),
 "sub 0": tok(H, with_(sub="0")),
 "session that never existed": tok(H, with_(sid="0" * 32)),
 "refresh token used as access token": refresh,
 "header duplicated keys": b64(b'{"alg":"HS256","alg":"none","kid":"%s"}' % H["kid"].encode()) + "." + p + "." + s,
 "four parts": good + ".x",
 "garbage": "not-a-token",
}
for name, t in out.items():
    print(name + "\t" + t)
PY
while IFS="$(printf '\t')" read -r name t; do
	as "$t" GET /api/v1/me
	expect "$name: 401" 401
	case $BODY in *'"name":"eve"'*) not_ok "... leaked eve's data" ;; esac
done <"$T/forged"
# the ones that did sign properly with bad claims would work without the
# claim checks: prove the signer above is right
python3 - "$T/data/jwt.key" "$GOOD" >"$T/resigned" <<'PY'
import base64, hashlib, hmac, json, sys
kid, k = open(sys.argv[1]).read().split("\n")[0].split(" ")
key = base64.urlsafe_b64decode(k + "=" * (-len(k) % 4))
h, p, s = sys.argv[2].split(".")
print(h + "." + p + "." + base64.urlsafe_b64encode(hmac.new(key, (h + "." + p).encode(), hashlib.sha256).digest()).rstrip(b"=").decode())
PY
as "$(cat "$T/resigned")" GET /api/v1/me
expect "the test's own HS256 signature of the genuine claims is accepted" 200
# tokens_valid_after: after logout-all, a token of the new session but
# issued before it is refused (the signature and session are fine)
as "$GOOD" POST /api/v1/auth/logout-all
expect "eve logs out everywhere" 200
login eve eve-pass-1; NEW=$TOKEN
python3 - "$T/data/jwt.key" "$NEW" >"$T/old" <<'PY'
import base64, hashlib, hmac, json, sys, time
kid, k = open(sys.argv[1]).read().split("\n")[0].split(" ")
key = base64.urlsafe_b64decode(k + "=" * (-len(k) % 4))
def b64(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
h, p, s = sys.argv[2].split(".")
P = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
P["iat"] = P["nbf"] = int(time.time()) - 60
p = b64(json.dumps(P).encode())
print(h + "." + p + "." + b64(hmac.new(key, (h + "." + p).encode(), hashlib.sha256).digest()))
PY
as "$NEW" GET /api/v1/me
expect "the new session's token works" 200
as "$(cat "$T/old")" GET /api/v1/me
expect "issued before logout-all (tokens_valid_after): 401" 401
as "x" GET /api/v1/me -H "Authorization: Basic ZXZlOmV2ZS1wYXNzLTE="
expect "Basic auth: 401" 401
req GET /api/v1/me -H "Authorization: Bearer"
expect "an empty Bearer: 401" 401
req POST /rpc '{"jsonrpc":"2.0","id":1,"method":"auth.me"}' -H "Authorization: Bearer $(sed -n 's/^alg none\t//p' "$T/forged")"
expect "forged token on /rpc: 401" 401
check "daemon alive" alive
done_testing
