#!/bin/sh
# csv importer end to end: each bank-style sample of tests/data (quotes,
# commas and line breaks in notes, ; with decimal comma, tab, DD/MM and
# MM/DD, debit/credit columns, BOM + CRLF, Windows-1252, a preamble)
# imported through spendctl into a real spendd, checked by count and sum;
# re-importing adds nothing; headerless files by column number.
. "$(dirname "$0")/lib.sh"

D=$TOP/tests/data
if [ ! -f "$PLUGIN_DIR/csv.so" ]; then
	echo "# no $PLUGIN_DIR/csv.so: build the plugins first"
	done_testing
fi
start_spendd || exit 1
for u in us de fr uk tsv mine; do
	cur=EUR
	case $u in us) cur=USD ;; uk) cur=GBP ;; esac
	ctl user add $u --currency $cur >/dev/null || not_ok "user $u"
done

count() { rpc expense.list "{\"user\":\"$1\",\"limit\":1}" | jget "j['result']['count']"; }
sum() { rpc expense.list "{\"user\":\"$1\"}" | jget "j['result']['sum'].get('$2','0')"; }
# first NOTE/PAYEE/... of the user's expenses matching a search
field() {
	rpc expense.list "{\"user\":\"$1\",\"search\":\"$2\"}" |
	    jget "j['result']['items'][0]['$3']"
}
# import FILE as USER with more spendctl args; then again: nothing added
twice() {
	u=$1 f=$2 n=$3
	shift 3
	check "$(basename "$f"): imports" ctl --user "$u" import "$f" \
	    --category misc --create-categories "$@"
	like "$(basename "$f"): $n added" "$(cat "$T/out")" "$n rows, $n added"
	check "$(basename "$f"): again" ctl --user "$u" import "$f" \
	    --category misc "$@"
	like "$(basename "$f"): adds nothing" "$(cat "$T/out")" \
	    "0 added, $n skipped"
}

# a US bank: MM/DD/YYYY (01/15 decides), signed bank amounts, quoted
# descriptions with commas and "" quotes, a running balance column
twice us "$D/bank-us.csv" 5 --option sign=bank
is "us: the payroll credit is not an expense" "$(sum us USD)" "1278.48"
is "us: quotes inside quotes" "$(field us SHELL note)" 'SHELL OIL 5744, "PUMP 4"'
is "us: MM/DD read as such" "$(field us SHELL date)" "2024-01-15"

# a German bank: BOM, CRLF, account details before the header, ';',
# "-1.150,00", DD.MM.YYYY, a note over two lines, UTF-8 umlauts
twice de "$D/bank-de.csv" 5 --option sign=bank
is "de: sum" "$(sum de EUR)" "1417.77"
is "de: payee from Auftraggeber / Begünstigter" \
    "$(field de Miete payee)" "Vermieter Schmidt"
is "de: a note over two lines" "$(field de Miete note)" "Miete Januar
Wohnung 3. OG"
is "de: ; inside quotes" "$(field de Filiale note)" "Einkauf; Filiale 123"
is "de: booking date, not value date" "$(field de Strom date)" "2024-01-20"

# a French bank in Windows-1252: Débit/Crédit columns, "1 234,56",
# DD/MM/YYYY decided by 15/01
twice fr "$D/bank-fr.csv" 4
is "fr: debits only" "$(sum fr EUR)" "1376.56"
is "fr: Libellé as note, from Windows-1252" "$(field fr EDF note)" \
    "PRLV SEPA EDF, CONTRAT 1234"
is "fr: DD/MM" "$(field fr PAUL date)" "2024-01-15"
check "fr: salary as a refund with credits=refund" ctl --user fr import \
    "$D/bank-fr.csv" --category misc --option credits=refund
like "fr: only the salary is new" "$(cat "$T/out")" "1 added, 4 skipped"
is "fr: refund subtracts" "$(sum fr EUR)" "-1123.44"

# a UK bank: "Paid out"/"Paid in", £ amounts give the currency
twice uk "$D/bank-uk.csv" 4
is "uk: GBP from the £ sign" "$(sum uk GBP)" "1310.35"

# tab-separated, a currency column, JPY without decimals
twice tsv "$D/bank.tsv" 4
is "tsv: EUR" "$(sum tsv EUR)" "36.49"
is "tsv: JPY" "$(sum tsv JPY)" "4200"
is "tsv: USD" "$(sum tsv USD)" "18.00"
is "tsv: quotes in a tab file" "$(field tsv Uber note)" 'trip "home"'

# Spend's own columns: categories and tags come along
twice mine "$D/expenses.csv" 6
is "mine: EUR with a refund" "$(sum mine EUR)" "144.70"
is "mine: category created" "$(field mine GitHub category)" "Subscriptions"
is "mine: tags" "$(field mine GitHub tags)" '["work", "monthly"]'

# headerless, columns by number; a dry run writes nothing
printf '2024-04-01;Rent;800,00;home\r\n2024-04-02;Bread;2,40;food\r\n' \
    >"$T/plain.csv"
check "headerless: dry run" ctl --user mine import "$T/plain.csv" --dry-run \
    --map 1=date --map 2=payee --map 3=amount --category misc
like "headerless: previews 2 rows" "$(cat "$T/out")" "2 rows, 2 new"
is "headerless: dry run wrote nothing" "$(count mine)" 6
check "headerless: by number" ctl --user mine import "$T/plain.csv" \
    --map 1=date --map 2=payee --map 3=amount --category misc
is "headerless: 802.40 more" "$(sum mine EUR)" "947.10"
check_fails "headerless without --map is refused" ctl --user mine import \
    "$T/plain.csv" --category misc
like "and says how to map" "$(cat "$T/err")" "--map 1=date"

done_testing
