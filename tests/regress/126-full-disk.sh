#!/bin/sh
# A full disk: the data dir on a small tmpfs, filled up while spendd runs.
# Reads (list, get, status) go on; writes fail with disk_full (HTTP 507,
# JSON-RPC -32057) saying so, and so do an export into the data dir and
# a signing-key rotation; a login says it cannot start a session;
# nothing stored is lost; once the filler is gone writes and logins work
# again without a restart, and PRAGMA integrity_check is ok.
#
# Mounting a tmpfs needs a mount namespace of our own: as root, or as
# anyone through an unprivileged user namespace (unshare --user
# --map-root-user --mount). Where neither works the test says it skips.

if [ -z "${SPEND_FULL_DISK_NS:-}" ]; then
	probe='d=$(mktemp -d) || exit 1
		mount -t tmpfs -o size=1m spend-probe "$d" && umount "$d"; r=$?
		rmdir "$d"; exit $r'
	if [ "$(id -u)" = 0 ] && unshare --mount sh -c "$probe" 2>/dev/null; then
		set -- unshare --mount --propagation private
	elif unshare --user --map-root-user --mount sh -c "$probe" 2>/dev/null
	then
		set -- unshare --user --map-root-user --mount --propagation private
	else
		echo "ok - # SKIP full disk: cannot mount a tmpfs here (neither" \
		    "root nor an unprivileged user namespace: unshare --user" \
		    "--map-root-user --mount failed)"
		exit 0
	fi
	SPEND_FULL_DISK_NS=1 exec "$@" sh "$0"
fi

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

DB=$T/data/spend.db
FILLER=$T/data/filler

finish() {
	stop_spendd
	# (KEEP=1: the data dir outlives its tmpfs)
	[ "${KEEP:-0}" = 1 ] && cp -R "$T/data" "$T/data.kept" 2>/dev/null
	umount "$T/data" 2>/dev/null
	done_testing
}

mkdir -p "$T/data"
if ! mount -t tmpfs -o size=8m,mode=0750 spend-full-disk "$T/data"; then
	not_ok "mount a tmpfs on the data dir"
	finish
fi
ok "the data dir is an 8 MB tmpfs (in a mount namespace of this test)"

# fill: write the filler until the disk refuses, in 4 KB blocks
fill() {
	dd if=/dev/zero of="$FILLER" bs=4096 2>/dev/null
	sync
}
# integrity_check on a connection of its own (as a restart would see it)
integrity() {
	python3 - "$DB" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("PRAGMA integrity_check").fetchone()[0])
PY
}
# the expenses of alice as "id amount note" lines, in id order
listing() {
	as "$A" GET "/api/v1/expenses?limit=500&sort=created"
	[ "$STATUS" = 200 ] || { echo "status $STATUS: $BODY"; return 1; }
	printf '%s' "$BODY" | python3 -c 'import json, sys
for e in sorted(json.load(sys.stdin)["items"], key=lambda e: e["id"]):
    print(e["id"], e["amount"], e["note"])'
}
add() { # NOTE: POST an expense, sets STATUS and BODY
	as "$A" POST /api/v1/expenses "{\"amount\":\"3.50\",\"category\":\"food\",\"note\":\"$1\"}"
}

# slow hashing at the next start, so alice's next login rehashes
start_spendd || { not_ok "spendd starts"; finish; }
req POST /api/v1/auth/register '{"username":"alice","password":"alice-pass-1"}'
expect "alice registers" 201
login alice alice-pass-1 || not_ok "alice logs in"
A=$TOKEN
for i in $(seq 1 20); do
	add "before $i"
	[ "$STATUS" = 201 ] || { not_ok "expense $i: $STATUS $BODY"; break; }
done
ID=$(jb id)
before=$(listing)
is "20 expenses stored" "$(printf '%s\n' "$before" | wc -l | tr -d ' ')" 20
# the cost goes up: alice's hash will want a rehash at her next login
stop_spendd
start_spendd -o auth.argon2_opslimit=2 -o auth.argon2_memlimit=16k ||
    { not_ok "spendd restarts"; finish; }

fill
avail=$(df -k "$T/data" | awk 'NR == 2 { print $4 }')
is "the disk is full" "$avail" 0

# ---- reads go on ----
now=$(listing)
is "expense list on a full disk: everything is there" "$now" "$before"
as "$A" GET "/api/v1/expenses/$ID"
expect "expense get on a full disk" 200
r=$(ctl status 2>&1)
check "daemon status on a full disk" test -n "$r"
like "... answers" "$r" "users"
as "$A" GET /api/v1/me
expect "an access token still works" 200

# ---- writes fail, saying why ----
# (the WAL may have room for a frame or two: the first write that needs a
# new block of the disk is the one that must fail)
i=0; wrote=""
while [ $i -lt 20 ]; do
	i=$((i + 1))
	add "on a full disk $i"
	[ "$STATUS" = 201 ] || break
	wrote="$wrote $(jb id)"
done
expect "an expense on a full disk: 507" 507
like "... type disk_full" "$BODY" '"code":"disk_full"'
like "... saying the disk is full" "$BODY" "the disk is full"
[ -z "$wrote" ] && ok "... from the first write on" ||
	echo "# (writes that still fitted in the WAL: $wrote)"
r=$(rpc expense.add '{"user":"alice","amount":"1.00","category":"food"}')
like "JSON-RPC on the socket: -32057" "$r" '"code":-32057'
like "... type disk_full" "$r" '"type":"disk_full"'
as "$A" PATCH "/api/v1/expenses/$ID" '{"note":"edited on a full disk"}'
expect "an edit: 507" 507
as "$A" DELETE "/api/v1/expenses/$ID"
expect "a delete: 507" 507
r=$(ctl --user alice category add garden 2>&1)
like "spendctl says so" "$r" "the disk is full"
check_fails "an export into the data dir fails" \
    ctl --user alice export --format csv -o "$T/data/out.csv"
like "... saying why" "$(cat "$T/err")" "No space left on device"
is "... and leaves no file behind" "$(ls "$T/data" | grep -c '^out\.csv')" 0
as "$A" POST /api/v1/auth/rotate-key
expect "a key rotation (writes jwt.key): 507" 507
as "$A" GET /api/v1/me
expect "... and the current key still works" 200

# ---- logins ----
req POST /api/v1/auth/login '{"username":"alice","password":"alice-pass-1","refresh_in_body":true}'
expect "a login on a full disk: 507, not 500" 507
like "... it cannot start a session" "$BODY" "the disk is full: cannot start a session"
req POST /api/v1/auth/login '{"username":"alice","password":"wrong-password"}'
expect "a wrong password is still 401" 401
req POST /api/v1/auth/refresh "{\"refresh_token\":\"$REFRESH\"}"
expect "a refresh on a full disk: 507" 507
like "... it cannot renew the session" "$BODY" "cannot renew the session"
like "the log names the database" "$(cat "$T/spendd.log")" "$DB"

# ---- nothing stored is lost ----
now=$(listing)
want=$before
for id in $wrote; do want=$(printf '%s\n%s 3.50 on a full disk' "$want" "$id"); done
is "after the failed writes: nothing lost, nothing half-written" \
    "$(printf '%s\n' "$now" | sed 's/ on a full disk [0-9]*$/ on a full disk/')" "$want"
check "spendd is alive" alive

# ---- space comes back: no restart ----
rm -f "$FILLER"
add "after the disk was freed"
expect "a write once space is back" 201
as "$A" PATCH "/api/v1/expenses/$ID" '{"note":"edited after"}'
expect "an edit too" 200
req POST /api/v1/auth/refresh "{\"refresh_token\":\"$REFRESH\"}"
expect "the refresh token refused on the full disk still works" 200
req POST /api/v1/auth/login '{"username":"alice","password":"alice-pass-1","refresh_in_body":true}'
expect "a login too" 200
like "... and its rehash is stored now" "$(cat "$T/spendd.log")" \
    'rehashed the password of "alice"'
is "integrity_check while spendd runs" "$(integrity)" ok
n=$(listing | wc -l | tr -d ' ')
is "every expense there" "$n" $((21 + $(echo $wrote | wc -w)))

# ---- and after a restart ----
after=$(listing)
stop_spendd
is "integrity_check after spendd stopped" "$(integrity)" ok
start_spendd || { not_ok "spendd restarts"; finish; }
is "the same expenses after a restart" "$(listing)" "$after"

finish
