/* Projector: the close of the workshop (issue 21). The agreed first small steps (what, who, by when, from which
   idea) as a view of their own ("steps", key S on the facilitator page) and the end screen: thanks, the group's
   phase (the agreed one once every answer is agreed) and the steps. Renders what the server sent; computes
   nothing. Steps that do not fit on the screen at the smallest type go on pages (fit.js: the one rule). */
import * as W from './common.js';
import { splitWords } from './strip.js';

const D = W.data();
const Q = D.questionnaire;
const el = W.el;
const t = W.t;

/** One step: its number, what, who and by when, and the idea it came from when worded otherwise (each labelled). */
function stepItem(step, i) {
  const meta = [
    step.who ? el('span', { class: 'st-who' }, el('strong', { text: t('steps_who') }), ' ' + step.who) : null,
    step.due ? el('span', { class: 'st-due' }, el('strong', { text: t('steps_due') }), ' ' + step.due) : null];
  return el('li', { class: 'st-step', 'data-key': 'step-' + i },
    el('span', { class: 'st-n', 'aria-hidden': 'true', text: W.num(i + 1) }),
    el('div', { class: 'st-body' },
      el('p', { class: 'st-what', text: step.what }),
      meta[0] || meta[1] ? el('p', { class: 'st-meta' }, meta) : null,
      step.idea_text && step.idea_text !== step.what ? el('p', { class: 'st-idea', text: t('steps_from_idea', { idea: step.idea_text }) }) : null));
}

/** The steps as a numbered list (fit.js pages it), or a sentence when none are recorded yet. */
function stepList(steps) {
  if (!steps.length) return el('p', { class: 'sc-hint st-none', text: t('steps_none') });
  return el('ol', { class: 'st-list', 'data-steps': String(steps.length), 'data-fit-pages': '' }, steps.map(stepItem));
}

/** The view of its own: the session's title and the first small steps (current: the page's store). */
export function stepsView(current) {
  return el('section', { class: 'st-view', 'data-key': 'steps' },
    el('p', { class: 'sc-eyebrow', text: D.title }),
    el('h1', { class: 'sc-title', text: t('act_steps_title') }),
    stepList(current.steps || []));
}

/** The server's headline ({phase, agreed, split, largest}) once the results are public, else null. */
function headline(live) {
  return (live && live.results && live.results.headline) || null;
}

/** The group's outcome on the end screen: the agreed phase (or the group's, or "split" and where most are). */
function outcome(live, steps) {
  const head = headline(live);
  const phase = head && W.byId(Q.phases, head.phase);
  if (!phase) return null;
  const label = el('p', { class: 'sc-eyebrow st-outcome-label', text: head.agreed ? t('consensus_label') : t('group_phase') });
  if (head.split) {
    return el('div', { class: 'st-outcome' }, label,
      el('p', { class: 'sc-split-title', 'data-split': 'true', text: t('split_title') }),
      el('p', { class: 'sc-split-largest', text: t('split_largest', { phases: splitWords(Q, head.largest) }) }));
  }
  return el('div', { class: 'st-outcome', 'data-phase': phase.id, 'data-agreed': head.agreed ? 'true' : 'false' }, label,
    el('p', { class: 'sc-phase-name sc-phase-' + phase.id, text: phase.name }),
    el('p', { class: 'sc-phase-theme', text: t('phase_n', { n: phase.number, theme: phase.theme }) }),
    steps.length ? null : el('blockquote', { class: 'sc-closing' }, el('p', { text: phase.closing })));
}

/** The end screen: thanks and the group's outcome, beside it the first small steps when there are any. */
export function endedView(current) {
  const live = current.live;
  const steps = current.steps || []; // views.shared_steps: [{what, who, due, idea, idea_text}]
  const thanks = [el('h1', { class: 'sc-title sc-title--huge', text: t('thanks') }), el('p', { class: 'sc-hint', text: D.title })];
  if (!steps.length) {
    return el('section', { class: 'sc-center sc-ended', 'data-key': 'ended' }, thanks, outcome(live, steps));
  }
  return el('section', { class: 'st-ended', 'data-key': 'ended-steps' },
    el('div', { class: 'st-ended-main' }, thanks, outcome(live, steps)),
    el('div', { class: 'st-ended-side' }, el('h2', { class: 'st-side-title', text: t('act_steps_title') }), stepList(steps)));
}

