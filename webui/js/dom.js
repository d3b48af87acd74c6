// Small DOM helpers: element building without innerHTML, form errors, toast.
import { amountParts, t } from './i18n.js';

// h('p.note#x', {attrs}, children...): create an element. Text children are
// added as text nodes, never parsed as HTML.
export function h(tag, attrs, ...children) {
  const m = /^([a-z0-9-]+)((?:[.#][\w-]+)*)$/i.exec(tag);
  const el = document.createElement(m ? m[1] : tag);
  if (m && m[2]) {
    for (const part of m[2].match(/[.#][\w-]+/g)) {
      if (part[0] === '.') el.classList.add(part.slice(1));
      else el.id = part.slice(1);
    }
  }
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node ||
      Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2), v);
    } else if (k === 'class') {
      for (const c of String(v).split(/\s+/)) if (c) el.classList.add(c);
    } else if (k === 'dataset') {
      Object.assign(el.dataset, v);
    } else if (k === 'value' || k === 'checked' || k === 'selected') {
      el[k] = v;
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

let uid = 0;
export function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

// A labelled field: label + control + a slot for its error message.
export function field(label, control, hint) {
  if (!control.id) control.id = nextId('f');
  const err = h('p.field-error', { id: `${control.id}-err`, hidden: true });
  const kids = [h('label', { for: control.id }, label), control];
  if (hint) {
    const hid = `${control.id}-hint`;
    kids.push(h('p.hint', { id: hid }, hint));
    control.setAttribute('aria-describedby', hid);
  }
  kids.push(err);
  return h('div.field', kids);
}

export function clearErrors(form) {
  for (const el of form.querySelectorAll('[aria-invalid]')) {
    el.removeAttribute('aria-invalid');
  }
  for (const el of form.querySelectorAll('.field-error, .form-error')) {
    el.textContent = '';
    el.hidden = true;
  }
}

// Show an API error next to the field it names (error.field), or at the
// top of the form when no control of that name exists. Returns the element
// that got the message.
export function showError(form, err) {
  const msg = err && err.message ? err.message : String(err);
  const name = err && err.field;
  const ctl = name ? form.querySelector(`[name="${CSS.escape(name)}"]`) : null;
  if (ctl && !ctl.closest('[hidden]')) {
    ctl.setAttribute('aria-invalid', 'true');
    const slot = form.querySelector(`#${CSS.escape(ctl.id)}-err`);
    if (slot) {
      slot.textContent = msg;
      slot.hidden = false;
      const ids = new Set((ctl.getAttribute('aria-describedby') || '')
        .split(/\s+/).filter(Boolean));
      ids.add(slot.id);
      ctl.setAttribute('aria-describedby', [...ids].join(' '));
      ctl.addEventListener('input', () => {
        ctl.removeAttribute('aria-invalid');
        slot.textContent = '';
        slot.hidden = true;
      }, { once: true });
      ctl.focus();
      return slot;
    }
  }
  let box = form.querySelector('.form-error');
  if (!box) {
    box = h('p.form-error', { role: 'alert' });
    form.prepend(box);
  }
  box.textContent = msg;
  box.hidden = false;
  return box;
}

let toastTimer = 0;
// toast(msg, kind, action): action {label, run} adds a button, and the
// toast then stays longer (time to read it and reach the button).
export function toast(msg, kind, action) {
  const t = document.getElementById('toast');
  t.textContent = msg;
  if (action) {
    const b = h('button.small.toast-action', { type: 'button' }, action.label);
    b.addEventListener('click', () => { t.className = 'toast'; action.run(); });
    t.append(' ', b);
  }
  t.className = `toast show${kind ? ` ${kind}` : ''}`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.className = 'toast'; }, action ? 12000 : 4000);
}

// Disable a form's buttons while a request runs.
export async function busy(form, fn) {
  const btns = [...form.querySelectorAll('button')];
  const was = btns.map((b) => b.disabled);
  btns.forEach((b) => { b.disabled = true; });
  form.setAttribute('aria-busy', 'true');
  try {
    return await fn();
  } finally {
    btns.forEach((b, i) => { b.disabled = was[i]; });
    form.removeAttribute('aria-busy');
  }
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
}

// Draw list's rows from data, keeping the node of every row whose data is
// unchanged. A live event reloads a page; redrawing rows it did not change
// would swap the button under the pointer between mousedown and mouseup, and
// the browser then fires no click at all. rows are [key, data]; data is what
// draw(data) depends on, compared as JSON.
export function keyedRows(list, rows, draw) {
  const had = new Map();
  for (const el of list.children) if (el.rowKey !== undefined) had.set(el.rowKey, el);
  const want = rows.map(([key, data]) => {
    const sig = JSON.stringify(data);
    const old = had.get(key);
    if (old && old.rowSig === sig) return old;
    const el = draw(data);
    el.rowKey = key;
    el.rowSig = sig;
    // a changed row takes its old row's place: nothing else moves
    if (old && old !== el && !el.isConnected) old.replaceWith(el);
    return el;
  });
  // the rows that went, first: inserting before them would move every
  // row after them (insertBefore takes a node out and puts it back)
  const keep = new Set(want);
  for (const el of [...list.children]) if (!keep.has(el)) el.remove();
  // then only what is out of place moves; a new row is put in place
  want.forEach((el, i) => { if (list.children[i] !== el) list.insertBefore(el, list.children[i] || null); });
}

// An amount in the UI's locale as nodes: the number in span.num, the
// currency's symbol in abbr.cur (titled with its code), in the locale's order.
export function moneyNodes(amount, currency) {
  return amountParts(amount, currency).map((p) => (p.type === 'num' ? h('span.num', p.value)
    : p.type === 'cur' ? h('abbr.cur', { title: currency }, p.value) : p.value));
}

// A button that asks once more before it acts: the first click changes
// its text, the second runs fn(button). aria names what it acts on.
export function confirmButton(label, again, aria, fn) {
  const b = h('button.danger.small', { type: 'button', 'aria-label': t('common.actionOn', { action: label, what: aria }) }, label);
  b.addEventListener('click', () => {
    if (!b.dataset.confirm) {
      b.dataset.confirm = '1';
      b.textContent = again;
      b.setAttribute('aria-label', t('common.confirmOn', { again, action: label, what: aria }));
      return;
    }
    fn(b);
  });
  return b;
}
