// The offline outbox: an expense added, edited or deleted while spendd
// cannot be reached is kept in IndexedDB and sent later with sync.push
// (POST /api/v1/changes; docs/API.md, Sync). Meanwhile the month's list
// shows it as pending and the top bar counts what is waiting.
//
// Each mutation has its own id (mid): a batch sent again after a lost
// reply is applied once by spendd. A creation carries a client id, the
// expense's id on this device ("pending-<client id>") until it is sent.
import { api, setOffline, newKey } from './api.js';
import { h, toast } from './dom.js';
import { session } from './session.js';
import { announce } from './events.js';
import { todayISO } from './format.js';
import { t } from './i18n.js';

// What this module says to the user.

const DB = 'spend-outbox';
const STORE = 'mutations';
const PENDING = 'pending-';
const ADD_FIELDS = ['amount', 'currency', 'category', 'date', 'payee', 'note', 'tags'];

let db = null;         // IndexedDB, or null: the outbox lives in memory only
let items = [];        // {n, mid, user, op, client_id?, id?, version?, fields, base?}
let user = null;       // the signed-in user's id: only theirs is shown and sent
let pushing = false;
let retryTimer = 0;
let backoff = 2000;
const lists = new Map();   // the last reply of each month list, for offline
const conflicts = [];
let statusEl = null;

function openDb() {
  return new Promise((resolve) => {
    if (typeof indexedDB === 'undefined') { resolve(null); return; }
    const rq = indexedDB.open(DB, 1);
    rq.onupgradeneeded = () => {
      rq.result.createObjectStore(STORE, { keyPath: 'n', autoIncrement: true });
    };
    rq.onsuccess = () => resolve(rq.result);
    rq.onerror = () => resolve(null);
  });
}

function tx(mode, fn) {
  if (!db) return Promise.resolve();
  return new Promise((resolve) => {
    try {
      const t = db.transaction(STORE, mode);
      const r = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(r && r.result);
      t.onerror = () => resolve(undefined);
      t.onabort = () => resolve(undefined);
    } catch (e) {
      resolve(undefined);   // the database went away: memory only
    }
  });
}

let memoryN = 0;
async function save(item) {
  if (!db) { if (item.n === undefined) { memoryN += 1; item.n = memoryN; } return; }
  const n = await tx('readwrite', (s) => s.put(item));
  if (n !== undefined) item.n = n;
  tell();
}

// Other tabs of this browser share the outbox: a change here makes them
// read it again; sending is one tab at a time (Web Locks), each reading
// the stored outbox first, so no tab sends what another has just sent.
const tabs = typeof BroadcastChannel === 'function' ? new BroadcastChannel('spend-outbox') : null;
function tell() { if (tabs) tabs.postMessage('changed'); }

async function reread() {
  if (!db) return;
  const stored = await tx('readonly', (s) => s.getAll());
  if (!stored) return;
  // what is being written now has no number yet: it stays
  const have = new Set(stored.map((x) => x.mid));
  items = [...stored, ...items.filter((x) => x.n === undefined && !have.has(x.mid))];
}

function removeItem(item) {
  items = items.filter((x) => x !== item);
  return item.n === undefined ? Promise.resolve()
    : tx('readwrite', (s) => s.delete(item.n)).then(tell);
}

const mine = () => items.filter((x) => x.user === user);

function showCount() {
  if (!statusEl) return;
  const n = user === null ? 0 : mine().length;
  statusEl.textContent = n ? t('outbox.waiting', { count: n }) : '';
  statusEl.title = n ? t('outbox.waitingTitle') : '';
}

// ---- what the list shows

function pendingExpense(item) {
  const f = item.fields;
  return {
    id: `${PENDING}${item.client_id}`,
    client_id: item.client_id,
    amount: f.amount,
    currency: f.currency || (session.me && session.me.currency) || 'EUR',
    category: f.category,
    date: f.date || todayISO(),
    payee: f.payee || '',
    note: f.note || '',
    tags: f.tags || [],
    version: 0,
    pending: true,
  };
}

function known(id) {
  for (const r of lists.values()) {
    const e = r.items.find((x) => String(x.id) === String(id));
    if (e) return e;
  }
  return null;
}

function listKey(q) {
  return JSON.stringify([q.month, q.search || '', q.category || '', q.sort || '', q.order || '']);
}

function matches(e, q) {
  if (q.month && e.date.slice(0, 7) !== q.month) return false;
  if (q.category && e.category !== q.category) return false;
  if (q.search) {
    const s = q.search.toLowerCase();
    if (![e.payee, e.note, e.category, ...e.tags].some((x) => (x || '').toLowerCase().includes(s))) return false;
  }
  return true;
}

// the month list with what waits in the outbox laid over it
function overlay(reply, q) {
  const waiting = mine();
  if (!waiting.length || !reply || !Array.isArray(reply.items) || q.cursor) return reply;
  let list = reply.items.slice();
  let { count } = reply;
  const added = [];
  for (const m of waiting) {
    if (m.op === 'create') {
      if (m.deleted) continue;
      const e = pendingExpense(m);
      if (matches(e, q)) { added.push(e); count += 1; }
      continue;
    }
    const i = list.findIndex((e) => String(e.id) === String(m.id));
    if (i < 0) continue;
    if (m.op === 'delete') {
      list.splice(i, 1);
      count -= 1;
    } else list[i] = { ...list[i], ...m.fields, pending: true };
  }
  added.sort((a, b) => b.date.localeCompare(a.date));
  list = [...added, ...list];
  return { ...reply, items: list, count };
}

// ---- recording mutations

async function record(item) {
  item.mid = newKey();
  item.user = user;
  items.push(item);
  await save(item);
  showCount();
  schedule();
  return item;
}

function pendingItem(id) {
  const cid = String(id).slice(PENDING.length);
  return mine().find((x) => x.op === 'create' && x.client_id === cid && !x.deleted);
}

// an edit or deletion of an expense that exists only here
async function local(method, id, opts) {
  const item = pendingItem(id);
  if (!item) return undefined;
  if (method === 'GET') return pendingExpense(item);
  if (method === 'DELETE') {
    if (item.key) {
      // spendd may have it already (see onFailed): it is deleted there
      item.deleted = true;
      await save(item);
    } else await removeItem(item);
    showCount();
    return null;
  }
  const { version, ...fields } = opts.body || {};
  Object.assign(item.fields, fields);
  await save(item);
  return pendingExpense(item);
}

function expensePath(path) {
  const m = /^\/expenses(?:\/([^/?]+))?$/.exec(path);
  return m ? { id: m[1] } : null;
}

function onLocal(method, path, opts) {
  const p = expensePath(path);
  if (!p || !p.id || !String(p.id).startsWith(PENDING) || user === null
      || !pendingItem(p.id)) return undefined;
  return local(method, p.id, opts);
}

function onFailed(method, path, opts) {
  const p = expensePath(path);
  if (!p || user === null || opts.outbox) return undefined;
  if (method === 'GET' && !p.id) {
    const q = opts.query || {};
    const last = q.cursor ? null : lists.get(listKey(q));
    return last ? overlay(last, q) : undefined;
  }
  if (method === 'GET') {
    const e = known(p.id);
    return e || undefined;
  }
  if (method === 'POST' && !p.id) {
    const item = { op: 'create', client_id: newKey(), fields: { ...opts.body } };
    // Online, the request may have reached spendd and only its reply been
    // lost: it is sent again as it was, with its Idempotency-Key, and
    // spendd answers with what it did the first time (a mutation's mid
    // could not tell: spendd keeps the two apart). Offline it never left.
    if (opts.key && navigator.onLine !== false) {
      item.key = opts.key;
      item.sent = { ...opts.body };
    }
    return record(item).then(pendingExpense);
  }
  // a second edit of the same expense joins the first (sent as one, on
  // the version the first was based on), unless the first is being sent
  const earlier = pushing ? null
    : mine().find((x) => x.op === 'update' && String(x.id) === String(p.id));
  if (method === 'PATCH' && p.id) {
    const { version, ...fields } = opts.body || {};
    const base = known(p.id);
    const shown = () => ({
      payee: '', note: '', tags: [], ...(base || { id: p.id }), ...(earlier || {}).fields, ...fields, pending: true,
    });
    if (earlier) {
      Object.assign(earlier.fields, fields);
      return save(earlier).then(shown);
    }
    return record({ op: 'update', id: Number(p.id), version, fields, base }).then(shown);
  }
  if (method === 'DELETE' && p.id) {
    let version = Number(opts.query && opts.query.version);
    if (earlier) {
      version = earlier.version;
      removeItem(earlier);
    }
    return record({ op: 'delete', id: Number(p.id), version, fields: {}, base: known(p.id) })
      .then(() => null);
  }
  return undefined;
}

function onAnswered(method, path, opts, data) {
  if (user !== null && mine().length && !pushing) schedule(0);
  const p = expensePath(path);
  if (method !== 'GET' || !p || p.id || !data || opts.raw || opts.stream) return data;
  const q = opts.query || {};
  if (!q.cursor) lists.set(listKey(q), data);
  return overlay(data, q);
}

// ---- sending

function mutation(m) {
  const out = { mid: m.mid, op: m.op };
  if (m.client_id) out.client_id = m.client_id;
  if (m.id !== undefined) out.id = m.id;
  if (m.version !== undefined && !Number.isNaN(m.version)) out.version = m.version;
  if (m.op !== 'delete') out.fields = m.fields;
  return out;
}

function schedule(ms) {
  clearTimeout(retryTimer);
  if (user === null || !mine().length) return;
  retryTimer = setTimeout(flush, ms === undefined ? backoff : ms);
}

export function flush() {
  if (pushing || user === null || !mine().length) return undefined;
  pushing = true;
  clearTimeout(retryTimer);
  return navigator.locks ? navigator.locks.request('spend-outbox', push) : push();
}

// A "conflict" with what is already so: the first request (an edit or a
// deletion whose reply was lost) did get there. Nothing to ask.
function already(m, server) {
  if (m.op === 'delete') return !server;
  return !!server && Object.entries(m.fields)
    .every(([k, v]) => JSON.stringify(v) === JSON.stringify(server[k]));
}

const retryable = (e) => e.status === 0 || e.status === 401 || e.status === 408
  || e.status === 429 || e.status >= 500;

function later() {
  pushing = false;
  backoff = Math.min(backoff * 2, 60000);
  schedule();
}

// A creation whose POST may have reached spendd goes again as that POST;
// what was changed since on this device follows as a mutation of the
// expense spendd answered with. true: sent; false: dropped; null: later.
async function again(m) {
  let e;
  try {
    e = await api('POST', '/expenses', { body: m.sent, key: m.key, outbox: true });
  } catch (err) {
    if (retryable(err)) return null;
    await removeItem(m);
    toast(t('outbox.dropped', { message: err.message }), 'warn');
    return false;
  }
  const rest = {};
  for (const [k, v] of Object.entries(m.fields)) {
    if (JSON.stringify(v) !== JSON.stringify(m.sent[k])) rest[k] = v;
  }
  if (!m.deleted && !Object.keys(rest).length) {
    await removeItem(m);
    return true;
  }
  const next = { ...m, mid: newKey(), op: m.deleted ? 'delete' : 'update', id: e.id, version: e.version, fields: m.deleted ? {} : rest };
  for (const k of ['key', 'sent', 'client_id', 'deleted']) delete next[k];
  items = items.map((x) => (x === m ? next : x));
  await save(next);
  return true;
}

async function push() {
  await reread();
  let sent = false;
  for (const m of mine().filter((x) => x.key)) {
    const done = await again(m);
    if (done === null) {
      showCount();
      if (sent) announce('sync.push');
      later();
      return;
    }
    sent = sent || done;
  }
  const batch = mine().slice(0, 1000);
  if (!batch.length) {
    pushing = false;
    showCount();
    if (sent) announce('sync.push');
    return;
  }
  let r;
  try {
    r = await api('POST', '/changes', { body: { mutations: batch.map(mutation) } });
  } catch (e) {
    if (retryable(e)) later();
    else {
      pushing = false;
      // the batch as a whole was refused: keeping it would only fail again
      await Promise.all(batch.map(removeItem));
      toast(t('outbox.dropped', { message: e.message }), 'warn');
      showCount();
    }
    return;
  }
  pushing = false;
  backoff = 2000;
  let changed = sent;
  const gone = [];
  for (const res of (r && r.results) || []) {
    const m = batch.find((x) => x.mid === res.mid);
    if (!m) continue;
    gone.push(removeItem(m));
    if (res.status === 'applied' || res.status === 'merged') changed = true;
    else if (res.status === 'conflict' && already(m, res.server)) changed = true;
    else if (res.status === 'conflict') conflicts.push({ m, res });
    else if (res.status === 'error') {
      toast(t('outbox.dropped', { message: (res.error && res.error.message) || res.status }), 'warn');
    }
  }
  await Promise.all(gone);   // stored as sent before another tab may look
  showCount();
  if (changed) announce('sync.push');
  showConflict();
  if (r && r.complete === false) schedule();
  else if (mine().length) schedule(0);
}

// ---- conflicts: both sides, the user chooses

function show(v) {
  if (v === undefined || v === null) return '';
  return Array.isArray(v) ? v.join(', ') : String(v);
}

function showConflict() {
  if (!conflicts.length || document.querySelector('dialog.conflict')) return;
  const { m, res } = conflicts.shift();
  const server = res.server || null;
  const names = [...new Set([...(res.fields || []), ...Object.keys(m.fields || {})])];
  const rows = names.map((k) => h('tr',
    h('th', { scope: 'row' }, k),
    h('td', m.op === 'delete' ? t('outbox.deleted') : show(m.fields[k])),
    h('td', server ? show(server[k]) : t('outbox.deleted'))));
  const mineBtn = h('button.primary', { type: 'button' }, t('outbox.keepMine'));
  const theirsBtn = h('button.secondary', { type: 'button' }, t('outbox.keepTheirs'));
  const dlg = h('dialog.edit.conflict', { 'aria-labelledby': 'conflict-title' },
    h('h2#conflict-title', t('outbox.conflictTitle')),
    h('p', server ? t('outbox.conflictLead') : t('outbox.conflictGone')),
    h('table.conflict-sides',
      h('thead', h('tr', h('th', { scope: 'col' }, t('outbox.field')),
        h('th', { scope: 'col' }, t('outbox.mine')), h('th', { scope: 'col' }, t('outbox.theirs')))),
      h('tbody', rows)),
    h('div.actions', theirsBtn, mineBtn));
  document.body.append(dlg);
  const done = () => { dlg.close(); };
  dlg.addEventListener('close', () => { dlg.remove(); showConflict(); });
  theirsBtn.addEventListener('click', () => { done(); announce('sync.push'); });
  mineBtn.addEventListener('click', async () => {
    done();
    if (server) {
      // the same change again, based on the server's version
      await record({ op: m.op, id: server.id, version: server.version, fields: m.fields, base: server });
    } else if (m.op !== 'delete') {
      // deleted elsewhere: mine comes back as a new expense
      const f = {};
      for (const k of ADD_FIELDS) {
        const v = k in m.fields ? m.fields[k] : m.base && m.base[k];
        if (v !== undefined && v !== null && v !== '') f[k] = v;
      }
      await record({ op: 'create', client_id: newKey(), fields: f });
    }
    schedule(0);
  });
  dlg.showModal();
  mineBtn.focus();
}

// What the sign-in screen says when the page opened without a connection.
export function offlineNotice() { return t('outbox.offline'); }

// A small mark for a row that waits in the outbox (month.js), or null.
export function pendingBadge(e) {
  return e && e.pending ? h('span.pending-badge', t('outbox.pending')) : null;
}

// start(el): the signed-in user's outbox, counted in el; stop() on sign-out.
export async function start(el) {
  statusEl = el || statusEl;
  user = session.me ? (session.me.id ?? session.me.name) : null;
  if (!db) {
    db = await openDb();
    await reread();
  }
  showCount();
  schedule(0);
}

export function stop() {
  user = null;
  lists.clear();
  clearTimeout(retryTimer);
  showCount();
}

setOffline({ local: onLocal, failed: onFailed, answered: onAnswered });
if (tabs) {
  tabs.onmessage = async () => {
    await reread();
    showCount();
    announce('outbox');
  };
}
window.addEventListener('online', () => { backoff = 2000; schedule(0); });
