#!/bin/sh
# The PDF statement of a period (export --format statement): its text
# through pdftotext (converted totals, the comparisons, the categories,
# what has no rate, the expenses) and its first page through pdftoppm:
# the pie's slices in the chart palette's colours, each about as large as
# its share, and no colour for a sixth category that has none.
. "$(dirname "$0")/lib.sh"

if [ ! -f "$PLUGIN_DIR/statement.so" ]; then
	not_ok "no $PLUGIN_DIR/statement.so: build the plugins first"
	done_testing
fi
for tool in pdftotext pdftoppm python3; do
	if ! command -v $tool >/dev/null; then
		ok "# SKIP no $tool"
		done_testing
	fi
done
start_spendd $CHEAP || { not_ok "spendd starts"; done_testing; }
ctl user add alice >/dev/null
ctl rate set USD 1.10 --date 2024-03-01 >/dev/null
ctl rate set JPY 160 --date 2024-03-04 >/dev/null
add() { ctl --user alice expense add "$1" "$2" --date "$3" ${4:+--currency "$4"} ${5:+--payee "$5"} >/dev/null; }
add 12.50 food 2024-03-03 "" Acme
add 10 food 2024-03-03 USD acme		# 9.09 EUR at the 1st's rate
add 1000 travel 2024-03-05 JPY Café	# 6.25 EUR
add 500 travel 2024-03-02 JPY		# before JPY's first rate
add 3 transport 2024-02-10
add 7 food 2023-03-10
add 4.20 bills 2024-03-20 "" Power
add 30 shopping 2024-03-12 "" Shop
add 8 health 2024-03-25 "" Pharma

check "a statement of March" ctl --user alice export --format statement --month 2024-03 "$T/march.pdf"
like "... says what it wrote" "$(cat "$T/out")" "7 rows (statement"
pdftotext -layout "$T/march.pdf" "$T/march.txt" 2>/dev/null
txt=$(tr -s ' ' <"$T/march.txt")
like "the total in EUR, converted" "$txt" "Total 70.04 EUR · 6 expenses · 2.26 EUR a day"
like "against February" "$txt" "Period before (2024-02-01 – 2024-02-29): 3.00 EUR, change +2234.67 %"
like "against March a year before" "$txt" "A year before (2023-03-01 – 2023-03-31): 7.00 EUR, change +900.57 %"
like "the categories, with shares" "$txt" "shopping 1 30.00 EUR 42.83 %"
like "... USD converted into food" "$txt" "food 2 21.59 EUR 30.83 %"
like "... a category of the period before" "$txt" "transport 0 0.00 EUR – 3.00 EUR -100.00 %"
like "what has no rate is listed, not guessed" "$txt" "Not converted (no rate), not in the totals: 500 JPY in 1 expense"
like "the days on an earlier rate" "$txt" "Converted at an earlier rate: 2 days (USD 2024-03-03 at 2024-03-01, JPY 2024-03-05 at 2024-03-04)"
like "every expense, in its own currency" "$txt" "2024-03-05 travel Café 1000 JPY"
like "page numbers" "$txt" "Page 2 of 2"

# the pie: shopping 42.8 %, food 30.8 %, health 11.4 %, travel 8.9 %,
# bills 6.0 % in palette colours 0..4; colour 5 is nobody's
pdftoppm -r 50 -f 1 -l 1 "$T/march.pdf" "$T/page" 2>/dev/null
python3 - "$T"/page*.ppm >"$T/pixels" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
# P6 width height maxval, then RGB bytes
parts = data.split(maxsplit=4)
assert parts[0] == b"P6", parts[0]
pix = parts[4]
palette = [0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f, 0xedc948]
count = [0] * len(palette)
for i in range(0, len(pix) - 2, 3):
    r, g, b = pix[i], pix[i + 1], pix[i + 2]
    for k, c in enumerate(palette):
        if abs(r - (c >> 16)) <= 6 and abs(g - (c >> 8 & 255)) <= 6 and \
                abs(b - (c & 255)) <= 6:
            count[k] += 1
            break
print(" ".join(str(c) for c in count))
PY
set -- $(cat "$T/pixels")
echo "# pixels of palette colours 0..5: $*"
[ "$1" -gt "$2" ] && [ "$2" -gt "$3" ] && [ "$3" -gt "$4" ] && [ "$4" -gt "$5" ] &&
    ok "the slices are as large as their shares, in order" ||
    not_ok "the slices are as large as their shares, in order ($*)"
# 42.8 / 6.0 = 7.1; the legend's swatches are all alike
[ "$1" -gt $(($5 * 4)) ] && ok "shopping's slice is over 4 times bills'" ||
    not_ok "shopping's slice is over 4 times bills' ($1 vs $5)"
is "no sixth colour" "$6" 0

check_fails "a statement needs a period" ctl --user alice export --format statement "$T/all.pdf"
like "... and says so" "$(cat "$T/err")" "give a period"
[ ! -e "$T/all.pdf" ] && ok "... leaving no file" || not_ok "... leaving no file"
check "a statement of a longer range is drawn by month" ctl --user alice export --format statement \
    --from 2023-01-01 --to 2024-06-30 "$T/long.pdf"
pdftotext -layout "$T/long.pdf" - 2>/dev/null | tr -s ' ' >"$T/long.txt"
like "... Spending by month" "$(cat "$T/long.txt")" "Spending by month"
like "... against the same dates a year before" "$(cat "$T/long.txt")" "A year before (2022-01-01 – 2023-06-30)"
done_testing
