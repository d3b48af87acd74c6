"""Sync cases for the regress tests: python3 synccheck.py SUITE SOCKET PORT
TOKEN [N]. Talks JSON-RPC on the control socket (acting for alice) and
HTTP on the port (alice's access token). Prints "ok - ..." / "not ok -
..." lines (counted by tests/run.sh); exits 1 if any failed."""
import json
import socket
import sys
import time

suite, sock_path, port, token = sys.argv[1:5]
N = int(sys.argv[5]) if len(sys.argv) > 5 else 10000
failures = 0


def report(good, what, detail=""):
    global failures
    failures += 0 if good else 1
    print(("ok - " if good else "not ok - ") + what)
    if not good and detail:
        for line in str(detail).splitlines()[:8]:
            print("#   " + line[:300])
    sys.stdout.flush()


class Rpc:
    """NDJSON JSON-RPC on the control socket, as user alice."""
    def __init__(self):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(sock_path)
        self.buf = b""
        self.id = 0

    def line(self):
        while b"\n" not in self.buf:
            d = self.s.recv(1 << 20)
            if not d:
                raise EOFError("spendd closed the socket")
            self.buf += d
        l, self.buf = self.buf.split(b"\n", 1)
        return json.loads(l)

    def call(self, method, params=None):
        """(result, error)"""
        self.id += 1
        p = dict(params or {})
        p["user"] = "alice"
        self.s.sendall(json.dumps({"jsonrpc": "2.0", "id": self.id,
                                   "method": method, "params": p}).encode() + b"\n")
        r = self.line()
        return r.get("result"), r.get("error")

    def batch(self, calls):
        """[(method, params)] as one JSON-RPC batch; the replies in order"""
        reqs = []
        for method, params in calls:
            self.id += 1
            p = dict(params)
            p["user"] = "alice"
            reqs.append({"jsonrpc": "2.0", "id": self.id, "method": method,
                         "params": p})
        self.s.sendall(json.dumps(reqs).encode() + b"\n")
        r = self.line()
        byid = {x["id"]: x for x in r}
        return [byid[q["id"]] for q in reqs]


def pull_all(rpc, since, limit=1000):
    """Every page after since: (items, pages, last)"""
    items, pages, params = [], 0, {"since": since, "limit": limit}
    while True:
        res, err = rpc.call("sync.pull", params)
        if err:
            raise RuntimeError(err)
        pages += 1
        items += res["changes"]
        if not res["more"]:
            return items, pages, res["last"]
        params = {"cursor": res["next_cursor"], "limit": limit}
        if pages > 10000:
            raise RuntimeError("sync.pull never ends")


def apply(state, items):
    """A device's copy of its expenses: id -> expense"""
    for it in items:
        if it["entity"] != "expense":
            continue
        if it["deleted"]:
            state.pop(it["id"], None)
        elif it["id"] not in state or state[it["id"]]["version"] <= it["version"]:
            state[it["id"]] = it["data"]


def server_expenses(rpc):
    out, cursor = {}, None
    while True:
        p = {"limit": 500}
        if cursor:
            p["cursor"] = cursor
        res, err = rpc.call("expense.list", p)
        if err:
            raise RuntimeError(err)
        for e in res["items"]:
            out[e["id"]] = e
        cursor = res.get("next_cursor")
        if not cursor:
            return out


def head(rpc):
    res, err = rpc.call("sync.pull", {"since": 0, "limit": 1})
    return res["head"]


def catchup():
    """A device offline across N changes catches up in pages, and its copy
    equals expense.list row by row."""
    rpc = Rpc()
    items, pages, last = pull_all(rpc, 0)
    dev = {}
    apply(dev, items)
    report(last == head(rpc), "a first pull from 0 reaches the head")
    t = time.time()
    made, ids = 0, []
    while made < N * 8 // 10:	# adds: 80% of the changes
        n = min(500, N * 8 // 10 - made)
        r = rpc.batch([("expense.add", {"amount": "%d.%02d" % (i % 97 + 1, i % 100),
                                         "category": ["food", "transport"][i % 2],
                                         "date": "2026-03-%02d" % (i % 28 + 1),
                                         "note": "offline %d" % i})
                       for i in range(made, made + n)])
        bad = [x for x in r if "result" not in x]
        if bad:
            report(False, "adds while the device is offline", bad[0])
            return
        ids += [x["result"]["id"] for x in r]
        made += n
    edits = N // 10			# then 10% edits, 10% deletes
    r = rpc.batch([("expense.edit", {"id": ids[i], "note": "edited %d" % i,
                                      "amount": "1.%02d" % (i % 100)})
                   for i in range(0, edits * 2, 2)])
    r += rpc.batch([("expense.delete", {"id": ids[i]})
                    for i in range(1, edits * 2, 2)])
    bad = [x for x in r if "result" not in x]
    report(not bad, "%d adds, %d edits and %d deletes while offline (%.1f s)"
           % (made, edits, edits, time.time() - t), bad[:1])
    h = head(rpc)
    report(h - last >= N, "... %d changes after the device's last pull" % (h - last))
    t = time.time()
    items, pages, last2 = pull_all(rpc, last)
    report(last2 == h, "the device catches up to the head (%d)" % h, "last %s" % last2)
    report(pages <= (h - last) // 1000 + 2, "... in %d pages of 1000 (%.2f s)"
           % (pages, time.time() - t))
    seqs = [it["seq"] for it in items]
    report(seqs == sorted(seqs), "... in order")
    keys = [(it["entity"], it["id"]) for it in items]
    report(len(keys) == len(set(keys)), "... each entity once (the latest change)")
    apply(dev, items)
    srv = server_expenses(rpc)
    diff = [i for i in set(dev) | set(srv) if dev.get(i) != srv.get(i)]
    report(not diff and len(dev) == len(srv),
           "the device's %d expenses equal expense.list's %d, row by row"
           % (len(dev), len(srv)),
           "first difference: %r vs %r" % (dev.get(diff[0]), srv.get(diff[0])) if diff else "")


def sse_connect(last_id=None):
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
    extra = "Last-Event-ID: %s\r\n" % last_id if last_id is not None else ""
    s.sendall(("GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
               "Accept: text/event-stream\r\n%s\r\n" % (token, extra)).encode())
    return [s, b""]


def sse_events(c, n, seconds=10):
    """Read until n events came (or seconds passed): [(id, event, data)]"""
    out, end = [], time.time() + seconds
    while len(out) < n and time.time() < end:
        while b"\n\n" in c[1] and len(out) < n:
            block, c[1] = c[1].split(b"\n\n", 1)
            ev = {}
            for l in block.decode().split("\n"):
                if l.startswith(":") or ":" not in l:
                    continue
                k, v = l.split(":", 1)
                ev[k] = v[1:] if v.startswith(" ") else v
            if "event" in ev or "data" in ev:
                out.append((ev.get("id"), ev.get("event"), ev.get("data")))
        if len(out) >= n:
            break
        c[0].settimeout(max(0.05, end - time.time()))
        try:
            d = c[0].recv(65536)
        except socket.timeout:
            break
        if not d:
            break
        c[1] += d
    return out


def resume():
    """An SSE client cut off during 50 writes resumes with Last-Event-ID and
    receives all 50, in order; then live events follow."""
    rpc = Rpc()
    c = sse_connect()
    res, err = rpc.call("expense.add", {"amount": "1.00", "category": "food",
                                        "note": "before the cut"})
    ev = sse_events(c, 1)
    report(len(ev) == 1 and ev[0][1] == "expense.add" and ev[0][0] is not None,
           "a live event carries an id", ev)
    last = ev[0][0] if ev else "0"
    report(last == str(head(rpc)), "... the write's change number", "%s" % last)
    c[0].close()
    ids = []
    for i in range(50):
        res, err = rpc.call("expense.add", {"amount": "2.%02d" % i,
                                            "category": "food", "note": "missed %d" % i})
        ids.append(res["id"] if res else None)
    c = sse_connect(last)
    ev = sse_events(c, 50)
    got = [json.loads(d)["id"] for (i, e, d) in ev if e == "change"]
    report(got == ids, "the 50 missed writes come back in order on reconnecting",
           "got %d: %s" % (len(got), got[:5]))
    seqs = [int(i) for (i, e, d) in ev]
    report(seqs == sorted(seqs) and len(set(seqs)) == len(seqs) and
           seqs[0] == int(last) + 1, "... numbered by the change log")
    notes = [json.loads(d)["data"]["note"] for (i, e, d) in ev if e == "change"]
    report(notes == ["missed %d" % i for i in range(50)], "... with their data")
    res, err = rpc.call("expense.add", {"amount": "3.00", "category": "food",
                                        "note": "live again"})
    ev = sse_events(c, 1)
    report(len(ev) == 1 and ev[0][1] == "expense.add" and "live again" in ev[0][2]
           and int(ev[0][0]) == seqs[-1] + 1, "then the stream goes on live", ev)
    c[0].close()
    # a client ahead of the log (a restored database) is told to resync
    c = sse_connect(str(head(rpc) + 100))
    ev = sse_events(c, 1)
    report(len(ev) == 1 and ev[0][1] == "resync" and int(ev[0][0]) == head(rpc),
           "a client ahead of the log gets event: resync, id the head", ev)
    c[0].close()


def compacted(since):
    """After compaction: a device behind the floor must resync."""
    rpc = Rpc()
    res, err = rpc.call("sync.pull", {"since": int(since)})
    report(err is not None and err.get("code") == -32014 and
           "pull again from 0" in err.get("message", ""),
           "a pull from before the compacted tombstones is resync_required", err)
    items, pages, last = pull_all(rpc, 0)
    dev = {}
    apply(dev, items)
    report(dev == server_expenses(rpc), "... and a pull from 0 gives the whole state")
    res, err = rpc.call("change.list", {"since": 0, "limit": 1000})
    keys = [(c["entity"], c["id"]) for c in res["items"]]
    report(len(keys) == len(set(keys)), "the compacted log keeps one change per entity")
    report(not [c for c in res["items"] if c["op"] == "delete"],
           "... and no tombstone older than tombstone_days (0)")
    c = sse_connect(since)
    ev = sse_events(c, 1)
    report(len(ev) == 1 and ev[0][1] == "resync", "an SSE client behind the floor "
           "gets event: resync", ev)
    c[0].close()


if suite == "catchup":
    catchup()
elif suite == "resume":
    resume()
elif suite == "compacted":
    compacted(sys.argv[5])
sys.exit(1 if failures else 0)
