#!/bin/sh
# The web UI installable and offline (tests/browser/offline.mjs) in headless
# Chromium against a real spendd: the web app manifest and its icons, the
# service worker's app shell opening with the network cut, expenses added
# offline kept in the outbox, shown as pending with "2 changes waiting" and
# sent with sync.push when the network returns (a batch sent twice applied
# once), a conflict with another device's edit shown with both sides.
# Screenshots (light and dark) go to $T/shots (only with KEEP=1, which keeps them).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/browser-lib.sh"
browser_needs "webui offline" axe

# a copy of the web UI, so that the test can serve the next version of sw.js
cp -R "$TOP/webui" "$T/webui"
start_spendd -o "http.webui=$T/webui" || { not_ok "spendd starts"; done_testing; }
BASE=http://127.0.0.1:$HTTP_PORT

served_as_js outbox.js
check "sw.js served as JavaScript" sh -c \
    "curl -sf -o /dev/null -w '%{content_type}' '$BASE/sw.js' | grep -q javascript"

run_browser offline.mjs "$T/webui"
done_testing
