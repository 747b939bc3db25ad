"""axe-core on the phone states issue 11 added: compact join, an answer kept offline, a dropped answer's notice, sticky progress."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import SMALL_PHONE, create_session, questionnaire
from .test_accessibility import axe_check
from .test_phone_offline import started, tap
from .test_resilience import join

pytestmark = pytest.mark.browser

Q = questionnaire("nl")
FIRST = Q["questions"][0]


def test_the_new_phone_states_have_no_axe_violations(server, pages):
    report: dict = {}
    found = {}
    joining = pages.phone("joining", SMALL_PHONE, locale="en-GB")
    joining.goto(create_session(server.url)["join_url"])
    expect(joining.locator("#v-join")).to_be_visible()
    joining.locator("details.privacy summary").tap()
    found["phone: compact join, privacy open (English reader)"] = axe_check(joining, "join", report)

    _session, fac, phone = started(pages, server.url)
    phone.context.set_offline(True)
    expect(phone.locator("#conn-banner")).to_be_visible()
    tap(phone, FIRST, 0)
    expect(phone.locator(".q-status--queued")).to_be_visible()
    found["phone: answer kept offline"] = axe_check(phone, "queued", report)
    fac.locator("[data-action='next']").click()
    phone.context.set_offline(False)
    expect(phone.locator(".notice--missed")).to_be_visible(timeout=30_000)
    found["phone: kept answer not counted"] = axe_check(phone, "missed", report)

    session = create_session(server.url, pacing="self")
    fac2 = pages.facilitator(session["facilitator_url"])
    self_paced = join(pages, session["join_url"], "Noor")
    fac2.locator("[data-action='start']").click()
    expect(self_paced.locator(".progress-sticky")).to_be_visible()
    self_paced.evaluate("() => window.scrollTo(0, document.scrollingElement.scrollHeight)")
    found["phone: self-paced, sticky progress"] = axe_check(self_paced, "self-paced", report)

    assert all(not v for v in found.values()), {k: [x["id"] for x in v] for k, v in found.items() if v}
