#!/bin/sh
# Budgets through spendctl and REST: set (a default, a month's own, the
# overall one), list, show, rm, status as bars (plain text when piped,
# ASCII outside a UTF-8 locale), errors naming the field; another user's
# budgets are invisible (404 on every route that names one).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

start_spendd -o auth.registration=open || { not_ok "spendd starts"; done_testing; }
req POST /api/v1/auth/register '{"username":"root","password":"root-pass"}'
req POST /api/v1/auth/register '{"username":"alice","password":"alice-pass"}'
req POST /api/v1/auth/register '{"username":"bob","password":"bob-pass"}'
export SPEND_USER=alice

is "budget set prints the budget" "$(ctl budget set food 500 --since 2024-01)" \
"category  food
amount    500.00 EUR a month from 2024-01
rollover  no
alerts    80%, 100%"
is "a month's own amount, new thresholds" "$(ctl budget set food 200 --month 2024-02 --alert 50,90,100 | tail -2)" \
"alerts    50%, 90%, 100%
2024-02   200.00 EUR"
check "the overall budget is \"total\", with rollover" \
    ctl budget set total 1000 --since 2024-01 --rollover
check "a budget with only a month's own amount" \
    ctl budget set transport 50 --month 2024-01
is "budget list" "$(ctl budget list)" \
"CATEGORY    AMOUNT       SINCE    ROLLOVER  ALERTS          MONTHS
total      1000.00  EUR  2024-01       yes  80%, 100%
food        500.00  EUR  2024-01        no  50%, 90%, 100%  2024-02: 200.00
transport        -  EUR  $(date -u +%Y-%m)        no  80%, 100%       2024-01: 50.00
3 budgets"

ctl expense add 320 food --date 2024-01-10 >/dev/null
ctl expense add 80 transport --date 2024-01-12 >/dev/null
ctl expense add 150 food --date 2024-02-03 >/dev/null
ctl expense add 12.34 food --currency USD --date 2024-01-20 >/dev/null
# piped: no colour; a UTF-8 locale draws blocks, any other ASCII
LC_ALL=C.UTF-8 ctl budget status --month 2024-01 >"$T/st" 2>&1
is "status of a past month, as bars" "$(cat "$T/st")" \
"2024-01 (past month), in EUR
total      ██████░░░░░░░░░  400.00 / 1000.00 EUR   40%  → 400.00 by 31 Jan
food       ██████████░░░░░  320.00 /  500.00 EUR   64%  → 320.00 by 31 Jan  near
transport  ███████████████   80.00 /   50.00 EUR  160%  →  80.00 by 31 Jan  over
not converted to EUR (no rate), not counted:
  food  12.34 USD spent in 2024-01"
if grep -q "$(printf '\033')" "$T/st"; then not_ok "no escape codes when piped"
else ok "no escape codes when piped"; fi
LC_ALL=C ctl budget status --month 2024-02 >"$T/st2"
is "February: the month's own amount, 600.00 carried over, January's unconverted USD listed" "$(cat "$T/st2")" \
"2024-02 (past month), in EUR
total  #..............  150.00 / 1600.00 EUR   9%  -> 150.00 by 29 Feb  (+600.00 carried over)
food   ###########....  150.00 /  200.00 EUR  75%  -> 150.00 by 29 Feb  near
not converted to EUR (no rate), not counted:
  food  12.34 USD spent in 2024-01"
ctl --json budget status --month 2024-01 >"$T/st.json"
is "status as JSON: spent, limit, remaining, percent, state" \
    "$(jget -j , items.1.spent items.1.limit items.1.remaining items.1.percent items.1.state <"$T/st.json")" \
    "320.00,500.00,180.00,64,near"
is "... and what no rate converts" "$(jget -j , unconverted.0.currency unconverted.0.amount <"$T/st.json")" "USD,12.34"
ctl rate set USD 1.234 --date 2024-01-01 >/dev/null
is "a rate converts it" "$(ctl --json budget status --month 2024-01 | jget -j , items.1.spent unconverted.#)" "330.00,0"
ctl expense add 100 food >/dev/null
is "the current month: today's day and the projection by the month's end" \
    "$(ctl --json budget status | jget -j , period day items.1.spent)" \
    "current,$(date -u +%-d),100.00"
is "... projected at this pace" "$(ctl --json budget status | jget items.1.projected)" \
    "$(awk -v d="$(date -u +%-d)" -v n="$(date -u -d "$(date -u +%Y-%m-01) +1 month -1 day" +%-d)" \
        'BEGIN { printf "%.2f", int((10000 * n + int(d / 2)) / d) / 100 }')"

# what recurring rules will still create counts in the projection
nm=$(date -u -d "$(date -u +%Y-%m-01) +1 month" +%Y-%m)
check "a monthly rule from next month" \
    ctl recurring add 30 food --every month --start "$nm-05"
is "next month: the rule's 30.00 is to come, and projected" \
    "$(ctl --json budget status --month "$nm" | jget -j , items.1.category items.1.to_come items.1.projected items.0.to_come)" \
    "food,30.00,30.00,30.00"
like "... and drawn" "$(LC_ALL=C ctl budget status --month "$nm" | grep '^food' | tr -s ' ')" \
    "food ............... 0.00 / 500.00 EUR 0% -> 30.00 by"

# errors name the field
check_fails "a negative budget is refused" ctl budget set food -5
like "... naming the amount" "$(cat "$T/err")" "amount"
check_fails "a month that does not exist is refused" ctl budget set food 5 --month 2024-13
like "... naming the month" "$(cat "$T/err")" "month"
check_fails "thresholds that are not percents are refused" ctl budget set food 5 --alert 80,x
like "... naming them" "$(cat "$T/err")" "alerts"
check_fails "a category that does not exist" ctl budget set snacks 5
like "... says so" "$(cat "$T/err")" 'no category "snacks"'
check_fails "removing a month without an amount of its own" ctl budget rm food --month 2024-05
like "... says which" "$(cat "$T/err")" "2024-05"

is "budget rm of a month's own amount" "$(ctl budget rm food --month 2024-02)" \
    "removed the 2024-02 amount of the food budget"
is "... the default applies again" "$(ctl --json budget status --month 2024-02 | jget items.1.limit)" "500.00"
is "budget rm" "$(ctl budget rm transport)" "removed the transport budget"
check_fails "... then it is gone" ctl budget show transport
is "... and not listed" "$(ctl --json budget list | jget count)" 2

# REST
login alice alice-pass
A=$TOKEN
as "$A" PUT /api/v1/budgets/health '{"amount":"80.5","alerts":"75,100"}'
expect "PUT /api/v1/budgets/{category} sets a budget" 200
is "... and returns it" "$(jb -j , category amount alerts.0 since)" "health,80.50,75,$(date -u +%Y-%m)"
HEALTH=$(jb category_id)
as "$A" GET /api/v1/budgets
expect "GET /api/v1/budgets" 200
is "... lists them" "$(jb -j , items.*.category)" "total,food,health"
as "$A" GET "/api/v1/budgets/$HEALTH"
expect "a budget by its category's id" 200
as "$A" GET "/api/v1/budgets/status?month=2024-01"
expect "GET /api/v1/budgets/status" 200
is "... of the month asked" "$(jb -j , month items.1.category items.1.spent)" "2024-01,food,330.00"
as "$A" GET "/api/v1/budgets/status?month=2024-1"
expect "a bad month is 400" 400
is "... naming it" "$(jb error.field)" "month"
as "$A" GET /api/v1/alerts
expect "GET /api/v1/alerts" 200
as "$A" DELETE "/api/v1/budgets/health?month=2024-03"
expect "DELETE of a month without an amount of its own: 404" 404

# bob sees none of it: every route naming alice's budget is 404
login bob bob-pass
B=$TOKEN
for r in "GET /api/v1/budgets/$HEALTH" "DELETE /api/v1/budgets/$HEALTH" \
    "GET /api/v1/budgets/health" "DELETE /api/v1/budgets/health" \
    "GET /api/v1/budgets/total"; do
	as "$B" $r
	expect "bob: $r is 404" 404
done
as "$B" PUT "/api/v1/budgets/$HEALTH" '{"amount":"1"}'
expect "bob: PUT /api/v1/budgets/(alice's category id) is 404" 404
as "$B" GET /api/v1/budgets
is "bob lists no budgets" "$(jb count)" 0
as "$B" GET "/api/v1/budgets/status?month=2024-01"
is "... and no status" "$(jb count)" 0
as "$B" GET /api/v1/alerts
is "... and no alerts" "$(jb count)" 0
is "alice's budgets are untouched" "$(ctl --json budget list | jget -j , items.*.amount)" "1000.00,500.00,80.50"
req GET /api/v1/budgets
expect "no budgets without a login" 401
done_testing
