// The settings screen: base currency and time zone, password,
// notification channels, devices and sessions, and for administrators the
// users. The account's deletion stays on the Account page (#/account).
import { api, logoutAll, forget } from './api.js';
import { h, field, clearErrors, showError, busy, toast, clear } from './dom.js';
import { session } from './session.js';
import { device, at, passwordCard } from './account.js';

const KIND_TEXT = { alert: 'Budget alerts', reminder: 'Reminders' };

function currencyOptions(sel, current) {
  const codes = session.currencies.map((c) => c.code);
  if (current && !codes.includes(current)) codes.unshift(current);
  for (const c of codes) sel.append(h('option', { value: c, selected: c === current }, c));
  return sel;
}

function zoneList() {
  const id = 'tz-list';
  let dl = document.getElementById(id);
  if (!dl) {
    dl = h(`datalist#${id}`);
    const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    for (const z of zones) dl.append(h('option', { value: z }));
  }
  return dl;
}

// A button that asks once more before it acts: the first click changes
// its text, the second runs fn.
function confirmButton(label, again, aria, fn) {
  const b = h('button.danger.small', { type: 'button', 'aria-label': `${label}: ${aria}` }, label);
  b.addEventListener('click', () => {
    if (!b.dataset.confirm) {
      b.dataset.confirm = '1';
      b.textContent = again;
      b.setAttribute('aria-label', `${again} ${label}: ${aria}`);
      return;
    }
    fn(b);
  });
  return b;
}

export function renderSettings(main, params, { onSignedOut }) {
  document.title = 'Settings · Spend';
  const me = session.me || {};
  const admin = me.role === 'admin';

  // ---- profile: currency and time zone
  const profile = h('form.card.settings-profile', { novalidate: true, 'aria-labelledby': 'set-prof-title' },
    h('h2#set-prof-title', 'Currency and time zone'));
  if (admin) {
    const cur = currencyOptions(h('select', { name: 'currency', id: 'set-currency' }), me.currency);
    const tz = h('input', { name: 'timezone', id: 'set-timezone', list: 'tz-list', value: me.timezone || '', autocomplete: 'off' });
    profile.append(
      h('p.hint', 'Your base currency (totals and budgets) and the time zone your days start in.'),
      h('div.row', field('Base currency', cur), field('Time zone', tz, 'Like Europe/Paris.')),
      zoneList(),
      h('div.actions', h('button.primary', { type: 'submit' }, 'Save')));
    profile.addEventListener('submit', (ev) => {
      ev.preventDefault();
      clearErrors(profile);
      busy(profile, async () => {
        try {
          const r = await api('PATCH', `/users/${encodeURIComponent(me.name)}`,
            { body: { currency: cur.value, timezone: tz.value.trim(), version: me.version } });
          Object.assign(session.me, r && r.user ? r.user : r);
          toast('Saved.', 'ok');
          await loadUsers();
        } catch (e) { showError(profile, e); }
      });
    });
  } else {
    profile.append(
      h('dl.facts',
        h('dt', 'User name'), h('dd#me-name', me.name || ''),
        h('dt', 'Base currency'), h('dd#set-currency', me.currency || ''),
        h('dt', 'Time zone'), h('dd#set-timezone', me.timezone || '')),
      h('p.hint', 'Only an administrator can change these: ask yours.'));
  }

  // ---- password
  const pwForm = passwordCard(() => loadSessions());

  // ---- notifications
  const chanList = h('ul.channels', { 'aria-label': 'Your notification channels' });
  const secretBox = h('div.notice.secret-once', { hidden: true, role: 'status' });
  const addSel = h('select', { name: 'channel', id: 'nt-channel' });
  const addTarget = h('input', { name: 'target', id: 'nt-target', autocomplete: 'off' });
  const targetField = field('Address', addTarget);
  const addKinds = h('div.kinds');
  const addForm = h('form.notify-add', { novalidate: true, 'aria-labelledby': 'nt-add-title' },
    h('h3#nt-add-title', 'Add a channel'),
    h('div.row', field('Channel', addSel), targetField),
    h('fieldset.kinds-set', h('legend', 'Send me'), addKinds),
    h('div.actions', h('button.primary', { type: 'submit' }, 'Add channel')));
  const notifyBox = h('section.card.settings-notify', { 'aria-labelledby': 'set-nt-title' },
    h('h2#set-nt-title', 'Notifications'),
    h('p.hint', 'Where budget alerts and reminders reach you.'),
    secretBox, chanList, addForm);
  let nt = { channels: [], available: [], kinds: [] };

  function kindBoxes(prefix, chosen) {
    const all = !chosen || chosen.includes('*');
    return nt.kinds.map((k) => {
      const id = `${prefix}-${k}`;
      return h('span.check', h('input', { type: 'checkbox', id, value: k, checked: all || chosen.includes(k) }),
        h('label', { for: id }, KIND_TEXT[k] || k));
    });
  }
  const checkedKinds = (box) => [...box.querySelectorAll('input[type=checkbox]:checked')].map((c) => c.value);

  function showSecret(channel, secret) {
    secretBox.replaceChildren(
      h('p', h('strong', `The ${channel} signing secret`), ': copy it now, it is not shown again.'),
      h('code.secret', secret));
    secretBox.hidden = false;
  }

  function targetLabel(name) {
    // "none": the channel takes no target (log, exec)
    const a = nt.available.find((x) => x.name === name);
    return a && a.target && a.target !== 'none' ? a.target : '';
  }

  function renderChannels() {
    clear(chanList);
    for (const c of nt.channels) {
      const kinds = h('span.kinds', kindBoxes(`nt-${c.channel}`, c.kinds));
      const tl = targetLabel(c.channel);
      const target = h('input', { name: 'target', id: `nt-${c.channel}-target`, value: c.target || '', autocomplete: 'off' });
      const form = h('form.channel', { novalidate: true, dataset: { channel: c.channel }, 'aria-label': `Channel ${c.channel}` },
        h('div.ch-head', h('strong', c.channel),
          c.available === false ? h('span.badge.warn', 'not offered any more') : null,
          c.secret_set ? h('span.muted', 'signed') : null),
        tl ? field(tl[0].toUpperCase() + tl.slice(1), target) : null,
        h('fieldset.kinds-set', h('legend', `Send to ${c.channel}`), kinds),
        h('div.actions',
          h('button.secondary.small', { type: 'submit' }, 'Save'),
          h('button.secondary.small.nt-test', { type: 'button', 'aria-label': `Send a test to ${c.channel}` }, 'Send a test'),
          c.secret_set ? h('button.secondary.small.nt-rotate', { type: 'button' }, 'New secret') : null,
          h('span.spacer'),
          confirmButton('Remove', 'Really remove?', c.channel, (b) => busy(form, async () => {
            try {
              await api('DELETE', `/notify/settings/${encodeURIComponent(c.channel)}`);
              toast(`${c.channel} removed.`, 'ok');
              await loadNotify();
            } catch (e) { b.textContent = 'Remove'; b.setAttribute('aria-label', `Remove: ${c.channel}`); delete b.dataset.confirm; showError(form, e); }
          }))));
      const save = (extra) => busy(form, async () => {
        clearErrors(form);
        try {
          const body = { kinds: checkedKinds(kinds), ...extra };
          if (tl) body.target = target.value.trim();
          const r = await api('PATCH', `/notify/settings/${encodeURIComponent(c.channel)}`, { body });
          if (r && r.secret) showSecret(c.channel, r.secret);
          toast(`${c.channel} saved.`, 'ok');
        } catch (e) { showError(form, e); }
      });
      form.addEventListener('submit', (ev) => { ev.preventDefault(); save({}); });
      form.querySelector('.nt-test').addEventListener('click', () => busy(form, async () => {
        try {
          await api('POST', '/notify/test', { body: { channel: c.channel } });
          toast(`A test is on its way to ${c.channel}.`, 'ok');
        } catch (e) { showError(form, e); }
      }));
      form.querySelector('.nt-rotate')?.addEventListener('click', () => save({ rotate_secret: true }));
      chanList.append(h('li', form));
    }
    if (!nt.channels.length) chanList.append(h('li.muted', 'No channel yet: add one below.'));
    // channels that may still be added
    clear(addSel);
    const free = nt.available.filter((a) => !nt.channels.some((c) => c.channel === a.name));
    for (const a of free) addSel.append(h('option', { value: a.name }, a.description ? `${a.name} — ${a.description}` : a.name));
    addForm.hidden = !free.length;
    addKinds.replaceChildren(...kindBoxes('nt-new', null));
    addTargetFor();
  }

  function addTargetFor() {
    const tl = targetLabel(addSel.value);
    targetField.hidden = !tl;
    targetField.querySelector('label').textContent = tl ? tl[0].toUpperCase() + tl.slice(1) : 'Address';
  }
  addSel.addEventListener('change', addTargetFor);

  addForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearErrors(addForm);
    const ch = addSel.value;
    if (!ch) return;
    const body = { kinds: checkedKinds(addKinds) };
    if (targetLabel(ch)) {
      if (!addTarget.value.trim()) { showError(addForm, { field: 'target', message: `Enter the ${targetLabel(ch)}.` }); return; }
      body.target = addTarget.value.trim();
    }
    busy(addForm, async () => {
      try {
        const r = await api('PUT', `/notify/settings/${encodeURIComponent(ch)}`, { body });
        addTarget.value = '';
        await loadNotify();
        if (r && r.secret) showSecret(ch, r.secret);
        toast(`${ch} added.`, 'ok');
      } catch (e) { showError(addForm, e); }
    });
  });

  async function loadNotify() {
    try {
      nt = await api('GET', '/notify/settings');
      nt.channels = nt.channels || [];
      nt.available = nt.available || [];
      nt.kinds = nt.kinds || ['alert', 'reminder'];
      renderChannels();
    } catch (e) {
      chanList.replaceChildren(h('li.form-error', e.message));
    }
  }

  // ---- devices and sessions
  const sessList = h('ul.sessions', { 'aria-label': 'Signed-in devices' });
  const allBtn = h('button.danger', { type: 'button' }, 'Sign out everywhere');
  const sessBox = h('section.card.settings-devices', { 'aria-labelledby': 'set-dev-title' },
    h('h2#set-dev-title', 'Devices and sessions'),
    h('p.hint', 'Each sign-in is a device. Name them to tell them apart; end one you lost.'),
    sessList,
    h('div.actions', allBtn));

  function sessionItem(s) {
    const name = s.device || device(s.user_agent);
    const li = h('li.session', { dataset: { id: s.id } });
    const rename = h('button.secondary.small', { type: 'button', 'aria-label': `Rename ${name}` }, 'Rename');
    const end = confirmButton(s.current ? 'Sign out' : 'End session', 'Really?', name, () => busy(li, async () => {
      try {
        await api('DELETE', `/sessions/${encodeURIComponent(s.id)}`);
        if (s.current) { forget(); onSignedOut('You are signed out.'); return; }
        toast('Session ended.', 'ok');
        await loadSessions();
      } catch (e) { toast(e.message, 'warn'); }
    }));
    const what = h('span.sess-what',
      h('strong.sess-name', name),
      s.current ? h('span.badge', 'this device') : null,
      h('span.muted.sess-meta',
        [s.device ? device(s.user_agent) : null, s.address || null,
          `last seen ${at(s.last_used_at) || 'never'}`,
          s.synced_at ? `last synced ${at(s.synced_at)}` : 'never synced'].filter(Boolean).join(' · ')));
    li.append(what, h('span.sess-actions', rename, end));
    rename.addEventListener('click', () => {
      const input = h('input', { name: 'name', id: `dev-${s.id}-name`, value: s.device || '', maxlength: 64, autocomplete: 'off' });
      const f = h('form.rename', { novalidate: true },
        field(`New name for ${name}`, input),
        h('div.actions', h('button.primary.small', { type: 'submit' }, 'Save name'),
          h('button.secondary.small', { type: 'button', onclick: () => loadSessions() }, 'Cancel')));
      f.addEventListener('submit', (ev) => {
        ev.preventDefault();
        clearErrors(f);
        if (!input.value.trim()) { showError(f, { field: 'name', message: 'Enter a name.' }); return; }
        busy(f, async () => {
          try {
            await api('PATCH', `/sessions/${encodeURIComponent(s.id)}`, { body: { name: input.value.trim() } });
            toast('Renamed.', 'ok');
            await loadSessions();
          } catch (e) { showError(f, e); }
        });
      });
      li.replaceChildren(f);
      input.focus();
    });
    return li;
  }

  async function loadSessions() {
    try {
      const r = await api('GET', '/sessions');
      const items = (r.items || []).slice().sort((a, b) => (b.current ? 1 : 0) - (a.current ? 1 : 0));
      sessList.replaceChildren(...items.map(sessionItem));
    } catch (e) {
      sessList.replaceChildren(h('li.form-error', e.message));
    }
  }

  allBtn.addEventListener('click', () => {
    if (!allBtn.dataset.confirm) {
      allBtn.dataset.confirm = '1';
      allBtn.textContent = 'Really sign out everywhere?';
      return;
    }
    busy(sessBox, async () => {
      try {
        await logoutAll();
        onSignedOut('You are signed out on every device.');
      } catch (e) { toast(e.message, 'warn'); }
    });
  });

  // ---- users (administrators)
  const userList = h('ul.users', { 'aria-label': 'Users' });
  const nu = {
    name: h('input', { name: 'name', id: 'nu-name', autocomplete: 'off', required: true }),
    password: h('input', { name: 'password', id: 'nu-password', type: 'password', autocomplete: 'new-password', minlength: 8 }),
    role: h('select', { name: 'role', id: 'nu-role' }, h('option', { value: 'user' }, 'User'), h('option', { value: 'admin' }, 'Administrator')),
    currency: currencyOptions(h('select', { name: 'currency', id: 'nu-currency' }), me.currency),
  };
  const userForm = h('form.user-add', { novalidate: true, 'aria-labelledby': 'nu-title' },
    h('h3#nu-title', 'Add a user'),
    h('div.row', field('User name', nu.name), field('Password', nu.password, 'At least 8 characters.')),
    h('div.row', field('Role', nu.role), field('Base currency', nu.currency)),
    h('div.actions', h('button.primary', { type: 'submit' }, 'Add user')));
  const usersBox = admin ? h('section.card.settings-users', { 'aria-labelledby': 'set-users-title' },
    h('h2#set-users-title', 'Users'), userList, userForm) : null;

  function userItem(u) {
    const role = h('select', { name: 'role', id: `u-${u.id}-role` },
      h('option', { value: 'user', selected: u.role !== 'admin' }, 'User'),
      h('option', { value: 'admin', selected: u.role === 'admin' }, 'Administrator'));
    const cur = currencyOptions(h('select', { name: 'currency', id: `u-${u.id}-currency` }), u.currency);
    const f = h('form.user', { novalidate: true, dataset: { name: u.name }, 'aria-label': `User ${u.name}` },
      h('div.u-head', h('strong.u-name', u.name), u.name === me.name ? h('span.badge', 'you') : null,
        h('span.muted', `${u.timezone || ''}${u.has_password ? '' : ' · no password (socket only)'}`)),
      h('div.row', field('Role', role), field('Currency', cur)),
      h('div.actions',
        h('button.secondary.small', { type: 'submit', 'aria-label': `Save ${u.name}` }, 'Save'),
        h('span.spacer'),
        u.name === me.name ? null : confirmButton('Delete', 'Really delete?', u.name, (b) => busy(f, async () => {
          try {
            await api('DELETE', `/users/${encodeURIComponent(u.name)}`);
            toast(`${u.name} deleted.`, 'ok');
            await loadUsers();
          } catch (e) { b.textContent = 'Delete'; b.setAttribute('aria-label', `Delete: ${u.name}`); delete b.dataset.confirm; showError(f, e); }
        }))));
    f.addEventListener('submit', (ev) => {
      ev.preventDefault();
      clearErrors(f);
      busy(f, async () => {
        try {
          await api('PATCH', `/users/${encodeURIComponent(u.name)}`, { body: { role: role.value, currency: cur.value, version: u.version } });
          toast(`${u.name} saved.`, 'ok');
          await loadUsers();
        } catch (e) { showError(f, e); }
      });
    });
    return h('li', f);
  }

  async function loadUsers() {
    if (!admin) return;
    try {
      const r = await api('GET', '/users');
      const items = r.items || r.users || [];
      userList.replaceChildren(...items.map(userItem));
      const mine = items.find((u) => u.name === me.name);
      if (mine) Object.assign(session.me, { version: mine.version, currency: mine.currency, timezone: mine.timezone });
    } catch (e) {
      userList.replaceChildren(h('li.form-error', e.message));
    }
  }

  userForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearErrors(userForm);
    if (!nu.name.value.trim()) { showError(userForm, { field: 'name', message: 'Enter a user name.' }); return; }
    if (nu.password.value.length < 8) { showError(userForm, { field: 'password', message: 'Use at least 8 characters.' }); return; }
    busy(userForm, async () => {
      try {
        await api('POST', '/users', { body: { name: nu.name.value.trim(), password: nu.password.value, role: nu.role.value, currency: nu.currency.value } });
        toast(`${nu.name.value.trim()} added.`, 'ok');
        nu.name.value = '';
        nu.password.value = '';
        await loadUsers();
      } catch (e) { showError(userForm, e); }
    });
  });

  main.replaceChildren(h('div.settings-view',
    h('h1', 'Settings'),
    profile, pwForm, notifyBox, sessBox, usersBox,
    h('p.hint.settings-more', 'To delete your account and all its data, see ', h('a', { href: '#/account' }, 'Account'), '.')));

  loadNotify();
  loadSessions();
  loadUsers();
  return {};
}
