// Drives the web UI in headless Chromium like a person would: register the
// first account, add, edit, delete and filter expenses, categories, sign out.
// Prints "ok - ..." / "not ok - ..." lines; exits 1 if any failed.
// Usage: node tests/browser/webui.mjs BASE_URL SHOT_DIR
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const here = new URL('.', import.meta.url).pathname;
let chromium;
try {
  ({ chromium } = require(join(here, '../js/node_modules/playwright-core')));
} catch (e) {
  console.log('not ok - playwright-core is not installed (npm install --prefix tests/js)');
  process.exit(1);
}

const BASE = (process.argv[2] || 'http://127.0.0.1:8080').replace(/\/$/, '');
const SHOTS = process.argv[3] || tmpdir();
const USER = 'alice';
const PASS = 'correct horse battery';
const TIMEOUT = 8000;

let fails = 0;
let n = 0;
function ok(cond, what, extra) {
  n += 1;
  if (cond) console.log(`ok - ${what}`);
  else {
    fails += 1;
    console.log(`not ok - ${what}`);
    if (extra !== undefined) console.log(`#   ${String(extra).split('\n').join('\n#   ')}`);
  }
  return cond;
}
// step("what", async () => {...}): ok unless it throws
async function step(what, fn) {
  try {
    const r = await fn();
    ok(r !== false, what);
  } catch (e) {
    ok(false, what, e.message.split('\n').slice(0, 6).join('\n'));
    await page.screenshot({ path: join(SHOTS, `fail-${n}.png`) }).catch(() => {});
  }
}

// The same REST API from outside the browser: a second session of the
// user, to change things behind the page's back.
async function apiAs(user, pass) {
  const r = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user, password: pass }),
  });
  const j = await r.json();
  return async (method, path, body) => {
    const res = await fetch(`${BASE}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${j.access_token}`, 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    return res.status === 204 ? null : res.json();
  };
}

const profile = mkdtempSync(join(tmpdir(), 'spend-chromium-'));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run',
    '--disable-dev-shm-usage'],
  viewport: { width: 1280, height: 860 },
  timeout: 30000,
});
ctx.setDefaultTimeout(TIMEOUT);
const page = ctx.pages()[0] || await ctx.newPage();
const problems = [];
page.on('console', (m) => {
  if (m.type() === 'error' && !/status of 40[0-9]|status of 41[0-9]|status of 42[0-9]/.test(m.text())) {
    problems.push(`console: ${m.text()}`);
  }
});
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
page.on('requestfailed', (r) => {
  const f = r.failure();
  if (!f || !/ERR_ABORTED/.test(f.errorText)) problems.push(`request failed: ${r.url()} ${f && f.errorText}`);
});
const external = [];
page.on('request', (r) => { if (!r.url().startsWith(BASE) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) external.push(r.url()); });

// screenshots only for a person to look at (KEEP=1 keeps the test's temp
// dir; without it they would be deleted unseen)
const KEEP = process.env.KEEP === '1';
const shot = (name) => (KEEP
  ? page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true }) : Promise.resolve());
const phoneShot = (name) => (KEEP ? page.screenshot({ path: join(SHOTS, `${name}.png`) }) : Promise.resolve());
const qa = () => page.locator('form.quick-add');
const rows = () => page.locator('table.expenses tbody tr');
const total = (cur) => page.locator(`.totals .sums li[data-currency="${cur}"] .num`);
const rowWith = (text) => rows().filter({ hasText: text });

async function add({ amount, currency, category, payee, note, tags }) {
  const f = qa();
  const before = await rows().count();
  await f.getByLabel('Amount').fill(amount);
  if (currency) await f.getByLabel('Currency').selectOption(currency);
  if (category) await f.getByLabel('Category').selectOption(category);
  if (payee !== undefined) await f.getByLabel('Payee').fill(payee);
  if (note !== undefined) await f.getByLabel('Note').fill(note);
  if (tags !== undefined) await f.getByLabel('Tags').fill(tags);
  await f.getByRole('button', { name: 'Add expense' }).click();
  await page.waitForFunction((b) => document.querySelectorAll('table.expenses tbody tr').length > b
    && !document.querySelector('form.quick-add[aria-busy]'), before);
}

// Edit turns the row into fields (tr.editing) with Save and Cancel
async function openEdit(text) {
  await rowWith(text).getByRole('button', { name: /^Edit / }).click();
  const d = page.locator('table.expenses tr.editing');
  await d.waitFor();
  return d;
}

try {
  // ---- sign in screen, register the first account
  await page.goto(`${BASE}/#/month`);
  await step('sign-in screen shown', () => page.getByRole('heading', { name: 'Sign in' }).waitFor());
  await shot('01-signin-desktop');
  await page.getByRole('button', { name: /Create an account/ }).click();
  const intro = await page.locator('p.intro').innerText();
  ok(/first account/i.test(intro) && /administrator/i.test(intro),
    'register screen says the first account becomes administrator', intro);
  await page.getByLabel('User name').fill(USER);
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await step('too short password: error next to the password field', async () => {
    await page.locator('#' + (await page.getByLabel('Password').getAttribute('id')) + '-err').waitFor();
    return (await page.getByLabel('Password').getAttribute('aria-invalid')) === 'true';
  });
  await page.getByLabel('Password').fill(PASS);
  await shot('02-register-desktop');
  await page.getByRole('button', { name: 'Create account' }).click();
  await step('after registering, the month view is shown', () => page.locator('#month-title').waitFor());
  const now = new Date();
  const monthName = now.toLocaleString('en-US', { month: 'long' });
  ok((await page.locator('#month-title').innerText()).includes(monthName), 'current month by default');
  ok((await page.locator('#me-badge').innerText()) === USER, 'the user name is shown in the top bar');
  ok(/^#\/month\/\d{4}-\d\d$/.test(await page.evaluate(() => location.hash)), 'month in the address');
  await step('empty month says so', () => page.getByText(/No expenses in/).waitFor());

  // ---- quick add
  await step('add 0.10 EUR', () => add({ amount: '0.10', category: 'food', note: 'coffee', tags: 'work morning' }));
  await step('add 0.20 EUR', () => add({ amount: '0.20', category: 'food', payee: 'Bakery', note: 'croissant' }));
  await step('total 0.10 + 0.20 shows 0.30 EUR', () => page.waitForFunction(() =>
    document.querySelector('.totals li[data-currency="EUR"] .num')?.textContent === '0.30'));
  await step('add 1000 JPY', () => add({ amount: '1000', currency: 'JPY', category: 'travel', payee: 'Ramen Ya' }));
  ok(await total('JPY').innerText() === '1,000', 'JPY total shows 1,000 (no decimals)');
  ok(await total('EUR').innerText() === '0.30', 'EUR total still 0.30');
  await step('add with a decimal comma 2,50', () => add({ amount: '2,50', currency: 'EUR', category: 'transport', payee: 'Metro' }));
  ok(await rowWith('Metro').locator('.amount .num').innerText() === '2.50', 'decimal comma read as 2.50');
  ok(await page.locator('.totals .count').innerText() === '4 expenses', 'count of expenses shown');
  const jpyRow = rowWith('Ramen Ya');
  ok((await jpyRow.locator('td.amount').innerText()).replace(/\s+/g, ' ') === '¥1,000',
    'amount shown with its currency', await jpyRow.locator('td.amount').innerText());
  ok(await jpyRow.locator('.cat').innerText() === 'travel', 'category shown in the row');
  ok((await rowWith('coffee').locator('.tag').allInnerTexts()).join(' ') === 'work morning', 'tags shown in the row');
  // (one synchronous look in the page: a live-sync re-render between
  // finding the cell and reading its style would leave a detached cell,
  // whose computed style is empty)
  const align = await page.waitForFunction(() => {
    const row = [...document.querySelectorAll('table.expenses tbody tr')].find((r) => r.innerText.includes('Ramen Ya'));
    const td = row?.querySelector('td.amount');
    return td && getComputedStyle(td).textAlign;
  }).then((h) => h.jsonValue());
  ok(align === 'right', 'amounts right-aligned', align);
  const todayIso = await page.evaluate(() => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  });
  ok(await jpyRow.locator('time').getAttribute('datetime') === todayIso, 'date defaults to today');

  // an invalid amount: the server's message next to the amount field
  await qa().getByLabel('Amount').fill('12.5x');
  await qa().getByRole('button', { name: 'Add expense' }).click();
  await step('invalid amount: server error shown next to the amount field', async () => {
    const id = await qa().getByLabel('Amount').getAttribute('id');
    const err = page.locator(`#${id}-err`);
    await err.waitFor();
    const t = await err.innerText();
    ok(/12\.5x/.test(t), 'the error message quotes the amount', t);
    return (await qa().getByLabel('Amount').getAttribute('aria-invalid')) === 'true';
  });
  await shot('03-month-desktop');
  await qa().getByLabel('Amount').fill('');

  // ---- edit
  await step('edit 0.10 -> 0.15 and the total follows (0.35)', async () => {
    const d = await openEdit('coffee');
    await shot('04-edit-desktop');
    await d.getByLabel('Amount').fill('0.15');
    await d.getByRole('button', { name: 'Save' }).click();
    await d.waitFor({ state: 'detached' });
    await page.waitForFunction(() =>
      document.querySelector('.totals li[data-currency="EUR"] .num')?.textContent === '2.85');
    return await rowWith('coffee').locator('.amount .num').innerText() === '0.15'
      && await total('EUR').innerText() === '2.85';
  });

  // ---- stale version: changed in another session while the row is edited
  const other = await apiAs(USER, PASS);
  await step('edit of a stale version: 412 explained, latest shown', async () => {
    const d = await openEdit('Bakery');
    const id = await d.getAttribute('data-id');
    const changed = await other('PATCH', `/expenses/${id}`, { note: 'pain au chocolat' });
    ok(changed && changed.note === 'pain au chocolat', 'changed behind the page through the API', JSON.stringify(changed));
    await d.getByLabel('Amount').fill('0.25');
    await d.getByRole('button', { name: 'Save' }).click();
    await d.locator('.edit-msg').filter({ hasText: /changed on another device/ }).waitFor();
    ok(await d.getByLabel('Note').inputValue() === 'pain au chocolat', 'row reloaded with the latest note');
    ok(await d.getByLabel('Amount').inputValue() === '0.25', 'the amount typed is kept');
    const kept = await other('GET', `/expenses/${id}`);
    ok(kept.amount === '0.20' && kept.note === 'pain au chocolat', 'the stale edit wrote nothing', JSON.stringify(kept));
    await shot('05-stale-desktop');
    await d.getByRole('button', { name: 'Save' }).click();
    await d.waitFor({ state: 'detached' });
    await page.waitForFunction(() =>
      document.querySelector('.totals li[data-currency="EUR"] .num')?.textContent === '2.90');
    return true;
  });

  // ---- delete
  await step('delete an expense (Undo in the toast, no confirmation)', async () => {
    await rowWith('Metro').getByRole('button', { name: /^Delete / }).click();
    await rowWith('Metro').waitFor({ state: 'detached' });
    // the row goes at once, the toast once the server has deleted it
    await page.locator('#toast.show').filter({ hasText: /^Deleted / }).waitFor();
    const msg = await page.locator('#toast').innerText();
    ok(/^Deleted €2\.50 · Metro/.test(msg)
      && await page.locator('#toast').getByRole('button', { name: 'Undo' }).isVisible(), 'the toast offers Undo', msg);
    await page.waitForFunction(() =>
      document.querySelector('.totals li[data-currency="EUR"] .num')?.textContent === '0.40');
    return await total('EUR').innerText() === '0.40' && await rows().count() === 3;
  });

  // ---- filters
  await step('search filters the list and the totals', async () => {
    await page.getByRole('searchbox', { name: 'Search' }).fill('bakery');
    await page.waitForFunction(() => document.querySelectorAll('table.expenses tbody tr').length === 1);
    ok(/search=bakery/.test(await page.evaluate(() => location.hash)), 'search kept in the address');
    return await total('EUR').innerText() === '0.25' && await total('JPY').count() === 0;
  });
  await shot('06-search-desktop');
  await step('category filter', async () => {
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForFunction(() => document.querySelectorAll('table.expenses tbody tr').length === 3);
    await page.locator('form.filters').getByLabel('Category').selectOption('travel');
    await page.waitForFunction(() => document.querySelectorAll('table.expenses tbody tr').length === 1);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForFunction(() => document.querySelectorAll('table.expenses tbody tr').length === 3);
    return true;
  });

  // ---- month navigation
  await step('previous month is empty, next brings us back', async () => {
    await page.getByRole('link', { name: /^Previous month/ }).click();
    await page.getByText(/No expenses in/).waitFor();
    await page.getByRole('link', { name: 'This month' }).click();
    await page.waitForFunction(() => document.querySelectorAll('table.expenses tbody tr').length === 3);
    return true;
  });

  // ---- load more
  await step('load more follows next_cursor', async () => {
    for (let i = 0; i < 52; i += 1) {
      await other('POST', '/expenses', { amount: '1.00', category: 'other', note: `bulk ${i}`, date: todayIso });
    }
    await page.reload();
    await page.locator('#month-title').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('table.expenses tbody tr').length === 50);
    ok(await page.locator('.totals .count').innerText() === '55 expenses', 'count covers every page');
    ok(await total('EUR').innerText() === '52.40', 'sum covers every page', await total('EUR').innerText());
    await page.getByRole('button', { name: /Load more/ }).click();
    await page.waitForFunction(() => document.querySelectorAll('table.expenses tbody tr').length === 55);
    return page.getByRole('button', { name: /Load more/ }).isHidden();
  });
  ok(await page.locator('#me-badge').isVisible(), 'reload keeps the session (refresh cookie)');

  // ---- downloads of the month (GET /api/v1/exports/{format})
  await step('CSV and PDF downloads of the month', async () => {
    const links = page.locator('p.exports a');
    await links.first().waitFor();
    const names = await links.allInnerTexts();
    ok(names.includes('CSV') && names.includes('PDF'), 'CSV and PDF offered', names.join(' '));
    for (const fmt of ['CSV', 'PDF']) {
      const [dl] = await Promise.all([page.waitForEvent('download'),
        links.filter({ hasText: new RegExp(`^${fmt}$`) }).click()]);
      const file = join(SHOTS, dl.suggestedFilename());
      await dl.saveAs(file);
      const data = readFileSync(file);
      const month = todayIso.slice(0, 7);
      ok(dl.suggestedFilename().includes(month), `${fmt} file named for the month`, dl.suggestedFilename());
      if (fmt === 'CSV') ok(/Ramen Ya/.test(data.toString()) && /1000/.test(data.toString()), 'CSV holds the expenses');
      else ok(data.subarray(0, 5).toString() === '%PDF-', 'PDF is a PDF');
    }
    return true;
  });

  // ---- live updates (GET /api/v1/events) and an expired access token
  await step('a change made elsewhere appears without a reload', async () => {
    await other('POST', '/expenses', { amount: '7.00', category: 'food', payee: 'Live update', date: todayIso });
    await rowWith('Live update').waitFor();
    ok(await page.locator('.totals .count').innerText() === '56 expenses', 'count follows');
    await other('POST', '/categories', { name: 'gifts' });
    await qa().locator('select[name="category"] option[value="gifts"]').waitFor({ state: 'attached' });
    return true;
  });
  await step('two browser sessions of one user: an add in one shows in the other', async () => {
    const profile2 = mkdtempSync(join(tmpdir(), 'spend-chromium-'));
    const ctx2 = await chromium.launchPersistentContext(profile2, {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
      viewport: { width: 1280, height: 860 },
    });
    try {
      ctx2.setDefaultTimeout(TIMEOUT);
      const p2 = ctx2.pages()[0] || await ctx2.newPage();
      await p2.goto(`${BASE}/#/month`);
      await p2.getByLabel('User name').fill(USER);
      await p2.getByLabel('Password').fill(PASS);
      await p2.getByRole('button', { name: 'Sign in' }).click();
      await p2.locator('#month-title').waitFor();
      // its event stream is open once the month has loaded and a moment passed
      await p2.waitForFunction(() => document.querySelectorAll('table.expenses tbody tr').length > 0);
      await p2.waitForTimeout(300);
      const t0 = Date.now();
      const f = qa();
      await f.getByLabel('Amount').fill('3.30');
      await f.getByLabel('Category').selectOption('food');
      await f.getByLabel('Payee').fill('From the other tab');
      await f.getByRole('button', { name: 'Add expense' }).click();
      await rowWith('From the other tab').waitFor();
      await p2.locator('table.expenses tbody tr', { hasText: 'From the other tab' }).waitFor();
      const ms = Date.now() - t0;
      console.log(`# it appeared in the other session ${ms} ms after the add was clicked`);
    } finally {
      await ctx2.close();
      rmSync(profile2, { recursive: true, force: true });
    }
    return true;
  });
  await step('a new category for a payee no rule knows offers the rule, one click adds it', async () => {
    await other('POST', '/expenses', { amount: '4.40', category: 'food', payee: 'Corner Shop', date: todayIso });
    const d = await openEdit('Corner Shop');
    await d.getByLabel('Category').selectOption('shopping');
    await d.getByRole('button', { name: 'Save' }).click();
    await d.waitFor({ state: 'detached' });
    const b = page.locator('#toast').getByRole('button', { name: 'Always put “Corner Shop” in shopping' });
    await b.click();
    await page.locator('#toast', { hasText: 'Rule added' }).waitFor();
    const rules = await other('GET', '/rules');
    ok((rules.items || []).some((r) => r.payee_contains === 'Corner Shop' && r.category === 'shopping'),
      'the rule is stored', JSON.stringify(rules));
    return true;
  });
  await step('a 401 is answered by one refresh and the request is retried', async () => {
    // Counted where the requests are held (routes), not from 'request'
    // events, which reach the test late. The 401 goes to the search's list
    // request; should another list request take it first (a live event's
    // reload), the step is tried again, so that what is counted is one
    // 401 and what it led to.
    let refreshes = 0;
    let served = 0;
    const seen = [];
    const log = (r) => seen.push(`${r.method()} ${r.url().replace(/^.*\/api\/v1/, '')}`);
    page.on('request', log);
    await page.route('**/api/v1/auth/refresh', (route) => { refreshes += 1; return route.continue(); });
    const box = page.getByRole('searchbox', { name: 'Search' });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      refreshes = 0;
      served = 0;
      await page.route('**/api/v1/expenses?*', (route) => {
        served += 1;
        const searched = route.request().url().includes('search=live');
        return route.fulfill({
          status: 401, contentType: 'application/json',
          body: JSON.stringify({ error: { code: 'unauthorized', message: 'token expired' } }),
        }).then(() => { if (!searched) served = -1; });
      }, { times: 1 });
      await box.fill('live');
      await page.waitForFunction(() => document.querySelectorAll('table.expenses tbody tr').length === 1);
      await page.waitForFunction(() => !document.querySelector('section[aria-busy="true"]'));
      if (served === 1) break;
      await page.unroute('**/api/v1/expenses?*');
      await box.fill('');
      await page.waitForFunction(() => document.querySelectorAll('table.expenses tbody tr').length > 1);
      seen.push(served === 0 ? '(no list request was held)' : '(another list request took the 401)');
    }
    await page.unroute('**/api/v1/auth/refresh');
    page.off('request', log);
    ok(served === 1, "the search's list request got the 401", seen.join(' | '));
    ok(refreshes === 1, 'exactly one refresh', `${refreshes} refreshes: ${seen.join(' | ')}`);
    ok(await page.locator('#me-badge').isVisible(), 'still signed in');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForFunction(() => document.querySelectorAll('table.expenses tbody tr').length === 50);
    return true;
  });

  // ---- categories
  await page.getByRole('link', { name: 'Categories' }).click();
  await step('categories screen lists the defaults', () => page.locator('li.cat-item[data-name="food"]').waitFor());
  await step('add a category', async () => {
    await page.locator('form.inline-form').getByLabel('Name').fill('coffee');
    await page.locator('form.inline-form').getByRole('button', { name: 'Add' }).click();
    await page.locator('li.cat-item[data-name="coffee"]').waitFor();
    return true;
  });
  await step('adding a duplicate shows the error by the name field', async () => {
    await page.locator('form.inline-form').getByLabel('Name').fill('coffee');
    await page.locator('form.inline-form').getByRole('button', { name: 'Add' }).click();
    await page.locator('form.inline-form .field-error:not([hidden])').waitFor();
    return true;
  });
  await step('rename a category', async () => {
    const li = page.locator('li.cat-item[data-name="coffee"]');
    await li.getByRole('button', { name: 'Rename' }).click();
    await li.getByRole('textbox').fill('cafes');
    await li.getByRole('button', { name: 'Save' }).click();
    await page.locator('li.cat-item[data-name="cafes"]').waitFor();
    return true;
  });
  await step('archive and unarchive', async () => {
    await page.locator('li.cat-item[data-name="cafes"]').getByRole('button', { name: 'Archive' }).click();
    await page.locator('#cats-archived').waitFor();
    await page.locator('li.cat-item[data-name="cafes"]').getByRole('button', { name: 'Unarchive' }).click();
    await page.locator('#cats-archived').waitFor({ state: 'hidden' });
    return true;
  });
  await shot('07-categories-desktop');
  await step('delete a used category, moving its expenses', async () => {
    const li = page.locator('li.cat-item[data-name="travel"]');
    await li.getByRole('button', { name: 'Delete' }).click();
    await li.getByLabel('Move expenses to').selectOption('other');
    await li.getByRole('button', { name: 'Delete' }).click();
    await li.waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'Month' }).click();
    await page.getByRole('searchbox', { name: 'Search' }).fill('ramen');
    await rowWith('Ramen Ya').locator('.cat').filter({ hasText: 'other' }).waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForFunction(() => document.querySelectorAll('table.expenses tbody tr').length === 50);
    return true;
  });

  // ---- phone width
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await page.locator('#month-title').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('table.expenses tbody tr').length >= 50);
  await phoneShot('08-month-phone');
  await page.emulateMedia({ colorScheme: 'dark' });
  await phoneShot('08-month-phone-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.locator('section.list').evaluate((el) => el.scrollIntoView());
  await phoneShot('09-list-phone');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  ok(overflow <= 0, 'no sideways scrolling at 390px', `overflow ${overflow}px`);
  // on a phone the quick add is a sheet behind the + button
  await page.getByRole('button', { name: 'Add an expense' }).click();
  await page.locator('dialog.qa-sheet[open]').waitFor();
  const amountBox = await qa().getByLabel('Amount').boundingBox();
  ok(amountBox && amountBox.height >= 40, 'amount field is a comfortable tap target');
  ok(await qa().getByLabel('Amount').getAttribute('inputmode') === 'decimal', 'amount field brings the decimal keypad');
  await page.keyboard.press('Escape');
  await page.locator('dialog.qa-sheet[open]').waitFor({ state: 'detached' });
  await step('inline edit at phone width', async () => {
    const d = await openEdit('bulk 50');
    await phoneShot('10-edit-phone');
    await d.getByRole('button', { name: 'Cancel' }).click();
    await d.waitFor({ state: 'detached' });
    return true;
  });
  await page.getByRole('link', { name: 'Categories' }).click();
  await page.locator('li.cat-item[data-name="food"]').waitFor();
  await phoneShot('11-categories-phone');
  // a phone app signs in and names itself
  await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: USER, password: PASS, refresh_in_body: true, device: 'Pixel 8' }),
  });
  await page.getByRole('link', { name: 'Account' }).click();
  await page.getByRole('heading', { name: 'Account', exact: true }).waitFor();
  await step('a device named at login is listed by its name', () =>
    page.locator('li.session strong', { hasText: 'Pixel 8' }).waitFor());
  await phoneShot('12-account-phone');
  ok(await page.locator('#me-name').innerText() === USER, 'account screen names the user');
  ok(await page.locator('li.session .badge').innerText() === 'this device', 'sessions list marks this device');
  // the card is Settings' own (devices.js): a device can be renamed here too
  ok(await page.getByRole('button', { name: 'Rename Pixel 8' }).count() === 1,
    'the Account page offers to rename a device, as Settings does');

  // ---- account: wrong passwords, password change
  const NEWPASS = 'another horse battery';
  await page.setViewportSize({ width: 1280, height: 860 });
  await step('delete account with a wrong password: error by the field', async () => {
    const f = page.locator('form.danger-zone');
    await f.getByLabel('Your password').fill('not my password');
    await f.getByRole('button', { name: 'Delete my account' }).click();
    const id = await f.getByLabel('Your password').getAttribute('id');
    await page.locator(`#${id}-err`).waitFor();
    return /password/i.test(await page.locator(`#${id}-err`).innerText());
  });
  await step('change password; this device stays signed in', async () => {
    await page.getByLabel('Current password').fill(PASS);
    await page.getByLabel('New password').fill(NEWPASS);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText(/Password changed/).waitFor();
    await page.getByRole('link', { name: 'Month' }).click();
    await page.waitForFunction(() => document.querySelectorAll('table.expenses tbody tr').length === 50);
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('table.expenses tbody tr').length === 50);
    return true;
  });
  await page.getByRole('link', { name: 'Account' }).click();
  await page.getByRole('heading', { name: 'Account', exact: true }).waitFor();
  await shot('13-account-desktop');

  // ---- sign out
  await page.setViewportSize({ width: 1280, height: 860 });
  await step('sign out returns to the sign-in screen', async () => {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    return true;
  });
  await step('after sign out a reload stays signed out', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    return true;
  });
  await step('wrong password is refused with a message', async () => {
    await page.getByLabel('User name').fill(USER);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.form-error:not([hidden]), .field-error:not([hidden])').first().waitFor();
    return true;
  });
  await step('sign in again with the new password', async () => {
    await page.getByLabel('Password').fill(NEWPASS);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#me-badge').waitFor();
    return true;
  });
  await step('sign out everywhere', async () => {
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByRole('button', { name: 'Really sign out everywhere?' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.setViewportSize({ width: 390, height: 844 });
    await phoneShot('14-signed-out-phone');
    return true;
  });
} catch (e) {
  ok(false, 'browser session ran to the end', e.stack);
  await shot('99-failure').catch(() => {});
}

ok(external.length === 0, 'no request leaves the server', external.join('\n'));
ok(problems.length === 0, 'no script errors, CSP violations or failed requests', problems.join('\n'));
await ctx.close();
rmSync(profile, { recursive: true, force: true });
console.log(`# ${n} tests, ${fails} failed; screenshots in ${SHOTS}`);
process.exit(fails ? 1 : 0);
