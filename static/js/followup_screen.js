/* Projector: the then-and-now view of a follow-up session (issue 15). Renders what the server sent; computes nothing. */
import * as W from './common.js';

const D = W.data();
const Q = D.questionnaire;
const el = W.el;
const t = W.t;
const STATUS_MARK = { done: '✔\ufe0e', partly: '◐\ufe0e', not_yet: '✗\ufe0e' };

/** An ISO time's date in the page language, e.g. 14 maart 2025. */
function longDate(iso) {
  return new Intl.DateTimeFormat(D.lang, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(iso));
}

/** A phase's name, or a dash. */
function phaseName(id) {
  const phase = id && W.byId(Q.phases, id);
  return phase ? phase.name : '–';
}

/** One side's phases: the group's (median) and the agreed one. */
function phaseCard(side, heading, cls) {
  if (!side) return el('div', { class: 'fu-card ' + cls }, el('h2', { text: heading }), el('p', { class: 'sc-hint', text: t('fu_deleted') }));
  const agreed = side.consensus_phase;
  const shown = agreed || side.group_phase;
  return el('div', { class: 'fu-card ' + cls },
    el('h2', { class: 'fu-card-title', text: heading }),
    el('p', { class: 'sc-eyebrow', text: agreed ? t('fu_agreed_phase') : t('group_phase') }),
    el('p', { class: 'fu-phase sc-phase-name' + (shown ? ' sc-phase-' + shown : ''), text: phaseName(shown) }),
    agreed && side.group_phase ? el('p', { class: 'sc-fact', text: t('fu_group_was', { name: phaseName(side.group_phase) }) }) : null,
    el('p', { class: 'sc-fact fu-complete', text: W.tn(side.complete || 0, 'complete_one', 'complete_other') }));
}

/** One side's answers to one option: a bar as long as its share, the count, and the word "median" on the
    median option of a question where a median means something (never a symbol beside the count). */
function optionCell(q, cell, rank) {
  const stats = cell && cell.stats;
  if (!stats || !stats.counts || !stats.n) return el('td', { class: 'fu-cell fu-cell--none', text: rank ? '' : '–' });
  const count = stats.counts[rank] || 0;
  const median = q.median && stats.shown && stats.median_rank === rank;
  return el('td', { class: 'fu-cell' + (median ? ' is-median' : '') },
    el('span', { class: 'fu-bar', 'aria-hidden': 'true' }, W.meter('span', 'fu-bar-fill', W.share(count, stats.n), 0)),
    el('strong', { class: 'fu-n', text: W.num(count) }),
    median ? el('span', { class: 'fu-median', text: t('median') }) : null);
}

/** A cell's agreed answer in words ("agreed then: …" with key 'fu_agreed_then'), or null. */
function agreedText(q, cell, key) {
  const option = cell && cell.agreed && q.options.find(function (o) { return o.id === cell.agreed; });
  return option ? t(key, { label: option.label }) : null;
}

/** One question: its options as rows with the answers then and now side by side, and what was agreed. */
function questionBlock(data, q) {
  const then = data.then && data.then.questions[q.id];
  const now = data.now.questions[q.id];
  const agreed = [agreedText(q, then, 'fu_agreed_then'), agreedText(q, now, 'fu_agreed_now')].filter(Boolean);
  return el('section', { class: 'fu-q', 'data-key': 'q-' + q.id, 'data-question': q.id },
    el('h2', { class: 'fu-q-title', text: (q.index + 1) + '. ' + q.short }),
    el('table', { class: 'fu-q-table' },
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col', class: 'fu-answer', text: t('fu_answer') }),
        el('th', { scope: 'col', text: t('fu_then_gone') }),
        el('th', { scope: 'col', text: t('fu_now') }))),
      el('tbody', { 'data-fit-items': '' }, q.options.map(function (o) {
        return el('tr', { 'data-option': o.id },
          el('th', { scope: 'row', class: 'fu-answer', text: o.label }),
          optionCell(q, then, o.rank),
          optionCell(q, now, o.rank));
      }))),
    agreed.length ? el('p', { class: 'sc-cell-sub', text: agreed.join(' · ') }) : null);
}

/** The first steps agreed last time with what became of them. */
function stepList(steps) {
  if (!steps.length) return el('p', { class: 'sc-hint', text: t('fu_no_steps') });
  return el('ul', { class: 'fu-steps', 'data-fit-items': 'flow' }, steps.map(function (s) {
    const status = s.status || 'none';
    return el('li', { class: 'fu-step fu-step--' + status },
      el('span', { class: 'fu-status', text: (STATUS_MARK[s.status] || '?') + ' ' + t('fu_status_' + status) }),
      el('span', { class: 'fu-what', text: s.what }),
      s.due ? el('span', { class: 'sc-cell-sub', text: s.due }) : null);
  }));
}

/** The whole view: the phases then and now, then one block per question and the old steps, paged when they do not
    fit (the phases are the first page's head: the later pages keep their height for the questions).
    current: the page's store; its followup is the then-and-now view (live/followup.py), masked for the projector. */
export function followupView(current) {
  const followup = current.followup || null;
  if (!followup) return el('section', { class: 'sc-center', 'data-key': 'followup-none' }, el('p', { class: 'sc-hint', text: t('fu_waiting') }));
  const then = followup.then;
  const thenHead = then ? t('fu_then', { date: longDate(then.created_at) }) : t('fu_then_gone');
  const legend = Q.questions.some(function (q) { return q.median; }) ? t('fu_legend') : t('fu_legend_no_median');
  return el('section', { class: 'fu-view', 'data-key': 'followup' },
    el('h1', { class: 'sc-title', text: followup.organisation ? t('fu_title_org', { name: followup.organisation }) : t('fu_title') }),
    el('div', { class: 'fu-blocks', 'data-fit-pages': '' },
      el('div', { class: 'fu-cards' }, phaseCard(then, thenHead, 'fu-then'), phaseCard(followup.now, t('fu_now'), 'fu-now')),
      Q.questions.map(function (q) { return questionBlock(followup, q); }),
      el('section', { class: 'fu-side', 'data-key': 'steps' },
        el('h2', { class: 'fu-q-title', text: t('fu_steps_title') }),
        stepList(followup.steps))),
    el('p', { class: 'sc-legend fu-legend' }, el('span', { class: 'fu-legend-text', text: legend })));
}

