// Nodes: utilisation per resource, grouped by a topology domain (a zone by default; any label the nodes carry,
// such as a region or an NVLink clique), and where the GPUs and FPGAs are.

import { get } from '../api.js';
import { badge, bar, fill, h, table, usage } from '../dom.js';
import { count, isAccelerator, isFpga, isGpu, shortName } from '../format.js';

const PAGE = 1000;
/** Preferred grouping labels, first present wins. */
const DOMAIN_LABELS = ['topology.kubernetes.io/zone', 'topology.kubernetes.io/region', 'topology.kubernetes.io/rack',
  'nvidia.com/gpu.clique', 'kubernetes.io/hostname'];
const GPU_PRODUCT = 'nvidia.com/gpu.product';
/** Labels that are not domains: every node has its own value, or they say what the node is, not where. */
const NOT_DOMAINS = /^(kubernetes\.io\/hostname|beta\.kubernetes\.io\/.*|node\.kubernetes\.io\/instance-type|kubernetes\.io\/(os|arch)|fairway\.io\/simulated)$/;

export default {
  title: 'Nodes',
  async render(ctx) {
    const nodes = await all(ctx.signal);
    const keys = labelKeys(nodes);
    const group = ctx.params.get('group') || DOMAIN_LABELS.find((k) => keys.includes(k)) || '';
    const only = ctx.params.get('accelerators') === '1';
    const groupSel = h('select', { id: 'group-by' }, h('option', { value: '' }, '(no grouping)'),
      keys.map((k) => h('option', { value: k, selected: k === group }, k)));
    const accel = h('input', { type: 'checkbox', id: 'only-accelerators', checked: only });
    const change = () => {
      ctx.setParams({ group: groupSel.value, accelerators: accel.checked ? '1' : '' });
      ctx.params.set('group', groupSel.value);
      ctx.params.set('accelerators', accel.checked ? '1' : '');
      draw(nodes, groupSel.value, accel.checked);
    };
    groupSel.addEventListener('change', change);
    accel.addEventListener('change', change);
    const accelerators = h('div', { id: 'accelerators' });
    const domains = h('div', { id: 'domains' });
    fill(ctx.view,
      h('h1', null, `Nodes (${count(nodes.length)})`),
      h('form', { class: 'filters', onsubmit: (e) => e.preventDefault() },
        h('label', null, 'Group by topology label', groupSel),
        h('label', { class: 'check' }, accel, 'GPU and FPGA nodes only')),
      h('h2', null, 'Accelerators'), accelerators,
      domains);
    const draw = (list, key, accelOnly) => {
      fill(accelerators, acceleratorTable(list));
      fill(domains, byDomain(list.filter((n) => !accelOnly || hasAccelerator(n)), key));
    };
    draw(nodes, group, only);
    ctx.onSummaryEvery(5000, async () => {
      const fresh = await all(ctx.signal).catch(() => null);
      if (fresh && ctx.active) draw(fresh, groupSel.value, accel.checked);
    });
  },
};

async function all(signal) {
  const out = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await get('api/v1/nodes', { offset, limit: PAGE }, signal);
    out.push(...page.items);
    if (out.length >= page.total || !page.items.length) return out;
  }
}

function labelKeys(nodes) {
  const keys = new Set();
  for (const n of nodes) for (const k of Object.keys(n.labels || {})) if (!NOT_DOMAINS.test(k)) keys.add(k);
  return [...keys].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function rank(k) {
  const i = DOMAIN_LABELS.indexOf(k);
  return i < 0 ? DOMAIN_LABELS.length : i;
}

function hasAccelerator(n) {
  return Object.keys(n.allocatable || {}).some((k) => isAccelerator(k) && n.allocatable[k] > 0);
}

/** Per accelerator resource (and GPU model): nodes, total, allocated, free. */
function acceleratorTable(nodes) {
  const rows = new Map();
  for (const n of nodes) {
    for (const [k, total] of Object.entries(n.allocatable || {})) {
      if (!isAccelerator(k) || !total) continue;
      const model = isGpu(k) ? (n.labels[GPU_PRODUCT] || '') : '';
      const id = k + '|' + model;
      const r = rows.get(id) || { resource: k, model, nodes: 0, total: 0, used: 0, free: 0 };
      r.nodes++;
      r.total += total;
      r.used += (n.allocated || {})[k] || 0;
      rows.set(id, r);
    }
  }
  if (!rows.size) return h('p', { class: 'muted' }, 'No node offers GPUs or FPGAs.');
  const list = [...rows.values()].sort((a, b) => a.resource.localeCompare(b.resource) || a.model.localeCompare(b.model));
  return table(['Kind', 'Resource', 'Model', 'Nodes#', 'Allocated', 'Free#'], list.map((r) => h('tr', { 'data-resource': r.resource },
    h('td', null, isGpu(r.resource) ? 'GPU' : isFpga(r.resource) ? 'FPGA' : ''),
    h('td', { title: r.resource }, h('code', null, r.resource.replace(/^(fpga\.intel\.com\/(region|af)-[0-9a-f]{8})[0-9a-f]{24}/, '$1…'))),
    h('td', null, r.model),
    h('td', { class: 'num' }, count(r.nodes)),
    h('td', null, h('div', { class: 'util' }, bar({ used: r.used, scale: r.total }), h('span', { class: 'what' }, usage(r.resource, r.used, r.total)))),
    h('td', { class: 'num' }, count(r.total - r.used)))), { id: 'accelerator-table' });
}

function byDomain(nodes, key) {
  const groups = new Map();
  for (const n of nodes) {
    const v = key ? (n.labels[key] ?? '') : '';
    if (!groups.has(v)) groups.set(v, []);
    groups.get(v).push(n);
  }
  const names = [...groups.keys()].sort((a, b) => (a === '') - (b === '') || a.localeCompare(b));
  if (!names.length) return h('p', { class: 'muted' }, 'No node to show.');
  return names.map((v) => {
    const list = groups.get(v).sort((a, b) => a.name.localeCompare(b.name));
    const sum = (field, r) => list.reduce((s, n) => s + ((n[field] || {})[r] || 0), 0);
    const title = key ? (v === '' ? `without ${key}` : v) : 'All nodes';
    return h('section', { class: 'domain', 'data-domain': v },
      h('h2', null, title, h('span', { class: 'sub' }, [
        `${count(list.length)} node${list.length === 1 ? '' : 's'}`,
        `cpu ${usage('cpu', sum('allocated', 'cpu'), sum('allocatable', 'cpu'))}`,
        `memory ${usage('memory', sum('allocated', 'memory'), sum('allocatable', 'memory'))}`,
      ].join(' · '))),
      table(['Node', 'Status', 'Pods#', 'CPU', 'Memory', 'GPU / FPGA', 'Taints'], list.map(nodeRow), { class: 'nodes-table' }));
  });
}

function nodeRow(n) {
  const a = n.allocatable || {};
  const u = n.allocated || {};
  const util = (r) => h('div', { class: 'util' }, bar({ used: u[r] || 0, scale: a[r] || 0, limit: a[r] }),
    h('span', { class: 'what' }, usage(r, u[r], a[r])));
  const acc = Object.keys(a).filter((k) => isAccelerator(k) && a[k] > 0).sort();
  return h('tr', { 'data-node': n.name },
    h('td', null, h('strong', null, n.name), n.labels[GPU_PRODUCT] ? h('div', { class: 'muted' }, n.labels[GPU_PRODUCT]) : null),
    h('td', null, n.ready ? (n.unschedulable ? badge('cordoned', 'warn') : badge('ready', 'ok')) : badge('not ready', 'bad')),
    h('td', { class: 'num' }, count(n.pods), a.pods ? h('span', { class: 'muted' }, ` / ${count(a.pods)}`) : null),
    h('td', null, util('cpu')),
    h('td', null, util('memory')),
    h('td', null, acc.length ? acc.map((k) => h('div', { title: k }, h('span', { class: 'muted' }, shortName(k) + ' '),
      `${count(u[k] || 0)} / ${count(a[k])}`)) : h('span', { class: 'muted' }, '–')),
    h('td', { class: 'wrap' }, (n.taints || []).map((t) => h('div', null, h('code', null, `${t.key}${t.value ? '=' + t.value : ''}:${t.effect}`)))));
}
