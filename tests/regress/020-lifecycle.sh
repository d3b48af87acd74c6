#!/bin/sh
# The daemon's life: socket and file permissions, peer uid checks, SIGHUP
# reload, restart keeping every row, a second spendd refused, SIGTERM
# shutting down cleanly (socket and pid file removed, exit 0).
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/data"
printf '[daemon]\nadmin_uids =\n' >"$T/spendd.conf"
# an upload a killed spendd left behind, and a file that is not one
echo "half an upload" >"$T/data/upload.Ab12Cd"
echo "mine" >"$T/data/upload.notes"
start_spendd -c "$T/spendd.conf" || { not_ok "spendd starts"; done_testing; }
check_fails "a leftover upload is removed at start" test -e "$T/data/upload.Ab12Cd"
check "... but nothing else" test -e "$T/data/upload.notes"
like "... and the log says so" "$(cat "$T/spendd.log")" "removed 1 upload left by an earlier spendd"
ctl user add alice >/dev/null
export SPEND_USER=alice
i=0; while [ $i -lt 20 ]; do
	ctl expense add "$((i + 1)).$((i % 10))5" food --date 2026-01-0$((i % 9 + 1)) --note "n$i" >/dev/null
	i=$((i + 1))
done
snapshot() { ctl --json expense list --all; ctl --json category list --archived; ctl --json user list; }
before=$(snapshot)
is "20 expenses stored" "$(ctl --json expense list | jget count)" 20

# ---- permissions ----
is "the socket is a socket with mode 0660" "$(stat -c '%F %a' "$SOCK")" "socket 660"
is "the pid file names spendd" "$(cat "$T/data/spendd.pid")" "$SPENDD_PID"
mode=$(stat -c '%a' "$T/data/spend.db")
case $mode in *0) ok "the database is not readable by others ($mode)" ;;
	*) not_ok "the database is not readable by others ($mode)" ;; esac

# ---- a uid that is not an administrator ----
asnobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$SPENDCTL" --socket "$SOCK" "$@"; }
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	check_fails "nobody cannot reach the socket" asnobody status
	like "... and is told why" "$(cat "$T/err")" "Permission denied"
	chmod 711 "$T" "$T/data"; chmod 666 "$SOCK"
	check_fails "nobody reaching the socket is refused by uid" asnobody status
	like "... with the reason" "$(cat "$T/err")" "uid not allowed on the control socket"
	check_fails "... for every method" asnobody --user alice expense list
else
	ok "# SKIP peer uid checks need root and setpriv"
fi

# ---- SIGHUP: reload, keep serving ----
reloads() { grep -c "configuration reloaded" "$T/spendd.log"; }
wait_log() {	# wait_log PATTERN COUNT: the log has COUNT lines matching
	wait_for "$2 log lines of $1" lines_in_file "$1" "$T/spendd.log" "$2"
}
printf '[daemon]\nadmin_uids = 65534\n' >"$T/spendd.conf"
kill -HUP "$SPENDD_PID"
wait_log "configuration reloaded" 1
is "SIGHUP reloads the configuration" "$(reloads)" 1
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	check "the reloaded admin_uids lets nobody in" asnobody status
fi
check "serving after SIGHUP" ctl status
printf '[daemon]\nno_such_key = 1\n' >"$T/spendd.conf"
kill -HUP "$SPENDD_PID"
wait_log "keeping the running configuration" 1
like "a broken file on SIGHUP keeps the running configuration" \
	"$(cat "$T/spendd.log")" "keeping the running configuration"
check "serving after a failed reload" ctl expense list
alive && ok "alive after two SIGHUPs" || not_ok "alive after two SIGHUPs"
is "nothing changed by reloads" "$(snapshot)" "$before"
printf '[daemon]\nadmin_uids =\n' >"$T/spendd.conf"

# ---- a second spendd on the same data is refused ----
timeout 20 "$SPENDD" -f --data-dir "$T/data" -o http.listen= >"$T/second.log" 2>&1
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] && ok "a second spendd on the same data dir exits ($rc)" ||
	not_ok "a second spendd on the same data dir exits ($rc)"
like "... saying why" "$(cat "$T/second.log")" "another spendd"
check "the first one still serves" ctl status

# ---- restart keeps all data ----
stop_spendd
start_spendd -c "$T/spendd.conf" || not_ok "spendd restarts"
is "every row survives a restart" "$(snapshot)" "$before"
check "and takes writes" ctl expense add 1 food
check "and the new row reads back" ctl expense show "$(ctl --json expense list --limit 1 --sort created | jget items.0.id)"

# ---- SIGTERM: clean shutdown, even with an idle client connected ----
python3 - "$SOCK" "$T/idle.ready" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
open(sys.argv[2], "w").close()
time.sleep(30)
PY
idle=$!
wait_for "the idle client to connect" test -f "$T/idle.ready"
pid=$SPENDD_PID
kill -TERM "$pid"
if ! wait_for -t 15 "spendd to stop" gone "$pid"; then
	not_ok "SIGTERM stops spendd with an idle client connected"
	kill -KILL "$pid"
else
	ok "SIGTERM stops spendd with an idle client connected"
fi
wait "$pid"; rc=$?
SPENDD_PID=""
kill "$idle" 2>/dev/null; wait "$idle" 2>/dev/null
is "exit status 0" "$rc" 0
[ ! -e "$SOCK" ] && ok "the socket is removed" || not_ok "the socket is removed"
[ ! -e "$T/data/spendd.pid" ] && ok "the pid file is removed" || not_ok "the pid file is removed"
like "the log says it stopped" "$(tail -1 "$T/spendd.log")" "stopped"
check_fails "spendctl then says nobody is there" ctl status
like "... clearly" "$(cat "$T/err")" "is spendd running?"

# a last start: the data is still all there after the SIGTERM
start_spendd -c "$T/spendd.conf" || not_ok "spendd starts again"
is "21 expenses after SIGTERM and start" "$(ctl --json expense list | jget count)" 21
done_testing
