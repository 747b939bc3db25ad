"""A small old phone (320×568): a short join page, the confirmation under the thumb, progress in view (issue 11, point 6)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import SMALL_PHONE, create_session, questionnaire, shot
from .test_phone_offline import tap
from .test_resilience import join

pytestmark = pytest.mark.browser

Q = questionnaire("nl")
# The question whose options take the most text: its last option sits lowest on the screen.
LONGEST = max(Q["questions"], key=lambda q: sum(len(o["label"]) for o in q["options"]))
HEIGHT = SMALL_PHONE["height"]
IN_VIEW = "el => { const r = el.getBoundingClientRect(); return [r.top, r.bottom]; }"


def in_view(locator) -> bool:
    """Whether an element lies wholly inside the phone's viewport."""
    top, bottom = locator.evaluate(IN_VIEW)
    return top >= 0 and bottom <= HEIGHT


def test_the_join_page_fits_two_screens_of_a_small_phone(server, pages):
    session = create_session(server.url)  # the six default disciplines
    phone = pages.phone("Small", SMALL_PHONE)
    phone.goto(session["join_url"])
    expect(phone.locator("#v-join")).to_be_visible()
    height = phone.evaluate("() => document.scrollingElement.scrollHeight")
    shot(phone, "phone-320-join-compact", full_page=True)
    print(f"join page at 320×568: {height}px tall")
    assert height <= 2 * HEIGHT, f"the join page is {height}px tall at 320×568"
    expect(phone.locator("#discipline option")).to_have_count(7)  # six disciplines and "rather not say"
    expect(phone.locator("details.privacy p")).to_be_hidden()  # one tap away
    phone.locator("details.privacy summary").tap()
    expect(phone.locator("details.privacy p")).to_be_visible()


def test_received_is_in_view_after_tapping_the_last_option_of_the_longest_question(server, pages):
    session = create_session(server.url)
    fac = pages.facilitator(session["facilitator_url"])
    phone = join(pages, session["join_url"])
    fac.locator("[data-action='start']").click()
    for _ in range(LONGEST["index"]):
        fac.locator("[data-action='next']").click()
    tap(phone, LONGEST, len(LONGEST["options"]) - 1)
    status = phone.locator(".q-status--ok")
    expect(status).to_be_visible()
    shot(phone, "phone-320-received-long")
    assert in_view(status), status.evaluate(IN_VIEW)


def test_self_paced_progress_stays_in_view_down_to_the_last_question(server, pages):
    session = create_session(server.url, pacing="self")
    fac = pages.facilitator(session["facilitator_url"])
    phone = join(pages, session["join_url"])
    fac.locator("[data-action='start']").click()
    for n, question in enumerate(Q["questions"], start=1):
        option = question["options"][0]["id"]
        phone.locator("label.option").filter(has=phone.locator(f"input[name='q-{question['id']}'][value='{option}']")).tap()
        expect(phone.locator(".q-status--ok")).to_have_count(n)
    expect(phone.locator(".progress-title")).to_have_text(f"{len(Q['questions'])} van {len(Q['questions'])} beantwoord")
    phone.evaluate("() => window.scrollTo(0, document.scrollingElement.scrollHeight)")
    expect(phone.locator(".progress-done")).to_be_visible()
    assert phone.evaluate("() => scrollY") > HEIGHT  # really scrolled down, past the top of the page
    assert in_view(phone.locator(".progress-title")) and in_view(phone.locator(".progress-done"))
