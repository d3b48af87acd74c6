// The account screen: who is signed in, password, sessions (devices),
// sign out everywhere, delete the account.
import { api, adopt, logoutAll, forget } from './api.js';
import { h, field, clearErrors, showError, busy, toast, clear } from './dom.js';
import { session } from './session.js';
import { t, dateTime } from './i18n.js';

// "Mozilla/5.0 (X11; Linux x86_64) ... Chrome/120" -> "Chrome on Linux"
export function device(ua) {
  if (!ua) return t('account.unknownDevice');
  const b = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox'
    : /Chrom(e|ium)\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari'
      : /curl\//.test(ua) ? 'curl' : /spendctl/i.test(ua) ? 'spendctl' : null;
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS'
    : /Windows/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'macOS'
      : /Linux/.test(ua) ? 'Linux' : null;
  if (b && os) return t('account.browserOn', { browser: b, os });
  return b || os || ua.slice(0, 60);
}

export const at = (ts) => (ts ? dateTime(ts) : '');

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
  const pwForm = passwordCard(() => loadSessions());

  // ---- sessions
  const list = h('ul.sessions');
  const allBtn = h('button.danger', { type: 'button' }, t('sessions.signOutAll'));
  const sessBox = h('section.card', { 'aria-labelledby': 'sess-title' },
    h('h2#sess-title', t('sessions.title')),
    list,
    h('p', t('account.sessionsHint')),
    h('div.actions', allBtn));

  // ---- delete account
  const delPw = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const delForm = h('form.card.danger-zone', { novalidate: true, 'aria-labelledby': 'del-title' },
    h('h2#del-title', t('account.deleteTitle')),
    h('p', t('account.deleteHint')),
    field(t('account.yourPassword'), delPw),
    h('div.actions', h('button.danger', { type: 'submit' }, t('account.deleteSubmit'))));

  main.replaceChildren(h('div.account-view',
    h('h1', t('account.title')), h('section.card', info), pwForm, sessBox, delForm));

  async function loadSessions() {
    try {
      const r = await api('GET', '/sessions');
      clear(list);
      for (const s of r.items || []) {
        const endText = s.current ? t('sessions.signOut') : t('sessions.end');
        const end = h('button.secondary.small', { type: 'button' }, endText);
        // the name the device gave itself (or was given), else its browser
        const name = s.device || device(s.user_agent);
        end.setAttribute('aria-label', t('common.actionOn', { action: endText, what: name }));
        end.addEventListener('click', async () => {
          try {
            await api('DELETE', `/sessions/${encodeURIComponent(s.id)}`);
            if (s.current) { forget(); onSignedOut(t('app.signedOut')); return; }
            toast(t('sessions.ended'), 'ok');
            loadSessions();
          } catch (e) { toast(e.message, 'warn'); }
        });
        list.append(h('li.session', { dataset: { id: s.id } },
          h('span.sess-what',
            h('strong', name),
            s.current ? h('span.badge', t('sessions.thisDevice')) : null,
            h('span.muted', `${s.device ? `${device(s.user_agent)} · ` : ''}${s.address || ''} · ${t('account.lastUsed', { when: at(s.last_used_at) })}`
              + (s.synced_at ? ` · ${t('account.synced', { when: at(s.synced_at) })}` : ''))),
          end));
      }
      if (!list.children.length) list.append(h('li.muted', t('account.noSession')));
    } catch (e) {
      clear(list);
      list.append(h('li.form-error', e.message));
    }
  }

  allBtn.addEventListener('click', () => {
    if (!allBtn.dataset.confirm) {
      allBtn.dataset.confirm = '1';
      allBtn.textContent = t('sessions.signOutAllConfirm');
      return;
    }
    busy(sessBox, async () => {
      try {
        await logoutAll();
        onSignedOut(t('sessions.signedOutAll'));
      } catch (e) {
        toast(e.message, 'warn');
      }
    });
  });

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

  loadSessions();
  return {};
}
