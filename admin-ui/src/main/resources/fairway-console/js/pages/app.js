// One application: where it stands, its gang groups, why its pods wait, and every pod with a link to its story.

import { ApiError, get } from '../api.js';
import { badge, errorBox, fill, h, link, table } from '../dom.js';
import { ago, count, resources, time } from '../format.js';

export default {
  title: 'Application',
  async render(ctx) {
    const id = ctx.args[0];
    const body = h('div', { id: 'app-detail' });
    fill(ctx.view, h('p', null, link('#/apps', '‹ Applications')), h('h1', { id: 'app-title' }, id), body);
    const draw = async () => {
      let d;
      try {
        d = await get(`api/v1/apps/${encodeURIComponent(id)}`, null, ctx.signal);
      } catch (e) {
        if (!ctx.active) return;
        fill(body, e instanceof ApiError && e.status === 404
          ? h('div', { class: 'error' }, `No application ${id} in this replica's state (finished apps leave it once all their pods are gone).`)
          : errorBox(e));
        return;
      }
      if (ctx.active) drawApp(body, d);
    };
    await draw();
    ctx.onSummaryEvery(3000, draw);
  },
};

function drawApp(el, d) {
  const a = d.app;
  const now = Date.now();
  const waiting = reasons(d.pods);
  fill(el,
    h('div', { class: 'cards fixed' },
      card('State', badge(a.state.toLowerCase(), a.state), a.rejection || ''),
      card('Queue', a.queue ? link(`#/apps?queue=${encodeURIComponent(a.queue)}`, a.queue) : '(none)',
        d.requestedQueue && d.requestedQueue !== a.queue ? `asked for ${d.requestedQueue}` : ''),
      card('User', a.user || '–', ''),
      card('Pods', `${count(a.running)} running`, `${count(a.pending)} pending · ${count(a.completed)} done`),
      card('Submitted', time(d.submissionTime), d.submissionTime ? ago(d.submissionTime, now) : ''),
      card('Allocated', resources(a.allocated) || '–', a.pendingResources && Object.keys(a.pendingResources).length
        ? `pending: ${resources(a.pendingResources)}` : '')),
    gang(a.gang),
    waiting.length ? [h('h2', null, 'Why pods wait'), table(['Reason', 'Pods#', 'Example', 'Waiting since'],
      waiting.map((w) => [h('code', null, w.reason), count(w.pods), h('td', { class: 'wrap' }, w.message),
        h('td', { class: 'nowrap' }, w.since ? ago(w.since, now) : '–')]), { id: 'wait-reasons' })] : null,
    h('h2', null, `Pods (${count(d.pods.length)})`),
    table(['Pod', 'Phase', 'Scheduler', 'Node', 'Group', 'Requests', 'Waiting for'],
      d.pods.map((p) => h('tr', { 'data-pod': `${p.namespace}/${p.name}` },
        h('td', null, link(`#/story?pod=${encodeURIComponent(p.namespace + '/' + p.name)}`, `${p.namespace}/${p.name}`,
          { class: 'pod-link', title: 'the pod\'s story from the log' })),
        h('td', null, p.phase),
        h('td', null, badge(p.role.toLowerCase(), p.role), p.bound ? h('span', { class: 'muted' }, ' bound') : null,
          p.preemptedBy ? h('div', null, badge('preempted', 'bad'), ' by ', p.preemptedBy) : null),
        h('td', null, p.node || (p.holdNode ? h('span', { class: 'muted' }, `room held on ${p.holdNode}`) : '–')),
        h('td', null, p.taskGroup || ''),
        h('td', { class: 'nowrap' }, resources(p.requests)),
        h('td', { class: 'wrap' }, p.waitReason ? [h('code', null, p.waitReason), ' ', p.waitMessage,
          p.waitingSince ? h('span', { class: 'muted' }, ` (${ago(p.waitingSince, now)})`) : null] : ''))),
      { id: 'pods-table' }));
}

function card(label, value, sub) {
  return h('div', { class: 'card' }, h('div', { class: 'label' }, label), h('div', { class: 'value small' }, value),
    sub ? h('div', { class: 'sub' }, sub) : null);
}

function gang(g) {
  if (!g || g.status === 'NONE') return null;
  return [h('h2', null, 'Gang ', badge(g.status.toLowerCase(), g.status)),
    g.reason ? h('p', { class: 'note' }, g.reason) : null,
    table(['Task group', 'Min members#', 'Reserved (free)#', 'Used#', 'Waiting#'],
      (g.groups || []).map((c) => [c.group, count(c.minMember), count(c.reserved), count(c.used), count(c.waiting)]),
      { id: 'gang-groups' })];
}

/** Pending pods grouped by their wait reason, most pods first. */
function reasons(pods) {
  const by = new Map();
  for (const p of pods) {
    if (p.role !== 'PENDING' || !p.waitReason) continue;
    const r = by.get(p.waitReason) || { reason: p.waitReason, pods: 0, message: p.waitMessage, since: p.waitingSince };
    r.pods++;
    if (p.waitingSince && (!r.since || p.waitingSince < r.since)) r.since = p.waitingSince;
    by.set(p.waitReason, r);
  }
  return [...by.values()].sort((a, b) => b.pods - a.pods);
}
