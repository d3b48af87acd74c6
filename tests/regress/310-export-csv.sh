#!/bin/sh
# csv exporter end to end: RFC 4180 output (header, CRLF, quotes doubled),
# formulas neutralised but negative amounts kept numeric, filters, and
# the round trip: export -> import into another user gives the same
# expenses, and importing the export back adds nothing.
. "$(dirname "$0")/lib.sh"

if [ ! -f "$PLUGIN_DIR/csv.so" ]; then
	not_ok "$PLUGIN_DIR/csv.so is built (make builds every plugin)"
	done_testing
fi
start_spendd || exit 1
ctl user add alice --currency EUR >/dev/null && ctl user add bob \
    --currency EUR >/dev/null || not_ok "users"
check "alice's expenses" ctl --user alice import "$TOP/tests/data/expenses.csv" \
    --create-categories
add() { rpc expense.add "{\"user\":\"alice\",$1}" | grep -q '"result"'; }
check "tricky text" add '"amount":"7.00","category":"Food","date":"2024-03-10",
    "note":"=HYPERLINK(\"http://x\",\"y\")","payee":"+49 30 123","tags":["x"]'
check "more tricky text" add '"amount":"-2.50","currency":"USD","category":"Food",
    "date":"2024-03-11","note":"tab\there, \"quoted\"\nand a new line",
    "payee":"@home"'
check "text that starts with a quote" add '"amount":"0.01","category":"Food",
    "date":"2024-03-12","note":"'"'"'-already neutral","payee":"'"'"'plain"'

check "export" ctl --user alice export --format csv -o "$T/alice.csv"
like "says how many" "$(cat "$T/out")" "exported 9 rows"
is "header row" "$(head -n 1 "$T/alice.csv")" \
    "$(printf 'date,amount,currency,category,payee,note,tags\r')"
is "every record ends in CRLF" "$(python3 -c "
print(open('$T/alice.csv', 'rb').read().count(b'\\r\\n'))")" 10
like "formula neutralised, quotes doubled" "$(cat "$T/alice.csv")" \
    "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
like "payee starting with + neutralised" "$(cat "$T/alice.csv")" \
    ",'+49 30 123,"
like "negative amount stays a number" "$(cat "$T/alice.csv")" \
    "2024-03-11,-2.50,USD,food,'@home,"
like "a quote before - gets one more" "$(cat "$T/alice.csv")" \
    ",''-already neutral,"
check "valid CSV for Python" python3 -c "
import csv, sys
rows = list(csv.reader(open('$T/alice.csv', newline='', encoding='utf-8')))
assert len(rows) == 10 and all(len(r) == 7 for r in rows), rows"

# the round trip
check "bob imports alice's export" ctl --user bob import "$T/alice.csv" \
    --create-categories
like "all rows" "$(cat "$T/out")" "9 rows, 9 added"
same() { # the expenses of a user, without ids and timestamps
	rpc expense.list "{\"user\":\"$1\",\"limit\":100}" | python3 -c '
import json, sys
items = json.load(sys.stdin)["result"]["items"]
for e in items:
    for k in ("id", "version", "created_at", "updated_at"):
        e.pop(k)
print(json.dumps(sorted(items, key=json.dumps), sort_keys=True))'
}
is "bob has exactly alice's expenses" "$(same bob)" "$(same alice)"
check "bob imports it again" ctl --user bob import "$T/alice.csv"
like "adds nothing" "$(cat "$T/out")" "0 added, 9 skipped"
check "bob's export" ctl --user bob export --format csv -o "$T/bob.csv"
is "is alice's, byte for byte" "$(cmp "$T/alice.csv" "$T/bob.csv" && echo same)" \
    same

# filters as in expense list
check "export with filters" ctl --user alice export --format csv \
    --currency USD -o "$T/usd.csv"
is "only the two USD rows" "$(python3 -c "
import csv
rows = list(csv.reader(open('$T/usd.csv', newline='')))[1:]
print(len(rows), sorted(set(r[2] for r in rows)))")" "2 ['USD']"

done_testing
