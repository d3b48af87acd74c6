#!/bin/sh
# Reports at the edges, each figure worked out by hand: rates (missing,
# an older date, triangulation through EUR, half-to-even rounding, the
# rounding unit, base currencies with 0 and 3 decimals), ISO weeks across
# years (2020-W53, 2026-W01 from December 2025), leap days, an empty
# period, bad parameters naming their field, and over HTTP no report of
# another user's data on any report route.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

if [ ! -f "$PLUGIN_DIR/reports.so" ]; then
	not_ok "no $PLUGIN_DIR/reports.so: build the plugins first"
	done_testing
fi
start_spendd $CHEAP || { not_ok "spendd starts"; done_testing; }
# a Friday's rates; the weekend has none
ctl rate set USD 2 --date 2024-01-05 >/dev/null
ctl rate set GBP 0.85 --date 2024-01-05 >/dev/null
ctl rate set JPY 150 --date 2024-01-05 >/dev/null
ctl rate set BHD 0.4105 --date 2024-01-05 >/dev/null
for u in eve ivy; do ctl user add $u >/dev/null; done
printf 'frank-pass\n' | ctl user add frank --password-stdin >/dev/null
ctl user add gina >/dev/null
ctl user add hana >/dev/null
# base currencies: frank USD, gina JPY (0 decimals), hana BHD (3)
rpc user.edit '{"name":"frank","currency":"USD"}' >/dev/null
rpc user.edit '{"name":"gina","currency":"JPY"}' >/dev/null
rpc user.edit '{"name":"hana","currency":"BHD"}' >/dev/null
is "base currencies set" "$(ctl --json user show hana | jget currency)" BHD
add() { ctl --user "$1" expense add "$2" "$3" --date "$4" --currency "$5" >/dev/null ||
	echo "# could not add $*"; }

# eve, EUR: 0.005, 0.015, 0.025, 0.035 EUR round half to even
add eve 0.01 food 2024-01-08 USD
add eve 0.03 food 2024-01-09 USD
add eve 0.05 food 2024-01-10 USD
add eve 0.07 food 2024-01-11 USD
# the rounding unit is a day's sum in one currency (and category): two
# 0.01 USD of one day are 0.02 USD, converted once: 0.01 EUR
add eve 0.01 food 2024-01-12 USD
add eve 0.01 food 2024-01-12 USD
add eve 1.234 travel 2024-01-08 BHD	# 3.00609 -> 3.01
add eve 1000 travel 2024-01-08 JPY	# 6.6667 -> 6.67
add eve 5 travel 2024-01-08 CHF		# no CHF rate at all
add eve 3 food 2024-01-04 USD		# before USD's first rate
add eve 10 food 2024-01-06 USD		# a Saturday: Friday's rate

r=$(ctl --user eve --json report trend --from 2024-01-08 --to 2024-01-12 --by day)
is "half to even, one conversion per day and currency" \
    "$(printf '%s' "$r" | jget -j , 'series[label=food].0.values.*')" "0.00,0.02,0.02,0.04,0.01"
r=$(ctl --user eve --json report week 2024-01-08)
is "week 2024-W02" "$(printf '%s' "$r" | jget -j , label from to)" "2024-W02,2024-01-08,2024-01-14"
is "... its total: BHD (3 decimals) and JPY (0) converted" "$(printf '%s' "$r" | jget total)" "9.77"
is "... by category" "$(printf '%s' "$r" | jget -j , categories.*.category categories.*.amount)" \
    "travel,food,9.68,0.09"
is "... CHF without a rate is listed, not guessed" \
    "$(printf '%s' "$r" | jget -j , unconverted.*.currency unconverted.*.count unconverted.*.sum)" "CHF,1,5.00"
r=$(ctl --user eve --json report week 2024-01-06)
is "a day before the first rate: unconverted" \
    "$(printf '%s' "$r" | jget -j , unconverted.*.currency unconverted.*.sum)" "USD,3.00"
is "a Saturday at Friday's rate" "$(printf '%s' "$r" | jget total)" "5.00"
is "... said so" "$(printf '%s' "$r" | jget -j , older_rates.0.currency older_rates.0.date older_rates.0.rate_date older_rates_count)" \
    "USD,2024-01-06,2024-01-05,1"
check "spendctl says it too" ctl --user eve report week 2024-01-06
like "... in words" "$(cat "$T/out")" "converted at an earlier rate: 1 day (USD 2024-01-06 at 2024-01-05)"
like "... and the unconverted" "$(cat "$T/out")" "unconverted: USD 3.00 in 1 expense"

# frank, USD: GBP through EUR, EUR itself on a Saturday
add frank 10 food 2024-01-08 GBP	# 10 * 2 / 0.85 = 23.529 -> 23.53
add frank 10 food 2024-01-08 EUR	# 20.00
add frank 1000 travel 2024-01-09 JPY	# 13.333 -> 13.33
add frank 1 travel 2024-01-09 BHD	# 4.8721 -> 4.87
add frank 1 bills 2024-01-06 EUR	# USD's rate of Friday: 2.00
r=$(ctl --user frank --json report breakdown --month 2024-01)
is "triangulation GBP -> EUR -> USD" "$(printf '%s' "$r" | jget -j , currency items.*.label items.*.amount)" \
    "USD,food,travel,bills,43.53,18.20,2.00"
is "... shares of 100.00 %" "$(printf '%s' "$r" | jget -j , items.*.percent)" "68.30,28.56,3.14"
is "... EUR on a Saturday took USD's Friday rate" \
    "$(printf '%s' "$r" | jget -j , older_rates.0.currency older_rates.0.date older_rates.0.rate_date)" \
    "EUR,2024-01-06,2024-01-05"
is "... and so did each day after it, once per currency" \
    "$(printf '%s' "$r" | jget -j , older_rates_count older_rates.*.currency)" "5,EUR,EUR,GBP,BHD,JPY"

# gina, JPY (no decimals): 1.5 -> 2, 4.5 -> 4
add gina 0.01 food 2024-01-08 EUR
add gina 0.03 food 2024-01-09 EUR
add gina 12.50 food 2024-01-10 EUR	# 1875
add gina 1.234 travel 2024-01-10 BHD	# 450.91 -> 451
r=$(ctl --user gina --json report month 2024-01)
is "JPY base: yen, half to even" "$(printf '%s' "$r" | jget -j , total per_day)" "2332,75"
r=$(ctl --user gina --json report trend --from 2024-01-08 --to 2024-01-10 --by day)
is "... day by day" "$(printf '%s' "$r" | jget -j , total.values.*)" "2,4,2326"

# hana, BHD (3 decimals): 0.4105 -> 0.410, 1.2315 -> 1.232
add hana 1 food 2024-01-08 EUR
add hana 3 food 2024-01-09 EUR
r=$(ctl --user hana --json report month 2024-01)
is "BHD base: three decimals, half to even" \
    "$(printf '%s' "$r" | jget -j , total categories.0.amount)" "1.642,1.642"

# ISO weeks across years, leap days
for a in "1 2020-12-28" "2 2021-01-03" "4 2021-01-04" "8 2020-12-27" \
    "16 2019-12-23" "32 2025-12-29" "64 2026-01-04" "128 2025-12-28" \
    "5 2024-02-29" "3 2023-02-28" "1 2024-02-28"; do
	set -- $a
	add ivy "$1" food "$2" EUR
done
r=$(ctl --user ivy --json report week 2020-W53)
is "2020-W53 spans two years" "$(printf '%s' "$r" | jget -j , from to total)" "2020-12-28,2021-01-03,3.00"
is "... against 2020-W52" "$(printf '%s' "$r" | jget -j , previous.label previous.total previous.change)" \
    "2020-W52,8.00,-62.50"
is "... and 2019-W52 (2019 has no W53)" "$(printf '%s' "$r" | jget -j , year_before.label year_before.total)" \
    "2019-W52,16.00"
r=$(ctl --user ivy --json report week 2025-12-30)
is "2026-W01 starts in December 2025" "$(printf '%s' "$r" | jget -j , label from to total)" \
    "2026-W01,2025-12-29,2026-01-04,96.00"
is "... against 2025-W52" "$(printf '%s' "$r" | jget -j , previous.label previous.total previous.change_bp)" \
    "2025-W52,128.00,-2500"
r=$(ctl --user ivy --json report trend --from 2020-12-20 --to 2021-01-10 --by week)
is "weeks of a range across new year" "$(printf '%s' "$r" | jget -j , labels.* total.values.*)" \
    "2020-W51,2020-W52,2020-W53,2021-W01,0.00,8.00,3.00,4.00"
check_fails "2021 has no W53" ctl --user ivy report week 2021-W53
like "... says so, naming week" "$(cat "$T/err")" "2021 has weeks W01..W52"
r=$(ctl --user ivy --json report month 2024-02)
is "February of a leap year: 29 days" "$(printf '%s' "$r" | jget -j , days total year_before.label year_before.total year_before.change)" \
    "29,6.00,2023-02,3.00,100.00"
r=$(ctl --user ivy --json report summary --param from=2024-02-29 --param to=2024-02-29)
is "29 February a year before is the 28th" \
    "$(printf '%s' "$r" | jget -j , total previous.from previous.total year_before.from year_before.total)" \
    "5.00,2024-02-28,1.00,2023-02-28,3.00"
r=$(ctl --user ivy --json report trend --month 2024-02 --by day)
is "a leap month by day" "$(printf '%s' "$r" | jget -j , labels.# labels.28 total.values.28)" "29,2024-02-29,5.00"
r=$(ctl --user ivy --json report month 1999-01)
is "an empty period" "$(printf '%s' "$r" | jget -j , total count per_day categories.# previous.change unconverted.#)" \
    "0.00,0,0.00,0,null,0"
check "an empty period prints" ctl --user ivy report month 1999-01
like "... as such" "$(cat "$T/out")" "no expenses"
r=$(ctl --user ivy --json report payees --month 1999-01)
is "no payees" "$(printf '%s' "$r" | jget -j , total payees items.#)" "0.00,0,0"

# bad parameters name their field
bad() {	# bad FIELD WORDS... : the error names FIELD
	_f=$1; shift
	_r=$(rpc report.run "$*")
	is "$(printf '%s' "$*" | tr -d '"{}') -> $_f" "$(printf '%s' "$_r" | jget error.data.field)" "$_f"
}
bad month '{"user":"ivy","name":"summary","month":"2024-13"}'
bad week '{"user":"ivy","name":"summary","week":"2024-W00"}'
bad year '{"user":"ivy","name":"summary","year":"24"}'
bad from '{"user":"ivy","name":"summary","from":"2024-02-30"}'
bad to '{"user":"ivy","name":"breakdown","from":"2024-03-01","to":"2024-02-01"}'
bad from '{"user":"ivy","name":"trend","to":"2024-02-01"}'
bad by '{"user":"ivy","name":"trend","month":"2024-01","by":"year"}'
bad window '{"user":"ivy","name":"trend","month":"2024-01","window":0}'
bad cumulative '{"user":"ivy","name":"trend","month":"2024-01","cumulative":true}'
bad limit '{"user":"ivy","name":"payees","limit":1001}'
bad colour '{"user":"ivy","name":"breakdown","colour":"red"}'
bad period '{"user":"ivy","name":"summary","period":"day"}'
bad from '{"user":"ivy","name":"summary","month":"2024-01","from":"2024-01-01"}'
r=$(rpc report.run '{"user":"ivy","name":"trend","from":"2000-01-01","to":"2030-01-01","by":"day"}')
like "at most 10000 points" "$(printf '%s' "$r" | jget error.message)" "at most 10000"

# over HTTP, every report route is the caller's own data
add frank 7 food 2024-01-10 USD
login frank frank-pass
for n in summary breakdown trend payees; do
	as "$TOKEN" GET "/api/v1/reports/$n?month=2024-01&user=eve"
	expect "GET /api/v1/reports/$n?user=eve is 403" 403
	is "... naming user" "$(jb error.field)" user
	as "$TOKEN" GET "/api/v1/reports/$n?month=2024-01"
	expect "GET /api/v1/reports/$n is frank's own" 200
done
is "... in frank's currency, his expenses" "$(jb -j , currency total)" "USD,70.73"
as "$TOKEN" GET "/api/v1/reports/summary?month=2024-01&user_id=5"
expect "a user id as a param is refused" 400
is "... naming it" "$(jb error.field)" user_id
as "$TOKEN" POST /rpc '{"jsonrpc":"2.0","id":1,"method":"report.run","params":{"name":"summary","user":"eve"}}'
is "/rpc with another user is refused" "$(jb error.data.field)" user
req GET "/api/v1/reports/breakdown"
expect "no token, no report" 401
as "$TOKEN" GET "/api/v1/reports/trend?month=2024-01&by=fortnight"
expect "a bad param over HTTP is 400" 400
is "... naming it" "$(jb error.field)" by
done_testing
