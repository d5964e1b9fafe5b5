// Applications: filter by queue, state and user, search by id, a page at a time. The filter lives in the hash
// (#/apps?queue=…&state=…), so a filtered list can be linked to.

import { get } from '../api.js';
import { badge, errorBox, fill, h, link, table } from '../dom.js';
import { count, resources } from '../format.js';

const LIMIT = 50;
const STATES = ['ACCEPTED', 'RUNNING', 'COMPLETED', 'REJECTED', 'FAILED'];

export default {
  title: 'Applications',
  async render(ctx) {
    const p = ctx.params;
    const f = {
      queue: p.get('queue') || '',
      state: p.get('state') || '',
      user: p.get('user') || '',
      q: p.get('q') || '',
      offset: Math.max(0, parseInt(p.get('offset') || '0', 10) || 0),
    };
    const queue = h('select', { name: 'queue', id: 'filter-queue' }, h('option', { value: '' }, 'all queues'));
    const state = h('select', { name: 'state', id: 'filter-state' }, h('option', { value: '' }, 'any state'),
      STATES.map((s) => h('option', { value: s, selected: s === f.state }, s.toLowerCase())));
    const user = h('input', { type: 'text', name: 'user', id: 'filter-user', value: f.user, placeholder: 'exactly' });
    const q = h('input', { type: 'search', name: 'q', id: 'filter-q', value: f.q, placeholder: 'part of the id' });
    const list = h('div', { id: 'apps-list' });
    const pager = h('div', { class: 'pager', id: 'apps-pager' });
    const apply = (e) => {
      if (e) e.preventDefault();
      f.queue = queue.value;
      f.state = state.value;
      f.user = user.value.trim();
      f.q = q.value.trim();
      f.offset = 0;
      ctx.setParams({ queue: f.queue, state: f.state, user: f.user, q: f.q });
      draw();
    };
    queue.addEventListener('change', apply);
    state.addEventListener('change', apply);
    fill(ctx.view,
      h('h1', null, 'Applications'),
      h('form', { class: 'filters', id: 'apps-filter', onsubmit: apply },
        h('label', null, 'Queue', queue),
        h('label', null, 'State', state),
        h('label', null, 'User', user),
        h('label', null, 'Search', q),
        h('button', { type: 'submit', class: 'primary' }, 'Filter')),
      pager, list);

    // a filter changed while an older answer is on its way: only the newest request may draw
    let asked = 0;
    const draw = async () => {
      const mine = ++asked;
      let page;
      try {
        page = await get('api/v1/apps', { queue: f.queue, state: f.state, user: f.user, q: f.q, offset: f.offset, limit: LIMIT },
          ctx.signal);
      } catch (e) {
        if (ctx.active && mine === asked) fill(list, errorBox(e));
        return;
      }
      if (!ctx.active || mine !== asked) return;
      drawPager(pager, page, (offset) => {
        f.offset = offset;
        ctx.setParams({ queue: f.queue, state: f.state, user: f.user, q: f.q, offset: offset || '' });
        draw();
      });
      fill(list, page.items.length ? table(
        ['Application', 'Queue', 'User', 'State', 'Running#', 'Pending#', 'Done#', 'Allocated', 'Gang'],
        page.items.map((a) => h('tr', { 'data-app': a.id },
          h('td', null, link(`#/apps/${encodeURIComponent(a.id)}`, a.id, { class: 'app-link' }),
            a.rejection ? h('div', { class: 'muted' }, a.rejection) : null),
          h('td', null, a.queue || h('span', { class: 'muted' }, '(none)')),
          h('td', null, a.user),
          h('td', null, badge(a.state.toLowerCase(), a.state)),
          h('td', { class: 'num' }, count(a.running)),
          h('td', { class: 'num' }, count(a.pending)),
          h('td', { class: 'num' }, count(a.completed)),
          h('td', { class: 'nowrap' }, resources(a.allocated)),
          h('td', null, a.gang && a.gang.status !== 'NONE' ? badge(a.gang.status.toLowerCase(), a.gang.status) : ''))),
        { id: 'apps-table' }) : h('p', { class: 'muted' }, 'No application matches.'));
    };

    // the queue list for the filter: every queue of the tree, by full name
    try {
      const root = await get('api/v1/queues', null, ctx.signal);
      const names = [];
      const walk = (x) => {
        names.push(x.name);
        (x.children || []).forEach(walk);
      };
      walk(root);
      if (f.queue && !names.includes(f.queue)) names.push(f.queue);
      for (const n of names) queue.appendChild(h('option', { value: n, selected: n === f.queue }, n));
    } catch (e) {
      // the list still works without the queue names
    }
    await draw();
    ctx.onSummaryEvery(3000, draw);
  },
};

function drawPager(el, page, go) {
  const from = page.total ? page.offset + 1 : 0;
  const to = Math.min(page.total, page.offset + page.items.length);
  fill(el,
    h('button', { type: 'button', disabled: page.offset === 0, onclick: () => go(Math.max(0, page.offset - page.limit)) }, '‹ Previous'),
    h('span', { id: 'apps-count' }, `${count(from)}–${count(to)} of ${count(page.total)}`),
    h('button', { type: 'button', disabled: to >= page.total, onclick: () => go(page.offset + page.limit) }, 'Next ›'));
}
