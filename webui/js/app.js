// Spend web UI: session start, routing between screens.
import { refresh, logout, forget, onAuthLost, maybeSignedIn } from './api.js';
import { h, toast } from './dom.js';
import { session, loadSession, clearSession } from './session.js';
import { loadFeatures } from './features.js';
import { renderSignIn } from './signin.js';
import { t, translateStatic, onLanguage } from './i18n.js';
import { start as startOutbox, stop as stopOutbox, offlineNotice } from './outbox.js';

const main = document.getElementById('main');
const topbar = document.getElementById('topbar');
// Each screen is loaded when it is first shown: the first load (the
// sign-in screen) stays small on a phone's connection.
const views = {
  dashboard: () => import('./dashboard.js').then((m) => m.renderDashboard),
  month: () => import('./month.js').then((m) => m.renderMonth),
  budgets: () => import('./budgets.js').then((m) => m.renderBudgets),
  recurring: () => import('./recurring.js').then((m) => m.renderRecurring),
  reports: () => import('./reports.js').then((m) => m.renderReports),
  categories: () => import('./categories.js').then((m) => m.renderCategories),
  account: () => import('./account.js').then((m) => m.renderAccount),
  import: () => import('./import.js').then((m) => m.renderImport),
  settings: () => import('./settings.js').then((m) => m.renderSettings),
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

let routing = 0;   // the latest route() wins when screens load slowly
const loaded = {};  // name -> its render function, once imported

async function route() {
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
  const seq = ++routing;
  // a screen seen before draws at once (a change of language redraws the
  // current one and expects it there when setLanguage returns)
  let render = loaded[p.name];
  if (!render) {
    try {
      render = await views[p.name]();
    } catch (e) {
      toast(t('app.pageLoadFailed'), 'warn');
      return;
    }
    loaded[p.name] = render;
    if (seq !== routing || !session.me) return;
  }
  leave();
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
  const view = render(main, p, { onSignedOut: signedOut }) || {};
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
      showSignIn(t('app.signedOutOtherTab'));
    }
  };
}

function signedOut(notice) {
  forget();
  if (tabs) tabs.postMessage('signed-out');
  showSignIn(notice);
}

onAuthLost(() => {
  if (session.me) signedOut(t('app.sessionEnded'));
});

document.getElementById('signout').addEventListener('click', async () => {
  try {
    await logout();
  } catch (e) {
    // the session is gone on this device either way
  }
  signedOut(t('app.signedOut'));
});

window.addEventListener('hashchange', route);

// The page's own text in the UI's language; a change of language draws
// the current screen again (or the sign-in form, kept as it is).
translateStatic(document);
onLanguage(() => {
  translateStatic(document);
  if (session.me && current) { leave(); route(); }
});
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
