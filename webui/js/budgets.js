// The budgets screen: each budget's month (spent of available, percent,
// state, projected month end), and a form to set or remove a budget.
// Every amount shown is the server's decimal string; the bar's width is
// the server's percent.
import { api } from './api.js';
import { h, field, clearErrors, showError, busy, toast, clear } from './dom.js';
import { session, loadCategories, activeCategories } from './session.js';
import { thisMonth, shiftMonth, monthLabel, validMonth, tidyAmount } from './format.js';
import { subscribe } from './events.js';

const STATE_TEXT = { ok: 'On track', near: 'Near the limit', over: 'Over budget' };
const TOTAL = 'total';

function money(amount, currency) {
  if (amount === null || amount === undefined) return h('span.muted', '—');
  return h('span.money', h('span.num', amount), ' ', h('abbr.cur', { title: currency }, currency));
}

function nameOf(item) { return item.overall ? 'Overall' : item.category; }

export function renderBudgets(main, params) {
  const st = { month: validMonth(params.month) ? params.month : thisMonth(), seq: 0, budgets: [] };

  // ---- month navigation
  const title = h('h2#budgets-month');
  const prev = h('a.btn.icon', { rel: 'prev' }, h('span', { 'aria-hidden': 'true' }, '‹'));
  const next = h('a.btn.icon', { rel: 'next' }, h('span', { 'aria-hidden': 'true' }, '›'));
  const today = h('a.btn.small.today', 'This month');
  const head = h('div.month-head', prev, title, next, today);

  // ---- the month's progress
  const overallBox = h('div.budget-overall');
  const list = h('ul.budgets', { 'aria-label': 'Category budgets' });
  const empty = h('p.empty', { hidden: true });
  const period = h('p.hint.budget-period');
  const unconverted = h('div.notice', { hidden: true });
  const loadErr = h('p.form-error', { role: 'alert', hidden: true });
  const bars = h('div.budget-bars', { 'aria-live': 'polite' }, loadErr, overallBox, list, empty, unconverted);
  const progress = h('section.card.budget-progress', { 'aria-labelledby': 'budgets-month' },
    head, period, bars);

  // ---- set a budget
  const catSel = h('select', { name: 'category', id: 'bud-category' });
  const formHint = h('p.hint');
  const amount = h('input', {
    name: 'amount', id: 'bud-amount', inputmode: 'decimal', autocomplete: 'off',
    required: true, placeholder: '0.00', class: 'amount-input',
  });
  const rollover = h('input', { type: 'checkbox', name: 'rollover', id: 'bud-rollover' });
  const rollErr = h('p.field-error', { id: 'bud-rollover-err', hidden: true });
  const removeBtn = h('button.danger', { type: 'button', hidden: true }, 'Remove budget');
  const form = h('form.card.budget-form', { novalidate: true, 'aria-labelledby': 'bud-form-title' },
    h('h2#bud-form-title', 'Set a monthly budget'),
    formHint,
    h('div.row', field('Category', catSel),
      field(`Per month (${(session.me && session.me.currency) || 'EUR'})`, amount)),
    h('div.check', rollover, h('label', { for: 'bud-rollover' }, 'Roll over: what is left (or overspent) carries into the next month'), rollErr),
    h('div.actions.split', h('button.primary', { type: 'submit' }, 'Save budget'), h('span.spacer'), removeBtn));

  main.replaceChildren(h('div.budgets-view', h('h1', 'Budgets'), h('div.budgets-grid', progress, form)));

  function fillCategories() {
    const v = catSel.value;
    const opts = [h('option', { value: TOTAL }, 'Overall')];
    for (const c of [...activeCategories()].sort((a, b) => a.name.localeCompare(b.name))) {
      opts.push(h('option', { value: String(c.id), dataset: { name: c.name } }, c.name));
    }
    catSel.replaceChildren(...opts);
    if (v) catSel.value = v;
    if (!catSel.value) {
      const food = activeCategories().length ? [...catSel.options].find((o) => o.value !== TOTAL) : null;
      catSel.value = food ? food.value : TOTAL;
    }
  }

  // the budget the form's category has, if any
  function budgetOf(value) {
    if (value === TOTAL) return st.budgets.find((b) => b.overall) || null;
    return st.budgets.find((b) => !b.overall && String(b.category_id) === value) || null;
  }

  function syncForm(fill) {
    const b = budgetOf(catSel.value);
    removeBtn.hidden = !b;
    // a pending "Really remove?" outlives a redraw (a live event between
    // the two clicks), not a change of category
    if (b && st.confirmRemove === catSel.value) {
      removeBtn.textContent = 'Really remove?';
      removeBtn.dataset.confirm = '1';
    } else {
      st.confirmRemove = null;
      removeBtn.textContent = 'Remove budget';
      delete removeBtn.dataset.confirm;
    }
    formHint.textContent = b && b.since && b.since <= st.month
      ? `The amount is the budget of every month from ${monthLabel(b.since)} on.`
      : `The amount is the budget of every month from ${monthLabel(st.month)} on.`;
    if (fill) {
      amount.value = b && b.amount !== null ? b.amount : '';
      rollover.checked = !!(b && b.rollover);
    }
  }

  function bar(item, cur) {
    const pct = item.percent === null ? null : Number(item.percent);
    const width = pct === null ? 0 : Math.max(0, Math.min(100, pct));
    const name = nameOf(item);
    const key = item.overall ? TOTAL : item.category;
    const edit = h('button.secondary.small', { type: 'button', 'aria-label': `Change the ${name} budget` }, 'Change');
    edit.addEventListener('click', () => {
      catSel.value = item.overall ? TOTAL : String(item.category_id);
      syncForm(true);
      amount.focus();
      amount.select();
    });
    const facts = [
      h('span.b-spent', 'Spent ', money(item.spent, cur)),
      h('span.b-avail', 'of ', money(item.available, cur)),
      h('span.b-pct', pct === null ? '' : `${pct}%`),
    ];
    const more = [];
    more.push(h('span.b-remaining', 'Left: ', money(item.remaining, cur)));
    if (item.rollover && item.carry && !/^-?0(\.0+)?$/.test(item.carry)) {
      more.push(h('span.b-carry', 'Carried over: ', money(item.carry, cur)));
    }
    more.push(h('span.b-projected', st.periodName === 'past' ? 'Month end: ' : 'Projected month end: ',
      money(item.projected, cur)));
    if (item.to_come && !/^-?0(\.0+)?$/.test(item.to_come)) {
      more.push(h('span.b-tocome', 'Recurring to come: ', money(item.to_come, cur)));
    }
    const label = `${name}: spent ${item.spent} of ${item.available} ${cur}`
      + `${pct === null ? '' : `, ${pct}%`}; ${STATE_TEXT[item.state] || item.state}`;
    return h('li.budget', { dataset: { category: key, state: item.state } },
      h('div.b-head',
        h('h3.b-name', item.overall ? h('span', 'Overall') : h('span.cat', item.category)),
        h('span.b-state', { class: `state-${item.state}` }, STATE_TEXT[item.state] || item.state),
        edit),
      h('div.b-bar', { role: 'img', 'aria-label': label },
        h('div.b-fill', { class: `state-${item.state}`, dataset: { pct: width } })),
      h('p.b-facts', facts),
      h('p.b-more', more));
  }

  async function load() {
    const seq = ++st.seq;
    bars.setAttribute('aria-busy', 'true');
    try {
      const [s, bl] = await Promise.all([
        api('GET', '/budgets/status', { query: { month: st.month } }),
        api('GET', '/budgets'),
      ]);
      if (seq !== st.seq) return;
      loadErr.hidden = true;
      st.budgets = bl.items || [];
      st.periodName = s.period;
      const cur = s.currency;
      clear(overallBox);
      clear(list);
      const overall = s.items.find((i) => i.overall);
      if (overall) overallBox.append(h('ul.budgets', { 'aria-label': 'Overall budget' }, bar(overall, cur)));
      for (const i of s.items.filter((x) => !x.overall)) list.append(bar(i, cur));
      // widths from the server's percent, set as a property (CSP: no inline style attribute)
      for (const f of progress.querySelectorAll('.b-fill')) f.style.width = `${f.dataset.pct}%`;
      list.hidden = !list.children.length;
      empty.hidden = s.items.length > 0;
      empty.textContent = `No budget in ${monthLabel(st.month)} yet: set one with the form.`;
      period.textContent = s.period === 'current'
        ? `Day ${s.day} of ${s.days}. The projection scales what was spent so far to the whole month and adds the recurring expenses still to come.`
        : s.period === 'past' ? 'A past month: the month end is what was spent.'
          : 'A month still to come: the projection counts the recurring expenses due in it.';
      clear(unconverted);
      if (s.unconverted && s.unconverted.length) {
        unconverted.append(h('p', 'Not counted (no exchange rate yet):'),
          h('ul', s.unconverted.map((u) => h('li', `${u.category || 'overall'}: ${u.amount} ${u.currency} (${u.what})`))));
      }
      unconverted.hidden = !(s.unconverted && s.unconverted.length);
      syncForm(!form.dataset.touched);
    } catch (e) {
      if (seq !== st.seq) return;
      loadErr.textContent = e.message;
      loadErr.hidden = false;
      clear(overallBox);
      clear(list);
      empty.hidden = true;
    } finally {
      if (seq === st.seq) bars.removeAttribute('aria-busy');
    }
  }

  function syncHeader() {
    title.textContent = monthLabel(st.month);
    document.title = `Budgets · ${monthLabel(st.month)} · Spend`;
    prev.href = `#/budgets/${shiftMonth(st.month, -1)}`;
    next.href = `#/budgets/${shiftMonth(st.month, 1)}`;
    prev.setAttribute('aria-label', `Previous month, ${monthLabel(shiftMonth(st.month, -1))}`);
    next.setAttribute('aria-label', `Next month, ${monthLabel(shiftMonth(st.month, 1))}`);
    today.href = `#/budgets/${thisMonth()}`;
    today.hidden = st.month === thisMonth();
    const want = `#/budgets/${st.month}`;
    if (location.hash !== want) history.replaceState(null, '', want);
  }

  // ---- the form
  catSel.addEventListener('change', () => { clearErrors(form); delete form.dataset.touched; syncForm(true); });
  amount.addEventListener('input', () => { form.dataset.touched = '1'; });
  rollover.addEventListener('change', () => { form.dataset.touched = '1'; });

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const a = tidyAmount(amount.value, session.me && session.me.currency);
    if (!a) {
      showError(form, { field: 'amount', message: 'Enter the monthly amount, for example 300.00.' });
      return;
    }
    const name = catSel.value === TOTAL ? 'the overall budget' : catSel.selectedOptions[0].textContent;
    // a new budget starts in the month on screen; an old one reaches back to it
    const b = budgetOf(catSel.value);
    const body = { amount: a, rollover: rollover.checked };
    if (!b || (b.since && st.month < b.since)) body.since = st.month;
    busy(form, async () => {
      try {
        const r = await api('PUT', `/budgets/${encodeURIComponent(catSel.value)}`, {
          body,
        });
        delete form.dataset.touched;
        toast(`Saved ${name}: ${r.amount} ${r.currency} a month${r.rollover ? ', rolling over' : ''}`, 'ok');
        await load();
      } catch (e) { showError(form, e); }
    });
  });

  removeBtn.addEventListener('click', () => {
    if (!removeBtn.dataset.confirm) {
      st.confirmRemove = catSel.value;
      removeBtn.dataset.confirm = '1';
      removeBtn.textContent = 'Really remove?';
      removeBtn.focus();
      return;
    }
    st.confirmRemove = null;
    const name = catSel.value === TOTAL ? 'the overall budget' : catSel.selectedOptions[0].textContent;
    busy(form, async () => {
      try {
        await api('DELETE', `/budgets/${encodeURIComponent(catSel.value)}`);
        delete form.dataset.touched;
        toast(`Removed the budget of ${name}`, 'ok');
        await load();
        catSel.focus(); // the button is gone with the budget
      } catch (e) { showError(form, e); }
    });
  });

  // ---- live: an expense added, edited or deleted anywhere moves the bars
  const unsubscribe = subscribe(async (types) => {
    if ([...types].some((t) => t.startsWith('category.'))) {
      try { await loadCategories(); fillCategories(); } catch (e) { /* load() reports */ }
    }
    load();
  });

  fillCategories();
  syncHeader();
  load();

  return {
    update(p) {
      const m = validMonth(p.month) ? p.month : thisMonth();
      if (m === st.month) return;
      st.month = m;
      syncHeader();
      syncForm(false);
      load();
    },
    destroy() { unsubscribe(); },
  };
}
