/* Phone: the proeftuin activities (challenges, ideas, dot vote) and the agreed first steps.
   participant.js mounts it on the page's store and hands over its view while an activity is shown
   (takesOver/render); the result page ends with stepsBlock(). */
import * as W from './common.js';

const el = W.el;
const t = W.t;
let page = null; // the phone page's store and socket
let view = null; // the phone's activities view (protocol.md "activities"), as the page's store has it
let wall = []; // [[id, text]], newest first (the store's)
let steps = [];
let seed = 0; // this phone's seed for the order of the vote's ideas (me.vote_seed)
let changes = 0; // counts what changed here, so the page knows to draw again
let rerender = function () {};
let chosen = null; // challenge ids ticked but not sent yet
const status = {}; // activity -> {text, tone}
const graphemes = window.Intl && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;

/** Note a change and let the page draw again. */
function changed() {
  changes += 1;
  rerender();
}

/** A number that changes whenever what this module draws may have changed. */
export function version() {
  return changes;
}

/** The idea wall in a store's state: the diffs applied since the snapshot, else the snapshot's. */
function wallOf(current) {
  return current.wall || (current.activities && current.activities.wall) || [];
}

/** Apply a diff of the idea wall: upsert [id, text] pairs, remove ids; newest (highest id) first. */
function applyWall(pairs, diff) {
  const byId = new Map(pairs);
  (diff.remove || []).forEach(function (id) { byId.delete(id); });
  (diff.upsert || []).forEach(function (pair) { byId.set(pair[0], pair[1]); });
  return Array.from(byId.entries()).sort(function (a, b) { return b[0] - a[0]; });
}

/** How the activities' events merge into the phone's store (store.js parts). */
export const parts = {
  activities: function (current, data) {
    const mine = current.activities && current.activities.mine;
    return { activities: Object.assign({}, data, { mine: data.mine || mine }), wall: wallOf(current) };
  },
  wall: function (current, diff) { return { wall: applyWall(wallOf(current), diff) }; },
  mine: function (current, mine) {
    return current.activities ? { activities: Object.assign({}, current.activities, { mine: mine }) } : {};
  },
  steps: 'steps',
};

/** Take the phone's own part of an acknowledgement into the store (its picks, ideas or dots). */
function keepMine(mine) {
  page.store.set({ activities: Object.assign({}, view, { mine: mine }) }, 'reply');
}

/** Follow the page's store (page: {store, socket}); render draws the page again. */
export function mount(phonePage, render) {
  page = phonePage;
  rerender = render;
  page.store.subscribe(function (current, event) {
    view = current.activities || null;
    wall = wallOf(current);
    steps = current.steps || [];
    if (event === 'snapshot') {
      chosen = null;
      changes += 1;
    } else if (event in parts) changed();
  });
}

/** The phone's own picks, ideas and dots (empty before it took part). */
function own() {
  return Object.assign({ picks: [], ideas: [], dots: {} }, (view && view.mine) || {});
}

/** Whether an activity is shown now (the facilitator opened or showed it) to a joined phone. */
export function takesOver(me) {
  if (me) seed = me.vote_seed >>> 0;
  return !!(me && view && view.current);
}

/** MurmurHash3's 32-bit finaliser, bit for bit core/ideas.py's _mix32. */
function mix32(x) {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** The wall in this phone's own order for the vote: core/ideas.py vote_order with the seed the server gave
    this phone (me.vote_seed), so no idea gains from standing first on every phone. */
function voteOrder(pairs) {
  return pairs.map(function (pair) { return [mix32(seed ^ mix32(pair[0])), pair]; })
    .sort(function (a, b) { return a[0] - b[0] || a[1][0] - b[1][0]; })
    .map(function (keyed) { return keyed[1]; });
}

/** Show a short status under an activity's controls. */
function say(activity, text, tone) {
  status[activity] = { text: text, tone: tone };
  changed();
}

/** The status line of an activity. */
function statusLine(activity) {
  const s = status[activity] || { text: '' };
  return el('p', { class: 'help act-status' + (s.tone ? ' q-status--' + s.tone : ''), role: 'status', text: s.text });
}

/** Send a request and report the outcome under the activity. */
function send(activity, event, payload, done) {
  say(activity, t('sending'), 'sending');
  W.request(page.socket, event, payload, function (reply) {
    if (!reply.ok) { say(activity, reply.error.message, 'error'); return; }
    done(reply);
    say(activity, t('received'), 'ok');
  });
}

/** Draw the shown activity into #v-activity. */
export function render() {
  const builders = { challenges: challenges, ideas: ideas, vote: vote };
  const status_ = view.status[view.current];
  W.morph(W.$('v-activity'), el('div', { 'data-key': view.current + ':' + status_ },
    builders[view.current](status_), stepsBlock()));
  return W.showView('v-activity');
}

/** A waiting block: look at the screen. */
function waiting(title) {
  return [el('div', { class: 'pulse', 'aria-hidden': 'true' }), el('h1', { text: title }),
    el('p', { class: 'lead', text: t('act_look_screen') })];
}

/** The challenges: pick one or two while open, the room's ranking once revealed. */
function challenges(status_) {
  const mine = own().picks;
  if (status_ === 'revealed' && view.challenge_result) return ranking(view.challenge_result.items);
  if (status_ !== 'open') return waiting(t('act_challenges_title'));
  const ticked = chosen || mine;
  const most = view.limits.picks;
  return [
    el('p', { class: 'eyebrow', text: t('act_challenges_eyebrow') }),
    el('h1', { text: t('act_challenges_title') }),
    el('fieldset', { class: 'field choices' },
      el('legend', { text: W.tn(most, 'act_pick_one', 'act_pick_other') }),
      view.challenges.map(function (c) {
        const on = ticked.indexOf(c.id) >= 0;
        return el('label', { class: 'choice', 'data-key': c.id },
          el('input', { type: 'checkbox', value: c.id, checked: on, disabled: !on && ticked.length >= most,
            onchange: function (event) {
              const next = ticked.filter(function (x) { return x !== c.id; });
              if (event.target.checked) next.push(c.id);
              chosen = next;
              changed();
            } }),
          el('span', { text: c.text }));
      })),
    el('button', { type: 'button', class: 'btn btn-primary btn-block', disabled: !ticked.length,
      text: t('act_send_choice'), onclick: function () {
        send('challenges', 'pick', { picks: ticked }, function (reply) {
          chosen = null;
          keepMine(Object.assign(own(), { picks: reply.picks }));
        });
      } }),
    statusLine('challenges'),
    el('p', { class: 'muted', text: t('act_can_change') })];
}

/** A revealed ranking of challenges: text, people and share (never colour alone). */
function ranking(items) {
  return [el('p', { class: 'eyebrow', text: t('act_challenges_eyebrow') }),
    el('h1', { text: t('act_ranking_title') }),
    el('ol', { class: 'act-ranking' }, (items || []).map(function (item) {
      return el('li', {}, el('span', { text: item.text }), ' ',
        el('strong', { text: W.tn(item.count, 'act_people_one', 'act_people_other') + ' (' + W.pct(item.share) + ')' }));
    }))];
}

/** Count characters as the server does (grapheme clusters). */
function characters(text) {
  return Array.from(graphemes ? graphemes.segment(text) : text).length;
}

/** Ideas: choose a prompt, type an idea, see your own ideas and their status. */
function ideas(status_) {
  const mine = own().ideas;
  const left = view.limits.ideas - mine.length;
  const list = el('section', { class: 'act-mine', 'aria-labelledby': 'act-mine-title' },
    el('h2', { id: 'act-mine-title', text: t('act_your_ideas') }),
    mine.length ? el('ul', { class: 'bullets' }, mine.map(function (i) {
      return el('li', { 'data-key': String(i.id) }, el('span', { text: i.text }), ' ',
        el('em', { text: t('act_idea_' + i.status) }));
    })) : el('p', { class: 'muted', text: t('act_no_ideas') }));
  if (status_ !== 'open') return [waiting(t('act_ideas_title')), list];
  const form = left > 0 ? [
    el('fieldset', { class: 'field choices' },
      el('legend', { text: t('act_prompt_legend') }),
      view.prompts.map(function (p, i) {
        return el('label', { class: 'choice', 'data-key': p.id },
          el('input', { type: 'radio', name: 'act-prompt', value: p.id, checked: i === 0 }),
          el('span', { text: p.text }));
      })),
    el('div', { class: 'field' },
      el('label', { for: 'act-idea', text: t('act_idea_label') }),
      el('textarea', { id: 'act-idea', rows: 3, maxlength: 4 * view.limits.idea_max,
        'aria-describedby': 'act-idea-count', oninput: countIdea }),
      el('p', { class: 'help-row' }, el('span', { id: 'act-idea-count', class: 'counter',
        text: t('chars', { n: 0, max: view.limits.idea_max }) }))),
    el('button', { type: 'button', class: 'btn btn-primary btn-block', text: t('act_send_idea'), onclick: sendIdea }),
  ] : [el('p', { class: 'notice', text: t('act_ideas_done') })];
  return [el('p', { class: 'eyebrow', text: t('act_ideas_eyebrow') }), el('h1', { text: t('act_ideas_title') }),
    el('p', { class: 'lead', text: t('act_ideas_help') }), form,
    left > 0 ? el('p', { class: 'muted', text: W.tn(left, 'act_ideas_left_one', 'act_ideas_left_other') }) : null,
    statusLine('ideas'), list];
}

/** Update the idea's character counter. */
function countIdea() {
  const n = characters(W.$('act-idea').value.trim());
  const counter = W.$('act-idea-count');
  counter.textContent = t('chars', { n: n, max: view.limits.idea_max });
  counter.classList.toggle('counter--over', n > view.limits.idea_max);
}

/** Send the typed idea with its prompt. */
function sendIdea() {
  const area = W.$('act-idea');
  const prompt = document.querySelector('input[name="act-prompt"]:checked');
  send('ideas', 'idea', { text: area.value, prompt: prompt ? prompt.value : null }, function (reply) {
    area.value = '';
    const mine = own();
    if (!mine.ideas.some(function (i) { return i.id === reply.idea.id; })) mine.ideas = mine.ideas.concat([reply.idea]);
    keepMine(mine);
  });
}

/** The dot vote: place and move dots on the wall's ideas; the top ideas once revealed. */
function vote(status_) {
  if (status_ === 'revealed' && view.vote_result) {
    return [el('h1', { text: t('act_top_title') }), el('ol', { class: 'act-ranking' },
      (view.vote_result.items || []).map(function (item) {
        return el('li', {}, el('span', { text: item.text }), ' ',
          el('strong', { text: W.tn(item.dots, 'act_dots_one', 'act_dots_other') }));
      }))];
  }
  if (status_ !== 'open') return waiting(t('act_vote_title'));
  const dots = own().dots;
  const used = Object.keys(dots).reduce(function (n, k) { return n + dots[k]; }, 0);
  const left = view.limits.dots - used;
  return [el('p', { class: 'eyebrow', text: t('act_vote_eyebrow') }), el('h1', { text: t('act_vote_title') }),
    el('p', { class: 'lead', role: 'status', text: W.tn(left, 'act_dots_left_one', 'act_dots_left_other') }),
    el('p', { class: 'muted', text: t('act_vote_help', { n: view.limits.dots_per_idea }) }),
    statusLine('vote'),
    el('ul', { class: 'act-vote' }, voteOrder(wall).map(function (pair) {
      const id = pair[0];
      const n = dots[String(id)] || 0;
      return el('li', { class: 'act-vote-item', 'data-key': String(id) },
        el('p', { class: 'act-vote-text', text: pair[1] }),
        el('p', { class: 'act-vote-controls' },
          el('button', { type: 'button', class: 'btn btn-small', text: '−', disabled: n === 0,
            'aria-label': t('act_dot_off', { idea: pair[1] }), onclick: function () { setDots(id, n - 1); } }),
          el('strong', { class: 'act-dots', text: '●'.repeat(n) + ' ' + W.tn(n, 'act_dots_one', 'act_dots_other') }),
          el('button', { type: 'button', class: 'btn btn-small', text: '+',
            disabled: left === 0 || n >= view.limits.dots_per_idea,
            'aria-label': t('act_dot_on', { idea: pair[1] }), onclick: function () { setDots(id, n + 1); } })));
    }))];
}

/** Set the number of the phone's dots on one idea. */
function setDots(id, count) {
  send('vote', 'dots', { idea: id, count: count }, function (reply) {
    keepMine(Object.assign(own(), { dots: reply.dots }));
  });
}

/** The agreed first steps (the end of the phone's result and activity pages), or null. */
export function stepsBlock() {
  if (!steps.length) return null;
  return el('section', { class: 'act-steps', 'aria-labelledby': 'act-steps-title' },
    el('h2', { id: 'act-steps-title', text: t('act_steps_title') }),
    el('ol', { class: 'bullets' }, steps.map(function (s) {
      const extra = [s.who, s.due].filter(Boolean).join(' · ');
      return el('li', {}, el('strong', { text: s.what }), extra ? ' — ' + extra : '',
        s.idea_text && s.idea_text !== s.what ? el('span', { class: 'muted act-step-idea', text: t('steps_from_idea', { idea: s.idea_text }) }) : null);
    })));
}
