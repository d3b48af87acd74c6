#!/bin/sh
# The web UI's Import and Settings pages in headless Chromium
# (playwright-core, tests/browser/settings.mjs) against a real spendd: a
# CSV imported through its dry-run preview (rows, skipped and rejected
# rows with their reasons, a column mapping changed, the counts), a bad
# file refused with its lines, an OFX; settings: time zone, a device
# renamed, another revoked (its token stops working), a webhook and its
# secret shown once, a user added and deleted; axe-core on both pages;
# the same at 390 px. Screenshots (light and dark, desktop and phone) go
# to $T/shots (only with KEEP=1, which keeps them).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/browser-lib.sh"
browser_needs "webui import and settings" axe

# a webhook URL nothing listens on (the discard port): the test's
# deliveries fail on this machine and go nowhere else
HOOK=http://127.0.0.1:9/spend-hook
{
	echo "[notify]"
	echo "retry = 1s"
	echo "webhook_allow = http://127.0.0.1:9/*"
} >"$T/spendd.conf"
start_spendd -c "$T/spendd.conf" || { not_ok "spendd starts"; done_testing; }
BASE=http://127.0.0.1:$HTTP_PORT

served_as_js import.js settings.js

run_browser settings.mjs "$TOP/tests/data" "$HOOK"
done_testing
