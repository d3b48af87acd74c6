// Live updates: GET /api/v1/events (server-sent events) read with fetch so
// the access token travels in the Authorization header, never in a URL.
// When spendd has no such route (404/405) the UI simply does without.
import { refresh, token } from './api.js';

let unavailable = false;
const listeners = new Set();   // the subscribers' debounced callbacks

// A change made by this page that did not come back as a live event (an
// offline outbox sent with sync.push): subscribers reload as for one.
export function announce(type) {
  for (const fn of listeners) fn(type);
}

// subscribe(fn): fn(types) is called (debounced) after changes arrive from
// the server; types is a Set of method names ("expense.add", ...).
// Returns a function that stops listening.
export function subscribe(fn) {
  let stopped = false;
  let ctl = null;
  let timer = 0;
  let backoff = 1000;
  let lastId = null; // the change number of the last event: a reconnect
  // sends it (Last-Event-ID) and spendd replays what was missed meanwhile
  let types = new Set();
  const changed = (type) => {
    types.add(type);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const t = types;
      types = new Set();
      if (!stopped) fn(t);
    }, 300);
  };
  listeners.add(changed);
  const stop = () => {
    stopped = true;
    listeners.delete(changed);
    clearTimeout(timer);
    if (ctl) ctl.abort();
  };
  if (unavailable || typeof ReadableStream === 'undefined') return stop;

  async function connect() {
    if (stopped) return;
    ctl = new AbortController();
    try {
      const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${token()}` };
      if (lastId !== null) headers['Last-Event-ID'] = lastId;
      const res = await fetch('api/v1/events', {
        headers,
        credentials: 'same-origin',
        cache: 'no-store',
        signal: ctl.signal,
      });
      if (res.status === 404 || res.status === 405 || res.status === 501) {
        unavailable = true;
        return;
      }
      if (res.status === 401) {
        if (await refresh()) setTimeout(connect, 100);
        return;
      }
      if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
      backoff = 1000;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let i;
        while ((i = buf.search(/\r?\n\r?\n/)) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i).replace(/^\r?\n\r?\n/, '');
          // a block with a data: or event: line is an event; ":" lines are
          // keep-alive comments
          if (/^(data|event):/m.test(block)) {
            const m = /^event: ?(.*)$/m.exec(block);
            const id = /^id: ?(\d+)$/m.exec(block);
            if (id) lastId = id[1];
            // "change" (replayed) and "resync" (too much missed) ask for a
            // reload of what is on screen, like any live event
            changed(m ? m[1].trim() : 'message');
          }
        }
      }
    } catch (e) {
      if (stopped) return;
    }
    if (!stopped && !unavailable) {
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 30000);
    }
  }
  connect();
  return stop;
}
