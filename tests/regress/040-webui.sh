#!/bin/sh
# The web UI in headless Chromium (playwright-core, tests/browser/webui.mjs)
# against a real spendd: register the first account, add, edit, delete and
# filter expenses, categories, account. Screenshots go to $T/shots
# (KEEP=1 keeps them).
. "$(dirname "$0")/lib.sh"

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export CHROMIUM
if ! command -v node >/dev/null 2>&1 || [ ! -x "$CHROMIUM" ] ||
    [ ! -d "$TOP/tests/js/node_modules/playwright-core" ]; then
	echo "ok - # SKIP webui: needs node, $CHROMIUM and tests/js/node_modules (contrib/deps.sh)"
	done_testing
fi

start_spendd || { not_ok "spendd starts"; done_testing; }
BASE=http://127.0.0.1:$HTTP_PORT

# the static side, before the browser
page=$(curl -s -D "$T/h" "$BASE/")
like "index.html served" "$page" '<title>Spend</title>'
like "CSP allows only this server" "$(tr -d '\r' <"$T/h")" "script-src 'self'"
check "app.js served as JavaScript" sh -c \
    "curl -sf -o /dev/null -w '%{content_type}' '$BASE/js/app.js' | grep -q javascript"
check_fails "no inline script or style in index.html" \
    grep -Eiq '<script>|<script [^>]*>[^<]|style=|<style' "$TOP/webui/index.html"
check_fails "no external resource in the web UI" \
    grep -REiq '(src|href)="(https?:)?//|url\((https?:)?//|@import' "$TOP/webui"

mkdir -p "$T/shots"
node "$TOP/tests/browser/webui.mjs" "$BASE" "$T/shots" >"$T/browser.out" 2>&1
rc=$?
cat "$T/browser.out"
# count the browser's lines as ours
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
