// The devices and sessions card, on the Account and Settings pages: each
// session by the name its device gave itself (or its browser), where and
// when it was last seen and synced; rename one, end one (this device's:
// sign out), or sign out everywhere.
import { api, logoutAll, forget } from './api.js';
import { h, field, clearErrors, showError, busy, toast, confirmButton } from './dom.js';
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

// { el, load }: the card, and what (re)loads its list.
export function devicesCard({ cls, titleId, title, hint, onSignedOut }) {
  const sessList = h('ul.sessions', { 'aria-label': t('sessions.title') });
  const allBtn = h('button.danger', { type: 'button' }, t('sessions.signOutAll'));
  const sessBox = h(`section.card${cls ? `.${cls}` : ''}`, { 'aria-labelledby': titleId },
    h(`h2#${titleId}`, title),
    h('p.hint', hint),
    sessList,
    h('div.actions', allBtn));

  function sessionItem(s) {
    const name = s.device || device(s.user_agent);
    const li = h('li.session', { dataset: { id: s.id } });
    const rename = h('button.secondary.small', { type: 'button', 'aria-label': t('settings.renameNamed', { name }) }, t('settings.rename'));
    const end = confirmButton(s.current ? t('sessions.signOut') : t('sessions.end'), t('common.really'), name, () => busy(li, async () => {
      try {
        await api('DELETE', `/sessions/${encodeURIComponent(s.id)}`);
        if (s.current) { forget(); onSignedOut(t('app.signedOut')); return; }
        toast(t('sessions.ended'), 'ok');
        await loadSessions();
      } catch (e) { toast(e.message, 'warn'); }
    }));
    const what = h('span.sess-what',
      h('strong.sess-name', name),
      s.current ? h('span.badge', t('sessions.thisDevice')) : null,
      h('span.muted.sess-meta',
        [s.device ? device(s.user_agent) : null, s.address || null,
          t('settings.lastSeen', { when: at(s.last_used_at) || t('settings.never') }),
          s.synced_at ? t('settings.lastSynced', { when: at(s.synced_at) }) : t('settings.neverSynced')].filter(Boolean).join(' · ')));
    li.append(what, h('span.sess-actions', rename, end));
    rename.addEventListener('click', () => {
      const input = h('input', { name: 'name', id: `dev-${s.id}-name`, value: s.device || '', maxlength: 64, autocomplete: 'off' });
      const f = h('form.rename', { novalidate: true },
        field(t('settings.newName', { name }), input),
        h('div.actions', h('button.primary.small', { type: 'submit' }, t('settings.saveName')),
          h('button.secondary.small', { type: 'button', onclick: () => loadSessions() }, t('common.cancel'))));
      f.addEventListener('submit', (ev) => {
        ev.preventDefault();
        clearErrors(f);
        if (!input.value.trim()) { showError(f, { field: 'name', message: t('settings.needName') }); return; }
        busy(f, async () => {
          try {
            await api('PATCH', `/sessions/${encodeURIComponent(s.id)}`, { body: { name: input.value.trim() } });
            toast(t('settings.renamed'), 'ok');
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
      allBtn.textContent = t('sessions.signOutAllConfirm');
      return;
    }
    busy(sessBox, async () => {
      try {
        await logoutAll();
        onSignedOut(t('sessions.signedOutAll'));
      } catch (e) { toast(e.message, 'warn'); }
    });
  });

  return { el: sessBox, load: loadSessions };
}
