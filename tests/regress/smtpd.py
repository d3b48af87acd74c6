#!/usr/bin/env python3
"""An SMTP server for the regress tests (aiosmtpd): STARTTLS required,
AUTH (PLAIN, LOGIN) required after it.

usage: smtpd.py PORT DIR CERT KEY USER PASSWORD

Each message goes to DIR: N.eml (as received), N.env (mail from, rcpt
to, the authenticated user, whether TLS was on: one "key value" a line),
N.txt and N.html (its text and HTML parts, decoded), N.subject (the
decoded subject). Each file appears whole (written under another name,
then renamed), and N.subject last: a test that waits for it finds the
others complete. DIR/ready appears once the port is open.
"""
import email
import email.header
import email.policy
import os
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

port, out, cert, key, user, password = sys.argv[1:7]
port = int(port)
n = [0]


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (auth_data.login.decode() == user and
          auth_data.password.decode() == password)
    return AuthResult(success=ok, auth_data=auth_data)


def put(path, data):
    """path appears whole or not at all"""
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.rename(path + ".tmp", path)


class Handler:
    async def handle_DATA(self, server, session, envelope):
        n[0] += 1
        k = n[0]
        base = os.path.join(out, str(k))
        put(base + ".eml", envelope.original_content or envelope.content)
        msg = email.message_from_bytes(envelope.content,
                                       policy=email.policy.default)
        for part in msg.walk():
            ct = part.get_content_type()
            if ct in ("text/plain", "text/html"):
                put(base + (".txt" if ct == "text/plain" else ".html"),
                    part.get_content().replace("\r\n", "\n").encode())
        auth = session.auth_data.login.decode() if session.auth_data else ""
        put(base + ".env", ("from %s\nto %s\nauth %s\ntls %s\n" % (
            envelope.mail_from, " ".join(envelope.rcpt_tos), auth,
            "yes" if session.ssl is not None else "no")).encode())
        put(base + ".subject", (str(msg["Subject"]) + "\n").encode())
        return "250 OK"


ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(cert, key)
c = Controller(Handler(), hostname="127.0.0.1", port=port, tls_context=ctx,
               require_starttls=True, auth_required=True,
               auth_require_tls=True, authenticator=authenticator)
c.start()
open(os.path.join(out, "ready"), "w").close()
try:
    while True:
        time.sleep(3600)
finally:
    c.stop()
