#!/bin/sh
# /api/v1/events: a write is pushed to the writer's streams only; streams
# whose clients go away are released (an --enable-asan build reports a
# leaked request through lib.sh's sanitizer check).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

start_spendd || { not_ok "spendd starts"; done_testing; }
req POST /api/v1/auth/register '{"username":"alice","password":"password123"}'
expect "alice registers" 201
login alice password123
ta=$TOKEN
ctl user add bob --password-stdin >/dev/null <<EOP
password456
EOP
login bob password456
tb=$TOKEN

# the method is checked before the token: 405 whoever asks
req POST /api/v1/events '{}' -H "Authorization: Bearer not-a-token"
expect "POST on the event stream is 405, even with a bad token" 405
is "... with Allow: GET" "$(header Allow)" GET
req GET /api/v1/events -H "Authorization: Bearer not-a-token"
expect "a GET with a bad token is 401" 401
req GET /api/v1/events
expect "a GET without a token is 401" 401

URL=http://127.0.0.1:$HTTP_PORT/api/v1/events
curl -s -N -H "Authorization: Bearer $ta" "$URL" >"$T/a.events" & CA=$!
curl -s -N -H "Authorization: Bearer $tb" "$URL" >"$T/b.events" & CB=$!
wait_for "alice's stream to open" nonempty "$T/a.events"
wait_for "bob's stream to open" nonempty "$T/b.events"
as "$ta" POST /api/v1/expenses '{"amount":"4.20","category":"food","note":"pushed"}'
expect "alice adds an expense" 201
# then bob: his stream has his own write after anything sent before it
as "$tb" POST /api/v1/expenses '{"amount":"1.00","category":"food","note":"bobs own"}'
expect "bob adds an expense" 201
wait_for "alice's write on her stream" in_file '"amount":"4.20"' "$T/a.events"
wait_for "bob's write on his stream" in_file "bobs own" "$T/b.events"
kill $CA $CB 2>/dev/null
wait $CA $CB 2>/dev/null
like "alice's stream carries the write" "$(cat "$T/a.events")" "event: expense.add"
like "... with the expense" "$(cat "$T/a.events")" '"amount":"4.20"'
case $(cat "$T/a.events") in
*"bobs own"*) not_ok "... and not bob's" ;;
*) ok "... and not bob's" ;;
esac
like "bob's stream carries his own write" "$(cat "$T/b.events")" "bobs own"
case $(cat "$T/b.events") in
*pushed*) not_ok "bob's stream stays quiet about alice's" ;;
*) ok "bob's stream stays quiet about alice's" ;;
esac

# streams that drop, many times over; then one still open at shutdown
for i in 1 2 3 4 5; do
	curl -s -N -m 0.3 -H "Authorization: Bearer $ta" "$URL" >/dev/null
done
as "$ta" GET /api/v1/expenses
expect "serving after dropped streams" 200
curl -s -N -H "Authorization: Bearer $ta" "$URL" >"$T/c.events" & CC=$!
wait_for "the last stream to open" nonempty "$T/c.events"
kill -TERM "$SPENDD_PID"
if wait_for -t 30 "spendd to stop" gone "$SPENDD_PID"; then
	wait "$SPENDD_PID"
	is "spendd stops cleanly with a stream open" "$?" 0
else
	not_ok "spendd stops cleanly with a stream open"
	kill -KILL "$SPENDD_PID"
fi
SPENDD_PID=""
if wait_for -t 10 "the stream to end" gone $CC; then
	ok "... and the stream ends with it"
else
	not_ok "... and the stream ends with it"
	kill $CC 2>/dev/null
fi
wait $CC 2>/dev/null
done_testing
