// The month view: quick add, totals, filters, the list, edit and delete.
import { api, newKey } from './api.js';
import { h, field, clearErrors, showError, busy, toast, clear } from './dom.js';
import { session, pref, loadCategories, activeCategories } from './session.js';
import {
  thisMonth, shiftMonth, monthLabel, dayLabel, validMonth, isRefund, defaultDate,
} from './format.js';
import {
  expenseFields, expenseBody, categorySelect, rememberCurrency,
} from './expenseform.js';
import { features } from './features.js';
import { subscribe } from './events.js';
import { pendingBadge } from './outbox.js';

const PAGE = 50;

function amountCell(amount, currency) {
  return h('span.money', { class: isRefund(amount) ? 'refund' : null },
    h('span.num', amount), ' ', h('abbr.cur', { title: currency }, currency));
}

export function renderMonth(main, params) {
  const st = {
    month: validMonth(params.month) ? params.month : thisMonth(),
    search: params.query.get('search') || '',
    category: params.query.get('category') || '',
    items: [],
    next: null,
    count: 0,
    seq: 0,
  };

  // ---- header: month navigation
  const title = h('h1#month-title');
  const prev = h('a.btn.icon', { rel: 'prev' }, h('span', { 'aria-hidden': 'true' }, '‹'));
  const next = h('a.btn.icon', { rel: 'next' }, h('span', { 'aria-hidden': 'true' }, '›'));
  const today = h('a.btn.small.today', 'This month');
  const head = h('div.month-head', prev, title, next, today);

  // ---- quick add
  const qa = expenseFields(null, 'qa');
  // a date typed by the user stays until the next add
  qa.els.date.addEventListener('input', () => { qa.els.date.dataset.typed = '1'; });
  const addBtn = h('button.primary', { type: 'submit' }, 'Add expense');
  const addForm = h('form.card.quick-add', { novalidate: true, 'aria-labelledby': 'qa-title' },
    h('h2#qa-title.sr-only', 'Add an expense'),
    qa.nodes,
    h('div.actions', addBtn));

  // ---- totals
  const totals = h('div.totals', { 'aria-live': 'polite' });

  // ---- filters
  const search = h('input', {
    type: 'search', name: 'search', placeholder: 'Payee, note or tag', value: st.search,
    autocomplete: 'off', enterkeyhint: 'search',
  });
  const catFilter = categorySelect('category', st.category, { any: 'All categories', all: true });
  const clearBtn = h('button.link', { type: 'button', hidden: !st.search && !st.category }, 'Clear filters');
  const filters = h('form.filters', { role: 'search', 'aria-label': 'Filter expenses' },
    field('Search', search), field('Category', catFilter), clearBtn);

  // ---- list
  const tbody = h('tbody');
  const table = h('table.expenses',
    h('caption.sr-only#list-caption'),
    h('thead', h('tr',
      h('th', { scope: 'col' }, 'Date'),
      h('th', { scope: 'col' }, 'Category'),
      h('th', { scope: 'col' }, 'Payee / note'),
      h('th', { scope: 'col' }, 'Tags'),
      h('th.amount', { scope: 'col' }, 'Amount'),
      h('th', { scope: 'col' }, h('span.sr-only', 'Actions')))),
    tbody);
  const empty = h('p.empty', { hidden: true });
  const more = h('button.secondary.more', { type: 'button', hidden: true }, 'Load more');
  const listErr = h('p.form-error', { role: 'alert', hidden: true });
  const exportsBox = h('p.exports', { hidden: true });

  const listSection = h('section.list', { 'aria-labelledby': 'list-title' },
    h('div.list-head', h('h2#list-title', 'Expenses'), totals),
    filters, listErr, table, empty, more, exportsBox);

  main.replaceChildren(h('div.month-view', head,
    h('div.month-grid', addForm, listSection)));

  // ---- rendering
  function syncHeader() {
    // the quick add follows the month on screen (unless a date was typed)
    if (!qa.els.date.dataset.typed) qa.els.date.value = defaultDate(st.month);
    title.textContent = monthLabel(st.month);
    document.title = `${monthLabel(st.month)} · Spend`;
    const q = new URLSearchParams();
    if (st.search) q.set('search', st.search);
    if (st.category) q.set('category', st.category);
    const qs = q.toString() ? `?${q}` : '';
    prev.href = `#/month/${shiftMonth(st.month, -1)}${qs}`;
    next.href = `#/month/${shiftMonth(st.month, 1)}${qs}`;
    prev.setAttribute('aria-label', `Previous month, ${monthLabel(shiftMonth(st.month, -1))}`);
    next.setAttribute('aria-label', `Next month, ${monthLabel(shiftMonth(st.month, 1))}`);
    today.href = `#/month/${thisMonth()}${qs}`;
    today.hidden = st.month === thisMonth();
    const want = `#/month/${st.month}${qs}`;
    if (location.hash !== want) history.replaceState(null, '', want);
    clearBtn.hidden = !st.search && !st.category;
    if (features.exports.length) {
      clear(exportsBox);
      exportsBox.append('Download this month: ');
      features.exports.forEach((f, i) => {
        if (i) exportsBox.append(' · ');
        const label = f.length <= 4 ? f.toUpperCase() : f[0].toUpperCase() + f.slice(1);
        const a = h('a', { href: '#', dataset: { format: f },
          'aria-label': `Download ${monthLabel(st.month)} as ${label}` }, label);
        a.addEventListener('click', (ev) => { ev.preventDefault(); download(f); });
        exportsBox.append(a);
      });
      exportsBox.hidden = false;
    }
  }

  function renderTotals(sum, count) {
    clear(totals);
    const codes = Object.keys(sum || {});
    totals.append(h('span.count', count === 1 ? '1 expense' : `${count} expenses`));
    if (codes.length) {
      const ul = h('ul.sums', { 'aria-label': 'Total per currency' });
      for (const c of codes) ul.append(h('li', { dataset: { currency: c } }, amountCell(sum[c], c)));
      totals.append(ul);
    }
  }

  function row(e) {
    const who = [];
    if (e.payee) who.push(h('span.payee', e.payee));
    if (e.note) who.push(h('span.note', e.note));
    if (e.pending) who.push(pendingBadge(e));
    const label = `${e.payee || e.note || e.category}, ${e.amount} ${e.currency}, ${dayLabel(e.date)}`;
    const edit = h('button.icon.edit', { type: 'button', 'aria-label': `Edit ${label}`, title: 'Edit' },
      h('span', { 'aria-hidden': 'true' }, '✎'));
    edit.addEventListener('click', () => openEdit(e));
    return h('tr', { dataset: { id: e.id } },
      h('td.date', h('time', { datetime: e.date }, dayLabel(e.date))),
      h('td.category', h('span.cat', e.category)),
      h('td.who', who.length ? who : h('span.muted', '—')),
      h('td.tags', e.tags.map((t) => h('span.tag', t))),
      h('td.amount', amountCell(e.amount, e.currency)),
      h('td.act', edit));
  }

  function query(cursor, limit) {
    const q = { month: st.month, limit: limit || PAGE, sort: 'date', order: 'desc' };
    if (st.search) q.search = st.search;
    if (st.category) q.category = st.category;
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
      if (!append) { st.items = []; clear(tbody); }
      st.items.push(...r.items);
      for (const e of r.items) tbody.append(row(e));
      st.next = r.next_cursor || null;
      st.count = r.count;
      renderTotals(r.sum, r.count);
      const filtered = st.search || st.category;
      empty.textContent = filtered ? 'No expense matches these filters this month.'
        : `No expenses in ${monthLabel(st.month)} yet.`;
      empty.hidden = st.items.length > 0;
      table.hidden = st.items.length === 0;
      more.hidden = !st.next;
      more.textContent = `Load more (${st.items.length} of ${r.count} shown)`;
      table.querySelector('caption').textContent =
        `Expenses in ${monthLabel(st.month)}${filtered ? ', filtered' : ''}`;
    } catch (e) {
      if (seq !== st.seq) return;
      listErr.textContent = e.message;
      listErr.hidden = false;
      if (!append) {
        // nothing of another month (rows, "no expenses in ...") stays
        // under the error
        st.items = [];
        st.next = null;
        clear(tbody);
        empty.hidden = true;
        table.hidden = true;
        more.hidden = true;
        totals.replaceChildren();
      }
    } finally {
      if (seq === st.seq) listSection.removeAttribute('aria-busy');
    }
  }

  function reload() { syncHeader(); return load(false); }

  // ---- events
  more.addEventListener('click', () => load(true));
  let searchTimer = 0;
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      st.search = search.value.trim();
      reload();
    }, 250);
  });
  filters.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearTimeout(searchTimer);
    st.search = search.value.trim();
    reload();
  });
  catFilter.addEventListener('change', () => { st.category = catFilter.value; reload(); });
  clearBtn.addEventListener('click', () => {
    search.value = '';
    catFilter.value = '';
    st.search = '';
    st.category = '';
    reload();
    search.focus();
  });

  addForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearErrors(addForm);
    const body = expenseBody(qa.els);
    if (!body.amount) {
      showError(addForm, { field: 'amount', message: 'Enter an amount, for example 12.50.' });
      return;
    }
    if (!body.category) {
      showError(addForm, { field: 'category', message: activeCategories().length
        ? 'Choose a category.' : 'Add a category first (Categories screen).' });
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
        const where = e.date.slice(0, 7) === st.month ? '' : ` (in ${monthLabel(e.date.slice(0, 7))})`;
        toast(`Added ${e.amount} ${e.currency} · ${e.category}${where}`, 'ok');
        qa.els.amount.focus();
        await load(false, true);
        const tr = tbody.querySelector(`tr[data-id="${e.id}"]`);
        if (tr) tr.classList.add('flash');
      } catch (err) {
        showError(addForm, err);
      }
    });
  });

  // ---- edit dialog
  function openEdit(orig) {
    let cur = orig;
    const dlgTitle = h('h2#edit-title', 'Edit expense');
    const msg = h('p.notice', { role: 'alert', hidden: true });
    let f = expenseFields(cur, 'ed');
    const fieldsBox = h('div.fields', f.nodes);
    const save = h('button.primary', { type: 'submit' }, 'Save');
    const cancel = h('button.secondary', { type: 'button' }, 'Cancel');
    const del = h('button.danger', { type: 'button' }, 'Delete');
    const form = h('form', { method: 'dialog', novalidate: true },
      dlgTitle, msg, fieldsBox,
      h('div.actions.split', del, h('span.spacer'), cancel, save));
    const dlg = h('dialog.edit', { 'aria-labelledby': 'edit-title' }, form);
    document.body.append(dlg);
    dlg.addEventListener('close', () => dlg.remove());
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
        msg.textContent = 'This expense was changed somewhere else after you opened it. '
          + 'The latest version is shown now: check it and make your change again.';
        msg.hidden = false;
        del.textContent = 'Delete';
        delete del.dataset.confirm;
      } catch (e2) {
        gone(e2.status === 404 ? null : err);
      }
      load(false, true);
    }

    function gone(err) {
      dlg.close();
      toast(err ? err.message : 'That expense no longer exists: it was deleted elsewhere.', 'warn');
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
          // a new category for a payee no rule knows: offer the rule
          const s = e.suggested_rule;
          toast(`Saved ${e.amount} ${e.currency} · ${e.category}`, 'ok', s && s.payee_contains ? {
            label: `Always put “${s.payee_contains}” in ${s.category}`,
            run: async () => {
              try {
                await api('POST', '/rules', { body: { payee_contains: s.payee_contains, category: s.category } });
                toast(`Rule added: “${s.payee_contains}” goes to ${s.category}.`, 'ok');
              } catch (err) { toast(err.message, 'warn'); }
            },
          } : undefined);
          await load(false, true);
        } catch (err) {
          if (err.status === 412) await stale(err);
          else if (err.status === 404) gone(null);
          else showError(form, err);
        }
      });
    });

    del.addEventListener('click', () => {
      if (!del.dataset.confirm) {
        del.dataset.confirm = '1';
        del.textContent = 'Really delete?';
        del.focus();
        return;
      }
      busy(form, async () => {
        try {
          await api('DELETE', `/expenses/${cur.id}`, {
            query: { version: cur.version },
          });
          dlg.close();
          toast(`Deleted ${cur.amount} ${cur.currency} · ${cur.category}`, 'ok');
          await load(false, true);
        } catch (err) {
          if (err.status === 412) await stale(err);
          else if (err.status === 404) gone(null);
          else showError(form, err);
        }
      });
    });
  }

  // ---- downloads of this month (when spendd has exports)
  async function download(format) {
    try {
      const res = await api('GET', `/exports/${format}`, {
        query: { month: st.month, search: st.search, category: st.category },
        raw: true,
      });
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
    if ([...types].some((t) => t.startsWith('category.'))) {
      try {
        await loadCategories();
        refreshSelect(qa.els.category, categorySelect('category'));
        refreshSelect(catFilter, categorySelect('category', undefined, { any: 'All categories', all: true }));
        if (catFilter.value !== st.category) { st.category = catFilter.value; syncHeader(); }
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
      const s = p.query.get('search') || '';
      const c = p.query.get('category') || '';
      if (m === st.month && s === st.search && c === st.category) return;
      st.month = m; st.search = s; st.category = c;
      search.value = s; catFilter.value = c;
      reload();
    },
    destroy() { unsubscribe(); },
  };
}
