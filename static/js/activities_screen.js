/* Projector: the proeftuin activities. The challenges (counts hidden until revealed, then a ranking
   per room and discipline), the idea wall (approved ideas only, newest on top, paged when it does
   not fit) and the dot vote (top ideas once revealed). screen.js attaches its socket and hands over
   its view while the facilitator shows an activity. */
(function () {
  'use strict';

  const el = W.el;
  const t = W.t;
  const A = W.activitiesScreen = {};
  const PAGE_SECONDS = 10; // a page of the wall stays this long before the next one
  let view = null;
  let page = 0;
  let pages = 1;
  let timer = 0;
  let rerender = function () {};

  /** Listen to the activities' events on the projector's socket. */
  A.attach = function (socket, render) {
    rerender = render;
    socket.on('snapshot', function (data) { view = data.activities || null; });
    socket.on('activities', function (data) { view = data; rerender(); });
  };

  /** Whether the facilitator shows an activity now. */
  A.takesOver = function () {
    return !!(view && view.current);
  };

  /** Draw the shown activity into #v-activity. */
  A.render = function () {
    const status = view.status[view.current];
    const builders = { challenges: challenges, ideas: ideas, vote: vote };
    document.body.setAttribute('data-screen', 'activity-' + view.current);
    W.$('footer-join').hidden = false;
    W.morph(W.$('v-activity'), el('section', { class: 'sc-activity', 'data-key': view.current + ':' + status },
      builders[view.current](status)));
    W.showView('v-activity');
    if (view.current !== 'challenges' || status !== 'revealed') paginate();
  };

  /** A line with how many took part so far (no counts per item before the reveal: no anchoring). */
  function counted(n, one, many) {
    return el('p', { class: 'sc-count', 'aria-live': 'polite' }, el('strong', { text: W.tn(n, one, many) }));
  }

  /** The challenges: the list while people pick, the ranking once revealed. */
  function challenges(status) {
    const result = view.challenge_result || {};
    if (status === 'revealed' && result.items) {
      return [el('h1', { class: 'sc-title', text: t('act_ranking_title') }),
        el('div', { class: 'sc-act-columns' },
          rankList(result.items, result.respondents, t('act_room')),
          (result.by_discipline || []).map(function (g) {
            return rankList(g.items.slice(0, 3), g.respondents, g.group === 'other' ? t('act_other') : g.group);
          }))];
    }
    return [el('h1', { class: 'sc-title', text: t('act_challenges_title') }),
      el('ol', { class: 'sc-act-list' }, view.challenges.map(function (c) {
        return el('li', { 'data-key': c.id, text: c.text });
      })),
      counted(result.respondents || 0, 'act_people_one', 'act_people_other'),
      el('p', { class: 'sc-hint', text: status === 'open' ? t('act_screen_pick') : t('act_screen_wait') })];
  }

  /** A ranked list with counts and shares in text and a bar (never colour alone). */
  function rankList(items, n, title) {
    return el('section', { class: 'sc-act-rank' },
      el('h2', { class: 'sc-act-rank-title', text: title + ' · ' + W.tn(n, 'act_people_one', 'act_people_other') }),
      el('ol', {}, items.map(function (item) {
        return el('li', { 'data-key': item.id },
          el('span', { class: 'sc-act-text', text: item.text }),
          el('span', { class: 'sc-act-bar' }, W.meter('span', 'sc-act-fill', item.share, 0)),
          el('strong', { class: 'sc-act-n', text: W.num(item.count) + ' (' + W.pct(item.share) + ')' }));
      })));
  }

  /** The wall as cards, newest first, one page of them. */
  function wallCards(items) {
    return el('ul', { class: 'sc-wall', id: 'sc-wall', 'aria-label': t('act_wall_label') },
      items.map(function (pair) { return el('li', { class: 'sc-card', 'data-key': String(pair[0]), text: pair[1] }); }));
  }

  /** The idea wall with its page indicator. */
  function ideas(status) {
    const wall = view.wall || [];
    return [el('h1', { class: 'sc-title', text: t('act_ideas_title') }),
      status === 'open' ? prompts() : null,
      wall.length ? wallCards(wall) : el('p', { class: 'sc-hint', text: t('act_wall_empty') }),
      el('p', { class: 'sc-legend', id: 'sc-wall-page' }),
      view.wall_total > wall.length ? el('p', { class: 'sc-legend', text: t('act_wall_more', { n: W.num(wall.length), total: W.num(view.wall_total) }) }) : null,
      el('p', { class: 'sc-hint', text: status === 'open' ? t('act_screen_ideas') : t('act_screen_wait') })];
  }

  /** The questions an idea answers (the phones' prompts), on the screen while ideas come in (issue 21). */
  function prompts() {
    return el('section', { class: 'sc-prompts', 'aria-labelledby': 'sc-prompts-title' },
      el('h2', { id: 'sc-prompts-title', class: 'sc-prompts-title', text: t('act_prompts_screen') }),
      el('ul', {}, (view.prompts || []).map(function (p) { return el('li', { 'data-key': p.id, text: p.text }); })));
  }

  /** The dot vote: the wall while voting, the top ideas once revealed. */
  function vote(status) {
    const result = view.vote_result || {};
    if (status === 'revealed' && result.items) {
      const top = result.items.map(function (i) { return { id: i.id, text: i.text, count: i.dots, share: i.dots / Math.max(1, result.items[0].dots) }; });
      return [el('h1', { class: 'sc-title', text: t('act_top_title') }),
        el('div', { class: 'sc-act-columns' }, dotList(top, t('act_room'), result.voters),
          (result.by_discipline || []).map(function (g) {
            return dotList(g.items.slice(0, 3).map(function (i) { return { id: i.id, text: i.text, count: i.dots, share: i.dots / Math.max(1, g.items[0].dots) }; }),
              g.group === 'other' ? t('act_other') : g.group, g.voters);
          }))];
    }
    return [el('h1', { class: 'sc-title', text: t('act_vote_title') }),
      counted(result.voters || 0, 'act_people_one', 'act_people_other'),
      (view.wall || []).length ? wallCards(view.wall) : null,
      el('p', { class: 'sc-legend', id: 'sc-wall-page' })];
  }

  /** Top ideas with their dots in words and a bar relative to the first. */
  function dotList(items, title, voters) {
    return el('section', { class: 'sc-act-rank' },
      el('h2', { class: 'sc-act-rank-title', text: title + ' · ' + W.tn(voters, 'act_voters_one', 'act_voters_other') }),
      el('ol', {}, items.map(function (item) {
        return el('li', { 'data-key': String(item.id) },
          el('span', { class: 'sc-act-text', text: item.text }),
          el('span', { class: 'sc-act-bar' }, W.meter('span', 'sc-act-fill', item.share, 0)),
          el('strong', { class: 'sc-act-n', text: W.tn(item.count, 'act_dots_one', 'act_dots_other') }));
      })));
  }

  /** Show the cards of the current page, each whole; switch pages every PAGE_SECONDS.
      Pages are laid out one after another (ideas differ in length, so pages hold different numbers of cards):
      a page starts at the first card that did not fit wholly on the one before (the wall's columns fill top to
      bottom, so a card that does not fit lies right of the wall's edge, or below it when taller than a column). */
  function paginate() {
    const wall = W.$('sc-wall');
    const label = W.$('sc-wall-page');
    if (!wall || !label) return;
    const cards = Array.prototype.slice.call(wall.children);
    const starts = [0];
    for (let from = 0; from < cards.length;) {
      cards.forEach(function (c, i) { c.hidden = i < from; });
      const box = wall.getBoundingClientRect();
      const right = box.left + wall.clientWidth;
      const bottom = box.top + wall.clientHeight;
      let next = cards.length;
      for (let i = from; i < cards.length; i += 1) {
        const r = cards[i].getBoundingClientRect();
        if (r.right > right + 1 || r.bottom > bottom + 1) { next = Math.max(from + 1, i); break; }
      }
      if (next >= cards.length) break;
      starts.push(next);
      from = next;
    }
    pages = starts.length;
    page = page % pages;
    const first = starts[page];
    const end = page + 1 < pages ? starts[page + 1] : cards.length;
    cards.forEach(function (c, i) { c.hidden = i < first || i >= end; });
    label.textContent = pages > 1 ? t('act_page', { n: page + 1, total: pages }) : '';
    if (pages > 1 && !timer) {
      timer = window.setTimeout(function () { timer = 0; page += 1; rerender(); }, PAGE_SECONDS * 1000);
    }
  }
})();
