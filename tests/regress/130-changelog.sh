#!/bin/sh
# The change log: every write of a user's data gets the next number of
# that user's sequence, in commit order, with entity, id, operation and
# version; a failed write adds nothing; another user's writes do not
# touch the sequence. (change.list, GET /api/v1/changelog)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

start_spendd $CHEAP -o auth.registration=open || { not_ok "spendd starts"; done_testing; }
ctl user add alice >/dev/null && ctl user add bob >/dev/null
export SPEND_USER=alice
# the changes after seq: seqs, entities, ids, ops, versions (a line each)
log_after() {
	ctl call change.list "{\"since\":$1}" >"$T/log.json"
	for f in seq entity id op version; do jget -j ' ' "items.*.$f" <"$T/log.json"; done
}
last() { ctl call change.list '{"limit":1}' | jget last; }
base=$(last)
is "a new user's log: the user, its 8 default categories, uncategorised" \
    "$base" 10
a=$(ctl --json expense add 12.50 food --date 2026-01-02 | jget id)
b=$(ctl --json expense add 3 transport --date 2026-01-03 | jget id)
ctl expense edit "$a" --amount 13.00 --version 1 >/dev/null
check_fails "a stale edit is refused" ctl expense edit "$a" --amount 14 --version 1
check_fails "an edit to nonsense is refused" ctl expense edit "$b" --amount 1.005
c=$(ctl --json category add snacks | jget id)
ctl category rename snacks treats >/dev/null
ctl expense rm "$b" >/dev/null
check_fails "a category in use is not deleted without move_to" ctl category delete food
ctl --user bob expense add 1 food >/dev/null
is "the log, in order, failed writes leaving no trace" "$(log_after "$base")" "11 12 13 14 15 16
expense expense expense category category expense
$a $b $a $c $c $b
create create update create update delete
1 1 2 1 2 2"
is "bob's write is in bob's sequence" "$(ctl --user bob call change.list '{"since":10}' | jget items.#)" 1
is "paging: limit and since" "$(ctl call change.list "{\"since\":$((base + 2)),\"limit\":2}" | jget -j , items.*.seq)" "13,14"
# an import is one change; over HTTP the same log
printf 'date,amount,category,note\n2026-02-01,5.00,food,a\n2026-02-02,6.00,food,b\n' >"$T/two.csv"
ctl import "$T/two.csv" >/dev/null
is "an import is logged once, when it is published" "$(log_after 16)" "17
import
1
create
1"
req POST /api/v1/auth/register '{"username":"carol","password":"carol-pass"}'
login carol carol-pass
as "$TOKEN" GET '/api/v1/changelog?since=0&limit=3'
expect "GET /api/v1/changelog" 200
is "... carol's own log" "$(jb -j , items.*.entity)" 'user,category,category'
done_testing
