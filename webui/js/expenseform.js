// The fields of an expense, shared by the quick-add form and the edit dialog.
import { h, field } from './dom.js';
import { session, activeCategories, pref } from './session.js';
import { todayISO, decimalsOf, tidyAmount, parseTags } from './format.js';
import { t, number } from './i18n.js';

// the amount field's placeholder: zero with the currency's decimals, as
// the language writes it ("0.00" / "0,00")
const zero = (d) => number(d ? `0.${'0'.repeat(d)}` : '0');

function currencySelect(selected) {
  const mine = session.me ? session.me.currency : 'EUR';
  const recent = (pref('recentCurrencies') || '').split(',').filter(Boolean);
  const top = [...new Set([selected, mine, ...recent].filter(Boolean))];
  const sel = h('select', { name: 'currency' });
  const known = new Set(session.currencies.map((c) => c.code));
  for (const code of top) {
    const c = session.currencies.find((x) => x.code === code);
    sel.append(h('option', { value: code, title: c ? c.name : null }, code));
  }
  if (session.currencies.length > top.length) {
    const all = h('optgroup', { label: t('form.allCurrencies') });
    for (const c of session.currencies) {
      if (!top.includes(c.code)) {
        all.append(h('option', { value: c.code, title: c.name }, `${c.code} · ${c.name}`));
      }
    }
    sel.append(all);
  }
  if (selected && !known.has(selected) && !top.includes(selected)) {
    sel.append(h('option', { value: selected }, selected));
  }
  sel.value = selected || mine;
  return sel;
}

export function rememberCurrency(code) {
  const recent = (pref('recentCurrencies') || '').split(',').filter(Boolean);
  pref('recentCurrencies', [code, ...recent.filter((c) => c !== code)].slice(0, 4).join(','));
}

export function categorySelect(name, selected, opts = {}) {
  const sel = h('select', { name });
  if (opts.any) sel.append(h('option', { value: '' }, opts.any));
  const list = opts.all ? session.categories : activeCategories();
  const names = list.map((c) => c.name);
  for (const c of [...list].sort((a, b) => a.name.localeCompare(b.name))) {
    sel.append(h('option', { value: c.name },
      c.archived ? t('form.archived', { name: c.name }) : c.name));
  }
  if (selected && !names.includes(selected)) {
    sel.append(h('option', { value: selected }, selected));
  }
  if (selected !== undefined) sel.value = selected;
  return sel;
}

// the category used last, while it is still offered
function lastCategory() {
  const last = pref('category');
  return activeCategories().some((c) => c.name === last) ? last : undefined;
}

// fields(expense?) -> {els: {amount, currency, ...}, nodes: [field divs]}
export function expenseFields(e, idPrefix) {
  const cur = e ? e.currency : (pref('currency') || (session.me && session.me.currency) || 'EUR');
  const els = {
    amount: h('input', {
      name: 'amount', inputmode: 'decimal', autocomplete: 'off', required: true,
      enterkeyhint: 'done', placeholder: zero(decimalsOf(cur)),
      value: e ? e.amount : '', id: `${idPrefix}-amount`, class: 'amount-input',
    }),
    currency: currencySelect(cur),
    category: categorySelect('category', e ? e.category : lastCategory()),
    date: h('input', { name: 'date', type: 'date', required: true,
      value: e ? e.date : todayISO(), id: `${idPrefix}-date` }),
    payee: h('input', { name: 'payee', autocomplete: 'off', maxlength: 200,
      value: e ? e.payee : '', id: `${idPrefix}-payee` }),
    note: h('input', { name: 'note', autocomplete: 'off', maxlength: 1000,
      value: e ? e.note : '', id: `${idPrefix}-note` }),
    tags: h('input', { name: 'tags', autocomplete: 'off', autocapitalize: 'none',
      placeholder: t('form.tagsPlaceholder'), value: e ? e.tags.join(', ') : '',
      id: `${idPrefix}-tags` }),
  };
  els.currency.id = `${idPrefix}-currency`;
  els.category.id = `${idPrefix}-category`;
  if (!e && lastCategory() === undefined) {
    // nothing used yet: ask, rather than offer the alphabetical first
    els.category.prepend(h('option', { value: '', disabled: true }, t('form.chooseCategory')));
    els.category.value = '';
  } else if (!els.category.value && els.category.options.length) {
    els.category.selectedIndex = 0;
  }
  els.currency.addEventListener('change', () => {
    els.amount.placeholder = zero(decimalsOf(els.currency.value));
  });
  const nodes = [
    h('div.row.money',
      field(t('form.amount'), els.amount),
      field(t('form.currency'), els.currency)),
    h('div.row',
      field(t('form.category'), els.category),
      field(t('form.date'), els.date)),
    h('div.row',
      field(t('form.payee'), els.payee),
      field(t('form.note'), els.note)),
    field(t('form.tags'), els.tags),
  ];
  return { els, nodes };
}

// The request body from the fields; with `orig`, only what changed.
export function expenseBody(els, orig) {
  const b = {
    amount: tidyAmount(els.amount.value, els.currency.value),
    currency: els.currency.value,
    category: els.category.value,
    date: els.date.value,
    payee: els.payee.value.trim(),
    note: els.note.value.trim(),
    tags: parseTags(els.tags.value),
  };
  if (!orig) {
    for (const k of ['payee', 'note']) if (!b[k]) delete b[k];
    if (!b.tags.length) delete b.tags;
    return b;
  }
  const out = {};
  for (const [k, v] of Object.entries(b)) {
    const was = orig[k];
    const same = Array.isArray(v) ? v.join(',') === (was || []).join(',') : v === was;
    if (!same) out[k] = v;
  }
  return out;
}

// A currency picker for a filter: anyLabel ("Any currency"), then the user's and the
// recent ones, then every currency.
export function currencyFilterSelect(name, selected, anyLabel) {
  const sel = currencySelect(selected || undefined);
  sel.name = name;
  sel.prepend(h('option', { value: '' }, anyLabel));
  sel.value = selected || '';
  return sel;
}

// The body that records an expense again as it was (Undo of a delete):
// its amount, currency, date, texts, tags, and its category or parts.
export function recreateBody(e) {
  const b = { amount: e.amount, currency: e.currency, date: e.date };
  if (e.payee) b.payee = e.payee;
  if (e.note) b.note = e.note;
  if (e.tags && e.tags.length) b.tags = [...e.tags];
  if (e.parts && e.parts.length) {
    b.parts = e.parts.map((p) => ({ amount: p.amount, category: p.category, note: p.note || '' }));
  } else {
    b.category = e.category;
  }
  return b;
}
