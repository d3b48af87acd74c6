// The Import and Settings pages of the web UI in headless Chromium:
// import a CSV through its dry-run preview (rows, a skipped row's reason,
// a rejected row's, a column mapping changed and previewed again, then the
// import's counts), a bad file's refusal with its lines, an OFX by its
// extension; settings: time zone, rename this device, revoke another
// session (its token stops working), add a webhook (its secret shown
// once), add and delete a user; axe-core on both pages; the same at
// 390 px; screenshots in light and dark.
// Prints "ok - ..." / "not ok - ..." lines; exits 1 if any failed.
// Usage: node tests/browser/settings.mjs BASE_URL SHOT_DIR DATA_DIR HOOK_URL
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { browser } from './harness.mjs';

const here = new URL('.', import.meta.url).pathname;

const BASE = (process.argv[2] || 'http://127.0.0.1:8080').replace(/\/$/, '');
const SHOTS = process.argv[3] || tmpdir();
const DATA = process.argv[4] || join(here, '../data');
const HOOK = process.argv[5] || 'http://127.0.0.1:9/hook';
const USER = 'erin';
const PASS = 'correct horse battery';

const t = await browser({ base: BASE, shots: SHOTS, strict: true });
const { page, ok, step, shot, shots, axe } = t;
// another device of the user: {call, api}
const device = (user, pass, name) => t.device(user, pass, name);

const work = mkdtempSync(join(tmpdir(), 'spend-import-'));
// a zero amount (skipped), a category that does not exist yet (rejected
// unless created), two rows without a category (a rule knows "bus" by
// the payee: only once Description is mapped to the payee)
const SHOP = join(work, 'shop.csv');
writeFileSync(SHOP, 'Date,Description,Amount,Category\n'
  + '2026-11-02,Coffee Corner,3.50,food\n'
  + '2026-11-03,City Bus,2.80,\n'
  + '2026-11-04,Nothing,0.00,food\n'
  + '2026-11-05,Market,12.00,groceries\n'
  + '2026-11-06,Kiosk,1.20,\n');
// two amounts with more decimals than EUR has: refused, all or nothing
const BAD = join(work, 'bad.csv');
writeFileSync(BAD, 'date,amount,payee\n2026-11-02,3.20,Fine\n2026-11-03,4.125,Odd\n2026-11-04,1.5,Ok\n2026-11-05,9.999,Odder\n');

// a category deleted between the preview and the import (line 3)
const LATE = join(work, 'late.csv');
writeFileSync(LATE, 'Date,Payee,Amount,Category\n2026-11-08,Shop,4.00,food\n2026-11-09,Bookshop,15.00,books\n');


const out = () => page.locator('section.import-out');
const row = (line) => out().locator(`tr[data-line="${line}"]`);
const count = (key) => out().locator(`dd[data-count="${key}"]`).innerText();
async function preview(button) {
  // wait for this preview's answer, not the last one's
  const done = page.waitForResponse((r) => r.url().includes('/api/v1/imports') && r.url().includes('dry_run=true'));
  await button.click();
  await done;
  await page.waitForFunction(() => !document.querySelector('form.import-form[aria-busy]'));
}
const cell = (line, i) => row(line).locator('td').nth(i).innerText();

await t.run(async () => {
  // ---- register the first account (an administrator)
  await page.goto(`${BASE}/`);
  await page.getByRole('button', { name: /Create an account/ }).click();
  await page.getByLabel('User name').fill(USER);
  await page.getByLabel('Password').fill(PASS);
  await page.getByRole('button', { name: 'Create account' }).click();
  await step('registered: the dashboard is shown', () => page.locator('.dashboard-view').waitFor());
  const me = await device(USER, PASS, 'Old phone');
  let { api } = me;
  await api('POST', '/rules', { payee_contains: 'bus', category: 'transport' });

  const nav = page.getByRole('navigation', { name: 'Main' });
  ok(await nav.getByRole('link', { name: 'Import' }).count() === 1, 'the nav has an Import link');
  ok(await nav.getByRole('link', { name: 'Settings' }).count() === 1, 'the nav has a Settings link');

  // ---- import: preview
  await nav.getByRole('link', { name: 'Import' }).click();
  await step('the Import page opens', () => page.getByRole('heading', { name: 'Import', level: 1 }).waitFor());
  ok(await page.locator('a[data-nav="import"]').getAttribute('aria-current') === 'page', 'Import marked current in the nav');
  await page.getByRole('button', { name: 'Preview', exact: true }).click();
  await step('no file: the error says to choose one', async () => {
    await page.locator('#imp-file-err').waitFor();
    return /Choose a file/.test(await page.locator('#imp-file-err').innerText());
  });
  await page.getByLabel('File to import', { exact: true }).setInputFiles(SHOP);
  ok(await page.getByLabel('Format').inputValue() === 'csv', 'format csv chosen from the extension');
  await step('the CSV columns are offered for mapping', async () => {
    await page.locator('fieldset.import-map').waitFor();
    const opts = await page.getByLabel('Payee', { exact: true }).locator('option').allInnerTexts();
    return opts.join('|') === 'Automatic|1: Date|2: Description|3: Amount|4: Category' || opts.join('|');
  });
  await preview(page.getByRole('button', { name: 'Preview', exact: true }));
  await step('the preview lists the file\'s rows', () => row(2).waitFor());
  // the date and amount as the page's locale (en-US) writes them
  ok(await row(2).getAttribute('data-status') === 'new' && await cell(2, 2) === 'Nov 2, 2026'
    && await row(2).locator('time').getAttribute('datetime') === '2026-11-02'
    && await cell(2, 4) === '€3.50' && await cell(2, 5) === 'food',
  'line 2 would be added: Nov 2, 2026 (2026-11-02), €3.50, food', await row(2).innerText());
  ok(await cell(2, 3) === '' && await cell(2, 6) === 'Coffee Corner',
    'automatic mapping: Description is the note, no payee', await row(2).innerText());
  ok(await row(4).getAttribute('data-status') === 'skipped' && await cell(4, 6) === 'zero amount',
    'line 4 skipped: zero amount', await row(4).innerText());
  ok(await row(5).getAttribute('data-status') === 'rejected' && /groceries.*does not exist/.test(await cell(5, 6)),
    'line 5 rejected: category groceries does not exist', await row(5).innerText());
  ok(/shop\.csv, line 5/.test(await out().locator('.import-errors').innerText()),
    'the error names the file and line 5', await out().locator('.import-errors').innerText());
  ok(/would be refused/.test(await out().locator('.import-verdict').innerText()), 'the preview says the file would be refused');
  ok(await out().getByRole('button', { name: 'Import' }).isDisabled(), 'Import is disabled while the file would be refused');
  ok(await count('by_rules') === '0' && await count('uncategorised') === '2',
    'no payee: no rule matches (0 by rules, 2 uncategorised)', `${await count('by_rules')} ${await count('uncategorised')}`);
  await shots('30-import-preview-desktop');
  await axe('the Import page with a preview');

  // change the mapping: Description is the payee; preview again
  await page.getByLabel('Payee', { exact: true }).selectOption({ label: '2: Description' });
  await preview(page.getByRole('button', { name: 'Preview again', exact: true }));
  await step('mapped: line 2\'s payee is Coffee Corner', async () => (await cell(2, 3)) === 'Coffee Corner' || await row(2).innerText());
  ok(await cell(3, 3) === 'City Bus' && await cell(3, 5) === 'transport', 'line 3: City Bus, categorised by the rule', await row(3).innerText());
  ok(await count('by_rules') === '1' && await count('uncategorised') === '1',
    'the counts follow: 1 by rules, 1 uncategorised', `${await count('by_rules')} ${await count('uncategorised')}`);

  // create the missing category: the file would now import
  await page.getByLabel(/Create the categories/).check();
  ok(await out().getByRole('button', { name: 'Preview again to import' }).isDisabled(),
    'a choice changed after the preview: Import waits for a new preview');
  await preview(page.getByRole('button', { name: 'Preview', exact: true }));
  await step('with create categories the preview is ready', async () =>
    /Ready: 4 of 5 rows/.test(await out().locator('.import-verdict').innerText()) || await out().locator('.import-verdict').innerText());
  ok(await count('created') === 'groceries', 'the preview names the category it would create');
  ok((await api('GET', '/expenses')).items.length === 0, 'a preview writes nothing');

  // import
  await out().getByRole('button', { name: 'Import' }).click();
  await step('imported: the result is shown', () => page.getByRole('heading', { name: 'Imported shop.csv' }).waitFor());
  const res = { added: await count('added'), skipped: await count('skipped'), by_rules: await count('by_rules'), uncat: await count('uncategorised') };
  ok(res.added === '4' && res.skipped === '1 (1 zero amount)' && res.by_rules === '1' && res.uncat === '1',
    'counts: 4 added, 1 skipped (zero amount), 1 by rules, 1 uncategorised', JSON.stringify(res));
  const items = (await api('GET', '/expenses')).items;
  ok(items.length === 4 && items.some((x) => x.payee === 'City Bus' && x.category === 'transport'),
    'the server has the 4 expenses, City Bus in transport', JSON.stringify(items.map((x) => [x.payee, x.category])));
  ok(await page.locator('#imp-progress').isHidden(), 'the progress bar is gone once done');
  await shots('31-import-done-desktop');

  // the same file again: duplicates
  await page.getByRole('button', { name: 'Import another file' }).click();
  await page.getByLabel('File to import', { exact: true }).setInputFiles(SHOP);
  await page.getByLabel('Payee', { exact: true }).selectOption({ label: '2: Description' });
  await preview(page.getByRole('button', { name: 'Preview', exact: true }));
  await step('the same file again: nothing new, duplicates', async () =>
    /Nothing new/.test(await out().locator('.import-verdict').innerText())
    && (await row(2).getAttribute('data-status')) === 'duplicate');

  // a bad file: refused, with its lines
  await page.getByLabel('File to import', { exact: true }).setInputFiles(BAD);
  await preview(page.getByRole('button', { name: 'Preview', exact: true }));
  await step('a bad file: refused with its lines', async () => {
    const t = await out().locator('.import-errors').innerText();
    return (/bad\.csv, line 3 \(amount\): .*4\.125/.test(t) && /line 5 \(amount\)/.test(t)) || t;
  });
  ok(await out().getByRole('button', { name: 'Import' }).isDisabled(), 'a refused file cannot be imported');
  await shots('32-import-refused-desktop');
  await axe('the Import page with a refused file');

  // refused by the import itself: the category the preview found is
  // deleted before Import is pressed; all or nothing, nothing is written
  const books = await api('POST', '/categories', { name: 'books' });
  await page.getByLabel('File to import', { exact: true }).setInputFiles(LATE);
  await page.getByLabel(/Create the categories/).uncheck();
  await preview(page.getByRole('button', { name: 'Preview', exact: true }));
  await step('a file whose category exists: ready to import', async () =>
    /Ready: 2 of 2 rows/.test(await out().locator('.import-verdict').innerText()) || await out().locator('.import-verdict').innerText());
  await api('DELETE', `/categories/${books.id}`);
  const before = (await api('GET', '/expenses')).items.length;
  await out().getByRole('button', { name: 'Import' }).click();
  await step('the import refused: its message and line shown plainly', async () => {
    await out().locator('.import-refusal').waitFor();
    const t = await out().locator('.import-refusal').innerText();
    return /^Nothing was imported: line 3: category "books" does not exist/.test(t) || t;
  });
  ok((await api('GET', '/expenses')).items.length === before, 'nothing written by the refused import');

  // an OFX: its format from the extension, no columns to map
  await page.getByLabel('File to import', { exact: true }).setInputFiles(join(DATA, 'statement-1x.ofx'));
  ok(await page.getByLabel('Format').inputValue() === 'ofx', 'format ofx chosen from the extension');
  ok(await page.locator('fieldset.import-map').isHidden(), 'no column mapping for OFX');
  await preview(page.getByRole('button', { name: 'Preview', exact: true }));
  await step('the OFX preview: 4 new rows, money in skipped', async () =>
    (await count('added')) === '4' && (await count('skipped')) === '1 (1 money in)');

  // ---- settings
  await nav.getByRole('link', { name: 'Settings' }).click();
  await step('the Settings page opens', () => page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor());
  ok(await page.locator('a[data-nav="settings"]').getAttribute('aria-current') === 'page', 'Settings marked current in the nav');

  // time zone (an administrator may change their own)
  await page.getByLabel('Time zone', { exact: true }).fill('Europe/Paris');
  await page.locator('form.settings-profile').getByRole('button', { name: 'Save' }).click();
  await step('time zone saved on the server', async () => {
    await page.waitForFunction(() => !document.querySelector('form.settings-profile[aria-busy]'));
    const u = await api('GET', '/me');
    return u.timezone === 'Europe/Paris' || u.timezone;
  });

  // devices
  const sess = page.locator('section.settings-devices li.session');
  await step('two devices listed: this one and Old phone', async () => {
    await sess.filter({ hasText: 'Old phone' }).waitFor();
    return (await sess.count()) === 2 || await sess.count();
  });
  ok(/last seen/.test(await sess.filter({ hasText: 'Old phone' }).innerText()), 'a device shows when it was last seen');
  const mine = sess.filter({ hasText: 'this device' });
  await mine.getByRole('button', { name: /^Rename/ }).click();
  await page.getByLabel(/^New name for/).fill('Test laptop');
  await page.getByRole('button', { name: 'Save name' }).click();
  await step('this device renamed: the list shows Test laptop', async () => {
    await page.waitForFunction(() => [...document.querySelectorAll('.settings-devices li.session')]
      .some((li) => li.querySelector('.sess-name')?.textContent === 'Test laptop' && li.textContent.includes('this device')));
    return true;
  });
  ok((await api('GET', '/sessions')).items.some((s) => s.device === 'Test laptop'), 'the server has the new name');
  ok((await me.call('GET', '/me')).status === 200, 'Old phone\'s token works before it is revoked');
  const phone = sess.filter({ hasText: 'Old phone' });
  await phone.getByRole('button', { name: /^End session/ }).click();
  ok(await phone.count() === 1, 'the first click on End session only asks');
  await phone.getByRole('button', { name: /^Really\?/ }).click();
  await step('Old phone revoked: gone from the list', () => phone.waitFor({ state: 'detached' }));
  const after = await me.call('GET', '/me');
  ok(after.status === 401, 'Old phone\'s token no longer works', JSON.stringify(after));
  ({ api } = await device(USER, PASS, 'Checker'));   // the API from here on

  // notifications: a webhook and its secret
  const add = page.locator('form.notify-add');
  await add.getByLabel('Channel', { exact: true }).selectOption('webhook');
  await add.getByLabel('URL').fill('https://not-allowed.example.org/x');
  await add.getByRole('button', { name: 'Add channel' }).click();
  await step('a URL the administrator does not allow: the server\'s error by the URL field', async () => {
    await page.waitForFunction(() => /not allowed/.test(document.querySelector('#nt-target-err')?.textContent || ''));
    return true;
  });
  ok(await page.locator('.secret-once').isHidden(), 'no secret shown for a refused webhook');
  await add.getByLabel('URL').fill(HOOK);
  await add.getByLabel('Reminders').uncheck();
  await add.getByRole('button', { name: 'Add channel' }).click();
  let secret = '';
  await step('webhook added: its secret is shown once', async () => {
    await page.locator('.secret-once code').waitFor();
    secret = await page.locator('.secret-once code').innerText();
    return /^whsec_[0-9a-f]{16,}$/.test(secret) || secret;
  });
  const hook = page.locator('form.channel[data-channel="webhook"]');
  ok(await hook.count() === 1 && await hook.getByLabel('URL').inputValue() === HOOK, 'the webhook is listed with its URL');
  ok(await hook.getByLabel('Budget alerts').isChecked() && !await hook.getByLabel('Reminders').isChecked(),
    'its kinds: alerts only');
  const ns = await api('GET', '/notify/settings');
  ok(JSON.stringify(ns.channels.map((c) => [c.channel, c.kinds])) === '[["webhook",["alert"]]]', 'the server has it, alerts only',
    JSON.stringify(ns.channels));
  await hook.getByRole('button', { name: 'Send a test to webhook' }).click();
  await step('send a test: the toast says it is on its way', () => page.getByText('A test is on its way to webhook.').waitFor());
  await shots('33-settings-desktop');
  await axe('the Settings page');
  await nav.getByRole('link', { name: 'Month' }).click();
  await nav.getByRole('link', { name: 'Settings' }).click();
  await step('back on Settings: the secret is not shown again', async () => {
    await page.locator('form.channel[data-channel="webhook"]').waitFor();
    return (await page.locator('.secret-once').isHidden()) && !(await page.content()).includes(secret);
  });

  // users (administrator)
  const uf = page.locator('form.user-add');
  await uf.getByLabel('User name', { exact: true }).fill('dave');
  await uf.getByLabel('Password', { exact: true }).fill('short');
  await uf.getByRole('button', { name: 'Add user' }).click();
  await step('a short password: the error by the field', () => page.locator('#nu-password-err').waitFor());
  await uf.getByLabel('Password', { exact: true }).fill('dave password 1');
  await uf.getByRole('button', { name: 'Add user' }).click();
  const dave = page.locator('form.user[data-name="dave"]');
  await step('dave added: listed', () => dave.waitFor());
  ok((await api('GET', '/users')).items.some((u) => u.name === 'dave' && u.role === 'user'), 'the server has dave, a user');
  await dave.getByLabel('Role', { exact: true }).selectOption('admin');
  await dave.getByRole('button', { name: 'Save dave' }).click();
  await step('dave made an administrator', async () => {
    await page.waitForFunction(() => !document.querySelector('form.user[aria-busy]'));
    await page.waitForTimeout(200);
    return (await api('GET', '/users')).items.some((u) => u.name === 'dave' && u.role === 'admin');
  });
  await dave.getByRole('button', { name: 'Delete: dave' }).click();
  ok(await dave.count() === 1, 'the first click on Delete only asks');
  await dave.getByRole('button', { name: /^Really delete\?/ }).click();
  await step('dave deleted: gone from the list', () => dave.waitFor({ state: 'detached' }));
  ok(!(await api('GET', '/users')).items.some((u) => u.name === 'dave'), 'the server has no dave');
  ok(await page.locator(`form.user[data-name="${USER}"]`).getByRole('button', { name: /Delete/ }).count() === 0,
    'one cannot delete oneself here');

  // ---- phone width
  await page.setViewportSize({ width: 390, height: 844 });
  await step('Settings at 390 px', () => page.locator('form.channel[data-channel="webhook"]').waitFor());
  let overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  ok(overflow <= 0, 'Settings: no sideways scrolling at 390 px', `overflow ${overflow}px`);
  await shots('34-settings-phone');
  await axe('the Settings page at 390 px');
  await page.emulateMedia({ colorScheme: 'dark' });
  await axe('the Settings page at 390 px, dark');
  await page.emulateMedia({ colorScheme: 'light' });

  await nav.getByRole('link', { name: 'Import' }).click();
  await page.getByLabel('File to import', { exact: true }).setInputFiles(SHOP);
  await preview(page.getByRole('button', { name: 'Preview', exact: true }));
  await step('Import at 390 px: the preview shows', () => row(4).waitFor());
  ok(await cell(4, 6) === 'zero amount', 'at 390 px: the skipped row\'s reason is shown');
  ok(!/\bnull\b|undefined/.test(await out().innerText()), 'the preview shows no "null" or "undefined"', await out().innerText());
  overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  ok(overflow <= 0, 'Import: no sideways scrolling at 390 px', `overflow ${overflow}px`);
  await shots('35-import-phone');
  await axe('the Import page at 390 px');
  await page.emulateMedia({ colorScheme: 'dark' });
  await axe('the Import page at 390 px, dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // ---- a user who is not an administrator: currency and time zone read-only
  await api('POST', '/users', { name: 'fay', password: 'fay password 1', role: 'user', currency: 'GBP', timezone: 'Europe/London' });
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.locator('#signout').click();
  await page.getByLabel('User name').fill('fay');
  await page.getByLabel('Password').fill('fay password 1');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForFunction(() => document.getElementById('me-badge')?.textContent === 'fay');
  await nav.getByRole('link', { name: 'Settings' }).click();
  await step('a user\'s Settings: currency and time zone shown, not editable', async () => {
    await page.locator('dd#set-timezone').waitFor();
    return (await page.locator('dd#set-currency').innerText()) === 'GBP'
      && (await page.locator('dd#set-timezone').innerText()) === 'Europe/London'
      && (await page.locator('form.settings-profile select, form.settings-profile input').count()) === 0;
  });
  ok(/Only an administrator/.test(await page.locator('form.settings-profile').innerText()), 'it says who can change them');
  ok(await page.locator('section.settings-users').count() === 0, 'no Users section for a user');
  await step('a user\'s own device is listed', () => page.locator('section.settings-devices li.session').first().waitFor());
  await shots('36-settings-user-desktop');
  await axe('the Settings page of a user');
});
rmSync(work, { recursive: true, force: true });
process.exit(t.fails ? 1 : 0);
