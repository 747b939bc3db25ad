/* A question's countdown on the projector, the phones and the facilitator page: the server owns the deadline.
   update(state.timer) as each state arrives; every [data-timer] element shows the time left. */

let current = null; // {deadline, offset (ms: server clock minus this clock), question, seconds}
let ticking = 0;

/** The server's clock now, in seconds, as this page best knows it. */
function serverNow() {
  return (Date.now() + (current ? current.offset : 0)) / 1000;
}

/** Seconds left on the running countdown (0 at or past the deadline), or null without one. */
function remaining() {
  return current ? Math.max(0, current.deadline - serverNow()) : null;
}

/** "1:05" for 65 seconds (rounded up, so 0:00 shows only at the deadline). */
function format(seconds) {
  const whole = Math.ceil(seconds);
  const s = whole % 60;
  return Math.floor(whole / 60) + ':' + (s < 10 ? '0' : '') + s;
}

/** Draw the time left in every [data-timer] element (hidden without a countdown). */
function draw() {
  const left = remaining();
  document.querySelectorAll('[data-timer]').forEach(function (node) {
    node.hidden = left === null;
    if (left === null) return;
    const text = node.querySelector('[data-timer-text]') || node;
    const shown = format(left);
    if (text.textContent !== shown) text.textContent = shown;
    node.classList.toggle('is-low', left <= 10);
    node.setAttribute('data-question', current.question);
  });
}

/** Take a state's timer ({question, deadline, seconds, reveal, server_time} or null) as it arrives. */
function update(timer) {
  current = timer ? {
    question: timer.question, deadline: timer.deadline, seconds: timer.seconds, reveal: timer.reveal,
    offset: timer.server_time * 1000 - Date.now(),
  } : null;
  if (current && !ticking) ticking = window.setInterval(draw, 250);
  if (!current && ticking) {
    window.clearInterval(ticking);
    ticking = 0;
  }
  draw();
}

export { update, remaining, format };

/** The running countdown ({question, deadline, seconds, reveal}) or null. */
export function running() {
  return current;
}
