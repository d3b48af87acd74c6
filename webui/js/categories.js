// The categories screen: add, rename, archive, delete (moving expenses).
import { api } from './api.js';
import { h, field, clearErrors, showError, busy, toast, clear } from './dom.js';
import { session, loadCategories } from './session.js';
import { t } from './i18n.js';

export function renderCategories(main) {
  document.title = t('app.title', { page: t('nav.categories') });
  const name = h('input', { name: 'name', required: true, maxlength: 64, autocomplete: 'off' });
  const addForm = h('form.card.inline-form', { novalidate: true },
    h('h2', t('cats.new')),
    h('div.row.bottom', field(t('cats.name'), name),
      h('div.actions', h('button.primary', { type: 'submit' }, t('cats.add')))));
  const activeList = h('ul.cats', { 'aria-labelledby': 'cats-active' });
  const archivedList = h('ul.cats', { 'aria-labelledby': 'cats-archived' });
  const archivedBox = h('section.card', h('h2#cats-archived', t('cats.archived')),
    h('p.hint', t('cats.archivedHint')),
    archivedList);
  const loadErr = h('p.form-error', { role: 'alert', hidden: true });
  main.replaceChildren(h('div.cats-view',
    h('h1', t('nav.categories')),
    addForm,
    loadErr,
    h('section.card', h('h2#cats-active', t('cats.inUse')), activeList),
    archivedBox));

  function render() {
    clear(activeList);
    clear(archivedList);
    const sorted = [...session.categories].sort((a, b) => a.name.localeCompare(b.name));
    for (const c of sorted) (c.archived ? archivedList : activeList).append(item(c));
    if (!activeList.children.length) activeList.append(h('li.empty', t('cats.none')));
    archivedBox.hidden = !archivedList.children.length;
  }

  async function reload() {
    try {
      await loadCategories();
      loadErr.hidden = true;
    } catch (e) {
      loadErr.textContent = e.message;
      loadErr.hidden = false;
    }
    render();
  }

  function item(c) {
    const li = h('li.cat-item', { dataset: { id: c.id, name: c.name } });
    const count = t('dash.count', { count: c.expenses });
    const show = () => {
      const rename = h('button.secondary.small', { type: 'button' }, t('settings.rename'));
      const arch = h('button.secondary.small', { type: 'button' }, c.archived ? t('cats.unarchive') : t('cats.archive'));
      const del = h('button.danger.small', { type: 'button' }, t('common.delete'));
      const form = h('form.cat-row',
        h('span.cat-name', h('span.cat', c.name), h('span.muted', count)),
        h('span.cat-actions', rename, arch, del));
      li.replaceChildren(form);
      rename.addEventListener('click', () => renaming());
      del.addEventListener('click', () => deleting());
      arch.addEventListener('click', () => busy(form, async () => {
        try {
          await api('POST', `/categories/${c.id}/${c.archived ? 'unarchive' : 'archive'}`, { body: {} });
          toast(t(c.archived ? 'cats.unarchived' : 'cats.archivedNamed', { name: c.name }), 'ok');
          await reload();
        } catch (e) { showError(form, e); }
      }));
      return rename;
    };
    const renaming = () => {
      const input = h('input', { name: 'new_name', value: c.name, required: true, maxlength: 64, autocomplete: 'off' });
      const cancel = h('button.secondary.small', { type: 'button' }, t('common.cancel'));
      const form = h('form.cat-edit', { novalidate: true },
        field(t('settings.newName', { name: c.name }), input),
        h('div.actions', cancel, h('button.primary.small', { type: 'submit' }, t('common.save'))));
      li.replaceChildren(form);
      input.focus();
      input.select();
      cancel.addEventListener('click', () => show().focus());
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        clearErrors(form);
        const nn = input.value.trim();
        if (nn === c.name) { show().focus(); return; }
        busy(form, async () => {
          try {
            await api('PATCH', `/categories/${c.id}`, { body: { new_name: nn, version: c.version } });
            toast(t('cats.renamed', { name: c.name, to: nn }), 'ok');
            await reload();
          } catch (e) {
            if (e.status === 412) {
              toast(t('cats.conflict'), 'warn');
              await reload();
            } else showError(form, e);
          }
        });
      });
    };
    const deleting = () => {
      const others = session.categories.filter((x) => x.id !== c.id && !x.archived);
      const move = h('select', { name: 'move_to' },
        others.map((x) => h('option', { value: x.name }, x.name)));
      const cancel = h('button.secondary.small', { type: 'button' }, t('common.cancel'));
      const form = h('form.cat-edit', { novalidate: true },
        h('p', c.expenses
          ? t('cats.deleteMove', { name: c.name, count: c.expenses })
          : t('cats.deleteEmpty', { name: c.name })),
        c.expenses ? field(t('cats.moveTo'), move) : null,
        h('div.actions', cancel, h('button.danger.small', { type: 'submit' }, t('common.delete'))));
      li.replaceChildren(form);
      (c.expenses ? move : cancel).focus();
      cancel.addEventListener('click', () => show().focus());
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        clearErrors(form);
        const query = { version: c.version };
        if (c.expenses) {
          if (!move.value) {
            showError(form, { field: 'move_to', message: t('cats.needOther') });
            return;
          }
          query.move_to = move.value;
        }
        busy(form, async () => {
          try {
            await api('DELETE', `/categories/${c.id}`, { query });
            toast(t('cats.deleted', { name: c.name }), 'ok');
            await reload();
          } catch (e) {
            if (e.status === 412) {
              toast(t('cats.conflict'), 'warn');
              await reload();
            } else showError(form, e);
          }
        });
      });
    };
    show();
    return li;
  }

  addForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearErrors(addForm);
    const n = name.value.trim();
    if (!n) { showError(addForm, { field: 'name', message: t('settings.needName') }); return; }
    busy(addForm, async () => {
      try {
        await api('POST', '/categories', { body: { name: n } });
        name.value = '';
        toast(t('cats.added', { name: n }), 'ok');
        await reload();
        name.focus();
      } catch (e) { showError(addForm, e); }
    });
  });

  render();
  reload();
  return {};
}
