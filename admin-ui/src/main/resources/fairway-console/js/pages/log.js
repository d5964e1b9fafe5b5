// The event log: the newest events, then a live tail from the stream (newest on top), filtered by type. With
// ?from=OFFSET it shows the log from that offset instead (a story's entries link here).

import { get } from '../api.js';
import { badge, errorBox, fill, h } from '../dom.js';
import { count, time } from '../format.js';

const LIMIT = 100;
const KEEP = 500;
const TYPES = {
  observations: ['PodObserved', 'PodGone', 'NodeObserved', 'NodeGone', 'QueueConfigObserved', 'PriorityClassObserved',
    'PriorityClassGone'],
  decisions: ['Allocated', 'Released', 'Unschedulable', 'GangReserved', 'GangReleased', 'PreemptionRequested'],
  leadership: ['LeaderElected'],
  operators: ['AdminAction'],
};

export default {
  title: 'Event log',
  async render(ctx) {
    let type = ctx.params.get('type') || '';
    const from = ctx.params.get('from');
    const typeSel = h('select', { id: 'log-type' }, h('option', { value: '' }, 'every type'),
      Object.entries(TYPES).map(([g, list]) => h('optgroup', { label: g },
        list.map((t) => h('option', { value: t, selected: t === type }, t)))));
    if (type && !Object.values(TYPES).flat().includes(type)) typeSel.appendChild(h('option', { value: type, selected: true }, type));
    const pause = h('input', { type: 'checkbox', id: 'log-pause' });
    const state = h('span', { class: 'note', id: 'log-state' });
    const tbody = h('tbody', { id: 'log-rows' });
    const more = h('div', { class: 'pager' });
    const err = h('div');
    let oldest = null;
    let newest = null;
    let bounds = { start: 0, end: 0 };

    typeSel.addEventListener('change', () => {
      type = typeSel.value;
      ctx.setParams({ type, from: from || '' });
      load();
    });
    fill(ctx.view,
      h('h1', null, 'Event log'),
      h('div', { class: 'log-controls' },
        h('label', { class: 'field' }, 'Type', typeSel),
        from ? null : h('label', { class: 'check' }, pause, 'pause the live tail'),
        state),
      err,
      h('div', { class: 'table-wrap' }, h('table', { id: 'log-table' },
        h('thead', null, h('tr', null, h('th', { class: 'num' }, 'Offset'), h('th', null, 'Time'), h('th', null, 'Type'),
          h('th', null, 'What'), h('th', null, 'Result'))), tbody)),
      more);

    const row = (e, fresh) => h('tr', { class: fresh ? 'fresh' : null, 'data-offset': e.offset, 'data-type': e.type },
      h('td', { class: 'num' }, count(e.offset)),
      h('td', { class: 'nowrap' }, time(e.time)),
      h('td', null, h('code', null, e.type)),
      h('td', { class: 'wrap' }, h('details', null, h('summary', null, e.summary || e.type),
        h('pre', { class: 'json' }, JSON.stringify(e.event, null, 2)))),
      h('td', null, e.result === 'applied' ? badge('applied')
        : e.result ? [badge('ignored', 'ignored'), h('div', { class: 'muted' }, e.result)]
          : h('span', { class: 'muted', title: 'read from the log, older than what this replica keeps in memory' }, 'in the log')));

    const pager = () => {
      fill(more,
        oldest !== null && oldest > bounds.start
          ? h('button', { type: 'button', id: 'log-older', onclick: older }, `Older (before ${count(oldest)})`) : null,
        h('span', { class: 'note', id: 'log-bounds' }, bounds.start < bounds.end
          ? `the log holds offsets ${count(bounds.start)} to ${count(bounds.end - 1)}` : 'the log is empty'));
    };

    let asked = 0;
    async function load() {
      const mine = ++asked;
      fill(err);
      tbody.replaceChildren();
      oldest = newest = null;
      let page;
      try {
        page = await get('api/v1/log', { from, limit: LIMIT, type }, ctx.signal);
      } catch (e) {
        if (ctx.active && mine === asked) fill(err, errorBox(e));
        return;
      }
      // the type changed meanwhile: the newer load draws
      if (!ctx.active || mine !== asked) return;
      tbody.replaceChildren();
      bounds = { start: page.start, end: page.end };
      // newest on top
      const events = [...page.events].sort((a, b) => b.offset - a.offset);
      for (const e of events) tbody.appendChild(row(e, false));
      if (events.length) {
        newest = events[0].offset;
        oldest = events[events.length - 1].offset;
      }
      fill(state, from ? `from offset ${count(Number(from))}` : 'live');
      pager();
    }

    async function older() {
      const start = Math.max(bounds.start, oldest - LIMIT);
      let page;
      try {
        page = await get('api/v1/log', { from: start, limit: oldest - start, type }, ctx.signal);
      } catch (e) {
        fill(err, errorBox(e));
        return;
      }
      const events = page.events.filter((e) => e.offset < oldest).sort((a, b) => b.offset - a.offset);
      for (const e of events) tbody.appendChild(row(e, false));
      // a filtered page may hold none of the type: step back anyway
      oldest = events.length ? events[events.length - 1].offset : start;
      pager();
    }

    if (!from) {
      ctx.on('gap', (g) => {
        if (pause.checked) return;
        tbody.insertBefore(h('tr', { class: 'gap' }, h('td', { colspan: 5, class: 'muted' },
          `… events ${count(g.from)} to ${count(g.to - 1)} came faster than the live tail sends them; `,
          h('a', { href: `#/log?from=${g.from}${type ? '&type=' + encodeURIComponent(type) : ''}` }, 'read them from the log'))),
        tbody.firstChild);
      });
      ctx.on('log', (e) => {
        if (pause.checked || (type && e.type !== type) || (newest !== null && e.offset <= newest)) return;
        newest = e.offset;
        bounds.end = Math.max(bounds.end, e.offset + 1);
        const note = document.getElementById('log-bounds');
        if (note) note.textContent = `the log holds offsets ${count(bounds.start)} to ${count(bounds.end - 1)}`;
        tbody.insertBefore(row(e, true), tbody.firstChild);
        while (tbody.children.length > KEEP) {
          tbody.lastChild.remove();
          if (tbody.lastChild.dataset.offset) oldest = Number(tbody.lastChild.dataset.offset);
        }
      });
    }
    await load();
  },
};
