/* Facilitator page of a follow-up session: record what became of last time's first steps (issue 15).
   From the page's store (store.js), requests through its helper (request.js); strings through W.t (jsstrings.py). */
import * as W from './common.js';
import { statusLine } from './request.js';

/** The follow-up panels (what became of the steps, the sessions that follow this one), from the page's store. */
export function mount(page) {
  /** The sessions that follow up this one, each with a button that detaches it (detach_followup). */
  function followups() {
    const list = W.$('followups-list');
    if (!list) return;
    let items = [];
    const render = function () {
      W.fill(list, items.length ? items.map(function (item) {
        return W.el('li', { 'data-code': item.code }, W.el('span', { text: item.title + ' (' + item.code + ') ' }),
          W.el('button', { type: 'button', class: 'btn btn-small', text: W.t('fu_detach'),
            onclick: function () { detach(item); } }));
      }) : W.el('li', { class: 'help', text: W.t('fu_followups_none') }));
    };
    const detach = function (item) {
      page.send('detach_followup', { code: item.code }, {
        say: statusLine('followups-status', { plain: true }),
        done: W.t('fu_detached', { title: item.title, code: item.code }),
        ok: function (reply) { items = reply.followups; render(); },
      });
    };
    page.store.subscribe(function (store, event) {
      if (event === 'snapshot') { items = store.followups || []; render(); }
    });
  }

  followups();
  const root = W.$('followup-steps');
  if (!root) return;
  const el = W.el;
  const t = W.t;
  const STATUSES = ['done', 'partly', 'not_yet'];
  let steps = [];

  /** Send a step's status (null clears it) and say what happened. */
  function record(step, status) {
    page.send('step_status', { position: step.position, status: status }, {
      say: statusLine('followup-status', { plain: true }),
      done: status ? t('fu_recorded', { what: step.what, status: t('fu_status_' + status) })
        : t('fu_cleared', { what: step.what }),
      ok: function (reply) { steps = reply.steps; render(); },
    });
  }

  /** One step with its three choices and a clear button. */
  function stepItem(step) {
    const name = 'fu-step-' + step.position;
    return el('fieldset', { class: 'segmented fu-choice', 'data-position': String(step.position) },
      el('legend', { text: step.what + (step.who ? ' · ' + step.who : '') + (step.due ? ' · ' + step.due : '') }),
      STATUSES.map(function (status) {
        const input = el('input', { type: 'radio', name: name, value: status, checked: step.status === status,
          onchange: function (event) { if (event.target.checked) record(step, status); } });
        return el('label', { class: 'segment' }, input, el('span', { text: t('fu_status_' + status) }));
      }),
      el('button', { type: 'button', class: 'btn btn-small', text: t('fu_clear'), disabled: !step.status,
        onclick: function () { record(step, null); } }));
  }

  /** Draw the list of carried-over steps. */
  function render() {
    W.morph(root, steps.length ? steps.map(stepItem) : el('p', { class: 'help', text: t('fu_no_steps') }));
  }

  page.store.subscribe(function (store, event) {
    if (event === 'snapshot' || event === 'followup') { steps = (store.followup && store.followup.steps) || []; render(); }
  });
}
