/* Projector page: the full-screen button (the Fullscreen API, also on F) and the pointer hidden after 3 s idle. */
import * as W from './common.js';

const IDLE_MS = 3000;
const button = W.$('btn-fullscreen');
let idle = 0;

/** Whether the page fills the screen now. */
function isFull() {
  return Boolean(document.fullscreenElement);
}

/** Enter full screen, or leave it. */
function toggle() {
  if (isFull()) document.exitFullscreen().catch(function () { /* already left */ });
  else if (document.documentElement.requestFullscreen) {
    document.documentElement.requestFullscreen().catch(function () { /* refused: the button stays */ });
  }
}

/** The button says what it will do next. */
function label() {
  if (!button) return;
  button.textContent = W.t(isFull() ? 'fullscreen_leave' : 'fullscreen_enter');
  button.setAttribute('aria-pressed', isFull() ? 'true' : 'false');
}

/** Show the pointer now and hide it again after IDLE_MS without movement. */
function wake() {
  document.body.classList.remove('is-idle');
  window.clearTimeout(idle);
  idle = window.setTimeout(function () { document.body.classList.add('is-idle'); }, IDLE_MS);
}

/** Wire the button, the F key and the idle pointer. */
export function mount() {
  if (button) {
    button.hidden = !document.fullscreenEnabled;
    button.addEventListener('click', toggle);
  }
  document.addEventListener('fullscreenchange', label);
  document.addEventListener('keydown', function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.key.toLowerCase() !== 'f') return;
    event.preventDefault();
    toggle();
  });
  ['mousemove', 'mousedown', 'keydown', 'touchstart'].forEach(function (type) {
    document.addEventListener(type, wake, { passive: true });
  });
  label();
  wake();
}
