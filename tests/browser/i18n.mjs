// The web UI in German and English, in headless Chromium with the locale
// de-DE: the sign-in form, the nav, the skip link and the dashboard in
// German, <html lang="de">, amounts as German writes them ("1.234,50 €",
// JPY without decimals, "15.000 ¥"), the month's name in German; axe-core
// finds nothing; the month page (its list, totals, quick add, delete with
// Undo, selection and inline editor) and the dashboard's quick add in
// German; English chosen in Settings redraws the screen in English
// without a reload ("€1,234.50", lang="en") and is kept after a reload;
// Automatic brings the browser's German back. Screenshots in light and
// dark.
// Prints "ok - ..." / "not ok - ..." lines; exits 1 if any failed.
// Usage: node tests/browser/i18n.mjs BASE_URL SHOT_DIR
import { tmpdir } from 'node:os';
import { browser, iso, inDays } from './harness.mjs';

const BASE = (process.argv[2] || 'http://127.0.0.1:8080').replace(/\/$/, '');
const SHOTS = process.argv[3] || tmpdir();
const USER = 'anna';
const PASS = 'correct horse battery';

const t = await browser({ base: BASE, shots: SHOTS, locale: 'de-DE' });
const { page, ok, step, shots, axe } = t;

const M = iso(new Date()).slice(0, 7);
const TODAY = iso(new Date());
const monthName = (m, locale) => new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' })
  .format(new Date(`${m}-01T00:00:00Z`));
// what the page shows, its no-break and narrow no-break spaces as spaces
const norm = (s) => String(s).replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();
const text = async (loc) => norm(await loc.innerText());
const lang = () => page.evaluate(() => document.documentElement.lang);
const nav = () => page.getByRole('navigation', { name: /^(Hauptmenü|Main)$/ });
async function waitNorm(sel, want) {
  await page.waitForFunction(([s, w]) => {
    const el = document.querySelector(s);
    return el && el.textContent.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim() === w;
  }, [sel, want]);
  return true;
}

await t.run(async () => {
  // ---- sign-in, in German from the browser's language
  await page.goto(`${BASE}/`);
  await step('the sign-in form is German', () => page.getByRole('heading', { name: 'Anmelden' }).waitFor());
  ok(await lang() === 'de', '<html lang="de">', await lang());
  ok(await page.evaluate(() => navigator.language) === 'de-DE', 'the browser says de-DE');
  ok(await text(page.locator('a.skip')) === 'Zum Inhalt springen', 'the skip link is German', await text(page.locator('a.skip')));
  ok(/^Anmelden · Spend$/.test(await page.title()), 'the title is German', await page.title());
  await page.getByRole('button', { name: 'Neu hier? Konto anlegen' }).click();
  await page.getByLabel('Benutzername').fill(USER);
  await page.getByLabel('Passwort').fill(PASS);
  await page.getByRole('button', { name: 'Konto anlegen', exact: true }).click();
  await step('registered: the dashboard, in German', () => page.getByRole('heading', { name: 'Ausgaben diesen Monat' }).waitFor());

  // ---- the nav and the dashboard
  const links = await nav().getByRole('link').allInnerTexts();
  ok(links.join('|') === 'Übersicht|Monat|Budgets|Daueraufträge|Berichte|Kategorien|Import|Einstellungen|Konto',
    'the nav is German', links.join('|'));
  ok(await nav().getByRole('link', { name: 'Übersicht' }).getAttribute('aria-current') === 'page', 'Übersicht is the current page');
  ok(await text(page.locator('#signout')) === 'Abmelden', 'the sign-out button is German');
  ok(await text(page.locator('#dash-title')) === monthName(M, 'de-DE'), 'the month is named in German',
    `${await text(page.locator('#dash-title'))} / ${monthName(M, 'de-DE')}`);
  ok((await page.title()).startsWith('Übersicht · '), 'the title is German', await page.title());

  // ---- amounts: the server's strings, written the German way
  const api = (await t.device(USER, PASS)).api;
  const e1 = await api('POST', '/expenses', { amount: '1234.50', category: 'food', date: TODAY, payee: 'Markt' });
  ok(e1 && e1.amount === '1234.50' && e1.currency === 'EUR', 'an expense of 1234.50 EUR through the API', JSON.stringify(e1));
  await api('POST', '/expenses', { amount: '15000', currency: 'JPY', category: 'food', date: TODAY, payee: 'Ramen' });
  await api('PUT', '/budgets/total', { amount: '2000.00' });
  await step('the month\'s total: 1.234,50 €', () => waitNorm('.dash-amount .money', '1.234,50 €'));
  ok(await text(page.locator('.dash-amount .num')) === '1.234,50', 'the number apart: 1.234,50');
  ok(await page.locator('.dash-amount abbr.cur').getAttribute('title') === 'EUR', 'the symbol is titled EUR');
  await step('the yen not counted, listed as 15.000 ¥', async () => {
    await page.locator('.dash-month .notice:not([hidden]) li').first().waitFor();
    const li = await text(page.locator('.dash-month .notice li').first());
    return ok(/^15\.000 ¥ \(1 Ausgabe\)$/.test(li), '15.000 ¥ (1 Ausgabe)', li);
  });
  await step('the overall budget bar in German: 1.234,50 € von 2.000,00 €', async () => {
    await page.locator('.dash-overall li.budget').waitFor();
    const label = norm(await page.locator('.dash-overall .b-bar').getAttribute('aria-label'));
    const avail = await text(page.locator('.dash-overall .b-avail'));
    return ok(/^Gesamt: 1\.234,50 € von 2\.000,00 € ausgegeben, 61 %; \S/.test(label) && avail === '/ 2.000,00 €',
      'bar label and amounts', `${label} | ${avail}`);
  });
  await step('the donut slice says 1.234,50 €', async () => {
    await page.locator('.dash-donut path.slice[data-label="food"]').waitFor();
    const title = norm(await page.locator('.dash-donut path.slice[data-label="food"] title').textContent());
    const value = await page.locator('.dash-donut path.slice[data-label="food"]').getAttribute('data-value');
    return ok(title === 'food: 1.234,50 €, 100,00 %' && value === '1234.50', 'slice title in German, data-value the server\'s', `${title} | ${value}`);
  });
  await step('the dashboard\'s quick add in German (expenseform.js)', async () => {
    const labels = await Promise.all(['amount', 'currency', 'category', 'date', 'payee', 'note', 'tags']
      .map((k) => text(page.locator(`label[for="dqa-${k}"]`))));
    ok(labels.join('|') === 'Betrag|Währung|Kategorie|Datum|Empfänger|Notiz|Schlagwörter', 'its labels', labels.join('|'));
    const ph = await page.locator('#dqa-amount').getAttribute('placeholder');
    ok(ph === '0,00', 'the amount\'s placeholder 0,00', ph);
    ok(await page.locator('#dqa-tags').getAttribute('placeholder') === 'arbeit, reise', 'the tags\' placeholder');
    const first = await text(page.locator('#dqa-category option').first());
    return ok(first === 'Kategorie wählen', 'the category asks: Kategorie wählen', first);
  });
  await shots('50-de-dashboard');
  await axe('the dashboard in German');

  // ---- the other converted screens, in German; axe-core on each
  // (a start of today would add an expense today)
  const start = inDays(3);
  const rule = await api('POST', '/recurring', { amount: '9.99', category: 'food', every: 'month', start, payee: 'Telefon' });
  ok(rule && rule.id, 'a monthly rule through the API', JSON.stringify(rule));
  const tour = [
    ['budgets', 'Budgets', 'Budgets', '.budget-overall .b-avail', /^von 2\.000,00 €$/],
    ['recurring', 'Daueraufträge', 'Daueraufträge', 'li.rule .r-sched', new RegExp(`^Jeden Monat am ${Number(start.slice(8, 10))}\\.$`)],
    ['reports', 'Berichte', 'Berichte', '.rep-summary .dash-amount', /^1\.234,50 €$/],
    ['categories', 'Kategorien', 'Kategorien', 'h2#cats-active', /^In Gebrauch$/],
    ['import', 'Import', 'Import', 'h2#imp-form-title', /^Datei wählen$/],
    ['account', 'Konto', 'Konto', 'h2#pw-title', /^Passwort ändern$/],
  ];
  for (const [slug, link, h1, sel, want] of tour) {
    await nav().getByRole('link', { name: link, exact: true }).click();
    await step(`${link}: German (${want})`, async () => {
      await page.getByRole('heading', { name: h1, level: 1, exact: true }).waitFor();
      await page.waitForFunction(([s, w]) => {
        const el = document.querySelector(s);
        return el && new RegExp(w).test(el.textContent.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim());
      }, [sel, want.source]);
      return true;
    });
    ok(await lang() === 'de', `${link}: lang="de"`);
    await axe(`${link} in German`);
    await shots(`53-de-${slug}`);
  }

  // ---- the month page (month.js) in German: labels, amounts, the quick
  // add, delete with Undo, the inline editor
  const list = page.locator('table.expenses');
  const rowWith = (who) => list.locator('tbody tr', { hasText: who });
  const toast = page.locator('#toast');
  await nav().getByRole('link', { name: 'Monat', exact: true }).click();
  await step('Monat: the month\'s name in German', () => waitNorm('#month-title', monthName(M, 'de-DE')));
  ok((await page.title()).startsWith(`${monthName(M, 'de-DE')} · `), 'the title is German', await page.title());
  await step('the list: 1.234,50 € and 15.000 ¥ in the rows', async () => {
    await rowWith('Markt').waitFor();
    const markt = await text(rowWith('Markt').locator('td.amount'));
    const ramen = await text(rowWith('Ramen').locator('td.amount'));
    return ok(markt === '1.234,50 €' && ramen === '15.000 ¥', 'German amounts', `${markt} | ${ramen}`);
  });
  await step('the totals: 2 Ausgaben, 1.234,50 € and 15.000 ¥', async () => {
    await waitNorm('.totals li[data-currency="EUR"]', '1.234,50 €');
    await waitNorm('.totals li[data-currency="JPY"]', '15.000 ¥');
    return ok(await text(page.locator('.totals .count')) === '2 Ausgaben', 'the count', await text(page.locator('.totals .count')));
  });
  const heads = await list.locator('thead th').allTextContents();
  ok(heads.map(norm).join('|') === '|Datum|Kategorie|Empfänger / Notiz|Schlagwörter|Betrag|Aktionen',
    'the columns are German', heads.map(norm).join('|'));
  ok(await page.getByRole('search', { name: 'Ausgaben filtern' }).getByLabel('Suche').isVisible(), 'the filters: Suche');
  ok(await page.getByRole('button', { name: 'Weitere Filter' }).isVisible(), 'Weitere Filter');
  ok(await page.getByRole('checkbox', { name: 'Alle angezeigten Ausgaben auswählen' }).isVisible(), 'select all, in German');
  ok(await page.getByRole('group', { name: 'Zu einem Monat gehen' }).isVisible(), 'the month picker, in German');
  const picked = norm(await page.locator('#pick-month option:checked').innerText());
  ok(picked === new Intl.DateTimeFormat('de-DE', { month: 'long', timeZone: 'UTC' }).format(new Date(`${M}-01T00:00:00Z`)),
    'the picker names the month in German', picked);
  const marktLabel = norm(await rowWith('Markt').locator('button.edit').getAttribute('aria-label'));
  ok(new RegExp(`^Markt, 1\\.234,50 €, .+ bearbeiten$`).test(marktLabel), 'a row\'s Edit button: "Markt, 1.234,50 €, … bearbeiten"', marktLabel);

  const qa = page.locator('form.quick-add');
  const qaLabels = await Promise.all(['amount', 'currency', 'category', 'date', 'payee', 'note', 'tags']
    .map((k) => text(qa.locator(`label[for="qa-${k}"]`))));
  ok(qaLabels.join('|') === 'Betrag|Währung|Kategorie|Datum|Empfänger|Notiz|Schlagwörter', 'the quick add\'s labels', qaLabels.join('|'));
  await step('the quick add in German: 12,50 typed, the toast says 12,50 € hinzugefügt', async () => {
    await qa.getByLabel('Betrag').fill('12,50');
    await qa.getByLabel('Kategorie').selectOption('food');
    await qa.getByLabel('Empfänger').fill('Bäcker');
    await qa.getByRole('button', { name: 'Ausgabe hinzufügen' }).click();
    await toast.filter({ hasText: /hinzugefügt/ }).waitFor();
    const msg = norm(await toast.innerText());
    return ok(/^12,50 € hinzugefügt · food/.test(msg), 'the toast', msg);
  });
  await step('the total: 1.247,00 €, 3 Ausgaben', async () => {
    await waitNorm('.totals li[data-currency="EUR"]', '1.247,00 €');
    return waitNorm('.totals .count', '3 Ausgaben');
  });
  await step('delete: the toast says 12,50 € gelöscht · Bäcker, with Rückgängig', async () => {
    await rowWith('Bäcker').getByRole('button', { name: /^Bäcker, 12,50\s€, .+ löschen$/ }).click();
    await toast.filter({ hasText: /gelöscht/ }).waitFor();
    const msg = norm(await toast.innerText());
    ok(/^12,50 € gelöscht · Bäcker/.test(msg), 'the toast', msg);
    ok(await toast.getByRole('button', { name: 'Rückgängig' }).isVisible(), 'its Undo: Rückgängig');
    return waitNorm('.totals li[data-currency="EUR"]', '1.234,50 €');
  });
  await step('Rückgängig: 12,50 € wiederhergestellt · Bäcker, the row back', async () => {
    await toast.getByRole('button', { name: 'Rückgängig' }).click();
    await toast.filter({ hasText: /wiederhergestellt/ }).waitFor();
    const msg = norm(await toast.innerText());
    ok(/^12,50 € wiederhergestellt · Bäcker/.test(msg), 'the toast', msg);
    await rowWith('Bäcker').waitFor();
    return waitNorm('.totals li[data-currency="EUR"]', '1.247,00 €');
  });
  await shots('54-de-month');
  await step('selected: 1 ausgewählt, announced as 1 Ausgabe ausgewählt', async () => {
    await rowWith('Bäcker').getByRole('checkbox').check();
    const bar = page.getByRole('region', { name: 'Ausgewählte Ausgaben' });
    await bar.waitFor();
    ok(await text(bar.locator('.bulk-count')) === '1 ausgewählt', 'the bar', await text(bar.locator('.bulk-count')));
    ok(await bar.getByRole('button', { name: 'Umbuchen' }).isVisible(), 'Umbuchen');
    const said = await text(page.locator('.list p.sr-only[aria-live]'));
    ok(said === '1 Ausgabe ausgewählt', 'announced', said);
    await bar.getByRole('button', { name: 'Auswahl aufheben' }).click();
    return bar.waitFor({ state: 'hidden' });
  });
  await step('the inline editor in German', async () => {
    await rowWith('Markt').getByRole('button', { name: /bearbeiten$/ }).click();
    const ed = list.locator('tr.editing');
    await ed.waitFor();
    ok(await ed.getByRole('group', { name: /^Markt, 1\.234,50\s€, .+ bearbeiten$/ }).isVisible(), 'its group label');
    ok(await ed.getByLabel('Betrag (EUR)').inputValue() === '1234.50', 'Betrag (EUR), the server\'s amount in the field');
    ok(await ed.getByRole('button', { name: 'Speichern' }).isVisible()
      && await ed.getByRole('button', { name: 'Abbrechen' }).isVisible()
      && await ed.getByRole('button', { name: 'Alle Felder' }).isVisible(), 'Speichern, Abbrechen, Alle Felder');
    return true;
  });
  await axe('the month page in German, a row edited inline');
  await shots('55-de-month-editing');
  await page.keyboard.press('Escape');
  await list.locator('tr.editing').waitFor({ state: 'detached' });
  // gone again for good: the English dashboard below shows 1,234.50
  await step('deleted again: 1.234,50 €', async () => {
    await rowWith('Bäcker').getByRole('button', { name: /löschen$/ }).click();
    await rowWith('Bäcker').waitFor({ state: 'detached' });
    return waitNorm('.totals li[data-currency="EUR"]', '1.234,50 €');
  });
  // its toast faded in (axe-core reads the colours of a toast half
  // shown as they are at that moment)
  await page.waitForFunction(() => {
    const el = document.getElementById('toast');
    return !el.classList.contains('show') || getComputedStyle(el).opacity === '1';
  });
  await axe('the month page in German, its toast with Rückgängig');
  await page.emulateMedia({ colorScheme: 'dark' });
  await axe('the month page in German, dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // ---- Settings: English, without a reload
  await nav().getByRole('link', { name: 'Einstellungen' }).click();
  await step('Settings in German', () => page.getByRole('heading', { name: 'Einstellungen', level: 1 }).waitFor());
  const sel = page.getByLabel('Sprache dieser App');
  ok(await sel.inputValue() === '', 'the language is Automatic', await sel.inputValue());
  ok((await sel.locator('option').allInnerTexts()).join('|') === 'Automatisch|English|Deutsch', 'Automatisch, English, Deutsch');
  await axe('Settings in German');
  await shots('51-de-settings');
  await page.evaluate(() => { window.notReloaded = true; });
  await sel.selectOption('en');
  await step('English at once: the heading, the nav, lang="en"', () => page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor());
  ok(await lang() === 'en', '<html lang="en">', await lang());
  ok(await page.evaluate(() => window.notReloaded === true), 'the page was not reloaded');
  const linksEn = await nav().getByRole('link').allInnerTexts();
  ok(linksEn.join('|') === 'Dashboard|Month|Budgets|Recurring|Reports|Categories|Import|Settings|Account', 'the nav is English', linksEn.join('|'));
  ok(await text(page.locator('a.skip')) === 'Skip to content', 'the skip link is English');
  ok(await page.title() === 'Settings · Spend', 'the title is English', await page.title());
  ok(await page.evaluate(() => document.activeElement && document.activeElement.id) === 'set-language',
    'the keyboard stays on the language control');
  ok(await page.getByLabel('Language of this app').inputValue() === 'en', 'the control shows English');
  ok(await page.evaluate(() => localStorage.getItem('spend.language')) === 'en', 'kept in localStorage');
  await nav().getByRole('link', { name: 'Dashboard' }).click();
  await step('the dashboard in English: €1,234.50', () => waitNorm('.dash-amount .money', '€1,234.50'));
  ok(await text(page.locator('#dash-title')) === monthName(M, 'en-US'), 'the month in English', await text(page.locator('#dash-title')));
  await shots('52-en-dashboard');

  // ---- kept after a reload; Automatic is German again
  await page.reload();
  await step('after a reload: still English', () => waitNorm('.dash-amount .money', '€1,234.50'));
  ok(await lang() === 'en', 'lang="en" after the reload');
  await page.goto(`${BASE}/#/settings`);
  await page.getByLabel('Language of this app').selectOption('');
  await step('Automatic: German again', () => page.getByRole('heading', { name: 'Einstellungen', level: 1 }).waitFor());
  ok(await lang() === 'de', 'lang="de" again', await lang());
  ok(await page.evaluate(() => localStorage.getItem('spend.language')) === null, 'nothing kept for Automatic');
  await nav().getByRole('link', { name: 'Übersicht' }).click();
  await step('and the dashboard in German again', () => waitNorm('.dash-amount .money', '1.234,50 €'));
  await page.emulateMedia({ colorScheme: 'dark' });
  await axe('the dashboard in German, dark');
  await page.emulateMedia({ colorScheme: 'light' });
});
process.exit(t.fails ? 1 : 0);
