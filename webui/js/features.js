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
    const routes = list.map((m) => m.route || m.rest || '').filter(Boolean);
    if (routes.some((x) => /^GET \/api\/v1\/exports\//.test(x))) {
      features.exports = ['csv', 'pdf'];
    }
  } catch (e) {
    // an older spendd: no optional features
  }
}
