// The recurring screen: the rules with their schedule in words and next
// date; add, edit, pause or resume, skip the next date, delete; and what
// is due in the next 30 days.
import { api, newKey } from './api.js';
import { h, field, clearErrors, showError, busy, toast, clear, keyedRows, moneyNodes } from './dom.js';
import { session, loadCategories, activeCategories } from './session.js';
import { todayISO, dayLabel, tidyAmount, isRefund } from './format.js';
import { categorySelect } from './expenseform.js';
import { subscribe } from './events.js';
import { t, date, ordinal, list } from './i18n.js';

const UNITS = ['day', 'week', 'month', 'year'];
// 2024-01-01 was a Monday: the weekdays' names in the UI's language
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const dayName = (d) => (WEEKDAYS.includes(d) ? date(`2024-01-0${WEEKDAYS.indexOf(d) + 1}`, 'weekday') : d);
const UPCOMING_DAYS = 30;

// "Every 2 weeks on Monday and Thursday, until 31 December 2026"
export function scheduleWords(r) {
  let s = UNITS.includes(r.every) ? t(`rec.every.${r.every}`, { count: r.interval || 1 })
    : `${r.every} × ${r.interval}`;
  const startDay = r.start ? Number(r.start.slice(8, 10)) : null;
  if (r.every === 'week') {
    const days = r.on ? r.on.split(',').map((d) => dayName(d.trim()))
      : (r.start ? [date(r.start, 'weekday')] : []);
    if (days.length) s += ` ${t('rec.onDays', { days: list(days) })}`;
  } else if (r.every === 'month') {
    if (r.on === 'last') s += ` ${t('rec.onLastDay')}`;
    else if (r.on || startDay) s += ` ${t('rec.onNth', { nth: ordinal(Number(r.on || startDay)) })}`;
  } else if (r.every === 'year' && r.start) {
    if (r.on === 'last') s += ` ${t('rec.onLastDayOf', { month: date(r.start, 'monthName') })}`;
    else {
      const day = Number(r.on || startDay);
      // the day as asked (29-31 too), in the month of the start
      const shown = date(`${r.start.slice(0, 8)}${String(Math.min(day, 28)).padStart(2, '0')}`, 'dayMonth')
        .replace(/\d+/, String(day));
      s += ` ${t('rec.onDate', { date: shown })}`;
    }
  }
  if (r.end) s += t('rec.until', { date: date(r.end, 'long') });
  else if (r.count) s += t('rec.times', { count: r.count });
  return s;
}

function money(amount, currency) {
  return h('span.money', { class: isRefund(amount) ? 'refund' : null },
    moneyNodes(amount, currency));
}

// The fields of a rule, for the add form and the edit dialog.
function ruleFields(r, prefix) {
  const els = {
    amount: h('input', { name: 'amount', id: `${prefix}-amount`, inputmode: 'decimal', autocomplete: 'off',
      required: true, placeholder: t('budgets.placeholder'), class: 'amount-input', value: r ? r.amount : '' }),
    category: categorySelect('category', r ? r.category : undefined),
    every: h('select', { name: 'every', id: `${prefix}-every` },
      UNITS.map((u) => h('option', { value: u }, t(`rec.every.${u}`, { count: 1 })))),
    interval: h('input', { name: 'interval', id: `${prefix}-interval`, type: 'number', min: 1, max: 1000,
      inputmode: 'numeric', value: r ? r.interval : 1 }),
    on: h('input', { name: 'on', id: `${prefix}-on`, autocomplete: 'off', value: r && r.on ? r.on : '',
      placeholder: t('rec.onPlaceholder') }),
    start: h('input', { name: 'start', id: `${prefix}-start`, type: 'date', value: r ? r.start : todayISO() }),
    payee: h('input', { name: 'payee', id: `${prefix}-payee`, autocomplete: 'off', maxlength: 200, value: r ? r.payee : '' }),
    note: h('input', { name: 'note', id: `${prefix}-note`, autocomplete: 'off', maxlength: 1000, value: r ? r.note : '' }),
  };
  els.category.id = `${prefix}-category`;
  els.every.value = r ? r.every : 'month';
  if (!r && !els.category.value && els.category.options.length) els.category.selectedIndex = 0;
  const cur = (r && r.currency) || (session.me && session.me.currency) || 'EUR';
  const nodes = [
    h('div.row', field(t('rec.amount', { currency: cur }), els.amount), field(t('budgets.category'), els.category)),
    h('div.row', field(t('rec.repeats'), els.every), field(t('rec.interval'), els.interval, t('rec.intervalHint'))),
    h('div.row', field(t('rec.on'), els.on, t('rec.onHint')),
      field(t('rec.start'), els.start)),
    h('div.row', field(t('rec.payee'), els.payee), field(t('rec.note'), els.note)),
  ];
  return { els, nodes };
}

// The request body; with `orig`, only what changed.
function ruleBody(els, orig) {
  const b = {
    amount: tidyAmount(els.amount.value, orig ? orig.currency : (session.me && session.me.currency)),
    category: els.category.value,
    every: els.every.value,
    interval: Number(els.interval.value || 1),
    on: els.on.value.trim().toLowerCase().replace(/\s+/g, ''),
    start: els.start.value,
    payee: els.payee.value.trim(),
    note: els.note.value.trim(),
  };
  if (!orig) {
    for (const k of ['on', 'payee', 'note', 'start']) if (!b[k]) delete b[k];
    return b;
  }
  const out = {};
  for (const [k, v] of Object.entries(b)) {
    const was = orig[k] === null || orig[k] === undefined ? '' : orig[k];
    if (k === 'on' && v === '' && was !== '') continue; // the server keeps "on" unless told a new one
    if (v !== was) out[k] = v;
  }
  return out;
}

function check(form, body) {
  if (!body.amount && body.amount !== undefined) {
    showError(form, { field: 'amount', message: t('rec.needAmount') });
    return false;
  }
  if (body.category === '' || (body.category === undefined && !form.querySelector('[name=category]').value)) {
    showError(form, { field: 'category', message: t('expense.addCategoryFirst') });
    return false;
  }
  if (body.interval !== undefined && !(Number.isInteger(body.interval) && body.interval >= 1 && body.interval <= 1000)) {
    showError(form, { field: 'interval', message: t('rec.needInterval') });
    return false;
  }
  return true;
}

export function renderRecurring(main) {
  document.title = t('app.title', { page: t('nav.recurring') });
  const st = { rules: [], seq: 0 };

  // ---- add
  let addF = ruleFields(null, 'rn');
  const addFields = h('div.fields', addF.nodes);
  const addForm = h('form.card.recurring-form', { novalidate: true, 'aria-labelledby': 'rn-title' },
    h('h2#rn-title', t('rec.new')),
    addFields,
    h('div.actions', h('button.primary', { type: 'submit' }, t('rec.add'))));

  // ---- the rules
  const list = h('ul.rules', { 'aria-labelledby': 'rules-title' });
  const empty = h('p.empty', { hidden: true }, t('rec.none'));
  const loadErr = h('p.form-error', { role: 'alert', hidden: true });
  const rulesBox = h('section.card', { 'aria-labelledby': 'rules-title' },
    h('h2#rules-title', { tabindex: '-1' }, t('rec.rules')), loadErr, list, empty);

  // ---- upcoming
  const upList = h('ul.upcoming', { 'aria-labelledby': 'upcoming-title' });
  const upEmpty = h('p.empty', { hidden: true }, t('dash.nothingDue', { count: UPCOMING_DAYS }));
  const upSum = h('p.up-sum');
  const upBox = h('section.card', { 'aria-labelledby': 'upcoming-title' },
    h('h2#upcoming-title', t('rec.nextDays', { count: UPCOMING_DAYS })), upSum, upList, upEmpty);

  main.replaceChildren(h('div.recurring-view', h('h1', t('nav.recurring')),
    h('div.recurring-grid', h('div', rulesBox, upBox), addForm)));

  function item(r) {
    const who = r.payee || r.note || r.category;
    const state = r.error ? h('span.b-state.state-over', t('rec.stopped', { error: r.error }))
      : r.paused ? h('span.b-state.state-near.r-paused', t('rec.paused'))
        : r.next ? h('span.r-next', t('rec.next'), ' ', h('time', { datetime: r.next }, dayLabel(r.next)))
          : h('span.muted', t('rec.finished'));
    const edit = h('button.secondary.small', { type: 'button', dataset: { act: 'edit' }, 'aria-label': t('rec.editNamed', { name: who }) }, t('rec.edit'));
    // a stopped rule (its category archived or deleted) starts again with resume
    const resumes = r.paused || !!r.error;
    const pause = h('button.secondary.small', { type: 'button', dataset: { act: 'pause' },
      'aria-label': t(resumes ? 'rec.resumeNamed' : 'rec.pauseNamed', { name: who }) }, resumes ? t('rec.resume') : t('rec.pause'));
    const skip = h('button.secondary.small', { type: 'button', dataset: { act: 'skip' }, 'aria-label': t('rec.skipNamed', { name: who }), hidden: !r.next || r.paused },
      t('rec.skip'));
    const del = h('button.danger.small', { type: 'button', 'aria-label': t('rec.deleteNamed', { name: who }) }, t('common.delete'));
    const form = h('form.rule-row', { novalidate: true },
      h('div.r-main',
        h('span.r-what', h('span.payee', who), ' ', money(r.amount, r.currency), ' ', h('span.cat', r.category)),
        h('span.r-sched', scheduleWords(r)),
        r.note && r.payee ? h('span.note', r.note) : null,
        state),
      h('div.cat-actions', edit, pause, skip, del));
    const li = h('li.rule', { dataset: { id: r.id, paused: r.paused ? '1' : '0', next: r.next || '' } }, form);

    // after an action the list is drawn anew: the keyboard stays where it was
    // (on the same button of the same rule, or on the list when it is gone)
    const act = (label, fn, again) => busy(form, async () => {
      clearErrors(form);
      try {
        await fn();
        toast(label, 'ok');
        await load();
        const b = list.querySelector(`li.rule[data-id="${r.id}"] [data-act="${again}"]`);
        if (b && !b.hidden) b.focus();
        else if (list.querySelector(`li.rule[data-id="${r.id}"] [data-act="edit"]`)) {
          list.querySelector(`li.rule[data-id="${r.id}"] [data-act="edit"]`).focus();
        } else rulesBox.querySelector('h2').focus();
      } catch (e) {
        if (e.status === 412 || e.status === 404) {
          toast(t('rec.conflict'), 'warn');
          await load();
        } else showError(form, e);
      }
    });
    edit.addEventListener('click', () => openEdit(r));
    pause.addEventListener('click', () => act(t(resumes ? 'rec.resumed' : 'rec.pausedNamed', { name: who }),
      () => api('POST', `/recurring/${r.id}/${resumes ? 'resume' : 'pause'}`, { body: { version: r.version } }), 'pause'));
    skip.addEventListener('click', () => act(t('rec.skipped', { name: who, date: dayLabel(r.next) }),
      () => api('POST', `/recurring/${r.id}/skip`, { body: { version: r.version } }), 'skip'));
    // "Really delete?" outlives a redraw (a live event between the two clicks)
    const asking = () => {
      del.dataset.confirm = '1';
      del.dataset.act = 'delete';
      del.textContent = t('common.reallyDelete');
      del.removeAttribute('aria-label'); // the name is what it says now
    };
    if (st.confirmDelete === r.id) asking();
    del.addEventListener('click', () => {
      if (!del.dataset.confirm) {
        st.confirmDelete = r.id;
        asking();
        del.focus();
        return;
      }
      st.confirmDelete = null;
      act(t('rec.deleted', { name: who }),
        () => api('DELETE', `/recurring/${r.id}`, { query: { version: r.version } }), 'none');
    });
    return li;
  }

  async function loadUpcoming() {
    const u = await api('GET', '/recurring/upcoming', { query: { days: UPCOMING_DAYS } });
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

  // A load that a newer one (a live event's) overtook resolves with the
  // newer one, so that a caller awaiting it (act: then focus) meets the
  // list as last drawn, not rows about to be replaced (the keyboard was
  // lost so, under a slow build, in 042-webui-pages)
  function load() {
    st.latest = draw(++st.seq);
    return st.latest;
  }

  async function draw(seq) {
    rulesBox.setAttribute('aria-busy', 'true');
    try {
      const [r] = await Promise.all([api('GET', '/recurring'), loadUpcoming()]);
      if (seq !== st.seq) return st.latest;
      loadErr.hidden = true;
      st.rules = r.items || [];
      // a redraw (a live event may come at any moment) keeps the keyboard
      // on the same button of the same rule
      const had = list.contains(document.activeElement) ? document.activeElement : null;
      const keep = had && had.dataset.act ? {
        id: had.closest('li.rule')?.dataset.id, act: had.dataset.act,
      } : null;
      const sorted = [...st.rules].sort((a, b) => (a.paused - b.paused)
        || String(a.next || '9999').localeCompare(String(b.next || '9999')) || a.id - b.id);
      keyedRows(list, sorted.map((x) => [x.id, x]), item);
      if (keep) {
        const b = list.querySelector(`li.rule[data-id="${keep.id}"] [data-act="${keep.act}"]`);
        if (b && !b.hidden) b.focus();
      }
      list.hidden = !st.rules.length;
      empty.hidden = st.rules.length > 0;
    } catch (e) {
      if (seq !== st.seq) return st.latest;
      loadErr.textContent = e.message;
      loadErr.hidden = false;
    } finally {
      if (seq === st.seq) rulesBox.removeAttribute('aria-busy');
    }
    return undefined;
  }

  addForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearErrors(addForm);
    const body = ruleBody(addF.els);
    if (!check(addForm, body)) return;
    const sig = JSON.stringify(body);
    if (addForm.dataset.sig !== sig) {
      addForm.dataset.sig = sig;
      addForm.dataset.key = newKey();
    }
    busy(addForm, async () => {
      try {
        const r = await api('POST', '/recurring', { body, key: addForm.dataset.key });
        delete addForm.dataset.sig;
        toast(t('rec.added', { name: r.payee || r.category, schedule: scheduleWords(r) }), 'ok');
        addF = ruleFields(null, 'rn');
        addFields.replaceChildren(...addF.nodes);
        addF.els.amount.focus();
        await load();
      } catch (e) { showError(addForm, e); }
    });
  });

  function openEdit(r) {
    const f = ruleFields(r, 're');
    const save = h('button.primary', { type: 'submit' }, t('common.save'));
    const cancel = h('button.secondary', { type: 'button' }, t('common.cancel'));
    const form = h('form', { method: 'dialog', novalidate: true },
      h('h2#re-title', t('rec.editNamed', { name: r.payee || r.note || r.category })),
      h('p.hint', t('rec.editHint')),
      f.nodes,
      h('div.actions.split', h('span.spacer'), cancel, save));
    const dlg = h('dialog.edit', { 'aria-labelledby': 're-title' }, form);
    document.body.append(dlg);
    dlg.addEventListener('close', () => {
      dlg.remove();
      const b = list.querySelector(`li.rule[data-id="${r.id}"] [data-act="edit"]`);
      if (b) b.focus();
    });
    cancel.addEventListener('click', () => dlg.close());
    dlg.showModal();
    f.els.amount.focus();
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      clearErrors(form);
      const body = ruleBody(f.els, r);
      if (!Object.keys(body).length) { dlg.close(); return; }
      if (!check(form, body)) return;
      body.version = r.version;
      busy(form, async () => {
        try {
          const x = await api('PATCH', `/recurring/${r.id}`, { body });
          dlg.close();
          toast(t('rec.saved', { name: x.payee || x.category, schedule: scheduleWords(x) }), 'ok');
          await load();
        } catch (e) {
          if (e.status === 412 || e.status === 404) {
            dlg.close();
            toast(t('rec.conflict'), 'warn');
            await load();
          } else showError(form, e);
        }
      });
    });
  }

  const unsubscribe = subscribe(async (types) => {
    if ([...types].some((ty) => ty.startsWith('category.'))) {
      try { await loadCategories(); } catch (e) { /* load() reports */ }
    }
    load();
  });

  if (!activeCategories().length) {
    addForm.querySelector('.fields').before(h('p.notice', t('expense.addCategoryFirst')));
  }
  load();
  return { destroy() { unsubscribe(); } };
}
