#!/bin/sh
# Reports in the base currency against an independent computation: one
# python3 run makes 3 years of random expenses in six currencies (one
# without any rate) and the ECB history of the rates (weekdays only, with
# gaps), and computes with decimal.Decimal what summary, breakdown, trend
# and payees must answer: each (day, category, currency) sum converted
# once through EUR at the nearest earlier rate, rounded half to even;
# shares by largest remainder; changes in basis points. spendd gets the
# same files through spendctl import and rate import.
. "$(dirname "$0")/lib.sh"

if [ ! -f "$PLUGIN_DIR/reports.so" ]; then
	not_ok "no $PLUGIN_DIR/reports.so: build the plugins first"
	done_testing
fi
if ! command -v python3 >/dev/null; then
	ok "# SKIP no python3"
	done_testing
fi
start_spendd $CHEAP || { not_ok "spendd starts"; done_testing; }

python3 - "$T" <<'PY' || { not_ok "the python3 reference runs"; done_testing; }
import bisect, csv, random, sys
from datetime import date, timedelta
from decimal import Decimal, ROUND_HALF_EVEN, getcontext

getcontext().prec = 80
T = sys.argv[1]
rnd = random.Random(410)
EXP = {"EUR": 2, "USD": 2, "GBP": 2, "JPY": 0, "BHD": 3, "CHF": 2}
BASE = "EUR"
cats = ["food", "travel", "bills", "fun", "health"]
payees = ["Acme", "ACME", "acme", "Bistro", "Café Noir", "Grid Power",
          "Rail", "Kiosk", "", "", "Books & Co", "Pharma"]

# rates: weekdays from 2022-12-01, a gap now and then (N/A)
start = date(2022, 12, 1)
rates = {c: ([], []) for c in ("USD", "JPY", "GBP", "BHD")}
level = {"USD": Decimal("1.08"), "JPY": Decimal("150.0"),
         "GBP": Decimal("0.86"), "BHD": Decimal("0.407")}
places = {"USD": "0.0001", "JPY": "0.01", "GBP": "0.00001", "BHD": "0.00001"}
rows = []
d = start
while d <= date(2025, 12, 31):
    if d.weekday() < 5:
        row = [d.isoformat()]
        for c in ("USD", "JPY", "GBP", "BHD"):
            if rnd.random() < 0.04:
                row.append("N/A")
                continue
            level[c] = (level[c] * Decimal(1 + rnd.uniform(-0.01, 0.01))
                        ).quantize(Decimal(places[c]))
            rates[c][0].append(d.isoformat())
            rates[c][1].append(level[c])
            row.append(str(level[c]))
        rows.append(row)
    d += timedelta(days=1)
with open(T + "/hist.csv", "w") as f:
    f.write("Date,USD,JPY,GBP,BHD,\n")
    for r in reversed(rows):
        f.write(",".join(r) + ",\n")

def rate(c, day):
    """units of c per EUR on day or the nearest earlier: (rate, date)"""
    if c == "EUR":
        return Decimal(1), day
    if c not in rates:
        return None, None
    ds, vs = rates[c]
    i = bisect.bisect_right(ds, day)
    return (vs[i - 1], ds[i - 1]) if i else (None, None)

def convert(minor, cur, day):
    """(base minor units or None, the older rate's date)"""
    if cur == BASE:
        return minor, ""
    ra, da = rate(cur, day)
    rb, db = rate(BASE, day)
    if ra is None or rb is None:
        return None, ""
    x = Decimal(minor) * rb * Decimal(10) ** EXP[BASE] / (
        ra * Decimal(10) ** EXP[cur])
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)), min(da, db)

# expenses
exps = []
with open(T + "/exp.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["date", "amount", "currency", "category", "payee", "note"])
    for i in range(900):
        day = date(2023, 1, 1) + timedelta(days=rnd.randrange(3 * 365 + 1))
        cur = rnd.choice(["EUR"] * 6 + ["USD", "USD", "GBP", "JPY", "BHD",
                                        "CHF"])
        minor = rnd.randrange(1, 20000) * (10 if cur == "JPY" else 1)
        if rnd.random() < 0.05:
            minor = -minor
        e = EXP[cur]
        amount = (Decimal(minor) / Decimal(10) ** e).quantize(
            Decimal(1).scaleb(-e))
        cat, payee = rnd.choice(cats), rnd.choice(payees)
        exps.append((day.isoformat(), minor, cur, cat, payee))
        w.writerow([day.isoformat(), str(amount), cur, cat, payee, "n%d" % i])

def hev(num, den):
    return int((Decimal(num) / Decimal(den)).quantize(
        Decimal(1), rounding=ROUND_HALF_EVEN))

def fmt(minor, cur=BASE):
    e = EXP[cur]
    s = "-" if minor < 0 else ""
    a = abs(minor)
    return s + (str(a) if e == 0 else "%d.%0*d" % (a // 10 ** e, e, a % 10 ** e))

def fbp(bp):
    if bp is None:
        return "null"
    s = "-" if bp < 0 else ""
    return "%s%d.%02d" % (s, abs(bp) // 100, abs(bp) % 100)

def cells(lo, hi, key):
    out = {}
    for (day, minor, cur, cat, payee) in exps:
        if lo <= day <= hi:
            k = key(day, cat, cur, payee)
            c, s = out.get(k, (0, 0))
            out[k] = (c + 1, s + minor)
    return out

def day_cells(lo, hi):
    return cells(lo, hi, lambda d, c, cur, p: (d, c, cur))

def totals(lo, hi):
    """total, count, per category, unconverted, older (currency, day)"""
    tot = cnt = 0
    per, un, older = {}, {}, set()
    for (day, cat, cur), (c, s) in day_cells(lo, hi).items():
        v, rd = convert(s, cur, day)
        if v is None:
            uc, us = un.get(cur, (0, 0))
            un[cur] = (uc + c, us + s)
            continue
        if rd and rd < day:
            older.add((cur, day))
        tot += v
        cnt += c
        pc, pa = per.get(cat, (0, 0))
        per[cat] = (pc + c, pa + v)
    return tot, cnt, per, un, older

def shares(amounts):
    """largest remainder over the positive ones (in the given order)"""
    P = sum(a for a in amounts if a > 0)
    bp = [None] * len(amounts)
    rem = []
    given = 0
    for i, a in enumerate(amounts):
        if a > 0:
            bp[i] = a * 10000 // P
            rem.append((a * 10000 % P, a, -i))
            given += bp[i]
    for r, a, mi in sorted(rem, reverse=True)[:10000 - given]:
        bp[-mi] += 1
    return bp

def change(cur, prev):
    return None if prev == 0 else hev((cur - prev) * 10000, abs(prev))

# category ids: spendd creates the defaults first, then the imported
# ones in order of appearance; ties in shares (by id) do not occur here
out = []
def put(name, value):
    out.append("%s='%s'" % (name, value.replace("'", "'\\''")))

def month_range(y, m):
    last = (date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1)).day
    return "%04d-%02d-01" % (y, m), "%04d-%02d-%02d" % (y, m, last), last

# summary of 2024-05, against 2024-04 and 2023-05
lo, hi, ndays = month_range(2024, 5)
tot, cnt, per, un, older = totals(lo, hi)
ptot = totals(*month_range(2024, 4)[:2])[0]
ytot = totals(*month_range(2023, 5)[:2])[0]
put("M_TOTAL", fmt(tot))
put("M_COUNT", str(cnt))
put("M_PERDAY", fmt(hev(tot, ndays)))
put("M_PREV", fmt(ptot))
put("M_CHANGE", fbp(change(tot, ptot)))
put("M_YEAR", fmt(ytot))
put("M_CHANGE_YEAR", fbp(change(tot, ytot)))
put("M_UNCONV", ",".join("%s:%d:%s" % (c, un[c][0], fmt(un[c][1], c))
                         for c in sorted(un)))
put("M_OLDER", str(len(older)))
order = sorted(per, key=lambda c: (-per[c][1], c.lower()))
put("M_CATS", ",".join("%s:%s" % (c, fmt(per[c][1])) for c in order))

# summary of 2024, against 2023
tot, cnt, per, un, older = totals("2024-01-01", "2024-12-31")
ptot = totals("2023-01-01", "2023-12-31")[0]
put("Y_TOTAL", fmt(tot))
put("Y_COUNT", str(cnt))
put("Y_PERDAY", fmt(hev(tot, 366)))
put("Y_CHANGE", fbp(change(tot, ptot)))
put("Y_OLDER", str(len(older)))

# breakdown of 2024-03-01..2025-02-28: shares in the order of ids
tot, cnt, per, un, older = totals("2024-03-01", "2025-02-28")
ids = ["bills", "entertainment", "food", "health", "other", "shopping",
       "transport", "travel", "fun"]
present = [c for c in ids if c in per]
bp = dict(zip(present, shares([per[c][1] for c in present])))
order = sorted(per, key=lambda c: (-per[c][1], c.lower()))
put("B_TOTAL", fmt(tot))
put("B_ITEMS", ",".join("%s:%s:%s" % (c, fmt(per[c][1]), fbp(bp[c]))
                        for c in order))
put("B_UNCONV", ",".join("%s:%d:%s" % (c, un[c][0], fmt(un[c][1], c))
                         for c in sorted(un)))

# trend by month over the three years, moving average of 3
months = [(y, m) for y in (2023, 2024, 2025) for m in range(1, 13)]
vals = [totals(*month_range(y, m)[:2])[0] for (y, m) in months]
avg = ["null" if i < 2 else fmt(hev(sum(vals[i - 2:i + 1]), 3))
       for i in range(len(vals))]
put("T_VALUES", ",".join(fmt(v) for v in vals))
put("T_AVG", ",".join(avg))
put("T_TOTAL", fmt(sum(vals)))
fv = []
for (y, m) in months:
    lo, hi, _ = month_range(y, m)
    fv.append(totals(lo, hi)[2].get("food", (0, 0))[1])
put("T_FOOD", ",".join(fmt(v) for v in fv))

# payees of 2024, top 4: cells by (payee, day, currency), ASCII case
# folded, the group's smallest spelling
pc = cells("2024-01-01", "2024-12-31",
           lambda d, c, cur, p: (p.lower() if p.isascii() else p, d, cur))
spell, by = {}, {}
for (day, minor, cur, cat, payee) in exps:
    if "2024-01-01" <= day <= "2024-12-31" and payee:
        k = payee.lower() if payee.isascii() else payee
        spell[k] = min(spell.get(k, payee), payee)
none = 0
for (p, day, cur), (c, s) in pc.items():
    v, rd = convert(s, cur, day)
    if v is None:
        continue
    if p == "":
        none += v
    else:
        by[p] = by.get(p, 0) + v
top = sorted(by, key=lambda p: (-by[p], spell[p].lower(), spell[p]))[:4]
put("P_TOP", ",".join("%s:%s" % (spell[p], fmt(by[p])) for p in top))
put("P_NONE", fmt(none))
put("P_COUNT", str(len(by)))
open(T + "/expected.sh", "w").write("\n".join(out) + "\n")
PY
. "$T/expected.sh"

ctl user add alice >/dev/null
check "the rates' history imports" ctl rate import "$T/hist.csv"
check "the expenses import" ctl --user alice import "$T/exp.csv" --create-categories
like "... all 900" "$(cat "$T/out")" "900 added"

r=$(ctl --user alice --json report month 2024-05)
is "month: total in EUR" "$(printf '%s' "$r" | jget total)" "$M_TOTAL"
is "month: count" "$(printf '%s' "$r" | jget count)" "$M_COUNT"
is "month: per day" "$(printf '%s' "$r" | jget per_day)" "$M_PERDAY"
is "month: categories by amount" \
    "$(printf '%s' "$r" | jget -j ' ' categories[count].*.category | tr ' ' '\n' >"$T/c"; printf '%s' "$r" | jget -j ' ' categories[count].*.amount | tr ' ' '\n' >"$T/a"; paste -d: "$T/c" "$T/a" | paste -sd, -)" \
    "$M_CATS"
is "month: the month before" "$(printf '%s' "$r" | jget -j , previous.label previous.total previous.change)" \
    "2024-04,$M_PREV,$M_CHANGE"
is "month: a year before" "$(printf '%s' "$r" | jget -j , year_before.label year_before.total year_before.change)" \
    "2023-05,$M_YEAR,$M_CHANGE_YEAR"
is "month: CHF has no rate: unconverted" \
    "$(printf '%s' "$r" | jget -j , 'unconverted.*' | tr -d ' {}"' | sed 's/currency://g; s/count://g; s/sum://g')" \
    "$(printf '%s' "$M_UNCONV" | tr : ,)"
is "month: days on an earlier rate" "$(printf '%s' "$r" | jget older_rates_count)" "$M_OLDER"

r=$(ctl --user alice --json report year 2024)
is "year: total, count, per day (366 days)" \
    "$(printf '%s' "$r" | jget -j , total count days per_day)" "$Y_TOTAL,$Y_COUNT,366,$Y_PERDAY"
is "year: against 2023" "$(printf '%s' "$r" | jget -j , previous.label previous.change year_before.label)" \
    "2023,$Y_CHANGE,2023"
is "year: days on an earlier rate" "$(printf '%s' "$r" | jget older_rates_count)" "$Y_OLDER"

r=$(ctl --user alice --json report breakdown --from 2024-03-01 --to 2025-02-28)
is "breakdown: total" "$(printf '%s' "$r" | jget total)" "$B_TOTAL"
printf '%s' "$r" | jget items.*.label >"$T/l"
printf '%s' "$r" | jget items.*.amount >"$T/a"
printf '%s' "$r" | jget items.*.percent >"$T/p"
is "breakdown: labels, amounts and shares (largest remainder)" \
    "$(paste -d: "$T/l" "$T/a" "$T/p" | paste -sd, -)" "$B_ITEMS"
is "breakdown: the shares add up to 100.00 %" \
    "$(($(printf '%s' "$r" | jget -j + 'items[bp].*.bp')))" 10000
is "breakdown: unconverted" \
    "$(printf '%s' "$r" | jget -j , 'unconverted.*.currency' 'unconverted.*.count' 'unconverted.*.sum')" \
    "$(printf '%s' "$B_UNCONV" | tr : ,)"
c1=$(printf '%s' "$r" | jget 'items[label=food].0.color')
c2=$(ctl --user alice --json report breakdown --month 2023-02 | jget 'items[label=food].0.color')
like "breakdown: a colour per category" "$c1" "#"
is "... the same every time" "$c2" "$c1"

r=$(ctl --user alice --json report trend --from 2023-01-01 --to 2025-12-31 --by month)
is "trend: 36 months" "$(printf '%s' "$r" | jget labels.#)" 36
is "trend: the monthly totals" "$(printf '%s' "$r" | jget -j , total.values.*)" "$T_VALUES"
is "trend: the moving average of 3 (half to even)" \
    "$(printf '%s' "$r" | jget -j , total.moving_average.*)" "$T_AVG"
is "trend: the whole" "$(printf '%s' "$r" | jget total.amount)" "$T_TOTAL"
is "trend: food's series" "$(printf '%s' "$r" | jget -j , 'series[label=food].0.values.*')" "$T_FOOD"

r=$(ctl --user alice --json report payees --from 2024-01-01 --to 2024-12-31 --limit 4)
printf '%s' "$r" | jget items.*.payee >"$T/l"
printf '%s' "$r" | jget items.*.amount >"$T/a"
is "payees: the top 4, ACME and Acme as one" "$(paste -d: "$T/l" "$T/a" | paste -sd, -)" "$P_TOP"
is "payees: without a payee" "$(printf '%s' "$r" | jget no_payee.amount)" "$P_NONE"
is "payees: how many" "$(printf '%s' "$r" | jget payees)" "$P_COUNT"

check "the human month" ctl --user alice report month 2024-05
like "... with the total" "$(cat "$T/out")" "total  $M_TOTAL"
like "... and bars" "$(cat "$T/out")" "█"
check "the human trend" ctl --user alice report trend --from 2023-01-01 --to 2025-12-31
like "... with sparklines" "$(cat "$T/out")" "▁"
done_testing
