// Elements are built, never written as HTML strings: names of apps, pods and queues come from users' pods, and text
// nodes cannot run as markup.

import { percent, unit, value } from './format.js';

/** h('td', {class: 'num'}, 'text', child, …): attributes starting with "on" become listeners. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') {
        el.addEventListener(k.slice(2), v);
      } else if (k === 'class') {
        el.className = v;
      } else if (k === 'dataset') {
        Object.assign(el.dataset, v);
      } else if (k === 'style' && typeof v === 'object') {
        Object.assign(el.style, v);
      } else if (v === true) {
        el.setAttribute(k, '');
      } else {
        el.setAttribute(k, v);
      }
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) {
      append(el, c);
    } else if (c instanceof Node) {
      el.appendChild(c);
    } else {
      el.appendChild(document.createTextNode(String(c)));
    }
  }
}

/** Replaces el's content. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function link(hash, text, attrs = {}) {
  return h('a', { href: hash, ...attrs }, text);
}

export function badge(text, kind = text) {
  return h('span', { class: 'badge ' + kind }, text);
}

/** A table: head as labels (a label ending in "#" is a number column), rows as arrays of cells or <tr>s. */
export function table(head, rows, attrs = {}) {
  const numeric = head.map((c) => typeof c === 'string' && c.endsWith('#'));
  return h('div', { class: 'table-wrap' }, h('table', attrs,
    h('thead', null, h('tr', null, head.map((c, i) => h('th', { class: numeric[i] ? 'num' : null },
      typeof c === 'string' ? c.replace(/#$/, '') : c)))),
    h('tbody', null, rows.map((r) => (r instanceof Node ? r : h('tr', null, r.map((cell, i) => (
      cell instanceof Node && cell.tagName === 'TD' ? cell : h('td', { class: numeric[i] ? 'num' : null }, cell)))))))));
}

export function errorBox(e) {
  return h('div', { class: 'error', role: 'alert' }, e && e.describe ? e.describe() : String(e && e.message || e));
}

/**
 * A bar for one resource: its length is `scale`, filled up to `used` (amber past `limit`), a tick at `tick` (the
 * guarantee) and a lighter stretch for `pending` after the fill.
 */
export function bar({ used = 0, scale, tick, pending = 0, limit }) {
  const s = scale > 0 ? scale : Math.max(used + pending, tick || 0, 1);
  const pct = (x) => Math.max(0, Math.min(100, (100 * x) / s)) + '%';
  const over = limit !== undefined && limit !== null && used > limit;
  return h('div', { class: 'bar', title: percent(used, s) },
    pending > 0 ? h('div', { class: 'pend', style: { left: pct(used), width: pct(Math.min(pending, s - used)) } }) : null,
    h('div', { class: 'fill' + (over ? ' over' : ''), style: { width: pct(used) } }),
    tick ? h('div', { class: 'tick', style: { left: `calc(${pct(tick)} - 1px)` } }) : null);
}

/** "used / total unit (pct)" for a utilisation cell, e.g. "1.5 / 16 cores (9%)". */
export function usage(name, used, total) {
  const u = unit(name);
  return `${value(name, used || 0)} / ${value(name, total || 0)}${u ? ' ' + u : ''}`
    + (total ? ` (${percent(used || 0, total)})` : '');
}
