"""Readable from the back of the room: every text on every projector view, at three projector sizes, is at
least the minimum size, none is cut off or spills out of its box, and each view's content reaches down the
screen (no empty bottom third).

Minimums (CSS px, as rendered: computed size times any CSS zoom): 24 px at 1024×768 and 1280×720; 32 px at
1920×1080, the same share of the screen's height as 24 px of 768 (a 1080p projector is no bigger on the wall).
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import shot
from .projector_room import FilledRoom, Q

pytestmark = pytest.mark.browser

SIZES = {(1920, 1080): 32, (1280, 720): 24, (1024, 768): 24}
# The lowest edge of a view's content must lie below this share of the main area's height.
REACH = 0.75

TEXTS = """
() => {
  const vw = innerWidth, vh = innerHeight, out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.nodeValue.trim()) continue;
    const el = n.parentElement;
    if (!el || el.closest('[hidden], script, style, template, .visually-hidden')) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility !== 'visible' || cs.display === 'none' || cs.opacity === '0') continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    const r = range.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1 || r.right <= 0 || r.bottom <= 0 || r.left >= vw || r.top >= vh) continue;
    // Cut off: the text runs out of its box (its nearest non-inline ancestor) or below the main area.
    let box = el;
    while (box.parentElement && getComputedStyle(box).display.startsWith('inline')) box = box.parentElement;
    const b = box.getBoundingClientRect();
    const main = document.querySelector('main').getBoundingClientRect();
    const inMain = el.closest('main') !== null;
    // The lobby's names show the latest that fit in two rows: a name wholly outside that list is not shown.
    // Any other text out of view counts as cut off (a view section clips what does not fit).
    const clip = box.closest('.sc-names');
    if (clip) {
      const c = clip.getBoundingClientRect();
      if (r.top >= c.bottom - 1 || r.bottom <= c.top + 1 || r.left >= c.right - 1 || r.right <= c.left + 1) continue;
    }
    const slack = 0.3 * parseFloat(cs.fontSize);  // glyph boxes may stand out of a tight line-height
    const cut = r.right > b.right + 2 || r.left < b.left - 2 || r.bottom > b.bottom + slack ||
      r.right > vw + 1 || (inMain && r.bottom > main.bottom + slack);
    out.push({text: n.nodeValue.trim().slice(0, 50), cls: el.className || el.tagName, cut: cut,
              size: Math.round(parseFloat(cs.fontSize) * (el.currentCSSZoom || 1) * 10) / 10});
  }
  return out;
}
"""

REACHED = """
() => {
  const main = document.querySelector('main').getBoundingClientRect();
  let bottom = main.top;
  document.querySelectorAll('main *').forEach(el => {
    if (el.closest('[hidden]') || !el.getClientRects().length) return;
    const cs = getComputedStyle(el);
    if (cs.visibility !== 'visible') return;
    const leaf = !el.children.length || el.tagName === 'svg' || el.classList.contains('sc-bar-track');
    if (!leaf) return;
    const r = el.getBoundingClientRect();
    if (r.height > 0 && r.width > 0) bottom = Math.max(bottom, Math.min(r.bottom, main.bottom));
  });
  return {reach: (bottom - main.top) / main.height, main: [main.top, main.bottom]};
}
"""


def settle(page) -> None:
    """Wait two animation frames, so a resize or a new state is drawn."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def check_view(page, name: str, failures: list[str], *, reach: bool = True) -> None:
    """Measure one view at every size; collect texts below the minimum and views that leave the bottom empty."""
    for (width, height), minimum in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        settle(page)
        texts = page.evaluate(TEXTS)
        small = [t for t in texts if t["size"] < minimum - 0.05]
        if small:
            worst = sorted(small, key=lambda t: t["size"])[:4]
            failures.append(f"{name} {width}×{height}: {len(small)} text(s) below {minimum}px, e.g. {worst}")
        cut = [t for t in texts if t["cut"]]
        if cut:
            failures.append(f"{name} {width}×{height}: {len(cut)} text(s) cut off or spilling, e.g. {cut[:3]}")
        if reach:
            got = page.evaluate(REACHED)
            if got["reach"] < REACH:
                failures.append(f"{name} {width}×{height}: content ends at {got['reach']:.0%} of the screen's height")
        if (width, height) == (1024, 768):
            shot(page, f"projector-type-{name}-1024")


def show(page, room: FilledRoom, screen: str, selector: str, **command) -> None:
    """Put the projector on a view (by a facilitator command, when given) and wait for it."""
    if command:
        room.command(command.pop("action"), **command)
    page.set_viewport_size({"width": 1920, "height": 1080})
    expect(page.locator(selector).first).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-screen", screen)


def test_every_projector_view_is_readable_from_the_back_at_every_size(server, pages):
    room = FilledRoom(server.url, size=12)
    failures: list[str] = []
    try:
        projector = pages.projector(room.session["projector_url"])
        show(projector, room, "lobby", ".sc-code")
        check_view(projector, "lobby", failures)

        first = Q["questions"][0]
        show(projector, room, "question", ".sc-ask", action="start")
        room.answer_all(first)
        expect(projector.locator(".sc-answered-text strong")).to_have_text("12")
        check_view(projector, "question", failures)
        room.command("timer", question=first["id"], seconds=60)
        expect(projector.locator("#sc-timer")).to_be_visible()
        check_view(projector, "question-timer", failures)
        room.command("timer_stop")
        show(projector, room, "join", "#v-lobby .sc-code", action="view", view="join")
        check_view(projector, "join", failures)
        room.command("view", view="auto")
        # Message screens (pause, results hidden) are centred on purpose: no height check.
        show(projector, room, "blank", ".sc-blank", action="blank")
        check_view(projector, "blank", failures, reach=False)
        room.command("unblank")
        room.command("hide_results")
        show(projector, room, "hidden", ".sc-center", action="view", view="results")
        check_view(projector, "hidden", failures, reach=False)
        room.command("view", view="auto")
        room.command("show_results")

        long_q = Q["questions"][3]  # the longest options
        room.command("focus", question=long_q["id"])
        room.answer_all(long_q)
        show(projector, room, "question", ".sc-reveal .sc-row", action="reveal", question=long_q["id"])
        check_view(projector, "reveal", failures)

        room.command("focus", question=first["id"])
        room.command("reveal", question=first["id"])
        room.command("new_round", question=first["id"])
        room.answer_all(first, round_=2, shift=1)
        show(projector, room, "question", ".sc-chart--rounds", action="reveal", question=first["id"])
        check_view(projector, "reveal-rounds", failures)

        for question in Q["questions"][1:3]:
            room.command("focus", question=question["id"])
            room.answer_all(question)
            room.command("reveal", question=question["id"])
        for question in Q["questions"]:
            room.command("agree", question=question["id"], option=question["options"][-1]["id"])
        show(projector, room, "disciplines", ".sc-table", action="view", view="disciplines")
        check_view(projector, "disciplines", failures)
        show(projector, room, "rounds", ".sc-rounds .sc-table", action="view", view="rounds")
        check_view(projector, "rounds", failures)
        show(projector, room, "consensus", ".sc-consensus", action="view", view="consensus")
        check_view(projector, "consensus", failures)
        show(projector, room, "results", ".sc-results", action="view", view="results")
        check_view(projector, "results", failures)
        room.command("view", view="auto")
        show(projector, room, "results", ".sc-results", action="results")
        show(projector, room, "ended", ".sc-ended", action="end")
        check_view(projector, "ended", failures)
    finally:
        room.close()
    assert not failures, "\n".join(failures)


def test_the_self_paced_progress_and_the_agreed_phase_list_are_readable(server, pages):
    room = FilledRoom(server.url, size=5, pacing="self")
    failures: list[str] = []
    try:
        projector = pages.projector(room.session["projector_url"])
        show(projector, room, "progress", ".sc-qlist", action="start")
        room.answer_all(Q["questions"][0])
        check_view(projector, "progress", failures)
        show(projector, room, "consensus", ".sc-agreed-list", action="view", view="consensus")
        check_view(projector, "consensus-missing", failures)
    finally:
        room.close()
    assert not failures, "\n".join(failures)
