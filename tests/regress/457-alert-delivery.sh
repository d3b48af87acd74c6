#!/bin/sh
# A budget threshold crossed by one import reaches the user on every
# channel exactly once: one signed webhook POST, one email (through a real
# SMTP server, aiosmtpd), one command run, each carrying the alert (its
# category, threshold and month); nothing again after a restart, and
# nothing for a write that crosses no threshold.
# timeout: 120
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

HOOK_PORT=$(free_port) || { not_ok "a port"; done_testing; }
SMTP_PORT=$(free_port) || { not_ok "a port"; done_testing; }
mkdir -p "$T/hooks" "$T/mail" "$T/exec"
HOOK_PID=""
SMTP_PID=""
trap '_cleanup; kill $HOOK_PID $SMTP_PID 2>/dev/null' EXIT

exists() { [ -e "$1" ]; }
python3 "$TOP/tests/regress/hooksrv.py" "$HOOK_PORT" "$T/hooks" \
    >"$T/hooksrv.log" 2>&1 &
HOOK_PID=$!
wait_for "the webhook receiver" exists "$T/hooks/ready" ||
    { not_ok "the webhook receiver starts"; cat "$T/hooksrv.log"; done_testing; }
PY=""
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import aiosmtpd' 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] && command -v openssl >/dev/null 2>&1 ||
    { not_ok "python3-aiosmtpd and openssl are installed (contrib/deps.sh)"; done_testing; }
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" \
    -out "$T/cert.pem" -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
"$PY" "$TOP/tests/regress/smtpd.py" "$SMTP_PORT" "$T/mail" \
    "$T/cert.pem" "$T/key.pem" spend 'mail pass' >"$T/smtpd.log" 2>&1 &
SMTP_PID=$!
wait_for "the SMTP server" exists "$T/mail/ready" ||
    { not_ok "the SMTP server starts"; cat "$T/smtpd.log"; done_testing; }

HOOKS="http://127.0.0.1:$HOOK_PORT"
cat >"$T/spendd.conf" <<EOF
[notify]
retry = 1s 1s
timeout = 5
webhook_allow = $HOOKS/*
[notify email]
server = smtp://127.0.0.1:$SMTP_PORT
username = spend
password = mail pass
from = spend@example.com
ca_file = $T/cert.pem
[notify exec]
command = cat >"$T/exec/\$SPEND_EVENT_ID-\$SPEND_ATTEMPT.json"
EOF
start_spendd -c "$T/spendd.conf" || { not_ok "spendd starts"; done_testing; }
ctl user add alice >/dev/null
export SPEND_USER=alice
SECRET=$(ctl --json notify set webhook --target "$HOOKS/ok/alice" --kind alert | jget secret)
check "alerts by mail" ctl notify set email --target alice@example.com --kind alert
check "alerts to the command" ctl notify set exec --kind alert

TODAY=$(date -u +%F)
MONTH=$(date -u +%Y-%m)
ctl budget set food 100 --alert 100 >/dev/null
ctl expense add 30 food >/dev/null
printf 'date,amount,category,payee\n%s,40,food,Market\n%s,35,food,Bakery\n' \
    "$TODAY" "$TODAY" >"$T/week.csv"
check "an import of two rows that crosses 100%" ctl import "$T/week.csv"
is "one alert stored" "$(ctl --json alerts | jget -j , items.*.threshold)" "100"
states() { ctl --json notify list | jget -j , items.*.state; }
all_sent() { [ "$(states)" = "sent,sent,sent" ]; }
wait_for "three deliveries sent" all_sent
is "one delivery per channel, all sent" "$(states)" "sent,sent,sent"
is "the webhook got one POST" "$(cat "$T/hooks/log")" "1 /ok/alice 200"
B=$(cat "$T/hooks/1.body")
like "... an alert" "$B" '"kind":"alert","user":"alice"'
like "... food" "$B" '"category":"food"'
like "... in this month" "$B" "\"month\":\"$MONTH\""
like "... its threshold" "$B" '"threshold":100'
SIG=$(sed -n 's/^Spend-Signature: //p' "$T/hooks/1.head" | tr -d '\r')
TS=${SIG#t=}; TS=${TS%%,*}
is "... signed over timestamp.body with the secret" \
    "$({ printf '%s.' "$TS"; cat "$T/hooks/1.body"; } | openssl dgst -sha256 -hmac "$SECRET" -r | cut -d' ' -f1)" \
    "${SIG#*,v1=}"
is "one mail" "$(ls "$T/mail" | grep -c '\.eml$')" 1
like "... to alice" "$(cat "$T/mail/1.env")" "to alice@example.com"
like "... an alert for food" "$(cat "$T/mail/1.subject")" "[Spend] alert: "
like "... naming the category" "$(cat "$T/mail/1.txt")" "food"
is "one command run" "$(ls "$T/exec" | wc -l)" 1
is "... with the same JSON" "$(cat "$T/exec/"*-1.json)" "$B"

# under the threshold of another budget: no alert, nothing sent
ctl budget set travel 500 --alert 100 >/dev/null
ctl expense add 20 travel >/dev/null
ctl expense add 1 food >/dev/null
is "no new alert (food's 100% was sent, travel is at 4%)" \
    "$(ctl --json alerts | jget -j , items.*.threshold)" "100"

stop_spendd
start_spendd -c "$T/spendd.conf" || { not_ok "spendd starts again"; done_testing; }
# a test event to the log after the restart: once it is out, the
# deliverer has been through what was due
EV=$(ctl --json notify set log >/dev/null; ctl --json notify test log | jget event)
logged() { grep -q "event $EV of alice sent by log" "$T/spendd.log"; }
wait_for "the log channel after the restart" logged
is "after a restart: no POST again" "$(wc -l <"$T/hooks/log")" 1
is "... no mail again" "$(ls "$T/mail" | grep -c '\.eml$')" 1
is "... no command again" "$(ls "$T/exec" | wc -l)" 1
done_testing
