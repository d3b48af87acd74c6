#!/bin/sh
# End to end through the host with the real importer and exporter plugins
# of $PLUGIN_DIR (a missing .so fails its part): all or nothing and
# de-duplication with csv, a csv round trip between two users, qif and
# ofx statements imported once, every exporter writing a file.
# Format details are the plugins' own tests (3NN-*.sh).
. "$(dirname "$0")/lib.sh"

# every plugin is built by make: one that is missing is a failure
have() {
	[ -f "$PLUGIN_DIR/$1.so" ] && return 0
	not_ok "$PLUGIN_DIR/$1.so is built"
	return 1
}
have csv || done_testing
start_spendd || exit 1
check "users" sh -c "'$SPENDCTL' --socket '$SOCK' user add alice --currency EUR &&
    '$SPENDCTL' --socket '$SOCK' user add bob --currency EUR"
sum() { # user [filters as JSON members]
	rpc expense.list "{\"user\":\"$1\"${2:+,$2}}" | jget result.sum.EUR?0
}
count() {
	rpc expense.list "{\"user\":\"$1\",\"limit\":1}" | jget result.count
}

# a bank-style CSV: quotes, commas in notes; line 57 (the header is line
# 1) has a bad amount
{
	echo 'Date,Amount,Category,Payee,Note'
	i=2
	while [ $i -le 60 ]; do
		if [ $i -eq 57 ]; then a='"12,5x"'; else a="$i.10"; fi
		printf '2024-05-%02d,%s,food,"Shop, Inc.","row %d, with a comma"\n' \
		    $(( (i - 2) % 28 + 1 )) "$a" $i
		i=$((i + 1))
	done
} >"$T/bank.csv"
check_fails "csv with a bad line 57 is refused" \
    ctl --user alice import "$T/bank.csv"
like "the error names line 57" "$(cat "$T/err")" "line 57"
like "and the amount" "$(cat "$T/err")" "amount"
is "nothing written" "$(count alice)" 0
sed -i 's/"12,5x"/57.10/' "$T/bank.csv"
check "the fixed csv imports" ctl --user alice import "$T/bank.csv"
like "59 rows added" "$(cat "$T/out")" "59 rows, 59 added"
check "again" ctl --user alice import "$T/bank.csv"
like "adds nothing" "$(cat "$T/out")" "0 added, 59 skipped"
is "notes keep their commas" \
    "$(rpc expense.list '{"user":"alice","search":"row 2,"}' | jget result.items.0.payee)" \
    "Shop, Inc."

# round trip: alice's csv export imported by bob gives the same totals
check "csv export" ctl --user alice export --format csv -o "$T/alice.csv"
check "imported by bob" ctl --user bob import "$T/alice.csv"
is "same count" "$(count bob)" "$(count alice)"
is "same sum" "$(sum bob)" "$(sum alice)"
is "same sum per category" "$(sum bob '"category":"food"')" \
    "$(sum alice '"category":"food"')"
check "bob's export again adds nothing to alice" sh -c \
    "'$SPENDCTL' --socket '$SOCK' --user bob export --format csv -o '$T/bob.csv' &&
     '$SPENDCTL' --socket '$SOCK' --user alice import '$T/bob.csv' | grep -q ' 0 added'"

if have qif; then
	cat >"$T/bank.qif" <<'EOF'
!Type:Bank
D03/01/2024
T-12.50
PMarket
Lfood
^
D03/02/2024
T-3.00
PBakery
Lfood
^
EOF
	check "qif imports (auto by extension)" ctl --user bob import \
	    "$T/bank.qif" --option date_format=MM/DD/YYYY
	like "two rows" "$(cat "$T/out")" "2 rows, 2 added"
	check "qif again" ctl --user bob import "$T/bank.qif" \
	    --option date_format=MM/DD/YYYY
	like "adds nothing" "$(cat "$T/out")" "0 added, 2 skipped"
fi

if have ofx; then
	cat >"$T/bank.ofx" <<'EOF'
OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:USASCII
CHARSET:1252
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE

<OFX>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<STMTRS><CURDEF>EUR<BANKACCTFROM><BANKID>1<ACCTID>42<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20240301<DTEND>20240331
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240305<TRNAMT>-7.25<FITID>A1<NAME>Cafe</STMTTRN>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240306<TRNAMT>-7.25<FITID>A2<NAME>Cafe</STMTTRN>
</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
EOF
	cp "$T/bank.ofx" "$T/statement.dat"
	check "ofx found by its content" ctl --user bob import \
	    "$T/statement.dat" --category food
	like "two rows" "$(cat "$T/out")" "2 added"
	check "ofx again by its extension" ctl --user bob import "$T/bank.ofx" \
	    --category food
	like "FITIDs skip both" "$(cat "$T/out")" "0 added, 2 skipped"
fi

for f in json ledger pdf; do
	have $f || continue
	check "$f export" ctl --user alice export --format $f -o "$T/out.$f"
	check "$f file written" test -s "$T/out.$f"
done
[ -f "$PLUGIN_DIR/pdf.so" ] && is "a PDF" "$(head -c 5 "$T/out.pdf")" "%PDF-"

check "spendd is alive" alive
done_testing
