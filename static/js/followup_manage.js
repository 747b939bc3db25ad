/* Facilitator page of a follow-up session: record what became of last time's first steps (issue 15).
   Uses the facilitator socket manage.js opens (window.workshopSocket); strings through W.t (jsstrings.py). */
(function () {
  'use strict';

  /** The sessions that follow up this one, each with a button that detaches it (detach_followup). */
  function followups(socket) {
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
      W.request(socket, 'detach_followup', { code: item.code }, function (reply) {
        const box = W.$('followups-status');
        if (!reply.ok) {
          box.textContent = W.t('failed', { message: reply.error.message });
          return;
        }
        items = reply.followups;
        box.textContent = W.t('fu_detached', { title: item.title, code: item.code });
        render();
      });
    };
    socket.on('snapshot', function (data) { items = data.followups || []; render(); });
  }

  const socket = window.workshopSocket;
  if (socket) followups(socket);
  const root = W.$('followup-steps');
  if (!root || !socket) return;
  const el = W.el;
  const t = W.t;
  const STATUSES = ['done', 'partly', 'not_yet'];
  let steps = [];

  /** Send a step's status (null clears it) and say what happened. */
  function record(step, status) {
    W.request(socket, 'step_status', { position: step.position, status: status }, function (reply) {
      const box = W.$('followup-status');
      if (!reply.ok) {
        box.textContent = t('failed', { message: reply.error.message });
        return;
      }
      steps = reply.steps;
      box.textContent = status ? t('fu_recorded', { what: step.what, status: t('fu_status_' + status) })
        : t('fu_cleared', { what: step.what });
      render();
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

  socket.on('snapshot', function (data) { steps = (data.followup && data.followup.steps) || []; render(); });
  socket.on('followup', function (data) { steps = (data && data.steps) || []; render(); });
})();
