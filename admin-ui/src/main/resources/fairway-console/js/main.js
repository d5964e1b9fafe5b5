// The console's shell: the header (leader, this replica, the token), the follower banner and the hash router that
// draws one page at a time into <main>. Each page gets a context whose listeners and timers end when it is left.

import * as live from './live.js';
import { setToken, token } from './api.js';
import { badge, errorBox, fill, h } from './dom.js';
import overview from './pages/overview.js';
import queues from './pages/queues.js';
import apps from './pages/apps.js';
import app from './pages/app.js';
import nodes from './pages/nodes.js';
import story from './pages/story.js';
import log from './pages/log.js';
import config from './pages/config.js';

const view = document.getElementById('view');
let current = null;

/** #/apps/ID?x=y → the page, its path arguments and its query. */
function route(hash) {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = (q < 0 ? raw : raw.slice(0, q)).split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  switch (path[0] || 'overview') {
    case 'overview': return { page: overview, name: 'overview', args: [], params };
    case 'queues': return { page: queues, name: 'queues', args: [], params };
    case 'apps': return path.length > 1
      ? { page: app, name: 'apps', args: [path.slice(1).join('/')], params }
      : { page: apps, name: 'apps', args: [], params };
    case 'nodes': return { page: nodes, name: 'nodes', args: [], params };
    case 'story': return { page: story, name: 'story', args: path.slice(1), params };
    case 'log': return { page: log, name: 'log', args: [], params };
    case 'config': return { page: config, name: 'config', args: [], params };
    default: return null;
  }
}

/** What a page may use; all of it stops when the page is left. */
function context(r) {
  const stops = [];
  const abort = new AbortController();
  stops.push(() => abort.abort());
  return {
    view,
    args: r.args,
    params: r.params,
    signal: abort.signal,
    on(kind, fn) {
      stops.push(live.on(kind, fn));
    },
    every(ms, fn) {
      const t = setInterval(fn, ms);
      stops.push(() => clearInterval(t));
    },
    /** Calls fn at most once per `ms` on summaries (lists refresh themselves without hammering the API). */
    onSummaryEvery(ms, fn) {
      let lastRun = Date.now();
      let timer = null;
      stops.push(live.on('summary', () => {
        if (timer) return;
        const wait = Math.max(0, lastRun + ms - Date.now());
        timer = setTimeout(() => {
          timer = null;
          lastRun = Date.now();
          if (!abort.signal.aborted) fn();
        }, wait);
      }));
      stops.push(() => clearTimeout(timer));
    },
    /** Sets the query part of the hash without leaving the page (replaceState: no history entry per keystroke). */
    setParams(params) {
      const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v !== null && v !== undefined)).toString();
      const base = location.hash.replace(/\?.*$/, '') || '#/';
      history.replaceState(null, '', q ? `${base}?${q}` : base);
    },
    get active() {
      return !abort.signal.aborted;
    },
    stop() {
      for (const s of stops.splice(0)) s();
    },
  };
}

async function show() {
  if (current) current.stop();
  const r = route(location.hash);
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', !!r && a.dataset.page === r.name);
  }
  if (!r) {
    current = null;
    fill(view, h('h1', null, 'Not found'), h('p', null, 'No page ', h('code', null, location.hash), '. ',
      h('a', { href: '#/' }, 'Overview')));
    return;
  }
  const ctx = context(r);
  current = ctx;
  document.title = `Fairway · ${r.page.title}`;
  fill(view, h('p', { class: 'muted' }, 'Loading…'));
  try {
    await r.page.render(ctx);
  } catch (e) {
    if (!ctx.active) return;
    console.error(e);
    fill(view, h('h1', null, r.page.title), errorBox(e));
  }
}

// --- header: who leads, who this is, the token ---------------------------------------------------------------

const leaderEl = document.getElementById('leader');
const replicaEl = document.getElementById('replica');
const banner = document.getElementById('banner');

function header(s) {
  fill(leaderEl, s.leader ? `leader: ${s.leader}` : 'no leader', s.leader ? h('span', { class: 'muted' },
    ` · epoch ${s.leaderEpoch}`) : null);
  leaderEl.dataset.leader = s.leader || '';
  const r = s.replica || {};
  fill(replicaEl, `this replica: ${r.replica || '?'} `, badge(r.role || '?', r.role || ''));
  replicaEl.dataset.role = r.role || '';
  if (r.role && r.role !== 'LEADER') {
    banner.hidden = false;
    banner.className = 'banner';
    fill(banner, h('strong', null, 'read-only follower'), ` — ${r.replica} shows the state it replicated from the log. `,
      s.leader ? ['The leader is ', h('strong', { id: 'banner-leader' }, s.leader), ` (epoch ${s.leaderEpoch}).`]
        : 'Nobody leads right now: a standby takes over when the lease runs out.');
  } else if (!s.leader) {
    banner.hidden = false;
    banner.className = 'banner';
    fill(banner, 'Nobody leads right now.');
  } else {
    banner.hidden = true;
  }
}

live.on('summary', header);
live.on('status', (st) => {
  if (st instanceof Error) {
    banner.hidden = false;
    banner.className = 'banner bad';
    fill(banner, st.describe ? st.describe() : st.message);
  }
});

const tokenInput = document.getElementById('token');
const tokenClear = document.getElementById('token-clear');

function showToken() {
  const t = token();
  tokenInput.value = '';
  tokenInput.placeholder = t ? 'token set' : 'bearer token';
  tokenClear.hidden = !t;
}

document.getElementById('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const value = tokenInput.value.trim();
  if (!value) return;
  setToken(value);
  showToken();
  live.start();
  show();
});
tokenClear.addEventListener('click', () => {
  setToken('');
  showToken();
  live.start();
  show();
});

showToken();
window.addEventListener('hashchange', show);
// a page left for another keeps no stream open (it may sit in the back-forward cache); coming back reconnects
window.addEventListener('pagehide', () => live.stop());
window.addEventListener('pageshow', (e) => {
  if (e.persisted) live.start();
});
live.start();
show();
