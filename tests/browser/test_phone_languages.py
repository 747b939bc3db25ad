"""An English phone in a Dutch session reads English at once; the projector stays Dutch (issue 11, point 8)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import PROJECTOR, SMALL_PHONE, create_session, questionnaire

pytestmark = pytest.mark.browser

NL, EN = questionnaire("nl"), questionnaire("en")


def test_an_en_gb_phone_reads_english_and_the_room_keeps_dutch(server, pages):
    session = create_session(server.url, language="nl")  # the default disciplines, in Dutch
    fac = pages.facilitator(session["facilitator_url"])
    projector = pages._open("projector", "en-GB", viewport=PROJECTOR)  # an English laptop on the projector
    projector.goto(session["projector_url"])
    expect(projector.locator("html")).to_have_attribute("lang", "nl")
    expect(projector.locator("#lobby-title")).to_have_text("Doe mee met je telefoon")

    phone = pages.phone("Emma", SMALL_PHONE, locale="en-GB")
    phone.goto(session["join_url"])
    expect(phone.locator("html")).to_have_attribute("lang", "en")  # no tap on "English" needed
    expect(phone.locator("#join-submit")).to_have_text("Join")
    expect(phone.locator("#discipline option", has_text="Operations")).to_have_attribute("value", "Bedrijfsvoering")
    phone.locator("#nickname").fill("Emma")
    phone.locator("#discipline").select_option(label="Operations")
    phone.locator("#join-submit").tap()
    expect(phone.locator("#v-wait")).to_contain_text("discipline: Operations")
    expect(fac.locator("#roster tbody tr")).to_have_count(1)

    fac.locator("[data-action='start']").click()
    first_en, first_nl = EN["questions"][0], NL["questions"][0]
    expect(phone.locator("#v-question .q-text")).to_have_text(first_en["text"])
    option = first_en["options"][1]
    assert option["label"] == "Rarely"
    phone.locator("label.option").filter(has=phone.locator(f"input[value='{option['id']}']")).tap()
    expect(phone.locator(".q-status--ok")).to_have_text("Received ✓")
    fac.locator("[data-action='reveal']").click()
    dutch = next(o["label"] for o in first_nl["options"] if o["id"] == option["id"])
    expect(projector.locator(".sc-reveal .sc-question")).to_have_text(first_nl["text"])
    expect(projector.locator(".sc-reveal .sc-row-label", has_text=dutch)).to_have_count(1)  # "Zelden"
