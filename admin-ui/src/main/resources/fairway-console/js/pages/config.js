// Configuration: the active queue config, its history from the log, and a form to validate a new one and apply
// it (an admin token is needed for that). A config that does not validate shows its problems and changes nothing.

import { ApiError, get, post, token } from '../api.js';
import { badge, errorBox, fill, h, table } from '../dom.js';
import { ago, time } from '../format.js';

export default {
  title: 'Configuration',
  async render(ctx) {
    const active = h('div', { id: 'config-active' });
    const hist = h('div', { id: 'config-history' });
    const who = h('p', { class: 'note', id: 'whoami' });
    const area = h('textarea', { id: 'config-yaml', spellcheck: 'false', wrap: 'off', 'aria-label': 'queue config (YAML)' });
    const result = h('div', { id: 'config-result', 'aria-live': 'polite' });
    const validate = h('button', { type: 'button', id: 'config-validate' }, 'Validate');
    const apply = h('button', { type: 'button', id: 'config-apply', class: 'primary' }, 'Apply');
    const reset = h('button', { type: 'button', id: 'config-reset' }, 'Reset to the active config');
    let base = null;

    fill(ctx.view,
      h('h1', null, 'Configuration'),
      who,
      h('div', { class: 'two-col' },
        h('div', null, h('h2', null, 'Active queue config'), active),
        h('div', null, h('h2', null, 'New queue config'),
          h('p', { class: 'note' }, 'YuniKorn\'s queues.yaml schema. Validate checks it; Apply makes it the active config on every replica.'),
          area,
          h('div', { class: 'pager' }, validate, apply, reset),
          result)),
      h('h2', null, 'History'),
      hist);

    const loadActive = async (intoForm) => {
      let c;
      try {
        c = await get('api/v1/config', null, ctx.signal);
      } catch (e) {
        if (ctx.active) fill(active, errorBox(e));
        return;
      }
      if (!ctx.active) return;
      // a write starts from the newest version the log saw: after a rejected one, that is not the active one
      base = c.latestVersion || c.version;
      fill(active,
        h('p', { class: 'note' }, 'version ', h('code', { id: 'config-version' }, c.version || '–'),
          c.appliedAt ? ` · applied ${time(c.appliedAt)} (${ago(c.appliedAt)})` : ''),
        c.latestVersion && c.latestVersion !== c.version
          ? h('p', { class: 'note', id: 'config-rejected' }, `version ${c.latestVersion} was rejected (see the history);`
            + ' this one stays active, and an apply here replaces the rejected one') : null,
        h('pre', { class: 'yaml', id: 'config-active-yaml' }, c.yaml || ''));
      if (intoForm) area.value = c.yaml || '';
    };
    const loadHistory = async () => {
      let hres;
      try {
        hres = await get('api/v1/config/history', null, ctx.signal);
      } catch (e) {
        if (ctx.active) fill(hist, errorBox(e));
        return;
      }
      if (!ctx.active) return;
      const entries = hres.entries || [];
      fill(hist, entries.length ? table(['Time', 'Version', 'Outcome', 'Author', 'Reason'],
        entries.map((e) => [h('span', { class: 'nowrap' }, time(e.time)), h('code', null, e.version || '–'),
          badge(e.outcome, e.outcome), e.author || '', h('td', { class: 'wrap' }, e.reason || '')]), { id: 'config-history-table' })
        : h('p', { class: 'muted' }, 'No config in the log yet.'));
    };
    const loadWho = async () => {
      try {
        const w = await get('api/v1/whoami', null, ctx.signal);
        fill(who, 'You are ', h('strong', null, w.user || 'anonymous'), ` (${w.role}). `,
          w.writesAllowed ? 'You may apply a config.'
            : w.role === 'admin' ? 'This console cannot write the queue config; apply it to the ConfigMap with kubectl.'
              : token() ? 'This token may not apply a config: an admin token is needed.'
                : 'Applying a config needs an admin token: enter it in the header.');
      } catch (e) {
        fill(who);
      }
    };

    const busy = (on) => {
      validate.disabled = on;
      apply.disabled = on;
    };
    const problems = (e) => {
      const list = (e.body && e.body.problems) || [];
      // the server's message repeats the problems after its first line: the list shows them one by one
      return h('div', { class: 'error', role: 'alert' }, h('strong', null, list.length ? e.message.split('\n')[0] : e.message),
        list.length ? h('ul', { class: 'problems' }, list.map((p) => h('li', null, p))) : null,
        e.status === 401 || e.status === 403 ? h('div', null, e.describe()) : null);
    };

    validate.addEventListener('click', async () => {
      busy(true);
      fill(result, h('p', { class: 'muted' }, 'Validating…'));
      try {
        const r = await post('api/v1/config/validate', { yaml: area.value }, ctx.signal);
        fill(result, h('div', { class: 'success' }, `Valid: ${r.queues} queue${r.queues === 1 ? '' : 's'}. Nothing was changed.`));
      } catch (e) {
        fill(result, e instanceof ApiError ? problems(e) : errorBox(e));
      } finally {
        busy(false);
      }
    });
    apply.addEventListener('click', async () => {
      busy(true);
      fill(result, h('p', { class: 'muted' }, 'Applying…'));
      try {
        const r = await post('api/v1/config', { yaml: area.value, baseVersion: base }, ctx.signal);
        fill(result, h('div', { class: 'success' }, `Applied: version ${r.version}. ${r.message || ''}`));
        await Promise.all([loadActive(false), loadHistory()]);
      } catch (e) {
        if (e instanceof ApiError && e.status === 409) {
          fill(result, h('div', { class: 'error', role: 'alert' }, e.message,
            h('div', null, 'The active config changed since you loaded it. ',
              h('button', { type: 'button', onclick: () => loadActive(true).then(() => fill(result)) }, 'Load the new one'))));
        } else {
          fill(result, e instanceof ApiError ? problems(e) : errorBox(e));
        }
      } finally {
        busy(false);
      }
    });
    reset.addEventListener('click', () => loadActive(true).then(() => fill(result)));

    await Promise.all([loadActive(true), loadHistory(), loadWho()]);
  },
};
