#!/bin/sh
# timeout: 600
# A SIGKILL in the middle of a long catch-up (three daily rules from
# 2000: some 30,000 occurrences), then a restart: every occurrence is
# created exactly once, each with its change-log entry and its day total.
. "$(dirname "$0")/lib.sh"

db="$T/data/spend.db"
start_spendd || { not_ok "spendd starts"; done_testing; }
ctl user add alice >/dev/null
ctl user add bob >/dev/null
FROM=2000-01-01
TODAY=$(date -u +%F)
DAYS=$(( ($(date -u -d "$TODAY" +%s) - $(date -u -d "$FROM" +%s)) / 86400 + 1 ))
TOTAL=$((DAYS * 3))
sq() { sqlite3 -readonly "$db" "$1" 2>/dev/null; }
made() { sq "SELECT count(*) FROM expenses WHERE recurring_id IS NOT NULL"; }
# at least N created
at_least() { [ "$(made)" -ge "$1" ] 2>/dev/null; }
all_made() { [ "$(made)" = "$TOTAL" ]; }

ctl --user alice recurring add 1 food --every day --start "$FROM" >/dev/null
ctl --user alice recurring add 2.50 transport --every day --start "$FROM" --note bus >/dev/null
ctl --user bob recurring add 300 bills --currency JPY --every day --start "$FROM" >/dev/null
wait_for -t 120 "the catch-up to be under way" at_least 2000
kill -KILL "$SPENDD_PID"
wait "$SPENDD_PID" 2>/dev/null
SPENDD_PID=""
n=$(made)
check "killed in the middle of the catch-up ($n of $TOTAL)" test "$n" -gt 0 -a "$n" -lt "$TOTAL"
is "the database is whole after the kill" "$(sq 'PRAGMA integrity_check')" ok
is "... its foreign keys too" "$(sq 'PRAGMA foreign_key_check')" ""
# what was committed is whole: each expense with its rule's progress
is "each rule's progress matches what it created" \
    "$(sq "SELECT count(*) FROM recurring_rules r WHERE done_count != (SELECT count(*) FROM expenses e WHERE e.recurring_id = r.id)")" 0
rm -f "$SOCK"
start_spendd || { not_ok "spendd restarts"; done_testing; }
wait_for -t 300 "the catch-up to finish" all_made
is "after the restart every occurrence is there ($TOTAL)" "$(made)" "$TOTAL"
is "... none twice: one expense per (rule, date)" \
    "$(sq "SELECT count(*) FROM (SELECT recurring_id, occurrence FROM expenses WHERE recurring_id IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1)")" 0
is "... each rule from 2000-01-01 to today, every day" \
    "$(sq "SELECT group_concat(x, ' ') FROM (SELECT min(date) || '/' || max(date) || '/' || count(DISTINCT date) AS x FROM expenses WHERE recurring_id IS NOT NULL GROUP BY recurring_id ORDER BY recurring_id)")" \
    "$FROM/$TODAY/$DAYS $FROM/$TODAY/$DAYS $FROM/$TODAY/$DAYS"
is "... the date of each is its occurrence" "$(sq "SELECT count(*) FROM expenses WHERE recurring_id IS NOT NULL AND date != occurrence")" 0
is "... each logged once in the change log" \
    "$(sq "SELECT count(*) FROM changes WHERE entity = 'expense' AND op = 'create'")" "$TOTAL"
is "... and counted in the day totals" "$(sq "SELECT sum(count) FROM day_totals")" "$TOTAL"
is "alice's through the API" "$(ctl --user alice --json expense list --limit 1 | jget count)" $((DAYS * 2))
is "bob's in yen" "$(ctl --user bob --json expense list --limit 1 | jget -j , count sum.JPY)" "$DAYS,$((DAYS * 300))"
ctl --user alice --json recurring list >"$T/list.json"
is "the rules wait for tomorrow" "$(jget -j , items.*.next <"$T/list.json")" \
    "$(date -u -d tomorrow +%F),$(date -u -d tomorrow +%F)"
like "the log tells the catch-up" "$(cat "$T/spendd.log")" "expenses created"
done_testing
