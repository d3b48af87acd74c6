// The month view: quick add (a sheet on phones), totals, filters, a month
// picker, the list with inline edit, multi-select, and delete with Undo.
import { api, newKey } from './api.js';
import { h, field, clearErrors, showError, busy, toast, clear, moneyNodes, keyedRows } from './dom.js';
import { session, pref, loadCategories, activeCategories } from './session.js';
import {
  thisMonth, shiftMonth, monthLabel, dayLabel, validMonth, isRefund, defaultDate,
  tidyAmount, parseTags,
} from './format.js';
import {
  expenseFields, expenseBody, categorySelect, rememberCurrency, currencyFilterSelect,
  recreateBody,
} from './expenseform.js';
import { features } from './features.js';
import { subscribe } from './events.js';
import { t, amount, date, currentLocale } from './i18n.js';
import { pendingBadge } from './outbox.js';

const PAGE = 50;
// the filters kept in the address: #/month/2026-11?search=...&min=...
const FILTERS = ['search', 'category', 'from', 'to', 'tag', 'min', 'max', 'currency'];
// those behind "More filters"
const MORE = ['from', 'to', 'tag', 'min', 'max', 'currency'];
// the fields the inline editor has, in the order errors are looked for
const EDIT_FIELDS = ['date', 'category', 'payee', 'note', 'tags', 'amount'];
const isoDate = (s) => /^\d{4}-\d\d-\d\d$/.test(s || '');

// dates and amounts in the UI's language (i18n.js)
const dateLabel = (iso) => date(iso, 'shortDate');

function amountCell(value, currency) {
  return h('span.money', { class: isRefund(value) ? 'refund' : null }, moneyNodes(value, currency));
}

// what a toast or a label calls an expense
const nameOf = (e) => e.payee || e.note || e.category;
// the fields of the inline editor as a message names them
const fieldName = (k) => t(`month.field.${k}`);

// run fn over items, at most n requests at once
async function pool(items, fn, n = 4) {
  let i = 0;
  const worker = async () => {
    while (i < items.length) {
      const k = i;
      i += 1;
      await fn(items[k]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

function filtersFrom(query) {
  const f = {};
  for (const k of FILTERS) f[k] = (query.get(k) || '').trim();
  if (!isoDate(f.from)) f.from = '';
  if (!isoDate(f.to)) f.to = '';
  return f;
}

export function renderMonth(main, params) {
  const st = {
    month: validMonth(params.month) ? params.month : thisMonth(),
    f: filtersFrom(params.query),
    items: [],
    next: null,
    count: 0,
    seq: 0,
    selected: new Set(),   // ids of the rows ticked
    hidden: new Set(),     // ids deleted, not yet gone from a reload
    lastTick: null,        // the id last ticked (shift-click ticks a range)
  };
  const editors = new Map();  // id -> inline editor of that row
  const ranged = () => Boolean(st.f.from || st.f.to);
  const filtered = () => FILTERS.some((k) => st.f[k]);

  // ---- header: month navigation and picker
  const title = h('h1#month-title');
  const prev = h('a.btn.icon', { rel: 'prev' }, h('span', { 'aria-hidden': 'true' }, '‹'));
  const next = h('a.btn.icon', { rel: 'next' }, h('span', { 'aria-hidden': 'true' }, '›'));
  const today = h('a.btn.small.today', t('month.this'));
  const pickMonth = h('select#pick-month');
  for (let m = 1; m <= 12; m += 1) {
    pickMonth.append(h('option', { value: String(m).padStart(2, '0') },
      date(`2000-${String(m).padStart(2, '0')}`, 'monthName')));
  }
  const pickYear = h('select#pick-year');
  const picker = h('div.month-pick', { role: 'group', 'aria-label': t('month.pick') },
    h('label.sr-only', { for: 'pick-month' }, t('month.pickMonth')), pickMonth,
    h('label.sr-only', { for: 'pick-year' }, t('month.pickYear')), pickYear);
  const head = h('div.month-head', prev, title, next, picker, today);

  // ---- quick add (in the page; on a phone in a sheet behind the + button)
  const qa = expenseFields(null, 'qa');
  // a date typed by the user stays until the next add
  qa.els.date.addEventListener('input', () => { qa.els.date.dataset.typed = '1'; });
  const addBtn = h('button.primary', { type: 'submit' }, t('month.addSubmit'));
  const addForm = h('form.card.quick-add', { novalidate: true, 'aria-labelledby': 'qa-title' },
    h('h2#qa-title.sr-only', t('month.addTitle')),
    qa.nodes,
    h('div.actions', addBtn));
  const fab = h('button.fab', { type: 'button', 'aria-label': t('month.addTitle'), 'aria-haspopup': 'dialog' },
    h('span', { 'aria-hidden': 'true' }, '+'));
  const sheetClose = h('button.icon.sheet-close', { type: 'button', 'aria-label': t('month.close') },
    h('span', { 'aria-hidden': 'true' }, '×'));
  const sheet = h('dialog.qa-sheet', { 'aria-labelledby': 'qa-sheet-title' },
    h('div.sheet-head', h('h2#qa-sheet-title', t('month.addTitle')), sheetClose));

  // ---- totals
  const totals = h('div.totals', { 'aria-live': 'polite' });

  // ---- filters
  const fin = {
    search: h('input', {
      type: 'search', name: 'search', placeholder: t('month.searchPlaceholder'), value: st.f.search,
      autocomplete: 'off', enterkeyhint: 'search',
    }),
    category: categorySelect('category', st.f.category, { any: t('month.allCategories'), all: true }),
    from: h('input', { type: 'date', name: 'from', value: st.f.from }),
    to: h('input', { type: 'date', name: 'to', value: st.f.to }),
    tag: h('input', { name: 'tag', autocomplete: 'off', autocapitalize: 'none', value: st.f.tag,
      placeholder: t('month.tagPlaceholder') }),
    min: h('input', { name: 'min', inputmode: 'decimal', autocomplete: 'off', value: st.f.min }),
    max: h('input', { name: 'max', inputmode: 'decimal', autocomplete: 'off', value: st.f.max }),
    currency: currencyFilterSelect('currency', st.f.currency, t('month.anyCurrency')),
  };
  const moreBtn = h('button.link.more-toggle', { type: 'button', 'aria-expanded': 'false',
    'aria-controls': 'more-filters' }, t('month.moreFilters'));
  const morePanel = h('div#more-filters.more-filters', { hidden: true },
    h('div.row', field(t('month.from'), fin.from), field(t('month.to'), fin.to)),
    h('div.row', field(t('month.min'), fin.min), field(t('month.max'), fin.max)),
    h('div.row', field(t('month.tag'), fin.tag), field(t('form.currency'), fin.currency)));
  const clearBtn = h('button.link', { type: 'button', hidden: true }, t('month.clearFilters'));
  const filters = h('form.filters', { role: 'search', 'aria-label': t('month.filterLabel'), novalidate: true },
    h('div.filter-main', field(t('month.search'), fin.search), field(t('form.category'), fin.category),
      h('div.filter-links', moreBtn, clearBtn)),
    morePanel);
  // the hint by "From": a range replaces the month
  fin.from.closest('.row').after(h('p.hint.range-hint', t('month.rangeHint')));

  // ---- selection bar
  const selStatus = h('p.sr-only', { 'aria-live': 'polite' });
  const bulkCount = h('span.bulk-count');
  const bulkCat = categorySelect('category');
  bulkCat.id = 'bulk-category';
  bulkCat.prepend(h('option', { value: '', disabled: true }, t('form.chooseCategory')));
  bulkCat.value = '';
  const bulkMove = h('button.secondary.small', { type: 'submit' }, t('month.recategorise'));
  const bulkDel = h('button.danger.small', { type: 'button' }, t('common.delete'));
  const bulkNone = h('button.link', { type: 'button' }, t('month.clearSelection'));
  const bulkForm = h('form.bulk-move', { novalidate: true },
    h('label', { for: 'bulk-category' }, t('month.recategoriseTo')), bulkCat, bulkMove);
  const bulk = h('div.bulk', { role: 'region', 'aria-label': t('month.selectedRegion'), hidden: true },
    bulkCount, bulkForm, bulkDel, bulkNone);

  // ---- list
  const selAll = h('input.sel', { type: 'checkbox', 'aria-label': t('month.selectAll') });
  const tbody = h('tbody');
  const table = h('table.expenses',
    h('caption.sr-only#list-caption'),
    h('thead', h('tr',
      h('th.sel', { scope: 'col' }, h('label.hit', selAll)),
      h('th', { scope: 'col' }, t('form.date')),
      h('th', { scope: 'col' }, t('form.category')),
      h('th', { scope: 'col' }, t('month.colWho')),
      h('th', { scope: 'col' }, t('form.tags')),
      h('th.amount', { scope: 'col' }, t('form.amount')),
      h('th', { scope: 'col' }, h('span.sr-only', t('month.colActions'))))),
    tbody);
  const empty = h('p.empty', { hidden: true });
  const more = h('button.secondary.more', { type: 'button', hidden: true }, t('month.loadMore'));
  const listErr = h('p.form-error', { role: 'alert', hidden: true });
  const exportsBox = h('p.exports', { hidden: true });
  const listTitle = h('h2#list-title', { tabindex: '-1' }, t('month.listTitle'));

  const listSection = h('section.list', { 'aria-labelledby': 'list-title' },
    h('div.list-head', listTitle, totals),
    filters, bulk, selStatus, listErr, table, empty, more, exportsBox);

  const grid = h('div.month-grid', addForm, listSection);
  main.replaceChildren(h('div.month-view', head, grid, fab, sheet));

  // ---- the address and the header
  function queryString() {
    const q = new URLSearchParams();
    for (const k of FILTERS) if (st.f[k]) q.set(k, st.f[k]);
    return q.toString() ? `?${q}` : '';
  }
  // month links keep the filters but not a date range: a month chosen
  // replaces the range
  function monthHref(m) {
    const q = new URLSearchParams();
    for (const k of FILTERS) if (st.f[k] && k !== 'from' && k !== 'to') q.set(k, st.f[k]);
    return `#/month/${m}${q.toString() ? `?${q}` : ''}`;
  }
  function rangeLabel() {
    if (st.f.from && st.f.to) return t('month.range', { from: dateLabel(st.f.from), to: dateLabel(st.f.to) });
    if (st.f.from) return t('month.rangeFrom', { date: dateLabel(st.f.from) });
    return t('month.rangeUntil', { date: dateLabel(st.f.to) });
  }
  function syncPicker() {
    const y = Number(st.month.slice(0, 4));
    const now = Number(thisMonth().slice(0, 4));
    const lo = Math.min(y, now - 10);
    const hi = Math.max(y, now + 1);
    if (pickYear.dataset.range !== `${lo}-${hi}`) {
      pickYear.replaceChildren();
      for (let k = hi; k >= lo; k -= 1) pickYear.append(h('option', { value: String(k) }, String(k)));
      pickYear.dataset.range = `${lo}-${hi}`;
    }
    pickYear.value = String(y);
    pickMonth.value = st.month.slice(5, 7);
  }

  function syncHeader() {
    // the quick add follows the month on screen (unless a date was typed)
    if (!qa.els.date.dataset.typed) qa.els.date.value = defaultDate(st.month);
    const what = ranged() ? rangeLabel() : monthLabel(st.month);
    title.textContent = what;
    document.title = t('app.title', { page: what });
    prev.href = monthHref(shiftMonth(st.month, -1));
    next.href = monthHref(shiftMonth(st.month, 1));
    prev.setAttribute('aria-label', t('month.prev', { month: monthLabel(shiftMonth(st.month, -1)) }));
    next.setAttribute('aria-label', t('month.next', { month: monthLabel(shiftMonth(st.month, 1)) }));
    today.href = monthHref(thisMonth());
    today.hidden = st.month === thisMonth() && !ranged();
    syncPicker();
    const want = `#/month/${st.month}${queryString()}`;
    if (location.hash !== want) history.replaceState(null, '', want);
    clearBtn.hidden = !filtered();
    const nmore = MORE.filter((k) => st.f[k]).length;
    moreBtn.textContent = nmore ? t('month.moreFiltersN', { count: nmore }) : t('month.moreFilters');
    if (features.exports.length) {
      clear(exportsBox);
      exportsBox.append(`${ranged() ? t('month.downloadDays') : t('month.downloadMonth')} `);
      features.exports.forEach((f, i) => {
        if (i) exportsBox.append(' · ');
        const label = f.length <= 4 ? f.toUpperCase() : f[0].toUpperCase() + f.slice(1);
        const a = h('a', { href: '#', dataset: { format: f },
          'aria-label': t('rep.downloadAs', { what, format: label }) }, label);
        a.addEventListener('click', (ev) => { ev.preventDefault(); download(f); });
        exportsBox.append(a);
      });
      exportsBox.hidden = false;
    }
  }

  function showMore(open) {
    morePanel.hidden = !open;
    moreBtn.setAttribute('aria-expanded', String(open));
  }
  showMore(MORE.some((k) => st.f[k]));

  function renderTotals(sum, count) {
    clear(totals);
    const codes = Object.keys(sum || {});
    totals.append(h('span.count', t('month.count', { count })));
    if (codes.length) {
      const ul = h('ul.sums', { 'aria-label': t('month.sums') });
      for (const c of codes) ul.append(h('li', { dataset: { currency: c } }, amountCell(sum[c], c)));
      totals.append(ul);
    }
  }

  // ---- rows
  function describe(e) {
    return t('month.describe', { name: nameOf(e), amount: amount(e.amount, e.currency), date: dayLabel(e.date) });
  }

  function catCell(e) {
    if (e.parts && e.parts.length) {
      return h('td.category', { title: t('month.split') },
        e.parts.map((p) => h('span.cat', p.category)));
    }
    return h('td.category', h('span.cat', e.category));
  }

  function row(e) {
    const who = [];
    if (e.payee) who.push(h('span.payee', e.payee));
    if (e.note) who.push(h('span.note', e.note));
    if (e.pending) who.push(pendingBadge(e));
    const label = describe(e);
    const box = h('input.sel', { type: 'checkbox', 'aria-label': t('month.selectNamed', { name: label }),
      checked: st.selected.has(e.id), dataset: { k: 'sel' } });
    box.addEventListener('click', (ev) => tick(e.id, box.checked, ev.shiftKey));
    const edit = h('button.icon.edit', { type: 'button', 'aria-label': t('month.editNamed', { name: label }), title: t('month.edit'),
      dataset: { k: 'edit' } }, h('span', { 'aria-hidden': 'true' }, '✎'));
    edit.addEventListener('click', () => startEdit(e.id));
    const del = h('button.icon.del', { type: 'button', 'aria-label': t('month.deleteNamed', { name: label }), title: t('common.delete'),
      dataset: { k: 'del' } }, h('span', { 'aria-hidden': 'true' }, '✕'));
    del.addEventListener('click', () => removeWithUndo([current(e.id) || e]));
    return h('tr', { dataset: { id: e.id }, class: st.selected.has(e.id) ? 'selected' : null },
      h('td.sel', h('label.hit', box)),
      h('td.date', h('time', { datetime: e.date }, dayLabel(e.date))),
      catCell(e),
      h('td.who', who.length ? who : h('span.muted', '—')),
      h('td.tags', e.tags.map((tag) => h('span.tag', tag))),
      h('td.amount', amountCell(e.amount, e.currency)),
      h('td.act', h('div.act-btns', edit, del)));
  }

  const current = (id) => st.items.find((x) => x.id === id);
  const shown = () => st.items.filter((e) => !st.hidden.has(e.id));

  // the control with focus in the list, to find it again after a redraw
  function focusKey() {
    const a = document.activeElement;
    const tr = a && a.closest ? a.closest('tbody tr') : null;
    if (!tr || !tbody.contains(tr)) return null;
    return { el: a, id: tr.dataset.id, k: a.dataset.k, index: [...tbody.children].indexOf(tr) };
  }
  function refocus(key) {
    if (!key || tbody.contains(document.activeElement)) return;
    // a field of a row being edited is the same element after a redraw
    if (key.el.isConnected) { key.el.focus({ preventScroll: true }); return; }
    let tr = tbody.querySelector(`tr[data-id="${CSS.escape(key.id)}"]`);
    if (!tr) tr = tbody.children[Math.min(key.index, tbody.children.length - 1)];
    const el = tr && (tr.querySelector(`[data-k="${key.k}"]`) || tr.querySelector('[data-k="edit"]'));
    if (el) el.focus();
    else listTitle.focus();
  }

  function renderRows() {
    const key = focusKey();
    const ids = new Set(st.items.map((e) => e.id));
    for (const id of editors.keys()) if (!ids.has(id)) editors.delete(id);
    for (const id of st.selected) if (!ids.has(id) || st.hidden.has(id)) st.selected.delete(id);
    // a row whose expense did not change keeps its node: every live event
    // reloads the list, and a row swapped between mousedown and mouseup
    // loses the click (HACKING.md, "Redrawing a page on live events")
    const locale = currentLocale();
    keyedRows(tbody, shown().map((e) => [e.id, { e, editing: editors.has(e.id), locale }]),
      (d) => (d.editing ? editors.get(d.e.id).tr : row(d.e)));
    refocus(key);
    syncSelection(false);
    const n = shown().length;
    table.hidden = n === 0;
    empty.hidden = n > 0;
  }

  // ---- selection
  // a row's id as the items hold it: a number, or the text id of a row
  // still waiting to sync (outbox.js)
  const rowId = (tr) => (/^\d+$/.test(tr.dataset.id) ? Number(tr.dataset.id) : tr.dataset.id);
  function syncSelection(announce) {
    const n = st.selected.size;
    const all = shown().length;
    bulk.hidden = n === 0;
    bulkCount.textContent = t('month.nSelected', { count: n });
    selAll.checked = n > 0 && n === all;
    selAll.indeterminate = n > 0 && n < all;
    for (const tr of tbody.children) {
      const on = st.selected.has(rowId(tr));
      tr.classList.toggle('selected', on);
      const box = tr.querySelector('input.sel');
      if (box) box.checked = on;
    }
    if (announce) {
      selStatus.textContent = n ? t('month.selectedCount', { count: n }) : t('month.noneSelected');
    }
  }
  function tick(id, on, range) {
    const list = shown().map((e) => e.id);
    if (range && st.lastTick !== null && list.includes(st.lastTick)) {
      const [a, b] = [list.indexOf(st.lastTick), list.indexOf(id)].sort((x, y) => x - y);
      for (const k of list.slice(a, b + 1)) {
        if (on) st.selected.add(k);
        else st.selected.delete(k);
      }
    } else if (on) st.selected.add(id);
    else st.selected.delete(id);
    st.lastTick = id;
    syncSelection(true);
  }
  selAll.addEventListener('change', () => {
    if (selAll.checked) for (const e of shown()) st.selected.add(e.id);
    else st.selected.clear();
    syncSelection(true);
  });
  bulkNone.addEventListener('click', () => {
    st.selected.clear();
    syncSelection(true);
    selAll.focus();
  });
  const selectedItems = () => shown().filter((e) => st.selected.has(e.id));

  // ---- loading
  function query(cursor, limit) {
    const q = { limit: limit || PAGE, sort: 'date', order: 'desc' };
    if (ranged()) {
      if (st.f.from) q.from = st.f.from;
      if (st.f.to) q.to = st.f.to;
    } else q.month = st.month;
    for (const k of ['search', 'category', 'tag', 'min', 'max', 'currency']) if (st.f[k]) q[k] = st.f[k];
    if (cursor) q.cursor = cursor;
    return q;
  }

  // load(append): next page; load(false, keep): first page again, as many
  // rows as are shown now (a change elsewhere should not lose the place)
  async function load(append, keep) {
    const seq = ++st.seq;
    const limit = keep ? Math.min(500, Math.max(PAGE, st.items.length)) : PAGE;
    listErr.hidden = true;
    listSection.setAttribute('aria-busy', 'true');
    try {
      const r = await api('GET', '/expenses', { query: query(append ? st.next : null, limit) });
      if (seq !== st.seq) return;
      clearErrors(filters);
      if (!append) st.items = [];
      st.items.push(...r.items);
      // a row whose DELETE is still under way stays hidden
      for (const id of [...st.hidden]) if (!st.items.some((x) => x.id === id)) st.hidden.delete(id);
      st.next = r.next_cursor || null;
      st.count = r.count;
      renderTotals(r.sum, r.count);
      const where = ranged() ? rangeLabel() : monthLabel(st.month);
      if (filtered()) empty.textContent = ranged() ? t('month.noMatch') : t('month.noMatchMonth');
      else empty.textContent = t('month.noneIn', { month: monthLabel(st.month) });
      renderRows();
      more.hidden = !st.next;
      more.textContent = t('month.loadMoreN', { shown: st.items.length, count: r.count });
      const caption = ranged()
        ? (filtered() ? 'month.captionRangeFiltered' : 'month.captionRange')
        : (filtered() ? 'month.captionMonthFiltered' : 'month.captionMonth');
      table.querySelector('caption').textContent = t(caption, { what: where });
    } catch (e) {
      if (seq !== st.seq) return;
      if (e.field && FILTERS.includes(e.field)) {
        // a filter the server refused: say so by that filter
        clearErrors(filters);
        if (MORE.includes(e.field)) showMore(true);
        showError(filters, e);
      } else {
        listErr.textContent = e.message;
        listErr.hidden = false;
      }
      if (!append) {
        // nothing of another month (rows, "no expenses in ...") stays
        // under the error
        st.items = [];
        st.next = null;
        editors.clear();
        st.selected.clear();
        clear(tbody);
        syncSelection(false);
        empty.hidden = true;
        table.hidden = true;
        more.hidden = true;
        totals.replaceChildren();
      }
    } finally {
      if (seq === st.seq) listSection.removeAttribute('aria-busy');
    }
  }

  function reload() {
    st.selected.clear();
    syncSelection(false);
    syncHeader();
    return load(false);
  }

  // ---- filter events
  function readFilters() {
    const base = st.f.currency || (session.me && session.me.currency) || 'EUR';
    return {
      search: fin.search.value.trim(),
      category: fin.category.value,
      from: fin.from.value,
      to: fin.to.value,
      tag: fin.tag.value.trim().replace(/^#/, '').toLowerCase(),
      min: tidyAmount(fin.min.value, base),
      max: tidyAmount(fin.max.value, base),
      currency: fin.currency.value,
    };
  }
  function applyFilters() {
    const f = readFilters();
    if (FILTERS.every((k) => f[k] === st.f[k])) return;
    st.f = f;
    reload();
  }
  let typeTimer = 0;
  for (const k of ['search', 'tag', 'min', 'max']) {
    fin[k].addEventListener('input', () => {
      clearTimeout(typeTimer);
      typeTimer = setTimeout(applyFilters, k === 'search' ? 250 : 400);
    });
  }
  for (const k of ['category', 'from', 'to', 'currency']) {
    fin[k].addEventListener('change', () => { clearTimeout(typeTimer); applyFilters(); });
  }
  filters.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearTimeout(typeTimer);
    applyFilters();
  });
  moreBtn.addEventListener('click', () => {
    const open = morePanel.hidden;
    showMore(open);
    if (open) fin.from.focus();
  });
  clearBtn.addEventListener('click', () => {
    clearTimeout(typeTimer);
    for (const k of FILTERS) fin[k].value = '';
    for (const k of FILTERS) st.f[k] = '';
    clearErrors(filters);
    reload();
    fin.search.focus();
  });

  // ---- month picker and paging
  function goMonth() {
    const m = `${pickYear.value}-${pickMonth.value}`;
    if (validMonth(m)) location.hash = monthHref(m);
  }
  pickMonth.addEventListener('change', goMonth);
  pickYear.addEventListener('change', goMonth);
  more.addEventListener('click', () => load(true));

  // ---- quick add
  fab.addEventListener('click', () => {
    sheet.append(addForm);
    sheet.showModal();
    qa.els.amount.focus();
  });
  sheetClose.addEventListener('click', () => sheet.close());
  sheet.addEventListener('close', () => {
    grid.prepend(addForm);
    fab.focus();
  });

  addForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearErrors(addForm);
    const body = expenseBody(qa.els);
    if (!body.amount) {
      showError(addForm, { field: 'amount', message: t('expense.needAmount') });
      return;
    }
    if (!body.category) {
      showError(addForm, { field: 'category', message: activeCategories().length
        ? t('expense.needCategory') : t('expense.addCategoryFirst') });
      return;
    }
    // one key per distinct body: a resubmit after a lost reply is replayed
    const sig = JSON.stringify(body);
    if (addForm.dataset.sig !== sig) {
      addForm.dataset.sig = sig;
      addForm.dataset.key = newKey();
    }
    busy(addForm, async () => {
      try {
        const e = await api('POST', '/expenses', { body, key: addForm.dataset.key });
        delete addForm.dataset.sig;
        pref('category', e.category);
        pref('currency', e.currency);
        rememberCurrency(e.currency);
        for (const k of ['amount', 'payee', 'note', 'tags']) qa.els[k].value = '';
        delete qa.els.date.dataset.typed;
        qa.els.date.value = defaultDate(st.month);
        const vars = { amount: amount(e.amount, e.currency), category: e.category };
        if (sheet.open) sheet.close();
        toast(e.date.slice(0, 7) === st.month ? t('expense.added', vars)
          : t('month.addedIn', { ...vars, month: monthLabel(e.date.slice(0, 7)) }), 'ok');
        if (!sheet.open && addForm.closest('.month-grid') && addForm.offsetParent) qa.els.amount.focus();
        await load(false, true);
        const tr = tbody.querySelector(`tr[data-id="${e.id}"]`);
        if (tr) tr.classList.add('flash');
      } catch (err) {
        showError(addForm, err);
      }
    });
  });

  // ---- inline edit: the row's cells become fields; Enter saves,
  // Escape cancels; the server's error is shown by its field
  function startEdit(id) {
    const e = current(id);
    if (!e) return;
    if (editors.has(id)) { editors.get(id).first.focus(); return; }
    const ed = makeEditor(e);
    editors.set(id, ed);
    renderRows(); // keyedRows puts the editor in the row's place
    ed.first.focus();
  }

  function makeEditor(e) {
    const split = Boolean(e.parts && e.parts.length);
    const pre = `ie-${e.id}`;
    const els = {
      date: h('input', { type: 'date', name: 'date', value: e.date, id: `${pre}-date`, required: true }),
      category: split ? null : categorySelect('category', e.category),
      payee: h('input', { name: 'payee', value: e.payee, id: `${pre}-payee`, maxlength: 200, autocomplete: 'off' }),
      note: h('input', { name: 'note', value: e.note, id: `${pre}-note`, maxlength: 1000, autocomplete: 'off' }),
      tags: h('input', { name: 'tags', value: e.tags.join(', '), id: `${pre}-tags`,
        autocomplete: 'off', autocapitalize: 'none' }),
      amount: split ? null : h('input.amount-input', { name: 'amount', value: e.amount, id: `${pre}-amount`,
        inputmode: 'decimal', autocomplete: 'off', required: true }),
    };
    if (els.category) els.category.id = `${pre}-category`;
    const msg = h('p.form-error.edit-msg', { role: 'alert', hidden: true });
    const save = h('button.primary.small', { type: 'button' }, t('common.save'));
    const cancel = h('button.secondary.small', { type: 'button' }, t('common.cancel'));
    const all = h('button.link.small', { type: 'button' }, t('month.allFields'));
    const label = describe(e);
    const amountField = split
      ? h('div.field.split-amount', h('span.label', t('form.amount')), amountCell(e.amount, e.currency),
        h('p.hint', t('month.splitHint')))
      : field(t('month.amountIn', { currency: e.currency }), els.amount);
    const tr = h('tr.editing', { dataset: { id: e.id } },
      h('td.sel'),
      h('td.edit-cell', { colspan: '6' },
        h('div.edit-grid', { role: 'group', 'aria-label': t('month.editNamed', { name: label }) },
          field(t('form.date'), els.date),
          split ? h('div.field', h('span.label', t('form.category')), [...catCell(e).childNodes])
            : field(t('form.category'), els.category),
          field(t('form.payee'), els.payee),
          field(t('form.note'), els.note),
          field(t('form.tags'), els.tags),
          amountField),
        msg,
        h('div.edit-btns', save, cancel, all)));
    const ed = { tr, els, cur: e, orig: e, first: els.amount || els.date, msg };

    // the request body: what differs from the expense the row shows
    ed.body = () => expenseBody({
      amount: els.amount || { value: ed.cur.amount },
      currency: { value: ed.cur.currency },
      category: els.category || { value: ed.cur.category },
      date: els.date, payee: els.payee, note: els.note, tags: els.tags,
    }, ed.cur);

    function clearMsgs() {
      msg.hidden = true;
      for (const el of tr.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
      for (const el of tr.querySelectorAll('.field-error')) { el.textContent = ''; el.hidden = true; }
    }
    function fail(err) {
      const ctl = err.field && EDIT_FIELDS.includes(err.field) ? els[err.field] : null;
      if (ctl) {
        ctl.setAttribute('aria-invalid', 'true');
        const s = tr.querySelector(`#${CSS.escape(ctl.id)}-err`);
        s.textContent = err.message;
        s.hidden = false;
        ctl.setAttribute('aria-describedby', s.id);
        ctl.focus();
      } else {
        msg.textContent = err.message;
        msg.hidden = false;
      }
    }
    function close(fresh) {
      editors.delete(e.id);
      if (fresh) {
        const k = st.items.findIndex((x) => x.id === e.id);
        if (k >= 0) st.items[k] = fresh;
      }
      if (!tr.isConnected) return;
      renderRows();
      const r = current(e.id) && tbody.querySelector(`tr[data-id="${CSS.escape(String(e.id))}"]`);
      if (r) r.querySelector('[data-k="edit"]').focus();
      else listTitle.focus();
    }
    ed.close = close;

    // the expense changed elsewhere: what the user typed stays, every
    // other field takes the server's value; the next Save sends that
    // version
    async function stale() {
      let fresh;
      try {
        fresh = await api('GET', `/expenses/${e.id}`);
      } catch (err) {
        if (err.status === 404) { gone(); return; }
        fail(err);
        return;
      }
      const theirs = [];
      for (const k of EDIT_FIELDS) {
        const ctl = els[k];
        const was = k === 'tags' ? ed.cur.tags.join(', ') : ed.cur[k];
        const now = k === 'tags' ? fresh.tags.join(', ') : fresh[k];
        if (was !== now) theirs.push(k);
        if (ctl && ctl.value === was) ctl.value = now;
      }
      ed.cur = fresh;
      if (fresh.parts && fresh.parts.length && !split) {
        // split meanwhile: only the full form can edit it now
        msg.textContent = t('month.splitElsewhere');
        msg.hidden = false;
        return;
      }
      msg.textContent = theirs.length
        ? t('month.staleEditFields', { fields: theirs.map(fieldName).join(', ') })
        : t('month.staleEdit');
      msg.hidden = false;
      load(false, true);
    }
    function gone() {
      close(null);
      toast(t('month.gone'), 'warn');
      load(false, true);
    }

    async function doSave() {
      clearMsgs();
      const body = ed.body();
      if (!Object.keys(body).length) { close(null); return; }
      if (body.amount === '') { fail({ field: 'amount', message: t('expense.needAmount') }); return; }
      body.version = ed.cur.version;
      tr.setAttribute('aria-busy', 'true');
      for (const b of tr.querySelectorAll('button')) b.disabled = true;
      try {
        const fresh = await api('PATCH', `/expenses/${e.id}`, { body });
        close(fresh);
        savedToast(fresh);
        await load(false, true);
      } catch (err) {
        if (err.status === 412) await stale();
        else if (err.status === 404) gone();
        else fail(err);
      } finally {
        tr.removeAttribute('aria-busy');
        for (const b of tr.querySelectorAll('button')) b.disabled = false;
      }
    }
    save.addEventListener('click', doSave);
    cancel.addEventListener('click', () => close(null));
    all.addEventListener('click', () => {
      // the full form, starting from what is typed here
      const draft = { ...ed.cur, date: els.date.value, payee: els.payee.value, note: els.note.value,
        tags: parseTags(els.tags.value) };
      if (els.amount) draft.amount = els.amount.value;
      if (els.category) draft.category = els.category.value;
      const base = ed.cur;
      close(null);
      openEdit(base, draft);
    });
    tr.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault();
        close(null);
      } else if (ev.key === 'Enter' && ev.target.matches('input, select')) {
        ev.preventDefault();
        doSave();
      }
    });
    for (const ctl of Object.values(els)) {
      if (ctl) ctl.addEventListener('input', () => { ctl.removeAttribute('aria-invalid'); });
    }
    return ed;
  }

  function savedToast(e) {
    // a new category for a payee no rule knows: offer the rule
    const s = e.suggested_rule;
    toast(t('month.saved', { amount: amount(e.amount, e.currency), category: e.category }), 'ok', s && s.payee_contains ? {
      label: t('month.ruleOffer', { payee: s.payee_contains, category: s.category }),
      run: async () => {
        try {
          await api('POST', '/rules', { body: { payee_contains: s.payee_contains, category: s.category } });
          toast(t('month.ruleAdded', { payee: s.payee_contains, category: s.category }), 'ok');
        } catch (err) { toast(err.message, 'warn'); }
      },
    } : undefined);
  }

  // ---- delete with Undo
  // The DELETE is sent at once and Undo records the expenses again
  // (POST with the same amount, currency, date, payee, note, tags and
  // category or parts). Delaying the DELETE until the toast goes would
  // keep the id, but a page closed, crashed or put to sleep by a phone
  // during those seconds would lose the deletion, other devices would
  // still see the expense meanwhile, and the totals on screen would not
  // be the server's. What Undo cannot bring back: the id and created_at,
  // the link to the recurring rule that made it (recurring_id), and
  // "chosen by a rule" (the category becomes the user's own). Each
  // re-creation carries an idempotency key made at delete time, so an
  // Undo retried after a lost reply records it once.
  let undoWatch = null;
  function focusUndo(fallback) {
    const box = document.getElementById('toast');
    const b = box && box.querySelector('.toast-action');
    if (!b) { fallback(); return; }
    b.focus();
    if (undoWatch) undoWatch.disconnect();
    // when the toast goes (timeout or another message) with focus in
    // it, focus returns to the list
    undoWatch = new MutationObserver(() => {
      if (b.isConnected && box.classList.contains('show')) return;
      undoWatch.disconnect();
      undoWatch = null;
      if (document.activeElement === b || document.activeElement === document.body
          || !document.activeElement) fallback();
    });
    undoWatch.observe(box, { attributes: true, childList: true });
  }

  async function removeWithUndo(list) {
    if (!list.length) return;
    const keyBefore = focusKey();
    for (const e of list) {
      st.hidden.add(e.id);
      st.selected.delete(e.id);
      editors.delete(e.id);
    }
    renderRows();
    const done = [];
    const stale = [];
    const failed = [];
    await pool(list, async (e) => {
      try {
        await api('DELETE', `/expenses/${e.id}`, { query: { version: e.version } });
        done.push(e);
      } catch (err) {
        if (err.status === 404) return;      // gone already
        if (err.status === 412) stale.push(e);
        else failed.push(err);
      }
    });
    for (const e of [...stale]) st.hidden.delete(e.id);
    if (failed.length) for (const e of list) if (!done.includes(e)) st.hidden.delete(e.id);
    renderRows();
    const keys = new Map(done.map((e) => [e, newKey()]));
    let text;
    if (done.length === 1) {
      const e = done[0];
      text = t('month.deletedOne', { amount: amount(e.amount, e.currency), name: nameOf(e) });
    } else text = t('month.deletedMany', { count: done.length });
    const then = (more) => (done.length ? t('month.then', { first: text, then: more }) : more);
    if (stale.length) text = then(t('month.deleteStale', { count: stale.length }));
    if (failed.length) text = then(failed[0].message);
    const ok = done.length && !stale.length && !failed.length;
    toast(text, ok ? 'ok' : 'warn', done.length ? { label: t('month.undo'), run: () => restore(done, keys) } : undefined);
    if (done.length) {
      focusUndo(() => {
        if (keyBefore) refocus(keyBefore);
        else listTitle.focus();
      });
    }
    await load(false, true);
  }

  async function restore(list, keys) {
    const made = [];
    const failed = [];
    await pool(list, async (e) => {
      try {
        made.push(await api('POST', '/expenses', { body: recreateBody(e), key: keys.get(e) }));
      } catch (err) { failed.push(err); }
    });
    if (failed.length) {
      toast(t('month.restoredSome', { made: made.length, count: list.length, error: failed[0].message }), 'warn');
    } else {
      toast(made.length === 1
        ? t('month.restoredOne', { amount: amount(made[0].amount, made[0].currency), name: nameOf(made[0]) })
        : t('month.restoredMany', { count: made.length }), 'ok');
    }
    await load(false, true);
    const first = made.length && tbody.querySelector(`tr[data-id="${made[0].id}"] [data-k="edit"]`);
    if (first) first.focus();
    for (const m of made) {
      const tr = tbody.querySelector(`tr[data-id="${m.id}"]`);
      if (tr) tr.classList.add('flash');
    }
  }

  // ---- bulk actions on the selection
  bulkDel.addEventListener('click', () => removeWithUndo(selectedItems()));
  bulkForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const cat = bulkCat.value;
    if (!cat) {
      toast(t('month.needBulkCategory'), 'warn');
      bulkCat.focus();
      return;
    }
    busy(bulk, () => recategorise(selectedItems(), cat));
  });

  // moves: [{id, to, version}] -> PATCH each; answers what was moved
  async function move(items) {
    const moved = [];
    const stale = [];
    const failed = [];
    await pool(items, async (m) => {
      try {
        const r = await api('PATCH', `/expenses/${m.id}`, { body: { category: m.to, version: m.version } });
        moved.push({ id: r.id, from: m.from, to: m.to, version: r.version });
      } catch (err) {
        if (err.status === 412 || err.status === 404) stale.push(m);
        else failed.push(err);
      }
    });
    return { moved, stale, failed };
  }

  async function recategorise(list, cat) {
    const split = list.filter((e) => e.parts && e.parts.length);
    const todo = list.filter((e) => !(e.parts && e.parts.length));
    const { moved, stale, failed } = await move(todo.map((e) => ({ id: e.id, from: e.category, to: cat, version: e.version })));
    const changed = moved.filter((m) => m.from !== m.to);
    const said = [t('month.moved', { count: moved.length, category: cat })];
    if (split.length) said.push(t('month.movedNotSplit', { count: split.length }));
    if (stale.length) said.push(t('month.movedStale', { count: stale.length }));
    if (failed.length) said.push(failed[0].message);
    toast(t('month.movedAll', { text: said.join('; ') }), split.length || stale.length || failed.length ? 'warn' : 'ok',
      changed.length ? { label: t('month.undo'), run: () => unmove(changed) } : undefined);
    st.selected.clear();
    syncSelection(true);
    bulkCat.value = '';
    await load(false, true);
  }

  async function unmove(moved) {
    const { moved: back, stale, failed } = await move(moved.map((m) => ({ id: m.id, to: m.from, version: m.version })));
    const bad = stale.length + failed.length;
    toast(bad ? t('month.movedBackSome', { back: back.length, count: bad })
      : t('month.movedBack', { count: back.length }), bad ? 'warn' : 'ok');
    await load(false, true);
  }

  // ---- the full edit dialog (every field: currency too); draft: what
  // the inline row held when "More…" was chosen
  function openEdit(orig, draft) {
    let cur = orig;
    const dlgTitle = h('h2#edit-title', t('month.editTitle'));
    const msg = h('p.notice', { role: 'alert', hidden: true });
    let f = expenseFields(draft || cur, 'ed');
    const fieldsBox = h('div.fields', f.nodes);
    const save = h('button.primary', { type: 'submit' }, t('common.save'));
    const cancel = h('button.secondary', { type: 'button' }, t('common.cancel'));
    const del = h('button.danger', { type: 'button' }, t('common.delete'));
    const form = h('form', { method: 'dialog', novalidate: true },
      dlgTitle, msg, fieldsBox,
      h('div.actions.split', del, h('span.spacer'), cancel, save));
    const dlg = h('dialog.edit.expense-edit', { 'aria-labelledby': 'edit-title' }, form);
    document.body.append(dlg);
    dlg.addEventListener('close', () => {
      dlg.remove();
      const b = tbody.querySelector(`tr[data-id="${cur.id}"] [data-k="edit"]`);
      if (b && !document.activeElement?.closest?.('#toast')) b.focus();
    });
    cancel.addEventListener('click', () => dlg.close());
    dlg.showModal();
    f.els.amount.focus();

    function refill(fresh) {
      cur = fresh;
      f = expenseFields(cur, 'ed');
      fieldsBox.replaceChildren(...f.nodes);
    }

    // the expense changed elsewhere: show the latest and say so
    async function stale(err) {
      try {
        refill(await api('GET', `/expenses/${cur.id}`));
        msg.textContent = t('month.staleDialog');
        msg.hidden = false;
      } catch (e2) {
        gone(e2.status === 404 ? null : err);
      }
      load(false, true);
    }

    function gone(err) {
      dlg.close();
      toast(err ? err.message : t('month.gone'), 'warn');
      load(false, true);
    }

    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      clearErrors(form);
      msg.hidden = true;
      const body = expenseBody(f.els, cur);
      if (!Object.keys(body).length) { dlg.close(); return; }
      body.version = cur.version;
      busy(form, async () => {
        try {
          const e = await api('PATCH', `/expenses/${cur.id}`, { body });
          dlg.close();
          savedToast(e);
          await load(false, true);
        } catch (err) {
          if (err.status === 412) await stale(err);
          else if (err.status === 404) gone(null);
          else showError(form, err);
        }
      });
    });

    del.addEventListener('click', () => {
      dlg.close();
      removeWithUndo([cur]);
    });
  }

  // ---- downloads of what is shown (when spendd has exports)
  async function download(format) {
    try {
      const q = query(null, 1);
      delete q.limit;
      delete q.sort;
      delete q.order;
      const res = await api('GET', `/exports/${format}`, { query: q, raw: true });
      const a = h('a', { href: URL.createObjectURL(res.blob), download: res.name || `spend-${st.month}.${format}` });
      document.body.append(a);
      a.click();
      setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    } catch (e) {
      toast(e.message, 'warn');
    }
  }

  // same control, new options (a category added or renamed elsewhere)
  function refreshSelect(sel, fresh) {
    const v = sel.value;
    const ask = sel.options[0] && sel.options[0].value === '' && sel.options[0].disabled
      ? sel.options[0] : null;
    sel.replaceChildren(...fresh.children);
    if (ask && !v) sel.prepend(ask);
    sel.value = v;
    if (sel.value !== v && sel.options.length) sel.selectedIndex = 0;
  }

  // ---- live updates from other devices
  const unsubscribe = subscribe(async (types) => {
    if ([...types].some((ty) => ty.startsWith('category.'))) {
      try {
        await loadCategories();
        refreshSelect(qa.els.category, categorySelect('category'));
        refreshSelect(bulkCat, categorySelect('category'));
        refreshSelect(fin.category, categorySelect('category', undefined, { any: t('month.allCategories'), all: true }));
        if (fin.category.value !== st.f.category) { st.f.category = fin.category.value; syncHeader(); }
      } catch (e) { /* the list below reports trouble */ }
    }
    load(false, true);
  });

  syncHeader();
  load(false);
  if (window.matchMedia('(min-width: 700px)').matches) qa.els.amount.focus();

  return {
    update(p) {
      const m = validMonth(p.month) ? p.month : thisMonth();
      const f = filtersFrom(p.query);
      if (m === st.month && FILTERS.every((k) => f[k] === st.f[k])) return;
      st.month = m;
      st.f = f;
      for (const k of FILTERS) fin[k].value = f[k];
      showMore(!morePanel.hidden || MORE.some((k) => f[k]));
      reload();
    },
    destroy() {
      unsubscribe();
      if (undoWatch) undoWatch.disconnect();
    },
  };
}
