#!/bin/sh
# The forecast and budget reports through spendctl and REST, any day of
# the month: dates are relative to `date -u` (users' time zone is UTC),
# and one python3 run computes the expected cents independently (the pace
# rounded half away from zero, the weekly rule's dates in the month).
# Another user's data stays out; no token is 401, another user's name 403.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

if [ ! -f "$PLUGIN_DIR/reports.so" ]; then
	not_ok "no $PLUGIN_DIR/reports.so: build the plugins first"
	done_testing
fi
if ! command -v python3 >/dev/null; then
	ok "# SKIP no python3"
	done_testing
fi
start_spendd -o auth.registration=open || { not_ok "spendd starts"; done_testing; }
req POST /api/v1/auth/register '{"username":"root","password":"root-pass"}'
req POST /api/v1/auth/register '{"username":"alice","password":"alice-pass"}'
req POST /api/v1/auth/register '{"username":"bob","password":"bob-pass"}'

TODAY=$(date -u +%F)
M=$(date -u +%Y-%m)
TOMORROW=$(date -u -d tomorrow +%F)
PREV=$(date -u -d "$M-01 -1 month" +%Y-%m)
NEXT=$(date -u -d "$M-01 +1 month" +%Y-%m)
LAST=$(date -u -d "$NEXT-01 -1 day" +%F)

export SPEND_USER=alice
ctl rate set USD 1.25 --date "$PREV-01" >/dev/null
ctl expense add 100 food --date "$M-01" >/dev/null
ctl expense add 12.34 food --currency USD --date "$M-01" >/dev/null
ctl expense add 0.15 bills --date "$M-01" >/dev/null
ctl expense add 5 food --currency GBP --date "$M-01" >/dev/null
ctl expense add 33.33 bills --date "$LAST" >/dev/null
ctl expense add 40 food --date "$PREV-15" >/dev/null
ctl expense add 60 food --date "$NEXT-03" >/dev/null
ctl recurring add 7.50 food --every week --start "$TOMORROW" >/dev/null
ctl recurring add 3 bills --currency CHF --every week --start "$TOMORROW" >/dev/null
ctl budget set food 400 --since "$PREV" >/dev/null
ctl budget set total 1000 --since "$PREV" >/dev/null
SPEND_USER=bob ctl expense add 999 food --date "$M-01" >/dev/null
SPEND_USER=bob ctl recurring add 50 food --every day --start "$TOMORROW" >/dev/null

python3 - "$TODAY" "$T" <<'PY' || { not_ok "the python3 reference runs"; done_testing; }
import calendar, sys
from datetime import date, timedelta
from decimal import Decimal, ROUND_HALF_EVEN
today = date.fromisoformat(sys.argv[1]); T = sys.argv[2]
days = calendar.monthrange(today.year, today.month)[1]
last = today.replace(day=days)
def cents(s): return int(Decimal(s) * 100)
def fmt(c): return "%s%d.%02d" % ("-" if c < 0 else "", abs(c) // 100, abs(c) % 100)
def away(n, d):   # n / d, half away from zero (n >= 0)
    q, r = divmod(n, d)
    return q + (1 if 2 * r >= d else 0)
usd = int((Decimal("12.34") / Decimal("1.25") * 100).quantize(Decimal(1), ROUND_HALF_EVEN))
exp = [("food", today.replace(day=1), 10000), ("food", today.replace(day=1), usd),
       ("bills", today.replace(day=1), 15), ("bills", last, 3333)]
rec = {"food": 0, "bills": 0}; n_food = 0; n_chf = 0
d = today + timedelta(days=1)
while d <= last:
    rec["food"] += 750; n_food += 1; n_chf += 1
    d += timedelta(days=7)
out = {}
for k in ("food", "bills", "total"):
    td = sum(a for c, dd, a in exp if (k == "total" or c == k) and dd <= today)
    la = sum(a for c, dd, a in exp if (k == "total" or c == k) and dd > today)
    r = rec["food"] + rec["bills"] if k == "total" else rec[k]
    pace = away(td * days, today.day)
    out[k] = [fmt(td), fmt(la), fmt(pace), fmt(r), fmt(pace + la + r)]
# the next month: 60.00 and the weekly rule's dates in it
nm = (last + timedelta(days=1)); nlast = nm.replace(day=calendar.monthrange(nm.year, nm.month)[1])
nrec = 0; d = today + timedelta(days=1)
while d <= nlast:
    if d >= nm: nrec += 750
    d += timedelta(days=7)
with open(T + "/want", "w") as f:
    for k in ("total", "food", "bills"):
        f.write(k + " " + ",".join(out[k]) + "\n")
    f.write("count %d %d\n" % (n_food, n_chf))
    f.write("next %s %s\n" % (fmt(nrec), fmt(6000 + nrec)))
PY
want() { sed -n "s/^$1 //p" "$T/want"; }

ctl --json report forecast >"$T/f.json"
is "forecast: this month by default, day and days" \
    "$(jget -j , month period day days <"$T/f.json")" \
    "$M,current,$(date -u +%-d),$(date -u -d "$LAST" +%-d)"
fields="spent_to_date later pace recurring projected"
is "the total: to date, later, pace (half away from zero), recurring, projected" \
    "$(jget -j , $(for f in $fields; do printf 'total.%s ' $f; done) <"$T/f.json")" "$(want total)"
is "food" "$(jget -j , $(for f in $fields; do printf 'categories[category=food].0.%s ' $f; done) <"$T/f.json")" "$(want food)"
is "bills" "$(jget -j , $(for f in $fields; do printf 'categories[category=bills].0.%s ' $f; done) <"$T/f.json")" "$(want bills)"
is "the overall budget projects the same total" "$(jget total.budget.projected <"$T/f.json")" \
    "$(want total | cut -d, -f5)"
is "food's budget projects the same" "$(jget 'categories[category=food].0.budget.projected' <"$T/f.json")" \
    "$(want food | cut -d, -f5)"
set -- $(want count)
is "every occurrence to come is listed" "$(jget upcoming_count <"$T/f.json")" "$(($1 + $2))"
if [ "$2" -gt 0 ]; then
	is "CHF has no rate: listed unconverted, not counted" \
	    "$(jget -j , upcoming_unconverted.0.currency upcoming_unconverted.0.count <"$T/f.json")" "CHF,$2"
else
	is "nothing to come on the last day" "$(jget upcoming_unconverted.# <"$T/f.json")" 0
fi
is "GBP spent without a rate is listed" "$(jget -j , unconverted.0.currency unconverted.0.sum <"$T/f.json")" "GBP,5.00"
is "bob's 999.00 is not alice's: her four converted expenses" "$(jget total.count <"$T/f.json")" 4

LC_ALL=C.UTF-8 ctl report forecast >"$T/f.txt"
like "spendctl prints the projection" "$(grep '^projected' "$T/f.txt")" " $(want total | cut -d, -f5)  of 1000.00 available"
like "... a row per category with a bar" "$(grep '^food ' "$T/f.txt")" "█"

ctl --json report forecast "$PREV" >"$T/p.json"
is "a past month: forecast = actual" "$(jget -j , period total.spent total.projected total.recurring <"$T/p.json")" \
    "past,40.00,40.00,0.00"
ctl --json report forecast "$NEXT" >"$T/n.json"
set -- $(want next)
is "a future month: recorded + recurring" "$(jget -j , period total.later total.recurring total.projected <"$T/n.json")" \
    "future,60.00,$1,$2"

ctl --json report budget --from "$PREV" --to "$M" >"$T/b.json"
is "budget: one entry per month" "$(jget -j , months.# months.0.month months.1.month <"$T/b.json")" "2,$PREV,$M"
is "last month's food: limit, spent, remaining, percent, state" \
    "$(jget -j , 'months.0.items[category=food].0.limit' 'months.0.items[category=food].0.spent' 'months.0.items[category=food].0.remaining' 'months.0.items[category=food].0.percent' 'months.0.items[category=food].0.state' <"$T/b.json")" \
    "400.00,40.00,360.00,10,ok"
ctl --json budget status --month "$M" >"$T/s.json"
is "this month's lines are budget.status's" \
    "$(jget -j , 'months.1.items[category=food].0.spent' 'months.1.items[category=food].0.projected' 'months.1.items[category=total].0.available' <"$T/b.json")" \
    "$(jget -j , 'items[category=food].0.spent' 'items[category=food].0.projected' 'items[category=total].0.available' <"$T/s.json")"
is "per budget over the range" "$(jget -j , 'budgets[category=food].0.months' 'budgets[category=food].0.limit' <"$T/b.json")" "2,800.00"
ctl --json report budget >"$T/b12.json"
is "default: the 12 months ending with this one" "$(jget -j , months.# to <"$T/b12.json")" "12,$M"
LC_ALL=C.UTF-8 ctl report budget --from "$PREV" --to "$M" >"$T/b.txt"
like "spendctl prints budget rows" "$(grep -A1 "^$PREV " "$T/b.txt" | grep ' food ')" "360.00"
check_fails "a bad month is refused" ctl report forecast 2024-13
check_fails "from after to is refused" ctl report budget --from "$M" --to "$PREV"

# REST, through the generic route
login alice alice-pass
as "$TOKEN" GET "/api/v1/reports/forecast?month=$M"
expect "GET /api/v1/reports/forecast" 200
is "... the same projection" "$(jb total.projected)" "$(want total | cut -d, -f5)"
as "$TOKEN" GET "/api/v1/reports/budget?from=$PREV&to=$M"
expect "GET /api/v1/reports/budget" 200
is "... the same months" "$(jb months.#)" 2
as "$TOKEN" GET "/api/v1/reports/forecast?month=$M&user=bob"
expect "another user's forecast is 403" 403
as "$TOKEN" GET "/api/v1/reports/forecast?month=2024-13"
expect "a bad month over HTTP is 400" 400
is "... naming it" "$(jb error.field)" month
req GET "/api/v1/reports/forecast"
expect "no token, no forecast" 401
req GET "/api/v1/reports/budget"
expect "no token, no budget report" 401
login bob bob-pass
as "$TOKEN" GET "/api/v1/reports/forecast"
is "bob's forecast is his own" "$(jb -j , total.spent_to_date categories.# 'categories.0.budget')" "999.00,1,null"
check_fails "an admin's forecast for an unknown user fails" ctl --user nobody report forecast
ctl --user nobody report forecast >"$T/nobody.out" 2>&1
like "... saying which user is not found" "$(cat "$T/nobody.out")" "nobody"
done_testing
