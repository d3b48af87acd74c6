#!/bin/sh
# Notifier deliveries: a test event goes through the outbox, like an
# alert, to a webhook (its signature checked), an email (STARTTLS and
# AUTH) and a command; none of them comes again after a restart; a
# receiver that fails twice gets it on the third attempt; the last failed
# attempt shows in spendctl status; webhook_allow refuses other URLs; an
# attempt a crash cut short runs again at the next start; a command past
# its timeout is killed and retried.
# timeout: 180
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

HOOK_PORT=$(free_port) || { not_ok "a port"; done_testing; }
SMTP_PORT=$(free_port) || { not_ok "a port"; done_testing; }
mkdir -p "$T/hooks" "$T/mail" "$T/exec" "$T/fds"
HOOK_PID=""
SMTP_PID=""
trap '_cleanup; kill $HOOK_PID $SMTP_PID 2>/dev/null' EXIT

exists() { [ -e "$1" ]; }
python3 "$TOP/tests/regress/hooksrv.py" "$HOOK_PORT" "$T/hooks" \
    >"$T/hooksrv.log" 2>&1 &
HOOK_PID=$!
wait_for "the webhook receiver" exists "$T/hooks/ready" ||
    { not_ok "the webhook receiver starts"; cat "$T/hooksrv.log"; done_testing; }

# the SMTP server: aiosmtpd from Debian's python3-aiosmtpd (the python3 in
# PATH may be another one)
PY=""
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import aiosmtpd' 2>/dev/null; then PY=$p; break; fi
done
MAIL=no
if [ -n "$PY" ] && command -v openssl >/dev/null 2>&1; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" \
	    -out "$T/cert.pem" -days 2 -subj /CN=localhost \
	    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
	"$PY" "$TOP/tests/regress/smtpd.py" "$SMTP_PORT" "$T/mail" \
	    "$T/cert.pem" "$T/key.pem" spend 'mail pass' >"$T/smtpd.log" 2>&1 &
	SMTP_PID=$!
	if wait_for "the SMTP server" exists "$T/mail/ready"; then MAIL=yes; else
		not_ok "the SMTP server starts"; cat "$T/smtpd.log"; fi
fi

HOOKS="http://127.0.0.1:$HOOK_PORT"
{
	echo "[notify]"
	echo "retry = 1s 1s"
	echo "timeout = 5"
	echo "webhook_allow = $HOOKS/* https://*.hooks.example.com/in/*"
	if [ $MAIL = yes ]; then
		echo "[notify email]"
		echo "server = smtp://127.0.0.1:$SMTP_PORT"
		echo "username = spend"
		echo "password = mail pass"
		echo "from = spend@example.com"
		echo "ca_file = $T/cert.pem"
	fi
	echo "[notify exec]"
	# shellcheck disable=SC2016
	echo 'command = if [ -e "'"$T"'/hang" ]; then sleep 60; fi; cat >"'"$T"'/exec/$SPEND_EVENT_ID-$SPEND_ATTEMPT.json"; sh "'"$T"'/f" $$'
	echo "timeout = 2"
} >"$T/spendd.conf"
# what the command holds open (its shell's descriptors past stdio)
cat >"$T/f" <<EOF
for f in /proc/\$1/fd/*; do
	if [ "\${f##*/}" -gt 2 ]; then readlink "\$f"; fi
done >"$T/fds/\$SPEND_EVENT_ID"
EOF

start_spendd -c "$T/spendd.conf" -o auth.registration=open ||
    { not_ok "spendd starts"; done_testing; }
wait_for "the deliverer" in_file "notify: channels: " "$T/spendd.log"
like "the channels are offered" "$(cat "$T/spendd.log")" \
    "notify: channels: $([ $MAIL = yes ] && printf "email, ")exec, log, webhook; 3 attempts per delivery"
ctl user add alice >/dev/null
export SPEND_USER=alice

# ---- settings ----
check_fails "a URL outside webhook_allow is refused" \
    ctl notify set webhook --target http://127.0.0.1:1/hook
like "... with a clear error" "$(cat "$T/err")" \
    'target "http://127.0.0.1:1/hook": not allowed'
check_fails "a user@ in the URL is refused" \
    ctl notify set webhook --target "http://127.0.0.1:$HOOK_PORT@evil.example.com/"
like "... saying why" "$(cat "$T/err")" "no user or password"
check_fails "a webhook needs a URL" ctl notify set webhook
like "... and says so" "$(cat "$T/err")" "target is required"
check_fails "an unknown channel is refused" ctl notify set sms
like "... listing those there are" "$(cat "$T/err")" 'no channel "sms" (have: '
check_fails "an unknown kind is refused" ctl notify set log --kind budget
like "... naming the field" "$(cat "$T/err")" 'kinds: "budget" is not a kind'
check_fails "nothing to test without a channel" ctl notify test
ctl --json notify set webhook --target "$HOOKS/ok/alice" >"$T/set.json"
SECRET=$(jget secret <"$T/set.json")
like "setting a webhook shows its signing secret once" "$SECRET" "whsec_"
is "... and only then" "$(ctl --json notify show | jget 'channels[channel=webhook].0.secret?none' 'channels[channel=webhook].0.secret_set')" \
    "none
true"
check "a subdomain pattern allows https://a.hooks.example.com/in/x" \
    ctl notify set webhook --target https://a.hooks.example.com/in/x
check "... and back" ctl notify set webhook --target "$HOOKS/ok/alice"
is "... keeping the secret" "$(ctl --json notify show | jget 'channels[channel=webhook].0.secret_set')" true
if [ $MAIL = yes ]; then
	check "an email address" ctl notify set email --target alice@example.com --kind alert
else
	ok "# SKIP no python3-aiosmtpd or openssl: no SMTP server"
fi
check_fails "not an email address" ctl notify set email --target "alice@example.com>"
check "the command" ctl notify set exec
check "the log, alerts and reminders" ctl notify set log --kind alert --kind reminder
ctl notify show >"$T/show.txt"
like "notify show lists them" "$(cat "$T/show.txt")" "log                                       alert, reminder"

# ---- one test event to every channel ----
ctl --json notify test >"$T/test.json"
EV=$(jget event <"$T/test.json")
isnt "notify test stores an event" "$EV" ""
states() { ctl --json notify list | jget -j , items.*.state; }
all_sent() { [ -z "$(states | tr ',' '\n' | grep -v '^sent$')" ] && [ -n "$(states)" ]; }
wait_for "every delivery sent" all_sent
N=3
[ $MAIL = yes ] && N=4
is "one delivery per channel, all sent" "$(states)" "$(repeat $N x | sed 's/x/sent,/g; s/,$//')"
is "the webhook got one POST" "$(cat "$T/hooks/log")" "1 /ok/alice 200"
B=$(cat "$T/hooks/1.body")
like "... the event as JSON" "$B" "\"id\":$EV,\"kind\":\"test\",\"user\":\"alice\""
SIG=$(sed -n 's/^Spend-Signature: //p' "$T/hooks/1.head" | tr -d '\r')
TS=${SIG#t=}; TS=${TS%%,*}
V1=${SIG#*,v1=}
is "... signed over timestamp.body with the secret" \
    "$({ printf '%s.' "$TS"; cat "$T/hooks/1.body"; } | openssl dgst -sha256 -hmac "$SECRET" -r | cut -d' ' -f1)" "$V1"
NOW=$(date +%s)
check "... a timestamp of now" test $((NOW - TS)) -lt 600 -a $((TS - NOW)) -lt 600
like "... with the event's id" "$(cat "$T/hooks/1.head")" "Spend-Event-Id: $EV"
is "the command got the same JSON on its input" "$(cat "$T/exec/$EV-1.json")" "$B"
is "... and no descriptor of spendd's past its input and outputs" \
    "$(cat "$T/fds/$EV")" ""
if [ $MAIL = yes ]; then
	is "one mail" "$(ls "$T/mail" | grep -c '\.eml$')" 1
	like "... to the user's address, from [notify email] from" "$(cat "$T/mail/1.env")" \
	    "from spend@example.com
to alice@example.com
auth spend
tls yes"
	is "... its subject" "$(cat "$T/mail/1.subject")" "[Spend] test: This is a test notification from Spend."
	like "... a text part" "$(cat "$T/mail/1.txt")" "kind: test"
	like "... and an HTML one" "$(cat "$T/mail/1.html")" "<p>This is a test notification from Spend.</p>"
	like "... multipart/alternative" "$(cat "$T/mail/1.eml")" "Content-Type: multipart/alternative"
fi
like "the log channel wrote it" "$(cat "$T/spendd.log")" "plugin log: event $EV test for alice"

# ---- none again after a restart ----
stop_spendd
start_spendd -c "$T/spendd.conf" -o auth.registration=open ||
    { not_ok "spendd starts again"; done_testing; }
ctl --json notify test log >"$T/test2.json"
EV2=$(jget event <"$T/test2.json")
logged() { grep -q "event $EV2 of alice sent by log" "$T/spendd.log"; }
wait_for "the log channel after the restart" logged
is "after a restart: no POST again" "$(wc -l <"$T/hooks/log")" 1
is "... no command again" "$(ls "$T/exec" | wc -l)" 1
[ $MAIL = yes ] && is "... no mail again" "$(ls "$T/mail" | grep -c '\.eml$')" 1
is "... and the deliveries are as they were" "$(ctl --json notify list | jget -j , 'items[event='"$EV"'].*.state')" \
    "$(repeat $N x | sed 's/x/sent,/g; s/,$//')"

if [ $MAIL = yes ]; then
	ctl notify test email --message "Café « Le Zinc » est à 80 % du budget
ligne 2" >/dev/null
	wait_for "the second mail" exists "$T/mail/2.subject"
	is "a subject in UTF-8 (RFC 2047), its first line" "$(cat "$T/mail/2.subject")" \
	    "[Spend] test: Café « Le Zinc » est à 80 % du budget"
	like "... the whole message in the text" "$(cat "$T/mail/2.txt")" "80 % du budget
ligne 2"
	like "... and the HTML escaped" "$(cat "$T/mail/2.html")" "Café « Le Zinc » est à 80 % du budget<br>"
fi

# ---- retries ----
ctl notify set webhook --target "$HOOKS/fail-2/alice" >/dev/null
EV3=$(ctl --json notify test webhook | jget event)
d3() { ctl --json notify list | jget "items[event=$EV3].0.$1"; }
sent3() { [ "$(d3 state)" = sent ]; }
wait_for "the third attempt" sent3
is "a receiver that fails twice gets it on the third attempt" "$(d3 state) $(d3 attempts)" "sent 3"
is "... three POSTs" "$(grep -c ' /fail-2/alice ' "$T/hooks/log")" 3
like "... the failures logged with the next wait" "$(cat "$T/spendd.log")" \
    "event $EV3 of alice by webhook: attempt 2 of 3 failed (HTTP 503: busy, try later); next in 1 s"
is "... the same event id each time" "$(grep -h '^Spend-Event-Id' "$T"/hooks/[234].head | tr -d '\r' | sort -u)" "Spend-Event-Id: $EV3"

ctl notify set webhook --target "$HOOKS/down/alice" >/dev/null
EV4=$(ctl --json notify test webhook | jget event)
d4() { ctl --json notify list | jget "items[event=$EV4].0.$1"; }
failed4() { [ "$(d4 state)" = failed ]; }
wait_for "the last attempt" failed4
is "a receiver that is down: failed after the last attempt" "$(d4 state) $(d4 attempts)" "failed 3"
is "... with its last error" "$(d4 last_error)" "HTTP 500: down"
like "spendctl status counts it" "$(ctl status)" "1 failed"
like "... and the log says so" "$(cat "$T/spendd.log")" \
    "event $EV4 of alice by webhook failed after the last attempt: HTTP 500: down"

ctl notify set webhook --target "$HOOKS/gone/alice" >/dev/null
EV5=$(ctl --json notify test webhook | jget event)
d5() { ctl --json notify list | jget "items[event=$EV5].0.$1"; }
failed5() { [ "$(d5 state)" = failed ]; }
wait_for "410 Gone" failed5
is "410 Gone fails at once" "$(d5 state) $(d5 attempts)" "failed 1"

# ---- an attempt a crash cut short runs again at the next start ----
ctl notify set webhook --target "$HOOKS/slow-1/alice" >/dev/null
EV6=$(ctl --json notify test webhook | jget event)
wait_for "the slow POST" in_file "/slow-1/alice slow" "$T/hooks/log"
# every TCP socket spendd holds is close-on-exec, the webhook's in flight
# too: a command the exec notifier runs gets none of them, and the loop's
# epoll changelist (main.c) meets no socket a child shares (libcurl 7.88
# opens its own without: httpc.c gives it a socket function)
tcp_inodes=$(awk 'FNR > 1 { print $10 }' /proc/"$SPENDD_PID"/net/tcp /proc/"$SPENDD_PID"/net/tcp6)
leaky() {
	for f in /proc/"$SPENDD_PID"/fd/*; do
		n=${f##*/} l=$(readlink "$f") || continue
		case $l in socket:*) ;; *) continue ;; esac
		ino=${l#socket:[} ino=${ino%]}
		echo "$tcp_inodes" | grep -qx "$ino" || continue
		echo tcp >>"$T/tcp.n"
		fl=$(sed -n 's/^flags:[[:space:]]*//p' /proc/"$SPENDD_PID"/fdinfo/"$n")
		[ $((0$fl & 02000000)) -eq 0 ] && echo "fd $n $l"
	done
}
: >"$T/tcp.n"
is "every TCP socket spendd holds is close-on-exec" "$(leaky)" ""
check "... the webhook's among them, with the listener" test "$(wc -l <"$T/tcp.n")" -ge 2
kill -KILL "$SPENDD_PID"
wait "$SPENDD_PID" 2>/dev/null
SPENDD_PID=""
start_spendd -c "$T/spendd.conf" -o auth.registration=open ||
    { not_ok "spendd starts after a kill"; done_testing; }
wait_for "the restart of the cut-short attempt" in_file "1 attempt cut short" "$T/spendd.log"
like "the cut-short attempt is due again" "$(cat "$T/spendd.log")" \
    "notify: 1 attempt cut short by a stop or a crash: due again"
d6() { ctl --json notify list | jget "items[event=$EV6].0.$1"; }
sent6() { [ "$(d6 state)" = sent ]; }
wait_for "the attempt after the kill" sent6
is "... and is sent" "$(d6 state)" sent
like "... to the receiver" "$(cat "$T/hooks/log")" "/slow-1/alice 200"

# ---- a command past its timeout is killed, and retried ----
touch "$T/hang"
EV7=$(ctl --json notify test exec | jget event)
wait_for "the command's timeout" in_file "event $EV7 of alice by exec: attempt 1 of 3 failed" "$T/spendd.log"
rm -f "$T/hang"
d7() { ctl --json notify list | jget "items[event=$EV7].0.$1"; }
sent7() { [ "$(d7 state)" = sent ]; }
wait_for "the command's retry" sent7
is "a command past its timeout is killed and tried again" "$(d7 state)" sent
like "... the timeout logged" "$(cat "$T/spendd.log")" "failed (timed out after 2 s (killed)); next in 1 s"
check "... its second run wrote the event" test -s "$T/exec/$EV7-2.json"

# ---- over HTTP ----
req POST /api/v1/auth/register '{"username":"root","password":"root-pass"}'
req POST /api/v1/auth/register '{"username":"carol","password":"carol-pass"}'
login carol carol-pass
as "$TOKEN" GET /api/v1/notify/settings
expect "a user reads their settings" 200
is "... none yet, and what they may choose" "$(jb -j , channels.# available.*.name)" \
    "0,$([ $MAIL = yes ] && echo email,)exec,log,webhook"
as "$TOKEN" PUT /api/v1/notify/settings/webhook '{"target":"http://169.254.169.254/latest"}'
expect "an address the admin did not allow is refused" 400
is "... naming the field" "$(jb error.field)" target
as "$TOKEN" PUT /api/v1/notify/settings/log '{"kinds":["reminder"]}'
expect "a user chooses the kinds a channel takes" 200
is "... and gets it back" "$(jb -j , channel kinds)" 'log,["reminder"]'
as "$TOKEN" POST /api/v1/notify/test '{}'
expect "a test event is accepted" 202
is "... for their channel" "$(jb -j , channels)" '["log"]'
as "$TOKEN" DELETE /api/v1/notify/settings/log
expect "a channel is turned off" 200
as "$TOKEN" DELETE /api/v1/notify/settings/log
expect "... once" 404

kill $HOOK_PID $SMTP_PID 2>/dev/null
done_testing
