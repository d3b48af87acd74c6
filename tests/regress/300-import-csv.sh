#!/bin/sh
# csv importer end to end: each bank-style sample of tests/data (quotes,
# commas and line breaks in notes, ; with decimal comma, tab, DD/MM and
# MM/DD, debit/credit columns, BOM + CRLF, Windows-1252, a preamble)
# imported through spendctl into a real spendd, checked by count and sum;
# re-importing adds nothing; headerless files by column number; rows left
# out on purpose (zero amounts, money in) are counted by reason, so that
# rows = added + skipped + rejected.
. "$(dirname "$0")/lib.sh"

D=$TOP/tests/data
if [ ! -f "$PLUGIN_DIR/csv.so" ]; then
	not_ok "$PLUGIN_DIR/csv.so is built (make builds every plugin)"
	done_testing
fi
start_spendd || exit 1
for u in us de fr uk tsv mine zero; do
	cur=EUR
	case $u in us) cur=USD ;; uk) cur=GBP ;; esac
	ctl user add $u --currency $cur >/dev/null || not_ok "user $u"
done

count() { rpc expense.list "{\"user\":\"$1\",\"limit\":1}" | jget result.count; }
sum() { rpc expense.list "{\"user\":\"$1\"}" | jget "result.sum.$2?0"; }
# first NOTE/PAYEE/... of the user's expenses matching a search
field() {
	rpc expense.list "{\"user\":\"$1\",\"search\":\"$2\"}" |
	    jget "result.items.0.$3"
}
# import FILE as USER: ROWS rows of which N are added (the rest are money
# in, skipped), with more spendctl args; then again: nothing added
twice() {
	u=$1 f=$2 rows=$3 n=$4
	shift 4
	check "$(basename "$f"): imports" ctl --user "$u" import "$f" \
	    --category misc --create-categories "$@"
	if [ "$rows" = "$n" ]; then
		like "$(basename "$f"): $n added" "$(cat "$T/out")" \
		    "$rows rows, $n added, 0 skipped, 0 rejected"
	else
		like "$(basename "$f"): $n added, money in skipped" \
		    "$(cat "$T/out")" "$rows rows, $n added, $((rows - n)) \
skipped ($((rows - n)) money in), 0 rejected"
	fi
	check "$(basename "$f"): again" ctl --user "$u" import "$f" \
	    --category misc "$@"
	like "$(basename "$f"): adds nothing" "$(cat "$T/out")" \
	    "$rows rows, 0 added, $rows skipped ($n duplicate"
}

# a US bank: MM/DD/YYYY (01/15 decides), signed bank amounts, quoted
# descriptions with commas and "" quotes, a running balance column
twice us "$D/bank-us.csv" 6 5 --option sign=bank
is "us: the payroll credit is not an expense" "$(sum us USD)" "1278.48"
is "us: quotes inside quotes" "$(field us SHELL note)" 'SHELL OIL 5744, "PUMP 4"'
is "us: MM/DD read as such" "$(field us SHELL date)" "2024-01-15"

# a German bank: BOM, CRLF, account details before the header, ';',
# "-1.150,00", DD.MM.YYYY, a note over two lines, UTF-8 umlauts
twice de "$D/bank-de.csv" 6 5 --option sign=bank
is "de: sum" "$(sum de EUR)" "1417.77"
is "de: payee from Auftraggeber / Begünstigter" \
    "$(field de Miete payee)" "Vermieter Schmidt"
is "de: a note over two lines" "$(field de Miete note)" "Miete Januar
Wohnung 3. OG"
is "de: ; inside quotes" "$(field de Filiale note)" "Einkauf; Filiale 123"
is "de: booking date, not value date" "$(field de Strom date)" "2024-01-20"

# a French bank in Windows-1252: Débit/Crédit columns, "1 234,56",
# DD/MM/YYYY decided by 15/01
twice fr "$D/bank-fr.csv" 5 4
is "fr: debits only" "$(sum fr EUR)" "1376.56"
is "fr: Libellé as note, from Windows-1252" "$(field fr EDF note)" \
    "PRLV SEPA EDF, CONTRAT 1234"
is "fr: DD/MM" "$(field fr PAUL date)" "2024-01-15"
check "fr: salary as a refund with credits=refund" ctl --user fr import \
    "$D/bank-fr.csv" --category misc --option credits=refund
like "fr: only the salary is new" "$(cat "$T/out")" \
    "5 rows, 1 added, 4 skipped (4 duplicate), 0 rejected"
is "fr: refund subtracts" "$(sum fr EUR)" "-1123.44"

# a UK bank: "Paid out"/"Paid in", £ amounts give the currency
twice uk "$D/bank-uk.csv" 5 4
is "uk: GBP from the £ sign" "$(sum uk GBP)" "1310.35"

# tab-separated, a currency column, JPY without decimals
twice tsv "$D/bank.tsv" 4 4
is "tsv: EUR" "$(sum tsv EUR)" "36.49"
is "tsv: JPY" "$(sum tsv JPY)" "4200"
is "tsv: USD" "$(sum tsv USD)" "18.00"
is "tsv: quotes in a tab file" "$(field tsv Uber note)" 'trip "home"'

# Spend's own columns: categories and tags come along
twice mine "$D/expenses.csv" 6 6
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

# rows left out on purpose are in the report, by reason: zero amounts,
# money in (bank signs, credits=skip); a line of empty cells is no row
printf 'Date,Payee,Amount\n2024-05-01,Bakery,-2.40\n2024-05-02,Adjustment,0.00
2024-05-03,Salary,2500.00\n2024-05-04,Grocer,-31.15\n2024-05-05,Refund,12.00
2024-05-06,Void,-0.00\n,,\n2024-05-07,Rent,-800.00\n' >"$T/skips.csv"
# FIELD of the --json report in $T/out
rep() { jget "$1" <"$T/out"; }
adds_up() {
	is "$1: rows = added + skipped + rejected" "$(jget -j' ' rows added \
	    skipped rejected <"$T/out" |
	    awk 'NF == 4 { print ($1 == $2 + $3 + $4) ? "yes" : "no: " $0 }')" yes
}
check "skips: dry run" ctl --json --user zero import "$T/skips.csv" \
    --option sign=bank --category misc --create-categories --dry-run
is "skips: dry run, 7 rows" "$(rep rows)/$(rep added)/$(rep skipped)" "7/3/4"
is "skips: the dry run shows each skipped line and why" \
    "$(jget -j, 'preview[status=skipped].*.line' <"$T/out") / $(jget -j, \
    'preview[status=skipped].*.reason?none' <"$T/out")" \
    "3,4,6,7 / zero amount,money in,money in,zero amount"
check "skips: import" ctl --user zero import "$T/skips.csv" \
    --option sign=bank --category misc --create-categories
like "skips: spendctl says why" "$(cat "$T/out")" \
    "7 rows, 3 added, 4 skipped (2 zero amount, 2 money in), 0 rejected"
is "skips: 3 expenses" "$(count zero)" 3
is "skips: 833.55" "$(sum zero EUR)" "833.55"
check "skips: --json" ctl --json --user zero import "$T/skips.csv" \
    --option sign=bank --category misc
is "skips: skipped_why" "$(rep skipped_why)" \
    '{"duplicate": 3, "zero amount": 2, "money in": 2}'
is "skips: 7 rows, 0 added, 7 skipped" \
    "$(rep rows)/$(rep added)/$(rep skipped)/$(rep rejected)" "7/0/7/0"
adds_up "skips again"
check "skips: credits=refund" ctl --json --user zero import "$T/skips.csv" \
    --option sign=bank --option credits=refund --category misc
is "skips: the money in comes in as refunds, zeros stay out" \
    "$(rep added)/$(rep skipped_why)" \
    '2/{"duplicate": 3, "zero amount": 2}'
adds_up "credits=refund"
is "skips: 833.55 - 2512.00" "$(sum zero EUR)" "-1678.45"

# a big file with a few zero amounts: every row accounted for
python3 -c '
import sys
print("Date,Payee,Amount")
for i in range(20000):
    print("2024-%02d-%02d,Shop %d,%s" % (i % 12 + 1, i % 28 + 1, i,
        "0.00" if i % 1540 == 7 else "-%d.%02d" % (i % 90 + 1, i % 100)))
' >"$T/big.csv"
check "big: import" ctl --user zero import "$T/big.csv" --category misc
like "big: 20000 rows, 13 zero amounts" "$(cat "$T/out")" \
    "20000 rows, 19987 added, 13 skipped (13 zero amount), 0 rejected"
is "big: 19987 more expenses" "$(count zero)" 19992
check "big: --json again" ctl --json --user zero import "$T/big.csv" \
    --category misc
is "big: again" "$(rep rows)/$(rep added)/$(rep skipped_why)" \
    '20000/0/{"duplicate": 19987, "zero amount": 13}'
adds_up "big again"

done_testing
