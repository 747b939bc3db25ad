/* The projector's one fitting rule (issue 21; how and why: docs/projector-fit.md).
   fit(box, {key, max, least, seconds}) -> {scale, page, pages}: after drawing a view into box, set --fit (type
   scale; screen.css sizes are max(var(--fs-min), calc(SIZE * var(--fit)))) as large as fits, down to all text at
   the minimum; then deal the children of [data-fit-pages] lists into pages (type regrown to the first page's) ([data-fit-items]: a unit's splittable
   list, ="flow": one that may start at the foot of a page; [data-fit-box]: hidden with an empty list), "2/3" in #sc-page, turned by timer and PageDown/PageUp/arrows.
   overflows(box), culprit(box): what is cut off. minimum(): the minimum type size in px. */
import * as W from './common.js';

const HID = 'data-fit-hidden'; // what the fit hid (never shows what a view hid itself)
const at = { key: null, page: 0, pages: 1, timer: 0, box: null, opts: null };

/** Fit a drawn view into its box: smaller type, else pages. */
export function fit(box, opts) {
  opts = opts || {};
  if (!box) return { scale: 1, page: 0, pages: 1 };
  const key = opts.key || box.getAttribute('data-key') || box.id;
  if (key !== at.key) { stop(); at.key = key; at.page = 0; }
  at.box = box;
  at.opts = opts;
  reset(box);
  const part = box.querySelector('[data-fit-scale]') || box;
  let scale = opts.max || 1;
  let pages = [];
  let units = [];
  setScale(part, scale);
  if (overflows(box)) {
    units = unitsOf(box);
    const max = scale;
    const floor = Math.min(max, floorOf(part));
    const least = Math.min(opts.least || units.length, units.length);
    scale = largest(part, floor, max, least < units.length
      ? function () { return fitsWith(box, units, least); } : function () { return !overflows(box); });
    setScale(part, scale);
    if (units.length && overflows(box)) {
      pages = deal(box, units);
      // Pages anyway: type as large as keeps the first page's units together, unless a unit then no longer
      // fits a page of its own or it takes more pages than the minimum does (each page is 10 s of the room's time).
      const first = pages[0].length;
      if (!opts.least && scale === floor && pages.length > 1 && pages[0][first - 1][2] === null) {
        const atFloor = pages;
        scale = largest(part, floor, max, function () { return fitsWith(box, units, first); });
        setScale(part, scale);
        if (scale > floor) pages = deal(box, units);
        if (pages.forced || pages.length > atFloor.length) { scale = floor; setScale(part, scale); pages = atFloor; }
      }
    }
  }
  at.pages = Math.max(1, pages.length);
  at.page = ((at.page % at.pages) + at.pages) % at.pages;
  if (pages.length) show(box, units, pages[at.page]);
  label();
  if (at.pages < 2) stop();
  else if (!at.timer) at.timer = setTimeout(turn, (opts.seconds || 10) * 1000, 1);
  return { scale: scale, page: at.page, pages: at.pages };
}

/** The minimum type size in CSS px at this viewport (--fs-min, through a probe). */
export function minimum() {
  const probe = document.body.appendChild(document.createElement('span'));
  probe.className = 'sc-probe';
  const size = parseFloat(getComputedStyle(probe).fontSize) || 24;
  probe.remove();
  return size;
}

/** The first element cut off in box (box itself when it holds more than its size), or null. */
export function culprit(box) {
  return box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1
    ? box : spills(box, box.getBoundingClientRect());
}

/** Whether anything in box is cut off. */
export function overflows(box) {
  return culprit(box) !== null;
}

/** The first element under node wider or taller than its box (or reaching past edge), else null. */
function spills(node, edge) {
  for (let c = node.firstElementChild; c; c = c.nextElementSibling) {
    if (c.hidden || c.classList.contains('visually-hidden') || c instanceof SVGElement) continue;
    const r = c.getBoundingClientRect();
    if (r.width || r.height) {
      if (r.left < edge.left - 1 || r.right > edge.right + 1 || r.top < edge.top - 1 || r.bottom > edge.bottom + 1) return c;
      if (c.clientWidth && c.scrollWidth > c.clientWidth + 1) return c;
      if (c.clientHeight && c.scrollHeight > c.clientHeight + 1 && lost(c, c.scrollHeight - c.clientHeight)) return c;
    }
    const inner = spills(c, edge);
    if (inner) return inner;
  }
  return null;
}

/** Whether content taller than node is lost: node clips, or it is more than a tight line's glyphs. */
function lost(node, excess) {
  const cs = getComputedStyle(node);
  return cs.overflowY !== 'visible' || excess > 0.3 * parseFloat(cs.fontSize);
}

/** The scale that puts the part's largest text at the minimum (every text is then). */
function floorOf(part) {
  let big = 0;
  const walk = document.createTreeWalker(part, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    if (n.nodeValue.trim() && !n.parentElement.closest('[hidden], .visually-hidden')) {
      big = Math.max(big, parseFloat(getComputedStyle(n.parentElement).fontSize));
    }
  }
  return big ? Math.min(1, minimum() / big) : 1;
}

/** The largest scale in [low, high] at which ok() holds (low when none does), by bisection. */
function largest(part, low, high, ok) {
  setScale(part, high);
  if (ok()) return high;
  setScale(part, low);
  if (!ok()) return low;
  for (let i = 0; i < 7 && high - low > 0.01; i += 1) {
    const mid = (low + high) / 2;
    setScale(part, mid);
    if (ok()) low = mid; else high = mid;
  }
  return Math.floor(low * 100) / 100;
}

/** Set the part's type scale (--fit). */
function setScale(part, scale) {
  part.style.setProperty('--fit', String(scale));
}

/** The units: the element children of every [data-fit-pages] list, in document order. */
function unitsOf(box) {
  const units = [];
  box.querySelectorAll('[data-fit-pages]').forEach(function (list) {
    for (let c = list.firstElementChild; c; c = c.nextElementSibling) if (!c.hidden) units.push(c);
  });
  return units;
}

/** A unit's items: the children of its [data-fit-items] list. */
function itemsOf(unit) {
  const list = unit.matches('[data-fit-items]') ? unit : unit.querySelector('[data-fit-items]');
  return list ? Array.prototype.slice.call(list.children) : [];
}

/** Whether the box fits with only its first n units (opts.least). */
function fitsWith(box, units, n) {
  show(box, units, units.slice(0, n).map(function (u, i) { return [i, 0, null]; }));
  const ok = !overflows(box);
  show(box, units, null);
  return ok;
}

/** Deal the units into pages: lists of [unit, first item, end item or null for the whole unit]. */
function deal(box, units) {
  const pages = [];
  let u = 0;
  let item = 0;
  while (u < units.length) {
    const page = [];
    while (u < units.length) {
      if (!item) {
        page.push([u, 0, null]);
        show(box, units, page);
        if (!overflows(box)) { u += 1; continue; }
        page.pop();
        if (page.length) { item = foot(box, units, page, u); break; } // the unit starts here or on the next page
      }
      const items = itemsOf(units[u]);
      if (!item && items.length < 2) { page.push([u, 0, null]); u += 1; pages.forced = true; break; } // alone, too big
      const part = [u, item, item + 1]; // one item at least
      page.push(part);
      show(box, units, page);
      if (overflows(box)) pages.forced = true;
      while (part[2] < items.length) {
        part[2] += 1;
        show(box, units, page);
        if (overflows(box)) { part[2] -= 1; break; }
      }
      if (part[2] === items.length - 1 && part[2] - part[1] > 2) part[2] -= 1; // never one item alone on a page
      item = part[2] < items.length ? part[2] : 0;
      if (item) break;
      u += 1; // the unit's rest fit: more may follow
    }
    pages.push(page);
  }
  balance(box, units, pages);
  show(box, units, null);
  return pages;
}

/** No unit alone on the last page after a page of four or more: the one before it joins it when both fit. */
function balance(box, units, pages) {
  const last = pages[pages.length - 1];
  const before = pages[pages.length - 2];
  if (!before || last.length !== 1 || before.length < 4 || last[0][2] !== null || before[before.length - 1][2] !== null) return;
  show(box, units, [before[before.length - 1], last[0]]);
  if (overflows(box)) return;
  last.unshift(before.pop());
}

/** Start a flowing unit ([data-fit-items="flow"]) at the foot of a page that holds others: as many of its items
    as fit there, two at least left for the next page (never one alone). Returns the first item left for the
    next page, or 0 (the page unchanged) when the unit starts the next page. */
function foot(box, units, page, u) {
  const items = itemsOf(units[u]);
  const list = items.length && items[0].parentElement;
  if (items.length < 3 || list.getAttribute('data-fit-items') !== 'flow') return 0;
  const part = [u, 0, 1];
  page.push(part);
  show(box, units, page);
  if (overflows(box)) { page.pop(); return 0; }
  while (part[2] < items.length - 2) {
    part[2] += 1;
    show(box, units, page);
    if (overflows(box)) { part[2] -= 1; break; }
  }
  return part[2];
}

/** Show only the page's units and items (null: all); hide lists left empty. */
function show(box, units, page) {
  const on = new Map();
  if (page) page.forEach(function (p) { on.set(units[p[0]], p); });
  units.forEach(function (unit) {
    const p = on.get(unit);
    hide(unit, page && !p);
    itemsOf(unit).forEach(function (item, i) { hide(item, p && p[2] !== null && (i < p[1] || i >= p[2])); });
  });
  box.querySelectorAll('[data-fit-pages]').forEach(function (list) {
    hide(list.closest('[data-fit-box]') || list, page && !Array.prototype.some.call(list.children, function (c) { return on.has(c); }));
  });
}

/** Hide a node for the fit, or show it again if the fit hid it. */
function hide(node, yes) {
  if (yes && !node.hidden) { node.hidden = true; node.setAttribute(HID, ''); }
  if (!yes && node.hasAttribute(HID)) { node.hidden = false; node.removeAttribute(HID); }
}

/** Undo an earlier fit in box. */
function reset(box) {
  box.querySelectorAll('[' + HID + ']').forEach(function (node) { hide(node, false); });
  box.querySelectorAll('[data-fit-scale]').forEach(function (node) { node.style.removeProperty('--fit'); });
  box.style.removeProperty('--fit');
}

/** "2/3" in the footer's #sc-page; invisible for one page, its room kept (the view's height must not change). */
function label() {
  const node = W.$('sc-page');
  if (!node) return;
  node.classList.toggle('is-single', at.pages < 2);
  node.textContent = W.num(at.page + 1) + '/' + W.num(at.pages);
  node.setAttribute('aria-label', W.t('act_page', { n: at.page + 1, total: at.pages }));
}

/** Stop the page timer. */
function stop() {
  clearTimeout(at.timer);
  at.timer = 0;
}

/** Go `step` pages on and fit again. */
function turn(step) {
  stop();
  if (at.pages < 2 || !at.box.isConnected) return;
  at.page += step;
  fit(at.box, at.opts);
}

document.addEventListener('keydown', function (event) {
  const step = { PageDown: 1, ArrowRight: 1, PageUp: -1, ArrowLeft: -1 }[event.key];
  if (!step || at.pages < 2 || event.altKey || event.ctrlKey || event.metaKey) return;
  event.preventDefault();
  turn(step);
});
