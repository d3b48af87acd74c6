// Renders webui/favicon.svg as the web app manifest's PNG icons,
// webui/icons/icon-192.png and icon-512.png, with headless Chromium
// (playwright-core from tests/js). The PNGs are committed: run this again
// only when favicon.svg changes.
//   node contrib/make-icons.mjs
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const top = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const { chromium } = require(join(top, 'tests/js/node_modules/playwright-core'));
const svg = readFileSync(join(top, 'webui/favicon.svg'), 'utf8');
const b = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
for (const size of [192, 512]) {
  const page = await b.newPage({ viewport: { width: size, height: size } });
  await page.setContent(`<html><body style="margin:0;background:transparent">
    <img src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}"
      width="${size}" height="${size}" style="display:block"></body></html>`);
  await page.locator('img').screenshot({ path: join(top, `webui/icons/icon-${size}.png`), omitBackground: true });
  await page.close();
}
await b.close();
