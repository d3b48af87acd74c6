#!/bin/sh
# The web UI's Import and Settings pages in headless Chromium
# (playwright-core, tests/browser/settings.mjs) against a real spendd: a
# CSV imported through its dry-run preview (rows, skipped and rejected
# rows with their reasons, a column mapping changed, the counts), a bad
# file refused with its lines, an OFX; settings: time zone, a device
# renamed, another revoked (its token stops working), a webhook and its
# secret shown once, a user added and deleted; axe-core on both pages;
# the same at 390 px. Screenshots (light and dark, desktop and phone) go
# to $T/shots (KEEP=1 keeps them).
. "$(dirname "$0")/lib.sh"

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export CHROMIUM
if ! command -v node >/dev/null 2>&1 || [ ! -x "$CHROMIUM" ] ||
    [ ! -d "$TOP/tests/js/node_modules/playwright-core" ] ||
    [ ! -d "$TOP/tests/js/node_modules/axe-core" ]; then
	echo "ok - # SKIP webui import and settings: needs node, $CHROMIUM and tests/js/node_modules with axe-core (contrib/deps.sh)"
	done_testing
fi

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

check "import.js served as JavaScript" sh -c \
    "curl -sf -o /dev/null -w '%{content_type}' '$BASE/js/import.js' | grep -q javascript"
check "settings.js served as JavaScript" sh -c \
    "curl -sf -o /dev/null -w '%{content_type}' '$BASE/js/settings.js' | grep -q javascript"

mkdir -p "$T/shots"
node "$TOP/tests/browser/settings.mjs" "$BASE" "$T/shots" "$TOP/tests/data" "$HOOK" >"$T/browser.out" 2>&1
rc=$?
cat "$T/browser.out"
p=$(grep -c '^ok ' "$T/browser.out" 2>/dev/null); p=${p:-0}
f=$(grep -c '^not ok ' "$T/browser.out" 2>/dev/null); f=${f:-0}
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
