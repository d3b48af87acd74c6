#!/bin/sh
# A file that cannot be imported is refused as a whole, naming the line
# and the field that failed: csv, qif and ofx; nothing is stored, and a
# dry run says the same without writing.
. "$(dirname "$0")/lib.sh"

D=$TOP/tests/data
for p in csv qif ofx; do
	if [ ! -f "$PLUGIN_DIR/$p.so" ]; then
		not_ok "$PLUGIN_DIR/$p.so is built (make builds every plugin)"
		done_testing
	fi
done
start_spendd || exit 1
ctl user add alice --currency EUR >/dev/null || not_ok "user"
count() { rpc expense.list '{"user":"alice","limit":1}' | jget result.count; }
# refused "what" FILE "line N" "field words" [spendctl args...]
refused() {
	what=$1 f=$2 line=$3 words=$4
	shift 4
	check_fails "$what: refused" ctl --user alice import "$f" \
	    --category misc --create-categories "$@"
	like "$what: names the $line" "$(cat "$T/err")" "$line"
	like "$what: says $words" "$(cat "$T/err")" "$words"
	is "$what: stores nothing" "$(count)" 0
}

# line 6: the note of line 3 spans two lines
printf 'Date,Amount,Payee,Note\n2024-01-01,1.00,A,ok\n2024-01-02,2.00,B,"two\nlines"\n2024-01-03,3.00,C,ok\n2024-01-04,"12,5x",D,bad\n2024-01-05,5.00,E,ok\n' \
    >"$T/amount.csv"
refused "csv amount" "$T/amount.csv" "line 6" 'amount "12,5x": not a number'
check_fails "csv amount: dry run fails too" ctl --user alice import \
    "$T/amount.csv" --category misc --create-categories --dry-run
like "dry run: shows the error" "$(cat "$T/out")" 'line 6: amount "12,5x"'
like "dry run: would fail" "$(cat "$T/out")" "the import would fail"
is "dry run: stores nothing" "$(count)" 0

printf 'Datum;Betrag\r\n01.02.2024;-1,00\r\n30.02.2024;-2,00\r\n' >"$T/date.csv"
refused "csv date" "$T/date.csv" "line 3" 'date "30.02.2024"'

printf 'Date,Amount\n2024-01-01,1\n01/02/2024,2\n03/04/2024,3\n' >"$T/ambiguous.csv"
refused "csv ambiguous date" "$T/ambiguous.csv" "line 3" "date_format"
check "csv ambiguous date: fine with date_format" ctl --user alice import \
    "$T/ambiguous.csv" --category misc --create-categories \
    --option date_format=DD/MM/YYYY --dry-run

printf 'Datum;Empfänger;Wert\n01.02.2024;X;1,00\n' >"$T/columns.csv"
refused "csv without an amount column" "$T/columns.csv" "line 1" \
    '"Datum", "Empfänger", "Wert"' --option header=yes
refused "csv with a --map to no column" "$T/columns.csv" "line 1" \
    'no column "Betrag"' --map Betrag=amount --option header=yes
check "csv: --map names the column" ctl --user alice import "$T/columns.csv" \
    --category misc --create-categories --map Wert=amount --dry-run

printf 'Date,Amount,Currency\n2024-01-01,1,EUR\n2024-01-02,1,EURO\n' >"$T/cur.csv"
refused "csv currency" "$T/cur.csv" "line 3" 'currency "EURO"'
refused "csv option" "$T/cur.csv" "decimal_comma" 'expected yes or no' \
    --option decimal_comma=maybe

printf '!Type:Bank\nD1/2/24\nT-1.00\n^\nD1/3/24\nT-1.0.0\nPX\n^\n' >"$T/bad.qif"
refused "qif amount" "$T/bad.qif" "line 5" 'amount "-1.0.0"'
printf 'Date,Amount\n' >"$T/not.qif"
refused "not qif" "$T/not.qif" "line 1" "!Type"

sed 's/<TRNAMT>-42.99/<TRNAMT>-42.x9/' "$D/statement-1x.ofx" >"$T/amount.ofx"
refused "ofx amount" "$T/amount.ofx" "line 47" 'amount "-42.x9"'
head -c 1500 "$D/statement-1x.ofx" >"$T/cut.ofx"
refused "ofx cut short" "$T/cut.ofx" "line " "ends before </OFX>"

check "spendd is alive" alive
done_testing
