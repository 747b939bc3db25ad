/* One way to send a request from a page (issue 22): emit with an acknowledgement, then say how it went in a
   status line (the server's reason when refused, in the page language), take the state the reply carries
   into the page's store, and offer undo when the server says what undo would undo. */
import * as W from './common.js';

/**
 * A status line, the element with this id: say(text, tone). opts.fade: an 'ok' text goes after that many ms
 * (an error stays until the next text); opts.plain: the line keeps its own class (no m-msg tone).
 */
export function statusLine(id, opts) {
  opts = opts || {};
  let timer = 0;
  return function say(text, tone) {
    const box = W.$(id);
    if (!opts.plain) box.className = 'm-msg' + (tone ? ' m-msg--' + tone : '');
    box.textContent = text;
    window.clearTimeout(timer);
    if (opts.fade && tone === 'ok') timer = window.setTimeout(function () { box.textContent = ''; }, opts.fade);
  };
}

/**
 * The console's undo offer (#undo-btn in #undo-toast). follow(offer): offer to undo what the server says undo
 * would undo now ({action, question, seconds}: `undoes`), named by describe(offer), for the seconds the
 * server keeps it; null takes the offer away. take(): the offer, taken away (null when there is none).
 */
export function undoOffer(describe) {
  let timer = 0;
  let current = null;

  /** Take the offer away. */
  function hide() {
    window.clearTimeout(timer);
    current = null;
    W.$('undo-toast').hidden = true;
  }

  return {
    follow: function (offer) {
      if (!offer) { hide(); return; }
      current = offer;
      W.fill(W.$('undo-btn'), W.t('undo_label', { what: describe(offer) }), ' ', W.el('kbd', { text: 'Z' }));
      W.$('undo-toast').hidden = false;
      window.clearTimeout(timer);
      timer = window.setTimeout(hide, offer.seconds * 1000);
    },
    take: function () {
      const offer = current;
      hide();
      return offer;
    },
  };
}

/**
 * The page's request helper: send(event, payload, opts). opts: say (a status line), done (text or
 * reply -> text, said when it went through), plain (say the refusal as the server words it, without
 * "Failed: "), undo (an undoOffer's follow: gets the server's `undoes`, null when nothing can be undone now),
 * ok(reply) and failed(error) for what else a panel does with the answer.
 */
export function requester(socket, store) {
  return function send(event, payload, opts) {
    opts = opts || {};
    W.request(socket, event, payload, function (reply) {
      if (!reply.ok) {
        const message = reply.error.message;
        if (opts.say) opts.say(opts.plain ? message : W.t('failed', { message: message }), 'error');
        if (opts.failed) opts.failed(reply.error);
        return;
      }
      if (reply.state && store) store.set({ state: reply.state }, 'reply', reply);
      if (opts.undo) opts.undo(reply.undoes || null);
      const text = typeof opts.done === 'function' ? opts.done(reply) : opts.done;
      if (opts.say && text) opts.say(text, 'ok');
      if (opts.ok) opts.ok(reply);
    });
  };
}
