// A pod's story as the log tells it (the same as `fairway explain POD`): observed, why it waited, allocated where
// and by which leader, bound, preempted, gone.

import { ApiError, get } from '../api.js';
import { badge, errorBox, fill, h, link } from '../dom.js';
import { count, time } from '../format.js';

export default {
  title: 'Pod story',
  async render(ctx) {
    const pod = ctx.params.get('pod') || ctx.args.join('/');
    const input = h('input', { type: 'text', id: 'story-pod', value: pod, placeholder: 'namespace/name or uid', style: { minWidth: '340px' } });
    const out = h('div', { id: 'story' });
    fill(ctx.view,
      h('h1', null, 'Pod story'),
      h('form', { class: 'filters', onsubmit: (e) => {
        e.preventDefault();
        const v = input.value.trim();
        if (v) location.hash = `#/story?pod=${encodeURIComponent(v)}`;
      } }, h('label', null, 'Pod', input), h('button', { type: 'submit', class: 'primary' }, 'Show')),
      out);
    if (!pod) {
      fill(out, h('p', { class: 'muted' }, 'Name a pod as namespace/name (or its uid), or follow a pod from an application\'s page.'));
      return;
    }
    const draw = async () => {
      let s;
      try {
        s = await get('api/v1/story', { pod }, ctx.signal);
      } catch (e) {
        if (!ctx.active) return;
        fill(out, e instanceof ApiError && e.status === 404 && !/no API endpoint/.test(e.message)
          ? h('div', { class: 'error' }, e.message || `The log never saw pod ${pod}.`) : errorBox(e));
        return;
      }
      if (ctx.active) fill(out, (s.stories || []).map(storyOf));
    };
    await draw();
    // a pod that still moves keeps telling its story
    ctx.onSummaryEvery(3000, draw);
  },
};

function storyOf(st) {
  const entries = st.entries || [];
  return h('section', { class: 'panel story', 'data-uid': st.uid },
    h('h2', { style: { marginTop: 0 } }, st.key, ' ', st.phase ? badge(st.phase, st.phase === 'Running' ? 'ok' : '') : null),
    h('p', { class: 'note' }, `uid ${st.uid}`, st.node ? [' · on node ', h('strong', null, st.node)] : null,
      ` · ${count(entries.length)} entr${entries.length === 1 ? 'y' : 'ies'}`),
    h('ol', { class: 'timeline' }, entries.map((e) => h('li', { class: kind(e.what), 'data-offset': e.offset },
      h('div', { class: 'when' }, time(e.time), ' · offset ', link(`#/log?from=${e.offset}`, count(e.offset))),
      h('div', { class: 'what' }, e.what)))),
    entries.length === 0 && (st.lines || []).length
      ? h('pre', { class: 'yaml' }, st.lines.join('\n')) : null);
}

/** The kind of an entry, for its dot: good news green, waiting amber, losses red. */
function kind(what) {
  const w = what.toLowerCase();
  if (w.startsWith('allocated')) return 'allocated';
  if (w.startsWith('bound')) return 'bound';
  if (w.includes('reserved')) return 'reserved';
  if (w.startsWith('waits')) return 'waits';
  if (w.startsWith('preempted')) return 'preempted';
  if (w.includes('ignored')) return 'ignored';
  if (w.startsWith('deleted')) return 'deleted';
  return '';
}
