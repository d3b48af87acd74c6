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
    # subscribed once the greeting came: writes after it are on the stream
    buf, end = b"", time.time() + 10
    while b": spendd events" not in buf and time.time() < end:
        d = s.recv(65536)
        if not d:
            break
        buf += d
    body = buf.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in buf else b""
    return [s, body.split(b": spendd events\n\n", 1)[-1]]


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


def push():
    """sync.push: offline creations and edits, applied once each; stale
    edits merge by field or come back as conflicts with both sides."""
    rpc = Rpc()
    uid = lambda n: "00000000-0000-4000-8000-%012d" % n
    res, err = rpc.call("sync.push", {"mutations": [
        {"mid": uid(1), "op": "create", "client_id": uid(101),
         "fields": {"amount": "4.50", "category": "food", "note": "offline lunch"}},
        {"mid": uid(2), "op": "update", "client_id": uid(101), "version": 1,
         "fields": {"payee": "Deli"}}]})
    r = res["results"] if res else []
    report(err is None and [x["status"] for x in r] == ["applied", "applied"],
           "a creation and an edit naming it by its client id, in one push", err or r)
    eid = r[0]["expense"]["id"] if r else 0
    report(r and r[1]["expense"]["payee"] == "Deli" and r[1]["expense"]["version"] == 2,
           "... the edit applied to the new expense", r)
    before = len(server_expenses(rpc))
    res2, err = rpc.call("sync.push", {"mutations": [
        {"mid": uid(1), "op": "create", "client_id": uid(101),
         "fields": {"amount": "4.50", "category": "food", "note": "offline lunch"}},
        {"mid": uid(2), "op": "update", "client_id": uid(101), "version": 1,
         "fields": {"payee": "Deli"}}]})
    r2 = res2["results"] if res2 else []
    report(len(server_expenses(rpc)) == before and res2["replayed"] == 2 and
           [x["expense"]["id"] for x in r2] == [eid, eid],
           "the same push again is applied once: the same answers, no new row", res2)
    # two devices edit the expense offline from version 2
    a, _ = rpc.call("sync.push", {"mutations": [{"mid": uid(3), "op": "update",
        "id": eid, "version": 2, "fields": {"note": "from the phone"}}]})
    b, _ = rpc.call("sync.push", {"mutations": [{"mid": uid(4), "op": "update",
        "id": eid, "version": 2, "fields": {"amount": "5.00"}}]})
    e, _ = rpc.call("expense.get", {"id": eid})
    report(a["results"][0]["status"] == "applied" and b["results"][0]["status"] == "merged"
           and e["note"] == "from the phone" and e["amount"] == "5.00",
           "edits of different fields from one version merge: both kept", [a, b, e])
    c, _ = rpc.call("sync.push", {"mutations": [{"mid": uid(5), "op": "update",
        "id": eid, "version": 2, "fields": {"note": "from the laptop"}}]})
    x = c["results"][0]
    e2, _ = rpc.call("expense.get", {"id": eid})
    report(x["status"] == "conflict" and x["fields"] == ["note"] and
           x["server"]["note"] == "from the phone" and x["mine"]["note"] == "from the laptop"
           and e2 == e, "an edit of the same field is a conflict with both sides, "
           "nothing written", x)
    d, _ = rpc.call("sync.push", {"mutations": [{"mid": uid(6), "op": "update",
        "id": eid, "version": x["server"]["version"], "fields": {"note": "from the laptop"}}]})
    e3, _ = rpc.call("expense.get", {"id": eid})
    report(d["results"][0]["status"] == "applied" and e3["note"] == "from the laptop",
           "... keep mine: pushed again on the server's version, it applies", d)
    # a bad mutation in the middle undoes nothing before it
    res, err = rpc.call("sync.push", {"mutations": [
        {"mid": uid(7), "op": "create", "fields": {"amount": "1.00", "category": "food"}},
        {"mid": uid(8), "op": "create", "fields": {"amount": "1.005", "category": "food"}},
        {"mid": uid(9), "op": "create", "fields": {"amount": "2.00", "category": "nope"}},
        {"mid": uid(10), "op": "create", "fields": {"amount": "3.00", "category": "food"}}]})
    r = res["results"]
    report([x["status"] for x in r] == ["applied", "error", "error", "applied"] and
           r[1]["index"] == 1 and "amount" in r[1]["error"]["message"] and
           "nope" in r[2]["error"]["message"],
           "bad mutations are reported by index and what is wrong; the others apply",
           r)
    # deletes: a stale one over a changed field is a conflict, a current one applies
    res, _ = rpc.call("sync.push", {"mutations": [{"mid": uid(11), "op": "delete",
        "id": eid, "version": 2}]})
    report(res["results"][0]["status"] == "conflict", "a delete based on an old version "
           "of an edited expense is a conflict", res)
    res, _ = rpc.call("sync.push", {"mutations": [{"mid": uid(12), "op": "delete",
        "id": eid, "version": e3["version"]}, {"mid": uid(13), "op": "update",
        "id": eid, "version": e3["version"], "fields": {"note": "too late"}}]})
    r = res["results"]
    report(r[0]["status"] == "applied" and r[1]["status"] == "conflict" and
           r[1]["server"] is None, "a current delete applies; an edit of a deleted "
           "expense is a conflict with no server side", r)
    # a phone's 1000 offline mutations in one push
    muts = [{"mid": uid(1000 + i), "op": "create", "client_id": uid(5000 + i),
             "fields": {"amount": "%d.00" % (i % 50 + 1), "category": "food",
                        "note": "bulk %d" % i}} for i in range(1000)]
    t = time.time()
    res, err = rpc.call("sync.push", {"mutations": muts})
    report(err is None and res["applied"] == 1000 and res["complete"],
           "a push of 1000 offline creations (%.2f s)" % (time.time() - t), err)


if suite == "catchup":
    catchup()
elif suite == "push":
    push()
elif suite == "resume":
    resume()
elif suite == "compacted":
    compacted(sys.argv[5])
sys.exit(1 if failures else 0)
