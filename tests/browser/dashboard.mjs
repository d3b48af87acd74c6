// The web UI's Dashboard and its charts module in headless Chromium:
// register; expenses in two categories this month and last, budgets and a
// recurring rule through the API; then the dashboard's total, budget bars,
// donut slices, daily line points and upcoming list carry the server's
// numbers (read off the page and the SVG's titles); a quick add and an
// expense from another device move them; charts.js geometry (equal values,
// equal arcs; one point; no data); axe-core; 390 px; screenshots in light
// and dark.
// Prints "ok - ..." / "not ok - ..." lines; exits 1 if any failed.
// Usage: node tests/browser/dashboard.mjs BASE_URL SHOT_DIR
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { browser, iso, inDays, monthLater } from './harness.mjs';

const BASE = (process.argv[2] || 'http://127.0.0.1:8080').replace(/\/$/, '');
const SHOTS = process.argv[3] || tmpdir();
const USER = 'dash';
const PASS = 'correct horse battery';

const t = await browser({ base: BASE, shots: SHOTS });
const { page, ok, step, shot, shots, axe } = t;
// the REST API from outside the browser: another device of the user
const apiAs = async (user, pass) => (await t.device(user, pass)).api;

const M = iso(new Date()).slice(0, 7);
const TODAY = iso(new Date());
const DAY = Number(TODAY.slice(8, 10));
const prevDate = (() => { const d = new Date(); d.setDate(1); d.setMonth(d.getMonth() - 1); return d; })();
const P = iso(prevDate).slice(0, 7);
const prevDays = new Date(prevDate.getFullYear(), prevDate.getMonth() + 1, 0).getDate();
const monthName = (m) => new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' })
  .format(new Date(`${m}-01T00:00:00Z`));

const dash = () => page.locator('.dashboard-view');
const text = async (loc) => (await loc.innerText()).trim();
const catBar = (cat) => page.locator(`.dash-bars li.budget[data-category="${cat}"]`);
const overallBar = () => page.locator('.dash-overall li.budget');
// the donut's slices as {label: [value, share, title]}
const slices = () => page.evaluate(() => Object.fromEntries([...document.querySelectorAll('.dash-donut svg path.slice')]
  .map((p) => [p.dataset.label, [p.dataset.value, p.dataset.share, p.querySelector('title').textContent]])));
// the line's points: [[day, value, title] ...] of series k (0: this month)
const points = (k) => page.evaluate((i) => {
  const g = document.querySelectorAll('.dash-line svg g.series')[i];
  return g ? [...g.querySelectorAll('circle.point')].map((c) => [c.dataset.label, c.dataset.value, c.querySelector('title').textContent]) : null;
}, k);
const headline = () => text(page.locator('.dash-amount .num'));
async function waitText(loc, want) {
  await page.waitForFunction(([sel, w]) => {
    const el = document.querySelector(sel);
    return el && el.textContent.trim() === w;
  }, [loc, want]);
  return true;
}

await t.run(async () => {
  // ---- register; the landing page is the dashboard
  await page.goto(`${BASE}/`);
  await page.getByRole('button', { name: /Create an account/ }).click();
  await page.getByLabel('User name').fill(USER);
  await page.getByLabel('Password').fill(PASS);
  await page.getByRole('button', { name: 'Create account' }).click();
  await step('registered: the dashboard is the landing page', () => page.locator('#dash-title').waitFor());
  ok(await page.evaluate(() => location.hash) === '#/', 'at #/', await page.evaluate(() => location.hash));
  ok(await text(page.locator('#dash-title')) === monthName(M), 'titled with this month', await text(page.locator('#dash-title')));
  const nav = page.getByRole('navigation', { name: 'Main' });
  ok(await nav.getByRole('link', { name: 'Dashboard' }).getAttribute('aria-current') === 'page', 'the nav marks Dashboard as current');
  ok(await nav.getByRole('link', { name: 'Month' }).count() === 1, 'the nav still links the Month page');
  await step('a new user: nothing spent, empty donut and line, no budgets', async () => {
    await page.locator('.dash-amount').waitFor();
    ok(await headline() === '0.00', 'total 0.00', await headline());
    ok(await page.locator('.dash-donut path.slice').count() === 0, 'no slice');
    ok(await page.locator('.dash-line circle.point').count() === 0
      && /No expenses this month or last/.test(await text(page.locator('.dash-line'))), 'the line says there is nothing yet');
    ok(await page.locator('.dash-nobudget').count() === 1, 'no overall budget: says so');
  });
  await shots('30-dashboard-empty');

  // ---- data through the API (another device); the page follows live
  const api = await apiAs(USER, PASS);
  const first = `${M}-01`;
  for (const e of [
    { amount: '12.50', category: 'food', date: first, payee: 'Market' },
    { amount: '30.00', category: 'transport', date: first, payee: 'Rail' },
    { amount: '7.50', category: 'food', date: TODAY, payee: 'Bakery' },
    { amount: '40.00', category: 'food', date: `${P}-10`, payee: 'Market' },
    { amount: '20.00', category: 'transport', date: `${P}-20`, payee: 'Rail' },
  ]) await api('POST', '/expenses', e);
  await api('PUT', '/budgets/total', { amount: '200.00' });
  await api('PUT', '/budgets/food', { amount: '25.00' });
  await api('PUT', '/budgets/transport', { amount: '100.00' });
  const start = inDays(3);
  const rule = await api('POST', '/recurring', { amount: '9.99', category: 'bills', every: 'month', start, payee: 'Phone' });
  ok(rule && rule.id, 'a recurring rule added', JSON.stringify(rule));

  await step('live: the total is 50.00 without a reload', () => waitText('.dash-amount .num', '50.00'));
  await step('the overall bar: 50.00 of 200.00, 25%', async () => {
    await overallBar().waitFor();
    const got = [await text(overallBar().locator('.b-spent .num')), await text(overallBar().locator('.b-avail .num')),
      await text(overallBar().locator('.b-pct'))];
    return ok(got.join(' ') === '50.00 200.00 25%', 'overall numbers', got.join(' '));
  });
  const status = await api('GET', `/budgets/status?month=${M}`);
  const sFood = status.items.find((i) => i.category === 'food');
  await step('the food bar: 20.00 of 25.00, 80%, in the server\'s state', async () => {
    await catBar('food').waitFor();
    const got = [await text(catBar('food').locator('.b-spent .num')), await text(catBar('food').locator('.b-avail .num')),
      await text(catBar('food').locator('.b-pct')), await catBar('food').getAttribute('data-state')];
    return ok(got.join(' ') === `20.00 25.00 80% ${sFood.state}` && sFood.state !== 'ok', 'food numbers', got.join(' '));
  });
  await step('the food bar is 80% wide', async () => {
    const w = await catBar('food').locator('.b-fill').evaluate((el) => el.getBoundingClientRect().width / el.parentElement.getBoundingClientRect().width);
    return ok(Math.abs(w - 0.8) < 0.02, 'width 80%', w);
  });
  await step('the transport bar: 30.00 of 100.00, 30%', async () => {
    const got = [await text(catBar('transport').locator('.b-spent .num')), await text(catBar('transport').locator('.b-avail .num')),
      await text(catBar('transport').locator('.b-pct'))];
    return ok(got.join(' ') === '30.00 100.00 30%', 'transport numbers', got.join(' '));
  });
  await step('the donut: transport 30.00 (60.00%), food 20.00 (40.00%)', async () => {
    const s = await slices();
    return ok(Object.keys(s).length === 2 && s.transport[0] === '30.00' && s.transport[1] === '60.00'
      && s.food[0] === '20.00' && s.food[1] === '40.00' && /^food: €20\.00, 40\.00%$/.test(s.food[2]), 'slices', JSON.stringify(s));
  });
  await step('the donut\'s arcs are 60% and 40% of the ring', async () => {
    const sw = await page.evaluate(() => [...document.querySelectorAll('.dash-donut path.slice')].map((p) => Number(p.dataset.sweep)));
    return ok(sw.length === 2 && Math.abs(sw[0] - 216) < 0.01 && Math.abs(sw[1] - 144) < 0.01, 'sweeps', sw.join(' '));
  });
  await step('the legend shows the server\'s amounts and shares', async () => {
    const li = page.locator('.dash-donut .legend li[data-label="food"]');
    const t = await text(li);
    return ok(/20\.00/.test(t) && /40\.00%/.test(t), 'food legend', t);
  });
  await step('the line: this month runs to today and ends at 50.00', async () => {
    const p = await points(0);
    const last = p[p.length - 1];
    const d1 = p.find((x) => x[0] === '1');
    return ok(p.length === DAY && last[0] === String(DAY) && last[1] === '50.00'
      && d1[1] === (DAY === 1 ? '50.00' : '42.50') && last[2].endsWith(`, ${DAY}: €50.00`), 'points', JSON.stringify([p.length, d1, last]));
  });
  await step('the line: last month 40.00 on the 10th, 60.00 at its end', async () => {
    const p = await points(1);
    const at = (d) => (p.find((x) => x[0] === String(d)) || [])[1];
    return ok(p.length === prevDays && at(9) === '0.00' && at(10) === '40.00' && at(20) === '60.00' && at(prevDays) === '60.00',
      'points', JSON.stringify([p.length, at(9), at(10), at(20), at(prevDays)]));
  });
  await step('the line is described in words (role img, title, desc)', async () => {
    const r = await page.evaluate(() => {
      const svg = document.querySelector('.dash-line svg');
      return [svg.getAttribute('role'), svg.querySelector('desc').textContent];
    });
    return ok(r[0] === 'img' && r[1].includes('€50.00 at') && r[1].includes('€60.00 at'), 'description', r.join(' | '));
  });
  await step('upcoming lists the rule on its date', async () => {
    const li = page.locator(`.dash-upcoming li.up-item[data-date="${start}"]`).filter({ hasText: 'Phone' });
    await li.waitFor();
    return ok((await text(li)).includes('9.99'), 'with its amount', await text(li));
  });
  await axe('the dashboard');
  await shots('31-dashboard-desktop');
  await page.emulateMedia({ colorScheme: 'dark' });
  await axe('the dashboard, dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // ---- the quick add moves the numbers
  const qa = page.locator('form.dash-add');
  await qa.getByLabel('Amount').fill('5.00');
  await qa.getByLabel('Category').selectOption('food');
  await qa.getByRole('button', { name: 'Add expense' }).click();
  await step('quick add: total 55.00', () => waitText('.dash-amount .num', '55.00'));
  await step('quick add: the food bar 25.00, 100%', async () => {
    await waitText('.dash-bars li.budget[data-category="food"] .b-spent .num', '25.00');
    return ok(await text(catBar('food').locator('.b-pct')) === '100%', '100%', await text(catBar('food').locator('.b-pct')));
  });
  await step('quick add: the donut food slice 25.00', async () => {
    const s = await slices();
    return ok(s.food && s.food[0] === '25.00', 'food slice', JSON.stringify(s));
  });
  await step('quick add: today\'s point 55.00', async () => {
    const p = await points(0);
    return ok(p[p.length - 1][1] === '55.00', 'last point', JSON.stringify(p[p.length - 1]));
  });
  await step('quick add: the category is remembered after a reload', async () => {
    await page.reload();
    await page.locator('.dash-amount').waitFor();
    const v = await page.locator('form.dash-add').getByLabel('Category').inputValue();
    return ok(v === 'food', 'food', v);
  });

  // ---- charts.js on its own: geometry
  await step('charts.js: two equal values make two equal arcs; one value a whole ring; none, no slice', async () => {
    const r = await page.evaluate(async () => {
      const c = await import('./js/charts.js');
      const box = document.createElement('div');
      document.body.append(box);
      const two = c.donut([{ label: 'a', value: '10.00' }, { label: 'b', value: '10.00' }]);
      const one = c.donut([{ label: 'a', value: '3.00' }]);
      const none = c.donut([]);
      const neg = c.donut([{ label: 'a', value: '5.00' }, { label: 'r', value: '-2.00' }]);
      box.append(two, one, none, neg);
      const len = (f) => [...f.querySelectorAll('path.slice')].map((p) => p.getTotalLength());
      const out = { two: len(two), one: len(one), none: len(none).length, noneText: none.textContent,
        neg: len(neg).length, negLegend: neg.querySelectorAll('.legend li').length,
        colours: [...two.querySelectorAll('path.slice')].map((p) => p.getAttribute('fill')) };
      box.remove();
      return out;
    });
    const ring = 2 * Math.PI * (90 + 56);
    return ok(r.two.length === 2 && Math.abs(r.two[0] - r.two[1]) < 0.01 && r.one.length === 1
      && Math.abs(r.one[0] - (ring + 4 * 34)) < 1 && r.none === 0 && /Nothing/.test(r.noneText)
      && r.neg === 1 && r.negLegend === 2 && r.colours[0] !== r.colours[1], 'geometry', JSON.stringify(r));
  });
  await step('charts.js: line gridlines are round, a single point is drawn, zero sits on the zero line', async () => {
    const r = await page.evaluate(async () => {
      const c = await import('./js/charts.js');
      const box = document.createElement('div');
      document.body.append(box);
      const a = c.line({ labels: ['1', '2', '3'], series: [{ name: 's', values: ['0.00', '37.10', '123.45'] }] });
      const one = c.line({ labels: ['only'], series: [{ name: 's', values: ['7.00'] }] });
      const none = c.line({ labels: [], series: [] });
      const zeros = c.line({ labels: ['1', '2'], series: [{ name: 's', values: ['0.00', '0.00'] }] });
      box.append(a, one, none, zeros);
      const ticks = [...a.querySelectorAll('.grid text')].map((t) => Number(t.textContent));
      const zeroY = Number(a.querySelector('.grid line.zero').getAttribute('y1'));
      const pts = [...a.querySelectorAll('circle.point')];
      const out = {
        ticks, zeroY, p0: Number(pts[0].getAttribute('cy')),
        up: Number(pts[2].getAttribute('cy')) < Number(pts[1].getAttribute('cy')),
        titles: pts.map((p) => p.querySelector('title').textContent),
        one: [...one.querySelectorAll('circle.point')].map((p) => [p.getAttribute('cx'), p.getAttribute('cy'), p.dataset.value]),
        nan: box.innerHTML.includes('NaN'),
        none: none.querySelectorAll('circle').length + zeros.querySelectorAll('circle').length, noneText: none.textContent,
      };
      box.remove();
      return out;
    });
    const step = r.ticks[1] - r.ticks[0];
    const round = [1, 2, 2.5, 5].some((m) => Math.abs(step / 10 ** Math.floor(Math.log10(step)) - m) < 1e-9);
    return ok(r.ticks[0] === 0 && r.ticks[r.ticks.length - 1] >= 123.45 && round && r.ticks.length >= 3 && r.ticks.length <= 7
      && r.zeroY === r.p0 && r.up && r.titles[2] === 's, 3: 123.45'
      && r.one.length === 1 && r.one[0][2] === '7.00' && !r.nan && r.none === 0 && /Nothing/.test(r.noneText),
    'line', JSON.stringify(r));
  });

  // ---- the month page still works, and is linked
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Month' }).click();
  await step('#/month still shows the month', () => page.locator('#month-title').waitFor());
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
  await step('and back to the dashboard', () => waitText('.dash-amount .num', '55.00'));

  // ---- reports
  await api('POST', '/expenses', { amount: '500', currency: 'JPY', category: 'food', date: first, payee: 'Ramen' });
  const repCard = page.locator('.rep-summary');
  const repTotal = () => text(repCard.locator('.dash-amount .num'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
  await step('Reports opens on this month', async () => {
    await page.locator('#rep-title').waitFor();
    await waitText('.rep-summary .dash-amount .num', '55.00');
    return ok(await text(page.locator('#rep-title')) === monthName(M)
      && await page.evaluate(() => location.hash) === `#/reports?period=month&at=${M}`, 'title and hash',
    `${await text(page.locator('#rep-title'))} ${await page.evaluate(() => location.hash)}`);
  });
  await step('the period before: 60.00, -8.33%', async () => {
    const tr = page.locator('.rep-compare tr[data-what="previous"]');
    const t = await text(tr);
    return ok(/€60\.00/.test(t) && /-8\.33%/.test(t), 'compare row', t);
  });
  await step('unconverted amounts are listed, not counted: 500 JPY', async () => {
    const t = await text(page.locator('.rep-unconverted li[data-currency="JPY"]'));
    const face = await text(page.locator('.rep-face-list li[data-currency="JPY"]'));
    const eur = await text(page.locator('.rep-face-list li[data-currency="EUR"] .num'));
    return ok(/^¥500 \(1 expense\)$/.test(t) && /^¥500 \(1\)$/.test(face) && eur === '55.00', 'unconverted and face values', `${t} | ${face} | ${eur}`);
  });
  await step('the category table: food 25.00 (40.00 before, -37.50%), transport 30.00 (20.00, +50.00%)', async () => {
    const row = async (c) => (await page.locator(`.rep-cats tr[data-category="${c}"]`).innerText()).replace(/\s+/g, ' ').trim();
    const f = await row('food');
    const t = await row('transport');
    return ok(f === 'food 25.00 45.45% 40.00 -37.50%' && t === 'transport 30.00 54.55% 20.00 +50.00%', 'rows', `${f} | ${t}`);
  });
  await step('the report donut has the breakdown\'s numbers', async () => {
    const b = await api('GET', `/reports/breakdown?month=${M}`);
    const got = await page.evaluate(() => [...document.querySelectorAll('.rep-cats-card path.slice')].map((p) => `${p.dataset.label} ${p.dataset.value} ${p.dataset.share}`));
    const want = b.items.map((i) => `${i.label} ${i.amount} ${i.percent}`);
    return ok(got.join('|') === want.join('|') && want.join('|') === 'transport 30.00 54.55|food 25.00 45.45', 'slices', `${got.join('|')} vs ${want.join('|')}`);
  });
  await step('the report line: each day, against last month', async () => {
    const pts = await page.evaluate(() => [...document.querySelectorAll('.rep-trend-card g.series')].map((g) => [...g.querySelectorAll('circle.point')].map((c) => [c.dataset.label, c.dataset.value])));
    const at = (k, d) => (pts[k].find((x) => x[0] === String(d)) || [])[1];
    return ok(pts.length === 2 && at(0, 1) === (DAY === 1 ? '55.00' : '42.50') && at(1, 10) === '40.00' && at(1, 20) === '20.00' && at(1, 11) === '0.00',
      'points', JSON.stringify([at(0, 1), at(1, 10), at(1, 20), at(1, 11)]));
  });
  await axe('the Reports page');
  await shots('33-reports-month-desktop');
  await page.emulateMedia({ colorScheme: 'dark' });
  await axe('the Reports page, dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await step('CSV download of the same view', async () => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('.rep-summary a[data-format="csv"]').click()]);
    const body = readFileSync(await dl.path(), 'utf8');
    return ok(/Bakery/.test(body) && /Ramen/.test(body) && !/2026-\d\d-10.*Market/.test(body.split('\n').filter((l) => l.includes(`${P}-10`)).join('\n'))
      && dl.suggestedFilename().endsWith('.csv'), 'csv', `${dl.suggestedFilename()}\n${body.slice(0, 300)}`);
  });
  await step('PDF download of the same view', async () => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('.rep-summary a[data-format="pdf"]').click()]);
    const body = readFileSync(await dl.path());
    return ok(body.subarray(0, 5).toString() === '%PDF-' && dl.suggestedFilename().endsWith('.pdf'), 'pdf', dl.suggestedFilename());
  });
  await page.getByRole('link', { name: 'Previous month' }).click();
  await step('previous month: 60.00', () => waitText('.rep-summary .dash-amount .num', '60.00'));
  await page.locator('.segmented a[data-kind="year"]').click();
  await step('the year: its total and 12 months', async () => {
    await page.locator('#rep-title').filter({ hasText: P.slice(0, 4) }).waitFor();
    const y = await api('GET', `/reports/summary?year=${P.slice(0, 4)}`);
    await waitText('.rep-summary .dash-amount .num', y.total);
    const n2 = await page.locator('.rep-trend-card g.series').first().locator('circle.point').count();
    return ok(n2 === 12 && await text(page.locator('#rep-trend-title')) === 'Month by month', '12 points by month', n2);
  });
  await page.locator('.segmented a[data-kind="week"]').click();
  await step('a week', () => page.locator('#rep-title').filter({ hasText: /^Week \d+/ }).waitFor());
  await page.locator('.segmented a[data-kind="range"]').click();
  await page.locator('#rep-from').fill(`${P}-01`);
  await page.locator('#rep-to').fill(TODAY);
  await page.getByRole('button', { name: 'Show' }).click();
  await step('a custom range from last month\'s first to today: 115.00', () => waitText('.rep-summary .dash-amount .num', '115.00'));
  await shots('34-reports-range-desktop');

  // ---- phone width
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${BASE}/#/`);
  await step('the dashboard at 390 px', () => waitText('.dash-amount .num', '55.00'));
  await catBar('food').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  ok(overflow <= 0, 'no sideways scrolling at 390 px', `overflow ${overflow}px`);
  await api('POST', '/expenses', { amount: '1.25', category: 'transport', date: TODAY });
  await step('at 390 px the numbers move live: 56.25', () => waitText('.dash-amount .num', '56.25'));
  await step('at 390 px the donut follows: transport 31.25', async () => {
    await page.waitForFunction(() => {
      const p = document.querySelector('.dash-donut path.slice[data-label="transport"]');
      return p && p.dataset.value === '31.25';
    });
    return true;
  });
  await shots('32-dashboard-phone');
  await page.goto(`${BASE}/#/reports?period=month&at=${M}`);
  await step('Reports at 390 px', () => waitText('.rep-summary .dash-amount .num', '56.25'));
  const overflow2 = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  ok(overflow2 <= 0, 'Reports: no sideways scrolling at 390 px', `overflow ${overflow2}px`);
  await shots('35-reports-phone');
  await axe('the Reports page at 390 px');
  await page.goto(`${BASE}/#/`);
  await page.locator('.dash-amount').waitFor();
  await axe('the dashboard at 390 px');
  await page.emulateMedia({ colorScheme: 'dark' });
  await axe('the dashboard at 390 px, dark');
  await page.emulateMedia({ colorScheme: 'light' });
});
process.exit(t.fails ? 1 : 0);
