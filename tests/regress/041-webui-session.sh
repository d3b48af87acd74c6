#!/bin/sh
# The web UI's session in headless Chromium (tests/browser/session.mjs)
# with 30 s access tokens: no refresh for a visitor without a cookie, an
# expired token refreshed once and the add retried, the quick add's date
# and category, a failed month load. About 45 s, most of it waiting for
# the token to expire.
# timeout: 180
. "$(dirname "$0")/lib.sh"

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export CHROMIUM
if ! command -v node >/dev/null 2>&1 || [ ! -x "$CHROMIUM" ] ||
    [ ! -d "$TOP/tests/js/node_modules/playwright-core" ]; then
	echo "ok - # SKIP webui: needs node, $CHROMIUM and tests/js/node_modules (contrib/deps.sh)"
	done_testing
fi

start_spendd -o auth.access_ttl=30 || { not_ok "spendd starts"; done_testing; }
mkdir -p "$T/shots"
node "$TOP/tests/browser/session.mjs" "http://127.0.0.1:$HTTP_PORT" "$T/shots" >"$T/browser.out" 2>&1
rc=$?
cat "$T/browser.out"
p=$(grep -c '^ok ' "$T/browser.out")
f=$(grep -c '^not ok ' "$T/browser.out")
_n=$((_n + p + f))
_fails=$((_fails + f))
if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
	not_ok "browser test exited with status $rc"
fi
# a browser test that printed nothing did not run
[ "$p" -gt 0 ] || not_ok "the browser test ran (its output: $T/browser.out)"
check "spendd still running" alive
[ "${KEEP:-0}" = 1 ] && echo "# screenshots: $T/shots"
done_testing
