#!/bin/sh
# The HTTP transport: static files (types, ETag/304, no listing, no path
# escape), security headers, methods, JSON errors, /rpc, size limits
# (413/431 and the daemon lives on), the event stream.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

W=$T/www
mkdir -p "$W/js" "$W/empty" "$W/sub"
echo '<!doctype html><title>t</title>' >"$W/index.html"
echo 'body{}' >"$W/app.css"
echo 'export {}' >"$W/js/app.js"
echo '<p>sub</p>' >"$W/sub/index.html"
# text large enough to be worth compressing, and an image that is not
i=0; while [ $i -lt 60 ]; do echo "export const line$i = 'the same words again';"; i=$((i + 1)); done >"$W/js/big.js"
head -c 2000 /dev/zero >"$W/pic.png"
# a file read into memory (up to 1 MiB) and one mapped (larger)
head -c 300000 /dev/urandom >"$W/photo.png"
head -c 1500000 /dev/urandom >"$W/video.png"
echo 'HIDDEN42' >"$W/.env"
echo 'TOPSECRET42' >"$T/secret.txt"
ln -s "$T/secret.txt" "$W/link.txt"
start_spendd -o "http.webui=$W" -o http.max_headers=2k \
    -o http.max_body=4k || { not_ok "spendd starts"; done_testing; }

req GET /
expect "GET / serves index.html" 200
like "... as HTML" "$(header Content-Type)" "text/html"
like "... with a CSP" "$(header Content-Security-Policy)" "default-src 'self'"
like "... that forbids framing" "$(header Content-Security-Policy)" "frame-ancestors 'none'"
is "... nosniff" "$(header X-Content-Type-Options)" "nosniff"
is "... no referrer" "$(header Referrer-Policy)" "no-referrer"
req GET /app.css
is "CSS as text/css" "$(header Content-Type)" "text/css; charset=utf-8"
etag=$(header ETag)
like "... with an ETag" "$etag" '"'
req GET /app.css -H "If-None-Match: $etag"
expect "If-None-Match with the ETag: 304" 304
is "... and no body" "$BODY" ""
req GET /app.css -H 'If-None-Match: "other"'
expect "another ETag: 200" 200
req GET /js/app.js
like "JavaScript as text/javascript" "$(header Content-Type)" "text/javascript"
req HEAD /js/app.js
expect "HEAD works" 200
is "... with the body's length" "$(header Content-Length)" 10
# a body after HEAD's head would be read as the start of the next
# response on the same connection
r=$(curl -s -o /dev/null -I "$BASE/js/app.js" --next -s -o "$T/next" \
    -w '%{http_code} %{num_connects}' "$BASE/app.css")
is "... without a body: the next response on the connection reads right" \
    "$r $(cat "$T/next")" "200 0 body{}"

# gzip: made on a worker as spendd starts, for a client that takes it
gz() { curl -s -o "$T/gz" -D "$T/headers" -H 'Accept-Encoding: gzip' "$@"; }
gz_ready() { gz "$BASE/js/big.js" && header Content-Encoding | grep -qx gzip; }
check "text goes out gzip-compressed to a client that takes it" \
    wait_for "the compressed copy" gz_ready
is "... the same bytes once unzipped" "$(gzip -dc "$T/gz" | cksum)" "$(cksum <"$W/js/big.js")"
is "... smaller" "$( [ "$(wc -c <"$T/gz")" -lt "$(wc -c <"$W/js/big.js")" ] && echo yes)" yes
is "... says it varies by Accept-Encoding" "$(header Vary)" "Accept-Encoding"
is "... and stays JavaScript" "$(header Content-Type)" "text/javascript; charset=utf-8"
gzetag=$(header ETag)
req GET /js/big.js
is "without Accept-Encoding: plain" "$(header Content-Encoding)" ""
is "... the file itself" "$(printf '%s\n' "$BODY" | cksum)" "$(cksum <"$W/js/big.js")"
for f in pic.png photo.png video.png; do
	is "$f: the file's bytes, whole" \
	    "$(curl -s -w '%{http_code}' -o "$T/got" "$BASE/$f") $(cksum <"$T/got")" \
	    "200 $(cksum <"$W/$f")"
done
isnt "... under another ETag than the gzip form" "$(header ETag)" "$gzetag"
is "... and Vary too (a cache keeps the two apart)" "$(header Vary)" "Accept-Encoding"
req GET /js/big.js -H 'Accept-Encoding: br, gzip;q=0'
is "gzip;q=0 refuses it" "$(header Content-Encoding)" ""
req GET /js/big.js -H 'Accept-Encoding: deflate, gzip;q=0.5'
is "gzip;q=0.5 takes it" "$(header Content-Encoding)" "gzip"
req GET /js/big.js -H 'Accept-Encoding: gzip' -H "If-None-Match: $gzetag"
expect "If-None-Match with the gzip ETag: 304" 304
req GET /js/big.js -H "If-None-Match: $gzetag"
expect "... which a plain request does not match" 200
req HEAD /js/big.js -H 'Accept-Encoding: gzip'
is "HEAD: the compressed length" "$(header Content-Length)" "$(wc -c <"$T/gz" | tr -d ' ')"
req GET /pic.png -H 'Accept-Encoding: gzip'
is "an image goes out as it is" "$(header Content-Encoding)/$(header Vary)" "/"
req GET /app.css -H 'Accept-Encoding: gzip'
is "a file too small to gain goes out as it is" "$(header Content-Encoding)" ""
# an edit: never the old copy, the new one soon
echo "export const edited = 'an edit, and then some more words';" >>"$W/js/big.js"
gz "$BASE/js/big.js"
if [ "$(header Content-Encoding)" = gzip ]; then got=$(gzip -dc "$T/gz" | cksum); else got=$(cksum <"$T/gz"); fi
is "an edited file: the new text at once, never the old copy" "$got" "$(cksum <"$W/js/big.js")"
check "... and soon compressed again" wait_for "the new copy" gz_ready
is "... from the new text" "$(gzip -dc "$T/gz" | cksum)" "$(cksum <"$W/js/big.js")"

req GET /sub/
expect "a directory serves its index.html" 200
like "... that one" "$BODY" "sub"
req GET /empty/
expect "a directory without index.html: 404, no listing" 404
req GET /js/
expect "no listing of /js/" 404
for p in /../secret.txt /%2e%2e/secret.txt /js/..%2f..%2fsecret.txt /.env \
    /%2eenv /link.txt "/js/%00app.js" '/js\app.js'; do
	req GET "$p" --path-as-is
	case $STATUS in 40[04]) ok "no escape: $p ($STATUS)" ;;
	*) not_ok "no escape: $p ($STATUS)"; echo "#   $BODY" ;; esac
	case $BODY in *TOPSECRET42*|*HIDDEN42*) not_ok "... leaked: $BODY" ;; esac
done
req GET /nope.html
expect "a missing file is 404" 404
like "... with a JSON error" "$BODY" '"code":"not_found"'
req POST /index.html
expect "POST to a file: 405" 405
req TRACE /
case $STATUS in 405|501) ok "TRACE refused ($STATUS)" ;; *) not_ok "TRACE refused ($STATUS)" ;; esac

# the API's errors
req GET /api/v1/nope
expect "an unknown API route: 404" 404
like "... as JSON" "$BODY" '{"error":{"code":"not_found"'
req POST /api/v1/version
expect "a known route with another verb: 405" 405
is "... with Allow" "$(header Allow)" "GET, HEAD"
req GET /api/v1/version
expect "public route without a token: 200" 200
req GET /api/v1/expenses
expect "private route without a token: 401" 401
like "... says how to authenticate" "$(header WWW-Authenticate)" "Bearer"
like "... JSON error" "$BODY" '"code":"unauthorized"'
req POST /api/v1/auth/login 'not json'
expect "a body that is not JSON: 400" 400
like "... parse_error" "$BODY" '"code":"parse_error"'
req POST /api/v1/auth/login '{"username":"a","password":"x"}' -H 'Content-Type: text/plain'
expect "a body that is not declared JSON: 400" 400
req POST /api/v1/auth/login '[1]'
expect "a JSON body that is not an object: 400" 400

# /rpc
req POST /rpc '{"jsonrpc":"2.0","id":1,"method":"daemon.version"}'
expect "POST /rpc" 200
like "... answers JSON-RPC" "$BODY" '"result":{"version"'
req POST /rpc '{"jsonrpc":"2.0","id":1,"method":"expense.list"}'
like "/rpc without a token: the method says unauthorized" "$BODY" '"code":-32001'
req POST /rpc '[{"jsonrpc":"2.0","id":1,"method":"daemon.version"},{"jsonrpc":"2.0","id":2,"method":"nope"}]'
like "/rpc batch" "$BODY" '"id":2'
req POST /rpc '{"jsonrpc":"2.0","method":"daemon.version"}'
expect "/rpc notification: 204" 204
req POST /rpc '{"jsonrpc":"2.0","id":1,"method":"daemon.version"}' -H 'Content-Type: text/plain'
expect "/rpc needs application/json (no cross-site form posts): 415" 415
req GET /rpc
expect "GET /rpc: 405" 405
req POST /rpc '{"jsonrpc":"2.0","id":1,"method":"daemon.version"}' -H 'Authorization: Bearer nope'
expect "/rpc with a bad token: 401" 401

# limits
big=$(repeat 3000 x)
req GET /api/v1/version -H "X-Big: $big"
expect "headers over max_headers: 431" 431
like "... JSON" "$BODY" '"code":"too_large"'
huge=$(repeat 9000 x)
req GET /api/v1/version -H "X-Big: $huge"
case $STATUS in 413|431|400) ok "headers far over the limit refused ($STATUS)" ;;
*) not_ok "headers far over the limit refused ($STATUS)" ;; esac
check "daemon alive after big headers" alive
echo "{\"username\":\"a\",\"password\":\"$(repeat 5000 x)\"}" >"$T/big.json"
STATUS=$(curl -s -o "$T/body" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary @"$T/big.json" "http://127.0.0.1:$HTTP_PORT/api/v1/auth/login")
expect "a body over max_body: 413" 413
check "daemon alive after a big body" alive
req GET /api/v1/version
expect "and still serving" 200

# the event stream
req POST /api/v1/auth/register '{"username":"ev","password":"password1"}'
login ev password1; tok=$TOKEN
curl -s -N --max-time 20 -H "Authorization: Bearer $tok" \
    "http://127.0.0.1:$HTTP_PORT/api/v1/events" >"$T/sse" 2>/dev/null &
sse=$!
wait_for "the event stream to open" nonempty "$T/sse"
like "the event stream opens" "$(cat "$T/sse")" "retry:"
as "$tok" POST /api/v1/expenses '{"amount":"2.50","category":"food"}'
wait_for "the write on the stream" in_file expense.add "$T/sse"
like "a write shows up on the stream" "$(cat "$T/sse")" "event: expense.add"
req GET /api/v1/events
expect "the stream needs a token" 401
stop_spendd
# (curl gives up by itself after 20 s, with status 28)
if wait_for -t 10 "the stream to end" gone $sse; then
	wait $sse; rc=$?
	isnt "stopping spendd ends the stream (curl's status $rc)" "$rc" 28
else
	not_ok "stopping spendd ends the stream"
fi
done_testing
