#!/bin/sh
# The web UI in headless Chromium (playwright-core, tests/browser/webui.mjs)
# against a real spendd: register the first account, add, edit, delete and
# filter expenses, categories, account. Screenshots go to $T/shots
# (only with KEEP=1, which keeps them).
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/browser-lib.sh"
browser_needs "webui"

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

run_browser webui.mjs
done_testing
