/* Projector: the close of the workshop (issue 21). The agreed first small steps (what, who, by when, from which
   idea) as a view of their own ("steps", key S on the facilitator page) and the end screen: thanks, the group's
   phase (the agreed one once every answer is agreed) and the steps. Renders what the server sent; computes
   nothing. Steps that do not fit on the screen at the smallest type go on pages that turn by themselves. */
(function () {
  'use strict';

  const D = W.data();
  const Q = D.questionnaire;
  const el = W.el;
  const t = W.t;
  const PAGE_SECONDS = 12; // a page of steps stays this long before the next one
  let steps = []; // views.shared_steps: [{what, who, due, idea, idea_text}]

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

  /** The steps as a numbered list with its page line, or a sentence when none are recorded yet. */
  function stepList() {
    if (!steps.length) return el('p', { class: 'sc-hint st-none', text: t('steps_none') });
    return [el('ol', { class: 'st-list', 'data-steps': String(steps.length), 'data-fit-pages': '' }, steps.map(stepItem)),
      el('p', { class: 'sc-legend st-page', 'aria-live': 'polite', hidden: true })];
  }

  /** The view of its own: the session's title and the first small steps. */
  function stepsView() {
    schedulePaging();
    return el('section', { class: 'st-view', 'data-key': 'steps' },
      el('p', { class: 'sc-eyebrow', text: D.title }),
      el('h1', { class: 'sc-title', text: t('act_steps_title') }),
      stepList());
  }

  /** The server's headline ({phase, agreed, split, largest}) once the results are public, else null. */
  function headline(live) {
    return (live && live.results && live.results.headline) || null;
  }

  /** The group's outcome on the end screen: the agreed phase (or the group's, or "split" and where most are). */
  function outcome(live) {
    const head = headline(live);
    const phase = head && W.byId(Q.phases, head.phase);
    if (!phase) return null;
    const label = el('p', { class: 'sc-eyebrow st-outcome-label', text: head.agreed ? t('consensus_label') : t('group_phase') });
    if (head.split) {
      return el('div', { class: 'st-outcome' }, label,
        el('p', { class: 'sc-split-title', 'data-split': 'true', text: t('split_title') }),
        el('p', { class: 'sc-split-largest', text: t('split_largest', { phases: W.splitWords(Q, head.largest) }) }));
    }
    return el('div', { class: 'st-outcome', 'data-phase': phase.id, 'data-agreed': head.agreed ? 'true' : 'false' }, label,
      el('p', { class: 'sc-phase-name sc-phase-' + phase.id, text: phase.name }),
      el('p', { class: 'sc-phase-theme', text: t('phase_n', { n: phase.number, theme: phase.theme }) }),
      steps.length ? null : el('blockquote', { class: 'sc-closing' }, el('p', { text: phase.closing })));
  }

  /** The end screen: thanks and the group's outcome, beside it the first small steps when there are any. */
  function endedView(state, live) {
    const thanks = [el('h1', { class: 'sc-title sc-title--huge', text: t('thanks') }), el('p', { class: 'sc-hint', text: D.title })];
    if (!steps.length) {
      return el('section', { class: 'sc-center sc-ended', 'data-key': 'ended' }, thanks, outcome(live));
    }
    schedulePaging();
    return el('section', { class: 'st-ended', 'data-key': 'ended-steps' },
      el('div', { class: 'st-ended-main' }, thanks, outcome(live)),
      el('div', { class: 'st-ended-side' }, el('h2', { class: 'st-side-title', text: t('act_steps_title') }), stepList()));
  }

  /** After the view is drawn (and fitted by screen.js), before it is painted: show one page of whole steps.
      With fit.js (W.fit) on the page the one fitting rule pages the list ([data-fit-pages]) instead. */
  function schedulePaging() {
    if (W.fit) return;
    window.requestAnimationFrame(function () { stepPages(document.querySelector('.st-list'), document.querySelector('.st-page')); });
  }

  /**
   * A pager for a box of whole blocks (steps, the questions of then-and-now): a page ends before the first block
   * that lies beyond the box's right or bottom edge (a box with CSS columns overflows to the right). Pages turn
   * every PAGE_SECONDS; the label says "1/2". Returns paginate(box, label) for the view to call once it is drawn.
   * Only without fit.js: W.fit pages every view's [data-fit-pages] units by one rule (issue 21).
   */
  W.screenPager = function () {
    let page = 0;
    let turn = 0;
    const pager = function (box, label) {
      if (!box || !label) return;
      const items = Array.prototype.slice.call(box.children);
      label.textContent = t('act_page', { n: 1, total: 9 }); // the label takes its room on every page
      label.hidden = false;
      const starts = [0];
      for (let from = 0; from < items.length;) {
        items.forEach(function (item, i) { item.hidden = i < from; });
        const edge = box.getBoundingClientRect();
        const right = edge.left + box.clientWidth;
        const bottom = edge.top + box.clientHeight;
        let next = items.length;
        for (let i = from; i < items.length; i += 1) {
          const r = items[i].getBoundingClientRect();
          if (r.right > right + 1 || r.bottom > bottom + 1) { next = Math.max(from + 1, i); break; }
        }
        if (next >= items.length) break;
        starts.push(next);
        from = next;
      }
      const pages = starts.length;
      page %= pages;
      const end = page + 1 < pages ? starts[page + 1] : items.length;
      items.forEach(function (item, i) { item.hidden = i < starts[page] || i >= end; });
      label.textContent = pages > 1 ? t('act_page', { n: page + 1, total: pages }) : '';
      label.hidden = pages < 2;
      box.setAttribute('data-page', String(page + 1));
      box.setAttribute('data-pages', String(pages));
      if (pages > 1 && !turn) {
        turn = window.setTimeout(function () { turn = 0; page += 1; W.screenRefresh(); }, PAGE_SECONDS * 1000);
      }
    };
    pager.reset = function () { page = 0; };
    return pager;
  };

  const stepPages = W.screenPager();

  W.screenViews = W.screenViews || {};
  W.screenViews.steps = stepsView;
  W.screenViews.ended = endedView;
  const socket = W.screenSocket;
  if (!socket) return;
  socket.on('snapshot', function (data) { steps = data.steps || []; W.screenRefresh(); });
  socket.on('steps', function (data) { steps = data || []; stepPages.reset(); W.screenRefresh(); });
})();
