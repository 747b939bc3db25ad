"""Resilience as a phone sees it: a reload, a dropped network, a crashed and restarted server."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.server import ServerProcess

from .conftest import SERVER_MODULE, start_server
from .helpers import SMALL_PHONE, create_session, everyone_answered, questionnaire

pytestmark = pytest.mark.browser

Q = questionnaire("nl")
FIRST, SECOND = Q["questions"][0], Q["questions"][1]
TOKEN = "() => Object.keys(localStorage).filter(k => k.endsWith(':token')).map(k => localStorage.getItem(k))"


def join(pages, url: str, name: str = "Eva"):
    """A phone joins with a nickname and waits in the lobby."""
    phone = pages.phone(name, SMALL_PHONE)
    phone.goto(url)
    phone.locator("#nickname").fill(name)
    phone.locator("#join-submit").tap()
    expect(phone.locator("#v-wait")).to_be_visible()
    return phone


def answer(phone, question: dict, index: int) -> str:
    """Tap an option of the open question and wait until the server has it."""
    option = question["options"][index]["id"]
    expect(phone.locator("#v-question .q-text")).to_have_text(question["text"])
    phone.locator("label.option").filter(has=phone.locator(f"input[value='{option}']")).tap()
    expect(phone.locator(".q-status--ok")).to_be_visible()
    return option


def answered_on_facilitator(fac, question: dict, n: int, joined: int) -> None:
    """The facilitator's card for a question counts n answers of `joined` people."""
    card = fac.locator(f"article.qcard[data-key='{question['id']}'] .qcard-answered")
    expect(card).to_contain_text(f"{n} van {joined}")


def test_a_phone_that_reloads_is_the_same_participant_with_its_answer_selected(server, pages):
    session = create_session(server.url)
    fac = pages.facilitator(session["facilitator_url"])
    phone = join(pages, session["join_url"])
    fac.locator("[data-action='start']").click()
    chosen = answer(phone, FIRST, 2)
    token = phone.evaluate(TOKEN)
    assert len(token) == 1

    phone.reload()
    expect(phone.locator("#v-question")).to_be_visible()
    expect(phone.locator(f"input[value='{chosen}']")).to_be_checked()
    expect(phone.locator(".q-status--ok")).to_be_visible()
    assert phone.evaluate(TOKEN) == token
    expect(fac.locator("#roster tbody tr")).to_have_count(1)
    expect(fac.locator("#roster tbody tr th")).to_have_text("Eva")
    answered_on_facilitator(fac, FIRST, 1, 1)

    # Changing the answer after the reload replaces it: still one answer, now the new one.
    changed = answer(phone, FIRST, 0)
    assert changed != chosen
    answered_on_facilitator(fac, FIRST, 1, 1)
    expect(fac.locator("#roster tbody tr")).to_have_count(1)


def test_a_phone_that_was_offline_catches_up(server, pages):
    session = create_session(server.url)
    fac = pages.facilitator(session["facilitator_url"])
    phone = join(pages, session["join_url"])
    fac.locator("[data-action='start']").click()
    answer(phone, FIRST, 1)

    phone.context.set_offline(True)
    expect(phone.locator("#conn-banner")).to_be_visible()
    fac.locator("[data-action='next']").click()
    expect(fac.locator("#focus-line")).to_contain_text(SECOND["short"])
    expect(phone.locator("#v-question .q-text")).to_have_text(FIRST["text"])  # it cannot know yet

    phone.context.set_offline(False)
    expect(phone.locator("#v-question .q-text")).to_have_text(SECOND["text"], timeout=30_000)
    expect(phone.locator("#conn-banner")).to_be_hidden()
    answer(phone, SECOND, 0)
    answered_on_facilitator(fac, SECOND, 1, 1)
    expect(fac.locator("#roster tbody tr")).to_have_count(1)


@pytest.fixture
def own_server(tmp_path, chromium_path):
    """A server this test may kill and restart (the module's server stays untouched)."""
    holder = {"process": start_server(tmp_path / "data")}
    yield holder
    holder["process"].stop()


def test_every_page_reconnects_after_a_server_restart(own_server, pages):
    first = own_server["process"]
    session = create_session(first.url)
    fac = pages.facilitator(session["facilitator_url"])
    projector = pages.projector(session["projector_url"])
    phone = join(pages, session["join_url"])
    expect(projector.locator("#lobby-count-n")).to_have_text("1")
    fac.locator("[data-action='start']").click()
    chosen = answer(phone, FIRST, 3)
    expect(projector.locator(".sc-answered-text strong")).to_have_text("1")

    first.kill()
    for page in (phone, projector, fac):
        expect(page.locator("#conn-banner")).to_be_visible()
    own_server["process"] = start_server(first.data_dir, port=first.port)

    # Each page reconnects by itself (no reload) and shows the state from before the crash.
    for page in (phone, projector, fac):
        expect(page.locator("#conn-banner")).to_be_hidden(timeout=30_000)
    expect(phone.locator("#v-question .q-text")).to_have_text(FIRST["text"])
    expect(phone.locator(f"input[value='{chosen}']")).to_be_checked()
    expect(projector.locator(".sc-ask .sc-question")).to_have_text(FIRST["text"])
    expect(projector.locator(".sc-answered-text strong")).to_have_text("1")
    expect(fac.locator("#stage-badge")).to_have_class("badge badge--running")
    answered_on_facilitator(fac, FIRST, 1, 1)
    expect(fac.locator("#roster tbody tr")).to_have_count(1)

    # And the session goes on: reveal, next question, the phone answers it.
    fac.locator("body").press("r")
    expect(projector.locator(".sc-reveal .sc-row")).to_have_count(len(FIRST["options"]))
    fac.locator("body").press("n")
    answer(phone, SECOND, 1)
    expect(projector.locator(".sc-answered-text strong")).to_have_text("1")


def test_a_phone_that_answered_only_part_sees_a_result_that_says_so(server, pages):
    session = create_session(server.url)
    fac = pages.facilitator(session["facilitator_url"])
    phone = join(pages, session["join_url"], "Noor")
    fac.locator("[data-action='start']").click()
    option = answer(phone, FIRST, 3)  # the highest option of question 1, then the facilitator skips to results
    everyone_answered(fac, FIRST["id"])
    fac.locator("[data-action='results']").click()  # question 1 is all answered: no question asked
    result = phone.locator("#v-result")
    expect(result).to_be_visible()
    assert option  # its points make no phase: a phase needs every answer (issue 21)
    expect(result.locator(".score-n")).to_have_count(0)
    expect(result.locator("h1")).to_have_text("Nog geen fase")
    expect(result).to_contain_text(f"Je beantwoordde 1 van de {len(Q['questions'])} vragen")
    expect(result.locator(".missing li")).to_have_count(len(Q["questions"]) - 1)
    expect(result.locator(".recap dd")).to_have_count(len(Q["questions"]))
    expect(result.locator(".recap dd").nth(1)).to_have_text("Niet beantwoord")
    assert not pages.page_errors()


def test_a_phone_whose_network_blocks_websockets_falls_back_to_polling(tmp_path, pages):
    """Phones try a WebSocket first (no polling handshake); where none can pass they carry on over polling."""
    blocked = ServerProcess(tmp_path / "data", module=SERVER_MODULE, env={"LAN_SERVER_POLLING_ONLY": "1"}).start()
    try:
        session = create_session(blocked.url)
        fac = pages.facilitator(session["facilitator_url"])
        phone = pages.phone("Polling", SMALL_PHONE)
        sockets, polled = [], []
        phone.on("websocket", lambda ws: sockets.append(ws.url))
        phone.on("request", lambda r: "transport=polling" in r.url and polled.append(r.url))
        phone.goto(session["join_url"])
        phone.locator("#nickname").fill("Polling")
        phone.locator("#join-submit").tap()
        expect(phone.locator("#v-wait")).to_be_visible()
        fac.locator("[data-action='start']").click()
        answer(phone, FIRST, 1)
        answered_on_facilitator(fac, FIRST, 1, 1)
        assert any("transport=websocket" in url for url in sockets) and polled  # tried first, then fell back
    finally:
        blocked.stop()
