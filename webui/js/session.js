// What the views share: the signed-in user, categories and currencies.
import { api } from './api.js';

export const session = {
  me: null,          // GET /api/v1/me
  categories: [],    // every category, archived ones too
  currencies: [],    // [{code, decimals, name}]
};

export async function loadSession() {
  const [me, cur] = await Promise.all([
    api('GET', '/me'),
    session.currencies.length ? null : api('GET', '/currencies'),
  ]);
  session.me = me && me.user ? me.user : me;
  if (cur) session.currencies = cur.items || [];
  await loadCategories();
}

export async function loadCategories() {
  const r = await api('GET', '/categories', { query: { archived: 'true' } });
  session.categories = (r && r.items) || [];
  return session.categories;
}

export function activeCategories() {
  return session.categories.filter((c) => !c.archived);
}

export function clearSession() {
  session.me = null;
  session.categories = [];
}

// Preferences that are not secrets: last category and currency used.
export function pref(name, value) {
  const k = `spend.${session.me ? session.me.name : ''}.${name}`;
  try {
    if (value === undefined) return localStorage.getItem(k);
    localStorage.setItem(k, value);
  } catch (e) { /* storage off: no preferences */ }
  return value;
}
