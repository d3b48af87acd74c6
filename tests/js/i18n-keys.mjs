// The web UI's message catalogues agree: webui/js/messages/de.js has every
// key of en.js and no other, each message with the same {placeholders} (and
// the same plural forms' placeholders); every key the code uses (t('...')
// in webui/js, data-i18n in index.html) is in en.js. Prints TAP lines.
// Usage: node tests/js/i18n-keys.mjs [WEBUI_DIR]
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const webui = process.argv[2] || new URL('../../webui', import.meta.url).pathname;
let n = 0;
let fails = 0;
const ok = (cond, what, extra) => {
  n += 1;
  if (cond) console.log(`ok - ${what}`);
  else {
    fails += 1;
    console.log(`not ok - ${what}`);
    if (extra) console.log(`#   ${extra}`);
  }
};

// the catalogues are ES modules in the browser's sense (.js, no package
// type here): loaded from their text
const load = async (lang) => (await import(`data:text/javascript;charset=utf-8,${
  encodeURIComponent(readFileSync(join(webui, 'js/messages', `${lang}.js`), 'utf8'))}`)).default;
const en = await load('en');
const de = await load('de');

const holders = (m) => {
  const all = typeof m === 'object' ? Object.values(m).join(' ') : String(m);
  return [...new Set((all.match(/\{\w+\}/g) || []))].sort().join(' ');
};
const forms = (m) => (typeof m === 'object' ? Object.keys(m).sort().join(' ') : '');

const missing = Object.keys(en).filter((k) => !(k in de));
const extra = Object.keys(de).filter((k) => !(k in en));
ok(Object.keys(en).length > 0, `en.js has messages (${Object.keys(en).length})`);
ok(missing.length === 0, 'de.js has every key of en.js', `missing: ${missing.join(', ')}`);
ok(extra.length === 0, 'de.js has no key en.js lacks', `extra: ${extra.join(', ')}`);
const differ = Object.keys(en).filter((k) => k in de && holders(en[k]) !== holders(de[k]));
ok(differ.length === 0, 'each German message has the English one\'s placeholders',
  differ.map((k) => `${k}: en {${holders(en[k])}} de {${holders(de[k])}}`).join('; '));
const kinds = Object.keys(en).filter((k) => k in de && (typeof en[k]) !== (typeof de[k]));
ok(kinds.length === 0, 'a plural message is plural in both', kinds.join(', '));
const noOther = Object.keys(en).filter((k) => [en[k], de[k]].some((m) => m && typeof m === 'object' && !('other' in m)));
ok(noOther.length === 0, 'each plural message has an "other" form', noOther.join(', '));
const empty = Object.keys(de).filter((k) => (typeof de[k] === 'string' ? de[k] === '' : !forms(de[k])));
ok(empty.length === 0, 'no German message is empty', empty.join(', '));

// the keys used: t('key') in the modules, data-i18n* in the page
const used = new Map();
for (const f of readdirSync(join(webui, 'js')).filter((x) => x.endsWith('.js'))) {
  for (const m of readFileSync(join(webui, 'js', f), 'utf8').matchAll(/\bt\('([\w.]+)'/g)) used.set(m[1], f);
}
for (const m of readFileSync(join(webui, 'index.html'), 'utf8').matchAll(/data-i18n(?:-[\w-]+)?="([\w.]+)"/g)) used.set(m[1], 'index.html');
ok(used.size > 0, `the code uses messages (${used.size} keys)`);
const unknown = [...used].filter(([k]) => !(k in en));
ok(unknown.length === 0, 'every key the code uses is in en.js', unknown.map(([k, f]) => `${k} (${f})`).join(', '));
console.log(`# ${n} tests, ${fails} failed`);
process.exit(fails ? 1 : 0);
