"""Raw HTTP/1.1 cases for the regress tests: python3 rawhttp.py SUITE PORT
TOKEN PID. Prints "ok - ..." / "not ok - ..." lines (counted by
tests/run.sh); exits 1 if any failed."""
import json
import os
import select
import socket
import sys
import time

suite, port, token, pid = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
# AddressSanitizer keeps freed memory in quarantine and shadows all of
# it: an ASan build's RSS is a few times larger (the test says so)
RSS_SCALE = int(os.environ.get("RSS_SCALE", "1"))


failures = 0


def until(cond, seconds=5.0):
    """cond() every 20 ms until it is true or seconds pass; its last value
    (a wait on a condition, not a fixed sleep)."""
    end = time.time() + seconds
    while True:
        v = cond()
        if v or time.time() >= end:
            return v
        time.sleep(0.02)


def report(good, what, detail=""):
    global failures
    failures += 0 if good else 1
    print(("ok - " if good else "not ok - ") + what)
    if not good and detail:
        for line in str(detail).splitlines()[:8]:
            print("#   " + line)


class Conn:
    """A client connection that keeps what it read past one response."""
    def __init__(self, timeout=5):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def sendall(self, data):
        self.s.sendall(data)

    def recv(self, n):
        if self.buf:
            d, self.buf = self.buf[:n], self.buf[n:]
            return d
        return self.s.recv(n)

    def close(self):
        self.s.close()


def connect(timeout=5):
    return Conn(timeout)


def read_response(c, head_only=False):
    """One response: (status, headers dict lower-case, body bytes), or
    (None, {}, b"") when the connection closed first."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = c.recv(65536)
        if not d:
            return None, {}, buf
        buf += d
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    hdrs = {}
    for l in lines[1:]:
        k, v = l.split(":", 1)
        hdrs[k.strip().lower()] = v.strip()
    n = 0 if head_only else int(hdrs.get("content-length", "0"))
    while len(rest) < n:
        d = c.recv(65536)
        if not d:
            break
        rest += d
    c.buf = rest[n:] + c.buf
    return status, hdrs, rest[:n]


def roundtrip(raw, timeout=5):
    s = connect(timeout)
    try:
        s.sendall(raw)
        return read_response(s)
    except OSError as e:
        return None, {}, str(e).encode()
    finally:
        s.close()


def is_json_error(hdrs, body):
    try:
        return hdrs.get("content-type", "").startswith("application/json") \
            and "error" in json.loads(body)
    except ValueError:
        return False


def expect(what, raw, status):
    st, h, b = roundtrip(raw)
    report(st == status and is_json_error(h, b), "%s: %s, JSON" % (what, status),
           "got %s %s %r" % (st, h.get("content-type"), b[:200]))


def get(path, extra=""):
    return ("GET %s HTTP/1.1\r\nHost: x\r\n%s\r\n" % (path, extra)).encode()


def strict():
    expect("Content-Length: +41",
           b"POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           b"Content-Length: +41\r\n\r\n" + b"x" * 41, 400)
    expect("two Host headers", b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400)
    expect("HTTP/1.1 without Host", b"GET / HTTP/1.1\r\n\r\n", 400)
    expect("a NUL in a header value", b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n", 400)
    expect("a CR alone in a header value", b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", 400)
    expect("a folded header line", b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", 400)
    expect("a space before the colon", b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400)
    expect("Content-Length and Transfer-Encoding",
           b"POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
           b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400)
    expect("two Content-Length headers",
           b"POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}", 400)
    expect("Transfer-Encoding: gzip", b"POST /rpc HTTP/1.1\r\nHost: x\r\n"
           b"Transfer-Encoding: gzip\r\n\r\n", 501)
    expect("HTTP/2.0 in a request line", b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505)
    expect("an unknown method", b"BREW / HTTP/1.1\r\nHost: x\r\n\r\n", 501)
    expect("a request target that is not a path", b"GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", 400)
    expect("a 100 KB header", get("/", "X-Big: " + "a" * 100000 + "\r\n"), 431)
    expect("a 100 KB request line", get("/" + "a" * 100000), 414)
    expect("an Expect other than 100-continue", get("/", "Expect: tea\r\n"), 417)

    # a body too large for its route is refused from the head alone
    s = connect()
    s.sendall(b"POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: 2000000\r\n\r\n")
    st, h, b = read_response(s)
    s.close()
    report(st == 413 and is_json_error(h, b), "2 MB to /rpc: 413 before a byte of the body",
           "got %s %r" % (st, b[:200]))
    s = connect()
    s.sendall(b"POST /api/v1/imports HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n")
    st, h, b = read_response(s)
    s.close()
    report(st == 401, "a 100 MB upload without a token: 401 before the body", st)
    s = connect()
    s.sendall(("POST /api/v1/imports?format=csv HTTP/1.1\r\nHost: x\r\n"
               "Authorization: Bearer %s\r\nContent-Length: 300000000\r\n"
               "Expect: 100-continue\r\n\r\n" % token).encode())
    st, h, b = read_response(s)
    s.close()
    report(st == 413, "a 300 MB upload with a token: 413 ([http] max_import), before the body", st)
    s = connect()
    s.sendall(b"POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n" + b"200000\r\n" + b" " * 65536)
    st, h, b = read_response(s)
    s.close()
    report(st == 413, "a chunked body that grows past the limit: 413", st)

    # a chunked body that fits is read
    body = b'{"jsonrpc":"2.0","id":1,"method":"daemon.version"}'
    raw = (b"POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           b"Transfer-Encoding: chunked\r\n\r\n" +
           b"%x\r\n" % 10 + body[:10] + b"\r\n" +
           b"%x;ext=1\r\n" % (len(body) - 10) + body[10:] + b"\r\n0\r\nX-Trailer: y\r\n\r\n")
    st, h, b = roundtrip(raw)
    report(st == 200 and b'"protocol"' in b, "a chunked request body", "%s %r" % (st, b[:200]))

    # keep-alive and pipelining
    s = connect()
    s.sendall(get("/api/v1/version") + get("/api/v1/version"))
    st1, _, _ = read_response(s)
    st2, _, _ = read_response(s)
    report(st1 == 200 and st2 == 200, "two pipelined requests on one connection: two replies",
           "%s %s" % (st1, st2))
    s.sendall(get("/api/v1/version", "Connection: close\r\n"))
    st, h, _ = read_response(s)
    report(st == 200 and h.get("connection") == "close", "Connection: close is honoured", h)
    report(s.recv(10) == b"", "... and the connection is closed")
    s.close()
    st, h, b = roundtrip(b"GET /api/v1/version HTTP/1.0\r\n\r\n")
    report(st == 200 and h.get("connection") == "close", "HTTP/1.0 without Host: served, then closed", st)
    s = connect()
    s.sendall(b"HEAD /api/v1/version HTTP/1.1\r\nHost: x\r\n\r\n")
    st, h, b = read_response(s, head_only=True)
    report(st == 200 and int(h.get("content-length", 0)) > 0, "HEAD says the length", h)
    s.sendall(get("/api/v1/version"))
    st, h, b = read_response(s)
    report(st == 200 and b'"protocol"' in b, "... and sends no body (the next reply parses)", st)
    s.close()

    # a head that trickles in is cut at [http] header_timeout (2 s), even
    # though each line arrives well within [http] timeout (30 s)
    s = connect(10)
    t0 = time.time()
    s.sendall(b"GET / HTTP/1.1\r\n")
    st = None
    try:
        for i in range(12):
            # a line every 0.5 s, until spendd answers
            if select.select([s.s], [], [], 0.5)[0]:
                break
            s.sendall(b"X-Slow-%d: 1\r\n" % i)
    except OSError:
        pass
    try:
        st, h, b = read_response(s)
    except OSError:
        st = None
    took = time.time() - t0
    s.close()
    report(st == 408 and took < 5, "a slow head: 408 at the header deadline (took %.1f s)" % took, st)
    alive()


def alive():
    st, h, b = roundtrip(get("/api/v1/version"))
    report(st == 200, "spendd still serves")


def reloaded():
    # the new per-address cap (3): the 4th connection is closed at once
    held = [connect() for _ in range(3)]
    s = connect()
    try:
        s.sendall(get("/api/v1/version"))
        st, h, b = read_response(s)
    except OSError:
        st = None
    report(st is None, "after SIGHUP, max_connections_per_address = 3: a 4th is refused", st)
    s.close()
    for h in held:
        h.close()

    def version():
        try:
            return roundtrip(get("/api/v1/version"))[0]
        except OSError:
            return None
    st = until(lambda: version() == 200 and 200)
    report(st == 200, "... and served again once they close", st)
    expect("after SIGHUP, max_headers = 2k", get("/", "X-Big: " + "a" * 3000 + "\r\n"), 431)
    s = connect(10)
    t0 = time.time()
    s.sendall(b"GET / HTTP/1.1\r\n")
    try:
        st, h, b = read_response(s)
    except OSError:
        st = None
    took = time.time() - t0
    s.close()
    report(st == 408 and took < 1.9, "after SIGHUP, header_timeout = 1 (took %.1f s)" % took, st)


def cpu_ticks():
    with open("/proc/%s/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])    # utime + stime


def hold(n, source="127.0.0.1", partial=True):
    """n connections from source, each with a partial request sent."""
    out = []
    for _ in range(n):
        try:
            s = socket.socket()
            s.settimeout(2)
            s.bind((source, 0))
            s.connect(("127.0.0.1", port))
            if partial:
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            out.append(s)
        except OSError:
            break
    return out


def served(source):
    try:
        s = socket.socket()
        s.settimeout(3)
        s.bind((source, 0))
        s.connect(("127.0.0.1", port))
        c = Conn.__new__(Conn)
        c.s, c.buf = s, b""
        c.sendall(get("/api/v1/version"))
        st, _, _ = read_response(c)
        s.close()
        return st == 200
    except OSError:
        return False


def emfile():
    # the fd limit (96) is below max_connections (1000): accept() fails
    # with EMFILE once the fds are gone
    t0 = cpu_ticks()
    held = hold(150)
    time.sleep(2)
    used = cpu_ticks() - t0
    hz = os.sysconf("SC_CLK_TCK")
    report(used < hz * 0.5, "150 half-open connections past the fd limit: spendd "
           "does not spin (%.2f s of CPU in 2 s)" % (used / hz))
    for s in held:
        s.close()
    # (after the accept pause)
    report(until(lambda: served("127.0.0.1")), "served again once they close")


def caps():
    # max_connections_per_address = 20: one address cannot take them all
    held = hold(100, "127.0.0.3")
    for s in held:
        s.setblocking(False)
    closed = set()

    def kept():
        for s in held:
            if s in closed:
                continue
            try:
                if s.recv(1) == b"":
                    closed.add(s)
            except BlockingIOError:
                pass            # still open, nothing to read
            except OSError:
                closed.add(s)
        return len(held) - len(closed)
    # the refused ones are closed at once: wait for 80 to be (or 5 s)
    alive_n = until(lambda: kept() <= 20 and kept())
    alive_n = alive_n if alive_n is not False else kept()
    report(alive_n == 20, "100 connections from one address: 20 kept, the rest "
           "closed at once (%d kept)" % alive_n)
    report(served("127.0.0.4"), "another address is served meanwhile")
    for s in held:
        s.close()


def rss_kb(field="VmRSS"):
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def rpc_http(body):
    raw = json.dumps(body).encode()
    c = connect(60)
    c.sendall(b"POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Authorization: Bearer " + token.encode() +
              b"\r\nContent-Length: %d\r\n\r\n" % len(raw) + raw)
    st, h, b = read_response(c)
    c.close()
    return st, b


def batches():
    # one big batch: its replies stop at [daemon] max_batch_reply (1 MB)
    batch = [{"jsonrpc": "2.0", "id": i, "method": "expense.list",
              "params": {"limit": 500}} for i in range(1000)]
    st, b = rpc_http(batch)
    out = json.loads(b)
    done = [r for r in out if "result" in r]
    refused = [r for r in out if r.get("error", {}).get("data", {}).get("type") == "too_large"]
    report(st == 200 and len(out) == 1000, "a batch of 1000 lists gets 1000 replies", st)
    report(0 < len(done) < 20 and len(done) + len(refused) == 1000,
           "... %d run, %d refused unrun once the replies reached 1 MB" % (len(done), len(refused)))
    report(len(b) < 3 << 20, "... a reply of %d KB, not 125 MB" % (len(b) >> 10))
    report("max_batch_reply" in refused[-1]["error"]["message"],
           "... the refusal says which limit", refused[-1]["error"]["message"])
    report(rss_kb("VmHWM") < 150 * 1024 * RSS_SCALE, "spendd's peak RSS stays small (%d MB)" % (rss_kb("VmHWM") >> 10))


def control():
    path = token     # the socket path, in place of a token
    # a 10 MB line: refused with a clear error, connection closed
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.settimeout(30)
    t0 = time.time()
    try:
        s.sendall(b"x" * (10 << 20))
    except OSError:
        pass
    buf = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            buf += d
    except OSError:
        pass
    s.close()
    report(b"request line longer than" in buf and b"max_request" in buf,
           "a 10 MB line on the control socket: a clear error (%.1f s)" % (time.time() - t0), buf[:200])
    # a client that sends 400 requests and reads nothing: spendd stops
    # reading it instead of queueing 60 MB of replies; then every reply
    # arrives once it reads
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.settimeout(30)
    req = b"".join(json.dumps({"jsonrpc": "2.0", "id": i, "method": "expense.list",
                               "params": {"user": "alice", "limit": 500}}).encode() + b"\n"
                   for i in range(400))
    s.setblocking(False)
    sent = 0
    try:
        while sent < len(req):
            sent += s.send(req[sent:])
    except BlockingIOError:
        pass
    time.sleep(1.5)
    rss = rss_kb()
    report(rss < 120 * 1024 * RSS_SCALE, "a client that does not read: spendd's RSS stays at %d MB" % (rss >> 10))
    s.setblocking(True)
    got = 0
    while got < 400:    # (counted as they come: 60 MB, not kept)
        if sent < len(req):
            sent += s.send(req[sent:])
        d = s.recv(1 << 20)
        if not d:
            break
        got += d.count(b"\n")
    s.close()
    report(got == 400, "... and gets all 400 replies once it reads (%d)" % got)


{"strict": strict, "reloaded": reloaded, "emfile": emfile, "caps": caps,
 "batches": batches, "control": control}[suite]()
sys.exit(1 if failures else 0)
