#!/bin/sh
# The scheduled rates fetch: [rates] url fetched at start when the last
# good fetch is older than a day (then daily at fetch_at), imported all or
# nothing; rate.fetch now; failures logged and shown by spendctl status.
. "$(dirname "$0")/lib.sh"

PORT=$(free_port) || { not_ok "a port"; done_testing; }
mkdir -p "$T/files" "$T/hooks"
HOOK_PID=""
trap '_cleanup; kill $HOOK_PID 2>/dev/null' EXIT
exists() { [ -e "$1" ]; }
python3 "$TOP/tests/regress/hooksrv.py" "$PORT" "$T/hooks" "$T/files" \
    >"$T/hooksrv.log" 2>&1 &
HOOK_PID=$!
wait_for "the file server" exists "$T/hooks/ready" ||
    { not_ok "the file server starts"; done_testing; }

# bad settings are refused at start, naming the key
check_fails "fetch_at must be a time of day" "$SPENDD" -n -o rates.fetch_at=25:00
like "... naming it" "$(cat "$T/err")" 'fetch_at: "25:00" is not a time of day HH:MM (UTC)'
check_fails "url must be http(s)" "$SPENDD" -n -o rates.url=ftp://example.com/x.csv
like "... naming it" "$(cat "$T/err")" "url: \"ftp://example.com/x.csv\" must be an http:// or https:// URL"

cat >"$T/files/eurofxref.csv" <<'CSV'
Date, USD, JPY, BGN, CZK, DKK, GBP, HUF, 
05 March 2024, 1.0849, 162.95, 1.9558, 25.304, 7.4540, 0.85460, 392.73, 
CSV
URL="http://127.0.0.1:$PORT/eurofxref.csv"
start_spendd -o "rates.url=$URL" -o rates.fetch_at=03:00 ||
    { not_ok "spendd starts"; done_testing; }
wait_for "the first fetch" in_file "rates: fetched" "$T/spendd.log"
like "fetched at start: never fetched before" "$(cat "$T/spendd.log")" \
    "rates: fetched $URL: 7 rates imported"
is "... the rates are in" "$(ctl --json rate list --currency GBP | jget -j , items.*.date items.*.rate items.*.source)" \
    "2024-03-05,0.8546,ecb"
ctl status >"$T/status.txt"
like "spendctl status shows the last fetch" "$(cat "$T/status.txt")" "ok: 7 rates imported"
if [ "$(date -u +%H%M)" -lt 0300 ]; then NEXT=$(date -u +%Y-%m-%dT03:00:00Z)
else NEXT=$(date -u -d tomorrow +%Y-%m-%dT03:00:00Z); fi
is "... and the next, at fetch_at (UTC)" "$(ctl --json status | jget rates_fetch.next)" "$NEXT"

printf 'Date, USD, GBP\n06 March 2024, 1.0900, 0.8560\n' >"$T/files/eurofxref.csv"
is "rate fetch fetches now" "$(ctl rate fetch)" "$URL: 2 rates imported"
is "... the new day's rate" "$(ctl --json rate list --currency USD --from 2024-03-06 | jget -j , items.*.rate)" "1.09"

printf 'Date, USD, GBP\n07 March 2024, 1.0950, nothing\n' >"$T/files/eurofxref.csv"
check_fails "a bad file fails" ctl rate fetch
like "... saying why" "$(cat "$T/err")" "not imported: line 2, GBP"
is "... nothing of it stored" "$(ctl --json rate list --from 2024-03-07 | jget count)" 0
like "... in the status" "$(ctl status)" "FAILED: not imported: line 2, GBP"
like "... and the log" "$(cat "$T/spendd.log")" "rates: fetching $URL failed: not imported"

rm "$T/files/eurofxref.csv"
check_fails "a missing file fails" ctl rate fetch
like "... with the HTTP status" "$(cat "$T/err")" "HTTP status 404"

# a good fetch less than a day ago: no fetch at start
printf 'Date, USD\n08 March 2024, 1.1000\n' >"$T/files/eurofxref.csv"
stop_spendd
start_spendd -o "rates.url=$URL" -o rates.fetch_at=03:00 ||
    { not_ok "spendd starts again"; done_testing; }
is "after a restart the next fetch is the scheduled one" "$(ctl --json status | jget rates_fetch.next)" "$NEXT"
is "... the last results are kept" "$(ctl --json status | jget rates_fetch.ok rates_fetch.imported)" "false
2"
stop_spendd
start_spendd ||
    { not_ok "spendd starts without a url"; done_testing; }
check_fails "without [rates] url there is nothing to fetch" ctl rate fetch
like "... and it says so" "$(cat "$T/err")" "no [rates] url"
like "status says the fetch is off" "$(ctl status)" "off (no [rates] url)"

kill $HOOK_PID 2>/dev/null
done_testing
