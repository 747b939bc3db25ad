"""Bad input gets a clear error to that client only and changes nothing."""
from __future__ import annotations

import pytest

from .helpers import connect


def table_counts(app):
    """Row counts of every table, to prove nothing was stored."""
    store = app.extensions["workshop"].live.store
    return {t: store._one(f"SELECT COUNT(*) FROM {t}")[0] for t in ("sessions", "participants", "answers", "notes", "steps")}


@pytest.mark.parametrize("payload,code", [
    (None, "bad_request"),
    ("begrippen", "bad_request"),
    ([1, 2], "bad_request"),
    ({}, "bad_request"),
    ({"question": "begrippen", "option": "nooit"}, "bad_request"),
    ({"question": "begrippen", "option": "nooit", "round": "1"}, "bad_request"),
    ({"question": "begrippen", "option": "nooit", "round": True}, "bad_request"),
    ({"question": 5, "option": "nooit", "round": 1}, "bad_request"),
    ({"question": "onbekend", "option": "nooit", "round": 1}, "unknown_question"),
    ({"question": "begrippen", "option": "altijd", "round": 1}, "unknown_option"),
    ({"question": "begrippen", "option": "ten-koste-van", "round": 1}, "unknown_option"),
    ({"question": "uitspraak", "option": "kan-helpen", "round": 1}, "question_closed"),
    ({"question": "begrippen", "option": "nooit", "round": 2}, "stale_round"),
    ({"question": "begrippen", "option": "nooit", "round": -1}, "stale_round"),
])
def test_malformed_answers_are_refused_to_that_client_only(room, payload, code):
    r = room()
    phone, _ = r.join("Anna")
    bystander, _ = r.join("Bert")
    r.command("start")
    bystander.pull()
    bystander.events.clear()
    before = table_counts(r.app)
    ack = phone.emit("answer", payload)
    assert ack["ok"] is False and ack["error"]["code"] == code
    assert ack["error"]["message"]
    assert phone.wait("failed")["code"] == code
    assert table_counts(r.app) == before
    assert bystander.names() == []
    assert phone.emit("answer", {"question": "begrippen", "option": "nooit", "round": 1})["ok"]  # still served


def test_answer_before_joining_is_refused(room):
    r = room()
    r.command("start")
    visitor = r.phone()
    assert visitor.emit("answer", {"question": "begrippen", "option": "nooit", "round": 1})["error"]["code"] == "not_joined"


def test_answer_in_the_lobby_is_refused(room):
    r = room()
    phone, _ = r.join()
    assert phone.emit("answer", {"question": "begrippen", "option": "nooit", "round": 1})["error"]["code"] == "question_closed"


@pytest.mark.parametrize("nickname,ok", [
    ("x" * 40, True),
    ("x" * 41, False),
    ("  Anna   de   Vries ", True),
    ("", True),
    (123, False),
    ({"a": 1}, False),
])
def test_nickname_limits(room, nickname, ok):
    r = room()
    before = table_counts(r.app)
    ack = r.phone().emit("join", {"nickname": nickname})
    assert ack["ok"] is ok
    if ok:
        assert table_counts(r.app)["participants"] == before["participants"] + 1
    else:
        assert ack["error"]["code"] in ("bad_nickname", "bad_request")
        assert table_counts(r.app) == before


def test_nickname_is_cleaned(room):
    r = room()
    _, ack = r.join("  Anna\u0000  de\tVries ")
    assert ack["me"]["nickname"] == "Anna de Vries"


@pytest.mark.parametrize("payload", [
    None, "start", {"action": 5}, {"action": "fly"}, {"action": "reveal"}, {"action": "reveal", "question": 3},
    {"action": "agree", "question": "begrippen"}, {"action": "view", "view": "x"}, {"action": "remove", "participant": "1"},
    {"action": "remove", "participant": 99},
])
def test_bad_commands_are_refused_and_change_nothing(room, payload):
    r = room()
    before = r.app.extensions["workshop"].live.room(r.code).state
    ack = r.facilitator.emit("command", payload)
    assert ack["ok"] is False and ack["error"]["code"] in (
        "bad_request", "unknown_action", "unknown_question", "unknown_participant", "not_allowed_now")
    assert r.app.extensions["workshop"].live.room(r.code).state == before


@pytest.mark.parametrize("auth", [None, "ABCDEF", {"code": "ZZZZZZ"}, {"code": 7}, {"code": "x" * 5000}, {}])
def test_unknown_or_malformed_session_codes_are_refused_on_connect(app, socketio, auth):
    inbox = connect(socketio, app, "participant", auth)
    assert not inbox.client.is_connected("/participant")


def test_unknown_event_from_a_phone_is_refused(room):
    r = room()
    phone, _ = r.join()
    assert phone.emit("explode", {"x": 1})["error"]["code"] == "not_allowed"
