/* Keyboard shortcuts of a page: the same keys wherever the focus is, except in a form control (a key there
   belongs to the control; Esc leaves it); `?` opens the overlay listing them all. Panels add theirs with
   shortcut(); the page's entry module calls listen() once. */
import * as W from './common.js';

const el = W.el;
const t = W.t;
// The page's shortcuts, in the order the overlay lists them: {keys, label, run}. keys are KeyboardEvent.key
// values (letters in lower case), label the text the overlay shows.
const shortcuts = [];

/** Add a keyboard shortcut: keys (e.g. ['n', 'ArrowRight']), what it does in words, and the function. */
export function shortcut(keys, label, run) {
  shortcuts.push({ keys: keys, label: label, run: run });
}

/** The page's shortcuts so far ({keys, label, run}), in the overlay's order. */
export function registered() {
  return shortcuts.slice();
}

/** Dispatch the page's shortcuts and draw the `?` overlay (after the panels added theirs). */
export function listen() {
  const dialog = document.getElementById('shortcut-dialog');
  const NAMES = { ArrowRight: '→', ArrowLeft: '←', ArrowUp: '↑', ArrowDown: '↓', Escape: 'Esc', ' ': 'Space' };
  // Form controls: a key pressed in one belongs to it (an arrow changes a select or a radio, a letter types),
  // so no shortcut ever acts there (issue 22). Buttons and links are not form controls: shortcuts act on them.
  const CONTROLS = 'input, select, textarea, [contenteditable=""], [contenteditable="true"], [contenteditable="plaintext-only"]';

  /** Whether keys pressed on this element belong to it (any input, select, text area or editable text). */
  function inControl(node) {
    return !!(node && node.closest && node.closest(CONTROLS));
  }

  /** A key as the overlay shows it. */
  function keyName(key) {
    return NAMES[key] || key.toUpperCase();
  }

  /** The shortcuts as a definition list: the keys, then what they do. */
  function listItems() {
    const items = [];
    shortcuts.forEach(function (s) {
      items.push(el('dt', {}, s.keys.map(function (k, i) {
        return [i ? ' ' + t('key_or') + ' ' : null, el('kbd', { text: keyName(k) })];
      })));
      items.push(el('dd', { text: s.label }));
    });
    items.push(el('dt', {}, el('kbd', { text: '?' })), el('dd', { text: t('key_help') }));
    return items;
  }

  /** Fill every list of shortcuts on the page. */
  function drawLists() {
    document.querySelectorAll('[data-shortcut-list]').forEach(function (dl) { W.fill(dl, listItems()); });
  }

  /** Open the overlay with every shortcut. */
  function openHelp() {
    if (!dialog || dialog.open) return;
    drawLists();
    dialog.showModal();
  }

  document.addEventListener('keydown', function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return;
    if (document.querySelector('dialog[open]')) return;
    if (inControl(event.target)) {
      if (event.key === 'Escape') event.target.blur(); // back to the shortcuts
      return;
    }
    if (event.key === '?') {
      event.preventDefault();
      openHelp();
      return;
    }
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const found = shortcuts.find(function (s) { return s.keys.indexOf(key) >= 0; });
    if (!found) return;
    event.preventDefault();
    found.run(event);
  });

  document.querySelectorAll('[data-shortcut-help]').forEach(function (button) {
    button.addEventListener('click', openHelp);
  });
  drawLists();
}
