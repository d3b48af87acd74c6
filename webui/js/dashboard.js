// The dashboard, the landing page: this month's total against the overall
// budget, a bar per category budget, the categories' donut, the month's
// cumulative daily line against last month's, the recurring expenses of
// the next 30 days and a quick add. Every amount shown is the server's
// decimal string (budget.status, the summary, breakdown and trend reports,
// recurring.upcoming); numbers are made of them only for the charts'
// geometry. Follows live events.
import { api, newKey } from './api.js';
import { h, clearErrors, showError, busy, toast, clear, moneyNodes } from './dom.js';
import { session, pref, loadCategories, activeCategories } from './session.js';
import { thisMonth, shiftMonth, monthLabel, dayLabel, todayISO, isRefund } from './format.js';
import { expenseFields, expenseBody, categorySelect, rememberCurrency } from './expenseform.js';
import { subscribe } from './events.js';
import { donut, line, PALETTE } from './charts.js';
import { t, amount, number, percent } from './i18n.js';

const stateText = (s) => ({ ok: t('budget.stateOk'), near: t('budget.stateNear'), over: t('budget.stateOver') }[s] || s);
const UPCOMING_DAYS = 30;

function money(amount, currency) {
  if (amount === null || amount === undefined) return h('span.muted', '—');
  return h('span.money', { class: isRefund(amount) ? 'refund' : null },
    moneyNodes(amount, currency));
}

const daysIn = (m) => new Date(Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5, 7)), 0)).getUTCDate();

// a budget's bar, in the budgets page's markup (its CSS)
function bar(item, cur) {
  const pct = item.percent === null ? null : Number(item.percent);
  const width = pct === null ? 0 : Math.max(0, Math.min(100, pct));
  const name = item.overall ? t('budget.overall') : item.category;
  const label = t('budget.barLabel', { name, spent: amount(item.spent, cur), available: amount(item.available, cur) })
    + `${pct === null ? '' : `, ${percent(item.percent)}`}; ${stateText(item.state)}`;
  return h('li.budget', { dataset: { category: item.overall ? 'total' : item.category, state: item.state } },
    h('div.b-head',
      h('h3.b-name', item.overall ? h('span', t('budget.overall')) : h('span.cat', item.category)),
      h('span.b-state', { class: `state-${item.state}` }, stateText(item.state))),
    h('div.b-bar', { role: 'img', 'aria-label': label },
      h('div.b-fill', { class: `state-${item.state}`, dataset: { pct: width } })),
    h('p.b-facts',
      h('span.b-spent', money(item.spent, cur)),
      h('span.b-avail', '/ ', money(item.available, cur)),
      h('span.b-pct', pct === null ? '' : percent(item.percent))));
}

export function renderDashboard(main) {
  const st = { month: thisMonth(), seq: 0 };

  // ---- this month
  const title = h('h1#dash-title');
  const headline = h('div.dash-total', { 'aria-live': 'polite' });
  const overallBox = h('ul.budgets.dash-overall', { 'aria-label': t('dash.overallBudget') });
  const loadErr = h('p.form-error', { role: 'alert', hidden: true });
  const unconverted = h('div.notice', { hidden: true });
  const totalCard = h('section.card.dash-month', { 'aria-labelledby': 'dash-total-title' },
    h('h2#dash-total-title', t('dash.spentThisMonth')), loadErr, headline, overallBox, unconverted);

  // ---- category budgets
  const bars = h('ul.budgets.dash-bars', { 'aria-label': t('dash.categoryBudgets') });
  const barsEmpty = h('p.empty', { hidden: true });
  const budgetsLink = h('a', t('dash.allBudgets'));
  const barsCard = h('section.card.dash-budgets', { 'aria-labelledby': 'dash-budgets-title' },
    h('div.card-head', h('h2#dash-budgets-title', t('nav.budgets')), budgetsLink), bars, barsEmpty);

  // ---- charts
  const donutBox = h('div.chart-box');
  const donutCard = h('section.card.dash-donut', { 'aria-labelledby': 'dash-donut-title' },
    h('h2#dash-donut-title', t('dash.byCategory')), donutBox);
  const lineBox = h('div.chart-box');
  const lineCard = h('section.card.dash-line', { 'aria-labelledby': 'dash-line-title' },
    h('h2#dash-line-title', t('dash.dayByDay')), lineBox);

  // ---- upcoming
  const upList = h('ul.upcoming', { 'aria-labelledby': 'dash-up-title' });
  const upEmpty = h('p.empty', { hidden: true }, t('dash.nothingDue', { count: UPCOMING_DAYS }));
  const upSum = h('p.up-sum');
  const upCard = h('section.card.dash-upcoming', { 'aria-labelledby': 'dash-up-title' },
    h('div.card-head', h('h2#dash-up-title', t('dash.dueNext', { count: UPCOMING_DAYS })),
      h('a', { href: '#/recurring' }, t('dash.allRecurring'))), upSum, upList, upEmpty);

  // ---- quick add
  const qa = expenseFields(null, 'dqa');
  const addForm = h('form.card.quick-add.dash-add', { novalidate: true, 'aria-labelledby': 'dqa-title' },
    h('h2#dqa-title', t('dash.addTitle')),
    qa.nodes,
    h('div.actions', h('button.primary', { type: 'submit' }, t('dash.addSubmit'))));

  main.replaceChildren(h('div.dashboard-view',
    h('div.dash-head', title, h('a.btn.small', { href: `#/month/${st.month}` }, t('dash.allExpenses'))),
    h('div.dash-grid',
      h('div.dash-col', totalCard, lineCard, barsCard),
      h('div.dash-col', addForm, donutCard, upCard))));

  function syncHeader() {
    title.textContent = monthLabel(st.month);
    document.title = t('app.title', { page: `${t('nav.dashboard')} · ${monthLabel(st.month)}` });
    budgetsLink.href = `#/budgets/${st.month}`;
  }

  function showStatus(s, sum) {
    const cur = s.currency;
    clear(headline);
    headline.append(h('p.dash-amount', money(sum.total, sum.currency)),
      h('p.hint.dash-count', `${t('dash.count', { count: sum.count })}, `
        + t('dash.perDay', { amount: amount(sum.per_day, sum.currency) })
        + `${sum.previous ? `; ${t('dash.previous', { month: monthLabel(shiftMonth(st.month, -1)), amount: amount(sum.previous.total, sum.currency) })}` : ''}`));
    clear(overallBox);
    const overall = s.items.find((i) => i.overall);
    if (overall) overallBox.append(bar(overall, cur));
    else overallBox.append(h('li.hint.dash-nobudget', t('dash.noOverall'), ' ', h('a', { href: `#/budgets/${st.month}` }, t('dash.setOne'))));
    clear(bars);
    const cats = s.items.filter((i) => !i.overall);
    for (const i of cats) bars.append(bar(i, cur));
    bars.hidden = !cats.length;
    barsEmpty.hidden = cats.length > 0;
    clear(barsEmpty);
    barsEmpty.append(t('dash.noCategoryBudget'), ' ', h('a', { href: `#/budgets/${st.month}` }, t('dash.setOne')));
    for (const f of main.querySelectorAll('.b-fill')) f.style.width = `${f.dataset.pct}%`;
    // what could not be counted (no exchange rate): listed, not guessed
    clear(unconverted);
    const un = [...(sum.unconverted || []).map((u) => `${amount(u.sum, u.currency)} (${t('dash.count', { count: u.count })})`)];
    if (un.length) unconverted.append(h('p', t('dash.notCounted')), h('ul', un.map((u) => h('li', u))));
    unconverted.hidden = !un.length;
  }

  function showDonut(b) {
    clear(donutBox);
    const slices = b.items.map((i, k) => ({
      label: i.label, value: i.amount, share: i.percent, colour: PALETTE[k % PALETTE.length],
    }));
    donutBox.append(donut(slices, {
      title: t('dash.donutTitle', { month: monthLabel(st.month) }), currency: b.currency,
      empty: t('dash.noExpensesIn', { month: monthLabel(st.month) }),
      centre: b.items.length ? number(b.total) : null, centreSub: b.currency,
    }));
  }

  function showLine(now, before) {
    clear(lineBox);
    // x: the days of this month (or of last month, when it had more)
    const len = Math.max(daysIn(st.month), before.labels.length);
    const labels = Array.from({ length: len }, (_, i) => String(i + 1));
    const pad = (vals) => labels.map((_, i) => (i < vals.length ? vals[i] : null));
    const prev = shiftMonth(st.month, -1);
    lineBox.append(line({
      labels,
      series: [
        { name: monthLabel(st.month), values: pad(now.total.values), colour: PALETTE[0] },
        { name: monthLabel(prev), values: pad(before.total.values), colour: PALETTE[1], dashed: true },
      ],
    }, {
      title: t('dash.lineTitle', { month: monthLabel(st.month), prev: monthLabel(prev) }),
      currency: now.currency, labelEvery: 5,
      desc: t('dash.lineDesc'),
      empty: t('dash.lineEmpty'),
    }));
  }

  function showUpcoming(u) {
    clear(upList);
    for (const i of u.items) {
      upList.append(h('li.up-item', { dataset: { rule: i.rule_id, date: i.date } },
        h('time.date', { datetime: i.date }, dayLabel(i.date)),
        h('span.up-who', i.payee || i.note || i.category),
        h('span.cat', i.category),
        money(i.amount, i.currency)));
    }
    upEmpty.hidden = u.items.length > 0;
    clear(upSum);
    const codes = Object.keys(u.sum || {});
    if (codes.length) {
      upSum.append(t('dash.due', { count: u.count }), ' ');
      codes.forEach((c, i) => { if (i) upSum.append(' + '); upSum.append(money(u.sum[c], c)); });
    }
    upSum.hidden = !codes.length;
  }

  async function load() {
    const seq = ++st.seq;
    const m = st.month;
    const prev = shiftMonth(m, -1);
    const today = todayISO();
    const to = today.slice(0, 7) === m ? today : `${m}-${daysIn(m)}`;
    const report = (name, query) => api('GET', `/reports/${name}`, { query });
    main.querySelector('.dash-grid').setAttribute('aria-busy', 'true');
    try {
      const [s, sum, b, now, before, u] = await Promise.all([
        api('GET', '/budgets/status', { query: { month: m } }),
        report('summary', { month: m }),
        report('breakdown', { month: m }),
        report('trend', { from: `${m}-01`, to, by: 'day', cumulative: 'yes' }),
        report('trend', { month: prev, by: 'day', cumulative: 'yes' }),
        api('GET', '/recurring/upcoming', { query: { days: UPCOMING_DAYS } }),
      ]);
      if (seq !== st.seq) return;
      loadErr.hidden = true;
      showStatus(s, sum);
      showDonut(b);
      showLine(now, before);
      showUpcoming(u);
    } catch (e) {
      if (seq !== st.seq) return;
      loadErr.textContent = e.message;
      loadErr.hidden = false;
    } finally {
      if (seq === st.seq) main.querySelector('.dash-grid')?.removeAttribute('aria-busy');
    }
  }

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
        qa.els.date.value = todayISO();
        toast(t('expense.added', { amount: amount(e.amount, e.currency), category: e.category }), 'ok');
        qa.els.amount.focus();
        await load();
      } catch (err) {
        showError(addForm, err);
      }
    });
  });

  const unsubscribe = subscribe(async (types) => {
    if ([...types].some((t) => t.startsWith('category.'))) {
      try {
        await loadCategories();
        const v = qa.els.category.value;
        qa.els.category.replaceChildren(...categorySelect('category', v || undefined).children);
        if (v) qa.els.category.value = v;
      } catch (e) { /* load() reports */ }
    }
    load();
  });

  syncHeader();
  load();

  return {
    update() {
      if (st.month !== thisMonth()) { st.month = thisMonth(); syncHeader(); }
      load();
    },
    destroy() { unsubscribe(); },
  };
}
