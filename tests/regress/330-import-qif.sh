#!/bin/sh
# qif importer end to end: a Quicken export with account and category
# lists, !Type:Bank, the date variants (1/ 2'24, 01/05/2024, 2024-01-15),
# a transfer (skipped), splits (parts in their own categories, summed when
# T is missing), categories with classes; re-import adds nothing; a UK
# file with date_format.
. "$(dirname "$0")/lib.sh"

D=$TOP/tests/data
if [ ! -f "$PLUGIN_DIR/qif.so" ]; then
	not_ok "$PLUGIN_DIR/qif.so is built (make builds every plugin)"
	done_testing
fi
start_spendd || exit 1
ctl user add alice --currency USD >/dev/null || not_ok "user"
sum() { rpc expense.list "{\"user\":\"alice\"}" | jget "result.sum.$1?0"; }
field() {
	rpc expense.list "{\"user\":\"alice\",\"search\":\"$1\"}" |
	    jget "result.items.0.$2"
}

check "sample.qif" ctl --user alice import "$D/sample.qif" --category misc \
    --create-categories
like "4 expenses; the salary and the transfer accounted for" \
    "$(cat "$T/out")" \
    "6 rows, 4 added, 2 skipped (1 money in, 1 transfer)"
like "categories from L, without the class" "$(cat "$T/out")" \
    "Food:Bread, Housing"
is "sum: no salary, no transfer" "$(sum USD)" "1294.99"
is "1/ 2'24" "$(field croissants date)" "2024-01-02"
is "M is the note" "$(field Bakery note)" "croissants, two"
is "P is the payee" "$(field croissants payee)" "Bakery Müller"
is "splits summed" "$(field Supermarket amount)" "42.50"
is "--Split--: the first part's category" "$(field Hardware category)" "Home"
hw=$(rpc expense.list '{"user":"alice","search":"Hardware"}')
is "the split's parts" "$(echo "$hw" | jget -j, 'result.items.0.parts.*.category')" \
    "Home,Garden"
is "their amounts" "$(echo "$hw" | jget -j, 'result.items.0.parts.*.amount')" \
    "60.00,29.99"
is "E is a part's note" "$(echo "$hw" | jget 'result.items.0.parts.0.note')" \
    "Screws"
check "again" ctl --user alice import "$D/sample.qif" --category misc
like "adds nothing" "$(cat "$T/out")" "0 added, 6 skipped (4 duplicate,"

printf '!Type:CCard\r\nD02/03/2024\r\nT-9.99\r\nPNetflix\r\n^\r\n' >"$T/uk.qif"
check "UK order by option" ctl --user alice import "$T/uk.qif" \
    --category misc --option date_format=DD/MM/YYYY
is "2 March" "$(field Netflix date)" "2024-03-02"

done_testing
