#!/bin/sh
# The web UI's session in headless Chromium (tests/browser/session.mjs)
# with 30 s access tokens: no refresh for a visitor without a cookie, an
# expired token refreshed once and the add retried, the quick add's date
# and category, a failed month load. About 45 s, most of it waiting for
# the token to expire.
# timeout: 180
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/browser-lib.sh"
browser_needs "webui"

start_spendd -o auth.access_ttl=30 || { not_ok "spendd starts"; done_testing; }
BASE=http://127.0.0.1:$HTTP_PORT
run_browser session.mjs
done_testing
