"""Every projector view fits every screen and counts every person (issue 21), in real Chromium.

Every view × 1024×768, 1280×720, 1280×800, 1920×1080 × content at its extremes (projector_extremes.py: 120
joined names of 40 characters, 12 discipline groups with 40-character names, 40 people on one total and 200 in
all, a 2-option question, 12 challenges and 48 ideas of 140 characters, vote and challenge results with 12
groups, then and now with 4 questions and 5 carried steps). On every page of every view: no element outside the
viewport, no text cut off or clipped, no word broken inside, no text under the minimum (24 px at 768 px high,
32 px at 1080, linear in the height, never under 24); across the pages every data point is on screen once at
least, and the marks in the DOM equal the people or groups in the seeded state. A contact sheet of every view
at 1024×768 and 1920×1080 goes to test-artifacts/projector-fit/.

Every text of seed 004 the projector can show, in Dutch and in English (the text cases, `text-LANG-…`): each
question open and revealed (its short title, text and every option, the agreed badge beside its longest option),
each phase on the results (name and theme), on the agreed phase with its closing sentence and tips, its tools and
its experience from the sector, and on the end screen beside 5 first steps with every field at its limit; the
question titles of the by-discipline, rounds and then-and-now views. Each is checked as above and, across its
pages, every one of its texts must be on screen, at every one of the four sizes. Their screenshots and contact sheets go to
test-artifacts/projector-fit/texts/.
"""
from __future__ import annotations

import re

import pytest

from tests.support.server import ServerProcess

from .conftest import SERVER_MODULE
from .helpers import ROOT
from .projector_extremes import LANGS, QN, seed_all

pytestmark = pytest.mark.browser

SIZES = [(1024, 768), (1280, 720), (1280, 800), (1920, 1080)]
SHEET = ROOT / "test-artifacts" / "projector-fit"
MAX_PAGES = 30

# The data points of a view: what is counted (a CSS selector) and how a point is told apart from the others.
POINTS = {
    "lobby": ["#lobby-names li"],
    "reveal-two-options": [".sc-row"],
    "reveal-four-options": [".sc-row"],
    "reveal-rounds": [".sc-row"],
    "progress": [".sc-qrow"],
    "results": [".sc-discuss li"],
    "disciplines": ["tbody tr"],
    "rounds": ["tbody tr"],
    "consensus-missing": [".sc-agreed-list li"],
    "challenges-open": [".sc-act-list li"],
    "challenges-revealed": [".sc-act-rank-title", ".sc-act-rank li"],
    "ideas-open": ["#sc-wall .sc-card"],
    "vote-open": ["#sc-wall .sc-card"],
    "vote-revealed": [".sc-act-rank-title", ".sc-act-rank li"],
    "followup": [".fu-q", ".fu-step"],
    # the kinds of the text cases
    "ask": [".sc-options li"],
    "reveal": [".sc-row"],
    "consensus": [".sc-consensus-side ul:not(.pub-tools) > li"],
    "consensus-tools": [".pub-tool"],
    "ended-steps": [".st-step"],
    "steps": [".st-step"],
}

MEASURE = """
(selectors) => {
  const vw = innerWidth, vh = innerHeight;
  const minimum = Math.max(24, 24 + (vh - 768) * 8 / 312);
  const shown = el => !el.closest('[hidden], .visually-hidden') && el.getClientRects().length > 0 &&
    getComputedStyle(el).visibility === 'visible';
  const name = el => (el.className && el.className.baseVal === undefined ? el.className : el.tagName) + ' "' +
    el.textContent.trim().slice(0, 40) + '"';
  const out = {outside: [], clipped: [], broken: [], small: [], points: {}};
  // Outside the viewport: any element shown that reaches beyond it.
  document.querySelectorAll('body *').forEach(el => {
    if (!shown(el) || el.namespaceURI !== 'http://www.w3.org/1999/xhtml' || el.closest('.skip-link')) return;
    const r = el.getBoundingClientRect();
    if (!r.width && !r.height) return;
    if (r.left < -1 || r.top < -1 || r.right > vw + 1 || r.bottom > vh + 1) out.outside.push(name(el));
    // Clipped or scrolled: an element that holds more than its size (text cut off, a word wider than its box).
    const cs = getComputedStyle(el);
    if (el.clientWidth && el.scrollWidth > el.clientWidth + 1) out.clipped.push(name(el) + ' wide');
    if (el.clientHeight && el.scrollHeight > el.clientHeight + 1 &&
        (cs.overflowY !== 'visible' || el.scrollHeight - el.clientHeight > 0.3 * parseFloat(cs.fontSize))) {
      out.clipped.push(name(el) + ' tall');
    }
  });
  const views = [...document.querySelectorAll('[data-view]')].filter(v => !v.hidden);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.nodeValue.trim() || !el || !shown(el) || el.closest('script, style, svg, .skip-link')) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    const all = range.getBoundingClientRect();
    if (!all.width) continue;
    const size = parseFloat(getComputedStyle(el).fontSize) * (el.currentCSSZoom || 1);
    if (size < minimum - 0.05) out.small.push(name(el) + ' ' + size.toFixed(1) + 'px');
    // Text cut by the view's edge (a view clips what does not fit).
    for (const v of views) {
      if (!v.contains(el)) continue;
      const box = (v.id === 'v-lobby' ? v : v.firstElementChild || v).getBoundingClientRect();
      const slack = 0.3 * size;
      if (all.top < box.top - slack || all.bottom > box.bottom + slack || all.left < box.left - 1 || all.right > box.right + 1) {
        out.clipped.push(name(el) + ' past the view');
      }
    }
    // A word broken inside: its letters on more than one line.
    if (range.getClientRects().length < 2) continue;
    const re = /[^\\s\\u200b]+/g;  // a zero-width space is a break point (links), not a letter
    let m;
    while ((m = re.exec(n.nodeValue))) {
      if (m[0].length < 2) continue;
      const w = document.createRange();
      w.setStart(n, m.index);
      w.setEnd(n, m.index + m[0].length);
      const tops = new Set([...w.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1) out.broken.push(m[0]);
    }
  }
  for (const sel of selectors) {
    const items = [...document.querySelectorAll(sel)];
    out.points[sel] = {total: items.length, shown: items.map((el, i) => {
      const section = el.closest('.sc-act-rank');
      const title = section ? section.querySelector('.sc-act-rank-title').textContent : '';
      return shown(el) ? title + '|' + i : null;
    }).filter(Boolean)};
  }
  const page = document.getElementById('sc-page');
  out.page = page && getComputedStyle(page).visibility === 'visible' ? page.textContent : '';
  out.screen = document.body.getAttribute('data-screen');
  out.text = views.map(v => v.innerText).join(' ');  // what the view shows in words (hidden parts not)
  out.strip = [...document.querySelectorAll('.strip-col')].map(c => [Number(c.dataset.total), c.querySelectorAll('.strip-dot').length]);
  return out;
}
"""

SETTLE = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


@pytest.fixture(scope="module")
def extremes(tmp_path_factory, chromium_path):
    """A server whose store holds every projector case, seeded before it starts; yields the cases."""
    data = tmp_path_factory.mktemp("fit") / "data"
    seeder = seed_all(data)
    seeder.close()
    server = ServerProcess(data, module=SERVER_MODULE).start()
    try:
        yield seeder.finish(server.url)
    finally:
        server.stop()


def pages_of(page) -> int:
    """How many pages the view has now ("2/3" in the footer; 1 without a label)."""
    label = page.evaluate("() => { const p = document.getElementById('sc-page');"
                          " return p && getComputedStyle(p).visibility === 'visible' ? p.textContent : ''; }")
    match = re.fullmatch(r"(\d+)/(\d+)", label.strip())
    return int(match.group(2)) if match else 1


def words(text: str) -> str:
    """A text with its white space made single spaces (as it reads on screen)."""
    return " ".join(text.split())


def texts_at(case, width: int, height: int) -> list[str]:
    """The texts a case must show at a size: the invitation of the agreed phase only wider than 3:2 (screen.css)."""
    invitation = case.expect.get("invitation")
    return [*case.expect.get("texts", []), *([invitation] if invitation and width / height > 1.5 else [])]


def check_case(page, case, failures: list[str], shots: bool, sizes=SIZES, sheet=SHEET) -> None:
    """Measure one case at every size and on every page; collect what breaks the rule."""
    selectors = POINTS.get(case.kind or case.name, [])
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(case.url)
    page.wait_for_function("s => document.body.getAttribute('data-screen') === s", arg=case.expect["screen"])
    for width, height in sizes:
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate(SETTLE)
        where = f"{case.name} {width}×{height}"
        total = pages_of(page)
        if total > MAX_PAGES:
            failures.append(f"{where}: {total} pages")
            total = MAX_PAGES
        seen: dict[str, set] = {s: set() for s in selectors}
        counts: dict[str, int] = {}
        shown_text = []
        for number in range(1, total + 1):
            got = page.evaluate(MEASURE, selectors)
            here = f"{where} page {number}/{total}"
            for kind in ("outside", "clipped", "broken", "small"):
                if got[kind]:
                    failures.append(f"{here}: {len(got[kind])} {kind}, e.g. {sorted(set(got[kind]))[:3]}")
            for sel, points in got["points"].items():
                seen[sel].update(points["shown"])
                counts[sel] = points["total"]
            shown_text.append(words(got["text"]))
            if shots and number == 1 and (width, height) in ((1024, 768), (1920, 1080)):
                sheet.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(sheet / f"{case.name}-{width}x{height}.png"), animations="disabled", caret="hide")
            if number < total:
                page.keyboard.press("PageDown")
                page.evaluate(SETTLE)
        if total > 1:  # the pages come round again
            page.keyboard.press("PageDown")
            assert pages_of(page) == total and page.locator("#sc-page").inner_text() == f"1/{total}", where
        for sel in selectors:
            if len(seen[sel]) != counts[sel]:
                failures.append(f"{where}: {len(seen[sel])} of {counts[sel]} {sel} on screen across {total} page(s)")
        missing = [text for text in texts_at(case, width, height) if not any(words(text) in on for on in shown_text)]
        if missing:
            failures.append(f"{where}: {len(missing)} text(s) never on screen across {total} page(s), e.g. {missing[:2]}")
        check_counts(case, counts, got, failures, where)


def check_counts(case, counts: dict[str, int], got: dict, failures: list[str], where: str) -> None:
    """The marks and rows in the DOM equal the people and groups of the seeded state."""
    expect = case.expect
    kind = case.kind or case.name
    wanted = {
        "lobby": {"#lobby-names li": expect.get("names")},
        "disciplines": {"tbody tr": expect.get("groups")},
        "challenges-open": {".sc-act-list li": expect.get("challenges")},
        "challenges-revealed": {".sc-act-rank-title": 1 + expect.get("groups", 0),
                                ".sc-act-rank li": expect.get("challenges", 0) + 3 * expect.get("groups", 0)},
        "vote-revealed": {".sc-act-rank-title": 1 + expect.get("groups", 0),
                          ".sc-act-rank li": 5 + 3 * expect.get("groups", 0)},
        "ideas-open": {"#sc-wall .sc-card": expect.get("ideas")},
        "vote-open": {"#sc-wall .sc-card": expect.get("ideas")},
        "followup": {".fu-q": expect.get("questions"), ".fu-step": expect.get("steps")},
        "progress": {".sc-qrow": expect.get("questions")},
        "rounds": {"tbody tr": expect.get("questions")},
        "consensus-missing": {".sc-agreed-list li": expect.get("questions")},
        "ask": {".sc-options li": expect.get("options")},
        "consensus-tools": {".pub-tool": expect.get("tools")},
        "ended-steps": {".st-step": expect.get("steps")},
        "steps": {".st-step": expect.get("steps")},
    }.get(kind, {})
    if kind.startswith("reveal"):
        wanted = {".sc-row": expect["options"]}
    if kind == "consensus":
        wanted = {".sc-consensus-side ul:not(.pub-tools) > li": expect["tips"]}
    for sel, n in wanted.items():
        if counts.get(sel) != n:
            failures.append(f"{where}: {counts.get(sel)} {sel} in the page, the state has {n}")
    if kind == "results":
        drawn = dict(got["strip"])
        per_total = expect["per_total"]
        if [drawn.get(t, 0) for t in range(QN.max_total + 1)] != per_total:
            failures.append(f"{where}: the strip plot draws {drawn}, the state has {per_total} people per total")


def contact_sheet(sheet_dir=SHEET) -> None:
    """One image per size with every view side by side, labelled, to look through in a minute."""
    from PIL import Image, ImageDraw

    for size in ("1024x768", "1920x1080"):
        files = sorted(p for p in sheet_dir.glob(f"*-{size}.png") if not p.name.startswith("contact-sheet"))
        if not files:
            continue
        thumb_w, thumb_h, cols = 480, 300, 4
        sheet = Image.new("RGB", (cols * thumb_w, ((len(files) + cols - 1) // cols) * (thumb_h + 24)), "white")
        draw = ImageDraw.Draw(sheet)
        for i, path in enumerate(files):
            with Image.open(path) as image:
                image.thumbnail((thumb_w - 8, thumb_h - 8))
                x, y = (i % cols) * thumb_w, (i // cols) * (thumb_h + 24)
                sheet.paste(image, (x + 4, y + 24))
                draw.rectangle([x + 3, y + 23, x + 4 + image.width, y + 24 + image.height], outline="black")
                draw.text((x + 6, y + 6), path.stem, fill="black")
        sheet.save(sheet_dir / f"contact-sheet-{size}.png")


CASES = ["lobby", "question-open", "join", "reveal-two-options", "reveal-four-options", "reveal-rounds", "progress",
         "results", "disciplines", "rounds", "consensus", "consensus-tools", "consensus-sector", "consensus-missing",
         "ended", "blank", "hidden", "challenges-open", "challenges-revealed", "ideas-open", "vote-open",
         "vote-revealed", "followup"]


TEXTS = SHEET / "texts"
TEXT_KINDS = ["ask", "reveal"] * 4 + ["results", "consensus", "consensus-tools", "consensus-sector", "ended"] * 4 + [
    "disciplines", "rounds", "steps", "followup"]
TEXT_CASES = [f"text-{lang}-{kind}" + (f"-{thing}" if thing else "") for lang in LANGS for kind, thing in zip(
    TEXT_KINDS, [q.id for q in QN.questions for _ in (0, 1)] + [p.id for p in QN.phases for _ in range(5)] + [""] * 4)]


def test_the_cases_are_every_seeded_view(extremes):
    assert [c.name for c in extremes] == CASES + TEXT_CASES


def test_the_text_cases_hold_every_projector_text_of_seed_004_in_both_languages(extremes):
    """Every question's and phase's text the projector shows is expected by some case, in Dutch and English."""
    for lang in LANGS:
        client = QN.to_client(lang)
        expected = {words(t) for c in extremes if c.kind and c.lang == lang for t in texts_at(c, 1920, 1080)}
        wanted = {words(t) for q in client["questions"] for t in (q["short"], q["text"], *[o["label"] for o in q["options"]])}
        for p in client["phases"]:
            pub = p["publication"]
            wanted |= {words(t) for t in (p["name"], p["theme"], p["closing"], *p["tips"], pub["invitation"],
                                          *[x for tool in pub["tools"] for x in (tool["name"], tool["purpose"])],
                                          pub["experience"]["quote"])}
        assert wanted <= expected, sorted(wanted - expected)[:3]
    assert {c.lang for c in extremes if c.kind} == set(LANGS)


@pytest.mark.parametrize("name", CASES)
def test_the_view_fits_every_screen_and_counts_everyone(extremes, pages, name):
    failures: list[str] = []
    projector = pages.projector()
    check_case(projector, next(c for c in extremes if c.name == name), failures, shots=True)
    assert not failures, f"{len(failures)} problem(s):\n" + "\n".join(failures[:40])


@pytest.mark.parametrize("name", TEXT_CASES)
def test_every_seed_text_fits_in_dutch_and_english(extremes, pages, name):
    failures: list[str] = []
    case = next(c for c in extremes if c.name == name)
    check_case(pages.projector(), case, failures, shots=True, sheet=TEXTS)
    assert not failures, f"{len(failures)} problem(s):\n" + "\n".join(failures[:40])


def test_the_contact_sheet_shows_every_view(extremes):
    contact_sheet()
    contact_sheet(TEXTS)
    for size in ("1024x768", "1920x1080"):
        assert (SHEET / f"contact-sheet-{size}.png").exists()
        assert len(list(SHEET.glob(f"*-{size}.png"))) >= len(CASES)


def test_pages_turn_by_key_both_ways_and_say_where_they_are(extremes, pages):
    case = next(c for c in extremes if c.name == "ideas-open")
    projector = pages.projector()
    projector.set_viewport_size({"width": 1024, "height": 768})
    projector.goto(case.url)
    projector.wait_for_function("() => document.body.getAttribute('data-screen') === 'activity-ideas'")
    projector.evaluate(SETTLE)
    total = pages_of(projector)
    assert total > 1  # 48 ideas of 140 characters never fit one 1024×768 page
    label = projector.locator("#sc-page")
    first = projector.locator("#sc-wall .sc-card:not([hidden])").all_inner_texts()
    assert label.inner_text() == f"1/{total}"
    projector.keyboard.press("PageDown")
    assert label.inner_text() == f"2/{total}"
    second = projector.locator("#sc-wall .sc-card:not([hidden])").all_inner_texts()
    assert second and not set(first) & set(second)
    projector.keyboard.press("ArrowLeft")
    assert label.inner_text() == f"1/{total}"
    projector.keyboard.press("PageUp")
    assert label.inner_text() == f"{total}/{total}"
    assert projector.locator("#sc-wall .sc-card:not([hidden])").all_inner_texts() != first


def test_the_strip_caption_is_true_of_stacked_bars(extremes, pages):
    """40 people on one total: every column is a stacked bar, and the caption no longer says "one dot per person"."""
    from babel.support import Translations

    case = next(c for c in extremes if c.name == "results")
    projector = pages.projector()
    projector.set_viewport_size({"width": 1920, "height": 1080})
    projector.goto(case.url)
    projector.wait_for_function("() => document.body.getAttribute('data-screen') === 'results'")
    assert projector.locator(".strip-col--bar").count() > 0  # the tall column made the plot bars
    caption = projector.locator(".strip-caption").inner_text()
    dutch = Translations.load(str(ROOT / "workshop" / "translations"), ["nl"]).gettext(
        "Total per person (0–{max} points): everyone counted once, as a dot or in a bar with its number")
    assert caption == dutch.replace("{max}", str(QN.max_total))
    assert "stip" in caption and "staaf" in caption and "één stip per persoon" not in caption
