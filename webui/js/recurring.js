// The recurring screen: the rules with their schedule in words and next
// date; add, edit, pause or resume, skip the next date, delete; and what
// is due in the next 30 days.
import { api, newKey } from './api.js';
import { h, field, clearErrors, showError, busy, toast, clear } from './dom.js';
import { session, loadCategories, activeCategories } from './session.js';
import { todayISO, dayLabel, tidyAmount, isRefund } from './format.js';
import { categorySelect } from './expenseform.js';
import { subscribe } from './events.js';

const UNITS = { day: ['day', 'days'], week: ['week', 'weeks'], month: ['month', 'months'], year: ['year', 'years'] };
const WEEKDAYS = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };
const UPCOMING_DAYS = 30;

function utc(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}
const longDate = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const dayMonth = new Intl.DateTimeFormat('en', { day: 'numeric', month: 'long', timeZone: 'UTC' });
const weekday = new Intl.DateTimeFormat('en', { weekday: 'long', timeZone: 'UTC' });

function ordinal(n) {
  const k = n % 100;
  if (k >= 11 && k <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] || 'th'}`;
}

// "Every 2 weeks on Monday and Thursday, until 31 December 2026"
export function scheduleWords(r) {
  const [one, many] = UNITS[r.every] || [r.every, `${r.every}s`];
  let s = r.interval > 1 ? `Every ${r.interval} ${many}` : `Every ${one}`;
  const startDay = r.start ? Number(r.start.slice(8, 10)) : null;
  if (r.every === 'week') {
    const days = r.on ? r.on.split(',').map((d) => WEEKDAYS[d.trim()] || d.trim())
      : (r.start ? [weekday.format(utc(r.start))] : []);
    if (days.length) s += ` on ${days.length > 1 ? `${days.slice(0, -1).join(', ')} and ${days[days.length - 1]}` : days[0]}`;
  } else if (r.every === 'month') {
    if (r.on === 'last') s += ' on the last day';
    else if (r.on || startDay) s += ` on the ${ordinal(Number(r.on || startDay))}`;
  } else if (r.every === 'year' && r.start) {
    const d = r.on === 'last' ? 'the last day of' : null;
    if (d) s += ` on ${d} ${new Intl.DateTimeFormat('en', { month: 'long', timeZone: 'UTC' }).format(utc(r.start))}`;
    else {
      const day = Number(r.on || startDay);
      const base = utc(r.start);
      s += ` on ${dayMonth.format(new Date(Date.UTC(base.getUTCFullYear(), base.getUTCMonth(), Math.min(day, 28))))
        .replace(/\d+/, String(day))}`;
    }
  }
  if (r.end) s += `, until ${longDate.format(utc(r.end))}`;
  else if (r.count) s += `, ${r.count} times`;
  return s;
}

function money(amount, currency) {
  return h('span.money', { class: isRefund(amount) ? 'refund' : null },
    h('span.num', amount), ' ', h('abbr.cur', { title: currency }, currency));
}

// The fields of a rule, for the add form and the edit dialog.
function ruleFields(r, prefix) {
  const els = {
    amount: h('input', { name: 'amount', id: `${prefix}-amount`, inputmode: 'decimal', autocomplete: 'off',
      required: true, placeholder: '0.00', class: 'amount-input', value: r ? r.amount : '' }),
    category: categorySelect('category', r ? r.category : undefined),
    every: h('select', { name: 'every', id: `${prefix}-every` },
      Object.keys(UNITS).map((u) => h('option', { value: u }, `Every ${u}`))),
    interval: h('input', { name: 'interval', id: `${prefix}-interval`, type: 'number', min: 1, max: 1000,
      inputmode: 'numeric', value: r ? r.interval : 1 }),
    on: h('input', { name: 'on', id: `${prefix}-on`, autocomplete: 'off', value: r && r.on ? r.on : '',
      placeholder: 'mon,thu · 15 · last' }),
    start: h('input', { name: 'start', id: `${prefix}-start`, type: 'date', value: r ? r.start : todayISO() }),
    payee: h('input', { name: 'payee', id: `${prefix}-payee`, autocomplete: 'off', maxlength: 200, value: r ? r.payee : '' }),
    note: h('input', { name: 'note', id: `${prefix}-note`, autocomplete: 'off', maxlength: 1000, value: r ? r.note : '' }),
  };
  els.category.id = `${prefix}-category`;
  els.every.value = r ? r.every : 'month';
  if (!r && !els.category.value && els.category.options.length) els.category.selectedIndex = 0;
  const cur = (r && r.currency) || (session.me && session.me.currency) || 'EUR';
  const nodes = [
    h('div.row', field(`Amount (${cur})`, els.amount), field('Category', els.category)),
    h('div.row', field('Repeats', els.every), field('Interval', els.interval, 'Every 1, 2, 3… of them')),
    h('div.row', field('On', els.on, 'Weekly: mon,thu. Monthly or yearly: a day 1–31 or last. Empty: the start’s day.'),
      field('Start', els.start)),
    h('div.row', field('Payee', els.payee), field('Note', els.note)),
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
    showError(form, { field: 'amount', message: 'Enter an amount, for example 9.99.' });
    return false;
  }
  if (body.category === '' || (body.category === undefined && !form.querySelector('[name=category]').value)) {
    showError(form, { field: 'category', message: 'Add a category first (Categories screen).' });
    return false;
  }
  if (body.interval !== undefined && !(Number.isInteger(body.interval) && body.interval >= 1 && body.interval <= 1000)) {
    showError(form, { field: 'interval', message: 'A whole number from 1 to 1000.' });
    return false;
  }
  return true;
}

export function renderRecurring(main) {
  document.title = 'Recurring · Spend';
  const st = { rules: [], seq: 0 };

  // ---- add
  let addF = ruleFields(null, 'rn');
  const addFields = h('div.fields', addF.nodes);
  const addForm = h('form.card.recurring-form', { novalidate: true, 'aria-labelledby': 'rn-title' },
    h('h2#rn-title', 'New recurring expense'),
    addFields,
    h('div.actions', h('button.primary', { type: 'submit' }, 'Add recurring expense')));

  // ---- the rules
  const list = h('ul.rules', { 'aria-labelledby': 'rules-title' });
  const empty = h('p.empty', { hidden: true }, 'No recurring expenses yet: add your rent, subscriptions or bills with the form.');
  const loadErr = h('p.form-error', { role: 'alert', hidden: true });
  const rulesBox = h('section.card', { 'aria-labelledby': 'rules-title' },
    h('h2#rules-title', { tabindex: '-1' }, 'Rules'), loadErr, list, empty);

  // ---- upcoming
  const upList = h('ul.upcoming', { 'aria-labelledby': 'upcoming-title' });
  const upEmpty = h('p.empty', { hidden: true }, `Nothing due in the next ${UPCOMING_DAYS} days.`);
  const upSum = h('p.up-sum');
  const upBox = h('section.card', { 'aria-labelledby': 'upcoming-title' },
    h('h2#upcoming-title', `Next ${UPCOMING_DAYS} days`), upSum, upList, upEmpty);

  main.replaceChildren(h('div.recurring-view', h('h1', 'Recurring'),
    h('div.recurring-grid', h('div', rulesBox, upBox), addForm)));

  function item(r) {
    const who = r.payee || r.note || r.category;
    const state = r.error ? h('span.b-state.state-over', `Stopped: ${r.error}`)
      : r.paused ? h('span.b-state.state-near.r-paused', 'Paused')
        : r.next ? h('span.r-next', 'Next: ', h('time', { datetime: r.next }, dayLabel(r.next)))
          : h('span.muted', 'Finished');
    const edit = h('button.secondary.small', { type: 'button', dataset: { act: 'edit' }, 'aria-label': `Edit ${who}` }, 'Edit');
    // a stopped rule (its category archived or deleted) starts again with resume
    const resumes = r.paused || !!r.error;
    const pause = h('button.secondary.small', { type: 'button', dataset: { act: 'pause' },
      'aria-label': `${resumes ? 'Resume' : 'Pause'} ${who}` }, resumes ? 'Resume' : 'Pause');
    const skip = h('button.secondary.small', { type: 'button', dataset: { act: 'skip' }, 'aria-label': `Skip next date of ${who}`, hidden: !r.next || r.paused },
      'Skip next');
    const del = h('button.danger.small', { type: 'button', 'aria-label': `Delete ${who}` }, 'Delete');
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
          toast('This rule was changed elsewhere; here is the latest.', 'warn');
          await load();
        } else showError(form, e);
      }
    });
    edit.addEventListener('click', () => openEdit(r));
    pause.addEventListener('click', () => act(resumes ? `Resumed ${who}` : `Paused ${who}`,
      () => api('POST', `/recurring/${r.id}/${resumes ? 'resume' : 'pause'}`, { body: { version: r.version } }), 'pause'));
    skip.addEventListener('click', () => act(`Skipped ${who} on ${dayLabel(r.next)}`,
      () => api('POST', `/recurring/${r.id}/skip`, { body: { version: r.version } }), 'skip'));
    // "Really delete?" outlives a redraw (a live event between the two clicks)
    const asking = () => {
      del.dataset.confirm = '1';
      del.dataset.act = 'delete';
      del.textContent = 'Really delete?';
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
      act(`Deleted ${who}; the expenses it created stay`,
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
      upSum.append(u.count === 1 ? '1 expense due: ' : `${u.count} expenses due: `);
      codes.forEach((c, i) => { if (i) upSum.append(' + '); upSum.append(money(u.sum[c], c)); });
    }
    upSum.hidden = !codes.length;
  }

  async function load() {
    const seq = ++st.seq;
    rulesBox.setAttribute('aria-busy', 'true');
    try {
      const [r] = await Promise.all([api('GET', '/recurring'), loadUpcoming()]);
      if (seq !== st.seq) return;
      loadErr.hidden = true;
      st.rules = r.items || [];
      // a redraw (a live event may come at any moment) keeps the keyboard
      // on the same button of the same rule
      const had = list.contains(document.activeElement) ? document.activeElement : null;
      const keep = had && had.dataset.act ? {
        id: had.closest('li.rule')?.dataset.id, act: had.dataset.act,
      } : null;
      clear(list);
      const sorted = [...st.rules].sort((a, b) => (a.paused - b.paused)
        || String(a.next || '9999').localeCompare(String(b.next || '9999')) || a.id - b.id);
      for (const x of sorted) list.append(item(x));
      if (keep) {
        const b = list.querySelector(`li.rule[data-id="${keep.id}"] [data-act="${keep.act}"]`);
        if (b && !b.hidden) b.focus();
      }
      list.hidden = !st.rules.length;
      empty.hidden = st.rules.length > 0;
    } catch (e) {
      if (seq !== st.seq) return;
      loadErr.textContent = e.message;
      loadErr.hidden = false;
    } finally {
      if (seq === st.seq) rulesBox.removeAttribute('aria-busy');
    }
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
        toast(`Added ${r.payee || r.category}: ${scheduleWords(r).toLowerCase()}`, 'ok');
        addF = ruleFields(null, 'rn');
        addFields.replaceChildren(...addF.nodes);
        addF.els.amount.focus();
        await load();
      } catch (e) { showError(addForm, e); }
    });
  });

  function openEdit(r) {
    const f = ruleFields(r, 're');
    const save = h('button.primary', { type: 'submit' }, 'Save');
    const cancel = h('button.secondary', { type: 'button' }, 'Cancel');
    const form = h('form', { method: 'dialog', novalidate: true },
      h('h2#re-title', `Edit ${r.payee || r.note || r.category}`),
      h('p.hint', 'Changes apply to the dates still to come; expenses already created stay as they are.'),
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
          toast(`Saved ${x.payee || x.category}: ${scheduleWords(x).toLowerCase()}`, 'ok');
          await load();
        } catch (e) {
          if (e.status === 412 || e.status === 404) {
            dlg.close();
            toast('This rule was changed elsewhere; here is the latest.', 'warn');
            await load();
          } else showError(form, e);
        }
      });
    });
  }

  const unsubscribe = subscribe(async (types) => {
    if ([...types].some((t) => t.startsWith('category.'))) {
      try { await loadCategories(); } catch (e) { /* load() reports */ }
    }
    load();
  });

  if (!activeCategories().length) {
    addForm.querySelector('.fields').before(h('p.notice', 'Add a category first (Categories screen).'));
  }
  load();
  return { destroy() { unsubscribe(); } };
}
