/* Facilitator page (the page's entry module): run the session, steer the projector, watch answers and the
   roster. It opens the socket and the page's store, and mounts the other panels on them. */
import * as W from './common.js';
import { createStore } from './store.js';
import { requester, statusLine, undoOffer } from './request.js';
import { listen, shortcut } from './shortcuts.js';
import * as strip from './strip.js';
import { mount as tabs } from './panels.js';
import { mount as notesPanel } from './notes.js';
import { mount as activitiesPanel } from './activities_manage.js';
import { mount as followupPanel } from './followup_manage.js';
import { mount as projectorPanel } from './projector_controls.js';
import { mount as remotePanel } from './remote.js';

const D = W.data();
const Q = D.questionnaire;
const el = W.el;
const t = W.t;

// What the server sent, as this page's store has it (store.js): drawn by render, never changed here.
let state = null; // ScreenState
let live = null; // Live (everything)
let roster = null; // Roster
const schedule = W.perFrame(render);

// The live region: confirmations fade after a while, errors stay until the next message.
const say = statusLine('m-msg', { fade: 8000 });

/** Send a facilitator command; the reply's state reaches the store at once, said with what it closed or
    opened, and the undo offer follows what the server says undo would undo now (issue 22). */
function command(payload, done) {
  send('command', payload, {
    say: say, undo: undoing.follow,
    done: function (reply) { return [done || t('done')].concat(changes(reply.changes || [])).join(' '); },
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

// Undo: the server keeps the state before the last control action for a few seconds, and says which it was.
/** What an undo would undo, in words ("revealing Begrippen"). */
function undoWhat(offer) {
  const q = offer.question && W.byId(Q.questions, offer.question);
  const key = 'undo_of_' + offer.action;
  const text = t(key, { name: q ? q.short : '' });
  return text === key ? offer.action : text;
}

const undoing = undoOffer(undoWhat);

/** Undo the last control action (the server refuses when nothing can be undone, and says so). */
function undo() {
  const offer = undoing.take();
  command({ action: 'undo' }, offer ? t('done_undo_what', { what: undoWhat(offer) }) : t('done_undo'));
}
W.$('undo-btn').addEventListener('click', undo);

/** Whether the session is in one of the stages. */
function inStage() {
  return Array.prototype.indexOf.call(arguments, state.stage) >= 0;
}

/** Whether the server allows an action now (state.allowed; a question's own list for a question action). */
function allows(action, qs) {
  const list = qs ? qs.allowed : state.allowed;
  return !!list && list.indexOf(action) >= 0;
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

/** Whether a main button's action is allowed now: the server's list (reveal: the question in focus). */
function mainAllowed(action) {
  if (action === 'reveal') return allows('reveal', W.byId(state.questions, state.focus));
  return allows(action);
}

/** Enable the main buttons the server allows now (state.allowed: no copy of its rules here). */
function renderControls() {
  const focus = W.byId(state.questions, state.focus);
  document.querySelectorAll('[data-action]').forEach(function (button) {
    button.disabled = !mainAllowed(button.getAttribute('data-action'));
  });
  W.$('btn-reopen').hidden = !allows('reopen');
  W.$('btn-end').hidden = allows('reopen');
  W.$('btn-next-label').textContent = (state.to_results || []).indexOf('next') >= 0 ? t('to_results') : t('next');
  const q = focus && W.byId(Q.questions, focus.id);
  W.$('focus-line').textContent = inStage('running', 'results') && q
    ? t('current_is', { n: q.index + 1, name: q.short, status: t('status_' + focus.status) })
    : t('focus_' + state.stage);
  const line = W.$('on-screen');
  line.textContent = onScreen(state.shows, focus, q);
  line.setAttribute('data-shows', state.shows);
  // An activity holds the projector: a view chosen in the projector panel shows once the facilitator goes
  // back to the questions. Said there, beside the views, so the bar stays one short line.
  const held = W.$('view-held');
  held.hidden = state.shows.indexOf('activity_') !== 0;
  held.textContent = held.hidden ? '' : t('shows_activity_holds');
}

/** What the projector shows, in words: state.shows is the server's one rule, the one the projector draws by. */
function onScreen(shows, focus, q) {
  if (shows === 'question' && q) {
    const key = focus.status === 'revealed' && !state.hide_results ? 'shows_reveal' : 'shows_question';
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
  const act = function (action, label, cls) {
    return el('button', {
      type: 'button', class: 'btn btn-small' + (cls ? ' ' + cls : ''), disabled: !allows(action, qs),
      'data-focus-key': action + ':' + qs.id,
      onclick: function () { command({ action: action, question: qs.id }, t('done_' + action, { name: q.short })); },
    }, label);
  };
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
        act('focus', t('act_focus')),
        act('reveal', t('act_reveal'))),
      group(qs.id, 'phones', t('group_phones'),
        qs.status === 'open'
          ? act('close', t('act_close'))
          : qs.status === 'revealed'
            ? reopenButton(qs, q)
            : act('open', t('act_open')),
        act('new_round', t('act_new_round')))),
    agreeChoice(qs, q),
    spread(q, W.latestStats(live, qs.id), lq.rounds || []));
}

/** The agreed answer: one button per option (and none), pressed for the chosen one. Buttons, not a select:
    an arrow key or a letter pressed afterwards can never change it (issue 22). */
function agreeChoice(qs, q) {
  const enabled = allows('agree', qs);
  const labelId = 'agree-' + qs.id;
  const choice = function (option, label) {
    const chosen = (qs.agreed || null) === option;
    return el('button', {
      type: 'button', class: 'btn btn-small agree-btn' + (chosen ? ' is-chosen' : ''), disabled: !enabled,
      'aria-pressed': chosen ? 'true' : 'false', 'data-option': option || '', 'data-focus-key': 'agree:' + qs.id + ':' + (option || ''),
      onclick: function () {
        if (chosen) return;
        command({ action: 'agree', question: qs.id, option: option },
          option ? t('done_agree', { name: q.short }) : t('done_agree_clear', { name: q.short }));
      },
    }, label);
  };
  return el('div', { class: 'qcard-agree', role: 'group', 'aria-labelledby': labelId, 'data-agreed': qs.agreed || '' },
    el('span', { class: 'qcard-group-label', id: labelId, text: t('agreed_label') }),
    q.options.map(function (o) { return choice(o.id, o.label); }),
    choice(null, t('agreed_none')),
    enabled ? null : el('span', { class: 'help', text: t('agreed_help') }));
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
    type: 'button', class: 'btn btn-small', disabled: !(allows('open', qs) || allows('new_round', qs)),
    'data-focus-key': 'open:' + qs.id,
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
    const view = button.getAttribute('data-view');
    button.setAttribute('aria-pressed', view === (state.view || 'auto') ? 'true' : 'false');
    button.disabled = (state.views || []).indexOf(view) < 0;
  });
  const lock = W.$('btn-lock');
  lock.textContent = state.locked ? t('unlock') : t('lock');
  lock.setAttribute('aria-pressed', state.locked ? 'true' : 'false');
  lock.disabled = !allows(state.locked ? 'unlock' : 'lock');
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
          t('split_largest', { phases: strip.splitWords(Q, res.spread.largest) })) : null),
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

/** People still answering the open questions: {n: answered, total: joined}, or null when everyone answered. */
function stillAnswering() {
  const joined = (live && live.joined) || 0;
  let answered = joined;
  state.questions.forEach(function (qs) {
    if (qs.accepting) answered = Math.min(answered, W.liveQ(live, qs.id).answered || 0);
  });
  return answered < joined ? { n: answered, total: joined } : null;
}

/** Whether to go on: results while people are still answering ask first ("18 of 33 answered: show results?"). */
function confirmed(action) {
  if (confirmFirst[action]) return window.confirm(t(confirmFirst[action]));
  if ((state.to_results || []).indexOf(action) < 0) return true;
  const open = stillAnswering();
  return !open || window.confirm(t('confirm_results', { n: W.num(open.n), total: W.num(open.total) }));
}

/** Run a main action when the server allows it now (asks first for the ones that end something). */
function mainAction(action) {
  if (!state || !mainAllowed(action)) return;
  if (!confirmed(action)) return;
  const payload = { action: action };
  if (action === 'reveal') payload.question = state.focus;
  const q = W.byId(Q.questions, state.focus);
  command(payload, t('done_' + action, { name: q ? q.short : '' }));
}

document.querySelectorAll('[data-action]').forEach(function (button) {
  button.addEventListener('click', function () { mainAction(button.getAttribute('data-action')); });
});

// Keyboard shortcuts (shortcuts.js dispatches them wherever the focus is, except in a form control).
shortcut(['n', 'ArrowRight'], t('key_next'), function () { mainAction('next'); });
shortcut(['p', 'ArrowLeft'], t('key_prev'), function () { mainAction('prev'); });
shortcut(['r'], t('key_reveal'), function () { mainAction('reveal'); });
shortcut(['z'], t('key_undo'), undo);

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

/** People still answering, or null when everyone answered or nothing arrived yet (projector_controls.js asks
    the same question before G puts the results on the projector). */
export function stillAnsweringNow() {
  return state ? stillAnswering() : null;
}

/** The question the page has in focus, as the server last told it (tests wait for the page to catch up). */
export function focusNow() {
  return state ? state.focus : null;
}

export const socket = W.connect('/facilitator', function (cb) { cb({ code: D.code }); }, refused);
const store = createStore(socket, {
  state: 'state', live: 'live', roster: 'roster', projector: 'projector', report: 'report',
  followup: 'followup', activities: 'activities',
  steps: function (current, data) { return { steps: data.items }; },
  note: function (current, data) {
    return {
      notes: Object.assign({}, current.notes, { [data.question]: data.text }),
      note_versions: Object.assign({}, current.note_versions, { [data.question]: data.version }),
    };
  },
});
const send = requester(socket, store);
store.subscribe(function (current, event) {
  state = current.state;
  live = current.live || null;
  roster = current.roster || null;
  if (event === 'snapshot') undoing.follow(current.undoes);
  schedule();
});
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

// The other panels, on the same socket and store: each subscribes and renders from the store.
const page = { store: store, send: send, stillAnswering: stillAnsweringNow };
tabs();
const notes = notesPanel(page);
activitiesPanel(page, notes ? notes.addStep : function () { return false; });
followupPanel(page);
projectorPanel(page);
remotePanel(page);
listen();
