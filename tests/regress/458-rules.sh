#!/bin/sh
# Rules and the uncategorised category end to end: 10 rules, then a
# 500-row bank CSV without a category column (made here, the same every
# run) imported through spendctl; the test prints and checks how many rows
# the rules categorised. An OFX statement imported without --category
# lands uncategorised, and rule apply then categorises it; a category set
# by hand survives rule apply; expense edit suggests a rule; the REST
# routes; errors say what and where.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

D=$TOP/tests/data
for p in csv ofx; do
	[ -f "$PLUGIN_DIR/$p.so" ] ||
	    not_ok "$PLUGIN_DIR/$p.so is built (make builds every plugin)"
done
start_spendd -o auth.registration=open || { not_ok "spendd starts"; done_testing; }
req POST /api/v1/auth/register '{"username":"alice","password":"alice-pass"}'
expect "alice registers" 201
ctl user add bob --currency EUR >/dev/null || not_ok "user bob"

count() {	# count USER [FILTER-JSON-MEMBERS]
	rpc expense.list "{\"user\":\"$1\",\"limit\":1${2:+,$2}}" |
	    jget result.count
}

# ---- the uncategorised category ----
is "a new user has uncategorised" "$(ctl --user alice --json category list |
    jget 'items[name=uncategorised].0.uncategorised')" true
check_fails "uncategorised cannot be deleted" ctl --user alice category \
    delete uncategorised
like "... and says why" "$(cat "$T/err")" "cannot be deleted"
check "an add without a category" ctl --user alice --json expense add 3.20 \
    --payee "Kiosk"
is "... lands uncategorised" "$(jget category <"$T/out")" uncategorised
is "... chosen automatically" "$(jget category_auto <"$T/out")" true
check "archiving uncategorised hides it from pickers" ctl --user alice \
    category archive uncategorised
check "... and rows still go there" ctl --user alice --json expense add 1.10 \
    --payee "Kiosk"
is "... still uncategorised" "$(jget category <"$T/out")" uncategorised
ctl --user alice category unarchive uncategorised >/dev/null

# ---- errors say what and where ----
check_fails "a rule with an unknown category" ctl --user alice rule add \
    --payee-contains x --category nosuch
like "... names the category" "$(cat "$T/err")" 'no such category "nosuch"'
check_fails "a bad glob" ctl --user alice rule add --payee-glob '[abc' \
    --category food
like "... says where" "$(cat "$T/err")" 'payee_glob "[abc": the [ at byte 1 is never closed'
check_fails "a rule without a condition" ctl --user alice rule add \
    --category food
like "... says so" "$(cat "$T/err")" "needs a condition"
check_fails "a rule without an action" ctl --user alice rule add \
    --payee-contains x
like "... says so" "$(cat "$T/err")" "needs an action"
check_fails "two payee conditions" ctl --user alice rule add \
    --payee-contains x --payee-equals y --category food
like "... names both" "$(cat "$T/err")" "payee_equals"
check_fails "amount_max below amount_min" ctl --user alice rule add \
    --amount-min 10 --amount-max 5 --category food
like "... says which" "$(cat "$T/err")" "amount_max"

# ---- 10 rules ----
n=0
addrule() {
	if ctl --user alice rule add "$@" >"$T/out" 2>"$T/err"; then
		n=$((n + 1))
	else
		not_ok "rule add $*"; sed 's/^/#   /' "$T/err"
	fi
}
addrule --payee-contains cafe --category food --tag coffee
addrule --payee-contains amzn --category shopping --rename Amazon
addrule --payee-glob 'uber*' --category transport
addrule --payee-contains edeka --category food --tag groceries
addrule --payee-contains netflix --category entertainment --tag subscription
addrule --payee-contains shell --category transport --tag fuel
addrule --payee-equals 'Stadtwerke München' --category bills
addrule --payee-contains apotheke --category health
addrule --payee-contains 'db vertrieb' --category travel
addrule --amount-min 900 --tag large
is "10 rules added" "$n" 10
is "rule list shows them in order" "$(ctl --user alice --json rule list |
    jget -j, 'items.*.position')" "1,2,3,4,5,6,7,8,9,10"
like "rule list prints conditions and actions" \
    "$(ctl --user alice rule list)" 'payee contains "cafe"'

check "rule test, accents and case" ctl --user alice rule test "CAFÉ DE FLORE"
like "... categorised food" "$(cat "$T/out")" "category  food (rule 1)"
like "... tagged" "$(cat "$T/out")" "tags      coffee"
check "rule test, a glob" ctl --user alice --json rule test "Uber BV"
is "... transport" "$(jget category <"$T/out")" transport
check "rule test, no match" ctl --user alice rule test "Post"
like "... uncategorised" "$(cat "$T/out")" "no rule matches: uncategorised"
check "rule test, tags accumulate" ctl --user alice --json rule test \
    "cafe" --amount 950
is "... from two rules" "$(jget -j, 'tags.*' <"$T/out")" "coffee,large"

# ---- the payoff: a 500-row bank CSV without categories ----
# 25 payees in turn, 17 of which some rule matches (340 rows).
awk 'BEGIN {
	split("CAFÉ DU COIN|Cafe Central|AMZN Mktp DE*2K4L|AMZN MKTP DE*9XZ1|" \
	    "UBER *TRIP|Uber Eats|EDEKA Markt 123|edeka center|NETFLIX.COM|" \
	    "Shell 0815|SHELL Tankstelle|Stadtwerke München|" \
	    "STADTWERKE MUENCHEN|Apotheke am Markt|DB Vertrieb GmbH|" \
	    "Bäckerei Müller|Kiosk|Paypal *ebay|REWE Markt|Lidl|café de flore|" \
	    "Amzn Prime|DM Drogerie|Uber BV|Post", p, "|")
	print "date,amount,payee,note"
	for (i = 0; i < 500; i++) {
		m = (i * 7919) % 99900 + 100
		printf "2024-%02d-%02d,%d.%02d,%s,row %d\n", i % 12 + 1,
		    i % 28 + 1, m / 100, m % 100, p[i % 25 + 1], i
	}
}' >"$T/bank.csv"
is "the CSV has 500 rows" "$(($(wc -l <"$T/bank.csv") - 1))" 500
check "the import without --category" ctl --user alice --json import \
    "$T/bank.csv"
added=$(jget added <"$T/out")
ruled=$(jget by_rules <"$T/out")
echo "# payoff: $ruled of $added rows categorised by 10 rules"
is "500 rows added" "$added" 500
is "340 of 500 categorised by the rules" "$ruled" 340
is "160 left uncategorised" "$(jget uncategorised <"$T/out")" 160
is "expense.list agrees: 160 uncategorised (and the 2 kiosk adds)" \
    "$(count alice '"category":"uncategorised"')" 162
is "the rename applied" "$(count alice '"search":"Amazon"')" 60
is "no AMZN payee left" "$(count alice '"search":"amzn mktp"')" 0
is "tags from rules" "$(count alice '"tag":"coffee"')" 60
large=$(awk -F, 'NR > 1 && $2 >= 900' "$T/bank.csv" | wc -l)
isnt "some rows of 900 or more" "$large" 0
is "large amounts tagged, whatever the category" \
    "$(count alice '"tag":"large"')" "$large"
is "equals folds case and accents, not ü into ue" \
    "$(count alice '"category":"bills"')" 20
printf 'date,amount,payee\n2024-07-01,4.00,Cafe Neu\n2024-07-02,5.00,Nowhere\n' \
    >"$T/two.csv"
check "a dry run through spendctl" ctl --user alice import "$T/two.csv" \
    --dry-run
like "... says how many the rules did" "$(cat "$T/out")" \
    "rows without a category: 1 categorised by rules, 1 uncategorised"

check "a new rule that renames" ctl --user alice rule add \
    --payee-contains "cafe central" --rename "Café Central"
check "the same file again" ctl --user alice import "$T/bank.csv" --dry-run
like "... is the same rows, whatever the rules did to them" "$(cat "$T/out")" \
    "500 rows, 0 new, 500 skipped (500 duplicate)"

# uncategorised spending shows plainly in lists, budgets and reports
like "expense list --category uncategorised" "$(ctl --user alice expense list \
    --category uncategorised --month 2024-01)" "uncategorised"
like "the breakdown report shows it" "$(ctl --user alice report breakdown \
    --year 2024)" "uncategorised"
check "a budget on uncategorised" ctl --user alice budget set uncategorised 100 \
    --since 2024-01
like "... its status" "$(ctl --user alice budget status --month 2024-01)" \
    "uncategorised"

# ---- --category still forces a category ----
printf 'date,amount,payee\n2024-06-01,5.00,Cafe Forced\n' >"$T/forced.csv"
check "import --category" ctl --user alice --json import "$T/forced.csv" \
    --category health
is "... the rules do not choose" "$(rpc expense.list \
    '{"user":"alice","search":"Cafe Forced"}' | jget result.items.0.category)" \
    health

# ---- OFX without --category, then rules, then rule apply ----
check "OFX without --category" ctl --user bob --json import \
    "$D/statement-2x.ofx"
is "... 3 rows added" "$(jget added <"$T/out")" 3
is "... all uncategorised" "$(count bob '"category":"uncategorised"')" 3
check "bob's rules" ctl --user bob rule add --payee-contains flore \
    --category food --tag coffee
check "..." ctl --user bob rule add --payee-equals ratp \
    --category transport
id_flore=$(rpc expense.list '{"user":"bob","search":"flore"}' |
    jget result.items.0.id)
id_af=$(rpc expense.list '{"user":"bob","search":"air france"}' |
    jget result.items.0.id)
check "a hand-set category" ctl --user bob expense edit "$id_af" \
    --category travel
like "... a payee without a rule: the rule is suggested" "$(cat "$T/out")" \
    "spendctl rule add --payee-contains 'Air France' --category 'travel'"
check "a hand-set category on a payee a rule matches" ctl --user bob \
    --json expense edit "$id_flore" --category shopping
is "... no suggestion" "$(jget 'suggested_rule?none' <"$T/out")" none
check "rule apply --dry-run" ctl --user bob rule apply --dry-run
like "... shows the change" "$(cat "$T/out")" "RATP"
like "... changes nothing" "$(cat "$T/out")" "1 expense would change"
is "... still uncategorised" "$(count bob '"category":"uncategorised"')" 1
check "rule apply" ctl --user bob --json rule apply --from 2024-02-01 \
    --to 2024-02-29
is "... changed one" "$(jget changed <"$T/out")" 1
is "... none left uncategorised" "$(count bob '"category":"uncategorised"')" 0
is "... the hand-set category survives" "$(rpc expense.get \
    "{\"user\":\"bob\",\"id\":$id_flore}" | jget result.category)" shopping
is "... so does the other" "$(rpc expense.get \
    "{\"user\":\"bob\",\"id\":$id_af}" | jget result.category)" travel
is "apply again changes nothing" "$(ctl --user bob --json rule apply |
    jget changed)" 0
is "rule changes are in the change log" "$(rpc change.list \
    '{"user":"bob","limit":1000}' | jget -j, 'result.items[entity=rule].*.op')" \
    "create,create"

check "a rule on a category archived since" ctl --user bob rule add \
    --payee-contains zalando --category health
ctl --user bob category archive health >/dev/null
like "... is listed as setting no category" "$(ctl --user bob rule list)" \
    "health (deleted or archived: not set)"
is "... and sets none" "$(ctl --user bob --json rule test Zalando |
    jget uncategorised)" true
ctl --user bob category unarchive health >/dev/null
is "... until it is back" "$(ctl --user bob --json rule test Zalando |
    jget category)" health

# ---- REST ----
login alice alice-pass
A=$TOKEN
as "$A" GET /api/v1/rules
expect "GET /api/v1/rules" 200
is "... 11 rules" "$(jb count)" 11
as "$A" POST /api/v1/rules '{"note_contains":"refund","category":"other"}'
expect "POST /api/v1/rules" 201
rid=$(jb id)
is "... after the last" "$(jb position)" 12
as "$A" POST /api/v1/rules/test '{"payee":"x","note":"A REFUND"}'
expect "POST /api/v1/rules/test" 200
is "... the note rule" "$(jb category)" other
as "$A" POST /api/v1/rules '{"payee_glob":"[x","category":"other"}'
expect "a bad glob is 400" 400
is "... the field" "$(jb error.field)" payee_glob
as "$A" POST /api/v1/rules/apply '{"dry_run":true}'
expect "POST /api/v1/rules/apply" 200
is "... a dry run" "$(jb dry_run)" true
as "$A" DELETE "/api/v1/rules/$rid"
expect "DELETE /api/v1/rules/{id}" 200
as "$A" DELETE "/api/v1/rules/$rid"
expect "... then it is gone" 404
uid=$(ctl --user alice --json category list |
    jget 'items[name=uncategorised].0.id')
as "$A" DELETE "/api/v1/categories/$uid"
expect "DELETE of uncategorised is refused" 400

done_testing
