// Queues: the tree, and per queue and resource how much is allocated against its guarantee and its max.

import * as live from '../live.js';
import { get } from '../api.js';
import { badge, bar, fill, h, link, table } from '../dom.js';
import { count, resourceOrder, shortName, unit, value } from '../format.js';

export default {
  title: 'Queues',
  async render(ctx) {
    const tree = h('div', { id: 'queue-tree' });
    fill(ctx.view,
      h('h1', null, 'Queues'),
      h('div', { class: 'legend' },
        h('span', null, h('i', { style: { background: 'var(--bar-fill)' } }), 'allocated'),
        h('span', null, h('i', { style: { background: 'var(--bar-pending)' } }), 'pending'),
        h('span', null, h('i', { style: { background: '#1d2430', width: '3px' } }), 'guaranteed'),
        h('span', null, h('i', { style: { background: 'var(--bar-over)' } }), 'allocated over max'),
        h('span', null, 'bar length: the queue\'s max, else the cluster\'s capacity (or the guarantee, when larger)')),
      tree);
    const draw = async () => {
      const root = await get('api/v1/queues', null, ctx.signal);
      const capacity = (live.summary() || await get('api/v1/summary', null, ctx.signal)).capacity || {};
      if (!ctx.active) return;
      const rows = [];
      walk(root, 0, (q, depth) => rows.push(row(q, depth, capacity)));
      fill(tree, table(['Queue', 'Apps', 'Resources: allocated · guaranteed · max'], rows, { id: 'queues-table' }));
    };
    await draw();
    ctx.onSummaryEvery(3000, () => draw().catch(() => {}));
  },
};

function walk(q, depth, visit) {
  visit(q, depth);
  for (const c of q.children || []) walk(c, depth + 1, visit);
}

function row(q, depth, capacity) {
  const short = q.name.split('.').pop();
  const apps = Object.entries(q.appsByState || {}).filter(([, n]) => n);
  const names = Object.keys({ ...q.guaranteed, ...q.max, ...q.allocated, ...q.pending })
    .filter((k) => k !== 'pods' && (q.guaranteed[k] || q.max[k] || q.allocated[k] || q.pending[k]))
    .sort(resourceOrder);
  return h('tr', { 'data-queue': q.name },
    h('td', { class: 'qname' },
      h('span', { class: 'indent', style: { width: depth * 18 + 'px' } }),
      q.leaf ? link(`#/apps?queue=${encodeURIComponent(q.name)}`, short, { title: q.name })
        : h('strong', { title: q.name }, short),
      q.dynamic ? h('span', { class: 'muted' }, ' (dynamic)') : null),
    h('td', null, apps.length ? apps.map(([k, n]) => [badge(`${count(n)} ${k.toLowerCase()}`, k), ' ']) : h('span', { class: 'muted' }, '–')),
    h('td', null, names.length ? names.map((n) => resourceRow(n, q, capacity[n]))
      : h('span', { class: 'muted' }, 'nothing set or used')));
}

function resourceRow(name, q, capacity) {
  const used = q.allocated[name] || 0;
  const g = q.guaranteed[name];
  const max = q.max[name];
  const u = unit(name);
  const parts = [`${value(name, used)}${u ? ' ' + u : ''}`];
  if (g) parts.push(`guaranteed ${value(name, g)}`);
  if (max) parts.push(`max ${value(name, max)}`);
  if (q.pending[name]) parts.push(`pending ${value(name, q.pending[name])}`);
  return h('div', { class: 'res-row', 'data-resource': name },
    h('span', { class: 'name', title: name }, shortName(name)),
    // a guarantee may exceed what the cluster has now: the bar then runs to the guarantee
    bar({ used, scale: max || Math.max(capacity || 0, g || 0) || used * 1.25, tick: g, pending: q.pending[name] || 0, limit: max }),
    h('span', { class: 'what' }, parts.join(' · ')));
}
