/* Shared helpers for every workshop page: page data, strings, DOM building, sockets (an ES module; pages import
   it as `import * as W from './common.js'`). */

let pageData = null;

/** Return the JSON the page embedded in #page-data (parsed once). */
export function data() {
  if (pageData === null) {
    const node = document.getElementById('page-data');
    pageData = node ? JSON.parse(node.textContent) : {};
  }
  return pageData;
}

/** Translate a UI string by key and fill {name} placeholders from vars. */
export function t(key, vars) {
  const strings = data().strings || {};
  let text = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
  if (vars) {
    text = text.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : whole;
    });
  }
  return text;
}

/** Pick the singular or plural string key for n and fill {n}. */
export function tn(n, one, other, vars) {
  return t(n === 1 ? one : other, Object.assign({ n: num(n) }, vars || {}));
}

/** Format a number in the page language (decimal comma in Dutch). */
export function num(value, digits) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return Number(value).toLocaleString(data().lang === 'en' ? 'en-GB' : 'nl-NL', {
    maximumFractionDigits: digits === undefined ? 1 : digits,
  });
}

/** Format a share in [0, 1] as a whole percentage. */
export function pct(share) {
  if (share === null || share === undefined) return '–';
  return Math.round(share * 100) + '%';
}

/** Return a function that calls render at most once per animation frame, however often it is called. */
export function perFrame(render) {
  let frame = 0;
  return function () {
    if (!frame) frame = window.requestAnimationFrame(function () { frame = 0; render(); });
  };
}

// Rendering shared by the projector and the facilitator page (the aggregate of protocol.md's "live").

/** Live data of one question in an aggregate ({round, answered, agreed, rounds?}), or {}. */
export function liveQ(live, qid) {
  return (live && live.questions && live.questions[qid]) || {};
}

/** Stats of the latest round of a question in an aggregate, or null. */
export function latestStats(live, qid) {
  const rounds = liveQ(live, qid).rounds || [];
  return rounds.length ? rounds[rounds.length - 1].stats : null;
}

const VERDICT = { agreed: 'verdict_agreed', mixed: 'verdict_mixed', polarised: 'verdict_polarised' };

/** A question's verdict in words: agreed, mixed or polarised. */
export function verdict(stats) {
  return t(VERDICT[stats.verdict] || 'verdict_mixed');
}

/** An option's label as a name inside a sentence: without the full stop a sentence-long label ends with. */
function optionName(label) {
  return String(label).replace(/\.$/, '');
}

/** Option labels of a question by rank, joined as "A, B or C" ('or_join'), or "A and B" ('and_join': a tie). */
function optionList(q, ranks, join) {
  const labels = ranks.map(function (rank) {
    const option = q && q.options.find(function (o) { return o.rank === rank; });
    return option ? (ranks.length > 1 ? optionName(option.label) : option.label) : String(rank);
  });
  if (labels.length < 2) return labels.join('');
  return t(join || 'or_join', { list: labels.slice(0, -1).join(', '), last: labels[labels.length - 1] });
}

/**
 * The figure a verdict rests on, in words, from the server's stats.reading (no arithmetic here):
 * agreed "75% choose Regularly"; polarised "4 say Never, 5 say Daily"; mixed the spread in words.
 */
export function reading(q, stats) {
  const r = stats && stats.reading;
  if (!r) return null;
  if (r.verdict === 'polarised' && r.camps) {
    return r.camps.map(function (camp) {
      return tn(camp.count, 'camp_one', 'camp_other', { option: optionList(q, camp.ranks) });
    }).join(', ');
  }
  // Several most chosen options are a tie (core.reading: every top rank): "most chosen: A and B".
  const vars = { pct: num(r.top_pct, 0) + '%', option: optionList(q, r.top_ranks, 'and_join'), n: num(r.chosen) };
  if (r.verdict === 'agreed') return t('reading_agreed', vars);
  return tn(r.chosen, 'reading_mixed_one', 'reading_mixed_other', vars);
}

/** "agreed · 75% choose Regularly" (sep between, default " · "), or null when too few answered to show it. */
export function verdictText(q, stats, sep) {
  return stats && stats.shown ? verdict(stats) + (sep || ' · ') + reading(q, stats) : null;
}

/** n as a share of total in [0, 1] (0 when total is 0). */
export function share(n, total) {
  return total ? Math.min(1, (n || 0) / total) : 0;
}

/** A bar's fill: a tag.cls element as wide as share (0..1) of its track, in a percentage with digits decimals. */
export function meter(tag, cls, share, digits) {
  const fill = el(tag, { class: cls });
  // Through the CSSOM: a strict CSP refuses style attributes.
  fill.style.width = ((share || 0) * 100).toFixed(digits === undefined ? 1 : digits) + '%';
  return fill;
}

/** Build an element; attrs may hold class, text, on{Event} handlers, booleans; children are nodes or text. */
export function el(tag, attrs) {
  const node = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (name) {
    const value = attrs[name];
    if (value === null || value === undefined || value === false) return;
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else if (name.slice(0, 2) === 'on' && typeof value === 'function') {
      const type = name.slice(2).toLowerCase();
      node.addEventListener(type, value);
      (node.__handlers = node.__handlers || []).push([type, value]);
    } else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, String(value));
  });
  appendAll(node, Array.prototype.slice.call(arguments, 2));
  return node;
}

/** Append children (nested arrays allowed); strings become text nodes, never HTML. */
function appendAll(node, children) {
  children.forEach(function (child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) appendAll(node, child);
    else if (child instanceof Node) node.appendChild(child);
    else node.appendChild(document.createTextNode(String(child)));
  });
}

/** Replace all children of node with the given children. */
export function fill(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  appendAll(node, Array.prototype.slice.call(arguments, 1));
  return node;
}

/**
 * Make container's children look like the given new children, reusing the existing
 * nodes where the structure matches (keeps focus, lets CSS transitions run).
 */
export function morph(container) {
  const fresh = document.createElement(container.nodeName);
  appendAll(fresh, Array.prototype.slice.call(arguments, 1));
  morphChildren(container, fresh);
  return container;
}

/** Patch old's children to match neu's children. */
function morphChildren(old, neu) {
  const oldKids = Array.prototype.slice.call(old.childNodes);
  const newKids = Array.prototype.slice.call(neu.childNodes);
  newKids.forEach(function (child, i) {
    const before = oldKids[i];
    if (!before) old.appendChild(child);
    else if (!sameKind(before, child)) old.replaceChild(child, before);
    else morphNode(before, child);
  });
  for (let i = newKids.length; i < oldKids.length; i += 1) old.removeChild(oldKids[i]);
}

/** True when two nodes can be patched into each other. */
function sameKind(a, b) {
  return a.nodeType === b.nodeType && a.nodeName === b.nodeName &&
    (a.nodeType !== 1 || a.getAttribute('data-key') === b.getAttribute('data-key'));
}

/** Patch one node: text, attributes, live form properties, children. */
function morphNode(old, neu) {
  if (old.nodeType === 3) {
    if (old.nodeValue !== neu.nodeValue) old.nodeValue = neu.nodeValue;
    return;
  }
  if (old.nodeType !== 1) return;
  Array.prototype.slice.call(old.attributes).forEach(function (attr) {
    // A <details> the user opened stays open.
    if (attr.name === 'open' && old.nodeName === 'DETAILS') return;
    if (attr.name !== 'style' && !neu.hasAttribute(attr.name)) old.removeAttribute(attr.name);
  });
  Array.prototype.slice.call(neu.attributes).forEach(function (attr) {
    if (attr.name !== 'style' && old.getAttribute(attr.name) !== attr.value) old.setAttribute(attr.name, attr.value);
  });
  // Styles go through the CSSOM: a strict CSP refuses setAttribute('style', ...).
  if (old.style.cssText !== neu.style.cssText) old.style.cssText = neu.style.cssText;
  // Swap the old node's handlers for the new node's (they close over fresh data).
  if (old.__handlers || neu.__handlers) {
    (old.__handlers || []).forEach(function (h) { old.removeEventListener(h[0], h[1]); });
    (neu.__handlers || []).forEach(function (h) { old.addEventListener(h[0], h[1]); });
    old.__handlers = neu.__handlers;
  }
  morphChildren(old, neu);
  if (old.nodeName === 'INPUT') old.checked = neu.hasAttribute('checked');
  if (old.nodeName === 'SELECT' && neu.hasAttribute('data-value')) old.value = neu.getAttribute('data-value');
}

/** Shorthand for document.getElementById. */
export function $(id) {
  return document.getElementById(id);
}

/** Run render(); if the focused element was replaced, focus its successor (same data-focus-key). */
export function keepFocus(render) {
  const active = document.activeElement;
  const key = active && active.getAttribute ? active.getAttribute('data-focus-key') : null;
  render();
  const lost = !document.activeElement || document.activeElement === document.body;
  if (key && lost) {
    const again = document.querySelector('[data-focus-key="' + CSS.escape(key) + '"]');
    if (again) again.focus({ preventScroll: true });
  }
}

/** Show one view section of a page (the others get hidden); returns true when it changed. */
export function showView(id) {
  let changed = false;
  document.querySelectorAll('[data-view]').forEach(function (section) {
    const show = section.id === id;
    if (section.hidden === show) changed = true;
    section.hidden = !show;
  });
  return changed;
}

/** Move keyboard focus to the first heading of a view, without scrolling jumps. */
export function focusHeading(section) {
  const heading = section && section.querySelector('h1, h2');
  if (!heading) return;
  heading.setAttribute('tabindex', '-1');
  heading.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

let bannerNode = null;

/** Show (text) or hide (null) the connection banner at the top of the page. */
export function banner(text, tone) {
  if (!bannerNode) {
    bannerNode = el('div', { id: 'conn-banner', class: 'conn-banner', role: 'status', 'aria-live': 'polite' });
    document.body.insertBefore(bannerNode, document.body.firstChild);
  }
  bannerNode.className = 'conn-banner' + (tone ? ' conn-banner--' + tone : '');
  bannerNode.textContent = text || '';
  bannerNode.hidden = !text;
}

const REFUSALS = ['unknown_session', 'session_ended', 'bad_key', 'bad_token', 'removed', 'rate_limited'];

/** The {code, message} of a refused connection (err.data, or a code named in err.message). */
function refusal(err) {
  const data = (err && err.data) || {};
  const text = (err && err.message) || '';
  let code = data.code;
  if (!code) code = REFUSALS.find(function (c) { return text.indexOf(c) >= 0; }) || 'refused';
  const quoted = /'message': '([^']*)'/.exec(text);
  return { code: code, message: data.message || (quoted ? quoted[1] : text) };
}

/**
 * Connect to a Socket.IO namespace. authFn(cb) is asked for fresh auth on every (re)connect.
 * onRefused(error, retry) is called when the server refuses the connection ({code, message}).
 */
export function connect(namespace, authFn, onRefused) {
  // WebSocket first: no long-polling handshake, so a phone on a slow network joins a few round trips
  // sooner and the server does less per join; polling stays the fallback where a WebSocket cannot pass.
  // The session code also rides in the handshake URL (?code=): a proxy in front of several workers
  // hashes on it to reach the worker that holds the session (docs/deployment.md).
  let code = '';
  authFn(function (auth) { code = (auth && auth.code) || ''; });
  const socket = window.io(namespace, {
    query: code ? { code: code } : {},
    auth: authFn, reconnectionDelayMax: 5000, transports: ['websocket', 'polling'], tryAllTransports: true,
  });
  let wasConnected = false;
  let stopped = false;
  /** Disconnect for good (no automatic retry). */
  socket.stop = function () {
    stopped = true;
    socket.disconnect();
  };
  socket.on('connect', function () {
    wasConnected = true;
    banner(null);
  });
  socket.on('disconnect', function (reason) {
    if (stopped || reason === 'io client disconnect') return;
    banner(t('conn_lost'), 'warn');
    if (reason === 'io server disconnect') {
      // The server closed this socket on purpose; try once more after a pause.
      window.setTimeout(function () { if (!stopped && !socket.connected) socket.connect(); }, 2000);
    }
  });
  socket.on('connect_error', function (err) {
    if (socket.active) {
      // Network trouble: the client keeps retrying by itself.
      banner(t(wasConnected ? 'conn_lost' : 'conn_trying'), 'warn');
      return;
    }
    const error = refusal(err);
    const retry = function (delay) {
      window.setTimeout(function () { if (!stopped) socket.connect(); }, delay || 0);
    };
    if (error.code === 'rate_limited') {
      banner(t('conn_busy'), 'warn');
      retry(5000);
      return;
    }
    banner(null);
    if (onRefused) onRefused(error, retry);
  });
  return socket;
}

/** Emit with an acknowledgement; cb always gets {ok, ...} or {ok: false, error: {code, message}}. */
export function request(socket, event, payload, cb) {
  if (!socket.connected) {
    cb({ ok: false, error: { code: 'offline', message: t('err_offline') } });
    return;
  }
  socket.timeout(10000).emit(event, payload, function (err, reply) {
    if (err) cb({ ok: false, error: { code: 'timeout', message: t('err_timeout') } });
    else if (!reply || typeof reply !== 'object') cb({ ok: false, error: { code: 'bad_reply', message: t('err_generic') } });
    else if (!reply.ok) {
      const e = reply.error || {};
      cb({ ok: false, error: { code: e.code || 'error', message: e.message || t('err_generic') } });
    } else cb(reply);
  });
}

/** Find an item by id in a list. */
export function byId(list, id) {
  return (list || []).find(function (item) { return item.id === id; }) || null;
}

/** Format a 6-character join code as "K7Q X2M". */
export function code(value) {
  return value && value.length === 6 ? value.slice(0, 3) + '\u00a0' + value.slice(3) : value || '';
}
