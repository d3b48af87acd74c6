#!/bin/sh
# Every man page in docs/ passes mandoc -T lint (style level and up), and
# every .Xr to a page of ours names one that docs/ has. mandoc checks an
# .Xr against the man pages installed on this machine (/usr/share/man,
# /usr/local/man): "referenced manual not found" and "outdated mandoc.db"
# say what is installed here, not what is wrong with a page, so they are
# shown but do not fail (our own pages are checked against docs/ instead).
. "$(dirname "$0")/lib.sh"

if ! command -v mandoc >/dev/null 2>&1; then
	ok "# SKIP mandoc is not installed (contrib/deps.sh installs it)"
	done_testing
fi
pages=$(ls "$TOP"/docs/*.[1-9])
check "docs/ has man pages" test -n "$pages"
for p in $pages; do
	n=${p##*/}
	mandoc -T lint -W style "$p" >"$T/lint" 2>&1
	grep -v -e 'referenced manual not found' -e 'outdated mandoc.db' \
	    "$T/lint" >"$T/bad"
	if [ -s "$T/bad" ]; then
		not_ok "mandoc -T lint: $n"
		sed 's/^/#   /' "$T/bad" | head -20
	else
		ok "mandoc -T lint: $n"
	fi
	grep 'referenced manual not found' "$T/lint" | sed 's/^/# (here) /'
	# .Xr NAME SECTION to our own pages: docs/NAME.SECTION exists
	missing=""
	for xr in $(sed -n 's/^\.Xr \(spend[a-z.]*\) \([1-9]\).*/\1.\2/p' "$p" |
	    sort -u); do
		[ -f "$TOP/docs/$xr" ] || missing="$missing $xr"
	done
	is "$n: its references to Spend's pages exist" "$missing" ""
done
# the check finds what it is meant to find
printf '.Dd November 21, 2026\n.Dt X 5\n.Os\n.Sh NAME\n.Nm x\n.Nd y\n.Sh DESCRIPTION\n.Ss [daemon]\n' >"$T/bad.5"
mandoc -T lint -W style "$T/bad.5" >"$T/lint" 2>&1
like "mandoc -T lint reports a trailing delimiter" "$(cat "$T/lint")" \
    "trailing delimiter"
done_testing
