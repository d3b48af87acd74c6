// The account screen: who is signed in, password, sessions (devices),
// sign out everywhere, delete the account.
import { api, adopt, forget } from './api.js';
import { h, field, clearErrors, showError, busy, toast } from './dom.js';
import { session } from './session.js';
import { t } from './i18n.js';
import { devicesCard } from './devices.js';

// The password form (Account and Settings): on success this device is
// signed in again (the reply's tokens) and onChanged runs.
export function passwordCard(onChanged) {
  const oldPw = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const newPw = h('input', { name: 'new_password', type: 'password', autocomplete: 'new-password', required: true, minlength: 8 });
  const pwForm = h('form.card', { novalidate: true, 'aria-labelledby': 'pw-title' },
    h('h2#pw-title', t('pw.title')),
    h('p.hint', t('pw.hint')),
    field(t('pw.current'), oldPw),
    field(t('pw.new'), newPw, t('common.pwHint')),
    h('div.actions', h('button.primary', { type: 'submit' }, t('pw.submit'))));
  pwForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearErrors(pwForm);
    if (!oldPw.value) { showError(pwForm, { field: 'password', message: t('pw.needCurrent') }); return; }
    if (newPw.value.length < 8) { showError(pwForm, { field: 'new_password', message: t('common.pwTooShort') }); return; }
    busy(pwForm, async () => {
      try {
        const r = await api('POST', '/auth/password', { body: { password: oldPw.value, new_password: newPw.value } });
        adopt(r);
        oldPw.value = '';
        newPw.value = '';
        toast(t('pw.changed'), 'ok');
        if (onChanged) onChanged();
      } catch (e) {
        if (e.status === 401 && !e.field) e.field = 'password';
        showError(pwForm, e);
      }
    });
  });
  return pwForm;
}

export function renderAccount(main, params, { onSignedOut }) {
  document.title = t('app.title', { page: t('account.title') });
  const me = session.me || {};
  const info = h('dl.facts',
    h('dt', t('common.userName')), h('dd#me-name', me.name || ''),
    h('dt', t('common.role')), h('dd', me.role === 'admin' ? t('common.roleAdmin') : t('common.roleUser')),
    h('dt', t('common.currency')), h('dd', me.currency || ''),
    h('dt', t('common.timezone')), h('dd', me.timezone || ''));

  // ---- password
  const pwForm = passwordCard(() => sessions.load());

  // ---- sessions (devices.js)
  const sessions = devicesCard({ titleId: 'sess-title', title: t('sessions.title'),
    hint: t('account.sessionsHint'), onSignedOut });

  // ---- delete account
  const delPw = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const delForm = h('form.card.danger-zone', { novalidate: true, 'aria-labelledby': 'del-title' },
    h('h2#del-title', t('account.deleteTitle')),
    h('p', t('account.deleteHint')),
    field(t('account.yourPassword'), delPw),
    h('div.actions', h('button.danger', { type: 'submit' }, t('account.deleteSubmit'))));

  main.replaceChildren(h('div.account-view',
    h('h1', t('account.title')), h('section.card', info), pwForm, sessions.el, delForm));

  delForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearErrors(delForm);
    if (!delPw.value) { showError(delForm, { field: 'password', message: t('account.needPassword') }); return; }
    busy(delForm, async () => {
      try {
        await api('DELETE', '/me', { body: { password: delPw.value } });
        forget();
        onSignedOut(t('account.deleted'));
      } catch (e) {
        if (e.status === 401 && !e.field) e.field = 'password';
        showError(delForm, e);
      }
    });
  });

  sessions.load();
  return {};
}
