#!/bin/sh
# Bad input of every kind: each is refused with a message that says what
# and where, spendctl exits 1, the daemon keeps serving, and nothing stored
# changes (the full listings before and after are byte for byte equal).
. "$(dirname "$0")/lib.sh"

start_spendd || { not_ok "spendd starts"; done_testing; }
ctl user add alice --currency EUR >/dev/null
export SPEND_USER=alice
ctl category archive travel >/dev/null
id=$(ctl --json expense add 12.50 food --date 2026-01-15 --note keep --tag x | jget id)
ctl expense add 3.20 transport --date 2026-01-16 >/dev/null
ctl expense add 1000 food --currency JPY --date 2026-01-17 >/dev/null

snapshot() {
	{ ctl --json expense list --all; ctl --json category list --archived
	  ctl --json user list; } 2>&1
}
before=$(snapshot)

# refused "description" "expected message part" spendctl-args...
refused() {
	d=$1 msg=$2; shift 2
	ctl "$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc -eq 1 ] && grep -qF -- "$msg" "$T/err" && [ ! -s "$T/out" ]; then
		ok "$d"; [ -z "${SHOW:-}" ] || sed "s/^/#   /" "$T/err"
	else
		not_ok "$d (exit $rc)"
		echo "#   wanted on stderr: $msg"; sed 's/^/#   /' "$T/err" "$T/out" | head -5
	fi
}

# ---- amounts ----
refused "empty amount" 'amount "": empty' expense add "" food
refused "12,5x" 'amount "12,5x": not a decimal number' expense add 12,5x food
refused "1e3" 'amount "1e3": exponents are not allowed' expense add 1e3 food
refused "NaN" 'amount "NaN": not a decimal number' expense add NaN food
refused "inf" 'amount "inf"' expense add inf food
refused "Infinity" 'amount "Infinity"' expense add Infinity food
refused "too many decimals" 'amount "1.234": too many decimals' expense add 1.234 food
refused "overflow" 'amount "99999999999999999999": too large' expense add 99999999999999999999 food
refused "just over the limit" 'too large' expense add 1000000000000.01 food
refused "zero" 'amount must not be zero' expense add 0.00 food
refused "two points" 'amount "12.5.0"' expense add 12.5.0 food
refused "grouping" 'amount "1,000.00"' expense add 1,000.00 food
refused "hex" 'amount "0x10"' expense add 0x10 food
refused "double sign" 'amount "+-1"' expense add +-1 food
refused "inner space" 'amount "1 2"' expense add "1 2" food
refused "a lone point" 'amount "."' expense add . food
refused "non-ASCII digits" 'amount "١٢"' expense add "١٢" food
refused "amount as a JSON number" 'not a JSON number' call expense.add '{"amount": 0.1, "category": "food"}'

# ---- other fields ----
refused "unknown currency" 'currency "XYZ": not an ISO 4217 code' expense add 1 food --currency XYZ
refused "bad date 2023-02-30" 'date "2023-02-30": not a calendar date' expense add 1 food --date 2023-02-30
refused "month 13" 'date "2024-13-01"' expense add 1 food --date 2024-13-01
refused "date in words" 'date "yesterday"' expense add 1 food --date yesterday
refused "unknown category" 'no such category "nosuch"' expense add 1 nosuch
refused "archived category" 'category "travel" is archived' expense add 1 travel
refused "tag with a space" 'tag "a b"' expense add 1 food --tag "a b"
refused "empty tag" 'tag ""' expense add 1 food --tag ""
long=$(repeat 1001 n)
refused "note too long" 'note is too long' expense add 1 food --note "$long"
refused "17 tags" 'at most 16 tags' expense add 1 food $(i=0; while [ $i -lt 17 ]; do printf -- '--tag t%d ' $i; i=$((i + 1)); done)
refused "unknown parameter" 'unknown parameter "colour"' call expense.add '{"amount": "1", "category": "food", "colour": "red"}'
refused "unknown parameter on list" 'unknown parameter "colour"' call expense.list '{"colour": "red"}'
refused "user on a method that acts for nobody" 'does not act for a user' call user.list '{"user": "alice"}'

# ---- edits and deletes ----
refused "stale version" 'was changed meanwhile' expense edit "$id" --note changed --version 9
refused "bad amount in an edit" 'amount "12,5x"' expense edit "$id" --amount 12,5x
refused "bad date in an edit" 'date "2023-02-30"' expense edit "$id" --date 2023-02-30
refused "archived category in an edit" 'category "travel" is archived' expense edit "$id" --category travel
refused "bad id" 'id: "abc" is not an integer' expense show abc
refused "unknown id" 'no such expense 999999' expense show 999999
refused "edit of an unknown id" 'no such expense 999999' expense edit 999999 --note x
refused "rm with a stale version" 'version' expense rm "$id" --version 9

# ---- list filters ----
refused "bad cursor" 'cursor is not valid' expense list --cursor garbage
cur=$(ctl --json expense list --limit 1 | jget next_cursor)
refused "cursor of another sort order" 'another sort order' expense list --cursor "$cur" --sort amount
refused "bad month" 'month "2026-13"' expense list --month 2026-13
refused "month and from" 'month or from/to' expense list --month 2026-01 --from 2026-01-01
refused "bad from" 'from "2026-02-30"' expense list --from 2026-02-30
refused "to before from" 'is before from' expense list --from 2026-02-01 --to 2026-01-01
refused "bad sort" 'sort "colour"' expense list --sort colour
refused "limit 0" 'limit must be between 1 and 500' expense list --limit 0
refused "limit 501" 'limit must be between 1 and 500' expense list --limit 501
refused "bad min" 'abc' expense list --min abc
refused "unknown currency filter" 'currency "XXX"' expense list --currency XXX
refused "unknown category filter" 'no such category' expense list --category nosuch

# ---- categories and users ----
refused "empty category name" 'must not be empty' category add ""
refused "taken category name" 'category "Food" already exists' category add Food
refused "digits-only category name" 'only digits' category add 123
refused "rename onto a taken name" 'food' category rename transport food
refused "delete of a used category" 'transport' category delete transport
refused "delete --move-to nowhere" 'move_to' category delete transport --move-to nosuch
refused "bad user name" 'user name "bad name!"' user add "bad name!"
refused "unknown base currency" 'currency "XXX"' user add bob --currency XXX
refused "unknown user" 'nobody' --user nobody expense list

# ---- the wire: junk lines get errors, the connection and daemon live on ----
python3 - "$SOCK" >"$T/wire" 2>&1 <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
f = s.makefile("rwb")
def send(line):
    f.write(line + b"\n"); f.flush()
    return json.loads(f.readline())
print(send(b"not json")["error"]["code"])
print(send(b'{"jsonrpc": "1.0", "method": "daemon.version", "id": 1}')["error"]["code"])
print(send(b'{"jsonrpc": "2.0", "method": "no.such", "id": 2}')["error"]["code"])
print(send(b'[]')["error"]["code"])
print(send(b'{"jsonrpc": "2.0", "method": "daemon.version", "params": [1], "id": 3}')["error"]["code"])
print(send(b'\xff\xfe')["error"]["code"])
print(send(b'{"jsonrpc": "2.0", "method": "daemon.version", "id": 4}')["result"]["protocol"])
PY
is "junk on the wire: parse error, invalid request, no method, ..." \
	"$(tr '\n' ' ' <"$T/wire")" "-32700 -32600 -32601 -32600 -32600 -32700 1 "

after=$(snapshot)
if [ "$before" = "$after" ]; then ok "nothing stored changed"; else
	not_ok "nothing stored changed"
	printf '%s\n' "$before" >"$T/before"; printf '%s\n' "$after" >"$T/after"
	diff "$T/before" "$T/after" | head -20 | sed 's/^/#   /'
fi
alive && ok "spendd still serving" || not_ok "spendd still serving"
check "status after all that" ctl status
done_testing
