"""Eight phones in two disciplines: the projector's view by discipline, as the room sees it in Chromium."""
from __future__ import annotations

import statistics

import pytest
from playwright.sync_api import expect

from .helpers import (SMALL_PHONE, console_now, create_session, everyone_answered, questionnaire, record_dialogs, shot,
                      show_panel)
from .test_workshop import number, phase_of

pytestmark = pytest.mark.browser

Q = questionnaire("nl")
# Option index per question (in questionnaire order) for each phone: directie answers low, marketing high.
PEOPLE = [
    ("Directie", [0, 0, 0, 0]), ("Directie", [1, 0, 1, 0]), ("Directie", [1, 1, 1, 1]), ("Directie", [2, 0, 1, 1]),
    ("Publiek", [3, 1, 3, 2]), ("Publiek", [2, 1, 2, 2]), ("Publiek", [3, 1, 2, 1]), ("Publiek", [1, 1, 3, 2]),
]


def total(picks: list[int]) -> int:
    """Points of one phone's answers."""
    return sum(q["options"][i]["points"] for q, i in zip(Q["questions"], picks))


def test_eight_phones_in_two_disciplines_see_the_view_by_discipline(server, pages):
    session = create_session(server.url, title="Theater Nova", disciplines=["Directie", "Publiek"])
    fac = pages.facilitator(session["facilitator_url"])
    asked = record_dialogs(fac)
    proj = pages.projector(session["projector_url"])
    phones = []
    for n, (discipline, _) in enumerate(PEOPLE):
        phone = pages.phone(f"phone{n}", SMALL_PHONE)
        phone.goto(session["join_url"])
        phone.locator("#discipline").select_option(discipline)
        phone.locator("#join-submit").tap()
        expect(phone.locator("#v-wait")).to_be_visible()
        phones.append(phone)
    expect(proj.locator("#lobby-count-n")).to_have_text(str(len(PEOPLE)))

    fac.locator("[data-action='start']").click()
    for index, question in enumerate(Q["questions"]):
        for phone, (_, picks) in zip(phones, PEOPLE):
            option = question["options"][picks[index]]["id"]
            expect(phone.locator("#v-question .q-text")).to_have_text(question["text"])
            phone.locator("label.option").filter(has=phone.locator(f"input[value='{option}']")).tap()
            expect(phone.locator(".q-status--ok")).to_be_visible()
        everyone_answered(fac, question["id"])
        fac.locator("[data-action='next']").click()  # on the last question: the results
    # The facilitator's page is at the results first (a failure here says the command never took effect,
    # one below that a phone did not follow). It failed twice in full runs, the page's state still at the last
    # question with every answer stored: the message says what the page asked and held.
    try:
        expect(fac.locator("#stage-badge")).to_have_text("Resultaten")
    except AssertionError as error:
        raise AssertionError(f"no results on the facilitator's page; it asked {asked}, holds {console_now(fac)}") from error

    for phone, (_, picks) in zip(phones, PEOPLE):  # each phone its own phase
        expect(phone.locator(".phase-title")).to_have_text(phase_of(Q, total(picks))["name"])

    show_panel(fac, "projector")
    fac.locator(".view-btn[data-view='disciplines']").click()
    rows = proj.locator(".sc-disciplines tbody tr")
    expect(rows).to_have_count(2)
    for row, group in zip(rows.all(), ["Directie", "Publiek"]):
        totals = [total(picks) for discipline, picks in PEOPLE if discipline == group]
        median = statistics.median(totals)
        cells = row.locator("th, td")
        expect(cells.nth(0).locator(".sc-disc-name")).to_have_text(group)
        expect(cells.nth(0).locator(".sc-disc-n")).to_have_text("4 personen")
        expect(cells.nth(1).locator(".sc-disc-n")).to_have_text("Mediaan " + number(median, "nl"))
        expect(cells.nth(1).locator(".sc-disc-phase")).to_have_text(phase_of(Q, median)["name"])
        expect(row.locator("td")).to_have_count(1 + len(Q["questions"]))  # the median answer per question
    assert phase_of(Q, statistics.median(total(p) for d, p in PEOPLE if d == "Directie")) != \
        phase_of(Q, statistics.median(total(p) for d, p in PEOPLE if d == "Publiek"))  # the view shows a difference
    shot(proj, "nl-projector-disciplines")

