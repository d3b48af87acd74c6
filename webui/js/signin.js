// Sign in / create an account.
import { login, register } from './api.js';
import { h, field, clearErrors, showError, busy } from './dom.js';
import { t } from './i18n.js';

// render(main, {notice, onDone}): onDone() runs once a session exists.
export function renderSignIn(main, { notice, onDone }) {
  let mode = 'signin';
  const user = h('input', {
    name: 'username', autocomplete: 'username', required: true,
    autocapitalize: 'none', spellcheck: 'false', maxlength: 64,
  });
  const pass = h('input', {
    name: 'password', type: 'password', autocomplete: 'current-password',
    required: true, minlength: 8, maxlength: 1024,
  });
  const title = h('h1', t('signin.title'));
  const submit = h('button.primary', { type: 'submit' }, t('signin.submit'));
  const passHint = h('p.hint', { hidden: true }, t('signin.passHint'));
  const intro = h('p.intro', { hidden: true }, t('signin.intro'));
  const toggle = h('button.link', { type: 'button' });
  const swap = h('p.swap', toggle);
  const form = h('form.card.auth', { novalidate: true },
    title,
    notice ? h('p.notice', { role: 'status' }, notice) : null,
    intro,
    field(t('common.userName'), user),
    field(t('common.password'), pass),
    passHint,
    h('div.actions', submit),
    swap);

  function setMode(m) {
    mode = m;
    const reg = m === 'register';
    title.textContent = reg ? t('signin.registerTitle') : t('signin.title');
    submit.textContent = reg ? t('signin.registerSubmit') : t('signin.submit');
    toggle.textContent = reg ? t('signin.toSignIn') : t('signin.toRegister');
    pass.autocomplete = reg ? 'new-password' : 'current-password';
    intro.hidden = !reg;
    passHint.hidden = !reg;
    clearErrors(form);
    document.title = t('app.title', { page: title.textContent });
  }
  toggle.addEventListener('click', () => {
    setMode(mode === 'register' ? 'signin' : 'register');
    user.focus();
  });

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const u = user.value.trim();
    if (!u) { showError(form, { field: 'username', message: t('signin.needUser') }); return; }
    if (!pass.value) { showError(form, { field: 'password', message: t('signin.needPassword') }); return; }
    if (mode === 'register' && pass.value.length < 8) {
      showError(form, { field: 'password', message: t('common.pwTooShort') });
      return;
    }
    busy(form, async () => {
      try {
        if (mode === 'register') await register(u, pass.value);
        else await login(u, pass.value);
        pass.value = '';
        await onDone();
      } catch (e) {
        // the server names "name" for the user name in some replies
        if (e.field === 'name' || e.field === 'user') e.field = 'username';
        if (!e.field && e.status === 401) {
          e.message = t('signin.wrong');
        }
        showError(form, e);
      }
    });
  });

  main.replaceChildren(h('div.auth-wrap',
    h('p.logo', { 'aria-hidden': 'true' }, 'Spend'), form));
  setMode('signin');
  user.focus();
}
