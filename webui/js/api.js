// Talking to spendd: fetch with the access token (kept in memory only),
// one refresh through the HttpOnly cookie on 401, errors as ApiError.
import { t } from './i18n.js';

const BASE = 'api/v1';
// Cookie-authenticated requests (refresh, logout) must carry this header;
// spendd refuses them without it (CSRF defence, daemon/auth.c).
export const CSRF_HEADER = 'X-Spend-CSRF';

let accessToken = null;
let refreshTimer = 0;
let refreshing = null;
let authLost = () => {};

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message || t('api.failed', { status }));
    this.status = status;
    this.code = code || 'error';
    this.field = field || null;
  }
}

export function onAuthLost(fn) { authLost = fn; }

// Whether this browser may hold a refresh cookie (see setToken).
export function maybeSignedIn() {
  try {
    return localStorage.getItem('spend.session') !== null;
  } catch (e) {
    return true;
  }
}

// A laptop that slept or a tab in the background missed the timer: when
// the page is seen again with a token that is expired or nearly so,
// renew it before the first request needs it.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && accessToken
      && Date.now() > expiresAt - 60000) {
    refresh().then((ok) => { if (!ok) authLost(); });
  }
});
export function signedIn() { return accessToken !== null; }

let expiresAt = 0;    // ms since the epoch, by this device's clock

function setToken(reply) {
  accessToken = reply && reply.access_token ? reply.access_token : null;
  clearTimeout(refreshTimer);
  const ttl = reply && Number(reply.expires_in);
  expiresAt = accessToken && ttl > 0 ? Date.now() + ttl * 1000 : 0;
  try {
    // not a secret: only whether to try the refresh cookie at start, so
    // a visitor who never signed in sends no request that must fail
    if (accessToken) localStorage.setItem('spend.session', '1');
    else if (reply === null) localStorage.removeItem('spend.session');
  } catch (e) { /* storage off: always try */ }
  if (accessToken && ttl > 90) {
    // renew a minute early so a request rarely meets an expired token
    refreshTimer = setTimeout(() => { refresh(); }, (ttl - 60) * 1000);
  }
}

// A random key for Idempotency-Key: crypto.randomUUID needs a secure
// context, getRandomValues works on plain http from a phone too.
export function newKey() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function url(path, query) {
  let u = `${BASE}${path}`;
  if (query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    }
    const s = q.toString();
    if (s) u += `?${s}`;
  }
  return u;
}

async function send(method, path, opts) {
  const headers = { Accept: 'application/json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  // harmless on Bearer requests; required wherever the cookie is used
  headers[CSRF_HEADER] = '1';
  if (accessToken && !opts.anonymous) {
    headers.Authorization = `Bearer ${accessToken}`;
  }
  if (opts.key) headers['Idempotency-Key'] = opts.key;
  Object.assign(headers, opts.headers || {});
  const init = {
    method,
    headers,
    credentials: 'same-origin',
    cache: 'no-store',
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  };
  let res;
  for (let attempt = 0; ; attempt += 1) {
    try {
      res = await fetch(url(path, opts.query), init);
      break;
    } catch (e) {
      // A write with an idempotency key is safe to send again: the server
      // replays the first answer if the first try did arrive.
      if ((method === 'GET' || opts.key) && attempt < 1) {
        await new Promise((r) => { setTimeout(r, 800); });
        continue;
      }
      throw new ApiError(0, 'network', t('api.unreachable'));
    }
  }
  if (opts.raw && res.ok) {
    const cd = res.headers.get('Content-Disposition') || '';
    const m = /filename="?([^";]+)"?/.exec(cd);
    return { blob: await res.blob(), name: m ? m[1] : null, type: res.headers.get('Content-Type') };
  }
  if (opts.stream && res.ok) return res;
  let data = null;
  const type = res.headers.get('Content-Type') || '';
  if (res.status !== 204 && type.includes('json')) {
    try { data = await res.json(); } catch (e) { data = null; }
  }
  if (!res.ok) {
    const e = (data && data.error) || {};
    let msg = e.message;
    if (!msg) {
      msg = res.status === 429 ? t('api.tooMany')
        : t('api.status', { status: `${res.status} ${res.statusText}`.trim() });
    }
    throw new ApiError(res.status, e.code, msg, e.field);
  }
  return data;
}

// Get a new access token with the refresh cookie. Concurrent callers share
// one request (the server rotates the cookie, a second use would be reuse).
export function refresh() {
  if (!refreshing) {
    const go = () => send('POST', '/auth/refresh', { cookie: true, anonymous: true });
    // Tabs share the cookie and each use rotates it: one tab at a time, so
    // that no tab sends a cookie another has just used (reuse ends the
    // session everywhere). Web Locks exist in secure contexts only.
    const locked = navigator.locks
      ? navigator.locks.request('spend-refresh', go) : go();
    refreshing = locked
      .then((r) => { setToken(r); return true; })
      // unreachable is not signed out: keep trying the cookie next time
      .catch((e) => { setToken(e && e.status === 0 ? undefined : null); return false; })
      .finally(() => { refreshing = null; });
  }
  return refreshing;
}

// The offline outbox (outbox.js) plugs in here: local(...) answers a
// request without the network (an expense that exists only on this device),
// failed(...) one the network could not carry (status 0): a reply, or
// undefined to let the error through; answered(...) sees every reply.
const offline = { local: () => undefined, failed: () => undefined, answered: (m, p, o, d) => d };
export function setOffline(hooks) { Object.assign(offline, hooks); }

// api('GET', '/expenses', {query, body, key, headers})
export async function api(method, path, opts = {}) {
  const here = offline.local(method, path, opts);
  if (here !== undefined) return here;
  let data;
  try {
    data = await authed(method, path, opts);
  } catch (e) {
    const alt = e.status === 0 ? offline.failed(method, path, opts, e) : undefined;
    if (alt !== undefined) return alt;
    throw e;
  }
  return offline.answered(method, path, opts, data);
}

async function authed(method, path, opts) {
  try {
    return await send(method, path, opts);
  } catch (e) {
    // a 401 that names a field other than the token is about that field
    // (a wrong password); an expired or refused access token says
    // "token" and is answered by one refresh and one retry
    if (e.status !== 401 || opts.cookie || (e.field && e.field !== 'token')) throw e;
    if (await refresh()) return send(method, path, opts);
    authLost();
    throw e;
  }
}

export async function login(username, password) {
  const r = await send('POST', '/auth/login',
    { body: { username, password }, cookie: true, anonymous: true });
  setToken(r);
  return r;
}

export async function register(username, password) {
  await send('POST', '/auth/register',
    { body: { username, password }, anonymous: true });
  return login(username, password);
}

async function endSession(path) {
  try {
    await send('POST', path, { cookie: true });
  } finally {
    setToken(null);
  }
}

export function logout() { return endSession('/auth/logout'); }

// Every session of this user ends, this one too.
export async function logoutAll() {
  await api('POST', '/auth/logout-all', {});
  setToken(null);
}

export function forget() { setToken(null); }

export function token() { return accessToken; }

// A reply that logs this device in again (password change) carries tokens.
export function adopt(reply) {
  if (reply && reply.access_token) setToken(reply);
}
