#!/bin/sh
# docs/API.md's generated part matches the method table.
. "$(dirname "$0")/lib.sh"

exp=$T/API.md
{ cat "$TOP/docs/API.md.head"; "$SPENDD" --api-doc
  if [ -f "$TOP/docs/API.md.rest" ]; then echo; cat "$TOP/docs/API.md.rest"; fi; } >"$exp"
if cmp -s "$exp" "$TOP/docs/API.md"; then ok "docs/API.md is up to date"
else not_ok "docs/API.md is stale: run make docs"; diff "$exp" "$TOP/docs/API.md" | head -20 | sed 's/^/#   /'; fi
methods=$("$SPENDD" --api-doc | sed -n 's/^| `\([a-z_.]*\)`.*/\1/p')
missing=""
for m in $methods; do
	grep -qF "\`$m\`" "$TOP/docs/API.md" || missing="$missing $m"
done
check "spendd --api-doc lists methods" test -n "$methods"
is "every method documented in API.md" "$missing" ""
done_testing
