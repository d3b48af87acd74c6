#!/bin/sh
# last: tests/run.sh starts this once every other test of the run is done
#
# No secret in any log line of the whole regress run: every spendd log
# the regress tests left in $SPEND_LOG_DIR (tests/regress/lib.sh keeps
# them, tests/run.sh empties the directory when all regress tests run) is
# searched for the passwords the tests use (read from the tests'
# sources), access tokens (JWTs: "eyJ..." with three parts), refresh
# tokens (43 characters of base64url alone), webhook secrets (whsec_),
# Authorization headers and refresh cookies. A hit fails, naming the
# file and the line. LOGS=DIR searches another directory.
. "$(dirname "$0")/lib.sh"

LOGS=${LOGS:-${SPEND_LOG_DIR:-$TOP/${B:-build}/tests/log/spendd}}
case $LOGS in /*) ;; *) LOGS=$TOP/$LOGS ;; esac

n=$(find "$LOGS" -type f 2>/dev/null | wc -l)
isnt "the regress tests left spendd logs in $LOGS" "$n" 0
echo "# $n logs, $(cat "$LOGS"/* 2>/dev/null | wc -l) lines"

# The passwords of the tests: the literal ones of 8 characters or more
# (shorter ones, "x" or "short", are words a log may hold for other
# reasons) in "password":"..." and "new_password":"..." of the regress
# tests and the crash test, what they pipe to --password-stdin, and the
# crash test's PASSWORD.
{
	grep -hoE '"(new_)?password" *: *"[^"$'\'']{8,}"' \
	    "$TOP"/tests/regress/*.sh "$TOP"/tests/crash/*.py |
	    sed 's/.*: *"\(.*\)"$/\1/'
	grep -hoE "printf '[^'\\\\%\$]{8,}\\\\n' *\\| *(ctl|\"\\\$SPENDCTL\")" \
	    "$TOP"/tests/regress/*.sh | sed "s/^printf '\\([^\\\\]*\\).*/\\1/"
	sed -n 's/^PASSWORD = "\(.*\)"$/\1/p' "$TOP"/tests/crash/crash.py
} | sort -u >"$T/passwords"
np=$(wc -l <"$T/passwords")
echo "# $np passwords: $(tr '\n' ' ' <"$T/passwords")"
check "the tests' passwords were found (alice-pass, root-pass...)" \
    grep -qx 'alice-pass' "$T/passwords"
check "... the crash test's too" grep -qx 'crash-test-pass' "$T/passwords"
check "... and the new passwords of password changes" \
    grep -qx 'new-pass-123' "$T/passwords"

# hits PATTERN-KIND: grep's "file:line: text" lines, the file named by
# its test; the text cut to 160 characters
hits() {
	sed 's|^'"$LOGS"'/||' | cut -c1-240
}

grep -rnF -f "$T/passwords" "$LOGS" 2>/dev/null | hits >"$T/pw-hits"
is "no test password in any spendd log" "$(head -5 "$T/pw-hits")" ""

grep -rnE 'eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.' "$LOGS" 2>/dev/null |
    hits >"$T/jwt-hits"
is "no JWT (eyJ...) in any spendd log" "$(head -5 "$T/jwt-hits")" ""

grep -rnE '(^|[^A-Za-z0-9_-])[A-Za-z0-9_-]{43}([^A-Za-z0-9_-]|$)' "$LOGS" \
    2>/dev/null | hits >"$T/refresh-hits"
is "no refresh token (43 characters of base64url) in any spendd log" \
    "$(head -5 "$T/refresh-hits")" ""

grep -rnE 'whsec_[0-9a-f]{8}' "$LOGS" 2>/dev/null | hits >"$T/whsec-hits"
is "no webhook secret (whsec_...) in any spendd log" \
    "$(head -5 "$T/whsec-hits")" ""

grep -rniE 'authorization: *(bearer|basic) +[^ ]|spend_refresh=[A-Za-z0-9_-]' \
    "$LOGS" 2>/dev/null | hits >"$T/header-hits"
is "no Authorization header or refresh cookie in any spendd log" \
    "$(head -5 "$T/header-hits")" ""

# the patterns find what they look for (the check can fail)
mkdir -p "$T/probe"
printf '%s\n' "2026-01-01T00:00:00.000Z info: ok" \
    "2026-01-01T00:00:00.000Z info: login alice-pass" \
    "x eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig" \
    "x rt $(repeat 43 A) y" "x whsec_0123456789abcdef" \
    "x Authorization: Bearer abc" >"$T/probe/t.txt"
like "the password search finds one" \
    "$(grep -rnF -f "$T/passwords" "$T/probe")" "t.txt:2:"
like "the JWT search finds one" "$(grep -rnE \
    'eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.' "$T/probe")" "t.txt:3:"
like "the refresh token search finds one" "$(grep -rnE \
    '(^|[^A-Za-z0-9_-])[A-Za-z0-9_-]{43}([^A-Za-z0-9_-]|$)' "$T/probe")" \
    "t.txt:4:"
like "the webhook secret search finds one" "$(grep -rnE \
    'whsec_[0-9a-f]{8}' "$T/probe")" "t.txt:5:"
done_testing
