// The web UI's session and quick add, against a spendd whose access
// tokens live 30 s (auth.access_ttl=30): a visitor without a cookie sends
// no refresh; an expired token is refreshed once and the add goes
// through; the quick add's date follows the month on screen; a new user
// is asked for a category; a failed month load leaves nothing of another
// month under the error.
// Usage: node tests/browser/session.mjs BASE_URL SHOT_DIR
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const here = new URL('.', import.meta.url).pathname;
const { chromium } = require(join(here, '../js/node_modules/playwright-core'));
const BASE = (process.argv[2] || 'http://127.0.0.1:8080').replace(/\/$/, '');
const SHOTS = process.argv[3] || tmpdir();

let fails = 0;
function ok(cond, what, extra) {
  console.log(`${cond ? 'ok' : 'not ok'} - ${what}`);
  if (!cond) {
    fails += 1;
    if (extra !== undefined) console.log(`#   ${String(extra).split('\n').join('\n#   ')}`);
  }
  return cond;
}
async function step(what, fn) {
  try {
    const r = await fn();
    ok(r !== false, what);
  } catch (e) {
    ok(false, what, e.message.split('\n').slice(0, 6).join('\n'));
    await page.screenshot({ path: join(SHOTS, `session-fail-${what.slice(0, 20)}.png`) }).catch(() => {});
  }
}

const profile = mkdtempSync(join(tmpdir(), 'spend-chromium-'));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run',
    '--disable-dev-shm-usage'],
  viewport: { width: 1280, height: 860 },
});
ctx.setDefaultTimeout(8000);
const page = ctx.pages()[0] || await ctx.newPage();
// refreshes are counted where the request is held (a route), not from
// 'request' events, which reach the test asynchronously and may come late
let refreshCount = 0;
await page.route('**/api/v1/auth/refresh', (route) => { refreshCount += 1; return route.continue(); });
const refreshes = () => refreshCount;
const problems = [];
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
const qa = () => page.locator('form.quick-add');
const rows = () => page.locator('table.expenses tbody tr');
const pad = (n) => String(n).padStart(2, '0');
const now = new Date();
const today = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;

// when the sign-in form is there to type into, by the page's own clock
await page.addInitScript(() => {
  new MutationObserver((_, obs) => {
    if (document.querySelector('#main form input[type="password"]')) {
      window.spendSignInReady = performance.now();
      obs.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
});

try {
  await page.goto(`${BASE}/#/month`);
  await step('a visitor without a cookie sees the sign-in screen', () =>
    page.getByRole('heading', { name: 'Sign in' }).waitFor());
  // what a phone downloads before it can sign in: the page, its styles and
  // the modules the sign-in screen needs (each screen loads when first shown)
  const wire = await page.evaluate(() => {
    const all = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    return {
      files: all.length,
      wire: all.reduce((a, r) => a + r.transferSize, 0),
      plain: all.reduce((a, r) => a + r.decodedBodySize, 0),
      gzip: all.filter((r) => r.encodedBodySize < r.decodedBodySize).length,
      ready: paint ? Math.round(window.spendSignInReady - paint.startTime) : null,
    };
  });
  console.log(`# first load: ${wire.files} files, ${wire.wire} bytes on the wire (${wire.plain} unzipped); sign-in usable ${wire.ready} ms after first paint`);
  ok(wire.wire > 0 && wire.wire <= 60 * 1024, 'the first load is at most 60 KB on the wire', JSON.stringify(wire));
  ok(wire.gzip >= 3, 'its text files came gzip-compressed', JSON.stringify(wire));
  ok(refreshes() === 0, 'and sends no refresh request (no 401 in the console)',
    `${refreshes()} refresh requests`);
  ok(problems.length === 0, 'no console error before signing in', problems.join('\n'));

  await step('register and sign in', async () => {
    await page.getByRole('button', { name: /Create an account/ }).click();
    await page.getByLabel('User name').fill('dora');
    await page.getByLabel('Password').fill('dora password 1');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('#month-title').waitFor();
  });

  await step('a new user is asked for a category, not given "bills"', async () => {
    const v = await qa().getByLabel('Category').inputValue();
    ok(v === '', 'no category chosen yet', `value "${v}"`);
    await qa().getByLabel('Amount').fill('4.20');
    await qa().getByRole('button', { name: 'Add expense' }).click();
    await page.getByText('Choose a category.').waitFor();
    ok(await rows().count() === 0, 'nothing added without one');
  });
  await step('the quick add dates today in this month', async () =>
    ok(await qa().getByLabel('Date').inputValue() === today, 'date is today',
      await qa().getByLabel('Date').inputValue()));
  await step('the first add, then the category is remembered', async () => {
    await qa().getByLabel('Category').selectOption('transport');
    await qa().getByRole('button', { name: 'Add expense' }).click();
    await rows().first().waitFor();
    await page.reload();
    await page.locator('#month-title').waitFor();
    const v = await qa().getByLabel('Category').inputValue();
    ok(v === 'transport', 'the last category is offered after a reload', v);
  });
  await step('the date follows the month on screen', async () => {
    await page.getByRole('link', { name: /Previous month/ }).click();
    await page.waitForFunction((t) => document.querySelector('#qa-date').value !== t, today);
    const d = await qa().getByLabel('Date').inputValue();
    const [y, m] = today.split('-').map(Number);
    const prev = m === 1 ? `${y - 1}-12` : `${y}-${pad(m - 1)}`;
    ok(d.slice(0, 7) === prev, 'a date in the previous month', d);
    await qa().getByLabel('Amount').fill('1.00');
    await qa().getByRole('button', { name: 'Add expense' }).click();
    await rows().first().waitFor();
    ok(await rows().count() === 1, 'the add lands in the month on screen');
    ok((await qa().getByLabel('Date').inputValue()).slice(0, 7) === prev,
      'and the date is that month\'s again after the add');
    await page.getByRole('link', { name: 'This month' }).click();
    await page.waitForFunction((t) => document.querySelector('#qa-date').value === t, today);
  });
  await step('a failed month load leaves nothing of another month under the error', async () => {
    await page.route('**/api/v1/expenses?*', (r) => r.fulfill({
      status: 503, contentType: 'application/json',
      body: JSON.stringify({ error: { code: 'busy', message: 'The server is busy' } }),
    }));
    await page.getByRole('link', { name: /Previous month/ }).click();
    await page.getByText('The server is busy').waitFor();
    await page.waitForTimeout(300);
    const left = await page.locator('p.empty:visible, table.expenses:visible').count();
    ok(left === 0, 'no list, no "no expenses" text', `${left} shown`);
    await page.unroute('**/api/v1/expenses?*');
    await page.getByRole('link', { name: 'This month' }).click();
    await rows().first().waitFor();
  });

  await step('an access token past its 30 s: the add still goes through', async () => {
    const before = refreshes();
    await page.waitForTimeout(33000);
    await qa().getByLabel('Amount').fill('9.99');
    await qa().getByRole('button', { name: 'Add expense' }).click();
    await rows().filter({ hasText: '9.99' }).first().waitFor();
    ok(refreshes() - before === 1, 'after exactly one refresh', `${refreshes() - before}`);
    ok(await page.locator('#me-badge').isVisible(), 'still signed in');
    ok(await page.getByRole('heading', { name: 'Sign in' }).count() === 0, 'no sign-in screen');
  });
  if (process.env.KEEP === '1') await page.screenshot({ path: join(SHOTS, 'session-after-expiry.png'), fullPage: true });
  const unexpected = problems.filter((p) => !/status of (401|503)/.test(p));
  ok(unexpected.length === 0, 'no other console errors', unexpected.join('\n'));
} catch (e) {
  ok(false, 'browser session test', e.stack);
} finally {
  await ctx.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(fails ? 1 : 0);
