#!/bin/sh
# The web UI in English and German. First the message catalogues
# (tests/js/i18n-keys.mjs, node only): de.js has exactly en.js's keys, each
# message with the same {placeholders}, and every key the code uses exists;
# the check itself fails on a copy with a key missing, one too many and a
# placeholder renamed. Then in headless Chromium (tests/browser/i18n.mjs)
# against a real spendd: a browser in de-DE gets the German sign-in, nav
# and dashboard, <html lang="de">, amounts and dates in German formats
# ("1.234,50 €", "15.000 ¥"); the month page (list, totals, quick add,
# delete with Undo, selection, inline editor) and the dashboard's quick add
# in German; axe-core finds nothing; English chosen in
# Settings redraws the page in English at once and stays after a reload;
# Automatic brings German back. Screenshots go to $T/shots (only with KEEP=1, which
# keeps them).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/browser-lib.sh"

if command -v node >/dev/null 2>&1; then
	check "the message catalogues agree (tests/js/i18n-keys.mjs)" \
	    node "$TOP/tests/js/i18n-keys.mjs" "$TOP/webui"
	# the check can fail: three broken copies of the catalogues
	for _bad in missing extra placeholder; do
		rm -rf "$T/webui-$_bad"
		cp -R "$TOP/webui" "$T/webui-$_bad"
	done
	_de=js/messages/de.js
	sed -i "/'nav.month':/d" "$T/webui-missing/$_de"
	sed -i "s/^\(  'nav.month':.*\)$/\1\n  'nav.nothing': 'Nichts',/" "$T/webui-extra/$_de"
	sed -i "s/'{page} · Spend'/'{seite} · Spend'/" "$T/webui-placeholder/$_de"
	check "the broken copies differ from the real de.js" sh -c \
	    "! cmp -s '$TOP/webui/$_de' '$T/webui-missing/$_de' && ! cmp -s '$TOP/webui/$_de' '$T/webui-extra/$_de' && ! cmp -s '$TOP/webui/$_de' '$T/webui-placeholder/$_de'"
	check_fails "the check fails on a key missing in de.js" \
	    node "$TOP/tests/js/i18n-keys.mjs" "$T/webui-missing"
	check_fails "the check fails on a key only de.js has" \
	    node "$TOP/tests/js/i18n-keys.mjs" "$T/webui-extra"
	check_fails "the check fails on a placeholder renamed in de.js" \
	    node "$TOP/tests/js/i18n-keys.mjs" "$T/webui-placeholder"
fi

browser_needs "webui i18n" axe
start_spendd || { not_ok "spendd starts"; done_testing; }
BASE=http://127.0.0.1:$HTTP_PORT

served_as_js i18n.js messages/en.js messages/de.js

run_browser i18n.mjs
done_testing
