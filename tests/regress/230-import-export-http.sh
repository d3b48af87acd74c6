#!/bin/sh
# Files over HTTP: POST /api/v1/imports (the body is the file) and
# GET /api/v1/exports/{format} (the reply is the file).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

CC=${CC:-cc}
P=$T/plugins
mkdir -p "$P"
cat >"$T/tiny.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include <spend/plugin.h>
SPEND_PLUGIN_DECLARE;
static const struct spend_host_api *H;
static int
run(struct spend_plugin *self, struct spend_export *job)
{
	struct spend_record r;
	char line[512];
	int k;

	(void)self;
	while ((k = H->export_next(job, &r)) == 1) {
		snprintf(line, sizeof(line), "%s %s %s %s\n", r.date, r.amount,
		    r.currency, r.category);
		if (H->export_write(job, line, strlen(line)) < 0)
			return -1;
	}
	return k < 0 ? -1 : 0;
}
static const struct spend_exporter tiny = { SPEND_EXPORTER_V1, "tiny",
	"date amount currency category", "text/plain; charset=utf-8", "txt",
	run };
SPEND_PLUGIN_EXPORT int
spend_plugin_init(const struct spend_host_api *h, struct spend_plugin *self)
{
	H = h;
	return h->register_exporter(self, &tiny);
}
EOF
if $CC -shared -fPIC -fvisibility=hidden -I"$TOP/include" -o "$P/tiny.so" \
    "$T/tiny.c" && $CC -shared -fPIC -fvisibility=hidden -I"$TOP/include" \
    -o "$P/example.so" "$TOP/contrib/example-plugin/example.c"; then
	ok "test plugins build"
else
	not_ok "test plugins build"
fi

# shellcheck disable=SC2086
start_spendd -o "plugins.dir=$P" -o http.max_import=2k || exit 1
check "user" sh -c "echo 'correct horse battery' | '$SPENDCTL' --socket \
    '$SOCK' user add alice --currency EUR --password-stdin"
login alice 'correct horse battery'	# sets TOKEN
like "logged in" "$TOKEN" "."

printf '2024-03-01 12.50 food Market\n2024-03-02 3 transport Bus\n' \
    >"$T/march.simple"
up() { # query [curl args]: POST the file in $UP
	_q=$1; shift
	as "$TOKEN" POST "/api/v1/imports$_q" --data-binary "@$UP" \
	    -H "Content-Type: application/octet-stream" "$@"
}
# live clients hear of imports (the stream ends when spendd stops)
curl -s -N --max-time 60 -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$HTTP_PORT/api/v1/events" >"$T/sse" 2>/dev/null &
wait_for "the event stream to open" nonempty "$T/sse"
UP=$T/march.simple
up "?filename=march.simple&dry_run=true"
expect "dry run upload" 200
is "dry run previews" "$(jb -j, 'preview.*.status')" "new,new"
is "dry run wrote nothing" "$(rpc expense.list '{"user":"alice"}' | jget result.count)" 0
up "?filename=march.simple"
expect "upload imports" 200
is "two added" "$(jb -j' ' added skipped format)" "2 0 simple"
wait_for "the import on the stream" in_file import.run "$T/sse"
like "an import shows up on the event stream" "$(cat "$T/sse")" "event: import.run"
is "once: not for the dry run" "$(grep -c 'event: import.run' "$T/sse")" 1
up "?filename=march.simple"
is "the same upload again adds nothing" "$(jb -j' ' added skipped)" "0 2"
up "?format=simple"
expect "format given instead of a name" 200
up ""
expect "no name, no format: refused" 400
like "says to pass a format" "$BODY" "pass format"

printf '2024-04-01 1 food a\n2024-04-02 x food b\n' >"$T/bad.simple"
UP=$T/bad.simple
up "?filename=bad.simple"
expect "a bad row refuses the upload" 400
is "with its field" "$(jb error.field)" amount
like "... and line" "$(jb error.message)" "line 2"
is "nothing of it imported" "$(rpc expense.list '{"user":"alice","month":"2024-04"}' | jget result.count)" 0

printf '2024-04-01 1 Pets a\n' >"$T/pets.simple"
UP=$T/pets.simple
up "?filename=pets.simple&create_categories=true&option.ignored=1&map.x=y"
expect "options and map in the query" 200
is "category created" "$(jb categories_created)" '["Pets"]'

UP=$T/march.simple
req POST "/api/v1/imports?filename=march.simple" --data-binary "@$UP"
expect "upload needs a login" 401
as "$TOKEN" PUT /api/v1/imports --data-binary "@$UP"
expect "PUT is not allowed" 405
head -c 3000 /dev/zero | tr '\0' 'x' >"$T/big.simple"
UP=$T/big.simple
up "?filename=big.simple"
expect "over [http] max_import" 413
as "$TOKEN" POST "/api/v1/imports?filename=e.simple" --data-binary ""
expect "empty upload" 400

as "$TOKEN" GET "/api/v1/exports/tiny?month=2024-03"
expect "export download" 200
is "the file" "$BODY" "2024-03-01 12.50 EUR food
2024-03-02 3.00 EUR transport"
is "its type" "$(header Content-Type)" "text/plain; charset=utf-8"
is "an attachment named by its period" "$(header Content-Disposition)" 'attachment; filename="spend-2024-03.txt"'
like "named by extension" "$(header Content-Disposition)" '.txt"'
as "$TOKEN" GET "/api/v1/exports/tiny?category=transport&order=desc"
is "filtered" "$BODY" "2024-03-02 3.00 EUR transport"
as "$TOKEN" GET "/api/v1/exports/tiny?month=1999-01"
expect "an empty export" 200
is "is empty" "$BODY" ""
as "$TOKEN" GET "/api/v1/exports/nope"
expect "unknown format" 400
like "lists the formats" "$BODY" 'no exporter \"nope\" (have: tiny)'
as "$TOKEN" GET "/api/v1/exports/tiny?month=2024-13"
expect "bad filter" 400
as "$TOKEN" GET "/api/v1/exports/tiny?bogus=1"
expect "unknown filter" 400
req GET /api/v1/exports/tiny
expect "download needs a login" 401

# over /rpc a user cannot make spendd open a file
as "$TOKEN" POST /rpc '{"jsonrpc":"2.0","id":1,"method":"import.run","params":{"path":"/etc/passwd"}}'
is "no path over HTTP" "$(jb error.data.type)" "forbidden"
as "$TOKEN" POST /rpc '{"jsonrpc":"2.0","id":1,"method":"plugin.list","params":{}}'
is "users see plugins without files" "$(jb -j, 'result.plugins.*.file?none')" \
    "none,none"

is "no temporary files left" "$(ls "$T/data" | grep -c -e '^upload\.' -e '^export\.')" 0
check "spendd is alive" alive
done_testing
