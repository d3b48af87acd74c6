// The installable, offline web UI in headless Chromium: the manifest is
// served as application/manifest+json, is valid JSON and its icons load
// (PNG sizes as declared); sw.js lists every module; the service worker
// activates, controls the page and holds the app shell, which then opens
// with the network cut (the sign-in screen, saying so) and signs in by
// itself when the network returns; two expenses added offline show as pending with
// "2 changes waiting", and when the network returns they are sent with
// sync.push: a first reply lost on the way makes the page send the same
// batch again, which spendd answers as replayed, and the server (asked as
// another device) has each expense exactly once; the notice goes, in a
// second tab too (desktop and 390 px, axe-core). An edit
// made offline that meets another device's edit of the same field is a
// conflict shown with both sides; "Keep mine" wins on the server. A
// deletion offline hides the row at once and reaches the server later. An
// add whose reply is lost while online is sent again with its
// Idempotency-Key and is on the server once; an edit whose reply is lost
// is sent again without asking about a conflict with itself. A sw.js with
// the next VERSION takes over and its cache replaces the old one.
// Prints "ok - ..." / "not ok - ..." lines; exits 1 if any failed.
// Usage: node tests/browser/offline.mjs BASE_URL SHOT_DIR [SERVED_WEBUI]
// (SERVED_WEBUI: the copy of webui/ spendd serves, where the test writes
// the next sw.js; without it that step is skipped)
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { browser, iso } from './harness.mjs';

const BASE = (process.argv[2] || 'http://127.0.0.1:8080').replace(/\/$/, '');
const SHOTS = process.argv[3] || tmpdir();
const WEBUI = new URL('../../webui/', import.meta.url).pathname;
const SERVED = process.argv[4] ? `${process.argv[4].replace(/\/$/, '')}/` : null;
const USER = 'away';
const PASS = 'correct horse battery';
const M = iso(new Date()).slice(0, 7);

const t = await browser({ base: BASE, shots: SHOTS, strict: true });
const { page, ok, step, shots, axe } = t;
const ctx = t.ctx;

const qa = () => page.locator('form.quick-add');
const rows = () => page.locator('table.expenses tbody tr');
const rowWith = (text) => rows().filter({ hasText: text });
// page.waitForFunction does not wait for an async predicate's promise:
// poll one in the page until it is true (or 30 s have gone: false)
async function until(fn, arg) {
  for (let i = 0; i < 300; i += 1) {
    if (await page.evaluate(fn, arg)) return true;
    await page.waitForTimeout(100);
  }
  return false;
}
// a sync.push answered after the first n (30 s at most)
async function pushed(n) {
  for (let i = 0; i < 300 && pushes.length <= n; i += 1) await page.waitForTimeout(100);
  return pushes.length > n;
}
const outboxText = () => page.evaluate(() => document.getElementById('outbox').textContent.trim());

async function add(amount, note) {
  const f = qa();
  const before = await rows().count();
  await f.getByLabel('Amount').fill(amount);
  await f.getByLabel('Category').selectOption('food');
  await f.getByLabel('Note').fill(note);
  await f.getByRole('button', { name: 'Add expense' }).click();
  await page.waitForFunction((b) => document.querySelectorAll('table.expenses tbody tr').length > b
    && !document.querySelector('form.quick-add[aria-busy]'), before);
}

// An edit of the amount, in the edit dialog or in the row itself (inline
// edit); a deletion, with the row's Delete button (and Undo) or the edit
// dialog's (confirmed). The month screen has had both shapes.
async function editAmount(text, amount) {
  await rowWith(text).getByRole('button', { name: /^Edit / }).click();
  const f = page.locator('dialog.edit[open], table.expenses tr.editing').first();
  await f.waitFor();
  await f.getByLabel('Amount').fill(amount);
  await f.getByRole('button', { name: 'Save' }).click();
}
async function remove(text) {
  const direct = rowWith(text).getByRole('button', { name: /^Delete / });
  if (await direct.count()) {
    await direct.click();
    return;
  }
  await rowWith(text).getByRole('button', { name: /^Edit / }).click();
  const d = page.locator('dialog.edit[open]');
  await d.getByRole('button', { name: 'Delete' }).click();
  await d.getByRole('button', { name: 'Really delete?' }).click();
}

// Requests that fail while the browser is offline on purpose are the
// point of the test, not problems: what the harness collected in that
// window is kept only if it is something else.
const OFFLINE_FAIL = /ERR_INTERNET_DISCONNECTED|ERR_NETWORK_CHANGED|net::ERR_FAILED|Failed to load resource/;
async function offline(fn) {
  const from = t.problems.length;
  await ctx.setOffline(true);
  try {
    await fn();
  } finally {
    await ctx.setOffline(false);
    const seen = t.problems.splice(from);
    t.problems.push(...seen.filter((p) => !OFFLINE_FAIL.test(p)));
  }
}
// Chromium may report a request that failed in that window only after
// the window closed (make check's 046 failed so once, with its pauses for
// screenshots gone): ERR_INTERNET_DISCONNECTED is the offline mode's own
// error, never anything else's, so it is not a problem wherever it lands.
const OFFLINE_ONLY = /ERR_INTERNET_DISCONNECTED/;

// ---- the manifest and the service worker's file, outside the browser
{
  const r = await fetch(`${BASE}/manifest.webmanifest`);
  ok(r.status === 200, 'manifest served', r.status);
  ok((r.headers.get('content-type') || '').startsWith('application/manifest+json'),
    'manifest served as application/manifest+json', r.headers.get('content-type'));
  let man = null;
  try { man = JSON.parse(await r.text()); } catch (e) { ok(false, 'manifest is JSON', e.message); }
  ok(man && man.name === 'Spend' && man.short_name && man.display === 'standalone'
    && man.start_url && man.theme_color && man.background_color,
  'manifest has name, short_name, start_url, display standalone and colours', JSON.stringify(man));
  const css = readFileSync(`${WEBUI}app.css`, 'utf8');
  ok(man && css.includes(`--accent: ${man.theme_color};`) && css.includes(`--bg: ${man.background_color};`),
    'manifest colours are app.css\'s accent and background', man && `${man.theme_color} ${man.background_color}`);
  const icons = (man && man.icons) || [];
  for (const size of ['192x192', '512x512']) {
    const icon = icons.find((i) => i.sizes === size && i.type === 'image/png');
    if (!ok(icon, `a ${size} PNG icon`)) continue;
    const res = await fetch(new URL(icon.src, `${BASE}/manifest.webmanifest`));
    const b = Buffer.from(await res.arrayBuffer());
    const png = b.subarray(1, 4).toString() === 'PNG';
    const dim = png ? `${b.readUInt32BE(16)}x${b.readUInt32BE(20)}` : 'not a PNG';
    ok(res.status === 200 && res.headers.get('content-type') === 'image/png' && dim === size,
      `${icon.src} loads: a PNG of ${size}`, `${res.status} ${res.headers.get('content-type')} ${dim}`);
  }
  const svg = icons.find((i) => i.type === 'image/svg+xml');
  const sr = svg ? await fetch(new URL(svg.src, `${BASE}/manifest.webmanifest`)) : null;
  ok(sr && sr.status === 200 && sr.headers.get('content-type') === 'image/svg+xml',
    'the SVG icon loads as image/svg+xml', sr && sr.status);

  const sw = await fetch(`${BASE}/sw.js`);
  const swText = await sw.text();
  ok(sw.status === 200 && /javascript/.test(sw.headers.get('content-type') || '')
    && /no-cache/.test(sw.headers.get('cache-control') || ''),
  'sw.js served as JavaScript with Cache-Control: no-cache', `${sw.status} ${sw.headers.get('content-type')} ${sw.headers.get('cache-control')}`);
  const shell = [...swText.matchAll(/^ {2}'([^']+)',$/gm)].map((m) => m[1]);
  // every file of webui/, in folders too (js/messages/...), but sw.js
  const files = readdirSync(WEBUI, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => `${d.path.slice(WEBUI.length)}/${d.name}`.replace(/^\//, ''))
    .filter((f) => f !== 'sw.js' && !f.split('/').some((p) => p.startsWith('.')));
  const missing = files.filter((f) => !shell.includes(f));
  ok(shell.length > 0 && missing.length === 0, `sw.js precaches every file of webui/ (${files.length})`, missing.join(' '));
  const bad = [];
  for (const f of shell) {
    const res = await fetch(`${BASE}/${f === './' ? '' : f}`);
    if (res.status !== 200) bad.push(`${f} ${res.status}`);
  }
  ok(bad.length === 0, 'every file sw.js precaches is served', bad.join(', '));
}

// what each sync.push answered the pages (a reply lost on the way is not seen)
let firstPush = null;
const pushes = [];
ctx.on('response', async (res) => {
  if (res.url().endsWith('/api/v1/changes') && res.request().method() === 'POST') {
    try { pushes.push(await res.json()); } catch (e) { /* aborted */ }
  }
});

await t.run(async () => {
  // ---- register; the service worker takes the page
  await page.goto(`${BASE}/#/month`);
  await page.getByRole('button', { name: /Create an account/ }).click();
  await page.getByLabel('User name').fill(USER);
  await page.getByLabel('Password').fill(PASS);
  await page.getByRole('button', { name: 'Create account' }).click();
  await step('registered: the month view is shown', () => page.locator('#month-title').waitFor());
  const other = await t.device(USER, PASS, 'other laptop');
  const api = other.api;

  await step('the index links the manifest', async () =>
    (await page.locator('link[rel="manifest"]').getAttribute('href')) === 'manifest.webmanifest');
  await step('the service worker activates and controls the page', async () => {
    if (!await until(async () => {
      const r = await navigator.serviceWorker.ready;
      return r.active && r.active.state === 'activated' && navigator.serviceWorker.controller !== null;
    })) return 'no active worker controls the page';
    return page.evaluate(() => new URL(navigator.serviceWorker.controller.scriptURL).pathname === '/sw.js');
  });
  await step('the app shell is in a versioned cache; no API answer is, nor anything else', async () => {
    // a file spendd serves that is not the shell's (put there for a moment)
    if (SERVED) writeFileSync(`${SERVED}not-shell.txt`, 'not the app');
    const r = await page.evaluate(async () => {
      // spendd's other answers under the same root pass the worker by
      await fetch('metrics').catch(() => {});
      await fetch('not-shell.txt').catch(() => {});
      await fetch('api/v1/version').catch(() => {});
      const keys = (await caches.keys()).filter((k) => k.startsWith('spend-shell-'));
      const urls = [];
      for (const k of keys) urls.push(...(await (await caches.open(k)).keys()).map((q) => new URL(q.url).pathname));
      return { keys, urls };
    });
    const need = ['/', '/index.html', '/app.css', '/js/app.js', '/js/month.js', '/js/outbox.js', '/icons/icon-192.png'];
    const lacking = need.filter((u) => !r.urls.includes(u));
    if (SERVED) rmSync(`${SERVED}not-shell.txt`, { force: true });
    const apis = r.urls.filter((u) => u.startsWith('/api/') || u === '/rpc' || u === '/metrics' || u === '/not-shell.txt');
    return (r.keys.length === 1 && lacking.length === 0 && apis.length === 0)
      || JSON.stringify({ keys: r.keys, lacking, apis });
  });

  // ---- the network cut: the app shell still opens
  await offline(async () => {
    await step('offline, a reload opens the web UI from the cache: the sign-in screen', async () => {
      const res = await page.reload();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      return (res && res.fromServiceWorker()) || 'the page did not come from the service worker';
    });
    await step('the sign-in screen says the page is offline', async () => {
      const s = await page.locator('form.auth p.notice').innerText();
      return /offline/.test(s) || s;
    });
    await axe('the sign-in screen offline');
    await step('the modules came from the service worker too', async () => {
      const n = await page.evaluate(() => performance.getEntriesByType('resource')
        .filter((e) => e.name.includes('/js/') && e.workerStart > 0).length);
      return n > 5 || `${n} modules through the worker`;
    });
  });
  await step('online again: signed in by itself, the month view', () => page.locator('#month-title').waitFor());
  await page.locator('table.expenses:visible, p.empty:visible').first().waitFor();

  // ---- two expenses added offline, with a second tab open
  const tab2 = await ctx.newPage();
  await tab2.goto(`${BASE}/#/month`);
  await step('a second tab opens signed in', () => tab2.locator('#month-title').waitFor());
  await offline(async () => {
    await add('4.50', 'offline one');
    await add('7.25', 'offline two');
    await step('both are in the list, marked as waiting to sync', async () => {
      const n = await rows().filter({ has: page.locator('.pending-badge') }).count();
      return n === 2 || `${n} pending rows`;
    });
    await step('the top bar says "2 changes waiting"', async () => {
      const s = await outboxText();
      const live = await page.locator('#outbox').getAttribute('aria-live');
      return (s === '2 changes waiting' && live === 'polite') || `"${s}" aria-live=${live}`;
    });
    await step('the second tab counts them too', () => tab2.waitForFunction(
      () => document.getElementById('outbox').textContent.trim() === '2 changes waiting'));
    const server = await api('GET', `/expenses?month=${M}&search=offline`);
    ok(server.count === 0, 'the server has none of them yet', JSON.stringify(server.count));
    await shots('01-offline-pending');
    await axe('the month view with changes waiting');
    await page.setViewportSize({ width: 390, height: 844 });
    await shots('01-offline-pending-phone');
    await axe('the month view with changes waiting at 390 px');
    await page.setViewportSize({ width: 1280, height: 860 });
    // rows waiting to sync can be selected like the others (their ids are
    // text: a redraw of the selection once compared them as numbers)
    await rowWith('offline one').locator('input.sel').click();
    await rowWith('offline two').locator('input.sel').click();
    await step('both pending rows selected: ticked and marked', () => page.waitForFunction(() => {
      const trs = [...document.querySelectorAll('tbody tr')].filter((tr) => tr.querySelector('.pending-badge'));
      return trs.length === 2 && trs.every((tr) => tr.classList.contains('selected') && tr.querySelector('input.sel').checked);
    }));
    await rowWith('offline one').locator('input.sel').click();
    await rowWith('offline two').locator('input.sel').click();
    await step('and unselected again', () => page.waitForFunction(() =>
      !document.querySelector('tbody tr.selected') && ![...document.querySelectorAll('tbody input.sel')].some((b) => b.checked)));
    // the first push's reply is lost on the way back: spendd applies the
    // batch, the page does not learn it and keeps its outbox
    await ctx.route('**/api/v1/changes', async (route) => {
      const res = await route.fetch();
      firstPush = await res.json();
      await route.abort('aborted');
    }, { times: 1 });
  });

  await step('online: the outbox is sent, the notice goes', async () => {
    await page.waitForFunction(() => document.getElementById('outbox').textContent.trim() === ''
      && !document.querySelector('.pending-badge'), null, { timeout: 30000 });
  });
  await step('the second tab has nothing waiting either', () => tab2.waitForFunction(
    () => document.getElementById('outbox').textContent.trim() === '', null, { timeout: 30000 }));
  await tab2.close();
  ok(firstPush && firstPush.applied === 2 && firstPush.results.every((r) => r.status === 'applied' && !r.replayed),
    'the first push applied both (its reply was then lost)', JSON.stringify(firstPush));
  // (a reply reaches this list when its body has been read, which may be
  // after the page has handled it: wait for it)
  await pushed(0);
  ok(pushes.length >= 1 && pushes[pushes.length - 1].replayed === 2
    && pushes[pushes.length - 1].results.every((r) => r.replayed === true),
  'the same batch was sent again (by either tab): spendd answered it as replayed', JSON.stringify(pushes));
  await step('the list shows both from the server', async () => {
    await rowWith('offline one').waitFor();
    await rowWith('offline two').waitFor();
    const ids = await rows().evaluateAll((trs) => trs.map((tr) => tr.dataset.id));
    return ids.every((id) => /^\d+$/.test(id)) || ids.join(' ');
  });
  {
    const r = await api('GET', `/expenses?month=${M}&search=offline`);
    const notes = (r.items || []).map((e) => `${e.note} ${e.amount}`).sort();
    ok(r.count === 2 && notes.join(',') === 'offline one 4.50,offline two 7.25',
      'the server has each expense exactly once', JSON.stringify(notes));
  }

  // ---- an offline edit that meets another device's edit: a conflict
  const one = (await api('GET', `/expenses?month=${M}&search=offline one`)).items[0];
  await offline(async () => {
    await editAmount('offline one', '5.00');
    await step('the offline edit is kept: the row is pending, "1 change waiting"', async () => {
      await page.waitForFunction(() => document.getElementById('outbox').textContent.trim() === '1 change waiting');
      // the list is drawn again once its request has failed (offline)
      await rowWith('offline one').locator('.pending-badge').waitFor();
    });
    const r = await other.call('PATCH', `/expenses/${one.id}`, { amount: '6.00', version: one.version });
    ok(r.status === 200, 'meanwhile another device changes the amount', JSON.stringify(r.body));
  });
  await step('online: the conflict is shown with both sides', async () => {
    const d = page.locator('dialog.conflict[open]');
    await d.waitFor({ timeout: 30000 });
    const txt = await d.locator('tbody').innerText();
    return (/amount\s+5\.00\s+6\.00/.test(txt)) || txt;
  });
  await shots('02-conflict');
  await axe('the conflict dialog');
  const beforeMine = pushes.length;
  await page.locator('dialog.conflict').getByRole('button', { name: 'Keep mine' }).click();
  await step('keep mine: the server has my amount, nothing waits', async () => {
    if (!await pushed(beforeMine)) return 'keep mine was not sent';
    await page.waitForFunction(() => document.getElementById('outbox').textContent.trim() === ''
      && !document.querySelector('.pending-badge'), null, { timeout: 30000 });
    const e = await api('GET', `/expenses/${one.id}`);
    return e.amount === '5.00' || e.amount;
  });

  // ---- a deletion offline: the row goes at once, the server's when sent
  await offline(async () => {
    await remove('offline two');
    await step('deleted offline: the row is gone, "1 change waiting"', async () => {
      await page.waitForFunction(() => document.getElementById('outbox').textContent.trim() === '1 change waiting');
      await rowWith('offline two').waitFor({ state: 'detached' });
    });
    const r = await api('GET', `/expenses?month=${M}&search=offline two`);
    ok(r.count === 1, 'the server still has it while offline', JSON.stringify(r.count));
  });
  await step('online: the deletion is sent, nothing waits', async () => {
    await page.waitForFunction(() => document.getElementById('outbox').textContent.trim() === '',
      null, { timeout: 30000 });
    const r = await api('GET', `/expenses?month=${M}&search=offline`);
    return (r.count === 1 && r.items[0].note === 'offline one') || JSON.stringify(r.items);
  });

  // ---- online, an add whose request reaches spendd but whose reply is
  // lost (twice: api.js tries again once): kept, then sent again as the
  // same POST with the same Idempotency-Key, so spendd has it once
  await ctx.route('**/api/v1/expenses', async (route) => {
    if (route.request().method() !== 'POST') { await route.continue(); return; }
    await route.fetch();
    await route.abort('aborted');
  }, { times: 2 });
  await add('3.10', 'lost reply');
  await step('an add whose reply was lost: sent again, spendd has it once, nothing waits', async () => {
    await page.waitForFunction(() => document.getElementById('outbox').textContent.trim() === ''
      && !document.querySelector('.pending-badge'), null, { timeout: 30000 });
    await rowWith('lost reply').waitFor();
    const r = await api('GET', `/expenses?month=${M}&search=lost reply`);
    return r.count === 1 || `${r.count} on the server`;
  });

  // ---- an edit whose reply is lost: sent again on its old version, spendd
  // calls it a conflict with itself, which needs no question
  // (the first PATCH only: a GET of the same expense passes and does not
  // count, as it would against { times: 1 })
  let patched = 0;
  await ctx.route(`**/api/v1/expenses/${one.id}`, async (route) => {
    if (route.request().method() !== 'PATCH' || patched++ > 0) { await route.continue(); return; }
    await route.fetch();
    await route.abort('aborted');
  });
  const before = pushes.length;
  await editAmount('offline one', '5.50');
  await step('an edit whose reply was lost: sent again, no conflict asked, spendd has it', async () => {
    // (make check failed here once, under load: which half did not happen)
    if (!await pushed(before)) {
      const left = await outboxText();
      return patched ? `the edit was not sent again (outbox: "${left}")`
        : `the edit was never sent: no PATCH (outbox: "${left}")`;
    }
    await page.waitForFunction(() => document.getElementById('outbox').textContent.trim() === ''
      && !document.querySelector('.pending-badge'), null, { timeout: 30000 });
    const open = await page.locator('dialog.conflict').count();
    const e = await api('GET', `/expenses/${one.id}`);
    return (open === 0 && e.amount === '5.50') || `${open} conflict dialogs, amount ${e.amount}`;
  });

  // ---- a new sw.js (VERSION one up): installed, it takes over and its
  // cache replaces the old one
  const swNow = readFileSync(`${WEBUI}sw.js`, 'utf8');
  const m = /const VERSION = 'spend-shell-(\d+)';/.exec(swNow);
  if (ok(m, 'sw.js has a numbered VERSION') && SERVED) {
    const [oldCache, newCache] = [`spend-shell-${m[1]}`, `spend-shell-${Number(m[1]) + 1}`];
    writeFileSync(`${SERVED}sw.js`, swNow.replace(m[0], `const VERSION = '${newCache}';`));
    await step(`the next version's worker activates: ${newCache} replaces ${oldCache}`, async () => {
      await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
      const swapped = await until(async (want) => {
        const keys = (await caches.keys()).filter((k) => k.startsWith('spend-shell-'));
        return keys.length === 1 && keys[0] === want;
      }, newCache);
      const seen = await page.evaluate(async () => {
        const out = {};
        for (const k of await caches.keys()) out[k] = (await (await caches.open(k)).keys()).length;
        return out;
      });
      return (swapped && seen[newCache] > 20) || JSON.stringify(seen);
    });
  }
  t.problems = t.problems.filter((p) => !OFFLINE_ONLY.test(p));
});

process.exit(t.fails ? 1 : 0);
