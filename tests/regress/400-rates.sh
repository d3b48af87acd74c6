#!/bin/sh
# Exchange rates: set by hand, imported from the ECB's files (daily and
# history, all or nothing), listed; admins write them, every user reads.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

start_spendd $CHEAP -o auth.registration=open || { not_ok "spendd starts"; done_testing; }
# the first account is the admin
req POST /api/v1/auth/register '{"username":"root","password":"root-pass"}'
ctl user add alice >/dev/null
is "rate set prints what it stored" "$(ctl rate set usd 1.0856 --date 2024-03-04)" \
    "1.0856 USD per EUR on 2024-03-04"
check_fails "EUR has no rate of its own" ctl rate set EUR 1
like "... and says why" "$(cat "$T/err")" "EUR is 1"
check_fails "a rate with 7 decimals is refused" ctl rate set GBP 0.8552501 --date 2024-03-04
like "... naming the field" "$(cat "$T/err")" "rate"
check_fails "an unknown currency is refused" ctl rate set XYZ 2
check_fails "a date that does not exist is refused" ctl rate set GBP 0.85 --date 2024-02-30

cat >"$T/daily.csv" <<'CSV'
Date, USD, JPY, BGN, CZK, DKK, GBP, HUF, 
05 March 2024, 1.0849, 162.95, 1.9558, 25.304, 7.4540, 0.85460, 392.73, 
CSV
is "the ECB's daily file" "$(ctl rate import "$T/daily.csv")" "7 rates imported (ecb)"
printf 'Date,USD,JPY,CYP,GBP,\n2024-03-01,1.0838,162.38,N/A,0.85535,\n2024-02-29,1.0813,162.51,N/A,0.85585,\n1999-01-04,1.1789,133.73,0.58231,0.7111,\n' >"$T/hist.csv"
is "the history, an old currency skipped" "$(ctl rate import "$T/hist.csv")" "9 rates imported (ecb)
skipped, not current currencies: CYP"
printf 'Date,USD,GBP\n2024-03-06,1.0870,0.8555\n2024-03-07,1.0900,zero\n' >"$T/bad.csv"
check_fails "a file with a bad rate is refused" ctl rate import "$T/bad.csv"
like "... naming line and currency" "$(cat "$T/err")" "line 3, GBP"
is "... and none of it is stored" "$(ctl --json rate list --currency USD --from 2024-03-06 | jget count)" 0
ctl --json rate list --currency usd >"$T/usd.json"
is "USD's history, in date order" "$(jget -j , items.*.date <"$T/usd.json")" \
    "1999-01-04,2024-02-29,2024-03-01,2024-03-04,2024-03-05"
is "... with its sources" "$(jget -j , items.*.source <"$T/usd.json")" "ecb,ecb,ecb,manual,ecb"
ctl rate list --currency GBP --from 2024-01-01 >"$T/gbp.txt"
like "the table" "$(cat "$T/gbp.txt")" "GBP       2024-03-05   0.8546  ecb"
like "... counts its rows" "$(cat "$T/gbp.txt")" "3 rates"

# over HTTP: any user reads, only admins write
req POST /api/v1/auth/register '{"username":"carol","password":"carol-pass"}'
login carol carol-pass
as "$TOKEN" GET '/api/v1/rates?currency=JPY'
expect "a user lists the rates" 200
is "... JPY's" "$(jb -j , items.*.rate)" "133.73,162.51,162.38,162.95"
as "$TOKEN" POST /api/v1/rates '{"currency":"USD","rate":"2"}'
expect "a user may not set a rate" 403
as "$TOKEN" POST /api/v1/rates/imports --data-binary "@$T/daily.csv" -H 'Content-Type: text/csv'
expect "nor import them" 403
login root root-pass
printf 'Date, USD, GBP\n8 March 2024, 1.0922, 0.85\n' >"$T/friday.csv"
as "$TOKEN" POST /api/v1/rates/imports --data-binary "@$T/friday.csv" -H 'Content-Type: text/csv'
expect "an admin uploads the ECB's file" 200
is "... and is told how many" "$(jb imported)" 2
as "$TOKEN" POST /api/v1/rates '{"currency":"CHF","rate":"0.9567","date":"2024-03-08"}'
expect "an admin sets a rate" 201
is "... and gets it back" "$(jb -j , currency rate date source)" "CHF,0.9567,2024-03-08,manual"
req GET /api/v1/rates
expect "no rates without a login" 401
done_testing
