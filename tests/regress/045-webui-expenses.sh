#!/bin/sh
# The web UI's expenses screen (Month) in headless Chromium
# (playwright-core, tests/browser/expenses.mjs) against a real spendd:
# filters (date range, tag, amount, currency) kept in the address and
# cleared together; the month picker by mouse and keyboard; inline edit
# (Enter, Escape, errors by the field, a stale version); delete with Undo;
# multi-select with recategorise and delete (and Undo); at 390 px the list
# first, the + button's sheet, 44 px targets and 3:1 field borders; what
# the page shows checked against the API; axe-core. Screenshots (light and
# dark, desktop and phone) go to $T/shots (only with KEEP=1, which keeps them).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/browser-lib.sh"
browser_needs "webui expenses" axe

start_spendd || { not_ok "spendd starts"; done_testing; }
BASE=http://127.0.0.1:$HTTP_PORT

served_as_js month.js expenseform.js

run_browser expenses.mjs
done_testing
