// One live feed for the whole console: the SSE stream's `summary` and `log` events, read once and handed to whoever
// listens (the header, the open page). Keeps the recent summaries, so the overview's chart has a history when the
// user comes back to it. Without the stream (an older replica, a proxy that buffers) it polls the summary instead.

import { ApiError, get, readEventStream } from './api.js';

const HISTORY_SECONDS = 30 * 60;
const POLL_MS = 2000;

const listeners = { summary: new Set(), log: new Set(), gap: new Set(), status: new Set() };
let last = null;
let abort = null;
let generation = 0;

/** Pending and running pods, and events applied, per sample: the overview's chart. */
export const history = { t: [], pending: [], running: [], applied: [], decided: [] };

export let status = 'connecting';

export function summary() {
  return last;
}

/** Calls fn(data) on every event of kind ('summary', 'log', 'gap' or 'status'); returns the way to stop. */
export function on(kind, fn) {
  listeners[kind].add(fn);
  return () => listeners[kind].delete(fn);
}

function emit(kind, data) {
  for (const fn of listeners[kind]) {
    try {
      fn(data);
    } catch (e) {
      console.error('console: a ' + kind + ' listener failed', e);
    }
  }
}

function setStatus(s) {
  if (s !== status) {
    status = s;
    emit('status', s);
  }
}

function takeSummary(s) {
  last = s;
  record(s);
  emit('summary', s);
}

function record(s) {
  const now = Date.now() / 1000;
  const n = history.t.length;
  // one sample a second is plenty for a 30-minute chart
  if (n && now - history.t[n - 1] < 1) {
    history.pending[n - 1] = s.pendingPods;
    history.running[n - 1] = s.runningPods;
    history.applied[n - 1] = s.appliedEvents;
    history.decided[n - 1] = s.decisionsApplied;
    return;
  }
  history.t.push(now);
  history.pending.push(s.pendingPods);
  history.running.push(s.runningPods);
  history.applied.push(s.appliedEvents);
  history.decided.push(s.decisionsApplied);
  while (history.t.length && history.t[0] < now - HISTORY_SECONDS) {
    for (const k of Object.keys(history)) {
      history[k].shift();
    }
  }
}

function takeLog(item) {
  emit('log', item);
}

/** Events applied per second from the summaries (exact, whatever the tail sends). */
export function appliedPerSecond(seconds = 10) {
  return perSecond(history.applied, seconds);
}

/** Decisions applied per second from the summaries' counter (exact; the live tail is throttled). */
export function decidedPerSecond(seconds = 10) {
  return perSecond(history.decided, seconds);
}

function perSecond(series, seconds) {
  const n = history.t.length;
  if (n < 2) {
    return null;
  }
  let i = n - 1;
  while (i > 0 && history.t[n - 1] - history.t[i - 1] <= seconds) {
    i--;
  }
  const dt = history.t[n - 1] - history.t[i];
  return dt > 0 && series[i] !== undefined ? Math.max(0, series[n - 1] - series[i]) / dt : null;
}

// the stream sends a summary only when something changed: the chart still moves on, flat, between changes
setInterval(() => {
  if (last) record(last);
}, POLL_MS);

/** Closes the stream (the page is left: a browser allows only a few connections per server). */
export function stop() {
  if (abort) {
    abort.abort();
    abort = null;
  }
  generation++;
}

/** (Re)connects, e.g. after the token changed. */
export function start() {
  if (abort) {
    abort.abort();
  }
  abort = new AbortController();
  const mine = ++generation;
  run(abort.signal, mine);
}

async function run(signal, mine) {
  let backoff = 1000;
  // a first summary at once, so the header names the leader before the stream's first event
  await poll(signal);
  while (!signal.aborted && mine === generation) {
    try {
      setStatus('connecting');
      await readEventStream('api/v1/stream', (type, data) => {
        setStatus('live');
        backoff = 1000;
        let parsed;
        try {
          parsed = JSON.parse(data);
        } catch (e) {
          return;
        }
        if (type === 'summary') {
          takeSummary(parsed);
        } else if (type === 'log') {
          takeLog(parsed);
        } else if (type === 'gap') {
          // a burst the stream skipped: {from, to}
          emit('gap', parsed);
        }
      }, signal);
    } catch (e) {
      if (signal.aborted) {
        return;
      }
      if (e instanceof ApiError && (e.status === 404 || e.status === 405)) {
        // this replica has no stream: poll the summary for as long as the console is open
        setStatus('polling');
        await pollForever(signal);
        return;
      }
      setStatus(e instanceof ApiError && e.status === 401 ? 'unauthorized' : 'reconnecting');
    }
    await sleep(backoff, signal);
    backoff = Math.min(backoff * 2, 15000);
    await poll(signal);
  }
}

async function poll(signal) {
  try {
    takeSummary(await get('api/v1/summary', null, signal));
    return true;
  } catch (e) {
    if (!signal.aborted) {
      emit('status', e instanceof ApiError ? e : new Error(String(e)));
    }
    return false;
  }
}

async function pollForever(signal) {
  while (!signal.aborted) {
    await poll(signal);
    await sleep(POLL_MS, signal);
  }
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}
