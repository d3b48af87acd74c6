// The budgets screen: each budget's month (spent of available, percent,
// state, projected month end), and a form to set or remove a budget.
// Every amount shown is the server's decimal string; the bar's width is
// the server's percent.
import { api } from './api.js';
import { h, field, clearErrors, showError, busy, toast, clear, keyedRows, moneyNodes } from './dom.js';
import { session, loadCategories, activeCategories } from './session.js';
import { thisMonth, shiftMonth, monthLabel, validMonth, tidyAmount } from './format.js';
import { subscribe } from './events.js';
import { t, amount as fmtAmount, percent } from './i18n.js';

const stateText = (s) => ({ ok: t('budget.stateOk'), near: t('budget.stateNear'), over: t('budget.stateOver') }[s] || s);
const TOTAL = 'total';

function money(amount, currency) {
  if (amount === null || amount === undefined) return h('span.muted', '—');
  return h('span.money', moneyNodes(amount, currency));
}

function nameOf(item) { return item.overall ? t('budget.overall') : item.category; }

export function renderBudgets(main, params) {
  const st = { month: validMonth(params.month) ? params.month : thisMonth(), seq: 0, budgets: [] };

  // ---- month navigation
  const title = h('h2#budgets-month');
  const prev = h('a.btn.icon', { rel: 'prev' }, h('span', { 'aria-hidden': 'true' }, '‹'));
  const next = h('a.btn.icon', { rel: 'next' }, h('span', { 'aria-hidden': 'true' }, '›'));
  const today = h('a.btn.small.today', t('month.this'));
  const head = h('div.month-head', prev, title, next, today);

  // ---- the month's progress
  // the overall budget's bar, a list of one (hidden when there is none)
  const overallList = h('ul.budgets', { 'aria-label': t('dash.overallBudget'), hidden: true });
  const overallBox = h('div.budget-overall', overallList);
  const list = h('ul.budgets', { 'aria-label': t('dash.categoryBudgets') });
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
    required: true, placeholder: t('budgets.placeholder'), class: 'amount-input',
  });
  const rollover = h('input', { type: 'checkbox', name: 'rollover', id: 'bud-rollover' });
  const rollErr = h('p.field-error', { id: 'bud-rollover-err', hidden: true });
  const removeBtn = h('button.danger', { type: 'button', hidden: true }, t('budgets.remove'));
  const form = h('form.card.budget-form', { novalidate: true, 'aria-labelledby': 'bud-form-title' },
    h('h2#bud-form-title', t('budgets.formTitle')),
    formHint,
    h('div.row', field(t('budgets.category'), catSel),
      field(t('budgets.perMonth', { currency: (session.me && session.me.currency) || 'EUR' }), amount)),
    h('div.check', rollover, h('label', { for: 'bud-rollover' }, t('budgets.rollover')), rollErr),
    h('div.actions.split', h('button.primary', { type: 'submit' }, t('budgets.save')), h('span.spacer'), removeBtn));

  main.replaceChildren(h('div.budgets-view', h('h1', t('nav.budgets')), h('div.budgets-grid', progress, form)));

  function fillCategories() {
    const v = catSel.value;
    const opts = [h('option', { value: TOTAL }, t('budget.overall'))];
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
      removeBtn.textContent = t('common.reallyRemove');
      removeBtn.dataset.confirm = '1';
    } else {
      st.confirmRemove = null;
      removeBtn.textContent = t('budgets.remove');
      delete removeBtn.dataset.confirm;
    }
    formHint.textContent = b && b.since && b.since <= st.month
      ? t('budgets.fromOn', { month: monthLabel(b.since) })
      : t('budgets.fromOn', { month: monthLabel(st.month) });
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
    const edit = h('button.secondary.small', { type: 'button', 'aria-label': t('budgets.changeNamed', { name }) }, t('budgets.change'));
    edit.addEventListener('click', () => {
      catSel.value = item.overall ? TOTAL : String(item.category_id);
      syncForm(true);
      amount.focus();
      amount.select();
    });
    const facts = [
      h('span.b-spent', t('budgets.spent'), ' ', money(item.spent, cur)),
      h('span.b-avail', t('budgets.of'), ' ', money(item.available, cur)),
      h('span.b-pct', pct === null ? '' : percent(item.percent)),
    ];
    const more = [];
    more.push(h('span.b-remaining', t('budgets.left'), ' ', money(item.remaining, cur)));
    if (item.rollover && item.carry && !/^-?0(\.0+)?$/.test(item.carry)) {
      more.push(h('span.b-carry', t('budgets.carried'), ' ', money(item.carry, cur)));
    }
    more.push(h('span.b-projected', st.periodName === 'past' ? t('budgets.monthEnd') : t('budgets.projected'), ' ',
      money(item.projected, cur)));
    if (item.to_come && !/^-?0(\.0+)?$/.test(item.to_come)) {
      more.push(h('span.b-tocome', t('budgets.toCome'), ' ', money(item.to_come, cur)));
    }
    const label = t('budget.barLabel', { name, spent: fmtAmount(item.spent, cur), available: fmtAmount(item.available, cur) })
      + `${pct === null ? '' : `, ${percent(item.percent)}`}; ${stateText(item.state)}`;
    return h('li.budget', { dataset: { category: key, state: item.state } },
      h('div.b-head',
        h('h3.b-name', item.overall ? h('span', t('budget.overall')) : h('span.cat', item.category)),
        h('span.b-state', { class: `state-${item.state}` }, stateText(item.state)),
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
      const overall = s.items.find((i) => i.overall);
      // bar() reads the period too: a new one draws the rows anew
      const row = (i) => [i.overall ? TOTAL : i.category, { i, cur, period: st.periodName }];
      const draw = ({ i, cur: c }) => bar(i, c);
      keyedRows(overallList, overall ? [row(overall)] : [], draw);
      overallList.hidden = !overall;
      keyedRows(list, s.items.filter((x) => !x.overall).map(row), draw);
      // widths from the server's percent, set as a property (CSP: no inline style attribute)
      for (const f of progress.querySelectorAll('.b-fill')) f.style.width = `${f.dataset.pct}%`;
      list.hidden = !list.children.length;
      empty.hidden = s.items.length > 0;
      empty.textContent = t('budgets.none', { month: monthLabel(st.month) });
      period.textContent = s.period === 'current'
        ? t('budgets.periodCurrent', { day: s.day, days: s.days })
        : s.period === 'past' ? t('budgets.periodPast')
          : t('budgets.periodFuture');
      clear(unconverted);
      if (s.unconverted && s.unconverted.length) {
        unconverted.append(h('p', t('budgets.notCounted')),
          h('ul', s.unconverted.map((u) => h('li', `${u.category || t('budgets.overallLower')}: ${fmtAmount(u.amount, u.currency)} (${u.what})`))));
      }
      unconverted.hidden = !(s.unconverted && s.unconverted.length);
      syncForm(!form.dataset.touched);
    } catch (e) {
      if (seq !== st.seq) return;
      loadErr.textContent = e.message;
      loadErr.hidden = false;
      clear(overallList);
      overallList.hidden = true;
      clear(list);
      empty.hidden = true;
    } finally {
      if (seq === st.seq) bars.removeAttribute('aria-busy');
    }
  }

  function syncHeader() {
    title.textContent = monthLabel(st.month);
    document.title = t('app.title', { page: `${t('nav.budgets')} · ${monthLabel(st.month)}` });
    prev.href = `#/budgets/${shiftMonth(st.month, -1)}`;
    next.href = `#/budgets/${shiftMonth(st.month, 1)}`;
    prev.setAttribute('aria-label', t('month.prev', { month: monthLabel(shiftMonth(st.month, -1)) }));
    next.setAttribute('aria-label', t('month.next', { month: monthLabel(shiftMonth(st.month, 1)) }));
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
      showError(form, { field: 'amount', message: t('budgets.needAmount') });
      return;
    }
    const name = catSel.value === TOTAL ? t('budgets.theOverall') : catSel.selectedOptions[0].textContent;
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
        toast(t(r.rollover ? 'budgets.savedRolling' : 'budgets.saved', { name, amount: fmtAmount(r.amount, r.currency) }), 'ok');
        await load();
      } catch (e) { showError(form, e); }
    });
  });

  removeBtn.addEventListener('click', () => {
    if (!removeBtn.dataset.confirm) {
      st.confirmRemove = catSel.value;
      removeBtn.dataset.confirm = '1';
      removeBtn.textContent = t('common.reallyRemove');
      removeBtn.focus();
      return;
    }
    st.confirmRemove = null;
    const name = catSel.value === TOTAL ? t('budgets.theOverall') : catSel.selectedOptions[0].textContent;
    busy(form, async () => {
      try {
        await api('DELETE', `/budgets/${encodeURIComponent(catSel.value)}`);
        delete form.dataset.touched;
        toast(t('budgets.removed', { name }), 'ok');
        await load();
        catSel.focus(); // the button is gone with the budget
      } catch (e) { showError(form, e); }
    });
  });

  // ---- live: an expense added, edited or deleted anywhere moves the bars
  const unsubscribe = subscribe(async (types) => {
    if ([...types].some((ty) => ty.startsWith('category.'))) {
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
