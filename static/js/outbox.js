/* Phone: answers tapped but not yet acknowledged, kept in localStorage until the server has them. */
/**
 * The outbox of one participant of one session: question id -> {option, round}.
 * It survives a reload, a dropped network and a restarted server; the server treats a
 * re-sent answer as a repeat (docs/protocol.md, `answer`), so sending twice is harmless.
 */
export function outbox(code, participantId) {
  const key = 'workshop:' + code + ':outbox:' + participantId;
  let items = read();

  /** The stored items ({} when absent, unreadable or storage is blocked). */
  function read() {
    try {
      const parsed = JSON.parse(window.localStorage.getItem(key) || '{}');
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : {};
    } catch (e) { return {}; }
  }

  /** Write the items back (removing the key when empty). */
  function save() {
    try {
      if (Object.keys(items).length) window.localStorage.setItem(key, JSON.stringify(items));
      else window.localStorage.removeItem(key);
    } catch (e) { /* private mode: the outbox lives only as long as this page */ }
  }

  return {
    /** Keep an answer until it is acknowledged (a newer tap on the same question replaces it). */
    put: function (qid, option, round) {
      items[qid] = { option: option, round: round };
      save();
    },
    /** The unacknowledged answer to a question, or null. */
    get: function (qid) {
      return Object.prototype.hasOwnProperty.call(items, qid) ? items[qid] : null;
    },
    /** Forget an answer, only if it is still this option and round (a newer tap stays). */
    drop: function (qid, option, round) {
      const item = items[qid];
      if (item && item.option === option && item.round === round) {
        delete items[qid];
        save();
      }
    },
    /** The question ids with an unacknowledged answer. */
    questions: function () {
      return Object.keys(items);
    },
    /** A copy of every item (for change detection). */
    all: function () {
      return JSON.parse(JSON.stringify(items));
    },
  };
}
