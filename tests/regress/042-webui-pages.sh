#!/bin/sh
# The web UI's Budgets and Recurring pages in headless Chromium
# (playwright-core, tests/browser/pages.mjs) against a real spendd: a
# budget's bar moves as expenses arrive (ok -> near -> over), a recurring
# rule is added, edited, skipped, paused, resumed and deleted; axe-core on
# both pages; the same at 390 px. Screenshots (light and dark, desktop and
# phone) go to $T/shots (only with KEEP=1, which keeps them).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/browser-lib.sh"
browser_needs "webui pages" axe

start_spendd || { not_ok "spendd starts"; done_testing; }
BASE=http://127.0.0.1:$HTTP_PORT

served_as_js budgets.js recurring.js

run_browser pages.mjs
done_testing
