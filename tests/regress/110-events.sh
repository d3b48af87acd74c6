#!/bin/sh
# /api/v1/events: a write is pushed to the writer's streams only; streams
# whose clients go away are released (an --enable-asan build reports a
# leaked request through lib.sh's sanitizer check).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

start_spendd $CHEAP
req POST /api/v1/auth/register '{"username":"alice","password":"password123"}'
expect "alice registers" 201
login alice password123
ta=$TOKEN
ctl user add bob --password-stdin >/dev/null <<EOP
password456
EOP
login bob password456
tb=$TOKEN

URL=http://127.0.0.1:$HTTP_PORT/api/v1/events
curl -s -N -H "Authorization: Bearer $ta" "$URL" >"$T/a.events" & CA=$!
curl -s -N -H "Authorization: Bearer $tb" "$URL" >"$T/b.events" & CB=$!
sleep 0.5
as "$ta" POST /api/v1/expenses '{"amount":"4.20","category":"food","note":"pushed"}'
expect "alice adds an expense" 201
sleep 0.5
kill $CA $CB 2>/dev/null
wait $CA $CB 2>/dev/null
like "alice's stream carries the write" "$(cat "$T/a.events")" "event: expense.add"
like "... with the expense" "$(cat "$T/a.events")" '"amount":"4.20"'
case $(cat "$T/b.events") in
*expense.add*) not_ok "bob's stream stays quiet" ;;
*) ok "bob's stream stays quiet" ;;
esac

# streams that drop, many times over; then one still open at shutdown
for i in 1 2 3 4 5; do
	curl -s -N -m 0.3 -H "Authorization: Bearer $ta" "$URL" >/dev/null
done
as "$ta" GET /api/v1/expenses
expect "serving after dropped streams" 200
curl -s -N -H "Authorization: Bearer $ta" "$URL" >/dev/null & CC=$!
sleep 0.3
stop_spendd
kill $CC 2>/dev/null; wait $CC 2>/dev/null
ok "stopped with a stream open"
done_testing
