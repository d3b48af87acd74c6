// The UI's language: its messages (messages/en.js, messages/de.js), the
// locale they are shown in, and that locale's formats of amounts, numbers
// and dates.
//   t('nav.dashboard')                 the message in the current language
//   t('dash.count', { count: 3 })      {name} placeholders; a message that is
//                                      an object {one, other, ...} is chosen
//                                      by Intl.PluralRules on vars.count
//   amount('1234.50', 'EUR')           "1.234,50 €" / "€1,234.50"
//   setLanguage('de' | 'en' | '')      '' is automatic (navigator.language);
//                                      kept in localStorage, listeners told
// Amounts stay the server's decimal strings: Intl.NumberFormat formats the
// string itself (an exact decimal, never a float), with as many decimals as
// the string has.
import en from './messages/en.js';
import de from './messages/de.js';

export const LANGUAGES = { en, de };
const STORE = 'spend.language';

let lang = 'en';
let locale = 'en';
let plural = new Intl.PluralRules('en');
const listeners = new Set();
let cache = new Map();
let kept = '';   // the setting, when localStorage is not available

function stored() {
  try { return localStorage.getItem(STORE) || ''; } catch (e) { return kept; }
}

// The browser's preferred locale of language l, or l itself.
function localeFor(l) {
  const prefs = navigator.languages && navigator.languages.length
    ? navigator.languages : [navigator.language || 'en'];
  return prefs.find((p) => p.toLowerCase().split('-')[0] === l) || l;
}

function autoLanguage() {
  const prefs = navigator.languages && navigator.languages.length
    ? navigator.languages : [navigator.language || 'en'];
  for (const p of prefs) {
    const l = String(p).toLowerCase().split('-')[0];
    if (LANGUAGES[l]) return l;
  }
  return 'en';
}

function apply() {
  const choice = stored();
  lang = LANGUAGES[choice] ? choice : autoLanguage();
  try {
    locale = Intl.getCanonicalLocales(localeFor(lang))[0];
  } catch (e) {
    locale = lang;
  }
  plural = new Intl.PluralRules(locale);
  cache = new Map();
  document.documentElement.lang = lang;
}

// The setting: '' (automatic), 'en' or 'de'.
export function languageSetting() { return LANGUAGES[stored()] ? stored() : ''; }
export function language() { return lang; }
export function currentLocale() { return locale; }

export function setLanguage(choice) {
  kept = LANGUAGES[choice] ? choice : '';
  try {
    if (kept) localStorage.setItem(STORE, kept);
    else localStorage.removeItem(STORE);
  } catch (e) { /* private mode: this page only */ }
  const was = lang;
  apply();
  if (lang !== was) for (const fn of listeners) fn(lang);
}

// a choice made in another tab of this browser
window.addEventListener('storage', (ev) => {
  if (ev.key !== STORE && ev.key !== null) return;
  const was = lang;
  apply();
  if (lang !== was) for (const fn of listeners) fn(lang);
});

// fn(lang) after each change of language; returns the unsubscribe.
export function onLanguage(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function t(key, vars) {
  let m = LANGUAGES[lang][key];
  if (m === undefined) m = en[key];
  if (m === undefined) return key;
  if (typeof m === 'object') {
    const n = vars && vars.count !== undefined ? Number(vars.count) : 0;
    m = m[plural.select(n)] ?? m.other;
  }
  if (!vars) return m;
  return m.replace(/\{(\w+)\}/g, (all, name) => (vars[name] === undefined ? all : String(vars[name])));
}

// An ordinal number as the language writes it: 2 -> "2nd" / "2."
// ('fmt.ordinal', its forms chosen by the ordinal plural rules).
export function ordinal(n) {
  const m = LANGUAGES[lang]['fmt.ordinal'] || en['fmt.ordinal'];
  const rules = cached('ord', () => new Intl.PluralRules(locale, { type: 'ordinal' }));
  return (m[rules.select(Number(n))] ?? m.other).replace('{count}', String(n));
}

// ["a", "b", "c"] -> "a, b and c" / "a, b und c"
export function list(items) {
  return cached('list', () => new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' })).format(items);
}

// Fill [data-i18n] (text), [data-i18n-aria-label], [data-i18n-title] in root.
export function translateStatic(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
  }
}

function cached(key, make) {
  let f = cache.get(key);
  if (!f) { f = make(); cache.set(key, f); }
  return f;
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;
const fractionOf = (s) => { const m = DECIMAL.exec(s); return m && m[3] ? m[3].length : 0; };
// Intl takes up to 20 decimals everywhere; a longer string is shown as it came
const formattable = (s) => DECIMAL.test(s) && fractionOf(s) <= 20;

// A decimal string in the locale's digits and separators ("1234.5" ->
// "1.234,5"), its decimals as given; anything else as it came.
export function number(s) {
  const v = String(s ?? '');
  if (!formattable(v)) return v;
  const d = fractionOf(v);
  return cached(`n${d}`, () => new Intl.NumberFormat(locale,
    { minimumFractionDigits: d, maximumFractionDigits: d })).format(v);
}

// A percentage from the server's decimal string: "40.00" -> "40.00%" / "40,00 %"
export function percent(s) { return t('fmt.percent', { n: number(s) }); }

function currencyFormat(currency, d) {
  return cached(`c${currency}${d}`, () => new Intl.NumberFormat(locale, {
    style: 'currency', currency, currencyDisplay: 'narrowSymbol',
    minimumFractionDigits: d, maximumFractionDigits: d,
  }));
}

const validCurrency = (c) => /^[A-Za-z]{3}$/.test(c || '');

// An amount with its currency as the locale writes it: "1.234,50 €",
// "¥15,000"; the amount's decimals as the server gave them.
export function amount(s, currency) {
  const v = String(s ?? '');
  if (!formattable(v) || !validCurrency(currency)) return currency ? `${v} ${currency}` : v;
  return currencyFormat(currency, fractionOf(v)).format(v);
}

// The same as parts: [{type:'num'|'cur'|'lit', value}] in the locale's
// order, for markup that sets the number and the currency apart.
export function amountParts(s, currency) {
  const v = String(s ?? '');
  if (!formattable(v) || !validCurrency(currency)) {
    return [{ type: 'num', value: v }, { type: 'lit', value: ' ' }, { type: 'cur', value: currency || '' }];
  }
  const out = [];
  const parts = currencyFormat(currency, fractionOf(v)).formatToParts(v);
  parts.forEach((p, i) => {
    // a sign apart from the digits ("-€5.00") is not part of the number
    const apart = /Sign$/.test(p.type) && !(parts[i + 1] && parts[i + 1].type === 'integer')
      && !(parts[i - 1] && parts[i - 1].type === 'fraction');
    const type = p.type === 'currency' ? 'cur' : p.type === 'literal' || apart ? 'lit' : 'num';
    const last = out[out.length - 1];
    if (last && last.type === type) last.value += p.value;
    else out.push({ type, value: p.value });
  });
  return out;
}

// Dates: 'YYYY-MM-DD' or 'YYYY-MM' read as a calendar day (UTC, no shift).
function utc(iso) {
  const [y, m, d] = String(iso).split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d || 1));
}
const DATE_STYLES = {
  month: { month: 'long', year: 'numeric' },
  day: { weekday: 'short', day: 'numeric', month: 'short' },
  date: { dateStyle: 'medium' },
  short: { day: 'numeric', month: 'short' },
  shortDate: { day: 'numeric', month: 'short', year: 'numeric' },
  long: { day: 'numeric', month: 'long', year: 'numeric' },
  dayMonth: { day: 'numeric', month: 'long' },
  weekday: { weekday: 'long' },
  monthName: { month: 'long' },
  monthShort: { month: 'short' },
};
// date('2026-11-05', 'day'): one of DATE_STYLES
export function date(iso, style = 'date') {
  if (!/^\d{4}-\d{2}(-\d{2})?$/.test(String(iso || ''))) return String(iso ?? '');
  return cached(`d${style}`, () => new Intl.DateTimeFormat(locale,
    { ...DATE_STYLES[style], timeZone: 'UTC' })).format(utc(iso));
}

// A moment (what new Date() reads) in the browser's time zone.
export function dateTime(v) {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return '';
  return cached('dt', () => new Intl.DateTimeFormat(locale,
    { dateStyle: 'medium', timeStyle: 'short' })).format(d);
}

apply();
