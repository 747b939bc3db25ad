/* Projector page (its entry module): lobby with QR code, live progress, revealed spreads, group results. It opens
   the socket and the page's store; every view is drawn from the store. */
import * as W from './common.js';
import { createStore } from './store.js';
import { fit } from './fit.js';
import { splitWords, stripPlot } from './strip.js';
import * as pub from './publication.js';
import * as timer from './timer.js';
import { mount as chrome } from './projector_chrome.js';
import { render as renderActivity } from './activities_screen.js';
import { followupView } from './followup_screen.js';
import { stepsView, endedView } from './steps_screen.js';

const D = W.data();
const Q = D.questionnaire;
const el = W.el;
const t = W.t;

// What the server sent, as this page's store has it (store.js): drawn by render, never changed here.
let state = null; // ScreenState
let live = null; // Live (masked for the projector)
const schedule = W.perFrame(render);

/** Live data of one question ({round, answered, agreed, rounds?}). */
function liveQ(qid) {
  return W.liveQ(live, qid);
}

/** The verdict in words, coloured by its kind. */
function verdictBadge(stats) {
  return el('span', { class: 'sc-verdict sc-verdict--' + stats.verdict, text: W.verdict(stats) });
}

/** Which view to show: the server's answer (state.shows, core.state.projector_shows), the very one the
    facilitator page states; this page keeps no copy of the rule (issue 22). */
function whichView() {
  return state.shows === 'results_hidden' ? 'hidden' : (state.shows || 'lobby');
}

/** Draw the whole screen from state and live. */
function render() {
  if (!state) return;
  const view = whichView();
  if (view.indexOf('activity_') === 0) { // an activity holds the projector: activities_screen.js draws it
    renderActivity(view.replace(/^activity_/, '').replace(/_result$/, ''), store.get().activities);
    return;
  }
  document.body.setAttribute('data-screen', view);
  const footer = view !== 'lobby' && view !== 'join' && state.joinable; // the server's rule (core.state.joinable)
  W.$('footer-join').hidden = !footer;
  W.$('footer-qr').hidden = !footer;
  if (view === 'lobby' || view === 'join') {
    renderLobby();
    W.showView('v-lobby');
    fit(W.$('v-lobby'), { key: view, least: 6 }); // the code stays large; the names take pages
    return;
  }
  const builders = {
    blank: viewBlank, hidden: viewHidden,
    question: viewQuestion, progress: viewProgress, results: viewResults,
    disciplines: viewDisciplines, rounds: viewRounds, consensus: viewConsensus,
    consensus_tools: function () { return viewConsensus('tools'); },
    consensus_sector: function () { return viewConsensus('sector'); },
  };
  const extra = { followup: followupView, steps: stepsView, ended: endedView }[view]; // views of their own files
  W.morph(W.$('v-live'), extra ? extra(store.get()) : (builders[view] || viewQuestion)());
  W.showView('v-live');
  fit(W.$('v-live').firstElementChild);
}

/** Pause: a calm dark screen; nothing of the session shows. */
function viewBlank() {
  return el('section', { class: 'sc-center sc-blank', 'data-key': 'blank' },
    el('h1', { class: 'sc-title', text: t('blank_title') }),
    el('p', { class: 'sc-hint', text: D.title }));
}

/** The facilitator hid the results from the projector for now. */
function viewHidden() {
  return el('section', { class: 'sc-center', 'data-key': 'hidden' },
    el('h1', { class: 'sc-title', text: t('results_hidden_title') }),
    el('p', { class: 'sc-hint', text: t('results_hidden_text') }));
}

/** Lobby: participant count, latest names, locked and local-address warnings. */
function renderLobby() {
  const joined = (live && live.joined) || 0;
  W.$('lobby-count-n').textContent = W.num(joined);
  W.$('lobby-count-label').textContent = joined === 1 ? t('participant_one') : t('participant_other');
  const names = ((live && live.names) || []).slice().reverse(); // every name sent, newest first; fit pages them
  W.morph(W.$('lobby-names'), names.map(function (name) { return el('li', { text: name }); }));
  W.$('lobby-locked').hidden = !state.locked;
  W.$('lobby-local').hidden = !state.join_url_local;
}

/** Heading line above a question: number, short title, round. */
function questionHeader(q, round) {
  return el('p', { class: 'sc-eyebrow' },
    el('span', { text: t('question_n', { n: q.index + 1, total: Q.questions.length }) }),
    el('span', { class: 'sc-sep', text: ' · ' }),
    el('span', { text: q.short }),
    round > 1 ? el('span', { class: 'sc-badge', text: t('round_n', { n: round }) }) : null);
}

/** "n of N answered" with a progress bar. */
function answeredBar(answered, joined, big) {
  const fill = W.meter('div', 'sc-progress-fill', W.share(answered, joined), 0);
  return el('div', { class: 'sc-answered' + (big ? ' sc-answered--big' : '') },
    el('p', { class: 'sc-answered-text' },
      el('strong', { text: W.num(answered) }), ' ', t('of_answered', { total: W.num(joined) })),
    el('div', { class: 'sc-progress', 'aria-hidden': 'true' }, fill));
}

/** The focused question: open (progress only) or revealed (its spread). */
function viewQuestion() {
  const qs = W.byId(state.questions, state.focus) || state.questions[0];
  const q = W.byId(Q.questions, qs.id);
  if (qs.status === 'revealed') return viewReveal(q, qs); // hidden results: `shows` is results_hidden then
  const lq = liveQ(q.id);
  const joined = (live && live.joined) || 0;
  const hint = { open: 'ask_open', closed: 'ask_closed', hidden: 'ask_hidden' }[qs.status] || 'ask_open';
  return el('section', { class: 'sc-ask', 'data-key': 'ask-' + q.id },
    questionHeader(q, qs.round),
    el('h1', { class: 'sc-question', text: q.text }),
    el('ul', { class: 'sc-options', 'data-fit-pages': '' }, q.options.map(function (o) { return el('li', { text: o.label }); })),
    answeredBar(lq.answered || 0, joined, true),
    el('p', { class: 'sc-hint', text: t(hint) }));
}

/** A revealed question: bars per option (round 1 beside the latest round), median, agreement. */
function viewReveal(q, qs) {
  const lq = liveQ(q.id);
  const rounds = lq.rounds || [];
  const agreed = qs.agreed || lq.agreed || null;
  const parts = [questionHeader(q, qs.round), el('h1', { class: 'sc-question sc-question--reveal', text: q.text })];
  if (!rounds.length) {
    parts.push(el('p', { class: 'sc-hint', text: t('no_answers_yet') }));
    return el('section', { class: 'sc-reveal', 'data-key': 'reveal-' + q.id }, parts);
  }
  const last = rounds[rounds.length - 1];
  const shown = rounds.length > 1 ? [rounds[0], last] : [last];
  const long = q.options.some(function (o) { return o.label.length > 32; });
  const chart = el('div', { class: 'sc-chart' + (shown.length > 1 ? ' sc-chart--rounds' : '') + (long ? ' sc-chart--long' : ''), 'data-fit-pages': '' },
    q.options.map(function (o) {
      const isAgreed = agreed === o.id;
      return el('div', { class: 'sc-row' + (isAgreed ? ' is-agreed' : '') },
        el('div', { class: 'sc-row-label' },
          el('span', { text: o.label }),
          isAgreed ? el('span', { class: 'sc-badge sc-badge--agreed', text: t('agreed_badge') }) : null),
        el('div', { class: 'sc-row-bars' }, shown.map(function (r, i) {
          return bar(q, r.stats, o.rank, shown.length > 1 ? t('round_n', { n: r.round }) : null, i === 0 && shown.length > 1);
        })));
    }));
  const lines = el('div', { class: 'sc-summary' }, shown.map(function (r) {
    return summary(q, r.stats, shown.length > 1 ? t('round_n', { n: r.round }) : null);
  }));
  parts.push(el('div', { class: 'sc-fit', 'data-fit-scale': '' }, lines, chart)); // the question text keeps its size
  return el('section', { class: 'sc-reveal', 'data-key': 'reveal-' + q.id + '-' + shown.length }, parts);
}

/** One labelled bar: optional round label, fill by share, count and percentage, median marker (only where a
    median means something: q.median, from core.stats.median_means_something). */
function bar(q, stats, rank, label, earlier) {
  const count = stats.counts[rank] || 0;
  const share = stats.shares[rank] || 0;
  const median = q.median && stats.shown && stats.median_rank === rank;
  const fill = W.meter('div', 'sc-bar-fill', share);
  return el('div', { class: 'sc-bar' + (median ? ' is-median' : '') + (earlier ? ' is-earlier' : '') },
    label ? el('span', { class: 'sc-bar-round', text: label }) : null,
    el('div', { class: 'sc-bar-track' }, fill),
    el('span', { class: 'sc-bar-value' },
      el('strong', { text: W.num(count) }), ' · ', W.pct(share)),
    median ? el('span', { class: 'sc-median', text: '▲', title: t('median') }) : el('span', { class: 'sc-median sc-median--none' }));
}

/** Agreement in words with the figure it rests on, the median answer (▲) and how many answered. */
function summary(q, stats, label) {
  const items = [label ? el('span', { class: 'sc-summary-round', text: label }) : null];
  if (!stats.shown) {
    items.push(el('span', { class: 'sc-verdict', text: t('too_few') }));
  } else {
    items.push(verdictBadge(stats), el('span', { class: 'sc-reading', text: W.reading(q, stats) }));
    const median = q && q.median && q.options.find(function (o) { return o.rank === stats.median_rank; });
    if (median) items.push(el('span', { class: 'sc-summary-median', text: '▲ ' + t('median') + ': ' + median.label }));
  }
  items.push(el('span', { text: t('n_of_n', { n: W.num(stats.n), total: W.num(stats.joined) }) }));
  return el('p', { class: 'sc-summary-line' }, items);
}

/** Self-paced: answered count per question. */
function viewProgress() {
  const joined = (live && live.joined) || 0;
  return el('section', { class: 'sc-progress-view', 'data-key': 'progress' },
    el('h1', { class: 'sc-title', text: t('progress_title') }),
    el('p', { class: 'sc-hint', text: t('progress_hint') }),
    el('ol', { class: 'sc-qlist', 'data-fit-pages': '' }, state.questions.map(function (qs) {
      const q = W.byId(Q.questions, qs.id);
      return el('li', { class: 'sc-qrow' },
        el('span', { class: 'sc-qrow-name', text: (q.index + 1) + '. ' + q.short }),
        answeredBar(liveQ(q.id).answered || 0, joined, false),
        el('span', { class: 'sc-qrow-status', text: t('status_' + qs.status) }));
    })));
}

/** The server's headline ({phase, agreed}: the agreed phase, else the group's), or null while withheld. */
function headline() {
  return (live && live.results && live.results.headline) || null;
}

/** The phase the group agreed on (the headline's, when agreed), or null. */
function consensusPhase() {
  const head = headline();
  return head && head.agreed ? W.byId(Q.phases, head.phase) : null;
}

/** Placeholder while the results are not public yet. */
function notYet(key) {
  return el('section', { class: 'sc-center', 'data-key': key },
    el('h1', { class: 'sc-title', text: t('results_later_title') }),
    el('p', { class: 'sc-hint', text: t('results_later_text') }));
}

/** Results: people per phase, the group phase, what to discuss first. */
function viewResults() {
  const res = live && live.results;
  if (!res) return notYet('results-none');
  const group = W.byId(Q.phases, res.group_phase);
  const discuss = (res.discuss_first || []).map(function (qid) {
    const q = W.byId(Q.questions, qid);
    const stats = W.latestStats(live, qid);
    return el('li', {},
      el('span', { class: 'sc-discuss-name', text: q ? q.short : qid }),
      stats && stats.shown
        ? el('span', { class: 'sc-discuss-value' }, verdictBadge(stats), ' · ' + W.reading(q, stats))
        : el('span', { class: 'sc-discuss-value', text: t('too_few_short') }));
  });
  const spread = res.spread || {};
  return el('section', { class: 'sc-results', 'data-key': 'results' },
    el('div', { class: 'sc-results-main' },
      el('p', { class: 'sc-eyebrow' }, t('group_phase'),
        res.provisional ? el('span', { class: 'sc-badge sc-badge--provisional', text: t('provisional') }) : null),
      groupHeadline(group, spread),
      group ? el('p', { class: 'sc-fact' }, t('median_total', { total: W.num(res.median_total), max: W.num(Q.max_total) })) : null,
      res.provisional ? el('p', { class: 'sc-fact', text: t('provisional_hint') }) : null,
      el('p', { class: 'sc-fact' }, W.tn(res.complete, 'complete_one', 'complete_other')),
      res.changed_phase > 0 ? el('p', { class: 'sc-fact', text: W.tn(res.changed_phase, 'changed_one', 'changed_other') }) : null),
    el('div', { class: 'sc-results-side' },
      res.totals && res.complete ? stripPlot(Q, res) : null,
      discuss.length ? el('h2', { text: t('discuss_first') }) : null,
      discuss.length ? el('ol', { class: 'sc-discuss', 'data-fit-pages': '' }, discuss) : null));
}

/** The group's phase, or "Split" with the phases that hold most people when fewer than half sit in the median's. */
function groupHeadline(group, spread) {
  if (!group) return el('h1', { class: 'sc-title', text: t('results_empty') });
  if (spread.split) {
    return el('div', { class: 'sc-split', 'data-split': 'true' },
      el('h1', { class: 'sc-split-title', text: t('split_title') }),
      el('p', { class: 'sc-split-largest', text: t('split_largest', { phases: splitWords(Q, spread.largest) }) }),
      el('p', { class: 'sc-fact', text: t('split_median', { phase: group.name, n: W.num(spread.in_median_phase),
        total: W.num(spread.complete) }) }));
  }
  return [el('h1', { class: 'sc-phase-name sc-phase-' + group.id, text: group.name }),
    el('p', { class: 'sc-phase-theme', text: t('phase_n', { n: group.number, theme: group.theme }) })];
}

/** A group's typical answer to a question: its median on the scale of options (●●○○: the second of four), and how many answered. */
function medianCell(q, stats) {
  if (!stats || !stats.n) return el('span', { class: 'sc-disc-median', text: '–' });
  if (!q.median) { // two options: no median, how many chose each (core.stats.median_means_something)
    return [
      el('span', { class: 'sc-disc-median sc-disc-two', text: stats.shown ? t('disc_two', { a: W.num(stats.counts[0]), b: W.num(stats.counts[1]) }) : t('too_few_short') }),
      el('span', { class: 'sc-disc-n', text: t('n_of_n', { n: W.num(stats.n), total: W.num(stats.joined) }) })];
  }
  const option = stats.shown ? q.options.find(function (o) { return o.rank === stats.median_rank; }) : null;
  const dots = option ? q.options.map(function (o) { return o.rank <= option.rank ? '●' : '○'; }).join('') : t('too_few_short');
  return [
    el('span', { class: 'sc-disc-median', text: dots }),
    el('span', { class: 'sc-disc-n', text: t('n_of_n', { n: W.num(stats.n), total: W.num(stats.joined) }) }),
  ];
}

/** Per discipline group: name and size, phase and median total, and the median answer per question. */
function viewDisciplines() {
  const groups = live && live.disciplines;
  if (!groups) return notYet('disc-none');
  const head = el('tr', {},
    el('th', { scope: 'col', text: t('discipline') }),
    el('th', { scope: 'col', text: t('phase') }),
    Q.questions.map(function (q) { return el('th', { scope: 'col', class: 'sc-disc-q', text: q.short }); }));
  // The legend explains the dot scale: only shown when at least one group has an answer to show.
  const bars = groups.some(function (g) {
    return Q.questions.some(function (q) { const s = g.questions && g.questions[q.id]; return s && s.n; });
  });
  const rows = groups.map(function (g) {
    const p = W.byId(Q.phases, g.phase);
    return el('tr', {},
      el('th', { scope: 'row' },
        el('span', { class: 'sc-disc-name', text: g.group === 'other' ? t('other_group') : g.group }),
        el('span', { class: 'sc-disc-n', text: W.tn(g.n, 'disc_people_one', 'disc_people_other') })),
      el('td', {},
        el('span', { class: 'sc-disc-phase', text: p ? p.name : '–' }),
        el('span', { class: 'sc-disc-n', text: t('median_label') + ' ' + W.num(g.median_total) })),
      Q.questions.map(function (q) { return el('td', {}, medianCell(q, g.questions && g.questions[q.id])); }));
  });
  return el('section', { class: 'sc-disciplines', 'data-key': 'disciplines' },
    el('h1', { class: 'sc-title', text: t('disciplines_title') }),
    groups.length
      ? el('table', { class: 'sc-table' }, el('thead', {}, head), el('tbody', { 'data-fit-pages': '' }, rows))
      : el('p', { class: 'sc-hint', text: t('no_groups') }),
    bars ? el('p', { class: 'sc-legend' }, t('disc_legend'), Q.questions.filter(function (q) { return !q.median; }).map(function (q) {
      return ' ' + t('disc_two_legend', { question: q.short }); // a question with two answers has no median
    })) : null);
}

/** How agreement moved from round 1 to the latest round, per question. */
function viewRounds() {
  const res = live && live.results;
  const rows = state.questions.map(function (qs) {
    const q = W.byId(Q.questions, qs.id);
    const rounds = liveQ(qs.id).rounds || [];
    const cell = function (r) {
      if (!r) return el('td', { text: '–' });
      const s = r.stats;
      return el('td', {},
        el('strong', { text: s.shown ? W.verdict(s) : t('too_few_short') }),
        s.shown ? el('span', { class: 'sc-cell-sub', text: W.reading(q, s) }) : null);
    };
    return el('tr', {},
      el('th', { scope: 'row', text: (q.index + 1) + '. ' + q.short }),
      el('td', { class: 'num', text: rounds.length ? W.num(rounds.length) : '–' }),
      cell(rounds[0]),
      cell(rounds.length > 1 ? rounds[rounds.length - 1] : null));
  });
  return el('section', { class: 'sc-rounds', 'data-key': 'rounds' },
    el('h1', { class: 'sc-title', text: t('rounds_title') }),
    el('table', { class: 'sc-table' },
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col', text: t('question') }),
        el('th', { scope: 'col', class: 'num', text: t('rounds') }),
        el('th', { scope: 'col', text: t('round_n', { n: 1 }) }),
        el('th', { scope: 'col', text: t('latest_round') }))),
      el('tbody', { 'data-fit-pages': '' }, rows)),
    el('p', { class: 'sc-legend', text: t('rounds_hint') }),
    res && res.changed_phase > 0 ? el('p', { class: 'sc-fact', text: W.tn(res.changed_phase, 'changed_one', 'changed_other') }) : null);
}

/** The phase the group agreed on, with its texts and tips; else which questions still lack an agreed answer. */
function viewConsensus(part) {
  const phase = consensusPhase();
  // Every answer agreed but the results withheld (a question not revealed yet): the phase comes with them.
  if (!phase && state.questions.every(function (qs) { return qs.agreed; })) return notYet('consensus-later');
  if (!phase) {
    return el('section', { class: 'sc-center', 'data-key': 'consensus-none' },
      el('h1', { class: 'sc-title', text: t('consensus_none') }),
      el('ul', { class: 'sc-agreed-list', 'data-fit-pages': '' }, state.questions.map(function (qs) {
        const q = W.byId(Q.questions, qs.id);
        const option = qs.agreed && W.byId(q.options, qs.agreed);
        return el('li', {},
          el('span', { class: 'sc-agreed-q', text: q.short }),
          el('span', { class: option ? 'sc-agreed-a' : 'sc-agreed-a is-missing', text: option ? option.label : t('not_agreed_yet') }));
      })));
  }
  return el('section', { class: 'sc-consensus', 'data-key': 'consensus-' + phase.id + '-' + (part || 'tips') },
    el('div', { class: 'sc-consensus-main' },
      el('p', { class: 'sc-eyebrow', text: t('consensus_label') }),
      el('h1', { class: 'sc-phase-name sc-phase-' + phase.id, text: phase.name }),
      el('p', { class: 'sc-phase-theme', text: t('phase_n', { n: phase.number, theme: phase.theme }) }),
      el('blockquote', { class: 'sc-closing' }, el('p', { text: phase.closing }))),
    el('div', { class: 'sc-consensus-side' }, pubPages(part), consensusSide(phase, part)));
}

/** Where the facilitator is in tips → tools → experience (text and a marker, not colour alone). */
function pubPages(part) {
  const pages = [['tips', 'pub_page_tips'], ['tools', 'pub_page_tools'], ['sector', 'pub_page_sector']];
  return el('ol', { class: 'sc-pub-pages', 'aria-label': t('consensus_label') }, pages.map(function (p) {
    const here = (part || 'tips') === p[0];
    return el('li', { class: here ? 'is-current' : '', 'aria-current': here ? 'step' : null }, (here ? '▶ ' : '') + t(p[1]));
  }));
}

/** The side of the agreed phase: recognise + tips (+ the invitation), the tools, or an experience from the sector. */
function consensusSide(phase, part) {
  const qr = pub.pubQr;
  if (part === 'tools' && phase.publication) {
    return [el('h2', { text: t('pub_tools') }), pub.pubTools(phase, qr), pub.pubTranslated(phase)];
  }
  if (part === 'sector' && phase.publication) {
    return [el('h2', { text: t('pub_sector') }), pub.pubExperience(phase, qr), pub.pubTranslated(phase)];
  }
  // The recognition bullets stay on the phones and in the report: the projector keeps 24 px type at 1024x768.
  return [
    phase.publication ? pub.pubInvitation(phase) : null,
    el('h2', { text: t('tips') }),
    el('ul', { 'data-fit-pages': '' }, phase.tips.map(function (x) { return el('li', { text: x }); }))];
}

/** Full-screen explanation when the projector may not connect. */
function refused(error) {
  const texts = {
    bad_key: ['screen_bad_key_title', 'screen_bad_key_text'],
    unknown_session: ['unknown_title', 'screen_unknown_text'],
    session_ended: ['ended_title', 'screen_unknown_text'],
    session_deleted: ['deleted_title', 'screen_unknown_text'],
  }[error.code] || ['refused_title', null];
  W.morph(W.$('v-live'), el('section', { class: 'sc-center', 'data-key': 'refused' },
    el('h1', { class: 'sc-title', text: t(texts[0]) }),
    el('p', { class: 'sc-hint', text: texts[1] ? t(texts[1]) : error.message })));
  W.showView('v-live');
}

const socket = W.connect('/screen', function (cb) { cb({ code: D.code, key: D.key, preview: !!D.preview }); }, refused);
const store = createStore(socket, { state: 'state', live: 'live', followup: 'followup', activities: 'activities', steps: 'steps' });
store.subscribe(function (current, event) {
  if (event === 'snapshot' || event === 'state') timer.update(current.state.timer);
  state = current.state;
  live = current.live || null;
  schedule();
});
socket.on('session_deleted', function () {
  // The session is gone: stop reconnecting, drop what was on screen and say so.
  socket.stop();
  state = null;
  W.banner(null);
  W.$('footer-join').hidden = true;
  refused({ code: 'session_deleted' });
});
window.addEventListener('resize', schedule);
chrome();
