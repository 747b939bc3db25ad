"""A phone whose saved token the session does not know is refused (`bad_token`) and joins afresh (issue 23, item 6)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import SMALL_PHONE, create_session
from .projector_room import FilledRoom

pytestmark = pytest.mark.browser

KEPT = "code => Object.keys(localStorage).filter(k => k.startsWith('workshop:' + code + ':')).sort()"


def test_a_refused_saved_token_is_forgotten_and_the_phone_joins_afresh(server, pages):
    session = create_session(server.url)
    code = session["code"]
    phone = pages.phone("Eva", SMALL_PHONE)
    phone.goto(session["join_url"])
    expect(phone.locator("#v-join")).to_be_visible()
    # What a phone may carry: a token from a server that lost its data, and an answer kept for that participant.
    phone.evaluate("""code => {
        localStorage.setItem('workshop:' + code + ':token', 'a-token-this-session-never-gave');
        localStorage.setItem('workshop:' + code + ':outbox:1', JSON.stringify({begrippen: {option: 'nooit', round: 1}}));
    }""", code)
    phone.reload()
    expect(phone.locator("#v-join")).to_be_visible()  # not an error screen: a fresh join
    assert phone.evaluate(KEPT, code) == []  # the refused token and its kept answers are gone

    phone.locator("#nickname").fill("Eva")
    phone.locator("#join-submit").tap()
    expect(phone.locator("#v-wait")).to_be_visible()
    token = phone.evaluate("code => localStorage.getItem('workshop:' + code + ':token')", code)
    assert token and token != "a-token-this-session-never-gave"
    phone.reload()  # the new token rebinds: the same participant, no join form
    expect(phone.locator("#v-wait")).to_be_visible()
    expect(phone.locator("#v-join")).to_be_hidden()


def test_the_join_button_follows_the_server_s_joinable(server, pages):
    room = FilledRoom(server.url, size=1)
    try:
        phone = pages.phone("Late", SMALL_PHONE)
        phone.goto(room.session["join_url"])
        submit = phone.locator("#join-submit")
        expect(submit).to_be_enabled()
        room.command("lock")
        expect(submit).to_be_disabled()
        expect(phone.locator("#join-locked")).to_be_visible()
        room.command("unlock")
        expect(submit).to_be_enabled()
        expect(phone.locator("#join-locked")).to_be_hidden()
    finally:
        room.close()
