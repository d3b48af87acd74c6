#!/bin/sh
# The web UI's first load, as a phone would meet it: headless Chromium in
# a fresh profile each time, BENCH_LOADS (10) loads of the sign-in screen.
# Prints the bytes on the wire (gzip) against the 60 KB goal and how long
# after the first paint the sign-in form is there to type into, against
# 300 ms. Passes or fails on nothing but errors.
set -u
cd "$(dirname "$0")/../.." || exit 1
SPENDD=${SPENDD:-$(pwd)/spendd}
N=${BENCH_LOADS:-10}
T=$(mktemp -d "${TMPDIR:-/tmp}/spend-bench.XXXXXX")
PID=""
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if ! command -v node >/dev/null || [ ! -d tests/js/node_modules/playwright-core ]; then
	echo "bench-webui: needs node and tests/js/node_modules (contrib/deps.sh)"; exit 0
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$SPENDD" -f --data-dir "$T/data" -o "http.listen=127.0.0.1:$PORT" \
    -o "http.webui=$(pwd)/webui" >"$T/spendd.log" 2>&1 &
PID=$!
i=0; while ! curl -s "http://127.0.0.1:$PORT/api/v1/version" >/dev/null && [ $i -lt 200 ]; do
	sleep 0.05; i=$((i + 1)); done
sleep 0.5	# the compressed copies are made as spendd starts

cat >"$T/load.mjs" <<'JS'
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const require = createRequire(join(process.cwd(), 'tests/js/'));
const { chromium } = require('playwright-core');
const [base, n] = [process.argv[2], Number(process.argv[3])];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const wire = [], ready = [];
for (let i = 0; i < n; i += 1) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.addInitScript(() => {
    new MutationObserver((_, obs) => {
      if (document.querySelector('#main form input[type="password"]')) {
        window.spendReady = performance.now(); obs.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(`${base}/`);
  await page.waitForFunction(() => window.spendReady !== undefined);
  const r = await page.evaluate(() => {
    const all = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
    const fp = performance.getEntriesByName('first-contentful-paint')[0];
    return { wire: all.reduce((a, e) => a + e.transferSize, 0), ready: window.spendReady - (fp ? fp.startTime : 0) };
  });
  wire.push(r.wire); ready.push(r.ready);
  await ctx.close();
}
await browser.close();
const pct = (a, p) => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(p / 100 * s.length))]; };
console.log(`first load on the wire: ${Math.max(...wire)} bytes (goal <= 61440: ${(Math.max(...wire) / 61440).toFixed(2)} of it)`);
console.log(`sign-in usable after first paint: p50 ${pct(ready, 50).toFixed(0)} ms, max ${Math.max(...ready).toFixed(0)} ms over ${n} loads (goal <= 300 ms: ${(pct(ready, 50) / 300).toFixed(2)} of it)`);
JS
node "$T/load.mjs" "http://127.0.0.1:$PORT" "$N"
