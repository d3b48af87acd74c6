#!/bin/sh
# Users are islands: a second user sees none of the first user's
# expenses, categories, cursors or idempotency keys, and cannot touch them.
. "$(dirname "$0")/lib.sh"

start_spendd || { not_ok "spendd starts"; done_testing; }
check "add alice" ctl user add alice
check "add bob" ctl user add bob --currency USD
A() { ctl --user alice "$@"; }
B() { ctl --user bob "$@"; }

id1=$(A --json expense add 10.00 food --date 2026-02-01 --note "alice secret" | jget id)
id2=$(A --json expense add 20.00 food --date 2026-02-02 | jget id)
A expense add 30.00 transport --date 2026-02-03 >/dev/null
cat=$(A --json category add hidden-hobby | jget id)
A expense add 5.00 hidden-hobby --date 2026-02-04 >/dev/null

snapshot() { A --json expense list --all; A --json category list --archived; }
before=$(snapshot)

is "bob's list is empty" "$(B --json expense list | jget count)" 0
is "bob's sum is empty" "$(B --json expense list | jget sum)" "{}"
is "bob's search finds nothing of alice's" \
	"$(B --json expense list --search secret | jget count)" 0
check "bob has his own defaults" B category list
case $(cat "$T/out") in *hidden-hobby*) not_ok "bob sees alice's category" ;;
	*) ok "bob does not see alice's category" ;; esac
check_fails "bob cannot show alice's expense" B expense show "$id1"
like "... it is simply not found" "$(cat "$T/err")" "no such expense $id1"
check_fails "bob cannot edit alice's expense" B expense edit "$id1" --amount 1.00
like "... not found" "$(cat "$T/err")" "no such expense $id1"
check_fails "bob cannot edit with alice's version either" B expense edit "$id2" --note x --version 1
check_fails "bob cannot delete alice's expense" B expense rm "$id1"
like "... not found" "$(cat "$T/err")" "no such expense $id1"
check_fails "bob cannot use alice's category by name" B expense add 1 hidden-hobby
check_fails "bob cannot use alice's category by id" B expense add 1 "$cat"
check_fails "bob cannot filter by alice's category" B expense list --category "$cat"
check_fails "bob cannot rename alice's category" B category rename "$cat" mine
check_fails "bob cannot archive alice's category" B category archive "$cat"
check_fails "bob cannot delete alice's category" B category delete "$cat"
check_fails "bob cannot show alice's category" B category show "$cat"
check "bob may have a category of the same name as alice's" B category add hidden-hobby
check "bob adds his own expense" B expense add 7.00 food --date 2026-02-05

# alice's cursor in bob's hands pages through bob's rows only
cur=$(A --json expense list --limit 1 | jget next_cursor)
is "alice's cursor gives bob only his own rows" \
	"$(B --json expense list --cursor "$cur" | jget count)" 1
ids=$(B --json expense list --all | jget -j' ' 'items.*.id')
case " $ids " in *" $id1 "*|*" $id2 "*) not_ok "bob's list holds alice's ids" ;;
	*) ok "bob's list holds none of alice's ids" ;; esac

# idempotency keys are per user
ra=$(ctl call expense.add '{"user": "alice", "amount": "1.00", "category": "food", "date": "2026-02-06", "idempotency_key": "k1"}' | jget id)
rb=$(ctl call expense.add '{"user": "bob", "amount": "2.00", "category": "food", "date": "2026-02-06", "idempotency_key": "k1"}' | jget id)
[ -n "$ra" ] && [ -n "$rb" ] && [ "$ra" != "$rb" ] &&
	ok "the same idempotency key works for two users" ||
	not_ok "the same idempotency key works for two users ($ra, $rb)"
ra2=$(ctl call expense.add '{"user": "alice", "amount": "1.00", "category": "food", "date": "2026-02-06", "idempotency_key": "k1"}' | jget id)
is "a retry of alice's request replays her reply" "$ra2" "$ra"
ctl --user alice expense rm "$ra" >/dev/null

after=$(snapshot)
[ "$before" = "$after" ] && ok "alice's data is untouched" || not_ok "alice's data is untouched"

# removing a user removes their data; the name can be reused from scratch
check "user rm bob" ctl user rm bob
check "add bob again" ctl user add bob
is "the new bob starts empty" "$(B --json expense list | jget count)" 0
check_fails "the new bob has no old category" B category show "$cat"
is "alice still has her 4 expenses" "$(A --json expense list | jget count)" 4
done_testing
