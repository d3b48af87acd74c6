#!/bin/sh
# The web UI's Dashboard and its SVG charts module in headless Chromium
# (playwright-core, tests/browser/dashboard.mjs) against a real spendd: the
# month's total against the overall budget, the category budget bars, the
# donut's slices and the daily line's points (read from the SVG), the
# upcoming recurring expenses; a quick add and an expense from another
# device move them; charts.js geometry; axe-core; the same at 390 px.
# Screenshots (light and dark, desktop and phone) go to $T/shots (KEEP=1
# keeps them).
. "$(dirname "$0")/lib.sh"

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export CHROMIUM
if ! command -v node >/dev/null 2>&1 || [ ! -x "$CHROMIUM" ] ||
    [ ! -d "$TOP/tests/js/node_modules/playwright-core" ] ||
    [ ! -d "$TOP/tests/js/node_modules/axe-core" ]; then
	echo "ok - # SKIP webui dashboard: needs node, $CHROMIUM and tests/js/node_modules with axe-core (contrib/deps.sh)"
	done_testing
fi

start_spendd || { not_ok "spendd starts"; done_testing; }
BASE=http://127.0.0.1:$HTTP_PORT

check "dashboard.js served as JavaScript" sh -c \
    "curl -sf -o /dev/null -w '%{content_type}' '$BASE/js/dashboard.js' | grep -q javascript"
check "charts.js served as JavaScript" sh -c \
    "curl -sf -o /dev/null -w '%{content_type}' '$BASE/js/charts.js' | grep -q javascript"

mkdir -p "$T/shots"
node "$TOP/tests/browser/dashboard.mjs" "$BASE" "$T/shots" >"$T/browser.out" 2>&1
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
