"""An answer tapped while the phone has no connection is kept on the phone and sent when it is back (issue 11, point 7)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import start_server
from .helpers import create_session, questionnaire, shot
from .test_resilience import answered_on_facilitator, join

pytestmark = pytest.mark.browser

Q = questionnaire("nl")
FIRST, SECOND = Q["questions"][0], Q["questions"][1]
OUTBOX = "() => Object.keys(localStorage).filter(k => k.includes(':outbox:')).map(k => JSON.parse(localStorage.getItem(k)))"


def tap(phone, question: dict, index: int) -> dict:
    """Tap an option of the question on screen (without waiting for the server)."""
    option = question["options"][index]
    expect(phone.locator("#v-question .q-text")).to_have_text(question["text"])
    phone.locator("label.option").filter(has=phone.locator(f"input[value='{option['id']}']")).tap()
    return option


def started(pages, url: str):
    """A session with the facilitator, one phone that joined, and question 1 open."""
    session = create_session(url)
    fac = pages.facilitator(session["facilitator_url"])
    phone = join(pages, session["join_url"])
    fac.locator("[data-action='start']").click()
    expect(phone.locator("#v-question .q-text")).to_have_text(FIRST["text"])
    return session, fac, phone


def test_an_answer_tapped_offline_is_kept_and_sent_when_the_network_is_back(server, pages):
    _session, fac, phone = started(pages, server.url)
    phone.context.set_offline(True)
    expect(phone.locator("#conn-banner")).to_be_visible()

    option = tap(phone, FIRST, 2)
    expect(phone.locator(".q-status--queued")).to_be_visible()  # kept, and the phone says so (no red error)
    shot(phone, "phone-320-answer-kept-offline")
    expect(phone.locator(".q-status--error")).to_have_count(0)
    assert phone.evaluate(OUTBOX) == [{FIRST["id"]: {"option": option["id"], "round": 1}}]
    answered_on_facilitator(fac, FIRST, 0, 1)

    phone.context.set_offline(False)
    expect(phone.locator("#conn-banner")).to_be_hidden(timeout=30_000)
    expect(phone.locator(".q-status--ok")).to_be_visible()
    expect(phone.locator(f"input[value='{option['id']}']")).to_be_checked()
    answered_on_facilitator(fac, FIRST, 1, 1)
    assert phone.evaluate(OUTBOX) == []


def test_a_kept_answer_survives_a_reload_and_a_server_restart(tmp_path, pages):
    holder = {"process": start_server(tmp_path / "data")}
    try:
        first = holder["process"]
        session, fac, phone = started(pages, first.url)
        first.kill()
        expect(phone.locator("#conn-banner")).to_be_visible()
        option = tap(phone, FIRST, 1)
        expect(phone.locator(".q-status--queued")).to_be_visible()

        # The phone leaves the page before the server is back: only localStorage holds the answer.
        phone.goto("about:blank")
        holder["process"] = start_server(first.data_dir, port=first.port)
        phone.goto(session["join_url"])
        expect(phone.locator(".q-status--ok")).to_be_visible()
        expect(phone.locator(f"input[value='{option['id']}']")).to_be_checked()
        expect(fac.locator("#conn-banner")).to_be_hidden(timeout=30_000)
        answered_on_facilitator(fac, FIRST, 1, 1)
        assert phone.evaluate(OUTBOX) == []
    finally:
        holder["process"].stop()


def test_a_kept_answer_to_a_question_that_closed_meanwhile_is_dropped_and_the_phone_says_so(server, pages):
    _session, fac, phone = started(pages, server.url)
    phone.context.set_offline(True)
    expect(phone.locator("#conn-banner")).to_be_visible()
    option = tap(phone, FIRST, 3)
    expect(phone.locator(".q-status--queued")).to_be_visible()
    fac.locator("[data-action='next']").click()  # paced: question 1 closes, question 2 opens
    expect(fac.locator("#focus-line")).to_contain_text(SECOND["short"])

    phone.context.set_offline(False)
    expect(phone.locator("#conn-banner")).to_be_hidden(timeout=30_000)
    expect(phone.locator("#v-question .q-text")).to_have_text(SECOND["text"])
    notice = phone.locator(".notice--missed")
    expect(notice).to_contain_text("Vraag 1 is gesloten")
    expect(notice).to_contain_text(option["label"])
    shot(phone, "phone-320-answer-not-counted")
    answered_on_facilitator(fac, FIRST, 0, 1)
    assert phone.evaluate(OUTBOX) == []

    notice.get_by_role("button").tap()  # understood: the notice goes
    expect(notice).to_have_count(0)


def test_a_kept_answer_from_before_a_new_round_is_dropped_and_the_phone_asks_again(server, pages):
    _session, fac, phone = started(pages, server.url)
    phone.context.set_offline(True)
    expect(phone.locator("#conn-banner")).to_be_visible()
    option = tap(phone, FIRST, 0)
    fac.locator("[data-action='reveal']").click()
    fac.locator(f"button[data-focus-key='new_round:{FIRST['id']}']").click()  # round 2 of question 1
    expect(fac.locator(f"article.qcard[data-key='{FIRST['id']}']")).to_contain_text("2")

    phone.context.set_offline(False)
    expect(phone.locator("#conn-banner")).to_be_hidden(timeout=30_000)
    expect(phone.locator(".notice--missed")).to_contain_text("Vraag 1 kreeg een nieuwe ronde")
    expect(phone.locator(".notice--missed")).to_contain_text(option["label"])
    expect(phone.locator(".badge--round")).to_be_visible()  # the question in its new round, unanswered
    expect(phone.locator("#v-question input:checked")).to_have_count(0)
    assert phone.evaluate(OUTBOX) == []
