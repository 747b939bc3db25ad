"""The facilitator console of issue 22: a control bar that never scrolls away, panels as tabs, a phone as a remote,
moderation at the pace of a room, and the start and join pages' fixes. Real Chromium, real server."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .helpers import LARGE_PHONE, PANELS, create_session, shot, show_panel
from .test_accessibility import axe_check
from .test_facilitator_controls import create_from_start_page, join

pytestmark = pytest.mark.browser

LAPTOP_1366 = {"width": 1366, "height": 768}
SMALL_ANDROID = {"width": 360, "height": 640}
IDEAS = ["Podcast over de collectie", "Online kaartverkoop", "Digitale nieuwsbrief", "Wifi in de foyer"]


def started(server, pages, people: int = 2):
    """A running session with phones in it; returns (session, facilitator page, phones)."""
    session = create_session(server.url, title="Museum De Waag", disciplines=["Directie", "Publiek"])
    fac = pages.facilitator(session["facilitator_url"])
    phones = [join(pages, session["join_url"], f"Persoon {n}") for n in range(people)]
    fac.locator("[data-action='start']").click()
    expect(fac.locator("#stage-badge")).to_have_text("Bezig")
    return session, fac, phones


def waiting_ideas(fac, phones, ideas=IDEAS):
    """Ideas open without auto-approval; the phones send the ideas in turn; all wait for the facilitator."""
    show_panel(fac, "activities")
    auto = fac.locator("[data-focus-key='auto-approve']")
    auto.uncheck()
    expect(auto).not_to_be_checked()
    fac.locator("[data-focus-key='ideas-open']").click()
    for n, idea in enumerate(ideas):
        phone = phones[n % len(phones)]
        phone.locator("#act-idea").fill(idea)
        phone.get_by_role("button", name="Idee versturen").tap()
        expect(phone.locator(".act-mine li")).to_have_count(n // len(phones) + 1)
    expect(fac.locator("#activities .act-idea--pending")).to_have_count(len(ideas))


BAR_FACTS = """() => {
  const bar = document.getElementById('console-bar').getBoundingClientRect();
  const root = document.documentElement;
  return {top: bar.top, bottom: bar.bottom, height: bar.height, viewport: window.innerHeight,
          scrollY: window.scrollY, scrollWidth: root.scrollWidth, clientWidth: root.clientWidth};
}"""

PANEL_FACTS = """id => {
  const panel = document.getElementById(id);
  const box = panel.getBoundingClientRect();
  const wide = [];
  panel.querySelectorAll('*').forEach(node => {
    const r = node.getBoundingClientRect();
    if (!r.width || node.closest('.table-wrap')) return;  // a wide table scrolls inside its own box
    if (r.right > document.documentElement.clientWidth + 0.5 || r.left < -0.5) wide.push(node.tagName + '.' + node.className);
  });
  return {left: box.left, right: box.right, scrollWidth: panel.scrollWidth, clientWidth: panel.clientWidth, wide: wide.slice(0, 5)};
}"""


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_the_bar_stays_in_view_over_every_panel_and_every_panel_fits(server, pages, size):
    session, fac, phones = started(server, pages)
    waiting_ideas(fac, phones)
    if size == "laptop":
        page = fac
        page.set_viewport_size(LAPTOP_1366)
        label = "1366x768"
    else:
        page = pages.phone("remote", LARGE_PHONE)
        page.goto(session["facilitator_url"])
        label = "390x844"
    expect(page.locator("#stage-badge")).to_have_text("Bezig")
    # Before: the page was ~7,400 px tall and the timer's countdown sat 2,200 px down. Now it is in the bar.
    show_panel(page, "projector")
    longest = page.locator("#pc-seconds option").last.get_attribute("value")
    page.locator("#pc-seconds").select_option(longest)
    page.locator("#pc-timer-start").click()
    countdown = page.locator("#console-bar .cb-timer")
    expect(countdown).to_be_visible()
    expect(countdown.locator("[data-timer-text]")).to_have_text(re.compile(r"^\d+:\d\d$"))
    page.evaluate("() => window.scrollTo(0, 0)")
    facts = page.evaluate(BAR_FACTS)
    shot(page, f"console-bar-{size}")
    assert facts["bottom"] <= facts["viewport"] * 0.5, f"{label}: the bar takes too much of the screen: {facts}"
    print(f"\n{label}: bar {facts['height']:.0f} px of {facts['viewport']} px")

    report: dict = {}
    found = {}
    for name in PANELS:
        show_panel(page, name)
        assert page.evaluate("() => location.hash") == f"#p-{name}"
        expect(page.locator(f"#t-{name}")).to_have_attribute("aria-selected", "true")
        expect(page.locator("[role='tab'][aria-selected='true']")).to_have_count(1)
        expect(page.locator("[role='tabpanel']:not([hidden])")).to_have_count(1)
        shot(page, f"nl-console-{label}-{name}")
        page.evaluate("() => window.scrollTo(0, document.scrollingElement.scrollHeight)")
        facts = page.evaluate(BAR_FACTS)
        assert -0.5 <= facts["top"] and facts["bottom"] <= facts["viewport"], f"{label} {name}: bar out of view {facts}"
        for part in ["[data-action='prev']", "[data-action='next']", "[data-action='reveal']", "#focus-line",
                     "#console-bar .cb-timer", "#on-screen", f"#t-{name}"]:
            expect(page.locator(part)).to_be_in_viewport()
        assert facts["scrollWidth"] <= facts["clientWidth"], f"{label} {name}: the page scrolls sideways {facts}"
        panel = page.evaluate(PANEL_FACTS, f"p-{name}")
        assert panel["right"] <= facts["clientWidth"] + 0.5 and panel["left"] >= -0.5, f"{label} {name}: {panel}"
        assert panel["scrollWidth"] <= panel["clientWidth"] and not panel["wide"], f"{label} {name}: {panel}"
        found[name] = axe_check(page, f"console {label}: {name}", report)
        page.evaluate("() => window.scrollTo(0, 0)")

    if size == "phone":  # a remote: every button of the bar is big enough for a thumb
        sizes = page.locator("#console-bar button:visible, #console-bar [role='tab']").evaluate_all(
            "nodes => nodes.map(n => [n.textContent.trim(), n.getBoundingClientRect().width, n.getBoundingClientRect().height])")
        small = [s for s in sizes if s[1] < 44 or s[2] < 44]
        assert sizes and not small, f"buttons below 44 px on the phone: {small}"
        expect(page.locator("#preview")).to_be_hidden()
        expect(page.locator("#on-screen")).to_have_text(re.compile(r"^Het scherm toont"))
    assert not any(found.values()), {k: [v["id"] for v in vs] for k, vs in found.items() if vs}


def test_the_tabs_answer_the_arrow_keys_and_the_hash_without_running_a_shortcut(server, pages):
    session, fac, _phones = started(server, pages, people=1)
    question_one = fac.locator("#focus-line").text_content()
    assert question_one.startswith("Huidige vraag: 1")
    tabs = fac.locator("[role='tablist'] [role='tab']")
    expect(tabs).to_have_count(len(PANELS))
    fac.locator("#t-questions").focus()
    fac.keyboard.press("ArrowRight")
    expect(fac.locator("#t-projector")).to_be_focused()
    expect(fac.locator("#t-projector")).to_have_attribute("aria-selected", "true")
    expect(fac.locator("#t-projector")).to_have_attribute("tabindex", "0")
    expect(fac.locator("#t-questions")).to_have_attribute("tabindex", "-1")
    expect(fac.locator("#p-projector")).to_be_visible()
    expect(fac.locator("#p-questions")).to_be_hidden()
    fac.keyboard.press("End")
    expect(fac.locator("#t-downloads")).to_be_focused()
    fac.keyboard.press("ArrowRight")  # wraps around
    expect(fac.locator("#t-questions")).to_be_focused()
    fac.keyboard.press("ArrowLeft")
    expect(fac.locator("#t-downloads")).to_be_focused()
    fac.keyboard.press("Home")
    expect(fac.locator("#t-questions")).to_be_focused()
    # The arrows moved between tabs only: a later command's answer comes after any "next" would have, and the
    # session is still on question 1.
    show_panel(fac, "projector")
    fac.locator(".view-btn[data-view='progress']").click()
    expect(fac.locator(".view-btn[data-view='progress']")).to_have_attribute("aria-pressed", "true")
    expect(fac.locator("#focus-line")).to_have_text(question_one)
    # Each tab names its panel and each panel its tab.
    for name in PANELS:
        expect(fac.locator(f"#t-{name}")).to_have_attribute("aria-controls", f"p-{name}")
        expect(fac.locator(f"#p-{name}")).to_have_attribute("aria-labelledby", f"t-{name}")
    # The choice is remembered in the address: a reload, and a hash typed or linked, open that panel.
    show_panel(fac, "people")
    fac.reload()
    expect(fac.locator("#p-people")).to_be_visible()
    expect(fac.locator("#t-people")).to_have_attribute("aria-selected", "true")
    expect(fac.locator("#roster tbody tr")).to_have_count(1)
    fac.evaluate("() => { location.hash = '#p-notes'; }")
    expect(fac.locator("#p-notes")).to_be_visible()
    expect(fac.locator("#p-people")).to_be_hidden()


def test_moderation_approve_all_inline_edit_and_merge_after_a_confirmation(server, pages):
    session, fac, phones = started(server, pages, people=2)
    dialogs = []
    fac.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))  # window.prompt or confirm: none wanted
    waiting_ideas(fac, phones)
    lines = fac.locator("#activities .act-idea")
    expect(lines).to_have_count(len(IDEAS))
    heights = lines.evaluate_all("nodes => nodes.map(n => n.getBoundingClientRect().height)")
    assert max(heights) <= 60, f"one line per idea: {heights}"  # was about 170 px each
    lines.first.scroll_into_view_if_needed()
    shot(fac, "nl-facilitator-moderation")

    # Approve all waiting: one click puts every idea on the wall; one undo takes them all off again.
    approve_all = fac.get_by_role("button", name=f"Alle wachtende goedkeuren ({len(IDEAS)})")
    approve_all.click()
    expect(fac.locator("#activities .act-idea--approved")).to_have_count(len(IDEAS))
    expect(fac.locator("[data-focus-key='ideas-approve-all']")).to_be_disabled()
    for phone in phones:
        expect(phone.locator(".act-mine li em").first).to_have_text("staat op de wand")
    fac.locator("#activities [data-focus-key='undo']").click()
    expect(fac.locator("#activities .act-idea--pending")).to_have_count(len(IDEAS))
    fac.locator("[data-focus-key='ideas-approve-all']").click()
    expect(fac.locator("#activities .act-idea--approved")).to_have_count(len(IDEAS))

    # Inline edit: Escape leaves the text alone, Enter saves the correction; no browser prompt.
    line = lines.filter(has_text=IDEAS[2])
    line.get_by_role("button", name=f"Bewerken: {IDEAS[2]}").click()
    field = fac.get_by_label(f"Nieuwe tekst voor “{IDEAS[2]}”")
    expect(field).to_be_focused()
    expect(field).to_have_value(IDEAS[2])
    field.fill("Iets anders")
    field.press("Escape")
    expect(lines.filter(has_text=IDEAS[2]).locator(".act-idea-text")).to_have_text(IDEAS[2])
    expect(fac.get_by_role("button", name=f"Bewerken: {IDEAS[2]}")).to_be_focused()
    fac.get_by_role("button", name=f"Bewerken: {IDEAS[2]}").click()
    field.fill("Digitale nieuwsbrief per kwartaal")
    field.press("Enter")
    expect(lines.filter(has_text="per kwartaal").locator(".act-idea-text")).to_have_text("Digitale nieuwsbrief per kwartaal")
    expect(phones[0].locator(".act-mine li").filter(has_text="per kwartaal")).to_have_count(1)

    # Merge: choosing the other idea merges nothing; the dialog names both; Cancel keeps both, Merge merges.
    fac.get_by_role("button", name=f"Samenvoegen…: {IDEAS[1]}").click()
    choose = fac.get_by_label(f"Voeg “{IDEAS[1]}” samen met een ander idee")
    expect(choose).to_be_focused()
    expect(choose.locator("option", has_text=IDEAS[1])).to_have_count(0)
    choose.select_option(label=IDEAS[0])
    expect(lines).to_have_count(len(IDEAS))
    dialog = fac.locator("#merge-dialog")
    expect(dialog).to_be_hidden()
    go = fac.locator(f"[data-focus-key='merge-go-{line_id(lines, IDEAS[1])}']")
    go.click()
    expect(dialog).to_be_visible()
    expect(dialog.locator("#merge-text")).to_contain_text(f"“{IDEAS[1]}” gaat op in “{IDEAS[0]}”")
    found = {"facilitator: merge confirmation": axe_check(fac, "merge confirmation", {})}
    dialog.get_by_role("button", name="Annuleren").click()
    expect(dialog).to_be_hidden()
    expect(lines).to_have_count(len(IDEAS))
    go.click()
    dialog.get_by_role("button", name="Samenvoegen").click()
    expect(lines).to_have_count(len(IDEAS) - 1)
    expect(lines.filter(has_text=IDEAS[0]).locator(".act-idea-meta")).to_contain_text("2 indieners")
    expect(fac.locator("#act-msg")).to_have_text(f"“{IDEAS[1]}” samengevoegd met “{IDEAS[0]}”: stippen en indieners gaan mee.")
    found["facilitator: moderation"] = axe_check(fac, "moderation", {})
    assert dialogs == [], f"browser dialogs: {dialogs}"
    assert not any(found.values()), {k: [v["id"] for v in vs] for k, vs in found.items() if vs}


def line_id(lines, text: str) -> str:
    """The idea id of the moderation line that shows this text."""
    return lines.filter(has_text=text).first.get_attribute("data-key")


def test_every_activity_button_names_its_activity(server, pages):
    _session, fac, phones = started(server, pages, people=1)
    show_panel(fac, "activities")
    fac.get_by_role("button", name="Uitdagingen openen").click()
    picks = phones[0].locator("#v-activity input[type='checkbox']")  # the challenge picks: several may be ticked
    expect(picks.first).to_be_visible()
    for box in picks.all():
        assert box.evaluate("el => getComputedStyle(el).borderTopLeftRadius") != "50%"
    fac.get_by_role("button", name="Uitdagingen sluiten").click()
    expect(fac.get_by_role("button", name="Uitdagingen heropenen")).to_be_visible()
    expect(fac.get_by_role("button", name="Ideeën openen")).to_be_visible()
    expect(fac.get_by_role("button", name="Stippenstemming openen")).to_be_visible()
    labels = fac.locator("#activities .act-block > .controls button").all_text_contents()
    assert len(labels) == len(set(labels)), labels
    assert "Openen" not in labels


def test_start_page_checkboxes_look_like_checkboxes_and_the_link_field_is_full_width(server, pages):
    page = create_from_start_page(pages, server.url, "Museum Een")
    page.goto(server.url + "/")
    page.locator("#f-title").fill("Museum Twee")
    page.locator("form[action$='/sessions'] button[type='submit']").click()
    page.wait_for_url(re.compile(r"/s/\w+/manage$"))
    page.goto(server.url + "/")
    shape = """el => ({radius: getComputedStyle(el).borderTopLeftRadius, width: el.getBoundingClientRect().width,
                       tick: getComputedStyle(el, '::before').clipPath})"""
    boxes = page.locator("input[name='activities'], .compare-pick input[type='checkbox']")
    expect(boxes).to_have_count(5)  # three activities, two sessions to compare
    for box in boxes.all():
        seen = box.evaluate(shape)
        assert seen["radius"] != "50%" and float(seen["radius"].rstrip("px")) < seen["width"] / 4, seen
        assert seen["tick"].startswith("polygon"), seen
    for radio in page.locator("input[name='pacing'], input[name='by']").all():
        assert radio.evaluate(shape)["radius"] == "50%"
    link = page.locator("#f-follows-link").bounding_box()
    title = page.locator("#f-title").bounding_box()
    assert link["width"] >= title["width"] - 1, (link, title)
    page.locator("#f-follows-link").scroll_into_view_if_needed()
    shot(page, "nl-start-follow-up-link")


def test_join_is_above_the_fold_on_a_360_px_phone(server, pages):
    session = create_session(server.url, title="Museum De Waag", disciplines=["Directie", "Publiek", "Educatie"])
    phone = pages.phone("android", SMALL_ANDROID)
    phone.goto(session["join_url"])
    button = phone.locator("#join-submit")
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box["y"] + box["height"] <= SMALL_ANDROID["height"], box
    expect(phone.locator("#discipline")).to_be_in_viewport()
    expect(phone.locator("#v-join .intro-text")).to_have_text(re.compile(r"\w"))  # the intro follows the button
    shot(phone, "nl-phone-360-join")
