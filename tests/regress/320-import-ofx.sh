#!/bin/sh
# ofx importer end to end: an OFX 1.x SGML bank statement (headers, CRLF,
# unclosed elements, a PAYEE aggregate, time zones) and an OFX 2.x XML
# credit card statement; FITIDs make a second import add nothing, and a
# credit imported later as a refund is the only new row.
. "$(dirname "$0")/lib.sh"

D=$TOP/tests/data
if [ ! -f "$PLUGIN_DIR/ofx.so" ]; then
	not_ok "$PLUGIN_DIR/ofx.so is built (make builds every plugin)"
	done_testing
fi
start_spendd || exit 1
ctl user add alice --currency EUR >/dev/null || not_ok "user"
sum() { rpc expense.list "{\"user\":\"alice\"}" | jget "result.sum.$1?0"; }
field() {
	rpc expense.list "{\"user\":\"alice\",\"search\":\"$1\"}" |
	    jget "result.items.0.$2"
}

check "1.x SGML" ctl --user alice import "$D/statement-1x.ofx" --category bank \
    --create-categories
like "4 debits added, the payroll credit skipped" "$(cat "$T/out")" \
    "5 rows, 4 added, 1 skipped (1 money in), 0 rejected"
is "USD from CURDEF, exact amounts" "$(sum USD)" "1191.35"
is "NAME is the payee" "$(field SEATTLE payee)" "STARBUCKS #1234"
is "MEMO is the note, entities decoded" "$(field AMAZON note)" \
    "AMZN.COM/BILL WA & more"
is "PAYEE aggregate's NAME" "$(field 55-1234 payee)" "CON ED OF NY"
is "the bank's day, whatever the time zone" "$(field 55-1234 date)" \
    "2024-01-15"
is "late in the day stays that day" "$(field SHELL date)" "2024-01-31"
check "1.x again" ctl --user alice import "$D/statement-1x.ofx" --category bank
like "FITIDs: nothing new" "$(cat "$T/out")" \
    "0 added, 5 skipped (4 duplicate, 1 money in)"

check "2.x XML" ctl --user alice import "$D/statement-2x.ofx" --category bank
like "3 debits" "$(cat "$T/out")" "4 rows, 3 added, 1 skipped"
is "EUR" "$(sum EUR)" "1255.40"
is "UTF-8 text" "$(field Flore note)" "Paris, 2 cafés"
check "2.x with credits=refund" ctl --user alice import "$D/statement-2x.ofx" \
    --category bank --option credits=refund
like "only the refund is new" "$(cat "$T/out")" "1 added, 3 skipped"
is "the refund subtracts" "$(sum EUR)" "1210.40"
is "as a negative amount" "$(field Zalando amount)" "-45.00"

# the same transactions under another FITID are new; without any .ofx
# extension the content tells the format
sed 's/<FITID>CC-/<FITID>X-/' "$D/statement-2x.ofx" >"$T/renamed.dat"
check "renamed FITIDs, no extension" ctl --user alice import "$T/renamed.dat" \
    --category bank --format ofx
like "are new rows" "$(cat "$T/out")" "3 added"

done_testing
