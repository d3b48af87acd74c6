#!/bin/sh
# spendctl round trips: every command in human and --json form, usage
# errors (exit 2), daemon errors (exit 1), the protocol check.
. "$(dirname "$0")/lib.sh"

# exits WANT "description" command...: ok if the exit status is WANT
exits() {
	want=$1 d=$2; shift 2
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$d"; else
		not_ok "$d (exit $got, wanted $want)"
		sed 's/^/#   /' "$T/out" "$T/err" | head -10; fi
}
out() { cat "$T/out"; }
err() { cat "$T/err"; }

start_spendd || { not_ok "spendd starts"; done_testing; }

# ---- status, help, call ----
check "status" ctl status
like "status shows the protocol" "$(out)" "protocol"
like "status shows the socket" "$(out)" "$SOCK"
like "status shows when spendd started, as a date" "$(grep '^started' "$T/out")" \
	"$(date -u +%Y-%m-%d)T"
is "status --json is the raw result" \
	"$(ctl --json status | jget socket)" "$SOCK"
check "help" ctl help
like "help lists expense add" "$(out)" "expense add AMOUNT [CATEGORY]"
like "help has summaries from rpc.describe" "$(out)" "Record an expense"
like "help lists methods without a command" "$(out)" "currency.list"
check "help expense add" ctl help expense add
like "help expense add shows options" "$(out)" "[--tag TAG]..."
like "help expense add shows the method" "$(out)" "expense.add("
check "help expense (the group)" ctl help expense
like "help expense shows expense rm" "$(out)" "spendctl expense rm ID"
check "help for a method without a command" ctl help currency.list
exits 2 "help for an unknown command is a usage error" ctl help frobnicate
check "expense add --help" ctl expense add --help
like "--help prints the usage" "$(out)" "usage: spendctl expense add"
check "--help" ctl --help
check "call currency.list" ctl call currency.list
isnt "call prints JSON (a currency code)" "$(jget items.0.code <"$T/out")" ""
exits 2 "call with params that are not an object" ctl call daemon.version '[1]'
check "help without a daemon" "$SPENDCTL" --socket "$T/nothing.sock" help
like "... still lists the commands" "$(out)" "expense add AMOUNT [CATEGORY]"
like "... and says the daemon is not reachable" "$(out)" "not reachable"
check "--version" ctl --version
like "--version names the protocol" "$(out)" "protocol 1"

# ---- users ----
check "user add alice" ctl user add alice --currency EUR --timezone Europe/Paris
like "user add prints the user" "$(out)" "Europe/Paris"
check "user add bob (admin, JPY)" ctl user add bob --role admin --currency JPY
j=$(ctl --json user show bob)
is "user show bob: role" "$(echo "$j" | jget role)" "admin"
is "user show bob: currency" "$(echo "$j" | jget currency)" "JPY"
check "user list" ctl user list
like "user list shows alice" "$(out)" "alice"
like "user list counts" "$(out)" "2 users"
is "user list --json count" "$(ctl --json user list | jget count)" 2
check "a closed stdout ends spendctl quietly" sh -c '"$0" --socket "$1" help | head -1' "$SPENDCTL" "$SOCK"
is "... nothing on stderr" "$(err)" ""
exits 1 "user add of a taken name fails" ctl user add alice
exits 1 "user add with a bad role fails" ctl user add carol --role root
like "bad role: message names it" "$(err)" 'role "root"'
exits 1 "user add with a bad time zone fails" ctl user add carol --timezone Mars/Base
check "user add carol" ctl user add carol
printf 'correct horse battery staple\n' >"$T/pw"
check "user add dave --password-stdin" sh -c \
	'"$0" --socket "$1" --json user add dave --password-stdin <"$2"' "$SPENDCTL" "$SOCK" "$T/pw"
is "dave has a password" "$(jget has_password <"$T/out")" true
is "carol has none" "$(ctl --json user show carol | jget has_password)" false
check "user rm carol" ctl user rm carol
like "user rm says what it did" "$(out)" "deleted user carol"
exits 1 "user show of a removed user fails" ctl user show carol
like "not found names the user" "$(err)" "carol"

# ---- categories ----
export SPEND_USER=alice
check "category list" ctl category list
like "default categories" "$(out)" "transport"
is "8 default categories and uncategorised" \
    "$(ctl --json category list | jget count)" 9
check "category add pets" ctl category add pets
check "category show pets" ctl category show pets
like "category show" "$(out)" "pets"
check "category rename pets animals" ctl category rename pets animals
is "renamed" "$(ctl --json category show animals | jget name)" animals
exits 1 "old name is gone" ctl category show pets
check "category archive animals" ctl category archive animals
is "archived" "$(ctl --json category show animals | jget archived)" true
exits 1 "archived category takes no new expense" ctl expense add 1 animals
like "archived: message" "$(err)" 'category "animals" is archived'
check "category list hides archived" ctl category list
case $(out) in *animals*) not_ok "archived category listed" ;; *) ok "archived category not listed" ;; esac
check "category list --archived" ctl category list --archived
like "category list --archived shows it" "$(out)" "archived"
check "category unarchive animals" ctl category unarchive animals
check "expense in unarchived category" ctl expense add 1 animals --date 2026-03-10
check "category delete with --move-to" ctl category delete animals --move-to other
like "delete says where expenses went" "$(out)" "moved to other"

# ---- expenses ----
check "expense add with every field" ctl expense add 12.50 food --currency eur \
	--date 2026-03-14 --note "Lunch à deux" --payee "Café du Coin" --tag Work --tag lunch
like "expense add prints the amount with the currency" "$(out)" "12.50 EUR"
j=$(ctl --json expense add 7.25 transport --date 2026-03-15 --payee Metro --tag commute)
id=$(echo "$j" | jget id)
is "add --json: amount is a decimal string" "$(echo "$j" | jget amount)" "7.25"
is "add --json: currency defaults to the user's" "$(echo "$j" | jget currency)" EUR
is "add --json: version 1" "$(echo "$j" | jget version)" 1
j=$(ctl --json expense show "$id")
is "show: category" "$(echo "$j" | jget category)" transport
is "show: date" "$(echo "$j" | jget date)" 2026-03-15
is "show: payee" "$(echo "$j" | jget payee)" Metro
is "show: tags" "$(echo "$j" | jget -j, 'tags.*')" commute
check "expense show (human)" ctl expense show "$id"
like "show: amount with currency" "$(out)" "7.25 EUR"
check "expense edit" ctl expense edit "$id" --amount 8.00 --category food \
	--note "late" --payee "Night bus" --tag a --tag b --version 1
j=$(ctl --json expense show "$id")
is "edit: amount" "$(echo "$j" | jget amount)" 8.00
is "edit: category" "$(echo "$j" | jget category)" food
is "edit: note" "$(echo "$j" | jget note)" late
is "edit: payee" "$(echo "$j" | jget payee)" "Night bus"
is "edit: tags" "$(echo "$j" | jget -j, 'tags.*')" "a,b"
is "edit: version bumped" "$(echo "$j" | jget version)" 2
check "expense edit --no-tags --date" ctl expense edit "$id" --no-tags --date 2026-03-01
j=$(ctl --json expense show "$id")
is "edit --no-tags clears tags" "$(echo "$j" | jget tags.#)" 0
is "edit --date" "$(echo "$j" | jget date)" 2026-03-01
exits 1 "edit with a stale version fails" ctl expense edit "$id" --note x --version 1
like "stale version: message" "$(err)" "changed meanwhile"
check "expense edit --currency keeps the amount" ctl expense edit "$id" --currency USD
is "currency changed" "$(ctl --json expense show "$id" | jget -j' ' amount currency)" "8.00 USD"
check "expense add a refund (negative)" ctl expense add -2.50 food --date 2026-03-20

check "expense list" ctl expense list
like "list has a header" "$(out)" "AMOUNT"
like "list footer: count and sums" "$(out)" "expenses, sum"
like "list shows the note" "$(out)" "Lunch à deux"
# amounts are right-aligned: every line's AMOUNT column ends at one place
ends=$(python3 - "$T/out" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
hdr = lines[0]
end = hdr.index("AMOUNT") + len("AMOUNT")
rows = [l for l in lines[1:] if l[:1] == " " or l[:1].isdigit()]
rows = [l for l in rows if len(l) > end and l[end] == " "]
print("aligned" if rows and all(l[end-1].isdigit() for l in rows) else "ragged")
PY
)
is "list: amounts right-aligned under AMOUNT" "$ends" aligned
check "expense list --month" ctl --json expense list --month 2026-03 --sort amount --asc
is "month list: count" "$(jget count <"$T/out")" 4
is "month list: sorted by amount ascending" \
	"$(jget -j, 'items.*.amount' <"$T/out")" "-2.50,1.00,8.00,12.50"
is "month list: sum per currency" "$(jget -j/ sum.EUR sum.USD <"$T/out")" "11.00/8.00"
check "expense list --limit 1 shows the cursor" ctl expense list --limit 1
like "next page hint" "$(out)" "next page: --cursor "
p1=$(ctl --json expense list --limit 1)
cur=$(printf '%s' "$p1" | jget next_cursor)
check "expense list --cursor" ctl --json expense list --limit 1 --cursor "$cur"
isnt "second page is another expense" "$(jget items.0.id <"$T/out")" \
	"$(printf '%s' "$p1" | jget items.0.id)"
check "expense list --all" ctl --json expense list --all --limit 1
is "--all follows the cursor to the end" "$(jget items.# <"$T/out")" 4
is "--all ends without a cursor" "$(jget next_cursor <"$T/out")" null
check "expense rm" ctl expense rm "$id"
like "rm says what it did" "$(out)" "deleted expense $id"
exits 1 "show after rm fails" ctl expense show "$id"
like "not found: message" "$(err)" "no such expense $id"
exits 1 "rm twice fails" ctl expense rm "$id"

# ---- --user and SPEND_USER ----
unset SPEND_USER
exits 1 "expense list without a user fails" ctl expense list
like "no user: message says how" "$(err)" "--user"
check "--user selects the user" ctl --user alice expense list
check "--user after the command" ctl expense list --user alice
check "--user=NAME form" ctl --user=alice --json expense list
exits 1 "--user of an unknown user fails" ctl --user nobody-here expense list
check "user list ignores --user (not acting for a user)" ctl --user alice user list

# ---- usage errors: exit 2 with the command's usage ----
exits 2 "no command" ctl
exits 2 "unknown command" ctl frobnicate
like "unknown command: message" "$(err)" 'unknown command "frobnicate"'
exits 2 "group without a subcommand" ctl expense
like "group lists its subcommands" "$(err)" "spendctl expense list"
exits 2 "unknown option" ctl --user alice expense list --colour
like "unknown option: usage" "$(err)" "usage: spendctl expense list"
exits 2 "missing argument" ctl --user alice expense add
like "missing argument named" "$(err)" "needs AMOUNT"
exits 2 "missing argument" ctl --user alice expense edit
like "missing argument named" "$(err)" "needs ID"
exits 2 "too many arguments" ctl --user alice expense show 1 2
exits 2 "option without its value" ctl --user alice expense list --month
exits 2 "option given twice" ctl --user alice expense list --asc --desc
exits 2 "flag with a value" ctl --user alice expense list --all=yes
exits 2 "--password-stdin with nothing on stdin" sh -c \
	'"$0" --socket "$1" user add dave --password-stdin </dev/null' "$SPENDCTL" "$SOCK"
exits 2 "unknown global option" ctl --frobnicate status

# ---- connection and protocol errors: exit 1, clear message ----
exits 1 "no daemon on the socket" "$SPENDCTL" --socket "$T/nothing.sock" status
like "no daemon: message" "$(err)" "cannot connect to $T/nothing.sock"
SPEND_SOCKET=$SOCK "$SPENDCTL" status >/dev/null 2>&1 &&
	ok "SPEND_SOCKET is the default socket" || not_ok "SPEND_SOCKET is the default socket"

# a fake spendd speaking protocol 99
python3 - "$T/fake.sock" 99 >"$T/fake.log" 2>&1 <<'PY' &
import json, os, socket, sys
path, proto = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_UNIX); s.bind(path); s.listen(1)
open(path + ".ready", "w").close()
c, _ = s.accept()
f = c.makefile("rwb")
reqs = json.loads(f.readline())
out = []
for r in reqs:	# a future spendd that renamed rpc.describe
    if r["method"] == "daemon.version":
        out.append({"jsonrpc": "2.0", "id": r["id"],
                    "result": {"version": "9.9", "protocol": proto}})
    else:
        out.append({"jsonrpc": "2.0", "id": r["id"], "error":
                    {"code": -32601, "message": "no such method"}})
f.write((json.dumps(out) + "\n").encode()); f.flush()
c.close()
PY
fake=$!
wait_for "the fake spendd" test -f "$T/fake.sock.ready"
exits 1 "a daemon with another protocol is refused" "$SPENDCTL" --socket "$T/fake.sock" status
like "protocol mismatch: message" "$(err)" "speaks protocol 99"
wait $fake 2>/dev/null

alive && ok "spendd still serving" || not_ok "spendd still serving"
done_testing
