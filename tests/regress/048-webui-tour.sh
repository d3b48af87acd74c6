#!/bin/sh
# Every page of the web UI in headless Chromium (tests/browser/tour.mjs)
# with a user's month of data: at 1280 and 390 px, light and dark,
# axe-core on each, no sideways scrolling on a phone; screenshots of all
# of them in $T/shots (only with KEEP=1, which keeps them).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/browser-lib.sh"
browser_needs "webui tour" axe

start_spendd || { not_ok "spendd starts"; done_testing; }
BASE=http://127.0.0.1:$HTTP_PORT

run_browser tour.mjs
done_testing
