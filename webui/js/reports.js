// The reports screen: a week, month, year or custom range; its total in
// the base currency against the period before and the year before; the
// categories as a donut with their table; the period day by day (or week
// or month) as a line against the period before, with its table; the
// amounts that could not be converted listed, not guessed, and the face
// value totals per currency; CSV and PDF downloads of the same range.
// Every amount shown is the server's string (the summary, breakdown and
// trend reports); Number() only for the charts' geometry.
import { api } from './api.js';
import { h, field, toast, clear, moneyNodes } from './dom.js';
import { todayISO, thisMonth, shiftMonth, monthLabel, isRefund } from './format.js';
import { features } from './features.js';
import { subscribe } from './events.js';
import { donut, line, PALETTE } from './charts.js';
import { t, date, amount as fmtAmount, number, percent } from './i18n.js';

const KINDS = [['week', 'rep.week'], ['month', 'rep.month'], ['year', 'rep.year'], ['range', 'rep.custom']];
const pad = (n) => String(n).padStart(2, '0');

function utc(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d || 1));
}
const isoOf = (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
function addDays(iso, k) { const d = utc(iso); d.setUTCDate(d.getUTCDate() + k); return isoOf(d); }
const daysBetween = (a, b) => Math.round((utc(b) - utc(a)) / 86400000);
const validDate = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s || '') && isoOf(utc(s)) === s;
const fmtRange = (a, b) => `${date(a, 'shortDate')} – ${date(b, 'shortDate')}`;

function money(amount, currency) {
  if (amount === null || amount === undefined) return h('span.muted', '—');
  return h('span.money', { class: isRefund(amount) ? 'refund' : null },
    moneyNodes(amount, currency));
}
function change(pct) {
  if (pct === null || pct === undefined) return h('span.muted.change', '—');
  const up = !pct.startsWith('-');
  return h('span.change', { class: up ? 'up' : 'down' }, `${up ? '+' : ''}${percent(pct)}`);
}

// the state from the route's query: {kind, at, from, to}
function fromQuery(q) {
  const kind = KINDS.some(([k]) => k === q.get('period')) ? q.get('period') : 'month';
  const at = q.get('at') || '';
  if (kind === 'week') return { kind, at: validDate(at) ? at : todayISO() };
  if (kind === 'year') return { kind, at: /^\d{4}$/.test(at) ? at : todayISO().slice(0, 4) };
  if (kind === 'range') {
    const from = validDate(q.get('from')) ? q.get('from') : `${thisMonth()}-01`;
    const to = validDate(q.get('to')) && q.get('to') >= from ? q.get('to') : todayISO();
    return { kind, from, to };
  }
  return { kind, at: /^\d{4}-(0[1-9]|1[0-2])$/.test(at) ? at : thisMonth() };
}
function toQuery(p) {
  const q = new URLSearchParams({ period: p.kind });
  if (p.kind === 'range') { q.set('from', p.from); q.set('to', p.to); } else q.set('at', p.at);
  return `#/reports?${q}`;
}
function shifted(p, dir) {
  if (p.kind === 'week') return { ...p, at: addDays(p.at, 7 * dir) };
  if (p.kind === 'month') return { ...p, at: shiftMonth(p.at, dir) };
  if (p.kind === 'year') return { ...p, at: String(Number(p.at) + dir) };
  const len = daysBetween(p.from, p.to) + 1;
  return { ...p, from: addDays(p.from, len * dir), to: addDays(p.to, len * dir) };
}
function periodParams(p) {
  if (p.kind === 'week') return { week: p.at };
  if (p.kind === 'month') return { month: p.at };
  if (p.kind === 'year') return { year: p.at };
  return { from: p.from, to: p.to };
}
function title(p, s) {
  if (p.kind === 'month') return monthLabel(p.at);
  if (p.kind === 'year') return p.at;
  const range = s ? fmtRange(s.from, s.to) : '';
  if (p.kind === 'week') return s ? t('rep.weekTitle', { n: Number(s.label.slice(6)), range }) : t('rep.week');
  return range || t('rep.customRange');
}
// the trend's step: days up to two months, then weeks up to a year, then months
function stepOf(from, to) {
  const n = daysBetween(from, to) + 1;
  return n <= 62 ? 'day' : n <= 190 ? 'week' : 'month';
}
function pointLabel(iso, by, kind) {
  if (by === 'month') return date(iso.length === 7 ? `${iso}-01` : iso, 'monthShort');
  if (by === 'week') return /W\d+$/.test(iso) ? t('rep.weekShort', { n: Number(iso.slice(iso.indexOf('W') + 1)) }) : iso;
  return kind === 'month' ? String(Number(iso.slice(8, 10))) : date(iso, 'short');
}

export function renderReports(main, params) {
  const st = { p: fromQuery(params.query), seq: 0, s: null };

  // ---- the period
  const heading = h('h2#rep-title');
  const prev = h('a.btn.icon', { rel: 'prev' }, h('span', { 'aria-hidden': 'true' }, '‹'));
  const next = h('a.btn.icon', { rel: 'next' }, h('span', { 'aria-hidden': 'true' }, '›'));
  const kinds = h('div.segmented', { role: 'group', 'aria-label': t('rep.period') },
    KINDS.map(([k, label]) => h('a.btn.small', { dataset: { kind: k } }, t(label))));
  const fromIn = h('input', { type: 'date', name: 'from', id: 'rep-from', required: true });
  const toIn = h('input', { type: 'date', name: 'to', id: 'rep-to', required: true });
  const rangeForm = h('form.rep-range.row.bottom', { novalidate: true, 'aria-label': t('rep.customRange') },
    field(t('rep.from'), fromIn), field(t('rep.to'), toIn),
    h('div.actions', h('button.secondary', { type: 'submit' }, t('rep.show'))));
  const head = h('div.rep-head', kinds, h('div.month-head', prev, heading, next), rangeForm);

  // ---- the figures
  const loadErr = h('p.form-error', { role: 'alert', hidden: true });
  const totalBox = h('div.rep-total', { 'aria-live': 'polite' });
  const compare = h('table.rep-compare', h('caption.sr-only', t('rep.compared')));
  const faceBox = h('div.rep-face');
  const unconverted = h('div.notice', { hidden: true });
  const downloads = h('p.exports', { hidden: true });
  const totalCard = h('section.card.rep-summary', { 'aria-labelledby': 'rep-title' },
    head, loadErr, totalBox, compare, unconverted, faceBox, downloads);

  const donutBox = h('div.chart-box');
  const catTable = h('table.rep-table.rep-cats');
  const catCard = h('section.card.rep-cats-card', { 'aria-labelledby': 'rep-cats-title' },
    h('h2#rep-cats-title', t('dash.byCategory')), h('div.rep-pair', donutBox,
      h('div.table-wrap', { tabindex: 0, role: 'region', 'aria-label': t('rep.catsTable') }, catTable)));
  const lineBox = h('div.chart-box');
  const trendTable = h('table.rep-table.rep-trend');
  const trendTitle = h('h2#rep-trend-title', t('rep.overTime'));
  const trendCard = h('section.card.rep-trend-card', { 'aria-labelledby': 'rep-trend-title' },
    trendTitle, lineBox, h('details.rep-details', h('summary', t('rep.table')),
      h('div.table-wrap', { tabindex: 0, role: 'region', 'aria-label': t('rep.overTimeTable') }, trendTable)));

  main.replaceChildren(h('div.reports-view', h('h1', t('nav.reports')), totalCard,
    h('div.rep-grid', catCard, trendCard)));

  // fill: put the range into the custom form (not after a load: what is
  // being typed there stays)
  function syncHeader(fill) {
    const p = st.p;
    for (const a of kinds.querySelectorAll('a')) {
      const k = a.dataset.kind;
      // the other kinds open on today if it is in the period shown, else on its start
      const today = todayISO();
      const anchor = st.s && (today < st.s.from || today > st.s.to) ? st.s.from : today;
      const to = k === p.kind ? p
        : k === 'week' ? { kind: k, at: anchor }
          : k === 'month' ? { kind: k, at: anchor.slice(0, 7) }
            : k === 'year' ? { kind: k, at: anchor.slice(0, 4) }
              : { kind: k, from: st.s ? st.s.from : `${thisMonth()}-01`, to: st.s ? st.s.to : today };
      a.href = toQuery(fromQuery(new URLSearchParams(toQuery(to).split('?')[1])));
      if (k === p.kind) a.setAttribute('aria-current', 'true');
      else a.removeAttribute('aria-current');
    }
    heading.textContent = title(p, st.s);
    document.title = t('app.title', { page: `${t('nav.reports')} · ${title(p, st.s)}` });
    prev.href = toQuery(shifted(p, -1));
    next.href = toQuery(shifted(p, 1));
    prev.setAttribute('aria-label', t(`rep.prev.${p.kind}`));
    next.setAttribute('aria-label', t(`rep.next.${p.kind}`));
    rangeForm.hidden = p.kind !== 'range';
    if (fill && p.kind === 'range') { fromIn.value = p.from; toIn.value = p.to; }
    const want = toQuery(p);
    if (location.hash !== want) history.replaceState(null, '', want);
  }

  function showSummary(s) {
    const cur = s.currency;
    clear(totalBox);
    totalBox.append(h('p.dash-amount', money(s.total, cur)),
      h('p.hint', t('rep.converted', { count: s.count, currency: cur }) + ', '
        + t('rep.perDayOver', { amount: fmtAmount(s.per_day, cur), days: t('rep.days', { count: s.days }) })));
    clear(compare);
    compare.append(h('caption.sr-only', t('rep.compared')),
      h('thead', h('tr', h('th', { scope: 'col' }, t('rep.period')), h('th.amount', { scope: 'col' }, t('rep.total')),
        h('th.amount', { scope: 'col' }, t('rep.changeSince')))));
    const tb = h('tbody');
    const rowOf = (what, o) => h('tr', { dataset: { what } },
      h('th', { scope: 'row' }, what === 'previous' ? t('rep.periodBefore') : t('rep.yearBefore'),
        h('span.hint.rep-dates', fmtRange(o.from, o.to))),
      h('td.amount', money(o.total, cur)), h('td.amount', change(o.change)));
    if (s.previous) tb.append(rowOf('previous', s.previous));
    if (s.year_before) tb.append(rowOf('year', s.year_before));
    compare.append(tb);
    compare.hidden = !tb.children.length;

    // face value per currency, before any conversion
    clear(faceBox);
    if (s.totals && s.totals.length) {
      faceBox.append(h('h3', t('rep.ownCurrencies')),
        h('ul.sums.rep-face-list', s.totals.map((x) => h('li', { dataset: { currency: x.currency } },
          money(x.sum, x.currency), h('span.muted', ` (${x.count})`)))));
    }
    clear(unconverted);
    const un = s.unconverted || [];
    if (un.length) {
      unconverted.append(h('p', t('rep.notInTotal', { currency: cur })),
        h('ul.rep-unconverted', un.map((u) => h('li', { dataset: { currency: u.currency } }, money(u.sum, u.currency),
          ` (${t('dash.count', { count: u.count })})`))));
    }
    unconverted.hidden = !un.length;
  }

  function showCategories(b, s) {
    clear(donutBox);
    const colour = new Map(b.items.map((i, k) => [i.label, PALETTE[k % PALETTE.length]]));
    donutBox.append(donut(b.items.map((i) => ({ label: i.label, value: i.amount, share: i.percent, colour: colour.get(i.label) })), {
      title: t('dash.donutTitle', { month: title(st.p, s) }), currency: b.currency,
      empty: t('rep.noExpenses'), centre: b.items.length ? number(b.total) : null, centreSub: b.currency,
    }));
    clear(catTable);
    catTable.append(h('caption.sr-only', t('rep.catsCaption')),
      h('thead', h('tr', h('th', { scope: 'col' }, t('budgets.category')), h('th.amount', { scope: 'col' }, t('rep.amount')),
        h('th.amount.share', { scope: 'col' }, t('rep.share')), h('th.amount', { scope: 'col' }, t('rep.before')),
        h('th.amount', { scope: 'col' }, t('rep.change')))));
    const tb = h('tbody');
    for (const c of s.categories) {
      tb.append(h('tr', { dataset: { category: c.category } },
        h('th', { scope: 'row' }, h('span.cat', c.category)),
        h('td.amount', h('span.num', number(c.amount))),
        h('td.amount.share', c.percent === null ? '—' : percent(c.percent)),
        h('td.amount', h('span.num', number(c.previous))),
        h('td.amount', change(c.change))));
    }
    catTable.append(tb);
    catTable.hidden = !s.categories.length;
  }

  function showTrend(tr, tp, by) {
    clear(lineBox);
    trendTitle.textContent = t(`rep.by.${by}`);
    const n = Math.max(tr.labels.length, tp.labels.length);
    const labels = Array.from({ length: n }, (_, i) => (tr.labels[i] ? pointLabel(tr.labels[i], by, st.p.kind) : `+${i + 1}`));
    const padTo = (vals) => labels.map((_, i) => (i < vals.length ? vals[i] : null));
    lineBox.append(line({
      labels,
      series: [
        { name: t('rep.thisPeriod'), values: padTo(tr.total.values), colour: PALETTE[0] },
        { name: t('rep.periodBefore'), values: padTo(tp.total.values), colour: PALETTE[1], dashed: true },
      ],
    }, {
      title: t(`rep.lineTitle.${by}`, { title: title(st.p, st.s) }),
      currency: tr.currency, empty: t('rep.noExpensesBoth'),
    }));
    clear(trendTable);
    trendTable.append(h('caption.sr-only', t('rep.trendCaption')),
      h('thead', h('tr', h('th', { scope: 'col' }, t(`rep.unit.${by}`)),
        h('th.amount', { scope: 'col' }, t('rep.thisPeriod')), h('th.amount', { scope: 'col' }, t('rep.periodBefore')))));
    const tb = h('tbody');
    labels.forEach((lb, i) => {
      tb.append(h('tr', h('th', { scope: 'row' }, lb),
        h('td.amount', tr.total.values[i] === undefined ? '—' : h('span.num', number(tr.total.values[i]))),
        h('td.amount', tp.total.values[i] === undefined ? '—' : h('span.num', number(tp.total.values[i])))));
    });
    trendTable.append(tb);
  }

  // drawn again only when a link would change: every live event reloads the
  // page, and a link swapped between mousedown and mouseup loses the click
  function showDownloads(s) {
    const sig = JSON.stringify([s.from, s.to, title(st.p, s), features.exports]);
    if (downloads.dataset.sig === sig) return;
    downloads.dataset.sig = sig;
    clear(downloads);
    if (!features.exports.length) { downloads.hidden = true; return; }
    downloads.append(t('rep.download'), ' ');
    features.exports.forEach((f, i) => {
      if (i) downloads.append(' · ');
      const label = f.length <= 4 ? f.toUpperCase() : f[0].toUpperCase() + f.slice(1);
      const q = new URLSearchParams({ from: s.from, to: s.to });
      const a = h('a', { href: `api/v1/exports/${f}?${q}`, dataset: { format: f },
        'aria-label': t('rep.downloadAs', { what: title(st.p, s), format: label }) }, label);
      a.addEventListener('click', (ev) => { ev.preventDefault(); download(f, s); });
      downloads.append(a);
    });
    downloads.hidden = false;
  }

  async function download(format, s) {
    try {
      const res = await api('GET', `/exports/${format}`, { query: { from: s.from, to: s.to }, raw: true });
      const name = st.p.kind === 'range' ? `spend-${s.from}-${s.to}` : `spend-${s.label}`;
      const a = h('a', { href: URL.createObjectURL(res.blob), download: res.name || `${name}.${format}` });
      document.body.append(a);
      a.click();
      setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    } catch (e) {
      toast(e.message, 'warn');
    }
  }

  async function load() {
    const seq = ++st.seq;
    const report = (name, query) => api('GET', `/reports/${name}`, { query });
    main.querySelector('.reports-view').setAttribute('aria-busy', 'true');
    try {
      const s = await report('summary', periodParams(st.p));
      const by = stepOf(s.from, s.to);
      const pf = s.previous ? s.previous.from : addDays(s.from, -(daysBetween(s.from, s.to) + 1));
      const pt = s.previous ? s.previous.to : addDays(s.from, -1);
      const [b, tr, tp] = await Promise.all([
        report('breakdown', { from: s.from, to: s.to }),
        report('trend', { from: s.from, to: s.to, by }),
        report('trend', { from: pf, to: pt, by }),
      ]);
      if (seq !== st.seq) return;
      loadErr.hidden = true;
      st.s = s;
      syncHeader();
      showSummary(s);
      showCategories(b, s);
      showTrend(tr, tp, by);
      showDownloads(s);
    } catch (e) {
      if (seq !== st.seq) return;
      loadErr.textContent = e.message;
      loadErr.hidden = false;
    } finally {
      if (seq === st.seq) main.querySelector('.reports-view')?.removeAttribute('aria-busy');
    }
  }

  rangeForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!validDate(fromIn.value) || !validDate(toIn.value) || toIn.value < fromIn.value) {
      loadErr.textContent = t('rep.needRange');
      loadErr.hidden = false;
      return;
    }
    location.hash = toQuery({ kind: 'range', from: fromIn.value, to: toIn.value });
  });

  const unsubscribe = subscribe(() => load());

  st.s = null;
  syncHeader(true);
  load();

  return {
    update(p) {
      const np = fromQuery(p.query);
      if (toQuery(np) === toQuery(st.p)) return;
      st.p = np;
      st.s = null;
      syncHeader(true);
      load();
    },
    destroy() { unsubscribe(); },
  };
}
