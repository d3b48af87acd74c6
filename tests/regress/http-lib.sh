# Helpers for the HTTP regress tests (1NN-*.sh), sourced after lib.sh.
# (lib.sh's start_spendd hashes passwords cheaply: see CHEAP there.)
BASE=""

# req METHOD PATH [JSON-BODY] [curl args...]: sets STATUS and BODY; the
# response headers are in $T/headers.
req() {
	_m=$1; _p=$2; shift 2
	BASE=http://127.0.0.1:$HTTP_PORT
	: >"$T/body"; : >"$T/headers"	# (emptied in the shell: no rm(1) a request)
	if [ "$_m" = HEAD ]; then
		# (-X HEAD would wait for the body its Content-Length announces)
		STATUS=$(curl -s -I -o /dev/null -D "$T/headers" -w '%{http_code}' \
		    "$@" "$BASE$_p")
	elif [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
		_d=$1; shift
		_ct="Content-Type: application/json"
		case "$*" in *Content-Type:*) _ct="X-No-Default: 1" ;; esac
		STATUS=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' \
		    -X "$_m" -H "$_ct" --data-binary "$_d" "$@" "$BASE$_p")
	else
		STATUS=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' \
		    -X "$_m" "$@" "$BASE$_p")
	fi
	BODY=$(cat "$T/body" 2>/dev/null)
}

# A response header's value (case-insensitive name), CR stripped.
header() { tr -d '\r' <"$T/headers" | sed -n "s/^$1: //Ip" | head -1; }

# jb [jget options] PATH...: fields of the last BODY (lib.sh's jget)
jb() { printf '%s' "$BODY" | "$TOOLS/jget" "$@"; }

# login NAME PASSWORD: sets TOKEN, REFRESH and SESSION ("" on failure)
login() {
	req POST /api/v1/auth/login "{\"username\":\"$1\",\"password\":\"$2\",\"refresh_in_body\":true}"
	TOKEN=""; REFRESH=""; SESSION=""
	[ "$STATUS" = 200 ] || return 1
	TOKEN=$(jb access_token)
	REFRESH=$(jb refresh_token)
	SESSION=$(jb session)
}

# as TOKEN METHOD PATH [JSON] [curl args]: req with the Bearer token
as() { _t=$1; shift; _m=$1; _p=$2; shift 2; req "$_m" "$_p" "$@" -H "Authorization: Bearer $_t"; }

# expect "description" STATUS: checks the last STATUS
expect() {
	if [ "$STATUS" = "$2" ]; then ok "$1"; else
		not_ok "$1"; echo "#   status $STATUS, expected $2: $(printf '%s' "$BODY" | head -c 300)"; fi
}
