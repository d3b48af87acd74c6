// Dates and amounts for display. Amounts are decimal strings from the
// server and stay strings: no arithmetic on them in the browser.
import { session } from './session.js';
import { date } from './i18n.js';

const pad = (n) => String(n).padStart(2, '0');

export function todayISO() {
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function thisMonth() { return todayISO().slice(0, 7); }

// The date a new expense of month m gets by default: today in this
// month, else today's day of the month in m, clamped to its last day.
export function defaultDate(m) {
  const today = todayISO();
  if (!m || today.slice(0, 7) === m) return today;
  const [y, mo] = m.split('-').map(Number);
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return `${m}-${pad(Math.min(Number(today.slice(8, 10)), last))}`;
}

export function validMonth(m) { return /^\d{4}-(0[1-9]|1[0-2])$/.test(m || ''); }

export function shiftMonth(m, delta) {
  let y = Number(m.slice(0, 4));
  let mo = Number(m.slice(5, 7)) - 1 + delta;
  y += Math.floor(mo / 12);
  mo = ((mo % 12) + 12) % 12;
  return `${String(y).padStart(4, '0')}-${pad(mo + 1)}`;
}

// in the UI's language (i18n.js)
export function monthLabel(m) { return date(`${m}-01`, 'month'); }
export function dayLabel(iso) { return date(iso, 'day'); }

export function decimalsOf(code) {
  const c = session.currencies.find((x) => x.code === code);
  return c ? c.decimals : 2;
}

// What a person typed into an amount field, tidied: spaces dropped and a
// decimal comma ("12,50") read as a point when it cannot be grouping.
export function tidyAmount(s, currency) {
  let v = String(s || '').replace(/[\s\u00a0\u202f]/g, '');
  const m = /^([+-]?\d*),(\d+)$/.exec(v);
  if (m && m[2].length <= decimalsOf(currency)) v = `${m[1]}.${m[2]}`;
  return v;
}

export function isRefund(amount) { return String(amount).startsWith('-'); }

// Tags typed as "work, trip lunch" -> ["work","trip","lunch"]
export function parseTags(s) {
  return String(s || '').split(/[\s,]+/).map((t) => t.replace(/^#/, ''))
    .filter(Boolean);
}
