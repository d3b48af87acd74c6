// Spend's service worker: the app shell (HTML, CSS, modules, icons) is
// kept in a versioned cache so the web UI opens without a connection.
// Online, the shell is fetched from spendd as usual (its ETags make that a
// 304) and the copy in the cache is refreshed; offline, the cache answers.
// The API (api/, rpc) is never touched: its requests go to the network
// as if there were no worker, and no answer of it is ever stored.
//
// Bump VERSION when SHELL changes (a file added, renamed or removed): the
// new worker fills a new cache and deletes the old ones when it activates.
// Every file of webui/ but this one must be listed, in folders too
// (tests/browser/offline.mjs checks): a file listed that spendd does not
// serve makes the install fail, and the old version stays.
const VERSION = 'spend-shell-3';
const SHELL = [
  './',
  'index.html',
  'app.css',
  'favicon.svg',
  'manifest.webmanifest',
  'icons/icon-192.png',
  'icons/icon-512.png',
  'js/account.js',
  'js/api.js',
  'js/app.js',
  'js/budgets.js',
  'js/categories.js',
  'js/charts.js',
  'js/dashboard.js',
  'js/devices.js',
  'js/dom.js',
  'js/events.js',
  'js/expenseform.js',
  'js/features.js',
  'js/format.js',
  'js/i18n.js',
  'js/import.js',
  'js/messages/de.js',
  'js/messages/en.js',
  'js/month.js',
  'js/outbox.js',
  'js/recurring.js',
  'js/reports.js',
  'js/session.js',
  'js/settings.js',
  'js/signin.js',
];

const root = new URL('./', self.location).pathname;

// the shell's own paths: nothing else is kept (not the API, not /metrics,
// not whatever else spendd may serve under the same root)
const shellPaths = new Set(SHELL.map((u) => new URL(u, self.location).pathname));

// requests the worker leaves alone: anything but the shell's files and a
// page load of the web UI itself
function passThrough(url, req) {
  if (url.origin !== self.location.origin) return true;
  if (req.mode === 'navigate') return url.pathname !== root && url.pathname !== `${root}index.html`;
  return !shellPaths.has(url.pathname);
}

self.addEventListener('install', (ev) => {
  ev.waitUntil((async () => {
    const cache = await caches.open(VERSION);
    // cache: 'reload': the files as spendd has them now, not the HTTP cache's
    await cache.addAll(SHELL.map((u) => new Request(u, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (ev) => {
  ev.waitUntil((async () => {
    for (const k of await caches.keys()) {
      if (k.startsWith('spend-shell-') && k !== VERSION) await caches.delete(k);
    }
    await self.clients.claim();
  })());
});

async function shell(req) {
  const cache = await caches.open(VERSION);
  try {
    const res = await fetch(req);
    if (res.ok && res.type === 'basic') await cache.put(req, res.clone());
    return res;
  } catch (e) {
    const hit = await cache.match(req, { ignoreSearch: req.mode === 'navigate' })
      || (req.mode === 'navigate' ? await cache.match('./') : undefined);
    if (hit) return hit;
    throw e;
  }
}

self.addEventListener('fetch', (ev) => {
  const req = ev.request;
  if (req.method !== 'GET' || passThrough(new URL(req.url), req)) return;
  ev.respondWith(shell(req));
});
