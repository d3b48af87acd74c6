// The account screen: who is signed in, password, sign out everywhere.
import { api, logoutAll } from './api.js';
import { h, field, clearErrors, showError, busy, toast } from './dom.js';
import { session } from './session.js';

// Body keys of POST /api/v1/auth/password (daemon/auth.c).
const OLD = 'old_password';
const NEW = 'new_password';

export function renderAccount(main, params, { onSignedOut }) {
  document.title = 'Account · Spend';
  const me = session.me || {};
  const info = h('dl.facts',
    h('dt', 'User name'), h('dd#me-name', me.name || ''),
    h('dt', 'Role'), h('dd', me.role === 'admin' ? 'Administrator' : 'User'),
    h('dt', 'Currency'), h('dd', me.currency || ''),
    h('dt', 'Time zone'), h('dd', me.timezone || ''));

  const oldPw = h('input', { name: OLD, type: 'password', autocomplete: 'current-password', required: true });
  const newPw = h('input', { name: NEW, type: 'password', autocomplete: 'new-password', required: true, minlength: 8 });
  const pwForm = h('form.card', { novalidate: true },
    h('h2', 'Change password'),
    h('p.hint', 'Changing your password signs you out on every other device.'),
    field('Current password', oldPw),
    field('New password', newPw, 'At least 8 characters.'),
    h('div.actions', h('button.primary', { type: 'submit' }, 'Change password')));

  const allBtn = h('button.danger', { type: 'button' }, 'Sign out everywhere');
  const allBox = h('section.card',
    h('h2', 'Sessions'),
    h('p', 'Lost a phone, or signed in on a shared computer? This ends every session of your account, this one too.'),
    h('div.actions', allBtn));

  main.replaceChildren(h('div.account-view',
    h('h1', 'Account'), h('section.card', info), pwForm, allBox));

  pwForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearErrors(pwForm);
    if (!oldPw.value) { showError(pwForm, { field: OLD, message: 'Enter your current password.' }); return; }
    if (newPw.value.length < 8) { showError(pwForm, { field: NEW, message: 'Use at least 8 characters.' }); return; }
    busy(pwForm, async () => {
      try {
        const r = await api('POST', '/auth/password', { body: { [OLD]: oldPw.value, [NEW]: newPw.value } });
        oldPw.value = '';
        newPw.value = '';
        toast('Password changed.', 'ok');
        return r;
      } catch (e) {
        if (e.field === 'password' || e.field === 'current_password') e.field = OLD;
        if (e.field === 'new') e.field = NEW;
        showError(pwForm, e);
      }
      return null;
    });
  });

  allBtn.addEventListener('click', () => {
    if (!allBtn.dataset.confirm) {
      allBtn.dataset.confirm = '1';
      allBtn.textContent = 'Really sign out everywhere?';
      return;
    }
    busy(allBox, async () => {
      try {
        await logoutAll();
        onSignedOut('You are signed out on every device.');
      } catch (e) {
        toast(e.message, 'warn');
      }
    });
  });
  return {};
}
