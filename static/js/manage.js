/* Facilitator page: run the session, steer the projector, watch answers and the roster. */
(function () {
  'use strict';

  const D = W.data();
  const Q = D.questionnaire;
  const el = W.el;
  const t = W.t;

  let state = null; // ScreenState
  let live = null; // Live (everything)
  let roster = null; // Roster
  const schedule = W.perFrame(render);

  let sayTimer = 0;
  /** Say something in the live region; confirmations fade after a while, errors stay until the next message. */
  function say(text, tone) {
    const box = W.$('m-msg');
    box.className = 'm-msg' + (tone ? ' m-msg--' + tone : '');
    box.textContent = text;
    window.clearTimeout(sayTimer);
    if (tone === 'ok') sayTimer = window.setTimeout(function () { box.textContent = ''; }, 8000);
  }

  /** Send a facilitator command; the reply's state is applied at once, with what it closed or opened and an undo. */
  function command(payload, done) {
    W.request(socket, 'command', payload, function (reply) {
      if (!reply.ok) {
        say(t('failed', { message: reply.error.message }), 'error');
        return;
      }
      if (reply.state) state = reply.state;
      const text = [done || t('done')].concat(changes(reply.changes || [])).join(' ');
      if (reply.undo > 0 && payload.action !== 'undo') offerUndo(reply.undo);
      else hideUndo();
      say(text, 'ok');
      schedule();
    });
  }

  /** The questions an action closed or opened again (the ack's changes), in words: nothing closes unsaid. */
  function changes(list) {
    return list.map(function (c) {
      const q = W.byId(Q.questions, c.question);
      const vars = { n: q.index + 1, name: q.short };
      if (c.before === 'open' && c.after === 'closed') return t('change_closed', vars);
      if (c.before !== 'hidden' && c.after === 'open') return t('change_reopened', vars);
      return null;
    }).filter(Boolean);
  }

  // Undo: the server keeps the state before the last control action for a few seconds.
  let undoTimer = 0;
  /** Offer to undo the last action (beside the message saying what it did) for the seconds the server keeps it. */
  function offerUndo(seconds) {
    W.$('undo-toast').hidden = false;
    window.clearTimeout(undoTimer);
    undoTimer = window.setTimeout(hideUndo, seconds * 1000);
  }
  /** Take the undo offer away. */
  function hideUndo() {
    window.clearTimeout(undoTimer);
    W.$('undo-toast').hidden = true;
  }
  /** Undo the last control action. */
  function undo() {
    hideUndo();
    command({ action: 'undo' }, t('done_undo'));
  }
  W.$('undo-btn').addEventListener('click', undo);

  /** Whether the session is in one of the stages. */
  function inStage() {
    return Array.prototype.indexOf.call(arguments, state.stage) >= 0;
  }

  /** Redraw every part of the page. */
  function render() {
    if (!state) return;
    renderHead();
    renderControls();
    W.morph(W.$('questions'), state.questions.map(questionCard));
    renderScreenPanel();
    renderResults();
    renderRoster();
  }

  /** Stage badge, participant count and what the projector shows. */
  function renderHead() {
    const badge = W.$('stage-badge');
    badge.textContent = t('stage_' + state.stage);
    badge.className = 'badge badge--' + state.stage;
    const joined = (live && live.joined) || (roster && roster.count) || 0;
    W.$('m-count').textContent = W.tn(joined, 'participant_n_one', 'participant_n_other');
    W.$('m-pacing').textContent = t(state.pacing === 'self' ? 'pacing_self' : 'pacing_paced');
  }

  /** Enable the main buttons that make sense in this stage. */
  function renderControls() {
    const focus = W.byId(state.questions, state.focus);
    const last = state.questions.length && state.questions[state.questions.length - 1].id === state.focus;
    const can = {
      start: inStage('lobby'),
      prev: inStage('running', 'results'),
      next: inStage('running', 'results'),
      reveal: inStage('running', 'results') && !!focus && focus.status !== 'hidden' && focus.status !== 'revealed',
      results: inStage('running'),
      end: inStage('lobby', 'running', 'results'),
      reopen: inStage('ended'),
    };
    document.querySelectorAll('[data-action]').forEach(function (button) {
      const action = button.getAttribute('data-action');
      if (Object.prototype.hasOwnProperty.call(can, action)) button.disabled = !can[action];
    });
    W.$('btn-reopen').hidden = !inStage('ended');
    W.$('btn-end').hidden = inStage('ended');
    W.$('btn-next-label').textContent = last && inStage('running') ? t('to_results') : t('next');
    const q = focus && W.byId(Q.questions, focus.id);
    W.$('focus-line').textContent = inStage('running', 'results') && q
      ? t('current_is', { n: q.index + 1, name: q.short, status: t('status_' + focus.status) })
      : t('focus_' + state.stage);
    W.$('on-screen').textContent = onScreen(state.shows, focus, q);
  }

  /** What the projector shows, in words (state.shows is the server's answer, the one the projector draws). */
  function onScreen(shows, focus, q) {
    if (shows === 'question' && q) {
      const key = focus.status === 'revealed' ? 'shows_reveal' : 'shows_question';
      return t(key, { n: q.index + 1, name: q.short, status: t('status_' + focus.status) });
    }
    const key = 'shows_' + shows;
    const text = t(key);
    return text === key ? t('shows_other', { view: shows }) : text;
  }

  /** One question: status, round, answered, actions, agreed answer and the spread (for the facilitator only). */
  function questionCard(qs) {
    const q = W.byId(Q.questions, qs.id);
    const lq = W.liveQ(live, qs.id);
    const joined = (live && live.joined) || 0;
    const isFocus = state.focus === qs.id && inStage('running', 'results');
    const active = inStage('running', 'results');
    const settled = qs.status === 'closed' || qs.status === 'revealed';
    const act = function (action, label, enabled, cls) {
      return el('button', {
        type: 'button', class: 'btn btn-small' + (cls ? ' ' + cls : ''), disabled: !enabled,
        'data-focus-key': action + ':' + qs.id,
        onclick: function () { command({ action: action, question: qs.id }, t('done_' + action, { name: q.short })); },
      }, label);
    };
    const selectId = 'agree-' + qs.id;
    const select = el('select', {
      id: selectId, disabled: !(active && settled), 'data-value': qs.agreed || '',
      onchange: function (event) {
        const option = event.target.value || null;
        command({ action: 'agree', question: qs.id, option: option }, option ? t('done_agree', { name: q.short }) : t('done_agree_clear', { name: q.short }));
      },
    }, el('option', { value: '', text: t('agreed_none') }),
    q.options.map(function (o) { return el('option', { value: o.id, selected: qs.agreed === o.id, text: o.label }); }));
    const fill = W.meter('div', 'progress-fill', W.share(lq.answered, joined), 0);

    return el('article', { class: 'qcard qcard--' + qs.status + (isFocus ? ' is-focus' : ''), 'data-key': qs.id, 'aria-labelledby': 'qh-' + qs.id },
      el('div', { class: 'qcard-head' },
        el('h3', { id: 'qh-' + qs.id }, (q.index + 1) + '. ' + q.short),
        el('span', { class: 'badge badge--' + qs.status, text: t('status_' + qs.status) }),
        qs.round > 1 ? el('span', { class: 'badge', text: t('round_n', { n: qs.round }) }) : null,
        isFocus ? el('span', { class: 'badge badge--focus', text: t(state.shows === 'question' ? 'on_screen' : 'current_badge') }) : null),
      el('p', { class: 'qcard-text', text: q.text }),
      el('div', { class: 'qcard-answered' },
        el('span', { text: t('answered_of', { n: W.num(lq.answered || 0), total: W.num(joined) }) }),
        el('div', { class: 'progress progress--small', 'aria-hidden': 'true' }, fill)),
      el('div', { class: 'qcard-actions' },
        group(qs.id, 'screen', t('group_screen'),
          act('focus', t('act_focus'), active && !isFocus),
          act('reveal', t('act_reveal'), active && qs.status !== 'hidden' && qs.status !== 'revealed')),
        group(qs.id, 'phones', t('group_phones'),
          qs.status === 'open'
            ? act('close', t('act_close'), true)
            : qs.status === 'revealed'
              ? reopenButton(qs, q)
              : act('open', t('act_open'), !inStage('ended')),
          act('new_round', t('act_new_round'), active && settled))),
      el('div', { class: 'qcard-agree field-inline' },
        el('label', { for: selectId, text: t('agreed_label') }), select,
        settled ? null : el('span', { class: 'help', text: t('agreed_help') })),
      spread(q, W.latestStats(live, qs.id), lq.rounds || []));
  }

  /** A labelled group of a card's buttons (what they act on: the projector or the phones). */
  function group(qid, name, label, first, second) {
    const id = 'g-' + name + '-' + qid;
    return el('div', { class: 'qcard-group qcard-group--' + name, role: 'group', 'aria-labelledby': id },
      el('span', { class: 'qcard-group-label', id: id, text: label }), first, second);
  }

  /** "Open" on a revealed question: asks whether to start a new round or reopen the same one. */
  function reopenButton(qs, q) {
    return el('button', {
      type: 'button', class: 'btn btn-small', disabled: inStage('ended'), 'data-focus-key': 'open:' + qs.id,
      onclick: function () { askReopen(qs, q); },
    }, t('act_open'));
  }

  /** Ask how to reopen a question whose answers the room has seen. */
  function askReopen(qs, q) {
    const dialog = W.$('reopen-dialog');
    W.$('reopen-text').textContent = t('reopen_text', { n: q.index + 1, name: q.short });
    dialog.returnValue = '';
    dialog.onclose = function () {
      const choice = dialog.returnValue;
      if (choice === 'new_round' || choice === 'open') {
        command({ action: choice, question: qs.id }, t('done_' + choice, { name: q.short }));
      }
    };
    dialog.showModal();
  }

  /** The answers so far, folded away so the facilitator is not anchored by accident. */
  function spread(q, stats, rounds) {
    if (!stats || !stats.n) return el('p', { class: 'help', text: t('no_answers_yet') });
    return el('details', { class: 'qcard-spread', 'data-key': 'spread-' + q.id },
      el('summary', { text: t('show_spread', { n: rounds.length }) }),
      el('ul', { class: 'minibars' }, q.options.map(function (o) {
        const count = stats.counts[o.rank] || 0;
        const fill = W.meter('span', 'minibar-fill', stats.shares[o.rank]);
        const median = q.median && stats.shown && stats.median_rank === o.rank; // not on two options (issue 21)
        return el('li', { class: median ? 'is-median' : '' },
          el('span', { class: 'minibar-label', text: o.label }),
          el('span', { class: 'minibar-track', 'aria-hidden': 'true' }, fill),
          el('span', { class: 'minibar-n', text: W.num(count) + ' · ' + W.pct(stats.shares[o.rank] || 0) + (median ? ' · ' + t('median') : '') }));
      })),
      el('p', { class: 'help', text: W.verdictText(q, stats) || t('too_few') }),
      stats.shown ? measures(stats) : null);
  }

  /** The three agreement measures of the exports, each named and explained in one line (facilitator only). */
  function measures(stats) {
    const rows = [['measure_leik', 'measure_leik_help', stats.agreement],
      ['measure_tw', 'measure_tw_help', stats.consensus],
      ['measure_vde', 'measure_vde_help', stats.van_der_eijk]];
    return el('dl', { class: 'measures' }, rows.map(function (row) {
      return [el('dt', {}, t(row[0]) + ': ', el('strong', { text: W.num(row[2], 2) })), el('dd', { class: 'help', text: t(row[1]) })];
    }));
  }

  /** Projector view radios and the lock button. */
  function renderScreenPanel() {
    document.querySelectorAll('.view-btn').forEach(function (button) {
      button.setAttribute('aria-pressed', button.getAttribute('data-view') === (state.view || 'auto') ? 'true' : 'false');
      button.disabled = inStage('lobby');
    });
    const lock = W.$('btn-lock');
    lock.textContent = state.locked ? t('unlock') : t('lock');
    lock.setAttribute('aria-pressed', state.locked ? 'true' : 'false');
    lock.disabled = inStage('ended');
    W.$('lock-status').textContent = state.locked ? t('locked_status') : t('open_status');
  }

  /** Live mini view of the group's results. */
  function renderResults() {
    const res = live && live.results;
    const box = W.$('mini-results');
    if (!res || !res.complete) {
      W.morph(box, el('p', { class: 'help', 'data-key': 'none', text: t('results_empty') }));
      return;
    }
    const group = W.byId(Q.phases, res.group_phase);
    const consensus = W.byId(Q.phases, res.consensus_phase);
    W.morph(box, el('div', { class: 'mini-results', 'data-key': 'res' },
      el('dl', { class: 'facts' },
        el('dt', { text: t('group_phase') }),
        el('dd', {}, el('strong', { text: group ? group.name : '–' }), res.provisional ? ' (' + t('provisional') + ')' : '',
          res.spread && res.spread.split ? el('span', { class: 'split-note', 'data-split': 'true' }, ' · ', el('strong', { text: t('split_title') }), ': ' +
            t('split_largest', { phases: W.splitWords(Q, res.spread.largest) })) : null),
        el('dt', { text: t('median_label') }),
        el('dd', { text: t('points_total', { total: W.num(res.median_total), max: W.num(Q.max_total) }) }),
        el('dt', { text: t('complete_label') }),
        el('dd', { text: W.num(res.complete) }),
        el('dt', { text: t('consensus_label') }),
        el('dd', { text: consensus ? consensus.name : t('consensus_none_short') }),
        res.changed_phase > 0 ? el('dt', { text: t('changed_label') }) : null,
        res.changed_phase > 0 ? el('dd', { text: W.num(res.changed_phase) }) : null),
      el('h3', { text: t('people_per_phase') }),
      el('ul', { class: 'minibars' }, Q.phases.map(function (p) {
        const n = (res.phase_counts && res.phase_counts[p.id]) || 0;
        const fill = W.meter('span', 'minibar-fill minibar-fill--' + p.id, W.share(n, res.complete));
        return el('li', {},
          el('span', { class: 'minibar-label', text: p.name }),
          el('span', { class: 'minibar-track', 'aria-hidden': 'true' }, fill),
          el('span', { class: 'minibar-n', text: W.num(n) }));
      })),
      el('h3', { text: t('discuss_first') }),
      el('p', { class: 'help', text: t('discuss_rule') }),
      el('ol', { class: 'discuss' }, (res.discuss_first || []).map(function (qid) {
        const q = W.byId(Q.questions, qid);
        return el('li', {}, q ? q.short : qid, ' — ', W.verdictText(q, W.latestStats(live, qid), ', ') || t('too_few_short'));
      }))));
  }

  /** The participants with their discipline, progress, connection, a 'joined late' mark and a remove button. */
  function renderRoster() {
    const box = W.$('roster');
    const people = (roster && roster.participants) || [];
    const count = (roster && roster.count) || 0;
    W.$('roster-count').textContent = count > people.length
      ? t('roster_partial', { n: W.num(people.length), total: W.num(count) })
      : W.tn(count, 'participant_n_one', 'participant_n_other');
    if (!people.length) {
      W.morph(box, el('p', { class: 'help', 'data-key': 'empty', text: t('roster_empty') }));
      return;
    }
    W.morph(box, el('table', { class: 'roster', 'data-key': 'table' },
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col', text: t('name') }),
        el('th', { scope: 'col', text: t('discipline') }),
        el('th', { scope: 'col', class: 'num', text: t('answered') }),
        el('th', { scope: 'col', text: t('connection') }),
        el('th', { scope: 'col' }, el('span', { class: 'visually-hidden', text: t('actions') })))),
      el('tbody', {}, people.map(function (p) {
        const name = p.nickname || t('anonymous', { id: p.number || p.id });
        return el('tr', { 'data-key': 'p' + p.id },
          el('th', { scope: 'row', class: p.nickname ? '' : 'muted' }, name,
            p.late ? ' ' : null,
            p.late ? el('span', { class: 'badge badge--late', title: t('joined_late_help'), text: t('joined_late') }) : null),
          el('td', { text: p.discipline || '–' }),
          el('td', { class: 'num', text: t('x_of_y', { n: W.num(p.answered), total: W.num(Q.questions.length) }) }),
          el('td', {}, el('span', { class: 'conn conn--' + (p.connected ? 'on' : 'off'), text: p.connected ? t('online') : t('offline') })),
          el('td', {}, el('button', {
            type: 'button', class: 'btn btn-small btn-danger', 'data-focus-key': 'remove:' + p.id,
            'aria-label': t('remove_name', { name: name }),
            onclick: function () {
              if (window.confirm(t('confirm_remove', { name: name }))) {
                command({ action: 'remove', participant: p.id }, t('done_remove', { name: name }));
              }
            },
          }, t('remove'))));
      }))));
  }

  // Main buttons and keyboard shortcuts.
  const confirmFirst = { end: 'confirm_end' };
  /** Run a main action (asks first for the ones that are hard to undo). */
  function mainAction(action) {
    const button = document.querySelector('[data-action="' + action + '"]');
    if (!state || (button && button.disabled)) return;
    if (confirmFirst[action] && !window.confirm(t(confirmFirst[action]))) return;
    const payload = { action: action };
    if (action === 'reveal') payload.question = state.focus;
    const q = W.byId(Q.questions, state.focus);
    command(payload, t('done_' + action, { name: q ? q.short : '' }));
  }

  document.querySelectorAll('[data-action]').forEach(function (button) {
    button.addEventListener('click', function () { mainAction(button.getAttribute('data-action')); });
  });

  // Keyboard shortcuts (shortcuts.js dispatches them wherever the focus is, except in text fields).
  W.shortcut(['n', 'ArrowRight'], t('key_next'), function () { mainAction('next'); });
  W.shortcut(['p', 'ArrowLeft'], t('key_prev'), function () { mainAction('prev'); });
  W.shortcut(['r'], t('key_reveal'), function () { mainAction('reveal'); });
  W.shortcut(['z'], t('key_undo'), undo);

  // What the projector shows: buttons (arrow keys stay shortcuts; radio buttons would change the view).
  document.querySelectorAll('.view-btn').forEach(function (button) {
    button.addEventListener('click', function () {
      command({ action: 'view', view: button.getAttribute('data-view') }, t('done_view'));
    });
  });

  W.$('btn-lock').addEventListener('click', function () {
    if (!state) return;
    command({ action: state.locked ? 'unlock' : 'lock' }, t(state.locked ? 'done_unlock' : 'done_lock'));
  });

  // Copy buttons: copy the linked input's value.
  document.querySelectorAll('[data-copy]').forEach(function (button) {
    button.addEventListener('click', function () {
      const input = W.$(button.getAttribute('data-copy'));
      const ok = function () { say(t('copied'), 'ok'); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(ok, function () { input.select(); });
      } else {
        input.focus();
        input.select();
        try { if (document.execCommand('copy')) ok(); } catch (e) { /* the text stays selected */ }
      }
    });
  });

  /** Explain why the facilitator connection was refused. */
  function refused(error) {
    say(error.code === 'bad_token' || error.code === 'refused' ? t('manage_refused') : error.message || t('err_generic'), 'error');
  }

  const socket = W.connect('/facilitator', function (cb) { cb({ code: D.code }); }, refused);
  window.workshopSocket = socket; // notes.js listens and emits on the same socket
  socket.on('snapshot', function (data) {
    state = data.state;
    live = data.live || null;
    roster = data.roster || null;
    schedule();
  });
  socket.on('state', function (data) { state = data; schedule(); });
  socket.on('live', function (data) { live = data; schedule(); });
  socket.on('roster', function (data) { roster = data; schedule(); });
  socket.on('failed', function (error) { say(t('failed', { message: error.message || error.code }), 'error'); });
  socket.on('session_deleted', function () {
    // The session is gone: stop reconnecting, freeze the controls and say so.
    socket.stop();
    state = null;
    W.banner(null);
    document.querySelectorAll('main button, main input, main select, main textarea').forEach(function (node) {
      node.disabled = true;
    });
    say(t('manage_deleted'), 'error');
  });
})();
