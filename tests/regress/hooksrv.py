#!/usr/bin/env python3
"""A webhook receiver (and file server) for the regress tests.

usage: hooksrv.py PORT DIR [FILES]

POSTs are recorded in DIR: N.body (the body as received), N.head (the
request line and headers) and one line "N PATH STATUS" in DIR/log, where
N counts requests from 1. The answer depends on the path:
  /fail-K/...   503 for the first K requests to that path, then 200
  /down/...     always 500
  /gone/...     410
  /slow-K/...   the first K requests to that path get no answer for a
                minute ("N PATH slow" in the log first), then 200
  /redirect/... 302 to /ok/
  anything else 200
GET serves the files of FILES (404 when absent or no FILES). DIR/ready
appears once the port is open.
"""
import http.server
import os
import sys
import time

port, out = int(sys.argv[1]), sys.argv[2]
files = sys.argv[3] if len(sys.argv) > 3 else None
counts = {}
n = [0]


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        n[0] += 1
        k = n[0]
        with open(os.path.join(out, "%d.body" % k), "wb") as f:
            f.write(body)
        with open(os.path.join(out, "%d.head" % k), "w") as f:
            f.write(self.requestline + "\n" + str(self.headers))
        p = self.path
        seg = p.split("/")[1] if p.count("/") >= 1 else ""
        status = 200
        if seg.startswith("fail-"):
            counts[p] = counts.get(p, 0) + 1
            if counts[p] <= int(seg[5:]):
                status = 503
        elif seg.startswith("slow-"):
            counts[p] = counts.get(p, 0) + 1
            if counts[p] <= int(seg[5:]):
                with open(os.path.join(out, "log"), "a") as f:
                    f.write("%d %s slow\n" % (k, p))
                time.sleep(60)
        elif seg == "down":
            status = 500
        elif seg == "gone":
            status = 410
        elif seg == "redirect":
            status = 302
        with open(os.path.join(out, "log"), "a") as f:
            f.write("%d %s %d\n" % (k, p, status))
        if status == 302:
            self.answer(302, headers=[("Location", "/ok/")])
        else:
            self.answer(status, {503: b"busy, try later", 500: b"down",
                                 410: b"gone"}.get(status, b"ok"))

    def do_GET(self):
        name = os.path.basename(self.path.split("?")[0])
        path = os.path.join(files, name) if files and name else None
        if path is None or not os.path.isfile(path):
            self.answer(404, b"not found")
            return
        with open(path, "rb") as f:
            self.answer(200, f.read(), [("Content-Type", "text/csv")])


srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), H)
open(os.path.join(out, "ready"), "w").close()
srv.serve_forever()
