#!/bin/sh
# The daemon's layering, as ok / not ok lines (tests/regress/006-layering.sh
# runs it; alone: sh tests/tools/layering.sh, after make):
#  - each header of daemon/ and daemon/store/ compiles alone, and twice
#    (its include guard);
#  - the headers include each other in no cycle;
#  - the files call each other in no cycle (read from the objects'
#    symbols with nm): store.c does not call store_expense.c back, nor
#    http.c rest.c. The two tables are the exception, and only they: the
#    method table names every handler (h_*) and the plugin host API table
#    the host functions plugins call (*_api_*), and both call back into
#    the files that own them. References to those names are left out.
# Exits 1 if anything is not ok. B: the build directory (default build).
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
CC=${CC:-cc}
fails=0

flags=$(make -s --no-print-directory \
    --eval 'layering-flags: ; @echo $(CFLAGS_BASE) $(CPPFLAGS) $(LIBCFLAGS)' \
    layering-flags 2>/dev/null)
if [ -z "$flags" ]; then
	echo "not ok - layering: cannot read the Makefile's flags (./configure?)"
	exit 1
fi

bad=""
err=$(mktemp) || exit 1
for h in daemon/*.h daemon/store/*.h; do
	n=$(basename "$h")
	if ! printf '#include "%s"\n#include "%s"\n' "$n" "$n" |
	    $CC $flags -fsyntax-only -x c - >"$err" 2>&1; then
		bad="$bad $n"
		sed 's/^/#   /' "$err" | head -5
	fi
done
rm -f "$err"
if [ -z "$bad" ]; then
	echo "ok - every daemon header compiles alone, and twice"
else
	echo "not ok - headers that do not compile alone:$bad"
	fails=$((fails + 1))
fi

python3 - "$B" <<'PY' || fails=$((fails + 1))
import glob, os, re, subprocess, sys

B = sys.argv[1]
bad = 0

def cycles(graph):
    """The strongly connected components of more than one node."""
    index, low, stack, on, out = {}, {}, [], set(), []
    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            c = []
            while True:
                w = stack.pop()
                on.discard(w)
                c.append(w)
                if w == v:
                    break
            if len(c) > 1:
                out.append(sorted(c))
    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out

def report(what, graph, why):
    global bad
    cs = cycles(graph)
    if not cs:
        print("ok - %s in no cycle" % what)
        return
    bad = 1
    print("not ok - %s in %d cycle(s)" % (what, len(cs)))
    for c in cs:
        print("#   " + " ".join(c))
        for a in c:
            for b in sorted(graph.get(a, ())):
                if b in c:
                    print("#     %s -> %s%s" % (a, b, why(a, b)))

# headers: #include "x.h" between daemon/*.h and daemon/store/*.h
headers = {os.path.basename(h): h for h in
           glob.glob("daemon/*.h") + glob.glob("daemon/store/*.h")}
inc = {}
for name, path in headers.items():
    for line in open(path):
        m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
        if m and m.group(1) in headers:
            inc.setdefault(name, set()).add(m.group(1))
report("the daemon's headers include each other", inc, lambda a, b: "")

# calls: who defines what, who refers to what, from the objects
srcs = glob.glob("daemon/*.c") + glob.glob("daemon/store/*.c")
defs, refs = {}, {}
for src in srcs:
    obj = os.path.join(B, src[:-2] + ".o")
    if not os.path.exists(obj):
        print("not ok - no %s: make first" % obj)
        sys.exit(1)
    d, u = set(), set()
    for line in subprocess.check_output(["nm", obj], text=True).splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "TDBRV":
            d.add(f[2])
        elif len(f) == 2 and f[0] == "U":
            u.add(f[1])
    defs[src], refs[src] = d, u
owner = {s: src for src, d in defs.items() for s in d}
table = re.compile(r"^h_|_api_")
calls, via = {}, {}
for src, u in refs.items():
    for s in u:
        o = owner.get(s)
        if o is None or o == src or table.search(s):
            continue
        calls.setdefault(src, set()).add(o)
        via.setdefault((src, o), []).append(s)
report("the daemon's files call each other (but for the tables)", calls,
       lambda a, b: " (" + ", ".join(sorted(via[(a, b)])[:4]) + ")")
sys.exit(bad)
PY
exit $((fails > 0))
