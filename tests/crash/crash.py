#!/usr/bin/env python3
"""Crash test: clients write while spendd is killed with SIGKILL at a
random moment, then restarted; after each kill nothing acknowledged may be
missing and nothing may be half applied.

spendd is started once (users made), then each cycle runs on the spendd
the cycle before restarted:
  1. the clients start at once, each on its own thread:
     - socket writers: expense.add on the control socket, acting for
       their own user;
     - HTTP writers: log in (POST /api/v1/auth/login), then POST
       /api/v1/expenses with the Bearer token;
     - an importer: `spendctl import` of generated CSV files of
       --import-rows rows, one after another, each marked by its own
       payee, into this cycle's importer user;
     - a refresher: logs in, then rotates its refresh token with POST
       /api/v1/auth/refresh {"refresh_token": ...} over and over;
  2. spendd is killed with SIGKILL after a random delay; the clients stop
     on the broken connections (an error reply while spendd ran fails the
     cycle, but for "busy": a write that met an import's write lock; a
     login or refresh refused so is tried again);
  3. `sqlite3 -readonly` on the database as the kill left it (WAL and
     all): PRAGMA integrity_check and foreign_key_check must be clean;
     read-only, so the WAL is left for spendd's own recovery;
  4. spendd is restarted (durability normal and full on alternate
     cycles), sometimes after one more start killed within its first
     30 ms (a crash during WAL recovery or the quick_check, checked as in
     3), and the cycle checks, reading the database read-only beside the
     running daemon and asking the daemon itself:
     - every write a client got a success reply for is there, with its
       note and amount, never twice; every earlier cycle's too;
     - the daemon's expense.list count of each writer agrees with the file;
     - every import is whole (all its rows, with its sum) or absent, and
       whole if spendctl reported it done (the imports of the last
       --keep-imports cycles are checked again, older importer users are
       deleted to keep the database small);
     - refresh rotation (auth.c: the old token is marked used and the new
       one added in one transaction): the session has exactly one live
       token and every rotated one is used; if the last rotation was
       acknowledged, its new token is accepted and then the one before it
       refused; if the kill cut it off, the token sent is either still
       live (and accepted) or used with one newer live token beside it
       (and refused); no session anywhere has two live tokens;
     - daemon.status reports the durability spendd was started with.
After the last cycle spendd is stopped cleanly and checked once more.

Prints "ok - ..." / "not ok - ..." lines and "#" counts; stops at the
first cycle that fails (its database is kept with KEEP=1). Exit status 0
if nothing failed. One process for the whole run.
"""
import argparse
import hashlib
import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

PASSWORD = "crash-test-pass"


def log(msg):
    print(msg, flush=True)


class Spendd:
    """One spendd at a time, in the foreground, output to the log."""

    def __init__(self, a):
        self.a = a
        self.data = os.path.join(a.dir, "data")
        self.sock = os.path.join(self.data, "spendd.sock")
        self.db = os.path.join(self.data, "spend.db")
        self.proc = None
        self.logf = open(os.path.join(a.dir, "spendd.log"), "ab")
        os.makedirs(self.data, exist_ok=True)

    def spawn(self, durability):
        self.logf.write(("--- crash.py: start, durability %s\n" %
                         durability).encode())
        self.logf.flush()
        self.proc = subprocess.Popen(
            [self.a.spendd, "-f", "--data-dir", self.data,
             "-o", "http.listen=127.0.0.1:%d" % self.a.port,
             "-o", "plugins.dir=" + self.a.plugins,
             "-o", "http.webui=" + os.path.join(self.a.top, "webui"),
             "-o", "storage.durability=" + durability,
             "-o", "auth.argon2_opslimit=1", "-o", "auth.argon2_memlimit=8k"],
            stdout=self.logf, stderr=self.logf, stdin=subprocess.DEVNULL)

    def ready(self, timeout=15.0):
        """Wait until the socket answers (a killed spendd leaves its
        socket file behind, so the file alone says nothing)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                return False
            try:
                if rpc_once(self.sock, "daemon.version", {}).get("result"):
                    return True
            except (OSError, ValueError):
                pass
            time.sleep(0.02)
        return False

    def kill(self):
        if self.proc is None:
            return
        try:
            self.proc.send_signal(signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.logf.write(b"--- crash.py: SIGKILL\n")
        self.logf.flush()
        self.proc = None

    def stop(self):
        """SIGTERM; spendd's exit status (None if it had to be killed)."""
        if self.proc is None:
            return None
        self.proc.terminate()
        try:
            rc = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()
            return None
        self.proc = None
        return rc


# ---- the control socket ----

class Sock:
    """A JSON-RPC connection on the control socket, one request at a
    time."""

    def __init__(self, path, timeout=30.0):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.buf = b""
        self.id = 0

    def call(self, method, params):
        self.id += 1
        self.s.sendall((json.dumps({"jsonrpc": "2.0", "id": self.id,
                                    "method": method, "params": params})
                        + "\n").encode())
        while b"\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise ConnectionError("spendd closed the socket")
            self.buf += d
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def close(self):
        self.s.close()


def rpc_once(path, method, params):
    s = Sock(path, timeout=5.0)
    try:
        return s.call(method, params)
    finally:
        s.close()


def rpc_ok(path, method, params):
    r = rpc_once(path, method, params)
    if "result" not in r:
        raise RuntimeError("%s %s: %s" % (method, json.dumps(params),
                                           json.dumps(r.get("error"))))
    return r["result"]


# ---- HTTP ----

def http_json(conn, method, path, body=None, token=None):
    """(status, parsed body or None). Raises OSError/HTTPException when
    the connection breaks."""
    headers = {}
    data = None
    if body is not None:
        data = json.dumps(body)
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = "Bearer " + token
    conn.request(method, path, data, headers)
    resp = conn.getresponse()
    raw = resp.read()
    try:
        return resp.status, json.loads(raw) if raw else None
    except ValueError:
        return resp.status, None


def http_conn(a, timeout=30.0):
    return http.client.HTTPConnection("127.0.0.1", a.port, timeout=timeout)


def busy(st, b):
    # a write that meets an import's write lock for 200 ms is refused
    # with "busy ... try again" (HACKING.md)
    return st == 503 and "busy" in json.dumps(b)


def login(conn, user, client):
    """The login reply; tried again while spendd says busy (a session is
    a write), each refusal counted as the client's. None once the client
    is told to stop."""
    while not client.stop.is_set():
        st, b = http_json(conn, "POST", "/api/v1/auth/login",
                          {"username": user, "password": PASSWORD,
                           "refresh_in_body": True})
        if st == 200:
            return b
        if not busy(st, b):
            raise RuntimeError("login %s: %d %s" % (user, st, b))
        client.refused("login: %d %s" % (st, b))
        client.stop.wait(0.02)
    return None


def token_hash(tok):
    # auth.c token_hash(): crypto_generichash (BLAKE2b-256, no key), hex
    return hashlib.blake2b(tok.encode(), digest_size=32).hexdigest()


# ---- clients ----

BREAKS = (OSError, http.client.HTTPException, ValueError)
# what spendctl says when spendd dies under it (ctl/spendctl.c)
LOST = ("closed the connection", "reading from", "cannot connect")


class Client(threading.Thread):
    def __init__(self, name, stop):
        super().__init__(name=name, daemon=True)
        self.stop = stop
        self.errors = 0          # error replies while spendd was alive
        self.last_error = ""
        self.unexpected = []     # error replies other than "busy"
        self.crashed = None      # an exception that is not a broken pipe

    def refused(self, what):
        self.errors += 1
        self.last_error = what
        # a write that meets an import's write lock for 200 ms is refused
        # with "busy ... try again" (HACKING.md); nothing else should be
        if "busy" not in what and len(self.unexpected) < 5:
            self.unexpected.append("%s: %s" % (self.name, what))

    def run(self):
        try:
            self.work()
        except BREAKS:
            pass                 # spendd was killed
        except Exception as e:   # a bug in the driver or a bad reply
            self.crashed = "%s: %r" % (self.name, e)


class SockWriter(Client):
    """expense.add on the control socket for user; acked: (id, note,
    minor units) of every success reply."""

    def __init__(self, a, user, tag, stop):
        super().__init__("sock-" + user, stop)
        self.a, self.user, self.tag = a, user, tag
        self.acked = []
        self.rng = random.Random(a.rng.random())

    def work(self):
        s = Sock(self.a.sock)
        n = 0
        try:
            while not self.stop.is_set():
                n += 1
                cents = self.rng.randint(1, 99999)
                note = "%s-%d" % (self.tag, n)
                r = s.call("expense.add", {
                    "user": self.user, "amount": "%d.%02d" % divmod(cents, 100),
                    "category": "food", "date": "2024-05-17", "note": note})
                if "result" in r:
                    self.acked.append((r["result"]["id"], note, cents))
                else:
                    self.refused(json.dumps(r.get("error")))
        finally:
            s.close()


class HttpWriter(Client):
    """Log in, then POST /api/v1/expenses; acked as SockWriter's."""

    def __init__(self, a, user, tag, stop):
        super().__init__("http-" + user, stop)
        self.a, self.user, self.tag = a, user, tag
        self.acked = []
        self.rng = random.Random(a.rng.random())

    def work(self):
        c = http_conn(self.a)
        try:
            b = login(c, self.user, self)
            if b is None:
                return
            tok = b["access_token"]
            n = 0
            while not self.stop.is_set():
                n += 1
                cents = self.rng.randint(1, 99999)
                note = "%s-%d" % (self.tag, n)
                st, b = http_json(c, "POST", "/api/v1/expenses", {
                    "amount": "%d.%02d" % divmod(cents, 100),
                    "category": "food", "date": "2024-06-18", "note": note},
                    token=tok)
                if st == 201:
                    self.acked.append((b["id"], note, cents))
                else:
                    self.refused("%d %s" % (st, b))
        finally:
            c.close()


class Importer(Client):
    """spendctl import of one generated CSV after another, each with its
    own payee. imports: dicts marker, rows, sum, acked, output."""

    def __init__(self, a, user, cycle, stop):
        super().__init__("import-" + user, stop)
        self.a, self.user, self.cycle = a, user, cycle
        self.imports = []
        self.rng = random.Random(a.rng.random())

    def work(self):
        k = 0
        while not self.stop.is_set():
            k += 1
            marker = "imp-%d-%d" % (self.cycle, k)
            path = os.path.join(self.a.dir, "import.csv")
            total = 0
            lines = ["date,amount,currency,category,payee,note"]
            for i in range(self.a.import_rows):
                cents = self.rng.randint(1, 50000)
                total += cents
                # a note of its own per row: no row is a duplicate of
                # another (import skips duplicates)
                lines.append("2023-%02d-%02d,%d.%02d,EUR,food,%s,row %d of %s"
                             % (i % 12 + 1, i % 28 + 1, cents // 100,
                                cents % 100, marker, i, marker))
            with open(path, "w") as f:
                f.write("\n".join(lines) + "\n")
            imp = {"marker": marker, "rows": self.a.import_rows,
                   "sum": total, "acked": False, "output": "",
                   "user": self.user}
            self.imports.append(imp)
            p = subprocess.run([self.a.spendctl, "--socket", self.a.sock,
                                "--user", self.user, "import", path],
                               capture_output=True, text=True)
            imp["output"] = out = (p.stdout + p.stderr).strip()
            want = "%d rows, %d added" % (imp["rows"], imp["rows"])
            if p.returncode == 0 and want in p.stdout:
                imp["acked"] = True
            elif p.returncode == 0 or not any(m in out for m in LOST):
                self.refused("import %s: %s" % (marker, out))
            self.stop.wait(self.rng.uniform(0, 0.15))


class Refresher(Client):
    """Log in, then rotate the refresh token until spendd dies.
    chain: the tokens of acknowledged replies (login first), in order;
    pending: the token of the request that got no reply (or None)."""

    def __init__(self, a, user, stop):
        super().__init__("refresh-" + user, stop)
        self.a, self.user = a, user
        self.session = None
        self.chain = []
        self.pending = None

    def work(self):
        c = http_conn(self.a)
        try:
            b = login(c, self.user, self)
            if b is None:
                return
            self.session = b["session"]
            self.chain.append(b["refresh_token"])
            while not self.stop.is_set():
                cur = self.chain[-1]
                self.pending = cur
                st, b = http_json(c, "POST", "/api/v1/auth/refresh",
                                  {"refresh_token": cur})
                self.pending = None
                if busy(st, b):
                    # not rotated: the same token is still the live one
                    self.refused("refresh: %d %s" % (st, b))
                    self.stop.wait(0.02)
                    continue
                if st != 200:
                    # a live token refused while spendd runs: a bug
                    self.unexpected.append("refresh of a live token: %d %s"
                                           % (st, b))
                    return
                self.chain.append(b["refresh_token"])
                self.stop.wait(0.01)
        finally:
            c.close()


# ---- the run ----

class Run:
    def __init__(self, a):
        self.a = a
        self.d = Spendd(a)
        a.sock = self.d.sock
        self.failed = 0
        self.passed = 0
        self.acked = {}          # expense id -> (note, cents, writer user)
        self.imports = []        # tracked imports (their user still exists)
        self.imp_users = []      # importer users, oldest first
        self.n = {"cycles": 0, "early": 0, "acked": 0, "checks": 0,
                  "whole": 0, "absent": 0, "imports_acked": 0,
                  "rot_acked": 0, "rot_cut": 0, "rot_cut_applied": 0,
                  "busy": 0, "killed_in_import": 0}
        self.t = {}              # seconds spent per phase
        self.mark = time.monotonic()

    def lap(self, phase):
        now = time.monotonic()
        self.t[phase] = self.t.get(phase, 0) + now - self.mark
        self.mark = now

    def ok(self, cond, what, detail=None):
        if cond:
            self.passed += 1
            log("ok - " + what)
        else:
            self.failed += 1
            log("not ok - " + what)
            for line in (detail or "").splitlines()[:20]:
                log("#   " + line)
        return cond

    # -- setup: users, once; spendd stays up for the first cycle --
    def setup(self):
        a = self.a
        self.d.spawn(self.durability(1))
        if not self.ok(self.d.ready(), "spendd starts"):
            return False
        self.sock_users = ["sock%d" % i for i in range(a.socket_writers)]
        self.http_users = ["web%d" % i for i in range(a.http_writers)]
        for u in self.sock_users:
            rpc_ok(a.sock, "user.add", {"name": u})
        for u in self.http_users + ["rt"]:
            rpc_ok(a.sock, "user.add", {"name": u, "password": PASSWORD})
        return True

    @staticmethod
    def durability(c):
        return "full" if c % 2 == 0 else "normal"

    def integrity(self, label):
        p = subprocess.run([self.a.sqlite3, "-readonly", self.d.db,
                            "PRAGMA integrity_check;",
                            "PRAGMA foreign_key_check;"],
                           capture_output=True, text=True)
        out = (p.stdout + p.stderr).strip()
        return self.ok(p.returncode == 0 and out == "ok",
                       "%s: integrity_check and foreign_key_check clean"
                       % label, out)

    def cycle(self, c):
        """Cycle c runs on the spendd the previous one restarted."""
        a = self.a
        rng = a.rng
        label = "cycle %d" % c
        self.lap("other")
        imp_user = "imp%d" % c
        rpc_ok(a.sock, "user.add", {"name": imp_user})
        self.imp_users.append(imp_user)

        # clients, then the kill
        stop = threading.Event()
        writers = [SockWriter(a, u, "c%d-%s" % (c, u), stop)
                   for u in self.sock_users]
        writers += [HttpWriter(a, u, "c%d-%s" % (c, u), stop)
                    for u in self.http_users]
        importer = Importer(a, imp_user, c, stop)
        refresher = Refresher(a, "rt", stop)
        clients = writers + [importer, refresher]
        for t in clients:
            t.start()
        delay = rng.uniform(a.min_delay, a.max_delay)
        time.sleep(delay)
        self.d.kill()
        stop.set()
        for t in clients:
            t.join(60)
        self.lap("clients")
        stuck = [t.name for t in clients if t.is_alive()]
        crashed = [t.crashed for t in clients if t.crashed]
        crashed += [u for t in clients for u in t.unexpected]
        if not self.ok(not stuck and not crashed,
                       "%s: killed after %.2f s; every client stopped, "
                       "none refused but for busy" % (label, delay),
                       "\n".join(["stuck: " + n for n in stuck] + crashed)):
            return False
        self.n["busy"] += sum(t.errors for t in clients)
        for w in writers:
            for (i, note, cents) in w.acked:
                self.acked[i] = (note, cents, w.user)
        self.n["acked"] += sum(len(w.acked) for w in writers)
        self.imports += importer.imports
        if importer.imports and not importer.imports[-1]["acked"]:
            self.n["killed_in_import"] += 1

        # the files as the kill left them
        if not self.integrity(label):
            return False
        self.lap("integrity_check")

        # restart, sometimes killing the first attempt while it starts up
        # (WAL recovery, quick_check); the next cycle runs on it
        dur = self.durability(c + 1)
        if rng.random() < a.early_kill:
            self.d.spawn(dur)
            time.sleep(rng.uniform(0, 0.03))
            self.d.kill()
            self.n["early"] += 1
            if not self.integrity(label + ": killed again while starting"):
                return False
        self.d.spawn(dur)
        if not self.ok(self.d.ready(), "%s: spendd restarts" % label):
            return False
        self.lap("restarts")
        st = rpc_ok(a.sock, "daemon.status", {})
        good = self.ok(st.get("durability") == dur,
                       "%s: restarted with durability %s (daemon.status)"
                       % (label, dur), "got %r" % st.get("durability"))
        db = sqlite3.connect("file:%s?mode=ro" % self.d.db, uri=True)
        try:
            good &= self.check_writes(label, db)
            self.lap("check writes")
            good &= self.check_imports(label, db, importer.imports)
            good &= self.check_refresh(label, db, refresher)
        finally:
            db.close()
        self.lap("check imports, refresh")
        # keep the database small: drop the importer user of a few cycles
        # ago (a big cascade, outside the kill window) and its imports
        while len(self.imp_users) > a.keep_imports:
            old = self.imp_users.pop(0)
            rpc_ok(a.sock, "user.delete", {"name": old})
            self.imports = [i for i in self.imports if i["user"] != old]
        self.n["cycles"] += 1
        self.lap("delete old importers")
        return good

    def check_writes(self, label, db):
        users = self.sock_users + self.http_users
        q = ",".join("?" * len(users))
        rows = db.execute(
            "SELECT e.id, e.note, e.amount, e.deleted, u.name FROM expenses e "
            "JOIN users u ON u.id = e.user_id WHERE u.name IN (%s)" % q,
            users).fetchall()
        have = {r[0]: r for r in rows}
        bad = []
        for i, (note, cents, user) in self.acked.items():
            r = have.get(i)
            if r is None:
                bad.append("id %d (%s, %s) missing" % (i, user, note))
            elif (r[1], r[2], r[3], r[4]) != (note, cents, 0, user):
                bad.append("id %d: want %s %d live of %s, have %r"
                           % (i, note, cents, user, r))
        self.n["checks"] += len(self.acked)
        good = self.ok(not bad, "%s: %d acknowledged writes present (of %d "
                       "rows)" % (label, len(self.acked), len(rows)),
                       "%d wrong:\n" % len(bad) + "\n".join(bad))
        notes = {}
        for r in rows:
            notes[r[1]] = notes.get(r[1], 0) + 1
        twice = [n for n, k in notes.items() if k > 1]
        good &= self.ok(not twice, "%s: no write applied twice" % label,
                        "\n".join(twice))
        # what the daemon says agrees with the file
        diff = []
        for u in users:
            want = sum(1 for r in rows if r[4] == u and r[3] == 0)
            got = rpc_ok(self.a.sock, "expense.list",
                         {"user": u, "limit": 1})["count"]
            if got != want:
                diff.append("%s: expense.list count %d, database %d"
                            % (u, got, want))
        good &= self.ok(not diff, "%s: expense.list counts agree with the "
                        "database" % label, "\n".join(diff))
        return good

    def check_imports(self, label, db, this):
        counts = {}
        for (payee, n, s) in db.execute(
                # what readers see: rows of an import still staging
                # (cut short by the kill) are hidden, then removed
                "SELECT payee, count(*), sum(amount) FROM expenses e "
                "WHERE payee LIKE 'imp-%' AND deleted = 0 AND e.stage != "
                "(SELECT staging FROM users WHERE id = e.user_id) "
                "GROUP BY payee"):
            counts[payee] = (n, s)
        bad = []
        whole = absent = 0
        for imp in self.imports:
            n, s = counts.get(imp["marker"], (0, 0))
            if n == imp["rows"] and s == imp["sum"]:
                whole += imp in this
            elif n == 0 and not imp["acked"]:
                absent += imp in this
            else:
                bad.append("%s: %d rows, sum %s (want %d rows, sum %d, or "
                           "none%s); spendctl said: %s"
                           % (imp["marker"], n, s, imp["rows"], imp["sum"],
                              "" if not imp["acked"] else
                              " only if not acknowledged",
                              imp["output"][:200]))
        self.n["whole"] += whole
        self.n["absent"] += absent
        self.n["imports_acked"] += sum(1 for i in this if i["acked"])
        return self.ok(not bad and whole + absent == len(this),
                       "%s: %d imports whole, %d absent (%d acknowledged; "
                       "%d imports checked)"
                       % (label, whole, absent,
                          sum(1 for i in this if i["acked"]),
                          len(self.imports)), "\n".join(bad))

    def check_refresh(self, label, db, r):
        good = True
        twice = db.execute(
            "SELECT family, count(*) FROM refresh_tokens WHERE used = 0 AND "
            "revoked = 0 GROUP BY family HAVING count(*) > 1").fetchall()
        good &= self.ok(not twice, "%s: no session has two live refresh "
                        "tokens" % label, repr(twice))
        if r.session is None:
            return self.ok(True, "%s: refresh: killed before the login "
                           "answered, nothing to check" % label)
        rows = db.execute(
            "SELECT id, token_hash, used, revoked FROM refresh_tokens "
            "WHERE family = ? ORDER BY id", (r.session,)).fetchall()
        by_hash = {h: (i, used, rev) for (i, h, used, rev) in rows}
        live = [x for x in rows if x[2] == 0 and x[3] == 0]
        last = r.chain[-1]
        lh = token_hash(last)
        problems = []
        if len(live) != 1:
            problems.append("%d live tokens in the session" % len(live))
        for t in r.chain[:-1]:
            row = by_hash.get(token_hash(t))
            if row is None or row[1] != 1:
                problems.append("an acknowledged rotation's old token is "
                                "%s" % ("missing" if row is None
                                        else "not marked used"))
        row = by_hash.get(lh)
        if row is None:
            problems.append("the last acknowledged token is missing")
        cut = r.pending is not None
        applied = row is not None and row[1] == 1
        if not cut and applied:
            problems.append("the last acknowledged token is used, but no "
                            "rotation of it was sent")
        if applied and live and live[0][0] < row[0]:
            problems.append("the live token is older than the used one")
        if not self.ok(not problems, "%s: refresh: one live token in the "
                       "session, every rotated one used (%d rotations "
                       "acknowledged)" % (label, len(r.chain) - 1),
                       "\n".join(problems)):
            return False
        # then ask spendd: the live one of the two is accepted, the other
        # refused (new first: presenting a used token revokes the session)
        c = http_conn(self.a)

        def refresh(tok):
            # a refused token revokes its session, a write: while another
            # writer (a restart's clean-up) holds the lock it is "busy",
            # which says nothing yet; ask again
            for _ in range(250):
                st, b = http_json(c, "POST", "/api/v1/auth/refresh",
                                  {"refresh_token": tok})
                if not busy(st, b):
                    break
                time.sleep(0.02)
            return st, b
        try:
            st, b = refresh(last)
            if applied:
                self.n["rot_cut"] += 1
                self.n["rot_cut_applied"] += 1
                return good & self.ok(
                    st == 401, "%s: refresh: the cut-off rotation was "
                    "applied: the token sent is refused" % label,
                    "status %d %s" % (st, b))
            self.n["rot_cut" if cut else "rot_acked"] += 1
            good &= self.ok(st == 200, "%s: refresh: %s" % (
                label, "the last acknowledged token is accepted" if not cut
                else "the cut-off rotation was not applied: the token sent "
                "is still accepted"), "status %d %s" % (st, b))
            if len(r.chain) > 1:
                # (the login's token when only one rotation was acked)
                st, b = refresh(r.chain[-2])
                good &= self.ok(st == 401, "%s: refresh: the token before "
                                "it is refused" % label,
                                "status %d %s" % (st, b))
        finally:
            c.close()
        return good

    def main(self):
        a = self.a
        log("# crash test: %d cycles, seed %d, %d socket + %d HTTP writers, "
            "1 importer (%d rows), 1 refresher; data in %s"
            % (a.cycles, a.seed, a.socket_writers, a.http_writers,
               a.import_rows, a.dir))
        t0 = time.monotonic()
        if not self.setup():
            return 1
        for c in range(1, a.cycles + 1):
            if not self.cycle(c):
                log("# stopped at cycle %d (seed %d); KEEP=1 keeps %s"
                    % (c, a.seed, a.dir))
                break
            if c % 25 == 0 and c < a.cycles:
                log("# %d of %d cycles, %.0f s, %d writes acknowledged"
                    % (c, a.cycles, time.monotonic() - t0, self.n["acked"]))
        else:
            rc = self.d.stop()
            self.ok(rc == 0, "spendd stops on SIGTERM with status 0",
                    "status %r" % rc)
            self.integrity("after a clean stop")
        self.d.kill()
        n = self.n
        log("# cycles %d (%d more kills while starting), %.0f s"
            % (n["cycles"], n["early"], time.monotonic() - t0))
        log("# acknowledged writes %d, checked %d times in all (refused as "
            "busy: %d)" % (n["acked"], n["checks"], n["busy"]))
        log("# imports seen whole %d, absent %d (acknowledged %d; killed "
            "with one in flight %d)" % (n["whole"], n["absent"],
                                        n["imports_acked"],
                                        n["killed_in_import"]))
        log("# refresh sessions checked %d: last rotation acknowledged %d, "
            "cut off by the kill %d (of which applied %d)"
            % (n["rot_acked"] + n["rot_cut"], n["rot_acked"], n["rot_cut"],
               n["rot_cut_applied"]))
        log("# seconds: " + ", ".join("%s %.1f" % (k, v)
                                      for k, v in self.t.items()))
        ok = self.failed == 0 and n["cycles"] == a.cycles
        self.ok(ok, "crash test: %d of %d cycles, %d checks failed"
                % (n["cycles"], a.cycles, self.failed))
        return 0 if ok else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dir", required=True, help="scratch directory")
    p.add_argument("--spendd", required=True)
    p.add_argument("--spendctl", required=True)
    p.add_argument("--plugins", required=True, help="plugin directory")
    p.add_argument("--sqlite3", default="sqlite3")
    p.add_argument("--cycles", type=int, default=10)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--port", type=int, default=None,
                   help="spendd's HTTP port (default: one the kernel picks)")
    p.add_argument("--socket-writers", type=int, default=2)
    p.add_argument("--http-writers", type=int, default=2)
    p.add_argument("--import-rows", type=int, default=3000)
    p.add_argument("--min-delay", type=float, default=0.15)
    p.add_argument("--max-delay", type=float, default=1.0)
    p.add_argument("--early-kill", type=float, default=0.2,
                   help="chance per cycle of a kill while starting")
    p.add_argument("--keep-imports", type=int, default=3,
                   help="cycles whose imports are kept and checked again")
    a = p.parse_args()
    a.top = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    if a.seed is None:
        a.seed = random.SystemRandom().randrange(1 << 31)
    a.rng = random.Random(a.seed)
    if a.port is None:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        a.port = s.getsockname()[1]
        s.close()
    run = Run(a)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        return run.main()
    finally:
        run.d.kill() if run.d.proc else None


if __name__ == "__main__":
    sys.exit(main())
