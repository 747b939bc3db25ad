"""Accessibility: axe-core on every role's pages, the facilitator page by keyboard alone, projector contrast."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from .helpers import SHOTS, SMALL_PHONE, create_session, everyone_answered, questionnaire, show_panel, text_contrast

pytestmark = pytest.mark.browser

Q = questionnaire("nl")
BLOCKING = ("serious", "critical")
PROJECTOR_MAIN_TEXT = {
    "lobby": ["#lobby-title", ".sc-code", "#lobby-count-n", ".sc-url"],
    "question": [".sc-ask .sc-question", ".sc-answered-text strong", ".sc-answered-text"],
    "reveal": [".sc-reveal .sc-question", ".sc-row-label span", ".sc-bar-value strong", ".sc-bar-value",
               ".sc-verdict"],
    "results": [".sc-results h1", ".strip-band-name", ".strip-tick"],
}


def axe_check(page, name: str, report: dict) -> list[dict]:
    """Run axe-core on a page, print every violation with its impact and return them."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"resultTypes": ["violations", "incomplete"]}).response
    violations = results["violations"]
    unsure = [i for i in results.get("incomplete", []) if i["id"] == "color-contrast"]
    report[name] = {
        "violations": [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"]), "help": v["help"],
                        "targets": [n["target"] for n in v["nodes"][:5]]} for v in violations],
        "color_contrast_needs_review": [{"target": n["target"], "why": [c["message"] for c in n.get("any", [])][:1]}
                                        for i in unsure for n in i["nodes"]],
    }
    print(f"\naxe {name}: {len(violations)} violation(s)")
    for v in violations:
        print(f"  [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} node(s)) "
              f"e.g. {[n['target'] for n in v['nodes'][:3]]}")
    return violations


@pytest.fixture(scope="module")
def axe_report():
    """Collects the axe results of the module and writes them to test-artifacts/axe.json."""
    report: dict = {}
    yield report
    SHOTS.parent.mkdir(parents=True, exist_ok=True)
    (SHOTS.parent / "axe.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")


def check_projector_contrast(projector, view: str) -> None:
    """The projector's main text in a view has a contrast of at least 7:1."""
    for selector in PROJECTOR_MAIN_TEXT[view]:
        items = projector.locator(selector)
        assert items.count() > 0, f"{selector} not on the projector's {view} view"
        ratios = [text_contrast(items.nth(i)) for i in range(items.count())]
        ratio, info = min(ratios, key=lambda r: r[0])
        print(f"  projector {view} {selector}: lowest {ratio:.2f}:1 over {len(ratios)} element(s) "
              f"({info['colour']} on {info['background']}, {info['size']})")
        assert ratio >= 7, f"projector {view}: {selector} {info} has contrast {ratio:.2f}:1 (< 7:1)"


def test_axe_finds_no_serious_problems_and_the_projector_text_has_7_to_1(server, pages, axe_report):
    session = create_session(server.url, disciplines=["Directie", "Educatie"])
    fac = pages.facilitator(session["facilitator_url"])
    projector = pages.projector(session["projector_url"])
    phone = pages.phone("phone", SMALL_PHONE)
    phone.goto(session["join_url"])
    expect(phone.locator("#v-join")).to_be_visible()
    expect(projector.locator("#v-lobby")).to_be_visible()

    found = {}
    found["phone: join"] = axe_check(phone, "phone: join", axe_report)
    found["projector: lobby"] = axe_check(projector, "projector: lobby", axe_report)
    check_projector_contrast(projector, "lobby")
    found["facilitator: lobby"] = axe_check(fac, "facilitator: lobby", axe_report)

    phone.locator("#nickname").fill("Eva")
    phone.locator("#join-submit").tap()
    expect(phone.locator("#v-wait")).to_be_visible()
    found["phone: waiting"] = axe_check(phone, "phone: waiting", axe_report)
    fac.locator("[data-action='start']").click()
    expect(phone.locator("#v-question")).to_be_visible()
    found["phone: question"] = axe_check(phone, "phone: question", axe_report)
    option = Q["questions"][0]["options"][1]["id"]
    phone.locator("label.option").filter(has=phone.locator(f"input[value='{option}']")).tap()
    expect(phone.locator(".q-status--ok")).to_be_visible()
    found["phone: question answered"] = axe_check(phone, "phone: question answered", axe_report)
    expect(projector.locator(".sc-answered-text strong")).to_have_text("1")
    found["projector: question"] = axe_check(projector, "projector: question", axe_report)
    check_projector_contrast(projector, "question")

    fac.locator("[data-action='reveal']").click()
    expect(projector.locator(".sc-reveal .sc-row")).to_have_count(len(Q["questions"][0]["options"]))
    found["projector: reveal"] = axe_check(projector, "projector: reveal", axe_report)
    check_projector_contrast(projector, "reveal")
    found["facilitator: running"] = axe_check(fac, "facilitator: running", axe_report)

    for question in Q["questions"][1:]:  # a personal result needs every question answered
        fac.locator("[data-action='next']").click()
        expect(phone.locator("#v-question .q-text")).to_have_text(question["text"])
        option = question["options"][0]["id"]
        phone.locator("label.option").filter(has=phone.locator(f"input[value='{option}']")).tap()
        expect(phone.locator(".q-status--ok")).to_be_visible()
    everyone_answered(fac, Q["questions"][-1]["id"])
    fac.locator("[data-action='results']").click()
    expect(phone.locator("#v-result")).to_be_visible()
    expect(projector.locator(".sc-results")).to_be_visible()
    found["phone: result"] = axe_check(phone, "phone: result", axe_report)
    found["projector: results"] = axe_check(projector, "projector: results", axe_report)
    check_projector_contrast(projector, "results")
    found["facilitator: results"] = axe_check(fac, "facilitator: results", axe_report)

    blocking = {page: [f"{v['id']} ({v['impact']})" for v in vs if v["impact"] in BLOCKING]
                for page, vs in found.items()}
    assert not any(blocking.values()), f"serious or critical axe violations: {blocking}"
    contrast = {page: len(v["nodes"]) for page, vs in found.items() for v in vs if v["id"] == "color-contrast"}
    assert not contrast, f"text below 4.5:1 (axe color-contrast): {contrast}"


def focused(page) -> dict:
    """What has keyboard focus, and whether focusing it visibly changed its outline, shadow or border."""
    return page.evaluate("""() => {
      const el = document.activeElement;
      // A visually hidden input (the projector view radios) shows its focus on the label text beside it.
      const shown = getComputedStyle(el).opacity === '0' && el.nextElementSibling ? el.nextElementSibling : el;
      const look = () => { const s = getComputedStyle(shown);
        return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.borderColor].join('|'); };
      const withFocus = look();
      el.blur();
      const without = look();
      el.focus();
      return {tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name'),
              action: el.getAttribute('data-action'), key: el.getAttribute('data-focus-key'),
              view: el.getAttribute('data-view'),
              text: (el.textContent || '').trim().slice(0, 40), ring: withFocus !== without};
    }""")


def tab_to(page, want, limit: int = 150) -> dict:
    """Press Tab until the focused element matches want(info); fail after `limit` presses."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = focused(page)
        seen.append(info["action"] or info["key"] or info["id"] or info["tag"])
        if want(info):
            return info
    raise AssertionError(f"Tab never reached the element; focus went through {seen}")


def focus_line(fac, question: dict):
    """The facilitator's line saying which question is on screen."""
    return expect(fac.locator("#focus-line")).to_contain_text(question["short"])


def test_the_facilitator_page_works_with_the_keyboard_alone(server, pages):
    session = create_session(server.url)
    fac = pages.facilitator(session["facilitator_url"])
    expect(fac.locator("#stage-badge")).to_have_class("badge badge--lobby")
    q1, q2, q3 = Q["questions"][:3]

    # Tab reaches Start; Enter on it starts the session.
    start = tab_to(fac, lambda f: f["action"] == "start")
    assert start["ring"], f"no visible focus indicator on {start}"
    fac.keyboard.press("Enter")
    expect(fac.locator("#stage-badge")).to_have_class("badge badge--running")
    focus_line(fac, q1)

    # The shortcuts: N and → next, P and ← previous, R reveal.
    fac.keyboard.press("n")
    focus_line(fac, q2)
    fac.keyboard.press("ArrowRight")
    focus_line(fac, q3)
    fac.keyboard.press("p")
    focus_line(fac, q2)
    fac.keyboard.press("ArrowLeft")
    focus_line(fac, q1)
    fac.keyboard.press("r")
    expect(fac.locator(f"article.qcard[data-key='{q1['id']}']")).to_have_class("qcard qcard--revealed is-focus")

    # Shortcuts stay out of the way while typing in a field.
    show_panel(fac, "people")
    fac.locator("#join-url").focus()
    fac.keyboard.press("n")
    focus_line(fac, q1)

    # From the top of the page, Tab reaches every main control; Space and Enter activate them.
    show_panel(fac, "questions")
    fac.locator("body").evaluate("el => { document.activeElement.blur(); window.scrollTo(0, 0); }")
    expect(fac.locator("[data-action='prev']")).to_be_disabled()  # on the first question: the server allows no prev
    for action in ("next", "results", "end"):
        info = tab_to(fac, lambda f, a=action: f["action"] == a)
        assert info["ring"], f"no visible focus indicator on {info}"
    fac.locator("body").evaluate("el => document.activeElement.blur()")
    tab_to(fac, lambda f: f["action"] == "next")
    fac.keyboard.press("Space")
    focus_line(fac, q2)
    # Back on a question that was closed but never revealed: it is open again (issue 11, point 4).
    expect(fac.locator(f"article.qcard[data-key='{q2['id']}']")).to_have_class("qcard qcard--open is-focus")
    reveal = tab_to(fac, lambda f: f["action"] == "reveal")
    assert reveal["ring"]
    fac.keyboard.press("Enter")
    expect(fac.locator(f"article.qcard[data-key='{q2['id']}']")).to_have_class("qcard qcard--revealed is-focus")

    # The per-question controls and the projector view are reachable and usable too.
    tab_to(fac, lambda f: f["key"] == f"new_round:{q2['id']}")
    fac.keyboard.press("Enter")
    expect(fac.locator(f"article.qcard[data-key='{q2['id']}'] .badge").nth(1)).to_contain_text("2")
    # The panels are tabs: focus the selected one, → opens the next panel (the projector's), Tab goes into it.
    fac.locator("#t-questions").focus()
    fac.keyboard.press("ArrowRight")
    expect(fac.locator("#t-projector")).to_be_focused()
    expect(fac.locator("#p-projector")).to_be_visible()
    view = tab_to(fac, lambda f: f["view"] == "results", limit=80)
    assert view["ring"], f"no visible focus indicator on {view}"
    fac.keyboard.press("Enter")
    expect(fac.locator(".view-btn[data-view='results']")).to_have_attribute("aria-pressed", "true")
