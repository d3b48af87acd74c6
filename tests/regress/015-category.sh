#!/bin/sh
# Categories: delete refused while used and allowed with --move-to, renames
# show through expenses, archive keeps old expenses, names case-insensitive.
. "$(dirname "$0")/lib.sh"

start_spendd || { not_ok "spendd starts"; done_testing; }
ctl user add alice >/dev/null
export SPEND_USER=alice
count() { ctl --json expense list "$@" | jget count; }

e1=$(ctl --json expense add 4.00 food --date 2026-01-01 | jget id)
ctl expense add 6.00 food --date 2026-01-02 >/dev/null
ctl expense add 1.00 other --date 2026-01-03 >/dev/null
before=$(ctl --json expense list --all)

check_fails "delete of a used category is refused" ctl category delete food
like "... saying how many use it" "$(cat "$T/err")" 'category "food" is used by 2 expenses'
is "... and nothing changed" "$(ctl --json expense list --all)" "$before"
check_fails "delete --move-to itself is refused" ctl category delete food --move-to food
check "delete --move-to other" ctl category delete food --move-to other
like "... says where they went" "$(cat "$T/out")" "moved to other"
is "the expense now reads other" "$(ctl --json expense show "$e1" | jget category)" other
is "other holds all three" "$(count --category other)" 3
is "other counts them" "$(ctl --json category show other | jget expenses)" 3
check_fails "food is gone" ctl category show food
check "delete of an unused category" ctl category delete health
check "a deleted name can be used again" ctl category add food
is "the new food is empty" "$(count --category food)" 0

check "rename other to misc" ctl category rename other misc
is "expenses show the new name" "$(ctl --json expense show "$e1" | jget category)" misc
is "filter by the new name" "$(count --category misc)" 3
check_fails "rename with a stale version" ctl category rename misc stuff --version 99
is "names are case-insensitive" "$(ctl --json expense add 2.00 MISC --date 2026-01-04 | jget category)" misc
check "category by id" ctl category show "$(ctl --json category show misc | jget id)"

check "archive misc" ctl category archive misc
is "old expenses keep an archived category" "$(count --category misc)" 4
check "editing another field of such an expense still works" ctl expense edit "$e1" --note "still here"
check_fails "but no new expense goes there" ctl expense add 1 misc
check_fails "nor does an edit move one there" ctl expense edit "$(ctl --json expense add 1 food | jget id)" --category misc
check "unarchive misc" ctl category unarchive misc
check "now it takes new expenses" ctl expense add 1 misc --date 2026-01-05
done_testing
