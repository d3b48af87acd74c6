// Sign in / create an account.
import { login, register } from './api.js';
import { h, field, clearErrors, showError, busy } from './dom.js';

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
  const title = h('h1', 'Sign in');
  const submit = h('button.primary', { type: 'submit' }, 'Sign in');
  const passHint = h('p.hint', { hidden: true },
    'At least 8 characters. A passphrase of a few words is easy to type on a phone.');
  const intro = h('p.intro', { hidden: true },
    'The first account created on a new Spend server becomes its administrator. ',
    'After that, new accounts can be created here only if the administrator ',
    'has opened registration.');
  const toggle = h('button.link', { type: 'button' });
  const swap = h('p.swap', toggle);
  const form = h('form.card.auth', { novalidate: true },
    title,
    notice ? h('p.notice', { role: 'status' }, notice) : null,
    intro,
    field('User name', user),
    field('Password', pass),
    passHint,
    h('div.actions', submit),
    swap);

  function setMode(m) {
    mode = m;
    const reg = m === 'register';
    title.textContent = reg ? 'Create an account' : 'Sign in';
    submit.textContent = reg ? 'Create account' : 'Sign in';
    toggle.textContent = reg ? 'I already have an account: sign in'
      : 'New here? Create an account';
    pass.autocomplete = reg ? 'new-password' : 'current-password';
    intro.hidden = !reg;
    passHint.hidden = !reg;
    clearErrors(form);
    document.title = `${title.textContent} · Spend`;
  }
  toggle.addEventListener('click', () => {
    setMode(mode === 'register' ? 'signin' : 'register');
    user.focus();
  });

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const u = user.value.trim();
    if (!u) { showError(form, { field: 'username', message: 'Enter your user name.' }); return; }
    if (!pass.value) { showError(form, { field: 'password', message: 'Enter your password.' }); return; }
    if (mode === 'register' && pass.value.length < 8) {
      showError(form, { field: 'password', message: 'Use at least 8 characters.' });
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
          e.message = 'Wrong user name or password.';
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
