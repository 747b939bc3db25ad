"""Issue 11, point 9: "1 persoon" (ngettext), no sideways scroll at 390 px, no bar legend without bars."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import LARGE_PHONE, accept_dialogs, create_session, questionnaire, show_panel
from .test_phone_offline import tap
from .test_resilience import join

pytestmark = pytest.mark.browser

Q = questionnaire("nl")
WIDTH = LARGE_PHONE["width"]


def page_width(page) -> int:
    """How wide the page's content is (more than the viewport: it scrolls sideways)."""
    return page.evaluate("() => document.scrollingElement.scrollWidth")


def test_the_facilitator_page_never_scrolls_sideways_on_a_390px_phone(server, pages):
    session = create_session(server.url, disciplines=["Directie", "Educatie"])
    fac = pages._open("facilitator-phone", viewport=LARGE_PHONE, is_mobile=True, has_touch=True)
    fac.goto(session["facilitator_url"])
    expect(fac.locator("[data-action='start']")).to_be_visible()
    assert page_width(fac) <= WIDTH
    phone = join(pages, session["join_url"], "Wilhelmina-Anastasia")
    expect(fac.locator("#roster tbody tr")).to_have_count(1)  # the roster table is the widest part
    assert page_width(fac) <= WIDTH
    fac.locator("[data-action='start']").tap()
    tap(phone, Q["questions"][0], 1)
    expect(phone.locator(".q-status--ok")).to_be_visible()
    fac.locator("[data-action='reveal']").tap()
    expect(fac.locator("#stage-badge")).to_have_class("badge badge--running")
    assert page_width(fac) <= WIDTH
    fac.locator("[data-action='results']").tap()
    expect(fac.locator("#stage-badge")).to_have_class("badge badge--results")
    assert page_width(fac) <= WIDTH


def test_one_person_reads_as_one_and_the_legend_waits_for_bars(server, pages):
    session = create_session(server.url, disciplines=["Directie", "Educatie"])
    fac = pages.facilitator(session["facilitator_url"])
    projector = pages.projector(session["projector_url"])
    phones = []
    for name in ("Anna", "Bas", "Cor"):
        phone = pages.phone(name, LARGE_PHONE)
        phone.goto(session["join_url"])
        phone.locator("#nickname").fill(name)
        phone.locator("#discipline").select_option("Directie")
        phone.locator("#join-submit").tap()
        expect(phone.locator("#v-wait")).to_be_visible()
        phones.append(phone)
    fac.locator("[data-action='start']").click()
    for phone in phones:
        tap(phone, Q["questions"][0], 2)
        expect(phone.locator(".q-status--ok")).to_be_visible()
    show_panel(fac, "projector")
    disciplines = fac.locator(".view-btn[data-view='disciplines']")
    disciplines.click()
    expect(projector.locator(".sc-disciplines")).to_be_visible()
    expect(projector.locator(".sc-disciplines tbody tr")).to_have_count(1)
    expect(projector.locator(".sc-disc-median", has_text="●")).to_have_count(0)  # not revealed yet: no dot scale ...
    expect(projector.locator(".sc-legend")).to_have_count(0)  # ... so nothing to explain

    fac.locator("[data-action='reveal']").click()
    disciplines.click()  # the view again, should revealing have moved the projector on
    expect(projector.locator(".sc-disc-median", has_text="●").first).to_be_visible()
    expect(projector.locator(".sc-legend")).to_have_count(1)

    # Only Anna answers every question: the results say "1 persoon", not "1 mensen".
    for question in Q["questions"][1:]:
        fac.locator("[data-action='next']").click()
        tap(phones[0], question, 0)
        expect(phones[0].locator(".q-status--ok")).to_be_visible()
    fac.locator(".view-btn[data-view='auto']").click()
    accept_dialogs(fac)  # the others did not answer: the page asks first
    fac.locator("[data-action='results']").click()
    expect(projector.locator(".sc-results")).to_contain_text("1 persoon beantwoordde alle vragen")
    expect(projector.locator(".sc-results")).not_to_contain_text("1 mensen")
