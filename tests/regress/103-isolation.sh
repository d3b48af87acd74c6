#!/bin/sh
# Over HTTP a user sees only their own data: every expense and category
# route tried by bob with alice's ids is 404 and never shows her data,
# and nothing of hers changes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

start_spendd -o auth.registration=open || { not_ok "spendd starts"; done_testing; }
req POST /api/v1/auth/register '{"username":"alice","password":"alice-pass"}'
expect "alice registers" 201
req POST /api/v1/auth/register '{"username":"bob","password":"bob-pass-1","currency":"USD"}'
expect "bob registers (registration = open)" 201
is "... as a user" "$(jb role)" user
login alice alice-pass; A=$TOKEN
login bob bob-pass-1; B=$TOKEN

as "$A" POST /api/v1/categories '{"name":"alice-hobby"}'
expect "alice adds a category" 201
cat=$(jb id)
as "$A" POST /api/v1/expenses '{"amount":"42.00","category":"alice-hobby","note":"ALICE-SECRET"}'
expect "alice adds an expense" 201
exp=$(jb id)
food=$(as "$A" GET /api/v1/categories; jb 'items[name=food].0.id')
snapshot() { as "$A" GET /api/v1/expenses; echo "$BODY"; as "$A" GET /api/v1/categories?archived=true; echo "$BODY"; }
before=$(snapshot)

try() { # description method path [json]
	d=$1; shift
	as "$B" "$@"
	expect "bob: $d -> 404" 404
	case $BODY in *ALICE-SECRET*|*alice-hobby*) not_ok "... shows alice's data: $BODY" ;; esac
}
try "GET expense" GET "/api/v1/expenses/$exp"
try "PATCH expense" PATCH "/api/v1/expenses/$exp" '{"note":"mine"}'
try "PUT expense" PUT "/api/v1/expenses/$exp" '{"amount":"1.00"}'
try "PATCH expense with If-Match" PATCH "/api/v1/expenses/$exp" '{"note":"x"}' -H 'If-Match: "1"'
try "DELETE expense" DELETE "/api/v1/expenses/$exp"
try "DELETE expense with a version" DELETE "/api/v1/expenses/$exp?version=1"
try "GET category" GET "/api/v1/categories/$cat"
try "PATCH category" PATCH "/api/v1/categories/$cat" '{"new_name":"mine"}'
try "PUT category" PUT "/api/v1/categories/$cat" '{"archived":true}'
try "archive category" POST "/api/v1/categories/$cat/archive"
try "unarchive category" POST "/api/v1/categories/$cat/unarchive"
try "DELETE category" DELETE "/api/v1/categories/$cat"
try "add an expense in her category" POST /api/v1/expenses "{\"amount\":\"1.00\",\"category\":$cat}"
try "list by her category" GET "/api/v1/expenses?category=$cat"
try "move his category's expenses to hers" DELETE "/api/v1/categories/$food?move_to=$cat"
as "$B" GET /api/v1/categories/alice-hobby
expect "a category by name in the URL: 400 (ids only)" 400
case $BODY in *'"id":'*) not_ok "... shows a category" ;; esac
as "$B" GET /api/v1/expenses
expect "bob's list" 200
is "... is empty" "$(jb count)" 0
as "$B" GET /api/v1/expenses?search=ALICE
is "... search finds nothing of hers" "$(jb count)" 0
as "$B" GET /api/v1/categories
case $BODY in *alice-hobby*) not_ok "bob does not see her categories" ;;
*) ok "bob does not see her categories" ;; esac
as "$B" GET /api/v1/expenses?user=alice
expect "bob cannot act for alice" 403
as "$B" POST /rpc '{"jsonrpc":"2.0","id":1,"method":"expense.get","params":{"id":'"$exp"'}}'
like "/rpc too: not found" "$BODY" '"type":"not_found"'
after=$(snapshot)
is "nothing of alice's changed" "$after" "$before"
done_testing
