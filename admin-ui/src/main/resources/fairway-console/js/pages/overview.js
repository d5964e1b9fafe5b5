// Overview: is the scheduler healthy, who leads, the replicas and their lag, how fast it decides, how full the
// cluster is, and pending against running pods over time.

import uPlot from 'uplot';
import * as live from '../live.js';
import { ApiError, get } from '../api.js';
import { badge, bar, errorBox, fill, h, table, usage } from '../dom.js';
import { ago, count, duration, rate, resourceOrder, shortName, time } from '../format.js';

export default {
  title: 'Overview',
  async render(ctx) {
    const c = {};
    const card = (id) => {
      c[id] = h('div', { class: 'card', id: 'card-' + id });
      return c[id];
    };
    const capacity = h('div', { id: 'capacity' });
    const replicas = h('div', { id: 'replicas' });
    const leaders = h('div', { id: 'leaders' });
    const chartBox = h('div', { class: 'chart', id: 'pods-chart' });
    fill(ctx.view,
      h('h1', null, 'Overview'),
      h('div', { class: 'cards' }, card('health'), card('ready'), card('leader'), card('replica'), card('decisions')),
      h('div', { class: 'cards' }, card('pending'), card('running'), card('nodes'), card('apps'), card('log')),
      h('div', { class: 'two-col' },
        h('div', { class: 'panel' }, h('h2', { style: { marginTop: 0 } }, 'Pending and running pods'), chartBox,
          h('p', { class: 'note' }, 'Sampled from the live summary since this console was opened.')),
        h('div', { class: 'panel' }, h('h2', { style: { marginTop: 0 } }, 'Cluster capacity'), capacity)),
      h('h2', null, 'Replicas'),
      replicas,
      h('h2', null, 'Leaders'),
      leaders);
    set(c.health, 'Health', '…');
    set(c.ready, 'Ready', '…');
    // a console without /healthz and /readyz (the sandbox's own) says what the summary and the replicas tell
    const probes = {
      served: true,
      fallback(r) {
        if (this.served || !r || !ctx.active) return;
        const s = live.summary();
        const me = (r.replicas || []).find((x) => x.self);
        set(c.health, 'Health', s && s.leader ? badge('a leader decides', 'ok') : badge('no leader', 'bad'),
          'from the summary (no /healthz here)');
        set(c.ready, 'Caught up', me && me.lag >= 0 ? badge(me.lag <= 1000 ? 'caught up' : 'behind', me.lag <= 1000 ? 'ok' : 'warn')
          : '–', me && me.lag >= 0 ? `lag ${count(me.lag)} events · log end ${count(r.logEnd)}` : 'no /readyz here');
      },
    };

    const chart = podsChart(chartBox);
    ctx.signal.addEventListener('abort', () => chart.destroy());
    ctx.on('summary', (s) => {
      drawCards(c, s);
      drawCapacity(capacity, s);
      chart.update();
    });
    // the rates move even when no summary comes (nothing changed): redraw them each second
    ctx.every(1000, () => {
      const s = live.summary();
      if (s) drawCards(c, s);
      chart.update();
    });
    ctx.every(3000, () => drawReplicas(replicas, ctx.signal).then((r) => probes.fallback(r)));
    ctx.every(3000, () => drawLeaders(leaders, ctx.signal));
    ctx.every(5000, () => drawHealth(c, ctx.signal, probes));
    const s = live.summary() || await get('api/v1/summary', null, ctx.signal);
    drawCards(c, s);
    drawCapacity(capacity, s);
    chart.update();
    const [r] = await Promise.all([drawReplicas(replicas, ctx.signal), drawHealth(c, ctx.signal, probes),
      drawLeaders(leaders, ctx.signal)]);
    probes.fallback(r);
  },
};

function set(el, label, value, sub) {
  fill(el, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value),
    sub ? h('div', { class: 'sub' }, sub) : null);
}

function drawCards(c, s) {
  const states = Object.entries(s.appsByState || {}).filter(([, n]) => n)
    .map(([k, n]) => `${count(n)} ${k.toLowerCase()}`).join(', ');
  set(c.leader, 'Leader', s.leader || 'nobody', s.leader ? `epoch ${s.leaderEpoch}` : 'waiting for an election');
  set(c.replica, 'This replica', s.replica.replica, s.replica.role.toLowerCase()
    + (s.replica.role === 'LEADER' ? ` · epoch ${s.replica.epoch}` : ' · read-only'));
  // from the summaries' decision counter: exact, unlike a count of the (throttled) live tail
  const decisions = live.decidedPerSecond();
  set(c.decisions, 'Decisions / s', rate(decisions), `events applied / s: ${rate(live.appliedPerSecond())}`);
  set(c.pending, 'Pending pods', count(s.pendingPods), 'waiting for a node');
  set(c.running, 'Running pods', count(s.runningPods), 'placed on a node');
  set(c.nodes, 'Nodes', `${count(s.schedulableNodes)} / ${count(s.nodes)}`, 'schedulable / all');
  set(c.apps, 'Applications', count(Object.values(s.appsByState || {}).reduce((a, b) => a + b, 0)), states || 'none');
  set(c.log, 'Events applied', count(s.appliedEvents), `${count(s.ignoredEvents)} ignored · ${count(s.preemptions)} preemptions`);
}

function drawCapacity(el, s) {
  const names = Object.keys({ ...s.capacity, ...s.allocated }).filter((k) => k !== 'pods').sort(resourceOrder);
  if (!names.length) {
    fill(el, h('p', { class: 'muted' }, 'No schedulable nodes.'));
    return;
  }
  fill(el, names.map((n) => h('div', { class: 'res-row' },
    h('span', { class: 'name', title: n }, shortName(n)),
    bar({ used: s.allocated[n] || 0, scale: s.capacity[n] || 0, limit: s.capacity[n] }),
    h('span', { class: 'what' }, usage(n, s.allocated[n], s.capacity[n])))),
  h('p', { class: 'note' }, 'Allocated against the allocatable of ready, schedulable nodes.'));
}

async function drawHealth(c, signal, probes) {
  // /healthz and /readyz sit next to the console on a replica's health port
  const probe = async (path) => {
    try {
      const res = await fetch(new URL(path, document.baseURI), { signal });
      const body = await res.json().catch(() => ({}));
      return { ok: res.ok, status: res.status, body };
    } catch (e) {
      return signal.aborted ? null : { ok: false, status: 0, body: { error: String(e) } };
    }
  };
  const [hz, rz] = await Promise.all([probe('healthz'), probe('readyz')]);
  if (!hz || !rz || signal.aborted) return;
  if (hz.status === 404 && rz.status === 404) {
    probes.served = false;
    return;
  }
  set(c.health, 'Health', badge(hz.ok ? 'healthy' : 'failing', hz.ok ? 'ok' : 'bad'), hz.body.error || 'the replica runs');
  set(c.ready, 'Ready', badge(rz.ok ? 'ready' : 'not ready', rz.ok ? 'ok' : 'warn'),
    rz.body.error || `log end ${count(rz.body.logEnd)} · lag ${count(rz.body.lag)}`);
}

async function drawReplicas(el, signal) {
  let r;
  try {
    r = await get('api/v1/replicas', null, signal);
  } catch (e) {
    if (signal.aborted) return;
    fill(el, e instanceof ApiError && e.status === 404
      ? h('p', { class: 'muted' }, 'This replica does not list its peers (no /api/v1/replicas).') : errorBox(e));
    return;
  }
  const now = Date.now();
  const known = (n) => (n >= 0 ? count(n) : '–');
  fill(el, table(['Replica', 'Role', 'Offset#', 'Lag (events)#', 'Last seen', ''],
    (r.replicas || []).map((x) => h('tr', { 'data-replica': x.name },
      h('td', null, h('strong', null, x.name), x.self ? h('span', { class: 'muted' }, ' (this one)') : null),
      h('td', null, badge(x.role, String(x.role).toUpperCase())),
      h('td', { class: 'num' }, known(x.offset)),
      h('td', { class: 'num' }, known(x.lag)),
      h('td', { class: 'nowrap' }, ago(x.lastSeen, now)),
      h('td', null, x.stale ? badge('stale', 'stale') : null)))),
  h('p', { class: 'note' }, `Leader ${r.leader || 'none'} · epoch ${r.epoch}` + (r.logEnd >= 0 ? ` · log end ${count(r.logEnd)}.` : '.')));
  return r;
}

// Every term the log elected, newest first: a fail-over shows as a new row, with how long the last term lasted.
async function drawLeaders(el, signal) {
  let r;
  try {
    r = await get('api/v1/leaders', null, signal);
  } catch (e) {
    if (!signal.aborted) fill(el, errorBox(e));
    return;
  }
  const terms = r.terms || [];
  fill(el, terms.length === 0 ? h('p', { class: 'muted' }, 'No leader has been elected yet.')
    : table(['Epoch#', 'Replica', 'Since', 'Led for'],
      terms.map((t, i) => h('tr', { 'data-epoch': String(t.epoch) },
        h('td', { class: 'num' }, count(t.epoch)),
        h('td', null, h('strong', null, t.replica), i === 0 ? h('span', { class: 'muted' }, ' (leads now)') : null),
        h('td', { class: 'nowrap' }, time(t.since)),
        h('td', { class: 'nowrap' }, duration((i === 0 ? Date.now() : terms[i - 1].since) - t.since))))));
}

function podsChart(el) {
  let plot = null;
  const data = () => [live.history.t, live.history.pending, live.history.running];
  const make = () => {
    const width = Math.max(300, el.clientWidth || 600);
    plot = new uPlot({
      width,
      height: 220,
      // the window is set by hand (see show): uPlot's own stretches a single sample over years
      scales: { x: { time: true, auto: false } },
      legend: { live: true },
      axes: [{}, { size: 56, values: (u, ticks) => ticks.map((t) => count(t)) }],
      series: [
        {},
        { label: 'pending', stroke: '#d9822b', width: 2, value: (u, v) => (v === null ? '–' : count(v)) },
        { label: 'running', stroke: '#3b7de8', width: 2, value: (u, v) => (v === null ? '–' : count(v)) },
      ],
    }, data(), el);
    show();
  };
  // from the first sample (at least a minute back) to now
  const show = () => {
    const end = Date.now() / 1000;
    const first = live.history.t.length ? live.history.t[0] : end;
    plot.setScale('x', { min: Math.min(first, end - 60), max: end });
  };
  return {
    update() {
      if (!plot) {
        if (live.history.t.length) make();
        return;
      }
      plot.setData(data(), false);
      show();
      const width = Math.max(300, el.clientWidth || 600);
      if (Math.abs(width - plot.width) > 20) plot.setSize({ width, height: 220 });
    },
    destroy() {
      if (plot) plot.destroy();
    },
  };
}
