#!/bin/sh
# Filters and keyset pagination over a few thousand rows, checked against
# the same filters computed here from the rows as they were inserted.
. "$(dirname "$0")/lib.sh"

start_spendd || { not_ok "spendd starts"; done_testing; }
echo alice-pass-1 | ctl user add alice --currency EUR --password-stdin >/dev/null
ctl user add bob --currency EUR >/dev/null

# Python inserts the rows (JSON-RPC batches of 500 over the socket), then
# drives spendctl --json (and the REST facade for searches) and writes
# "ok - ..." lines to $T/py.
SPENDCTL=$SPENDCTL SOCK=$SOCK HTTP_PORT=$HTTP_PORT python3 - >"$T/py" 2>&1 <<'PY'
import json, os, random, socket, subprocess, unicodedata, urllib.parse, urllib.request

SOCK, CTL = os.environ["SOCK"], os.environ["SPENDCTL"]
BASE = "http://127.0.0.1:%s" % os.environ["HTTP_PORT"]
N = 3000
EXP = {"EUR": 2, "JPY": 0, "BHD": 3}
rnd = random.Random(20260101)
out = []

def ok(cond, desc, detail=""):
    out.append(("ok - " if cond else "not ok - ") + desc)
    if not cond and detail:
        out.append("  " + str(detail)[:300])

def rpc_batch(reqs):
    s = socket.socket(socket.AF_UNIX); s.connect(SOCK)
    f = s.makefile("rwb")
    f.write((json.dumps(reqs) + "\n").encode()); f.flush()
    r = json.loads(f.readline()); s.close()
    return r

def ctl(*args, user="alice"):
    p = subprocess.run([CTL, "--socket", SOCK, "--user", user, "--json"] + list(args),
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(" ".join(args) + ": " + p.stderr.strip())
    return json.loads(p.stdout)

def fmt(minor, cur):
    e = EXP[cur]; sign = "-" if minor < 0 else ""; m = abs(minor)
    return sign + (str(m) if e == 0 else "%d.%0*d" % (m // 10**e, e, m % 10**e))

cats = ["bills", "entertainment", "food", "health", "other", "shopping", "transport"]
payees = ["Lidl", "Aldi", "Café du Coin", "SNCF", "Zoë's", "amazon", "Metro", "", "Ünïcode GmbH", "a|b",
          "ÜBER Eats", "ωmega", "STRASSE GmbH", "ÅNGSTRÖM AB", "Cafe\u0301 Noir"]
notes = ["coffee with Ana", "lunch", "Café crème", "50% off", "500 off", "a_b", "axb", "", "Taxi ride", "COFFEE beans",
         "CAFÉ CRÈME", "дом и САД", 'say "hi"', "x OR y", "NEAR(a b)", "note:abc", "star* bucks", "ΣΟΦΊΑ",
         "d'Artagnan", "Straße 12", "東京 ラーメン", "ｶﾞｽ代"]
tags = ["work", "home", "kids", "épicerie", "東京"]
rows = []
for i in range(N):
    cur = rnd.choice(["EUR"] * 8 + ["JPY", "BHD"])
    minor = rnd.randint(1, 50000) * (1 if rnd.random() > 0.05 else -1)
    r = {"amount": fmt(minor, cur), "currency": cur, "category": rnd.choice(cats),
         "date": "2025-%02d-%02d" % (rnd.randint(1, 12), rnd.randint(1, 28)),
         "note": rnd.choice(notes), "payee": rnd.choice(payees),
         "tags": sorted(rnd.sample(tags, rnd.randint(0, 2)))}
    rows.append(dict(r, minor=minor))
for start in range(0, N, 500):
    reqs = [{"jsonrpc": "2.0", "id": start + k, "method": "expense.add",
             "params": dict({k2: v for k2, v in rows[start + k].items() if k2 != "minor"}, user="alice")}
            for k in range(min(500, N - start))]
    for rep in rpc_batch(reqs):
        rows[rep["id"]]["id"] = rep["result"]["id"]
# bob's rows must never show up in alice's lists
rpc_batch([{"jsonrpc": "2.0", "id": k, "method": "expense.add",
            "params": {"user": "bob", "amount": "1.00", "category": "food",
                       "date": "2025-06-15", "note": "coffee Café", "payee": "Lidl",
                       "tags": ["work", "épicerie"]}} for k in range(50)])
ok(all("id" in r for r in rows), "%d rows inserted in batches of 500" % N)
# some of alice's rows deleted: never found again
for r in rows[::41]:
    ctl("expense", "rm", str(r["id"]))
    r["deleted"] = True
rows = [r for r in rows if not r.get("deleted")]

def e4(r):
    return r["minor"] * 10 ** (4 - EXP[r["currency"]])

def check(desc, args, pred):
    want = [r for r in rows if pred(r)]
    got = ctl("expense", "list", "--all", *args)
    ids = [i["id"] for i in got["items"]]
    ok(got["count"] == len(want), desc + ": count %d" % len(want), "got %s" % got["count"])
    ok(sorted(ids) == sorted(r["id"] for r in want), desc + ": the same rows")
    sums = {}
    for r in want:
        sums[r["currency"]] = sums.get(r["currency"], 0) + r["minor"]
    ok(got["sum"] == {c: fmt(v, c) for c, v in sums.items()}, desc + ": sum per currency",
       "got %s" % got["sum"])

# Search folds the term and each of note, payee and tags (store_search.c):
# full case folding, compatibility decomposition, the diacritic marks
# dropped, NFC. Every combining mark in the rows above is a diacritic, so
# dropping category Mn is the same here (Python has no Diacritic
# property).
def fold(s):
    s = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", s).casefold())
    s = "".join(c for c in s if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", s)

def search(t):
    f = fold(t)
    return lambda r: (f in fold(r["note"]) or f in fold(r["payee"]) or
                      any(f in fold(g) for g in r["tags"]))

check("everything", [], lambda r: True)
check("--month 2025-02", ["--month", "2025-02"], lambda r: r["date"].startswith("2025-02-"))
check("--from/--to", ["--from", "2025-03-10", "--to", "2025-05-20"],
      lambda r: "2025-03-10" <= r["date"] <= "2025-05-20")
check("--category food", ["--category", "food"], lambda r: r["category"] == "food")
check("--search coffee (ASCII case folded)", ["--search", "coffee"], search("coffee"))
check("--search Café (UTF-8)", ["--search", "Café"], search("Café"))
check("--search 50% (LIKE metacharacters are literal)", ["--search", "50%"], search("50%"))
check("--search a_b", ["--search", "a_b"], search("a_b"))
# Unicode case folding, at every length of term (the index for 3
# characters and more, a scan below that); accents do not count; tags are
# searched too
for t, what in [("café", "finds CAFÉ and Café"), ("CRÈME", "upper case, accented"),
                ("ДОМ", "Cyrillic"), ("σοφία", "Greek"), ("é", "one character"),
                ("Ü", "one upper-case character"), ("ωM", "two characters"),
                ("cafe", "finds Café, CAFÉ and Cafe + U+0301"),
                ("Cafe\u0301", "an accent typed as a combining mark"),
                ("CAFE", "upper case, no accent"), ("creme", "no accent"),
                ("straße", "ß is ss"), ("STRASSE", "finds Straße"), ("ss", "ß is two letters"),
                ("angstrom", "finds ÅNGSTRÖM"), ("ΣΟΦΙΑ", "Greek without its tonos"),
                ("work", "a tag"), ("WOR", "part of a tag, any case"),
                ("epicerie", "a tag with an accent, searched without"),
                ("orkh", "never across two tags"), ("workhome", "never across two tags"),
                ("東京", "CJK, a note and a tag"), ("京", "one CJK character"),
                ("ラーメン", "katakana"), ("ガス", "half-width kana with a voicing mark"),
                ("noir", "a payee written with a combining accent")]:
    check("--search %s (%s)" % (t, what), ["--search", t], search(t))
ok(len([r for r in rows if search("cafe")(r)]) > len([r for r in rows if "Café" in r["note"] + r["payee"]]),
   "... the cafe rows include Café, CAFÉ and Cafe\u0301 ones")
ok(len([r for r in rows if search("work")(r)]) > 0 and
   not any("work" in fold(r["note"] + r["payee"]) for r in rows),
   "... the work rows are found by their tag only")
ok(not any(search("orkh")(r) for r in rows), "... and orkh in none")
# operators of FTS5's query syntax, quotes and LIKE's metacharacters are text
for t in ['"hi"', 'say "', '"', "x OR y", "OR", "NEAR(a", "note:abc", "star*", "*", "d'A", "_", "%"]:
    check("--search %s (literal)" % t, ["--search", t], search(t))
check("--min 100 --max 200", ["--min", "100", "--max", "200"],
      lambda r: 100 * 10**4 <= e4(r) <= 200 * 10**4)
check("--max -0.01 (refunds)", ["--max", "-0.01"], lambda r: r["minor"] < 0)
check("--currency JPY", ["--currency", "JPY"], lambda r: r["currency"] == "JPY")
check("--tag work", ["--tag", "work"], lambda r: "work" in r["tags"])
check("--tag WORK (tags are lower case)", ["--tag", "WORK"], lambda r: "work" in r["tags"])
check("--tag work --search Café", ["--tag", "work", "--search", "Café"],
      lambda r: "work" in r["tags"] and search("Café")(r))
check("every filter at once", ["--month", "2025-07", "--category", "food", "--search", "o",
      "--min", "1", "--currency", "EUR", "--tag", "home"],
      lambda r: r["date"].startswith("2025-07-") and r["category"] == "food" and search("o")(r)
      and e4(r) >= 10**4 and r["currency"] == "EUR" and "home" in r["tags"])

def page_through(args, limit):
    ids, cursor, pages = [], None, 0
    while True:
        a = ["expense", "list", "--limit", str(limit)] + args + (["--cursor", cursor] if cursor else [])
        p = ctl(*a)
        ok_size = len(p["items"]) == limit or p["next_cursor"] is None
        if not ok_size:
            return None, pages
        ids += [i["id"] for i in p["items"]]
        pages += 1
        cursor = p["next_cursor"]
        if cursor is None or pages > N:
            return ids, pages

byid = {r["id"]: r for r in rows}
orders = [
    ("date, newest first", [], lambda r: (r["date"], r["id"]), True),
    ("amount ascending", ["--sort", "amount", "--asc"], lambda r: (e4(r), r["id"]), False),
    ("amount descending", ["--sort", "amount"], lambda r: (e4(r), r["id"]), True),
    ("payee A-Z", ["--sort", "payee"], lambda r: (r["payee"].encode(), r["id"]), False),
    ("date, oldest first, in March", ["--month", "2025-03", "--asc"], lambda r: (r["date"], r["id"]), False),
    ("--search cafe, by date", ["--search", "cafe"], lambda r: (r["date"], r["id"]), True),
    ("--search e (a scan), by amount", ["--search", "e", "--sort", "amount", "--asc"],
     lambda r: (e4(r), r["id"]), False),
    ("--search WORK (a tag), payee A-Z", ["--search", "WORK", "--sort", "payee"],
     lambda r: (r["payee"].encode(), r["id"]), False),
]
for desc, args, key, rev in orders:
    ids, pages = page_through(args, 97)
    want = [r["id"] for r in sorted((r for r in rows if ("--month" not in args or
            r["date"].startswith("2025-03-")) and ("--search" not in args or
            search(args[args.index("--search") + 1])(r))), key=key, reverse=rev)]
    ok(ids == want, "paging by 97, %s: every row once, in order (%d pages)" % (desc, pages),
       "got %s..., want %s..." % (ids and ids[:5], want[:5]))

# created: ties in the timestamp are broken by id
allc = ctl("expense", "list", "--all", "--sort", "created")["items"]
ids, pages = page_through(["--sort", "created"], 250)
ok(ids == [i["id"] for i in allc] and len(set(ids)) == len(rows),
   "paging by created: every row once (%d pages)" % pages)
ok(all((a["created_at"], a["id"]) > (b["created_at"], b["id"]) for a, b in zip(allc, allc[1:])),
   "created, newest first: strictly ordered by (created_at, id)")

# keyset, not offset: rows added before the cursor shift nothing
p1 = ctl("expense", "list", "--limit", "100")
ctl("expense", "add", "5.00", "food", "--date", "2025-12-31")
ctl("expense", "add", "6.00", "food", "--date", "2025-12-31")
p2 = ctl("expense", "list", "--limit", "100", "--cursor", p1["next_cursor"])
want = [r["id"] for r in sorted(rows, key=lambda r: (r["date"], r["id"]), reverse=True)]
ok([i["id"] for i in p1["items"] + p2["items"]] == want[:200],
   "inserts ahead of the cursor neither repeat nor skip rows")
ok(p2["count"] == len(rows) + 2, "count follows the inserts")
ok(ctl("expense", "list", user="bob")["count"] == 50, "bob sees only his 50 rows")

# the same searches through the REST facade
def http(method, path, body=None, token=None):
    req = urllib.request.Request(BASE + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())

token = http("POST", "/api/v1/auth/login", {"username": "alice", "password": "alice-pass-1"})["access_token"]
for t in ["café", "ДОМ", "é", "ωM", '"hi"', "x OR y", "NEAR(a", "note:abc", "star*", "50%", "cafe",
          "CAFE", "Straße", "work", "東京"]:
    want = sorted(r["id"] for r in rows if search(t)(r))
    got = http("GET", "/api/v1/expenses?" + urllib.parse.urlencode({"search": t, "limit": 500}), token=token)
    ok(got["count"] == len(want) and (len(want) > 500 or sorted(i["id"] for i in got["items"]) == want),
       "GET /api/v1/expenses?search=%s: %d rows" % (t, len(want)), "got count %s" % got["count"])
# expense.list writes its reply as text (rpc_result_raw): over the socket
# and REST it is, member for member and in order, the same result, REST
# with "next" added and a Link header exactly when there is a next page.
# Among the rows: a split, a category the default chose, escapes.
def sock_line(req):
    s = socket.socket(socket.AF_UNIX); s.connect(SOCK)
    f = s.makefile("rwb")
    f.write((json.dumps(req) + "\n").encode()); f.flush()
    line = f.readline(); s.close()
    return line

def pairs(text):
    return json.loads(text, object_pairs_hook=lambda p: p)

def http_text(path):
    req = urllib.request.Request(BASE + path)
    req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r:
        return r.read(), r.headers.get("Link")

added = rpc_batch([
    {"jsonrpc": "2.0", "id": 1, "method": "expense.add", "params": {
        "user": "alice", "amount": "10.00", "date": "2025-12-30", "note": "split\tone\nline \\ \"q\" /",
        "tags": ["kids", "東京"], "parts": [{"amount": "6.00", "category": "food", "note": "é part"},
                                           {"amount": "4.00", "category": "transport"}]}},
    {"jsonrpc": "2.0", "id": 2, "method": "expense.add", "params": {
        "user": "alice", "amount": "-1.000", "currency": "BHD", "date": "2025-12-29",
        "payee": "Zoë 😀 split"}}])
ok(all("result" in r for r in added), "a split and an uncategorised refund added", added)
for q in [{"limit": 50}, {"limit": 3, "search": "split"}, {"limit": 500, "currency": "BHD"},
          {"limit": 7, "sort": "payee", "order": "asc"}, {"limit": 2, "tag": "kids"}, {"month": "1999-01"}]:
    env = dict(pairs(sock_line({"jsonrpc": "2.0", "id": 1, "method": "expense.list",
                                "params": dict(q, user="alice")})))
    res = env["result"]
    body, link = http_text("/api/v1/expenses?" + urllib.parse.urlencode(q))
    b = pairs(body)
    nc = dict(res)["next_cursor"]
    ok(len(b) == len(res) + 1 and b[:-1] == res and b[-1][0] == "next",
       "expense.list %s: REST's body is the socket's result, then next" % json.dumps(q), body[:200])
    ok((b[-1][1] is None) == (nc is None) and (link is None) == (nc is None) and
       (nc is None or (b[-1][1].endswith("cursor=" + urllib.parse.quote(nc, safe="")) and
                       link == "<%s>; rel=\"next\"" % b[-1][1])),
       "expense.list %s: next and Link follow next_cursor" % json.dumps(q), "%s %s %s" % (nc, b[-1], link))
print("\n".join(out))
PY
while IFS= read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	"not ok - "*) not_ok "${line#not ok - }" ;;
	*) echo "# $line" ;;
	esac
done <"$T/py"
[ -s "$T/py" ] || not_ok "the python driver printed nothing"
alive && ok "spendd still serving" || not_ok "spendd still serving"
done_testing
