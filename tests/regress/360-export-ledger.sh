#!/bin/sh
# The ledger exporter through a real spendd: `hledger bal` and `ledger bal`
# of the journal equal Spend's own totals to the cent, per currency and per
# category, with text that ledger would otherwise misread.
. "$(dirname "$0")/lib.sh"

# export_to FORMAT FILE [--filter VALUE]...
export_to() {
	_f=$1 _o=$2; shift 2
	ctl --user alice export --format "$_f" "$@" -o "$_o"
}

start_spendd || { not_ok "spendd starts"; done_testing; }
ctl user add alice --currency EUR >/dev/null
export SPEND_USER=alice
add() { ctl expense add "$@" >/dev/null || not_ok "expense add $*"; }
ctl category add 'Books; Media' >/dev/null
ctl category add 'Home  (rent)' >/dev/null
ctl category add 'Sub:Cat' >/dev/null

add 12.50 food --date 2026-01-03 --payee 'Café; Bar' --note 'lunch: with Bob' --tag work
add 0.10 food --date 2026-01-03 --payee '(not a code)'
add 0.20 food --date 2026-01-04 --payee '*star' --note "two
lines"
add 1000 travel --currency JPY --date 2026-01-04 --payee '日本の店'
add 1 travel --currency JPY --date 2026-01-05 --payee '!bang'
add 1.234 'Books; Media' --currency BHD --date 2026-01-05
add 0.001 'Books; Media' --currency BHD --date 2026-01-06
add 850.00 'Home  (rent)' --date 2026-01-07 --payee 'Landlord  Inc'
add -3.25 food --date 2026-01-08 --payee 'Refund'
add 99999999.99 'Sub:Cat' --currency USD --date 2026-01-09
add 7.77 other --date 2026-02-01

check "ledger export" export_to ledger "$T/out.journal"
check "hledger -f out.journal bal" hledger -f "$T/out.journal" bal
cp "$T/out" "$T/hledger.bal"
check "ledger -f out.journal bal" ledger -f "$T/out.journal" bal
cp "$T/out" "$T/ledger.bal"

# Both balance reports against Spend's sums (expense list), read exactly.
check "both tools' totals equal Spend's, per currency and category" \
	python3 - "$T" "$SPENDCTL" "$SOCK" <<'PY'
import json, re, subprocess, sys
from decimal import Decimal
T, ctl, sock = sys.argv[1:4]
EXP = {"EUR": 2, "JPY": 0, "BHD": 3, "USD": 2}

def spend(*args):
    return json.loads(subprocess.run([ctl, "--socket", sock, "--user", "alice",
        "--json", "expense", "list", "--all"] + list(args), capture_output=True,
        text=True, check=True).stdout)

def tool(cmd):
    """account -> {currency: amount string} from a flat balance report."""
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    bal, pend = {}, []
    for line in out.splitlines():
        s = line.strip()
        if not s or s.startswith("--") or set(s) <= set("0 "):
            continue
        m = re.match(r"^(-?\d+(?:\.\d+)?) ([A-Z]{3})(?:\s{2,}(.*))?$", s)
        assert m, "cannot read %r" % line
        num, cur, acct = m.groups()
        # exactly the currency's decimals, never rounded
        assert len(num.partition(".")[2]) == EXP[cur], (num, cur)
        pend.append((cur, num))
        if acct:
            bal[acct] = dict(pend); pend = []
    assert not pend, pend
    return bal

want = {}
tot = spend()["sum"]                       # {"EUR": "867.32", ...}
want["assets:spend"] = {c: str(-Decimal(v)) if Decimal(v) else None for c, v in tot.items()}
names = {"food": "food", "travel": "travel", "other": "other",
         "Books; Media": "Books; Media", "Home  (rent)": "Home (rent)", "Sub:Cat": "Sub-Cat"}
for cat, acct in names.items():
    s = spend("--category", cat)["sum"]
    want["expenses:" + acct] = s
for a in want:   # zero balances are hidden by both tools
    want[a] = {c: v for c, v in want[a].items() if v is not None and Decimal(v) != 0}
want = {a: v for a, v in want.items() if v}
# normalise "-0.00"-free strings the way the tools print them
def norm(d): return {a: {c: str(Decimal(v)) for c, v in m.items()} for a, m in d.items()}
h = tool(["hledger", "-f", T + "/out.journal", "bal", "--flat"])
l = tool(["ledger", "-f", T + "/out.journal", "bal", "--flat"])
assert norm(h) == norm(want), ("hledger", h, want)
assert norm(l) == norm(want), ("ledger", l, want)
# and Spend's own per-currency totals, digit for digit
for c, v in tot.items():
    assert h["assets:spend"][c] == "-" + v, (c, h["assets:spend"][c], v)
PY

check "payees survive as both tools read them" python3 - "$T/out.journal" <<'PY'
import subprocess, sys
f = sys.argv[1]
want = {"Café, Bar", "(not a code)", "*star", "日本の店", "!bang", "Landlord Inc",
        "Refund"}
h = set(subprocess.run(["hledger", "-f", f, "descriptions"], capture_output=True,
        text=True, check=True).stdout.splitlines())
l = set(subprocess.run(["ledger", "-f", f, "payees"], capture_output=True,
        text=True, check=True).stdout.splitlines())
assert want <= h, (want - h)
assert want <= l, (want - l)
PY
like "notes are comments" "$(cat "$T/out.journal")" "    ; lunch: with Bob"
like "tags are ledger tags" "$(cat "$T/out.journal")" "    ; :work:"
check "ledger sees the tag" sh -c "ledger -f '$T/out.journal' reg %work | grep -q 'Café, Bar'"
check "hledger sees the tag" sh -c "hledger -f '$T/out.journal' reg tag:work | grep -q 'Café, Bar'"

check "ledger export of one month" export_to ledger "$T/feb.journal" --month 2026-02
check "hledger reads it" hledger -f "$T/feb.journal" bal
like "only February" "$(cat "$T/out")" "7.77 EUR"
is "one transaction" "$(grep -c '^2026-' "$T/feb.journal")" 1

done_testing
