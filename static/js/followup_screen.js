/* Projector: the then-and-now view of a follow-up session (issue 15). Renders what the server sent; computes nothing. */
(function () {
  'use strict';

  const D = W.data();
  const Q = D.questionnaire;
  const el = W.el;
  const t = W.t;
  const STATUS_MARK = { done: '✔\ufe0e', partly: '◐\ufe0e', not_yet: '✗\ufe0e' };

  let followup = null; // the then-and-now view (live/followup.py), masked for the projector

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

  /** A compact spread: one column per option with its count; the median marked. */
  function spread(q, cell) {
    const stats = cell && cell.stats;
    if (!stats || !stats.counts || !stats.n) return el('span', { class: 'sc-mini-none', text: '–' });
    const peak = Math.max.apply(null, stats.counts.concat([1]));
    return el('div', { class: 'sc-mini' }, q.options.map(function (o) {
      const count = stats.counts[o.rank] || 0;
      const median = stats.shown && stats.median_rank === o.rank;
      const bar = el('span', { class: 'sc-mini-bar' });
      bar.style.height = Math.round((100 * count) / peak) + '%';
      return el('span', { class: 'sc-mini-col' + (median ? ' is-median' : ''), title: o.label },
        el('span', { class: 'sc-mini-track' }, bar),
        el('span', { class: 'sc-mini-n', text: (median ? '▲' : '') + W.num(count) }));
    }));
  }

  /** A cell's agreed answer, in words. */
  function agreedText(q, cell) {
    const option = cell && cell.agreed && q.options.find(function (o) { return o.id === cell.agreed; });
    return option ? t('fu_agreed_answer', { label: option.label }) : '';
  }

  /** Per question the spread then and now. */
  function questionRows(data) {
    return Q.questions.map(function (q) {
      const then = data.then && data.then.questions[q.id];
      const now = data.now.questions[q.id];
      return el('tr', {},
        el('th', { scope: 'row', text: (q.index + 1) + '. ' + q.short }),
        el('td', {}, spread(q, then), el('span', { class: 'sc-cell-sub', text: agreedText(q, then) })),
        el('td', {}, spread(q, now), el('span', { class: 'sc-cell-sub', text: agreedText(q, now) })));
    });
  }

  /** The first steps agreed last time with what became of them. */
  function stepList(steps) {
    if (!steps.length) return el('p', { class: 'sc-hint', text: t('fu_no_steps') });
    return el('ul', { class: 'fu-steps', 'data-fit-pages': '' }, steps.map(function (s) {
      const status = s.status || 'none';
      return el('li', { class: 'fu-step fu-step--' + status },
        el('span', { class: 'fu-status', text: (STATUS_MARK[s.status] || '?') + ' ' + t('fu_status_' + status) }),
        el('span', { class: 'fu-what', text: s.what }),
        s.due ? el('span', { class: 'sc-cell-sub', text: s.due }) : null);
    }));
  }

  /** The whole view. */
  function view() {
    if (!followup) return el('section', { class: 'sc-center', 'data-key': 'followup-none' }, el('p', { class: 'sc-hint', text: t('fu_waiting') }));
    const then = followup.then;
    const thenHead = then ? t('fu_then', { date: longDate(then.created_at) }) : t('fu_then_gone');
    return el('section', { class: 'fu-view', 'data-key': 'followup' },
      el('h1', { class: 'sc-title', text: followup.organisation ? t('fu_title_org', { name: followup.organisation }) : t('fu_title') }),
      el('div', { class: 'fu-cards' }, phaseCard(then, thenHead, 'fu-then'), phaseCard(followup.now, t('fu_now'), 'fu-now')),
      el('div', { class: 'fu-body' },
        el('table', { class: 'sc-table fu-table', 'data-fit-box': '' },
          el('thead', {}, el('tr', {},
            el('th', { scope: 'col', text: t('question') }),
            el('th', { scope: 'col', text: thenHead }),
            el('th', { scope: 'col', text: t('fu_now') }))),
          el('tbody', { 'data-fit-pages': '' }, questionRows(followup))),
        el('div', { class: 'fu-side', 'data-fit-box': '' },
          el('h2', { text: t('fu_steps_title') }),
          stepList(followup.steps))));
  }

  W.screenViews = W.screenViews || {};
  W.screenViews.followup = view;
  const socket = W.screenSocket;
  if (!socket) return;
  socket.on('snapshot', function (data) { followup = data.followup || null; W.screenRefresh(); });
  socket.on('followup', function (data) { followup = data; W.screenRefresh(); });
})();
