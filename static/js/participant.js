/* Phone page (its entry module): join, answer the open question(s), see your own result. It opens the socket
   and the page's store (store.js); the views draw from what the store holds. */
import * as W from './common.js';
import { createStore } from './store.js';
import { outbox as openOutboxOf } from './outbox.js';
import * as pub from './publication.js';
import * as timer from './timer.js';
import * as activities from './activities_phone.js';

const D = W.data();
const Q = D.questionnaire;
const el = W.el;
const t = W.t;
const TOKEN_KEY = 'workshop:' + D.code + ':token';

// What the server sent, as this page's store has it (store.js).
let state = null; // PublicState
let me = null; // Me or null before joining
let result = null; // Result or null
let stopped = false; // removed or refused for good: ignore further events
let lastKey = '';
let shownQuestions = ''; // ids and rounds of the questions on screen, to notice a new one
let outbox = null; // outbox.js: the participant's: answers tapped, not yet acknowledged (kept across reloads)
const inFlight = {}; // question id -> number of the request on its way
const errors = {}; // question id -> message of the last refused answer
const missed = {}; // question id -> why a kept answer could not be sent (closed or new round meanwhile)
let requestSeq = 0;

/** Read the participant token (null when absent or storage is blocked). */
function readToken() {
  try { return window.localStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
}

/** Store or clear the participant token. */
function writeToken(token) {
  try {
    if (token) window.localStorage.setItem(TOKEN_KEY, token);
    else window.localStorage.removeItem(TOKEN_KEY);
  } catch (e) { /* private mode: the token lives only as long as this page */ }
  memoryToken = token;
}

let memoryToken = readToken();

/** Our own friendly text for a refused request, falling back to the server's message. */
function friendly(error) {
  const known = {
    locked: 'err_locked', full: 'err_full',
    bad_discipline: 'err_discipline', rate_limited: 'err_rate', session_ended: 'err_ended',
    question_closed: 'err_closed', stale_round: 'err_stale', not_joined: 'err_not_joined',
    offline: 'err_offline', timeout: 'err_timeout',
  };
  return known[error.code] ? t(known[error.code]) : error.message || t('err_generic');
}

/** The participant's answers to one question, by round number (as string). */
function answersFor(qid) {
  return (me && me.answers && me.answers[qid]) || {};
}

/** Remember an acknowledged answer. */
function setAnswer(qid, round, option) {
  if (!me) return;
  me.answers = me.answers || {};
  me.answers[qid] = Object.assign({}, me.answers[qid] || {});
  me.answers[qid][String(round)] = option;
}

/** The latest answer given in a round before `round`, or null. */
function previousAnswer(qid, round) {
  const mine = answersFor(qid);
  for (let r = round - 1; r >= 1; r -= 1) {
    if (mine[String(r)]) return mine[String(r)];
  }
  return null;
}

/** Label of an option, or an empty string. */
function optionLabel(q, optionId) {
  const option = W.byId(q.options, optionId);
  return option ? option.label : '';
}

/** Switch to a view and move focus to its heading when it is new. */
function show(id) {
  if (W.showView(id)) W.focusHeading(W.$(id));
}

/** Show a full-screen message (ended, removed, unknown session). */
function showMessage(title, text, linkLabel) {
  W.fill(W.$('msg-title'), title);
  W.fill(W.$('msg-text'), text);
  const link = W.$('msg-link');
  link.hidden = !linkLabel;
  if (linkLabel) link.textContent = linkLabel;
  show('v-message');
}

/** Re-render everything from state, me and result (skipped when nothing changed). */
function render() {
  if (!state || stopped) return;
  const key = JSON.stringify([state, me, result, outbox && outbox.all(), errors, missed, socket.connected,
    activities.version()]);
  if (key === lastKey) return;
  lastKey = key;
  W.keepFocus(renderNow);
}

/** Pick and fill the view that fits the session stage. */
function renderNow() {
  renderMissed();
  if (!me) {
    if (state.stage === 'ended') {
      showMessage(t('ended_title'), t('ended_text'), t('other_code'));
      return;
    }
    renderJoin();
    return;
  }
  if (activities.takesOver(me)) {
    if (activities.render()) W.focusHeading(W.$('v-activity'));
    return;
  }
  if (state.stage === 'results' || state.stage === 'ended') {
    renderResult();
    return;
  }
  if (state.stage === 'lobby') {
    renderWait(t('wait_lobby_title'), t('wait_lobby_text'), null);
    return;
  }
  const open = state.questions.filter(function (qs) { return qs.accepting; });
  if (state.pacing === 'self' && open.length) {
    renderQuestions(state.questions.filter(function (qs) { return qs.status !== 'hidden'; }));
    return;
  }
  const focus = W.byId(state.questions, state.focus);
  if (focus && focus.accepting) {
    renderQuestions([focus]);
    return;
  }
  renderBetween(focus);
}

/** The join form: enabled while the server says phones may join (core.state.joinable); locked says why not. */
function renderJoin() {
  W.$('join-locked').hidden = !state.locked;
  W.$('join-submit').disabled = !state.joinable;
  show('v-join');
}

/** A waiting screen with what happens next (still: no pulsing dot, nothing more will come). */
function renderWait(title, text, extra, still) {
  const who = [];
  if (me && me.nickname) who.push(t('you_are', { name: me.nickname }));
  if (me && me.discipline) {
    const names = D.discipline_names || {};
    const shown = Object.prototype.hasOwnProperty.call(names, me.discipline) ? names[me.discipline] : me.discipline;
    who.push(t('your_discipline', { discipline: shown }));
  }
  W.fill(W.$('v-wait'),
    still ? null : el('div', { class: 'pulse', 'aria-hidden': 'true' }),
    el('h1', { text: title }),
    el('p', { class: 'lead', text: text }),
    extra,
    who.length ? el('p', { class: 'muted', text: who.join(' · ') }) : null,
    still ? null : el('p', { class: 'muted', text: t('no_refresh') }));
  show('v-wait');
}

/** Paced mode between questions: the focused question is closed or not yet open. */
function renderBetween(focus) {
  let extra = null;
  if (focus && focus.status !== 'hidden') {
    const q = W.byId(Q.questions, focus.id);
    const mine = answersFor(focus.id)[String(focus.round)];
    extra = el('p', { class: 'answer-recap' },
      el('span', { class: 'recap-label', text: q.short }),
      el('strong', { text: mine ? t('your_answer', { answer: optionLabel(q, mine) }) : t('no_answer') }));
    renderWait(t('closed_title'), t('closed_text'), extra);
    return;
  }
  renderWait(t('wait_next_title'), t('wait_next_text'), extra);
}

/** One or more questions with their options (one in paced mode, all in self-paced mode). */
function renderQuestions(list) {
  const view = W.$('v-question');
  const parts = [];
  if (list.length > 1) {
    const answered = list.filter(function (qs) { return answersFor(qs.id)[String(qs.round)]; }).length;
    const bar = el('div', { class: 'progress-fill' });
    bar.style.width = Math.round((100 * answered) / list.length) + '%';
    const done = answered === list.length;
    parts.push(el('div', { class: 'progress-sticky' },
      el('h1', { class: 'progress-title', text: t('progress', { n: answered, total: list.length }) }),
      el('div', { class: 'progress', 'aria-hidden': 'true' }, bar),
      done ? el('p', { class: 'progress-done', text: t('all_done') }) : null));
    if (!done) parts.push(el('p', { class: 'muted', text: t('self_help') }));
  }
  list.forEach(function (qs) {
    parts.push(questionBlock(W.byId(Q.questions, qs.id), qs, list.length === 1));
  });
  W.fill(view, parts);
  const shown = list.map(function (qs) { return qs.id + '@' + qs.round; }).join(' ');
  const isNew = shown !== shownQuestions;
  shownQuestions = shown;
  if (!W.showView('v-question') && !isNew) return;
  W.focusHeading(view); // a new question (or round) starts at the top
}

/** A question with its options as big radio buttons and the send status. */
function questionBlock(q, qs, single) {
  const round = qs.round;
  const open = qs.accepting; // the server's rule (core.state.accepting)
  const confirmed = answersFor(q.id)[String(round)] || null;
  const kept = outbox && outbox.get(q.id);
  const sending = kept && kept.round === round ? kept : null;
  const selected = sending ? sending.option : confirmed;
  const previous = round > 1 ? previousAnswer(q.id, round) : null;
  const textId = 'q-' + q.id + '-text';
  const Heading = single ? 'h1' : 'h2';

  let status = '';
  let tone = '';
  if (sending && !socket.connected) { status = t('queued'); tone = 'queued'; }
  else if (sending) { status = t('sending'); tone = 'sending'; }
  else if (errors[q.id]) { status = errors[q.id]; tone = 'error'; }
  else if (confirmed) { status = t('received'); tone = 'ok'; }
  else if (open) status = t('tap_answer');
  else status = t('question_closed');

  return el('section', { class: 'question' + (open ? '' : ' question--closed'), 'aria-labelledby': textId },
    el('p', { class: 'q-meta' },
      el('span', { text: t('question_n', { n: q.index + 1, total: Q.questions.length }) }),
      round > 1 ? el('span', { class: 'badge badge--round', text: t('new_round', { n: round }) }) : null,
      !open ? el('span', { class: 'badge', text: t('closed_badge') }) : null),
    el(Heading, { id: textId, class: 'q-text', text: q.text }),
    previous ? el('p', { class: 'hint', text: t('previous_answer', { answer: optionLabel(q, previous) }) }) : null,
    el('div', { class: 'options', role: 'radiogroup', 'aria-labelledby': textId },
      q.options.map(function (o) {
        const checked = selected === o.id;
        return el('label', { class: 'option' + (checked ? ' is-selected' : '') },
          el('input', {
            type: 'radio', name: 'q-' + q.id, value: o.id, checked: checked, disabled: !open,
            'data-focus-key': q.id + ':' + o.id,
            onchange: function () { sendAnswer(q.id, o.id, round); },
          }),
          el('span', { class: 'option-label', text: o.label }),
          checked && sending ? el('span', { class: 'option-tick option-tick--sending', 'aria-hidden': 'true', text: '…' }) : null,
          checked && !sending && confirmed === o.id ? el('span', { class: 'option-tick', 'aria-hidden': 'true', text: '✓' }) : null);
      })),
    el('p', { class: 'q-status q-status--' + (tone || 'idle'), role: 'status', 'aria-live': 'polite' }, status),
    single && confirmed && !sending && open ? el('p', { class: 'muted', text: t('can_change') }) : null);
}

/** Keep an answer in the outbox and send it; the status shows "sending" (or "kept") until the server has it. */
function sendAnswer(qid, option, round) {
  if (!outbox) return;
  outbox.put(qid, option, round);
  delete errors[qid];
  delete missed[qid];
  render();
  deliver(qid, false);
}

/** Send the kept answer to a question when connected (resent: after a reconnect); else it waits in the outbox. */
function deliver(qid, resent) {
  const box = outbox;
  const item = box && box.get(qid);
  if (!item || !socket.connected) {
    render();
    return;
  }
  requestSeq += 1;
  const req = requestSeq;
  inFlight[qid] = req;
  const answered = function (reply) {
    if (inFlight[qid] === req) delete inFlight[qid];
    const code = reply.ok ? null : reply.error.code;
    if (reply.ok) {
      setAnswer(qid, item.round, item.option);
      box.drop(qid, item.option, item.round);
    } else if (code === 'timeout' && socket.connected) {
      window.setTimeout(function () { if (!inFlight[qid]) deliver(qid, true); }, 1000);
    } else if (code !== 'offline' && code !== 'timeout' && code !== 'not_owner') {
      // Refused for good. (not_owner is not: the session moves to another server process and the answer
      // waits in the outbox for the reconnect, which sends it again.)
      box.drop(qid, item.option, item.round);
      if (resent && (code === 'question_closed' || code === 'stale_round')) missed[qid] = missedText(qid, item, code);
      else if (!box.get(qid)) errors[qid] = friendly(reply.error);
    }
    render();
  };
  W.request(socket, 'answer', { question: qid, option: item.option, round: item.round }, answered);
}

/** After a (re)connect: drop kept answers the server has or can no longer take (saying so), send the rest. */
function flushOutbox() {
  if (!outbox || !state) return;
  outbox.questions().forEach(function (qid) {
    const item = outbox.get(qid);
    const q = W.byId(Q.questions, qid);
    const qs = W.byId(state.questions, qid);
    if (!q || answersFor(qid)[String(item.round)] === item.option) {
      outbox.drop(qid, item.option, item.round); // it arrived before the connection dropped
    } else if (!qs || !qs.accepting) {
      outbox.drop(qid, item.option, item.round);
      missed[qid] = missedText(qid, item, 'question_closed');
    } else { // the server judges the round: a kept answer of an earlier round comes back as stale_round
      deliver(qid, true);
    }
  });
  render();
}

/** Plain words for a kept answer that was not counted. */
function missedText(qid, item, code) {
  const q = W.byId(Q.questions, qid);
  const vars = { n: q.index + 1, answer: optionLabel(q, item.option) };
  return t(code === 'stale_round' ? 'missed_round' : 'missed_closed', vars);
}

/** The notices of kept answers that were not counted, each with a button to dismiss it. */
function renderMissed() {
  const ids = Object.keys(missed);
  W.fill(W.$('phone-notices'), ids.map(function (qid) {
    return el('div', { class: 'notice notice--warn notice--missed' },
      el('p', { text: missed[qid] }),
      el('button', {
        type: 'button', class: 'btn btn-small', text: t('dismiss'),
        onclick: function () { delete missed[qid]; render(); },
      }));
  }));
}

/** Open the outbox of the participant this phone is (after a snapshot or a join). */
function openOutbox() {
  if (me && (!outbox || outbox.participant !== me.id)) {
    outbox = openOutboxOf(D.code, me.id);
    outbox.participant = me.id;
  }
}

/** The private result: total, phase, its texts and tips; beside it the group's agreed phase.
    Without every answer there is no phase (the server sends none): the phone names the missing questions. */
function renderResult() {
  const view = W.$('v-result');
  const ended = state.stage === 'ended';
  const answers = (result && result.answers) || {};
  const answered = Q.questions.filter(function (q) { return answers[q.id]; }).length;
  if (!result || !answered) {
    renderWait(t('no_result_title'), t('no_result_text'), groupPhase(null), true);
    return;
  }
  const phase = result.phase ? W.byId(Q.phases, result.phase) : null;
  const agreed = state.agreed_phase ? W.byId(Q.phases, state.agreed_phase) : null;
  const max = result.max_total || Q.max_total;
  const parts = [
    ended ? el('p', { class: 'notice', text: t('ended_thanks') }) : null,
    el('p', { class: 'eyebrow', text: t('your_result') })];
  if (phase) {
    parts.push(
      el('h1', { class: 'phase-title', text: phase.name }),
      el('p', { class: 'phase-theme', text: t('phase_n', { n: phase.number, theme: phase.theme }) }),
      el('p', { class: 'score' },
        el('strong', { class: 'score-n', text: W.num(result.total) }),
        ' ', t('points_of', { max: W.num(max) })));
  } else {
    parts.push(
      el('h1', { class: 'phase-title phase-title--none', text: t('partial_title') }),
      el('p', { class: 'notice', text: t('partial_missing', { n: W.num(answered), total: W.num(Q.questions.length) }) }),
      el('ul', { class: 'bullets missing' }, (result.missing || []).map(function (qid) {
        const q = W.byId(Q.questions, qid);
        return q ? el('li', { 'data-question': qid, text: t('question_n', { n: q.index + 1, total: Q.questions.length }) + ': ' + q.short }) : null;
      })));
  }
  parts.push(groupPhase(phase), ladder(phase, agreed));
  if (phase) {
    parts.push(
      el('p', { text: phase.description }),
      el('figure', { class: 'closing' },
        el('figcaption', { text: t('closing_intro') }),
        el('blockquote', {}, el('p', { text: phase.closing }))),
      el('h2', { text: t('recognise') }),
      el('ul', { class: 'bullets' }, phase.recognise.map(function (x) { return el('li', { text: x }); })),
      el('h2', { text: t('tips') }),
      el('ul', { class: 'bullets bullets--tips' }, phase.tips.map(function (x) { return el('li', { text: x }); })),
      publication(phase));
  }
  parts.push(
    el('h2', { text: t('your_answers') }),
    el('dl', { class: 'recap' }, Q.questions.map(function (q) {
      return [el('dt', { text: q.short }), el('dd', { text: answers[q.id] ? optionLabel(q, answers[q.id]) : t('not_answered') })];
    })),
    el('p', { class: 'muted', text: t('private_result') }),
    el('p', { class: 'attribution', text: Q.attribution }),
    activities.stepsBlock());
  W.fill(view, parts);
  show('v-result');
}

/** The phase the group agreed on (the projector's), beside the phone's own; null until every answer is agreed. */
function groupPhase(own) {
  const agreed = state.agreed_phase ? W.byId(Q.phases, state.agreed_phase) : null;
  if (!agreed) return null;
  return el('section', { class: 'group-phase', 'aria-labelledby': 'group-phase-title' },
    el('p', { id: 'group-phase-title', class: 'eyebrow', text: t('group_agreed_phase') }),
    el('p', { class: 'group-phase-name', text: agreed.name }),
    el('p', { class: 'phase-theme', text: t('phase_n', { n: agreed.number, theme: agreed.theme }) }),
    own ? el('p', { class: 'muted', text: own.id === agreed.id ? t('group_same_phase') : t('group_other_phase') }) : null);
}

let publicationOpen = false; // the reader's choice survives a re-render of the result

/** The publication's tools and an experience from the sector, folded away by default (publication.js). */
function publication(phase) {
  if (!phase.publication) return null;
  const box = el('details', { class: 'pub', open: publicationOpen,
    ontoggle: function () { publicationOpen = box.open; } },
  el('summary', { text: t('pub_more') }),
  pub.pubInvitation(phase),
  el('h3', { text: t('pub_tools') }), pub.pubTools(phase, pub.pubQr),
  el('h3', { text: t('pub_sector') }), pub.pubExperience(phase, pub.pubQr),
  pub.pubTranslated(phase));
  return box;
}

/** The four phases as steps: the participant's own and the group's agreed one marked in text and shape. */
function ladder(phase, agreed) {
  return el('ol', { class: 'ladder', 'aria-label': t('phases') },
    Q.phases.map(function (p) {
      const mine = phase && p.id === phase.id;
      const group = agreed && p.id === agreed.id;
      return el('li', { class: 'ladder-step ladder-' + p.id + (mine ? ' is-current' : '') + (group ? ' is-group' : ''),
        'aria-current': mine ? 'step' : null },
      el('span', { class: 'ladder-name', text: p.name }),
      mine ? el('span', { class: 'ladder-you', text: t('you') }) : null,
      group ? el('span', { class: 'ladder-you ladder-group', text: t('ladder_group') }) : null);
    }));
}

/** Forget the answers kept for a participant this phone no longer is (its token was refused). */
function dropOutboxes() {
  outbox = null;
  try {
    const prefix = 'workshop:' + D.code + ':outbox:';
    const keys = [];
    for (let i = 0; i < window.localStorage.length; i += 1) keys.push(window.localStorage.key(i));
    keys.filter(function (key) { return key && key.indexOf(prefix) === 0; })
      .forEach(function (key) { window.localStorage.removeItem(key); });
  } catch (e) { /* storage blocked: nothing was kept */ }
}

/** Show why we cannot connect, with a way out. */
function refused(error, retry) {
  if (error.code === 'bad_token') {
    // A token this session does not know (another server, a deleted database): join afresh as a visitor.
    writeToken(null);
    me = null;
    result = null;
    dropOutboxes();
    retry(0);
    return;
  }
  stopped = true;
  if (error.code === 'removed') {
    writeToken(null);
    showMessage(t('removed_title'), t('removed_text'), null);
  } else if (error.code === 'unknown_session') {
    showMessage(t('unknown_title'), t('unknown_text'), t('other_code'));
  } else if (error.code === 'session_ended') {
    showMessage(t('ended_title'), t('ended_text'), t('other_code'));
  } else if (error.code === 'session_deleted') {
    showMessage(t('deleted_title'), t('deleted_text'), t('other_code'));
  } else {
    showMessage(t('refused_title'), error.message || t('err_generic'), t('other_code'));
  }
}

const socket = W.connect('/participant', function (cb) {
  cb({ code: D.code, token: memoryToken });
}, refused);
const store = createStore(socket, Object.assign({ state: 'state', result: 'result' }, activities.parts));
activities.mount({ store: store, socket: socket }, render);
store.subscribe(function (current, event) {
  state = current.state;
  me = current.me || null;
  result = current.result || null;
  if (event === 'snapshot' || event === 'state') timer.update(state.timer); // the countdown, from the server's deadline
  if (event === 'snapshot' || event === 'joined') openOutbox();
  if (event === 'snapshot') flushOutbox();
  render();
});
// "Sending…" becomes "kept on this phone" while the connection is down, and back.
socket.on('disconnect', function () { render(); });
socket.on('removed', function () {
  stopped = true;
  writeToken(null);
  me = null;
  socket.stop();
  W.banner(null);
  showMessage(t('removed_title'), t('removed_text'), null);
});
socket.on('session_deleted', function () {
  // The session and its answers are gone: forget the token and stop reconnecting.
  stopped = true;
  writeToken(null);
  me = null;
  socket.stop();
  W.banner(null);
  showMessage(t('deleted_title'), t('deleted_text'), t('other_code'));
});

// Join form: nickname counter and submit.
const form = W.$('join-form');
const nickname = W.$('nickname');
const counter = W.$('nickname-count');
const submit = W.$('join-submit');
const maxLength = Number(nickname.getAttribute('data-max')); // the server's NICKNAME_MAX, from the page
const graphemes = window.Intl && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;

/** Count characters as the server does: grapheme clusters (a family emoji is one), else code points. */
function characters(text) {
  return Array.from(graphemes ? graphemes.segment(text) : text).length;
}

/** Update the "12/40" counter under the nickname field (the server refuses longer names with a message naming the limit). */
function updateCounter() {
  const n = characters(nickname.value.trim());
  counter.textContent = t('chars', { n: n, max: maxLength });
  counter.classList.toggle('counter--over', n > maxLength);
}
nickname.addEventListener('input', updateCounter);
updateCounter();

form.addEventListener('submit', function (event) {
  event.preventDefault();
  if (submit.disabled) return;
  const payload = {};
  const name = nickname.value.trim();
  const discipline = W.$('discipline');
  if (name) payload.nickname = name;
  if (discipline && discipline.value) payload.discipline = discipline.value;
  const label = submit.textContent;
  submit.disabled = true;
  submit.textContent = t('joining');
  W.fill(W.$('join-error'));
  W.request(socket, 'join', payload, function (reply) {
    submit.disabled = false;
    submit.textContent = label;
    if (!reply.ok) {
      if (reply.error.code !== 'already_joined') W.$('join-error').textContent = friendly(reply.error);
      return;
    }
    writeToken(reply.token);
    store.set({ me: reply.me }, 'joined');
  });
});
