// The import screen: choose a file (CSV, OFX, QIF), preview it with a dry
// run (the first rows, what would be skipped or rejected and why, as the
// server says), change the CSV column mapping and preview again, then
// import it (the same request without dry_run) and show the counts.
// The file goes up as the request's body (POST /api/v1/imports), through
// XMLHttpRequest so that the upload's progress can be shown.
import { api, token, refresh, newKey, ApiError, CSRF_HEADER } from './api.js';
import { h, field, clearErrors, showError, busy, toast, clear } from './dom.js';
import { loadCategories, activeCategories } from './session.js';
import { t, date, amount as fmtAmount } from './i18n.js';

// the CSV importer's fields (docs/PLUGINS.md, csv: map.FIELD)
const FIELDS = ['date', 'amount', 'debit', 'credit', 'currency', 'category', 'note', 'payee', 'tags', 'source_id'];
const fieldText = (f) => t(`imp.field.${f}`);
const STATUSES = ['new', 'duplicate', 'skipped', 'rejected'];
const statusText = (s) => (STATUSES.includes(s) ? t(`imp.status.${s}`) : s);

// One upload: resolves with the parsed JSON reply, rejects with ApiError.
function upload(file, query, key, onProgress) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const once = () => new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', `api/v1/imports?${q}`);
    x.setRequestHeader('Accept', 'application/json');
    x.setRequestHeader('Content-Type', 'application/octet-stream');
    x.setRequestHeader(CSRF_HEADER, '1');
    if (token()) x.setRequestHeader('Authorization', `Bearer ${token()}`);
    if (key) x.setRequestHeader('Idempotency-Key', key);
    x.upload.onprogress = (ev) => { if (onProgress && ev.lengthComputable) onProgress(ev.loaded / ev.total); };
    x.onerror = () => reject(new ApiError(0, 'network', t('api.unreachable')));
    x.onload = () => {
      let data = null;
      try { data = x.responseText ? JSON.parse(x.responseText) : null; } catch (e) { data = null; }
      if (x.status >= 200 && x.status < 300) { resolve(data); return; }
      const e = (data && data.error) || {};
      const err = new ApiError(x.status, e.code, e.message || t('api.status', { status: x.status }), e.field);
      err.data = data;
      reject(err);
    };
    x.send(file);
  });
  return once().catch(async (e) => {
    if (e.status === 401 && (!e.field || e.field === 'token') && await refresh()) return once();
    throw e;
  });
}

// The header's cells, read here from the file's first lines (the server
// does not say which column it took for which field): the first line with
// more than one cell, split on the delimiter that splits it most.
async function readHeader(file) {
  const text = await file.slice(0, 64 * 1024).text();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).slice(0, 30);
  let best = null;
  for (const line of lines) {
    if (!line.trim()) continue;
    let cells = null;
    for (const d of ['\t', ';', ',']) {
      const c = splitRow(line, d);
      if (!cells || c.length > cells.length) cells = c;
    }
    if (cells.length > 1) { best = cells; break; }
  }
  return best || [];
}

function splitRow(line, d) {
  const out = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i];
    if (q) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i += 1; } else if (ch === '"') q = false;
      else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === d) { out.push(cur.trim()); cur = ''; } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

function extOf(name) {
  const m = /\.([a-z0-9]+)$/i.exec(name || '');
  return m ? m[1].toLowerCase() : '';
}

export function renderImport(main) {
  document.title = t('app.title', { page: t('nav.import') });
  const st = { importers: [], file: null, columns: [], previewed: null, running: false };

  // ---- the file and how to read it
  const fileIn = h('input', { type: 'file', name: 'file', id: 'imp-file', accept: '.csv,.tsv,.txt,.ofx,.qfx,.qif' });
  const fmtSel = h('select', { name: 'format', id: 'imp-format' },
    h('option', { value: '' }, t('imp.formatAuto')));
  const catSel = h('select', { name: 'category', id: 'imp-category' },
    h('option', { value: '' }, t('imp.categoryNone')));
  const create = h('input', { type: 'checkbox', name: 'create_categories', id: 'imp-create' });
  const previewBtn = h('button.primary', { type: 'submit' }, t('imp.preview'));
  const form = h('form.card.import-form', { novalidate: true, 'aria-labelledby': 'imp-form-title' },
    h('h2#imp-form-title', t('imp.chooseTitle')),
    h('p.hint', t('imp.chooseHint')),
    field(t('imp.file'), fileIn),
    h('div.row', field(t('imp.format'), fmtSel),
      field(t('imp.category'), catSel)),
    h('div.check', create, h('label', { for: 'imp-create' }, t('imp.create'))),
    h('div.actions', previewBtn));

  // ---- the CSV mapping
  const mapGrid = h('div.map-grid');
  const mapBox = h('fieldset.card.import-map', { hidden: true },
    h('legend', t('imp.columns')),
    h('p.hint', t('imp.columnsHint')),
    mapGrid,
    h('div.actions', h('button.secondary', { type: 'button', id: 'imp-repreview' }, t('imp.previewAgain'))));
  const mapSels = {};

  // ---- preview and result
  const out = h('section.card.import-out', { 'aria-labelledby': 'imp-out-title', hidden: true, 'aria-live': 'polite' });
  const progress = h('progress#imp-progress', { max: 100, value: 0, hidden: true, 'aria-label': t('imp.upload') });

  main.replaceChildren(h('div.import-view', h('h1', t('nav.import')), form, mapBox, progress, out));

  async function loadImporters() {
    try {
      const r = await api('GET', '/plugins');
      for (const p of r.items || r.plugins || []) {
        for (const v of p.provides || []) {
          if (v.kind === 'importer') st.importers.push(v);
        }
      }
      st.importers.sort((a, b) => a.name.localeCompare(b.name));
      for (const v of st.importers) {
        const exts = (v.extensions || '').split(/[\s,;]+/).filter(Boolean).map((x) => `.${x.replace(/^\./, '')}`);
        fmtSel.append(h('option', { value: v.name, title: v.description || null },
          `${v.name.toUpperCase()}${exts.length ? ` (${exts.join(', ')})` : ''}`));
      }
    } catch (e) {
      toast(e.message, 'warn');
    }
  }

  async function loadCats() {
    try {
      await loadCategories();
      for (const c of activeCategories()) catSel.append(h('option', { value: c.name }, c.name));
    } catch (e) { toast(e.message, 'warn'); }
  }

  function formatFor(name) {
    const ext = extOf(name);
    const v = st.importers.find((i) => (i.extensions || '').split(/[\s,;]+/)
      .map((x) => x.replace(/^\./, '').toLowerCase()).includes(ext));
    return v ? v.name : '';
  }

  function isCsv() {
    const f = fmtSel.value || formatFor(st.file && st.file.name);
    return f === 'csv';
  }

  async function showMapping() {
    clear(mapGrid);
    for (const k of Object.keys(mapSels)) delete mapSels[k];
    if (!st.file || !isCsv()) { mapBox.hidden = true; return; }
    st.columns = await readHeader(st.file);
    for (const f of FIELDS) {
      const sel = h('select', { name: `map.${f}`, id: `imp-map-${f}` },
        h('option', { value: '' }, t('imp.auto')),
        st.columns.map((c, i) => h('option', { value: String(i + 1) }, c ? `${i + 1}: ${c}` : t('imp.column', { n: i + 1 }))));
      mapSels[f] = sel;
      mapGrid.append(field(fieldText(f), sel));
    }
    mapBox.hidden = false;
  }

  function query(dry) {
    const q = { filename: st.file.name, format: fmtSel.value, category: catSel.value };
    if (dry) q.dry_run = 'true';
    if (create.checked) q.create_categories = 'true';
    if (isCsv()) {
      for (const [f, sel] of Object.entries(mapSels)) if (sel.value) q[`map.${f}`] = sel.value;
    }
    return q;
  }

  function errorList(errors) {
    if (!errors || !errors.length) return null;
    return h('ul.import-errors', errors.map((e) => h('li',
      h('strong', t('imp.fileLine', { file: st.file.name, line: e.line })), e.field ? ` (${e.field})` : '',
      `: ${String(e.message || '').replace(/^line \d+: /, '')}`)));
  }

  function skippedText(why) {
    const parts = Object.entries(why || {}).map(([k, v]) => `${v} ${k}`);
    return parts.length ? ` (${parts.join(', ')})` : '';
  }

  function counts(r, dry) {
    const dl = h('dl.facts.import-counts');
    const add = (dt, dd, key) => dl.append(h('dt', dt), h('dd', { dataset: { count: key } }, String(dd)));
    add(t('imp.rows'), r.rows, 'rows');
    add(dry ? t('imp.wouldAdd') : t('imp.added'), r.added, 'added');
    add(t('imp.status.skipped'), `${r.skipped}${skippedText(r.skipped_why)}`, 'skipped');
    add(t('imp.status.rejected'), r.rejected, 'rejected');
    add(dry ? t('imp.byYourRules') : t('imp.byRules'), r.by_rules, 'by_rules');
    add(t('imp.uncategorised'), r.uncategorised, 'uncategorised');
    if (r.categories_created && r.categories_created.length) {
      add(dry ? t('imp.newCategories') : t('imp.categoriesCreated'), r.categories_created.join(', '), 'created');
    }
    return dl;
  }

  function previewTable(rows) {
    const body = h('tbody');
    for (const p of rows || []) {
      const bad = p.status === 'rejected' || p.status === 'skipped';
      const why = p.status === 'rejected' ? String(p.error || '').replace(/^line \d+: /, '')
        : p.status === 'skipped' ? p.reason : p.note || '';
      body.append(h('tr', { dataset: { line: p.line, status: p.status } },
        h('td.num', String(p.line)),
        h('td', h('span', { class: `st st-${p.status}` }, statusText(p.status))),
        h('td.date', bad || !p.date ? '' : h('time', { datetime: p.date }, date(p.date))),
        h('td', bad ? '' : p.payee || ''),
        h('td.num', bad || !p.amount ? '' : fmtAmount(p.amount, p.currency)),
        h('td', bad ? '' : p.category || ''),
        h('td.why', why)));
    }
    return h('div.table-wrap', h('table.import-preview',
      h('caption', t('imp.caption')),
      h('thead', h('tr', ['line', 'status', 'date', 'payee', 'amount', 'category', 'why']
        .map((k) => h('th', { scope: 'col' }, t(`imp.col.${k}`))))),
      body));
  }

  function showPreview(r, q) {
    st.previewed = q;
    const bad = Math.max(r.rejected || 0, (r.errors || []).length, 1);
    const importBtn = h('button.primary#imp-run', { type: 'button', disabled: !r.ok || !r.added }, t('imp.import'));
    importBtn.addEventListener('click', run);
    const verdict = r.ok
      ? h('p.import-verdict', r.added ? t('imp.ready', { added: r.added, count: r.rows }) : t('imp.nothingNew'))
      : h('p.form-error.import-verdict', { role: 'alert' }, t('imp.refused', { count: bad }));
    out.replaceChildren(...[h('h2#imp-out-title', t('imp.previewOf', { file: st.file.name })),
      verdict, counts(r, true), errorList(r.errors), previewTable(r.preview),
      h('div.actions', importBtn)].filter(Boolean));
    out.hidden = false;
  }

  function showRefusal(e, dry) {
    const data = e.data && e.data.error && e.data.error.data;
    const errors = (data && data.errors) || (e.data && e.data.errors);
    out.replaceChildren(...[h('h2#imp-out-title', t(dry ? 'imp.previewOf' : 'imp.importOf', { file: st.file.name })),
      h('p.form-error.import-refusal', { role: 'alert' },
        // the server's words; "nothing imported: " would say it twice
        `${dry ? t('imp.cannotRead') : t('imp.nothingImported')}: ${e.message.replace(/^nothing imported: /i, '')}`),
      errorList(errors)].filter(Boolean));
    out.hidden = false;
  }

  async function preview() {
    clearErrors(form);
    if (!st.file) { showError(form, { field: 'file', message: t('imp.needFile') }); return; }
    await busy(form, () => busy(mapBox, async () => {
      try {
        const q = query(true);
        showPreview(await upload(st.file, q), q);
      } catch (e) {
        if (e.field === 'format') showError(form, e);
        showRefusal(e, true);
      }
    }));
  }

  async function run() {
    if (st.running) return;
    st.running = true;
    const btn = out.querySelector('#imp-run');
    progress.hidden = false;
    progress.value = 0;
    out.setAttribute('aria-busy', 'true');
    if (btn) { btn.disabled = true; btn.textContent = t('imp.importing'); }
    try {
      // exactly what was previewed, without dry_run
      const q = { ...st.previewed };
      delete q.dry_run;
      const r = await busy(form, () => upload(st.file, q, newKey(), (f) => { progress.value = Math.round(f * 100); }));
      progress.value = 100;
      out.replaceChildren(h('h2#imp-out-title', t('imp.imported', { file: st.file.name })),
        h('p.import-verdict.ok', t('imp.addedCount', { count: r.added })),
        counts(r, false),
        h('div.actions', h('a.btn', { href: '#/month' }, t('imp.seeMonth')),
          h('button.secondary', { type: 'button', onclick: reset }, t('imp.another'))));
      toast(t('imp.toast', { added: r.added, skipped: r.skipped }), 'ok');
      // the pickers of the other pages learn the new categories
      if (r.categories_created && r.categories_created.length) loadCategories().catch(() => {});
    } catch (e) {
      showRefusal(e, false);
    } finally {
      st.running = false;
      progress.hidden = true;
      out.removeAttribute('aria-busy');
    }
  }

  function reset() {
    fileIn.value = '';
    st.file = null;
    out.hidden = true;
    mapBox.hidden = true;
    fileIn.focus();
  }

  fileIn.addEventListener('change', () => {
    st.file = fileIn.files[0] || null;
    out.hidden = true;
    if (st.file) {
      const f = formatFor(st.file.name);
      fmtSel.value = f;
    }
    showMapping();
  });
  fmtSel.addEventListener('change', () => { out.hidden = true; showMapping(); });
  // choices changed after a preview: import only what a preview showed
  const stale = () => {
    const b = out.querySelector('#imp-run');
    if (b && !st.running) {
      b.disabled = true;
      b.textContent = t('imp.stale');
    }
  };
  for (const el of [catSel, create, mapGrid]) el.addEventListener('change', stale);
  form.addEventListener('submit', (ev) => { ev.preventDefault(); preview(); });
  mapBox.querySelector('#imp-repreview').addEventListener('click', preview);

  loadImporters();
  loadCats();
  return {};
}
