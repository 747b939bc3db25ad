/* Facilitator page: the console's panels as tabs (WAI-ARIA tabs pattern, automatic activation). Arrow keys,
   Home and End move between the tabs; the chosen panel is remembered in the URL hash (#p-people), so a reload
   or a second tab opens where the facilitator was. Works on the markup alone: no socket, no strings. */
import * as W from './common.js';

/** Make the console's tabs work (the page's [data-tabs] list). */
export function mount() {
  const list = document.querySelector('[data-tabs]');
  if (!list) return;
  const tabs = Array.prototype.slice.call(list.querySelectorAll('[role="tab"]'));
  const bar = document.getElementById('console-bar');

  /** The tab whose panel has this id (p-NAME), or null. */
  function tabFor(panelId) {
    return tabs.find(function (tab) { return tab.getAttribute('aria-controls') === panelId; }) || null;
  }

  /** A panel taller than the screen starts right under the bar, never hidden behind it. */
  function alignToBar(panel) {
    if (!bar || !panel) return;
    const gap = panel.getBoundingClientRect().top - bar.getBoundingClientRect().bottom;
    if (gap < 0) window.scrollBy(0, gap);
  }

  /** Show one tab's panel and hide the others; remember it in the hash (without a history entry). */
  function select(tab, moveFocus) {
    let shown = null;
    tabs.forEach(function (other) {
      const on = other === tab;
      other.setAttribute('aria-selected', on ? 'true' : 'false');
      other.tabIndex = on ? 0 : -1;
      const panel = document.getElementById(other.getAttribute('aria-controls'));
      if (panel) panel.hidden = !on;
      if (on) shown = panel;
    });
    if (moveFocus) tab.focus();
    const hash = '#' + tab.getAttribute('aria-controls');
    if (window.location.hash !== hash && window.history.replaceState) {
      window.history.replaceState(window.history.state, '', hash);
    }
    alignToBar(shown);
  }

  list.addEventListener('click', function (event) {
    const tab = event.target.closest('[role="tab"]');
    if (tab) select(tab, false);
  });

  list.addEventListener('keydown', function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const at = tabs.indexOf(document.activeElement);
    if (at < 0) return;
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (to === undefined) return;
    // Handled here: the page's arrow-key shortcuts (next, previous question) skip a prevented event.
    event.preventDefault();
    select(tabs[(to + tabs.length) % tabs.length], true);
  });

  /** Open the panel the hash names (a reload, a link, back and forward). */
  function fromHash() {
    const tab = tabFor(window.location.hash.slice(1));
    if (tab && tab.getAttribute('aria-selected') !== 'true') select(tab, false);
  }
  window.addEventListener('hashchange', fromHash);

  /** Tell the style sheet how tall the bar is (scroll-padding keeps what has focus out from under it). */
  function measure() {
    if (bar) document.documentElement.style.setProperty('--bar-h', bar.offsetHeight + 'px');
  }
  if (bar && window.ResizeObserver) new window.ResizeObserver(measure).observe(bar);
  measure();
  fromHash();
}
