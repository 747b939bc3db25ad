/* Keyboard shortcuts of a page (the W.shortcuts list): the same keys wherever the focus is, except while
   typing in a field; `?` opens the overlay listing them all. Loaded after the modules that add shortcuts. */
(function () {
  'use strict';

  const el = W.el;
  const t = W.t;
  const dialog = document.getElementById('shortcut-dialog');
  const NAMES = { ArrowRight: '→', ArrowLeft: '←', ArrowUp: '↑', ArrowDown: '↓', Escape: 'Esc', ' ': 'Space' };
  // Inputs that take no typing: a shortcut pressed on them acts as anywhere else.
  const NOT_TYPED = ['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file', 'image'];

  /** Whether keys pressed on this element belong to it (text fields, selects, editable text). */
  function typing(node) {
    if (!node || !node.closest) return false;
    if (node.closest('textarea, select, [contenteditable=""], [contenteditable="true"]')) return true;
    return node.nodeName === 'INPUT' && NOT_TYPED.indexOf((node.type || 'text').toLowerCase()) < 0;
  }

  /** A key as the overlay shows it. */
  function keyName(key) {
    return NAMES[key] || key.toUpperCase();
  }

  /** The shortcuts as a definition list: the keys, then what they do. */
  function listItems() {
    const items = [];
    W.shortcuts.forEach(function (s) {
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
    if (typing(event.target) || document.querySelector('dialog[open]')) return;
    if (event.key === '?') {
      event.preventDefault();
      openHelp();
      return;
    }
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const found = W.shortcuts.find(function (s) { return s.keys.indexOf(key) >= 0; });
    if (!found) return;
    event.preventDefault();
    found.run(event);
  });

  document.querySelectorAll('[data-shortcut-help]').forEach(function (button) {
    button.addEventListener('click', openHelp);
  });
  drawLists();
  document.addEventListener('DOMContentLoaded', drawLists); // after every deferred module added its own
})();
