// Every page of the web UI, as a user with some data sees it: each one
// at 1280 px and at 390 px, light and dark, with axe-core on each of the
// four and no sideways scrolling on the phone. Screenshots of all of them
// go to SHOT_DIR: look at them before calling a page done.
// Prints "ok - ..." / "not ok - ..." lines; exits 1 if any failed.
// Usage: node tests/browser/tour.mjs BASE_URL SHOT_DIR
import { tmpdir } from 'node:os';
import { browser, iso, inDays } from './harness.mjs';

const BASE = (process.argv[2] || 'http://127.0.0.1:8080').replace(/\/$/, '');
const SHOTS = process.argv[3] || tmpdir();
const USER = 'tour';
const PASS = 'correct horse battery';
// route, and what shows the page has drawn its data
const PAGES = [
  ['dashboard', '#/', '.dash-amount'],
  ['month', '#/month', 'table.expenses tbody tr'],
  ['budgets', '#/budgets', 'li.budget'],
  ['recurring', '#/recurring', '.recurring-view li, .recurring-view tbody tr'],
  ['reports', '#/reports', '.reports-view svg'],
  ['categories', '#/categories', 'li.cat-item'],
  ['import', '#/import', '.import-view form'],
  ['settings', '#/settings', 'main form'],
  ['account', '#/account', 'main form'],
];

const t = await browser({ base: BASE, shots: SHOTS });
const { page, ok, step, axe } = t;

await t.run(async () => {
  await page.goto(`${BASE}/`);
  await page.getByRole('button', { name: /Create an account/ }).click();
  await page.getByLabel('User name').fill(USER);
  await page.getByLabel('Password').fill(PASS);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.locator('#dash-title').waitFor();
  // a month of data from another device: expenses, a budget, a rule
  const { api, call } = await t.device(USER, PASS);
  const rows = [['12.40', 'food', 'Bakery'], ['56.00', 'transport', 'Rail'], ['8.90', 'food', 'Café'],
    ['120.00', 'bills', 'Power'], ['3000', 'other', 'Ramen', 'JPY']];
  for (const [amount, category, payee, currency] of rows) {
    const r = await api('POST', '/expenses', { amount, category, payee, currency, date: iso(new Date()) });
    ok(r && r.id, `expense ${payee} stored`, JSON.stringify(r));
  }
  const b = await call('PUT', '/budgets/food', { amount: '300.00' });
  ok(b.status === 200, 'a food budget', JSON.stringify(b));
  const rec = await api('POST', '/recurring', { amount: '9.99', category: 'bills', payee: 'Music', every: 'month', start: inDays(3) });
  ok(rec && rec.id, 'a recurring rule', JSON.stringify(rec));

  for (const [name, hash, ready] of PAGES) {
    for (const [w, h, size] of [[1280, 860, 'desktop'], [390, 844, 'phone']]) {
      await page.setViewportSize({ width: w, height: h });
      await step(`${name} at ${size} draws its data`, async () => {
        await page.goto(`${BASE}/${hash}`);
        await page.locator('main h1').first().waitFor();
        await page.locator(ready).first().waitFor();
        return true;
      });
      if (size === 'phone') {
        const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        ok(over <= 0, `${name}: no sideways scrolling at 390 px`, `overflow ${over}px`);
        // tap targets: every control a thumb must hit is 44 px or more each
        // way (a link inside a sentence is exempt, as WCAG 2.5.5 says)
        const small = await page.evaluate(() => [...document.querySelectorAll(
          'button, a[href], input:not([type="hidden"]), select, textarea, summary, [role="button"]')]
          .filter((el) => {
            const r = el.getBoundingClientRect();
            if (r.width === 0 || r.height === 0 || r.bottom <= 0 || getComputedStyle(el).visibility === 'hidden') return false;
            // a box is hit through its label too
            if ((el.type === 'checkbox' || el.type === 'radio') && el.labels && [...el.labels].some((lab) => {
              const l = lab.getBoundingClientRect();
              return l.height >= 44 && l.width + r.width >= 44;
            })) return false;
            if (el.matches('a') && el.parentElement && /^(P|LI|SPAN|TD|SMALL)$/.test(el.parentElement.tagName)
              && el.parentElement.textContent.trim() !== el.textContent.trim()) return false;
            return r.width < 44 || r.height < 44;
          })
          .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''}`
            + ` "${(el.textContent || el.getAttribute('aria-label') || el.name || '').trim().slice(0, 24)}"`
            + ` ${Math.round(el.getBoundingClientRect().width)}x${Math.round(el.getBoundingClientRect().height)}`));
        ok(small.length === 0, `${name}: every tap target at least 44 x 44 px at 390 px`, small.join('\n'));
        // field borders: 3:1 against the background they sit on
        const faint = await page.evaluate(() => {
          const lum = (c) => {
            const v = c.match(/[\d.]+/g).slice(0, 3).map((x) => { const s = Number(x) / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; });
            return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
          };
          const bgOf = (el) => {
            for (let e = el.parentElement; e; e = e.parentElement) {
              const b = getComputedStyle(e).backgroundColor;
              if (b && !/rgba\(.*, 0\)$/.test(b) && b !== 'transparent') return b;
            }
            return 'rgb(255, 255, 255)';
          };
          return [...document.querySelectorAll('input:not([type="checkbox"]):not([type="radio"]):not([type="hidden"]):not([type="file"]), select, textarea')]
            .filter((el) => el.getBoundingClientRect().width > 0)
            .map((el) => {
              const a = lum(getComputedStyle(el).borderTopColor), b = lum(bgOf(el));
              const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
              return [el.name || el.id || el.type, ratio];
            })
            .filter(([, r]) => r < 3)
            .map(([n, r]) => `${n} ${r.toFixed(2)}:1`);
        });
        ok(faint.length === 0, `${name}: field borders reach 3:1 at 390 px`, faint.join('\n'));
      }
      for (const scheme of ['light', 'dark']) {
        await page.emulateMedia({ colorScheme: scheme });
        await axe(`${name}, ${size}, ${scheme}`);
        await page.evaluate(() => { document.getElementById('toast').className = 'toast'; });
        await t.shot(`tour-${name}-${size}-${scheme}`);
      }
      await page.emulateMedia({ colorScheme: 'light' });
    }
  }
});
process.exit(t.fails ? 1 : 0);
