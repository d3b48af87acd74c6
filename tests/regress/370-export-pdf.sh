#!/bin/sh
# The pdf exporter through a real spendd: a report of a period that
# pdftotext reads back with the owner, the period, Spend's own totals per
# category and currency, UTF-8 notes, and "Page N of M" on every page.
. "$(dirname "$0")/lib.sh"

# export_to FORMAT FILE [--filter VALUE]...
export_to() {
	_f=$1 _o=$2; shift 2
	ctl --user alice export --format "$_f" "$@" -o "$_o"
}

start_spendd || { not_ok "spendd starts"; done_testing; }
ctl user add alice --currency EUR >/dev/null
export SPEND_USER=alice

# 90 expenses in 2026 (three pages of list), a few outside the period
check "expenses added" python3 - "$SOCK" <<'PY'
import json, socket, sys
cats = ["food", "travel", "other"]
payees = ["Café de Flore", "Deutsche Bahn", "Stationery ₹ Shop", "日本の書店", "Hôtel du Nord"]
reqs = []
for i in range(90):
    p = {"user": "alice", "amount": "%d.%02d" % (3 + i * 7 % 90, i * 13 % 100),
         "category": cats[i % 3], "date": "2026-%02d-%02d" % (1 + i % 12, 1 + i % 28),
         "payee": payees[i % 5], "note": "receipt %d" % i}
    if i == 0: p["note"] = "Café crème, ₹ 250 and 日本 souvenirs"
    if i == 1: p.update(amount="1200", currency="JPY")
    if i == 2: p.update(amount="12.345", currency="BHD")
    if i == 3: p["note"] = "a long note " * 30 + "ZZTAIL"
    if i == 4: p["amount"] = "-20.00"
    reqs.append({"jsonrpc": "2.0", "id": i, "method": "expense.add", "params": p})
for d in ("2025-12-31", "2027-01-01"):
    reqs.append({"jsonrpc": "2.0", "id": d, "method": "expense.add", "params":
        {"user": "alice", "amount": "5555.55", "category": "food", "date": d}})
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
f = s.makefile("rwb"); f.write((json.dumps(reqs) + "\n").encode()); f.flush()
r = json.loads(f.readline())
bad = [x for x in r if "error" in x]
assert len(r) == 92 and not bad, bad[:3]
PY

check "pdf export of 2026" export_to pdf "$T/report.pdf" --from 2026-01-01 --to 2026-12-31
check "pdftotext reads it" pdftotext -enc UTF-8 "$T/report.pdf" "$T/report.txt"
n=$(pdfinfo "$T/report.pdf" 2>/dev/null | sed -n 's/^Pages: *//p')
check "several pages" test "${n:-0}" -ge 3
txt=$(cat "$T/report.txt")
like "owner" "$txt" "Owner: alice"
like "period" "$txt" "Period: 2026-01-01 – 2026-12-31"
like "Café" "$txt" "Café crème"
like "₹" "$txt" "₹ 250"
like "日本" "$txt" "₹ 250 and 日本"
like "payees" "$txt" "Hôtel du Nord"
like "first page numbered" "$txt" "Page 1 of $n"
like "last page numbered" "$txt" "Page $n of $n"
case $txt in *ZZTAIL*) not_ok "a long note is cut to its column" ;;
*) ok "a long note is cut to its column" ;; esac
case $txt in *5555.55*) not_ok "expenses outside the period stay out" ;;
*) ok "expenses outside the period stay out" ;; esac

# Spend's own totals, digit for digit, in the report
check "Spend's totals per currency and category are in the report" \
	python3 - "$T/report.txt" "$SPENDCTL" "$SOCK" <<'PY'
import json, subprocess, sys
txt = open(sys.argv[1], encoding="utf-8").read()
def spend(*a):
    return json.loads(subprocess.run([sys.argv[2], "--socket", sys.argv[3], "--user",
        "alice", "--json", "expense", "list", "--all", "--from", "2026-01-01",
        "--to", "2026-12-31"] + list(a), capture_output=True, text=True,
        check=True).stdout)
missing = []
for cur, v in spend()["sum"].items():
    if "%s %s" % (v, cur) not in txt: missing.append("total %s %s" % (v, cur))
for cat in ("food", "travel", "other"):
    for cur, v in spend("--category", cat)["sum"].items():
        if "%s %s" % (v, cur) not in txt: missing.append("%s %s %s" % (cat, v, cur))
assert not missing, missing
assert "1200 JPY" in txt and "12.345 BHD" in txt and "-20.00 EUR" in txt
PY

check "every page has its number" sh -c '
	i=1; while [ $i -le '"$n"' ]; do
		pdftotext -enc UTF-8 -f $i -l $i "'"$T"'/report.pdf" - 2>/dev/null |
		    grep -q "Page $i of '"$n"'" || exit 1
		i=$((i + 1))
	done'
check "the list header repeats on every list page" sh -c '
	i=2; while [ $i -le '"$n"' ]; do
		pdftotext -f $i -l $i "'"$T"'/report.pdf" - 2>/dev/null |
		    grep -q "^Amount$" || exit 1
		i=$((i + 1))
	done'
check "the fonts are embedded" sh -c "pdffonts '$T/report.pdf' 2>/dev/null | grep DejaVuSans | grep -q ' yes '"
check "pdftoppm renders page 1" pdftoppm -png -r 60 -f 1 -l 1 "$T/report.pdf" "$T/page"
check "the image is there" test -s "$T/page-1.png"

check "pdf export of an empty period" export_to pdf "$T/empty.pdf" --month 2024-01
like "says so" "$(pdftotext "$T/empty.pdf" - 2>/dev/null)" "No expenses"

done_testing
