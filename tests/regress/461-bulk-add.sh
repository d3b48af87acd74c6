#!/bin/sh
# expense.add with items end to end: over the socket (spendctl call) and
# REST, a bad item answered by index (items[i].field) while the others are
# added; the change log has one entry per expense, the event stream one
# event per expense, each with its own change's number; items with the
# single add's params, and more than 1,000 items, are refused whole. A
# JSON-RPC batch of adds over /rpc: each call answered on its own, one
# change and one event per expense, budget alerts once per threshold.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

start_spendd -o auth.registration=open || { not_ok "spendd starts"; done_testing; }
req POST /api/v1/auth/register '{"username":"alice","password":"alice-pass"}'
expect "alice registers" 201
export SPEND_USER=alice
last() { ctl call change.list '{"limit":1}' | jget last; }
base=$(last)

# ---- the socket ----
ctl call expense.add '{"items":[
 {"amount":"1.00","category":"food","date":"2024-05-01","payee":"one"},
 {"amount":"2.005","date":"2024-05-02"},
 {"amount":"3.00","date":"2024-05-03","payee":"three"}]}' >"$T/r.json" ||
    not_ok "a bulk add with a bad item succeeds"
is "added and errors" "$(jget -j, added errors <"$T/r.json")" "2,1"
is "the bad item's field" "$(jget items.1.error.data.field <"$T/r.json")" \
    "items[1].amount"
like "... and its message names it" "$(jget items.1.error.message <"$T/r.json")" \
    "items[1]: "
a=$(jget items.0.result.id <"$T/r.json")
c=$(jget items.2.result.id <"$T/r.json")
is "the others are stored" \
    "$(ctl --json expense list --month 2024-05 | jget -j, 'items.*.payee')" \
    "three,one"
ctl call change.list "{\"since\":$base}" >"$T/log.json"
is "the change log: one create per expense, numbered on" \
    "$(jget -j ' ' 'items.*.seq' 'items.*.entity' 'items.*.id' 'items.*.op' \
    <"$T/log.json")" \
    "$((base + 1)) $((base + 2)) expense expense $a $c create create"

check_fails "items with amount are refused" ctl call expense.add \
    '{"amount":"1","items":[{"amount":"1"}]}'
like "... naming amount" "$(cat "$T/err")" "exclude each other"
i=0; items=
while [ $i -le 1000 ]; do items="$items${items:+,}{\"amount\":\"1\"}"; i=$((i + 1)); done
check_fails "1,001 items are refused" ctl call expense.add "{\"items\":[$items]}"
like "... saying the limit" "$(cat "$T/err")" "1 to 1000"
is "nothing refused was logged" "$(last)" "$((base + 2))"

# ---- REST, and the events ----
login alice alice-pass || not_ok "alice logs in"
curl -s -N -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$HTTP_PORT/api/v1/events" >"$T/events" & EV=$!
wait_for "the events stream opens" nonempty "$T/events"
as "$TOKEN" POST /api/v1/expenses '{"items":[
 {"amount":"4.00","payee":"rest-a"},{"amount":"x"},
 {"amount":"5.00","payee":"rest-b"},{"amount":"6.00","payee":"rest-c"}]}'
expect "POST items" 201
is "added and errors over REST" "$(jb -j, added errors)" "3,1"
is "the bad item over REST" "$(jb items.1.error.data.field)" "items[1].amount"
wait_for "three events" lines_in_file '^event: expense.add' "$T/events" 3
kill "$EV" 2>/dev/null; wait "$EV" 2>/dev/null
is "one event per expense" "$(grep -c '^event: expense.add' "$T/events")" 3
is "... each its own change's number" "$(sed -n 's/^id: //p' "$T/events" |
    tr '\n' ' ')" "$((base + 3)) $((base + 4)) $((base + 5)) "
for p in rest-a rest-b rest-c; do
	like "the event of $p" "$(cat "$T/events")" "\"payee\":\"$p\""
done
is "the log has the three" "$(last)" "$((base + 5))"

as "$TOKEN" POST /api/v1/expenses '{"items":[{"amount":"1"}],"payee":"x"}'
expect "items with payee over REST: 400" 400
is "... the field" "$(jb error.field)" "payee"

# ---- a JSON-RPC batch of adds over /rpc: budget alerts and events ----
MONTH=$(date -u +%Y-%m)
TODAY=$(date -u +%F)
ctl budget set health 100 >/dev/null || not_ok "budget health"
sent() {
	ctl --json alerts --month "$MONTH" |
	    jget -d "" -j , "items[category=health].*.threshold"
}
curl -s -N -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$HTTP_PORT/api/v1/events" >"$T/events2" & EV=$!
wait_for "the second events stream opens" nonempty "$T/events2"
before=$(last)
add() { printf '{"jsonrpc":"2.0","method":"expense.add","id":%s,"params":{"amount":"%s","category":"health","date":"%s"}}' "$1" "$2" "$TODAY"; }
as "$TOKEN" POST /rpc "[$(add 1 50),$(add 2 1.001),$(add 3 35),$(add 4 20)]"
expect "a batch of adds over /rpc" 200
is "each call its own answer" "$(jb -j, '*.id' '1.error.data.field' \
    '0.result.amount' '2.result.amount' '3.result.amount')" \
    "1,2,3,4,amount,50.00,35.00,20.00"
is "one change per expense" "$(last)" "$((before + 3))"
wait_for "an event per expense" lines_in_file '^event: expense.add' \
    "$T/events2" 3
wait_for "the alerts' events" lines_in_file '^event: notify.alert' \
    "$T/events2" 2
kill "$EV" 2>/dev/null; wait "$EV" 2>/dev/null
is "three expense events" "$(grep -c '^event: expense.add' "$T/events2")" 3
is "... each its own change's number" "$(grep -B1 '^event: expense.add' \
    "$T/events2" | sed -n 's/^id: //p' | tr '\n' ' ')" \
    "$((before + 1)) $((before + 2)) $((before + 3)) "
is "the thresholds crossed, each once" "$(sent)" "80,100"
is "two alert events" "$(grep -c '^event: notify.alert' "$T/events2")" 2

# ---- single adds from many connections at once (the turn group) ----
before=$(last)
: >"$T/par.cfg"
for i in $(seq 1 24); do	# one curl, 24 connections at once
	[ "$i" = 1 ] || echo next >>"$T/par.cfg"
	printf 'url = "http://127.0.0.1:%s/api/v1/expenses"\nrequest = "POST"\nheader = "Authorization: Bearer %s"\nheader = "Content-Type: application/json"\ndata = "{\\"amount\\":\\"%s.00\\",\\"payee\\":\\"par-%s\\"}"\noutput = "%s/par.%s"\nwrite-out = "%%{http_code}\\n"\n' \
	    "$HTTP_PORT" "$TOKEN" "$i" "$i" "$T" "$i" >>"$T/par.cfg"
done
curl -s --parallel --parallel-immediate --parallel-max 24 -K "$T/par.cfg" \
    >"$T/par.codes"
is "24 adds at once, each 201" "$(sort "$T/par.codes" | uniq -c | tr -s ' ')" " 24 201"
bad=0
for i in $(seq 1 24); do
	[ "$(jget -j, payee amount <"$T/par.$i")" = "par-$i,$i.00" ] || bad=$((bad + 1))
done
is "... each answered with its own expense" "$bad" 0
is "... 24 ids" "$(for i in $(seq 1 24); do jget id <"$T/par.$i"; echo; done |
    sort -u | grep -c .)" 24
is "... 24 changes logged" "$(last)" "$((before + 24))"
is "... all stored" "$(ctl --json expense list --search par- --limit 100 |
    jget count)" 24

stop_spendd
done_testing
