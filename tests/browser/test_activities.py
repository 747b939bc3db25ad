"""The second half of a proeftuin session in Chromium: six phones in two disciplines, challenges, ideas, dot vote, first step."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .helpers import SMALL_PHONE, accept_dialogs, create_session, shot, show_panel
from .projector_room import FilledRoom
from .test_accessibility import BLOCKING, axe_check

pytestmark = pytest.mark.browser

PEOPLE = ["Directie"] * 3 + ["Publiek"] * 3
# Challenge picks per phone (by position in the seed list): ICT basis is picked by 5, time and room by 3.
PICKS = [[0], [0, 4], [0], [0, 4], [4, 1], [0]]
IDEAS = ["Podcast over de collectie", "Online kaartverkoop", "Digitale nieuwsbrief", "Wifi in de foyer",
         "Samen <b>plannen</b> in één agenda", "Een digitale strategie-avond"]


def control(fac, key: str):
    """A button of the facilitator's activities panel by its focus key."""
    return fac.locator(f"#activities [data-focus-key='{key}']")


def test_six_phones_run_the_second_half_from_challenges_to_a_first_step(server, pages):
    session = create_session(server.url, title="Museum Proeftuin", disciplines=["Directie", "Publiek"])
    fac = pages.facilitator(session["facilitator_url"])
    proj = pages.projector(session["projector_url"])
    phones = []
    for n, discipline in enumerate(PEOPLE):
        phone = pages.phone(f"phone{n}", SMALL_PHONE)
        phone.goto(session["join_url"])
        phone.locator("#discipline").select_option(discipline)
        phone.locator("#join-submit").tap()
        expect(phone.locator("#v-wait")).to_be_visible()
        phones.append(phone)
    expect(proj.locator("#lobby-count-n")).to_have_text("6")
    fac.locator("[data-action='start']").click()
    accept_dialogs(fac)  # nobody answered: the page asks first
    fac.locator("[data-action='results']").click()
    show_panel(fac, "activities")
    expect(proj.locator(".sc-results")).to_be_visible()
    found = {}

    # Challenges: picked on the phones, hidden on the projector until revealed.
    control(fac, "challenges-open").click()
    expect(proj.locator(".sc-act-list li")).to_have_count(5)
    for phone, picks in zip(phones, PICKS):
        boxes = phone.locator("#v-activity input[type='checkbox']")
        expect(boxes).to_have_count(5)
        for index in picks:
            phone.locator("#v-activity label.choice").nth(index).tap()
        phone.get_by_role("button", name="Keuze versturen").tap()
        expect(phone.locator(".act-status.q-status--ok")).to_be_visible()
    expect(proj.locator("#v-activity .sc-count")).to_have_text("6 personen")
    expect(proj.locator(".sc-act-rank")).to_have_count(0)
    found["phone: challenges"] = axe_check(phones[0], "phone: challenges", {})
    found["projector: challenges"] = axe_check(proj, "projector: challenges", {})
    found["facilitator: challenges"] = axe_check(fac, "facilitator: challenges", {})
    control(fac, "challenges-reveal").click()
    ranks = proj.locator(".sc-act-rank")
    expect(ranks).to_have_count(3)  # everyone, then Directie and Publiek (3 people each)
    first = ranks.first.locator("li").first
    expect(first.locator(".sc-act-text")).to_have_text(re.compile("ICT-basis"))
    expect(first.locator(".sc-act-n")).to_have_text("5 (83%)")
    expect(ranks.nth(1).locator(".sc-act-rank-title")).to_have_text("Directie · 3 personen")
    expect(ranks.nth(1).locator("li").first.locator(".sc-act-n")).to_have_text("3 (100%)")
    found["projector: challenges revealed"] = axe_check(proj, "projector: challenges revealed", {})
    expect(phones[0].locator(".act-ranking li")).to_have_count(5)
    found["phone: challenges revealed"] = axe_check(phones[0], "phone: challenges revealed", {})

    # Ideas: the prompts on the projector while ideas come in (issue 21); the wall fills as the facilitator
    # approves (moderation is on by default), newest on top, texts shown as text.
    control(fac, "ideas-open").click()
    expect(proj.locator(".sc-prompts li")).to_have_count(4)
    expect(proj.locator(".sc-prompts li").first).to_have_text("Kan een digitaal element een nieuw project verrijken?")
    for n, (phone, idea) in enumerate(zip(phones, IDEAS)):
        phone.locator("#act-idea").fill(idea)
        phone.get_by_role("button", name="Idee versturen").tap()
        expect(phone.locator(".act-mine li")).to_have_count(1)
        expect(phone.locator(".act-mine em")).to_have_text("wacht op de begeleider")
        expect(proj.locator(".sc-card")).to_have_count(n)  # not on the wall before the facilitator approves it
        fac.get_by_role("button", name=f"Goedkeuren: {idea}").click()
        expect(proj.locator(".sc-card").first).to_have_text(idea)
    expect(proj.locator(".sc-card")).to_have_count(6)
    expect(proj.locator(".sc-card b")).to_have_count(0)
    found["phone: ideas"] = axe_check(phones[1], "phone: ideas", {})
    found["projector: idea wall"] = axe_check(proj, "projector: idea wall", {})
    shot(proj, "nl-projector-idea-wall")
    # Moderation: hide one idea, then undo it.
    hide = fac.get_by_role("button", name=f"Verbergen: {IDEAS[3]}")
    hide.click()
    expect(proj.locator(".sc-card")).to_have_count(5)
    expect(phones[3].locator(".act-mine em")).to_have_text("niet getoond")
    # A hidden idea is no merge target (issue 20, finding 11): the list holds the other ideas on the wall only.
    fac.get_by_role("button", name=f"Samenvoegen…: {IDEAS[0]}").click()
    merge = fac.get_by_label(f"Voeg “{IDEAS[0]}” samen met een ander idee")
    expect(merge.locator("option")).to_have_count(5)  # "Met welk idee?" and the four others on the wall
    expect(merge.locator("option", has_text=IDEAS[3])).to_have_count(0)
    found["facilitator: moderation"] = axe_check(fac, "facilitator: moderation", {})
    control(fac, "undo").click()
    expect(proj.locator(".sc-card")).to_have_count(6)
    expect(merge.locator("option")).to_have_count(6)

    # Dot vote: Directie puts 2 dots on the podcast and 1 on ticket sales, Publiek 2 on the newsletter, 1 on the podcast.
    control(fac, "vote-open").click()
    plan = [(IDEAS[0], 2), (IDEAS[1], 1)], [(IDEAS[2], 2), (IDEAS[0], 1)]
    for n, phone in enumerate(phones):
        for idea, dots in plan[n // 3]:
            button = phone.get_by_role("button", name=f"Stip plaatsen op: {idea}")
            for placed in range(1, dots + 1):
                button.tap()
                item = phone.locator(".act-vote-item").filter(has_text=idea)
                expect(item.locator(".act-dots")).to_have_text(re.compile(rf"{placed} stip"))
        expect(phone.locator("#v-activity .lead")).to_have_text("Je hebt nog 0 stippen.")
    # A third dot on one idea cannot be placed; a dot moves by taking it off first.
    expect(phones[0].get_by_role("button", name=f"Stip plaatsen op: {IDEAS[0]}")).to_be_disabled()
    expect(proj.locator("#v-activity .sc-count")).to_have_text("6 personen")
    found["phone: vote"] = axe_check(phones[0], "phone: vote", {})
    found["projector: vote"] = axe_check(proj, "projector: vote", {})
    control(fac, "vote-reveal").click()
    ranks = proj.locator(".sc-act-rank")
    expect(ranks).to_have_count(3)
    top = ranks.first.locator("li").first
    expect(top.locator(".sc-act-text")).to_have_text(IDEAS[0])
    expect(top.locator(".sc-act-n")).to_have_text("9 stippen")
    expect(ranks.nth(2).locator("li").first.locator(".sc-act-text")).to_have_text(IDEAS[2])  # Publiek's favourite
    found["projector: vote result"] = axe_check(proj, "projector: vote result", {})
    shot(proj, "nl-projector-vote-result")

    # From idea to first step with one click; the phones' result page ends with it.
    fac.locator("#activities section[data-key='vote'] .act-ranking li").first.get_by_role("button").click()
    expect(fac.locator("#steps-rows tr").first.locator("[data-field='what']")).to_have_value(IDEAS[0])
    expect(fac.locator("#steps-status")).to_have_text("Opgeslagen")
    control(fac, "act-back").click()
    for phone in phones:
        expect(phone.locator(".act-steps li")).to_have_text(IDEAS[0])
    found["phone: result with steps"] = axe_check(phones[0], "phone: result with steps", {})
    found["facilitator: vote result"] = axe_check(fac, "facilitator: vote result", {})

    blocking = {name: [f"{v['id']} ({v['impact']})" for v in vs if v["impact"] in BLOCKING] for name, vs in found.items()}
    assert not any(blocking.values()), f"serious or critical axe violations: {blocking}"
    contrast = {name: len(v["nodes"]) for name, vs in found.items() for v in vs if v["id"] == "color-contrast"}
    assert not contrast, f"text below 4.5:1: {contrast}"
    assert not pages.page_errors(), pages.page_errors()


def expect_buttons(fac, offered: dict[str, list[str]]) -> None:
    """Each activity's block offers exactly these of open, close, reveal and show."""
    for activity, actions in offered.items():
        for action in ("open", "close", "reveal", "show"):
            expect(control(fac, f"{activity}-{action}")).to_have_count(1 if action in actions else 0)


def test_the_panel_offers_the_actions_the_server_allows_and_no_other(server, pages):
    room = FilledRoom(server.url, size=1)
    try:
        fac = pages.facilitator(room.session["facilitator_url"])
        show_panel(fac, "activities")
        expect_buttons(fac, {"challenges": ["open"], "ideas": ["open"], "vote": ["open"]})
        expect(control(fac, "prog-ideas")).to_be_enabled()
        expect(control(fac, "challenge-0")).to_have_count(1)  # the list can still change

        control(fac, "challenges-open").click()  # it is shown too: no "show" for it
        expect_buttons(fac, {"challenges": ["close", "reveal"], "ideas": ["open"], "vote": ["open"]})
        expect(control(fac, "prog-ideas")).to_be_disabled()  # the programme is fixed once an activity started
        expect(control(fac, "challenge-0")).to_have_count(0)
        control(fac, "act-back").click()
        expect(control(fac, "act-back")).to_have_count(0)
        expect_buttons(fac, {"challenges": ["close", "reveal", "show"], "ideas": ["open"], "vote": ["open"]})

        control(fac, "ideas-open").click()
        expect_buttons(fac, {"challenges": ["close", "reveal", "show"], "ideas": ["close"], "vote": ["open"]})
        room.command("start")
        room.command("end")  # nothing opens in an ended session; what was open closed
        expect_buttons(fac, {"challenges": ["reveal", "show"], "ideas": ["show"], "vote": []})
        room.command("reopen")
        expect_buttons(fac, {"challenges": ["open", "reveal", "show"], "ideas": ["open", "show"], "vote": ["open"]})
    finally:
        room.close()
