/* Facilitator page: the facilitator link for another device, the live copy of the projector and whether a
   projector is connected. From the page's store (store.js); requests through its helper (request.js). */
import * as W from './common.js';

/** Draw the facilitator link, the live copy and the projector's status from the page's store. */
export function mount(page) {
  const t = W.t;
  let projector = null; // {connected, changed_at}
  let lastUpdate = null; // Date of the last state or live update sent to the projector while one is connected

  // The facilitator link: shown once after creation, or made on request for another device.
  const box = W.$('fac-link');

  /** Show a link offer ({url, qr, mailto}) in the facilitator link panel. */
  function showOffer(offer) {
    W.$('fac-link-url').value = offer.url;
    W.$('fac-link-mail').href = offer.mailto;
    const svg = new DOMParser().parseFromString(offer.qr, 'image/svg+xml').documentElement;
    W.fill(W.$('fac-link-qr'), document.importNode(svg, true));
    box.hidden = false;
    box.scrollIntoView({ block: 'start' });
    W.$('h-fac-link').setAttribute('tabindex', '-1');
    W.$('h-fac-link').focus({ preventScroll: true });
  }

  W.$('fac-link-make').addEventListener('click', function () {
    const button = this;
    button.disabled = true;
    page.send('facilitator_link', {}, {
      ok: function (reply) { button.disabled = false; showOffer(reply); },
      failed: function (error) { button.disabled = false; window.alert(t('failed', { message: error.message })); },
    });
  });

  W.$('fac-link-hide').addEventListener('click', function () {
    box.hidden = true;
    W.$('fac-link-url').value = '';
    W.fill(W.$('fac-link-qr'));
    W.$('fac-link-make').focus();
  });

  // The live copy of the projector: the projector page itself, scaled down (it does not count as a projector).
  const preview = W.$('preview');
  const frame = W.$('preview-frame');
  const WIDTH = 1280; // the copy is laid out as a 1280×720 projector

  /** Scale the copy to the width of its box. */
  function scale() {
    frame.style.transform = 'scale(' + (preview.clientWidth / WIDTH) + ')';
  }
  if (window.ResizeObserver) new window.ResizeObserver(scale).observe(preview);
  scale();
  // From this page's own origin, whatever address it was opened at (loopback, LAN, a name, behind a proxy):
  // the copy is then same-origin, which its frame-ancestors 'self' and its socket's origin check allow.
  frame.src = new URL(preview.getAttribute('data-src'), window.location.href).href;

  /** A time as hours, minutes and seconds in the page language. */
  function clock(date) {
    return date.toLocaleTimeString(W.data().lang === 'en' ? 'en-GB' : 'nl-NL');
  }

  /** Say whether a projector is connected, and when it last got an update or went away. */
  function renderStatus() {
    const line = W.$('projector-status');
    if (!projector) return;
    const on = projector.connected > 0;
    line.className = 'projector-status projector-status--' + (on ? 'on' : 'off');
    if (on) {
      line.textContent = t(projector.connected > 1 ? 'projector_on_n' : 'projector_on', { n: projector.connected }) +
        (lastUpdate ? ' · ' + t('projector_updated', { time: clock(lastUpdate) }) : '');
    } else {
      line.textContent = projector.changed_at
        ? t('projector_gone', { time: clock(new Date(projector.changed_at)) })
        : t('projector_none');
    }
  }

  /** Note an update the projector got too (it is in the same broadcast as this page). */
  function updated() {
    if (projector && projector.connected > 0) {
      lastUpdate = new Date();
      renderStatus();
    }
  }

  page.store.subscribe(function (store, event) {
    if (event === 'snapshot') {
      projector = store.projector || null;
      lastUpdate = projector && projector.connected > 0 ? new Date() : null;
      renderStatus();
    } else if (event === 'projector') {
      projector = store.projector;
      lastUpdate = projector.connected > 0 ? new Date() : lastUpdate;
      renderStatus();
    } else if (event === 'state' || event === 'live') updated();
  });
}
