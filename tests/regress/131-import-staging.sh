#!/bin/sh
# timeout: 300
# A large import blocks no one and is all or nothing: it stages its rows
# in short transactions, hidden from every read, while another user's
# writes go on; a SIGKILL in the middle leaves nothing visible, the
# leftovers are removed after the restart, and the same import then
# succeeds whole. (100,000 generated rows here, enough for many batches
# and a kill in the middle; make soak runs the same with 1,000,000:
# tests/soak/030-import-1m.sh. ROWS=... to change.)
. "$(dirname "$0")/lib.sh"

ROWS=${ROWS:-100000}
start_spendd || { not_ok "spendd starts"; done_testing; }
ctl user add alice >/dev/null && ctl user add bob >/dev/null
python3 - "$T/big.csv" "$ROWS" <<'PY'
import sys
n = int(sys.argv[2])
with open(sys.argv[1], "w") as f:
    f.write("date,amount,category,payee,note\n")
    for i in range(n):
        f.write("2025-%02d-%02d,%d.%02d,food,shop %d,row %d\n"
                % (i % 12 + 1, i % 28 + 1, i % 500 + 1, i % 100, i % 97, i))
PY
db="$T/data/spend.db"
staged() { sqlite3 -readonly "$db" "SELECT last_id FROM imports WHERE state = 'staging'" 2>/dev/null; }
# at least N rows staged
staged_rows() { [ "$(sqlite3 -readonly "$db" "SELECT count(*) FROM expenses WHERE user_id = (SELECT id FROM users WHERE name = 'alice')" 2>/dev/null)" -ge "$1" ]; }
unstaged() { [ "$(sqlite3 -readonly "$db" "SELECT staging FROM users WHERE name = 'alice'")" = -1 ]; }
count() { ctl --user "$1" --json expense list --limit 1 | jget count; }

ctl --user alice import "$T/big.csv" >"$T/import1.out" 2>&1 &
imp=$!
wait_for -t 120 "the first batches of the import" staged_rows $((ROWS / 20))
check "the import is staging rows" test -n "$(staged)"
n=$(sqlite3 -readonly "$db" "SELECT count(*) FROM expenses WHERE user_id = (SELECT id FROM users WHERE name = 'alice')")
[ "$n" -gt 0 ] && ok "batches are committed ($n rows staged so far)" || not_ok "batches are committed ($n rows)"
is "... and none of them is visible" "$(count alice)" 0
is "... in no total either" "$(ctl --user alice --json expense list --month 2025-03 | jget sum)" "{}"
good=0
for k in 1 2 3 4 5; do
	ctl --user bob expense add "$k.00" food --note "bob $k" >/dev/null && good=$((good + 1))
done
is "bob's five writes succeed meanwhile" "$good" 5
check "the import is still running" kill -0 "$imp"
kill -KILL "$SPENDD_PID"
wait "$SPENDD_PID" 2>/dev/null
wait "$imp" 2>/dev/null
SPENDD_PID=""
is "the database is whole after the kill" "$(sqlite3 -readonly "$db" 'PRAGMA integrity_check')" ok
is "... its foreign keys too" "$(sqlite3 -readonly "$db" 'PRAGMA foreign_key_check')" ""
rm -f "$SOCK"
start_spendd || { not_ok "spendd restarts"; done_testing; }
is "after the restart nothing of the import is visible" "$(count alice)" 0
is "bob's writes are all there" "$(count bob)" 5
wait_for -t 120 "the leftovers to be removed" unstaged
is "the leftovers are removed after the restart" "$(sqlite3 -readonly "$db" "SELECT count(*) FROM expenses WHERE user_id = (SELECT id FROM users WHERE name = 'alice')")" 0
like "... and the log says so" "$(cat "$T/spendd.log")" "undid 1 import a stop cut short"
check "the same import then succeeds" ctl --user alice import "$T/big.csv"
like "... adding every row" "$(cat "$T/out")" "$ROWS added"
is "... all visible" "$(count alice)" "$ROWS"
is "the database is whole" "$(sqlite3 -readonly "$db" 'PRAGMA integrity_check')" ok
done_testing
