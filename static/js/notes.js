/* Facilitator page: notes per question, first small steps, downloads and the shared report link.
   Kept in step with the page's store (store.js); strings come through W.t (jsstrings.py). */
import * as W from './common.js';

/** The notes, steps, downloads and report link panel, kept in step with the page's store. */
export function mount(page) {
  const root = document.getElementById('notes-ui');
  if (!root) return;
  const el = W.el;
  const t = W.t;
  const DELAY = 500; // ms of quiet typing before a save

  /** Show a short status next to a field. */
  function status(node, text, tone) {
    node.textContent = text;
    node.className = 'help' + (tone ? ' q-status--' + tone : '');
  }

  /** Call fn once typing has paused; flush() runs a waiting call at once. */
  function debounced(fn) {
    let timer = 0;
    const run = function () { window.clearTimeout(timer); timer = 0; fn(); };
    return {
      schedule: function () { window.clearTimeout(timer); timer = window.setTimeout(run, DELAY); },
      flush: function () { if (timer) run(); },
    };
  }

  // Notes: one per question plus the general note (question ''); a note is dirty until the server has its text.
  // Each save names the version it was typed on: the server keeps both texts when another device saved
  // meanwhile, and says so (conflict); one save per note is on its way at a time (issue 22).
  const notes = Array.prototype.map.call(root.querySelectorAll('textarea[data-note]'), function (area) {
    const note = { area: area, question: area.getAttribute('data-note'), dirty: false, version: 0,
      sending: false, again: false, status: document.getElementById(area.getAttribute('aria-describedby')) };
    note.save = debounced(function () { saveNote(note); });
    area.addEventListener('input', function () {
      note.dirty = true;
      status(note.status, t('saving'), 'sending');
      note.save.schedule();
    });
    area.addEventListener('blur', function () { note.save.flush(); });
    return note;
  });

  /** Send a note's current text on the version it was typed on; it is clean once the server stored that text. */
  function saveNote(note) {
    if (note.sending) { note.again = true; return; } // after the reply, on the version it brings
    const text = note.area.value;
    note.sending = true;
    page.send('note', { question: note.question, text: text, version: note.version }, {
      failed: function (error) {
        note.sending = false;
        status(note.status, t('not_saved', { message: error.message }), 'error');
      },
      ok: function (reply) {
        note.sending = false;
        took(note, text, reply);
        if (note.again) { note.again = false; if (note.dirty) saveNote(note); }
      },
    });
  }

  /** Take the stored note from a save's reply: its version, and the merged text after a conflict. */
  function took(note, sent, reply) {
    const typed = note.area.value;
    if (!reply.conflict) {
      note.version = reply.version;
      if (typed === sent) {
        note.dirty = false;
        status(note.status, t('saved'), 'ok');
      }
      return;
    }
    if (typed === sent) { // nothing typed meanwhile: show both texts as the server keeps them
      note.area.value = reply.text;
      note.version = reply.version;
      note.dirty = false;
    } else if (typed.indexOf(sent) === 0) { // typed on at the end meanwhile: keep that after the merged text
      note.area.value = reply.text + typed.slice(sent.length);
      note.version = reply.version;
      note.save.schedule();
    } // else: the next save, still on the older version, is merged again: nothing is lost
    status(note.status, t('note_conflict'), 'error');
  }

  // First small steps: rows of what / who / by when, saved as a whole list.
  const rows = document.getElementById('steps-rows');
  const stepsStatus = document.getElementById('steps-status');
  let stepsDirty = false;
  const stepsSave = debounced(saveSteps);

  /** The steps as typed, in order. */
  function collectSteps() {
    return Array.prototype.map.call(rows.querySelectorAll('tr'), function (tr) {
      const value = function (name) { return tr.querySelector('[data-field="' + name + '"]').value; };
      const step = { what: value('what'), who: value('who'), due: value('due') };
      if (tr.getAttribute('data-idea')) step.idea = Number(tr.getAttribute('data-idea'));
      return step;
    });
  }

  /** Send the steps; they are clean once the server has stored that same list. */
  function saveSteps() {
    const items = collectSteps();
    const sent = JSON.stringify(items);
    page.send('steps', { items: items }, {
      failed: function (error) { status(stepsStatus, t('not_saved', { message: error.message }), 'error'); },
      ok: function () {
        if (JSON.stringify(collectSteps()) === sent) {
          stepsDirty = false;
          status(stepsStatus, t('saved'), 'ok');
        }
      },
    });
  }

  /** Note a change to the steps and save it soon (or now). */
  function stepsChanged(now) {
    stepsDirty = true;
    status(stepsStatus, t('saving'), 'sending');
    if (now) { stepsSave.schedule(); stepsSave.flush(); } else stepsSave.schedule();
  }

  /** Give every row's inputs and button labels that say which step they belong to. */
  function labelRows() {
    Array.prototype.forEach.call(rows.querySelectorAll('tr'), function (tr, i) {
      ['what', 'who', 'due'].forEach(function (name) {
        tr.querySelector('[data-field="' + name + '"]').setAttribute('aria-label', t('step_' + name, { n: i + 1 }));
      });
      tr.querySelector('button').setAttribute('aria-label', t('step_remove', { n: i + 1 }));
    });
  }

  /** One editable step row. */
  function stepRow(step) {
    const input = function (name, max) {
      return el('td', {}, el('input', { type: 'text', 'data-field': name, maxlength: max, value: step[name] || '',
        oninput: function () { stepsChanged(false); } }));
    };
    const tr = el('tr', { 'data-idea': step.idea || null }, input('what', limit('what')), input('who', limit('who')), input('due', limit('due')),
      el('td', {}, el('button', { type: 'button', class: 'btn btn-small btn-danger', text: t('remove'),
        onclick: function () {
          const next = tr.nextElementSibling || tr.previousElementSibling;
          tr.remove();
          labelRows();
          updateAdd();
          stepsChanged(true);
          (next ? next.querySelector('input') : document.getElementById('step-add')).focus();
        } })));
    return tr;
  }

  /** The server's length limit for a step field, or the most steps (from the page). */
  function limit(name) { return Number(root.dataset[name + 'Max']); }

  /** Allow another step only below the server's maximum. */
  function updateAdd() { document.getElementById('step-add').disabled = rows.children.length >= limit('steps'); }

  /** Replace the rows with a stored list (always at least one empty row to type in). */
  function showSteps(items) {
    W.fill(rows, (items.length ? items : [{}]).map(stepRow));
    labelRows();
    updateAdd();
  }

  /** Add a step made from an idea (activities_manage.js: one click keeps the link), then save at once. */
  function addStep(step) {
    if (rows.children.length >= limit('steps')) return false;
    const empty = rows.children.length === 1 && !collectSteps()[0].what && !collectSteps()[0].who;
    if (empty) rows.removeChild(rows.firstChild);
    const tr = stepRow(step);
    rows.appendChild(tr);
    labelRows();
    updateAdd();
    stepsChanged(true);
    tr.querySelector('[data-field="who"]').focus();
    return true;
  }

  document.getElementById('step-add').addEventListener('click', function () {
    const tr = stepRow({});
    rows.appendChild(tr);
    labelRows();
    updateAdd();
    tr.querySelector('input').focus();
  });

  // Downloads: the checkbox leaves nicknames out of every format.
  const noNicknames = document.getElementById('export-no-nicknames');
  /** Point the download links at the chosen variant. */
  function updateDownloads() {
    root.querySelectorAll('a[data-export]').forEach(function (a) {
      a.href = a.getAttribute('data-export') + (noNicknames.checked ? '?nicknames=0' : '');
    });
  }
  noNicknames.addEventListener('change', updateDownloads);
  updateDownloads();

  // The shared report link.
  const linkBox = document.getElementById('report-link-box');
  const linkInput = document.getElementById('report-url');
  const create = document.getElementById('report-create');
  const revoke = document.getElementById('report-revoke');
  const reportStatus = document.getElementById('report-status');
  const createLabel = create.textContent;

  /** Show whether a link exists and what it is. */
  function showReport(report) {
    const on = !!(report && report.enabled);
    linkBox.hidden = !on;
    linkInput.value = on ? report.url : '';
    revoke.hidden = !on;
    create.textContent = on ? t('link_new') : createLabel;
  }

  /** Ask the server to make a new link or withdraw the current one. */
  function setLink(enabled, done) {
    page.send('report_link', { enabled: enabled }, {
      failed: function (error) { status(reportStatus, t('not_saved', { message: error.message }), 'error'); },
      ok: function (reply) {
        showReport(reply.report);
        status(reportStatus, done, 'ok');
      },
    });
  }

  create.addEventListener('click', function () {
    if (!revoke.hidden && !window.confirm(t('confirm_renew'))) return;
    setLink(true, t('link_made'));
  });
  revoke.addEventListener('click', function () {
    if (window.confirm(t('confirm_revoke'))) setLink(false, t('link_revoked'));
  });

  // Another facilitator device saved something: take it, unless this page has typing of its own on its way
  // (that save names its older version, so the server keeps both texts).
  /** Take a note another device saved. */
  function noteSaved(data) {
    notes.forEach(function (note) {
      if (note.question !== data.question || note.dirty || note.sending || data.version < note.version) return;
      note.version = data.version;
      if (note.area.value !== data.text) note.area.value = data.text;
      if (data.conflict) status(note.status, t('note_conflict'), 'error');
    });
  }

  /** Every (re)connect brings a snapshot: restore what is stored, resend what was typed meanwhile. */
  function restore(data) {
    const stored = data.notes || {};
    const versions = data.note_versions || {};
    notes.forEach(function (note) {
      if (note.dirty) { note.sending = false; saveNote(note); return; } // on the version it was typed on
      note.area.value = stored[note.question] || '';
      note.version = versions[note.question] || 0;
    });
    if (stepsDirty) saveSteps();
    else showSteps(data.steps || []);
    showReport(data.report);
  }

  page.store.subscribe(function (store, event, data) {
    if (event === 'snapshot') restore(store);
    else if (event === 'note') noteSaved(data);
    else if (event === 'steps' && !stepsDirty && JSON.stringify(collectSteps()) !== JSON.stringify(data.items)) {
      showSteps(data.items);
    } else if (event === 'report') showReport(data);
  });
  return { addStep: addStep };
}
