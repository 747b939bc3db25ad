/* Projector: the proeftuin activities. The challenges (counts hidden until revealed, then a ranking
   per room and discipline), the idea wall (approved ideas only, newest on top) and the dot vote (top
   ideas once revealed); fit (fit.js) sizes each and pages what does not fit. screen.js hands over its view,
   with the activities from the page's store, while the facilitator shows an activity. */
import * as W from './common.js';
import { fit } from './fit.js';

const el = W.el;
const t = W.t;
let view = null; // the activities (projector) as the page's store has them, while one is drawn

/** Draw an activity into #v-activity: the one the server says the projector shows (state.shows), from the
    activities in the page's store. */
export function render(name, activities) {
  view = activities || null;
  const builders = { challenges: challenges, ideas: ideas, vote: vote };
  if (!view || !builders[name]) return;
  const status = view.status[name];
  document.body.setAttribute('data-screen', 'activity-' + name);
  W.$('footer-join').hidden = false;
  W.morph(W.$('v-activity'), el('section', { class: 'sc-activity', 'data-key': name + ':' + status },
    builders[name](status)));
  W.showView('v-activity');
  fit(W.$('v-activity').firstElementChild);
}

/** A line with how many took part so far (no counts per item before the reveal: no anchoring). */
function counted(n, one, many) {
  return el('p', { class: 'sc-count', 'aria-live': 'polite' }, el('strong', { text: W.tn(n, one, many) }));
}

/** The challenges: the list while people pick, the ranking once revealed. */
function challenges(status) {
  const result = view.challenge_result || {};
  if (status === 'revealed' && result.items) {
    return [el('h1', { class: 'sc-title', text: t('act_ranking_title') }),
      el('div', { class: 'sc-act-columns', 'data-fit-pages': '' },
        rankList(result.items, result.respondents, t('act_room')),
        (result.by_discipline || []).map(function (g) {
          return rankList(g.items.slice(0, 3), g.respondents, g.group === 'other' ? t('act_other') : g.group);
        }))];
  }
  return [el('h1', { class: 'sc-title', text: t('act_challenges_title') }),
    el('ol', { class: 'sc-act-list', 'data-fit-pages': '' }, view.challenges.map(function (c) {
      return el('li', { 'data-key': c.id, text: c.text });
    })),
    counted(result.respondents || 0, 'act_people_one', 'act_people_other'),
    el('p', { class: 'sc-hint', text: status === 'open' ? t('act_screen_pick') : t('act_screen_wait') })];
}

/** A ranked list with counts and shares in text and a bar (never colour alone). */
function rankList(items, n, title) {
  return el('section', { class: 'sc-act-rank' },
    el('h2', { class: 'sc-act-rank-title', text: title + ' · ' + W.tn(n, 'act_people_one', 'act_people_other') }),
    el('ol', { 'data-fit-items': '' }, items.map(function (item, i) {
      return el('li', { 'data-key': item.id, value: i + 1 },
        el('span', { class: 'sc-act-text', text: item.text }),
        el('span', { class: 'sc-act-bar' }, W.meter('span', 'sc-act-fill', item.share, 0)),
        el('strong', { class: 'sc-act-n', text: W.num(item.count) + ' (' + W.pct(item.share) + ')' }));
    })));
}

/** The wall as cards, newest first, one page of them. */
function wallCards(items) {
  return el('ul', { class: 'sc-wall', id: 'sc-wall', 'aria-label': t('act_wall_label'), 'data-fit-pages': '' },
    items.map(function (pair) { return el('li', { class: 'sc-card', 'data-key': String(pair[0]), text: pair[1] }); }));
}

/** The idea wall with its page indicator. */
function ideas(status) {
  const wall = view.wall || [];
  return [el('h1', { class: 'sc-title', text: t('act_ideas_title') }),
    status === 'open' ? prompts() : null,
    wall.length ? wallCards(wall) : el('p', { class: 'sc-hint', text: t('act_wall_empty') }),
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
      el('div', { class: 'sc-act-columns', 'data-fit-pages': '' }, dotList(top, t('act_room'), result.voters),
        (result.by_discipline || []).map(function (g) {
          return dotList(g.items.slice(0, 3).map(function (i) { return { id: i.id, text: i.text, count: i.dots, share: i.dots / Math.max(1, g.items[0].dots) }; }),
            g.group === 'other' ? t('act_other') : g.group, g.voters);
        }))];
  }
  return [el('h1', { class: 'sc-title', text: t('act_vote_title') }),
    counted(result.voters || 0, 'act_people_one', 'act_people_other'),
    (view.wall || []).length ? wallCards(view.wall) : null];
}

/** Top ideas with their dots in words and a bar relative to the first. */
function dotList(items, title, voters) {
  return el('section', { class: 'sc-act-rank' },
    el('h2', { class: 'sc-act-rank-title', text: title + ' · ' + W.tn(voters, 'act_voters_one', 'act_voters_other') }),
    el('ol', { 'data-fit-items': '' }, items.map(function (item, i) {
      return el('li', { 'data-key': String(item.id), value: i + 1 },
        el('span', { class: 'sc-act-text', text: item.text }),
        el('span', { class: 'sc-act-bar' }, W.meter('span', 'sc-act-fill', item.share, 0)),
        el('strong', { class: 'sc-act-n', text: W.tn(item.count, 'act_dots_one', 'act_dots_other') }));
    })));
}
