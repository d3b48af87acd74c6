// What the page tests share (pages.mjs, dashboard.mjs, settings.mjs):
// Chromium with a fresh profile, TAP lines, steps, the REST API as another
// device, screenshots in light and dark, axe-core, and the watch on
// console errors and requests leaving the server.
//   const t = await browser({ base, shots, strict });
//   ... t.page, t.ok(), t.step(), t.shots(), t.axe(), t.device() ...
//   await t.finish();	// prints the totals and exits
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const here = new URL('.', import.meta.url).pathname;
const TIMEOUT = 8000;

// strict: a step passes on true, undefined or an object (a wait that came
// back); false, or a string or number (what was found instead), fails.
// Otherwise anything but false passes.
// locale: the browser's language and region (navigator.language, the
// Accept-Language header); the page tests run in en-US unless told.
export async function browser({ base, shots, strict = false, locale = 'en-US' }) {
  let chromium;
  let axeSource;
  try {
    ({ chromium } = require(join(here, '../js/node_modules/playwright-core')));
    axeSource = readFileSync(join(here, '../js/node_modules/axe-core/axe.min.js'), 'utf8');
  } catch (e) {
    console.log('not ok - playwright-core and axe-core are not installed (npm install --prefix tests/js)');
    process.exit(1);
  }
  const t = { fails: 0, n: 0, problems: [], external: [] };
  t.ok = (cond, what, extra) => {
    t.n += 1;
    if (cond) console.log(`ok - ${what}`);
    else {
      t.fails += 1;
      console.log(`not ok - ${what}`);
      if (extra !== undefined) console.log(`#   ${String(extra).split('\n').join('\n#   ')}`);
    }
    return cond;
  };
  t.step = async (what, fn) => {
    try {
      const r = await fn();
      if (strict) t.ok(r === true || r === undefined || (r !== null && typeof r === 'object'), what, r);
      else t.ok(r !== false, what);
    } catch (e) {
      t.ok(false, what, e.message.split('\n').slice(0, 6).join('\n'));
      await t.page.screenshot({ path: join(shots, `fail-${t.n}.png`) }).catch(() => {});
    }
  };

  // The REST API from outside the browser: another device of the user
  // (named if name is given). call answers {status, body}, api the body.
  t.device = async (user, pass, name) => {
    const r = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(name ? { username: user, password: pass, device: name }
        : { username: user, password: pass }),
    });
    const j = await r.json();
    const call = async (method, path, body) => {
      const res = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: { Authorization: `Bearer ${j.access_token}`, 'Content-Type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      });
      const txt = await res.text();
      return { status: res.status, body: txt ? JSON.parse(txt) : null };
    };
    const api = async (method, path, body) => (await call(method, path, body)).body;
    return { call, api, login: j };
  };

  const profile = mkdtempSync(join(tmpdir(), 'spend-chromium-'));
  t.ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run',
      '--disable-dev-shm-usage'],
    viewport: { width: 1280, height: 860 },
    locale,
    timeout: 30000,
  });
  t.ctx.setDefaultTimeout(TIMEOUT);
  const page = t.ctx.pages()[0] || await t.ctx.newPage();
  t.page = page;
  page.on('console', (m) => {
    // 4xx answers a test provokes on purpose (a bad amount, a bad file) are
    // logged by Chromium as failed resources; anything else is a problem
    if (m.type() === 'error' && !/status of 4[0-2][0-9]/.test(m.text())) t.problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => t.problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    const f = r.failure();
    if (!f || !/ERR_ABORTED/.test(f.errorText)) t.problems.push(`request failed: ${r.url()} ${f && f.errorText}`);
  });
  page.on('request', (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) t.external.push(r.url());
  });

  // Screenshots are for a person to look at: the test's temp dir, and
  // they with it, is removed unless KEEP=1, so only then are they drawn
  // (full pages in two schemes were a fifth of the browser tests' CPU).
  t.keep = process.env.KEEP === '1';
  t.shot = (name) => (t.keep
    ? page.screenshot({ path: join(shots, `${name}.png`), fullPage: true }) : Promise.resolve());
  t.shots = async (name) => {
    if (!t.keep) return;
    // a toast from the last action would hide part of the page in the picture
    await page.evaluate(() => { document.getElementById('toast').className = 'toast'; });
    await page.waitForTimeout(250);
    await page.emulateMedia({ colorScheme: 'light' });
    await t.shot(`${name}-light`);
    await page.emulateMedia({ colorScheme: 'dark' });
    await t.shot(`${name}-dark`);
    await page.emulateMedia({ colorScheme: 'light' });
  };
  // axe-core, evaluated through the debugger (the page's CSP allows no
  // inline script, and must not be loosened for the test); once a
  // document: the app's routes change the hash, not the document, and
  // compiling axe's 550 kB again each time was a quarter of a page
  // test's CPU (axe.run reads the DOM afresh every time)
  t.axe = async (what) => {
    if (!await page.evaluate(() => typeof axe === 'object')) await page.evaluate(axeSource);
    // colours half-way through a fade (a toast's 0.2 s, a new row's
    // flash) are not the page's: axe measured a fading toast's contrast
    // once, under load. At rest first; after 4 s axe runs anyway
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'),
      null, { timeout: 4000 }).catch(() => {});
    const res = await page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((x) => x.target.join(' ')).join(', ')}`);
    });
    t.ok(res.length === 0, `axe-core: 0 violations on ${what}`, res.join('\n'));
  };
  // run the test's body; then the checks every page test ends with
  t.run = async (body) => {
    try {
      await body();
    } catch (e) {
      t.ok(false, 'browser session ran to the end', e.stack);
      await t.shot('99-failure').catch(() => {});
    }
    t.ok(t.external.length === 0, 'no request leaves the server', t.external.join('\n'));
    t.ok(t.problems.length === 0, 'no console errors, CSP violations or failed requests', t.problems.join('\n'));
    await t.ctx.close();
    rmSync(profile, { recursive: true, force: true });
    console.log(`# ${t.n} tests, ${t.fails} failed; screenshots in ${shots}`);
  };
  return t;
}

// Local dates as the UI shows them: YYYY-MM-DD.
const pad = (x) => String(x).padStart(2, '0');
export const iso = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
export function inDays(k) { const d = new Date(); d.setDate(d.getDate() + k); return iso(d); }
// the same day a month later, or that month's last day
export function monthLater(s) {
  const [y, m, d] = s.split('-').map(Number);
  const last = new Date(y, m + 1, 0).getDate();
  return iso(new Date(y, m, Math.min(d, last)));
}
