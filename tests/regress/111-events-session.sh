#!/bin/sh
# An event stream lives only as long as the session that opened it: a
# revoked session, or an account deleted (whose user id SQLite gives to
# the next account) must not keep receiving writes. A user holds at most
# 16 streams (each is a socket held open for good).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

start_spendd -o auth.registration=open || { not_ok "spendd starts"; done_testing; }
req POST /api/v1/auth/register '{"username":"admin","password":"admin-pass"}'
req POST /api/v1/auth/register '{"username":"alice","password":"alice-pass"}'
expect "alice registers" 201
URL=http://127.0.0.1:$HTTP_PORT/api/v1/events

# a revoked session's stream ends; the writes of the others do not reach it
login alice alice-pass; TA=$TOKEN; SA=$SESSION
login alice alice-pass; TB=$TOKEN
# (curl's own limit, -m 60, is far beyond the waits here)
curl -s -N -m 60 -H "Authorization: Bearer $TA" "$URL" >"$T/a.events" 2>/dev/null & CA=$!
wait_for "the stream to open" nonempty "$T/a.events"
as "$TB" DELETE "/api/v1/sessions/$SA"
expect "alice revokes her first session" 200
as "$TB" POST /api/v1/expenses '{"amount":"1.00","category":"food","note":"after revoke"}'
expect "alice writes from the other session" 201
# the write ends the revoked session's stream (so nothing comes after)
if wait_for -t 10 "the revoked session's stream to end" gone $CA; then
	ok "the revoked session's stream has ended"
else
	not_ok "the revoked session's stream has ended"
fi
case $(cat "$T/a.events") in
*"after revoke"*) not_ok "... and got no write" ;;
*) ok "... and got no write" ;;
esac
kill $CA 2>/dev/null; wait $CA 2>/dev/null

# a deleted account's stream does not see the next account's data
req POST /api/v1/auth/register '{"username":"mallory","password":"mallory-pass"}'
MID=$(jb id)
login mallory mallory-pass; TM=$TOKEN
curl -s -N -m 60 -H "Authorization: Bearer $TM" "$URL" >"$T/m.events" 2>/dev/null & CM=$!
wait_for "mallory's stream to open" nonempty "$T/m.events"
as "$TM" DELETE /api/v1/me '{"password":"mallory-pass"}'
expect "mallory deletes her account, her stream still open" 200
req POST /api/v1/auth/register '{"username":"victim","password":"victim-pass"}'
is "the next account gets mallory's old id" "$(jb id)" "$MID"
as "$TM" GET /api/v1/me
expect "mallory's old access token is not the new account's" 401
login victim victim-pass
as "$TOKEN" POST /api/v1/expenses '{"amount":"9.99","category":"health","note":"victim secret"}'
expect "the new account writes" 201
# a write of the user id ends a stream of a session gone with its account
if wait_for -t 10 "the deleted account's stream to end" gone $CM; then
	ok "the deleted account's stream has ended"
else
	not_ok "the deleted account's stream has ended"
fi
case $(cat "$T/m.events") in
*"victim secret"*) not_ok "... and got none of the new account's data" ;;
*) ok "... and got none of the new account's data" ;;
esac
kill $CM 2>/dev/null; wait $CM 2>/dev/null

# at most 16 streams a user
login alice alice-pass
r=$(python3 - "$HTTP_PORT" "$TOKEN" <<'PY'
import socket, sys
port, tok = int(sys.argv[1]), sys.argv[2]
def open_stream():
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(("GET /api/v1/events HTTP/1.1\r\nHost: x\r\n"
               "Authorization: Bearer %s\r\n\r\n" % tok).encode())
    s.settimeout(5)
    return s, s.recv(64).decode(errors="replace").split(" ")[1]
held = [open_stream() for _ in range(16)]
s, st = open_stream()
print(",".join(sorted(set(x[1] for x in held))), st)
PY
)
is "16 streams open, the 17th is refused" "$r" "200 429"
as "$TOKEN" GET /api/v1/expenses
expect "the user is otherwise served" 200
check "daemon alive" alive
done_testing
