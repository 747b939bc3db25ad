/* One fitting rule for every projector view (issue 21): each view's render ends with W.fit(box).

   W.fit(box, opts) -> {scale, page, pages}
     box   the view's element: it has a fixed height (a flex child of <main>) and clips (overflow: hidden);
           nothing inside it clips or scrolls, so whatever does not fit shows up in W.fit.overflows.
     opts.key     what the page number belongs to (default: box's data-key); a new key starts at page 1.
     opts.max     the largest scale (default 1: the sizes in screen.css are the comfortable maximum).
     opts.least   pages before smaller type once this many units fit on a page (the lobby keeps its code large
                  and pages the names); default: smaller type first, pages only at the minimum.
     opts.seconds how long a page stays before the next one comes (default 10).
   1. Type. Every type size in screen.css is max(--fs-min, its comfortable size × --fit). The scaled part
      ([data-fit-scale] in box, else box) gets the largest --fit in [floor, max] at which nothing overflows
      (bisection); at the floor every text is at the minimum, W.fit.minimum(): --fs-min, 24 px at 768 px high
      and 32 px at 1080, linear in the height, never under 24. So no text is ever under the minimum.
   2. Pages. When even the floor overflows, the units of box's [data-fit-pages] containers (their element
      children, in document order across containers) are dealt into pages: a page takes whole units while
      the box does not overflow; a unit too big for a page of its own is split between its [data-fit-items]
      children (its other parts, e.g. its heading, come on each of its pages). A container without a unit
      on a page is hidden, with its closest [data-fit-box] ancestor when it has one. Everything else of the
      view (title, legend) is on every page.
   3. More than one page: the footer's #sc-page shows "2/3"; pages turn every `seconds` and by key
      (PageDown or ArrowRight: next; PageUp or ArrowLeft: previous; what a presenter's clicker sends).
   W.fit.overflows(box): whether anything in box is cut off, scrolled or outside box (the browser tests
      measure the same: tests/browser/test_projector_fit.py).
   W.fit.minimum(): the smallest type size in CSS px at this viewport.
   Words never break inside (screen.css: overflow-wrap: normal; word-break: keep-all; hyphens: manual):
   a word too long for its box overflows, which the fit sees and answers with smaller type.
   A new view: screen.js's render fits whatever it draws into #v-live (views of their own files too, through
   W.screenViews): give the view's section a data-key, mark its lists data-fit-pages (and a unit's own list
   data-fit-items), write its type sizes as max(var(--fs-min), calc(SIZE * var(--fit, 1))), clip nothing
   inside it. A view drawn elsewhere calls W.fit(itsSection) after drawing. */
(function () {
  'use strict';

  const W = window.W;
  const SECONDS = 10;
  const HIDDEN = 'data-fit-hidden'; // marks what the fit hid, so it never shows what a view hid itself
  const at = { key: null, page: 0, pages: 1, timer: 0, box: null, opts: null };

  /** Fit a drawn view into its box: smaller type, else pages (see above). */
  W.fit = function (box, opts) {
    opts = opts || {};
    if (!box) return { scale: 1, page: 0, pages: 1 };
    const key = opts.key || box.getAttribute('data-key') || box.id || '';
    if (key !== at.key) { stop(); at.key = key; at.page = 0; }
    at.box = box;
    at.opts = opts;
    reset(box);
    const part = box.querySelector('[data-fit-scale]') || box;
    const max = opts.max || 1;
    const floor = Math.min(max, floorOf(part));
    let scale = max;
    setScale(part, scale);
    let pages = [];
    if (overflows(box)) {
      const units = unitsOf(box);
      const least = Math.min(opts.least || units.length, units.length);
      const ok = least < units.length
        ? function () { return firstFit(box, units, least); } : function () { return !overflows(box); };
      scale = largest(part, floor, scale, ok);
      setScale(part, scale);
      if (overflows(box) && units.length) pages = deal(box, units);
    }
    at.pages = Math.max(1, pages.length);
    at.page = ((at.page % at.pages) + at.pages) % at.pages;
    if (pages.length) show(box, units0(box), pages[at.page]);
    label();
    if (at.pages > 1 && !at.timer) at.timer = window.setTimeout(turn, (opts.seconds || SECONDS) * 1000, 1);
    if (at.pages < 2) stop();
    return { scale: scale, page: at.page, pages: at.pages };
  };

  /** The smallest type size in CSS px at this viewport (--fs-min). */
  W.fit.minimum = function () {
    const probe = document.createElement('span');
    probe.className = 'sc-probe';
    document.body.appendChild(probe);
    const size = parseFloat(getComputedStyle(probe).fontSize) || 24;
    probe.remove();
    return size;
  };

  /** Whether anything in box is cut off: box or an element in it holds more than its size, or lies outside box. */
  W.fit.overflows = overflows;

  /** The first element cut off in box (box itself when it holds more than its size), or null: for messages. */
  W.fit.culprit = function (box) {
    if (box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1) return box;
    return spills(box, box.getBoundingClientRect());
  };

  function overflows(box) {
    return W.fit.culprit(box) !== null;
  }

  /** The first element under node that is wider or taller than its box, or reaches outside edge; else null. */
  function spills(node, edge) {
    for (let c = node.firstElementChild; c; c = c.nextElementSibling) {
      if (c.hidden || c.classList.contains('visually-hidden') || c.namespaceURI !== 'http://www.w3.org/1999/xhtml') continue;
      const r = c.getBoundingClientRect();
      if (r.width || r.height) {
        if (r.left < edge.left - 1 || r.right > edge.right + 1 || r.top < edge.top - 1 || r.bottom > edge.bottom + 1) return c;
        const w = c.clientWidth;
        const h = c.clientHeight;
        if (w && c.scrollWidth > w + 1) return c;
        if (h && c.scrollHeight > h + 1 && clipsOrSpills(c, c.scrollHeight - h)) return c;
      }
      const inner = spills(c, edge);
      if (inner) return inner;
    }
    return null;
  }

  /** Whether content taller than its element is lost: the element clips, or the excess is more than the glyphs
      of a tight line (a 1.05 line height lets letters stand out a little; that covers nothing). */
  function clipsOrSpills(node, excess) {
    const cs = getComputedStyle(node);
    return cs.overflowY !== 'visible' || excess > 0.3 * parseFloat(cs.fontSize);
  }

  /** The scale at which the part's largest text is at the minimum too (every text is then; 1 without text). */
  function floorOf(part) {
    let largestSize = 0;
    const walker = document.createTreeWalker(part, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!n.nodeValue.trim() || !el || el.closest('[hidden], .visually-hidden')) continue;
      largestSize = Math.max(largestSize, parseFloat(getComputedStyle(el).fontSize));
    }
    return largestSize ? Math.min(1, W.fit.minimum() / largestSize) : 1;
  }

  /** The largest scale in [low, high] for which ok() holds (low when none does), by bisection on the part. */
  function largest(part, low, high, ok) {
    setScale(part, high);
    if (ok()) return high;
    setScale(part, low);
    if (!ok() || high - low < 0.01) return low;
    for (let i = 0; i < 7 && high - low > 0.01; i += 1) {
      const mid = (low + high) / 2;
      setScale(part, mid);
      if (ok()) low = mid; else high = mid;
    }
    return Math.floor(low * 100) / 100;
  }

  /** Scale the part's type (--fit; 1: the comfortable sizes). */
  function setScale(part, scale) {
    if (Math.abs(scale - 1) < 0.001) part.style.removeProperty('--fit');
    else part.style.setProperty('--fit', String(scale));
  }

  /** The pageable units: the element children of every [data-fit-pages] container, in document order. */
  function unitsOf(box) {
    const units = [];
    box.querySelectorAll('[data-fit-pages]').forEach(function (list) {
      for (let c = list.firstElementChild; c; c = c.nextElementSibling) if (!c.hidden) units.push(c);
    });
    return units;
  }

  /** The units of the last deal (what show() pages through). */
  function units0(box) {
    return box.__fitUnits || [];
  }

  /** A unit's splittable items: the children of its [data-fit-items] part. */
  function itemsOf(unit) {
    const list = unit.hasAttribute('data-fit-items') ? unit : unit.querySelector('[data-fit-items]');
    return list ? Array.prototype.slice.call(list.children) : [];
  }

  /** Whether the box fits with only its first n units shown (the test for opts.least). */
  function firstFit(box, units, n) {
    show(box, units, units.slice(0, n).map(function (u, i) { return [i, 0, null]; }));
    const ok = !overflows(box);
    show(box, units, null);
    return ok;
  }

  /** Deal the units into pages; each page is a list of [unit, from item, to item or null for the whole unit]. */
  function deal(box, units) {
    box.__fitUnits = units;
    const pages = [];
    let u = 0;
    let item = 0;
    while (u < units.length) {
      const page = [];
      while (u < units.length) {
        if (item === 0) {
          page.push([u, 0, null]);
          show(box, units, page);
          if (!overflows(box)) { u += 1; continue; }
          page.pop();
          if (page.length) break; // the unit starts the next page
        }
        const items = itemsOf(units[u]);
        if (items.length < 2 && item === 0) { page.push([u, 0, null]); u += 1; break; } // cannot split: alone
        let to = item + 1; // at least one item per page
        const part = [u, item, to];
        page.push(part);
        while (to < items.length) {
          part[2] = to + 1;
          show(box, units, page);
          if (overflows(box)) { part[2] = to; break; }
          to += 1;
        }
        if (to >= items.length) { u += 1; item = 0; continue; } // the unit's rest fit: more may come
        item = to;
        break;
      }
      pages.push(page);
    }
    show(box, units, null);
    return pages;
  }

  /** Show only the page's units and items (null: everything); hide containers left empty. */
  function show(box, units, page) {
    const shown = new Map();
    if (page) page.forEach(function (p) { shown.set(units[p[0]], p); });
    units.forEach(function (unit) {
      const p = shown.get(unit);
      hide(unit, page !== null && !p);
      const items = itemsOf(unit);
      items.forEach(function (item, i) {
        hide(item, !!(p && p[2] !== null && (i < p[1] || i >= p[2])));
      });
    });
    box.querySelectorAll('[data-fit-pages]').forEach(function (list) {
      const empty = page !== null && !Array.prototype.some.call(list.children, function (c) { return shown.has(c); });
      hide(list.closest('[data-fit-box]') || list, empty);
    });
  }

  /** Hide an element for the fit, or show it again if the fit hid it. */
  function hide(node, yes) {
    if (yes) {
      if (!node.hidden) { node.hidden = true; node.setAttribute(HIDDEN, ''); }
    } else if (node.hasAttribute(HIDDEN)) {
      node.hidden = false;
      node.removeAttribute(HIDDEN);
    }
  }

  /** Undo what an earlier fit did in box: its scale and hidden parts. */
  function reset(box) {
    box.querySelectorAll('[' + HIDDEN + ']').forEach(function (node) { hide(node, false); });
    box.querySelectorAll('[data-fit-scale]').forEach(function (node) { node.style.removeProperty('--fit'); });
    box.style.removeProperty('--fit');
    box.__fitUnits = null;
  }

  /** Write "2/3" into the footer's page label (empty and hidden for a single page). */
  function label() {
    const node = document.getElementById('sc-page');
    if (!node) return;
    const many = at.pages > 1;
    node.hidden = !many;
    node.textContent = many ? W.num(at.page + 1) + '/' + W.num(at.pages) : '';
    if (many) node.setAttribute('aria-label', W.t('act_page', { n: W.num(at.page + 1), total: W.num(at.pages) }));
  }

  /** Stop the page timer. */
  function stop() {
    window.clearTimeout(at.timer);
    at.timer = 0;
  }

  /** Go `step` pages on (the timer or a key) and fit again. */
  function turn(step) {
    stop();
    if (!at.box || !at.box.isConnected || at.pages < 2) return;
    at.page += step;
    W.fit(at.box, at.opts);
  }

  document.addEventListener('keydown', function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || at.pages < 2) return;
    const step = { PageDown: 1, ArrowRight: 1, PageUp: -1, ArrowLeft: -1 }[event.key];
    if (!step) return;
    event.preventDefault();
    turn(step);
  });
})();
