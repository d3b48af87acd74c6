// The settings screen: base currency and time zone, password,
// notification channels, devices and sessions, and for administrators the
// users. The account's deletion stays on the Account page (#/account).
import { api } from './api.js';
import { h, field, clearErrors, showError, busy, toast, clear, confirmButton } from './dom.js';
import { session } from './session.js';
import { passwordCard } from './account.js';
import { devicesCard } from './devices.js';
import { t, languageSetting, setLanguage } from './i18n.js';

const kindText = (k) => ({ alert: t('settings.kindAlert'), reminder: t('settings.kindReminder') }[k] || k);

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

export function renderSettings(main, params, { onSignedOut }) {
  document.title = t('app.title', { page: t('settings.title') });
  const me = session.me || {};
  const admin = me.role === 'admin';

  // ---- profile: currency and time zone
  const profile = h('form.card.settings-profile', { novalidate: true, 'aria-labelledby': 'set-prof-title' },
    h('h2#set-prof-title', t('settings.profileTitle')));
  if (admin) {
    const cur = currencyOptions(h('select', { name: 'currency', id: 'set-currency' }), me.currency);
    const tz = h('input', { name: 'timezone', id: 'set-timezone', list: 'tz-list', value: me.timezone || '', autocomplete: 'off' });
    profile.append(
      h('p.hint', t('settings.profileHint')),
      h('div.row', field(t('common.baseCurrency'), cur), field(t('common.timezone'), tz, t('settings.tzHint'))),
      zoneList(),
      h('div.actions', h('button.primary', { type: 'submit' }, t('common.save'))));
    profile.addEventListener('submit', (ev) => {
      ev.preventDefault();
      clearErrors(profile);
      busy(profile, async () => {
        try {
          const r = await api('PATCH', `/users/${encodeURIComponent(me.name)}`,
            { body: { currency: cur.value, timezone: tz.value.trim(), version: me.version } });
          Object.assign(session.me, r && r.user ? r.user : r);
          toast(t('common.saved'), 'ok');
          await loadUsers();
        } catch (e) { showError(profile, e); }
      });
    });
  } else {
    profile.append(
      h('dl.facts',
        h('dt', t('common.userName')), h('dd#me-name', me.name || ''),
        h('dt', t('common.baseCurrency')), h('dd#set-currency', me.currency || ''),
        h('dt', t('common.timezone')), h('dd#set-timezone', me.timezone || '')),
      h('p.hint', t('settings.adminOnly')));
  }

  // ---- language: automatic (the browser's) or chosen; kept on this device
  const langSel = h('select', { name: 'language', id: 'set-language' },
    h('option', { value: '' }, t('settings.langAuto')),
    h('option', { value: 'en', lang: 'en' }, 'English'),
    h('option', { value: 'de', lang: 'de' }, 'Deutsch'));
  langSel.value = languageSetting();
  langSel.addEventListener('change', () => {
    // the screen is drawn again in the new language: back to this control
    setLanguage(langSel.value);
    document.getElementById('set-language')?.focus();
  });
  const langBox = h('section.card.settings-language', { 'aria-labelledby': 'set-lang-title' },
    h('h2#set-lang-title', t('settings.langTitle')),
    field(t('settings.langLabel'), langSel, t('settings.langHint')));

  // ---- password
  const pwForm = passwordCard(() => sessions.load());

  // ---- notifications
  const chanList = h('ul.channels', { 'aria-label': t('settings.channels') });
  const secretBox = h('div.notice.secret-once', { hidden: true, role: 'status' });
  const addSel = h('select', { name: 'channel', id: 'nt-channel' });
  const addTarget = h('input', { name: 'target', id: 'nt-target', autocomplete: 'off' });
  const targetField = field(t('settings.address'), addTarget);
  const addKinds = h('div.kinds');
  const addForm = h('form.notify-add', { novalidate: true, 'aria-labelledby': 'nt-add-title' },
    h('h3#nt-add-title', t('settings.addChannel')),
    h('div.row', field(t('settings.channel'), addSel), targetField),
    h('fieldset.kinds-set', h('legend', t('settings.sendMe')), addKinds),
    h('div.actions', h('button.primary', { type: 'submit' }, t('settings.addChannelSubmit'))));
  const notifyBox = h('section.card.settings-notify', { 'aria-labelledby': 'set-nt-title' },
    h('h2#set-nt-title', t('settings.notifyTitle')),
    h('p.hint', t('settings.notifyHint')),
    secretBox, chanList, addForm);
  let nt = { channels: [], available: [], kinds: [] };

  function kindBoxes(prefix, chosen) {
    const all = !chosen || chosen.includes('*');
    return nt.kinds.map((k) => {
      const id = `${prefix}-${k}`;
      return h('span.check', h('input', { type: 'checkbox', id, value: k, checked: all || chosen.includes(k) }),
        h('label', { for: id }, kindText(k)));
    });
  }
  const checkedKinds = (box) => [...box.querySelectorAll('input[type=checkbox]:checked')].map((c) => c.value);

  function showSecret(channel, secret) {
    secretBox.replaceChildren(
      h('p', h('strong', t('settings.secret', { channel })), t('settings.secretOnce')),
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
      const form = h('form.channel', { novalidate: true, dataset: { channel: c.channel }, 'aria-label': t('settings.channelNamed', { channel: c.channel }) },
        h('div.ch-head', h('strong', c.channel),
          c.available === false ? h('span.badge.warn', t('settings.notOffered')) : null,
          c.secret_set ? h('span.muted', t('settings.signed')) : null),
        tl ? field(tl[0].toUpperCase() + tl.slice(1), target) : null,
        h('fieldset.kinds-set', h('legend', t('settings.sendTo', { channel: c.channel })), kinds),
        h('div.actions',
          h('button.secondary.small', { type: 'submit' }, t('common.save')),
          h('button.secondary.small.nt-test', { type: 'button', 'aria-label': t('settings.testTo', { channel: c.channel }) }, t('settings.test')),
          c.secret_set ? h('button.secondary.small.nt-rotate', { type: 'button' }, t('settings.newSecret')) : null,
          h('span.spacer'),
          confirmButton(t('common.remove'), t('common.reallyRemove'), c.channel, (b) => busy(form, async () => {
            try {
              await api('DELETE', `/notify/settings/${encodeURIComponent(c.channel)}`);
              toast(t('common.removedNamed', { name: c.channel }), 'ok');
              await loadNotify();
            } catch (e) { b.textContent = t('common.remove'); b.setAttribute('aria-label', t('common.actionOn', { action: t('common.remove'), what: c.channel })); delete b.dataset.confirm; showError(form, e); }
          }))));
      const save = (extra) => busy(form, async () => {
        clearErrors(form);
        try {
          const body = { kinds: checkedKinds(kinds), ...extra };
          if (tl) body.target = target.value.trim();
          const r = await api('PATCH', `/notify/settings/${encodeURIComponent(c.channel)}`, { body });
          if (r && r.secret) showSecret(c.channel, r.secret);
          toast(t('common.savedNamed', { name: c.channel }), 'ok');
        } catch (e) { showError(form, e); }
      });
      form.addEventListener('submit', (ev) => { ev.preventDefault(); save({}); });
      form.querySelector('.nt-test').addEventListener('click', () => busy(form, async () => {
        try {
          await api('POST', '/notify/test', { body: { channel: c.channel } });
          toast(t('settings.testSent', { channel: c.channel }), 'ok');
        } catch (e) { showError(form, e); }
      }));
      form.querySelector('.nt-rotate')?.addEventListener('click', () => save({ rotate_secret: true }));
      chanList.append(h('li', form));
    }
    if (!nt.channels.length) chanList.append(h('li.muted', t('settings.noChannel')));
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
    targetField.querySelector('label').textContent = tl ? tl[0].toUpperCase() + tl.slice(1) : t('settings.address');
  }
  addSel.addEventListener('change', addTargetFor);

  addForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearErrors(addForm);
    const ch = addSel.value;
    if (!ch) return;
    const body = { kinds: checkedKinds(addKinds) };
    if (targetLabel(ch)) {
      if (!addTarget.value.trim()) { showError(addForm, { field: 'target', message: t('settings.needTarget', { what: targetLabel(ch) }) }); return; }
      body.target = addTarget.value.trim();
    }
    busy(addForm, async () => {
      try {
        const r = await api('PUT', `/notify/settings/${encodeURIComponent(ch)}`, { body });
        addTarget.value = '';
        await loadNotify();
        if (r && r.secret) showSecret(ch, r.secret);
        toast(t('common.addedNamed', { name: ch }), 'ok');
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

  // ---- devices and sessions (devices.js)
  const sessions = devicesCard({ cls: 'settings-devices', titleId: 'set-dev-title',
    title: t('settings.devicesTitle'), hint: t('settings.devicesHint'), onSignedOut });

  // ---- users (administrators)
  const userList = h('ul.users', { 'aria-label': t('settings.usersTitle') });
  const nu = {
    name: h('input', { name: 'name', id: 'nu-name', autocomplete: 'off', required: true }),
    password: h('input', { name: 'password', id: 'nu-password', type: 'password', autocomplete: 'new-password', minlength: 8 }),
    role: h('select', { name: 'role', id: 'nu-role' }, h('option', { value: 'user' }, t('common.roleUser')), h('option', { value: 'admin' }, t('common.roleAdmin'))),
    currency: currencyOptions(h('select', { name: 'currency', id: 'nu-currency' }), me.currency),
  };
  const userForm = h('form.user-add', { novalidate: true, 'aria-labelledby': 'nu-title' },
    h('h3#nu-title', t('settings.addUser')),
    h('div.row', field(t('common.userName'), nu.name), field(t('common.password'), nu.password, t('common.pwHint'))),
    h('div.row', field(t('common.role'), nu.role), field(t('common.baseCurrency'), nu.currency)),
    h('div.actions', h('button.primary', { type: 'submit' }, t('settings.addUserSubmit'))));
  const usersBox = admin ? h('section.card.settings-users', { 'aria-labelledby': 'set-users-title' },
    h('h2#set-users-title', t('settings.usersTitle')), userList, userForm) : null;

  function userItem(u) {
    const role = h('select', { name: 'role', id: `u-${u.id}-role` },
      h('option', { value: 'user', selected: u.role !== 'admin' }, t('common.roleUser')),
      h('option', { value: 'admin', selected: u.role === 'admin' }, t('common.roleAdmin')));
    const cur = currencyOptions(h('select', { name: 'currency', id: `u-${u.id}-currency` }), u.currency);
    const f = h('form.user', { novalidate: true, dataset: { name: u.name }, 'aria-label': t('settings.userNamed', { name: u.name }) },
      h('div.u-head', h('strong.u-name', u.name), u.name === me.name ? h('span.badge', t('settings.you')) : null,
        h('span.muted', `${u.timezone || ''}${u.has_password ? '' : ` · ${t('settings.noPassword')}`}`)),
      h('div.row', field(t('common.role'), role), field(t('common.currency'), cur)),
      h('div.actions',
        h('button.secondary.small', { type: 'submit', 'aria-label': t('common.saveNamed', { name: u.name }) }, t('common.save')),
        h('span.spacer'),
        u.name === me.name ? null : confirmButton(t('common.delete'), t('common.reallyDelete'), u.name, (b) => busy(f, async () => {
          try {
            await api('DELETE', `/users/${encodeURIComponent(u.name)}`);
            toast(t('common.deletedNamed', { name: u.name }), 'ok');
            await loadUsers();
          } catch (e) { b.textContent = t('common.delete'); b.setAttribute('aria-label', t('common.actionOn', { action: t('common.delete'), what: u.name })); delete b.dataset.confirm; showError(f, e); }
        }))));
    f.addEventListener('submit', (ev) => {
      ev.preventDefault();
      clearErrors(f);
      busy(f, async () => {
        try {
          await api('PATCH', `/users/${encodeURIComponent(u.name)}`, { body: { role: role.value, currency: cur.value, version: u.version } });
          toast(t('common.savedNamed', { name: u.name }), 'ok');
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
    if (!nu.name.value.trim()) { showError(userForm, { field: 'name', message: t('settings.needUser') }); return; }
    if (nu.password.value.length < 8) { showError(userForm, { field: 'password', message: t('common.pwTooShort') }); return; }
    busy(userForm, async () => {
      try {
        await api('POST', '/users', { body: { name: nu.name.value.trim(), password: nu.password.value, role: nu.role.value, currency: nu.currency.value } });
        toast(t('common.addedNamed', { name: nu.name.value.trim() }), 'ok');
        nu.name.value = '';
        nu.password.value = '';
        await loadUsers();
      } catch (e) { showError(userForm, e); }
    });
  });

  main.replaceChildren(h('div.settings-view',
    h('h1', t('settings.title')),
    profile, langBox, pwForm, notifyBox, sessions.el, usersBox,
    h('p.hint.settings-more', t('settings.moreBefore'), h('a', { href: '#/account' }, t('account.title')), t('settings.moreAfter'))));

  loadNotify();
  sessions.load();
  loadUsers();
  return {};
}
