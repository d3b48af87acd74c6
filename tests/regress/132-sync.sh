#!/bin/sh
# Sync: sync.pull returns the latest state of each changed entity after a
# device's number (tombstones for deletes, an import's expenses paged),
# a device offline across thousands of changes catches up in pages to
# exactly what expense.list shows, the event stream numbers its events by
# the change log and replays what a returning client missed
# (Last-Event-ID), and after compaction a device behind the floor is told
# to resync. (sync.pull, GET /api/v1/changes, GET /api/v1/events)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

start_spendd -o auth.registration=open || { not_ok "spendd starts"; done_testing; }
req POST /api/v1/auth/register '{"username":"alice","password":"alice-pass"}'
expect "alice registers" 201
login alice alice-pass
export SPEND_USER=alice
pull() { ctl call sync.pull "$1"; }

pull '{}' >"$T/p.json"
B=$(jget head <"$T/p.json")	# the user and its default categories
ncat=$(ctl --json category list | jget count)
is "a first pull: alice and her $ncat categories, each once" \
	"$(jget -j , changes.*.entity <"$T/p.json")" \
	"user$(repeat "$ncat" x | sed 's/x/,category/g')"
is "... up to the head, nothing more" "$(jget -j , last head more <"$T/p.json")" "$B,$B,false"
is "... with their states" "$(jget changes.0.data.name changes.1.data.name <"$T/p.json")" "alice
bills"

a=$(ctl --json expense add 12.50 food --date 2026-01-02 | jget id)
b=$(ctl --json expense add 3 transport --date 2026-01-03 | jget id)
ctl expense edit "$a" --note once >/dev/null
ctl expense edit "$a" --note twice >/dev/null
ctl expense rm "$b" >/dev/null
c=$(ctl --json category add snacks | jget id)
pull "{\"since\":$B}" >"$T/p.json"
is "a pull after $B: each entity once, at its latest change, in order" \
	"$(jget -j ' ' changes.*.seq changes.*.entity changes.*.id changes.*.op <"$T/p.json")" \
	"$((B + 4)) $((B + 5)) $((B + 6)) expense expense category $a $b $c update delete create"
is "... the edited expense as it is now" \
	"$(jget changes.0.data.note changes.0.version changes.0.deleted <"$T/p.json")" "twice
3
false"
is "... the deleted one a tombstone" "$(jget changes.1.deleted changes.1.data <"$T/p.json")" "true
null"
is "a pull at the head is empty" "$(pull "{\"since\":$((B + 6))}" | jget -j , changes.# more)" "0,false"

# an import's expenses are paged inside its one change
printf 'date,amount,category,note\n' >"$T/five.csv"
for i in 1 2 3 4 5; do printf '2026-02-0%s,%s.00,food,row %s\n' $i $i $i >>"$T/five.csv"; done
check "an import of 5 rows" ctl import "$T/five.csv"
pull "{\"since\":$((B + 6)),\"limit\":2}" >"$T/p1.json"
is "page 1: two of the import's expenses" "$(jget -j , changes.*.data.note more <"$T/p1.json")" "row 1,row 2,true"
is "... the cursor inside the import" "$(jget next_cursor last <"$T/p1.json")" "$((B + 6)):$(jget changes.1.id <"$T/p1.json")
$((B + 6))"
pull "{\"cursor\":\"$(jget next_cursor <"$T/p1.json")\",\"limit\":2}" >"$T/p2.json"
pull "{\"cursor\":\"$(jget next_cursor <"$T/p2.json")\",\"limit\":2}" >"$T/p3.json"
is "pages 2 and 3: the rest, once each" \
	"$(jget -j , changes.*.data.note <"$T/p2.json"),$(jget -j , changes.*.data.note <"$T/p3.json")" \
	"row 3,row 4,row 5"
is "... the last page ends at the import's change" "$(jget -j , last more next_cursor <"$T/p3.json")" "$((B + 7)),false,$((B + 7))"
check_fails "since and cursor together are refused" ctl call sync.pull '{"since":1,"cursor":"2"}'
like "... saying so" "$(cat "$T/err")" "not both"
check_fails "a cursor that is not one is refused" ctl call sync.pull '{"cursor":"x9"}'
like "... naming it" "$(cat "$T/err")" "not a cursor of sync.pull"

# REST: GET /api/v1/changes, and a client ahead of the server (a restored
# database) is 410 resync_required
as "$TOKEN" GET "/api/v1/changes?since=$((B + 4))&limit=1"
expect "GET /api/v1/changes" 200
is "... the same pull" "$(jb -j , changes.*.id more)" "$b,true"
as "$TOKEN" GET '/api/v1/changes?since=999'
expect "a pull from beyond the head is 410" 410
is "... resync_required" "$(jb error.code)" "resync_required"

# devices: a session named at login, its high-water mark, its lag
req POST /api/v1/auth/login '{"username":"alice","password":"alice-pass","refresh_in_body":true,"device":"Pixel 8"}'
expect "a login names its device" 200
phone=$(jb access_token); psess=$(jb session)
as "$phone" GET "/api/v1/changes?since=$((B + 3))"
expect "the phone pulls from $((B + 3))" 200
ctl sync status >"$T/st.txt"
like "sync status: the log's number" "$(cat "$T/st.txt")" "change log: at $((B + 7)), kept after 0"
is "... the phone, named, pulled from $((B + 3)), 4 behind" \
	"$(grep Pixel "$T/st.txt" | awk '{print $1, $2, $3, $5, $6}')" "$psess Pixel 8 $((B + 3)) 4"
is "... the first session: unnamed, its mark its last good pull, not the 410 one" \
	"$(grep unnamed "$T/st.txt" | awk '{print $2, $4, $5}')" "(unnamed) $((B + 4)) 3"
as "$phone" GET "/api/v1/changes?since=$((B + 7))"
is "after pulling to the head its lag is 0" \
	"$(ctl --json sync status | jget "devices[id=$psess].0.lag")" 0
check "device rename" ctl device rename "$psess" "Work phone"
is "... renamed" "$(ctl --json sync status | jget "devices[id=$psess].0.device")" "Work phone"
check_fails "renaming a session that is not one fails" ctl device rename nope x
check "device rm signs it out" ctl device rm "$psess"
as "$phone" GET /api/v1/me
expect "... its token no longer works" 401

python3 "$TOP/tests/regress/synccheck.py" catchup "$SOCK" "$HTTP_PORT" "$TOKEN" \
	"${SYNC_CHANGES:-10000}" || not_ok "synccheck.py catchup: every case passed"
python3 "$TOP/tests/regress/synccheck.py" push "$SOCK" "$HTTP_PORT" "$TOKEN" ||
	not_ok "synccheck.py push: every case passed"
python3 "$TOP/tests/regress/synccheck.py" resume "$SOCK" "$HTTP_PORT" "$TOKEN" ||
	not_ok "synccheck.py resume: every case passed"

# compaction: superseded changes go, tombstones after tombstone_days (0
# here), and a device behind them must start again
old=$(pull '{"since":0,"limit":1}' | jget head)
ctl expense rm "$a" >/dev/null
stop_spendd
start_spendd -o sync.compact_every=1 -o sync.tombstone_days=0 ||
	{ not_ok "spendd starts again, compacting every second"; done_testing; }
wait_for "the compaction" in_file "change log compacted" "$T/spendd.log"
login alice alice-pass
python3 "$TOP/tests/regress/synccheck.py" compacted "$SOCK" "$HTTP_PORT" "$TOKEN" "$old" ||
	not_ok "synccheck.py compacted: every case passed"
done_testing
