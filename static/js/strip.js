/* The spread of the group's totals against the phase bands: one dot per person (issue 12).
   Shared by the projector and the facilitator page; renders results.totals and results.spread as sent. */
import * as W from './common.js';

const el = W.el;
const DOTS_MAX = 8; // more people on one total: the columns become stacked bars with their numbers

/** Join names as "A, B and C" with the catalog's word. */
export function andList(names) {
  if (names.length < 2) return names.join('');
  return W.t('and_join', { list: names.slice(0, -1).join(', '), last: names[names.length - 1] });
}

/** Place a node on grid columns [from, to) (through the CSSOM: the CSP refuses style attributes). */
function columns(node, from, to) {
  node.style.gridColumn = from + ' / ' + to;
  return node;
}

/** Give the plot's grid two columns per total. */
function grid(node, n) {
  node.style.gridTemplateColumns = 'repeat(' + 2 * n + ', minmax(0, 1fr))';
  return node;
}

/** A stacked bar's height as a share of its column (CSS: --share). */
function share(node, value) {
  node.style.setProperty('--share', String(value));
  return node;
}

/** How many rows of dots the tallest column needs (CSS: --rows sizes the dots). */
function rows(node, n) {
  node.style.setProperty('--rows', String(n));
  return node;
}

/**
 * A strip plot of res.totals (count per total 0..max) over the phase bands of Q.phases, the median marked.
 * Each total takes two grid columns, so a median between two totals (x.5) falls on a grid line too.
 */
export function stripPlot(Q, res, prefix) {
  const totals = res.totals || [];
  const cls = prefix || 'strip';
  const counts = res.phase_counts || {};
  const bands = Q.phases.map(function (p, i) {
    const from = 2 * p.min_total + 1;
    const to = 2 * p.max_total + 3;
    return [
      columns(el('div', { class: cls + '-band ' + cls + '-band--' + (i % 2 ? 'even' : 'odd') + ' sc-phase-' + p.id,
        'aria-hidden': 'true' }), from, to),
      columns(el('div', { class: cls + '-band-label', 'data-phase': p.id },
        el('span', { class: cls + '-band-name', text: p.name }),
        el('span', { class: cls + '-band-n', text: W.tn(counts[p.id] || 0, 'people_n_one', 'people_n_other') })),
      from, to)];
  });
  // One mark per person, always: dots while every total holds at most DOTS_MAX people (two a row, shrinking to
  // fit the tallest column); above that every column is a stacked bar of one thin mark per person, its height
  // in proportion, its number above it.
  const peak = Math.max.apply(null, totals.concat([0]));
  const stacked = peak > DOTS_MAX;
  const dots = totals.map(function (n, total) {
    const marks = [];
    for (let i = 0; i < n; i += 1) marks.push(el('span', { class: cls + '-dot' }));
    const col = el('div', { class: cls + '-col' + (stacked ? ' ' + cls + '-col--bar' : ''), 'data-total': total, 'data-n': n,
      'aria-hidden': 'true' }, stacked && n ? [el('span', { class: cls + '-col-n', text: W.num(n) }), share(el('span', { class: cls + '-stack' }, marks), n / peak)] : marks);
    return columns(col, 2 * total + 1, 2 * total + 3);
  });
  const axis = totals.map(function (n, total) {
    return columns(el('span', { class: cls + '-tick', 'aria-hidden': 'true', text: W.num(total) }), 2 * total + 1, 2 * total + 3);
  });
  const hasMedian = res.median_total !== null && res.median_total !== undefined;
  const line = hasMedian ? 2 * res.median_total + 2 : 0; // the grid line under the median
  const half = hasMedian ? Math.min(3, line - 1, 2 * totals.length + 1 - line) : 0;
  const median = hasMedian ? [
    columns(el('div', { class: cls + '-median', 'data-median': res.median_total, 'aria-hidden': 'true' }), line, line + 1),
    columns(el('span', { class: cls + '-median-label', text: '▲ ' + W.t('median_is', { total: W.num(res.median_total) }) }),
      line - half, line + half)] : null;
  // The same figures as text for screen readers: how many people have each total.
  const spoken = el('ul', { class: 'visually-hidden' }, totals.map(function (n, total) {
    return n ? el('li', { text: W.tn(n, 'strip_item_one', 'strip_item_other', { total: W.num(total) }) }) : null;
  }));
  return el('figure', { class: cls, 'data-key': 'strip' },
    el('figcaption', { class: cls + '-caption', text: W.t('strip_caption', { max: W.num(Q.max_total) }) }),
    rows(grid(el('div', { class: cls + '-grid' + (stacked ? ' ' + cls + '-grid--bars' : '') }, bands, dots, median, axis), totals.length),
      stacked ? 1 : Math.max(3, Math.ceil(peak / 2))),
    spoken);
}

/** The split headline's words: "Split" and where most people are, from headline/spread (no counting here). */
export function splitWords(Q, largest) {
  return andList((largest || []).map(function (id) {
    const phase = W.byId(Q.phases, id);
    return phase ? phase.name : id;
  }));
}
