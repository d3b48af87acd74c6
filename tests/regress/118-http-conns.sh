#!/bin/sh
# Connection limits: one address cannot take every connection
# ([http] max_connections_per_address), and past the fd limit accept()'s
# EMFILE pauses accepting instead of spinning, with a rate-limited log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

start_spendd -o http.max_connections_per_address=20 ||
    { not_ok "spendd starts"; done_testing; }
python3 "$TOP/tests/regress/rawhttp.py" caps "$HTTP_PORT" - "$SPENDD_PID" ||
    not_ok "rawhttp.py caps: every case passed"
n=$(grep -c "max_connections_per_address" "$T/spendd.log")
[ "$n" -ge 1 ] && [ "$n" -le 2 ] && ok "the refusals are logged, rate-limited ($n lines)" ||
    not_ok "the refusals are logged, rate-limited ($n lines)"
stop_spendd

# a low fd limit, and a connection cap above it on purpose
: >"$T/spendd.log"
(ulimit -n 96 && start_spendd -o http.max_connections=1000 && wait) &
sub=$!
wait_for "spendd to start" in_file "spendd .* started" "$T/spendd.log"
SPENDD_PID=$(cat "$T/data/spendd.pid")
like "the cap above the fd limit is warned about" "$(cat "$T/spendd.log")" "more than the fd limit leaves room for"
python3 "$TOP/tests/regress/rawhttp.py" emfile "$HTTP_PORT" - "$SPENDD_PID" ||
    not_ok "rawhttp.py emfile: every case passed"
n=$(grep -c "accept: Too many open files" "$T/spendd.log")
[ "$n" -ge 1 ] && [ "$n" -le 2 ] && ok "EMFILE is logged, rate-limited ($n lines)" ||
    not_ok "EMFILE is logged, rate-limited ($n lines)"
kill -TERM "$SPENDD_PID"; wait $sub 2>/dev/null; SPENDD_PID=""
done_testing
