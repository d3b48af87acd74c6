#!/bin/sh
# report.run end to end with the in-tree summary report: spendctl report
# (table, --json, --param), errors, the REST route GET
# /api/v1/reports/{name} with a user's token (their own data only), and
# daemon.status counting report jobs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

if [ ! -f "$PLUGIN_DIR/reports.so" ]; then
	not_ok "no $PLUGIN_DIR/reports.so: build the plugins first"
	done_testing
fi
start_spendd $CHEAP || { not_ok "spendd starts"; done_testing; }
printf 'alice-pass\n' | ctl user add alice --password-stdin >/dev/null
ctl user add bob >/dev/null
add() { ctl --user "$1" expense add "$2" "$3" --date "$4" ${5:+--currency "$5"} >/dev/null; }
add alice 12.50 food 2026-01-03
add alice 1 food 2026-01-20
add alice 300 travel 2026-01-31 JPY
add alice 2.25 transport 2026-02-01
add bob 99 food 2026-01-05

check "report summary" ctl --user alice report summary --param month=2026-01
out=$(cat "$T/out")
like "a table of the rows" "$out" "KEY"
like "food sums two expenses" "$(grep '^food' "$T/out" | tr -s ' ')" "food EUR 2 13.50"
like "yen keep no decimals" "$(grep '^travel' "$T/out" | tr -s ' ')" "travel JPY 1 300"
like "totals per currency" "$(sed -n '/^totals:/,$p' "$T/out" | grep '^EUR' | tr -s ' ')" "EUR 2 13.50"
like "the period is shown" "$out" "2026-01-31"

j=$(ctl --user alice --json report summary --param group=month)
is "--json: the plugin's JSON, by month" \
    "$(printf '%s' "$j" | jget -j , rows.*.key rows.*.currency rows.*.sum)" \
    '2026-01,2026-01,2026-02,EUR,JPY,EUR,13.50,300,2.25'
is "bob's report has bob's expense only" \
    "$(ctl --user bob --json report summary | jget -s totals)" \
    '[{"count": 1, "currency": "EUR", "sum": "99.00"}]'

check_fails "a bad param fails" ctl --user alice report summary --param group=year
like "... saying why" "$(cat "$T/err")" "group must be category, month or day"
check_fails "an unknown report fails" ctl --user alice report nope
like "... naming the ones there are" "$(cat "$T/err")" 'no report "nope" (have: summary, breakdown, trend, payees, forecast, budget)'
ctl --user alice report summary --param name=x >/dev/null 2>"$T/err"
is "--param name= is a usage error" "$?" 2
ctl --user alice report summary --param month >/dev/null 2>"$T/err"
is "--param without = is a usage error" "$?" 2
check_fails "report without a user" ctl report summary
r=$(rpc report.run '{"user":"alice","name":"summary","group":["month"]}')
like "a param that is not a scalar is refused" "$r" "group must be a string, an integer or a boolean"

# REST: the route, query params as the report's params
login alice alice-pass
as "$TOKEN" GET "/api/v1/reports/summary?month=2026-02"
expect "GET /api/v1/reports/summary" 200
is "... the report's JSON" "$(jb -s totals)" '[{"count": 1, "currency": "EUR", "sum": "2.25"}]'
as "$TOKEN" GET "/api/v1/reports/nope"
expect "an unknown report is 400" 400
is "... naming the field" "$(jb error.field)" name
req GET "/api/v1/reports/summary"
expect "without a token: 401" 401

st=$(rpc daemon.status '{}')
done=$(printf '%s' "$st" | jget result.jobs.report.done)
[ "$done" -ge 5 ] && ok "status counts report jobs ($done)" || not_ok "status counts report jobs ($done)"
is "status: nothing left running or queued" \
    "$(printf '%s' "$st" | jget -j ' ' result.jobs.*.busy result.jobs.*.queued | tr ' ' '\n' | sort -u | tr -d '\n')" 0
check "spendctl status shows the report jobs" ctl status
like "... as a line per kind" "$(cat "$T/out")" "jobs report"
check "daemon alive" alive
done_testing
