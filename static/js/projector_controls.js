/* Facilitator page: the projector's controls (join QR, pause, hidden results, timer, names) and their shortcuts. */
import * as W from './common.js';
import { shortcut } from './shortcuts.js';
import { statusLine } from './request.js';
import * as timer from './timer.js';

/** The projector controls panel, drawn from the page's store; its shortcuts join the page's. */
export function mount(page) {
  const t = W.t;
  const el = W.el;
  const panel = W.$('projector-controls');
  let state = null;
  let live = null;

  const say = statusLine('pc-msg'); // how a control action went, in the panel's status line

  /** Send a control action; say done or why not (the reply's state reaches the store, and so this panel). */
  function command(payload, done) {
    page.send('command', payload, { say: say, done: done, plain: true });
  }

  /** The question a timer or a new round acts on: the one in focus. */
  function focusQuestion() {
    return state && W.byId(state.questions, state.focus);
  }

  /** Name of a question for messages. */
  function questionName(qs) {
    const q = qs && W.byId(W.data().questionnaire.questions, qs.id);
    return q ? q.short : '';
  }

  const actions = {
    /** The join QR on the projector, or back to what it showed. */
    join: function () {
      if (!state) return;
      const showing = state.view === 'join';
      command({ action: 'view', view: showing ? 'auto' : 'join' }, t(showing ? 'done_view' : 'done_join_view'));
    },
    /** The pause screen on or off. */
    blank: function () {
      if (state) command({ action: state.blank ? 'unblank' : 'blank' }, t(state.blank ? 'done_unblank' : 'done_blank'));
    },
    /** Hide the results on the projector, or show them again. */
    hide: function () {
      if (state) command({ action: state.hide_results ? 'show_results' : 'hide_results' },
        t(state.hide_results ? 'done_show_results' : 'done_hide_results'));
    },
    /** Start the timer on the open question in focus, or add time while it runs. */
    timer: function () {
      if (!state) return;
      if (state.timer) { command({ action: 'timer_add' }, t('done_timer_add')); return; }
      const qs = focusQuestion();
      if (!qs || (qs.allowed || []).indexOf('timer') < 0) { say(t('timer_needs_open'), 'error'); return; } // the server's rule
      command({ action: 'timer', question: qs.id, seconds: Number(W.$('pc-seconds').value), reveal: W.$('pc-reveal').checked },
        t('done_timer', { name: questionName(qs) }));
    },
    /** The group results on the projector, or back to following the session; asks first while people answer. */
    results: function () {
      if (!state) return;
      const showing = state.view === 'results';
      const open = !showing && page.stillAnswering();
      if (open && !window.confirm(t('confirm_results', { n: W.num(open.n), total: W.num(open.total) }))) return;
      command({ action: 'view', view: showing ? 'auto' : 'results' }, t('done_view'));
    },
    /** The agreed first small steps on the projector, or back to following the session. */
    steps: function () {
      if (!state) return;
      const showing = state.view === 'steps';
      command({ action: 'view', view: showing ? 'auto' : 'steps' }, t('done_view'));
    },
    /** A new round of the question in focus. */
    newRound: function () {
      const qs = focusQuestion();
      if (qs) command({ action: 'new_round', question: qs.id }, t('done_new_round', { name: questionName(qs) }));
    },
  };

  /** Draw the panel from the state and the names in the live aggregate. */
  function render() {
    if (!state) return;
    W.$('pc-join').setAttribute('aria-pressed', state.view === 'join' ? 'true' : 'false');
    W.$('pc-blank').setAttribute('aria-pressed', state.blank ? 'true' : 'false');
    W.$('pc-hide').setAttribute('aria-pressed', state.hide_results ? 'true' : 'false');
    W.$('pc-timer-start').hidden = Boolean(state.timer);
    W.$('pc-timer-add').hidden = !state.timer;
    W.$('pc-timer-stop').hidden = !state.timer;
    panel.querySelectorAll('[data-names]').forEach(function (button) {
      button.setAttribute('aria-pressed', button.getAttribute('data-names') === (state.names || 'auto') ? 'true' : 'false');
    });
    renderNames();
  }

  /** The latest names, each with a button that hides it from the projector or shows it again. */
  function renderNames() {
    const names = (live && live.names) || [];
    const ids = (live && live.name_ids) || [];
    const hidden = state.hidden_names || [];
    const items = names.map(function (name, i) { return { id: ids[i], name: name }; }).reverse();
    W.morph(W.$('pc-names-list'), items.length ? items.map(function (item) {
      const isHidden = hidden.indexOf(item.id) >= 0;
      return el('li', { class: isHidden ? 'is-hidden' : '', 'data-key': 'n' + item.id },
        el('span', { class: 'pc-name', text: item.name }),
        el('button', {
          type: 'button', class: 'btn btn-small', 'data-focus-key': 'name:' + item.id,
          'aria-label': t(isHidden ? 'show_name_label' : 'hide_name_label', { name: item.name }),
          onclick: function () {
            command({ action: isHidden ? 'show_name' : 'hide_name', participant: item.id },
              t(isHidden ? 'done_show_name' : 'done_hide_name', { name: item.name }));
          },
        }, t(isHidden ? 'show_name' : 'hide_name')));
    }) : el('li', { 'data-key': 'none', text: t('names_none') }));
  }

  // A new state brings its timer's deadline and the server's clock; the live aggregate brings the names.
  page.store.subscribe(function (store, event) {
    if (event === 'snapshot' || event === 'state' || event === 'reply') {
      if (store.state !== state) timer.update(store.state.timer);
    } else if (event !== 'live') return;
    state = store.state;
    live = store.live || null;
    if (state) W.keepFocus(render);
  });

  W.$('pc-join').addEventListener('click', actions.join);
  W.$('pc-blank').addEventListener('click', actions.blank);
  W.$('pc-hide').addEventListener('click', actions.hide);
  W.$('pc-timer-start').addEventListener('click', actions.timer);
  W.$('pc-timer-add').addEventListener('click', actions.timer);
  W.$('pc-timer-stop').addEventListener('click', function () { command({ action: 'timer_stop' }, t('done_timer_stop')); });
  // Names: buttons, not a select, so no arrow key pressed afterwards changes the setting (issue 22).
  panel.querySelectorAll('[data-names]').forEach(function (button) {
    button.addEventListener('click', function () {
      if (button.getAttribute('aria-pressed') !== 'true') command({ action: 'names', names: button.getAttribute('data-names') }, t('done_names'));
    });
  });

  // Shortcuts (shortcuts.js dispatches them and lists them in the `?` overlay).
  shortcut(['g'], t('key_results'), actions.results);
  shortcut(['a'], t('key_new_round'), actions.newRound);
  shortcut(['b'], t('key_blank'), actions.blank);
  shortcut(['j'], t('key_join'), actions.join);
  shortcut(['t'], t('key_timer'), actions.timer);
  shortcut(['h'], t('key_hide_results'), actions.hide);
  shortcut(['s'], t('key_steps'), actions.steps);
  if (panel) panel.hidden = false;
}
