// Spend web UI: session start, routing between screens.
import { refresh, logout, forget, onAuthLost, maybeSignedIn } from './api.js';
import { h, toast } from './dom.js';
import { session, loadSession, clearSession } from './session.js';
import { loadFeatures } from './features.js';
import { renderSignIn } from './signin.js';
import { renderMonth } from './month.js';
import { renderCategories } from './categories.js';
import { renderAccount } from './account.js';
import { renderBudgets } from './budgets.js';
import { renderRecurring } from './recurring.js';
import { renderDashboard } from './dashboard.js';
import { renderReports } from './reports.js';
import { renderImport } from './import.js';
import { renderSettings } from './settings.js';
import { start as startOutbox, stop as stopOutbox, offlineNotice } from './outbox.js';

const main = document.getElementById('main');
const topbar = document.getElementById('topbar');
const views = {
  dashboard: renderDashboard,
  month: renderMonth,
  budgets: renderBudgets,
  recurring: renderRecurring,
  reports: renderReports,
  categories: renderCategories,
  account: renderAccount,
  import: renderImport,
  settings: renderSettings,
};
const monthly = new Set(['month', 'budgets']);   // views with a month in their path
let current = null;   // {name, view}

// "#/month/2026-11?search=x" -> {name:"month", month:"2026-11", query};
// "#/budgets/2026-11" likewise
function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, qs] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const name = views[parts[0]] ? parts[0] : 'dashboard';
  return { name, month: monthly.has(name) ? parts[1] : undefined, query: new URLSearchParams(qs || '') };
}

function leave() {
  if (current && current.view && current.view.destroy) current.view.destroy();
  current = null;
}

function route() {
  if (!session.me) return;
  const p = parseHash();
  for (const a of topbar.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === p.name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (current && current.name === p.name && current.view && current.view.update) {
    current.view.update(p);
    return;
  }
  leave();
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
  const view = views[p.name](main, p, { onSignedOut: signedOut }) || {};
  current = { name: p.name, view };
}

async function start() {
  try {
    await Promise.all([loadSession(), loadFeatures()]);
  } catch (e) {
    if (!session.me) {
      showSignIn(e.status === 401 ? null : e.message);
      return;
    }
  }
  document.getElementById('me-badge')?.remove();
  topbar.hidden = false;
  topbar.querySelector('nav').after(h('span#me-badge.muted', session.me.name));
  startOutbox(document.getElementById('outbox'));
  if (!location.hash || location.hash === '#/login') history.replaceState(null, '', '#/');
  route();
}

function showSignIn(notice) {
  leave();
  stopOutbox();
  clearSession();
  topbar.hidden = true;
  renderSignIn(main, { notice, onDone: start });
}

// Other tabs of this browser learn about a sign-out at once.
const tabs = typeof BroadcastChannel === 'function' ? new BroadcastChannel('spend') : null;
if (tabs) {
  tabs.onmessage = (ev) => {
    if (ev.data === 'signed-out' && session.me) {
      forget();
      showSignIn('You signed out in another tab.');
    }
  };
}

function signedOut(notice) {
  forget();
  if (tabs) tabs.postMessage('signed-out');
  showSignIn(notice);
}

onAuthLost(() => {
  if (session.me) signedOut('Your session has ended. Please sign in again.');
});

document.getElementById('signout').addEventListener('click', async () => {
  try {
    await logout();
  } catch (e) {
    // the session is gone on this device either way
  }
  signedOut('You are signed out.');
});

window.addEventListener('hashchange', route);
window.addEventListener('unhandledrejection', (ev) => {
  if (ev.reason && ev.reason.message) toast(ev.reason.message, 'warn');
});

// The app shell from a cache when spendd cannot be reached (sw.js); the
// API never goes through it. A browser without workers, or a page not in a
// secure context (plain http other than localhost), simply goes without.
if ('serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker.register('sw.js', { scope: './' }).catch(() => {});
}

(async () => {
  if (maybeSignedIn() && await refresh()) await start();
  else if (maybeSignedIn() && navigator.onLine === false) {
    // opened offline (from the service worker's cache): the session comes
    // back with the connection
    showSignIn(offlineNotice());
    window.addEventListener('online', async () => {
      if (!session.me && await refresh()) await start();
    }, { once: true });
  } else showSignIn(null);
})();
