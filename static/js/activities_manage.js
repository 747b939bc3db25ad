/* Facilitator: run the proeftuin activities. Programme, challenge list, open/close/reveal/show, ideas
   with moderation (approve, hide, edit, merge; undo for a few seconds) and turning an idea into a first
   step. Drawn from the page's store (store.js); requests through its helper (request.js). */
import * as W from './common.js';
import { statusLine } from './request.js';

/** The activities panel, drawn from the page's store. */
export function mount(page, addStep) {
  const root = document.getElementById('act-ui');
  if (!root) return;
  const el = W.el;
  const t = W.t;
  const NAMES = ['challenges', 'ideas', 'vote'];
  let view = null;
  let shows = null; // what the projector shows (state.shows, the server's rule): "· on screen" only when true
  let undo = null; // {id, until, label}
  let undoTimer = 0;
  let editing = null; // challenge texts being edited (array of {id, text}) or null
  let editingIdea = null; // the idea whose text is being corrected inline: {id, text}
  let merging = null; // the idea being merged: {id, target} (target chosen, not yet confirmed)
  let focusAfter = null; // data-focus-key to focus after the next render (inline edit and merge)
  const schedule = W.perFrame(render);

  const say = statusLine('act-msg', { plain: true }); // the panel's live region

  /** Send a request; on success the store takes the view from the ack when it carries one. */
  function request(event, payload, done) {
    page.send(event, payload, {
      say: say,
      ok: function (reply) {
        if (done) done(reply);
        if (reply.activities) page.store.set({ activities: reply.activities }, 'reply', reply);
        else schedule();
      },
    });
  }

  /** An activity action (open, close, reveal, show, programme, challenges, auto_approve). */
  function action(payload, message) {
    request('activity', payload, function () { say(message || t('done')); });
  }

  /** A moderation action that can be undone for a few seconds. */
  function moderate(payload, label) {
    request('moderate', payload, function (reply) {
      undo = { id: reply.undo, until: Date.now() + reply.seconds * 1000, label: label };
      say(label);
      window.clearTimeout(undoTimer);
      undoTimer = window.setTimeout(function () { undo = null; schedule(); }, reply.seconds * 1000);
    });
  }

  /** Draw the whole panel. */
  function render() {
    if (!view) return;
    W.keepFocus(function () {
      W.morph(root, programme(), NAMES.filter(function (a) { return view.programme.indexOf(a) >= 0; }).map(block),
        undoBar(), allows('show') ? el('p', {}, el('button', { type: 'button', class: 'btn btn-small',
          'data-focus-key': 'act-back', text: t('act_back_to_quiz'), onclick: function () { action({ action: 'show', activity: null }); } })) : null);
    });
    if (focusAfter) {
      const target = root.querySelector('[data-focus-key="' + CSS.escape(focusAfter) + '"]');
      focusAfter = null;
      if (target) target.focus();
    }
  }

  /** Render now and then focus the control with this focus key. */
  function renderFocusing(key) {
    focusAfter = key;
    render();
  }

  /** Whether the server allows an activity action now (view.allowed, core.activities.allowed): for one
      activity (open, close, reveal, show) or, without one, programme, challenges, show (back to the quiz). */
  function allows(action, a) {
    const list = a ? view.allowed.activities[a] : view.allowed.actions;
    return !!list && list.indexOf(action) >= 0;
  }

  /** The programme's checkboxes (fixed once an activity started: the server says so) and auto-approve. */
  function programme() {
    return el('fieldset', { class: 'field choices', 'data-key': 'programme' },
      el('legend', { text: t('act_programme') }),
      NAMES.map(function (a) {
        return el('label', { class: 'choice', 'data-key': a },
          el('input', { type: 'checkbox', value: a, checked: view.programme.indexOf(a) >= 0, disabled: !allows('programme'),
            'data-focus-key': 'prog-' + a, onchange: changeProgramme }),
          el('span', { text: t('act_name_' + a) }));
      }),
      el('label', { class: 'choice', 'data-key': 'auto' },
        el('input', { type: 'checkbox', checked: view.auto_approve, 'data-focus-key': 'auto-approve',
          onchange: function (e) { action({ action: 'auto_approve', enabled: e.target.checked }); } }),
        el('span', { text: t('act_auto_approve') })));
  }

  /** Send the ticked activities as the programme. */
  function changeProgramme() {
    const ticked = Array.prototype.filter.call(root.querySelectorAll('fieldset[data-key="programme"] input[value]'),
      function (i) { return i.checked; }).map(function (i) { return i.value; });
    action({ action: 'programme', activities: ticked });
  }

  /** Whether the projector shows this activity now (not when the pause screen or the join code wins). */
  function onProjector(a) {
    return shows === 'activity_' + a || shows === 'activity_' + a + '_result';
  }

  /** One activity's controls and content. */
  function block(a) {
    const status = view.status[a];
    const buttons = [];
    const button = function (label, payload) {
      buttons.push(el('button', { type: 'button', class: 'btn btn-small', 'data-focus-key': a + '-' + payload.action,
        text: label, onclick: function () { action(Object.assign({ activity: a }, payload)); } }));
    };
    // Each button names its activity: "Reopen challenges" and "Open ideas" never read alike.
    // Which buttons: the server's list for this activity (view.allowed); the status only picks the words.
    const again = status === 'closed' || status === 'revealed';
    if (allows('open', a)) button(t((again ? 'act_reopen_' : 'act_open_') + a), { action: 'open' });
    if (allows('close', a)) button(t('act_close_' + a), { action: 'close' });
    if (allows('reveal', a)) button(t('act_reveal_' + a), { action: 'reveal' });
    if (allows('show', a)) button(t('act_show'), { action: 'show' });
    if (a === 'ideas') {
      const waiting = view.ideas.filter(function (i) { return i.status === 'pending'; }).length;
      buttons.push(el('button', { type: 'button', class: 'btn btn-small btn-primary', 'data-focus-key': 'ideas-approve-all',
        disabled: !waiting, text: t('act_approve_all', { n: W.num(waiting) }),
        onclick: function () { moderate({ action: 'approve_all' }, t('act_approved_all')); } }));
    }
    const parts = { challenges: challengesPart, ideas: ideasPart, vote: votePart }[a]();
    return el('section', { class: 'act-block', 'data-key': a, 'aria-labelledby': 'act-h-' + a },
      el('h3', { id: 'act-h-' + a }, t('act_name_' + a), ' ',
        el('span', { class: 'h-sub', text: t('act_status_' + status) + (onProjector(a) ? ' · ' + t('act_on_screen') : '') })),
      el('p', { class: 'controls' }, buttons), parts);
  }

  /** The challenge list: editable before it opens, then the live ranking (facilitator only). */
  function challengesPart() {
    if (allows('challenges')) { // the list can change until the challenges open
      const items = editing || view.challenges.map(function (c) { return { id: c.id, text: c.text }; });
      return el('div', { 'data-key': 'edit' },
        el('ol', { class: 'act-edit' }, items.map(function (c, i) {
          return el('li', { 'data-key': 'c' + i },
            el('input', { type: 'text', value: c.text, maxlength: 4 * Number(root.dataset.challengeMax),
              'aria-label': t('act_challenge_n', { n: i + 1 }), 'data-focus-key': 'challenge-' + i,
              oninput: function (e) { editing = items; items[i].text = e.target.value; } }),
            ' ', el('button', { type: 'button', class: 'btn btn-small btn-danger', text: t('remove'),
              'aria-label': t('act_challenge_remove', { n: i + 1 }),
              onclick: function () { editing = items.filter(function (_x, j) { return j !== i; }); schedule(); } }));
        })),
        el('p', { class: 'controls' },
          el('button', { type: 'button', class: 'btn btn-small', text: t('act_challenge_add'),
            disabled: items.length >= Number(root.dataset.challengesMax),
            onclick: function () { editing = items.concat([{ text: '' }]); schedule(); } }),
          el('button', { type: 'button', class: 'btn btn-small btn-primary', text: t('act_challenges_save'),
            onclick: function () { action({ action: 'challenges', items: items }, t('saved')); editing = null; } })));
    }
    return ranking(view.challenge_result);
  }

  /** The live challenge ranking. */
  function ranking(result) {
    if (!result || !result.items) return null;
    return el('div', { 'data-key': 'ranking' },
      el('p', { class: 'help', text: W.tn(result.respondents, 'act_people_one', 'act_people_other') }),
      el('ol', { class: 'act-ranking' }, result.items.map(function (item) {
        return el('li', { 'data-key': item.id }, item.text + ' — ' + W.num(item.count) + ' (' + W.pct(item.share) + ')');
      })));
  }

  /** Every idea on one line: its status, text, dots and moderation buttons (edit inline, merge after a confirmation). */
  function ideasPart() {
    const ideas = view.ideas.filter(function (i) { return i.status !== 'merged'; });
    const targets = new Set(view.merge_targets || []);  // the server's list: approved ideas only
    if (!ideas.length) return el('p', { class: 'help', 'data-key': 'none', text: t('act_no_ideas_yet') });
    const more = view.ideas_total > view.ideas.length ? el('p', { class: 'help', 'data-key': 'more',
      text: t('act_list_more', { n: W.num(view.ideas.length), total: W.num(view.ideas_total) }) }) : null;
    return [more, el('ul', { class: 'act-ideas', 'data-key': 'ideas' }, ideas.map(function (i) {
      const others = ideas.filter(function (o) { return o.id !== i.id && targets.has(o.id); });
      return ideaLine(i, others);
    }))];
  }

  /** One idea's line. */
  function ideaLine(i, others) {
    const b = function (label, onclick, key, cls) {
      return el('button', { type: 'button', class: 'btn btn-small' + (cls ? ' ' + cls : ''), text: label,
        'data-focus-key': key + '-' + i.id, 'aria-label': label + ': ' + i.text, onclick: onclick });
    };
    const meta = W.tn(i.dots, 'act_dots_one', 'act_dots_other') + (i.authors > 1 ? ' · ' + t('act_merged_n', { n: i.authors }) : '');
    const edit = editingIdea && editingIdea.id === i.id;
    const merge = merging && merging.id === i.id;
    const text = edit ? editForm(i) : el('span', { class: 'act-idea-text', 'data-key': 'text', text: i.text });
    const buttons = edit ? null : el('span', { class: 'act-idea-actions', 'data-key': 'actions' },
      i.status !== 'approved' ? b(t('act_approve'), function () { moderate({ action: 'approve', idea: i.id }, t('act_approved')); }, 'approve') : null,
      i.status !== 'hidden' ? b(t('act_hide'), function () { moderate({ action: 'hide', idea: i.id }, t('act_hidden')); }, 'hide') : null,
      b(t('act_edit'), function () {
        editingIdea = { id: i.id, text: i.text };
        merging = null;
        renderFocusing('edit-text-' + i.id);
      }, 'edit'),
      others.length && !merge ? b(t('act_merge'), function () {
        merging = { id: i.id, target: '' };
        editingIdea = null;
        renderFocusing('merge-target-' + i.id);
      }, 'merge') : null,
      i.status === 'approved' ? b(t('act_make_step'), function () { makeStep(i); }, 'step') : null);
    return el('li', { class: 'act-idea act-idea--' + i.status, 'data-key': String(i.id) },
      el('span', { class: 'act-idea-state', 'data-key': 'state', text: t('act_idea_state_' + i.status) }),
      text,
      el('span', { class: 'act-idea-meta', 'data-key': 'meta', text: meta }),
      buttons,
      merge && others.length ? mergeForm(i, others) : null);
  }

  /** The inline editor of an idea's text: Enter or Save stores it, Escape or Cancel leaves it as it was. */
  function editForm(i) {
    const save = function () {
      const text = editingIdea.text.trim();
      if (!text) return;
      editingIdea = null;
      if (text !== i.text) moderate({ action: 'edit', idea: i.id, text: text }, t('act_edited'));
      renderFocusing('edit-' + i.id);
    };
    const cancel = function () {
      editingIdea = null;
      renderFocusing('edit-' + i.id);
    };
    return el('span', { class: 'act-idea-edit', 'data-key': 'edit' },
      el('input', { type: 'text', value: editingIdea.text, maxlength: 4 * Number(root.dataset.ideaMax),
        'aria-label': t('act_edit_label', { idea: i.text }), 'data-focus-key': 'edit-text-' + i.id,
        oninput: function (e) { editingIdea.text = e.target.value; },
        onkeydown: function (e) {
          if (e.key === 'Enter') { e.preventDefault(); save(); }
          if (e.key === 'Escape') { e.preventDefault(); cancel(); }
        } }),
      el('button', { type: 'button', class: 'btn btn-small btn-primary', 'data-focus-key': 'edit-save-' + i.id,
        text: t('act_edit_save'), onclick: save }),
      el('button', { type: 'button', class: 'btn btn-small', 'data-focus-key': 'edit-cancel-' + i.id,
        text: t('act_cancel'), onclick: cancel }));
  }

  /** Choose the idea to merge into, then confirm in a dialog that names both ideas (choosing alone merges nothing). */
  function mergeForm(i, others) {
    const cancel = function () {
      merging = null;
      renderFocusing('merge-' + i.id);
    };
    return el('span', { class: 'act-idea-merge', 'data-key': 'merge' },
      el('select', { 'aria-label': t('act_merge_into', { idea: i.text }), 'data-focus-key': 'merge-target-' + i.id,
        'data-value': merging.target,
        onchange: function (e) { merging.target = e.target.value; schedule(); } },
        el('option', { value: '', text: t('act_merge_choose') }),
        others.map(function (o) { return el('option', { value: String(o.id), text: o.text }); })),
      el('button', { type: 'button', class: 'btn btn-small btn-primary', 'data-focus-key': 'merge-go-' + i.id,
        disabled: !merging.target, text: t('act_merge_go'),
        onclick: function () { confirmMerge(i, others.find(function (o) { return String(o.id) === merging.target; })); } }),
      el('button', { type: 'button', class: 'btn btn-small', 'data-focus-key': 'merge-cancel-' + i.id,
        text: t('act_cancel'), onclick: cancel }));
  }

  /** Ask before merging: the dialog names the idea that goes and the idea it goes into. */
  function confirmMerge(idea, into) {
    if (!into) return;
    const dialog = W.$('merge-dialog');
    W.$('merge-text').textContent = t('act_merge_confirm', { idea: idea.text, target: into.text });
    dialog.returnValue = '';
    dialog.onclose = function () {
      if (dialog.returnValue !== 'merge') {
        renderFocusing('merge-go-' + idea.id);
        return;
      }
      merging = null;
      moderate({ action: 'merge', idea: idea.id, target: into.id }, t('act_merged_named', { idea: idea.text, target: into.text }));
    };
    dialog.showModal();
  }

  /** Turn an idea into a first small step with one click (the step keeps the link to its idea). */
  function makeStep(idea) {
    const what = Array.from(idea.text).slice(0, Number(root.dataset.stepWhatMax)).join('');
    if (addStep({ what: what, idea: idea.id })) say(t('act_step_made'));
    else say(t('act_steps_full'));
  }

  /** The live dot tallies and the top ideas (facilitator only). */
  function votePart() {
    const result = view.vote_result;
    if (!result || !result.items) return null;
    return el('div', { 'data-key': 'top' },
      el('p', { class: 'help', text: W.tn(result.voters, 'act_voters_one', 'act_voters_other') }),
      el('ol', { class: 'act-ranking' }, result.items.map(function (item) {
        return el('li', { 'data-key': String(item.id) }, item.text + ' — ' + W.tn(item.dots, 'act_dots_one', 'act_dots_other'), ' ',
          el('button', { type: 'button', class: 'btn btn-small', text: t('act_make_step'),
            'aria-label': t('act_make_step') + ': ' + item.text,
            onclick: function () { makeStep(item); } }));
      })));
  }

  /** The undo button of the last moderation action, while it may still be undone. */
  function undoBar() {
    if (!undo || Date.now() > undo.until) return null;
    return el('p', { class: 'notice', 'data-key': 'undo' }, undo.label + ' ',
      el('button', { type: 'button', class: 'btn btn-small', 'data-focus-key': 'undo', text: t('act_undo'),
        onclick: function () {
          const id = undo.id;
          undo = null;
          request('undo', { undo: id }, function () { say(t('act_undone')); });
        } }));
  }

  page.store.subscribe(function (store, event) {
    const now = store.state && store.state.shows;
    if (event === 'snapshot' || store.activities !== view || now !== shows) {
      view = store.activities || null;
      shows = now;
      schedule();
    }
  });
}
