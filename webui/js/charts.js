// Small SVG charts of the UI's own: a donut with its legend, and a line
// chart of one or two series. Amounts come in as the server's decimal
// strings and are shown as such; Number() is used for the geometry only.
// Each chart is an <svg role="img"> with a title and a description in
// words; every slice and point carries a <title> and data-value with the
// server's amount (what the browser tests read).

import { t, amount, number, percent } from './i18n.js';
import { moneyNodes } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';

// Every colour reaches 3:1 against both the light and the dark card.
export const PALETTE = ['#3a78c2', '#d9730d', '#2e9a6a', '#c2549b', '#8467d0',
  '#b8860b', '#d04a3a', '#1f9bb0', '#7f8c3a', '#9a6b4f'];

let uid = 0;

function s(tag, attrs, ...kids) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null && v !== false) el.setAttribute(k, String(v));
  }
  for (const k of kids) {
    if (k === null || k === undefined || k === false) continue;
    el.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return el;
}

function html(tag, cls, ...kids) {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  for (const k of kids) {
    if (k === null || k === undefined || k === false) continue;
    el.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return el;
}

function svgRoot(w, hgt, cls, title, desc) {
  uid += 1;
  const tid = `chart-t-${uid}`;
  const did = `chart-d-${uid}`;
  return s('svg', {
    viewBox: `0 0 ${w} ${hgt}`, class: `chart ${cls}`, role: 'img',
    'aria-labelledby': `${tid} ${did}`, focusable: 'false',
  }, s('title', { id: tid }, title), s('desc', { id: did }, desc));
}

const fmt = (x) => (Math.round(x * 100) / 100).toString();

// One ring segment from angle a0 to a1 (radians, clockwise from 12 o'clock).
function ringPath(cx, cy, r, ri, a0, a1) {
  const pt = (rad, a) => `${fmt(cx + rad * Math.sin(a))} ${fmt(cy - rad * Math.cos(a))}`;
  const large = a1 - a0 > Math.PI ? 1 : 0;
  return `M${pt(r, a0)}A${r} ${r} 0 ${large} 1 ${pt(r, a1)}`
    + `L${pt(ri, a1)}A${ri} ${ri} 0 ${large} 0 ${pt(ri, a0)}Z`;
}

// donut(slices, {title, currency, empty}) -> <figure>. A slice:
// {label, value: "12.50", share: "41.20" (percent, optional), colour}.
// Slices at or below zero (refunds) are listed in the legend, not drawn.
export function donut(slices, opts = {}) {
  const money = (v) => (opts.currency ? amount(v, opts.currency) : number(v));
  const title = opts.title || t('chart.share');
  const items = (slices || []).map((sl, i) => ({
    ...sl, colour: sl.colour || PALETTE[i % PALETTE.length], n: Number(sl.value),
  }));
  const drawn = items.filter((x) => Number.isFinite(x.n) && x.n > 0);
  const whole = drawn.reduce((a, x) => a + x.n, 0);
  const words = drawn.length
    ? items.map((x) => `${x.label} ${money(x.value)}${x.share ? ` (${percent(x.share)})` : ''}`).join('; ')
    : (opts.empty || t('chart.nothing'));
  const fig = html('figure', 'chart-fig donut-fig');
  const svg = svgRoot(200, 200, 'donut', title, words);
  const cx = 100;
  const cy = 100;
  const r = 90;
  const ri = 56;
  if (!drawn.length) {
    svg.append(s('circle', { cx, cy, r: (r + ri) / 2, fill: 'none', class: 'donut-empty', 'stroke-width': r - ri }));
  } else {
    let a = 0;
    for (const x of drawn) {
      const sweep = (x.n / whole) * 2 * Math.PI;
      let d;
      if (sweep >= 2 * Math.PI - 1e-9) {
        // a whole ring: two halves (one arc cannot start and end at one point)
        d = ringPath(cx, cy, r, ri, 0, Math.PI) + ringPath(cx, cy, r, ri, Math.PI, 2 * Math.PI);
      } else {
        d = ringPath(cx, cy, r, ri, a, a + sweep);
      }
      svg.append(s('path', {
        d, fill: x.colour, class: 'slice', 'data-label': x.label, 'data-value': x.value,
        'data-share': x.share || '', 'data-sweep': fmt((sweep * 180) / Math.PI),
      }, s('title', null, `${x.label}: ${money(x.value)}${x.share ? `, ${percent(x.share)}` : ''}`)));
      a += sweep;
    }
  }
  if (opts.centre) {
    svg.append(s('text', { x: cx, y: cy - 4, 'text-anchor': 'middle', class: 'donut-total' }, opts.centre));
    if (opts.centreSub) svg.append(s('text', { x: cx, y: cy + 16, 'text-anchor': 'middle', class: 'donut-sub' }, opts.centreSub));
  }
  fig.append(svg);
  if (items.length) {
    const ul = html('ul', 'legend');
    ul.setAttribute('aria-label', t('chart.legend', { title }));
    for (const x of items) {
      const sw = html('span', 'swatch');
      sw.setAttribute('aria-hidden', 'true');
      sw.dataset.colour = x.colour;
      const li = html('li', null, sw, html('span', 'l-label', x.label),
        html('span', 'l-amount money', ...(opts.currency ? moneyNodes(x.value, opts.currency) : [html('span', 'num', number(x.value))])),
        html('span', 'l-share', x.share ? percent(x.share) : '—'));
      li.dataset.label = x.label;
      ul.append(li);
    }
    fig.append(ul);
    // the swatch colour as a property (CSP: no inline style attribute)
    for (const sw of ul.querySelectorAll('.swatch')) sw.style.background = sw.dataset.colour;
  } else {
    fig.append(html('p', 'empty chart-empty', opts.empty || t('chart.nothing')));
  }
  return fig;
}

// Round gridlines: a step of 1, 2 or 5 × 10^k giving about `want` lines.
export function niceTicks(lo, hi, want = 4) {
  if (!(hi > lo)) { hi = lo + 1; }
  const raw = (hi - lo) / want;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((st) => st >= raw) || 10 * p;
  const start = Math.floor(lo / step) * step;
  const ticks = [];
  for (let v = start; v < hi + step * 0.999; v += step) ticks.push(Math.round(v / step) * step);
  return { ticks, step, lo: ticks[0], hi: ticks[ticks.length - 1] };
}

// line({labels, series: [{name, values: ["1.00", null...], colour, dashed}]},
//      {title, currency, desc, labelEvery}) -> <figure>.
// A null value is a point not drawn (a day still to come).
export function line(data, opts = {}) {
  const money = (v) => (opts.currency ? amount(v, opts.currency) : number(v));
  const labels = (data && data.labels) || [];
  const series = ((data && data.series) || []).map((se, i) => ({
    ...se, colour: se.colour || PALETTE[i % PALETTE.length],
  }));
  const nums = [];
  for (const se of series) for (const v of se.values) if (v !== null && v !== undefined) nums.push(Number(v));
  const title = opts.title || t('chart.line');
  const fig = html('figure', 'chart-fig line-fig');
  // nothing but zeros draws as no data: a flat line on a made-up axis says less
  if (!labels.length || !nums.length || nums.every((v) => v === 0)) {
    const svg = svgRoot(480, 60, 'line', title, opts.empty || t('chart.nothing'));
    svg.append(s('text', { x: 240, y: 34, 'text-anchor': 'middle', class: 'axis' }, opts.empty || t('chart.nothing')));
    fig.append(svg);
    return fig;
  }
  const W = 480;
  const H = 220;
  const L = 46;
  const R = 10;
  const T = 12;
  const B = 28;
  const { ticks, lo, hi } = niceTicks(Math.min(0, ...nums), Math.max(0, ...nums));
  const n = labels.length;
  const x = (i) => (n === 1 ? L + (W - L - R) / 2 : L + (i * (W - L - R)) / (n - 1));
  const y = (v) => T + ((hi - v) * (H - T - B)) / (hi - lo);
  const words = series.map((se) => {
    const last = [...se.values].map((v, i) => [v, i]).filter(([v]) => v !== null && v !== undefined).pop();
    return last ? t('chart.lastAt', { name: se.name, value: money(last[0]), at: labels[last[1]] })
      : t('chart.noData', { name: se.name });
  }).join('; ');
  const svg = svgRoot(W, H, 'line', title, opts.desc ? `${opts.desc} ${words}` : words);
  const grid = s('g', { class: 'grid' });
  for (const tk of ticks) {
    grid.append(s('line', { x1: L, x2: W - R, y1: fmt(y(tk)), y2: fmt(y(tk)), class: tk === 0 ? 'zero' : null }));
    grid.append(s('text', { x: L - 6, y: fmt(y(tk) + 4), 'text-anchor': 'end', class: 'axis' }, number(String(tk))));
  }
  svg.append(grid);
  const every = opts.labelEvery || Math.max(1, Math.ceil(n / 8));
  const xl = s('g', { class: 'xlabels' });
  labels.forEach((lb, i) => {
    // every `every`-th label, and the last; a regular one too close to the last goes
    if (i === n - 1 || (i % every === 0 && n - 1 - i >= Math.max(2, every * 0.75))) {
      // the ends' labels stay inside the chart
      const anchor = n > 1 && i === 0 ? 'start' : n > 1 && i === n - 1 ? 'end' : 'middle';
      xl.append(s('text', { x: fmt(x(i)), y: H - 8, 'text-anchor': anchor, class: 'axis' }, lb));
    }
  });
  svg.append(xl);
  for (const se of series) {
    const g = s('g', { class: 'series', 'data-name': se.name });
    let d = '';
    let pen = false;
    se.values.forEach((v, i) => {
      if (v === null || v === undefined) { pen = false; return; }
      d += `${pen ? 'L' : 'M'}${fmt(x(i))} ${fmt(y(Number(v)))}`;
      pen = true;
    });
    g.append(s('path', { d, fill: 'none', stroke: se.colour, 'stroke-width': 2.5,
      'stroke-dasharray': se.dashed ? '6 4' : null, 'stroke-linejoin': 'round', class: 'trace' }));
    se.values.forEach((v, i) => {
      if (v === null || v === undefined) return;
      g.append(s('circle', {
        cx: fmt(x(i)), cy: fmt(y(Number(v))), r: n > 20 ? 2.5 : 3.5, fill: se.colour, class: 'point',
        'data-label': labels[i], 'data-value': v,
      }, s('title', null, `${se.name}, ${labels[i]}: ${money(v)}`)));
    });
    svg.append(g);
  }
  fig.append(svg);
  if (series.length > 1 || opts.legend) {
    const ul = html('ul', 'legend line-legend');
    ul.setAttribute('aria-label', t('chart.legend', { title }));
    for (const se of series) {
      const sw = html('span', `swatch${se.dashed ? ' dashed' : ''}`);
      sw.setAttribute('aria-hidden', 'true');
      sw.dataset.colour = se.colour;
      ul.append(html('li', null, sw, html('span', 'l-label', se.name)));
    }
    fig.append(ul);
    for (const sw of ul.querySelectorAll('.swatch')) sw.style.background = sw.dataset.colour;
  }
  return fig;
}
