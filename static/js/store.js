/* One store per page (issue 22): what the server sent, the snapshot merged with every event since. Panels
   subscribe and render from it; none keeps its own copy of the server's state, and none recomputes a server
   rule (what is allowed now: state.allowed; what the projector shows: state.shows). */

/**
 * A store fed by a socket: a snapshot replaces everything; each event named in `parts` merges into the
 * state, either as one part (event name -> part name) or by a function (state, data) -> changed parts.
 */
export function createStore(socket, parts) {
  let current = null;
  const subscribers = [];

  /** Tell every subscriber what changed. */
  function publish(event, data) {
    subscribers.forEach(function (fn) { fn(current, event, data); });
  }

  const store = {
    /** The merged state (null before the first snapshot). */
    get: function () { return current; },
    /** Merge changed parts (an event, or a reply that carries them) and tell the subscribers. */
    set: function (changes, event, data) {
      current = Object.assign({}, current, changes);
      publish(event, data === undefined ? changes : data);
    },
    /** Call fn(state, event, data) after every change; event is 'snapshot' or the event that changed it. */
    subscribe: function (fn) { subscribers.push(fn); },
  };

  socket.on('snapshot', function (data) {
    current = Object.assign({}, data);
    publish('snapshot', data);
  });
  Object.keys(parts || {}).forEach(function (event) {
    const part = parts[event];
    socket.on(event, function (data) {
      store.set(typeof part === 'function' ? part(current || {}, data) : { [part]: data }, event, data);
    });
  });
  return store;
}
