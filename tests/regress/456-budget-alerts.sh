#!/bin/sh
# Budget alerts fire exactly once per threshold, category and month:
# crossing 80% then 100% by single adds, by one import (one alert per
# threshold), by an edit; going under and over again repeats none; a rate
# that raises a converted total sends one; a restart neither loses nor
# repeats any; live clients hear notify.alert.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

if [ ! -f "$PLUGIN_DIR/csv.so" ]; then
	not_ok "$PLUGIN_DIR/csv.so is built (make builds every plugin)"
	done_testing
fi
start_spendd -o auth.registration=open || { not_ok "spendd starts"; done_testing; }
req POST /api/v1/auth/register '{"username":"root","password":"root-pass"}'
req POST /api/v1/auth/register '{"username":"alice","password":"alice-pass"}'
export SPEND_USER=alice
MONTH=$(date -u +%Y-%m)
TODAY=$(date -u +%F)

# alerts of CATEGORY this month, as "80,100"
sent() {
	ctl --json alerts --month "$MONTH" |
	    jget -d "" -j , "items[category=$1].*.threshold"
}

# live clients: the SSE stream, read in the background
login alice alice-pass
curl -sN -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$HTTP_PORT/api/v1/events" >"$T/events" 2>&1 &
SSE=$!
wait_for "the event stream" nonempty "$T/events"

ctl budget set food 100 >/dev/null
ctl expense add 79 food >/dev/null
is "under 80%: no alert" "$(sent food)" ""
ctl expense add 1 food >/dev/null
is "80% reached by an add: one alert" "$(sent food)" "80"
ctl expense add 19.99 food >/dev/null
is "more, under 100%: nothing new" "$(sent food)" "80"
id=$(ctl --json expense add 0.01 food | jget id)
is "100% reached: the second" "$(sent food)" "80,100"
ctl expense rm "$id" >/dev/null
ctl expense add 0.01 food >/dev/null
ctl expense add 5 food >/dev/null
is "under and over again: no repeat" "$(sent food)" "80,100"
wait_for "two notify.alert events" lines_in_file "event: notify.alert" "$T/events" 2
is "live clients heard each once" "$(grep -c 'event: notify.alert' "$T/events")" 2
like "... with the category and threshold" "$(grep -A1 'event: notify.alert' "$T/events" | tail -1)" '"threshold":100'

# one import crossing both thresholds: one alert each
ctl budget set travel 100 >/dev/null
printf 'date,amount,category\n%s,50,travel\n%s,40,travel\n%s,30,travel\n' \
    "$TODAY" "$TODAY" "$TODAY" >"$T/trip.csv"
check "an import of three rows" ctl import "$T/trip.csv"
is "... sends 80% and 100%, once each" "$(sent travel)" "80,100"

# an edit
ctl budget set health 100 --alert 50,100 >/dev/null
id=$(ctl --json expense add 10 health | jget id)
is "10%: nothing" "$(sent health)" ""
ctl expense edit "$id" --amount 60 >/dev/null
is "an edit to 60%: the 50% alert" "$(sent health)" "50"
ctl expense edit "$id" --amount 10 >/dev/null
ctl expense edit "$id" --amount 70 >/dev/null
is "down and up again by edits: no repeat" "$(sent health)" "50"

# a rate that raises a converted total
ctl budget set shopping 100 >/dev/null
ctl expense add 120 shopping --currency USD >/dev/null
is "USD without a rate: not counted, no alert" "$(sent shopping)" ""
is "... listed as unconverted" "$(ctl --json budget status | jget -j , 'unconverted[category=shopping].0.amount' 'unconverted[category=shopping].0.currency')" "120.00,USD"
ctl --user root rate set USD 1.2 --date "$MONTH-01" >/dev/null
wait_for "the alerts of the rate change" sh -c "[ \"\$($SPENDCTL --socket $SOCK --json alerts --month $MONTH | $TOOLS/jget -d '' -j , 'items[category=shopping].*.threshold')\" = 80,100 ]"
is "a rate makes it 100.00 EUR: 80% and 100% once" "$(sent shopping)" "80,100"
ctl --user root rate set USD 1.1 --date "$MONTH-01" >/dev/null
ctl expense add 1 shopping >/dev/null
is "another rate and another add: no repeat" "$(sent shopping)" "80,100"

ctl alerts --month "$MONTH" >"$T/alerts.txt"
like "spendctl alerts: a table" "$(head -1 "$T/alerts.txt")" "MONTH    CATEGORY  REACHED"
like "... counting them" "$(tail -1 "$T/alerts.txt")" "7 alerts"
n=$(ctl --json alerts | jget count)

# a restart neither loses nor repeats one
stop_spendd
kill "$SSE" 2>/dev/null
start_spendd -o auth.registration=open || { not_ok "spendd restarts"; done_testing; }
is "after a restart: every alert still listed" "$(ctl --json alerts | jget count)" "$n"
ctl expense add 1 food >/dev/null
ctl expense add 1 travel >/dev/null
ctl budget set food 100 --alert 80,100 >/dev/null
is "... and none sent again" "$(ctl --json alerts | jget count)" "$n"
ctl expense add 20 food >/dev/null
is "126%: no threshold past 100" "$(sent food)" "80,100"
ctl budget set food 100 --alert 80,100,120 >/dev/null
is "a new threshold already passed is sent once" "$(sent food)" "80,100,120"

# over REST
login alice alice-pass
as "$TOKEN" GET "/api/v1/alerts?month=$MONTH"
expect "GET /api/v1/alerts" 200
is "... the same alerts" "$(jb count)" "$((n + 1))"
done_testing
