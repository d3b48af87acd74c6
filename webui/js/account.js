// The account screen: who is signed in, password, sessions (devices),
// sign out everywhere, delete the account.
import { api, adopt, logoutAll, forget } from './api.js';
import { h, field, clearErrors, showError, busy, toast, clear } from './dom.js';
import { session } from './session.js';

// "Mozilla/5.0 (X11; Linux x86_64) ... Chrome/120" -> "Chrome on Linux"
export function device(ua) {
  if (!ua) return 'Unknown device';
  const b = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox'
    : /Chrom(e|ium)\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari'
      : /curl\//.test(ua) ? 'curl' : /spendctl/i.test(ua) ? 'spendctl' : null;
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS'
    : /Windows/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'macOS'
      : /Linux/.test(ua) ? 'Linux' : null;
  if (b && os) return `${b} on ${os}`;
  return b || os || ua.slice(0, 60);
}

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export const at = (ts) => (ts ? when.format(new Date(ts)) : '');

// The password form (Account and Settings): on success this device is
// signed in again (the reply's tokens) and onChanged runs.
export function passwordCard(onChanged) {
  const oldPw = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const newPw = h('input', { name: 'new_password', type: 'password', autocomplete: 'new-password', required: true, minlength: 8 });
  const pwForm = h('form.card', { novalidate: true, 'aria-labelledby': 'pw-title' },
    h('h2#pw-title', 'Change password'),
    h('p.hint', 'Changing your password signs you out on every other device.'),
    field('Current password', oldPw),
    field('New password', newPw, 'At least 8 characters.'),
    h('div.actions', h('button.primary', { type: 'submit' }, 'Change password')));
  pwForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearErrors(pwForm);
    if (!oldPw.value) { showError(pwForm, { field: 'password', message: 'Enter your current password.' }); return; }
    if (newPw.value.length < 8) { showError(pwForm, { field: 'new_password', message: 'Use at least 8 characters.' }); return; }
    busy(pwForm, async () => {
      try {
        const r = await api('POST', '/auth/password', { body: { password: oldPw.value, new_password: newPw.value } });
        adopt(r);
        oldPw.value = '';
        newPw.value = '';
        toast('Password changed. Other devices are signed out.', 'ok');
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
  document.title = 'Account · Spend';
  const me = session.me || {};
  const info = h('dl.facts',
    h('dt', 'User name'), h('dd#me-name', me.name || ''),
    h('dt', 'Role'), h('dd', me.role === 'admin' ? 'Administrator' : 'User'),
    h('dt', 'Currency'), h('dd', me.currency || ''),
    h('dt', 'Time zone'), h('dd', me.timezone || ''));

  // ---- password
  const pwForm = passwordCard(() => loadSessions());

  // ---- sessions
  const list = h('ul.sessions');
  const allBtn = h('button.danger', { type: 'button' }, 'Sign out everywhere');
  const sessBox = h('section.card', { 'aria-labelledby': 'sess-title' },
    h('h2#sess-title', 'Signed-in devices'),
    list,
    h('p', 'Lost a phone, or signed in on a shared computer? End that session above, or end every session of your account, this one too.'),
    h('div.actions', allBtn));

  // ---- delete account
  const delPw = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const delForm = h('form.card.danger-zone', { novalidate: true, 'aria-labelledby': 'del-title' },
    h('h2#del-title', 'Delete account'),
    h('p', 'This deletes your account and every expense and category in it. It cannot be undone.'),
    field('Your password', delPw),
    h('div.actions', h('button.danger', { type: 'submit' }, 'Delete my account')));

  main.replaceChildren(h('div.account-view',
    h('h1', 'Account'), h('section.card', info), pwForm, sessBox, delForm));

  async function loadSessions() {
    try {
      const r = await api('GET', '/sessions');
      clear(list);
      for (const s of r.items || []) {
        const end = h('button.secondary.small', { type: 'button' }, s.current ? 'Sign out' : 'End session');
        // the name the device gave itself (or was given), else its browser
        const name = s.device || device(s.user_agent);
        end.setAttribute('aria-label', `${s.current ? 'Sign out' : 'End session'}: ${name}`);
        end.addEventListener('click', async () => {
          try {
            await api('DELETE', `/sessions/${encodeURIComponent(s.id)}`);
            if (s.current) { forget(); onSignedOut('You are signed out.'); return; }
            toast('Session ended.', 'ok');
            loadSessions();
          } catch (e) { toast(e.message, 'warn'); }
        });
        list.append(h('li.session', { dataset: { id: s.id } },
          h('span.sess-what',
            h('strong', name),
            s.current ? h('span.badge', 'this device') : null,
            h('span.muted', `${s.device ? `${device(s.user_agent)} · ` : ''}${s.address || ''} · last used ${at(s.last_used_at)}`
              + (s.synced_at ? ` · synced ${at(s.synced_at)}` : ''))),
          end));
      }
      if (!list.children.length) list.append(h('li.muted', 'No other session.'));
    } catch (e) {
      clear(list);
      list.append(h('li.form-error', e.message));
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
      } catch (e) {
        toast(e.message, 'warn');
      }
    });
  });

  delForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearErrors(delForm);
    if (!delPw.value) { showError(delForm, { field: 'password', message: 'Enter your password to confirm.' }); return; }
    busy(delForm, async () => {
      try {
        await api('DELETE', '/me', { body: { password: delPw.value } });
        forget();
        onSignedOut('Your account and its data are deleted.');
      } catch (e) {
        if (e.status === 401 && !e.field) e.field = 'password';
        showError(delForm, e);
      }
    });
  });

  loadSessions();
  return {};
}
