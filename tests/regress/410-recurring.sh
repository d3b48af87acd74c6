#!/bin/sh
# Recurring expenses: the catch-up after 90 days of downtime creates the
# exact occurrences that fell (spendd run 90 days in the past under
# faketime, then now); add, list, show, edit, pause, resume, skip, rm
# and upcoming through spendctl and REST; another user's rules are 404.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

db="$T/data/spend.db"
ymd() { date -u -d "$1" +%F; }
TODAY=$(ymd today)
# the expenses a rule created, by date
rule_dates() { ctl --user "$1" --json expense list --sort date --order asc --limit 500 |
	jget -j ' ' "items[recurring_id=$2].*.date"; }
rule_count() { [ "$(ctl --user "$1" --json expense list --limit 500 |
	jget "items[recurring_id=$2].#")" = "$3" ]; }

# The dates of a monthly rule from $1 (its day, clamped to short months)
# through $2.
monthly() {
	_d=$(date -u -d "$1" +%d); _m=$(date -u -d "$1" +%Y-%m-01); _out=""
	while :; do
		_last=$(date -u -d "$_m +1 month -1 day" +%d)
		_day=$_d; [ "$_day" -gt "$_last" ] && _day=$_last
		_o=$(date -u -d "$_m" +%Y-%m)-$_day
		[ "$(date -u -d "$_o" +%s)" -le "$(date -u -d "$2" +%s)" ] || break
		_out="$_out${_out:+ }$_o"
		_m=$(date -u -d "$_m +1 month" +%F)
	done
	echo "$_out"
}

# ---- 90 days of downtime ----
START=$(ymd '90 days ago')
# libfaketime (package faketime), preloaded into spendd itself so that
# its pid is spendd's
FAKETIME_LIB=""
for f in /usr/lib/*/faketime/libfaketimeMT.so.1 /usr/lib/faketime/libfaketimeMT.so.1; do
	[ -f "$f" ] && FAKETIME_LIB=$f && break
done
if [ -n "$FAKETIME_LIB" ]; then
	# spendd 90 days ago: the rule is added (its start: that day), one
	# expense created, and spendd stops
	cat >"$T/spendd-past" <<EOF
#!/bin/sh
export ASAN_OPTIONS="\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}verify_asan_link_order=0"
LD_PRELOAD=$FAKETIME_LIB FAKETIME=-90d exec "$SPENDD" "\$@"
EOF
	chmod +x "$T/spendd-past"
	SPENDD_NOW=$SPENDD
	SPENDD=$T/spendd-past
	start_spendd || { not_ok "spendd starts 90 days ago"; done_testing; }
	ctl user add alice >/dev/null
	ctl --user alice --json recurring add 12.50 bills --every month \
	    --payee Phone >"$T/add.json"
	is "90 days ago, the rule starts that day" "$(jget start <"$T/add.json")" "$START"
	wait_for "the first occurrence" rule_count alice 1 1
	is "... and creates its first expense" "$(rule_dates alice 1)" "$START"
	stop_spendd
	SPENDD=$SPENDD_NOW
	rm -f "$SOCK"
	# today: spendd starts after 90 days down
	start_spendd || { not_ok "spendd starts again"; done_testing; }
	want=$(monthly "$START" "$TODAY")
	n=$(echo "$want" | wc -w)
	wait_for "the catch-up" rule_count alice 1 "$n"
	is "after 90 days down, exactly the months that fell ($n)" "$(rule_dates alice 1)" "$want"
	# by the calendar that is 3, or 4 when the 3 months after the start
	# are as short as 90 days (December to February and the like)
	case $n in 3|4) ok "... which is 3 (or 4 across a short February): $n" ;;
	*) not_ok "... which is 3 (or 4 across a short February): $n" ;; esac
	ctl --user alice --json recurring show 1 >"$T/show.json"
	is "... the rule knows how many" "$(jget done <"$T/show.json")" "$n"
	like "... and waits for the next" "$(jget next_dates <"$T/show.json")" \
	    "$(date -u -d "$(echo "$want" | tr ' ' '\n' | tail -1) +1 month" +%Y-%m)"
	is "... each expense is the rule's" "$(ctl --user alice --json expense list | jget -j , 'items.*.payee')" \
	    "$(echo "$want" | tr ' ' '\n' | sed 's/.*/Phone/' | paste -sd, -)"
	stop_spendd
	rm -f "$SOCK"
	start_spendd || { not_ok "spendd starts once more"; done_testing; }
	# a restart creates nothing more: once a rule added after the start
	# has its expense, the pass at start is over (passes run one at a time)
	ctl --user alice --json recurring add 1 other --every day >"$T/r.json"
	wait_for "a pass after the start" rule_count alice "$(jget id <"$T/r.json")" 1
	is "another start creates nothing twice" "$(rule_dates alice 1)" "$want"
	ctl --user alice recurring rm "$(jget id <"$T/r.json")" --delete-created >/dev/null
else
	ok "# SKIP faketime is not installed (contrib/deps.sh installs it)"
	start_spendd || { not_ok "spendd starts"; done_testing; }
	ctl user add alice >/dev/null
	ctl --user alice recurring add 12.50 bills --every month --start "$START" >/dev/null
fi

# the same catch-up when a rule is added with a start 90 days back
ctl --user alice --json recurring add 4 food --every month --start "$START" >"$T/r2.json"
r2=$(jget id <"$T/r2.json")
want=$(monthly "$START" "$TODAY")
n=$(echo "$want" | wc -w)
wait_for "the new rule's catch-up" rule_count alice "$r2" "$n"
is "a rule added 90 days back creates its past months at once" "$(rule_dates alice "$r2")" "$want"

# ---- spendctl ----
check_fails "a rule without every is refused" ctl --user alice recurring add 5 food
like "... naming the field" "$(cat "$T/err")" "every is required"
check_fails "a weekday that is not one" ctl --user alice recurring add 5 food --every week --on mon,funday
like "... says which" "$(cat "$T/err")" "funday"
check_fails "end and count together" ctl --user alice recurring add 5 food --every day --end 2030-01-01 --count 3
like "... one or the other" "$(cat "$T/err")" "not both"
check_fails "an unknown category" ctl --user alice recurring add 5 nope --every day
ctl --user alice --json recurring add 2.50 transport --every day --note "bus" >"$T/d.json"
d=$(jget id <"$T/d.json")
wait_for "today's bus" rule_count alice "$d" 1
is "a daily rule from today creates today's" "$(rule_dates alice "$d")" "$TODAY"
TOMORROW=$(ymd tomorrow)
AFTER=$(ymd '2 days')
ctl --user alice --json recurring list >"$T/list.json"
is "the list has each rule with its next date" "$(jget -j , count "items[id=$d].0.every" "items[id=$d].0.next" <"$T/list.json")" "3,day,$TOMORROW"
ctl --user alice recurring list >"$T/list.txt"
like "... and the table too" "$(grep "^ *$d " "$T/list.txt")" "$TOMORROW  active"
like "... which counts them" "$(cat "$T/list.txt")" "3 recurring expenses"
is "pause" "$(ctl --user alice --json recurring pause "$d" | jget paused)" true
like "... shown in the list" "$(ctl --user alice recurring list | grep "^ *$d ")" "$TOMORROW  paused"
ctl --user alice --json recurring skip "$d" >"$T/skip.json"
is "skip a paused rule's next" "$(jget skipped <"$T/skip.json")" "$TOMORROW"
is "... the one after is next" "$(jget next <"$T/skip.json")" "$AFTER"
ctl --user alice --json recurring resume "$d" >"$T/resume.json"
is "resume" "$(jget -j , paused next <"$T/resume.json")" "false,$AFTER"
ctl --user alice recurring upcoming --days 2 >"$T/up.txt"
like "upcoming lists what comes in the next days" "$(grep " $d " "$T/up.txt")" "$AFTER"
like "... with its amount and category" "$(grep " $d " "$T/up.txt")" "2.50  EUR  transport"
is "... not today's (created) nor the skipped one" "$(grep -c " $d " "$T/up.txt")" 1
ctl --user alice --json recurring edit "$d" --amount 3 --note "bus fare" >"$T/edit.json"
is "edit changes what comes" "$(jget -j , amount note version <"$T/edit.json")" "3.00,bus fare,5"
is "... not what was created" "$(ctl --user alice --json expense list --search bus | jget -j , 'items.*.amount')" "2.50"
ctl --user alice recurring rm "$d" >"$T/rm.txt"
is "rm keeps what it created" "$(cat "$T/rm.txt")" "deleted recurring expense $d"
is "... the expense stays" "$(rule_dates alice "$d")" "$TODAY"
check_fails "... the rule is gone" ctl --user alice recurring show "$d"
like "... not found" "$(cat "$T/err")" "no such recurring rule"
is "rm --delete-created removes its expenses too" "$(ctl --user alice recurring rm "$r2" --delete-created)" \
    "deleted recurring expense $r2 and the $n expenses it created"
is "... gone" "$(rule_dates alice "$r2")" ""
is "reminders are off by default" "$(ctl --user alice recurring settings)" "reminders: off"
is "... and can be turned on" "$(ctl --user alice recurring remind 3)" "reminders: 3 days ahead"

# ---- REST ----
req POST /api/v1/auth/register '{"username":"root","password":"root-pass"}'
ctl user add carol --password-stdin >/dev/null <<EOF
carol-pass
EOF
ctl user add dave --password-stdin >/dev/null <<EOF
dave-pass
EOF
login carol carol-pass
as "$TOKEN" POST /api/v1/recurring '{"amount":"30","category":"health","every":"month","on":"last","payee":"Gym"}'
expect "POST /api/v1/recurring adds a rule" 201
c=$(jb id)
is "... monthly on the last day" "$(jb -j , every on)" "month,last"
as "$TOKEN" POST /api/v1/recurring '{"amount":"30","category":"health","every":"month","on":"32"}'
expect "a day 32 is refused" 400
is "... naming the field" "$(jb error.field)" on
as "$TOKEN" GET /api/v1/recurring
expect "GET /api/v1/recurring lists them" 200
is "... with the next date" "$(jb -j , count items.0.next)" "1,$(date -u -d "$(date -u +%Y-%m-01) +1 month -1 day" +%F)"
as "$TOKEN" POST "/api/v1/recurring/$c/pause"
expect "pause over REST" 200
is "... paused" "$(jb paused)" true
as "$TOKEN" POST "/api/v1/recurring/$c/resume"
expect "resume over REST" 200
as "$TOKEN" POST "/api/v1/recurring/$c/skip"
expect "skip over REST" 200
skipped=$(jb skipped)
isnt "... says what it skipped" "$skipped" "$(jb next)"
as "$TOKEN" PATCH "/api/v1/recurring/$c" '{"amount":"35","version":1}'
expect "a stale version is refused" 412
as "$TOKEN" PATCH "/api/v1/recurring/$c" '{"amount":"35"}'
expect "PATCH changes it" 200
is "... the amount" "$(jb amount)" "35.00"
next=$(jb next)
as "$TOKEN" GET '/api/v1/recurring/upcoming?days=366'
expect "GET /api/v1/recurring/upcoming" 200
is "... a year of month ends from the next one" "$(jb items.0.date)" "$next"
check "... at least 11" test "$(jb count)" -ge 11
check_fails "... without the skipped one" sh -c "printf '%s' '$BODY' | grep -q '$skipped'"
as "$TOKEN" PUT /api/v1/recurring/settings '{"remind_days":2}'
expect "PUT /api/v1/recurring/settings" 200
as "$TOKEN" GET /api/v1/recurring/settings
is "GET /api/v1/recurring/settings" "$(jb remind_days)" 2
# dave sees none of carol's
login dave dave-pass
as "$TOKEN" GET /api/v1/recurring
is "another user's list is empty" "$(jb count)" 0
as "$TOKEN" GET "/api/v1/recurring/$c"
expect "another user's rule is 404" 404
as "$TOKEN" PATCH "/api/v1/recurring/$c" '{"amount":"1"}'
expect "... and cannot be changed" 404
as "$TOKEN" POST "/api/v1/recurring/$c/pause"
expect "... nor paused" 404
as "$TOKEN" POST "/api/v1/recurring/$c/skip"
expect "... nor skipped" 404
as "$TOKEN" DELETE "/api/v1/recurring/$c"
expect "... nor deleted" 404
login carol carol-pass
as "$TOKEN" GET "/api/v1/recurring/$c"
is "carol's rule is as she left it" "$(jb -j , amount paused version)" "35.00,false,5"
as "$TOKEN" DELETE "/api/v1/recurring/$c?delete_created=true"
expect "DELETE over REST" 200
as "$TOKEN" GET "/api/v1/recurring/$c"
expect "... then it is gone" 404
req GET /api/v1/recurring
expect "no rules without a login" 401
is "the database is whole" "$(sqlite3 -readonly "$db" 'PRAGMA integrity_check')" ok
done_testing
