#!/bin/sh
# Split expenses end to end: spendctl expense add/edit --split and
# --no-split, what list and show print, the refusal of parts that do not
# sum (the field and the difference), the same over REST (curl); a QIF
# file with split lines imported as splits, each part counted in its own
# category by budget.status and a report; delete takes the parts' totals.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

for p in qif reports; do
	[ -f "$PLUGIN_DIR/$p.so" ] || not_ok "$PLUGIN_DIR/$p.so is built"
done
start_spendd -o auth.registration=open || { not_ok "spendd starts"; done_testing; }
req POST /api/v1/auth/register '{"username":"root","password":"root-pass"}'
req POST /api/v1/auth/register '{"username":"alice","password":"alice-pass"}'
export SPEND_USER=alice
ctl category add household >/dev/null || not_ok "category household"
ctl category add garden >/dev/null || not_ok "category garden"

# ---- spendctl ----
out=$(ctl expense add 20 --date 2024-03-05 --payee Supermarket \
    --split food:12.00:bread --split household:8)
like "add --split: show prints the parts" "$out" \
    "split     food 12.00 (bread), household 8.00"
like "... and the whole's category is the first part's" "$out" \
    "category  food"
id=$(ctl --json expense list --search Supermarket | jget items.0.id)
is "the parts in the JSON" \
    "$(ctl --json expense show "$id" | jget -j, 'parts.*.category' 'parts.*.amount')" \
    "food,household,12.00,8.00"
ctl expense add 5 household --date 2024-03-06 --payee Shop >/dev/null ||
    not_ok "a plain expense"
ctl expense list --month 2024-03 >"$T/list"
is "list shows the split once" "$(grep -c Supermarket "$T/list")" 1
like "... and says it is split" "$(cat "$T/list")" \
    "split: food 12.00, household 8.00"
like "the sum counts the whole once" "$(tail -1 "$T/list")" \
    "2 expenses, sum 25.00 EUR"
is "a category filter finds the split by a part" \
    "$(ctl --json expense list --category household | jget count)" 2

check_fails "parts that do not sum are refused" ctl expense add 20 \
    --split food:12 --split household:7
like "... naming the part and the difference" "$(cat "$T/err")" \
    "parts[1].amount: the parts sum to 19.00, not the amount 20.00: 1.00 short"
check_fails "parts of both signs are refused" ctl expense add 10 \
    --split food:15 --split household:-5
like "... saying so" "$(cat "$T/err")" "not of the sign of the amount"
check_fails "an unknown category in a part is refused" ctl expense add 10 \
    --split food:5 --split nope:5
like "... naming the part" "$(cat "$T/err")" "parts[1].category"
check_fails "a split of one part is refused" ctl expense add 10 --split food:10
is "nothing refused was written" \
    "$(ctl --json expense list | jget count)" 2

out=$(ctl expense edit "$id" --amount 30 --split garden:10 --split household:20)
like "edit --split: new parts" "$out" "split     garden 10.00, household 20.00"
check_fails "edit --amount of a split without its parts is refused" \
    ctl expense edit "$id" --amount 31
like "... saying why" "$(cat "$T/err")" "is split"
out=$(ctl expense edit "$id" --no-split)
like "edit --no-split joins the parts" "$out" "category  garden"
case $out in *split*) not_ok "... and shows no parts" ;;
*) ok "... and shows no parts" ;; esac
ctl expense edit "$id" --split food:12 --split household:18 >/dev/null ||
    not_ok "split again"

# ---- REST ----
login alice alice-pass || not_ok "alice logs in"
# the events stream carries the parts of a split written
curl -s -N -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$HTTP_PORT/api/v1/events" >"$T/events" & EV=$!
wait_for "the events stream opens" nonempty "$T/events"
as "$TOKEN" POST /api/v1/expenses '{"amount":"9.00","date":"2024-03-07",
 "payee":"Garden centre","parts":[{"amount":"4.00","category":"garden",
 "note":"seeds"},{"amount":"5.00","category":"household"}]}'
expect "POST a split" 201
rid=$(jb id)
is "... returns its parts" "$(jb -j, 'parts.*.category' 'parts.*.note')" \
    "garden,household,seeds,"
wait_for "the write on the events stream" in_file '"note":"seeds"' "$T/events"
like "the event carries the parts" "$(cat "$T/events")" \
    '"parts":[{"amount":"4.00","category":"garden"'
kill "$EV" 2>/dev/null; wait "$EV" 2>/dev/null
as "$TOKEN" GET "/api/v1/expenses/$rid"
is "GET has the parts" "$(jb -j, 'parts.*.amount')" "4.00,5.00"
as "$TOKEN" POST /api/v1/expenses '{"amount":"9.00","parts":[
 {"amount":"4.00","category":"garden"},{"amount":"5.01","category":"food"}]}'
expect "POST parts that do not sum: 400" 400
is "... the field" "$(jb error.field)" "parts[1].amount"
like "... the difference" "$(jb error.message)" "0.01 over"
as "$TOKEN" PATCH "/api/v1/expenses/$rid" '{"parts":[]}'
expect "PATCH parts [] joins" 200
is "... no parts left" "$(jb 'parts.#')" 0
as "$TOKEN" PATCH "/api/v1/expenses/$rid" '{"parts":[
 {"amount":"4.00","category":"garden"},{"amount":"5.00","category":"household"}]}'
expect "PATCH new parts" 200
as "$TOKEN" GET "/api/v1/expenses?category=garden"
is "GET list by a part's category" "$(jb count)" 1

# ---- budgets and reports count each part in its category ----
ctl budget set food 100 --since 2024-01 >/dev/null || not_ok "budget food"
ctl budget set household 100 --since 2024-01 >/dev/null || not_ok "budget household"
ctl budget set garden 100 --since 2024-01 >/dev/null || not_ok "budget garden"
st=$(ctl --json budget status --month 2024-03)
is "budget.status: each part in its category" \
    "$(printf '%s' "$st" | jget -j, 'items[category=food].0.spent' \
    'items[category=household].0.spent' 'items[category=garden].0.spent')" \
    "12.00,28.00,4.00"
r=$(ctl --json report breakdown --month 2024-03)
is "report breakdown: each part in its category" \
    "$(printf '%s' "$r" | jget -j, 'items[label=food].0.amount' \
    'items[label=household].0.amount' 'items[label=garden].0.amount')" \
    "12.00,28.00,4.00"

# ---- a QIF file with splits ----
cat >"$T/split.qif" <<'EOF'
!Type:Bank
D04/02/2024
T-50.00
PHypermarket
L--Split--
Sfood
Egroceries
$-30.00
Shousehold
Ecleaning
$-15.00
Stools
$-5.00
^
D04/03/2024
T-7.50
PBakery
Lfood
^
EOF
check "import a QIF file with splits" ctl import "$T/split.qif" \
    --create-categories
like "... two expenses" "$(cat "$T/out")" "2 added"
q=$(ctl --json expense list --search Hypermarket)
is "the split's parts, from S E \$" \
    "$(printf '%s' "$q" | jget -j, 'items.0.parts.*.category' 'items.0.parts.*.amount')" \
    "food,household,tools,30.00,15.00,5.00"
is "E is a part's note" "$(printf '%s' "$q" | jget items.0.parts.1.note)" cleaning
like "the unknown split category was created (create_categories)" \
    "$(ctl category list)" tools
st=$(ctl --json budget status --month 2024-04)
is "budget.status counts the imported parts per category" \
    "$(printf '%s' "$st" | jget -j, 'items[category=food].0.spent' \
    'items[category=household].0.spent')" "37.50,15.00"
as "$TOKEN" GET "/api/v1/budgets/status?month=2024-04"
is "... over REST too" "$(jb 'items[category=food].0.spent')" "37.50"
r=$(ctl --json report breakdown --month 2024-04)
is "a report counts them per category" \
    "$(printf '%s' "$r" | jget -j, 'items[label=food].0.amount' \
    'items[label=household].0.amount' 'items[label=tools].0.amount')" \
    "37.50,15.00,5.00"
ctl export "$T/out.csv" --format csv --month 2024-04 >/dev/null ||
    not_ok "csv export"
is "the CSV export: a row per part" \
    "$(grep -c Hypermarket "$T/out.csv")" 3

# a file whose split does not add up is refused whole
cat >"$T/bad.qif" <<'EOF'
!Type:Bank
D04/05/2024
T-10.00
PFirst
Sfood
$-4.00
Shousehold
$-6.00
^
D04/06/2024
T-10.00
PSecond
Sfood
$-4.00
Shousehold
$-5.00
^
EOF
check_fails "a QIF split that does not add up is refused" ctl import \
    "$T/bad.qif"
like "... saying which part and by how much" "$(cat "$T/err")" "1.00 short"
is "... and nothing of the file was added" \
    "$(ctl --json expense list --search First | jget count)" 0
st=$(ctl --json budget status --month 2024-04)
is "... nor counted" "$(printf '%s' "$st" | jget 'items[category=food].0.spent')" \
    "37.50"

# ---- delete ----
hid=$(printf '%s' "$q" | jget items.0.id)
check "delete the split" ctl expense rm "$hid"
st=$(ctl --json budget status --month 2024-04)
is "its parts left the totals" \
    "$(printf '%s' "$st" | jget -j, 'items[category=food].0.spent' \
    'items[category=household].0.spent')" "7.50,0.00"

done_testing
