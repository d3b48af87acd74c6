// Optional parts of spendd the UI uses when they exist, learnt from
// GET /api/v1/methods (rpc.describe): downloads of a month.
import { api } from './api.js';

export const features = {
  exports: [],       // formats with a download route, e.g. ["csv", "pdf"]
};

export async function loadFeatures() {
  try {
    const r = await api('GET', '/methods');
    const list = Array.isArray(r) ? r : (r.methods || r.items || []);
    const routes = list.map((m) => m.route || '').filter(Boolean);
    if (!routes.some((x) => /^[A-Z,]*GET[A-Z,]* \/api\/v1\/exports\/\{/.test(x))) return;
    // the formats: exporter plugins that are loaded
    let formats = [];
    try {
      const p = await api('GET', '/plugins');
      for (const pl of p.plugins || []) {
        if (pl.state && pl.state !== 'loaded' && pl.state !== 'ok') continue;
        for (const v of pl.provides || []) if (v.kind === 'exporter') formats.push(v.name);
      }
    } catch (e) {
      formats = ['csv', 'pdf'];
    }
    const first = ['csv', 'pdf'];
    features.exports = [...new Set(formats)].sort((a, b) => {
      const ia = first.indexOf(a) < 0 ? 9 : first.indexOf(a);
      const ib = first.indexOf(b) < 0 ? 9 : first.indexOf(b);
      return ia - ib || a.localeCompare(b);
    });
  } catch (e) {
    // an older spendd: no optional features
  }
}
