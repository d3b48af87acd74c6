#!/bin/sh
# The json exporter through a real spendd: the file is the same expenses,
# in the same shape, as `expense list`, whatever the notes contain.
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

add 12.50 food --date 2026-01-03 --payee 'Café "Le Zinc"' --note 'two \ coffees' --tag work --tag trip
add 1000 travel --currency JPY --date 2026-01-04 --payee '日本の店' --note "line one
line two	tabbed"
add 1.234 food --currency BHD --date 2026-01-05 --note '₹ and </script> and ,;:'
add -3.25 food --date 2026-01-06 --payee 'Refund'
add 0.01 other --date 2026-02-01

check "json export of everything" export_to json "$T/all.json"
check "the file is one JSON array equal to expense list" python3 - "$T/all.json" "$SPENDCTL" "$SOCK" <<'PY'
import json, subprocess, sys
path, ctl, sock = sys.argv[1:4]
text = open(path, encoding="utf-8").read()
got = json.loads(text)           # strict: must parse as a whole
assert isinstance(got, list) and text.startswith("[") and text.rstrip().endswith("]"), text[:80]
lst = json.loads(subprocess.run([ctl, "--socket", sock, "--user", "alice", "--json",
    "expense", "list", "--all"], capture_output=True, text=True, check=True).stdout)
want = {e["id"]: e for e in lst["items"]}
assert len(got) == len(want) == 5, (len(got), len(want))
for e in got:
    w = dict(want[e["id"]])
    w.pop("recurring_id")        # the link to a recurring rule stays in spendd
    w.pop("category_auto")       # so does who chose the category
    assert e == w, (e, w)
    assert isinstance(e["amount"], str)
PY
check "amounts keep their currency's decimals" python3 - "$T/all.json" <<'PY'
import json, sys
got = {e["currency"] + " " + e["amount"] for e in json.load(open(sys.argv[1]))}
assert got == {"EUR 12.50", "JPY 1000", "BHD 1.234", "EUR -3.25", "EUR 0.01"}, got
PY
check "control characters are escaped, not raw" python3 - "$T/all.json" <<'PY'
import sys
raw = open(sys.argv[1], "rb").read()
assert b"\t" not in raw and b"line one\nline two" not in raw, raw
assert b"\\n" in raw and b"\\t" in raw
PY

check "json export with a month filter" export_to json "$T/jan.json" --month 2026-01
is "the filter applies" "$(jget '#' <"$T/jan.json")" 4
check "json export of nothing" export_to json "$T/none.json" --month 2025-01
is "an empty array" "$(cat "$T/none.json")" "[]"

done_testing
