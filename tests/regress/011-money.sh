#!/bin/sh
# Money is exact: decimal strings in, decimal strings out, sums to the cent
# (or the yen, or the fils), per currency.
. "$(dirname "$0")/lib.sh"

start_spendd || { not_ok "spendd starts"; done_testing; }
ctl user add alice --currency EUR >/dev/null
export SPEND_USER=alice

amount() { ctl --json expense add "$@" | jget -j' ' amount currency; }
sum() { ctl --json expense list "$@" | jget -s sum; }

is "0.10 is stored as 0.10" "$(amount 0.10 food --date 2026-01-01)" "0.10 EUR"
is "0.20 is stored as 0.20" "$(amount 0.20 food --date 2026-01-01)" "0.20 EUR"
is "0.10 + 0.20 is exactly 0.30" "$(sum --month 2026-01)" '{"EUR": "0.30"}'
check "list of January" ctl expense list --month 2026-01
like "the footer says 0.30 EUR" "$(cat "$T/out")" "sum 0.30 EUR"
is "--min 0.30 finds neither" "$(ctl --json expense list --month 2026-01 --min 0.30 | jget count)" 0
is "--max 0.10 finds 0.10 only" "$(ctl --json expense list --month 2026-01 --max 0.10 | jget count)" 1
is "--min 0.2 --max 0.20 finds 0.20" "$(ctl --json expense list --month 2026-01 --min 0.2 --max 0.20 | jget items.0.amount)" 0.20

# amounts a float would get wrong
for a in 4.35 0.29 1.15 2.675 8.675 1.005 ; do
	case $a in
	*.??) is "$a stays $a" "$(amount "$a" food --date 2026-02-01)" "$a EUR" ;;
	*) check_fails "$a has too many decimals for EUR" ctl expense add "$a" food ;;
	esac
done
i=0; while [ $i -lt 10 ]; do ctl expense add 0.10 other --date 2026-03-01 >/dev/null; i=$((i + 1)); done
is "ten times 0.10 is 1.00" "$(sum --month 2026-03)" '{"EUR": "1.00"}'
is "a refund: -0.05" "$(amount -0.05 food --date 2026-04-01)" "-0.05 EUR"
amount 0.05 food --date 2026-04-01 >/dev/null
is "0.05 - 0.05 is 0.00" "$(sum --month 2026-04)" '{"EUR": "0.00"}'

# zero-decimal and three-decimal currencies
is "1000 JPY" "$(amount 1000 food --currency JPY --date 2026-05-01)" "1000 JPY"
check_fails "1000.5 JPY is refused" ctl expense add 1000.5 food --currency JPY
like "JPY: the reason" "$(cat "$T/err")" "no decimals"
is "1.234 BHD" "$(amount 1.234 food --currency BHD --date 2026-05-01)" "1.234 BHD"
is "0.001 BHD" "$(amount 0.001 food --currency bhd --date 2026-05-01)" "0.001 BHD"
check_fails "1.2345 BHD is refused" ctl expense add 1.2345 food --currency BHD
like "BHD: the reason" "$(cat "$T/err")" "too many decimals"
is "5 BHD is 5.000" "$(amount 5 food --currency BHD --date 2026-05-01)" "5.000 BHD"
is "7 EUR is 7.00" "$(amount 7 food --date 2026-05-01)" "7.00 EUR"
is "sums stay per currency" "$(sum --month 2026-05)" \
	'{"BHD": "6.235", "EUR": "7.00", "JPY": "1000"}'
check "list with three currencies" ctl expense list --month 2026-05
like "footer lists every currency" "$(cat "$T/out")" "1000 JPY"
like "footer lists BHD with 3 decimals" "$(cat "$T/out")" "6.235 BHD"
is "--currency filters" "$(sum --month 2026-05 --currency JPY)" '{"JPY": "1000"}'

# big amounts: exact, and sums beyond one amount's limit stay exact
is "900000000000.01 EUR" "$(amount 900000000000.01 food --date 2026-06-01)" "900000000000.01 EUR"
amount 900000000000.02 food --date 2026-06-01 >/dev/null
is "their sum is exact" "$(sum --month 2026-06)" '{"EUR": "1800000000000.03"}'
check_fails "99999999999999999999 is refused" ctl expense add 99999999999999999999 food

# editing the currency re-checks the amount against its decimals
id=$(ctl --json expense add 1.50 food --date 2026-07-01 | jget id)
check_fails "1.50 EUR cannot become JPY" ctl expense edit "$id" --currency JPY
is "still 1.50 EUR" "$(ctl --json expense show "$id" | jget -j' ' amount currency)" "1.50 EUR"
check "1.50 EUR can become BHD" ctl expense edit "$id" --currency BHD
is "now 1.500 BHD" "$(ctl --json expense show "$id" | jget -j' ' amount currency)" "1.500 BHD"

done_testing
