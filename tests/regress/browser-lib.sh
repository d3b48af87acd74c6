# The browser tests' side of a regress script (040-044), after lib.sh:
#   browser_needs "WHAT" [axe]	skip the test without node, Chromium or
#				tests/js's packages (axe: axe-core too)
#   served_as_js NAME...	webui/js/NAME is served as JavaScript
#   run_browser SCRIPT ARGS...	node tests/browser/SCRIPT BASE SHOTS ARGS...;
#				its ok/not ok lines count as the test's
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export CHROMIUM

browser_needs() {
	_js=$TOP/tests/js/node_modules
	if ! command -v node >/dev/null 2>&1 || [ ! -x "$CHROMIUM" ] ||
	    [ ! -d "$_js/playwright-core" ] ||
	    { [ "${2:-}" = axe ] && [ ! -d "$_js/axe-core" ]; }; then
		echo "ok - # SKIP $1: needs node, $CHROMIUM and tests/js/node_modules${2:+ with axe-core} (contrib/deps.sh)"
		done_testing
	fi
}

served_as_js() {
	for _f in "$@"; do
		check "$_f served as JavaScript" sh -c \
		    "curl -sf -o /dev/null -w '%{content_type}' '$BASE/js/$_f' | grep -q javascript"
	done
}

run_browser() {
	_script=$1
	shift
	mkdir -p "$T/shots"
	node "$TOP/tests/browser/$_script" "$BASE" "$T/shots" "$@" >"$T/browser.out" 2>&1
	_rc=$?
	cat "$T/browser.out"
	_p=$(grep -c '^ok ' "$T/browser.out" 2>/dev/null); _p=${_p:-0}
	_f=$(grep -c '^not ok ' "$T/browser.out" 2>/dev/null); _f=${_f:-0}
	_n=$((_n + _p + _f))
	_fails=$((_fails + _f))
	if [ "$_rc" -ne 0 ] && [ "$_f" -eq 0 ]; then
		not_ok "browser test exited with status $_rc"
	fi
	# a browser test that printed nothing did not run
	[ "$_p" -gt 0 ] || not_ok "the browser test ran (its output: $T/browser.out)"
	check "spendd still running" alive
	[ "${KEEP:-0}" = 1 ] && echo "# screenshots: $T/shots"
}
