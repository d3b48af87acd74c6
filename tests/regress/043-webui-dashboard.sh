#!/bin/sh
# The web UI's Dashboard and its SVG charts module in headless Chromium
# (playwright-core, tests/browser/dashboard.mjs) against a real spendd: the
# month's total against the overall budget, the category budget bars, the
# donut's slices and the daily line's points (read from the SVG), the
# upcoming recurring expenses; a quick add and an expense from another
# device move them; charts.js geometry; axe-core; the same at 390 px.
# Screenshots (light and dark, desktop and phone) go to $T/shots (only with KEEP=1,
# which keeps them).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/browser-lib.sh"
browser_needs "webui dashboard" axe

start_spendd || { not_ok "spendd starts"; done_testing; }
BASE=http://127.0.0.1:$HTTP_PORT

served_as_js dashboard.js charts.js

run_browser dashboard.mjs
done_testing
