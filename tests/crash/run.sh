#!/bin/sh
# Crash test (tests/crash/crash.py): clients write through the control
# socket and HTTP, import and rotate refresh tokens while spendd is killed
# with SIGKILL at random moments and restarted; after each kill every
# acknowledged write must be there, every import whole or absent, one
# refresh token of a rotation live, and the database must pass
# integrity_check and foreign_key_check.
#   CYCLES=N (10) SEED=S sh tests/crash/run.sh [crash.py options...]
# make check runs 10 cycles (tests/regress/120-crash.sh), make soak 200
# (tests/soak/010-crash.sh). KEEP=1 keeps the temp dir and its database.
. "$(dirname "$0")/../regress/lib.sh"

for tool in python3 sqlite3; do
	if ! command -v $tool >/dev/null; then
		ok "# SKIP the crash test needs $tool"
		done_testing
	fi
done
if [ ! -f "$PLUGIN_DIR/csv.so" ]; then
	not_ok "no $PLUGIN_DIR/csv.so: build the plugins first"
	done_testing
fi

# One python3 process for the whole run; its ok/not ok lines are this
# test's (counted here for done_testing, and by tests/run.sh).
# (a claimed port: spendd restarts on it, and no other test's client may
# be given it as its local port meanwhile)
HTTP_PORT=$(free_port) || { not_ok "a free port"; done_testing; }
{ python3 "$TOP/tests/crash/crash.py" --dir "$T" --spendd "$SPENDD" \
	--spendctl "$SPENDCTL" --plugins "$PLUGIN_DIR" --port "$HTTP_PORT" \
	--cycles "${CYCLES:-10}" ${SEED:+--seed "$SEED"} "$@"
  echo $? >"$T/crash.rc"; } | tee "$T/crash.out"
_n=$(grep -c '^ok' "$T/crash.out")
_fails=$(grep -c '^not ok' "$T/crash.out")
if [ "$(cat "$T/crash.rc")" != 0 ] && [ "$_fails" -eq 0 ]; then
	not_ok "crash.py exited with status $(cat "$T/crash.rc")"
fi
done_testing
